//! Traceroute detection: UNIX traceroute (UDP probes to high ports), Windows tracert (ICMP echo
//! probes) and TCP traceroute (SYN probes), all found through the ICMP errors the routers on the
//! path send back, keyed on the probe header those errors quote.
//!
//! Owns the hop list of each trace (hop number, router, round-trip time) and the decision that a
//! set of time-exceeded messages is a trace rather than a routing loop. It must never keep packets
//! or let a hostile capture grow its tables: probes, traces and hops are all capped.
//!
//! The hop number is the TTL the probe left with, which only the probe itself carries: routers
//! quote the probe as it reached them, with a TTL of 1 (or 0). So a hop is numbered exactly when
//! the probe is in the capture (matched by IP id and port, or ICMP identifier and sequence), and
//! otherwise by the order of the quoted probes, marked as such.

use super::{Detection, Detector, Observed, MAX_EVIDENCE_PACKETS};
use crate::capture::Timestamp;
use crate::decode::{Dissection, Layer};
use crate::explain::{Evidence, Finding};
use crate::field::Value;
use foldhash::{HashMap, HashMapExt};
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// UNIX-style traceroute: UDP probes to high ports.
pub const UDP: &str = "traceroute.udp";
/// Windows tracert: ICMP echo requests with rising TTL.
pub const ICMP: &str = "traceroute.icmp";
/// TCP traceroute (tcptraceroute, `traceroute -T`): SYN probes with rising TTL.
pub const TCP: &str = "traceroute.tcp";

/// Every registry id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[UDP, ICMP, TCP];

/// The detectors of this module at their default settings.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![Box::new(Traceroute::new(TracerouteSettings::default()))]
}

/// The UDP ports classic traceroute aims at when nobody changed its base port (seed 003 §5.1
/// and seed 002 §1.1 give 33434-33600). Used only to trust answers whose probe is not in the
/// capture.
const TRACEROUTE_PORTS: std::ops::RangeInclusive<u64> = 33434..=33600;

/// Settings of the traceroute detector.
///
/// False-positive trade-off: a routing loop also produces time-exceeded messages, always from
/// the routers of the loop and for ordinary traffic. Asking for two different responders (routers
/// or the target) on the same tracer/target pair rules out the single loop router; asking, when
/// the probes are visible, for different probe TTLs rules out a two-router loop; and when the
/// probes are not visible, only answers quoting a classic traceroute port or an echo request count.
/// Raising `min_hops` hides short traces (a target two routers away); lowering it to 1 would call
/// every lone time-exceeded a traceroute.
#[derive(Debug, Clone, PartialEq)]
pub struct TracerouteSettings {
    /// Capture-time gap (seconds) after which an unconfirmed trace is forgotten and starts over.
    pub window_secs: f64,
    /// Distinct responders (routers answering time-exceeded, plus the target if it answered)
    /// a trace needs before it is reported.
    pub min_hops: usize,
    /// Outgoing packets with at most this TTL are remembered as possible probes (traceroute and
    /// tracert stop at 30 by default; ordinary traffic leaves with 64, 128 or 255).
    pub max_probe_ttl: u64,
    /// With no answers at all, this many different probe TTLs, starting at 1 or 2, still make a
    /// trace (the routers may be filtered, but the rising TTL gives the tool away).
    pub min_probe_ttls: usize,
    /// The most tracer/target pairs followed at once; later pairs are ignored.
    pub max_traces: usize,
    /// The most probes remembered for matching; the oldest are forgotten first.
    pub max_probes: usize,
    /// The most hops listed per trace.
    pub max_hops: usize,
}

