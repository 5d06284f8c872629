//! Reader tests on handmade captures: values and byte positions for each variant, chunking at
//! every boundary, every truncation, and the messages for files we cannot read.

use super::*;
use proptest::prelude::*;
use std::io::Write;

mod fixtures;
use fixtures::*;

const ALL: &[(&str, &[u8])] = &[
    ("pcap le usec", PCAP_LE_USEC),
    ("pcap be nsec", PCAP_BE_NSEC),
    ("pcap modified", PCAP_MODIFIED_LE),
    ("pcapng le", PCAPNG_LE),
    ("pcapng two sections", PCAPNG_TWO_SECTIONS),
];

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// Reads `bytes` fed in chunks of the given sizes (cycled), pulling events between chunks.
fn read_chunked(bytes: &[u8], sizes: &[usize]) -> Capture {
    let mut r = CaptureReader::new();
    let mut packets = Vec::new();
    let mut error = None;
    let mut pos = 0;
    let mut i = 0;
    loop {
        match r.next() {
            Event::Packet(p) => packets.push(p),
            Event::Error(e) => {
                assert!(error.is_none(), "two errors");
                error = Some(e);
            }
            Event::End => break,
            Event::NeedMore => {
                if pos >= bytes.len() {
                    r.finish();
                    continue;
                }
                let size = sizes
                    .get(i % sizes.len().max(1))
                    .copied()
                    .unwrap_or(1)
                    .max(1);
                i += 1;
                let end = (pos + size).min(bytes.len());
                r.feed(&bytes[pos..end]);
                pos = end;
            }
        }
    }
    assert_eq!(r.next(), Event::End, "End repeats");
    Capture {
        packets,
        info: r.info().clone(),
        error,
    }
}

fn ok(bytes: &[u8]) -> Capture {
    let c = read_all(bytes);
    assert_eq!(c.error, None);
    c
}

#[test]
fn pcap_little_endian_microseconds() {
    let c = ok(PCAP_LE_USEC);
    assert_eq!(
        c.info.format,
        Some(Format::Pcap {
            big_endian: false,
            nanosecond: false,
            modified: false,
            version: (2, 4),
            snaplen: 64,
            link_type: 1,
        })
    );
    assert_eq!(c.packets.len(), 2);
    let p = &c.packets[0];
    assert_eq!(
        (p.number, p.file_offset, p.interface, p.link_type),
        (1, 24, 0, 1)
    );
    assert_eq!(
        p.ts,
        Timestamp {
            secs: 1_706_703_472,
            nanos: 123_456_000
        }
    );
    assert_eq!((p.cap_len, p.orig_len), (4, 4));
    // The data is bytes 40..44 of the file.
    assert_eq!(p.data, PCAP_LE_USEC[40..44]);
    let p = &c.packets[1];
    assert_eq!((p.number, p.file_offset), (2, 44));
    assert_eq!((p.cap_len, p.orig_len), (2, 100));
    assert_eq!(p.data, PCAP_LE_USEC[60..62]);
    assert_eq!(c.info.packets, 2);
    assert_eq!(c.info.packet_bytes, 6);
    assert_eq!(c.info.first_ts.map(|t| t.secs), Some(1_706_703_472));
    assert_eq!(c.info.last_ts.map(|t| t.secs), Some(1_706_703_473));
    assert_eq!(c.info.interfaces.len(), 1);
    assert_eq!(c.info.interfaces[0].ts_units_per_sec, 1_000_000);
    assert_eq!(c.info.sections, 1);
    assert!(c.info.notes.is_empty(), "{:?}", c.info.notes);
    assert!(!c.info.gzip);
}

#[test]
fn pcap_big_endian_nanoseconds() {
    let c = ok(PCAP_BE_NSEC);
    assert!(matches!(
        c.info.format,
        Some(Format::Pcap {
            big_endian: true,
            nanosecond: true,
            ..
        })
    ));
    assert_eq!(
        c.packets[0].ts,
        Timestamp {
            secs: 1_706_703_472,
            nanos: 123_456_789
        }
    );
    assert_eq!(
        c.packets[0].ts.format_utc(),
        "2024-01-31 12:17:52.123456789"
    );
    assert_eq!(c.packets[1].data, [1, 2]);
    assert_eq!(c.info.interfaces[0].ts_units_per_sec, 1_000_000_000);
}

