//! DNS across packets: bursts of error answers (NXDOMAIN and the other failures) to one client,
//! answers that came from a server the client did not ask or that match no question at all,
//! zone transfer (AXFR) requests, and CHAOS-class probes for the server's software version.
//!
//! Only plain DNS on port 53 (the `dns` layer) is read: mDNS and LLMNR answer by multicast and
//! by design come from whoever knows. It must never hold packets or grow without bound: the
//! table of open questions and every per-client table are capped, and when full they stop taking
//! new keys instead of growing. Times are capture times.

use super::arp::{push_evidence, Recent};
use super::{Detection, Detector, Observed};
use crate::capture::Timestamp;
use crate::decode::{Dissection, Layer};
use crate::explain::Finding;
use crate::field::Value;
use foldhash::{HashMap, HashMapExt};
use std::collections::{BTreeSet, VecDeque};
use std::net::IpAddr;

/// Many NXDOMAIN answers to one client in a short time.
pub const NXDOMAIN_BURST: &str = "dns.nxdomain_burst";
/// Many other error answers (SERVFAIL, REFUSED, ...) to one client in a short time.
pub const ERROR_BURST: &str = "dns.error_burst";
/// An answer from a server the client did not send that question to.
pub const WRONG_SERVER: &str = "dns.answer_wrong_server";
/// Answers that match no question the client was seen asking.
pub const UNSOLICITED: &str = "dns.answer_unsolicited";
/// A request for a whole zone (AXFR).
pub const ZONE_TRANSFER: &str = "dns.zone_transfer";
/// A CHAOS-class query for the server's name or version (version.bind and friends).
pub const VERSION_PROBE: &str = "dns.version_probe";

/// Every registry id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[
    NXDOMAIN_BURST,
    ERROR_BURST,
    WRONG_SERVER,
    UNSOLICITED,
    ZONE_TRANSFER,
    VERSION_PROBE,
];

/// The detectors of this module at their default settings.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(DnsErrors::new(DnsSettings::default())),
        Box::new(DnsAnswers::new(DnsSettings::default())),
        Box::new(DnsProbes::new(DnsSettings::default())),
    ]
}

/// Settings of the DNS detectors.
///
/// Error bursts: `error_threshold` error answers of one kind to one client within `error_window`
/// seconds. A stub resolver walking its search list gets three or four NXDOMAINs for one mistyped
/// name, and a browser's prefetching a few more, so 20 in a minute is well past ordinary; a
/// domain-generation algorithm, a subdomain brute force or a reverse-lookup sweep produces
/// hundreds. A busy resolver that forwards for a whole site is a client too and can cross the
/// threshold on an ordinary day: raise it where the capture point sits behind such a resolver.
///
/// Answers: a UDP question is remembered by (client, client port, transaction id) with the
/// servers it was sent to. An answer for a remembered question from a server that was not asked
/// is reported at once (`dns.answer_wrong_server`): it is what a blind spoofing attempt or a
/// multi-homed server answering from its other address looks like. An answer that matches no
/// remembered question is only judged for a client already seen asking and once the capture has
/// run for `answer_timeout` seconds (so the question cannot predate the capture), and reported
/// when `unsolicited_threshold` of them reach one client within `error_window`: a capture that
/// drops a packet now and then loses the odd question, and a race to poison a cache sends many.
#[derive(Debug, Clone, PartialEq)]
pub struct DnsSettings {
    pub error_window: f64,
    pub error_threshold: usize,
    pub answer_timeout: f64,
    pub unsolicited_threshold: usize,
    /// Most clients, questions or client-server pairs tracked at once.
    pub max_keys: usize,
    /// Most names or events kept for one key.
    pub max_set: usize,
}

impl Default for DnsSettings {
    fn default() -> Self {
        DnsSettings {
            error_window: 60.0,
            error_threshold: 20,
            answer_timeout: 10.0,
            unsolicited_threshold: 3,
            max_keys: 10_000,
            max_set: 2048,
        }
    }
}

/// The decoded DNS message of a packet with its addresses and ports.
struct Msg<'a> {
    l: &'a Layer,
    src: IpAddr,
    dst: IpAddr,
    sport: u16,
    dport: u16,
    udp: bool,
    response: bool,
    id: u64,
}

