//! ICMPv4 (RFC 792 and its successors) and ICMPv6 (RFC 4443, Neighbor Discovery RFC 4861,
//! MLD RFC 2710 / RFC 3810): the 8-byte header, the checksum (over the IPv6 pseudo-header for
//! ICMPv6), the type-specific fields, ND options, MLD records and RFC 4884 extensions.
//!
//! Error messages quote the packet that caused them; this module only decodes the ICMP header
//! and hands the quoted bytes back to the IP decoder (`Next::QuotedIp`), which marks them
//! quoted. It never reads beyond the end of the ICMP message as the IP header states it (so
//! link-layer padding is never taken for ICMP data), never loops on a zero-length option, and
//! never claims a checksum is good or bad when it could not see every byte it covers.

use super::bytes::{array, be16, be32, fold_checksum, ones_complement_sum, slice, u8_at};
use super::{Ctx, IpContext, Layer, Next};
use crate::field::Value;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Byte offsets of the common header, relative to the start of the message (RFC 792, RFC 4443).
mod field {
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: usize = 2;
    /// The second 32-bit word, whose meaning depends on the type.
    pub const REST: usize = 4;
    pub const IDENT: usize = 4;
    pub const SEQ: usize = 6;
    pub const HEADER_LEN: usize = 8;
}

/// Wireshark's checksum status values (`proto_checksum_vals`), shared with TCP/UDP here.
const CK_BAD: u64 = 0;
const CK_GOOD: u64 = 1;
const CK_UNVERIFIED: u64 = 2;

// ---------------------------------------------------------------------------------------------
// Registries
// ---------------------------------------------------------------------------------------------

/// ICMPv4 type names, from the IANA "Internet Control Message Protocol (ICMP) Parameters"
/// registry, ICMP Type Numbers.
pub fn icmp_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        0 => "Echo Reply",
        3 => "Destination Unreachable",
        4 => "Source Quench (Deprecated)",
        5 => "Redirect",
        6 => "Alternate Host Address (Deprecated)",
        8 => "Echo",
        9 => "Router Advertisement",
        10 => "Router Solicitation",
        11 => "Time Exceeded",
        12 => "Parameter Problem",
        13 => "Timestamp",
        14 => "Timestamp Reply",
        15 => "Information Request (Deprecated)",
        16 => "Information Reply (Deprecated)",
        17 => "Address Mask Request (Deprecated)",
        18 => "Address Mask Reply (Deprecated)",
        19 => "Reserved (for Security)",
        20..=29 => "Reserved (for Robustness Experiment)",
        30 => "Traceroute (Deprecated)",
        31 => "Datagram Conversion Error (Deprecated)",
        32 => "Mobile Host Redirect (Deprecated)",
        33 => "IPv6 Where-Are-You (Deprecated)",
        34 => "IPv6 I-Am-Here (Deprecated)",
        35 => "Mobile Registration Request (Deprecated)",
        36 => "Mobile Registration Reply (Deprecated)",
        37 => "Domain Name Request (Deprecated)",
        38 => "Domain Name Reply (Deprecated)",
        39 => "SKIP (Deprecated)",
        40 => "Photuris",
        41 => "Experimental mobility protocols (Seamoby)",
        42 => "Extended Echo Request",
        43 => "Extended Echo Reply",
        253 => "RFC3692-style Experiment 1",
        254 => "RFC3692-style Experiment 2",
        255 => "Reserved",
        _ => return None,
    })
}

/// ICMPv4 code names per type, from the same IANA registry (the "Codes" table of each type).
pub fn icmp_code_name(t: u8, c: u8) -> Option<&'static str> {
    Some(match (t, c) {
        (3, 0) => "Net Unreachable",
        (3, 1) => "Host Unreachable",
        (3, 2) => "Protocol Unreachable",
        (3, 3) => "Port Unreachable",
        (3, 4) => "Fragmentation Needed and Don't Fragment was Set",
        (3, 5) => "Source Route Failed",
        (3, 6) => "Destination Network Unknown",
        (3, 7) => "Destination Host Unknown",
        (3, 8) => "Source Host Isolated",
        (3, 9) => "Communication with Destination Network is Administratively Prohibited",
        (3, 10) => "Communication with Destination Host is Administratively Prohibited",
        (3, 11) => "Destination Network Unreachable for Type of Service",
        (3, 12) => "Destination Host Unreachable for Type of Service",
        (3, 13) => "Communication Administratively Prohibited",
        (3, 14) => "Host Precedence Violation",
        (3, 15) => "Precedence cutoff in effect",
        (5, 0) => "Redirect Datagram for the Network (or subnet)",
        (5, 1) => "Redirect Datagram for the Host",
        (5, 2) => "Redirect Datagram for the Type of Service and Network",
        (5, 3) => "Redirect Datagram for the Type of Service and Host",
        (6, 0) => "Alternate Address for Host",
        (9, 0) => "Normal router advertisement",
        (9, 16) => "Does not route common traffic",
        (11, 0) => "Time to Live exceeded in Transit",
        (11, 1) => "Fragment Reassembly Time Exceeded",
        (12, 0) => "Pointer indicates the error",
        (12, 1) => "Missing a Required Option",
        (12, 2) => "Bad Length",
        (40, 0) => "Bad SPI",
        (40, 1) => "Authentication Failed",
        (40, 2) => "Decompression Failed",
        (40, 3) => "Decryption Failed",
        (40, 4) => "Need Authentication",
        (40, 5) => "Need Authorization",
        (42, 0) | (43, 0) => "No Error",
        (43, 1) => "Malformed Query",
        (43, 2) => "No Such Interface",
        (43, 3) => "No Such Table Entry",
        (43, 4) => "Multiple Interfaces Satisfy Query",
        (0 | 4 | 8 | 10 | 13..=18, 0) => "No Code",
        _ => return None,
    })
}

/// ICMPv4 error messages: they quote the offending datagram's header (RFC 792, RFC 1812 4.3.2.3).
pub fn is_icmp_error(t: u8) -> bool {
    matches!(t, 3 | 4 | 5 | 11 | 12)
}

/// ICMPv6 type names, from the IANA "Internet Control Message Protocol version 6 (ICMPv6)
/// Parameters" registry, ICMPv6 "type" Numbers.
pub fn icmpv6_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "Destination Unreachable",
        2 => "Packet Too Big",
        3 => "Time Exceeded",
        4 => "Parameter Problem",
        100 | 101 | 200 | 201 => "Private experimentation",
        127 => "Reserved for expansion of ICMPv6 error messages",
        128 => "Echo Request",
        129 => "Echo Reply",
        130 => "Multicast Listener Query",
        131 => "Multicast Listener Report",
        132 => "Multicast Listener Done",
        133 => "Router Solicitation",
        134 => "Router Advertisement",
        135 => "Neighbor Solicitation",
        136 => "Neighbor Advertisement",
        137 => "Redirect Message",
        138 => "Router Renumbering",
        139 => "ICMP Node Information Query",
        140 => "ICMP Node Information Response",
        141 => "Inverse Neighbor Discovery Solicitation Message",
        142 => "Inverse Neighbor Discovery Advertisement Message",
        143 => "Version 2 Multicast Listener Report",
        144 => "Home Agent Address Discovery Request Message",
        145 => "Home Agent Address Discovery Reply Message",
        146 => "Mobile Prefix Solicitation",
        147 => "Mobile Prefix Advertisement",
        148 => "Certification Path Solicitation Message",
        149 => "Certification Path Advertisement Message",
        150 => "Experimental mobility protocols (Seamoby)",
        151 => "Multicast Router Advertisement",
        152 => "Multicast Router Solicitation",
        153 => "Multicast Router Termination",
        154 => "FMIPv6 Messages",
        155 => "RPL Control Message",
        156 => "ILNPv6 Locator Update Message",
        157 => "Duplicate Address Request",
        158 => "Duplicate Address Confirmation",
        159 => "MPL Control Message",
        160 => "Extended Echo Request",
        161 => "Extended Echo Reply",
        255 => "Reserved for expansion of ICMPv6 informational messages",
        _ => return None,
    })
}

/// ICMPv6 code names per type, from the same IANA registry.
pub fn icmpv6_code_name(t: u8, c: u8) -> Option<&'static str> {
    Some(match (t, c) {
        (1, 0) => "No route to destination",
        (1, 1) => "Communication with destination administratively prohibited",
        (1, 2) => "Beyond scope of source address",
        (1, 3) => "Address unreachable",
        (1, 4) => "Port unreachable",
        (1, 5) => "Source address failed ingress/egress policy",
        (1, 6) => "Reject route to destination",
        (1, 7) => "Error in Source Routing Header",
        (1, 8) => "Headers too long",
        (3, 0) => "Hop limit exceeded in transit",
        (3, 1) => "Fragment reassembly time exceeded",
        (4, 0) => "Erroneous header field encountered",
        (4, 1) => "Unrecognized Next Header type encountered",
        (4, 2) => "Unrecognized IPv6 option encountered",
        (4, 3) => "IPv6 First Fragment has incomplete IPv6 Header Chain",
        (4, 4) => "SR Upper-layer Header Error",
        (4, 5) => "Unrecognized Next Header type encountered by intermediate node",
        (4, 6) => "Extension header too big",
        (4, 7) => "Extension header chain too long",
        (4, 8) => "Too many extension headers",
        (4, 9) => "Too many options in extension header",
        (4, 10) => "Option too big",
        (138, 0) => "Router Renumbering Command",
        (138, 1) => "Router Renumbering Result",
        (138, 255) => "Sequence Number Reset",
        (139, 0) => "Data contains an IPv6 address (subject of the query)",
        (139, 1) => "Data contains a name, or is empty (NOOP)",
        (139, 2) => "Data contains an IPv4 address (subject of the query)",
        (140, 0) => "Successful reply",
        (140, 1) => "Responder refuses to answer",
        (140, 2) => "Qtype unknown to the responder",
        (160, 0) | (161, 0) => "No Error",
        (161, 1) => "Malformed Query",
        (161, 2) => "No Such Interface",
        (161, 3) => "No Such Table Entry",
        (161, 4) => "Multiple Interfaces Satisfy Query",
        _ => return None,
    })
}

/// ICMPv6 error messages that quote the offending packet (RFC 4443 section 3).
pub fn is_icmpv6_error(t: u8) -> bool {
    matches!(t, 1..=4)
}

