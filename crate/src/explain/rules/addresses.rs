//! Addresses that say something by themselves: loopback on the wire, broadcast and multicast used as
//! sources, directed broadcasts, the unspecified address, private, link-local, reserved and
//! documentation ranges, and a source equal to its destination, for IPv4 and IPv6.
//!
//! Only the outermost, non-quoted IP header is judged: the copy inside an ICMP error describes
//! someone else's packet. A single packet cannot tell whether it came from outside, so the private
//! range findings say what to check instead of claiming spoofing. Nothing here reads raw bytes.

use super::util::ipv4_pair;
use crate::decode::Dissection;
use crate::explain::{Finding, PacketView};
use crate::field::Value;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[
    ADDR_LOOPBACK_SOURCE,
    ADDR_LOOPBACK_DEST,
    ADDR_BROADCAST_DEST,
    ADDR_BROADCAST_SOURCE,
    ADDR_DIRECTED_BROADCAST,
    ADDR_UNSPECIFIED_SOURCE,
    ADDR_UNSPECIFIED_SOURCE_UNUSUAL,
    ADDR_UNSPECIFIED_DEST,
    ADDR_PRIVATE_SOURCE,
    ADDR_PRIVATE_DEST,
    ADDR_LINK_LOCAL,
    ADDR_MULTICAST_DEST,
    ADDR_MULTICAST_SOURCE,
    ADDR_RESERVED,
    ADDR_DOCUMENTATION,
    ADDR_SAME_SRC_DST,
    ADDR_V6_LOOPBACK,
    ADDR_V6_UNSPECIFIED_SOURCE,
    ADDR_V6_LINK_LOCAL,
    ADDR_V6_IPV4_MAPPED,
];
pub const ADDR_LOOPBACK_SOURCE: &str = "addr.loopback_source";
pub const ADDR_LOOPBACK_DEST: &str = "addr.loopback_dest";
pub const ADDR_BROADCAST_DEST: &str = "addr.broadcast_dest";
pub const ADDR_BROADCAST_SOURCE: &str = "addr.broadcast_source";
pub const ADDR_DIRECTED_BROADCAST: &str = "addr.directed_broadcast";
pub const ADDR_UNSPECIFIED_SOURCE: &str = "addr.unspecified_source";
pub const ADDR_UNSPECIFIED_SOURCE_UNUSUAL: &str = "addr.unspecified_source_unusual";
pub const ADDR_UNSPECIFIED_DEST: &str = "addr.unspecified_dest";
pub const ADDR_PRIVATE_SOURCE: &str = "addr.private_source";
pub const ADDR_PRIVATE_DEST: &str = "addr.private_dest";
pub const ADDR_LINK_LOCAL: &str = "addr.link_local";
pub const ADDR_MULTICAST_DEST: &str = "addr.multicast_dest";
pub const ADDR_MULTICAST_SOURCE: &str = "addr.multicast_source";
pub const ADDR_RESERVED: &str = "addr.reserved";
pub const ADDR_DOCUMENTATION: &str = "addr.documentation";
pub const ADDR_SAME_SRC_DST: &str = "addr.same_src_dst";
pub const ADDR_V6_LOOPBACK: &str = "addr.v6.loopback";
pub const ADDR_V6_UNSPECIFIED_SOURCE: &str = "addr.v6.unspecified_source";
pub const ADDR_V6_LINK_LOCAL: &str = "addr.v6.link_local";
pub const ADDR_V6_IPV4_MAPPED: &str = "addr.v6.ipv4_mapped";