#[test]
fn pcap_modified_variant_has_24_byte_records() {
    let c = ok(PCAP_MODIFIED_LE);
    assert!(matches!(
        c.info.format,
        Some(Format::Pcap { modified: true, .. })
    ));
    assert_eq!(c.packets.len(), 2);
    // Record 1 at 24 with a 24-byte header: data at 48..52; record 2 at 52, data at 76..78.
    assert_eq!(c.packets[0].data, PCAP_MODIFIED_LE[48..52]);
    assert_eq!(c.packets[1].file_offset, 52);
    assert_eq!(c.packets[1].data, PCAP_MODIFIED_LE[76..78]);
}

#[test]
fn pcapng_every_block_kind() {
    let mut r = CaptureReader::with_block_log();
    r.feed(PCAPNG_LE);
    r.finish();
    let mut packets = Vec::new();
    loop {
        match r.next() {
            Event::Packet(p) => packets.push(p),
            Event::End => break,
            other => panic!("{other:?}"),
        }
    }
    let info = r.info();
    assert_eq!(info.format, Some(Format::PcapNg));
    assert_eq!(info.sections, 1);
    assert_eq!(info.comments, vec!["hello".to_string()]);
    let names: Vec<&str> = r.block_log().iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "SHB",
            "IDB",
            "EPB",
            "SPB",
            "NRB",
            "ISB",
            "CB",
            "unknown 0x00001234",
            "PB"
        ]
    );
    let offsets: Vec<u64> = r.block_log().iter().map(|b| b.offset).collect();
    assert_eq!(offsets, [0, 44, 84, 136, 156, 208, 260, 276, 292]);
    assert_eq!(
        info.block_counts.iter().find(|(n, _)| n == "EPB"),
        Some(&("EPB".to_string(), 1))
    );
    // Interface: Ethernet, name eth0, nanosecond resolution, statistics from the ISB.
    let i = &info.interfaces[0];
    assert_eq!((i.link_type, i.snaplen), (1, 0));
    assert_eq!(i.name.as_deref(), Some("eth0"));
    assert_eq!(i.ts_units_per_sec, 1_000_000_000);
    let s = i.stats.as_ref().expect("ISB statistics");
    assert_eq!((s.received, s.dropped), (Some(10), Some(1)));
    assert_eq!(
        s.ts,
        Timestamp {
            secs: 1_706_703_480,
            nanos: 0
        }
    );
    // NRB: one IPv4 and one IPv6 name.
    assert_eq!(
        info.names,
        vec![
            ("192.0.2.1".parse().expect("addr"), "gw".to_string()),
            ("2001:db8::1".parse().expect("addr"), "h6".to_string()),
        ]
    );
    assert_eq!(packets.len(), 3);
    // EPB at 84: data at 84+28 = 112..117, comment "hi".
    let p = &packets[0];
    assert_eq!((p.file_offset, p.cap_len, p.orig_len), (84, 5, 60));
    assert_eq!(p.data, PCAPNG_LE[112..117]);
    assert_eq!(
        p.ts,
        Timestamp {
            secs: 1_706_703_472,
            nanos: 123_456_789
        }
    );
    assert_eq!(p.comments, vec!["hi".to_string()]);
    // SPB at 136: original length 3, no snap limit, data at 148..151, no timestamp.
    let p = &packets[1];
    assert_eq!((p.file_offset, p.cap_len, p.orig_len), (136, 3, 3));
    assert_eq!(p.data, PCAPNG_LE[148..151]);
    assert_eq!(p.ts, Timestamp::default());
    // Obsolete PB at 292: data at 320.
    let p = &packets[2];
    assert_eq!((p.number, p.file_offset, p.cap_len), (3, 292, 1));
    assert_eq!(p.data, PCAPNG_LE[320..321]);
    assert_eq!(
        p.ts,
        Timestamp {
            secs: 1_706_703_490,
            nanos: 1
        }
    );
    // The SPB's missing timestamp does not drag first_ts to 1970.
    assert_eq!(info.first_ts.map(|t| t.secs), Some(1_706_703_472));
    assert_eq!(info.last_ts.map(|t| t.secs), Some(1_706_703_490));
}

