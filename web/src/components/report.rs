//! What is known about the open file while it is read and after: its name, format, a progress
//! bar with packets and bytes, a cancel button, and the reader's errors and notes.
//!
//! Owns that summary. It must never show capture text other than as text nodes.

use crate::fmt_bytes;
use crate::state::State;
use std::rc::Rc;
use tracelens::capture::count;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ReportProps {
    pub state: Rc<State>,
    pub on_cancel: Callback<()>,
}

#[function_component(Report)]
pub fn report(props: &ReportProps) -> Html {
    let s = &props.state;
    let Some(name) = &s.file_name else {
        return html! {};
    };
    let progress = if s.done {
        let verb = if s.cancelled { "Stopped after" } else { "Read" };
        format!(
            "{verb} {}, {} of {}.",
            count(s.packets, "packet", "packets"),
            fmt_bytes(s.bytes),
            fmt_bytes(s.size)
        )
    } else {
        format!(
            "Reading… {}, {} of {}",
            count(s.packets, "packet", "packets"),
            fmt_bytes(s.bytes),
            fmt_bytes(s.size)
        )
    };
    // The bar counts bytes read; a gzip file is measured by its compressed size, as read.
    let max = s.size.max(1);
    // A file read to its end fills the bar; a cancelled one shows how far the reading got.
    let value = if s.done && !s.cancelled {
        max
    } else {
        s.bytes.min(max)
    };
    let onclick = {
        let cb = props.on_cancel.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <section id="report" aria-label="File">
            <h2 id="file-name">{ name.clone() }</h2>
            <div class="progress-line">
                <progress id="progress-bar" max={max.to_string()} value={value.to_string()}
                          aria-label="Reading progress"></progress>
                <p id="progress" class="progress" aria-live="polite"
                   data-workers={s.workers.to_string()}>{ progress }</p>
                if !s.done {
                    <button type="button" id="cancel" {onclick}>{ "Cancel" }</button>
                }
            </div>
            if s.cancelled {
                <p id="cancelled" class="note">
                    { "You stopped the reading: the packets read so far are shown and analysed; the rest of the file is not." }
                </p>
            }
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
