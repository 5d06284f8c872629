//! SNMP over UDP 161/162 (RFC 1157, RFC 3416, RFC 3412): the BER message envelope, version,
//! community, PDU type, request id, error status, and the names (OIDs) of the variable bindings.
//!
//! Owns the `snmp` layer and a small bounded BER reader. It must never accept a length that runs
//! past its enclosing element, long-form lengths over 4 bytes, indefinite lengths, or recurse:
//! the structure walked is fixed, so hostile nesting costs nothing.

use super::{bounded, lossy};
use crate::decode::bytes::{slice, u8_at};
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;
use std::net::Ipv4Addr;

/// BER tags used by SNMP (X.690; RFC 2578 application types).
mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const SEQUENCE: u8 = 0x30;
    pub const IP_ADDRESS: u8 = 0x40;
    pub const TIMETICKS: u8 = 0x43;
    pub const V1_TRAP: u8 = 0xa4;
    pub const GET_BULK: u8 = 0xa5;
}

/// One BER element: where its tag is, its value's range.
#[derive(Debug, Clone, Copy)]
struct Tlv {
    tag: u8,
    start: usize,
    value: usize,
    end: usize,
}

impl Tlv {
    fn len(&self) -> usize {
        self.end.saturating_sub(self.value)
    }
    fn whole(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
}

type BerError = (usize, String);

/// A bounded BER reader over the payload. A constructed element (SEQUENCE, PDU) that runs past
/// the captured bytes is clamped so the fields inside it that were captured still decode, and the
/// cut is remembered; a primitive one that does is an error, since its value would be wrong.
struct Ber<'a> {
    b: &'a [u8],
    cut: Option<BerError>,
}

impl Ber<'_> {
    /// Reads the element at `at`, which must end by `limit` (its parent's end).
    fn tlv(&mut self, at: usize, limit: usize) -> Result<Tlv, BerError> {
        let b = self.b;
        let t = u8_at(b, at).filter(|_| at < limit).ok_or_else(|| {
            (
                at,
                format!("BER element expected at offset {at}; the data ends"),
            )
        })?;
        if t & 0x1f == 0x1f {
            return Err((
                at,
                format!("BER tag 0x{t:02x} at offset {at} uses the multi-byte form, which SNMP never does"),
            ));
        }
        let lo = at.saturating_add(1);
        let first = u8_at(b, lo)
            .filter(|_| lo < limit)
            .ok_or_else(|| (lo, format!("BER length cut off at offset {lo}")))?;
        let (len, value) = if first < 0x80 {
            (usize::from(first), lo.saturating_add(1))
        } else if first == 0x80 {
            return Err((
                lo,
                format!("indefinite BER length at offset {lo} is not allowed in SNMP"),
            ));
        } else {
            let n = usize::from(first & 0x7f);
            if n > 4 {
                return Err((
                    lo,
                    format!("BER length at offset {lo} uses {n} bytes; at most 4 are accepted"),
                ));
            }
            let bytes = slice(b, lo.saturating_add(1), n)
                .filter(|_| lo.saturating_add(1).saturating_add(n) <= limit)
                .ok_or_else(|| (lo, format!("BER long-form length cut off at offset {lo}")))?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, &x| (acc << 8) | usize::from(x));
            (len, lo.saturating_add(1).saturating_add(n))
        };
        let end = value.saturating_add(len);
        if end > limit {
            let err = (
                at,
                format!(
                    "BER element at offset {at} claims {len} bytes; only {} remain",
                    limit.saturating_sub(value)
                ),
            );
            // Only the capture running out is tolerated, not a child overflowing its parent.
            if t & 0x20 != 0 && limit == b.len() {
                self.cut.get_or_insert(err);
                return Ok(Tlv {
                    tag: t,
                    start: at,
                    value,
                    end: limit,
                });
            }
            return Err(err);
        }
        Ok(Tlv {
            tag: t,
            start: at,
            value,
            end,
        })
    }

    /// Reads an element that must carry `want`.
    fn expect(&mut self, at: usize, limit: usize, want: u8, what: &str) -> Result<Tlv, BerError> {
        let e = self.tlv(at, limit)?;
        if e.tag != want {
            return Err((
                at,
                format!(
                    "expected {what} (tag 0x{want:02x}) at offset {at}, found tag 0x{:02x}",
                    e.tag
                ),
            ));
        }
        Ok(e)
    }
}

