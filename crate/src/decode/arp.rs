//! ARP (RFC 826) and the protocols that reuse its packet layout (RARP RFC 903, Inverse ARP
//! RFC 2390, DRARP): the fixed 8-byte header, the four addresses whose sizes the header announces,
//! and Wireshark's gratuitous / probe / announcement classification (RFC 5227).
//!
//! It owns only the ARP packet itself: it never reads past `8 + 2*hlen + 2*plen` bytes, never
//! treats the Ethernet padding after the packet as ARP (it reports where the packet ends so the
//! link layer can classify that trailer), and never panics on a cut or lying header.

use super::bytes::{be16, slice, u8_at};
use super::{Ctx, Layer, Next};
use crate::field::Value;
use std::net::Ipv4Addr;

/// Byte offsets of the fixed header, relative to the start of the ARP packet (RFC 826).
mod field {
    pub const HTYPE: usize = 0;
    pub const PTYPE: usize = 2;
    pub const HLEN: usize = 4;
    pub const PLEN: usize = 5;
    pub const OPER: usize = 6;
    pub const HEADER_LEN: usize = 8;
}

pub const OP_REQUEST: u16 = 1;
pub const OP_REPLY: u16 = 2;
pub const OP_DRARP_ERROR: u16 = 7;

/// Hardware type names, from the IANA "Address Resolution Protocol (ARP) Parameters" registry,
/// Hardware Types table.
pub fn hw_type_name(t: u16) -> Option<&'static str> {
    Some(match t {
        0 => "Reserved",
        1 => "Ethernet",
        2 => "Experimental Ethernet",
        3 => "AX.25",
        4 => "ProNET token ring",
        5 => "Chaos",
        6 => "IEEE 802",
        7 => "ARCNET",
        8 => "Hyperchannel",
        9 => "Lanstar",
        10 => "Autonet Short Address",
        11 => "LocalTalk",
        12 => "LocalNet",
        13 => "Ultra link",
        14 => "SMDS",
        15 => "Frame Relay",
        16 | 19 | 21 => "ATM",
        17 => "HDLC",
        18 => "Fibre Channel",
        20 => "Serial Line",
        22 => "MIL-STD-188-220",
        23 => "Metricom",
        24 => "IEEE 1394.1995",
        25 => "MAPOS",
        26 => "Twinaxial",
        27 => "EUI-64",
        28 => "HIPARP",
        29 => "IP and ARP over ISO 7816-3",
        30 => "ARPSec",
        31 => "IPsec tunnel",
        32 => "InfiniBand",
        33 => "TIA-102 Project 25 CAI",
        34 => "Wiegand Interface",
        35 => "Pure IP",
        36 => "HW_EXP1",
        37 => "HFI",
        38 => "Unified Bus",
        256 => "HW_EXP2",
        257 => "AEthernet",
        65535 => "Reserved",
        _ => return None,
    })
}

/// Operation code names, from the IANA ARP Parameters registry, Operation Codes table (spelled
/// the way Wireshark shows them).
pub fn opcode_name(op: u16) -> Option<&'static str> {
    Some(match op {
        0 | 65535 => "reserved",
        1 => "request",
        2 => "reply",
        3 => "reverse request",
        4 => "reverse reply",
        5 => "drarp request",
        6 => "drarp reply",
        7 => "drarp error",
        8 => "inverse request",
        9 => "inverse reply",
        10 => "arp nak",
        11 => "mars request",
        12 => "mars multi",
        13 => "mars mserv",
        14 => "mars join",
        15 => "mars leave",
        16 => "mars nak",
        17 => "mars unserv",
        18 => "mars sjoin",
        19 => "mars sleave",
        20 => "mars grouplist request",
        21 => "mars grouplist reply",
        22 => "mars redirect map",
        23 => "mapos unarp",
        24 => "experimental 1",
        25 => "experimental 2",
        _ => return None,
    })
}

/// Protocol type names for the EtherTypes that appear in ARP's protocol field (IEEE EtherType
/// registry), plus AX.25's PID for IP (0xCC), which AX.25 ARP puts in the same field.
fn proto_type_name(p: u16) -> Option<&'static str> {
    Some(match p {
        0x0800 => "IPv4",
        0x00cc => "IP over AX.25",
        0x0806 => "ARP",
        0x86dd => "IPv6",
        _ => return None,
    })
}

