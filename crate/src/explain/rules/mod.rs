//! Per-packet rules, one module per knowledge area. Each rule looks at decoded fields and pushes
//! findings that name a registry id, fill its parameters and point at the evidence bytes.

use super::{Finding, PacketView};

pub mod addresses;
pub mod anomalies;
pub mod cases;
pub mod icmp;
pub mod ports;
pub mod tcp;

/// Runs every per-packet rule.
pub fn run(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    addresses::check(p, out);
    tcp::check(p, out);
    icmp::check(p, out);
    anomalies::check(p, out);
    ports::check(p, out);
    cases::check(p, out);
}

/// Every id the rules can emit directly, area by area.
pub fn all_ids() -> Vec<&'static str> {
    [
        addresses::IDS,
        tcp::IDS,
        icmp::IDS,
        anomalies::IDS,
        ports::IDS,
        cases::IDS,
    ]
    .concat()
}

/// Helpers shared by the rules.
pub(crate) mod util {
    use crate::decode::Dissection;
    use crate::field::Value;
    use std::net::Ipv4Addr;

    /// Whether the frame was captured on a loopback interface (Linux `lo` gives Ethernet
    /// headers with all-zero addresses; BSD's lo0 uses the NULL and LOOP link types), where
    /// 127.0.0.0/8 and ::1 are the normal addresses rather than a sign of spoofing.
    pub fn on_loopback_interface(d: &Dissection) -> bool {
        use crate::decode::linktype;
        if matches!(d.link_type, linktype::NULL | linktype::LOOP) {
            return true;
        }
        let zero = Some(&Value::Mac([0; 6]));
        d.link_type == linktype::ETHERNET
            && d.layer("eth")
                .is_some_and(|l| l.get("eth.src") == zero && l.get("eth.dst") == zero)
    }

    /// The outermost, non-quoted IPv4 source and destination.
    pub fn ipv4_pair(d: &Dissection) -> Option<(Ipv4Addr, Ipv4Addr)> {
        let l = d.layer("ip")?;
        match (l.get("ip.src"), l.get("ip.dst")) {
            (Some(Value::Ipv4(s)), Some(Value::Ipv4(t))) => Some((*s, *t)),
            _ => None,
        }
    }
}
