//! BOOTP (RFC 951) and DHCP (RFC 2131) messages: the fixed header, the magic cookie and the
//! options (RFC 2132) that explain an address assignment.
//!
//! Owns the `dhcp` layer, named as Wireshark 4.x names it. It must never read an option past the
//! payload nor loop more than once per byte; a message without the cookie is plain BOOTP.

use super::{bounded, lossy, named};
use crate::decode::bytes::{array, be16, be32, slice, u8_at};
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;
use std::net::Ipv4Addr;

/// Byte offsets of the fixed header (RFC 2131 section 2, figure 1), relative to its start.
mod field {
    pub const OP: usize = 0;
    pub const HTYPE: usize = 1;
    pub const HLEN: usize = 2;
    pub const HOPS: usize = 3;
    pub const XID: usize = 4;
    pub const SECS: usize = 8;
    pub const FLAGS: usize = 10;
    pub const CIADDR: usize = 12;
    pub const YIADDR: usize = 16;
    pub const SIADDR: usize = 20;
    pub const GIADDR: usize = 24;
    pub const CHADDR: usize = 28;
    pub const CHADDR_LEN: usize = 16;
    pub const SNAME: usize = 44;
    pub const SNAME_LEN: usize = 64;
    pub const FILE: usize = 108;
    pub const FILE_LEN: usize = 128;
    pub const HEADER_LEN: usize = 236;
    pub const COOKIE: [u8; 4] = [99, 130, 83, 99];
}

/// DHCP message types, option 53 (IANA "BOOTP Vendor Extensions and DHCP Options", message type
/// values; RFC 2132, 3203, 4388, 6926, 7724).
fn message_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "Discover",
        2 => "Offer",
        3 => "Request",
        4 => "Decline",
        5 => "ACK",
        6 => "NAK",
        7 => "Release",
        8 => "Inform",
        9 => "Force Renew",
        10 => "Lease query",
        11 => "Lease Unassigned",
        12 => "Lease Unknown",
        13 => "Lease Active",
        14 => "Bulk Lease Query",
        15 => "Lease Query Done",
        16 => "Active LeaseQuery",
        17 => "Lease Query Status",
        18 => "TLS",
        _ => return None,
    })
}

/// Option names (IANA "BOOTP Vendor Extensions and DHCP Options"; RFC 2132 and later), the ones
/// commonly seen; the rest are shown by number.
fn option_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "Padding",
        1 => "Subnet Mask",
        2 => "Time Offset",
        3 => "Router",
        4 => "Time Server",
        6 => "Domain Name Server",
        12 => "Host Name",
        15 => "Domain Name",
        26 => "Interface MTU",
        28 => "Broadcast Address",
        31 => "Perform Router Discover",
        33 => "Static Route",
        42 => "Network Time Protocol Servers",
        43 => "Vendor-Specific Information",
        44 => "NetBIOS over TCP/IP Name Server",
        46 => "NetBIOS over TCP/IP Node Type",
        47 => "NetBIOS over TCP/IP Scope",
        50 => "Requested IP Address",
        51 => "IP Address Lease Time",
        52 => "Option Overload",
        53 => "DHCP Message Type",
        54 => "DHCP Server Identifier",
        55 => "Parameter Request List",
        56 => "Message",
        57 => "Maximum DHCP Message Size",
        58 => "Renewal Time Value",
        59 => "Rebinding Time Value",
        60 => "Vendor class identifier",
        61 => "Client identifier",
        66 => "TFTP Server Name",
        67 => "Bootfile name",
        81 => "Client Fully Qualified Domain Name",
        82 => "Agent Information Option",
        108 => "IPv6-Only Preferred",
        116 => "DHCP Auto-Configuration",
        119 => "Domain Search",
        121 => "Classless Static Route",
        145 => "Forcerenew Nonce Capable",
        249 => "Private/Classless Static Route (Microsoft)",
        252 => "Private/Proxy autodiscovery",
        255 => "End",
        _ => return None,
    })
}

