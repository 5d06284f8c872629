//! IEEE 802.11 frames (LINKTYPE_IEEE802_11 105, and after radiotap): the MAC header with its
//! addresses as they apply per To DS/From DS, sequence, QoS and HT control, the FCS when the
//! capture keeps it, and the body of management frames (fixed fields and tagged elements).
//!
//! Owns the MAC header, the management body and the FCS. Data payloads go to LLC/SNAP; protected
//! payloads are shown as encrypted data and never decoded. The FCS is cut off the frame before
//! anything after the header runs, so no upper layer ever reads it as payload.

use super::{le_bits, le_flag, opaque};
use crate::decode::bytes::{array, le16, le32, le64, slice, u8_at};
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;

/// What the capture header said about the 802.11 frame.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The last four bytes are the frame check sequence.
    pub fcs_at_end: bool,
    /// The driver padded the MAC header to a multiple of four bytes.
    pub datapad: bool,
    /// The driver reported the FCS as wrong.
    pub bad_fcs: bool,
}

const TYPE_MGMT: u8 = 0;
const TYPE_CTRL: u8 = 1;
const TYPE_DATA: u8 = 2;

/// Frame control flag bits (second byte).
const FL_TODS: u8 = 0x01;
const FL_FROMDS: u8 = 0x02;

/// What the MAC header says about the body.
struct Header {
    ftype: u8,
    subtype: u8,
    protected: bool,
    amsdu: bool,
    end: usize,
}

pub fn decode_wlan(cx: &mut Ctx<'_>, off: usize, opts: Options) -> Next {
    let full = cx.frame;
    // Split the FCS off first: everything after the MAC header sees a frame that ends before it.
    let mut fcs = None;
    if opts.fcs_at_end {
        if let Some(at) = full.len().checked_sub(4).filter(|&at| at >= off) {
            if let Some(v) = le32(full, at) {
                fcs = Some((at, v));
                cx.frame = full.get(..at).unwrap_or(full);
            }
        }
    }
    let b = cx.frame;
    let mut l = Layer::new("wlan", "IEEE 802.11", off);
    let parsed = header(&mut l, b, off);
    if let Some((at, v)) = fcs {
        add_fcs(&mut l, full, off, at, v, opts.bad_fcs);
    }
    let h = match parsed {
        Ok(h) => h,
        Err((at, msg)) => {
            l.len = b.len().saturating_sub(off);
            let msg = if opts.fcs_at_end && fcs.is_none() {
                format!("{msg}; the frame is also too short to hold its 4-byte FCS")
            } else {
                msg
            };
            l.fail(at, msg);
            cx.push(l);
            return Next::Stop;
        }
    };
    // Padding only ever rounds the header up; it is never allowed past the captured bytes.
    let body = if opts.datapad {
        (off + (h.end - off).div_ceil(4) * 4).min(b.len().max(h.end))
    } else {
        h.end
    };
    l.len = body - off;
    cx.push(l);

    let has_body = body < b.len();
    match h.ftype {
        _ if h.protected && has_body => opaque(
            cx,
            body,
            "Encrypted payload (protected frame, not decrypted)".into(),
        ),
        // A management frame whose subtype has fixed fields must have a body; decode_mgt
        // reports it when it is missing.
        TYPE_MGMT if has_body || !fixed_fields(h.subtype).is_empty() => {
            decode_mgt(cx, body, h.subtype)
        }
        _ if !has_body => Next::Stop,
        TYPE_CTRL => opaque(
            cx,
            body,
            format!("{} body (not decoded)", subtype_name(h.ftype, h.subtype)),
        ),
        TYPE_DATA if h.subtype & 0x04 != 0 => {
            opaque(cx, body, "Bytes after a no-data frame (not decoded)".into())
        }
        TYPE_DATA if h.amsdu => opaque(cx, body, "A-MSDU aggregate (not decoded)".into()),
        TYPE_DATA => Next::Llc(body),
        _ => opaque(cx, body, "802.11 body (not decoded)".into()),
    }
}

type Fail = (usize, String);

fn cut(at: usize, what: &str) -> Fail {
    (
        at,
        format!("frame ends at byte {at}, inside the 802.11 {what}"),
    )
}

