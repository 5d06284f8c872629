//! Address ownership on the local link, across packets: who claims which IPv4 address in ARP
//! (gratuitous announcements, an address that moves to another MAC once, an address that two MACs
//! keep taking from each other), hosts that ARP for a whole range (ARP scans), and DHCP answers
//! from more than one server.
//!
//! It reads decoded fields only (`arp.*`, `dhcp.*`) and must never keep packets or grow without
//! bound: every table is capped, and a hostile capture that floods new addresses only stops new
//! keys from being tracked. Times are capture times; nothing here looks at the clock.

use super::{Detection, Detector, Observed, MAX_EVIDENCE_PACKETS};
use crate::capture::Timestamp;
use crate::decode::Dissection;
use crate::explain::Finding;
use crate::field::{fmt_mac, Value};
use foldhash::{HashMap, HashMapExt};
use std::collections::{BTreeSet, VecDeque};
use std::hash::Hash;
use std::net::Ipv4Addr;

/// A host announced its own address (gratuitous ARP, RFC 5227 announcement).
pub const GRATUITOUS: &str = "arp.gratuitous";
/// An address moved to another MAC once in the window (failover, replaced NIC, reassigned lease).
pub const MAC_CHANGED: &str = "arp.mac_changed";
/// Two or more MACs keep claiming one address: ARP spoofing (poisoning) or an address conflict.
pub const SPOOFING: &str = "arp.spoofing";
/// One sender asked for many different addresses in a short time.
pub const SCAN: &str = "arp.scan";
/// More than one DHCP server answered on the link.
pub const DHCP_SERVERS: &str = "dhcp.multiple_servers";

/// Every registry id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[GRATUITOUS, MAC_CHANGED, SPOOFING, SCAN, DHCP_SERVERS];

/// The detectors of this module at their default settings.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(ArpOwnership::new(ArpSettings::default())),
        Box::new(ArpScan::new(ArpSettings::default())),
        Box::new(DhcpServers::new(DhcpSettings::default())),
    ]
}

/// Settings of the ARP detectors.
///
/// Ownership: every ARP request or reply whose sender address is not 0.0.0.0 claims that address
/// for its sender MAC. The first claim is the baseline; a later claim by another MAC is a
/// *change*. One change in `change_window` seconds is reported as a notice (`arp.mac_changed`):
/// a failover pair, a replaced card or a lease handed to another machine all look like that, so
/// calling it poisoning would cry wolf on every cluster switchover. `spoof_changes` changes (the
/// address going back and forth) are reported as a warning (`arp.spoofing`): poisoning tools
/// re-send their lie every few seconds while the real owner keeps answering, and a real failover
/// does not flap. A poisoner that lies once and is never contradicted stays a notice: the price
/// of staying quiet on failovers.
///
/// Scans: `scan_targets` distinct target addresses asked for by one sender (MAC and address)
/// within `scan_window` seconds. arp-scan and nmap's host discovery ask for a /24 in a second or
/// two; an ordinary host or router resolves a handful of neighbours on demand. Slower sweeps
/// (one address every few seconds) stay below the threshold; lowering it catches them but starts
/// to flag routers that refresh a busy subnet after a reboot.
#[derive(Debug, Clone, PartialEq)]
pub struct ArpSettings {
    pub change_window: f64,
    pub spoof_changes: usize,
    pub scan_window: f64,
    pub scan_targets: usize,
    /// Most addresses (ownership) or senders (scans) tracked at once.
    pub max_keys: usize,
    /// Most entries in one per-key set or window.
    pub max_set: usize,
}

impl Default for ArpSettings {
    fn default() -> Self {
        ArpSettings {
            change_window: 300.0,
            spoof_changes: 2,
            scan_window: 30.0,
            scan_targets: 32,
            max_keys: 10_000,
            max_set: 4096,
        }
    }
}

/// Appends a packet number to an evidence list, up to the shared cap.
pub(crate) fn push_evidence(v: &mut Vec<u64>, n: u64) {
    if v.len() < MAX_EVIDENCE_PACKETS && v.last() != Some(&n) {
        v.push(n);
    }
}

