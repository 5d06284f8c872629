//! The radiotap capture header (LINKTYPE_IEEE802_11_RADIOTAP 127; radiotap.org): version, length,
//! the chain of present bitmaps, and the fields they announce, each at its natural alignment
//! counted from the start of the header.
//!
//! Owns the header and what it tells the 802.11 decoder (FCS at the end, padding after the MAC
//! header). It must never guess at a field whose size it does not know: decoding of fields stops
//! there, and the header length alone decides where the 802.11 frame begins.

use super::{le_bits, le_flag, wlan};
use crate::decode::bytes::{array, le16, le32, le64, u8_at};
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;

/// Version, pad, length and the first present word.
const FIXED_LEN: usize = 8;

/// The `flags` field bits (radiotap.org "Flags").
const FLAG_FCS: u8 = 0x10;
const FLAG_DATAPAD: u8 = 0x20;
const FLAG_BADFCS: u8 = 0x40;

/// Present-word bits that are about the bitmap chain itself, in every namespace.
const BIT_RTAP_NS: u32 = 29;
const BIT_VENDOR_NS: u32 = 30;
const BIT_EXT: u32 = 31;

/// Presence bits of the radiotap namespace, in bit order (radiotap.org "Defined fields").
const PRESENT: [(&str, &str); 29] = [
    ("radiotap.present.tsft", "TSFT"),
    ("radiotap.present.flags", "Flags"),
    ("radiotap.present.rate", "Rate"),
    ("radiotap.present.channel", "Channel"),
    ("radiotap.present.fhss", "FHSS"),
    ("radiotap.present.dbm_antsignal", "dBm antenna signal"),
    ("radiotap.present.dbm_antnoise", "dBm antenna noise"),
    ("radiotap.present.lock_quality", "Lock quality"),
    ("radiotap.present.tx_attenuation", "TX attenuation"),
    ("radiotap.present.db_tx_attenuation", "dB TX attenuation"),
    ("radiotap.present.dbm_tx_power", "dBm TX power"),
    ("radiotap.present.antenna", "Antenna"),
    ("radiotap.present.db_antsignal", "dB antenna signal"),
    ("radiotap.present.db_antnoise", "dB antenna noise"),
    ("radiotap.present.rxflags", "RX flags"),
    ("radiotap.present.txflags", "TX flags"),
    ("radiotap.present.rts_retries", "RTS retries"),
    ("radiotap.present.data_retries", "Data retries"),
    ("radiotap.present.xchannel", "Channel+"),
    ("radiotap.present.mcs", "MCS information"),
    ("radiotap.present.ampdu", "A-MPDU status"),
    ("radiotap.present.vht", "VHT information"),
    ("radiotap.present.timestamp", "Frame timestamp"),
    ("radiotap.present.he", "HE information"),
    ("radiotap.present.he_mu", "HE-MU information"),
    ("radiotap.present.he_mu_user", "HE-MU other user"),
    ("radiotap.present.0_length.psdu", "0-length PSDU"),
    ("radiotap.present.l_sig", "L-SIG"),
    ("radiotap.present.tlv", "TLVs"),
];

/// Alignment and size of each radiotap-namespace field by bit (radiotap.org "Defined fields");
/// `None` for bit 28, after which the rest of the header is TLVs this decoder does not read.
fn layout(bit: u32) -> Option<(usize, usize)> {
    Some(match bit {
        0 => (8, 8),
        1 | 2 => (1, 1),
        3 => (2, 4),
        4 => (1, 2),
        5 | 6 => (1, 1),
        7..=9 => (2, 2),
        10..=13 => (1, 1),
        14 | 15 => (2, 2),
        16 | 17 => (1, 1),
        18 => (4, 8),
        19 => (1, 3),
        20 => (4, 8),
        21 => (2, 12),
        22 => (8, 12),
        23 | 24 => (2, 12),
        25 => (2, 6),
        26 => (1, 1),
        27 => (2, 4),
        _ => return None,
    })
}

/// What the radiotap header says about the frame after it.
#[derive(Default)]
struct Found {
    flags: Option<u8>,
    /// Set when a field of unknown size stopped field decoding before the end of the header.
    stopped_at: Option<usize>,
}

