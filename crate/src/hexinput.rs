//! Turns a hex dump pasted by a person into frame bytes: tcpdump `-x`, `-xx` and `-X` output,
//! Wireshark's "copy as hex dump" and "hex stream", `hexdump -C`, and plain hex with or without
//! offsets. Guesses whether the bytes start with an Ethernet header or an IP header, and says why.
//!
//! Lines that carry no bytes (tcpdump's summary lines, captions, blank lines) are skipped, and
//! the ASCII column beside the bytes is never read as hex.

use crate::decode::linktype;
use std::fmt;

/// Bytes recovered from a hex dump and the link type chosen for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexFrame {
    pub bytes: Vec<u8>,
    pub link_type: u32,
    /// Why this link type was chosen, in plain words.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HexError {
    /// No line of the input held hex bytes.
    NoBytes,
    /// A line's bytes were broken by an odd number of hex digits.
    OddDigits { line: usize, token: String },
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HexError::NoBytes => f.write_str("no hex bytes found in the input"),
            HexError::OddDigits { line, token } => write!(
                f,
                "line {line}: '{token}' has an odd number of hex digits, so it is not whole bytes"
            ),
        }
    }
}

impl std::error::Error for HexError {}

/// The most bytes one line of an offset-prefixed dump holds; anything after is the ASCII column.
const BYTES_PER_DUMP_LINE: usize = 16;

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Strips a leading offset (`0x0010:`, `0010`, `00000010`, `0010:`), returning the rest of the
/// line and whether an offset was there.
fn strip_offset(line: &str) -> (&str, bool) {
    let t = line.trim_start();
    let (tok, rest) = match t.find(char::is_whitespace) {
        Some(i) => (t.get(..i).unwrap_or(t), t.get(i..).unwrap_or("")),
        None => (t, ""),
    };
    let digits = tok.strip_prefix("0x").unwrap_or(tok);
    let digits = digits.strip_suffix(':').unwrap_or(digits);
    let had_colon = tok.ends_with(':');
    let had_0x = tok.starts_with("0x");
    // An offset is 4 to 8 hex digits, marked by `0x`, a colon, or (Wireshark, hexdump) by being
    // followed by more than one space.
    let wide_gap = rest.starts_with("  ") || rest.starts_with('\t');
    if is_hex(digits) && (4..=8).contains(&digits.len()) && (had_0x || had_colon || wide_gap) {
        (rest, true)
    } else {
        (t, false)
    }
}

/// Parses the bytes of one line; `None` when the line carries no bytes at all.
fn line_bytes(line: &str, lineno: usize) -> Result<Option<Vec<u8>>, HexError> {
    let (body, had_offset) = strip_offset(line);
    let mut out = Vec::new();
    for tok in body.split_whitespace() {
        let tok = tok.trim_end_matches(',');
        let digits = tok.strip_prefix("0x").unwrap_or(tok);
        if !is_hex(digits) || (had_offset && out.len() >= BYTES_PER_DUMP_LINE) {
            break;
        }
        if digits.len() % 2 != 0 {
            if out.is_empty() {
                return Ok(None);
            }
            return Err(HexError::OddDigits {
                line: lineno,
                token: tok.chars().take(40).collect(),
            });
        }
        // A group wider than 4 digits inside a dump line is ASCII that looked like hex.
        if had_offset && digits.len() > 4 {
            break;
        }
        let mut chars = digits.as_bytes().chunks_exact(2);
        for pair in &mut chars {
            let s = std::str::from_utf8(pair).unwrap_or("00");
            out.push(u8::from_str_radix(s, 16).unwrap_or(0));
        }
    }
    // A line of one short hex-looking word ("add", "be") is prose, not bytes.
    if out.is_empty() || (!had_offset && out.len() == 1 && body.split_whitespace().count() > 1) {
        return Ok(None);
    }
    Ok(Some(out))
}

/// Reads a hex dump; the link type is Ethernet or raw IP, guessed from the first bytes.
pub fn parse_hex_dump(text: &str) -> Result<HexFrame, HexError> {
    let mut bytes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        // Lines that start like a tcpdump summary (a time stamp) hold no bytes.
        if looks_like_summary(line) {
            continue;
        }
        if let Some(b) = line_bytes(line, i + 1)? {
            bytes.extend(b);
        }
    }
    if bytes.is_empty() {
        return Err(HexError::NoBytes);
    }
    let (link_type, reason) = guess_link_type(&bytes);
    Ok(HexFrame {
        bytes,
        link_type,
        reason,
    })
}

