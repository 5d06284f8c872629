//! Anomaly explanations over the crafted `tests/captures/explain/anomalies.pcap` (see
//! `craft_anomalies.py` for what each packet is): lengths against each other and the frame,
//! padding, checksums with the offload caveat, IP options, fragments, TTLs, the reserved flag and
//! malformed layers; near misses (zero padding, quoted headers, split HTTP) stay quiet.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use tracelens::explain::{explain_packet, Explanation, RenderedFinding, Severity};

fn packets() -> Vec<tracelens::capture::Packet> {
    common::crafted("explain", "anomalies.pcap")
}

fn explain_all() -> Vec<Explanation> {
    common::explain_all("explain", "anomalies.pcap")
}

/// The `anom.*` ids of a packet, sorted.
fn anom_ids(e: &Explanation) -> Vec<&str> {
    common::ids_with_prefix(e, "anom.")
}

fn finding<'a>(e: &'a Explanation, id: &str) -> &'a RenderedFinding {
    common::finding(e, id)
}

/// (field, offset, length) of each piece of evidence.
fn spans(f: &RenderedFinding) -> Vec<(&str, usize, usize)> {
    common::spans(f)
}

#[test]
fn every_packet_gets_the_expected_anomalies() {
    let all = explain_all();
    let want: &[(usize, &[&str])] = &[
        (1, &["anom.udp.length_exceeds_ip"]),
        (2, &["anom.udp.length_below_header"]),
        (3, &["anom.udp.length_short_of_ip"]),
        (4, &["anom.eth.padding_nonzero"]),
        (5, &["anom.ip.len_beyond_frame"]),
        (6, &["anom.checksum.transport_bad", "anom.ip.len_zero"]),
        (7, &["anom.eth.trailer"]),
        (8, &["anom.checksum.ip_bad"]),
        (9, &["anom.checksum.transport_bad"]),
        (10, &["anom.checksum.transport_bad"]),
        (11, &["anom.checksum.icmp_bad"]),
        (12, &["anom.ip.opt.source_route"]),
        (13, &["anom.ip.opt.source_route"]),
        (14, &["anom.ip.opt.record_route"]),
        (15, &["anom.ip.opt.timestamp"]),
        (16, &["anom.ip.opt.router_alert"]),
        (17, &["anom.ip.opt.other"]),
        (18, &["anom.ip.frag.first"]),
        (19, &["anom.ip.frag.later"]),
        (20, &["anom.ip.frag.tiny_first"]),
        (21, &["anom.ip.frag.tcp_header_overlap"]),
        (22, &["anom.ip.ttl_low"]),
        (23, &["anom.ip.ttl_zero"]),
        (24, &["anom.ip.evil_bit"]),
        (25, &["anom.malformed"]),
        (26, &[]),
        (27, &[]),
        (28, &[]),
        (29, &["anom.ip.ttl_low"]),
        (30, &[]),
    ];
    assert_eq!(all.len(), want.len());
    for (n, expect) in want {
        assert_eq!(anom_ids(&all[n - 1]), *expect, "packet {n}");
    }
}

#[test]
fn lengths_name_both_figures_and_point_at_both_fields() {
    let all = explain_all();
    let f = finding(&all[0], "anom.udp.length_exceeds_ip");
    assert_eq!(f.severity, Severity::Alert);
    assert!(
        f.title.contains("50") && f.title.contains("9 bytes"),
        "{}",
        f.title
    );
    // UDP length at 14+20+4, IP total length at 14+2.
    assert_eq!(spans(f), [("udp.length", 38, 2), ("ip.len", 16, 2)]);

    let f = finding(&all[2], "anom.udp.length_short_of_ip");
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.text.contains("9 bytes") && f.text.contains("11 bytes"),
        "{}",
        f.text
    );
    // The 11 bytes after the 9-byte UDP datagram: 34+9 = 43.
    assert_eq!(
        spans(f),
        [("udp.length", 38, 2), ("udp.length.bad_extra", 43, 11)]
    );

    let f = finding(&all[4], "anom.ip.len_beyond_frame");
    assert!(
        f.title.contains("100") && f.title.contains("40"),
        "{}",
        f.title
    );
    assert!(f.benign.as_deref().unwrap_or("").contains("snap length"));

    // The zero total length is the segmentation-offload trace, and says so.
    let f = finding(&all[5], "anom.ip.len_zero");
    assert!(f.text.contains("offload"), "{}", f.text);
}

