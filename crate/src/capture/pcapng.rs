//! pcapng (draft-ietf-opsawg-pcapng): sections with their own byte order, interfaces with their
//! own link type, snap length and timestamp resolution, and the blocks that carry packets (EPB,
//! SPB, the obsolete PB), names (NRB) and statistics (ISB). Unknown and custom blocks are
//! counted and skipped.
//!
//! A slice parser like the pcap one: a block is handled only once all its bytes are present, and
//! nothing in [`super::CaptureInfo`] changes until then, so a "need more" answer can be retried
//! with more bytes. Must never allocate from a length before checking it against the block and
//! the limit, and never treat an unknown block as damage.

use super::{
    rd16, rd32, rd64, sniff, thousands, BlockInfo, CaptureInfo, Format, Interface, InterfaceStats,
    Packet, ReadErrorKind, Step, Timestamp,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Block type codes (draft-ietf-opsawg-pcapng section 11.1, "Block Type Codes").
pub(super) const SHB_TYPE: u32 = 0x0a0d_0d0a;
const IDB: u32 = 1;
const PB: u32 = 2;
const SPB: u32 = 3;
const NRB: u32 = 4;
const ISB: u32 = 5;
const EPB: u32 = 6;
const IRIG: u32 = 7;
const ARINC: u32 = 8;
const SJE: u32 = 9;
const DSB: u32 = 0x0a;
const CB: u32 = 0x0000_0bad;
const DCB: u32 = 0x4000_0bad;

const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
/// Block type + total length before the body, total length again after it.
const BLOCK_OVERHEAD: usize = 12;
/// A block larger than this is damage, not data (Wireshark's own ceiling is lower still).
const MAX_BLOCK: u32 = 256 << 20;

/// Option codes (draft-ietf-opsawg-pcapng sections 4.2 and 4.x).
const OPT_ENDOFOPT: u16 = 0;
const OPT_COMMENT: u16 = 1;
const IF_NAME: u16 = 2;
const IF_DESCRIPTION: u16 = 3;
const IF_TSRESOL: u16 = 9;
const IF_FCSLEN: u16 = 13;
const IF_TSOFFSET: u16 = 14;
const ISB_STARTTIME: u16 = 2;
const ISB_ENDTIME: u16 = 3;
const ISB_IFRECV: u16 = 4;
const ISB_IFDROP: u16 = 5;
const ISB_FILTERACCEPT: u16 = 6;
const ISB_OSDROP: u16 = 7;
const ISB_USRDELIV: u16 = 8;

/// NRB record types (section 4.5).
const NRB_END: u16 = 0;
const NRB_IPV4: u16 = 1;
const NRB_IPV6: u16 = 2;

/// The short name used in block counts, matching the pcapng test generator's vocabulary.
pub(super) fn block_name(t: u32) -> String {
    match t {
        SHB_TYPE => "SHB",
        IDB => "IDB",
        PB => "PB",
        SPB => "SPB",
        NRB => "NRB",
        ISB => "ISB",
        EPB => "EPB",
        IRIG => "IRIG",
        ARINC => "ARINC",
        SJE => "SJE",
        DSB => "DSB",
        CB => "CB",
        DCB => "DCB",
        other => return format!("unknown {other:#010x}"),
    }
    .to_string()
}

pub(super) struct NgState {
    big_endian: bool,
    /// Global index of the current section's first interface.
    base: usize,
    /// Interfaces defined so far in the current section.
    count: usize,
    blocks: u64,
}

/// Rounds a length up to pcapng's 32-bit alignment.
fn pad4(n: usize) -> Option<usize> {
    n.checked_add(3).map(|v| v & !3)
}

/// Where we are, for messages: "block 12 (EPB) at byte 3,456".
fn at(number: u64, name: &str, offset: u64) -> String {
    format!(
        "block {} ({name}) at byte {}",
        thousands(number),
        thousands(offset)
    )
}

impl NgState {
    pub fn new() -> Self {
        NgState {
            big_endian: false,
            base: 0,
            count: 0,
            blocks: 0,
        }
    }

    pub fn step(
        &mut self,
        b: &[u8],
        offset: u64,
        info: &mut CaptureInfo,
        log: Option<&mut Vec<BlockInfo>>,
    ) -> Step {
        let number = self.blocks.saturating_add(1);
        let Some(type_bytes) = super::array4(b, 0) else {
            return Step::Need(format!(
                "the capture ends {} bytes into the header of block {} (at byte {})",
                b.len(),
                thousands(number),
                thousands(offset)
            ));
        };
        let is_shb = type_bytes == SHB_TYPE.to_be_bytes();
        let be = if is_shb {
            // A new section announces its own byte order; the type code reads the same either way.
            let Some(bom) = super::array4(b, 8) else {
                return Step::Need(format!(
                    "the capture ends {} bytes into the section header block {} (at byte {})",
                    b.len(),
                    thousands(number),
                    thousands(offset)
                ));
            };
            if u32::from_be_bytes(bom) == BYTE_ORDER_MAGIC {
                true
            } else if u32::from_le_bytes(bom) == BYTE_ORDER_MAGIC {
                false
            } else {
                return Step::Fatal(
                    ReadErrorKind::BadHeader,
                    format!(
                        "section header {} has byte-order magic {}, expected 1a 2b 3c 4d in either order; the file is damaged",
                        at(number, "SHB", offset),
                        sniff::hex(&bom)
                    ),
                    Some(number),
                );
            }
        } else {
            self.big_endian
        };
        let Some(btype) = rd32(b, 0, be) else {
            return Step::Need(String::new());
        };
        let name = block_name(btype);
        let Some(total) = rd32(b, 4, be) else {
            return Step::Need(format!(
                "the capture ends {} bytes into the header of {}",
                b.len(),
                at(number, &name, offset)
            ));
        };
        let min = min_len(btype);
        if total < min || total % 4 != 0 || total > MAX_BLOCK {
            let why = if total < min {
                format!("less than the {min} bytes this block type needs")
            } else if total % 4 != 0 {
                "not a multiple of 4".to_string()
            } else {
                format!("more than the {} MiB limit", MAX_BLOCK >> 20)
            };
            let kind = if is_shb {
                ReadErrorKind::BadHeader
            } else {
                ReadErrorKind::BadRecord
            };
            return Step::Fatal(
                kind,
                format!(
                    "{} claims a length of {} bytes, {why}; the file is damaged from here on",
                    at(number, &name, offset),
                    thousands(u64::from(total))
                ),
                Some(number),
            );
        }
        let total_len = total as usize;
        let Some(block) = b.get(..total_len) else {
            // Only reported if no more bytes come: the capture was cut inside this block.
            return Step::Need(format!(
                "{} claims {} bytes, but the capture ends after {} of them",
                at(number, &name, offset),
                thousands(u64::from(total)),
                thousands(b.len() as u64)
            ));
        };
        let trailer = rd32(block, total_len.saturating_sub(4), be).unwrap_or(0);
        if trailer != total {
            return Step::Fatal(
                if is_shb {
                    ReadErrorKind::BadHeader
                } else {
                    ReadErrorKind::BadRecord
                },
                format!(
                    "{} says it is {} bytes long at its start but {} at its end; the file is damaged from here on",
                    at(number, &name, offset),
                    thousands(u64::from(total)),
                    thousands(u64::from(trailer))
                ),
                Some(number),
            );
        }
        let body = block.get(8..total_len.saturating_sub(4)).unwrap_or(&[]);
        let cx = Cx {
            number,
            offset,
            name: &name,
            be,
        };
        let result = match btype {
            SHB_TYPE => self.shb(&cx, body, info),
            IDB => self.idb(&cx, body, info),
            EPB => self.epb(&cx, body, info),
            PB => self.pb(&cx, body, info),
            SPB => self.spb(&cx, body, info),
            NRB => {
                nrb(&cx, body, info);
                Ok(None)
            }
            ISB => {
                self.isb(&cx, body, info);
                Ok(None)
            }
            _ => Ok(None),
        };
        let packet = match result {
            Ok(p) => p,
            Err((kind, message)) => return Step::Fatal(kind, message, Some(number)),
        };
        self.blocks = number;
        info.count_block(&name);
        if let Some(log) = log {
            log.push(BlockInfo {
                offset,
                block_type: btype,
                name,
                len: total,
            });
        }
        match packet {
            // SPBs are the one packet block without a timestamp.
            Some(p) => Step::Packet(total_len, p, btype != SPB),
            None => Step::Skip(total_len),
        }
    }

    fn shb(&mut self, cx: &Cx<'_>, body: &[u8], info: &mut CaptureInfo) -> BlockResult {
        // byte-order magic(4), major(2), minor(2), section length(8), options
        let major = rd16(body, 4, cx.be).unwrap_or(0);
        let minor = rd16(body, 6, cx.be).unwrap_or(0);
        // Wireshark and libpcap read 1.0 and 1.2 (1.2 was briefly written and means the same).
        if !(major == 1 && (minor == 0 || minor == 2)) {
            return Err((
                ReadErrorKind::BadHeader,
                format!(
                    "section header {} says pcapng version {major}.{minor}; only version 1.0 exists, so the header is damaged (libpcap and Wireshark refuse it too)",
                    at(cx.number, cx.name, cx.offset)
                ),
            ));
        }
        let opts = options(body, 16, cx.be).map_err(|e| {
            (
                ReadErrorKind::BadHeader,
                format!("section header {}: {e}", at(cx.number, cx.name, cx.offset)),
            )
        })?;
        self.big_endian = cx.be;
        self.base = info.interfaces.len();
        self.count = 0;
        info.format = Some(Format::PcapNg);
        info.sections = info.sections.saturating_add(1);
        for (code, v) in opts {
            if code == OPT_COMMENT {
                info.comments.push(text(v));
            }
        }
        Ok(None)
    }

    fn idb(&mut self, cx: &Cx<'_>, body: &[u8], info: &mut CaptureInfo) -> BlockResult {
        // link type(2), reserved(2), snap length(4), options
        let link_type = u32::from(rd16(body, 0, cx.be).unwrap_or(0));
        let snaplen = rd32(body, 4, cx.be).unwrap_or(0);
        let opts = options(body, 8, cx.be).map_err(|e| {
            (
                ReadErrorKind::BadRecord,
                format!(
                    "interface description {}: {e}",
                    at(cx.number, cx.name, cx.offset)
                ),
            )
        })?;
        let index = info.interfaces.len();
        let mut iface = Interface {
            section: info.sections.saturating_sub(1),
            link_type,
            snaplen,
            ts_units_per_sec: 1_000_000,
            ..Interface::default()
        };
        for (code, v) in opts {
            match code {
                IF_NAME => iface.name = Some(text(v)),
                IF_DESCRIPTION => iface.description = Some(text(v)),
                IF_TSRESOL => {
                    if let Some(r) = v.first() {
                        match tsresol_units(*r) {
                            Some(u) => iface.ts_units_per_sec = u,
                            None => info.note(format!(
                                "interface {index} ({}) has a timestamp resolution byte {r:#04x} too fine to represent; microseconds are assumed",
                                at(cx.number, cx.name, cx.offset)
                            )),
                        }
                    }
                }
                IF_TSOFFSET => {
                    if let Some(o) = rd64(v, 0, cx.be) {
                        iface.ts_offset = o as i64;
                    }
                }
                IF_FCSLEN => iface.fcs_len = v.first().copied(),
                OPT_COMMENT => info
                    .comments
                    .push(format!("interface {index}: {}", text(v))),
                _ => {}
            }
        }
        info.interfaces.push(iface);
        self.count = self.count.saturating_add(1);
        Ok(None)
    }

    /// The global interface for a section-local id, or the fatal error for a dangling one.
    fn interface(
        &self,
        cx: &Cx<'_>,
        id: u32,
        info: &CaptureInfo,
    ) -> Result<IfRef, (ReadErrorKind, String)> {
        let local = id as usize;
        let found = if local < self.count {
            self.base
                .checked_add(local)
                .and_then(|g| info.interfaces.get(g).map(|i| (g, i)))
        } else {
            None
        };
        match found {
            Some((g, i)) => Ok(IfRef {
                global: u32::try_from(g).unwrap_or(u32::MAX),
                link_type: i.link_type,
                snaplen: i.snaplen,
                units: i.ts_units_per_sec,
                ts_offset: i.ts_offset,
            }),
            None => Err((
                ReadErrorKind::BadRecord,
                format!(
                    "{} refers to interface {id}, but its section defines only {} interface{}",
                    at(cx.number, cx.name, cx.offset),
                    self.count,
                    if self.count == 1 { "" } else { "s" }
                ),
            )),
        }
    }

    fn epb(&mut self, cx: &Cx<'_>, body: &[u8], info: &mut CaptureInfo) -> BlockResult {
        // interface id(4), timestamp high(4), low(4), captured len(4), original len(4), data, options
        let id = rd32(body, 0, cx.be).unwrap_or(0);
        self.packet_block(cx, body, info, id, 4, 20)
    }

    fn pb(&mut self, cx: &Cx<'_>, body: &[u8], info: &mut CaptureInfo) -> BlockResult {
        // interface id(2), drops count(2), timestamp high(4), low(4), captured len(4), original len(4), data, options
        let id = u32::from(rd16(body, 0, cx.be).unwrap_or(0));
        self.packet_block(cx, body, info, id, 4, 20)
    }

    /// EPB and PB share everything after their first four bytes.
    fn packet_block(
        &mut self,
        cx: &Cx<'_>,
        body: &[u8],
        info: &mut CaptureInfo,
        id: u32,
        ts_at: usize,
        data_at: usize,
    ) -> BlockResult {
        let iface = self.interface(cx, id, info)?;
        let ts_hi = rd32(body, ts_at, cx.be).unwrap_or(0);
        let ts_lo = rd32(body, ts_at.saturating_add(4), cx.be).unwrap_or(0);
        let cap_len = rd32(body, ts_at.saturating_add(8), cx.be).unwrap_or(0);
        let orig_len = rd32(body, ts_at.saturating_add(12), cx.be).unwrap_or(0);
        let room = body.len().saturating_sub(data_at);
        let data = match super::slice_at(body, data_at, cap_len as usize) {
            Some(d) => d,
            None => {
                return Err((
                    ReadErrorKind::BadRecord,
                    format!(
                        "{} claims {} captured bytes, but the block holds only {}; the file is damaged from here on",
                        at(cx.number, cx.name, cx.offset),
                        thousands(u64::from(cap_len)),
                        thousands(room as u64)
                    ),
                ))
            }
        };
        let ticks = (u64::from(ts_hi) << 32) | u64::from(ts_lo);
        let ts = Timestamp::from_ticks(ticks, iface.units, iface.ts_offset);
        let mut comments = Vec::new();
        let opt_start = pad4(cap_len as usize)
            .and_then(|p| p.checked_add(data_at))
            .unwrap_or(usize::MAX);
        match options(body, opt_start, cx.be) {
            Ok(opts) => {
                for (code, v) in opts {
                    if code == OPT_COMMENT {
                        comments.push(text(v));
                    }
                }
            }
            Err(e) => info.note(format!(
                "{}: {e}; the packet is kept, its remaining options are ignored",
                at(cx.number, cx.name, cx.offset)
            )),
        }
        Ok(Some(Packet {
            number: 0,
            file_offset: cx.offset,
            interface: iface.global,
            link_type: iface.link_type,
            ts,
            cap_len,
            orig_len,
            data: data.to_vec(),
            comments,
        }))
    }

    fn spb(&mut self, cx: &Cx<'_>, body: &[u8], info: &mut CaptureInfo) -> BlockResult {
        // original len(4), data (padded). The packet belongs to the section's first interface.
        if self.count == 0 {
            return Err((
                ReadErrorKind::BadRecord,
                format!(
                    "{} is a simple packet block, but its section defines no interface for it",
                    at(cx.number, cx.name, cx.offset)
                ),
            ));
        }
        let iface = self.interface(cx, 0, info)?;
        let orig_len = rd32(body, 0, cx.be).unwrap_or(0);
        let room = u32::try_from(body.len().saturating_sub(4)).unwrap_or(u32::MAX);
        let mut cap_len = orig_len.min(room);
        if iface.snaplen != 0 {
            cap_len = cap_len.min(iface.snaplen);
        }
        let data = super::slice_at(body, 4, cap_len as usize).unwrap_or(&[]);
        Ok(Some(Packet {
            number: 0,
            file_offset: cx.offset,
            interface: iface.global,
            link_type: iface.link_type,
            // SPBs carry no timestamp.
            ts: Timestamp::default(),
            cap_len: data.len() as u32,
            orig_len,
            data: data.to_vec(),
            comments: Vec::new(),
        }))
    }

    fn isb(&mut self, cx: &Cx<'_>, body: &[u8], info: &mut CaptureInfo) {
        // interface id(4), timestamp high(4), low(4), options
        let id = rd32(body, 0, cx.be).unwrap_or(0);
        let Ok(iface) = self.interface(cx, id, info) else {
            info.note(format!(
                "{} gives statistics for interface {id}, which its section does not define; ignored",
                at(cx.number, cx.name, cx.offset)
            ));
            return;
        };
        let (units, offset) = (iface.units, iface.ts_offset);
        let ts_of = |hi: u32, lo: u32| {
            Timestamp::from_ticks((u64::from(hi) << 32) | u64::from(lo), units, offset)
        };
        let mut stats = InterfaceStats {
            ts: ts_of(
                rd32(body, 4, cx.be).unwrap_or(0),
                rd32(body, 8, cx.be).unwrap_or(0),
            ),
            ..InterfaceStats::default()
        };
        let opts = match options(body, 12, cx.be) {
            Ok(o) => o,
            Err(e) => {
                info.note(format!(
                    "{}: {e}; its statistics are ignored",
                    at(cx.number, cx.name, cx.offset)
                ));
                return;
            }
        };
        for (code, v) in opts {
            let n = rd64(v, 0, cx.be);
            let t = rd32(v, 0, cx.be)
                .zip(rd32(v, 4, cx.be))
                .map(|(h, l)| ts_of(h, l));
            match code {
                OPT_COMMENT => stats.comments.push(text(v)),
                ISB_STARTTIME => stats.start = t,
                ISB_ENDTIME => stats.end = t,
                ISB_IFRECV => stats.received = n,
                ISB_IFDROP => stats.dropped = n,
                ISB_FILTERACCEPT => stats.filter_accepted = n,
                ISB_OSDROP => stats.os_dropped = n,
                ISB_USRDELIV => stats.delivered = n,
                _ => {}
            }
        }
        if let Some(i) = info.interfaces.get_mut(iface.global as usize) {
            i.stats = Some(stats);
        }
    }
}

/// What a packet block needs from its interface, copied so the interface list stays free for notes.
struct IfRef {
    global: u32,
    link_type: u32,
    snaplen: u32,
    units: u64,
    ts_offset: i64,
}

struct Cx<'a> {
    number: u64,
    offset: u64,
    name: &'a str,
    be: bool,
}

