//! Floods, worms and backscatter over the crafted `tests/captures/detect/floods.pcap` and its near
//! misses in `floods_negative.pcap` (see `craft_floods.py` for each scenario and its packets).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use tracelens::detect::{floods, Detection, Detector, Observed};
use tracelens::explain::Severity;

/// Every detection of this module's ids over a crafted capture, in the analyzer's order.
fn detections(name: &str) -> Vec<Detection> {
    common::analyze_packets(&common::crafted("detect", name))
        .into_iter()
        .filter(|d| floods::IDS.contains(&d.finding.id))
        .collect()
}

fn by_key<'a>(all: &'a [Detection], key: &str) -> &'a Detection {
    all.iter()
        .find(|d| d.key == key)
        .unwrap_or_else(|| panic!("no detection {key}; have {:?}", keys(all)))
}

fn keys(all: &[Detection]) -> Vec<(&str, &str)> {
    all.iter().map(|d| (d.finding.id, d.key.as_str())).collect()
}

fn param<'a>(d: &'a Detection, name: &str) -> &'a str {
    common::param(d, name)
}

fn spans(d: &Detection) -> Vec<(&str, u64, usize, usize)> {
    d.finding
        .evidence
        .iter()
        .map(|e| (e.field.as_str(), e.packet, e.offset, e.length))
        .collect()
}

fn severity(d: &Detection) -> Severity {
    d.severity()
}

/// Runs one detector (with chosen settings) over a crafted capture.
fn run(det: &mut dyn Detector, name: &str) -> Vec<Detection> {
    for p in common::crafted("detect", name) {
        let d = p.decode();
        det.observe(&Observed {
            number: p.number,
            ts: p.ts,
            d: &d,
        });
    }
    let mut out = Vec::new();
    det.finish(&mut out);
    out
}

#[test]
fn every_scenario_gives_one_detection_with_its_id_and_key() {
    let all = detections("floods.pcap");
    let mut got = keys(&all);
    got.sort_unstable();
    assert_eq!(
        got,
        vec![
            ("backscatter.loopback", "backscatter:127.0.0.1"),
            ("backscatter.unsolicited", "backscatter:198.51.100.7"),
            ("flood.syn", "flood.syn:10.0.0.25:25"),
            ("flood.syn_spoofed", "flood.syn:10.0.0.80:80"),
            ("worm.slammer", "worm:10.1.1.66>udp/1434"),
            ("worm.web", "worm:10.1.1.88>tcp/80"),
            ("worm.windows", "worm:10.1.1.77>tcp/445"),
        ]
    );
    // Worst first: the alerts lead.
    let sev: Vec<Severity> = all.iter().map(severity).collect();
    let mut sorted = sev.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(sev, sorted);
    for d in &all {
        let r = d.render();
        for text in [&r.finding.title, &r.finding.text, &r.finding.next] {
            assert!(
                !text.contains('{'),
                "{}: unfilled parameter in {text}",
                d.key
            );
        }
        assert!(
            !d.packets.is_empty() && d.packets.len() <= tracelens::detect::MAX_EVIDENCE_PACKETS
        );
        assert!(d.first <= d.last, "{}", d.key);
    }
}

#[test]
fn blaster_resets_from_loopback_name_the_senders_mac() {
    let all = detections("floods.pcap");
    let d = by_key(&all, "backscatter:127.0.0.1");
    assert_eq!(d.finding.id, floods::BACKSCATTER_LOOPBACK);
    assert_eq!(severity(d), Severity::Alert);
    assert_eq!(param(d, "targets"), "30");
    assert_eq!(param(d, "hosts"), "30");
    assert_eq!(param(d, "ports"), "30");
    assert_eq!(param(d, "sports"), "80");
    assert_eq!(param(d, "kind"), "resets");
    assert_eq!(param(d, "macs"), "00:0c:29:be:ef:01");
    assert_eq!(d.packets, (1..=30).collect::<Vec<u64>>());
    // Evidence in the first reset: IPv4 source, TCP source port, flags, Ethernet source.
    assert_eq!(
        spans(d),
        vec![
            ("ip.src", 1, 26, 4),
            ("tcp.srcport", 1, 34, 2),
            ("tcp.flags", 1, 46, 2),
            ("eth.src", 1, 6, 6),
            ("ip.dst", 1, 30, 4),
        ]
    );
    let r = d.render();
    assert!(
        r.finding.next.contains("00:0c:29:be:ef:01"),
        "{}",
        r.finding.next
    );
    assert!(r.finding.refs_contain("seed 001"));
}

trait Refs {
    fn refs_contain(&self, s: &str) -> bool;
}

impl Refs for tracelens::explain::RenderedFinding {
    fn refs_contain(&self, s: &str) -> bool {
        self.references.iter().any(|r| r.contains(s))
    }
}

