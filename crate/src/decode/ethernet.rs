//! Ethernet II and IEEE 802.3 frames, 802.1Q / 802.1ad tags, 802.2 LLC/SNAP, the dispatch by
//! EtherType, and the classification of bytes that trail the network-layer datagram.

use super::{Ctx, Next, Trailer};

pub fn decode_ethernet(cx: &mut Ctx<'_>, off: usize) -> Next {
    let end = cx.frame.len();
    super::data_layer(cx, off, end)
}

pub fn dispatch_ethertype(cx: &mut Ctx<'_>, _ethertype: u16, off: usize) -> Next {
    let end = cx.frame.len();
    super::data_layer(cx, off, end)
}

pub fn decode_llc(cx: &mut Ctx<'_>, off: usize) -> Next {
    let end = cx.frame.len();
    super::data_layer(cx, off, end)
}

pub fn classify_trailer(_cx: &Ctx<'_>, _link_type: u32) -> Option<Trailer> {
    None
}

pub fn add_trailer_fields(_cx: &mut Ctx<'_>, _t: &Trailer) {}