type BlockResult = Result<Option<Packet>, (ReadErrorKind, String)>;

/// Smallest total length of each block type: 12 bytes of framing plus its fixed fields.
fn min_len(t: u32) -> u32 {
    let fixed = match t {
        SHB_TYPE => 16,
        IDB => 8,
        PB | EPB => 20,
        SPB => 4,
        ISB => 12,
        _ => 0,
    };
    BLOCK_OVERHEAD as u32 + fixed
}

/// Timestamp units per second for an `if_tsresol` byte: 10^-n, or 2^-n when the top bit is set.
fn tsresol_units(r: u8) -> Option<u64> {
    let exp = u32::from(r & 0x7f);
    if r & 0x80 != 0 {
        1u64.checked_shl(exp).filter(|_| exp < 64)
    } else {
        10u64.checked_pow(exp)
    }
}

/// The options from `start` to the end of `body`, as (code, value) pairs, stopping at
/// opt_endofopt. An option that runs past the block is an error; fewer than four stray bytes at
/// the end are ignored as padding.
fn options(body: &[u8], start: usize, be: bool) -> Result<Vec<(u16, &[u8])>, String> {
    let mut out = Vec::new();
    let mut pos = start;
    while let (Some(code), Some(len)) = (rd16(body, pos, be), rd16(body, pos.saturating_add(2), be))
    {
        if code == OPT_ENDOFOPT {
            break;
        }
        let value_at = pos.saturating_add(4);
        let Some(v) = super::slice_at(body, value_at, usize::from(len)) else {
            return Err(format!(
                "option {code} at block offset {} claims {} bytes; only {} remain in the block",
                thousands(pos.saturating_add(8) as u64),
                thousands(u64::from(len)),
                thousands(body.len().saturating_sub(value_at) as u64)
            ));
        };
        out.push((code, v));
        pos = value_at.saturating_add(pad4(usize::from(len)).unwrap_or(usize::MAX));
    }
    Ok(out)
}

