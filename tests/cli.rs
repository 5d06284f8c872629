//! End-to-end tests of the `tracelens` command line: small captures generated here, the hex
//! dumps printed in the seed documents, damaged files, and (when `../shared/corpus` exists) a
//! real capture checked against tcpdump's own reading of it.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tracelens"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("tracelens runs")
}

fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tracelens starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("tracelens ends")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A classic little-endian microsecond pcap with the given link type and frames.
fn pcap(link_type: u32, frames: &[(u32, u32, Vec<u8>)]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes()); // magic
    f.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
    f.extend_from_slice(&4u16.to_le_bytes());
    f.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    f.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    f.extend_from_slice(&65535u32.to_le_bytes()); // snaplen
    f.extend_from_slice(&link_type.to_le_bytes());
    for (secs, usecs, data) in frames {
        f.extend_from_slice(&secs.to_le_bytes());
        f.extend_from_slice(&usecs.to_le_bytes());
        f.extend_from_slice(&(data.len() as u32).to_le_bytes()); // incl_len
        f.extend_from_slice(&(data.len() as u32).to_le_bytes()); // orig_len
        f.extend_from_slice(data);
    }
    f
}

fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in data.chunks(2) {
        let w = u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]);
        sum += u32::from(w);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Ethernet + IPv4 + TCP with valid checksums.
fn tcp_frame(
    src: [u8; 4],
    dst: [u8; 4],
    sport: u16,
    dport: u16,
    seq: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let mut tcp = Vec::new();
    tcp.extend_from_slice(&sport.to_be_bytes());
    tcp.extend_from_slice(&dport.to_be_bytes());
    tcp.extend_from_slice(&seq.to_be_bytes());
    tcp.extend_from_slice(&0u32.to_be_bytes()); // ack
    tcp.extend_from_slice(&[0x50, flags]); // header 20 bytes
    tcp.extend_from_slice(&32120u16.to_be_bytes()); // window
    tcp.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent
    tcp.extend_from_slice(payload);
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&src);
    pseudo.extend_from_slice(&dst);
    pseudo.extend_from_slice(&[0, 6]);
    pseudo.extend_from_slice(&(tcp.len() as u16).to_be_bytes());
    pseudo.extend_from_slice(&tcp);
    let ck = checksum(&pseudo);
    tcp[16..18].copy_from_slice(&ck.to_be_bytes());
    let total = (20 + tcp.len()) as u16;
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&[0x12, 0x34, 0x40, 0x00, 64, 6, 0, 0]);
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let ck = checksum(&ip);
    ip[10..12].copy_from_slice(&ck.to_be_bytes());
    let mut f = vec![
        0x00, 0x00, 0xba, 0x5e, 0xba, 0x11, 0x00, 0x60, 0x97, 0x07, 0xc0, 0xff, 0x08, 0x00,
    ];
    f.extend(ip);
    f.extend(tcp);
    if f.len() < 60 {
        f.resize(60, 0);
    }
    f
}

fn write_temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tracelens-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write capture");
    p
}

fn handshake() -> Vec<u8> {
    let c = [10, 9, 9, 9];
    let s = [192, 168, 5, 132];
    pcap(
        1,
        &[
            (
                1_000_000_000,
                0,
                tcp_frame(c, s, 2097, 32775, 2950485912, 0x02, b""),
            ),
            (
                1_000_000_000,
                250_000,
                tcp_frame(s, c, 32775, 2097, 77, 0x14, b""),
            ),
            (
                1_000_000_001,
                0,
                tcp_frame(c, s, 2097, 80, 5, 0x18, b"GET / HTTP/1.0\r\n\r\n"),
            ),
        ],
    )
}

