//! The recognisable cases from the seed documents (2301 loopback broadcasts, Blaster's resets
//! from 127.0.0.1:80, NetBIOS lookups, SNMP community strings, proxy probes, identd).

use crate::explain::{Finding, PacketView};

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[];

pub fn check(_p: &PacketView<'_>, _out: &mut Vec<Finding>) {}
