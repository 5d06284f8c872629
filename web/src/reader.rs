//! The worker's side of a capture: feed slices into the core's incremental reader and keep a
//! compact per-packet index, so any packet can be read again later from the `File` by offset.
//!
//! Owns the index (where each packet's bytes are, its lengths, link type, time and worst finding)
//! and finding a packet's bytes again in a re-read slice. It must never touch the DOM or the
//! worker global (so it can be tested natively), and never keep decoded packets: a decoded packet
//! is many times larger than its bytes, and a capture of millions of packets must still fit.
//! Only gzip-compressed captures keep their packet bytes, because offsets into the decompressed
//! stream cannot be read back from the compressed `File`.

use crate::protocol::{FromWorker, Level};
use tracelens::capture::{CaptureInfo, CaptureReader, Event, Format, Packet, Timestamp};

/// How many of the reader's non-fatal notes the page lists.
pub const MAX_NOTES: usize = 20;

/// Longest record header in front of packet data: pcapng enhanced and obsolete packet blocks
/// (type, length, interface, timestamp x2, captured and original length: 7 x 4 bytes).
const PCAPNG_MAX_HDR: u64 = 28;

/// What the index remembers about one packet: 40 bytes, whatever the packet's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Start of the packet's record or block in the file (in [`Index::arena`] for gzip).
    pub rec_offset: u64,
    pub cap_len: u32,
    pub orig_len: u32,
    pub link_type: u32,
    pub ts: Timestamp,
    /// [`Level`] of the worst finding, as `Level::to_u8`.
    pub level: u8,
}

impl Entry {
    pub fn level(&self) -> Level {
        Level::from_u8(self.level)
    }
}

/// How to get from a record's offset to its packet bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Classic pcap: a fixed record header (16 bytes, 24 for the "modified" variant).
    Pcap { hdr: u64 },
    /// pcapng: the header length depends on the block type, read from the block itself.
    PcapNg,
    /// gzip: the bytes were copied into the arena at `rec_offset`.
    Memory,
}

/// Every packet of a file, in file order (packet `n` is `entries[n - 1]`).
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub entries: Vec<Entry>,
    pub layout: Option<Layout>,
    /// Packet bytes of gzip captures, back to back.
    pub arena: Vec<u8>,
    /// Time of the first packet: relative times count from here.
    pub first_ts: Option<Timestamp>,
}

impl Index {
    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Packet `number` (1-based).
    pub fn get(&self, number: u64) -> Option<&Entry> {
        let i = usize::try_from(number.checked_sub(1)?).ok()?;
        self.entries.get(i)
    }

    fn push(&mut self, p: &Packet, info: &CaptureInfo, level: Level) {
        let layout = *self.layout.get_or_insert_with(|| layout_of(info));
        let rec_offset = if layout == Layout::Memory {
            let at = self.arena.len() as u64;
            self.arena.extend_from_slice(&p.data);
            at
        } else {
            p.file_offset
        };
        self.first_ts.get_or_insert(p.ts);
        self.entries.push(Entry {
            rec_offset,
            cap_len: p.cap_len,
            orig_len: p.orig_len,
            link_type: p.link_type,
            ts: p.ts,
            level: level.to_u8(),
        });
    }

    /// The file range to read for packets `first..first + count`: the records are in file order,
    /// so one slice covers a whole screenful. `None` when the packets live in the arena or the
    /// range holds no packet.
    pub fn span(&self, first: u64, count: u64) -> Option<(u64, u64)> {
        let hdr = match self.layout? {
            Layout::Memory => return None,
            Layout::Pcap { hdr } => hdr,
            Layout::PcapNg => PCAPNG_MAX_HDR,
        };
        let a = self.get(first)?;
        let last = first.saturating_add(count.max(1) - 1).min(self.len());
        let b = self.get(last)?;
        let end = b
            .rec_offset
            .saturating_add(hdr)
            .saturating_add(u64::from(b.cap_len));
        Some((a.rec_offset, end))
    }