/// Neighbor Discovery option names, from the IANA "IPv6 Neighbor Discovery Option Formats"
/// registry (ICMPv6 parameters).
pub fn nd_option_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "Source Link-layer Address",
        2 => "Target Link-layer Address",
        3 => "Prefix Information",
        4 => "Redirected Header",
        5 => "MTU",
        6 => "NBMA Shortcut Limit",
        7 => "Advertisement Interval",
        8 => "Home Agent Information",
        9 => "Source Address List",
        10 => "Target Address List",
        11 => "CGA",
        12 => "RSA Signature",
        13 => "Timestamp",
        14 => "Nonce",
        15 => "Trust Anchor",
        16 => "Certificate",
        17 => "IP Address/Prefix",
        18 => "New Router Prefix Information",
        19 => "Link-layer Address",
        20 => "Neighbor Advertisement Acknowledgment",
        21 => "PvD ID Router Advertisement",
        23 => "MAP",
        24 => "Route Information",
        25 => "Recursive DNS Server",
        26 => "RA Flags Extension",
        27 => "Handover Key Request",
        28 => "Handover Key Reply",
        29 => "Handover Assist Information",
        30 => "Mobile Node Identifier",
        31 => "DNS Search List",
        32 => "Proxy Signature",
        33 => "Address Registration",
        34 => "6LoWPAN Context",
        35 => "Authoritative Border Router",
        36 => "6LoWPAN Capability Indication",
        37 => "DHCP Captive-Portal",
        38 => "PREF64",
        39 => "Crypto-ID Parameters",
        40 => "NDP Signature",
        41 => "Resource Directory Address",
        42 => "Consistent Uptime",
        138 => "CARD Request",
        139 => "CARD Reply",
        144 => "Encrypted DNS",
        253 => "RFC3692-style Experiment 1",
        254 => "RFC3692-style Experiment 2",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// A field whose bytes are not in the message: where it starts, how long, and its label.
struct Cut {
    at: usize,
    len: usize,
    what: &'static str,
}

type Res<T> = Result<T, Cut>;

/// The message being decoded: its bytes (cut at the message end, so padding after it is never
/// read), where it starts, and whether the snap length is what cut it.
struct Msg<'a> {
    b: &'a [u8],
    off: usize,
    end: usize,
    /// Where the message ends by the IP header's length, possibly beyond the captured bytes.
    claimed_end: usize,
    snapped: bool,
}

impl Msg<'_> {
    fn at(&self, rel: usize) -> usize {
        self.off.saturating_add(rel)
    }

    fn avail(&self) -> usize {
        self.end.saturating_sub(self.off)
    }

    fn claimed(&self) -> usize {
        self.claimed_end.saturating_sub(self.off)
    }

    /// Marks a list (options, records) that the snap length cut short: the bytes that were
    /// decoded are fine, but the list is known to be incomplete.
    fn fail_if_snapped(&self, l: &mut Layer, what: &str) {
        if self.snapped {
            l.fail(
                self.end,
                format!(
                    "{what} cut by the snap length: {} of {} message bytes captured",
                    self.avail(),
                    self.claimed()
                ),
            );
        }
    }

    /// Records a cut on the layer with a message that says what was missing and why.
    fn fail(&self, l: &mut Layer, proto: &str, c: &Cut) {
        let rel = c.at.saturating_sub(self.off);
        let why = if self.snapped {
            "captured"
        } else {
            "in the datagram"
        };
        l.fail(
            c.at,
            format!(
                "{proto} {} needs {} bytes at offset {rel} of the message; only {} bytes {why}",
                c.what,
                c.len,
                self.avail()
            ),
        );
    }
}

/// Adds a big-endian unsigned field of 1, 2 or 4 bytes at absolute offset `at`.
fn uint(
    l: &mut Layer,
    b: &[u8],
    name: &'static str,
    label: &'static str,
    at: usize,
    len: usize,
) -> Res<u64> {
    let v = match len {
        1 => u8_at(b, at).map(u64::from),
        2 => be16(b, at).map(u64::from),
        _ => be32(b, at).map(u64::from),
    };
    let v = v.ok_or(Cut {
        at,
        len,
        what: label,
    })?;
    l.add(name, label, Value::UInt(v), at, len);
    Ok(v)
}

/// Adds an unsigned field shown as decimal and hex, the way Wireshark shows identifiers.
fn uint_dec_hex(
    l: &mut Layer,
    b: &[u8],
    name: &'static str,
    label: &'static str,
    at: usize,
    len: usize,
) -> Res<u64> {
    let v = uint(l, b, name, label, at, len)?;
    set_display(l, || format!("{v} (0x{v:0w$x})", w = len * 2));
    Ok(v)
}

/// Sets the last field's readable rendering; `s` runs only when renderings are wanted.
fn set_display(l: &mut Layer, s: impl FnOnce() -> String) {
    if let Some(f) = l.fields.last_mut() {
        f.show(s);
    }
}

fn bytes_field(
    l: &mut Layer,
    b: &[u8],
    name: &'static str,
    label: &'static str,
    at: usize,
    len: usize,
) -> Res<()> {
    let v = slice(b, at, len).ok_or(Cut {
        at,
        len,
        what: label,
    })?;
    l.add(name, label, Value::Bytes(v.to_vec()), at, len);
    Ok(())
}

fn ipv4_field(
    l: &mut Layer,
    b: &[u8],
    name: &'static str,
    label: &'static str,
    at: usize,
) -> Res<Ipv4Addr> {
    let a = array::<4>(b, at).ok_or(Cut {
        at,
        len: 4,
        what: label,
    })?;
    let a = Ipv4Addr::from(a);
    l.add(name, label, Value::Ipv4(a), at, 4);
    Ok(a)
}

fn ipv6_field(
    l: &mut Layer,
    b: &[u8],
    name: &'static str,
    label: &'static str,
    at: usize,
    depth: u8,
) -> Res<Ipv6Addr> {
    let a = array::<16>(b, at).ok_or(Cut {
        at,
        len: 16,
        what: label,
    })?;
    let a = Ipv6Addr::from(a);
    l.add_bits(name, label, Value::Ipv6(a), at, 16, 0, depth);
    Ok(a)
}

fn type_display(t: u8, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{t} ({n})"),
        None => format!("{t} (Unknown)"),
    }
}

/// Adds the checksum and its status. The checksum is verified only when every byte it covers
/// was captured, the message is not part of a fragmented datagram and it is not a copy quoted
/// inside an ICMP error (whose quoted copy is cut by design): otherwise the status says
/// "unverified" and why, rather than guess. `pseudo` is the pseudo-header sum (ICMPv6), or
/// `None` when no pseudo-header could be formed.
#[allow(clippy::too_many_arguments)]
fn add_checksum(
    l: &mut Layer,
    cx: &Ctx<'_>,
    m: &Msg<'_>,
    ipc: &IpContext,
    pseudo: Option<u32>,
    name: &'static str,
    status: &'static str,
    value: u16,
) {
    let at = m.at(field::CHECKSUM);
    l.add(name, "Checksum", Value::UInt(value.into()), at, 2)
        .show(|| format!("0x{value:04x}"));
    if !crate::field::verifying() {
        return;
    }
    let why_not = if cx.quoted {
        Some("in ICMP error packet".to_string())
    } else if ipc.first_fragment || ipc.later_fragment {
        Some("fragmented datagram".to_string())
    } else if ipc.end < ipc.claimed_end || m.end < ipc.claimed_end {
        Some(format!(
            "only {} of the {} bytes the IP header claims were captured",
            m.avail(),
            m.claimed()
        ))
    } else if pseudo.is_none() {
        Some("no IPv6 addresses for the pseudo-header".to_string())
    } else {
        None
    };
    let msg = slice(m.b, m.off, m.avail());
    let (code, shown) = match (why_not, pseudo, msg) {
        (None, Some(ps), Some(msg)) => {
            if fold_checksum(ones_complement_sum(ps, msg)) == 0 {
                (CK_GOOD, "Good".to_string())
            } else {
                // The value the field should hold: the sum without the checksum bytes. The
                // checksum sits at an even offset, so the two halves keep their alignment.
                let head = msg.get(..field::CHECKSUM).unwrap_or(&[]);
                let tail = msg.get(field::REST..).unwrap_or(&[]);
                let want = fold_checksum(ones_complement_sum(ones_complement_sum(ps, head), tail));
                if let Some(f) = l.fields.last_mut() {
                    f.show(|| format!("0x{value:04x} [incorrect, should be 0x{want:04x}]"));
                }
                (CK_BAD, format!("Bad (should be 0x{want:04x})"))
            }
        }
        (reason, _, _) => (
            CK_UNVERIFIED,
            format!(
                "Unverified ({})",
                reason.as_deref().unwrap_or("message not captured")
            ),
        ),
    };
    l.add(status, "Checksum status", Value::UInt(code), at, 2)
        .show(|| shown);
}

/// Pushes the layer and any bytes left in the message as a data layer.
fn finish(cx: &mut Ctx<'_>, l: Layer, from: usize, end: usize) -> Next {
    cx.push(l);
    super::data_layer(cx, from, end)
}

// ---------------------------------------------------------------------------------------------
// ICMPv4
// ---------------------------------------------------------------------------------------------

/// Decodes an ICMPv4 message at `off`; `ipc.end` is where the IP header says it ends.
pub fn decode_icmp(cx: &mut Ctx<'_>, off: usize, ipc: IpContext) -> Next {
    decode_message(
        cx,
        off,
        ipc,
        ("icmp", "Internet Control Message Protocol", "ICMP"),
        icmp_body,
    )
}

/// The body decoder of one ICMP version.
type BodyFn = fn(&Ctx<'_>, &mut Layer, &Msg<'_>, &IpContext) -> Res<Body>;

/// The part ICMPv4 and ICMPv6 share: bound the message by the IP payload, run the version's
/// body decoder, then hand on the quoted datagram, the leftover bytes, or nothing.
fn decode_message(
    cx: &mut Ctx<'_>,
    off: usize,
    ipc: IpContext,
    (proto, title, what): (&'static str, &'static str, &str),
    body: BodyFn,
) -> Next {
    let f = cx.frame;
    let end = ipc.end.min(f.len()).max(off.min(f.len()));
    let m = Msg {
        b: f.get(..end).unwrap_or(&[]),
        off,
        end,
        claimed_end: ipc.claimed_end.max(end),
        snapped: ipc.end < ipc.claimed_end,
    };
    let mut l = Layer::new(proto, title, off);
    l.len = m.avail();
    let next = match body(&*cx, &mut l, &m, &ipc) {
        Ok(n) => n,
        Err(c) => {
            m.fail(&mut l, what, &c);
            Body::Stop
        }
    };
    match next {
        // A quoted IPv6 datagram the capture cut before its first byte: the version cannot be
        // read from it, so the layer is named from the ICMP version that quotes it.
        Body::Quote(at) if proto == "icmpv6" && at >= f.len() => {
            cx.push(l);
            cx.quoted = true;
            super::ip::missing_ipv6(cx, at)
        }
        Body::Quote(at) => {
            cx.push(l);
            Next::QuotedIp(at)
        }
        Body::Data(at) => finish(cx, l, at, end),
        Body::Stop => {
            cx.push(l);
            Next::Stop
        }
    }
}

/// What follows the fields a message body decoded.
enum Body {
    /// The quoted datagram of an error message, for the IP decoder.
    Quote(usize),
    /// Opaque bytes from this offset to the end of the message.
    Data(usize),
    Stop,
}

