//! The capture overview: a plain account, the facts, a timeline of packets per second with
//! finding markers (drawn as SVG), the protocol hierarchy, top talkers and conversations with
//! their state.
//!
//! Owns those tables and the drawing. It must never use inline styles (the page's CSP forbids
//! them): colours come from classes in style.css.

use crate::fmt_bytes;
use crate::protocol::{AnalysisView, TimelineView};
use std::rc::Rc;
use yew::prelude::*;

const W: f64 = 960.0;
/// Height of the drawing; the bars take what the markers and the axis leave.
const H: f64 = 190.0;
/// Room below for the time axis labels.
const BOTTOM: f64 = 20.0;
/// A marker's width and the height of one row of markers, in SVG units.
const MARK_W: f64 = 12.0;
const MARK_ROW: f64 = 13.0;
/// Rows of markers at most; a marker that finds no room joins its left neighbour.
const MARK_ROWS: usize = 4;

/// Markers placed so that none hides another: findings that begin in the same bucket share one
/// marker, markers too close for one row go to the next, and past the last row a marker joins
/// its left neighbour. Each keeps every finding it stands for (title and packet).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedMark {
    pub x: f64,
    pub row: usize,
    pub level: crate::protocol::Level,
    /// The packet a click opens: the first packet of the first finding.
    pub packet: u64,
    pub titles: Vec<String>,
}

pub fn place_marks(t: &TimelineView, width: f64) -> Vec<PlacedMark> {
    let bw = width / t.counts.len().max(1) as f64;
    let mut sorted: Vec<_> = t.marks.iter().collect();
    sorted.sort_by_key(|m| (m.bucket, m.packet));
    let mut placed: Vec<PlacedMark> = Vec::new();
    // The right edge of the last marker in each row.
    let mut row_end: Vec<f64> = Vec::new();
    let mut last_bucket = None;
    for m in sorted {
        let title = format!("{} (packet {})", m.title, m.packet);
        if last_bucket == Some(m.bucket) {
            if let Some(p) = placed.last_mut() {
                p.level = p.level.max(m.level);
                p.titles.push(title);
                continue;
            }
        }
        last_bucket = Some(m.bucket);
        let x = ((m.bucket as f64 + 0.5) * bw).clamp(MARK_W / 2.0, width - MARK_W / 2.0);
        let free = row_end.iter().position(|&end| end <= x - MARK_W / 2.0);
        let row = match free {
            Some(r) => r,
            None if row_end.len() < MARK_ROWS => {
                row_end.push(f64::MIN);
                row_end.len() - 1
            }
            None => {
                // No room: join the marker that ends furthest right (the nearest one).
                if let Some(p) = placed.iter_mut().max_by(|a, b| a.x.total_cmp(&b.x)) {
                    p.level = p.level.max(m.level);
                    p.titles.push(title);
                }
                continue;
            }
        };
        if let Some(end) = row_end.get_mut(row) {
            *end = x + MARK_W / 2.0 + 1.0;
        }
        placed.push(PlacedMark {
            x,
            row,
            level: m.level,
            packet: m.packet,
            titles: vec![title],
        });
    }
    placed
}

#[derive(Properties, PartialEq)]
pub struct OverviewProps {
    pub analysis: Option<Rc<AnalysisView>>,
    pub on_goto: Callback<u64>,
    pub on_follow: Callback<u64>,
}

/// Seconds as `12 s`, `3 min 4 s` or `2 h 5 min`.
pub fn fmt_span(secs: f64) -> String {
    let s = secs.max(0.0);
    if s < 10.0 {
        format!("{s:.3} s")
    } else if s < 60.0 {
        format!("{s:.0} s")
    } else if s < 3600.0 {
        format!("{} min {} s", (s / 60.0).floor(), (s % 60.0).floor())
    } else {
        format!(
            "{} h {} min",
            (s / 3600.0).floor(),
            ((s % 3600.0) / 60.0).floor()
        )
    }
}

/// A bucket width: `500 µs`, `20 ms`, `1 s`, `20 s`.
pub fn fmt_step(secs: f64) -> String {
    if secs < 1e-3 {
        format!("{:.0} µs", secs * 1e6)
    } else if secs < 1.0 {
        format!("{:.0} ms", secs * 1e3)
    } else {
        format!("{secs:.0} s")
    }
}

