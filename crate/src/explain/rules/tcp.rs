//! TCP flag combinations a reader meets, and what each says about the sender.

use crate::explain::{ids, Finding, PacketView};

pub fn check(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    let Some(t) = p.d.layer("tcp") else { return };
    let Some(flags) = t.u64("tcp.flags") else {
        return;
    };
    if flags & 0x3f == 0 {
        out.push(Finding::new(ids::TCP_FLAGS_NULL).field(p.number, p.d, "tcp.flags"));
    }
}
