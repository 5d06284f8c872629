//! Narratives and per-field meanings: the crafted capture `tests/captures/explain/narrative.pcap`
//! (one packet per kind of traffic, see `craft_narrative.py` for the list) must be told with its
//! key facts, and every packet of every capture in `../shared/corpus` must get a non-empty
//! narrative with no unfilled placeholder.
//!
//! Set `TRACELENS_DUMP_NARRATIVES=1` to print every corpus narrative (for reading them over).
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use tracelens::capture::read_all;
use tracelens::decode::{decode, Dissection};
use tracelens::explain::{explain_packet, fields::meaning};

fn crafted() -> Vec<Dissection> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/captures/explain/narrative.pcap"
    );
    let bytes = std::fs::read(path).unwrap();
    let cap = read_all(&bytes);
    assert!(cap.error.is_none(), "{:?}", cap.error);
    cap.packets.iter().map(|p| p.decode()).collect()
}

/// Narrative of packet `n` (1-based) of the crafted capture.
fn story(all: &[Dissection], n: usize) -> String {
    explain_packet(n as u64, &all[n - 1]).narrative
}

fn has_all(text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "{w:?} missing from: {text}");
    }
}

/// An unfilled `{name}` placeholder: a brace followed by an identifier and a closing brace.
fn has_placeholder(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > i + 1 && j < b.len() && b[j] == b'}' {
                return true;
            }
        }
        i += 1;
    }
    false
}

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: no capture corpus at {}", dir.display());
        None
    }
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

#[test]
fn every_corpus_packet_gets_a_narrative() {
    let Some(root) = corpus() else {
        return;
    };
    let dump = std::env::var_os("TRACELENS_DUMP_NARRATIVES").is_some();
    let mut files = Vec::new();
    walk(&root, &mut files);
    let (mut packets, mut captures) = (0usize, 0usize);
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        let m = bytes.get(..4).unwrap_or(&[]);
        let magic = [
            [0xa1, 0xb2, 0xc3, 0xd4],
            [0xd4, 0xc3, 0xb2, 0xa1],
            [0xa1, 0xb2, 0x3c, 0x4d],
            [0x4d, 0x3c, 0xb2, 0xa1],
            [0x0a, 0x0d, 0x0d, 0x0a],
        ];
        if !magic.iter().any(|x| m == x) && !m.starts_with(&[0x1f, 0x8b]) {
            continue;
        }
        captures += 1;
        let cap = read_all(&bytes);
        for p in &cap.packets {
            let d = p.decode();
            let e = explain_packet(p.number, &d);
            let name = f.strip_prefix(&root).unwrap_or(&f).display();
            if dump {
                println!("{name}\t{}\t{}", p.number, e.narrative);
            }
            assert!(
                !e.narrative.trim().is_empty(),
                "{name} packet {}: empty narrative",
                p.number
            );
            assert!(
                !has_placeholder(&e.narrative),
                "{name} packet {}: unfilled placeholder in {}",
                p.number,
                e.narrative
            );
            for l in &d.layers {
                for fl in &l.fields {
                    if let Some(m) = meaning(fl, &d) {
                        assert!(
                            !m.trim().is_empty() && !has_placeholder(&m),
                            "{}: {m}",
                            fl.name
                        );
                    }
                }
            }
            packets += 1;
        }
    }
    println!("{packets} packets in {captures} corpus captures all have a narrative");
    assert!(packets > 0);
}

#[test]
fn tcp_states_are_told_with_ports_and_their_meaning() {
    let all = crafted();
    let t = story(&all, 1);
    has_all(
        &t,
        &[
            "10.1.1.9 asks 192.168.5.132 to open a connection on TCP port 32775",
            "RPC",
        ],
    );
    has_all(
        &story(&all, 2),
        &["192.168.5.132 agrees", "port 80", "HTTP", "listens"],
    );
    has_all(
        &story(&all, 3),
        &["192.168.5.132 resets", "10.1.1.9", "32775", "closed port"],
    );
    has_all(&story(&all, 33), &["192.0.2.66", "no flags", "scanners"]);
    // A header cut before its flags is not called a null scan.
    let t = story(&all, 32);
    has_all(
        &t,
        &[
            "cut short before its flags",
            "Decoding stopped",
            "TCP header needs 20 bytes",
        ],
    );
    assert!(!t.contains("no flags"), "{t}");
}

