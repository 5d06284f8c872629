//! Ethernet II and IEEE 802.3 frames, 802.1Q / 802.1ad tags, 802.2 LLC/SNAP, the dispatch by
//! EtherType, and the classification of bytes that trail the network-layer datagram.
//!
//! Trailing bytes matter to an analyst: padding up to the 60-byte minimum should be zeros, and
//! anything else there is leaked memory or a covert channel (the tcpdump case study of port
//! 31789). So the datagram's own length, not the frame's, decides where the payload ends.

use super::bytes::{array, be16, u8_at};
use super::{linktype, Ctx, Layer, Next, Trailer, TrailerKind};
use crate::field::Value;

/// Byte offsets inside an Ethernet II header (IEEE 802.3 clause 3).
mod field {
    use std::ops::Range;
    pub const DST: Range<usize> = 0..6;
    pub const SRC: Range<usize> = 6..12;
    pub const TYPE: Range<usize> = 12..14;
    pub const HEADER_LEN: usize = TYPE.end;
}

/// Smallest Ethernet frame without its FCS; shorter payloads are padded up to it.
pub const MIN_FRAME: usize = 60;

/// EtherTypes (IEEE Registration Authority; the ones this decoder follows or names).
pub fn ethertype_name(et: u16) -> Option<&'static str> {
    Some(match et {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x0842 => "Wake-on-LAN",
        0x8035 => "RARP",
        0x809b => "AppleTalk",
        0x80f3 => "AARP",
        0x8100 => "802.1Q VLAN",
        0x8137 => "IPX",
        0x86dd => "IPv6",
        0x8808 => "Ethernet flow control",
        0x8809 => "Slow protocols (LACP)",
        0x8847 => "MPLS unicast",
        0x8848 => "MPLS multicast",
        0x8863 => "PPPoE discovery",
        0x8864 => "PPPoE session",
        0x888e => "802.1X (EAPOL)",
        0x88a8 => "802.1ad service VLAN",
        0x88cc => "LLDP",
        0x88e5 => "MACsec",
        0x88f7 => "PTP",
        0x9000 => "Loopback (configuration test)",
        0x9100 => "VLAN double tag (Q-in-Q, pre-standard)",
        _ => return None,
    })
}

fn hex_type_display(et: u16) -> String {
    match ethertype_name(et) {
        Some(n) => format!("0x{et:04x} ({n})"),
        None => format!("0x{et:04x}"),
    }
}

fn mac_at(b: &[u8], off: usize) -> Option<[u8; 6]> {
    array::<6>(b, off)
}

/// Adds a MAC address field with its individual/group and local/global bits.
fn add_mac(l: &mut Layer, name: &'static str, label: &'static str, mac: [u8; 6], off: usize) {
    l.add(name, label, Value::Mac(mac), off, 6);
    let (lg, ig, lg_label, ig_label) = if name == "eth.dst" {
        (
            "eth.dst.lg",
            "eth.dst.ig",
            "Locally administered",
            "Group address",
        )
    } else {
        (
            "eth.src.lg",
            "eth.src.ig",
            "Locally administered",
            "Group address",
        )
    };
    let first = u64::from(mac[0]);
    l.add_flag(lg, lg_label, first, off, 1, 0x02, 1);
    l.add_flag(ig, ig_label, first, off, 1, 0x01, 1);
}

