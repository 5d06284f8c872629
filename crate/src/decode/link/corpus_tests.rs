//! Compares the link decoders with tshark on every corpus packet of the link types decoded here.
//!
//! The packets are gathered from every capture in `../shared/corpus`, written into one pcapng
//! file (one interface per link type) so tshark starts once, and compared field by field. Skips,
//! saying so, when the corpus or tshark is missing.

use crate::capture::{read_all, Packet};
use crate::decode::decode;
use crate::field::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

/// Link types this module decodes.
const OURS: [u32; 10] = [0, 9, 50, 51, 104, 105, 108, 113, 127, 276];

/// Fields compared with tshark; each must mean the same in both.
const FIELDS: [&str; 36] = [
    "sll.pkttype",
    "sll.hatype",
    "sll.halen",
    "sll.src.eth",
    "sll.src.ipv4",
    "sll.unused",
    "sll.etype",
    "sll.ltype",
    "sll.gretype",
    "null.family",
    "null.type",
    "ppp.address",
    "ppp.control",
    "ppp.protocol",
    "chdlc.address",
    "chdlc.protocol",
    "radiotap.length",
    "radiotap.present.word",
    "radiotap.flags",
    "radiotap.datarate",
    "radiotap.channel.freq",
    "radiotap.dbm_antsignal",
    "radiotap.mactime",
    "wlan.fc.type_subtype",
    "wlan.duration",
    "wlan.ra",
    "wlan.ta",
    "wlan.da",
    "wlan.sa",
    "wlan.bssid",
    "wlan.seq",
    "wlan.qos.tid",
    "wlan.fcs",
    "wlan.ssid",
    "wlan.fixed.status_code",
    "wlan.fixed.reason_code",
];

fn captures(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            captures(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("pcap" | "pcapng" | "cap")
        ) {
            out.push(p);
        }
    }
}

/// A minimal little-endian pcapng: one section, one interface per link type, one EPB per packet.
fn write_pcapng(packets: &[Packet]) -> Vec<u8> {
    fn block(out: &mut Vec<u8>, kind: u32, body: &[u8]) {
        let padded = body.len().div_ceil(4) * 4;
        let total = (12 + padded) as u32;
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&total.to_le_bytes());
        out.extend_from_slice(body);
        out.resize(out.len() + padded - body.len(), 0);
        out.extend_from_slice(&total.to_le_bytes());
    }
    let mut out = Vec::new();
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&(-1i64).to_le_bytes());
    block(&mut out, 0x0a0d_0d0a, &shb);
    let mut ifaces: Vec<u32> = Vec::new();
    for lt in packets.iter().map(|p| p.link_type) {
        if !ifaces.contains(&lt) {
            ifaces.push(lt);
            let mut idb = Vec::new();
            idb.extend_from_slice(&(lt as u16).to_le_bytes());
            idb.extend_from_slice(&0u16.to_le_bytes());
            idb.extend_from_slice(&0u32.to_le_bytes());
            block(&mut out, 1, &idb);
        }
    }
    for p in packets {
        let iface = ifaces.iter().position(|&l| l == p.link_type).unwrap() as u32;
        let mut epb = Vec::new();
        epb.extend_from_slice(&iface.to_le_bytes());
        epb.extend_from_slice(&0u32.to_le_bytes());
        epb.extend_from_slice(&0u32.to_le_bytes());
        epb.extend_from_slice(&(p.data.len() as u32).to_le_bytes());
        epb.extend_from_slice(&(p.orig_len.max(p.data.len() as u32)).to_le_bytes());
        epb.extend_from_slice(&p.data);
        block(&mut out, 6, &epb);
    }
    out
}

/// A comparable form: numbers as numbers whatever their base, everything else as lower-case text.
#[derive(Debug, PartialEq)]
enum Norm {
    Num(i128),
    Text(String),
}

fn norm_tshark(s: &str) -> Norm {
    if let Some(h) = s.strip_prefix("0x") {
        if let Ok(v) = i128::from_str_radix(h, 16) {
            return Norm::Num(v);
        }
    }
    match s.parse::<i128>() {
        Ok(v) => Norm::Num(v),
        Err(_) => Norm::Text(s.to_ascii_lowercase()),
    }
}

fn norm_ours(v: &Value) -> Norm {
    match v {
        Value::UInt(x) => Norm::Num(i128::from(*x)),
        Value::Int(x) => Norm::Num(i128::from(*x)),
        Value::Bool(b) => Norm::Num(i128::from(*b)),
        Value::Str(s) => norm_tshark(s),
        other => Norm::Text(other.to_string().to_ascii_lowercase()),
    }
}