/// Hardware types (IANA "Address Resolution Protocol (ARP) Parameters", Hardware Types).
fn hw_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "Ethernet",
        6 => "IEEE 802",
        7 => "ARCNET",
        15 => "Frame Relay",
        16 => "ATM",
        20 => "Serial Line",
        32 => "InfiniBand",
        _ => return None,
    })
}

/// Readable duration for lease times, as Wireshark shows them.
fn duration(s: u32) -> String {
    if s == u32::MAX {
        return "infinity".to_string();
    }
    let (d, h, m, sec) = (s / 86400, (s / 3600) % 24, (s / 60) % 60, s % 60);
    let mut parts = Vec::new();
    for (n, unit) in [(d, "day"), (h, "hour"), (m, "minute"), (sec, "second")] {
        if n > 0 {
            parts.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        "0 seconds".to_string()
    } else {
        format!("{s} ({})", parts.join(", "))
    }
}

/// Text of a NUL-padded fixed field: up to the first NUL.
fn until_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(n) => b.get(..n).unwrap_or(b),
        None => b,
    }
}

fn ip_at(b: &[u8], off: usize) -> Option<Ipv4Addr> {
    array::<4>(b, off).map(Ipv4Addr::from)
}

pub fn decode(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    let b = bounded(cx, end);
    let mut l = Layer::new("dhcp", "Dynamic Host Configuration Protocol", offset);
    l.len = end.saturating_sub(offset);
    decode_message(&mut l, b, offset);
    cx.push(l);
    Next::Stop
}

