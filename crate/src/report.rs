//! The findings report of one capture, as Markdown and as one self-contained HTML file: file
//! facts, the plain account, every finding (per packet, then across packets) worst first with
//! why it matters and what to check, then the protocol hierarchy, top talkers and conversations.
//!
//! Owns the layout and the escaping, and nothing else: the content comes from the analysis
//! ([`crate::analysis::Findings`]) and the overview. The report is first built as plain-text
//! blocks, and each renderer escapes every string it writes, so text from a capture (a DNS name,
//! a host header) can never become markup. The HTML must never load or run anything: no script,
//! no external resource, no link, and a Content-Security-Policy that forbids all but inline
//! style. The report must not depend on when it is made (no wall-clock time), so the same
//! capture always gives the same report.

use crate::analysis::{FindingGroup, Findings};
use crate::capture::{count, thousands};
use crate::detect::overview::{duration_text, Overview};
use crate::detect::RenderedDetection;
use crate::explain::{RenderedFinding, Severity};
use std::fmt::Write as _;

/// Packet numbers listed for one finding before "and N more".
pub const LISTED_PACKETS: usize = 20;
/// Evidence spans listed for one finding.
const LISTED_EVIDENCE: usize = 6;

/// What a report is made from.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    /// The capture's name as the reader knows it (shown, escaped, never opened).
    pub file_name: &'a str,
    /// One line on the file: format, packets, bytes (and a reading problem, if any).
    pub info_line: String,
    pub overview: &'a Overview,
    pub findings: &'a Findings,
}

/// The report as Markdown (CommonMark with GitHub tables).
pub fn markdown(r: &ReportInput) -> String {
    let mut out = String::new();
    for b in model(r) {
        md_block(&b, &mut out);
    }
    out
}

/// The report as one HTML document with its style inline and nothing else to fetch.
pub fn html(r: &ReportInput) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>{}</title>",
        h(&format!("tracelens report: {}", r.file_name))
    );
    out.push_str("<style>\n");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<main>\n");
    for b in model(r) {
        html_block(&b, &mut out);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// A piece of the report; every string is plain text, escaped only when rendered.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    Heading(u8, String),
    Para(String),
    /// Label and value pairs.
    Facts(Vec<(String, String)>),
    Table {
        head: Vec<&'static str>,
        /// Right-aligned (numeric) columns.
        numeric: Vec<bool>,
        rows: Vec<Vec<String>>,
    },
    Finding(Card),
}

#[derive(Debug, Clone, PartialEq)]
struct Card {
    severity: Severity,
    title: String,
    facts: Vec<(&'static str, String)>,
}

const SEVERITIES: [Severity; 4] = [
    Severity::Alert,
    Severity::Warning,
    Severity::Notice,
    Severity::Info,
];

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Alert => "Alert",
        Severity::Warning => "Warning",
        Severity::Notice => "Notice",
        Severity::Info => "Info",
    }
}

/// `1, 5, 9` or, past [`LISTED_PACKETS`], `1, 2, ... 20 and 480 more`.
fn packet_list(packets: &[u64], total: u64) -> String {
    let shown: Vec<String> = packets
        .iter()
        .take(LISTED_PACKETS)
        .map(u64::to_string)
        .collect();
    let more = total.saturating_sub(shown.len() as u64);
    if more > 0 {
        format!("{} and {} more", shown.join(", "), thousands(more))
    } else {
        shown.join(", ")
    }
}

