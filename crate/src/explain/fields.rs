//! Per-field meanings for the field tree: one short plain sentence saying what a field's value
//! tells an analyst (a TTL read as its likely starting value and hop count, what a flag means
//! when set, what an option announces).
//!
//! Owns [`meaning`] only. It must never raise findings or judge a packet as hostile (the rules
//! and the registry do that, with sources and evidence), never read raw bytes, and it returns
//! `None` wherever a sentence would only repeat the value. Values that come from the packet are
//! cleaned before they are quoted.
//!
//! Sources: seed 002 §9 "packet zen" (IP ID and TTL as fingerprints), seed 003 (default TTLs and
//! how routers decrement them), RFC 791 (IPv4), RFC 9293 (TCP), RFC 7323 (window scale and
//! timestamps), RFC 2018 (SACK), RFC 3168 (ECN), RFC 768 (UDP), RFC 826 (ARP), RFC 792 (ICMP),
//! RFC 1035 (DNS), RFC 2131/2132 (DHCP), RFC 5905 (NTP), IEEE 802.1Q (VLAN), IANA registries.

use super::narrative::{clean, is_generic_range};
use super::ports::{self, Proto};
use crate::decode::icmp::{icmp_code_name, icmp_type_name, icmpv6_type_name};
use crate::decode::ip::ip_proto_name;
use crate::decode::{ethernet, Dissection, Layer};
use crate::field::{Field, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A plain sentence on what this field's value means, when that helps a reader.
pub fn meaning(field: &Field, d: &Dissection) -> Option<String> {
    let v = &field.value;
    let n = v.as_u64();
    let set = n.is_some_and(|x| x != 0);
    let layer = layer_of(field, d);
    let quoted = layer.is_some_and(|l| l.quoted);
    let text = match field.name {
        // ---------------------------------------------------------------- Ethernet, VLAN
        "eth.dst" => mac_meaning(v, true)?,
        "eth.src" => mac_meaning(v, false)?,
        "eth.dst.ig" if set => "Group bit set: the frame goes to a group of stations (broadcast or multicast), not to one.".into(),
        "eth.src.ig" if set => "Group bit set in a source address: no real interface sends from a group address, so the frame is forged or damaged.".into(),
        "eth.dst.lg" | "eth.src.lg" if set => "Locally administered: the address was set by software (a virtual machine, a container, or a phone's privacy randomisation), not burned in by the maker.".into(),
        "eth.type" | "vlan.etype" | "sll.etype" => {
            let t = n?;
            let name = u16::try_from(t).ok().and_then(ethernet::ethertype_name)?;
            format!("The payload is {name}.")
        }
        "eth.len" => format!("An IEEE 802.3 length field: the {} bytes that follow start with an LLC header instead of an EtherType.", n?),
        "eth.padding" => "Padding that brings a short frame up to Ethernet's 60-byte minimum; it should be all zeros, and anything else is leaked memory or hidden data (seed 004).".into(),
        "eth.trailer" => "Bytes after the datagram that no header accounts for: a frame check sequence, a capture device's trailer, or smuggled data.".into(),
        "vlan.id" | "ieee8021ad.id" => match n? {
            0 => "VLAN 0: the tag only carries a priority, the frame belongs to the port's own VLAN.".into(),
            1 => "VLAN 1, the default VLAN on most switches.".into(),
            4095 => "VLAN 4095 is reserved and never valid on the wire.".into(),
            id => format!("The switch keeps this frame inside virtual LAN {id}; only ports in VLAN {id} see it."),
        },
        // IEEE 802.1Q Annex I traffic types for the priority code point.
        "vlan.priority" | "ieee8021ad.priority" => format!(
            "Priority {}: {}.",
            n?,
            match n? {
                1 => "background",
                0 => "best effort (the default)",
                2 => "excellent effort",
                3 => "critical applications",
                4 => "video",
                5 => "voice",
                6 => "network control (internetwork)",
                _ => "network control",
            }
        ),
        // ---------------------------------------------------------------- ARP
        "arp.opcode" => match n? {
            1 => "Request: who has the target IP address? Sent to everyone on the segment.".into(),
            2 => "Reply: the sender's IP address is at the sender's hardware address.".into(),
            3 | 4 => "Reverse ARP: a machine asks (or is told) its own IP address from its hardware address, as diskless stations once did.".into(),
            op => format!("Opcode {op} is not a plain request (1) or reply (2)."),
        },
        "arp.isgratuitous" if set => "Sender and target IP are the same: the machine announces its own address so neighbours update their caches (after boot, failover, or when someone poisons caches).".into(),
        "arp.isprobe" if set => "Sender IP is 0.0.0.0: the machine checks that nobody uses the target address before taking it (RFC 5227).".into(),
        "arp.isannouncement" if set => "An announcement: the machine claims the address it just probed for (RFC 5227).".into(),
        // ---------------------------------------------------------------- IPv4
        "ip.version" if n? != 4 && field_layer_is(layer, "ip") => format!("Version {} in what should be an IPv4 header: the packet is damaged or crafted.", n?),
        "ip.hdr_len" => match n? {
            20 => "20 bytes: a plain header without options.".into(),
            h if h > 20 => format!("{h} bytes: the header carries {} bytes of options, which are rare today (source routing, record route, timestamps).", h - 20),
            h => format!("{h} bytes is shorter than the 20-byte minimum: the header is invalid."),
        },
        "ip.ttl" => ttl_meaning(n?, quoted, false),
        "ipv6.hlim" => ttl_meaning(n?, quoted, true),
        "ip.id" => ipid_meaning(n?, layer),
        "ip.flags.rb" if set => "The reserved flag must be zero (RFC 791); set, the packet was crafted (RFC 3514's joke \"evil bit\").".into(),
        "ip.flags.df" if set => "Don't fragment: a router whose next link is too small must drop the packet and send back \"fragmentation needed\" instead of splitting it; modern systems set it to discover the path MTU (RFC 1191).".into(),
        "ip.flags.mf" if set => "More fragments: this is not the last piece of the original datagram; the receiver must wait for the rest.".into(),
        "ip.frag_offset" if set => format!("This fragment's data belongs at byte {} of the original datagram; only the first fragment carries the port numbers.", n?),
        "ip.proto" => proto_meaning(n?)?,
        "ipv6.nxt" => proto_meaning(n?)?,
        "ip.src" | "ipv6.src" => addr_meaning(v, true)?,
        "ip.dst" | "ipv6.dst" => addr_meaning(v, false)?,
        "ip.dsfield.dscp" if set => format!("Differentiated services class {}: {}.", n?, dscp_name(n?)),
        "ip.dsfield.ecn" | "ipv6.tclass.ecn" => match n? {
            0 => return None,
            3 => "Congestion experienced: a router on the way was filling up and marked the packet instead of dropping it (RFC 3168).".into(),
            _ => "The sender supports explicit congestion notification (RFC 3168).".into(),
        },
        "ip.checksum.status" | "tcp.checksum.status" | "udp.checksum.status" | "icmp.checksum.status" | "icmpv6.checksum.status" => match n? {
            0 => "The checksum does not match the bytes: the packet was damaged, or (often on the sending host) the network card fills checksums in later.".into(),
            _ => return None,
        },
        "ipv6.flow" if set => "A flow label: the sender marks packets of one conversation so routers can keep them on one path.".into(),
        // ---------------------------------------------------------------- TCP
        "tcp.srcport" => port_meaning(Proto::Tcp, n?, true)?,
        "tcp.dstport" => port_meaning(Proto::Tcp, n?, false)?,
        "udp.srcport" => port_meaning(Proto::Udp, n?, true)?,
        "udp.dstport" => port_meaning(Proto::Udp, n?, false)?,
        "tcp.flags" => tcp_flags_meaning(n?),
        "tcp.flags.syn" if set => "SYN: opens a connection and announces the sender's starting sequence number.".into(),
        "tcp.flags.ack" if set => "ACK: the acknowledgement number is valid; it says which byte the sender expects next.".into(),
        "tcp.flags.fin" if set => "FIN: the sender has no more data and closes its half of the connection.".into(),
        "tcp.flags.reset" if set => "RST: aborts the connection at once; it is also how a host says no program listens on a port.".into(),
        "tcp.flags.push" if set => "PSH: hand the data to the application now rather than waiting for more.".into(),
        "tcp.flags.urg" if set => "URG: the urgent pointer is valid; some of this data is to be handled before the rest (a rarely used feature).".into(),
        "tcp.flags.ece" if set => "ECE: with SYN, offers explicit congestion notification; otherwise tells the peer a router signalled congestion (RFC 3168).".into(),
        "tcp.flags.cwr" if set => "CWR: the sender has slowed down in answer to a congestion signal (RFC 3168).".into(),
        "tcp.flags.ae" if set => "AE: accurate ECN, a newer way of counting congestion marks (RFC 9768).".into(),
        "tcp.flags.res" if set => "Reserved bits are set: no standard defines them, so the segment was crafted or probes how stacks react (an OS-fingerprinting trick).".into(),
        "tcp.seq_raw" if tcp_flag(layer, 0x02) => "The initial sequence number, chosen at random so that outsiders cannot guess it and inject data.".into(),
        "tcp.ack_raw" if set && !tcp_flag(layer, 0x10) => "An acknowledgement number without the ACK flag: it should be zero, so the segment was probably crafted by a scanner.".into(),
        "tcp.hdr_len" => match n? {
            20 => "20 bytes: no options.".into(),
            h if h > 20 => format!("{h} bytes: {} bytes of options follow the fixed header.", h - 20),
            h => format!("{h} bytes is below the 20-byte minimum: the header is invalid."),
        },
        "tcp.window_size_value" => window_meaning(n?, layer),
        "tcp.urgent_pointer" if set => {
            if tcp_flag(layer, 0x20) {
                format!("Urgent data ends {} bytes into this segment's data.", n?)
            } else {
                "Non-zero although URG is clear: receivers ignore it, so a value here is a crafting mistake or a hiding place for data.".into()
            }
        }
        "tcp.options.mss_val" => mss_meaning(n?),
        "tcp.options.wscale.shift" => {
            let s = n?;
            if s > 14 {
                format!("Window scale {s} exceeds the maximum of 14 (RFC 7323): receivers treat it as 14; a crafted or buggy option.")
            } else {
                format!("Window scale {s}: the peer's window values in this connection are multiplied by {} (RFC 7323).", 1u64 << s)
            }
        }
        "tcp.options.sack_perm" => "SACK permitted: the sender can acknowledge blocks received out of order, so only missing pieces are resent (RFC 2018).".into(),
        "tcp.options.sack_le" => "Start of a block received out of order: something before it was lost or delayed.".into(),
        "tcp.options.sack_re" => "End of a block received out of order.".into(),
        "tcp.options.timestamp.tsval" => "The sender's timestamp clock: it lets both ends measure round-trip time and reject old duplicate segments (RFC 7323); its rate and value can hint at the sender's uptime.".into(),
        "tcp.options.timestamp.tsecr" => match n? {
            0 => "Zero: nothing to echo yet (normal in a first SYN).".into(),
            _ => "Echoes the peer's last timestamp, so the peer can measure the round trip.".into(),
        },
        "tcp.len" if set => format!("{} bytes of application data.", n?),
        // ---------------------------------------------------------------- UDP
        "udp.length" => udp_length_meaning(n?, d, layer)?,
        // ---------------------------------------------------------------- ICMP
        "icmp.type" => {
            let t = u8::try_from(n?).ok()?;
            let name = icmp_type_name(t)?;
            format!("{name}: {}", icmp_type_words(t))
        }
        "icmp.code" => {
            let t = u8::try_from(layer.and_then(|l| l.u64("icmp.type"))?).ok()?;
            let c = u8::try_from(n?).ok()?;
            if t == 3 && c == 3 {
                "Port unreachable: the destination host itself answers that nothing listens on that port (seed 003 decodes one).".into()
            } else if t == 3 && matches!(c, 9 | 10 | 13) {
                "Administratively prohibited: a router or firewall filtered the packet and says so.".into()
            } else if t == 3 && c == 4 {
                "Fragmentation needed: the packet had DF set and was too big for the next link; the sender should lower its packet size (path MTU discovery).".into()
            } else {
                let name = icmp_code_name(t, c)?;
                if name == "No Code" {
                    return None;
                }
                format!("{name}.")
            }
        }
        "icmpv6.type" => {
            let t = u8::try_from(n?).ok()?;
            format!("{}.", icmpv6_type_name(t)?)
        }
        "icmp.mtu" | "icmpv6.mtu" if set => format!("The next link carries at most {} bytes per packet.", n?),
        // ---------------------------------------------------------------- DNS
        "dns.id" => "Matches an answer to its question; it should be random, or forged answers are easy to slip in.".into(),
        "dns.flags.response" => match n? {
            0 => "A query.".into(),
            _ => "A response.".into(),
        },
        "dns.flags.opcode" => match n? {
            0 => "A standard query.".into(),
            4 => "NOTIFY: a primary server tells secondaries the zone changed.".into(),
            5 => "UPDATE: a client asks to change records (dynamic DNS).".into(),
            o => format!("Opcode {o}: not a standard query."),
        },
        "dns.flags.authoritative" if set => "Authoritative: the answer comes from a server in charge of the name, not from a cache.".into(),
        "dns.flags.truncated" if set => "Truncated: the answer did not fit; the client should ask again over TCP.".into(),
        "dns.flags.recdesired" if set => "Recursion desired: the client wants the server to chase the answer for it.".into(),
        "dns.flags.recavail" if set => "Recursion available: the server will look up names for clients; if it does so for the whole Internet it is an open resolver.".into(),
        "dns.flags.z" if set => "The reserved Z bit must be zero: a crafted or odd message.".into(),
        "dns.flags.authenticated" if set => "The server validated the answer with DNSSEC.".into(),
        "dns.flags.checkdisable" if set => "Checking disabled: the client asks the server not to validate DNSSEC.".into(),
        "dns.flags.rcode" => match n? {
            0 => return None,
            1 => "Format error: the server could not parse the question.".into(),
            2 => "Server failure: the server could not get an answer (often a broken delegation or DNSSEC failure).".into(),
            3 => "NXDOMAIN: the name does not exist.".into(),
            4 => "Not implemented: the server does not support this kind of query.".into(),
            5 => "Refused: the server will not answer this client.".into(),
            c => format!("Error code {c}."),
        },
        "dns.qry.type" if n? == 255 => "ANY: asks for every record of the name; large answers to such queries are abused to amplify attacks.".into(),
        "dns.resp.ttl" => format!("Caches may keep this record for {}.", seconds(n?)),
        // ---------------------------------------------------------------- DHCP, NetBIOS, NTP, SNMP
        "dhcp.option.dhcp" => match n? {
            1 => "Discover: a client without an address looks for servers.".into(),
            2 => "Offer: a server proposes an address.".into(),
            3 => "Request: the client asks for the offered (or its previous) address.".into(),
            4 => "Decline: the client found the address already in use.".into(),
            5 => "ACK: the server confirms the lease.".into(),
            6 => "NAK: the server refuses; the client must start over.".into(),
            7 => "Release: the client gives its address back.".into(),
            8 => "Inform: the client has an address and asks only for settings.".into(),
            _ => return None,
        },
        "dhcp.flags.bc" if set => "Broadcast: the client cannot receive unicast before it has an address, so replies must be broadcast.".into(),
        "dhcp.ip.relay" if set => "A relay agent forwarded this message from another subnet.".into(),
        "dhcp.option.ip_address_lease_time" => format!("The client may keep the address for {}.", seconds(n?)),
        "nbns.type" if n? == 0x21 => "NBSTAT: asks for the whole list of names a machine holds (its name, workgroup and logged-on user), a common reconnaissance query (seed 002 §10).".into(),
        "ntp.flags.mode" => match n? {
            1 | 2 => "Symmetric mode: two servers keep each other's time.".into(),
            3 => "Client: asks a server for the time.".into(),
            4 => "Server: answers a client.".into(),
            5 => "Broadcast: a server announces the time to a whole network.".into(),
            6 => "Control (ntpq): reads or sets the daemon's variables.".into(),
            7 => "Private (ntpdc): old management commands; monlist replies here were abused for amplification attacks.".into(),
            _ => return None,
        },
        "ntp.stratum" => match n? {
            0 => "Stratum 0: unsynchronised, or a kiss-o'-death message asking the client to back off.".into(),
            1 => "Stratum 1: the server reads a reference clock (GPS, radio, atomic) directly.".into(),
            s if s < 16 => format!("Stratum {s}: {} server(s) away from a reference clock.", s - 1),
            _ => "Stratum 16 or more: unsynchronised.".into(),
        },
        "snmp.community" => match v.as_str() {
            Some("public") | Some("private") => "A factory-default community string: anyone who knows the default can read (public) or change (private) the device's settings.".into(),
            _ => "The community string acts as a password and travels in clear text.".into(),
        },
        // ---------------------------------------------------------------- 802.11
        "wlan.fc.protected" if set => "Protected: the frame body is encrypted (WEP, WPA or WPA2/3).".into(),
        "wlan.fc.retry" if set => "Retry: a resend of a frame that was not acknowledged; many retries mean a poor radio link.".into(),
        "wlan.fc.pwrmgt" if set => "Power management: the station is going to sleep; the access point keeps its frames until it wakes.".into(),
        "wlan.ssid" => match &field.value {
            Value::Bytes(b) if b.is_empty() || b.iter().all(|x| *x == 0) => "An empty name: a hidden network, or a probe that accepts any network.".into(),
            _ => format!("The network's name, {}.", clean(&field.shown())),
        },
        _ => return None,
    };
    Some(text)
}

/// The layer a field belongs to (matched by identity, so repeated names in tunnels or quoted
/// headers get their own layer).
fn layer_of<'a>(field: &Field, d: &'a Dissection) -> Option<&'a Layer> {
    d.layers
        .iter()
        .find(|l| l.fields.iter().any(|f| std::ptr::eq(f, field)))
        .or_else(|| {
            d.layers
                .iter()
                .find(|l| l.fields.iter().any(|f| f == field))
        })
}

