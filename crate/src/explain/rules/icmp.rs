//! ICMP and ICMPv6 messages: what each type and code means to an analyst and, for errors, which
//! packet the error is about and which service that packet was trying to reach (read from the
//! header the error quotes).
//!
//! It judges one packet at a time, so it must never claim what only a conversation shows (whether
//! a ping was really sent, whether replies form a sweep); the registry texts say what to check
//! instead. It reads decoded fields only, never raw bytes.

use super::addresses::directed_broadcast;
use crate::decode::icmp::{icmp_code_name, icmp_type_name, icmpv6_code_name, icmpv6_type_name};
use crate::decode::{Dissection, Layer};
use crate::explain::ports::{self, Proto};
use crate::explain::{Finding, PacketView};
use crate::field::Value;

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[
    ICMP_ECHO_REQUEST,
    ICMP_ECHO_REPLY,
    ICMP_ECHO_TO_BROADCAST,
    ICMP_UNREACH_NET,
    ICMP_UNREACH_HOST,
    ICMP_UNREACH_PROTOCOL,
    ICMP_UNREACH_PORT,
    ICMP_UNREACH_PORT_DNS_REPLY,
    ICMP_UNREACH_PORT_NETBIOS,
    ICMP_UNREACH_PORT_TRACEROUTE,
    ICMP_UNREACH_FRAG_NEEDED,
    ICMP_UNREACH_SOURCE_ROUTE,
    ICMP_UNREACH_UNKNOWN_DEST,
    ICMP_UNREACH_ISOLATED,
    ICMP_UNREACH_ADMIN,
    ICMP_UNREACH_TOS,
    ICMP_UNREACH_PRECEDENCE,
    ICMP_CODE_UNKNOWN,
    ICMP_SOURCE_QUENCH,
    ICMP_REDIRECT,
    ICMP_TIME_EXCEEDED_TTL,
    ICMP_TIME_EXCEEDED_REASSEMBLY,
    ICMP_PARAM_PROBLEM,
    ICMP_ROUTER_ADVERT,
    ICMP_ROUTER_SOLICIT,
    ICMP_TIMESTAMP_REQUEST,
    ICMP_TIMESTAMP_REPLY,
    ICMP_MASK_REQUEST,
    ICMP_MASK_REPLY,
    ICMP_DEPRECATED,
    ICMP_TYPE_UNKNOWN,
    ICMPV6_ECHO_REQUEST,
    ICMPV6_ECHO_REPLY,
    ICMPV6_UNREACH_PORT,
    ICMPV6_UNREACH,
    ICMPV6_PACKET_TOO_BIG,
    ICMPV6_TIME_EXCEEDED,
    ICMPV6_PARAM_PROBLEM,
    ICMPV6_ND_ROUTER_SOLICIT,
    ICMPV6_ND_ROUTER_ADVERT,
    ICMPV6_ND_NEIGHBOR_SOLICIT,
    ICMPV6_ND_NEIGHBOR_ADVERT,
    ICMPV6_ND_REDIRECT,
    ICMPV6_MLD,
];
pub const ICMP_ECHO_REQUEST: &str = "icmp.echo.request";
pub const ICMP_ECHO_REPLY: &str = "icmp.echo.reply";
pub const ICMP_ECHO_TO_BROADCAST: &str = "icmp.echo.to_broadcast";
pub const ICMP_UNREACH_NET: &str = "icmp.unreach.net";
pub const ICMP_UNREACH_HOST: &str = "icmp.unreach.host";
pub const ICMP_UNREACH_PROTOCOL: &str = "icmp.unreach.protocol";
pub const ICMP_UNREACH_PORT: &str = "icmp.unreach.port";
pub const ICMP_UNREACH_PORT_DNS_REPLY: &str = "icmp.unreach.port.dns_reply";
pub const ICMP_UNREACH_PORT_NETBIOS: &str = "icmp.unreach.port.netbios";
pub const ICMP_UNREACH_PORT_TRACEROUTE: &str = "icmp.unreach.port.traceroute";
pub const ICMP_UNREACH_FRAG_NEEDED: &str = "icmp.unreach.frag_needed";
pub const ICMP_UNREACH_SOURCE_ROUTE: &str = "icmp.unreach.source_route";
pub const ICMP_UNREACH_UNKNOWN_DEST: &str = "icmp.unreach.unknown_dest";
pub const ICMP_UNREACH_ISOLATED: &str = "icmp.unreach.isolated";
pub const ICMP_UNREACH_ADMIN: &str = "icmp.unreach.admin";
pub const ICMP_UNREACH_TOS: &str = "icmp.unreach.tos";
pub const ICMP_UNREACH_PRECEDENCE: &str = "icmp.unreach.precedence";
pub const ICMP_CODE_UNKNOWN: &str = "icmp.code.unknown";
pub const ICMP_SOURCE_QUENCH: &str = "icmp.source_quench";
pub const ICMP_REDIRECT: &str = "icmp.redirect";
pub const ICMP_TIME_EXCEEDED_TTL: &str = "icmp.time_exceeded.ttl";
pub const ICMP_TIME_EXCEEDED_REASSEMBLY: &str = "icmp.time_exceeded.reassembly";
pub const ICMP_PARAM_PROBLEM: &str = "icmp.param_problem";
pub const ICMP_ROUTER_ADVERT: &str = "icmp.router.advert";
pub const ICMP_ROUTER_SOLICIT: &str = "icmp.router.solicit";
pub const ICMP_TIMESTAMP_REQUEST: &str = "icmp.timestamp.request";
pub const ICMP_TIMESTAMP_REPLY: &str = "icmp.timestamp.reply";
pub const ICMP_MASK_REQUEST: &str = "icmp.mask.request";
pub const ICMP_MASK_REPLY: &str = "icmp.mask.reply";
pub const ICMP_DEPRECATED: &str = "icmp.deprecated";
pub const ICMP_TYPE_UNKNOWN: &str = "icmp.type.unknown";
pub const ICMPV6_ECHO_REQUEST: &str = "icmpv6.echo.request";
pub const ICMPV6_ECHO_REPLY: &str = "icmpv6.echo.reply";
pub const ICMPV6_UNREACH_PORT: &str = "icmpv6.unreach.port";
pub const ICMPV6_UNREACH: &str = "icmpv6.unreach";
pub const ICMPV6_PACKET_TOO_BIG: &str = "icmpv6.packet_too_big";
pub const ICMPV6_TIME_EXCEEDED: &str = "icmpv6.time_exceeded";
pub const ICMPV6_PARAM_PROBLEM: &str = "icmpv6.param_problem";
pub const ICMPV6_ND_ROUTER_SOLICIT: &str = "icmpv6.nd.router_solicit";
pub const ICMPV6_ND_ROUTER_ADVERT: &str = "icmpv6.nd.router_advert";
pub const ICMPV6_ND_NEIGHBOR_SOLICIT: &str = "icmpv6.nd.neighbor_solicit";
pub const ICMPV6_ND_NEIGHBOR_ADVERT: &str = "icmpv6.nd.neighbor_advert";
pub const ICMPV6_ND_REDIRECT: &str = "icmpv6.nd.redirect";
pub const ICMPV6_MLD: &str = "icmpv6.mld";

