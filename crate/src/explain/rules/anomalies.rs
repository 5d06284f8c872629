//! Malformed or odd packets: lengths that disagree, padding that is not zero, bad checksums, IP
//! options, fragments, odd TTLs.

use crate::explain::{Finding, PacketView};

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[];

pub fn check(_p: &PacketView<'_>, _out: &mut Vec<Finding>) {}
