use super::lex::CmpOp;
use super::names::{self, FieldKind};
use super::parse::{Expr, Lit, Target};
use super::*;
use crate::decode::Layer;
use crate::field::Value;
use std::net::{Ipv4Addr, Ipv6Addr};

fn expr(s: &str) -> Expr {
    Filter::parse(s).unwrap().expr.unwrap()
}

fn error(s: &str) -> FilterError {
    match Filter::parse(s) {
        Ok(f) => panic!("`{s}` parsed: {f:?}"),
        Err(e) => e,
    }
}

/// The error's position and length, checked against the text it should point at.
fn points_at(s: &str, want: &str) -> FilterError {
    let e = error(s);
    let shown: String = s.chars().skip(e.at).take(e.len).collect();
    assert_eq!(shown, want, "`{s}`: {e}");
    e
}

fn proto(p: &'static str) -> Expr {
    Expr::Present(Target::Proto(p))
}

#[test]
fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
    assert_eq!(
        expr("tcp or udp and not dns"),
        Expr::Or(vec![
            proto("tcp"),
            Expr::And(vec![proto("udp"), Expr::Not(Box::new(proto("dns")))]),
        ])
    );
    assert_eq!(
        expr("!tcp && udp || arp"),
        Expr::Or(vec![
            Expr::And(vec![Expr::Not(Box::new(proto("tcp"))), proto("udp")]),
            proto("arp"),
        ])
    );
    assert_eq!(
        expr("not (tcp or udp) and arp"),
        Expr::And(vec![
            Expr::Not(Box::new(Expr::Or(vec![proto("tcp"), proto("udp")]))),
            proto("arp"),
        ])
    );
    // Chains stay flat, so a long chain does not nest deeply.
    match expr("tcp or udp or arp or dns") {
        Expr::Or(terms) => assert_eq!(terms.len(), 4),
        other => panic!("{other:?}"),
    }
}

#[test]
fn comparisons_resolve_names_and_type_their_values() {
    assert_eq!(
        expr("ip.addr == 10.1.2.3/8"),
        Expr::Cmp {
            target: Target::Field {
                names: &["ip.src", "ip.dst"],
                kind: FieldKind::Ipv4,
            },
            op: CmpOp::Eq,
            lit: Lit::V4 {
                addr: 0x0a00_0000,
                mask: 0xff00_0000,
            },
        }
    );
    assert_eq!(
        expr("tcp.flags.syn eq true"),
        Expr::Cmp {
            target: Target::Field {
                names: &["tcp.flags.syn"],
                kind: FieldKind::Bool,
            },
            op: CmpOp::Eq,
            lit: Lit::Int(1),
        }
    );
    assert_eq!(
        expr("finding.severity ge Warning"),
        Expr::Cmp {
            target: Target::FindingSeverity,
            op: CmpOp::Ge,
            lit: Lit::Severity(Severity::Warning),
        }
    );
    assert_eq!(
        expr("tcp.port in {80, 443 8000..8080}"),
        Expr::In {
            target: Target::Field {
                names: &["tcp.srcport", "tcp.dstport"],
                kind: FieldKind::UInt,
            },
            set: vec![Lit::Int(80), Lit::Int(443), Lit::Range(8000, 8080)],
        }
    );
    assert_eq!(
        expr("eth.src == 00-11-22-33-44-55"),
        Expr::Cmp {
            target: Target::Field {
                names: &["eth.src"],
                kind: FieldKind::Mac,
            },
            op: CmpOp::Eq,
            lit: Lit::Mac([0, 0x11, 0x22, 0x33, 0x44, 0x55]),
        }
    );
}

#[test]
fn empty_and_blank_expressions_match_everything() {
    for s in ["", "   ", "\t\n"] {
        let f = Filter::parse(s).unwrap();
        assert!(f.is_empty());
        assert!(!f.uses_findings());
        assert!(f.matches(&packet(), &[]));
    }
    assert!(!Filter::parse("tcp").unwrap().is_empty());
}

#[test]
fn parenthesis_errors_point_at_the_unmatched_one() {
    let e = points_at("(tcp or udp", "(");
    assert!(e.message.contains("never closed"), "{e}");
    points_at("tcp and (", "(");
    points_at("tcp and (udp or (", "(");
    let e = points_at("tcp or udp)", ")");
    assert!(e.message.contains("no matching `(`"), "{e}");
    let e = points_at("tcp and ()", "()");
    assert!(e.message.contains("empty parentheses"), "{e}");
    let e = points_at("(tcp udp)", "udp");
    assert!(e.message.contains("missing `and` or `or`"), "{e}");
}

