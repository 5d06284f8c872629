//! DNS messages (RFC 1035) over UDP and TCP, and the same wire format used by mDNS (RFC 6762)
//! and LLMNR (RFC 4795): header, flags, questions and resource records with the common RDATA.
//!
//! Owns the bounded name reader the NetBIOS name service reuses. It must never follow
//! compression pointers without a limit, never trust section counts (a header claiming 65535
//! questions costs only as much work as the bytes present), and never read past the message.

use super::{bounded, lossy, named};
use crate::decode::bytes::{be16, be32, slice, u8_at};
use crate::decode::{Ctx, Layer, Next, Transport};
use crate::field::Value;
use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Dns,
    Mdns,
    Llmnr,
}

/// Byte offsets of the fixed header, relative to the message start.
mod field {
    pub const ID: usize = 0;
    pub const FLAGS: usize = 2;
    pub const QDCOUNT: usize = 4;
    pub const ANCOUNT: usize = 6;
    pub const NSCOUNT: usize = 8;
    pub const ARCOUNT: usize = 10;
    pub const HEADER_LEN: usize = 12;
}

/// RFC 1035 section 2.3.4: a name is at most 255 bytes in wire form, so at most 127 labels; the
/// brief allows 128. A legitimate name needs at most one pointer per label.
const MAX_NAME_WIRE: usize = 255;
const MAX_LABELS: usize = 128;
const MAX_POINTERS: usize = 128;

/// A name read from a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// Presentation form: labels joined by dots, odd bytes escaped, `<Root>` for the root.
    pub text: String,
    /// Raw bytes of each label, for decoders (NetBIOS) that give the first label a meaning.
    pub labels: Vec<Vec<u8>>,
    /// Bytes the name occupies where it is written (up to its terminator or first pointer).
    pub len: usize,
}

/// Why a name could not be read: the offset of the problem and a message.
pub type NameError = (usize, String);

/// Reads the name at `at`. `b` ends where the message ends; `msg_start` is where compression
/// pointers count from.
pub fn read_name(b: &[u8], msg_start: usize, at: usize) -> Result<Name, NameError> {
    let mut pos = at;
    let mut in_place: Option<usize> = None;
    let mut labels: Vec<Vec<u8>> = Vec::new();
    let mut wire = 1usize; // the terminating zero
    let mut pointers = 0usize;
    loop {
        let len = u8_at(b, pos).ok_or_else(|| (pos, format!("name cut off at offset {pos}")))?;
        match len & 0xc0 {
            0xc0 => {
                let ptr = be16(b, pos)
                    .ok_or_else(|| (pos, format!("compression pointer cut off at offset {pos}")))?
                    & 0x3fff;
                if in_place.is_none() {
                    in_place = Some(pos.saturating_add(2));
                }
                pointers += 1;
                if pointers > MAX_POINTERS {
                    return Err((pos, format!("compression pointer loop at offset {pos}")));
                }
                let target = msg_start.saturating_add(usize::from(ptr));
                if target >= b.len() {
                    return Err((
                        pos,
                        format!(
                            "compression pointer at offset {pos} points to message offset {ptr}, past the end"
                        ),
                    ));
                }
                pos = target;
            }
            0x00 if len == 0 => {
                let end = in_place.unwrap_or(pos.saturating_add(1));
                let text = if labels.is_empty() {
                    "<Root>".to_string()
                } else {
                    let parts: Vec<String> = labels.iter().map(|l| escape_label(l)).collect();
                    parts.join(".")
                };
                return Ok(Name {
                    text,
                    labels,
                    len: end.saturating_sub(at),
                });
            }
            0x00 => {
                if labels.len() >= MAX_LABELS {
                    return Err((pos, format!("name has more than {MAX_LABELS} labels at offset {pos}")));
                }
                wire = wire.saturating_add(1 + usize::from(len));
                if wire > MAX_NAME_WIRE {
                    return Err((pos, format!("name longer than {MAX_NAME_WIRE} bytes at offset {pos}")));
                }
                let start = pos.saturating_add(1);
                let label = slice(b, start, usize::from(len))
                    .ok_or_else(|| (pos, format!("label of {len} bytes at offset {pos} runs past the end")))?;
                labels.push(label.to_vec());
                pos = start.saturating_add(usize::from(len));
            }
            _ => {
                return Err((
                    pos,
                    format!(
                        "label length byte 0x{len:02x} at offset {pos} is neither a length up to 63 nor a pointer"
                    ),
                ))
            }
        }
    }
}

/// Presentation form of one label (RFC 4343 section 2.1): printable ASCII as itself, a dot or
/// backslash inside the label escaped, anything else (space included) as `\DDD` in decimal.
pub fn escape_label(l: &[u8]) -> String {
    let mut s = String::with_capacity(l.len());
    for &c in l {
        match c {
            b'.' | b'\\' => {
                s.push('\\');
                s.push(char::from(c));
            }
            0x21..=0x7e => s.push(char::from(c)),
            _ => s.push_str(&format!("\\{c:03}")),
        }
    }
    s
}

