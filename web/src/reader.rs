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
use std::collections::HashMap;
use tracelens::analysis::{
    detections_by_packet, CaptureAnalysis, CrossPacket, FindingGroup, Findings, PerPacket,
};
use tracelens::capture::{CaptureInfo, CaptureReader, Event, Format, Packet, Timestamp};
use tracelens::detect::overview::Overview;
use tracelens::detect::Detection;

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

/// What the whole-capture analysis found, kept once the file has been read: the page's
/// findings view and overview, the filter's `finding` fields and the report come from here.
pub struct Results {
    pub detections: Vec<Detection>,
    /// Which detections each packet is evidence for.
    pub by_packet: HashMap<u64, Vec<usize>>,
    pub overview: Overview,
    pub findings: Findings,
    /// Kept for the conversation a packet belongs to (`context_sentences`).
    pub analysis: CaptureAnalysis,
}

impl Results {
    /// Ids and severities of the detections packet `number` is evidence for.
    pub fn detections_of(&self, number: u64) -> Vec<(&'static str, tracelens::explain::Severity)> {
        self.by_packet
            .get(&number)
            .map(|v| {
                v.iter()
                    .filter_map(|&i| self.detections.get(i))
                    .map(|d| (d.finding.id, d.severity()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A sentence or two placing packet `number` in its conversation and detections.
    pub fn context(&self, number: u64) -> String {
        tracelens::analysis::context_sentences(
            self.analysis.flows(),
            number,
            &self.detections,
            self.by_packet.get(&number),
        )
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
    cancelled: bool,
    /// Explains every packet and feeds the detectors while the file is read.
    analysis: Option<Analysis>,
    /// Entries whose level the helper reported (see [`Job::apply_levels`]).
    leveled: usize,
    /// A helper runs the per-packet rules ([`Job::with_rules_elsewhere`]).
    split: bool,
    pub results: Option<Results>,
    /// The packet numbers the filter kept, ascending; `None` shows every packet.
    pub view: Option<Vec<u64>>,
    /// A note to list first among the reader's (how a pasted hex dump was read).
    pub note: Option<String>,
    /// The size of the file being read, for the progress line.
    pub size: u64,
    /// The file's first slice, kept so the first screen of rows and details needs no new read.
    pub head: Vec<u8>,
    /// Bumped by every filter, follow or export pass over the file; a pass that sees a newer
    /// number than its own was replaced and stops.
    pub pass: u32,
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
            cancelled: false,
            analysis: Some(Analysis::Whole(Box::default())),
            leveled: 0,
            split: false,
            results: None,
            view: None,
            note: None,
            size: 0,
            head: Vec::new(),
            pass: 0,
        }
    }

    /// A job whose per-packet rules run in a helper worker that reads the same file (a
    /// [`RulesJob`]): this one keeps the index, the flow table, the detectors and the overview,
    /// takes the rows' levels from [`Job::apply_levels`] and the grouped findings at
    /// [`Job::finish_with`].
    pub fn with_rules_elsewhere(id: u32) -> Job {
        Job {
            analysis: Some(Analysis::Cross(Box::new(CrossPacket::with_overview()))),
            split: true,
            ..Job::new(id)
        }
    }

    /// Levels of the next packets, as the helper's [`RulesJob`] found them on the same bytes
    /// (one [`Level::to_u8`] per packet, in order). The helper reports a slice's levels after
    /// reading it, and this job reads the slice before applying them, so the packets are here.
    pub fn apply_levels(&mut self, levels: &[u8]) {
        let from = self.leveled.min(self.index.entries.len());
        let to = self.leveled.saturating_add(levels.len());
        for (e, &l) in self.index.entries.iter_mut().skip(from).zip(levels) {
            e.level = e.level.max(l);
        }
        self.leveled = to;
    }

    /// One line about the file for reports: format, packets and bytes read.
    pub fn info_line(&self) -> String {
        let mut s = format!("{} packets, {} bytes read", self.index.len(), self.bytes);
        if let Some(f) = self.format() {
            s = format!("{f}; {s}");
        }
        if self.cancelled {
            s.push_str(" (reading was stopped before the end)");
        }
        if let Some(e) = &self.error {
            s.push_str(&format!("; reading stopped: {e}"));
        }
        s
    }

    /// Rows in the list as shown.
    pub fn shown(&self) -> u64 {
        match &self.view {
            Some(v) => v.len() as u64,
            None => self.index.len(),
        }
    }

    /// The packet number at list position `pos` (1-based).
    pub fn number_at(&self, pos: u64) -> Option<u64> {
        match &self.view {
            Some(v) => v.get(usize::try_from(pos.checked_sub(1)?).ok()?).copied(),
            None => (pos >= 1 && pos <= self.index.len()).then_some(pos),
        }
    }

    /// List position of packet `number`, or of the first shown packet after it.
    pub fn position_of(&self, number: u64) -> Option<u64> {
        let pos = match &self.view {
            Some(v) => v.partition_point(|&n| n < number) as u64 + 1,
            None => number.max(1),
        };
        (pos <= self.shown()).then_some(pos)
    }

    /// True when packet `number` is in the list as shown.
    pub fn is_shown(&self, number: u64) -> bool {
        match &self.view {
            Some(v) => v.binary_search(&number).is_ok(),
            None => self.index.get(number).is_some(),
        }
    }

    /// The finding ids and severities the filter's `finding` fields see for a packet: its own
    /// findings and the detections it is evidence for.
    pub fn findings_of(
        &self,
        number: u64,
        d: &tracelens::Dissection,
    ) -> Vec<(&'static str, tracelens::explain::Severity)> {
        let mut v: Vec<(&'static str, tracelens::explain::Severity)> =
            tracelens::explain::packet_finding_ids(number, d)
                .into_iter()
                .filter_map(|id| {
                    let e = tracelens::explain::registry().get(id)?;
                    Some((id, e.severity))
                })
                .collect();
        if let Some(r) = &self.results {
            v.extend(r.detections_of(number));
        }
        v
    }

    /// True once the reader has reached the end or an error, or was cancelled: further slices
    /// would be ignored.
    pub fn stopped(&self) -> bool {
        self.ended || self.cancelled || self.error.is_some()
    }

    /// Stops reading; what was read stays, and `finish` then analyses it.
    pub fn cancel(&mut self) {
        if !self.ended {
            self.cancelled = true;
        }
    }

    /// True once `finish` has run.
    pub fn finished(&self) -> bool {
        self.results.is_some()
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
            size: self.size,
            format: self.format(),
        }
    }

    /// Tells the reader no more bytes come and returns the final report.
    pub fn finish(&mut self) -> FromWorker {
        self.finish_with(Vec::new())
    }

    /// [`Job::finish`] for a job made by [`Job::with_rules_elsewhere`], with the helper's
    /// grouped findings ([`RulesJob::groups`], after its `finish`); ignored by a whole job.
    pub fn finish_with(&mut self, groups: Vec<FindingGroup>) -> FromWorker {
        if !self.stopped() {
            self.reader.finish();
            self.drain();
        }
        self.ended = true;
        let analysis = self.analysis.take().map(|a| match a {
            Analysis::Whole(a) => *a,
            Analysis::Cross(c) => CaptureAnalysis::join(PerPacket::from_groups(groups), *c),
        });
        if let Some(mut analysis) = analysis {
            let detections = analysis.finish();
            // A packet that is evidence of a detection is marked at least as badly in the list.
            for d in &detections {
                let lvl = Level::from_severity(Some(d.severity())).to_u8();
                for &n in &d.packets {
                    if let Some(e) = usize::try_from(n.saturating_sub(1))
                        .ok()
                        .and_then(|i| self.index.entries.get_mut(i))
                    {
                        e.level = e.level.max(lvl);
                    }
                }
            }
            self.results = Some(Results {
                by_packet: detections_by_packet(&detections),
                overview: analysis.overview(&detections),
                findings: analysis.findings(&detections),
                detections,
                analysis,
            });
        }
        FromWorker::Done {
            job: self.id,
            packets: self.index.len(),
            bytes: self.bytes,
            size: self.size,
            format: self.format(),
            notes: self
                .note
                .iter()
                .chain(self.reader.info().notes.iter())
                .take(MAX_NOTES)
                .cloned()
                .collect(),
            error: self.error.clone(),
            cancelled: self.cancelled,
            workers: if self.split { 2 } else { 1 },
        }
    }

    fn format(&self) -> Option<String> {
        describe_format(self.reader.info())
    }

    fn drain(&mut self) {
        loop {
            match self.reader.next() {
                Event::Packet(p) => {
                    // Each packet is decoded, explained and shown to the detectors once here;
                    // the index keeps only its worst severity, to mark its row.
                    let level = match self.analysis.as_mut() {
                        Some(Analysis::Whole(a)) => {
                            a.observe(&p);
                            Level::from_severity(a.worst().last().copied().flatten())
                        }
                        // The helper reports the level.
                        Some(Analysis::Cross(c)) => {
                            c.observe(p.number, p.ts, &p.decode_unverified());
                            Level::None
                        }
                        None => Level::None,
                    };
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

/// The analysis a job runs while it reads.
enum Analysis {
    /// Everything, in this worker.
    Whole(Box<CaptureAnalysis>),
    /// All but the per-packet rules, which a helper worker runs.
    Cross(Box<CrossPacket>),
}

/// The helper worker's side of a file: the same reader fed the same slices, running only the
/// per-packet rules, so the main worker's detectors and the rules share the work of a big file
/// on two cores. It reports each packet's level after each slice and the grouped findings at
/// the end; the main worker's [`Job`] (made by [`Job::with_rules_elsewhere`]) takes them.
pub struct RulesJob {
    pub id: u32,
    reader: CaptureReader,
    rules: PerPacket,
    stopped: bool,
    asked_to_stop: bool,
}

impl RulesJob {
    pub fn new(id: u32) -> RulesJob {
        RulesJob {
            id,
            reader: CaptureReader::new(),
            rules: PerPacket::rules_only(),
            stopped: false,
            asked_to_stop: false,
        }
    }

    /// Feeds one slice and returns the levels of the packets it completed, in order.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        if !self.stopped {
            self.reader.feed(chunk);
            self.drain();
        }
        self.levels()
    }

    /// No more bytes come: the levels of the packets that completes (none when stopped early).
    pub fn finish(&mut self) -> Vec<u8> {
        if !self.stopped {
            self.reader.finish();
            self.drain();
        }
        self.stopped = true;
        self.levels()
    }

    /// True once the reader reached the end or an error, or [`RulesJob::stop`] was called.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Stops reading where it is, as [`Job::cancel`] does for the main worker's job.
    pub fn stop(&mut self) {
        self.stopped = true;
        self.asked_to_stop = true;
    }

    /// True once [`RulesJob::stop`] was called (rather than the file ending or breaking off).
    pub fn asked_to_stop(&self) -> bool {
        self.asked_to_stop
    }

    /// The findings grouped by id, for [`Job::finish_with`].
    pub fn groups(&self) -> &[FindingGroup] {
        self.rules.groups()
    }

    fn levels(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.rules.worst)
            .into_iter()
            .map(|w| Level::from_severity(w).to_u8())
            .collect()
    }

    fn drain(&mut self) {
        loop {
            match self.reader.next() {
                Event::Packet(p) => self.rules.observe(&p, &p.decode_lean()),
                Event::NeedMore => break,
                Event::End | Event::Error(_) => {
                    self.stopped = true;
                    break;
                }
            }
        }
    }
}

/// A second pass over a file already indexed (for a filter, a followed stream or an export):
/// the same reader, fed the file again, handing each packet to the caller.
pub struct Rescan {
    reader: CaptureReader,
    done: bool,
}

impl Default for Rescan {
    fn default() -> Self {
        Self::new()
    }
}

impl Rescan {
    pub fn new() -> Rescan {
        Rescan {
            reader: CaptureReader::new(),
            done: false,
        }
    }

    /// Feeds one slice and hands every complete packet in it to `each`.
    pub fn feed(&mut self, chunk: &[u8], each: &mut dyn FnMut(&Packet)) {
        if !self.done {
            self.reader.feed(chunk);
            self.drain(each);
        }
    }

    /// The file ended: hands over what is left.
    pub fn finish(&mut self, each: &mut dyn FnMut(&Packet)) {
        if !self.done {
            self.reader.finish();
            self.drain(each);
        }
        self.done = true;
    }

    /// True once the reader reached the end or stopped at damage (which the first pass
    /// reported already).
    pub fn done(&self) -> bool {
        self.done
    }

    fn drain(&mut self, each: &mut dyn FnMut(&Packet)) {
        loop {
            match self.reader.next() {
                Event::Packet(p) => each(&p),
                Event::NeedMore => break,
                Event::End | Event::Error(_) => {
                    self.done = true;
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

    fn example(name: &str) -> &'static [u8] {
        crate::examples::EXAMPLES
            .iter()
            .find(|e| e.file == name)
            .map(|e| e.bytes)
            .unwrap()
    }

    #[test]
    fn finishing_analyses_the_capture_and_marks_evidence_rows() {
        let (job, done) = read(example("smurf.pcap"), 1000);
        assert!(matches!(
            done,
            FromWorker::Done {
                packets: 105,
                cancelled: false,
                ..
            }
        ));
        let r = job.results.as_ref().unwrap();
        let ids: Vec<&str> = r.detections.iter().map(|d| d.finding.id).collect();
        assert!(ids.contains(&"broadcast.smurf"), "{ids:?}");
        // Packet 1 (an echo request to the broadcast address) is evidence of the smurf alert.
        assert_eq!(job.index.get(1).unwrap().level(), Level::Alert);
        assert!(r
            .detections_of(1)
            .iter()
            .any(|(id, _)| *id == "broadcast.smurf"));
        assert!(r.context(2).contains("conversation"), "{}", r.context(2));
    }

    /// The main worker's job fed like the helper's: levels after each slice, the helper's
    /// groups (through JSON, as they travel between workers) at the end.
    fn read_split(bytes: &[u8], chunk: usize, stop_after: Option<usize>) -> (Job, FromWorker) {
        let mut job = Job::with_rules_elsewhere(7);
        let mut rules = RulesJob::new(7);
        for (i, c) in bytes.chunks(chunk.max(1)).enumerate() {
            if rules.stopped() {
                break;
            }
            let levels = rules.feed(c);
            job.feed(c);
            job.apply_levels(&levels);
            if Some(i) == stop_after {
                rules.stop();
                job.cancel();
            }
        }
        let levels = rules.finish();
        job.apply_levels(&levels);
        let json = serde_json::to_string(rules.groups()).unwrap();
        let done = job.finish_with(serde_json::from_str(&json).unwrap());
        (job, done)
    }

    #[test]
    fn rules_in_a_helper_give_the_same_rows_findings_and_overview() {
        for e in crate::examples::EXAMPLES {
            // The file as it is, cut short inside its last record, and gzip-compressed.
            let cut = &e.bytes[..e.bytes.len() - 5];
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut gz, e.bytes).unwrap();
            let gz = gz.finish().unwrap();
            let forms: [(&str, &[u8]); 3] = [("whole", e.bytes), ("cut", cut), ("gzip", &gz)];
            for ((form, bytes), chunk) in forms
                .iter()
                .flat_map(|f| [100, 4096, 1 << 20].map(|c| (*f, c)))
            {
                let (whole_job, whole) = read(bytes, chunk);
                let (job, done) = read_split(bytes, chunk, None);
                let what = format!("{} ({form}) in slices of {chunk}", e.file);
                let mut one = done;
                let FromWorker::Done { workers, .. } = &mut one else {
                    panic!("{what}: not done");
                };
                assert_eq!(*workers, 2, "{what}");
                *workers = 1;
                assert_eq!(one, whole, "{what}");
                assert_eq!(job.index.entries, whole_job.index.entries, "{what}");
                let (a, b) = (job.results.unwrap(), whole_job.results.unwrap());
                assert_eq!(a.findings, b.findings, "{what}");
                assert_eq!(a.overview, b.overview, "{what}");
                assert_eq!(a.detections, b.detections, "{what}");
                if form == "cut" {
                    let FromWorker::Done { error, .. } = &one else {
                        unreachable!()
                    };
                    assert!(error.is_some(), "{what}: the cut is reported");
                }
            }
        }
        // Some row is marked, or the comparison above proves little.
        let (job, _) = read_split(example("smurf.pcap"), 512, None);
        assert!(job.index.entries.iter().any(|e| e.level > 0));
        assert!(!job.results.unwrap().findings.per_packet.is_empty());
    }

    #[test]
    fn a_helper_stopped_early_agrees_with_the_main_job() {
        let bytes = example("rpc-syn-sweep.pcap");
        let (job, done) = read_split(bytes, 1000, Some(1));
        let FromWorker::Done {
            packets, cancelled, ..
        } = done
        else {
            panic!("not done");
        };
        assert!(cancelled && packets > 0 && packets < 174, "{packets}");
        let r = job.results.unwrap();
        // Every grouped finding names packets the main job read, and no more.
        for g in &r.findings.per_packet {
            assert!(g.packets.iter().all(|&n| n <= packets), "{}", g.first.id);
        }
    }

    #[test]
    fn a_view_maps_positions_to_packets_and_back() {
        let (mut job, _) = read(example("tcp-session.pcap"), 64);
        assert_eq!(
            (job.shown(), job.number_at(11), job.number_at(12)),
            (11, Some(11), None)
        );
        job.view = Some(vec![2, 5, 9]);
        assert_eq!(job.shown(), 3);
        assert_eq!(job.number_at(0), None);
        assert_eq!(job.number_at(2), Some(5));
        assert_eq!(job.position_of(5), Some(2));
        // A packet the filter hid: the next one shown.
        assert_eq!(job.position_of(6), Some(3));
        assert_eq!(job.position_of(10), None);
        assert!(job.is_shown(9) && !job.is_shown(3));
    }

    #[test]
    fn a_rescan_sees_the_same_packets_in_any_slicing() {
        let bytes = example("rpc-syn-sweep.pcap");
        for chunk in [1, 7, 100, 1 << 20] {
            let mut scan = Rescan::new();
            let mut numbers = Vec::new();
            let mut each = |p: &Packet| numbers.push(p.number);
            for c in bytes.chunks(chunk) {
                scan.feed(c, &mut each);
            }
            scan.finish(&mut each);
            assert!(scan.done());
            assert_eq!(numbers, (1..=174).collect::<Vec<u64>>(), "chunk {chunk}");
        }
    }

    #[test]
    fn cancelling_keeps_what_was_read_and_analyses_it() {
        let bytes = example("rpc-syn-sweep.pcap");
        let mut job = Job::new(3);
        job.feed(&bytes[..2000]);
        let read_so_far = job.index.len();
        job.cancel();
        assert!(job.stopped());
        job.feed(&bytes[2000..]);
        let done = job.finish();
        assert!(read_so_far > 0 && read_so_far < 174);
        assert!(
            matches!(done, FromWorker::Done { cancelled: true, packets, .. } if packets == read_so_far)
        );
        assert!(job.finished());
        assert!(job.info_line().contains("stopped before the end"));
    }

    #[test]
    fn findings_for_the_filter_include_detections() {
        let (job, _) = read(example("smurf.pcap"), 4096);
        let c = tracelens::capture::read_all(example("smurf.pcap"));
        let p = &c.packets[0];
        let ids: Vec<&str> = job
            .findings_of(p.number, &p.decode())
            .iter()
            .map(|(id, _)| *id)
            .collect();
        assert!(ids.contains(&"icmp.echo.to_broadcast"), "{ids:?}");
        assert!(ids.contains(&"broadcast.smurf"), "{ids:?}");
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
