//! HTTP/1.x message heads (RFC 9112): the request or status line and the header lines, with the
//! headers that explain a transaction (Host, User-Agent, Server, Content-Type, Content-Length).
//!
//! Owns the `http` layer and the content test that recognises the start of a message. Text is
//! kept as sent (invalid UTF-8 becomes U+FFFD; the interface escapes the rest). It must never
//! scan further than the segment and never treat a body or continuation segment as a message.

use super::{bounded, lossy};
use crate::decode::bytes::rest;
use crate::decode::{Ctx, Layer, Next};
use crate::field::Value;

/// Request methods recognised at the start of a payload (RFC 9110 section 9, RFC 5789 PATCH,
/// RFC 4918 WebDAV, and UPnP's SSDP/GENA methods).
const METHODS: &[&[u8]] = &[
    b"GET",
    b"POST",
    b"HEAD",
    b"PUT",
    b"DELETE",
    b"OPTIONS",
    b"CONNECT",
    b"TRACE",
    b"PATCH",
    b"PROPFIND",
    b"PROPPATCH",
    b"MKCOL",
    b"COPY",
    b"MOVE",
    b"LOCK",
    b"UNLOCK",
    b"NOTIFY",
    b"M-SEARCH",
    b"SUBSCRIBE",
    b"UNSUBSCRIBE",
];

fn starts_with_method(b: &[u8]) -> bool {
    METHODS
        .iter()
        .any(|m| b.strip_prefix(*m).is_some_and(|r| r.first() == Some(&b' ')))
}

/// True when a payload begins like an HTTP/1.x request or response.
pub fn looks_like_http(b: &[u8]) -> bool {
    b.starts_with(b"HTTP/1.") || starts_with_method(b)
}

/// Status codes' reason classes (RFC 9110 section 15).
fn status_class(code: u64) -> &'static str {
    match code {
        100..=199 => "Informational",
        200..=299 => "Success",
        300..=399 => "Redirection",
        400..=499 => "Client Error",
        500..=599 => "Server Error",
        _ => "Unknown",
    }
}

/// One line: its start, the end of its text, and where the next line starts (after CRLF or LF).
struct Line {
    start: usize,
    text_end: usize,
    next: usize,
}

/// Finds the line starting at `start`; `None` when no line end is in the bytes.
fn line_at(b: &[u8], start: usize) -> Option<Line> {
    let nl = rest(b, start).iter().position(|&c| c == b'\n')?;
    let lf = start.saturating_add(nl);
    let text_end = if lf > start && b.get(lf - 1) == Some(&b'\r') {
        lf - 1
    } else {
        lf
    };
    Some(Line {
        start,
        text_end,
        next: lf.saturating_add(1),
    })
}

pub fn decode(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    decode_as(cx, "http", "Hypertext Transfer Protocol", offset, end)
}

/// SSDP (UPnP Device Architecture section 1) is HTTP over UDP multicast; Wireshark names the
/// layer `ssdp` and its fields `http.*`.
pub fn decode_ssdp(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    decode_as(cx, "ssdp", "Simple Service Discovery Protocol", offset, end)
}

fn decode_as(
    cx: &mut Ctx<'_>,
    proto: &'static str,
    title: &'static str,
    offset: usize,
    end: usize,
) -> Next {
    let b = bounded(cx, end);
    let mut l = Layer::new(proto, title, offset);
    l.len = end.saturating_sub(offset);
    decode_head(&mut l, b, offset);
    cx.push(l);
    Next::Stop
}

