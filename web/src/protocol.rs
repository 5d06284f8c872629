//! The messages between the page and the capture worker.
//!
//! Owns the wire format of that conversation and nothing else: the page sends a JS object
//! `{ job, file }` (a `File` cannot go through JSON, and structured clone hands it over without
//! copying its bytes); the worker answers with JSON strings of [`FromWorker`]. It must never carry
//! whole captures to the page: only what the page draws.

use serde::{Deserialize, Serialize};

/// How many summary lines the page shows; the worker stops building rows after this many.
pub const MAX_ROWS: usize = 100;

/// Bytes read from the `File` per step: small enough that progress moves and a new file can
/// interrupt quickly, large enough that the per-slice overhead does not matter.
pub const CHUNK: u64 = 1 << 20;

/// Keys of the request object the page posts.
pub const KEY_JOB: &str = "job";
pub const KEY_FILE: &str = "file";

/// One line of the packet list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub number: u64,
    pub time: String,
    pub summary: String,
}

/// What the worker reports, tagged with the job it belongs to so the page can ignore answers
/// about a file it has since replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// Sent after each slice: the counts so far and the rows that are new since the last report.
    Progress {
        job: u32,
        packets: u64,
        bytes: u64,
        format: Option<String>,
        rows: Vec<Row>,
    },
    /// The reader reached the end of the file or stopped at an error.
    Done {
        job: u32,
        packets: u64,
        bytes: u64,
        format: Option<String>,
        rows: Vec<Row>,
        /// The reader's non-fatal notes (odd but readable records), the first few.
        notes: Vec<String>,
        error: Option<String>,
    },
    /// The request itself was unusable (no file, or the browser refused to read it).
    Failed { job: u32, message: String },
}

impl FromWorker {
    pub fn job(&self) -> u32 {
        match self {
            FromWorker::Progress { job, .. }
            | FromWorker::Done { job, .. }
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
        let m = FromWorker::Done {
            job: 3,
            packets: 2,
            bytes: 200,
            format: Some("pcap".into()),
            rows: vec![Row {
                number: 1,
                time: "1970-01-01 00:00:00.000000".into(),
                summary: "<b>not html</b>".into(),
            }],
            notes: vec!["a note".into()],
            error: Some("record 3 at byte 200 claims 9999 bytes".into()),
        };
        let back = FromWorker::from_json(&m.to_json());
        assert_eq!(back, Some(m));
        assert_eq!(FromWorker::from_json("garbage"), None);
    }
}
