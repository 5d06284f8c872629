//! Writing packets back out as a capture file: classic pcap (nanosecond timestamps) when every
//! packet shares one link type, pcapng otherwise. Used to export a filtered selection and to turn
//! a pasted hex dump into a file other tools can open.
//!
//! Owns the byte layout of what it writes and nothing else: it never reads, never decodes, and
//! produces output incrementally (the caller appends each returned chunk), so an export of any
//! size needs no more memory than one packet. It must never write a record the format cannot
//! hold: a packet whose link type, time or length does not fit is refused with a
//! [`WriteError`], counted in [`CaptureWriter::skipped`], and leaves no bytes behind, so the
//! output is always a well-formed file.

use super::{Packet, Timestamp};
use std::fmt;

/// The largest packet written: libpcap's MAXIMUM_SNAPLEN. The pcap header promises it as the
/// snap length, and readers (ours included) refuse records longer than the snap length allows.
pub const MAX_PACKET_LEN: usize = 262_144;

/// pcap magic for nanosecond timestamps, written little-endian.
const PCAP_MAGIC_NSEC: u32 = 0xa1b2_3c4d;
const PCAP_VERSION: (u16, u16) = (2, 4);

/// pcapng block types and option codes (draft-ietf-opsawg-pcapng sections 4 and 11).
const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 1;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
const OPT_ENDOFOPT: u16 = 0;
const SHB_USERAPPL: u16 = 4;
const IF_TSRESOL: u16 = 9;
/// `if_tsresol` 9: timestamps count nanoseconds (10^-9 s).
const TSRESOL_NANOS: u8 = 9;

const NANOS_PER_SEC: i128 = 1_000_000_000;

/// One packet to write: what a capture record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketRecord<'a> {
    /// LINKTYPE_ value of the bytes.
    pub link_type: u32,
    pub ts: Timestamp,
    /// Length on the wire; raised to `data.len()` if smaller, since a record cannot hold more
    /// bytes than the packet had.
    pub orig_len: u32,
    pub data: &'a [u8],
}

impl<'a> From<&'a Packet> for PacketRecord<'a> {
    fn from(p: &'a Packet) -> Self {
        PacketRecord {
            link_type: p.link_type,
            ts: p.ts,
            orig_len: p.orig_len,
            data: &p.data,
        }
    }
}

/// Why a packet was not written. Nothing of it reaches the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteError {
    /// A pcap file has one link type, fixed in its header; this packet has another.
    LinkTypeMismatch { file: u32, packet: u32 },
    /// Link types above 65535 fit neither format: pcapng stores 16 bits, and pcap keeps the
    /// upper bits of its field for FCS information.
    LinkTypeTooLarge(u32),
    /// pcap stores unsigned 32-bit seconds (1970 to 2106); pcapng unsigned 64-bit nanoseconds
    /// since 1970 (to 2554).
    TimeOutOfRange(Timestamp),
    /// More captured bytes than [`MAX_PACKET_LEN`].
    TooLong(usize),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::LinkTypeMismatch { file, packet } => write!(
                f,
                "the packet's link type {packet} differs from the pcap file's {file}; a pcap file holds one link type (write pcapng instead)"
            ),
            WriteError::LinkTypeTooLarge(lt) => write!(
                f,
                "link type {lt} is above 65535 and cannot be stored in pcap or pcapng"
            ),
            WriteError::TimeOutOfRange(t) => write!(
                f,
                "the time {}.{:09} (seconds since 1970) is outside what the format can store",
                t.secs, t.nanos
            ),
            WriteError::TooLong(n) => write!(
                f,
                "the packet has {n} captured bytes, more than the {MAX_PACKET_LEN} a record may hold"
            ),
        }
    }
}

impl std::error::Error for WriteError {}

#[derive(Debug, Clone)]
enum Kind {
    /// The header's link type; `None` when the requested one cannot be stored (every packet is
    /// then refused and the header names link type 0).
    Pcap(Option<u16>),
    /// Link type of each interface description written so far; the index is the interface id.
    PcapNg(Vec<u16>),
}

/// A streaming capture writer: each call returns (or appends) the bytes that follow what was
/// returned before; the file header comes with the first call.
#[derive(Debug, Clone)]
pub struct CaptureWriter {
    kind: Kind,
    started: bool,
    packets: u64,
    skipped: u64,
}

