//! The messages between the page and the capture worker.
//!
//! Owns the wire format of that conversation and nothing else. The page opens a file by posting a
//! JS object `{ job, file }` (a `File` cannot go through JSON, and structured clone hands it over
//! without copying its bytes); every later question is a JSON string of [`ToWorker`], and the
//! worker answers with JSON strings of [`FromWorker`]. It must never carry whole captures to the
//! page: only what the page draws (a screenful of rows, one packet's detail).

use serde::{Deserialize, Serialize};

/// Most rows the page may ask for at once: a tall screen plus the rows kept above and below it.
/// The worker clamps larger requests so a bad request cannot make it read half the file.
pub const MAX_ROWS: u64 = 400;

/// Bytes read from the `File` per step: small enough that progress moves and a new file can
/// interrupt quickly, large enough that the per-slice overhead does not matter.
pub const CHUNK: u64 = 1 << 20;

/// The first slice is smaller, so the first rows show after a few hundred packets rather than
/// after a whole `CHUNK` of them has been explained.
pub const FIRST_CHUNK: u64 = 64 << 10;

/// Keys of the request object the page posts to open a file (`{ job, file }`) or a pasted hex
/// dump (`{ job, hex }`).
pub const KEY_JOB: &str = "job";
pub const KEY_FILE: &str = "file";
pub const KEY_HEX: &str = "hex";

/// Keys of the object the worker posts with a file to save: `{ job, download, blob }`, the file
/// name and a `Blob` (binary data does not go through JSON).
pub const KEY_DOWNLOAD: &str = "download";
pub const KEY_BLOB: &str = "blob";

/// The worker splits a file's analysis with a helper worker (the same program, started with
/// this name) when the file is at least `SPLIT_MIN` bytes: the helper reads the file and runs the
/// per-packet rules, then hands each slice on to the worker, which runs the detectors.
pub const HELPER_NAME: &str = "tracelens-rules";
pub const SPLIT_MIN: u64 = CHUNK;

/// Keys of the objects the worker and its helper exchange: `{ rules, file }` starts the helper
/// on a file, `{ rules, ack }` says a batch was taken, and `{ rules, stop }` stops it; the
/// helper answers
/// `{ rules, start, slice, levels }` for each batch of the file it read (`slice` is an array of
/// `ArrayBuffer`s, the file's bytes from `start` on, transferred, not copied), `{ rules, start, failed }` if the browser could not read the file,
/// and `{ rules, levels, groups, cut }` at the end (`groups` is JSON; `cut` when stopped early).
pub const KEY_RULES: &str = "rules";
pub const KEY_STOP: &str = "stop";
pub const KEY_ACK: &str = "ack";
pub const KEY_START: &str = "start";
pub const KEY_SLICE: &str = "slice";
pub const KEY_LEVELS: &str = "levels";
pub const KEY_FAILED: &str = "failed";
pub const KEY_GROUPS: &str = "groups";
pub const KEY_CUT: &str = "cut";

/// Most bytes of a followed stream the page is sent; the rest is counted, not shown.
pub const MAX_STREAM_BYTES: usize = 512 * 1024;

/// How bad the worst finding of a packet is; the same order as the core's `Severity`, with
/// `None` below all of them so the list can sort and colour with one number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    #[default]
    None,
    Info,
    Notice,
    Warning,
    Alert,
}

impl Level {
    pub fn from_severity(s: Option<tracelens::explain::Severity>) -> Level {
        use tracelens::explain::Severity;
        match s {
            None => Level::None,
            Some(Severity::Info) => Level::Info,
            Some(Severity::Notice) => Level::Notice,
            Some(Severity::Warning) => Level::Warning,
            Some(Severity::Alert) => Level::Alert,
        }
    }

    /// The CSS class suffix and the word a screen reader says.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Info => "info",
            Level::Notice => "notice",
            Level::Warning => "warning",
            Level::Alert => "alert",
        }
    }

    /// Compact form for the per-packet index.
    pub fn to_u8(self) -> u8 {
        self as u8
    }

    pub fn from_u8(n: u8) -> Level {
        match n {
            1 => Level::Info,
            2 => Level::Notice,
            3 => Level::Warning,
            4 => Level::Alert,
            _ => Level::None,
        }
    }
}

/// Questions the page asks about the file it opened with job `job`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWorker {
    /// Rows at positions `first..first + count` (1-based) of the list as shown: every packet,
    /// or only those the filter kept.
    Rows { job: u32, first: u64, count: u64 },
    /// Everything the detail panes show for one packet.
    Detail { job: u32, number: u64 },
    /// Stop reading the file; the packets read so far stay.
    Cancel { job: u32 },
    /// Show only the packets this display filter keeps; an empty expression shows all.
    Filter { job: u32, expr: String },
    /// The TCP or UDP stream packet `number` belongs to.
    Follow { job: u32, number: u64 },
    /// A file to save.
    Export { job: u32, what: ExportKind },
    /// Where packet `number` is in the list as shown (for "go to packet").
    Locate { job: u32, number: u64 },
}

