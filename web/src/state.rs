//! The page's state and the actions that change it (one reducer, as in Yew's todomvc example).
//!
//! Owns the rule that answers about a replaced file are ignored, and what is selected and lit up.
//! It must never hold more than what the page shows: one window of rows and one packet's detail.

use crate::protocol::{Detail, FromWorker, Row};
use crate::select::Mark;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// The job whose answers are shown; answers tagged with another job are stale.
    pub job: u32,
    pub file_name: Option<String>,
    pub size: u64,
    pub bytes: u64,
    pub packets: u64,
    pub format: Option<String>,
    pub error: Option<String>,
    pub notes: Vec<String>,
    pub done: bool,
    pub worker_error: Option<String>,
    /// The last window of rows the worker sent: packets `rows_first..rows_first + rows.len()`.
    pub rows_first: u64,
    pub rows: Rc<Vec<Row>>,
    /// The packet the list's cursor is on.
    pub selected: Option<u64>,
    /// The packet whose detail was asked for last, and the detail once it came.
    pub opened: Option<u64>,
    pub detail: Option<Rc<Detail>>,
    /// Why the last question could not be answered.
    pub query_error: Option<String>,
    pub mark: Mark,
    /// Absolute UTC times instead of seconds since the first packet.
    pub abs_time: bool,
}

pub enum Action {
    Start {
        job: u32,
        name: String,
        size: u64,
    },
    Worker(FromWorker),
    WorkerFailed(String),
    Select(u64),
    /// The detail of this packet was asked for.
    Open(u64),
    Mark(Mark),
    AbsTime(bool),
}

impl State {
    /// The cached row of packet `n`, if the last window holds it.
    pub fn row(&self, n: u64) -> Option<&Row> {
        let i = usize::try_from(n.checked_sub(self.rows_first)?).ok()?;
        self.rows.get(i)
    }

    /// True when the cached window holds every row of `first..first + count`.
    pub fn has_rows(&self, first: u64, count: u64) -> bool {
        count == 0
            || (first >= self.rows_first
                && first.saturating_add(count)
                    <= self.rows_first.saturating_add(self.rows.len() as u64))
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Start { job, name, size } => {
                s = State {
                    job,
                    file_name: Some(name),
                    size,
                    worker_error: s.worker_error,
                    abs_time: s.abs_time,
                    ..State::default()
                };
            }
            Action::Worker(msg) if msg.job() != s.job => return self,
            Action::Worker(FromWorker::Progress {
                packets,
                bytes,
                format,
                ..
            }) => {
                s.packets = packets;
                s.bytes = bytes;
                s.format = format.or(s.format);
            }
            Action::Worker(FromWorker::Done {
                packets,
                bytes,
                format,
                notes,
                error,
                ..
            }) => {
                s.notes = notes;
                s.packets = packets;
                s.bytes = bytes;
                s.format = format.or(s.format);
                s.error = error;
                s.done = true;
            }
            Action::Worker(FromWorker::Rows { first, rows, .. }) => {
                s.rows_first = first;
                s.rows = Rc::new(rows);
            }
            Action::Worker(FromWorker::Detail { detail, .. }) => {
                // Only the packet asked for last is shown; a slower earlier answer is dropped.
                if s.opened != Some(detail.number) {
                    return self;
                }
                s.detail = Some(Rc::new(*detail));
                s.mark = crate::select::Mark::Nothing;
                s.query_error = None;
            }
            Action::Worker(FromWorker::QueryFailed { message, .. }) => {
                s.query_error = Some(message);
            }
            Action::Worker(FromWorker::Failed { message, .. }) => {
                s.error = Some(message);
                s.done = true;
            }
            Action::WorkerFailed(message) => s.worker_error = Some(message),
            Action::Select(n) => {
                if s.packets == 0 {
                    return self;
                }
                s.selected = Some(n.clamp(1, s.packets));
            }
            Action::Open(n) => {
                s.selected = Some(n);
                s.opened = Some(n);
            }
            Action::Mark(m) => s.mark = m,
            Action::AbsTime(b) => s.abs_time = b,
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Level;

    fn row(n: u64) -> Row {
        Row {
            number: n,
            rel: String::new(),
            abs: String::new(),
            src: String::new(),
            dst: String::new(),
            proto: String::new(),
            len: 0,
            summary: format!("packet {n}"),
            level: Level::None,
        }
    }

    #[test]
    fn stale_answers_are_ignored_and_rows_windowed() {
        let s = Rc::new(State::default()).reduce(Action::Start {
            job: 2,
            name: "a.pcap".into(),
            size: 10,
        });
        let s = s.reduce(Action::Worker(FromWorker::Progress {
            job: 1,
            packets: 9,
            bytes: 9,
            format: None,
        }));
        assert_eq!(s.packets, 0);
        let s = s.reduce(Action::Worker(FromWorker::Rows {
            job: 1,
            first: 1,
            rows: vec![row(1)],
        }));
        assert!(s.rows.is_empty());
        let s = s.reduce(Action::Worker(FromWorker::Progress {
            job: 2,
            packets: 150,
            bytes: 5,
            format: Some("pcap".into()),
        }));
        let s = s.reduce(Action::Worker(FromWorker::Rows {
            job: 2,
            first: 40,
            rows: (40..60).map(row).collect(),
        }));
        assert!(s.has_rows(40, 20));
        assert!(s.has_rows(45, 3));
        assert!(!s.has_rows(39, 2));
        assert!(!s.has_rows(50, 11));
        assert_eq!(s.row(41).map(|r| r.number), Some(41));
        assert_eq!(s.row(60), None);
        assert_eq!(s.row(3), None);
        let s = s.reduce(Action::Worker(FromWorker::Done {
            job: 2,
            packets: 151,
            bytes: 10,
            format: None,
            notes: vec![],
            error: Some("cut".into()),
        }));
        assert_eq!(s.packets, 151);
        assert_eq!(s.format.as_deref(), Some("pcap"));
        assert_eq!(s.error.as_deref(), Some("cut"));
        assert!(s.done);
        // Selection stays inside the capture.
        let s = s.reduce(Action::Select(0));
        assert_eq!(s.selected, Some(1));
        let s = s.reduce(Action::Select(900));
        assert_eq!(s.selected, Some(151));
    }
}