fn msg(d: &Dissection) -> Option<Msg<'_>> {
    let l = d.layer("dns")?;
    let (src, dst) = match (d.layer("ip"), d.layer("ipv6")) {
        (Some(ip), _) => match (ip.get("ip.src"), ip.get("ip.dst")) {
            (Some(Value::Ipv4(s)), Some(Value::Ipv4(t))) => (IpAddr::V4(*s), IpAddr::V4(*t)),
            _ => return None,
        },
        (None, Some(ip)) => match (ip.get("ipv6.src"), ip.get("ipv6.dst")) {
            (Some(Value::Ipv6(s)), Some(Value::Ipv6(t))) => (IpAddr::V6(*s), IpAddr::V6(*t)),
            _ => return None,
        },
        _ => return None,
    };
    let (udp, sport, dport) = if let Some(u) = d.layer("udp") {
        (true, u.u64("udp.srcport")?, u.u64("udp.dstport")?)
    } else {
        let t = d.layer("tcp")?;
        (false, t.u64("tcp.srcport")?, t.u64("tcp.dstport")?)
    };
    Some(Msg {
        l,
        src,
        dst,
        sport: u16::try_from(sport).ok()?,
        dport: u16::try_from(dport).ok()?,
        udp,
        response: l.get("dns.flags.response") == Some(&Value::Bool(true)),
        id: l.u64("dns.id")?,
    })
}

fn qname(l: &Layer) -> String {
    l.get("dns.qry.name")
        .map(|v| v.to_string())
        .unwrap_or_else(|| "(no question)".into())
}

/// Response codes by name, RFC 1035 §4.1.1 and the IANA "DNS RCODEs" registry.
fn rcode_name(r: u64) -> &'static str {
    match r {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        _ => "an unassigned code",
    }
}

/// Error answers of one kind to one client.
#[derive(Debug)]
struct Burst {
    recent: Recent<u64>,
    /// Answers since the burst started (all answers once flagged).
    total: u64,
    peak: usize,
    names: BTreeSet<String>,
    flagged: bool,
    seq: u64,
    packets: Vec<u64>,
    pending: Vec<(Timestamp, u64)>,
    first: Timestamp,
    last: Timestamp,
    evidence: Option<Finding>,
    server: IpAddr,
}

/// Bursts of NXDOMAIN and of other error answers, per client.
pub struct DnsErrors {
    s: DnsSettings,
    bursts: HashMap<(IpAddr, u64), Burst>,
}

impl DnsErrors {
    pub fn new(s: DnsSettings) -> Self {
        DnsErrors {
            s,
            bursts: HashMap::new(),
        }
    }
}

impl Detector for DnsErrors {
    fn name(&self) -> &'static str {
        "dns-errors"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        let Some(m) = msg(p.d) else { return };
        if !m.response {
            return;
        }
        let Some(rcode) = m.l.u64("dns.flags.rcode") else {
            return;
        };
        if rcode == 0 {
            return;
        }
        let key = (m.dst, rcode);
        if !self.bursts.contains_key(&key) && self.bursts.len() >= self.s.max_keys {
            return;
        }
        let cap = self.s.max_set;
        let b = self.bursts.entry(key).or_insert_with(|| Burst {
            recent: Recent::new(cap),
            total: 0,
            peak: 0,
            names: BTreeSet::new(),
            flagged: false,
            seq: 0,
            packets: Vec::new(),
            pending: Vec::new(),
            first: p.ts,
            last: p.ts,
            evidence: None,
            server: m.src,
        });
        let t = p.t();
        // Each answer is its own event: the window counts answers, not distinct values.
        b.seq = b.seq.wrapping_add(1);
        b.recent.add(t, b.seq, self.s.error_window);
        b.peak = b.peak.max(b.recent.events());
        if b.names.len() < cap {
            b.names.insert(qname(m.l));
        }
        if b.flagged {
            b.total = b.total.saturating_add(1);
            push_evidence(&mut b.packets, p.number);
            b.last = p.ts;
            return;
        }
        // Until the threshold is crossed, remember only the answers still inside the window.
        let window = self.s.error_window;
        b.pending.retain(|(ts, _)| t - ts.as_f64_secs() <= window);
        if b.pending.len() >= cap {
            b.pending.remove(0);
        }
        b.pending.push((p.ts, p.number));
        if b.recent.events() >= self.s.error_threshold {
            b.flagged = true;
            b.total = b.recent.events() as u64;
            b.first = b.pending.first().map_or(p.ts, |(ts, _)| *ts);
            b.last = p.ts;
            // The names before the burst may include older answers; keep those of the window.
            for (_, n) in b.pending.drain(..) {
                push_evidence(&mut b.packets, n);
            }
            b.evidence = Some(
                Finding::new(if rcode == 3 {
                    NXDOMAIN_BURST
                } else {
                    ERROR_BURST
                })
                .field(p.number, p.d, "dns.flags.rcode")
                .field(p.number, p.d, "dns.qry.name"),
            );
        }
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let mut bursts: Vec<_> = self.bursts.iter().filter(|(_, b)| b.flagged).collect();
        bursts.sort_by_key(|(k, _)| **k);
        for ((client, rcode), b) in bursts {
            let Some(ev) = &b.evidence else { continue };
            let examples: Vec<&str> = b.names.iter().take(5).map(String::as_str).collect();
            let finding = Finding {
                id: ev.id,
                params: vec![
                    ("client", client.to_string()),
                    ("server", b.server.to_string()),
                    ("rcode", rcode_name(*rcode).to_string()),
                    ("count", b.total.to_string()),
                    ("peak", b.peak.to_string()),
                    ("window", self.s.error_window.to_string()),
                    ("names", b.names.len().to_string()),
                    ("examples", examples.join(", ")),
                ],
                evidence: ev.evidence.clone(),
                texts: true,
            };
            out.push(Detection {
                finding,
                key: format!("{}:{client}:{}", ev.id, rcode_name(*rcode)),
                packets: b.packets.clone(),
                first: b.first,
                last: b.last,
            });
        }
    }
}