#[test]
fn missing_values_and_operands_point_at_what_needs_them() {
    let e = points_at("tcp.port ==", "==");
    assert_eq!(e.message, "missing value after `==`");
    points_at("tcp.port == )", "==");
    let e = points_at("tcp and", "and");
    assert!(e.message.contains("needs an expression after it"), "{e}");
    points_at("tcp or", "or");
    let e = points_at("not", "not");
    assert!(e.message.contains("`not` needs an expression"), "{e}");
    points_at("and tcp", "and");
    points_at("tcp and or udp", "or");
    points_at("== 80", "==");
    points_at("\"x\"", "\"x\"");
}

#[test]
fn operator_mistakes_are_named() {
    let e = points_at("tcp.port = 80", "=");
    assert!(e.message.contains("use `==`"), "{e}");
    let e = points_at("tcp.port <> 80", "<>");
    assert!(e.message.contains("unknown operator `<>`"), "{e}");
    let e = points_at("tcp.port equals 80", "equals");
    assert!(e.message.contains("unknown operator `equals`"), "{e}");
    let e = points_at("tcp udp", "udp");
    assert!(
        e.message.contains("missing `and` or `or` before `udp`"),
        "{e}"
    );
    let e = points_at("dns.qry.name \"a\"", "\"a\"");
    assert!(e.message.contains("did you mean `==`"), "{e}");
    let e = points_at("tcp.port == 80 443", "443");
    assert!(e.message.contains("expected `and`, `or` or the end"), "{e}");
    let e = points_at("http.host matches \"x\"", "matches");
    assert!(e.message.contains("not supported"), "{e}");
    let e = points_at("ip.addr == 10.0.0.1 or 10.0.0.2", "10.0.0.2");
    assert!(e.message.contains("each value needs its field"), "{e}");
    let e = points_at("ip.src == example.com", "example.com");
    assert!(e.message.contains("host names are not looked up"), "{e}");
}

#[test]
fn unterminated_strings_point_from_the_quote_to_the_end() {
    let e = points_at("dns.qry.name == \"exam", "\"exam");
    assert!(e.message.contains("no closing"), "{e}");
}

#[test]
fn bad_network_prefixes_point_at_the_prefix() {
    let e = points_at("ip.addr == 10.0.0.0/33", "/33");
    assert!(e.message.contains("0 to 32"), "{e}");
    let e = points_at("ipv6.addr == 2001:db8::/129", "/129");
    assert!(e.message.contains("0 to 128"), "{e}");
    points_at("ip.addr == 10.0.0.0/", "/");
    points_at("ip.addr == 10.0.0.0/x", "/x");
    let e = points_at("ip.addr > 10.0.0.0/8", "10.0.0.0/8");
    assert!(e.message.contains("network"), "{e}");
    assert!(Filter::parse("ip.addr == 0.0.0.0/0").is_ok());
    assert!(Filter::parse("ip.addr > 10.0.0.1").is_ok());
}

#[test]
fn unknown_names_suggest_the_nearest_known_one() {
    let e = points_at("tcp.flagz == 2", "tcp.flagz");
    assert_eq!(
        e.message,
        "no field called `tcp.flagz`; did you mean `tcp.flags`?"
    );
    let e = points_at("tcp and TCP.PORT == 1", "TCP.PORT");
    assert!(e.message.contains("did you mean `tcp.port`?"), "{e}");
    let e = points_at("quux", "quux");
    assert_eq!(e.message, "no field called `quux`");
    let e = points_at("80 == tcp.port", "80");
    assert!(e.message.contains("found the value `80`"), "{e}");
    let e = points_at(
        "finding.id == \"tcp.flags.syn_fim\"",
        "\"tcp.flags.syn_fim\"",
    );
    assert!(
        e.message.contains("did you mean `tcp.flags.syn_fin`?"),
        "{e}"
    );
    let e = points_at("finding.id == \"tcp.syn_fin\"", "\"tcp.syn_fin\"");
    assert!(
        e.message.contains("did you mean `tcp.flags.syn_fin`?"),
        "{e}"
    );
    let e = points_at("tcp.syn", "tcp.syn");
    assert!(e.message.contains("did you mean `tcp.flags.syn`?"), "{e}");
    // tcpdump's flag names lead to Wireshark's, not to the nearest spelling.
    let e = points_at("tcp.flags.rst == 1", "tcp.flags.rst");
    assert!(
        e.message.ends_with("did you mean `tcp.flags.reset`?"),
        "{e}"
    );
    let e = points_at("udp.src == 53", "udp.src");
    assert!(e.message.ends_with("did you mean `udp.srcport`?"), "{e}");
}