impl Default for TracerouteSettings {
    fn default() -> Self {
        TracerouteSettings {
            window_secs: 120.0,
            min_hops: 2,
            max_probe_ttl: 30,
            min_probe_ttls: 3,
            max_traces: 4096,
            max_probes: 4096,
            max_hops: 64,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Style {
    Udp,
    Icmp,
    Tcp,
}

impl Style {
    fn id(self) -> &'static str {
        match self {
            Style::Udp => UDP,
            Style::Icmp => ICMP,
            Style::Tcp => TCP,
        }
    }
}

/// What identifies one probe in its answers: for UDP and TCP the IP id and destination port
/// (both quoted by the router), for ICMP the echo identifier and sequence (also echoed by the
/// target's reply, which quotes no IP header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ProbeKey {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    style: Style,
    /// True for the second key of a TCP probe: its sequence number plus one, which the
    /// target's SYN-ACK or reset acknowledges.
    by_ack: bool,
    tag: u32,
}

/// How an answer names its probe (the `tag` half of a [`ProbeKey`]).
#[derive(Debug, Clone, Copy)]
struct ProbeTag {
    by_ack: bool,
    tag: u32,
}

impl ProbeTag {
    fn header(tag: u32) -> ProbeTag {
        ProbeTag { by_ack: false, tag }
    }
}

#[derive(Debug, Clone, Copy)]
struct Probe {
    ttl: u8,
    t: f64,
}

#[derive(Debug, Clone)]
struct Hop {
    router: Ipv4Addr,
    /// The TTL of the matched probe: the hop number.
    ttl: Option<u8>,
    /// Where the quoted probe falls in the run (port, sequence or IP id), for unmatched hops.
    order: u64,
    rtt_ms: Option<f64>,
    answers: u32,
    /// The answer came from the target itself.
    target: bool,
}

#[derive(Debug, Clone)]
struct Trace {
    first: Timestamp,
    last: Timestamp,
    last_t: f64,
    hops: Vec<Hop>,
    /// Bit `n` set: a probe with TTL `n` was seen (TTLs up to 255).
    probe_ttls: [u64; 4],
    probes: u64,
    answers: u64,
    /// At least one answer quotes a header that looks like a traceroute probe by itself.
    probe_like: bool,
    packets: Vec<u64>,
    /// Evidence bytes from the first answer (or the first probe while there is no answer).
    evidence: Vec<Evidence>,
    evidence_from_answer: bool,
    confirmed: bool,
}

impl Trace {
    fn new(ts: Timestamp, t: f64) -> Trace {
        Trace {
            first: ts,
            last: ts,
            last_t: t,
            hops: Vec::new(),
            probe_ttls: [0; 4],
            probes: 0,
            answers: 0,
            probe_like: false,
            packets: Vec::new(),
            evidence: Vec::new(),
            evidence_from_answer: false,
            confirmed: false,
        }
    }

    fn touch(&mut self, p: &Observed<'_>) {
        self.last = p.ts;
        self.last_t = p.t();
        if self.packets.len() < MAX_EVIDENCE_PACKETS && self.packets.last() != Some(&p.number) {
            self.packets.push(p.number);
        }
    }

    fn probe_ttl_list(&self) -> Vec<u8> {
        (0u8..=255)
            .filter(|&n| {
                let word = self
                    .probe_ttls
                    .get(usize::from(n / 64))
                    .copied()
                    .unwrap_or(0);
                word & (1u64 << (n % 64)) != 0
            })
            .collect()
    }

    fn responders(&self) -> usize {
        let mut r: Vec<Ipv4Addr> = self.hops.iter().map(|h| h.router).collect();
        r.sort_unstable();
        r.dedup();
        r.len()
    }

    /// Whether what has been seen so far is a traceroute under `s`.
    fn qualifies(&self, s: &TracerouteSettings) -> bool {
        let routers = self.hops.iter().any(|h| !h.target);
        if routers && self.responders() >= s.min_hops.max(1) {
            let mut ttls: Vec<u8> = self.hops.iter().filter_map(|h| h.ttl).collect();
            ttls.sort_unstable();
            ttls.dedup();
            // Probes in view: the answers must come for different TTLs (a loop answers for
            // whatever TTL runs out at the same place). Probes not in view: trust only answers
            // that quote a probe-shaped header.
            if ttls.len() >= 2 || (ttls.len() <= 1 && self.probe_like) {
                return true;
            }
        }
        let sent = self.probe_ttl_list();
        sent.len() >= s.min_probe_ttls.max(2) && sent.first().is_some_and(|&t| t <= 2)
    }
}

/// The traceroute detector.
pub struct Traceroute {
    s: TracerouteSettings,
    probes: HashMap<ProbeKey, Probe>,
    probe_order: VecDeque<ProbeKey>,
    traces: HashMap<(Ipv4Addr, Ipv4Addr, Style), Trace>,
}

impl Traceroute {
    pub fn new(s: TracerouteSettings) -> Traceroute {
        Traceroute {
            s,
            probes: HashMap::new(),
            probe_order: VecDeque::new(),
            traces: HashMap::new(),
        }
    }

