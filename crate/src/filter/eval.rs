//! Evaluates a parsed filter against one decoded packet and its findings.
//!
//! Owns the matching rules: a comparison holds when any occurrence of the field satisfies it,
//! except `!=` and `===`, which need the field present and every occurrence to agree. It must
//! never allocate or panic: it runs once per packet over captures of millions of packets.

use super::lex::CmpOp;
use super::parse::{Expr, Lit, Target};
use crate::decode::Dissection;
use crate::explain::Severity;
use crate::field::Value;
use std::cmp::Ordering;

/// One value of a target in one packet.
#[derive(Clone, Copy)]
enum Occ<'a> {
    V(&'a Value),
    Num(i128),
    Text(&'a str),
    Sev(Severity),
}

pub(super) fn eval(e: &Expr, d: &Dissection, findings: &[(&str, Severity)]) -> bool {
    match e {
        Expr::And(terms) => terms.iter().all(|t| eval(t, d, findings)),
        Expr::Or(terms) => terms.iter().any(|t| eval(t, d, findings)),
        Expr::Not(inner) => !eval(inner, d, findings),
        Expr::Present(t) => present(t, d, findings),
        Expr::Cmp { target, op, lit } => compare(target, *op, lit, d, findings),
        Expr::In { target, set } => any(target, d, findings, |o| {
            set.iter().any(|lit| match lit {
                Lit::Range(lo, hi) => num(o).is_some_and(|n| *lo <= n && n <= *hi),
                _ => equal(lit, o),
            })
        }),
    }
}

fn present(t: &Target, d: &Dissection, findings: &[(&str, Severity)]) -> bool {
    match t {
        Target::Frame | Target::FrameLen | Target::FrameCapLen | Target::FindingCount => true,
        Target::Proto(p) => d.layers.iter().any(|l| l.proto == *p),
        Target::Field { names, .. } => d
            .layers
            .iter()
            .any(|l| l.fields.iter().any(|f| names.contains(&f.name))),
        Target::Finding | Target::FindingId | Target::FindingSeverity => !findings.is_empty(),
    }
}

fn compare(
    t: &Target,
    op: CmpOp,
    lit: &Lit,
    d: &Dissection,
    findings: &[(&str, Severity)],
) -> bool {
    match op {
        // Wireshark 4: `a != b` means "not a == b", but only where the field exists at all.
        CmpOp::Ne => present(t, d, findings) && !any(t, d, findings, |o| equal(lit, o)),
        CmpOp::AllEq => present(t, d, findings) && !any(t, d, findings, |o| !equal(lit, o)),
        CmpOp::AnyNe => any(t, d, findings, |o| !equal(lit, o)),
        CmpOp::Eq => any(t, d, findings, |o| equal(lit, o)),
        CmpOp::Lt => any(t, d, findings, |o| order(lit, o) == Some(Ordering::Less)),
        CmpOp::Gt => any(t, d, findings, |o| order(lit, o) == Some(Ordering::Greater)),
        CmpOp::Le => any(t, d, findings, |o| {
            matches!(order(lit, o), Some(Ordering::Less | Ordering::Equal))
        }),
        CmpOp::Ge => any(t, d, findings, |o| {
            matches!(order(lit, o), Some(Ordering::Greater | Ordering::Equal))
        }),
        CmpOp::Contains => any(t, d, findings, |o| contains(lit, o)),
        CmpOp::BitAnd => any(t, d, findings, |o| match (lit, num(o)) {
            (Lit::Int(mask), Some(v)) => v & mask != 0,
            _ => false,
        }),
    }
}

/// True when some occurrence of the target satisfies `pred`; stops at the first.
fn any(
    t: &Target,
    d: &Dissection,
    findings: &[(&str, Severity)],
    mut pred: impl FnMut(Occ<'_>) -> bool,
) -> bool {
    match t {
        Target::Frame | Target::Proto(_) | Target::Finding => false,
        Target::FrameLen => pred(Occ::Num(d.orig_len.unwrap_or(d.len) as i128)),
        Target::FrameCapLen => pred(Occ::Num(d.len as i128)),
        Target::FindingCount => pred(Occ::Num(findings.len() as i128)),
        Target::FindingId => findings.iter().any(|(id, _)| pred(Occ::Text(id))),
        Target::FindingSeverity => findings.iter().any(|(_, s)| pred(Occ::Sev(*s))),
        Target::Field { names, .. } => d.layers.iter().any(|l| {
            l.fields
                .iter()
                .any(|f| names.contains(&f.name) && pred(Occ::V(&f.value)))
        }),
    }
}

fn num(o: Occ<'_>) -> Option<i128> {
    match o {
        Occ::Num(n) => Some(n),
        Occ::V(Value::UInt(v)) => Some(i128::from(*v)),
        Occ::V(Value::Int(v)) => Some(i128::from(*v)),
        Occ::V(Value::Bool(b)) => Some(i128::from(*b)),
        _ => None,
    }
}

fn text(o: Occ<'_>) -> Option<&str> {
    match o {
        Occ::Text(s) => Some(s),
        Occ::V(Value::Str(s)) => Some(s),
        _ => None,
    }
}

fn equal(lit: &Lit, o: Occ<'_>) -> bool {
    match (lit, o) {
        (Lit::V4 { addr, mask }, Occ::V(Value::Ipv4(a))) => u32::from(*a) & mask == *addr,
        (Lit::V6 { addr, mask }, Occ::V(Value::Ipv6(a))) => u128::from(*a) & mask == *addr,
        (Lit::Range(lo, hi), o) => num(o).is_some_and(|n| *lo <= n && n <= *hi),
        _ => order(lit, o) == Some(Ordering::Equal),
    }
}

/// How the occurrence compares with the literal (`occurrence.cmp(literal)`), when they are of
/// comparable kinds. Networks compare as their base address; the parser only lets full
/// addresses reach an ordering operator.
fn order(lit: &Lit, o: Occ<'_>) -> Option<Ordering> {
    match (lit, o) {
        (Lit::Int(n), o) => num(o).map(|v| v.cmp(n)),
        (Lit::V4 { addr, .. }, Occ::V(Value::Ipv4(a))) => Some(u32::from(*a).cmp(addr)),
        (Lit::V6 { addr, .. }, Occ::V(Value::Ipv6(a))) => Some(u128::from(*a).cmp(addr)),
        (Lit::Mac(m), Occ::V(Value::Mac(v))) => Some(v.cmp(m)),
        (Lit::Bytes(b), Occ::V(Value::Bytes(v))) => Some(v.as_slice().cmp(b.as_slice())),
        (Lit::Str(s), o) => text(o).map(|t| t.cmp(s.as_str())),
        (Lit::Severity(s), Occ::Sev(v)) => Some(v.cmp(s)),
        _ => None,
    }
}

fn contains(lit: &Lit, o: Occ<'_>) -> bool {
    match (lit, o) {
        (Lit::Str(s), o) => text(o).is_some_and(|t| t.contains(s.as_str())),
        (Lit::Bytes(b), Occ::V(Value::Bytes(v))) => {
            b.is_empty() || v.windows(b.len()).any(|w| w == b.as_slice())
        }
        _ => false,
    }
}
