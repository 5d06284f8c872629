//! TCP flag combinations a reader meets, and what each says about the sender.

use crate::explain::{Finding, PacketView};

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[TCP_FLAGS_NULL];
pub const TCP_FLAGS_NULL: &str = "tcp.flags.null";

pub fn check(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    let Some(t) = p.d.layer("tcp") else { return };
    let Some(flags) = t.u64("tcp.flags") else {
        return;
    };
    if flags & 0x3f == 0 {
        out.push(Finding::new(TCP_FLAGS_NULL).field(p.number, p.d, "tcp.flags"));
    }
}
