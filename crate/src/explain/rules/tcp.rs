//! TCP flag combinations a reader meets, and what each says about the sender; header oddities
//! (reserved bits, an urgent pointer without URG, data on a SYN).
//!
//! Owns the `tcp.*` ids of `knowledge/tcp.toml`. Looks only at the outermost TCP header: a header
//! quoted inside an ICMP error is somebody else's packet, and its flags are not this packet's
//! doing. Never guesses across packets: a finding here is true of the one segment it names.

use crate::explain::{Finding, PacketView};

/// Every finding id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[
    TCP_FLAGS_SYN,
    TCP_FLAGS_SYNACK,
    TCP_FLAGS_RSTACK,
    TCP_FLAGS_RST,
    TCP_FLAGS_FIN_ACK,
    TCP_FLAGS_FIN_SCAN,
    TCP_FLAGS_SYN_FIN,
    TCP_FLAGS_SYN_RST,
    TCP_FLAGS_XMAS,
    TCP_FLAGS_NULL,
    TCP_FLAGS_NO_ACK,
    TCP_FLAGS_ACK_PROBE,
    TCP_FLAGS_RESERVED,
    TCP_URGENT_WITHOUT_URG,
    TCP_SYN_WITH_DATA,
];
pub const TCP_FLAGS_SYN: &str = "tcp.flags.syn";
pub const TCP_FLAGS_SYNACK: &str = "tcp.flags.synack";
pub const TCP_FLAGS_RSTACK: &str = "tcp.flags.rstack";
pub const TCP_FLAGS_RST: &str = "tcp.flags.rst";
pub const TCP_FLAGS_FIN_ACK: &str = "tcp.flags.fin_ack";
pub const TCP_FLAGS_FIN_SCAN: &str = "tcp.flags.fin_scan";
pub const TCP_FLAGS_SYN_FIN: &str = "tcp.flags.syn_fin";
pub const TCP_FLAGS_SYN_RST: &str = "tcp.flags.syn_rst";
pub const TCP_FLAGS_XMAS: &str = "tcp.flags.xmas";
pub const TCP_FLAGS_NULL: &str = "tcp.flags.null";
pub const TCP_FLAGS_NO_ACK: &str = "tcp.flags.no_ack";
pub const TCP_FLAGS_ACK_PROBE: &str = "tcp.flags.ack_probe";
pub const TCP_FLAGS_RESERVED: &str = "tcp.flags.reserved";
pub const TCP_URGENT_WITHOUT_URG: &str = "tcp.urgent_without_urg";
pub const TCP_SYN_WITH_DATA: &str = "tcp.syn_with_data";

// The six classic flags (RFC 9293 §3.1). ECE, CWR and AE are left out of the classification on
// purpose: a SYN with ECE and CWR is ordinary ECN negotiation (RFC 3168), not a strange mix.
const FIN: u64 = 0x01;
const SYN: u64 = 0x02;
const RST: u64 = 0x04;
const PSH: u64 = 0x08;
const ACK: u64 = 0x10;
const URG: u64 = 0x20;
/// The three bits still unassigned in the flags word (RFC 9293 §3.1; 0x100 is AE, RFC 9768).
const RESERVED: u64 = 0x0e00;

/// An address shown in a finding's text: the field's value, or "?" when the packet has none.
/// Formatting waits until a finding keeps its texts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shown<'a>(pub(super) Option<&'a crate::field::Value>);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("?"),
        }
    }
}

/// The outermost IP source and destination (IPv4 or IPv6), "?" when there is none.
pub(super) fn endpoints(d: &crate::decode::Dissection) -> (Shown<'_>, Shown<'_>) {
    if let Some(l) = d.layer("ip") {
        (Shown(l.get("ip.src")), Shown(l.get("ip.dst")))
    } else if let Some(l) = d.layer("ipv6") {
        (Shown(l.get("ipv6.src")), Shown(l.get("ipv6.dst")))
    } else {
        (Shown(None), Shown(None))
    }
}

/// The one flag finding a segment gets, most telling combination first.
fn classify(flags: u64, data_len: u64, sport: u64, dport: u64) -> Option<&'static str> {
    let f = flags & 0x3f;
    let has = |m: u64| f & m == m;
    Some(if f == 0 {
        TCP_FLAGS_NULL
    } else if has(SYN | FIN) {
        TCP_FLAGS_SYN_FIN
    } else if has(SYN | RST) {
        TCP_FLAGS_SYN_RST
    } else if has(FIN | PSH | URG) && !has(ACK) {
        TCP_FLAGS_XMAS
    } else if has(SYN) {
        if has(ACK) {
            TCP_FLAGS_SYNACK
        } else {
            TCP_FLAGS_SYN
        }
    } else if has(RST) {
        if has(ACK) {
            TCP_FLAGS_RSTACK
        } else {
            TCP_FLAGS_RST
        }
    } else if has(FIN) {
        if has(ACK) {
            TCP_FLAGS_FIN_ACK
        } else {
            TCP_FLAGS_FIN_SCAN
        }
    } else if !has(ACK) {
        TCP_FLAGS_NO_ACK
    } else if f == ACK && data_len == 0 && (sport == dport || sport == 0 || dport == 0) {
        // A pure ACK is the commonest segment there is; only the shapes the seeds name as probes
        // (sscan's equal ports, port 0 fingerprinting) are singled out, so ordinary receipts stay
        // quiet.
        TCP_FLAGS_ACK_PROBE
    } else {
        return None;
    })
}

