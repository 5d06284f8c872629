//! The scan detectors over crafted captures (`tests/captures/detect/craft_scans.py`): every scan
//! style, the 32775 sweep, data after an answer, decoys, sscan, ping sweeps and IP-protocol
//! scans in `scans.pcap`, and near misses in `scans_negative.pcap` that must report none of them.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::Path;
use tracelens::detect::{scans, Analyzer, Detection, Observed};
use tracelens::explain::Severity;

fn run(bytes: &[u8]) -> Vec<Detection> {
    common::analyze(bytes)
}

fn crafted(name: &str) -> Vec<Detection> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/captures/detect")
        .join(name);
    let bytes = std::fs::read(&path).expect("read crafted capture");
    run(&bytes)
        .into_iter()
        .filter(|d| scans::IDS.contains(&d.finding.id))
        .collect()
}

fn by_key<'a>(v: &'a [Detection], key: &str) -> &'a Detection {
    let found: Vec<_> = v.iter().filter(|d| d.key == key).collect();
    assert_eq!(
        found.len(),
        1,
        "one detection for {key}; keys: {:?}",
        keys(v)
    );
    found[0]
}

fn keys(v: &[Detection]) -> Vec<&str> {
    v.iter().map(|d| d.key.as_str()).collect()
}

fn param<'a>(d: &'a Detection, name: &str) -> &'a str {
    common::param(d, name)
}

/// The evidence names the first probe: its source address and destination port bytes.
fn assert_first_probe(d: &Detection, packet: u64, port_field: &str) {
    let ev = &d.finding.evidence;
    assert_eq!(ev.len(), 2, "{}: {ev:?}", d.key);
    assert_eq!(
        (
            ev[0].packet,
            ev[0].field.as_str(),
            ev[0].offset,
            ev[0].length
        ),
        (packet, "ip.src", 26, 4),
        "{}",
        d.key
    );
    assert_eq!(
        (
            ev[1].packet,
            ev[1].field.as_str(),
            ev[1].offset,
            ev[1].length
        ),
        (packet, port_field, 36, 2),
        "{}",
        d.key
    );
    assert!(d.packets.contains(&packet), "{}", d.key);
}

#[test]
fn every_scan_in_the_positive_capture_is_reported_once() {
    let v = crafted("scans.pcap");
    let mut got = keys(&v);
    got.sort_unstable();
    assert_eq!(
        got,
        [
            "scan.decoy:10.0.0.18/tcp",
            "scan.ip_proto:203.0.113.71>10.0.0.17",
            "scan.open_port_data:203.0.113.67>10.0.0.11",
            "scan.ping_sweep:203.0.113.72",
            "scan.port.ack:203.0.113.69>10.0.0.15",
            "scan.port.connect:203.0.113.67>10.0.0.11",
            "scan.port.stealth:203.0.113.68>10.0.0.12",
            "scan.port.stealth:203.0.113.68>10.0.0.13",
            "scan.port.stealth:203.0.113.68>10.0.0.14",
            "scan.port.syn:203.0.113.66>10.0.0.10",
            "scan.port.udp:203.0.113.70>10.0.0.16",
            "scan.sscan:203.0.113.90>10.0.0.19",
            "scan.sweep:198.51.100.23>tcp/32775",
        ]
    );
    for d in &v {
        let r = d.finding.render();
        assert!(
            !r.title.contains('{') && !r.text.contains('{'),
            "{}: {r:?}",
            d.key
        );
        assert!(!r.next.contains('{'), "{}: {}", d.key, r.next);
        assert!(d.first <= d.last && !d.packets.is_empty());
        assert!(d.packets.windows(2).all(|w| w[0] < w[1]), "{}", d.key);
    }
}

