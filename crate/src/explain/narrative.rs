//! One or two sentences on what a packet is doing: who asks whom for what, in words a student
//! can follow, with the meaning of a port taken from the port table (`knowledge/ports.toml`).
//!
//! Owns the per-packet narrative only. It must never judge a packet (that is the findings' job,
//! with evidence and sources), never read raw bytes (only decoded fields), and never come back
//! empty: a packet nothing here recognises still gets a sentence naming its innermost layer.
//! Values copied from the packet (names, URIs, SSIDs) go through [`clean`] so hostile bytes
//! cannot break the text.

use super::ports::{self, Proto};
use super::PacketView;
use crate::decode::icmp::{icmp_code_name, icmp_type_name, icmpv6_code_name, icmpv6_type_name};
use crate::decode::ip::ip_proto_name;
use crate::decode::{ethernet, linktype, Dissection, Layer};
use crate::field::Value;

/// Longest piece of packet-supplied text quoted in a narrative.
const MAX_QUOTE: usize = 64;

/// Packet-supplied text made safe to embed: control characters become `.`, long text is cut.
pub(crate) fn clean(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { '.' } else { c })
        .take(MAX_QUOTE)
        .collect();
    if s.chars().count() > MAX_QUOTE {
        out.push('…');
    }
    out
}

fn s(l: &Layer, name: &str) -> String {
    l.field(name)
        .map(|f| clean(&f.value.to_string()))
        .unwrap_or_default()
}

fn u(l: &Layer, name: &str) -> u64 {
    l.u64(name).unwrap_or(0)
}

fn flag(l: &Layer, name: &str) -> bool {
    l.get(name) == Some(&Value::Bool(true))
}

/// The readable rendering of a field (its display text when it has one), cleaned.
fn shown(l: &Layer, name: &str) -> Option<String> {
    l.field(name).map(|f| clean(&f.shown()))
}

/// Non-quoted layers in frame order: what the packet itself carries.
fn outer(d: &Dissection) -> Vec<&Layer> {
    d.layers.iter().filter(|l| !l.quoted).collect()
}

/// Source and destination of an `ip` or `ipv6` layer.
fn ends(l: &Layer) -> (String, String) {
    if l.proto == "ipv6" {
        (s(l, "ipv6.src"), s(l, "ipv6.dst"))
    } else {
        (s(l, "ip.src"), s(l, "ip.dst"))
    }
}

/// ", the port of DNS ..." for a port with a known meaning, else a word on the port's range.
fn port_phrase(proto: Proto, port: u16) -> String {
    match ports::lookup(proto, port) {
        // The well-known and registered blocks say little in a sentence; the dynamic one does.
        Some(p) if is_generic_range(p) && port < 49152 => String::new(),
        Some(p) => format!(", {}", p.phrase),
        // IANA's dynamic/private range (RFC 6335 section 6): clients pick these for themselves.
        None if port >= 49152 => {
            ", a port from the dynamic range clients pick for themselves".into()
        }
        None => String::new(),
    }
}

/// "port 53, the port of DNS, ..." (or just "port 7000"): the port named once, with its meaning.
fn port_words(proto: Proto, port: u16) -> String {
    let phrase = port_phrase(proto, port);
    let bare = phrase.trim_start_matches(", ");
    let named = format!("port {port}");
    if bare.is_empty() {
        named
    } else if let Some(rest) = bare
        .strip_prefix("UDP ")
        .or_else(|| bare.strip_prefix("TCP "))
        .filter(|r| r.starts_with(&named))
    {
        rest.to_string()
    } else if bare.starts_with(&named) {
        bare.to_string()
    } else {
        format!("{named}, {bare}")
    }
}

/// The three blocks of RFC 6335 section 6 (well-known, registered, dynamic) rather than a range
/// with a meaning of its own (RPC, traceroute, NAT).
pub(crate) fn is_generic_range(p: &ports::PortInfo) -> bool {
    matches!(
        p.range,
        Some([1, 1023] | [1024, 49151] | [49152, 65535] | [0, 1023])
    )
}

/// The service side of a conversation: the destination's port if it means something, else the
/// source's (replies come from the well-known port). `true` when the service is the destination.
fn service_port(proto: Proto, sport: u16, dport: u16) -> (u16, bool) {
    let known = |p: u16| ports::lookup(proto, p).is_some_and(|i| !i.is_range());
    let low = |p: u16| p < 1024;
    // A reply comes from a known port, or from a low (privileged) port to a high one.
    let reply = known(sport) || (low(sport) && !low(dport));
    if known(dport) || !reply {
        (dport, true)
    } else {
        (sport, false)
    }
}

/// Where an Ethernet destination sends a frame, as a phrase ("everyone on the local network").
fn mac_audience(mac: &str) -> Option<&'static str> {
    if mac == "ff:ff:ff:ff:ff:ff" {
        Some("everyone on the local network (broadcast)")
    } else if mac.starts_with("01:00:5e") || mac.starts_with("33:33") {
        Some("a multicast group on the local network")
    } else {
        None
    }
}

pub fn narrate(p: &PacketView<'_>) -> String {
    let d = p.d;
    let layers = outer(d);
    let mut text = main_sentence(d, &layers);
    if let Some(v) = layers.iter().find(|l| l.proto == "ieee8021ad") {
        text.push_str(&format!(
            " The frame carries a provider (802.1ad) tag for service VLAN {}.",
            u(v, "ieee8021ad.id")
        ));
    }
    if let Some(v) = layers.iter().find(|l| l.proto == "vlan") {
        text.push_str(&format!(
            " The frame is tagged for VLAN {}.",
            u(v, "vlan.id")
        ));
    }
    if let Some((l, e)) = d.error() {
        let whose = if l.quoted { "the quoted copy of " } else { "" };
        text.push_str(&format!(
            " Decoding stopped in {whose}the {} layer at byte {}: {}.",
            l.title,
            e.offset,
            e.message.trim_end_matches('.')
        ));
    }
    if text.trim().is_empty() {
        text = "A frame with no decodable content.".into();
    }
    text
}

