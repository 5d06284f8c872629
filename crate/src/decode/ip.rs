//! IPv4 (RFC 791) with options, fragments and the header checksum; IPv6 (RFC 8200) with its
//! extension headers, AH (RFC 4302) and ESP (RFC 4303, noted: its payload is encrypted).
//!
//! A datagram cut by the snap length is normal: the payload end is clamped to the captured bytes
//! and the claimed end is kept for lengths such as `tcp.len`. Only a cut *header* is an error.

use super::bytes::{array, be16, be32, fold_checksum, ones_complement_sum, slice, u8_at};
use super::{Ctx, IpContext, Layer, Next};
use crate::field::Value;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Byte offsets inside the fixed IPv4 header (RFC 791 section 3.1).
mod v4 {
    pub const VER_IHL: usize = 0;
    pub const TOS: usize = 1;
    pub const LEN: usize = 2;
    pub const ID: usize = 4;
    pub const FLAGS_FRAG: usize = 6;
    pub const TTL: usize = 8;
    pub const PROTO: usize = 9;
    pub const CHECKSUM: usize = 10;
    pub const SRC: usize = 12;
    pub const DST: usize = 16;
    pub const HEADER_LEN: usize = 20;
}

/// IP protocol numbers (IANA "Assigned Internet Protocol Numbers").
pub fn ip_proto_name(p: u8) -> Option<&'static str> {
    Some(match p {
        0 => "IPv6 Hop-by-Hop",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPv4 (IP-in-IP)",
        6 => "TCP",
        8 => "EGP",
        9 => "IGP",
        17 => "UDP",
        41 => "IPv6",
        43 => "IPv6 Routing",
        44 => "IPv6 Fragment",
        46 => "RSVP",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMPv6",
        59 => "IPv6 No Next Header",
        60 => "IPv6 Destination Options",
        88 => "EIGRP",
        89 => "OSPF",
        103 => "PIM",
        112 => "VRRP",
        132 => "SCTP",
        136 => "UDP-Lite",
        _ => return None,
    })
}

fn proto_display(p: u8) -> String {
    match ip_proto_name(p) {
        Some(n) => format!("{p} ({n})"),
        None => format!("{p}"),
    }
}

pub fn decode_ip(cx: &mut Ctx<'_>, off: usize) -> Next {
    match u8_at(cx.frame, off).map(|b| b >> 4) {
        Some(4) => decode_ipv4(cx, off),
        Some(6) => decode_ipv6(cx, off),
        Some(v) => {
            let mut l = Layer::new("ip", "Internet Protocol", off);
            l.len = cx.frame.len().saturating_sub(off);
            l.add_bits(
                "ip.version",
                "Version",
                Value::UInt(u64::from(v)),
                off,
                1,
                0xf0,
                0,
            );
            l.fail(off, format!("IP version {v} is neither 4 nor 6"));
            cx.push(l);
            Next::Stop
        }
        None => {
            let mut l = Layer::new("ip", "Internet Protocol", off);
            l.fail(off, "the frame ends before the IP header");
            cx.push(l);
            Next::Stop
        }
    }
}

/// An IPv6 header announced by the layer before it of which no byte was captured.
pub fn missing_ipv6(cx: &mut Ctx<'_>, off: usize) -> Next {
    let mut l = Layer::new("ipv6", "Internet Protocol Version 6", off);
    l.fail(off, "the frame ends before the IPv6 header");
    cx.push(l);
    Next::Stop
}

