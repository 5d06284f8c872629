//! One line per packet in tcpdump's `-n` notation, the notation the classic references print:
//! `IP 10.9.9.9.2097 > 192.168.5.132.32775: Flags [S], seq 2950485912, win 32120, length 0`.
//!
//! It reads only the decoded fields, never the raw bytes, and is per packet: sequence numbers
//! are absolute (tcpdump `-S`) because relative ones need the rest of the connection.

use crate::decode::{Dissection, Layer};
use crate::field::Value;
use std::fmt::Write;

/// The protocol part of a tcpdump-style summary line (no timestamp).
pub fn summary_line(d: &Dissection) -> String {
    let mut out = String::new();
    let outer: Vec<&Layer> = d.layers.iter().filter(|l| !l.quoted).collect();
    // The innermost network layer decides the line, as tcpdump prints the tunnel's payload.
    let net = outer
        .iter()
        .rposition(|l| matches!(l.proto, "ip" | "ipv6" | "arp"));
    match net {
        Some(i) => {
            let rest = outer.get(i + 1..).unwrap_or(&[]);
            if let Some(l) = outer.get(i) {
                match l.proto {
                    "arp" => arp(&mut out, l),
                    _ => ip(&mut out, d, l, rest),
                }
            }
        }
        None => link_only(&mut out, d, &outer),
    }
    if let Some((l, _)) = d.error() {
        let _ = write!(out, " [|{}]", l.proto);
    }
    out
}

fn u(l: &Layer, name: &str) -> u64 {
    l.u64(name).unwrap_or(0)
}

fn s(l: &Layer, name: &str) -> String {
    l.get(name).map(Value::to_string).unwrap_or_default()
}

fn arp(out: &mut String, l: &Layer) {
    let len = l.len;
    let tpa = s(l, "arp.dst.proto_ipv4");
    let spa = s(l, "arp.src.proto_ipv4");
    match u(l, "arp.opcode") {
        1 => {
            let _ = write!(out, "ARP, Request who-has {tpa} tell {spa}, length {len}");
        }
        2 => {
            let sha = s(l, "arp.src.hw_mac");
            let _ = write!(out, "ARP, Reply {spa} is-at {sha}, length {len}");
        }
        3 | 4 => {
            let _ = write!(out, "RARP, opcode {}, length {len}", u(l, "arp.opcode"));
        }
        op => {
            let _ = write!(out, "ARP, opcode {op}, length {len}");
        }
    }
}

fn ip(out: &mut String, d: &Dissection, l: &Layer, rest: &[&Layer]) {
    let v6 = l.proto == "ipv6";
    let (src, dst) = if v6 {
        (s(l, "ipv6.src"), s(l, "ipv6.dst"))
    } else {
        (s(l, "ip.src"), s(l, "ip.dst"))
    };
    out.push_str(if v6 { "IP6 " } else { "IP " });
    let ip_payload_len = if v6 {
        u(l, "ipv6.plen")
    } else {
        u(l, "ip.len").saturating_sub(u(l, "ip.hdr_len"))
    };
    let frag = if v6 {
        u(l, "ipv6.fraghdr.offset")
    } else {
        u(l, "ip.frag_offset")
    };
    let transport = rest.first();
    match transport.map(|t| t.proto) {
        Some("tcp") => {
            if let Some(t) = transport {
                let _ = write!(
                    out,
                    "{src}.{} > {dst}.{}: ",
                    u(t, "tcp.srcport"),
                    u(t, "tcp.dstport")
                );
                tcp(out, t, rest.get(1));
            }
        }
        Some("udp") => {
            if let Some(t) = transport {
                let _ = write!(
                    out,
                    "{src}.{} > {dst}.{}: ",
                    u(t, "udp.srcport"),
                    u(t, "udp.dstport")
                );
                udp(out, t, rest.get(1));
            }
        }
        Some("icmp") => {
            if let Some(t) = transport {
                let _ = write!(out, "{src} > {dst}: ");
                icmp(out, d, t, ip_payload_len);
            }
        }
        Some("icmpv6") => {
            if let Some(t) = transport {
                let _ = write!(out, "{src} > {dst}: ");
                icmpv6(out, t, ip_payload_len);
            }
        }
        Some("igmp") => {
            let _ = write!(out, "{src} > {dst}: igmp, length {ip_payload_len}");
        }
        Some("gre") => {
            let _ = write!(out, "{src} > {dst}: GRE, length {ip_payload_len}");
        }
        _ => {
            let proto = if v6 {
                u(l, "ipv6.nxt")
            } else {
                u(l, "ip.proto")
            };
            let _ = write!(out, "{src} > {dst}: ");
            if frag > 0 {
                let _ = write!(out, "ip-proto-{proto} (fragment at offset {frag})");
            } else {
                let _ = write!(out, "ip-proto-{proto} {ip_payload_len}");
            }
        }
    }
}

