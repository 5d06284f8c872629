//! Floods, worms and backscatter: three cross-packet detectors that read TCP and UDP headers in
//! capture time.
//!
//! - [`Backscatter`]: a host answering (SYN/ACK, RST) requests this capture never saw, to many
//!   different hosts or ports: the echo of a flood sent elsewhere with forged sources, including
//!   the Blaster resets from 127.0.0.1:80 of seed 001.
//! - [`Fanout`]: one host trying many hosts on one port, mostly in vain, the way scanning worms
//!   spread (SQL Slammer on UDP 1434, Blaster and Sasser on 135/445, Code Red and Nimda on 80).
//! - [`SynFlood`]: many SYNs to one host and port in a short window of which few complete, with
//!   the number of distinct sources telling forged floods from one noisy client.
//!
//! This module owns its own request/answer bookkeeping and must never depend on the flow table,
//! keep packets, or grow without bound: every table has a cap, and a key that falls out of a full
//! table is judged on what it had before it goes. The price of the caps: while a table is full of
//! keys active within the window (a flood from a million forged sources fills the fan-out table
//! with one-packet keys), new keys are not watched until old ones fall idle.

use super::{Detection, Detector, Observed, MAX_EVIDENCE_PACKETS};
use crate::capture::Timestamp;
use crate::decode::Dissection;
use crate::explain::{Evidence, Finding};
use crate::field::{fmt_mac, Value};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::{BTreeSet, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;

pub const BACKSCATTER: &str = "backscatter.unsolicited";
pub const BACKSCATTER_LOOPBACK: &str = "backscatter.loopback";
pub const WORM_SLAMMER: &str = "worm.slammer";
pub const WORM_WINDOWS: &str = "worm.windows";
pub const WORM_WEB: &str = "worm.web";
pub const SYN_FLOOD: &str = "flood.syn";
pub const SYN_FLOOD_SPOOFED: &str = "flood.syn_spoofed";

/// Every registry id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[
    BACKSCATTER,
    BACKSCATTER_LOOPBACK,
    WORM_SLAMMER,
    WORM_WINDOWS,
    WORM_WEB,
    SYN_FLOOD,
    SYN_FLOOD_SPOOFED,
];

/// The detectors of this module at their default settings.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![Box::new(Floods {
        backscatter: Backscatter::new(BackscatterSettings::default()),
        fanout: Fanout::new(FanoutSettings::default()),
        synflood: SynFlood::new(SynFloodSettings::default()),
    })]
}

/// The three detectors run together, so a packet's transport segment is read once for all of
/// them. Each also works alone (its own `Detector`), as the tests use them.
struct Floods {
    backscatter: Backscatter,
    fanout: Fanout,
    synflood: SynFlood,
}

impl Detector for Floods {
    fn name(&self) -> &'static str {
        "floods"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        if let Some(s) = segment(p.d) {
            self.backscatter.see(p, s);
            self.fanout.see(p, s);
            self.synflood.see(p, s);
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        self.backscatter.finish(out);
        self.fanout.finish(out);
        self.synflood.finish(out);
    }
}

// TCP flag bits (RFC 9293 §3.1).
const SYN: u64 = 0x02;
const RST: u64 = 0x04;
const ACK: u64 = 0x10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

/// The outer transport segment of a packet, as far as these detectors care.
#[derive(Debug, Clone, Copy)]
struct Seg {
    src: IpAddr,
    dst: IpAddr,
    proto: Proto,
    sport: u16,
    dport: u16,
    /// TCP flags; 0 for UDP.
    flags: u64,
    /// Bytes of payload the header announces.
    payload: u64,
    mac: Option<[u8; 6]>,
    v6: bool,
}

impl Seg {
    fn has(&self, bits: u64) -> bool {
        self.flags & bits == bits
    }

    fn tcp_syn_only(&self) -> bool {
        self.proto == Proto::Tcp && self.has(SYN) && self.flags & (ACK | RST) == 0
    }

    fn tcp_synack(&self) -> bool {
        self.proto == Proto::Tcp && self.has(SYN | ACK) && self.flags & RST == 0
    }

    fn tcp_rst(&self) -> bool {
        self.proto == Proto::Tcp && self.has(RST)
    }
}

