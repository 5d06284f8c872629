//! Capture files: pcap (all variants), pcapng, and either of them gzip-compressed, read
//! incrementally from byte chunks of any size.
//!
//! Owns turning file bytes into packets with their timestamps and interfaces, and saying plainly
//! what is wrong with a file that cannot be read. Must never require the whole file in memory,
//! never allocate from a length read from the file before checking it, never panic on any input,
//! and never drop a packet that was read before a problem: damage ends the stream with an
//! [`Event::Error`] after every good packet has been returned.
//!
//! The format parsers ([`pcap`], [`pcapng`]) are slice parsers in the style of pcap-parser: they
//! look at the unparsed bytes and answer "one unit of n bytes", "need more", or "fatal". The
//! reader feeds them, asks the input for more when they need it, and turns "need more" at the end
//! of the input into a positioned truncation error.

mod gzip;
mod input;
mod pcap;
mod pcapng;
mod sniff;
mod time;
pub mod write;

pub use sniff::describe_start;

use serde::Serialize;
use std::fmt;
use std::net::IpAddr;

/// A point in time: UTC seconds since 1970 and nanoseconds (always below 1e9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Timestamp {
    pub secs: i64,
    pub nanos: u32,
}

/// One captured packet and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Packet {
    /// 1-based, in file order.
    pub number: u64,
    /// Offset of its record or block in the (decompressed) capture stream.
    pub file_offset: u64,
    /// Global interface index across sections (pcap: 0).
    pub interface: u32,
    /// LINKTYPE_ value of its interface.
    pub link_type: u32,
    /// Zero for pcapng simple packet blocks, which carry no time.
    pub ts: Timestamp,
    pub cap_len: u32,
    pub orig_len: u32,
    pub data: Vec<u8>,
    /// pcapng `opt_comment` options of the packet block.
    pub comments: Vec<String>,
}

/// The container format and, for pcap, its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Format {
    Pcap {
        big_endian: bool,
        nanosecond: bool,
        /// The Kuznetzov "modified pcap" variant (magic a1b2cd34) with 24-byte record headers.
        modified: bool,
        version: (u16, u16),
        snaplen: u32,
        link_type: u32,
    },
    PcapNg,
}

/// Counters from a pcapng interface statistics block (the last one seen for the interface).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct InterfaceStats {
    /// When the statistics were taken.
    pub ts: Timestamp,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// isb_ifrecv: packets the interface received.
    pub received: Option<u64>,
    /// isb_ifdrop: packets the interface dropped.
    pub dropped: Option<u64>,
    /// isb_filteraccept: packets the capture filter accepted.
    pub filter_accepted: Option<u64>,
    /// isb_osdrop: packets the operating system dropped.
    pub os_dropped: Option<u64>,
    /// isb_usrdeliv: packets delivered to the capturing program.
    pub delivered: Option<u64>,
    pub comments: Vec<String>,
}

/// A capture interface: pcap has exactly one, pcapng one per IDB.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Interface {
    /// 0-based section the interface belongs to.
    pub section: u32,
    pub link_type: u32,
    /// 0 means no limit.
    pub snaplen: u32,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Timestamp ticks per second (from `if_tsresol`; pcap: 1e6 or 1e9).
    pub ts_units_per_sec: u64,
    /// Seconds added to every timestamp (`if_tsoffset`).
    pub ts_offset: i64,
    /// Bytes of frame check sequence at the end of each frame, when the file says.
    pub fcs_len: Option<u8>,
    pub stats: Option<InterfaceStats>,
}

/// What is known about the capture so far.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CaptureInfo {
    /// `None` until the format is recognised.
    pub format: Option<Format>,
    pub gzip: bool,
    pub interfaces: Vec<Interface>,
    /// Name resolution records from pcapng NRBs, one entry per name, in file order.
    pub names: Vec<(IpAddr, String)>,
    /// pcapng sections read (pcap: 1 once its header is read).
    pub sections: u32,
    pub packets: u64,
    /// Sum of captured lengths.
    pub packet_bytes: u64,
    /// Earliest and latest packet timestamps (packets without a timestamp are left out).
    pub first_ts: Option<Timestamp>,
    pub last_ts: Option<Timestamp>,
    /// pcapng blocks by short name in first-seen order, e.g. ("SHB",1), ("EPB",10),
    /// ("CB",1) for custom blocks, ("unknown 0x00000123",1). Empty for pcap.
    pub block_counts: Vec<(String, u64)>,
    /// SHB comments, then other non-packet comments prefixed with where they came from.
    pub comments: Vec<String>,
    /// Non-fatal problems, positioned, in plain language.
    pub notes: Vec<String>,
}

