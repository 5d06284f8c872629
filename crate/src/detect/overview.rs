//! The capture overview: protocol hierarchy, top talkers, conversations with their state,
//! findings ordered by severity, and a short plain-language account of the capture built from
//! them (the `tracelens summary` view).
//!
//! Owns the summing-up only: it reads decoded layers (for the protocol hierarchy), the flow table
//! and the detections, and must never re-decode packets, keep them, or grow without bound: the
//! protocol tree stops at [`MAX_PROTO_NODES`] nodes and talkers are derived from the (capped) flow
//! table.

use super::flows::{FlowProto, FlowState, FlowTable, Host, RETRANSMISSION};
use super::{Detection, Observed};
use crate::capture::{count, thousands, Timestamp};
use crate::explain::Severity;
use foldhash::{HashMap, HashMapExt};
use serde::Serialize;
use std::fmt::Write as _;

/// Most nodes in the protocol tree; packets with protocol paths beyond it count at the deepest
/// node that exists, so hostile captures with endless combinations stay small.
pub const MAX_PROTO_NODES: usize = 1_000;
/// Hosts, conversations and findings listed by `to_text` (the JSON has the same lists).
pub const TOP_TALKERS: usize = 10;
pub const TOP_CONVERSATIONS: usize = 10;

#[derive(Debug, Clone)]
struct Node {
    proto: &'static str,
    packets: u64,
    bytes: u64,
    children: Vec<usize>,
}

/// Sees every packet for what only packets can tell (protocol hierarchy, totals, time span).
#[derive(Debug, Clone)]
pub struct OverviewBuilder {
    packets: u64,
    bytes: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    /// Node 0 is the root (the frame); its children are the link layers.
    nodes: Vec<Node>,
    /// Packets by their innermost decoded protocol.
    top_layer: HashMap<&'static str, u64>,
    damaged: u64,
}

impl Default for OverviewBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl OverviewBuilder {
    pub fn new() -> OverviewBuilder {
        OverviewBuilder {
            packets: 0,
            bytes: 0,
            first: None,
            last: None,
            nodes: vec![Node {
                proto: "frame",
                packets: 0,
                bytes: 0,
                children: Vec::new(),
            }],
            top_layer: HashMap::new(),
            damaged: 0,
        }
    }

    pub fn observe(&mut self, p: &Observed<'_>) {
        let wire = p.d.orig_len.unwrap_or(p.d.len) as u64;
        self.packets = self.packets.saturating_add(1);
        self.bytes = self.bytes.saturating_add(wire);
        self.first = Some(self.first.map_or(p.ts, |f| f.min(p.ts)));
        self.last = Some(self.last.map_or(p.ts, |l| l.max(p.ts)));
        if p.d.error().is_some() {
            self.damaged = self.damaged.saturating_add(1);
        }
        let mut at = 0usize;
        self.count(at, wire);
        let mut top = None;
        // Trailers and padding are not protocols a reader looks for in the hierarchy.
        for l in
            p.d.layers
                .iter()
                .filter(|l| !l.quoted && l.proto != "trailer")
        {
            // Payload bytes say nothing about the protocol that carried them.
            if l.proto != "data" {
                top = Some(l.proto);
            }
            let existing = self.nodes.get(at).and_then(|n| {
                n.children
                    .iter()
                    .copied()
                    .find(|&c| self.nodes.get(c).is_some_and(|x| x.proto == l.proto))
            });
            let next = match existing {
                Some(c) => c,
                None if self.nodes.len() < MAX_PROTO_NODES => {
                    self.nodes.push(Node {
                        proto: l.proto,
                        packets: 0,
                        bytes: 0,
                        children: Vec::new(),
                    });
                    let c = self.nodes.len() - 1;
                    if let Some(n) = self.nodes.get_mut(at) {
                        n.children.push(c);
                    }
                    c
                }
                None => break,
            };
            at = next;
            self.count(at, wire);
        }
        if let Some(t) = top {
            let e = self.top_layer.entry(t).or_insert(0);
            *e = e.saturating_add(1);
        }
    }

    fn count(&mut self, at: usize, wire: u64) {
        if let Some(n) = self.nodes.get_mut(at) {
            n.packets = n.packets.saturating_add(1);
            n.bytes = n.bytes.saturating_add(wire);
        }
    }