/// The MAC header, field by field; `Err` at the first field the frame is too short for.
fn header(l: &mut Layer, b: &[u8], off: usize) -> Result<Header, Fail> {
    let fc0 = u8_at(b, off).ok_or_else(|| cut(off, "frame control"))?;
    let fc1 = u8_at(b, off + 1).ok_or_else(|| cut(off + 1, "frame control"))?;
    let ftype = (fc0 >> 2) & 0x03;
    let subtype = fc0 >> 4;
    let name = subtype_name(ftype, subtype);
    l.title = format!("IEEE 802.11 {name}").into();
    let ts = (u64::from(ftype) << 4) | u64::from(subtype);
    l.add(
        "wlan.fc.type_subtype",
        "Type/Subtype",
        Value::UInt(ts),
        off,
        1,
    )
    .show(|| format!("{name} (0x{ts:04x})"));
    // Wireshark shows the two frame-control bytes as one big-endian number.
    let fc = (u64::from(fc0) << 8) | u64::from(fc1);
    l.add("wlan.fc", "Frame Control Field", Value::UInt(fc), off, 2)
        .show(|| format!("0x{fc:04x}"));
    l.add_bits(
        "wlan.fc.version",
        "Version",
        Value::UInt(u64::from(fc0 & 0x03)),
        off,
        1,
        0x03,
        1,
    );
    l.add_bits(
        "wlan.fc.type",
        "Type",
        Value::UInt(u64::from(ftype)),
        off,
        1,
        0x0c,
        1,
    )
    .show(|| format!("{} ({ftype})", type_name(ftype)));
    l.add_bits(
        "wlan.fc.subtype",
        "Subtype",
        Value::UInt(u64::from(subtype)),
        off,
        1,
        0xf0,
        1,
    );
    let fl = u64::from(fc1);
    l.add("wlan.flags", "Flags", Value::UInt(fl), off + 1, 1)
        .show(|| format!("0x{fc1:02x}"));
    l.add_bits(
        "wlan.fc.ds",
        "DS status",
        Value::UInt(fl & 0x03),
        off + 1,
        1,
        0x03,
        1,
    )
    .show(|| {
        match fc1 & 0x03 {
            0 => "0 (not to or from the distribution system)",
            1 => "1 (to DS: station to AP)",
            2 => "2 (from DS: AP to station)",
            _ => "3 (to and from DS: wireless bridge or mesh)",
        }
        .into()
    });
    l.add_flag("wlan.fc.tods", "To DS", fl, off + 1, 1, 0x01, 1);
    l.add_flag("wlan.fc.fromds", "From DS", fl, off + 1, 1, 0x02, 1);
    l.add_flag("wlan.fc.frag", "More fragments", fl, off + 1, 1, 0x04, 1);
    l.add_flag("wlan.fc.retry", "Retry", fl, off + 1, 1, 0x08, 1);
    l.add_flag(
        "wlan.fc.pwrmgt",
        "Power management",
        fl,
        off + 1,
        1,
        0x10,
        1,
    );
    l.add_flag("wlan.fc.moredata", "More data", fl, off + 1, 1, 0x20, 1);
    let protected = l.add_flag("wlan.fc.protected", "Protected", fl, off + 1, 1, 0x40, 1);
    let order = l.add_flag("wlan.fc.order", "+HTC/Order", fl, off + 1, 1, 0x80, 1);

    let version = fc0 & 0x03;
    if version != 0 {
        // Version 1 (802.11ah short frames) lays out everything after frame control
        // differently; reading it as version 0 would invent addresses.
        return Err((
            off,
            format!("802.11 protocol version {version} frames are not decoded"),
        ));
    }
    let dur = le16(b, off + 2).ok_or_else(|| cut(off + 2, "duration field"))?;
    if ftype == TYPE_CTRL && subtype == 10 {
        // PS-Poll carries the association ID where other frames have the duration.
        le_bits(
            l,
            "wlan.aid",
            "Association ID",
            u64::from(dur),
            off + 2,
            2,
            0x3fff,
            0,
        );
    } else {
        le_bits(
            l,
            "wlan.duration",
            "Duration",
            u64::from(dur),
            off + 2,
            2,
            0x7fff,
            0,
        )
        .show(|| format!("{} µs", dur & 0x7fff));
    }
    let mut p = off + 4;
    let mut h = Header {
        ftype,
        subtype,
        protected,
        amsdu: false,
        end: p,
    };
    const RA: (&str, &str) = ("wlan.ra", "Receiver address");
    const TA: (&str, &str) = ("wlan.ta", "Transmitter address");
    const DA: (&str, &str) = ("wlan.da", "Destination address");
    const SA: (&str, &str) = ("wlan.sa", "Source address");
    const BSSID: (&str, &str) = ("wlan.bssid", "BSS Id");
    match ftype {
        TYPE_MGMT => {
            p = addr(l, b, p, &[RA, DA])?;
            p = addr(l, b, p, &[TA, SA])?;
            p = addr(l, b, p, &[BSSID])?;
            p = seq_ctl(l, b, p)?;
            if order {
                p = htc(l, b, p)?;
            }
        }
        TYPE_CTRL => match subtype {
            10 => {
                p = addr(l, b, p, &[BSSID, RA])?;
                p = addr(l, b, p, &[TA])?;
            }
            4 | 5 | 8 | 9 | 11 => {
                p = addr(l, b, p, &[RA])?;
                p = addr(l, b, p, &[TA])?;
            }
            14 | 15 => {
                p = addr(l, b, p, &[RA])?;
                p = addr(l, b, p, &[BSSID, TA])?;
            }
            _ => {
                p = addr(l, b, p, &[RA])?;
            }
        },
        TYPE_DATA => {
            let ds = fc1 & (FL_TODS | FL_FROMDS);
            match ds {
                0 => {
                    p = addr(l, b, p, &[RA, DA])?;
                    p = addr(l, b, p, &[TA, SA])?;
                    p = addr(l, b, p, &[BSSID])?;
                }
                FL_TODS => {
                    p = addr(l, b, p, &[RA, BSSID])?;
                    p = addr(l, b, p, &[TA, SA])?;
                    p = addr(l, b, p, &[DA])?;
                }
                FL_FROMDS => {
                    p = addr(l, b, p, &[RA, DA])?;
                    p = addr(l, b, p, &[TA, BSSID])?;
                    p = addr(l, b, p, &[SA])?;
                }
                _ => {
                    p = addr(l, b, p, &[RA])?;
                    p = addr(l, b, p, &[TA])?;
                    p = addr(l, b, p, &[DA])?;
                }
            }
            p = seq_ctl(l, b, p)?;
            if ds == FL_TODS | FL_FROMDS {
                p = addr(l, b, p, &[SA])?;
            }
            // Subtypes 8-15 are the QoS variants; only they carry QoS control, and only QoS
            // data frames can carry HT control (IEEE 802.11-2020 9.2.4.1.10).
            if subtype & 0x08 != 0 {
                let (next, amsdu) = qos(l, b, p)?;
                p = next;
                h.amsdu = amsdu;
                if order {
                    p = htc(l, b, p)?;
                }
            }
        }
        _ => {}
    }
    h.end = p;
    Ok(h)
}