fn field_layer_is(l: Option<&Layer>, proto: &str) -> bool {
    l.is_some_and(|l| l.proto == proto)
}

fn tcp_flag(l: Option<&Layer>, mask: u64) -> bool {
    l.and_then(|l| l.u64("tcp.flags"))
        .is_some_and(|f| f & mask != 0)
}

/// TTL (or hop limit) read as a likely initial value and a hop count (seed 002 §9, seed 003).
/// Systems start from a handful of values, so the next one up is the likely start and the
/// difference the number of routers crossed; the OS families are the stacks' defaults.
pub fn ttl_meaning(ttl: u64, quoted: bool, v6: bool) -> String {
    let what = if v6 { "hop limit" } else { "TTL" };
    if ttl == 0 {
        return format!(
            "A {what} of 0: no router may forward this packet; it was crafted or damaged."
        );
    }
    let (start, who) = if ttl <= 32 {
        (32, "old Windows 95/98/NT 3.51 and some embedded stacks")
    } else if ttl <= 64 {
        (64, "Linux, Android, macOS, iOS, the BSDs and most UNIX")
    } else if ttl <= 128 {
        (128, "Windows")
    } else {
        (
            255,
            "routers and network gear such as Cisco IOS, and Solaris",
        )
    };
    let hops = start - ttl;
    let crossed = match hops {
        0 => "has not crossed a router yet: the sender is on this network segment".to_string(),
        1 => "has crossed 1 router".to_string(),
        h => format!("has crossed {h} routers"),
    };
    let mut s = format!("Probably started at {start} ({who}) and {crossed}.");
    if ttl == 1 && !quoted {
        s.push_str(" With 1 left the next router drops it: traceroute, or traffic meant to stay on the local link.");
    }
    if quoted {
        s.push_str(" This is the quoted copy, as it was when the reporting router saw it.");
    }
    s
}

