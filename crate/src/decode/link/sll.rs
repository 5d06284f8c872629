//! Linux "cooked" capture headers (LINKTYPE_LINUX_SLL 113 and LINKTYPE_LINUX_SLL2 276): the
//! pseudo-header libpcap writes when capturing on "any" or on devices without a link header.
//!
//! Owns the 16- and 20-byte headers and the choice of what follows from the protocol field (an
//! EtherType, or one of Linux's internal protocol numbers). Never reads the address bytes beyond
//! the 8-byte slot the header reserves for them, whatever the address length field claims.

use super::{opaque, radiotap, wlan};
use crate::decode::bytes::{be16, be32, slice, u8_at};
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;
use std::net::Ipv4Addr;

const SLL_LEN: usize = 16;
const SLL2_LEN: usize = 20;
/// Size of the address slot; longer addresses are cut to it by the kernel.
const ADDR_SLOT: usize = 8;

/// ARPHRD_ values (Linux include/uapi/linux/if_arp.h) that change how the protocol field reads.
const ARPHRD_IEEE80211: u16 = 801;
const ARPHRD_IEEE80211_RADIOTAP: u16 = 803;
const ARPHRD_IPGRE: u16 = 778;
const ARPHRD_NETLINK: u16 = 824;

/// What the protocol field says comes next.
enum Route {
    EtherType(u16),
    Llc,
    PppHdlc,
    Radiotap,
    Wlan,
    Opaque(String),
}

/// LINKTYPE_LINUX_SLL: packet type, ARPHRD type, address length, 8-byte address, protocol.
pub fn decode_sll(cx: &mut Ctx<'_>, off: usize) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("sll", "Linux cooked capture v1", off);
    let avail = b.len().saturating_sub(off);
    l.len = avail.min(SLL_LEN);

    let Some(pkttype) = be16(b, off) else {
        return short(cx, l, off, SLL_LEN, avail);
    };
    l.add(
        "sll.pkttype",
        "Packet type",
        Value::UInt(u64::from(pkttype)),
        off,
        2,
    )
    .show(|| format!("{} ({pkttype})", pkttype_name(pkttype)));
    let Some(hatype) = be16(b, off + 2) else {
        return short(cx, l, off, SLL_LEN, avail);
    };
    add_hatype(&mut l, hatype, off + 2, 2);
    let Some(halen) = be16(b, off + 4) else {
        return short(cx, l, off, SLL_LEN, avail);
    };
    l.add(
        "sll.halen",
        "Link-layer address length",
        Value::UInt(u64::from(halen)),
        off + 4,
        2,
    );
    if !add_address(&mut l, b, off + 6, usize::from(halen)) {
        return short(cx, l, off, SLL_LEN, avail);
    }
    let Some(protocol) = be16(b, off + 14) else {
        return short(cx, l, off, SLL_LEN, avail);
    };
    let route = protocol_field(&mut l, hatype, protocol, off + 14);
    cx.push(l);
    follow(cx, route, off + SLL_LEN)
}