#[test]
fn the_seed_31789_padding_is_reported_with_its_bytes() {
    let all = explain_all();
    let f = finding(&all[3], "anom.eth.padding_nonzero");
    assert_eq!(f.severity, Severity::Warning);
    // 29-byte datagram after the 14-byte Ethernet header: padding is bytes 43..60.
    assert_eq!(spans(f), [("eth.padding", 43, 17)]);
    assert!(f.title.contains("17 bytes"));
    assert!(f.references.iter().any(|r| r.contains("seed 004")));
    // The packet's checksums were fixed, so padding is its only anomaly.
    assert_eq!(anom_ids(&all[3]), ["anom.eth.padding_nonzero"]);
    let f = finding(&all[6], "anom.eth.trailer");
    assert_eq!(spans(f), [("eth.trailer", 72, 4)]);
}

#[test]
fn checksums_carry_the_offload_caveat_and_both_values() {
    let all = explain_all();
    let f = finding(&all[8], "anom.checksum.transport_bad");
    assert_eq!(f.severity, Severity::Notice);
    assert_eq!(f.title, "Bad TCP checksum 0xdead (should be 0x065b)");
    assert!(f.text.contains("offload"), "{}", f.text);
    assert!(
        f.next.contains("10.1.0.10"),
        "names the sender to compare with the capturing host"
    );
    assert!(f.benign.as_deref().unwrap_or("").contains("offload"));
    assert_eq!(spans(f), [("tcp.checksum", 50, 2)]);

    let f = finding(&all[9], "anom.checksum.transport_bad");
    assert!(
        f.title.starts_with("Bad UDP checksum 0x1234"),
        "{}",
        f.title
    );
    assert_eq!(spans(f), [("udp.checksum", 40, 2)]);

    let f = finding(&all[7], "anom.checksum.ip_bad");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.title.contains("0xbeef"), "{}", f.title);
    assert_eq!(spans(f), [("ip.checksum", 24, 2)]);

    let f = finding(&all[10], "anom.checksum.icmp_bad");
    assert_eq!(f.title, "Bad ICMP checksum 0xbad1 (should be 0x040a)");
    assert_eq!(spans(f), [("icmp.checksum", 36, 2)]);
}

#[test]
fn options_fragments_ttl_and_flags() {
    let all = explain_all();
    let f = finding(&all[11], "anom.ip.opt.source_route");
    assert_eq!(f.severity, Severity::Alert);
    assert!(f.title.contains("loose"), "{}", f.title);
    // The option starts right after the 20-byte IP header.
    assert_eq!(spans(f), [("ip.opt.type", 34, 1)]);
    assert!(finding(&all[12], "anom.ip.opt.source_route")
        .title
        .contains("strict"));
    assert_eq!(
        finding(&all[15], "anom.ip.opt.router_alert").severity,
        Severity::Info
    );
    assert!(finding(&all[16], "anom.ip.opt.other").title.contains("130"));

    let f = finding(&all[17], "anom.ip.frag.first");
    assert!(f.title.contains("0x3000"), "{}", f.title);
    assert_eq!(
        spans(f),
        [("ip.flags.mf", 20, 2), ("ip.frag_offset", 20, 2)]
    );
    assert!(finding(&all[18], "anom.ip.frag.later")
        .title
        .contains("byte 24"));
    let f = finding(&all[19], "anom.ip.frag.tiny_first");
    assert_eq!(f.severity, Severity::Alert);
    assert!(
        f.text.contains("16 bytes of TCP") && f.text.contains("20 bytes"),
        "{}",
        f.text
    );
    assert_eq!(
        finding(&all[20], "anom.ip.frag.tcp_header_overlap").severity,
        Severity::Alert
    );

    let f = finding(&all[21], "anom.ip.ttl_low");
    assert_eq!(spans(f), [("ip.ttl", 22, 1)]);
    assert!(f.title.ends_with("TTL 1"));
    let f = finding(&all[28], "anom.ip.ttl_low");
    assert_eq!(spans(f), [("ipv6.hlim", 21, 1)]);
    assert_eq!(
        finding(&all[22], "anom.ip.ttl_zero").severity,
        Severity::Warning
    );
    assert_eq!(
        spans(finding(&all[23], "anom.ip.evil_bit")),
        [("ip.flags.rb", 20, 2)]
    );

    let f = finding(&all[24], "anom.malformed");
    assert!(
        f.title.contains("tcp") && f.title.contains("below the 20-byte minimum"),
        "{}",
        f.title
    );
    // The TCP data-offset byte: 34 + 12.
    assert_eq!(spans(f), [("tcp", 46, 1)]);
}

