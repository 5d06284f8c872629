//! Frame decoding: from a link type and the captured bytes to a list of layers, each with its
//! fields and their byte ranges.
//!
//! Owns the dispatch from one layer to the next and the no-panic contract for every decoder under
//! it: bytes are only reached through [`bytes`]' checked readers, a layer that runs out of bytes
//! keeps what it read and records a [`DecodeError`] with the offset, and decoding stops cleanly
//! there. Cut-off packets (snap length, headers quoted inside ICMP errors) are ordinary input.

pub mod app;
pub mod arp;
pub mod bytes;
pub mod ethernet;
pub mod icmp;
pub mod ip;
pub mod link;
pub mod transport;

use crate::field::{Field, Value};
use serde::Serialize;
use std::borrow::Cow;
use std::net::IpAddr;

/// Link-layer header types (tcpdump.org LINKTYPE_ values) the decoder knows by name.
pub mod linktype {
    pub const NULL: u32 = 0;
    pub const ETHERNET: u32 = 1;
    pub const PPP: u32 = 9;
    pub const RAW: u32 = 101;
    pub const IEEE802_11: u32 = 105;
    pub const LOOP: u32 = 108;
    pub const LINUX_SLL: u32 = 113;
    pub const IEEE802_11_RADIOTAP: u32 = 127;
    pub const IPV4: u32 = 228;
    pub const IPV6: u32 = 229;
    pub const LINUX_SLL2: u32 = 276;
    /// Some systems write raw IP as DLT 12 or 14 instead of LINKTYPE_RAW.
    pub const RAW_ALT12: u32 = 12;
    pub const RAW_ALT14: u32 = 14;
    pub const PPP_HDLC: u32 = 50;
    pub const PPP_ETHER: u32 = 51;
    pub const C_HDLC: u32 = 104;

    /// Every link type the decoder has a first step for; any other becomes one raw layer.
    pub const DECODED: &[u32] = &[
        NULL,
        ETHERNET,
        PPP,
        RAW_ALT12,
        RAW_ALT14,
        PPP_HDLC,
        PPP_ETHER,
        RAW,
        C_HDLC,
        IEEE802_11,
        LOOP,
        LINUX_SLL,
        IEEE802_11_RADIOTAP,
        IPV4,
        IPV6,
        LINUX_SLL2,
    ];

    /// A readable name for a link type; `None` for ones the decoder does not handle.
    pub fn name(lt: u32) -> Option<&'static str> {
        Some(match lt {
            NULL => "BSD loopback (NULL)",
            ETHERNET => "Ethernet",
            PPP => "PPP",
            RAW | RAW_ALT12 | RAW_ALT14 => "Raw IP",
            IEEE802_11 => "IEEE 802.11",
            LOOP => "OpenBSD loopback (LOOP)",
            LINUX_SLL => "Linux cooked (SLL)",
            IEEE802_11_RADIOTAP => "IEEE 802.11 with radiotap",
            IPV4 => "Raw IPv4",
            IPV6 => "Raw IPv6",
            LINUX_SLL2 => "Linux cooked v2 (SLL2)",
            _ => return None,
        })
    }
}

/// Why a layer stopped decoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodeError {
    /// Offset in the frame where the problem was found.
    pub offset: usize,
    /// What went wrong, in plain words (e.g. "header claims 60 bytes; only 20 captured").
    pub message: String,
}

/// One protocol layer of a frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer {
    /// Wireshark's protocol filter name: `eth`, `vlan`, `ip`, `ipv6`, `tcp`, `udp`, `icmp`, `dns`...
    pub proto: &'static str,
    /// Readable title, e.g. "Internet Protocol Version 4" (borrowed when it is a constant, as it
    /// usually is, so a layer costs no allocation for it).
    pub title: Cow<'static, str>,
    pub offset: usize,
    pub len: usize,
    pub fields: Vec<Field>,
    /// Set when the layer could not be decoded completely; the fields before the problem remain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<DecodeError>,
    /// True for layers that are a copy quoted inside another packet (an ICMP error's payload).
    pub quoted: bool,
}

impl Layer {
    pub fn new(proto: &'static str, title: impl Into<Cow<'static, str>>, offset: usize) -> Layer {
        Layer {
            proto,
            title: title.into(),
            offset,
            len: 0,
            fields: spare::fields(),
            error: None,
            quoted: false,
        }
    }

    /// Adds a whole-byte field at depth 0.
    pub fn add(
        &mut self,
        name: &'static str,
        label: &'static str,
        value: Value,
        offset: usize,
        len: usize,
    ) -> &mut Field {
        self.push(Field {
            name,
            label,
            value,
            offset,
            len,
            mask: 0,
            depth: 0,
            display: None,
        })
    }

