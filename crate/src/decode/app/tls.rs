//! TLS records (RFC 8446 section 5.1, RFC 5246 section 6.2) and the clear-text handshake
//! messages that explain a connection: ClientHello (version, server name, ALPN, offered
//! versions) and ServerHello (version, chosen cipher suite); alerts by level and description.
//!
//! Owns the `tls` layer and the content test for a record start. It must never read a message
//! past its record nor a record past the segment, and never take encrypted bytes for a
//! handshake: a handshake whose header does not fit its record is shown as encrypted.

use super::{bounded, lossy, named};
use crate::decode::bytes::{be16, slice, u8_at};
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;

/// Record content types (IANA "TLS ContentType").
fn content_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        20 => "Change Cipher Spec",
        21 => "Alert",
        22 => "Handshake",
        23 => "Application Data",
        24 => "Heartbeat",
        _ => return None,
    })
}

/// Protocol versions (RFC 6101, 2246, 4346, 5246, 8446); GREASE values (RFC 8701) by pattern.
fn version_name(v: u16) -> Option<&'static str> {
    Some(match v {
        0x0300 => "SSL 3.0",
        0x0301 => "TLS 1.0",
        0x0302 => "TLS 1.1",
        0x0303 => "TLS 1.2",
        0x0304 => "TLS 1.3",
        v if v & 0x0f0f == 0x0a0a && (v >> 8) == (v & 0xff) => "Reserved (GREASE)",
        _ => return None,
    })
}

/// Handshake message types (IANA "TLS HandshakeType").
fn handshake_name(t: u8) -> Option<&'static str> {
    Some(match t {
        0 => "Hello Request",
        1 => "Client Hello",
        2 => "Server Hello",
        4 => "New Session Ticket",
        5 => "End of Early Data",
        8 => "Encrypted Extensions",
        11 => "Certificate",
        12 => "Server Key Exchange",
        13 => "Certificate Request",
        14 => "Server Hello Done",
        15 => "Certificate Verify",
        16 => "Client Key Exchange",
        20 => "Finished",
        24 => "Key Update",
        _ => return None,
    })
}

/// Cipher suites commonly seen (IANA "TLS Cipher Suites"); others are shown by number.
fn cipher_name(c: u16) -> Option<&'static str> {
    Some(match c {
        0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x003c => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        0x003d => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0x5600 => "TLS_FALLBACK_SCSV",
        0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xc023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        0xc027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        c if c & 0x0f0f == 0x0a0a && (c >> 8) == (c & 0xff) => "Reserved (GREASE)",
        _ => return None,
    })
}

/// Alert descriptions (IANA "TLS Alerts").
fn alert_name(d: u8) -> Option<&'static str> {
    Some(match d {
        0 => "Close Notify",
        10 => "Unexpected Message",
        20 => "Bad Record MAC",
        22 => "Record Overflow",
        40 => "Handshake Failure",
        42 => "Bad Certificate",
        43 => "Unsupported Certificate",
        44 => "Certificate Revoked",
        45 => "Certificate Expired",
        46 => "Certificate Unknown",
        47 => "Illegal Parameter",
        48 => "Unknown CA",
        49 => "Access Denied",
        50 => "Decode Error",
        51 => "Decrypt Error",
        70 => "Protocol Version",
        71 => "Insufficient Security",
        80 => "Internal Error",
        86 => "Inappropriate Fallback",
        90 => "User Canceled",
        109 => "Missing Extension",
        110 => "Unsupported Extension",
        112 => "Unrecognized Name",
        116 => "Certificate Required",
        120 => "No Application Protocol",
        _ => return None,
    })
}

fn hex_named(name: Option<&str>, v: u16) -> String {
    match name {
        Some(n) => format!("{n} (0x{v:04x})"),
        None => format!("Unknown (0x{v:04x})"),
    }
}

/// True when a payload begins with a TLS record header: a known content type and version 3.x.
pub fn looks_like_tls(b: &[u8]) -> bool {
    matches!(b, [20..=24, 0x03, 0x00..=0x04, ..])
}