/// Resource record types (IANA "Domain Name System (DNS) Parameters", Resource Record TYPEs).
pub fn type_name(t: u16) -> Option<&'static str> {
    Some(match t {
        1 => "A",
        2 => "NS",
        3 => "MD",
        4 => "MF",
        5 => "CNAME",
        6 => "SOA",
        7 => "MB",
        8 => "MG",
        9 => "MR",
        10 => "NULL",
        11 => "WKS",
        12 => "PTR",
        13 => "HINFO",
        14 => "MINFO",
        15 => "MX",
        16 => "TXT",
        17 => "RP",
        18 => "AFSDB",
        24 => "SIG",
        25 => "KEY",
        28 => "AAAA",
        29 => "LOC",
        30 => "NXT",
        32 => "NB",
        33 => "SRV",
        35 => "NAPTR",
        36 => "KX",
        37 => "CERT",
        38 => "A6",
        39 => "DNAME",
        41 => "OPT",
        42 => "APL",
        43 => "DS",
        44 => "SSHFP",
        45 => "IPSECKEY",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        49 => "DHCID",
        50 => "NSEC3",
        51 => "NSEC3PARAM",
        52 => "TLSA",
        53 => "SMIMEA",
        55 => "HIP",
        59 => "CDS",
        60 => "CDNSKEY",
        61 => "OPENPGPKEY",
        62 => "CSYNC",
        63 => "ZONEMD",
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        249 => "TKEY",
        250 => "TSIG",
        251 => "IXFR",
        252 => "AXFR",
        253 => "MAILB",
        254 => "MAILA",
        255 => "ANY",
        256 => "URI",
        257 => "CAA",
        32769 => "DLV",
        _ => return None,
    })
}

/// Classes (IANA DNS CLASSes; RFC 1035, RFC 2136).
pub fn class_name(c: u16) -> Option<&'static str> {
    Some(match c {
        1 => "IN",
        3 => "CH",
        4 => "HS",
        254 => "NONE",
        255 => "ANY",
        _ => return None,
    })
}

/// Opcodes (IANA DNS OpCodes; RFC 1035, 1996, 2136, 8490).
fn opcode_name(o: u16) -> Option<&'static str> {
    Some(match o {
        0 => "Standard query",
        1 => "Inverse query",
        2 => "Server status request",
        4 => "Zone change notification",
        5 => "Dynamic update",
        6 => "DNS Stateful operations (DSO)",
        _ => return None,
    })
}

/// Response codes that fit the header's four bits (IANA DNS RCODEs; RFC 1035, 2136, 6895).
pub fn rcode_name(r: u16) -> Option<&'static str> {
    Some(match r {
        0 => "No error",
        1 => "Format error",
        2 => "Server failure",
        3 => "No such name",
        4 => "Not implemented",
        5 => "Refused",
        6 => "Name exists",
        7 => "RRset exists",
        8 => "RRset does not exist",
        9 => "Not authoritative",
        10 => "Name out of zone",
        11 => "DSO-Type not implemented",
        _ => return None,
    })
}

pub fn decode(
    cx: &mut Ctx<'_>,
    flavor: Flavor,
    transport: Transport,
    offset: usize,
    end: usize,
) -> Next {
    let (proto, title) = match flavor {
        Flavor::Dns => ("dns", "Domain Name System"),
        Flavor::Mdns => ("mdns", "Multicast Domain Name System"),
        Flavor::Llmnr => ("llmnr", "Link-local Multicast Name Resolution"),
    };
    let b = bounded(cx, end);
    let mut l = Layer::new(proto, title, offset);
    l.len = end.saturating_sub(offset);
    let mut start = offset;
    let mut msg_end = b.len();
    if transport == Transport::Tcp {
        // RFC 1035 section 4.2.2: over TCP each message is preceded by its length.
        match be16(b, offset) {
            Some(n) => {
                l.add("dns.length", "Length", Value::UInt(u64::from(n)), offset, 2);
                start = offset.saturating_add(2);
                let claimed = start.saturating_add(usize::from(n));
                if claimed > b.len() {
                    l.fail(
                        b.len(),
                        format!(
                            "length prefix claims {n} bytes; only {} in this segment",
                            b.len().saturating_sub(start)
                        ),
                    );
                } else {
                    msg_end = claimed;
                }
            }
            None => {
                l.fail(offset, "TCP length prefix cut off after 1 byte");
                cx.push(l);
                return Next::Stop;
            }
        }
    }
    let msg = b.get(..msg_end).unwrap_or(b);
    let response = decode_message(&mut l, msg, start, flavor);
    if let Some(r) = response {
        l.title = format!("{title} ({})", if r { "response" } else { "query" }).into();
    }
    cx.push(l);
    Next::Stop
}

