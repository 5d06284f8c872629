//! One pass over a whole capture: every packet decoded, explained and shown to the cross-packet
//! detectors, keeping only a compact per-packet index (worst finding) and the findings grouped by
//! id, never the decoded packets. The command line's `findings`, `flows`, `summary` and `report`
//! and the web worker use it. The work is in two halves that share nothing while packets come
//! (the rules on each packet; the flow table and the detectors), so a caller may run them on two
//! threads and join them at the end.

use crate::capture::{Packet, Timestamp};
use crate::decode::Dissection;
use crate::detect::overview::{Overview, OverviewBuilder};
use crate::detect::{
    sort_detections, Analyzer, Detection, Detectors, Group, Observed, RenderedDetection,
};

/// The detector groups a two-thread analysis runs beside the rules, to even out the threads
/// (the flow table's thread was the slower by about a tenth), and the ones beside the flow table.
pub const BESIDE_RULES: &[Group] = &[Group::Floods];
pub const BESIDE_FLOWS: &[Group] = &[
    Group::Scans,
    Group::Traceroute,
    Group::Broadcast,
    Group::Arp,
    Group::Dns,
];
use crate::explain::{packet_finding_ids, packet_findings, RenderedFinding, Severity};
use foldhash::HashMap;
use serde::{Deserialize, Serialize};

/// The most packets a grouped finding lists; its count stays exact.
pub const MAX_GROUP_PACKETS: usize = 200;

/// One per-packet finding id and every packet it was raised on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingGroup {
    /// The finding as rendered for the first packet it was raised on.
    #[serde(flatten)]
    pub first: RenderedFinding,
    /// How many packets raised it.
    pub count: u64,
    /// The packets that raised it, in order, at most `MAX_GROUP_PACKETS`.
    pub packets: Vec<u64>,
}

/// Everything found in a capture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Findings {
    /// Per-packet findings grouped by id, worst first.
    pub per_packet: Vec<FindingGroup>,
    /// Cross-packet detections, worst first.
    pub detections: Vec<RenderedDetection>,
}

/// The per-packet half of the analysis: the rules' findings of each packet, grouped by id (the
/// first packet of each id rendered), each packet's worst finding, and usually the overview's
/// counters (protocols and talkers, which need no other packet; here because this half is the
/// lighter natively, though either half may keep them).
pub struct PerPacket {
    overview: Option<OverviewBuilder>,
    /// Groups of cross-packet detectors run on this side ([`PerPacket::with_detectors`]).
    detectors: Option<Detectors>,
    groups: Vec<FindingGroup>,
    group_of: HashMap<&'static str, usize>,
    /// Worst per-packet finding of each packet, by packet number - 1.
    pub worst: Vec<Option<Severity>>,
}

impl Default for PerPacket {
    fn default() -> Self {
        PerPacket::new()
    }
}

impl PerPacket {
    /// The rules and the overview's counters.
    pub fn new() -> PerPacket {
        PerPacket {
            overview: Some(OverviewBuilder::new()),
            ..PerPacket::rules_only()
        }
    }

    /// The rules alone; the overview is then counted by the other half
    /// ([`CrossPacket::with_overview`]).
    pub fn rules_only() -> PerPacket {
        PerPacket {
            overview: None,
            detectors: None,
            groups: Vec::new(),
            group_of: HashMap::default(),
            worst: Vec::new(),
        }
    }

    /// Also runs the given groups of cross-packet detectors (the other half then runs the rest:
    /// [`CrossPacket::with_detectors`]).
    pub fn with_detectors(self, groups: &[Group]) -> PerPacket {
        PerPacket {
            detectors: Some(Detectors::of(groups)),
            ..self
        }
    }

    /// The grouped findings seen so far (first packet of each id first), to hand to another
    /// thread or worker; see [`PerPacket::from_groups`].
    pub fn groups(&self) -> &[FindingGroup] {
        &self.groups
    }

