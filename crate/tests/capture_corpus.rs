//! The capture reader against real captures in `../shared/corpus`, with Wireshark's `capinfos`
//! and `tshark` (and `tcpdump` for link types Wireshark 4.0 cannot open) as the oracles.
//!
//! Skips with a printed message when the corpus or the tools are missing. Set
//! `TRACELENS_CORPUS` to point at a corpus elsewhere.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use tracelens::capture::{read_all, CaptureReader, Event, Packet, ReadErrorKind};

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("TRACELENS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"))
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: no capture corpus at {}", dir.display());
        None
    }
}

fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        println!("SKIPPED: `{tool}` is not installed");
    }
    ok
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Every file whose first bytes are a pcap, pcapng or gzip magic.
fn capture_files(root: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    walk(root, &mut all);
    all.into_iter()
        .filter(|p| {
            let Ok(b) = std::fs::read(p) else {
                return false;
            };
            let m = b.get(..4).unwrap_or(&[]);
            let magics: [&[u8]; 7] = [
                &[0xa1, 0xb2, 0xc3, 0xd4],
                &[0xd4, 0xc3, 0xb2, 0xa1],
                &[0xa1, 0xb2, 0x3c, 0x4d],
                &[0x4d, 0x3c, 0xb2, 0xa1],
                &[0xa1, 0xb2, 0xcd, 0x34],
                &[0x34, 0xcd, 0xb2, 0xa1],
                &[0x0a, 0x0d, 0x0d, 0x0a],
            ];
            magics.contains(&m) || m.starts_with(&[0x1f, 0x8b])
        })
        .collect()
}

/// Reads a file in 4 KiB chunks, as the browser would, and checks it agrees with `read_all`.
fn read_streamed(bytes: &[u8]) -> (Vec<Packet>, Option<tracelens::capture::ReadError>) {
    let mut r = CaptureReader::new();
    let mut chunks = bytes.chunks(4096);
    let mut packets = Vec::new();
    let mut error = None;
    loop {
        match r.next() {
            Event::Packet(p) => packets.push(p),
            Event::NeedMore => match chunks.next() {
                Some(c) => r.feed(c),
                None => r.finish(),
            },
            Event::Error(e) => error = Some(e),
            Event::End => break,
        }
    }
    (packets, error)
}

/// capinfos' packet count per file, or its complaint; one process for all files.
fn capinfos_counts(files: &[PathBuf]) -> HashMap<PathBuf, Result<u64, String>> {
    let out = Command::new("capinfos")
        .args(["-T", "-c", "-M", "-r"])
        .args(files)
        .output()
        .expect("capinfos runs");
    let mut map = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some((path, n)) = line.rsplit_once('\t') {
            if let Ok(n) = n.trim().parse() {
                map.insert(PathBuf::from(path), Ok(n));
            }
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut lines = stderr.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("capinfos: The file \"") {
            if let Some((path, what)) = rest.split_once('"') {
                let mut why = what.trim().to_string();
                if let Some(next) = lines.peek() {
                    if next.starts_with('(') {
                        why = format!("{why} {next}");
                        lines.next();
                    }
                }
                map.entry(PathBuf::from(path)).or_insert(Err(why));
            }
        }
    }
    map
}

/// tcpdump's packet count (the highest `-#` number it prints).
fn tcpdump_count(file: &Path) -> Option<u64> {
    let out = Command::new("tcpdump")
        .args(["-#", "-n", "-r"])
        .arg(file)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(
        text.lines()
            .filter_map(|l| {
                let t = l.trim_start();
                let (n, rest) = t.split_once("  ")?;
                (l.len() > t.len() || !rest.is_empty()).then_some(())?;
                n.parse::<u64>().ok()
            })
            .max()
            .unwrap_or(0),
    )
}

/// Files where we knowingly differ from capinfos, and why.
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[(
    "pcap-invalid-version-2.pcap",
    "version 2.5: libpcap refuses it (its test expects an error), Wireshark reads it",
)];

