//! The capture writer against our own reader (every crafted capture written back out and read
//! again) and, where they are installed, against tshark and capinfos.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::PathBuf;
use std::process::Command;
use tracelens::capture::write::{capture_bytes, pcap_bytes, CaptureWriter, PacketRecord};
use tracelens::capture::{read_all, Format, Packet, Timestamp};

/// What a round trip must keep of each packet.
fn essentials(p: &Packet) -> (u64, u32, Timestamp, u32, u32, Vec<u8>) {
    (
        p.number,
        p.link_type,
        p.ts,
        p.cap_len,
        p.orig_len,
        p.data.clone(),
    )
}

fn crafted_files() -> Vec<(&'static str, &'static str)> {
    let mut v = Vec::new();
    for name in [
        "arp.pcap",
        "broadcast.pcap",
        "dns.pcap",
        "floods.pcap",
        "flows.pcap",
        "scans.pcap",
        "traceroute.pcap",
    ] {
        v.push(("detect", name));
    }
    for name in [
        "addresses.pcap",
        "anomalies.pcap",
        "cases.pcap",
        "icmp.pcap",
        "narrative.pcap",
        "ports.pcap",
        "tcp.pcap",
    ] {
        v.push(("explain", name));
    }
    v
}

#[test]
fn every_crafted_capture_survives_a_pcap_round_trip() {
    for (sub, name) in crafted_files() {
        let packets = common::crafted(sub, name);
        let lt = packets.first().map_or(1, |p| p.link_type);
        let bytes = pcap_bytes(lt, packets.iter().map(PacketRecord::from));
        let back = read_all(&bytes);
        assert!(back.error.is_none(), "{name}: {:?}", back.error);
        assert!(
            matches!(
                back.info.format,
                Some(Format::Pcap {
                    nanosecond: true,
                    big_endian: false,
                    snaplen: 262_144,
                    ..
                })
            ),
            "{name}: {:?}",
            back.info.format
        );
        assert_eq!(back.packets.len(), packets.len(), "{name}");
        for (a, b) in packets.iter().zip(&back.packets) {
            assert_eq!(essentials(a), essentials(b), "{name} packet {}", a.number);
        }
    }
}

/// A raw-IP (link type 101) IPv4 datagram: ICMP echo request, checksums not checked here.
fn raw_ip_frame(id: u8) -> Vec<u8> {
    vec![
        0x45, 0, 0, 28, 0, id, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4 header
        8, 0, 0, 0, 0, 1, 0, id, // ICMP echo request
    ]
}

/// Ethernet packets from flows.pcap interleaved with raw IP ones, at times that need all nine
/// fraction digits.
fn two_link_types() -> Vec<Packet> {
    let eth = common::crafted("detect", "flows.pcap");
    let mut out = Vec::new();
    for (i, p) in eth.iter().take(12).enumerate() {
        let mut p = p.clone();
        p.ts = Timestamp {
            secs: 1_700_000_000 + i as i64,
            nanos: 123_456_789 + i as u32,
        };
        out.push(p);
        if i % 3 == 0 {
            let data = raw_ip_frame(i as u8);
            out.push(Packet {
                number: 0,
                file_offset: 0,
                interface: 0,
                link_type: 101,
                ts: Timestamp {
                    secs: 1_700_000_000 + i as i64,
                    nanos: 999_999_999,
                },
                cap_len: data.len() as u32,
                // A snap-length cut: the wire carried more than was kept.
                orig_len: data.len() as u32 + 100,
                data,
                comments: Vec::new(),
            });
        }
    }
    for (i, p) in out.iter_mut().enumerate() {
        p.number = i as u64 + 1;
    }
    out
}

#[test]
fn pcapng_with_two_link_types_round_trips() {
    let packets = two_link_types();
    let recs: Vec<PacketRecord> = packets.iter().map(PacketRecord::from).collect();
    let bytes = capture_bytes(&recs);
    let back = read_all(&bytes);
    assert!(back.error.is_none(), "{:?}", back.error);
    assert_eq!(back.info.format, Some(Format::PcapNg));
    // One interface per link type, in the order they first appeared.
    let lts: Vec<u32> = back.info.interfaces.iter().map(|i| i.link_type).collect();
    assert_eq!(lts, vec![1, 101]);
    assert!(back
        .info
        .interfaces
        .iter()
        .all(|i| i.ts_units_per_sec == 1_000_000_000));
    assert_eq!(back.packets.len(), packets.len());
    for (a, b) in packets.iter().zip(&back.packets) {
        assert_eq!(essentials(a), essentials(b), "packet {}", a.number);
    }
    assert_eq!(back.packets.get(1).map(|p| p.interface), Some(1));
}

