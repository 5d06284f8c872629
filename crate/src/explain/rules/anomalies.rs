//! Malformed or odd packets: lengths that disagree, padding that is not zero, bad checksums, IP
//! options, fragments, odd TTLs, the reserved IP flag, layers that could not be decoded.
//!
//! Owns the `anom.*` ids of `knowledge/anomalies.toml`. Reads the decoder's verdicts (checksum
//! status, trailer kind, layer errors) rather than recomputing them, and only for the packet's
//! own headers: a header quoted inside an ICMP error is cut short by design and is never an
//! anomaly of this packet. Never claims corruption where offload is the likelier cause without
//! saying so in the text.

use crate::decode::{Dissection, Layer, TrailerKind};
use crate::explain::{Finding, PacketView};
use crate::field::Value;

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[
    UDP_LENGTH_EXCEEDS_IP,
    UDP_LENGTH_BELOW_HEADER,
    UDP_LENGTH_SHORT_OF_IP,
    IP_LEN_BEYOND_FRAME,
    IP_LEN_ZERO,
    ETH_PADDING_NONZERO,
    ETH_TRAILER,
    CHECKSUM_IP_BAD,
    CHECKSUM_TRANSPORT_BAD,
    CHECKSUM_ICMP_BAD,
    IP_OPT_SOURCE_ROUTE,
    IP_OPT_RECORD_ROUTE,
    IP_OPT_TIMESTAMP,
    IP_OPT_ROUTER_ALERT,
    IP_OPT_OTHER,
    IP_FRAG_FIRST,
    IP_FRAG_LATER,
    IP_FRAG_TINY_FIRST,
    IP_FRAG_TCP_HEADER_OVERLAP,
    IP_TTL_LOW,
    IP_TTL_ZERO,
    IP_EVIL_BIT,
    MALFORMED,
];
pub const UDP_LENGTH_EXCEEDS_IP: &str = "anom.udp.length_exceeds_ip";
pub const UDP_LENGTH_BELOW_HEADER: &str = "anom.udp.length_below_header";
pub const UDP_LENGTH_SHORT_OF_IP: &str = "anom.udp.length_short_of_ip";
pub const IP_LEN_BEYOND_FRAME: &str = "anom.ip.len_beyond_frame";
pub const IP_LEN_ZERO: &str = "anom.ip.len_zero";
pub const ETH_PADDING_NONZERO: &str = "anom.eth.padding_nonzero";
pub const ETH_TRAILER: &str = "anom.eth.trailer";
pub const CHECKSUM_IP_BAD: &str = "anom.checksum.ip_bad";
pub const CHECKSUM_TRANSPORT_BAD: &str = "anom.checksum.transport_bad";
pub const CHECKSUM_ICMP_BAD: &str = "anom.checksum.icmp_bad";
pub const IP_OPT_SOURCE_ROUTE: &str = "anom.ip.opt.source_route";
pub const IP_OPT_RECORD_ROUTE: &str = "anom.ip.opt.record_route";
pub const IP_OPT_TIMESTAMP: &str = "anom.ip.opt.timestamp";
pub const IP_OPT_ROUTER_ALERT: &str = "anom.ip.opt.router_alert";
pub const IP_OPT_OTHER: &str = "anom.ip.opt.other";
pub const IP_FRAG_FIRST: &str = "anom.ip.frag.first";
pub const IP_FRAG_LATER: &str = "anom.ip.frag.later";
pub const IP_FRAG_TINY_FIRST: &str = "anom.ip.frag.tiny_first";
pub const IP_FRAG_TCP_HEADER_OVERLAP: &str = "anom.ip.frag.tcp_header_overlap";
pub const IP_TTL_LOW: &str = "anom.ip.ttl_low";
pub const IP_TTL_ZERO: &str = "anom.ip.ttl_zero";
pub const IP_EVIL_BIT: &str = "anom.ip.evil_bit";
pub const MALFORMED: &str = "anom.malformed";

/// Arriving TTLs at or below this are reported: traceroute's first probes use 1, 2, 3...
/// Raising it catches more traceroute hops but starts to flag genuinely distant senders whose
/// initial TTL was low (seed 003 §2.11.0 mentions stacks starting well below 64).
const LOW_TTL: u64 = 2;

