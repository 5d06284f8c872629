//! The flow table: every conversation in a capture with packets and bytes per direction, first
//! and last capture time, for TCP a connection state and a Zeek-style history, and per-packet TCP
//! sequence analysis (retransmissions, out-of-order segments, duplicate ACKs, zero windows, full
//! windows, keep-alives, segments missing from the capture, resets after a FIN).
//!
//! Owns grouping packets into flows and the TCP analysis notes. It reads decoded fields only and
//! must never keep packet bytes, never panic on odd sequence numbers (all sequence arithmetic
//! wraps, as TCP's does), and never grow without bound: at most [`FlowSettings::max_flows`] flows
//! are tracked (packets of further conversations are counted in [`FlowTable::untracked_packets`]
//! and belong to no flow), and at most [`FlowSettings::max_analysis_keys`] analysis detections.
//!
//! How flows are keyed:
//! - TCP and UDP by the address and port pair (either direction is the same flow);
//! - ICMP and ICMPv6 queries and their replies by address pair, query kind and identifier (an echo
//!   request and its reply share a flow); other ICMP messages by address pair and type;
//! - any other IP protocol by address pair and protocol number;
//! - frames without IP (ARP, LLC...) by MAC address pair and protocol.
//!
//! The analysis follows Wireshark's `tcp.analysis` definitions (Wireshark User's Guide, "TCP
//! Analysis"), so a reader can compare with Wireshark's expert info. Each kind is reported once
//! per connection as a [`Detection`] keyed `tcp.analysis.<kind>:<orig>><resp>` whose evidence is
//! the first packet and whose packet list holds every packet it refers to (capped at
//! [`MAX_EVIDENCE_PACKETS`]); a busy capture can have thousands of retransmissions, and one line
//! per connection reads better than one per packet. [`FlowTable::packet_notes`] gives the notes
//! of a single packet.

use super::{Detection, Observed, MAX_EVIDENCE_PACKETS};
use crate::capture::Timestamp;
use crate::decode::{Dissection, Layer};
use crate::explain::Finding;
use crate::field::{fmt_mac, Value};
use foldhash::HashMap;
use serde::{Serialize, Serializer};
use std::fmt;
use std::net::IpAddr;

/// A data segment whose sequence range was already sent (Wireshark: the next expected sequence
/// number is beyond this segment's start, and it is not a keep-alive or out of order).
pub const RETRANSMISSION: &str = "tcp.analysis.retransmission";
/// A segment that fills a gap in the sequence shortly after later data was seen.
pub const OUT_OF_ORDER: &str = "tcp.analysis.out_of_order";
/// A pure ACK repeating the previous acknowledgment with the same window.
pub const DUPLICATE_ACK: &str = "tcp.analysis.duplicate_ack";
/// A segment advertising a receive window of zero.
pub const ZERO_WINDOW: &str = "tcp.analysis.zero_window";
/// A data segment that uses up all of the window the receiver last advertised.
pub const WINDOW_FULL: &str = "tcp.analysis.window_full";
/// A zero- or one-byte segment one below the next expected sequence number.
pub const KEEP_ALIVE: &str = "tcp.analysis.keep_alive";
/// A segment that starts beyond the next expected sequence number: data in between was not
/// captured.
pub const LOST_SEGMENT: &str = "tcp.analysis.lost_segment";
/// A reset in a connection where a FIN was already seen.
pub const RST_AFTER_FIN: &str = "tcp.analysis.rst_after_fin";

/// Every registry id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[
    RETRANSMISSION,
    OUT_OF_ORDER,
    DUPLICATE_ACK,
    ZERO_WINDOW,
    WINDOW_FULL,
    KEEP_ALIVE,
    LOST_SEGMENT,
    RST_AFTER_FIN,
];

/// The analysis kinds as bits in a packet's note set, in the order of [`IDS`].
const KINDS: [&str; 8] = [
    RETRANSMISSION,
    OUT_OF_ORDER,
    DUPLICATE_ACK,
    ZERO_WINDOW,
    WINDOW_FULL,
    KEEP_ALIVE,
    LOST_SEGMENT,
    RST_AFTER_FIN,
];
const K_RETRANS: u16 = 1;
const K_OOO: u16 = 1 << 1;
const K_DUPACK: u16 = 1 << 2;
const K_ZEROWIN: u16 = 1 << 3;
const K_WINFULL: u16 = 1 << 4;
const K_KEEPALIVE: u16 = 1 << 5;
const K_LOST: u16 = 1 << 6;
const K_RSTFIN: u16 = 1 << 7;

/// Settings of the flow table and the TCP analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowSettings {
    /// Most conversations tracked (default 1,000,000, a few hundred MB at worst). Packets of
    /// conversations beyond the cap belong to no flow and get no TCP analysis; a lower cap saves
    /// memory on hostile captures (a spoofed flood makes one flow per packet) at the cost of
    /// blind spots late in a long capture.
    pub max_flows: usize,
    /// Most analysis detections (one per connection and kind, default 10,000). Beyond it, new
    /// connections' notes are merged into one detection per kind keyed `...:other connections`,
    /// so a capture full of broken connections still reads as a short list.
    pub max_analysis_keys: usize,
    /// Out-of-order window in seconds when the handshake (and so the round-trip time) was not
    /// seen: a gap filled sooner than this after later data is called out of order rather than
    /// retransmitted. Wireshark's default is 3 ms; larger values call more retransmissions
    /// out-of-order, smaller ones the reverse.
    pub ooo_threshold: f64,
    /// A repeat that follows two or more duplicate ACKs within this many seconds is a fast
    /// retransmission (Wireshark: 20 ms). Only changes the wording, never whether it is reported.
    pub fast_retransmit_window: f64,
}

