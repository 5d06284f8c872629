//! Classic pcap (libpcap's savefile format, draft-ietf-opsawg-pcap): the 24-byte file header and
//! the records after it, in both byte orders, with microsecond or nanosecond timestamps, and the
//! "modified" (Kuznetzov, ss991029) variant with 24-byte record headers.
//!
//! A slice parser: it looks at the bytes the reader holds and answers "a packet of n bytes",
//! "need more", or a fatal problem. Must never allocate from a length it read before checking it
//! against the limit, and never advance past bytes it does not have.

use super::{rd16, rd32, thousands, Format, Interface, Packet, ReadErrorKind, Step, Timestamp};

pub(super) const MAGIC_USEC: u32 = 0xa1b2_c3d4;
pub(super) const MAGIC_NSEC: u32 = 0xa1b2_3c4d;
pub(super) const MAGIC_MODIFIED: u32 = 0xa1b2_cd34;

/// File header layout (all fields in the writer's byte order).
mod field {
    pub const VERSION_MAJOR: usize = 4;
    pub const VERSION_MINOR: usize = 6;
    pub const THISZONE: usize = 8;
    pub const SNAPLEN: usize = 16;
    pub const NETWORK: usize = 20;
    pub const HEADER_LEN: usize = 24;

    /// Record header: ts_sec, ts_usec (or nsec), incl_len, orig_len.
    pub const REC_TS_SEC: usize = 0;
    pub const REC_TS_FRAC: usize = 4;
    pub const REC_CAPLEN: usize = 8;
    pub const REC_ORIGLEN: usize = 12;
    pub const REC_LEN: usize = 16;
    /// The modified format adds ifindex(4), protocol(2), pkt_type(1), pad(1).
    pub const REC_LEN_MODIFIED: usize = 24;
}

/// libpcap's MAXIMUM_SNAPLEN: it rejects records larger than this unless the snap length is.
const LIBPCAP_MAX_SNAPLEN: u32 = 262_144;
/// Hard ceiling on one record whatever the header says, so damage never turns into a wait for
/// (or a buffer of) gigabytes.
const MAX_RECORD: u32 = 256 << 20;

/// (big_endian, nanosecond, modified) for a pcap magic as it appears in the file.
pub(super) fn magic_kind(m: [u8; 4]) -> Option<(bool, bool, bool)> {
    let be = u32::from_be_bytes(m);
    let le = u32::from_le_bytes(m);
    for (value, nano, modified) in [
        (MAGIC_USEC, false, false),
        (MAGIC_NSEC, true, false),
        (MAGIC_MODIFIED, false, true),
    ] {
        if be == value {
            return Some((true, nano, modified));
        }
        if le == value {
            return Some((false, nano, modified));
        }
    }
    None
}

#[derive(Debug, Clone)]
struct Header {
    big_endian: bool,
    nanosecond: bool,
    modified: bool,
    snaplen: u32,
    link_type: u32,
}

pub(super) struct PcapState {
    header: Option<Header>,
    records: u64,
}

impl PcapState {
    pub fn new() -> Self {
        PcapState {
            header: None,
            records: 0,
        }
    }

    /// Parses the next unit (the file header, or one record) at the start of `b`, which sits at
    /// `offset` in the stream.
    pub fn step(&mut self, b: &[u8], offset: u64, info: &mut super::CaptureInfo) -> Step {
        match &self.header {
            None => self.file_header(b, info),
            Some(h) => {
                let h = h.clone();
                self.record(&h, b, offset, info)
            }
        }
    }

