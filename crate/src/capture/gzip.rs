//! Incremental gzip (RFC 1952) inflation for compressed captures: member headers, the deflate
//! body through flate2's streaming `Decompress`, the CRC-32/size trailer, and several members in
//! a row (what `cat a.gz b.gz` produces).
//!
//! Owns only the compressed side. Must never inflate more than the caller asks for in one pull
//! (a small compressed chunk can expand a thousandfold), never trust a header length without
//! the bytes being present, and never panic on damaged data: damage becomes a message.

use flate2::{Crc, Decompress, FlushDecompress, Status};

/// Above this many bytes of unfinished member header we stop waiting: real headers carry a file
/// name and perhaps a comment, not megabytes.
const MAX_HEADER: usize = 1 << 20;

enum State {
    /// Expecting a member header at `raw_pos`.
    Header,
    Body(Box<Decompress>),
    /// Expecting the 8-byte CRC-32 and size trailer.
    Trailer,
    /// After a member: another member, trailing junk, or the end.
    Between,
    Done,
    /// The data is damaged; the bytes inflated before the damage were already handed out.
    Failed(String),
}

/// What one [`Inflater::pull`] achieved.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Pull {
    /// Some decompressed bytes were appended.
    Produced,
    /// Nothing more can be produced until more compressed bytes are fed.
    NeedInput,
    /// The compressed stream ended cleanly (after `finish`).
    End,
    /// The stream is damaged or cut short; the text says how.
    Error(String),
}

pub(super) struct Inflater {
    raw: Vec<u8>,
    raw_pos: usize,
    /// Compressed-stream offset of `raw[0]`.
    raw_base: u64,
    state: State,
    crc: Crc,
    members: u64,
    /// Reused output space, so one pull never inflates more than its limit however large the
    /// caller's buffer has grown.
    scratch: Vec<u8>,
    /// Non-fatal findings (CRC mismatch, junk after the last member), for the reader's notes.
    pub notes: Vec<String>,
}