/// The sentence for the innermost protocol the packet carries.
fn main_sentence(d: &Dissection, layers: &[&Layer]) -> String {
    // The innermost transport-like layer speaks for the packet; a tunnel adds a sentence.
    let inner = layers
        .iter()
        .rposition(|l| matches!(l.proto, "tcp" | "udp" | "icmp" | "icmpv6" | "igmp"));
    if let Some(i) = inner {
        let net = layers.get(..i).and_then(|before| {
            before
                .iter()
                .rev()
                .find(|l| matches!(l.proto, "ip" | "ipv6"))
        });
        let (src, dst) = net.map(|l| ends(l)).unwrap_or_default();
        let t = match layers.get(i) {
            Some(t) => t,
            None => return String::new(),
        };
        let mut text = match t.proto {
            "tcp" => tcp(d, t, &src, &dst),
            "udp" => udp(d, t, &src, &dst),
            "icmp" => icmp(d, t, &src, &dst),
            "icmpv6" => icmpv6(t, &src, &dst),
            _ => igmp(t, &src, &dst),
        };
        text.push_str(&tunnel(layers, i));
        text.push_str(&fragment_note(net.copied()));
        return wlan_prefix(layers, text);
    }
    if let Some(a) = d.layer("arp") {
        return arp(a);
    }
    if let Some(net) = layers
        .iter()
        .rev()
        .find(|l| matches!(l.proto, "ip" | "ipv6"))
    {
        let mut text = bare_ip(layers, net);
        text.push_str(&tunnel(layers, layers.len()));
        return wlan_prefix(layers, text);
    }
    if let Some(w) = d.layer("wlan") {
        return wlan(d, w);
    }
    if let Some(e) = d.layer("eth") {
        return ethernet_other(d, e, layers);
    }
    other_link(d, layers)
}

/// " It travels inside a GRE tunnel from A to B." when more than one IP header precedes layer `i`.
fn tunnel(layers: &[&Layer], i: usize) -> String {
    let before = layers.get(..i).unwrap_or(&[]);
    let ips: Vec<&&Layer> = before
        .iter()
        .filter(|l| matches!(l.proto, "ip" | "ipv6"))
        .collect();
    let Some(outer_ip) = ips.first() else {
        return String::new();
    };
    if ips.len() < 2 {
        return String::new();
    }
    let (a, b) = ends(outer_ip);
    let how = if before.iter().any(|l| l.proto == "gre") {
        "a GRE tunnel"
    } else {
        "an IP-in-IP tunnel"
    };
    format!(" It travels inside {how} from {a} to {b}.")
}

/// A note on fragmentation for a datagram whose transport header was decoded (a first fragment).
fn fragment_note(net: Option<&Layer>) -> String {
    match net {
        Some(l) if l.proto == "ip" && flag(l, "ip.flags.mf") && u(l, "ip.frag_offset") == 0 => {
            " This is only the first fragment of a larger datagram; the rest follows in other packets."
                .into()
        }
        _ => String::new(),
    }
}

/// For IP over 802.11, says the frame came over Wi-Fi.
fn wlan_prefix(layers: &[&Layer], text: String) -> String {
    if layers.iter().any(|l| l.proto == "wlan") {
        format!("Over Wi-Fi: {text}")
    } else {
        text
    }
}

// ---------------------------------------------------------------------------------------------
// Link layer
// ---------------------------------------------------------------------------------------------

fn arp(a: &Layer) -> String {
    let spa = s(a, "arp.src.proto_ipv4");
    let tpa = s(a, "arp.dst.proto_ipv4");
    let sha = s(a, "arp.src.hw_mac");
    let tha = s(a, "arp.dst.hw_mac");
    // RFC 826 requests and replies; RFC 5227 probes and announcements; RFC 903 RARP.
    match u(a, "arp.opcode") {
        1 if flag(a, "arp.isprobe") => format!(
            "{sha} checks whether anyone already uses {tpa} before taking that address (an ARP probe, sent from 0.0.0.0)."
        ),
        1 if spa == tpa => format!(
            "{sha} announces to the local network that it holds {spa} (a gratuitous ARP request), so neighbours update their caches."
        ),
        1 => format!("{spa} ({sha}) asks the local network which hardware address has {tpa}."),
        2 if spa == tpa => format!(
            "{sha} announces that it holds {spa} (a gratuitous ARP reply), so neighbours update their caches."
        ),
        2 => format!("{spa} answers {tpa} ({tha}): {spa} is at hardware address {sha}."),
        3 => format!("{sha} asks which IP address belongs to hardware address {tha} (a RARP request)."),
        4 => format!("A RARP reply tells {tha} that its IP address is {tpa}."),
        op => format!("An ARP message with the unusual opcode {op} from {sha}."),
    }
}