pub fn decode_ethernet(cx: &mut Ctx<'_>, off: usize) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("eth", "Ethernet II", off);
    let (Some(dst), Some(src), Some(et)) = (
        mac_at(b, off + field::DST.start),
        mac_at(b, off + field::SRC.start),
        be16(b, off + field::TYPE.start),
    ) else {
        l.len = b.len().saturating_sub(off);
        if let Some(dst) = mac_at(b, off) {
            add_mac(&mut l, "eth.dst", "Destination", dst, off);
        }
        l.fail(
            off,
            format!(
                "Ethernet header needs {} bytes; only {} captured",
                field::HEADER_LEN,
                l.len
            ),
        );
        cx.push(l);
        return Next::Stop;
    };
    add_mac(
        &mut l,
        "eth.dst",
        "Destination",
        dst,
        off + field::DST.start,
    );
    add_mac(&mut l, "eth.src", "Source", src, off + field::SRC.start);
    l.len = field::HEADER_LEN;
    let payload = off + field::HEADER_LEN;
    // Values up to 1500 are an 802.3 length; 0x0600 and up an EtherType (IEEE 802.3 clause 3.2.6).
    if et <= 1500 {
        l.title = "IEEE 802.3 Ethernet".into();
        l.add("eth.len", "Length", Value::UInt(u64::from(et)), off + 12, 2);
        let end = payload.saturating_add(usize::from(et));
        if end > b.len() {
            l.fail(
                off + 12,
                format!(
                    "802.3 length field claims {et} bytes; only {} captured",
                    b.len().saturating_sub(payload)
                ),
            );
        }
        cx.push(l);
        cx.set_datagram_end(end);
        return Next::Llc(payload);
    }
    l.add("eth.type", "Type", Value::UInt(u64::from(et)), off + 12, 2)
        .show(|| hex_type_display(et));
    cx.push(l);
    Next::EtherType(et, payload)
}

/// Field names of a tag: Wireshark names the 802.1ad service tag `ieee8021ad.*` and the
/// customer (802.1Q) tag `vlan.*`.
struct TagNames {
    proto: &'static str,
    priority: &'static str,
    dei: &'static str,
    id: &'static str,
}

const VLAN_NAMES: TagNames = TagNames {
    proto: "vlan",
    priority: "vlan.priority",
    dei: "vlan.dei",
    id: "vlan.id",
};

const SERVICE_TAG_NAMES: TagNames = TagNames {
    proto: "ieee8021ad",
    priority: "ieee8021ad.priority",
    dei: "ieee8021ad.dei",
    id: "ieee8021ad.id",
};

/// One 802.1Q (or 802.1ad) tag: priority, drop eligibility, VLAN id, and the inner type.
fn decode_vlan(cx: &mut Ctx<'_>, tpid: u16, off: usize) -> Next {
    let b = cx.frame;
    let (title, n) = if tpid == 0x88a8 {
        ("802.1ad Service VLAN tag", &SERVICE_TAG_NAMES)
    } else {
        ("802.1Q Virtual LAN", &VLAN_NAMES)
    };
    let mut l = Layer::new(n.proto, title, off);
    let (Some(tci), Some(et)) = (be16(b, off), be16(b, off + 2)) else {
        l.len = b.len().saturating_sub(off);
        l.fail(
            off,
            format!("VLAN tag needs 4 bytes; only {} captured", l.len),
        );
        cx.push(l);
        return Next::Stop;
    };
    let tci64 = u64::from(tci);
    l.add_bits(
        n.priority,
        "Priority",
        Value::UInt(tci64 >> 13),
        off,
        2,
        0xe000,
        0,
    );
    l.add_flag(n.dei, "Drop eligible", tci64, off, 2, 0x1000, 0);
    l.add_bits(
        n.id,
        "VLAN id",
        Value::UInt(tci64 & 0x0fff),
        off,
        2,
        0x0fff,
        0,
    );
    l.len = 4;
    if et <= 1500 {
        l.add("vlan.len", "Length", Value::UInt(u64::from(et)), off + 2, 2);
        cx.push(l);
        cx.set_datagram_end((off + 4).saturating_add(usize::from(et)));
        return Next::Llc(off + 4);
    }
    l.add("vlan.etype", "Type", Value::UInt(u64::from(et)), off + 2, 2)
        .show(|| hex_type_display(et));
    cx.push(l);
    Next::EtherType(et, off + 4)
}

pub fn dispatch_ethertype(cx: &mut Ctx<'_>, ethertype: u16, off: usize) -> Next {
    match ethertype {
        0x0800 => Next::Ip(off),
        0x86dd => Next::Ipv6(off),
        0x0806 | 0x8035 => super::arp::decode_arp(cx, off),
        0x8100 | 0x88a8 | 0x9100 => decode_vlan(cx, ethertype, off),
        _ => {
            let end = cx.frame.len();
            super::data_layer(cx, off, end)
        }
    }
}