impl CaptureWriter {
    /// Little-endian pcap with nanosecond timestamps (magic 0xa1b23c4d, version 2.4, snap length
    /// 262144) for packets that all have `link_type`; packets with another link type are refused
    /// ([`WriteError::LinkTypeMismatch`]). A link type above 65535 cannot be stored: the header
    /// then says 0 and every packet is refused.
    pub fn new_pcap(link_type: u32) -> CaptureWriter {
        CaptureWriter {
            kind: Kind::Pcap(u16::try_from(link_type).ok()),
            started: false,
            packets: 0,
            skipped: 0,
        }
    }

    /// Little-endian pcapng, one section, with an interface description block (nanosecond
    /// `if_tsresol`) added just before the first packet of each new link type.
    pub fn new_pcapng() -> CaptureWriter {
        CaptureWriter {
            kind: Kind::PcapNg(Vec::new()),
            started: false,
            packets: 0,
            skipped: 0,
        }
    }

    /// pcap when the packets to be written have exactly one link type, pcapng otherwise (none,
    /// or several).
    pub fn for_link_types(link_types: &[u32]) -> CaptureWriter {
        match link_types.split_first() {
            Some((first, rest)) if rest.iter().all(|lt| lt == first) => Self::new_pcap(*first),
            _ => Self::new_pcapng(),
        }
    }

    /// True when this writer produces pcapng.
    pub fn is_pcapng(&self) -> bool {
        matches!(self.kind, Kind::PcapNg(_))
    }

    /// Appends one packet and returns the bytes to add to the output: the file header too the
    /// first time. A packet the format cannot hold is skipped (see [`CaptureWriter::skipped`]);
    /// use [`CaptureWriter::write_into`] to learn why.
    pub fn write(&mut self, p: &PacketRecord) -> Vec<u8> {
        let mut out = Vec::new();
        let _ = self.write_into(p, &mut out);
        out
    }

    /// Appends the file header (if not yet written) and then the packet to `out`. On error the
    /// packet adds nothing, so `out` stays a well-formed file.
    pub fn write_into(&mut self, p: &PacketRecord, out: &mut Vec<u8>) -> Result<(), WriteError> {
        self.start(out);
        let result = self.record(p, out);
        match result {
            Ok(()) => self.packets = self.packets.saturating_add(1),
            Err(_) => self.skipped = self.skipped.saturating_add(1),
        }
        result
    }

    /// The bytes still owed at the end: the file header when nothing was written yet, so that
    /// an export of zero packets is still a valid (empty) capture. Empty otherwise.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        self.start(&mut out);
        out
    }

    /// Packets written so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Packets refused so far.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    fn start(&mut self, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        match &self.kind {
            Kind::Pcap(lt) => pcap_header(lt.unwrap_or(0), out),
            Kind::PcapNg(_) => shb(out),
        }
    }

    /// Checks everything first and writes only when the whole record fits.
    fn record(&mut self, p: &PacketRecord, out: &mut Vec<u8>) -> Result<(), WriteError> {
        let lt =
            u16::try_from(p.link_type).map_err(|_| WriteError::LinkTypeTooLarge(p.link_type))?;
        if p.data.len() > MAX_PACKET_LEN {
            return Err(WriteError::TooLong(p.data.len()));
        }
        // Bounded by MAX_PACKET_LEN just above.
        let cap_len = p.data.len() as u32;
        let orig_len = p.orig_len.max(cap_len);
        let nanos = total_nanos(p.ts);
        match &mut self.kind {
            Kind::Pcap(file) => {
                let file = file.ok_or(WriteError::LinkTypeTooLarge(p.link_type))?;
                if file != lt {
                    return Err(WriteError::LinkTypeMismatch {
                        file: u32::from(file),
                        packet: p.link_type,
                    });
                }
                let secs = u32::try_from(nanos.div_euclid(NANOS_PER_SEC))
                    .map_err(|_| WriteError::TimeOutOfRange(p.ts))?;
                let frac = nanos.rem_euclid(NANOS_PER_SEC) as u32;
                for v in [secs, frac, cap_len, orig_len] {
                    out.extend_from_slice(&v.to_le_bytes());
                }
                out.extend_from_slice(p.data);
            }
            Kind::PcapNg(ifaces) => {
                let ticks = u64::try_from(nanos).map_err(|_| WriteError::TimeOutOfRange(p.ts))?;
                let id = match ifaces.iter().position(|&l| l == lt) {
                    Some(i) => i,
                    None => {
                        idb(lt, out);
                        ifaces.push(lt);
                        ifaces.len() - 1
                    }
                };
                // At most 65536 distinct 16-bit link types, so the id fits.
                let id = id as u32;
                let padded = pad4(p.data.len());
                let body: [u32; 5] = [id, (ticks >> 32) as u32, ticks as u32, cap_len, orig_len];
                // Type, length, five fields, data, trailing length.
                let total = (12 + 20 + padded) as u32;
                out.extend_from_slice(&EPB.to_le_bytes());
                out.extend_from_slice(&total.to_le_bytes());
                for v in body {
                    out.extend_from_slice(&v.to_le_bytes());
                }
                out.extend_from_slice(p.data);
                out.resize(out.len() + (padded - p.data.len()), 0);
                out.extend_from_slice(&total.to_le_bytes());
            }
        }
        Ok(())
    }
}