pub fn decode_radiotap(cx: &mut Ctx<'_>, off: usize) -> Next {
    let b = cx.frame;
    let avail = b.len().saturating_sub(off);
    let mut l = Layer::new("radiotap", "Radiotap header", off);
    let (Some(version), Some(pad), Some(length)) =
        (u8_at(b, off), u8_at(b, off + 1), le16(b, off + 2))
    else {
        l.len = avail;
        l.fail(
            off + avail,
            format!("radiotap header needs {FIXED_LEN} bytes; only {avail} captured"),
        );
        cx.push(l);
        return Next::Stop;
    };
    l.add(
        "radiotap.version",
        "Header revision",
        Value::UInt(u64::from(version)),
        off,
        1,
    );
    l.add(
        "radiotap.pad",
        "Header pad",
        Value::UInt(u64::from(pad)),
        off + 1,
        1,
    );
    l.add(
        "radiotap.length",
        "Header length",
        Value::UInt(u64::from(length)),
        off + 2,
        2,
    );
    let length = usize::from(length);
    l.title = format!("Radiotap header v{version}, length {length}").into();
    l.len = length.min(avail);
    if version != 0 {
        l.fail(
            off,
            format!("radiotap version {version} is not 0; the header cannot be read"),
        );
        cx.push(l);
        return Next::Stop;
    }
    if length < FIXED_LEN {
        l.fail(
            off + 2,
            format!("radiotap length {length} is shorter than the {FIXED_LEN}-byte fixed header"),
        );
        cx.push(l);
        return Next::Stop;
    }
    let end = off + length;
    let found = match read_fields(&mut l, b, off, end) {
        Ok(found) => found,
        Err((at, msg)) => {
            l.fail(at, msg);
            cx.push(l);
            return Next::Stop;
        }
    };
    if length > avail {
        l.fail(
            off + avail,
            format!("radiotap header claims {length} bytes; only {avail} captured"),
        );
        cx.push(l);
        return Next::Stop;
    }
    if found.stopped_at.is_some() {
        l.title.to_mut().push_str(" (some fields not decoded)");
    }
    cx.push(l);
    let flags = found.flags.unwrap_or(0);
    let opts = wlan::Options {
        fcs_at_end: flags & FLAG_FCS != 0,
        datapad: flags & FLAG_DATAPAD != 0,
        bad_fcs: flags & FLAG_BADFCS != 0,
    };
    wlan::decode_wlan(cx, end, opts)
}

/// Walks the present bitmaps and the fields they announce. `Err` carries the offset and message
/// of a field or bitmap that does not fit in the header or the capture.
fn read_fields(l: &mut Layer, b: &[u8], off: usize, end: usize) -> Result<Found, (usize, String)> {
    // The chain of present words: each word's top bit says another follows.
    let mut words = Vec::new();
    let mut p = off + 4;
    loop {
        if p + 4 > end {
            return Err((
                p,
                format!(
                    "present bitmap {} runs past the header's end at byte {end}",
                    words.len() + 1
                ),
            ));
        }
        let Some(w) = le32(b, p) else {
            return Err((
                p,
                "present bitmap is cut off by the end of the capture".into(),
            ));
        };
        words.push(w);
        p += 4;
        if w & (1 << BIT_EXT) == 0 {
            break;
        }
    }
    let start = off + 4;
    l.add(
        "radiotap.present",
        "Present flags",
        Value::None,
        start,
        p - start,
    );

    let mut found = Found::default();
    let mut d = p;
    // Namespace state: which bit numbers the current word stands for.
    let mut in_vendor = false;
    let mut base = 0u32;
    let mut stopped = false;
    for (i, &w) in words.iter().enumerate() {
        let at = start + 4 * i;
        add_present_word(l, w, at, in_vendor, base);
        if !stopped && !in_vendor {
            for bit in 0..BIT_RTAP_NS {
                if w & (1 << bit) == 0 {
                    continue;
                }
                let Some((align, size)) = base.checked_add(bit).and_then(layout) else {
                    found.stopped_at = Some(d);
                    stopped = true;
                    break;
                };
                // Alignment counts from the start of the radiotap header, not the frame.
                let rel = d - off;
                d = off + rel.div_ceil(align) * align;
                if d + size > end {
                    return Err((
                        d,
                        format!(
                            "radiotap field {} needs {size} bytes at byte {d}; the header ends at byte {end}",
                            PRESENT.get(bit as usize).map_or("?", |x| x.1)
                        ),
                    ));
                }
                if d + size > b.len() {
                    return Err((
                        b.len(),
                        format!(
                            "radiotap header is cut off by the end of the capture at byte {}",
                            b.len()
                        ),
                    ));
                }
                add_field(l, b, base + bit, d, &mut found);
                d += size;
            }
        }
        // What the next word describes.
        if w & (1 << BIT_RTAP_NS) != 0 {
            in_vendor = false;
            base = 0;
        } else if w & (1 << BIT_VENDOR_NS) != 0 {
            in_vendor = true;
            base = 0;
            if !stopped {
                d = off + (d - off).div_ceil(2) * 2;
                match vendor_namespace(l, b, d, end) {
                    Some(next) => d = next,
                    None => {
                        return Err((
                            d,
                            format!("vendor namespace at byte {d} does not fit in the header"),
                        ))
                    }
                }
            }
        } else {
            base = base.saturating_add(32);
        }
    }
    Ok(found)
}

