//! Following one TCP or UDP conversation, as Wireshark's "Follow Stream" does: the payload each
//! side sent, in order, with the direction changes marked.
//!
//! Owns picking a stream's packets out of a capture (by the outer, not ICMP-quoted, IP addresses
//! and ports) and putting each TCP direction's bytes back in sequence order: bytes already
//! delivered are left out (retransmissions, counted), segments that arrive early wait for the
//! hole before them, and holes never filled are noted. It must never do more than that: no IP
//! reassembly, no reading of what the bytes mean. Memory is bounded: at most `max_bytes` of
//! payload is kept, and at most `max_bytes` (and [`MAX_WAITING`] segments) per direction wait out
//! of order; beyond that the holes are given up on and what waits is delivered after a note.
//! Sequence numbers wrap, so all sequence arithmetic is modular or saturating, never a panic.
//!
//! Where Wireshark stops at a hole that is never filled, this module notes the hole and goes
//! on with the bytes after it, so nothing the capture holds is hidden.

use crate::capture::thousands;
use crate::decode::{Dissection, Layer};
use crate::field::Value;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::net::{IpAddr, SocketAddr};

/// A sensible `max_bytes` for interactive use.
pub const DEFAULT_MAX_BYTES: usize = 16 << 20;
/// Notes beyond this many are replaced by one line saying so: a lossy capture can have a hole
/// after every segment.
const MAX_NOTES: usize = 50;
/// Segments that may wait behind holes in one direction, whatever their size (segments whose
/// bytes the capture did not keep take no room, so bytes alone do not bound them).
pub const MAX_WAITING: usize = 4096;
/// Retransmitting packets listed by number in the summary note.
const LISTED_RETRANSMISSIONS: usize = 8;

const TCP_SYN: u64 = 0x02;
const TCP_ACK: u64 = 0x10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamProto {
    Tcp,
    Udp,
}

impl StreamProto {
    pub fn name(self) -> &'static str {
        match self {
            StreamProto::Tcp => "TCP",
            StreamProto::Udp => "UDP",
        }
    }
}

/// A conversation: the protocol and its two endpoints, the same whichever way a packet goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct StreamKey {
    proto: StreamProto,
    /// The smaller endpoint first, so both directions give the same key.
    lo: SocketAddr,
    hi: SocketAddr,
}

impl StreamKey {
    pub fn new(proto: StreamProto, a: SocketAddr, b: SocketAddr) -> StreamKey {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        StreamKey { proto, lo, hi }
    }

    /// The stream a decoded packet belongs to: its outer TCP or UDP layer with the IPv4 or IPv6
    /// header that carries it. `None` for anything else (including a TCP header quoted inside
    /// an ICMP error, which belongs to no stream of this packet's own).
    pub fn of(d: &Dissection) -> Option<StreamKey> {
        locate(d).map(|l| StreamKey::new(l.proto, l.src, l.dst))
    }

    pub fn proto(&self) -> StreamProto {
        self.proto
    }

    /// The two endpoints, smaller first.
    pub fn endpoints(&self) -> (SocketAddr, SocketAddr) {
        (self.lo, self.hi)
    }
}

impl fmt::Display for StreamKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} <-> {}", self.proto.name(), self.lo, self.hi)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    FromClient,
    FromServer,
}

/// Payload bytes one packet contributed, in stream order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub number: u64,
    pub direction: Direction,
    pub data: Vec<u8>,
}

/// A followed stream, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowedStream {
    pub key: StreamKey,
    /// The side that sent the first packet seen (the receiver of a SYN/ACK seen first).
    pub client: String,
    pub server: String,
    pub segments: Vec<Segment>,
    /// Payload bytes each side delivered, retransmissions left out (bytes beyond `max_bytes`
    /// are counted even though they are not kept).
    pub bytes_from_client: u64,
    pub bytes_from_server: u64,
    /// Packets of the stream, with or without payload.
    pub packets: u64,
    /// True when `max_bytes` cut what is kept.
    pub truncated: bool,
    /// TCP: retransmitted bytes left out, gaps (bytes never seen), out-of-order segments noted;
    /// both: payload the capture did not keep.
    pub notes: Vec<String>,
}

/// Where a packet's transport layer sits and what it says.
struct Located<'d> {
    proto: StreamProto,
    src: SocketAddr,
    dst: SocketAddr,
    layer: &'d Layer,
    /// Where the IP datagram ends by its own length field, when it says.
    ip_end: Option<usize>,
}

fn ip_addr(v: Option<&Value>) -> Option<IpAddr> {
    match v? {
        Value::Ipv4(a) => Some(IpAddr::V4(*a)),
        Value::Ipv6(a) => Some(IpAddr::V6(*a)),
        _ => None,
    }
}

fn port(l: &Layer, name: &str) -> Option<u16> {
    l.u64(name).and_then(|p| u16::try_from(p).ok())
}

