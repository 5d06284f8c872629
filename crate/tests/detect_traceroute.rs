//! The traceroute detector over crafted captures (`tests/captures/detect/craft_traceroute.py`
//! documents every packet) and, when the corpus is present, over a real MPLS traceroute.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use tracelens::detect::{Analyzer, Detection};

fn detections_of(path: &str) -> Vec<Detection> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    common::analyze(&bytes)
}

fn crafted(name: &str) -> Vec<Detection> {
    detections_of(&format!(
        "{}/../tests/captures/detect/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

fn traces(v: &[Detection]) -> Vec<&Detection> {
    v.iter()
        .filter(|d| d.finding.id.starts_with("traceroute."))
        .collect()
}

fn param<'a>(d: &'a Detection, name: &str) -> &'a str {
    common::param(d, name)
}

fn key<'a>(v: &'a [Detection], key: &str) -> &'a Detection {
    v.iter()
        .find(|d| d.key == key)
        .unwrap_or_else(|| panic!("no detection {key}; have {:?}", keys(&traces(v))))
}

fn keys(v: &[&Detection]) -> Vec<String> {
    v.iter().map(|d| d.key.clone()).collect()
}

fn spans(d: &Detection) -> Vec<(u64, &str, usize, usize)> {
    d.finding
        .evidence
        .iter()
        .map(|e| (e.packet, e.field.as_str(), e.offset, e.length))
        .collect()
}

#[test]
fn one_detection_per_traced_pair() {
    let all = crafted("traceroute.pcap");
    let t = traces(&all);
    let mut k = keys(&t);
    k.sort();
    assert_eq!(
        k,
        [
            "traceroute.icmp:10.0.0.5>203.0.113.50",
            "traceroute.tcp:10.0.0.5>198.51.100.80",
            "traceroute.udp:10.0.0.5>198.51.100.20",
            "traceroute.udp:10.0.0.5>198.51.100.200",
            "traceroute.udp:10.0.0.6>192.0.2.99",
        ]
    );
    for d in &t {
        assert_eq!(d.severity(), tracelens::explain::Severity::Notice);
        let r = d.finding.render();
        assert!(
            !r.title.contains('{') && !r.text.contains('{'),
            "{}",
            r.text
        );
    }
}

#[test]
fn unix_traceroute_lists_hops_by_probe_ttl_with_round_trip_times() {
    let all = crafted("traceroute.pcap");
    let d = key(&all, "traceroute.udp:10.0.0.5>198.51.100.20");
    assert_eq!(d.finding.id, "traceroute.udp");
    assert_eq!(
        param(d, "hops"),
        "hop 1: 10.0.0.1 1.0 ms; hop 2: 192.0.2.1 8.0 ms; hop 3: no answer; \
         hop 4: 198.51.100.20 (the target) 20.0 ms"
    );
    assert!(param(d, "hop_note").starts_with("Hop numbers are the TTLs"));
    assert_eq!(param(d, "probes"), "12");
    assert_eq!(param(d, "answers"), "9");
    assert_eq!(param(d, "responders"), "3");
    assert_eq!(param(d, "reached"), "answered");
    // Every probe and answer of the run, and nothing else.
    assert_eq!(d.packets, (1..=21).collect::<Vec<u64>>());
    // Evidence: the first time-exceeded (packet 2): the router's address, the ICMP type, and
    // the destination and port of the probe it quotes (quoted IP header starts at byte 42).
    assert_eq!(
        spans(d),
        [
            (2, "ip.src", 26, 4),
            (2, "icmp.type", 34, 1),
            (2, "ip.dst", 58, 4),
            (2, "udp.dstport", 64, 2),
        ]
    );
    assert!(d.finding.render().text.contains("hop 3: no answer"));
}

#[test]
fn windows_tracert_ends_with_the_targets_echo_replies() {
    let all = crafted("traceroute.pcap");
    let d = key(&all, "traceroute.icmp:10.0.0.5>203.0.113.50");
    assert_eq!(
        param(d, "hops"),
        "hop 1: 10.0.0.1 2.0 ms; hop 2: 192.0.2.1 4.0 ms; hop 3: 203.0.113.50 (the target) 15.0 ms"
    );
    assert_eq!(param(d, "probes"), "9");
    assert_eq!(param(d, "answers"), "9");
    assert_eq!(d.packets, (22..=39).collect::<Vec<u64>>());
    assert_eq!(
        spans(d),
        [
            (23, "ip.src", 26, 4),
            (23, "icmp.type", 34, 1),
            (23, "ip.dst", 58, 4),
            (23, "icmp.seq", 68, 2),
        ]
    );
}

