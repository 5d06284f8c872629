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

/// The detectors, by the module they come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Scans,
    Floods,
    Traceroute,
    Broadcast,
    Arp,
    Dns,
}

impl Group {
    pub const ALL: &'static [Group] = &[
        Group::Scans,
        Group::Floods,
        Group::Traceroute,
        Group::Broadcast,
        Group::Arp,
        Group::Dns,
    ];

    fn detectors(self) -> Vec<Box<dyn Detector>> {
        match self {
            Group::Scans => scans::detectors(),
            Group::Floods => floods::detectors(),
            Group::Traceroute => traceroute::detectors(),
            Group::Broadcast => broadcast::detectors(),
            Group::Arp => arp::detectors(),
            Group::Dns => dns::detectors(),
        }
    }
}

/// Some groups of detectors at their default settings. They need nothing but the packets, so a
/// group may run apart from the flow table (on the other thread of a two-thread analysis).
pub struct Detectors {
    detectors: Vec<Box<dyn Detector>>,
}

impl Detectors {
    pub fn of(groups: &[Group]) -> Detectors {
        Detectors {
            detectors: groups.iter().flat_map(|g| g.detectors()).collect(),
        }
    }

    pub fn observe(&mut self, p: &Observed<'_>) {
        for det in &mut self.detectors {
            det.observe(p);
        }
    }

    /// Ends the capture: every detection, in [`sort_detections`] order.
    pub fn finish(&mut self) -> Vec<Detection> {
        let mut out = Vec::new();
        for det in &mut self.detectors {
            det.finish(&mut out);
        }
        sort_detections(&mut out);
        out
    }
}

/// Detections worst first, then in order of first evidence, then by key.
pub fn sort_detections(out: &mut [Detection]) {
    out.sort_by(|a, b| {
        b.severity()
            .cmp(&a.severity())
            .then(a.first.cmp(&b.first))
            .then(a.key.cmp(&b.key))
    });
}

/// Runs the flow table and the detectors over a capture, packet by packet.
pub struct Analyzer {
    pub flows: flows::FlowTable,
    detectors: Detectors,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    /// An analyzer with every detector at its default settings.
    pub fn new() -> Analyzer {
        Analyzer::with(Group::ALL)
    }

    /// The flow table and the given groups of detectors (the others run elsewhere).
    pub fn with(groups: &[Group]) -> Analyzer {
        Analyzer {
            flows: flows::FlowTable::default(),
            detectors: Detectors::of(groups),
        }
    }

    pub fn observe(&mut self, p: &Observed<'_>) {
        self.flows.observe(p);
        self.detectors.observe(p);
    }

    /// Ends the capture: every detection, worst first, then in order of first evidence.
    pub fn finish(&mut self) -> Vec<Detection> {
        let mut out = Vec::new();
        self.flows.finish(&mut out);
        out.extend(self.detectors.finish());
        sort_detections(&mut out);
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