    /// The trace for a pair, created when there is room; `None` when the table is full.
    fn trace(&mut self, key: (Ipv4Addr, Ipv4Addr, Style), p: &Observed<'_>) -> Option<&mut Trace> {
        let window = self.s.window_secs;
        let full = self.traces.len() >= self.s.max_traces;
        if full && !self.traces.contains_key(&key) {
            return None;
        }
        let t = p.t();
        let tr = self
            .traces
            .entry(key)
            .or_insert_with(|| Trace::new(p.ts, t));
        // An old, never-confirmed trace is stale: start it over rather than mix two runs.
        if !tr.confirmed && t - tr.last_t > window {
            *tr = Trace::new(p.ts, t);
        }
        Some(tr)
    }

    fn remember_probe(&mut self, key: ProbeKey, probe: Probe) {
        if self.probes.insert(key, probe).is_none() {
            self.probe_order.push_back(key);
        }
        while self.probe_order.len() > self.s.max_probes {
            if let Some(old) = self.probe_order.pop_front() {
                self.probes.remove(&old);
            }
        }
    }

    fn observe_probe(&mut self, p: &Observed<'_>, v: &View<'_>, style: Style, tag: u32, ttl: u8) {
        let (src, dst) = (v.src, v.dst);
        let probe = Probe { ttl, t: p.t() };
        let key = ProbeKey {
            src,
            dst,
            style,
            by_ack: false,
            tag,
        };
        self.remember_probe(key, probe);
        if let Some(seq) = v.l4_u64("tcp.seq_raw").filter(|_| style == Style::Tcp) {
            let next = (seq.wrapping_add(1) & 0xffff_ffff) as u32;
            self.remember_probe(
                ProbeKey {
                    by_ack: true,
                    tag: next,
                    ..key
                },
                probe,
            );
        }
        let s = self.s.clone();
        let Some(tr) = self.trace((src, dst, style), p) else {
            return;
        };
        if let Some(w) = tr.probe_ttls.get_mut(usize::from(ttl / 64)) {
            *w |= 1u64 << (ttl % 64);
        }
        tr.probes = tr.probes.saturating_add(1);
        if tr.evidence.is_empty() {
            tr.evidence = probe_evidence(p.number, v);
        }
        tr.touch(p);
        if !tr.confirmed && tr.qualifies(&s) {
            tr.confirmed = true;
        }
    }