/// Reads the first transport header that is not quoted inside an ICMP error, with the IP header
/// right before it (the innermost one when tunnels nest).
fn segment(d: &Dissection) -> Option<Seg> {
    let mut addrs: Option<(IpAddr, IpAddr, bool)> = None;
    let mut mac = None;
    for l in d.layers.iter().filter(|l| !l.quoted) {
        match l.proto {
            "eth" if mac.is_none() => {
                if let Some(Value::Mac(m)) = l.get("eth.src") {
                    mac = Some(*m);
                }
            }
            "ip" => {
                if let (Some(Value::Ipv4(s)), Some(Value::Ipv4(t))) =
                    (l.get("ip.src"), l.get("ip.dst"))
                {
                    addrs = Some((IpAddr::V4(*s), IpAddr::V4(*t), false));
                }
            }
            "ipv6" => {
                if let (Some(Value::Ipv6(s)), Some(Value::Ipv6(t))) =
                    (l.get("ipv6.src"), l.get("ipv6.dst"))
                {
                    addrs = Some((IpAddr::V6(*s), IpAddr::V6(*t), true));
                }
            }
            "tcp" | "udp" => {
                let (src, dst, v6) = addrs?;
                let tcp = l.proto == "tcp";
                let (sp, dp) = if tcp {
                    ("tcp.srcport", "tcp.dstport")
                } else {
                    ("udp.srcport", "udp.dstport")
                };
                let sport = u16::try_from(l.u64(sp)?).ok()?;
                let dport = u16::try_from(l.u64(dp)?).ok()?;
                let (flags, payload) = if tcp {
                    (l.u64("tcp.flags")?, l.u64("tcp.len").unwrap_or(0))
                } else {
                    (0, l.u64("udp.length").unwrap_or(8).saturating_sub(8))
                };
                return Some(Seg {
                    src,
                    dst,
                    proto: if tcp { Proto::Tcp } else { Proto::Udp },
                    sport,
                    dport,
                    flags,
                    payload,
                    mac,
                    v6,
                });
            }
            _ => {}
        }
    }
    None
}

/// `10.0.0.1:80`, or `[2001:db8::1]:80` for IPv6.
fn endpoint(a: IpAddr, port: u16) -> String {
    match a {
        IpAddr::V4(v4) => format!("{v4}:{port}"),
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    }
}

/// Evidence from one packet: the listed fields (IPv4 or IPv6 names as the packet has them).
fn evidence(p: &Observed<'_>, s: &Seg, names: &[&str]) -> Vec<Evidence> {
    let mut f = Finding::new("");
    for name in names {
        let name = match (*name, s.v6) {
            ("ip.src", true) => "ipv6.src",
            ("ip.dst", true) => "ipv6.dst",
            (n, _) => n,
        };
        f = f.field(p.number, p.d, name);
    }
    f.evidence
}

fn port_field(proto: Proto, dst: bool) -> &'static str {
    match (proto, dst) {
        (Proto::Tcp, false) => "tcp.srcport",
        (Proto::Tcp, true) => "tcp.dstport",
        (Proto::Udp, false) => "udp.srcport",
        (Proto::Udp, true) => "udp.dstport",
    }
}

/// The most items that fall within any span of `window` seconds (times need not be sorted).
fn densest(times: &mut [f64], window: f64) -> usize {
    times.sort_by(f64::total_cmp);
    let mut best = 0;
    let mut lo = 0;
    for (hi, t) in times.iter().enumerate() {
        while times.get(lo).is_some_and(|l| t - l > window) {
            lo += 1;
        }
        best = best.max(hi + 1 - lo);
    }
    best
}

/// Joins at most `max` items for a parameter, saying how many more there were.
fn list<T: ToString>(items: impl IntoIterator<Item = T>, max: usize) -> String {
    let all: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    let shown: Vec<&str> = all.iter().take(max).map(String::as_str).collect();
    let mut s = shown.join(", ");
    if all.len() > max {
        s.push_str(&format!(" and {} more", all.len() - max));
    }
    s
}

/// A set that forgets its oldest members beyond `cap`: the memory of requests seen.
#[derive(Debug)]
struct RecentSet<T> {
    set: HashSet<T>,
    order: VecDeque<T>,
    cap: usize,
}

impl<T: Eq + Hash + Copy> RecentSet<T> {
    fn new(cap: usize) -> Self {
        RecentSet {
            set: HashSet::new(),
            order: VecDeque::new(),
            cap: cap.max(1),
        }
    }

    fn contains(&self, t: &T) -> bool {
        self.set.contains(t)
    }

