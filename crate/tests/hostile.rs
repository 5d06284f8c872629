//! Hostile content: inputs built to make a decoder loop, recurse, allocate or work without end.
//! Each must come back quickly with a bounded result that says what was wrong: compression
//! pointer loops and over-long DNS names, encapsulation nested a hundred deep, capture blocks and
//! records claiming gigabytes or nothing, and millions of tiny records. Nothing here measures
//! wall-clock time; the bounds asserted are on the sizes of what comes back.
#![cfg(not(target_arch = "wasm32"))]

use tracelens::capture::{read_all, CaptureReader, Event, ReadErrorKind};
use tracelens::decode::{decode, linktype, Dissection};
use tracelens::render::{field_tree, packet_json, FrameMeta};
use tracelens::summary::summary_line;

/// The decoder's nesting limit (`decode::MAX_LAYERS`): at most this many layers are decoded,
/// then one more says the rest was left undecoded.
const MAX_LAYERS: usize = 48;

/// Everything shown for a frame must come out, with every field inside the frame.
fn show(d: &Dissection, frame: &[u8]) -> String {
    for f in d.layers.iter().flat_map(|l| &l.fields) {
        assert!(
            f.offset + f.len <= frame.len(),
            "{} outside the frame",
            f.name
        );
    }
    let meta = FrameMeta {
        number: 1,
        cap_len: frame.len() as u32,
        orig_len: frame.len() as u32,
        link_type: d.link_type,
        ..FrameMeta::default()
    };
    let _ = packet_json(&meta, d);
    let _ = field_tree(&meta, "", d);
    let _ = tracelens::explain::packet_findings(1, d);
    summary_line(d)
}

fn ethernet(ethertype: u16) -> Vec<u8> {
    let mut f = vec![
        0, 0, 0xba, 0x5e, 0xba, 0x11, 0, 0x60, 0x97, 0x07, 0xc0, 0xff,
    ];
    f.extend_from_slice(&ethertype.to_be_bytes());
    f
}