/// Option text as UTF-8, without the NUL terminators some writers add.
fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(v)
        .trim_end_matches('\0')
        .to_string()
}

fn nrb(cx: &Cx<'_>, body: &[u8], info: &mut CaptureInfo) {
    let mut pos = 0usize;
    let mut names = Vec::new();
    while let (Some(rtype), Some(len)) = (
        rd16(body, pos, cx.be),
        rd16(body, pos.saturating_add(2), cx.be),
    ) {
        if rtype == NRB_END {
            break;
        }
        let Some(v) = super::slice_at(body, pos.saturating_add(4), usize::from(len)) else {
            info.note(format!(
                "{}: a name record claims {} bytes, more than the block holds; the rest of its names are ignored",
                at(cx.number, cx.name, cx.offset),
                thousands(u64::from(len))
            ));
            break;
        };
        let addr: Option<(IpAddr, &[u8])> = match rtype {
            NRB_IPV4 => super::array4(v, 0)
                .map(|a| (IpAddr::V4(Ipv4Addr::from(a)), v.get(4..).unwrap_or(&[]))),
            NRB_IPV6 => crate::decode::bytes::array::<16>(v, 0)
                .map(|a| (IpAddr::V6(Ipv6Addr::from(a)), v.get(16..).unwrap_or(&[]))),
            _ => None,
        };
        if let Some((ip, rest)) = addr {
            // One address may carry several NUL-terminated names.
            for n in rest.split(|&c| c == 0).filter(|n| !n.is_empty()) {
                names.push((ip, String::from_utf8_lossy(n).into_owned()));
            }
        }
        pos = pos
            .saturating_add(4)
            .saturating_add(pad4(usize::from(len)).unwrap_or(usize::MAX));
    }
    info.names.extend(names);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsresol_forms() {
        assert_eq!(tsresol_units(6), Some(1_000_000));
        assert_eq!(tsresol_units(9), Some(1_000_000_000));
        assert_eq!(tsresol_units(0x80 | 10), Some(1024));
        assert_eq!(tsresol_units(19), Some(10_000_000_000_000_000_000));
        assert_eq!(tsresol_units(20), None);
        assert_eq!(tsresol_units(0x80 | 63), Some(1 << 63));
        assert_eq!(tsresol_units(0xff), None);
    }

    #[test]
    fn options_stop_at_end_and_reject_overruns() {
        // comment (1) "hi" padded to 4, endofopt
        let le = [1, 0, 2, 0, b'h', b'i', 0, 0, 0, 0, 0, 0];
        assert_eq!(options(&le, 0, false), Ok(vec![(1, &b"hi"[..])]));
        // code 1, length 12 but only 2 bytes follow
        let bad = [1, 0, 12, 0, b'h', b'i'];
        let e = options(&bad, 0, false).unwrap_err();
        assert!(e.contains("claims 12 bytes; only 2 remain"), "{e}");
        // no options at all, and a stray 2 bytes of padding
        assert_eq!(options(&[], 0, true), Ok(vec![]));
        assert_eq!(options(&[0, 0], 0, true), Ok(vec![]));
    }

    #[test]
    fn names_block_names() {
        assert_eq!(block_name(6), "EPB");
        assert_eq!(block_name(0x40000bad), "DCB");
        assert_eq!(block_name(0x1234), "unknown 0x00001234");
    }
}