/// The distinct values seen in the last `window` seconds, with the packet that brought each:
/// a sliding window, so a burst that straddles a boundary is not cut in two.
#[derive(Debug)]
pub(crate) struct Recent<K: Eq + Hash + Clone> {
    events: VecDeque<(f64, K)>,
    counts: HashMap<K, u32>,
    cap: usize,
}

impl<K: Eq + Hash + Clone> Recent<K> {
    pub(crate) fn new(cap: usize) -> Self {
        Recent {
            events: VecDeque::new(),
            counts: HashMap::new(),
            cap: cap.max(1),
        }
    }

    fn pop_front(&mut self) {
        if let Some((_, k)) = self.events.pop_front() {
            if let Some(c) = self.counts.get_mut(&k) {
                *c = c.saturating_sub(1);
                if *c == 0 {
                    self.counts.remove(&k);
                }
            }
        }
    }

    /// Adds an event at time `t` and forgets those older than `window`.
    pub(crate) fn add(&mut self, t: f64, k: K, window: f64) {
        while self.events.front().is_some_and(|(t0, _)| t - *t0 > window) {
            self.pop_front();
        }
        // At the cap the oldest event goes: the window undercounts rather than grows.
        while self.events.len() >= self.cap {
            self.pop_front();
        }
        self.events.push_back((t, k.clone()));
        *self.counts.entry(k).or_insert(0) += 1;
    }

    /// Events in the window.
    pub(crate) fn events(&self) -> usize {
        self.events.len()
    }

    /// Distinct values in the window.
    pub(crate) fn distinct(&self) -> usize {
        self.counts.len()
    }
}

/// The sender of an ARP request or reply, when it claims an address.
struct Claim {
    op: u64,
    mac: [u8; 6],
    ip: Ipv4Addr,
    target: Option<Ipv4Addr>,
    gratuitous: bool,
}

fn claim(d: &Dissection) -> Option<Claim> {
    let l = d.layer("arp")?;
    let op = l.u64("arp.opcode")?;
    if op != 1 && op != 2 {
        return None;
    }
    let Some(Value::Mac(mac)) = l.get("arp.src.hw_mac") else {
        return None;
    };
    let Some(Value::Ipv4(ip)) = l.get("arp.src.proto_ipv4") else {
        return None;
    };
    let target = match l.get("arp.dst.proto_ipv4") {
        Some(Value::Ipv4(t)) => Some(*t),
        _ => None,
    };
    Some(Claim {
        op,
        mac: *mac,
        ip: *ip,
        target,
        gratuitous: l.get("arp.isgratuitous") == Some(&Value::Bool(true)),
    })
}

/// A MAC that can own an address: not zero (probes, RFC 5227) and not a group address.
fn unicast_mac(m: &[u8; 6]) -> bool {
    m.iter().any(|&b| b != 0) && m.first().is_some_and(|b| b & 1 == 0)
}

/// What one IPv4 address has seen of its owners.
#[derive(Debug)]
struct Owner {
    mac: [u8; 6],
    /// Every MAC that claimed it, in order of first claim (capped).
    macs: Vec<[u8; 6]>,
    /// Capture times of the changes of owner in the window.
    changes: VecDeque<f64>,
    /// Most changes seen inside one window.
    peak_changes: usize,
    total_changes: u64,
    /// Packets that took the address for a new owner, and the ones after a conflict started.
    packets: Vec<u64>,
    first: Timestamp,
    last: Timestamp,
    /// The first claim by a second MAC: the bytes that prove the change.
    change_packet: Option<(u64, Dissection)>,
}

/// Gratuitous announcements of one address by one MAC.
#[derive(Debug)]
struct Announce {
    count: u64,
    packets: Vec<u64>,
    first: Timestamp,
    last: Timestamp,
    evidence: Finding,
}

/// Gratuitous ARP, address moves and ARP spoofing: who claims each address.
pub struct ArpOwnership {
    s: ArpSettings,
    owners: HashMap<Ipv4Addr, Owner>,
    announces: HashMap<(Ipv4Addr, [u8; 6]), Announce>,
}

