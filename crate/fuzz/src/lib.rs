//! What each fuzz target does with its input, as plain functions that panic when a property
//! fails. The cargo-fuzz binaries in `fuzz_targets/` call them, and
//! `crate/tests/fuzz_regressions.rs` includes this file to replay the seeds and every kept crash
//! input through the same code under `cargo test`.
//!
//! Beyond "does not panic", each target checks what must hold for any input: chunking never
//! changes what the reader returns, every field's bytes lie inside its frame, a reader error comes
//! once and is followed only by the end.

use std::sync::OnceLock;
use tracelens::analysis::CaptureAnalysis;
use tracelens::capture::{read_all, Capture, CaptureReader, Event};
use tracelens::decode::{decode, decode_with_len, linktype, Dissection};
use tracelens::explain::{packet_findings, Severity};
use tracelens::filter::Filter;
use tracelens::render::{field_tree, packet_json, FrameMeta};
use tracelens::summary::summary_line;

/// Every link type the decoder has a first step for (`linktype::DECODED`), and one it does not
/// know (147, a user link type), which must become a raw layer.
pub const LINK_TYPES: &[u32] = &{
    let mut all = [147u32; linktype::DECODED.len() + 1];
    let mut i = 0;
    while i < linktype::DECODED.len() {
        all[i] = linktype::DECODED[i];
        i += 1;
    }
    all
};

/// Most chunk-size bytes `capture_chunks` reads from the front of its input.
const MAX_SIZE_BYTES: usize = 7;

/// The first byte says how many size bytes follow (its value mod 8); each size byte `s` is a
/// chunk of `s + 1` bytes, used in turn. No size bytes means one chunk with the whole file. The
/// rest of the input is the file, fed to [`CaptureReader`] in those chunks with events pulled in
/// between; every packet is decoded and summarised, and the result must equal [`read_all`] on
/// the same bytes: packets, error and file facts.
pub fn capture_chunks(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n) % (MAX_SIZE_BYTES + 1);
    let (sizes, file) = rest.split_at(n.min(rest.len()));
    let sizes: Vec<usize> = if sizes.is_empty() {
        vec![file.len().max(1)]
    } else {
        sizes.iter().map(|&s| usize::from(s) + 1).collect()
    };
    let chunked = read_chunked(file, &sizes);
    for p in &chunked.packets {
        let d = p.decode();
        check_fields(&d, p.data.len());
        let _ = summary_line(&d);
    }
    let whole = read_all(file);
    assert_eq!(chunked.packets, whole.packets, "packets depend on chunking");
    assert_eq!(chunked.error, whole.error, "the error depends on chunking");
    assert_eq!(chunked.info, whole.info, "capture facts depend on chunking");
}

/// Reads `file` fed in chunks of the given sizes (cycled), pulling events between chunks, and
/// checks the event protocol: at most one error, after which only `End` comes, and `End` repeats.
pub fn read_chunked(file: &[u8], sizes: &[usize]) -> Capture {
    let mut r = CaptureReader::new();
    let mut packets = Vec::new();
    let mut error = None;
    let mut pos = 0;
    let mut turn = 0;
    loop {
        match r.next() {
            Event::Packet(p) => {
                assert!(error.is_none(), "a packet after the error");
                assert_eq!(p.number, packets.len() as u64 + 1, "packet numbering");
                assert_eq!(
                    p.data.len(),
                    p.cap_len as usize,
                    "cap_len is the data length"
                );
                packets.push(p);
            }
            Event::Error(e) => {
                assert!(error.is_none(), "a second error: {e:?}");
                assert!(!e.message.is_empty(), "an error without a message");
                error = Some(e);
            }
            Event::End => break,
            Event::NeedMore => {
                assert!(error.is_none(), "NeedMore after the error");
                if pos >= file.len() {
                    r.finish();
                    continue;
                }
                let size = sizes.get(turn % sizes.len().max(1)).copied().unwrap_or(1);
                turn += 1;
                let end = pos.saturating_add(size.max(1)).min(file.len());
                r.feed(file.get(pos..end).unwrap_or(&[]));
                pos = end;
            }
        }
    }
    assert_eq!(r.next(), Event::End, "End repeats");
    Capture {
        packets,
        info: r.info().clone(),
        error,
    }
}

/// The first two bytes (little-endian) choose a link type from [`LINK_TYPES`] and whether the
/// frame's length on the wire is known; the rest is one frame. Decodes it, summarises it,
/// renders it as JSON and as a field tree, and runs the per-packet explanations.
pub fn decode_frame(data: &[u8]) {
    let [a, b, frame @ ..] = data else {
        return;
    };
    let sel = usize::from(u16::from_le_bytes([*a, *b]));
    let lt = LINK_TYPES
        .get(sel % LINK_TYPES.len())
        .copied()
        .unwrap_or(linktype::ETHERNET);
    let length_known = (sel / LINK_TYPES.len()) & 1 == 1;
    let d = if length_known {
        decode_with_len(frame, lt, frame.len())
    } else {
        decode(frame, lt)
    };
    check_dissection(&d, frame, lt);
}