/// UNIX traceroute's probe ports: 33434 upwards, three probes per hop (seed 002 §1.1 gives the
/// range 33434-33600, which covers 55 hops).
const TRACEROUTE_PORTS: std::ops::RangeInclusive<u16> = 33434..=33600;

pub fn check(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    if let Some(l) = p.d.layer("icmp") {
        v4(p, l, out);
    }
    if let Some(l) = p.d.layer("icmpv6") {
        v6(p, l, out);
    }
}

fn text(l: &Layer, name: &str) -> String {
    l.get(name)
        .map(Value::to_string)
        .unwrap_or_else(|| "?".into())
}

/// Source and destination of the outermost IP header, as text.
fn endpoints(d: &Dissection) -> (String, String) {
    if let Some(l) = d.layer("ip") {
        return (text(l, "ip.src"), text(l, "ip.dst"));
    }
    if let Some(l) = d.layer("ipv6") {
        return (text(l, "ipv6.src"), text(l, "ipv6.dst"));
    }
    ("?".into(), "?".into())
}

/// What an error message tells about the packet it quotes.
struct Quote {
    src: String,
    dst: String,
    /// "UDP", "TCP", "ICMP", or the IP protocol as the decoder shows it.
    proto: String,
    sport: Option<u16>,
    dport: Option<u16>,
    /// The service of the destination port, in words.
    service: String,
    /// The transport layer, when one was quoted.
    l4: Option<&'static str>,
    /// One phrase describing the whole quoted packet, for texts.
    phrase: String,
}

