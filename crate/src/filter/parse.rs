//! Turns tokens into a checked expression tree: names resolved against the decoders' vocabulary,
//! values parsed into the type of the field they are compared with.
//!
//! Owns every parse-time error and its position. It must never accept a name the decoders do not
//! emit, nor a value that cannot match its field, because a filter that silently matches nothing
//! is worse than an error. Recursion is bounded by [`MAX_DEPTH`] so hostile input cannot
//! overflow the stack.

use super::lex::{CmpOp, Span, Tok};
use super::names::{self, FieldKind};
use super::FilterError;
use crate::explain::{registry, Severity};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Deepest nesting of parentheses and `not`s accepted.
pub(super) const MAX_DEPTH: usize = 200;

/// What a name in the filter stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// `frame`: every packet has one.
    Frame,
    /// `frame.len`: length on the wire.
    FrameLen,
    /// `frame.cap_len`: bytes captured.
    FrameCapLen,
    /// A protocol: true when a layer of that name is present (quoted ones included).
    Proto(&'static str),
    /// Real fields; a virtual field (`ip.addr`) lists several.
    Field {
        names: &'static [&'static str],
        kind: FieldKind,
    },
    /// `finding`: the packet has at least one finding.
    Finding,
    FindingId,
    FindingSeverity,
    FindingCount,
}

/// What a target's values are compared as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Field(FieldKind),
    Severity,
    FindingId,
    /// Protocols, `frame`, `finding`: presence only.
    Presence,
}

impl Target {
    fn kind(&self) -> ValueKind {
        match self {
            Target::Frame | Target::Proto(_) | Target::Finding => ValueKind::Presence,
            Target::FrameLen | Target::FrameCapLen | Target::FindingCount => {
                ValueKind::Field(FieldKind::UInt)
            }
            Target::Field { kind, .. } => ValueKind::Field(*kind),
            Target::FindingId => ValueKind::FindingId,
            Target::FindingSeverity => ValueKind::Severity,
        }
    }
}

/// A value from the filter, already in the form of the field it is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lit {
    /// Numbers and flags (a flag is 0 or 1).
    Int(i128),
    /// An inclusive range, only inside `in { }`.
    Range(i128, i128),
    /// An IPv4 address or network, with the network bits already masked.
    V4 {
        addr: u32,
        mask: u32,
    },
    V6 {
        addr: u128,
        mask: u128,
    },
    Mac([u8; 6]),
    Bytes(Vec<u8>),
    Str(String),
    Severity(Severity),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Present(Target),
    Cmp { target: Target, op: CmpOp, lit: Lit },
    In { target: Target, set: Vec<Lit> },
}

pub(super) struct Parser<'a> {
    toks: &'a [(Tok, Span)],
    pos: usize,
    depth: usize,
    pub uses_findings: bool,
}

fn err(span: Span, message: impl Into<String>) -> FilterError {
    FilterError {
        at: span.at,
        len: span.len.max(1),
        message: message.into(),
    }
}

impl<'a> Parser<'a> {
    pub fn new(toks: &'a [(Tok, Span)]) -> Parser<'a> {
        Parser {
            toks,
            pos: 0,
            depth: 0,
            uses_findings: false,
        }
    }

    fn peek(&self) -> Option<&'a (Tok, Span)> {
        self.toks.get(self.pos)
    }

    fn bump(&mut self) -> Option<&'a (Tok, Span)> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// The whole expression; every token must be used.
    pub fn parse_all(&mut self) -> Result<Expr, FilterError> {
        let e = self.or()?;
        match self.peek() {
            None => Ok(e),
            Some((Tok::RParen, s)) => Err(err(*s, "this `)` has no matching `(`")),
            Some((t, s)) => Err(self.unexpected_after_expr(t, *s)),
        }
    }

