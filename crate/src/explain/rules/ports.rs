//! What the ports of a packet say: services, trojans, ranges, and odd source ports.
//!
//! Owns the `port.*` ids of `knowledge/ports.toml`: the findings named by `[[port]]` records and
//! the odd-port findings (port 0, sscan's source ports 1-5, equal source and destination, port 53
//! used as a disguise). It must never read a port from a header quoted inside an ICMP error (that
//! is someone else's packet), and never judge the client's temporary port by a port list: every
//! table finding is raised only for the side of the conversation that is the service.

use super::super::ports::{self as table, PortInfo, Proto};
use super::tcp::Shown;
use crate::decode::{Dissection, Layer};
use crate::explain::{Finding, PacketView};
use crate::field::Value;

/// Every finding id this module can emit (checked against the registry by tests), including the
/// ids `[[port]]` records name (the unit tests check every such id is listed here).
pub const IDS: &[&str] = &[
    BACK_ORIFICE,
    NETBUS,
    SUBSEVEN,
    HACK_A_TACK,
    SHELL,
    TROJAN,
    LISTENING,
    SLAMMER,
    WINDOWS_RPC,
    WINDOWS_SHARING,
    PROBE_SQL,
    PROBE_TCPMUX,
    PROBE_AMPLIFIER,
    PROBE_INFO_LEAK,
    PROBE_RPC,
    RANGE_RPC,
    PROBE_EXPOSED,
    LAN_CHATTER,
    GAME_OR_CHAT,
    ADWARE_CONDUCENT,
    SOURCE_IS_SERVICE,
    RANGE_TRACEROUTE,
    RANGE_NAT,
    RANGE_REALAUDIO,
    ZERO,
    SRC_SSCAN,
    SAME_PORTS_TCP,
    SAME_PORTS_UDP,
    DNS_DISGUISE,
];

pub const BACK_ORIFICE: &str = "port.backdoor.back_orifice";
pub const NETBUS: &str = "port.backdoor.netbus";
pub const SUBSEVEN: &str = "port.backdoor.subseven";
pub const HACK_A_TACK: &str = "port.backdoor.hack_a_tack";
pub const SHELL: &str = "port.backdoor.shell";
pub const TROJAN: &str = "port.backdoor.trojan";
pub const LISTENING: &str = "port.backdoor.listening";
pub const SLAMMER: &str = "port.worm.slammer";
pub const WINDOWS_RPC: &str = "port.windows.rpc";
pub const WINDOWS_SHARING: &str = "port.windows.sharing";
pub const PROBE_SQL: &str = "port.probe.sql";
pub const PROBE_TCPMUX: &str = "port.probe.tcpmux";
pub const PROBE_AMPLIFIER: &str = "port.probe.amplifier";
pub const PROBE_INFO_LEAK: &str = "port.probe.info_leak";
pub const PROBE_RPC: &str = "port.probe.rpc";
pub const RANGE_RPC: &str = "port.range.rpc";
pub const PROBE_EXPOSED: &str = "port.probe.exposed_service";
pub const LAN_CHATTER: &str = "port.lan_chatter";
pub const GAME_OR_CHAT: &str = "port.game_or_chat";
pub const ADWARE_CONDUCENT: &str = "port.adware.conducent";
pub const SOURCE_IS_SERVICE: &str = "port.source_is_service";
pub const RANGE_TRACEROUTE: &str = "port.range.traceroute";
pub const RANGE_NAT: &str = "port.range.nat_masquerade";
pub const RANGE_REALAUDIO: &str = "port.range.realaudio";
pub const ZERO: &str = "port.zero";
pub const SRC_SSCAN: &str = "port.src.sscan";
pub const SAME_PORTS_TCP: &str = "port.same_ports.tcp";
pub const SAME_PORTS_UDP: &str = "port.same_ports.udp";
pub const DNS_DISGUISE: &str = "port.src.dns_disguise";