/// An IPv4 header (checksum left zero) carrying `payload_len` bytes of `proto`.
fn ipv4(proto: u8, payload_len: usize) -> Vec<u8> {
    let total = u16::try_from(20 + payload_len).unwrap_or(u16::MAX);
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&[0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    h
}

/// An IPv6 header carrying `payload_len` bytes with next header `next`.
fn ipv6(next: u8, payload_len: usize) -> Vec<u8> {
    let plen = u16::try_from(payload_len).unwrap_or(u16::MAX);
    let mut h = vec![0x60, 0, 0, 0];
    h.extend_from_slice(&plen.to_be_bytes());
    h.extend_from_slice(&[next, 64]);
    h.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    h.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    h
}

/// Checks a frame nested past the limit: the layer count stops at the limit plus the note, the
/// note says why, and the outer layers are the repeated ones.
fn assert_nesting_limited(d: &Dissection, frame: &[u8], repeated: &[&str]) {
    assert!(
        d.layers.len() <= MAX_LAYERS + 1,
        "{} layers",
        d.layers.len()
    );
    let last = d.layers.last().expect("layers");
    assert_eq!(last.proto, "_ws.lax", "{:?}", last);
    let e = last.error.as_ref().expect("the limit is an error");
    assert_eq!(
        e.message,
        format!("more than {MAX_LAYERS} nested layers; the rest is not decoded")
    );
    let inner: Vec<&str> = d.layers[..d.layers.len() - 1]
        .iter()
        .map(|l| l.proto)
        .filter(|p| !matches!(*p, "eth"))
        .collect();
    assert!(
        inner.iter().all(|p| repeated.contains(p)),
        "unexpected layers {inner:?}"
    );
    let line = show(d, frame);
    assert!(line.ends_with("[|_ws.lax]"), "{line}");
}

#[test]
fn a_hundred_nested_vlan_tags_stop_at_the_nesting_limit() {
    let mut f = ethernet(0x8100);
    for _ in 0..99 {
        f.extend_from_slice(&[0x00, 0x64, 0x81, 0x00]); // VLAN 100, next: another tag
    }
    f.extend_from_slice(&[0x00, 0x64, 0x08, 0x00]); // the last tag carries IPv4
    f.extend(ipv4(17, 8));
    f.extend_from_slice(&[0, 7, 0, 7, 0, 8, 0, 0]);
    let d = decode(&f, linktype::ETHERNET);
    assert_nesting_limited(&d, &f, &["vlan"]);
    assert_eq!(d.layers.iter().filter(|l| l.proto == "vlan").count(), 47);
}

#[test]
fn ip_in_ip_chains_a_hundred_deep_stop_at_the_nesting_limit() {
    // IPv4 in IPv4 (protocol 4), innermost carrying UDP.
    let mut inner = ipv4(17, 8);
    inner.extend_from_slice(&[0, 7, 0, 7, 0, 8, 0, 0]);
    for _ in 0..99 {
        inner = [ipv4(4, inner.len()), inner].concat();
    }
    let d = decode(&inner, linktype::RAW);
    assert_nesting_limited(&d, &inner, &["ip"]);
    // IPv6 in IPv6 (next header 41): payload lengths above 65535 saturate, which only makes the
    // outer headers claim less than is there.
    let mut inner = ipv6(59, 0);
    for _ in 0..99 {
        inner = [ipv6(41, inner.len()), inner].concat();
    }
    let d = decode(&inner, linktype::IPV6);
    assert_nesting_limited(&d, &inner, &["ipv6"]);
    // GRE over IPv4 carrying IPv4 carrying GRE...
    let mut inner = ipv4(17, 8);
    inner.extend_from_slice(&[0, 7, 0, 7, 0, 8, 0, 0]);
    for _ in 0..99 {
        let gre = [&[0u8, 0, 0x08, 0x00][..], &inner].concat();
        inner = [ipv4(47, gre.len()), gre].concat();
    }
    let d = decode(&inner, linktype::RAW);
    assert_nesting_limited(&d, &inner, &["ip", "gre"]);
}

/// Ethernet / IPv4 / UDP from port 53 carrying `dns`.
fn dns_frame(dns: &[u8]) -> Vec<u8> {
    let mut udp = vec![0, 53, 0xc3, 0x50];
    udp.extend_from_slice(&u16::try_from(8 + dns.len()).unwrap_or(0).to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend_from_slice(dns);
    [ethernet(0x0800), ipv4(17, udp.len()), udp].concat()
}

/// A DNS header: id, a response with no error, and the section counts.
fn dns_header(questions: u16, answers: u16) -> Vec<u8> {
    let mut h = vec![0x12, 0x34, 0x81, 0x80];
    h.extend_from_slice(&questions.to_be_bytes());
    h.extend_from_slice(&answers.to_be_bytes());
    h.extend_from_slice(&[0, 0, 0, 0]);
    h
}

/// Decodes a DNS message in a whole frame and returns its layer's error message.
fn dns_error(dns: &[u8]) -> (Dissection, String) {
    let f = dns_frame(dns);
    let d = decode(&f, linktype::ETHERNET);
    let line = show(&d, &f);
    let l = d.layer("dns").expect("a dns layer");
    let e = l
        .error
        .clone()
        .unwrap_or_else(|| panic!("no error: {line}"));
    assert!(line.ends_with("[|dns]"), "{line}");
    (d, e.message)
}

#[test]
fn dns_pointer_loops_and_over_long_names_are_named_errors() {
    // A question name that points to itself (message offset 12, frame offset 54).
    let m = [dns_header(1, 0), vec![0xc0, 0x0c, 0, 1, 0, 1]].concat();
    assert_eq!(dns_error(&m).1, "compression pointer loop at offset 54");
    // Two pointers pointing at each other.
    let m = [dns_header(1, 0), vec![0xc0, 0x0e, 0xc0, 0x0c, 0, 1, 0, 1]].concat();
    assert!(dns_error(&m)
        .1
        .starts_with("compression pointer loop at offset"));
    // A label, then a pointer back to that label: the name repeats until the length limit.
    let m = [
        dns_header(1, 0),
        vec![3, b'a', b'b', b'c', 0xc0, 0x0c, 0, 1, 0, 1],
    ]
    .concat();
    assert!(dns_error(&m).1.starts_with("name longer than 255 bytes"));
    // 128 one-byte labels: the 255-byte name limit comes first.
    let mut m = dns_header(1, 0);
    for _ in 0..128 {
        m.extend_from_slice(&[1, b'x']);
    }
    m.extend_from_slice(&[0, 0, 1, 0, 1]);
    let (d, e) = dns_error(&m);
    assert_eq!(e, "name longer than 255 bytes at offset 308");
    let name = d.get("dns.qry.name").map(|v| v.to_string());
    assert!(name.as_ref().is_none_or(|n| n.len() <= 255), "{name:?}");
    // Four 63-byte labels and one more: 256 bytes on the wire.
    let mut m = dns_header(1, 0);
    for _ in 0..4 {
        m.push(63);
        m.extend_from_slice(&[b'y'; 63]);
    }
    m.extend_from_slice(&[1, b'z', 0, 0, 1, 0, 1]);
    assert!(dns_error(&m).1.starts_with("name longer than 255 bytes"));
}

#[test]
fn dns_pointer_chains_and_absurd_counts_cost_only_the_bytes_present() {
    // Answers whose names are chains of backward pointers, each one pointer longer: legal, and
    // each name costs at most the pointer limit. The message claims 65,535 answers.
    let mut m = dns_header(0, 65535);
    let mut prev = None::<u16>;
    for _ in 0..600 {
        let here = u16::try_from(m.len()).expect("small message");
        match prev {
            // The first name is the root; every later one points to the name before it.
            None => m.push(0),
            Some(p) => m.extend_from_slice(&(0xc000 | p).to_be_bytes()),
        }
        prev = Some(here);
        m.extend_from_slice(&[0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]); // A 192.0.2.1
    }
    let f = dns_frame(&m);
    let d = decode(&f, linktype::ETHERNET);
    show(&d, &f);
    let l = d.layer("dns").expect("dns layer");
    // Fields are bounded by the bytes present, not by the claimed count.
    assert!(l.fields.len() < 20 * 600, "{} fields", l.fields.len());
    assert!(
        l.error.is_some(),
        "a chain past the pointer limit or the missing answers"
    );
}

/// A little-endian microsecond pcap header for link type `lt`.
fn pcap_header(lt: u32) -> Vec<u8> {
    let mut f = Vec::with_capacity(24);
    f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    f.extend_from_slice(&[2, 0, 4, 0]); // version 2.4
    f.extend_from_slice(&[0; 8]); // thiszone, sigfigs
    f.extend_from_slice(&65535u32.to_le_bytes()); // snaplen
    f.extend_from_slice(&lt.to_le_bytes());
    f
}

/// A pcap record header: time, captured and original lengths.
fn record(secs: u32, frac: u32, incl: u32, orig: u32) -> [u8; 16] {
    let mut r = [0u8; 16];
    r[0..4].copy_from_slice(&secs.to_le_bytes());
    r[4..8].copy_from_slice(&frac.to_le_bytes());
    r[8..12].copy_from_slice(&incl.to_le_bytes());
    r[12..16].copy_from_slice(&orig.to_le_bytes());
    r
}

#[test]
fn pcap_records_claiming_4_gb_or_nothing() {
    // A good 1-byte record, then one claiming 0xffffffff bytes.
    let mut f = pcap_header(1);
    f.extend_from_slice(&record(1, 0, 1, 1));
    f.push(0xaa);
    f.extend_from_slice(&record(2, 0, u32::MAX, u32::MAX));
    f.extend_from_slice(&[0; 100]);
    let c = read_all(&f);
    assert_eq!(c.packets.len(), 1);
    let e = c.error.expect("error");
    assert_eq!(
        (e.kind, e.record, e.offset),
        (ReadErrorKind::BadRecord, Some(2), 41)
    );
    assert_eq!(
        e.message,
        "record 2 at byte 41 claims 4,294,967,295 captured bytes, more than the file's snap length (65,535) allows; the file is damaged from here on"
    );
    // Zero-length records are packets with no bytes: read, decoded, shown.
    let mut f = pcap_header(1);
    for i in 0..3 {
        f.extend_from_slice(&record(i, 0, 0, 60));
    }
    let c = read_all(&f);
    assert_eq!(c.error, None);
    assert_eq!(c.packets.len(), 3);
    for p in &c.packets {
        assert!(p.data.is_empty());
        let d = p.decode();
        let line = show(&d, &p.data);
        assert_eq!(line, "Ethernet II, length 0 [|eth]");
        let (l, e) = d.error().expect("cut");
        assert_eq!(l.proto, "eth");
        assert_eq!(e.message, "Ethernet header needs 14 bytes; only 0 captured");
    }
}

/// pcapng: a little-endian SHB with the given section length, an Ethernet IDB, and `rest`.
fn pcapng(section_len: i64, rest: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&0x0a0d_0d0au32.to_le_bytes());
    f.extend_from_slice(&28u32.to_le_bytes());
    f.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    f.extend_from_slice(&[1, 0, 0, 0]); // version 1.0
    f.extend_from_slice(&section_len.to_le_bytes());
    f.extend_from_slice(&28u32.to_le_bytes());
    // IDB: link type 1, snap length 0, no options.
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&20u32.to_le_bytes());
    f.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
    f.extend_from_slice(&20u32.to_le_bytes());
    f.extend_from_slice(rest);
    f
}