    fn unexpected_after_expr(&self, t: &Tok, s: Span) -> FilterError {
        match t {
            Tok::Word(w) if known(w) => err(s, format!("missing `and` or `or` before `{w}`")),
            _ => err(
                s,
                format!("expected `and`, `or` or the end, found {}", t.describe()),
            ),
        }
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut terms = vec![self.and()?];
        while let Some((Tok::Or, s)) = self.peek() {
            self.pos += 1;
            terms.push(self.operand(*s, "or", Self::and)?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut terms = vec![self.not()?];
        while let Some((Tok::And, s)) = self.peek() {
            self.pos += 1;
            terms.push(self.operand(*s, "and", Self::not)?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::And(terms)
        })
    }

    /// The right side of `and`/`or`, with an error pointing at the connective when it is missing.
    fn operand(
        &mut self,
        conn: Span,
        word: &str,
        next: fn(&mut Self) -> Result<Expr, FilterError>,
    ) -> Result<Expr, FilterError> {
        match self.peek() {
            None | Some((Tok::RParen, _)) => {
                Err(err(conn, format!("`{word}` needs an expression after it")))
            }
            Some((Tok::And | Tok::Or, s)) => Err(err(
                *s,
                format!("`{word}` is followed by another connective"),
            )),
            _ => next(self),
        }
    }

    fn not(&mut self) -> Result<Expr, FilterError> {
        if let Some((Tok::Not, s)) = self.peek() {
            self.pos += 1;
            self.enter(*s)?;
            let inner = match self.peek() {
                None | Some((Tok::RParen | Tok::And | Tok::Or, _)) => {
                    Err(err(*s, "`not` needs an expression after it"))
                }
                _ => self.not(),
            };
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner?)));
        }
        self.primary()
    }

    fn enter(&mut self, s: Span) -> Result<(), FilterError> {
        if self.depth >= MAX_DEPTH {
            return Err(err(s, format!("nested more than {MAX_DEPTH} levels deep")));
        }
        self.depth += 1;
        Ok(())
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        let Some((tok, span)) = self.bump() else {
            // Only an opening parenthesis leaves the end of input for here; point at the last
            // token, which is that parenthesis.
            let last = self
                .pos
                .checked_sub(1)
                .and_then(|i| self.toks.get(i))
                .map_or(Span { at: 0, len: 1 }, |(_, s)| *s);
            return Err(err(last, "expected an expression after this"));
        };
        let span = *span;
        match tok {
            Tok::LParen => {
                match self.peek() {
                    Some((Tok::RParen, close)) => {
                        return Err(err(span.to(*close), "empty parentheses"))
                    }
                    None => return Err(err(span, "this `(` is never closed")),
                    _ => {}
                }
                self.enter(span)?;
                let inner = self.or();
                self.depth -= 1;
                let inner = inner?;
                match self.bump() {
                    Some((Tok::RParen, _)) => Ok(inner),
                    None => Err(err(span, "this `(` is never closed")),
                    Some((t, s)) => Err(match t {
                        Tok::Word(w) if known(w) => {
                            err(*s, format!("missing `and` or `or` before `{w}`"))
                        }
                        _ => err(
                            *s,
                            format!("expected `)`, `and` or `or`, found {}", t.describe()),
                        ),
                    }),
                }
            }
            Tok::Word(w) => self.name(w, span),
            Tok::RParen => Err(err(span, "this `)` has no matching `(`")),
            Tok::Str(_) => Err(err(
                span,
                "a value needs a field before it, as in `dns.qry.name == \"example.com\"`",
            )),
            Tok::Cmp(op) => Err(err(
                span,
                format!("`{}` needs a field name before it", op.text()),
            )),
            Tok::And | Tok::Or => Err(err(
                span,
                format!("expected an expression before {}", tok.describe()),
            )),
            other => Err(err(
                span,
                format!(
                    "expected a field or protocol name, found {}",
                    other.describe()
                ),
            )),
        }
    }

    /// A name, alone (presence) or followed by an operator and a value.
    fn name(&mut self, w: &str, span: Span) -> Result<Expr, FilterError> {
        let target = resolve(w, span)?;
        if matches!(
            target,
            Target::Finding | Target::FindingId | Target::FindingSeverity | Target::FindingCount
        ) {
            self.uses_findings = true;
        }
        match self.peek() {
            Some((Tok::Cmp(op), op_span)) => {
                self.pos += 1;
                let (op, op_span) = (*op, *op_span);
                check_op(&target, w, span, op, op_span)?;
                let (vtok, vspan) = match self.bump() {
                    Some((t @ (Tok::Word(_) | Tok::Str(_)), s)) => (t, *s),
                    _ => {
                        return Err(err(
                            op_span,
                            format!("missing value after `{}`", op.text()),
                        ))
                    }
                };
                let lit = literal(&target, w, vtok, vspan, op)?;
                Ok(Expr::Cmp { target, op, lit })
            }
            Some((Tok::In, in_span)) => {
                self.pos += 1;
                let in_span = *in_span;
                if target.kind() == ValueKind::Presence {
                    return Err(no_value(&target, w, span));
                }
                let set = self.set(&target, w, in_span)?;
                Ok(Expr::In { target, set })
            }
            Some((Tok::Word(next), s)) if next.eq_ignore_ascii_case("matches") => Err(err(
                *s,
                "regular expressions (`matches`) are not supported: use `contains`",
            )),
            Some((Tok::Word(next), s)) if !known(next) => Err(err(
                *s,
                format!(
                    "unknown operator `{next}` after `{w}`: use ==, !=, <, >, <=, >=, contains or in"
                ),
            )),
            Some((Tok::Str(_), s)) => Err(err(
                *s,
                format!("missing operator between `{w}` and this text; did you mean `==`?"),
            )),
            _ => Ok(Expr::Present(target)),
        }
    }

    /// `{ v1 v2, lo..hi }` after `in`.
    fn set(&mut self, target: &Target, w: &str, in_span: Span) -> Result<Vec<Lit>, FilterError> {
        let open = match self.bump() {
            Some((Tok::LBrace, s)) => *s,
            _ => {
                return Err(err(
                    in_span,
                    "`in` needs a set of values in braces, as in `tcp.port in {80 443}`",
                ))
            }
        };
        let mut set = Vec::new();
        loop {
            match self.bump() {
                Some((Tok::RBrace, close)) => {
                    if set.is_empty() {
                        return Err(err(open.to(*close), "the set is empty"));
                    }
                    return Ok(set);
                }
                Some((Tok::Comma, _)) => {}
                Some((t @ (Tok::Word(_) | Tok::Str(_)), s)) => {
                    set.push(set_member(target, w, t, *s)?);
                }
                Some((t, s)) => {
                    return Err(err(
                        *s,
                        format!(
                            "expected a value or `}}` in the set, found {}",
                            t.describe()
                        ),
                    ))
                }
                None => return Err(err(open, "this `{` is never closed")),
            }
        }
    }
}

