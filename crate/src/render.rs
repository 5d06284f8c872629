//! Text and JSON renderings of a decoded frame: the one-object-per-packet JSON with Wireshark
//! field names as keys, the layered field tree with byte ranges, and the hex and ASCII dump.
//! Shared by the command line and the web app so both show the same thing.

use crate::decode::{linktype, Dissection};
use crate::field::Value;
use serde_json::{Map, Value as Json};
use std::fmt::Write;
use std::net::IpAddr;

/// Frame facts that come from the capture file rather than from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameMeta {
    pub number: u64,
    /// Seconds and nanoseconds since 1970 (UTC).
    pub secs: i64,
    pub nanos: u32,
    /// Time since the first packet of the capture, in nanoseconds (may be negative).
    pub rel_nanos: i128,
    pub cap_len: u32,
    pub orig_len: u32,
    pub interface: u32,
    pub link_type: u32,
}

impl FrameMeta {
    /// `1700000000.123456789`: exact, so it is a string rather than a float.
    pub fn epoch(&self) -> String {
        format!("{}.{:09}", self.secs, self.nanos)
    }

    pub fn relative_secs(&self) -> f64 {
        self.rel_nanos as f64 / 1e9
    }
}

/// Formats a relative time in seconds with nanosecond digits, e.g. `0.000123000`.
pub fn fmt_relative(nanos: i128) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    format!("{sign}{}.{:09}", n / 1_000_000_000, n % 1_000_000_000)
}

/// One JSON object for a packet: Wireshark field names as keys, natural JSON values; a field met
/// more than once (tunnels, ICMP-quoted headers) becomes an array, outermost first.
pub fn packet_json(meta: &FrameMeta, d: &Dissection) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("frame.number".into(), meta.number.into());
    m.insert("frame.time_epoch".into(), meta.epoch().into());
    m.insert("frame.time_relative".into(), meta.relative_secs().into());
    m.insert("frame.len".into(), meta.orig_len.into());
    m.insert("frame.cap_len".into(), meta.cap_len.into());
    m.insert("frame.interface_id".into(), meta.interface.into());
    m.insert("frame.link_type".into(), meta.link_type.into());
    let protos: Vec<&str> = d.layers.iter().map(|l| l.proto).collect();
    m.insert("frame.protocols".into(), protos.join(":").into());
    for l in &d.layers {
        for f in &l.fields {
            if f.value == Value::None {
                continue;
            }
            let v = f.value.to_json();
            match m.get_mut(f.name) {
                Some(Json::Array(a)) if !is_frame_key(f.name) => a.push(v),
                Some(old) => {
                    let first = old.take();
                    *old = Json::Array(vec![first, v]);
                }
                None => {
                    m.insert(f.name.to_string(), v);
                }
            }
        }
    }
    if let Some((l, e)) = d.error() {
        m.insert(
            "_ws.malformed".into(),
            format!("{}: {} (at byte {})", l.proto, e.message, e.offset).into(),
        );
    }
    m
}

fn is_frame_key(name: &str) -> bool {
    name.starts_with("frame.")
}

/// The layered field tree: one heading per layer with its byte range, then each field indented
/// by depth with its Wireshark name and the bytes it came from.
pub fn field_tree(meta: &FrameMeta, time_utc: &str, d: &Dissection) -> String {
    field_tree_named(meta, time_utc, d, &[])
}

/// The field tree with host names from the capture (pcapng name resolution blocks) shown beside
/// the addresses they belong to.
pub fn field_tree_named(
    meta: &FrameMeta,
    time_utc: &str,
    d: &Dissection,
    names: &[(IpAddr, String)],
) -> String {
    let mut out = String::new();
    let link = linktype::name(meta.link_type)
        .map(str::to_string)
        .unwrap_or_else(|| format!("link type {}", meta.link_type));
    let _ = writeln!(
        out,
        "Frame {}: {} bytes on the wire, {} captured, interface {}, {link}",
        meta.number, meta.orig_len, meta.cap_len, meta.interface
    );
    let _ = writeln!(
        out,
        "    Arrival time: {time_utc} UTC ({} s after the first packet)",
        fmt_relative(meta.rel_nanos)
    );
    if meta.cap_len < meta.orig_len {
        let _ = writeln!(
            out,
            "    Cut by the snap length: {} of {} bytes captured",
            meta.cap_len, meta.orig_len
        );
    }
    for l in &d.layers {
        let quoted = if l.quoted {
            " [quoted in the ICMP error]"
        } else {
            ""
        };
        let range = if l.len > 0 {
            format!("bytes {}-{}", l.offset, l.offset + l.len - 1)
        } else {
            format!("at byte {}", l.offset)
        };
        let _ = writeln!(out, "{}{quoted}  ({range})", l.title);
        for f in &l.fields {
            let indent = "    ".repeat(usize::from(f.depth) + 1);
            let mut at = format!("{} @{}", f.name, f.offset);
            if f.len > 0 {
                let _ = write!(at, "+{}", f.len);
            }
            if f.mask != 0 {
                let _ = write!(at, " mask 0x{:x}", f.mask);
            }
            let mut shown = f.shown();
            if let Some(n) = name_of(&f.value, names) {
                let _ = write!(shown, " ({})", n);
            }
            if shown.is_empty() {
                let _ = writeln!(out, "{indent}{}  [{at}]", f.label);
            } else {
                let _ = writeln!(out, "{indent}{}: {}  [{at}]", f.label, escape_text(&shown));
            }
            if let Some(m) = crate::explain::fields::meaning(f, d) {
                let _ = writeln!(out, "{indent}    = {}", escape_text(&m));
            }
        }
        if let Some(e) = &l.error {
            let _ = writeln!(out, "    !! stopped at byte {}: {}", e.offset, e.message);
        }
    }
    out
}