/// A two's-complement INTEGER of up to 8 bytes.
fn integer(b: &[u8], e: &Tlv) -> Result<i64, BerError> {
    let v = slice(b, e.value, e.len()).unwrap_or(&[]);
    if v.is_empty() || v.len() > 8 {
        return Err((
            e.start,
            format!(
                "INTEGER at offset {} has {} bytes; 1 to 8 expected",
                e.start,
                v.len()
            ),
        ));
    }
    let neg = v.first().is_some_and(|&x| x & 0x80 != 0);
    let mut n: i64 = if neg { -1 } else { 0 };
    for &x in v {
        n = (n << 8) | i64::from(x);
    }
    Ok(n)
}

/// An OBJECT IDENTIFIER as dotted text (X.690 section 8.19); sub-identifiers over 64 bits are
/// rejected rather than wrapped.
fn oid_text(v: &[u8], at: usize) -> Result<String, BerError> {
    let mut parts: Vec<u64> = Vec::new();
    let mut cur: u64 = 0;
    let mut pending = false;
    for &x in v {
        if cur > (u64::MAX >> 7) {
            return Err((
                at,
                format!("OID sub-identifier at offset {at} is too large"),
            ));
        }
        cur = (cur << 7) | u64::from(x & 0x7f);
        pending = true;
        if x & 0x80 == 0 {
            if parts.is_empty() {
                // The first sub-identifier packs the first two arcs.
                let (a, bb) = match cur {
                    0..=39 => (0, cur),
                    40..=79 => (1, cur - 40),
                    _ => (2, cur - 80),
                };
                parts.push(a);
                parts.push(bb);
            } else {
                parts.push(cur);
            }
            cur = 0;
            pending = false;
        }
    }
    if pending || parts.is_empty() {
        return Err((
            at,
            format!("OID at offset {at} ends inside a sub-identifier"),
        ));
    }
    let text: Vec<String> = parts.iter().map(u64::to_string).collect();
    Ok(text.join("."))
}

/// PDU types by context tag number (RFC 3416 section 3; RFC 1157 for the v1 trap).
fn pdu_name(n: u8) -> Option<&'static str> {
    Some(match n {
        0 => "get-request",
        1 => "get-next-request",
        2 => "get-response",
        3 => "set-request",
        4 => "trap",
        5 => "getBulkRequest",
        6 => "informRequest",
        7 => "snmpV2-trap",
        8 => "report",
        _ => return None,
    })
}

/// Error status values (RFC 3416 section 3).
fn error_status_name(n: i64) -> Option<&'static str> {
    Some(match n {
        0 => "noError",
        1 => "tooBig",
        2 => "noSuchName",
        3 => "badValue",
        4 => "readOnly",
        5 => "genErr",
        6 => "noAccess",
        7 => "wrongType",
        8 => "wrongLength",
        9 => "wrongEncoding",
        10 => "wrongValue",
        11 => "noCreation",
        12 => "inconsistentValue",
        13 => "resourceUnavailable",
        14 => "commitFailed",
        15 => "undoFailed",
        16 => "authorizationError",
        17 => "notWritable",
        18 => "inconsistentName",
        _ => return None,
    })
}

pub fn decode(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    let b = bounded(cx, end);
    let mut l = Layer::new("snmp", "Simple Network Management Protocol", offset);
    l.len = end.saturating_sub(offset);
    let mut r = Ber { b, cut: None };
    let result = decode_message(&mut l, &mut r, offset);
    // The capture running out explains any error that follows it, so it is reported first.
    if let Some((at, msg)) = r.cut {
        l.fail(at, msg);
    }
    if let Err((at, msg)) = result {
        l.fail(at, msg);
    }
    cx.push(l);
    Next::Stop
}