/// True when `w` names something a filter can test, so a word there is a name, not a value.
fn known(w: &str) -> bool {
    resolve(w, Span { at: 0, len: 1 }).is_ok()
}

/// Names that are not fields or layers of their own.
const SPECIAL: [&str; 8] = [
    "frame",
    "frame.len",
    "frame.cap_len",
    "finding",
    "finding.id",
    "finding.severity",
    "finding.count",
    // Not a layer here (its only field sits in the IPv6 layer), but a protocol to Wireshark.
    "esp",
];

/// Names accepted for Wireshark's sake that map onto a different layer name here.
const PROTO_ALIASES: [(&str, &str); 1] = [("pppoe", "pppoes")];

fn resolve(w: &str, span: Span) -> Result<Target, FilterError> {
    let t = match w {
        "frame" => Target::Frame,
        "frame.len" => Target::FrameLen,
        "frame.cap_len" => Target::FrameCapLen,
        "finding" => Target::Finding,
        "finding.id" => Target::FindingId,
        "finding.severity" => Target::FindingSeverity,
        "finding.count" => Target::FindingCount,
        "esp" => Target::Field {
            names: &["esp.spi"],
            kind: FieldKind::None,
        },
        _ => {
            if let Some((_, kind, names)) = names::VIRTUAL.iter().find(|(n, _, _)| *n == w) {
                Target::Field { names, kind: *kind }
            } else if let Some(p) = names::PROTOCOLS.iter().find(|p| **p == w) {
                Target::Proto(p)
            } else if let Some((_, to)) = PROTO_ALIASES.iter().find(|(a, _)| *a == w) {
                Target::Proto(to)
            } else if let Ok(i) = names::FIELDS.binary_search_by(|(n, _)| (*n).cmp(w)) {
                match names::FIELDS.get(i) {
                    Some(entry) => Target::Field {
                        names: std::slice::from_ref(&entry.0),
                        kind: entry.1,
                    },
                    None => return Err(unknown_name(w, span)),
                }
            } else {
                return Err(unknown_name(w, span));
            }
        }
    };
    Ok(t)
}