    /// Adds a bit field (`mask` within `len` bytes at `offset`) nested at `depth`.
    #[allow(clippy::too_many_arguments)]
    pub fn add_bits(
        &mut self,
        name: &'static str,
        label: &'static str,
        value: Value,
        offset: usize,
        len: usize,
        mask: u64,
        depth: u8,
    ) -> &mut Field {
        self.push(Field {
            name,
            label,
            value,
            offset,
            len,
            mask,
            depth,
            display: None,
        })
    }

    /// Adds a boolean flag field: `value` is `(word & mask) != 0`.
    #[allow(clippy::too_many_arguments)]
    pub fn add_flag(
        &mut self,
        name: &'static str,
        label: &'static str,
        word: u64,
        offset: usize,
        len: usize,
        mask: u64,
        depth: u8,
    ) -> bool {
        let set = word & mask != 0;
        self.add_bits(name, label, Value::Bool(set), offset, len, mask, depth);
        set
    }

    fn push(&mut self, f: Field) -> &mut Field {
        self.fields.push(f);
        // `push` just added an element, so `last_mut` is always `Some`.
        match self.fields.last_mut() {
            Some(f) => f,
            None => unreachable!(),
        }
    }

    /// Records that the layer stopped at `offset`.
    pub fn fail(&mut self, offset: usize, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(DecodeError {
                offset,
                message: message.into(),
            });
        }
    }

    /// Finds the first field of this layer with the given name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.field(name).map(|f| &f.value)
    }

    pub fn u64(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(Value::as_u64)
    }
}

/// What follows the end of the outermost network-layer datagram inside a link frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrailerKind {
    /// Zero bytes that pad a short frame up to Ethernet's 60-byte minimum.
    ZeroPadding,
    /// Padding up to the minimum frame size that is not all zeros: leaked memory or a covert channel.
    NonZeroPadding,
    /// Bytes beyond the minimum frame size that no header accounts for (an FCS, or extra data).
    ExtraData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trailer {
    pub offset: usize,
    pub len: usize,
    pub kind: TrailerKind,
}

/// The decoded form of one frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dissection {
    pub link_type: u32,
    /// Captured length of the frame.
    pub len: usize,
    /// Length of the frame on the wire, when known (from the capture file): more than `len` when
    /// the snap length cut it. `None` for bytes of unknown origin, such as a pasted hex dump.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orig_len: Option<usize>,
    pub layers: Vec<Layer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trailer: Option<Trailer>,
}

/// A dissection hands its buffers back when it is dropped, for the next packet (see [`spare`]).
impl Drop for Dissection {
    fn drop(&mut self) {
        spare::keep(std::mem::take(&mut self.layers));
    }
}

impl Dissection {
    /// The first (outermost) occurrence of a field anywhere in the frame.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.layers.iter().find_map(|l| l.field(name))
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.field(name).map(|f| &f.value)
    }

    pub fn u64(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(Value::as_u64)
    }

    /// Every occurrence of a field, outermost first (tunnels and ICMP-quoted headers repeat fields).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.layers
            .iter()
            .flat_map(move |l| l.fields.iter().filter(move |f| f.name == name))
    }

    /// The first layer with the given protocol name, not counting quoted ones.
    pub fn layer(&self, proto: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.proto == proto && !l.quoted)
    }

    /// The first layer that did not decode completely, if any.
    pub fn error(&self) -> Option<(&Layer, &DecodeError)> {
        self.layers
            .iter()
            .find_map(|l| l.error.as_ref().map(|e| (l, e)))
    }
}

/// Where the network-layer header a transport layer sits in came from: what the TCP and UDP
/// checksums cover and what application decoders may want to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpContext {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// Offset just past the end of the datagram's payload as its length field claims, clamped
    /// to the captured bytes.
    pub end: usize,
    /// Offset just past the end of the payload as the length field claims, not clamped: beyond
    /// the frame when the snap length cut the datagram (lengths like `tcp.len` count from here).
    pub claimed_end: usize,
    /// True when the datagram's payload is a later fragment (no transport header in it).
    pub later_fragment: bool,
    /// True when the payload is the first fragment of a fragmented datagram.
    pub first_fragment: bool,
}

/// What a decoder says should be decoded next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Stop,
    Ethernet(usize),
    /// A payload identified by an EtherType, at an offset.
    EtherType(u16, usize),
    /// IEEE 802.2 LLC (and SNAP) header.
    Llc(usize),
    /// An IP datagram whose version is read from its first nibble.
    Ip(usize),
    /// An IP datagram that the layer before says is IPv6 (EtherType 0x86dd, protocol 41...).
    /// Decoded like [`Next::Ip`]; the hint only names the layer when no byte of it was captured.
    Ipv6(usize),
    /// A transport payload: protocol number, offset, with the IP header it came in.
    IpProto(u8, usize, IpContext),
    /// Application data over UDP or TCP.
    App {
        transport: Transport,
        src_port: u16,
        dst_port: u16,
        offset: usize,
        end: usize,
    },
    /// An IP header quoted inside an ICMP error: decoded like any other, marked as quoted.
    QuotedIp(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    Udp,
}

