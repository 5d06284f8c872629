//! Follow Stream on the crafted flow captures (`tests/captures/detect/craft_flows.py` says what
//! each packet is for): the bytes each side carried, in order, checked by hand and, where
//! tshark is installed, against `tshark -z follow,...,raw`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::process::Command;
use tracelens::capture::Packet;
use tracelens::stream::{Direction, FollowedStream, StreamBuilder, StreamKey, DEFAULT_MAX_BYTES};

/// The stream packet `number` belongs to, followed through the whole capture.
fn follow(packets: &[Packet], number: u64) -> FollowedStream {
    let p = packets
        .iter()
        .find(|p| p.number == number)
        .expect("packet exists");
    let key = StreamKey::of(&p.decode()).expect("packet is TCP or UDP");
    let mut b = StreamBuilder::new(key, DEFAULT_MAX_BYTES);
    for p in packets {
        b.push(p.number, &p.data, &p.decode());
    }
    b.finish()
}

/// Consecutive bytes from one side, merged: (from the server?, bytes).
fn runs(s: &FollowedStream) -> Vec<(bool, Vec<u8>)> {
    let mut out: Vec<(bool, Vec<u8>)> = Vec::new();
    for seg in &s.segments {
        let server = seg.direction == Direction::FromServer;
        match out.last_mut() {
            Some((d, bytes)) if *d == server => bytes.extend_from_slice(&seg.data),
            _ => out.push((server, seg.data.clone())),
        }
    }
    out
}

fn numbers(s: &FollowedStream) -> Vec<u64> {
    s.segments.iter().map(|x| x.number).collect()
}

#[test]
fn a_normal_session_carries_both_sides() {
    let packets = common::crafted("detect", "flows.pcap");
    let s = follow(&packets, 1);
    assert_eq!(s.client, "10.0.0.1:40000");
    assert_eq!(s.server, "10.0.0.2:80");
    assert_eq!(s.packets, 10);
    assert_eq!((s.bytes_from_client, s.bytes_from_server), (100, 200));
    assert_eq!(
        runs(&s),
        vec![(false, vec![b'G'; 100]), (true, vec![b'H'; 200])]
    );
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    // Any packet of the conversation finds the same stream.
    assert_eq!(follow(&packets, 7).segments, s.segments);
}

#[test]
fn the_retransmission_in_packet_24_is_left_out() {
    let packets = common::crafted("detect", "flows.pcap");
    let s = follow(&packets, 20);
    assert_eq!(numbers(&s), vec![23]);
    assert_eq!(s.bytes_from_client, 100);
    assert_eq!(
        s.notes,
        vec!["100 bytes sent again (retransmissions) were left out: packet 24"]
    );
}

#[test]
fn the_fast_retransmission_in_packet_35_is_left_out() {
    let packets = common::crafted("detect", "flows.pcap");
    let s = follow(&packets, 26);
    assert_eq!(numbers(&s), vec![29, 30, 31]);
    assert_eq!(s.bytes_from_client, 300);
    assert!(s.notes[0].ends_with("packet 35"), "{:?}", s.notes);
}

#[test]
fn the_out_of_order_packet_58_is_placed_after_59() {
    let packets = common::crafted("detect", "flows.pcap");
    let s = follow(&packets, 54);
    assert_eq!(numbers(&s), vec![57, 59, 58]);
    let (_, client) = runs(&s).remove(0);
    assert_eq!(client.len(), 300);
    assert_eq!(
        s.notes,
        vec!["packet 58 arrived out of order: its 100 bytes from 10.0.0.1:40015 are placed after those of packet 59, which arrived later"]
    );
}

#[test]
fn the_hole_before_packet_64_is_noted() {
    let packets = common::crafted("detect", "flows.pcap");
    let s = follow(&packets, 60);
    assert_eq!(numbers(&s), vec![63, 64]);
    assert_eq!(
        s.notes,
        vec!["100 bytes from 10.0.0.1:40016 missing before packet 64"]
    );
    assert!(s
        .to_text()
        .contains("Note: 100 bytes from 10.0.0.1:40016 missing before packet 64\n"));
}

