//! The display filter over real captures: match counts against tshark's, the name table against
//! what the decoders emit, findings filters, the CLI's `-Y`, and a property test that no input
//! makes the parser panic or point outside the expression.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use tracelens::explain::{packet_findings, registry, Severity};
use tracelens::filter::{names, FieldKind, Filter};
use tracelens::{Dissection, Value};

// Expected counts are tshark 4.0.17's: for each expression E and capture F (in FILES order),
// `tshark -r tests/captures/F -Y "E" | wc -l`, generated once by a shell loop over the two lists.
// They are constants so the test runs where tshark is not installed.
const FILES: [&str; 21] = [
    "detect/arp.pcap",
    "detect/arp_negative.pcap",
    "detect/broadcast.pcap",
    "detect/broadcast_negative.pcap",
    "detect/dns.pcap",
    "detect/dns_negative.pcap",
    "detect/floods.pcap",
    "detect/floods_negative.pcap",
    "detect/flows.pcap",
    "detect/flows_negative.pcap",
    "detect/scans.pcap",
    "detect/scans_negative.pcap",
    "detect/traceroute.pcap",
    "detect/traceroute_negative.pcap",
    "explain/addresses.pcap",
    "explain/anomalies.pcap",
    "explain/cases.pcap",
    "explain/icmp.pcap",
    "explain/narrative.pcap",
    "explain/ports.pcap",
    "explain/tcp.pcap",
];

