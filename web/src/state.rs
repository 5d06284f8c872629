//! The page's state and the actions that change it (one reducer, as in Yew's todomvc example).
//!
//! Owns the rule that answers about a replaced file are ignored. It must never hold more than
//! what the page shows.

use crate::protocol::{FromWorker, Row, MAX_ROWS};
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
    pub rows: Vec<Row>,
    pub error: Option<String>,
    pub notes: Vec<String>,
    pub done: bool,
    pub worker_error: Option<String>,
}

pub enum Action {
    Start { job: u32, name: String, size: u64 },
    Worker(FromWorker),
    WorkerFailed(String),
}

impl State {
    fn add_rows(&mut self, rows: Vec<Row>) {
        let room = MAX_ROWS.saturating_sub(self.rows.len());
        self.rows.extend(rows.into_iter().take(room));
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
                    ..State::default()
                };
            }
            Action::Worker(msg) if msg.job() != s.job => return self,
            Action::Worker(FromWorker::Progress {
                packets,
                bytes,
                format,
                rows,
                ..
            }) => {
                s.packets = packets;
                s.bytes = bytes;
                s.format = format.or(s.format);
                s.add_rows(rows);
            }
            Action::Worker(FromWorker::Done {
                packets,
                bytes,
                format,
                rows,
                notes,
                error,
                ..
            }) => {
                s.notes = notes;
                s.packets = packets;
                s.bytes = bytes;
                s.format = format.or(s.format);
                s.add_rows(rows);
                s.error = error;
                s.done = true;
            }
            Action::Worker(FromWorker::Failed { message, .. }) => {
                s.error = Some(message);
                s.done = true;
            }
            Action::WorkerFailed(message) => s.worker_error = Some(message),
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u64) -> Row {
        Row {
            number: n,
            time: String::new(),
            summary: format!("packet {n}"),
        }
    }

    #[test]
    fn stale_answers_are_ignored_and_rows_capped() {
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
            rows: vec![row(1)],
        }));
        assert_eq!(s.packets, 0);
        assert!(s.rows.is_empty());
        let s = s.reduce(Action::Worker(FromWorker::Progress {
            job: 2,
            packets: 150,
            bytes: 5,
            format: Some("pcap".into()),
            rows: (1..=150).map(row).collect(),
        }));
        assert_eq!(s.rows.len(), MAX_ROWS);
        let s = s.reduce(Action::Worker(FromWorker::Done {
            job: 2,
            packets: 151,
            bytes: 10,
            format: None,
            rows: vec![row(151)],
            notes: vec![],
            error: Some("cut".into()),
        }));
        assert_eq!(s.rows.len(), MAX_ROWS);
        assert_eq!(s.packets, 151);
        assert_eq!(s.format.as_deref(), Some("pcap"));
        assert_eq!(s.error.as_deref(), Some("cut"));
        assert!(s.done);
    }
}