#[test]
fn wrapping_sequence_numbers_give_a_clean_stream() {
    let packets = common::crafted("detect", "flows_negative.pcap");
    let s = follow(&packets, 23);
    assert_eq!(s.client, "10.0.0.1:40022");
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    assert_eq!((s.bytes_from_client, s.bytes_from_server), (300, 50));
    assert_eq!(numbers(&s), vec![26, 27, 29, 31]);
}

#[test]
fn a_dns_exchange_is_two_datagrams() {
    let packets = common::crafted("detect", "flows.pcap");
    let s = follow(&packets, 16);
    assert_eq!(s.client, "10.0.0.1:53000");
    assert_eq!(numbers(&s), vec![15, 16]);
    assert_eq!(s.segments[0].direction, Direction::FromClient);
    assert_eq!(s.segments[1].direction, Direction::FromServer);
    assert!(s.to_text().contains(".example.org"), "{}", s.to_text());
}

#[test]
fn icmp_and_arp_packets_belong_to_no_stream() {
    let packets = common::crafted("detect", "flows.pcap");
    let icmp = packets.iter().find(|p| p.number == 17).expect("packet 17");
    assert_eq!(StreamKey::of(&icmp.decode()), None);
}

/// tshark's raw follow output: one line of hex per chunk, the server's indented by a tab.
fn tshark_follow(
    file: &str,
    proto: &str,
    client: &str,
    server: &str,
) -> Option<Vec<(bool, Vec<u8>)>> {
    let path = format!(
        "{}/../tests/captures/detect/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = Command::new("tshark")
        .args(["-n", "-q", "-r", &path, "-z"])
        .arg(format!("follow,{proto},raw,{client},{server}"))
        .output()
        .ok()?;
    if !o.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let body = text.split("Node 1:").nth(1)?;
    let mut out: Vec<(bool, Vec<u8>)> = Vec::new();
    for line in body.lines().skip(1) {
        if line.starts_with("====") {
            break;
        }
        let server = line.starts_with('\t');
        let hex = line.trim();
        let bytes: Vec<u8> = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
            .collect();
        match out.last_mut() {
            Some((d, b)) if *d == server => b.extend(bytes),
            _ => out.push((server, bytes)),
        }
    }
    Some(out)
}

#[test]
fn tshark_follows_the_same_bytes() {
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!("note: tshark is not installed; skipping the cross-check");
        return;
    }
    let cases = [
        ("flows.pcap", 1, "tcp"),
        ("flows.pcap", 20, "tcp"),
        ("flows.pcap", 26, "tcp"),
        ("flows.pcap", 37, "tcp"),
        ("flows.pcap", 43, "tcp"),
        ("flows.pcap", 47, "tcp"),
        ("flows.pcap", 54, "tcp"),
        ("flows.pcap", 65, "tcp"),
        ("flows.pcap", 15, "udp"),
        ("flows_negative.pcap", 1, "tcp"),
        ("flows_negative.pcap", 11, "tcp"),
        ("flows_negative.pcap", 23, "tcp"),
    ];
    for (file, number, proto) in cases {
        let packets = common::crafted("detect", file);
        let s = follow(&packets, number);
        let theirs = tshark_follow(file, proto, &s.client, &s.server)
            .unwrap_or_else(|| panic!("tshark could not follow {file} packet {number}"));
        assert_eq!(runs(&s), theirs, "{file} packet {number}");
    }
}

mod prop {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use tracelens::decode::{decode, linktype};