/// Flag letters in tcpdump's order: FIN SYN RST PSH ACK URG ECE CWR.
fn tcp_flags(f: u64) -> String {
    const TABLE: [(u64, char); 8] = [
        (0x01, 'F'),
        (0x02, 'S'),
        (0x04, 'R'),
        (0x08, 'P'),
        (0x10, '.'),
        (0x20, 'U'),
        (0x40, 'E'),
        (0x80, 'W'),
    ];
    let s: String = TABLE
        .iter()
        .filter(|(m, _)| f & m != 0)
        .map(|(_, c)| *c)
        .collect();
    if s.is_empty() {
        "none".into()
    } else {
        s
    }
}

fn tcp(out: &mut String, t: &Layer, app: Option<&&Layer>) {
    let flags = u(t, "tcp.flags");
    let len = u(t, "tcp.len");
    let seq = u(t, "tcp.seq_raw");
    let _ = write!(out, "Flags [{}]", tcp_flags(flags));
    if len > 0 || flags & 0x07 != 0 {
        if len > 0 {
            let _ = write!(out, ", seq {seq}:{}", seq + len);
        } else {
            let _ = write!(out, ", seq {seq}");
        }
    }
    if flags & 0x10 != 0 {
        let _ = write!(out, ", ack {}", u(t, "tcp.ack_raw"));
    }
    let _ = write!(out, ", win {}", u(t, "tcp.window_size_value"));
    if flags & 0x20 != 0 {
        let _ = write!(out, ", urg {}", u(t, "tcp.urgent_pointer"));
    }
    let opts = tcp_options(t);
    if !opts.is_empty() {
        let _ = write!(out, ", options [{opts}]");
    }
    let _ = write!(out, ", length {len}");
    if let Some(a) = app {
        if let Some(txt) = app_summary(a) {
            let _ = write!(out, ": {txt}");
        }
    }
}

/// Options as tcpdump prints them: `mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`.
fn tcp_options(t: &Layer) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut fields = t.fields.iter().peekable();
    while let Some(f) = fields.next() {
        if f.name != "tcp.option_kind" {
            continue;
        }
        let kind = f.value.as_u64().unwrap_or(0);
        let next_val = |name: &str| {
            t.fields
                .iter()
                .find(|g| g.name == name && g.offset > f.offset && g.offset < f.offset + 40)
                .and_then(|g| g.value.as_u64())
                .unwrap_or(0)
        };
        parts.push(match kind {
            0 => "eol".into(),
            1 => "nop".into(),
            2 => format!("mss {}", next_val("tcp.options.mss_val")),
            3 => format!("wscale {}", next_val("tcp.options.wscale.shift")),
            4 => "sackOK".into(),
            5 => "sack".into(),
            8 => format!(
                "TS val {} ecr {}",
                next_val("tcp.options.timestamp.tsval"),
                next_val("tcp.options.timestamp.tsecr")
            ),
            19 => "md5".into(),
            30 => "mptcp".into(),
            34 => "tfo".into(),
            k => format!("opt-{k}"),
        });
        let _ = fields.peek();
    }
    parts.join(",")
}

fn udp(out: &mut String, t: &Layer, app: Option<&&Layer>) {
    if let Some(txt) = app.and_then(|a| app_summary(a)) {
        out.push_str(&txt);
        return;
    }
    let len = u(t, "udp.length").saturating_sub(8);
    let _ = write!(out, "UDP, length {len}");
}

