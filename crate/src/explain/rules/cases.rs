//! The recognisable cases from the seed documents: 2301 loopback broadcasts (Compaq Insight
//! Manager), Blaster's resets from 127.0.0.1:80, NetBIOS name lookups and node status requests,
//! DHCP/BOOTP broadcasts, SNMP default communities, proxy probes, ident callbacks.
//!
//! Owns the `case.*` ids of `knowledge/cases.toml`. A case adds a specific story beside the
//! generic findings (a 127.0.0.1 source still raises `addr.loopback_source` from the address
//! rules); it never replaces or suppresses another area's finding, and reads only the packet's
//! own, unquoted layers.

use super::tcp::endpoints;
use crate::decode::Dissection;
use crate::explain::{Finding, PacketView};
use crate::field::Value;

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[
    COMPAQ_INSIGHT_2301,
    BLASTER_SINKHOLE_RST,
    NETBIOS_NAME_QUERY,
    NETBIOS_NODE_STATUS,
    DHCP_BROADCAST,
    SNMP_DEFAULT_COMMUNITY,
    PROXY_PROBE,
    IDENTD_CALLBACK,
    IDENTD_RESET,
];
pub const COMPAQ_INSIGHT_2301: &str = "case.compaq_insight_2301";
pub const BLASTER_SINKHOLE_RST: &str = "case.blaster_sinkhole_rst";
pub const NETBIOS_NAME_QUERY: &str = "case.netbios_name_query";
pub const NETBIOS_NODE_STATUS: &str = "case.netbios_node_status";
pub const DHCP_BROADCAST: &str = "case.dhcp_broadcast";
pub const SNMP_DEFAULT_COMMUNITY: &str = "case.snmp_default_community";
pub const PROXY_PROBE: &str = "case.proxy_probe";
pub const IDENTD_CALLBACK: &str = "case.identd_callback";
pub const IDENTD_RESET: &str = "case.identd_reset";

/// Proxy ports the seeds list as scanned for open proxies (seed 002 §1.1 on 1080 and 3128, which
/// names 8000, 8001, 8080 and 8888 as the companions of a squid scan).
fn proxy_service(port: u64) -> Option<&'static str> {
    Some(match port {
        1080 => "a SOCKS proxy",
        3128 => "the Squid web proxy",
        8000 | 8001 | 8080 | 8888 => "a web proxy",
        _ => return None,
    })
}

/// NetBIOS question type for a node status request (RFC 1002 §4.2.1.2: NBSTAT = 0x21).
const NBSTAT: u64 = 0x21;

const TCP_SYN: u64 = 0x02;
const TCP_RST: u64 = 0x04;
const TCP_ACK: u64 = 0x10;

fn ipv4_src_is_loopback(d: &Dissection) -> bool {
    matches!(d.layer("ip").and_then(|l| l.get("ip.src")), Some(Value::Ipv4(a)) if a.is_loopback())
}

fn eth_src(d: &Dissection) -> String {
    d.layer("eth")
        .and_then(|l| l.get("eth.src"))
        .map(Value::to_string)
        .unwrap_or_else(|| "(no Ethernet header in this capture)".into())
}

