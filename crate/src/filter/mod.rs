//! Wireshark-style display filters: parse an expression once, then test it against each decoded
//! packet (and, when the expression asks, the packet's findings).
//!
//! Owns the filter language and nothing else: it never decodes, never computes findings (the
//! caller passes them in, and [`Filter::uses_findings`] says when that is needed), and never
//! panics or allocates while matching.
//!
//! # The language
//! - Comparisons `==` `!=` `<` `>` `<=` `>=` (or `eq ne lt gt le ge`), `contains`, `&` (some of
//!   the mask's bits set), `field in {80 443 8000..8080}`, and Wireshark 4's `===` (`all_eq`) and
//!   `!==` (`any_ne`). Values: numbers (decimal, `0x` hex), IPv4/IPv6 addresses and networks
//!   (`10.0.0.0/8`), MAC addresses, bytes (`0a:1b:2c`), "quoted text" (bare words also work for
//!   text fields), `1`/`0`/`true`/`false` for flags.
//! - `not`/`!` binds tighter than `and`/`&&`, which binds tighter than `or`/`||`; parentheses group.
//! - A name alone tests presence: `tcp`, `dns`, `tcp.options`. As in Wireshark, a flag field alone
//!   (`tcp.flags.syn`) is present in every TCP packet whatever its value: write `== 1` to test it.
//! - Virtual fields: `ip.addr`, `ipv6.addr`, `eth.addr`, `tcp.port`, `udp.port` match either the
//!   source or the destination; `frame`, `frame.len` (on the wire), `frame.cap_len` (captured).
//! - Findings: `finding`, `finding.id == "tcp.syn_fin"`, `finding.severity >= warning`,
//!   `finding.count > 1`.
//!
//! # Matching several occurrences
//! A field can occur several times in a packet (both addresses behind `ip.addr`, tunnels, the
//! headers quoted inside an ICMP error, which count as in Wireshark). A comparison holds when
//! *any* occurrence satisfies it, with one exception chosen to follow Wireshark 4: `a != b` holds
//! only when the field is present and *every* occurrence differs, so `ip.addr != 10.0.0.1` drops
//! every packet to or from 10.0.0.1 (it is `ip and not ip.addr == 10.0.0.1`). `!==` gives the
//! older "some occurrence differs" meaning.
//!
//! # Not supported
//! Comparing one field with another, slices (`eth.src[0:3]`), regular expressions (`matches`),
//! functions, arithmetic, and Wireshark's octal reading of numbers with a leading zero (here
//! `010` is ten). Each gives a parse error rather than a surprise.

mod eval;
mod lex;
pub mod names;
mod parse;

use crate::decode::Dissection;
use crate::explain::Severity;
use serde::Serialize;
use std::fmt;

pub use names::FieldKind;

/// Why an expression could not be parsed: where (in characters, not bytes) and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilterError {
    /// Index of the first character of the offending text, counted from 0.
    pub at: usize,
    /// How many characters it spans (at least 1).
    pub len: usize,
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.at + 1)
    }
}

impl std::error::Error for FilterError {}

impl FilterError {
    /// The expression on one line and, under it, `^~~~` marking the offending text. Control
    /// characters show as spaces so the marker stays aligned.
    pub fn caret(&self, expr: &str) -> String {
        let line: String = expr
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let n = line.chars().count();
        let at = self.at.min(n);
        let len = self.len.max(1);
        format!("{line}\n{}^{}", " ".repeat(at), "~".repeat(len - 1))
    }
}

/// A parsed filter, ready to test packets with.
#[derive(Debug, Clone)]
pub struct Filter {
    expr: Option<parse::Expr>,
    findings: bool,
}

impl Filter {
    /// Parses an expression. An empty (or all-blank) expression is valid and matches everything.
    pub fn parse(expr: &str) -> Result<Filter, FilterError> {
        let chars: Vec<char> = expr.chars().collect();
        let toks = lex::lex(&chars)?;
        if toks.is_empty() {
            return Ok(Filter {
                expr: None,
                findings: false,
            });
        }
        let mut p = parse::Parser::new(&toks);
        let e = p.parse_all()?;
        Ok(Filter {
            expr: Some(e),
            findings: p.uses_findings,
        })
    }

    /// True for the empty expression, which matches every packet.
    pub fn is_empty(&self) -> bool {
        self.expr.is_none()
    }

    /// True when the expression mentions findings; when false, callers may pass `&[]` and skip
    /// computing them.
    pub fn uses_findings(&self) -> bool {
        self.findings
    }

    /// Whether a packet matches. `findings` are the packet's finding ids with their severities:
    /// its own findings and the cross-packet detections it is evidence for.
    pub fn matches(&self, d: &Dissection, findings: &[(&str, Severity)]) -> bool {
        match &self.expr {
            None => true,
            Some(e) => eval::eval(e, d, findings),
        }
    }
}

#[cfg(test)]
mod tests;