#[test]
fn pcapng_sections_with_different_byte_orders() {
    let c = ok(PCAPNG_TWO_SECTIONS);
    assert_eq!(c.info.sections, 2);
    assert_eq!(c.info.interfaces.len(), 2);
    let (a, b) = (&c.info.interfaces[0], &c.info.interfaces[1]);
    assert_eq!(
        (a.section, a.link_type, a.ts_units_per_sec, a.ts_offset),
        (0, 101, 1024, 100)
    );
    assert_eq!(
        (b.section, b.link_type, b.ts_units_per_sec, b.ts_offset),
        (1, 1, 1_000_000, 0)
    );
    let p = &c.packets[0];
    // 1,024,512 ticks of 1/1024 s = 1000.5 s, plus the 100 s offset (tshark: 1100.500000000).
    assert_eq!((p.interface, p.link_type), (0, 101));
    assert_eq!(
        p.ts,
        Timestamp {
            secs: 1100,
            nanos: 500_000_000
        }
    );
    assert_eq!(p.data, [0x45]);
    let p = &c.packets[1];
    assert_eq!((p.interface, p.link_type), (1, 1));
    assert_eq!(
        p.ts,
        Timestamp {
            secs: 2,
            nanos: 500_000_000
        }
    );
    assert_eq!(p.data, [0x0a, 0x0b]);
}

#[test]
fn every_chunk_size_gives_the_whole_buffer_result() {
    for (name, bytes) in ALL {
        let whole = read_all(bytes);
        for size in 1..=bytes.len() {
            assert_eq!(
                read_chunked(bytes, &[size]),
                whole,
                "{name}, chunks of {size}"
            );
        }
        let z = gz(bytes);
        let zwhole = read_all(&z);
        assert!(zwhole.info.gzip);
        assert_eq!(zwhole.packets, whole.packets, "{name} gzipped");
        for size in 1..=z.len() {
            assert_eq!(
                read_chunked(&z, &[size]),
                zwhole,
                "{name} gzipped, chunks of {size}"
            );
        }
    }
}

#[test]
fn multi_member_gzip() {
    // Split the file at an arbitrary point inside a block and compress the halves separately.
    let (a, b) = PCAPNG_LE.split_at(101);
    let mut z = gz(a);
    z.extend(gz(b));
    let c = read_all(&z);
    assert_eq!(c.error, None);
    assert_eq!(c.packets, read_all(PCAPNG_LE).packets);
    assert!(c.info.gzip);
}

/// End offsets of every unit (file header, record, block) in a sample, from what the reader saw.
fn unit_ends(bytes: &[u8]) -> Vec<u64> {
    let mut r = CaptureReader::with_block_log();
    r.feed(bytes);
    r.finish();
    let mut ends = Vec::new();
    while let Event::Packet(p) = r.next() {
        if matches!(r.info().format, Some(Format::Pcap { .. })) {
            let hdr = if matches!(r.info().format, Some(Format::Pcap { modified: true, .. })) {
                24
            } else {
                16
            };
            ends.push(p.file_offset + hdr + u64::from(p.cap_len));
        }
    }
    if matches!(r.info().format, Some(Format::Pcap { .. })) {
        ends.push(24);
    }
    ends.extend(r.block_log().iter().map(|b| b.offset + u64::from(b.len)));
    ends.sort_unstable();
    ends
}