/// One address, recorded under each name it has in this frame (the receiver may also be the
/// destination, and so on).
fn addr(
    l: &mut Layer,
    b: &[u8],
    at: usize,
    names: &[(&'static str, &'static str)],
) -> Result<usize, Fail> {
    let m = array::<6>(b, at).ok_or_else(|| cut(at, "addresses"))?;
    for (name, label) in names {
        l.add(name, label, Value::Mac(m), at, 6);
    }
    Ok(at + 6)
}

fn seq_ctl(l: &mut Layer, b: &[u8], at: usize) -> Result<usize, Fail> {
    let v = u64::from(le16(b, at).ok_or_else(|| cut(at, "sequence control"))?);
    le_bits(l, "wlan.frag", "Fragment number", v, at, 2, 0x000f, 0);
    le_bits(l, "wlan.seq", "Sequence number", v, at, 2, 0xfff0, 0);
    Ok(at + 2)
}

/// QoS control; returns the offset after it and whether the body is an A-MSDU.
fn qos(l: &mut Layer, b: &[u8], at: usize) -> Result<(usize, bool), Fail> {
    let v = u64::from(le16(b, at).ok_or_else(|| cut(at, "QoS control"))?);
    l.add("wlan.qos", "QoS Control", Value::UInt(v), at, 2)
        .show(|| format!("0x{v:04x}"));
    le_bits(l, "wlan.qos.tid", "TID", v, at, 2, 0x000f, 1);
    le_bits(l, "wlan.qos.priority", "Priority", v, at, 2, 0x0007, 1);
    le_flag(l, "wlan.qos.eosp", "EOSP", v, at, 2, 0x0010, 1);
    le_bits(l, "wlan.qos.ack", "Ack policy", v, at, 2, 0x0060, 1);
    let amsdu = le_flag(
        l,
        "wlan.qos.amsdupresent",
        "A-MSDU present",
        v,
        at,
        2,
        0x0080,
        1,
    );
    Ok((at + 2, amsdu))
}

fn htc(l: &mut Layer, b: &[u8], at: usize) -> Result<usize, Fail> {
    let v = u64::from(le32(b, at).ok_or_else(|| cut(at, "HT control"))?);
    l.add("wlan.htc", "HT Control (+HTC)", Value::UInt(v), at, 4)
        .show(|| format!("0x{v:08x}"));
    le_flag(l, "wlan.htc.vht", "VHT", v, at, 4, 0x1, 1);
    le_flag(l, "wlan.htc.he", "HE", v, at, 4, 0x2, 1);
    Ok(at + 4)
}

/// The FCS field, checked against a CRC-32 of the frame from the MAC header up to it.
fn add_fcs(l: &mut Layer, full: &[u8], off: usize, at: usize, v: u32, bad_flag: bool) {
    let want = full.get(off..at).map(crc32);
    let verdict = match want {
        Some(w) if w == v => "correct".to_string(),
        Some(w) => format!("incorrect, should be 0x{w:08x}"),
        None => "not checked".to_string(),
    };
    let note = if bad_flag {
        "; the driver also flagged it as bad"
    } else {
        ""
    };
    l.add(
        "wlan.fcs",
        "Frame check sequence",
        Value::UInt(u64::from(v)),
        at,
        4,
    )
    .show(|| format!("0x{v:08x} ({verdict}{note})"));
}

/// CRC-32 as 802.11 and Ethernet use it (IEEE 802.3 clause 3.2.9: reflected polynomial
/// 0xEDB88320, initial value and final XOR all ones). Bitwise: FCS checks are one per frame.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let lsb = crc & 1;
            crc >>= 1;
            if lsb != 0 {
                crc ^= 0xedb8_8320;
            }
        }
    }
    !crc
}

fn type_name(t: u8) -> &'static str {
    match t {
        TYPE_MGMT => "Management frame",
        TYPE_CTRL => "Control frame",
        TYPE_DATA => "Data frame",
        _ => "Extension frame",
    }
}