const CASES: &[(&str, [usize; 21])] = &[
    (
        "ip.addr == 10.0.0.0/8",
        [
            0, 2, 0, 0, 109, 55, 690, 646, 73, 33, 680, 438, 54, 19, 2, 28, 16, 12, 25, 0, 21,
        ],
    ),
    (
        "ip.addr == 192.168.0.0/16",
        [
            3, 6, 21, 18, 0, 0, 0, 0, 0, 0, 48, 0, 0, 0, 13, 0, 0, 33, 3, 40, 0,
        ],
    ),
    (
        "ip.src == 192.168.1.10",
        [
            0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 24, 0, 7, 0,
        ],
    ),
    (
        "ip.addr != 192.168.1.10",
        [
            5, 16, 21, 4, 109, 55, 710, 655, 73, 33, 728, 438, 54, 19, 9, 29, 20, 4, 27, 10, 21,
        ],
    ),
    (
        "tcp.port == 80",
        [
            0, 0, 0, 0, 0, 0, 388, 369, 63, 29, 20, 191, 6, 0, 3, 4, 3, 2, 3, 2, 12,
        ],
    ),
    (
        "tcp.port in {22, 23, 80, 443}",
        [
            0, 0, 0, 0, 0, 0, 410, 499, 66, 29, 66, 203, 6, 2, 5, 6, 3, 7, 5, 3, 15,
        ],
    ),
    (
        "tcp.flags.syn == 1 and tcp.flags.ack == 0",
        [
            0, 0, 0, 0, 1, 1, 345, 205, 11, 5, 222, 56, 3, 0, 4, 1, 4, 0, 1, 19, 7,
        ],
    ),
    (
        "tcp.flags.reset == 1",
        [
            0, 0, 0, 0, 0, 0, 38, 30, 2, 2, 247, 0, 0, 0, 1, 0, 4, 0, 1, 1, 3,
        ],
    ),
    (
        "tcp.flags & 0x12",
        [
            0, 0, 0, 0, 5, 5, 673, 620, 65, 33, 501, 284, 4, 1, 8, 5, 9, 0, 6, 24, 16,
        ],
    ),
    (
        "udp",
        [
            5, 16, 9, 4, 104, 50, 32, 35, 3, 0, 61, 141, 30, 15, 19, 19, 11, 15, 15, 19, 0,
        ],
    ),
    (
        "udp.port == 53 or tcp.port == 53",
        [
            0, 0, 0, 0, 109, 50, 0, 35, 2, 0, 16, 80, 0, 8, 1, 1, 0, 3, 3, 5, 0,
        ],
    ),
    (
        "dns",
        [
            0, 0, 0, 0, 106, 47, 0, 35, 2, 0, 1, 80, 0, 4, 1, 1, 0, 0, 3, 4, 0,
        ],
    ),
    (
        "dns.flags.response == 1",
        [
            0, 0, 0, 0, 56, 29, 0, 5, 1, 0, 1, 50, 0, 0, 1, 0, 0, 0, 2, 2, 0,
        ],
    ),
    (
        "dns.qry.name contains \"example\"",
        [
            0, 0, 0, 0, 104, 45, 0, 35, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 3, 3, 0,
        ],
    ),
    (
        "icmp",
        [
            0, 0, 12, 15, 0, 0, 2, 0, 3, 0, 84, 41, 34, 7, 0, 3, 0, 34, 4, 1, 1,
        ],
    ),
    (
        "icmp.type == 3",
        [
            0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 48, 3, 4, 1, 0, 1, 0, 16, 1, 1, 1,
        ],
    ),
    (
        "icmp.type == 11 or icmp.type == 0",
        [
            0, 0, 8, 11, 0, 0, 0, 0, 2, 0, 5, 32, 21, 5, 0, 0, 0, 3, 1, 0, 0,
        ],
    ),
    (
        "not arp",
        [
            5, 16, 21, 19, 109, 55, 710, 655, 73, 33, 728, 438, 54, 19, 28, 30, 20, 47, 30, 43, 22,
        ],
    ),
    (
        "arp",
        [
            73, 52, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0,
        ],
    ),
    (
        "arp.opcode == 2",
        [
            6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
        ],
    ),
    (
        "frame.len > 100",
        [
            5, 16, 6, 1, 3, 5, 30, 0, 17, 7, 0, 0, 0, 0, 1, 0, 4, 6, 8, 2, 0,
        ],
    ),
    (
        "frame.len <= 60",
        [
            73, 52, 3, 2, 3, 3, 678, 608, 50, 26, 676, 327, 20, 9, 17, 20, 11, 10, 16, 32, 19,
        ],
    ),
    (
        "ip.ttl < 10",
        [
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 54, 50, 8, 1, 3, 0, 2, 2, 2, 0,
        ],
    ),
    (
        "ip.flags.df == 1",
        [
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 73, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
        ],
    ),
    (
        "ip.proto == 17 && !(udp.length > 100)",
        [
            0, 0, 9, 3, 104, 50, 0, 35, 3, 0, 61, 141, 30, 15, 12, 18, 8, 11, 12, 18, 0,
        ],
    ),
    (
        "eth.dst == ff:ff:ff:ff:ff:ff",
        [
            73, 68, 7, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 5, 2, 8, 2, 0,
        ],
    ),
    (
        "ipv6 or icmpv6",
        [
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 1, 0, 13, 1, 0, 1,
        ],
    ),
    (
        "tcp.len > 0",
        [
            0, 0, 0, 0, 2, 2, 0, 12, 17, 8, 4, 80, 0, 0, 0, 6, 0, 0, 3, 1, 4,
        ],
    ),
    (
        "(tcp.srcport < 1024 and tcp.dstport >= 1024) or udp.srcport == 53",
        [
            0, 0, 0, 0, 57, 25, 323, 226, 24, 13, 224, 133, 1, 0, 4, 0, 4, 1, 4, 4, 4,
        ],
    ),
    (
        "ip.dst == 224.0.0.0/4 || ip.dst == 255.255.255.255",
        [
            5, 16, 0, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 3, 4, 1, 3, 3, 5, 3, 0,
        ],
    ),
];