/// An EPB on interface 0 with `data` (padded), claiming `cap_len` captured bytes.
fn epb(data: &[u8], cap_len: u32) -> Vec<u8> {
    let padded = data.len().div_ceil(4) * 4;
    let total = u32::try_from(32 + padded).expect("small block");
    let mut b = Vec::new();
    b.extend_from_slice(&6u32.to_le_bytes());
    b.extend_from_slice(&total.to_le_bytes());
    b.extend_from_slice(&[0; 12]); // interface 0, timestamp 0
    b.extend_from_slice(&cap_len.to_le_bytes());
    b.extend_from_slice(&u32::try_from(data.len()).expect("small").to_le_bytes());
    b.extend_from_slice(data);
    b.resize(28 + padded, 0);
    b.extend_from_slice(&total.to_le_bytes());
    b
}

#[test]
fn pcapng_blocks_claiming_absurd_lengths() {
    let good = epb(&[0xde, 0xad, 0xbe, 0xef], 4);
    // A block header claiming 0xfffffff0 bytes after one good packet.
    let mut rest = good.clone();
    rest.extend_from_slice(&6u32.to_le_bytes());
    rest.extend_from_slice(&0xffff_fff0u32.to_le_bytes());
    rest.extend_from_slice(&[0; 64]);
    let c = read_all(&pcapng(-1, &rest));
    assert_eq!(c.packets.len(), 1);
    let e = c.error.expect("error");
    assert_eq!(
        (e.kind, e.record, e.offset),
        (ReadErrorKind::BadRecord, Some(4), 84)
    );
    assert_eq!(
        e.message,
        "block 4 (EPB) at byte 84 claims a length of 4,294,967,280 bytes, more than the 256 MiB limit; the file is damaged from here on"
    );
    // Lengths below the 12 bytes any block needs, for a known and an unknown block type.
    for (btype, name, min) in [(6u32, "EPB", 32), (0x1234, "unknown 0x00001234", 12)] {
        for len in [0u32, 4, 8] {
            let mut rest = btype.to_le_bytes().to_vec();
            rest.extend_from_slice(&len.to_le_bytes());
            rest.extend_from_slice(&[0; 16]);
            let e = read_all(&pcapng(-1, &rest)).error.expect("error");
            assert_eq!(e.kind, ReadErrorKind::BadRecord);
            assert_eq!(
                e.message,
                format!("block 3 ({name}) at byte 48 claims a length of {len} bytes, less than the {min} bytes this block type needs; the file is damaged from here on")
            );
        }
    }
    // An EPB whose captured length claims 4 GB inside a 36-byte block.
    let e = read_all(&pcapng(-1, &epb(&[1, 2, 3, 4], u32::MAX)))
        .error
        .expect("error");
    assert_eq!(
        e.message,
        "block 3 (EPB) at byte 48 claims 4,294,967,295 captured bytes, but the block holds only 4; the file is damaged from here on"
    );
    // A section header claiming a section of 2^63 - 1 bytes: the length is advisory (and -1,
    // "unknown", is what most writers put), so it is neither trusted nor an error.
    let c = read_all(&pcapng(i64::MAX, &good));
    assert_eq!(c.error, None);
    assert_eq!(c.packets.len(), 1);
    // The section header itself claiming 0xfffffff0 bytes.
    let mut f = pcapng(-1, &good);
    f[4..8].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    let e = read_all(&f).error.expect("error");
    assert_eq!(e.kind, ReadErrorKind::BadHeader);
    assert!(
        e.message.contains("claims a length of 4,294,967,280 bytes"),
        "{}",
        e.message
    );
}

