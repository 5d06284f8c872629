//! NetBIOS name service over UDP 137 (RFC 1002 section 4.2): header, flags, counts, questions and
//! resource records, with the first-level decoding of the encoded names (`FOO<00>`).
//!
//! Owns the `nbns` layer. It reads names with the DNS module's bounded reader, so it must never
//! follow pointers or trust counts any further than DNS does.

use super::dns::{escape_label, read_name};
use super::{bounded, named};
use crate::decode::bytes::{array, be16, be32, u8_at};
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;
use std::net::Ipv4Addr;

/// Byte offsets of the header (RFC 1002 section 4.2.1.1), relative to the message start.
mod field {
    pub const ID: usize = 0;
    pub const FLAGS: usize = 2;
    pub const COUNTS: usize = 4;
    pub const HEADER_LEN: usize = 12;
}

/// Opcodes (RFC 1002 section 4.2.1.1).
fn opcode_name(o: u16) -> Option<&'static str> {
    Some(match o {
        0 => "Name query",
        5 => "Registration",
        6 => "Release",
        7 => "Wait for acknowledgment",
        8 => "Refresh",
        9 => "Refresh (alternate opcode)",
        15 => "Multi-homed registration",
        _ => return None,
    })
}

/// Response codes (RFC 1002 sections 4.2.6 to 4.2.16).
fn rcode_name(r: u16) -> Option<&'static str> {
    Some(match r {
        0 => "No error",
        1 => "Format error",
        2 => "Server failure",
        3 => "Name does not exist",
        4 => "Unsupported request",
        5 => "Refused",
        6 => "Name is active",
        7 => "Name is in conflict",
        _ => return None,
    })
}

/// Record types (RFC 1002 section 4.2.1.2).
fn type_name(t: u16) -> Option<&'static str> {
    Some(match t {
        1 => "A",
        2 => "NS",
        10 => "NULL",
        32 => "NB",
        33 => "NBSTAT",
        _ => return None,
    })
}

/// Well-known NetBIOS suffixes, the 16th byte of a name (Microsoft "NetBIOS Suffixes").
fn suffix_name(s: u8) -> Option<&'static str> {
    Some(match s {
        0x00 => "Workstation/Redirector",
        0x03 => "Messenger service",
        0x1b => "Domain Master Browser",
        0x1c => "Domain Controllers",
        0x1d => "Master Browser",
        0x1e => "Browser Election Service",
        0x20 => "Server service",
        _ => return None,
    })
}

/// First-level decoding (RFC 1001 section 14.1): each byte of the 16-byte name is written as two
/// letters 'A' + nibble. Gives the padded-out name and its suffix byte, or `None` when the label
/// is not a valid encoding.
fn decode_netbios(label: &[u8]) -> Option<(String, u8)> {
    if label.len() != 32 {
        return None;
    }
    let mut raw = Vec::with_capacity(16);
    for pair in label.chunks_exact(2) {
        let hi = u8_at(pair, 0)?.checked_sub(b'A').filter(|&n| n < 16)?;
        let lo = u8_at(pair, 1)?.checked_sub(b'A').filter(|&n| n < 16)?;
        raw.push(hi << 4 | lo);
    }
    let suffix = *raw.last()?;
    let name_bytes = raw.get(..15)?;
    let trimmed_len = name_bytes
        .iter()
        .rposition(|&c| c != b' ')
        .map_or(0, |i| i + 1);
    let mut name = String::new();
    for &c in name_bytes.get(..trimmed_len)? {
        if (0x20..0x7f).contains(&c) {
            name.push(char::from(c));
        } else {
            // Wireshark's notation for unprintable bytes, e.g. `<01><02>__MSBROWSE__<02><01>`.
            name.push_str(&format!("<{c:02x}>"));
        }
    }
    Some((name, suffix))
}

/// `NAME<xx>` followed by any scope labels, or the raw name when it is not NetBIOS-encoded.
fn netbios_text(labels: &[Vec<u8>], raw_text: &str) -> String {
    match labels.split_first() {
        Some((first, scope)) => match decode_netbios(first) {
            Some((name, suffix)) => {
                let mut s = format!("{name}<{suffix:02x}>");
                for l in scope {
                    s.push('.');
                    s.push_str(&escape_label(l));
                }
                s
            }
            None => raw_text.to_string(),
        },
        None => raw_text.to_string(),
    }
}