/// Reads the packet an ICMP error quotes: its ports always, its texts only when `texts`.
fn quote(d: &Dissection, texts: bool) -> Quote {
    let mut q = Quote {
        src: "?".into(),
        dst: "?".into(),
        proto: "?".into(),
        sport: None,
        dport: None,
        service: "unknown".into(),
        l4: None,
        phrase: "a packet whose header the message does not include".into(),
    };
    let mut quoted = d.layers.iter().filter(|l| l.quoted);
    let Some(ip) = quoted.find(|l| matches!(l.proto, "ip" | "ipv6")) else {
        return q;
    };
    let (sname, dname, pname) = if ip.proto == "ip" {
        ("ip.src", "ip.dst", "ip.proto")
    } else {
        ("ipv6.src", "ipv6.dst", "ipv6.nxt")
    };
    if texts {
        q.src = text(ip, sname);
        q.dst = text(ip, dname);
        q.proto = ip
            .field(pname)
            .map(|f| f.shown())
            .unwrap_or_else(|| "?".into());
        q.phrase = format!(
            "a packet (IP protocol {}) from {} to {}",
            q.proto, q.src, q.dst
        );
    }
    let Some(l4) = quoted.find(|l| matches!(l.proto, "udp" | "tcp" | "icmp" | "icmpv6")) else {
        return q;
    };
    q.l4 = Some(l4.proto);
    let port = |name: &str| l4.u64(name).and_then(|v| u16::try_from(v).ok());
    match l4.proto {
        "udp" | "tcp" => {
            let (proto, label, sp, dp) = if l4.proto == "udp" {
                (Proto::Udp, "UDP", "udp.srcport", "udp.dstport")
            } else {
                (Proto::Tcp, "TCP", "tcp.srcport", "tcp.dstport")
            };
            q.sport = port(sp);
            q.dport = port(dp);
            if !texts {
                return q;
            }
            q.proto = label.into();
            q.service = match (q.dport, q.dport.and_then(|p| ports::lookup(proto, p))) {
                (_, Some(info)) => info.service.clone(),
                (Some(p), None) if p >= 49152 => {
                    "a dynamic port clients pick for themselves".into()
                }
                _ => "no service we know of".into(),
            };
            let show = |p: Option<u16>| p.map_or_else(|| "?".into(), |p| p.to_string());
            q.phrase = format!(
                "a {label} packet from {} port {} to {} port {} ({})",
                q.src,
                show(q.sport),
                q.dst,
                show(q.dport),
                q.service
            );
        }
        _ if !texts => {}
        _ => {
            let (tname, name) = if l4.proto == "icmp" {
                let t = l4.u64("icmp.type").and_then(|t| u8::try_from(t).ok());
                ("ICMP", t.and_then(icmp_type_name))
            } else {
                let t = l4.u64("icmpv6.type").and_then(|t| u8::try_from(t).ok());
                ("ICMPv6", t.and_then(icmpv6_type_name))
            };
            q.proto = tname.into();
            q.service = "not a port-based service".into();
            q.phrase = format!(
                "an {tname} {} from {} to {}",
                name.unwrap_or("message"),
                q.src,
                q.dst
            );
        }
    }
    q
}

impl Quote {
    /// Adds the quoted packet's parameters, and its destination port as evidence.
    fn onto(&self, f: Finding, p: &PacketView<'_>) -> Finding {
        let port = |v: Option<u16>| v.map_or_else(|| "?".into(), |v| v.to_string());
        let f = f
            .param("orig", &self.phrase)
            .param("orig_src", &self.src)
            .param("orig_dst", &self.dst)
            .param("orig_proto", &self.proto)
            .param("orig_port", port(self.dport))
            .param("orig_sport", port(self.sport))
            .param("orig_service", &self.service);
        match self.l4 {
            Some("udp") => f.field(p.number, p.d, "udp.dstport"),
            Some("tcp") => f.field(p.number, p.d, "tcp.dstport"),
            _ => f,
        }
    }
}