/// IEEE 802.2 LLC, with SNAP (RFC 1042) when both SAPs are 0xAA.
pub fn decode_llc(cx: &mut Ctx<'_>, off: usize) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("llc", "Logical-Link Control", off);
    let (Some(dsap), Some(ssap), Some(ctrl)) =
        (u8_at(b, off), u8_at(b, off + 1), u8_at(b, off + 2))
    else {
        l.len = b.len().saturating_sub(off);
        l.fail(
            off,
            format!("LLC header needs 3 bytes; only {} captured", l.len),
        );
        cx.push(l);
        return Next::Stop;
    };
    l.add("llc.dsap", "DSAP", Value::UInt(u64::from(dsap)), off, 1)
        .show(|| format!("0x{dsap:02x}{}", sap_name(dsap)));
    l.add("llc.ssap", "SSAP", Value::UInt(u64::from(ssap)), off + 1, 1)
        .show(|| format!("0x{ssap:02x}{}", sap_name(ssap)));
    l.add(
        "llc.control",
        "Control",
        Value::UInt(u64::from(ctrl)),
        off + 2,
        1,
    );
    l.len = 3;
    if dsap == 0xaa && ssap == 0xaa {
        let (Some(oui), Some(pid)) = (array::<3>(b, off + 3), be16(b, off + 6)) else {
            l.len = b.len().saturating_sub(off);
            l.fail(
                off + 3,
                "SNAP header needs 5 bytes after LLC; the frame ends first",
            );
            cx.push(l);
            return Next::Stop;
        };
        let oui = u64::from(u32::from_be_bytes([0, oui[0], oui[1], oui[2]]));
        l.add("llc.oui", "Organization code", Value::UInt(oui), off + 3, 3)
            .show(|| format!("0x{oui:06x}"));
        l.len = 8;
        if oui == 0 {
            l.add("llc.type", "Type", Value::UInt(u64::from(pid)), off + 6, 2)
                .show(|| hex_type_display(pid));
            cx.push(l);
            return Next::EtherType(pid, off + 8);
        }
        l.add(
            "llc.pid",
            "Protocol id",
            Value::UInt(u64::from(pid)),
            off + 6,
            2,
        );
        cx.push(l);
        let end = cx.frame.len();
        return super::data_layer(cx, off + 8, end);
    }
    cx.push(l);
    let end = cx.frame.len();
    super::data_layer(cx, off + 3, end)
}

/// Well-known LLC service access points (IEEE 802 numbering).
fn sap_name(sap: u8) -> &'static str {
    match sap & 0xfe {
        0x00 => " (Null)",
        0x06 => " (IP)",
        0x42 => " (Spanning Tree BPDU)",
        0xaa => " (SNAP)",
        0xe0 => " (NetWare)",
        0xf0 => " (NetBIOS)",
        0xfe => " (ISO network layer)",
        _ => "",
    }
}

/// Bytes after the outermost IP or ARP datagram, classified.
///
/// On Ethernet the frame minimum is 60 bytes. Raw-IP frames are often what tcpdump `-x` printed
/// of an Ethernet capture, padding included, so the same rule applies there to the 46-byte
/// minimum Ethernet payload.
pub fn classify_trailer(cx: &Ctx<'_>, link_type: u32) -> Option<Trailer> {
    let min = match link_type {
        linktype::ETHERNET => MIN_FRAME,
        linktype::RAW | linktype::RAW_ALT12 | linktype::RAW_ALT14 | linktype::IPV4 => {
            MIN_FRAME - field::HEADER_LEN
        }
        _ => return None,
    };
    let end = cx.datagram_end?;
    let frame_len = cx.frame.len();
    if end >= frame_len {
        return None;
    }
    let bytes = cx.frame.get(end..)?;
    let kind = if frame_len <= min {
        if bytes.iter().all(|&x| x == 0) {
            TrailerKind::ZeroPadding
        } else {
            TrailerKind::NonZeroPadding
        }
    } else {
        TrailerKind::ExtraData
    };
    Some(Trailer {
        offset: end,
        len: bytes.len(),
        kind,
    })
}

