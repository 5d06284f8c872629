//! Cross-packet detectors for reconnaissance: vertical port scans (one source, many ports of one
//! host) by style (SYN, full connect, FIN/NULL/Xmas, ACK, UDP), horizontal sweeps (one port, many
//! hosts, like seed 004's port 32775 sweep), data that follows an answered probe, ping sweeps,
//! IP-protocol scans, decoy scans and the sscan tool's signature.
//!
//! Answers are tracked here from the packets themselves (SYN/ACK, RST, ICMP errors quoting the
//! probe), not from the flow table, so this module depends only on decoded fields. It must never
//! keep packets or let a hostile capture grow its tables without bound: every table has a cap,
//! and once full, new keys are counted and ignored while known keys keep updating.

use super::{Detection, Detector, Observed, MAX_EVIDENCE_PACKETS};
use crate::capture::Timestamp;
use crate::decode::{Dissection, Layer};
use crate::explain::Finding;
use crate::field::Value;
use foldhash::{HashMap, HashMapExt};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// Many ports of one host probed with SYNs that mostly failed (half-open or unknown style).
pub const PORT_SYN: &str = "scan.port.syn";
/// Many ports of one host, with the handshake completed on the ports that answered.
pub const PORT_CONNECT: &str = "scan.port.connect";
/// Many ports of one host probed with FIN, NULL or Xmas segments.
pub const PORT_STEALTH: &str = "scan.port.stealth";
/// Many ports of one host probed with bare ACKs (firewall mapping).
pub const PORT_ACK: &str = "scan.port.ack";
/// Many UDP ports of one host, usually answered by ICMP port unreachable.
pub const PORT_UDP: &str = "scan.port.udp";
/// One port on many hosts.
pub const SWEEP: &str = "scan.sweep";
/// Data crossed a port that had just answered a scan.
pub const OPEN_PORT_DATA: &str = "scan.open_port_data";
/// Echo requests to many hosts.
pub const PING_SWEEP: &str = "scan.ping_sweep";
/// Many IP protocol numbers tried against one host.
pub const IP_PROTO: &str = "scan.ip_proto";
/// The same ports of one host probed from several sources at once.
pub const DECOY: &str = "scan.decoy";
/// The sscan tool: equal-port ACK pings, its probe list, fingerprints from source ports 1-5.
pub const SSCAN: &str = "scan.sscan";

/// Every registry id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[
    PORT_SYN,
    PORT_CONNECT,
    PORT_STEALTH,
    PORT_ACK,
    PORT_UDP,
    SWEEP,
    OPEN_PORT_DATA,
    PING_SWEEP,
    IP_PROTO,
    DECOY,
    SSCAN,
];

/// The detectors of this module at their default settings.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![Box::new(Scans {
        port: PortScan::new(PortScanSettings::default()),
        ping: PingSweep::new(PingSweepSettings::default()),
        proto: ProtoScan::new(ProtoScanSettings::default()),
        sscan: Sscan::new(SscanSettings::default()),
    })]
}

/// The four scan detectors run together, so a packet's outer header is read once for all of
/// them rather than once each. Each also works alone (its own `Detector`), as the tests use them.
struct Scans {
    port: PortScan,
    ping: PingSweep,
    proto: ProtoScan,
    sscan: Sscan,
}

impl Detector for Scans {
    fn name(&self) -> &'static str {
        "scans"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        if let Some(ip) = outer_ip(p.d) {
            self.port.see(p, &ip);
            self.ping.see(p, &ip);
            self.proto.see(p, &ip);
            self.sscan.see(p, &ip);
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        self.port.finish(out);
        self.ping.finish(out);
        self.proto.finish(out);
        self.sscan.finish(out);
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the few fields every detector here needs.

/// Offset and length of a field in its frame.
type Bytes = (usize, usize);

/// The outer network header of a packet.
struct IpInfo {
    src: IpAddr,
    dst: IpAddr,
    ttl: u8,
    /// IPv4 protocol or the last IPv6 next-header value.
    proto: u8,
    src_ev: (usize, usize),
    proto_ev: (usize, usize),
    v6: bool,
}

fn addr(v: Option<&Value>) -> Option<IpAddr> {
    match v? {
        Value::Ipv4(a) => Some(IpAddr::V4(*a)),
        Value::Ipv6(a) => Some(IpAddr::V6(*a)),
        _ => None,
    }
}

fn ev(l: &Layer, name: &str) -> (usize, usize) {
    l.field(name).map(|f| (f.offset, f.len)).unwrap_or((0, 0))
}

fn ip_of(l: &Layer) -> Option<IpInfo> {
    let v6 = l.proto == "ipv6";
    let (s, d, t, p) = if v6 {
        ("ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.nxt")
    } else {
        ("ip.src", "ip.dst", "ip.ttl", "ip.proto")
    };
    // After IPv6 extension headers the transport is named by the last next-header field.
    let proto_field = if v6 {
        l.fields.iter().rev().find(|f| f.name.ends_with(".nxt"))
    } else {
        l.field(p)
    };
    let proto_field = proto_field?;
    Some(IpInfo {
        src: addr(l.get(s))?,
        dst: addr(l.get(d))?,
        ttl: u8::try_from(l.u64(t)?).unwrap_or(u8::MAX),
        proto: u8::try_from(proto_field.value.as_u64()?).unwrap_or(u8::MAX),
        src_ev: ev(l, s),
        proto_ev: (proto_field.offset, proto_field.len),
        v6,
    })
}

fn outer_ip(d: &Dissection) -> Option<IpInfo> {
    let l = d
        .layers
        .iter()
        .find(|l| !l.quoted && (l.proto == "ip" || l.proto == "ipv6"))?;
    ip_of(l)
}

/// Broadcast and multicast destinations are one-to-many by design, never a scanned host.
fn group_address(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v) => v.is_multicast() || v.is_broadcast() || v.octets()[3] == 255,
        IpAddr::V6(v) => v.is_multicast(),
    }
}

/// What an ICMP message says about an earlier packet, by RFC 792 / RFC 4443 type and code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IcmpKind {
    EchoRequest,
    EchoReply,
    /// Destination (port) unreachable: the host itself says nothing listens.
    PortUnreachable,
    /// Protocol unreachable (IPv4 3/2) or unrecognised next header (ICMPv6 4/1).
    ProtoUnreachable,
    /// Any other unreachable: a filter or a router said no.
    OtherUnreachable,
    TimeExceeded,
    Other,
}

fn icmp_kind(d: &Dissection) -> Option<IcmpKind> {
    if let Some(l) = d.layer("icmp") {
        let (t, c) = (l.u64("icmp.type")?, l.u64("icmp.code").unwrap_or(0));
        // RFC 792: 0 echo reply, 3 unreachable (2 protocol, 3 port), 8 echo, 11 time exceeded.
        return Some(match (t, c) {
            (8, _) => IcmpKind::EchoRequest,
            (0, _) => IcmpKind::EchoReply,
            (3, 3) => IcmpKind::PortUnreachable,
            (3, 2) => IcmpKind::ProtoUnreachable,
            (3, _) => IcmpKind::OtherUnreachable,
            (11, _) => IcmpKind::TimeExceeded,
            _ => IcmpKind::Other,
        });
    }
    if let Some(l) = d.layer("icmpv6") {
        let (t, c) = (l.u64("icmpv6.type")?, l.u64("icmpv6.code").unwrap_or(0));
        // RFC 4443: 1 unreachable (4 port), 3 time exceeded, 4/1 unknown next header,
        // 128 echo request, 129 echo reply.
        return Some(match (t, c) {
            (128, _) => IcmpKind::EchoRequest,
            (129, _) => IcmpKind::EchoReply,
            (1, 4) => IcmpKind::PortUnreachable,
            (1, _) => IcmpKind::OtherUnreachable,
            (4, 1) => IcmpKind::ProtoUnreachable,
            (3, _) => IcmpKind::TimeExceeded,
            _ => IcmpKind::Other,
        });
    }
    None
}