/// Two million records of 0 or 1 byte (32.5 MB), some with a fraction-of-second field out of
/// range so that every one of those adds a note.
fn tiny_records(n: u32) -> Vec<u8> {
    let mut f = pcap_header(1);
    f.reserve(n as usize * 17);
    for i in 0..n {
        let len = i % 2;
        let frac = if i % 1000 == 0 { 2_000_000 } else { 0 };
        f.extend_from_slice(&record(i, frac, len, len));
        if len == 1 {
            f.push(0x55);
        }
    }
    f
}

#[test]
fn two_million_tiny_records_read_whole_and_in_chunks() {
    const N: u32 = 2_000_000;
    let f = tiny_records(N);
    let c = read_all(&f);
    assert_eq!(c.error, None);
    assert_eq!(c.packets.len(), N as usize);
    assert_eq!(c.info.packets, u64::from(N));
    assert_eq!(c.info.packet_bytes, u64::from(N / 2));
    // 2,000 records have a note; the notes stop at 200 and one line says so.
    assert_eq!(c.info.notes.len(), 201);
    assert_eq!(
        c.info.notes.last().map(String::as_str),
        Some("further notes were left out (at most 200 are kept)")
    );
    let last = c.packets.last().expect("packets");
    assert_eq!(
        (last.number, last.ts.secs),
        (u64::from(N), i64::from(N - 1))
    );
    drop(c);
    // The streaming reader holds only the unparsed tail: feed 64 KiB chunks, keep nothing.
    let mut r = CaptureReader::new();
    let (mut packets, mut chunks) = (0u64, f.chunks(64 * 1024));
    loop {
        match r.next() {
            Event::Packet(p) => {
                packets += 1;
                assert_eq!(p.number, packets);
            }
            Event::NeedMore => match chunks.next() {
                Some(chunk) => r.feed(chunk),
                None => r.finish(),
            },
            Event::End => break,
            Event::Error(e) => panic!("{e}"),
        }
    }
    assert_eq!(packets, u64::from(N));
    assert_eq!(r.bytes_consumed(), f.len() as u64);
    assert_eq!(r.info().notes.len(), 201);
}