pub fn decode(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    let b = bounded(cx, end);
    let mut l = Layer::new("tls", "Transport Layer Security", offset);
    l.len = end.saturating_sub(offset);
    let mut pos = offset;
    let mut summary: Vec<String> = Vec::new();
    // Each record takes at least its 5-byte header, so this loop is bounded by the segment.
    while pos < b.len() {
        if !looks_like_tls(crate::decode::bytes::rest(b, pos)) && pos > offset {
            // Bytes after the records that are not a record header: the continuation of a
            // record whose header was in an earlier segment is not something to guess at.
            l.fail(
                pos,
                format!("bytes at offset {pos} do not start a TLS record"),
            );
            break;
        }
        match record(&mut l, b, pos, &mut summary) {
            Some(next) => pos = next,
            None => break,
        }
    }
    if !summary.is_empty() {
        l.title = format!("Transport Layer Security ({})", summary.join(", ")).into();
    }
    cx.push(l);
    Next::Stop
}

/// Decodes the record at `pos`; returns where the next one starts.
fn record(l: &mut Layer, b: &[u8], pos: usize, summary: &mut Vec<String>) -> Option<usize> {
    let ct = u8_at(b, pos)?;
    l.add(
        "tls.record.content_type",
        "Content type",
        Value::UInt(u64::from(ct)),
        pos,
        1,
    )
    .show(|| named(content_type_name(ct), u64::from(ct)));
    let vo = pos.saturating_add(1);
    let Some(ver) = be16(b, vo) else {
        l.fail(vo, format!("record header cut off at offset {vo}"));
        return None;
    };
    l.add(
        "tls.record.version",
        "Version",
        Value::UInt(u64::from(ver)),
        vo,
        2,
    )
    .show(|| hex_named(version_name(ver), ver));
    let lo = pos.saturating_add(3);
    let Some(len) = be16(b, lo) else {
        l.fail(lo, format!("record header cut off at offset {lo}"));
        return None;
    };
    l.add(
        "tls.record.length",
        "Length",
        Value::UInt(u64::from(len)),
        lo,
        2,
    );
    let body = pos.saturating_add(5);
    let claimed_end = body.saturating_add(usize::from(len));
    let end = claimed_end.min(b.len());
    match ct {
        22 => handshakes(l, b, body, end, summary),
        21 => {
            if let (Some(level), Some(desc)) = (u8_at(b, body), u8_at(b, body.saturating_add(1))) {
                if end.saturating_sub(body) == 2 {
                    l.add(
                        "tls.alert_message.level",
                        "Level",
                        Value::UInt(u64::from(level)),
                        body,
                        1,
                    )
                    .show(|| match level {
                        1 => "Warning (1)".to_string(),
                        2 => "Fatal (2)".to_string(),
                        n => format!("Unknown ({n})"),
                    });
                    l.add(
                        "tls.alert_message.desc",
                        "Description",
                        Value::UInt(u64::from(desc)),
                        body.saturating_add(1),
                        1,
                    )
                    .show(|| named(alert_name(desc), u64::from(desc)));
                    summary.push(format!("Alert: {}", alert_name(desc).unwrap_or("unknown")));
                } else {
                    summary.push("Encrypted Alert".to_string());
                }
            }
        }
        20 => {
            if end > body {
                l.add(
                    "tls.change_cipher_spec",
                    "Change Cipher Spec Message",
                    Value::None,
                    body,
                    end - body,
                );
            }
            summary.push("Change Cipher Spec".to_string());
        }
        23 => {
            if end > body {
                // Length only: copying encrypted bytes into the tree explains nothing.
                l.add(
                    "tls.app_data",
                    "Encrypted Application Data",
                    Value::UInt((end - body) as u64),
                    body,
                    end - body,
                )
                .show(|| format!("{} bytes", end - body));
            }
            summary.push("Application Data".to_string());
        }
        _ => {}
    }
    if claimed_end > b.len() {
        l.fail(
            b.len(),
            format!(
                "record at offset {pos} claims {len} bytes; only {} are in this segment",
                b.len().saturating_sub(body)
            ),
        );
        return None;
    }
    Some(claimed_end)
}

