//! The seed documents' cases over the crafted `tests/captures/explain/cases.pcap` (see
//! `craft_cases.py` for what each packet is): each case fires beside the generic findings that
//! also apply, points at the bytes that identify it, and stays quiet on the near misses.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use tracelens::explain::{explain_packet, Explanation, RenderedFinding, Severity};

fn packets() -> Vec<tracelens::capture::Packet> {
    common::crafted("explain", "cases.pcap")
}

fn explain_all() -> Vec<Explanation> {
    common::explain_all("explain", "cases.pcap")
}

fn has(e: &Explanation, id: &str) -> bool {
    e.findings.iter().any(|f| f.id == id)
}

/// The `case.*` ids of a packet, sorted.
fn case_ids(e: &Explanation) -> Vec<&str> {
    common::ids_with_prefix(e, "case.")
}

fn finding<'a>(e: &'a Explanation, id: &str) -> &'a RenderedFinding {
    common::finding(e, id)
}

fn spans(f: &RenderedFinding) -> Vec<(&str, usize, usize)> {
    common::spans(f)
}

#[test]
fn every_packet_gets_the_expected_case() {
    let all = explain_all();
    let want: &[(usize, &[&str])] = &[
        (1, &["case.compaq_insight_2301"]),
        (2, &["case.blaster_sinkhole_rst"]),
        (3, &["case.blaster_sinkhole_rst"]),
        (4, &[]),
        (5, &["case.netbios_name_query"]),
        (6, &["case.netbios_node_status"]),
        (7, &[]),
        (8, &["case.dhcp_broadcast"]),
        (9, &["case.dhcp_broadcast"]),
        (10, &[]),
        (11, &["case.snmp_default_community"]),
        (12, &["case.snmp_default_community"]),
        (13, &[]),
        (14, &["case.proxy_probe"]),
        (15, &["case.proxy_probe"]),
        (16, &["case.proxy_probe"]),
        (17, &[]),
        (18, &["case.identd_callback"]),
        (19, &["case.identd_reset"]),
        (20, &[]),
    ];
    assert_eq!(all.len(), want.len());
    for (n, expect) in want {
        assert_eq!(case_ids(&all[n - 1]), *expect, "packet {n}");
    }
}

#[test]
fn cases_come_beside_the_generic_findings() {
    let all = explain_all();
    // The loopback source is still reported on its own; the case adds the story.
    for n in [1, 2, 3, 20] {
        assert!(has(&all[n - 1], "addr.loopback_source"), "packet {n}");
    }
    assert!(has(&all[1], "tcp.flags.rstack"));
    assert!(has(&all[13], "tcp.flags.syn"));
    assert!(has(&all[18], "tcp.flags.rstack"));
}

#[test]
fn compaq_and_blaster_point_at_the_sender_mac() {
    let all = explain_all();
    let f = finding(&all[0], "case.compaq_insight_2301");
    assert_eq!(f.severity, Severity::Notice);
    assert_eq!(
        spans(f),
        [("ip.src", 26, 4), ("udp.dstport", 36, 2), ("eth.src", 6, 6)]
    );
    assert!(f.next.contains("00:08:02:12:34:56"), "{}", f.next);
    assert!(f.references.iter().any(|r| r.starts_with("seed 000")));

    let f = finding(&all[1], "case.blaster_sinkhole_rst");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.title,
        "Reset from 127.0.0.1:80 to 198.51.100.7 port 1037: Blaster against a sinkholed name"
    );
    assert!(f.next.contains("00:0c:29:be:ef:01"), "{}", f.next);
    assert!(f.text.contains("windowsupdate.com"));
    assert_eq!(
        spans(f),
        [
            ("ip.src", 26, 4),
            ("tcp.srcport", 34, 2),
            ("tcp.flags", 46, 2),
            ("eth.src", 6, 6)
        ]
    );
    assert!(f.references.iter().any(|r| r.starts_with("seed 001")));
}

#[test]
fn netbios_dhcp_snmp_proxy_and_ident_name_their_facts() {
    let all = explain_all();
    let f = finding(&all[4], "case.netbios_name_query");
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(
        f.title,
        "NetBIOS name lookup for FILESERVER<20> (Server service)"
    );
    // The encoded name follows the 12-byte NBNS header, which starts at 14+20+8 = 42.
    assert_eq!(spans(f)[0], ("nbns.name", 54, 34));
    let f = finding(&all[5], "case.netbios_node_status");
    assert_eq!(
        f.title,
        "NetBIOS node status request from 10.0.0.20 to 10.0.0.5"
    );

    let f = finding(&all[7], "case.dhcp_broadcast");
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(
        f.title,
        "DHCP Discover (1) broadcast (client 02:00:00:00:00:05)"
    );
    assert!(spans(f).contains(&("dhcp.hw.mac_addr", 70, 6)));
    assert!(finding(&all[8], "case.dhcp_broadcast")
        .title
        .contains("Offer"));

    let f = finding(&all[10], "case.snmp_default_community");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.title.contains("\"public\"") && f.title.contains("10.0.0.30"));
    assert_eq!(spans(f), [("snmp.community", 49, 6)]);
    assert!(finding(&all[11], "case.snmp_default_community")
        .title
        .contains("\"private\""));

    let f = finding(&all[13], "case.proxy_probe");
    assert_eq!(
        f.title,
        "Connection attempt to port 1080 on 10.0.0.20 (a SOCKS proxy)"
    );
    assert!(finding(&all[14], "case.proxy_probe")
        .title
        .contains("Squid"));

    let f = finding(&all[17], "case.identd_callback");
    assert!(f.next.contains("slow"), "{}", f.next);
    assert_eq!(spans(f), [("tcp.dstport", 36, 2), ("tcp.flags", 46, 2)]);
    assert_eq!(
        finding(&all[18], "case.identd_reset").severity,
        Severity::Info
    );
}

#[test]
fn every_text_is_filled_and_prefixes_do_not_panic() {
    for e in explain_all() {
        for f in e.findings.iter().filter(|f| f.id.starts_with("case.")) {
            for s in [&f.title, &f.text, &f.next] {
                assert!(!s.contains('{'), "packet {} {}: {s}", e.packet, f.id);
            }
        }
    }
    for p in packets() {
        for cut in 0..=p.data.len() {
            let d = tracelens::decode(&p.data[..cut], p.link_type);
            for f in explain_packet(p.number, &d)
                .findings
                .iter()
                .filter(|f| f.id.starts_with("case."))
            {
                for ev in &f.evidence {
                    assert!(
                        ev.offset + ev.length <= cut,
                        "packet {} cut {cut}: {}",
                        p.number,
                        f.id
                    );
                }
            }
        }
    }
}