/// A question waiting for its answer.
#[derive(Debug)]
struct Question {
    t: f64,
    servers: Vec<IpAddr>,
}

/// Answers from an unexpected place, per client and answering server.
#[derive(Debug)]
struct Odd {
    count: u64,
    packets: Vec<u64>,
    first: Timestamp,
    last: Timestamp,
    evidence: Finding,
    asked: String,
    name: String,
}

/// A client's answers that matched no question, before they cross the threshold.
#[derive(Debug)]
struct Unmatched {
    recent: Recent<u64>,
    seq: u64,
    /// The answers still in the window, so the detection can list them from the first.
    pending: VecDeque<(f64, Odd)>,
}

/// Answers from servers that were not asked, and answers to no question.
pub struct DnsAnswers {
    s: DnsSettings,
    start: Option<f64>,
    questions: HashMap<(IpAddr, u16, u64), Question>,
    /// Clients seen asking over UDP, with the time of their first question.
    clients: HashMap<IpAddr, f64>,
    wrong: HashMap<(IpAddr, IpAddr), Odd>,
    /// Unmatched answers per client, counted in a window until the threshold.
    unmatched: HashMap<IpAddr, Unmatched>,
    unsolicited: HashMap<IpAddr, Odd>,
}

impl DnsAnswers {
    pub fn new(s: DnsSettings) -> Self {
        DnsAnswers {
            s,
            start: None,
            questions: HashMap::new(),
            clients: HashMap::new(),
            wrong: HashMap::new(),
            unmatched: HashMap::new(),
            unsolicited: HashMap::new(),
        }
    }

    fn ask(&mut self, t: f64, m: &Msg<'_>) {
        if !self.clients.contains_key(&m.src) && self.clients.len() < self.s.max_keys {
            self.clients.insert(m.src, t);
        }
        let key = (m.src, m.sport, m.id);
        if !self.questions.contains_key(&key) && self.questions.len() >= self.s.max_keys {
            // Full: forget the questions whose answers are long overdue, and give up on this
            // one if that frees nothing (its answer will then simply not be judged).
            let horizon = self.s.answer_timeout * 6.0;
            self.questions.retain(|_, q| t - q.t <= horizon);
            if self.questions.len() >= self.s.max_keys {
                return;
            }
        }
        let q = self.questions.entry(key).or_insert(Question {
            t,
            servers: Vec::new(),
        });
        q.t = t;
        if !q.servers.contains(&m.dst) && q.servers.len() < 8 {
            q.servers.push(m.dst);
        }
    }
}