#[test]
fn values_must_suit_their_field() {
    let e = points_at("tcp.port == 10.0.0.1", "10.0.0.1");
    assert_eq!(
        e.message,
        "`tcp.port` holds a number, but `10.0.0.1` is an IPv4 address"
    );
    let e = points_at("ip.src == 80", "80");
    assert!(e.message.contains("is a number"), "{e}");
    let e = points_at("ip.src == \"10.0.0.1\"", "\"10.0.0.1\"");
    assert!(e.message.contains("quoted text"), "{e}");
    let e = points_at("eth.src == 10.0.0.1", "10.0.0.1");
    assert!(e.message.contains("MAC address"), "{e}");
    let e = points_at("tcp.flags.syn == 2", "2");
    assert!(e.message.contains("flag"), "{e}");
    let e = points_at("tcp.port == 0x", "0x");
    assert!(e.message.contains("not a valid number"), "{e}");
    let e = points_at("tcp == 1", "tcp");
    assert!(e.message.contains("is a protocol"), "{e}");
    let e = points_at("ah == 1", "ah");
    assert!(e.message.contains("no value of its own"), "{e}");
    let e = points_at("tcp.port contains \"x\"", "contains");
    assert!(e.message.contains("is a number"), "{e}");
    let e = points_at("finding.severity > bad", "bad");
    assert!(e.message.contains("info, notice, warning or alert"), "{e}");
    let e = points_at("dns.qry.name == tcp.port", "tcp.port");
    assert!(e.message.contains("two fields"), "{e}");
    let e = points_at("tcp.port in 80", "in");
    assert!(e.message.contains("braces"), "{e}");
    points_at("tcp.port in {80", "{");
    points_at("tcp.port in {}", "{}");
    let e = points_at("ip.addr in {10.0.0.1..10.0.0.9}", "10.0.0.1..10.0.0.9");
    assert!(e.message.contains("range"), "{e}");
    let e = points_at("tcp.port in {9..1}", "9..1");
    assert!(e.message.contains("smaller"), "{e}");
}

#[test]
fn nesting_is_bounded() {
    let deep = "(".repeat(10_000) + "tcp" + &")".repeat(10_000);
    let e = error(&deep);
    assert!(e.message.contains("nested"), "{e}");
    assert_eq!(e.at, parse::MAX_DEPTH);
    let nots = "!".repeat(10_000) + "tcp";
    assert!(error(&nots).message.contains("nested"));
    let ok = "(".repeat(50) + "tcp" + &")".repeat(50);
    assert!(Filter::parse(&ok).is_ok());
    let long = vec!["tcp"; 20_000].join(" or ");
    assert!(Filter::parse(&long).unwrap().matches(&packet(), &[]));
}

#[test]
fn display_and_caret_show_the_position() {
    let e = error("tcp.port == 10.0.0.1");
    assert_eq!(
        e.to_string(),
        "`tcp.port` holds a number, but `10.0.0.1` is an IPv4 address (at character 13)"
    );
    assert_eq!(
        e.caret("tcp.port == 10.0.0.1"),
        "tcp.port == 10.0.0.1\n            ^~~~~~~~"
    );
    let e = error("a\tb");
    assert_eq!(e.caret("a\tb"), "a b\n^");
}

// ---- evaluation over a hand-built packet ----