fn add_present_word(l: &mut Layer, w: u32, at: usize, in_vendor: bool, base: u32) {
    let word = u64::from(w);
    l.add_bits(
        "radiotap.present.word",
        "Present flags word",
        Value::UInt(word),
        at,
        4,
        0,
        1,
    )
    .show(|| {
        format!(
            "0x{w:08x}{}",
            if in_vendor { " (vendor namespace)" } else { "" }
        )
    });
    if !in_vendor && base == 0 {
        for (bit, (name, label)) in PRESENT.iter().enumerate() {
            le_flag(l, name, label, word, at, 4, 1 << bit, 2);
        }
    }
    le_flag(
        l,
        "radiotap.present.rtap_ns",
        "Radiotap namespace next",
        word,
        at,
        4,
        1 << BIT_RTAP_NS,
        2,
    );
    le_flag(
        l,
        "radiotap.present.vendor_ns",
        "Vendor namespace next",
        word,
        at,
        4,
        1 << BIT_VENDOR_NS,
        2,
    );
    le_flag(
        l,
        "radiotap.present.ext",
        "Ext",
        word,
        at,
        4,
        1 << BIT_EXT,
        2,
    );
}

/// The vendor namespace header (OUI, sub-namespace, skip length) and the data it covers, which
/// is skipped whole: its layout is the vendor's. Returns the offset after it.
fn vendor_namespace(l: &mut Layer, b: &[u8], d: usize, end: usize) -> Option<usize> {
    let oui = array::<3>(b, d)?;
    let subns = u8_at(b, d + 3)?;
    let skip = usize::from(le16(b, d + 4)?);
    let next = d.checked_add(6)?.checked_add(skip)?;
    if next > end {
        return None;
    }
    let [o0, o1, o2] = oui;
    l.add(
        "radiotap.vendor_oui",
        "Vendor OUI",
        Value::UInt(u64::from(u32::from_be_bytes([0, o0, o1, o2]))),
        d,
        3,
    )
    .show(|| format!("{o0:02x}:{o1:02x}:{o2:02x}"));
    l.add(
        "radiotap.vendor_subns",
        "Vendor sub namespace",
        Value::UInt(u64::from(subns)),
        d + 3,
        1,
    );
    l.add(
        "radiotap.vendor_data_len",
        "Vendor data length",
        Value::UInt(skip as u64),
        d + 4,
        2,
    );
    // The header may claim more than was captured (the caller reports that): the field covers
    // only the vendor bytes that exist.
    let captured = skip.min(b.len().saturating_sub(d + 6));
    if captured > 0 {
        l.add(
            "radiotap.vendor_data",
            "Vendor data",
            Value::None,
            d + 6,
            captured,
        );
    }
    Some(next)
}