fn decode_ipv4(cx: &mut Ctx<'_>, off: usize) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("ip", "Internet Protocol Version 4", off);
    let Some(hdr) = array::<{ v4::HEADER_LEN }>(b, off) else {
        l.len = b.len().saturating_sub(off);
        if let Some(x) = u8_at(b, off) {
            l.add_bits("ip.version", "Version", Value::UInt(4), off, 1, 0xf0, 0);
            l.add_bits(
                "ip.hdr_len",
                "Header length",
                Value::UInt(u64::from(x & 0x0f) * 4),
                off,
                1,
                0x0f,
                0,
            );
        }
        l.fail(
            off,
            format!("IPv4 header needs 20 bytes; only {} captured", l.len),
        );
        cx.push(l);
        return Next::Stop;
    };
    let [ver_ihl, tos, len_hi, len_lo, id_hi, id_lo, ff_hi, ff_lo, ttl, proto, ck_hi, ck_lo, s0, s1, s2, s3, d0, d1, d2, d3] =
        hdr;
    let ihl = usize::from(ver_ihl & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([len_hi, len_lo]));
    let id = u16::from_be_bytes([id_hi, id_lo]);
    let flags_frag = u16::from_be_bytes([ff_hi, ff_lo]);
    let checksum = u16::from_be_bytes([ck_hi, ck_lo]);
    let src = Ipv4Addr::new(s0, s1, s2, s3);
    let dst = Ipv4Addr::new(d0, d1, d2, d3);

    let at = |o: usize| off + o;
    l.add_bits(
        "ip.version",
        "Version",
        Value::UInt(4),
        at(v4::VER_IHL),
        1,
        0xf0,
        0,
    );
    l.add_bits(
        "ip.hdr_len",
        "Header length",
        Value::UInt(ihl as u64),
        at(v4::VER_IHL),
        1,
        0x0f,
        0,
    )
    .show(|| format!("{ihl} bytes ({})", ihl / 4));
    l.add(
        "ip.dsfield",
        "Differentiated services",
        Value::UInt(u64::from(tos)),
        at(v4::TOS),
        1,
    )
    .show(|| format!("0x{tos:02x}"));
    l.add_bits(
        "ip.dsfield.dscp",
        "DSCP",
        Value::UInt(u64::from(tos >> 2)),
        at(v4::TOS),
        1,
        0xfc,
        1,
    );
    l.add_bits(
        "ip.dsfield.ecn",
        "ECN",
        Value::UInt(u64::from(tos & 3)),
        at(v4::TOS),
        1,
        0x03,
        1,
    );
    l.add(
        "ip.len",
        "Total length",
        Value::UInt(total as u64),
        at(v4::LEN),
        2,
    );
    l.add(
        "ip.id",
        "Identification",
        Value::UInt(u64::from(id)),
        at(v4::ID),
        2,
    )
    .show(|| format!("0x{id:04x} ({id})"));
    let ff = u64::from(flags_frag);
    l.add_bits(
        "ip.flags",
        "Flags",
        Value::UInt(ff >> 13),
        at(v4::FLAGS_FRAG),
        1,
        0xe0,
        0,
    )
    .show(|| format!("0x{:x}", ff >> 13));
    l.add_flag(
        "ip.flags.rb",
        "Reserved bit (evil bit)",
        ff,
        at(v4::FLAGS_FRAG),
        2,
        0x8000,
        1,
    );
    let df = l.add_flag(
        "ip.flags.df",
        "Don't fragment",
        ff,
        at(v4::FLAGS_FRAG),
        2,
        0x4000,
        1,
    );
    let mf = l.add_flag(
        "ip.flags.mf",
        "More fragments",
        ff,
        at(v4::FLAGS_FRAG),
        2,
        0x2000,
        1,
    );
    let _ = df;
    let frag_units = flags_frag & 0x1fff;
    let frag_bytes = usize::from(frag_units) * 8;
    l.add_bits(
        "ip.frag_offset",
        "Fragment offset",
        Value::UInt(frag_bytes as u64),
        at(v4::FLAGS_FRAG),
        2,
        0x1fff,
        0,
    )
    .show(|| format!("{frag_bytes} bytes ({frag_units} x 8)"));
    l.add(
        "ip.ttl",
        "Time to live",
        Value::UInt(u64::from(ttl)),
        at(v4::TTL),
        1,
    );
    l.add(
        "ip.proto",
        "Protocol",
        Value::UInt(u64::from(proto)),
        at(v4::PROTO),
        1,
    )
    .show(|| proto_display(proto));
    l.add(
        "ip.checksum",
        "Header checksum",
        Value::UInt(u64::from(checksum)),
        at(v4::CHECKSUM),
        2,
    )
    .show(|| format!("0x{checksum:04x}"));
    let header_ok = ihl >= v4::HEADER_LEN;
    let whole_header = if header_ok { slice(b, off, ihl) } else { None };
    if let Some(h) = whole_header {
        // The sum over a correct header, checksum included, folds to zero.
        let ok = fold_checksum(ones_complement_sum(0, h)) == 0;
        add_checksum_status(&mut l, "ip.checksum.status", ok, at(v4::CHECKSUM));
        if !ok {
            let mut sum = ones_complement_sum(0, h.get(..v4::CHECKSUM).unwrap_or(&[]));
            sum = ones_complement_sum(sum, h.get(v4::CHECKSUM + 2..).unwrap_or(&[]));
            l.add(
                "ip.checksum_calculated",
                "Calculated checksum",
                Value::UInt(u64::from(fold_checksum(sum))),
                at(v4::CHECKSUM),
                2,
            )
            .show(|| format!("0x{:04x}", fold_checksum(sum)));
        }
    }
    l.add("ip.src", "Source address", Value::Ipv4(src), at(v4::SRC), 4);
    l.add(
        "ip.dst",
        "Destination address",
        Value::Ipv4(dst),
        at(v4::DST),
        4,
    );

    if !header_ok {
        l.len = v4::HEADER_LEN;
        l.fail(
            at(v4::VER_IHL),
            format!("header length {ihl} bytes is below the 20-byte minimum"),
        );
        cx.push(l);
        return Next::Stop;
    }
    if whole_header.is_none() {
        l.len = b.len().saturating_sub(off);
        l.fail(
            at(v4::HEADER_LEN),
            format!("header length says {ihl} bytes; only {} captured", l.len),
        );
        cx.push(l);
        return Next::Stop;
    }
    l.len = ihl;
    let route_dst = decode_v4_options(&mut l, b, off + v4::HEADER_LEN, off + ihl);

    // A total length of 0 is what TCP segmentation offload leaves in captures from the sending
    // host; the frame's own end is the best guess for the datagram's end then.
    let claimed_end = if total == 0 {
        b.len()
    } else {
        off.saturating_add(total)
    };
    // Bytes past the frame's length on the wire were never sent, whatever the header claims
    // (Wireshark does the same with the reported length).
    let claimed_end = claimed_end.min(cx.orig_len.max(b.len()));
    if total != 0 && total < ihl {
        l.fail(
            at(v4::LEN),
            format!("total length {total} is shorter than the {ihl}-byte header"),
        );
        cx.push(l);
        return Next::Stop;
    }
    cx.push(l);
    cx.set_datagram_end(claimed_end);
    let payload = off + ihl;
    let ipc = IpContext {
        src: IpAddr::V4(src),
        dst: IpAddr::V4(route_dst.unwrap_or(dst)),
        end: claimed_end.min(b.len()),
        claimed_end,
        later_fragment: frag_units != 0,
        first_fragment: frag_units == 0 && mf,
    };
    if ipc.later_fragment {
        return fragment_data(cx, payload, ipc.end, frag_bytes);
    }
    Next::IpProto(proto, payload, ipc)
}

