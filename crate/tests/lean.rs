//! A lean decode (no readable renderings) must tell the analysis exactly what a full decode
//! does: the same layers, field names, values and byte ranges, so the same finding ids. Checked
//! over every crafted test capture and, when `../shared/corpus` exists, every corpus capture.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::Path;
use tracelens::capture::read_all;
use tracelens::explain::packet_finding_ids;

#[test]
fn lean_and_full_decodes_agree_on_everything_but_renderings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    common::capture_files(&root.join("../tests/captures"), &mut files);
    common::capture_files(&root.join("../web/examples"), &mut files);
    let corpus = root.join("../../shared/corpus");
    if corpus.is_dir() {
        common::capture_files(&corpus, &mut files);
    } else {
        eprintln!("skipped: ../shared/corpus is absent; only the crafted captures were checked");
    }
    let (mut packets, mut rendered) = (0usize, 0usize);
    for f in &files {
        let cap = read_all(&std::fs::read(f).unwrap_or_default());
        for p in &cap.packets {
            let full = p.decode();
            let lean = p.decode_lean();
            assert_eq!(
                full.layers.len(),
                lean.layers.len(),
                "{}: {}",
                f.display(),
                p.number
            );
            for (a, b) in full.layers.iter().zip(&lean.layers) {
                assert_eq!((a.proto, a.offset, a.len), (b.proto, b.offset, b.len));
                assert_eq!(a.error, b.error, "{}: {}", f.display(), p.number);
                assert_eq!(a.fields.len(), b.fields.len());
                for (x, y) in a.fields.iter().zip(&b.fields) {
                    assert_eq!(
                        (x.name, &x.value, x.offset, x.len),
                        (y.name, &y.value, y.offset, y.len)
                    );
                    assert_eq!(y.display, None, "{}", y.name);
                    rendered += usize::from(x.display.is_some());
                }
            }
            assert_eq!(
                packet_finding_ids(p.number, &full),
                packet_finding_ids(p.number, &lean),
                "{}: packet {}",
                f.display(),
                p.number
            );
            packets += 1;
        }
    }
    assert!(packets > 1000, "{packets}");
    // The full decode does render: the comparison is not between two lean ones.
    assert!(
        rendered > packets,
        "{rendered} renderings in {packets} packets"
    );
}