impl Detector for DnsAnswers {
    fn name(&self) -> &'static str {
        "dns-answers"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        let t = p.t();
        let start = *self.start.get_or_insert(t);
        let Some(m) = msg(p.d) else { return };
        // Over TCP the connection itself ties the answer to the question.
        if !m.udp {
            return;
        }
        if !m.response {
            self.ask(t, &m);
            return;
        }
        // A message that does not even decode is more likely other traffic on port 53 than a
        // forged answer, which has to look right to be believed.
        if m.l.error.is_some() {
            return;
        }
        let (client, server) = (m.dst, m.src);
        let asked = self
            .questions
            .get(&(client, m.dport, m.id))
            .map(|q| q.servers.clone());
        let (id, key, asked) = match asked {
            Some(servers) if servers.contains(&server) => return,
            Some(servers) => {
                let list: Vec<String> = servers.iter().map(IpAddr::to_string).collect();
                (WRONG_SERVER, (client, server), list.join(", "))
            }
            None => {
                let Some(&since) = self.clients.get(&client) else {
                    return;
                };
                if since > t || t - start < self.s.answer_timeout {
                    return;
                }
                (UNSOLICITED, (client, server), String::new())
            }
        };
        let new_odd = |p: &Observed<'_>| Odd {
            count: 0,
            packets: Vec::new(),
            first: p.ts,
            last: p.ts,
            evidence: Finding::new(id)
                .field(p.number, p.d, "ip.src")
                .field(p.number, p.d, "dns.id")
                .field(p.number, p.d, "dns.qry.name"),
            asked: asked.clone(),
            name: qname(m.l),
        };
        let max = self.s.max_keys;
        let odd = if id == WRONG_SERVER {
            if !self.wrong.contains_key(&key) && self.wrong.len() >= max {
                return;
            }
            self.wrong.entry(key).or_insert_with(|| new_odd(p))
        } else {
            if !self.unsolicited.contains_key(&client) {
                let cap = self.s.max_set;
                if !self.unmatched.contains_key(&client) && self.unmatched.len() >= max {
                    return;
                }
                let window = self.s.error_window;
                let u = self.unmatched.entry(client).or_insert_with(|| Unmatched {
                    recent: Recent::new(cap),
                    seq: 0,
                    pending: VecDeque::new(),
                });
                u.seq = u.seq.wrapping_add(1);
                u.recent.add(t, u.seq, window);
                while u.pending.front().is_some_and(|(t0, _)| t - *t0 > window) {
                    u.pending.pop_front();
                }
                if u.pending.len() >= cap {
                    u.pending.pop_front();
                }
                let mut one = new_odd(p);
                one.count = 1;
                one.packets.push(p.number);
                u.pending.push_back((t, one));
                if u.recent.events() < self.s.unsolicited_threshold || self.unsolicited.len() >= max
                {
                    return;
                }
                // Crossing the threshold: the first answer in the window carries the
                // evidence, and all of them are counted and listed.
                let mut pending = std::mem::take(&mut u.pending).into_iter().map(|(_, o)| o);
                let Some(mut first) = pending.next() else {
                    return;
                };
                for o in pending {
                    first.count = first.count.saturating_add(1);
                    if let Some(&n) = o.packets.first() {
                        push_evidence(&mut first.packets, n);
                    }
                    first.last = o.last;
                }
                self.unmatched.remove(&client);
                self.unsolicited.insert(client, first);
                return;
            }
            match self.unsolicited.get_mut(&client) {
                Some(o) => o,
                None => return,
            }
        };
        odd.count = odd.count.saturating_add(1);
        push_evidence(&mut odd.packets, p.number);
        odd.last = p.ts;
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let mut wrong: Vec<_> = self.wrong.iter().collect();
        wrong.sort_by_key(|(k, _)| **k);
        for ((client, server), o) in wrong {
            out.push(Detection {
                finding: Finding {
                    params: vec![
                        ("client", client.to_string()),
                        ("server", server.to_string()),
                        ("asked", o.asked.clone()),
                        ("name", o.name.clone()),
                        ("count", o.count.to_string()),
                    ],
                    ..o.evidence.clone()
                },
                key: format!("{WRONG_SERVER}:{server}>{client}"),
                packets: o.packets.clone(),
                first: o.first,
                last: o.last,
            });
        }
        let mut unsolicited: Vec<_> = self.unsolicited.iter().collect();
        unsolicited.sort_by_key(|(k, _)| **k);
        for (client, o) in unsolicited {
            let count = o.count;
            out.push(Detection {
                finding: Finding {
                    params: vec![
                        ("client", client.to_string()),
                        ("count", count.to_string()),
                        ("name", o.name.clone()),
                        ("window", self.s.error_window.to_string()),
                    ],
                    ..o.evidence.clone()
                },
                key: format!("{UNSOLICITED}:{client}"),
                packets: o.packets.clone(),
                first: o.first,
                last: o.last,
            });
        }
    }
}

