//! One or two sentences on what a packet is doing: who asks whom for what, in words a student
//! can follow, with the meaning of the port taken from the port table.

use super::ports::{self, Proto};
use super::PacketView;
use crate::decode::{Dissection, Layer};
use crate::field::Value;

fn s(l: &Layer, name: &str) -> String {
    l.get(name).map(Value::to_string).unwrap_or_default()
}

fn u(l: &Layer, name: &str) -> u64 {
    l.u64(name).unwrap_or(0)
}

/// Source and destination addresses of the outermost IP layer, with that layer.
fn endpoints(d: &Dissection) -> Option<(String, String)> {
    if let Some(l) = d.layer("ip") {
        return Some((s(l, "ip.src"), s(l, "ip.dst")));
    }
    d.layer("ipv6")
        .map(|l| (s(l, "ipv6.src"), s(l, "ipv6.dst")))
}

/// ", the port of DNS ..." for a port with a known meaning, else "".
fn port_phrase(proto: Proto, port: u16) -> String {
    match ports::lookup(proto, port) {
        Some(p) => format!(", {}", p.phrase),
        None if port >= 49152 => {
            ", a port from the dynamic range clients pick for themselves".into()
        }
        None => String::new(),
    }
}

/// The service side of a conversation: the destination's port if it means something, else the
/// source's (replies come from the well-known port).
fn service_port(proto: Proto, sport: u16, dport: u16) -> (u16, bool) {
    let known = |p: u16| ports::lookup(proto, p).is_some_and(|i| !i.is_range());
    if known(dport) || !known(sport) {
        (dport, true)
    } else {
        (sport, false)
    }
}

pub fn narrate(p: &PacketView<'_>) -> String {
    let d = p.d;
    let outer: Vec<&Layer> = d.layers.iter().filter(|l| !l.quoted).collect();
    let mut text = if let Some(a) = d.layer("arp") {
        arp(a)
    } else if let Some(t) = d.layer("tcp") {
        tcp(d, t)
    } else if let Some(t) = d.layer("udp") {
        udp(d, t)
    } else if let Some(t) = d.layer("icmp") {
        icmp(d, t)
    } else if let Some(t) = d.layer("icmpv6") {
        icmpv6(d, t)
    } else if let Some((src, dst)) = endpoints(d) {
        let proto = d
            .layer("ip")
            .map(|l| l.field("ip.proto"))
            .or_else(|| d.layer("ipv6").map(|l| l.field("ipv6.nxt")));
        let name = proto
            .flatten()
            .map(|f| f.shown())
            .unwrap_or_else(|| "unknown".into());
        let frag = d.layer("ip").map(|l| u(l, "ip.frag_offset")).unwrap_or(0);
        if frag > 0 {
            format!("{src} sends {dst} a later fragment of a larger datagram (protocol {name}), starting at byte {frag} of the original.")
        } else {
            format!("{src} sends {dst} an IP datagram carrying protocol {name}.")
        }
    } else {
        match outer.last() {
            Some(l) => format!("A frame whose innermost decoded layer is {}.", l.title),
            None => "An empty frame.".into(),
        }
    };
    if let Some((l, e)) = d.error() {
        text.push_str(&format!(
            " Decoding stopped in the {} layer at byte {}: {}.",
            l.proto, e.offset, e.message
        ));
    }
    text
}

fn arp(a: &Layer) -> String {
    let spa = s(a, "arp.src.proto_ipv4");
    let tpa = s(a, "arp.dst.proto_ipv4");
    let sha = s(a, "arp.src.hw_mac");
    match u(a, "arp.opcode") {
        1 if spa == tpa => {
            format!("{sha} announces that it holds {spa} (a gratuitous ARP request).")
        }
        1 => format!("{spa} ({sha}) asks the local network which hardware address has {tpa}."),
        2 => format!("{spa} answers that it is at hardware address {sha}."),
        op => format!("An ARP message with opcode {op} from {sha}."),
    }
}

