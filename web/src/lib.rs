//! The tracelens page: ways to open a capture (drop, pick, an example, a pasted hex dump), what
//! is known about the file while it is read, the list of all its packets (virtualised: only the
//! visible rows are in the DOM) with a display filter, and for the opened packet its field tree,
//! hex and ASCII bytes, and explanation, linked so that a field or finding lights up its bytes
//! and a byte selects its field; then the findings and the overview of the whole capture, a
//! followed stream, and files to save.
//!
//! Owns what the page shows. It must never parse captures itself (the worker in `bin/worker.rs`
//! does, and answers only view-sized questions, so a large file cannot freeze the page) and
//! never insert capture-derived text as HTML: everything goes through Yew text nodes and plain
//! attributes, which the browser escapes.

pub mod components;
pub mod examples;
pub mod protocol;
pub mod reader;
pub mod select;
pub mod state;
pub mod time;
pub mod view;

use components::{
    detail::{ExplainPane, FieldTree, HexPane},
    filter::FilterBar,
    findings::FindingsView,
    list::PacketList,
    overview::OverviewView,
    report::Report,
    start::Start,
    stream::StreamPane,
};
use examples::Example;
use protocol::{
    ExportKind, FromWorker, ToWorker, KEY_BLOB, KEY_DOWNLOAD, KEY_FILE, KEY_HEX, KEY_JOB,
};
use select::Mark;
use state::{Action, State, Tab, TimeMode};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, File, HtmlElement, MessageEvent, Worker};
use yew::prelude::*;

/// Where index.html's copy-file link puts the worker's hand-written loader.
const WORKER_URL: &str = "./worker_loader.js";