/// A client's requests of one kind to one server.
#[derive(Debug)]
struct Probe {
    id: &'static str,
    count: u64,
    names: BTreeSet<String>,
    packets: Vec<u64>,
    first: Timestamp,
    last: Timestamp,
    evidence: Finding,
    /// Transaction ids asked, to find the server's answer.
    ids: Vec<u64>,
    outcome: Option<String>,
}

/// Zone transfer requests and version probes, per client and server.
pub struct DnsProbes {
    s: DnsSettings,
    probes: HashMap<(&'static str, IpAddr, IpAddr), Probe>,
}

impl DnsProbes {
    pub fn new(s: DnsSettings) -> Self {
        DnsProbes {
            s,
            probes: HashMap::new(),
        }
    }
}

/// Names a server answers in class CHAOS to say who and what it is (RFC 4892 §2 and BIND's
/// documentation of its built-in CHAOS zone).
const CHAOS_NAMES: &[&str] = &[
    "version.bind",
    "version.server",
    "hostname.bind",
    "id.server",
    "authors.bind",
];

impl Detector for DnsProbes {
    fn name(&self) -> &'static str {
        "dns-probes"
    }

    fn observe(&mut self, p: &Observed<'_>) {
        let Some(m) = msg(p.d) else { return };
        if m.response {
            // The server's answer tells whether the probe worked.
            for id in [ZONE_TRANSFER, VERSION_PROBE] {
                let Some(pr) = self.probes.get_mut(&(id, m.dst, m.src)) else {
                    continue;
                };
                if !pr.ids.contains(&m.id) {
                    continue;
                }
                let rcode = m.l.u64("dns.flags.rcode").unwrap_or(0);
                let answers = m.l.u64("dns.count.answers").unwrap_or(0);
                let said = if rcode != 0 {
                    format!("The server answered {}.", rcode_name(rcode))
                } else if answers > 0 {
                    format!(
                        "The server answered with {answers} record{} in its first message: it \
                         gave the information out.",
                        if answers == 1 { "" } else { "s" }
                    )
                } else {
                    "The server answered without records.".to_string()
                };
                // The most telling outcome wins: an answer with records over a refusal.
                if pr.outcome.is_none() || (rcode == 0 && answers > 0) {
                    pr.outcome = Some(said);
                }
                push_evidence(&mut pr.packets, p.number);
                pr.last = p.ts;
            }
            return;
        }
        let qtype = m.l.u64("dns.qry.type");
        let qclass = m.l.u64("dns.qry.class");
        let name = qname(m.l);
        // AXFR is query type 252 (RFC 5936 §2.1.1); CHAOS is class 3 (RFC 1035 §3.2.4).
        let id = if qtype == Some(252) {
            ZONE_TRANSFER
        } else if qclass == Some(3)
            && CHAOS_NAMES
                .iter()
                .any(|n| name.trim_end_matches('.').eq_ignore_ascii_case(n))
        {
            VERSION_PROBE
        } else {
            return;
        };
        let key = (id, m.src, m.dst);
        if !self.probes.contains_key(&key) && self.probes.len() >= self.s.max_keys {
            return;
        }
        let transport = if m.udp { "UDP" } else { "TCP" };
        let pr = self.probes.entry(key).or_insert_with(|| Probe {
            id,
            count: 0,
            names: BTreeSet::new(),
            packets: Vec::new(),
            first: p.ts,
            last: p.ts,
            evidence: Finding::new(id)
                .param("transport", transport)
                .param("port", m.dport)
                .field(p.number, p.d, "dns.qry.name")
                .field(p.number, p.d, "dns.qry.type")
                .field(p.number, p.d, "dns.qry.class"),
            ids: Vec::new(),
            outcome: None,
        });
        pr.count = pr.count.saturating_add(1);
        if pr.names.len() < 16 {
            pr.names.insert(name.trim_end_matches('.').to_string());
        }
        if pr.ids.len() < 64 && !pr.ids.contains(&m.id) {
            pr.ids.push(m.id);
        }
        push_evidence(&mut pr.packets, p.number);
        pr.last = p.ts;
    }