pub fn check(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    let mut explained = false;
    lengths(p, out, &mut explained);
    trailer(p, out);
    checksums(p, out);
    if let Some(ip) = p.d.layer("ip") {
        ip_options(p, ip, out);
        // A tiny first fragment cuts the transport header by construction; that cut is the
        // finding, so it is not reported again as a malformed layer.
        explained |= fragments(p, ip, out);
        if ip.get("ip.flags.rb") == Some(&Value::Bool(true)) {
            out.push(p.finding(IP_EVIL_BIT).field(p.number, p.d, "ip.flags.rb"));
        }
    }
    ttl(p, out);
    malformed(p, out, explained);
}

/// The room an IP layer leaves, from `from` (a transport header's offset) to the datagram's
/// claimed end; `None` when the IP length is unknown.
fn ip_room(ip: &Layer, from: usize) -> Option<u64> {
    let end = match ip.proto {
        "ip" => (ip.offset as u64).checked_add(ip.u64("ip.len")?)?,
        _ => (ip.offset as u64)
            .checked_add(40)?
            .checked_add(ip.u64("ipv6.plen")?)?,
    };
    Some(end.saturating_sub(from as u64))
}

/// The IP layer a transport layer sits in: the last unquoted IPv4/IPv6 layer before it.
fn carrier<'a>(d: &'a Dissection, inner: &Layer) -> Option<&'a Layer> {
    d.layers
        .iter()
        .take_while(|l| !std::ptr::eq(*l, inner))
        .filter(|l| !l.quoted && matches!(l.proto, "ip" | "ipv6"))
        .last()
}

/// Length fields against each other and the frame; sets `udp_len_explained` when the UDP
/// layer's decoding error is one of the length findings.
fn lengths(p: &PacketView<'_>, out: &mut Vec<Finding>, udp_len_explained: &mut bool) {
    let d = p.d;
    if let Some(udp) = d.layer("udp") {
        let ulen = udp.u64("udp.length");
        let room = carrier(d, udp).and_then(|ip| ip_room(ip, udp.offset));
        let frag = d
            .layer("ip")
            .is_some_and(|ip| ip.get("ip.flags.mf") == Some(&Value::Bool(true)));
        if let Some(ulen) = ulen {
            let ev = |f: Finding| f.field(p.number, d, "udp.length");
            if ulen < 8 {
                *udp_len_explained = true;
                out.push(ev(p.finding(UDP_LENGTH_BELOW_HEADER).param("ulen", ulen)));
            } else if let Some(room) = room.filter(|&r| ulen > r && !frag) {
                // A first fragment legitimately carries less than the UDP length announces.
                *udp_len_explained = true;
                out.push(
                    ev(p.finding(UDP_LENGTH_EXCEEDS_IP)
                        .param("ulen", ulen)
                        .param("room", room))
                    .field(p.number, d, "ip.len"),
                );
            }
        }
        if let (Some(ulen), Some(extra)) = (ulen, udp.u64("udp.length.bad_extra")) {
            out.push(
                p.finding(UDP_LENGTH_SHORT_OF_IP)
                    .param("ulen", ulen)
                    .param("extra", extra)
                    .field(p.number, d, "udp.length")
                    .field(p.number, d, "udp.length.bad_extra"),
            );
        }
    }
    for l in d.layers.iter().filter(|l| !l.quoted) {
        let (len_field, version) = match l.proto {
            "ip" => ("ip.len", "IPv4"),
            "ipv6" => ("ipv6.plen", "IPv6"),
            _ => continue,
        };
        let Some(len) = l.u64(len_field) else {
            continue;
        };
        if len == 0 {
            // IPv6 uses 0 for jumbograms (RFC 2675); only IPv4's zero is the offload trace.
            if l.proto == "ip" {
                out.push(p.finding(IP_LEN_ZERO).field(p.number, d, "ip.len"));
            }
            break;
        }
        let claimed = if l.proto == "ip" {
            len
        } else {
            len.saturating_add(40)
        };
        let captured = (d.len as u64).saturating_sub(l.offset as u64);
        // When the capture kept the whole frame, the missing bytes were never sent: the length
        // field lies. When the snap length cut the frame, nothing is wrong with the packet.
        if claimed > captured && d.orig_len.is_some_and(|o| o <= d.len) {
            out.push(
                p.finding(IP_LEN_BEYOND_FRAME)
                    .param("version", version)
                    .param("claimed", claimed)
                    .param("captured", captured)
                    .field(p.number, d, len_field),
            );
        }
        // Only the outermost datagram is compared with the frame; tunnelled ones end inside it.
        break;
    }
}

