//! ICMP and ICMPv6 findings over the crafted capture `tests/captures/explain/icmp.pcap` (see
//! `craft_icmp.py` for what each packet number is), plus the port-unreachable hex dump from
//! seed 003 decoded by hand.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use tracelens::decode::linktype;
use tracelens::explain::{explain_packet, Explanation, RenderedFinding, Severity};

fn capture() -> Vec<Explanation> {
    common::explain_all("explain", "icmp.pcap")
}

fn ids(e: &Explanation) -> Vec<&str> {
    e.findings.iter().map(|f| f.id.as_str()).collect()
}

fn find<'a>(e: &'a Explanation, id: &str) -> &'a RenderedFinding {
    e.findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("packet {}: no {id} in {:?}", e.packet, ids(e)))
}

/// The (offset, length) of the evidence named `field`.
fn evidence(f: &RenderedFinding, field: &str) -> (usize, usize) {
    f.evidence
        .iter()
        .find(|e| e.field == field)
        .map(|e| (e.offset, e.length))
        .unwrap_or_else(|| panic!("{}: no evidence on {field}: {:?}", f.id, f.evidence))
}

/// Packet `n` (1-based) raises `id` with `severity`, and its texts have no unfilled `{param}`.
fn has(all: &[Explanation], n: usize, id: &str, severity: Severity) -> RenderedFinding {
    let e = &all[n - 1];
    let f = find(e, id).clone();
    assert_eq!(f.severity, severity, "packet {n} {id}");
    for t in [&f.title, &f.text, &f.next] {
        assert!(
            !t.contains('{'),
            "packet {n} {id}: unfilled parameter in {t:?}"
        );
    }
    f
}

fn lacks(all: &[Explanation], n: usize, id: &str) {
    assert!(
        !ids(&all[n - 1]).contains(&id),
        "packet {n} should not raise {id}: {:?}",
        ids(&all[n - 1])
    );
}

#[test]
fn echo_and_broadcast_pings() {
    let all = capture();
    let f = has(&all, 1, "icmp.echo.request", Severity::Info);
    assert!(f.text.contains("192.168.1.10") && f.text.contains("identifier 512"));
    // Ethernet 14 + IP 20: type at 34, code at 35.
    assert_eq!(evidence(&f, "icmp.type"), (34, 1));
    assert_eq!(evidence(&f, "icmp.code"), (35, 1));
    lacks(&all, 1, "icmp.echo.to_broadcast");
    lacks(&all, 1, "icmp.code.unknown");

    let f = has(&all, 2, "icmp.echo.reply", Severity::Info);
    assert!(
        f.next.contains("sequence 1"),
        "says which request to look for"
    );

    let f = has(&all, 3, "icmp.echo.to_broadcast", Severity::Warning);
    assert!(f.text.contains("assuming a /24 prefix") && f.text.contains("192.168.1.0/24"));
    assert_eq!(evidence(&f, "ip.dst"), (30, 4));
    lacks(&all, 3, "icmp.echo.request");
    let f = has(&all, 4, "icmp.echo.to_broadcast", Severity::Warning);
    assert!(f.text.contains("limited broadcast"));

    // Echo with code 9: still a ping, and a code chosen by a tool.
    has(&all, 5, "icmp.echo.request", Severity::Info);
    let f = has(&all, 5, "icmp.code.unknown", Severity::Warning);
    assert!(f.title.contains("code 9"));
    assert_eq!(evidence(&f, "icmp.code"), (35, 1));
}