    /// Adds one answer (time-exceeded from a router, or the target's own reply) to its trace.
    #[allow(clippy::too_many_arguments)]
    fn observe_answer(
        &mut self,
        p: &Observed<'_>,
        tracer: Ipv4Addr,
        target: Ipv4Addr,
        responder: Ipv4Addr,
        style: Style,
        tag: Option<ProbeTag>,
        order: u64,
        probe_like: bool,
        evidence: Vec<Evidence>,
    ) {
        let probe = tag.and_then(|ProbeTag { by_ack, tag }| {
            self.probes
                .get(&ProbeKey {
                    src: tracer,
                    dst: target,
                    style,
                    by_ack,
                    tag,
                })
                .copied()
        });
        let is_target = responder == target;
        // A target that answers before any probe or router was seen is just a host answering
        // a packet, not the end of a trace: only count it once the trace has begun.
        if is_target
            && !self
                .traces
                .get(&(tracer, target, style))
                .is_some_and(|t| !t.hops.is_empty() || t.probes > 0)
        {
            return;
        }
        let s = self.s.clone();
        let t = p.t();
        let Some(tr) = self.trace((tracer, target, style), p) else {
            return;
        };
        let ttl = probe.map(|pr| pr.ttl);
        let rtt = probe.map(|pr| ((t - pr.t) * 1000.0).max(0.0));
        tr.answers = tr.answers.saturating_add(1);
        tr.probe_like |= probe_like;
        if !tr.evidence_from_answer && !evidence.is_empty() {
            tr.evidence = evidence;
            tr.evidence_from_answer = true;
        }
        let room = tr.hops.len() < s.max_hops;
        let same = tr
            .hops
            .iter_mut()
            .find(|h| h.router == responder && (h.ttl == ttl || h.ttl.is_none() || ttl.is_none()));
        match same {
            Some(h) => {
                h.answers = h.answers.saturating_add(1);
                h.order = h.order.min(order);
                if h.ttl.is_none() {
                    h.ttl = ttl;
                }
                h.rtt_ms = match (h.rtt_ms, rtt) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            None if room => tr.hops.push(Hop {
                router: responder,
                ttl,
                order,
                rtt_ms: rtt,
                answers: 1,
                target: is_target,
            }),
            None => {}
        }
        tr.touch(p);
        if !tr.confirmed && tr.qualifies(&s) {
            tr.confirmed = true;
        }
    }
}

impl Detector for Traceroute {
    fn name(&self) -> &'static str {
        "traceroute"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        let Some(v) = View::of(p.d) else {
            return;
        };
        match v.l4.map(|l| l.proto) {
            Some("icmp") => self.observe_icmp(p, &v),
            Some("udp") => {
                if let (Some(ttl), Some(dport)) = (v.probe_ttl(&self.s), v.l4_u64("udp.dstport")) {
                    let tag = tag_of(v.ip.u64("ip.id"), dport);
                    self.observe_probe(p, &v, Style::Udp, tag, ttl);
                }
            }
            Some("tcp") => self.observe_tcp(p, &v),
            _ => {}
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let mut keys: Vec<_> = self
            .traces
            .iter()
            .filter(|(_, t)| t.confirmed)
            .map(|(k, _)| *k)
            .collect();
        keys.sort_unstable();
        for key in keys {
            let Some(tr) = self.traces.get(&key) else {
                continue;
            };
            let (tracer, target, style) = key;
            let (hops, note) = render_hops(tr);
            let reached = if tr.hops.iter().any(|h| h.target) {
                "answered"
            } else {
                "did not answer in this capture"
            };
            let mut finding = Finding::new(style.id())
                .param("tracer", tracer)
                .param("target", target)
                .param("hops", hops)
                .param("hop_note", note)
                .param("responders", tr.responders())
                .param("probes", tr.probes)
                .param("answers", tr.answers)
                .param("reached", reached);
            finding.evidence = tr.evidence.clone();
            out.push(Detection {
                finding,
                key: format!("{}:{tracer}>{target}", style.id()),
                packets: tr.packets.clone(),
                first: tr.first,
                last: tr.last,
            });
        }
    }
}

impl Traceroute {
    fn observe_icmp(&mut self, p: &Observed<'_>, v: &View<'_>) {
        let Some(icmp) = v.l4 else {
            return;
        };
        let (Some(ty), Some(code)) = (icmp.u64("icmp.type"), icmp.u64("icmp.code")) else {
            return;
        };
        match (ty, code) {
            // Echo request: a tracert probe when its TTL is low.
            (8, 0) => {
                if let (Some(ttl), Some(tag)) = (v.probe_ttl(&self.s), echo_tag(icmp)) {
                    self.observe_probe(p, v, Style::Icmp, tag, ttl);
                }
            }
            // Echo reply from the target: the last hop of a tracert already under way.
            (0, _) => {
                let (target, tracer) = (v.src, v.dst);
                if !self.traces.contains_key(&(tracer, target, Style::Icmp)) {
                    return;
                }
                let tag = echo_tag(icmp).map(ProbeTag::header);
                let order = icmp.u64("icmp.seq").unwrap_or(u64::MAX);
                let ev = answer_evidence(p.number, v, None);
                self.observe_answer(
                    p,
                    tracer,
                    target,
                    target,
                    Style::Icmp,
                    tag,
                    order,
                    false,
                    ev,
                );
            }
            // Time exceeded in transit from a router, or port unreachable from the target.
            (11, 0) | (3, 3) => {
                let Some(qip) = v.qip else {
                    return;
                };
                let (Some(tracer), Some(target)) = (ipv4(qip, "ip.src"), ipv4(qip, "ip.dst"))
                else {
                    return;
                };
                // The error goes back to whoever sent the probe; anything else is not an
                // answer to this tracer (or a reflected, forged error).
                if tracer != v.dst {
                    return;
                }
                let ip_id = qip.u64("ip.id");
                let (style, tag, order, probe_like) = match v.ql4.map(|l| (l.proto, l)) {
                    Some(("udp", l)) => {
                        let Some(dport) = l.u64("udp.dstport") else {
                            return;
                        };
                        let classic = TRACEROUTE_PORTS.contains(&dport);
                        let tag = ProbeTag::header(tag_of(ip_id, dport));
                        (Style::Udp, Some(tag), dport, classic)
                    }
                    Some(("icmp", l)) if l.u64("icmp.type") == Some(8) => {
                        let order = l.u64("icmp.seq").unwrap_or(u64::MAX);
                        (Style::Icmp, echo_tag(l).map(ProbeTag::header), order, true)
                    }
                    Some(("tcp", l)) => {
                        let Some(dport) = l.u64("tcp.dstport") else {
                            return;
                        };
                        let tag = ProbeTag::header(tag_of(ip_id, dport));
                        (Style::Tcp, Some(tag), ip_id.unwrap_or(u64::MAX), false)
                    }
                    _ => return,
                };
                // A port unreachable only ends a trace when the target itself sends it; a
                // router saying so is some other problem.
                if ty == 3 && (v.src != target || style != Style::Udp) {
                    return;
                }
                let ev = answer_evidence(p.number, v, Some(qip));
                self.observe_answer(p, tracer, target, v.src, style, tag, order, probe_like, ev);
            }
            _ => {}
        }
    }

