//! TCP (RFC 9293) and UDP (RFC 768) with checksums verified over the pseudo-header, the dispatch
//! by IP protocol number, and the small carriers met in traces: GRE (RFC 2784/2890), IP-in-IP,
//! IGMP (RFC 2236/3376).
//!
//! A transport header quoted inside an ICMP error is usually just its first 8 bytes: that is the
//! normal case there, so a quoted header that runs out is not an error.

use super::bytes::{be16, be32, fold_checksum, ones_complement_sum, slice, u8_at};
use super::{Ctx, IpContext, Layer, Next, Transport};
use crate::field::Value;
use std::net::IpAddr;

/// Byte offsets inside the TCP header (RFC 9293 section 3.1).
mod tcp {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const SEQ: usize = 4;
    pub const ACK: usize = 8;
    pub const OFF_FLAGS: usize = 12;
    pub const WINDOW: usize = 14;
    pub const CHECKSUM: usize = 16;
    pub const URGENT: usize = 18;
    pub const HEADER_LEN: usize = 20;
}

/// Byte offsets inside the UDP header (RFC 768).
mod udp {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const LEN: usize = 4;
    pub const CHECKSUM: usize = 6;
    pub const HEADER_LEN: usize = 8;
}

pub fn dispatch_ip_proto(cx: &mut Ctx<'_>, proto: u8, off: usize, ipc: IpContext) -> Next {
    match proto {
        1 => super::icmp::decode_icmp(cx, off, ipc),
        2 => decode_igmp(cx, off, ipc),
        4 => Next::Ip(off),
        41 => Next::Ipv6(off),
        6 => decode_tcp(cx, off, ipc),
        17 => decode_udp(cx, off, ipc),
        47 => decode_gre(cx, off, ipc),
        58 => super::icmp::decode_icmpv6(cx, off, ipc),
        _ => super::data_layer(cx, off, ipc.end),
    }
}

/// Sum of the TCP/UDP pseudo-header (RFC 9293 section 3.1; RFC 8200 section 8.1 for IPv6).
fn pseudo_header_sum(ipc: &IpContext, proto: u8, len: usize) -> u32 {
    let mut sum = 0u32;
    match (ipc.src, ipc.dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            sum = ones_complement_sum(sum, &s.octets());
            sum = ones_complement_sum(sum, &d.octets());
        }
        (s, d) => {
            let v6 = |a: IpAddr| match a {
                IpAddr::V6(x) => x.octets(),
                IpAddr::V4(x) => x.to_ipv6_mapped().octets(),
            };
            sum = ones_complement_sum(sum, &v6(s));
            sum = ones_complement_sum(sum, &v6(d));
        }
    }
    sum = ones_complement_sum(sum, &(len as u32).to_be_bytes());
    ones_complement_sum(sum, &[0, proto])
}

/// Verifies a transport checksum when the whole segment was captured and is not a fragment.
/// Returns `None` when it cannot be verified.
fn verify(cx: &Ctx<'_>, ipc: &IpContext, proto: u8, off: usize, end: usize) -> Option<(bool, u16)> {
    if ipc.first_fragment || ipc.later_fragment || end > cx.frame.len() || cx.quoted {
        return None;
    }
    let seg = cx.frame.get(off..end)?;
    let sum = ones_complement_sum(pseudo_header_sum(ipc, proto, seg.len()), seg);
    let ok = fold_checksum(sum) == 0;
    Some((ok, 0))
}

/// The value the checksum field should hold (for showing next to a bad one).
fn expected_checksum(
    cx: &Ctx<'_>,
    ipc: &IpContext,
    proto: u8,
    off: usize,
    end: usize,
    ck_at: usize,
) -> u16 {
    let seg = cx.frame.get(off..end).unwrap_or(&[]);
    let rel = ck_at - off;
    let mut sum = pseudo_header_sum(ipc, proto, seg.len());
    sum = ones_complement_sum(sum, seg.get(..rel).unwrap_or(&[]));
    // The bytes after the checksum may start at an odd offset only if rel is odd, which it never
    // is for TCP (16) or UDP (6).
    sum = ones_complement_sum(sum, seg.get(rel + 2..).unwrap_or(&[]));
    fold_checksum(sum)
}

