//! Broadcast amplification: smurf (ICMP echo requests to a directed broadcast address, the
//! victim's address forged as the source) and fraggle (the same with UDP echo or chargen), seen
//! from either end: the requests going into an amplifier network, or the flood of answers that
//! many hosts of one subnet send to one victim.
//!
//! Owns the decision that broadcast echo traffic is an attack rather than a local diagnostic,
//! and the per-victim tallies behind it. It must never hold packets or let a hostile capture grow
//! its tables: victims, subnets, reflector sets and remembered requests are all capped.
//!
//! A directed broadcast is taken to be an address ending in .255, that is, the subnet is assumed
//! to be a /24: a capture does not say how a network is divided, and /24 is the common case. The
//! findings say so. Addresses ending in .0 (the old BSD broadcast) are not counted, since in
//! larger subnets they are ordinary hosts.

use super::traceroute::View;
use super::{Detection, Detector, Observed, MAX_EVIDENCE_PACKETS};
use crate::capture::Timestamp;
use crate::decode::Layer;
use crate::explain::{Evidence, Finding};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::{BTreeSet, VecDeque};
use std::net::Ipv4Addr;

/// Echo requests sent to a directed broadcast from outside that subnet.
pub const SMURF: &str = "broadcast.smurf";
/// Unsolicited echo replies to one host from many hosts of one subnet.
pub const SMURF_REPLIES: &str = "broadcast.smurf_replies";
/// UDP to the echo or chargen port of a broadcast address.
pub const FRAGGLE: &str = "broadcast.fraggle";
/// UDP from the echo or chargen port of many hosts of one subnet to one host.
pub const FRAGGLE_REPLIES: &str = "broadcast.fraggle_replies";

/// Every registry id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[SMURF, SMURF_REPLIES, FRAGGLE, FRAGGLE_REPLIES];

/// The detectors of this module at their default settings.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![Box::new(Amplification::new(BroadcastSettings::default()))]
}

/// UDP services that answer anything sent to them, which fraggle turns into amplifiers
/// (RFC 862 echo, RFC 864 character generator; CERT CA-1996-01).
const ECHO: u64 = 7;
const CHARGEN: u64 = 19;

/// Settings of the smurf and fraggle detector.
///
/// False-positive trade-off: a host on the subnet itself may ping its own broadcast address to
/// count its neighbours (`ping -b`), so requests only count when the source is outside the /24 of
/// the broadcast, which is what a forged victim address looks like, and replies only count when
/// the victim sent no matching request to that host or its own subnet. A capture that starts
/// after the victim's own broadcast ping, or that misses its requests (asymmetric routing), can
/// therefore see legitimate replies as unsolicited; `min_reflectors` keeps a handful of such
/// replies from firing. Lowering `min_smurf_requests` to 1 would flag a single mistyped ping to a
/// remote broadcast address. UDP echo or chargen sent to a broadcast has no everyday use, so one
/// packet is enough by default.
#[derive(Debug, Clone, PartialEq)]
pub struct BroadcastSettings {
    /// Capture-time window (seconds) in which the threshold must be reached; a tally that has not
    /// reached it by then starts over.
    pub window_secs: f64,
    /// Echo requests to directed broadcasts, from one outside source, before smurf is reported.
    pub min_smurf_requests: u64,
    /// UDP packets to broadcast echo/chargen ports, from one source, before fraggle is reported.
    pub min_fraggle_packets: u64,
    /// Distinct hosts of one /24 answering one victim before the replies are reported.
    pub min_reflectors: usize,
    /// The most tallies (victims and subnets) followed at once; later ones are ignored.
    pub max_keys: usize,
    /// The most members (broadcast addresses, reflectors) remembered per tally.
    pub max_members: usize,
    /// The most echo requests remembered as the senders' own; the oldest are forgotten first.
    pub max_solicited: usize,
}

impl Default for BroadcastSettings {
    fn default() -> Self {
        BroadcastSettings {
            window_secs: 10.0,
            min_smurf_requests: 3,
            min_fraggle_packets: 1,
            min_reflectors: 5,
            max_keys: 10_000,
            max_members: 4096,
            max_solicited: 4096,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Smurf,
    SmurfReplies,
    Fraggle,
    FraggleReplies,
}

impl Kind {
    fn id(self) -> &'static str {
        match self {
            Kind::Smurf => SMURF,
            Kind::SmurfReplies => SMURF_REPLIES,
            Kind::Fraggle => FRAGGLE,
            Kind::FraggleReplies => FRAGGLE_REPLIES,
        }
    }

    fn is_replies(self) -> bool {
        matches!(self, Kind::SmurfReplies | Kind::FraggleReplies)
    }
}

/// One tally: a victim (the forged source of requests, or the receiver of replies) and, for
/// replies, the /24 they come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    kind: Kind,
    host: Ipv4Addr,
    /// The reflecting /24 (network address) for replies; unspecified for requests.
    subnet: Ipv4Addr,
}