    fn insert(&mut self, t: T) {
        if self.set.contains(&t) {
            return;
        }
        if self.set.len() >= self.cap {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.set.insert(t);
        self.order.push_back(t);
    }
}

/// Makes room for a new key in a full table: keys idle for longer than `window` are judged now
/// (their detection, if any, goes to `done`) and dropped. Sweeps at most every half window of
/// capture time so a hostile capture cannot make every packet pay for a full scan. Returns
/// whether there is room.
#[allow(clippy::too_many_arguments)]
fn make_room<K: Eq + Hash + Clone, S>(
    map: &mut HashMap<K, S>,
    cap: usize,
    now: f64,
    window: f64,
    last_sweep: &mut f64,
    idle_since: impl Fn(&S) -> f64,
    mut judge: impl FnMut(&K, S) -> Option<Detection>,
    done: &mut Vec<Detection>,
) -> bool {
    if map.len() < cap {
        return true;
    }
    if now - *last_sweep < window / 2.0 {
        return false;
    }
    *last_sweep = now;
    let stale: Vec<K> = map
        .iter()
        .filter(|(_, s)| now - idle_since(s) > window)
        .map(|(k, _)| k.clone())
        .collect();
    for k in stale {
        if let Some(s) = map.remove(&k) {
            if let Some(det) = judge(&k, s) {
                if done.len() < MAX_FINISHED {
                    done.push(det);
                }
            }
        }
    }
    map.len() < cap
}

/// Detections judged before the end of the capture that are kept for `finish`.
const MAX_FINISHED: usize = 10_000;

// ---------------------------------------------------------------------------------------------
// Backscatter

/// Settings of [`Backscatter`].
///
/// A host counts as sending backscatter when it answers, with a SYN/ACK or a reset, connections
/// this capture never saw being asked for, to at least `min_targets` distinct (host, port) pairs
/// within `window_secs`. Lower thresholds catch the few stray answers a network telescope sees
/// from each flood victim, but also flag a server whose conversations began before the capture
/// did (its first packets are then resets or retransmitted SYN/ACKs with no request on record).
/// Answers on a 4-tuple that later carries data, or that the other side keeps using with anything
/// but a reset, are dropped as conversations seen in mid-stream. A capture that holds only one
/// direction of a link (asymmetric routing, a one-way tap) makes every answering server look like
/// this; the registry text says so.
#[derive(Debug, Clone)]
pub struct BackscatterSettings {
    pub window_secs: f64,
    pub min_targets: usize,
    /// Request 4-tuples remembered (oldest forgotten first).
    pub max_requests: usize,
    /// Answering hosts tracked at once.
    pub max_responders: usize,
    /// Distinct targets remembered per answering host.
    pub max_targets: usize,
}

impl Default for BackscatterSettings {
    fn default() -> Self {
        BackscatterSettings {
            window_secs: 60.0,
            min_targets: 10,
            max_requests: 65_536,
            max_responders: 10_000,
            max_targets: 4_096,
        }
    }
}

#[derive(Debug)]
struct Answer {
    t: f64,
    ts: Timestamp,
    number: u64,
    /// False once the 4-tuple turned out to be an ordinary conversation.
    live: bool,
}

#[derive(Debug, Default)]
struct Responder {
    answers: Vec<Answer>,
    /// (target address, target port, our port) -> index in `answers`.
    index: HashMap<(IpAddr, u16, u16), usize>,
    synacks: u64,
    resets: u64,
    sports: BTreeSet<u16>,
    macs: Vec<[u8; 6]>,
    evidence: Vec<Evidence>,
    last_t: f64,
    last_ts: Timestamp,
}

/// Answers to requests never seen (see [`BackscatterSettings`]).
#[derive(Debug)]
pub struct Backscatter {
    s: BackscatterSettings,
    /// (client, client port, server, server port) of every TCP packet seen, as sent.
    requests: RecentSet<(IpAddr, u16, IpAddr, u16)>,
    responders: HashMap<IpAddr, Responder>,
    done: Vec<Detection>,
    last_sweep: f64,
}

impl Backscatter {
    pub fn new(s: BackscatterSettings) -> Backscatter {
        Backscatter {
            requests: RecentSet::new(s.max_requests),
            s,
            responders: HashMap::new(),
            done: Vec::new(),
            last_sweep: f64::NEG_INFINITY,
        }
    }