fn timeline(t: &TimelineView, on_goto: &Callback<u64>) -> Html {
    let n = t.counts.len().max(1) as f64;
    let max = t.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bw = W / n;
    let placed = place_marks(t, W);
    let rows = placed.iter().map(|m| m.row + 1).max().unwrap_or(0);
    let top = 4.0 + rows.max(1) as f64 * MARK_ROW;
    let h = H;
    let plot = H - top - BOTTOM;
    let bars = t.counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, &c)| {
        let bh = (c as f64 / max * plot).max(1.0);
        let x = i as f64 * bw;
        let rate = c as f64 / t.bucket_secs.max(1e-6);
        html! {
            <rect class="bar" x={format!("{x:.2}")} y={format!("{:.2}", top + plot - bh)}
                  width={format!("{:.2}", (bw - 0.5).max(0.5))} height={format!("{bh:.2}")}>
                <title>{ format!("{}–{}: {c} packets ({rate:.1}/s)",
                    fmt_span(i as f64 * t.bucket_secs), fmt_span((i + 1) as f64 * t.bucket_secs)) }</title>
            </rect>
        }
    });
    let marks = placed.iter().map(|m| {
        let cb = on_goto.clone();
        let p = m.packet;
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(p));
        let lvl = m.level.as_str();
        // Row 0 sits just above the bars; later rows stack upwards.
        let tip = top - 2.0 - m.row as f64 * MARK_ROW;
        html! {
            <g class={classes!("mark", format!("lvl-{lvl}"))} {onclick}>
                <path d={format!("M{:.2} {tip:.2} l-6 -10 h12 z", m.x)} />
                <title>{ m.titles.join("\n") }</title>
            </g>
        }
    });
    let peak = max / t.bucket_secs.max(1e-6);
    let findings = t.marks.len();
    html! {
        <figure id="timeline" class="timeline">
            <svg viewBox={format!("0 0 {W} {h}")} role="img" preserveAspectRatio="none"
                 aria-label={format!("Packets over {}, peak {peak:.1} per second; {findings} findings marked",
                    fmt_span(t.span_secs))}>
                <line class="axis" x1="0" y1={format!("{}", h - BOTTOM)} x2={format!("{W}")} y2={format!("{}", h - BOTTOM)} />
                { for bars }
                { for marks }
                <text class="lbl" x="2" y={format!("{}", h - 5.0)}>{ "0 s" }</text>
                <text class="lbl mid" x={format!("{}", W / 2.0)} y={format!("{}", h - 5.0)}>{ format!("peak {peak:.1} packets/s") }</text>
                <text class="lbl end" x={format!("{}", W - 2.0)} y={format!("{}", h - 5.0)}>{ fmt_span(t.span_secs) }</text>
            </svg>
            <figcaption class="note">
                { format!("Packets over the capture in steps of {}; triangles mark where each finding begins (click one to open its first packet).",
                    fmt_step(t.bucket_secs)) }
            </figcaption>
        </figure>
    }
}