/// Handshake messages inside one record (several may share it).
fn handshakes(l: &mut Layer, b: &[u8], body: usize, end: usize, summary: &mut Vec<String>) {
    let rec = b.get(..end).unwrap_or(b);
    let mut p = body;
    while p < end {
        let (Some(t), Some(len)) = (u8_at(rec, p), slice(rec, p.saturating_add(1), 3)) else {
            l.fail(p, format!("handshake header cut off at offset {p}"));
            return;
        };
        let hlen = len.iter().fold(0usize, |a, &x| (a << 8) | usize::from(x));
        let msg_end = p.saturating_add(4).saturating_add(hlen);
        // After Change Cipher Spec the Finished message is encrypted: its "header" is noise that
        // rarely fits the record. Only a known type whose length fits is taken as clear text,
        // except that a cut record may hold the start of a known message.
        let known = handshake_name(t).is_some();
        let fits = msg_end <= end || end == b.len();
        if !known || !fits {
            summary.push("Encrypted Handshake Message".to_string());
            return;
        }
        l.add(
            "tls.handshake.type",
            "Handshake type",
            Value::UInt(u64::from(t)),
            p,
            1,
        )
        .show(|| named(handshake_name(t), u64::from(t)));
        l.add(
            "tls.handshake.length",
            "Length",
            Value::UInt(hlen as u64),
            p.saturating_add(1),
            3,
        );
        summary.push(handshake_name(t).unwrap_or("Handshake").to_string());
        let m_end = msg_end.min(end);
        let m = rec.get(..m_end).unwrap_or(rec);
        let body = p.saturating_add(4);
        let ok = match t {
            1 => hello(l, m, body, true),
            2 => hello(l, m, body, false),
            _ => Some(()),
        };
        if ok.is_none() || msg_end > end {
            if l.error.is_none() {
                l.fail(
                    m_end,
                    format!("handshake message at offset {p} is cut off at offset {m_end}"),
                );
            }
            return;
        }
        p = msg_end;
    }
}

/// Records a cut inside a hello message.
fn cut(l: &mut Layer, at: usize, what: &str) -> Option<()> {
    l.fail(at, format!("{what} cut off at offset {at}"));
    None
}

/// ClientHello (RFC 8446 section 4.1.2) or ServerHello (section 4.1.3); `m` ends with the message.
fn hello(l: &mut Layer, m: &[u8], body: usize, client: bool) -> Option<()> {
    let Some(ver) = be16(m, body) else {
        return cut(l, body, "hello version");
    };
    l.add(
        "tls.handshake.version",
        "Version",
        Value::UInt(u64::from(ver)),
        body,
        2,
    )
    .show(|| hex_named(version_name(ver), ver));
    let r = body.saturating_add(2);
    let Some(random) = slice(m, r, 32) else {
        return cut(l, r, "random");
    };
    l.add(
        "tls.handshake.random",
        "Random",
        Value::Bytes(random.to_vec()),
        r,
        32,
    );
    let so = r.saturating_add(32);
    let Some(sid_len) = u8_at(m, so) else {
        return cut(l, so, "session ID length");
    };
    l.add(
        "tls.handshake.session_id_length",
        "Session ID length",
        Value::UInt(u64::from(sid_len)),
        so,
        1,
    );
    let sid = so.saturating_add(1);
    let Some(sid_bytes) = slice(m, sid, usize::from(sid_len)) else {
        return cut(l, sid, "session ID");
    };
    if sid_len > 0 {
        l.add(
            "tls.handshake.session_id",
            "Session ID",
            Value::Bytes(sid_bytes.to_vec()),
            sid,
            usize::from(sid_len),
        );
    }
    let mut p = sid.saturating_add(usize::from(sid_len));
    if client {
        let Some(cs_len) = be16(m, p) else {
            return cut(l, p, "cipher suites length");
        };
        l.add(
            "tls.handshake.cipher_suites_length",
            "Cipher suites length",
            Value::UInt(u64::from(cs_len)),
            p,
            2,
        );
        let cs = p.saturating_add(2);
        let Some(suites) = slice(m, cs, usize::from(cs_len)) else {
            return cut(l, cs, "cipher suites");
        };
        for (i, pair) in suites.chunks_exact(2).enumerate() {
            let c = u16::from_be_bytes([*pair.first()?, *pair.get(1)?]);
            l.add(
                "tls.handshake.ciphersuite",
                "Cipher suite",
                Value::UInt(u64::from(c)),
                cs.saturating_add(2 * i),
                2,
            )
            .show(|| hex_named(cipher_name(c), c));
        }
        p = cs.saturating_add(usize::from(cs_len));
        let Some(cm_len) = u8_at(m, p) else {
            return cut(l, p, "compression methods length");
        };
        l.add(
            "tls.handshake.comp_methods_length",
            "Compression methods length",
            Value::UInt(u64::from(cm_len)),
            p,
            1,
        );
        let cm = p.saturating_add(1);
        let Some(methods) = slice(m, cm, usize::from(cm_len)) else {
            return cut(l, cm, "compression methods");
        };
        for (i, &x) in methods.iter().enumerate() {
            l.add(
                "tls.handshake.comp_method",
                "Compression method",
                Value::UInt(u64::from(x)),
                cm.saturating_add(i),
                1,
            );
        }
        p = cm.saturating_add(usize::from(cm_len));
    } else {
        let Some(c) = be16(m, p) else {
            return cut(l, p, "cipher suite");
        };
        l.add(
            "tls.handshake.ciphersuite",
            "Cipher suite",
            Value::UInt(u64::from(c)),
            p,
            2,
        )
        .show(|| hex_named(cipher_name(c), c));
        let cm = p.saturating_add(2);
        let Some(x) = u8_at(m, cm) else {
            return cut(l, cm, "compression method");
        };
        l.add(
            "tls.handshake.comp_method",
            "Compression method",
            Value::UInt(u64::from(x)),
            cm,
            1,
        );
        p = cm.saturating_add(1);
    }
    if p >= m.len() {
        // Extensions are optional before TLS 1.3 (RFC 5246 section 7.4.1.2).
        return Some(());
    }
    let Some(ext_len) = be16(m, p) else {
        return cut(l, p, "extensions length");
    };
    l.add(
        "tls.handshake.extensions_length",
        "Extensions length",
        Value::UInt(u64::from(ext_len)),
        p,
        2,
    );
    let mut e = p.saturating_add(2);
    let ext_end = e.saturating_add(usize::from(ext_len));
    if ext_end > m.len() {
        // Decode the extensions that are there, then report the cut.
        extensions(l, m, e, m.len(), client);
        return cut(l, m.len(), "extensions");
    }
    let ext = m.get(..ext_end).unwrap_or(m);
    e = extensions(l, ext, e, ext_end, client)?;
    let _ = e;
    Some(())
}

