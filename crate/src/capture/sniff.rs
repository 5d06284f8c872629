//! Recognising what a file is from its first bytes: the capture formats we read, and a plain
//! description of everything else (other capture formats, archives, text, web pages).
//!
//! Owns the magic-number tables. Must never claim a format it cannot identify with certainty:
//! when in doubt it shows the bytes instead of guessing.

use super::{pcap, pcapng};

/// How many leading bytes [`describe_start`] looks at; the reader waits for this many (or the end
/// of the input) before describing an unrecognised file, so the answer does not depend on chunking.
pub const SNIFF_LEN: usize = 512;

/// What the first bytes of a (decompressed) stream are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    Pcap,
    PcapNg,
    /// Not something we read; the text says what it looks like.
    Other(String),
}

/// Classifies a stream by its first four bytes; `None` while fewer than four are known.
pub(super) fn classify(b: &[u8]) -> Option<Kind> {
    let m = super::array4(b, 0)?;
    if pcap::magic_kind(m).is_some() {
        return Some(Kind::Pcap);
    }
    if m == pcapng::SHB_TYPE.to_be_bytes() {
        return Some(Kind::PcapNg);
    }
    Some(Kind::Other(describe_start(b)))
}

/// Other file formats known by a fixed magic at offset 0: (magic, what it is). Sources: the
/// magic numbers in Wireshark's wiretap readers (netmon.c, snoop.c, netxray.c, 5views.c,
/// btsnoop.c, observer.c, iptrace.c, ngsniffer.c) and the formats' own specifications.
const OTHER_MAGICS: &[(&[u8], &str)] = &[
    (b"GMBU", "a Microsoft Network Monitor 2.x capture (.cap), which tracelens does not read; Wireshark can save it as pcapng"),
    (b"RTSS", "a Microsoft Network Monitor 1.x capture, which tracelens does not read; Wireshark can save it as pcapng"),
    (b"snoop\0\0\0", "a Sun/Solaris snoop capture, which tracelens does not read; Wireshark can save it as pcapng"),
    (b"\x7fver", "a NetXray / Windows Sniffer capture, which tracelens does not read; Wireshark can save it as pcapng"),
    (b"XCP\0", "a NetXray 1.x capture, which tracelens does not read; Wireshark can save it as pcapng"),
    (b"TRSNIFF data    \x1a", "a Network General (DOS) Sniffer capture, which tracelens does not read; Wireshark can save it as pcapng"),
    (b"\xaa\xaa\xaa\xaa", "a 5View capture, which tracelens does not read; Wireshark can save it as pcapng"),
    (b"btsnoop\0", "a Bluetooth btsnoop log, which tracelens does not read"),
    (b"ObserverPktBuffer", "a Network Instruments Observer capture, which tracelens does not read; Wireshark can save it as pcapng"),
    (b"iptrace 1.0", "an AIX iptrace capture, which tracelens does not read"),
    (b"iptrace 2.0", "an AIX iptrace capture, which tracelens does not read"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data; decompress it first"),
    (b"\xfd7zXZ\0", "xz-compressed data; decompress it first"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data; decompress it first"),
    (b"PK\x03\x04", "a ZIP archive; extract the capture from it first"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive; extract the capture from it first"),
    (b"Rar!\x1a\x07", "a RAR archive; extract the capture from it first"),
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an ELF executable"),
    (b"SQLite format 3\0", "an SQLite database"),
];

/// The capture magics, for spotting a header that is one byte off.
const CAPTURE_MAGICS: &[([u8; 4], &str)] = &[
    (
        [0xa1, 0xb2, 0xc3, 0xd4],
        "the big-endian pcap magic a1 b2 c3 d4",
    ),
    (
        [0xd4, 0xc3, 0xb2, 0xa1],
        "the little-endian pcap magic d4 c3 b2 a1",
    ),
    (
        [0xa1, 0xb2, 0x3c, 0x4d],
        "the big-endian nanosecond pcap magic a1 b2 3c 4d",
    ),
    (
        [0x4d, 0x3c, 0xb2, 0xa1],
        "the little-endian nanosecond pcap magic 4d 3c b2 a1",
    ),
    ([0x0a, 0x0d, 0x0d, 0x0a], "the pcapng magic 0a 0d 0d 0a"),
];

/// A one-line description of what a file that is not a capture looks like, for error messages:
/// "not a capture file: " + this. Looks at up to [`SNIFF_LEN`] bytes.
pub fn describe_start(bytes: &[u8]) -> String {
    let b = bytes.get(..SNIFF_LEN).unwrap_or(bytes);
    if b.is_empty() {
        return "the file is empty (0 bytes)".to_string();
    }
    for (magic, what) in OTHER_MAGICS {
        if b.starts_with(magic) {
            return format!("it starts with {}, which is {what}", hex(magic));
        }
    }
    if let Some(m) = super::array4(b, 0) {
        for (good, name) in CAPTURE_MAGICS {
            let diff = m.iter().zip(good.iter()).filter(|(a, c)| a != c).count();
            if diff == 1 {
                return format!(
                    "it starts with {}, one byte away from {name}: probably a capture whose header was damaged",
                    hex(&m)
                );
            }
        }
        // A pcapng file sent through a text-mode transfer has its CR/LF magic rewritten.
        if b.starts_with(b"\x0a\x0d\x0a") || b.starts_with(b"\x0a\x0a") {
            return format!(
                "it starts with {}, which looks like a pcapng file damaged by a text-mode (ASCII) transfer that rewrote line endings",
                hex(b.get(..4).unwrap_or(b))
            );
        }
    }
    if let Some(text) = as_text(b) {
        return describe_text(text);
    }
    let shown = b.get(..16).unwrap_or(b);
    format!(
        "it starts with bytes {}, which match no capture format tracelens knows (it reads pcap and pcapng, plain or gzip-compressed; Wireshark can save other formats as pcapng)",
        hex(shown)
    )
}

/// `Some(text)` when the bytes are plausibly text: valid UTF-8 (allowing a character cut off at
/// the end of the sample) with few control characters.
fn as_text(b: &[u8]) -> Option<&str> {
    let text = match std::str::from_utf8(b) {
        Ok(t) => t,
        // A multi-byte character split by the sample's end is still text.
        Err(e) if e.error_len().is_none() && b.len().saturating_sub(e.valid_up_to()) < 4 => {
            std::str::from_utf8(b.get(..e.valid_up_to())?).ok()?
        }
        Err(_) => return None,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.is_empty() {
        return None;
    }
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'))
        .count();
    (control == 0).then_some(text)
}

fn describe_text(text: &str) -> String {
    let trimmed = text.trim_start();
    let lower: String = trimmed
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    let first_line = trimmed.lines().next().unwrap_or("");
    let shown = quote_line(first_line);
    let kind = if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        Some("an HTML page (perhaps a download link saved instead of the file)")
    } else if lower.starts_with("<?xml") || lower.starts_with("<pdml") || lower.starts_with("<psml")
    {
        Some("an XML document")
    } else if lower.starts_with('{') || lower.starts_with('[') {
        Some("JSON (perhaps an export such as tshark -T json, not the capture itself)")
    } else if looks_like_hex_dump(first_line) {
        Some("a hex dump; text2pcap can turn it back into a capture")
    } else if looks_like_tcpdump_text(first_line) {
        Some("tcpdump or tshark text output, not the capture itself (save with -w instead)")
    } else {
        None
    };
    match kind {
        Some(k) => format!("it starts with text ({shown}), which looks like {k}"),
        None => format!("it starts with text ({shown}), not the binary header of a capture"),
    }
}

/// The first line, escaped and cut to 60 characters, in single quotes.
fn quote_line(line: &str) -> String {
    let mut out = String::from("'");
    for (count, c) in line.chars().enumerate() {
        if count >= 60 {
            out.push_str("...");
            break;
        }
        out.extend(c.escape_debug());
    }
    out.push('\'');
    out
}

/// Offsets like `0000` or `0x0010:` followed by hex byte pairs.
fn looks_like_hex_dump(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let off = first.trim_end_matches(':').trim_start_matches("0x");
    let pairs = words
        .take(4)
        .filter(|w| w.len() == 2 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .count();
    off.len() >= 4 && off.chars().all(|c| c.is_ascii_hexdigit()) && pairs >= 2
}

/// A time of day `hh:mm:ss` at the start of a line, as tcpdump prints by default.
fn looks_like_tcpdump_text(line: &str) -> bool {
    let b = line.trim_start().as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    digit(0)
        && digit(1)
        && b.get(2) == Some(&b':')
        && digit(3)
        && digit(4)
        && b.get(5) == Some(&b':')
}

/// Bytes as lower-case hex pairs separated by spaces.
pub(super) fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_common_non_captures() {
        assert_eq!(describe_start(b""), "the file is empty (0 bytes)");
        let html = describe_start(b"<!DOCTYPE html>\n<html><head>");
        assert!(html.contains("'<!DOCTYPE html>'"), "{html}");
        assert!(html.contains("HTML page"), "{html}");
        assert!(describe_start(b"[{\"_index\": 1}]").contains("JSON"));
        assert!(describe_start(b"GMBU\x00\x02").contains("Network Monitor 2"));
        assert!(describe_start(b"snoop\0\0\0\0\0\0\x02").contains("snoop"));
        assert!(describe_start(b"\x7fver\x00").contains("NetXray"));
        assert!(describe_start(b"0000  45 00 00 54 00 00").contains("hex dump"));
        assert!(describe_start(b"12:34:56.789012 IP 10.0.0.1 > 10.0.0.2").contains("tcpdump"));
        let long = "x".repeat(200);
        let d = describe_start(long.as_bytes());
        assert!(d.contains("...'"), "{d}");
        // Control characters in the first line are escaped, not printed.
        assert!(!describe_start(b"hello\tworld\n").contains('\t'));
    }

    #[test]
    fn spots_a_magic_one_byte_off() {
        let d = describe_start(&[0xd4, 0xc3, 0xb2, 0xa2, 2, 0, 4, 0]);
        assert!(
            d.contains("one byte away from the little-endian pcap magic"),
            "{d}"
        );
        let d = describe_start(&[0x0a, 0x0d, 0x0a, 0x00]);
        assert!(d.contains("pcapng"), "{d}");
    }

    #[test]
    fn binary_shows_its_bytes() {
        let d = describe_start(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
        assert!(d.contains("00 01 02 03"), "{d}");
        assert!(!d.contains("10 11"), "{d}");
    }
}
