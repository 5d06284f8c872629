//! ARP (RFC 826).

use super::{Ctx, Next};

pub fn decode_arp(cx: &mut Ctx<'_>, off: usize) -> Next {
    let end = cx.frame.len();
    super::data_layer(cx, off, end)
}