/// LINKTYPE_LINUX_SLL2: protocol first, then a reserved word, the interface index, ARPHRD type,
/// a one-byte packet type and address length, and the 8-byte address.
pub fn decode_sll2(cx: &mut Ctx<'_>, off: usize) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("sll", "Linux cooked capture v2", off);
    let avail = b.len().saturating_sub(off);
    l.len = avail.min(SLL2_LEN);

    let Some(protocol) = be16(b, off) else {
        return short(cx, l, off, SLL2_LEN, avail);
    };
    // The protocol field can only be read for what it is once the ARPHRD type is known, which
    // comes later in this header; it is added once the rest is in.
    if be16(b, off + 2).is_none() {
        return short(cx, l, off, SLL2_LEN, avail);
    }
    let Some(ifindex) = be32(b, off + 4) else {
        return short(cx, l, off, SLL2_LEN, avail);
    };
    let Some(hatype) = be16(b, off + 8) else {
        return short(cx, l, off, SLL2_LEN, avail);
    };
    let route = protocol_field(&mut l, hatype, protocol, off);
    l.add(
        "sll.ifindex",
        "Interface index",
        Value::UInt(u64::from(ifindex)),
        off + 4,
        4,
    );
    add_hatype(&mut l, hatype, off + 8, 2);
    let Some(pkttype) = u8_at(b, off + 10) else {
        return short(cx, l, off, SLL2_LEN, avail);
    };
    l.add(
        "sll.pkttype",
        "Packet type",
        Value::UInt(u64::from(pkttype)),
        off + 10,
        1,
    )
    .show(|| format!("{} ({pkttype})", pkttype_name(u16::from(pkttype))));
    let Some(halen) = u8_at(b, off + 11) else {
        return short(cx, l, off, SLL2_LEN, avail);
    };
    l.add(
        "sll.halen",
        "Link-layer address length",
        Value::UInt(u64::from(halen)),
        off + 11,
        1,
    );
    if !add_address(&mut l, b, off + 12, usize::from(halen)) {
        return short(cx, l, off, SLL2_LEN, avail);
    }
    cx.push(l);
    follow(cx, route, off + SLL2_LEN)
}

/// Records a header cut short and stops: nothing after it can be placed.
fn short(cx: &mut Ctx<'_>, mut l: Layer, off: usize, need: usize, avail: usize) -> Next {
    l.fail(
        off + avail,
        format!("Linux cooked header needs {need} bytes; only {avail} captured"),
    );
    cx.push(l);
    Next::Stop
}

fn add_hatype(l: &mut Layer, hatype: u16, at: usize, len: usize) {
    l.add(
        "sll.hatype",
        "Link-layer address type",
        Value::UInt(u64::from(hatype)),
        at,
        len,
    )
    .show(|| match hatype_name(hatype) {
        Some(n) => format!("{n} ({hatype})"),
        None => hatype.to_string(),
    });
}

/// The source address in its 8-byte slot, typed the way Wireshark types it (by its length), and
/// the unused rest of the slot. False when the slot is not all captured.
fn add_address(l: &mut Layer, b: &[u8], at: usize, halen: usize) -> bool {
    let Some(slot) = slice(b, at, ADDR_SLOT) else {
        return false;
    };
    let shown = halen.min(ADDR_SLOT);
    match (shown, slot) {
        (4, [a, b2, c, d, ..]) => {
            l.add(
                "sll.src.ipv4",
                "Source",
                Value::Ipv4(Ipv4Addr::new(*a, *b2, *c, *d)),
                at,
                4,
            );
        }
        (6, [a, b2, c, d, e, f, ..]) => {
            l.add(
                "sll.src.eth",
                "Source",
                Value::Mac([*a, *b2, *c, *d, *e, *f]),
                at,
                6,
            );
        }
        (0, _) => {}
        (n, s) => {
            let v = s.get(..n).unwrap_or(s).to_vec();
            l.add("sll.src.other", "Source", Value::Bytes(v), at, n);
        }
    }
    if shown < ADDR_SLOT {
        let unused = slot.get(shown..).unwrap_or(&[]).to_vec();
        let n = unused.len();
        l.add("sll.unused", "Unused", Value::Bytes(unused), at + shown, n);
    }
    true
}