/// Height of one list row in pixels; style.css sets the same (`--row-h`). Fixed, so the list
/// can compute which rows are visible without measuring them.
pub const ROW_H: f64 = 30.0;

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
        let data = ev.data();
        match data.as_string() {
            Some(text) => {
                if let Some(msg) = FromWorker::from_json(&text) {
                    d.dispatch(Action::Worker(msg));
                }
            }
            None => save_download(&data),
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
        return tracelens::capture::count(n, "byte", "bytes");
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

/// Saves a `{ download, blob }` the worker sent, through a temporary object URL.
fn save_download(data: &JsValue) {
    let get = |k: &str| js_sys::Reflect::get(data, &JsValue::from_str(k)).ok();
    let (Some(name), Some(blob)) = (
        get(KEY_DOWNLOAD).and_then(|v| v.as_string()),
        get(KEY_BLOB).and_then(|v| v.dyn_into::<Blob>().ok()),
    ) else {
        return;
    };
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = doc
        .create_element("a")
        .map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>())
    {
        a.set_href(&url);
        a.set_download(&name);
        a.click();
    }
    // The click has started the download; the URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// A file name for saved output: the capture's name without its extension, plus `suffix`.
pub fn save_name(capture: Option<&str>, suffix: &str) -> String {
    let base = capture.unwrap_or("capture");
    let stem = base
        .strip_suffix(".gz")
        .unwrap_or(base)
        .rsplit_once('.')
        .map(|(a, _)| a)
        .filter(|a| !a.is_empty())
        .unwrap_or(base);
    // Names shown by the browser's save dialog: keep them to safe characters.
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{clean}{suffix}")
}

/// Sets a CSS length through the CSSOM: the CSP allows no inline `style` attributes.
pub(crate) fn set_px(node: &NodeRef, prop: &str, px: f64) {
    if let Some(el) = node.cast::<HtmlElement>() {
        let _ = el.style().set_property(prop, &format!("{px}px"));
    }
}

/// Bytes of a `File` made in the page (examples): the same road as a dropped file.
fn file_from_bytes(bytes: &[u8], name: &str) -> Result<File, JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    File::new_with_u8_array_sequence(&parts, name)
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::default);
    let worker: Rc<RefCell<Option<WorkerHandle>>> = use_mut_ref(|| None);
    let next_job = use_mut_ref(|| 0u32);
    let copied = use_state(|| None::<String>);

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

    // Opens something new: a `File` ({ job, file }) or pasted text ({ job, hex }).
    let open = {
        let worker = worker.clone();
        let dispatch = state.dispatcher();
        Callback::from(
            move |(name, size, key, value): (String, u64, &'static str, JsValue)| {
                let job = {
                    let mut n = next_job.borrow_mut();
                    *n = n.wrapping_add(1);
                    *n
                };
                dispatch.dispatch(Action::Start { job, name, size });
                let msg = js_sys::Object::new();
                let sent = js_sys::Reflect::set(&msg, &KEY_JOB.into(), &JsValue::from(job))
                    .and_then(|_| js_sys::Reflect::set(&msg, &key.into(), &value))
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
            },
        )
    };
    let on_file = {
        let open = open.clone();
        Callback::from(move |file: File| {
            let size = file.size().max(0.0) as u64;
            open.emit((file.name(), size, KEY_FILE, file.into()));
        })
    };
    let on_example = {
        let open = open.clone();
        let dispatch = state.dispatcher();
        Callback::from(
            move |ex: &'static Example| match file_from_bytes(ex.bytes, ex.file) {
                Ok(f) => open.emit((
                    ex.file.to_string(),
                    ex.bytes.len() as u64,
                    KEY_FILE,
                    f.into(),
                )),
                Err(_) => dispatch.dispatch(Action::WorkerFailed(
                    "this browser could not make a file of the example".to_string(),
                )),
            },
        )
    };
    let on_hex = {
        let open = open.clone();
        Callback::from(move |text: String| {
            let size = text.len() as u64;
            open.emit((
                "pasted hex dump".to_string(),
                size,
                KEY_HEX,
                JsValue::from_str(&text),
            ));
        })
    };

    let job = state.job;
    let on_cancel = {
        let ask = ask.clone();
        Callback::from(move |_| ask.emit(ToWorker::Cancel { job }))
    };
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
    // Open packet `n` and show it in the list (from "go to", the findings and the overview).
    let on_goto = {
        let dispatch = state.dispatcher();
        let ask = ask.clone();
        let on_open = on_open.clone();
        let packets = state.packets;
        Callback::from(move |n: u64| {
            if packets == 0 {
                return;
            }
            let n = n.clamp(1, packets);
            dispatch.dispatch(Action::Tab(Tab::Packets));
            on_open.emit(n);
            ask.emit(ToWorker::Locate { job, number: n });
        })
    };
    let on_mark = {
        let dispatch = state.dispatcher();
        Callback::from(move |m: Mark| dispatch.dispatch(Action::Mark(m)))
    };
    let on_time = {
        let dispatch = state.dispatcher();
        Callback::from(move |t: TimeMode| dispatch.dispatch(Action::Time(t)))
    };
    let on_local = {
        let dispatch = state.dispatcher();
        Callback::from(move |b: bool| dispatch.dispatch(Action::Local(b)))
    };
    let on_filter = {
        let dispatch = state.dispatcher();
        let ask = ask.clone();
        Callback::from(move |expr: String| {
            dispatch.dispatch(Action::Tab(Tab::Packets));
            dispatch.dispatch(Action::Filtering(expr.clone()));
            ask.emit(ToWorker::Filter { job, expr });
        })
    };
    let on_follow = {
        let dispatch = state.dispatcher();
        let ask = ask.clone();
        Callback::from(move |n: u64| {
            dispatch.dispatch(Action::Tab(Tab::Packets));
            dispatch.dispatch(Action::Follow(Some(n)));
            ask.emit(ToWorker::Follow { job, number: n });
        })
    };
    let on_close_stream = {
        let dispatch = state.dispatcher();
        Callback::from(move |_| dispatch.dispatch(Action::Follow(None)))
    };
    let on_export = {
        let ask = ask.clone();
        Callback::from(move |what: ExportKind| ask.emit(ToWorker::Export { job, what }))
    };
    let on_copy = {
        let copied = copied.clone();
        Callback::from(move |text: String| {
            let copied = copied.clone();
            let Some(clip) = web_sys::window().map(|w| w.navigator().clipboard()) else {
                return;
            };
            let promise = clip.write_text(&text);
            wasm_bindgen_futures::spawn_local(async move {
                let r = wasm_bindgen_futures::JsFuture::from(promise).await;
                copied.set(Some(match r {
                    Ok(_) => "Explanation copied.".to_string(),
                    Err(_) => {
                        "The browser refused the clipboard; select the text instead.".to_string()
                    }
                }));
            });
        })
    };
    let tab = |t: Tab| {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Tab(t)))
    };

    // Child components compare props by value; the state holds only a window of rows and one
    // detail behind `Rc`s, so this copy is cheap.
    let state_rc: Rc<State> = Rc::new((*state).clone());
    let findings_n = state.analysis.as_ref().map(|a| a.groups.len());
    let ready = state.done && state.packets > 0;
    let export = |what: ExportKind| {
        let cb = on_export.clone();
        Callback::from(move |_: MouseEvent| cb.emit(what))
    };
    html! {
        <main>
            <header>
                <h1>{ "tracelens" }</h1>
                <p class="tagline">{ "Open a network capture to see its packets, what they mean, and what stands out." }</p>
            </header>
            <Start {on_file} {on_example} {on_hex} />
            if let Some(err) = &state.worker_error {
                <p id="worker-error" class="error" role="alert">{ err.clone() }</p>
            }
            <Report state={state_rc.clone()} {on_cancel} />
            if state.file_name.is_some() {
                <nav class="tabs" role="tablist" aria-label="Views">
                    <button type="button" role="tab" id="tab-packets" aria-selected={(state.tab == Tab::Packets).to_string()}
                            onclick={tab(Tab::Packets)}>{ "Packets" }</button>
                    <button type="button" role="tab" id="tab-findings" aria-selected={(state.tab == Tab::Findings).to_string()}
                            onclick={tab(Tab::Findings)}>
                        { match findings_n { Some(n) => format!("Findings ({n})"), None => "Findings".to_string() } }
                    </button>
                    <button type="button" role="tab" id="tab-overview" aria-selected={(state.tab == Tab::Overview).to_string()}
                            onclick={tab(Tab::Overview)}>{ "Overview" }</button>
                    <span class="exports">
                        <button type="button" id="export-pcap" disabled={!ready} onclick={export(ExportKind::Capture)}
                                title="The packets the list shows, as a capture file">{ "Save shown packets" }</button>
                        <button type="button" id="export-md" disabled={!ready} onclick={export(ExportKind::Markdown)}>{ "Report (Markdown)" }</button>
                        <button type="button" id="export-html" disabled={!ready} onclick={export(ExportKind::Html)}>{ "Report (HTML)" }</button>
                    </span>
                </nav>
            }
            if let Some(msg) = &*copied {
                <p id="copied" class="note" aria-live="polite">{ msg.clone() }</p>
            }
            if let Some(err) = &state.query_error {
                <p id="query-error" class="error" role="alert">{ err.clone() }</p>
            }
            if state.file_name.is_some() {
                <div hidden={state.tab != Tab::Packets} id="packets-view">
                    <FilterBar key={state.job} state={state_rc.clone()} on_filter={on_filter.clone()} />
                    <PacketList state={state_rc.clone()} {on_rows} {on_select} on_open={on_open.clone()}
                                on_goto={on_goto.clone()} {on_time} {on_local} />
                    if state.following.is_some() {
                        <StreamPane stream={state.stream.clone()} on_close={on_close_stream} on_goto={on_goto.clone()} />
                    }
                    if let Some(d) = &state.detail {
                        <div class="panes">
                            <FieldTree detail={d.clone()} mark={state.mark} on_mark={on_mark.clone()} local={state.local} />
                            <div class="side">
                                <HexPane detail={d.clone()} mark={state.mark} on_mark={on_mark.clone()} />
                                <ExplainPane detail={d.clone()} mark={state.mark} {on_mark}
                                             on_follow={on_follow.clone()} {on_copy} />
                            </div>
                        </div>
                    } else if state.opened.is_some() && state.query_error.is_none() {
                        <p class="note" aria-live="polite">{ "Loading packet…" }</p>
                    }
                </div>
                if state.tab == Tab::Findings {
                    <FindingsView analysis={state.analysis.clone()} on_goto={on_goto.clone()} on_filter={on_filter.clone()} />
                }
                if state.tab == Tab::Overview {
                    <OverviewView analysis={state.analysis.clone()} on_goto={on_goto.clone()} {on_follow} />
                }
            }
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_files_are_named_after_the_capture() {
        assert_eq!(save_name(Some("lab 3.pcapng"), ".md"), "lab_3.md");
        assert_eq!(
            save_name(Some("trace.pcap.gz"), "-shown.pcap"),
            "trace-shown.pcap"
        );
        assert_eq!(save_name(Some(".hidden"), ".md"), ".hidden.md");
        assert_eq!(save_name(None, ".html"), "capture.html");
        assert_eq!(save_name(Some("<x>.pcap"), ".md"), "_x_.md");
    }
}
