//! Agreement with tshark over the shared capture corpus: for every packet tshark read, the header
//! fields both decoders report must have the same value.
//!
//! Owns the comparison only: tshark's answers are generated once by `tests/tshark/generate.sh`
//! and committed (`expected.tsv.gz`, `counts.tsv`), so this test never runs tshark itself and
//! never changes what it compares against. Each difference that remains must be explained in
//! `tests/tshark/known_differences.tsv` (file, field, reason); an unexplained one fails the test,
//! as does packet agreement below 99.5%. When the corpus is not beside the checkout the test says
//! so and passes.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use tracelens::render::{packet_json, FrameMeta};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");
const EXPECTED_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/tshark");
/// Lowest share of compared packets whose every common field must agree.
const MIN_AGREEMENT: f64 = 99.5;
/// Examples printed per field; the full list goes to the report file.
const EXAMPLES_PER_FIELD: usize = 5;
/// Pseudo field name used in the known-differences table for a packet-count difference.
const COUNT_FIELD: &str = "packets";
/// tshark's column that tells packets from other records; matched up, never compared.
const ENCAP_FIELD: &str = "frame.encap_type";
/// Fields whose unit differs: tshark 4.0 gives `ip.frag_offset` in 8-byte blocks, as on the
/// wire, while ours is in bytes (the quantity people compare with lengths).
const TSHARK_SCALE: &[(&str, u64)] = &[("ip.frag_offset", 8)];

/// One tshark row: its frame number and the values in `Expected::fields` order (empty string:
/// tshark has no value).
struct Row {
    frame: u64,
    values: Vec<String>,
}

/// tshark's output for the corpus: the field names and, per file, the rows in frame order.
struct Expected {
    fields: Vec<String>,
    rows: BTreeMap<String, Vec<Row>>,
}

impl Expected {
    /// The rows that are packets, in order: tshark 4.0 also numbers pcapng custom blocks as
    /// frames (they have no encapsulation), which our reader rightly does not return as packets,
    /// so the n-th packet of ours is the n-th packet row, not frame n.
    fn packet_rows(&self, file: &str) -> (Vec<&Row>, usize) {
        let encap = self.fields.iter().position(|f| f == ENCAP_FIELD);
        let rows = self.rows.get(file).map_or(&[][..], |r| r.as_slice());
        let packets: Vec<&Row> = rows
            .iter()
            .filter(|r| encap.is_none_or(|i| r.values.get(i).is_some_and(|v| !v.is_empty())))
            .collect();
        let others = rows.len() - packets.len();
        (packets, others)
    }
}

fn read_expected(dir: &Path) -> Expected {
    let path = dir.join("expected.tsv.gz");
    let gz = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    assert_eq!(header.first(), Some(&"file"), "expected.tsv.gz header");
    assert_eq!(
        header.get(1),
        Some(&"frame.number"),
        "expected.tsv.gz header"
    );
    // The first two columns are the key; everything from frame.len on is compared.
    let fields: Vec<String> = header.iter().skip(2).map(|s| s.to_string()).collect();
    let mut rows: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for line in lines {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            header.len(),
            "short row in expected.tsv.gz: {line}"
        );
        let frame: u64 = cols[1]
            .parse()
            .unwrap_or_else(|_| panic!("frame number: {line}"));
        let values = cols[2..].iter().map(|s| s.to_string()).collect();
        rows.entry(cols[0].to_string())
            .or_default()
            .push(Row { frame, values });
    }
    for r in rows.values_mut() {
        r.sort_by_key(|r| r.frame);
    }
    Expected { fields, rows }
}

/// `file<TAB>count` lines.
fn read_counts(dir: &Path) -> Vec<(String, u64)> {
    let path = dir.join("counts.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (file, n) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("counts.tsv: {l}"));
            (
                file.to_string(),
                n.parse().unwrap_or_else(|_| panic!("counts.tsv: {l}")),
            )
        })
        .collect()
}

/// One explained difference: `file` may end in `*` to cover every file with that prefix.
struct Known {
    file: String,
    field: String,
    reason: String,
}

impl Known {
    fn covers(&self, file: &str, field: &str) -> bool {
        let file_ok = match self.file.strip_suffix('*') {
            Some(prefix) => file.starts_with(prefix),
            None => self.file == file,
        };
        file_ok && self.field == field
    }
}