#[test]
fn every_truncation_keeps_complete_packets_and_reports_the_cut() {
    for (name, bytes) in ALL {
        let full = read_all(bytes);
        let ends = unit_ends(bytes);
        assert_eq!(ends.last().copied(), Some(bytes.len() as u64), "{name}");
        for cut in 0..bytes.len() {
            let c = read_all(&bytes[..cut]);
            // Complete packets survive, in order and unchanged.
            assert!(full.packets.starts_with(&c.packets), "{name} cut at {cut}");
            let whole_packets = full
                .packets
                .iter()
                .filter(|p| ends.iter().any(|&e| e > p.file_offset && e <= cut as u64))
                .count();
            assert_eq!(c.packets.len(), whole_packets, "{name} cut at {cut}");
            if ends.contains(&(cut as u64)) {
                assert_eq!(c.error, None, "{name} cut at unit boundary {cut}");
            } else {
                let e = c
                    .error
                    .unwrap_or_else(|| panic!("{name} cut at {cut}: no error"));
                let want = match cut {
                    0 => ReadErrorKind::Empty,
                    1..=3 => ReadErrorKind::NotACapture,
                    _ => ReadErrorKind::Truncated,
                };
                assert_eq!(e.kind, want, "{name} cut at {cut}: {}", e.message);
                assert!(!e.message.is_empty());
            }
        }
        // Gzip: every cut short of the end is an error, and packets are still a prefix.
        let z = gz(bytes);
        for cut in 0..z.len() {
            let c = read_all(&z[..cut]);
            assert!(
                full.packets.starts_with(&c.packets),
                "{name} gz cut at {cut}"
            );
            assert!(c.error.is_some(), "{name} gz cut at {cut}");
        }
    }
}

#[test]
fn truncation_message_names_the_record_and_sizes() {
    let c = read_all(&PCAP_LE_USEC[..60]);
    assert_eq!(c.packets.len(), 1);
    let e = c.error.expect("error");
    assert_eq!(e.kind, ReadErrorKind::Truncated);
    assert_eq!(
        e.message,
        "record 2 at byte 44 claims 2 bytes, but the capture ends after 0 of them"
    );
    assert_eq!((e.offset, e.record), (44, Some(2)));
    let e = read_all(&PCAP_LE_USEC[..50]).error.expect("error");
    assert_eq!(
        e.message,
        "the capture ends 6 bytes into the 16-byte header of record 2 (at byte 44)"
    );
    let e = read_all(&PCAPNG_LE[..100]).error.expect("error");
    assert_eq!(
        e.message,
        "block 3 (EPB) at byte 84 claims 52 bytes, but the capture ends after 16 of them"
    );
    assert_eq!(e.record, Some(3));
}

#[test]
fn absurd_record_length_is_an_error_not_an_allocation() {
    let mut f = PCAP_LE_USEC.to_vec();
    // Record 2's incl_len (bytes 52..56) set to 0x7fffffff.
    f[52..56].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let c = read_all(&f);
    assert_eq!(c.packets.len(), 1);
    let e = c.error.expect("error");
    assert_eq!(e.kind, ReadErrorKind::BadRecord);
    assert!(
        e.message
            .starts_with("record 2 at byte 44 claims 2,147,483,647 captured bytes"),
        "{}",
        e.message
    );
    // A pcapng block claiming 1 GiB.
    let mut f = PCAPNG_LE.to_vec();
    f[88..92].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    let e = read_all(&f).error.expect("error");
    assert_eq!(e.kind, ReadErrorKind::BadRecord);
    assert!(e.message.contains("1,073,741,824 bytes"), "{}", e.message);
}

/// A byte of `f` replaced, for building damaged copies of the fixtures.
fn with(f: &[u8], at: usize, v: u8) -> Vec<u8> {
    let mut f = f.to_vec();
    f[at] = v;
    f
}