/// The packet an ICMP error quotes: its addresses, protocol and destination port.
struct Quoted {
    src: IpAddr,
    dst: IpAddr,
    proto: u8,
    dport: Option<u16>,
}

fn quoted(d: &Dissection) -> Option<Quoted> {
    let mut q = d.layers.iter().filter(|l| l.quoted);
    let ip = q.find(|l| l.proto == "ip" || l.proto == "ipv6")?;
    let ip = ip_of(ip)?;
    let dport = d
        .layers
        .iter()
        .filter(|l| l.quoted)
        .find_map(|l| match l.proto {
            "tcp" => l.u64("tcp.dstport"),
            "udp" => l.u64("udp.dstport"),
            _ => None,
        })
        .and_then(|p| u16::try_from(p).ok());
    Some(Quoted {
        src: ip.src,
        dst: ip.dst,
        proto: ip.proto,
        dport,
    })
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the reports.

/// The most entries inside any span of `window` seconds (times need not be sorted).
fn max_in_window(mut times: Vec<f64>, window: f64) -> usize {
    times.sort_by(f64::total_cmp);
    let mut best = 0;
    let mut lo = 0;
    for (hi, &t) in times.iter().enumerate() {
        while times.get(lo).is_some_and(|&s| t - s > window) {
            lo += 1;
        }
        best = best.max(hi + 1 - lo);
    }
    best
}

/// Ports as compact ranges (`1-20, 22, 80`), at most `cap` items, then how many more.
fn fmt_ports(ports: &BTreeSet<u16>, cap: usize) -> String {
    let mut items: Vec<String> = Vec::new();
    let mut it = ports.iter().copied().peekable();
    let mut shown = 0usize;
    while let Some(lo) = it.next() {
        let mut hi = lo;
        while let Some(&n) = it.peek() {
            if Some(n) == hi.checked_add(1) {
                hi = n;
                it.next();
            } else {
                break;
            }
        }
        if items.len() >= cap {
            break;
        }
        shown += usize::from(hi - lo) + 1;
        items.push(if lo == hi {
            lo.to_string()
        } else {
            format!("{lo}-{hi}")
        });
    }
    let more = ports.len().saturating_sub(shown);
    let mut s = items.join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    if s.is_empty() {
        s.push_str("none");
    }
    s
}

fn fmt_list<T: ToString>(v: &[T], cap: usize) -> String {
    let mut s: Vec<String> = v.iter().take(cap).map(ToString::to_string).collect();
    if v.len() > cap {
        s.push(format!("and {} more", v.len() - cap));
    }
    if s.is_empty() {
        "none".into()
    } else {
        s.join(", ")
    }
}

fn evidence_packets(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v.dedup();
    v.truncate(MAX_EVIDENCE_PACKETS);
    v
}

fn secs(w: f64) -> String {
    format!("{}", w.round() as i64)
}

// ---------------------------------------------------------------------------------------------
// Port scans and sweeps.

/// Settings of the port-scan detector (vertical scans, sweeps, decoys, data after an answer).
///
/// A probe "fails" when it is refused (RST, ICMP unreachable) or never answered; only failed
/// probes count toward the TCP SYN and UDP thresholds, so a busy client whose connections all
/// succeed never looks like a scanner, however many it opens. FIN, NULL, Xmas and bare-ACK probes
/// count whatever the answer unless the port carried a live conversation, since those segments
/// have no place in normal traffic outside a connection.
#[derive(Debug, Clone)]
pub struct PortScanSettings {
    /// Capture-time span in which the threshold must be met (Zeek's scan.zeek used 5 minutes).
    /// Longer catches slow scans but also lets unrelated failures pile up.
    pub window_secs: f64,
    /// Distinct failed ports of one host from one source (vertical scan). Lower catches short
    /// scans; below about 10 a client retrying a few dead services starts to trip it.
    pub min_ports: usize,
    /// Distinct hosts that failed on one port from one source (horizontal sweep). Browsers reach
    /// dozens of web servers a minute, but those connections are answered and do not count; a
    /// resolver timing out on 10 name servers in 5 minutes would.
    pub min_hosts: usize,
    /// Sources that must probe the same ports of one host in overlapping time for a decoy scan.
    pub decoy_min_sources: usize,
    /// Share of the smaller port set that two sources must have in common to be one decoy group.
    pub decoy_overlap: f64,
    /// Most (source, target, style, port) entries kept; beyond it new probes are only counted.
    pub max_probes: usize,
}

impl Default for PortScanSettings {
    fn default() -> Self {
        PortScanSettings {
            window_secs: 300.0,
            min_ports: 15,
            min_hosts: 10,
            decoy_min_sources: 3,
            decoy_overlap: 0.8,
            max_probes: 50_000,
        }
    }
}

/// How a probe is built, which decides what its answers mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Style {
    Syn,
    Fin,
    Null,
    Xmas,
    Ack,
    Udp,
}

const TCP_STYLES: [Style; 5] = [Style::Syn, Style::Fin, Style::Null, Style::Xmas, Style::Ack];