/// IP ID (seed 002 §9): one packet cannot show the pattern, so say what to compare.
fn ipid_meaning(id: u64, l: Option<&Layer>) -> String {
    let df = l.and_then(|l| l.get("ip.flags.df")) == Some(&Value::Bool(true));
    if id == 0 && df {
        "Zero with don't-fragment set: Linux and others skip the counter for packets that can never be fragmented.".into()
    } else if id == 0 {
        "Zero on a packet that may be fragmented: unusual; some scanners and crafted packets use a fixed ID.".into()
    } else {
        "Labels the pieces of one datagram. Many stacks (Windows, older UNIX) count it up by one per packet: compare consecutive packets from this host; a steady counter reveals how much it sends and lets it serve as an idle-scan zombie, while random values hide that.".into()
    }
}

fn proto_meaning(p: u64) -> Option<String> {
    let name = ip_proto_name(u8::try_from(p).ok()?)?;
    Some(format!("The payload is {name}."))
}

fn mac_meaning(v: &Value, dst: bool) -> Option<String> {
    let Value::Mac(m) = v else { return None };
    // IEEE reserved group addresses (802.1D/802.1AB), RFC 1112 and RFC 2464 multicast mappings.
    Some(match m {
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff] => "Broadcast: every station on the segment receives this frame.".into(),
        [0x01, 0x80, 0xc2, 0x00, 0x00, 0x00] => "The bridge group address: spanning-tree messages between switches.".into(),
        [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e] => "The LLDP group address: link-local announcements that switches never forward.".into(),
        [0x01, 0x80, 0xc2, 0x00, 0x00, 0x02] => "The slow-protocols address: LACP and link OAM between directly connected ports.".into(),
        [0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc] => "Cisco's discovery multicast address (CDP, VTP, DTP).".into(),
        [0x01, 0x00, 0x5e, ..] => "An IPv4 multicast address mapped onto Ethernet (01:00:5e plus the group's low 23 bits).".into(),
        [0x33, 0x33, ..] => "An IPv6 multicast address mapped onto Ethernet (33:33 plus the group's low 32 bits).".into(),
        [0, 0, 0, 0, 0, 0] => "All zeros: not a valid station address; a placeholder or a crafted frame.".into(),
        [a, ..] if a & 1 == 1 && dst => "A multicast address: a group of stations receives this frame.".into(),
        [a, ..] if a & 1 == 1 => "A group address as a source is invalid: the frame is forged or damaged.".into(),
        [a, ..] if a & 2 == 2 => "A locally administered address: set by software (virtual machines, containers, randomised phone addresses).".into(),
        _ => return None,
    })
}