fn locate(d: &Dissection) -> Option<Located<'_>> {
    let (i, layer) = d
        .layers
        .iter()
        .enumerate()
        .find(|(_, l)| !l.quoted && (l.proto == "tcp" || l.proto == "udp"))?;
    // The nearest IP header before the transport layer: the inner one in a tunnel.
    let ip = d
        .layers
        .get(..i)?
        .iter()
        .rev()
        .find(|l| !l.quoted && (l.proto == "ip" || l.proto == "ipv6"))?;
    let (src, dst, ip_end) = if ip.proto == "ip" {
        let end = ip.u64("ip.len").and_then(|n| {
            usize::try_from(n)
                .ok()
                .and_then(|n| ip.offset.checked_add(n))
        });
        (ip.get("ip.src"), ip.get("ip.dst"), end)
    } else {
        // A zero payload length means a jumbogram (RFC 2675): the length is elsewhere.
        let end = ip
            .u64("ipv6.plen")
            .filter(|&n| n > 0)
            .and_then(|n| usize::try_from(n).ok())
            .and_then(|n| ip.offset.checked_add(40)?.checked_add(n));
        (ip.get("ipv6.src"), ip.get("ipv6.dst"), end)
    };
    let (proto, sp, dp) = if layer.proto == "tcp" {
        (StreamProto::Tcp, "tcp.srcport", "tcp.dstport")
    } else {
        (StreamProto::Udp, "udp.srcport", "udp.dstport")
    };
    Some(Located {
        proto,
        src: SocketAddr::new(ip_addr(src)?, port(layer, sp)?),
        dst: SocketAddr::new(ip_addr(dst)?, port(layer, dp)?),
        layer,
        ip_end,
    })
}

/// The payload bytes the frame holds and how many the headers say there were.
fn payload<'a>(loc: &Located<'_>, frame: &'a [u8]) -> (&'a [u8], u64) {
    let l = loc.layer;
    let (start, claimed) = match loc.proto {
        StreamProto::Tcp => {
            let Some(hdr) = l.u64("tcp.hdr_len").and_then(|h| usize::try_from(h).ok()) else {
                return (&[], 0);
            };
            (l.offset.saturating_add(hdr), l.u64("tcp.len").unwrap_or(0))
        }
        StreamProto::Udp => {
            let start = l.offset.saturating_add(8);
            let claimed = match (l.u64("udp.length"), &l.error) {
                (Some(n), None) if n >= 8 => n - 8,
                // A UDP length that cannot be right: the IP datagram's end bounds the payload.
                _ => loc.ip_end.map_or(0, |e| e.saturating_sub(start) as u64),
            };
            (start, claimed)
        }
    };
    let mut end = start.saturating_add(usize::try_from(claimed).unwrap_or(usize::MAX));
    end = end.min(frame.len());
    if let Some(e) = loc.ip_end {
        // Ethernet padding after the datagram is not payload.
        end = end.min(e);
    }
    (frame.get(start..end).unwrap_or(&[]), claimed)
}

/// Bytes that arrived ahead of a hole, waiting for it to be filled.
#[derive(Debug, Clone)]
struct Waiting {
    number: u64,
    /// Empty when the kept-bytes budget was already spent (only the counts matter then).
    data: Vec<u8>,
    captured: usize,
    claimed: u64,
}

/// One direction of a TCP stream.
#[derive(Debug, Clone, Default)]
struct Dir {
    /// Sequence number of the first payload byte (the SYN's plus one, or the first seen).
    base: Option<u32>,
    /// Offset from `base` of the next byte expected; never negative.
    next: i64,
    waiting: BTreeMap<i64, Waiting>,
    waiting_bytes: usize,
}

impl Dir {
    /// The offset of `seq` from `base`, unwrapped around `next`: the nearest value that is
    /// `seq - base` modulo 2^32, so streams longer than 4 GiB and wrapping numbers work.
    fn rel(&self, seq: u32) -> i64 {
        let base = self.base.unwrap_or(seq);
        let off = seq.wrapping_sub(base);
        // Truncation intended: the expected offset modulo 2^32.
        let next32 = self.next as u32;
        let delta = off.wrapping_sub(next32) as i32;
        self.next.saturating_add(i64::from(delta))
    }
}

/// Builds a [`FollowedStream`] from the packets of a capture, fed in capture order.
#[derive(Debug, Clone)]
pub struct StreamBuilder {
    key: StreamKey,
    max_bytes: usize,
    client: Option<SocketAddr>,
    from_client: Dir,
    from_server: Dir,
    segments: Vec<Segment>,
    kept: usize,
    truncated: bool,
    packets: u64,
    bytes_from_client: u64,
    bytes_from_server: u64,
    retransmitted_bytes: u64,
    retransmitting_packets: Vec<u64>,
    retransmitting_count: u64,
    last_retransmitting: Option<u64>,
    notes: Vec<String>,
}

impl StreamBuilder {
    pub fn new(key: StreamKey, max_bytes: usize) -> StreamBuilder {
        StreamBuilder {
            key,
            max_bytes,
            client: None,
            from_client: Dir::default(),
            from_server: Dir::default(),
            segments: Vec::new(),
            kept: 0,
            truncated: false,
            packets: 0,
            bytes_from_client: 0,
            bytes_from_server: 0,
            retransmitted_bytes: 0,
            retransmitting_packets: Vec::new(),
            retransmitting_count: 0,
            last_retransmitting: None,
            notes: Vec::new(),
        }
    }

    pub fn key(&self) -> StreamKey {
        self.key
    }