    /// Packet `number`'s bytes, found in `buf` (the file bytes from `buf_start` on) or in the
    /// arena. `None` when the slice does not hold them, which would mean the file changed.
    pub fn bytes<'a>(&'a self, number: u64, buf: &'a [u8], buf_start: u64) -> Option<&'a [u8]> {
        let e = self.get(number)?;
        let len = usize::try_from(e.cap_len).ok()?;
        let (src, at) = match self.layout? {
            Layout::Memory => (self.arena.as_slice(), usize::try_from(e.rec_offset).ok()?),
            Layout::Pcap { hdr } => {
                let rel = e.rec_offset.checked_sub(buf_start)?.checked_add(hdr)?;
                (buf, usize::try_from(rel).ok()?)
            }
            Layout::PcapNg => {
                let rel = usize::try_from(e.rec_offset.checked_sub(buf_start)?).ok()?;
                let ty = buf.get(rel..rel.checked_add(4)?)?;
                let ty = [
                    u32::from_le_bytes(ty.try_into().ok()?),
                    u32::from_be_bytes(ty.try_into().ok()?),
                ];
                // Block types of the pcapng spec (draft-ietf-opsawg-pcapng): 6 enhanced packet,
                // 2 obsolete packet (same header length), 3 simple packet.
                let hdr = if ty.contains(&6) || ty.contains(&2) {
                    28
                } else if ty.contains(&3) {
                    12
                } else {
                    return None;
                };
                (buf, rel.checked_add(hdr)?)
            }
        };
        src.get(at..at.checked_add(len)?)
    }
}

fn layout_of(info: &CaptureInfo) -> Layout {
    match &info.format {
        _ if info.gzip => Layout::Memory,
        Some(Format::Pcap { modified: true, .. }) => Layout::Pcap { hdr: 24 },
        Some(Format::Pcap { .. }) => Layout::Pcap { hdr: 16 },
        // Packets only come after the format is known; pcapng is the only other format.
        _ => Layout::PcapNg,
    }
}

/// One file being read.
pub struct Job {
    pub id: u32,
    reader: CaptureReader,
    pub index: Index,
    bytes: u64,
    error: Option<String>,
    ended: bool,
}

impl Job {
    pub fn new(id: u32) -> Job {
        Job {
            id,
            reader: CaptureReader::new(),
            index: Index::default(),
            bytes: 0,
            error: None,
            ended: false,
        }
    }

    /// True once the reader has reached the end or an error: further slices would be ignored.
    pub fn stopped(&self) -> bool {
        self.ended || self.error.is_some()
    }

    /// Feeds one slice and returns the progress report for it.
    pub fn feed(&mut self, chunk: &[u8]) -> FromWorker {
        if !self.stopped() {
            self.bytes = self.bytes.saturating_add(chunk.len() as u64);
            self.reader.feed(chunk);
            self.drain();
        }
        FromWorker::Progress {
            job: self.id,
            packets: self.index.len(),
            bytes: self.bytes,
            format: self.format(),
        }
    }

    /// Tells the reader no more bytes come and returns the final report.
    pub fn finish(&mut self) -> FromWorker {
        if !self.stopped() {
            self.reader.finish();
            self.drain();
        }
        self.ended = true;
        FromWorker::Done {
            job: self.id,
            packets: self.index.len(),
            bytes: self.bytes,
            format: self.format(),
            notes: self
                .reader
                .info()
                .notes
                .iter()
                .take(MAX_NOTES)
                .cloned()
                .collect(),
            error: self.error.clone(),
        }
    }

    fn format(&self) -> Option<String> {
        describe_format(self.reader.info())
    }

    fn drain(&mut self) {
        loop {
            match self.reader.next() {
                Event::Packet(p) => {
                    // The list marks every row with its worst finding, so each packet is decoded
                    // and explained once here; only the severity is kept.
                    let d = p.decode();
                    let level =
                        Level::from_severity(tracelens::explain::worst_severity(p.number, &d));
                    self.index.push(&p, self.reader.info(), level);
                }
                Event::NeedMore => break,
                Event::End => {
                    self.ended = true;
                    break;
                }
                Event::Error(e) => {
                    self.error = Some(e.to_string());
                    break;
                }
            }
        }
    }
}

