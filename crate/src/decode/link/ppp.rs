//! PPP framings: LINKTYPE_PPP (9) and LINKTYPE_PPP_HDLC (50) with or without the HDLC address and
//! control bytes and with or without protocol-field compression, Cisco HDLC (LINKTYPE_C_HDLC 104,
//! and Cisco frames met on PPP links), and PPPoE (LINKTYPE_PPP_ETHER 51).
//!
//! Owns these headers and the dispatch from the PPP protocol number. Control protocols (LCP, IPCP,
//! PAP, CHAP...) are named but not decoded here; it must never decode a payload whose protocol it
//! cannot name as anything but data.

use super::opaque;
use crate::decode::bytes::{be16, u8_at};
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;

/// A PPP frame from its first byte: HDLC address and control when the address is 0xff, then the
/// protocol in one or two bytes.
pub fn decode_ppp_hdlc(cx: &mut Ctx<'_>, off: usize) -> Next {
    let b = cx.frame;
    let first = u8_at(b, off);
    // Cisco HDLC shares the link type on many routers; its address byte is never 0xff.
    if matches!(first, Some(0x0f | 0x8f)) {
        return decode_chdlc(cx, off);
    }
    let mut l = Layer::new("ppp", "Point-to-Point Protocol", off);
    let mut p = off;
    if first == Some(0xff) {
        l.add("ppp.address", "Address", Value::UInt(0xff), off, 1)
            .show(|| "0xff (all stations)".into());
        let Some(control) = u8_at(b, off + 1) else {
            return short(cx, l, off + 1, "the control byte");
        };
        l.add(
            "ppp.control",
            "Control",
            Value::UInt(u64::from(control)),
            off + 1,
            1,
        )
        .show(|| {
            if control == 0x03 {
                "0x03 (unnumbered information)".into()
            } else {
                format!("0x{control:02x} (not the usual 0x03)")
            }
        });
        p = off + 2;
    }
    let Some(hi) = u8_at(b, p) else {
        return short(cx, l, p, "the protocol field");
    };
    // RFC 1661 section 6.6: protocol numbers have an odd low byte and an even high byte, so an
    // odd first byte means the sender compressed the leading zero away.
    let (protocol, plen) = if hi & 1 == 1 {
        (u16::from(hi), 1)
    } else {
        let Some(v) = be16(b, p) else {
            return short(cx, l, p, "the protocol field");
        };
        (v, 2)
    };
    add_protocol(&mut l, protocol, p, plen);
    l.len = p + plen - off;
    cx.push(l);
    dispatch(cx, protocol, p + plen)
}

fn add_protocol(l: &mut Layer, protocol: u16, at: usize, len: usize) {
    l.add(
        "ppp.protocol",
        "Protocol",
        Value::UInt(u64::from(protocol)),
        at,
        len,
    )
    .show(|| match protocol_name(protocol) {
        Some(n) => format!("0x{protocol:04x} ({n})"),
        None => format!("0x{protocol:04x} (unknown)"),
    });
}

fn short(cx: &mut Ctx<'_>, mut l: Layer, at: usize, what: &str) -> Next {
    l.len = cx.frame.len().saturating_sub(l.offset);
    l.fail(at, format!("frame ends at byte {at} before {what}"));
    cx.push(l);
    Next::Stop
}

fn dispatch(cx: &mut Ctx<'_>, protocol: u16, payload: usize) -> Next {
    match protocol {
        0x0021 => Next::Ip(payload),
        0x0057 => Next::Ipv6(payload),
        // MPLS over PPP (RFC 3032 section 4.3) carries the same label stack as over Ethernet.
        0x0281 => Next::EtherType(0x8847, payload),
        0x0283 => Next::EtherType(0x8848, payload),
        p => opaque(
            cx,
            payload,
            match protocol_name(p) {
                Some(n) => format!("PPP {n} (not decoded)"),
                None => format!("PPP protocol 0x{p:04x} (not decoded)"),
            },
        ),
    }
}