    fn finish(&mut self, out: &mut Vec<Detection>) {
        let mut probes: Vec<_> = self.probes.iter().collect();
        probes.sort_by_key(|(k, _)| **k);
        for ((_, client, server), pr) in probes {
            let names: Vec<&str> = pr.names.iter().map(String::as_str).collect();
            let mut finding = pr
                .evidence
                .clone()
                .param("client", client)
                .param("server", server)
                .param("names", names.join(", "))
                .param("count", pr.count)
                .param(
                    "outcome",
                    pr.outcome
                        .clone()
                        .unwrap_or_else(|| "No answer from the server was seen.".into()),
                );
            finding.id = pr.id;
            out.push(Detection {
                finding,
                key: format!("{}:{client}>{server}", pr.id),
                packets: pr.packets.clone(),
                first: pr.first,
                last: pr.last,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ethernet + IPv4 + UDP + a DNS message with one question for `a.b` (type A, class IN).
    fn dns_frame(
        src: [u8; 4],
        dst: [u8; 4],
        sport: u16,
        dport: u16,
        id: u16,
        flags: u16,
    ) -> Vec<u8> {
        let mut dns = Vec::new();
        dns.extend_from_slice(&id.to_be_bytes()); // transaction ID
        dns.extend_from_slice(&flags.to_be_bytes()); // flags
        dns.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // 1 question, no records
        dns.extend_from_slice(&[1, b'a', 1, b'b', 0]); // name a.b
        dns.extend_from_slice(&[0, 1, 0, 1]); // type A, class IN
        let udp_len = 8 + dns.len() as u16;
        let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00]; // Ethernet, IPv4
        f.extend_from_slice(&[0x45, 0, 0, 0]); // version/IHL, DSCP, total length (below)
        f.extend_from_slice(&[0, 0, 0, 0, 64, 17, 0, 0]); // id, flags, TTL, UDP, checksum 0
        f.extend_from_slice(&src);
        f.extend_from_slice(&dst);
        let total = 20 + udp_len;
        f[16..18].copy_from_slice(&total.to_be_bytes());
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&dport.to_be_bytes());
        f.extend_from_slice(&udp_len.to_be_bytes());
        f.extend_from_slice(&[0, 0]); // no UDP checksum
        f.extend_from_slice(&dns);
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
    fn frames_decode_as_dns() {
        let d = crate::decode::decode(
            &dns_frame([10, 0, 0, 1], [10, 0, 0, 2], 999, 53, 7, 0x8183),
            1,
        );
        let l = d.layer("dns").expect("dns layer");
        assert_eq!(l.u64("dns.flags.rcode"), Some(3));
        assert!(l.error.is_none(), "{:?}", l.error);
    }

    #[test]
    fn tables_stop_growing_at_their_caps() {
        let s = DnsSettings {
            max_keys: 40,
            max_set: 8,
            ..DnsSettings::default()
        };
        let mut answers = DnsAnswers::new(s.clone());
        let mut errors = DnsErrors::new(s.clone());
        let mut probes = DnsProbes::new(s);
        for i in 0..3000u32 {
            let [_, _, c, d] = i.to_be_bytes();
            let client = [10, 1, c, d];
            let port = 1024 + (i % 60000) as u16;
            let q = dns_frame(client, [10, 0, 0, 53], port, 53, i as u16, 0x0100);
            // Forged-looking answers from a third party, and NXDOMAINs, to every client.
            let forged = dns_frame([10, 6, 6, 6], client, 53, port, i as u16, 0x8180);
            let nx = dns_frame([10, 0, 0, 53], client, 53, port, i as u16, 0x8183);
            feed(&mut answers, 1, 100, &q);
            feed(&mut answers, 2, 100, &forged);
            feed(&mut errors, 3, 100, &nx);
            feed(&mut probes, 4, 100, &q);
        }
        // One client flooded with unmatched answers: its window stays at `max_set`.
        let q = dns_frame([10, 9, 0, 1], [10, 0, 0, 53], 5000, 53, 1, 0x0100);
        feed(&mut answers, 5, 0, &q);
        for i in 0..3000u16 {
            feed(
                &mut answers,
                6,
                200,
                &dns_frame([10, 7, 7, 7], [10, 9, 0, 1], 53, 6000, i, 0x8180),
            );
        }
        assert!(answers.questions.len() <= 40 && answers.clients.len() <= 40);
        assert!(answers.wrong.len() <= 40 && answers.unmatched.len() <= 40);
        assert!(answers.unsolicited.len() <= 40);
        assert!(answers.unmatched.values().all(|u| u.pending.len() <= 8));
        assert!(errors.bursts.len() <= 40);
        assert!(probes.probes.is_empty());
    }
}