fn add_checksum(
    l: &mut Layer,
    cx: &Ctx<'_>,
    ipc: &IpContext,
    proto: u8,
    (off, end, ck_at): (usize, usize, usize),
    names: (&'static str, &'static str, &'static str),
    value: u16,
) {
    let (field, status, calc) = names;
    l.add(field, "Checksum", Value::UInt(u64::from(value)), ck_at, 2)
        .show(|| format!("0x{value:04x}"));
    if !crate::field::verifying() {
        return;
    }
    if proto == 17 && value == 0 && matches!(ipc.src, IpAddr::V4(_)) {
        // UDP over IPv4 may omit its checksum (RFC 768).
        l.add(status, "Checksum status", Value::UInt(3), ck_at, 2)
            .show(|| "Not present (zero)".into());
        return;
    }
    match verify(cx, ipc, proto, off, end) {
        Some((ok, _)) => {
            l.add(
                status,
                "Checksum status",
                Value::UInt(u64::from(ok)),
                ck_at,
                2,
            )
            .show(|| if ok { "Good" } else { "Bad" }.into());
            if !ok {
                let want = expected_checksum(cx, ipc, proto, off, end, ck_at);
                l.add(
                    calc,
                    "Calculated checksum",
                    Value::UInt(u64::from(want)),
                    ck_at,
                    2,
                )
                .show(|| format!("0x{want:04x}"));
            }
        }
        None => {
            l.add(status, "Checksum status", Value::UInt(2), ck_at, 2)
                .show(|| "Unverified (segment not captured whole, or a fragment)".into());
        }
    }
}

/// TCP flag bits in the 16-bit data-offset/flags word (RFC 9293, RFC 3168 for ECE/CWR,
/// RFC 9768 for AE), with their one-letter tcpdump names.
const TCP_FLAGS: [(&str, &str, u64); 9] = [
    ("tcp.flags.ae", "Accurate ECN", 0x100),
    ("tcp.flags.cwr", "Congestion window reduced", 0x80),
    ("tcp.flags.ece", "ECN echo", 0x40),
    ("tcp.flags.urg", "Urgent", 0x20),
    ("tcp.flags.ack", "Acknowledgment", 0x10),
    ("tcp.flags.push", "Push", 0x08),
    ("tcp.flags.reset", "Reset", 0x04),
    ("tcp.flags.syn", "Syn", 0x02),
    ("tcp.flags.fin", "Fin", 0x01),
];

/// Names of the set flags, e.g. `SYN, ACK`.
pub fn tcp_flag_names(flags: u16) -> String {
    const NAMES: [(u16, &str); 9] = [
        (0x100, "AE"),
        (0x80, "CWR"),
        (0x40, "ECE"),
        (0x20, "URG"),
        (0x10, "ACK"),
        (0x08, "PSH"),
        (0x04, "RST"),
        (0x02, "SYN"),
        (0x01, "FIN"),
    ];
    let set: Vec<&str> = NAMES
        .iter()
        .filter(|(m, _)| flags & m != 0)
        .map(|(_, n)| *n)
        .collect();
    if set.is_empty() {
        "none".into()
    } else {
        set.join(", ")
    }
}

fn decode_tcp(cx: &mut Ctx<'_>, off: usize, ipc: IpContext) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("tcp", "Transmission Control Protocol", off);
    let at = |o: usize| off + o;
    let (Some(sport), Some(dport)) = (be16(b, at(tcp::SRC_PORT)), be16(b, at(tcp::DST_PORT)))
    else {
        return cut_transport(cx, l, off, "TCP", tcp::HEADER_LEN);
    };
    l.add(
        "tcp.srcport",
        "Source port",
        Value::UInt(u64::from(sport)),
        at(tcp::SRC_PORT),
        2,
    );
    l.add(
        "tcp.dstport",
        "Destination port",
        Value::UInt(u64::from(dport)),
        at(tcp::DST_PORT),
        2,
    );
    if let Some(seq) = be32(b, at(tcp::SEQ)) {
        l.add(
            "tcp.seq_raw",
            "Sequence number",
            Value::UInt(u64::from(seq)),
            at(tcp::SEQ),
            4,
        );
    }
    if let Some(ack) = be32(b, at(tcp::ACK)) {
        l.add(
            "tcp.ack_raw",
            "Acknowledgment number",
            Value::UInt(u64::from(ack)),
            at(tcp::ACK),
            4,
        );
    }
    let (Some(off_flags), Some(win), Some(ck), Some(urg)) = (
        be16(b, at(tcp::OFF_FLAGS)),
        be16(b, at(tcp::WINDOW)),
        be16(b, at(tcp::CHECKSUM)),
        be16(b, at(tcp::URGENT)),
    ) else {
        return cut_transport(cx, l, off, "TCP", tcp::HEADER_LEN);
    };
    let hdr_len = usize::from(off_flags >> 12) * 4;
    l.add_bits(
        "tcp.hdr_len",
        "Header length",
        Value::UInt(hdr_len as u64),
        at(tcp::OFF_FLAGS),
        1,
        0xf0,
        0,
    )
    .show(|| format!("{hdr_len} bytes ({})", hdr_len / 4));
    let flags = off_flags & 0x0fff;
    let fw = u64::from(off_flags);
    l.add_bits(
        "tcp.flags",
        "Flags",
        Value::UInt(u64::from(flags)),
        at(tcp::OFF_FLAGS),
        2,
        0x0fff,
        0,
    )
    .show(|| format!("0x{flags:03x} ({})", tcp_flag_names(flags)));
    l.add_flag(
        "tcp.flags.res",
        "Reserved",
        fw,
        at(tcp::OFF_FLAGS),
        2,
        0x0e00,
        1,
    );
    for (name, label, mask) in TCP_FLAGS {
        l.add_flag(name, label, fw, at(tcp::OFF_FLAGS), 2, mask, 1);
    }
    l.add(
        "tcp.window_size_value",
        "Window",
        Value::UInt(u64::from(win)),
        at(tcp::WINDOW),
        2,
    );
    let seg_end = ipc.claimed_end;
    add_checksum(
        &mut l,
        cx,
        &ipc,
        6,
        (off, seg_end, at(tcp::CHECKSUM)),
        (
            "tcp.checksum",
            "tcp.checksum.status",
            "tcp.checksum_calculated",
        ),
        ck,
    );
    l.add(
        "tcp.urgent_pointer",
        "Urgent pointer",
        Value::UInt(u64::from(urg)),
        at(tcp::URGENT),
        2,
    );
    let tcp_len = seg_end.saturating_sub(off + hdr_len);
    l.len = hdr_len.max(tcp::HEADER_LEN);
    if hdr_len < tcp::HEADER_LEN {
        l.len = tcp::HEADER_LEN;
        l.fail(
            at(tcp::OFF_FLAGS),
            format!("header length {hdr_len} bytes is below the 20-byte minimum"),
        );
        cx.push(l);
        return Next::Stop;
    }
    if off + hdr_len > seg_end && !cx.quoted {
        l.fail(
            at(tcp::OFF_FLAGS),
            format!("header length {hdr_len} bytes runs past the IP datagram's end"),
        );
    }
    l.add(
        "tcp.len",
        "Segment data length",
        Value::UInt(tcp_len as u64),
        off,
        0,
    );
    match slice(b, at(tcp::HEADER_LEN), hdr_len - tcp::HEADER_LEN) {
        Some(_) => decode_tcp_options(&mut l, b, at(tcp::HEADER_LEN), off + hdr_len),
        None if cx.quoted => {}
        None => {
            l.len = b.len().saturating_sub(off);
            l.fail(
                at(tcp::HEADER_LEN),
                format!("options run past the captured bytes (header is {hdr_len} bytes)"),
            );
            cx.push(l);
            return Next::Stop;
        }
    }
    cx.push(l);
    let start = off + hdr_len;
    let end = ipc.end;
    // Data the IP header claims goes on even when none of it was captured (see `app::dispatch`).
    if cx.quoted || start >= ipc.claimed_end || start > end {
        return Next::Stop;
    }
    Next::App {
        transport: Transport::Tcp,
        src_port: sport,
        dst_port: dport,
        offset: start,
        end,
    }
}

/// TCP option kinds (IANA "TCP Option Kind Numbers").
fn tcp_option_name(kind: u8) -> &'static str {
    match kind {
        0 => "End of option list",
        1 => "No-operation",
        2 => "Maximum segment size",
        3 => "Window scale",
        4 => "SACK permitted",
        5 => "SACK",
        8 => "Timestamps",
        19 => "MD5 signature",
        28 => "User timeout",
        29 => "TCP-AO",
        30 => "Multipath TCP",
        34 => "TCP Fast Open cookie",
        _ => "Unknown",
    }
}

