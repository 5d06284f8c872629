//! The explanation registry: what each finding means, kept as data (`crate/knowledge/*.toml`)
//! apart from the rules that detect it, in the spirit of Zeek's `weird` tables and Suricata's
//! documented event ids. Rules point into it by id; texts carry `{name}` parameters that the
//! finding fills in.
//!
//! The TOML is compiled into the binary. A test asserts that it parses and that every entry has a
//! reference, so a broken file never reaches a user; should it happen anyway, the registry is
//! empty and findings still show their id, rather than the program stopping.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// How much a finding should worry the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Normal traffic, explained.
    Info,
    /// Worth knowing: legitimate but noteworthy, or a common source of confusion.
    Notice,
    /// Unusual and possibly hostile; look closer.
    Warning,
    /// Almost certainly hostile, or a broken stack putting impossible packets on the wire.
    Alert,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Alert => "alert",
        }
    }

    /// What the level means, for legends and `--help`.
    pub fn meaning(self) -> &'static str {
        match self {
            Severity::Info => "normal traffic, explained",
            Severity::Notice => "worth knowing",
            Severity::Warning => "unusual, possibly hostile",
            Severity::Alert => "almost certainly hostile or broken",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One registry entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable snake_case id with dotted area prefix, e.g. `addr.loopback_source`.
    pub id: String,
    pub severity: Severity,
    pub title: String,
    /// What the packet shows and what it most likely means; may use `{param}`.
    pub text: String,
    /// Why it matters and what to check next.
    pub next: String,
    /// Harmless explanations, when there are any.
    #[serde(default)]
    pub benign: Option<String>,
    /// Where the knowledge comes from: seed document and section, RFC, advisory.
    pub refs: Vec<String>,
}

#[derive(Deserialize)]
struct EntryFile {
    #[serde(default)]
    entry: Vec<Entry>,
}

/// The knowledge files compiled in, by name (the name is reported when one fails to parse).
pub const FILES: &[(&str, &str)] = &[
    (
        "addresses.toml",
        include_str!("../../knowledge/addresses.toml"),
    ),
    ("tcp.toml", include_str!("../../knowledge/tcp.toml")),
    ("icmp.toml", include_str!("../../knowledge/icmp.toml")),
    (
        "anomalies.toml",
        include_str!("../../knowledge/anomalies.toml"),
    ),
    ("ports.toml", include_str!("../../knowledge/ports.toml")),
    ("cases.toml", include_str!("../../knowledge/cases.toml")),
    ("flows.toml", include_str!("../../knowledge/flows.toml")),
    ("scans.toml", include_str!("../../knowledge/scans.toml")),
    ("floods.toml", include_str!("../../knowledge/floods.toml")),
    (
        "traceroute.toml",
        include_str!("../../knowledge/traceroute.toml"),
    ),
    ("lan.toml", include_str!("../../knowledge/lan.toml")),
];

#[derive(Debug, Default)]
pub struct Registry {
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    /// Problems met while loading (a file that did not parse, a duplicated id).
    pub problems: Vec<String>,
}

impl Registry {
    fn load() -> Registry {
        let mut r = Registry::default();
        for (name, text) in FILES {
            match toml::from_str::<EntryFile>(text) {
                Ok(f) => {
                    for e in f.entry {
                        if r.by_id.contains_key(&e.id) {
                            r.problems
                                .push(format!("{name}: id {} is defined twice", e.id));
                            continue;
                        }
                        r.by_id.insert(e.id.clone(), r.entries.len());
                        r.entries.push(e);
                    }
                }
                Err(e) => r.problems.push(format!("{name}: {e}")),
            }
        }
        r
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).and_then(|&i| self.entries.get(i))
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

/// The registry, parsed once.
pub fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::load)
}

/// Replaces each `{name}` in `template` with its parameter; unknown names stay as they are.
pub fn fill(template: &str, params: &[(&'static str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 1..).unwrap_or("");
        match after.find('}') {
            Some(end) => {
                let name = after.get(..end).unwrap_or("");
                match params.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = after.get(end + 1..).unwrap_or("");
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knowledge_files_parse_and_every_entry_has_a_source() {
        let r = registry();
        assert!(r.problems.is_empty(), "{:#?}", r.problems);
        assert!(!r.entries().is_empty());
        for e in r.entries() {
            assert!(!e.refs.is_empty(), "{} has no reference", e.id);
            assert!(
                !e.text.trim().is_empty() && !e.next.trim().is_empty(),
                "{} is missing text",
                e.id
            );
            let ok_id = e.id.split('.').all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            });
            assert!(ok_id, "{} is not a dotted snake_case id", e.id);
        }
    }

    #[test]
    fn fill_replaces_known_params_only() {
        let p = [("port", "31337".to_string())];
        assert_eq!(fill("to {port} from {src}", &p), "to 31337 from {src}");
        assert_eq!(fill("odd { brace", &p), "odd { brace");
    }
}
