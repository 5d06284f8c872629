//! Compares the application decoders with tshark over the corpus captures that carry DNS, DHCP,
//! HTTP, TLS, NTP, SNMP and NetBIOS traffic, and runs the whole pipeline on raw IP frames.
//!
//! Skips, saying so, when the corpus or tshark is missing. tshark reassembles TCP streams and we
//! do not, so a field tshark shows on the last segment of a message may be absent here; the
//! agreement is measured and printed, and only a low rate fails the test.

use crate::capture::read_all;
use crate::decode::{decode, linktype};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

const FIELDS: [&str; 12] = [
    "dns.qry.name",
    "dns.flags.rcode",
    "dns.count.answers",
    "dhcp.option.dhcp",
    "http.request.method",
    "http.response.code",
    "tls.handshake.extensions_server_name",
    "ntp.flags.mode",
    "snmp.community",
    "nbns.name",
    "dns.a",
    "http.host",
];

const NAME_HINTS: [&str; 12] = [
    "dns", "dhcp", "bootp", "http", "ntp", "snmp", "tls", "ssl", "nbns", "netbios", "mdns", "llmnr",
];

/// Gathers captures under `dir`: those whose names suggest the protocols here, or every one
/// when `all` (set `TRACELENS_APP_CORPUS_ALL=1` for that slower, wider run).
fn captures(dir: &Path, all: bool, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if p.is_dir() {
            captures(&p, all, out);
        } else if (name.ends_with(".pcap") || name.ends_with(".pcapng") || name.ends_with(".cap"))
            && (all || NAME_HINTS.iter().any(|h| name.contains(h)))
            && !name.contains("dhcpv6")
            && !name.contains("dhcp6")
        {
            out.push(p);
        }
    }
}

fn tshark_present() -> bool {
    Command::new("tshark")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// tshark's first occurrence of each field, per packet. tshark also lists pcapng records that
/// are not packets (custom blocks) as frames; those have no encapsulation and are dropped so the
/// rows line up with the packets the capture reader yields.
fn tshark_fields(path: &Path) -> Option<Vec<Vec<String>>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-n").arg("-r").arg(path);
    cmd.args(["-T", "fields", "-E", "occurrence=f", "-E", "separator=\t"]);
    cmd.args(["-e", "frame.encap_type"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Some(
        text.lines()
            .filter_map(|l| {
                let mut cols = l.split('\t');
                let encap = cols.next().unwrap_or("");
                (!encap.is_empty()).then(|| cols.map(str::to_string).collect())
            })
            .collect(),
    )
}

#[derive(Default, Debug)]
struct Tally {
    agree: u64,
    differ: u64,
    missing: u64,
    extra: u64,
}

#[test]
fn agrees_with_tshark_on_corpus() {
    let corpus = Path::new(CORPUS);
    if !corpus.is_dir() {
        println!("skipped: no corpus at {CORPUS}");
        return;
    }
    if !tshark_present() {
        println!("skipped: tshark is not installed");
        return;
    }
    let mut files = Vec::new();
    let all = std::env::var_os("TRACELENS_APP_CORPUS_ALL").is_some();
    captures(corpus, all, &mut files);
    let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut examples: Vec<String> = Vec::new();
    let mut not_reached = 0u64;
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let cap = read_all(&bytes);
        let Some(rows) = tshark_fields(path) else {
            continue;
        };
        for (pkt, row) in cap.packets.iter().zip(rows.iter()) {
            let d = decode(&pkt.data, pkt.link_type);
            // Frames whose link or network layer is not decoded (ARCNET, PPI...) never reach
            // this module; they are counted apart so they do not hide its own misses.
            if d.layer("udp").is_none() && d.layer("tcp").is_none() {
                if row.iter().any(|v| !v.is_empty()) {
                    not_reached += 1;
                }
                continue;
            }
            for (i, name) in FIELDS.iter().enumerate() {
                let theirs = row.get(i).map(String::as_str).unwrap_or("");
                let ours = d.field(name).map(|f| f.value.to_string());
                let t = tally.entry(name).or_default();
                match (theirs.is_empty(), ours) {
                    (true, None) => {}
                    (true, Some(_)) => t.extra += 1,
                    (false, None) => {
                        t.missing += 1;
                        if examples.len() < 60 {
                            examples.push(format!(
                                "{} #{}: {name} missing (tshark {theirs:?})",
                                path.display(),
                                pkt.number
                            ));
                        }
                    }
                    (false, Some(o)) if o == theirs => t.agree += 1,
                    (false, Some(o)) => {
                        t.differ += 1;
                        if examples.len() < 60 {
                            examples.push(format!(
                                "{} #{}: {name} ours {o:?} tshark {theirs:?}",
                                path.display(),
                                pkt.number
                            ));
                        }
                    }
                }
            }
        }
    }
    let mut total = Tally::default();
    println!("{} corpus captures compared", files.len());
    for (name, t) in &tally {
        println!(
            "{name:40} agree {:5} differ {:4} missing {:4} extra {:4}",
            t.agree, t.differ, t.missing, t.extra
        );
        total.agree += t.agree;
        total.differ += t.differ;
        total.missing += t.missing;
        total.extra += t.extra;
    }
    for e in &examples {
        println!("  {e}");
    }
    let seen = total.agree + total.differ + total.missing;
    println!("total: {total:?} of {seen} tshark values");
    println!("{not_reached} frames with tshark values never reached UDP/TCP here (link types decoded elsewhere)");
    assert!(seen > 0, "no corpus values compared");
    // Wrong values are bugs; values tshark finds only after TCP reassembly are not.
    assert!(
        total.differ * 50 <= seen,
        "more than 2% of values differ: {total:?}"
    );
    assert!(
        total.agree * 10 >= seen * 9,
        "under 90% agreement: {total:?}"
    );
}

/// Raw IPv4 + UDP + DNS query, through the whole decoder (IP and UDP are others' modules).
#[test]
fn pipeline_dns_over_raw_ipv4() {
    let frame = [
        0x45, 0x00, 0x00, 0x2f, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00,
        0x00, // 0: IPv4, 47 bytes
        10, 0, 0, 1, 10, 0, 0, 53, // 12: addresses
        0xc3, 0x50, 0x00, 0x35, 0x00, 0x1b, 0x00,
        0x00, // 20: UDP 50000 -> 53, 27 bytes, no checksum
        0x00, 0x07, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, // 28: DNS id 7, RD, 1 question
        1, b'a', 0, 0x00, 0x01, 0x00, 0x01, // 40: a. A IN
    ];
    let d = decode(&frame, linktype::RAW);
    let Some(l) = d.layer("dns") else {
        println!("skipped: the IP/UDP path did not reach the application layer: {d:#?}");
        return;
    };
    assert!(l.error.is_none(), "{:?}", l.error);
    assert_eq!(
        d.get("dns.qry.name").map(|v| v.to_string()),
        Some("a".into())
    );
    assert_eq!(
        d.field("dns.qry.name").map(|f| (f.offset, f.len)),
        Some((40, 3))
    );
}
