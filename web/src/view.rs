//! What the page draws for a packet, computed in the worker from the packet's bytes on demand:
//! a list row (addresses, protocol, summary) and the detail (field tree with meanings, bytes,
//! narrative and findings).
//!
//! Owns the choice of columns and the translation from the core's dissection into the small
//! serialisable views of `protocol`. It must never keep what it computes (the index is the only
//! per-packet state) and never read raw bytes to find fields: the dissection says where they are.

use crate::protocol::{
    AnalysisView, ConversationView, Detail, EvidenceView, FieldView, FindingView, GroupView,
    LayerView, Level, MarkView, ProtoView, Row, TalkerView, TimelineView,
};
use crate::reader::{Entry, Index, Results};
use tracelens::capture::Timestamp;
use tracelens::decode::{decode_with_len, Dissection, Layer};
use tracelens::explain::{explain_packet, fields::meaning};
use tracelens::render::fmt_relative;
use tracelens::summary::summary_line;

fn dissect(e: &Entry, data: &[u8]) -> Dissection {
    let orig = usize::try_from(e.orig_len).unwrap_or(usize::MAX);
    decode_with_len(data, e.link_type, orig)
}

fn nanos(t: Timestamp) -> i128 {
    i128::from(t.secs) * 1_000_000_000 + i128::from(t.nanos)
}

fn rel_time(ix: &Index, ts: Timestamp) -> String {
    let first = ix.first_ts.unwrap_or(ts);
    fmt_relative(nanos(ts) - nanos(first))
}

/// Time since the packet captured just before (Wireshark's "delta time").
fn delta_time(ix: &Index, number: u64) -> String {
    let now = ix.get(number).map(|e| e.ts);
    let before = number
        .checked_sub(1)
        .and_then(|n| ix.get(n))
        .map(|e| e.ts)
        .or(now);
    match (now, before) {
        (Some(a), Some(b)) => fmt_relative(nanos(a) - nanos(b)),
        _ => String::new(),
    }
}

/// True when the packet carries TCP or UDP outside any quoted header, so its stream can be
/// followed.
fn followable(d: &Dissection) -> bool {
    d.layers
        .iter()
        .any(|l| !l.quoted && matches!(l.proto, "tcp" | "udp"))
}

/// Packet `number` decoded from its captured bytes `data`.
pub fn dissect_packet(ix: &Index, number: u64, data: &[u8]) -> Option<Dissection> {
    Some(dissect(ix.get(number)?, data))
}

/// Layers that say nothing about which protocol a packet carries: left out of the column.
fn is_filler(proto: &str) -> bool {
    matches!(proto, "data" | "trailer" | "_ws.lax")
}

/// The Protocol column: the innermost protocol decoded, named as Wireshark's column names it.
pub fn protocol_name(d: &Dissection) -> String {
    let Some(l) = d
        .layers
        .iter()
        .rev()
        .find(|l| !l.quoted && !is_filler(l.proto))
    else {
        return d
            .layers
            .first()
            .map(|l| l.proto.to_uppercase())
            .unwrap_or_default();
    };
    match l.proto {
        "ip" => "IPv4".to_string(),
        "ipv6" => "IPv6".to_string(),
        "icmpv6" => "ICMPv6".to_string(),
        "wlan" | "wlan.mgt" => "802.11".to_string(),
        "pppoes" => "PPPoES".to_string(),
        p => p.to_uppercase(),
    }
}

/// Source and Destination columns: the innermost network-layer addresses (as tcpdump's line
/// reads), else ARP's protocol addresses, else the link addresses.
pub fn endpoints(d: &Dissection) -> (String, String) {
    let outer: Vec<&Layer> = d.layers.iter().filter(|l| !l.quoted).collect();
    let pair = |l: &Layer, a: &str, b: &str| -> Option<(String, String)> {
        let s = l.get(a)?.to_string();
        let t = l.get(b)?.to_string();
        Some((s, t))
    };
    for l in outer.iter().rev() {
        let found = match l.proto {
            "ip" => pair(l, "ip.src", "ip.dst"),
            "ipv6" => pair(l, "ipv6.src", "ipv6.dst"),
            "arp" => pair(l, "arp.src.proto_ipv4", "arp.dst.proto_ipv4"),
            _ => None,
        };
        if let Some(p) = found {
            return p;
        }
    }
    for l in &outer {
        let found = match l.proto {
            "eth" => pair(l, "eth.src", "eth.dst"),
            "wlan" => pair(l, "wlan.sa", "wlan.da").or_else(|| pair(l, "wlan.ta", "wlan.ra")),
            _ => None,
        };
        if let Some(p) = found {
            return p;
        }
    }
    (String::new(), String::new())
}