fn decode_tcp_options(l: &mut Layer, b: &[u8], start: usize, end: usize) {
    if start < end {
        l.add(
            "tcp.options",
            "Options",
            Value::Bytes(b.get(start..end).unwrap_or(&[]).to_vec()),
            start,
            end - start,
        );
    }
    let mut p = start;
    while p < end {
        let Some(kind) = u8_at(b, p) else { return };
        l.add_bits(
            "tcp.option_kind",
            "Option",
            Value::UInt(u64::from(kind)),
            p,
            1,
            0,
            1,
        )
        .show(|| format!("{kind} ({})", tcp_option_name(kind)));
        match kind {
            0 => return,
            1 => {
                p += 1;
                continue;
            }
            _ => {}
        }
        let Some(len) = u8_at(b, p + 1).map(usize::from) else {
            l.fail(p, "TCP option without a length byte");
            return;
        };
        l.add_bits(
            "tcp.option_len",
            "Length",
            Value::UInt(len as u64),
            p + 1,
            1,
            0,
            1,
        );
        if len < 2 || p + len > end {
            l.fail(
                p + 1,
                format!(
                    "TCP option {kind} claims {len} bytes; {} remain in the header",
                    end - p
                ),
            );
            return;
        }
        match (kind, len) {
            (2, 4) => {
                if let Some(v) = be16(b, p + 2) {
                    l.add_bits(
                        "tcp.options.mss_val",
                        "MSS",
                        Value::UInt(u64::from(v)),
                        p + 2,
                        2,
                        0,
                        1,
                    );
                }
            }
            (3, 3) => {
                if let Some(v) = u8_at(b, p + 2) {
                    l.add_bits(
                        "tcp.options.wscale.shift",
                        "Window scale shift",
                        Value::UInt(u64::from(v)),
                        p + 2,
                        1,
                        0,
                        1,
                    )
                    .show(|| format!("{v} (multiply by {})", 1u64 << v.min(30)));
                }
            }
            (4, 2) => {
                l.add_bits(
                    "tcp.options.sack_perm",
                    "SACK permitted",
                    Value::None,
                    p,
                    2,
                    0,
                    1,
                );
            }
            (5, _) => {
                let mut q = p + 2;
                while q + 8 <= p + len {
                    if let (Some(le), Some(re)) = (be32(b, q), be32(b, q + 4)) {
                        l.add_bits(
                            "tcp.options.sack_le",
                            "SACK left edge",
                            Value::UInt(u64::from(le)),
                            q,
                            4,
                            0,
                            1,
                        );
                        l.add_bits(
                            "tcp.options.sack_re",
                            "SACK right edge",
                            Value::UInt(u64::from(re)),
                            q + 4,
                            4,
                            0,
                            1,
                        );
                    }
                    q += 8;
                }
            }
            (8, 10) => {
                if let (Some(v), Some(e)) = (be32(b, p + 2), be32(b, p + 6)) {
                    l.add_bits(
                        "tcp.options.timestamp.tsval",
                        "Timestamp value",
                        Value::UInt(u64::from(v)),
                        p + 2,
                        4,
                        0,
                        1,
                    );
                    l.add_bits(
                        "tcp.options.timestamp.tsecr",
                        "Timestamp echo reply",
                        Value::UInt(u64::from(e)),
                        p + 6,
                        4,
                        0,
                        1,
                    );
                }
            }
            _ => {}
        }
        p += len;
    }
}