pub fn check(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    if let Some((s, t)) = ipv4_pair(p.d) {
        v4(p, s, t, out);
    }
    if let Some(l) = p.d.layer("ipv6") {
        if let (Some(Value::Ipv6(s)), Some(Value::Ipv6(t))) = (l.get("ipv6.src"), l.get("ipv6.dst"))
        {
            v6(p, *s, *t, out);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// IPv4 ranges (RFC 6890, the IANA IPv4 Special-Purpose Address Registry)
// ---------------------------------------------------------------------------------------------

fn in_v4(a: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    u32::from(a) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

/// The private block an address is in, described for a reader (RFC 1918, RFC 6598).
fn v4_private(a: Ipv4Addr) -> Option<&'static str> {
    if in_v4(a, [10, 0, 0, 0], 8) {
        Some("10.0.0.0/8 (private, RFC 1918)")
    } else if in_v4(a, [172, 16, 0, 0], 12) {
        Some("172.16.0.0/12 (private, RFC 1918)")
    } else if in_v4(a, [192, 168, 0, 0], 16) {
        Some("192.168.0.0/16 (private, RFC 1918)")
    } else if in_v4(a, [100, 64, 0, 0], 10) {
        Some("100.64.0.0/10 (shared address space behind carrier-grade NAT, RFC 6598)")
    } else {
        None
    }
}

/// Blocks no traffic should use (RFC 6890): 0/8 other than 0.0.0.0 itself, and 240/4 other
/// than the limited broadcast.
fn v4_reserved(a: Ipv4Addr) -> Option<&'static str> {
    if in_v4(a, [0, 0, 0, 0], 8) && !a.is_unspecified() {
        Some("0.0.0.0/8, 'this network', valid only as a source during start-up")
    } else if in_v4(a, [240, 0, 0, 0], 4) && !a.is_broadcast() {
        Some("240.0.0.0/4, reserved for future use")
    } else {
        None
    }
}

/// Documentation and benchmarking blocks (RFC 5737, RFC 2544).
fn v4_documentation(a: Ipv4Addr) -> Option<&'static str> {
    if in_v4(a, [192, 0, 2, 0], 24) {
        Some("192.0.2.0/24 (TEST-NET-1, documentation, RFC 5737)")
    } else if in_v4(a, [198, 51, 100, 0], 24) {
        Some("198.51.100.0/24 (TEST-NET-2, documentation, RFC 5737)")
    } else if in_v4(a, [203, 0, 113, 0], 24) {
        Some("203.0.113.0/24 (TEST-NET-3, documentation, RFC 5737)")
    } else if in_v4(a, [198, 18, 0, 0], 15) {
        Some("198.18.0.0/15 (benchmarking, RFC 2544)")
    } else {
        None
    }
}

fn v4_link_local(a: Ipv4Addr) -> bool {
    in_v4(a, [169, 254, 0, 0], 16)
}

/// An address an ordinary Internet host could have: none of the special blocks.
fn v4_global(a: Ipv4Addr) -> bool {
    !(a.is_loopback()
        || a.is_unspecified()
        || a.is_broadcast()
        || a.is_multicast()
        || v4_link_local(a)
        || v4_private(a).is_some()
        || v4_reserved(a).is_some()
        || v4_documentation(a).is_some())
}

/// Whether `a` looks like the broadcast (.255) or network (.0) address of a subnet, assuming a
/// /24 prefix because a packet does not carry its prefix length. Returns what it would be and
/// the assumed network.
pub(crate) fn directed_broadcast(a: Ipv4Addr) -> Option<(&'static str, String)> {
    if a.is_loopback()
        || a.is_unspecified()
        || a.is_broadcast()
        || a.is_multicast()
        || v4_reserved(a).is_some()
    {
        return None;
    }
    let [x, y, z, last] = a.octets();
    let what = match last {
        255 => "broadcast address",
        // Old BSD-derived stacks used the all-zeros host part as broadcast.
        0 => "network address (which older stacks treat as broadcast)",
        _ => return None,
    };
    Some((what, format!("{x}.{y}.{z}.0/24")))
}

/// A well-known multicast group's name (IANA IPv4 Multicast Address Space registry, RFC 5771).
fn v4_group_name(a: Ipv4Addr) -> Option<&'static str> {
    Some(match a.octets() {
        [224, 0, 0, 1] => "all hosts on this network",
        [224, 0, 0, 2] => "all routers on this network",
        [224, 0, 0, 5] => "OSPF routers",
        [224, 0, 0, 6] => "OSPF designated routers",
        [224, 0, 0, 9] => "RIP version 2 routers",
        [224, 0, 0, 13] => "PIM routers",
        [224, 0, 0, 18] => "VRRP, routers sharing a virtual address",
        [224, 0, 0, 22] => "IGMPv3 membership reports",
        [224, 0, 0, 251] => "multicast DNS: mDNS, Bonjour, Avahi",
        [224, 0, 0, 252] => "LLMNR, Windows link-local name resolution",
        [224, 0, 1, 1] => "NTP",
        [239, 255, 255, 250] => "SSDP, UPnP device discovery",
        [224, 0, 0, _] => "a local network control group, never routed",
        [239, ..] => "an organisation-local (administratively scoped) group",
        _ => return None,
    })
}