fn unknown_name(w: &str, span: Span) -> FilterError {
    let first = w.chars().next().unwrap_or('x');
    if first.is_ascii_digit() || first == ':' || first == '-' {
        return err(
            span,
            format!(
                "expected a field or protocol name, found the value `{w}`: each value needs its \
                 field, as in `ip.addr == A or ip.addr == B`, or use a set, `ip.addr in {{A, B}}`"
            ),
        );
    }
    let candidates = names::FIELDS
        .iter()
        .map(|(n, _)| *n)
        .chain(names::PROTOCOLS.iter().copied())
        .chain(names::VIRTUAL.iter().map(|(n, _, _)| *n))
        .chain(SPECIAL.iter().copied())
        .chain(PROTO_ALIASES.iter().map(|(a, _)| *a));
    let mut message = format!("no field called `{w}`");
    let habit = HABITS
        .iter()
        .find(|(typed, _)| typed.eq_ignore_ascii_case(w))
        .map(|(_, meant)| *meant);
    if let Some(s) = habit.or_else(|| suggest(w, candidates)) {
        message.push_str(&format!("; did you mean `{s}`?"));
    }
    err(span, message)
}

/// Names people bring from tcpdump's flag names or plain English, with Wireshark's name for
/// the same thing; edit distance alone would point `tcp.flags.rst` at `tcp.flags.res`.
const HABITS: &[(&str, &str)] = &[
    ("tcp.flags.rst", "tcp.flags.reset"),
    ("tcp.flags.psh", "tcp.flags.push"),
    ("tcp.rst", "tcp.flags.reset"),
    ("tcp.psh", "tcp.flags.push"),
    ("ip.source", "ip.src"),
    ("ip.destination", "ip.dst"),
    ("tcp.src", "tcp.srcport"),
    ("tcp.dst", "tcp.dstport"),
    ("udp.src", "udp.srcport"),
    ("udp.dst", "udp.dstport"),
];

/// The likeliest intended name: a near miss by edit distance (`tcp.flagz`), or a name typed
/// without its middle part (`tcp.syn` for `tcp.flags.syn`), preferring the first unless the second
/// exists and the near miss is more than one edit away.
fn suggest<'c, I>(w: &str, candidates: I) -> Option<&'c str>
where
    I: Iterator<Item = &'c str> + Clone,
{
    let lower = w.to_ascii_lowercase();
    let limit = (w.chars().count() / 3).clamp(1, 3);
    let mut near: Option<(usize, &str)> = None;
    for c in candidates.clone() {
        let d = if c == lower {
            0
        } else {
            edit_distance(&lower, c)
        };
        if d <= limit && near.is_none_or(|(bd, _)| d < bd) {
            near = Some((d, c));
        }
    }
    let mut shortened: Option<(usize, &str)> = None;
    if let (Some((first, _)), Some((_, last))) = (lower.split_once('.'), lower.rsplit_once('.')) {
        for c in candidates {
            let same_ends = c.split_once('.').is_some_and(|(f, _)| f == first)
                && c.rsplit_once('.').is_some_and(|(_, l)| l == last);
            if same_ends && c != lower {
                let d = edit_distance(&lower, c);
                if shortened.is_none_or(|(bd, _)| d < bd) {
                    shortened = Some((d, c));
                }
            }
        }
    }
    match (near, shortened) {
        (Some((d, c)), _) if d <= 1 => Some(c),
        (_, Some((_, c))) => Some(c),
        (n, None) => n.map(|(_, c)| c),
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(c0) = cur.get_mut(0) {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(b.len()).copied().unwrap_or(0)
}

fn no_value(target: &Target, w: &str, span: Span) -> FilterError {
    let message = match target {
        Target::Proto(_) => format!(
            "`{w}` is a protocol: test its presence by writing `{w}` alone, or compare one of its fields"
        ),
        Target::Frame => {
            "`frame` is the whole packet: compare `frame.len` or `frame.cap_len` instead".into()
        }
        Target::Finding => {
            "`finding` alone tests whether a packet has findings: compare `finding.id`, `finding.severity` or `finding.count`".into()
        }
        _ => format!("`{w}` has no value of its own: test its presence by writing `{w}` alone"),
    };
    err(span, message)
}

/// Rejects operators that cannot apply to a target, before its value is read.
fn check_op(
    target: &Target,
    w: &str,
    span: Span,
    op: CmpOp,
    op_span: Span,
) -> Result<(), FilterError> {
    let kind = target.kind();
    let bad = |what: &str| {
        err(
            op_span,
            format!("`{}` cannot be used on `{w}`: {what}", op.text()),
        )
    };
    match kind {
        ValueKind::Presence | ValueKind::Field(FieldKind::None) => Err(no_value(target, w, span)),
        ValueKind::Field(FieldKind::Str | FieldKind::Bytes) | ValueKind::FindingId => {
            if op == CmpOp::BitAnd {
                Err(bad("it is not a number"))
            } else {
                Ok(())
            }
        }
        ValueKind::Field(FieldKind::UInt | FieldKind::Int | FieldKind::Bool) => {
            if op == CmpOp::Contains {
                Err(bad("it is a number; `contains` works on text and bytes"))
            } else {
                Ok(())
            }
        }
        ValueKind::Field(FieldKind::Mac | FieldKind::Ipv4 | FieldKind::Ipv6)
        | ValueKind::Severity => match op {
            CmpOp::Contains => Err(bad("`contains` works on text and bytes")),
            CmpOp::BitAnd => Err(bad("it is not a number")),
            _ => Ok(()),
        },
    }
}

/// A rough description of an unquoted value, for "X is not one" messages.
fn looks_like(v: &str) -> &'static str {
    if v.contains('/') {
        "a network"
    } else if v.parse::<Ipv4Addr>().is_ok() {
        "an IPv4 address"
    } else if v.parse::<Ipv6Addr>().is_ok() {
        "an IPv6 address"
    } else if mac(v).is_some() {
        "a MAC address"
    } else if int(v).is_some() {
        "a number"
    } else {
        "a word"
    }
}

fn what_field_holds(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Bool => "a flag (1, 0, true or false)",
        FieldKind::UInt => "a number",
        FieldKind::Int => "a number",
        FieldKind::Str => "text",
        FieldKind::Bytes => "bytes (like `0a:1b:2c` or \"text\")",
        FieldKind::Mac => "a MAC address (like `00:11:22:33:44:55`)",
        FieldKind::Ipv4 => "an IPv4 address or network (like `10.0.0.0/8`)",
        FieldKind::Ipv6 => "an IPv6 address or network (like `2001:db8::/32`)",
        FieldKind::None => "no value",
    }
}

