//! The tracelens page: a drop zone and file picker, what is known about the file, the list of all
//! its packets (virtualised: only the visible rows are in the DOM), and for the opened packet its
//! field tree, hex and ASCII bytes, and explanation, linked so that a field or finding lights up
//! its bytes and a byte selects its field.
//!
//! Owns what the page shows. It must never parse captures itself (the worker in `bin/worker.rs`
//! does, and answers only view-sized questions, so a large file cannot freeze the page) and
//! never insert capture-derived text as HTML: everything goes through Yew text nodes and plain
//! attributes, which the browser escapes.

pub mod protocol;
pub mod reader;
pub mod select;
pub mod state;
pub mod view;

use protocol::{Detail, FromWorker, ToWorker, KEY_FILE, KEY_JOB};
use select::Mark;
use state::{Action, State};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    DragEvent, Element, Event, File, HtmlElement, HtmlInputElement, MessageEvent, Worker,
};
use yew::prelude::*;

/// Where index.html's copy-file link puts the worker's hand-written loader.
const WORKER_URL: &str = "./worker_loader.js";

/// Height of one list row in pixels; style.css sets the same (`--row-h`). Fixed, so the list
/// can compute which rows are visible without measuring them.
pub const ROW_H: f64 = 30.0;

/// Rows asked for above and below the visible ones, so small scrolls need no new answer.
const OVERSCAN: u64 = 30;

/// Longest frame the hex pane draws byte by byte; the rest is summarised.
const HEX_MAX: usize = 16 * 1024;