/// Protocols that send from their own port to the same port by design, so equal ports there
/// say nothing. TCP: DNS between servers (seed 002 §1.2). UDP: DNS (RFC 1035 §4.2), DHCP and
/// DHCPv6 relay agents (RFC 1542 §4.1.2, RFC 8415 §7.2), NTP (RFC 5905), NetBIOS name and
/// datagram services (RFC 1002), PTP event and general messages (IEEE 1588), IKE and its NAT
/// traversal (RFC 7296 §2, RFC 3948), BSD rwhod and timed (rwhod(8), timed(8)), syslog
/// (RFC 3164 §2), RIP and RIPng (RFC 2453 §3.9, RFC 2080 §2.1), LDP hellos (RFC 5036 §2.4), OLSR (RFC 7181), HSRP
/// (RFC 2281 §5.1), SSDP announcements (UPnP Device Architecture), LISP control (RFC 9301),
/// multicast DNS (RFC 6762 §5), Babel (RFC 8966 §4), HNCP (RFC 7788), Dropbox LAN sync
/// discovery (IANA 17500 db-lsp).
fn symmetric(proto: Proto, port: u16) -> bool {
    match proto {
        Proto::Tcp => matches!(port, 53),
        Proto::Udp => matches!(
            port,
            53 | 67
                | 123
                | 137
                | 138
                | 319
                | 320
                | 500
                | 513
                | 514
                | 520
                | 525
                | 521
                | 547
                | 646
                | 698
                | 1985
                | 1900
                | 4342
                | 4500
                | 5353
                | 6696
                | 8231
                | 17500
        ),
    }
}

/// How this one packet stands in its conversation, which decides whose port is the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A TCP SYN or a UDP datagram asking something: the destination port is the service.
    Request,
    /// A SYN/ACK: the source port is a service that accepts connections.
    Accept,
    /// A UDP reply from a server port, or a connection a server opens back from its own port
    /// (FTP data): the source port is the service and the destination is the client's.
    Reply,
    /// A reset, or a segment inside a connection: the table findings were raised on the
    /// handshake, and repeating them for every segment would only drown the reader.
    Other,
}

/// The transport header as the rules need it.
struct Ends<'a> {
    proto: Proto,
    sport: u16,
    dport: u16,
    /// TCP flags, when the header got that far (always `None` for UDP).
    flags: Option<u64>,
    src: Shown<'a>,
    dst: Shown<'a>,
    /// The destination is a multicast group (IPv4 224.0.0.0/4 or IPv6 ff00::/8).
    dst_multicast: bool,
}

impl Ends<'_> {
    fn name(&self) -> &'static str {
        match self.proto {
            Proto::Tcp => "TCP",
            Proto::Udp => "UDP",
        }
    }

    fn port_field(&self, source: bool) -> &'static str {
        match (self.proto, source) {
            (Proto::Tcp, true) => "tcp.srcport",
            (Proto::Tcp, false) => "tcp.dstport",
            (Proto::Udp, true) => "udp.srcport",
            (Proto::Udp, false) => "udp.dstport",
        }
    }

    fn flag(&self, mask: u64) -> bool {
        self.flags.is_some_and(|f| f & mask != 0)
    }
}

const SYN: u64 = 0x02;
const RST: u64 = 0x04;
const ACK: u64 = 0x10;

fn port_of(l: &Layer, name: &str) -> Option<u16> {
    l.u64(name).and_then(|v| u16::try_from(v).ok())
}

/// The outermost (not quoted) TCP or UDP header with both ports, and the addresses around it.
fn ends<'a>(d: &'a Dissection) -> Option<Ends<'a>> {
    let (proto, layer, sport, dport) = if let Some(l) = d.layer("tcp") {
        (
            Proto::Tcp,
            l,
            port_of(l, "tcp.srcport")?,
            port_of(l, "tcp.dstport")?,
        )
    } else {
        let l = d.layer("udp")?;
        (
            Proto::Udp,
            l,
            port_of(l, "udp.srcport")?,
            port_of(l, "udp.dstport")?,
        )
    };
    let addr = |l: &'a Layer, name: &str| Shown(l.get(name));
    let (src, dst, dst_multicast) = if let Some(ip) = d.layer("ip") {
        let m = matches!(ip.get("ip.dst"), Some(Value::Ipv4(a)) if a.is_multicast());
        (addr(ip, "ip.src"), addr(ip, "ip.dst"), m)
    } else if let Some(ip) = d.layer("ipv6") {
        let m = matches!(ip.get("ipv6.dst"), Some(Value::Ipv6(a)) if a.is_multicast());
        (addr(ip, "ipv6.src"), addr(ip, "ipv6.dst"), m)
    } else {
        (Shown(None), Shown(None), false)
    };
    let flags = match proto {
        Proto::Tcp => layer.u64("tcp.flags"),
        Proto::Udp => None,
    };
    Some(Ends {
        proto,
        sport,
        dport,
        flags,
        src,
        dst,
        dst_multicast,
    })
}