fn icmp_body(cx: &Ctx<'_>, l: &mut Layer, m: &Msg<'_>, ipc: &IpContext) -> Res<Body> {
    let b = m.b;
    let t = uint(l, b, "icmp.type", "Type", m.at(field::TYPE), 1)? as u8;
    set_display(l, || type_display(t, icmp_type_name(t)));
    let c = uint(l, b, "icmp.code", "Code", m.at(field::CODE), 1)? as u8;
    if let Some(n) = icmp_code_name(t, c) {
        set_display(l, || format!("{c} ({n})"));
    }
    let ck_at = m.at(field::CHECKSUM);
    let ck = be16(b, ck_at).ok_or(Cut {
        at: ck_at,
        len: 2,
        what: "Checksum",
    })?;
    add_checksum(
        l,
        cx,
        m,
        ipc,
        Some(0),
        "icmp.checksum",
        "icmp.checksum.status",
        ck,
    );
    if let Some(n) = icmp_type_name(t) {
        l.title = format!("Internet Control Message Protocol ({n})").into();
    }

    // The second word: its meaning depends on the type.
    let w = m.at(field::REST);
    // RFC 4884: byte 5 of some errors gives the quoted datagram's length in 32-bit words.
    let orig_words = u8_at(b, m.at(5)).unwrap_or(0);
    let length_fields = |l: &mut Layer| -> Res<()> {
        uint(l, b, "icmp.length", "Length", m.at(5), 1)?;
        set_display(l, || format!("{orig_words} (32-bit words)"));
        l.add(
            "icmp.length.original_datagram",
            "Length of original datagram",
            Value::UInt(u64::from(orig_words) * 4),
            m.at(5),
            1,
        );
        Ok(())
    };
    match t {
        0 | 8 | 13..=18 => {
            uint_dec_hex(l, b, "icmp.ident", "Identifier (BE)", m.at(field::IDENT), 2)?;
            uint_dec_hex(
                l,
                b,
                "icmp.seq",
                "Sequence number (BE)",
                m.at(field::SEQ),
                2,
            )?;
        }
        3 => {
            if orig_words > 0 {
                bytes_field(l, b, "icmp.unused", "Unused", w, 1)?;
                length_fields(l)?;
            } else if c == 4 {
                bytes_field(l, b, "icmp.unused", "Unused", w, 2)?;
            } else {
                bytes_field(l, b, "icmp.unused", "Unused", w, 4)?;
            }
            if c == 4 {
                // RFC 1191: the next-hop MTU for path MTU discovery.
                uint(l, b, "icmp.mtu", "MTU of next hop", m.at(6), 2)?;
            } else if orig_words > 0 {
                bytes_field(l, b, "icmp.unused", "Unused", m.at(6), 2)?;
            }
        }
        4 => bytes_field(l, b, "icmp.unused", "Unused", w, 4)?,
        5 => {
            ipv4_field(l, b, "icmp.redir_gw", "Gateway address", w)?;
        }
        9 => {
            // RFC 1256 router advertisement header.
            uint(l, b, "icmp.num_addrs", "Number of addresses", w, 1)?;
            uint(
                l,
                b,
                "icmp.addr_entry_size",
                "Address entry size",
                m.at(5),
                1,
            )?;
            let life = uint(l, b, "icmp.lifetime", "Lifetime", m.at(6), 2)?;
            set_display(l, || format!("{life} seconds"));
        }
        11 => {
            if orig_words > 0 {
                bytes_field(l, b, "icmp.unused", "Unused", w, 1)?;
                length_fields(l)?;
                bytes_field(l, b, "icmp.unused", "Unused", m.at(6), 2)?;
            } else {
                bytes_field(l, b, "icmp.unused", "Unused", w, 4)?;
            }
        }
        12 => {
            let p = uint(l, b, "icmp.pointer", "Pointer", w, 1)?;
            set_display(l, || format!("{p} (octet of the quoted header in error)"));
            if orig_words > 0 {
                length_fields(l)?;
                bytes_field(l, b, "icmp.unused", "Unused", m.at(6), 2)?;
            } else {
                bytes_field(l, b, "icmp.unused", "Unused", m.at(5), 3)?;
            }
        }
        42 | 43 => {
            // RFC 8335 PROBE: identifier, 8-bit sequence, then flag bits.
            uint_dec_hex(l, b, "icmp.ident", "Identifier (BE)", m.at(field::IDENT), 2)?;
            uint(l, b, "icmp.ext.echo.seq", "Sequence number", m.at(6), 1)?;
            let at = m.at(7);
            let v = u64::from(u8_at(b, at).ok_or(Cut {
                at,
                len: 1,
                what: "Flags",
            })?);
            if t == 42 {
                l.add_bits(
                    "icmp.ext.echo.req.res",
                    "Reserved",
                    Value::UInt(v >> 1),
                    at,
                    1,
                    0xfe,
                    0,
                );
                l.add_flag("icmp.ext.echo.req.local", "Local bit", v, at, 1, 0x01, 0);
            } else {
                l.add_bits(
                    "icmp.ext.echo.rsp.state",
                    "State",
                    Value::UInt(v >> 5),
                    at,
                    1,
                    0xe0,
                    0,
                );
                l.add_bits(
                    "icmp.ext.echo.rsp.res",
                    "Reserved",
                    Value::UInt((v >> 3) & 3),
                    at,
                    1,
                    0x18,
                    0,
                );
                l.add_flag("icmp.ext.echo.rsp.active", "Active bit", v, at, 1, 0x04, 0);
                l.add_flag("icmp.ext.echo.rsp.ipv4", "IPv4 bit", v, at, 1, 0x02, 0);
                l.add_flag("icmp.ext.echo.rsp.ipv6", "IPv6 bit", v, at, 1, 0x01, 0);
            }
        }
        _ => {
            // No known layout for the second word: leave it with the rest as data.
            return Ok(Body::Data(w));
        }
    }

    let body = m.at(field::HEADER_LEN);
    match t {
        3 | 4 | 5 | 11 | 12 => {
            if matches!(t, 3 | 11 | 12) {
                if let Some(ext_at) = icmp_ext_offset(m, ipc, orig_words) {
                    decode_extensions(cx, l, m, ext_at);
                }
            }
            // A quoted error inside an error is not decoded further: RFC 1122 3.2.2 forbids
            // sending it, and stopping keeps hostile nesting shallow. A quoted datagram the
            // message claims but the capture cut off entirely still goes to the IP decoder,
            // which says it was cut.
            if cx.quoted || body >= m.claimed_end || body > m.end {
                return Ok(Body::Data(body));
            }
            Ok(Body::Quote(body))
        }
        9 => {
            let n = u8_at(b, w).unwrap_or(0);
            let size = usize::from(u8_at(b, m.at(5)).unwrap_or(0)) * 4;
            if size < 8 {
                return Ok(Body::Data(body));
            }
            let mut at = body;
            for _ in 0..n {
                ipv4_field(l, b, "icmp.router_address", "Router address", at)?;
                let pref = be32(b, at + 4).ok_or(Cut {
                    at: at + 4,
                    len: 4,
                    what: "Preference level",
                })?;
                l.add(
                    "icmp.pref_level",
                    "Preference level",
                    Value::Int(i64::from(pref as i32)),
                    at + 4,
                    4,
                );
                at = at.saturating_add(size);
            }
            Ok(Body::Data(at))
        }
        13 | 14 => {
            for (rel, name, label) in [
                (8, "icmp.originate_timestamp", "Originate timestamp"),
                (12, "icmp.receive_timestamp", "Receive timestamp"),
                (16, "icmp.transmit_timestamp", "Transmit timestamp"),
            ] {
                let v = uint(l, b, name, label, m.at(rel), 4)?;
                // RFC 792: milliseconds since midnight UT, or any value with the high bit set
                // when that is not available.
                set_display(l, || {
                    if v & 0x8000_0000 != 0 {
                        format!("{v} (non-standard time)")
                    } else {
                        format!("{v} ms after midnight UTC")
                    }
                });
            }
            Ok(Body::Data(m.at(20)))
        }
        17 | 18 => {
            ipv4_field(l, b, "icmp.address_mask", "Address mask", body)?;
            Ok(Body::Data(m.at(12)))
        }
        42 => {
            decode_extensions(cx, l, m, body);
            Ok(Body::Stop)
        }
        _ => Ok(Body::Data(body)),
    }
}

/// Where the RFC 4884 extension structure of an error starts, if it has one. With a length
/// field the quoted datagram is padded to that many words (at least 128 bytes); without one,
/// RFC 4884 section 5 keeps the older convention of a 128-byte quote followed by extensions,
/// which is only assumed when the quoted datagram itself claims no more than 128 bytes.
fn icmp_ext_offset(m: &Msg<'_>, ipc: &IpContext, orig_words: u8) -> Option<usize> {
    let claimed = ipc.claimed_end.saturating_sub(m.off);
    let ext_rel = if orig_words > 0 {
        8 + (usize::from(orig_words) * 4).max(128)
    } else {
        let quoted_total = usize::from(be16(m.b, m.at(10))?);
        if quoted_total > 128 {
            return None;
        }
        8 + 128
    };
    (claimed > ext_rel && m.avail() > ext_rel).then(|| m.at(ext_rel))
}

/// RFC 4884 extension structure: a 4-byte header (version, reserved, checksum over the whole
/// structure) and objects of (length, class, c-type, data). An object shorter than its own
/// header ends the walk, so a zero length cannot loop.
fn decode_extensions(cx: &Ctx<'_>, l: &mut Layer, m: &Msg<'_>, start: usize) {
    let b = m.b;
    let end = m.end;
    if start >= end {
        return;
    }
    l.add_bits(
        "icmp.ext",
        "ICMP Extensions",
        Value::None,
        start,
        end - start,
        0,
        0,
    );
    let Some(h) = be16(b, start) else {
        l.fail(start, "ICMP extension header needs 4 bytes; fewer remain");
        return;
    };
    let h = u64::from(h);
    l.add_bits(
        "icmp.ext.version",
        "Version",
        Value::UInt(h >> 12),
        start,
        1,
        0xf0,
        1,
    );
    l.add_bits(
        "icmp.ext.res",
        "Reserved",
        Value::UInt(h & 0x0fff),
        start,
        2,
        0x0fff,
        1,
    );
    let ck_at = start + 2;
    let Some(ck) = be16(b, ck_at) else {
        l.fail(ck_at, "ICMP extension header needs 4 bytes; fewer remain");
        return;
    };
    l.add_bits(
        "icmp.ext.checksum",
        "Checksum",
        Value::UInt(ck.into()),
        ck_at,
        2,
        0,
        1,
    )
    .show(|| format!("0x{ck:04x}"));
    let whole = !cx.quoted && !m.snapped;
    let (code, shown) = match slice(b, start, end - start) {
        Some(s) if whole => {
            if fold_checksum(ones_complement_sum(0, s)) == 0 {
                (CK_GOOD, "Good")
            } else {
                (CK_BAD, "Bad")
            }
        }
        _ => (
            CK_UNVERIFIED,
            "Unverified (extensions cut by the snap length)",
        ),
    };
    l.add_bits(
        "icmp.ext.checksum.status",
        "Checksum status",
        Value::UInt(code),
        ck_at,
        2,
        0,
        1,
    )
    .show(|| shown.into());

    let mut at = start + 4;
    while at < end {
        let Some(len) = be16(b, at) else {
            l.fail(
                at,
                format!(
                    "ICMP extension object header needs 4 bytes; {} remain",
                    end - at
                ),
            );
            return;
        };
        l.add_bits(
            "icmp.ext.length",
            "Length",
            Value::UInt(len.into()),
            at,
            2,
            0,
            1,
        );
        let (Some(class), Some(ctype)) = (u8_at(b, at + 2), u8_at(b, at + 3)) else {
            l.fail(
                at,
                format!(
                    "ICMP extension object header needs 4 bytes; {} remain",
                    end - at
                ),
            );
            return;
        };
        l.add_bits(
            "icmp.ext.class",
            "Class",
            Value::UInt(class.into()),
            at + 2,
            1,
            0,
            1,
        );
        l.add_bits(
            "icmp.ext.ctype",
            "C-Type",
            Value::UInt(ctype.into()),
            at + 3,
            1,
            0,
            1,
        );
        let len = usize::from(len);
        if len < 4 {
            l.fail(
                at,
                format!("ICMP extension object length {len} is below its 4-byte header"),
            );
            return;
        }
        let obj_end = at.saturating_add(len).min(end);
        if obj_end > at + 4 {
            l.add_bits(
                "icmp.ext.data",
                "Data",
                Value::Bytes(b.get(at + 4..obj_end).unwrap_or(&[]).to_vec()),
                at + 4,
                obj_end - at - 4,
                0,
                1,
            );
        }
        if at.saturating_add(len) > end {
            l.fail(
                obj_end,
                format!(
                    "ICMP extension object claims {len} bytes; only {} remain",
                    end - at
                ),
            );
            return;
        }
        at = obj_end;
    }
}