/// Nanoseconds since 1970; i128 so that no `Timestamp` overflows, and a nanosecond field of a
/// billion or more (which the type does not forbid) carries into the seconds.
fn total_nanos(ts: Timestamp) -> i128 {
    i128::from(ts.secs) * NANOS_PER_SEC + i128::from(ts.nanos)
}

fn pad4(n: usize) -> usize {
    n.div_ceil(4) * 4
}

fn pcap_header(link_type: u16, out: &mut Vec<u8>) {
    out.extend_from_slice(&PCAP_MAGIC_NSEC.to_le_bytes());
    out.extend_from_slice(&PCAP_VERSION.0.to_le_bytes());
    out.extend_from_slice(&PCAP_VERSION.1.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // thiszone: times are UTC
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs, always 0
    out.extend_from_slice(&(MAX_PACKET_LEN as u32).to_le_bytes()); // snaplen
    out.extend_from_slice(&u32::from(link_type).to_le_bytes());
}

/// Appends one option (code, length, value padded to four bytes).
fn option(code: u16, value: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&code.to_le_bytes());
    // Only short constant values are written here.
    out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    out.extend_from_slice(value);
    out.resize(out.len() + (pad4(value.len()) - value.len()), 0);
}

/// Wraps a block body in its type and (repeated) total length.
fn block(block_type: u32, body: &[u8], out: &mut Vec<u8>) {
    let total = (12 + body.len()) as u32;
    out.extend_from_slice(&block_type.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&total.to_le_bytes());
}

fn shb(out: &mut Vec<u8>) {
    let mut body = Vec::new();
    body.extend_from_slice(&BYTE_ORDER_MAGIC.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes()); // version 1.0
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&(-1i64).to_le_bytes()); // section length not given
    let app = concat!("tracelens ", env!("CARGO_PKG_VERSION"));
    option(SHB_USERAPPL, app.as_bytes(), &mut body);
    option(OPT_ENDOFOPT, &[], &mut body);
    block(SHB, &body, out);
}

fn idb(link_type: u16, out: &mut Vec<u8>) {
    let mut body = Vec::new();
    body.extend_from_slice(&link_type.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes()); // reserved
    body.extend_from_slice(&(MAX_PACKET_LEN as u32).to_le_bytes()); // snaplen
    option(IF_TSRESOL, &[TSRESOL_NANOS], &mut body);
    option(OPT_ENDOFOPT, &[], &mut body);
    block(IDB, &body, out);
}

/// A whole pcap file of packets that share `link_type`; packets it cannot hold (another link
/// type, a time before 1970 or after 2106, more than [`MAX_PACKET_LEN`] bytes) are left out.
pub fn pcap_bytes<'a>(
    link_type: u32,
    packets: impl IntoIterator<Item = PacketRecord<'a>>,
) -> Vec<u8> {
    let mut w = CaptureWriter::new_pcap(link_type);
    let mut out = w.finish();
    for p in packets {
        let _ = w.write_into(&p, &mut out);
    }
    out
}