fn decode_head(l: &mut Layer, b: &[u8], start: usize) -> Option<()> {
    let Some(first) = line_at(b, start) else {
        l.fail(
            b.len(),
            format!("the first line starting at offset {start} has no line end in this segment"),
        );
        return None;
    };
    let text = b.get(first.start..first.text_end).unwrap_or(&[]);
    let response = text.starts_with(b"HTTP/");
    // The three parts are separated by single spaces; the last (URI's version, or the phrase)
    // takes the rest of the line.
    let sp1 = text.iter().position(|&c| c == b' ');
    let part = |from: usize, to: usize| {
        (
            lossy(text.get(from..to).unwrap_or(&[])),
            start.saturating_add(from),
            to.saturating_sub(from),
        )
    };
    if response {
        l.add(
            "http.response",
            "Response",
            Value::Bool(true),
            first.start,
            first.next.saturating_sub(first.start),
        );
        let v_end = sp1.unwrap_or(text.len());
        let (v, vo, vl) = part(0, v_end);
        l.add(
            "http.response.version",
            "Response version",
            Value::Str(v),
            vo,
            vl,
        );
        if let Some(s1) = sp1 {
            let after = s1 + 1;
            let code_end = text
                .iter()
                .skip(after)
                .position(|&c| c == b' ')
                .map_or(text.len(), |p| after + p);
            let (code_text, co, cl) = part(after, code_end);
            match code_text.parse::<u64>() {
                Ok(code) if code_text.len() == 3 => {
                    l.add(
                        "http.response.code",
                        "Status code",
                        Value::UInt(code),
                        co,
                        cl,
                    )
                    .show(|| format!("{code} ({})", status_class(code)));
                }
                _ => {
                    l.fail(
                        co,
                        format!("status code at offset {co} is not three digits"),
                    );
                }
            }
            if code_end < text.len() {
                let (phrase, po, pl) = part(code_end + 1, text.len());
                l.add(
                    "http.response.phrase",
                    "Response phrase",
                    Value::Str(phrase),
                    po,
                    pl,
                );
            }
        }
    } else {
        l.add(
            "http.request",
            "Request",
            Value::Bool(true),
            first.start,
            first.next.saturating_sub(first.start),
        );
        let m_end = sp1.unwrap_or(text.len());
        let (m, mo, ml) = part(0, m_end);
        l.add(
            "http.request.method",
            "Request method",
            Value::Str(m),
            mo,
            ml,
        );
        if let Some(s1) = sp1 {
            let after = s1 + 1;
            let uri_end = text
                .iter()
                .skip(after)
                .position(|&c| c == b' ')
                .map_or(text.len(), |p| after + p);
            let (u, uo, ul) = part(after, uri_end);
            l.add("http.request.uri", "Request URI", Value::Str(u), uo, ul);
            if uri_end < text.len() {
                let (v, vo, vl) = part(uri_end + 1, text.len());
                l.add(
                    "http.request.version",
                    "Request version",
                    Value::Str(v),
                    vo,
                    vl,
                );
            }
        }
    }
    let (line_name, line_label) = if response {
        ("http.response.line", "Response line")
    } else {
        ("http.request.line", "Request line")
    };
    let mut pos = first.next;
    // Each iteration consumes at least one byte (a line end), so this is bounded by the segment.
    loop {
        let Some(line) = line_at(b, pos) else {
            l.fail(
                pos,
                format!("headers stop at offset {pos} without a blank line; the rest is in a later segment or was not captured"),
            );
            return None;
        };
        if line.text_end == line.start {
            // The blank line ends the head; what follows is the body.
            return Some(());
        }
        let whole = b.get(line.start..line.next).unwrap_or(&[]);
        l.add(
            line_name,
            line_label,
            Value::Str(lossy(whole)),
            line.start,
            line.next - line.start,
        );
        header(l, b, &line);
        pos = line.next;
    }
}