/// Frame subtypes (IEEE 802.11-2020 Table 9-1).
fn subtype_name(t: u8, s: u8) -> &'static str {
    match (t, s) {
        (0, 0) => "Association Request",
        (0, 1) => "Association Response",
        (0, 2) => "Reassociation Request",
        (0, 3) => "Reassociation Response",
        (0, 4) => "Probe Request",
        (0, 5) => "Probe Response",
        (0, 6) => "Timing Advertisement",
        (0, 8) => "Beacon frame",
        (0, 9) => "ATIM",
        (0, 10) => "Disassociate",
        (0, 11) => "Authentication",
        (0, 12) => "Deauthentication",
        (0, 13) => "Action",
        (0, 14) => "Action No Ack",
        (1, 2) => "Trigger",
        (1, 3) => "TACK",
        (1, 4) => "Beamforming Report Poll",
        (1, 5) => "NDP Announcement",
        (1, 6) => "Control Frame Extension",
        (1, 7) => "Control Wrapper",
        (1, 8) => "Block Ack Request",
        (1, 9) => "Block Ack",
        (1, 10) => "PS-Poll",
        (1, 11) => "Request-to-send",
        (1, 12) => "Clear-to-send",
        (1, 13) => "Acknowledgement",
        (1, 14) => "CF-End",
        (1, 15) => "CF-End + CF-Ack",
        (2, 0) => "Data",
        (2, 1) => "Data + CF-Ack",
        (2, 2) => "Data + CF-Poll",
        (2, 3) => "Data + CF-Ack + CF-Poll",
        (2, 4) => "Null function (No data)",
        (2, 5) => "CF-Ack (No data)",
        (2, 6) => "CF-Poll (No data)",
        (2, 7) => "CF-Ack + CF-Poll (No data)",
        (2, 8) => "QoS Data",
        (2, 9) => "QoS Data + CF-Ack",
        (2, 10) => "QoS Data + CF-Poll",
        (2, 11) => "QoS Data + CF-Ack + CF-Poll",
        (2, 12) => "QoS Null function (No data)",
        (2, 14) => "QoS CF-Poll (No data)",
        (2, 15) => "QoS CF-Ack + CF-Poll (No data)",
        (3, 0) => "DMG Beacon",
        (3, 1) => "S1G Beacon",
        _ => "Reserved frame",
    }
}

/// Fixed fields of management frame bodies (IEEE 802.11-2020 clause 9.4.1), in the order each
/// subtype carries them.
#[derive(Clone, Copy)]
enum Fixed {
    Timestamp,
    BeaconInterval,
    Capabilities,
    ListenInterval,
    CurrentAp,
    Status,
    Aid,
    Reason,
    AuthAlg,
    AuthSeq,
    Category,
}

fn fixed_fields(subtype: u8) -> &'static [Fixed] {
    use Fixed::*;
    match subtype {
        0 => &[Capabilities, ListenInterval],
        1 | 3 => &[Capabilities, Status, Aid],
        2 => &[Capabilities, ListenInterval, CurrentAp],
        5 | 8 => &[Timestamp, BeaconInterval, Capabilities],
        6 => &[Timestamp, Capabilities],
        10 | 12 => &[Reason],
        11 => &[AuthAlg, AuthSeq, Status],
        13 | 14 => &[Category],
        _ => &[],
    }
}

/// A management frame body: fixed fields, then tagged elements up to the end of the frame
/// (which the FCS was already cut from).
fn decode_mgt(cx: &mut Ctx<'_>, off: usize, subtype: u8) -> Next {
    let b = cx.frame;
    let end = b.len();
    let mut l = Layer::new("wlan.mgt", "IEEE 802.11 Wireless Management", off);
    l.len = end.saturating_sub(off);
    let mut p = off;
    for f in fixed_fields(subtype) {
        match fixed(&mut l, b, p, *f) {
            Some(next) => p = next,
            None => {
                l.fail(
                    p,
                    format!("frame ends at byte {end}, inside the management frame's fixed fields"),
                );
                cx.push(l);
                return Next::Stop;
            }
        }
    }
    if matches!(subtype, 13 | 14) {
        // Action frame contents depend on category and action codes this decoder does not read.
        cx.push(l);
        return Next::Stop;
    }
    tags(&mut l, b, p, end);
    cx.push(l);
    Next::Stop
}