fn decode_message(l: &mut Layer, r: &mut Ber<'_>, start: usize) -> Result<(), BerError> {
    let msg = r.expect(start, r.b.len(), tag::SEQUENCE, "the message SEQUENCE")?;
    let ver = r.expect(msg.value, msg.end, tag::INTEGER, "the version INTEGER")?;
    let v = integer(r.b, &ver)?;
    let vname = match v {
        0 => Some("version-1"),
        1 => Some("v2c"),
        2 => Some("v2u"),
        3 => Some("snmpv3"),
        _ => None,
    };
    // Wireshark names the v3 version field differently (RFC 3412's msgVersion).
    let fname = if v == 3 {
        "snmp.msgVersion"
    } else {
        "snmp.version"
    };
    l.add(fname, "Version", Value::Int(v), ver.value, ver.len())
        .show(|| format!("{} ({v})", vname.unwrap_or("unknown")));
    if v == 3 {
        l.title = "Simple Network Management Protocol (SNMPv3)".into();
        return v3(l, r, &msg, ver.end);
    }
    let comm = r.expect(
        ver.end,
        msg.end,
        tag::OCTET_STRING,
        "the community OCTET STRING",
    )?;
    let text = lossy(slice(r.b, comm.value, comm.len()).unwrap_or(&[]));
    l.add(
        "snmp.community",
        "Community",
        Value::Str(text),
        comm.value,
        comm.len(),
    );
    pdu(l, r, comm.end, msg.end)
}

fn v3(l: &mut Layer, r: &mut Ber<'_>, msg: &Tlv, at: usize) -> Result<(), BerError> {
    // msgGlobalData (RFC 3412 section 6): msgID, msgMaxSize, msgFlags, msgSecurityModel.
    let g = r.expect(at, msg.end, tag::SEQUENCE, "msgGlobalData")?;
    let id = r.expect(g.value, g.end, tag::INTEGER, "msgID")?;
    l.add(
        "snmp.msgID",
        "msgID",
        Value::Int(integer(r.b, &id)?),
        id.value,
        id.len(),
    );
    let max = r.expect(id.end, g.end, tag::INTEGER, "msgMaxSize")?;
    l.add(
        "snmp.msgMaxSize",
        "msgMaxSize",
        Value::Int(integer(r.b, &max)?),
        max.value,
        max.len(),
    );
    let fl = r.expect(max.end, g.end, tag::OCTET_STRING, "msgFlags")?;
    let flags = slice(r.b, fl.value, fl.len()).unwrap_or(&[]).to_vec();
    l.add(
        "snmp.msgFlags",
        "msgFlags",
        Value::Bytes(flags),
        fl.value,
        fl.len(),
    );
    let sm = r.expect(fl.end, g.end, tag::INTEGER, "msgSecurityModel")?;
    l.add(
        "snmp.msgSecurityModel",
        "msgSecurityModel",
        Value::Int(integer(r.b, &sm)?),
        sm.value,
        sm.len(),
    );
    let sp = r.expect(g.end, msg.end, tag::OCTET_STRING, "msgSecurityParameters")?;
    // USM parameters (RFC 3414 section 2.4) are themselves a BER SEQUENCE inside the string.
    if let Ok(usm) = r.expect(sp.value, sp.end, tag::SEQUENCE, "UsmSecurityParameters") {
        if let Ok(engine) = r.expect(usm.value, usm.end, tag::OCTET_STRING, "engine ID") {
            let boots = r.expect(engine.end, usm.end, tag::INTEGER, "engine boots");
            let time = boots.and_then(|x| r.expect(x.end, usm.end, tag::INTEGER, "engine time"));
            let user = time.and_then(|x| r.expect(x.end, usm.end, tag::OCTET_STRING, "user name"));
            if let Ok(u) = user {
                let name = lossy(slice(r.b, u.value, u.len()).unwrap_or(&[]));
                l.add(
                    "snmp.msgUserName",
                    "msgUserName",
                    Value::Str(name),
                    u.value,
                    u.len(),
                );
            }
        }
    }
    // The scoped PDU is a SEQUENCE in the clear, or an OCTET STRING when encrypted.
    let data = r.tlv(sp.end, msg.end)?;
    if data.tag == tag::SEQUENCE {
        let engine = r.expect(data.value, data.end, tag::OCTET_STRING, "contextEngineID")?;
        let name = r.expect(engine.end, data.end, tag::OCTET_STRING, "contextName")?;
        pdu(l, r, name.end, data.end)?;
    }
    Ok(())
}