    /// The overview, from what was observed plus the flow table and every detection.
    pub fn build(&self, flows: &FlowTable, detections: &[Detection]) -> Overview {
        let mut protocols = Vec::new();
        self.walk(0, 0, &mut protocols);
        let duration = match (self.first, self.last) {
            (Some(a), Some(b)) => (b.as_f64_secs() - a.as_f64_secs()).max(0.0),
            _ => 0.0,
        };
        let mut top_layers: Vec<(String, u64)> = self
            .top_layer
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        top_layers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

        let mut ov = Overview {
            packets: self.packets,
            bytes: self.bytes,
            first: self.first.map(|t| t.format_utc()),
            last: self.last.map(|t| t.format_utc()),
            duration_secs: duration,
            damaged_packets: self.damaged,
            protocols,
            top_layers,
            talkers: talkers(flows),
            conversations: conversations(flows),
            findings: findings(detections),
            account: Vec::new(),
        };
        ov.account = account(&ov, flows, detections);
        ov
    }

    /// Depth-first, busiest child first. The root itself is not listed.
    fn walk(&self, at: usize, depth: usize, out: &mut Vec<ProtoRow>) {
        let Some(n) = self.nodes.get(at) else {
            return;
        };
        if at != 0 {
            out.push(ProtoRow {
                depth: depth.saturating_sub(1),
                proto: n.proto.to_string(),
                packets: n.packets,
                bytes: n.bytes,
                percent: percent(n.packets, self.packets),
            });
        }
        // The tree is at most MAX_PROTO_NODES deep, so recursion stays shallow enough.
        let mut kids = n.children.clone();
        kids.sort_by_key(|&c| std::cmp::Reverse(self.nodes.get(c).map_or(0, |x| x.packets)));
        for c in kids {
            self.walk(c, depth + 1, out);
        }
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64) * 100.0 / (whole as f64)
    }
}

/// One line of the protocol hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProtoRow {
    /// 0 for link layers, 1 for what they carry, and so on.
    pub depth: usize,
    pub proto: String,
    pub packets: u64,
    pub bytes: u64,
    /// Share of all packets.
    pub percent: f64,
}

/// One host with what it sent and received, summed over its flows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Talker {
    pub host: Host,
    pub packets_sent: u64,
    pub packets_received: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub conversations: u64,
}

impl Talker {
    pub fn bytes(&self) -> u64 {
        self.bytes_sent.saturating_add(self.bytes_received)
    }
}

/// One conversation as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversationRow {
    pub flow: usize,
    pub proto: String,
    pub label: String,
    pub packets: u64,
    pub bytes: u64,
    pub duration_secs: f64,
    pub state: FlowState,
    pub history: String,
    pub reading: String,
}

/// How many TCP connections ended in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateCount {
    pub state: FlowState,
    pub reading: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversations {
    pub total: u64,
    /// Flows per protocol name (`tcp`, `udp`, `icmp`...), most first.
    pub by_proto: Vec<(String, u64)>,
    pub tcp_states: Vec<StateCount>,
    /// The busiest conversations by bytes.
    pub top: Vec<ConversationRow>,
    /// Packets that fell beyond the flow table's cap.
    pub untracked_packets: u64,
}

/// One finding in the overview list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRow {
    pub severity: Severity,
    pub id: String,
    pub title: String,
    pub key: String,
    pub packets: Vec<u64>,
}

/// Everything `tracelens summary` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    pub packets: u64,
    /// Frame bytes on the wire.
    pub bytes: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub duration_secs: f64,
    /// Packets with at least one layer that did not decode completely.
    pub damaged_packets: u64,
    pub protocols: Vec<ProtoRow>,
    /// Packets by innermost protocol, most first.
    pub top_layers: Vec<(String, u64)>,
    pub talkers: Vec<Talker>,
    pub conversations: Conversations,
    /// Worst first, then by first evidence.
    pub findings: Vec<FindingRow>,
    /// The plain-language account, one paragraph per entry.
    pub account: Vec<String>,
}

fn talkers(flows: &FlowTable) -> Vec<Talker> {
    let mut by: HashMap<Host, Talker> = HashMap::new();
    let mut add = |h: Host, ps: u64, pr: u64, bs: u64, br: u64| {
        let t = by.entry(h).or_insert(Talker {
            host: h,
            packets_sent: 0,
            packets_received: 0,
            bytes_sent: 0,
            bytes_received: 0,
            conversations: 0,
        });
        t.packets_sent = t.packets_sent.saturating_add(ps);
        t.packets_received = t.packets_received.saturating_add(pr);
        t.bytes_sent = t.bytes_sent.saturating_add(bs);
        t.bytes_received = t.bytes_received.saturating_add(br);
        t.conversations = t.conversations.saturating_add(1);
    };
    for f in flows.flows() {
        add(
            f.orig.host,
            f.orig_packets,
            f.resp_packets,
            f.orig_bytes,
            f.resp_bytes,
        );
        if f.resp.host != f.orig.host {
            add(
                f.resp.host,
                f.resp_packets,
                f.orig_packets,
                f.resp_bytes,
                f.orig_bytes,
            );
        }
    }
    let mut v: Vec<Talker> = by.into_values().collect();
    v.sort_by(|a, b| b.bytes().cmp(&a.bytes()).then(a.host.cmp(&b.host)));
    v.truncate(TOP_TALKERS);
    v
}