fn addr_meaning(v: &Value, src: bool) -> Option<String> {
    let ip = match v {
        Value::Ipv4(a) => IpAddr::V4(*a),
        Value::Ipv6(a) => IpAddr::V6(*a),
        _ => return None,
    };
    Some(match ip {
        IpAddr::V4(a) => v4_meaning(a, src)?,
        IpAddr::V6(a) => v6_meaning(a, src)?,
    })
}

/// Special-purpose IPv4 blocks (IANA special-purpose address registry, RFC 6890; seed 000/001
/// for loopback seen on the wire, seed 002 §3 for 0.0.0.0, 169.254 and broadcast).
fn v4_meaning(a: Ipv4Addr, src: bool) -> Option<String> {
    let o = a.octets();
    Some(if a.is_loopback() {
        if src {
            "A loopback address: it should never leave its host, so on the wire it is spoofed or a misbehaving program (seeds 000 and 001).".into()
        } else {
            "A loopback address: on the wire it means a misconfigured or spoofed packet.".into()
        }
    } else if a.is_unspecified() {
        if src {
            "0.0.0.0: the sender has no address yet (DHCP or ARP probes use it).".into()
        } else {
            "0.0.0.0 as a destination is invalid; old stacks treated it as broadcast.".into()
        }
    } else if a.is_broadcast() {
        "The limited broadcast address: every host on this segment; routers never forward it."
            .into()
    } else if a.is_private() {
        "A private address (RFC 1918): used inside organisations and homes, never routed on the Internet.".into()
    } else if a.is_link_local() {
        "A link-local address (169.254/16): the host picked it itself because no DHCP server answered.".into()
    } else if a.is_multicast() {
        match o {
            [224, 0, 0, 1] => "All hosts on this segment (multicast).".into(),
            [224, 0, 0, 2] => "All routers on this segment (multicast).".into(),
            [224, 0, 0, 251] => "The multicast DNS group (mDNS, RFC 6762).".into(),
            [224, 0, 0, 252] => "The LLMNR group (Windows local name resolution, RFC 4795).".into(),
            [239, 255, 255, 250] => "The SSDP group (UPnP device discovery).".into(),
            [224, 0, 0, _] => "A local-network multicast group: routers never forward it.".into(),
            _ => "A multicast group address.".into(),
        }
    } else if o[0] == 100 && (64..128).contains(&o[1]) {
        "Shared address space (100.64/10): used by carrier-grade NAT inside an ISP.".into()
    } else if a.is_documentation() {
        "A documentation address (RFC 5737): it should never appear in real traffic.".into()
    } else {
        return None;
    })
}

