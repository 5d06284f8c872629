//! ICMP messages and, for errors, the packet they quote: which service the original packet was
//! trying to reach.

use crate::explain::{Finding, PacketView};

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[ICMP_UNREACH_PORT];
pub const ICMP_UNREACH_PORT: &str = "icmp.unreach.port";

pub fn check(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    let Some(icmp) = p.d.layer("icmp") else {
        return;
    };
    let (Some(ty), Some(code)) = (icmp.u64("icmp.type"), icmp.u64("icmp.code")) else {
        return;
    };
    if (ty, code) == (3, 3) {
        let quoted = |name: &str| {
            p.d.layers
                .iter()
                .filter(|l| l.quoted)
                .find_map(|l| l.get(name))
                .map(|v| v.to_string())
        };
        let proto = if quoted("udp.dstport").is_some() {
            "UDP"
        } else {
            "TCP"
        };
        let port = quoted("udp.dstport")
            .or_else(|| quoted("tcp.dstport"))
            .unwrap_or_else(|| "?".into());
        out.push(
            Finding::new(ICMP_UNREACH_PORT)
                .param("orig_dst", quoted("ip.dst").unwrap_or_else(|| "?".into()))
                .param("orig_proto", proto)
                .param("orig_port", port)
                .field(p.number, p.d, "icmp.code"),
        );
    }
}