/// The texts every finding has, after its own first lines.
fn finding_facts(f: &RenderedFinding, facts: &mut Vec<(&'static str, String)>) {
    facts.push(("What it shows", f.text.clone()));
    if !f.next.is_empty() {
        facts.push(("Why it matters and what to check next", f.next.clone()));
    }
    if let Some(b) = &f.benign {
        facts.push(("Harmless causes", b.clone()));
    }
    if !f.evidence.is_empty() {
        let mut ev: Vec<String> = f
            .evidence
            .iter()
            .take(LISTED_EVIDENCE)
            .map(|e| {
                let last = e.offset.saturating_add(e.length.max(1)).saturating_sub(1);
                format!(
                    "packet {}: {} (bytes {}-{last})",
                    e.packet, e.field, e.offset
                )
            })
            .collect();
        if f.evidence.len() > LISTED_EVIDENCE {
            ev.push(format!(
                "and {} more",
                f.evidence.len().saturating_sub(LISTED_EVIDENCE)
            ));
        }
        facts.push(("Evidence", ev.join("; ")));
    }
    if !f.references.is_empty() {
        facts.push(("References", f.references.join("; ")));
    }
    facts.push(("Finding id", f.id.clone()));
}

fn group_card(g: &FindingGroup) -> Card {
    let mut facts = vec![(
        "Packets",
        format!(
            "{}: {}",
            count(g.count, "packet", "packets"),
            packet_list(&g.packets, g.count)
        ),
    )];
    finding_facts(&g.first, &mut facts);
    Card {
        severity: g.first.severity,
        title: g.first.title.clone(),
        facts,
    }
}

fn detection_card(d: &RenderedDetection) -> Card {
    let n = d.packets.len() as u64;
    let mut facts = vec![
        (
            "Packets",
            format!(
                "{}: {}",
                count(n, "packet", "packets"),
                packet_list(&d.packets, n)
            ),
        ),
        ("When", format!("{} to {} UTC", d.first, d.last)),
    ];
    finding_facts(&d.finding, &mut facts);
    Card {
        severity: d.finding.severity,
        title: d.finding.title.clone(),
        facts,
    }
}

/// Cards under one heading per severity, worst first.
fn by_severity(cards: Vec<Card>, out: &mut Vec<Block>) {
    for sev in SEVERITIES {
        let these: Vec<&Card> = cards.iter().filter(|c| c.severity == sev).collect();
        if these.is_empty() {
            continue;
        }
        out.push(Block::Heading(
            3,
            format!("{} ({})", severity_word(sev), these.len()),
        ));
        out.push(Block::Para(format!(
            "{}: {}.",
            severity_word(sev),
            sev.meaning()
        )));
        out.extend(these.into_iter().cloned().map(Block::Finding));
    }
}

fn model(r: &ReportInput) -> Vec<Block> {
    let ov = r.overview;
    let f = r.findings;
    let mut b = vec![Block::Heading(
        1,
        format!("tracelens report: {}", r.file_name),
    )];

    let mut facts = vec![
        ("File".to_string(), r.file_name.to_string()),
        ("Capture".to_string(), r.info_line.clone()),
        (
            "Traffic".to_string(),
            format!(
                "{} ({} bytes on the wire)",
                count(ov.packets, "packet", "packets"),
                thousands(ov.bytes)
            ),
        ),
    ];
    if let (Some(a), Some(z)) = (&ov.first, &ov.last) {
        facts.push((
            "Time".to_string(),
            format!("{a} to {z} UTC ({})", duration_text(ov.duration_secs)),
        ));
    }
    if ov.damaged_packets > 0 {
        facts.push((
            "Damaged".to_string(),
            format!(
                "{} did not decode completely",
                count(ov.damaged_packets, "packet", "packets")
            ),
        ));
    }
    let mut counts = Vec::new();
    for sev in SEVERITIES {
        let n = f
            .per_packet
            .iter()
            .filter(|g| g.first.severity == sev)
            .count()
            + f.detections
                .iter()
                .filter(|d| d.finding.severity == sev)
                .count();
        if n > 0 {
            counts.push(format!("{n} {}", sev.as_str()));
        }
    }
    facts.push((
        "Findings".to_string(),
        format!(
            "{} kinds in single packets, {} detections across packets{}",
            thousands(f.per_packet.len() as u64),
            thousands(f.detections.len() as u64),
            if counts.is_empty() {
                String::new()
            } else {
                format!(" ({})", counts.join(", "))
            }
        ),
    ));
    b.push(Block::Facts(facts));

    b.push(Block::Heading(2, "Summary".into()));
    b.extend(ov.account.iter().cloned().map(Block::Para));

    b.push(Block::Heading(2, "Findings in single packets".into()));
    if f.per_packet.is_empty() {
        b.push(Block::Para("None.".into()));
    } else {
        b.push(Block::Para(
            "Grouped by kind, worst first; each text describes the first packet that raised it."
                .into(),
        ));
        by_severity(f.per_packet.iter().map(group_card).collect(), &mut b);
    }

    b.push(Block::Heading(2, "Findings across packets".into()));
    if f.detections.is_empty() {
        b.push(Block::Para(
            "None: no scan, sweep, flood, spoofing or other pattern across packets was detected."
                .into(),
        ));
    } else {
        b.push(Block::Para(
            "Patterns that only show over several packets (scans, sweeps, floods, TCP trouble), worst first."
                .into(),
        ));
        by_severity(f.detections.iter().map(detection_card).collect(), &mut b);
    }

    if !ov.protocols.is_empty() {
        b.push(Block::Heading(2, "Protocol hierarchy".into()));
        b.push(Block::Table {
            head: vec!["Protocol", "Packets", "Bytes", "Share of packets"],
            numeric: vec![false, true, true, true],
            rows: ov
                .protocols
                .iter()
                .map(|p| {
                    vec![
                        // No-break spaces survive both renderers as indentation.
                        format!("{}{}", "\u{a0}\u{a0}\u{a0}".repeat(p.depth), p.proto),
                        thousands(p.packets),
                        thousands(p.bytes),
                        format!("{:.1}%", p.percent),
                    ]
                })
                .collect(),
        });
    }

    if !ov.talkers.is_empty() {
        b.push(Block::Heading(2, "Top talkers".into()));
        b.push(Block::Table {
            head: vec![
                "Host",
                "Packets sent",
                "Bytes sent",
                "Packets received",
                "Bytes received",
                "Conversations",
            ],
            numeric: vec![false, true, true, true, true, true],
            rows: ov
                .talkers
                .iter()
                .map(|t| {
                    vec![
                        t.host.to_string(),
                        thousands(t.packets_sent),
                        thousands(t.bytes_sent),
                        thousands(t.packets_received),
                        thousands(t.bytes_received),
                        thousands(t.conversations),
                    ]
                })
                .collect(),
        });
    }

    let c = &ov.conversations;
    if c.total > 0 {
        b.push(Block::Heading(2, "Conversations".into()));
        let kinds: Vec<String> = c
            .by_proto
            .iter()
            .map(|(k, n)| format!("{} {k}", thousands(*n)))
            .collect();
        let mut p = format!(
            "{} in all ({}).",
            count(c.total, "conversation", "conversations"),
            kinds.join(", ")
        );
        if c.untracked_packets > 0 {
            let _ = write!(
                p,
                " {} fell beyond the flow table's limit and are not counted.",
                count(c.untracked_packets, "packet", "packets")
            );
        }
        b.push(Block::Para(p));
        if !c.tcp_states.is_empty() {
            b.push(Block::Heading(3, "How TCP connections ended".into()));
            b.push(Block::Table {
                head: vec!["State", "Connections", "Meaning"],
                numeric: vec![false, true, false],
                rows: c
                    .tcp_states
                    .iter()
                    .map(|s| {
                        vec![
                            s.state.code().to_string(),
                            thousands(s.count),
                            s.reading.clone(),
                        ]
                    })
                    .collect(),
            });
        }
        if !c.top.is_empty() {
            b.push(Block::Heading(3, "Busiest conversations".into()));
            b.push(Block::Table {
                head: vec![
                    "#",
                    "Protocol",
                    "Endpoints",
                    "Packets",
                    "Bytes",
                    "Duration",
                    "State",
                    "History",
                    "What happened",
                ],
                numeric: vec![true, false, false, true, true, true, false, false, false],
                rows: c
                    .top
                    .iter()
                    .map(|r| {
                        vec![
                            r.flow.to_string(),
                            r.proto.clone(),
                            r.label.clone(),
                            thousands(r.packets),
                            thousands(r.bytes),
                            duration_text(r.duration_secs),
                            r.state.code().to_string(),
                            r.history.clone(),
                            r.reading.clone(),
                        ]
                    })
                    .collect(),
            });
        }
    }

    b.push(Block::Para(format!(
        "Made by tracelens {} from the capture alone.",
        env!("CARGO_PKG_VERSION")
    )));
    b
}

/// Text that may not show as it is: line breaks become spaces and other control characters
/// their `\xNN` form, so one value stays on one line.
fn visible(s: &str, mut push: impl FnMut(char)) {
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => push(' '),
            c if c.is_control() => {
                for e in format!("\\x{:02x}", u32::from(c)).chars() {
                    push(e);
                }
            }
            c => push(c),
        }
    }
}