impl Inflater {
    pub fn new() -> Self {
        Inflater {
            raw: Vec::new(),
            raw_pos: 0,
            raw_base: 0,
            state: State::Header,
            crc: Crc::new(),
            members: 0,
            scratch: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        // Dropping what was used keeps the compressed buffer near one chunk in size.
        if self.raw_pos > 0 && self.raw_pos >= self.raw.len() / 2 {
            self.raw.drain(..self.raw_pos);
            self.raw_base = self.raw_base.saturating_add(self.raw_pos as u64);
            self.raw_pos = 0;
        }
        self.raw.extend_from_slice(bytes);
    }

    /// Compressed bytes used so far.
    pub fn consumed(&self) -> u64 {
        self.raw_base.saturating_add(self.raw_pos as u64)
    }

    fn pending(&self) -> &[u8] {
        self.raw.get(self.raw_pos..).unwrap_or(&[])
    }

    /// Appends up to about `limit` decompressed bytes to `out`. `finished` says no more input
    /// will be fed, which turns "need more" into either the end or a truncation error.
    pub fn pull(&mut self, out: &mut Vec<u8>, limit: usize, finished: bool) -> Pull {
        loop {
            match &mut self.state {
                State::Done => return Pull::End,
                State::Failed(m) => return Pull::Error(m.clone()),
                State::Header => match parse_header(self.pending()) {
                    HeaderParse::Complete(len) => {
                        self.raw_pos = self.raw_pos.saturating_add(len);
                        self.crc.reset();
                        self.members = self.members.saturating_add(1);
                        self.state = State::Body(Box::new(Decompress::new(false)));
                    }
                    HeaderParse::Incomplete => {
                        if self.pending().len() > MAX_HEADER {
                            return Pull::Error(format!(
                                "gzip member header at compressed byte {} runs past {} bytes",
                                super::thousands(self.consumed()),
                                super::thousands(MAX_HEADER as u64)
                            ));
                        }
                        if finished {
                            return Pull::Error(format!(
                                "the gzip data ends inside a member header (at compressed byte {})",
                                super::thousands(self.consumed())
                            ));
                        }
                        return Pull::NeedInput;
                    }
                    HeaderParse::Bad(why) => {
                        return Pull::Error(format!(
                            "gzip member header at compressed byte {} is damaged: {why}",
                            super::thousands(self.consumed())
                        ))
                    }
                },
                State::Body(d) => {
                    let input = self.raw.get(self.raw_pos..).unwrap_or(&[]);
                    self.scratch.clear();
                    self.scratch.reserve_exact(limit.max(1));
                    let in_before = d.total_in();
                    let out_before = d.total_out();
                    let status = d.decompress_vec(input, &mut self.scratch, FlushDecompress::None);
                    let used = d.total_in().saturating_sub(in_before);
                    let made = d.total_out().saturating_sub(out_before);
                    self.raw_pos = self
                        .raw_pos
                        .saturating_add(usize::try_from(used).unwrap_or(usize::MAX))
                        .min(self.raw.len());
                    // Bytes inflated before any damage are good: hand them out first, so
                    // what is read does not depend on how the input was chunked.
                    self.crc.update(&self.scratch);
                    out.extend_from_slice(&self.scratch);
                    if let Err(e) = &status {
                        // Positioned by what was inflated, not by compressed bytes used: the
                        // inflater reads ahead by a varying amount depending on chunking.
                        let m = format!(
                            "the gzip data is damaged in member {} after {} good bytes ({e})",
                            self.members,
                            super::thousands(d.total_out())
                        );
                        self.state = State::Failed(m);
                        if made > 0 {
                            return Pull::Produced;
                        }
                        continue;
                    }
                    match status {
                        Ok(Status::StreamEnd) => {
                            self.state = State::Trailer;
                            if made > 0 {
                                return Pull::Produced;
                            }
                        }
                        Ok(_) if made > 0 => return Pull::Produced,
                        Ok(_) if used > 0 => {}
                        Ok(_) => {
                            if finished {
                                return Pull::Error(format!(
                                    "the gzip data is cut short: it ends at compressed byte {} in the middle of member {}",
                                    super::thousands(self.consumed()),
                                    self.members
                                ));
                            }
                            return Pull::NeedInput;
                        }
                        Err(_) => {}
                    }
                }
                State::Trailer => {
                    let Some(t) = super::array8(self.pending(), 0) else {
                        if finished {
                            return Pull::Error(format!(
                                "the gzip data ends inside the trailer of member {} (at compressed byte {})",
                                self.members,
                                super::thousands(self.consumed())
                            ));
                        }
                        return Pull::NeedInput;
                    };
                    let [c0, c1, c2, c3, s0, s1, s2, s3] = t;
                    let crc = u32::from_le_bytes([c0, c1, c2, c3]);
                    let size = u32::from_le_bytes([s0, s1, s2, s3]);
                    if crc != self.crc.sum() || size != self.crc.amount() {
                        self.notes.push(format!(
                            "gzip member {} fails its integrity check (CRC-32 {:08x}, expected {:08x}): its packets may be damaged",
                            self.members,
                            self.crc.sum(),
                            crc
                        ));
                    }
                    self.raw_pos = self.raw_pos.saturating_add(8);
                    self.state = State::Between;
                }
                State::Between => {
                    let rest = self.pending();
                    if rest.len() < 2 && !finished {
                        return Pull::NeedInput;
                    }
                    if rest.starts_with(&[0x1f, 0x8b]) {
                        self.state = State::Header;
                    } else {
                        if !rest.is_empty() && !finished {
                            // Junk after the last member: wait for all of it so the note
                            // (and its byte count) is the same however the input was chunked.
                            return Pull::NeedInput;
                        }
                        if !rest.is_empty() && rest.iter().any(|&b| b != 0) {
                            self.notes.push(format!(
                                "{} bytes after the end of the gzip data (at compressed byte {}) were ignored",
                                super::thousands(rest.len() as u64),
                                super::thousands(self.consumed())
                            ));
                        }
                        self.raw_pos = self.raw.len();
                        self.state = State::Done;
                    }
                }
            }
        }
    }
}

enum HeaderParse {
    Complete(usize),
    Incomplete,
    Bad(String),
}

/// Length of the gzip member header at the start of `b` (RFC 1952 section 2.3).
fn parse_header(b: &[u8]) -> HeaderParse {
    const FHCRC: u8 = 0x02;
    const FEXTRA: u8 = 0x04;
    const FNAME: u8 = 0x08;
    const FCOMMENT: u8 = 0x10;
    const RESERVED: u8 = 0xe0;
    let Some([id1, id2, cm, flg, ..]) = super::array8(b, 0) else {
        return HeaderParse::Incomplete;
    };
    if [id1, id2] != [0x1f, 0x8b] {
        return HeaderParse::Bad(format!("magic {id1:02x} {id2:02x}, expected 1f 8b"));
    }
    if cm != 8 {
        return HeaderParse::Bad(format!("compression method {cm}, only 8 (deflate) exists"));
    }
    if flg & RESERVED != 0 {
        return HeaderParse::Bad(format!("reserved flag bits set ({flg:#04x})"));
    }
    // ID1 ID2 CM FLG MTIME(4) XFL OS
    let mut pos: usize = 10;
    if flg & FEXTRA != 0 {
        let Some(xlen) = crate::decode::bytes::le16(b, pos) else {
            return HeaderParse::Incomplete;
        };
        pos = pos.saturating_add(2).saturating_add(usize::from(xlen));
    }
    for flag in [FNAME, FCOMMENT] {
        if flg & flag != 0 {
            match b.get(pos..).and_then(|r| r.iter().position(|&c| c == 0)) {
                Some(z) => pos = pos.saturating_add(z).saturating_add(1),
                None => return HeaderParse::Incomplete,
            }
        }
    }
    if flg & FHCRC != 0 {
        pos = pos.saturating_add(2);
    }
    if b.len() < pos {
        return HeaderParse::Incomplete;
    }
    HeaderParse::Complete(pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    pub(crate) fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = e.write_all(data);
        e.finish().unwrap_or_default()
    }

    fn inflate_in_chunks(input: &[u8], chunk: usize, limit: usize) -> (Vec<u8>, Pull, Vec<String>) {
        let mut inf = Inflater::new();
        let mut out = Vec::new();
        let mut chunks = input.chunks(chunk.max(1));
        let mut finished = false;
        loop {
            match inf.pull(&mut out, limit, finished) {
                Pull::Produced => {}
                Pull::NeedInput => match chunks.next() {
                    Some(c) => inf.feed(c),
                    None => finished = true,
                },
                other => return (out, other, inf.notes),
            }
        }
    }

    #[test]
    fn inflates_multi_member_in_any_chunking() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        let mut two = gz(&data);
        two.extend(gz(b"second member"));
        let mut want = data.clone();
        want.extend_from_slice(b"second member");
        for chunk in [1, 2, 3, 7, 100, 10_000] {
            let (out, end, notes) = inflate_in_chunks(&two, chunk, 64);
            assert_eq!(end, Pull::End);
            assert_eq!(out, want, "chunk {chunk}");
            assert!(notes.is_empty(), "{notes:?}");
        }
    }