pub fn decode(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    let b = bounded(cx, end);
    let mut l = Layer::new("nbns", "NetBIOS Name Service", offset);
    l.len = end.saturating_sub(offset);
    decode_message(&mut l, b, offset);
    cx.push(l);
    Next::Stop
}

fn decode_message(l: &mut Layer, b: &[u8], start: usize) -> Option<()> {
    let at = |rel: usize| start.saturating_add(rel);
    let Some(id) = be16(b, at(field::ID)) else {
        l.fail(start, "NBNS header cut off before the transaction ID");
        return None;
    };
    l.add(
        "nbns.id",
        "Transaction ID",
        Value::UInt(u64::from(id)),
        start,
        2,
    )
    .show(|| format!("0x{id:04x}"));
    let off = at(field::FLAGS);
    let Some(flags) = be16(b, off) else {
        l.fail(off, "NBNS header cut off before the flags");
        return None;
    };
    let w = u64::from(flags);
    let opcode = (flags >> 11) & 0xf;
    let rcode = flags & 0xf;
    l.add("nbns.flags", "Flags", Value::UInt(w), off, 2)
        .show(|| {
            format!(
                "0x{flags:04x} {}",
                named(opcode_name(opcode), u64::from(opcode))
            )
        });
    let response = l.add_flag("nbns.flags.response", "Response", w, off, 2, 0x8000, 1);
    l.add_bits(
        "nbns.flags.opcode",
        "Opcode",
        Value::UInt(u64::from(opcode)),
        off,
        2,
        0x7800,
        1,
    )
    .show(|| named(opcode_name(opcode), u64::from(opcode)));
    l.add_flag(
        "nbns.flags.authoritative",
        "Authoritative",
        w,
        off,
        2,
        0x0400,
        1,
    );
    l.add_flag("nbns.flags.truncated", "Truncated", w, off, 2, 0x0200, 1);
    l.add_flag(
        "nbns.flags.recdesired",
        "Recursion desired",
        w,
        off,
        2,
        0x0100,
        1,
    );
    l.add_flag(
        "nbns.flags.recavail",
        "Recursion available",
        w,
        off,
        2,
        0x0080,
        1,
    );
    l.add_flag("nbns.flags.broadcast", "Broadcast", w, off, 2, 0x0010, 1);
    l.add_bits(
        "nbns.flags.rcode",
        "Reply code",
        Value::UInt(u64::from(rcode)),
        off,
        2,
        0x000f,
        1,
    )
    .show(|| named(rcode_name(rcode), u64::from(rcode)));
    if let Some(name) = opcode_name(opcode) {
        l.title = format!(
            "NetBIOS Name Service ({name}{})",
            if response { " response" } else { "" }
        )
        .into();
    }
    let names = [
        ("nbns.count.queries", "Questions"),
        ("nbns.count.answers", "Answer RRs"),
        ("nbns.count.auth_rr", "Authority RRs"),
        ("nbns.count.add_rr", "Additional RRs"),
    ];
    let mut n = [0u16; 4];
    for (i, ((name, label), slot)) in names.iter().zip(n.iter_mut()).enumerate() {
        let o = at(field::COUNTS + 2 * i);
        let Some(v) = be16(b, o) else {
            l.fail(o, format!("NBNS header cut off at offset {o}"));
            return None;
        };
        l.add(name, label, Value::UInt(u64::from(v)), o, 2);
        *slot = v;
    }
    let [qd, an, ns, ar] = n;
    let mut pos = at(field::HEADER_LEN);
    for i in 0..qd {
        if pos >= b.len() {
            l.fail(
                pos,
                format!("header claims {qd} questions; the message ends after {i}"),
            );
            return None;
        }
        pos = name_type_class(l, b, start, pos)?;
    }
    let total = u32::from(an) + u32::from(ns) + u32::from(ar);
    for i in 0..total {
        if pos >= b.len() {
            l.fail(
                pos,
                format!("header claims {total} resource records; the message ends after {i}"),
            );
            return None;
        }
        pos = record(l, b, start, pos)?;
    }
    Some(())
}

