//! Reading the conversation, not only the packet: the flow table, TCP analysis, and the
//! cross-packet detectors (scans, sweeps, traceroute, backscatter, floods, ARP and DNS oddities).
//!
//! Everything here works in *capture* time (the packets' timestamps), never wall-clock time, so a
//! capture gives the same findings however fast it is read. State is bounded: detectors keep
//! counters and small sets per key, capped, never the packets themselves.
//!
//! The shape follows Zeek's scan and traceroute detectors: documented settings with their
//! false-positive trade-off, a key, an observation, a reducer (unique set, count), a time window,
//! a threshold, and one notice per key with its evidence packets.

pub mod arp;
pub mod broadcast;
pub mod dns;
pub mod floods;
pub mod flows;
pub mod overview;
pub mod scans;
pub mod traceroute;

use crate::capture::Timestamp;
use crate::decode::Dissection;
use crate::explain::{Finding, RenderedFinding, Severity};
use serde::Serialize;

/// A packet as the detectors see it.
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    pub number: u64,
    pub ts: Timestamp,
    pub d: &'a Dissection,
}

impl Observed<'_> {
    /// Capture time in seconds since 1970, as a float (fine for windows of seconds to hours).
    pub fn t(&self) -> f64 {
        self.ts.as_f64_secs()
    }
}

/// A cross-packet finding: a registry finding plus the packets it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The finding: registry id, parameters, and evidence bytes (usually in the first packets).
    pub finding: Finding,
    /// Identifier that merges repeats: the same key is reported once, e.g. `scan.vertical:10.0.0.5>10.0.0.9`.
    pub key: String,
    /// Every packet that belongs to it, in order (capped by the detector).
    pub packets: Vec<u64>,
    /// First and last capture time of the evidence.
    pub first: Timestamp,
    pub last: Timestamp,
}

/// What the reader sees of a detection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenderedDetection {
    #[serde(flatten)]
    pub finding: RenderedFinding,
    pub key: String,
    pub packets: Vec<u64>,
    pub first: String,
    pub last: String,
}

impl Detection {
    pub fn render(&self) -> RenderedDetection {
        RenderedDetection {
            finding: self.finding.render(),
            key: self.key.clone(),
            packets: self.packets.clone(),
            first: self.first.format_utc(),
            last: self.last.format_utc(),
        }
    }

    pub fn severity(&self) -> Severity {
        self.finding.severity()
    }
}

/// A cross-packet detector. `observe` sees every packet in capture order; `finish` reports.
/// `Send`, so the analysis can run the detectors on a thread of their own.
pub trait Detector: Send {
    /// Short name for listings and settings, e.g. `portscan`.
    fn name(&self) -> &'static str;
    fn observe(&mut self, p: &Observed<'_>);
    fn finish(&mut self, out: &mut Vec<Detection>);
}

/// The most packets a detection lists as its evidence; the count in its text stays exact.
pub const MAX_EVIDENCE_PACKETS: usize = 200;

/// Runs the flow table and every detector over a capture, packet by packet.
pub struct Analyzer {
    pub flows: flows::FlowTable,
    detectors: Vec<Box<dyn Detector>>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    /// An analyzer with every detector at its default settings.
    pub fn new() -> Analyzer {
        Analyzer {
            flows: flows::FlowTable::default(),
            detectors: all_detectors(),
        }
    }

    pub fn observe(&mut self, p: &Observed<'_>) {
        self.flows.observe(p);
        for det in &mut self.detectors {
            det.observe(p);
        }
    }

    /// Ends the capture: every detection, worst first, then in order of first evidence.
    pub fn finish(&mut self) -> Vec<Detection> {
        let mut out = Vec::new();
        self.flows.finish(&mut out);
        for det in &mut self.detectors {
            det.finish(&mut out);
        }
        out.sort_by(|a, b| {
            b.severity()
                .cmp(&a.severity())
                .then(a.first.cmp(&b.first))
                .then(a.key.cmp(&b.key))
        });
        out
    }
}

/// Every registry id the flow table and the detectors can emit.
pub fn all_ids() -> Vec<&'static str> {
    [
        flows::IDS,
        scans::IDS,
        floods::IDS,
        traceroute::IDS,
        broadcast::IDS,
        arp::IDS,
        dns::IDS,
    ]
    .concat()
}

/// Every detector, at default settings.
fn all_detectors() -> Vec<Box<dyn Detector>> {
    let mut v = scans::detectors();
    v.extend(floods::detectors());
    v.extend(traceroute::detectors());
    v.extend(broadcast::detectors());
    v.extend(arp::detectors());
    v.extend(dns::detectors());
    v
}