/// A whole file of `packets`: pcap when they share one link type, pcapng otherwise. Packets the
/// format cannot hold are left out.
pub fn capture_bytes(packets: &[PacketRecord<'_>]) -> Vec<u8> {
    let mut lts: Vec<u32> = packets.iter().map(|p| p.link_type).collect();
    lts.sort_unstable();
    lts.dedup();
    let mut w = CaptureWriter::for_link_types(&lts);
    let mut out = w.finish();
    for p in packets {
        let _ = w.write_into(p, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(link_type: u32, secs: i64, nanos: u32, data: &[u8]) -> PacketRecord<'_> {
        PacketRecord {
            link_type,
            ts: Timestamp { secs, nanos },
            orig_len: data.len() as u32,
            data,
        }
    }

    #[test]
    fn pcap_header_and_record_layout() {
        let mut w = CaptureWriter::new_pcap(1);
        let b = w.write(&rec(1, 0x0102_0304, 5, &[0xaa, 0xbb, 0xcc]));
        let want: Vec<u8> = [
            &[0x4d, 0x3c, 0xb2, 0xa1][..], // magic a1b23c4d, little-endian: nanoseconds
            &[2, 0, 4, 0],                 // version 2.4
            &[0, 0, 0, 0],                 // thiszone
            &[0, 0, 0, 0],                 // sigfigs
            &[0, 0, 4, 0],                 // snaplen 262144
            &[1, 0, 0, 0],                 // link type 1 (Ethernet)
            &[4, 3, 2, 1],                 // seconds
            &[5, 0, 0, 0],                 // nanoseconds
            &[3, 0, 0, 0],                 // captured length
            &[3, 0, 0, 0],                 // original length
            &[0xaa, 0xbb, 0xcc],
        ]
        .concat();
        assert_eq!(b, want);
        // The second packet brings only its record.
        assert_eq!(w.write(&rec(1, 0, 0, &[1])).len(), 17);
        assert_eq!(w.packets(), 2);
        assert!(w.finish().is_empty());
    }

    #[test]
    fn pcap_refuses_what_it_cannot_hold_and_writes_nothing_for_it() {
        let mut w = CaptureWriter::new_pcap(1);
        let mut out = Vec::new();
        assert_eq!(
            w.write_into(&rec(101, 0, 0, &[0x45]), &mut out),
            Err(WriteError::LinkTypeMismatch {
                file: 1,
                packet: 101
            })
        );
        assert_eq!(out.len(), 24, "only the header");
        assert_eq!(
            w.write_into(&rec(1, -1, 0, &[0]), &mut out),
            Err(WriteError::TimeOutOfRange(Timestamp { secs: -1, nanos: 0 }))
        );
        assert_eq!(
            w.write_into(&rec(1, i64::from(u32::MAX) + 1, 0, &[0]), &mut out),
            Err(WriteError::TimeOutOfRange(Timestamp {
                secs: i64::from(u32::MAX) + 1,
                nanos: 0
            }))
        );
        let big = vec![0u8; MAX_PACKET_LEN + 1];
        assert_eq!(
            w.write_into(&rec(1, 0, 0, &big), &mut out),
            Err(WriteError::TooLong(MAX_PACKET_LEN + 1))
        );
        assert_eq!(out.len(), 24);
        assert_eq!((w.packets(), w.skipped()), (0, 4));
        // The largest allowed packet is accepted.
        let max = vec![0u8; MAX_PACKET_LEN];
        assert_eq!(w.write_into(&rec(1, 0, 0, &max), &mut out), Ok(()));
        assert_eq!(out.len(), 24 + 16 + MAX_PACKET_LEN);
    }

    #[test]
    fn unstorable_link_type_gives_an_empty_file() {
        let mut w = CaptureWriter::new_pcap(0x1_0001);
        let b = w.write(&rec(0x1_0001, 0, 0, &[1, 2]));
        assert_eq!(b.len(), 24);
        assert_eq!(&b[20..24], &[0, 0, 0, 0]);
        assert_eq!(w.skipped(), 1);
        let mut w = CaptureWriter::new_pcapng();
        let mut out = Vec::new();
        assert_eq!(
            w.write_into(&rec(0x1_0001, 0, 0, &[1]), &mut out),
            Err(WriteError::LinkTypeTooLarge(0x1_0001))
        );
    }

    #[test]
    fn nanosecond_overflow_carries_into_seconds() {
        let mut w = CaptureWriter::new_pcap(1);
        let b = w.write(&rec(1, 7, 1_500_000_000, &[]));
        assert_eq!(&b[24..28], &8u32.to_le_bytes());
        assert_eq!(&b[28..32], &500_000_000u32.to_le_bytes());
    }

    #[test]
    fn orig_len_is_never_below_the_captured_length() {
        let mut w = CaptureWriter::new_pcap(1);
        let p = PacketRecord {
            link_type: 1,
            ts: Timestamp::default(),
            orig_len: 1,
            data: &[1, 2, 3],
        };
        let b = w.write(&p);
        assert_eq!(&b[36..40], &3u32.to_le_bytes());
    }

    #[test]
    fn pcapng_blocks_and_lazy_interfaces() {
        let mut w = CaptureWriter::new_pcapng();
        assert!(w.is_pcapng());
        let first = w.write(&rec(1, 1, 2, &[9, 9, 9, 9, 9]));
        // SHB: 12 + 16 fixed + userappl option (4 + padded text) + end option (4).
        let app_len = concat!("tracelens ", env!("CARGO_PKG_VERSION")).len();
        let shb_len = 12 + 16 + 4 + pad4(app_len) + 4;
        assert_eq!(&first[0..4], &SHB.to_le_bytes());
        assert_eq!(&first[4..8], &(shb_len as u32).to_le_bytes());
        assert_eq!(&first[8..12], &[0x4d, 0x3c, 0x2b, 0x1a]);
        let idb_at = shb_len;
        assert_eq!(&first[idb_at..idb_at + 4], &IDB.to_le_bytes());
        // IDB: 12 + 8 fixed + if_tsresol (4 + 4) + end (4) = 32.
        assert_eq!(&first[idb_at + 4..idb_at + 8], &32u32.to_le_bytes());
        assert_eq!(&first[idb_at + 8..idb_at + 10], &1u16.to_le_bytes());
        assert_eq!(&first[idb_at + 16..idb_at + 21], &[9, 0, 1, 0, 9]);
        let epb_at = idb_at + 32;
        assert_eq!(&first[epb_at..epb_at + 4], &EPB.to_le_bytes());
        // 32 bytes of block around 5 data bytes padded to 8.
        assert_eq!(&first[epb_at + 4..epb_at + 8], &40u32.to_le_bytes());
        assert_eq!(&first[epb_at + 8..epb_at + 12], &0u32.to_le_bytes()); // interface 0
        let ticks = 1_000_000_002u64;
        assert_eq!(
            &first[epb_at + 12..epb_at + 16],
            &((ticks >> 32) as u32).to_le_bytes()
        );
        assert_eq!(
            &first[epb_at + 16..epb_at + 20],
            &(ticks as u32).to_le_bytes()
        );
        assert_eq!(first.len(), epb_at + 40);
        // Same link type again: no new IDB. A new link type: an IDB, then interface 1.
        assert_eq!(w.write(&rec(1, 0, 0, &[1])).len(), 36);
        let third = w.write(&rec(101, 0, 0, &[0x45]));
        assert_eq!(third.len(), 32 + 36);
        assert_eq!(&third[32 + 8..32 + 12], &1u32.to_le_bytes());
        assert_eq!(w.packets(), 3);
    }

    #[test]
    fn empty_exports_are_valid_files() {
        let mut w = CaptureWriter::new_pcap(1);
        assert_eq!(w.finish().len(), 24);
        assert!(w.finish().is_empty());
        assert_eq!(pcap_bytes(1, std::iter::empty()).len(), 24);
        let ng = capture_bytes(&[]);
        assert_eq!(&ng[0..4], &SHB.to_le_bytes());
    }

    #[test]
    fn format_choice_follows_the_link_types() {
        assert!(!CaptureWriter::for_link_types(&[1]).is_pcapng());
        assert!(!CaptureWriter::for_link_types(&[1, 1]).is_pcapng());
        assert!(CaptureWriter::for_link_types(&[1, 101]).is_pcapng());
        assert!(CaptureWriter::for_link_types(&[]).is_pcapng());
    }
}