fn name_type_class(l: &mut Layer, b: &[u8], start: usize, pos: usize) -> Option<usize> {
    let name = match read_name(b, start, pos) {
        Ok(n) => n,
        Err((at, msg)) => {
            l.fail(at, msg);
            return None;
        }
    };
    let text = netbios_text(&name.labels, &name.text);
    let suffix = name
        .labels
        .first()
        .and_then(|f| decode_netbios(f))
        .map(|(_, s)| s);
    let f = l.add("nbns.name", "Name", Value::Str(text.clone()), pos, name.len);
    if let Some(desc) = suffix.and_then(suffix_name) {
        f.show(|| format!("{text} ({desc})"));
    }
    let p = pos.saturating_add(name.len);
    let (Some(t), Some(c)) = (be16(b, p), be16(b, p.saturating_add(2))) else {
        l.fail(p, format!("type and class cut off at offset {p}"));
        return None;
    };
    l.add("nbns.type", "Type", Value::UInt(u64::from(t)), p, 2)
        .show(|| named(type_name(t), u64::from(t)));
    l.add(
        "nbns.class",
        "Class",
        Value::UInt(u64::from(c)),
        p.saturating_add(2),
        2,
    )
    .show(|| named(if c == 1 { Some("IN") } else { None }, u64::from(c)));
    Some(p.saturating_add(4))
}