#[function_component(OverviewView)]
pub fn overview_view(props: &OverviewProps) -> Html {
    let Some(a) = &props.analysis else {
        return html! {
            <section id="overview" aria-label="Overview">
                <p class="note">{ "The overview appears once the whole file has been read." }</p>
            </section>
        };
    };
    let protos = a.protocols.iter().map(|p| html! {
        <tr>
            <td class={classes!("proto", format!("depth-{}", p.depth.min(6)))}>{ p.proto.clone() }</td>
            <td class="n">{ p.packets }</td>
            <td class="n">{ format!("{:.1}%", p.percent) }</td>
            <td class="n">{ fmt_bytes(p.bytes) }</td>
        </tr>
    });
    let talkers = a.talkers.iter().map(|t| {
        html! {
            <tr>
                <td><code>{ t.host.clone() }</code></td>
                <td class="n">{ t.packets_sent }</td>
                <td class="n">{ t.packets_received }</td>
                <td class="n">{ fmt_bytes(t.bytes_sent.saturating_add(t.bytes_received)) }</td>
                <td class="n">{ t.conversations }</td>
            </tr>
        }
    });
    let convs = a.conversations.iter().map(|c| {
        let open = {
            let cb = props.on_goto.clone();
            let n = c.first_packet;
            Callback::from(move |_: MouseEvent| cb.emit(n))
        };
        let follow = {
            let cb = props.on_follow.clone();
            let n = c.first_packet;
            Callback::from(move |_: MouseEvent| cb.emit(n))
        };
        let streamy = matches!(c.proto.as_str(), "tcp" | "udp" | "TCP" | "UDP");
        html! {
            <tr>
                <td>{ c.proto.clone() }</td>
                <td><code>{ c.label.clone() }</code></td>
                <td class="n">{ c.packets }</td>
                <td class="n">{ fmt_bytes(c.bytes) }</td>
                <td class="n">{ format!("{:.3} s", c.duration_secs) }</td>
                <td><abbr title={c.reading.clone()}>{ c.state.clone() }</abbr>{ " " }<code class="hist">{ c.history.clone() }</code></td>
                <td>
                    <button type="button" class="pkt" onclick={open}>{ format!("#{}", c.first_packet) }</button>
                    if streamy { <button type="button" class="follow" onclick={follow}>{ "Follow" }</button> }
                </td>
            </tr>
        }
    });
    html! {
        <section id="overview" aria-label="Overview">
            <h2>{ "Overview" }</h2>
            <div id="account">{ for a.account.iter().map(|p| html! { <p>{ p.clone() }</p> }) }</div>
            <dl class="facts">
                <dt>{ "Packets" }</dt><dd>{ a.packets }</dd>
                <dt>{ "Bytes on the wire" }</dt><dd>{ fmt_bytes(a.bytes) }</dd>
                <dt>{ "First packet" }</dt><dd>{ a.first.clone().unwrap_or_default() }</dd>
                <dt>{ "Last packet" }</dt><dd>{ a.last.clone().unwrap_or_default() }</dd>
                <dt>{ "Duration" }</dt><dd>{ fmt_span(a.duration_secs) }</dd>
                <dt>{ "Damaged packets" }</dt><dd>{ a.damaged_packets }</dd>
            </dl>
            <h3>{ "Timeline" }</h3>
            { timeline(&a.timeline, &props.on_goto) }
            <div class="tables">
                <div>
                    <h3>{ "Protocol hierarchy" }</h3>
                    <table id="protocols">
                        <thead><tr><th>{ "Protocol" }</th><th>{ "Packets" }</th><th>{ "Share" }</th><th>{ "Bytes" }</th></tr></thead>
                        <tbody>{ for protos }</tbody>
                    </table>
                </div>
                <div>
                    <h3>{ "Top talkers" }</h3>
                    <table id="talkers">
                        <thead><tr><th>{ "Host" }</th><th>{ "Sent" }</th><th>{ "Received" }</th><th>{ "Bytes" }</th><th>{ "Conversations" }</th></tr></thead>
                        <tbody>{ for talkers }</tbody>
                    </table>
                </div>
            </div>
            <h3>{ format!("Conversations ({} in all; the busiest shown)", a.conversations_total) }</h3>
            if !a.tcp_states.is_empty() {
                <ul class="states">
                    { for a.tcp_states.iter().map(|(r, n)| html! { <li>{ format!("{n} × {r}") }</li> }) }
                </ul>
            }
            <table id="conversations">
                <thead><tr><th>{ "Proto" }</th><th>{ "Endpoints" }</th><th>{ "Packets" }</th><th>{ "Bytes" }</th><th>{ "Duration" }</th><th>{ "State" }</th><th>{ "First packet" }</th></tr></thead>
                <tbody>{ for convs }</tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Level, MarkView};

    fn mark(bucket: usize, packet: u64, level: Level) -> MarkView {
        MarkView {
            bucket,
            level,
            packet,
            title: format!("finding at {packet}"),
        }
    }

    #[test]
    fn markers_never_hide_one_another() {
        let t = TimelineView {
            span_secs: 100.0,
            bucket_secs: 1.0,
            counts: vec![1; 100],
            marks: vec![
                mark(0, 1, Level::Info),
                mark(0, 2, Level::Alert),
                mark(1, 3, Level::Notice),
                mark(50, 60, Level::Warning),
                mark(99, 100, Level::Info),
            ],
        };
        // 9.6 units a bucket: buckets 0 and 1 are too close for one row.
        let placed = place_marks(&t, 960.0);
        assert_eq!(placed.len(), 4);
        let first = &placed[0];
        assert_eq!((first.packet, first.level, first.row), (1, Level::Alert, 0));
        assert_eq!(
            first.titles,
            ["finding at 1 (packet 1)", "finding at 2 (packet 2)"]
        );
        assert_eq!(first.x, MARK_W / 2.0, "kept inside the drawing");
        assert_eq!((placed[1].packet, placed[1].row), (3, 1));
        assert_eq!((placed[2].packet, placed[2].row), (60, 0));
        assert_eq!(placed[3].x, 960.0 - MARK_W / 2.0);
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                assert!(a.row != b.row || (a.x - b.x).abs() >= MARK_W, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn crowded_markers_join_a_neighbour_and_keep_every_finding() {
        let t = TimelineView {
            span_secs: 10.0,
            bucket_secs: 0.01,
            counts: vec![1; 1000],
            marks: (0..20)
                .map(|i| mark(i, i as u64 + 1, Level::Notice))
                .collect(),
        };
        let placed = place_marks(&t, 960.0);
        assert!(placed.iter().all(|m| m.row < MARK_ROWS));
        let titles: usize = placed.iter().map(|m| m.titles.len()).sum();
        assert_eq!(titles, 20);
    }

    #[test]
    fn spans_and_steps_read_naturally() {
        assert_eq!(fmt_span(0.116), "0.116 s");
        assert_eq!(fmt_span(42.0), "42 s");
        assert_eq!(fmt_span(185.0), "3 min 5 s");
        assert_eq!(fmt_span(7500.0), "2 h 5 min");
        assert_eq!(fmt_step(0.0005), "500 µs");
        assert_eq!(fmt_step(0.02), "20 ms");
        assert_eq!(fmt_step(20.0), "20 s");
    }
}