#[test]
fn every_text_is_filled() {
    for e in explain_all() {
        for f in &e.findings {
            for s in [&f.title, &f.text, &f.next] {
                assert!(!s.contains('{'), "packet {} {}: {s}", e.packet, f.id);
            }
        }
    }
}

#[test]
fn every_prefix_of_every_packet_explains_without_panic() {
    for p in packets() {
        for cut in 0..=p.data.len() {
            let d = tracelens::decode(&p.data[..cut], p.link_type);
            let e = explain_packet(p.number, &d);
            // Only this area's findings: the other areas test their own evidence.
            for f in e.findings.iter().filter(|f| f.id.starts_with("anom.")) {
                for ev in &f.evidence {
                    assert!(
                        ev.offset + ev.length <= cut.max(1),
                        "packet {} cut at {cut}: {} evidence {}+{} beyond the frame",
                        p.number,
                        f.id,
                        ev.offset,
                        ev.length
                    );
                }
            }
        }
    }
}

/// tshark's values for the given fields, one row per packet; `None` (with a message) when tshark
/// is not installed.
fn tshark_rows(fields: &[&str]) -> Option<Vec<Vec<String>>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/captures/explain/anomalies.pcap"
    );
    let mut cmd = std::process::Command::new("tshark");
    cmd.args(["-r", path, "-T", "fields", "-E", "occurrence=f"]);
    for pref in [
        "ip.check_checksum:TRUE",
        "tcp.check_checksum:TRUE",
        "udp.check_checksum:TRUE",
    ] {
        cmd.args(["-o", pref]);
    }
    for f in fields {
        cmd.args(["-e", f]);
    }
    match cmd.output() {
        Ok(out) if out.status.success() => Some(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| l.split('\t').map(str::to_string).collect())
                .collect(),
        ),
        _ => {
            println!("tshark is not available; skipping the tshark comparison");
            None
        }
    }
}

#[test]
fn checksum_ttl_and_reserved_flag_findings_agree_with_tshark() {
    let Some(rows) = tshark_rows(&[
        "ip.checksum.status",
        "tcp.checksum.status",
        "udp.checksum.status",
        "icmp.checksum.status",
        "ip.flags.rb",
        "ip.ttl",
        "ipv6.hlim",
        "ip.flags.mf",
        "ip.frag_offset",
    ]) else {
        return;
    };
    let all = explain_all();
    assert_eq!(rows.len(), all.len());
    let mut compared = 0;
    for (row, e) in rows.iter().zip(&all) {
        let col = |i: usize| row.get(i).map(String::as_str).unwrap_or("");
        // tshark reassembles fragments and then checks the whole datagram's TCP checksum; the
        // decoder (rightly) leaves a single fragment unverified, so fragments are not compared.
        let fragment = col(7) == "1" || !matches!(col(8), "" | "0");
        if !fragment {
            let tshark_bad = (0..4).any(|i| col(i) == "0");
            let ours_bad = e
                .findings
                .iter()
                .any(|f| f.id.starts_with("anom.checksum."));
            assert_eq!(ours_bad, tshark_bad, "packet {}: bad checksum", e.packet);
            compared += 1;
        }
        let rb = col(4) == "1" || col(4) == "True";
        assert_eq!(
            e.findings.iter().any(|f| f.id == "anom.ip.evil_bit"),
            rb,
            "packet {}: reserved flag",
            e.packet
        );
        let ttl: Option<u64> = col(5).parse().ok().or_else(|| col(6).parse().ok());
        let low = e
            .findings
            .iter()
            .any(|f| f.id == "anom.ip.ttl_low" || f.id == "anom.ip.ttl_zero");
        // Multicast to the local link uses TTL 1 by design and is not reported (packet 16).
        if e.packet != 16 {
            assert_eq!(
                low,
                ttl.is_some_and(|t| t <= 2),
                "packet {}: ttl {ttl:?}",
                e.packet
            );
        }
    }
    assert!(compared >= 25, "compared only {compared} packets");
}
