//! Properties of the decoder over whole frames: every truncation of a valid frame decodes and
//! the dissection names the layer whose bytes were cut, and arbitrary bytes under every link
//! type go through decoding, the summary line and the JSON rendering.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use tracelens::decode::{decode, decode_with_len, linktype, Dissection};
use tracelens::render::{packet_json, FrameMeta};
use tracelens::summary::summary_line;

/// Internet checksum (RFC 1071).
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

const MAC_A: [u8; 6] = [0x00, 0x00, 0xba, 0x5e, 0xba, 0x11];
const MAC_B: [u8; 6] = [0x00, 0x60, 0x97, 0x07, 0xc0, 0xff];

fn ethernet(ethertype: u16) -> Vec<u8> {
    [&MAC_A[..], &MAC_B, &ethertype.to_be_bytes()].concat()
}

/// An IPv4 header (no options) with a valid checksum, for `payload_len` bytes of `proto`.
fn ipv4(proto: u8, src: [u8; 4], dst: [u8; 4], payload_len: usize) -> Vec<u8> {
    let total = (20 + payload_len) as u16;
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&[0x12, 0x34, 0x40, 0x00, 64, proto, 0, 0]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    let ck = checksum(&h);
    h[10..12].copy_from_slice(&ck.to_be_bytes());
    h
}

/// How a cut inside a layer shows in the dissection.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cut {
    /// A header or message the decoder needs whole: any cut in it names this layer, even one
    /// before its first byte (a payload the headers claim but the capture cut off entirely).
    Named,
    /// A transport header quoted inside an ICMP error: quoting only part of it is normal there
    /// (RFC 792 asks for just the first 8 bytes of the datagram), so a cut names nothing.
    Quoted,
    /// Payload nothing decodes: a cut in it is a snap-length cut, not damage.
    Data,
}

/// A layer of a test frame: its protocol name, the bytes it occupies, and how a cut in it shows.
struct Span {
    proto: &'static str,
    start: usize,
    end: usize,
    cut: Cut,
}

/// A valid frame and where each of its layers lies.
struct Sample {
    name: &'static str,
    link_type: u32,
    bytes: Vec<u8>,
    spans: Vec<Span>,
}

/// Builds a frame from its layers in order, recording each one's byte range.
fn sample(name: &'static str, link_type: u32, layers: Vec<(&'static str, Cut, Vec<u8>)>) -> Sample {
    let mut bytes = Vec::new();
    let mut spans = Vec::new();
    for (proto, cut, b) in layers {
        spans.push(Span {
            proto,
            start: bytes.len(),
            end: bytes.len() + b.len(),
            cut,
        });
        bytes.extend(b);
    }
    Sample {
        name,
        link_type,
        bytes,
        spans,
    }
}

/// Ethernet / IPv4 / TCP SYN with MSS, SACK-permitted, timestamps, NOP and window scale.
fn tcp_with_options() -> Sample {
    let (src, dst) = ([10, 0, 0, 5], [10, 0, 0, 80]);
    let mut tcp = vec![0x9c, 0x40, 0x00, 0x50]; // 40000 -> 80
    tcp.extend_from_slice(&1000u32.to_be_bytes()); // seq
    tcp.extend_from_slice(&0u32.to_be_bytes()); // ack
    tcp.extend_from_slice(&[0xa0, 0x02]); // header 40 bytes, SYN
    tcp.extend_from_slice(&64240u16.to_be_bytes()); // window
    tcp.extend_from_slice(&[0, 0, 0, 0]); // checksum (below), urgent pointer
    tcp.extend_from_slice(&[2, 4, 0x05, 0xb4]); // MSS 1460
    tcp.extend_from_slice(&[4, 2]); // SACK permitted
    tcp.extend_from_slice(&[8, 10, 0, 0, 0, 1, 0, 0, 0, 0]); // timestamps 1, 0
    tcp.extend_from_slice(&[1]); // NOP
    tcp.extend_from_slice(&[3, 3, 7]); // window scale 7
    let mut pseudo = [&src[..], &dst, &[0, 6], &(tcp.len() as u16).to_be_bytes()].concat();
    pseudo.extend_from_slice(&tcp);
    let ck = checksum(&pseudo);
    tcp[16..18].copy_from_slice(&ck.to_be_bytes());
    sample(
        "Ethernet/IPv4/TCP with options",
        linktype::ETHERNET,
        vec![
            ("eth", Cut::Named, ethernet(0x0800)),
            ("ip", Cut::Named, ipv4(6, src, dst, tcp.len())),
            ("tcp", Cut::Named, tcp),
        ],
    )
}