impl Style {
    /// Lower case, for keys.
    fn proto(self) -> &'static str {
        if self == Style::Udp {
            "udp"
        } else {
            "tcp"
        }
    }

    /// Upper case, for texts.
    fn proto_name(self) -> &'static str {
        if self == Style::Udp {
            "UDP"
        } else {
            "TCP"
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Silent,
    /// SYN/ACK, or a UDP datagram back from the probed port.
    Open,
    /// TCP RST from the probed port.
    Reset,
    /// ICMP port unreachable from the probed host itself.
    PortUnreachable,
    /// Any other ICMP unreachable, or one sent by a router on the way.
    Prohibited,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct ProbeKey {
    scanner: IpAddr,
    target: IpAddr,
    style: Style,
    port: u16,
}

#[derive(Debug, Clone)]
struct Probe {
    first: Timestamp,
    last: Timestamp,
    pkt: u64,
    ttl: u8,
    src_ev: (usize, usize),
    port_ev: (usize, usize),
    answer: Answer,
    answer_pkt: Option<u64>,
    /// The port carried an ordinary conversation (ACKs or data back and forth), so it was no probe.
    live: bool,
    /// The scanner completed the handshake after a SYN/ACK.
    connect: bool,
    /// First packet with payload on the port after the probe, with the payload's bytes.
    data: Option<(u64, usize, usize)>,
    /// A router reported the probe's TTL ran out (traceroute, not a scan).
    expired: bool,
}

impl Probe {
    /// Counts toward a scan threshold.
    fn counts(&self, style: Style) -> bool {
        if self.live || self.expired {
            return false;
        }
        match style {
            Style::Syn | Style::Udp | Style::Ack => self.answer != Answer::Open,
            Style::Fin | Style::Null | Style::Xmas => true,
        }
    }
}

/// Vertical scans, horizontal sweeps, decoy scans and data after an answer, over TCP and UDP.
pub struct PortScan {
    s: PortScanSettings,
    probes: HashMap<ProbeKey, Probe>,
    /// Probes not tracked because the table was full.
    untracked: u64,
}

impl PortScan {
    pub fn new(s: PortScanSettings) -> PortScan {
        PortScan {
            s,
            probes: HashMap::new(),
            untracked: 0,
        }
    }

    /// The most recently probed entry for `scanner -> target:port` among `styles`.
    fn latest(
        &self,
        scanner: IpAddr,
        target: IpAddr,
        styles: &[Style],
        port: u16,
    ) -> Option<ProbeKey> {
        styles
            .iter()
            .map(|&style| ProbeKey {
                scanner,
                target,
                style,
                port,
            })
            .filter_map(|k| self.probes.get(&k).map(|p| (k, p.last)))
            .max_by_key(|(_, t)| *t)
            .map(|(k, _)| k)
    }

    fn probe(&mut self, p: &Observed<'_>, ip: &IpInfo, key: ProbeKey, port_ev: (usize, usize)) {
        if let Some(pr) = self.probes.get_mut(&key) {
            pr.last = p.ts;
            return;
        }
        if self.probes.len() >= self.s.max_probes {
            self.untracked = self.untracked.saturating_add(1);
            return;
        }
        self.probes.insert(
            key,
            Probe {
                first: p.ts,
                last: p.ts,
                pkt: p.number,
                ttl: ip.ttl,
                src_ev: ip.src_ev,
                port_ev,
                answer: Answer::Silent,
                answer_pkt: None,
                live: false,
                connect: false,
                data: None,
                expired: false,
            },
        );
    }

    fn on_tcp(&mut self, p: &Observed<'_>, ip: &IpInfo, l: &Layer) {
        let (Some(sport), Some(dport), Some(flags)) = (
            l.u64("tcp.srcport").and_then(|v| u16::try_from(v).ok()),
            l.u64("tcp.dstport").and_then(|v| u16::try_from(v).ok()),
            l.u64("tcp.flags"),
        ) else {
            return;
        };
        let len = l.u64("tcp.len").unwrap_or(0);
        let payload = || {
            let off = l.offset.saturating_add(l.len);
            let n = usize::try_from(len).unwrap_or(0);
            (p.number, off, n.min(p.d.len.saturating_sub(off)))
        };
        // RFC 9293 flag bits.
        let (fin, syn, rst, psh, ack, urg) = (
            flags & 0x01 != 0,
            flags & 0x02 != 0,
            flags & 0x04 != 0,
            flags & 0x08 != 0,
            flags & 0x10 != 0,
            flags & 0x20 != 0,
        );
        // A segment from a probed port back to the prober is an answer, never a probe.
        if let Some(k) = self.latest(ip.dst, ip.src, &TCP_STYLES, sport) {
            if let Some(pr) = self.probes.get_mut(&k) {
                if syn && ack {
                    if pr.answer == Answer::Silent {
                        pr.answer = Answer::Open;
                        pr.answer_pkt = Some(p.number);
                    }
                } else if rst {
                    if pr.answer == Answer::Silent {
                        pr.answer = Answer::Reset;
                        pr.answer_pkt = Some(p.number);
                    }
                } else {
                    pr.live = true;
                }
                if len > 0 && pr.data.is_none() {
                    pr.data = Some(payload());
                }
            }
            return;
        }
        let style = if syn && !ack && !rst && !fin {
            Some(Style::Syn)
        } else if !fin && !syn && !rst && !psh && !ack && !urg {
            Some(Style::Null)
        } else if fin && !syn && !rst && !psh && !ack && !urg {
            Some(Style::Fin)
        } else if fin && psh && urg && !syn && !rst && !ack {
            Some(Style::Xmas)
        } else {
            None
        };
        let forward = self.latest(ip.src, ip.dst, &TCP_STYLES, dport);
        let style = match style {
            Some(s) => s,
            None => {
                // Handshake completions and data from the prober's side only update its entry.
                if let Some(pr) = forward.and_then(|k| self.probes.get_mut(&k)) {
                    if ack && !rst && pr.answer == Answer::Open {
                        pr.connect = true;
                    }
                    if len > 0 && pr.data.is_none() {
                        pr.data = Some(payload());
                    }
                    return;
                }
                if ack && !syn && !fin && !rst && len == 0 {
                    Style::Ack
                } else {
                    return;
                }
            }
        };
        if group_address(ip.dst) {
            return;
        }
        let key = ProbeKey {
            scanner: ip.src,
            target: ip.dst,
            style,
            port: dport,
        };
        self.probe(p, ip, key, ev(l, "tcp.dstport"));
    }

    fn on_udp(&mut self, p: &Observed<'_>, ip: &IpInfo, l: &Layer) {
        let (Some(sport), Some(dport)) = (
            l.u64("udp.srcport").and_then(|v| u16::try_from(v).ok()),
            l.u64("udp.dstport").and_then(|v| u16::try_from(v).ok()),
        ) else {
            return;
        };
        if group_address(ip.dst) {
            return;
        }
        let back = ProbeKey {
            scanner: ip.dst,
            target: ip.src,
            style: Style::Udp,
            port: sport,
        };
        if let Some(pr) = self.probes.get_mut(&back) {
            if pr.answer == Answer::Silent {
                pr.answer = Answer::Open;
                pr.answer_pkt = Some(p.number);
            }
            pr.live = true;
            return;
        }
        // A reply from a service port to a high port is most likely the answer to a request the
        // capture missed; a scanner using a privileged source port against high ports is missed.
        if sport < 1024 && dport >= 1024 {
            return;
        }
        // seed 002 §5.1: UDP to 33434-33600 is traceroute, which has its own detector.
        if (33434..=33600).contains(&dport) {
            return;
        }
        let key = ProbeKey {
            scanner: ip.src,
            target: ip.dst,
            style: Style::Udp,
            port: dport,
        };
        self.probe(p, ip, key, ev(l, "udp.dstport"));
    }

    fn on_icmp_error(&mut self, p: &Observed<'_>, ip: &IpInfo, kind: IcmpKind) {
        let Some(q) = quoted(p.d) else { return };
        let Some(port) = q.dport else { return };
        let key = match q.proto {
            6 => self.latest(q.src, q.dst, &TCP_STYLES, port),
            17 => Some(ProbeKey {
                scanner: q.src,
                target: q.dst,
                style: Style::Udp,
                port,
            }),
            _ => None,
        };
        let Some(pr) = key.and_then(|k| self.probes.get_mut(&k)) else {
            return;
        };
        if kind == IcmpKind::TimeExceeded {
            pr.expired = true;
            return;
        }
        if pr.answer != Answer::Silent {
            return;
        }
        pr.answer = if kind == IcmpKind::PortUnreachable && ip.src == q.dst {
            Answer::PortUnreachable
        } else {
            Answer::Prohibited
        };
        pr.answer_pkt = Some(p.number);
    }
}

/// Probes of one (scanner, target, style) or (scanner, style, port), for the reports.
struct Group<'a> {
    items: Vec<(ProbeKey, &'a Probe)>,
}

impl<'a> Group<'a> {
    fn counting(&self) -> impl Iterator<Item = &(ProbeKey, &'a Probe)> + '_ {
        self.items.iter().filter(|(k, p)| p.counts(k.style))
    }

    fn burst(&self, window: f64) -> usize {
        max_in_window(
            self.counting()
                .map(|(_, p)| p.first.as_f64_secs())
                .collect(),
            window,
        )
    }

    fn first_counting(&self) -> Option<&(ProbeKey, &'a Probe)> {
        self.counting().min_by_key(|(_, p)| (p.first, p.pkt))
    }

    /// Ports that answered as open once the scan had begun (an earlier ordinary connection
    /// to the same host is not the scan's doing).
    fn opened_by_scan(&self) -> Vec<(ProbeKey, &'a Probe)> {
        let start = self
            .first_counting()
            .map(|(_, p)| p.first)
            .unwrap_or_default();
        self.items
            .iter()
            .filter(|(_, p)| answered_open(p) && p.first >= start)
            .copied()
            .collect()
    }

    fn span(&self) -> (Timestamp, Timestamp) {
        let first = self.items.iter().map(|(_, p)| p.first).min();
        let last = self.items.iter().map(|(_, p)| p.last).max();
        (first.unwrap_or_default(), last.unwrap_or_default())
    }

    fn packets(&self) -> Vec<u64> {
        let mut v = Vec::new();
        for (_, p) in &self.items {
            v.push(p.pkt);
            v.extend(p.answer_pkt);
            v.extend(p.data.map(|d| d.0));
        }
        evidence_packets(v)
    }

    fn count(&self, f: impl Fn(&Probe) -> bool) -> usize {
        self.items.iter().filter(|(_, p)| f(p)).count()
    }
}

fn answered_open(p: &Probe) -> bool {
    p.answer == Answer::Open && !p.expired
}

fn style_words(style: Style, connect: bool) -> &'static str {
    match style {
        Style::Syn if connect => "full-connect",
        Style::Syn => "SYN",
        Style::Fin => "FIN",
        Style::Null => "NULL (no flags)",
        Style::Xmas => "Xmas (FIN+PSH+URG)",
        Style::Ack => "ACK",
        Style::Udp => "UDP",
    }
}

/// Whether data followed the answers, as a sentence.
/// Who answered a sweep as open, in a sentence that reads well for none, one or many.
fn answered_sentence(open_hosts: &[IpAddr], port: impl std::fmt::Display) -> String {
    match open_hosts {
        [] => "No host answered as open.".into(),
        [one] => format!("{one} answered as open: something listens on port {port} there."),
        many => format!(
            "{} hosts answered as open ({}): something listens on port {port} there.",
            many.len(),
            fmt_list(many, 12)
        ),
    }
}

fn data_sentence(open: &[(ProbeKey, &Probe)], by_host: bool) -> String {
    let with: Vec<String> = open
        .iter()
        .filter(|(_, p)| p.data.is_some())
        .map(|(k, _)| {
            if by_host {
                k.target.to_string()
            } else {
                k.port.to_string()
            }
        })
        .collect();
    if open.is_empty() {
        String::new()
    } else if with.is_empty() {
        "No data followed any of the answers, which fits reconnaissance only.".into()
    } else {
        format!(
            "Data followed the answer on {}: more than reconnaissance may have happened there.",
            fmt_list(&with, 10)
        )
    }
}

impl Detector for PortScan {
    fn name(&self) -> &'static str {
        "portscan"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        if let Some(ip) = outer_ip(p.d) {
            self.see(p, &ip);
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let w = self.s.window_secs;
        let mut vertical: BTreeMap<(IpAddr, IpAddr, Style), Group> = BTreeMap::new();
        let mut horizontal: BTreeMap<(IpAddr, Style, u16), Group> = BTreeMap::new();
        for (k, p) in &self.probes {
            vertical
                .entry((k.scanner, k.target, k.style))
                .or_insert_with(|| Group { items: Vec::new() })
                .items
                .push((*k, p));
            horizontal
                .entry((k.scanner, k.style, k.port))
                .or_insert_with(|| Group { items: Vec::new() })
                .items
                .push((*k, p));
        }
        for g in vertical.values_mut().chain(horizontal.values_mut()) {
            g.items.sort_by_key(|(k, p)| (p.first, p.pkt, *k));
        }
        let fired: BTreeMap<_, _> = vertical
            .iter()
            .filter(|(_, g)| g.burst(w) >= self.s.min_ports)
            .collect();
        // Ports that answered a detected scan, for the data-after-answer report.
        let mut answered: BTreeMap<(IpAddr, IpAddr), Vec<(ProbeKey, &Probe)>> = BTreeMap::new();

        // Decoys first: sources in a decoy group are reported there, not one by one.
        let mut in_decoy: BTreeSet<(IpAddr, IpAddr, Style)> = BTreeSet::new();
        let mut by_target: BTreeMap<(IpAddr, Style), Vec<(IpAddr, &Group)>> = BTreeMap::new();
        for (&&(scanner, target, style), g) in &fired {
            by_target
                .entry((target, style))
                .or_default()
                .push((scanner, *g));
        }
        for ((target, style), sources) in &by_target {
            if sources.len() < self.s.decoy_min_sources {
                continue;
            }
            let ports =
                |g: &Group| -> BTreeSet<u16> { g.counting().map(|(k, _)| k.port).collect() };
            let Some((_, seed)) = sources.iter().max_by_key(|(_, g)| ports(g).len()) else {
                continue;
            };
            let seed_ports = ports(seed);
            let (s0, s1) = seed.span();
            let members: Vec<(IpAddr, &Group)> = sources
                .iter()
                .filter(|(_, g)| {
                    let p = ports(g);
                    let common = p.intersection(&seed_ports).count() as f64;
                    let smaller = p.len().min(seed_ports.len()).max(1) as f64;
                    let (a, b) = g.span();
                    common / smaller >= self.s.decoy_overlap && a <= s1 && s0 <= b
                })
                .map(|(s, g)| (*s, *g))
                .collect();
            if members.len() < self.s.decoy_min_sources {
                continue;
            }
            let talked = |src: IpAddr| {
                self.probes
                    .iter()
                    .any(|(k, p)| k.scanner == src && k.target == *target && p.live)
            };
            out.push(self.decoy(*target, *style, &members, &seed_ports, talked));
            for (src, g) in &members {
                in_decoy.insert((*src, *target, *style));
                answered
                    .entry((*src, *target))
                    .or_default()
                    .extend(g.opened_by_scan());
            }
        }

        for (&&(scanner, target, style), g) in &fired {
            if in_decoy.contains(&(scanner, target, style)) {
                continue;
            }
            out.push(self.vertical(scanner, target, style, g));
            answered
                .entry((scanner, target))
                .or_default()
                .extend(g.opened_by_scan());
        }

        for (&(scanner, style, port), g) in &horizontal {
            let hosts: BTreeSet<IpAddr> = g.counting().map(|(k, _)| k.target).collect();
            if hosts.len() < self.s.min_hosts || g.burst(w) < self.s.min_hosts {
                continue;
            }
            out.push(self.sweep(scanner, style, port, g));
            for (k, p) in g.opened_by_scan() {
                answered
                    .entry((scanner, k.target))
                    .or_default()
                    .push((k, p));
            }
        }

        for ((scanner, target), mut open) in answered {
            open.sort_by_key(|(k, p)| (p.first, k.port));
            open.dedup_by_key(|(k, _)| (k.port, k.style));
            let with: Vec<_> = open.iter().filter(|(_, p)| p.data.is_some()).collect();
            let Some((k0, p0)) = with.first() else {
                continue;
            };
            let Some((dpkt, doff, dlen)) = p0.data else {
                continue;
            };
            let ports: BTreeSet<u16> = with.iter().map(|(k, _)| k.port).collect();
            let mut pk = Vec::new();
            for (_, p) in &with {
                pk.push(p.pkt);
                pk.extend(p.answer_pkt);
                pk.extend(p.data.map(|d| d.0));
            }
            let f = Finding::new(OPEN_PORT_DATA)
                .param("scanner", scanner)
                .param("target", target)
                .param("ports", fmt_ports(&ports, 20))
                .param("proto", k0.style.proto_name())
                .param("packet", dpkt)
                .bytes(p0.pkt, "ip.src", p0.src_ev.0, p0.src_ev.1)
                .bytes(dpkt, "tcp.payload", doff, dlen);
            let first = with.iter().map(|(_, p)| p.first).min().unwrap_or_default();
            let last = with.iter().map(|(_, p)| p.last).max().unwrap_or_default();
            out.push(Detection {
                finding: f,
                key: format!("{OPEN_PORT_DATA}:{scanner}>{target}"),
                packets: evidence_packets(pk),
                first,
                last,
            });
        }
    }
}

impl PortScan {
    fn see(&mut self, p: &Observed<'_>, ip: &IpInfo) {
        match icmp_kind(p.d) {
            Some(
                k @ (IcmpKind::PortUnreachable
                | IcmpKind::ProtoUnreachable
                | IcmpKind::OtherUnreachable
                | IcmpKind::TimeExceeded),
            ) => {
                self.on_icmp_error(p, ip, k);
                return;
            }
            Some(_) => return,
            None => {}
        }
        if let Some(l) = p.d.layer("tcp") {
            self.on_tcp(p, ip, l);
        } else if let Some(l) = p.d.layer("udp") {
            self.on_udp(p, ip, l);
        }
    }
}

impl PortScan {
    fn vertical(&self, scanner: IpAddr, target: IpAddr, style: Style, g: &Group) -> Detection {
        let connect = style == Style::Syn && g.items.iter().any(|(_, p)| p.connect);
        let id = match style {
            Style::Syn if connect => PORT_CONNECT,
            Style::Syn => PORT_SYN,
            Style::Fin | Style::Null | Style::Xmas => PORT_STEALTH,
            Style::Ack => PORT_ACK,
            Style::Udp => PORT_UDP,
        };
        let all: BTreeSet<u16> = g.items.iter().map(|(k, _)| k.port).collect();
        let open: Vec<(ProbeKey, &Probe)> = g
            .items
            .iter()
            .filter(|(_, p)| answered_open(p))
            .copied()
            .collect();
        let open_ports: BTreeSet<u16> = open.iter().map(|(k, _)| k.port).collect();
        let silent_ports: BTreeSet<u16> = g
            .counting()
            .filter(|(_, p)| p.answer == Answer::Silent)
            .map(|(k, _)| k.port)
            .collect();
        let mut f = Finding::new(id)
            .param("scanner", scanner)
            .param("target", target)
            .param("style", style_words(style, connect))
            .param("ports", all.len())
            .param("port_list", fmt_ports(&all, 12))
            .param("failed", g.counting().count())
            .param("refused", g.count(|p| p.answer == Answer::Reset))
            .param(
                "unreachable",
                g.count(|p| p.answer == Answer::PortUnreachable),
            )
            .param("prohibited", g.count(|p| p.answer == Answer::Prohibited))
            .param("silent", silent_ports.len())
            .param("silent_list", fmt_ports(&silent_ports, 12))
            .param("open", open_ports.len())
            .param("open_list", fmt_ports(&open_ports, 20))
            .param("data", data_sentence(&open, false))
            .param("burst", g.burst(self.s.window_secs))
            .param("window", secs(self.s.window_secs));
        if let Some((k, p)) = g.first_counting() {
            let port_field = if k.style == Style::Udp {
                "udp.dstport"
            } else {
                "tcp.dstport"
            };
            f = f.bytes(p.pkt, "ip.src", p.src_ev.0, p.src_ev.1).bytes(
                p.pkt,
                port_field,
                p.port_ev.0,
                p.port_ev.1,
            );
        }
        let (first, last) = g.span();
        Detection {
            finding: f,
            key: format!("{id}:{scanner}>{target}"),
            packets: g.packets(),
            first,
            last,
        }
    }

    fn sweep(&self, scanner: IpAddr, style: Style, port: u16, g: &Group) -> Detection {
        let hosts: BTreeSet<IpAddr> = g.items.iter().map(|(k, _)| k.target).collect();
        let open: Vec<(ProbeKey, &Probe)> = g
            .items
            .iter()
            .filter(|(_, p)| answered_open(p))
            .copied()
            .collect();
        let open_hosts: Vec<IpAddr> = open.iter().map(|(k, _)| k.target).collect();
        let refused = g.count(|p| {
            matches!(
                p.answer,
                Answer::Reset | Answer::PortUnreachable | Answer::Prohibited
            )
        });
        let connect = open.iter().any(|(_, p)| p.connect);
        let mut f = Finding::new(SWEEP)
            .param("scanner", scanner)
            .param("port", port)
            .param("proto", style.proto_name())
            .param("style", style_words(style, connect))
            .param("hosts", hosts.len())
            .param("failed", g.counting().count())
            .param("refused", refused)
            .param("silent", g.count(|p| p.answer == Answer::Silent && !p.live))
            .param("open", open_hosts.len())
            .param("open_list", fmt_list(&open_hosts, 12))
            .param("answered", answered_sentence(&open_hosts, port))
            .param("data", data_sentence(&open, true))
            .param("burst", g.burst(self.s.window_secs))
            .param("window", secs(self.s.window_secs));
        if let Some((k, p)) = g.first_counting() {
            let port_field = if k.style == Style::Udp {
                "udp.dstport"
            } else {
                "tcp.dstport"
            };
            f = f.bytes(p.pkt, "ip.src", p.src_ev.0, p.src_ev.1).bytes(
                p.pkt,
                port_field,
                p.port_ev.0,
                p.port_ev.1,
            );
        }
        let (first, last) = g.span();
        Detection {
            finding: f,
            key: format!("{SWEEP}:{scanner}>{}/{port}", style.proto()),
            packets: g.packets(),
            first,
            last,
        }
    }

    fn decoy(
        &self,
        target: IpAddr,
        style: Style,
        members: &[(IpAddr, &Group)],
        ports: &BTreeSet<u16>,
        talked: impl Fn(IpAddr) -> bool,
    ) -> Detection {
        // The TTL each source's probes arrived with, as most of its probes show it.
        let ttls: Vec<(IpAddr, u8)> = members
            .iter()
            .map(|(src, g)| {
                let mut n: BTreeMap<u8, usize> = BTreeMap::new();
                for (_, p) in &g.items {
                    *n.entry(p.ttl).or_default() += 1;
                }
                let ttl = n
                    .iter()
                    .max_by_key(|(t, c)| (**c, std::cmp::Reverse(**t)))
                    .map(|(t, _)| *t)
                    .unwrap_or(0);
                (*src, ttl)
            })
            .collect();
        let mut tally: BTreeMap<u8, Vec<IpAddr>> = BTreeMap::new();
        for (s, t) in &ttls {
            tally.entry(*t).or_default().push(*s);
        }
        let mut verdict = if tally.len() == 1 {
            format!(
                "Every source arrives with the same TTL ({}): addresses spread over the Internet \
                 would not all be the same number of hops away, so one machine most likely sent \
                 them all, and the TTL alone cannot say which address is really its own.",
                ttls.first().map(|t| t.1).unwrap_or(0)
            )
        } else {
            let odd: Vec<(&u8, &Vec<IpAddr>)> =
                tally.iter().filter(|(_, v)| v.len() == 1).collect();
            let shared = tally.iter().find(|(_, v)| v.len() + 1 == ttls.len());
            match (odd.as_slice(), shared) {
                ([(t, who)], Some((st, _))) => format!(
                    "{} stands out with TTL {} while every other source shows {}: the forged \
                     copies share one setting, so the odd one out is the likeliest real scanner.",
                    fmt_list(who, 1),
                    t,
                    st
                ),
                _ => format!(
                    "The sources arrive with TTLs {}: ping each address and compare its real hop \
                     distance with these; a source whose probes do not match was forged.",
                    fmt_list(
                        &ttls
                            .iter()
                            .map(|(s, t)| format!("{t} ({s})"))
                            .collect::<Vec<_>>(),
                        12
                    )
                ),
            }
        };
        let talkers: Vec<IpAddr> = members
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| talked(*s))
            .collect();
        if !talkers.is_empty() {
            verdict.push_str(&format!(
                " {} also held an ordinary conversation with {target}; decoy addresses usually \
                 do not.",
                fmt_list(&talkers, 3)
            ));
        }
        let list: Vec<String> = ttls.iter().map(|(s, t)| format!("{s} (TTL {t})")).collect();
        let first_probe = members
            .iter()
            .filter_map(|(_, g)| g.first_counting())
            .min_by_key(|(_, p)| (p.first, p.pkt));
        let mut f = Finding::new(DECOY)
            .param("target", target)
            .param("style", style_words(style, false))
            .param("sources", members.len())
            .param("source_list", fmt_list(&list, 12))
            .param("ports", ports.len())
            .param("port_list", fmt_ports(ports, 12))
            .param("ttl_verdict", verdict);
        if let Some((k, p)) = first_probe {
            let port_field = if k.style == Style::Udp {
                "udp.dstport"
            } else {
                "tcp.dstport"
            };
            f = f.bytes(p.pkt, "ip.src", p.src_ev.0, p.src_ev.1).bytes(
                p.pkt,
                port_field,
                p.port_ev.0,
                p.port_ev.1,
            );
        }
        let mut pk = Vec::new();
        let mut first = None::<Timestamp>;
        let mut last = None::<Timestamp>;
        for (_, g) in members {
            pk.extend(g.packets());
            let (a, b) = g.span();
            first = Some(first.map_or(a, |x| x.min(a)));
            last = Some(last.map_or(b, |x| x.max(b)));
        }
        Detection {
            finding: f,
            key: format!("{DECOY}:{target}/{}", style.proto()),
            packets: evidence_packets(pk),
            first: first.unwrap_or_default(),
            last: last.unwrap_or_default(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ping sweeps.

/// Settings of the ping-sweep detector.
///
/// Monitoring systems ping their whole inventory on a schedule and will trip this; the text says
/// so. Raising `min_hosts` hides small sweeps of a home network; lowering it flags an admin who
/// checks a handful of servers by hand.
#[derive(Debug, Clone)]
pub struct PingSweepSettings {
    /// Capture-time span in which the distinct hosts must be pinged.
    pub window_secs: f64,
    /// Distinct unicast hosts one source must ping within the window.
    pub min_hosts: usize,
    /// Most (source, destination) pairs kept.
    pub max_pairs: usize,
}

impl Default for PingSweepSettings {
    fn default() -> Self {
        PingSweepSettings {
            window_secs: 120.0,
            min_hosts: 10,
            max_pairs: 20_000,
        }
    }
}

struct Ping {
    first: Timestamp,
    last: Timestamp,
    pkt: u64,
    src_ev: (usize, usize),
    dst_ev: (usize, usize),
    reply: Option<u64>,
}

/// Echo requests from one source to many hosts, with which of them answered.
pub struct PingSweep {
    s: PingSweepSettings,
    pings: HashMap<(IpAddr, IpAddr), Ping>,
}

impl PingSweep {
    pub fn new(s: PingSweepSettings) -> PingSweep {
        PingSweep {
            s,
            pings: HashMap::new(),
        }
    }
}

impl Detector for PingSweep {
    fn name(&self) -> &'static str {
        "pingsweep"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        if let Some(ip) = outer_ip(p.d) {
            self.see(p, &ip);
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let mut by_src: BTreeMap<IpAddr, Vec<(IpAddr, &Ping)>> = BTreeMap::new();
        for ((s, d), e) in &self.pings {
            by_src.entry(*s).or_default().push((*d, e));
        }
        for (src, mut v) in by_src {
            let burst = max_in_window(
                v.iter().map(|(_, e)| e.first.as_f64_secs()).collect(),
                self.s.window_secs,
            );
            if burst < self.s.min_hosts {
                continue;
            }
            v.sort_by_key(|(d, e)| (e.first, e.pkt, *d));
            let answered: Vec<IpAddr> = v
                .iter()
                .filter(|(_, e)| e.reply.is_some())
                .map(|(d, _)| *d)
                .collect();
            let mut pk = Vec::new();
            for (_, e) in &v {
                pk.push(e.pkt);
                pk.extend(e.reply);
            }
            let mut f = Finding::new(PING_SWEEP)
                .param("src", src)
                .param("hosts", v.len())
                .param("answered", answered.len())
                .param("answered_list", fmt_list(&answered, 12))
                .param("burst", burst)
                .param("window", secs(self.s.window_secs));
            if let Some((_, e)) = v.first() {
                f = f
                    .bytes(e.pkt, "ip.src", e.src_ev.0, e.src_ev.1)
                    .bytes(e.pkt, "ip.dst", e.dst_ev.0, e.dst_ev.1);
            }
            out.push(Detection {
                finding: f,
                key: format!("{PING_SWEEP}:{src}"),
                packets: evidence_packets(pk),
                first: v.iter().map(|(_, e)| e.first).min().unwrap_or_default(),
                last: v.iter().map(|(_, e)| e.last).max().unwrap_or_default(),
            });
        }
    }
}

impl PingSweep {
    fn see(&mut self, p: &Observed<'_>, ip: &IpInfo) {
        match icmp_kind(p.d) {
            Some(IcmpKind::EchoRequest) => {
                if group_address(ip.dst) {
                    return;
                }
                if let Some(e) = self.pings.get_mut(&(ip.src, ip.dst)) {
                    e.last = p.ts;
                    return;
                }
                if self.pings.len() >= self.s.max_pairs {
                    return;
                }
                let dst_ev =
                    p.d.layers
                        .iter()
                        .find(|l| !l.quoted && (l.proto == "ip" || l.proto == "ipv6"))
                        .map(|l| ev(l, if ip.v6 { "ipv6.dst" } else { "ip.dst" }))
                        .unwrap_or((0, 0));
                self.pings.insert(
                    (ip.src, ip.dst),
                    Ping {
                        first: p.ts,
                        last: p.ts,
                        pkt: p.number,
                        src_ev: ip.src_ev,
                        dst_ev,
                        reply: None,
                    },
                );
            }
            Some(IcmpKind::EchoReply) => {
                if let Some(e) = self.pings.get_mut(&(ip.dst, ip.src)) {
                    e.reply.get_or_insert(p.number);
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// IP protocol scans.

/// Settings of the IP-protocol scan detector.
///
/// Ordinary hosts use a few protocols with each other (ICMP, TCP, UDP, sometimes GRE, ESP, OSPF),
/// so the threshold sits well above that; a tunnel endpoint running many protocols at once is the
/// harmless case that would come closest.
#[derive(Debug, Clone)]
pub struct ProtoScanSettings {
    /// Capture-time window; the distinct count restarts when a window ends.
    pub window_secs: f64,
    /// Distinct IP protocol numbers from one source to one host within the window.
    pub min_protocols: usize,
    /// Most (source, destination) pairs kept.
    pub max_pairs: usize,
}

impl Default for ProtoScanSettings {
    fn default() -> Self {
        ProtoScanSettings {
            window_secs: 300.0,
            min_protocols: 8,
            max_pairs: 20_000,
        }
    }
}

/// 256 flags, one per protocol number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ProtoSet([u64; 4]);

impl ProtoSet {
    fn insert(&mut self, p: u8) -> bool {
        let (w, b) = (usize::from(p / 64), p % 64);
        match self.0.get_mut(w) {
            Some(word) => {
                let new = *word & (1 << b) == 0;
                *word |= 1 << b;
                new
            }
            None => false,
        }
    }
    fn contains(&self, p: u8) -> bool {
        self.0
            .get(usize::from(p / 64))
            .is_some_and(|w| w & (1 << (p % 64)) != 0)
    }
    fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
    fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=255u8).filter(|p| self.contains(*p))
    }
}

struct ProtoPair {
    first: Timestamp,
    last: Timestamp,
    window_start: f64,
    current: ProtoSet,
    best: usize,
    all: ProtoSet,
    refused: ProtoSet,
    answered: ProtoSet,
    pkt: u64,
    src_ev: (usize, usize),
    proto_ev: (usize, usize),
    packets: Vec<u64>,
}

/// One source trying many IP protocol numbers against one host (nmap -sO style).
pub struct ProtoScan {
    s: ProtoScanSettings,
    pairs: HashMap<(IpAddr, IpAddr), ProtoPair>,
}

impl ProtoScan {
    pub fn new(s: ProtoScanSettings) -> ProtoScan {
        ProtoScan {
            s,
            pairs: HashMap::new(),
        }
    }
}

impl Detector for ProtoScan {
    fn name(&self) -> &'static str {
        "protoscan"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        if let Some(ip) = outer_ip(p.d) {
            self.see(p, &ip);
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let mut keys: Vec<&(IpAddr, IpAddr)> = self
            .pairs
            .iter()
            .filter(|(_, e)| e.best >= self.s.min_protocols)
            .map(|(k, _)| k)
            .collect();
        keys.sort();
        for k in keys {
            let Some(e) = self.pairs.get(k) else { continue };
            let (src, dst) = *k;
            let list = |s: &ProtoSet| -> String {
                let v: BTreeSet<u16> = s.iter().map(u16::from).collect();
                fmt_ports(&v, 12)
            };
            let mut answered = e.answered;
            for (w, r) in answered.0.iter_mut().zip(e.refused.0.iter()) {
                *w &= !r;
            }
            let silent = e.all.len().saturating_sub(e.refused.len() + answered.len());
            let f = Finding::new(IP_PROTO)
                .param("src", src)
                .param("dst", dst)
                .param("protocols", e.all.len())
                .param("protocol_list", list(&e.all))
                .param("refused", e.refused.len())
                .param("answered", answered.len())
                .param("answered_list", list(&answered))
                .param("silent", silent)
                .param("burst", e.best)
                .param("window", secs(self.s.window_secs))
                .bytes(e.pkt, "ip.src", e.src_ev.0, e.src_ev.1)
                .bytes(e.pkt, "ip.proto", e.proto_ev.0, e.proto_ev.1);
            out.push(Detection {
                finding: f,
                key: format!("{IP_PROTO}:{src}>{dst}"),
                packets: evidence_packets(e.packets.clone()),
                first: e.first,
                last: e.last,
            });
        }
    }
}

impl ProtoScan {
    fn see(&mut self, p: &Observed<'_>, ip: &IpInfo) {
        if group_address(ip.dst) {
            return;
        }
        let kind = icmp_kind(p.d);
        let error = matches!(
            kind,
            Some(
                IcmpKind::PortUnreachable
                    | IcmpKind::ProtoUnreachable
                    | IcmpKind::OtherUnreachable
                    | IcmpKind::TimeExceeded
            )
        );
        if error {
            // Protocol unreachable says the host lacks the protocol; a port unreachable from the
            // host itself says it has it (its UDP or TCP layer looked for the port).
            if let Some(q) = quoted(p.d) {
                if let Some(e) = self.pairs.get_mut(&(q.src, q.dst)) {
                    match kind {
                        Some(IcmpKind::ProtoUnreachable) => {
                            e.refused.insert(q.proto);
                        }
                        Some(IcmpKind::PortUnreachable) if ip.src == q.dst => {
                            e.answered.insert(q.proto);
                        }
                        _ => {}
                    }
                    if e.packets.len() < MAX_EVIDENCE_PACKETS {
                        e.packets.push(p.number);
                    }
                }
            }
            return;
        }
        // Anything else coming back in the same protocol shows the host speaks it.
        if let Some(e) = self.pairs.get_mut(&(ip.dst, ip.src)) {
            if e.all.contains(ip.proto) {
                e.answered.insert(ip.proto);
            }
        }
        let t = p.t();
        let e = match self.pairs.get_mut(&(ip.src, ip.dst)) {
            Some(e) => e,
            None => {
                if self.pairs.len() >= self.s.max_pairs {
                    return;
                }
                self.pairs.entry((ip.src, ip.dst)).or_insert(ProtoPair {
                    first: p.ts,
                    last: p.ts,
                    window_start: t,
                    current: ProtoSet::default(),
                    best: 0,
                    all: ProtoSet::default(),
                    refused: ProtoSet::default(),
                    answered: ProtoSet::default(),
                    pkt: p.number,
                    src_ev: ip.src_ev,
                    proto_ev: ip.proto_ev,
                    packets: Vec::new(),
                })
            }
        };
        e.last = p.ts;
        if t - e.window_start > self.s.window_secs {
            e.window_start = t;
            e.current = ProtoSet::default();
        }
        e.current.insert(ip.proto);
        e.best = e.best.max(e.current.len());
        if e.all.insert(ip.proto) && e.packets.len() < MAX_EVIDENCE_PACKETS {
            e.packets.push(p.number);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// sscan.

/// Settings of the sscan detector (seed 003 §5.2, CERT IN-99-01).
///
/// Equal source and destination ports on a bare ACK are odd but not unique (some load balancers
/// probe that way), so one port is not enough; three of the five named ports is the default.
#[derive(Debug, Clone)]
pub struct SscanSettings {
    /// Of 23/25/80/110/143, how many must see an ACK with equal ports from one source to one host.
    pub min_ack_ports: usize,
    /// With fingerprint probes from source ports 1-5, how many of sscan's usual connection
    /// targets must also see a SYN.
    pub min_probe_ports: usize,
    /// Most (source, destination) pairs kept.
    pub max_pairs: usize,
}

impl Default for SscanSettings {
    fn default() -> Self {
        SscanSettings {
            min_ack_ports: 3,
            min_probe_ports: 5,
            max_pairs: 10_000,
        }
    }
}

/// The ports sscan "pings" with ACKs whose source and destination port are equal (seed 003 §5.2).
const SSCAN_ACK_PORTS: [u16; 5] = [23, 25, 80, 110, 143];
/// Its usual connection attempts (seed 003 §5.2 and its example record, seed 002 §1.1 port 1114).
const SSCAN_PROBES: [u16; 16] = [
    1, 21, 22, 23, 25, 53, 79, 80, 110, 111, 139, 143, 1114, 2766, 6000, 31337,
];

#[derive(Default)]
struct SscanPair {
    first: Timestamp,
    last: Timestamp,
    ack_ports: BTreeSet<u16>,
    probe_ports: BTreeSet<u16>,
    fp_sports: BTreeSet<u16>,
    /// Packet and the byte ranges of its source and destination ports.
    ev: Option<(u64, Bytes, Bytes)>,
    packets: Vec<u64>,
}

/// The sscan tool's phases between one source and one host.
pub struct Sscan {
    s: SscanSettings,
    pairs: HashMap<(IpAddr, IpAddr), SscanPair>,
}

impl Sscan {
    pub fn new(s: SscanSettings) -> Sscan {
        Sscan {
            s,
            pairs: HashMap::new(),
        }
    }
}

impl Detector for Sscan {
    fn name(&self) -> &'static str {
        "sscan"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        if let Some(ip) = outer_ip(p.d) {
            self.see(p, &ip);
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let mut keys: Vec<&(IpAddr, IpAddr)> = self.pairs.keys().collect();
        keys.sort();
        for k in keys {
            let Some(e) = self.pairs.get(k) else { continue };
            let acks = e.ack_ports.len() >= self.s.min_ack_ports;
            let fp = !e.fp_sports.is_empty() && e.probe_ports.len() >= self.s.min_probe_ports;
            if !(acks || fp) {
                continue;
            }
            let (src, dst) = *k;
            let mut phases = Vec::new();
            if !e.ack_ports.is_empty() {
                phases.push(format!(
                    "ACK pings with equal source and destination port to {}",
                    fmt_ports(&e.ack_ports, 5)
                ));
            }
            if !e.probe_ports.is_empty() {
                phases.push(format!(
                    "connection attempts to {} of its usual targets ({})",
                    e.probe_ports.len(),
                    fmt_ports(&e.probe_ports, 16)
                ));
            }
            if !e.fp_sports.is_empty() {
                phases.push(format!(
                    "fingerprint probes from source port {}",
                    fmt_ports(&e.fp_sports, 5)
                ));
            }
            let mut f = Finding::new(SSCAN)
                .param("src", src)
                .param("dst", dst)
                .param("ack_ports", fmt_ports(&e.ack_ports, 5))
                .param("probe_ports", fmt_ports(&e.probe_ports, 16))
                .param("fp_sports", fmt_ports(&e.fp_sports, 5))
                .param("phases", phases.join("; "));
            if let Some((pkt, s, d)) = e.ev {
                f = f
                    .bytes(pkt, "tcp.srcport", s.0, s.1)
                    .bytes(pkt, "tcp.dstport", d.0, d.1);
            }
            out.push(Detection {
                finding: f,
                key: format!("{SSCAN}:{src}>{dst}"),
                packets: evidence_packets(e.packets.clone()),
                first: e.first,
                last: e.last,
            });
        }
    }
}

impl Sscan {
    fn see(&mut self, p: &Observed<'_>, ip: &IpInfo) {
        let Some(l) = p.d.layer("tcp") else { return };
        let (Some(sport), Some(dport), Some(flags)) = (
            l.u64("tcp.srcport").and_then(|v| u16::try_from(v).ok()),
            l.u64("tcp.dstport").and_then(|v| u16::try_from(v).ok()),
            l.u64("tcp.flags"),
        ) else {
            return;
        };
        let (syn, ack) = (flags & 0x02 != 0, flags & 0x10 != 0);
        let ack_ping = ack && !syn && sport == dport && SSCAN_ACK_PORTS.contains(&dport);
        let fingerprint = (1..=5).contains(&sport);
        let probe = syn && !ack && SSCAN_PROBES.contains(&dport);
        if !(ack_ping || fingerprint || probe) {
            return;
        }
        let key = (ip.src, ip.dst);
        if !self.pairs.contains_key(&key) && self.pairs.len() >= self.s.max_pairs {
            return;
        }
        let e = self.pairs.entry(key).or_insert_with(|| SscanPair {
            first: p.ts,
            ..SscanPair::default()
        });
        e.last = p.ts;
        let mut new = false;
        if ack_ping {
            new |= e.ack_ports.insert(dport);
        }
        if fingerprint {
            new |= e.fp_sports.insert(sport);
        }
        if probe {
            new |= e.probe_ports.insert(dport);
        }
        if new && e.packets.len() < MAX_EVIDENCE_PACKETS {
            e.packets.push(p.number);
        }
        if e.ev.is_none() && (ack_ping || fingerprint) {
            e.ev = Some((p.number, ev(l, "tcp.srcport"), ev(l, "tcp.dstport")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, linktype};

    /// Ethernet + IPv4 + TCP, 54 bytes; checksums are left zero (the detectors do not read them).
    fn tcp_frame(
        src: [u8; 4],
        dst: [u8; 4],
        sport: u16,
        dport: u16,
        flags: u8,
        ttl: u8,
    ) -> Vec<u8> {
        let mut f = vec![
            2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, // Ethernet: dst, src, IPv4
            0x45, 0, 0, 40, // version/IHL, DSCP, total length 40
            0, 1, 0, 0, // id 1, no fragmentation
            ttl, 6, 0, 0, // TTL, protocol TCP, checksum
        ];
        f.extend_from_slice(&src); // source address (offset 26)
        f.extend_from_slice(&dst); // destination address (offset 30)
        f.extend_from_slice(&sport.to_be_bytes()); // source port (offset 34)
        f.extend_from_slice(&dport.to_be_bytes()); // destination port (offset 36)
        f.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0]); // sequence 1, acknowledgment 0
        f.extend_from_slice(&[0x50, flags, 0x04, 0x00, 0, 0, 0, 0]); // offset 5, flags, window 1024
        f
    }

    fn feed(det: &mut dyn Detector, frames: &[(f64, Vec<u8>)]) -> Vec<Detection> {
        for (i, (t, f)) in frames.iter().enumerate() {
            let d = decode(f, linktype::ETHERNET);
            let secs = t.floor();
            det.observe(&Observed {
                number: i as u64 + 1,
                ts: Timestamp {
                    secs: secs as i64,
                    nanos: ((t - secs) * 1e9) as u32,
                },
                d: &d,
            });
        }
        let mut out = Vec::new();
        det.finish(&mut out);
        out
    }

    const X: [u8; 4] = [192, 0, 2, 66];
    const T: [u8; 4] = [10, 0, 0, 10];

    #[test]
    fn syn_probes_inside_the_window_make_one_scan() {
        // 20 SYNs one second apart, no answers: 20 silent ports within 300 s.
        let frames: Vec<_> = (1..=20u16)
            .map(|p| (1000.0 + f64::from(p), tcp_frame(X, T, 40000, p, 0x02, 50)))
            .collect();
        let out = feed(&mut PortScan::new(PortScanSettings::default()), &frames);
        assert_eq!(out.len(), 1);
        let d = &out[0];
        assert_eq!(d.key, "scan.port.syn:192.0.2.66>10.0.0.10");
        assert_eq!(d.packets, (1..=20).collect::<Vec<u64>>());
        let ev = &d.finding.evidence;
        assert_eq!((ev[0].offset, ev[0].length), (26, 4));
        assert_eq!((ev[1].field.as_str(), ev[1].offset), ("tcp.dstport", 36));
    }

    #[test]
    fn ipv6_scans_are_keyed_by_their_addresses() {
        let v6 = |port: u16| {
            let mut f = vec![
                2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, // Ethernet: dst, src, IPv6
                0x60, 0, 0, 0, // version 6, traffic class, flow label
                0, 20, 6, 57, // payload length 20, next header TCP, hop limit 57
            ];
            f.extend_from_slice(&[
                0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x66,
            ]); // 2001:db8::66
            f.extend_from_slice(&[
                0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
            ]); // 2001:db8::10
            f.extend_from_slice(&40000u16.to_be_bytes()); // source port (offset 54)
            f.extend_from_slice(&port.to_be_bytes()); // destination port (offset 56)
            f.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x04, 0, 0, 0, 0, 0]); // SYN
            f
        };
        let frames: Vec<_> = (1..=16u16).map(|p| (5.0, v6(p))).collect();
        let out = feed(&mut PortScan::new(PortScanSettings::default()), &frames);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].key, "scan.port.syn:2001:db8::66>2001:db8::10");
        let ev = &out[0].finding.evidence;
        assert_eq!((ev[0].offset, ev[0].length), (22, 16));
        assert_eq!((ev[1].offset, ev[1].length), (56, 2));
    }

    #[test]
    fn a_slow_scan_spread_beyond_the_window_is_not_reported() {
        // The same 20 SYNs a minute apart: at most 6 fall inside any 300 s window.
        let frames: Vec<_> = (1..=20u16)
            .map(|p| {
                (
                    1000.0 + 60.0 * f64::from(p),
                    tcp_frame(X, T, 40000, p, 0x02, 50),
                )
            })
            .collect();
        let out = feed(&mut PortScan::new(PortScanSettings::default()), &frames);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn tables_stay_within_their_caps() {
        let frames: Vec<_> = (1..=1000u16)
            .map(|p| (1000.0, tcp_frame(X, T, p, p, 0x02, 50)))
            .collect();
        let mut ps = PortScan::new(PortScanSettings {
            max_probes: 100,
            ..PortScanSettings::default()
        });
        let out = feed(&mut ps, &frames);
        assert_eq!((ps.probes.len(), ps.untracked), (100, 900));
        assert_eq!(out.len(), 1, "the tracked part is still reported");

        let hosts: Vec<_> = (0..1000u16)
            .map(|i| {
                let [a, b] = i.to_be_bytes();
                (1000.0, tcp_frame(X, [10, 1, a, b], 1000 + i, 80, 0x02, 50))
            })
            .collect();
        let mut ss = Sscan::new(SscanSettings {
            max_pairs: 10,
            ..SscanSettings::default()
        });
        feed(&mut ss, &hosts);
        assert_eq!(ss.pairs.len(), 10);
        let mut pr = ProtoScan::new(ProtoScanSettings {
            max_pairs: 10,
            ..ProtoScanSettings::default()
        });
        feed(&mut pr, &hosts);
        assert_eq!(pr.pairs.len(), 10);
    }

    #[test]
    fn every_prefix_of_a_probe_and_its_answer_is_harmless() {
        let probe = tcp_frame(X, T, 40000, 22, 0x02, 50);
        let answer = tcp_frame(T, X, 22, 40000, 0x12, 64);
        for cut in 0..=probe.len() {
            let frames = vec![(1.0, probe[..cut].to_vec()), (2.0, answer[..cut].to_vec())];
            for mut det in detectors() {
                let _ = feed(det.as_mut(), &frames);
            }
        }
    }

    #[test]
    fn port_ranges_are_compact_and_capped() {
        let s: BTreeSet<u16> = [1, 2, 3, 5, 80, 81, 443].into_iter().collect();
        assert_eq!(fmt_ports(&s, 10), "1-3, 5, 80-81, 443");
        assert_eq!(fmt_ports(&s, 2), "1-3, 5 and 3 more");
        assert_eq!(fmt_ports(&BTreeSet::new(), 3), "none");
        let edge: BTreeSet<u16> = [65534, 65535].into_iter().collect();
        assert_eq!(fmt_ports(&edge, 3), "65534-65535");
    }

    #[test]
    fn window_counts_the_densest_span() {
        assert_eq!(max_in_window(vec![0.0, 1.0, 2.0, 100.0, 101.0], 10.0), 3);
        assert_eq!(max_in_window(vec![], 10.0), 0);
        assert_eq!(max_in_window(vec![5.0, 0.0, 10.0], 10.0), 3);
    }

    #[test]
    fn protocol_sets_cover_all_256_numbers() {
        let mut s = ProtoSet::default();
        assert!(s.insert(0) && s.insert(255) && !s.insert(255));
        assert_eq!(s.len(), 2);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0, 255]);
    }
}