impl Default for FlowSettings {
    fn default() -> Self {
        FlowSettings {
            max_flows: 1_000_000,
            max_analysis_keys: 10_000,
            ooo_threshold: 0.003,
            fast_retransmit_window: 0.020,
        }
    }
}

/// A host as a flow end: an IP address, or a MAC address for frames without IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Host {
    Ip(IpAddr),
    Mac([u8; 6]),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ip(a) => write!(f, "{a}"),
            Host::Mac(m) => f.write_str(&fmt_mac(m)),
        }
    }
}

impl Serialize for Host {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One side of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Endpoint {
    pub host: Host,
    /// TCP/UDP port; `None` for other protocols.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.host, self.port) {
            (Host::Ip(IpAddr::V6(a)), Some(p)) => write!(f, "[{a}]:{p}"),
            (h, Some(p)) => write!(f, "{h}:{p}"),
            (h, None) => write!(f, "{h}"),
        }
    }
}

/// What a flow carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlowProto {
    Tcp,
    Udp,
    /// ICMP (or ICMPv6 when `v6`), with the message kind that keys it: for queries the request
    /// type, for other messages their own type.
    Icmp {
        v6: bool,
        kind: u8,
    },
    /// Another IP protocol, by number.
    Ip(u8),
    /// A frame without IP, by its outermost protocol under the link layer (`arp`, `llc`...).
    Link(&'static str),
}

impl FlowProto {
    /// Short name: `tcp`, `udp`, `icmp`, `icmpv6`, `ip proto 47`, `arp`.
    pub fn name(&self) -> String {
        match self {
            FlowProto::Tcp => "tcp".into(),
            FlowProto::Udp => "udp".into(),
            FlowProto::Icmp { v6: false, .. } => "icmp".into(),
            FlowProto::Icmp { v6: true, .. } => "icmpv6".into(),
            FlowProto::Ip(p) => match crate::decode::ip::ip_proto_name(*p) {
                Some(n) => format!("ip proto {p} ({n})"),
                None => format!("ip proto {p}"),
            },
            FlowProto::Link(n) => (*n).into(),
        }
    }
}

impl Serialize for FlowProto {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// How a conversation went. The TCP states are Zeek's `conn_state` values (Zeek `conn.log`
/// documentation); the last three describe flows that are not TCP connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowState {
    /// SYN seen, no reply.
    S0,
    /// Established, not closed within the capture.
    S1,
    /// Established and closed with a FIN from each side.
    SF,
    /// SYN answered by a reset.
    Rej,
    /// Established; the originator sent a FIN, the responder did not.
    S2,
    /// Established; the responder sent a FIN, the originator did not.
    S3,
    /// Established, then aborted by the originator's reset.
    Rsto,
    /// Established, then aborted by the responder's reset.
    Rstr,
    /// The originator sent a SYN then a reset; no answer.
    Rstos0,
    /// The responder sent a SYN/ACK then a reset; no SYN seen.
    Rstrh,
    /// The originator sent a SYN then a FIN; no answer.
    Sh,
    /// The responder sent a SYN/ACK then a FIN; no SYN seen.
    Shr,
    /// No handshake seen: the capture started in the middle of the connection.
    Oth,
    /// Only answers (SYN/ACK, reset, echo reply) and no request in the capture.
    ReplyOnly,
    /// A non-TCP flow with packets in one direction only.
    OneWay,
    /// A non-TCP flow with packets both ways.
    TwoWay,
}

impl FlowState {
    /// Zeek's code for TCP states; a short word for the others.
    pub fn code(self) -> &'static str {
        match self {
            FlowState::S0 => "S0",
            FlowState::S1 => "S1",
            FlowState::SF => "SF",
            FlowState::Rej => "REJ",
            FlowState::S2 => "S2",
            FlowState::S3 => "S3",
            FlowState::Rsto => "RSTO",
            FlowState::Rstr => "RSTR",
            FlowState::Rstos0 => "RSTOS0",
            FlowState::Rstrh => "RSTRH",
            FlowState::Sh => "SH",
            FlowState::Shr => "SHR",
            FlowState::Oth => "OTH",
            FlowState::ReplyOnly => "REPLY",
            FlowState::OneWay => "ONEWAY",
            FlowState::TwoWay => "TWOWAY",
        }
    }

    /// The state as a plain sentence fragment.
    pub fn reading(self) -> &'static str {
        match self {
            FlowState::S0 => "attempted, never answered",
            FlowState::S1 => "established, still open when the capture ends",
            FlowState::SF => "established, closed in order",
            FlowState::Rej => "refused with a reset",
            FlowState::S2 => "established, the originator closed its side, no close from the responder",
            FlowState::S3 => "established, the responder closed its side, no close from the originator",
            FlowState::Rsto => "established, then aborted by the originator with a reset",
            FlowState::Rstr => "established, then aborted by the responder with a reset",
            FlowState::Rstos0 => "attempted, then abandoned with a reset before any answer",
            FlowState::Rstrh => "a SYN/ACK then a reset with no request in the capture: backscatter, or the capture started late",
            FlowState::Sh => "attempted, then closed with a FIN before any answer",
            FlowState::Shr => "a SYN/ACK then a FIN with no request in the capture: backscatter, or the capture started late",
            FlowState::Oth => "no opening handshake in the capture: it started mid-conversation",
            FlowState::ReplyOnly => "reply with no request in the capture: backscatter, or the capture started late",
            FlowState::OneWay => "one direction only, no answer in the capture",
            FlowState::TwoWay => "packets both ways",
        }
    }
}