/// Decodes one message starting at `start` in `b` (which ends where the message ends). Returns
/// whether it is a response, once the flags were read.
fn decode_message(l: &mut Layer, b: &[u8], start: usize, flavor: Flavor) -> Option<bool> {
    let at = |rel: usize| start.saturating_add(rel);
    let Some(id) = be16(b, at(field::ID)) else {
        l.fail(start, "DNS header cut off before the transaction ID");
        return None;
    };
    l.add(
        "dns.id",
        "Transaction ID",
        Value::UInt(u64::from(id)),
        at(field::ID),
        2,
    )
    .show(|| format!("0x{id:04x}"));
    let Some(flags) = be16(b, at(field::FLAGS)) else {
        l.fail(at(field::FLAGS), "DNS header cut off before the flags");
        return None;
    };
    let response = add_flags(l, flags, at(field::FLAGS));
    let counts = [
        (field::QDCOUNT, "dns.count.queries", "Questions"),
        (field::ANCOUNT, "dns.count.answers", "Answer RRs"),
        (field::NSCOUNT, "dns.count.auth_rr", "Authority RRs"),
        (field::ARCOUNT, "dns.count.add_rr", "Additional RRs"),
    ];
    let mut n = [0u16; 4];
    for ((rel, name, label), slot) in counts.iter().zip(n.iter_mut()) {
        let Some(v) = be16(b, at(*rel)) else {
            l.fail(
                at(*rel),
                format!("DNS header cut off at offset {}", at(*rel)),
            );
            return Some(response);
        };
        l.add(name, label, Value::UInt(u64::from(v)), at(*rel), 2);
        *slot = v;
    }
    let [qd, an, ns, ar] = n;
    let mut pos = at(field::HEADER_LEN);
    for i in 0..qd {
        if pos >= b.len() {
            l.fail(
                pos,
                format!("header claims {qd} questions; the message ends after {i}"),
            );
            return Some(response);
        }
        match question(l, b, start, pos, flavor) {
            Some(next) => pos = next,
            None => return Some(response),
        }
    }
    for (count, what) in [
        (an, "answers"),
        (ns, "authority records"),
        (ar, "additional records"),
    ] {
        for i in 0..count {
            if pos >= b.len() {
                l.fail(
                    pos,
                    format!("header claims {count} {what}; the message ends after {i}"),
                );
                return Some(response);
            }
            match record(l, b, start, pos, flavor) {
                Some(next) => pos = next,
                None => return Some(response),
            }
        }
    }
    Some(response)
}

fn add_flags(l: &mut Layer, flags: u16, off: usize) -> bool {
    let w = u64::from(flags);
    let response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0xf;
    let rcode = flags & 0xf;
    l.add("dns.flags", "Flags", Value::UInt(w), off, 2)
        .show(|| {
            let mut summary = named(opcode_name(opcode), u64::from(opcode));
            if response {
                summary = format!(
                    "{summary} response, {}",
                    rcode_name(rcode).unwrap_or("unknown rcode")
                );
            }
            format!("0x{flags:04x} {summary}")
        });
    l.add_flag("dns.flags.response", "Response", w, off, 2, 0x8000, 1);
    l.add_bits(
        "dns.flags.opcode",
        "Opcode",
        Value::UInt(u64::from(opcode)),
        off,
        2,
        0x7800,
        1,
    )
    .show(|| named(opcode_name(opcode), u64::from(opcode)));
    // Like Wireshark, the bits that only mean something in a response (AA, RA, RCODE) are
    // shown for responses only, so a filter such as `dns.flags.rcode == 0` matches answers.
    let bits: [(&'static str, &'static str, u64, bool); 7] = [
        ("dns.flags.authoritative", "Authoritative", 0x0400, true),
        ("dns.flags.truncated", "Truncated", 0x0200, false),
        ("dns.flags.recdesired", "Recursion desired", 0x0100, false),
        ("dns.flags.recavail", "Recursion available", 0x0080, true),
        ("dns.flags.z", "Z (reserved)", 0x0040, false),
        (
            "dns.flags.authenticated",
            "Answer authenticated",
            0x0020,
            false,
        ),
        ("dns.flags.checkdisable", "Checking disabled", 0x0010, false),
    ];
    for (name, label, mask, response_only) in bits {
        if response || !response_only {
            l.add_flag(name, label, w, off, 2, mask, 1);
        }
    }
    if !response {
        return response;
    }
    l.add_bits(
        "dns.flags.rcode",
        "Reply code",
        Value::UInt(u64::from(rcode)),
        off,
        2,
        0x000f,
        1,
    )
    .show(|| named(rcode_name(rcode), u64::from(rcode)));
    response
}

