//! What the ports of a packet say: services, trojans, ranges, and odd source ports.

use crate::explain::{Finding, PacketView};

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[];

pub fn check(_p: &PacketView<'_>, _out: &mut Vec<Finding>) {}
