//! The page's state and the actions that change it (one reducer, as in Yew's todomvc example).
//!
//! Owns the rule that answers about a replaced file are ignored, what is selected and lit up,
//! which view and time format the person chose, and the filter as applied. It must never hold
//! more than what the page shows: one window of rows, one packet's detail, one followed stream
//! and the capture's summary.

use crate::protocol::{AnalysisView, Detail, FilterErrorView, FromWorker, Row, StreamView};
use crate::select::Mark;
use std::rc::Rc;
use yew::Reducible;

/// How the Time column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeMode {
    /// Seconds since the first packet.
    #[default]
    Relative,
    /// Seconds since the packet before.
    Delta,
    /// Date and time of day.
    Absolute,
}

/// The main area's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Packets,
    Findings,
    Overview,
}

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
    pub cancelled: bool,
    /// Workers that read the file (2 when a helper ran the rules), once it is read.
    pub workers: u8,
    pub worker_error: Option<String>,
    /// Rows in the list: every packet, or those the filter kept.
    pub shown: u64,
    /// The expression the list is filtered by (empty: none).
    pub filter: String,
    /// Why the last expression was refused, with the expression.
    pub filter_error: Option<(String, FilterErrorView)>,
    /// Packets checked by a filter being applied; `None` when none is running.
    pub filtering: Option<u64>,
    /// The last window of rows the worker sent: list positions `rows_first..rows_first + rows.len()`.
    pub rows_first: u64,
    pub rows: Rc<Vec<Row>>,
    /// Bumped whenever the rows held are thrown away (marks changed, a new filter): the list
    /// asks again even for the window it asked for last.
    pub rows_seq: u32,
    /// The list position the cursor is on.
    pub selected: Option<u64>,
    /// The packet whose detail was asked for last, and the detail once it came.
    pub opened: Option<u64>,
    pub detail: Option<Rc<Detail>>,
    /// Why the last question could not be answered.
    pub query_error: Option<String>,
    pub mark: Mark,
    pub time: TimeMode,
    /// Absolute times in the browser's time zone instead of UTC.
    pub local: bool,
    pub tab: Tab,
    pub analysis: Option<Rc<AnalysisView>>,
    /// The stream being followed: asked for (packet number) and shown.
    pub following: Option<u64>,
    pub stream: Option<Rc<StreamView>>,
    /// A list position to scroll to, and a counter that changes with every jump (jumping to the
    /// same place twice must scroll twice).
    pub jump: Option<u64>,
    pub jump_seq: u32,
}

pub enum Action {
    Start {
        job: u32,
        name: String,
        size: u64,
    },
    Worker(FromWorker),
    WorkerFailed(String),
    /// Move the cursor to list position `n`.
    Select(u64),
    /// Move the cursor to list position `n` and scroll it into view.
    Jump(u64),
    /// The detail of this packet was asked for.
    Open(u64),
    Mark(Mark),
    Time(TimeMode),
    Local(bool),
    Tab(Tab),
    /// A filter was sent to the worker.
    Filtering(String),
    /// Follow the stream of this packet (asked), or close the stream view (`None`).
    Follow(Option<u64>),
}

impl State {
    /// The cached row at list position `pos`, if the last window holds it.
    pub fn row(&self, pos: u64) -> Option<&Row> {
        let i = usize::try_from(pos.checked_sub(self.rows_first)?).ok()?;
        self.rows.get(i)
    }

    /// True when the cached window holds every row of `first..first + count`.
    pub fn has_rows(&self, first: u64, count: u64) -> bool {
        count == 0
            || (first >= self.rows_first
                && first.saturating_add(count)
                    <= self.rows_first.saturating_add(self.rows.len() as u64))
    }