fn pdu(l: &mut Layer, r: &mut Ber<'_>, at: usize, limit: usize) -> Result<(), BerError> {
    let p = r.tlv(at, limit)?;
    if p.tag & 0xe0 != 0xa0 {
        return Err((
            at,
            format!(
                "expected a PDU (context tag) at offset {at}, found tag 0x{:02x}",
                p.tag
            ),
        ));
    }
    let n = p.tag & 0x1f;
    let name = pdu_name(n);
    l.add(
        "snmp.data",
        "PDU type",
        Value::UInt(u64::from(n)),
        p.start,
        p.whole(),
    )
    .show(|| super::named(name, u64::from(n)));
    if let Some(name) = name {
        l.title = format!("{} ({name})", l.title).into();
    }
    let mut pos = p.value;
    if p.tag == tag::V1_TRAP {
        // RFC 1157 Trap-PDU: enterprise, agent-addr, generic-trap, specific-trap, time-stamp.
        let ent = r.expect(pos, p.end, tag::OID, "enterprise OID")?;
        let oid = oid_text(slice(r.b, ent.value, ent.len()).unwrap_or(&[]), ent.start)?;
        l.add(
            "snmp.enterprise",
            "Enterprise",
            Value::Str(oid),
            ent.value,
            ent.len(),
        );
        let addr = r.expect(ent.end, p.end, tag::IP_ADDRESS, "agent-addr")?;
        if let Some(a) =
            crate::decode::bytes::array::<4>(r.b, addr.value).filter(|_| addr.len() == 4)
        {
            l.add(
                "snmp.agent_addr",
                "Agent address",
                Value::Ipv4(Ipv4Addr::from(a)),
                addr.value,
                4,
            );
        }
        let gen = r.expect(addr.end, p.end, tag::INTEGER, "generic-trap")?;
        l.add(
            "snmp.generic_trap",
            "Generic trap",
            Value::Int(integer(r.b, &gen)?),
            gen.value,
            gen.len(),
        );
        let spec = r.expect(gen.end, p.end, tag::INTEGER, "specific-trap")?;
        l.add(
            "snmp.specific_trap",
            "Specific trap",
            Value::Int(integer(r.b, &spec)?),
            spec.value,
            spec.len(),
        );
        let ts = r.expect(spec.end, p.end, tag::TIMETICKS, "time-stamp")?;
        l.add(
            "snmp.time_stamp",
            "Time stamp",
            Value::Int(integer(r.b, &ts)?),
            ts.value,
            ts.len(),
        );
        pos = ts.end;
    } else {
        let (second, third) = if p.tag == tag::GET_BULK {
            (
                ("snmp.non_repeaters", "Non-repeaters"),
                ("snmp.max_repetitions", "Max repetitions"),
            )
        } else {
            (
                ("snmp.error_status", "Error status"),
                ("snmp.error_index", "Error index"),
            )
        };
        let rid = r.expect(pos, p.end, tag::INTEGER, "request-id")?;
        l.add(
            "snmp.request_id",
            "Request ID",
            Value::Int(integer(r.b, &rid)?),
            rid.value,
            rid.len(),
        );
        let es = r.expect(rid.end, p.end, tag::INTEGER, second.1)?;
        let esv = integer(r.b, &es)?;
        let f = l.add(second.0, second.1, Value::Int(esv), es.value, es.len());
        if p.tag != tag::GET_BULK {
            f.show(|| format!("{} ({esv})", error_status_name(esv).unwrap_or("unknown")));
        }
        let ei = r.expect(es.end, p.end, tag::INTEGER, third.1)?;
        l.add(
            third.0,
            third.1,
            Value::Int(integer(r.b, &ei)?),
            ei.value,
            ei.len(),
        );
        pos = ei.end;
    }
    let list = r.expect(pos, p.end, tag::SEQUENCE, "the variable-bindings SEQUENCE")?;
    // Each binding takes at least 4 bytes, so this loop is bounded by the bytes present.
    let mut q = list.value;
    while q < list.end {
        let vb = r.expect(q, list.end, tag::SEQUENCE, "a VarBind SEQUENCE")?;
        let name = r.expect(vb.value, vb.end, tag::OID, "the VarBind name OID")?;
        let oid = oid_text(
            slice(r.b, name.value, name.len()).unwrap_or(&[]),
            name.start,
        )?;
        l.add(
            "snmp.name",
            "Object name",
            Value::Str(oid),
            name.value,
            name.len(),
        );
        q = vb.end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::app::testutil::{check, every_prefix_fails, ranges_inside, run};

    /// snmpget -v2c -c public sysDescr.0 (1.3.6.1.2.1.1.1.0)
    fn get_request() -> Vec<u8> {
        vec![
            0x30, 0x29, // 0: message SEQUENCE, 41 bytes
            0x02, 0x01, 0x01, // 2: version 1 (v2c)
            0x04, 0x06, b'p', b'u', b'b', b'l', b'i', b'c', // 5: community "public"
            0xa0, 0x1c, // 13: get-request, 28 bytes
            0x02, 0x04, 0x12, 0x34, 0x56, 0x78, // 15: request-id 0x12345678
            0x02, 0x01, 0x00, // 21: error-status 0
            0x02, 0x01, 0x00, // 24: error-index 0
            0x30, 0x0e, // 27: varbind list
            0x30, 0x0c, // 29: varbind
            0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, // 31: OID
            0x05, 0x00, // 41: NULL
        ]
    }

    #[test]
    fn decodes_a_get_request() {
        let f = get_request();
        let layers = run(&f, 0, decode);
        ranges_inside(&layers, f.len());
        let l = &layers[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        assert_eq!(l.title, "Simple Network Management Protocol (get-request)");
        check(l, "snmp.version", Value::Int(1), 4, 1);
        check(l, "snmp.community", Value::Str("public".into()), 7, 6);
        check(l, "snmp.data", Value::UInt(0), 13, 30);
        check(l, "snmp.request_id", Value::Int(0x12345678), 17, 4);
        check(l, "snmp.error_status", Value::Int(0), 23, 1);
        check(l, "snmp.error_index", Value::Int(0), 26, 1);
        check(
            l,
            "snmp.name",
            Value::Str("1.3.6.1.2.1.1.1.0".into()),
            33,
            8,
        );
    }

    #[test]
    fn every_truncation_is_reported() {
        every_prefix_fails(&get_request(), 0, "snmp", decode);
    }

    #[test]
    fn v1_trap() {
        let f = [
            0x30, 0x2b, // 0: SEQUENCE 43
            0x02, 0x01, 0x00, // 2: version-1
            0x04, 0x04, b't', b'r', b'a', b'p', // 5: community
            0xa4, 0x20, // 11: Trap-PDU, 32 bytes
            0x06, 0x05, 0x2b, 0x06, 0x01, 0x04, 0x01, // 13: enterprise 1.3.6.1.4.1
            0x40, 0x04, 10, 0, 0, 1, // 20: agent-addr
            0x02, 0x01, 0x03, // 26: generic-trap linkUp
            0x02, 0x01, 0x00, // 29: specific-trap
            0x43, 0x02, 0x01, 0x00, // 32: time-stamp 256
            0x30, 0x07, 0x30, 0x05, 0x06, 0x01, 0x2b, 0x05, 0x00, // 36: one varbind 1.3
        ];
        let l = &run(&f, 0, decode)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "snmp.version", Value::Int(0), 4, 1);
        check(l, "snmp.data", Value::UInt(4), 11, 34);
        check(
            l,
            "snmp.enterprise",
            Value::Str("1.3.6.1.4.1".into()),
            15,
            5,
        );
        check(
            l,
            "snmp.agent_addr",
            Value::Ipv4(Ipv4Addr::new(10, 0, 0, 1)),
            22,
            4,
        );
        check(l, "snmp.generic_trap", Value::Int(3), 28, 1);
        check(l, "snmp.time_stamp", Value::Int(256), 34, 2);
        check(l, "snmp.name", Value::Str("1.3".into()), 42, 1);
        every_prefix_fails(&f, 0, "snmp", decode);
    }

    #[test]
    fn hostile_ber() {
        // Long-form length of 5 bytes.
        let e = run(&[0x30, 0x85, 0, 0, 0, 0, 1], 0, decode)[0]
            .error
            .clone()
            .expect("error");
        assert!(e.message.contains("at most 4"), "{e:?}");
        // Indefinite length.
        let e = run(&[0x30, 0x80, 0, 0], 0, decode)[0]
            .error
            .clone()
            .expect("error");
        assert!(e.message.contains("indefinite"), "{e:?}");
        // A length of 4 GB claimed in 4 bytes.
        let e = run(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 2, 1, 1], 0, decode)[0]
            .error
            .clone()
            .expect("error");
        assert!(e.message.contains("claims 4294967295 bytes"), "{e:?}");
        // A child longer than its parent.
        let e = run(&[0x30, 0x03, 0x02, 0x05, 1, 2, 3, 4, 5], 0, decode)[0]
            .error
            .clone()
            .expect("error");
        assert_eq!(e.offset, 2);
        // An OID with an endless sub-identifier.
        assert!(oid_text(&[0xff; 20], 0).is_err());
        assert!(oid_text(&[0x2b, 0x86], 0).is_err());
        assert_eq!(oid_text(&[0x2b, 0x86, 0x48], 0).as_deref(), Ok("1.3.840"));
        assert_eq!(oid_text(&[0x88, 0x37], 0).as_deref(), Ok("2.999"));
    }

    #[test]
    fn v3_header() {
        let f = [
            0x30, 0x3a, // 0: message, 58
            0x02, 0x01, 0x03, // 2: msgVersion 3
            0x30, 0x0f, // 5: msgGlobalData
            0x02, 0x03, 0x00, 0x91, 0xc8, // 7: msgID 37320
            0x02, 0x02, 0x05, 0xdc, // 12: msgMaxSize 1500
            0x04, 0x01, 0x04, // 16: msgFlags reportable
            0x02, 0x01, 0x03, // 19: USM
            0x04, 0x10, // 22: msgSecurityParameters, 16
            0x30, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
            0x04, 0x00, // 24
            0x30, 0x12, // 40: scoped PDU
            0x04, 0x00, 0x04, 0x00, // 42: empty context engine and name
            0xa0, 0x0c, 0x02, 0x02, 0x12, 0x34, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30,
            0x00, // 46
        ];
        let l = &run(&f, 0, decode)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "snmp.msgVersion", Value::Int(3), 4, 1);
        check(l, "snmp.msgID", Value::Int(37320), 9, 3);
        check(l, "snmp.msgFlags", Value::Bytes(vec![4]), 18, 1);
        check(l, "snmp.msgUserName", Value::Str(String::new()), 36, 0);
        check(l, "snmp.request_id", Value::Int(0x1234), 50, 2);
        every_prefix_fails(&f, 0, "snmp", decode);
    }
}