/// The list row of packet `number`, whose captured bytes are `data`.
pub fn row(ix: &Index, number: u64, data: &[u8]) -> Option<Row> {
    let e = ix.get(number)?;
    let d = dissect(e, data);
    let (src, dst) = endpoints(&d);
    let summary = summary_line(&d);
    let info = info(&summary, &src, &dst);
    Some(Row {
        number,
        rel: rel_time(ix, e.ts),
        delta: delta_time(ix, number),
        secs: e.ts.secs,
        nanos: e.ts.nanos,
        src,
        dst,
        proto: protocol_name(&d),
        len: e.orig_len,
        info,
        summary,
        level: e.level(),
    })
}

/// The summary line without the addresses the list's own columns show: `IP a.1 > b.2: text`
/// becomes `1 > 2: text`, and `IP a > b: text` becomes `text`. Lines of another shape (ARP,
/// tunnels whose inner addresses differ from the columns) are kept whole.
pub fn info(summary: &str, src: &str, dst: &str) -> String {
    /// After an address: an optional `.port`, then `sep`.
    fn port_then<'a>(s: &'a str, sep: &str) -> Option<(Option<&'a str>, &'a str)> {
        if let Some(rest) = s.strip_prefix(sep) {
            return Some((None, rest));
        }
        let digits = s.strip_prefix('.')?;
        let end = digits.find(|c: char| !c.is_ascii_digit())?;
        let (port, rest) = digits.split_at(end);
        if port.is_empty() {
            return None;
        }
        Some((Some(port), rest.strip_prefix(sep)?))
    }
    let shorter = || {
        let rest = summary
            .strip_prefix("IP6 ")
            .or_else(|| summary.strip_prefix("IP "))?;
        let (sport, rest) = port_then(rest.strip_prefix(src)?, " > ")?;
        let (dport, text) = port_then(rest.strip_prefix(dst)?, ": ")?;
        match (sport, dport) {
            (Some(s), Some(d)) => Some(format!("{s} > {d}: {text}")),
            (None, None) => Some(text.to_string()),
            _ => None,
        }
    };
    shorter().unwrap_or_else(|| summary.to_string())
}

/// Everything the detail panes show for packet `number`; `context` places it in its
/// conversation and detections (empty while the file is still being read).
pub fn detail(ix: &Index, number: u64, data: &[u8], context: String) -> Option<Detail> {
    let e = ix.get(number)?;
    let d = dissect(e, data);
    let ex = explain_packet(number, &d);
    let layers = d
        .layers
        .iter()
        .map(|l| LayerView {
            proto: l.proto.to_string(),
            title: l.title.to_string(),
            offset: l.offset,
            len: l.len,
            quoted: l.quoted,
            error: l
                .error
                .as_ref()
                .map(|err| format!("{} (at byte {})", err.message, err.offset)),
            fields: l
                .fields
                .iter()
                .map(|f| FieldView {
                    name: f.name.to_string(),
                    label: f.label.to_string(),
                    value: f.shown(),
                    offset: f.offset,
                    len: f.len,
                    mask: f.mask,
                    depth: f.depth,
                    meaning: meaning(f, &d),
                })
                .collect(),
        })
        .collect();
    let findings = ex
        .findings
        .iter()
        .map(|f| FindingView {
            id: f.id.clone(),
            level: Level::from_severity(Some(f.severity)),
            title: f.title.clone(),
            text: f.text.clone(),
            next: f.next.clone(),
            benign: f.benign.clone(),
            references: f.references.clone(),
            // Per-packet explanations only cite this packet; anything else cannot be shown here.
            evidence: f
                .evidence
                .iter()
                .filter(|ev| ev.packet == number)
                .map(|ev| EvidenceView {
                    field: ev.field.clone(),
                    offset: ev.offset,
                    len: ev.length,
                })
                .collect(),
        })
        .collect();
    let link = tracelens::decode::linktype::name(e.link_type)
        .map(str::to_string)
        .unwrap_or_else(|| format!("link type {}", e.link_type));
    Some(Detail {
        number,
        secs: e.ts.secs,
        nanos: e.ts.nanos,
        rel: rel_time(ix, e.ts),
        cap_len: e.cap_len,
        orig_len: e.orig_len,
        link,
        summary: summary_line(&d),
        layers,
        bytes: data.to_vec(),
        narrative: ex.narrative,
        context,
        findings,
        followable: followable(&d),
    })
}