#[test]
fn the_32775_sweep_lists_who_answered_and_that_no_data_followed() {
    let v = crafted("scans.pcap");
    let d = by_key(&v, "scan.sweep:198.51.100.23>tcp/32775");
    assert_eq!(d.severity(), Severity::Warning);
    assert_eq!(param(d, "hosts"), "40");
    assert_eq!(param(d, "open"), "3");
    assert_eq!(
        param(d, "open_list"),
        "192.168.5.4, 192.168.5.20, 192.168.5.40"
    );
    assert_eq!((param(d, "refused"), param(d, "silent")), ("2", "35"));
    assert_eq!(param(d, "style"), "SYN");
    assert!(param(d, "data").starts_with("No data followed"));
    assert_first_probe(d, 1, "tcp.dstport");
    // 40 probes, 3 SYN/ACKs and 2 refusals (the scanner's own resets are not answers).
    assert_eq!(d.packets.len(), 45);
    assert_eq!(d.packets.first(), Some(&1));
    let r = d.finding.render();
    assert!(r
        .title
        .contains("TCP port 32775 across 40 hosts from 198.51.100.23"));
    assert!(r.references.iter().any(|s| s.starts_with("seed 004")));
}

#[test]
fn vertical_scans_carry_their_style_and_answers() {
    let v = crafted("scans.pcap");

    let syn = by_key(&v, "scan.port.syn:203.0.113.66>10.0.0.10");
    assert_eq!(
        (param(syn, "ports"), param(syn, "port_list")),
        ("40", "1-38, 80, 443")
    );
    assert_eq!(
        (param(syn, "open_list"), param(syn, "refused")),
        ("22, 80", "38")
    );
    assert_eq!(param(syn, "failed"), "38");
    assert_first_probe(syn, 49, "tcp.dstport");

    let con = by_key(&v, "scan.port.connect:203.0.113.67>10.0.0.11");
    assert_eq!(param(con, "style"), "full-connect");
    assert_eq!(
        (param(con, "ports"), param(con, "open_list")),
        ("30", "21, 25")
    );
    assert!(param(con, "data").contains("21, 25"));
    assert_first_probe(con, 131, "tcp.dstport");

    for (target, style, first) in [
        ("10.0.0.12", "FIN", 197),
        ("10.0.0.13", "NULL (no flags)", 235),
        ("10.0.0.14", "Xmas (FIN+PSH+URG)", 273),
    ] {
        let d = by_key(&v, &format!("scan.port.stealth:203.0.113.68>{target}"));
        assert_eq!(param(d, "style"), style);
        assert_eq!((param(d, "ports"), param(d, "refused")), ("20", "18"));
        assert_eq!(param(d, "silent_list"), "22, 80");
        assert_first_probe(d, first, "tcp.dstport");
        // 20 probes and 18 resets.
        assert_eq!(d.packets.len(), 38);
    }

    let ack = by_key(&v, "scan.port.ack:203.0.113.69>10.0.0.15");
    assert_eq!((param(ack, "refused"), param(ack, "silent")), ("15", "5"));
    assert_eq!(param(ack, "silent_list"), "16-20");
    assert_first_probe(ack, 311, "tcp.dstport");

    let udp = by_key(&v, "scan.port.udp:203.0.113.70>10.0.0.16");
    assert_eq!(
        (param(udp, "ports"), param(udp, "unreachable")),
        ("31", "27")
    );
    assert_eq!(
        (param(udp, "open_list"), param(udp, "silent_list")),
        ("53", "67-69")
    );
    assert_first_probe(udp, 346, "udp.dstport");
    for d in [syn, con, ack, udp] {
        assert_eq!(d.severity(), Severity::Warning);
    }
}

#[test]
fn data_after_an_answered_probe_is_an_alert_pointing_at_the_payload() {
    let v = crafted("scans.pcap");
    let d = by_key(&v, "scan.open_port_data:203.0.113.67>10.0.0.11");
    assert_eq!(d.severity(), Severity::Alert);
    assert_eq!(param(d, "ports"), "21, 25");
    // Port 21: probe 171, SYN/ACK 172, handshake ACK 173, banner 174 ("220 ftp ready\r\n").
    assert_eq!(param(d, "packet"), "174");
    let ev = &d.finding.evidence;
    assert_eq!(
        (
            ev[1].packet,
            ev[1].field.as_str(),
            ev[1].offset,
            ev[1].length
        ),
        (174, "tcp.payload", 54, 15)
    );
    assert!(d.packets.contains(&174));
}