fn add_checksum_status(l: &mut Layer, name: &'static str, ok: bool, off: usize) {
    // Wireshark's checksum status values: 0 bad, 1 good, 2 unverified.
    l.add(
        name,
        "Checksum status",
        Value::UInt(if ok { 1 } else { 0 }),
        off,
        2,
    )
    .show(|| if ok { "Good" } else { "Bad" }.into());
}

/// A later fragment carries the middle or end of another datagram's payload, no header of its own.
fn fragment_data(cx: &mut Ctx<'_>, off: usize, end: usize, frag_bytes: usize) -> Next {
    super::titled_data_layer(cx, off, end, format!("Fragment data (offset {frag_bytes})"))
}

/// IPv4 option numbers (IANA "IP Option Numbers"; RFC 791, RFC 2113 for router alert).
fn v4_option_name(t: u8) -> &'static str {
    match t {
        0 => "End of options list",
        1 => "No operation",
        7 => "Record route",
        68 => "Timestamp",
        130 => "Security",
        131 => "Loose source route",
        133 => "Extended security",
        136 => "Stream identifier",
        137 => "Strict source route",
        148 => "Router alert",
        _ => "Unknown option",
    }
}

/// Decodes the options; returns the final destination named by an unfinished source route,
/// which (not the next hop in `ip.dst`) is what TCP and UDP checksums cover (RFC 9293 §3.1).
fn decode_v4_options(l: &mut Layer, b: &[u8], start: usize, end: usize) -> Option<Ipv4Addr> {
    let mut final_dst = None;
    let mut p = start;
    while p < end {
        let Some(t) = u8_at(b, p) else {
            return final_dst;
        };
        let name = v4_option_name(t);
        l.add("ip.opt.type", "Option", Value::UInt(u64::from(t)), p, 1)
            .show(|| format!("{t} ({name})"));
        if t == 0 {
            if p + 1 < end {
                l.add(
                    "ip.opt.padding",
                    "Padding",
                    Value::Bytes(b.get(p + 1..end).unwrap_or(&[]).to_vec()),
                    p + 1,
                    end - p - 1,
                );
            }
            return final_dst;
        }
        if t == 1 {
            p += 1;
            continue;
        }
        let Some(olen) = u8_at(b, p + 1).map(usize::from) else {
            l.fail(p + 1, format!("option {name} has no length byte"));
            return final_dst;
        };
        l.add_bits(
            "ip.opt.len",
            "Option length",
            Value::UInt(olen as u64),
            p + 1,
            1,
            0,
            1,
        );
        if olen < 2 || p + olen > end {
            l.fail(
                p + 1,
                format!(
                    "option {name} claims {olen} bytes; {} remain in the header",
                    end - p
                ),
            );
            return final_dst;
        }
        match t {
            // Route options: a pointer then a list of addresses (RFC 791 section 3.1).
            7 | 131 | 137 => {
                if let Some(ptr) = u8_at(b, p + 2) {
                    l.add_bits(
                        "ip.opt.ptr",
                        "Pointer",
                        Value::UInt(u64::from(ptr)),
                        p + 2,
                        1,
                        0,
                        1,
                    );
                }
                let fname = match t {
                    7 => "ip.rec_rt",
                    _ => "ip.src_rt",
                };
                let ptr = usize::from(u8_at(b, p + 2).unwrap_or(0));
                let mut a = p + 3;
                if t != 7 && ptr <= olen {
                    // Route not yet exhausted: the last address listed is where it ends up.
                    let last = p + 3 + (olen.saturating_sub(3) / 4).saturating_sub(1) * 4;
                    final_dst = array::<4>(b, last).map(Ipv4Addr::from).or(final_dst);
                }
                while a + 4 <= p + olen {
                    if let Some(x) = array::<4>(b, a) {
                        l.add_bits(
                            fname,
                            "Route address",
                            Value::Ipv4(Ipv4Addr::from(x)),
                            a,
                            4,
                            0,
                            1,
                        );
                    }
                    a += 4;
                }
            }
            68 => {
                if let Some(ptr) = u8_at(b, p + 2) {
                    l.add_bits(
                        "ip.opt.ptr",
                        "Pointer",
                        Value::UInt(u64::from(ptr)),
                        p + 2,
                        1,
                        0,
                        1,
                    );
                }
            }
            148 => {
                if let Some(v) = be16(b, p + 2) {
                    l.add_bits(
                        "ip.opt.ra",
                        "Router alert",
                        Value::UInt(u64::from(v)),
                        p + 2,
                        2,
                        0,
                        1,
                    );
                }
            }
            _ => {}
        }
        p += olen;
    }
    final_dst
}