/// Decoding state for one frame.
pub struct Ctx<'a> {
    pub frame: &'a [u8],
    pub layers: Vec<Layer>,
    /// True while decoding the copy of a packet quoted inside an ICMP error.
    pub quoted: bool,
    /// End of the outermost network-layer datagram, for classifying Ethernet trailers.
    pub datagram_end: Option<usize>,
    /// Length of the frame on the wire (at least `frame.len()`): bytes past it were never sent.
    /// `usize::MAX` when unknown, which lets headers claim any length (a possible snap cut).
    pub orig_len: usize,
}

impl<'a> Ctx<'a> {
    /// Adds a finished layer, marking it quoted when inside an ICMP error.
    pub fn push(&mut self, mut layer: Layer) {
        layer.quoted = self.quoted;
        self.layers.push(layer);
    }

    /// Records where the outermost network datagram ends (the first call wins).
    pub fn set_datagram_end(&mut self, end: usize) {
        if self.datagram_end.is_none() && !self.quoted {
            self.datagram_end = Some(end.min(self.frame.len()));
        }
    }
}

/// Nesting limit: tunnels and stacked tags beyond this are left undecoded rather than risk
/// unbounded work on hostile input.
const MAX_LAYERS: usize = 48;

/// Buffers of dropped dissections, kept per thread for the next packets: a pass over a capture
/// decodes one packet after another, so a handful of warm buffers serve every layer instead of
/// an allocation (and a free) for each. Bounded in count and in each buffer's size.
mod spare {
    use super::{Field, Layer};
    use std::cell::RefCell;

    /// Buffers kept of each kind; a packet has a few layers, nested tunnels a few more.
    const KEEP: usize = 32;
    /// Larger buffers (a packet with hundreds of fields in a layer) go back to the allocator.
    const MAX_FIELDS: usize = 64;
    const MAX_LAYERS: usize = 16;

    #[derive(Default)]
    struct Spare {
        fields: Vec<Vec<Field>>,
        layers: Vec<Vec<Layer>>,
    }

    thread_local! {
        static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
    }

    /// An empty field list with room for a typical layer.
    pub(super) fn fields() -> Vec<Field> {
        take(|s| &mut s.fields, 16)
    }

    /// An empty layer list.
    pub(super) fn layers() -> Vec<Layer> {
        take(|s| &mut s.layers, 8)
    }

    /// A kept buffer of one kind, or a new one with room for `cap`.
    fn take<T>(kind: fn(&mut Spare) -> &mut Vec<Vec<T>>, cap: usize) -> Vec<T> {
        SPARE
            .try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| kind(&mut s).pop()))
            .ok()
            .flatten()
            .unwrap_or_else(|| Vec::with_capacity(cap))
    }

    /// Takes back a dissection's layers: their contents are dropped, the buffers kept. (Fields
    /// and layers hold nothing that comes back here, so dropping them under the borrow is safe;
    /// a failed borrow, never expected, only means the buffers are freed.)
    pub(super) fn keep(mut layers: Vec<Layer>) {
        let _ = SPARE.try_with(|s| {
            let Ok(mut s) = s.try_borrow_mut() else {
                return;
            };
            for l in layers.iter_mut() {
                if s.fields.len() >= KEEP {
                    break;
                }
                if l.fields.capacity() <= MAX_FIELDS {
                    let mut f = std::mem::take(&mut l.fields);
                    f.clear();
                    s.fields.push(f);
                }
            }
            layers.clear();
            if layers.capacity() <= MAX_LAYERS && s.layers.len() < KEEP {
                s.layers.push(std::mem::take(&mut layers));
            }
        });
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn pooled() -> (usize, usize) {
            SPARE.with(|s| {
                let s = s.borrow();
                (s.fields.len(), s.layers.len())
            })
        }

        fn buffers(d: &crate::decode::Dissection) -> Vec<usize> {
            let mut v: Vec<usize> = d
                .layers
                .iter()
                .map(|l| l.fields.as_ptr() as usize)
                .collect();
            v.sort_unstable();
            v
        }

        #[test]
        fn the_next_packet_reuses_the_buffers_and_the_pool_stays_bounded() {
            // Ethernet carrying IPv4 with a zeroed header: a few layers, each with fields.
            let mut frame = vec![0u8; 60];
            frame[12] = 0x08;
            frame[14] = 0x45;
            let first = crate::decode::decode(&frame, 1);
            assert!(first.layers.len() >= 2, "{:?}", first.layers);
            let before = buffers(&first);
            drop(first);
            let again = crate::decode::decode(&frame, 1);
            assert_eq!(
                buffers(&again),
                before,
                "the same buffers serve the same layers"
            );
            drop(again);
            // Hundreds of dissections alive at once, then dropped: the pool keeps only so many.
            let many: Vec<_> = (0..200).map(|_| crate::decode::decode(&frame, 1)).collect();
            assert_eq!(pooled(), (0, 0), "every buffer is in use");
            drop(many);
            let (fields, layers) = pooled();
            assert_eq!((fields, layers), (KEEP, KEEP));
        }
    }
}

