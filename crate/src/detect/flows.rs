//! The flow table: bidirectional conversations with packets and bytes per direction, TCP state
//! and a Zeek-style history, and per-packet TCP analysis (retransmissions, out of order, duplicate
//! ACKs, zero windows, keep-alives, lost segments).

use super::{Detection, Observed};

/// Every registry id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[];

#[derive(Debug, Default)]
pub struct FlowTable {}

impl FlowTable {
    pub fn observe(&mut self, _p: &Observed<'_>) {}

    pub fn finish(&mut self, _out: &mut Vec<Detection>) {}
}