#[test]
fn packet_counts_match_capinfos() {
    let Some(root) = corpus() else { return };
    if !have("capinfos") {
        return;
    }
    let files = capture_files(&root);
    assert!(
        files.len() > 100,
        "corpus looks incomplete: {} files",
        files.len()
    );
    let expected = capinfos_counts(&files);
    let mut agree = 0;
    let mut agree_tcpdump = 0;
    let mut both_refuse = 0;
    let mut disagreements = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let c = read_all(&bytes);
        let (streamed, serr) = read_streamed(&bytes);
        assert_eq!(
            streamed,
            c.packets,
            "{}: streamed read differs",
            f.display()
        );
        assert_eq!(serr, c.error, "{}: streamed error differs", f.display());
        let ours = c.packets.len() as u64;
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let err = c
            .error
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default();
        match expected.get(f) {
            Some(Ok(n)) if *n == ours => agree += 1,
            Some(Ok(n)) => disagreements.push(format!("{name}: capinfos {n}, ours {ours} {err}")),
            Some(Err(why)) if why.contains("unknown or unsupported") => {
                // Wireshark 4.0 cannot open these link types; tcpdump can.
                match tcpdump_count(f) {
                    Some(n) if n == ours => agree_tcpdump += 1,
                    n => disagreements.push(format!("{name}: tcpdump {n:?}, ours {ours} {err}")),
                }
            }
            Some(Err(why)) => {
                if ours == 0 && c.error.is_some() {
                    both_refuse += 1;
                } else {
                    disagreements.push(format!(
                        "{name}: capinfos refuses ({why}), ours {ours} {err}"
                    ));
                }
            }
            None => disagreements.push(format!("{name}: no capinfos answer")),
        }
    }
    println!(
        "corpus: {} capture files; {agree} agree with capinfos, {agree_tcpdump} with tcpdump (link types Wireshark lacks), {both_refuse} refused by both",
        files.len()
    );
    let mut unexpected = Vec::new();
    for d in &disagreements {
        let known = KNOWN_DISAGREEMENTS.iter().find(|(n, _)| d.starts_with(n));
        match known {
            Some((_, why)) => println!("known disagreement: {d} -- {why}"),
            None => {
                println!("DISAGREEMENT: {d}");
                unexpected.push(d.clone());
            }
        }
    }
    assert!(
        unexpected.is_empty(),
        "{} unexpected disagreements",
        unexpected.len()
    );
}

#[test]
fn bad_headers_give_clear_errors() {
    let Some(root) = corpus() else { return };
    let cases = [
        (
            "libpcap/tests/linktype-reserved-field-not-zero.pcap",
            "reserved bits set (0x00300000)",
        ),
        ("libpcap/tests/pcap-invalid-version-1.pcap", "version 1.4"),
        ("libpcap/tests/pcap-invalid-version-2.pcap", "version 2.5"),
        (
            "libpcap/tests/pcapng-invalid-vers-1.pcapng",
            "pcapng version 0.1",
        ),
        (
            "libpcap/tests/pcapng-invalid-vers-2.pcapng",
            "pcapng version 1.1",
        ),
        // capinfos: "Not enough data to handle option of length 12336"; the block's trailing
        // length is damaged too, and that is checked first here.
        (
            "libpcap/tests/shb-option-too-long.pcapng",
            "52 bytes long at its start but 808,464,432 at its end",
        ),
    ];
    for (file, text) in cases {
        let bytes = std::fs::read(root.join(file)).unwrap();
        let c = read_all(&bytes);
        let e = c.error.unwrap_or_else(|| panic!("{file}: no error"));
        println!("{file}: {}", e.message);
        assert_eq!(e.kind, ReadErrorKind::BadHeader, "{file}");
        assert!(
            e.message.contains(text),
            "{file}: {:?} lacks {text:?}",
            e.message
        );
        assert!(c.packets.is_empty(), "{file}");
    }
    // CommView (no magic at all) is described, not misread.
    let bytes = std::fs::read(root.join("rusticata-pcap-parser/assets/err-eof.bin")).unwrap();
    let e = read_all(&bytes).error.unwrap();
    println!("err-eof.bin: {}", e.message);
    assert_eq!(e.kind, ReadErrorKind::NotACapture);
}

/// Parses a pcapng-test-generator description: (block sequence, block counts).
fn parse_description(text: &str) -> (Vec<String>, BTreeMap<String, u64>) {
    let mut seq = Vec::new();
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        if let Some(s) = line.strip_prefix("Block sequence:") {
            seq = s
                .split(',')
                .map(|b| b.trim().to_string())
                .filter(|b| !b.is_empty())
                .collect();
        } else if let Some((name, n)) = line.strip_prefix('\t').and_then(|l| l.split_once(':')) {
            if let Ok(n) = n.trim().parse() {
                counts.insert(name.trim().to_string(), n);
            }
        }
    }
    (seq, counts)
}

#[test]
fn pcapng_block_sequences_match_the_generator() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    walk(&root.join("pcapng-test-generator"), &mut files);
    let mut checked = 0;
    for txt in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
    {
        let Ok(bytes) = std::fs::read(txt.with_extension("pcapng")) else {
            continue;
        };
        let (want_seq, want_counts) = parse_description(&std::fs::read_to_string(txt).unwrap());
        let mut r = CaptureReader::with_block_log();
        r.feed(&bytes);
        r.finish();
        loop {
            match r.next() {
                Event::Packet(_) => {}
                Event::End => break,
                other => panic!("{}: {other:?}", txt.display()),
            }
        }
        let seq: Vec<String> = r.block_log().iter().map(|b| b.name.clone()).collect();
        assert_eq!(seq, want_seq, "{}", txt.display());
        let counts: BTreeMap<String, u64> = r.info().block_counts.iter().cloned().collect();
        assert_eq!(counts, want_counts, "{}", txt.display());
        checked += 1;
    }
    println!("pcapng-test-generator: {checked} block sequences match");
    assert!(checked >= 40, "only {checked} descriptions found");
}