/// Special IPv6 blocks (RFC 4291, RFC 4193, IANA IPv6 special-purpose registry).
fn v6_meaning(a: Ipv6Addr, src: bool) -> Option<String> {
    let seg = a.segments();
    Some(if a.is_loopback() {
        "The loopback address ::1: it should never be on the wire.".into()
    } else if a.is_unspecified() {
        if src {
            "The unspecified address: the sender has no address yet (duplicate address detection)."
                .into()
        } else {
            "The unspecified address is not a valid destination.".into()
        }
    } else if seg[0] & 0xffc0 == 0xfe80 {
        "A link-local address (fe80::/10): valid only on this network segment.".into()
    } else if seg[0] & 0xfe00 == 0xfc00 {
        "A unique local address (fc00::/7): IPv6's private addresses.".into()
    } else if a == Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1) {
        "All nodes on this link (multicast).".into()
    } else if a == Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2) {
        "All routers on this link (multicast).".into()
    } else if seg[0] == 0xff02 && seg[5] == 1 && seg[6] & 0xff00 == 0xff00 {
        "A solicited-node multicast address: how neighbor discovery asks for one address without disturbing everyone.".into()
    } else if seg[0] & 0xff00 == 0xff00 {
        "A multicast group address.".into()
    } else if seg[0] == 0x2001 && seg[1] == 0x0db8 {
        "A documentation address (2001:db8::/32): it should never appear in real traffic.".into()
    } else {
        return None;
    })
}