fn tcp(d: &Dissection, t: &Layer) -> String {
    let (src, dst) = endpoints(d).unwrap_or_default();
    let sport = u(t, "tcp.srcport") as u16;
    let dport = u(t, "tcp.dstport") as u16;
    let flags = u(t, "tcp.flags");
    let len = u(t, "tcp.len");
    let (svc, to_dst) = service_port(Proto::Tcp, sport, dport);
    let phrase = port_phrase(Proto::Tcp, svc);
    let (syn, ack, rst, fin) = (
        flags & 0x02 != 0,
        flags & 0x10 != 0,
        flags & 0x04 != 0,
        flags & 0x01 != 0,
    );
    match (syn, ack, rst, fin) {
        (true, false, false, false) => format!(
            "{src} asks {dst} to open a connection on TCP {dport}{}.",
            port_phrase(Proto::Tcp, dport)
        ),
        (true, true, false, false) => format!(
            "{src} accepts the connection from {dst} on TCP {sport}{}: something is listening there.",
            port_phrase(Proto::Tcp, sport)
        ),
        (_, _, true, _) => format!(
            "{src} resets the connection with {dst} (TCP {sport} to {dport}): either nothing listens on that port, or the connection is being aborted."
        ),
        (false, _, false, true) => format!(
            "{src} closes its side of the connection with {dst} (TCP {sport} to {dport}){}.",
            if len > 0 { format!(" after sending {len} final bytes") } else { String::new() }
        ),
        (false, true, false, false) if len > 0 => {
            let app = app_words(d);
            let dir = if to_dst { "to the service on" } else { "back from" };
            format!("{src} sends {len} bytes {dir} TCP {svc}{phrase} ({dst}).{app}")
        }
        (false, true, false, false) => format!(
            "{src} acknowledges data from {dst} (TCP {sport} to {dport}); the segment carries no data of its own."
        ),
        _ => format!(
            "{src} sends {dst} a TCP segment with an unusual flag combination ({}) from port {sport} to {dport}.",
            t.field("tcp.flags").map(|f| f.shown()).unwrap_or_default()
        ),
    }
}

fn udp(d: &Dissection, t: &Layer) -> String {
    let (src, dst) = endpoints(d).unwrap_or_default();
    let sport = u(t, "udp.srcport") as u16;
    let dport = u(t, "udp.dstport") as u16;
    let len = u(t, "udp.length").saturating_sub(8);
    let app = app_words(d);
    if !app.is_empty() {
        return format!("{src} (UDP {sport}) to {dst} (UDP {dport}):{app}");
    }
    let (svc, _) = service_port(Proto::Udp, sport, dport);
    format!(
        "{src} sends a {len}-byte UDP datagram from port {sport} to {dst} port {dport}{}.",
        if svc == dport {
            port_phrase(Proto::Udp, dport)
        } else {
            format!(
                " (a reply from port {sport}{})",
                port_phrase(Proto::Udp, sport)
            )
        }
    )
}