    fn observe_tcp(&mut self, p: &Observed<'_>, v: &View<'_>) {
        let Some(tcp) = v.l4 else {
            return;
        };
        let flag = |n: &str| tcp.get(n) == Some(&Value::Bool(true));
        let (syn, ack, rst) = (
            flag("tcp.flags.syn"),
            flag("tcp.flags.ack"),
            flag("tcp.flags.reset"),
        );
        if syn && !ack {
            if let (Some(ttl), Some(dport)) = (v.probe_ttl(&self.s), tcp.u64("tcp.dstport")) {
                let tag = tag_of(v.ip.u64("ip.id"), dport);
                self.observe_probe(p, v, Style::Tcp, tag, ttl);
            }
        } else if (syn && ack) || rst {
            // The target's SYN-ACK or reset ends a TCP trace already under way.
            let (target, tracer) = (v.src, v.dst);
            let started = self
                .traces
                .get(&(tracer, target, Style::Tcp))
                .is_some_and(|t| !t.hops.is_empty());
            if started {
                let tag = tcp.u64("tcp.ack_raw").map(|ack| ProbeTag {
                    by_ack: true,
                    tag: (ack & 0xffff_ffff) as u32,
                });
                let ev = answer_evidence(p.number, v, None);
                self.observe_answer(
                    p,
                    tracer,
                    target,
                    target,
                    Style::Tcp,
                    tag,
                    u64::MAX,
                    false,
                    ev,
                );
            }
        }
    }
}

/// The IPv4 header and what follows it, outside and inside an ICMP error.
pub(super) struct View<'a> {
    pub ip: &'a Layer,
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    /// The transport layer carried by `ip` (ICMP, UDP or TCP), if decoded.
    pub l4: Option<&'a Layer>,
    /// The IPv4 header quoted inside an ICMP error, and its transport header.
    pub qip: Option<&'a Layer>,
    pub ql4: Option<&'a Layer>,
}

impl<'a> View<'a> {
    /// The innermost IPv4 datagram of a frame (after any tunnel), or `None` for other packets.
    pub fn of(d: &'a Dissection) -> Option<View<'a>> {
        let (mut ip, mut l4, mut qip, mut ql4) = (None, None, None, None);
        for l in &d.layers {
            match (l.quoted, l.proto) {
                (false, "ip") => {
                    ip = Some(l);
                    l4 = None;
                }
                (false, "ipv6") => {
                    ip = None;
                    l4 = None;
                }
                (false, "udp" | "tcp" | "icmp") if ip.is_some() && l4.is_none() => l4 = Some(l),
                (true, "ip") if qip.is_none() => qip = Some(l),
                (true, "udp" | "tcp" | "icmp") if qip.is_some() && ql4.is_none() => ql4 = Some(l),
                _ => {}
            }
        }
        let ip = ip?;
        Some(View {
            ip,
            src: ipv4(ip, "ip.src")?,
            dst: ipv4(ip, "ip.dst")?,
            l4,
            qip,
            ql4,
        })
    }

    fn l4_u64(&self, name: &str) -> Option<u64> {
        self.l4.and_then(|l| l.u64(name))
    }

    /// The TTL when this packet could be a traceroute probe: low, and sent to one host.
    fn probe_ttl(&self, s: &TracerouteSettings) -> Option<u8> {
        let ttl = self.ip.u64("ip.ttl")?;
        if ttl == 0 || ttl > s.max_probe_ttl || !is_unicast(self.dst) {
            return None;
        }
        // A later fragment repeats no transport header; only whole probes count.
        if self.ip.u64("ip.frag_offset").unwrap_or(0) != 0 {
            return None;
        }
        u8::try_from(ttl).ok()
    }
}

/// An IPv4 field's address.
pub(super) fn ipv4(l: &Layer, name: &str) -> Option<Ipv4Addr> {
    match l.get(name) {
        Some(Value::Ipv4(a)) => Some(*a),
        _ => None,
    }
}

/// A destination one host receives: not multicast, not a broadcast, not unspecified.
fn is_unicast(a: Ipv4Addr) -> bool {
    let [_, _, _, last] = a.octets();
    !(a.is_multicast() || a.is_broadcast() || a.is_unspecified() || last == 255)
}

fn tag_of(ip_id: Option<u64>, port: u64) -> u32 {
    let id = ip_id.unwrap_or(0) & 0xffff;
    ((id << 16) | (port & 0xffff)) as u32
}

fn echo_tag(icmp: &Layer) -> Option<u32> {
    let ident = icmp.u64("icmp.ident")? & 0xffff;
    let seq = icmp.u64("icmp.seq")? & 0xffff;
    Some(((ident << 16) | seq) as u32)
}

/// The bytes that show a probe: its low TTL and where it went.
fn probe_evidence(number: u64, v: &View<'_>) -> Vec<Evidence> {
    let mut ev = Vec::new();
    for name in ["ip.ttl", "ip.dst"] {
        if let Some(f) = v.ip.field(name) {
            ev.push(evidence(number, f.name, f.offset, f.len));
        }
    }
    if let Some(f) =
        v.l4.and_then(|l| l.field("udp.dstport").or_else(|| l.field("icmp.type")))
    {
        ev.push(evidence(number, f.name, f.offset, f.len));
    }
    ev
}

/// The bytes that show an answer: who sent it, what kind of ICMP message, and which probe it
/// quotes (destination and port or sequence).
fn answer_evidence(number: u64, v: &View<'_>, qip: Option<&Layer>) -> Vec<Evidence> {
    let mut ev = Vec::new();
    if let Some(f) = v.ip.field("ip.src") {
        ev.push(evidence(number, f.name, f.offset, f.len));
    }
    if let Some(f) = v.l4.and_then(|l| l.field("icmp.type")) {
        ev.push(evidence(number, f.name, f.offset, f.len));
    }
    if let Some(q) = qip {
        if let Some(f) = q.field("ip.dst") {
            ev.push(evidence(number, f.name, f.offset, f.len));
        }
        let quoted_probe = v.ql4.and_then(|l| {
            l.field("udp.dstport")
                .or_else(|| l.field("icmp.seq"))
                .or_else(|| l.field("tcp.dstport"))
        });
        if let Some(f) = quoted_probe {
            ev.push(evidence(number, f.name, f.offset, f.len));
        }
    }
    ev
}

fn evidence(packet: u64, field: &str, offset: usize, length: usize) -> Evidence {
    Evidence {
        packet,
        field: field.to_string(),
        offset,
        length,
    }
}

/// The hop list as one line, and a note saying how the hops were numbered.
fn render_hops(tr: &Trace) -> (String, &'static str) {
    let mut hops = tr.hops.clone();
    let exact = !hops.is_empty() && hops.iter().all(|h| h.ttl.is_some());
    let mut out = String::new();
    let sep = |out: &mut String| {
        if !out.is_empty() {
            out.push_str("; ");
        }
    };
    let describe = |out: &mut String, h: &Hop| {
        let _ = write!(out, "{}", h.router);
        if h.target {
            out.push_str(" (the target)");
        }
        if let Some(ms) = h.rtt_ms {
            let _ = write!(out, " {ms:.1} ms");
        }
    };
    if exact {
        hops.sort_by_key(|h| (h.ttl, h.order));
        let top = hops.iter().filter_map(|h| h.ttl).max().unwrap_or(0);
        let sent = tr.probe_ttl_list();
        for ttl in 1..=top {
            let here: Vec<&Hop> = hops.iter().filter(|h| h.ttl == Some(ttl)).collect();
            if here.is_empty() {
                // A probe went out at this TTL and nobody answered: the `*` of traceroute.
                if sent.contains(&ttl) {
                    sep(&mut out);
                    let _ = write!(out, "hop {ttl}: no answer");
                }
                continue;
            }
            sep(&mut out);
            let _ = write!(out, "hop {ttl}: ");
            for (i, h) in here.iter().enumerate() {
                if i > 0 {
                    out.push_str(" or ");
                }
                describe(&mut out, h);
            }
        }
        (
            out,
            "Hop numbers are the TTLs of the matching probes, which are in this capture.",
        )
    } else if hops.is_empty() {
        let sent = tr.probe_ttl_list();
        let list: Vec<String> = sent.iter().map(u8::to_string).collect();
        let _ = write!(
            out,
            "probes sent with TTL {}; no answers seen",
            list.join(", ")
        );
        (
            out,
            "Only the probes are in this capture; the routers' answers are missing (filtered, or seen elsewhere).",
        )
    } else {
        // Probes missing: routers first in the order of the probes they quote, then the target.
        hops.sort_by_key(|h| (h.target, h.ttl.map(u64::from).unwrap_or(u64::MAX), h.order));
        for (i, h) in hops.iter().enumerate() {
            sep(&mut out);
            match h.ttl {
                Some(ttl) => {
                    let _ = write!(out, "hop {ttl}: ");
                }
                None => {
                    let _ = write!(out, "hop ~{}: ", i.saturating_add(1));
                }
            }
            describe(&mut out, h);
        }
        (
            out,
            "Some probes are not in this capture, so hops marked ~ are numbered by the order of the probes the answers quote.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicast_excludes_broadcasts_and_multicast() {
        assert!(is_unicast(Ipv4Addr::new(192, 0, 2, 1)));
        assert!(!is_unicast(Ipv4Addr::new(192, 0, 2, 255)));
        assert!(!is_unicast(Ipv4Addr::new(239, 255, 255, 250)));
        assert!(!is_unicast(Ipv4Addr::BROADCAST));
    }

    #[test]
    fn tags_keep_id_and_port_apart() {
        assert_eq!(tag_of(Some(0xa54c), 33435), 0xa54c_829b);
        assert_ne!(tag_of(Some(1), 2), tag_of(Some(2), 1));
    }

    #[test]
    fn probe_ttls_alone_need_a_low_start() {
        let s = TracerouteSettings::default();
        let mut tr = Trace::new(Timestamp::default(), 0.0);
        for ttl in [5u8, 6, 7] {
            tr.probe_ttls[usize::from(ttl / 64)] |= 1 << (ttl % 64);
        }
        assert!(!tr.qualifies(&s), "5, 6, 7 is not the start of a trace");
        tr.probe_ttls[0] |= 1 << 1;
        assert!(tr.qualifies(&s));
        assert_eq!(tr.probe_ttl_list(), vec![1, 5, 6, 7]);
    }
}
