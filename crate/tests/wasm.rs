//! The core's decoding run inside a real browser (headless Chromium through
//! wasm-bindgen-test-runner), to catch what only breaks on wasm32: 32-bit `usize`, no clock, no
//! file system. Run with `cargo test -p tracelens --target wasm32-unknown-unknown --test wasm`
//! (scripts/test.sh sets the chromedriver variables).
#![cfg(target_arch = "wasm32")]

use std::net::Ipv4Addr;
use tracelens::Value;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Ethernet / IPv4 / TCP SYN, 10.0.0.1:40000 -> 10.0.0.2:80, 54 bytes.
const TCP_SYN: [u8; 54] = [
    // Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type IPv4
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, //
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, //
    0x08, 0x00, //
    // IPv4 at 14: version 4 / IHL 5, DSCP 0, total length 40
    0x45, 0x00, 0x00, 0x28, //
    // id 0x1234, flags DF, fragment offset 0
    0x12, 0x34, 0x40, 0x00, //
    // TTL 64, protocol 6 (TCP), header checksum 0x149a
    0x40, 0x06, 0x14, 0x9a, //
    // source 10.0.0.1 (offset 26), destination 10.0.0.2 (offset 30)
    0x0a, 0x00, 0x00, 0x01, //
    0x0a, 0x00, 0x00, 0x02, //
    // TCP at 34: source port 40000, destination port 80
    0x9c, 0x40, 0x00, 0x50, //
    // sequence number 1000, acknowledgment number 0
    0x00, 0x00, 0x03, 0xe8, //
    0x00, 0x00, 0x00, 0x00, //
    // data offset 5 words, flags SYN, window 65535
    0x50, 0x02, 0xff, 0xff, //
    // checksum (not computed here), urgent pointer 0
    0x00, 0x00, 0x00, 0x00,
];

/// Ethernet / IPv4 / UDP, 10.0.0.1:40001 -> 10.0.0.3:9999, payload "hello", 47 bytes.
const UDP_HELLO: [u8; 47] = [
    // Ethernet: dst, src, type IPv4
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, //
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, //
    0x08, 0x00, //
    // IPv4: version 4 / IHL 5, DSCP 0, total length 33
    0x45, 0x00, 0x00, 0x21, //
    // id 0x1234, flags DF
    0x12, 0x34, 0x40, 0x00, //
    // TTL 64, protocol 17 (UDP), header checksum 0x1495
    0x40, 0x11, 0x14, 0x95, //
    // source 10.0.0.1, destination 10.0.0.3
    0x0a, 0x00, 0x00, 0x01, //
    0x0a, 0x00, 0x00, 0x03, //
    // UDP at 34: source port 40001, destination port 9999, length 13, checksum 0 (none)
    0x9c, 0x41, 0x27, 0x0f, //
    0x00, 0x0d, 0x00, 0x00, //
    // payload "hello"
    b'h', b'e', b'l', b'l', b'o',
];

fn range(d: &tracelens::Dissection, name: &str) -> Option<(usize, usize)> {
    d.field(name).map(|f| (f.offset, f.len))
}

#[wasm_bindgen_test]
fn ethernet_ipv4_tcp_syn() {
    let d = tracelens::decode(&TCP_SYN, 1);
    let protos: Vec<&str> = d.layers.iter().map(|l| l.proto).collect();
    assert_eq!(protos, ["eth", "ip", "tcp"]);

    assert_eq!(d.get("eth.type"), Some(&Value::UInt(0x0800)));
    assert_eq!(
        d.get("ip.src"),
        Some(&Value::Ipv4(Ipv4Addr::new(10, 0, 0, 1)))
    );
    assert_eq!(range(&d, "ip.src"), Some((26, 4)));
    assert_eq!(
        d.get("ip.dst"),
        Some(&Value::Ipv4(Ipv4Addr::new(10, 0, 0, 2)))
    );
    assert_eq!(range(&d, "ip.dst"), Some((30, 4)));
    assert_eq!(d.u64("ip.ttl"), Some(64));
    assert_eq!(d.u64("ip.proto"), Some(6));
    assert_eq!(d.u64("tcp.srcport"), Some(40000));
    assert_eq!(range(&d, "tcp.srcport"), Some((34, 2)));
    assert_eq!(d.u64("tcp.dstport"), Some(80));
    assert_eq!(range(&d, "tcp.dstport"), Some((36, 2)));
    assert_eq!(d.u64("tcp.seq_raw"), Some(1000));
    assert_eq!(d.get("tcp.flags.syn"), Some(&Value::Bool(true)));
    assert_eq!(d.get("tcp.flags.ack"), Some(&Value::Bool(false)));
    let syn = d.field("tcp.flags.syn").map(|f| (f.depth, f.mask != 0));
    assert_eq!(syn, Some((1, true)));
    assert_eq!(d.u64("tcp.window_size_value"), Some(65535));
}

