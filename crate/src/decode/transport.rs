//! TCP (RFC 9293) and UDP (RFC 768), with checksums verified over the pseudo-header, and the
//! dispatch by IP protocol number.

use super::{Ctx, IpContext, Next};

pub fn dispatch_ip_proto(cx: &mut Ctx<'_>, proto: u8, off: usize, ipc: IpContext) -> Next {
    match proto {
        1 => super::icmp::decode_icmp(cx, off, ipc),
        58 => super::icmp::decode_icmpv6(cx, off, ipc),
        _ => super::data_layer(cx, off, ipc.end),
    }
}