impl Serialize for FlowState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// One conversation.
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    /// Stable index: flows are numbered from 0 in order of their first packet.
    pub id: usize,
    pub proto: FlowProto,
    /// The side that opened the conversation: the SYN sender, the sender of an ICMP query, or
    /// else the sender of the first packet. When the first packet is an answer (SYN/ACK, reset,
    /// echo reply), its receiver is the originator and the history starts with `^`.
    pub orig: Endpoint,
    pub resp: Endpoint,
    pub orig_packets: u64,
    pub resp_packets: u64,
    /// Frame bytes on the wire, per direction.
    pub orig_bytes: u64,
    pub resp_bytes: u64,
    /// TCP/UDP payload bytes per direction (as the headers claim).
    pub orig_payload: u64,
    pub resp_payload: u64,
    pub first: Timestamp,
    pub last: Timestamp,
    pub first_packet: u64,
    pub last_packet: u64,
    /// Zeek-style history: each letter once, upper-case for the originator, lower for the
    /// responder. S SYN, H SYN/ACK, A pure ACK, D data, F FIN, R reset, T retransmission,
    /// W zero window; `^` first when the originator was inferred from an answer.
    pub history: String,
    pub state: FlowState,
    #[serde(skip)]
    tcp: Option<Box<TcpConn>>,
    #[serde(skip)]
    seen: u32,
}

impl Flow {
    /// A plain sentence: the state, with what data went which way for TCP.
    pub fn reading(&self) -> String {
        let data = match (self.orig_payload > 0, self.resp_payload > 0) {
            (true, true) => "data both ways",
            (true, false) => "data from the originator only",
            (false, true) => "data from the responder only",
            (false, false) => "no data",
        };
        match self.state {
            FlowState::S1 => format!("established, {data}, still open when the capture ends"),
            FlowState::SF => format!("established, {data}, closed in order"),
            FlowState::Rsto | FlowState::Rstr | FlowState::S2 | FlowState::S3 => {
                format!("{}; {data}", self.state.reading())
            }
            s => s.reading().to_string(),
        }
    }

    /// `orig > resp` as text, e.g. `10.0.0.1:40000 > 10.0.0.2:80`.
    pub fn label(&self) -> String {
        format!("{} > {}", self.orig, self.resp)
    }

    pub fn packets(&self) -> u64 {
        self.orig_packets.saturating_add(self.resp_packets)
    }

    pub fn bytes(&self) -> u64 {
        self.orig_bytes.saturating_add(self.resp_bytes)
    }
}

/// Per-direction TCP sequence state, in the manner of Wireshark's `tcp_analyze_seq_flow_info_t`.
#[derive(Debug, Clone, Default)]
struct Side {
    /// Sequence number just past the highest data (and SYN/FIN) sent.
    next_seq: Option<u32>,
    next_seq_time: Timestamp,
    last_ack: Option<u32>,
    last_ack_time: Timestamp,
    /// Last advertised window, raw (unscaled).
    window: Option<u16>,
    /// Window scale shift from this side's SYN, when it carried the option.
    wscale: Option<u8>,
    syn: bool,
    fin: bool,
    dupacks: u32,
    last_was_keepalive: bool,
}

#[derive(Debug, Clone, Default)]
struct TcpConn {
    /// Index 0: originator, 1: responder.
    side: [Side; 2],
    /// History letter flags per side: S H A D F R T W.
    letters: [u8; 2],
    /// Zeek-style history without the `^` prefix.
    history: String,
    syn_time: Option<Timestamp>,
    irtt: Option<f64>,
}

const L_SYN: u8 = 1;
const L_SYNACK: u8 = 1 << 1;
const L_ACK: u8 = 1 << 2;
const L_DATA: u8 = 1 << 3;
const L_FIN: u8 = 1 << 4;
const L_RST: u8 = 1 << 5;
const L_RETRANS: u8 = 1 << 6;
const L_ZEROWIN: u8 = 1 << 7;

/// Flags on `Flow::seen` for non-TCP history.
const SEEN_ORIG: u32 = 1;
const SEEN_RESP: u32 = 2;
const SEEN_FLIPPED: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FlowKey {
    proto: FlowProto,
    lo: Endpoint,
    hi: Endpoint,
    /// ICMP query identifier; 0 otherwise.
    ident: u32,
}

/// One analysis detection being gathered.
#[derive(Debug, Clone)]
struct Agg {
    finding: Finding,
    key: String,
    count: u64,
    packets: Vec<u64>,
    first: Timestamp,
    last: Timestamp,
}

/// Every conversation in the capture, with TCP analysis.
#[derive(Debug, Default)]
pub struct FlowTable {
    pub settings: FlowSettings,
    flows: Vec<Flow>,
    index: HashMap<FlowKey, u32>,
    /// Flow of each packet by `number - 1`; `u32::MAX` for none.
    packet_flow: Vec<u32>,
    /// (packet number, analysis bits), in packet order.
    notes: Vec<(u64, u16)>,
    aggs: Vec<Agg>,
    agg_index: HashMap<(u32, u8), usize>,
    /// IPv4/IPv6 fragments after the first carry no ports: they join the flow of the first.
    fragments: HashMap<(IpAddr, IpAddr, u32, u8), u32>,
    /// Packets of conversations beyond the cap, in no flow.
    pub untracked_packets: u64,
}

/// Most fragment series remembered at once; the map is cleared when full (late fragments of old
/// series then form a protocol-pair flow of their own).
const MAX_FRAGMENT_SERIES: usize = 10_000;
/// Packet numbers further than this beyond the last one are not given a flow slot, so a caller
/// with odd numbering cannot make the per-packet table huge.
const MAX_NUMBER_GAP: u64 = 1 << 20;

/// What the flow table reads from one packet.
struct Seen<'a> {
    proto: FlowProto,
    src: Endpoint,
    dst: Endpoint,
    ident: u32,
    /// The packet is an answer (echo reply and similar) whose request would open the flow.
    icmp_reply: bool,
    payload: u64,
    tcp: Option<&'a Layer>,
}

impl FlowTable {
    pub fn new(settings: FlowSettings) -> FlowTable {
        FlowTable {
            settings,
            ..FlowTable::default()
        }
    }