fn v4(p: &PacketView<'_>, l: &Layer, out: &mut Vec<Finding>) {
    let (Some(ty), Some(code)) = (
        l.u64("icmp.type").and_then(|v| u8::try_from(v).ok()),
        l.u64("icmp.code").and_then(|v| u8::try_from(v).ok()),
    ) else {
        return;
    };
    let (n, d) = (p.number, p.d);
    // Texts only when they are wanted: the analysis pass asks for ids alone.
    let (src, dst) = if p.texts {
        endpoints(d)
    } else {
        Default::default()
    };
    // The registry marks retired types in their names; the finding's title says so already.
    let type_name = icmp_type_name(ty)
        .unwrap_or("unassigned type")
        .trim_end_matches(" (Deprecated)");
    let code_name = icmp_code_name(ty, code).unwrap_or("an undefined code");
    let base = |id: &'static str| {
        p.finding(id)
            .param("src", &src)
            .param("dst", &dst)
            .param("type", ty)
            .param("type_name", type_name)
            .param("code", code)
            .param("code_name", code_name)
            .field(n, d, "icmp.type")
            .field(n, d, "icmp.code")
    };
    let echo = |id: &'static str| {
        base(id)
            .param_with("ident", || text(l, "icmp.ident"))
            .param_with("seq", || text(l, "icmp.seq"))
    };
    let q = quote(d, p.texts);
    let error = |id: &'static str| q.onto(base(id), p);

    // Types whose codes are all listed by IANA: anything else was chosen by a tool.
    let codes_listed = matches!(ty, 0 | 3 | 4 | 5 | 8 | 9 | 10 | 11 | 12 | 13..=18);
    if codes_listed && icmp_code_name(ty, code).is_none() {
        out.push(base(ICMP_CODE_UNKNOWN));
    }

    match ty {
        8 => {
            let bcast = match d.layer("ip").and_then(|ip| ip.get("ip.dst")) {
                Some(Value::Ipv4(a)) if a.is_broadcast() => {
                    Some("the limited broadcast of the local network".to_string())
                }
                Some(Value::Ipv4(a)) => directed_broadcast(*a)
                    .map(|(what, prefix)| format!("the {what} of {prefix}, assuming a /24 prefix")),
                _ => None,
            };
            match bcast {
                Some(why) => out.push(
                    echo(ICMP_ECHO_TO_BROADCAST)
                        .param("why", why)
                        .field(n, d, "ip.dst"),
                ),
                None => out.push(echo(ICMP_ECHO_REQUEST)),
            }
        }
        0 => out.push(echo(ICMP_ECHO_REPLY)),
        3 => {
            let id = match code {
                0 => ICMP_UNREACH_NET,
                1 => ICMP_UNREACH_HOST,
                2 => ICMP_UNREACH_PROTOCOL,
                3 => port_unreach_cause(&q),
                4 => ICMP_UNREACH_FRAG_NEEDED,
                5 => ICMP_UNREACH_SOURCE_ROUTE,
                6 | 7 => ICMP_UNREACH_UNKNOWN_DEST,
                8 => ICMP_UNREACH_ISOLATED,
                9 | 10 | 13 => ICMP_UNREACH_ADMIN,
                11 | 12 => ICMP_UNREACH_TOS,
                14 | 15 => ICMP_UNREACH_PRECEDENCE,
                _ => return,
            };
            let mut f = error(id);
            if code == 4 {
                f = f
                    .param_with("mtu", || text(l, "icmp.mtu"))
                    .field(n, d, "icmp.mtu");
            }
            out.push(f);
        }
        4 => out.push(error(ICMP_SOURCE_QUENCH)),
        5 => out.push(
            error(ICMP_REDIRECT)
                .param_with("gateway", || text(l, "icmp.redir_gw"))
                .field(n, d, "icmp.redir_gw"),
        ),
        11 => match code {
            0 => out.push(error(ICMP_TIME_EXCEEDED_TTL)),
            1 => out.push(error(ICMP_TIME_EXCEEDED_REASSEMBLY)),
            _ => {}
        },
        12 => out.push(
            error(ICMP_PARAM_PROBLEM)
                .param_with("pointer", || text(l, "icmp.pointer"))
                .field(n, d, "icmp.pointer"),
        ),
        9 => out.push(base(ICMP_ROUTER_ADVERT)),
        10 => out.push(base(ICMP_ROUTER_SOLICIT)),
        13 => out.push(echo(ICMP_TIMESTAMP_REQUEST)),
        14 => out.push(echo(ICMP_TIMESTAMP_REPLY)),
        17 => out.push(echo(ICMP_MASK_REQUEST)),
        18 => out.push(echo(ICMP_MASK_REPLY).field(n, d, "icmp.address_mask")),
        // Retired types (RFC 6918 and the IANA registry's "Deprecated" marks).
        6 | 15 | 16 | 30..=39 => out.push(base(ICMP_DEPRECATED)),
        // Unassigned, or reserved and so never sent by a real stack.
        19..=29 | 44..=252 | 253..=255 => out.push(base(ICMP_TYPE_UNKNOWN)),
        t if icmp_type_name(t).is_none() => out.push(base(ICMP_TYPE_UNKNOWN)),
        _ => {}
    }
}