impl ArpOwnership {
    pub fn new(s: ArpSettings) -> Self {
        ArpOwnership {
            s,
            owners: HashMap::new(),
            announces: HashMap::new(),
        }
    }
}

impl Detector for ArpOwnership {
    fn name(&self) -> &'static str {
        "arp-ownership"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        let Some(c) = claim(p.d) else { return };
        if c.ip.is_unspecified() || !unicast_mac(&c.mac) {
            return;
        }
        let t = p.t();
        if c.gratuitous {
            let key = (c.ip, c.mac);
            if let Some(a) = self.announces.get_mut(&key) {
                a.count = a.count.saturating_add(1);
                push_evidence(&mut a.packets, p.number);
                a.last = p.ts;
            } else if self.announces.len() < self.s.max_keys {
                let what = if c.op == 1 { "request" } else { "reply" };
                let evidence = Finding::new(GRATUITOUS)
                    .param("ip", c.ip)
                    .param("mac", fmt_mac(&c.mac))
                    .param("kind", what)
                    .field(p.number, p.d, "arp.src.hw_mac")
                    .field(p.number, p.d, "arp.src.proto_ipv4")
                    .field(p.number, p.d, "arp.dst.proto_ipv4");
                self.announces.insert(
                    key,
                    Announce {
                        count: 1,
                        packets: vec![p.number],
                        first: p.ts,
                        last: p.ts,
                        evidence,
                    },
                );
            }
        }
        let Some(o) = self.owners.get_mut(&c.ip) else {
            if self.owners.len() < self.s.max_keys {
                self.owners.insert(
                    c.ip,
                    Owner {
                        mac: c.mac,
                        macs: vec![c.mac],
                        changes: VecDeque::new(),
                        peak_changes: 0,
                        total_changes: 0,
                        packets: vec![p.number],
                        first: p.ts,
                        last: p.ts,
                        change_packet: None,
                    },
                );
            }
            return;
        };
        if o.mac == c.mac {
            // Once the address has changed hands, later claims by either side belong to the
            // story too (the owner answering back is what makes a flap).
            if o.total_changes > 0 {
                push_evidence(&mut o.packets, p.number);
                o.last = p.ts;
            }
            return;
        }
        o.mac = c.mac;
        if !o.macs.contains(&c.mac) && o.macs.len() < 16 {
            o.macs.push(c.mac);
        }
        let window = self.s.change_window;
        while o.changes.front().is_some_and(|t0| t - *t0 > window) {
            o.changes.pop_front();
        }
        if o.changes.len() < self.s.max_set {
            o.changes.push_back(t);
        }
        o.peak_changes = o.peak_changes.max(o.changes.len());
        o.total_changes = o.total_changes.saturating_add(1);
        push_evidence(&mut o.packets, p.number);
        o.last = p.ts;
        if o.change_packet.is_none() {
            o.change_packet = Some((p.number, p.d.clone()));
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let mut spoofed = BTreeSet::new();
        let mut owners: Vec<_> = self.owners.iter().collect();
        owners.sort_by_key(|(ip, _)| **ip);
        for (ip, o) in owners {
            let Some((n, d)) = &o.change_packet else {
                continue;
            };
            let macs: Vec<String> = o.macs.iter().map(fmt_mac).collect();
            let (id, key) = if o.peak_changes >= self.s.spoof_changes {
                spoofed.insert(*ip);
                (SPOOFING, format!("{SPOOFING}:{ip}"))
            } else {
                (MAC_CHANGED, format!("{MAC_CHANGED}:{ip}"))
            };
            let finding = Finding::new(id)
                .param("ip", ip)
                .param("macs", macs.join(", "))
                .param("mac_count", macs.len())
                .param("old_mac", macs.first().cloned().unwrap_or_default())
                .param("new_mac", macs.get(1).cloned().unwrap_or_default())
                .param("changes", o.total_changes)
                .param("peak", o.peak_changes)
                .param("window", self.s.change_window)
                .field(*n, d, "arp.src.hw_mac")
                .field(*n, d, "arp.src.proto_ipv4");
            out.push(Detection {
                finding,
                key,
                packets: o.packets.clone(),
                first: o.first,
                last: o.last,
            });
        }
        let mut announces: Vec<_> = self.announces.iter().collect();
        announces.sort_by_key(|((ip, mac), _)| (*ip, *mac));
        for ((ip, mac), a) in announces {
            // When the announcements are part of a fight over the address, the spoofing
            // detection tells the story; an info line beside it would only dilute it.
            if spoofed.contains(ip) {
                continue;
            }
            out.push(Detection {
                finding: a.evidence.clone().param("count", a.count),
                key: format!("{GRATUITOUS}:{ip}@{}", fmt_mac(mac)),
                packets: a.packets.clone(),
                first: a.first,
                last: a.last,
            });
        }
    }
}