/// PPP protocol numbers (IANA "PPP DLL Protocol Numbers" registry).
fn protocol_name(p: u16) -> Option<&'static str> {
    Some(match p {
        0x0021 => "IPv4",
        0x0023 => "OSI network layer",
        0x0029 => "AppleTalk",
        0x002b => "Novell IPX",
        0x002d => "Van Jacobson compressed TCP/IP",
        0x002f => "Van Jacobson uncompressed TCP/IP",
        0x0031 => "Bridging PDU",
        0x003d => "Multilink PPP",
        0x0057 => "IPv6",
        0x00fb => "single-link compressed datagram",
        0x00fd => "compressed datagram",
        0x0281 => "MPLS unicast",
        0x0283 => "MPLS multicast",
        0x8021 => "IP Control Protocol",
        0x8023 => "OSI Network Layer Control Protocol",
        0x8029 => "AppleTalk Control Protocol",
        0x802b => "IPX Control Protocol",
        0x8031 => "Bridging Control Protocol",
        0x803d => "Multilink Control Protocol",
        0x8057 => "IPv6 Control Protocol",
        0x80fb => "single-link Compression Control Protocol",
        0x80fd => "Compression Control Protocol",
        0x8281 => "MPLS Control Protocol",
        0xc021 => "Link Control Protocol",
        0xc023 => "Password Authentication Protocol",
        0xc025 => "Link Quality Report",
        0xc02b => "Bandwidth Allocation Control Protocol",
        0xc02d => "Bandwidth Allocation Protocol",
        0xc223 => "Challenge Handshake Authentication Protocol",
        0xc227 => "Extensible Authentication Protocol",
        _ => return None,
    })
}

/// Cisco HDLC: address, control, and an EtherType-like protocol.
pub fn decode_chdlc(cx: &mut Ctx<'_>, off: usize) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("chdlc", "Cisco HDLC", off);
    let Some(addr) = u8_at(b, off) else {
        return short(cx, l, off, "the address byte");
    };
    l.add(
        "chdlc.address",
        "Address",
        Value::UInt(u64::from(addr)),
        off,
        1,
    )
    .show(|| match addr {
        0x0f => "0x0f (unicast)".into(),
        0x8f => "0x8f (multicast)".into(),
        a => format!("0x{a:02x}"),
    });
    let Some(control) = u8_at(b, off + 1) else {
        return short(cx, l, off + 1, "the control byte");
    };
    l.add(
        "chdlc.control",
        "Control",
        Value::UInt(u64::from(control)),
        off + 1,
        1,
    );
    let Some(protocol) = be16(b, off + 2) else {
        return short(cx, l, off + 2, "the protocol field");
    };
    let name = match protocol {
        // Cisco's own values (Wireshark packet-chdlc.c; Cisco IOS documentation).
        0x8035 => Some("Cisco SLARP"),
        0x2000 => Some("Cisco Discovery Protocol"),
        0xfefe => Some("OSI (CLNS)"),
        0x0800 => Some("IPv4"),
        0x86dd => Some("IPv6"),
        0x8847 => Some("MPLS"),
        _ => None,
    };
    l.add(
        "chdlc.protocol",
        "Protocol",
        Value::UInt(u64::from(protocol)),
        off + 2,
        2,
    )
    .show(|| match name {
        Some(n) => format!("0x{protocol:04x} ({n})"),
        None => format!("0x{protocol:04x}"),
    });
    l.len = 4;
    cx.push(l);
    match protocol {
        0x8035 | 0x2000 | 0xfefe => opaque(
            cx,
            off + 4,
            format!("{} (not decoded)", name.unwrap_or("Cisco")),
        ),
        et => Next::EtherType(et, off + 4),
    }
}