/// tshark's per-packet `frame.time_epoch`, `frame.len`, `frame.cap_len`, `frame.comment`,
/// `frame.encap_type`.
fn tshark_frames(file: &Path) -> Option<Vec<[String; 5]>> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(file)
        .args(["-T", "fields", "-E", "occurrence=f", "-E", "separator=/t"])
        .args([
            "-e",
            "frame.time_epoch",
            "-e",
            "frame.len",
            "-e",
            "frame.cap_len",
        ])
        .args(["-e", "frame.comment", "-e", "frame.encap_type"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                let mut f = l.split('\t').map(str::to_string);
                [(); 5].map(|_| f.next().unwrap_or_default())
            })
            .collect(),
    )
}

#[test]
fn timestamps_and_lengths_match_tshark() {
    let Some(root) = corpus() else { return };
    if !have("tshark") {
        return;
    }
    // The pcapng conformance set, pcap-parser's assets, and tcpdump's nanosecond and big-endian
    // files: the ones that exercise resolutions, offsets, byte orders and SPB/PB. (Packet counts
    // of everything else are checked against capinfos above, which is much faster.)
    let files: Vec<PathBuf> = capture_files(&root)
        .into_iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            let head = std::fs::read(p)
                .ok()
                .and_then(|b| b.get(..4).map(<[u8]>::to_vec))
                .unwrap_or_default();
            s.contains("pcapng-test-generator")
                || s.contains("rusticata")
                || s.contains("nano")
                || head.first() == Some(&0xa1)
        })
        .collect();
    // Two workers: tshark start-up dominates and the machine has two cores.
    let chunks: Vec<Vec<PathBuf>> = files
        .chunks(files.len().div_ceil(2).max(1))
        .map(<[_]>::to_vec)
        .collect();
    let results: Vec<(usize, usize, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| s.spawn(move || compare_with_tshark(chunk)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (files_ok, packets_ok) = results.iter().fold((0, 0), |a, r| (a.0 + r.0, a.1 + r.1));
    let problems: Vec<&String> = results.iter().flat_map(|r| r.2.iter()).collect();
    println!(
        "tshark: {files_ok} of {} files and {packets_ok} packets agree on time, length, captured length and comment",
        files.len()
    );
    for p in &problems {
        println!("DIFFERENCE: {p}");
    }
    assert!(problems.is_empty());
}

/// tshark prints a stored fraction of a second of 1e9 or more as is ("1418145370.1000000000"),
/// or as a negative number once it passes 2^31 ("-1418145370.2147483648"); the reader carries
/// it into the seconds (and notes it). `None` when tshark's text cannot be compared.
fn normalize_time(t: &str) -> Option<String> {
    let Some((secs, frac)) = t.split_once('.') else {
        return Some(t.to_string());
    };
    if frac.len() <= 9 {
        return Some(t.to_string());
    }
    let (s, n) = (secs.parse::<i64>().ok()?, frac.parse::<u64>().ok()?);
    (s >= 0).then(|| {
        format!(
            "{}.{:09}",
            s + (n / 1_000_000_000) as i64,
            n % 1_000_000_000
        )
    })
}

fn compare_with_tshark(files: &[PathBuf]) -> (usize, usize, Vec<String>) {
    let mut files_ok = 0;
    let mut packets_ok = 0;
    let mut problems = Vec::new();
    for f in files {
        let Some(frames) = tshark_frames(f) else {
            println!("tshark cannot read {}; skipped", f.display());
            continue;
        };
        let c = read_all(&std::fs::read(f).unwrap());
        let name = f
            .strip_prefix(f.ancestors().nth(3).unwrap_or(f))
            .unwrap_or(f)
            .display()
            .to_string();
        // tshark 4.0 lists custom blocks as frames without an encapsulation; they are not packets.
        let frames: Vec<_> = frames.into_iter().filter(|fr| !fr[4].is_empty()).collect();
        if frames.len() != c.packets.len() {
            problems.push(format!(
                "{name}: tshark {} frames, ours {}",
                frames.len(),
                c.packets.len()
            ));
            continue;
        }
        let mut ok = true;
        for (p, fr) in c.packets.iter().zip(&frames) {
            let ts = format!("{}.{:09}", p.ts.secs, p.ts.nanos);
            let time_ok = match normalize_time(&fr[0]) {
                _ if fr[0].is_empty() => true,
                Some(t) => t == ts,
                // Wireshark's own overflow of an out-of-range field: our value has a note instead.
                None => c
                    .info
                    .notes
                    .iter()
                    .any(|n| n.contains("fraction-of-second")),
            };
            let comment = p.comments.first().cloned().unwrap_or_default();
            let mine = [p.orig_len.to_string(), p.cap_len.to_string(), comment];
            if !time_ok || fr[1..4] != mine {
                problems.push(format!(
                    "{name} packet {}: tshark {fr:?}, ours {ts} {mine:?}",
                    p.number
                ));
                ok = false;
                break;
            }
            packets_ok += 1;
        }
        if ok {
            files_ok += 1;
        }
    }
    (files_ok, packets_ok, problems)
}