/// Most buckets of the timeline: enough to see bursts, few enough to draw as one SVG.
pub const TIMELINE_BUCKETS: usize = 240;

/// The smallest of 1, 2 or 5 times a power of ten that is at least `min` seconds (and at least
/// a microsecond), so bucket edges fall on round times.
pub fn nice_step(min: f64) -> f64 {
    let min = if min.is_finite() { min.max(1e-6) } else { 1.0 };
    let mut p = 10f64.powf(min.log10().floor());
    loop {
        for m in [1.0, 2.0, 5.0] {
            if m * p >= min * (1.0 - 1e-9) {
                return m * p;
            }
        }
        p *= 10.0;
    }
}

/// Packets per time bucket over the capture, with each finding marked where its first packet
/// falls. At most [`TIMELINE_BUCKETS`] buckets of a round width: milliseconds for a burst,
/// minutes for a day.
pub fn timeline(ix: &Index, groups: &[GroupView]) -> TimelineView {
    let (Some(first), Some(last)) = (ix.first_ts, ix.entries.iter().map(|e| e.ts).max()) else {
        return TimelineView::default();
    };
    let span = (nanos(last) - nanos(first)).max(0) as f64 / 1e9;
    let bucket_secs = nice_step(span / TIMELINE_BUCKETS as f64);
    let n = ((span / bucket_secs).floor() as usize + 1).min(TIMELINE_BUCKETS + 1);
    let bucket_of = |ts: Timestamp| -> usize {
        let t = (nanos(ts) - nanos(first)).max(0) as f64 / 1e9;
        ((t / bucket_secs).floor() as usize).min(n - 1)
    };
    let mut counts = vec![0u64; n];
    for e in &ix.entries {
        if let Some(c) = counts.get_mut(bucket_of(e.ts)) {
            *c += 1;
        }
    }
    // Worst last, so it is drawn on top where markers share a bucket.
    let marks = groups
        .iter()
        .rev()
        .filter_map(|g| {
            let p = *g.packets.first()?;
            Some(MarkView {
                bucket: bucket_of(ix.get(p)?.ts),
                level: g.level,
                packet: p,
                title: g.title.clone(),
            })
        })
        .collect();
    TimelineView {
        span_secs: span,
        bucket_secs,
        counts,
        marks,
    }
}

/// The overview and findings of the whole capture, as the page shows them.
pub fn analysis(ix: &Index, r: &Results) -> AnalysisView {
    let level = |s| Level::from_severity(Some(s));
    let mut groups: Vec<GroupView> = r
        .findings
        .detections
        .iter()
        .map(|d| GroupView {
            id: d.finding.id.clone(),
            level: level(d.finding.severity),
            title: d.finding.title.clone(),
            text: d.finding.text.clone(),
            next: d.finding.next.clone(),
            benign: d.finding.benign.clone(),
            references: d.finding.references.clone(),
            count: d.packets.len() as u64,
            packets: d.packets.clone(),
            detection: true,
            key: d.key.clone(),
        })
        .chain(r.findings.per_packet.iter().map(|g| GroupView {
            id: g.first.id.clone(),
            level: level(g.first.severity),
            title: g.first.title.clone(),
            text: g.first.text.clone(),
            next: g.first.next.clone(),
            benign: g.first.benign.clone(),
            references: g.first.references.clone(),
            count: g.count,
            packets: g.packets.clone(),
            detection: false,
            key: String::new(),
        }))
        .collect();
    // Worst first; among equals, detections (which sum up many packets) before single packets.
    groups.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then(b.detection.cmp(&a.detection))
            .then(a.packets.first().cmp(&b.packets.first()))
    });
    let o = &r.overview;
    let flows = r.analysis.flows();
    AnalysisView {
        packets: o.packets,
        bytes: o.bytes,
        first: o.first.clone(),
        last: o.last.clone(),
        duration_secs: o.duration_secs,
        damaged_packets: o.damaged_packets,
        account: o.account.clone(),
        timeline: timeline(ix, &groups),
        groups,
        protocols: o
            .protocols
            .iter()
            .map(|p| ProtoView {
                depth: p.depth,
                proto: p.proto.clone(),
                packets: p.packets,
                bytes: p.bytes,
                percent: p.percent,
            })
            .collect(),
        talkers: o
            .talkers
            .iter()
            .map(|t| TalkerView {
                host: t.host.to_string(),
                packets_sent: t.packets_sent,
                packets_received: t.packets_received,
                bytes_sent: t.bytes_sent,
                bytes_received: t.bytes_received,
                conversations: t.conversations,
            })
            .collect(),
        conversations_total: o.conversations.total,
        conversations: o
            .conversations
            .top
            .iter()
            .map(|c| ConversationView {
                proto: c.proto.clone(),
                label: c.label.clone(),
                packets: c.packets,
                bytes: c.bytes,
                duration_secs: c.duration_secs,
                state: c.state.code().to_string(),
                history: c.history.clone(),
                reading: c.reading.clone(),
                first_packet: flows.flow(c.flow).map(|f| f.first_packet).unwrap_or(0),
            })
            .collect(),
        tcp_states: o
            .conversations
            .tcp_states
            .iter()
            .map(|t| (t.reading.clone(), t.count))
            .collect(),
    }
}