/// The records that speak for a port: every single-port record, or when no record names the
/// port itself the first range that holds it (ranges are listed narrowest first, so 33500/udp is
/// traceroute rather than RPC). A named port wins because ranges overlap real services: AFS
/// lives inside the RealAudio range, for one.
fn records(proto: Proto, port: u16) -> &'static [&'static PortInfo] {
    table::records(proto, port)
}

/// A port servers answer from: a well-known port, or one the table marks as a service that
/// shows up as the source (ICQ 4000, NTP 123, the Quake range).
fn server_port(proto: Proto, port: u16) -> bool {
    (1..=1023).contains(&port)
        || records(proto, port)
            .iter()
            .any(|r| r.finding.as_deref() == Some(SOURCE_IS_SERVICE))
}

fn role(e: &Ends) -> Role {
    match e.proto {
        Proto::Tcp => {
            let Some(f) = e.flags else {
                return Role::Other;
            };
            if f & RST != 0 || f & SYN == 0 {
                Role::Other
            } else if f & ACK != 0 {
                Role::Accept
            } else if server_port(Proto::Tcp, e.sport) && !server_port(Proto::Tcp, e.dport) {
                // An FTP server opening the data connection from port 20 back to the client.
                Role::Reply
            } else {
                Role::Request
            }
        }
        Proto::Udp => {
            if server_port(Proto::Udp, e.sport) && !server_port(Proto::Udp, e.dport) {
                Role::Reply
            } else {
                Role::Request
            }
        }
    }
}

/// Which side of a record a finding is about; unknown values count as the default, `dst`.
fn side_of(r: &PortInfo) -> &str {
    match r.side.as_deref() {
        Some("src") => "src",
        Some("either") => "either",
        _ => "dst",
    }
}

/// Maps a record's finding name to this module's constant, so a finding can carry a
/// `&'static str` id; names this module does not list are ignored (and caught by a test).
fn known_id(name: &str) -> Option<&'static str> {
    IDS.iter().copied().find(|id| *id == name)
}

pub fn check(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    let Some(e) = ends(p.d) else {
        return;
    };
    odd_ports(p, &e, out);
    table_findings(p, &e, out);
}

/// A finding about one side's port, with the parameters every port text may use.
fn port_finding(
    p: &PacketView<'_>,
    e: &Ends,
    id: &'static str,
    source: bool,
    r: Option<&PortInfo>,
) -> Finding {
    let (port, host) = if source {
        (e.sport, &e.src)
    } else {
        (e.dport, &e.dst)
    };
    let proto = e.name();
    let (src, dst) = (&e.src, &e.dst);
    // One clause that says how this packet touches the port, so a text reads right whether the
    // packet asks for the service, answers from it, or merely comes from that port.
    let what = if !p.texts {
        String::new()
    } else {
        match (role(e), source) {
        (Role::Accept, true) => format!(
            "{src} accepts a connection from {dst} on {proto} port {port} (a SYN/ACK: something listens there)"
        ),
        (Role::Reply, true) => format!("{src} answers {dst} from {proto} port {port}"),
        (_, true) => format!("{src} sends to {dst} from {proto} port {port}"),
        (_, false) => format!("{src} sends to {proto} port {port} on {dst}"),
        }
    };
    let mut f = p
        .finding(id)
        .param("what", what)
        .param("port", port)
        .param("proto", e.name())
        .param("src", e.src)
        .param("dst", e.dst)
        .param("host", host)
        .param("sport", e.sport)
        .param("dport", e.dport);
    if let Some(r) = r {
        f = f.param("service", &r.service).param("phrase", &r.phrase);
    }
    f.field(p.number, p.d, e.port_field(source))
}