#[test]
fn unreachable_codes_name_the_quoted_packet() {
    let all = capture();
    let f = has(&all, 6, "icmp.unreach.net", Severity::Notice);
    assert!(f.text.contains("to 10.99.0.1 port 443"), "{}", f.text);
    // Quoted TCP destination port: 14 + 20 + 8 + 20 + 2 = 64.
    assert_eq!(evidence(&f, "tcp.dstport"), (64, 2));
    has(&all, 7, "icmp.unreach.host", Severity::Notice);
    let f = has(&all, 8, "icmp.unreach.protocol", Severity::Notice);
    assert!(f.title.contains("GRE"), "{}", f.title);

    // Seed 003's dump: UDP 2215 -> 31001.
    let f = has(&all, 9, "icmp.unreach.port", Severity::Notice);
    assert!(f.title.contains("UDP port 31001"));
    assert!(f.text.contains("10.0.1.201 port 2215"), "{}", f.text);
    assert_eq!(evidence(&f, "udp.dstport"), (64, 2));
    for cause in [
        "icmp.unreach.port.dns_reply",
        "icmp.unreach.port.netbios",
        "icmp.unreach.port.traceroute",
    ] {
        lacks(&all, 9, cause);
    }

    has(&all, 10, "icmp.unreach.port.dns_reply", Severity::Info);
    lacks(&all, 10, "icmp.unreach.port");
    let f = has(&all, 11, "icmp.unreach.port.netbios", Severity::Info);
    assert!(f.next.contains("192.168.1.10"), "names the Windows host");
    has(&all, 12, "icmp.unreach.port.traceroute", Severity::Info);
    // A query *to* port 53 that found no server is not a late answer.
    let f = has(&all, 13, "icmp.unreach.port", Severity::Notice);
    assert!(
        f.text.contains("(DNS)"),
        "service from the port table: {}",
        f.text
    );
    lacks(&all, 13, "icmp.unreach.port.dns_reply");

    let f = has(&all, 14, "icmp.unreach.frag_needed", Severity::Info);
    assert!(f.title.contains("1400"));
    assert_eq!(evidence(&f, "icmp.mtu"), (40, 2));
    has(&all, 15, "icmp.unreach.source_route", Severity::Warning);
    has(&all, 16, "icmp.unreach.unknown_dest", Severity::Notice);
    has(&all, 17, "icmp.unreach.isolated", Severity::Notice);
    let f = has(&all, 18, "icmp.unreach.admin", Severity::Notice);
    assert!(f.text.contains("port 445"));
    has(&all, 19, "icmp.unreach.tos", Severity::Notice);
    has(&all, 20, "icmp.unreach.precedence", Severity::Notice);
    has(&all, 21, "icmp.code.unknown", Severity::Warning);
    assert_eq!(ids(&all[20]).len(), 1, "{:?}", ids(&all[20]));
}

#[test]
fn other_errors_and_queries() {
    let all = capture();
    has(&all, 22, "icmp.source_quench", Severity::Warning);
    let f = has(&all, 23, "icmp.redirect", Severity::Warning);
    assert!(f.title.contains("via 192.168.1.254") && f.title.contains("10.99.0.10"));
    assert_eq!(evidence(&f, "icmp.redir_gw"), (38, 4));
    let f = has(&all, 24, "icmp.time_exceeded.ttl", Severity::Info);
    assert!(f.text.contains("port 33434"));
    has(&all, 25, "icmp.time_exceeded.reassembly", Severity::Notice);
    let f = has(&all, 26, "icmp.param_problem", Severity::Warning);
    assert!(f.text.contains("pointer 20"));
    assert_eq!(evidence(&f, "icmp.pointer"), (38, 1));
    has(&all, 27, "icmp.router.advert", Severity::Info);
    has(&all, 28, "icmp.router.solicit", Severity::Info);
    has(&all, 29, "icmp.timestamp.request", Severity::Notice);
    has(&all, 30, "icmp.timestamp.reply", Severity::Notice);
    has(&all, 31, "icmp.mask.request", Severity::Warning);
    has(&all, 32, "icmp.mask.reply", Severity::Notice);
    let f = has(&all, 33, "icmp.deprecated", Severity::Notice);
    assert!(f.title.ends_with("Information Request"), "{}", f.title);
    has(&all, 34, "icmp.type.unknown", Severity::Warning);
    // None of the messages in the IPv4 part is read as ICMPv6 or the other way round.
    for e in &all[..34] {
        assert!(
            ids(e).iter().all(|i| !i.starts_with("icmpv6.")),
            "{:?}",
            ids(e)
        );
    }
}