/// The worker and the callbacks it holds; dropping it stops the worker.
struct WorkerHandle {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn spawn_worker(dispatch: UseReducerDispatcher<State>) -> Result<WorkerHandle, JsValue> {
    let worker = Worker::new(WORKER_URL)?;
    let d = dispatch.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        if let Some(msg) = ev
            .data()
            .as_string()
            .as_deref()
            .and_then(FromWorker::from_json)
        {
            d.dispatch(Action::Worker(msg));
        }
    });
    // A panic or load failure in the worker would otherwise leave the page at "reading" forever.
    let on_error =
        Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
            ev.prevent_default();
            let msg = ev.message();
            dispatch.dispatch(Action::WorkerFailed(if msg.is_empty() {
                "the capture worker could not start".to_string()
            } else {
                msg
            }));
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(WorkerHandle {
        worker,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Formats a byte count for the progress line.
pub fn fmt_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = UNITS[0];
    for u in UNITS.iter().skip(1) {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

/// Sets a CSS length through the CSSOM: the CSP allows no inline `style` attributes.
fn set_px(node: &NodeRef, prop: &str, px: f64) {
    if let Some(el) = node.cast::<HtmlElement>() {
        let _ = el.style().set_property(prop, &format!("{px}px"));
    }
}

#[derive(Properties, PartialEq)]
struct DropZoneProps {
    on_file: Callback<File>,
}

/// The drop target and the file picker; both hand a `File` to `on_file`.
#[function_component(DropZone)]
fn drop_zone(props: &DropZoneProps) -> Html {
    let hover = use_state(|| false);
    let ondragover = {
        let hover = hover.clone();
        Callback::from(move |e: DragEvent| {
            // Without this the browser opens the dropped file itself instead of giving it to us.
            e.prevent_default();
            hover.set(true);
        })
    };
    let ondragleave = {
        let hover = hover.clone();
        Callback::from(move |_: DragEvent| hover.set(false))
    };
    let ondrop = {
        let hover = hover.clone();
        let on_file = props.on_file.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            hover.set(false);
            if let Some(f) = e
                .data_transfer()
                .and_then(|dt| dt.files())
                .and_then(|l| l.get(0))
            {
                on_file.emit(f);
            }
        })
    };
    let onchange = {
        let on_file = props.on_file.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                if let Some(f) = input.files().and_then(|l| l.get(0)) {
                    on_file.emit(f);
                }
                // Clearing lets the person pick the same file again after replacing it.
                input.set_value("");
            }
        })
    };
    html! {
        <div id="drop-zone" class={classes!("drop-zone", hover.then_some("hover"))}
             {ondragover} {ondragleave} {ondrop}>
            <p>{ "Drop a pcap or pcapng file here, or " }
                <label for="file-input" class="pick">{ "choose one" }</label>
            </p>
            <input id="file-input" type="file" {onchange} />
            <p class="note">{ "The file is read in this browser tab; nothing is uploaded." }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct StateProps {
    state: Rc<State>,
}

/// What is known about the current file.
#[function_component(Report)]
fn report(props: &StateProps) -> Html {
    let s = &props.state;
    let Some(name) = &s.file_name else {
        return html! {};
    };
    let progress = if s.done {
        format!(
            "Read {} packets, {} of {}.",
            s.packets,
            fmt_bytes(s.bytes),
            fmt_bytes(s.size)
        )
    } else {
        format!(
            "Reading… {} packets, {} of {}",
            s.packets,
            fmt_bytes(s.bytes),
            fmt_bytes(s.size)
        )
    };
    html! {
        <section id="report" aria-label="File">
            <h2 id="file-name">{ name.clone() }</h2>
            <p id="progress" class="progress" aria-live="polite">{ progress }</p>
            <dl class="facts">
                <dt>{ "Format" }</dt>
                <dd id="format">{ s.format.clone().unwrap_or_else(|| "unknown yet".to_string()) }</dd>
                <dt>{ "Packets" }</dt>
                <dd id="packet-count">{ s.packets }</dd>
            </dl>
            if let Some(err) = &s.error {
                <p id="read-error" class="error" role="alert">{ err.clone() }</p>
            }
            if !s.notes.is_empty() {
                <ul id="notes" class="notes">
                    { for s.notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }
                </ul>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ListProps {
    state: Rc<State>,
    /// Ask the worker for rows `first..first + count`.
    on_rows: Callback<(u64, u64)>,
    on_select: Callback<u64>,
    on_open: Callback<u64>,
    on_abs_time: Callback<bool>,
}

/// The packet list: a header, then a scroller whose content is as tall as all rows but holds
/// only the visible ones (plus a few), placed by CSSOM lengths.
#[function_component(PacketList)]
fn packet_list(props: &ListProps) -> Html {
    let s = &props.state;
    let scroller = use_node_ref();
    let body = use_node_ref();
    let block = use_node_ref();
    // (scroll top, viewport height) as last measured.
    let geo = use_state(|| (0.0f64, 400.0f64));
    let asked = use_mut_ref(|| None::<(u32, u64, u64)>);

    let total = s.packets;
    let w = select::window(total, ROW_H, geo.1, geo.0);

    {
        // Measure after every render: the viewport height changes with the window and fonts.
        let scroller = scroller.clone();
        let geo = geo.clone();
        let (body, block) = (body.clone(), block.clone());
        use_effect(move || {
            set_px(&body, "height", w.content_h);
            set_px(&block, "top", w.first_top);
            if let Some(el) = scroller.cast::<Element>() {
                let now = (f64::from(el.scroll_top()), f64::from(el.client_height()));
                if now != *geo && now.1 > 0.0 {
                    geo.set(now);
                }
            }
        });
    }
    {
        let on_rows = props.on_rows.clone();
        let state = s.clone();
        let asked = asked.clone();
        use_effect_with(
            (s.job, w.first, w.count, total, s.rows_first, s.rows.len()),
            move |_| {
                if total > 0 && !state.has_rows(w.first, w.count) {
                    let lo = w.first.saturating_sub(OVERSCAN).max(1);
                    let hi = w
                        .first
                        .saturating_add(w.count)
                        .saturating_add(OVERSCAN)
                        .min(total + 1);
                    let want = (state.job, lo, hi - lo);
                    // The same question again would get the same short answer; wait for new packets.
                    if *asked.borrow() != Some(want) {
                        *asked.borrow_mut() = Some(want);
                        on_rows.emit((lo, hi - lo));
                    }
                }
            },
        );
    }

    let onscroll = {
        let geo = geo.clone();
        let scroller = scroller.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<Element>() {
                geo.set((f64::from(el.scroll_top()), f64::from(el.client_height())));
            }
        })
    };

    // Scrolls so row `n` is fully visible, moving as little as possible.
    let reveal = {
        let scroller = scroller.clone();
        move |n: u64| {
            let Some(el) = scroller.cast::<Element>() else {
                return;
            };
            let view_h = f64::from(el.client_height());
            let top = f64::from(el.scroll_top());
            let w = select::window(total, ROW_H, view_h, top);
            let fit = ((view_h / ROW_H).floor() as u64).max(1);
            let target = if n <= w.first {
                Some(select::scroll_for(total, ROW_H, view_h, n))
            } else if n >= w.first + fit {
                Some(select::scroll_for(total, ROW_H, view_h, n + 1 - fit))
            } else {
                None
            };
            if let Some(t) = target {
                el.set_scroll_top(t.round() as i32);
            }
        }
    };

    let onkeydown = {
        let on_select = props.on_select.clone();
        let on_open = props.on_open.clone();
        let selected = s.selected;
        let reveal = reveal.clone();
        let page = ((geo.1 / ROW_H).floor() as u64).max(1);
        Callback::from(move |e: KeyboardEvent| {
            if total == 0 {
                return;
            }
            let cur = selected.unwrap_or(0);
            let next = match e.key().as_str() {
                "ArrowDown" => cur.saturating_add(1),
                "ArrowUp" => cur.saturating_sub(1),
                "PageDown" => cur.saturating_add(page),
                "PageUp" => cur.saturating_sub(page),
                "Home" => 1,
                "End" => total,
                "Enter" | " " => {
                    e.prevent_default();
                    if let Some(n) = selected {
                        on_open.emit(n);
                    }
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            let next = next.clamp(1, total);
            on_select.emit(next);
            reveal(next);
        })
    };

    let goto_input = use_node_ref();
    let onsubmit = {
        let on_open = props.on_open.clone();
        let goto_input = goto_input.clone();
        let scroller = scroller.clone();
        let reveal = reveal.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = goto_input.cast::<HtmlInputElement>() else {
                return;
            };
            if let Ok(n) = input.value().trim().parse::<u64>() {
                if total > 0 {
                    let n = n.clamp(1, total);
                    on_open.emit(n);
                    reveal(n);
                    // Keyboard users continue in the list from the packet they jumped to.
                    if let Some(el) = scroller.cast::<HtmlElement>() {
                        let _ = el.focus();
                    }
                }
            }
        })
    };
    let on_abs = {
        let cb = props.on_abs_time.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                cb.emit(input.checked());
            }
        })
    };

    if s.file_name.is_none() {
        return html! {};
    }
    let rows = (w.first..w.first.saturating_add(w.count)).map(|n| {
        let selected = s.selected == Some(n);
        let onclick = {
            let on_open = props.on_open.clone();
            Callback::from(move |_: MouseEvent| on_open.emit(n))
        };
        let row_class = |lvl: &str| {
            classes!(
                "row",
                format!("lvl-{lvl}"),
                selected.then_some("selected"),
                (s.opened == Some(n)).then_some("opened")
            )
        };
        match s.row(n) {
            Some(r) => {
                let lvl = r.level.as_str();
                let time = if s.abs_time { r.abs.clone() } else { r.rel.clone() };
                html! {
                    <div class={row_class(lvl)} role="row" key={n} id={format!("row-{n}")}
                         aria-rowindex={(n + 1).to_string()} aria-selected={selected.to_string()}
                         data-number={n.to_string()} {onclick}>
                        <span class="c mark" role="gridcell">
                            <span class={classes!("dot", format!("lvl-{lvl}"))} aria-hidden="true"></span>
                            <span class="sr-only">{ if r.level == protocol::Level::None { "no findings".to_string() } else { lvl.to_string() } }</span>
                        </span>
                        <span class="c num" role="gridcell">{ n }</span>
                        <span class="c time" role="gridcell">{ time }</span>
                        <span class="c addr" role="gridcell" title={r.src.clone()}>{ r.src.clone() }</span>
                        <span class="c addr" role="gridcell" title={r.dst.clone()}>{ r.dst.clone() }</span>
                        <span class="c proto" role="gridcell">{ r.proto.clone() }</span>
                        <span class="c len" role="gridcell">{ r.len }</span>
                        <span class="c summary" role="gridcell" title={r.summary.clone()}>{ r.summary.clone() }</span>
                    </div>
                }
            }
            None => html! {
                <div class={row_class("none")} role="row" key={n} aria-rowindex={(n + 1).to_string()}
                     aria-selected={selected.to_string()} data-number={n.to_string()} {onclick}>
                    <span class="c mark" role="gridcell"></span>
                    <span class="c num" role="gridcell">{ n }</span>
                    <span class="c loading" role="gridcell">{ "…" }</span>
                </div>
            },
        }
    });
    let active = s.selected.map(|n| format!("row-{n}"));
    html! {
        <section id="list" aria-label="Packets">
            <div class="list-tools">
                <form id="goto" {onsubmit}>
                    <label for="goto-input">{ "Go to packet" }</label>
                    <input id="goto-input" ref={goto_input} type="number" min="1" max={total.to_string()} inputmode="numeric" />
                    <button type="submit">{ "Go" }</button>
                </form>
                <label class="abs-time">
                    <input id="abs-time" type="checkbox" checked={s.abs_time} onchange={on_abs} />
                    { " Absolute time (UTC)" }
                </label>
                <span class="hint">{ "↑/↓ move, Enter opens" }</span>
            </div>
            <div id="packets" role="grid" aria-label="Packet list" aria-rowcount={(total + 1).to_string()}
                 class={classes!("grid", s.abs_time.then_some("abs"))}>
                <div class="row head" role="row" aria-rowindex="1">
                    <span class="c mark" role="columnheader"><span class="sr-only">{ "Severity" }</span></span>
                    <span class="c num" role="columnheader">{ "No." }</span>
                    <span class="c time" role="columnheader">{ if s.abs_time { "Time (UTC)" } else { "Time (s)" } }</span>
                    <span class="c addr" role="columnheader">{ "Source" }</span>
                    <span class="c addr" role="columnheader">{ "Destination" }</span>
                    <span class="c proto" role="columnheader">{ "Protocol" }</span>
                    <span class="c len" role="columnheader">{ "Length" }</span>
                    <span class="c summary" role="columnheader">{ "Summary" }</span>
                </div>
                <div id="scroller" class="scroller" ref={scroller} tabindex="0" {onscroll} {onkeydown}
                     aria-activedescendant={active}>
                    <div class="body" ref={body}>
                        <div class="block" ref={block} role="rowgroup">{ for rows }</div>
                    </div>
                </div>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DetailProps {
    detail: Rc<Detail>,
    mark: Mark,
    on_mark: Callback<Mark>,
}

/// The field tree of the opened packet.
#[function_component(FieldTree)]
fn field_tree(props: &DetailProps) -> Html {
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
                { format!("{} bytes captured, {} on the wire, {}; {} UTC (+{} s)",
                    d.cap_len, d.orig_len, d.link, d.abs, d.rel) }
            </p>
            { for layers }
        </section>
    }
}