#[test]
fn pcap_writer_leaves_out_other_link_types_and_counts_them() {
    let packets = two_link_types();
    let mut w = CaptureWriter::new_pcap(1);
    let mut out = Vec::new();
    for p in &packets {
        out.extend(w.write(&PacketRecord::from(p)));
    }
    out.extend(w.finish());
    let eth = packets.iter().filter(|p| p.link_type == 1).count();
    assert_eq!(w.packets(), eth as u64);
    assert_eq!(w.skipped(), (packets.len() - eth) as u64);
    let back = read_all(&out);
    assert!(back.error.is_none(), "{:?}", back.error);
    assert_eq!(back.packets.len(), eth);
    assert!(back.packets.iter().all(|p| p.link_type == 1));
}

#[test]
fn a_hex_dump_becomes_a_one_packet_capture() {
    let text = "0000  45 00 00 1c 00 01 00 00 40 01 00 00 0a 00 00 01\n0010  0a 00 00 02 08 00 f7 fe 00 01 00 00\n";
    let frame = tracelens::hexinput::parse_hex_dump(text).expect("hex dump parses");
    let rec = PacketRecord {
        link_type: frame.link_type,
        ts: Timestamp::default(),
        orig_len: frame.bytes.len() as u32,
        data: &frame.bytes,
    };
    let bytes = pcap_bytes(frame.link_type, [rec]);
    let back = read_all(&bytes);
    assert!(back.error.is_none());
    assert_eq!(back.packets.len(), 1);
    assert_eq!(back.packets[0].data, frame.bytes);
    assert_eq!(back.packets[0].link_type, frame.link_type);
    assert_eq!(back.packets[0].decode().u64("ip.proto"), Some(1));
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tracelens-write-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write file");
    p
}

fn installed(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Epoch times as tshark prints them, one per packet.
fn tshark_times(path: &PathBuf) -> Vec<String> {
    let o = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args(["-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len"])
        .output()
        .expect("tshark runs");
    assert!(
        o.status.success(),
        "tshark failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn capinfos_count(path: &PathBuf) -> u64 {
    let o = Command::new("capinfos")
        .args(["-c", "-M"])
        .arg(path)
        .output()
        .expect("capinfos runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Number of packets:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("capinfos prints the packet count")
}

#[test]
fn tshark_and_capinfos_read_what_we_write() {
    if !installed("tshark") || !installed("capinfos") {
        eprintln!("note: tshark or capinfos is not installed; skipping the cross-check");
        return;
    }
    let packets = two_link_types();
    let recs: Vec<PacketRecord> = packets.iter().map(PacketRecord::from).collect();
    let ng = temp_file("two.pcapng", &capture_bytes(&recs));
    let eth: Vec<&Packet> = packets.iter().filter(|p| p.link_type == 1).collect();
    let pcap = temp_file(
        "eth.pcap",
        &pcap_bytes(1, eth.iter().map(|p| PacketRecord::from(*p))),
    );
    assert_eq!(capinfos_count(&ng), packets.len() as u64);
    assert_eq!(capinfos_count(&pcap), eth.len() as u64);
    // Times to the nanosecond and wire lengths, as tshark reads them.
    let want = |ps: &[&Packet]| -> Vec<String> {
        ps.iter()
            .map(|p| format!("{}.{:09}\t{}", p.ts.secs, p.ts.nanos, p.orig_len))
            .collect()
    };
    let all: Vec<&Packet> = packets.iter().collect();
    assert_eq!(tshark_times(&ng), want(&all));
    assert_eq!(tshark_times(&pcap), want(&eth));
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    fn packet() -> impl Strategy<Value = (u32, i64, u32, Vec<u8>, u32)> {
        (
            prop_oneof![Just(1u32), Just(101), Just(228), Just(113)],
            0i64..=i64::from(u32::MAX),
            0u32..1_000_000_000,
            proptest::collection::vec(any::<u8>(), 0..80),
            0u32..2000,
        )
    }

    proptest! {
        /// Whatever mix of link types, times and lengths: the file reads back the same, as pcap
        /// when there is one link type and as pcapng otherwise.
        #[test]
        fn any_packets_round_trip(ps in proptest::collection::vec(packet(), 0..12)) {
            let packets: Vec<Packet> = ps
                .into_iter()
                .enumerate()
                .map(|(i, (lt, secs, nanos, data, extra))| Packet {
                    number: i as u64 + 1,
                    file_offset: 0,
                    interface: 0,
                    link_type: lt,
                    ts: Timestamp { secs, nanos },
                    cap_len: data.len() as u32,
                    orig_len: data.len() as u32 + extra,
                    data,
                    comments: Vec::new(),
                })
                .collect();
            let recs: Vec<PacketRecord> = packets.iter().map(PacketRecord::from).collect();
            let back = read_all(&capture_bytes(&recs));
            prop_assert!(back.error.is_none(), "{:?}", back.error);
            let mut lts: Vec<u32> = packets.iter().map(|p| p.link_type).collect();
            lts.sort_unstable();
            lts.dedup();
            prop_assert_eq!(
                matches!(back.info.format, Some(Format::Pcap { .. })),
                lts.len() == 1
            );
            prop_assert_eq!(back.packets.len(), packets.len());
            for (a, b) in packets.iter().zip(&back.packets) {
                prop_assert_eq!(essentials(a), essentials(b));
            }
        }
    }
}