#[derive(Default, Debug)]
struct Tally {
    agree: usize,
    differ: usize,
    only_ours: usize,
    only_tshark: usize,
    examples: Vec<String>,
}

#[test]
fn link_fields_agree_with_tshark() {
    let corpus = Path::new(CORPUS);
    if !corpus.is_dir() {
        println!("skipped: no corpus at {CORPUS}");
        return;
    }
    if Command::new("tshark").arg("-v").output().is_err() {
        println!("skipped: tshark is not installed");
        return;
    }
    let mut files = Vec::new();
    captures(corpus, &mut files);
    let mut packets = Vec::new();
    let mut origin = Vec::new();
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        for p in read_all(&bytes).packets {
            if OURS.contains(&p.link_type) {
                let name = f.strip_prefix(corpus).unwrap_or(f);
                origin.push(format!("{}#{}", name.display(), p.number));
                packets.push(p);
            }
        }
    }
    assert!(
        !packets.is_empty(),
        "the corpus should hold non-Ethernet link types"
    );

    // Our side, and the no-panic check on every packet and every prefix of short ones.
    let ours: Vec<_> = packets
        .iter()
        .map(|p| decode(&p.data, p.link_type))
        .collect();
    for p in packets.iter().filter(|p| p.data.len() <= 128) {
        for n in 0..p.data.len() {
            let _ = decode(&p.data[..n], p.link_type);
        }
    }

    let tmp = std::env::temp_dir().join(format!("tracelens-link-{}.pcapng", std::process::id()));
    std::fs::write(&tmp, write_pcapng(&packets)).unwrap();
    let mut cmd = Command::new("tshark");
    cmd.arg("-r")
        .arg(&tmp)
        .args(["-T", "fields", "-E", "occurrence=f", "-e", "frame.number"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_file(&tmp);
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        rows.len(),
        packets.len(),
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        for (j, name) in FIELDS.iter().enumerate() {
            let theirs = row.get(j + 1).copied().unwrap_or("");
            let mine = ours[i].get(name);
            let t = tally.entry(name).or_default();
            match (mine, theirs.is_empty()) {
                (None, true) => {}
                (Some(_), true) => {
                    t.only_ours += 1;
                    if t.examples.len() < 3 {
                        t.examples.push(format!("{} only ours", origin[i]));
                    }
                }
                (None, false) => {
                    t.only_tshark += 1;
                    if t.examples.len() < 3 {
                        t.examples
                            .push(format!("{} only tshark {theirs}", origin[i]));
                    }
                }
                (Some(v), false) => {
                    let same = match v {
                        // Byte strings are compared as hex text (tshark prints them without
                        // separators); an empty SSID is "<MISSING>" to tshark.
                        Value::Bytes(b) if b.is_empty() => theirs == "<MISSING>",
                        Value::Bytes(b) => {
                            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                            hex == theirs.to_ascii_lowercase()
                        }
                        _ => norm_ours(v) == norm_tshark(theirs),
                    };
                    if same {
                        t.agree += 1;
                    } else {
                        t.differ += 1;
                        if t.examples.len() < 3 {
                            t.examples
                                .push(format!("{} ours {v} tshark {theirs}", origin[i]));
                        }
                    }
                }
            }
        }
    }
    println!(
        "{} packets of non-Ethernet link types compared with tshark",
        packets.len()
    );
    let (mut agree, mut total) = (0, 0);
    for (name, t) in &tally {
        println!(
            "{name:26} agree {:5}  differ {:3}  only ours {:3}  only tshark {:3}  {:?}",
            t.agree, t.differ, t.only_ours, t.only_tshark, t.examples
        );
        agree += t.agree;
        total += t.agree + t.differ + t.only_ours + t.only_tshark;
    }
    println!("overall: {agree} of {total} field values agree");

    // Known, accepted differences: tshark derives radiotap.datarate from MCS information when
    // there is no Rate field (a computed value with no bytes of its own); it reads past a
    // radiotap header whose version is not 0, which is treated here as an error that stops the
    // frame; and it leaves out wlan.da on a header cut right after the first address.
    for (name, t) in &tally {
        assert_eq!(
            t.differ, 0,
            "{name}: values differ from tshark: {:?}",
            t.examples
        );
        let missing = t.only_ours + t.only_tshark;
        assert!(
            missing * 20 <= t.agree.max(1),
            "{name}: present on one side only too often: {:?}",
            t.examples
        );
    }
}