fn v4(p: &PacketView<'_>, src: Ipv4Addr, dst: Ipv4Addr, out: &mut Vec<Finding>) {
    let (n, d) = (p.number, p.d);
    let on_src = |id| {
        p.finding(id)
            .param("src", src)
            .param("dst", dst)
            .field(n, d, "ip.src")
    };
    let on_dst = |id| {
        p.finding(id)
            .param("src", src)
            .param("dst", dst)
            .field(n, d, "ip.dst")
    };

    let lo = super::util::on_loopback_interface(d);
    if src.is_loopback() && !lo {
        out.push(on_src(ADDR_LOOPBACK_SOURCE));
    }
    if dst.is_loopback() && !lo {
        out.push(on_dst(ADDR_LOOPBACK_DEST));
    }
    if src == dst && !src.is_loopback() && !src.is_unspecified() {
        out.push(on_src(ADDR_SAME_SRC_DST).field(n, d, "ip.dst"));
    }
    if src.is_broadcast() {
        out.push(on_src(ADDR_BROADCAST_SOURCE));
    }
    if src.is_multicast() {
        out.push(on_src(ADDR_MULTICAST_SOURCE));
    }
    if src.is_unspecified() {
        let id = if address_configuration_v4(d) {
            ADDR_UNSPECIFIED_SOURCE
        } else {
            ADDR_UNSPECIFIED_SOURCE_UNUSUAL
        };
        out.push(on_src(id));
    }
    if dst.is_unspecified() {
        out.push(on_dst(ADDR_UNSPECIFIED_DEST));
    }
    if dst.is_broadcast() {
        out.push(on_dst(ADDR_BROADCAST_DEST));
    }
    if dst.is_multicast() {
        out.push(
            on_dst(ADDR_MULTICAST_DEST).param_with("group", || match v4_group_name(dst) {
                Some(name) => format!("{dst} ({name})"),
                None => dst.to_string(),
            }),
        );
    }
    if let Some((what, prefix)) = directed_broadcast(dst) {
        let [_, _, _, last] = dst.octets();
        out.push(
            on_dst(ADDR_DIRECTED_BROADCAST)
                .param("what", what)
                .param("prefix", prefix)
                .param("last_octet", last),
        );
    }
    // One finding per packet is enough to say "no DHCP here"; the source is the usual culprit.
    if v4_link_local(src) {
        out.push(on_src(ADDR_LINK_LOCAL).param("addr", src));
    } else if v4_link_local(dst) {
        out.push(on_dst(ADDR_LINK_LOCAL).param("addr", dst));
    }
    if let (Some(range), true) = (v4_private(src), v4_global(dst)) {
        out.push(on_src(ADDR_PRIVATE_SOURCE).param("range", range));
    }
    if let (Some(range), true) = (v4_private(dst), v4_global(src)) {
        out.push(on_dst(ADDR_PRIVATE_DEST).param("range", range));
    }
    for (a, field) in [(src, "ip.src"), (dst, "ip.dst")] {
        if field == "ip.dst" && src == dst {
            break;
        }
        if let Some(range) = v4_reserved(a) {
            out.push(
                p.finding(ADDR_RESERVED)
                    .param("addr", a)
                    .param("range", range)
                    .field(n, d, field),
            );
        }
        if let Some(range) = v4_documentation(a) {
            out.push(
                p.finding(ADDR_DOCUMENTATION)
                    .param("addr", a)
                    .param("range", range)
                    .field(n, d, field),
            );
        }
    }
}