/// The value after an operator, parsed for its target.
fn literal(target: &Target, w: &str, tok: &Tok, span: Span, op: CmpOp) -> Result<Lit, FilterError> {
    let lit = value(target, w, tok, span)?;
    let ordered = matches!(op, CmpOp::Lt | CmpOp::Gt | CmpOp::Le | CmpOp::Ge);
    match &lit {
        Lit::V4 { mask, .. } if ordered && *mask != u32::MAX => Err(network_order(span)),
        Lit::V6 { mask, .. } if ordered && *mask != u128::MAX => Err(network_order(span)),
        Lit::Str(id)
            if target.kind() == ValueKind::FindingId
                && !matches!(op, CmpOp::Contains)
                && !ordered =>
        {
            check_finding_id(id, span)?;
            Ok(lit)
        }
        _ => Ok(lit),
    }
}

fn network_order(span: Span) -> FilterError {
    err(
        span,
        "a network can only be tested with ==, !=, or in; to compare an address, leave out the prefix",
    )
}

fn check_finding_id(id: &str, span: Span) -> Result<(), FilterError> {
    let r = registry();
    if r.get(id).is_some() {
        return Ok(());
    }
    let mut message = format!("no finding called `{id}`");
    if let Some(s) = suggest(id, r.entries().iter().map(|e| e.id.as_str())) {
        message.push_str(&format!("; did you mean `{s}`?"));
    }
    Err(err(span, message))
}

/// One member of an `in` set: a value, or a range `lo..hi` of numbers.
fn set_member(target: &Target, w: &str, tok: &Tok, span: Span) -> Result<Lit, FilterError> {
    if let Tok::Word(v) = tok {
        if let Some((lo, hi)) = v.split_once("..") {
            if !matches!(
                target.kind(),
                ValueKind::Field(FieldKind::UInt | FieldKind::Int)
            ) {
                return Err(err(
                    span,
                    format!("a range needs a number field; `{w}` is not one"),
                ));
            }
            let lo_n = int(lo).ok_or_else(|| err(span, format!("`{lo}` is not a number")))?;
            let hi_n = int(hi).ok_or_else(|| err(span, format!("`{hi}` is not a number")))?;
            if lo_n > hi_n {
                return Err(err(
                    span,
                    "a range goes from the smaller number to the larger",
                ));
            }
            return Ok(Lit::Range(lo_n, hi_n));
        }
    }
    let lit = value(target, w, tok, span)?;
    if let Lit::Str(id) = &lit {
        if target.kind() == ValueKind::FindingId {
            check_finding_id(id, span)?;
        }
    }
    Ok(lit)
}

