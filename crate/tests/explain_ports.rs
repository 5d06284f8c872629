//! Port explanations over the crafted `tests/captures/explain/ports.pcap` (see `craft_ports.py`
//! for what each packet is): every port finding fires where the port is the service, with the
//! right severity and the port's bytes as evidence, and stays quiet for replies to client ports,
//! symmetric protocols, quoted headers and mid-connection segments.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use tracelens::explain::{explain_packet, Explanation, RenderedFinding, Severity};

fn explain_all() -> Vec<Explanation> {
    common::explain_all("explain", "ports.pcap")
}

/// The `port.*` ids of a packet, sorted (other areas' findings are their tests' business).
fn port_ids(e: &Explanation) -> Vec<&str> {
    common::ids_with_prefix(e, "port.")
}

fn finding<'a>(e: &'a Explanation, id: &str) -> &'a RenderedFinding {
    common::finding(e, id)
}

fn packet(all: &[Explanation], n: usize) -> &Explanation {
    all.get(n - 1).unwrap_or_else(|| panic!("no packet {n}"))
}

// Ethernet (14) + IPv4 without options (20): the transport header starts at 34, the source port
// there and the destination port at 36, both two bytes.
const SPORT_AT: usize = 34;
const DPORT_AT: usize = 36;

#[test]
fn every_packet_gets_the_expected_port_findings() {
    let all = explain_all();
    assert_eq!(all.len(), 43);
    let want: &[(usize, &[&str])] = &[
        (1, &["port.backdoor.back_orifice"]),
        (
            2,
            &["port.backdoor.back_orifice", "port.backdoor.listening"],
        ),
        (3, &[]),
        (4, &["port.backdoor.back_orifice"]),
        (5, &[]),
        (6, &["port.backdoor.netbus"]),
        (7, &["port.backdoor.subseven"]),
        (8, &["port.backdoor.hack_a_tack"]),
        (9, &["port.backdoor.shell"]),
        (10, &["port.backdoor.trojan"]),
        (11, &["port.worm.slammer"]),
        (12, &["port.windows.rpc"]),
        (13, &["port.windows.sharing"]),
        (14, &["port.probe.sql"]),
        (15, &["port.probe.tcpmux"]),
        (16, &["port.probe.amplifier"]),
        (17, &["port.probe.info_leak"]),
        (18, &["port.probe.rpc"]),
        (19, &["port.range.rpc"]),
        (20, &["port.range.rpc"]),
        (21, &["port.probe.exposed_service"]),
        (22, &["port.lan_chatter"]),
        (23, &["port.game_or_chat"]),
        (24, &["port.adware.conducent"]),
        (25, &["port.source_is_service"]),
        (26, &["port.range.traceroute"]),
        (27, &["port.range.nat_masquerade"]),
        (28, &["port.range.realaudio"]),
        (29, &["port.zero"]),
        (30, &["port.src.sscan"]),
        (31, &["port.same_ports.tcp"]),
        (32, &["port.same_ports.udp"]),
        (33, &["port.src.dns_disguise"]),
        (34, &[]),
        (35, &[]),
        (36, &[]),
        (37, &[]),
        (38, &[]),
        (39, &["port.source_is_service"]),
        (40, &[]),
        (41, &[]),
        (42, &[]),
        (43, &[]),
    ];
    let mut wrong = Vec::new();
    for (n, ids) in want {
        let got = port_ids(packet(&all, *n));
        if got != *ids {
            wrong.push(format!("packet {n}: want {ids:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn severities_are_chosen_per_meaning() {
    let all = explain_all();
    let sev = |n: usize, id: &str| finding(packet(&all, n), id).severity;
    // A probe for a backdoor is a warning; a backdoor port that answers is an alert.
    assert_eq!(sev(1, "port.backdoor.back_orifice"), Severity::Warning);
    assert_eq!(sev(2, "port.backdoor.listening"), Severity::Alert);
    assert_eq!(sev(11, "port.worm.slammer"), Severity::Warning);
    assert_eq!(sev(16, "port.probe.amplifier"), Severity::Warning);
    assert_eq!(sev(13, "port.windows.sharing"), Severity::Notice);
    assert_eq!(sev(19, "port.range.rpc"), Severity::Notice);
    // Traffic that is normal once explained.
    assert_eq!(sev(25, "port.source_is_service"), Severity::Info);
    assert_eq!(sev(26, "port.range.traceroute"), Severity::Info);
    assert_eq!(sev(27, "port.range.nat_masquerade"), Severity::Info);
    assert_eq!(sev(22, "port.lan_chatter"), Severity::Info);
    // Crafted ports.
    assert_eq!(sev(29, "port.zero"), Severity::Warning);
    assert_eq!(sev(30, "port.src.sscan"), Severity::Warning);
    assert_eq!(sev(31, "port.same_ports.tcp"), Severity::Warning);
    assert_eq!(sev(32, "port.same_ports.udp"), Severity::Notice);
    assert_eq!(sev(33, "port.src.dns_disguise"), Severity::Notice);
}

/// (packet, id, field the evidence must name, its offset).
#[test]
fn evidence_is_the_port_of_the_service_side() {
    let all = explain_all();
    let cases: &[(usize, &str, &str, usize)] = &[
        (1, "port.backdoor.back_orifice", "tcp.dstport", DPORT_AT),
        // On the SYN/ACK the service is the source.
        (2, "port.backdoor.back_orifice", "tcp.srcport", SPORT_AT),
        (2, "port.backdoor.listening", "tcp.srcport", SPORT_AT),
        (4, "port.backdoor.back_orifice", "udp.dstport", DPORT_AT),
        (8, "port.backdoor.hack_a_tack", "udp.dstport", DPORT_AT),
        (20, "port.range.rpc", "tcp.srcport", SPORT_AT),
        (25, "port.source_is_service", "udp.srcport", SPORT_AT),
        (26, "port.range.traceroute", "udp.dstport", DPORT_AT),
        (27, "port.range.nat_masquerade", "tcp.srcport", SPORT_AT),
        (29, "port.zero", "tcp.srcport", SPORT_AT),
        (30, "port.src.sscan", "tcp.srcport", SPORT_AT),
        (31, "port.same_ports.tcp", "tcp.dstport", DPORT_AT),
        (33, "port.src.dns_disguise", "udp.srcport", SPORT_AT),
        (39, "port.source_is_service", "tcp.srcport", SPORT_AT),
    ];
    for (n, id, field, offset) in cases {
        let f = finding(packet(&all, *n), id);
        let ev = f
            .evidence
            .iter()
            .find(|e| e.field == *field)
            .unwrap_or_else(|| panic!("packet {n} {id}: no {field} evidence in {:?}", f.evidence));
        assert_eq!(
            (ev.offset, ev.length, ev.packet),
            (*offset, 2, *n as u64),
            "packet {n} {id}"
        );
    }
    // The listening alert also points at the flags that make it a SYN/ACK (byte 47 of the frame).
    let l = finding(packet(&all, 2), "port.backdoor.listening");
    assert!(l
        .evidence
        .iter()
        .any(|e| e.field == "tcp.flags" && e.offset == 46));
}

#[test]
fn texts_name_the_key_facts() {
    let all = explain_all();
    let bo = finding(packet(&all, 1), "port.backdoor.back_orifice");
    assert!(
        bo.text
            .contains("203.0.113.5 sends to TCP port 31337 on 192.168.1.10"),
        "{}",
        bo.text
    );
    assert!(bo.next.contains("192.168.1.10"), "{}", bo.next);
    let l = finding(packet(&all, 2), "port.backdoor.listening");
    assert!(
        l.title.contains("192.168.1.10") && l.title.contains("Back Orifice"),
        "{}",
        l.title
    );
    let ss = finding(packet(&all, 7), "port.backdoor.subseven");
    assert!(ss.title.contains("SubSeven 2.x"), "{}", ss.title);
    let tr = finding(packet(&all, 10), "port.backdoor.trojan");
    assert!(tr.text.contains("NetSphere"), "{}", tr.text);
    let icq = finding(packet(&all, 25), "port.source_is_service");
    assert!(
        icq.text.contains("4000") && icq.text.contains("40011"),
        "{}",
        icq.text
    );
    assert!(icq.title.contains("ICQ"), "{}", icq.title);
    let zero = finding(packet(&all, 29), "port.zero");
    assert!(zero.title.contains("source"), "{}", zero.title);
    let dis = finding(packet(&all, 33), "port.src.dns_disguise");
    assert!(
        dis.text.contains("31337") && dis.text.contains("not"),
        "{}",
        dis.text
    );
    for e in &all {
        for f in e.findings.iter().filter(|f| f.id.starts_with("port.")) {
            for t in [&f.title, &f.text, &f.next] {
                assert!(
                    !t.contains('{'),
                    "packet {} {}: unfilled parameter in {t}",
                    e.packet,
                    f.id
                );
            }
            assert!(!f.references.is_empty(), "{}", f.id);
        }
    }
}

/// The seed 000 broadcast (2301 to 2301 from 127.0.0.1) is the cases module's to explain; the
/// port rules stay out of its way rather than add a generic equal-ports note.
#[test]
fn the_2301_case_is_left_to_the_cases_module() {
    let all = explain_all();
    let e = packet(&all, 42);
    assert!(port_ids(e).is_empty(), "{:?}", port_ids(e));
    assert!(e.narrative.contains("2301"), "{}", e.narrative);
}

#[test]
fn narratives_name_addresses_ports_and_services() {
    let all = explain_all();
    let has = |n: usize, words: &[&str]| {
        let text = &packet(&all, n).narrative;
        for w in words {
            assert!(text.contains(w), "packet {n}: {w:?} missing from {text:?}");
        }
    };
    has(1, &["203.0.113.5", "192.168.1.10", "31337", "Back Orifice"]);
    has(6, &["12345", "NetBus"]);
    has(19, &["32775", "RPC"]);
    has(26, &["33435", "traceroute"]);
    has(28, &["6980", "RealAudio"]);
}

/// Corpus captures (tcpdump's test suite) on which port findings fire: the evidence of every
/// `port.*` finding must be the field tshark reads there, holding the same port number, and a
/// finding about the source side must sit on a packet whose source port tshark agrees on.
const CORPUS_FILES: &[&str] = &[
    "tcpdump/tests/tftp.pcap",
    "tcpdump/tests/ntp.pcap",
    "tcpdump/tests/ntp-control.pcap",
    "tcpdump/tests/nfs-cannot-pad-32-bit.pcap",
    "tcpdump/tests/dns_udp_2.pcap",
    "tcpdump/tests/zmtp1.pcap",
    "tcpdump/tests/quic_retry.pcap",
    "tcpdump/tests/babel.pcap",
];

/// tshark's first TCP and UDP ports per packet, or `None` (with a message) when tshark or the
/// file is missing.
fn tshark_ports(path: &std::path::Path) -> Option<Vec<[String; 4]>> {
    if !path.exists() {
        println!("{} is missing; skipping", path.display());
        return None;
    }
    let out = std::process::Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args(["-T", "fields", "-E", "occurrence=f"])
        .args(["-e", "tcp.srcport", "-e", "tcp.dstport"])
        .args(["-e", "udp.srcport", "-e", "udp.dstport"])
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        _ => {
            println!("tshark is not available; skipping the tshark comparison");
            return None;
        }
    };
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                let mut c = l.split('\t').map(str::to_string);
                let mut next = || c.next().unwrap_or_default();
                [next(), next(), next(), next()]
            })
            .collect(),
    )
}