/// Traffic allowed to come from 0.0.0.0: DHCP/BOOTP from the client port, and IGMP.
fn address_configuration_v4(d: &Dissection) -> bool {
    if d.layer("igmp").is_some() || d.layer("dhcp").is_some() {
        return true;
    }
    d.layer("udp")
        .is_some_and(|u| u.u64("udp.srcport") == Some(68) && u.u64("udp.dstport") == Some(67))
}

// ---------------------------------------------------------------------------------------------
// IPv6 (RFC 4291 and the IANA IPv6 Special-Purpose Address Registry)
// ---------------------------------------------------------------------------------------------

fn in_v6(a: Ipv6Addr, net: [u16; 8], bits: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
    u128::from(a) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

fn v6_link_local(a: Ipv6Addr) -> bool {
    in_v6(a, [0xfe80, 0, 0, 0, 0, 0, 0, 0], 10)
}

fn v6_unique_local(a: Ipv6Addr) -> bool {
    in_v6(a, [0xfc00, 0, 0, 0, 0, 0, 0, 0], 7)
}

fn v6_documentation(a: Ipv6Addr) -> bool {
    in_v6(a, [0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32)
}

fn v6_mapped(a: Ipv6Addr) -> bool {
    in_v6(a, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96)
}

/// Global unicast as far as one packet can tell: 2000::/3 minus documentation.
fn v6_global(a: Ipv6Addr) -> bool {
    in_v6(a, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) && !v6_documentation(a)
}

/// A well-known IPv6 multicast group's name (IANA IPv6 Multicast Address Space registry).
fn v6_group_name(a: Ipv6Addr) -> Option<&'static str> {
    let s = a.segments();
    Some(match s {
        [0xff02, 0, 0, 0, 0, 0, 0, 1] => "all nodes on the link",
        [0xff02, 0, 0, 0, 0, 0, 0, 2] => "all routers on the link",
        [0xff02, 0, 0, 0, 0, 0, 0, 5] => "OSPFv3 routers",
        [0xff02, 0, 0, 0, 0, 0, 0, 6] => "OSPFv3 designated routers",
        [0xff02, 0, 0, 0, 0, 0, 0, 9] => "RIPng routers",
        [0xff02, 0, 0, 0, 0, 0, 0, 0xd] => "PIM routers",
        [0xff02, 0, 0, 0, 0, 0, 0, 0x16] => "MLDv2 reports",
        [0xff02, 0, 0, 0, 0, 0, 0, 0xfb] => "multicast DNS, mDNS",
        [0xff02, 0, 0, 0, 0, 0, 1, 2] => "DHCPv6 servers and relays",
        [0xff02, 0, 0, 0, 0, 0, 1, 3] => "LLMNR name resolution",
        [0xff02, 0, 0, 0, 0, 1, h, _] if h >> 8 == 0xff => {
            "a solicited-node group, used by neighbour discovery"
        }
        _ => return None,
    })
}

fn v6(p: &PacketView<'_>, src: Ipv6Addr, dst: Ipv6Addr, out: &mut Vec<Finding>) {
    let (n, d) = (p.number, p.d);
    let on_src = |id| {
        p.finding(id)
            .param("src", src)
            .param("dst", dst)
            .field(n, d, "ipv6.src")
    };
    let on_dst = |id| {
        p.finding(id)
            .param("src", src)
            .param("dst", dst)
            .field(n, d, "ipv6.dst")
    };
    let lo = super::util::on_loopback_interface(d);
    if lo {
        // 127/8 and ::1 are the ordinary addresses of a loopback interface.
    } else if src.is_loopback() {
        out.push(on_src(ADDR_V6_LOOPBACK).param("side", "source"));
    } else if dst.is_loopback() {
        out.push(on_dst(ADDR_V6_LOOPBACK).param("side", "destination"));
    }
    if src == dst && !src.is_loopback() && !src.is_unspecified() {
        out.push(on_src(ADDR_SAME_SRC_DST).field(n, d, "ipv6.dst"));
    }
    if src.is_multicast() {
        out.push(on_src(ADDR_MULTICAST_SOURCE));
    }
    if src.is_unspecified() {
        match address_configuration_v6(d) {
            Some(what) => out.push(on_src(ADDR_V6_UNSPECIFIED_SOURCE).param("what", what)),
            None => out.push(on_src(ADDR_UNSPECIFIED_SOURCE_UNUSUAL)),
        }
    }
    if dst.is_multicast() {
        out.push(
            on_dst(ADDR_MULTICAST_DEST).param_with("group", || match v6_group_name(dst) {
                Some(name) => format!("{dst} ({name})"),
                None => dst.to_string(),
            }),
        );
    }
    if v6_link_local(src) {
        out.push(on_src(ADDR_V6_LINK_LOCAL).param("addr", src));
    } else if v6_link_local(dst) {
        out.push(on_dst(ADDR_V6_LINK_LOCAL).param("addr", dst));
    }
    const ULA: &str = "fc00::/7 (IPv6 unique local addresses, RFC 4193)";
    if v6_unique_local(src) && v6_global(dst) {
        out.push(on_src(ADDR_PRIVATE_SOURCE).param("range", ULA));
    }
    if v6_unique_local(dst) && v6_global(src) {
        out.push(on_dst(ADDR_PRIVATE_DEST).param("range", ULA));
    }
    for (a, field) in [(src, "ipv6.src"), (dst, "ipv6.dst")] {
        if field == "ipv6.dst" && src == dst {
            break;
        }
        if v6_documentation(a) {
            out.push(
                p.finding(ADDR_DOCUMENTATION)
                    .param("addr", a)
                    .param("range", "2001:db8::/32 (IPv6 documentation, RFC 3849)")
                    .field(n, d, field),
            );
        }
        if v6_mapped(a) {
            out.push(
                p.finding(ADDR_V6_IPV4_MAPPED)
                    .param("addr", a)
                    .field(n, d, field),
            );
        }
    }
}

/// The messages allowed to come from `::` (RFC 4862 §5.4, RFC 3810 §5.2.13), named for the text.
fn address_configuration_v6(d: &Dissection) -> Option<&'static str> {
    match d.layer("icmpv6")?.u64("icmpv6.type")? {
        135 => Some("duplicate address detection"),
        131 | 132 | 143 => Some("a multicast listener report"),
        133 => Some("a router solicitation"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(v4_private(Ipv4Addr::new(172, 31, 255, 1)).is_some());
        assert!(v4_private(Ipv4Addr::new(172, 32, 0, 1)).is_none());
        assert!(v4_reserved(Ipv4Addr::new(0, 1, 2, 3)).is_some());
        assert!(v4_reserved(Ipv4Addr::new(0, 0, 0, 0)).is_none());
        assert!(v4_reserved(Ipv4Addr::new(255, 255, 255, 255)).is_none());
        assert!(v4_reserved(Ipv4Addr::new(250, 1, 1, 1)).is_some());
        assert!(v4_documentation(Ipv4Addr::new(198, 19, 4, 4)).is_some());
        assert!(v4_global(Ipv4Addr::new(8, 8, 8, 8)));
        assert!(!v4_global(Ipv4Addr::new(169, 254, 1, 1)));
        assert_eq!(
            directed_broadcast(Ipv4Addr::new(10, 1, 2, 255)),
            Some(("broadcast address", "10.1.2.0/24".to_string()))
        );
        assert!(directed_broadcast(Ipv4Addr::new(10, 1, 2, 3)).is_none());
        assert!(directed_broadcast(Ipv4Addr::new(255, 255, 255, 255)).is_none());
        assert!(directed_broadcast(Ipv4Addr::new(224, 0, 0, 255)).is_none());
        let v6 = |s: &str| s.parse::<Ipv6Addr>().unwrap();
        assert!(v6_link_local(v6("fe80::1")));
        assert!(v6_unique_local(v6("fd12::1")));
        assert!(v6_documentation(v6("2001:db8::1")));
        assert!(v6_mapped(v6("::ffff:10.0.0.1")));
        assert!(v6_global(v6("2a00::1")));
        assert_eq!(
            v6_group_name(v6("ff02::1:ff00:1")),
            Some("a solicited-node group, used by neighbour discovery")
        );
    }
}