/// Extensions (RFC 8446 section 4.2) in `m[e..end]`; returns the end when all were read.
fn extensions(l: &mut Layer, m: &[u8], mut e: usize, end: usize, client: bool) -> Option<usize> {
    let m = m.get(..end).unwrap_or(m);
    while e < end {
        let (Some(t), Some(len)) = (be16(m, e), be16(m, e.saturating_add(2))) else {
            return cut(l, e, "extension header").map(|_| e);
        };
        let d = e.saturating_add(4);
        let Some(data) = slice(m, d, usize::from(len)) else {
            l.add(
                "tls.handshake.extension.type",
                "Extension type",
                Value::UInt(u64::from(t)),
                e,
                2,
            );
            return cut(l, d, "extension data").map(|_| e);
        };
        l.add(
            "tls.handshake.extension.type",
            "Extension type",
            Value::UInt(u64::from(t)),
            e,
            2,
        )
        .show(|| named(extension_name(t), u64::from(t)));
        l.add(
            "tls.handshake.extension.len",
            "Length",
            Value::UInt(u64::from(len)),
            e.saturating_add(2),
            2,
        );
        match t {
            0 if client => server_name(l, data, d),
            16 => alpn(l, data, d),
            43 => supported_versions(l, data, d, client),
            _ => {}
        }
        e = d.saturating_add(usize::from(len));
    }
    Some(e)
}

/// Extension types (IANA "TLS ExtensionType Values").
fn extension_name(t: u16) -> Option<&'static str> {
    Some(match t {
        0 => "server_name",
        5 => "status_request",
        10 => "supported_groups",
        11 => "ec_point_formats",
        13 => "signature_algorithms",
        16 => "application_layer_protocol_negotiation",
        18 => "signed_certificate_timestamp",
        21 => "padding",
        23 => "extended_master_secret",
        27 => "compress_certificate",
        35 => "session_ticket",
        41 => "pre_shared_key",
        42 => "early_data",
        43 => "supported_versions",
        44 => "cookie",
        45 => "psk_key_exchange_modes",
        49 => "post_handshake_auth",
        51 => "key_share",
        57 => "quic_transport_parameters",
        65281 => "renegotiation_info",
        t if t & 0x0f0f == 0x0a0a && (t >> 8) == (t & 0xff) => "Reserved (GREASE)",
        _ => return None,
    })
}