fn decode_message(l: &mut Layer, b: &[u8], start: usize) -> Option<()> {
    let at = |rel: usize| start.saturating_add(rel);
    let need = |l: &mut Layer, rel: usize, n: usize| -> Option<()> {
        if at(rel).saturating_add(n) > b.len() {
            l.fail(
                at(rel),
                format!(
                    "BOOTP header cut off at offset {} (the fixed header is {} bytes; {} captured)",
                    at(rel),
                    field::HEADER_LEN,
                    b.len().saturating_sub(start)
                ),
            );
            return None;
        }
        Some(())
    };
    need(l, field::OP, 1)?;
    let op = u8_at(b, at(field::OP))?;
    l.add(
        "dhcp.type",
        "Message type",
        Value::UInt(u64::from(op)),
        at(field::OP),
        1,
    )
    .show(|| match op {
        1 => "Boot Request (1)".to_string(),
        2 => "Boot Reply (2)".to_string(),
        n => format!("Unknown ({n})"),
    });
    need(l, field::HTYPE, 1)?;
    let htype = u8_at(b, at(field::HTYPE))?;
    l.add(
        "dhcp.hw.type",
        "Hardware type",
        Value::UInt(u64::from(htype)),
        at(field::HTYPE),
        1,
    )
    .show(|| named(hw_type_name(htype), u64::from(htype)));
    need(l, field::HLEN, 1)?;
    let hlen = u8_at(b, at(field::HLEN))?;
    l.add(
        "dhcp.hw.len",
        "Hardware address length",
        Value::UInt(u64::from(hlen)),
        at(field::HLEN),
        1,
    );
    need(l, field::HOPS, 1)?;
    l.add(
        "dhcp.hops",
        "Hops",
        Value::UInt(u64::from(u8_at(b, at(field::HOPS))?)),
        at(field::HOPS),
        1,
    );
    need(l, field::XID, 4)?;
    let xid = be32(b, at(field::XID))?;
    l.add(
        "dhcp.id",
        "Transaction ID",
        Value::UInt(u64::from(xid)),
        at(field::XID),
        4,
    )
    .show(|| format!("0x{xid:08x}"));
    need(l, field::SECS, 2)?;
    l.add(
        "dhcp.secs",
        "Seconds elapsed",
        Value::UInt(u64::from(be16(b, at(field::SECS))?)),
        at(field::SECS),
        2,
    );
    need(l, field::FLAGS, 2)?;
    let flags = be16(b, at(field::FLAGS))?;
    l.add(
        "dhcp.flags",
        "Bootp flags",
        Value::UInt(u64::from(flags)),
        at(field::FLAGS),
        2,
    )
    .show(|| {
        format!(
            "0x{flags:04x} ({})",
            if flags & 0x8000 != 0 {
                "Broadcast"
            } else {
                "Unicast"
            }
        )
    });
    l.add_flag(
        "dhcp.flags.bc",
        "Broadcast flag",
        u64::from(flags),
        at(field::FLAGS),
        2,
        0x8000,
        1,
    );
    l.add_bits(
        "dhcp.flags.reserved",
        "Reserved flags",
        Value::UInt(u64::from(flags & 0x7fff)),
        at(field::FLAGS),
        2,
        0x7fff,
        1,
    );
    for (rel, name, label) in [
        (field::CIADDR, "dhcp.ip.client", "Client IP address"),
        (field::YIADDR, "dhcp.ip.your", "Your (client) IP address"),
        (field::SIADDR, "dhcp.ip.server", "Next server IP address"),
        (field::GIADDR, "dhcp.ip.relay", "Relay agent IP address"),
    ] {
        need(l, rel, 4)?;
        l.add(name, label, Value::Ipv4(ip_at(b, at(rel))?), at(rel), 4);
    }
    need(l, field::CHADDR, field::CHADDR_LEN)?;
    let ch = at(field::CHADDR);
    if htype == 1 && hlen == 6 {
        l.add(
            "dhcp.hw.mac_addr",
            "Client MAC address",
            Value::Mac(array::<6>(b, ch)?),
            ch,
            6,
        );
        let pad = slice(b, ch.saturating_add(6), 10)?;
        if pad.iter().any(|&c| c != 0) {
            l.add(
                "dhcp.hw.addr_padding",
                "Client hardware address padding",
                Value::Bytes(pad.to_vec()),
                ch.saturating_add(6),
                10,
            );
        }
    } else {
        // A length over 16 cannot fit the field; show what the field holds.
        let n = usize::from(hlen).min(field::CHADDR_LEN);
        if n > 0 {
            l.add(
                "dhcp.hw.addr",
                "Client hardware address",
                Value::Bytes(slice(b, ch, n)?.to_vec()),
                ch,
                n,
            );
        }
    }
    need(l, field::SNAME, field::SNAME_LEN)?;
    let sname = until_nul(slice(b, at(field::SNAME), field::SNAME_LEN)?);
    l.add(
        "dhcp.server",
        "Server host name",
        Value::Str(lossy(sname)),
        at(field::SNAME),
        field::SNAME_LEN,
    )
    .show_if(sname.is_empty(), || "not given".into());
    need(l, field::FILE, field::FILE_LEN)?;
    let file = until_nul(slice(b, at(field::FILE), field::FILE_LEN)?);
    l.add(
        "dhcp.file",
        "Boot file name",
        Value::Str(lossy(file)),
        at(field::FILE),
        field::FILE_LEN,
    )
    .show_if(file.is_empty(), || "not given".into());
    let cookie_at = at(field::HEADER_LEN);
    let tail = crate::decode::bytes::rest(b, cookie_at);
    if tail.is_empty() {
        l.fail(
            cookie_at,
            format!("message ends at offset {cookie_at}, before the vendor area"),
        );
        return None;
    }
    if tail.len() < 4 && field::COOKIE.starts_with(tail) {
        l.fail(
            cookie_at,
            format!("magic cookie cut off at offset {cookie_at}"),
        );
        return None;
    }
    if array::<4>(b, cookie_at) != Some(field::COOKIE) {
        // RFC 951 BOOTP: the 64-byte vendor area has no defined structure without the cookie.
        l.title = "Bootstrap Protocol".into();
        return Some(());
    }
    l.add(
        "dhcp.cookie",
        "Magic cookie",
        Value::Ipv4(Ipv4Addr::from(field::COOKIE)),
        cookie_at,
        4,
    )
    .show(|| "DHCP".into());
    options(l, b, cookie_at.saturating_add(4))
}