#[test]
fn icmpv6_basics() {
    let all = capture();
    let f = has(&all, 35, "icmpv6.echo.request", Severity::Info);
    assert!(f.text.contains("identifier 119"));
    // Ethernet 14 + IPv6 40: type at 54.
    assert_eq!(evidence(&f, "icmpv6.type"), (54, 1));
    has(&all, 36, "icmpv6.echo.reply", Severity::Info);
    let f = has(&all, 37, "icmpv6.unreach.port", Severity::Notice);
    assert!(f.title.contains("UDP port 53"));
    // Quoted UDP destination port: 14 + 40 + 8 + 40 + 2.
    assert_eq!(evidence(&f, "udp.dstport"), (104, 2));
    lacks(&all, 37, "icmpv6.unreach");
    let f = has(&all, 38, "icmpv6.unreach", Severity::Notice);
    assert!(f.title.contains("administratively prohibited"));
    let f = has(&all, 39, "icmpv6.packet_too_big", Severity::Info);
    assert!(f.title.contains("1280"));
    has(&all, 40, "icmpv6.time_exceeded", Severity::Info);
    has(&all, 41, "icmpv6.param_problem", Severity::Warning);
    has(&all, 42, "icmpv6.nd.router_solicit", Severity::Info);
    has(&all, 43, "icmpv6.nd.router_advert", Severity::Info);
    let f = has(&all, 44, "icmpv6.nd.neighbor_solicit", Severity::Info);
    assert!(f.title.contains("fd00::10"));
    has(&all, 45, "icmpv6.nd.neighbor_advert", Severity::Info);
    has(&all, 46, "icmpv6.nd.redirect", Severity::Notice);
    has(&all, 47, "icmpv6.mld", Severity::Info);
}

#[test]
fn narratives_name_the_key_facts() {
    let all = capture();
    assert!(all[8].narrative.contains("31001"), "{}", all[8].narrative);
    assert!(all[0].narrative.contains("192.168.1.1"));
}

/// The hex dump from seed 003 §2.3.3, as a frame on its own.
#[test]
fn seed_003_dump_by_hand() {
    let frame: [u8; 70] = [
        0x00, 0x00, 0xBA, 0x5E, 0xBA, 0x11, // eth.dst
        0x00, 0x60, 0x97, 0x07, 0xC0, 0xFF, // eth.src
        0x08, 0x00, // eth.type IPv4
        0x45, 0x00, 0x00, 0x38, // IPv4, IHL 5, total length 56
        0x6F, 0xDF, 0x00, 0x00, // id, no fragment
        0x80, 0x01, 0xB4, 0x12, // TTL 128, ICMP, checksum
        0x0A, 0x00, 0x01, 0x0B, // ip.src 10.0.1.11
        0x0A, 0x00, 0x01, 0xC9, // ip.dst 10.0.1.201
        0x03, 0x03, 0xC2, 0xD2, // icmp.type 3, icmp.code 3, checksum
        0x00, 0x00, 0x00, 0x00, // unused
        0x45, 0x00, 0x00, 0x47, // quoted IPv4, total length 71
        0x07, 0xF0, 0x00, 0x00, // quoted id
        0x80, 0x11, 0x1B, 0xE3, // TTL 128, UDP, checksum
        0x0A, 0x00, 0x01, 0xC9, // quoted ip.src 10.0.1.201
        0x0A, 0x00, 0x01, 0x0B, // quoted ip.dst 10.0.1.11
        0x08, 0xA7, 0x79, 0x19, // quoted udp.srcport 2215, udp.dstport 31001
        0x00, 0x33, 0xB8, 0x36, // quoted udp.length 51, checksum
    ];
    let d = tracelens::decode(&frame, linktype::ETHERNET);
    let e = explain_packet(1, &d);
    let f = find(&e, "icmp.unreach.port");
    assert!(f.text.contains("31001") && f.text.contains("2215") && f.text.contains("10.0.1.11"));
    assert_eq!(evidence(f, "udp.dstport"), (64, 2));
    // Every cut of the frame decodes and explains without panicking.
    for cut in 0..frame.len() {
        let d = tracelens::decode(&frame[..cut], linktype::ETHERNET);
        let e = explain_packet(1, &d);
        for f in &e.findings {
            assert!(!f.text.contains('{'), "cut {cut}: {}", f.text);
        }
    }
}