#[test]
fn packets_prints_tcpdump_lines() {
    let p = write_temp("hs.pcap", &handshake());
    let o = run(&["packets", p.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].ends_with(
            "IP 10.9.9.9.2097 > 192.168.5.132.32775: Flags [S], seq 2950485912, win 32120, length 0"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("2001-09-09 01:46:40.000000"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("Flags [R.], seq 77, ack 0"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains("Flags [P.], seq 5:23"), "{}", lines[2]);
}

#[test]
fn packets_json_uses_wireshark_names_and_natural_types() {
    let p = write_temp("hs-json.pcap", &handshake());
    let o = run(&["packets", p.to_str().expect("utf-8 path"), "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(rows.len(), 3);
    let r = &rows[0];
    assert_eq!(r["frame.number"], 1);
    assert_eq!(r["frame.len"], 60);
    assert_eq!(r["eth.type"], 0x0800);
    assert_eq!(r["ip.src"], "10.9.9.9");
    assert_eq!(r["tcp.dstport"], 32775);
    assert_eq!(r["tcp.seq_raw"], 2950485912u64);
    assert_eq!(r["tcp.flags.syn"], true);
    assert_eq!(r["tcp.checksum.status"], 1);
    assert_eq!(r["eth.padding"], "00:00:00:00:00:00");
    assert_eq!(rows[1]["frame.time_relative"], 0.25);
    assert_eq!(rows[2]["tcp.len"], 18);
}

#[test]
fn show_gives_the_field_tree_with_byte_ranges_and_hex() {
    let p = write_temp("hs-show.pcap", &handshake());
    let o = run(&["show", p.to_str().expect("utf-8 path"), "-n", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Frame 1: 60 bytes on the wire, 60 captured"),
        "{out}"
    );
    assert!(
        out.contains("Source address: 10.9.9.9  [ip.src @26+4]"),
        "{out}"
    );
    assert!(
        out.contains("Syn: 1  [tcp.flags.syn @46+2 mask 0x2]"),
        "{out}"
    );
    assert!(
        out.contains("0000  00 00 ba 5e ba 11 00 60  97 07 c0 ff 08 00 45 00"),
        "{out}"
    );
    let o = run(&["show", p.to_str().expect("utf-8 path"), "-n", "9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("there is no packet 9"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn info_reports_format_counts_and_times() {
    let p = write_temp("hs-info.pcap", &handshake());
    let o = run(&["info", p.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("pcap 2.4, little-endian, microsecond"),
        "{out}"
    );
    assert!(out.contains("Packets:    3"), "{out}");
    assert!(out.contains("Bytes:      192 captured"), "{out}");
    assert!(out.contains("1 (Ethernet)"), "{out}");
}

#[test]
fn truncated_file_keeps_the_packets_read_and_exits_1() {
    let mut bytes = handshake();
    bytes.truncate(bytes.len() - 10);
    let p = write_temp("cut.pcap", &bytes);
    let o = run(&["packets", p.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 2);
    let err = stderr(&o);
    assert!(err.contains("record 3"), "{err}");
}

#[test]
fn unrecognised_file_exits_2_and_says_what_it_looks_like() {
    let p = write_temp(
        "page.pcap",
        b"<!DOCTYPE html><html><body>not a capture</body></html>\n",
    );
    let o = run(&["info", p.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).to_lowercase().contains("html"), "{}", stderr(&o));
}

/// What a person sees for damaged and foreign files: one stderr line, the packets read before
/// the damage on stdout, and the exit status (2 unreadable, 1 read in part). The reader's own
/// table (`crate/src/capture/tests.rs`) covers every message; these check that the CLI passes
/// them through whole, for the commands that read a capture.
#[test]
fn bad_files_get_one_clear_stderr_line() {
    let good = handshake();
    let mut cut = good.clone();
    cut.truncate(good.len() - 10);
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    gz.extend_from_slice(b"\xff\xff\xff garbage, not deflate");
    let cases: Vec<(&str, Vec<u8>, i32, usize, String)> = vec![
        ("empty.pcap", vec![], 2, 0, "the file is empty (0 bytes)".into()),
        (
            "notes.txt",
            b"meeting notes\nbring the capture\n".to_vec(),
            2,
            0,
            "not a pcap or pcapng file: it starts with text ('meeting notes'), not the binary header of a capture".into(),
        ),
        (
            "download.pcap",
            b"<!DOCTYPE html><html><body>not a capture</body></html>\n".to_vec(),
            2,
            0,
            "not a pcap or pcapng file: it starts with text ('<!DOCTYPE html><html><body>not a capture</body></html>'), which looks like an HTML page (perhaps a download link saved instead of the file)".into(),
        ),
        (
            "trace.snoop",
            b"snoop\0\0\0\0\0\0\x02\0\0\0\x04".to_vec(),
            2,
            0,
            "not a pcap or pcapng file: it starts with 73 6e 6f 6f 70 00 00 00, which is a Sun/Solaris snoop capture, which tracelens does not read; Wireshark can save it as pcapng".into(),
        ),
        (
            "header.pcap",
            good[..20].to_vec(),
            2,
            0,
            "the pcap file header is cut short: the file has 20 of its 24 bytes".into(),
        ),
        (
            "garbage.pcap.gz",
            gz,
            2,
            0,
            "the gzip data is damaged in member 1 after 0 good bytes (deflate decompression error)".into(),
        ),
        (
            "cut.pcap",
            cut,
            1,
            2,
            "record 3 at byte 176 claims 72 bytes, but the capture ends after 62 of them".into(),
        ),
    ];
    for (name, bytes, code, lines, message) in cases {
        let p = write_temp(name, &bytes);
        for cmd in ["packets", "info", "findings"] {
            let o = run(&[cmd, p.to_str().expect("utf-8 path")]);
            assert_eq!(
                stderr(&o),
                format!("tracelens: {message}\n"),
                "{cmd} {name}"
            );
            assert_eq!(o.status.code(), Some(code), "{cmd} {name}");
            if cmd == "packets" {
                assert_eq!(stdout(&o).lines().count(), lines, "{name}");
            }
        }
    }
}

/// The ICMP port unreachable printed in the firewall FAQ (seed 003): an Ethernet frame whose
/// ICMP error quotes a UDP header 2215 -> 31001 that claims 51 bytes.
const FAQ_ICMP_DUMP: &str = "\
 00 00 BA 5E BA 11 00 60 97 07 C0 FF 08 00 45 00
 00 38 6F DF 00 00 80 01 B4 12 0A 00 01 0B 0A 00
 01 C9 03 03 C2 D2 00 00 00 00 45 00 00 47 07 F0
 00 00 80 11 1B E3 0A 00 01 C9 0A 00 01 0B 08 A7
 79 19 00 33 B8 36
";

#[test]
fn hex_decodes_the_faq_icmp_port_unreachable() {
    let o = run_stdin(&["hex"], FAQ_ICMP_DUMP);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("decoded as Ethernet"), "{out}");
    assert!(
        out.contains("ICMP 10.0.1.11 udp port 31001 unreachable"),
        "{out}"
    );
    assert!(out.contains("[quoted in the ICMP error]"), "{out}");
    assert!(
        out.contains("Source port: 2215  [udp.srcport @62+2]"),
        "{out}"
    );
    assert!(out.contains("Length: 51  [udp.length @66+2]"), "{out}");
}

/// The two port 31789 packets from the tcpdump slides (seed 004): raw IP, one byte of UDP data,
/// IP and UDP lengths that agree, and padding that is not zero.
const SLIDES_31789_DUMP: &str = "\
12:13:10.570000 1.2.3.4.31790 > 192.168.21.63.31789: udp 1
4500 001d a932 0000 7311 10cf 0102 0304
c0a4 153f 7c2e 7c2d 0009 38b1 413b 0000
0001 0000 0000 0000 0356 4752 0341
";

#[test]
fn hex_decodes_the_31789_packet_with_nonzero_padding() {
    let o = run_stdin(&["hex"], SLIDES_31789_DUMP);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("decoded as raw IP"), "{out}");
    assert!(
        out.contains("IP 1.2.3.4.31790 > 192.164.21.63.31789: UDP, length 1"),
        "{out}"
    );
    assert!(out.contains("Total length: 29  [ip.len @2+2]"), "{out}");
    assert!(out.contains("Length: 9  [udp.length @24+2]"), "{out}");
    assert!(
        out.contains("Padding: 17 bytes, NOT all zero  [eth.padding @29+17]"),
        "{out}"
    );
}

#[test]
fn hex_rejects_text_without_bytes() {
    let o = run_stdin(&["hex"], "nothing to see here\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no hex bytes"), "{}", stderr(&o));
}

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    p.is_dir().then_some(p)
}

/// A real capture: our per-packet lines against tcpdump's own expected output shipped with it.
#[test]
fn corpus_capture_matches_tcpdump_line_for_line() {
    let Some(c) = corpus() else {
        eprintln!("skipped: ../shared/corpus not found");
        return;
    };
    let file = c.join("tcpdump/tests/802.1ad_QinQ.pcap");
    let o = run(&["packets", file.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let expected = std::fs::read_to_string(c.join("tcpdump/tests/802.1ad_QinQ.out")).expect("out");
    assert_eq!(stdout(&o).lines().count(), expected.lines().count());
}

#[test]
fn hex_explain_reads_the_faq_error_as_a_closed_udp_port() {
    let o = run_stdin(&["hex", "--explain"], FAQ_ICMP_DUMP);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // The quoted header: 2215 -> 31001, UDP length 51 (20 + 51 = the quoted IP length of 71).
    assert!(out.contains("Length: 51  [udp.length @66+2]"), "{out}");
    assert!(out.contains("Total length: 71  [ip.len @44+2]"), "{out}");
    assert!(out.contains("(icmp.unreach.port)"), "{out}");
    assert!(out.contains("UDP port 31001"), "{out}");
    assert!(out.contains("port 2215"), "{out}");
    assert!(out.contains("Evidence: packet 1"), "{out}");
    assert!(out.contains("Sources: "), "{out}");
}

#[test]
fn hex_explain_flags_the_31789_padding_and_finds_the_lengths_consistent() {
    let o = run_stdin(&["hex", "--explain"], SLIDES_31789_DUMP);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("a 1-byte UDP datagram"), "{out}");
    assert!(out.contains("(anom.eth.padding_nonzero)"), "{out}");
    assert!(
        out.contains("Evidence: packet 1 eth.padding (bytes 29-45)"),
        "{out}"
    );
    // IP says 29 bytes = 20 + UDP's 9 = 8 + 1: the lengths agree, so no length finding.
    assert!(!out.contains("(anom.udp."), "{out}");
    assert!(!out.contains("(anom.ip.len"), "{out}");
}

#[test]
fn explain_json_follows_the_documented_schema() {
    let p = write_temp("hs-explain.pcap", &handshake());
    let o = run(&[
        "explain",
        p.to_str().expect("utf-8 path"),
        "--json",
        "--packet",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r["packet"], 1);
    assert!(
        r["narrative"]
            .as_str()
            .unwrap_or("")
            .contains("192.168.5.132"),
        "{r}"
    );
    let f = r["findings"].as_array().expect("findings");
    let syn = f
        .iter()
        .find(|f| f["id"] == "tcp.flags.syn")
        .expect("SYN explained");
    for key in [
        "severity",
        "title",
        "text",
        "next",
        "evidence",
        "references",
    ] {
        assert!(syn.get(key).is_some(), "missing {key} in {syn}");
    }
    assert_eq!(syn["evidence"][0]["field"], "tcp.flags");
    assert_eq!(syn["evidence"][0]["offset"], 46);
    assert_eq!(syn["evidence"][0]["length"], 2);
}

#[test]
fn findings_groups_per_packet_findings_by_id() {
    // Two SYNs to the same proxy port: one group with both packets, not two entries.
    let c = [10, 9, 9, 9];
    let s = [192, 168, 5, 132];
    let bytes = pcap(
        1,
        &[
            (1_000_000_000, 0, tcp_frame(c, s, 2097, 3128, 1, 0x02, b"")),
            (1_000_000_001, 0, tcp_frame(c, s, 2098, 3128, 2, 0x02, b"")),
        ],
    );
    let p = write_temp("findings.pcap", &bytes);
    let o = run(&["findings", p.to_str().expect("utf-8 path"), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("one JSON document");
    let groups = v["per_packet"].as_array().expect("per_packet");
    let syn = groups
        .iter()
        .find(|g| g["id"] == "tcp.flags.syn")
        .expect("SYN group");
    assert_eq!(syn["count"], 2);
    assert_eq!(syn["packets"], serde_json::json!([1, 2]));
    assert!(v["detections"].is_array());
    let o = run(&["findings", p.to_str().expect("utf-8 path")]);
    assert!(stdout(&o).contains("2 packet(s): 1, 2"), "{}", stdout(&o));
}

#[test]
fn flows_and_summary_read_the_conversation() {
    let p = write_temp("hs-flows.pcap", &handshake());
    let o = run(&["flows", p.to_str().expect("utf-8 path"), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let flows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    // SYN to 32775 answered by a reset (refused), then a separate data segment to port 80.
    assert_eq!(flows.len(), 2, "{flows:?}");
    assert_eq!(flows[0]["orig_packets"], 1);
    assert_eq!(flows[0]["resp_packets"], 1);
    let o = run(&["flows", p.to_str().expect("utf-8 path")]);
    assert!(
        stdout(&o).contains("refused with a reset"),
        "{}",
        stdout(&o)
    );
    let o = run(&["summary", p.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("3 packets"), "{out}");
    assert!(out.contains("2 conversations"), "{out}");
}

#[test]
fn explain_places_a_packet_in_its_conversation() {
    let p = write_temp("hs-context.pcap", &handshake());
    let o = run(&["explain", p.to_str().expect("utf-8 path"), "--packet", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("It belongs to conversation #0"), "{out}");
    assert!(out.contains("refused with a reset"), "{out}");
}

#[test]
fn report_writes_markdown_or_one_html_page() {
    let p = write_temp("hs-report.pcap", &handshake());
    let path = p.to_str().expect("utf-8 path");
    let o = run(&["report", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = stdout(&o);
    assert!(
        md.starts_with("# tracelens report: hs-report.pcap\n"),
        "{md}"
    );
    assert!(
        md.contains("- **Capture:** pcap (microsecond timestamps), 3 packets, 192 bytes captured"),
        "{md}"
    );
    assert!(md.contains("## Findings in single packets"), "{md}");
    // The SYN of packet 1 is a per-packet finding; its packet is listed.
    assert!(md.contains("Connection request (SYN)"), "{md}");
    assert!(md.contains("- **Packets:** 1 packet: 1\n"), "{md}");
    let o = run(&["report", "--html", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Content-Security-Policy"));
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert!(page.contains("<h1>tracelens report: hs-report.pcap</h1>"));
}

#[test]
fn follow_prints_the_stream_of_a_packet() {
    let p = write_temp("hs-follow.pcap", &handshake());
    let path = p.to_str().expect("utf-8 path");
    let o = run(&["follow", "-n", "3", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("TCP stream 10.9.9.9:2097 <-> 192.168.5.132:80: 1 packet;"),
        "{out}"
    );
    assert!(
        out.contains(
            "\u{2500}\u{2500} 10.9.9.9:2097 \u{2192} 192.168.5.132:80 (packet 3, 18 bytes) \u{2500}\u{2500}\nGET / HTTP/1.0\n\n"
        ),
        "{out}"
    );
    let o = run(&["follow", "--hex", "-n", "3", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a  GET / HTTP/1.0.."
        ),
        "{}",
        stdout(&o)
    );
    // An ARP frame belongs to no stream; a missing number is a usage error.
    let mut arp = vec![0xff; 6];
    arp.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0x08, 0x06]);
    arp.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1]);
    arp.extend_from_slice(&[0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
    arp.resize(60, 0);
    let q = write_temp("arp-follow.pcap", &pcap(1, &[(1, 0, arp)]));
    let o = run(&["follow", "-n", "1", q.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("packet 1 is not TCP or UDP"),
        "{}",
        stderr(&o)
    );
    let o = run(&["follow", "-n", "9", path]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("there is no packet 9"),
        "{}",
        stderr(&o)
    );
    assert_eq!(run(&["follow", path]).status.code(), Some(2));
}

/// `packets` output without the packet numbers, which an export renumbers.
fn lines_without_numbers(path: &Path) -> Vec<String> {
    let o = run(&["packets", path.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| {
            l.trim_start()
                .split_once(' ')
                .map_or("", |x| x.1)
                .to_string()
        })
        .collect()
}

#[test]
fn export_writes_the_packets_back_out() {
    let src = write_temp("hs-export.pcap", &handshake());
    let out = src.with_file_name("hs-exported.pcap");
    let o = run(&[
        "export",
        "-o",
        out.to_str().expect("utf-8 path"),
        src.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("wrote 3 packets to "),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("(pcap, link type 1)"), "{}", stdout(&o));
    assert_eq!(lines_without_numbers(&out), lines_without_numbers(&src));
    let info = stdout(&run(&["info", out.to_str().expect("utf-8 path")]));
    assert!(info.contains("nanosecond timestamps"), "{info}");
    assert!(info.contains("Packets:    3"), "{info}");

    // A range: packets 2 and 3 only.
    let part = src.with_file_name("hs-part.pcap");
    let o = run(&[
        "export",
        "-n",
        "2-3",
        "-o",
        part.to_str().expect("utf-8 path"),
        src.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("wrote 2 packets"), "{}", stdout(&o));
    assert_eq!(
        lines_without_numbers(&part),
        lines_without_numbers(&src)[1..].to_vec()
    );

    // A display filter: only the packets it keeps, the same ones `packets -Y` lists.
    let syns = src.with_file_name("hs-syn.pcap");
    let o = run(&[
        "export",
        "-Y",
        "tcp.flags.syn == 1",
        "-o",
        syns.to_str().expect("utf-8 path"),
        src.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("wrote 1 packet to"),
        "{}",
        stdout(&o)
    );
    let listed = run(&[
        "packets",
        src.to_str().expect("utf-8 path"),
        "-Y",
        "tcp.flags.syn == 1",
    ]);
    let listed: Vec<String> = stdout(&listed)
        .lines()
        .map(|l| {
            l.trim_start()
                .split_once(' ')
                .map_or("", |x| x.1)
                .to_string()
        })
        .collect();
    assert_eq!(lines_without_numbers(&syns), listed);
    let o = run(&[
        "export",
        "-Y",
        "tcp.flags.syn ==",
        "-o",
        syns.to_str().expect("utf-8 path"),
        src.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad filter"), "{}", stderr(&o));

    // Bad ranges, a missing output and writing over the input are refused.
    for args in [
        vec!["export", "-n", "3-2", "-o", "x.pcap"],
        vec!["export", "-n", "0", "-o", "x.pcap"],
        vec!["export"],
    ] {
        let mut a = args.clone();
        a.push(src.to_str().expect("utf-8 path"));
        assert_eq!(run(&a).status.code(), Some(2), "{a:?}");
    }
    let o = run(&[
        "export",
        "-o",
        src.to_str().expect("utf-8 path"),
        src.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&src).expect("input kept"), handshake());
}

/// The analysis runs its two halves on two threads for a regular file and on one otherwise (or
/// with TRACELENS_THREADS=1): every command built on it must print the same either way, for
/// whole files and for a file cut short.
#[test]
fn one_thread_and_two_give_the_same_analysis() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/captures/detect");
    let mut files: Vec<PathBuf> = ["scans.pcap", "floods.pcap", "traceroute.pcap", "flows.pcap"]
        .iter()
        .map(|n| dir.join(n))
        .collect();
    let whole = std::fs::read(dir.join("flows.pcap")).expect("flows.pcap");
    files.push(write_temp("cut-flows.pcap", &whole[..whole.len() - 7]));
    for file in &files {
        let f = file.to_str().expect("utf-8 path");
        for cmd in [
            &["findings", f][..],
            &["findings", "--json", f],
            &["summary", f],
            &["flows", f],
            &["report", f],
        ] {
            let by = |threads: &str| {
                bin()
                    .args(cmd)
                    .env("TRACELENS_THREADS", threads)
                    .output()
                    .expect("run tracelens")
            };
            let (one, two) = (by("1"), by("2"));
            assert!(!stdout(&one).is_empty(), "{cmd:?}: no output");
            assert_eq!(one.status.code(), two.status.code(), "{cmd:?}");
            assert_eq!(stdout(&one), stdout(&two), "{cmd:?}");
            assert_eq!(stderr(&one), stderr(&two), "{cmd:?}");
        }
    }
}