/// Reads a name into a field, or records why it could not be read.
fn name_field(
    l: &mut Layer,
    b: &[u8],
    msg_start: usize,
    pos: usize,
    name: &'static str,
    label: &'static str,
) -> Option<usize> {
    match read_name(b, msg_start, pos) {
        Ok(n) => {
            l.add(name, label, Value::Str(n.text), pos, n.len);
            Some(pos.saturating_add(n.len))
        }
        Err((at, msg)) => {
            l.fail(at, msg);
            None
        }
    }
}

fn type_field(l: &mut Layer, name: &'static str, t: u16, off: usize) {
    l.add(name, "Type", Value::UInt(u64::from(t)), off, 2)
        .show(|| named(type_name(t), u64::from(t)));
}

/// mDNS reuses the class's top bit (RFC 6762 sections 5.4 and 10.2), so the class is the low 15.
fn class_field(
    l: &mut Layer,
    name: &'static str,
    bit: (&'static str, &'static str),
    c: u16,
    off: usize,
    flavor: Flavor,
) {
    if flavor == Flavor::Mdns {
        let class = c & 0x7fff;
        l.add_bits(
            name,
            "Class",
            Value::UInt(u64::from(class)),
            off,
            2,
            0x7fff,
            0,
        )
        .show(|| named(class_name(class), u64::from(class)));
        l.add_flag(bit.0, bit.1, u64::from(c), off, 2, 0x8000, 0);
    } else {
        l.add(name, "Class", Value::UInt(u64::from(c)), off, 2)
            .show(|| named(class_name(c), u64::from(c)));
    }
}

fn question(
    l: &mut Layer,
    b: &[u8],
    msg_start: usize,
    pos: usize,
    flavor: Flavor,
) -> Option<usize> {
    let pos = name_field(l, b, msg_start, pos, "dns.qry.name", "Name")?;
    let Some(t) = be16(b, pos) else {
        l.fail(
            pos,
            format!("question cut off before its type at offset {pos}"),
        );
        return None;
    };
    type_field(l, "dns.qry.type", t, pos);
    let coff = pos.saturating_add(2);
    let Some(c) = be16(b, coff) else {
        l.fail(
            coff,
            format!("question cut off before its class at offset {coff}"),
        );
        return None;
    };
    class_field(
        l,
        "dns.qry.class",
        ("dns.qry.qu", "\"QU\" question"),
        c,
        coff,
        flavor,
    );
    Some(coff.saturating_add(2))
}

fn record(l: &mut Layer, b: &[u8], msg_start: usize, pos: usize, flavor: Flavor) -> Option<usize> {
    let pos = name_field(l, b, msg_start, pos, "dns.resp.name", "Name")?;
    let Some(t) = be16(b, pos) else {
        l.fail(
            pos,
            format!("record cut off before its type at offset {pos}"),
        );
        return None;
    };
    type_field(l, "dns.resp.type", t, pos);
    let coff = pos.saturating_add(2);
    let toff = pos.saturating_add(4);
    let loff = pos.saturating_add(8);
    let (Some(c), Some(ttl), Some(rdlen)) = (be16(b, coff), be32(b, toff), be16(b, loff)) else {
        l.fail(
            coff,
            format!("record header cut off at offset {coff} (needs 8 more bytes)"),
        );
        return None;
    };
    if t == 41 {
        // OPT (RFC 6891 section 6.1.2) puts the requester's UDP size in the class and extended
        // rcode, version and flags in the TTL.
        l.add(
            "dns.rr.udp_payload_size",
            "UDP payload size",
            Value::UInt(u64::from(c)),
            coff,
            2,
        );
        l.add(
            "dns.resp.ext_rcode",
            "Higher bits in extended RCODE",
            Value::UInt(u64::from(ttl >> 24)),
            toff,
            1,
        );
        l.add(
            "dns.resp.edns0_version",
            "EDNS0 version",
            Value::UInt(u64::from((ttl >> 16) & 0xff)),
            toff.saturating_add(1),
            1,
        );
        let z = u64::from(ttl & 0xffff);
        let zoff = toff.saturating_add(2);
        l.add("dns.resp.z", "Z", Value::UInt(z), zoff, 2)
            .show(|| format!("0x{z:04x}"));
        l.add_flag("dns.resp.z.do", "DO bit", z, zoff, 2, 0x8000, 1);
    } else {
        class_field(
            l,
            "dns.resp.class",
            ("dns.resp.cache_flush", "Cache flush"),
            c,
            coff,
            flavor,
        );
        l.add(
            "dns.resp.ttl",
            "Time to live",
            Value::UInt(u64::from(ttl)),
            toff,
            4,
        );
    }
    l.add(
        "dns.resp.len",
        "Data length",
        Value::UInt(u64::from(rdlen)),
        loff,
        2,
    );
    let rd = loff.saturating_add(2);
    let rd_end = rd.saturating_add(usize::from(rdlen));
    if rd_end > b.len() {
        l.fail(
            rd,
            format!(
                "record data claims {rdlen} bytes at offset {rd}; only {} remain",
                b.len().saturating_sub(rd)
            ),
        );
        return None;
    }
    rdata(l, b, msg_start, t, rd, rd_end)?;
    Some(rd_end)
}