/// A transport header that ends early: normal inside an ICMP error, an error anywhere else.
fn cut_transport(cx: &mut Ctx<'_>, mut l: Layer, off: usize, what: &str, need: usize) -> Next {
    l.len = cx.frame.len().saturating_sub(off).min(need);
    if !cx.quoted {
        l.fail(
            off,
            format!("{what} header needs {need} bytes; only {} captured", l.len),
        );
    }
    cx.push(l);
    Next::Stop
}

fn decode_udp(cx: &mut Ctx<'_>, off: usize, ipc: IpContext) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("udp", "User Datagram Protocol", off);
    let at = |o: usize| off + o;
    let (Some(sport), Some(dport)) = (be16(b, at(udp::SRC_PORT)), be16(b, at(udp::DST_PORT)))
    else {
        return cut_transport(cx, l, off, "UDP", udp::HEADER_LEN);
    };
    l.add(
        "udp.srcport",
        "Source port",
        Value::UInt(u64::from(sport)),
        at(udp::SRC_PORT),
        2,
    );
    l.add(
        "udp.dstport",
        "Destination port",
        Value::UInt(u64::from(dport)),
        at(udp::DST_PORT),
        2,
    );
    let (Some(ulen), Some(ck)) = (be16(b, at(udp::LEN)), be16(b, at(udp::CHECKSUM))) else {
        if let Some(ulen) = be16(b, at(udp::LEN)) {
            l.add(
                "udp.length",
                "Length",
                Value::UInt(u64::from(ulen)),
                at(udp::LEN),
                2,
            );
        }
        return cut_transport(cx, l, off, "UDP", udp::HEADER_LEN);
    };
    l.len = udp::HEADER_LEN;
    let ulen = usize::from(ulen);
    l.add(
        "udp.length",
        "Length",
        Value::UInt(ulen as u64),
        at(udp::LEN),
        2,
    );
    let ip_room = ipc.claimed_end.saturating_sub(off);
    // The UDP length and the room the IP header leaves must agree (RFC 768); when they do not,
    // the smaller one bounds what can be trusted as payload.
    let bad_len = ulen < udp::HEADER_LEN || (ulen > ip_room && !ipc.first_fragment);
    if ulen < udp::HEADER_LEN {
        l.fail(
            at(udp::LEN),
            format!("length {ulen} is below the 8-byte UDP header"),
        );
    } else if ulen > ip_room && !ipc.first_fragment {
        l.fail(
            at(udp::LEN),
            format!("length {ulen} exceeds the {ip_room} bytes the IP header leaves for UDP"),
        );
    }
    let claimed_end = if bad_len { ipc.claimed_end } else { off + ulen };
    if !bad_len {
        add_checksum(
            &mut l,
            cx,
            &ipc,
            17,
            (off, claimed_end, at(udp::CHECKSUM)),
            (
                "udp.checksum",
                "udp.checksum.status",
                "udp.checksum_calculated",
            ),
            ck,
        );
    } else {
        l.add(
            "udp.checksum",
            "Checksum",
            Value::UInt(u64::from(ck)),
            at(udp::CHECKSUM),
            2,
        )
        .show(|| format!("0x{ck:04x}"));
    }
    if ulen >= udp::HEADER_LEN && ulen < ip_room && !cx.quoted {
        // The IP datagram is longer than UDP says: the extra bytes are not UDP payload. The
        // count is what the headers claim; the range covers only the bytes actually captured.
        let from = (off + ulen).min(b.len());
        let captured = ipc.end.max(from) - from;
        l.add(
            "udp.length.bad_extra",
            "Bytes after the UDP datagram",
            Value::UInt((ip_room - ulen) as u64),
            from,
            captured,
        );
    }
    cx.push(l);
    let start = off + udp::HEADER_LEN;
    let end = claimed_end.min(ipc.end);
    // Data the headers claim goes on even when none of it was captured (see `app::dispatch`).
    if cx.quoted || start >= claimed_end.min(ipc.claimed_end) || start > end {
        return Next::Stop;
    }
    Next::App {
        transport: Transport::Udp,
        src_port: sport,
        dst_port: dport,
        offset: start,
        end,
    }
}