fn read_known(dir: &Path) -> Vec<Known> {
    let path = dir.join("known_differences.tsv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut cols = l.splitn(3, '\t');
            let file = cols.next().unwrap_or("").to_string();
            let field = cols.next().unwrap_or("").to_string();
            let reason = cols.next().unwrap_or("").trim().to_string();
            assert!(
                !field.is_empty() && !reason.is_empty(),
                "known_differences.tsv needs file, field and reason: {l}"
            );
            Known {
                file,
                field,
                reason,
            }
        })
        .collect()
}

/// A value in one comparable spelling: numbers in decimal (tshark prints some in hex, booleans as
/// 1/0), IP addresses re-printed from their parsed form (so IPv6 compression style does not
/// matter), anything else lower-case (MAC addresses).
fn norm_text(s: &str) -> String {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if let Ok(n) = u64::from_str_radix(hex, 16) {
            return n.to_string();
        }
    }
    if let Ok(n) = s.parse::<u64>() {
        return n.to_string();
    }
    match s {
        "True" | "true" => return "1".into(),
        "False" | "false" => return "0".into(),
        _ => {}
    }
    if let Ok(a) = s.parse::<IpAddr>() {
        return a.to_string();
    }
    s.to_ascii_lowercase()
}

/// tshark's value in our spelling and unit.
fn norm_tshark(field: &str, s: &str) -> String {
    let v = norm_text(s);
    match TSHARK_SCALE.iter().find(|(f, _)| *f == field) {
        Some((_, k)) => v
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(*k))
            .map_or(v, |n| n.to_string()),
        None => v,
    }
}

/// Our value for a field: the first occurrence, as tshark's `occurrence=f` gives.
fn ours_first(obj: &serde_json::Map<String, Json>, field: &str) -> Option<String> {
    let v = match obj.get(field)? {
        Json::Array(a) => a.first()?.clone(),
        other => other.clone(),
    };
    match v {
        Json::Null => None,
        Json::Bool(b) => Some(if b { "1" } else { "0" }.into()),
        Json::Number(n) => Some(norm_text(&n.to_string())),
        Json::String(s) => Some(norm_text(&s)),
        other => Some(norm_text(&other.to_string())),
    }
}

struct Diff {
    file: String,
    frame: u64,
    field: String,
    ours: String,
    theirs: String,
}