// ---------------------------------------------------------------------------------------------
// ICMPv6
// ---------------------------------------------------------------------------------------------

/// The ICMPv6 pseudo-header sum (RFC 8200 section 8.1): source, destination, upper-layer
/// length and next header 58. `None` when the datagram's addresses are not IPv6.
fn pseudo_v6(ipc: &IpContext, len: usize) -> Option<u32> {
    let (IpAddr::V6(s), IpAddr::V6(d)) = (ipc.src, ipc.dst) else {
        return None;
    };
    let len = u32::try_from(len).ok()?;
    let mut sum = ones_complement_sum(0, &s.octets());
    sum = ones_complement_sum(sum, &d.octets());
    sum = ones_complement_sum(sum, &len.to_be_bytes());
    Some(ones_complement_sum(sum, &[0, 0, 0, 58]))
}

/// Decodes an ICMPv6 message at `off`; `ipc.end` is where the IPv6 payload ends.
pub fn decode_icmpv6(cx: &mut Ctx<'_>, off: usize, ipc: IpContext) -> Next {
    decode_message(
        cx,
        off,
        ipc,
        ("icmpv6", "Internet Control Message Protocol v6", "ICMPv6"),
        icmpv6_body,
    )
}

fn icmpv6_body(cx: &Ctx<'_>, l: &mut Layer, m: &Msg<'_>, ipc: &IpContext) -> Res<Body> {
    let b = m.b;
    let t = uint(l, b, "icmpv6.type", "Type", m.at(field::TYPE), 1)? as u8;
    set_display(l, || type_display(t, icmpv6_type_name(t)));
    let c = uint(l, b, "icmpv6.code", "Code", m.at(field::CODE), 1)? as u8;
    if let Some(n) = icmpv6_code_name(t, c) {
        set_display(l, || format!("{c} ({n})"));
    }
    let ck_at = m.at(field::CHECKSUM);
    let ck = be16(b, ck_at).ok_or(Cut {
        at: ck_at,
        len: 2,
        what: "Checksum",
    })?;
    // The pseudo-header carries the length the IPv6 header claims, not what was captured.
    let pseudo = pseudo_v6(ipc, ipc.claimed_end.saturating_sub(m.off));
    add_checksum(
        l,
        cx,
        m,
        ipc,
        pseudo,
        "icmpv6.checksum",
        "icmpv6.checksum.status",
        ck,
    );
    if let Some(n) = icmpv6_type_name(t) {
        l.title = format!("Internet Control Message Protocol v6 ({n})").into();
    }

    let w = m.at(field::REST);
    let body = m.at(field::HEADER_LEN);
    match t {
        1 | 3 => {
            // RFC 4884: a nonzero first byte gives the quoted packet's length in 64-bit words.
            let words = u8_at(b, w).unwrap_or(0);
            if words > 0 {
                uint(l, b, "icmpv6.length", "Length of original datagram", w, 1)?;
                set_display(l, || format!("{words} (64-bit words)"));
                bytes_field(l, b, "icmpv6.reserved", "Reserved", m.at(5), 3)?;
            } else {
                bytes_field(l, b, "icmpv6.reserved", "Reserved", w, 4)?;
            }
        }
        2 => {
            uint(l, b, "icmpv6.mtu", "MTU", w, 4)?;
        }
        4 => {
            let p = uint(l, b, "icmpv6.pointer", "Pointer", w, 4)?;
            set_display(l, || format!("{p} (octet of the quoted packet in error)"));
        }
        128 | 129 => {
            let id = uint(l, b, "icmpv6.echo.identifier", "Identifier", w, 2)?;
            set_display(l, || format!("0x{id:04x}"));
            uint(l, b, "icmpv6.echo.sequence_number", "Sequence", m.at(6), 2)?;
            return Ok(Body::Data(body));
        }
        130..=132 => return mld(l, m, t),
        133 => {
            bytes_field(l, b, "icmpv6.reserved", "Reserved", w, 4)?;
            return nd_options(l, m, body);
        }
        134 => {
            router_advertisement(l, m)?;
            return nd_options(l, m, m.at(16));
        }
        135 => {
            bytes_field(l, b, "icmpv6.reserved", "Reserved", w, 4)?;
            ipv6_field(
                l,
                b,
                "icmpv6.nd.ns.target_address",
                "Target address",
                body,
                0,
            )?;
            return nd_options(l, m, m.at(24));
        }
        136 => {
            let at = w;
            let v = u64::from(be32(b, at).ok_or(Cut {
                at,
                len: 4,
                what: "Flags",
            })?);
            l.add("icmpv6.nd.na.flag", "Flags", Value::UInt(v), at, 4)
                .show(|| format!("0x{v:08x}"));
            l.add_flag("icmpv6.nd.na.flag.r", "Router", v, at, 4, 0x8000_0000, 1);
            l.add_flag("icmpv6.nd.na.flag.s", "Solicited", v, at, 4, 0x4000_0000, 1);
            l.add_flag("icmpv6.nd.na.flag.o", "Override", v, at, 4, 0x2000_0000, 1);
            l.add_bits(
                "icmpv6.nd.na.flag.rsv",
                "Reserved",
                Value::UInt(v & 0x1fff_ffff),
                at,
                4,
                0x1fff_ffff,
                1,
            );
            ipv6_field(
                l,
                b,
                "icmpv6.nd.na.target_address",
                "Target address",
                body,
                0,
            )?;
            return nd_options(l, m, m.at(24));
        }
        137 => {
            bytes_field(l, b, "icmpv6.reserved", "Reserved", w, 4)?;
            ipv6_field(
                l,
                b,
                "icmpv6.nd.rd.target_address",
                "Target address",
                body,
                0,
            )?;
            ipv6_field(
                l,
                b,
                "icmpv6.rd.na.destination_address",
                "Destination address",
                m.at(24),
                0,
            )?;
            return nd_options(l, m, m.at(40));
        }
        143 => return mld_report_v2(l, m),
        _ => return Ok(Body::Data(w)),
    }
    // Only the errors get here: the quoted packet follows the 8-byte header (and is decoded
    // even when the capture cut it off entirely, as for ICMPv4).
    if cx.quoted || body >= m.claimed_end || body > m.end {
        return Ok(Body::Data(body));
    }
    Ok(Body::Quote(body))
}

/// RFC 4861 section 4.2 router advertisement fixed part.
fn router_advertisement(l: &mut Layer, m: &Msg<'_>) -> Res<()> {
    let b = m.b;
    uint(
        l,
        b,
        "icmpv6.nd.ra.cur_hop_limit",
        "Cur hop limit",
        m.at(4),
        1,
    )?;
    let at = m.at(5);
    let v = u64::from(u8_at(b, at).ok_or(Cut {
        at,
        len: 1,
        what: "Flags",
    })?);
    l.add("icmpv6.nd.ra.flag", "Flags", Value::UInt(v), at, 1)
        .show(|| format!("0x{v:02x}"));
    l.add_flag(
        "icmpv6.nd.ra.flag.m",
        "Managed address configuration",
        v,
        at,
        1,
        0x80,
        1,
    );
    l.add_flag(
        "icmpv6.nd.ra.flag.o",
        "Other configuration",
        v,
        at,
        1,
        0x40,
        1,
    );
    l.add_flag("icmpv6.nd.ra.flag.h", "Home agent", v, at, 1, 0x20, 1);
    let prf = (v >> 3) & 3;
    // RFC 4191 section 2.2: 01 high, 00 medium, 11 low, 10 reserved.
    let prf_name = match prf {
        1 => "High",
        0 => "Medium",
        3 => "Low",
        _ => "Reserved",
    };
    l.add_bits(
        "icmpv6.nd.ra.flag.prf",
        "Default router preference",
        Value::UInt(prf),
        at,
        1,
        0x18,
        1,
    )
    .show(|| format!("{prf_name} ({prf})"));
    l.add_flag("icmpv6.nd.ra.flag.p", "Proxy", v, at, 1, 0x04, 1);
    l.add_bits(
        "icmpv6.nd.ra.flag.rsv",
        "Reserved",
        Value::UInt(v & 3),
        at,
        1,
        0x03,
        1,
    );
    let life = uint(
        l,
        b,
        "icmpv6.nd.ra.router_lifetime",
        "Router lifetime (s)",
        m.at(6),
        2,
    )?;
    if life == 0 {
        set_display(l, || "0 (not a default router)".into());
    }
    uint(
        l,
        b,
        "icmpv6.nd.ra.reachable_time",
        "Reachable time (ms)",
        m.at(8),
        4,
    )?;
    uint(
        l,
        b,
        "icmpv6.nd.ra.retrans_timer",
        "Retrans timer (ms)",
        m.at(12),
        4,
    )?;
    Ok(())
}