/// A short account of an application layer, when one was decoded.
fn app_summary(a: &Layer) -> Option<String> {
    match a.proto {
        "dns" | "mdns" | "llmnr" => Some(dns(a)),
        "http" => {
            let line = a
                .get("http.request.line")
                .or_else(|| a.get("http.response.line"))
                .map(Value::to_string);
            let first = match (a.get("http.request.method"), a.get("http.response.code")) {
                (Some(m), _) => format!(
                    "HTTP: {} {} {}",
                    m,
                    s(a, "http.request.uri"),
                    s(a, "http.request.version")
                ),
                (None, Some(c)) => format!(
                    "HTTP: {} {} {}",
                    s(a, "http.response.version"),
                    c,
                    s(a, "http.response.phrase")
                ),
                _ => format!("HTTP{}", line.map(|l| format!(": {l}")).unwrap_or_default()),
            };
            Some(first.trim_end().to_string())
        }
        "dhcp" => {
            let kind = a
                .field("dhcp.option.dhcp")
                .map(|f| f.shown())
                .unwrap_or_else(|| "BOOTP".into());
            let op = if u(a, "dhcp.type") == 2 {
                "Reply"
            } else {
                "Request"
            };
            Some(format!(
                "BOOTP/DHCP, {op} from {}, {kind}, length {}",
                s(a, "dhcp.hw.mac_addr"),
                a.len
            ))
        }
        "nbns" => {
            let name = s(a, "nbns.name");
            let resp = a.get("nbns.flags.response") == Some(&Value::Bool(true));
            Some(format!(
                "NBT UDP PACKET(137): {} {name}",
                if resp { "RESPONSE" } else { "QUERY" }
            ))
        }
        "ntp" => Some(format!(
            "NTPv{}, {}, length {}",
            u(a, "ntp.flags.vn"),
            a.field("ntp.flags.mode")
                .map(|f| f.shown())
                .unwrap_or_default(),
            a.len
        )),
        "snmp" => Some(format!(
            "SNMP {} C=\"{}\" {}",
            a.field("snmp.version")
                .map(|f| f.shown())
                .unwrap_or_default(),
            s(a, "snmp.community"),
            a.field("snmp.data").map(|f| f.shown()).unwrap_or_default()
        )),
        "tls" => {
            let sni = a.get("tls.handshake.extensions_server_name");
            Some(match sni {
                Some(n) => format!("TLS ClientHello, server name {n}"),
                None => format!(
                    "TLS {}",
                    a.field("tls.handshake.type")
                        .or_else(|| a.field("tls.record.content_type"))
                        .map(|f| f.shown())
                        .unwrap_or_else(|| "record".into())
                ),
            })
        }
        _ => None,
    }
}

/// DNS in tcpdump's style: `4660+ A? example.com. (29)` and `4660 1/0/0 A 1.2.3.4 (45)`.
fn dns(a: &Layer) -> String {
    let id = u(a, "dns.id");
    let resp = a.get("dns.flags.response") == Some(&Value::Bool(true));
    let qtype = a
        .field("dns.qry.type")
        .map(|f| f.shown())
        .unwrap_or_default();
    let qtype = qtype.split_whitespace().next().unwrap_or("").to_string();
    let qname = s(a, "dns.qry.name");
    if !resp {
        let rd = if a.get("dns.flags.recdesired") == Some(&Value::Bool(true)) {
            "+"
        } else {
            ""
        };
        return format!("{id}{rd} {qtype}? {qname}. ({})", a.len);
    }
    let rcode = u(a, "dns.flags.rcode");
    let mut out = format!("{id}");
    if rcode != 0 {
        let name = a
            .field("dns.flags.rcode")
            .map(|f| f.shown())
            .unwrap_or_else(|| rcode.to_string());
        let _ = write!(out, " {name}");
    }
    let _ = write!(
        out,
        " {}/{}/{}",
        u(a, "dns.count.answers"),
        u(a, "dns.count.auth_rr"),
        u(a, "dns.count.add_rr")
    );
    let answers: Vec<String> = a
        .fields
        .iter()
        .filter_map(|f| match f.name {
            "dns.a" => Some(format!("A {}", f.value)),
            "dns.aaaa" => Some(format!("AAAA {}", f.value)),
            "dns.cname" => Some(format!("CNAME {}.", f.value)),
            "dns.ptr.domain_name" => Some(format!("PTR {}.", f.value)),
            _ => None,
        })
        .take(4)
        .collect();
    if !answers.is_empty() {
        let _ = write!(out, " {}", answers.join(", "));
    }
    let _ = write!(out, " ({})", a.len);
    out
}

