//! First-tier application decoding over UDP and TCP: enough of DNS (and mDNS/LLMNR), DHCP/BOOTP,
//! NetBIOS name service, HTTP/1.x, the TLS handshake, NTP and SNMP to explain traffic.
//!
//! Owns the choice of decoder for a transport payload (by port, and by content for HTTP and TLS)
//! and the per-protocol modules under `app/`. It must never read outside the payload range it is
//! given, never loop or allocate more than the payload bytes allow (counts in headers are claims,
//! not budgets), and never give up on the whole frame: a payload nothing recognises becomes a
//! `data` layer.

#[cfg(all(test, not(target_arch = "wasm32")))]
mod corpus_tests;
mod dhcp;
mod dns;
mod http;
mod nbns;
mod ntp;
mod snmp;
mod tls;

use super::{Ctx, Next, Transport};

/// Which decoder a payload goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    Dns(dns::Flavor),
    Dhcp,
    Nbns,
    Http,
    Ssdp,
    Tls,
    Ntp,
    Snmp,
}

/// Well-known ports (IANA Service Name and Transport Protocol Port Number Registry), with the
/// common HTTP alternates and proxy ports the brief asks for.
fn by_port(transport: Transport, port: u16) -> Option<Proto> {
    use Transport::{Tcp, Udp};
    Some(match (transport, port) {
        (_, 53) => Proto::Dns(dns::Flavor::Dns),
        (Udp, 5353) => Proto::Dns(dns::Flavor::Mdns),
        (_, 5355) => Proto::Dns(dns::Flavor::Llmnr),
        (Udp, 67 | 68) => Proto::Dhcp,
        (Udp, 137) => Proto::Nbns,
        (Udp, 123) => Proto::Ntp,
        (Udp, 161 | 162) => Proto::Snmp,
        (Udp, 1900) => Proto::Ssdp,
        (Tcp, 80 | 8080 | 8000 | 3128 | 8008) => Proto::Http,
        (Tcp, 443 | 465 | 993 | 995 | 8443) => Proto::Tls,
        _ => return None,
    })
}

/// Decodes a UDP or TCP payload `offset..end` (already clamped to the captured bytes).
pub fn dispatch(
    cx: &mut Ctx<'_>,
    transport: Transport,
    src_port: u16,
    dst_port: u16,
    offset: usize,
    end: usize,
) -> Next {
    let end = end.min(cx.frame.len());
    // `offset == end` is a payload the headers claim of which nothing was captured: the decoder
    // its ports name still runs, so the dissection says which header the capture cut.
    if offset > end {
        return Next::Stop;
    }
    let payload = cx.frame.get(offset..end).unwrap_or(&[]);
    // The lower port is usually the service and the higher one the client's ephemeral port, so
    // it is tried first (a client on 5353 asking a server on 53 is DNS, not mDNS).
    let (lo, hi) = if src_port <= dst_port {
        (src_port, dst_port)
    } else {
        (dst_port, src_port)
    };
    let by_ports = by_port(transport, lo).or_else(|| by_port(transport, hi));
    let by_content = if transport == Transport::Tcp {
        if tls::looks_like_tls(payload) {
            Some(Proto::Tls)
        } else if http::looks_like_http(payload) {
            Some(Proto::Http)
        } else {
            None
        }
    } else {
        None
    };
    let proto = match by_ports {
        // HTTP and TLS ports also carry continuation segments (bodies, the rest of a record);
        // those are only decoded when their first bytes say so, and either protocol may run on
        // the other's port.
        Some(Proto::Http | Proto::Tls) => by_content,
        Some(Proto::Ssdp) => http::looks_like_http(payload).then_some(Proto::Ssdp),
        Some(p) => Some(p),
        None => by_content,
    };
    match proto {
        Some(Proto::Dns(flavor)) => dns::decode(cx, flavor, transport, offset, end),
        Some(Proto::Dhcp) => dhcp::decode(cx, offset, end),
        Some(Proto::Nbns) => nbns::decode(cx, offset, end),
        Some(Proto::Http) => http::decode(cx, offset, end),
        Some(Proto::Ssdp) => http::decode_ssdp(cx, offset, end),
        Some(Proto::Tls) => tls::decode(cx, offset, end),
        Some(Proto::Ntp) => ntp::decode(cx, offset, end),
        Some(Proto::Snmp) => snmp::decode(cx, offset, end),
        None => super::data_layer(cx, offset, end),
    }
}

/// The frame cut at the end of the payload, so a decoder addressing bytes by frame offset can
/// never read past the range it was given.
fn bounded<'a>(cx: &Ctx<'a>, end: usize) -> &'a [u8] {
    cx.frame.get(..end.min(cx.frame.len())).unwrap_or(&[])
}