/// One sender's recent requests.
#[derive(Debug)]
struct Sweep {
    recent: Recent<Ipv4Addr>,
    /// Every target asked for since the scan crossed the threshold (capped), for the count.
    targets: BTreeSet<Ipv4Addr>,
    peak: usize,
    flagged: bool,
    packets: Vec<u64>,
    /// Packets in the current window, to become evidence once it crosses the threshold.
    window_packets: VecDeque<(f64, Timestamp, u64)>,
    first: Timestamp,
    last: Timestamp,
    evidence: Option<Finding>,
}

/// ARP scans: one sender asking for many addresses.
pub struct ArpScan {
    s: ArpSettings,
    senders: HashMap<([u8; 6], Ipv4Addr), Sweep>,
}

impl ArpScan {
    pub fn new(s: ArpSettings) -> Self {
        ArpScan {
            s,
            senders: HashMap::new(),
        }
    }
}

impl Detector for ArpScan {
    fn name(&self) -> &'static str {
        "arp-scan"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        let Some(c) = claim(p.d) else { return };
        // Announcements and replies ask for nothing; probes (sender 0.0.0.0) ask for one
        // address each and are kept apart by their own sender key.
        if c.op != 1 || c.gratuitous {
            return;
        }
        let Some(target) = c.target else { return };
        let key = (c.mac, c.ip);
        if !self.senders.contains_key(&key) && self.senders.len() >= self.s.max_keys {
            return;
        }
        let cap = self.s.max_set;
        let sw = self.senders.entry(key).or_insert_with(|| Sweep {
            recent: Recent::new(cap),
            targets: BTreeSet::new(),
            peak: 0,
            flagged: false,
            packets: Vec::new(),
            window_packets: VecDeque::new(),
            first: p.ts,
            last: p.ts,
            evidence: None,
        });
        let t = p.t();
        let window = self.s.scan_window;
        sw.recent.add(t, target, window);
        if sw.flagged {
            if sw.targets.len() < cap {
                sw.targets.insert(target);
            }
            push_evidence(&mut sw.packets, p.number);
            sw.last = p.ts;
        } else {
            while sw
                .window_packets
                .front()
                .is_some_and(|(t0, _, _)| t - *t0 > window)
            {
                sw.window_packets.pop_front();
            }
            if sw.window_packets.len() >= cap {
                sw.window_packets.pop_front();
            }
            sw.window_packets.push_back((t, p.ts, p.number));
            if sw.recent.distinct() >= self.s.scan_targets {
                sw.flagged = true;
                sw.first = sw.window_packets.front().map_or(p.ts, |(_, ts, _)| *ts);
                sw.last = p.ts;
                for (_, _, n) in sw.window_packets.drain(..) {
                    push_evidence(&mut sw.packets, n);
                }
                sw.targets.extend(sw.recent.counts.keys().copied());
                sw.evidence = Some(
                    Finding::new(SCAN)
                        .field(p.number, p.d, "arp.src.hw_mac")
                        .field(p.number, p.d, "arp.src.proto_ipv4")
                        .field(p.number, p.d, "arp.dst.proto_ipv4"),
                );
            }
        }
        sw.peak = sw.peak.max(sw.recent.distinct());
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let mut senders: Vec<_> = self.senders.iter().filter(|(_, s)| s.flagged).collect();
        senders.sort_by_key(|(k, _)| **k);
        for ((mac, ip), sw) in senders {
            let Some(ev) = &sw.evidence else { continue };
            let lo = sw
                .targets
                .first()
                .map(|a| a.to_string())
                .unwrap_or_default();
            let hi = sw.targets.last().map(|a| a.to_string()).unwrap_or_default();
            let finding = Finding {
                id: SCAN,
                params: vec![
                    ("mac", fmt_mac(mac)),
                    ("ip", ip.to_string()),
                    ("targets", sw.targets.len().to_string()),
                    ("peak", sw.peak.to_string()),
                    ("window", self.s.scan_window.to_string()),
                    ("lowest", lo),
                    ("highest", hi),
                ],
                evidence: ev.evidence.clone(),
                texts: true,
            };
            out.push(Detection {
                finding,
                key: format!("{SCAN}:{}@{ip}", fmt_mac(mac)),
                packets: sw.packets.clone(),
                first: sw.first,
                last: sw.last,
            });
        }
    }
}