fn decode_gre(cx: &mut Ctx<'_>, off: usize, ipc: IpContext) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("gre", "Generic Routing Encapsulation", off);
    let (Some(fv), Some(proto)) = (be16(b, off), be16(b, off + 2)) else {
        return cut_transport(cx, l, off, "GRE", 4);
    };
    let w = u64::from(fv);
    l.add(
        "gre.flags_and_version",
        "Flags and version",
        Value::UInt(w),
        off,
        2,
    )
    .show(|| format!("0x{fv:04x}"));
    let has_ck = l.add_flag(
        "gre.flags.checksum",
        "Checksum present",
        w,
        off,
        2,
        0x8000,
        1,
    );
    let has_key = l.add_flag("gre.flags.key", "Key present", w, off, 2, 0x2000, 1);
    let has_seq = l.add_flag(
        "gre.flags.sequence_number",
        "Sequence number present",
        w,
        off,
        2,
        0x1000,
        1,
    );
    l.add_bits(
        "gre.flags.version",
        "Version",
        Value::UInt(w & 7),
        off,
        2,
        0x0007,
        1,
    );
    l.add(
        "gre.proto",
        "Protocol type",
        Value::UInt(u64::from(proto)),
        off + 2,
        2,
    )
    .show(|| format!("0x{proto:04x}"));
    let mut p = off + 4;
    if has_ck {
        p += 4;
    }
    if has_key {
        if let Some(k) = be32(b, p) {
            l.add("gre.key", "Key", Value::UInt(u64::from(k)), p, 4);
        }
        p += 4;
    }
    if has_seq {
        if let Some(s) = be32(b, p) {
            l.add(
                "gre.sequence_number",
                "Sequence number",
                Value::UInt(u64::from(s)),
                p,
                4,
            );
        }
        p += 4;
    }
    l.len = p - off;
    if p > b.len() {
        l.fail(off, "GRE header runs past the captured bytes");
        cx.push(l);
        return Next::Stop;
    }
    cx.push(l);
    if cx.quoted {
        return Next::Stop;
    }
    match proto {
        // Transparent Ethernet bridging carries whole Ethernet frames.
        0x6558 => Next::Ethernet(p),
        _ if fv & 7 == 0 => Next::EtherType(proto, p),
        _ => super::data_layer(cx, p, ipc.end),
    }
}