#[test]
fn the_decoy_scan_names_every_source_and_points_at_the_odd_ttl() {
    let v = crafted("scans.pcap");
    let d = by_key(&v, "scan.decoy:10.0.0.18/tcp");
    assert_eq!(d.severity(), Severity::Alert);
    assert_eq!(param(d, "sources"), "5");
    // 20 ports, of which 22 and 80 answered: the 18 refused ones make the shared set.
    assert_eq!(param(d, "ports"), "18");
    assert!(param(d, "source_list").contains("203.0.113.80 (TTL 52)"));
    assert!(param(d, "source_list").contains("192.0.2.10 (TTL 40)"));
    let verdict = param(d, "ttl_verdict");
    assert!(
        verdict.starts_with("203.0.113.80 stands out with TTL 52"),
        "{verdict}"
    );
    assert!(verdict.contains("203.0.113.80 also held an ordinary conversation"));
    // The first decoy probe (after the real scanner's earlier connection, packets 487-491).
    assert_first_probe(d, 492, "tcp.dstport");
    // The real scanner's earlier connection (from packet 487) is listed with the evidence.
    assert_eq!(d.packets.first(), Some(&487));
    // The sources are folded into the decoy finding, not reported as five port scans.
    assert!(!v.iter().any(|x| x.key.contains(">10.0.0.18")));
    // The ordinary connection before the scan is not "data after an answered probe".
    assert!(!v
        .iter()
        .any(|x| x.key.starts_with("scan.open_port_data:203.0.113.80")));
}

#[test]
fn sscan_lists_its_phases() {
    let v = crafted("scans.pcap");
    let d = by_key(&v, "scan.sscan:203.0.113.90>10.0.0.19");
    assert_eq!(d.severity(), Severity::Alert);
    assert_eq!(param(d, "ack_ports"), "23, 25, 80, 110, 143");
    assert_eq!(
        param(d, "probe_ports"),
        "1, 21, 53, 79, 111, 139, 1114, 6000, 31337"
    );
    assert_eq!(param(d, "fp_sports"), "1-5");
    let ev = &d.finding.evidence;
    assert_eq!(
        (ev[0].packet, ev[0].field.as_str(), ev[0].offset),
        (692, "tcp.srcport", 34)
    );
    assert_eq!((ev[1].field.as_str(), ev[1].offset), ("tcp.dstport", 36));
    // sscan's 9 SYNs and 5 ACK pings stay below the vertical-scan threshold.
    assert!(!v
        .iter()
        .any(|x| x.key.starts_with("scan.port.") && x.key.ends_with(">10.0.0.19")));
}

#[test]
fn ping_sweep_and_protocol_scan() {
    let v = crafted("scans.pcap");
    let p = by_key(&v, "scan.ping_sweep:203.0.113.72");
    assert_eq!(p.severity(), Severity::Notice);
    assert_eq!((param(p, "hosts"), param(p, "answered")), ("30", "4"));
    assert_eq!(
        param(p, "answered_list"),
        "10.0.1.1, 10.0.1.5, 10.0.1.17, 10.0.1.29"
    );
    let ev = &p.finding.evidence;
    assert_eq!((ev[0].packet, ev[0].offset, ev[0].length), (453, 26, 4));
    assert_eq!((ev[1].field.as_str(), ev[1].offset), ("ip.dst", 30));
    assert_eq!(p.packets.len(), 34);

    let s = by_key(&v, "scan.ip_proto:203.0.113.71>10.0.0.17");
    assert_eq!(
        (param(s, "protocols"), param(s, "protocol_list")),
        ("25", "0-24")
    );
    assert_eq!(
        (
            param(s, "refused"),
            param(s, "answered_list"),
            param(s, "silent")
        ),
        ("20", "1, 6, 17", "2")
    );
    let ev = &s.finding.evidence;
    assert_eq!(
        (
            ev[1].packet,
            ev[1].field.as_str(),
            ev[1].offset,
            ev[1].length
        ),
        (405, "ip.proto", 23, 1)
    );
}

