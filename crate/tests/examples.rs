//! The web page's example captures (`web/examples/`, written by `craft_examples.py` and listed in
//! `manifest.toml`): each one must read cleanly with the packet count the manifest gives, raise
//! every finding id the manifest promises, and raise no warning or alert the manifest does not
//! name, so the page never shows a case that the analysis no longer recognises.
#![cfg(not(target_arch = "wasm32"))]

use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::PathBuf;
use tracelens::analysis::CaptureAnalysis;
use tracelens::explain::Severity;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    example: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    file: String,
    title: String,
    summary: String,
    source: String,
    packets: usize,
    expect: Vec<String>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/examples")
}

fn manifest() -> Manifest {
    let path = dir().join("manifest.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// Every finding id the whole analysis raises on a capture, per-packet and cross-packet, with its
/// severity, after checking that the file reads without error and holds `packets` packets.
fn analyse(ex: &Example) -> Vec<(String, Severity)> {
    let path = dir().join(&ex.file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let cap = tracelens::capture::read_all(&bytes);
    assert!(cap.error.is_none(), "{}: {:?}", ex.file, cap.error);
    assert_eq!(cap.packets.len(), ex.packets, "{}: packet count", ex.file);
    let mut a = CaptureAnalysis::new();
    for p in &cap.packets {
        a.observe(p);
    }
    let detections = a.finish();
    let f = a.findings(&detections);
    f.per_packet
        .iter()
        .map(|g| (g.first.id.clone(), g.first.severity))
        .chain(
            f.detections
                .iter()
                .map(|d| (d.finding.id.clone(), d.finding.severity)),
        )
        .collect()
}

#[test]
fn every_example_raises_what_the_manifest_promises() {
    let m = manifest();
    assert_eq!(m.example.len(), 7, "one example per classic case");
    for ex in &m.example {
        assert!(!ex.title.trim().is_empty(), "{}: empty title", ex.file);
        assert!(!ex.summary.trim().is_empty(), "{}: empty summary", ex.file);
        assert!(!ex.source.trim().is_empty(), "{}: empty source", ex.file);
        assert!(
            (5..=200).contains(&ex.packets),
            "{}: {} packets, examples stay small",
            ex.file,
            ex.packets
        );
        assert!(!ex.expect.is_empty(), "{}: expects nothing", ex.file);
        let raised = analyse(ex);
        let ids: BTreeSet<&str> = raised.iter().map(|(id, _)| id.as_str()).collect();
        for want in &ex.expect {
            assert!(
                ids.contains(want.as_str()),
                "{}: {want} not raised; raised {ids:?}",
                ex.file
            );
        }
        for (id, sev) in &raised {
            assert!(
                *sev < Severity::Warning || ex.expect.contains(id),
                "{}: raises {id} ({sev:?}), which the manifest does not expect",
                ex.file
            );
        }
    }
}

#[test]
fn the_normal_session_raises_nothing_worse_than_info_about_its_traffic() {
    let m = manifest();
    let ex = m
        .example
        .iter()
        .find(|e| e.file == "tcp-session.pcap")
        .expect("tcp-session.pcap is listed");
    let raised = analyse(ex);
    // Only the documentation-block addresses (a property of the example, not of the session)
    // may rise above info.
    let worse: Vec<&(String, Severity)> = raised
        .iter()
        .filter(|(id, sev)| *sev > Severity::Info && id != "addr.documentation")
        .collect();
    assert!(worse.is_empty(), "{worse:?}");
}

#[test]
fn every_capture_in_the_folder_is_listed_once() {
    let m = manifest();
    let listed: Vec<&str> = m.example.iter().map(|e| e.file.as_str()).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "a file is listed twice");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .expect("web/examples exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            [".pcap", ".pcapng", ".cap", ".gz"]
                .iter()
                .any(|ext| n.ends_with(ext))
        })
        .collect();
    on_disk.sort();
    let mut want: Vec<String> = unique.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(on_disk, want);
}
