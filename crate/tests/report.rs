//! The findings report: what a crafted capture's report says, and that text from a hostile
//! capture stays text in both the Markdown and the HTML.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use tracelens::analysis::{CaptureAnalysis, Findings};
use tracelens::capture::{read_all, Packet};
use tracelens::detect::overview::Overview;
use tracelens::report::{html, markdown, ReportInput};

fn analyse(packets: &[Packet]) -> (Overview, Findings) {
    let mut a = CaptureAnalysis::new();
    for p in packets {
        a.observe(p);
    }
    let detections = a.finish();
    (a.overview(&detections), a.findings(&detections))
}

/// Both renderings of the report of `packets`.
fn reports(name: &str, packets: &[Packet]) -> (String, String) {
    let (overview, findings) = analyse(packets);
    let input = ReportInput {
        file_name: name,
        info_line: format!("pcap, {} packets", packets.len()),
        overview: &overview,
        findings: &findings,
    };
    (markdown(&input), html(&input))
}

#[test]
fn a_crafted_capture_reports_its_findings_with_their_packets() {
    let packets = common::crafted("detect", "flows.pcap");
    let (overview, findings) = analyse(&packets);
    let (md, page) = reports("flows.pcap", &packets);
    // Every detection and every per-packet group is in both, with its title.
    assert!(!findings.detections.is_empty());
    for d in &findings.detections {
        let t = tracelens::report::escape_markdown(&d.finding.title);
        assert!(md.contains(&t), "markdown lacks {t}");
        let t = tracelens::report::escape_html(&d.finding.title);
        assert!(page.contains(&t), "html lacks {t}");
    }
    for g in &findings.per_packet {
        let t = tracelens::report::escape_markdown(&g.first.title);
        assert!(md.contains(&t), "markdown lacks {t}");
    }
    // The retransmission detected at packet 24 and the lost segment at packets 58 and 64.
    let retrans = findings
        .detections
        .iter()
        .find(|d| d.finding.id == "tcp.analysis.retransmission" && d.packets.contains(&24))
        .expect("retransmission detection at 24");
    let line = format!(
        "- **Packets:** {} packet{}: ",
        retrans.packets.len(),
        if retrans.packets.len() == 1 { "" } else { "s" }
    );
    assert!(md.contains(&line), "{md}");
    assert!(md.contains("24"), "{md}");
    // The layout: title, facts, summary, findings, then the tables.
    let order = [
        "# tracelens report: flows.pcap",
        "- **Capture:** pcap, 73 packets",
        "## Summary",
        "## Findings in single packets",
        "## Findings across packets",
        "## Protocol hierarchy",
        "## Top talkers",
        "## Conversations",
    ];
    let mut at = 0;
    for h in order {
        let i = md[at..]
            .find(h)
            .unwrap_or_else(|| panic!("{h} missing or out of order"));
        at += i + h.len();
    }
    assert!(overview.account[0].starts_with("The capture holds 73 packets"));
    assert!(md.contains("\n\nThe capture holds 73 packets"));
    assert!(md.contains("| Protocol | Packets | Bytes | Share of packets |"));
    assert!(md.contains("| 10.0.0.1 |"), "{md}");
    assert!(page.contains("<h2>Protocol hierarchy</h2>"));
}

#[test]
fn findings_are_listed_worst_first() {
    let packets = common::crafted("detect", "scans.pcap");
    let (md, _) = reports("scans.pcap", &packets);
    let pos = |s: &str| md.find(s);
    let single = md.find("## Findings in single packets").expect("section");
    let across = md.find("## Findings across packets").expect("section");
    for (start, end) in [(single, across), (across, md.len())] {
        let part = &md[start..end];
        let ranks: Vec<usize> = part
            .lines()
            .filter_map(|l| l.strip_prefix("#### ["))
            .map(|l| match l.split(']').next() {
                Some("ALERT") => 0,
                Some("WARNING") => 1,
                Some("NOTICE") => 2,
                _ => 3,
            })
            .collect();
        assert!(!ranks.is_empty());
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    }
    assert!(pos("### Warning (").is_some() || pos("### Alert (").is_some());
}