/// The usual harmless reasons for a port unreachable, recognised from the quoted UDP header
/// (seed 003 §2.3.3); otherwise the general finding.
fn port_unreach_cause(q: &Quote) -> &'static str {
    if q.l4 != Some("udp") {
        return ICMP_UNREACH_PORT;
    }
    match (q.sport, q.dport) {
        (Some(53), _) => ICMP_UNREACH_PORT_DNS_REPLY,
        (_, Some(137)) => ICMP_UNREACH_PORT_NETBIOS,
        (_, Some(p)) if TRACEROUTE_PORTS.contains(&p) => ICMP_UNREACH_PORT_TRACEROUTE,
        _ => ICMP_UNREACH_PORT,
    }
}

fn v6(p: &PacketView<'_>, l: &Layer, out: &mut Vec<Finding>) {
    let (Some(ty), Some(code)) = (
        l.u64("icmpv6.type").and_then(|v| u8::try_from(v).ok()),
        l.u64("icmpv6.code").and_then(|v| u8::try_from(v).ok()),
    ) else {
        return;
    };
    let (n, d) = (p.number, p.d);
    // Texts only when they are wanted: the analysis pass asks for ids alone.
    let (src, dst) = if p.texts {
        endpoints(d)
    } else {
        Default::default()
    };
    let type_name = icmpv6_type_name(ty).unwrap_or("unassigned type");
    let code_name = icmpv6_code_name(ty, code)
        .map(str::to_string)
        .unwrap_or_else(|| format!("code {code}"));
    let base = |id: &'static str| {
        p.finding(id)
            .param("src", &src)
            .param("dst", &dst)
            .param("type", ty)
            .param("type_name", type_name)
            .param("code", code)
            .param("code_name", &code_name)
            .field(n, d, "icmpv6.type")
            .field(n, d, "icmpv6.code")
    };
    let echo = |id: &'static str| {
        base(id)
            .param_with("ident", || text(l, "icmpv6.echo.identifier"))
            .param_with("seq", || text(l, "icmpv6.echo.sequence_number"))
    };
    let target = |id: &'static str, field: &'static str| {
        base(id)
            .param_with("target", || text(l, field))
            .field(n, d, field)
    };
    let q = quote(d, p.texts);
    let error = |id: &'static str| q.onto(base(id), p);
    match ty {
        128 => out.push(echo(ICMPV6_ECHO_REQUEST)),
        129 => out.push(echo(ICMPV6_ECHO_REPLY)),
        1 if code == 4 => out.push(error(ICMPV6_UNREACH_PORT)),
        1 => out.push(error(ICMPV6_UNREACH)),
        2 => out.push(
            error(ICMPV6_PACKET_TOO_BIG)
                .param_with("mtu", || text(l, "icmpv6.mtu"))
                .field(n, d, "icmpv6.mtu"),
        ),
        3 => out.push(error(ICMPV6_TIME_EXCEEDED)),
        4 => out.push(
            error(ICMPV6_PARAM_PROBLEM)
                .param_with("pointer", || text(l, "icmpv6.pointer"))
                .field(n, d, "icmpv6.pointer"),
        ),
        133 => out.push(base(ICMPV6_ND_ROUTER_SOLICIT)),
        134 => out.push(base(ICMPV6_ND_ROUTER_ADVERT)),
        135 => out.push(target(
            ICMPV6_ND_NEIGHBOR_SOLICIT,
            "icmpv6.nd.ns.target_address",
        )),
        136 => out.push(target(
            ICMPV6_ND_NEIGHBOR_ADVERT,
            "icmpv6.nd.na.target_address",
        )),
        137 => out.push(target(ICMPV6_ND_REDIRECT, "icmpv6.nd.rd.target_address")),
        130 | 131 | 132 | 143 => out.push(base(ICMPV6_MLD)),
        _ => {}
    }
}
