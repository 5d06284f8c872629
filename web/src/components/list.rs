//! The packet list: columns No., Time, Source, Destination, Protocol, Length and Summary, each
//! row marked by its worst finding; virtualised (only the visible rows are in the DOM) so every
//! row of a million-packet capture is reachable by scrolling, the keyboard or "go to packet".
//!
//! Owns the list's geometry and keyboard handling. Positions are places in the list as shown
//! (all packets, or those the filter kept); the worker maps them to packet numbers. It must
//! never ask for more rows than fit on screen plus a margin.

use crate::protocol::Level;
use crate::select;
use crate::state::{State, TimeMode};
use crate::time;
use crate::{set_px, ROW_H};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, HtmlElement, HtmlInputElement, HtmlSelectElement, ResizeObserver,
    ResizeObserverEntry,
};
use yew::prelude::*;

/// Rows asked for above and below the visible ones, so small scrolls need no new answer.
const OVERSCAN: u64 = 30;

#[derive(Properties, PartialEq)]
pub struct ListProps {
    pub state: Rc<State>,
    /// Ask the worker for rows at positions `first..first + count`.
    pub on_rows: Callback<(u64, u64)>,
    /// Move the cursor to a position.
    pub on_select: Callback<u64>,
    /// Open the packet at a position (its detail).
    pub on_open: Callback<u64>,
    /// Go to a packet by its number.
    pub on_goto: Callback<u64>,
    pub on_time: Callback<TimeMode>,
    pub on_local: Callback<bool>,
}