/// A port's meaning from the port table, or the range it falls in (RFC 6335 section 6).
fn port_meaning(proto: Proto, port: u64, src: bool) -> Option<String> {
    let p = u16::try_from(port).ok()?;
    let client = "Probably a client port the sender picked for this conversation (Linux picks from 32768-60999, Windows and macOS from 49152-65535).";
    if let Some(info) =
        ports::lookup(proto, p).filter(|i| !(src && p >= 1024 && is_generic_range(i)))
    {
        let phrase = info.phrase.clone();
        let mut first = phrase.chars();
        let cap = match first.next() {
            Some(c) => c.to_uppercase().chain(first).collect::<String>(),
            None => return None,
        };
        return Some(format!("{cap}."));
    }
    Some(match p {
        0 => "Port 0 is reserved and never valid: crafted traffic or a scanner's fingerprinting probe.".into(),
        1..=1023 => "A well-known port, reserved for standard services.".into(),
        // Ephemeral ranges: IANA 49152-65535 (Windows, macOS), Linux 32768-60999.
        1024..=65535 if src => client.into(),
        49152..=65535 => "A dynamic port, normally chosen by clients; traffic to it is usually a reply.".into(),
        _ => return None,
    })
}

fn tcp_flags_meaning(f: u64) -> String {
    let (fin, syn, rst, psh, ack, urg) = (
        f & 0x01 != 0,
        f & 0x02 != 0,
        f & 0x04 != 0,
        f & 0x08 != 0,
        f & 0x10 != 0,
        f & 0x20 != 0,
    );
    match (syn, ack, fin, rst) {
        _ if f & 0x3f == 0 => {
            "No flags at all: never seen in a real connection; a \"null scan\" probe.".into()
        }
        _ if fin && psh && urg && !syn && !ack => {
            "FIN, PSH and URG together: the \"Christmas tree\" scan probe.".into()
        }
        (true, _, true, _) | (true, _, _, true) => {
            "SYN with FIN or RST: contradictory flags that only crafted packets carry.".into()
        }
        (true, false, _, _) => "SYN alone: the first packet of a connection attempt.".into(),
        (true, true, _, _) => {
            "SYN+ACK: the server accepts a connection (second step of the handshake).".into()
        }
        (false, _, _, true) => "RST: the connection is refused or aborted.".into(),
        (false, _, true, _) => "FIN: the sender is done sending.".into(),
        (false, true, false, false) if psh => {
            "ACK+PSH: data to deliver to the application now.".into()
        }
        (false, true, false, false) => {
            "ACK: acknowledges data (and carries data if the length is non-zero).".into()
        }
        (false, false, false, false) => {
            "Flags without ACK outside a SYN: unusual for an established connection.".into()
        }
    }
}

fn window_meaning(w: u64, l: Option<&Layer>) -> String {
    if w == 0 {
        if tcp_flag(l, 0x04) {
            return "Zero, as usual on a reset.".into();
        }
        return "Zero window: the receiver's buffer is full; the sender must wait until it opens again.".into();
    }
    let syn = tcp_flag(l, 0x02);
    let scale = l.and_then(|l| l.u64("tcp.options.wscale.shift"));
    if syn {
        let s = match scale {
            Some(s) => format!(
                " Window scaling is offered, so later windows are multiplied by {}.",
                1u64 << s.min(14)
            ),
            None => String::new(),
        };
        return format!("The receiver can take {w} bytes before waiting for an acknowledgement (the unscaled value in a SYN); starting windows differ between operating systems and help fingerprint them.{s}");
    }
    format!("The receiver can take {w} units of data before acknowledging (multiply by the window scale agreed in the handshake, if any).")
}