/// Corpus captures with ICMP errors and pings (tcpdump's test suite): tshark's reading of each
/// ICMP packet (type, code, and the quoted destination address and UDP port) against ours.
const CORPUS: &[&str] = &[
    "tcpdump/tests/mpls-traceroute.pcap",
    "tcpdump/tests/icmp-rfc5837.pcap",
    "tcpdump/tests/dhcp-rfc4388.pcap",
];

/// The finding our rules give a (type, code) pair seen in the corpus, with the UDP destination
/// port quoted (traceroute's probe range picks the traceroute cause for port unreachables).
fn expected_id(ty: u8, code: u8, port: Option<u16>) -> Option<&'static str> {
    Some(match (ty, code) {
        (0, 0) => "icmp.echo.reply",
        (8, 0) => "icmp.echo.request",
        (3, 0) => "icmp.unreach.net",
        (3, 1) => "icmp.unreach.host",
        (3, 3) if port.is_some_and(|p| (33434..=33600).contains(&p)) => {
            "icmp.unreach.port.traceroute"
        }
        (3, 3) => "icmp.unreach.port",
        (11, 0) => "icmp.time_exceeded.ttl",
        (11, 1) => "icmp.time_exceeded.reassembly",
        _ => return None,
    })
}

#[test]
fn corpus_icmp_agrees_with_tshark() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");
    if !std::path::Path::new(root).is_dir() {
        println!("skipped: no corpus at {root}");
        return;
    }
    if std::process::Command::new("tshark")
        .arg("-v")
        .output()
        .is_err()
    {
        println!("skipped: tshark is not installed");
        return;
    }
    let (mut checked, mut quoted) = (0, 0);
    for file in CORPUS {
        let path = format!("{root}/{file}");
        let Ok(bytes) = std::fs::read(&path) else {
            println!("skipped {file}: not in the corpus");
            continue;
        };
        let out = std::process::Command::new("tshark")
            .args([
                "-r",
                &path,
                "-Y",
                "icmp",
                "-T",
                "fields",
                "-E",
                "occurrence=a",
            ])
            .args([
                "-E",
                "aggregator=;",
                "-e",
                "frame.number",
                "-e",
                "icmp.type",
            ])
            .args(["-e", "icmp.code", "-e", "ip.dst", "-e", "udp.dstport"])
            .output()
            .expect("tshark runs");
        let cap = tracelens::capture::read_all(&bytes);
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            let first = |i: usize| cols.get(i).and_then(|c| c.split(';').next()).unwrap_or("");
            let (Ok(n), Ok(ty), Ok(code)) = (
                first(0).parse::<u64>(),
                first(1).parse::<u8>(),
                first(2).parse::<u8>(),
            ) else {
                continue;
            };
            // The second ip.dst and the first udp.dstport of an error are the quoted packet's.
            let orig_dst = cols.get(3).and_then(|c| c.split(';').nth(1));
            let port = cols
                .get(4)
                .and_then(|c| c.split(';').next())
                .and_then(|p| p.parse::<u16>().ok());
            let Some(id) = expected_id(ty, code, port) else {
                continue;
            };
            let p = cap.packets.iter().find(|p| p.number == n).expect("frame");
            let e = explain_packet(n, &p.decode());
            let f = find(&e, id);
            if matches!(ty, 3 | 11) {
                let orig_dst = orig_dst.expect("tshark shows the quoted header");
                assert!(
                    f.text.contains(orig_dst),
                    "{file} #{n}: {orig_dst} not in {}",
                    f.text
                );
                if let Some(port) = port {
                    assert!(
                        f.text.contains(&format!("port {port}")),
                        "{file} #{n}: {}",
                        f.text
                    );
                }
                quoted += 1;
            }
            checked += 1;
        }
    }
    println!(
        "{checked} ICMP packets agree with tshark, {quoted} of them errors with a quoted header"
    );
    assert!(checked > 0, "the corpus should have ICMP packets");
}