/// ICMP in tcpdump's words, with the quoted packet for errors.
fn icmp(out: &mut String, d: &Dissection, t: &Layer, len: u64) {
    let ty = u(t, "icmp.type");
    let code = u(t, "icmp.code");
    let quoted_dst = d
        .layers
        .iter()
        .find(|l| l.quoted && l.proto == "ip")
        .map(|l| s(l, "ip.dst"))
        .unwrap_or_default();
    let quoted_port = d
        .layers
        .iter()
        .find(|l| l.quoted && matches!(l.proto, "udp" | "tcp"))
        .map(|l| {
            let p = l.proto;
            let port = l.u64(if p == "udp" {
                "udp.dstport"
            } else {
                "tcp.dstport"
            });
            (p, port.unwrap_or(0))
        });
    let body = match (ty, code) {
        (0, _) => format!(
            "echo reply, id {}, seq {}",
            u(t, "icmp.ident"),
            u(t, "icmp.seq")
        ),
        (8, _) => format!(
            "echo request, id {}, seq {}",
            u(t, "icmp.ident"),
            u(t, "icmp.seq")
        ),
        (3, 0) => format!("net {quoted_dst} unreachable"),
        (3, 1) => format!("host {quoted_dst} unreachable"),
        (3, 2) => {
            let p = d
                .layers
                .iter()
                .find(|l| l.quoted && l.proto == "ip")
                .map(|l| u(l, "ip.proto"))
                .unwrap_or(0);
            format!("{quoted_dst} protocol {p} unreachable")
        }
        (3, 3) => match quoted_port {
            Some((p, port)) => format!("{quoted_dst} {p} port {port} unreachable"),
            None => format!("{quoted_dst} port unreachable"),
        },
        (3, 4) => format!(
            "{quoted_dst} unreachable - need to frag (mtu {})",
            u(t, "icmp.mtu")
        ),
        (3, 13) => format!("host {quoted_dst} unreachable - admin prohibited filter"),
        (3, c) => format!("{quoted_dst} unreachable (code {c})"),
        (4, _) => "source quench".into(),
        (5, _) => format!("redirect {quoted_dst} to host {}", s(t, "icmp.redir_gw")),
        (11, 0) => "time exceeded in-transit".into(),
        (11, 1) => "ip reassembly time exceeded".into(),
        (12, _) => format!("parameter problem - octet {}", u(t, "icmp.pointer")),
        (13, _) => "time stamp query".into(),
        (14, _) => "time stamp reply".into(),
        (17, _) => "address mask request".into(),
        (18, _) => "address mask reply".into(),
        (9, _) => "router advertisement".into(),
        (10, _) => "router solicitation".into(),
        (t, c) => format!("type-#{t} code {c}"),
    };
    let _ = write!(out, "ICMP {body}, length {len}");
}

fn icmpv6(out: &mut String, t: &Layer, len: u64) {
    let ty = u(t, "icmpv6.type");
    let body = match ty {
        1 => "destination unreachable".to_string(),
        2 => format!("packet too big, mtu {}", u(t, "icmpv6.mtu")),
        3 => "time exceeded in-transit".into(),
        4 => "parameter problem".into(),
        128 => format!(
            "echo request, id {}, seq {}",
            u(t, "icmpv6.echo.identifier"),
            u(t, "icmpv6.echo.sequence_number")
        ),
        129 => format!(
            "echo reply, id {}, seq {}",
            u(t, "icmpv6.echo.identifier"),
            u(t, "icmpv6.echo.sequence_number")
        ),
        130 => "multicast listener query".into(),
        131 => "multicast listener report".into(),
        132 => "multicast listener done".into(),
        133 => "router solicitation".into(),
        134 => "router advertisement".into(),
        135 => format!(
            "neighbor solicitation, who has {}",
            s(t, "icmpv6.nd.ns.target_address")
        ),
        136 => format!(
            "neighbor advertisement, tgt is {}",
            s(t, "icmpv6.nd.na.target_address")
        ),
        137 => "redirect".into(),
        143 => "multicast listener report v2".into(),
        other => format!("type {other}"),
    };
    let _ = write!(out, "ICMP6, {body}, length {len}");
}