#[derive(Debug, Clone)]
struct Tally {
    start_t: f64,
    first: Timestamp,
    last: Timestamp,
    count: u64,
    /// Broadcast addresses (requests) or reflecting hosts (replies).
    members: BTreeSet<Ipv4Addr>,
    ports: BTreeSet<u64>,
    packets: Vec<u64>,
    evidence: Vec<Evidence>,
    fired: bool,
}

impl Tally {
    fn new(p: &Observed<'_>) -> Tally {
        Tally {
            start_t: p.t(),
            first: p.ts,
            last: p.ts,
            count: 0,
            members: BTreeSet::new(),
            ports: BTreeSet::new(),
            packets: Vec::new(),
            evidence: Vec::new(),
            fired: false,
        }
    }
}

/// The smurf and fraggle detector.
pub struct Amplification {
    s: BroadcastSettings,
    tallies: HashMap<Key, Tally>,
    /// (sender, echo identifier) of echo requests a host sent itself, to unicast hosts or to its
    /// own subnet's broadcast: replies carrying them were asked for.
    solicited: HashSet<(Ipv4Addr, u64)>,
    solicited_order: VecDeque<(Ipv4Addr, u64)>,
}

impl Amplification {
    pub fn new(s: BroadcastSettings) -> Amplification {
        Amplification {
            s,
            tallies: HashMap::new(),
            solicited: HashSet::new(),
            solicited_order: VecDeque::new(),
        }
    }

    fn solicit(&mut self, who: Ipv4Addr, ident: u64) {
        if self.solicited.insert((who, ident)) {
            self.solicited_order.push_back((who, ident));
        }
        while self.solicited_order.len() > self.s.max_solicited {
            if let Some(old) = self.solicited_order.pop_front() {
                self.solicited.remove(&old);
            }
        }
    }

    /// Counts one packet into its tally: `member` is the broadcast address or the reflector.
    fn count(
        &mut self,
        p: &Observed<'_>,
        key: Key,
        member: Ipv4Addr,
        port: Option<u64>,
        ev: impl FnOnce() -> Vec<Evidence>,
    ) {
        if self.tallies.len() >= self.s.max_keys && !self.tallies.contains_key(&key) {
            return;
        }
        let t = p.t();
        let tally = self.tallies.entry(key).or_insert_with(|| Tally::new(p));
        if !tally.fired && t - tally.start_t > self.s.window_secs {
            *tally = Tally::new(p);
        }
        tally.count = tally.count.saturating_add(1);
        tally.last = p.ts;
        if tally.members.len() < self.s.max_members {
            tally.members.insert(member);
        }
        if let Some(port) = port {
            tally.ports.insert(port);
        }
        if tally.packets.len() < MAX_EVIDENCE_PACKETS {
            tally.packets.push(p.number);
        }
        if tally.evidence.is_empty() {
            tally.evidence = ev();
        }
        if !tally.fired {
            tally.fired = if key.kind.is_replies() {
                tally.members.len() >= self.s.min_reflectors.max(1)
            } else {
                let min = match key.kind {
                    Kind::Fraggle => self.s.min_fraggle_packets,
                    _ => self.s.min_smurf_requests,
                };
                tally.count >= min.max(1)
            };
        }
    }
}