/// The packet list: a header, then a scroller whose content is as tall as all rows but holds
/// only the visible ones (plus a few), placed by CSSOM lengths.
#[function_component(PacketList)]
pub fn packet_list(props: &ListProps) -> Html {
    let s = &props.state;
    let scroller = use_node_ref();
    let body = use_node_ref();
    let block = use_node_ref();
    // (scroll top, viewport height) as last measured.
    // The scroller's scroll offset and height, as last reported by its scroll events and its
    // ResizeObserver.
    let top = use_state_eq(|| 0.0f64);
    let view_h = use_state_eq(|| 400.0f64);
    let asked = use_mut_ref(|| None::<(u32, u32, u64, u64)>);

    let total = s.shown;
    let w = select::window(total, ROW_H, *view_h, *top);

    {
        // Only writes here: reading layout (scrollTop, clientHeight) after each render would
        // force the browser to lay the page out again for every message from the worker.
        let (body, block) = (body.clone(), block.clone());
        use_effect_with((w.content_h.to_bits(), w.first_top.to_bits()), move |_| {
            set_px(&body, "height", w.content_h);
            set_px(&block, "top", w.first_top);
        });
    }
    {
        // The viewport's height comes from a ResizeObserver, which reports once when it starts
        // and then on every change, as part of the browser's own layout.
        let scroller = scroller.clone();
        let view_h = view_h.clone();
        use_effect_with((), move |_| {
            let observer = scroller.cast::<Element>().and_then(|el| {
                let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                    let height = entries
                        .get(0)
                        .dyn_into::<ResizeObserverEntry>()
                        .ok()
                        .map(|e| e.content_rect().height());
                    if let Some(h) = height.filter(|h| *h > 0.0) {
                        view_h.set(h);
                    }
                });
                let ro = ResizeObserver::new(cb.as_ref().unchecked_ref()).ok()?;
                ro.observe(&el);
                Some((ro, cb))
            });
            move || {
                if let Some((ro, _cb)) = observer {
                    ro.disconnect();
                }
            }
        });
    }
    {
        let on_rows = props.on_rows.clone();
        let state = s.clone();
        let asked = asked.clone();
        use_effect_with(
            (
                s.job,
                s.rows_seq,
                w.first,
                w.count,
                total,
                s.rows_first,
                s.rows.len(),
            ),
            move |_| {
                if total > 0 && !state.has_rows(w.first, w.count) {
                    let lo = w.first.saturating_sub(OVERSCAN).max(1);
                    let hi = w
                        .first
                        .saturating_add(w.count)
                        .saturating_add(OVERSCAN)
                        .min(total + 1);
                    let want = (state.job, state.rows_seq, lo, hi - lo);
                    // The same question again would get the same short answer; wait for new packets.
                    if *asked.borrow() != Some(want) {
                        *asked.borrow_mut() = Some(want);
                        on_rows.emit((lo, hi - lo));
                    }
                }
            },
        );
    }

    {
        // "Go to packet" and the findings view's packet links land here: scroll the row in.
        let scroller = scroller.clone();
        let jump = s.jump;
        use_effect_with(s.jump_seq, move |_| {
            if let (Some(n), Some(el)) = (jump, scroller.cast::<HtmlElement>()) {
                let view_h = f64::from(el.client_height());
                let t = select::scroll_for(total, ROW_H, view_h, n.saturating_sub(2).max(1));
                el.set_scroll_top(t.round() as i32);
                let _ = el.focus();
            }
        });
    }

    let onscroll = {
        let top = top.clone();
        let scroller = scroller.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<Element>() {
                top.set(f64::from(el.scroll_top()));
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
        let selected_number = selected.and_then(|p| s.number_at(p));
        let reveal = reveal.clone();
        let page = ((*view_h / ROW_H).floor() as u64).max(1);
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
                    if let Some(n) = selected_number {
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
        let on_goto = props.on_goto.clone();
        let goto_input = goto_input.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = goto_input.cast::<HtmlInputElement>() else {
                return;
            };
            if let Ok(n) = input.value().trim().parse::<u64>() {
                on_goto.emit(n);
            }
        })
    };
    let on_time = {
        let cb = props.on_time.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                cb.emit(match sel.value().as_str() {
                    "delta" => TimeMode::Delta,
                    "absolute" => TimeMode::Absolute,
                    _ => TimeMode::Relative,
                });
            }
        })
    };
    let on_local = {
        let cb = props.on_local.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                cb.emit(input.checked());
            }
        })
    };

    if s.file_name.is_none() {
        return html! {};
    }
    let abs = s.time == TimeMode::Absolute;
    let rows = (w.first..w.first.saturating_add(w.count)).map(|pos| {
        let selected = s.selected == Some(pos);
        let number = s.number_at(pos);
        let onclick = {
            let on_select = props.on_select.clone();
            let on_open = props.on_open.clone();
            Callback::from(move |_: MouseEvent| {
                on_select.emit(pos);
                if let Some(n) = number {
                    on_open.emit(n);
                }
            })
        };
        let row_class = |lvl: &str| {
            classes!(
                "row",
                format!("lvl-{lvl}"),
                selected.then_some("selected"),
                (number.is_some() && s.opened == number).then_some("opened")
            )
        };
        match s.row(pos) {
            Some(r) => {
                let lvl = r.level.as_str();
                let time = time::cell(s.time, s.local, &r.rel, &r.delta, r.secs, r.nanos);
                html! {
                    <div class={row_class(lvl)} role="row" key={pos} id={format!("row-{pos}")}
                         aria-rowindex={(pos + 1).to_string()} aria-selected={selected.to_string()}
                         data-number={r.number.to_string()} {onclick}>
                        <span class="c mark" role="gridcell">
                            <span class={classes!("dot", format!("lvl-{lvl}"))} aria-hidden="true"></span>
                            <span class="sr-only">{ if r.level == Level::None { "no findings".to_string() } else { lvl.to_string() } }</span>
                        </span>
                        <span class="c num" role="gridcell">{ r.number }</span>
                        <span class="c time" role="gridcell">{ time }</span>
                        <span class="c addr" role="gridcell" title={r.src.clone()}>{ r.src.clone() }</span>
                        <span class="c addr" role="gridcell" title={r.dst.clone()}>{ r.dst.clone() }</span>
                        <span class="c proto" role="gridcell">{ r.proto.clone() }</span>
                        <span class="c len" role="gridcell">{ r.len }</span>
                        <span class="c summary" role="gridcell" title={r.summary.clone()}>{ r.info.clone() }</span>
                    </div>
                }
            }
            None => html! {
                <div class={row_class("none")} role="row" key={pos} aria-rowindex={(pos + 1).to_string()}
                     aria-selected={selected.to_string()} {onclick}>
                    <span class="c mark" role="gridcell"></span>
                    <span class="c num" role="gridcell"></span>
                    <span class="c loading" role="gridcell">{ "…" }</span>
                </div>
            },
        }
    });
    let active = s.selected.map(|n| format!("row-{n}"));
    let filtered = !s.filter.is_empty();
    html! {
        <section id="list" aria-label="Packets">
            <div class="list-tools">
                <form id="goto" {onsubmit}>
                    <label for="goto-input">{ "Go to packet" }</label>
                    <input id="goto-input" ref={goto_input} type="number" min="1" max={s.packets.to_string()} inputmode="numeric" />
                    <button type="submit">{ "Go" }</button>
                </form>
                <label class="time-mode">{ "Time " }
                    <select id="time-mode" onchange={on_time}>
                        <option value="relative" selected={s.time == TimeMode::Relative}>{ "since first packet" }</option>
                        <option value="delta" selected={s.time == TimeMode::Delta}>{ "since previous packet" }</option>
                        <option value="absolute" selected={s.time == TimeMode::Absolute}>{ "date and time" }</option>
                    </select>
                </label>
                <label class="local-time">
                    <input id="local-time" type="checkbox" checked={s.local} onchange={on_local} />
                    { " Local time (not UTC)" }
                </label>
                <span id="shown" class="hint" aria-live="polite">{
                    if filtered { format!("{} of {} packets shown", s.shown, s.packets) }
                    else { format!("{} packets", s.packets) }
                }</span>
                <span class="hint">{ "↑/↓ move, Enter opens" }</span>
            </div>
            <div id="packets" role="grid" aria-label="Packet list" aria-rowcount={(total + 1).to_string()}
                 class={classes!("grid", abs.then_some("abs"))}>
                <div class="row head" role="row" aria-rowindex="1">
                    <span class="c mark" role="columnheader"><span class="sr-only">{ "Severity" }</span></span>
                    <span class="c num" role="columnheader">{ "No." }</span>
                    <span class="c time" role="columnheader">{ time::heading(s.time, s.local) }</span>
                    <span class="c addr" role="columnheader">{ "Source" }</span>
                    <span class="c addr" role="columnheader">{ "Destination" }</span>
                    <span class="c proto" role="columnheader">{ "Protocol" }</span>
                    <span class="c len" role="columnheader">{ "Length" }</span>
                    <span class="c summary" role="columnheader">{ "Info" }</span>
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
