//! Nothing a capture holds may crash the core. Every corpus capture, and copies of each cut at
//! many points and with bytes flipped, goes through reading, decoding, the summary line, the
//! JSON rendering and the field tree; each run must return normally. A panic is caught so the
//! failure names the file and the damage that caused it.
#![cfg(not(target_arch = "wasm32"))]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use tracelens::capture::read_all;
use tracelens::render::{field_tree, packet_json, FrameMeta};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    p.is_dir().then_some(p)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("pcap" | "pcapng" | "cap" | "gz" | "ntar" | "bin")
        ) {
            out.push(p);
        }
    }
}

/// Runs the whole pipeline over one input; returns the number of packets read.
fn pipeline(bytes: &[u8]) -> usize {
    let cap = read_all(bytes);
    for p in &cap.packets {
        let d = p.decode();
        let _ = tracelens::summary::summary_line(&d);
        for f in d.layers.iter().flat_map(|l| &l.fields) {
            // The hex pane highlights these bytes: they must exist.
            assert!(
                f.offset + f.len <= p.data.len(),
                "{} outside the frame",
                f.name
            );
        }
        let meta = FrameMeta {
            number: p.number,
            secs: p.ts.secs,
            nanos: p.ts.nanos,
            cap_len: p.cap_len,
            orig_len: p.orig_len,
            interface: p.interface,
            link_type: p.link_type,
            ..FrameMeta::default()
        };
        let _ = packet_json(&meta, &d);
        let _ = field_tree(&meta, &p.ts.format_utc(), &d);
    }
    cap.packets.len()
}

/// A small deterministic generator, so a failure can be reproduced from its seed.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn check(name: &str, what: &str, bytes: &[u8], failures: &mut Vec<String>) {
    if let Err(e) = catch_unwind(AssertUnwindSafe(|| pipeline(bytes))) {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        failures.push(format!("{name}: {what}: {msg}"));
    }
}

#[test]
fn corpus_and_damaged_copies_never_crash() {
    let Some(root) = corpus() else {
        eprintln!("skipped: ../shared/corpus not found");
        return;
    };
    let mut all = Vec::new();
    files(&root, &mut all);
    assert!(
        all.len() > 100,
        "expected the corpus, found {} files",
        all.len()
    );
    // Keep panics quiet while they are being counted.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    let (mut variants, mut packets) = (0usize, 0usize);
    for (i, path) in all.iter().enumerate() {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let name = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        packets += catch_unwind(AssertUnwindSafe(|| pipeline(&bytes))).unwrap_or_else(|_| {
            failures.push(format!("{name}: as it is"));
            0
        });
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1));
        // Cuts: inside the file header, at fixed fractions, and at random points.
        let n = bytes.len();
        let mut cuts: Vec<usize> = vec![0, 1, 4, 23, 24, 25, 40];
        cuts.extend((1..8).map(|k| n * k / 8));
        cuts.extend((0..4).map(|_| (rng.next() as usize) % n.max(1)));
        for c in cuts.into_iter().filter(|&c| c < n) {
            check(
                &name,
                &format!("cut at byte {c}"),
                &bytes[..c],
                &mut failures,
            );
            variants += 1;
        }
        // Flips: a few bytes overwritten with random values, repeated with different seeds.
        for round in 0..6 {
            let mut b = bytes.clone();
            let flips = 1 + round;
            let mut at = Vec::new();
            for _ in 0..flips {
                if n == 0 {
                    break;
                }
                let pos = (rng.next() as usize) % n;
                b[pos] = rng.next() as u8;
                at.push(pos);
            }
            check(
                &name,
                &format!("bytes changed at {at:?}"),
                &b,
                &mut failures,
            );
            variants += 1;
        }
    }
    std::panic::set_hook(hook);
    eprintln!(
        "{} corpus files ({packets} packets) and {variants} damaged copies went through the pipeline",
        all.len()
    );
    assert!(
        failures.is_empty(),
        "{} inputs crashed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn arbitrary_frames_never_crash_any_decoder() {
    // Random frames of every length up to 200 bytes, under every link type we decode and some
    // we do not: decode and summary must return.
    let mut rng = XorShift(42);
    let link_types = [
        0u32, 1, 9, 12, 14, 101, 105, 108, 113, 127, 228, 229, 276, 147, 9999,
    ];
    for len in 0..200usize {
        for lt in link_types {
            for _ in 0..3 {
                let frame: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                let d = tracelens::decode(&frame, lt);
                let _ = tracelens::summary::summary_line(&d);
                for l in &d.layers {
                    for f in &l.fields {
                        assert!(
                            f.offset + f.len <= frame.len(),
                            "{} at {}+{} lies outside a {len}-byte frame of link type {lt}",
                            f.name,
                            f.offset,
                            f.len
                        );
                    }
                }
            }
        }
    }
}
