//! Link layers other than Ethernet: Linux cooked (SLL, SLL2), raw IP, BSD NULL/LOOP, PPP,
//! IEEE 802.11 with and without radiotap. Picks the first decoder for a frame's link type.

use super::{linktype as lt, Ctx, Layer, Next};
use crate::field::Value;

/// The first step for a frame of link type `link_type`.
pub fn start(cx: &mut Ctx<'_>, link_type: u32) -> Next {
    match link_type {
        lt::ETHERNET => Next::Ethernet(0),
        lt::RAW | lt::RAW_ALT12 | lt::RAW_ALT14 | lt::IPV4 | lt::IPV6 => Next::Ip(0),
        other => unknown_link(cx, other),
    }
}

/// A frame of a link type nothing here decodes: its bytes as one layer and a note.
fn unknown_link(cx: &mut Ctx<'_>, link_type: u32) -> Next {
    let mut l = Layer::new("frame.raw", format!("Link type {link_type} (not decoded)"), 0);
    l.len = cx.frame.len();
    l.add("frame.link_type", "Link type", Value::UInt(u64::from(link_type)), 0, 0)
        .display = Some(format!(
        "{link_type}: this link type is not decoded; the bytes are shown as they are"
    ));
    cx.push(l);
    Next::Stop
}
