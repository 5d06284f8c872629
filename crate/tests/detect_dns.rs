//! The DNS detectors over their crafted captures (`tests/captures/detect/craft_dns.py`, whose
//! docstring lists every packet): error bursts, a forged answer, unsolicited answers, a zone
//! transfer and a version probe in the positive capture; search-list NXDOMAINs, a retry to a
//! second server, a stray answer, mDNS, TCP lookups and an IN-class TXT in the near misses.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use tracelens::detect::{dns, Detection, Observed};
use tracelens::explain::Severity;

fn crafted(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/captures/detect")
        .join(name);
    std::fs::read(&path).expect("read crafted capture")
}

fn analyze(bytes: &[u8]) -> Vec<Detection> {
    common::analyze(bytes)
}

fn mine(all: &[Detection]) -> Vec<&Detection> {
    let mut v: Vec<_> = all
        .iter()
        .filter(|d| dns::IDS.contains(&d.finding.id))
        .collect();
    v.sort_by(|a, b| a.key.cmp(&b.key));
    v
}

fn keys(all: &[&Detection]) -> Vec<String> {
    all.iter().map(|d| d.key.clone()).collect()
}

fn find<'a>(all: &'a [&Detection], key: &str) -> &'a Detection {
    all.iter()
        .find(|d| d.key == key)
        .copied()
        .unwrap_or_else(|| panic!("no detection {key}; have {:?}", keys(all)))
}

fn param<'a>(d: &'a Detection, name: &str) -> &'a str {
    common::param(d, name)
}

fn evidence(d: &Detection) -> Vec<(u64, String, usize, usize)> {
    common::evidence(d)
}

const NX: &str = "dns.nxdomain_burst:10.0.0.5:NXDOMAIN";
const SERVFAIL: &str = "dns.error_burst:10.0.0.6:SERVFAIL";
const WRONG: &str = "dns.answer_wrong_server:10.6.6.6>10.0.0.5";
const UNSOL: &str = "dns.answer_unsolicited:10.0.0.5";
const AXFR: &str = "dns.zone_transfer:10.9.9.9>10.0.0.53";
const VERSION: &str = "dns.version_probe:10.9.9.9>10.0.0.53";

#[test]
fn positive_capture_gives_exactly_the_expected_detections() {
    let all = analyze(&crafted("dns.pcap"));
    assert_eq!(
        keys(&mine(&all)),
        [UNSOL, WRONG, SERVFAIL, NX, VERSION, AXFR]
    );
}

#[test]
fn error_bursts_count_every_answer() {
    let all = analyze(&crafted("dns.pcap"));
    let m = mine(&all);
    let nx = find(&m, NX);
    assert_eq!(nx.severity(), Severity::Notice);
    assert_eq!(param(nx, "count"), "25");
    assert_eq!(param(nx, "names"), "25");
    assert_eq!(param(nx, "rcode"), "NXDOMAIN");
    assert!(param(nx, "examples").starts_with("q00x7kz3fa.example.net"));
    // Every answer (the even packets 2..50), the twenty before the threshold included.
    assert_eq!(nx.packets, (1..=25).map(|i| 2 * i).collect::<Vec<u64>>());
    // The 20th answer (packet 40) crossed the threshold: its flags word and question name.
    let ev = evidence(nx);
    assert_eq!(ev[0], (40, "dns.flags.rcode".into(), 44, 2));
    assert_eq!((ev[1].0, ev[1].1.as_str()), (40, "dns.qry.name"));

    let sf = find(&m, SERVFAIL);
    assert_eq!(sf.finding.id, dns::ERROR_BURST);
    assert_eq!(param(sf, "count"), "22");
    assert_eq!(param(sf, "server"), "10.0.0.53");
    assert_eq!(sf.packets.len(), 22);
    assert_eq!(sf.packets.first(), Some(&52));
}

#[test]
fn an_answer_from_a_server_not_asked_is_reported() {
    let all = analyze(&crafted("dns.pcap"));
    let m = mine(&all);
    let d = find(&m, WRONG);
    assert_eq!(d.severity(), Severity::Warning);
    assert_eq!(param(d, "asked"), "10.0.0.53");
    assert_eq!(param(d, "name"), "www.example.com");
    assert_eq!(param(d, "count"), "1");
    // Only the forged answer: the real one (97) matched the question.
    assert_eq!(d.packets, [96]);
    assert_eq!(
        evidence(d),
        [
            (96, "ip.src".into(), 26, 4),
            (96, "dns.id".into(), 42, 2),
            (96, "dns.qry.name".into(), 54, 17)
        ]
    );
}

#[test]
fn answers_to_no_question_are_reported_from_the_first() {
    let all = analyze(&crafted("dns.pcap"));
    let m = mine(&all);
    let d = find(&m, UNSOL);
    assert_eq!(d.severity(), Severity::Warning);
    assert_eq!(param(d, "count"), "5");
    assert_eq!(param(d, "name"), "bank.example");
    assert_eq!(d.packets, [98, 99, 100, 101, 102]);
    assert_eq!(evidence(d)[0], (98, "ip.src".into(), 26, 4));
}