fn conversations(flows: &FlowTable) -> Conversations {
    let mut by_proto: HashMap<String, u64> = HashMap::new();
    let mut states: Vec<StateCount> = Vec::new();
    for f in flows.flows() {
        let name = match f.proto {
            FlowProto::Icmp { v6: false, .. } => "icmp".to_string(),
            FlowProto::Icmp { v6: true, .. } => "icmpv6".to_string(),
            p => p.name(),
        };
        *by_proto.entry(name).or_insert(0) += 1;
        if f.proto == FlowProto::Tcp {
            match states.iter_mut().find(|s| s.state == f.state) {
                Some(s) => s.count += 1,
                None => states.push(StateCount {
                    state: f.state,
                    reading: f.state.reading().to_string(),
                    count: 1,
                }),
            }
        }
    }
    let mut by_proto: Vec<(String, u64)> = by_proto.into_iter().collect();
    by_proto.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    states.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.state.code().cmp(b.state.code()))
    });
    let mut order: Vec<&super::flows::Flow> = flows.flows().iter().collect();
    order.sort_by(|a, b| b.bytes().cmp(&a.bytes()).then(a.id.cmp(&b.id)));
    let top = order
        .into_iter()
        .take(TOP_CONVERSATIONS)
        .map(|f| ConversationRow {
            flow: f.id,
            proto: f.proto.name(),
            label: f.label(),
            packets: f.packets(),
            bytes: f.bytes(),
            duration_secs: (f.last.as_f64_secs() - f.first.as_f64_secs()).max(0.0),
            state: f.state,
            history: f.history.clone(),
            reading: f.reading(),
        })
        .collect();
    Conversations {
        total: flows.flows().len() as u64,
        by_proto,
        tcp_states: states,
        top,
        untracked_packets: flows.untracked_packets,
    }
}

fn findings(detections: &[Detection]) -> Vec<FindingRow> {
    let mut rows: Vec<(FindingRow, Timestamp)> = detections
        .iter()
        .map(|d| {
            let r = d.finding.render();
            (
                FindingRow {
                    severity: r.severity,
                    id: r.id,
                    title: r.title,
                    key: d.key.clone(),
                    packets: d.packets.clone(),
                },
                d.first,
            )
        })
        .collect();
    rows.sort_by(|a, b| {
        b.0.severity
            .cmp(&a.0.severity)
            .then(a.1.cmp(&b.1))
            .then(a.0.key.cmp(&b.0.key))
    });
    rows.into_iter().map(|(r, _)| r).collect()
}

/// `0.35 seconds`, `12 seconds`, `5 minutes 3 seconds`, `2 hours 4 minutes`.
pub fn duration_text(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "an unknown time".into();
    }
    if secs < 10.0 {
        let s = format!("{secs:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        return format!("{s} second{}", if s == "1" { "" } else { "s" });
    }
    let whole = secs.round() as u64;
    let (h, m, s) = (whole / 3600, (whole % 3600) / 60, whole % 60);
    let unit = |n: u64, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if h > 0 {
        format!("{} {}", unit(h, "hour"), unit(m, "minute"))
    } else if m > 0 {
        format!("{} {}", unit(m, "minute"), unit(s, "second"))
    } else {
        unit(s, "second")
    }
}

/// Joins `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn count_param(d: &Detection) -> u64 {
    d.finding
        .params
        .iter()
        .find(|(k, _)| *k == "count")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