/// MSS readings (RFC 9293 section 3.7.1; encapsulation overheads of PPPoE and tunnels).
fn mss_meaning(m: u64) -> String {
    match m {
        1460 => "1460: the largest segment a 1500-byte Ethernet link carries (1500 minus 40 header bytes).".into(),
        1440 => "1440: an IPv6 path on a 1500-byte link (1500 minus 60 header bytes).".into(),
        1452 | 1412 | 1492 => format!("{m}: a link with a little less than 1500 bytes, typical of PPPoE DSL lines."),
        536 => "536: the minimum every IPv4 host must accept, used by old or cautious stacks.".into(),
        1380..=1459 => format!("{m}: a little below Ethernet's 1460, usually a VPN or tunnel adding its own headers."),
        0..=535 => format!("{m}: unusually small; some scanners and old devices send tiny MSS values."),
        _ => format!("{m}: the largest segment the sender will accept; above 1460 means a link with jumbo frames or loopback."),
    }
}

fn udp_length_meaning(len: u64, d: &Dissection, l: Option<&Layer>) -> Option<String> {
    if len < 8 {
        return Some(format!("{len} is below UDP's 8-byte header: the length field is invalid, a crafted packet (seed 004)."));
    }
    // Compare with what the IP header says the payload is: a mismatch is crafted traffic.
    let l = l?;
    let pos = d.layers.iter().position(|x| std::ptr::eq(x, l))?;
    let ip = d
        .layers
        .get(..pos)?
        .iter()
        .rev()
        .find(|x| matches!(x.proto, "ip" | "ipv6"))?;
    let ip_payload = if ip.proto == "ip" {
        ip.u64("ip.len")?.checked_sub(ip.u64("ip.hdr_len")?)?
    } else {
        let plen = ip.u64("ipv6.plen")?;
        plen.checked_sub(u64::try_from(l.offset.checked_sub(ip.offset.checked_add(40)?)?).ok()?)?
    };
    let data = len - 8;
    if ip_payload == len
        || ip.u64("ip.frag_offset").is_some_and(|o| o > 0)
        || ip.get("ip.flags.mf") == Some(&Value::Bool(true))
    {
        Some(format!("8 bytes of UDP header plus {data} bytes of data."))
    } else if ip_payload > len {
        Some(format!("UDP claims {len} bytes but IP carries {ip_payload}: the extra bytes belong to no one, a sign of crafted packets (seed 004)."))
    } else {
        Some(format!("UDP claims {len} bytes but IP carries only {ip_payload}: the length is wrong, a sign of crafted packets (seed 004)."))
    }
}

fn icmp_type_words(t: u8) -> &'static str {
    // RFC 792 and RFC 1256 purposes; deprecations per RFC 6918.
    match t {
        0 => "answers a ping.",
        3 => "a packet could not be delivered; the reason is in the code.",
        4 => "an old request to slow down, deprecated and ignored today.",
        5 => "a router tells the host a better next hop; accepting these from strangers lets traffic be diverted.",
        8 => "a ping, asking the destination to answer.",
        9 => "a router announces itself as a gateway.",
        10 => "a host asks routers to announce themselves.",
        11 => "a packet's TTL ran out on the way (what traceroute relies on) or a reassembly timed out.",
        12 => "a header was malformed.",
        13 | 14 => "asks for or gives the clock; it reveals the host's time and is often blocked.",
        17 | 18 => "asks for or gives the network mask; obsolete, seen mostly from scanners.",
        _ => "a rarely used message.",
    }
}

/// Differentiated services code points (RFC 2474, RFC 2597, RFC 3246, RFC 8622).
fn dscp_name(d: u64) -> &'static str {
    match d {
        46 => "expedited forwarding, used for voice",
        34 | 36 | 38 => "assured forwarding class 4, often video",
        26 | 28 | 30 => "assured forwarding class 3",
        18 | 20 | 22 => "assured forwarding class 2",
        10 | 12 | 14 => "assured forwarding class 1",
        48 => "network control (class selector 6), used by routing protocols",
        56 => "class selector 7, reserved for network control",
        8 => "lower priority than normal (class selector 1)",
        1 => "lower effort, background traffic",
        _ => "a priority class set by the sender or a router",
    }
}