#[test]
fn tcp_traceroute_matches_the_syn_ack_to_its_probe() {
    let all = crafted("traceroute.pcap");
    let d = key(&all, "traceroute.tcp:10.0.0.5>198.51.100.80");
    assert_eq!(
        param(d, "hops"),
        "hop 1: 10.0.0.1 3.0 ms; hop 2: 192.0.2.1 6.0 ms; hop 3: 198.51.100.80 (the target) 12.0 ms"
    );
    assert_eq!(d.packets, (40..=45).collect::<Vec<u64>>());
}

#[test]
fn answers_without_their_probes_are_ordered_by_the_quoted_port() {
    let all = crafted("traceroute.pcap");
    let d = key(&all, "traceroute.udp:10.0.0.6>192.0.2.99");
    // 172.16.1.1 answered first (packet 46) but quotes a later port than 172.16.0.1.
    assert_eq!(
        param(d, "hops"),
        "hop ~1: 172.16.0.1; hop ~2: 172.16.1.1; hop ~3: 192.0.2.99 (the target)"
    );
    assert!(param(d, "hop_note").contains("numbered by the order"));
    assert_eq!(param(d, "probes"), "0");
    assert_eq!(d.packets, vec![46, 47, 48, 49, 50]);
    assert_eq!(spans(d)[0], (46, "ip.src", 26, 4));
}

#[test]
fn rising_probe_ttls_alone_are_a_trace() {
    let all = crafted("traceroute.pcap");
    let d = key(&all, "traceroute.udp:10.0.0.5>198.51.100.200");
    assert_eq!(
        param(d, "hops"),
        "probes sent with TTL 1, 2, 3, 4; no answers seen"
    );
    assert_eq!(param(d, "reached"), "did not answer in this capture");
    assert_eq!(d.packets, vec![51, 52, 53, 54]);
    // Evidence: the first probe's TTL (byte 22) and destination.
    assert_eq!(spans(d)[0], (51, "ip.ttl", 22, 1));
    assert_eq!(spans(d)[1], (51, "ip.dst", 30, 4));
}

#[test]
fn near_misses_are_not_traceroutes() {
    let all = crafted("traceroute_negative.pcap");
    assert!(
        traces(&all).is_empty(),
        "loops, a ping, a closed DNS port, SSDP and a steady low TTL: {:?}",
        keys(&traces(&all))
    );
}

/// A real traceroute over MPLS (tcpdump's test capture): the decoder does not open the MPLS
/// label stack inside PPP yet, so the probes are not visible and the hops are numbered by the
/// quoted ports; the routers must come out in path order either way.
#[test]
fn corpus_mpls_traceroute() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/tcpdump/tests/mpls-traceroute.pcap"
    );
    if !std::path::Path::new(path).exists() {
        println!("skipped: {path} is not here (the shared corpus is absent)");
        return;
    }
    let all = detections_of(path);
    let t = traces(&all);
    assert_eq!(keys(&t), ["traceroute.udp:12.4.4.4>12.1.1.1"]);
    let d = t[0];
    let hops = param(d, "hops");
    let order: Vec<usize> = ["10.5.0.1", "10.4.0.2", "12.1.1.1 (the target)"]
        .iter()
        .map(|r| {
            hops.find(r)
                .unwrap_or_else(|| panic!("{r} missing in {hops}"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{hops}");
    assert_eq!(param(d, "responders"), "3");
    // The answers are the even packets 2-18; the probes join them once MPLS is decoded.
    for n in (2..=18).step_by(2) {
        assert!(d.packets.contains(&n), "{n} not in {:?}", d.packets);
    }
}

/// Survey, run by hand: every traceroute, smurf and fraggle detection over the whole corpus
/// (`cargo test -p tracelens --test detect_traceroute -- --ignored --nocapture`).
#[test]
#[ignore]
fn corpus_survey() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");
    let mut stack = vec![std::path::PathBuf::from(root)];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("pcap" | "pcapng" | "cap")
            ) {
                files.push(p);
            }
        }
    }
    files.sort();
    println!("{} captures", files.len());
    for f in files {
        let Some(path) = f.to_str() else { continue };
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let cap = tracelens::capture::read_all(&bytes);
        let mut a = Analyzer::new();
        for p in &cap.packets {
            let d = p.decode();
            a.observe(&tracelens::detect::Observed {
                number: p.number,
                ts: p.ts,
                d: &d,
            });
        }
        for d in a.finish() {
            let id = d.finding.id;
            if id.starts_with("traceroute.") || id.starts_with("broadcast.") {
                println!("{path}: {} {:?}", d.key, d.finding.params);
            }
        }
    }
}