fn ethernet_other(d: &Dissection, e: &Layer, layers: &[&Layer]) -> String {
    let src = s(e, "eth.src");
    let dst = s(e, "eth.dst");
    let to = mac_audience(&dst)
        .map(str::to_string)
        .unwrap_or(dst.clone());
    if e.field("eth.type").is_none() && e.field("eth.len").is_none() {
        return if src.is_empty() {
            "An Ethernet frame too short to hold even its addresses.".into()
        } else {
            format!("An Ethernet frame from {src} to {to}, cut off before its type field.")
        };
    }
    if let Some(l) = d.layer("llc") {
        let dsap = u(l, "llc.dsap");
        let pid = l.u64("llc.pid");
        let oui = l.u64("llc.oui");
        // IEEE 802.1D BPDUs use SAP 0x42; Cisco's SNAP protocols use OUI 00000c (CDP 0x2000,
        // VTP 0x2003, DTP 0x2004, PVST+ 0x010b).
        return match (dsap, oui, pid) {
            (0x42, _, _) => format!(
                "Switch {src} sends a spanning-tree BPDU to {dst}: switches trade these to agree on which links to block so the network has no loops."
            ),
            (0xaa, Some(0x00000c), Some(0x2000)) => format!(
                "Cisco device {src} announces its name, port and capabilities to its neighbours with CDP (Cisco Discovery Protocol)."
            ),
            (0xaa, Some(0x00000c), Some(0x010b)) => format!(
                "Switch {src} sends a Cisco per-VLAN spanning-tree (PVST+) BPDU to keep that VLAN free of loops."
            ),
            (0xaa, Some(0x00000c), Some(p)) => format!(
                "Cisco device {src} sends {to} a Cisco link-layer protocol message (SNAP type 0x{p:04x}: VTP, DTP, UDLD or similar)."
            ),
            (0xe0, _, _) => format!("{src} sends {to} Novell IPX traffic over 802.3."),
            (0xf0, _, _) => format!("{src} sends {to} NetBIOS traffic carried directly over 802.2 LLC (NetBEUI)."),
            _ => format!(
                "{src} sends {to} an 802.3 frame with an LLC header (SAP {}) that is not decoded further.",
                shown(l, "llc.dsap").unwrap_or_default()
            ),
        };
    }
    // The EtherType that led to undecoded data: the last one announced before it.
    let et = layers
        .iter()
        .rev()
        .find_map(|l| l.u64("vlan.etype").or_else(|| l.u64("eth.type")))
        .unwrap_or(0);
    // IEEE EtherType registry; meanings from the standards that define each protocol.
    let what = match et {
        0x88cc => {
            return format!(
                "{src} describes itself (name, port, capabilities) to the device at the other end of its link with LLDP; switches, phones and servers send these every half minute or so."
            )
        }
        0x8809 => {
            return format!(
                "{src} sends a slow-protocols frame (LACP or a link OAM message): switch ports use these to bundle links and check them."
            )
        }
        0x888e => {
            return format!(
                "{src} exchanges an 802.1X (EAPOL) authentication message with {to}: the port lets the device in only after this succeeds."
            )
        }
        0x0842 => {
            return format!(
                "{src} sends a Wake-on-LAN packet to {to}, asking a sleeping computer to power up."
            )
        }
        0x9000 => {
            return format!(
                "{src} sends a configuration-test (loopback) frame to {to}, used to check that the link works."
            )
        }
        0x8863 => {
            return format!(
                "{src} negotiates a PPPoE session with {to} (discovery stage): this is how DSL links find their access concentrator."
            )
        }
        other => ethernet::ethertype_name(other as u16),
    };
    match what {
        Some(name) => format!(
            "{src} sends {to} a {name} frame (EtherType 0x{et:04x}) that is not decoded further."
        ),
        None => format!(
            "{src} sends {to} a frame of EtherType 0x{et:04x}, a type this tool does not know."
        ),
    }
}

fn other_link(d: &Dissection, layers: &[&Layer]) -> String {
    let link = linktype::name(d.link_type)
        .map(str::to_string)
        .unwrap_or_else(|| format!("link type {}", d.link_type));
    match layers.last() {
        Some(l) if l.proto == "data" || l.title.ends_with("(not decoded)") => {
            let what = l.title.trim_end_matches(" (not decoded)");
            if what == "Data" {
                format!("A {link} frame whose payload is not decoded further.")
            } else if what.to_lowercase().starts_with("link type") {
                format!("A frame of {link}, a kind of link this tool does not decode.")
            } else {
                format!("A {link} frame carrying {what}, which is not decoded further.")
            }
        }
        Some(l) => format!(
            "A {link} frame; decoding ends after its {} header.",
            l.title
        ),
        None => format!("An empty {link} frame."),
    }
}