    #[test]
    fn truncation_and_damage_are_errors() {
        let whole = gz(b"hello hello hello hello");
        for cut in 0..whole.len() {
            let (out, end, _) = inflate_in_chunks(&whole[..cut], 3, 16);
            assert!(matches!(end, Pull::Error(_)), "cut {cut}: {end:?}");
            assert!(b"hello hello hello hello".starts_with(&out));
        }
        let mut bad = whole.clone();
        bad[3] = 0xff; // reserved flag bits
        assert!(
            matches!(inflate_in_chunks(&bad, 5, 16).1, Pull::Error(m) if m.contains("reserved"))
        );
        let mut crc = whole.clone();
        let n = crc.len();
        crc[n - 8] ^= 1; // CRC-32 of the trailer
        let (_, end, notes) = inflate_in_chunks(&crc, 5, 16);
        assert_eq!(end, Pull::End);
        assert!(notes.iter().any(|n| n.contains("integrity")), "{notes:?}");
        let mut junk = whole.clone();
        junk.extend_from_slice(b"junk");
        let (_, end, notes) = inflate_in_chunks(&junk, 5, 16);
        assert_eq!(end, Pull::End);
        assert!(
            notes.iter().any(|n| n.contains("4 bytes after")),
            "{notes:?}"
        );
    }

    #[test]
    fn header_with_name_and_comment() {
        // 1f 8b magic, cm 8, flg FNAME|FCOMMENT|FHCRC, mtime 0, xfl 0, os 3,
        // name "a\0", comment "bc\0", header crc (2 bytes, not checked).
        let h = [
            0x1f, 0x8b, 8, 0x1a, 0, 0, 0, 0, 0, 3, b'a', 0, b'b', b'c', 0, 0xaa, 0xbb,
        ];
        assert!(matches!(parse_header(&h), HeaderParse::Complete(17)));
        assert!(matches!(parse_header(&h[..16]), HeaderParse::Incomplete));
        assert!(matches!(parse_header(&h[..11]), HeaderParse::Incomplete));
    }
}