fn options(l: &mut Layer, b: &[u8], mut p: usize) -> Option<()> {
    loop {
        let Some(code) = u8_at(b, p) else {
            l.fail(
                p,
                format!("options stop at offset {p} without an End option"),
            );
            return None;
        };
        let type_field = |l: &mut Layer, p: usize, n: usize| {
            l.add(
                "dhcp.option.type",
                "Option",
                Value::UInt(u64::from(code)),
                p,
                n,
            )
            .show(|| format!("({code}) {}", option_name(code).unwrap_or("Unknown")));
        };
        match code {
            0 => {
                // Runs of padding are shown as one field, as Wireshark does.
                let run = crate::decode::bytes::rest(b, p)
                    .iter()
                    .take_while(|&&c| c == 0)
                    .count();
                type_field(l, p, 1);
                if run > 1 {
                    l.add(
                        "dhcp.option.padding",
                        "Padding",
                        Value::UInt(run as u64),
                        p,
                        run,
                    );
                }
                p = p.saturating_add(run.max(1));
                continue;
            }
            255 => {
                type_field(l, p, 1);
                l.add("dhcp.option.end", "Option End", Value::UInt(255), p, 1);
                return Some(());
            }
            _ => {}
        }
        let Some(len) = u8_at(b, p.saturating_add(1)) else {
            type_field(l, p, 1);
            l.fail(
                p,
                format!("option {code} at offset {p} cut off before its length"),
            );
            return None;
        };
        let v = p.saturating_add(2);
        let n = usize::from(len);
        let Some(val) = slice(b, v, n) else {
            type_field(l, p, 1);
            l.fail(
                p,
                format!(
                    "option {code} at offset {p} claims {n} bytes; only {} remain",
                    b.len().saturating_sub(v)
                ),
            );
            return None;
        };
        type_field(l, p, n.saturating_add(2));
        l.add(
            "dhcp.option.length",
            "Length",
            Value::UInt(u64::from(len)),
            p.saturating_add(1),
            1,
        );
        option_value(l, code, val, v);
        p = v.saturating_add(n);
    }
}

