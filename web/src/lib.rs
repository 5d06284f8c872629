//! The tracelens page: a drop zone and file picker, a progress line, the capture's format, packet
//! count and read error, and the first summary lines.
//!
//! Owns what the page shows. It must never parse captures itself (the worker in `bin/worker.rs`
//! does, so a large file cannot freeze the page) and never insert capture-derived text as HTML:
//! everything goes through Yew text nodes, which the browser escapes.

pub mod protocol;
pub mod reader;
pub mod state;

use protocol::{FromWorker, KEY_FILE, KEY_JOB};
use state::{Action, State};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, Event, File, HtmlInputElement, MessageEvent, Worker};
use yew::prelude::*;

/// Where Trunk puts the worker's loader (`data-loader-shim` on the worker link in index.html).
const WORKER_URL: &str = "./worker_loader.js";

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

/// What is known about the current file.
#[function_component(Report)]
fn report(props: &ReportProps) -> Html {
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
        <section id="report">
            <h2 id="file-name">{ name.clone() }</h2>
            <p id="progress" class="progress">{ progress }</p>
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
            if !s.rows.is_empty() {
                <table id="packets">
                    <caption>{ format!("First {} packets", s.rows.len()) }</caption>
                    <thead><tr><th>{ "No." }</th><th>{ "Time (UTC)" }</th><th>{ "Summary" }</th></tr></thead>
                    <tbody>
                        { for s.rows.iter().map(|r| html! {
                            <tr key={r.number}>
                                <td class="num">{ r.number }</td>
                                <td class="time">{ r.time.clone() }</td>
                                <td class="summary">{ r.summary.clone() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ReportProps {
    state: Rc<State>,
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

    // The report compares props by value; a copy of at most MAX_ROWS rows per render is cheap.
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
            <Report state={state_rc} />
        </main>
    }
}