#[test]
fn synack_backscatter_leaves_out_the_receivers_own_resets() {
    let all = detections("floods.pcap");
    let d = by_key(&all, "backscatter:198.51.100.7");
    assert_eq!(d.finding.id, floods::BACKSCATTER);
    assert_eq!(severity(d), Severity::Warning);
    assert_eq!(param(d, "targets"), "15");
    assert_eq!(param(d, "kind"), "SYN/ACKs");
    // Packets 32, 36, 40, 44, 48 are the receivers' resets: answers to what they got, not evidence.
    assert_eq!(
        d.packets,
        vec![31, 33, 34, 35, 37, 38, 39, 41, 42, 43, 45, 46, 47, 49, 50]
    );
    assert_eq!(spans(d).first(), Some(&("ip.src", 31, 26, 4)));
    // The resetting receivers are not reported as backscatter sources themselves.
    assert!(all
        .iter()
        .all(|d| !d.key.starts_with("backscatter:192.0.2.")));
}

#[test]
fn slammer_datagrams_counted_per_host_with_their_size() {
    let all = detections("floods.pcap");
    let d = by_key(&all, "worm:10.1.1.66>udp/1434");
    assert_eq!(d.finding.id, floods::WORM_SLAMMER);
    assert_eq!(severity(d), Severity::Alert);
    assert_eq!(param(d, "hosts"), "30");
    assert_eq!(param(d, "failed"), "30");
    assert_eq!(param(d, "answered"), "0");
    assert_eq!(param(d, "bytes"), "376");
    // The two ICMP errors (56, 70) are not attempts.
    assert_eq!(d.packets.len(), 30);
    assert!(!d.packets.contains(&56) && !d.packets.contains(&70));
    assert_eq!(
        spans(d),
        vec![
            ("ip.src", 51, 26, 4),
            ("udp.dstport", 51, 36, 2),
            ("ip.dst", 51, 30, 4),
            ("eth.src", 51, 6, 6),
        ]
    );
}

#[test]
fn tcp_worms_count_refusals_as_failures_and_handshakes_as_answers() {
    let all = detections("floods.pcap");
    let win = by_key(&all, "worm:10.1.1.77>tcp/445");
    assert_eq!(win.finding.id, floods::WORM_WINDOWS);
    assert_eq!(severity(win), Severity::Alert);
    assert_eq!(
        (
            param(win, "hosts"),
            param(win, "failed"),
            param(win, "refused"),
            param(win, "answered")
        ),
        ("25", "25", "3", "0")
    );
    assert_eq!(win.packets.len(), 25);
    assert_eq!(spans(win).get(1), Some(&("tcp.dstport", 83, 36, 2)));

    let web = by_key(&all, "worm:10.1.1.88>tcp/80");
    assert_eq!(web.finding.id, floods::WORM_WEB);
    assert_eq!(severity(web), Severity::Warning);
    assert_eq!(
        (
            param(web, "hosts"),
            param(web, "failed"),
            param(web, "answered")
        ),
        ("25", "23", "2")
    );

    // TCP 23 is no worm port: the 22-host telnet sweep is the scan detector's `scan.sweep`.
    assert!(all.iter().all(|d| d.key != "worm:10.1.1.99>tcp/23"));
}

#[test]
fn syn_floods_tell_forged_sources_from_one_noisy_host() {
    let all = detections("floods.pcap");
    let spoofed = by_key(&all, "flood.syn:10.0.0.80:80");
    assert_eq!(spoofed.finding.id, floods::SYN_FLOOD_SPOOFED);
    assert_eq!(severity(spoofed), Severity::Alert);
    // 150 forged SYNs plus the 3 real clients, who alone complete.
    assert_eq!(param(spoofed, "syns"), "153");
    assert_eq!(param(spoofed, "sources"), "153");
    assert_eq!(param(spoofed, "completed"), "3");
    assert_eq!(param(spoofed, "peak"), "153");
    assert_eq!(
        spans(spoofed),
        vec![
            ("ip.dst", 162, 30, 4),
            ("tcp.dstport", 162, 36, 2),
            ("tcp.flags", 162, 46, 2),
            ("ip.src", 162, 26, 4),
        ]
    );
    assert_eq!(spoofed.packets.len(), 153);
    assert_eq!(spoofed.packets.first(), Some(&162));

    let one = by_key(&all, "flood.syn:10.0.0.25:25");
    assert_eq!(one.finding.id, floods::SYN_FLOOD);
    assert_eq!(severity(one), Severity::Warning);
    assert_eq!(
        (
            param(one, "syns"),
            param(one, "sources"),
            param(one, "completed")
        ),
        ("120", "1", "0")
    );
    assert_eq!(param(one, "some_sources"), "10.9.9.9");
    // Every SYN and none of the server's SYN/ACKs (odd packets from 471).
    assert_eq!(one.packets, (471..=709).step_by(2).collect::<Vec<u64>>());
    // The victim's SYN/ACKs answer SYNs in the capture: no backscatter from either server.
    assert!(all
        .iter()
        .all(|d| d.key != "backscatter:10.0.0.80" && d.key != "backscatter:10.0.0.25"));
}

#[test]
fn near_misses_raise_none_of_these_ids() {
    let all = detections("floods_negative.pcap");
    assert!(all.is_empty(), "{:?}", keys(&all));
}