/// Notes beyond this many are dropped (with one line saying so): a damaged file can have a
/// problem in every record.
const MAX_NOTES: usize = 200;

impl CaptureInfo {
    pub(crate) fn note(&mut self, text: String) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(text);
        } else if self.notes.len() == MAX_NOTES {
            self.notes.push(format!(
                "further notes were left out (at most {MAX_NOTES} are kept)"
            ));
        }
    }

    fn count_block(&mut self, name: &str) {
        match self.block_counts.iter_mut().find(|(n, _)| n == name) {
            Some((_, c)) => *c = c.saturating_add(1),
            None => self.block_counts.push((name.to_string(), 1)),
        }
    }

    fn count_packet(&mut self, p: &Packet, has_ts: bool) {
        self.packets = self.packets.saturating_add(1);
        self.packet_bytes = self.packet_bytes.saturating_add(u64::from(p.cap_len));
        if has_ts {
            self.first_ts = Some(self.first_ts.map_or(p.ts, |t| t.min(p.ts)));
            self.last_ts = Some(self.last_ts.map_or(p.ts, |t| t.max(p.ts)));
        }
    }
}

/// One pcapng block as read, for checking block sequences (see [`CaptureReader::with_block_log`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockInfo {
    pub offset: u64,
    pub block_type: u32,
    /// Short name as in [`CaptureInfo::block_counts`].
    pub name: String,
    pub len: u32,
}

/// What kind of problem stopped reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadErrorKind {
    /// No bytes at all.
    Empty,
    /// The first bytes are not a pcap or pcapng file (the message says what they look like).
    NotACapture,
    /// A capture magic, but an impossible file or section header.
    BadHeader,
    /// The input ends in the middle of a record or block.
    Truncated,
    /// A record or block header that cannot be right (absurd length, unknown interface).
    BadRecord,
    /// The gzip compression layer is damaged or cut short.
    Gzip,
}

/// A fatal reading problem. Every packet before it has already been returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadError {
    /// Offset in the (decompressed) capture stream where the problem is.
    pub offset: u64,
    /// 1-based pcap record or pcapng block number, when the problem is in one.
    pub record: Option<u64>,
    pub kind: ReadErrorKind,
    /// Plain-language explanation with positions, e.g. "record 1,204 at byte 3,456,789 claims
    /// 65,600 bytes; only 120 remain".
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

/// What [`CaptureReader::next`] produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Event {
    Packet(Packet),
    /// Feed more bytes (or call `finish`).
    NeedMore,
    /// The whole input was read (after `finish`), or reading stopped after an `Error`.
    End,
    /// Fatal for the rest of the file; every earlier packet was already returned.
    Error(ReadError),
}

/// The answer of a format parser about the bytes at the front of the buffer.
pub(crate) enum Step {
    /// A packet whose record/block used this many bytes; the flag is false when the block
    /// carries no timestamp (pcapng SPB).
    Packet(usize, Packet, bool),
    /// A non-packet unit (file header, IDB, NRB...) of this many bytes was handled.
    Skip(usize),
    /// More bytes are needed; the text is the error to report if none will come.
    Need(String),
    Fatal(ReadErrorKind, String, Option<u64>),
}

enum Mode {
    /// Format not yet recognised.
    Sniff,
    Pcap(pcap::PcapState),
    PcapNg(pcapng::NgState),
    /// `End` or `Error` was returned; only `End` follows.
    Stopped,
}

/// Incremental capture reader: feed chunks, pull events.
///
/// ```
/// use tracelens::capture::{CaptureReader, Event};
/// let mut r = CaptureReader::new();
/// r.feed(&[0xd4, 0xc3]); // a chunk may end anywhere, even inside the magic
/// assert!(matches!(r.next(), Event::NeedMore));
/// r.finish();
/// assert!(matches!(r.next(), Event::Error(_)));
/// assert!(matches!(r.next(), Event::End));
/// ```
pub struct CaptureReader {
    input: input::Input,
    mode: Mode,
    info: CaptureInfo,
    log: Option<Vec<BlockInfo>>,
}

impl Default for CaptureReader {
    fn default() -> Self {
        Self::new()
    }
}