fn option_value(l: &mut Layer, code: u8, val: &[u8], v: usize) {
    let one_ip = |l: &mut Layer, name: &'static str, label: &'static str| {
        if let Some(a) = ip_at(val, 0).filter(|_| val.len() == 4) {
            l.add(name, label, Value::Ipv4(a), v, 4);
        } else {
            l.add(
                "dhcp.option.value",
                "Value",
                Value::Bytes(val.to_vec()),
                v,
                val.len(),
            );
        }
    };
    let ip_list = |l: &mut Layer, name: &'static str, label: &'static str| {
        for (i, c) in val.chunks_exact(4).enumerate() {
            if let Some(a) = ip_at(c, 0) {
                l.add(name, label, Value::Ipv4(a), v.saturating_add(4 * i), 4);
            }
        }
    };
    let text = |l: &mut Layer, name: &'static str, label: &'static str| {
        l.add(name, label, Value::Str(lossy(until_nul(val))), v, val.len());
    };
    match code {
        1 => one_ip(l, "dhcp.option.subnet_mask", "Subnet Mask"),
        3 => ip_list(l, "dhcp.option.router", "Router"),
        6 => ip_list(l, "dhcp.option.domain_name_server", "Domain Name Server"),
        12 => text(l, "dhcp.option.hostname", "Host Name"),
        15 => text(l, "dhcp.option.domain_name", "Domain Name"),
        50 => one_ip(
            l,
            "dhcp.option.requested_ip_address",
            "Requested IP Address",
        ),
        54 => one_ip(l, "dhcp.option.dhcp_server_id", "DHCP Server Identifier"),
        56 => text(l, "dhcp.option.message", "Message"),
        60 => text(l, "dhcp.option.vendor_class_id", "Vendor class identifier"),
        51 if val.len() == 4 => {
            if let Some(s) = be32(val, 0) {
                l.add(
                    "dhcp.option.ip_address_lease_time",
                    "IP Address Lease Time",
                    Value::UInt(u64::from(s)),
                    v,
                    4,
                )
                .show(|| duration(s));
            }
        }
        53 if val.len() == 1 => {
            if let Some(t) = u8_at(val, 0) {
                l.add("dhcp.option.dhcp", "DHCP", Value::UInt(u64::from(t)), v, 1)
                    .show(|| named(message_type_name(t), u64::from(t)));
                if let Some(name) = message_type_name(t) {
                    l.title = format!("Dynamic Host Configuration Protocol ({name})").into();
                }
            }
        }
        55 => {
            for (i, &item) in val.iter().enumerate() {
                l.add(
                    "dhcp.option.request_list_item",
                    "Parameter Request List Item",
                    Value::UInt(u64::from(item)),
                    v.saturating_add(i),
                    1,
                )
                .show(|| format!("({item}) {}", option_name(item).unwrap_or("Unknown")));
            }
        }
        _ => {
            if !val.is_empty() {
                l.add(
                    "dhcp.option.value",
                    "Value",
                    Value::Bytes(val.to_vec()),
                    v,
                    val.len(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::app::testutil::{check, every_prefix_fails, ranges_inside, run};

    const PAD: usize = 2;

    /// A DHCPREQUEST from 00:11:22:33:44:55 asking for 192.168.1.20.
    fn request() -> Vec<u8> {
        let mut f = vec![0xaa; PAD];
        f.extend_from_slice(&[
            1, // 2: op BOOTREQUEST
            1, // 3: htype Ethernet
            6, // 4: hlen
            0, // 5: hops
            0xde, 0xad, 0xbe, 0xef, // 6: xid
            0, 3, // 10: secs 3
            0x80, 0x00, // 12: flags: broadcast
            0, 0, 0, 0, // 14: ciaddr
            0, 0, 0, 0, // 18: yiaddr
            0, 0, 0, 0, // 22: siaddr
            0, 0, 0, 0, // 26: giaddr
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // 30: chaddr
        ]);
        f.extend_from_slice(&[0; 10]); // 36: chaddr padding
        f.extend_from_slice(&[0; 64]); // 46: sname
        let mut file = [0u8; 128]; // 110: file "pxelinux.0"
        file[..10].copy_from_slice(b"pxelinux.0");
        f.extend_from_slice(&file);
        f.extend_from_slice(&[
            99, 130, 83, 99, // 238: magic cookie
            53, 1, 3, // 242: DHCP message type Request
            50, 4, 192, 168, 1, 20, // 245: requested address
            54, 4, 192, 168, 1, 1, // 251: server identifier
            12, 4, b'h', b'o', b's', b't', // 257: hostname
            55, 3, 1, 3, 6, // 263: parameter request list
            51, 4, 0, 1, 0x51, 0x80, // 268: lease time 86400
            0, 0,   // 274: padding
            255, // 276: end
        ]);
        f
    }

    fn ack_options() -> Vec<u8> {
        let mut f = request();
        f.truncate(PAD + 240);
        f.extend_from_slice(&[
            53, 1, 5, // 242: ACK
            1, 4, 255, 255, 255, 0, // 245: subnet mask
            3, 4, 192, 168, 1, 1, // 251: router
            6, 8, 8, 8, 8, 8, 1, 1, 1, 1,   // 257: two DNS servers
            255, // 267: end
        ]);
        f
    }

    #[test]
    fn decodes_a_request() {
        let f = request();
        let layers = run(&f, PAD, decode);
        ranges_inside(&layers, f.len());
        let l = &layers[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        assert_eq!(l.title, "Dynamic Host Configuration Protocol (Request)");
        check(l, "dhcp.type", Value::UInt(1), 2, 1);
        check(l, "dhcp.hw.type", Value::UInt(1), 3, 1);
        check(l, "dhcp.hw.len", Value::UInt(6), 4, 1);
        check(l, "dhcp.hops", Value::UInt(0), 5, 1);
        check(l, "dhcp.id", Value::UInt(0xdeadbeef), 6, 4);
        check(l, "dhcp.secs", Value::UInt(3), 10, 2);
        check(l, "dhcp.flags.bc", Value::Bool(true), 12, 2);
        check(
            l,
            "dhcp.ip.client",
            Value::Ipv4(Ipv4Addr::UNSPECIFIED),
            14,
            4,
        );
        check(
            l,
            "dhcp.ip.relay",
            Value::Ipv4(Ipv4Addr::UNSPECIFIED),
            26,
            4,
        );
        check(
            l,
            "dhcp.hw.mac_addr",
            Value::Mac([0, 0x11, 0x22, 0x33, 0x44, 0x55]),
            30,
            6,
        );
        check(l, "dhcp.server", Value::Str(String::new()), 46, 64);
        check(l, "dhcp.file", Value::Str("pxelinux.0".into()), 110, 128);
        check(
            l,
            "dhcp.cookie",
            Value::Ipv4(Ipv4Addr::new(99, 130, 83, 99)),
            238,
            4,
        );
        check(l, "dhcp.option.type", Value::UInt(53), 242, 3);
        check(l, "dhcp.option.dhcp", Value::UInt(3), 244, 1);
        assert_eq!(
            l.field("dhcp.option.dhcp").and_then(|f| f.display.clone()),
            Some("Request (3)".into())
        );
        check(
            l,
            "dhcp.option.requested_ip_address",
            Value::Ipv4(Ipv4Addr::new(192, 168, 1, 20)),
            247,
            4,
        );
        check(
            l,
            "dhcp.option.dhcp_server_id",
            Value::Ipv4(Ipv4Addr::new(192, 168, 1, 1)),
            253,
            4,
        );
        check(l, "dhcp.option.hostname", Value::Str("host".into()), 259, 4);
        check(l, "dhcp.option.request_list_item", Value::UInt(1), 265, 1);
        check(
            l,
            "dhcp.option.ip_address_lease_time",
            Value::UInt(86400),
            270,
            4,
        );
        check(l, "dhcp.option.padding", Value::UInt(2), 274, 2);
        check(l, "dhcp.option.end", Value::UInt(255), 276, 1);
    }

    #[test]
    fn decodes_ack_address_lists() {
        let f = ack_options();
        let l = &run(&f, PAD, decode)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "dhcp.option.dhcp", Value::UInt(5), 244, 1);
        check(
            l,
            "dhcp.option.subnet_mask",
            Value::Ipv4(Ipv4Addr::new(255, 255, 255, 0)),
            247,
            4,
        );
        check(
            l,
            "dhcp.option.router",
            Value::Ipv4(Ipv4Addr::new(192, 168, 1, 1)),
            253,
            4,
        );
        let dns: Vec<(String, usize)> = l
            .fields
            .iter()
            .filter(|f| f.name == "dhcp.option.domain_name_server")
            .map(|f| (f.shown(), f.offset))
            .collect();
        assert_eq!(
            dns,
            [("8.8.8.8".to_string(), 259), ("1.1.1.1".to_string(), 263)]
        );
    }

    #[test]
    fn every_truncation_is_reported() {
        every_prefix_fails(&request(), PAD, "dhcp", decode);
        every_prefix_fails(&ack_options(), PAD, "dhcp", decode);
    }

    #[test]
    fn bootp_without_cookie() {
        let mut f = request();
        f.truncate(PAD + 236);
        f.extend_from_slice(&[0x11; 64]); // RFC 951 vendor area with no cookie
        let l = &run(&f, PAD, decode)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        assert_eq!(l.title, "Bootstrap Protocol");
        assert!(l.field("dhcp.cookie").is_none());
        check(l, "dhcp.file", Value::Str("pxelinux.0".into()), 110, 128);
    }

    #[test]
    fn hostile_option_lengths() {
        let mut f = request();
        f.truncate(PAD + 240);
        f.extend_from_slice(&[53, 200, 1]); // claims 200 bytes
        let l = &run(&f, PAD, decode)[0];
        let e = l.error.clone().expect("error");
        assert_eq!(e.offset, 242);
        assert!(
            e.message.contains("claims 200 bytes; only 1 remain"),
            "{e:?}"
        );
        // Odd sizes for typed options fall back to raw bytes rather than misreading.
        let mut f = request();
        f.truncate(PAD + 240);
        f.extend_from_slice(&[54, 3, 1, 2, 3, 255]);
        let l = &run(&f, PAD, decode)[0];
        assert!(l.field("dhcp.option.dhcp_server_id").is_none());
        check(l, "dhcp.option.value", Value::Bytes(vec![1, 2, 3]), 244, 3);
    }
}