/// One fixed field at `p`; `None` when it does not fit.
fn fixed(l: &mut Layer, b: &[u8], p: usize, f: Fixed) -> Option<usize> {
    let u16v = |o| le16(b, o).map(u64::from);
    Some(match f {
        Fixed::Timestamp => {
            let v = le64(b, p)?;
            l.add("wlan.fixed.timestamp", "Timestamp", Value::UInt(v), p, 8)
                .show(|| format!("{v} µs"));
            p + 8
        }
        Fixed::BeaconInterval => {
            let v = u16v(p)?;
            l.add("wlan.fixed.beacon", "Beacon Interval", Value::UInt(v), p, 2)
                .show(|| format!("{v} TU ({:.6} s)", v as f64 * 1.024 / 1000.0));
            p + 2
        }
        Fixed::Capabilities => {
            let v = u16v(p)?;
            l.add(
                "wlan.fixed.capabilities",
                "Capabilities Information",
                Value::UInt(v),
                p,
                2,
            )
            .show(|| format!("0x{v:04x}"));
            for (name, label, m) in [
                ("wlan.fixed.capabilities.ess", "ESS", 0x0001),
                ("wlan.fixed.capabilities.ibss", "IBSS", 0x0002),
                ("wlan.fixed.capabilities.privacy", "Privacy", 0x0010),
                (
                    "wlan.fixed.capabilities.short_preamble",
                    "Short preamble",
                    0x0020,
                ),
                (
                    "wlan.fixed.capabilities.spec_man",
                    "Spectrum management",
                    0x0100,
                ),
                ("wlan.fixed.capabilities.qos", "QoS", 0x0200),
                (
                    "wlan.fixed.capabilities.short_slot_time",
                    "Short slot time",
                    0x0400,
                ),
                ("wlan.fixed.capabilities.apsd", "APSD", 0x0800),
                (
                    "wlan.fixed.capabilities.radio_measurement",
                    "Radio measurement",
                    0x1000,
                ),
            ] {
                le_flag(l, name, label, v, p, 2, m, 1);
            }
            p + 2
        }
        Fixed::ListenInterval => {
            let v = u16v(p)?;
            l.add(
                "wlan.fixed.listen_ival",
                "Listen Interval",
                Value::UInt(v),
                p,
                2,
            );
            p + 2
        }
        Fixed::CurrentAp => {
            let m = array::<6>(b, p)?;
            l.add("wlan.fixed.current_ap", "Current AP", Value::Mac(m), p, 6);
            p + 6
        }
        Fixed::Status => {
            let v = u16v(p)?;
            l.add(
                "wlan.fixed.status_code",
                "Status code",
                Value::UInt(v),
                p,
                2,
            )
            .show(|| match status_name(v) {
                Some(n) => format!("{n} ({v})"),
                None => v.to_string(),
            });
            p + 2
        }
        Fixed::Aid => {
            let v = u16v(p)?;
            le_bits(l, "wlan.fixed.aid", "Association ID", v, p, 2, 0x3fff, 0);
            p + 2
        }
        Fixed::Reason => {
            let v = u16v(p)?;
            l.add(
                "wlan.fixed.reason_code",
                "Reason code",
                Value::UInt(v),
                p,
                2,
            )
            .show(|| match reason_name(v) {
                Some(n) => format!("{n} ({v})"),
                None => v.to_string(),
            });
            p + 2
        }
        Fixed::AuthAlg => {
            let v = u16v(p)?;
            l.add(
                "wlan.fixed.auth.alg",
                "Authentication Algorithm",
                Value::UInt(v),
                p,
                2,
            )
            .show(|| match v {
                // IEEE 802.11-2020 9.4.1.1.
                0 => "Open System (0)".into(),
                1 => "Shared Key (1)".into(),
                2 => "Fast BSS Transition (2)".into(),
                3 => "SAE (3)".into(),
                _ => v.to_string(),
            });
            p + 2
        }
        Fixed::AuthSeq => {
            let v = u16v(p)?;
            l.add(
                "wlan.fixed.auth_seq",
                "Authentication SEQ",
                Value::UInt(v),
                p,
                2,
            );
            p + 2
        }
        Fixed::Category => {
            let v = u8_at(b, p)?;
            l.add(
                "wlan.fixed.category_code",
                "Category code",
                Value::UInt(u64::from(v)),
                p,
                1,
            );
            p + 1
        }
    })
}

/// Tagged elements: number, length, contents. A tag that claims more bytes than remain stops
/// the walk with an error; the tags before it stay.
fn tags(l: &mut Layer, b: &[u8], mut p: usize, end: usize) {
    while p < end {
        let (Some(num), Some(len)) = (u8_at(b, p), u8_at(b, p + 1)) else {
            l.fail(
                p,
                format!("1 byte left at byte {p}, too short for a tag header"),
            );
            return;
        };
        let len = usize::from(len);
        let data = p + 2;
        let Some(body) = slice(b, data, len) else {
            l.fail(
                p,
                format!(
                    "tag {num} at byte {p} claims {len} bytes; only {} remain",
                    end.saturating_sub(data)
                ),
            );
            return;
        };
        let name = tag_name(num);
        let summary = tag_summary(num, body);
        l.add("wlan.tag", "Tag", Value::None, p, 2 + len)
            .show(|| match summary {
                Some(s) => format!("{name}: {s}"),
                None => name.to_string(),
            });
        l.add(
            "wlan.tag.number",
            "Tag Number",
            Value::UInt(u64::from(num)),
            p,
            1,
        )
        .depth = 1;
        l.add(
            "wlan.tag.length",
            "Tag length",
            Value::UInt(len as u64),
            p + 1,
            1,
        )
        .depth = 1;
        match num {
            0 => {
                l.add("wlan.ssid", "SSID", Value::Bytes(body.to_vec()), data, len);
                if let Some(f) = l.fields.last_mut() {
                    f.depth = 1;
                    f.show(|| ssid_text(body));
                }
            }
            1 | 50 => {
                let fname = if num == 1 {
                    "wlan.supported_rates"
                } else {
                    "wlan.extended_supported_rates"
                };
                for (i, &r) in body.iter().enumerate() {
                    let f = l.add(
                        fname,
                        "Supported rate",
                        Value::UInt(u64::from(r)),
                        data + i,
                        1,
                    );
                    f.depth = 1;
                    f.show(|| rate_text(r));
                }
            }
            3 if len == 1 => {
                let c = u64::from(u8_at(b, data).unwrap_or(0));
                l.add(
                    "wlan.ds.current_channel",
                    "Current Channel",
                    Value::UInt(c),
                    data,
                    1,
                )
                .depth = 1;
            }
            221 if len >= 3 => {
                if let Some([a, o, u]) = array::<3>(b, data) {
                    let f = l.add(
                        "wlan.tag.oui",
                        "OUI",
                        Value::UInt(u64::from(u32::from_be_bytes([0, a, o, u]))),
                        data,
                        3,
                    );
                    f.depth = 1;
                    f.show(|| format!("{a:02x}:{o:02x}:{u:02x}"));
                }
            }
            _ => {}
        }
        p = data + len;
    }
}