/// Settings of the DHCP server detector.
///
/// A server *answers* with an OFFER (2) or an ACK (5); it is named by its server identifier
/// (option 54, RFC 2132 §9.7), or by the IP source when the option is missing. Two different
/// servers answering within `window` seconds of each other raise `dhcp.multiple_servers`. NAKs
/// do not count: a server rightly refuses a client that brings an address from another network,
/// which says nothing about a second server. A deliberate pair (split scopes, a failover
/// partnership) also fires: the finding says so, and the window keeps a laptop that moved from
/// home to office hours later from looking like a rogue server.
#[derive(Debug, Clone, PartialEq)]
pub struct DhcpSettings {
    pub window: f64,
    /// Most servers remembered.
    pub max_servers: usize,
}

impl Default for DhcpSettings {
    fn default() -> Self {
        DhcpSettings {
            window: 300.0,
            max_servers: 64,
        }
    }
}

#[derive(Debug)]
struct Server {
    last_t: f64,
    answers: u64,
    first_packet: u64,
    first_ts: Timestamp,
}

/// More than one DHCP server answering.
pub struct DhcpServers {
    s: DhcpSettings,
    servers: HashMap<Ipv4Addr, Server>,
    /// Servers that answered within the window of another, in order of first answer.
    flagged: Vec<Ipv4Addr>,
    packets: Vec<u64>,
    first: Timestamp,
    last: Timestamp,
    /// The answer from the second server: the proof.
    evidence: Option<Finding>,
    /// Transactions answered, by id, to notice two servers answering the same request.
    xids: HashMap<u64, Ipv4Addr>,
    same_xid: Option<u64>,
}

impl DhcpServers {
    pub fn new(s: DhcpSettings) -> Self {
        DhcpServers {
            s,
            servers: HashMap::new(),
            flagged: Vec::new(),
            packets: Vec::new(),
            first: Timestamp::default(),
            last: Timestamp::default(),
            evidence: None,
            xids: HashMap::new(),
            same_xid: None,
        }
    }
}