    /// A finished rules-only half made from the groups another worker found, for
    /// [`CaptureAnalysis::join`]: it has no per-packet worst (that worker reports them itself).
    pub fn from_groups(groups: Vec<FindingGroup>) -> PerPacket {
        PerPacket {
            groups,
            ..PerPacket::rules_only()
        }
    }

    /// Names the findings of a packet decoded lean as `d`; only the first packet of each id is
    /// decoded again in full and rendered, every other packet costs just ids.
    pub fn observe(&mut self, p: &Packet, d: &Dissection) {
        let seen = Observed {
            number: p.number,
            ts: p.ts,
            d,
        };
        if let Some(o) = &mut self.overview {
            o.observe(&seen);
        }
        if let Some(det) = &mut self.detectors {
            det.observe(&seen);
        }
        let mut worst = None;
        let mut seen: Vec<&'static str> = Vec::new();
        let mut full: Option<Vec<crate::explain::Finding>> = None;
        for id in packet_finding_ids(p.number, d) {
            // A packet counts once per id, even when it raises the id twice (both of its
            // addresses in a reserved range, say).
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            match self.group_of.get(id) {
                Some(&i) => {
                    if let Some(g) = self.groups.get_mut(i) {
                        g.count += 1;
                        if g.packets.len() < MAX_GROUP_PACKETS {
                            g.packets.push(p.number);
                        }
                        worst = worst.max(Some(g.first.severity));
                    }
                }
                None => {
                    let found = full.get_or_insert_with(|| packet_findings(p.number, &p.decode()));
                    let Some(f) = found.iter().find(|f| f.id == id) else {
                        continue;
                    };
                    let first = f.render();
                    worst = worst.max(Some(first.severity));
                    self.group_of.insert(id, self.groups.len());
                    self.groups.push(FindingGroup {
                        first,
                        count: 1,
                        packets: vec![p.number],
                    });
                }
            }
        }
        self.worst.push(worst);
    }
}

/// The cross-packet half: the flow table and the detectors (and the overview's counters when
/// the per-packet half is [`PerPacket::rules_only`]).
#[derive(Default)]
pub struct CrossPacket {
    analyzer: Analyzer,
    overview: Option<OverviewBuilder>,
}

impl CrossPacket {
    pub fn new() -> CrossPacket {
        CrossPacket::default()
    }

    /// The flow table and only the given groups of detectors (the per-packet half runs the
    /// others: [`PerPacket::with_detectors`]).
    pub fn with_detectors(groups: &[Group]) -> CrossPacket {
        CrossPacket {
            analyzer: Analyzer::with(groups),
            overview: None,
        }
    }

    /// The flow table and the detectors, and the overview's counters.
    pub fn with_overview() -> CrossPacket {
        CrossPacket {
            overview: Some(OverviewBuilder::new()),
            ..CrossPacket::default()
        }
    }

    /// Shows one packet (decoded lean as `d`, its checksums unverified if wanted: values are all
    /// the detectors need) to the flow table and the detectors. Packets must come in capture
    /// order.
    pub fn observe(&mut self, number: u64, ts: Timestamp, d: &Dissection) {
        let seen = Observed { number, ts, d };
        if let Some(o) = &mut self.overview {
            o.observe(&seen);
        }
        self.analyzer.observe(&seen);
    }
}

/// Runs explain and the detectors over packets fed one at a time, in capture order. Its two
/// halves ([`PerPacket`], [`CrossPacket`]) share nothing while packets come, so they can also
/// see the capture separately, each on its own thread, and be joined with [`CaptureAnalysis::join`].
#[derive(Default)]
pub struct CaptureAnalysis {
    per_packet: PerPacket,
    cross: CrossPacket,
}

impl CaptureAnalysis {
    pub fn new() -> CaptureAnalysis {
        CaptureAnalysis::default()
    }

    /// The analysis of a capture whose packets both halves have seen, all of them, in order
    /// (one of the two counting the overview).
    pub fn join(per_packet: PerPacket, cross: CrossPacket) -> CaptureAnalysis {
        CaptureAnalysis { per_packet, cross }
    }