#[test]
fn dns_query_answer_and_nxdomain() {
    let all = crafted();
    has_all(
        &story(&all, 4),
        &[
            "10.1.1.9 asks 10.1.1.53",
            "A record of www.example.com",
            "DNS query",
        ],
    );
    has_all(
        &story(&all, 5),
        &["10.1.1.53 answers", "www.example.com", "93.184.216.34"],
    );
    has_all(
        &story(&all, 6),
        &["nosuch.example.com", "does not exist", "NXDOMAIN"],
    );
}

#[test]
fn dhcp_exchange_names_client_server_and_address() {
    let all = crafted();
    has_all(
        &story(&all, 7),
        &[
            "02:00:00:00:00:09",
            "looks for a server",
            "10.1.1.77",
            "lab-pc",
        ],
    );
    has_all(
        &story(&all, 8),
        &[
            "DHCP server 10.1.1.1 offers 10.1.1.77",
            "02:00:00:00:00:09",
            "24 hours",
            "default gateway",
        ],
    );
    has_all(
        &story(&all, 9),
        &["asks to use 10.1.1.77", "server 10.1.1.1"],
    );
    has_all(&story(&all, 10), &["confirms", "may use 10.1.1.77"]);
}

#[test]
fn application_protocols() {
    let all = crafted();
    has_all(
        &story(&all, 11),
        &["10.1.1.9", "NetBIOS name WORKGROUP", "whole local network"],
    );
    has_all(
        &story(&all, 12),
        &[
            "web server 10.1.1.80",
            "/index.html",
            "www.example.com",
            "GET",
            "curl/8.0",
        ],
    );
    has_all(&story(&all, 13), &["10.1.1.80", "HTTP 200 OK", "nginx"]);
    has_all(
        &story(&all, 14),
        &["TLS", "secure.example.org", "10.1.1.43"],
    );
    has_all(
        &story(&all, 15),
        &["asks the time server 10.1.1.123", "NTP client"],
    );
    has_all(&story(&all, 16), &["Time server 10.1.1.123", "stratum 2"]);
    has_all(
        &story(&all, 17),
        &[
            "SNMP agent on 10.1.1.161",
            "\"public\"",
            "1.3.6.1.2.1.1.1.0",
        ],
    );
    has_all(&story(&all, 34), &["port 514", "syslog", "VLAN 42"]);
}

#[test]
fn arp_request_reply_gratuitous_probe() {
    let all = crafted();
    has_all(
        &story(&all, 18),
        &[
            "10.1.1.9",
            "02:00:00:00:00:09",
            "which hardware address has 10.1.1.1",
        ],
    );
    has_all(
        &story(&all, 19),
        &["10.1.1.1 is at hardware address 02:00:00:00:00:01"],
    );
    has_all(&story(&all, 20), &["gratuitous", "10.1.1.9"]);
    has_all(&story(&all, 21), &["probe", "10.1.1.77", "0.0.0.0"]);
}

#[test]
fn icmp_igmp_tunnels_in_words() {
    let all = crafted();
    has_all(
        &story(&all, 22),
        &["10.1.1.9 pings 10.1.1.1", "id 7", "sequence 1"],
    );
    let t = story(&all, 23);
    has_all(
        &t,
        &[
            "nothing listens on that port",
            "10.1.1.9 port 1025",
            "UDP port 2301",
        ],
    );
    assert!(!t.contains("(3)"), "names, not numbers: {t}");
    has_all(
        &story(&all, 24),
        &[
            "Router 10.1.1.254",
            "time-to-live",
            "traceroute",
            "port 33435",
        ],
    );
    has_all(
        &story(&all, 25),
        &["fe80::9", "who has fe80::1", "neighbor solicitation"],
    );
    has_all(
        &story(&all, 26),
        &["10.1.1.9", "multicast group 239.1.2.3", "IGMP"],
    );
    has_all(
        &story(&all, 27),
        &[
            "10.9.9.1 pings 10.9.9.2",
            "GRE tunnel from 198.51.100.1 to 198.51.100.2",
        ],
    );
}

