//! The registry and the rules agree: every id a rule can emit has an entry, every entry has a
//! source, and every entry is produced by at least one of the crafted captures in
//! `tests/captures/explain/` or `tests/captures/detect/`, per packet or by a cross-packet
//! detector (so no knowledge sits unreachable and untested).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::path::Path;
use tracelens::explain::{explain_packet, ports, registry, rules};

fn crafted() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/captures");
    let mut v: Vec<_> = ["explain", "detect"]
        .iter()
        .flat_map(|sub| {
            std::fs::read_dir(root.join(sub))
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .collect();
    v.retain(|p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("pcap" | "pcapng")
        )
    });
    v.sort();
    v
}

/// Every id emitted over all crafted captures.
fn emitted() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for path in crafted() {
        let bytes = std::fs::read(&path).expect("read crafted capture");
        let cap = tracelens::capture::read_all(&bytes);
        assert!(cap.error.is_none(), "{}: {:?}", path.display(), cap.error);
        let mut analyzer = tracelens::detect::Analyzer::new();
        for p in &cap.packets {
            let d = p.decode();
            for f in explain_packet(p.number, &d).findings {
                ids.insert(f.id);
            }
            analyzer.observe(&tracelens::detect::Observed {
                number: p.number,
                ts: p.ts,
                d: &d,
            });
        }
        for det in analyzer.finish() {
            ids.insert(det.finding.id.to_string());
        }
    }
    ids
}

#[test]
fn every_id_the_code_emits_is_in_the_registry() {
    let r = registry();
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    for id in rules::all_ids()
        .into_iter()
        .chain(tracelens::detect::all_ids())
    {
        assert!(r.get(id).is_some(), "rule id {id} has no registry entry");
    }
    for p in ports::all() {
        if let Some(id) = &p.finding {
            assert!(
                r.get(id).is_some(),
                "port {} names {id}, which is not in the registry",
                p.service
            );
        }
    }
}

#[test]
fn every_entry_has_a_reference_and_is_reached_by_a_crafted_capture() {
    let emitted = emitted();
    let mut unreached = Vec::new();
    for e in registry().entries() {
        assert!(!e.refs.is_empty(), "{} has no reference", e.id);
        if !emitted.contains(&e.id) {
            unreached.push(e.id.clone());
        }
    }
    assert!(
        unreached.is_empty(),
        "{} registry entries are produced by no capture in tests/captures/explain/: {unreached:?}",
        unreached.len()
    );
}