    /// Decodes, checks and observes one packet.
    pub fn observe(&mut self, p: &Packet) {
        // Values are all the detectors and the rules' ids need; the one packet per id whose
        // finding is rendered is decoded again with its renderings.
        let d = p.decode_lean();
        self.cross.observe(p.number, p.ts, &d);
        self.per_packet.observe(p, &d);
    }

    /// Worst per-packet finding of each packet, by packet number - 1.
    pub fn worst(&self) -> &[Option<Severity>] {
        &self.per_packet.worst
    }

    /// Ends the capture and returns the cross-packet detections (worst first), wherever the
    /// detectors ran.
    pub fn finish(&mut self) -> Vec<Detection> {
        let mut out = self.cross.analyzer.finish();
        if let Some(mut d) = self.per_packet.detectors.take() {
            out.extend(d.finish());
            sort_detections(&mut out);
        }
        out
    }

    /// The flow table, for conversations and the overview.
    pub fn flows(&self) -> &crate::detect::flows::FlowTable {
        &self.cross.analyzer.flows
    }

    /// The capture overview: protocols, talkers, conversations, findings and a plain account.
    pub fn overview(&self, detections: &[Detection]) -> Overview {
        let flows = &self.cross.analyzer.flows;
        match (&self.per_packet.overview, &self.cross.overview) {
            (Some(o), _) | (None, Some(o)) => o.build(flows, detections),
            (None, None) => OverviewBuilder::new().build(flows, detections),
        }
    }

    /// Per-packet groups (worst first, then by first packet) and the given detections rendered.
    pub fn findings(&self, detections: &[Detection]) -> Findings {
        let mut per_packet = self.per_packet.groups.clone();
        per_packet.sort_by(|a, b| {
            b.first
                .severity
                .cmp(&a.first.severity)
                .then(a.packets.first().cmp(&b.packets.first()))
        });
        Findings {
            per_packet,
            detections: detections.iter().map(Detection::render).collect(),
        }
    }
}

/// Which detections each packet is evidence for, to tell a packet's reader what it is part of.
pub fn detections_by_packet(
    detections: &[Detection],
) -> std::collections::HashMap<u64, Vec<usize>> {
    let mut m = std::collections::HashMap::<u64, Vec<usize>>::new();
    for (i, d) in detections.iter().enumerate() {
        for &p in &d.packets {
            m.entry(p).or_default().push(i);
        }
    }
    m
}

/// A sentence or two placing a packet in its conversation and in the detections it belongs to.
pub fn context_sentences(
    flows: &crate::detect::flows::FlowTable,
    packet: u64,
    detections: &[Detection],
    mine: Option<&Vec<usize>>,
) -> String {
    let mut out = String::new();
    if let Some(f) = flows.flow_of(packet).and_then(|id| flows.flow(id)) {
        out.push_str(&format!(
            "It belongs to conversation #{} ({} {}, {} packets): {}.",
            f.id,
            f.proto.name(),
            f.label(),
            f.packets(),
            f.reading()
        ));
    }
    let notes = flows.packet_notes(packet);
    if !notes.is_empty() {
        out.push_str(&format!(" TCP analysis: {}.", notes.join(", ")));
    }
    for &i in mine.map(Vec::as_slice).unwrap_or(&[]) {
        if let Some(d) = detections.get(i) {
            let r = d.finding.render();
            out.push_str(&format!(" Part of: {} ({}).", r.title, r.id));
        }
    }
    out
}

/// Evidence packets of a group or detection, as `1, 5, 9 and 12 more`.
pub fn packet_list(packets: &[u64], total: u64) -> String {
    const SHOWN: usize = 8;
    let shown: Vec<String> = packets.iter().take(SHOWN).map(u64::to_string).collect();
    let more = total.saturating_sub(shown.len() as u64);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_lists_are_short() {
        assert_eq!(packet_list(&[1, 2, 3], 3), "1, 2, 3");
        let many: Vec<u64> = (1..=20).collect();
        assert_eq!(
            packet_list(&many, 500),
            "1, 2, 3, 4, 5, 6, 7, 8 and 492 more"
        );
    }
}