fn value(target: &Target, w: &str, tok: &Tok, span: Span) -> Result<Lit, FilterError> {
    let (text, quoted) = match tok {
        Tok::Word(v) => (v.as_str(), false),
        Tok::Str(s) => (s.as_str(), true),
        _ => return Err(err(span, "expected a value")),
    };
    match target.kind() {
        ValueKind::Presence | ValueKind::Field(FieldKind::None) => Err(no_value(target, w, span)),
        ValueKind::Severity => severity(text).map(Lit::Severity).ok_or_else(|| {
            err(
                span,
                format!("`{text}` is not a severity: use info, notice, warning or alert"),
            )
        }),
        ValueKind::FindingId => Ok(Lit::Str(text.to_string())),
        ValueKind::Field(kind) => field_value(kind, w, text, quoted, span),
    }
}

fn field_value(
    kind: FieldKind,
    w: &str,
    text: &str,
    quoted: bool,
    span: Span,
) -> Result<Lit, FilterError> {
    let mismatch = || {
        let what = if quoted {
            "a quoted text"
        } else {
            looks_like(text)
        };
        let note = match kind {
            FieldKind::Ipv4 | FieldKind::Ipv6 if what == "a word" => {
                " (host names are not looked up)"
            }
            _ => "",
        };
        err(
            span,
            format!(
                "`{w}` holds {}, but `{text}` is {what}{note}",
                what_field_holds(kind)
            ),
        )
    };
    match kind {
        FieldKind::Str => {
            if quoted {
                Ok(Lit::Str(text.to_string()))
            } else if known(text) {
                Err(err(
                    span,
                    format!(
                        "comparing two fields is not supported; to mean the text, write \"{text}\""
                    ),
                ))
            } else {
                Ok(Lit::Str(text.to_string()))
            }
        }
        FieldKind::Bytes => {
            if quoted {
                Ok(Lit::Bytes(text.as_bytes().to_vec()))
            } else {
                bytes(text).map(Lit::Bytes).ok_or_else(mismatch)
            }
        }
        _ if quoted => Err(mismatch()),
        FieldKind::Bool => match text.to_ascii_lowercase().as_str() {
            "true" => Ok(Lit::Int(1)),
            "false" => Ok(Lit::Int(0)),
            _ => match int(text) {
                Some(n @ (0 | 1)) => Ok(Lit::Int(n)),
                Some(_) => Err(err(
                    span,
                    format!("`{w}` is a flag: compare it with 1 or 0"),
                )),
                None => Err(mismatch()),
            },
        },
        FieldKind::UInt | FieldKind::Int => match int(text) {
            Some(n) => Ok(Lit::Int(n)),
            None if text
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == 'x' || c == '-')
                && text.starts_with(|c: char| c.is_ascii_digit() || c == '-') =>
            {
                Err(err(span, format!("`{text}` is not a valid number")))
            }
            None => Err(mismatch()),
        },
        FieldKind::Mac => mac(text).map(Lit::Mac).ok_or_else(mismatch),
        FieldKind::Ipv4 => {
            let (addr, prefix) = split_prefix(text, span, 32)?;
            let a: Ipv4Addr = addr.parse().map_err(|_| mismatch())?;
            let mask = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - prefix)
            };
            Ok(Lit::V4 {
                addr: u32::from(a) & mask,
                mask,
            })
        }
        FieldKind::Ipv6 => {
            let (addr, prefix) = split_prefix(text, span, 128)?;
            let a: Ipv6Addr = addr.parse().map_err(|_| mismatch())?;
            let mask = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - prefix)
            };
            Ok(Lit::V6 {
                addr: u128::from(a) & mask,
                mask,
            })
        }
        FieldKind::None => Err(err(span, format!("`{w}` has no value"))),
    }
}