/// Runs a whole capture through what a first file goes through (reading, analysis, the
/// overview, a screenful of rows, one packet's detail, each as the JSON posted to the page) and
/// returns how many bytes of messages that made. The worker does this with the built-in
/// examples while it waits for a file: browsers compile WebAssembly functions on first call,
/// and that compile time would otherwise land in the time to the first rows.
pub fn rehearse(bytes: &'static [u8]) -> usize {
    use crate::protocol::FromWorker;
    let mut job = crate::reader::Job::new(0);
    job.size = bytes.len() as u64;
    let mut out = job.feed(bytes).to_json().len();
    out += job.finish().to_json().len();
    let ix = &job.index;
    if let Some(r) = job.results.as_ref() {
        let a = FromWorker::Analysis {
            job: 0,
            analysis: Box::new(analysis(ix, r)),
        };
        out += a.to_json().len();
        let rows: Vec<Row> = (1..=ix.len().min(40))
            .filter_map(|n| ix.bytes(n, bytes, 0).and_then(|b| row(ix, n, b)))
            .collect();
        out += FromWorker::Rows {
            job: 0,
            first: 1,
            rows,
        }
        .to_json()
        .len();
        if let Some(d) = ix
            .bytes(1, bytes, 0)
            .and_then(|b| detail(ix, 1, b, r.context(1)))
        {
            out += FromWorker::Detail {
                job: 0,
                detail: Box::new(d),
            }
            .to_json()
            .len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn timeline_steps_are_round() {
        assert_eq!(nice_step(0.0), 1e-6);
        assert!((nice_step(0.116 / 240.0) - 0.0005).abs() < 1e-12);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1.2), 2.0);
        assert_eq!(nice_step(3600.0 / 240.0), 20.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    use super::*;
    use crate::reader::tests::read;

    /// A pcap with one Ethernet + IPv4 + UDP frame.
    fn udp_pcap() -> Vec<u8> {
        let mut v = vec![
            0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, // magic (LE, microseconds), version 2.4
            0, 0, 0, 0, 0, 0, 0, 0, // thiszone, sigfigs
            0xff, 0xff, 0, 0, 1, 0, 0, 0, // snaplen 65535, Ethernet
        ];
        let frame: Vec<u8> = [
            &[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00][..], // eth dst, src, IPv4
            &[0x45, 0, 0, 33],      // version 4, IHL 5, DSCP 0, total length 33
            &[0x12, 0x34, 0x40, 0], // id 0x1234, don't fragment
            &[64, 17, 0x00, 0x00],  // ttl 64, UDP, checksum (fixed below)
            &[10, 0, 0, 1, 10, 0, 0, 3], // 10.0.0.1 -> 10.0.0.3
            &[0x9c, 0x41, 0x27, 0x0f, 0, 13, 0, 0], // 40001 -> 9999, length 13, no checksum
            b"hello",
        ]
        .concat();
        let mut frame = frame;
        let mut sum: u32 = frame[14..34]
            .chunks(2)
            .map(|c| u32::from(c[0]) << 8 | u32::from(c[1]))
            .sum();
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        let ck = !(sum as u16);
        frame[24..26].copy_from_slice(&ck.to_be_bytes());
        v.extend_from_slice(&[10, 0, 0, 0, 0, 0, 0, 0]); // ts 10 s
        v.extend_from_slice(&[47, 0, 0, 0, 47, 0, 0, 0]); // incl_len, orig_len 47
        v.extend_from_slice(&frame);
        v
    }

    #[test]
    fn a_row_has_addresses_protocol_and_summary() {
        let bytes = udp_pcap();
        let (job, _) = read(&bytes, 9);
        let ix = &job.index;
        let (a, b) = ix.span(1, 1).unwrap();
        let data = ix.bytes(1, &bytes[a as usize..b as usize], a).unwrap();
        let r = row(ix, 1, data).unwrap();
        assert_eq!((r.src.as_str(), r.dst.as_str()), ("10.0.0.1", "10.0.0.3"));
        assert_eq!(r.proto, "UDP");
        assert_eq!(r.len, 47);
        assert_eq!(r.rel, "0.000000000");
        assert_eq!((r.secs, r.nanos, r.delta.as_str()), (10, 0, "0.000000000"));
        assert!(
            r.summary.contains("10.0.0.1.40001 > 10.0.0.3.9999"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn detail_keeps_field_ranges_and_explains() {
        let bytes = udp_pcap();
        let (job, _) = read(&bytes, 100);
        let data = &bytes[40..87];
        let d = detail(&job.index, 1, data, String::new()).unwrap();
        assert_eq!(d.bytes, data);
        let ip = d.layers.iter().find(|l| l.proto == "ip").unwrap();
        let src = ip.fields.iter().find(|f| f.name == "ip.src").unwrap();
        // IPv4 source address: bytes 26..30 of the frame (14 Ethernet + 12).
        assert_eq!(
            (src.offset, src.len, src.value.as_str()),
            (26, 4, "10.0.0.1")
        );
        assert!(!d.narrative.is_empty());
        assert_eq!(detail(&job.index, 2, data, String::new()), None);
    }

    #[test]
    fn any_prefix_of_a_frame_gives_a_row_and_detail_without_panic() {
        let bytes = udp_pcap();
        let (job, _) = read(&bytes, 100);
        for cut in 0..=47 {
            let data = &bytes[40..40 + cut];
            assert!(row(&job.index, 1, data).is_some());
            assert!(detail(&job.index, 1, data, String::new()).is_some());
        }
    }

    #[test]
    fn a_rehearsal_goes_all_the_way_to_a_detail() {
        let ex = crate::examples::EXAMPLES
            .iter()
            .find(|e| e.file == "tcp-session.pcap")
            .expect("the example");
        let n = rehearse(ex.bytes);
        // Rows, the overview and a detail with its field tree make well over 10 KB of JSON.
        assert!(n > 10_000, "{n}");
    }

    #[test]
    fn info_drops_the_addresses_the_columns_show() {
        let i = |s: &str, a: &str, b: &str| info(s, a, b);
        assert_eq!(
            i(
                "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1, length 0",
                "10.0.0.1",
                "10.0.0.2"
            ),
            "40000 > 80: Flags [S], seq 1, length 0"
        );
        assert_eq!(
            i(
                "IP6 2001:db8::1.5353 > ff02::fb.5353: UDP, length 9",
                "2001:db8::1",
                "ff02::fb"
            ),
            "5353 > 5353: UDP, length 9"
        );
        assert_eq!(
            i(
                "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64",
                "10.0.0.1",
                "10.0.0.2"
            ),
            "ICMP echo request, id 1, seq 1, length 64"
        );
        // Other shapes stay whole: ARP, and addresses that are not the columns' own.
        let arp = "ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28";
        assert_eq!(i(arp, "02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff"), arp);
        let tunnel = "IP 192.0.2.1 > 192.0.2.2: IP 10.0.0.1 > 10.0.0.2: ICMP echo request";
        assert_eq!(i(tunnel, "10.0.0.1", "10.0.0.2"), tunnel);
        // A prefix of an address is not the address.
        let s = "IP 10.0.0.10.1 > 10.0.0.2.2: UDP, length 1";
        assert_eq!(i(s, "10.0.0.1", "10.0.0.2"), s);
    }
}