/// One field at `d`, already checked to lie inside the header and the capture.
fn add_field(l: &mut Layer, b: &[u8], bit: u32, d: usize, found: &mut Found) {
    let u8v = |o: usize| u64::from(u8_at(b, o).unwrap_or(0));
    let i8v = |o: usize| i64::from(u8_at(b, o).unwrap_or(0) as i8);
    let u16v = |o: usize| u64::from(le16(b, o).unwrap_or(0));
    let u32v = |o: usize| u64::from(le32(b, o).unwrap_or(0));
    let u64v = |o: usize| le64(b, o).unwrap_or(0);
    match bit {
        0 => {
            l.add(
                "radiotap.mactime",
                "MAC timestamp",
                Value::UInt(u64v(d)),
                d,
                8,
            )
            .show(|| format!("{} µs", u64v(d)));
        }
        1 => {
            let f = u8_at(b, d).unwrap_or(0);
            if found.flags.is_none() {
                found.flags = Some(f);
            }
            let w = u64::from(f);
            l.add("radiotap.flags", "Flags", Value::UInt(w), d, 1)
                .show(|| format!("0x{f:02x}"));
            for (name, label, m) in [
                ("radiotap.flags.cfp", "CFP", 0x01),
                ("radiotap.flags.preamble", "Short preamble", 0x02),
                ("radiotap.flags.wep", "WEP", 0x04),
                ("radiotap.flags.frag", "Fragmentation", 0x08),
                ("radiotap.flags.fcs", "FCS at end", 0x10),
                ("radiotap.flags.datapad", "Data pad", 0x20),
                ("radiotap.flags.badfcs", "Bad FCS", 0x40),
                ("radiotap.flags.shortgi", "Short GI", 0x80),
            ] {
                l.add_flag(name, label, w, d, 1, m, 1);
            }
        }
        2 => {
            // Units of 500 kb/s.
            let r = u8v(d);
            let text = if r % 2 == 1 {
                format!("{}.5", r / 2)
            } else {
                format!("{}", r / 2)
            };
            l.add(
                "radiotap.datarate",
                "Data rate (Mb/s)",
                Value::Str(text.clone()),
                d,
                1,
            )
            .show(|| format!("{text} Mb/s"));
        }
        3 => {
            let freq = u16v(d);
            l.add(
                "radiotap.channel.freq",
                "Channel frequency",
                Value::UInt(freq),
                d,
                2,
            )
            .show(|| match channel_number(freq) {
                Some(c) => format!("{freq} MHz (channel {c})"),
                None => format!("{freq} MHz"),
            });
            let flags = u16v(d + 2);
            l.add(
                "radiotap.channel.flags",
                "Channel flags",
                Value::UInt(flags),
                d + 2,
                2,
            )
            .show(|| format!("0x{flags:04x}"));
            for (name, label, m) in [
                ("radiotap.channel.flags.turbo", "Turbo", 0x0010),
                ("radiotap.channel.flags.cck", "CCK", 0x0020),
                ("radiotap.channel.flags.ofdm", "OFDM", 0x0040),
                ("radiotap.channel.flags.2ghz", "2 GHz spectrum", 0x0080),
                ("radiotap.channel.flags.5ghz", "5 GHz spectrum", 0x0100),
                ("radiotap.channel.flags.passive", "Passive", 0x0200),
                ("radiotap.channel.flags.dynamic", "Dynamic CCK-OFDM", 0x0400),
                ("radiotap.channel.flags.gfsk", "GFSK", 0x0800),
                ("radiotap.channel.flags.half", "Half rate (10 MHz)", 0x4000),
                (
                    "radiotap.channel.flags.quarter",
                    "Quarter rate (5 MHz)",
                    0x8000,
                ),
            ] {
                le_flag(l, name, label, flags, d + 2, 2, m, 1);
            }
        }
        4 => {
            l.add(
                "radiotap.fhss.hopset",
                "FHSS hop set",
                Value::UInt(u8v(d)),
                d,
                1,
            );
            l.add(
                "radiotap.fhss.pattern",
                "FHSS pattern",
                Value::UInt(u8v(d + 1)),
                d + 1,
                1,
            );
        }
        5 => {
            l.add(
                "radiotap.dbm_antsignal",
                "Antenna signal",
                Value::Int(i8v(d)),
                d,
                1,
            )
            .show(|| format!("{} dBm", i8v(d)));
        }
        6 => {
            l.add(
                "radiotap.dbm_antnoise",
                "Antenna noise",
                Value::Int(i8v(d)),
                d,
                1,
            )
            .show(|| format!("{} dBm", i8v(d)));
        }
        7 => {
            l.add(
                "radiotap.quality",
                "Signal quality",
                Value::UInt(u16v(d)),
                d,
                2,
            );
        }
        8 => {
            l.add(
                "radiotap.txattenuation",
                "TX attenuation",
                Value::UInt(u16v(d)),
                d,
                2,
            );
        }
        9 => {
            l.add(
                "radiotap.db_txattenuation",
                "dB TX attenuation",
                Value::UInt(u16v(d)),
                d,
                2,
            );
        }
        10 => {
            l.add(
                "radiotap.txpower",
                "Transmit power",
                Value::Int(i8v(d)),
                d,
                1,
            )
            .show(|| format!("{} dBm", i8v(d)));
        }
        11 => {
            l.add("radiotap.antenna", "Antenna", Value::UInt(u8v(d)), d, 1);
        }
        12 => {
            l.add(
                "radiotap.db_antsignal",
                "dB antenna signal",
                Value::UInt(u8v(d)),
                d,
                1,
            )
            .show(|| format!("{} dB", u8v(d)));
        }
        13 => {
            l.add(
                "radiotap.db_antnoise",
                "dB antenna noise",
                Value::UInt(u8v(d)),
                d,
                1,
            )
            .show(|| format!("{} dB", u8v(d)));
        }
        14 => {
            let f = u16v(d);
            l.add("radiotap.rxflags", "RX flags", Value::UInt(f), d, 2)
                .show(|| format!("0x{f:04x}"));
            le_flag(
                l,
                "radiotap.rxflags.badplcp",
                "Bad PLCP",
                f,
                d,
                2,
                0x0002,
                1,
            );
        }
        15 => {
            let f = u16v(d);
            l.add("radiotap.txflags", "TX flags", Value::UInt(f), d, 2)
                .show(|| format!("0x{f:04x}"));
        }
        17 => {
            l.add(
                "radiotap.data_retries",
                "Data retries",
                Value::UInt(u8v(d)),
                d,
                1,
            );
        }
        18 => {
            let flags = u32v(d);
            l.add(
                "radiotap.xchannel.flags",
                "Channel flags",
                Value::UInt(flags),
                d,
                4,
            )
            .show(|| format!("0x{flags:08x}"));
            let freq = u16v(d + 4);
            l.add(
                "radiotap.xchannel.freq",
                "Channel frequency",
                Value::UInt(freq),
                d + 4,
                2,
            )
            .show(|| format!("{freq} MHz"));
            l.add(
                "radiotap.xchannel.channel",
                "Channel number",
                Value::UInt(u8v(d + 6)),
                d + 6,
                1,
            );
        }
        19 => {
            l.add(
                "radiotap.mcs.known",
                "Known MCS information",
                Value::UInt(u8v(d)),
                d,
                1,
            );
            let f = u8v(d + 1);
            l.add_bits(
                "radiotap.mcs.bw",
                "Bandwidth",
                Value::UInt(f & 0x03),
                d + 1,
                1,
                0x03,
                1,
            );
            l.add_bits(
                "radiotap.mcs.gi",
                "Guard interval",
                Value::UInt((f & 0x04) >> 2),
                d + 1,
                1,
                0x04,
                1,
            );
            l.add_bits(
                "radiotap.mcs.format",
                "Format",
                Value::UInt((f & 0x08) >> 3),
                d + 1,
                1,
                0x08,
                1,
            );
            l.add_bits(
                "radiotap.mcs.fec",
                "FEC type",
                Value::UInt((f & 0x10) >> 4),
                d + 1,
                1,
                0x10,
                1,
            );
            l.add_bits(
                "radiotap.mcs.stbc",
                "STBC streams",
                Value::UInt((f & 0x60) >> 5),
                d + 1,
                1,
                0x60,
                1,
            );
            l.add(
                "radiotap.mcs.index",
                "MCS index",
                Value::UInt(u8v(d + 2)),
                d + 2,
                1,
            );
        }
        20 => {
            l.add(
                "radiotap.ampdu.reference",
                "A-MPDU reference number",
                Value::UInt(u32v(d)),
                d,
                4,
            );
            let f = u16v(d + 4);
            l.add(
                "radiotap.ampdu.flags",
                "A-MPDU flags",
                Value::UInt(f),
                d + 4,
                2,
            )
            .show(|| format!("0x{f:04x}"));
            le_flag(
                l,
                "radiotap.ampdu.flags.last",
                "Last subframe",
                f,
                d + 4,
                2,
                0x0008,
                1,
            );
            l.add(
                "radiotap.ampdu.delim_crc",
                "Delimiter CRC",
                Value::UInt(u8v(d + 6)),
                d + 6,
                1,
            );
        }
        21 => {
            let v = b.get(d..d + 12).unwrap_or(&[]).to_vec();
            l.add("radiotap.vht", "VHT information", Value::Bytes(v), d, 12);
        }
        22 => {
            l.add(
                "radiotap.timestamp.ts",
                "Timestamp",
                Value::UInt(u64v(d)),
                d,
                8,
            );
            l.add(
                "radiotap.timestamp.accuracy",
                "Accuracy",
                Value::UInt(u16v(d + 8)),
                d + 8,
                2,
            );
            le_bits(
                l,
                "radiotap.timestamp.unit",
                "Time unit",
                u8v(d + 10),
                d + 10,
                1,
                0x0f,
                0,
            );
        }
        23 => {
            const HE: [&str; 6] = [
                "radiotap.he.data_1",
                "radiotap.he.data_2",
                "radiotap.he.data_3",
                "radiotap.he.data_4",
                "radiotap.he.data_5",
                "radiotap.he.data_6",
            ];
            for (i, name) in HE.iter().enumerate() {
                let o = d + 2 * i;
                l.add(name, "HE data", Value::UInt(u16v(o)), o, 2)
                    .show(|| format!("0x{:04x}", u16v(o)));
            }
        }
        24 => {
            l.add(
                "radiotap.he_mu.flags_1",
                "HE-MU flags 1",
                Value::UInt(u16v(d)),
                d,
                2,
            );
            l.add(
                "radiotap.he_mu.flags_2",
                "HE-MU flags 2",
                Value::UInt(u16v(d + 2)),
                d + 2,
                2,
            );
        }
        26 => {
            l.add(
                "radiotap.0_len_psdu.type",
                "0-length PSDU type",
                Value::UInt(u8v(d)),
                d,
                1,
            );
        }
        27 => {
            l.add(
                "radiotap.l_sig.data1",
                "L-SIG data 1",
                Value::UInt(u16v(d)),
                d,
                2,
            );
            l.add(
                "radiotap.l_sig.data2",
                "L-SIG data 2",
                Value::UInt(u16v(d + 2)),
                d + 2,
                2,
            );
        }
        // RTS retries (16) and HE-MU other user (25) have no Wireshark field of their own; their
        // bytes stay inside the layer without a name.
        _ => {}
    }
}

