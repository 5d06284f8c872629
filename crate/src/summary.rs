//! One line per packet in tcpdump's `-n` notation.

use crate::decode::Dissection;

/// The protocol part of a tcpdump-style summary line (no timestamp), e.g.
/// `10.9.9.9.2097 > 192.168.5.132.32775: Flags [S], seq 2950485912, win 32120, length 0`.
pub fn summary_line(d: &Dissection) -> String {
    d.layers
        .iter()
        .map(|l| l.proto)
        .collect::<Vec<_>>()
        .join(" / ")
}