/// Neighbor Discovery options (RFC 4861 section 4.6): type, length in 8-byte units, data.
/// A zero length is invalid (nodes must drop such packets) and ends the walk, so it cannot
/// loop; an option running past the message end keeps what it read and reports the cut.
fn nd_options(l: &mut Layer, m: &Msg<'_>, start: usize) -> Res<Body> {
    let b = m.b;
    let mut at = start;
    while at < m.end {
        let t = u8_at(b, at).unwrap_or(0);
        let name = nd_option_name(t);
        let units = u8_at(b, at + 1);
        let olen = usize::from(units.unwrap_or(0)) * 8;
        let shown_len = if olen == 0 {
            m.end - at
        } else {
            olen.min(m.end - at)
        };
        l.add_bits(
            "icmpv6.opt",
            "ICMPv6 option",
            Value::None,
            at,
            shown_len,
            0,
            0,
        )
        .show(|| format!("{} ({t})", name.unwrap_or("Unknown option")));
        l.add_bits(
            "icmpv6.opt.type",
            "Type",
            Value::UInt(t.into()),
            at,
            1,
            0,
            1,
        )
        .show(|| type_display(t, name));
        let Some(units) = units else {
            return Err(Cut {
                at: at + 1,
                len: 1,
                what: "option length",
            });
        };
        l.add_bits(
            "icmpv6.opt.length",
            "Length",
            Value::UInt(units.into()),
            at + 1,
            1,
            0,
            1,
        )
        .show(|| format!("{units} ({olen} bytes)"));
        if units == 0 {
            l.fail(
                at + 1,
                format!(
                    "ICMPv6 option type {t} at offset {} has length 0, which RFC 4861 forbids; \
                     the remaining options are not decoded",
                    at - m.off
                ),
            );
            return Ok(Body::Stop);
        }
        let oend = at.saturating_add(olen);
        let d = at + 2;
        let r: Res<()> = match t {
            1 | 2 => {
                let len = olen - 2;
                match slice(b, d, len) {
                    Some(s) => {
                        let v = match <[u8; 6]>::try_from(s) {
                            Ok(mac) => Value::Mac(mac),
                            Err(_) => Value::Bytes(s.to_vec()),
                        };
                        l.add_bits("icmpv6.opt.linkaddr", "Link-layer address", v, d, len, 0, 1);
                        Ok(())
                    }
                    None => Err(Cut {
                        at: d,
                        len,
                        what: "link-layer address",
                    }),
                }
            }
            3 => prefix_info(l, b, at),
            5 => {
                let rsv = slice(b, d, 2).map(<[u8]>::to_vec);
                match (rsv, be32(b, at + 4)) {
                    (Some(rsv), Some(mtu)) => {
                        l.add_bits(
                            "icmpv6.opt.reserved",
                            "Reserved",
                            Value::Bytes(rsv),
                            d,
                            2,
                            0,
                            1,
                        );
                        l.add_bits(
                            "icmpv6.opt.mtu",
                            "MTU",
                            Value::UInt(mtu.into()),
                            at + 4,
                            4,
                            0,
                            1,
                        );
                        Ok(())
                    }
                    _ => Err(Cut {
                        at: d,
                        len: 6,
                        what: "MTU option",
                    }),
                }
            }
            4 => {
                // The redirected packet is left as bytes: the redirect's own addresses already
                // say what was redirected, and its copy is cut at an arbitrary point.
                let s = b.get(at + 8..oend.min(m.end)).unwrap_or(&[]);
                if !s.is_empty() {
                    l.add_bits(
                        "icmpv6.opt.redirected_packet",
                        "Redirected packet",
                        Value::Bytes(s.to_vec()),
                        at + 8,
                        s.len(),
                        0,
                        1,
                    );
                }
                Ok(())
            }
            _ => Ok(()),
        };
        r?;
        if oend > m.end {
            return Err(Cut {
                at,
                len: olen,
                what: "option",
            });
        }
        at = oend;
    }
    m.fail_if_snapped(l, "ND options");
    Ok(Body::Stop)
}

/// RFC 4861 section 4.6.2 prefix information (fixed 32 bytes).
fn prefix_info(l: &mut Layer, b: &[u8], at: usize) -> Res<()> {
    let cut = |rel: usize, len: usize| Cut {
        at: at + rel,
        len,
        what: "prefix information",
    };
    let plen = u8_at(b, at + 2).ok_or(cut(2, 1))?;
    l.add_bits(
        "icmpv6.opt.prefix.length",
        "Prefix length",
        Value::UInt(plen.into()),
        at + 2,
        1,
        0,
        1,
    );
    let fl = u64::from(u8_at(b, at + 3).ok_or(cut(3, 1))?);
    l.add_bits(
        "icmpv6.opt.prefix.flag",
        "Flags",
        Value::UInt(fl),
        at + 3,
        1,
        0,
        1,
    )
    .show(|| format!("0x{fl:02x}"));
    l.add_flag(
        "icmpv6.opt.prefix.flag.l",
        "On-link",
        fl,
        at + 3,
        1,
        0x80,
        2,
    );
    l.add_flag(
        "icmpv6.opt.prefix.flag.a",
        "Autonomous address configuration",
        fl,
        at + 3,
        1,
        0x40,
        2,
    );
    l.add_flag(
        "icmpv6.opt.prefix.flag.r",
        "Router address",
        fl,
        at + 3,
        1,
        0x20,
        2,
    );
    l.add_bits(
        "icmpv6.opt.prefix.flag.reserved",
        "Reserved",
        Value::UInt(fl & 0x1f),
        at + 3,
        1,
        0x1f,
        2,
    );
    for (rel, name, label) in [
        (4, "icmpv6.opt.prefix.valid_lifetime", "Valid lifetime"),
        (
            8,
            "icmpv6.opt.prefix.preferred_lifetime",
            "Preferred lifetime",
        ),
    ] {
        let v = be32(b, at + rel).ok_or(cut(rel, 4))?;
        l.add_bits(name, label, Value::UInt(v.into()), at + rel, 4, 0, 1)
            .show(|| {
                if v == u32::MAX {
                    "Infinity (0xffffffff)".into()
                } else {
                    format!("{v} s")
                }
            });
    }
    let rsv = slice(b, at + 12, 4).ok_or(cut(12, 4))?;
    l.add_bits(
        "icmpv6.opt.reserved",
        "Reserved",
        Value::Bytes(rsv.to_vec()),
        at + 12,
        4,
        0,
        1,
    );
    let p = array::<16>(b, at + 16).ok_or(cut(16, 16))?;
    l.add_bits(
        "icmpv6.opt.prefix",
        "Prefix",
        Value::Ipv6(Ipv6Addr::from(p)),
        at + 16,
        16,
        0,
        1,
    )
    .show(|| format!("{}/{plen}", Ipv6Addr::from(p)));
    Ok(())
}

/// MLD query, report and done (RFC 2710), with the MLDv2 query extension (RFC 3810 5.1) when
/// the message is long enough to hold it.
fn mld(l: &mut Layer, m: &Msg<'_>, t: u8) -> Res<Body> {
    let b = m.b;
    // RFC 3810 5.1.3: a query of 28 bytes or more is MLDv2 and its delay field is a code.
    let v2 = t == 130 && m.claimed() >= 28;
    if v2 {
        uint(
            l,
            b,
            "icmpv6.mld.maximum_response_code",
            "Maximum response code",
            m.at(4),
            2,
        )?;
    } else {
        let d = uint(
            l,
            b,
            "icmpv6.mld.maximum_response_delay",
            "Maximum response delay (ms)",
            m.at(4),
            2,
        )?;
        set_display(l, || format!("{d} ms"));
    }
    bytes_field(l, b, "icmpv6.reserved", "Reserved", m.at(6), 2)?;
    ipv6_field(
        l,
        b,
        "icmpv6.mld.multicast_address",
        "Multicast address",
        m.at(8),
        0,
    )?;
    if !v2 {
        return Ok(Body::Data(m.at(24)));
    }
    let at = m.at(24);
    let fl = u64::from(u8_at(b, at).ok_or(Cut {
        at,
        len: 1,
        what: "Flags",
    })?);
    l.add("icmpv6.mld.flag", "Flags", Value::UInt(fl), at, 1)
        .show(|| format!("0x{fl:02x}"));
    l.add_flag(
        "icmpv6.mld.flag.s",
        "Suppress router-side processing",
        fl,
        at,
        1,
        0x08,
        1,
    );
    l.add_bits(
        "icmpv6.mld.flag.qrv",
        "QRV (querier's robustness variable)",
        Value::UInt(fl & 7),
        at,
        1,
        0x07,
        1,
    );
    l.add_bits(
        "icmpv6.mld.flag.reserved",
        "Reserved",
        Value::UInt(fl >> 4),
        at,
        1,
        0xf0,
        1,
    );
    uint(
        l,
        b,
        "icmpv6.mld.qqi",
        "QQIC (querier's query interval code)",
        m.at(25),
        1,
    )?;
    let n = uint(
        l,
        b,
        "icmpv6.mld.nb_sources",
        "Number of sources",
        m.at(26),
        2,
    )?;
    let mut a = m.at(28);
    for _ in 0..n {
        ipv6_field(l, b, "icmpv6.mld.source_address", "Source address", a, 0)?;
        a = a.saturating_add(16);
    }
    Ok(Body::Data(a))
}