/// `prefix` gzip-compressed, then `mib` MiB of zeros as further gzip members (what `cat a.gz
/// b.gz` makes): a small file that inflates to a large one, cheap to build.
fn gzip_bomb(prefix: &[u8], mib: usize) -> Vec<u8> {
    use std::io::Write;
    let gz = |data: &[u8]| {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(data).expect("compress");
        z.finish().expect("compress")
    };
    let zeros = gz(&vec![0u8; 1 << 20]);
    let mut out = gz(prefix);
    for _ in 0..mib {
        out.extend_from_slice(&zeros);
    }
    out
}

#[test]
fn a_gzip_bomb_that_is_not_a_capture_stops_after_the_sniff() {
    // 256 MiB of zeros in about 256 KiB: only the first pull is ever inflated.
    let z = gzip_bomb(&[], 256);
    let mut r = CaptureReader::new();
    r.feed(&z);
    r.finish();
    let e = match r.next() {
        Event::Error(e) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(e.kind, ReadErrorKind::NotACapture);
    assert_eq!(
        e.message,
        "gzip-compressed, but what is inside is not a pcap or pcapng file: it starts with bytes 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00, which match no capture format tracelens knows (it reads pcap and pcapng, plain or gzip-compressed; Wireshark can save other formats as pcapng)"
    );
    assert!(
        r.bytes_consumed() < z.len() as u64 / 100,
        "{} of {} compressed bytes inflated",
        r.bytes_consumed(),
        z.len()
    );
    assert_eq!(r.next(), Event::End);
}

#[test]
fn a_gzip_bomb_of_empty_records_is_read_a_pull_at_a_time() {
    // A pcap header, then 16 MiB of zeros: a million empty records at time 0, inflated a
    // bounded amount at a time while the reader streams them.
    let z = gzip_bomb(&pcap_header(1), 16);
    let mut r = CaptureReader::new();
    let mut packets = 0u64;
    let mut chunks = z.chunks(4096);
    loop {
        match r.next() {
            Event::Packet(_) => packets += 1,
            Event::NeedMore => match chunks.next() {
                Some(c) => r.feed(c),
                None => r.finish(),
            },
            Event::End => break,
            Event::Error(e) => panic!("{e}"),
        }
    }
    assert_eq!(packets, (16 << 20) / 16);
    assert!(r.info().gzip);
}