fn wlan(d: &Dissection, w: &Layer) -> String {
    let ts = u(w, "wlan.fc.type_subtype");
    let ta = w
        .field("wlan.ta")
        .or_else(|| w.field("wlan.sa"))
        .map(|f| clean(&f.value.to_string()))
        .unwrap_or_default();
    let ra = w
        .field("wlan.ra")
        .or_else(|| w.field("wlan.da"))
        .map(|f| clean(&f.value.to_string()))
        .unwrap_or_default();
    let bssid = s(w, "wlan.bssid");
    let mgt = d.layer("wlan.mgt");
    let ssid = mgt
        .and_then(|m| m.field("wlan.ssid"))
        .map(|f| match &f.value {
            Value::Bytes(b) => clean(&String::from_utf8_lossy(b).replace('\0', "")),
            other => clean(&other.to_string()),
        });
    let net = match ssid.as_deref() {
        Some("") | None => "a network with a hidden name".to_string(),
        Some(n) => format!("the network \"{n}\""),
    };
    // IEEE 802.11-2020 section 9.2.4.1.3 (frame types and subtypes).
    match ts {
        0x08 => format!("Access point {ta} announces {net} (a beacon: access points send one about ten times a second)."),
        0x04 => match ssid.as_deref() {
            Some(n) if !n.is_empty() => {
                format!("Device {ta} looks for the Wi-Fi network \"{n}\" (a probe request).")
            }
            _ => format!("Device {ta} asks every access point in range to identify itself (a probe request for any network)."),
        },
        0x05 => format!("Access point {ta} answers device {ra}'s probe: it offers {net}."),
        0x00 | 0x02 => format!("Device {ta} asks access point {ra} to let it join {net} (an association request)."),
        0x01 | 0x03 => format!(
            "Access point {ta} answers device {ra}'s request to join (status {}).",
            mgt.map(|m| u(m, "wlan.fixed.status_code")).unwrap_or(0)
        ),
        0x0b => format!("Device {ta} authenticates with {ra} (the open-system step before joining a network)."),
        0x0c => format!(
            "{ta} tells {ra} it is no longer authenticated (deauthentication, reason {}); many of these in a row are a known way to knock devices off Wi-Fi.",
            mgt.map(|m| u(m, "wlan.fixed.reason_code")).unwrap_or(0)
        ),
        0x0a => format!(
            "{ta} tells {ra} it is disassociated (reason {}).",
            mgt.map(|m| u(m, "wlan.fixed.reason_code")).unwrap_or(0)
        ),
        0x0d | 0x0e => format!("{ta} sends {ra} a management action (channel, block-ack or measurement negotiation)."),
        0x1d => format!("{ra} is told its last frame arrived intact (an 802.11 acknowledgement)."),
        0x1b => format!("{ta} asks {ra} to reserve the channel before sending (request-to-send)."),
        0x1c => format!("The channel is reserved for {ra} (clear-to-send)."),
        0x18 | 0x19 => format!("{ta} and {ra} confirm a block of frames (block acknowledgement)."),
        0x1a => format!("{ta} wakes from power saving and asks its access point for buffered frames (PS-Poll)."),
        0x24 | 0x2c => format!("{ta} sends {ra} a frame with no data, usually to say it enters or leaves power saving."),
        0x20..=0x2f if flag(w, "wlan.fc.protected") => {
            format!("{ta} sends {ra} an encrypted Wi-Fi data frame in network {bssid}.")
        }
        0x20..=0x2f => format!("{ta} sends {ra} a Wi-Fi data frame in network {bssid}."),
        _ => format!(
            "An 802.11 {} frame from {ta}.",
            shown(w, "wlan.fc.type_subtype").unwrap_or_default()
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Network layer without a decoded transport
// ---------------------------------------------------------------------------------------------

fn bare_ip(layers: &[&Layer], net: &Layer) -> String {
    let (src, dst) = ends(net);
    if src.is_empty() || dst.is_empty() {
        return "An IP packet whose header is cut short or invalid, so its addresses are unknown."
            .into();
    }
    let proto_num = if net.proto == "ipv6" {
        // The last next-header in the chain names what follows the extension headers.
        layers
            .iter()
            .rev()
            .find_map(|l| {
                l.fields
                    .iter()
                    .rev()
                    .find(|f| f.name.ends_with(".nxt") || f.name == "ah.next_header")
                    .and_then(|f| f.value.as_u64())
            })
            .unwrap_or(59)
    } else {
        u(net, "ip.proto")
    };
    let name = u8::try_from(proto_num)
        .ok()
        .and_then(ip_proto_name)
        .map(|n| format!("{n} (protocol {proto_num})"))
        .unwrap_or_else(|| format!("protocol {proto_num}"));
    if net.proto == "ip" {
        let off = u(net, "ip.frag_offset");
        if off > 0 {
            return format!(
                "{src} sends {dst} a later fragment of a larger {name} datagram: these bytes belong at byte {off} of the original, so no port numbers are visible{}.",
                if flag(net, "ip.flags.mf") { "; more fragments follow" } else { "; it is the last piece" }
            );
        }
    }
    if let Some(l) = layers.iter().find(|l| l.proto == "ipv6") {
        if let Some(off) = l.u64("ipv6.fraghdr.offset").filter(|o| *o > 0) {
            return format!(
                "{src} sends {dst} a later fragment of a larger IPv6 datagram (data from byte {} of the original).",
                off.saturating_mul(8)
            );
        }
    }
    // Meanings from the IANA protocol numbers registry and each protocol's RFC.
    let what = match proto_num {
        50 => format!(
            "encrypted IPsec traffic (ESP, security parameter index {}): only the two ends can read it",
            layers
                .iter()
                .find_map(|l| l.field("esp.spi"))
                .map(|f| f.value.to_string())
                .unwrap_or_default()
        ),
        51 => "IPsec-authenticated traffic (AH)".into(),
        89 => "an OSPF routing message: routers tell each other which networks they can reach".into(),
        112 => "a VRRP advertisement: a router tells its backup it is still the active default gateway".into(),
        103 => "a PIM multicast-routing message".into(),
        88 => "an EIGRP routing message (Cisco routers sharing routes)".into(),
        132 => "SCTP traffic (a message-oriented transport used in telephony signalling)".into(),
        59 => "an IPv6 packet with nothing after its headers (no next header)".into(),
        47 => "a GRE-tunnelled packet whose contents are not decoded further".into(),
        4 | 41 => "a tunnelled IP packet".into(),
        _ => format!("{name} traffic that is not decoded further"),
    };
    format!("{src} sends {dst} {what}.")
}

// ---------------------------------------------------------------------------------------------
// Transport layer
// ---------------------------------------------------------------------------------------------

fn tcp(d: &Dissection, t: &Layer, src: &str, dst: &str) -> String {
    let sport = u(t, "tcp.srcport") as u16;
    let dport = u(t, "tcp.dstport") as u16;
    let Some(flags) = t.u64("tcp.flags") else {
        // Cut before the flags: saying which kind of segment it was would be a guess.
        return format!(
            "{src} sends {dst} a TCP segment from port {sport} to {dport} whose header is cut short before its flags."
        );
    };
    let len = u(t, "tcp.len");
    let (svc, to_dst) = service_port(Proto::Tcp, sport, dport);
    // RFC 9293 section 3.1 control bits.
    let (fin, syn, rst, psh, ack, urg) = (
        flags & 0x01 != 0,
        flags & 0x02 != 0,
        flags & 0x04 != 0,
        flags & 0x08 != 0,
        flags & 0x10 != 0,
        flags & 0x20 != 0,
    );
    let data = if len > 0 {
        format!(
            " It already carries {len} bytes of data, which ordinary clients do not send in a SYN."
        )
    } else {
        String::new()
    };
    if flags & 0x3f == 0 {
        return format!(
            "{src} sends {dst} a TCP segment with no flags at all (port {sport} to {dport}): no real connection does this; scanners send such \"null\" probes to see how a host reacts."
        );
    }
    if fin && psh && urg && !syn && !ack {
        return format!(
            "{src} sends {dst} a TCP segment with FIN, PUSH and URG set together (port {sport} to {dport}), the \"Christmas tree\" probe of port scanners."
        );
    }
    if syn && (fin || rst) {
        return format!(
            "{src} sends {dst} a TCP segment that both opens and ends a connection (flags {}, port {sport} to {dport}): a crafted combination, typical of scanners trying to slip past filters.",
            shown(t, "tcp.flags").unwrap_or_default()
        );
    }
    match (syn, ack, rst, fin) {
        (true, false, _, _) => format!(
            "{src} asks {dst} to open a connection on TCP {}.{data}",
            port_words(Proto::Tcp, dport)
        ),
        (true, true, _, _) => format!(
            "{src} agrees to open the connection {dst} asked for on TCP {} (the port is open: a program listens there).",
            port_words(Proto::Tcp, sport)
        ),
        (_, _, true, _) => format!(
            "{src} resets the connection with {dst} (TCP {sport} to {dport}): either nothing listens on that port (the usual answer to a SYN sent to a closed port) or one side is aborting the conversation."
        ),
        (_, _, _, true) => format!(
            "{src} closes its side of the connection with {dst} (TCP {sport} to {dport}){}.",
            if len > 0 {
                format!(" after sending {len} final bytes")
            } else {
                String::new()
            }
        ),
        (false, true, false, false) if len > 0 => {
            if let Some(app) = app_sentence(d, src, dst) {
                return app;
            }
            let words = port_words(Proto::Tcp, svc);
            let dir = if to_dst {
                format!("to the service on TCP {words}")
            } else {
                format!("back from TCP {words}")
            };
            format!("{src} sends {dst} {len} bytes of data {dir}.")
        }
        (false, true, false, false) => format!(
            "{src} acknowledges what it has received from {dst} (TCP {sport} to {dport}); the segment carries no data of its own."
        ),
        _ => format!(
            "{src} sends {dst} a TCP segment with flags {} from port {sport} to {dport}.",
            shown(t, "tcp.flags").unwrap_or_default()
        ),
    }
}

fn udp(d: &Dissection, t: &Layer, src: &str, dst: &str) -> String {
    let sport = u(t, "udp.srcport") as u16;
    let dport = u(t, "udp.dstport") as u16;
    if let Some(app) = app_sentence(d, src, dst) {
        return app;
    }
    let len = u(t, "udp.length").saturating_sub(8);
    let (svc, to_dst) = service_port(Proto::Udp, sport, dport);
    if to_dst {
        format!(
            "{src} sends {dst} a {len}-byte UDP datagram from port {sport} to {}.",
            port_words(Proto::Udp, dport)
        )
    } else {
        format!(
            "{src} answers {dst} with a {len}-byte UDP datagram from {} (to port {dport}).",
            port_words(Proto::Udp, svc)
        )
    }
}

fn igmp(t: &Layer, src: &str, dst: &str) -> String {
    let group = s(t, "igmp.maddr");
    // RFC 1112 (v1), RFC 2236 (v2), RFC 3376 (v3) message types.
    match u(t, "igmp.type") {
        0x11 if group == "0.0.0.0" || group.is_empty() => format!(
            "Router {src} asks every host on the segment ({dst}) which multicast groups they want to receive (an IGMP general query)."
        ),
        0x11 => format!("Router {src} asks whether anyone still wants multicast group {group} (an IGMP group query)."),
        0x12 | 0x16 => format!("{src} tells the local routers it wants to receive multicast group {group} (an IGMP membership report)."),
        0x22 => format!("{src} tells the local routers which multicast groups it wants (an IGMPv3 membership report to {dst})."),
        0x17 => format!("{src} says it no longer wants multicast group {group} (an IGMP leave)."),
        other => format!("{src} sends {dst} an IGMP message of type 0x{other:02x}."),
    }
}

/// Plain words for an ICMPv4 destination-unreachable code (RFC 792, RFC 1812 section 5.2.7.1).
fn unreachable_words(code: u64, mtu: Option<u64>) -> String {
    match code {
        0 => "no route to the destination network".into(),
        1 => "the destination host could not be reached".into(),
        2 => "the destination does not speak that protocol".into(),
        3 => "nothing listens on that port (port unreachable)".into(),
        4 => format!(
            "the packet is too big for the next link and may not be fragmented{}",
            mtu.filter(|m| *m > 0)
                .map(|m| format!(" (the next link carries at most {m} bytes)"))
                .unwrap_or_default()
        ),
        5 => "its source route could not be followed".into(),
        9 | 10 | 13 => "a filter refused it (communication administratively prohibited)".into(),
        c => icmp_code_name(3, c as u8)
            .map(|n| n.to_lowercase())
            .unwrap_or_else(|| format!("unreachable, code {c}")),
    }
}

/// "The packet it refers to went from A:p to B:q (UDP, the port of ...)." for ICMP errors.
fn quoted_about(d: &Dissection) -> String {
    let ip = d
        .layers
        .iter()
        .find(|l| l.quoted && matches!(l.proto, "ip" | "ipv6"));
    let l4 = d
        .layers
        .iter()
        .find(|l| l.quoted && matches!(l.proto, "udp" | "tcp"));
    match (ip, l4) {
        (Some(ip), Some(l4)) => {
            let (a, b) = ends(ip);
            let (p, sp, dp) = if l4.proto == "udp" {
                (Proto::Udp, u(l4, "udp.srcport"), u(l4, "udp.dstport"))
            } else {
                (Proto::Tcp, u(l4, "tcp.srcport"), u(l4, "tcp.dstport"))
            };
            format!(
                " The packet it complains about went from {a} port {sp} to {b} {} {}.",
                l4.proto.to_uppercase(),
                port_words(p, dp as u16)
            )
        }
        (Some(ip), None) => {
            let (a, b) = ends(ip);
            format!(" The packet it complains about went from {a} to {b}.")
        }
        _ => String::new(),
    }
}

fn icmp(d: &Dissection, t: &Layer, src: &str, dst: &str) -> String {
    let ty = u(t, "icmp.type");
    let code = u(t, "icmp.code");
    let about = quoted_about(d);
    let id_seq = format!("id {}, sequence {}", u(t, "icmp.ident"), u(t, "icmp.seq"));
    // RFC 792 message types; RFC 950 address masks; RFC 1256 router discovery.
    match ty {
        8 => format!("{src} pings {dst} (ICMP echo request, {id_seq}) to check that it is reachable."),
        0 => format!("{src} answers a ping from {dst} (ICMP echo reply, {id_seq}): it is up and reachable."),
        3 => format!(
            "{src} tells {dst} that a packet could not be delivered: {}.{about}",
            unreachable_words(code, t.u64("icmp.mtu"))
        ),
        11 if code == 1 => format!(
            "{src} tells {dst} it gave up reassembling a fragmented packet because some fragments never arrived.{about}"
        ),
        11 => format!(
            "Router {src} tells {dst} it dropped a packet whose time-to-live ran out: that is how traceroute maps a path, though a routing loop does the same.{about}"
        ),
        5 => format!(
            "Router {src} tells {dst} to send such traffic through gateway {} instead (an ICMP redirect).{about}",
            s(t, "icmp.redir_gw")
        ),
        4 => format!("{src} asks {dst} to slow down (source quench, an obsolete ICMP message).{about}"),
        12 => format!(
            "{src} tells {dst} that a packet's header was malformed (parameter problem, byte {} of the header).{about}",
            u(t, "icmp.pointer")
        ),
        13 => format!("{src} asks {dst} for its clock (ICMP timestamp request), which also reveals the target's time of day."),
        14 => format!("{src} tells {dst} its clock (ICMP timestamp reply)."),
        17 => format!("{src} asks {dst} for its network mask (ICMP address mask request), an old and rarely used query."),
        18 => format!("{src} tells {dst} its network mask is {} (ICMP address mask reply).", s(t, "icmp.address_mask")),
        9 => format!("Router {src} announces itself to {dst} as a default gateway (ICMP router advertisement)."),
        10 => format!("{src} asks the routers on the link to announce themselves (ICMP router solicitation)."),
        _ => {
            let name = u8::try_from(ty)
                .ok()
                .and_then(icmp_type_name)
                .map(|n| n.to_lowercase())
                .unwrap_or_else(|| format!("type {ty}"));
            format!("{src} sends {dst} an ICMP {name} message (type {ty}, code {code}).")
        }
    }
}

fn icmpv6(t: &Layer, src: &str, dst: &str) -> String {
    let ty = u(t, "icmpv6.type");
    let code = u(t, "icmpv6.code");
    let echo = format!(
        "id {}, sequence {}",
        u(t, "icmpv6.echo.identifier"),
        u(t, "icmpv6.echo.sequence_number")
    );
    // RFC 4443 (ICMPv6), RFC 4861 (neighbor discovery), RFC 2710/3810 (MLD).
    match ty {
        128 => format!("{src} pings {dst} (ICMPv6 echo request, {echo})."),
        129 => format!("{src} answers a ping from {dst} (ICMPv6 echo reply, {echo})."),
        1 => {
            let why = match code {
                0 => "there is no route to the destination".to_string(),
                1 => "a filter refused it (administratively prohibited)".into(),
                3 => "the destination address could not be reached".into(),
                4 => "nothing listens on that port (port unreachable)".into(),
                c => icmpv6_code_name(1, c as u8)
                    .map(|n| n.to_lowercase())
                    .unwrap_or_else(|| format!("code {c}")),
            };
            format!("{src} tells {dst} that a packet could not be delivered: {why}.")
        }
        2 => format!(
            "{src} tells {dst} a packet was too big for the next link, which carries at most {} bytes: the sender must send smaller packets.",
            u(t, "icmpv6.mtu")
        ),
        3 => format!("Router {src} tells {dst} it dropped a packet whose hop limit ran out (as traceroute provokes on purpose)."),
        4 => format!("{src} tells {dst} that a packet's header was malformed (parameter problem)."),
        133 => format!("{src} asks the routers on the link to announce themselves (router solicitation)."),
        134 => {
            let prefix = t
                .field("icmpv6.opt.prefix")
                .map(|f| {
                    format!(
                        ", offering the prefix {}/{}",
                        clean(&f.value.to_string()),
                        u(t, "icmpv6.opt.prefix.length")
                    )
                })
                .unwrap_or_default();
            format!("Router {src} announces itself on the link{prefix} (router advertisement): hosts configure addresses and their default route from this.")
        }
        135 if src == "::" => format!(
            "A host checks that nobody already uses {} before taking it (duplicate address detection, a neighbor solicitation from ::).",
            s(t, "icmpv6.nd.ns.target_address")
        ),
        135 => format!(
            "{src} asks who has {} and what its hardware address is (neighbor solicitation, IPv6's ARP request).",
            s(t, "icmpv6.nd.ns.target_address")
        ),
        136 => format!(
            "{src} answers that it holds {} (neighbor advertisement{}).",
            s(t, "icmpv6.nd.na.target_address"),
            if flag(t, "icmpv6.nd.na.flag.r") { ", sent by a router" } else { "" }
        ),
        137 => format!(
            "Router {src} tells {dst} a better first hop for {} (redirect).",
            s(t, "icmpv6.rd.na.destination_address")
        ),
        130 => format!("Router {src} asks which multicast groups the hosts on the link want (MLD query)."),
        131 | 143 => format!(
            "{src} tells the local routers which multicast groups it wants to receive (MLD report to {dst})."
        ),
        132 => format!("{src} says it no longer wants a multicast group (MLD done)."),
        _ => {
            let name = u8::try_from(ty)
                .ok()
                .and_then(icmpv6_type_name)
                .map(|n| n.to_lowercase())
                .unwrap_or_else(|| format!("type {ty}"));
            format!("{src} sends {dst} an ICMPv6 {name} message (type {ty}, code {code}).")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Application layer
// ---------------------------------------------------------------------------------------------

/// The whole sentence for a packet whose application layer was decoded, if one was.
fn app_sentence(d: &Dissection, src: &str, dst: &str) -> Option<String> {
    if let Some(a) = d
        .layer("dns")
        .or_else(|| d.layer("mdns"))
        .or_else(|| d.layer("llmnr"))
    {
        return Some(dns(a, src, dst));
    }
    if let Some(a) = d.layer("dhcp") {
        return Some(dhcp(a, src, dst));
    }
    if let Some(a) = d.layer("nbns") {
        return Some(nbns(a, src, dst));
    }
    if let Some(a) = d.layer("http") {
        return Some(http(a, src, dst));
    }
    if let Some(a) = d.layer("tls") {
        return Some(tls(a, src, dst));
    }
    if let Some(a) = d.layer("ntp") {
        return Some(ntp(a, src, dst));
    }
    if let Some(a) = d.layer("snmp") {
        return Some(snmp(a, src, dst));
    }
    None
}

/// Every answer value of a DNS response, as text ("93.184.216.34, alias www.example.net").
fn dns_answers(a: &Layer) -> Vec<String> {
    a.fields
        .iter()
        .filter_map(|f| match f.name {
            "dns.a" | "dns.aaaa" => Some(clean(&f.value.to_string())),
            "dns.cname" => Some(format!("alias {}", clean(&f.value.to_string()))),
            "dns.ptr.domain_name" => Some(format!("name {}", clean(&f.value.to_string()))),
            "dns.mx.mail_exchange" => Some(format!("mail server {}", clean(&f.value.to_string()))),
            "dns.ns" => Some(format!("name server {}", clean(&f.value.to_string()))),
            "dns.txt" => Some(format!("text \"{}\"", clean(&f.value.to_string()))),
            "dns.srv.target" => Some(format!("service host {}", clean(&f.value.to_string()))),
            _ => None,
        })
        .collect()
}

/// The record type's mnemonic ("A", "AAAA"), without the number Wireshark appends.
fn rr_type(a: &Layer) -> String {
    let t = shown(a, "dns.qry.type").unwrap_or_default();
    match t.split_once(" (") {
        Some((name, _)) => name.to_string(),
        None => t,
    }
}

fn dns(a: &Layer, src: &str, dst: &str) -> String {
    let name = s(a, "dns.qry.name");
    let name = if name.is_empty() {
        "<root>".to_string()
    } else {
        name
    };
    let qtype = rr_type(a);
    let via = match a.proto {
        "mdns" => " over multicast DNS",
        "llmnr" => " over LLMNR",
        _ => "",
    };
    let response = flag(a, "dns.flags.response");
    let opcode = u(a, "dns.flags.opcode");
    if opcode == 5 {
        return format!(
            "{src} asks {dst} to update DNS records for {name} (a dynamic DNS update)."
        );
    }
    if !response {
        if a.u64("dns.count.queries") == Some(0) {
            return format!("{src} sends {dst} a DNS message with no question{via}.");
        }
        return format!(
            "{src} asks {dst} for the {qtype} record of {name}{via} (a DNS query, id {}).{}",
            u(a, "dns.id"),
            match a.proto {
                // RFC 6762 and RFC 4795: name lookups among neighbours, without a server.
                "mdns" => " Devices on a local network use multicast DNS to find each other without a server.",
                "llmnr" => " Windows falls back to LLMNR, asking its neighbours, when DNS has no answer.",
                _ => "",
            }
        );
    }
    // RFC 1035 section 4.1.1 and RFC 6895 response codes.
    let rcode = u(a, "dns.flags.rcode");
    if rcode != 0 {
        let why = match rcode {
            1 => "the server could not understand the question (format error)".to_string(),
            2 => "the server failed to find an answer (server failure)".into(),
            3 => "the name does not exist (NXDOMAIN)".into(),
            4 => "the server does not support that kind of query".into(),
            5 => "the server refuses to answer this client (refused)".into(),
            c => format!("error code {c}"),
        };
        return format!("{src} answers {dst}'s DNS question about {name} ({qtype}){via}: {why}.");
    }
    let answers = dns_answers(a);
    if answers.is_empty() {
        let n = u(a, "dns.count.answers");
        if n > 0 {
            return format!("{src} answers {dst}'s DNS question about {name} ({qtype}){via} with {n} record(s).");
        }
        return format!("{src} answers {dst}'s DNS question about {name} ({qtype}){via}: no record of that type exists.");
    }
    let shown_list: Vec<&str> = answers.iter().take(4).map(String::as_str).collect();
    let more = answers.len().saturating_sub(4);
    format!(
        "{src} answers {dst}'s DNS question about {name} ({qtype}){via}: {}{}.",
        shown_list.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

fn dhcp(a: &Layer, src: &str, dst: &str) -> String {
    let mac = s(a, "dhcp.hw.mac_addr");
    let client = if mac.is_empty() {
        "a client".to_string()
    } else {
        format!("client {mac}")
    };
    let yiaddr = s(a, "dhcp.ip.your");
    let ciaddr = s(a, "dhcp.ip.client");
    let host = a
        .field("dhcp.option.hostname")
        .map(|f| format!(" It calls itself \"{}\".", clean(&f.value.to_string())))
        .unwrap_or_default();
    let wanted = a
        .field("dhcp.option.requested_ip_address")
        .map(|f| clean(&f.value.to_string()));
    let server = a
        .field("dhcp.option.dhcp_server_id")
        .map(|f| clean(&f.value.to_string()));
    let lease = a
        .u64("dhcp.option.ip_address_lease_time")
        .map(|t| format!(" for {}", duration(t)))
        .unwrap_or_default();
    let router = a
        .field("dhcp.option.router")
        .map(|f| {
            format!(
                ", with {} as the default gateway",
                clean(&f.value.to_string())
            )
        })
        .unwrap_or_default();
    // Message types from RFC 2132 section 9.6; the exchange from RFC 2131 section 3.1.
    match a.u64("dhcp.option.dhcp") {
        Some(1) => format!(
            "DHCP {client} looks for a server to lease it an address (a discover, sent from {src} to {dst}){}.{host}",
            wanted.map(|w| format!("; it would like {w} again")).unwrap_or_default()
        ),
        Some(2) => format!("DHCP server {src} offers {yiaddr} to {client}{lease}{router}."),
        Some(3) => {
            let addr = wanted.unwrap_or(ciaddr);
            format!(
                "DHCP {client} asks to use {addr}{} (a request).{host}",
                server.map(|s| format!(", accepting server {s}'s offer")).unwrap_or_default()
            )
        }
        Some(4) => format!("DHCP {client} declines the address it was given: another device already uses it."),
        Some(5) => {
            if yiaddr == "0.0.0.0" {
                format!("DHCP server {src} confirms the settings {client} asked for at {ciaddr}.")
            } else {
                format!("DHCP server {src} confirms that {client} may use {yiaddr}{lease}{router} (an acknowledgement).")
            }
        }
        Some(6) => format!("DHCP server {src} refuses {client}'s request: it must start over with a discover."),
        Some(7) => format!("DHCP {client} gives back its address {ciaddr} (a release)."),
        Some(8) => format!("DHCP {client} at {ciaddr} asks for configuration only, keeping its address (an inform)."),
        Some(t) => format!("{src} sends {dst} a DHCP message of type {t} about {client}."),
        None => {
            if u(a, "dhcp.type") == 2 {
                format!("BOOTP server {src} answers {client}, assigning {yiaddr}.")
            } else {
                format!("BOOTP {client} asks {dst} for its address and boot settings.")
            }
        }
    }
}

/// Seconds as a person would say them.
fn duration(secs: u64) -> String {
    if secs == 0xffff_ffff {
        "ever".into()
    } else if secs >= 86400 && secs % 3600 == 0 {
        format!("{} hours", secs / 3600)
    } else if secs >= 3600 && secs % 60 == 0 {
        format!("{} minutes", secs / 60)
    } else {
        format!("{secs} seconds")
    }
}

fn nbns(a: &Layer, src: &str, dst: &str) -> String {
    let name = shown(a, "nbns.name").unwrap_or_default();
    let response = flag(a, "nbns.flags.response");
    // RFC 1002 section 4.2 opcodes and the NBSTAT (0x21) question type.
    let nbstat = a.u64("nbns.type") == Some(0x21);
    match (u(a, "nbns.flags.opcode"), response) {
        (0, false) if nbstat => format!(
            "{src} asks {dst} to list every NetBIOS name it has (a node status request, as Windows and network scanners do to learn a machine's name and workgroup)."
        ),
        (0, true) if nbstat => format!("{src} lists its NetBIOS names for {dst} (node status reply)."),
        (0, false) => format!(
            "{src} asks {} who holds the NetBIOS name {name} (a Windows name lookup).",
            if dst.ends_with(".255") { "the whole local network".to_string() } else { dst.to_string() }
        ),
        (0, true) => match a.field("nbns.addr") {
            Some(ad) => format!("{src} answers {dst} that {name} is at {}.", clean(&ad.value.to_string())),
            None => format!("{src} answers {dst}'s question about the NetBIOS name {name}."),
        },
        (5, false) => format!("{src} registers the NetBIOS name {name} on the network."),
        (6, false) => format!("{src} releases the NetBIOS name {name}."),
        (8 | 9, false) => format!("{src} refreshes its registration of the NetBIOS name {name}."),
        (_, true) => format!("{src} answers {dst} about the NetBIOS name {name}."),
        (op, false) => format!("{src} sends {dst} a NetBIOS name service message (opcode {op}) about {name}."),
    }
}

fn http(a: &Layer, src: &str, dst: &str) -> String {
    if let Some(m) = a.get("http.request.method") {
        let host = a
            .field("http.host")
            .map(|h| format!(" on the site {}", clean(&h.value.to_string())))
            .unwrap_or_default();
        let agent = a
            .field("http.user_agent")
            .map(|h| {
                format!(
                    " The client identifies itself as \"{}\".",
                    clean(&h.value.to_string())
                )
            })
            .unwrap_or_default();
        return format!(
            "{src} asks the web server {dst} for {}{host} (HTTP {}).{agent}",
            s(a, "http.request.uri"),
            clean(&m.to_string())
        );
    }
    if let Some(c) = a.u64("http.response.code") {
        let phrase = s(a, "http.response.phrase");
        let server = a
            .field("http.server")
            .map(|h| {
                format!(
                    " The server says it runs \"{}\".",
                    clean(&h.value.to_string())
                )
            })
            .unwrap_or_default();
        // RFC 9110 section 15 status classes.
        let class = match c {
            200..=299 => "success",
            300..=399 => "the resource is elsewhere",
            400..=499 => "the client's request was refused or wrong",
            500..=599 => "the server failed",
            _ => "informational",
        };
        let loc = a
            .field("http.location")
            .map(|h| format!(" (to {})", clean(&h.value.to_string())))
            .unwrap_or_default();
        return format!(
            "Web server {src} answers {dst} with HTTP {c} {phrase}: {class}{loc}.{server}"
        );
    }
    format!("{src} sends {dst} HTTP data.")
}

fn tls(a: &Layer, src: &str, dst: &str) -> String {
    // RFC 8446 section 4 handshake types; RFC 6066 section 3 server name indication.
    match a.u64("tls.handshake.type") {
        Some(1) => match a.field("tls.handshake.extensions_server_name") {
            Some(n) => format!(
                "{src} starts an encrypted TLS session with {dst}, naming the site it wants: {} (the server name travels unencrypted in this first message).",
                clean(&n.value.to_string())
            ),
            None => format!("{src} starts an encrypted TLS session with {dst} (ClientHello, no server name given)."),
        },
        Some(2) => format!("{src} accepts {dst}'s TLS session and picks the encryption to use (ServerHello)."),
        Some(11) => format!("{src} sends {dst} its TLS certificate."),
        Some(t) => format!("{src} and {dst} continue a TLS handshake (message type {t})."),
        None => match a.u64("tls.record.content_type") {
            Some(21) => format!("{src} sends {dst} a TLS alert: the session is closing or something went wrong."),
            Some(20) => format!("{src} tells {dst} that encryption starts now (TLS ChangeCipherSpec)."),
            _ => format!("{src} sends {dst} encrypted TLS data (only the two ends can read it)."),
        },
    }
}

fn ntp(a: &Layer, src: &str, dst: &str) -> String {
    // RFC 5905 section 7.3 association modes; modes 6 and 7 are ntpq/ntpdc management.
    match u(a, "ntp.flags.mode") {
        3 => format!("{src} asks the time server {dst} for the current time (NTP client request)."),
        4 => format!(
            "Time server {src} tells {dst} the time (NTP server reply, stratum {}: {}).",
            u(a, "ntp.stratum"),
            match u(a, "ntp.stratum") {
                0 => "unsynchronised or a refusal",
                1 => "it reads a reference clock directly",
                _ => "it follows another server",
            }
        ),
        5 => format!("Time server {src} broadcasts the time to {dst} (NTP broadcast)."),
        1 | 2 => format!("{src} and {dst} synchronise their clocks as peers (NTP symmetric mode)."),
        6 => format!("{src} queries or answers the management interface of the NTP daemon on {dst} (ntpq control message)."),
        7 => format!(
            "{src} sends {dst} an ntpdc private-mode message: the old management commands, whose monlist reply was abused for traffic amplification."
        ),
        m => format!("{src} sends {dst} an NTP message in mode {m}."),
    }
}

fn snmp(a: &Layer, src: &str, dst: &str) -> String {
    let community = s(a, "snmp.community");
    let oid = a
        .field("snmp.name")
        .map(|f| format!(" (object {})", clean(&f.value.to_string())))
        .unwrap_or_default();
    let with = if community.is_empty() {
        String::new()
    } else {
        format!(", using the community string \"{community}\" as its password")
    };
    // RFC 3416 section 3 PDU tags (and RFC 1157 for the v1 trap).
    match a.u64("snmp.data") {
        Some(0) => format!("{src} asks the SNMP agent on {dst} to read a value{oid}{with}."),
        Some(1) => {
            format!("{src} walks the SNMP agent on {dst}, asking for the next value{oid}{with}.")
        }
        Some(5) => {
            format!("{src} asks the SNMP agent on {dst} for many values at once (get-bulk){with}.")
        }
        Some(3) => format!("{src} asks the SNMP agent on {dst} to change a setting{oid}{with}."),
        Some(2) => format!("The SNMP agent {src} answers {dst}{oid}."),
        Some(4 | 7) => {
            format!("{src} warns the management station {dst} about an event (an SNMP trap){with}.")
        }
        Some(6) => {
            format!("{src} informs {dst} about an event and wants confirmation (SNMP inform).")
        }
        _ => format!("{src} sends {dst} an SNMP message{with}."),
    }
}