/// IEEE 802.11 channel number for a centre frequency in the 2.4 and 5 GHz bands.
fn channel_number(freq: u64) -> Option<u64> {
    match freq {
        2484 => Some(14),
        2412..=2472 => Some((freq - 2407) / 5),
        5000..=5925 => Some((freq - 5000) / 5),
        4915..=4980 => Some((freq - 4000) / 5),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::{decode, linktype};
    use crate::field::Value;

    /// A radiotap header with flags, rate, channel, dBm signal, antenna and RX flags, then an
    /// 802.11 ACK and its FCS.
    pub(crate) const RT_ACK: [u8; 34] = [
        0x00, // radiotap.version
        0x00, // radiotap.pad
        0x14, 0x00, // radiotap.length: 20
        0x2e, 0x48, 0x00,
        0x00, // present: flags, rate, channel, dbm_antsignal, antenna, rxflags
        0x10, // radiotap.flags: FCS at end
        0x02, // radiotap.datarate: 1 Mb/s
        0x6c, 0x09, // radiotap.channel.freq: 2412
        0xa0, 0x00, // radiotap.channel.flags: CCK, 2 GHz
        0xc4, // radiotap.dbm_antsignal: -60
        0x01, // radiotap.antenna: 1
        0x00, 0x00, // radiotap.rxflags
        0x00, 0x00, // padding is not needed here; two spare bytes count in the length
        0xd4, 0x00, // wlan.fc: ACK
        0x00, 0x00, // wlan.duration
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // wlan.ra
        0xde, 0xad, 0xbe, 0xef, // wlan.fcs (not a valid CRC)
    ];

    #[test]
    fn fields_alignment_and_fcs() {
        let d = decode(&RT_ACK, linktype::IEEE802_11_RADIOTAP);
        let r = d.layer("radiotap").unwrap();
        assert!(r.error.is_none(), "{:?}", r.error);
        assert_eq!((r.offset, r.len), (0, 20));
        let f = r.field("radiotap.length").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(20), 2, 2));
        let f = r.field("radiotap.present.word").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(0x482e), 4, 4));
        let f = r.field("radiotap.present.flags").unwrap();
        assert_eq!(f.value, Value::Bool(true));
        assert_eq!(f.mask, 0x0200_0000);
        assert_eq!(r.get("radiotap.present.tsft"), Some(&Value::Bool(false)));
        let f = r.field("radiotap.flags.fcs").unwrap();
        assert_eq!(
            (f.value.clone(), f.offset, f.mask),
            (Value::Bool(true), 8, 0x10)
        );
        let f = r.field("radiotap.datarate").unwrap();
        assert_eq!((f.value.as_str(), f.offset), (Some("1"), 9));
        let f = r.field("radiotap.channel.freq").unwrap();
        assert_eq!((f.value.as_u64(), f.offset, f.len), (Some(2412), 10, 2));
        assert!(f.shown().contains("channel 1"));
        let f = r.field("radiotap.channel.flags.2ghz").unwrap();
        assert_eq!(
            (f.value.clone(), f.offset, f.len, f.mask),
            (Value::Bool(true), 12, 2, 0x8000)
        );
        let f = r.field("radiotap.dbm_antsignal").unwrap();
        assert_eq!((f.value.clone(), f.offset), (Value::Int(-60), 14));
        assert_eq!(r.u64("radiotap.antenna"), Some(1));
        assert_eq!(r.field("radiotap.rxflags").map(|f| f.offset), Some(16));

        let w = d.layer("wlan").unwrap();
        assert_eq!(w.offset, 20);
        assert_eq!(w.u64("wlan.fc.type_subtype"), Some(0x1d));
        let f = w.field("wlan.fcs").unwrap();
        assert_eq!(
            (f.value.as_u64(), f.offset, f.len),
            (Some(0xefbeadde), 30, 4)
        );
        assert!(f.shown().contains("incorrect"));
        // Nothing after the ACK: the FCS must not turn into payload.
        assert_eq!(d.layers.len(), 2);
    }

    #[test]
    fn tsft_alignment_and_extended_bitmaps() {
        let f = [
            0x00, 0x00, // version, pad
            0x20, 0x00, // length 32
            0x03, 0x00, 0x00, 0xa0, // present: tsft, flags, radiotap ns next, ext
            0x20, 0x08, 0x00,
            0x00, // present word 2 (radiotap ns again): dbm_antsignal, antenna
            0xee, 0xee, 0xee, 0xee, // alignment padding: TSFT is 8-aligned, so 12 -> 16
            0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, // radiotap.mactime at 16
            0x00, // radiotap.flags at 24
            0xd0, // dbm_antsignal of the second namespace: -48
            0x02, // antenna 2
            0, 0, 0, 0, 0, // spare bytes up to the stated length
        ];
        let d = decode(&f, linktype::IEEE802_11_RADIOTAP);
        let r = d.layer("radiotap").unwrap();
        assert!(r.error.is_none(), "{:?}", r.error);
        assert_eq!(d.all("radiotap.present.word").count(), 2);
        let m = r.field("radiotap.mactime").unwrap();
        assert_eq!(
            (m.value.as_u64(), m.offset, m.len),
            (Some(0x8877_6655_4433_2211), 16, 8)
        );
        assert_eq!(r.field("radiotap.flags").map(|f| f.offset), Some(24));
        let s = r.field("radiotap.dbm_antsignal").unwrap();
        assert_eq!((s.value.clone(), s.offset), (Value::Int(-48), 25));
        assert_eq!(r.field("radiotap.antenna").map(|f| f.offset), Some(26));
        // 802.11 starts after the stated length; 0 bytes left makes an empty, failed wlan layer.
        assert_eq!(d.layer("wlan").map(|l| l.offset), Some(32));
    }

    #[test]
    fn vendor_namespace_is_skipped_and_unknown_bits_stop_fields() {
        let f = [
            0x00, 0x00, 0x18, 0x00, // version, pad, length 24
            0x02, 0x00, 0x00, 0xc0, // flags, vendor ns next, ext
            0x01, 0x00, 0x00, 0x00, // vendor word: bit 0 (vendor-defined)
            0x00, // radiotap.flags at 12
            0x00, // pad to 2
            0x00, 0x11, 0x22, 0x05, // vendor OUI 00:11:22, sub-namespace 5
            0x02, 0x00, // skip length 2
            0xaa, 0xbb, // vendor data
            0x00, 0x00, // spare
        ];
        let d = decode(&f, linktype::IEEE802_11_RADIOTAP);
        let r = d.layer("radiotap").unwrap();
        assert!(r.error.is_none(), "{:?}", r.error);
        assert_eq!(r.u64("radiotap.vendor_subns"), Some(5));
        assert_eq!(r.field("radiotap.vendor_oui").map(|f| f.offset), Some(14));
        assert_eq!(
            r.field("radiotap.vendor_data").map(|f| (f.offset, f.len)),
            Some((20, 2))
        );

        // Bit 28 (TLVs) stops field decoding but not the frame.
        let g = [
            0x00, 0x00, 0x0c, 0x00, // length 12
            0x00, 0x00, 0x00, 0x10, // present: tlv
            0x01, 0x02, 0x03, 0x04, // undecoded TLV bytes
            0xd4, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6, // ACK
        ];
        let d = decode(&g, linktype::IEEE802_11_RADIOTAP);
        let r = d.layer("radiotap").unwrap();
        assert!(r.error.is_none());
        assert!(r.title.contains("not decoded"));
        assert_eq!(d.layer("wlan").map(|l| l.offset), Some(12));
    }

    #[test]
    fn bad_lengths_fail_cleanly() {
        // Length 4: shorter than the fixed header.
        let d = decode(&[0, 0, 4, 0, 0, 0, 0, 0], linktype::IEEE802_11_RADIOTAP);
        assert!(d.layers[0].error.is_some());
        // A field that runs past the stated length.
        let d = decode(
            &[0, 0, 8, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            linktype::IEEE802_11_RADIOTAP,
        );
        assert!(d.layers[0].error.is_some());
        // An endless chain of extension words.
        let d = decode(
            &[0, 0, 12, 0, 0, 0, 0, 0x80, 0, 0, 0, 0x80, 0, 0, 0, 0x80],
            linktype::IEEE802_11_RADIOTAP,
        );
        assert!(d.layers[0].error.is_some());
    }

    #[test]
    fn every_truncation_fails_cleanly() {
        for n in 0..RT_ACK.len() {
            let d = decode(&RT_ACK[..n], linktype::IEEE802_11_RADIOTAP);
            assert!(d.error().is_some(), "prefix {n} must carry an error");
        }
    }
}