fn table_findings(p: &PacketView<'_>, e: &Ends, out: &mut Vec<Finding>) {
    let role = role(e);
    if role == Role::Other {
        return;
    }
    let mut raised: Vec<(&'static str, bool)> = Vec::new();
    let mut raise = |out: &mut Vec<Finding>, r: &PortInfo, source: bool| {
        let Some(id) = r.finding.as_deref().and_then(known_id) else {
            return;
        };
        if raised.contains(&(id, source)) {
            return;
        }
        raised.push((id, source));
        out.push(port_finding(p, e, id, source, Some(r)));
    };
    let src_records = records(e.proto, e.sport);
    let dst_records = records(e.proto, e.dport);
    match role {
        Role::Request => {
            for r in dst_records {
                if side_of(r) != "src" {
                    raise(out, r, false);
                }
            }
            // A requester's own port means something only for source-side records (a NAT
            // range, a game server talking to another); a server port as the source of a
            // request is not a reply, so `source_is_service` stays quiet here.
            for r in src_records {
                if side_of(r) != "dst" && r.finding.as_deref() != Some(SOURCE_IS_SERVICE) {
                    raise(out, r, true);
                }
            }
        }
        Role::Accept => {
            // Whatever the record's side, the source of a SYN/ACK is the listening service.
            for r in src_records {
                if r.finding.as_deref() == Some(RANGE_NAT) {
                    continue;
                }
                raise(out, r, true);
            }
            let backdoor = src_records.iter().find(|r| {
                r.finding
                    .as_deref()
                    .is_some_and(|f| f.starts_with("port.backdoor."))
            });
            if let Some(r) = backdoor {
                out.push(port_finding(p, e, LISTENING, true, Some(r)).field(
                    p.number,
                    p.d,
                    "tcp.flags",
                ));
            }
        }
        Role::Reply => {
            for r in src_records {
                if side_of(r) != "dst" {
                    raise(out, r, true);
                }
            }
        }
        Role::Other => {}
    }
}

fn odd_ports(p: &PacketView<'_>, e: &Ends, out: &mut Vec<Finding>) {
    for (source, port) in [(true, e.sport), (false, e.dport)] {
        if port == 0 {
            let which = if source { "source" } else { "destination" };
            out.push(port_finding(p, e, ZERO, source, None).param("which", which));
        }
    }
    let tcp = e.proto == Proto::Tcp;
    // sscan's fingerprint probes come from ports 1-5 and are not answers (no ACK); a tcpmux
    // server replying from port 1 always sets ACK.
    if tcp
        && (1..=5).contains(&e.sport)
        && e.dport > 5
        && e.flags.is_some()
        && !e.flag(ACK)
        && !e.flag(RST)
    {
        out.push(port_finding(p, e, SRC_SSCAN, true, None).field(p.number, p.d, "tcp.flags"));
    }
    // Discovery and routing protocols on multicast groups bind one port for both directions
    // (hundreds of cases in the corpus, none suspicious); broadcasts stay in, as the seed's
    // 2301 case shows an agent doing that from a forged address.
    // 2301 to 2301 is the seed 000 case, which `cases` explains in full
    // (`case.compaq_insight_2301`); a generic note beside it would only repeat it.
    if e.sport == e.dport
        && e.sport != 0
        && e.sport != 2301
        && !symmetric(e.proto, e.sport)
        && !e.dst_multicast
    {
        let id = if tcp { SAME_PORTS_TCP } else { SAME_PORTS_UDP };
        out.push(port_finding(p, e, id, false, None).field(p.number, p.d, e.port_field(true)));
    }
    if e.sport == 53 && e.dport != 53 {
        let why = if tcp {
            // A DNS server never opens connections, so a SYN from 53 is not an answer.
            (e.flag(SYN) && !e.flag(ACK))
                .then_some("it opens a TCP connection, which a DNS server never does")
        } else {
            match p.d.layer("dns") {
                None => Some("its payload is not DNS at all"),
                Some(l) if l.error.is_some() => Some("its payload does not decode as DNS"),
                Some(l) if l.get("dns.flags.response") == Some(&Value::Bool(false)) => {
                    Some("it is a DNS question, not an answer")
                }
                Some(_) => None,
            }
        };
        if let Some(why) = why {
            out.push(port_finding(p, e, DNS_DISGUISE, true, None).param("why", why));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, linktype};
    use crate::explain::registry::registry;

    #[test]
    fn every_table_finding_is_listed_and_registered() {
        for r in table::all() {
            if let Some(id) = &r.finding {
                assert!(
                    known_id(id).is_some(),
                    "{} names {id}, not in IDS",
                    r.service
                );
            }
            assert!(
                matches!(r.side.as_deref(), None | Some("src" | "dst" | "either")),
                "{}: side {:?}",
                r.service,
                r.side
            );
        }
        for id in IDS {
            assert!(registry().get(id).is_some(), "{id} has no registry entry");
        }
    }

    #[test]
    fn narrow_ranges_win_over_wide_ones() {
        let names = |proto, port| {
            records(proto, port)
                .iter()
                .map(|r| r.service.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(Proto::Udp, 33500), ["traceroute"]);
        assert_eq!(names(Proto::Tcp, 33500), ["Solaris RPC services"]);
        assert_eq!(
            names(Proto::Tcp, 32775),
            ["sadmind / ToolTalk (sample RPC service)"]
        );
        assert_eq!(names(Proto::Tcp, 32780), ["Solaris RPC services"]);
        assert_eq!(names(Proto::Udp, 7003), ["AFS (Andrew File System)"]);
        assert_eq!(names(Proto::Udp, 7021), ["AFS backup server"]);
        assert_eq!(names(Proto::Udp, 7100), ["RealAudio stream"]);
        assert_eq!(names(Proto::Udp, 62000), ["Linux IP masquerade ports"]);
        assert_eq!(names(Proto::Tcp, 50000), ["dynamic port"]);
        assert_eq!(names(Proto::Tcp, 5000), ["registered port"]);
    }

    /// A raw IPv4 + UDP datagram (no link header): 20-byte IP header, 8-byte UDP header, data.
    fn udp(sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
        let total = (28 + data.len()) as u16;
        let mut v = vec![
            0x45, 0x00, // version 4, IHL 5; TOS
        ];
        v.extend_from_slice(&total.to_be_bytes()); // total length
        v.extend_from_slice(&[
            0x00, 0x01, 0x00, 0x00, // id 1, no fragment
            0x40, 0x11, 0x00, 0x00, // TTL 64, UDP, checksum 0 (not checked here)
            10, 0, 0, 1, // ip.src 10.0.0.1
            10, 0, 0, 2, // ip.dst 10.0.0.2
        ]);
        v.extend_from_slice(&sport.to_be_bytes()); // udp.srcport at 20
        v.extend_from_slice(&dport.to_be_bytes()); // udp.dstport at 22
        v.extend_from_slice(&((8 + data.len()) as u16).to_be_bytes()); // udp.length
        v.extend_from_slice(&[0x00, 0x00]); // checksum absent
        v.extend_from_slice(data);
        v
    }

    /// A raw IPv4 + TCP segment with the given flags and no options.
    fn tcp(sport: u16, dport: u16, flags: u8) -> Vec<u8> {
        let mut v = vec![
            0x45, 0x00, 0x00, 0x28, // IPv4, IHL 5, total length 40
            0x00, 0x01, 0x00, 0x00, // id 1
            0x40, 0x06, 0x00, 0x00, // TTL 64, TCP
            192, 168, 1, 9, // ip.src
            192, 168, 1, 10, // ip.dst
        ];
        v.extend_from_slice(&sport.to_be_bytes()); // tcp.srcport at 20
        v.extend_from_slice(&dport.to_be_bytes()); // tcp.dstport at 22
        v.extend_from_slice(&[
            0, 0, 0, 1, // seq
            0, 0, 0, 0, // ack
            0x50, flags, // data offset 5 words; flags
            0x20, 0x00, // window
            0x00, 0x00, 0x00, 0x00, // checksum, urgent pointer
        ]);
        v
    }

    fn ids(frame: &[u8]) -> Vec<&'static str> {
        let d = decode(frame, linktype::RAW);
        let mut out = Vec::new();
        check(
            &PacketView {
                number: 1,
                d: &d,
                texts: true,
            },
            &mut out,
        );
        out.iter().map(|f| f.id).collect()
    }

    #[test]
    fn the_service_side_decides() {
        // A SYN to 31337 is a probe; the SYN/ACK from it means something listens.
        assert_eq!(ids(&tcp(40000, 31337, 0x02)), [BACK_ORIFICE]);
        assert_eq!(ids(&tcp(31337, 40000, 0x12)), [BACK_ORIFICE, LISTENING]);
        // The reset from a closed 31337 and a mid-connection ACK raise nothing.
        assert!(ids(&tcp(31337, 40000, 0x14)).is_empty());
        assert!(ids(&tcp(40000, 31337, 0x10)).is_empty());
        // A DNS reply that lands on a client port of 31337 is a reply, not a trojan.
        let dns_reply = [
            0x12, 0x34, 0x81, 0x80, // id, flags: response, no error
            0, 0, 0, 0, 0, 0, 0, 0, // no records
        ];
        assert!(ids(&udp(53, 31337, &dns_reply)).is_empty());
        // The ICQ server's port is the source; the high port is the client's.
        assert_eq!(ids(&udp(4000, 31337, b"x")), [SOURCE_IS_SERVICE]);
        // A UDP request to 31337 from an ordinary client port.
        assert_eq!(ids(&udp(40000, 31337, b"x")), [BACK_ORIFICE]);
    }

    #[test]
    fn odd_source_ports() {
        assert_eq!(ids(&tcp(0, 143, 0x02)), [ZERO]);
        assert_eq!(ids(&tcp(3, 80, 0x03)), [SRC_SSCAN]);
        assert_eq!(ids(&tcp(25, 25, 0x10)), [SAME_PORTS_TCP]);
        assert!(ids(&udp(123, 123, &[0x23; 48])).is_empty());
        assert_eq!(ids(&udp(9999, 9999, b"hi")), [SAME_PORTS_UDP]);
        assert_eq!(ids(&udp(53, 40000, b"hello")), [DNS_DISGUISE]);
        assert_eq!(ids(&tcp(53, 8080, 0x02)), [DNS_DISGUISE]);
        // A high ephemeral source is not a finding; a tcpmux answer from port 1 is not sscan.
        assert!(ids(&tcp(50123, 80, 0x02)).is_empty());
        assert_eq!(ids(&tcp(1, 40000, 0x12)), [PROBE_TCPMUX]);
    }

    #[test]
    fn equal_ports_to_a_multicast_group_are_discovery_chatter() {
        let mut frame = udp(8001, 8001, b"hello");
        // ip.dst (bytes 16-19) becomes 224.0.0.7, then 10.0.0.255 (a broadcast, still flagged).
        frame[16..20].copy_from_slice(&[224, 0, 0, 7]);
        assert!(ids(&frame).is_empty());
        frame[16..20].copy_from_slice(&[10, 0, 0, 255]);
        assert_eq!(ids(&frame), [SAME_PORTS_UDP]);
        // HSRP talks from 1985 to 1985 by design, even unicast.
        assert!(ids(&udp(1985, 1985, b"hsrp")).is_empty());
    }

    #[test]
    fn evidence_points_at_the_port_bytes() {
        let frame = tcp(40000, 12345, 0x02);
        let d = decode(&frame, linktype::RAW);
        let mut out = Vec::new();
        check(
            &PacketView {
                number: 7,
                d: &d,
                texts: true,
            },
            &mut out,
        );
        let f = out.first().expect("a finding");
        assert_eq!(f.id, NETBUS);
        let ev = f.evidence.first().expect("evidence");
        assert_eq!(
            (ev.field.as_str(), ev.offset, ev.length),
            ("tcp.dstport", 22, 2)
        );
        assert_eq!(ev.packet, 7);
    }

    #[test]
    fn every_prefix_is_safe() {
        for frame in [tcp(40000, 31337, 0x12), udp(31790, 31789, b"A")] {
            for n in 0..=frame.len() {
                let cut = frame.get(..n).unwrap_or(&[]);
                let d = decode(cut, linktype::RAW);
                let mut out = Vec::new();
                check(
                    &PacketView {
                        number: 1,
                        d: &d,
                        texts: true,
                    },
                    &mut out,
                );
            }
        }
    }
}
