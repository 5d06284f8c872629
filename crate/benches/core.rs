//! Throughput of the core, per MB and per packet: reading a capture, decoding every packet, and
//! the whole analysis (decode, per-packet findings, flows and every detector). The capture is
//! generated here, a mix of TCP handshakes with data, DNS over UDP and pings, so the benchmark
//! needs no files. For figures against tcpdump and tshark on real traffic, see the README's
//! performance section and `tests/bench/make_big_capture.py`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tracelens::analysis::CaptureAnalysis;
use tracelens::capture::{read_all, CaptureReader, Event};

fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in data.chunks(2) {
        let hi = c.first().copied().unwrap_or(0);
        let lo = c.get(1).copied().unwrap_or(0);
        sum += u32::from(u16::from_be_bytes([hi, lo]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Ethernet + IPv4 around a transport payload, with a valid header checksum.
fn frame(src: [u8; 4], dst: [u8; 4], proto: u8, l4: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00,
    ];
    let total = (20 + l4.len()) as u16;
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&[0, 1, 0x40, 0, 64, proto, 0, 0]);
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let ck = checksum(&ip);
    ip[10..12].copy_from_slice(&ck.to_be_bytes());
    f.extend(ip);
    f.extend_from_slice(l4);
    f
}

fn tcp(sport: u16, dport: u16, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(&sport.to_be_bytes());
    t.extend_from_slice(&dport.to_be_bytes());
    t.extend_from_slice(&seq.to_be_bytes());
    t.extend_from_slice(&ack.to_be_bytes());
    t.extend_from_slice(&[0x50, flags, 0xfa, 0xf0, 0, 0, 0, 0]);
    t.extend_from_slice(payload);
    t
}

/// A pcap of about `target` bytes: conversations of SYN, SYN/ACK, ACK, request, response, FIN;
/// DNS queries and answers; pings.
fn capture(target: usize) -> (Vec<u8>, u64) {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&[2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&262_144u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    let body = vec![b'x'; 900];
    let dns_q = [
        0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, b'e', b'x', b'a', b'm', b'p', b'l',
        b'e', 3, b'c', b'o', b'm', 0, 0, 1, 0, 1,
    ];
    let (mut n, mut usec) = (0u64, 0u64);
    let mut conv = 0u32;
    while out.len() < target {
        let c = [10, 0, (conv >> 8) as u8, conv as u8];
        let s = [192, 0, 2, 80];
        let port = 40000 + (conv % 20000) as u16;
        let mut frames = vec![
            frame(c, s, 6, &tcp(port, 80, 1000, 0, 0x02, b"")),
            frame(s, c, 6, &tcp(80, port, 5000, 1001, 0x12, b"")),
            frame(c, s, 6, &tcp(port, 80, 1001, 5001, 0x10, b"")),
            frame(
                c,
                s,
                6,
                &tcp(
                    port,
                    80,
                    1001,
                    5001,
                    0x18,
                    b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
                ),
            ),
            frame(s, c, 6, &tcp(80, port, 5001, 1038, 0x18, &body)),
            frame(c, s, 6, &tcp(port, 80, 1038, 5901, 0x11, b"")),
        ];
        let mut udp = Vec::new();
        udp.extend_from_slice(&port.to_be_bytes());
        udp.extend_from_slice(&53u16.to_be_bytes());
        udp.extend_from_slice(&((8 + dns_q.len()) as u16).to_be_bytes());
        udp.extend_from_slice(&[0, 0]);
        udp.extend_from_slice(&dns_q);
        frames.push(frame(c, [192, 0, 2, 53], 17, &udp));
        frames.push(frame(
            c,
            s,
            1,
            &[8, 0, 0, 0, 0, 1, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8],
        ));
        for f in frames {
            usec += 100;
            out.extend_from_slice(&((1_700_000_000 + usec / 1_000_000) as u32).to_le_bytes());
            out.extend_from_slice(&((usec % 1_000_000) as u32).to_le_bytes());
            out.extend_from_slice(&(f.len() as u32).to_le_bytes());
            out.extend_from_slice(&(f.len() as u32).to_le_bytes());
            out.extend(f);
            n += 1;
        }
        conv += 1;
    }
    (out, n)
}

/// The same measurements twice: per byte (MiB/s) and per packet (packets/s, whose inverse is
/// the time a packet costs).
fn benches(c: &mut Criterion) {
    let (bytes, packets) = capture(8 << 20);
    eprintln!(
        "benchmark capture: {} bytes, {packets} packets",
        bytes.len()
    );
    let cap = read_all(&bytes);
    for (name, throughput) in [
        ("per byte", Throughput::Bytes(bytes.len() as u64)),
        ("per packet", Throughput::Elements(packets)),
    ] {
        let mut g = c.benchmark_group(name);
        g.sample_size(10);
        g.throughput(throughput);
        g.bench_function("read (1 MiB chunks)", |b| {
            b.iter(|| {
                let mut r = CaptureReader::new();
                let mut count = 0u64;
                for chunk in bytes.chunks(1 << 20) {
                    r.feed(chunk);
                    while let Event::Packet(_) = r.next() {
                        count += 1;
                    }
                }
                r.finish();
                while let Event::Packet(_) = r.next() {
                    count += 1;
                }
                assert_eq!(count, packets);
            })
        });
        g.bench_function("decode", |b| {
            b.iter(|| {
                cap.packets
                    .iter()
                    .map(|p| p.decode().layers.len())
                    .sum::<usize>()
            })
        });
        g.bench_function("decode, values only (as the analysis does)", |b| {
            b.iter(|| {
                cap.packets
                    .iter()
                    .map(|p| p.decode_lean().layers.len())
                    .sum::<usize>()
            })
        });
        g.bench_function("decode + summary line", |b| {
            b.iter(|| {
                cap.packets
                    .iter()
                    .map(|p| tracelens::summary::summary_line(&p.decode()).len())
                    .sum::<usize>()
            })
        });
        g.bench_function("whole analysis", |b| {
            b.iter(|| {
                let mut a = CaptureAnalysis::new();
                for p in &cap.packets {
                    a.observe(p);
                }
                a.finish().len()
            })
        });
        g.finish();
    }
}

criterion_group!(core, benches);
criterion_main!(core);