/// PPPoE (RFC 2516): version/type, code, session id, payload length; a session frame (code 0)
/// carries PPP without address and control bytes.
pub fn decode_pppoe_session(cx: &mut Ctx<'_>, off: usize) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("pppoes", "PPP-over-Ethernet", off);
    let Some(vt) = u8_at(b, off) else {
        return short(cx, l, off, "the version byte");
    };
    l.add_bits(
        "pppoe.version",
        "Version",
        Value::UInt(u64::from(vt >> 4)),
        off,
        1,
        0xf0,
        0,
    );
    l.add_bits(
        "pppoe.type",
        "Type",
        Value::UInt(u64::from(vt & 0x0f)),
        off,
        1,
        0x0f,
        0,
    );
    let Some(code) = u8_at(b, off + 1) else {
        return short(cx, l, off + 1, "the code byte");
    };
    l.add(
        "pppoe.code",
        "Code",
        Value::UInt(u64::from(code)),
        off + 1,
        1,
    )
    .show(|| match code {
        // RFC 2516 section 5 codes.
        0x00 => "0x00 (session data)".into(),
        0x09 => "0x09 (PADI)".into(),
        0x07 => "0x07 (PADO)".into(),
        0x19 => "0x19 (PADR)".into(),
        0x65 => "0x65 (PADS)".into(),
        0xa7 => "0xa7 (PADT)".into(),
        c => format!("0x{c:02x}"),
    });
    let Some(session) = be16(b, off + 2) else {
        return short(cx, l, off + 2, "the session id");
    };
    l.add(
        "pppoe.session_id",
        "Session ID",
        Value::UInt(u64::from(session)),
        off + 2,
        2,
    )
    .show(|| format!("0x{session:04x}"));
    let Some(plen) = be16(b, off + 4) else {
        return short(cx, l, off + 4, "the payload length");
    };
    l.add(
        "pppoe.payload_length",
        "Payload Length",
        Value::UInt(u64::from(plen)),
        off + 4,
        2,
    );
    l.len = 6;
    cx.push(l);
    if code == 0 {
        decode_ppp_hdlc(cx, off + 6)
    } else {
        opaque(cx, off + 6, "PPPoE discovery tags (not decoded)".into())
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::decode;

    const PPP: u32 = 9;

    /// PPP in HDLC-like framing carrying IPv4.
    const PPP_IPV4: [u8; 5] = [
        0xff, // ppp.address: all stations
        0x03, // ppp.control: UI
        0x00, 0x21, // ppp.protocol: IPv4
        0x45, // IPv4 version/IHL
    ];

    #[test]
    fn ppp_with_address_and_control() {
        let d = decode(&PPP_IPV4, PPP);
        let l = d.layer("ppp").unwrap();
        assert!(l.error.is_none());
        assert_eq!((l.offset, l.len), (0, 4));
        let f = l.field("ppp.address").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(0xff), 0, 1));
        let f = l.field("ppp.control").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(3), 1, 1));
        let f = l.field("ppp.protocol").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(0x21), 2, 2));
        assert_eq!(f.shown(), "0x0021 (IPv4)");
    }

    #[test]
    fn ppp_without_address_and_with_compressed_protocol() {
        // ppp.protocol 0x0057 (IPv6) without address/control.
        let d = decode(&[0x00, 0x57, 0x60], PPP);
        let f = d.field("ppp.protocol").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(0x57), 0, 2));
        assert!(d.field("ppp.address").is_none());
        // A single odd byte is a compressed protocol: 0x23 is OSI.
        let d = decode(&[0x23, 0x08, 0x30], PPP);
        let f = d.field("ppp.protocol").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(0x23), 0, 1));
        assert_eq!(d.layers[1].proto, "data");
        assert_eq!(d.layers[1].offset, 1);
        // LCP is named, not decoded.
        let d = decode(&[0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4], PPP);
        assert!(d.layers[1].title.contains("Link Control Protocol"));
    }

    #[test]
    fn cisco_hdlc() {
        let f = [
            0x0f, // chdlc.address: unicast
            0x00, // chdlc.control
            0x08, 0x00, // chdlc.protocol: IPv4
            0x45,
        ];
        for lt in [104, PPP] {
            let d = decode(&f, lt);
            let l = d.layer("chdlc").unwrap();
            assert_eq!((l.offset, l.len), (0, 4));
            let p = l.field("chdlc.protocol").unwrap();
            assert_eq!((p.value.as_u64(), p.offset, p.len), (Some(0x0800), 2, 2));
        }
    }

    #[test]
    fn pppoe_session() {
        let f = [
            0x11, // pppoe.version 1, pppoe.type 1
            0x00, // pppoe.code: session data
            0x12, 0x34, // pppoe.session_id
            0x00, 0x03, // pppoe.payload_length
            0x00, 0x21, // ppp.protocol: IPv4
            0x45,
        ];
        let d = decode(&f, 51);
        let l = d.layer("pppoes").unwrap();
        assert_eq!(l.u64("pppoe.version"), Some(1));
        assert_eq!(l.field("pppoe.type").map(|f| f.mask), Some(0x0f));
        let s = l.field("pppoe.session_id").unwrap();
        assert_eq!((s.value.as_u64(), s.offset, s.len), (Some(0x1234), 2, 2));
        let p = d.field("ppp.protocol").unwrap();
        assert_eq!((p.value.as_u64(), p.offset), (Some(0x21), 6));
    }

    #[test]
    fn every_truncation_fails_cleanly() {
        for n in 0..4 {
            let d = decode(&PPP_IPV4[..n], PPP);
            let l = &d.layers[0];
            assert!(l.error.is_some(), "prefix {n}");
            assert_eq!(d.layers.len(), 1);
        }
        let f = [0x11, 0x00, 0x12, 0x34, 0x00, 0x03, 0x00, 0x21];
        for n in 0..7 {
            let d = decode(&f[..n], 51);
            assert!(d.error().is_some(), "prefix {n}");
        }
    }
}