    fn judge(s: &BackscatterSettings, src: &IpAddr, r: Responder) -> Option<Detection> {
        let live: Vec<&Answer> = r.answers.iter().filter(|a| a.live).collect();
        let mut times: Vec<f64> = live.iter().map(|a| a.t).collect();
        let peak = densest(&mut times, s.window_secs);
        if peak < s.min_targets.max(1) {
            return None;
        }
        let hosts: HashSet<IpAddr> = r
            .index
            .iter()
            .filter(|(_, &i)| r.answers.get(i).is_some_and(|a| a.live))
            .map(|(k, _)| k.0)
            .collect();
        let ports: HashSet<u16> = r
            .index
            .iter()
            .filter(|(_, &i)| r.answers.get(i).is_some_and(|a| a.live))
            .map(|(k, _)| k.1)
            .collect();
        let kind = match (r.synacks, r.resets) {
            (0, _) => "resets",
            (_, 0) => "SYN/ACKs",
            _ => "SYN/ACKs and resets",
        };
        let id = if src.is_loopback() {
            BACKSCATTER_LOOPBACK
        } else {
            BACKSCATTER
        };
        let mut f = Finding::new(id)
            .param("src", src)
            .param("sports", list(&r.sports, 8))
            .param("targets", live.len())
            .param("hosts", hosts.len())
            .param("ports", ports.len())
            .param("kind", kind)
            .param("peak", peak)
            .param("window", s.window_secs)
            .param(
                "macs",
                if r.macs.is_empty() {
                    "(no link-layer address in this capture)".to_string()
                } else {
                    list(r.macs.iter().map(fmt_mac), 8)
                },
            );
        f.evidence = r.evidence;
        let mut packets: Vec<u64> = live.iter().map(|a| a.number).collect();
        packets.sort_unstable();
        packets.truncate(MAX_EVIDENCE_PACKETS);
        Some(Detection {
            finding: f,
            key: format!("backscatter:{src}"),
            packets,
            first: live.first().map(|a| a.ts).unwrap_or(r.last_ts),
            last: r.last_ts,
        })
    }
}

impl Detector for Backscatter {
    fn name(&self) -> &'static str {
        "backscatter"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        if let Some(s) = segment(p.d) {
            self.see(p, s);
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        out.append(&mut self.done);
        let mut keys: Vec<IpAddr> = self.responders.keys().copied().collect();
        keys.sort();
        for k in keys {
            if let Some(r) = self.responders.remove(&k) {
                out.extend(Backscatter::judge(&self.s, &k, r));
            }
        }
    }
}

impl Backscatter {
    fn see(&mut self, p: &Observed<'_>, s: Seg) {
        if s.proto != Proto::Tcp {
            return;
        }
        let t = p.t();
        // The other side keeps talking on a tuple we thought unsolicited: a conversation after all.
        if let Some(r) = self.responders.get_mut(&s.dst) {
            if let Some(&i) = r.index.get(&(s.src, s.sport, s.dport)) {
                if !s.tcp_rst() {
                    if let Some(a) = r.answers.get_mut(i) {
                        a.live = false;
                    }
                }
            }
        }
        let answer = s.tcp_synack() || s.tcp_rst();
        let asked = self.requests.contains(&(s.dst, s.dport, s.src, s.sport));
        self.requests.insert((s.src, s.sport, s.dst, s.dport));
        if let Some(r) = self.responders.get_mut(&s.src) {
            if let Some(&i) = r.index.get(&(s.dst, s.dport, s.sport)) {
                // More from us on a tuple already counted: data means a real conversation.
                if s.payload > 0 || !answer {
                    if let Some(a) = r.answers.get_mut(i) {
                        a.live = false;
                    }
                }
                return;
            }
        }
        if !answer || asked {
            return;
        }
        let settings = &self.s;
        if !self.responders.contains_key(&s.src)
            && !make_room(
                &mut self.responders,
                settings.max_responders,
                t,
                settings.window_secs,
                &mut self.last_sweep,
                |r| r.last_t,
                |k, r| Backscatter::judge(settings, k, r),
                &mut self.done,
            )
        {
            return;
        }
        let r = self.responders.entry(s.src).or_default();
        if r.answers.is_empty() {
            r.evidence = evidence(
                p,
                &s,
                &["ip.src", "tcp.srcport", "tcp.flags", "eth.src", "ip.dst"],
            );
        }
        r.last_t = t;
        r.last_ts = p.ts;
        if s.tcp_synack() {
            r.synacks = r.synacks.saturating_add(1);
        } else {
            r.resets = r.resets.saturating_add(1);
        }
        if r.sports.len() < 64 {
            r.sports.insert(s.sport);
        }
        if let Some(m) = s.mac {
            if r.macs.len() < 8 && !r.macs.contains(&m) {
                r.macs.push(m);
            }
        }
        if r.answers.len() < self.s.max_targets {
            r.index.insert((s.dst, s.dport, s.sport), r.answers.len());
            r.answers.push(Answer {
                t,
                ts: p.ts,
                number: p.number,
                live: true,
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Worm-like fan-out

/// Settings of [`Fanout`].
///
/// One source counts as fanning out when, on a single destination port, at least `min_hosts`
/// distinct unicast hosts it tried within `window_secs` never answered (no SYN/ACK for TCP, no
/// datagram back for UDP), and those failures are at least half of all the hosts it tried on that
/// port. Requiring failures is what separates a worm, which picks addresses at random and mostly
/// hits nothing, from a busy client, proxy or crawler, whose connections succeed. The price: a
/// worm loose in a dense network where most addresses answer goes unreported here (the port-scan
/// detectors may still see it), and so does one seen from a tap that misses the answers' path.
/// UDP ports in `udp_client_ports` are left out entirely because well-behaved clients fan out on
/// them: a resolver asks many name servers on 53 (and some never answer), NTP clients poll several
/// servers on 123, and Windows servers look up the NetBIOS names of their clients on 137.
#[derive(Debug, Clone)]
pub struct FanoutSettings {
    pub window_secs: f64,
    pub min_hosts: usize,
    pub udp_client_ports: Vec<u16>,
    /// UDP 4-tuples remembered to tell replies from new datagrams.
    pub max_requests: usize,
    /// (source, protocol, port) keys tracked at once.
    pub max_sources: usize,
    /// Distinct destinations remembered per key.
    pub max_hosts: usize,
}

impl Default for FanoutSettings {
    fn default() -> Self {
        FanoutSettings {
            window_secs: 60.0,
            min_hosts: 20,
            // 53 DNS (RFC 1035), 123 NTP (RFC 5905), 137 NetBIOS name service (RFC 1002).
            udp_client_ports: vec![53, 123, 137],
            max_requests: 65_536,
            max_sources: 10_000,
            max_hosts: 4_096,
        }
    }
}

#[derive(Debug)]
struct Try {
    t: f64,
    ts: Timestamp,
    number: u64,
    answered: bool,
    /// A TCP reset came back: the host exists but nothing listens on the port.
    refused: bool,
}

#[derive(Debug, Default)]
struct Sweep {
    tries: Vec<Try>,
    index: HashMap<IpAddr, usize>,
    attempts: u64,
    /// Payload size of the first attempt (Slammer's single datagram has a telltale size).
    first_payload: u64,
    evidence: Vec<Evidence>,
    last_t: f64,
    last_ts: Timestamp,
}

type SweepKey = (IpAddr, Proto, u16);

/// One host trying many hosts on one port, mostly unanswered (see [`FanoutSettings`]).
#[derive(Debug)]
pub struct Fanout {
    s: FanoutSettings,
    udp_seen: RecentSet<(IpAddr, u16, IpAddr, u16)>,
    sweeps: HashMap<SweepKey, Sweep>,
    done: Vec<Detection>,
    last_sweep: f64,
}

/// Destinations a worm would not pick as a unicast victim.
fn unicast(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v) => {
            !(v.is_multicast() || v.is_broadcast() || v.is_unspecified() || v.is_loopback())
        }
        IpAddr::V6(v) => !(v.is_multicast() || v.is_unspecified() || v.is_loopback()),
    }
}

impl Fanout {
    pub fn new(s: FanoutSettings) -> Fanout {
        Fanout {
            udp_seen: RecentSet::new(s.max_requests),
            s,
            sweeps: HashMap::new(),
            done: Vec::new(),
            last_sweep: f64::NEG_INFINITY,
        }
    }

    fn judge(s: &FanoutSettings, k: &SweepKey, w: Sweep) -> Option<Detection> {
        let (src, proto, port) = *k;
        let failed: Vec<&Try> = w.tries.iter().filter(|t| !t.answered).collect();
        if failed.len().saturating_mul(2) < w.tries.len() {
            return None;
        }
        let mut times: Vec<f64> = failed.iter().map(|t| t.t).collect();
        let peak = densest(&mut times, s.window_secs);
        if peak < s.min_hosts.max(1) {
            return None;
        }
        let id = match (proto, port) {
            // Ports of the worms the seeds and CERT name (seed 002 §1.1; CERT CA-2003-04,
            // CA-2003-20, CA-2001-19, CA-2001-26).
            (Proto::Udp, 1434) => WORM_SLAMMER,
            (Proto::Tcp, 135 | 139 | 445) => WORM_WINDOWS,
            (Proto::Tcp, 80) => WORM_WEB,
            // Any other port: one source failing on many hosts is what `scan.sweep` reports;
            // a worm finding only adds something where the worms of a port are known.
            _ => return None,
        };
        let mut f = Finding::new(id)
            .param("src", src)
            .param("proto", proto.name().to_ascii_uppercase())
            .param("port", port)
            .param("hosts", w.tries.len())
            .param("failed", failed.len())
            .param("answered", w.tries.len() - failed.len())
            .param("refused", failed.iter().filter(|t| t.refused).count())
            .param("attempts", w.attempts)
            .param("peak", peak)
            .param("window", s.window_secs)
            .param("bytes", w.first_payload);
        f.evidence = w.evidence;
        let mut packets: Vec<u64> = w.tries.iter().map(|t| t.number).collect();
        packets.sort_unstable();
        packets.truncate(MAX_EVIDENCE_PACKETS);
        Some(Detection {
            finding: f,
            key: format!("worm:{src}>{}/{port}", proto.name()),
            packets,
            first: w.tries.first().map(|t| t.ts).unwrap_or(w.last_ts),
            last: w.last_ts,
        })
    }
}

impl Detector for Fanout {
    fn name(&self) -> &'static str {
        "fanout"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        if let Some(s) = segment(p.d) {
            self.see(p, s);
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        out.append(&mut self.done);
        let mut keys: Vec<SweepKey> = self.sweeps.keys().copied().collect();
        keys.sort_by_key(|(a, p, port)| (*a, p.name(), *port));
        for k in keys {
            if let Some(w) = self.sweeps.remove(&k) {
                out.extend(Fanout::judge(&self.s, &k, w));
            }
        }
    }
}

impl Fanout {
    fn see(&mut self, p: &Observed<'_>, s: Seg) {
        let t = p.t();
        // An answer from a host some sweep tried: SYN/ACK for TCP, anything for UDP. A reset
        // is a refusal, which still leaves the attempt a failure.
        let answers = match s.proto {
            Proto::Tcp => s.tcp_synack(),
            Proto::Udp => true,
        };
        if answers || s.tcp_rst() {
            if let Some(w) = self.sweeps.get_mut(&(s.dst, s.proto, s.sport)) {
                if let Some(&i) = w.index.get(&s.src) {
                    if let Some(tr) = w.tries.get_mut(i) {
                        if answers {
                            tr.answered = true;
                        } else {
                            tr.refused = true;
                        }
                    }
                }
            }
        }
        let attempt = match s.proto {
            Proto::Tcp => s.tcp_syn_only(),
            Proto::Udp => {
                let reply = self.udp_seen.contains(&(s.dst, s.dport, s.src, s.sport));
                self.udp_seen.insert((s.src, s.sport, s.dst, s.dport));
                !reply && !self.s.udp_client_ports.contains(&s.dport)
            }
        };
        if !attempt || !unicast(s.dst) {
            return;
        }
        let key = (s.src, s.proto, s.dport);
        let settings = &self.s;
        if !self.sweeps.contains_key(&key)
            && !make_room(
                &mut self.sweeps,
                settings.max_sources,
                t,
                settings.window_secs,
                &mut self.last_sweep,
                |w| w.last_t,
                |k, w| Fanout::judge(settings, k, w),
                &mut self.done,
            )
        {
            return;
        }
        let w = self.sweeps.entry(key).or_default();
        if w.tries.is_empty() {
            w.first_payload = s.payload;
            w.evidence = evidence(
                p,
                &s,
                &["ip.src", port_field(s.proto, true), "ip.dst", "eth.src"],
            );
        }
        w.attempts = w.attempts.saturating_add(1);
        w.last_t = t;
        w.last_ts = p.ts;
        if !w.index.contains_key(&s.dst) && w.tries.len() < self.s.max_hosts {
            w.index.insert(s.dst, w.tries.len());
            w.tries.push(Try {
                t,
                ts: p.ts,
                number: p.number,
                answered: false,
                refused: false,
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SYN flood

/// Settings of [`SynFlood`].
///
/// A host and port count as SYN-flooded when at least `min_syns` SYNs reach them within
/// `window_secs`, and no more than `max_completed_share` of the connections they open ever see
/// the client's final ACK. Busy servers receive many SYNs too, but their clients finish the
/// handshake; a flood's forged or abandoned sources do not. With more than `spoofed_sources`
/// distinct sources the flood is reported as coming from forged (or very many) addresses. The
/// threshold is a rate: slower floods against a fragile service go unreported, and a capture
/// filtered to keep only SYNs, or one that misses the clients' direction, makes a busy server
/// look flooded; so does a service that is down while its clients keep retrying.
#[derive(Debug, Clone)]
pub struct SynFloodSettings {
    pub window_secs: f64,
    pub min_syns: usize,
    pub max_completed_share: f64,
    pub spoofed_sources: usize,
    /// (host, port) targets tracked at once.
    pub max_targets: usize,
    /// Client 4-tuples and distinct sources remembered per target.
    pub max_clients: usize,
}

impl Default for SynFloodSettings {
    fn default() -> Self {
        SynFloodSettings {
            window_secs: 5.0,
            min_syns: 100,
            max_completed_share: 0.25,
            spoofed_sources: 50,
            max_targets: 10_000,
            max_clients: 4_096,
        }
    }
}

/// SYN times kept for the sliding window, at most (so the reported peak saturates there).
const MAX_WINDOW_SYNS: usize = 10_000;

#[derive(Debug, Default)]
struct Target {
    recent: VecDeque<f64>,
    peak: usize,
    syns: u64,
    /// Client (address, port) -> completed.
    clients: HashMap<(IpAddr, u16), bool>,
    completed: usize,
    sources: HashSet<IpAddr>,
    sources_capped: bool,
    /// The first few sources in order of arrival, to name in the text.
    first_sources: Vec<IpAddr>,
    packets: Vec<u64>,
    evidence: Vec<Evidence>,
    first_ts: Timestamp,
    last_t: f64,
    last_ts: Timestamp,
}

/// Many SYNs to one host and port, few completed (see [`SynFloodSettings`]).
#[derive(Debug)]
pub struct SynFlood {
    s: SynFloodSettings,
    targets: HashMap<(IpAddr, u16), Target>,
    done: Vec<Detection>,
    last_sweep: f64,
}

impl SynFlood {
    pub fn new(s: SynFloodSettings) -> SynFlood {
        SynFlood {
            s,
            targets: HashMap::new(),
            done: Vec::new(),
            last_sweep: f64::NEG_INFINITY,
        }
    }

    fn judge(s: &SynFloodSettings, k: &(IpAddr, u16), g: Target) -> Option<Detection> {
        if g.peak < s.min_syns.max(1) {
            return None;
        }
        let tracked = g.clients.len().max(1);
        if g.completed as f64 > s.max_completed_share * tracked as f64 {
            return None;
        }
        let spoofed = g.sources.len() > s.spoofed_sources;
        let id = if spoofed {
            SYN_FLOOD_SPOOFED
        } else {
            SYN_FLOOD
        };
        let sources = if g.sources_capped {
            format!("at least {}", g.sources.len())
        } else {
            g.sources.len().to_string()
        };
        let mut f = Finding::new(id)
            .param("dst", endpoint(k.0, k.1))
            .param("syns", g.syns)
            .param("peak", g.peak)
            .param("window", s.window_secs)
            .param("sources", sources)
            .param("some_sources", list(&g.first_sources, 5))
            .param("clients", g.clients.len())
            .param("completed", g.completed);
        f.evidence = g.evidence;
        Some(Detection {
            finding: f,
            key: format!("flood.syn:{}", endpoint(k.0, k.1)),
            packets: g.packets,
            first: g.first_ts,
            last: g.last_ts,
        })
    }
}

impl Detector for SynFlood {
    fn name(&self) -> &'static str {
        "synflood"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        if let Some(s) = segment(p.d) {
            self.see(p, s);
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        out.append(&mut self.done);
        let mut keys: Vec<(IpAddr, u16)> = self.targets.keys().copied().collect();
        keys.sort();
        for k in keys {
            if let Some(g) = self.targets.remove(&k) {
                out.extend(SynFlood::judge(&self.s, &k, g));
            }
        }
    }
}

impl SynFlood {
    fn see(&mut self, p: &Observed<'_>, s: Seg) {
        if s.proto != Proto::Tcp {
            return;
        }
        let t = p.t();
        if !s.tcp_syn_only() {
            // The client's ACK that ends the handshake (or any later ACK on the connection) shows
            // a real client at that address; forged sources never send one.
            if s.has(ACK) && s.flags & (SYN | RST) == 0 {
                if let Some(g) = self.targets.get_mut(&(s.dst, s.dport)) {
                    if let Some(done) = g.clients.get_mut(&(s.src, s.sport)) {
                        if !*done {
                            *done = true;
                            g.completed = g.completed.saturating_add(1);
                        }
                    }
                }
            }
            return;
        }
        let key = (s.dst, s.dport);
        let settings = &self.s;
        if !self.targets.contains_key(&key)
            && !make_room(
                &mut self.targets,
                settings.max_targets,
                t,
                settings.window_secs,
                &mut self.last_sweep,
                |g| g.last_t,
                |k, g| SynFlood::judge(settings, k, g),
                &mut self.done,
            )
        {
            return;
        }
        let max_clients = self.s.max_clients;
        let window = self.s.window_secs;
        let g = self.targets.entry(key).or_default();
        if g.syns == 0 {
            g.first_ts = p.ts;
            g.evidence = evidence(p, &s, &["ip.dst", "tcp.dstport", "tcp.flags", "ip.src"]);
        }
        g.syns = g.syns.saturating_add(1);
        g.last_t = t;
        g.last_ts = p.ts;
        g.recent.push_back(t);
        while g.recent.front().is_some_and(|&f| t - f > window) || g.recent.len() > MAX_WINDOW_SYNS
        {
            g.recent.pop_front();
        }
        g.peak = g.peak.max(g.recent.len());
        if g.clients.len() < max_clients {
            g.clients.entry((s.src, s.sport)).or_insert(false);
        }
        if g.sources.len() < max_clients {
            if g.sources.insert(s.src) && g.first_sources.len() < 5 {
                g.first_sources.push(s.src);
            }
        } else if !g.sources.contains(&s.src) {
            g.sources_capped = true;
        }
        if g.packets.len() < MAX_EVIDENCE_PACKETS {
            g.packets.push(p.number);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn densest_counts_items_within_any_window() {
        let mut t = vec![5.0, 0.0, 1.0, 2.0, 10.0, 10.5, 11.0, 11.9];
        assert_eq!(densest(&mut t, 2.0), 4);
        assert_eq!(densest(&mut [], 2.0), 0);
    }

    #[test]
    fn recent_set_forgets_the_oldest() {
        let mut r = RecentSet::new(2);
        r.insert(1);
        r.insert(2);
        r.insert(2);
        r.insert(3);
        assert!(!r.contains(&1));
        assert!(r.contains(&2) && r.contains(&3));
    }

    /// Ethernet + IPv4 + TCP, 54 bytes, checksums left zero (the detectors do not read them).
    fn tcp4(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, flags: u8) -> Vec<u8> {
        let mut f = vec![
            0x02, 0, 0, 0, 0, 0x01, // eth.dst
            0x02, 0, 0, 0, 0, 0x02, // eth.src
            0x08, 0x00, // eth.type IPv4
            0x45, 0x00, 0x00, 0x28, // version 4, IHL 5, DSCP 0, total length 40
            0x00, 0x01, 0x00, 0x00, // id 1, no flags, offset 0
            0x40, 0x06, 0x00, 0x00, // TTL 64, protocol TCP, checksum 0
        ];
        f.extend_from_slice(&src); // ip.src
        f.extend_from_slice(&dst); // ip.dst
        f.extend_from_slice(&sport.to_be_bytes()); // tcp.srcport
        f.extend_from_slice(&dport.to_be_bytes()); // tcp.dstport
        f.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0]); // seq 1, ack 0
        f.extend_from_slice(&[0x50, flags, 0x20, 0x00]); // header 20 bytes, flags, window 8192
        f.extend_from_slice(&[0, 0, 0, 0]); // checksum 0, urgent pointer 0
        f
    }

    fn feed(det: &mut dyn Detector, n: u64, t: f64, frame: &[u8]) {
        let d = crate::decode::decode(frame, crate::decode::linktype::ETHERNET);
        let ts = Timestamp {
            secs: t.floor() as i64,
            nanos: ((t - t.floor()) * 1e9) as u32,
        };
        det.observe(&Observed {
            number: n,
            ts,
            d: &d,
        });
    }

    fn ip(n: u32) -> [u8; 4] {
        (0x0b00_0000 + n).to_be_bytes()
    }

    #[test]
    fn sample_frame_decodes_to_a_segment() {
        let f = tcp4([10, 0, 0, 1], [10, 0, 0, 2], 1234, 80, 0x02);
        let d = crate::decode::decode(&f, crate::decode::linktype::ETHERNET);
        let s = segment(&d).unwrap();
        assert_eq!((s.sport, s.dport, s.flags, s.payload), (1234, 80, 0x02, 0));
        assert!(s.tcp_syn_only());
        assert_eq!(s.mac, Some([2, 0, 0, 0, 0, 2]));
    }

    #[test]
    fn every_prefix_of_a_frame_is_observed_without_panic() {
        let f = tcp4([127, 0, 0, 1], [10, 0, 0, 2], 80, 1234, 0x14);
        let mut dets = detectors();
        for cut in 0..=f.len() {
            for det in dets.iter_mut() {
                feed(det.as_mut(), cut as u64 + 1, 1.0, &f[..cut]);
            }
        }
        let mut out = Vec::new();
        for det in dets.iter_mut() {
            det.finish(&mut out);
        }
        assert!(out.is_empty());
    }

    #[test]
    fn hostile_spread_stays_within_the_caps() {
        let mut b = Backscatter::new(BackscatterSettings {
            max_requests: 100,
            max_responders: 50,
            max_targets: 20,
            ..Default::default()
        });
        // 5,000 SYN/ACKs from 5,000 forged responders, then 500 from one to 500 targets.
        for i in 0..5_000u32 {
            feed(
                &mut b,
                u64::from(i),
                10.0,
                &tcp4(ip(i), [10, 0, 0, 2], 80, 1000, 0x12),
            );
        }
        for i in 0..500u32 {
            feed(
                &mut b,
                9_000,
                11.0,
                &tcp4([10, 9, 9, 9], ip(i), 80, 2000, 0x12),
            );
        }
        assert!(b.responders.len() <= 50);
        assert!(b.requests.set.len() <= 100 && b.requests.order.len() <= 100);
        assert!(b.responders.values().all(|r| r.answers.len() <= 20));

        let mut s = SynFlood::new(SynFloodSettings {
            max_targets: 50,
            max_clients: 30,
            ..Default::default()
        });
        for i in 0..20_000u32 {
            let port = (i % 60_000) as u16;
            feed(&mut s, 1, 10.0, &tcp4(ip(i), ip(i % 997), port, 80, 0x02));
        }
        assert!(s.targets.len() <= 50);
        assert!(s
            .targets
            .values()
            .all(|g| g.clients.len() <= 30 && g.sources.len() <= 30));
        assert!(s
            .targets
            .values()
            .all(|g| g.recent.len() <= MAX_WINDOW_SYNS));
    }

    #[test]
    fn a_flood_pushed_out_of_a_full_table_is_still_reported() {
        let mut s = SynFlood::new(SynFloodSettings {
            max_targets: 1,
            ..Default::default()
        });
        for i in 0..150u32 {
            let f = tcp4(ip(i), [10, 0, 0, 80], 1024 + i as u16, 80, 0x02);
            feed(&mut s, u64::from(i) + 1, 100.0 + f64::from(i) / 100.0, &f);
        }
        // Long after the window, a SYN to another server needs the only slot.
        feed(
            &mut s,
            500,
            200.0,
            &tcp4([10, 0, 0, 5], [10, 0, 0, 81], 999, 22, 0x02),
        );
        assert!(s.targets.contains_key(&(IpAddr::from([10, 0, 0, 81]), 22)));
        let mut out = Vec::new();
        s.finish(&mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].key, "flood.syn:10.0.0.80:80");
        assert_eq!(out[0].finding.id, SYN_FLOOD_SPOOFED);
    }

    #[test]
    fn ipv6_endpoints_are_bracketed() {
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(endpoint(a, 80), "[2001:db8::1]:80");
        assert_eq!(endpoint(IpAddr::from([10, 0, 0, 1]), 80), "10.0.0.1:80");
    }

    #[test]
    fn list_says_how_many_more() {
        assert_eq!(list([1, 2, 3], 2), "1, 2 and 1 more");
        assert_eq!(list([80], 2), "80");
    }
}