/// Byte offsets inside the IPv6 header (RFC 8200 section 3).
mod v6 {
    pub const PLEN: usize = 4;
    pub const NXT: usize = 6;
    pub const HLIM: usize = 7;
    pub const SRC: usize = 8;
    pub const DST: usize = 24;
    pub const HEADER_LEN: usize = 40;
}

fn decode_ipv6(cx: &mut Ctx<'_>, off: usize) -> Next {
    let b = cx.frame;
    let mut l = Layer::new("ipv6", "Internet Protocol Version 6", off);
    let (Some(w0), Some(plen), Some(nxt), Some(hlim), Some(src), Some(dst)) = (
        be32(b, off),
        be16(b, off + v6::PLEN),
        u8_at(b, off + v6::NXT),
        u8_at(b, off + v6::HLIM),
        array::<16>(b, off + v6::SRC),
        array::<16>(b, off + v6::DST),
    ) else {
        l.len = b.len().saturating_sub(off);
        l.add_bits("ipv6.version", "Version", Value::UInt(6), off, 1, 0xf0, 0);
        l.fail(
            off,
            format!("IPv6 header needs 40 bytes; only {} captured", l.len),
        );
        cx.push(l);
        return Next::Stop;
    };
    let w = u64::from(w0);
    l.add_bits("ipv6.version", "Version", Value::UInt(6), off, 1, 0xf0, 0);
    l.add_bits(
        "ipv6.tclass",
        "Traffic class",
        Value::UInt((w >> 20) & 0xff),
        off,
        4,
        0x0ff0_0000,
        0,
    );
    l.add_bits(
        "ipv6.tclass.dscp",
        "DSCP",
        Value::UInt((w >> 22) & 0x3f),
        off,
        4,
        0x0fc0_0000,
        1,
    );
    l.add_bits(
        "ipv6.tclass.ecn",
        "ECN",
        Value::UInt((w >> 20) & 0x3),
        off,
        4,
        0x0030_0000,
        1,
    );
    l.add_bits(
        "ipv6.flow",
        "Flow label",
        Value::UInt(w & 0xfffff),
        off + 1,
        3,
        0x0f_ffff,
        0,
    )
    .show(|| format!("0x{:05x}", w & 0xfffff));
    l.add(
        "ipv6.plen",
        "Payload length",
        Value::UInt(u64::from(plen)),
        off + v6::PLEN,
        2,
    );
    l.add(
        "ipv6.nxt",
        "Next header",
        Value::UInt(u64::from(nxt)),
        off + v6::NXT,
        1,
    )
    .show(|| proto_display(nxt));
    l.add(
        "ipv6.hlim",
        "Hop limit",
        Value::UInt(u64::from(hlim)),
        off + v6::HLIM,
        1,
    );
    let src = Ipv6Addr::from(src);
    let dst = Ipv6Addr::from(dst);
    l.add(
        "ipv6.src",
        "Source address",
        Value::Ipv6(src),
        off + v6::SRC,
        16,
    );
    l.add(
        "ipv6.dst",
        "Destination address",
        Value::Ipv6(dst),
        off + v6::DST,
        16,
    );
    l.len = v6::HEADER_LEN;

    let start = off + v6::HEADER_LEN;
    // Payload length 0 means a jumbogram (RFC 2675) or offload: the frame's end then.
    let claimed_end = if plen == 0 {
        b.len()
    } else {
        start.saturating_add(usize::from(plen))
    };
    // Bytes past the frame's length on the wire were never sent, whatever the header claims
    // (Wireshark does the same with the reported length).
    let claimed_end = claimed_end.min(cx.orig_len.max(b.len()));
    let end = claimed_end.min(b.len());
    let mut ipc = IpContext {
        src: IpAddr::V6(src),
        dst: IpAddr::V6(dst),
        end,
        claimed_end,
        later_fragment: false,
        first_fragment: false,
    };
    let (proto, payload) = decode_v6_extensions(&mut l, b, nxt, start, &mut ipc);
    l.len = payload.saturating_sub(off);
    cx.push(l);
    cx.set_datagram_end(claimed_end);
    match proto {
        Some(p) if !ipc.later_fragment => Next::IpProto(p, payload, ipc),
        Some(_) => fragment_data(cx, payload, end, 0),
        None => Next::Stop,
    }
}