/// What the page can save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// The packets the list shows, as a capture file.
    Capture,
    /// The findings report as Markdown.
    Markdown,
    /// The findings report as one self-contained HTML file.
    Html,
}

impl ToWorker {
    pub fn job(&self) -> u32 {
        match self {
            ToWorker::Rows { job, .. }
            | ToWorker::Detail { job, .. }
            | ToWorker::Cancel { job }
            | ToWorker::Filter { job, .. }
            | ToWorker::Follow { job, .. }
            | ToWorker::Export { job, .. }
            | ToWorker::Locate { job, .. } => *job,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(s: &str) -> Option<ToWorker> {
        serde_json::from_str(s).ok()
    }
}

/// One line of the packet list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub number: u64,
    /// Seconds since the first packet, nine decimals.
    pub rel: String,
    /// Seconds since the packet captured before it.
    pub delta: String,
    /// The capture time, for absolute times in UTC or the person's zone.
    pub secs: i64,
    pub nanos: u32,
    pub src: String,
    pub dst: String,
    pub proto: String,
    /// Length on the wire.
    pub len: u32,
    /// The tcpdump-style line, as `tracelens packets` prints it.
    pub summary: String,
    /// The same line without the addresses the Source and Destination columns already show:
    /// `40000 > 80: Flags [S], ...`, as Wireshark's Info column reads.
    pub info: String,
    pub level: Level,
}

/// One field line of the detail tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldView {
    pub name: String,
    pub label: String,
    pub value: String,
    pub offset: usize,
    pub len: usize,
    pub mask: u64,
    pub depth: u8,
    pub meaning: Option<String>,
}

/// One layer heading of the detail tree and its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerView {
    pub proto: String,
    pub title: String,
    pub offset: usize,
    pub len: usize,
    pub quoted: bool,
    /// Where and why decoding of this layer stopped.
    pub error: Option<String>,
    pub fields: Vec<FieldView>,
}

/// A byte range that proves a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub field: String,
    pub offset: usize,
    pub len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingView {
    pub id: String,
    pub level: Level,
    pub title: String,
    pub text: String,
    pub next: String,
    pub benign: Option<String>,
    pub references: Vec<String>,
    pub evidence: Vec<EvidenceView>,
}

/// Everything the detail, hex and explanation panes show for one packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub number: u64,
    pub secs: i64,
    pub nanos: u32,
    pub rel: String,
    pub cap_len: u32,
    pub orig_len: u32,
    pub link: String,
    pub summary: String,
    pub layers: Vec<LayerView>,
    pub bytes: Vec<u8>,
    pub narrative: String,
    /// Where the packet stands in its conversation and which cross-packet findings it is
    /// evidence for; empty until the whole file has been read.
    pub context: String,
    pub findings: Vec<FindingView>,
    /// Whether "follow stream" applies (the packet is TCP or UDP).
    pub followable: bool,
}

/// One finding of the whole capture: a per-packet finding with every packet that raised it, or a
/// cross-packet detection with its evidence packets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: String,
    pub level: Level,
    pub title: String,
    pub text: String,
    pub next: String,
    pub benign: Option<String>,
    pub references: Vec<String>,
    /// How many packets raised it (per-packet) or are its evidence (detections).
    pub count: u64,
    /// The packets, at most a few hundred.
    pub packets: Vec<u64>,
    /// True for cross-packet detections, which name what they grouped by.
    pub detection: bool,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtoView {
    pub depth: usize,
    pub proto: String,
    pub packets: u64,
    pub bytes: u64,
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TalkerView {
    pub host: String,
    pub packets_sent: u64,
    pub packets_received: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub conversations: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    pub proto: String,
    pub label: String,
    pub packets: u64,
    pub bytes: u64,
    pub duration_secs: f64,
    pub state: String,
    pub history: String,
    pub reading: String,
    /// Its first packet, to open it or follow its stream.
    pub first_packet: u64,
}

/// Packets per time bucket and where findings begin, for the timeline drawing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TimelineView {
    /// Seconds from the first packet's time to the last.
    pub span_secs: f64,
    /// Width of one bucket in seconds (at least one second).
    pub bucket_secs: f64,
    pub counts: Vec<u64>,
    pub marks: Vec<MarkView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkView {
    pub bucket: usize,
    pub level: Level,
    pub packet: u64,
    pub title: String,
}

/// The capture overview and every finding, sent once the whole file has been read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisView {
    pub packets: u64,
    pub bytes: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub duration_secs: f64,
    pub damaged_packets: u64,
    /// The plain-language account, one paragraph per entry.
    pub account: Vec<String>,
    /// Worst first.
    pub groups: Vec<GroupView>,
    pub protocols: Vec<ProtoView>,
    pub talkers: Vec<TalkerView>,
    pub conversations_total: u64,
    pub conversations: Vec<ConversationView>,
    pub tcp_states: Vec<(String, u64)>,
    pub timeline: TimelineView,
}

