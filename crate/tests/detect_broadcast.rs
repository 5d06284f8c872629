//! The smurf and fraggle detector over crafted captures (`tests/captures/detect/craft_broadcast.py`
//! documents every packet) and, when the corpus is present, over a real broadcast ping.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use tracelens::detect::Detection;
use tracelens::explain::Severity;

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

fn mine(v: &[Detection]) -> Vec<&Detection> {
    v.iter()
        .filter(|d| tracelens::detect::broadcast::IDS.contains(&d.finding.id))
        .collect()
}

fn key<'a>(v: &'a [Detection], key: &str) -> &'a Detection {
    v.iter().find(|d| d.key == key).unwrap_or_else(|| {
        panic!(
            "no detection {key}; have {:?}",
            mine(v).iter().map(|d| &d.key).collect::<Vec<_>>()
        )
    })
}

fn param<'a>(d: &'a Detection, name: &str) -> &'a str {
    common::param(d, name)
}

fn spans(d: &Detection) -> Vec<(u64, &str, usize, usize)> {
    d.finding
        .evidence
        .iter()
        .map(|e| (e.packet, e.field.as_str(), e.offset, e.length))
        .collect()
}

#[test]
fn four_detections_one_per_victim_and_subnet() {
    let all = crafted("broadcast.pcap");
    let mut keys: Vec<&str> = mine(&all).iter().map(|d| d.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "broadcast.fraggle:203.0.113.20",
            "broadcast.fraggle_replies:203.0.113.20<192.168.1.0/24",
            "broadcast.smurf:203.0.113.9",
            "broadcast.smurf_replies:203.0.113.9<192.168.1.0/24",
        ]
    );
    for d in mine(&all) {
        assert_eq!(d.severity(), Severity::Alert, "{}", d.key);
        let r = d.finding.render();
        assert!(
            !r.title.contains('{') && !r.text.contains('{'),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("/24"),
            "the /24 assumption is said: {}",
            r.text
        );
    }
}

#[test]
fn smurf_requests_name_the_forged_victim_and_the_broadcast() {
    let all = crafted("broadcast.pcap");
    let d = key(&all, "broadcast.smurf:203.0.113.9");
    assert_eq!(d.finding.id, "broadcast.smurf");
    assert_eq!(param(d, "victim"), "203.0.113.9");
    assert_eq!(param(d, "requests"), "4");
    assert_eq!(param(d, "broadcasts"), "192.168.1.255");
    assert_eq!(d.packets, vec![1, 2, 3, 4]);
    // Evidence in packet 1: the forged source, the broadcast destination, the echo type.
    assert_eq!(
        spans(d),
        [
            (1, "ip.src", 26, 4),
            (1, "ip.dst", 30, 4),
            (1, "icmp.type", 34, 1)
        ]
    );
    assert!(d.finding.render().title.contains("203.0.113.9"));
}

#[test]
fn smurf_replies_count_the_reflecting_hosts() {
    let all = crafted("broadcast.pcap");
    let d = key(&all, "broadcast.smurf_replies:203.0.113.9<192.168.1.0/24");
    assert_eq!(param(d, "reflectors"), "8");
    assert_eq!(param(d, "replies"), "8");
    assert_eq!(param(d, "subnet"), "192.168.1.0/24");
    assert_eq!(d.packets, (5..=12).collect::<Vec<u64>>());
    assert_eq!(
        spans(d),
        [
            (5, "ip.dst", 30, 4),
            (5, "ip.src", 26, 4),
            (5, "icmp.type", 34, 1)
        ]
    );
}

#[test]
fn fraggle_requests_and_chargen_answers() {
    let all = crafted("broadcast.pcap");
    let d = key(&all, "broadcast.fraggle:203.0.113.20");
    assert_eq!(param(d, "packets"), "3");
    assert_eq!(param(d, "ports"), "port 7 (echo) and port 19 (chargen)");
    assert_eq!(param(d, "broadcasts"), "192.168.1.255");
    assert_eq!(d.packets, vec![13, 14, 15]);
    assert_eq!(
        spans(d),
        [
            (13, "ip.src", 26, 4),
            (13, "ip.dst", 30, 4),
            (13, "udp.dstport", 36, 2)
        ]
    );
    let r = key(
        &all,
        "broadcast.fraggle_replies:203.0.113.20<192.168.1.0/24",
    );
    assert_eq!(param(r, "reflectors"), "6");
    assert_eq!(param(r, "ports"), "port 19 (chargen)");
    assert_eq!(r.packets, (16..=21).collect::<Vec<u64>>());
    assert_eq!(spans(r)[2], (16, "udp.srcport", 34, 2));
}

#[test]
fn near_misses_are_not_smurf_or_fraggle() {
    // One ping to a remote broadcast, a local ping -b with its answers, a unicast ping, four
    // unsolicited replies, DHCP and NetBIOS broadcasts, a unicast UDP echo.
    let all = crafted("broadcast_negative.pcap");
    let m: Vec<&str> = mine(&all).iter().map(|d| d.key.as_str()).collect();
    assert!(m.is_empty(), "{m:?}");
}

/// A home router pinging its own subnet's broadcast (tcpdump's Broadcom tag capture): local,
/// so not smurf.
#[test]
fn corpus_local_broadcast_ping_is_not_smurf() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/tcpdump/tests/brcm-tag.pcap"
    );
    if !std::path::Path::new(path).exists() {
        println!("skipped: {path} is not here (the shared corpus is absent)");
        return;
    }
    let all = detections_of(path);
    assert!(mine(&all).is_empty());
}