    fn file_header(&mut self, b: &[u8], info: &mut super::CaptureInfo) -> Step {
        let Some(((be, nano, modified), hdr)) = super::array4(b, 0)
            .and_then(magic_kind)
            .zip(b.get(..field::HEADER_LEN))
        else {
            return Step::Need(format!(
                "the pcap file header is cut short: the file has {} of its {} bytes",
                b.len(),
                field::HEADER_LEN
            ));
        };
        let major = rd16(hdr, field::VERSION_MAJOR, be).unwrap_or(0);
        let minor = rd16(hdr, field::VERSION_MINOR, be).unwrap_or(0);
        let thiszone = rd32(hdr, field::THISZONE, be).unwrap_or(0);
        let snaplen = rd32(hdr, field::SNAPLEN, be).unwrap_or(0);
        let network = rd32(hdr, field::NETWORK, be).unwrap_or(0);
        // libpcap accepts 2.0 to 2.4, and 543.0 which an old writer produced by mistake.
        if !((major == 2 && minor <= 4) || (major == 543 && minor == 0)) {
            return Step::Fatal(
                ReadErrorKind::BadHeader,
                format!(
                    "pcap file header says version {major}.{minor}; only versions 2.0 to 2.4 exist, so the header is damaged or the file is not pcap (libpcap refuses it too)"
                ),
                None,
            );
        }
        // The upper bits of the link-type field: 0x03ff0000 is reserved, 0x04000000 says an
        // FCS length is given in the top four bits (draft-ietf-opsawg-pcap section 4).
        let reserved = network & 0x03ff_0000;
        if reserved != 0 {
            return Step::Fatal(
                ReadErrorKind::BadHeader,
                format!(
                    "pcap file header's link-type field {network:#010x} has reserved bits set ({reserved:#010x}); the header is damaged"
                ),
                None,
            );
        }
        let link_type = network & 0xffff;
        let fcs_len = (network & 0x0400_0000 != 0).then(|| ((network >> 28) * 2) as u8);
        let units = if nano { 1_000_000_000 } else { 1_000_000 };
        if thiszone != 0 {
            info.note(format!(
                "the pcap header's time-zone field is {} seconds; like libpcap and Wireshark, timestamps are shown as stored (UTC)",
                thiszone as i32
            ));
        }
        if network >> 16 != 0 && fcs_len.is_none() {
            info.note(format!(
                "the pcap header's link-type field {network:#010x} has bits above the link type set; link type {link_type} is used"
            ));
        }
        info.format = Some(Format::Pcap {
            big_endian: be,
            nanosecond: nano,
            modified,
            version: (major, minor),
            snaplen,
            link_type,
        });
        info.sections = 1;
        info.interfaces.push(Interface {
            section: 0,
            link_type,
            snaplen,
            ts_units_per_sec: units,
            fcs_len,
            ..Interface::default()
        });
        self.header = Some(Header {
            big_endian: be,
            nanosecond: nano,
            modified,
            snaplen,
            link_type,
        });
        Step::Skip(field::HEADER_LEN)
    }

    fn record(&mut self, h: &Header, b: &[u8], offset: u64, info: &mut super::CaptureInfo) -> Step {
        let number = self.records.saturating_add(1);
        let hlen = if h.modified {
            field::REC_LEN_MODIFIED
        } else {
            field::REC_LEN
        };
        let Some(rh) = b.get(..hlen) else {
            return Step::Need(format!(
                "the capture ends {} bytes into the {hlen}-byte header of record {} (at byte {})",
                b.len(),
                thousands(number),
                thousands(offset)
            ));
        };
        let be = h.big_endian;
        let ts_sec = rd32(rh, field::REC_TS_SEC, be).unwrap_or(0);
        let ts_frac = rd32(rh, field::REC_TS_FRAC, be).unwrap_or(0);
        let cap_len = rd32(rh, field::REC_CAPLEN, be).unwrap_or(0);
        let orig_len = rd32(rh, field::REC_ORIGLEN, be).unwrap_or(0);
        let limit = h.snaplen.clamp(LIBPCAP_MAX_SNAPLEN, MAX_RECORD);
        if cap_len > limit {
            return Step::Fatal(
                ReadErrorKind::BadRecord,
                format!(
                    "record {} at byte {} claims {} captured bytes, more than the file's snap length ({}) allows; the file is damaged from here on",
                    thousands(number),
                    thousands(offset),
                    thousands(u64::from(cap_len)),
                    thousands(u64::from(h.snaplen))
                ),
                Some(number),
            );
        }
        let data_len = cap_len as usize;
        let Some(data) = super::slice_at(b, hlen, data_len) else {
            // Only reported if no more bytes come: the capture was cut inside this record.
            return Step::Need(format!(
                "record {} at byte {} claims {} bytes, but the capture ends after {} of them",
                thousands(number),
                thousands(offset),
                thousands(u64::from(cap_len)),
                thousands(b.len().saturating_sub(hlen) as u64)
            ));
        };
        let per_sec = if h.nanosecond {
            1_000_000_000
        } else {
            1_000_000
        };
        if u64::from(ts_frac) >= per_sec {
            info.note(format!(
                "record {} at byte {} has a fraction-of-second field of {} (not below {}); the excess is carried into the seconds",
                thousands(number),
                thousands(offset),
                thousands(u64::from(ts_frac)),
                thousands(per_sec)
            ));
        }
        if orig_len < cap_len {
            info.note(format!(
                "record {} at byte {} captured {} bytes of a packet said to be {} long",
                thousands(number),
                thousands(offset),
                thousands(u64::from(cap_len)),
                thousands(u64::from(orig_len))
            ));
        }
        self.records = number;
        Step::Packet(
            hlen.saturating_add(data_len),
            Packet {
                number: 0,
                file_offset: offset,
                interface: 0,
                link_type: h.link_type,
                ts: Timestamp::from_secs_frac(i64::from(ts_sec), u64::from(ts_frac), per_sec),
                cap_len,
                orig_len,
                data: data.to_vec(),
                comments: Vec::new(),
            },
            true,
        )
    }
}