/// Hardware addresses are MAC addresses only for Ethernet and IEEE 802 with 6-byte addresses;
/// Wireshark decides the same way, so field names stay comparable.
fn hw_is_ether(htype: u16, hlen: usize) -> bool {
    (htype == 1 || htype == 6) && hlen == 6
}

/// Protocol addresses are IPv4 when the type says IP (EtherType or AX.25 PID) and the size is 4.
fn proto_is_ipv4(ptype: u16, plen: usize) -> bool {
    (ptype == 0x0800 || ptype == 0x00cc) && plen == 4
}

/// Decodes an ARP packet at `off`. ARP carries nothing above it, so the answer is always `Stop`.
pub fn decode_arp(cx: &mut Ctx<'_>, off: usize) -> Next {
    let f = cx.frame;
    // Offsets saturate so a hostile `off` near usize::MAX reads nothing instead of overflowing.
    let at = |n: usize| off.saturating_add(n);
    let mut l = Layer::new("arp", "Address Resolution Protocol", off);
    let captured = f.len().saturating_sub(off);
    l.len = captured.min(field::HEADER_LEN);

    let cut = |mut l: Layer, cx: &mut Ctx<'_>, at: usize| {
        l.fail(
            at,
            format!(
                "ARP header needs {} bytes; only {captured} captured",
                field::HEADER_LEN
            ),
        );
        cx.push(l);
        Next::Stop
    };

    let Some(htype) = be16(f, at(field::HTYPE)) else {
        return cut(l, cx, off);
    };
    let hw_name = hw_type_name(htype).unwrap_or("Unknown");
    l.add(
        "arp.hw.type",
        "Hardware type",
        Value::UInt(htype.into()),
        off,
        2,
    )
    .show(|| format!("{hw_name} ({htype})"));

    let Some(ptype) = be16(f, at(field::PTYPE)) else {
        return cut(l, cx, at(field::PTYPE));
    };
    let pt = at(field::PTYPE);
    l.add(
        "arp.proto.type",
        "Protocol type",
        Value::UInt(ptype.into()),
        pt,
        2,
    )
    .show(|| match proto_type_name(ptype) {
        Some(n) => format!("0x{ptype:04x} ({n})"),
        None => format!("0x{ptype:04x}"),
    });

    let Some(hlen) = u8_at(f, at(field::HLEN)) else {
        return cut(l, cx, at(field::HLEN));
    };
    l.add(
        "arp.hw.size",
        "Hardware size",
        Value::UInt(hlen.into()),
        at(field::HLEN),
        1,
    );
    let Some(plen) = u8_at(f, at(field::PLEN)) else {
        return cut(l, cx, at(field::PLEN));
    };
    l.add(
        "arp.proto.size",
        "Protocol size",
        Value::UInt(plen.into()),
        at(field::PLEN),
        1,
    );
    let (hlen, plen) = (usize::from(hlen), usize::from(plen));

    // Sizes are single bytes, so the total is at most 8 + 2*255 + 2*255: no overflow in the sum,
    // only possibly in `off +` on a hostile offset, hence saturating.
    let total = field::HEADER_LEN + 2 * hlen + 2 * plen;
    cx.set_datagram_end(off.saturating_add(total));

    let Some(op) = be16(f, at(field::OPER)) else {
        return cut(l, cx, at(field::OPER));
    };
    let op_name = opcode_name(op);
    l.add(
        "arp.opcode",
        "Opcode",
        Value::UInt(op.into()),
        at(field::OPER),
        2,
    )
    .show(|| match op_name {
        Some(n) => format!("{n} ({op})"),
        None => format!("Unknown ({op})"),
    });
    l.len = captured.min(total);

    let sha = at(field::HEADER_LEN);
    let spa = sha.saturating_add(hlen);
    let tha = spa.saturating_add(plen);
    let tpa = tha.saturating_add(hlen);
    let sha_b = slice(f, sha, hlen);
    let spa_b = slice(f, spa, plen);
    let tha_b = slice(f, tha, hlen);
    let tpa_b = slice(f, tpa, plen);

    // RFC 5227 vocabulary, classified as Wireshark does: a request or reply whose sender and
    // target protocol addresses are equal is gratuitous; a gratuitous request with an all-zero
    // target hardware address is an announcement; a request from the all-zero protocol address
    // with an all-zero target hardware address is a probe (duplicate address detection).
    let is_req_or_reply = op == OP_REQUEST || op == OP_REPLY;
    let zero = |b: Option<&[u8]>| b.is_some_and(|b| !b.is_empty() && b.iter().all(|&x| x == 0));
    let gratuitous = is_req_or_reply && plen > 0 && spa_b.is_some() && spa_b == tpa_b;
    let announcement = gratuitous && op == OP_REQUEST && zero(tha_b);
    let probe = !gratuitous && op == OP_REQUEST && zero(tha_b) && zero(spa_b);
    // The usual titles are constants, so most ARP packets cost no formatting here.
    l.title = match (op_name, op) {
        _ if announcement => "Address Resolution Protocol (ARP Announcement)".into(),
        _ if probe => "Address Resolution Protocol (ARP Probe)".into(),
        (_, OP_REQUEST) if gratuitous => {
            "Address Resolution Protocol (request/gratuitous ARP)".into()
        }
        (_, OP_REPLY) if gratuitous => "Address Resolution Protocol (reply/gratuitous ARP)".into(),
        (_, OP_REQUEST) => "Address Resolution Protocol (request)".into(),
        (_, OP_REPLY) => "Address Resolution Protocol (reply)".into(),
        (Some(n), _) => format!("Address Resolution Protocol ({n})").into(),
        (None, _) => std::mem::take(&mut l.title),
    };
    // These verdicts have no bytes of their own; they point at the evidence: the target
    // protocol address that repeats the sender's, or the zero address that makes a probe.
    if gratuitous {
        l.add(
            "arp.isgratuitous",
            "Is gratuitous",
            Value::Bool(true),
            tpa,
            plen,
        );
    }
    if probe {
        l.add("arp.isprobe", "Is probe", Value::Bool(true), spa, plen);
    }
    if announcement {
        l.add(
            "arp.isannouncement",
            "Is announcement",
            Value::Bool(true),
            tha,
            hlen,
        );
    }

    let ether = hw_is_ether(htype, hlen);
    let ipv4 = proto_is_ipv4(ptype, plen);
    let addrs: [(usize, usize, Option<&[u8]>, bool); 4] = [
        (sha, hlen, sha_b, true),
        (spa, plen, spa_b, false),
        (tha, hlen, tha_b, true),
        (tpa, plen, tpa_b, false),
    ];
    for (i, (pos, len, bytes, is_hw)) in addrs.into_iter().enumerate() {
        if len == 0 {
            continue;
        }
        let Some(b) = bytes else {
            l.fail(
                pos,
                format!(
                    "ARP packet needs {total} bytes ({hlen}-byte hardware and {plen}-byte \
                     protocol addresses); only {captured} captured"
                ),
            );
            break;
        };
        let sender = i < 2;
        if is_hw {
            let (name, label) = match (sender, ether) {
                (true, true) => ("arp.src.hw_mac", "Sender MAC address"),
                (true, false) => ("arp.src.hw", "Sender hardware address"),
                (false, true) => ("arp.dst.hw_mac", "Target MAC address"),
                (false, false) => ("arp.dst.hw", "Target hardware address"),
            };
            let value = match <[u8; 6]>::try_from(b) {
                Ok(m) if ether => Value::Mac(m),
                _ => Value::Bytes(b.to_vec()),
            };
            l.add(name, label, value, pos, len);
        } else if !sender && op == OP_DRARP_ERROR {
            // DRARP errors reuse the first byte of the target protocol address as a status.
            let status = b.first().copied().unwrap_or(0);
            l.add(
                "arp.dst.drarp_error_status",
                "DRARP error status",
                Value::UInt(status.into()),
                pos,
                1,
            );
        } else {
            let (name, label) = match (sender, ipv4) {
                (true, true) => ("arp.src.proto_ipv4", "Sender IP address"),
                (true, false) => ("arp.src.proto", "Sender protocol address"),
                (false, true) => ("arp.dst.proto_ipv4", "Target IP address"),
                (false, false) => ("arp.dst.proto", "Target protocol address"),
            };
            let value = match <[u8; 4]>::try_from(b) {
                Ok(a) if ipv4 => Value::Ipv4(Ipv4Addr::from(a)),
                _ => Value::Bytes(b.to_vec()),
            };
            l.add(name, label, value, pos, len);
        }
    }
    cx.push(l);
    Next::Stop
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(frame: &[u8], off: usize) -> (Vec<Layer>, Option<usize>) {
        let mut cx = Ctx {
            frame,
            layers: Vec::new(),
            quoted: false,
            datagram_end: None,
            orig_len: 0,
        };
        assert_eq!(decode_arp(&mut cx, off), Next::Stop);
        (cx.layers, cx.datagram_end)
    }

    /// An ARP request after a 14-byte Ethernet header, padded to 60 bytes as on the wire.
    #[rustfmt::skip]
    const REQUEST: [u8; 60] = [
        // Ethernet: broadcast dst, src 00:11:22:33:44:55, type 0x0806 (not decoded here)
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x06,
        0x00, 0x01,                         // 14: hardware type 1 (Ethernet)
        0x08, 0x00,                         // 16: protocol type 0x0800 (IPv4)
        0x06,                               // 18: hardware size 6
        0x04,                               // 19: protocol size 4
        0x00, 0x01,                         // 20: opcode 1 (request)
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // 22: sender MAC
        0xc0, 0xa8, 0x01, 0x02,             // 28: sender IP 192.168.1.2
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 32: target MAC (unknown)
        0xc0, 0xa8, 0x01, 0x01,             // 38: target IP 192.168.1.1
        // 42: 18 bytes of Ethernet padding, not ARP
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    #[test]
    fn request_fields_values_and_ranges() {
        let (layers, end) = run(&REQUEST, 14);
        assert_eq!(end, Some(42));
        let l = &layers[0];
        assert_eq!(l.proto, "arp");
        assert_eq!((l.offset, l.len), (14, 28));
        assert_eq!(l.error, None);
        assert_eq!(l.title, "Address Resolution Protocol (request)");
        let at = |n: &str| {
            let f = l.field(n).unwrap();
            (f.value.clone(), f.offset, f.len)
        };
        assert_eq!(at("arp.hw.type"), (Value::UInt(1), 14, 2));
        assert_eq!(l.field("arp.hw.type").unwrap().shown(), "Ethernet (1)");
        assert_eq!(at("arp.proto.type"), (Value::UInt(0x0800), 16, 2));
        assert_eq!(l.field("arp.proto.type").unwrap().shown(), "0x0800 (IPv4)");
        assert_eq!(at("arp.hw.size"), (Value::UInt(6), 18, 1));
        assert_eq!(at("arp.proto.size"), (Value::UInt(4), 19, 1));
        assert_eq!(at("arp.opcode"), (Value::UInt(1), 20, 2));
        assert_eq!(l.field("arp.opcode").unwrap().shown(), "request (1)");
        assert_eq!(
            at("arp.src.hw_mac"),
            (Value::Mac([0, 0x11, 0x22, 0x33, 0x44, 0x55]), 22, 6)
        );
        assert_eq!(
            at("arp.src.proto_ipv4"),
            (Value::Ipv4(Ipv4Addr::new(192, 168, 1, 2)), 28, 4)
        );
        assert_eq!(at("arp.dst.hw_mac"), (Value::Mac([0; 6]), 32, 6));
        assert_eq!(
            at("arp.dst.proto_ipv4"),
            (Value::Ipv4(Ipv4Addr::new(192, 168, 1, 1)), 38, 4)
        );
        assert!(l.field("arp.isgratuitous").is_none());
        assert!(l.field("arp.isprobe").is_none());
    }

    #[test]
    fn gratuitous_announcement_and_probe() {
        // Announcement: request with target IP = sender IP and zero target MAC.
        let mut f = REQUEST;
        f[38..42].copy_from_slice(&[0xc0, 0xa8, 0x01, 0x02]);
        let (layers, _) = run(&f, 14);
        let l = &layers[0];
        let g = l.field("arp.isgratuitous").unwrap();
        assert_eq!(
            (g.value.clone(), g.offset, g.len),
            (Value::Bool(true), 38, 4)
        );
        assert!(l.field("arp.isannouncement").is_some());
        assert_eq!(l.title, "Address Resolution Protocol (ARP Announcement)");

        // Gratuitous reply: no announcement.
        f[21] = 2;
        f[32..38].copy_from_slice(&[0xff; 6]);
        let (layers, _) = run(&f, 14);
        assert!(layers[0].field("arp.isgratuitous").is_some());
        assert!(layers[0].field("arp.isannouncement").is_none());
        assert_eq!(
            layers[0].title,
            "Address Resolution Protocol (reply/gratuitous ARP)"
        );

        // Probe: request from 0.0.0.0 with zero target MAC.
        let mut f = REQUEST;
        f[28..32].copy_from_slice(&[0; 4]);
        let (layers, _) = run(&f, 14);
        let p = layers[0].field("arp.isprobe").unwrap();
        assert_eq!((p.offset, p.len), (28, 4));
        assert!(layers[0].field("arp.isgratuitous").is_none());
        assert_eq!(layers[0].title, "Address Resolution Protocol (ARP Probe)");
    }

    #[test]
    fn other_sizes_are_generic_bytes() {
        #[rustfmt::skip]
        let arcnet = [
            0x00, 0x07, // hardware type 7 (ARCNET)
            0x08, 0x00, // protocol type IPv4
            0x01,       // hardware size 1
            0x04,       // protocol size 4
            0x00, 0x02, // opcode 2 (reply)
            0x01,                   // 8: sender hardware address
            0x0a, 0x00, 0x00, 0x01, // 9: sender IP 10.0.0.1
            0x02,                   // 13: target hardware address
            0x0a, 0x00, 0x00, 0x02, // 14: target IP 10.0.0.2
        ];
        let (layers, end) = run(&arcnet, 0);
        assert_eq!(end, Some(18));
        let l = &layers[0];
        assert_eq!(l.error, None);
        let sha = l.field("arp.src.hw").unwrap();
        assert_eq!(
            (sha.value.clone(), sha.offset, sha.len),
            (Value::Bytes(vec![1]), 8, 1)
        );
        assert_eq!(l.get("arp.dst.hw"), Some(&Value::Bytes(vec![2])));
        assert_eq!(
            l.get("arp.src.proto_ipv4"),
            Some(&Value::Ipv4(Ipv4Addr::new(10, 0, 0, 1)))
        );
        assert!(l.field("arp.src.hw_mac").is_none());
    }

    #[test]
    fn every_truncation_keeps_fields_and_reports_the_cut() {
        let arp = &REQUEST[14..42];
        for n in 0..arp.len() {
            let (layers, _) = run(&arp[..n], 0);
            assert_eq!(layers.len(), 1, "prefix {n}");
            let l = &layers[0];
            let e = l
                .error
                .as_ref()
                .unwrap_or_else(|| panic!("prefix {n} has no error"));
            assert!(e.offset <= n, "prefix {n}: error at {}", e.offset);
            assert!(l.len <= n);
            assert!(l.fields.iter().all(|f| f.offset + f.len <= n));
        }
        let (layers, _) = run(arp, 0);
        assert_eq!(layers[0].error, None);
    }

    #[test]
    fn hostile_sizes_and_offsets_do_not_panic() {
        let mut f = REQUEST;
        f[18] = 0xff;
        f[19] = 0xff;
        let (layers, end) = run(&f, 14);
        assert_eq!(end, Some(60));
        assert!(layers[0].error.is_some());
        let (layers, _) = run(&REQUEST, usize::MAX);
        assert!(layers[0].error.is_some());
    }

    #[test]
    fn unknown_opcode_keeps_plain_title() {
        let mut f = REQUEST;
        f[21] = 200;
        let (layers, _) = run(&f, 14);
        assert_eq!(layers[0].title, "Address Resolution Protocol");
        assert_eq!(
            layers[0].field("arp.opcode").unwrap().shown(),
            "Unknown (200)"
        );
    }
}
