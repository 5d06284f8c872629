//! NTP over UDP 123 (RFC 5905): the 48-byte header of time packets, and only the headers of mode
//! 6 control (RFC 1305 appendix B, ntpq) and mode 7 private (ntpdc) messages, which matter
//! because they are abused for amplification (monlist).
//!
//! Owns the `ntp` layer. It must never decode mode 6/7 payloads beyond their header, and never
//! turn a timestamp into a date by anything but checked integer arithmetic.

use super::bounded;
use crate::decode::bytes::{be16, be32, be64, u8_at};
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;
use std::net::Ipv4Addr;

/// Byte offsets of the time-packet header (RFC 5905 figure 8), relative to its start.
mod field {
    pub const FLAGS: usize = 0;
    pub const STRATUM: usize = 1;
    pub const POLL: usize = 2;
    pub const PRECISION: usize = 3;
    pub const ROOT_DELAY: usize = 4;
    pub const ROOT_DISPERSION: usize = 8;
    pub const REFID: usize = 12;
    pub const REFTIME: usize = 16;
    pub const ORG: usize = 24;
    pub const REC: usize = 32;
    pub const XMT: usize = 40;
    pub const HEADER_LEN: usize = 48;
    /// Mode 6 header (RFC 1305 appendix B.1) and mode 7 header (ntpd's ntp_request.h).
    pub const CONTROL_LEN: usize = 12;
    pub const PRIVATE_LEN: usize = 8;
}

/// Association modes (RFC 5905 figure 10).
fn mode_name(m: u8) -> &'static str {
    match m {
        0 => "reserved",
        1 => "symmetric active",
        2 => "symmetric passive",
        3 => "client",
        4 => "server",
        5 => "broadcast",
        6 => "NTP control message",
        _ => "reserved for private use",
    }
}