/// One direction's bytes of a followed stream, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentView {
    pub from_client: bool,
    pub number: u64,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamView {
    /// The packet the person asked about.
    pub number: u64,
    pub proto: String,
    pub client: String,
    pub server: String,
    pub packets: u64,
    pub bytes_from_client: u64,
    pub bytes_from_server: u64,
    pub truncated: bool,
    pub notes: Vec<String>,
    pub segments: Vec<SegmentView>,
}

/// Where a filter expression is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterErrorView {
    /// Character position and length of the bad part.
    pub at: usize,
    pub len: usize,
    pub message: String,
}

/// What the worker reports, tagged with the job it belongs to so the page can ignore answers
/// about a file it has since replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// Sent after each slice: the counts so far. The page asks for the rows it shows.
    Progress {
        job: u32,
        packets: u64,
        bytes: u64,
        /// The size of the file read (for a pasted dump, of the capture made from it).
        size: u64,
        format: Option<String>,
    },
    /// The reader reached the end of the file or stopped at an error.
    Done {
        job: u32,
        packets: u64,
        bytes: u64,
        size: u64,
        format: Option<String>,
        /// The reader's non-fatal notes (odd but readable records), the first few.
        notes: Vec<String>,
        error: Option<String>,
        /// The person stopped the reading.
        cancelled: bool,
        /// Workers that read the file: 2 when a helper ran the per-packet rules.
        workers: u8,
    },
    /// The overview and findings of everything read; follows `Done`.
    Analysis {
        job: u32,
        analysis: Box<AnalysisView>,
    },
    /// A filter is being applied: packets checked so far.
    Filtering {
        job: u32,
        checked: u64,
    },
    /// The list now shows `shown` packets: those `expr` keeps, or all when it is empty. An
    /// expression that does not parse leaves the list as it was and says where it is wrong.
    Filtered {
        job: u32,
        expr: String,
        shown: u64,
        error: Option<FilterErrorView>,
    },
    Stream {
        job: u32,
        stream: Box<StreamView>,
    },
    /// List position of packet `number`, or of the first shown packet after it (`None`: none).
    Located {
        job: u32,
        number: u64,
        pos: Option<u64>,
    },
    /// Rows `first..first + rows.len()`, possibly fewer than asked near the end.
    Rows {
        job: u32,
        first: u64,
        rows: Vec<Row>,
    },
    Detail {
        job: u32,
        detail: Box<Detail>,
    },
    /// A question could not be answered (no such packet, the browser refused a read).
    QueryFailed {
        job: u32,
        message: String,
    },
    /// The request itself was unusable (no file, or the browser refused to read it).
    Failed {
        job: u32,
        message: String,
    },
}

impl FromWorker {
    pub fn job(&self) -> u32 {
        match self {
            FromWorker::Progress { job, .. }
            | FromWorker::Done { job, .. }
            | FromWorker::Analysis { job, .. }
            | FromWorker::Filtering { job, .. }
            | FromWorker::Filtered { job, .. }
            | FromWorker::Stream { job, .. }
            | FromWorker::Located { job, .. }
            | FromWorker::Rows { job, .. }
            | FromWorker::Detail { job, .. }
            | FromWorker::QueryFailed { job, .. }
            | FromWorker::Failed { job, .. } => *job,
        }
    }

    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail; an empty string would be dropped by
        // the page as unparseable rather than crash the worker.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(s: &str) -> Option<FromWorker> {
        serde_json::from_str(s).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let m = FromWorker::Rows {
            job: 3,
            first: 1,
            rows: vec![Row {
                number: 1,
                rel: "0.000000000".into(),
                delta: "0.000000000".into(),
                secs: 0,
                nanos: 0,
                src: "10.0.0.1".into(),
                dst: "10.0.0.2".into(),
                proto: "TCP".into(),
                len: 60,
                summary: "<b>not html</b>".into(),
                info: "<i>nor this</i>".into(),
                level: Level::Warning,
            }],
        };
        let back = FromWorker::from_json(&m.to_json());
        assert_eq!(back, Some(m));
        assert_eq!(FromWorker::from_json("garbage"), None);
        let q = ToWorker::Detail { job: 2, number: 9 };
        assert_eq!(ToWorker::from_json(&q.to_json()), Some(q));
        let q = ToWorker::Export {
            job: 2,
            what: ExportKind::Html,
        };
        assert_eq!(ToWorker::from_json(&q.to_json()), Some(q.clone()));
        assert_eq!(q.job(), 2);
    }

    #[test]
    fn levels_keep_the_core_order() {
        use tracelens::explain::Severity;
        let all = [
            None,
            Some(Severity::Info),
            Some(Severity::Notice),
            Some(Severity::Warning),
            Some(Severity::Alert),
        ];
        let levels: Vec<Level> = all.iter().map(|s| Level::from_severity(*s)).collect();
        assert!(levels.windows(2).all(|w| w[0] < w[1]));
        for l in levels {
            assert_eq!(Level::from_u8(l.to_u8()), l);
        }
    }
}