#[test]
fn near_misses_report_nothing() {
    let v = crafted("scans_negative.pcap");
    assert!(v.is_empty(), "{:?}", keys(&v));
}

#[test]
fn every_prefix_of_the_capture_analyses_without_panic() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/captures/detect/scans.pcap");
    let bytes = std::fs::read(path).expect("read crafted capture");
    // Cut records at a spread of offsets: the analyser must survive partial captures.
    for cut in (24..bytes.len()).step_by(997) {
        let cap = tracelens::capture::read_all(&bytes[..cut]);
        let mut a = Analyzer::new();
        for p in &cap.packets {
            let d = p.decode();
            a.observe(&Observed {
                number: p.number,
                ts: p.ts,
                d: &d,
            });
        }
        let _ = a.finish();
    }
}

/// Ordinary traffic from the corpus: none of tcpdump's test captures holds a scan, and none of
/// them may raise one (about 830 captures; a second or two).
#[test]
fn corpus_captures_of_ordinary_traffic_raise_no_scan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/tcpdump/tests");
    let Ok(rd) = std::fs::read_dir(&root) else {
        println!("skipped: {} is missing", root.display());
        return;
    };
    let mut files: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    files.retain(|p| {
        matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("pcap" | "pcapng")
        )
    });
    files.sort();
    let mut packets = 0;
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        let cap = tracelens::capture::read_all(&bytes);
        packets += cap.packets.len();
        let mut a = Analyzer::new();
        for p in &cap.packets {
            let d = p.decode();
            a.observe(&Observed {
                number: p.number,
                ts: p.ts,
                d: &d,
            });
        }
        let ours: Vec<_> = a
            .finish()
            .into_iter()
            .filter(|d| scans::IDS.contains(&d.finding.id))
            .map(|d| d.key)
            .collect();
        assert!(ours.is_empty(), "{}: {ours:?}", f.display());
    }
    println!(
        "{} corpus captures, {packets} packets: no scan",
        files.len()
    );
}

/// Survey with low thresholds, run by hand: which ordinary corpus traffic comes closest.
#[test]
#[ignore]
fn survey_corpus_low_thresholds() {
    use tracelens::detect::scans::*;
    use tracelens::detect::Detector;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/tcpdump/tests");
    let Ok(rd) = std::fs::read_dir(&root) else {
        return;
    };
    let mut files: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for f in files {
        if !matches!(
            f.extension().and_then(|x| x.to_str()),
            Some("pcap" | "pcapng")
        ) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        let cap = tracelens::capture::read_all(&bytes);
        if cap.packets.len() > 500 {
            println!("{}: {} packets", f.display(), cap.packets.len());
        }
        let mut dets: Vec<Box<dyn Detector>> = vec![
            Box::new(PortScan::new(PortScanSettings {
                min_ports: 4,
                min_hosts: 4,
                ..PortScanSettings::default()
            })),
            Box::new(PingSweep::new(PingSweepSettings {
                min_hosts: 4,
                ..PingSweepSettings::default()
            })),
            Box::new(ProtoScan::new(ProtoScanSettings {
                min_protocols: 4,
                ..ProtoScanSettings::default()
            })),
            Box::new(Sscan::new(SscanSettings {
                min_ack_ports: 1,
                min_probe_ports: 1,
                ..SscanSettings::default()
            })),
        ];
        for p in &cap.packets {
            let d = p.decode();
            for det in &mut dets {
                det.observe(&Observed {
                    number: p.number,
                    ts: p.ts,
                    d: &d,
                });
            }
        }
        let mut out = Vec::new();
        for det in &mut dets {
            det.finish(&mut out);
        }
        for d in out {
            println!(
                "{}\t{}\t{}",
                f.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                d.key,
                d.finding.render().title
            );
        }
    }
}