/// The plain-language account: what the capture holds, who talks, how connections went, and
/// what the findings say, worst first.
fn account(ov: &Overview, flows: &FlowTable, detections: &[Detection]) -> Vec<String> {
    let mut out = Vec::new();
    if ov.packets == 0 {
        out.push("The capture holds no packets.".to_string());
        return out;
    }
    let mut p = format!(
        "The capture holds {} ({} bytes) spanning {}",
        count(ov.packets, "packet", "packets"),
        thousands(ov.bytes),
        duration_text(ov.duration_secs)
    );
    if let (Some(a), Some(b)) = (&ov.first, &ov.last) {
        let _ = write!(p, ", from {a} to {b} UTC");
    }
    p.push('.');
    let shares: Vec<String> = ov
        .top_layers
        .iter()
        .take(3)
        .map(|(name, n)| {
            let name = if name == "data" {
                "undecoded payload"
            } else {
                name
            };
            format!("{name} ({:.0}%)", percent(*n, ov.packets))
        })
        .collect();
    if !shares.is_empty() {
        let _ = write!(
            p,
            " By their innermost decoded protocol, the packets are mostly {}.",
            join_and(&shares)
        );
    }
    if ov.damaged_packets > 0 {
        let _ = write!(
            p,
            " {} did not decode completely (cut short or malformed).",
            count(ov.damaged_packets, "packet", "packets")
        );
    }
    out.push(p);

    let c = &ov.conversations;
    if c.total > 0 {
        let kinds: Vec<String> = c
            .by_proto
            .iter()
            .take(4)
            .map(|(k, n)| format!("{} {k}", thousands(*n)))
            .collect();
        let mut p = format!(
            "There {} {} ({}).",
            if c.total == 1 { "is" } else { "are" },
            count(c.total, "conversation", "conversations"),
            join_and(&kinds)
        );
        // Broadcast and multicast groups only receive, so the busiest *sender* is the host worth
        // naming.
        if let Some(t) = ov
            .talkers
            .iter()
            .filter(|t| t.bytes_sent > 0)
            .max_by(|a, b| a.bytes_sent.cmp(&b.bytes_sent).then(b.host.cmp(&a.host)))
        {
            let _ = write!(
                p,
                " The busiest sender is {}: {} bytes sent and {} received in {}.",
                t.host,
                thousands(t.bytes_sent),
                thousands(t.bytes_received),
                count(t.conversations, "conversation", "conversations"),
            );
        }
        let tcp: u64 = c.tcp_states.iter().map(|s| s.count).sum();
        if tcp > 0 {
            let parts: Vec<String> = c
                .tcp_states
                .iter()
                .map(|s| format!("{} {}", thousands(s.count), s.reading))
                .collect();
            let _ = write!(
                p,
                " Of the {}: {}.",
                count(tcp, "TCP connection", "TCP connections"),
                parts.join("; ")
            );
        }
        if c.untracked_packets > 0 {
            let _ = write!(
                p,
                " {} belong to conversations beyond the flow table's limit and are not analyzed.",
                count(c.untracked_packets, "packet", "packets")
            );
        }
        out.push(p);
    }

    if ov.findings.is_empty() {
        out.push(
            "No pattern across packets (a scan, sweep, flood or storm) stood out to the \
             detectors; what single packets show is listed with each packet."
                .to_string(),
        );
        return out;
    }
    let mut counts: Vec<String> = Vec::new();
    for sev in [
        Severity::Alert,
        Severity::Warning,
        Severity::Notice,
        Severity::Info,
    ] {
        let n = ov.findings.iter().filter(|f| f.severity == sev).count() as u64;
        if n > 0 {
            counts.push(format!("{} {}", thousands(n), sev.as_str()));
        }
    }
    let mut p = format!(
        "The analysis raised {} ({}).",
        count(ov.findings.len() as u64, "finding", "findings"),
        counts.join(", ")
    );
    let serious: Vec<String> = ov
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .take(3)
        .map(|f| format!("{} ({})", f.title, f.severity))
        .collect();
    if !serious.is_empty() {
        let more = ov
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .count()
            .saturating_sub(serious.len());
        let _ = write!(p, " Most serious: {}", serious.join("; "));
        if more > 0 {
            let _ = write!(p, "; and {more} more");
        }
        p.push('.');
    } else {
        p.push_str(" None is more than a notice: nothing points at an attack or a broken host.");
    }
    // TCP health in one sentence, from the flow table's own detections.
    let retrans: Vec<&Detection> = detections
        .iter()
        .filter(|d| d.finding.id == RETRANSMISSION)
        .collect();
    if !retrans.is_empty() {
        let n: u64 = retrans.iter().map(|d| count_param(d)).sum();
        let conns = retrans.len() as u64;
        let tcp_total = flows
            .flows()
            .iter()
            .filter(|f| f.proto == FlowProto::Tcp)
            .count() as u64;
        let _ = write!(
            p,
            " TCP had to resend data {} in {} of {}: {}.",
            count(n, "time", "times"),
            thousands(conns),
            count(tcp_total, "connection", "connections"),
            if n <= 3 * conns {
                "ordinary recovery from occasional loss"
            } else {
                "worth a look at the path's loss"
            }
        );
    }
    out.push(p);
    out
}