/// An SSID as text when it is printable UTF-8, otherwise as hex; the empty SSID is the wildcard
/// a probe request uses to ask every network.
fn ssid_text(s: &[u8]) -> String {
    if s.is_empty() {
        return "Wildcard SSID".into();
    }
    match std::str::from_utf8(s) {
        Ok(t) if !t.chars().any(char::is_control) => format!("\"{t}\""),
        _ => s
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
    }
}

fn tag_summary(num: u8, body: &[u8]) -> Option<String> {
    match num {
        0 => Some(ssid_text(body)),
        1 | 50 => Some(
            body.iter()
                .map(|&r| rate_text(r))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        3 => body.first().map(|c| format!("channel {c}")),
        _ => None,
    }
}

/// Rates are in units of 500 kb/s; the top bit marks a basic (mandatory) rate.
fn rate_text(r: u8) -> String {
    let v = r & 0x7f;
    let mbps = if v % 2 == 1 {
        format!("{}.5", v / 2)
    } else {
        format!("{}", v / 2)
    };
    if r & 0x80 != 0 {
        format!("{mbps}(B)")
    } else {
        mbps
    }
}

/// Element IDs (IEEE 802.11-2020 Table 9-92), the ones commonly seen in beacons and probes.
fn tag_name(n: u8) -> &'static str {
    match n {
        0 => "SSID parameter set",
        1 => "Supported Rates",
        2 => "FH Parameter set",
        3 => "DS Parameter set",
        4 => "CF Parameter set",
        5 => "Traffic Indication Map (TIM)",
        6 => "IBSS Parameter set",
        7 => "Country Information",
        11 => "QBSS Load Element",
        16 => "Challenge text",
        32 => "Power Constraint",
        33 => "Power Capability",
        36 => "Supported Channels",
        37 => "Channel Switch Announcement",
        42 => "ERP Information",
        45 => "HT Capabilities",
        46 => "QoS Capability",
        48 => "RSN Information",
        50 => "Extended Supported Rates",
        54 => "Mobility Domain",
        61 => "HT Information",
        70 => "RM Enabled Capabilities",
        74 => "Overlapping BSS Scan Parameters",
        113 => "Mesh Configuration",
        114 => "Mesh ID",
        127 => "Extended Capabilities",
        191 => "VHT Capabilities",
        192 => "VHT Operation",
        221 => "Vendor Specific",
        255 => "Element ID Extension",
        _ => "Tag",
    }
}

/// Status codes (IEEE 802.11-2020 Table 9-50), the common ones.
fn status_name(v: u64) -> Option<&'static str> {
    Some(match v {
        0 => "Successful",
        1 => "Unspecified failure",
        10 => "Cannot support all requested capabilities",
        11 => "Reassociation denied: association cannot be confirmed",
        12 => "Association denied for a reason outside the standard",
        13 => "Authentication algorithm not supported",
        14 => "Authentication transaction sequence number out of order",
        15 => "Authentication rejected: challenge failure",
        16 => "Authentication rejected: timeout waiting for next frame",
        17 => "AP cannot handle more associated stations",
        18 => "Station does not support all basic rates",
        25 => "Association denied: short slot time not supported",
        30 => "Association request rejected temporarily; try again later",
        37 => "The request has been declined",
        _ => return None,
    })
}

