//! The opened packet: its layered field tree (each field with its meaning and Wireshark name),
//! its bytes in hex and ASCII, and its explanation (narrative, place in its conversation, and
//! every finding with severity, why it matters, what to check next and its references). A field
//! or finding lights up its bytes; a clicked byte selects its field.
//!
//! Owns those three panes. It must never insert capture text as HTML: Yew text nodes escape it.

use crate::protocol::Detail;
use crate::select::{self, Mark};
use crate::time;
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

/// Longest frame the hex pane draws byte by byte; the rest is summarised.
const HEX_MAX: usize = 16 * 1024;

/// The packet's explanation as plain text, for the clipboard.
pub fn explanation_text(d: &Detail) -> String {
    let mut out = format!("Packet {}: {}\n\n{}\n", d.number, d.summary, d.narrative);
    if !d.context.is_empty() {
        out.push_str(&format!("\n{}\n", d.context));
    }
    for f in &d.findings {
        out.push_str(&format!(
            "\n[{}] {} ({})\n{}\n",
            f.level.as_str(),
            f.title,
            f.id,
            f.text
        ));
        if !f.next.is_empty() {
            out.push_str(&format!("What to check next: {}\n", f.next));
        }
        if let Some(b) = &f.benign {
            out.push_str(&format!("Harmless causes: {b}\n"));
        }
        for r in &f.references {
            out.push_str(&format!("Reference: {r}\n"));
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    pub detail: Rc<Detail>,
    pub mark: Mark,
    pub on_mark: Callback<Mark>,
    /// Show the capture time in the person's zone as well as UTC.
    #[prop_or_default]
    pub local: bool,
    #[prop_or_default]
    pub on_follow: Callback<u64>,
    #[prop_or_default]
    pub on_copy: Callback<String>,
}

/// The field tree of the opened packet.
#[function_component(FieldTree)]
pub fn field_tree(props: &DetailProps) -> Html {
    let d = &props.detail;
    let layers = d.layers.iter().enumerate().map(|(li, l)| {
        let end = l.offset.saturating_add(l.len);
        let fields = l.fields.iter().enumerate().map(|(fi, f)| {
            let me = Mark::Field { layer: li, field: fi };
            let on = props.mark == me;
            let onclick = {
                let cb = props.on_mark.clone();
                Callback::from(move |_: MouseEvent| cb.emit(me))
            };
            let range = if f.len == 1 {
                format!("byte {}", f.offset)
            } else {
                format!("bytes {}–{}", f.offset, f.offset.saturating_add(f.len).saturating_sub(1))
            };
            html! {
                <li>
                    <button type="button" class={classes!("field", format!("depth-{}", f.depth.min(4)), on.then_some("on"))}
                            data-field={f.name.clone()} aria-pressed={on.to_string()} title={range} {onclick}>
                        <span class="line">
                            <span class="label">{ format!("{}: ", f.label) }</span>
                            <span class="value">{ f.value.clone() }</span>
                            <code class="fname">{ f.name.clone() }</code>
                        </span>
                        if let Some(m) = &f.meaning {
                            <span class="meaning">{ m.clone() }</span>
                        }
                    </button>
                </li>
            }
        });
        html! {
            <section class={classes!("layer", l.quoted.then_some("quoted"))} data-proto={l.proto.clone()}>
                <h3>
                    { l.title.clone() }
                    <span class="range">{ format!(" bytes {}–{}", l.offset, end.saturating_sub(1)) }</span>
                    if l.quoted { <span class="tag">{ " quoted" }</span> }
                </h3>
                if let Some(e) = &l.error {
                    <p class="error layer-error">{ format!("Decoding stopped: {e}") }</p>
                }
                <ul class="fields">{ for fields }</ul>
            </section>
        }
    });
    html! {
        <section id="tree" aria-label="Packet detail">
            <h2>{ format!("Packet {}", d.number) }</h2>
            <p class="frame">
                { format!("{} bytes captured, {} on the wire, {}; {} (+{} s)",
                    d.cap_len, d.orig_len, d.link, time::full(d.secs, d.nanos, props.local), d.rel) }
            </p>
            { for layers }
        </section>
    }
}

/// The bytes of the opened packet in hex and ASCII; clicking a byte selects its field.
#[function_component(HexPane)]
pub fn hex_pane(props: &DetailProps) -> Html {
    let d = props.detail.clone();
    let lit = select::ranges(&d, props.mark);
    let onclick = {
        let d = d.clone();
        let cb = props.on_mark.clone();
        Callback::from(move |e: MouseEvent| {
            let off = e
                .target_dyn_into::<Element>()
                .and_then(|el| el.get_attribute("data-off"))
                .and_then(|v| v.parse::<usize>().ok());
            if let Some(off) = off {
                if let Some(m) = select::field_at(&d.layers, off) {
                    cb.emit(m);
                }
            }
        })
    };
    let shown = d.bytes.get(..HEX_MAX).unwrap_or(&d.bytes);
    let lines = shown.chunks(16).enumerate().map(|(i, chunk)| {
        let base = i * 16;
        let hex = chunk.iter().enumerate().map(|(j, b)| {
            let off = base + j;
            let cls = classes!(
                "b",
                select::covers(&lit, off).then_some("hl"),
                (j == 8).then_some("gap")
            );
            html! { <span class={cls} data-off={off.to_string()}>{ format!("{b:02x}") }</span> }
        });
        let ascii = chunk.iter().enumerate().map(|(j, b)| {
            let off = base + j;
            let c = if b.is_ascii_graphic() || *b == b' ' {
                *b as char
            } else {
                '.'
            };
            let cls = classes!("a", select::covers(&lit, off).then_some("hl"));
            html! { <span class={cls} data-off={off.to_string()}>{ c.to_string() }</span> }
        });
        html! {
            <div class="hexline">
                <span class="off" aria-hidden="true">{ format!("{base:04x}") }</span>
                <span class="hex">{ for hex }</span>
                <span class="ascii" aria-hidden="true">{ for ascii }</span>
            </div>
        }
    });
    let lit_text = if lit.is_empty() {
        "Nothing highlighted. Pick a field, a finding or a byte.".to_string()
    } else {
        let parts: Vec<String> = lit
            .iter()
            .map(|(o, l)| {
                if *l <= 1 {
                    format!("byte {o}")
                } else {
                    format!("bytes {o}–{}", o.saturating_add(*l).saturating_sub(1))
                }
            })
            .collect();
        format!("Highlighted: {}", parts.join(", "))
    };
    html! {
        <section id="bytes" aria-label="Packet bytes">
            <h2>{ "Bytes" }</h2>
            <p id="lit" class="lit" aria-live="polite">{ lit_text }</p>
            <div id="hex" class="hexdump" {onclick}>{ for lines }</div>
            if d.bytes.len() > HEX_MAX {
                <p class="note">{ format!("Showing the first {HEX_MAX} of {} bytes.", d.bytes.len()) }</p>
            }
        </section>
    }
}

/// The narrative and findings of the opened packet; clicking a finding lights up its evidence.
#[function_component(ExplainPane)]
pub fn explain_pane(props: &DetailProps) -> Html {
    let d = &props.detail;
    let findings = d.findings.iter().enumerate().map(|(i, f)| {
        let me = Mark::Finding(i);
        let on = props.mark == me;
        let onclick = {
            let cb = props.on_mark.clone();
            Callback::from(move |_: MouseEvent| cb.emit(me))
        };
        let lvl = f.level.as_str();
        html! {
            <li class={classes!("finding", format!("lvl-{lvl}"), on.then_some("on"))} data-finding={f.id.clone()}>
                <button type="button" class="finding-head" aria-pressed={on.to_string()} {onclick}
                        title="Highlight the bytes this finding rests on">
                    <span class={classes!("badge", format!("lvl-{lvl}"))}>{ lvl }</span>
                    <span class="title">{ f.title.clone() }</span>
                </button>
                <p class="text">{ f.text.clone() }</p>
                if !f.next.is_empty() {
                    <p class="next"><strong>{ "What to check next: " }</strong>{ f.next.clone() }</p>
                }
                if let Some(b) = &f.benign {
                    <p class="benign"><strong>{ "Harmless causes: " }</strong>{ b.clone() }</p>
                }
                if !f.references.is_empty() {
                    <div class="refs">
                        <strong>{ "References" }</strong>
                        <ul>{ for f.references.iter().map(|r| html! { <li>{ r.clone() }</li> }) }</ul>
                    </div>
                }
                <p class="fid"><code>{ f.id.clone() }</code></p>
            </li>
        }
    });
    let copy = {
        let cb = props.on_copy.clone();
        let text = explanation_text(d);
        Callback::from(move |_: MouseEvent| cb.emit(text.clone()))
    };
    let follow = {
        let cb = props.on_follow.clone();
        let n = d.number;
        Callback::from(move |_: MouseEvent| cb.emit(n))
    };
    html! {
        <section id="explain" aria-label="Explanation">
            <h2>{ "Explanation" }</h2>
            <div class="pane-tools">
                <button type="button" id="copy-explanation" onclick={copy}>{ "Copy as text" }</button>
                if d.followable {
                    <button type="button" id="follow" onclick={follow}>{ "Follow stream" }</button>
                }
            </div>
            <p id="narrative">{ d.narrative.clone() }</p>
            if !d.context.is_empty() {
                <p id="context">{ d.context.clone() }</p>
            }
            if d.findings.is_empty() {
                <p class="note">{ "No findings for this packet." }</p>
            } else {
                <ol id="findings">{ for findings }</ol>
            }
        </section>
    }
}
