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

/// Keys of the request object the page posts to open a file.
pub const KEY_JOB: &str = "job";
pub const KEY_FILE: &str = "file";

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
    /// Rows numbered `first..first + count` (1-based packet numbers).
    Rows { job: u32, first: u64, count: u64 },
    /// Everything the detail panes show for one packet.
    Detail { job: u32, number: u64 },
}

impl ToWorker {
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
    /// `2024-01-31 12:34:56.123456789` UTC.
    pub abs: String,
    pub src: String,
    pub dst: String,
    pub proto: String,
    /// Length on the wire.
    pub len: u32,
    pub summary: String,
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
    pub abs: String,
    pub rel: String,
    pub cap_len: u32,
    pub orig_len: u32,
    pub link: String,
    pub summary: String,
    pub layers: Vec<LayerView>,
    pub bytes: Vec<u8>,
    pub narrative: String,
    pub findings: Vec<FindingView>,
}

/// What the worker reports, tagged with the job it belongs to so the page can ignore answers
/// about a file it has since replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// Sent after each slice: the counts so far. The page asks for the rows it shows.
    Progress {
        job: u32,
        packets: u64,
        bytes: u64,
        format: Option<String>,
    },
    /// The reader reached the end of the file or stopped at an error.
    Done {
        job: u32,
        packets: u64,
        bytes: u64,
        format: Option<String>,
        /// The reader's non-fatal notes (odd but readable records), the first few.
        notes: Vec<String>,
        error: Option<String>,
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
                abs: "1970-01-01 00:00:00.000000000".into(),
                src: "10.0.0.1".into(),
                dst: "10.0.0.2".into(),
                proto: "TCP".into(),
                len: 60,
                summary: "<b>not html</b>".into(),
                level: Level::Warning,
            }],
        };
        let back = FromWorker::from_json(&m.to_json());
        assert_eq!(back, Some(m));
        assert_eq!(FromWorker::from_json("garbage"), None);
        let q = ToWorker::Detail { job: 2, number: 9 };
        assert_eq!(ToWorker::from_json(&q.to_json()), Some(q));
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