    /// Every flow, in order of first packet (`flows()[i].id == i`).
    pub fn flows(&self) -> &[Flow] {
        &self.flows
    }

    pub fn flow(&self, id: usize) -> Option<&Flow> {
        self.flows.get(id)
    }

    /// The flow a packet belongs to, by its number.
    pub fn flow_of(&self, packet: u64) -> Option<usize> {
        let i = usize::try_from(packet.checked_sub(1)?).ok()?;
        match self.packet_flow.get(i) {
            Some(&f) if f != u32::MAX => usize::try_from(f).ok(),
            _ => None,
        }
    }

    /// The TCP analysis ids that apply to one packet (e.g. `tcp.analysis.retransmission`).
    pub fn packet_notes(&self, packet: u64) -> Vec<&'static str> {
        let bits = match self.notes.binary_search_by_key(&packet, |n| n.0) {
            Ok(i) => self.notes.get(i).map_or(0, |n| n.1),
            Err(_) => 0,
        };
        KINDS
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, k)| *k)
            .collect()
    }

    pub fn observe(&mut self, p: &Observed<'_>) {
        let Some(seen) = read_packet(p.d) else {
            return;
        };
        let wire = p.d.orig_len.unwrap_or(p.d.len) as u64;
        let series = fragment_series(p.d);
        // A later fragment has no ports: it joins the flow its first fragment opened.
        let joined = match (seen.proto, series) {
            (FlowProto::Ip(_), Some(k)) => self.fragments.get(&k).copied(),
            _ => None,
        };
        let Some(fi) = joined.or_else(|| self.flow_index(p, &seen)) else {
            self.untracked_packets = self.untracked_packets.saturating_add(1);
            return;
        };
        self.set_packet_flow(p.number, fi);
        if let (Some(k), None) = (series, joined) {
            if self.fragments.len() >= MAX_FRAGMENT_SERIES {
                self.fragments.clear();
            }
            self.fragments.insert(k, fi);
        }
        let ooo = self.settings.ooo_threshold;
        let fast = self.settings.fast_retransmit_window;
        let Some(flow) = usize::try_from(fi).ok().and_then(|i| self.flows.get_mut(i)) else {
            return;
        };
        // Both ends equal (a LAND packet) counts as the originator's; a later fragment has no
        // port, so its host decides.
        let from_orig =
            flow.orig == seen.src || (joined.is_some() && flow.orig.host == seen.src.host);
        if from_orig {
            flow.orig_packets = flow.orig_packets.saturating_add(1);
            flow.orig_bytes = flow.orig_bytes.saturating_add(wire);
            flow.orig_payload = flow.orig_payload.saturating_add(seen.payload);
        } else {
            flow.resp_packets = flow.resp_packets.saturating_add(1);
            flow.resp_bytes = flow.resp_bytes.saturating_add(wire);
            flow.resp_payload = flow.resp_payload.saturating_add(seen.payload);
        }
        if p.ts > flow.last {
            flow.last = p.ts;
        }
        flow.last_packet = p.number;
        let mut bits = 0;
        match (seen.tcp, flow.tcp.as_deref_mut()) {
            (Some(l), Some(conn)) => {
                bits = analyze_tcp(conn, l, usize::from(!from_orig), p.ts, ooo, fast);
                // The connection's history only grows, a letter at a time: copy it when it did.
                let flipped = flow.seen & SEEN_FLIPPED != 0;
                if flow.history.len() != conn.history.len() + usize::from(flipped) {
                    flow.history = tcp_history(conn, flipped);
                }
                flow.state = tcp_state(conn);
            }
            _ => {
                flow.seen |= if from_orig { SEEN_ORIG } else { SEEN_RESP };
                let both = flow.seen & 3 == 3;
                let h = match (
                    flow.seen & SEEN_FLIPPED != 0,
                    flow.seen & SEEN_ORIG != 0,
                    flow.seen & SEEN_RESP != 0,
                ) {
                    (false, true, true) => "Dd",
                    (false, true, false) => "D",
                    (false, false, true) => "d",
                    (false, false, false) => "",
                    (true, true, true) => "^Dd",
                    (true, true, false) => "^D",
                    (true, false, true) => "^d",
                    (true, false, false) => "^",
                };
                if flow.history != h {
                    flow.history = h.to_string();
                }
                flow.state = if both {
                    FlowState::TwoWay
                } else if flow.seen & SEEN_FLIPPED != 0 {
                    FlowState::ReplyOnly
                } else {
                    FlowState::OneWay
                };
            }
        }
        if bits != 0 {
            self.record(p, fi, bits);
        }
    }

    fn set_packet_flow(&mut self, number: u64, fi: u32) {
        let Some(i) = number.checked_sub(1) else {
            return;
        };
        let len = self.packet_flow.len() as u64;
        if i >= len.saturating_add(MAX_NUMBER_GAP) {
            return;
        }
        let Ok(i) = usize::try_from(i) else {
            return;
        };
        if i >= self.packet_flow.len() {
            self.packet_flow.resize(i + 1, u32::MAX);
        }
        if let Some(slot) = self.packet_flow.get_mut(i) {
            *slot = fi;
        }
    }

    /// Finds or opens the flow of a packet; `None` when the table is full.
    fn flow_index(&mut self, p: &Observed<'_>, seen: &Seen<'_>) -> Option<u32> {
        let (lo, hi) = if seen.src <= seen.dst {
            (seen.src, seen.dst)
        } else {
            (seen.dst, seen.src)
        };
        let key = FlowKey {
            proto: seen.proto,
            lo,
            hi,
            ident: seen.ident,
        };
        if let Some(&i) = self.index.get(&key) {
            return Some(i);
        }
        if self.flows.len() >= self.settings.max_flows {
            return None;
        }
        let id = self.flows.len();
        let fi = u32::try_from(id).ok().filter(|&i| i != u32::MAX)?;
        // An answer as the first packet means the request is missing: its receiver opened it.
        let answer_first = seen.icmp_reply || seen.tcp.is_some_and(is_answer);
        let (orig, resp) = if answer_first {
            (seen.dst, seen.src)
        } else {
            (seen.src, seen.dst)
        };
        self.flows.push(Flow {
            id,
            proto: seen.proto,
            orig,
            resp,
            orig_packets: 0,
            resp_packets: 0,
            orig_bytes: 0,
            resp_bytes: 0,
            orig_payload: 0,
            resp_payload: 0,
            first: p.ts,
            last: p.ts,
            first_packet: p.number,
            last_packet: p.number,
            history: String::new(),
            state: FlowState::OneWay,
            tcp: seen.tcp.map(|_| Box::default()),
            seen: if answer_first { SEEN_FLIPPED } else { 0 },
        });
        self.index.insert(key, fi);
        Some(fi)
    }

    /// Notes analysis results for one packet and adds them to the connection's detections.
    fn record(&mut self, p: &Observed<'_>, fi: u32, bits: u16) {
        match self.notes.last() {
            Some(&(n, _)) if n >= p.number => {
                let at = self.notes.partition_point(|x| x.0 < p.number);
                match self.notes.get_mut(at) {
                    Some(x) if x.0 == p.number => x.1 |= bits,
                    _ => self.notes.insert(at, (p.number, bits)),
                }
            }
            _ => self.notes.push((p.number, bits)),
        }
        let Some(flow) = usize::try_from(fi).ok().and_then(|i| self.flows.get(i)) else {
            return;
        };
        let endpoints = || packet_endpoints(p.d).unwrap_or((flow.orig, flow.resp));
        for (k, id) in KINDS.iter().enumerate() {
            if bits & (1 << k) == 0 {
                continue;
            }
            let Ok(kind) = u8::try_from(k) else {
                continue;
            };
            let slot = match self.agg_index.get(&(fi, kind)) {
                Some(&s) => Some(s),
                None if self.agg_index.len() < self.settings.max_analysis_keys => {
                    let (src, dst) = endpoints();
                    let f = analysis_finding(id, p, &flow.label(), &src, &dst);
                    self.aggs.push(Agg {
                        finding: f,
                        key: format!("{id}:{}>{}", flow.orig, flow.resp),
                        count: 0,
                        packets: Vec::new(),
                        first: p.ts,
                        last: p.ts,
                    });
                    let s = self.aggs.len() - 1;
                    self.agg_index.insert((fi, kind), s);
                    Some(s)
                }
                None => {
                    // Past the cap every further connection shares one detection per kind.
                    let overflow = (u32::MAX, kind);
                    match self.agg_index.get(&overflow) {
                        Some(&s) => Some(s),
                        None => {
                            let (src, dst) = endpoints();
                            let f = analysis_finding(id, p, "other connections", &src, &dst);
                            self.aggs.push(Agg {
                                finding: f,
                                key: format!("{id}:other connections"),
                                count: 0,
                                packets: Vec::new(),
                                first: p.ts,
                                last: p.ts,
                            });
                            let s = self.aggs.len() - 1;
                            self.agg_index.insert(overflow, s);
                            Some(s)
                        }
                    }
                }
            };
            if let Some(a) = slot.and_then(|s| self.aggs.get_mut(s)) {
                a.count = a.count.saturating_add(1);
                if a.packets.len() < MAX_EVIDENCE_PACKETS {
                    a.packets.push(p.number);
                }
                a.first = a.first.min(p.ts);
                a.last = a.last.max(p.ts);
            }
        }
    }

    /// Reports the analysis: one detection per connection and kind, with the exact count.
    pub fn finish(&mut self, out: &mut Vec<Detection>) {
        for a in &self.aggs {
            let plural = if a.count == 1 { "" } else { "s" };
            out.push(Detection {
                finding: a
                    .finding
                    .clone()
                    .param("count", a.count)
                    .param("s", plural)
                    .param("packets", list_packets(&a.packets, a.count)),
                key: a.key.clone(),
                packets: a.packets.clone(),
                first: a.first,
                last: a.last,
            });
        }
    }
}