#[wasm_bindgen_test]
fn ethernet_ipv4_udp() {
    let d = tracelens::decode(&UDP_HELLO, 1);
    assert_eq!(
        d.get("ip.dst"),
        Some(&Value::Ipv4(Ipv4Addr::new(10, 0, 0, 3)))
    );
    assert_eq!(d.u64("ip.proto"), Some(17));
    assert_eq!(d.u64("udp.srcport"), Some(40001));
    assert_eq!(d.u64("udp.dstport"), Some(9999));
    assert_eq!(range(&d, "udp.dstport"), Some((36, 2)));
    assert_eq!(d.u64("udp.length"), Some(13));
    assert_eq!(range(&d, "udp.length"), Some((38, 2)));
}

/// Every prefix decodes without panicking. A cut inside the headers is an error on the cut
/// layer; a cut inside the payload is a snap-length cut, which is ordinary and keeps the ports.
#[wasm_bindgen_test]
fn every_truncation_decodes_without_panic() {
    // (frame, where its last header ends, the port field that must survive payload cuts)
    let cases: [(&[u8], usize, &str); 2] = [
        (&TCP_SYN, 54, "tcp.srcport"),
        (&UDP_HELLO, 42, "udp.srcport"),
    ];
    for (frame, headers_end, port) in cases {
        for cut in 0..frame.len() {
            let d = tracelens::decode(frame.get(..cut).unwrap_or_default(), 1);
            if cut < headers_end {
                assert!(
                    d.error().is_some(),
                    "cut at {cut} of {} has no error",
                    frame.len()
                );
            } else {
                assert!(d.error().is_none(), "payload cut at {cut}: {:?}", d.error());
                assert!(d.u64(port).is_some(), "payload cut at {cut} lost {port}");
            }
        }
    }
}

#[wasm_bindgen_test]
fn summary_lines_match_tcpdump() {
    // tcpdump -n -t prints exactly these for the two frames.
    let syn = tracelens::summary::summary_line(&tracelens::decode(&TCP_SYN, 1));
    assert_eq!(
        syn,
        "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 65535, length 0"
    );
    let udp = tracelens::summary::summary_line(&tracelens::decode(&UDP_HELLO, 1));
    assert_eq!(udp, "IP 10.0.0.1.40001 > 10.0.0.3.9999: UDP, length 5");
}

/// A little-endian microsecond pcap holding the two frames above, one second apart.
fn tiny_pcap() -> Vec<u8> {
    let mut v = vec![
        0xd4, 0xc3, 0xb2, 0xa1, // magic: little-endian, microseconds
        0x02, 0x00, 0x04, 0x00, // version 2.4
        0x00, 0x00, 0x00, 0x00, // thiszone
        0x00, 0x00, 0x00, 0x00, // sigfigs
        0xff, 0xff, 0x00, 0x00, // snaplen 65535
        0x01, 0x00, 0x00, 0x00, // LINKTYPE_ETHERNET
    ];
    for (i, frame) in [&TCP_SYN[..], &UDP_HELLO[..]].iter().enumerate() {
        let len = frame.len() as u32;
        v.extend_from_slice(&(1_700_000_000u32 + i as u32).to_le_bytes()); // ts_sec
        v.extend_from_slice(&250_000u32.to_le_bytes()); // ts_usec
        v.extend_from_slice(&len.to_le_bytes()); // incl_len
        v.extend_from_slice(&len.to_le_bytes()); // orig_len
        v.extend_from_slice(frame);
    }
    v
}

#[wasm_bindgen_test]
fn in_memory_pcap_reads_and_decodes() {
    let c = tracelens::capture::read_all(&tiny_pcap());
    assert!(c.error.is_none(), "{:?}", c.error);
    assert!(matches!(
        c.info.format,
        Some(tracelens::capture::Format::Pcap {
            big_endian: false,
            nanosecond: false,
            link_type: 1,
            ..
        })
    ));
    assert_eq!(c.info.packets, 2);
    assert_eq!(c.packets.len(), 2);
    let p = &c.packets[1];
    assert_eq!(
        (p.number, p.link_type, p.cap_len, p.orig_len),
        (2, 1, 47, 47)
    );
    assert_eq!(p.ts.format_utc(), "2023-11-14 22:13:21.250000000");
    let d = tracelens::decode(&p.data, p.link_type);
    assert_eq!(d.u64("udp.dstport"), Some(9999));
    assert_eq!(
        tracelens::summary::summary_line(&d),
        "IP 10.0.0.1.40001 > 10.0.0.3.9999: UDP, length 5"
    );
}

#[wasm_bindgen_test]
fn pcap_cut_in_its_last_record_keeps_the_first_packet() {
    let bytes = tiny_pcap();
    let cut = bytes.get(..bytes.len() - 7).unwrap_or_default();
    let c = tracelens::capture::read_all(cut);
    assert_eq!(c.packets.len(), 1);
    let err = c.error.map(|e| e.to_string()).unwrap_or_default();
    // Record 2 starts after the 24-byte file header and the 16 + 54 bytes of record 1.
    assert!(err.contains("record 2 at byte 94"), "{err}");
}