    /// Adds packet `number`, whose captured bytes are `frame` and whose decoding (of those same
    /// bytes) is `d`. Packets of other streams are ignored.
    pub fn push(&mut self, number: u64, frame: &[u8], d: &Dissection) {
        let Some(loc) = locate(d) else { return };
        if StreamKey::new(loc.proto, loc.src, loc.dst) != self.key {
            return;
        }
        self.packets = self.packets.saturating_add(1);
        let flags = loc.layer.u64("tcp.flags").unwrap_or(0);
        let is_tcp = loc.proto == StreamProto::Tcp;
        let syn_ack = is_tcp && flags & (TCP_SYN | TCP_ACK) == (TCP_SYN | TCP_ACK);
        let client = *self
            .client
            .get_or_insert(if syn_ack { loc.dst } else { loc.src });
        let dir = if loc.src == client {
            Direction::FromClient
        } else {
            Direction::FromServer
        };
        let (data, claimed) = payload(&loc, frame);
        if is_tcp {
            self.tcp(dir, number, loc.layer, flags, data, claimed);
        } else {
            self.deliver(dir, number, data, data.len(), claimed);
        }
    }

    fn dir(&mut self, d: Direction) -> &mut Dir {
        match d {
            Direction::FromClient => &mut self.from_client,
            Direction::FromServer => &mut self.from_server,
        }
    }

    fn endpoint(&self, d: Direction) -> SocketAddr {
        let client = self.client.unwrap_or(self.key.lo);
        let server = if client == self.key.lo {
            self.key.hi
        } else {
            self.key.lo
        };
        match d {
            Direction::FromClient => client,
            Direction::FromServer => server,
        }
    }