#[test]
fn decoders_agree_with_tshark() {
    let corpus = PathBuf::from(CORPUS);
    if !corpus.is_dir() {
        println!("skipped: ../shared/corpus not found");
        return;
    }
    let dir = PathBuf::from(EXPECTED_DIR);
    let expected = read_expected(&dir);
    let counts = read_counts(&dir);
    let known = read_known(&dir);

    let mut compared = 0u64;
    let mut agreeing = 0u64;
    let mut values_compared: BTreeMap<&str, u64> = BTreeMap::new();
    let mut only_tshark: BTreeMap<&str, (u64, Vec<String>)> = BTreeMap::new();
    let mut only_ours: BTreeMap<&str, (u64, Vec<String>)> = BTreeMap::new();
    // Values only one side reports, one a line, for the coverage file.
    let mut gaps: Vec<String> = Vec::new();
    let mut diffs: Vec<Diff> = Vec::new();
    let mut count_diffs: Vec<(String, u64, u64, String)> = Vec::new();
    let mut unreadable: Vec<String> = Vec::new();
    let mut not_packets: Vec<(String, usize)> = Vec::new();

    for (file, tshark_count) in &counts {
        let bytes = match std::fs::read(corpus.join(file)) {
            Ok(b) => b,
            Err(e) => {
                unreadable.push(format!("{file}: {e}"));
                continue;
            }
        };
        let cap = tracelens::capture::read_all(&bytes);
        let ours_count = cap.packets.len() as u64;
        let (rows, others) = expected.packet_rows(file);
        if others > 0 {
            not_packets.push((file.clone(), others));
        }
        let tshark_packets = tshark_count.saturating_sub(others as u64);
        if ours_count != tshark_packets {
            let why = cap
                .error
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_default();
            count_diffs.push((file.clone(), ours_count, tshark_packets, why));
        }
        for (p, row) in cap.packets.iter().zip(rows) {
            let d = p.decode();
            let meta = FrameMeta {
                number: p.number,
                secs: p.ts.secs,
                nanos: p.ts.nanos,
                rel_nanos: 0,
                cap_len: p.cap_len,
                orig_len: p.orig_len,
                interface: p.interface,
                link_type: p.link_type,
            };
            let obj = packet_json(&meta, &d);
            compared += 1;
            let mut all_agree = true;
            for (field, theirs) in expected.fields.iter().zip(&row.values) {
                if field == ENCAP_FIELD {
                    continue;
                }
                // One side without a value is not a disagreement, but the counts show where a
                // decoder is missing (ours) or goes further than tshark.
                let ours = ours_first(&obj, field);
                let (ours, theirs) = match (ours, theirs.is_empty()) {
                    (Some(o), false) => (o, theirs),
                    (None, false) => {
                        gaps.push(format!("{file}\t{}\t{field}\ttshark\t{theirs}", row.frame));
                        let e = only_tshark.entry(field.as_str()).or_default();
                        e.0 += 1;
                        if e.1.len() < 3 {
                            e.1.push(format!("{file} frame {} ({theirs})", row.frame));
                        }
                        continue;
                    }
                    (Some(o), true) => {
                        gaps.push(format!("{file}\t{}\t{field}\tours\t{o}", row.frame));
                        let e = only_ours.entry(field.as_str()).or_default();
                        e.0 += 1;
                        if e.1.len() < 3 {
                            e.1.push(format!("{file} frame {} ({o})", row.frame));
                        }
                        continue;
                    }
                    (None, true) => continue,
                };
                *values_compared.entry(field.as_str()).or_default() += 1;
                let theirs = norm_tshark(field, theirs);
                if ours != theirs {
                    all_agree = false;
                    diffs.push(Diff {
                        file: file.clone(),
                        frame: row.frame,
                        field: field.clone(),
                        ours,
                        theirs,
                    });
                }
            }
            if all_agree {
                agreeing += 1;
            }
        }
    }

    let pct = if compared == 0 {
        100.0
    } else {
        agreeing as f64 * 100.0 / compared as f64
    };
    let mut report = String::new();
    let _ = writeln!(
        report,
        "tshark agreement: {agreeing}/{compared} packets agree on every common field ({pct:.2}%)"
    );
    let files_ok = counts.len() - count_diffs.len() - unreadable.len();
    let _ = writeln!(
        report,
        "packet counts: {files_ok}/{} files give tshark's count",
        counts.len()
    );
    for (file, ours, theirs, why) in &count_diffs {
        let _ = writeln!(report, "    {file}: ours {ours}, tshark {theirs}  {why}");
    }
    for u in &unreadable {
        let _ = writeln!(report, "    cannot read {u}");
    }
    // Files tshark cannot read at all: nothing to compare, but what we make of them is worth
    // seeing next to tshark's reason.
    let skipped = std::fs::read_to_string(dir.join("skipped.tsv")).unwrap_or_default();
    let skipped: Vec<&str> = skipped.lines().filter(|l| !l.is_empty()).collect();
    if !skipped.is_empty() {
        let _ = writeln!(
            report,
            "files tshark rejects ({}), and what we read:",
            skipped.len()
        );
        for line in &skipped {
            let (file, why) = line.split_once('\t').unwrap_or((line, ""));
            let ours = match std::fs::read(corpus.join(file)) {
                Ok(b) => {
                    let cap = tracelens::capture::read_all(&b);
                    let err = cap
                        .error
                        .map(|e| format!(", then: {e}"))
                        .unwrap_or_default();
                    format!("{} packets{err}", cap.packets.len())
                }
                Err(e) => e.to_string(),
            };
            let _ = writeln!(report, "    {file}: ours {ours}; tshark: {why}");
        }
    }
    if !not_packets.is_empty() {
        let n: usize = not_packets.iter().map(|(_, n)| n).sum();
        let _ = writeln!(
            report,
            "    (not counted: {n} tshark frames in {} files are pcapng custom blocks, not packets; \
             tshark frame numbers are shown)",
            not_packets.len()
        );
    }

    // Per field: how many values were compared, how many differ, a few examples.
    let mut by_field: BTreeMap<&str, Vec<&Diff>> = BTreeMap::new();
    for d in &diffs {
        by_field.entry(d.field.as_str()).or_default().push(d);
    }
    let _ = writeln!(report, "per field (values compared where both report one):");
    for field in expected.fields.iter().filter(|f| *f != ENCAP_FIELD) {
        let n = values_compared.get(field.as_str()).copied().unwrap_or(0);
        let bad = by_field
            .get(field.as_str())
            .map_or(&[][..], |v| v.as_slice());
        let (tshark_only, examples) = only_tshark
            .get(field.as_str())
            .map_or((0, &[][..]), |(n, e)| (*n, e.as_slice()));
        let (ours_only, ours_examples) = only_ours
            .get(field.as_str())
            .map_or((0, &[][..]), |(n, e)| (*n, e.as_slice()));
        let _ = writeln!(
            report,
            "    {field:<24} {n:>7} compared, {:>5} differ; value only in tshark {tshark_only:>5}, \
             only in ours {ours_only:>5}",
            bad.len()
        );
        if !examples.is_empty() {
            let _ = writeln!(report, "        only tshark: {}", examples.join(", "));
        }
        if !ours_examples.is_empty() {
            let _ = writeln!(report, "        only ours: {}", ours_examples.join(", "));
        }
        for d in bad.iter().take(EXAMPLES_PER_FIELD) {
            let _ = writeln!(
                report,
                "        {} frame {}: ours {} tshark {}",
                d.file, d.frame, d.ours, d.theirs
            );
        }
    }

    // Every difference must be explained; group the unexplained ones by file and field so the
    // message says where to look.
    let mut unexplained: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
    let mut used: BTreeSet<usize> = BTreeSet::new();
    let mut explain = |file: &str, field: &str, example: String| match known
        .iter()
        .position(|k| k.covers(file, field))
    {
        Some(i) => {
            used.insert(i);
        }
        None => {
            let e = unexplained
                .entry((file.to_string(), field.to_string()))
                .or_insert((0, example));
            e.0 += 1;
        }
    };
    for d in &diffs {
        explain(
            &d.file,
            &d.field,
            format!("frame {}: ours {} tshark {}", d.frame, d.ours, d.theirs),
        );
    }
    for (file, ours, theirs, _) in &count_diffs {
        explain(file, COUNT_FIELD, format!("ours {ours} tshark {theirs}"));
    }
    if !used.is_empty() {
        let _ = writeln!(report, "explained differences (known_differences.tsv):");
        for (i, k) in known.iter().enumerate() {
            if used.contains(&i) {
                let _ = writeln!(report, "    {} {}: {}", k.file, k.field, k.reason);
            }
        }
    }
    let stale: Vec<&Known> = known
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, k)| k)
        .collect();
    if !stale.is_empty() {
        let _ = writeln!(
            report,
            "known differences that no longer occur (remove them from the table):"
        );
        for k in &stale {
            let _ = writeln!(report, "    {} {}", k.file, k.field);
        }
    }
    if !unexplained.is_empty() {
        let _ = writeln!(
            report,
            "UNEXPLAINED differences ({} file/field pairs):",
            unexplained.len()
        );
        for ((file, field), (n, example)) in &unexplained {
            let _ = writeln!(report, "    {file}\t{field}\t{n} packets, e.g. {example}");
        }
    }
    println!("{report}");

    // Every difference, one a line, for whoever fixes a decoder.
    let all_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tshark_differences.tsv");
    let mut all = String::from("file\tframe\tfield\tours\ttshark\n");
    for d in &diffs {
        let _ = writeln!(
            all,
            "{}\t{}\t{}\t{}\t{}",
            d.file, d.frame, d.field, d.ours, d.theirs
        );
    }
    if std::fs::write(&all_path, all).is_ok() {
        println!("all differences: {}", all_path.display());
    }
    let gaps_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tshark_coverage.tsv");
    let mut text = String::from("file\tframe\tfield\tonly_in\tvalue\n");
    for g in &gaps {
        text.push_str(g);
        text.push('\n');
    }
    if std::fs::write(&gaps_path, text).is_ok() {
        println!("values only one side reports: {}", gaps_path.display());
    }

    assert!(
        compared > 0,
        "no packet compared: is expected.tsv.gz empty?"
    );
    assert!(
        pct >= MIN_AGREEMENT,
        "packet agreement {pct:.2}% is below {MIN_AGREEMENT}%"
    );
    assert!(
        unexplained.is_empty(),
        "{} file/field pairs differ from tshark without an entry in \
         tests/tshark/known_differences.tsv (see the report above)",
        unexplained.len()
    );
}