#[test]
fn non_ip_frames_and_fragments() {
    let all = crafted();
    has_all(&story(&all, 28), &["02:00:00:00:00:aa", "LLDP"]);
    has_all(&story(&all, 29), &["02:00:00:00:00:bb", "spanning-tree"]);
    has_all(&story(&all, 30), &["port 9999", "first fragment"]);
    has_all(
        &story(&all, 31),
        &["later fragment", "byte 24", "last piece"],
    );
}

#[test]
fn crafted_narratives_are_filled_in() {
    for (i, d) in crafted().iter().enumerate() {
        let t = explain_packet(i as u64 + 1, d).narrative;
        assert!(
            !t.is_empty() && !has_placeholder(&t),
            "packet {}: {t}",
            i + 1
        );
        assert!(!t.contains("  "), "packet {}: {t}", i + 1);
    }
}

#[test]
fn field_meanings_in_the_crafted_capture() {
    let all = crafted();
    let m = |n: usize, name: &str| {
        let d = &all[n - 1];
        meaning(d.field(name).unwrap(), d).unwrap_or_default()
    };
    // TTL 57: started at 64, 7 routers; TTL 128 on the ping: Windows, on this segment.
    assert!(m(1, "ip.ttl").contains("started at 64") && m(1, "ip.ttl").contains("7 routers"));
    assert!(m(22, "ip.ttl").contains("started at 128") && m(22, "ip.ttl").contains("Windows"));
    assert!(m(24, "ip.ttl").contains("started at 255"));
    assert!(m(1, "tcp.dstport").contains("RPC"));
    assert!(m(1, "tcp.flags").contains("SYN alone"));
    assert!(m(3, "tcp.flags.reset").starts_with("RST"));
    assert!(m(7, "eth.dst").contains("Broadcast"));
    assert!(m(7, "ip.src").contains("no address yet"));
    assert!(m(7, "dhcp.option.dhcp").starts_with("Discover"));
    assert!(m(6, "dns.flags.rcode").contains("NXDOMAIN"));
    assert!(m(5, "dns.flags.response").contains("response"));
    assert!(m(18, "arp.opcode").starts_with("Request"));
    assert!(m(23, "icmp.code").contains("Port unreachable"));
    assert!(m(23, "icmp.type").starts_with("Destination Unreachable"));
    assert!(m(30, "ip.flags.mf").contains("More fragments"));
    assert!(m(31, "ip.frag_offset").contains("byte 24"));
    assert!(m(34, "vlan.id").contains("42"));
    assert!(m(15, "ntp.flags.mode").starts_with("Client"));
    assert!(m(17, "snmp.community").contains("default"));
    assert!(m(26, "ip.dst").contains("multicast"));
    assert!(m(30, "udp.length").contains("8 bytes of UDP header"));
}

/// An 802.11 beacon for the network "lab" (no FCS), decoded with the 802.11 link type.
#[test]
fn wifi_beacon_names_the_network() {
    let f: Vec<u8> = [
        &[0x80, 0x00][..],                     // frame control: management, beacon
        &[0x00, 0x00],                         // duration
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // receiver: broadcast
        &[0x02, 0x00, 0x00, 0x00, 0x00, 0xa1], // transmitter (the access point)
        &[0x02, 0x00, 0x00, 0x00, 0x00, 0xa1], // BSSID
        &[0x10, 0x00],                         // sequence control
        &[0, 0, 0, 0, 0, 0, 0, 0],             // timestamp
        &[0x64, 0x00],                         // beacon interval 100 TU
        &[0x01, 0x00],                         // capabilities: ESS
        &[0x00, 0x03, b'l', b'a', b'b'],       // SSID tag "lab"
    ]
    .concat();
    let d = decode(&f, tracelens::decode::linktype::IEEE802_11);
    let t = explain_packet(1, &d).narrative;
    has_all(&t, &["Access point 02:00:00:00:00:a1", "\"lab\"", "beacon"]);
}
