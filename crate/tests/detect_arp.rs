//! The ARP and DHCP detectors over their crafted captures (`tests/captures/detect/craft_arp.py`,
//! whose docstring lists every packet): spoofing, a scan and two DHCP servers in the positive
//! capture; boot announcements, one failover, a slow router and one DHCP server per link in the
//! near misses.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use tracelens::detect::{arp, Detection, Detector, Observed};
use tracelens::explain::Severity;

fn crafted(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/captures/detect")
        .join(name);
    std::fs::read(&path).expect("read crafted capture")
}

/// Every detection the whole Analyzer makes over a capture.
fn analyze(bytes: &[u8]) -> Vec<Detection> {
    common::analyze(bytes)
}

/// This module's detections only, by key.
fn mine(all: &[Detection]) -> Vec<&Detection> {
    let mut v: Vec<_> = all
        .iter()
        .filter(|d| arp::IDS.contains(&d.finding.id))
        .collect();
    v.sort_by(|a, b| a.key.cmp(&b.key));
    v
}

fn keys(all: &[&Detection]) -> Vec<String> {
    all.iter().map(|d| d.key.clone()).collect()
}

fn find<'a>(all: &'a [&Detection], key: &str) -> &'a Detection {
    all.iter()
        .find(|d| d.key == key)
        .copied()
        .unwrap_or_else(|| panic!("no detection {key}; have {:?}", keys(all)))
}

fn param<'a>(d: &'a Detection, name: &str) -> &'a str {
    common::param(d, name)
}

/// (packet, field, offset, length) of each evidence item.
fn evidence(d: &Detection) -> Vec<(u64, String, usize, usize)> {
    common::evidence(d)
}

const SPOOF: &str = "arp.spoofing:192.168.1.1";
const SCAN: &str = "arp.scan:02:00:00:00:00:66@192.168.1.66";
const DHCP: &str = "dhcp.multiple_servers:192.168.1.1,192.168.1.66";
const BOOT: &str = "arp.gratuitous:192.168.1.10@02:00:00:00:00:0a";

#[test]
fn positive_capture_gives_exactly_the_expected_detections() {
    let all = analyze(&crafted("arp.pcap"));
    let m = mine(&all);
    // The attacker's gratuitous reply (packet 7) is part of the spoofing story, so it gets no
    // separate info line of its own.
    assert_eq!(keys(&m), [BOOT, SCAN, SPOOF, DHCP]);
}

#[test]
fn gateway_claimed_back_and_forth_is_spoofing() {
    let all = analyze(&crafted("arp.pcap"));
    let m = mine(&all);
    let d = find(&m, SPOOF);
    assert_eq!(d.finding.id, arp::SPOOFING);
    assert_eq!(d.severity(), Severity::Warning);
    assert_eq!(param(d, "mac_count"), "2");
    assert_eq!(param(d, "changes"), "3");
    assert_eq!(param(d, "peak"), "3");
    assert_eq!(param(d, "macs"), "02:00:00:00:00:01, 02:00:00:00:00:66");
    // From the baseline claim by the gateway to the attacker's last gratuitous reply.
    assert_eq!(d.packets, [3, 4, 5, 6, 7]);
    // The proof is the first false claim: sender MAC and IP of packet 4 (14 + 8 and 14 + 14).
    assert_eq!(
        evidence(d),
        [
            (4, "arp.src.hw_mac".into(), 22, 6),
            (4, "arp.src.proto_ipv4".into(), 28, 4)
        ]
    );
    assert_eq!(d.last.secs - d.first.secs, 11);
    let r = d.render();
    assert!(
        r.finding.title.contains("192.168.1.1"),
        "{}",
        r.finding.title
    );
    assert!(r
        .finding
        .references
        .iter()
        .any(|s| s.starts_with("RFC 826")));
}

#[test]
fn sixty_four_requests_in_a_second_are_a_scan() {
    let all = analyze(&crafted("arp.pcap"));
    let m = mine(&all);
    let d = find(&m, SCAN);
    assert_eq!(d.severity(), Severity::Warning);
    assert_eq!(param(d, "targets"), "64");
    assert_eq!(param(d, "peak"), "64");
    assert_eq!(param(d, "lowest"), "192.168.1.100");
    assert_eq!(param(d, "highest"), "192.168.1.163");
    // Every request, the ones before the threshold included; the answers are not the scan.
    assert_eq!(d.packets, (8..=71).collect::<Vec<u64>>());
    // The request that crossed the 32-address threshold proves it: packet 8 + 31.
    assert_eq!(
        evidence(d),
        [
            (39, "arp.src.hw_mac".into(), 22, 6),
            (39, "arp.src.proto_ipv4".into(), 28, 4),
            (39, "arp.dst.proto_ipv4".into(), 38, 4)
        ]
    );
}