/// Decodes the RDATA of the common types; others are left as bytes covered by `dns.resp.len`.
fn rdata(
    l: &mut Layer,
    b: &[u8],
    msg_start: usize,
    t: u16,
    rd: usize,
    rd_end: usize,
) -> Option<()> {
    let len = rd_end.saturating_sub(rd);
    // Names inside RDATA may point anywhere earlier, but their own bytes must stay inside it.
    let inside =
        |l: &mut Layer, pos: usize, name: &'static str, label: &'static str| -> Option<usize> {
            let next = name_field(l, b, msg_start, pos, name, label)?;
            if next > rd_end {
                l.fail(
                    pos,
                    format!(
                        "name at offset {pos} runs past the end of its record data at {rd_end}"
                    ),
                );
                return None;
            }
            Some(next)
        };
    match t {
        1 if len == 4 => {
            let a = crate::decode::bytes::array::<4>(b, rd)?;
            l.add("dns.a", "Address", Value::Ipv4(Ipv4Addr::from(a)), rd, 4);
        }
        28 if len == 16 => {
            let a = crate::decode::bytes::array::<16>(b, rd)?;
            l.add(
                "dns.aaaa",
                "AAAA Address",
                Value::Ipv6(Ipv6Addr::from(a)),
                rd,
                16,
            );
        }
        2 => {
            inside(l, rd, "dns.ns", "Name server")?;
        }
        5 => {
            inside(l, rd, "dns.cname", "CNAME")?;
        }
        12 => {
            inside(l, rd, "dns.ptr.domain_name", "Domain name")?;
        }
        15 if len >= 3 => {
            let pref = be16(b, rd)?;
            l.add(
                "dns.mx.preference",
                "Preference",
                Value::UInt(u64::from(pref)),
                rd,
                2,
            );
            inside(
                l,
                rd.saturating_add(2),
                "dns.mx.mail_exchange",
                "Mail exchange",
            )?;
        }
        16 => {
            let mut p = rd;
            while p < rd_end {
                let n = usize::from(u8_at(b, p)?);
                l.add("dns.txt.length", "TXT length", Value::UInt(n as u64), p, 1);
                let s = p.saturating_add(1);
                let Some(txt) = slice(b, s, n).filter(|_| s.saturating_add(n) <= rd_end) else {
                    l.fail(
                        p,
                        format!("TXT string of {n} bytes at offset {p} runs past its record"),
                    );
                    return None;
                };
                l.add("dns.txt", "TXT", Value::Str(lossy(txt)), s, n);
                p = s.saturating_add(n);
            }
        }
        6 => {
            let p = inside(l, rd, "dns.soa.mname", "Primary name server")?;
            let p = inside(l, p, "dns.soa.rname", "Responsible authority's mailbox")?;
            let names = [
                ("dns.soa.serial_number", "Serial number"),
                ("dns.soa.refresh_interval", "Refresh interval"),
                ("dns.soa.retry_interval", "Retry interval"),
                ("dns.soa.expire_limit", "Expire limit"),
                ("dns.soa.minimum_ttl", "Minimum TTL"),
            ];
            for (i, (name, label)) in names.iter().enumerate() {
                let o = p.saturating_add(4 * i);
                match be32(b, o).filter(|_| o.saturating_add(4) <= rd_end) {
                    Some(v) => {
                        l.add(name, label, Value::UInt(u64::from(v)), o, 4);
                    }
                    None => {
                        l.fail(o, format!("SOA record cut off at offset {o}"));
                        return None;
                    }
                }
            }
        }
        33 if len >= 7 => {
            let names = [
                ("dns.srv.priority", "Priority"),
                ("dns.srv.weight", "Weight"),
                ("dns.srv.port", "Port"),
            ];
            for (i, (name, label)) in names.iter().enumerate() {
                let o = rd.saturating_add(2 * i);
                l.add(name, label, Value::UInt(u64::from(be16(b, o)?)), o, 2);
            }
            inside(l, rd.saturating_add(6), "dns.srv.target", "Target")?;
        }
        41 => {
            // EDNS options (RFC 6891 section 6.1.2): code and length each, contents left as bytes.
            let mut p = rd;
            while p < rd_end {
                let (Some(code), Some(olen)) = (be16(b, p), be16(b, p.saturating_add(2))) else {
                    l.fail(p, format!("EDNS option header cut off at offset {p}"));
                    return None;
                };
                let next = p.saturating_add(4).saturating_add(usize::from(olen));
                if p.saturating_add(4) > rd_end || next > rd_end {
                    l.fail(p, format!("EDNS option at offset {p} runs past its record"));
                    return None;
                }
                l.add(
                    "dns.opt.code",
                    "Option code",
                    Value::UInt(u64::from(code)),
                    p,
                    2,
                );
                l.add(
                    "dns.opt.len",
                    "Option length",
                    Value::UInt(u64::from(olen)),
                    p.saturating_add(2),
                    2,
                );
                p = next;
            }
        }
        _ => {}
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::app::testutil::{check, every_prefix_fails, ranges_inside, run};

    fn udp(cx: &mut Ctx<'_>, off: usize, end: usize) -> Next {
        decode(cx, Flavor::Dns, Transport::Udp, off, end)
    }

    /// Four bytes of something else first, so offsets prove they are frame offsets.
    const PAD: usize = 4;

    fn response() -> Vec<u8> {
        let mut f = vec![0xee; PAD];
        f.extend_from_slice(&[
            0x12, 0x34, // 4: id
            0x81, 0x80, // 6: flags: response, standard query, RD, RA, no error
            0x00, 0x01, // 8: 1 question
            0x00, 0x03, // 10: 3 answers
            0x00, 0x00, // 12: 0 authority
            0x00, 0x01, // 14: 1 additional
            // 16: question: www.example.com A IN
            3, b'w', b'w', b'w', 7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm',
            0, 0x00, 0x01, // 33: type A
            0x00, 0x01, // 35: class IN
            // 37: answer 1: pointer to 16 (message offset 12), CNAME web.example.com
            0xc0, 0x0c, // 37: name
            0x00, 0x05, // 39: CNAME
            0x00, 0x01, // 41: IN
            0x00, 0x00, 0x0e, 0x10, // 43: TTL 3600
            0x00, 0x06, // 47: rdlength 6
            3, b'w', b'e', b'b', 0xc0, 0x10, // 49: "web" + pointer to "example.com" (msg 16)
            // 55: answer 2: web.example.com (pointer to 49 = msg 45) A 192.0.2.7
            0xc0, 0x2d, // 55
            0x00, 0x01, // 57: A
            0x00, 0x01, // 59: IN
            0x00, 0x00, 0x00, 0x3c, // 61: TTL 60
            0x00, 0x04, // 65: rdlength 4
            192, 0, 2, 7, // 67: address
            // 71: answer 3: MX 10 mail.example.com
            0xc0, 0x10, // 71: example.com
            0x00, 0x0f, // 73: MX
            0x00, 0x01, // 75: IN
            0x00, 0x00, 0x00, 0x3c, // 77: TTL
            0x00, 0x09, // 81: rdlength 9
            0x00, 0x0a, // 83: preference 10
            4, b'm', b'a', b'i', b'l', 0xc0, 0x10, // 85: mail + pointer
            // 92: additional: OPT, UDP size 1232, DO set
            0x00, // 92: root
            0x00, 0x29, // 93: OPT
            0x04, 0xd0, // 95: UDP payload size 1232
            0x00, 0x00, 0x80, 0x00, // 97: ext rcode 0, version 0, DO
            0x00, 0x00, // 101: rdlength 0
        ]);
        f
    }

    #[test]
    fn decodes_a_response_with_compression() {
        let f = response();
        let layers = run(&f, PAD, udp);
        ranges_inside(&layers, f.len());
        let [l] = layers.as_slice() else {
            panic!("{layers:#?}")
        };
        assert_eq!(l.proto, "dns");
        assert_eq!(l.title, "Domain Name System (response)");
        assert!(l.error.is_none(), "{:?}", l.error);
        assert_eq!((l.offset, l.len), (4, f.len() - 4));
        check(l, "dns.id", Value::UInt(0x1234), 4, 2);
        check(l, "dns.flags", Value::UInt(0x8180), 6, 2);
        check(l, "dns.flags.response", Value::Bool(true), 6, 2);
        check(l, "dns.flags.opcode", Value::UInt(0), 6, 2);
        check(l, "dns.flags.recdesired", Value::Bool(true), 6, 2);
        check(l, "dns.flags.recavail", Value::Bool(true), 6, 2);
        check(l, "dns.flags.authoritative", Value::Bool(false), 6, 2);
        check(l, "dns.flags.rcode", Value::UInt(0), 6, 2);
        assert_eq!(
            l.field("dns.flags.rcode").map(|f| (f.mask, f.depth)),
            Some((0xf, 1))
        );
        check(l, "dns.count.queries", Value::UInt(1), 8, 2);
        check(l, "dns.count.answers", Value::UInt(3), 10, 2);
        check(l, "dns.count.auth_rr", Value::UInt(0), 12, 2);
        check(l, "dns.count.add_rr", Value::UInt(1), 14, 2);
        check(
            l,
            "dns.qry.name",
            Value::Str("www.example.com".into()),
            16,
            17,
        );
        check(l, "dns.qry.type", Value::UInt(1), 33, 2);
        check(l, "dns.qry.class", Value::UInt(1), 35, 2);
        check(
            l,
            "dns.resp.name",
            Value::Str("www.example.com".into()),
            37,
            2,
        );
        check(l, "dns.resp.type", Value::UInt(5), 39, 2);
        check(l, "dns.resp.ttl", Value::UInt(3600), 43, 4);
        check(l, "dns.resp.len", Value::UInt(6), 47, 2);
        check(l, "dns.cname", Value::Str("web.example.com".into()), 49, 6);
        check(l, "dns.a", Value::Ipv4(Ipv4Addr::new(192, 0, 2, 7)), 67, 4);
        check(l, "dns.mx.preference", Value::UInt(10), 83, 2);
        check(
            l,
            "dns.mx.mail_exchange",
            Value::Str("mail.example.com".into()),
            85,
            7,
        );
        check(l, "dns.rr.udp_payload_size", Value::UInt(1232), 95, 2);
        check(l, "dns.resp.z.do", Value::Bool(true), 99, 2);
        let names: Vec<String> = l
            .fields
            .iter()
            .filter(|f| f.name == "dns.resp.name")
            .map(|f| f.shown())
            .collect();
        assert_eq!(
            names,
            [
                "www.example.com",
                "web.example.com",
                "example.com",
                "<Root>"
            ]
        );
    }

    #[test]
    fn every_truncation_is_reported() {
        every_prefix_fails(&response(), PAD, "dns", udp);
    }

    #[test]
    fn tcp_length_prefix() {
        let mut f = vec![0x00, 0x11]; // 0: length 17
        f.extend_from_slice(&[
            0xab, 0xcd, 0x01, 0x00, // 2: id, flags: query, RD
            0, 1, 0, 0, 0, 0, 0, 0, // 6: 1 question
            0, // 14: root name
            0x00, 0x02, 0x00, 0x01, // 15: NS IN
        ]);
        let layers = run(&f, 0, |cx, o, e| {
            decode(cx, Flavor::Dns, Transport::Tcp, o, e)
        });
        let [l] = layers.as_slice() else { panic!() };
        assert!(l.error.is_none(), "{:?}", l.error);
        assert_eq!(l.title, "Domain Name System (query)");
        check(l, "dns.length", Value::UInt(17), 0, 2);
        check(l, "dns.id", Value::UInt(0xabcd), 2, 2);
        check(l, "dns.qry.name", Value::Str("<Root>".into()), 14, 1);
        check(l, "dns.qry.type", Value::UInt(2), 15, 2);
        every_prefix_fails(&f, 0, "dns", |cx, o, e| {
            decode(cx, Flavor::Dns, Transport::Tcp, o, e)
        });
    }

    fn header(qd: u16, an: u16) -> Vec<u8> {
        let mut f = vec![0, 1, 0x81, 0x83]; // id 1, response, NXDOMAIN
        f.extend_from_slice(&qd.to_be_bytes());
        f.extend_from_slice(&an.to_be_bytes());
        f.extend_from_slice(&[0, 0, 0, 0]);
        f
    }

    #[test]
    fn pointer_loop_stops_with_the_offset() {
        let mut f = header(1, 0);
        f.extend_from_slice(&[0xc0, 0x0e, 0xc0, 0x0c, 0, 1, 0, 1]); // 12 -> 14 -> 12 ...
        let layers = run(&f, 0, udp);
        let e = layers[0].error.clone().expect("error");
        assert!(e.message.contains("pointer loop"), "{e:?}");
        assert!(e.offset == 12 || e.offset == 14, "{e:?}");
        // A pointer to itself.
        let mut f = header(1, 0);
        f.extend_from_slice(&[0xc0, 0x0c]);
        let e = run(&f, 0, udp)[0].error.clone().expect("error");
        assert!(e.message.contains("pointer loop at offset 12"), "{e:?}");
    }

    #[test]
    fn label_over_63_and_long_names_are_errors() {
        let mut f = header(1, 0);
        f.extend_from_slice(&[0x40, b'a', 0, 0, 1, 0, 1]);
        let e = run(&f, 0, udp)[0].error.clone().expect("error");
        assert_eq!(e.offset, 12);
        assert!(e.message.contains("0x40"), "{e:?}");
        // 130 one-byte labels: the 255-byte limit is reached at the 128th, before the label limit.
        let mut f = header(1, 0);
        for _ in 0..130 {
            f.extend_from_slice(&[1, b'a']);
        }
        f.extend_from_slice(&[0, 0, 1, 0, 1]);
        let e = run(&f, 0, udp)[0].error.clone().expect("error");
        assert!(e.message.contains("longer than 255"), "{e:?}");
        assert_eq!(e.offset, 12 + 127 * 2);
        // Five 63-byte labels: the fourth already takes the name past 255 bytes.
        let mut f = header(1, 0);
        for _ in 0..5 {
            f.push(63);
            f.extend_from_slice(&[b'x'; 63]);
        }
        f.extend_from_slice(&[0, 0, 1, 0, 1]);
        let e = run(&f, 0, udp)[0].error.clone().expect("error");
        assert!(e.message.contains("longer than 255"), "{e:?}");
        assert_eq!(e.offset, 12 + 3 * 64);
    }

    #[test]
    fn absurd_counts_cost_only_the_bytes_present() {
        let mut f = header(65535, 65535);
        f.extend_from_slice(&[0, 0, 1, 0, 1]); // one root question
        let layers = run(&f, 0, udp);
        let l = &layers[0];
        assert_eq!(
            l.fields.iter().filter(|f| f.name == "dns.qry.name").count(),
            1
        );
        let e = l.error.clone().expect("error");
        assert_eq!(e.offset, 17);
        assert!(e.message.contains("65535 questions"), "{e:?}");
        check(l, "dns.flags.rcode", Value::UInt(3), 2, 2);
    }

    #[test]
    fn odd_bytes_are_escaped() {
        let mut f = header(1, 0);
        f.extend_from_slice(&[4, b'a', b' ', b'.', 0xff, 0, 0, 1, 0, 1]);
        let l = &run(&f, 0, udp)[0];
        assert!(l.error.is_none());
        check(
            l,
            "dns.qry.name",
            Value::Str("a\\032\\.\\255".into()),
            12,
            6,
        );
    }

    #[test]
    fn mdns_class_top_bit() {
        let mut f = vec![0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]; // response, AA, 1 answer
        f.extend_from_slice(&[
            0, // 12: root
            0x00, 0x01, // 13: A
            0x80, 0x01, // 15: cache flush, IN
            0, 0, 0, 120, // 17: TTL
            0, 4, 10, 0, 0, 1, // 21: rdlength 4, 10.0.0.1
        ]);
        let l = &run(&f, 0, |cx, o, e| {
            decode(cx, Flavor::Mdns, Transport::Udp, o, e)
        })[0];
        assert_eq!(l.proto, "mdns");
        check(l, "dns.resp.class", Value::UInt(1), 15, 2);
        check(l, "dns.resp.cache_flush", Value::Bool(true), 15, 2);
        check(l, "dns.a", Value::Ipv4(Ipv4Addr::new(10, 0, 0, 1)), 23, 4);
    }

    #[test]
    fn txt_soa_srv_aaaa() {
        let mut f = header(0, 4);
        f.extend_from_slice(&[
            0, 0, 16, 0, 1, 0, 0, 0, 1, 0, 6, // 12: root TXT IN ttl 1 rdlen 6
            2, b'h', b'i', 2, b'y', b'o', // 23: "hi" "yo"
            0, 0, 6, 0, 1, 0, 0, 0, 1, 0, 22, // 29: root SOA rdlen 22
            0, 0, // 40: mname root, rname root
            0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, // 42: serial..minimum
            0, 0, 33, 0, 1, 0, 0, 0, 1, 0, 7, // 62: root SRV rdlen 7
            0, 1, 0, 2, 0x01, 0xbb, 0, // 73: prio 1 weight 2 port 443 target root
            0, 0, 28, 0, 1, 0, 0, 0, 1, 0, 16, // 80: root AAAA rdlen 16
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // 91
        ]);
        let l = &run(&f, 0, udp)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "dns.txt", Value::Str("hi".into()), 24, 2);
        assert_eq!(l.fields.iter().filter(|f| f.name == "dns.txt").count(), 2);
        check(l, "dns.soa.minimum_ttl", Value::UInt(5), 58, 4);
        check(l, "dns.srv.port", Value::UInt(443), 77, 2);
        check(l, "dns.srv.target", Value::Str("<Root>".into()), 79, 1);
        check(
            l,
            "dns.aaaa",
            Value::Ipv6("2001:db8::1".parse().unwrap_or(Ipv6Addr::UNSPECIFIED)),
            91,
            16,
        );
    }

    #[test]
    fn forward_pointers_are_allowed() {
        let mut f = header(1, 0);
        f.extend_from_slice(&[0xc0, 0x12, 0, 1, 0, 1, 1, b'z', 0]); // 12: pointer to 18
        let l = &run(&f, 0, udp)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "dns.qry.name", Value::Str("z".into()), 12, 2);
    }
}