/// Everything shown for one frame, with the byte ranges checked.
fn check_dissection(d: &Dissection, frame: &[u8], lt: u32) {
    assert_eq!(d.len, frame.len());
    check_fields(d, frame.len());
    let _ = summary_line(d);
    let len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
    let meta = FrameMeta {
        number: 1,
        cap_len: len,
        orig_len: len,
        link_type: lt,
        ..FrameMeta::default()
    };
    let _ = packet_json(&meta, d);
    let _ = field_tree(&meta, "1970-01-01 00:00:00.000000000", d);
    for f in packet_findings(1, d) {
        let _ = f.render();
    }
}

/// The hex pane highlights a field's bytes and the trailer: they must be inside the frame.
pub fn check_fields(d: &Dissection, frame_len: usize) {
    for l in &d.layers {
        for f in &l.fields {
            let end = f.offset.checked_add(f.len);
            assert!(
                end.is_some_and(|e| e <= frame_len),
                "{} ({}) at {}+{} lies outside a {frame_len}-byte frame",
                f.name,
                l.proto,
                f.offset,
                f.len
            );
        }
    }
    if let Some(t) = &d.trailer {
        assert!(
            t.offset.checked_add(t.len).is_some_and(|e| e <= frame_len),
            "trailer {t:?} outside a {frame_len}-byte frame"
        );
    }
}

/// The whole capture analysis: read, decode and explain every packet, run the cross-packet
/// detectors, build the overview and the findings, and render the report from them.
pub fn analysis(data: &[u8]) {
    let cap = read_all(data);
    let mut a = CaptureAnalysis::new();
    for p in &cap.packets {
        a.observe(p);
    }
    let detections = a.finish();
    let overview = a.overview(&detections);
    let findings = a.findings(&detections);
    assert_eq!(
        a.worst().len(),
        cap.packets.len(),
        "one index entry per packet"
    );
    let input = tracelens::report::ReportInput {
        file_name: "fuzz.pcap",
        info_line: String::new(),
        overview: &overview,
        findings: &findings,
    };
    let _ = tracelens::report::markdown(&input);
    let _ = tracelens::report::html(&input);
}

/// The input as text (invalid UTF-8 replaced) into the hex-dump reader; what it recovers is
/// decoded like any frame.
pub fn hex_dump(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match tracelens::hexinput::parse_hex_dump(&text) {
        Ok(h) => {
            assert!(!h.bytes.is_empty(), "a hex frame without bytes");
            let d = decode(&h.bytes, h.link_type);
            check_dissection(&d, &h.bytes, h.link_type);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// Frames the parsed filters are matched against: a TCP SYN over Ethernet, a DNS query over
/// IPv6, and an ICMP port unreachable quoting a UDP header (raw IPv4).
const FILTER_FRAMES: &[(u32, &str)] = &[
    (
        linktype::ETHERNET,
        "0000ba5eba1100609707c0ff0800 4500002c12344000400600000a090909c0a80584 \
         0831800700000001000000006002721000000000020405b4",
    ),
    (
        linktype::RAW,
        "6000000000251140 20010db8000000000000000000000001 20010db8000000000000000000000035 \
         d431003500250000 abcd01000001000000000000 076578616d706c6503636f6d00 00010001",
    ),
    (
        linktype::RAW,
        "4500003800010000400100000a0001c90a00010b 0303000000000000 \
         4500004707f0000080111be30a00010b0a0001c9 08a7791900330000",
    ),
];

/// [`FILTER_FRAMES`] decoded once.
fn filter_frames() -> &'static [Dissection] {
    static FRAMES: OnceLock<Vec<Dissection>> = OnceLock::new();
    FRAMES.get_or_init(|| {
        FILTER_FRAMES
            .iter()
            .map(|(lt, hex)| decode(&unhex(hex), *lt))
            .collect()
    })
}

fn unhex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks_exact(2)
        .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

/// The input as text (invalid UTF-8 replaced) into the filter parser. An error must point inside
/// the expression (or just past its end); a filter that parses is matched against a few decoded
/// frames, with and without findings.
pub fn filter_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Filter::parse(&text) {
        Err(e) => {
            let chars = text.chars().count();
            assert!(e.at <= chars, "error at {} in {chars} characters", e.at);
            assert!(!e.message.is_empty());
            let _ = e.caret(&text);
        }
        Ok(f) => {
            let findings = [
                ("tcp.syn_fin", Severity::Warning),
                ("ip.reserved_address", Severity::Notice),
            ];
            for d in filter_frames() {
                let _ = f.matches(d, &[]);
                let _ = f.matches(d, &findings);
            }
        }
    }
}