/// A sentence about the application layer, when one was decoded (starts with a space).
fn app_words(d: &Dissection) -> String {
    if let Some(a) = d
        .layer("dns")
        .or_else(|| d.layer("mdns"))
        .or_else(|| d.layer("llmnr"))
    {
        let name = s(a, "dns.qry.name");
        let qtype = a
            .field("dns.qry.type")
            .map(|f| f.shown())
            .unwrap_or_default();
        if a.get("dns.flags.response") == Some(&Value::Bool(true)) {
            let rcode = a
                .field("dns.flags.rcode")
                .map(|f| f.shown())
                .unwrap_or_default();
            return format!(
                " a DNS answer about {name} ({qtype}): {} answer record(s), result {rcode}.",
                u(a, "dns.count.answers")
            );
        }
        return format!(" a DNS query asking for the {qtype} record of {name}.");
    }
    if let Some(a) = d.layer("http") {
        if let Some(m) = a.get("http.request.method") {
            let host = a
                .get("http.host")
                .map(|h| format!(" on host {h}"))
                .unwrap_or_default();
            return format!(
                " An HTTP {m} request for {}{host}.",
                s(a, "http.request.uri")
            );
        }
        if let Some(c) = a.get("http.response.code") {
            return format!(
                " An HTTP response with status {c} {}.",
                s(a, "http.response.phrase")
            );
        }
    }
    if let Some(a) = d.layer("dhcp") {
        let kind = a
            .field("dhcp.option.dhcp")
            .map(|f| f.shown())
            .unwrap_or_else(|| "BOOTP".into());
        return format!(
            " a DHCP {kind} message for client {}.",
            s(a, "dhcp.hw.mac_addr")
        );
    }
    if let Some(a) = d.layer("nbns") {
        return format!(
            " a NetBIOS name service message about the name {}.",
            s(a, "nbns.name")
        );
    }
    if let Some(a) = d.layer("tls") {
        if let Some(n) = a.get("tls.handshake.extensions_server_name") {
            return format!(
                " The start of a TLS session: the client asks for the server name {n}."
            );
        }
        return " Encrypted TLS traffic.".into();
    }
    if let Some(a) = d.layer("ntp") {
        return format!(
            " an NTP time message ({}).",
            a.field("ntp.flags.mode")
                .map(|f| f.shown())
                .unwrap_or_default()
        );
    }
    if let Some(a) = d.layer("snmp") {
        return format!(
            " an SNMP message using the community string \"{}\".",
            s(a, "snmp.community")
        );
    }
    String::new()
}

fn icmp(d: &Dissection, t: &Layer) -> String {
    let (src, dst) = endpoints(d).unwrap_or_default();
    let ty = u(t, "icmp.type");
    let quoted_ip = d.layers.iter().find(|l| l.quoted && l.proto == "ip");
    let quoted_l4 = d
        .layers
        .iter()
        .find(|l| l.quoted && matches!(l.proto, "udp" | "tcp"));
    let about = match (quoted_ip, quoted_l4) {
        (Some(ip), Some(l4)) => {
            let p = l4.proto;
            let (sp, dp) = if p == "udp" {
                (u(l4, "udp.srcport"), u(l4, "udp.dstport"))
            } else {
                (u(l4, "tcp.srcport"), u(l4, "tcp.dstport"))
            };
            let proto = if p == "udp" { Proto::Udp } else { Proto::Tcp };
            format!(
                " The packet it refers to went from {}:{sp} to {}:{dp} ({}{}).",
                s(ip, "ip.src"),
                s(ip, "ip.dst"),
                p.to_uppercase(),
                port_phrase(proto, dp as u16)
            )
        }
        (Some(ip), None) => format!(
            " The packet it refers to went from {} to {}.",
            s(ip, "ip.src"),
            s(ip, "ip.dst")
        ),
        _ => String::new(),
    };
    let kind = t.field("icmp.type").map(|f| f.shown()).unwrap_or_default();
    let code = t.field("icmp.code").map(|f| f.shown()).unwrap_or_default();
    match ty {
        8 => format!(
            "{src} pings {dst}: an ICMP echo request (id {}, sequence {}).",
            u(t, "icmp.ident"),
            u(t, "icmp.seq")
        ),
        0 => format!(
            "{src} answers a ping from {dst}: an ICMP echo reply (id {}, sequence {}).",
            u(t, "icmp.ident"),
            u(t, "icmp.seq")
        ),
        3 | 4 | 5 | 11 | 12 => format!("{src} reports an error to {dst}: {kind}, {code}.{about}"),
        _ => format!("{src} sends {dst} an ICMP message: {kind}."),
    }
}

fn icmpv6(d: &Dissection, t: &Layer) -> String {
    let (src, dst) = endpoints(d).unwrap_or_default();
    let kind = t
        .field("icmpv6.type")
        .map(|f| f.shown())
        .unwrap_or_default();
    format!("{src} sends {dst} an ICMPv6 message: {kind}.")
}