#[test]
fn a_rogue_offer_is_a_second_dhcp_server() {
    let all = analyze(&crafted("arp.pcap"));
    let m = mine(&all);
    let d = find(&m, DHCP);
    assert_eq!(d.severity(), Severity::Warning);
    assert_eq!(param(d, "count"), "2");
    assert_eq!(
        param(d, "servers"),
        "192.168.1.1 (2 answers), 192.168.1.66 (1 answer)"
    );
    assert!(param(d, "same_request").contains("0x00001234"));
    assert_eq!(d.packets, [75, 76, 78]);
    // From the real server's offer (120.01 s after the start) to its ACK (120.51 s).
    assert_eq!(
        (d.first.secs, d.first.nanos / 1_000_000),
        (1_700_000_120, 10)
    );
    assert_eq!(
        (d.last.secs, d.last.nanos / 1_000_000),
        (1_700_000_120, 510)
    );
    let ev = evidence(d);
    assert_eq!(ev.len(), 2);
    assert_eq!(
        (ev[0].0, ev[0].1.as_str(), ev[0].3),
        (76, "dhcp.option.dhcp_server_id", 4)
    );
    assert_eq!(
        (ev[1].0, ev[1].1.as_str(), ev[1].3),
        (76, "dhcp.option.dhcp", 1)
    );
    // The evidence bytes hold the rogue's address.
    let bytes = crafted("arp.pcap");
    let cap = tracelens::capture::read_all(&bytes);
    let p76 = &cap.packets[75].data;
    assert_eq!(&p76[ev[0].2..ev[0].2 + 4], &[192, 168, 1, 66]);
}

#[test]
fn near_misses_are_info_and_notice_at_most() {
    let all = analyze(&crafted("arp_negative.pcap"));
    let m = mine(&all);
    assert_eq!(
        keys(&m),
        [
            BOOT,
            "arp.gratuitous:192.168.1.20@02:00:00:00:20:0b",
            "arp.mac_changed:192.168.1.20"
        ]
    );
    for d in &m {
        assert!(d.severity() <= Severity::Notice, "{}", d.key);
    }
    // Boot: the probes from 0.0.0.0 claim nothing; the two announcements are info.
    let boot = find(&m, BOOT);
    assert_eq!(boot.severity(), Severity::Info);
    assert_eq!(boot.packets, [4, 5]);
    assert_eq!(param(boot, "count"), "2");
    // Failover: one change of owner, then the standby keeps the address.
    let moved = find(&m, "arp.mac_changed:192.168.1.20");
    assert_eq!(moved.severity(), Severity::Notice);
    assert_eq!(param(moved, "old_mac"), "02:00:00:00:20:0a");
    assert_eq!(param(moved, "new_mac"), "02:00:00:00:20:0b");
    assert_eq!(param(moved, "changes"), "1");
    assert_eq!(moved.packets, [6, 9, 10, 11, 12]);
    assert_eq!(evidence(moved)[0], (9, "arp.src.hw_mac".into(), 22, 6));
}

#[test]
fn stricter_settings_move_the_line() {
    // The failover capture becomes spoofing once a single change is enough, and the slow
    // router becomes a scan with a 100-second window: the defaults are a choice, not an accident.
    let bytes = crafted("arp_negative.pcap");
    let cap = tracelens::capture::read_all(&bytes);
    let s = arp::ArpSettings {
        spoof_changes: 1,
        scan_window: 100.0,
        ..arp::ArpSettings::default()
    };
    let mut own = arp::ArpOwnership::new(s.clone());
    let mut scan = arp::ArpScan::new(s);
    for p in &cap.packets {
        let d = p.decode();
        let o = Observed {
            number: p.number,
            ts: p.ts,
            d: &d,
        };
        own.observe(&o);
        scan.observe(&o);
    }
    let mut out = Vec::new();
    own.finish(&mut out);
    scan.finish(&mut out);
    let ids: Vec<&str> = out.iter().map(|d| d.finding.id).collect();
    assert!(ids.contains(&arp::SPOOFING), "{ids:?}");
    assert!(ids.contains(&arp::SCAN), "{ids:?}");
}

#[test]
fn cut_packets_never_panic_the_detectors() {
    for name in ["arp.pcap", "arp_negative.pcap"] {
        let bytes = crafted(name);
        let cap = tracelens::capture::read_all(&bytes);
        let mut dets = arp::detectors();
        for p in &cap.packets {
            for cut in 0..p.data.len() {
                let d = tracelens::decode(&p.data[..cut], p.link_type);
                for det in dets.iter_mut() {
                    det.observe(&Observed {
                        number: p.number,
                        ts: p.ts,
                        d: &d,
                    });
                }
            }
        }
        let mut out = Vec::new();
        for det in dets.iter_mut() {
            det.finish(&mut out);
        }
    }
}

fn corpus() -> Option<PathBuf> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    if !root.is_dir() {
        println!("skipped: no corpus at {}", root.display());
        return None;
    }
    if Command::new("tshark").arg("-v").output().is_err() {
        println!("skipped: tshark is not installed");
        return None;
    }
    Some(root.to_path_buf())
}

#[test]
fn corpus_gratuitous_count_agrees_with_tshark_and_nothing_worse_fires() {
    let Some(root) = corpus() else { return };
    let file = root.join("rusticata-pcap-parser/assets/wireshark_samples-test.pcapng");
    let Ok(bytes) = std::fs::read(&file) else {
        println!("skipped: {} is missing", file.display());
        return;
    };
    let all = analyze(&bytes);
    let m = mine(&all);
    assert_eq!(
        keys(&m),
        ["arp.gratuitous:192.168.152.110@9c:ae:d3:1c:e1:13"]
    );
    let out = Command::new("tshark")
        .arg("-r")
        .arg(&file)
        .args([
            "-Y",
            "arp.isgratuitous == 1",
            "-T",
            "fields",
            "-e",
            "frame.number",
        ])
        .output()
        .expect("run tshark");
    let theirs: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    assert_eq!(theirs.len(), 34);
    assert_eq!(m[0].packets, theirs);
    assert_eq!(param(m[0], "count"), "34");
}