/// Decodes one frame captured with the given link type, whose length on the wire is unknown
/// (it may have been cut by a snap length).
pub fn decode(frame: &[u8], link_type: u32) -> Dissection {
    decode_frame(frame, link_type, None)
}

/// Decodes one frame of which `frame` holds the first bytes of `orig_len` on the wire. Knowing
/// whether the capture cut the frame tells a snap-length cut from a length field that lies.
pub fn decode_with_len(frame: &[u8], link_type: u32, orig_len: usize) -> Dissection {
    decode_frame(frame, link_type, Some(orig_len.max(frame.len())))
}

/// Like [`decode_with_len`] but without the fields' readable renderings (`Field::display` stays
/// `None`): values, byte ranges, layers and errors are the same. For passes over every packet
/// that read only values: the analysis, summary lines, filters.
pub fn decode_lean(frame: &[u8], link_type: u32, orig_len: usize) -> Dissection {
    crate::field::without_renderings(|| decode_with_len(frame, link_type, orig_len))
}

/// Like [`decode_lean`], and the TCP, UDP and ICMP checksums are not verified either (their
/// `*.checksum.status` fields are missing): for the flow table and the cross-packet detectors,
/// which never read them.
pub fn decode_unverified(frame: &[u8], link_type: u32, orig_len: usize) -> Dissection {
    crate::field::without_verifying(|| decode_lean(frame, link_type, orig_len))
}

fn decode_frame(frame: &[u8], link_type: u32, orig_len: Option<usize>) -> Dissection {
    let mut cx = Ctx {
        frame,
        layers: spare::layers(),
        quoted: false,
        datagram_end: None,
        orig_len: orig_len.unwrap_or(usize::MAX),
    };
    let mut next = link::start(&mut cx, link_type);
    while next != Next::Stop {
        if cx.layers.len() >= MAX_LAYERS {
            let mut l = Layer::new("_ws.lax", "Nesting limit", 0);
            l.fail(
                0,
                format!("more than {MAX_LAYERS} nested layers; the rest is not decoded"),
            );
            cx.push(l);
            break;
        }
        next = match next {
            Next::Stop => Next::Stop,
            Next::Ethernet(off) => ethernet::decode_ethernet(&mut cx, off),
            Next::EtherType(et, off) => ethernet::dispatch_ethertype(&mut cx, et, off),
            Next::Llc(off) => ethernet::decode_llc(&mut cx, off),
            Next::Ip(off) => ip::decode_ip(&mut cx, off),
            Next::Ipv6(off) if off >= cx.frame.len() => ip::missing_ipv6(&mut cx, off),
            Next::Ipv6(off) => ip::decode_ip(&mut cx, off),
            Next::IpProto(proto, off, ipc) => {
                transport::dispatch_ip_proto(&mut cx, proto, off, ipc)
            }
            Next::App {
                transport,
                src_port,
                dst_port,
                offset,
                end,
            } => app::dispatch(&mut cx, transport, src_port, dst_port, offset, end),
            Next::QuotedIp(off) => {
                cx.quoted = true;
                ip::decode_ip(&mut cx, off)
            }
        };
    }
    let trailer = ethernet::classify_trailer(&cx, link_type);
    if let Some(t) = &trailer {
        ethernet::add_trailer_fields(&mut cx, t);
    }
    Dissection {
        link_type,
        len: frame.len(),
        orig_len,
        layers: cx.layers,
        trailer,
    }
}

/// Adds a layer holding bytes nothing decodes, so every byte of a frame belongs somewhere.
pub fn data_layer(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    titled_data_layer(cx, offset, end, "Data".into())
}

/// A data layer with a title that says what the bytes are (a later fragment, an encrypted
/// payload, a protocol not decoded).
pub fn titled_data_layer(cx: &mut Ctx<'_>, offset: usize, end: usize, title: String) -> Next {
    let end = end.min(cx.frame.len());
    if offset < end {
        let mut l = Layer::new("data", title, offset);
        l.len = end - offset;
        l.add(
            "data.len",
            "Length",
            Value::UInt(l.len as u64),
            offset,
            l.len,
        );
        cx.push(l);
    }
    Next::Stop
}