impl CaptureReader {
    pub fn new() -> Self {
        CaptureReader {
            input: input::Input::new(),
            mode: Mode::Sniff,
            info: CaptureInfo::default(),
            log: None,
        }
    }

    /// A reader that also records every pcapng block it reads (see [`CaptureReader::block_log`]);
    /// memory grows with the number of blocks, so it is meant for tests and small files.
    pub fn with_block_log() -> Self {
        CaptureReader {
            log: Some(Vec::new()),
            ..Self::new()
        }
    }

    /// The pcapng blocks read so far (empty unless made by [`CaptureReader::with_block_log`]).
    pub fn block_log(&self) -> &[BlockInfo] {
        self.log.as_deref().unwrap_or(&[])
    }

    /// Appends a chunk of the file. Chunks fed after [`CaptureReader::finish`] are ignored.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.input.feed(bytes);
    }

    /// Says that no more bytes will come.
    pub fn finish(&mut self) {
        self.input.finish();
    }

    pub fn info(&self) -> &CaptureInfo {
        &self.info
    }

    /// Input bytes used so far (compressed bytes for gzip), for progress display.
    pub fn bytes_consumed(&self) -> u64 {
        self.input.consumed()
    }

    /// Pulls the next event.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Event {
        loop {
            let step = match &mut self.mode {
                Mode::Stopped => return Event::End,
                Mode::Sniff => self.sniff(),
                Mode::Pcap(p) => p.step(self.input.data(), self.input.offset(), &mut self.info),
                Mode::PcapNg(n) => n.step(
                    self.input.data(),
                    self.input.offset(),
                    &mut self.info,
                    self.log.as_mut(),
                ),
            };
            match step {
                Step::Packet(used, mut p, has_ts) => {
                    self.input.consume(used);
                    p.number = self.info.packets.saturating_add(1);
                    self.info.count_packet(&p, has_ts);
                    return Event::Packet(p);
                }
                Step::Skip(used) => self.input.consume(used),
                Step::Need(why) => {
                    let fill = self.input.fill();
                    for n in self.input.take_notes() {
                        self.info.note(n);
                    }
                    match fill {
                        input::Fill::Progress => {}
                        input::Fill::NeedInput => return Event::NeedMore,
                        input::Fill::Eof => return self.at_eof(why),
                        input::Fill::Error(m) => return self.stop(ReadErrorKind::Gzip, m, None),
                    }
                }
                Step::Fatal(kind, message, record) => return self.stop(kind, message, record),
            }
        }
    }

    /// Recognises the format once enough bytes are there to be sure.
    fn sniff(&mut self) -> Step {
        self.info.gzip = self.input.is_gzip();
        let b = self.input.data();
        let prefix = if self.info.gzip {
            "gzip-compressed, but what is inside is not a pcap or pcapng file: "
        } else {
            "not a pcap or pcapng file: "
        };
        match sniff::classify(b) {
            Some(sniff::Kind::Pcap) => {
                self.mode = Mode::Pcap(pcap::PcapState::new());
                Step::Skip(0)
            }
            Some(sniff::Kind::PcapNg) => {
                self.mode = Mode::PcapNg(pcapng::NgState::new());
                Step::Skip(0)
            }
            Some(sniff::Kind::Other(what)) if b.len() >= sniff::SNIFF_LEN => {
                Step::Fatal(ReadErrorKind::NotACapture, format!("{prefix}{what}"), None)
            }
            // Wait for the full sample (or the end) so the description does not depend on
            // where the chunks happened to be cut.
            Some(sniff::Kind::Other(what)) => Step::Need(format!("{prefix}{what}")),
            None if b.is_empty() && self.info.gzip => {
                Step::Need(format!("{prefix}the compressed data is empty"))
            }
            None if b.is_empty() => Step::Need("the file is empty (0 bytes)".to_string()),
            None => Step::Need(format!(
                "{prefix}it is only {} byte{} long ({})",
                b.len(),
                if b.len() == 1 { "" } else { "s" },
                sniff::hex(b)
            )),
        }
    }

    /// The input ended while a parser wanted more: a clean end at a unit boundary, or damage.
    fn at_eof(&mut self, why: String) -> Event {
        let kind = match self.mode {
            Mode::Sniff if self.input.data().is_empty() && !self.info.gzip => ReadErrorKind::Empty,
            Mode::Sniff => ReadErrorKind::NotACapture,
            _ if self.input.data().is_empty() => {
                self.mode = Mode::Stopped;
                return Event::End;
            }
            _ => ReadErrorKind::Truncated,
        };
        let record = match (&self.mode, kind) {
            (_, ReadErrorKind::Truncated) => self.current_record(),
            _ => None,
        };
        self.stop(kind, why, record)
    }

    fn current_record(&self) -> Option<u64> {
        match &self.mode {
            Mode::Pcap(_) if self.info.interfaces.is_empty() => None,
            Mode::Pcap(_) => Some(self.info.packets.saturating_add(1)),
            Mode::PcapNg(_) => Some(
                self.info
                    .block_counts
                    .iter()
                    .map(|(_, c)| *c)
                    .sum::<u64>()
                    .saturating_add(1),
            ),
            _ => None,
        }
    }

    fn stop(&mut self, kind: ReadErrorKind, message: String, record: Option<u64>) -> Event {
        self.mode = Mode::Stopped;
        Event::Error(ReadError {
            offset: self.input.offset(),
            record,
            kind,
            message,
        })
    }
}