/// server_name (RFC 6066 section 3): a list of (type, name); host names are type 0.
fn server_name(l: &mut Layer, data: &[u8], d: usize) {
    let Some(list_len) = be16(data, 0) else {
        return;
    };
    l.add(
        "tls.handshake.extensions_server_name_list_len",
        "Server name list length",
        Value::UInt(u64::from(list_len)),
        d,
        2,
    );
    let mut q = 2usize;
    while q < data.len() {
        let (Some(kind), Some(n)) = (u8_at(data, q), be16(data, q.saturating_add(1))) else {
            return;
        };
        let s = q.saturating_add(3);
        let Some(name) = slice(data, s, usize::from(n)) else {
            return;
        };
        l.add(
            "tls.handshake.extensions_server_name_type",
            "Server name type",
            Value::UInt(u64::from(kind)),
            d.saturating_add(q),
            1,
        );
        l.add(
            "tls.handshake.extensions_server_name_len",
            "Server name length",
            Value::UInt(u64::from(n)),
            d.saturating_add(q).saturating_add(1),
            2,
        );
        l.add(
            "tls.handshake.extensions_server_name",
            "Server name",
            Value::Str(lossy(name)),
            d.saturating_add(s),
            usize::from(n),
        );
        q = s.saturating_add(usize::from(n));
    }
}

/// ALPN (RFC 7301 section 3.1): a list of length-prefixed protocol names.
fn alpn(l: &mut Layer, data: &[u8], d: usize) {
    let Some(list_len) = be16(data, 0) else {
        return;
    };
    l.add(
        "tls.handshake.extensions_alpn_len",
        "ALPN extension length",
        Value::UInt(u64::from(list_len)),
        d,
        2,
    );
    let mut q = 2usize;
    while q < data.len() {
        let Some(n) = u8_at(data, q) else {
            return;
        };
        let s = q.saturating_add(1);
        let Some(proto) = slice(data, s, usize::from(n)) else {
            return;
        };
        l.add(
            "tls.handshake.extensions_alpn_str_len",
            "ALPN string length",
            Value::UInt(u64::from(n)),
            d.saturating_add(q),
            1,
        );
        l.add(
            "tls.handshake.extensions_alpn_str",
            "ALPN next protocol",
            Value::Str(lossy(proto)),
            d.saturating_add(s),
            usize::from(n),
        );
        q = s.saturating_add(usize::from(n));
    }
}

