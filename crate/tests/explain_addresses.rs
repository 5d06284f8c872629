//! Address findings over the crafted capture `tests/captures/explain/addresses.pcap` (see
//! `craft_addresses.py` for what each packet number is), including near misses that must stay
//! quiet, plus a hand-built frame and its truncations.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use tracelens::decode::linktype;
use tracelens::explain::{explain_packet, Explanation, RenderedFinding, Severity};

fn capture() -> Vec<Explanation> {
    common::explain_all("explain", "addresses.pcap")
}

/// Only this module's findings: other areas may add their own to the same packets.
fn addr_ids(e: &Explanation) -> Vec<&str> {
    e.findings
        .iter()
        .map(|f| f.id.as_str())
        .filter(|i| i.starts_with("addr."))
        .collect()
}

fn has(all: &[Explanation], n: usize, id: &str, severity: Severity) -> RenderedFinding {
    let e = &all[n - 1];
    let f = e
        .findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("packet {n}: no {id} in {:?}", addr_ids(e)))
        .clone();
    assert_eq!(f.severity, severity, "packet {n} {id}");
    for t in [&f.title, &f.text, &f.next] {
        assert!(
            !t.contains('{'),
            "packet {n} {id}: unfilled parameter in {t:?}"
        );
    }
    f
}

fn evidence(f: &RenderedFinding, field: &str) -> (usize, usize) {
    f.evidence
        .iter()
        .find(|e| e.field == field)
        .map(|e| (e.offset, e.length))
        .unwrap_or_else(|| panic!("{}: no evidence on {field}: {:?}", f.id, f.evidence))
}

/// Ethernet 14 bytes, then IPv4 source at 26..30 and destination at 30..34.
const V4_SRC: (usize, usize) = (26, 4);
const V4_DST: (usize, usize) = (30, 4);
/// IPv6 source at 22..38 and destination at 38..54.
const V6_SRC: (usize, usize) = (22, 16);
const V6_DST: (usize, usize) = (38, 16);

#[test]
fn loopback_on_the_wire() {
    let all = capture();
    let f = has(&all, 1, "addr.loopback_source", Severity::Alert);
    assert_eq!(evidence(&f, "ip.src"), V4_SRC);
    assert!(f.benign.as_deref().unwrap_or("").contains("2301"));
    has(&all, 1, "addr.broadcast_dest", Severity::Info);
    let f = has(&all, 2, "addr.loopback_source", Severity::Alert);
    assert!(f.next.contains("MAC"));
    let f = has(&all, 3, "addr.loopback_dest", Severity::Alert);
    assert_eq!(evidence(&f, "ip.dst"), V4_DST);
    assert_eq!(addr_ids(&all[2]), ["addr.loopback_dest"]);
}

#[test]
fn unspecified_and_broadcast() {
    let all = capture();
    let f = has(&all, 4, "addr.unspecified_source", Severity::Info);
    assert_eq!(evidence(&f, "ip.src"), V4_SRC);
    assert!(!addr_ids(&all[3]).contains(&"addr.unspecified_source_unusual"));
    has(&all, 4, "addr.broadcast_dest", Severity::Info);
    has(
        &all,
        5,
        "addr.unspecified_source_unusual",
        Severity::Warning,
    );
    assert!(!addr_ids(&all[4]).contains(&"addr.unspecified_source"));
    let f = has(&all, 6, "addr.unspecified_dest", Severity::Warning);
    assert_eq!(evidence(&f, "ip.dst"), V4_DST);
    has(&all, 7, "addr.broadcast_source", Severity::Alert);
    has(&all, 8, "addr.multicast_source", Severity::Alert);
}

#[test]
fn directed_broadcasts_say_the_assumed_prefix() {
    let all = capture();
    let f = has(&all, 9, "addr.directed_broadcast", Severity::Notice);
    assert!(f.title.contains("assuming a /24 prefix"));
    assert!(f.text.contains("192.168.1.0/24") && f.text.contains("broadcast address"));
    assert_eq!(evidence(&f, "ip.dst"), V4_DST);
    let f = has(&all, 10, "addr.directed_broadcast", Severity::Notice);
    assert!(f.text.contains("network address") && f.text.contains("10.1.2.0/24"));
    // The limited broadcast is not a directed one.
    assert!(!addr_ids(&all[0]).contains(&"addr.directed_broadcast"));
}

#[test]
fn private_link_local_multicast_reserved() {
    let all = capture();
    let f = has(&all, 11, "addr.private_source", Severity::Info);
    assert!(f.text.contains("10.0.0.0/8") && f.text.contains("93.184.216.34"));
    assert_eq!(evidence(&f, "ip.src"), V4_SRC);
    let f = has(&all, 12, "addr.private_dest", Severity::Info);
    assert!(f.text.contains("192.168.0.0/16"));
    // A LAN packet between two private hosts and one between two public hosts say nothing.
    assert!(addr_ids(&all[12]).is_empty(), "{:?}", addr_ids(&all[12]));
    assert!(addr_ids(&all[27]).is_empty(), "{:?}", addr_ids(&all[27]));

    let f = has(&all, 14, "addr.link_local", Severity::Notice);
    assert!(f.title.contains("169.254.12.34"));
    let f = has(&all, 14, "addr.multicast_dest", Severity::Info);
    assert!(f.title.contains("mDNS"));
    let f = has(&all, 15, "addr.multicast_dest", Severity::Info);
    assert!(f.title.contains("SSDP"));
    assert!(!addr_ids(&all[14]).contains(&"addr.private_source"));

    let f = has(&all, 16, "addr.reserved", Severity::Warning);
    assert!(f.text.contains("240.0.0.0/4"));
    let f = has(&all, 17, "addr.documentation", Severity::Notice);
    assert!(f.text.contains("TEST-NET-1"));
    assert_eq!(evidence(&f, "ip.src"), V4_SRC);
    // 192.0.2.7 is not a public address, so the private destination is not remarked on.
    assert!(!addr_ids(&all[16]).contains(&"addr.private_dest"));

    let f = has(&all, 18, "addr.same_src_dst", Severity::Alert);
    assert_eq!(evidence(&f, "ip.src"), V4_SRC);
    assert_eq!(evidence(&f, "ip.dst"), V4_DST);
}