fn record(l: &mut Layer, b: &[u8], start: usize, pos: usize) -> Option<usize> {
    let p = name_type_class(l, b, start, pos)?;
    let t = be16(b, p.saturating_sub(4))?;
    let (Some(ttl), Some(rdlen)) = (be32(b, p), be16(b, p.saturating_add(4))) else {
        l.fail(
            p,
            format!("record cut off before its TTL and length at offset {p}"),
        );
        return None;
    };
    l.add(
        "nbns.ttl",
        "Time to live",
        Value::UInt(u64::from(ttl)),
        p,
        4,
    );
    l.add(
        "nbns.data_length",
        "Data length",
        Value::UInt(u64::from(rdlen)),
        p.saturating_add(4),
        2,
    );
    let rd = p.saturating_add(6);
    let rd_end = rd.saturating_add(usize::from(rdlen));
    if rd_end > b.len() {
        l.fail(
            rd,
            format!(
                "record data claims {rdlen} bytes at offset {rd}; only {} remain",
                b.len().saturating_sub(rd)
            ),
        );
        return None;
    }
    match t {
        // NB: a list of (flags, address) pairs (RFC 1002 section 4.2.2 NB_FLAGS / NB_ADDRESS).
        32 => {
            let mut q = rd;
            while q.saturating_add(6) <= rd_end {
                let flags = u64::from(be16(b, q)?);
                l.add("nbns.nb_flags", "Name flags", Value::UInt(flags), q, 2)
                    .show(|| format!("0x{flags:04x}"));
                l.add_flag("nbns.nb_flags.group", "Group name", flags, q, 2, 0x8000, 1);
                let ont = (flags >> 13) & 3;
                l.add_bits(
                    "nbns.nb_flags.ont",
                    "Owner node type",
                    Value::UInt(ont),
                    q,
                    2,
                    0x6000,
                    1,
                )
                .show(|| {
                    match ont {
                        0 => "B-node (0)",
                        1 => "P-node (1)",
                        2 => "M-node (2)",
                        _ => "H-node (3)",
                    }
                    .to_string()
                });
                let a = array::<4>(b, q.saturating_add(2))?;
                l.add(
                    "nbns.addr",
                    "Address",
                    Value::Ipv4(Ipv4Addr::from(a)),
                    q.saturating_add(2),
                    4,
                );
                q = q.saturating_add(6);
            }
        }
        // NBSTAT: a count and 18-byte name entries (RFC 1002 section 4.2.18).
        33 => {
            let Some(count) = u8_at(b, rd).filter(|_| rd < rd_end) else {
                return Some(rd_end);
            };
            l.add(
                "nbns.number_of_names",
                "Number of names",
                Value::UInt(u64::from(count)),
                rd,
                1,
            );
            let mut q = rd.saturating_add(1);
            for _ in 0..count {
                if q.saturating_add(18) > rd_end {
                    l.fail(q, format!("NBSTAT name entry cut off at offset {q}"));
                    return None;
                }
                let raw = array::<16>(b, q)?;
                let text_len = raw
                    .get(..15)?
                    .iter()
                    .rposition(|&c| c != b' ')
                    .map_or(0, |i| i + 1);
                let name = String::from_utf8_lossy(raw.get(..text_len)?).into_owned();
                let suffix = raw.get(15).copied().unwrap_or(0);
                l.add(
                    "nbns.netbios_name",
                    "Name",
                    Value::Str(format!("{name}<{suffix:02x}>")),
                    q,
                    16,
                );
                let nf = be16(b, q.saturating_add(16))?;
                l.add(
                    "nbns.name_flags",
                    "Name flags",
                    Value::UInt(u64::from(nf)),
                    q.saturating_add(16),
                    2,
                )
                .show(|| format!("0x{nf:04x}"));
                q = q.saturating_add(18);
            }
        }
        _ => {}
    }
    Some(rd_end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::app::testutil::{check, every_prefix_fails, ranges_inside, run};

    /// "FOO" padded with spaces, suffix 0x00, first-level encoded.
    const FOO: &[u8; 32] = b"EGEPEPCACACACACACACACACACACACAAA";

    fn response() -> Vec<u8> {
        let mut f = vec![
            0x81, 0x2a, // 0: id
            0x85, 0x00, // 2: response, name query, AA, RD
            0, 0, 0, 1, 0, 0, 0, 0,  // 4: 1 answer
            32, // 12: label length
        ];
        f.extend_from_slice(FOO); // 13: encoded name
        f.extend_from_slice(&[
            0, // 45: end of name
            0x00, 0x20, // 46: NB
            0x00, 0x01, // 48: IN
            0x00, 0x04, 0x93, 0xe0, // 50: TTL 300000
            0x00, 0x06, // 54: data length 6
            0x60, 0x00, // 56: flags: H-node, unique
            10, 0, 0, 5, // 58: address
        ]);
        f
    }

    #[test]
    fn decodes_a_positive_response() {
        let f = response();
        let layers = run(&f, 0, decode);
        ranges_inside(&layers, f.len());
        let l = &layers[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "nbns.id", Value::UInt(0x812a), 0, 2);
        check(l, "nbns.flags.response", Value::Bool(true), 2, 2);
        check(l, "nbns.flags.authoritative", Value::Bool(true), 2, 2);
        check(l, "nbns.flags.opcode", Value::UInt(0), 2, 2);
        check(l, "nbns.count.answers", Value::UInt(1), 6, 2);
        check(l, "nbns.name", Value::Str("FOO<00>".into()), 12, 34);
        check(l, "nbns.type", Value::UInt(32), 46, 2);
        check(l, "nbns.class", Value::UInt(1), 48, 2);
        check(l, "nbns.ttl", Value::UInt(300000), 50, 4);
        check(l, "nbns.data_length", Value::UInt(6), 54, 2);
        check(l, "nbns.nb_flags.ont", Value::UInt(3), 56, 2);
        check(l, "nbns.nb_flags.group", Value::Bool(false), 56, 2);
        check(
            l,
            "nbns.addr",
            Value::Ipv4(Ipv4Addr::new(10, 0, 0, 5)),
            58,
            4,
        );
    }

    #[test]
    fn every_truncation_is_reported() {
        every_prefix_fails(&response(), 0, "nbns", decode);
    }

    #[test]
    fn first_level_decoding() {
        assert_eq!(
            decode_netbios(b"FHEPFCELEHFCEPFFFACACACACACACACA"),
            Some(("WORKGROUP".into(), 0x20))
        );
        assert_eq!(decode_netbios(FOO), Some(("FOO".into(), 0)));
        // Letters past 'P' are not nibbles; a wrong length is not an encoded name.
        assert_eq!(decode_netbios(b"ZZEPFCELEHFCEPFFFACACACACACACACA"), None);
        assert_eq!(decode_netbios(b"EGEP"), None);
        assert_eq!(netbios_text(&[b"EGEP".to_vec()], "EGEP"), "EGEP");
        assert_eq!(
            netbios_text(&[FOO.to_vec(), b"corp".to_vec()], ""),
            "FOO<00>.corp"
        );
    }

    #[test]
    fn absurd_counts_and_nbstat() {
        let mut f = vec![0, 1, 0x84, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        f.extend_from_slice(&[
            0, 0, 33, 0, 1, 0, 0, 0, 0, // 12: root NBSTAT IN TTL 0
            0, 19, // 21: length 19
            1,  // 23: one name
            b'S', b'R', b'V', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ',
            b' ', 0x20, // 24
            0x04, 0x00, // 40: name flags: active
        ]);
        let l = &run(&f, 0, decode)[0];
        check(l, "nbns.number_of_names", Value::UInt(1), 23, 1);
        check(l, "nbns.netbios_name", Value::Str("SRV<20>".into()), 24, 16);
        check(l, "nbns.name_flags", Value::UInt(0x0400), 40, 2);
        let e = l.error.clone().expect("error");
        assert_eq!(e.offset, 42);
        assert!(
            e.message.contains("claims 196605 resource records"),
            "{e:?}"
        );
    }
}