/// Ethernet + IPv4 + UDP to port 53: a DNS query for `name` (one label) of type AXFR.
fn axfr_query(id: u16, name: &[u8]) -> Vec<u8> {
    let mut dns = Vec::new();
    dns.extend_from_slice(&id.to_be_bytes()); // transaction ID
    dns.extend_from_slice(&[0x00, 0x00]); // flags: standard query
    dns.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // one question
    dns.push(name.len() as u8); // one label
    dns.extend_from_slice(name);
    dns.push(0); // root
    dns.extend_from_slice(&[0, 252, 0, 1]); // type AXFR, class IN
    let udp_len = (8 + dns.len()) as u16;
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]; // Ethernet, IPv4
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&(20 + udp_len).to_be_bytes()); // total length
    f.extend_from_slice(&[0, 1, 0, 0, 64, 17, 0, 0]); // id, TTL, UDP, checksum
    f.extend_from_slice(&[192, 0, 2, 66, 192, 0, 2, 53]); // source, destination
    f.extend_from_slice(&40000u16.to_be_bytes());
    f.extend_from_slice(&53u16.to_be_bytes());
    f.extend_from_slice(&udp_len.to_be_bytes());
    f.extend_from_slice(&[0, 0]); // no checksum
    f.extend_from_slice(&dns);
    f
}

/// A pcap holding the hostile queries.
fn hostile_capture() -> Vec<Packet> {
    let frames = [
        axfr_query(1, b"<script>alert(1)</script>"),
        axfr_query(2, b"a|b*c_d`e<img"),
    ];
    let recs: Vec<tracelens::capture::write::PacketRecord> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| tracelens::capture::write::PacketRecord {
            link_type: 1,
            ts: tracelens::capture::Timestamp {
                secs: 1_700_000_000 + i as i64,
                nanos: 0,
            },
            orig_len: f.len() as u32,
            data: f,
        })
        .collect();
    let cap = read_all(&tracelens::capture::write::pcap_bytes(1, recs));
    assert!(cap.error.is_none());
    cap.packets
}

#[test]
fn a_hostile_dns_name_stays_text_in_both_reports() {
    let packets = hostile_capture();
    let (_, findings) = analyse(&packets);
    let axfr = findings
        .detections
        .iter()
        .find(|d| d.finding.id == "dns.zone_transfer")
        .expect("zone transfer detected");
    assert!(axfr.finding.title.contains("<script>alert(1)</script>"));

    let (md, page) = reports("<b>evil</b>.pcap", &packets);
    let lower = page.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "{page}");
    assert!(!lower.contains("<img"), "{page}");
    assert!(!lower.contains("<b>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("<title>tracelens report: &lt;b&gt;evil&lt;/b&gt;.pcap</title>"));

    assert!(!md.contains("<script"), "{md}");
    assert!(!md.contains("<img"), "{md}");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(md.contains("a\\|b\\*c\\_d\\`e&lt;img"), "{md}");
    assert!(md.starts_with("# tracelens report: &lt;b&gt;evil&lt;/b&gt;.pcap\n"));
}

/// Every tag of an HTML document: (name, the text inside the angle brackets).
fn tags(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let end = after.find('>').expect("every tag is closed");
        let inside = &after[..end];
        let name: String = inside
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        out.push((name.to_ascii_lowercase(), inside.to_string()));
        rest = &after[end + 1..];
    }
    out
}

#[test]
fn the_html_is_one_file_that_fetches_and_runs_nothing() {
    let mut packets = common::crafted("detect", "flows.pcap");
    packets.extend(hostile_capture());
    let (_, page) = reports("mixed.pcap", &packets);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    ));
    let allowed = [
        "!doctype", "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3",
        "h4", "p", "dl", "dt", "dd", "div", "table", "thead", "tbody", "tr", "th", "td", "section",
        "span",
    ];
    let all = tags(&page);
    assert!(all.len() > 100);
    for (name, inside) in &all {
        assert!(
            allowed.contains(&name.as_str()),
            "unexpected tag <{inside}>"
        );
        let lower = inside.to_ascii_lowercase();
        for bad in ["src=", "href=", "http:", "https:", "on", "style="] {
            if bad == "on" {
                // No event handler attributes.
                assert!(
                    !lower
                        .split_whitespace()
                        .skip(1)
                        .any(|a| a.starts_with("on")),
                    "<{inside}>"
                );
            } else {
                assert!(!lower.contains(bad), "<{inside}>");
            }
        }
    }
    // The style sheet loads nothing either.
    let style = &page[page.find("<style>").expect("style")..page.find("</style>").expect("end")];
    assert!(!style.contains("url(") && !style.contains("@import"));
    // Exactly one style element and no other way to pull anything in.
    assert_eq!(
        all.iter()
            .filter(|(n, i)| n == "style" && !i.starts_with('/'))
            .count(),
        1
    );
}

#[test]
fn an_empty_capture_still_makes_a_report() {
    let (md, page) = reports("empty.pcap", &[]);
    assert!(md.contains("The capture holds no packets."));
    assert!(md.contains("## Findings in single packets\n\nNone."));
    assert!(page.contains("<p>The capture holds no packets.</p>"));
}