/// MLDv2 report (RFC 3810 5.2): multicast address records with their sources and aux data.
fn mld_report_v2(l: &mut Layer, m: &Msg<'_>) -> Res<Body> {
    let b = m.b;
    bytes_field(l, b, "icmpv6.reserved", "Reserved", m.at(4), 2)?;
    let n = uint(
        l,
        b,
        "icmpv6.mldr.nb_mcast_records",
        "Number of multicast address records",
        m.at(6),
        2,
    )?;
    let mut at = m.at(8);
    for _ in 0..n {
        let cut = |rel: usize, len: usize| Cut {
            at: at.saturating_add(rel),
            len,
            what: "multicast address record",
        };
        let rt = u8_at(b, at).ok_or(cut(0, 1))?;
        let aux = usize::from(u8_at(b, at + 1).ok_or(cut(1, 1))?) * 4;
        let ns = usize::from(be16(b, at + 2).ok_or(cut(2, 2))?);
        let rec_len = 20 + ns * 16 + aux;
        let shown = rec_len.min(m.end.saturating_sub(at));
        l.add_bits(
            "icmpv6.mldr.mar",
            "Multicast address record",
            Value::None,
            at,
            shown,
            0,
            0,
        );
        // RFC 3810 5.2.12 record types.
        let rt_name = match rt {
            1 => "MODE_IS_INCLUDE",
            2 => "MODE_IS_EXCLUDE",
            3 => "CHANGE_TO_INCLUDE_MODE",
            4 => "CHANGE_TO_EXCLUDE_MODE",
            5 => "ALLOW_NEW_SOURCES",
            6 => "BLOCK_OLD_SOURCES",
            _ => "Unknown",
        };
        l.add_bits(
            "icmpv6.mldr.mar.record_type",
            "Record type",
            Value::UInt(rt.into()),
            at,
            1,
            0,
            1,
        )
        .show(|| format!("{rt_name} ({rt})"));
        l.add_bits(
            "icmpv6.mldr.mar.aux_data_len",
            "Aux data len",
            Value::UInt((aux / 4) as u64),
            at + 1,
            1,
            0,
            1,
        );
        l.add_bits(
            "icmpv6.mldr.mar.nb_sources",
            "Number of sources",
            Value::UInt(ns as u64),
            at + 2,
            2,
            0,
            1,
        );
        ipv6_field(
            l,
            b,
            "icmpv6.mldr.mar.multicast_address",
            "Multicast address",
            at + 4,
            1,
        )?;
        let mut s = at + 20;
        for _ in 0..ns {
            ipv6_field(
                l,
                b,
                "icmpv6.mldr.mar.source_address",
                "Source address",
                s,
                1,
            )?;
            s += 16;
        }
        if aux > 0 {
            let d = slice(b, s, aux).ok_or(cut(20 + ns * 16, aux))?;
            l.add_bits(
                "icmpv6.mldr.mar.auxiliary_data",
                "Auxiliary data",
                Value::Bytes(d.to_vec()),
                s,
                aux,
                0,
                1,
            );
        }
        at = at.saturating_add(rec_len);
    }
    Ok(Body::Data(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, linktype, Dissection};

    const SRC4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const DST4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
    const SRC6: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const DST6: [u8; 16] = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 2];

    fn ipc4(end: usize, claimed_end: usize) -> IpContext {
        IpContext {
            src: IpAddr::V4(SRC4),
            dst: IpAddr::V4(DST4),
            end,
            claimed_end,
            later_fragment: false,
            first_fragment: false,
        }
    }

    fn ipc6(end: usize, claimed_end: usize) -> IpContext {
        IpContext {
            src: IpAddr::V6(Ipv6Addr::from(SRC6)),
            dst: IpAddr::V6(Ipv6Addr::from(DST6)),
            ..ipc4(end, claimed_end)
        }
    }

    /// Runs one decoder over `frame` with the message at offset 0 and returns the layers.
    fn run(frame: &[u8], quoted: bool, ipc: IpContext, v6: bool) -> (Vec<Layer>, Next) {
        let mut cx = Ctx {
            frame,
            layers: Vec::new(),
            quoted,
            datagram_end: None,
            orig_len: 0,
        };
        let n = if v6 {
            decode_icmpv6(&mut cx, 0, ipc)
        } else {
            decode_icmp(&mut cx, 0, ipc)
        };
        (cx.layers, n)
    }

    fn v4(msg: &[u8]) -> (Vec<Layer>, Next) {
        run(msg, false, ipc4(msg.len(), msg.len()), false)
    }

    fn v6(msg: &[u8]) -> (Vec<Layer>, Next) {
        run(msg, false, ipc6(msg.len(), msg.len()), true)
    }

    /// Fills in the ICMPv4 checksum (bytes 2..4) of a whole message.
    fn sum4(mut msg: Vec<u8>) -> Vec<u8> {
        msg[2..4].copy_from_slice(&[0, 0]);
        let ck = fold_checksum(ones_complement_sum(0, &msg));
        msg[2..4].copy_from_slice(&ck.to_be_bytes());
        msg
    }

    /// Fills in the ICMPv6 checksum over the pseudo-header of SRC6 -> DST6.
    fn sum6(mut msg: Vec<u8>) -> Vec<u8> {
        msg[2..4].copy_from_slice(&[0, 0]);
        let ps = pseudo_v6(&ipc6(0, msg.len()), msg.len()).unwrap();
        let ck = fold_checksum(ones_complement_sum(ps, &msg));
        msg[2..4].copy_from_slice(&ck.to_be_bytes());
        msg
    }

    /// (value, offset, len) of the first field with this name.
    fn at(l: &Layer, name: &str) -> (Value, usize, usize) {
        let f = l
            .field(name)
            .unwrap_or_else(|| panic!("no field {name} in {:?}", l.fields));
        (f.value.clone(), f.offset, f.len)
    }

    fn shown(l: &Layer, name: &str) -> String {
        l.field(name).unwrap().shown()
    }

    #[rustfmt::skip]
    fn echo_request() -> Vec<u8> {
        sum4(vec![
            0x08,       // type 8 (Echo)
            0x00,       // code 0
            0x00, 0x00, // checksum (filled in)
            0x12, 0x34, // identifier 0x1234
            0x00, 0x07, // sequence 7
            b'a', b'b', b'c', b'd', // 8: data
        ])
    }

    #[test]
    fn echo_request_fields_checksum_and_data() {
        let msg = echo_request();
        let (layers, next) = v4(&msg);
        assert_eq!(next, Next::Stop);
        let l = &layers[0];
        assert_eq!((l.proto, l.offset, l.len), ("icmp", 0, 12));
        assert_eq!(l.error, None);
        assert_eq!(l.title, "Internet Control Message Protocol (Echo)");
        assert_eq!(at(l, "icmp.type"), (Value::UInt(8), 0, 1));
        assert_eq!(shown(l, "icmp.type"), "8 (Echo)");
        assert_eq!(at(l, "icmp.code"), (Value::UInt(0), 1, 1));
        let ck = u16::from_be_bytes([msg[2], msg[3]]);
        assert_eq!(at(l, "icmp.checksum"), (Value::UInt(ck.into()), 2, 2));
        assert_eq!(at(l, "icmp.checksum.status"), (Value::UInt(CK_GOOD), 2, 2));
        assert_eq!(at(l, "icmp.ident"), (Value::UInt(0x1234), 4, 2));
        assert_eq!(shown(l, "icmp.ident"), "4660 (0x1234)");
        assert_eq!(at(l, "icmp.seq"), (Value::UInt(7), 6, 2));
        let d = &layers[1];
        assert_eq!((d.proto, d.offset, d.len), ("data", 8, 4));
    }

    #[test]
    fn bad_checksum_says_what_it_should_be() {
        let good = echo_request();
        let mut bad = good.clone();
        bad[3] ^= 0x01;
        let (layers, _) = v4(&bad);
        let l = &layers[0];
        assert_eq!(l.u64("icmp.checksum.status"), Some(CK_BAD));
        let want = u16::from_be_bytes([good[2], good[3]]);
        assert!(shown(l, "icmp.checksum").contains(&format!("should be 0x{want:04x}")));
    }

    #[test]
    fn checksum_unverified_when_cut_fragmented_or_quoted() {
        let msg = echo_request();
        // Snap length cut the data: the header is whole but the sum cannot be checked.
        let (layers, _) = run(&msg[..10], false, ipc4(10, 12), false);
        assert_eq!(layers[0].error, None);
        assert_eq!(layers[0].u64("icmp.checksum.status"), Some(CK_UNVERIFIED));
        assert!(shown(&layers[0], "icmp.checksum.status").contains("only 10 of the 12 bytes"));
        let mut frag = ipc4(12, 12);
        frag.first_fragment = true;
        let (layers, _) = run(&msg, false, frag, false);
        assert_eq!(layers[0].u64("icmp.checksum.status"), Some(CK_UNVERIFIED));
        let (layers, _) = run(&msg, true, ipc4(12, 12), false);
        assert_eq!(layers[0].u64("icmp.checksum.status"), Some(CK_UNVERIFIED));
        assert!(shown(&layers[0], "icmp.checksum.status").contains("ICMP error"));
    }

    #[test]
    fn padding_after_the_message_is_not_icmp() {
        let mut frame = echo_request();
        frame.extend_from_slice(&[0xee; 6]); // link-layer padding beyond the IP length
        let (layers, _) = run(&frame, false, ipc4(12, 12), false);
        assert_eq!(layers[0].len, 12);
        assert_eq!(layers[0].u64("icmp.checksum.status"), Some(CK_GOOD));
        assert_eq!((layers[1].offset, layers[1].len), (8, 4));
    }

    #[rustfmt::skip]
    fn frag_needed() -> Vec<u8> {
        let mut m = vec![
            0x03,       // type 3 (Destination Unreachable)
            0x04,       // code 4 (Fragmentation Needed)
            0x00, 0x00, // checksum
            0x00, 0x00, // unused
            0x05, 0xdc, // next-hop MTU 1500
        ];
        // 8: quoted IPv4 header (20 bytes) + 8 bytes of UDP
        m.extend_from_slice(&[
            0x45, 0x00, 0x05, 0xdc, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
            10, 0, 0, 2, 10, 0, 0, 9,
            0x30, 0x39, 0x00, 0x35, 0x05, 0xc8, 0x00, 0x00,
        ]);
        sum4(m)
    }

    #[test]
    fn fragmentation_needed_hands_the_quote_to_ip() {
        let msg = frag_needed();
        let (layers, next) = v4(&msg);
        assert_eq!(next, Next::QuotedIp(8));
        let l = &layers[0];
        assert_eq!(layers.len(), 1);
        assert_eq!(l.len, 36);
        assert_eq!(shown(l, "icmp.type"), "3 (Destination Unreachable)");
        assert_eq!(
            shown(l, "icmp.code"),
            "4 (Fragmentation Needed and Don't Fragment was Set)"
        );
        assert_eq!(at(l, "icmp.unused"), (Value::Bytes(vec![0, 0]), 4, 2));
        assert_eq!(at(l, "icmp.mtu"), (Value::UInt(1500), 6, 2));
        assert_eq!(l.u64("icmp.checksum.status"), Some(CK_GOOD));
        // Inside a quote, an error is not unwrapped again.
        let (layers, next) = run(&msg, true, ipc4(36, 36), false);
        assert_eq!(next, Next::Stop);
        assert_eq!(layers[1].proto, "data");
    }

    #[test]
    fn quoted_datagram_decodes_through_the_ip_decoder() {
        let icmp = frag_needed();
        #[rustfmt::skip]
        let mut frame = vec![
            0x45, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00,
            10, 0, 0, 1, 10, 0, 0, 2, // IPv4: 10.0.0.1 -> 10.0.0.2, protocol 1
        ];
        let total = (frame.len() + icmp.len()) as u16;
        frame[2..4].copy_from_slice(&total.to_be_bytes());
        let ck = fold_checksum(ones_complement_sum(0, &frame));
        frame[10..12].copy_from_slice(&ck.to_be_bytes());
        frame.extend_from_slice(&icmp);
        let d: Dissection = decode(&frame, linktype::RAW);
        let protos: Vec<_> = d.layers.iter().map(|l| (l.proto, l.quoted)).collect();
        assert_eq!(protos[..3], [("ip", false), ("icmp", false), ("ip", true)]);
        assert_eq!(d.layer("icmp").unwrap().offset, 20);
        assert_eq!(d.u64("icmp.mtu"), Some(1500));
    }

    #[rustfmt::skip]
    #[test]
    fn time_exceeded_with_rfc4884_length_and_extension() {
        let mut m = vec![
            0x0b,       // type 11 (Time Exceeded)
            0x00,       // code 0
            0x00, 0x00, // checksum
            0x00,       // unused
            0x20,       // length: 32 words = 128 bytes of original datagram
            0x00, 0x00, // unused
        ];
        // 8: 128 bytes of quoted datagram (an IPv4 header claiming 200 bytes, then zeros)
        let mut quoted = vec![0u8; 128];
        quoted[..4].copy_from_slice(&[0x45, 0x00, 0x00, 0xc8]);
        m.extend_from_slice(&quoted);
        // 136: extension header: version 2, reserved, checksum (filled below)
        let mut ext = vec![
            0x20, 0x00, 0x00, 0x00,
            0x00, 0x08, // object length 8
            0x01,       // class 1 (MPLS label stack)
            0x01,       // c-type 1
            0x00, 0x01, 0x41, 0x01, // label 16, S, TTL 1
        ];
        let eck = fold_checksum(ones_complement_sum(0, &ext));
        ext[2..4].copy_from_slice(&eck.to_be_bytes());
        m.extend_from_slice(&ext);
        let msg = sum4(m);
        let (layers, next) = v4(&msg);
        assert_eq!(next, Next::QuotedIp(8));
        let l = &layers[0];
        assert_eq!(l.error, None);
        assert_eq!(at(l, "icmp.length"), (Value::UInt(32), 5, 1));
        assert_eq!(at(l, "icmp.length.original_datagram"), (Value::UInt(128), 5, 1));
        assert_eq!(at(l, "icmp.ext"), (Value::None, 136, 12));
        assert_eq!(at(l, "icmp.ext.version"), (Value::UInt(2), 136, 1));
        assert_eq!(at(l, "icmp.ext.checksum.status"), (Value::UInt(CK_GOOD), 138, 2));
        assert_eq!(at(l, "icmp.ext.length"), (Value::UInt(8), 140, 2));
        assert_eq!(at(l, "icmp.ext.class"), (Value::UInt(1), 142, 1));
        assert_eq!(at(l, "icmp.ext.ctype"), (Value::UInt(1), 143, 1));
        assert_eq!(at(l, "icmp.ext.data"), (Value::Bytes(vec![0, 1, 0x41, 1]), 144, 4));

        // A zero object length ends the walk with an error instead of looping.
        let mut bad = msg.clone();
        bad[140..142].copy_from_slice(&[0, 0]);
        let (layers, _) = v4(&bad);
        assert!(layers[0].error.as_ref().unwrap().message.contains("length 0"));
    }

    #[rustfmt::skip]
    #[test]
    fn parameter_problem_redirect_timestamp_mask_and_router_advertisement() {
        // Parameter problem, pointer 9, no RFC 4884 length.
        let (layers, _) = v4(&sum4(vec![12, 0, 0, 0, 9, 0, 0, 0]));
        let l = &layers[0];
        assert_eq!(at(l, "icmp.pointer"), (Value::UInt(9), 4, 1));
        assert_eq!(at(l, "icmp.unused"), (Value::Bytes(vec![0; 3]), 5, 3));

        // Redirect for the host via gateway 10.0.0.254.
        let (layers, _) = v4(&sum4(vec![5, 1, 0, 0, 10, 0, 0, 254]));
        assert_eq!(
            at(&layers[0], "icmp.redir_gw"),
            (Value::Ipv4(Ipv4Addr::new(10, 0, 0, 254)), 4, 4)
        );
        assert_eq!(shown(&layers[0], "icmp.code"), "1 (Redirect Datagram for the Host)");

        // Timestamp request: id 1, seq 2, originate 1000 ms, receive/transmit 0.
        let (layers, _) = v4(&sum4(vec![
            13, 0, 0, 0, 0, 1, 0, 2,
            0, 0, 0x03, 0xe8,   // 8: originate 1000
            0, 0, 0, 0,         // 12: receive
            0, 0, 0, 0,         // 16: transmit
        ]));
        let l = &layers[0];
        assert_eq!(at(l, "icmp.originate_timestamp"), (Value::UInt(1000), 8, 4));
        assert_eq!(shown(l, "icmp.originate_timestamp"), "1000 ms after midnight UTC");
        assert_eq!(at(l, "icmp.transmit_timestamp"), (Value::UInt(0), 16, 4));
        assert_eq!(layers.len(), 1);

        // Address mask reply 255.255.255.0.
        let (layers, _) = v4(&sum4(vec![18, 0, 0, 0, 0, 1, 0, 1, 255, 255, 255, 0]));
        assert_eq!(
            at(&layers[0], "icmp.address_mask"),
            (Value::Ipv4(Ipv4Addr::new(255, 255, 255, 0)), 8, 4)
        );

        // Router advertisement: 1 address, entry size 2 words, lifetime 1800 s.
        let (layers, _) = v4(&sum4(vec![
            9, 0, 0, 0,
            1,          // number of addresses
            2,          // entry size in 32-bit words
            0x07, 0x08, // lifetime 1800
            10, 0, 0, 1,             // 8: router address
            0xff, 0xff, 0xff, 0xfe,  // 12: preference -2
        ]));
        let l = &layers[0];
        assert_eq!(at(l, "icmp.num_addrs"), (Value::UInt(1), 4, 1));
        assert_eq!(at(l, "icmp.lifetime"), (Value::UInt(1800), 6, 2));
        assert_eq!(at(l, "icmp.router_address"), (Value::Ipv4(SRC4), 8, 4));
        assert_eq!(at(l, "icmp.pref_level"), (Value::Int(-2), 12, 4));

        // A router advertisement promising more entries than it holds reports the cut.
        let (layers, _) = v4(&sum4(vec![9, 0, 0, 0, 3, 2, 0, 30, 10, 0, 0, 1, 0, 0, 0, 0]));
        let e = layers[0].error.as_ref().unwrap();
        assert_eq!(e.offset, 16);
    }

    #[test]
    fn unknown_type_keeps_the_rest_as_data() {
        let (layers, next) = v4(&sum4(vec![200, 7, 0, 0, 1, 2, 3, 4, 5]));
        assert_eq!(next, Next::Stop);
        assert_eq!(shown(&layers[0], "icmp.type"), "200 (Unknown)");
        assert_eq!(
            (layers[1].proto, layers[1].offset, layers[1].len),
            ("data", 4, 5)
        );
    }

    /// Every prefix must decode without panicking; a cut inside the fixed part must be reported,
    /// and no field may reach past the bytes that exist.
    fn check_prefixes(msg: &[u8], v6: bool, fixed: usize) {
        for n in 0..msg.len() {
            let ipc = if v6 {
                ipc6(n, msg.len())
            } else {
                ipc4(n, msg.len())
            };
            let (layers, _) = run(&msg[..n], false, ipc, v6);
            let l = &layers[0];
            for f in &l.fields {
                assert!(
                    f.offset + f.len <= n,
                    "prefix {n}: {f:?} reaches past the end"
                );
            }
            if n < fixed {
                let e = l
                    .error
                    .as_ref()
                    .unwrap_or_else(|| panic!("prefix {n}: no error"));
                assert!(e.offset <= n, "prefix {n}: error at {}", e.offset);
            }
            if n >= 4 {
                assert_eq!(
                    l.field(if v6 {
                        "icmpv6.checksum.status"
                    } else {
                        "icmp.checksum.status"
                    })
                    .map(|f| f.value.clone()),
                    Some(Value::UInt(CK_UNVERIFIED)),
                    "prefix {n}"
                );
            }
        }
    }

    #[test]
    fn every_truncation_of_icmpv4_samples() {
        check_prefixes(&echo_request(), false, 8);
        check_prefixes(&frag_needed(), false, 8);
        check_prefixes(
            &sum4(vec![
                13, 0, 0, 0, 0, 1, 0, 2, 0, 0, 3, 0xe8, 0, 0, 0, 0, 0, 0, 0, 0,
            ]),
            false,
            20,
        );
        let (layers, _) = run(&echo_request(), false, ipc4(12, 12), false);
        assert_eq!(layers[0].error, None);
        // A message offset beyond the frame must not panic either.
        let mut cx = Ctx {
            frame: &[1, 2, 3],
            layers: Vec::new(),
            quoted: false,
            datagram_end: None,
            orig_len: 0,
        };
        decode_icmp(&mut cx, usize::MAX, ipc4(3, 3));
        decode_icmpv6(&mut cx, usize::MAX - 2, ipc6(3, usize::MAX));
        assert!(cx.layers.iter().all(|l| l.error.is_some()));
    }

    // ------------------------------------------------------------------ ICMPv6

    #[rustfmt::skip]
    fn echo6() -> Vec<u8> {
        sum6(vec![
            0x80,       // type 128 (Echo Request)
            0x00,       // code 0
            0x00, 0x00, // checksum over the pseudo-header
            0xbe, 0xef, // identifier
            0x00, 0x01, // sequence 1
            0xde, 0xad, 0xbe, 0xef, 0x00, // 8: data (odd length on purpose)
        ])
    }

    #[test]
    fn icmpv6_echo_with_pseudo_header_checksum() {
        let msg = echo6();
        let (layers, next) = v6(&msg);
        assert_eq!(next, Next::Stop);
        let l = &layers[0];
        assert_eq!((l.proto, l.len), ("icmpv6", 13));
        assert_eq!(shown(l, "icmpv6.type"), "128 (Echo Request)");
        assert_eq!(
            at(l, "icmpv6.checksum.status"),
            (Value::UInt(CK_GOOD), 2, 2)
        );
        assert_eq!(at(l, "icmpv6.echo.identifier"), (Value::UInt(0xbeef), 4, 2));
        assert_eq!(at(l, "icmpv6.echo.sequence_number"), (Value::UInt(1), 6, 2));
        assert_eq!(
            (layers[1].proto, layers[1].offset, layers[1].len),
            ("data", 8, 5)
        );
        // The same bytes between other addresses fail: the pseudo-header is covered.
        let mut other = ipc6(13, 13);
        other.dst = IpAddr::V6(Ipv6Addr::LOCALHOST);
        let (layers, _) = run(&msg, false, other, true);
        assert_eq!(layers[0].u64("icmpv6.checksum.status"), Some(CK_BAD));
        // Without IPv6 addresses there is no pseudo-header to check against.
        let (layers, _) = run(&msg, false, ipc4(13, 13), true);
        assert_eq!(layers[0].u64("icmpv6.checksum.status"), Some(CK_UNVERIFIED));
    }

    #[test]
    fn icmpv6_errors_quote_the_packet() {
        let mut m = vec![2, 0, 0, 0, 0, 0, 0x05, 0x00]; // Packet Too Big, MTU 1280
        m.extend_from_slice(&[0x60, 0, 0, 0, 0, 8, 17, 64]); // start of a quoted IPv6 header
        let (layers, next) = v6(&sum6(m));
        assert_eq!(next, Next::QuotedIp(8));
        assert_eq!(at(&layers[0], "icmpv6.mtu"), (Value::UInt(1280), 4, 4));
        let (layers, next) = v6(&sum6(vec![4, 1, 0, 0, 0, 0, 0, 40, 0x60]));
        assert_eq!(next, Next::QuotedIp(8));
        assert_eq!(at(&layers[0], "icmpv6.pointer"), (Value::UInt(40), 4, 4));
        assert_eq!(
            shown(&layers[0], "icmpv6.code"),
            "1 (Unrecognized Next Header type encountered)"
        );
        let (layers, next) = v6(&sum6(vec![1, 4, 0, 0, 0, 0, 0, 0, 0x60]));
        assert_eq!(next, Next::QuotedIp(8));
        assert_eq!(
            at(&layers[0], "icmpv6.reserved"),
            (Value::Bytes(vec![0; 4]), 4, 4)
        );
    }

    #[rustfmt::skip]
    fn router_advert() -> Vec<u8> {
        let mut m = vec![
            0x86, 0x00, 0x00, 0x00, // type 134, code 0, checksum
            0x40,                   // 4: cur hop limit 64
            0xc8,                   // 5: flags M, O, prf 01 (high)
            0x07, 0x08,             // 6: router lifetime 1800
            0x00, 0x00, 0x75, 0x30, // 8: reachable time 30000
            0x00, 0x00, 0x03, 0xe8, // 12: retrans timer 1000
            // 16: option 1 (source link-layer address), length 1 (8 bytes)
            0x01, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
            // 24: option 5 (MTU), length 1, reserved, MTU 1500
            0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc,
            // 32: option 3 (prefix information), length 4 (32 bytes)
            0x03, 0x04,
            0x40,                   // 34: prefix length 64
            0xc0,                   // 35: flags L, A
            0x00, 0x27, 0x8d, 0x00, // 36: valid lifetime 2592000
            0x00, 0x09, 0x3a, 0x80, // 40: preferred lifetime 604800
            0x00, 0x00, 0x00, 0x00, // 44: reserved
        ];
        // 48: prefix 2001:db8:1::
        m.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        sum6(m)
    }

    #[test]
    fn router_advertisement_with_options() {
        let msg = router_advert();
        let (layers, next) = v6(&msg);
        assert_eq!(next, Next::Stop);
        assert_eq!(layers.len(), 1);
        let l = &layers[0];
        assert_eq!(l.error, None);
        assert_eq!(l.u64("icmpv6.checksum.status"), Some(CK_GOOD));
        assert_eq!(at(l, "icmpv6.nd.ra.cur_hop_limit"), (Value::UInt(64), 4, 1));
        assert_eq!(at(l, "icmpv6.nd.ra.flag"), (Value::UInt(0xc8), 5, 1));
        let m = l.field("icmpv6.nd.ra.flag.m").unwrap();
        assert_eq!(
            (m.value.clone(), m.mask, m.depth),
            (Value::Bool(true), 0x80, 1)
        );
        assert_eq!(l.get("icmpv6.nd.ra.flag.o"), Some(&Value::Bool(true)));
        assert_eq!(l.get("icmpv6.nd.ra.flag.h"), Some(&Value::Bool(false)));
        assert_eq!(shown(l, "icmpv6.nd.ra.flag.prf"), "High (1)");
        assert_eq!(
            at(l, "icmpv6.nd.ra.router_lifetime"),
            (Value::UInt(1800), 6, 2)
        );
        assert_eq!(
            at(l, "icmpv6.nd.ra.reachable_time"),
            (Value::UInt(30000), 8, 4)
        );
        assert_eq!(
            at(l, "icmpv6.nd.ra.retrans_timer"),
            (Value::UInt(1000), 12, 4)
        );

        let opts: Vec<_> = l.fields.iter().filter(|f| f.name == "icmpv6.opt").collect();
        assert_eq!(
            opts.iter().map(|f| (f.offset, f.len)).collect::<Vec<_>>(),
            [(16, 8), (24, 8), (32, 32)]
        );
        assert_eq!(opts[0].shown(), "Source Link-layer Address (1)");
        let types: Vec<_> = l
            .fields
            .iter()
            .filter(|f| f.name == "icmpv6.opt.type")
            .map(|f| f.value.clone())
            .collect();
        assert_eq!(types, [Value::UInt(1), Value::UInt(5), Value::UInt(3)]);
        assert_eq!(
            at(l, "icmpv6.opt.linkaddr"),
            (Value::Mac([0, 0x11, 0x22, 0x33, 0x44, 0x55]), 18, 6)
        );
        assert_eq!(at(l, "icmpv6.opt.mtu"), (Value::UInt(1500), 28, 4));
        assert_eq!(at(l, "icmpv6.opt.prefix.length"), (Value::UInt(64), 34, 1));
        let la = l.field("icmpv6.opt.prefix.flag.l").unwrap();
        assert_eq!((la.value.clone(), la.depth), (Value::Bool(true), 2));
        assert_eq!(l.get("icmpv6.opt.prefix.flag.a"), Some(&Value::Bool(true)));
        assert_eq!(
            at(l, "icmpv6.opt.prefix.valid_lifetime"),
            (Value::UInt(2_592_000), 36, 4)
        );
        assert_eq!(
            at(l, "icmpv6.opt.prefix.preferred_lifetime"),
            (Value::UInt(604_800), 40, 4)
        );
        let p: Ipv6Addr = "2001:db8:1::".parse().unwrap();
        assert_eq!(at(l, "icmpv6.opt.prefix"), (Value::Ipv6(p), 48, 16));
        assert_eq!(shown(l, "icmpv6.opt.prefix"), "2001:db8:1::/64");
    }

    #[test]
    fn zero_length_option_stops_with_an_error() {
        let mut m = router_advert();
        m[17] = 0; // first option's length
        let (layers, next) = v6(&sum6(m));
        assert_eq!(next, Next::Stop);
        let l = &layers[0];
        let e = l.error.as_ref().unwrap();
        assert_eq!(e.offset, 17);
        assert!(e.message.contains("length 0"));
        assert_eq!(
            l.fields.iter().filter(|f| f.name == "icmpv6.opt").count(),
            1
        );
    }

    #[test]
    fn option_running_past_the_end_is_reported() {
        let mut m = router_advert();
        m.truncate(40); // the prefix option claims 32 bytes from 32, only 8 remain
        let (layers, _) = v6(&sum6(m));
        let e = layers[0].error.as_ref().unwrap();
        assert!(e.offset >= 32 && e.offset <= 40, "{e:?}");
    }

    #[rustfmt::skip]
    #[test]
    fn neighbor_solicitation_and_advertisement() {
        let target = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        let mut ns = vec![135, 0, 0, 0, 0, 0, 0, 0]; // type 135, reserved
        ns.extend_from_slice(&target);               // 8: target address
        ns.extend_from_slice(&[1, 1, 2, 0, 0, 0, 0, 1]); // 24: source link-layer address option
        let (layers, _) = v6(&sum6(ns));
        let l = &layers[0];
        assert_eq!(l.error, None);
        assert_eq!(
            at(l, "icmpv6.nd.ns.target_address"),
            (Value::Ipv6(Ipv6Addr::from(target)), 8, 16)
        );
        assert_eq!(at(l, "icmpv6.opt.linkaddr"), (Value::Mac([2, 0, 0, 0, 0, 1]), 26, 6));

        let mut na = vec![136, 0, 0, 0, 0x60, 0, 0, 0]; // type 136, flags S + O
        na.extend_from_slice(&target);
        na.extend_from_slice(&[2, 1, 2, 0, 0, 0, 0, 2]); // target link-layer address option
        let (layers, _) = v6(&sum6(na));
        let l = &layers[0];
        assert_eq!(at(l, "icmpv6.nd.na.flag"), (Value::UInt(0x6000_0000), 4, 4));
        assert_eq!(l.get("icmpv6.nd.na.flag.r"), Some(&Value::Bool(false)));
        assert_eq!(l.get("icmpv6.nd.na.flag.s"), Some(&Value::Bool(true)));
        let o = l.field("icmpv6.nd.na.flag.o").unwrap();
        assert_eq!((o.value.clone(), o.offset, o.len, o.mask, o.depth), (Value::Bool(true), 4, 4, 0x2000_0000, 1));
        assert_eq!(at(l, "icmpv6.nd.na.target_address").1, 8);
        assert_eq!(at(l, "icmpv6.opt.type"), (Value::UInt(2), 24, 1));

        let mut rd = vec![137, 0, 0, 0, 0, 0, 0, 0];
        rd.extend_from_slice(&target);   // 8: target
        rd.extend_from_slice(&DST6);     // 24: destination
        let (layers, _) = v6(&sum6(rd));
        assert_eq!(at(&layers[0], "icmpv6.rd.na.destination_address").1, 24);
        assert_eq!(layers[0].error, None);
    }

    #[rustfmt::skip]
    #[test]
    fn mld_v1_v2_query_and_v2_report() {
        let group = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb];
        let mut rep = vec![131, 0, 0, 0, 0, 0, 0, 0]; // MLDv1 report, delay 0, reserved
        rep.extend_from_slice(&group);
        let (layers, _) = v6(&sum6(rep));
        let l = &layers[0];
        assert_eq!(at(l, "icmpv6.mld.maximum_response_delay"), (Value::UInt(0), 4, 2));
        assert_eq!(at(l, "icmpv6.mld.multicast_address"), (Value::Ipv6(Ipv6Addr::from(group)), 8, 16));

        let mut q = vec![130, 0, 0, 0, 0x27, 0x10, 0, 0]; // MLDv2 query, code 10000
        q.extend_from_slice(&[0; 16]);                   // 8: general query
        q.extend_from_slice(&[0x0a, 125, 0, 1]);         // 24: S, QRV 2, QQIC 125, 1 source
        q.extend_from_slice(&SRC6);                      // 28: source
        let (layers, _) = v6(&sum6(q));
        let l = &layers[0];
        assert_eq!(l.error, None);
        assert_eq!(at(l, "icmpv6.mld.maximum_response_code"), (Value::UInt(10000), 4, 2));
        assert_eq!(l.get("icmpv6.mld.flag.s"), Some(&Value::Bool(true)));
        assert_eq!(at(l, "icmpv6.mld.flag.qrv"), (Value::UInt(2), 24, 1));
        assert_eq!(at(l, "icmpv6.mld.qqi"), (Value::UInt(125), 25, 1));
        assert_eq!(at(l, "icmpv6.mld.source_address"), (Value::Ipv6(Ipv6Addr::from(SRC6)), 28, 16));

        let mut r2 = vec![143, 0, 0, 0, 0, 0, 0, 1];     // MLDv2 report, 1 record
        r2.extend_from_slice(&[4, 0, 0, 0]);             // 8: CHANGE_TO_EXCLUDE, no aux, 0 sources
        r2.extend_from_slice(&group);                    // 12: multicast address
        let (layers, _) = v6(&sum6(r2));
        let l = &layers[0];
        assert_eq!(l.error, None);
        assert_eq!(at(l, "icmpv6.mldr.nb_mcast_records"), (Value::UInt(1), 6, 2));
        assert_eq!(at(l, "icmpv6.mldr.mar"), (Value::None, 8, 20));
        assert_eq!(shown(l, "icmpv6.mldr.mar.record_type"), "CHANGE_TO_EXCLUDE_MODE (4)");
        assert_eq!(at(l, "icmpv6.mldr.mar.multicast_address").1, 12);

        // A report promising 1000 records is bounded by the bytes that exist.
        let mut many = vec![143, 0, 0, 0, 0, 0, 0x03, 0xe8];
        many.extend_from_slice(&[4, 0, 0, 0]);
        many.extend_from_slice(&group);
        let (layers, _) = v6(&sum6(many));
        assert_eq!(layers[0].error.as_ref().unwrap().offset, 28);
    }

    #[test]
    fn every_truncation_of_icmpv6_samples() {
        check_prefixes(&echo6(), true, 8);
        check_prefixes(&router_advert(), true, 64);
        let mut ns = vec![135, 0, 0, 0, 0, 0, 0, 0];
        ns.extend_from_slice(&SRC6);
        ns.extend_from_slice(&[1, 1, 2, 0, 0, 0, 0, 1]);
        check_prefixes(&sum6(ns), true, 32);
    }
}
