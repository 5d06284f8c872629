//! The worker's side of a capture: feed slices into the core's incremental reader and turn what
//! comes out into the small messages the page draws.
//!
//! Owns the bookkeeping between slices (counts, the first rows, the terminal error). It must never
//! touch the DOM or the worker global (so it can be tested natively) and never keep more than
//! [`MAX_ROWS`] rows for the page.

use crate::protocol::{FromWorker, Row, MAX_ROWS};
use tracelens::capture::{CaptureInfo, CaptureReader, Event, Format};

/// How many of the reader's non-fatal notes the page lists.
pub const MAX_NOTES: usize = 20;

/// One file being read.
pub struct Job {
    pub id: u32,
    reader: CaptureReader,
    packets: u64,
    bytes: u64,
    rows_sent: usize,
    new_rows: Vec<Row>,
    error: Option<String>,
    ended: bool,
}

impl Job {
    pub fn new(id: u32) -> Job {
        Job {
            id,
            reader: CaptureReader::new(),
            packets: 0,
            bytes: 0,
            rows_sent: 0,
            new_rows: Vec::new(),
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
            packets: self.packets,
            bytes: self.bytes,
            format: self.format(),
            rows: std::mem::take(&mut self.new_rows),
        }
    }

    /// Tells the reader no more bytes come and returns the final report.
    pub fn finish(mut self) -> FromWorker {
        if !self.stopped() {
            self.reader.finish();
            self.drain();
        }
        FromWorker::Done {
            job: self.id,
            packets: self.packets,
            bytes: self.bytes,
            format: self.format(),
            rows: std::mem::take(&mut self.new_rows),
            notes: self
                .reader
                .info()
                .notes
                .iter()
                .take(MAX_NOTES)
                .cloned()
                .collect(),
            error: self.error,
        }
    }

    fn format(&self) -> Option<String> {
        describe_format(self.reader.info())
    }

    fn drain(&mut self) {
        loop {
            match self.reader.next() {
                Event::Packet(p) => {
                    self.packets = self.packets.saturating_add(1);
                    // Decoding is the expensive part; only the rows the page shows are decoded.
                    if self.rows_sent < MAX_ROWS {
                        let d = tracelens::decode(&p.data, p.link_type);
                        self.new_rows.push(Row {
                            number: p.number,
                            time: p.ts.format_utc(),
                            summary: tracelens::summary::summary_line(&d),
                        });
                        self.rows_sent += 1;
                    }
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
mod tests {
    use super::*;

    /// A little-endian microsecond pcap with two 14-byte Ethernet frames (no payload).
    fn sample() -> Vec<u8> {
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
            v.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5]);
        }
        v
    }

    fn run(bytes: &[u8], chunk: usize) -> FromWorker {
        let mut job = Job::new(7);
        let mut rows = Vec::new();
        for c in bytes.chunks(chunk) {
            if let FromWorker::Progress { rows: r, .. } = job.feed(c) {
                rows.extend(r);
            }
        }
        match job.finish() {
            FromWorker::Done {
                job,
                packets,
                bytes,
                format,
                rows: r,
                notes,
                error,
            } => {
                rows.extend(r);
                FromWorker::Done {
                    job,
                    packets,
                    bytes,
                    format,
                    rows,
                    notes,
                    error,
                }
            }
            other => other,
        }
    }

    #[test]
    fn any_chunking_gives_the_same_report() {
        let bytes = sample();
        let whole = run(&bytes, bytes.len());
        for chunk in 1..bytes.len() {
            assert_eq!(run(&bytes, chunk), whole, "chunk size {chunk}");
        }
        let FromWorker::Done {
            packets,
            bytes: n,
            format,
            rows,
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
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].number, 1);
        assert_eq!(rows[1].time, "1970-01-01 00:01:41.000000000");
    }

    #[test]
    fn a_cut_last_record_reports_an_error_and_keeps_the_first() {
        let bytes = sample();
        let cut = &bytes[..bytes.len() - 5];
        let FromWorker::Done {
            packets,
            rows,
            error,
            ..
        } = run(cut, 7)
        else {
            panic!("not done");
        };
        assert_eq!(packets, 1);
        assert_eq!(rows.len(), 1);
        let error = error.unwrap_or_default();
        assert!(error.contains("record 2"), "{error}");
    }

    #[test]
    fn not_a_capture_is_an_error() {
        let FromWorker::Done { packets, error, .. } = run(b"hello, this is text", 4) else {
            panic!("not done");
        };
        assert_eq!(packets, 0);
        assert!(error.is_some());
    }
}