/// Text from the wire as-is (the interface escapes it); invalid UTF-8 becomes U+FFFD.
fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `name (n)` for a registry value, or just the number when the registry has no entry.
fn named(name: Option<&str>, n: u64) -> String {
    match name {
        Some(s) => format!("{s} ({n})"),
        None => format!("Unknown ({n})"),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Helpers shared by the application decoders' tests.
    use crate::decode::{Ctx, Layer, Next};
    use crate::field::Value;

    pub fn ctx(frame: &[u8]) -> Ctx<'_> {
        Ctx {
            frame,
            layers: Vec::new(),
            quoted: false,
            datagram_end: None,
            orig_len: 0,
        }
    }

    /// Runs a decoder over `frame` with the payload starting at `offset`, returning its layers.
    pub fn run(
        frame: &[u8],
        offset: usize,
        f: impl Fn(&mut Ctx<'_>, usize, usize) -> Next,
    ) -> Vec<Layer> {
        let mut cx = ctx(frame);
        let _ = f(&mut cx, offset, frame.len());
        cx.layers
    }

    /// Asserts that the first field called `name` has this value and byte range.
    #[track_caller]
    pub fn check(l: &Layer, name: &str, value: Value, offset: usize, len: usize) {
        let f = l
            .field(name)
            .unwrap_or_else(|| panic!("no field {name} in {:#?}", l.fields));
        assert_eq!(f.value, value, "value of {name}");
        assert_eq!((f.offset, f.len), (offset, len), "byte range of {name}");
    }

    /// Every field's range lies inside the frame, and no field is empty unless it is a subtree.
    #[track_caller]
    pub fn ranges_inside(layers: &[Layer], frame_len: usize) {
        for l in layers {
            for f in &l.fields {
                assert!(
                    f.offset.checked_add(f.len).is_some_and(|e| e <= frame_len),
                    "{} at {}+{} is outside a {frame_len}-byte frame",
                    f.name,
                    f.offset,
                    f.len
                );
            }
        }
    }

    /// Decodes every strict prefix of `frame` (the payload starting at `offset`): none may panic,
    /// and the layer that was cut must say so with an error.
    #[track_caller]
    pub fn every_prefix_fails(
        frame: &[u8],
        offset: usize,
        proto: &str,
        f: impl Fn(&mut Ctx<'_>, usize, usize) -> Next,
    ) {
        for cut in offset + 1..frame.len() {
            let short = frame.get(..cut).unwrap_or(&[]);
            let layers = run(short, offset, &f);
            ranges_inside(&layers, cut);
            let l = layers
                .iter()
                .find(|l| l.proto == proto)
                .unwrap_or_else(|| panic!("no {proto} layer at cut {cut}: {layers:#?}"));
            assert!(
                l.error.is_some(),
                "{proto} cut after {cut} bytes carries no error: {l:#?}"
            );
        }
        // The whole sample decodes cleanly.
        let layers = run(frame, offset, &f);
        for l in &layers {
            assert!(l.error.is_none(), "unexpected error {:?}", l.error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Transport;

    fn protos(transport: Transport, src: u16, dst: u16, payload: &[u8]) -> Vec<&'static str> {
        let mut cx = testutil::ctx(payload);
        let _ = dispatch(&mut cx, transport, src, dst, 0, payload.len());
        cx.layers.iter().map(|l| l.proto).collect()
    }

    #[test]
    fn chooses_by_port_and_content() {
        let dns = [0u8; 12];
        assert_eq!(protos(Transport::Udp, 53, 40000, &dns), ["dns"]);
        assert_eq!(protos(Transport::Udp, 5353, 5353, &dns), ["mdns"]);
        // The lower, well-known port wins over a higher registered one.
        assert_eq!(protos(Transport::Udp, 5353, 53, &dns), ["dns"]);
        assert_eq!(protos(Transport::Udp, 40000, 40001, &dns), ["data"]);
        let get = b"GET / HTTP/1.1\r\n\r\n";
        assert_eq!(protos(Transport::Tcp, 40000, 80, get), ["http"]);
        assert_eq!(protos(Transport::Tcp, 40000, 9999, get), ["http"]);
        // A body segment on port 80 is not an HTTP message start.
        assert_eq!(protos(Transport::Tcp, 80, 40000, b"<html>"), ["data"]);
        let tls = [0x16, 0x03, 0x01, 0x00, 0x00];
        assert_eq!(protos(Transport::Tcp, 40000, 443, &tls), ["tls"]);
        assert_eq!(protos(Transport::Tcp, 40000, 12345, &tls), ["tls"]);
        assert_eq!(protos(Transport::Tcp, 443, 40000, &[0x42; 20]), ["data"]);
        assert_eq!(
            protos(Transport::Udp, 1900, 40000, b"NOTIFY * HTTP/1.1\r\n\r\n"),
            ["ssdp"]
        );
        assert_eq!(protos(Transport::Udp, 1900, 40000, b"garbage"), ["data"]);
        // UDP is never chosen by content.
        assert_eq!(protos(Transport::Udp, 40000, 40001, get), ["data"]);
        // An empty payload is one the headers claim but the capture cut off entirely: the
        // decoder the ports name reports the cut; without one, nothing is added.
        let mut cx = testutil::ctx(&[]);
        let _ = dispatch(&mut cx, Transport::Udp, 53, 53, 0, 0);
        let e = cx.layers.first().and_then(|l| l.error.clone());
        assert_eq!(cx.layers.first().map(|l| l.proto), Some("dns"));
        assert!(e.is_some(), "{:?}", cx.layers);
        assert!(protos(Transport::Udp, 40000, 40001, &[]).is_empty());
        assert!(protos(Transport::Tcp, 40000, 80, &[]).is_empty());
    }
}