    /// Raw IPv4 + TCP from 10.0.0.1:1000 to 10.0.0.2:2000.
    fn segment(seq: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
        let total = (40 + payload.len()) as u16;
        let mut f = vec![0x45, 0];
        f.extend_from_slice(&total.to_be_bytes());
        f.extend_from_slice(&[0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        f.extend_from_slice(&1000u16.to_be_bytes());
        f.extend_from_slice(&2000u16.to_be_bytes());
        f.extend_from_slice(&seq.to_be_bytes());
        f.extend_from_slice(&0u32.to_be_bytes()); // no ACK flag, so the ack is not read
        f.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        f.extend_from_slice(payload);
        f
    }

    /// The number a note starts with ("1,234 bytes ..." gives 1234).
    fn leading_number(note: &str) -> u64 {
        note.split(' ')
            .next()
            .map(|n| n.replace(',', ""))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    proptest! {
        /// Segments in any order, overlapping or repeated, with any starting sequence number:
        /// every byte offset covered comes out exactly once and in order, the bytes never
        /// covered are noted as missing, and the bytes seen twice are counted as resent.
        #[test]
        fn every_covered_byte_comes_out_once_in_order(
            isn in any::<u32>(),
            segs in proptest::collection::vec((0u32..1500, 1usize..200), 1..25),
        ) {
            let byte_at = |k: u32| (k % 251) as u8;
            let mut frames = vec![segment(isn, 0x02, b"")];
            for (start, len) in &segs {
                let data: Vec<u8> = (0..*len as u32).map(|i| byte_at(start + i)).collect();
                frames.push(segment(isn.wrapping_add(1).wrapping_add(*start), 0x08, &data));
            }
            let key = StreamKey::of(&decode(&frames[0], linktype::RAW)).expect("TCP");
            let mut b = StreamBuilder::new(key, DEFAULT_MAX_BYTES);
            for (i, f) in frames.iter().enumerate() {
                b.push(i as u64 + 1, f, &decode(f, linktype::RAW));
            }
            let s = b.finish();

            let covered: BTreeSet<u32> = segs
                .iter()
                .flat_map(|(start, len)| *start..start + *len as u32)
                .collect();
            let want: Vec<u8> = covered.iter().map(|&k| byte_at(k)).collect();
            let got: Vec<u8> = s.segments.iter().flat_map(|x| x.data.clone()).collect();
            prop_assert_eq!(&got, &want);
            prop_assert_eq!(s.bytes_from_client, want.len() as u64);

            let end = covered.iter().next_back().map_or(0, |k| k + 1);
            let missing: u64 = s
                .notes
                .iter()
                .filter(|n| n.contains(" missing before packet "))
                .map(|n| leading_number(n))
                .sum();
            prop_assert_eq!(missing, u64::from(end) - covered.len() as u64);
            let sent: u64 = segs.iter().map(|(_, l)| *l as u64).sum();
            let resent: u64 = s
                .notes
                .iter()
                .filter(|n| n.contains("sent again"))
                .map(|n| leading_number(n))
                .sum();
            prop_assert_eq!(resent, sent - covered.len() as u64);
        }
    }

    proptest! {
        /// Damaged segments (any byte changed, any length cut) never panic, and what is kept
        /// stays within the limit.
        #[test]
        fn damaged_segments_are_harmless(
            edits in proptest::collection::vec((0usize..60, any::<u8>(), 20usize..60), 1..30),
        ) {
            let base = segment(7, 0x18, &[b'p'; 20]);
            let key = StreamKey::of(&decode(&base, linktype::RAW)).expect("TCP");
            let mut b = StreamBuilder::new(key, 64);
            for (n, (at, value, cut)) in edits.iter().enumerate() {
                let mut f = base.clone();
                if let Some(x) = f.get_mut(*at) {
                    *x = *value;
                }
                f.truncate(*cut);
                b.push(n as u64 + 1, &f, &decode(&f, linktype::RAW));
            }
            let s = b.finish();
            let kept: usize = s.segments.iter().map(|x| x.data.len()).sum();
            prop_assert!(kept <= 64);
            prop_assert!(s.packets <= edits.len() as u64);
            let _ = (s.to_text(), s.to_hex());
        }
    }
}