fn seconds(s: u64) -> String {
    if s == 0xffff_ffff {
        "ever (an infinite lease)".into()
    } else if s >= 86400 {
        format!("{s} seconds (about {} days)", s / 86400)
    } else if s >= 3600 {
        format!("{s} seconds (about {} hours)", s / 3600)
    } else if s >= 60 {
        format!("{s} seconds (about {} minutes)", s / 60)
    } else {
        format!("{s} seconds")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, linktype};

    fn ttl_text(ttl: u64) -> String {
        ttl_meaning(ttl, false, false)
    }

    #[test]
    fn ttl_is_read_as_initial_value_and_hops() {
        let t = ttl_text(64);
        assert!(
            t.contains("started at 64")
                && t.contains("Linux")
                && t.contains("not crossed a router"),
            "{t}"
        );
        let t = ttl_text(57);
        assert!(
            t.contains("started at 64") && t.contains("7 routers"),
            "{t}"
        );
        let t = ttl_text(128);
        assert!(
            t.contains("started at 128") && t.contains("Windows") && t.contains("not crossed"),
            "{t}"
        );
        let t = ttl_text(113);
        assert!(
            t.contains("started at 128") && t.contains("15 routers"),
            "{t}"
        );
        let t = ttl_text(255);
        assert!(t.contains("started at 255") && t.contains("Cisco"), "{t}");
        let t = ttl_text(250);
        assert!(
            t.contains("started at 255") && t.contains("5 routers"),
            "{t}"
        );
        let t = ttl_text(32);
        assert!(
            t.contains("started at 32") && t.contains("Windows 95"),
            "{t}"
        );
        let t = ttl_text(30);
        assert!(
            t.contains("started at 32") && t.contains("2 routers"),
            "{t}"
        );
        assert!(ttl_text(1).contains("1 left"));
        assert!(ttl_text(0).contains("crafted"));
        assert!(ttl_meaning(63, true, false).contains("quoted copy"));
        assert!(ttl_meaning(64, false, true).starts_with("Probably started at 64"));
    }

    /// Ethernet + IPv4 + TCP SYN with MSS, SACK-permitted, timestamps and window scale.
    fn syn_frame(ttl: u8) -> Vec<u8> {
        let mut f = vec![
            // Ethernet: dst, src, type 0x0800
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
            // IPv4: ver/ihl 0x45, tos 0, total length 60, id 0x1234, flags DF, ttl, proto 6,
            // checksum 0 (not checked here), src 10.0.0.1, dst 192.0.2.7
            0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, ttl, 0x06, 0x00, 0x00, 10, 0, 0, 1, 192,
            0, 2, 7,
            // TCP: sport 40000, dport 80, seq, ack 0, data offset 10 (40 bytes), flags SYN,
            // window 64240, checksum, urgent 0
            0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
            0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
            // options: MSS 1460; SACK permitted; timestamps 100/0; NOP; wscale 7
            0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00,
            0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
        ];
        f.truncate(74);
        f
    }

    fn meaning_of(d: &Dissection, name: &str) -> Option<String> {
        let f = d
            .field(name)
            .unwrap_or_else(|| panic!("{name} not decoded"));
        meaning(f, d)
    }

    #[test]
    fn meanings_of_a_syn() {
        let d = decode(&syn_frame(57), linktype::ETHERNET);
        assert!(meaning_of(&d, "ip.ttl").unwrap().contains("7 routers"));
        assert!(meaning_of(&d, "eth.dst").unwrap().contains("Broadcast"));
        assert!(meaning_of(&d, "eth.src")
            .unwrap()
            .contains("locally administered"));
        assert!(meaning_of(&d, "eth.type").unwrap().contains("IPv4"));
        assert!(meaning_of(&d, "ip.flags.df")
            .unwrap()
            .contains("Don't fragment"));
        assert_eq!(
            meaning_of(&d, "ip.flags.mf"),
            None,
            "flags speak only when set"
        );
        assert!(meaning_of(&d, "ip.id").unwrap().contains("count it up"));
        assert!(meaning_of(&d, "ip.proto").unwrap().contains("TCP"));
        assert!(meaning_of(&d, "ip.src").unwrap().contains("RFC 1918"));
        assert!(meaning_of(&d, "ip.dst").unwrap().contains("documentation"));
        assert!(meaning_of(&d, "tcp.flags").unwrap().contains("SYN alone"));
        assert!(meaning_of(&d, "tcp.flags.syn").unwrap().starts_with("SYN"));
        assert_eq!(meaning_of(&d, "tcp.flags.ack"), None);
        assert!(meaning_of(&d, "tcp.seq_raw").unwrap().contains("random"));
        assert!(meaning_of(&d, "tcp.window_size_value")
            .unwrap()
            .contains("64240"));
        assert!(meaning_of(&d, "tcp.options.mss_val")
            .unwrap()
            .contains("1500"));
        assert!(meaning_of(&d, "tcp.options.sack_perm")
            .unwrap()
            .contains("RFC 2018"));
        assert!(meaning_of(&d, "tcp.options.wscale.shift")
            .unwrap()
            .contains("128"));
        assert!(meaning_of(&d, "tcp.options.timestamp.tsval")
            .unwrap()
            .contains("round-trip"));
        assert!(meaning_of(&d, "tcp.options.timestamp.tsecr")
            .unwrap()
            .contains("Zero"));
        assert!(meaning_of(&d, "tcp.srcport")
            .unwrap()
            .contains("client port"));
        assert!(meaning_of(&d, "tcp.hdr_len")
            .unwrap()
            .contains("20 bytes of options"));
    }

    #[test]
    fn ip_id_zero_with_df_is_explained() {
        let mut f = syn_frame(64);
        f[18] = 0;
        f[19] = 0;
        let d = decode(&f, linktype::ETHERNET);
        assert!(meaning_of(&d, "ip.id")
            .unwrap()
            .contains("Zero with don't-fragment"));
    }

    #[test]
    fn every_field_of_every_truncation_has_a_clean_meaning() {
        let f = syn_frame(64);
        for cut in 0..=f.len() {
            let d = decode(&f[..cut], linktype::ETHERNET);
            for l in &d.layers {
                for fl in &l.fields {
                    if let Some(m) = meaning(fl, &d) {
                        assert!(!m.is_empty() && !m.contains('{'), "{}: {m}", fl.name);
                    }
                }
            }
        }
    }
}