pub fn check(p: &PacketView<'_>, out: &mut Vec<Finding>) {
    let Some(t) = p.d.layer("tcp") else { return };
    let Some(flags) = t.u64("tcp.flags") else {
        return;
    };
    let sport = t.u64("tcp.srcport").unwrap_or(0);
    let dport = t.u64("tcp.dstport").unwrap_or(0);
    let data_len = t.u64("tcp.len").unwrap_or(0);
    let at = |id: &'static str| {
        let f = p.finding(id);
        if !p.texts {
            return f;
        }
        let (src, dst) = endpoints(p.d);
        f.param("src", src)
            .param("dst", dst)
            .param("sport", sport)
            .param("dport", dport)
    };

    if let Some(id) = classify(flags, data_len, sport, dport) {
        let mut f = at(id);
        match id {
            TCP_FLAGS_SYN => {
                f = f.param("seq", t.u64("tcp.seq_raw").unwrap_or(0));
            }
            TCP_FLAGS_SYNACK => {
                f = f.param("ack", t.u64("tcp.ack_raw").unwrap_or(0));
            }
            TCP_FLAGS_NO_ACK => {
                let shown = t
                    .field("tcp.flags")
                    .and_then(|x| x.display.clone())
                    .unwrap_or_else(|| format!("0x{flags:03x}"));
                f = f.param("flags", shown);
            }
            TCP_FLAGS_ACK_PROBE => {
                let why = if sport == dport {
                    format!("sent from port {sport} to the same port {dport}")
                } else {
                    "with port 0 on one side, a port no service uses".to_string()
                };
                f = f.param("why", why);
            }
            _ => {}
        }
        f = f.field(p.number, p.d, "tcp.flags");
        if id == TCP_FLAGS_ACK_PROBE {
            f = f
                .field(p.number, p.d, "tcp.srcport")
                .field(p.number, p.d, "tcp.dstport");
        }
        out.push(f);
    }

    if flags & RESERVED != 0 {
        out.push(
            at(TCP_FLAGS_RESERVED)
                .param("bits", format!("{:03x}", flags & RESERVED))
                .field(p.number, p.d, "tcp.flags.res"),
        );
    }
    let urp = t.u64("tcp.urgent_pointer").unwrap_or(0);
    if urp != 0 && flags & URG == 0 {
        out.push(
            at(TCP_URGENT_WITHOUT_URG)
                .param("urp", urp)
                .field(p.number, p.d, "tcp.urgent_pointer")
                .field(p.number, p.d, "tcp.flags.urg"),
        );
    }
    if flags & SYN != 0 && data_len > 0 {
        // `tcp.len` counts what the IP length claims; the evidence covers the payload bytes that
        // were actually captured.
        let start = t.offset.saturating_add(t.len);
        let captured = p.d.len.saturating_sub(start).min(data_len as usize);
        let mut f =
            at(TCP_SYN_WITH_DATA)
                .param("len", data_len)
                .field(p.number, p.d, "tcp.flags.syn");
        if captured > 0 {
            f = f.bytes(p.number, "tcp.payload", start, captured);
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flag_combination_gets_one_name() {
        let c = |f| classify(f, 0, 1234, 80);
        assert_eq!(c(0x000), Some(TCP_FLAGS_NULL));
        assert_eq!(c(0x002), Some(TCP_FLAGS_SYN));
        // ECN negotiation on a SYN is still a plain SYN.
        assert_eq!(c(0x0c2), Some(TCP_FLAGS_SYN));
        assert_eq!(c(0x012), Some(TCP_FLAGS_SYNACK));
        assert_eq!(c(0x014), Some(TCP_FLAGS_RSTACK));
        assert_eq!(c(0x004), Some(TCP_FLAGS_RST));
        assert_eq!(c(0x011), Some(TCP_FLAGS_FIN_ACK));
        assert_eq!(c(0x001), Some(TCP_FLAGS_FIN_SCAN));
        assert_eq!(c(0x003), Some(TCP_FLAGS_SYN_FIN));
        assert_eq!(c(0x006), Some(TCP_FLAGS_SYN_RST));
        assert_eq!(c(0x029), Some(TCP_FLAGS_XMAS));
        assert_eq!(c(0x008), Some(TCP_FLAGS_NO_ACK));
        // Ordinary receipts and data segments say nothing.
        assert_eq!(c(0x010), None);
        assert_eq!(c(0x018), None);
        assert_eq!(classify(0x010, 0, 80, 80), Some(TCP_FLAGS_ACK_PROBE));
        assert_eq!(classify(0x010, 0, 4000, 0), Some(TCP_FLAGS_ACK_PROBE));
        assert_eq!(classify(0x010, 5, 80, 80), None);
    }
}