fn trailer(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    let Some(t) = &p.d.trailer else { return };
    let (id, field) = match t.kind {
        TrailerKind::ZeroPadding => return,
        TrailerKind::NonZeroPadding => (ETH_PADDING_NONZERO, "eth.padding"),
        TrailerKind::ExtraData => (ETH_TRAILER, "eth.trailer"),
    };
    out.push(
        p.finding(id)
            .param("len", t.len)
            .bytes(p.number, field, t.offset, t.len),
    );
}

fn checksums(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    for l in p.d.layers.iter().filter(|l| !l.quoted) {
        let (id, proto, base, status, calc) = match l.proto {
            "ip" => (
                CHECKSUM_IP_BAD,
                "IPv4 header",
                "ip.checksum",
                "ip.checksum.status",
                "ip.checksum_calculated",
            ),
            "tcp" => (
                CHECKSUM_TRANSPORT_BAD,
                "TCP",
                "tcp.checksum",
                "tcp.checksum.status",
                "tcp.checksum_calculated",
            ),
            "udp" => (
                CHECKSUM_TRANSPORT_BAD,
                "UDP",
                "udp.checksum",
                "udp.checksum.status",
                "udp.checksum_calculated",
            ),
            "icmp" => (
                CHECKSUM_ICMP_BAD,
                "ICMP",
                "icmp.checksum",
                "icmp.checksum.status",
                "icmp.checksum_calculated",
            ),
            "icmpv6" => (
                CHECKSUM_ICMP_BAD,
                "ICMPv6",
                "icmpv6.checksum",
                "icmpv6.checksum.status",
                "icmpv6.checksum_calculated",
            ),
            _ => continue,
        };
        // Wireshark's status values: 0 bad, 1 good, 2 unverified, 3 absent.
        if l.u64(status) != Some(0) {
            continue;
        }
        let Some(f) = l.field(base) else { continue };
        if !p.texts {
            out.push(p.finding(id));
            continue;
        }
        let got = f
            .value
            .as_u64()
            .map(|v| format!("0x{v:04x}"))
            .unwrap_or_else(|| f.shown());
        // Decoders give the right value as a field of its own, or (ICMP) inside the checksum's
        // display text, "... should be 0x040a]".
        let want = match l.field(calc).and_then(|c| c.value.as_u64()) {
            Some(v) => format!("0x{v:04x}"),
            None => f
                .display
                .as_deref()
                .and_then(|d| d.split("should be ").nth(1))
                .map(|w| w.trim_end_matches(']').trim().to_string())
                .filter(|w| w.starts_with("0x"))
                .unwrap_or_else(|| "unknown".into()),
        };
        out.push(
            p.finding(id)
                .param("proto", proto)
                .param("got", got)
                .param("want", want)
                .param("src", super::tcp::endpoints(p.d).0)
                .bytes(p.number, f.name, f.offset, f.len),
        );
    }
}

fn ip_options(p: &PacketView<'_>, ip: &Layer, out: &mut Vec<Finding>) {
    // Options as listed by the IANA "IP Option Numbers" registry (RFC 791, RFC 2113).
    for f in ip.fields.iter().filter(|f| f.name == "ip.opt.type") {
        let Some(t) = f.value.as_u64() else { continue };
        let finding = match t {
            0 | 1 => continue,
            131 => p.finding(IP_OPT_SOURCE_ROUTE).param("kind", "loose"),
            137 => p.finding(IP_OPT_SOURCE_ROUTE).param("kind", "strict"),
            7 => p.finding(IP_OPT_RECORD_ROUTE),
            68 => p.finding(IP_OPT_TIMESTAMP),
            148 => p.finding(IP_OPT_ROUTER_ALERT),
            _ => p.finding(IP_OPT_OTHER).param("type", f.shown()),
        };
        out.push(finding.bytes(p.number, f.name, f.offset, f.len));
    }
}