pub fn check(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    let d = p.d;
    let base = |id: &'static str| {
        let f = p.finding(id);
        if !p.texts {
            return f;
        }
        let (src, dst) = endpoints(d);
        f.param("src", src).param("dst", dst)
    };

    if let Some(u) = d.layer("udp") {
        let sport = u.u64("udp.srcport").unwrap_or(0);
        let dport = u.u64("udp.dstport").unwrap_or(0);
        if (sport == 2301 || dport == 2301) && ipv4_src_is_loopback(d) {
            let port_field = if dport == 2301 {
                "udp.dstport"
            } else {
                "udp.srcport"
            };
            out.push(
                base(COMPAQ_INSIGHT_2301)
                    .param("mac", eth_src(d))
                    .field(p.number, d, "ip.src")
                    .field(p.number, d, port_field)
                    .field(p.number, d, "eth.src"),
            );
        }
    }

    if let Some(t) = d.layer("tcp") {
        let flags = t.u64("tcp.flags").unwrap_or(0);
        let sport = t.u64("tcp.srcport").unwrap_or(0);
        let dport = t.u64("tcp.dstport").unwrap_or(0);
        let syn_only = flags & (TCP_SYN | TCP_ACK | TCP_RST) == TCP_SYN;
        let with = |f: Finding| f.param("sport", sport).param("dport", dport);
        if flags & TCP_RST != 0 && sport == 80 && ipv4_src_is_loopback(d) {
            out.push(
                with(base(BLASTER_SINKHOLE_RST))
                    .param("mac", eth_src(d))
                    .field(p.number, d, "ip.src")
                    .field(p.number, d, "tcp.srcport")
                    .field(p.number, d, "tcp.flags")
                    .field(p.number, d, "eth.src"),
            );
        }
        if syn_only {
            if let Some(service) = proxy_service(dport) {
                out.push(
                    with(base(PROXY_PROBE))
                        .param("service", service)
                        .field(p.number, d, "tcp.dstport")
                        .field(p.number, d, "tcp.flags"),
                );
            }
            if dport == 113 {
                out.push(
                    with(base(IDENTD_CALLBACK))
                        .field(p.number, d, "tcp.dstport")
                        .field(p.number, d, "tcp.flags"),
                );
            }
        }
        if flags & TCP_RST != 0 && sport == 113 {
            out.push(
                with(base(IDENTD_RESET))
                    .field(p.number, d, "tcp.srcport")
                    .field(p.number, d, "tcp.flags"),
            );
        }
    }

    if let Some(n) = d.layer("nbns") {
        let is_query = n.get("nbns.flags.response") == Some(&Value::Bool(false));
        if is_query {
            let name = n
                .field("nbns.name")
                .map(|f| f.shown())
                .unwrap_or_else(|| "(no name)".into());
            let id = if n.u64("nbns.type") == Some(NBSTAT) {
                NETBIOS_NODE_STATUS
            } else {
                NETBIOS_NAME_QUERY
            };
            out.push(
                base(id)
                    .param("name", name)
                    .field(p.number, d, "nbns.name")
                    .field(p.number, d, "nbns.type"),
            );
        }
    }

    if let Some(h) = d.layer("dhcp") {
        let ip = d.layer("ip");
        let to_all =
            matches!(ip.and_then(|l| l.get("ip.dst")), Some(Value::Ipv4(a)) if a.is_broadcast());
        let from_none =
            matches!(ip.and_then(|l| l.get("ip.src")), Some(Value::Ipv4(a)) if a.is_unspecified());
        if to_all || from_none {
            let msg = h
                .field("dhcp.option.dhcp")
                .or_else(|| h.field("dhcp.type"))
                .map(|f| f.shown())
                .unwrap_or_else(|| "message".into());
            // The client's hardware address inside the message names the machine even when a
            // relay or server sent the frame.
            let mac = h
                .get("dhcp.hw.mac_addr")
                .map(Value::to_string)
                .unwrap_or_else(|| eth_src(d));
            let mut f = base(DHCP_BROADCAST)
                .param("msg", msg)
                .param("mac", mac)
                .field(p.number, d, "ip.dst");
            f = if h.field("dhcp.option.dhcp").is_some() {
                f.field(p.number, d, "dhcp.option.dhcp")
            } else {
                f.field(p.number, d, "dhcp.type")
            };
            out.push(f.field(p.number, d, "dhcp.hw.mac_addr"));
        }
    }

    if let Some(s) = d.layer("snmp") {
        if let Some(c) = s.get("snmp.community").and_then(Value::as_str) {
            let lower = c.to_ascii_lowercase();
            if lower == "public" || lower == "private" {
                out.push(base(SNMP_DEFAULT_COMMUNITY).param("community", c).field(
                    p.number,
                    d,
                    "snmp.community",
                ));
            }
        }
    }
}