/// Walks the extension-header chain; returns the upper-layer protocol and where it starts,
/// or `None` when the chain ends (no next header, ESP, or a cut/invalid header).
fn decode_v6_extensions(
    l: &mut Layer,
    b: &[u8],
    first: u8,
    start: usize,
    ipc: &mut IpContext,
) -> (Option<u8>, usize) {
    let mut nxt = first;
    let mut p = start;
    // Bounded: each header is at least 8 bytes, and there are never many in real traffic.
    for _ in 0..16 {
        let (prefix, title): (&'static str, &'static str) = match nxt {
            0 => ("ipv6.hopopts", "Hop-by-hop options"),
            43 => ("ipv6.routing", "Routing header"),
            44 => ("ipv6.fraghdr", "Fragment header"),
            60 => ("ipv6.dstopts", "Destination options"),
            51 => ("ah", "Authentication header"),
            50 => {
                // The SPI is shown only when all four of its bytes were captured.
                if let Some(spi) = be32(b, p) {
                    l.add(
                        "esp.spi",
                        "ESP SPI (payload encrypted)",
                        Value::UInt(u64::from(spi)),
                        p,
                        4,
                    );
                }
                return (None, p);
            }
            59 => return (None, p),
            other => return (Some(other), p),
        };
        let (Some(next), Some(len_byte)) = (u8_at(b, p), u8_at(b, p + 1)) else {
            l.fail(p, format!("{title} is cut off by the end of the capture"));
            return (None, p);
        };
        let hlen = match nxt {
            44 => 8,
            51 => (usize::from(len_byte) + 2) * 4,
            _ => (usize::from(len_byte) + 1) * 8,
        };
        if p + hlen > b.len() {
            l.fail(
                p,
                format!(
                    "{title} claims {hlen} bytes; only {} captured",
                    b.len().saturating_sub(p)
                ),
            );
            return (None, p);
        }
        let (nxt_name, len_name): (&'static str, &'static str) = match nxt {
            0 => ("ipv6.hopopts.nxt", "ipv6.hopopts.len"),
            43 => ("ipv6.routing.nxt", "ipv6.routing.len"),
            44 => ("ipv6.fraghdr.nxt", "ipv6.fraghdr.reserved_octet"),
            60 => ("ipv6.dstopts.nxt", "ipv6.dstopts.len"),
            _ => ("ah.next_header", "ah.length"),
        };
        l.add(prefix, title, Value::None, p, hlen);
        l.add_bits(
            nxt_name,
            "Next header",
            Value::UInt(u64::from(next)),
            p,
            1,
            0,
            1,
        )
        .show(|| proto_display(next));
        l.add_bits(
            len_name,
            "Length",
            Value::UInt(u64::from(len_byte)),
            p + 1,
            1,
            0,
            1,
        );
        match nxt {
            43 => {
                if let (Some(t), Some(left)) = (u8_at(b, p + 2), u8_at(b, p + 3)) {
                    l.add_bits(
                        "ipv6.routing.type",
                        "Routing type",
                        Value::UInt(u64::from(t)),
                        p + 2,
                        1,
                        0,
                        1,
                    );
                    l.add_bits(
                        "ipv6.routing.segleft",
                        "Segments left",
                        Value::UInt(u64::from(left)),
                        p + 3,
                        1,
                        0,
                        1,
                    );
                    // Upper-layer checksums cover the final destination, not the next hop
                    // (RFC 8200 section 8.1): the last address of a type 0 header, the home
                    // address of type 2, the first segment (the last to visit) of type 4.
                    let final_at = match t {
                        0 | 2 => Some(p + hlen - 16),
                        4 => Some(p + 8),
                        _ => None,
                    };
                    if let Some(a) = final_at
                        .filter(|_| left > 0)
                        .and_then(|a| array::<16>(b, a))
                    {
                        ipc.dst = IpAddr::V6(Ipv6Addr::from(a));
                    }
                }
            }
            44 => {
                if let (Some(fo), Some(id)) = (be16(b, p + 2), be32(b, p + 4)) {
                    let off_bytes = u64::from(fo >> 3) * 8;
                    let more = fo & 1 != 0;
                    l.add_bits(
                        "ipv6.fraghdr.offset",
                        "Fragment offset",
                        Value::UInt(off_bytes),
                        p + 2,
                        2,
                        0xfff8,
                        1,
                    );
                    l.add_bits(
                        "ipv6.fraghdr.more",
                        "More fragments",
                        Value::Bool(more),
                        p + 2,
                        2,
                        0x0001,
                        1,
                    );
                    l.add_bits(
                        "ipv6.fraghdr.ident",
                        "Identification",
                        Value::UInt(u64::from(id)),
                        p + 4,
                        4,
                        0,
                        1,
                    );
                    ipc.later_fragment = off_bytes != 0;
                    ipc.first_fragment = off_bytes == 0 && more;
                }
            }
            51 => {
                if let (Some(spi), Some(seq)) = (be32(b, p + 4), be32(b, p + 8)) {
                    l.add_bits(
                        "ah.spi",
                        "AH SPI",
                        Value::UInt(u64::from(spi)),
                        p + 4,
                        4,
                        0,
                        1,
                    );
                    l.add_bits(
                        "ah.sequence",
                        "AH sequence",
                        Value::UInt(u64::from(seq)),
                        p + 8,
                        4,
                        0,
                        1,
                    );
                }
            }
            _ => {}
        }
        nxt = next;
        p += hlen;
    }
    l.fail(
        p,
        "more than 16 IPv6 extension headers; the rest is not decoded",
    );
    (None, p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, linktype};

    /// IPv4 header (20 bytes) for a UDP datagram of `payload` bytes, checksum filled in.
    pub(crate) fn ipv4_udp(payload: usize) -> Vec<u8> {
        let total = (20 + 8 + payload) as u16;
        let mut f = vec![
            0x45,
            0x00, // version 4, ihl 5; tos 0
            (total >> 8) as u8,
            total as u8, // ip.len
            0x12,
            0x34,
            0x40,
            0x00, // ip.id 0x1234; flags DF, offset 0
            64,
            17,
            0,
            0, // ttl 64, proto UDP, checksum (filled below)
            10,
            0,
            0,
            1, // ip.src
            10,
            0,
            0,
            2, // ip.dst
        ];
        let ck = fold_checksum(ones_complement_sum(0, &f));
        f[10] = (ck >> 8) as u8;
        f[11] = ck as u8;
        f.extend_from_slice(&[0x04, 0xd2, 0x00, 0x35, 0, (8 + payload) as u8, 0, 0]);
        f.resize(28 + payload, 0x61);
        f
    }

    #[test]
    fn ipv4_fields_and_checksum() {
        let f = ipv4_udp(4);
        let d = decode(&f, linktype::RAW);
        let ip = d.layer("ip").expect("ip");
        assert_eq!(ip.error, None);
        assert_eq!(ip.u64("ip.hdr_len"), Some(20));
        assert_eq!(ip.u64("ip.len"), Some(32));
        assert_eq!(ip.get("ip.flags.df"), Some(&Value::Bool(true)));
        assert_eq!(ip.u64("ip.checksum.status"), Some(1));
        let src = ip.field("ip.src").expect("src");
        assert_eq!((src.offset, src.len), (12, 4));
        assert_eq!(src.value, Value::Ipv4(Ipv4Addr::new(10, 0, 0, 1)));
    }

    #[test]
    fn bad_ipv4_checksum_is_reported_with_the_right_value() {
        let mut f = ipv4_udp(0);
        let good = u64::from(u16::from_be_bytes([f[10], f[11]]));
        f[10] ^= 0xff;
        let d = decode(&f, linktype::RAW);
        assert_eq!(d.u64("ip.checksum.status"), Some(0));
        assert_eq!(d.u64("ip.checksum_calculated"), Some(good));
    }

    #[test]
    fn options_record_route_and_router_alert() {
        let mut f = vec![
            0x48, 0, 0, 32, 0, 1, 0, 0, 1, 2, 0, 0, 1, 1, 1, 1, 2, 2, 2,
            2, // ihl 8 (32 bytes), IGMP
            0x94, 0x04, 0x00, 0x00, // router alert, len 4, value 0
            0x07, 0x07, 0x04, 9, 9, 9, 9,    // record route, len 7, ptr 4, one address
            0x00, // end of options
        ];
        let ck = fold_checksum(ones_complement_sum(0, &f));
        f[10] = (ck >> 8) as u8;
        f[11] = ck as u8;
        let d = decode(&f, linktype::RAW);
        let types: Vec<_> = d
            .all("ip.opt.type")
            .filter_map(|f| f.value.as_u64())
            .collect();
        assert_eq!(types, vec![148, 7, 0]);
        let rr = d.field("ip.rec_rt").expect("recorded address");
        assert_eq!(
            (rr.value.clone(), rr.offset),
            (Value::Ipv4(Ipv4Addr::new(9, 9, 9, 9)), 27)
        );
        assert_eq!(d.u64("ip.opt.ra"), Some(0));
    }

    #[test]
    fn every_truncation_of_the_header_is_an_ip_error() {
        let f = ipv4_udp(0);
        for n in 1..20 {
            let d = decode(f.get(..n).unwrap_or(&[]), linktype::RAW);
            let (l, _) = d.error().expect("cut header");
            assert_eq!(l.proto, "ip", "cut at {n}");
        }
    }

    #[test]
    fn later_fragment_is_data_not_transport() {
        let mut f = ipv4_udp(8);
        f[6] = 0x00;
        f[7] = 0x03; // offset 3 x 8 = 24 bytes, MF clear
        let d = decode(&f, linktype::RAW);
        assert_eq!(d.u64("ip.frag_offset"), Some(24));
        assert!(d.layer("udp").is_none());
        assert_eq!(d.layers.last().map(|l| l.proto), Some("data"));
    }

    #[test]
    fn ipv6_with_fragment_header() {
        let mut f = vec![0x60, 0, 0, 0, 0, 16, 44, 64];
        f.extend_from_slice(
            &[0x20, 0x01, 0x0d, 0xb8]
                .iter()
                .chain(&[0u8; 11])
                .chain(&[1u8])
                .copied()
                .collect::<Vec<_>>(),
        );
        f.extend_from_slice(
            &[0x20, 0x01, 0x0d, 0xb8]
                .iter()
                .chain(&[0u8; 11])
                .chain(&[2u8])
                .copied()
                .collect::<Vec<_>>(),
        );
        f.extend_from_slice(&[17, 0, 0x00, 0x01, 0, 0, 0, 7]); // frag: next UDP, offset 0, M=1, id 7
        f.extend_from_slice(&[0, 53, 0, 53, 0, 8, 0, 0]); // UDP header
        let d = decode(&f, linktype::RAW);
        assert_eq!(d.u64("ipv6.nxt"), Some(44));
        assert_eq!(d.u64("ipv6.fraghdr.ident"), Some(7));
        assert_eq!(d.get("ipv6.fraghdr.more"), Some(&Value::Bool(true)));
        assert_eq!(
            d.get("ipv6.src").map(|v| v.to_string()),
            Some("2001:db8::1".into())
        );
    }
}