/// Damaged and foreign files against the exact message a person sees (the CLI prints it after
/// `tracelens: `; the web page shows it as is), the kind of problem, and the packets kept. The
/// answer must not depend on how the bytes arrive, so each is also read one byte at a time and
/// in 7-byte chunks.
#[test]
fn damaged_headers_say_what_is_wrong() {
    use ReadErrorKind::*;
    // A Windows ETL trace (ETW buffer header: buffer size 64 KiB, then zeros): no magic number,
    // so it is shown as bytes with what tracelens reads and how to convert.
    let mut etl = vec![0u8; 72];
    etl[1..4].copy_from_slice(&[0, 1, 0]);
    // An Endace ERF record header (timestamp, type 2 = Ethernet, flags, lengths): no magic either.
    let erf = b"\x60\x1d\x5f\x3c\x10\x00\x00\x00\x02\x04\x00\x50\x00\x00\x00\x3c".to_vec();
    // gzip whose deflate data is damaged, and gzip cut in half.
    let mut bad_gz = gz(PCAP_LE_USEC);
    bad_gz[10] ^= 0xff;
    let cut_gz = gz(PCAP_LE_USEC)[..30].to_vec();
    let not_capture = "not a pcap or pcapng file: ";
    let cases: Vec<(&str, Vec<u8>, ReadErrorKind, usize, String)> = vec![
        ("empty", vec![], Empty, 0, "the file is empty (0 bytes)".into()),
        (
            "two bytes",
            vec![0xd4, 0xc3],
            NotACapture,
            0,
            format!("{not_capture}it is only 2 bytes long (d4 c3)"),
        ),
        (
            "text",
            b"hello, world\n".to_vec(),
            NotACapture,
            0,
            format!("{not_capture}it starts with text ('hello, world'), not the binary header of a capture"),
        ),
        (
            "HTML",
            b"<!DOCTYPE html>\n<html><head><title>Download</title>".to_vec(),
            NotACapture,
            0,
            format!("{not_capture}it starts with text ('<!DOCTYPE html>'), which looks like an HTML page (perhaps a download link saved instead of the file)"),
        ),
        (
            "JSON",
            b"{\"a\": 1}".to_vec(),
            NotACapture,
            0,
            format!("{not_capture}it starts with text ('{{\\\"a\\\": 1}}'), which looks like JSON (perhaps an export such as tshark -T json, not the capture itself)"),
        ),
        (
            "hex dump",
            b"0000  45 00 00 54 00 00 40 00\n".to_vec(),
            NotACapture,
            0,
            format!("{not_capture}it starts with text ('0000  45 00 00 54 00 00 40 00'), which looks like a hex dump; text2pcap can turn it back into a capture"),
        ),
        (
            "tcpdump text",
            b"12:34:56.789012 IP 10.0.0.1 > 10.0.0.2: ICMP echo request\n".to_vec(),
            NotACapture,
            0,
            format!("{not_capture}it starts with text ('12:34:56.789012 IP 10.0.0.1 > 10.0.0.2: ICMP echo request'), which looks like tcpdump or tshark text output, not the capture itself (save with -w instead)"),
        ),
        (
            "pcap magic one byte off",
            [&[0xd4, 0xc3, 0xb2, 0xa2][..], &PCAP_LE_USEC[4..]].concat(),
            NotACapture,
            0,
            format!("{not_capture}it starts with d4 c3 b2 a2, one byte away from the little-endian pcap magic d4 c3 b2 a1: probably a capture whose header was damaged"),
        ),
        (
            "pcapng magic after a text-mode transfer",
            [&[0x0a, 0x0d, 0x0a][..], &PCAPNG_LE[4..]].concat(),
            NotACapture,
            0,
            format!("{not_capture}it starts with 0a 0d 0a 2c, which looks like a pcapng file damaged by a text-mode (ASCII) transfer that rewrote line endings"),
        ),
        (
            "Windows ETL",
            etl,
            NotACapture,
            0,
            format!("{not_capture}it starts with bytes 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00, which match no capture format tracelens knows (it reads pcap and pcapng, plain or gzip-compressed; Wireshark can save other formats as pcapng)"),
        ),
        (
            "Endace ERF",
            erf,
            NotACapture,
            0,
            format!("{not_capture}it starts with bytes 60 1d 5f 3c 10 00 00 00 02 04 00 50 00 00 00 3c, which match no capture format tracelens knows (it reads pcap and pcapng, plain or gzip-compressed; Wireshark can save other formats as pcapng)"),
        ),
        (
            "snoop",
            b"snoop\0\0\0\0\0\0\x02\0\0\0\x04".to_vec(),
            NotACapture,
            0,
            format!("{not_capture}it starts with 73 6e 6f 6f 70 00 00 00, which is a Sun/Solaris snoop capture, which tracelens does not read; Wireshark can save it as pcapng"),
        ),
        (
            "Network Monitor 2",
            b"GMBU\x00\x02".to_vec(),
            NotACapture,
            0,
            format!("{not_capture}it starts with 47 4d 42 55, which is a Microsoft Network Monitor 2.x capture (.cap), which tracelens does not read; Wireshark can save it as pcapng"),
        ),
        (
            "gzip of text",
            gz(b"hello, world\n"),
            NotACapture,
            0,
            "gzip-compressed, but what is inside is not a pcap or pcapng file: it starts with text ('hello, world'), not the binary header of a capture".into(),
        ),
        (
            "gzip of nothing",
            gz(b""),
            NotACapture,
            0,
            "gzip-compressed, but what is inside is not a pcap or pcapng file: the compressed data is empty".into(),
        ),
        (
            "gzip of garbage",
            bad_gz,
            Gzip,
            0,
            "the gzip data is damaged in member 1 after 4 good bytes (deflate decompression error)".into(),
        ),
        (
            "gzip cut short",
            cut_gz,
            Gzip,
            0,
            "the gzip data is cut short: it ends at compressed byte 30 in the middle of member 1".into(),
        ),
        (
            "pcap header cut",
            PCAP_LE_USEC[..10].to_vec(),
            Truncated,
            0,
            "the pcap file header is cut short: the file has 10 of its 24 bytes".into(),
        ),
        (
            "pcap record header cut",
            PCAP_LE_USEC[..30].to_vec(),
            Truncated,
            0,
            "the capture ends 6 bytes into the 16-byte header of record 1 (at byte 24)".into(),
        ),
        (
            "pcap record data cut",
            PCAP_LE_USEC[..61].to_vec(),
            Truncated,
            1,
            "record 2 at byte 44 claims 2 bytes, but the capture ends after 1 of them".into(),
        ),
        (
            "pcapng section header cut",
            PCAPNG_LE[..20].to_vec(),
            Truncated,
            0,
            "block 1 (SHB) at byte 0 claims 44 bytes, but the capture ends after 20 of them".into(),
        ),
        (
            "pcapng block header cut",
            PCAPNG_LE[..86].to_vec(),
            Truncated,
            0,
            "the capture ends 2 bytes into the header of block 3 (at byte 84)".into(),
        ),
        (
            "pcap version 1.4",
            with(PCAP_LE_USEC, 4, 1),
            BadHeader,
            0,
            "pcap file header says version 1.4; only versions 2.0 to 2.4 exist, so the header is damaged or the file is not pcap (libpcap refuses it too)".into(),
        ),
        (
            "pcap version 2.5",
            with(PCAP_LE_USEC, 6, 5),
            BadHeader,
            0,
            "pcap file header says version 2.5; only versions 2.0 to 2.4 exist, so the header is damaged or the file is not pcap (libpcap refuses it too)".into(),
        ),
        (
            // libpcap's linktype-reserved-field-not-zero test
            "pcap link type with reserved bits",
            with(PCAP_LE_USEC, 22, 0x30),
            BadHeader,
            0,
            "pcap file header's link-type field 0x00300001 has reserved bits set (0x00300000); the header is damaged".into(),
        ),
        (
            "pcapng version 1.1",
            with(PCAPNG_LE, 14, 1),
            BadHeader,
            0,
            "section header block 1 (SHB) at byte 0 says pcapng version 1.1; only version 1.0 exists, so the header is damaged (libpcap and Wireshark refuse it too)".into(),
        ),
        (
            "pcapng byte-order magic",
            with(PCAPNG_LE, 8, 0),
            BadHeader,
            0,
            "section header block 1 (SHB) at byte 0 has byte-order magic 00 3c 2b 1a, expected 1a 2b 3c 4d in either order; the file is damaged".into(),
        ),
        (
            "pcapng section header option too long",
            with(PCAPNG_LE, 26, 0x30),
            BadHeader,
            0,
            "section header block 1 (SHB) at byte 0: option 1 at block offset 24 claims 48 bytes; only 12 remain in the block".into(),
        ),
    ];
    let mut wrong = Vec::new();
    for (name, bytes, kind, kept, message) in &cases {
        for (how, c) in [
            ("whole", read_all(bytes)),
            ("bytewise", read_chunked(bytes, &[1])),
            ("7-byte chunks", read_chunked(bytes, &[7])),
        ] {
            let got = c.error.as_ref().map(|e| (e.kind, e.message.as_str()));
            if got != Some((*kind, message.as_str())) || c.packets.len() != *kept {
                wrong.push(format!(
                    "{name} ({how}): {got:?}, {} packets\n   want {kind:?} {message:?}, {kept} packets",
                    c.packets.len()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn damaged_blocks_stop_after_the_good_packets() {
    // EPB (at 84) names interface 1 of a section that has one.
    let mut f = PCAPNG_LE.to_vec();
    f[92] = 1;
    let c = read_all(&f);
    assert!(c.packets.is_empty());
    let e = c.error.expect("error");
    assert_eq!(
        (e.kind, e.offset, e.record),
        (ReadErrorKind::BadRecord, 84, Some(3))
    );
    assert_eq!(
        e.message,
        "block 3 (EPB) at byte 84 refers to interface 1, but its section defines only 1 interface"
    );
    // The SPB's (at 136) trailing length disagrees with its leading one.
    let mut f = PCAPNG_LE.to_vec();
    f[152] = 24;
    let c = read_all(&f);
    assert_eq!(c.packets.len(), 1);
    assert!(c
        .error
        .expect("error")
        .message
        .contains("20 bytes long at its start but 24 at its end"));
    // EPB captured length larger than the block.
    let mut f = PCAPNG_LE.to_vec();
    f[104] = 200;
    let e = read_all(&f).error.expect("error");
    assert!(
        e.message
            .contains("claims 200 captured bytes, but the block holds only 20"),
        "{}",
        e.message
    );
    // Garbage after two good pcap records.
    let mut f = PCAP_LE_USEC.to_vec();
    f.extend_from_slice(b"garbage!");
    let c = read_all(&f);
    assert_eq!(c.packets.len(), 2);
    assert_eq!(c.error.expect("error").kind, ReadErrorKind::Truncated);
}

#[test]
fn unknown_blocks_are_counted_not_fatal() {
    let c = ok(PCAPNG_LE);
    let counts: Vec<(&str, u64)> = c
        .info
        .block_counts
        .iter()
        .map(|(n, c)| (n.as_str(), *c))
        .collect();
    assert_eq!(
        counts,
        [
            ("SHB", 1),
            ("IDB", 1),
            ("EPB", 1),
            ("SPB", 1),
            ("NRB", 1),
            ("ISB", 1),
            ("CB", 1),
            ("unknown 0x00001234", 1),
            ("PB", 1)
        ]
    );
}

#[test]
fn bytes_consumed_tracks_input() {
    let mut r = CaptureReader::new();
    r.feed(PCAP_LE_USEC);
    assert!(matches!(r.next(), Event::Packet(_)));
    assert_eq!(r.bytes_consumed(), 44);
    let z = gz(PCAP_LE_USEC);
    let mut r = CaptureReader::new();
    r.feed(&z);
    r.finish();
    while !matches!(r.next(), Event::End) {}
    assert_eq!(r.bytes_consumed(), z.len() as u64);
}

#[test]
fn thousands_separators() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(3_456_789), "3,456,789");
    assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
}

proptest! {
    #[test]
    fn random_chunk_boundaries_do_not_matter(
        which in 0..ALL.len(),
        sizes in proptest::collection::vec(1usize..40, 1..20),
        zip in any::<bool>(),
    ) {
        let (_, bytes) = ALL[which];
        let bytes = if zip { gz(bytes) } else { bytes.to_vec() };
        prop_assert_eq!(read_chunked(&bytes, &sizes), read_all(&bytes));
    }

    #[test]
    fn random_bytes_after_a_magic_never_panic(
        start in 0usize..4,
        rest in proptest::collection::vec(any::<u8>(), 0..600),
        sizes in proptest::collection::vec(1usize..64, 1..8),
    ) {
        // A pcap magic and version; a pcapng SHB type, length 28 and byte-order magic; a gzip
        // member header; a pcapng SHB followed by random blocks.
        let starts: [&[u8]; 4] = [
            &[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0],
            &[0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a],
            &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3],
            &PCAPNG_LE[..84],
        ];
        let f = [starts[start], &rest[..]].concat();
        let whole = read_all(&f);
        prop_assert_eq!(read_chunked(&f, &sizes), whole);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        which in 0..ALL.len(),
        flips in proptest::collection::vec((0usize..400, any::<u8>()), 0..6),
        sizes in proptest::collection::vec(1usize..64, 1..8),
    ) {
        let mut f = ALL[which].1.to_vec();
        for (at, v) in flips {
            let n = f.len();
            f[at % n] = v;
        }
        let whole = read_all(&f);
        prop_assert_eq!(read_chunked(&f, &sizes), whole);
    }
}
