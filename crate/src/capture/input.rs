//! The reader's byte supply: chunks as they are fed, passed through the gzip inflater when the
//! input starts with the gzip magic, held until the format parsers have used them.
//!
//! Owns buffering and the stream offsets. Must never hold more than the last chunk fed (or
//! inflated) plus the unparsed tail before it (used bytes are dropped when more are added) and
//! never inflate ahead of what the parser asks for.

use super::gzip::{Inflater, Pull};

/// Decompressed bytes made available per request when reading gzip: large enough to be
/// efficient, small enough that a highly compressible chunk does not balloon memory.
const PULL_LIMIT: usize = 256 * 1024;

enum Mode {
    /// Fewer than two bytes seen: not yet known whether this is gzip.
    Undecided(Vec<u8>),
    Plain,
    Gzip(Box<Inflater>),
}

pub(super) enum Fill {
    /// More bytes are now available.
    Progress,
    /// Feed more input.
    NeedInput,
    /// There will never be more bytes.
    Eof,
    /// The compressed stream is damaged; the text says how.
    Error(String),
}

pub(super) struct Input {
    buf: Vec<u8>,
    pos: usize,
    /// Stream offset (decompressed for gzip) of `buf[pos]`.
    offset: u64,
    mode: Mode,
    finished: bool,
}

impl Input {
    pub fn new() -> Self {
        Input {
            buf: Vec::new(),
            pos: 0,
            offset: 0,
            mode: Mode::Undecided(Vec::new()),
            finished: false,
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        if self.finished {
            return;
        }
        match &mut self.mode {
            Mode::Undecided(pending) => {
                pending.extend_from_slice(bytes);
                if pending.len() >= 2 {
                    self.decide();
                }
            }
            Mode::Plain => {
                self.compact();
                self.buf.extend_from_slice(bytes);
            }
            Mode::Gzip(g) => g.feed(bytes),
        }
    }

    pub fn finish(&mut self) {
        if matches!(self.mode, Mode::Undecided(_)) {
            self.decide();
        }
        self.finished = true;
    }

    /// Chooses gzip or plain from the first two bytes (RFC 1952's ID1 ID2).
    fn decide(&mut self) {
        let pending = match std::mem::replace(&mut self.mode, Mode::Plain) {
            Mode::Undecided(p) => p,
            other => {
                self.mode = other;
                return;
            }
        };
        if pending.starts_with(&[0x1f, 0x8b]) {
            let mut g = Box::new(Inflater::new());
            g.feed(&pending);
            self.mode = Mode::Gzip(g);
        } else {
            self.buf = pending;
        }
    }

    pub fn is_gzip(&self) -> bool {
        matches!(self.mode, Mode::Gzip(_))
    }

    /// The bytes not yet used by the parser.
    pub fn data(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Stream offset of the first byte of [`Input::data`].
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Input bytes used so far: compressed bytes for gzip.
    pub fn consumed(&self) -> u64 {
        match &self.mode {
            Mode::Gzip(g) => g.consumed(),
            Mode::Undecided(_) => 0,
            Mode::Plain => self.offset,
        }
    }

    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len().saturating_sub(self.pos));
        self.pos = self.pos.saturating_add(n);
        self.offset = self.offset.saturating_add(n as u64);
    }

    /// Drops the used bytes at the front of the buffer. Called only just before more bytes are
    /// added, when the parser has asked for more: what is left then is at most one unfinished
    /// record, so each input byte is moved at most once more, and usually not at all.
    fn compact(&mut self) {
        if self.pos >= self.buf.len() {
            self.buf.clear();
        } else {
            self.buf.drain(..self.pos);
        }
        self.pos = 0;
    }

    /// Tries to make more bytes available.
    pub fn fill(&mut self) -> Fill {
        if matches!(self.mode, Mode::Gzip(_)) {
            self.compact();
        }
        match &mut self.mode {
            Mode::Undecided(_) => Fill::NeedInput,
            Mode::Plain if self.finished => Fill::Eof,
            Mode::Plain => Fill::NeedInput,
            Mode::Gzip(g) => match g.pull(&mut self.buf, PULL_LIMIT, self.finished) {
                Pull::Produced => Fill::Progress,
                Pull::NeedInput => Fill::NeedInput,
                Pull::End => Fill::Eof,
                Pull::Error(m) => Fill::Error(m),
            },
        }
    }

    /// Non-fatal findings from the gzip layer since the last call.
    pub fn take_notes(&mut self) -> Vec<String> {
        match &mut self.mode {
            Mode::Gzip(g) => std::mem::take(&mut g.notes),
            _ => Vec::new(),
        }
    }
}