#[test]
fn zone_transfer_and_version_probe_carry_the_servers_answer() {
    let all = analyze(&crafted("dns.pcap"));
    let m = mine(&all);
    let z = find(&m, AXFR);
    assert_eq!(z.severity(), Severity::Warning);
    assert_eq!(param(z, "names"), "example.com");
    assert_eq!(param(z, "transport"), "TCP");
    assert_eq!(param(z, "outcome"), "The server answered REFUSED.");
    assert_eq!(z.packets, [106, 107]);
    // Over TCP the message starts after the 2-byte length: 14 + 20 + 20 + 2 + 12 = 68.
    assert_eq!(
        evidence(z),
        [
            (106, "dns.qry.name".into(), 68, 13),
            (106, "dns.qry.type".into(), 81, 2),
            (106, "dns.qry.class".into(), 83, 2)
        ]
    );
    let v = find(&m, VERSION);
    assert_eq!(v.severity(), Severity::Notice);
    assert_eq!(param(v, "names"), "version.bind");
    assert!(param(v, "outcome").contains("gave the information out"));
    assert_eq!(v.packets, [108, 109]);
    assert_eq!(evidence(v)[2], (108, "dns.qry.class".into(), 70, 2));
    let text = v.render().finding.text;
    assert!(
        text.contains("10.9.9.9") && text.contains("CHAOS"),
        "{text}"
    );
}

#[test]
fn near_misses_raise_nothing() {
    let all = analyze(&crafted("dns_negative.pcap"));
    assert!(mine(&all).is_empty(), "{:?}", keys(&mine(&all)));
}

#[test]
fn a_lower_threshold_turns_the_near_misses_into_detections() {
    // 14 NXDOMAINs to 10.0.0.6 and the single stray answer sit just under the defaults.
    let bytes = crafted("dns_negative.pcap");
    let cap = tracelens::capture::read_all(&bytes);
    let s = dns::DnsSettings {
        error_threshold: 10,
        unsolicited_threshold: 1,
        ..dns::DnsSettings::default()
    };
    let mut dets: Vec<Box<dyn tracelens::detect::Detector>> = vec![
        Box::new(dns::DnsErrors::new(s.clone())),
        Box::new(dns::DnsAnswers::new(s)),
    ];
    for p in &cap.packets {
        let d = p.decode();
        for det in dets.iter_mut() {
            det.observe(&Observed {
                number: p.number,
                ts: p.ts,
                d: &d,
            });
        }
    }
    let mut out = Vec::new();
    for det in dets.iter_mut() {
        det.finish(&mut out);
    }
    let mut k: Vec<&str> = out.iter().map(|d| d.key.as_str()).collect();
    k.sort_unstable();
    assert_eq!(
        k,
        [
            "dns.answer_unsolicited:10.0.0.5",
            "dns.nxdomain_burst:10.0.0.6:NXDOMAIN"
        ]
    );
}

#[test]
fn cut_packets_never_panic_the_detectors() {
    for name in ["dns.pcap", "dns_negative.pcap"] {
        let bytes = crafted(name);
        let cap = tracelens::capture::read_all(&bytes);
        let mut dets = dns::detectors();
        for p in &cap.packets {
            for cut in 0..p.data.len() {
                let d = tracelens::decode(&p.data[..cut], p.link_type);
                for det in dets.iter_mut() {
                    det.observe(&Observed {
                        number: p.number,
                        ts: p.ts,
                        d: &d,
                    });
                }
            }
        }
        let mut out = Vec::new();
        for det in dets.iter_mut() {
            det.finish(&mut out);
        }
    }
}

fn corpus() -> Option<PathBuf> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    if !root.is_dir() {
        println!("skipped: no corpus at {}", root.display());
        return None;
    }
    if Command::new("tshark").arg("-v").output().is_err() {
        println!("skipped: tshark is not installed");
        return None;
    }
    Some(root.to_path_buf())
}

#[test]
fn corpus_dns_traffic_is_ordinary() {
    // Real lookups: queries and answers that tshark pairs up (dns.response_to) raise nothing here.
    let Some(root) = corpus() else { return };
    for rel in [
        "tcpdump/tests/edns-opts.pcap",
        "tcpdump/tests/dnssec.pcap",
        "tcpdump/tests/dns-badvers.pcap",
        "rusticata-pcap-parser/assets/wireshark_samples-test.pcapng",
    ] {
        let file = root.join(rel);
        let Ok(bytes) = std::fs::read(&file) else {
            println!("skipped: {} is missing", file.display());
            continue;
        };
        let out = Command::new("tshark")
            .arg("-r")
            .arg(&file)
            .args([
                "-Y",
                "dns.flags.response == 1 && !dns.response_to",
                "-T",
                "fields",
                "-e",
                "frame.number",
            ])
            .output()
            .expect("run tshark");
        let unpaired = String::from_utf8_lossy(&out.stdout).lines().count();
        let all = analyze(&bytes);
        let m = mine(&all);
        if unpaired == 0 {
            assert!(m.is_empty(), "{rel}: {:?}", keys(&m));
        }
    }
}