#[test]
fn ipv6_equivalents() {
    let all = capture();
    let f = has(&all, 19, "addr.v6.loopback", Severity::Alert);
    assert!(f.text.contains("source"));
    assert_eq!(evidence(&f, "ipv6.src"), V6_SRC);
    let f = has(&all, 20, "addr.v6.unspecified_source", Severity::Info);
    assert!(f.title.contains("duplicate address detection"));
    let f = has(&all, 20, "addr.multicast_dest", Severity::Info);
    assert!(f.title.contains("solicited-node"));
    assert_eq!(evidence(&f, "ipv6.dst"), V6_DST);
    has(
        &all,
        21,
        "addr.unspecified_source_unusual",
        Severity::Warning,
    );
    has(&all, 22, "addr.v6.link_local", Severity::Info);
    let f = has(&all, 23, "addr.private_source", Severity::Info);
    assert!(f.text.contains("fc00::/7"));
    let f = has(&all, 24, "addr.documentation", Severity::Notice);
    assert!(f.text.contains("2001:db8::/32"));
    let f = has(&all, 25, "addr.v6.ipv4_mapped", Severity::Warning);
    assert_eq!(evidence(&f, "ipv6.src"), V6_SRC);
    has(&all, 26, "addr.multicast_source", Severity::Alert);
    has(&all, 27, "addr.private_dest", Severity::Info);
}

#[test]
fn narratives_name_the_addresses() {
    let all = capture();
    assert!(
        all[0].narrative.contains("127.0.0.1"),
        "{}",
        all[0].narrative
    );
    assert!(all[10].narrative.contains("93.184.216.34"));
}

/// A hand-built loopback-sourced UDP broadcast (seed 000) and every cut of it.
#[test]
fn hand_built_frame_and_its_truncations() {
    let frame: [u8; 46] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // eth.dst broadcast
        0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, // eth.src
        0x08, 0x00, // eth.type IPv4
        0x45, 0x00, 0x00, 0x20, // IPv4, IHL 5, total length 32
        0x00, 0x01, 0x00, 0x00, // id 1
        0x40, 0x11, 0x00, 0x00, // TTL 64, UDP, checksum (not checked here)
        127, 0, 0, 1, // ip.src 127.0.0.1
        255, 255, 255, 255, // ip.dst 255.255.255.255
        0x08, 0xfd, 0x08, 0xfd, // udp.srcport 2301, udp.dstport 2301
        0x00, 0x0c, 0x00, 0x00, // udp.length 12, no checksum
        0xde, 0xad, 0xbe, 0xef, // payload
    ];
    let e = explain_packet(1, &tracelens::decode(&frame, linktype::ETHERNET));
    let ids = addr_ids(&e);
    assert!(ids.contains(&"addr.loopback_source") && ids.contains(&"addr.broadcast_dest"));
    for cut in 0..frame.len() {
        let d = tracelens::decode(&frame[..cut], linktype::ETHERNET);
        let e = explain_packet(1, &d);
        // Before the destination address is complete, no finding may claim anything about it.
        if cut < 34 {
            assert!(
                !addr_ids(&e).contains(&"addr.broadcast_dest"),
                "cut {cut}: {:?}",
                addr_ids(&e)
            );
        }
    }
}

/// A TCP SYN 127.0.0.1:40000 > 127.0.0.1:80 in an Ethernet frame with the given MACs.
fn loopback_syn(mac: u8) -> Vec<u8> {
    let mut f = vec![mac; 12]; // eth.dst, eth.src
    f.extend_from_slice(&[0x08, 0x00]); // IPv4
    f.extend_from_slice(&[
        0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, // IPv4 header, checksum left 0
        127, 0, 0, 1, 127, 0, 0, 1, // src, dst
        0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0,
        0, // TCP SYN
    ]);
    f
}

#[test]
fn loopback_addresses_are_normal_on_a_loopback_interface() {
    // Linux's lo interface records Ethernet headers with all-zero addresses.
    let d = tracelens::decode(&loopback_syn(0), 1);
    let e = tracelens::explain::explain_packet(1, &d);
    assert!(
        e.findings
            .iter()
            .all(|f| !f.id.starts_with("addr.loopback")),
        "{:?}",
        e.findings.iter().map(|f| &f.id).collect::<Vec<_>>()
    );
    // The same packet between real network cards is on the wire, where 127/8 must never be.
    let d = tracelens::decode(&loopback_syn(0x02), 1);
    let e = tracelens::explain::explain_packet(1, &d);
    assert!(e.findings.iter().any(|f| f.id == "addr.loopback_source"));
    assert!(e.findings.iter().any(|f| f.id == "addr.loopback_dest"));
}
