//! Link layers other than Ethernet: Linux cooked (SLL, SLL2), raw IP, BSD NULL/LOOP, PPP (with and
//! without HDLC framing, Cisco HDLC, PPPoE), IEEE 802.11 with and without radiotap.
//!
//! Owns the choice of the first decoder for a frame's link type and the link headers themselves;
//! everything after them is handed on through [`Next`]. It must never fail a frame because its link
//! type is unknown: such frames become one raw layer with a note.

mod null;
mod ppp;
mod radiotap;
mod sll;
mod wlan;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod corpus_tests;

use super::{linktype as lt, Ctx, Layer, Next};
use crate::field::Value;

/// The first step for a frame of link type `link_type`.
pub fn start(cx: &mut Ctx<'_>, link_type: u32) -> Next {
    match link_type {
        lt::ETHERNET => Next::Ethernet(0),
        lt::RAW | lt::RAW_ALT12 | lt::RAW_ALT14 | lt::IPV4 => Next::Ip(0),
        lt::IPV6 => Next::Ipv6(0),
        lt::LINUX_SLL => sll::decode_sll(cx, 0),
        lt::LINUX_SLL2 => sll::decode_sll2(cx, 0),
        lt::NULL => null::decode_null(cx, 0),
        lt::LOOP => null::decode_loop(cx, 0),
        lt::PPP | lt::PPP_HDLC => ppp::decode_ppp_hdlc(cx, 0),
        lt::C_HDLC => ppp::decode_chdlc(cx, 0),
        lt::PPP_ETHER => ppp::decode_pppoe_session(cx, 0),
        lt::IEEE802_11 => wlan::decode_wlan(cx, 0, wlan::Options::default()),
        lt::IEEE802_11_RADIOTAP => radiotap::decode_radiotap(cx, 0),
        other => unknown_link(cx, other),
    }
}

/// A frame of a link type nothing here decodes: its bytes as one layer and a note.
fn unknown_link(cx: &mut Ctx<'_>, link_type: u32) -> Next {
    let mut l = Layer::new(
        "frame.raw",
        format!("Link type {link_type} (not decoded)"),
        0,
    );
    l.len = cx.frame.len();
    let what = match other_link_name(link_type) {
        Some(name) => format!("{link_type} ({name})"),
        None => link_type.to_string(),
    };
    l.add(
        "frame.link_type",
        "Link type",
        Value::UInt(u64::from(link_type)),
        0,
        0,
    )
    .show(|| format!("{what}: this link type is not decoded; the bytes are shown as they are"));
    cx.push(l);
    Next::Stop
}

/// Readable names for link types nothing here decodes, so the note on such a frame says what it
/// is. Source: tcpdump.org "Link-layer header types" (LINKTYPE_ values).
fn other_link_name(lt: u32) -> Option<&'static str> {
    Some(match lt {
        3 => "AX.25",
        6 => "IEEE 802.5 Token Ring",
        7 => "ARCNET (BSD)",
        8 => "SLIP",
        10 => "FDDI",
        100 => "ATM RFC 1483 LLC/SNAP",
        107 => "Frame Relay",
        114 => "LocalTalk",
        117 => "OpenBSD pflog",
        119 => "IEEE 802.11 with Prism header",
        122 => "IP over Fibre Channel",
        123 => "SunATM",
        129 => "ARCNET (Linux)",
        138 => "IP over IEEE 1394",
        139 => "SS7 MTP2 with pseudo-header",
        140 => "SS7 MTP2",
        141 => "SS7 MTP3",
        142 => "SS7 SCCP",
        143 => "DOCSIS",
        144 => "Linux IrDA",
        147..=162 => "user-defined (DLT_USERn)",
        163 => "IEEE 802.11 with AVS header",
        165 => "BACnet MS/TP",
        166 => "PPP (pppd, with direction)",
        169 => "GPRS LLC",
        177 => "Linux LAPD",
        187 => "Bluetooth HCI H4",
        189 => "Linux USB",
        192 => "Per-Packet Information (PPI)",
        195 => "IEEE 802.15.4 with FCS",
        197 => "Endace ERF",
        201 => "Bluetooth HCI H4 with pseudo-header",
        204 => "PPP with direction",
        205 => "Cisco HDLC with direction",
        206 => "Frame Relay with direction",
        220 => "Linux USB (memory-mapped)",
        226 => "Solaris IPNET",
        227 => "SocketCAN",
        230 => "IEEE 802.15.4 without FCS",
        231 => "D-Bus",
        239 => "Linux netfilter log (NFLOG)",
        240 => "Hilscher netANALYZER",
        242 => "IP over InfiniBand",
        243 => "MPEG-2 transport stream",
        249 => "USBPcap",
        251 => "Bluetooth LE link layer",
        253 => "Linux netlink",
        254 => "Bluetooth Linux monitor",
        256 => "Bluetooth LE link layer with pseudo-header",
        258 => "Apple PKTAP",
        271 => "Linux vsock",
        272 => "Nordic BLE sniffer",
        281 => "Broadcom switch tag",
        282 => "Broadcom switch tag (prepended)",
        283 => "IEEE 802.15.4 TAP",
        284 => "Marvell DSA tag",
        285 => "Marvell EDSA tag",
        _ => return None,
    })
}