/// `3, 7, 9` or `3, 7, 9, ... (120 in all)`.
fn list_packets(p: &[u64], count: u64) -> String {
    const SHOWN: usize = 10;
    let mut s: Vec<String> = p.iter().take(SHOWN).map(u64::to_string).collect();
    if count > s.len() as u64 {
        s.push(format!("... ({count} in all)"));
    }
    s.join(", ")
}

fn analysis_finding(
    id: &'static str,
    p: &Observed<'_>,
    conn: &str,
    src: &Endpoint,
    dst: &Endpoint,
) -> Finding {
    let t = p.d.layer("tcp");
    let u = |n: &str| t.and_then(|l| l.u64(n)).unwrap_or(0);
    let field = match id {
        DUPLICATE_ACK => "tcp.ack_raw",
        ZERO_WINDOW => "tcp.window_size_value",
        RST_AFTER_FIN => "tcp.flags.reset",
        _ => "tcp.seq_raw",
    };
    Finding::new(id)
        .param("conn", conn)
        .param("src", src)
        .param("dst", dst)
        .param("packet", p.number)
        .param("seq", u("tcp.seq_raw"))
        .param("ack", u("tcp.ack_raw"))
        .param("len", u("tcp.len"))
        .param("window", u("tcp.window_size_value"))
        .field(p.number, p.d, field)
}

/// Source and destination of a packet as flow endpoints.
fn packet_endpoints(d: &Dissection) -> Option<(Endpoint, Endpoint)> {
    read_packet(d).map(|s| (s.src, s.dst))
}

fn tcp_flags(l: &Layer) -> (bool, bool, bool, bool) {
    let f = l.u64("tcp.flags").unwrap_or(0);
    (f & 0x02 != 0, f & 0x10 != 0, f & 0x01 != 0, f & 0x04 != 0)
}