/// Where tracelens and tshark decode a packet differently (not where the filters differ): the
/// count tracelens gives, and why.
const DECODER_DIFFERENCES: &[(&str, &str, usize, &str)] = &[
    (
        "explain/anomalies.pcap",
        "tcp.flags.syn == 1 and tcp.flags.ack == 0",
        2,
        "packet 20 is a first fragment (MF set) carrying a SYN: tracelens decodes its TCP header, \
         tshark holds it for reassembly and shows it as data",
    ),
    (
        "explain/anomalies.pcap",
        "tcp.flags & 0x12",
        6,
        "the same first fragment as above",
    ),
    (
        "explain/anomalies.pcap",
        "tcp.len > 0",
        4,
        "tshark reassembles packets 20 and 21 and gives packet 21 a TCP length; for packet 25 \
         (header length 8, below the minimum) tshark still computes tcp.len, tracelens stops \
         decoding the header",
    ),
];

fn capture_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/captures")
        .join(rel)
}

fn decoded(rel: &str) -> Vec<Dissection> {
    let (sub, name) = rel.split_once('/').unwrap();
    common::crafted(sub, name)
        .iter()
        .map(|p| p.decode())
        .collect()
}

#[test]
fn counts_agree_with_tshark() {
    let mut failures = Vec::new();
    let filters: Vec<(Filter, &str, &[usize; 21])> = CASES
        .iter()
        .map(|(e, want)| {
            (
                Filter::parse(e).unwrap_or_else(|err| panic!("{e}: {err}")),
                *e,
                want,
            )
        })
        .collect();
    for (i, file) in FILES.iter().enumerate() {
        let packets = decoded(file);
        for (f, expr, want) in &filters {
            assert!(!f.uses_findings());
            let got = packets.iter().filter(|d| f.matches(d, &[])).count();
            let expected = DECODER_DIFFERENCES
                .iter()
                .find(|(df, de, _, _)| df == file && de == expr)
                .map_or(want[i], |(_, _, n, _)| *n);
            if got != expected {
                failures.push(format!(
                    "{file}: `{expr}` matched {got}, expected {expected}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // Every expression matches something, so none of the agreements is vacuous.
    for (e, want) in CASES {
        assert!(want.iter().any(|&n| n > 0), "{e}");
    }
}

fn kind_of(v: &Value) -> FieldKind {
    match v {
        Value::Bool(_) => FieldKind::Bool,
        Value::UInt(_) => FieldKind::UInt,
        Value::Int(_) => FieldKind::Int,
        Value::Str(_) => FieldKind::Str,
        Value::Bytes(_) => FieldKind::Bytes,
        Value::Mac(_) => FieldKind::Mac,
        Value::Ipv4(_) => FieldKind::Ipv4,
        Value::Ipv6(_) => FieldKind::Ipv6,
        Value::None => FieldKind::None,
    }
}

/// Every field the decoders emit on the crafted captures and the shared corpus is in the filter's
/// name table with the kind of value it really holds, and every layer name is a protocol there.
#[test]
fn name_table_covers_every_emitted_field() {
    let mut files = Vec::new();
    common::capture_files(&capture_path(""), &mut files);
    let crafted = files.len();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    common::capture_files(&corpus, &mut files);
    if files.len() == crafted {
        eprintln!(
            "note: {} not found; checked the crafted captures only",
            corpus.display()
        );
    }
    assert!(crafted >= 20, "crafted captures not found");
    let mut problems = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        for p in tracelens::capture::read_all(&bytes).packets {
            for l in &p.decode().layers {
                if !names::is_protocol(l.proto) {
                    problems.insert(format!("layer `{}` ({})", l.proto, path.display()));
                }
                for f in &l.fields {
                    seen.insert(f.name);
                    let want = kind_of(&f.value);
                    match names::field_kind(f.name) {
                        Some(k) if k == want => true,
                        Some(k) => problems.insert(format!(
                            "`{}` is listed as {k:?} but holds {want:?}",
                            f.name
                        )),
                        None => problems.insert(format!(
                            "`{}` ({want:?}) is missing from filter/names.rs",
                            f.name
                        )),
                    };
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(seen.len() > 150, "only {} distinct fields seen", seen.len());
}

/// A capture's packets with their findings as the filter takes them: per-packet finding ids
/// with their registry severities.
fn with_findings(rel: &str) -> Vec<(Dissection, Vec<(&'static str, Severity)>)> {
    let (sub, name) = rel.split_once('/').unwrap();
    common::crafted(sub, name)
        .iter()
        .map(|p| {
            let d = p.decode();
            let mut f: Vec<(&'static str, Severity)> = packet_findings(p.number, &d)
                .iter()
                .map(|x| (x.id, registry().get(x.id).unwrap().severity))
                .collect();
            f.dedup_by_key(|x| x.0);
            (d, f)
        })
        .collect()
}

#[test]
fn finding_filters_select_the_packets_that_raised_them() {
    let packets = with_findings("explain/anomalies.pcap");
    let count = |expr: &str| {
        let f = Filter::parse(expr).unwrap();
        assert!(f.uses_findings(), "{expr}");
        packets.iter().filter(|(d, fs)| f.matches(d, fs)).count()
    };
    // Counted directly from the findings, without the filter.
    let with_id = |id: &str| {
        packets
            .iter()
            .filter(|(_, fs)| fs.iter().any(|x| x.0 == id))
            .count()
    };
    let at_least = |s: Severity| {
        packets
            .iter()
            .filter(|(_, fs)| fs.iter().any(|x| x.1 >= s))
            .count()
    };
    let ids: BTreeSet<&str> = packets
        .iter()
        .flat_map(|(_, fs)| fs.iter().map(|x| x.0))
        .collect();
    assert!(ids.len() >= 5, "{ids:?}");
    for id in &ids {
        assert_eq!(
            count(&format!("finding.id == \"{id}\"")),
            with_id(id),
            "{id}"
        );
    }
    let warn = at_least(Severity::Warning);
    assert!(warn > 0 && warn < packets.len(), "{warn}");
    assert_eq!(count("finding.severity >= warning"), warn);
    assert_eq!(count("finding.severity >= info"), at_least(Severity::Info));
    assert_eq!(
        count("not finding.severity >= warning and finding"),
        packets
            .iter()
            .filter(|(_, fs)| !fs.is_empty() && fs.iter().all(|x| x.1 < Severity::Warning))
            .count()
    );
    let many = packets.iter().filter(|(_, fs)| fs.len() > 1).count();
    assert_eq!(count("finding.count > 1"), many);
    assert_eq!(count("finding") + count("not finding"), packets.len());
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tracelens"))
        .args(args)
        .output()
        .expect("run tracelens")
}

fn lines(o: &std::process::Output) -> usize {
    String::from_utf8_lossy(&o.stdout).lines().count()
}

#[test]
fn cli_filter_keeps_only_matching_packets() {
    let path = capture_path("detect/scans.pcap");
    let path = path.to_str().unwrap();
    let all = cli(&["packets", path]);
    assert!(all.status.success());
    let idx = FILES
        .iter()
        .position(|f| *f == "detect/scans.pcap")
        .unwrap();
    for (expr, want) in CASES.iter().take(6) {
        let o = cli(&["packets", path, "-Y", expr]);
        assert!(
            o.status.success(),
            "{expr}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(lines(&o), want[idx], "{expr}");
    }
    // The long form, the `=` form and the option before the file name.
    let o = cli(&["packets", "--filter", "icmp.type == 3", path]);
    assert_eq!(lines(&o), 48);
    let o = cli(&["packets", "--filter=icmp.type == 3", path, "--json"]);
    assert_eq!(lines(&o), 48);
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&o.stdout).lines().next().unwrap()).unwrap();
    assert!(first.to_string().contains("icmp"), "{first}");
    // An empty filter keeps everything.
    let o = cli(&["packets", path, "-Y", ""]);
    assert_eq!(lines(&o), lines(&all));
}

#[test]
fn cli_filter_on_findings_includes_cross_packet_detections() {
    let path = capture_path("detect/scans.pcap");
    let path = path.to_str().unwrap();
    let dets = common::analyze(&std::fs::read(path).unwrap());
    let sweep = dets
        .iter()
        .find(|d| d.finding.id == "scan.sweep")
        .expect("the sweep is detected");
    let o = cli(&["packets", path, "-Y", "finding.id == \"scan.sweep\""]);
    assert!(o.status.success());
    let numbers: Vec<u64> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers, sweep.packets);
}

#[test]
fn cli_bad_filter_shows_a_caret_and_exits_2() {
    let path = capture_path("explain/tcp.pcap");
    let o = cli(&[
        "packets",
        path.to_str().unwrap(),
        "-Y",
        "tcp.port == 10.0.0.1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`tcp.port` holds a number, but `10.0.0.1` is an IPv4 address"),
        "{err}"
    );
    let expr_line = err
        .lines()
        .find(|l| l.trim_start().starts_with("tcp.port"))
        .unwrap();
    let caret_line = err.lines().find(|l| l.contains('^')).unwrap();
    let col = caret_line.find('^').unwrap();
    assert_eq!(&expr_line[col..], "10.0.0.1", "{err}");
    assert_eq!(caret_line.trim(), "^~~~~~~~");
    let o = cli(&["packets", path.to_str().unwrap(), "-Y"]);
    assert_eq!(o.status.code(), Some(2));
}

// ---- never panics ----

/// Pieces of real expressions, so that random sequences reach deep into the parser.
const PIECES: &[&str] = &[
    "tcp",
    "udp",
    "ip.addr",
    "tcp.port",
    "eth.src",
    "dns.qry.name",
    "tcp.flags.syn",
    "ipv6.addr",
    "finding",
    "finding.id",
    "finding.severity",
    "frame.len",
    "ah",
    "tcp.flagz",
    "==",
    "!=",
    "===",
    "!==",
    "<",
    ">=",
    "&",
    "contains",
    "in",
    "{",
    "}",
    ",",
    "(",
    ")",
    "and",
    "or",
    "not",
    "!",
    "&&",
    "||",
    "=",
    "80",
    "0x50",
    "-1",
    "10.0.0.0/8",
    "10.0.0.1/33",
    "::1",
    "fe80::/10",
    "00:11:22:33:44:55",
    "\"example\"",
    "\"unterminated",
    "warning",
    "1..9",
    "true",
    "\"\\x4",
    "é",
    "\t",
];

fn sample_packets() -> &'static [Dissection] {
    static P: OnceLock<Vec<Dissection>> = OnceLock::new();
    P.get_or_init(|| {
        let mut v = decoded("explain/icmp.pcap");
        v.extend(decoded("explain/anomalies.pcap"));
        v
    })
}

fn check_error_inside(expr: &str) -> Result<(), TestCaseError> {
    match Filter::parse(expr) {
        Ok(f) => {
            let found = [("tcp.flags.syn", Severity::Info)];
            for d in sample_packets() {
                let _ = f.matches(d, &found);
            }
        }
        Err(e) => {
            let n = expr.chars().count();
            prop_assert!(e.len >= 1, "{expr:?}: {e:?}");
            prop_assert!(e.at + e.len <= n, "{expr:?} ({n} chars): {e:?}");
            prop_assert!(!e.message.is_empty());
            let caret = e.caret(expr);
            prop_assert_eq!(caret.lines().count(), 2);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_never_panics_on_any_text(s in ".{0,60}") {
        check_error_inside(&s)?;
    }

    #[test]
    fn parse_never_panics_on_filter_like_text(
        parts in prop::collection::vec((prop::sample::select(PIECES), any::<bool>()), 0..16)
    ) {
        let mut s = String::new();
        for (p, space) in parts {
            s.push_str(p);
            if space {
                s.push(' ');
            }
        }
        check_error_inside(&s)?;
    }
}