/// Adds the protocol field under the name that matches how it is read, and says what follows.
fn protocol_field(l: &mut Layer, hatype: u16, protocol: u16, at: usize) -> Route {
    let v = Value::UInt(u64::from(protocol));
    match hatype {
        ARPHRD_IPGRE => {
            // Frames from a GRE device carry the GRE protocol type, which is an EtherType.
            l.add("sll.gretype", "Protocol (GRE)", v, at, 2)
                .show(|| format!("0x{protocol:04x}{}", ethertype_suffix(protocol)));
            Route::EtherType(protocol)
        }
        ARPHRD_IEEE80211_RADIOTAP => {
            l.add("sll.ltype", "Protocol", v, at, 2)
                .show(|| format!("0x{protocol:04x} (802.11 with radiotap, by device type)"));
            Route::Radiotap
        }
        ARPHRD_IEEE80211 => {
            l.add("sll.ltype", "Protocol", v, at, 2)
                .show(|| format!("0x{protocol:04x} (802.11, by device type)"));
            Route::Wlan
        }
        ARPHRD_NETLINK => {
            l.add("sll.ltype", "Protocol (Netlink family)", v, at, 2)
                .show(|| format!("{protocol} (Netlink family)"));
            Route::Opaque(format!("Netlink message (family {protocol}, not decoded)"))
        }
        // Linux never uses values up to 1536 as EtherTypes: they are its own protocol numbers
        // (include/uapi/linux/if_ether.h, ETH_P_*), and Wireshark reads them the same way.
        _ if protocol <= 1536 => {
            let name = ltype_name(protocol);
            l.add("sll.ltype", "Protocol (Linux)", v, at, 2)
                .show(|| match name {
                    Some(n) => format!("{n} (0x{protocol:04x})"),
                    None => format!("Linux protocol 0x{protocol:04x}"),
                });
            match protocol {
                0x0004 => Route::Llc,
                0x0007 => Route::PppHdlc,
                0x0001 => Route::Opaque("Novell IPX over raw 802.3 (not decoded)".into()),
                _ => Route::Opaque(format!(
                    "{} payload (not decoded)",
                    name.unwrap_or("Linux protocol")
                )),
            }
        }
        _ => {
            l.add("sll.etype", "Protocol", v, at, 2)
                .show(|| format!("0x{protocol:04x}{}", ethertype_suffix(protocol)));
            Route::EtherType(protocol)
        }
    }
}

fn follow(cx: &mut Ctx<'_>, route: Route, payload: usize) -> Next {
    match route {
        Route::EtherType(t) => Next::EtherType(t, payload),
        Route::Llc => Next::Llc(payload),
        Route::PppHdlc => super::ppp::decode_ppp_hdlc(cx, payload),
        Route::Radiotap => radiotap::decode_radiotap(cx, payload),
        Route::Wlan => wlan::decode_wlan(cx, payload, wlan::Options::default()),
        Route::Opaque(title) => opaque(cx, payload, title),
    }
}

/// A few EtherTypes by name for the protocol field's display; the Ethernet decoder owns the
/// full registry (IEEE EtherType registry).
fn ethertype_suffix(t: u16) -> &'static str {
    match t {
        0x0800 => " (IPv4)",
        0x0806 => " (ARP)",
        0x86dd => " (IPv6)",
        0x8100 => " (802.1Q VLAN)",
        0x88a8 => " (802.1ad)",
        0x8847 => " (MPLS)",
        0x8848 => " (MPLS multicast)",
        0x888e => " (802.1X EAPOL)",
        0x6558 => " (Transparent Ethernet bridging)",
        _ => "",
    }
}

/// Direction of the packet relative to the capturing host (Linux include/uapi/linux/if_packet.h,
/// PACKET_* values).
fn pkttype_name(t: u16) -> &'static str {
    match t {
        0 => "Unicast to us",
        1 => "Broadcast",
        2 => "Multicast",
        3 => "Unicast to another host",
        4 => "Sent by us",
        5 => "Looped back",
        6 => "To user space",
        7 => "To kernel",
        _ => "Unknown",
    }
}

/// Device types (Linux include/uapi/linux/if_arp.h, ARPHRD_* values).
fn hatype_name(t: u16) -> Option<&'static str> {
    Some(match t {
        1 => "Ethernet",
        3 => "AX.25",
        6 => "IEEE 802 (Token Ring)",
        15 => "Frame Relay DLCI",
        19 => "ATM",
        24 => "IEEE 1394",
        32 => "InfiniBand",
        256 => "SLIP",
        280 => "CAN",
        512 => "PPP",
        513 => "Cisco HDLC",
        516 => "LAPB",
        519 => "Raw IP",
        768 => "IP-in-IP tunnel",
        769 => "IPv6-in-IPv6 tunnel",
        772 => "Loopback",
        776 => "IPv6-in-IPv4 (SIT)",
        778 => "GRE over IP",
        783 => "IrDA",
        800 => "Token Ring",
        801 => "IEEE 802.11",
        802 => "IEEE 802.11 with Prism header",
        803 => "IEEE 802.11 with radiotap",
        804 => "IEEE 802.15.4",
        820 => "Phonet",
        823 => "GRE over IPv6",
        824 => "Netlink",
        825 => "6LoWPAN",
        826 => "vsock monitor",
        0xfffe => "No link-layer header",
        0xffff => "Void",
        _ => return None,
    })
}