fn looks_like_summary(line: &str) -> bool {
    let t = line.trim_start();
    let b = t.as_bytes();
    // hh:mm:ss...
    matches!(b, [h1, h2, b':', m1, m2, b':', ..] if h1.is_ascii_digit() && h2.is_ascii_digit() && m1.is_ascii_digit() && m2.is_ascii_digit())
}

/// Chooses between Ethernet and raw IP. An IPv4 header is recognised by version 4, a header
/// length of 5 to 15 words and a valid header checksum; IPv6 by version 6 and a payload
/// length that fits. Otherwise an EtherType at bytes 12-13 that we know means Ethernet.
pub fn guess_link_type(b: &[u8]) -> (u32, String) {
    use crate::decode::bytes::{be16, fold_checksum, ones_complement_sum, slice, u8_at};
    let first = u8_at(b, 0).unwrap_or(0);
    if first >> 4 == 4 {
        let ihl = usize::from(first & 0x0f) * 4;
        if ihl >= 20 {
            if let Some(h) = slice(b, 0, ihl) {
                if fold_checksum(ones_complement_sum(0, h)) == 0 {
                    return (
                        linktype::RAW,
                        "raw IP: the bytes start with an IPv4 header whose checksum is valid"
                            .into(),
                    );
                }
            }
        }
    }
    if first >> 4 == 6 {
        if let Some(plen) = be16(b, 4) {
            if usize::from(plen) + 40 <= b.len() {
                return (
                    linktype::RAW,
                    "raw IP: the bytes start with an IPv6 header whose payload length fits".into(),
                );
            }
        }
    }
    if let Some(et) = be16(b, 12) {
        if crate::decode::ethernet::ethertype_name(et).is_some() {
            return (
                linktype::ETHERNET,
                format!("Ethernet: bytes 12-13 hold the EtherType 0x{et:04x}"),
            );
        }
    }
    if first >> 4 == 4 {
        return (
            linktype::RAW,
            "raw IP: the first byte says IPv4 (its header checksum does not verify)".into(),
        );
    }
    (
        linktype::ETHERNET,
        "Ethernet: nothing marks the bytes as an IP header, so they are read as a frame".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcpdump_x_groups_of_four_with_summary_line() {
        // The port 31789 packet from the tcpdump case-study slides (raw IP with padding).
        let text = "12:13:10.570000 1.2.3.4.31790 > 192.168.21.63.31789: udp 1\n\
                    4500 001d a932 0000 7311 10cf 0102 0304\n\
                    c0a4 153f 7c2e 7c2d 0009 38b1 413b 0000\n\
                    0001 0000 0000 0000 0356 4752 0341\n";
        let h = parse_hex_dump(text).expect("parses");
        assert_eq!(h.bytes.len(), 46);
        assert_eq!(h.bytes.get(..4), Some(&[0x45, 0x00, 0x00, 0x1d][..]));
        assert_eq!(h.link_type, linktype::RAW);
    }

    #[test]
    fn tcpdump_capital_x_ignores_the_ascii_column() {
        let text = "\t0x0000:  4500 0054 0000 4000 4001 b7a6 7f00 0001  E..T..@.@.......\n\
                    \t0x0010:  7f00 0001 0800 cafe beef 0001 dead beef  ..........cafe..\n";
        let h = parse_hex_dump(text).expect("parses");
        assert_eq!(h.bytes.len(), 32);
        assert_eq!(h.bytes.last(), Some(&0xef));
    }

    #[test]
    fn wireshark_and_hexdump_c_formats() {
        let ws = "0000   ff ff ff ff ff ff 00 11 22 33 44 55 08 06 00 01   ........\"3DU....\n";
        let h = parse_hex_dump(ws).expect("ws");
        assert_eq!(h.bytes.len(), 16);
        assert_eq!(h.link_type, linktype::ETHERNET);
        let hd =
            "00000000  ff ff ff ff ff ff 00 11  22 33 44 55 08 06 00 01  |........\"3DU....|\n";
        assert_eq!(parse_hex_dump(hd).expect("hexdump").bytes, h.bytes);
    }

    #[test]
    fn plain_hex_stream_and_spaced_bytes() {
        let h = parse_hex_dump("ffffffffffff001122334455 0806").expect("stream");
        assert_eq!(h.bytes.len(), 14);
        let h =
            parse_hex_dump(" 00 00 BA 5E BA 11 00 60 97 07 C0 FF 08 00 45 00\n").expect("spaced");
        assert_eq!(h.bytes.get(2), Some(&0xba));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(parse_hex_dump("hello world\n"), Err(HexError::NoBytes));
        assert!(matches!(
            parse_hex_dump("45 00 0"),
            Err(HexError::OddDigits { line: 1, .. })
        ));
    }
}
