//! What the page draws for a packet, computed in the worker from the packet's bytes on demand:
//! a list row (addresses, protocol, summary) and the detail (field tree with meanings, bytes,
//! narrative and findings).
//!
//! Owns the choice of columns and the translation from the core's dissection into the small
//! serialisable views of `protocol`. It must never keep what it computes (the index is the only
//! per-packet state) and never read raw bytes to find fields: the dissection says where they are.

use crate::protocol::{Detail, EvidenceView, FieldView, FindingView, LayerView, Level, Row};
use crate::reader::{Entry, Index};
use tracelens::capture::Timestamp;
use tracelens::decode::{decode_with_len, Dissection, Layer};
use tracelens::explain::{explain_packet, fields::meaning};
use tracelens::render::fmt_relative;
use tracelens::summary::summary_line;

fn dissect(e: &Entry, data: &[u8]) -> Dissection {
    let orig = usize::try_from(e.orig_len).unwrap_or(usize::MAX);
    decode_with_len(data, e.link_type, orig)
}

fn rel_time(ix: &Index, ts: Timestamp) -> String {
    let first = ix.first_ts.unwrap_or(ts);
    let nanos = |t: Timestamp| i128::from(t.secs) * 1_000_000_000 + i128::from(t.nanos);
    fmt_relative(nanos(ts) - nanos(first))
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
    Some(Row {
        number,
        rel: rel_time(ix, e.ts),
        abs: e.ts.format_utc(),
        src,
        dst,
        proto: protocol_name(&d),
        len: e.orig_len,
        summary: summary_line(&d),
        level: e.level(),
    })
}

/// Everything the detail panes show for packet `number`.
pub fn detail(ix: &Index, number: u64, data: &[u8]) -> Option<Detail> {
    let e = ix.get(number)?;
    let d = dissect(e, data);
    let ex = explain_packet(number, &d);
    let layers = d
        .layers
        .iter()
        .map(|l| LayerView {
            proto: l.proto.to_string(),
            title: l.title.clone(),
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
        abs: e.ts.format_utc(),
        rel: rel_time(ix, e.ts),
        cap_len: e.cap_len,
        orig_len: e.orig_len,
        link,
        summary: summary_line(&d),
        layers,
        bytes: data.to_vec(),
        narrative: ex.narrative,
        findings,
    })
}

#[cfg(test)]
mod tests {
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
        assert_eq!(r.abs, "1970-01-01 00:00:10.000000000");
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
        let d = detail(&job.index, 1, data).unwrap();
        assert_eq!(d.bytes, data);
        let ip = d.layers.iter().find(|l| l.proto == "ip").unwrap();
        let src = ip.fields.iter().find(|f| f.name == "ip.src").unwrap();
        // IPv4 source address: bytes 26..30 of the frame (14 Ethernet + 12).
        assert_eq!(
            (src.offset, src.len, src.value.as_str()),
            (26, 4, "10.0.0.1")
        );
        assert!(!d.narrative.is_empty());
        assert_eq!(detail(&job.index, 2, data), None);
    }

    #[test]
    fn any_prefix_of_a_frame_gives_a_row_and_detail_without_panic() {
        let bytes = udp_pcap();
        let (job, _) = read(&bytes, 100);
        for cut in 0..=47 {
            let data = &bytes[40..40 + cut];
            assert!(row(&job.index, 1, data).is_some());
            assert!(detail(&job.index, 1, data).is_some());
        }
    }
}