impl Detector for Amplification {
    fn name(&self) -> &'static str {
        "smurf-fraggle"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        let Some(v) = View::of(p.d) else {
            return;
        };
        // An ICMP error quotes requests and replies; only live packets count.
        if v.qip.is_some() {
            return;
        }
        let Some(l4) = v.l4 else {
            return;
        };
        let (src, dst) = (v.src, v.dst);
        match l4.proto {
            "icmp" => match l4.u64("icmp.type") {
                Some(8) => {
                    if is_directed_broadcast(dst) && !same_24(src, dst) && is_host(src) {
                        let key = Key {
                            kind: Kind::Smurf,
                            host: src,
                            subnet: Ipv4Addr::UNSPECIFIED,
                        };
                        self.count(p, key, dst, None, || {
                            evidence(p.number, &v, l4, &["ip.src", "ip.dst"], "icmp.type")
                        });
                    } else if let Some(ident) = l4.u64("icmp.ident") {
                        self.solicit(src, ident);
                    }
                }
                Some(0) => {
                    let asked = l4
                        .u64("icmp.ident")
                        .is_some_and(|id| self.solicited.contains(&(dst, id)));
                    if !asked && is_host(src) && is_host(dst) {
                        let key = Key {
                            kind: Kind::SmurfReplies,
                            host: dst,
                            subnet: net_24(src),
                        };
                        self.count(p, key, src, None, || {
                            evidence(p.number, &v, l4, &["ip.dst", "ip.src"], "icmp.type")
                        });
                    }
                }
                _ => {}
            },
            "udp" => {
                let (Some(sport), Some(dport)) = (l4.u64("udp.srcport"), l4.u64("udp.dstport"))
                else {
                    return;
                };
                let amplifier = |port| port == ECHO || port == CHARGEN;
                if amplifier(dport) && (is_directed_broadcast(dst) || dst.is_broadcast()) {
                    let key = Key {
                        kind: Kind::Fraggle,
                        host: src,
                        subnet: Ipv4Addr::UNSPECIFIED,
                    };
                    self.count(p, key, dst, Some(dport), || {
                        evidence(p.number, &v, l4, &["ip.src", "ip.dst"], "udp.dstport")
                    });
                } else if amplifier(sport) && is_host(src) && is_host(dst) {
                    let key = Key {
                        kind: Kind::FraggleReplies,
                        host: dst,
                        subnet: net_24(src),
                    };
                    self.count(p, key, src, Some(sport), || {
                        evidence(p.number, &v, l4, &["ip.dst", "ip.src"], "udp.srcport")
                    });
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let mut keys: Vec<Key> = self
            .tallies
            .iter()
            .filter(|(_, t)| t.fired)
            .map(|(k, _)| *k)
            .collect();
        keys.sort_unstable();
        for key in keys {
            let Some(t) = self.tallies.get(&key) else {
                continue;
            };
            let members = list(&t.members);
            let ports = t
                .ports
                .iter()
                .map(|&p| match p {
                    ECHO => "port 7 (echo)".to_string(),
                    CHARGEN => "port 19 (chargen)".to_string(),
                    other => format!("port {other}"),
                })
                .collect::<Vec<_>>()
                .join(" and ");
            let host = key.host;
            let (finding, name) = match key.kind {
                Kind::Smurf => (
                    Finding::new(SMURF)
                        .param("victim", host)
                        .param("requests", t.count)
                        .param("broadcasts", members),
                    format!("{SMURF}:{host}"),
                ),
                Kind::Fraggle => (
                    Finding::new(FRAGGLE)
                        .param("source", host)
                        .param("packets", t.count)
                        .param("broadcasts", members)
                        .param("ports", ports),
                    format!("{FRAGGLE}:{host}"),
                ),
                Kind::SmurfReplies | Kind::FraggleReplies => {
                    let id = key.kind.id();
                    let f = Finding::new(id)
                        .param("victim", host)
                        .param("subnet", format!("{}/24", key.subnet))
                        .param("reflectors", t.members.len())
                        .param("replies", t.count)
                        .param("ports", ports);
                    (f, format!("{id}:{host}<{}/24", key.subnet))
                }
            };
            let mut finding = finding.param("window", self.s.window_secs);
            finding.evidence = t.evidence.clone();
            out.push(Detection {
                finding,
                key: name,
                packets: t.packets.clone(),
                first: t.first,
                last: t.last,
            });
        }
    }
}

/// An address ending in .255 that is not the limited broadcast, multicast or reserved: the
/// broadcast address of its /24.
fn is_directed_broadcast(a: Ipv4Addr) -> bool {
    let [first, _, _, last] = a.octets();
    last == 255 && first < 224 && first != 0 && first != 127
}

/// An address a single host can hold (as a victim or a reflector).
fn is_host(a: Ipv4Addr) -> bool {
    let [first, _, _, last] = a.octets();
    !(a.is_unspecified() || a.is_broadcast() || a.is_multicast() || first >= 240 || last == 255)
}

fn net_24(a: Ipv4Addr) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(a) & 0xffff_ff00)
}

fn same_24(a: Ipv4Addr, b: Ipv4Addr) -> bool {
    net_24(a) == net_24(b)
}

/// Up to eight addresses, then how many more.
fn list(set: &BTreeSet<Ipv4Addr>) -> String {
    let mut parts: Vec<String> = set.iter().take(8).map(Ipv4Addr::to_string).collect();
    if set.len() > 8 {
        parts.push(format!("and {} more", set.len() - 8));
    }
    parts.join(", ")
}

fn evidence(
    number: u64,
    v: &View<'_>,
    l4: &Layer,
    ip_fields: &[&str],
    l4_field: &str,
) -> Vec<Evidence> {
    let ip = ip_fields.iter().filter_map(|n| v.ip.field(n));
    ip.chain(l4.field(l4_field))
        .map(|f| Evidence {
            packet: number,
            field: f.name.to_string(),
            offset: f.offset,
            length: f.len,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directed_broadcasts_assume_a_slash_24() {
        assert!(is_directed_broadcast(Ipv4Addr::new(192, 168, 1, 255)));
        assert!(!is_directed_broadcast(Ipv4Addr::BROADCAST));
        assert!(!is_directed_broadcast(Ipv4Addr::new(239, 255, 255, 255)));
        assert!(!is_directed_broadcast(Ipv4Addr::new(192, 168, 1, 0)));
        assert!(same_24(
            Ipv4Addr::new(192, 168, 1, 7),
            Ipv4Addr::new(192, 168, 1, 255)
        ));
        assert_eq!(
            net_24(Ipv4Addr::new(10, 1, 2, 3)),
            Ipv4Addr::new(10, 1, 2, 0)
        );
    }

    #[test]
    fn long_member_lists_are_cut() {
        let set: BTreeSet<Ipv4Addr> = (1..=10).map(|i| Ipv4Addr::new(10, 0, i, 255)).collect();
        let s = list(&set);
        assert!(s.starts_with("10.0.1.255, 10.0.2.255"));
        assert!(s.ends_with("10.0.8.255, and 2 more"), "{s}");
    }
}