#[test]
fn each_near_miss_is_held_back_by_the_setting_it_documents() {
    // N5: nine unsolicited SYN/ACKs fire once the threshold is nine; N6's twelve SYN/ACKs without
    // their SYNs still do not, because their conversations carry on afterwards.
    let mut b = floods::Backscatter::new(floods::BackscatterSettings {
        min_targets: 9,
        ..Default::default()
    });
    let got = run(&mut b, "floods_negative.pcap");
    assert_eq!(
        keys(&got),
        vec![(floods::BACKSCATTER, "backscatter:198.51.100.9")]
    );

    // N1: only the completed handshakes keep the busy web server from counting as flooded.
    let mut s = floods::SynFlood::new(floods::SynFloodSettings {
        max_completed_share: 1.0,
        ..Default::default()
    });
    let got = run(&mut s, "floods_negative.pcap");
    assert_eq!(
        keys(&got),
        vec![(floods::SYN_FLOOD_SPOOFED, "flood.syn:10.0.0.80:80")]
    );
}

#[test]
fn thresholds_just_above_the_positives_silence_them() {
    let mut b = floods::Backscatter::new(floods::BackscatterSettings {
        min_targets: 31,
        ..Default::default()
    });
    assert!(run(&mut b, "floods.pcap").is_empty());
    let mut f = floods::Fanout::new(floods::FanoutSettings {
        min_hosts: 31,
        ..Default::default()
    });
    assert!(run(&mut f, "floods.pcap").is_empty());
    let mut s = floods::SynFlood::new(floods::SynFloodSettings {
        min_syns: 154,
        ..Default::default()
    });
    assert!(run(&mut s, "floods.pcap").is_empty());
}

/// Runs tshark over a crafted capture and counts the lines it prints, or `None` when tshark is
/// not installed.
fn tshark_lines(name: &str, filter: &str, field: &str) -> Option<Vec<String>> {
    let path = format!(
        "{}/../tests/captures/detect/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = std::process::Command::new("tshark")
        .args([
            "-r",
            &path,
            "-Y",
            filter,
            "-T",
            "fields",
            "-E",
            "occurrence=f",
            "-e",
            field,
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn counts_agree_with_tshark() {
    let all = detections("floods.pcap");
    let checks: &[(&str, &str, &str, &str, bool)] = &[
        // (key, tshark filter, field, our param, count distinct values)
        (
            "flood.syn:10.0.0.80:80",
            "ip.dst==10.0.0.80 && tcp.dstport==80 && tcp.flags.syn==1 && tcp.flags.ack==0",
            "frame.number",
            "syns",
            false,
        ),
        (
            "flood.syn:10.0.0.80:80",
            "ip.dst==10.0.0.80 && tcp.dstport==80 && tcp.flags.syn==1 && tcp.flags.ack==0",
            "ip.src",
            "sources",
            true,
        ),
        (
            "worm:10.1.1.66>udp/1434",
            "ip.src==10.1.1.66 && udp.dstport==1434 && !icmp",
            "ip.dst",
            "hosts",
            true,
        ),
        (
            "worm:10.1.1.77>tcp/445",
            "ip.dst==10.1.1.77 && tcp.srcport==445 && tcp.flags.reset==1",
            "ip.src",
            "refused",
            true,
        ),
        (
            "backscatter:127.0.0.1",
            "ip.src==127.0.0.1 && tcp.flags.reset==1",
            "frame.number",
            "targets",
            false,
        ),
    ];
    for (key, filter, field, name, distinct) in checks {
        let Some(mut lines) = tshark_lines("floods.pcap", filter, field) else {
            println!("tshark not available; skipping the tshark agreement check");
            return;
        };
        if *distinct {
            lines.sort();
            lines.dedup();
        }
        let d = by_key(&all, key);
        assert_eq!(
            param(d, name),
            lines.len().to_string(),
            "{key} {name} vs tshark {filter}"
        );
    }
}

#[test]
fn nothing_fires_on_the_corpus() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");
    if !std::path::Path::new(root).is_dir() {
        println!("corpus not found at {root}; skipping");
        return;
    }
    let mut stack = vec![std::path::PathBuf::from(root)];
    let mut files = 0;
    let mut noise = Vec::new();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                stack.push(e.path());
            }
            continue;
        }
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "pcap" | "pcapng" | "cap") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        let cap = tracelens::capture::read_all(&bytes);
        files += 1;
        let mut dets: Vec<Box<dyn Detector>> = floods::detectors();
        for pk in &cap.packets {
            let d = pk.decode();
            for det in dets.iter_mut() {
                det.observe(&Observed {
                    number: pk.number,
                    ts: pk.ts,
                    d: &d,
                });
            }
        }
        let mut out = Vec::new();
        for det in dets.iter_mut() {
            det.finish(&mut out);
        }
        noise.extend(
            out.into_iter()
                .map(|d| format!("{}: {}", p.display(), d.key)),
        );
    }
    println!("{files} corpus captures read");
    assert!(files > 100, "only {files} corpus captures found");
    // None of the corpus captures holds a flood, a worm or backscatter.
    assert!(noise.is_empty(), "{noise:#?}");
}