/// Reports fragments; true when the transport header was cut by a tiny first fragment.
fn fragments(p: &PacketView<'_>, ip: &Layer, out: &mut Vec<Finding>) -> bool {
    let mf = ip.get("ip.flags.mf") == Some(&Value::Bool(true));
    let offset = ip.u64("ip.frag_offset").unwrap_or(0);
    if !mf && offset == 0 {
        return false;
    }
    let id = ip
        .field("ip.id")
        .map(|f| format!("0x{:04x}", f.value.as_u64().unwrap_or(0)))
        .unwrap_or_else(|| "?".into());
    let proto = ip.u64("ip.proto").unwrap_or(0);
    let ev = |f: Finding| {
        f.field(p.number, p.d, "ip.flags.mf")
            .field(p.number, p.d, "ip.frag_offset")
    };
    if offset == 0 {
        // Smallest header each transport needs to be judged: TCP's flags end at byte 14, but
        // RFC 1858 asks for the whole 20-byte header; UDP and ICMP need their 8 bytes.
        let need = match proto {
            6 => Some(("TCP", 20u64)),
            17 => Some(("UDP", 8)),
            1 => Some(("ICMP", 8)),
            _ => None,
        };
        let len = ip
            .u64("ip.len")
            .zip(ip.u64("ip.hdr_len"))
            .map(|(t, h)| t.saturating_sub(h));
        if let (Some((name, need)), Some(len)) = (need, len) {
            if len < need {
                out.push(ev(p
                    .finding(IP_FRAG_TINY_FIRST)
                    .param("proto", name)
                    .param("len", len)
                    .param("need", need)));
                return true;
            }
        }
        out.push(ev(p.finding(IP_FRAG_FIRST).param("id", id)));
    } else if proto == 6 && offset == 8 {
        out.push(ev(p.finding(IP_FRAG_TCP_HEADER_OVERLAP)));
    } else {
        out.push(ev(p
            .finding(IP_FRAG_LATER)
            .param("id", id)
            .param("offset", offset)));
    }
    false
}

/// Whether a low TTL is the packet's design: traffic meant to stay on the local link.
fn link_local_by_design(d: &Dissection) -> bool {
    if let Some(ip) = d.layer("ip") {
        // Multicast to the link, and routing protocols that talk to direct neighbours with TTL 1:
        // IGMP (2), EIGRP (88), OSPF (89), PIM (103), VRRP (112) (IANA protocol numbers).
        if matches!(ip.get("ip.dst"), Some(Value::Ipv4(a)) if a.is_multicast())
            || matches!(ip.u64("ip.proto"), Some(2 | 88 | 89 | 103 | 112))
        {
            return true;
        }
    } else if let Some(ip) = d.layer("ipv6") {
        let link_local = |v: Option<&Value>| match v {
            Some(Value::Ipv6(a)) => a.is_multicast() || (a.segments()[0] & 0xffc0) == 0xfe80,
            _ => false,
        };
        if link_local(ip.get("ipv6.dst")) || link_local(ip.get("ipv6.src")) {
            return true;
        }
    }
    // External BGP sessions run over TCP 179 with TTL 1 unless multihop is configured (RFC 4271).
    d.layer("tcp")
        .is_some_and(|t| t.u64("tcp.srcport") == Some(179) || t.u64("tcp.dstport") == Some(179))
}

fn ttl(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    let (ttl, field) = if let Some(ip) = p.d.layer("ip") {
        (ip.u64("ip.ttl"), "ip.ttl")
    } else if let Some(ip) = p.d.layer("ipv6") {
        (ip.u64("ipv6.hlim"), "ipv6.hlim")
    } else {
        return;
    };
    let Some(ttl) = ttl else { return };
    if ttl == 0 {
        out.push(p.finding(IP_TTL_ZERO).field(p.number, p.d, field));
    } else if ttl <= LOW_TTL && !link_local_by_design(p.d) {
        out.push(
            p.finding(IP_TTL_LOW)
                .param("ttl", ttl)
                .field(p.number, p.d, field),
        );
    }
}

/// The first layer that failed, unless a finding above already explains the failure.
fn malformed(p: &PacketView<'_>, out: &mut Vec<Finding>, explained: bool) {
    let mut over_tcp = false;
    for l in p.d.layers.iter().filter(|l| !l.quoted) {
        // Application data over TCP is a byte stream cut at arbitrary segment boundaries; without
        // reassembly, a message that runs on into the next segment is normal, not malformed.
        if over_tcp {
            break;
        }
        over_tcp = l.proto == "tcp";
        let Some(e) = &l.error else { continue };
        if explained && matches!(l.proto, "udp" | "tcp" | "icmp") {
            continue;
        }
        // A cut packet fails at the frame's end; point at its last byte rather than past it.
        let at = e.offset.min(p.d.len.saturating_sub(1));
        out.push(
            p.finding(MALFORMED)
                .param("layer", l.proto)
                .param("message", &e.message)
                .param("offset", e.offset)
                .bytes(p.number, l.proto, at, 1),
        );
        // The first failure is the one that matters; later layers were cut by it.
        break;
    }
}