fn name_of<'a>(v: &Value, names: &'a [(IpAddr, String)]) -> Option<&'a str> {
    let ip = match v {
        Value::Ipv4(a) => IpAddr::V4(*a),
        Value::Ipv6(a) => IpAddr::V6(*a),
        _ => return None,
    };
    names
        .iter()
        .find(|(a, _)| *a == ip)
        .map(|(_, n)| n.as_str())
}

/// Makes text from a capture safe to print on a terminal: control characters become `\xNN`.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Like [`escape_text`] but keeps line breaks, for multi-line reports.
pub fn escape_text_keep_lines(s: &str) -> String {
    s.split('\n')
        .map(escape_text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Hex and ASCII dump, 16 bytes a line: `0000  45 00 00 1d ...  E...`.
pub fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "{:04x}  ", i * 16);
        for j in 0..16 {
            match chunk.get(j) {
                Some(b) => {
                    let _ = write!(out, "{b:02x} ");
                }
                None => out.push_str("   "),
            }
            if j == 7 {
                out.push(' ');
            }
        }
        out.push(' ');
        for b in chunk {
            out.push(if b.is_ascii_graphic() || *b == b' ' {
                char::from(*b)
            } else {
                '.'
            });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    fn ip_in_ip() -> Vec<u8> {
        let inner = [
            0x45, 0, 0, 28, 0, 2, 0, 0, 64, 17, 0, 0, 10, 0, 0, 3, 10, 0, 0,
            4, // inner IPv4/UDP
            0, 7, 0, 7, 0, 8, 0, 0, // UDP 7 > 7
        ];
        let mut f = vec![
            0x45, 0, 0, 48, 0, 1, 0, 0, 64, 4, 0, 0, 10, 0, 0, 1, 10, 0, 0,
            2, // outer, IP-in-IP
        ];
        f.extend_from_slice(&inner);
        f
    }

    #[test]
    fn repeated_fields_become_arrays_outermost_first() {
        let d = decode(&ip_in_ip(), linktype::RAW);
        let meta = FrameMeta {
            number: 3,
            cap_len: 48,
            orig_len: 48,
            link_type: linktype::RAW,
            ..FrameMeta::default()
        };
        let j = packet_json(&meta, &d);
        assert_eq!(j.get("frame.number"), Some(&Json::from(3)));
        assert_eq!(
            j.get("ip.src"),
            Some(&serde_json::json!(["10.0.0.1", "10.0.0.3"]))
        );
        assert_eq!(j.get("udp.srcport"), Some(&Json::from(7)));
        assert_eq!(
            j.get("ip.flags.df"),
            Some(&serde_json::json!([false, false]))
        );
        assert_eq!(j.get("frame.protocols"), Some(&Json::from("ip:ip:udp")));
    }

    #[test]
    fn tree_names_fields_and_ranges() {
        let d = decode(&ip_in_ip(), linktype::RAW);
        let t = field_tree(&FrameMeta::default(), "1970-01-01 00:00:00.000000000", &d);
        assert!(
            t.contains("Source address: 10.0.0.1  [ip.src @12+4]"),
            "{t}"
        );
        assert!(
            t.contains("Internet Protocol Version 4  (bytes 0-19)"),
            "{t}"
        );
    }

    #[test]
    fn names_from_the_capture_appear_beside_addresses() {
        let d = decode(&ip_in_ip(), linktype::RAW);
        let names = [("10.0.0.1".parse().expect("ip"), "gw.example".to_string())];
        let t = field_tree_named(&FrameMeta::default(), "-", &d, &names);
        assert!(
            t.contains("Source address: 10.0.0.1 (gw.example)  [ip.src @12+4]"),
            "{t}"
        );
    }

    #[test]
    fn hex_dump_layout() {
        let h = hex_dump(b"E\x00\x00\x1dABCDEFGHIJKLMNOP");
        let first = h.lines().next().unwrap_or("");
        assert_eq!(
            first,
            "0000  45 00 00 1d 41 42 43 44  45 46 47 48 49 4a 4b 4c  E...ABCDEFGHIJKL"
        );
        assert_eq!(h.lines().count(), 2);
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_text("a\x1b[31mb"), "a\\x1b[31mb");
    }
}
