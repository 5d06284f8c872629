//! The findings view: every finding of the capture grouped, worst first, cross-packet detections
//! and per-packet findings alike, each with why it matters, what to check next, its references
//! and links to its evidence packets.
//!
//! Owns that list. It must never render capture text as HTML.

use crate::protocol::{AnalysisView, GroupView};
use std::rc::Rc;
use yew::prelude::*;

/// Evidence packets linked per finding; the count says how many there are in all.
const LINKED: usize = 24;

#[derive(Properties, PartialEq)]
pub struct FindingsProps {
    pub analysis: Option<Rc<AnalysisView>>,
    /// Open a packet (and show it in the list).
    pub on_goto: Callback<u64>,
    /// Filter the list by an expression.
    pub on_filter: Callback<String>,
}

fn group(g: &GroupView, i: usize, props: &FindingsProps) -> Html {
    let lvl = g.level.as_str();
    let links = g.packets.iter().take(LINKED).map(|&n| {
        let cb = props.on_goto.clone();
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(n));
        html! { <li><button type="button" class="pkt" data-packet={n.to_string()} {onclick}>{ n }</button></li> }
    });
    let more = g.count.saturating_sub(g.packets.len().min(LINKED) as u64);
    let show = {
        let cb = props.on_filter.clone();
        // Ids are our own snake_case names, so quoting them needs no escaping.
        let expr = format!("finding.id == \"{}\"", g.id);
        Callback::from(move |_: MouseEvent| cb.emit(expr.clone()))
    };
    let what = if g.detection {
        format!("{} evidence packets", g.count)
    } else if g.count == 1 {
        "1 packet".to_string()
    } else {
        format!("{} packets", g.count)
    };
    html! {
        <li class={classes!("finding", format!("lvl-{lvl}"))} data-finding={g.id.clone()} id={format!("group-{i}")}>
            <h3 class="finding-head">
                <span class={classes!("badge", format!("lvl-{lvl}"))}>{ lvl }</span>
                <span class="title">{ g.title.clone() }</span>
                <span class="count">{ what }</span>
                if g.detection { <span class="tag">{ "across packets" }</span> }
            </h3>
            if !g.key.is_empty() {
                <p class="key"><code>{ g.key.clone() }</code></p>
            }
            <p class="text">{ g.text.clone() }</p>
            if !g.next.is_empty() {
                <p class="next"><strong>{ "What to check next: " }</strong>{ g.next.clone() }</p>
            }
            if let Some(b) = &g.benign {
                <p class="benign"><strong>{ "Harmless causes: " }</strong>{ b.clone() }</p>
            }
            if !g.references.is_empty() {
                <div class="refs">
                    <strong>{ "References" }</strong>
                    <ul>{ for g.references.iter().map(|r| html! { <li>{ r.clone() }</li> }) }</ul>
                </div>
            }
            <div class="evidence">
                <strong>{ "Packets: " }</strong>
                <ul class="pkts">{ for links }</ul>
                if more > 0 { <span class="note">{ format!(" and {more} more") }</span> }
                <button type="button" class="show-all" onclick={show}>{ "Show them in the list" }</button>
            </div>
            <p class="fid"><code>{ g.id.clone() }</code></p>
        </li>
    }
}

#[function_component(FindingsView)]
pub fn findings_view(props: &FindingsProps) -> Html {
    let Some(a) = &props.analysis else {
        return html! {
            <section id="findings-view" aria-label="Findings">
                <p class="note">{ "Findings appear once the whole file has been read." }</p>
            </section>
        };
    };
    let detections = a.groups.iter().filter(|g| g.detection).count();
    html! {
        <section id="findings-view" aria-label="Findings">
            <h2>{ format!("{} findings", a.groups.len()) }</h2>
            <p class="note">
                { format!("{detections} across several packets (scans, floods, traceroutes…), {} on single packets; worst first.",
                    a.groups.len() - detections) }
            </p>
            if a.groups.is_empty() {
                <p>{ "Nothing stood out: no per-packet finding and no cross-packet pattern." }</p>
            } else {
                <ol id="groups" class="groups">
                    { for a.groups.iter().enumerate().map(|(i, g)| group(g, i, props)) }
                </ol>
            }
        </section>
    }
}