/// IGMP message types (IANA "IGMP Type Numbers").
fn igmp_type_name(t: u8) -> &'static str {
    match t {
        0x11 => "Membership query",
        0x12 => "IGMPv1 membership report",
        0x16 => "IGMPv2 membership report",
        0x17 => "Leave group",
        0x22 => "IGMPv3 membership report",
        _ => "Unknown",
    }
}

fn decode_igmp(cx: &mut Ctx<'_>, off: usize, ipc: IpContext) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("igmp", "Internet Group Management Protocol", off);
    let (Some(t), Some(mr), Some(ck)) = (u8_at(b, off), u8_at(b, off + 1), be16(b, off + 2)) else {
        return cut_transport(cx, l, off, "IGMP", 8);
    };
    l.add("igmp.type", "Type", Value::UInt(u64::from(t)), off, 1)
        .show(|| format!("0x{t:02x} ({})", igmp_type_name(t)));
    l.add(
        "igmp.max_resp",
        "Max response time",
        Value::UInt(u64::from(mr)),
        off + 1,
        1,
    );
    l.add(
        "igmp.checksum",
        "Checksum",
        Value::UInt(u64::from(ck)),
        off + 2,
        2,
    )
    .show(|| format!("0x{ck:04x}"));
    if let Some(a) = super::bytes::array::<4>(b, off + 4) {
        if t != 0x22 {
            l.add(
                "igmp.maddr",
                "Multicast address",
                Value::Ipv4(a.into()),
                off + 4,
                4,
            );
        }
    }
    l.len = ipc
        .end
        .saturating_sub(off)
        .max(4.min(b.len().saturating_sub(off)));
    cx.push(l);
    Next::Stop
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::bytes::{fold_checksum, ones_complement_sum};
    use crate::decode::{decode, linktype};

    /// Raw IPv4 frame: 20-byte header + `l4` with its checksum at `ck_at` filled in.
    fn ipv4(proto: u8, mut l4: Vec<u8>, ck_at: Option<usize>) -> Vec<u8> {
        let total = 20 + l4.len();
        let mut ip = vec![
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            1,
            0,
            0,
            64,
            proto,
            0,
            0, // ...checksum
            192,
            168,
            5,
            132, // ip.src
            10,
            9,
            9,
            9, // ip.dst
        ];
        let ck = fold_checksum(ones_complement_sum(0, &ip));
        ip[10..12].copy_from_slice(&ck.to_be_bytes());
        if let Some(at) = ck_at {
            let mut sum = ones_complement_sum(0, &ip[12..20]);
            sum = ones_complement_sum(sum, &[0, proto]);
            sum = ones_complement_sum(sum, &(l4.len() as u16).to_be_bytes());
            sum = ones_complement_sum(sum, &l4);
            l4[at..at + 2].copy_from_slice(&fold_checksum(sum).to_be_bytes());
        }
        ip.extend(l4);
        ip
    }

    fn syn() -> Vec<u8> {
        vec![
            0x80, 0x07, 0x08, 0x31, // sport 32775, dport 2097
            0xaf, 0xdd, 0x27, 0x58, // seq 2950506328
            0, 0, 0, 0, // ack 0
            0x60, 0x02, // header 24 bytes, SYN
            0x7d, 0x78, // window 32120
            0, 0, 0, 0, // checksum (filled), urgent pointer
            0x02, 0x04, 0x05, 0xb4, // MSS 1460
        ]
    }

    #[test]
    fn an_unverified_decode_differs_only_by_the_checksum_verdicts() {
        let mut frame = ipv4(6, syn(), Some(16));
        // A good checksum and a bad one: unverified, both keep every field but the verdicts.
        for bad in [false, true] {
            if bad {
                let last = frame.len() - 1;
                frame[last] ^= 0xff;
            }
            let lean = crate::decode::decode_lean(&frame, linktype::RAW, frame.len());
            let quick = crate::decode::decode_unverified(&frame, linktype::RAW, frame.len());
            let names = |d: &crate::decode::Dissection| -> Vec<&'static str> {
                d.layers
                    .iter()
                    .flat_map(|l| l.fields.iter().map(|f| f.name))
                    .collect()
            };
            let verdicts = ["tcp.checksum.status", "tcp.checksum_calculated"];
            let kept: Vec<&str> = names(&lean)
                .into_iter()
                .filter(|n| !verdicts.contains(n))
                .collect();
            assert!(names(&lean).contains(&"tcp.checksum.status"));
            assert_eq!(names(&quick), kept, "bad checksum: {bad}");
            for l in &quick.layers {
                for f in &l.fields {
                    assert_eq!(lean.get(f.name), Some(&f.value), "{}", f.name);
                }
            }
        }
    }

    #[test]
    fn tcp_syn_fields_flags_options_and_checksum() {
        let d = decode(&ipv4(6, syn(), Some(16)), linktype::RAW);
        let t = d.layer("tcp").expect("tcp");
        assert_eq!(t.error, None);
        assert_eq!(t.u64("tcp.srcport"), Some(32775));
        assert_eq!(t.u64("tcp.seq_raw"), Some(0xafdd2758));
        assert_eq!(t.u64("tcp.hdr_len"), Some(24));
        assert_eq!(t.u64("tcp.flags"), Some(0x002));
        assert_eq!(t.get("tcp.flags.syn"), Some(&Value::Bool(true)));
        assert_eq!(t.get("tcp.flags.ack"), Some(&Value::Bool(false)));
        let syn = t.field("tcp.flags.syn").expect("syn");
        assert_eq!((syn.offset, syn.len, syn.mask, syn.depth), (32, 2, 0x02, 1));
        assert_eq!(t.u64("tcp.options.mss_val"), Some(1460));
        assert_eq!(t.u64("tcp.window_size_value"), Some(32120));
        assert_eq!(t.u64("tcp.checksum.status"), Some(1));
        assert_eq!(t.u64("tcp.len"), Some(0));
    }

    #[test]
    fn bad_tcp_checksum_shows_the_expected_value() {
        let good = ipv4(6, syn(), Some(16));
        let want = u64::from(u16::from_be_bytes([good[36], good[37]]));
        let mut bad = good.clone();
        bad[36] ^= 0x5a;
        let d = decode(&bad, linktype::RAW);
        assert_eq!(d.u64("tcp.checksum.status"), Some(0));
        assert_eq!(d.u64("tcp.checksum_calculated"), Some(want));
    }

    #[test]
    fn udp_length_longer_than_the_datagram_is_an_error() {
        // The firewall FAQ case: UDP says 51 bytes, the IP datagram leaves fewer.
        let u = vec![0x08, 0xa7, 0x79, 0x19, 0x00, 0x33, 0x00, 0x00, 1, 2, 3];
        let d = decode(&ipv4(17, u, None), linktype::RAW);
        let l = d.layer("udp").expect("udp");
        assert_eq!(l.u64("udp.srcport"), Some(2215));
        assert_eq!(l.u64("udp.dstport"), Some(31001));
        assert_eq!(l.u64("udp.length"), Some(51));
        let e = l.error.as_ref().expect("length error");
        assert!(e.message.contains("51"), "{}", e.message);
        assert_eq!(e.offset, 24);
    }

    #[test]
    fn udp_checksum_good_and_zero() {
        let u = vec![0x04, 0x00, 0x00, 0x35, 0x00, 0x0a, 0, 0, 0xab, 0xcd];
        let d = decode(&ipv4(17, u.clone(), Some(6)), linktype::RAW);
        assert_eq!(d.u64("udp.checksum.status"), Some(1));
        let d = decode(&ipv4(17, u, None), linktype::RAW);
        assert_eq!(d.u64("udp.checksum.status"), Some(3));
    }

    #[test]
    fn snap_cut_segment_keeps_claimed_length() {
        let mut seg = syn();
        seg.extend_from_slice(&[b'x'; 100]);
        let f = ipv4(6, seg, Some(16));
        let d = decode(&f[..60], linktype::RAW);
        let t = d.layer("tcp").expect("tcp");
        assert_eq!(t.error, None);
        assert_eq!(t.u64("tcp.len"), Some(100));
        assert_eq!(t.u64("tcp.checksum.status"), Some(2));
    }

    #[test]
    fn every_truncation_is_clean() {
        let f = ipv4(6, syn(), Some(16));
        for n in 20..f.len() {
            let d = decode(&f[..n], linktype::RAW);
            if n < 44 {
                let (l, _) = d.error().expect("cut");
                assert_eq!(l.proto, "tcp", "at {n}");
            }
        }
    }

    #[test]
    fn source_routed_udp_checksum_covers_the_final_destination() {
        // IPv4 with a loose source route (next hop 10.0.0.2, final destination 10.0.0.9); the
        // UDP checksum was computed with 10.0.0.9 in the pseudo-header, as RFC 9293 3.1 says.
        let hex = "47000026000100004011d4b20a0000010a0000028307040a0000090003e807d0000a77af6869";
        let f: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0))
            .collect();
        let d = decode(&f, linktype::RAW);
        assert_eq!(d.u64("ip.checksum.status"), Some(1));
        assert_eq!(d.u64("udp.checksum.status"), Some(1));
    }

    #[test]
    fn ip_in_ip_repeats_fields_outermost_first() {
        let inner = ipv4(17, vec![0, 7, 0, 7, 0, 8, 0, 0], None);
        let d = decode(&ipv4(4, inner, None), linktype::RAW);
        let srcs: Vec<_> = d.all("ip.src").map(|f| f.offset).collect();
        assert_eq!(srcs, vec![12, 32]);
        assert_eq!(d.u64("udp.srcport"), Some(7));
    }
}