/// An Ethernet/IPv4/TCP SYN to port 80 from 10.0.0.5 to 192.0.2.9, 60 bytes captured of 74.
fn packet() -> Dissection {
    let mut eth = Layer::new("eth", "Ethernet", 0);
    eth.add("eth.dst", "Destination", Value::Mac([0xff; 6]), 0, 6);
    eth.add(
        "eth.src",
        "Source",
        Value::Mac([0, 0x11, 0x22, 0x33, 0x44, 0x55]),
        6,
        6,
    );
    let mut ip = Layer::new("ip", "IPv4", 14);
    ip.add("ip.ttl", "TTL", Value::UInt(64), 22, 1);
    ip.add(
        "ip.src",
        "Source",
        Value::Ipv4(Ipv4Addr::new(10, 0, 0, 5)),
        26,
        4,
    );
    ip.add(
        "ip.dst",
        "Destination",
        Value::Ipv4(Ipv4Addr::new(192, 0, 2, 9)),
        30,
        4,
    );
    let mut tcp = Layer::new("tcp", "TCP", 34);
    tcp.add("tcp.srcport", "Source port", Value::UInt(40000), 34, 2);
    tcp.add("tcp.dstport", "Destination port", Value::UInt(80), 36, 2);
    tcp.add("tcp.flags", "Flags", Value::UInt(0x002), 46, 2);
    tcp.add_flag("tcp.flags.syn", "SYN", 0x002, 46, 2, 0x002, 1);
    tcp.add_flag("tcp.flags.ack", "ACK", 0x002, 46, 2, 0x010, 1);
    tcp.add(
        "tcp.options",
        "Options",
        Value::Bytes(vec![2, 4, 5, 0xb4]),
        54,
        4,
    );
    Dissection {
        link_type: 1,
        len: 60,
        orig_len: Some(74),
        layers: vec![eth, ip, tcp],
        trailer: None,
    }
}

/// An ICMP port unreachable from 192.0.2.1 quoting a UDP datagram 10.0.0.5:5000 -> 192.0.2.9:53.
fn icmp_error() -> Dissection {
    let mut ip = Layer::new("ip", "IPv4", 0);
    ip.add(
        "ip.src",
        "Source",
        Value::Ipv4(Ipv4Addr::new(192, 0, 2, 1)),
        12,
        4,
    );
    ip.add(
        "ip.dst",
        "Destination",
        Value::Ipv4(Ipv4Addr::new(10, 0, 0, 5)),
        16,
        4,
    );
    let mut icmp = Layer::new("icmp", "ICMP", 20);
    icmp.add("icmp.type", "Type", Value::UInt(3), 20, 1);
    let mut qip = Layer::new("ip", "IPv4", 28);
    qip.quoted = true;
    qip.add(
        "ip.src",
        "Source",
        Value::Ipv4(Ipv4Addr::new(10, 0, 0, 5)),
        40,
        4,
    );
    qip.add(
        "ip.dst",
        "Destination",
        Value::Ipv4(Ipv4Addr::new(192, 0, 2, 9)),
        44,
        4,
    );
    let mut qudp = Layer::new("udp", "UDP", 48);
    qudp.quoted = true;
    qudp.add("udp.srcport", "Source port", Value::UInt(5000), 48, 2);
    qudp.add("udp.dstport", "Destination port", Value::UInt(53), 50, 2);
    Dissection {
        link_type: 101,
        len: 56,
        orig_len: None,
        layers: vec![ip, icmp, qip, qudp],
        trailer: None,
    }
}

fn ipv6_packet() -> Dissection {
    let mut ip = Layer::new("ipv6", "IPv6", 0);
    ip.add(
        "ipv6.src",
        "Source",
        Value::Ipv6("2001:db8::1".parse::<Ipv6Addr>().unwrap()),
        8,
        16,
    );
    ip.add(
        "ipv6.dst",
        "Destination",
        Value::Ipv6("fe80::2".parse::<Ipv6Addr>().unwrap()),
        24,
        16,
    );
    let mut dns = Layer::new("dns", "DNS", 48);
    dns.add(
        "dns.qry.name",
        "Name",
        Value::Str("www.example.com".into()),
        60,
        17,
    );
    dns.add("dns.flags.response", "Response", Value::Bool(false), 50, 2);
    Dissection {
        link_type: 101,
        len: 80,
        orig_len: Some(80),
        layers: vec![ip, dns],
        trailer: None,
    }
}

fn on(s: &str, d: &Dissection) -> bool {
    Filter::parse(s).unwrap().matches(d, &[])
}

#[test]
fn presence_of_protocols_and_fields() {
    let p = packet();
    for yes in [
        "tcp",
        "ip",
        "eth",
        "frame",
        "tcp.options",
        "tcp.flags.ack",
        "ip.addr",
        "frame.len",
    ] {
        assert!(on(yes, &p), "{yes}");
    }
    for no in ["udp", "arp", "dns", "ipv6.addr", "ip.opt.type", "esp"] {
        assert!(!on(no, &p), "{no}");
    }
}

