//! Explanations: for every packet, a plain-language narrative of what it is doing and the
//! findings that apply, each pointing at the bytes that prove it and naming its sources.
//!
//! The meaning of findings lives in the registry (`knowledge/*.toml`); this module and its rules
//! only decide which findings apply and with which parameters. Nothing here reads raw bytes: the
//! rules look at decoded fields, whose byte ranges become the evidence.

pub mod fields;
pub mod finding;
pub mod narrative;
pub mod ports;
pub mod registry;
pub mod rules;

pub use finding::{Evidence, Finding, RenderedFinding};
pub use registry::{registry, Severity};

use crate::decode::Dissection;
use serde::Serialize;

/// A packet as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct PacketView<'a> {
    pub number: u64,
    pub d: &'a Dissection,
    /// Whether the rules fill in parameters and evidence, or only name the findings' ids.
    pub texts: bool,
}

impl PacketView<'_> {
    /// A finding of this packet, with or without its texts as the view asks.
    pub fn finding(&self, id: &'static str) -> Finding {
        if self.texts {
            Finding::new(id)
        } else {
            Finding::id_only(id)
        }
    }
}

/// What `explain` says about one packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub packet: u64,
    pub narrative: String,
    pub findings: Vec<RenderedFinding>,
}

/// Explains one decoded packet on its own (no conversation context yet).
pub fn explain_packet(number: u64, d: &Dissection) -> Explanation {
    let view = PacketView {
        number,
        d,
        texts: true,
    };
    let found = packet_findings(number, d);
    let mut findings: Vec<RenderedFinding> = found.iter().map(Finding::render).collect();
    // Worst first, then in the order the rules found them.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Explanation {
        packet: number,
        narrative: narrative::narrate(&view),
        findings,
    }
}

/// The findings of one packet as the rules produce them: ids, parameters and evidence, with no
/// text rendered yet. Cheaper than [`explain_packet`] when only ids or severities are needed,
/// as when indexing every packet of a large capture.
pub fn packet_findings(number: u64, d: &Dissection) -> Vec<Finding> {
    let mut found = Vec::new();
    let texts = true;
    rules::run(&PacketView { number, d, texts }, &mut found);
    found
}

/// The ids of one packet's findings, in the order the rules raise them (an id may repeat): the
/// rules skip formatting parameters and collecting evidence, so this is the cheap question to
/// ask of every packet of a large capture.
pub fn packet_finding_ids(number: u64, d: &Dissection) -> Vec<&'static str> {
    let mut found = Vec::new();
    let texts = false;
    rules::run(&PacketView { number, d, texts }, &mut found);
    found.into_iter().map(|f| f.id).collect()
}

/// The worst severity of a packet's findings, without rendering any text.
pub fn worst_severity(number: u64, d: &Dissection) -> Option<Severity> {
    packet_finding_ids(number, d)
        .into_iter()
        .filter_map(|id| registry().get(id).map(|e| e.severity))
        .max()
}

/// The worst severity among findings, if any.
pub fn worst(findings: &[RenderedFinding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}