/// A SYN/ACK, or a reset that acknowledges: packets that only answer someone else's packet.
fn is_answer(l: &Layer) -> bool {
    let (syn, ack, fin, rst) = tcp_flags(l);
    ack && !fin && (syn != rst)
}

fn ip_of(l: &Layer, name: &str) -> Option<IpAddr> {
    match l.get(name)? {
        Value::Ipv4(a) => Some(IpAddr::V4(*a)),
        Value::Ipv6(a) => Some(IpAddr::V6(*a)),
        _ => None,
    }
}

/// The innermost IP layer before the transport (tunnels carry an outer one), with addresses.
fn inner_ip(d: &Dissection) -> Option<(&Layer, IpAddr, IpAddr)> {
    let mut found = None;
    for l in d.layers.iter().filter(|l| !l.quoted) {
        match l.proto {
            "ip" => {
                if let (Some(s), Some(t)) = (ip_of(l, "ip.src"), ip_of(l, "ip.dst")) {
                    found = Some((l, s, t));
                }
            }
            "ipv6" => {
                if let (Some(s), Some(t)) = (ip_of(l, "ipv6.src"), ip_of(l, "ipv6.dst")) {
                    found = Some((l, s, t));
                }
            }
            "tcp" | "udp" | "icmp" | "icmpv6" => break,
            _ => {}
        }
    }
    found
}

/// The transport protocol number the IP layer announces (after IPv6 extension headers).
fn ip_next_proto(l: &Layer) -> Option<u8> {
    let v = if l.proto == "ip" {
        l.u64("ip.proto")
    } else {
        [
            "ipv6.fraghdr.nxt",
            "ipv6.dstopts.nxt",
            "ipv6.routing.nxt",
            "ipv6.hopopts.nxt",
            "ipv6.nxt",
        ]
        .iter()
        .find_map(|n| l.u64(n))
    };
    v.and_then(|v| u8::try_from(v).ok())
}

/// The fragment series (src, dst, id, proto) a packet belongs to, when it is a fragment.
fn fragment_series(d: &Dissection) -> Option<(IpAddr, IpAddr, u32, u8)> {
    let (l, s, t) = inner_ip(d)?;
    let proto = ip_next_proto(l)?;
    if l.proto == "ip" {
        let mf = l.get("ip.flags.mf") == Some(&Value::Bool(true));
        let off = l.u64("ip.frag_offset").unwrap_or(0);
        if !mf && off == 0 {
            return None;
        }
        let id = u32::try_from(l.u64("ip.id")?).ok()?;
        Some((s, t, id, proto))
    } else {
        let id = u32::try_from(l.u64("ipv6.fraghdr.ident")?).ok()?;
        Some((s, t, id, proto))
    }
}

fn ports(l: &Layer, sp: &str, dp: &str) -> Option<(u16, u16)> {
    let s = u16::try_from(l.u64(sp)?).ok()?;
    let d = u16::try_from(l.u64(dp)?).ok()?;
    Some((s, d))
}

/// ICMP queries and their replies: (request type, is reply). RFC 792 (echo 8/0, timestamp 13/14,
/// information 15/16), RFC 950 (address mask 17/18), RFC 4443 (ICMPv6 echo 128/129).
fn icmp_query(v6: bool, t: u8) -> Option<(u8, bool)> {
    match (v6, t) {
        (false, 8 | 13 | 15 | 17) => Some((t, false)),
        (false, 0) => Some((8, true)),
        (false, 14 | 16 | 18) => Some((t - 1, true)),
        (true, 128) => Some((128, false)),
        (true, 129) => Some((128, true)),
        _ => None,
    }
}

fn read_packet(d: &Dissection) -> Option<Seen<'_>> {
    let Some((ipl, s, t)) = inner_ip(d) else {
        return read_link(d);
    };
    let ep = |h: IpAddr, port: Option<u16>| Endpoint {
        host: Host::Ip(h),
        port,
    };
    let plain = |proto, ident| Seen {
        proto,
        src: ep(s, None),
        dst: ep(t, None),
        ident,
        icmp_reply: false,
        payload: 0,
        tcp: None,
    };
    if let Some(l) = d.layer("tcp") {
        if let Some((sp, dp)) = ports(l, "tcp.srcport", "tcp.dstport") {
            return Some(Seen {
                proto: FlowProto::Tcp,
                src: ep(s, Some(sp)),
                dst: ep(t, Some(dp)),
                ident: 0,
                icmp_reply: false,
                payload: l.u64("tcp.len").unwrap_or(0),
                // Without the flags and sequence numbers the packet still counts but is not analyzed.
                tcp: l.field("tcp.window_size_value").map(|_| l),
            });
        }
    }
    if let Some(l) = d.layer("udp") {
        if let Some((sp, dp)) = ports(l, "udp.srcport", "udp.dstport") {
            let payload = l.u64("udp.length").map_or(0, |n| n.saturating_sub(8));
            return Some(Seen {
                proto: FlowProto::Udp,
                src: ep(s, Some(sp)),
                dst: ep(t, Some(dp)),
                ident: 0,
                icmp_reply: false,
                payload,
                tcp: None,
            });
        }
    }
    for (name, v6, tfield, idfield) in [
        ("icmp", false, "icmp.type", "icmp.ident"),
        ("icmpv6", true, "icmpv6.type", "icmpv6.echo.identifier"),
    ] {
        if let Some(l) = d.layer(name) {
            let Some(ty) = l.u64(tfield).and_then(|v| u8::try_from(v).ok()) else {
                continue;
            };
            let (kind, reply, ident) = match icmp_query(v6, ty) {
                Some((k, r)) => (
                    k,
                    r,
                    l.u64(idfield)
                        .and_then(|v| u32::try_from(v).ok())
                        .unwrap_or(0),
                ),
                None => (ty, false, 0),
            };
            let mut seen = plain(FlowProto::Icmp { v6, kind }, ident);
            seen.icmp_reply = reply;
            return Some(seen);
        }
    }
    // Later fragments land here; `observe` moves them to their first fragment's flow.
    let proto = ip_next_proto(ipl)?;
    Some(plain(FlowProto::Ip(proto), 0))
}