/// A DNS query for `www.example.com` A.
fn dns_query() -> Vec<u8> {
    let mut m = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in ["www", "example", "com"] {
        m.push(label.len() as u8);
        m.extend_from_slice(label.as_bytes());
    }
    m.extend_from_slice(&[0, 0, 1, 0, 1]);
    m
}

/// Ethernet / IPv6 / UDP / DNS query.
fn ipv6_udp_dns() -> Sample {
    let dns = dns_query();
    let ulen = (8 + dns.len()) as u16;
    let src: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let dst: [u8; 16] = [
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x35,
    ];
    let mut v6 = vec![0x60, 0, 0, 0];
    v6.extend_from_slice(&ulen.to_be_bytes());
    v6.extend_from_slice(&[17, 64]);
    v6.extend_from_slice(&src);
    v6.extend_from_slice(&dst);
    let mut udp = vec![0xd4, 0x31, 0x00, 0x35];
    udp.extend_from_slice(&ulen.to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    let mut pseudo = [
        &src[..],
        &dst,
        &(u32::from(ulen)).to_be_bytes(),
        &[0, 0, 0, 17],
    ]
    .concat();
    pseudo.extend_from_slice(&udp);
    pseudo.extend_from_slice(&dns);
    let ck = checksum(&pseudo);
    udp[6..8].copy_from_slice(&ck.to_be_bytes());
    sample(
        "Ethernet/IPv6/UDP/DNS",
        linktype::ETHERNET,
        vec![
            ("eth", Cut::Named, ethernet(0x86dd)),
            ("ipv6", Cut::Named, v6),
            ("udp", Cut::Named, udp),
            ("dns", Cut::Named, dns),
        ],
    )
}

/// Ethernet / IPv4 / ICMP port unreachable quoting the IPv4 header and the 8-byte UDP header
/// of the datagram that caused it.
fn icmp_error() -> Sample {
    let (host, router) = ([10, 0, 1, 201], [10, 0, 1, 11]);
    let quoted_udp = vec![0x08, 0xa7, 0x79, 0x19, 0x00, 0x33, 0xb8, 0x36];
    let quoted_ip = ipv4(17, host, router, 0x33);
    let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
    let body = [&icmp[..], &quoted_ip, &quoted_udp].concat();
    let ck = checksum(&body);
    icmp[2..4].copy_from_slice(&ck.to_be_bytes());
    let len = icmp.len() + quoted_ip.len() + quoted_udp.len();
    sample(
        "Ethernet/IPv4/ICMP error quoting IPv4/UDP",
        linktype::ETHERNET,
        vec![
            ("eth", Cut::Named, ethernet(0x0800)),
            ("ip", Cut::Named, ipv4(1, router, host, len)),
            ("icmp", Cut::Named, icmp),
            ("ip", Cut::Named, quoted_ip),
            ("udp", Cut::Quoted, quoted_udp),
        ],
    )
}

/// Ethernet / ARP request (no padding, so the ARP body ends the frame).
fn arp_request() -> Sample {
    let mut arp = vec![0, 1, 0x08, 0x00, 6, 4, 0, 1];
    arp.extend_from_slice(&MAC_B);
    arp.extend_from_slice(&[192, 168, 1, 10]);
    arp.extend_from_slice(&[0; 6]);
    arp.extend_from_slice(&[192, 168, 1, 1]);
    sample(
        "Ethernet/ARP",
        linktype::ETHERNET,
        vec![
            ("eth", Cut::Named, ethernet(0x0806)),
            ("arp", Cut::Named, arp),
        ],
    )
}

/// Ethernet / 802.1Q VLAN 100 / IPv4 / UDP with 4 bytes of payload on a port nothing decodes.
fn vlan_udp() -> Sample {
    let (src, dst) = ([192, 0, 2, 1], [192, 0, 2, 2]);
    let payload = b"ping".to_vec();
    let mut udp = vec![0x9c, 0x41, 0x9c, 0x42, 0, 12, 0, 0];
    let mut pseudo = [&src[..], &dst, &[0, 17, 0, 12]].concat();
    pseudo.extend_from_slice(&udp);
    pseudo.extend_from_slice(&payload);
    let ck = checksum(&pseudo);
    udp[6..8].copy_from_slice(&ck.to_be_bytes());
    sample(
        "Ethernet/802.1Q/IPv4/UDP",
        linktype::ETHERNET,
        vec![
            ("eth", Cut::Named, ethernet(0x8100)),
            ("vlan", Cut::Named, vec![0x00, 0x64, 0x08, 0x00]),
            ("ip", Cut::Named, ipv4(17, src, dst, 12)),
            ("udp", Cut::Named, udp),
            ("data", Cut::Data, payload),
        ],
    )
}

fn samples() -> Vec<Sample> {
    vec![
        tcp_with_options(),
        ipv6_udp_dns(),
        icmp_error(),
        arp_request(),
        vlan_udp(),
    ]
}

/// Protocol names of the dissection's layers, in order.
fn protos(d: &Dissection) -> Vec<&'static str> {
    d.layers.iter().map(|l| l.proto).collect()
}