#[test]
fn corpus_port_evidence_agrees_with_tshark() {
    let corpus = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    if !corpus.exists() {
        println!(
            "{} is missing; skipping the corpus comparison",
            corpus.display()
        );
        return;
    }
    let (mut checked, mut files) = (0, 0);
    for name in CORPUS_FILES {
        let path = corpus.join(name);
        let Some(rows) = tshark_ports(&path) else {
            continue;
        };
        files += 1;
        let bytes = std::fs::read(&path).expect("read corpus capture");
        let cap = tracelens::capture::read_all(&bytes);
        for p in &cap.packets {
            let e = explain_packet(p.number, &p.decode());
            let row = rows.get(p.number as usize - 1).expect("tshark row");
            for f in e.findings.iter().filter(|f| f.id.starts_with("port.")) {
                for ev in f.evidence.iter().filter(|ev| ev.field.ends_with("port")) {
                    let col = match ev.field.as_str() {
                        "tcp.srcport" => 0,
                        "tcp.dstport" => 1,
                        "udp.srcport" => 2,
                        "udp.dstport" => 3,
                        other => panic!("{name} packet {}: evidence field {other}", p.number),
                    };
                    let ours = p
                        .data
                        .get(ev.offset..ev.offset + ev.length)
                        .map(|b| b.iter().fold(0u32, |a, x| a << 8 | u32::from(*x)))
                        .expect("evidence inside the frame");
                    assert_eq!(
                        ours.to_string(),
                        row[col],
                        "{name} packet {} {}: {} bytes vs tshark",
                        p.number,
                        f.id,
                        ev.field
                    );
                    checked += 1;
                }
            }
        }
    }
    println!("{checked} port evidence values agree with tshark over {files} corpus files");
    if files > 0 {
        assert!(
            checked >= 20,
            "only {checked} port findings over the corpus files"
        );
    }
}