    fn note(&mut self, text: String) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(text);
        } else if self.notes.len() == MAX_NOTES {
            self.notes.push(format!(
                "further notes were left out (at most {MAX_NOTES} are kept)"
            ));
        }
    }

    fn tcp(
        &mut self,
        dir: Direction,
        number: u64,
        l: &Layer,
        flags: u64,
        data: &[u8],
        claimed: u64,
    ) {
        let Some(seq) = l.u64("tcp.seq_raw").and_then(|s| u32::try_from(s).ok()) else {
            return;
        };
        let syn = flags & TCP_SYN != 0;
        // A SYN takes one sequence number; data it carries (TCP Fast Open) starts after it.
        let data_seq = if syn { seq.wrapping_add(1) } else { seq };
        let st = self.dir(dir);
        if st.base.is_none() {
            st.base = Some(data_seq);
        }
        let rel = st.rel(data_seq);
        // An acknowledgment past a hole in the other direction means the receiver got bytes the
        // capture missed: what waits behind the hole can be released now, before this packet's
        // own payload, which was sent after that.
        if flags & TCP_ACK != 0 {
            let other = dir.other();
            if let Some(ack) = l.u64("tcp.ack_raw").and_then(|a| u32::try_from(a).ok()) {
                let o = self.dir(other);
                if o.base.is_some() && !o.waiting.is_empty() {
                    let acked = o.rel(ack);
                    if acked > o.next {
                        self.release(other, Some(acked));
                    }
                }
            }
        }
        if claimed > 0 {
            self.segment(dir, number, rel, data, claimed);
        }
    }

    /// Places `claimed` payload bytes (of which `data` was captured) starting at offset `rel`.
    fn segment(&mut self, dir: Direction, number: u64, rel: i64, data: &[u8], claimed: u64) {
        let next = self.dir(dir).next;
        let len = i64::try_from(claimed).unwrap_or(i64::MAX);
        if rel.saturating_add(len) <= next {
            self.retransmitted(number, claimed);
            return;
        }
        let (rel, data, claimed) = if rel < next {
            // Starts inside what was already delivered: only the new tail counts.
            let skip = next - rel;
            let skip_u = skip as u64;
            self.retransmitted(number, skip_u);
            let from = usize::try_from(skip).unwrap_or(usize::MAX);
            (next, data.get(from..).unwrap_or(&[]), claimed - skip_u)
        } else {
            (rel, data, claimed)
        };
        if rel == next {
            self.deliver(dir, number, data, data.len(), claimed);
            self.drain(dir, Some(number));
        } else {
            self.hold(dir, number, rel, data, claimed);
        }
    }

    fn retransmitted(&mut self, number: u64, bytes: u64) {
        self.retransmitted_bytes = self.retransmitted_bytes.saturating_add(bytes);
        if self.last_retransmitting != Some(number) {
            self.last_retransmitting = Some(number);
            self.retransmitting_count = self.retransmitting_count.saturating_add(1);
            if self.retransmitting_packets.len() < LISTED_RETRANSMISSIONS {
                self.retransmitting_packets.push(number);
            }
        }
    }

    /// Appends payload in stream order. `captured` may exceed `data.len()` only when the
    /// kept-bytes budget was spent before the bytes were stored.
    fn deliver(&mut self, dir: Direction, number: u64, data: &[u8], captured: usize, claimed: u64) {
        if (captured as u64) < claimed {
            let from = self.endpoint(dir);
            self.note(format!(
                "packet {number} from {from} carried {} bytes of payload; only {} are in the packet (a snap length cut it, or the rest is in IP fragments, which are not reassembled)",
                thousands(claimed),
                thousands(captured as u64)
            ));
        }
        let st = self.dir(dir);
        st.next = st
            .next
            .saturating_add(i64::try_from(claimed).unwrap_or(i64::MAX));
        let counter = match dir {
            Direction::FromClient => &mut self.bytes_from_client,
            Direction::FromServer => &mut self.bytes_from_server,
        };
        *counter = counter.saturating_add(captured as u64);
        let room = self.max_bytes.saturating_sub(self.kept);
        if captured > room || data.len() < captured {
            self.truncated = true;
        }
        let take = data.get(..room.min(data.len())).unwrap_or(&[]);
        if take.is_empty() {
            return;
        }
        self.kept = self.kept.saturating_add(take.len());
        self.segments.push(Segment {
            number,
            direction: dir,
            data: take.to_vec(),
        });
    }

    /// Keeps bytes that arrived ahead of a hole until the hole is filled or given up on.
    fn hold(&mut self, dir: Direction, number: u64, rel: i64, data: &[u8], claimed: u64) {
        let store = self.kept < self.max_bytes;
        let limit = self.max_bytes;
        let st = self.dir(dir);
        if st.waiting.len() >= MAX_WAITING || st.waiting_bytes.saturating_add(data.len()) > limit {
            // Too much waiting: give up on the holes rather than grow.
            self.release(dir, None);
        }
        let st = self.dir(dir);
        let keep = if store { data.to_vec() } else { Vec::new() };
        let entry = Waiting {
            number,
            captured: data.len(),
            claimed,
            data: keep,
        };
        let replaced = match st.waiting.get(&rel) {
            // The same bytes twice before the hole is filled: keep the longer copy.
            Some(w) if w.claimed >= claimed => Some(claimed),
            Some(w) => {
                let old = w.claimed;
                st.waiting_bytes = st.waiting_bytes.saturating_sub(w.data.len());
                st.waiting_bytes = st.waiting_bytes.saturating_add(entry.data.len());
                st.waiting.insert(rel, entry);
                Some(old)
            }
            None => {
                st.waiting_bytes = st.waiting_bytes.saturating_add(entry.data.len());
                st.waiting.insert(rel, entry);
                None
            }
        };
        if let Some(dup) = replaced {
            self.retransmitted(number, dup);
        }
    }

    /// Delivers waiting bytes that now follow on from what was delivered; `filler` is the packet
    /// that filled the hole (its waiting successors arrived out of order).
    fn drain(&mut self, dir: Direction, filler: Option<u64>) {
        loop {
            let st = self.dir(dir);
            let next = st.next;
            let Some((&start, _)) = st.waiting.first_key_value() else {
                return;
            };
            if start > next {
                return;
            }
            let Some((_, w)) = st.waiting.pop_first() else {
                return;
            };
            st.waiting_bytes = st.waiting_bytes.saturating_sub(w.data.len());
            let len = i64::try_from(w.claimed).unwrap_or(i64::MAX);
            if start.saturating_add(len) <= next {
                self.retransmitted(w.number, w.claimed);
                continue;
            }
            let skip = next - start;
            let skip_u = skip as u64;
            if skip > 0 {
                self.retransmitted(w.number, skip_u);
            }
            let from = usize::try_from(skip).unwrap_or(usize::MAX);
            let data = w.data.get(from..).unwrap_or(&[]);
            let captured = w.captured.saturating_sub(from);
            if let Some(f) = filler {
                self.note(format!(
                    "packet {} arrived out of order: its {} bytes from {} are placed after those of packet {f}, which arrived later",
                    w.number,
                    thousands(w.claimed - skip_u),
                    self.endpoint(dir)
                ));
            }
            self.deliver(dir, w.number, data, captured, w.claimed - skip_u);
        }
    }

    /// Gives up on holes: delivers what waits (all of it, or what starts before `upto`), noting
    /// each hole as bytes the capture does not have.
    fn release(&mut self, dir: Direction, upto: Option<i64>) {
        loop {
            let from = self.endpoint(dir);
            let st = self.dir(dir);
            let Some((&start, w)) = st.waiting.first_key_value() else {
                return;
            };
            if upto.is_some_and(|u| start >= u) {
                return;
            }
            let number = w.number;
            let next = st.next;
            if start > next {
                st.next = start;
                let missing = (start - next) as u64;
                self.note(format!(
                    "{} bytes from {from} missing before packet {number}",
                    thousands(missing)
                ));
            }
            self.drain(dir, None);
        }
    }

    /// Ends the stream: bytes still waiting behind a hole are delivered after a note.
    pub fn finish(mut self) -> FollowedStream {
        self.release(Direction::FromClient, None);
        self.release(Direction::FromServer, None);
        if self.retransmitted_bytes > 0 {
            let list = crate::analysis::packet_list(
                &self.retransmitting_packets,
                self.retransmitting_count,
            );
            self.note(format!(
                "{} bytes sent again (retransmissions) were left out: packet{} {list}",
                thousands(self.retransmitted_bytes),
                if self.retransmitting_count == 1 {
                    ""
                } else {
                    "s"
                }
            ));
        }
        if self.truncated {
            self.note(format!(
                "only the first {} bytes of payload are kept",
                thousands(self.kept as u64)
            ));
        }
        let client = self.endpoint(Direction::FromClient).to_string();
        let server = self.endpoint(Direction::FromServer).to_string();
        FollowedStream {
            key: self.key,
            client,
            server,
            segments: self.segments,
            bytes_from_client: self.bytes_from_client,
            bytes_from_server: self.bytes_from_server,
            packets: self.packets,
            truncated: self.truncated,
            notes: self.notes,
        }
    }
}

impl Direction {
    pub fn other(self) -> Direction {
        match self {
            Direction::FromClient => Direction::FromServer,
            Direction::FromServer => Direction::FromClient,
        }
    }
}