/// A whole capture read from memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capture {
    pub packets: Vec<Packet>,
    pub info: CaptureInfo,
    /// The problem that stopped reading, if any; `packets` holds everything before it.
    pub error: Option<ReadError>,
}

/// Convenience: reads a whole in-memory file.
pub fn read_all(bytes: &[u8]) -> Capture {
    let mut r = CaptureReader::new();
    r.feed(bytes);
    r.finish();
    let mut packets = Vec::new();
    let mut error = None;
    loop {
        match r.next() {
            Event::Packet(p) => packets.push(p),
            Event::Error(e) => error = Some(e),
            // NeedMore cannot follow finish; treat it like the end rather than loop.
            Event::End | Event::NeedMore => break,
        }
    }
    Capture {
        packets,
        info: r.info,
        error,
    }
}

/// `n` and the noun that goes with it: `1 packet`, `1,204 packets`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `1234567` as `1,234,567`, for messages people read.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    // Digits left before the next comma, counted from the left.
    let mut until_comma = digits.len() % 3;
    if until_comma == 0 {
        until_comma = 3;
    }
    for c in digits.chars() {
        if until_comma == 0 {
            out.push(',');
            until_comma = 3;
        }
        out.push(c);
        until_comma -= 1;
    }
    out
}

fn array4(b: &[u8], off: usize) -> Option<[u8; 4]> {
    crate::decode::bytes::array::<4>(b, off)
}

fn array8(b: &[u8], off: usize) -> Option<[u8; 8]> {
    crate::decode::bytes::array::<8>(b, off)
}

fn slice_at(b: &[u8], off: usize, len: usize) -> Option<&[u8]> {
    crate::decode::bytes::slice(b, off, len)
}

/// Reads in the byte order of the file or section being parsed.
fn rd16(b: &[u8], off: usize, big_endian: bool) -> Option<u16> {
    use crate::decode::bytes::{be16, le16};
    if big_endian {
        be16(b, off)
    } else {
        le16(b, off)
    }
}

fn rd32(b: &[u8], off: usize, big_endian: bool) -> Option<u32> {
    use crate::decode::bytes::{be32, le32};
    if big_endian {
        be32(b, off)
    } else {
        le32(b, off)
    }
}

fn rd64(b: &[u8], off: usize, big_endian: bool) -> Option<u64> {
    use crate::decode::bytes::{be64, le64};
    if big_endian {
        be64(b, off)
    } else {
        le64(b, off)
    }
}

#[cfg(test)]
mod tests;

impl Packet {
    /// Decodes this packet, telling the decoder how long the frame was on the wire.
    pub fn decode(&self) -> crate::decode::Dissection {
        let orig = usize::try_from(self.orig_len).unwrap_or(usize::MAX);
        crate::decode::decode_with_len(&self.data, self.link_type, orig)
    }

    /// The packet decoded without the fields' readable renderings: see
    /// [`crate::decode::decode_lean`].
    pub fn decode_lean(&self) -> crate::decode::Dissection {
        let orig = usize::try_from(self.orig_len).unwrap_or(usize::MAX);
        crate::decode::decode_lean(&self.data, self.link_type, orig)
    }

    /// The packet decoded lean and with its checksums unverified: see
    /// [`crate::decode::decode_unverified`].
    pub fn decode_unverified(&self) -> crate::decode::Dissection {
        let orig = usize::try_from(self.orig_len).unwrap_or(usize::MAX);
        crate::decode::decode_unverified(&self.data, self.link_type, orig)
    }
}