/// Adds the named field for the headers that explain a transaction.
fn header(l: &mut Layer, b: &[u8], line: &Line) {
    let text = b.get(line.start..line.text_end).unwrap_or(&[]);
    let Some(colon) = text.iter().position(|&c| c == b':') else {
        return;
    };
    let name = text.get(..colon).unwrap_or(&[]);
    let value_rel = colon
        + 1
        + text
            .iter()
            .skip(colon + 1)
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
    let value = text.get(value_rel..).unwrap_or(&[]);
    let trimmed_len = value
        .iter()
        .rposition(|&c| c != b' ' && c != b'\t')
        .map_or(0, |i| i + 1);
    let value = value.get(..trimmed_len).unwrap_or(&[]);
    let vo = line.start.saturating_add(value_rel);
    let field = match name.to_ascii_lowercase().as_slice() {
        b"host" => ("http.host", "Host"),
        b"user-agent" => ("http.user_agent", "User-Agent"),
        b"server" => ("http.server", "Server"),
        b"content-type" => ("http.content_type", "Content-Type"),
        b"content-length" => ("http.content_length_header", "Content-Length"),
        b"location" => ("http.location", "Location"),
        b"referer" => ("http.referer", "Referer"),
        b"cookie" => ("http.cookie", "Cookie"),
        b"set-cookie" => ("http.set_cookie", "Set-Cookie"),
        b"authorization" => ("http.authorization", "Authorization"),
        b"transfer-encoding" => ("http.transfer_encoding", "Transfer-Encoding"),
        b"connection" => ("http.connection", "Connection"),
        _ => return,
    };
    l.add(field.0, field.1, Value::Str(lossy(value)), vo, value.len());
    if field.0 == "http.content_length_header" {
        if let Some(n) = std::str::from_utf8(value)
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
        {
            l.add(
                "http.content_length",
                "Content length",
                Value::UInt(n),
                vo,
                value.len(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::app::testutil::{check, every_prefix_fails, ranges_inside, run};

    const REQ: &[u8] = b"GET /index.html?q=1 HTTP/1.1\r\n\
Host: example.com\r\n\
User-Agent: curl/8.5.0\r\n\
Accept: */*\r\n\
\r\n";

    const RESP: &[u8] = b"HTTP/1.1 404 Not Found\r\n\
Server: nginx\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Length: 5\r\n\
\r\n\
oops!";

    #[test]
    fn decodes_a_request() {
        let layers = run(REQ, 0, decode);
        ranges_inside(&layers, REQ.len());
        let l = &layers[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        // "GET" at 0, "/index.html?q=1" at 4, "HTTP/1.1" at 20.
        check(l, "http.request.method", Value::Str("GET".into()), 0, 3);
        check(
            l,
            "http.request.uri",
            Value::Str("/index.html?q=1".into()),
            4,
            15,
        );
        check(
            l,
            "http.request.version",
            Value::Str("HTTP/1.1".into()),
            20,
            8,
        );
        // Header lines keep their line end, as Wireshark's do.
        check(
            l,
            "http.request.line",
            Value::Str("Host: example.com\r\n".into()),
            30,
            19,
        );
        check(l, "http.host", Value::Str("example.com".into()), 36, 11);
        check(
            l,
            "http.user_agent",
            Value::Str("curl/8.5.0".into()),
            61,
            10,
        );
        assert_eq!(
            l.fields
                .iter()
                .filter(|f| f.name == "http.request.line")
                .count(),
            3
        );
    }

    #[test]
    fn decodes_a_response() {
        let l = &run(RESP, 0, decode)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(
            l,
            "http.response.version",
            Value::Str("HTTP/1.1".into()),
            0,
            8,
        );
        check(l, "http.response.code", Value::UInt(404), 9, 3);
        check(
            l,
            "http.response.phrase",
            Value::Str("Not Found".into()),
            13,
            9,
        );
        check(l, "http.server", Value::Str("nginx".into()), 32, 5);
        check(
            l,
            "http.content_type",
            Value::Str("text/html; charset=utf-8".into()),
            53,
            24,
        );
        check(
            l,
            "http.content_length_header",
            Value::Str("5".into()),
            95,
            1,
        );
        check(l, "http.content_length", Value::UInt(5), 95, 1);
        assert_eq!(l.len, RESP.len());
    }

    #[test]
    fn every_truncation_of_the_head_is_reported() {
        every_prefix_fails(REQ, 0, "http", decode);
        // Cutting the body is not an error: bodies span segments.
        let head_len = RESP.len() - 5;
        every_prefix_fails(RESP.get(..head_len).unwrap_or(&[]), 0, "http", decode);
        let l = &run(RESP.get(..head_len + 2).unwrap_or(&[]), 0, decode)[0];
        assert!(l.error.is_none());
    }

    #[test]
    fn odd_text_is_kept() {
        let f = b"GET /\xff<script> HTTP/1.0\nHost: a\n\n";
        let l = &run(f, 0, decode)[0];
        assert!(l.error.is_none(), "{:?}", l.error);
        check(
            l,
            "http.request.uri",
            Value::Str("/\u{fffd}<script>".into()),
            4,
            10,
        );
        check(
            l,
            "http.request.version",
            Value::Str("HTTP/1.0".into()),
            15,
            8,
        );
        check(l, "http.host", Value::Str("a".into()), 30, 1);
        let l = &run(b"HTTP/1.1 20x OK\r\n\r\n", 0, decode)[0];
        assert!(l.error.as_ref().is_some_and(|e| e.offset == 9));
    }

    #[test]
    fn ssdp_notify() {
        let f = b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNTS: ssdp:alive\r\n\r\n";
        let l = &run(f, 0, decode_ssdp)[0];
        assert_eq!(l.proto, "ssdp");
        assert!(l.error.is_none(), "{:?}", l.error);
        check(l, "http.request.method", Value::Str("NOTIFY".into()), 0, 6);
        check(l, "http.request.uri", Value::Str("*".into()), 7, 1);
        check(
            l,
            "http.host",
            Value::Str("239.255.255.250:1900".into()),
            25,
            20,
        );
        assert!(looks_like_http(b"M-SEARCH * HTTP/1.1\r\n"));
    }

    #[test]
    fn content_test() {
        assert!(looks_like_http(b"POST /x HTTP/1.1\r\n"));
        assert!(looks_like_http(b"HTTP/1.0 200 OK"));
        assert!(!looks_like_http(b"GETX / HTTP/1.1"));
        assert!(!looks_like_http(b"HTTP/2 200"));
        assert!(!looks_like_http(b"<html>"));
        assert!(!looks_like_http(b""));
    }
}