/// Splits `addr/prefix`; a missing prefix means the whole address. The error for a bad prefix
/// points at the `/` and what follows it.
fn split_prefix(text: &str, span: Span, max: u32) -> Result<(&str, u32), FilterError> {
    let Some((addr, p)) = text.split_once('/') else {
        return Ok((text, max));
    };
    let slash = text.len() - p.len() - 1;
    let at = Span {
        at: span.at + slash,
        len: p.len() + 1,
    };
    match p.parse::<u32>() {
        Ok(n) if n <= max && !p.starts_with('+') => Ok((addr, n)),
        _ => Err(err(
            at,
            format!("bad network prefix `/{p}`: it must be a number from 0 to {max}"),
        )),
    }
}

fn severity(text: &str) -> Option<Severity> {
    Some(match text.to_ascii_lowercase().as_str() {
        "info" => Severity::Info,
        "notice" => Severity::Notice,
        "warning" => Severity::Warning,
        "alert" => Severity::Alert,
        _ => return None,
    })
}

/// Decimal (optionally negative) or `0x` hex.
pub(super) fn int(text: &str) -> Option<i128> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    let n = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit()) || h.len() > 30 {
            return None;
        }
        i128::from_str_radix(h, 16).ok()?
    } else {
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 30 {
            return None;
        }
        digits.parse::<i128>().ok()?
    };
    Some(if neg { -n } else { n })
}

/// `00:11:22:33:44:55`, `00-11-22-33-44-55` or `0011.2233.4455`.
fn mac(text: &str) -> Option<[u8; 6]> {
    let b = if text.contains('.') && !text.contains(':') && !text.contains('-') {
        let groups: Vec<&str> = text.split('.').collect();
        if groups.len() != 3 || groups.iter().any(|g| g.len() != 4) {
            return None;
        }
        hex_bytes(&groups.concat())?
    } else {
        let parts: Vec<&str> = text.split([':', '-']).collect();
        if parts.len() != 6 || parts.iter().any(|p| p.len() != 2) {
            return None;
        }
        hex_bytes(&parts.concat())?
    };
    b.try_into().ok()
}

/// Bytes as hex pairs, separated by `:`, `-` or `.` or not at all (`0a:1b`, `0a1b`).
fn bytes(text: &str) -> Option<Vec<u8>> {
    let parts: Vec<&str> = text.split([':', '-', '.']).collect();
    if parts.len() > 1 {
        if parts.iter().any(|p| p.len() != 2) {
            return None;
        }
        return hex_bytes(&parts.concat());
    }
    hex_bytes(text)
}

fn hex_bytes(h: &str) -> Option<Vec<u8>> {
    if h.is_empty() || h.len() % 2 != 0 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    (0..h.len())
        .step_by(2)
        .map(|i| h.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_in_decimal_and_hex_only() {
        assert_eq!(int("80"), Some(80));
        assert_eq!(int("0x1F"), Some(31));
        assert_eq!(int("-3"), Some(-3));
        assert_eq!(int("0x"), None);
        assert_eq!(int("1e3"), None);
        assert_eq!(int("9".repeat(40).as_str()), None);
    }

    #[test]
    fn mac_and_bytes_accept_wireshark_spellings() {
        let m = [0, 0x11, 0x22, 0x33, 0x44, 0x55];
        assert_eq!(mac("00:11:22:33:44:55"), Some(m));
        assert_eq!(mac("00-11-22-33-44-55"), Some(m));
        assert_eq!(mac("0011.2233.4455"), Some(m));
        assert_eq!(mac("00:11:22:33:44"), None);
        assert_eq!(mac("0:11:22:33:44:55"), None);
        assert_eq!(bytes("0a:1b"), Some(vec![0x0a, 0x1b]));
        assert_eq!(bytes("0a1b"), Some(vec![0x0a, 0x1b]));
        assert_eq!(bytes("0a1"), None);
        assert_eq!(bytes("0a::1b"), None);
    }

    #[test]
    fn suggestions_find_near_names_only() {
        let names = ["tcp.flags", "tcp.flags.syn", "udp"];
        assert_eq!(
            suggest("tcp.flagz", names.iter().copied()),
            Some("tcp.flags")
        );
        assert_eq!(suggest("UDP", names.iter().copied()), Some("udp"));
        assert_eq!(suggest("quic", names.iter().copied()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