/// One line about the container, e.g. `pcap 2.4, little-endian, microseconds, snaplen 65535,
/// Ethernet` or `pcapng, gzip-compressed`.
pub fn describe_format(info: &CaptureInfo) -> Option<String> {
    let mut s = match info.format.as_ref()? {
        Format::Pcap {
            big_endian,
            nanosecond,
            modified,
            version,
            snaplen,
            link_type,
        } => {
            let link = tracelens::decode::linktype::name(*link_type)
                .map(str::to_string)
                .unwrap_or_else(|| format!("link type {link_type}"));
            format!(
                "pcap {}.{}{}, {}, {}, snaplen {snaplen}, {link}",
                version.0,
                version.1,
                if *modified { " (modified)" } else { "" },
                if *big_endian {
                    "big-endian"
                } else {
                    "little-endian"
                },
                if *nanosecond {
                    "nanoseconds"
                } else {
                    "microseconds"
                },
            )
        }
        Format::PcapNg => {
            let n = info.sections;
            if n > 1 {
                format!("pcapng, {n} sections")
            } else {
                "pcapng".to_string()
            }
        }
    };
    if info.gzip {
        s.push_str(", gzip-compressed");
    }
    Some(s)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A little-endian microsecond pcap with two 14-byte Ethernet frames (no payload).
    pub(crate) fn sample() -> Vec<u8> {
        let mut v = vec![
            0xd4, 0xc3, 0xb2, 0xa1, // magic, little-endian microseconds
            2, 0, 4, 0, // version 2.4
            0, 0, 0, 0, 0, 0, 0, 0, // thiszone, sigfigs
            0xff, 0xff, 0, 0, // snaplen 65535
            1, 0, 0, 0, // LINKTYPE_ETHERNET
        ];
        for sec in [100u8, 101] {
            v.extend_from_slice(&[sec, 0, 0, 0, 0, 0, 0, 0]); // ts_sec, ts_usec
            v.extend_from_slice(&[14, 0, 0, 0, 14, 0, 0, 0]); // incl_len, orig_len
                                                              // dst 02:00:00:00:00:02, src 02:00:00:00:00:01, EtherType 0x88b5 (local experimental)
            v.extend_from_slice(&[0x02, 0, 0, 0, 0, sec, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5]);
        }
        v
    }

    pub(crate) fn read(bytes: &[u8], chunk: usize) -> (Job, FromWorker) {
        let mut job = Job::new(7);
        for c in bytes.chunks(chunk.max(1)) {
            job.feed(c);
        }
        let done = job.finish();
        (job, done)
    }

    #[test]
    fn any_chunking_gives_the_same_index_and_report() {
        let bytes = sample();
        let (whole_job, whole) = read(&bytes, bytes.len());
        for chunk in 1..bytes.len() {
            let (job, done) = read(&bytes, chunk);
            assert_eq!(done, whole, "chunk size {chunk}");
            assert_eq!(job.index.entries, whole_job.index.entries, "chunk {chunk}");
        }
        let FromWorker::Done {
            packets,
            bytes: n,
            format,
            error,
            ..
        } = whole
        else {
            panic!("not done");
        };
        assert_eq!(packets, 2);
        assert_eq!(n, 24 + 2 * 30);
        assert_eq!(error, None);
        assert_eq!(
            format.as_deref(),
            Some("pcap 2.4, little-endian, microseconds, snaplen 65535, Ethernet")
        );
        let e = &whole_job.index.entries;
        // Records start after the 24-byte file header, 30 bytes apart.
        assert_eq!(e[0].rec_offset, 24);
        assert_eq!(e[1].rec_offset, 54);
        assert_eq!((e[1].cap_len, e[1].orig_len, e[1].link_type), (14, 14, 1));
        assert_eq!(e[1].ts.secs, 101);
        assert_eq!(whole_job.index.layout, Some(Layout::Pcap { hdr: 16 }));
    }

    #[test]
    fn packet_bytes_are_found_again_in_a_re_read_slice() {
        let bytes = sample();
        let (job, _) = read(&bytes, 5);
        let ix = &job.index;
        let (a, b) = ix.span(1, 2).unwrap();
        assert_eq!((a, b), (24, 84));
        let buf = &bytes[a as usize..b as usize];
        assert_eq!(ix.bytes(1, buf, a), Some(&bytes[40..54]));
        assert_eq!(ix.bytes(2, buf, a), Some(&bytes[70..84]));
        // A slice that starts later or ends early does not hold them: no panic, no wrong bytes.
        assert_eq!(ix.bytes(1, &bytes[30..84], 30), None);
        assert_eq!(ix.bytes(2, &bytes[24..80], 24), None);
        assert_eq!(ix.bytes(3, buf, a), None);
        assert_eq!(ix.bytes(0, buf, a), None);
        // Asking past the end clamps to the last packet.
        assert_eq!(ix.span(2, 50), Some((54, 84)));
        assert_eq!(ix.span(3, 1), None);
    }

    #[test]
    fn a_cut_last_record_reports_an_error_and_keeps_the_first() {
        let bytes = sample();
        let cut = &bytes[..bytes.len() - 5];
        let (job, done) = read(cut, 7);
        let FromWorker::Done { packets, error, .. } = done else {
            panic!("not done");
        };
        assert_eq!(packets, 1);
        assert_eq!(job.index.len(), 1);
        let error = error.unwrap_or_default();
        assert!(error.contains("record 2"), "{error}");
    }

    #[test]
    fn not_a_capture_is_an_error() {
        let (job, done) = read(b"hello, this is text", 4);
        let FromWorker::Done { packets, error, .. } = done else {
            panic!("not done");
        };
        assert_eq!(packets, 0);
        assert!(job.index.is_empty());
        assert!(error.is_some());
    }

    /// Every file under `dir` (recursively) whose name ends with one of `ends`.
    fn walk(dir: &std::path::Path, ends: &[&str], out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut v: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        v.sort();
        for p in v {
            if p.is_dir() {
                walk(&p, ends, out);
            } else if ends.iter().any(|e| p.to_string_lossy().ends_with(e)) {
                out.push(p);
            }
        }
    }

    /// Checks that every packet the core reads from `bytes` is found again, byte for byte, at
    /// the offset the index keeps, when re-read the way the worker does (a screenful's span).
    fn check_found_again(name: &str, bytes: &[u8]) -> usize {
        let (job, _) = read(bytes, 65536);
        let ix = &job.index;
        let mut r = CaptureReader::new();
        r.feed(bytes);
        r.finish();
        let mut n = 0u64;
        while let Event::Packet(p) = r.next() {
            n += 1;
            let got = match ix.span(n, 3) {
                Some((a, b)) => {
                    let b = b.min(bytes.len() as u64);
                    ix.bytes(n, &bytes[a as usize..b as usize], a)
                }
                None => ix.bytes(n, &[], 0),
            };
            assert_eq!(got, Some(p.data.as_slice()), "{name} packet {n}");
        }
        assert_eq!(n, ix.len(), "{name}");
        n as usize
    }

    /// Real pcap and pcapng files (both byte orders, simple and enhanced packet blocks), and a
    /// gzip-compressed copy of one, all give back every packet from the index.
    #[test]
    fn corpus_packets_are_found_again_by_offset() {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
        if !dir.exists() {
            println!("skipped: no corpus at {}", dir.display());
            return;
        }
        let mut files = Vec::new();
        walk(
            &dir.join("pcapng-test-generator"),
            &[".pcapng", ".pcap"],
            &mut files,
        );
        walk(&dir.join("tcpdump/tests"), &[".pcapng"], &mut files);
        for f in ["print-flags.pcap", "babel_rfc6126bis.pcap"] {
            files.push(dir.join("tcpdump/tests").join(f));
        }
        let (mut packets, mut nfiles) = (0, 0);
        for f in &files {
            let Ok(bytes) = std::fs::read(f) else {
                println!("skipped {}: unreadable", f.display());
                continue;
            };
            packets += check_found_again(&f.display().to_string(), &bytes);
            nfiles += 1;
        }
        let flags = dir.join("tcpdump/tests/print-flags.pcap");
        match std::process::Command::new("gzip")
            .arg("-c")
            .arg(&flags)
            .output()
        {
            Ok(out) if out.status.success() => {
                let (job, _) = read(&out.stdout, 100);
                assert_eq!(job.index.layout, Some(Layout::Memory));
                packets += check_found_again("print-flags.pcap.gz", &out.stdout);
                nfiles += 1;
            }
            _ => println!("skipped the gzip case: no gzip command"),
        }
        println!("{packets} packets in {nfiles} corpus files found again by offset");
        assert!(nfiles > 10);
    }
}