/// The bytes of the opened packet in hex and ASCII; clicking a byte selects its field.
#[function_component(HexPane)]
fn hex_pane(props: &DetailProps) -> Html {
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
fn explain_pane(props: &DetailProps) -> Html {
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
    html! {
        <section id="explain" aria-label="Explanation">
            <h2>{ "Explanation" }</h2>
            <p id="narrative">{ d.narrative.clone() }</p>
            if d.findings.is_empty() {
                <p class="note">{ "No findings for this packet." }</p>
            } else {
                <ol id="findings">{ for findings }</ol>
            }
        </section>
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::default);
    let worker: Rc<RefCell<Option<WorkerHandle>>> = use_mut_ref(|| None);
    let next_job = use_mut_ref(|| 0u32);

    {
        let worker = worker.clone();
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            match spawn_worker(dispatch.clone()) {
                Ok(h) => *worker.borrow_mut() = Some(h),
                Err(_) => dispatch.dispatch(Action::WorkerFailed(
                    "this browser could not start the capture worker".to_string(),
                )),
            }
            move || drop(worker.borrow_mut().take())
        });
    }

    let ask = {
        let worker = worker.clone();
        let dispatch = state.dispatcher();
        Callback::from(move |q: ToWorker| {
            let sent = match worker.borrow().as_ref() {
                Some(h) => h.worker.post_message(&JsValue::from_str(&q.to_json())),
                None => Err(JsValue::from_str("the capture worker is not running")),
            };
            if let Err(e) = sent {
                dispatch.dispatch(Action::WorkerFailed(
                    e.as_string()
                        .unwrap_or_else(|| "could not ask the worker".to_string()),
                ));
            }
        })
    };

    let on_file = {
        let worker = worker.clone();
        let dispatch = state.dispatcher();
        Callback::from(move |file: File| {
            let job = {
                let mut n = next_job.borrow_mut();
                *n = n.wrapping_add(1);
                *n
            };
            dispatch.dispatch(Action::Start {
                job,
                name: file.name(),
                size: file.size().max(0.0) as u64,
            });
            let msg = js_sys::Object::new();
            let sent = js_sys::Reflect::set(&msg, &KEY_JOB.into(), &JsValue::from(job))
                .and_then(|_| js_sys::Reflect::set(&msg, &KEY_FILE.into(), &file))
                .and_then(|_| match worker.borrow().as_ref() {
                    Some(h) => h.worker.post_message(&msg),
                    None => Err(JsValue::from_str("the capture worker is not running")),
                });
            if let Err(e) = sent {
                dispatch
                    .dispatch(Action::WorkerFailed(e.as_string().unwrap_or_else(|| {
                        "could not hand the file to the worker".to_string()
                    })));
            }
        })
    };

    let job = state.job;
    let on_rows = {
        let ask = ask.clone();
        Callback::from(move |(first, count): (u64, u64)| {
            ask.emit(ToWorker::Rows { job, first, count })
        })
    };
    let on_select = {
        let dispatch = state.dispatcher();
        Callback::from(move |n: u64| dispatch.dispatch(Action::Select(n)))
    };
    let on_open = {
        let dispatch = state.dispatcher();
        let ask = ask.clone();
        Callback::from(move |n: u64| {
            dispatch.dispatch(Action::Open(n));
            ask.emit(ToWorker::Detail { job, number: n });
        })
    };
    let on_mark = {
        let dispatch = state.dispatcher();
        Callback::from(move |m: Mark| dispatch.dispatch(Action::Mark(m)))
    };
    let on_abs_time = {
        let dispatch = state.dispatcher();
        Callback::from(move |b: bool| dispatch.dispatch(Action::AbsTime(b)))
    };

    // Child components compare props by value; the state holds only a window of rows and one
    // detail behind `Rc`s, so this copy is cheap.
    let state_rc: Rc<State> = Rc::new((*state).clone());
    html! {
        <main>
            <header>
                <h1>{ "tracelens" }</h1>
                <p class="tagline">{ "Open a network capture to see its packets." }</p>
            </header>
            <DropZone {on_file} />
            if let Some(err) = &state.worker_error {
                <p id="worker-error" class="error" role="alert">{ err.clone() }</p>
            }
            <Report state={state_rc.clone()} />
            <PacketList state={state_rc.clone()} {on_rows} {on_select} {on_open} {on_abs_time} />
            if let Some(err) = &state.query_error {
                <p id="query-error" class="error" role="alert">{ err.clone() }</p>
            }
            if let Some(d) = &state.detail {
                <div class="panes">
                    <FieldTree detail={d.clone()} mark={state.mark} on_mark={on_mark.clone()} />
                    <div class="side">
                        <HexPane detail={d.clone()} mark={state.mark} on_mark={on_mark.clone()} />
                        <ExplainPane detail={d.clone()} mark={state.mark} {on_mark} />
                    </div>
                </div>
            } else if state.opened.is_some() && state.query_error.is_none() {
                <p class="note" aria-live="polite">{ "Loading packet…" }</p>
            }
        </main>
    }
}