/// Frames with no IP or ARP: name the link and what it carries.
fn link_only(out: &mut String, d: &Dissection, outer: &[&Layer]) {
    let last = outer.last();
    if let Some(w) = outer.iter().find(|l| l.proto == "wlan") {
        let kind = w
            .field("wlan.fc.type_subtype")
            .map(|f| f.shown())
            .unwrap_or_else(|| "802.11".into());
        let _ = write!(out, "802.11 {kind}");
        if let Some(ssid) = w.get("wlan.ssid") {
            let _ = write!(out, " ({ssid})");
        }
        return;
    }
    let et = outer.iter().rev().find_map(|l| {
        l.field("vlan.etype")
            .or_else(|| l.field("eth.type"))
            .or_else(|| l.field("sll.etype"))
            .or_else(|| l.field("llc.type"))
    });
    match (et, last) {
        (Some(f), _) => {
            let _ = write!(out, "ethertype {}, length {}", f.shown(), d.len);
        }
        (None, Some(l)) if l.proto == "llc" || outer.iter().any(|l| l.proto == "llc") => {
            let dsap = outer
                .iter()
                .find_map(|l| l.field("llc.dsap"))
                .map(|f| f.shown())
                .unwrap_or_default();
            let _ = write!(out, "802.2 LLC, dsap {dsap}, length {}", d.len);
        }
        (None, Some(l)) => {
            let _ = write!(out, "{}, length {}", l.title, d.len);
        }
        (None, None) => {
            let _ = write!(out, "empty frame");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, linktype};

    #[test]
    fn tcp_syn_in_tcpdump_notation() {
        // The 32775 sweep from the tcpdump case studies: 10.9.9.9.2097 > 192.168.5.132.32775.
        let f: Vec<u8> = vec![
            0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, // IPv4, 40 bytes, TCP
            10, 9, 9, 9, 192, 168, 5, 132, // src, dst
            0x08, 0x31, 0x80, 0x07, // ports 2097 > 32775
            0xaf, 0xdd, 0x27, 0x58, 0, 0, 0, 0, // seq 2950506328, ack 0
            0x50, 0x02, 0x7d, 0x78, 0, 0, 0, 0, // hdr 20, SYN, win 32120
        ];
        let d = decode(&f, linktype::RAW);
        assert_eq!(
            summary_line(&d),
            "IP 10.9.9.9.2097 > 192.168.5.132.32775: Flags [S], seq 2950506328, win 32120, length 0"
        );
    }

    #[test]
    fn udp_generic_and_truncation_marker() {
        let f: Vec<u8> = vec![
            0x45, 0, 0, 31, 0, 1, 0, 0, 64, 17, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, // IPv4, UDP
            0x08, 0xa7, 0x79, 0x19, 0, 11, 0, 0, 0x41, 0x41, 0x41, // 2215 > 31001, 3 bytes
        ];
        let d = decode(&f, linktype::RAW);
        assert_eq!(
            summary_line(&d),
            "IP 1.2.3.4.2215 > 5.6.7.8.31001: UDP, length 3"
        );
        let d = decode(&f[..24], linktype::RAW);
        assert_eq!(
            summary_line(&d),
            "IP 1.2.3.4.2215 > 5.6.7.8.31001: UDP, length 0 [|udp]"
        );
    }

    #[test]
    fn flags_follow_tcpdump_order() {
        assert_eq!(tcp_flags(0x12), "S.");
        assert_eq!(tcp_flags(0x18), "P.");
        assert_eq!(tcp_flags(0x14), "R.");
        assert_eq!(tcp_flags(0x29), "FPU");
        assert_eq!(tcp_flags(0), "none");
    }
}