/// Leap indicator (RFC 5905 figure 9).
fn leap_name(li: u8) -> &'static str {
    match li {
        0 => "no warning",
        1 => "last minute of the day has 61 seconds",
        2 => "last minute of the day has 59 seconds",
        _ => "unknown (clock unsynchronized)",
    }
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's `civil_from_days`), in integers.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A 64-bit NTP timestamp (seconds since 1900 in era 0, 32-bit fraction) as UTC text; zero is
/// Wireshark's "NULL". Era 0 is assumed: a capture from after 2036 would need the packet time.
pub fn timestamp_text(ts: u64) -> String {
    if ts == 0 {
        return "NULL".to_string();
    }
    const UNIX_OFFSET: i64 = 2_208_988_800; // seconds from 1900-01-01 to 1970-01-01
    let secs = (ts >> 32) as i64 - UNIX_OFFSET;
    let frac = ts & 0xffff_ffff;
    let nanos = (frac * 1_000_000_000) >> 32;
    let (y, mo, d) = civil(secs.div_euclid(86400));
    let sod = secs.rem_euclid(86400);
    format!(
        "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}.{nanos:09} UTC",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// A 16.16 fixed-point number of seconds as text.
fn short_format(v: u32) -> String {
    format!("{:.6} s", f64::from(v) / 65536.0)
}

pub fn decode(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    let b = bounded(cx, end);
    let mut l = Layer::new("ntp", "Network Time Protocol", offset);
    l.len = end.saturating_sub(offset);
    decode_packet(&mut l, b, offset);
    cx.push(l);
    Next::Stop
}

fn decode_packet(l: &mut Layer, b: &[u8], start: usize) -> Option<()> {
    let at = |rel: usize| start.saturating_add(rel);
    let Some(flags) = u8_at(b, at(field::FLAGS)) else {
        l.fail(start, "NTP packet is empty");
        return None;
    };
    let off = at(field::FLAGS);
    let w = u64::from(flags);
    let li = flags >> 6;
    let vn = (flags >> 3) & 7;
    let mode = flags & 7;
    l.add("ntp.flags", "Flags", Value::UInt(w), off, 1)
        .show(|| format!("0x{flags:02x}"));
    if mode == 7 {
        // Mode 7 reuses the top bits as response and more flags (ntpd's ntp_request.h).
        l.add_flag("ntp.priv.flags.r", "Response bit", w, off, 1, 0x80, 1);
        l.add_flag("ntp.priv.flags.more", "More bit", w, off, 1, 0x40, 1);
    } else {
        l.add_bits(
            "ntp.flags.li",
            "Leap indicator",
            Value::UInt(u64::from(li)),
            off,
            1,
            0xc0,
            1,
        )
        .show(|| format!("{} ({li})", leap_name(li)));
    }
    l.add_bits(
        "ntp.flags.vn",
        "Version number",
        Value::UInt(u64::from(vn)),
        off,
        1,
        0x38,
        1,
    );
    l.add_bits(
        "ntp.flags.mode",
        "Mode",
        Value::UInt(u64::from(mode)),
        off,
        1,
        0x07,
        1,
    )
    .show(|| format!("{} ({mode})", mode_name(mode)));
    l.title = format!(
        "Network Time Protocol (NTP Version {vn}, {})",
        mode_name(mode)
    )
    .into();
    match mode {
        6 => control_header(l, b, start),
        7 => private_header(l, b, start),
        _ => time_header(l, b, start),
    }
}

fn short(l: &mut Layer, b: &[u8], start: usize, need: usize, what: &str) -> bool {
    let have = b.len().saturating_sub(start);
    if have < need {
        l.fail(
            b.len(),
            format!("{what} needs {need} bytes; only {have} captured"),
        );
        return true;
    }
    false
}

fn time_header(l: &mut Layer, b: &[u8], start: usize) -> Option<()> {
    let at = |rel: usize| start.saturating_add(rel);
    let cut = short(l, b, start, field::HEADER_LEN, "NTP header");
    if let Some(s) = u8_at(b, at(field::STRATUM)) {
        let shown = match s {
            0 => "unspecified or invalid (0)".to_string(),
            1 => "primary reference (1)".to_string(),
            2..=15 => format!("secondary reference ({s})"),
            16 => "unsynchronized (16)".to_string(),
            _ => format!("reserved ({s})"),
        };
        l.add(
            "ntp.stratum",
            "Peer clock stratum",
            Value::UInt(u64::from(s)),
            at(field::STRATUM),
            1,
        )
        .show(|| shown);
    }
    if let Some(p) = u8_at(b, at(field::POLL)) {
        // The poll interval is a signed log2 of seconds.
        let e = i32::from(p as i8);
        let shown = if (0..=31).contains(&e) {
            format!("{e} ({} seconds)", 1u64 << e)
        } else {
            format!("{e}")
        };
        l.add(
            "ntp.ppoll",
            "Peer polling interval",
            Value::UInt(u64::from(p)),
            at(field::POLL),
            1,
        )
        .show(|| shown);
    }
    if let Some(p) = u8_at(b, at(field::PRECISION)) {
        l.add(
            "ntp.precision",
            "Peer clock precision",
            Value::Int(i64::from(p as i8)),
            at(field::PRECISION),
            1,
        )
        .show(|| format!("{} (2^{} s)", p as i8, p as i8));
    }
    if let Some(v) = be32(b, at(field::ROOT_DELAY)) {
        l.add(
            "ntp.rootdelay",
            "Root delay",
            Value::UInt(u64::from(v)),
            at(field::ROOT_DELAY),
            4,
        )
        .show(|| short_format(v));
    }
    if let Some(v) = be32(b, at(field::ROOT_DISPERSION)) {
        l.add(
            "ntp.rootdispersion",
            "Root dispersion",
            Value::UInt(u64::from(v)),
            at(field::ROOT_DISPERSION),
            4,
        )
        .show(|| short_format(v));
    }
    if let Some(id) = crate::decode::bytes::array::<4>(b, at(field::REFID)) {
        // Stratum 0 and 1 carry an ASCII code (kiss code or clock source); higher strata the
        // IPv4 address of the upstream server (RFC 5905 section 7.3).
        let stratum = u8_at(b, at(field::STRATUM)).unwrap_or(0);
        let shown = if stratum <= 1 {
            let end = id.iter().position(|&c| c == 0).unwrap_or(4);
            String::from_utf8_lossy(id.get(..end).unwrap_or(&[])).into_owned()
        } else {
            Ipv4Addr::from(id).to_string()
        };
        l.add(
            "ntp.refid",
            "Reference ID",
            Value::Bytes(id.to_vec()),
            at(field::REFID),
            4,
        )
        .show(|| shown);
    }
    for (rel, name, label) in [
        (field::REFTIME, "ntp.reftime", "Reference timestamp"),
        (field::ORG, "ntp.org", "Origin timestamp"),
        (field::REC, "ntp.rec", "Receive timestamp"),
        (field::XMT, "ntp.xmt", "Transmit timestamp"),
    ] {
        if let Some(ts) = be64(b, at(rel)) {
            l.add(name, label, Value::UInt(ts), at(rel), 8)
                .show(|| timestamp_text(ts));
        }
    }
    if cut {
        None
    } else {
        Some(())
    }
}

fn control_header(l: &mut Layer, b: &[u8], start: usize) -> Option<()> {
    let at = |rel: usize| start.saturating_add(rel);
    let cut = short(l, b, start, field::CONTROL_LEN, "NTP control header");
    if let Some(f2) = u8_at(b, at(1)) {
        let w = u64::from(f2);
        let o = at(1);
        l.add("ntp.ctrl.flags2", "Flags 2", Value::UInt(w), o, 1)
            .show(|| format!("0x{f2:02x}"));
        l.add_flag("ntp.ctrl.flags2.r", "Response bit", w, o, 1, 0x80, 1);
        l.add_flag("ntp.ctrl.flags2.error", "Error bit", w, o, 1, 0x40, 1);
        l.add_flag("ntp.ctrl.flags2.more", "More bit", w, o, 1, 0x20, 1);
        l.add_bits(
            "ntp.ctrl.flags2.opcode",
            "Opcode",
            Value::UInt(w & 0x1f),
            o,
            1,
            0x1f,
            1,
        );
    }
    for (rel, name, label) in [
        (2, "ntp.ctrl.sequence", "Sequence"),
        (4, "ntp.ctrl.status", "Status"),
        (6, "ntp.ctrl.associd", "Association ID"),
        (8, "ntp.ctrl.offset", "Offset"),
        (10, "ntp.ctrl.count", "Count"),
    ] {
        if let Some(v) = be16(b, at(rel)) {
            l.add(name, label, Value::UInt(u64::from(v)), at(rel), 2);
        }
    }
    if cut {
        None
    } else {
        Some(())
    }
}

fn private_header(l: &mut Layer, b: &[u8], start: usize) -> Option<()> {
    let at = |rel: usize| start.saturating_add(rel);
    let cut = short(
        l,
        b,
        start,
        field::PRIVATE_LEN,
        "NTP private (mode 7) header",
    );
    if let Some(a) = u8_at(b, at(1)) {
        let w = u64::from(a);
        l.add(
            "ntp.priv.auth_seq",
            "Auth, sequence",
            Value::UInt(w),
            at(1),
            1,
        );
        l.add_flag("ntp.priv.auth", "Auth bit", w, at(1), 1, 0x80, 1);
        l.add_bits(
            "ntp.priv.seq",
            "Sequence number",
            Value::UInt(w & 0x7f),
            at(1),
            1,
            0x7f,
            1,
        );
    }
    if let Some(i) = u8_at(b, at(2)) {
        l.add(
            "ntp.priv.impl",
            "Implementation",
            Value::UInt(u64::from(i)),
            at(2),
            1,
        );
    }
    if let Some(r) = u8_at(b, at(3)) {
        // ntpd's request codes; 42 is the monlist request used for amplification.
        let name = match r {
            0 => Some("PEER_LIST"),
            1 => Some("PEER_LIST_SUM"),
            2 => Some("PEER_INFO"),
            4 => Some("SYS_INFO"),
            6 => Some("IO_STATS"),
            7 => Some("MEM_STATS"),
            8 => Some("LOOP_INFO"),
            20 => Some("MON_GETLIST"),
            28 => Some("AUTHINFO"),
            42 => Some("MON_GETLIST_1"),
            _ => None,
        };
        l.add(
            "ntp.priv.reqcode",
            "Request code",
            Value::UInt(u64::from(r)),
            at(3),
            1,
        )
        .show(|| super::named(name, u64::from(r)));
    }
    if let Some(v) = be16(b, at(4)) {
        let w = u64::from(v);
        l.add_bits(
            "ntp.priv.err",
            "Err",
            Value::UInt(w >> 12),
            at(4),
            2,
            0xf000,
            0,
        );
        l.add_bits(
            "ntp.priv.numitems",
            "Number of data items",
            Value::UInt(w & 0x0fff),
            at(4),
            2,
            0x0fff,
            0,
        );
    }
    if let Some(v) = be16(b, at(6)) {
        let w = u64::from(v);
        l.add_bits(
            "ntp.priv.reserved",
            "Reserved",
            Value::UInt(w >> 12),
            at(6),
            2,
            0xf000,
            0,
        );
        l.add_bits(
            "ntp.priv.itemsize",
            "Size of data item",
            Value::UInt(w & 0x0fff),
            at(6),
            2,
            0x0fff,
            0,
        );
    }
    if cut {
        None
    } else {
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::app::testutil::{check, every_prefix_fails, ranges_inside, run};

    fn server_reply() -> Vec<u8> {
        let mut f = vec![0x55]; // 0: something before the payload
        f.extend_from_slice(&[
            0x24, // 1: LI 0, version 4, mode 4 (server)
            2,    // 2: stratum 2
            6,    // 3: poll 2^6
            0xe9, // 4: precision -23
            0x00, 0x00, 0x01, 0x00, // 5: root delay 1/256 s
            0x00, 0x00, 0x02, 0x00, // 9: root dispersion
            192, 0, 2, 1, // 13: refid: upstream 192.0.2.1
            0xe3, 0x33, 0x3b, 0x80, 0, 0, 0, 0, // 17: reference time
            0, 0, 0, 0, 0, 0, 0, 0, // 25: origin: zero
            0xe3, 0x33, 0x3b, 0x80, 0x80, 0, 0, 0, // 33: receive
            0xe3, 0x33, 0x3b, 0x80, 0x80, 0, 0, 0, // 41: transmit
        ]);
        f
    }

    #[test]
    fn decodes_a_server_reply() {
        let f = server_reply();
        let layers = run(&f, 1, decode);
        ranges_inside(&layers, f.len());
        let l = &layers[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "ntp.flags.li", Value::UInt(0), 1, 1);
        check(l, "ntp.flags.vn", Value::UInt(4), 1, 1);
        check(l, "ntp.flags.mode", Value::UInt(4), 1, 1);
        assert_eq!(
            l.field("ntp.flags.mode").map(|f| (f.mask, f.depth)),
            Some((7, 1))
        );
        assert_eq!(
            l.field("ntp.flags.mode").and_then(|f| f.display.clone()),
            Some("server (4)".into())
        );
        check(l, "ntp.stratum", Value::UInt(2), 2, 1);
        check(l, "ntp.ppoll", Value::UInt(6), 3, 1);
        check(l, "ntp.precision", Value::Int(-23), 4, 1);
        check(l, "ntp.rootdelay", Value::UInt(256), 5, 4);
        check(l, "ntp.refid", Value::Bytes(vec![192, 0, 2, 1]), 13, 4);
        assert_eq!(
            l.field("ntp.refid").and_then(|f| f.display.clone()),
            Some("192.0.2.1".into())
        );
        check(l, "ntp.org", Value::UInt(0), 25, 8);
        assert_eq!(l.field("ntp.org").map(|f| f.shown()), Some("NULL".into()));
        check(l, "ntp.xmt", Value::UInt(0xe333_3b80_8000_0000), 41, 8);
        // 0xe3333b80 = 3812834176 s since 1900 = 2020-10-15 21:20:00 UTC.
        assert_eq!(
            l.field("ntp.xmt").map(|f| f.shown()),
            Some("2020-10-15 21:20:00.500000000 UTC".into())
        );
    }

    #[test]
    fn every_truncation_is_reported() {
        every_prefix_fails(&server_reply(), 1, "ntp", decode);
    }

    #[test]
    fn dates() {
        assert_eq!(
            timestamp_text(2_208_988_800u64 << 32),
            "1970-01-01 00:00:00.000000000 UTC"
        );
        assert_eq!(timestamp_text(1 << 32), "1900-01-01 00:00:01.000000000 UTC");
        assert_eq!(
            timestamp_text(u64::MAX).get(..19),
            Some("2036-02-07 06:28:15")
        );
    }

    #[test]
    fn control_and_private_headers_only() {
        // Mode 6 read-variables request, version 2, then payload bytes left alone.
        let f = [
            0x16, // 0: LI 0, version 2, mode 6
            0x02, // 1: opcode 2 (read variables)
            0x00, 0x01, // 2: sequence
            0x00, 0x00, // 4: status
            0x00, 0x00, // 6: association
            0x00, 0x00, // 8: offset
            0x00, 0x04, // 10: count
            b'a', b'b', b'c', b'd', // 12: data
        ];
        let l = &run(&f, 0, decode)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "ntp.flags.mode", Value::UInt(6), 0, 1);
        check(l, "ntp.ctrl.flags2.opcode", Value::UInt(2), 1, 1);
        check(l, "ntp.ctrl.count", Value::UInt(4), 10, 2);
        assert!(l.field("ntp.stratum").is_none());
        every_prefix_fails(f.get(..12).unwrap_or(&[]), 0, "ntp", decode);
        // Mode 7 monlist request (the amplification trigger).
        let f = [
            0x17, // 0: response 0, more 0, version 2, mode 7
            0x00, // 1: auth 0, sequence 0
            0x03, // 2: implementation XNTPD
            0x2a, // 3: request code 42 (MON_GETLIST_1)
            0x00, 0x00, 0x00, 0x00, // 4: err, items, reserved, size
        ];
        let l = &run(&f, 0, decode)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "ntp.priv.flags.r", Value::Bool(false), 0, 1);
        check(l, "ntp.flags.mode", Value::UInt(7), 0, 1);
        check(l, "ntp.priv.reqcode", Value::UInt(42), 3, 1);
        assert!(l.field("ntp.flags.li").is_none());
        every_prefix_fails(&f, 0, "ntp", decode);
    }
}