#[test]
fn the_samples_decode_whole_and_clean() {
    for s in samples() {
        let d = decode(&s.bytes, s.link_type);
        let want: Vec<&str> = s.spans.iter().map(|sp| sp.proto).collect();
        assert_eq!(protos(&d), want, "{}", s.name);
        assert_eq!(d.error(), None, "{}", s.name);
        for (l, sp) in d.layers.iter().zip(&s.spans) {
            assert_eq!(l.offset, sp.start, "{} {}", s.name, sp.proto);
        }
    }
}

#[test]
fn every_truncation_names_the_layer_that_was_cut() {
    let mut named_cuts = 0;
    for s in samples() {
        for cut in 0..s.bytes.len() {
            let frame = &s.bytes[..cut];
            // The layer holding the first missing byte.
            let (i, span) = s
                .spans
                .iter()
                .enumerate()
                .find(|(_, sp)| sp.start <= cut && cut < sp.end)
                .expect("cut inside the frame");
            let before: Vec<&str> = s.spans[..i].iter().map(|sp| sp.proto).collect();
            let named = span.cut == Cut::Named;
            // Unknown length on the wire (a pasted dump) and a known longer one (a snap cut).
            for d in [
                decode(frame, s.link_type),
                decode_with_len(frame, s.link_type, s.bytes.len()),
            ] {
                let what = format!("{}, cut at byte {cut} (in {})", s.name, span.proto);
                let got = protos(&d);
                // The layers before the cut are decoded whole, as in the uncut frame.
                assert_eq!(got.get(..i), Some(&before[..]), "{what}");
                assert!(d.layers[..i].iter().all(|l| l.error.is_none()), "{what}");
                let line = summary_line(&d);
                if !named {
                    assert_eq!(d.error(), None, "{what}: a payload cut is not damage");
                    // The cut layer is there only when some of it was captured.
                    assert!(got.len() == i || got.len() == i + 1, "{what}: {got:?}");
                    assert!(!line.contains("[|"), "{what}: {line}");
                    continue;
                }
                let Some((layer, err)) = d.error() else {
                    panic!("{what}: no layer says it was cut: {got:?}");
                };
                assert_eq!(
                    (layer.proto, layer.offset),
                    (span.proto, span.start),
                    "{what}: {}",
                    err.message
                );
                assert!(
                    (span.start..=cut).contains(&err.offset),
                    "{what}: error at {} outside {}..={cut}: {}",
                    err.offset,
                    span.start,
                    err.message
                );
                // Nothing after the cut layer is decoded from bytes that are not there.
                assert_eq!(got.len(), i + 1, "{what}: {got:?}");
                assert!(
                    line.ends_with(&format!("[|{}]", span.proto)),
                    "{what}: {line}"
                );
                named_cuts += 1;
            }
        }
    }
    // Most cuts land in a header: the check above must have had work to do.
    assert!(named_cuts > 300, "only {named_cuts} named cuts");
}

#[test]
fn an_ipv6_header_cut_before_its_first_byte_is_named_ipv6() {
    // Whatever announced it (EtherType 0x86dd, LINKTYPE_IPV6, a BSD loopback family, PPP
    // protocol 0x0057, IPv4 protocol 41), an IPv6 header with no byte captured is an IPv6 layer
    // that says so, as one with some bytes is.
    let v4_carrying_v6 = {
        let mut h = ipv4(41, [10, 0, 0, 1], [10, 0, 0, 2], 40);
        h.truncate(20);
        h
    };
    let icmpv6_error = {
        // IPv6 claiming 56 bytes of ICMPv6: a port unreachable (8 bytes) and the quoted packet.
        let mut f = vec![0x60, 0, 0, 0, 0, 56, 58, 64];
        f.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        f.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        f.extend_from_slice(&[1, 4, 0, 0, 0, 0, 0, 0]);
        f
    };
    let cases: [(&str, u32, Vec<u8>); 7] = [
        ("Ethernet", linktype::ETHERNET, ethernet(0x86dd)),
        ("LINKTYPE_IPV6", linktype::IPV6, vec![]),
        ("BSD loopback AF_INET6", linktype::NULL, vec![30, 0, 0, 0]),
        ("PPP", linktype::PPP, vec![0xff, 0x03, 0x00, 0x57]),
        (
            "802.1Q",
            linktype::ETHERNET,
            [ethernet(0x8100), vec![0, 1, 0x86, 0xdd]].concat(),
        ),
        ("IPv4 protocol 41", linktype::RAW, v4_carrying_v6),
        ("quoted in an ICMPv6 error", linktype::IPV6, icmpv6_error),
    ];
    for (what, lt, frame) in cases {
        let d = decode(&frame, lt);
        let (l, e) = d.error().unwrap_or_else(|| panic!("{what}: no error"));
        assert_eq!(
            (l.proto, l.offset, e.message.as_str()),
            ("ipv6", frame.len(), "the frame ends before the IPv6 header"),
            "{what}"
        );
        assert!(summary_line(&d).ends_with("[|ipv6]"), "{what}");
    }
}