/// Escapes text for Markdown: every character that could start markup (emphasis, code, links,
/// tables, headings, HTML) is backslash-escaped, and `<`, `>`, `&` become character references,
/// which render as themselves and can never open a tag.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    visible(s, |c| match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '{' | '}' => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    });
    out
}

/// Like [`escape_markdown`], for text that starts a line: a leading `-`, `+`, `=` or `1.` would
/// make a list, a rule or a heading underline.
fn md_line_start(s: &str) -> String {
    let e = escape_markdown(s);
    if e.starts_with(['-', '+', '=']) {
        return format!("\\{e}");
    }
    let digits = e.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        let (num, rest) = e.split_at(digits);
        if rest.starts_with(['.', ')']) {
            return format!("{num}\\{rest}");
        }
    }
    e
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    visible(s, |c| match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    });
    out
}

fn h(s: &str) -> String {
    escape_html(s)
}

fn md_block(b: &Block, out: &mut String) {
    match b {
        Block::Heading(level, text) => {
            let _ = writeln!(
                out,
                "{} {}\n",
                "#".repeat(usize::from(*level)),
                escape_markdown(text)
            );
        }
        Block::Para(text) => {
            let _ = writeln!(out, "{}\n", md_line_start(text));
        }
        Block::Facts(facts) => {
            for (k, v) in facts {
                let _ = writeln!(out, "- **{}:** {}", escape_markdown(k), escape_markdown(v));
            }
            out.push('\n');
        }
        Block::Table {
            head,
            numeric,
            rows,
        } => {
            let cells: Vec<String> = head.iter().map(|c| escape_markdown(c)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
            let rule: Vec<&str> = (0..head.len())
                .map(|i| {
                    if numeric.get(i).copied().unwrap_or(false) {
                        "---:"
                    } else {
                        "---"
                    }
                })
                .collect();
            let _ = writeln!(out, "|{}|", rule.join("|"));
            for row in rows {
                let cells: Vec<String> = row.iter().map(|c| escape_markdown(c)).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
            out.push('\n');
        }
        Block::Finding(card) => {
            let _ = writeln!(
                out,
                "#### [{}] {}\n",
                card.severity.as_str().to_uppercase(),
                escape_markdown(&card.title)
            );
            for (k, v) in &card.facts {
                let _ = writeln!(out, "- **{}:** {}", escape_markdown(k), escape_markdown(v));
            }
            out.push('\n');
        }
    }
}

fn html_block(b: &Block, out: &mut String) {
    match b {
        Block::Heading(level, text) => {
            let _ = writeln!(out, "<h{level}>{}</h{level}>", h(text));
        }
        Block::Para(text) => {
            let _ = writeln!(out, "<p>{}</p>", h(text));
        }
        Block::Facts(facts) => {
            out.push_str("<dl class=\"facts\">\n");
            for (k, v) in facts {
                let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", h(k), h(v));
            }
            out.push_str("</dl>\n");
        }
        Block::Table {
            head,
            numeric,
            rows,
        } => {
            let class = |i: usize| {
                if numeric.get(i).copied().unwrap_or(false) {
                    " class=\"num\""
                } else {
                    ""
                }
            };
            out.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
            for (i, c) in head.iter().enumerate() {
                let _ = write!(out, "<th{}>{}</th>", class(i), h(c));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for row in rows {
                out.push_str("<tr>");
                for (i, c) in row.iter().enumerate() {
                    let _ = write!(out, "<td{}>{}</td>", class(i), h(c));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table></div>\n");
        }
        Block::Finding(card) => {
            let sev = card.severity.as_str();
            let _ = writeln!(
                out,
                "<section class=\"card {sev}\">\n<h4><span class=\"badge\">{sev}</span> {}</h4>\n<dl>",
                h(&card.title)
            );
            for (k, v) in &card.facts {
                let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", h(k), h(v));
            }
            out.push_str("</dl>\n</section>\n");
        }
    }
}

/// Light by default, dark when the reader's system asks for it, plain black on white in print.
const STYLE: &str = r#":root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1d1f21; --muted: #5a5f66; --line: #d5d8dc; --card: #f6f7f8;
  --alert: #b3261e; --warning: #a35200; --notice: #1d5fa8; --info: #2e7d32;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15171a; --fg: #e4e6e8; --muted: #a0a6ad; --line: #3a3f45; --card: #1e2125;
    --alert: #ff8a80; --warning: #ffb74d; --notice: #82b1ff; --info: #81c784;
  }
}
body { background: var(--bg); color: var(--fg); margin: 0;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 70rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; overflow-wrap: anywhere; }
h2 { font-size: 1.3rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; }
h4 { font-size: 1rem; margin: 0 0 .4rem; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.card { background: var(--card); border: 1px solid var(--line); border-left: .35rem solid var(--muted);
  border-radius: .3rem; padding: .7rem 1rem; margin: .8rem 0; }
.card dl { margin: 0; }
.card dt { font-weight: 600; color: var(--muted); font-size: .85rem; margin-top: .35rem; }
.card dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; text-transform: uppercase;
  letter-spacing: .04em; padding: 0 .4rem; border-radius: .2rem; color: var(--bg); background: var(--muted); }
.card.alert { border-left-color: var(--alert); } .card.alert .badge { background: var(--alert); }
.card.warning { border-left-color: var(--warning); } .card.warning .badge { background: var(--warning); }
.card.notice { border-left-color: var(--notice); } .card.notice .badge { background: var(--notice); }
.card.info { border-left-color: var(--info); } .card.info .badge { background: var(--info); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #444444; --line: #999999; --card: #ffffff;
    --alert: #000000; --warning: #000000; --notice: #000000; --info: #000000; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  .card, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .badge { color: #000000; background: none; border: 1px solid #000000; }
  .scroll { overflow: visible; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_neutralises_markup() {
        assert_eq!(
            escape_markdown("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape_markdown("a|b*c_d`e[f](g)#!\\"),
            "a\\|b\\*c\\_d\\`e\\[f\\](g)\\#\\!\\\\"
        );
        assert_eq!(escape_markdown("x &amp; y"), "x &amp;amp; y");
        assert_eq!(escape_markdown("two\nlines\x07"), "two lines\\\\x07");
        assert_eq!(md_line_start("- item"), "\\- item");
        assert_eq!(md_line_start("12. point"), "12\\. point");
        assert_eq!(md_line_start("12 points."), "12 points.");
    }

    #[test]
    fn html_escaping_covers_content_and_attributes() {
        assert_eq!(
            escape_html("<a href=\"x\" onclick='y'>&</a>"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(escape_html("a\r\nb\x00"), "a  b\\x00");
    }

    #[test]
    fn packet_lists_stop_at_twenty() {
        let many: Vec<u64> = (1..=200).collect();
        let s = packet_list(&many, 1500);
        assert!(s.starts_with("1, 2, 3,"));
        assert!(s.ends_with("19, 20 and 1,480 more"), "{s}");
        assert_eq!(packet_list(&[4, 9], 2), "4, 9");
    }

    #[test]
    fn the_style_fetches_nothing() {
        assert!(!STYLE.contains("url("));
        assert!(!STYLE.contains("@import"));
        assert!(STYLE.contains("prefers-color-scheme: dark"));
        assert!(STYLE.contains("@media print"));
    }
}
