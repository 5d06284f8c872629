//! What a port number means to an analyst: the service registered there, the trojans and games
//! known to use it, and ranges with a meaning of their own (RPC, traceroute, NAT). Loaded from the
//! `[[port]]` records of `knowledge/ports.toml`.

use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proto {
    Tcp,
    Udp,
}

/// One `[[port]]` record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortInfo {
    /// A single port...
    #[serde(default)]
    pub port: Option<u16>,
    /// ...or an inclusive range.
    #[serde(default)]
    pub range: Option<[u16; 2]>,
    /// `tcp`, `udp` or `both`.
    pub proto: String,
    /// Short name: "DNS", "Back Orifice", "Solaris RPC services".
    pub service: String,
    /// A clause for narratives: "the port of DNS, the Internet's name lookup service".
    pub phrase: String,
    /// Registry id to report when this port is the destination of traffic (or the side below).
    #[serde(default)]
    pub finding: Option<String>,
    /// Which side's port the finding is about: `dst` (default), `src`, or `either`.
    #[serde(default)]
    pub side: Option<String>,
    pub refs: Vec<String>,
}

impl PortInfo {
    pub fn matches(&self, proto: Proto, port: u16) -> bool {
        let proto_ok = match self.proto.as_str() {
            "both" => true,
            "tcp" => proto == Proto::Tcp,
            "udp" => proto == Proto::Udp,
            _ => false,
        };
        let port_ok = match (self.port, self.range) {
            (Some(p), _) => p == port,
            (None, Some([lo, hi])) => (lo..=hi).contains(&port),
            _ => false,
        };
        proto_ok && port_ok
    }

    /// Whether a range rather than a single port (single ports are more specific).
    pub fn is_range(&self) -> bool {
        self.port.is_none()
    }
}

#[derive(Deserialize)]
struct PortFile {
    #[serde(default)]
    port: Vec<PortInfo>,
}

fn table() -> &'static [PortInfo] {
    static T: OnceLock<Vec<PortInfo>> = OnceLock::new();
    T.get_or_init(|| {
        toml::from_str::<PortFile>(include_str!("../../knowledge/ports.toml"))
            .map(|f| f.port)
            .unwrap_or_default()
    })
}

/// All records, for tests and listings.
pub fn all() -> &'static [PortInfo] {
    table()
}

/// The records that speak about one port: every single-port record for it, in table order,
/// or else the first range that holds it. Looked up in an index built once, since the rules ask
/// for both ports of every packet.
pub fn records(proto: Proto, port: u16) -> &'static [&'static PortInfo] {
    type Index = (
        std::collections::HashMap<(Proto, u16), Vec<&'static PortInfo>>,
        Vec<&'static PortInfo>,
    );
    static I: OnceLock<Index> = OnceLock::new();
    let (singles, ranges) = I.get_or_init(|| {
        let mut singles: std::collections::HashMap<(Proto, u16), Vec<&PortInfo>> =
            std::collections::HashMap::new();
        let mut ranges = Vec::new();
        for r in table() {
            match r.port {
                Some(p) => {
                    for proto in [Proto::Tcp, Proto::Udp] {
                        if r.matches(proto, p) {
                            singles.entry((proto, p)).or_default().push(r);
                        }
                    }
                }
                None => ranges.push(r),
            }
        }
        (singles, ranges)
    });
    if let Some(v) = singles.get(&(proto, port)) {
        return v;
    }
    match ranges.iter().position(|r| r.matches(proto, port)) {
        Some(i) => ranges.get(i..=i).unwrap_or(&[]),
        None => &[],
    }
}

/// The most specific record for a port: a single-port record beats a range.
pub fn lookup(proto: Proto, port: u16) -> Option<&'static PortInfo> {
    let t = table();
    t.iter()
        .find(|p| !p.is_range() && p.matches(proto, port))
        .or_else(|| {
            // Ranges nest (traceroute's inside the RPC range): the narrowest one says most.
            t.iter()
                .filter(|p| p.is_range() && p.matches(proto, port))
                .min_by_key(|p| p.range.map(|[lo, hi]| hi - lo).unwrap_or(u16::MAX))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_narrowest_range_wins() {
        let p = lookup(Proto::Udp, 33435).expect("traceroute range");
        assert!(
            p.service.to_lowercase().contains("traceroute"),
            "{}",
            p.service
        );
    }

    #[test]
    fn port_table_parses_and_every_record_has_a_source() {
        let f = toml::from_str::<PortFile>(include_str!("../../knowledge/ports.toml"));
        let f = f.expect("ports.toml parses");
        assert!(!f.port.is_empty());
        for p in &f.port {
            assert!(
                p.port.is_some() != p.range.is_some(),
                "{}: port or range",
                p.service
            );
            assert!(
                matches!(p.proto.as_str(), "tcp" | "udp" | "both"),
                "{}",
                p.service
            );
            assert!(!p.refs.is_empty(), "{} has no reference", p.service);
            if let Some(id) = &p.finding {
                assert!(
                    super::super::registry::registry().get(id).is_some(),
                    "{id} not in the registry"
                );
            }
        }
    }
}