/// Reason codes (IEEE 802.11-2020 Table 9-49), the common ones.
fn reason_name(v: u64) -> Option<&'static str> {
    Some(match v {
        1 => "Unspecified reason",
        2 => "Previous authentication no longer valid",
        3 => "Station is leaving (or has left) the network",
        4 => "Disassociated due to inactivity",
        5 => "AP cannot handle all currently associated stations",
        6 => "Class 2 frame received from a non-authenticated station",
        7 => "Class 3 frame received from a non-associated station",
        8 => "Station is leaving (or has left) the BSS",
        9 => "Station requesting (re)association is not authenticated",
        15 => "4-way handshake timeout",
        16 => "Group key handshake timeout",
        23 => "IEEE 802.1X authentication failed",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::crc32;
    use crate::decode::{decode, linktype};
    use crate::field::Value;

    /// A beacon: MAC header, fixed fields, SSID "lab", rates, DS channel 6.
    const BEACON: [u8; 56] = [
        0x80, 0x00, // wlan.fc: beacon
        0x00, 0x00, // wlan.duration
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // wlan.ra / wlan.da: broadcast
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // wlan.ta / wlan.sa
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // wlan.bssid
        0x30, 0x12, // sequence control: frag 0, seq 0x123
        1, 0, 0, 0, 0, 0, 0, 0, // wlan.fixed.timestamp: 1
        0x64, 0x00, // wlan.fixed.beacon: 100 TU
        0x11, 0x04, // wlan.fixed.capabilities: ESS, privacy, short slot time
        0x00, 0x03, b'l', b'a', b'b', // SSID "lab"
        0x01, 0x04, 0x82, 0x84, 0x0b, 0x16, // supported rates 1(B) 2(B) 5.5 11
        0x03, 0x01, 0x06, // DS parameter set: channel 6
        0xdd, 0x04, 0x00, 0x50, 0xf2, 0x02, // vendor specific, Microsoft OUI
    ];

    #[test]
    fn beacon_header_and_body() {
        let d = decode(&BEACON, linktype::IEEE802_11);
        let w = d.layer("wlan").unwrap();
        assert!(w.error.is_none());
        assert_eq!((w.offset, w.len), (0, 24));
        assert_eq!(w.u64("wlan.fc.type_subtype"), Some(0x08));
        assert_eq!(w.u64("wlan.fc.type"), Some(0));
        assert_eq!(w.u64("wlan.fc.subtype"), Some(8));
        assert_eq!(w.field("wlan.fc.subtype").map(|f| f.mask), Some(0xf0));
        let f = w.field("wlan.da").unwrap();
        assert_eq!((f.offset, f.len), (4, 6));
        let f = w.field("wlan.sa").unwrap();
        assert_eq!(
            (f.value.clone(), f.offset),
            (Value::Mac([0, 0x11, 0x22, 0x33, 0x44, 0x55]), 10)
        );
        let f = w.field("wlan.bssid").unwrap();
        assert_eq!((f.offset, f.len), (16, 6));
        let f = w.field("wlan.seq").unwrap();
        assert_eq!(
            (f.value.as_u64(), f.offset, f.len, f.mask),
            (Some(0x123), 22, 2, 0xf0ff)
        );
        assert_eq!(w.u64("wlan.frag"), Some(0));

        let m = d.layer("wlan.mgt").unwrap();
        assert!(m.error.is_none(), "{:?}", m.error);
        assert_eq!((m.offset, m.len), (24, 32));
        assert_eq!(m.u64("wlan.fixed.timestamp"), Some(1));
        assert_eq!(m.u64("wlan.fixed.beacon"), Some(100));
        let c = m.field("wlan.fixed.capabilities.privacy").unwrap();
        assert_eq!(
            (c.value.clone(), c.offset, c.mask),
            (Value::Bool(true), 34, 0x1000)
        );
        let s = m.field("wlan.ssid").unwrap();
        assert_eq!(
            (s.value.clone(), s.offset, s.len),
            (Value::Bytes(b"lab".to_vec()), 38, 3)
        );
        assert_eq!(s.shown(), "\"lab\"");
        let rates: Vec<String> = d.all("wlan.supported_rates").map(|f| f.shown()).collect();
        assert_eq!(rates, ["1(B)", "2(B)", "5.5", "11"]);
        let c = m.field("wlan.ds.current_channel").unwrap();
        assert_eq!((c.value.as_u64(), c.offset), (Some(6), 49));
        assert_eq!(m.u64("wlan.tag.oui"), Some(0x0050f2));
        assert_eq!(d.all("wlan.tag").count(), 4);
    }

    #[test]
    fn qos_data_to_ds_goes_to_llc() {
        let f = [
            0x88, 0x01, // wlan.fc: QoS data, To DS
            0x2c, 0x00, // wlan.duration: 44
            0x00, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, // wlan.ra / wlan.bssid
            0x00, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, // wlan.ta / wlan.sa
            0x00, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, // wlan.da
            0x10, 0x00, // frag 0, seq 1
            0x05, 0x00, // wlan.qos: TID 5
            0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, // LLC/SNAP: IPv4
        ];
        let d = decode(&f, linktype::IEEE802_11);
        let w = d.layer("wlan").unwrap();
        assert_eq!((w.offset, w.len), (0, 26));
        assert_eq!(w.u64("wlan.fc.type_subtype"), Some(0x28));
        assert_eq!(w.get("wlan.fc.tods"), Some(&Value::Bool(true)));
        assert_eq!(w.field("wlan.bssid").map(|f| f.offset), Some(4));
        assert_eq!(w.field("wlan.sa").map(|f| f.offset), Some(10));
        assert_eq!(w.field("wlan.da").map(|f| f.offset), Some(16));
        let q = w.field("wlan.qos.tid").unwrap();
        assert_eq!(
            (q.value.as_u64(), q.offset, q.len, q.mask),
            (Some(5), 24, 2, 0x0f00)
        );
        assert_eq!(w.u64("wlan.duration"), Some(44));
        assert_eq!(d.layer("llc").map(|l| l.offset), Some(26));
    }

    #[test]
    fn four_address_protected_with_htc() {
        let f = [
            0x88, 0xc3, // QoS data, To DS + From DS, protected, order
            0x00, 0x00, // duration
            1, 1, 1, 1, 1, 1, // wlan.ra
            2, 2, 2, 2, 2, 2, // wlan.ta
            3, 3, 3, 3, 3, 3, // wlan.da
            0x00, 0x00, // sequence control
            4, 4, 4, 4, 4, 4, // wlan.sa (address 4)
            0x00, 0x00, // QoS control
            0x01, 0x00, 0x00, 0x00, // wlan.htc: VHT variant
            0xde, 0xad, 0xbe, 0xef, 0x00, // encrypted payload
        ];
        let d = decode(&f, linktype::IEEE802_11);
        let w = d.layer("wlan").unwrap();
        assert_eq!((w.offset, w.len), (0, 36));
        assert_eq!(w.field("wlan.sa").map(|f| f.offset), Some(24));
        assert!(w.field("wlan.bssid").is_none());
        let h = w.field("wlan.htc").unwrap();
        assert_eq!((h.value.as_u64(), h.offset, h.len), (Some(1), 32, 4));
        let e = &d.layers[1];
        assert_eq!((e.proto, e.offset, e.len), ("data", 36, 5));
        assert!(e.title.contains("Encrypted"));
    }

    #[test]
    fn datapad_after_radiotap() {
        let mut f = vec![
            0x00, 0x00, 0x09, 0x00, // radiotap v0, length 9
            0x02, 0x00, 0x00, 0x00, // present: flags
            0x20, // radiotap.flags: data pad
        ];
        f.extend_from_slice(&[
            0x88, 0x02, 0, 0, // QoS data, From DS
            1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, // addresses
            0, 0, // sequence control
            0, 0, // QoS control: header is 26 bytes
            0xee, 0xee, // padding to 28
            0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x06, // LLC/SNAP
        ]);
        let d = decode(&f, linktype::IEEE802_11_RADIOTAP);
        let w = d.layer("wlan").unwrap();
        assert_eq!((w.offset, w.len), (9, 28));
        assert_eq!(d.layer("llc").map(|l| l.offset), Some(37));
    }

    #[test]
    fn fcs_is_checked_and_kept_out_of_payload() {
        // An ACK to 00:11:22:33:44:55 followed by its correct FCS.
        let mut f = vec![
            0x00, 0x00, 0x09, 0x00, 0x02, 0x00, 0x00, 0x00, 0x10, // radiotap: FCS at end
            0xd4, 0x00, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // ACK
        ];
        let crc = crc32(&f[9..]);
        f.extend_from_slice(&crc.to_le_bytes());
        let d = decode(&f, linktype::IEEE802_11_RADIOTAP);
        let w = d.layer("wlan").unwrap();
        let fcs = w.field("wlan.fcs").unwrap();
        assert_eq!(
            (fcs.value.as_u64(), fcs.offset, fcs.len),
            (Some(u64::from(crc)), 19, 4)
        );
        assert!(fcs.shown().contains("(correct"), "{}", fcs.shown());
        assert_eq!(w.len, 10);
        assert_eq!(d.layers.len(), 2);
        assert_eq!(d.len, f.len());
    }

    #[test]
    fn protocol_version_1_is_not_read_as_version_0() {
        let d = decode(&[0x81, 0x30, 0, 0, 1, 1, 1, 1, 1, 1], linktype::IEEE802_11);
        let w = d.layer("wlan").unwrap();
        assert!(w.error.is_some());
        assert!(w.field("wlan.ra").is_none());
        assert_eq!(w.u64("wlan.fc.version"), Some(1));
    }

    #[test]
    fn crc32_check_value() {
        // The standard check value for CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn control_frames_addresses() {
        // RTS: RA then TA.
        let f = [0xb4, 0x00, 0x10, 0x00, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2];
        let d = decode(&f, linktype::IEEE802_11);
        assert_eq!(d.field("wlan.ra").map(|f| f.offset), Some(4));
        assert_eq!(d.field("wlan.ta").map(|f| f.offset), Some(10));
        assert!(d.field("wlan.seq").is_none());
        // PS-Poll: AID in place of duration, BSSID then TA.
        let f = [0xa4, 0x00, 0x01, 0xc0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2];
        let d = decode(&f, linktype::IEEE802_11);
        assert_eq!(d.u64("wlan.aid"), Some(1));
        assert_eq!(d.field("wlan.bssid").map(|f| f.offset), Some(4));
    }

    #[test]
    fn bad_tag_length_keeps_earlier_tags() {
        let mut f = BEACON.to_vec();
        f.truncate(44); // cuts the rates tag after two of its four rates
        let d = decode(&f, linktype::IEEE802_11);
        let m = d.layer("wlan.mgt").unwrap();
        assert!(m.field("wlan.ssid").is_some());
        let e = m.error.as_ref().unwrap();
        assert_eq!(e.offset, 41);
    }

    #[test]
    fn every_truncation_fails_cleanly() {
        for n in 0..BEACON.len() {
            let d = decode(&BEACON[..n], linktype::IEEE802_11);
            // A cut right after the fixed fields or between tags is a complete frame.
            if n == 36 || n == 41 || n == 47 || n == 50 {
                assert!(d.error().is_none(), "prefix {n}");
            } else {
                assert!(d.error().is_some(), "prefix {n} must carry an error");
            }
        }
    }
}