    /// Packet number at list position `pos`, when its row is cached.
    pub fn number_at(&self, pos: u64) -> Option<u64> {
        self.row(pos).map(|r| r.number)
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
                    time: s.time,
                    local: s.local,
                    ..State::default()
                };
            }
            Action::Worker(msg) if msg.job() != s.job => return self,
            Action::Worker(FromWorker::Progress {
                packets,
                bytes,
                size,
                format,
                ..
            }) => {
                s.size = size;
                s.packets = packets;
                s.shown = packets;
                s.bytes = bytes;
                s.format = format.or(s.format);
            }
            Action::Worker(FromWorker::Done {
                packets,
                bytes,
                size,
                format,
                notes,
                error,
                cancelled,
                workers,
                ..
            }) => {
                s.workers = workers;
                s.size = size;
                s.notes = notes;
                s.packets = packets;
                s.shown = packets;
                s.bytes = bytes;
                s.format = format.or(s.format);
                s.error = error;
                s.cancelled = cancelled;
                s.done = true;
                // Marks may have changed: detections raise the level of their evidence rows.
                s.rows = Rc::new(Vec::new());
                s.rows_seq = s.rows_seq.wrapping_add(1);
            }
            Action::Worker(FromWorker::Analysis { analysis, .. }) => {
                s.analysis = Some(Rc::from(analysis));
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
                s.mark = Mark::Nothing;
                s.query_error = None;
            }
            Action::Worker(FromWorker::Filtering { checked, .. }) => {
                if s.filtering.is_some() {
                    s.filtering = Some(checked);
                }
            }
            Action::Worker(FromWorker::Filtered {
                expr, shown, error, ..
            }) => {
                s.filtering = None;
                match error {
                    Some(e) => s.filter_error = Some((expr, e)),
                    None => {
                        s.filter_error = None;
                        s.filter = expr;
                        s.shown = shown;
                        s.rows = Rc::new(Vec::new());
                        s.rows_seq = s.rows_seq.wrapping_add(1);
                        s.rows_first = 0;
                        s.selected = None;
                    }
                }
            }
            Action::Worker(FromWorker::Stream { stream, .. }) => {
                if s.following == Some(stream.number) {
                    s.stream = Some(Rc::from(stream));
                }
            }
            Action::Worker(FromWorker::Located { pos, number, .. }) => match pos {
                Some(p) => {
                    s.selected = Some(p);
                    s.jump = Some(p);
                    s.jump_seq = s.jump_seq.wrapping_add(1);
                }
                None => {
                    s.query_error = Some(format!(
                        "no packet from {number} on is in the list as filtered"
                    ))
                }
            },
            Action::Worker(FromWorker::QueryFailed { message, .. }) => {
                s.query_error = Some(message);
                s.filtering = None;
            }
            Action::Worker(FromWorker::Failed { message, .. }) => {
                s.error = Some(message);
                s.done = true;
            }
            Action::WorkerFailed(message) => s.worker_error = Some(message),
            Action::Select(n) => {
                if s.shown == 0 {
                    return self;
                }
                s.selected = Some(n.clamp(1, s.shown));
            }
            Action::Jump(n) => {
                if s.shown == 0 {
                    return self;
                }
                let n = n.clamp(1, s.shown);
                s.selected = Some(n);
                s.jump = Some(n);
                s.jump_seq = s.jump_seq.wrapping_add(1);
            }
            Action::Open(n) => {
                s.opened = Some(n);
            }
            Action::Mark(m) => s.mark = m,
            Action::Time(t) => s.time = t,
            Action::Local(b) => s.local = b,
            Action::Tab(t) => s.tab = t,
            Action::Filtering(_) => {
                s.filtering = Some(0);
                s.query_error = None;
            }
            Action::Follow(n) => {
                s.following = n;
                s.stream = None;
            }
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
            delta: String::new(),
            secs: 0,
            nanos: 0,
            src: String::new(),
            dst: String::new(),
            proto: String::new(),
            len: 0,
            summary: format!("packet {n}"),
            info: format!("packet {n}"),
            level: Level::None,
        }
    }

    fn started() -> Rc<State> {
        Rc::new(State::default()).reduce(Action::Start {
            job: 2,
            name: "a.pcap".into(),
            size: 10,
        })
    }

    #[test]
    fn stale_answers_are_ignored_and_rows_windowed() {
        let s = started();
        let s = s.reduce(Action::Worker(FromWorker::Progress {
            job: 1,
            packets: 9,
            bytes: 9,
            size: 10,
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
            size: 12,
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
            size: 12,
            format: None,
            notes: vec![],
            error: Some("cut".into()),
            cancelled: false,
            workers: 1,
        }));
        assert_eq!(s.packets, 151);
        assert_eq!(s.shown, 151);
        // The worker's size wins over the page's guess (a pasted dump's text length).
        assert_eq!(s.size, 12);
        assert_eq!(s.format.as_deref(), Some("pcap"));
        assert_eq!(s.error.as_deref(), Some("cut"));
        assert!(s.done);
        // Selection stays inside the list.
        let s = s.reduce(Action::Select(0));
        assert_eq!(s.selected, Some(1));
        let s = s.reduce(Action::Select(900));
        assert_eq!(s.selected, Some(151));
    }

    #[test]
    fn a_filter_changes_the_list_only_when_it_parses() {
        let s = started().reduce(Action::Worker(FromWorker::Done {
            job: 2,
            packets: 100,
            bytes: 10,
            size: 10,
            format: None,
            notes: vec![],
            error: None,
            cancelled: false,
            workers: 1,
        }));
        let s = s.reduce(Action::Filtering("tcp".into()));
        assert_eq!(s.filtering, Some(0));
        let seq = s.rows_seq;
        let s = s.reduce(Action::Worker(FromWorker::Filtered {
            job: 2,
            expr: "tcp".into(),
            shown: 7,
            error: None,
        }));
        assert_eq!((s.shown, s.filter.as_str(), s.filtering), (7, "tcp", None));
        // The rows held belonged to the old list: the list must ask again, even for the same
        // window.
        assert!(s.rows.is_empty());
        assert_ne!(s.rows_seq, seq);
        let s = s.reduce(Action::Worker(FromWorker::Filtered {
            job: 2,
            expr: "tcp ==".into(),
            shown: 0,
            error: Some(FilterErrorView {
                at: 4,
                len: 2,
                message: "a value must follow".into(),
            }),
        }));
        // The list keeps the last good filter; the error names the refused expression.
        assert_eq!((s.shown, s.filter.as_str()), (7, "tcp"));
        assert_eq!(s.filter_error.as_ref().map(|e| e.1.at), Some(4));
        let s = s.reduce(Action::Select(50));
        assert_eq!(s.selected, Some(7));
    }
}