#[test]
fn comparisons_match_when_any_occurrence_does() {
    let p = packet();
    let cases = [
        ("tcp.port == 80", true),
        ("tcp.port == 40000", true),
        ("tcp.port == 443", false),
        ("tcp.dstport == 0x50", true),
        ("ip.addr == 10.0.0.0/8", true),
        ("ip.addr == 192.0.2.0/24", true),
        ("ip.addr == 172.16.0.0/12", false),
        ("ip.src == 10.0.0.5 and ip.dst == 192.0.2.9", true),
        ("ip.src > 10.0.0.4 and ip.src < 10.0.0.6", true),
        ("ip.ttl >= 64 && ip.ttl <= 64", true),
        ("ip.ttl lt 64", false),
        ("tcp.flags.syn == 1 and tcp.flags.ack == 0", true),
        ("tcp.flags.syn == true and tcp.flags.ack == false", true),
        ("tcp.flags.ack", true),
        ("tcp.flags & 0x12", true),
        ("tcp.flags & 0x10", false),
        ("eth.addr == ff:ff:ff:ff:ff:ff", true),
        ("eth.src == 0011.2233.4455", true),
        ("eth.dst == 00:11:22:33:44:55", false),
        ("tcp.options contains 05:b4", true),
        ("tcp.options == 02:04:05:b4", true),
        ("tcp.options contains 05:b5", false),
        ("tcp.port in {22 80}", true),
        ("tcp.port in {1..79, 81..39999}", false),
        ("tcp.port in {39000..41000}", true),
        ("frame.len == 74 and frame.cap_len == 60", true),
        ("frame.len > 100", false),
        ("not (tcp.port == 80 or udp)", false),
    ];
    for (s, want) in cases {
        assert_eq!(on(s, &p), want, "{s}");
    }
}

#[test]
fn not_equal_follows_wireshark_4() {
    let p = packet();
    // Both addresses differ from 10.9.9.9: true. One of them is 10.0.0.5: false, even though
    // the other differs.
    assert!(on("ip.addr != 10.9.9.9", &p));
    assert!(!on("ip.addr != 10.0.0.5", &p));
    assert_eq!(
        on("ip.addr != 10.0.0.5", &p),
        on("ip and not ip.addr == 10.0.0.5", &p)
    );
    // The older meaning, some occurrence differs, is `!==`.
    assert!(on("ip.addr !== 10.0.0.5", &p));
    assert!(on("ip.addr any_ne 10.0.0.5", &p));
    // A missing field is never "not equal".
    assert!(!on("udp.port != 53", &p));
    assert!(!on("ip.addr ne 10.0.0.0/8", &p));
    // `===`: present and every occurrence equal.
    assert!(!on("ip.addr === 10.0.0.5", &p));
    assert!(on("ip.addr === 0.0.0.0/0", &p));
    assert!(!on("udp.port === 53", &p));
}

#[test]
fn quoted_layers_count_as_in_wireshark() {
    let d = icmp_error();
    assert!(on("udp", &d));
    assert!(on("udp.port == 53", &d));
    assert!(on("ip.dst == 192.0.2.9", &d));
    assert!(on("icmp.type == 3 and ip.src == 192.0.2.1", &d));
    assert!(!on("tcp", &d));
    // frame.len falls back to the captured length when the wire length is unknown.
    assert!(on("frame.len == 56", &d));
}

#[test]
fn text_and_ipv6_values() {
    let d = ipv6_packet();
    let cases = [
        ("dns.qry.name == \"www.example.com\"", true),
        ("dns.qry.name == www.example.com", true),
        ("dns.qry.name == \"example.com\"", false),
        ("dns.qry.name contains \"example\"", true),
        ("dns.qry.name contains \"EXAMPLE\"", false),
        ("dns.qry.name > \"a\"", true),
        ("dns.qry.name in {\"a\" \"www.example.com\"}", true),
        ("dns.flags.response == 0", true),
        ("ipv6.addr == 2001:db8::/32", true),
        ("ipv6.addr == fe80::2", true),
        ("ipv6.src == fe80::/10", false),
        ("ipv6.addr == ::/0", true),
        ("ip.addr == 0.0.0.0/0", false),
        ("ipv6 and dns and not ip", true),
    ];
    for (s, want) in cases {
        assert_eq!(on(s, &d), want, "{s}");
    }
}