#[test]
fn a_payload_cut_before_its_first_byte_is_named_by_its_ports() {
    // IPv4 claiming a UDP or TCP segment with 20 bytes of payload, captured up to the end of
    // the transport header. A port that names a protocol names the cut; one that does not (or
    // a protocol known only by its content) leaves the frame a clean snap-length cut.
    let cases: [(u8, u16, Option<&str>); 12] = [
        (17, 53, Some("dns")),
        (17, 5353, Some("mdns")),
        (17, 5355, Some("llmnr")),
        (17, 67, Some("dhcp")),
        (17, 137, Some("nbns")),
        (17, 123, Some("ntp")),
        (17, 161, Some("snmp")),
        (6, 53, Some("dns")),
        (17, 1900, None),
        (17, 40001, None),
        (6, 80, None),
        (6, 443, None),
    ];
    for (proto, port, want) in cases {
        let hdr: Vec<u8> = if proto == 17 {
            [&[0x9c, 0x40][..], &port.to_be_bytes(), &[0, 28, 0, 0]].concat()
        } else {
            let mut t = vec![0x9c, 0x40];
            t.extend_from_slice(&port.to_be_bytes());
            t.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0x10, 0, 0, 0, 0, 0]);
            t
        };
        let frame = [
            ipv4(proto, [10, 0, 0, 1], [10, 0, 0, 2], hdr.len() + 20),
            hdr,
        ]
        .concat();
        let d = decode(&frame, linktype::RAW);
        let what = format!("protocol {proto} port {port}");
        match want {
            Some(name) => {
                let (l, e) = d.error().unwrap_or_else(|| panic!("{what}: no error"));
                assert_eq!(
                    (l.proto, l.offset),
                    (name, frame.len()),
                    "{what}: {}",
                    e.message
                );
                assert!(summary_line(&d).ends_with(&format!("[|{name}]")), "{what}");
            }
            None => {
                assert_eq!(d.error(), None, "{what}");
                assert_eq!(d.layers.len(), 2, "{what}: {:?}", protos(&d));
            }
        }
    }
}

/// Every link type the decoder has a first step for, and one it does not know (147).
fn link_types() -> Vec<u32> {
    let mut all = tracelens::decode::linktype::DECODED.to_vec();
    all.push(147);
    all
}

/// Decode, the summary line and the JSON must return for any bytes, and every field's bytes
/// must be inside the frame.
fn decode_everything(frame: &[u8], link_type: u32, orig_len: Option<usize>) {
    let d = match orig_len {
        Some(n) => decode_with_len(frame, link_type, n),
        None => decode(frame, link_type),
    };
    let _ = summary_line(&d);
    let meta = FrameMeta {
        number: 1,
        cap_len: frame.len() as u32,
        orig_len: orig_len.unwrap_or(frame.len()) as u32,
        link_type,
        ..FrameMeta::default()
    };
    let json = packet_json(&meta, &d);
    assert!(json.contains_key("frame.protocols"));
    for f in d.layers.iter().flat_map(|l| &l.fields) {
        assert!(
            f.offset + f.len <= frame.len(),
            "{} at {}+{} outside a {}-byte frame of link type {link_type}",
            f.name,
            f.offset,
            f.len,
            frame.len()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic_under_any_link_type(
        frame in proptest::collection::vec(any::<u8>(), 0..400),
        which in 0..tracelens::decode::linktype::DECODED.len() + 1,
        extra in proptest::option::of(0usize..2000),
    ) {
        decode_everything(&frame, link_types()[which], extra.map(|e| frame.len() + e));
    }

    #[test]
    fn damaged_samples_never_panic(
        which in 0..5usize,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        // Valid frames with a few bytes changed reach much deeper than random bytes do.
        let s = samples().swap_remove(which);
        let mut b = s.bytes.clone();
        for (at, v) in flips {
            let n = b.len();
            b[at % n] = v;
        }
        b.truncate(cut % (b.len() + 1));
        decode_everything(&b, s.link_type, None);
        decode_everything(&b, s.link_type, Some(s.bytes.len()));
    }
}