/// Linux-internal protocol numbers (include/uapi/linux/if_ether.h, ETH_P_* below 0x0600).
fn ltype_name(p: u16) -> Option<&'static str> {
    Some(match p {
        0x0001 => "Raw 802.3",
        0x0002 => "AX.25",
        0x0003 => "Every packet",
        0x0004 => "802.2 LLC",
        0x0005 => "SNAP",
        0x0006 => "DDCMP",
        0x0007 => "PPP (HDLC)",
        0x0008 => "Multilink PPP",
        0x0009 => "LocalTalk",
        0x000c => "CAN",
        0x000d => "CAN FD",
        0x000e => "CAN XL",
        0x0010 => "PPPTalk",
        0x0011 => "802.2 (Token Ring)",
        0x0015 => "Mobitex",
        0x0016 => "Card control",
        0x0017 => "IrDA",
        0x0018 => "Econet",
        0x0019 => "HDLC",
        0x001a => "ARCNET",
        0x001b => "DSA",
        0x001c => "Trailer switch tagging",
        0x00f5 => "Phonet",
        0x00f6 => "IEEE 802.15.4",
        0x00f7 => "CAIF",
        0x00f8 => "XDSA",
        0x00f9 => "Qualcomm MAP",
        0x00fa => "MCTP",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::decode::{decode, linktype};
    use crate::field::Value;

    /// SLL v1 header of a packet sent by us on an Ethernet device, carrying IPv4.
    const SLL_IPV4: [u8; 16] = [
        0x00, 0x04, // sll.pkttype: 4, sent by us
        0x00, 0x01, // sll.hatype: 1, Ethernet
        0x00, 0x06, // sll.halen: 6
        0x00, 0x0c, 0x29, 0xa5, 0x2f, 0xab, // sll.src.eth
        0x00, 0x00, // sll.unused (rest of the 8-byte slot)
        0x08, 0x00, // sll.etype: IPv4
    ];

    #[test]
    fn sll_v1_fields_and_ranges() {
        let d = decode(&SLL_IPV4, linktype::LINUX_SLL);
        let l = d.layer("sll").unwrap();
        assert!(l.error.is_none());
        assert_eq!((l.offset, l.len), (0, 16));
        let f = l.field("sll.pkttype").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(4), 0, 2));
        assert_eq!(f.shown(), "Sent by us (4)");
        let f = l.field("sll.hatype").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(1), 2, 2));
        let f = l.field("sll.halen").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(6), 4, 2));
        let f = l.field("sll.src.eth").unwrap();
        assert_eq!(f.value, Value::Mac([0x00, 0x0c, 0x29, 0xa5, 0x2f, 0xab]));
        assert_eq!((f.offset, f.len), (6, 6));
        let f = l.field("sll.unused").unwrap();
        assert_eq!((f.offset, f.len), (12, 2));
        let f = l.field("sll.etype").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(0x0800), 14, 2));
        assert_eq!(f.shown(), "0x0800 (IPv4)");
        assert!(l.field("sll.ltype").is_none());
    }

    #[test]
    fn sll_linux_protocols_and_address_kinds() {
        // PPP device (512), no address, Linux protocol 4 = 802.2 LLC.
        let mut f = vec![
            0x00, 0x00, // pkttype: unicast to us
            0x02, 0x00, // hatype 512
            0x00, 0x00, // halen 0
            0xce, 0x2a, 0, 0, 0, 0, 0, 0, // unused slot
            0x00, 0x04, // ltype 802.2 LLC
        ];
        f.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
        let d = decode(&f, linktype::LINUX_SLL);
        let l = d.layer("sll").unwrap();
        assert_eq!(l.u64("sll.ltype"), Some(4));
        let u = l.field("sll.unused").unwrap();
        assert_eq!((u.offset, u.len), (6, 8));
        assert_eq!(u.value, Value::Bytes(vec![0xce, 0x2a, 0, 0, 0, 0, 0, 0]));
        assert!(d.layer("llc").is_some());

        // Raw 802.3 (Novell) is named, not guessed at.
        f[15] = 0x01;
        let d = decode(&f, linktype::LINUX_SLL);
        assert!(d.layers[1].title.contains("IPX"));

        // A 4-byte address is IPv4; an overlong one is cut to the slot.
        let mut g = SLL_IPV4;
        g[5] = 4;
        let d = decode(&g, linktype::LINUX_SLL);
        let a = d.field("sll.src.ipv4").unwrap();
        assert_eq!((a.offset, a.len), (6, 4));
        assert_eq!(
            d.field("sll.unused").map(|u| (u.offset, u.len)),
            Some((10, 4))
        );
        g[4] = 0x30;
        g[5] = 0x30;
        let d = decode(&g, linktype::LINUX_SLL);
        let a = d.field("sll.src.other").unwrap();
        assert_eq!((a.offset, a.len), (6, 8));
        assert!(d.field("sll.unused").is_none());
    }

    #[test]
    fn sll_gre_device_reads_gre_type() {
        let mut g = SLL_IPV4;
        g[2] = 0x03; // hatype 778 = 0x030a
        g[3] = 0x0a;
        g[5] = 0;
        g[14] = 0x86;
        g[15] = 0xdd;
        let d = decode(&g, linktype::LINUX_SLL);
        assert_eq!(d.u64("sll.gretype"), Some(0x86dd));
        assert!(d.field("sll.etype").is_none());
    }

    /// SLL v2 header: IPv6 received on interface 3 from an Ethernet device.
    const SLL2_IPV6: [u8; 20] = [
        0x86, 0xdd, // sll.etype: IPv6
        0x00, 0x00, // reserved
        0x00, 0x00, 0x00, 0x03, // sll.ifindex: 3
        0x00, 0x01, // sll.hatype: Ethernet
        0x00, // sll.pkttype: unicast to us
        0x06, // sll.halen: 6
        0x02, 0x42, 0xac, 0x11, 0x00, 0x02, // sll.src.eth
        0x00, 0x00, // sll.unused
    ];

    #[test]
    fn sll_v2_fields_and_ranges() {
        let d = decode(&SLL2_IPV6, linktype::LINUX_SLL2);
        let l = d.layer("sll").unwrap();
        assert!(l.error.is_none());
        assert_eq!((l.offset, l.len), (0, 20));
        let f = l.field("sll.etype").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(0x86dd), 0, 2));
        let f = l.field("sll.ifindex").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(3), 4, 4));
        let f = l.field("sll.hatype").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(1), 8, 2));
        let f = l.field("sll.pkttype").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(0), 10, 1));
        let f = l.field("sll.halen").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(6), 11, 1));
        let f = l.field("sll.src.eth").unwrap();
        assert_eq!((f.offset, f.len), (12, 6));
        let f = l.field("sll.unused").unwrap();
        assert_eq!((f.offset, f.len), (18, 2));
    }

    #[test]
    fn every_truncation_fails_cleanly() {
        for (frame, lt, need) in [
            (&SLL_IPV4[..], linktype::LINUX_SLL, 16),
            (&SLL2_IPV6[..], linktype::LINUX_SLL2, 20),
        ] {
            for n in 0..need {
                let d = decode(&frame[..n], lt);
                let l = d.layer("sll").unwrap();
                let e = l.error.as_ref().expect("cut header must carry an error");
                assert_eq!(e.offset, n);
                assert_eq!(l.len, n);
                assert_eq!(d.layers.len(), 1);
            }
        }
    }
}