/// supported_versions (RFC 8446 section 4.2.1): a list in the ClientHello, one in the ServerHello.
fn supported_versions(l: &mut Layer, data: &[u8], d: usize, client: bool) {
    let (start, count) = if client {
        match u8_at(data, 0) {
            Some(n) => {
                l.add(
                    "tls.handshake.extensions.supported_versions_len",
                    "Supported versions length",
                    Value::UInt(u64::from(n)),
                    d,
                    1,
                );
                (1usize, usize::from(n) / 2)
            }
            None => return,
        }
    } else {
        (0usize, 1usize)
    };
    for i in 0..count {
        let o = start.saturating_add(2 * i);
        let Some(v) = be16(data, o) else {
            return;
        };
        l.add(
            "tls.handshake.extensions.supported_version",
            "Supported version",
            Value::UInt(u64::from(v)),
            d.saturating_add(o),
            2,
        )
        .show(|| hex_named(version_name(v), v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::app::testutil::{check, every_prefix_fails, ranges_inside, run};

    fn client_hello() -> Vec<u8> {
        let mut f = vec![
            0x16, 0x03, 0x01, 0x00, 0x60, // 0: handshake record, TLS 1.0, 96 bytes
            0x01, 0x00, 0x00, 0x5c, // 5: ClientHello, 92 bytes
            0x03, 0x03, // 9: version TLS 1.2
        ];
        f.extend_from_slice(&[0x11; 32]); // 11: random
        f.extend_from_slice(&[
            0x00, // 43: empty session ID
            0x00, 0x04, 0x13, 0x01, 0xc0, 0x2f, // 44: two cipher suites
            0x01, 0x00, // 50: one compression method, null
            0x00, 0x2f, // 52: extensions, 47 bytes
            0x00, 0x00, 0x00, 0x10, // 54: server_name, 16 bytes
            0x00, 0x0e, 0x00, 0x00, 0x0b, // 58: list 14, host_name, 11 bytes
            b'e', b'x', b'a', b'm', b'p', b'l', b'e', b'.', b'c', b'o', b'm', // 63: name
            0x00, 0x10, 0x00, 0x0e, // 74: ALPN, 14 bytes
            0x00, 0x0c, 0x02, b'h', b'2', 0x08, b'h', b't', b't', b'p', b'/', b'1', b'.',
            b'1', // 78
            0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03,
            0x03, // 92: supported_versions 1.3, 1.2
        ]);
        f
    }

    #[test]
    fn decodes_a_client_hello() {
        let f = client_hello();
        assert_eq!(f.len(), 101);
        let layers = run(&f, 0, decode);
        ranges_inside(&layers, f.len());
        let l = &layers[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        assert_eq!(l.title, "Transport Layer Security (Client Hello)");
        check(l, "tls.record.content_type", Value::UInt(22), 0, 1);
        check(l, "tls.record.version", Value::UInt(0x0301), 1, 2);
        check(l, "tls.record.length", Value::UInt(96), 3, 2);
        check(l, "tls.handshake.type", Value::UInt(1), 5, 1);
        check(l, "tls.handshake.length", Value::UInt(92), 6, 3);
        check(l, "tls.handshake.version", Value::UInt(0x0303), 9, 2);
        check(l, "tls.handshake.ciphersuite", Value::UInt(0x1301), 46, 2);
        check(
            l,
            "tls.handshake.extensions_server_name",
            Value::Str("example.com".into()),
            63,
            11,
        );
        check(
            l,
            "tls.handshake.extensions_alpn_str",
            Value::Str("h2".into()),
            81,
            2,
        );
        let alpn: Vec<String> = l
            .fields
            .iter()
            .filter(|f| f.name == "tls.handshake.extensions_alpn_str")
            .map(|f| f.shown())
            .collect();
        assert_eq!(alpn, ["h2", "http/1.1"]);
        check(
            l,
            "tls.handshake.extensions.supported_version",
            Value::UInt(0x0304),
            97,
            2,
        );
    }

    #[test]
    fn every_truncation_is_reported() {
        every_prefix_fails(&client_hello(), 0, "tls", decode);
        // A cut hello still shows its server name when that part arrived.
        let f = client_hello();
        let l = &run(f.get(..80).unwrap_or(&[]), 0, decode)[0];
        check(
            l,
            "tls.handshake.extensions_server_name",
            Value::Str("example.com".into()),
            63,
            11,
        );
        assert!(l.error.is_some());
    }

    #[test]
    fn server_hello_ccs_and_encrypted_finished() {
        let mut f = vec![
            0x16, 0x03, 0x03, 0x00, 0x2a, // 0: handshake, 42 bytes
            0x02, 0x00, 0x00, 0x26, // 5: ServerHello, 38 bytes
            0x03, 0x03, // 9: TLS 1.2
        ];
        f.extend_from_slice(&[0x22; 32]); // 11: random
        f.extend_from_slice(&[
            0x00, // 43: no session ID
            0xc0, 0x2f, // 44: cipher suite
            0x00, // 46: compression null
            0x14, 0x03, 0x03, 0x00, 0x01, 0x01, // 47: change cipher spec
            0x16, 0x03, 0x03, 0x00, 0x04, 0x9a, 0x31, 0xc2, 0x07, // 53: encrypted Finished
            0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28, // 62: alert fatal handshake_failure
        ]);
        let l = &run(&f, 0, decode)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "tls.handshake.type", Value::UInt(2), 5, 1);
        check(l, "tls.handshake.ciphersuite", Value::UInt(0xc02f), 44, 2);
        assert_eq!(
            l.fields
                .iter()
                .filter(|f| f.name == "tls.handshake.type")
                .count(),
            1
        );
        check(l, "tls.change_cipher_spec", Value::None, 52, 1);
        check(l, "tls.alert_message.desc", Value::UInt(40), 68, 1);
        assert_eq!(
            l.title,
            "Transport Layer Security (Server Hello, Change Cipher Spec, Encrypted Handshake Message, Alert: Handshake Failure)"
        );
    }

    #[test]
    fn hostile_lengths() {
        // A record claiming 64 KiB with a ClientHello claiming 16 MiB inside.
        let f = [
            0x16, 0x03, 0x01, 0xff, 0xff, 0x01, 0xff, 0xff, 0xff, 0x03, 0x03,
        ];
        let l = &run(&f, 0, decode)[0];
        assert!(l.error.is_some());
        // Cipher suite length far beyond the message.
        let mut f = client_hello();
        if let Some(x) = f.get_mut(44) {
            *x = 0xff;
        }
        let l = &run(&f, 0, decode)[0];
        assert!(
            l.error.as_ref().is_some_and(|e| e.offset == 46),
            "{:?}",
            l.error
        );
        assert!(!looks_like_tls(&[0x16, 0x02, 0x01]));
        assert!(!looks_like_tls(&[0x16, 0x03]));
        assert!(looks_like_tls(&[0x17, 0x03, 0x03]));
    }
}