/// Bytes a link decoder recognises but nothing in this crate decodes (Novell IPX, LCP, Cisco
/// keepalives...): one data layer whose title says what they are, so they are not mistaken for
/// unknown garbage.
fn opaque(cx: &mut Ctx<'_>, offset: usize, title: String) -> Next {
    let end = cx.frame.len();
    super::titled_data_layer(cx, offset, end, title)
}

/// A mask written for a little-endian field of `len` bytes, reordered into the big-endian order
/// over the field's bytes that `Field::mask` uses, so highlighting picks the right bits of each
/// byte.
fn le_mask(mask: u64, len: usize) -> u64 {
    let mut out = 0u64;
    for i in 0..len.min(8) {
        let byte = (mask >> (8 * i)) & 0xff;
        out |= byte << (8 * (len.min(8) - 1 - i));
    }
    out
}

/// A flag inside a little-endian word: the value is tested with the mask as written in the
/// specification; the stored mask is in byte order.
#[allow(clippy::too_many_arguments)]
fn le_flag(
    l: &mut Layer,
    name: &'static str,
    label: &'static str,
    word: u64,
    at: usize,
    len: usize,
    mask: u64,
    depth: u8,
) -> bool {
    let set = word & mask != 0;
    l.add_bits(
        name,
        label,
        Value::Bool(set),
        at,
        len,
        le_mask(mask, len),
        depth,
    );
    set
}

/// A multi-bit value inside a little-endian word, shifted down to its lowest set mask bit.
#[allow(clippy::too_many_arguments)]
fn le_bits<'l>(
    l: &'l mut Layer,
    name: &'static str,
    label: &'static str,
    word: u64,
    at: usize,
    len: usize,
    mask: u64,
    depth: u8,
) -> &'l mut crate::field::Field {
    let v = (word & mask) >> mask.trailing_zeros().min(63);
    l.add_bits(
        name,
        label,
        Value::UInt(v),
        at,
        len,
        le_mask(mask, len),
        depth,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    #[test]
    fn unknown_link_type_is_one_raw_layer_with_a_name() {
        let d = decode(&[1, 2, 3], 107);
        assert_eq!(d.layers.len(), 1);
        let l = &d.layers[0];
        assert_eq!(l.proto, "frame.raw");
        assert_eq!(l.len, 3);
        assert!(l.error.is_none());
        let shown = l.field("frame.link_type").unwrap().shown();
        assert!(shown.contains("Frame Relay"), "{shown}");
        // A type with no name at all still decodes without error.
        let d = decode(&[], 65000);
        assert!(d.layers[0].error.is_none());
    }

    #[test]
    fn the_list_of_decoded_link_types_is_the_list_start_knows() {
        for lt in 0..300u32 {
            let d = decode(&[0; 64], lt);
            let raw = d.layers.first().is_some_and(|l| l.proto == "frame.raw");
            assert_eq!(lt::DECODED.contains(&lt), !raw, "link type {lt}");
        }
    }

    proptest::proptest! {
        /// Arbitrary bytes under every link type decoded here: no panic, and every field and
        /// layer stays inside the frame.
        #[test]
        fn arbitrary_frames_stay_in_bounds(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            pick in 0usize..10,
        ) {
            let lts = [0u32, 9, 50, 51, 104, 105, 108, 113, 127, 276];
            let lt = lts[pick];
            let d = decode(&data, lt);
            // Only the layers decoded here: the ones after them have their own tests.
            let mine = [
                "sll", "null", "ppp", "chdlc", "pppoes", "radiotap", "wlan", "wlan.mgt",
                "frame.raw",
            ];
            for l in d.layers.iter().filter(|l| mine.contains(&l.proto)) {
                proptest::prop_assert!(l.offset + l.len <= data.len(), "{} {:?}", l.proto, l);
                for f in &l.fields {
                    proptest::prop_assert!(f.offset + f.len <= data.len(), "{}", f.name);
                }
            }
        }
    }

    #[test]
    fn le_masks_follow_byte_order() {
        assert_eq!(le_mask(0xfff0, 2), 0xf0ff);
        assert_eq!(le_mask(0x000f, 2), 0x0f00);
        assert_eq!(le_mask(0x0000_0010, 4), 0x1000_0000);
        assert_eq!(le_mask(0x10, 1), 0x10);
    }
}