impl Detector for DhcpServers {
    fn name(&self) -> &'static str {
        "dhcp-servers"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        let Some(l) = p.d.layer("dhcp") else { return };
        let Some(kind) = l.u64("dhcp.option.dhcp") else {
            return;
        };
        if kind != 2 && kind != 5 {
            return;
        }
        let (server, field) = match l.get("dhcp.option.dhcp_server_id") {
            Some(Value::Ipv4(a)) => (*a, "dhcp.option.dhcp_server_id"),
            _ => match p.d.layer("ip").and_then(|ip| ip.get("ip.src")) {
                Some(Value::Ipv4(a)) => (*a, "ip.src"),
                _ => return,
            },
        };
        let t = p.t();
        let xid = l.u64("dhcp.id");
        if !self.servers.contains_key(&server) && self.servers.len() >= self.s.max_servers {
            return;
        }
        let window = self.s.window;
        let others: Vec<(Ipv4Addr, u64, Timestamp)> = self
            .servers
            .iter()
            .filter(|(a, s)| **a != server && t - s.last_t <= window)
            .map(|(a, s)| (*a, s.first_packet, s.first_ts))
            .collect();
        let sv = self.servers.entry(server).or_insert(Server {
            last_t: t,
            answers: 0,
            first_packet: p.number,
            first_ts: p.ts,
        });
        sv.last_t = t;
        sv.answers = sv.answers.saturating_add(1);
        if let Some(x) = xid {
            match self.xids.get(&x) {
                Some(prev) if *prev != server && self.same_xid.is_none() => {
                    self.same_xid = Some(x);
                }
                Some(_) => {}
                None if self.xids.len() < 10_000 => {
                    self.xids.insert(x, server);
                }
                None => {}
            }
        }
        if others.is_empty() && !self.flagged.contains(&server) {
            return;
        }
        if self.evidence.is_none() {
            let mut others = others.clone();
            others.sort_by_key(|(_, n, _)| *n);
            // The story starts with the earliest answer of the servers now in conflict.
            self.first = others.first().map_or(p.ts, |(_, _, ts)| *ts);
            for (a, n, _) in others {
                if !self.flagged.contains(&a) {
                    self.flagged.push(a);
                    push_evidence(&mut self.packets, n);
                }
            }
            self.evidence = Some(
                Finding::new(DHCP_SERVERS)
                    .field(p.number, p.d, field)
                    .field(p.number, p.d, "dhcp.option.dhcp"),
            );
        } else {
            for (a, _, _) in others {
                if !self.flagged.contains(&a) && self.flagged.len() < self.s.max_servers {
                    self.flagged.push(a);
                }
            }
        }
        if !self.flagged.contains(&server) {
            self.flagged.push(server);
        }
        push_evidence(&mut self.packets, p.number);
        self.last = p.ts;
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let Some(ev) = &self.evidence else { return };
        let mut packets = self.packets.clone();
        packets.sort_unstable();
        packets.dedup();
        let list: Vec<String> = self
            .flagged
            .iter()
            .map(|a| {
                let n = self.servers.get(a).map_or(0, |s| s.answers);
                format!("{a} ({n} answer{})", if n == 1 { "" } else { "s" })
            })
            .collect();
        let mut sorted = self.flagged.clone();
        sorted.sort();
        let key: Vec<String> = sorted.iter().map(Ipv4Addr::to_string).collect();
        let same = match self.same_xid {
            Some(x) => format!(
                " At least two of them answered the same request (transaction 0x{x:08x}), \
                 so a client there had to pick one."
            ),
            None => String::new(),
        };
        let finding = Finding {
            id: DHCP_SERVERS,
            params: vec![
                ("servers", list.join(", ")),
                ("count", self.flagged.len().to_string()),
                ("window", self.s.window.to_string()),
                ("same_request", same),
            ],
            evidence: ev.evidence.clone(),
            texts: true,
        };
        out.push(Detection {
            finding,
            key: format!("{DHCP_SERVERS}:{}", key.join(",")),
            packets,
            first: self.first,
            last: self.last,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_window_slides_and_counts_distinct() {
        let mut r = Recent::new(100);
        r.add(0.0, 1u32, 10.0);
        r.add(1.0, 2, 10.0);
        r.add(2.0, 2, 10.0);
        assert_eq!((r.events(), r.distinct()), (3, 2));
        // 11.5 s pushes out the event at 0.0 and the one at 1.0.
        r.add(11.5, 3, 10.0);
        assert_eq!((r.events(), r.distinct()), (2, 2));
    }

    #[test]
    fn recent_window_stays_under_its_cap() {
        let mut r = Recent::new(4);
        for i in 0..100u32 {
            r.add(0.0, i, 10.0);
        }
        assert_eq!((r.events(), r.distinct()), (4, 4));
    }

    /// An Ethernet frame carrying an ARP request or reply.
    fn arp_frame(op: u8, mac: [u8; 6], ip: [u8; 4], target: [u8; 4]) -> Vec<u8> {
        let mut f = vec![0xff; 6]; // destination: broadcast
        f.extend_from_slice(&mac); // source MAC
        f.extend_from_slice(&[0x08, 0x06]); // EtherType ARP
        f.extend_from_slice(&[0, 1, 8, 0, 6, 4]); // Ethernet, IPv4, sizes 6 and 4
        f.extend_from_slice(&[0, op]); // opcode
        f.extend_from_slice(&mac); // sender MAC (offset 22)
        f.extend_from_slice(&ip); // sender IP (offset 28)
        f.extend_from_slice(&[0; 6]); // target MAC
        f.extend_from_slice(&target); // target IP (offset 38)
        f
    }

    fn feed(det: &mut dyn Detector, n: u64, t: i64, frame: &[u8]) {
        let d = crate::decode::decode(frame, 1);
        det.observe(&Observed {
            number: n,
            ts: Timestamp { secs: t, nanos: 0 },
            d: &d,
        });
    }

    #[test]
    fn tables_stop_growing_at_their_caps() {
        let s = ArpSettings {
            max_keys: 50,
            max_set: 16,
            ..ArpSettings::default()
        };
        let mut own = ArpOwnership::new(s.clone());
        let mut scan = ArpScan::new(s);
        for i in 0..2000u32 {
            let [_, _, c, d] = i.to_be_bytes();
            let mac = [2, 0, 0, 0, c, d];
            let ip = [10, 1, c, d];
            // A gratuitous claim and a request for a new target from a new sender each time.
            feed(&mut own, u64::from(i), 0, &arp_frame(1, mac, ip, ip));
            feed(
                &mut scan,
                u64::from(i),
                0,
                &arp_frame(1, mac, ip, [10, 2, c, d]),
            );
        }
        // One sender asking for 2000 targets: its window holds at most `max_set` of them.
        for i in 0..2000u32 {
            let [_, _, c, d] = i.to_be_bytes();
            feed(
                &mut scan,
                5000,
                1,
                &arp_frame(1, [2; 6], [10, 0, 0, 1], [10, 3, c, d]),
            );
        }
        assert!(own.owners.len() <= 50 && own.announces.len() <= 50);
        assert!(scan.senders.len() <= 50);
        assert!(scan.senders.values().all(|s| s.recent.events() <= 16
            && s.targets.len() <= 16
            && s.packets.len() <= MAX_EVIDENCE_PACKETS));
    }

    #[test]
    fn a_probe_claims_nothing_and_a_flap_is_spoofing() {
        let mut own = ArpOwnership::new(ArpSettings::default());
        let (a, b) = ([2, 0, 0, 0, 0, 0xa], [2, 0, 0, 0, 0, 0xb]);
        let ip = [192, 168, 0, 9];
        // RFC 5227 probe from 0.0.0.0 by b, then a owns the address, b takes it, a takes it back.
        feed(&mut own, 1, 0, &arp_frame(1, b, [0; 4], ip));
        feed(&mut own, 2, 1, &arp_frame(2, a, ip, [192, 168, 0, 1]));
        feed(&mut own, 3, 2, &arp_frame(2, b, ip, [192, 168, 0, 1]));
        feed(&mut own, 4, 3, &arp_frame(2, a, ip, [192, 168, 0, 1]));
        let mut out = Vec::new();
        own.finish(&mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].finding.id, SPOOFING);
        assert_eq!(out[0].packets, [2, 3, 4]);
    }

    #[test]
    fn unicast_mac_rejects_zero_and_group() {
        assert!(unicast_mac(&[0, 1, 2, 3, 4, 5]));
        assert!(!unicast_mac(&[0; 6]));
        assert!(!unicast_mac(&[0xff; 6]));
        assert!(!unicast_mac(&[1, 0, 0x5e, 0, 0, 1]));
    }
}
