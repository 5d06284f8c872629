//! BSD loopback encapsulations: LINKTYPE_NULL (0), whose 4-byte address family is in the byte
//! order of the host that wrote the capture, and LINKTYPE_LOOP (108), where it is big-endian.
//!
//! Owns the family word and the choice of the network layer from it. It must never trust the
//! family over what it can see: a word that fits neither byte order is shown, not guessed at.

use super::{opaque, ppp};
use crate::decode::bytes::{array, be16};
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;

const HEADER_LEN: usize = 4;

/// LINKTYPE_NULL: the family word in either byte order.
pub fn decode_null(cx: &mut Ctx<'_>, off: usize) -> Next {
    // Some BSD PPP interfaces write the HDLC address/control bytes where the family would be;
    // Wireshark and tcpdump both check for them before reading a family.
    if be16(cx.frame, off) == Some(0xff03) {
        return ppp::decode_ppp_hdlc(cx, off);
    }
    let Some(word) = array::<4>(cx.frame, off) else {
        return short(cx, off);
    };
    let le = u32::from_le_bytes(word);
    let be = u32::from_be_bytes(word);
    // Families are small numbers, so the byte order in which the word is small is the writer's.
    let (value, order) = if le <= 0xffff {
        (le, "little-endian")
    } else if be <= 0xffff {
        (be, "big-endian")
    } else {
        (le, "neither byte order gives a known value")
    };
    finish(cx, off, value, order)
}

/// LINKTYPE_LOOP: the same family word, always big-endian.
pub fn decode_loop(cx: &mut Ctx<'_>, off: usize) -> Next {
    let Some(word) = array::<4>(cx.frame, off) else {
        return short(cx, off);
    };
    finish(cx, off, u32::from_be_bytes(word), "big-endian")
}

fn short(cx: &mut Ctx<'_>, off: usize) -> Next {
    let avail = cx.frame.len().saturating_sub(off);
    let mut l = Layer::new("null", "Null/Loopback", off);
    l.len = avail;
    l.fail(
        off + avail,
        format!("loopback header needs {HEADER_LEN} bytes; only {avail} captured"),
    );
    cx.push(l);
    Next::Stop
}

fn finish(cx: &mut Ctx<'_>, off: usize, value: u32, order: &str) -> Next {
    let mut l = Layer::new("null", "Null/Loopback", off);
    l.len = HEADER_LEN;
    let payload = off + HEADER_LEN;
    // A value above the largest 802.3 length is an EtherType: some systems write one here, and
    // Wireshark reads it that way too (as `null.type`).
    if value > 1500 {
        if let Ok(et) = u16::try_from(value) {
            l.add(
                "null.type",
                "Type",
                Value::UInt(u64::from(value)),
                off,
                HEADER_LEN,
            )
            .show(|| format!("0x{et:04x} (EtherType, {order})"));
            cx.push(l);
            return Next::EtherType(et, payload);
        }
    }
    let name = family_name(value);
    l.add(
        "null.family",
        "Family",
        Value::UInt(u64::from(value)),
        off,
        HEADER_LEN,
    )
    .show(|| format!("{value} ({}, {order})", name.unwrap_or("unknown family")));
    cx.push(l);
    match value {
        // The IP decoder reads the version nibble itself, which also covers a mislabelled family.
        2 => Next::Ip(payload),
        24 | 28 | 30 => Next::Ipv6(payload),
        _ => opaque(
            cx,
            payload,
            format!("{} payload (not decoded)", name.unwrap_or("Unknown family")),
        ),
    }
}

/// BSD address families as they appear in loopback headers (sys/socket.h of the BSDs; the IPv6
/// value differs per system, which is why three are accepted).
fn family_name(f: u32) -> Option<&'static str> {
    Some(match f {
        2 => "IPv4",
        7 => "OSI",
        16 => "AppleTalk",
        23 => "IPX",
        24 => "IPv6 (NetBSD/OpenBSD)",
        28 => "IPv6 (FreeBSD)",
        30 => "IPv6 (macOS)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::decode::{decode, linktype};

    /// IPv6 family written by a little-endian macOS host, then the first byte of an IPv6 header.
    const NULL_V6_LE: [u8; 5] = [
        0x1e, 0x00, 0x00, 0x00, // null.family: 30 (IPv6, macOS), little-endian
        0x60, // IPv6 version nibble
    ];

    #[test]
    fn null_family_in_either_byte_order() {
        let d = decode(&NULL_V6_LE, linktype::NULL);
        let f = d.field("null.family").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(30), 0, 4));
        assert!(f.shown().contains("IPv6"));
        assert_eq!(d.layers[0].len, 4);
        assert!(d.layers.len() >= 2, "IPv6 decoding must follow");

        // The same family from a big-endian host.
        let be = [0x00, 0x00, 0x00, 0x02, 0x45];
        let d = decode(&be, linktype::NULL);
        assert_eq!(d.u64("null.family"), Some(2));
        assert!(d
            .field("null.family")
            .unwrap()
            .shown()
            .contains("big-endian"));
    }

    #[test]
    fn loop_is_always_big_endian() {
        let d = decode(&[0x00, 0x00, 0x00, 0x18, 0x60], linktype::LOOP);
        let f = d.field("null.family").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(24), 0, 4));
        // Little-endian bytes on LOOP are read big-endian: a large, unknown family, not IPv4.
        let d = decode(&[0x02, 0x00, 0x00, 0x00, 0x45], linktype::LOOP);
        assert_eq!(d.u64("null.family"), Some(0x0200_0000));
        assert_eq!(d.layers[1].proto, "data");
        assert!(d.layers[0].error.is_none());
    }

    #[test]
    fn osi_and_ethertype_words() {
        let d = decode(&[0x07, 0, 0, 0, 0x81, 0x01], linktype::NULL);
        assert_eq!(d.u64("null.family"), Some(7));
        assert_eq!(d.layers[1].proto, "data");
        assert!(d.layers[1].title.contains("OSI"));
        let d = decode(&[0x00, 0x00, 0x08, 0x00, 0x45], linktype::NULL);
        assert_eq!(d.u64("null.type"), Some(0x0800));
    }

    #[test]
    fn ppp_on_null_link() {
        let d = decode(&[0xff, 0x03, 0x00, 0x21, 0x45], linktype::NULL);
        assert_eq!(d.u64("ppp.protocol"), Some(0x21));
    }

    #[test]
    fn every_truncation_fails_cleanly() {
        for lt in [linktype::NULL, linktype::LOOP] {
            for n in 0..4 {
                let d = decode(&NULL_V6_LE[..n], lt);
                let l = &d.layers[0];
                assert_eq!(l.proto, "null");
                assert_eq!(l.error.as_ref().map(|e| e.offset), Some(n));
            }
        }
    }
}
