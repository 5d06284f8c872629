//! Per-packet rules, one module per knowledge area. Each rule looks at decoded fields and pushes
//! findings that name a registry id, fill its parameters and point at the evidence bytes.

use super::{Finding, PacketView};

mod addresses;
mod icmp;
mod tcp;

/// Runs every per-packet rule.
pub fn run(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    addresses::check(p, out);
    tcp::check(p, out);
    icmp::check(p, out);
}

/// Helpers shared by the rules.
pub(crate) mod util {
    use crate::decode::Dissection;
    use crate::field::Value;
    use std::net::Ipv4Addr;

    /// The outermost, non-quoted IPv4 source and destination.
    pub fn ipv4_pair(d: &Dissection) -> Option<(Ipv4Addr, Ipv4Addr)> {
        let l = d.layer("ip")?;
        match (l.get("ip.src"), l.get("ip.dst")) {
            (Some(Value::Ipv4(s)), Some(Value::Ipv4(t))) => Some((*s, *t)),
            _ => None,
        }
    }
}
