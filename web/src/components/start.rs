//! How a capture gets in: a drop zone and file picker, the menu of built-in examples, and a box
//! to paste a hex dump of one frame.
//!
//! Owns those three entrances and hands what they get to the page as a `File` or as text. It must
//! never read the file itself (the worker does).

use crate::examples::{Example, EXAMPLES};
use web_sys::{DragEvent, Event, File, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StartProps {
    pub on_file: Callback<File>,
    pub on_example: Callback<&'static Example>,
    pub on_hex: Callback<String>,
}

/// The drop target, the file picker, the examples menu and the hex box.
#[function_component(Start)]
pub fn start(props: &StartProps) -> Html {
    let hover = use_state(|| false);
    let hex_open = use_state(|| false);
    let hex_area = use_node_ref();
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
    let on_pick_example = {
        let cb = props.on_example.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Some(ex) = EXAMPLES.iter().find(|x| x.file == sel.value()) {
                    cb.emit(ex);
                }
                // Back to the prompt, so choosing the same example again reloads it.
                sel.set_value("");
            }
        })
    };
    let toggle_hex = {
        let hex_open = hex_open.clone();
        Callback::from(move |_: MouseEvent| hex_open.set(!*hex_open))
    };
    let on_hex_submit = {
        let cb = props.on_hex.clone();
        let area = hex_area.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(t) = area.cast::<HtmlTextAreaElement>() {
                cb.emit(t.value());
            }
        })
    };
    html! {
        <section id="start" aria-label="Open a capture">
            <div id="drop-zone" class={classes!("drop-zone", hover.then_some("hover"))}
                 {ondragover} {ondragleave} {ondrop}>
                <p>{ "Drop a pcap or pcapng file here, or " }
                    <label for="file-input" class="pick">{ "choose one" }</label>
                </p>
                <input id="file-input" type="file" {onchange} />
                <p class="note">{ "The file is read in this browser tab; nothing is uploaded." }</p>
            </div>
            <div class="start-more">
                <label for="examples">{ "Try an example: " }</label>
                <select id="examples" onchange={on_pick_example}>
                    <option value="" selected=true>{ "choose a classic case…" }</option>
                    { for EXAMPLES.iter().map(|x| html! {
                        <option value={x.file} title={x.summary}>{ x.title }</option>
                    }) }
                </select>
                <button type="button" id="hex-toggle" aria-expanded={hex_open.to_string()}
                        aria-controls="hex-form" onclick={toggle_hex}>
                    { "Paste a hex dump" }
                </button>
            </div>
            if *hex_open {
                <form id="hex-form" class="hex-form" onsubmit={on_hex_submit}>
                    <label for="hex-input">
                        { "One frame as hex: tcpdump -x/-xx/-X output, Wireshark's “copy as hex”, hexdump -C, or bare hex digits. \
                           The link layer (Ethernet or raw IP) is guessed from the bytes." }
                    </label>
                    <textarea id="hex-input" ref={hex_area} rows="8" spellcheck="false"
                              placeholder="0x0000:  4500 003c 1c46 4000 4006 b1e6 ac10 0a63" />
                    <button type="submit" id="hex-decode">{ "Decode" }</button>
                </form>
            }
        </section>
    }
}