/// Frames without IP: keyed by MAC pair and the protocol under the link layer.
fn read_link(d: &Dissection) -> Option<Seen<'_>> {
    let mut layers = d.layers.iter().filter(|l| !l.quoted);
    let eth = layers.find(|l| l.proto == "eth")?;
    let mac = |n: &str| match eth.get(n) {
        Some(Value::Mac(m)) => Some(*m),
        _ => None,
    };
    let (s, t) = (mac("eth.src")?, mac("eth.dst")?);
    let proto = layers
        .find(|l| l.proto != "vlan" && !l.proto.starts_with("ieee8021"))
        .map_or("eth", |l| l.proto);
    let ep = |m| Endpoint {
        host: Host::Mac(m),
        port: None,
    };
    Some(Seen {
        proto: FlowProto::Link(proto),
        src: ep(s),
        dst: ep(t),
        ident: 0,
        icmp_reply: false,
        payload: 0,
        tcp: None,
    })
}

/// Wrapping sequence comparison: true when `a` comes after `b` (RFC 9293 §3.4).
fn seq_gt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

fn seq_lt(a: u32, b: u32) -> bool {
    seq_gt(b, a)
}

fn secs_between(a: Timestamp, b: Timestamp) -> f64 {
    b.as_f64_secs() - a.as_f64_secs()
}

/// One TCP segment through the sequence analysis; returns its analysis bits. `dir` 0 is the
/// originator's direction. The order of the checks is Wireshark's, so that a keep-alive is not
/// also a retransmission and a window update not a duplicate ACK.
fn analyze_tcp(
    c: &mut TcpConn,
    l: &Layer,
    dir: usize,
    ts: Timestamp,
    ooo_default: f64,
    fast_window: f64,
) -> u16 {
    let (syn, ack_flag, fin, rst) = tcp_flags(l);
    let seq = l.u64("tcp.seq_raw").unwrap_or(0) as u32;
    let ack = l.u64("tcp.ack_raw").unwrap_or(0) as u32;
    let win = u16::try_from(l.u64("tcp.window_size_value").unwrap_or(0)).unwrap_or(u16::MAX);
    let seglen = u32::try_from(l.u64("tcp.len").unwrap_or(0)).unwrap_or(u32::MAX);
    let ctl = syn || fin || rst;
    let ooo = c.irtt.unwrap_or(ooo_default);
    let rdir = 1 - dir.min(1);
    let rev = c.side.get(rdir).cloned().unwrap_or_default();
    let mut letters = 0u8;
    let mut bits = 0u16;

    // History letters, Zeek's way.
    if syn && ack_flag {
        letters |= L_SYNACK;
    } else if syn {
        letters |= L_SYN;
    }
    if fin {
        letters |= L_FIN;
    }
    if rst {
        letters |= L_RST;
    }
    if seglen > 0 {
        letters |= L_DATA;
    } else if ack_flag && !ctl {
        letters |= L_ACK;
    }

    // The handshake's round trip, measured at the originator's ACK, becomes the out-of-order
    // window as in Wireshark.
    if dir == 0 && syn && !ack_flag && c.syn_time.is_none() {
        c.syn_time = Some(ts);
    }
    if dir == 0 && !syn && ack_flag && c.irtt.is_none() && rev.syn {
        if let Some(t0) = c.syn_time {
            c.irtt = Some(secs_between(t0, ts).max(0.0));
        }
    }

    let Some(fwd) = c.side.get_mut(dir) else {
        return 0;
    };
    if syn {
        fwd.syn = true;
        fwd.wscale = l
            .u64("tcp.options.wscale.shift")
            .and_then(|v| u8::try_from(v).ok());
    }
    let end = seq
        .wrapping_add(seglen)
        .wrapping_add(u32::from(syn))
        .wrapping_add(u32::from(fin));

    if win == 0 && !ctl {
        bits |= K_ZEROWIN;
        letters |= L_ZEROWIN;
    }
    if !rst && fwd.next_seq.is_some_and(|n| seq_gt(seq, n)) {
        bits |= K_LOST;
    }
    let keepalive = seglen <= 1 && !ctl && fwd.next_seq == Some(seq.wrapping_add(1));
    if keepalive {
        bits |= K_KEEPALIVE;
    }
    let same_spot =
        seglen == 0 && !ctl && fwd.next_seq == Some(seq) && ack_flag && fwd.last_ack == Some(ack);
    let window_update = same_spot && win != 0 && fwd.window != Some(win);
    // Window full: this segment reaches the right edge of the window the receiver offered.
    if seglen > 0 && !ctl {
        if let (Some(rack), Some(rwin)) = (rev.last_ack, rev.window) {
            let shift = match (fwd.wscale, rev.wscale) {
                (Some(_), Some(s)) => u32::from(s.min(14)),
                _ => 0,
            };
            let edge = rack.wrapping_add(u32::from(rwin) << shift);
            if seq.wrapping_add(seglen) == edge {
                bits |= K_WINFULL;
            }
        }
    }
    let keepalive_ack = same_spot && fwd.window == Some(win) && rev.last_was_keepalive;
    if same_spot && !window_update && !keepalive_ack && win != 0 && fwd.window == Some(win) {
        bits |= K_DUPACK;
        fwd.dupacks = fwd.dupacks.saturating_add(1);
    } else if ack_flag && fwd.last_ack != Some(ack) {
        fwd.dupacks = 0;
    }

    // Wireshark's edge case: more than one byte starting one below the next expected number
    // is new data after a keep-alive, not a repeat.
    let after_keepalive = seglen > 1 && fwd.next_seq == Some(seq.wrapping_add(1));
    if !keepalive
        && !after_keepalive
        && (seglen > 0 || syn || fin)
        && fwd.next_seq.is_some_and(|n| seq_lt(seq, n))
    {
        let fast = rev.dupacks >= 2
            && rev.last_ack == Some(seq)
            && secs_between(rev.last_ack_time, ts) < fast_window;
        let recent = secs_between(fwd.next_seq_time, ts) < ooo;
        if !fast && recent && fwd.next_seq != Some(end) {
            bits |= K_OOO;
        } else {
            bits |= K_RETRANS;
            letters |= L_RETRANS;
        }
    }
    if rst && (fwd.fin || rev.fin) {
        bits |= K_RSTFIN;
    }

    // Like Wireshark, any segment that reaches further moves the expected number on, a pure ACK
    // too: after a gap, an ACK beyond it shows where the sender's stream really is. The first
    // packet seen in a direction sets it, which duplicate-ACK detection needs.
    if fwd.next_seq.is_none_or(|n| seq_gt(end, n)) {
        fwd.next_seq = Some(end);
        fwd.next_seq_time = ts;
    }
    if ack_flag {
        fwd.last_ack = Some(ack);
        fwd.last_ack_time = ts;
    }
    if !rst {
        fwd.window = Some(win);
    }
    fwd.last_was_keepalive = keepalive;
    fwd.fin |= fin;
    // Zeek's history is in order of first occurrence: append letters new for this side.
    if let Some(h) = c.letters.get_mut(dir) {
        let fresh = letters & !*h;
        *h |= letters;
        for (bit, ch) in HISTORY_LETTERS {
            if fresh & bit != 0 {
                c.history.push(if dir == 0 {
                    ch
                } else {
                    ch.to_ascii_lowercase()
                });
            }
        }
    }
    bits
}

