//! Addresses that should not be where they are: loopback on the wire, broadcasts as sources,
//! private and reserved ranges, source equal to destination.

use super::util::ipv4_pair;
use crate::explain::{Finding, PacketView};

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[ADDR_LOOPBACK_SOURCE];
pub const ADDR_LOOPBACK_SOURCE: &str = "addr.loopback_source";

pub fn check(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    let Some((src, _dst)) = ipv4_pair(p.d) else {
        return;
    };
    if src.is_loopback() {
        out.push(
            Finding::new(ADDR_LOOPBACK_SOURCE)
                .param("src", src)
                .field(p.number, p.d, "ip.src"),
        );
    }
}