impl Overview {
    /// The overview as plain text for a terminal.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str("Capture overview\n================\n");
        for para in &self.account {
            let _ = writeln!(s, "{}\n", wrap(para, 96, ""));
        }
        if !self.protocols.is_empty() {
            s.push_str("Protocol hierarchy\n");
            for r in &self.protocols {
                let name = format!("{}{}", "  ".repeat(r.depth + 1), r.proto);
                let _ = writeln!(
                    s,
                    "{name:<28} {:>10} pkts {:>14} bytes {:>6.1}%",
                    thousands(r.packets),
                    thousands(r.bytes),
                    r.percent
                );
            }
            s.push('\n');
        }
        if !self.talkers.is_empty() {
            s.push_str("Top talkers (by bytes)\n");
            for t in &self.talkers {
                let _ = writeln!(
                    s,
                    "  {:<40} sent {:>8} pkts {:>12} B   received {:>8} pkts {:>12} B   in {} conversation{}",
                    t.host.to_string(),
                    thousands(t.packets_sent),
                    thousands(t.bytes_sent),
                    thousands(t.packets_received),
                    thousands(t.bytes_received),
                    thousands(t.conversations),
                    if t.conversations == 1 { "" } else { "s" }
                );
            }
            s.push('\n');
        }
        let c = &self.conversations;
        if c.total > 0 {
            let kinds: Vec<String> = c
                .by_proto
                .iter()
                .map(|(k, n)| format!("{} {k}", thousands(*n)))
                .collect();
            let _ = writeln!(
                s,
                "Conversations: {} ({})",
                thousands(c.total),
                kinds.join(", ")
            );
            if !c.tcp_states.is_empty() {
                s.push_str("  TCP states:\n");
                for st in &c.tcp_states {
                    let _ = writeln!(
                        s,
                        "    {:<7} {:>8}  {}",
                        st.state.code(),
                        thousands(st.count),
                        st.reading
                    );
                }
            }
            let _ = writeln!(s, "  Busiest:");
            for r in &c.top {
                let _ = writeln!(
                    s,
                    "    #{:<5} {:<6} {}  {} pkts, {} bytes, {}  [{} {}]",
                    r.flow,
                    r.proto,
                    r.label,
                    thousands(r.packets),
                    thousands(r.bytes),
                    r.reading,
                    r.state.code(),
                    r.history
                );
            }
            s.push('\n');
        }
        if !self.findings.is_empty() {
            s.push_str("Findings (worst first)\n");
            for f in &self.findings {
                let pk: Vec<String> = f.packets.iter().take(8).map(u64::to_string).collect();
                let more = if f.packets.len() > 8 { ", ..." } else { "" };
                let _ = writeln!(
                    s,
                    "  [{:<7}] {}  (packets {}{more})",
                    f.severity.as_str(),
                    f.title,
                    pk.join(", ")
                );
            }
        }
        s
    }
}

/// Wraps a paragraph at `width` columns, prefixing every line.
fn wrap(text: &str, width: usize, prefix: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + w.len() > width {
            let _ = writeln!(out, "{prefix}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        let _ = write!(out, "{prefix}{line}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(0.35), "0.35 seconds");
        assert_eq!(duration_text(1.0), "1 second");
        assert_eq!(duration_text(0.0), "0 seconds");
        assert_eq!(duration_text(45.2), "45 seconds");
        assert_eq!(duration_text(303.0), "5 minutes 3 seconds");
        assert_eq!(duration_text(7440.0), "2 hours 4 minutes");
        assert_eq!(duration_text(f64::NAN), "an unknown time");
    }

    #[test]
    fn lists_join_with_and() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&v(&["a"])), "a");
        assert_eq!(join_and(&v(&["a", "b", "c"])), "a, b and c");
    }

    #[test]
    fn empty_capture_says_so() {
        let ov = OverviewBuilder::new().build(&FlowTable::default(), &[]);
        assert_eq!(
            ov.account,
            vec!["The capture holds no packets.".to_string()]
        );
        assert!(ov.protocols.is_empty());
        assert!(ov.to_text().contains("no packets"));
    }

    #[test]
    fn protocol_tree_is_capped() {
        let mut b = OverviewBuilder::new();
        // Frames whose EtherType varies produce a new child per frame; the tree stops growing.
        for i in 0..3000u32 {
            let mut f = vec![0u8; 60];
            f[12] = (i >> 8) as u8;
            f[13] = i as u8;
            let d = crate::decode::decode(&f, crate::decode::linktype::ETHERNET);
            b.observe(&Observed {
                number: u64::from(i) + 1,
                ts: Timestamp::default(),
                d: &d,
            });
        }
        assert!(b.nodes.len() <= MAX_PROTO_NODES);
        assert_eq!(b.nodes[0].packets, 3000);
    }
}