#[test]
fn findings_are_matched_only_when_asked_for() {
    let p = packet();
    let found = [
        ("tcp.flags.syn_fin", Severity::Alert),
        ("addr.private_source", Severity::Info),
    ];
    let with = |s: &str| {
        let f = Filter::parse(s).unwrap();
        assert!(f.uses_findings(), "{s}");
        (f.matches(&p, &found), f.matches(&p, &[]))
    };
    assert_eq!(with("finding"), (true, false));
    assert_eq!(with("finding.id == \"tcp.flags.syn_fin\""), (true, false));
    assert_eq!(with("finding.id contains \"syn\""), (true, false));
    assert_eq!(with("finding.severity >= warning"), (true, false));
    assert_eq!(with("finding.severity > alert"), (false, false));
    assert_eq!(with("finding.severity == info"), (true, false));
    assert_eq!(with("finding.severity != info"), (false, false));
    assert_eq!(with("finding.count > 1"), (true, false));
    assert_eq!(with("finding.count == 0"), (false, true));
    assert_eq!(with("tcp and not finding"), (false, true));
    for s in ["tcp", "ip.addr == 10.0.0.0/8 or not udp", ""] {
        assert!(!Filter::parse(s).unwrap().uses_findings(), "{s}");
    }
}

// ---- the name table ----

#[test]
fn name_tables_are_sorted_for_binary_search() {
    assert!(names::FIELDS.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(names::PROTOCOLS.windows(2).all(|w| w[0] < w[1]));
    for (v, kind, real) in names::VIRTUAL {
        for r in *real {
            assert_eq!(names::field_kind(r), Some(*kind), "{v} -> {r}");
        }
        assert_eq!(names::field_kind(v), None, "{v} shadows a real field");
    }
    assert_eq!(names::field_kind("tcp.srcport"), Some(FieldKind::UInt));
    assert!(names::is_protocol("wlan.mgt"));
}

/// Every dotted string literal in the decoder sources that starts with a known protocol prefix
/// must be a known name, and every `Layer::new("x"` a known protocol: a new field added to a
/// decoder without a line here fails this test even before any capture exercises it.
#[test]
fn decoder_sources_name_no_unknown_fields() {
    use std::collections::BTreeSet;
    // Dotted literals in decoder code that are host names or tool arguments, not fields.
    const NOT_FIELDS: [&str; 8] = [
        "example.com",
        "www.example.com",
        "mail.example.com",
        "web.example.com",
        "ntp.org",
        "pxelinux.0",
        "frame.number",
        "frame.encap_type",
    ];
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src/decode");
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(root)];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 10, "decoder sources not found under {root}");
    let prefixes: BTreeSet<&str> = names::FIELDS
        .iter()
        .map(|(n, _)| n.split('.').next().unwrap())
        .chain(
            names::PROTOCOLS
                .iter()
                .map(|p| p.split('.').next().unwrap()),
        )
        .collect();
    let mut unknown = BTreeSet::new();
    let mut literals = 0;
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        for lit in string_literals(&src) {
            let Some((first, _)) = lit.split_once('.') else {
                continue;
            };
            if !prefixes.contains(first) || NOT_FIELDS.contains(&lit) {
                continue;
            }
            literals += 1;
            if names::field_kind(lit).is_none() && !names::is_protocol(lit) {
                unknown.insert(format!("{}: {lit}", f.display()));
            }
        }
        for (i, _) in src.match_indices("Layer::new(\"") {
            let rest = &src[i + "Layer::new(\"".len()..];
            let p = &rest[..rest.find('"').unwrap()];
            if !names::is_protocol(p) {
                unknown.insert(format!("{}: layer {p}", f.display()));
            }
        }
    }
    assert!(literals > 500, "only {literals} field literals found");
    assert!(
        unknown.is_empty(),
        "add these to filter/names.rs: {unknown:#?}"
    );
}

/// Contents of double-quoted literals made only of name characters (enough for field names;
/// other literals are skipped).
fn string_literals(src: &str) -> Vec<&str> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    for (i, _) in src.match_indices('"') {
        let start = i + 1;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.') {
            j += 1;
        }
        if j > start && j < b.len() && b[j] == b'"' {
            out.push(&src[start..j]);
        }
    }
    out
}