/// History letters in the order they are written when one packet brings several.
const HISTORY_LETTERS: [(u8, char); 8] = [
    (L_SYN, 'S'),
    (L_SYNACK, 'H'),
    (L_ACK, 'A'),
    (L_DATA, 'D'),
    (L_FIN, 'F'),
    (L_RST, 'R'),
    (L_RETRANS, 'T'),
    (L_ZEROWIN, 'W'),
];

fn tcp_history(c: &TcpConn, flipped: bool) -> String {
    if flipped {
        format!("^{}", c.history)
    } else {
        c.history.clone()
    }
}

/// The connection state from what each side sent, after Zeek's `conn_state` rules.
fn tcp_state(c: &TcpConn) -> FlowState {
    let [o, r] = c.letters;
    let has = |x: u8, b: u8| x & b != 0;
    let syn_o = has(o, L_SYN);
    let synack_r = has(r, L_SYNACK);
    let resp_any = r != 0;
    let orig_any = o != 0;
    let established = |o: u8, r: u8| {
        if has(o, L_RST) {
            FlowState::Rsto
        } else if has(r, L_RST) {
            FlowState::Rstr
        } else if has(o, L_FIN) && has(r, L_FIN) {
            FlowState::SF
        } else if has(o, L_FIN) {
            FlowState::S2
        } else if has(r, L_FIN) {
            FlowState::S3
        } else {
            FlowState::S1
        }
    };
    if syn_o {
        if !resp_any {
            if has(o, L_RST) {
                FlowState::Rstos0
            } else if has(o, L_FIN) {
                FlowState::Sh
            } else {
                FlowState::S0
            }
        } else if synack_r {
            established(o, r)
        } else if has(r, L_RST) {
            FlowState::Rej
        } else {
            FlowState::Oth
        }
    } else if !orig_any {
        // Only the responder spoke: answers to a request the capture does not hold.
        if has(r, L_SYNACK) && has(r, L_RST) {
            FlowState::Rstrh
        } else if has(r, L_SYNACK) && has(r, L_FIN) {
            FlowState::Shr
        } else if r & !(L_SYNACK | L_RST | L_ACK) == 0 && r & (L_SYNACK | L_RST) != 0 {
            FlowState::ReplyOnly
        } else {
            FlowState::Oth
        }
    } else {
        FlowState::Oth
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_comparison_wraps() {
        assert!(seq_gt(5, 0xffff_fff0));
        assert!(seq_lt(0xffff_fff0, 5));
        assert!(!seq_gt(7, 7));
    }

    #[test]
    fn states_follow_zeek() {
        let c = |o, r| TcpConn {
            letters: [o, r],
            ..TcpConn::default()
        };
        assert_eq!(tcp_state(&c(L_SYN, 0)), FlowState::S0);
        assert_eq!(tcp_state(&c(L_SYN, L_RST)), FlowState::Rej);
        assert_eq!(
            tcp_state(&c(L_SYN | L_ACK | L_FIN, L_SYNACK | L_FIN)),
            FlowState::SF
        );
        assert_eq!(tcp_state(&c(0, L_SYNACK)), FlowState::ReplyOnly);
        assert_eq!(tcp_state(&c(0, L_RST)), FlowState::ReplyOnly);
        assert_eq!(tcp_state(&c(0, L_SYNACK | L_RST)), FlowState::Rstrh);
        assert_eq!(tcp_state(&c(L_DATA, L_ACK)), FlowState::Oth);
    }

    #[test]
    fn icmp_replies_pair_with_requests() {
        assert_eq!(icmp_query(false, 0), Some((8, true)));
        assert_eq!(icmp_query(false, 8), Some((8, false)));
        assert_eq!(icmp_query(false, 18), Some((17, true)));
        assert_eq!(icmp_query(true, 129), Some((128, true)));
        assert_eq!(icmp_query(false, 3), None);
    }
}