/// Records the trailer as `eth.padding` or `eth.trailer`: on the Ethernet layer when there is
/// one, else on a layer of its own at the end of the frame.
pub fn add_trailer_fields(cx: &mut Ctx<'_>, t: &Trailer) {
    let bytes = cx.frame.get(t.offset..).unwrap_or(&[]).to_vec();
    let (name, label, display) = match t.kind {
        TrailerKind::ZeroPadding => ("eth.padding", "Padding", "all zero"),
        TrailerKind::NonZeroPadding => ("eth.padding", "Padding", "NOT all zero"),
        TrailerKind::ExtraData => ("eth.trailer", "Trailer", "bytes beyond the datagram"),
    };
    let n = bytes.len();
    let display = || format!("{n} bytes, {display}");
    match cx.layers.iter_mut().find(|l| l.proto == "eth") {
        Some(eth) => {
            eth.add(name, label, Value::Bytes(bytes), t.offset, t.len)
                .show(display);
        }
        None => {
            let mut l = Layer::new("trailer", "Bytes after the IP datagram", t.offset);
            l.len = t.len;
            l.add(name, label, Value::Bytes(bytes), t.offset, t.len)
                .show(display);
            cx.layers.push(l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    /// Ethernet II + ARP request padded with non-zero bytes to 60.
    fn arp_frame(pad: u8) -> Vec<u8> {
        let mut f = vec![
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // eth.dst: broadcast
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // eth.src
            0x08, 0x06, // eth.type: ARP
        ];
        f.extend_from_slice(&[
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00,
            0x01, // htype, ptype, sizes, opcode request
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 10, 0, 0, 1, // sender mac, ip
            0, 0, 0, 0, 0, 0, 10, 0, 0, 2, // target mac, ip
        ]);
        f.resize(60, pad);
        f
    }

    #[test]
    fn ethernet_header_fields_and_ranges() {
        let d = decode(&arp_frame(0), linktype::ETHERNET);
        let eth = d.layer("eth").expect("eth layer");
        let dst = eth.field("eth.dst").expect("dst");
        assert_eq!(dst.value, Value::Mac([0xff; 6]));
        assert_eq!((dst.offset, dst.len), (0, 6));
        let ig = eth.field("eth.dst.ig").expect("ig bit");
        assert_eq!((ig.value.clone(), ig.mask), (Value::Bool(true), 0x01));
        let ty = eth.field("eth.type").expect("type");
        assert_eq!(
            (ty.value.as_u64(), ty.offset, ty.len),
            (Some(0x0806), 12, 2)
        );
    }

    #[test]
    fn vlan_stack_is_followed() {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x88, 0xa8, 0x20, 0x64]); // S-tag: pcp 1, vid 100
        f.extend_from_slice(&[0x81, 0x00, 0x00, 0x0a]); // C-tag: vid 10
        f.extend_from_slice(&[0x88, 0xcc]); // inner type LLDP
        f.extend_from_slice(&[1, 2, 3]);
        let d = decode(&f, linktype::ETHERNET);
        // Wireshark's names: the service tag is ieee8021ad.*, the customer tag vlan.*.
        assert_eq!(d.u64("ieee8021ad.id"), Some(100));
        assert_eq!(d.u64("ieee8021ad.priority"), Some(1));
        assert_eq!(d.u64("vlan.id"), Some(10));
        let id = d.field("ieee8021ad.id").expect("service vid");
        assert_eq!((id.offset, id.len, id.mask), (14, 2, 0x0fff));
    }

    #[test]
    fn short_frames_stop_cleanly() {
        let f = arp_frame(0);
        for n in 0..14 {
            let d = decode(f.get(..n).unwrap_or(&[]), linktype::ETHERNET);
            let (l, _) = d.error().expect("a cut Ethernet header is an error");
            assert_eq!(l.proto, "eth");
        }
    }

    #[test]
    fn llc_snap_dispatches_by_type() {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x00, 0x0b]); // 802.3 length 11
        f.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x88, 0xcc, 9, 9, 9]);
        let d = decode(&f, linktype::ETHERNET);
        assert_eq!(d.u64("eth.len"), Some(11));
        assert_eq!(d.u64("llc.type"), Some(0x88cc));
        assert_eq!(d.layers.last().map(|l| l.proto), Some("data"));
    }
}
