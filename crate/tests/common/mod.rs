//! Helpers shared by the integration tests: loading the crafted captures, explaining them, and
//! picking findings out of the result.
#![allow(dead_code)]

use tracelens::capture::Packet;
use tracelens::explain::{explain_packet, Explanation, RenderedFinding};

/// The packets of `tests/captures/<sub>/<name>`, which must read without error.
pub fn crafted(sub: &str, name: &str) -> Vec<Packet> {
    let path = format!(
        "{}/../tests/captures/{sub}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let cap = tracelens::capture::read_all(&bytes);
    assert!(cap.error.is_none(), "{path}: {:?}", cap.error);
    cap.packets
}

/// Every packet of a crafted capture, explained.
pub fn explain_all(sub: &str, name: &str) -> Vec<Explanation> {
    crafted(sub, name)
        .iter()
        .map(|p| explain_packet(p.number, &p.decode()))
        .collect()
}

/// The finding ids of a packet that start with `prefix`, sorted.
pub fn ids_with_prefix<'a>(e: &'a Explanation, prefix: &str) -> Vec<&'a str> {
    let mut v: Vec<&str> = e
        .findings
        .iter()
        .map(|f| f.id.as_str())
        .filter(|i| i.starts_with(prefix))
        .collect();
    v.sort_unstable();
    v
}

/// The finding with this id, or a failure naming the packet.
pub fn finding<'a>(e: &'a Explanation, id: &str) -> &'a RenderedFinding {
    e.findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("packet {}: no {id}", e.packet))
}

/// A finding's evidence as (field, offset, length).
pub fn spans(f: &RenderedFinding) -> Vec<(&str, usize, usize)> {
    f.evidence
        .iter()
        .map(|e| (e.field.as_str(), e.offset, e.length))
        .collect()
}

/// Every detection the whole analyzer (flow table and all detectors) makes over some packets.
pub fn analyze_packets(packets: &[Packet]) -> Vec<tracelens::detect::Detection> {
    let mut a = tracelens::detect::Analyzer::new();
    for p in packets {
        let d = p.decode();
        a.observe(&tracelens::detect::Observed {
            number: p.number,
            ts: p.ts,
            d: &d,
        });
    }
    a.finish()
}

/// Every detection over a capture file's bytes, which must read without error.
pub fn analyze(bytes: &[u8]) -> Vec<tracelens::detect::Detection> {
    let cap = tracelens::capture::read_all(bytes);
    assert!(cap.error.is_none(), "{:?}", cap.error);
    analyze_packets(&cap.packets)
}

/// A detection's parameter, or a failure naming the detection.
pub fn param<'a>(d: &'a tracelens::detect::Detection, name: &str) -> &'a str {
    d.finding
        .params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{} has no parameter {name}", d.key))
}

/// (packet, field, offset, length) of each evidence item of a detection.
pub fn evidence(d: &tracelens::detect::Detection) -> Vec<(u64, String, usize, usize)> {
    d.finding
        .evidence
        .iter()
        .map(|e| (e.packet, e.field.clone(), e.offset, e.length))
        .collect()
}

/// Every capture file (`.pcap`, `.pcapng`, `.cap`, `.gz`) under `dir`, recursively, in name
/// order, appended to `out`. A missing directory adds nothing.
pub fn capture_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<std::path::PathBuf> =
        rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            capture_files(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("pcap" | "pcapng" | "cap" | "gz")
        ) {
            out.push(p);
        }
    }
}