/// Consecutive segments from the same side, shown under one heading.
struct Run<'a> {
    direction: Direction,
    first_packet: u64,
    segments: &'a [Segment],
}

impl Run<'_> {
    fn len(&self) -> usize {
        self.segments.iter().map(|s| s.data.len()).sum()
    }

    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.segments.iter().flat_map(|s| s.data.iter().copied())
    }
}

impl FollowedStream {
    fn runs(&self) -> Vec<Run<'_>> {
        let mut runs = Vec::new();
        let mut rest = self.segments.as_slice();
        while let Some(first) = rest.first() {
            let n = rest
                .iter()
                .take_while(|s| s.direction == first.direction)
                .count();
            let (this, after) = rest.split_at(n);
            runs.push(Run {
                direction: first.direction,
                first_packet: first.number,
                segments: this,
            });
            rest = after;
        }
        runs
    }

    fn ends(&self, d: Direction) -> (&str, &str) {
        match d {
            Direction::FromClient => (&self.client, &self.server),
            Direction::FromServer => (&self.server, &self.client),
        }
    }

    fn heading(&self) -> String {
        let mut s = format!(
            "{} stream {} <-> {}: {} packet{}; {} (client) sent {} bytes, {} (server) sent {} bytes\n",
            self.key.proto.name(),
            self.client,
            self.server,
            thousands(self.packets),
            if self.packets == 1 { "" } else { "s" },
            self.client,
            thousands(self.bytes_from_client),
            self.server,
            thousands(self.bytes_from_server)
        );
        for n in &self.notes {
            let _ = writeln!(s, "Note: {n}");
        }
        s
    }

    fn run_line(&self, r: &Run<'_>) -> String {
        let (from, to) = self.ends(r.direction);
        let n = r.len();
        format!(
            "\u{2500}\u{2500} {from} \u{2192} {to} (packet {}, {} byte{}) \u{2500}\u{2500}\n",
            r.first_packet,
            thousands(n as u64),
            if n == 1 { "" } else { "s" }
        )
    }

    /// The payload as text: printable ASCII as itself, line breaks and tabs kept (a carriage
    /// return before a line feed is dropped), every other byte as `.`; a heading line at each
    /// change of direction.
    pub fn to_text(&self) -> String {
        let mut out = self.heading();
        for r in self.runs() {
            out.push('\n');
            out.push_str(&self.run_line(&r));
            let mut bytes = r.bytes().peekable();
            while let Some(b) = bytes.next() {
                match b {
                    b'\r' if bytes.peek() == Some(&b'\n') => {}
                    b'\n' | b'\t' | 0x20..=0x7e => out.push(char::from(b)),
                    _ => out.push('.'),
                }
            }
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }

    /// The payload as a hex dump, 16 bytes a line with the offset in that side's byte stream
    /// and an ASCII column; a heading line at each change of direction.
    pub fn to_hex(&self) -> String {
        let mut out = self.heading();
        let mut offsets = [0usize; 2];
        for r in self.runs() {
            out.push('\n');
            out.push_str(&self.run_line(&r));
            let slot = match r.direction {
                Direction::FromClient => 0,
                Direction::FromServer => 1,
            };
            let bytes: Vec<u8> = r.bytes().collect();
            let mut at = offsets.get(slot).copied().unwrap_or(0);
            for chunk in bytes.chunks(16) {
                let _ = write!(out, "{at:08x}  ");
                for j in 0..16 {
                    match chunk.get(j) {
                        Some(b) => {
                            let _ = write!(out, "{b:02x} ");
                        }
                        None => out.push_str("   "),
                    }
                    if j == 7 {
                        out.push(' ');
                    }
                }
                out.push(' ');
                for &b in chunk {
                    out.push(if (0x20..=0x7e).contains(&b) {
                        char::from(b)
                    } else {
                        '.'
                    });
                }
                out.push('\n');
                at = at.saturating_add(chunk.len());
            }
            if let Some(o) = offsets.get_mut(slot) {
                *o = at;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, decode_with_len, linktype};

    const C: ([u8; 4], u16) = ([10, 0, 0, 1], 40000);
    const S: ([u8; 4], u16) = ([10, 0, 0, 2], 80);
    const SYN: u8 = 0x02;
    const ACK: u8 = 0x10;
    const PSH_ACK: u8 = 0x18;

    /// Raw IPv4 (no link header) carrying TCP; checksums are left zero, which the stream
    /// code does not look at.
    fn tcp(
        from: ([u8; 4], u16),
        to: ([u8; 4], u16),
        seq: u32,
        ack: u32,
        flags: u8,
        payload: &[u8],
    ) -> Vec<u8> {
        let total = (40 + payload.len()) as u16;
        let mut f = vec![0x45, 0]; // IPv4, header 20 bytes
        f.extend_from_slice(&total.to_be_bytes()); // total length
        f.extend_from_slice(&[0, 1, 0x40, 0, 64, 6, 0, 0]); // id, DF, TTL 64, TCP, checksum
        f.extend_from_slice(&from.0);
        f.extend_from_slice(&to.0);
        f.extend_from_slice(&from.1.to_be_bytes()); // source port
        f.extend_from_slice(&to.1.to_be_bytes()); // destination port
        f.extend_from_slice(&seq.to_be_bytes());
        f.extend_from_slice(&ack.to_be_bytes());
        f.extend_from_slice(&[0x50, flags]); // header 20 bytes, flags
        f.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]); // window, checksum, urgent
        f.extend_from_slice(payload);
        f
    }

    /// Follows the stream of the first frame through all of them (raw IPv4 frames).
    fn follow(frames: &[Vec<u8>], max: usize) -> FollowedStream {
        let first = decode(&frames[0], linktype::RAW);
        let key = StreamKey::of(&first).expect("first frame is TCP or UDP");
        let mut b = StreamBuilder::new(key, max);
        for (i, f) in frames.iter().enumerate() {
            b.push(i as u64 + 1, f, &decode(f, linktype::RAW));
        }
        b.finish()
    }

    /// Each side's bytes concatenated, with the packets they came from.
    fn sides(s: &FollowedStream) -> (Vec<u8>, Vec<u8>, Vec<(u64, Direction)>) {
        let (mut c, mut v, mut order) = (Vec::new(), Vec::new(), Vec::new());
        for seg in &s.segments {
            match seg.direction {
                Direction::FromClient => c.extend_from_slice(&seg.data),
                Direction::FromServer => v.extend_from_slice(&seg.data),
            }
            order.push((seg.number, seg.direction));
        }
        (c, v, order)
    }

    fn handshake(isn_c: u32, isn_s: u32) -> Vec<Vec<u8>> {
        vec![
            tcp(C, S, isn_c, 0, SYN, b""),
            tcp(S, C, isn_s, isn_c.wrapping_add(1), SYN | ACK, b""),
            tcp(C, S, isn_c.wrapping_add(1), isn_s.wrapping_add(1), ACK, b""),
        ]
    }

    #[test]
    fn key_is_the_same_both_ways_and_shown_plainly() {
        let a = StreamKey::of(&decode(&tcp(C, S, 1, 0, SYN, b""), linktype::RAW));
        let b = StreamKey::of(&decode(&tcp(S, C, 1, 0, ACK, b""), linktype::RAW));
        assert_eq!(a, b);
        let k = a.expect("TCP");
        assert_eq!(k.proto(), StreamProto::Tcp);
        assert_eq!(k.to_string(), "TCP 10.0.0.1:40000 <-> 10.0.0.2:80");
    }

    #[test]
    fn a_tcp_header_quoted_in_an_icmp_error_is_no_stream() {
        let quoted = tcp(C, S, 1, 0, SYN, b"");
        let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0]; // port unreachable
        icmp.extend_from_slice(&quoted[..28]); // IP header + first 8 bytes of TCP
        let mut f = vec![0x45, 0];
        f.extend_from_slice(&((20 + icmp.len()) as u16).to_be_bytes());
        f.extend_from_slice(&[0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1]);
        f.extend_from_slice(&icmp);
        let d = decode(&f, linktype::RAW);
        assert!(d.layers.iter().any(|l| l.proto == "tcp" && l.quoted));
        assert_eq!(StreamKey::of(&d), None);
    }

    #[test]
    fn both_directions_in_order_with_direction_headings() {
        let mut f = handshake(1000, 5000);
        f.push(tcp(C, S, 1001, 5001, PSH_ACK, b"GET / HTTP/1.0\r\n\r\n"));
        f.push(tcp(
            S,
            C,
            5001,
            1019,
            PSH_ACK,
            b"HTTP/1.0 200 OK\r\n\r\nhi\x00\x01",
        ));
        f.push(tcp(C, S, 1019, 5026, ACK, b""));
        let s = follow(&f, 1 << 20);
        assert_eq!(s.client, "10.0.0.1:40000");
        assert_eq!(s.server, "10.0.0.2:80");
        assert_eq!(s.packets, 6);
        assert_eq!((s.bytes_from_client, s.bytes_from_server), (18, 23));
        assert!(s.notes.is_empty(), "{:?}", s.notes);
        let text = s.to_text();
        let want = "\n\u{2500}\u{2500} 10.0.0.1:40000 \u{2192} 10.0.0.2:80 (packet 4, 18 bytes) \u{2500}\u{2500}\n\
                    GET / HTTP/1.0\n\n\
                    \n\u{2500}\u{2500} 10.0.0.2:80 \u{2192} 10.0.0.1:40000 (packet 5, 23 bytes) \u{2500}\u{2500}\n\
                    HTTP/1.0 200 OK\n\nhi..\n";
        assert!(text.ends_with(want), "{text}");
        assert!(text.starts_with(
            "TCP stream 10.0.0.1:40000 <-> 10.0.0.2:80: 6 packets; 10.0.0.1:40000 (client) sent 18 bytes"
        ));
        let hex = s.to_hex();
        assert!(
            hex.contains(
                "00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a  GET / HTTP/1.0..\n"
            ),
            "{hex}"
        );
        // The server's side starts again at offset 0; its second line is at 0x10.
        assert!(hex.contains("00000010  0a 0d 0a 68 69 00 01"), "{hex}");
    }

    #[test]
    fn ipv6_endpoints_are_shown_in_brackets() {
        let mut f = vec![0x60, 0, 0, 0, 0, 23, 6, 64]; // IPv6, payload 23 bytes, TCP, hop limit
        let src: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let mut dst = src;
        dst[15] = 2;
        f.extend_from_slice(&src);
        f.extend_from_slice(&dst);
        f.extend_from_slice(&tcp(C, S, 1, 0, PSH_ACK, b"abc")[20..]); // the TCP part only
        let d = decode(&f, linktype::RAW);
        let key = StreamKey::of(&d).expect("TCP over IPv6");
        assert_eq!(
            key.to_string(),
            "TCP [2001:db8::1]:40000 <-> [2001:db8::2]:80"
        );
        let mut b = StreamBuilder::new(key, 10);
        b.push(1, &f, &d);
        let s = b.finish();
        assert_eq!(s.segments[0].data, b"abc".to_vec());
        assert_eq!(s.client, "[2001:db8::1]:40000");
    }

    #[test]
    fn the_client_is_the_syn_sender_even_when_the_syn_ack_comes_first() {
        let f = vec![
            tcp(S, C, 5000, 1001, SYN | ACK, b""),
            tcp(C, S, 1001, 5001, PSH_ACK, b"abc"),
        ];
        let s = follow(&f, 100);
        assert_eq!(s.client, "10.0.0.1:40000");
        assert_eq!(s.segments[0].direction, Direction::FromClient);
    }

    #[test]
    fn retransmitted_bytes_are_left_out_and_counted() {
        let mut f = handshake(0, 0);
        f.push(tcp(C, S, 1, 1, PSH_ACK, &[b'a'; 100])); // 4
        f.push(tcp(C, S, 1, 1, PSH_ACK, &[b'a'; 100])); // 5: the same bytes again
        f.push(tcp(C, S, 51, 1, PSH_ACK, &[b'b'; 100])); // 6: half old, half new
        let s = follow(&f, 1 << 20);
        let (c, _, order) = sides(&s);
        assert_eq!(c.len(), 150);
        assert_eq!(&c[100..], &[b'b'; 50][..]);
        assert_eq!(
            order,
            vec![(4, Direction::FromClient), (6, Direction::FromClient)]
        );
        assert_eq!(s.bytes_from_client, 150);
        assert_eq!(
            s.notes,
            vec!["150 bytes sent again (retransmissions) were left out: packets 5, 6"]
        );
    }

    #[test]
    fn an_out_of_order_segment_is_placed_where_it_belongs() {
        let mut f = handshake(7, 9);
        f.push(tcp(C, S, 8, 10, PSH_ACK, &[b'1'; 100])); // 4: bytes 0-99
        f.push(tcp(C, S, 208, 10, PSH_ACK, &[b'3'; 100])); // 5: bytes 200-299, early
        f.push(tcp(C, S, 108, 10, PSH_ACK, &[b'2'; 100])); // 6: bytes 100-199
        let s = follow(&f, 1 << 20);
        let (c, _, order) = sides(&s);
        let mut want = vec![b'1'; 100];
        want.extend([b'2'; 100]);
        want.extend([b'3'; 100]);
        assert_eq!(c, want);
        assert_eq!(order.iter().map(|o| o.0).collect::<Vec<_>>(), vec![4, 6, 5]);
        assert_eq!(
            s.notes,
            vec!["packet 5 arrived out of order: its 100 bytes from 10.0.0.1:40000 are placed after those of packet 6, which arrived later"]
        );
    }

    #[test]
    fn a_hole_never_filled_is_noted_and_the_bytes_after_it_kept() {
        let mut f = handshake(0, 0);
        f.push(tcp(C, S, 1, 1, PSH_ACK, &[b'x'; 100])); // 4
        f.push(tcp(C, S, 113, 1, PSH_ACK, &[b'y'; 10])); // 5: 12 bytes missing before it
        let s = follow(&f, 1 << 20);
        let (c, _, _) = sides(&s);
        assert_eq!(c.len(), 110);
        assert_eq!(
            s.notes,
            vec!["12 bytes from 10.0.0.1:40000 missing before packet 5"]
        );
    }

    #[test]
    fn an_ack_past_the_hole_releases_the_waiting_bytes_in_time() {
        // The server acknowledges bytes the capture missed, then answers: the client's bytes
        // after the hole must come before the answer, not at the very end.
        let mut f = handshake(0, 0);
        f.push(tcp(C, S, 1, 1, PSH_ACK, b"one ")); // 4
        f.push(tcp(C, S, 9, 1, PSH_ACK, b"three")); // 5: "two " was lost
        f.push(tcp(S, C, 1, 14, PSH_ACK, b"ok")); // 6: acknowledges all 13 bytes
        let s = follow(&f, 1 << 20);
        let (_, _, order) = sides(&s);
        assert_eq!(
            order,
            vec![
                (4, Direction::FromClient),
                (5, Direction::FromClient),
                (6, Direction::FromServer)
            ]
        );
        assert_eq!(
            s.notes,
            vec!["4 bytes from 10.0.0.1:40000 missing before packet 5"]
        );
    }

    #[test]
    fn sequence_numbers_that_wrap_do_not_break_the_order() {
        let isn = u32::MAX - 50;
        let mut f = handshake(isn, 0);
        let base = isn.wrapping_add(1);
        f.push(tcp(C, S, base, 1, PSH_ACK, &[b'a'; 100])); // crosses 2^32
        f.push(tcp(C, S, base.wrapping_add(100), 1, PSH_ACK, &[b'b'; 100]));
        f.push(tcp(C, S, base, 1, PSH_ACK, &[b'a'; 100])); // retransmission after the wrap
        let s = follow(&f, 1 << 20);
        let (c, _, _) = sides(&s);
        assert_eq!(c.len(), 200);
        assert_eq!(s.notes.len(), 1, "{:?}", s.notes);
        assert!(s.notes[0].starts_with("100 bytes sent again"));
    }

    #[test]
    fn waiting_segments_are_bounded_in_number() {
        // Every other byte missing: each segment waits behind a hole of its own.
        let first = tcp(C, S, 0, 0, SYN, b"");
        let key = StreamKey::of(&decode(&first, linktype::RAW)).expect("TCP");
        let mut b = StreamBuilder::new(key, 1 << 20);
        b.push(1, &first, &decode(&first, linktype::RAW));
        let n = MAX_WAITING as u32 + 10;
        for i in 0..n {
            let f = tcp(C, S, 3 + 2 * i, 0, 0x08, b"x");
            b.push(u64::from(i) + 2, &f, &decode(&f, linktype::RAW));
            assert!(b.from_client.waiting.len() <= MAX_WAITING);
        }
        let s = b.finish();
        assert_eq!(s.bytes_from_client, u64::from(n));
        assert_eq!(s.notes.len(), MAX_NOTES + 1);
    }

    #[test]
    fn max_bytes_caps_what_is_kept_but_not_the_counts() {
        let mut f = handshake(0, 0);
        f.push(tcp(C, S, 1, 1, PSH_ACK, &[b'a'; 100]));
        f.push(tcp(S, C, 1, 101, PSH_ACK, &[b'b'; 100]));
        let s = follow(&f, 150);
        let (c, v, _) = sides(&s);
        assert_eq!((c.len(), v.len()), (100, 50));
        assert!(s.truncated);
        assert_eq!((s.bytes_from_client, s.bytes_from_server), (100, 100));
        assert!(s
            .notes
            .contains(&"only the first 150 bytes of payload are kept".to_string()));
    }

    #[test]
    fn payload_the_capture_cut_is_noted() {
        let full = tcp(C, S, 1, 1, PSH_ACK, &[b'z'; 100]);
        let cut = &full[..50]; // 10 payload bytes kept by a snap length
        let d = decode_with_len(cut, linktype::RAW, full.len());
        let key = StreamKey::of(&d).expect("TCP");
        let mut b = StreamBuilder::new(key, 1000);
        b.push(1, cut, &d);
        let s = b.finish();
        assert_eq!(s.segments[0].data, vec![b'z'; 10]);
        assert_eq!(
            s.notes,
            vec!["packet 1 from 10.0.0.1:40000 carried 100 bytes of payload; only 10 are in the packet (a snap length cut it, or the rest is in IP fragments, which are not reassembled)"]
        );
    }

    /// Ethernet + IPv4 + UDP, padded to Ethernet's 60-byte minimum.
    fn udp_eth(from: ([u8; 4], u16), to: ([u8; 4], u16), payload: &[u8]) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
        let ulen = (8 + payload.len()) as u16;
        f.extend_from_slice(&[0x45, 0]);
        f.extend_from_slice(&(20 + ulen).to_be_bytes());
        f.extend_from_slice(&[0, 1, 0, 0, 64, 17, 0, 0]);
        f.extend_from_slice(&from.0);
        f.extend_from_slice(&to.0);
        f.extend_from_slice(&from.1.to_be_bytes());
        f.extend_from_slice(&to.1.to_be_bytes());
        f.extend_from_slice(&ulen.to_be_bytes());
        f.extend_from_slice(&[0, 0]); // no checksum
        f.extend_from_slice(payload);
        f.resize(f.len().max(60), 0);
        f
    }

    #[test]
    fn udp_datagrams_are_segments_without_the_ethernet_padding() {
        let a = ([192, 0, 2, 1], 5353);
        let b = ([192, 0, 2, 2], 9999);
        let frames = [
            udp_eth(a, b, b"ping"),
            udp_eth(b, a, b"pong!"),
            udp_eth(a, ([192, 0, 2, 3], 9999), b"elsewhere"),
        ];
        let key = StreamKey::of(&decode(&frames[0], linktype::ETHERNET)).expect("UDP");
        assert_eq!(key.proto(), StreamProto::Udp);
        let mut sb = StreamBuilder::new(key, 1000);
        for (i, f) in frames.iter().enumerate() {
            sb.push(i as u64 + 1, f, &decode(f, linktype::ETHERNET));
        }
        let s = sb.finish();
        assert_eq!(s.packets, 2);
        let data: Vec<&[u8]> = s.segments.iter().map(|x| x.data.as_slice()).collect();
        assert_eq!(data, vec![&b"ping"[..], &b"pong!"[..]]);
        assert_eq!(s.client, "192.0.2.1:5353");
        assert!(s.to_text().contains("pong!\n"));
    }

    #[test]
    fn hostile_lengths_and_flags_do_not_panic() {
        // A header length past the datagram, a zero-length IP field, a SYN with data.
        let mut weird = tcp(C, S, u32::MAX, 0, SYN, b"fast open");
        weird[32] = 0xf0;
        let mut zero_len = tcp(C, S, 5, 0, PSH_ACK, b"abc");
        zero_len[2] = 0;
        zero_len[3] = 0;
        let frames = vec![weird, zero_len, tcp(C, S, 0, 0, PSH_ACK, b"x")];
        let s = follow(&frames, 4);
        assert!(s.packets >= 1);
    }
}
