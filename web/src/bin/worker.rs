//! The capture worker: receives `{ job, file }` from the page, reads the file in slices with
//! `Blob.slice` + `arrayBuffer()` into the per-packet index, and then answers the page's
//! questions (a screenful of rows, one packet's detail) by slicing the file again.
//!
//! Owns the reading loop and the open file. It must never hold the page's thread (that is why it
//! is a worker), never keep decoded packets, and never send more than what the page draws.

use js_sys::{Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use tracelens_web::protocol::{FromWorker, ToWorker, CHUNK, KEY_FILE, KEY_JOB, MAX_ROWS};
use tracelens_web::reader::{Index, Job};
use tracelens_web::view;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

/// The file the page opened last, with the index built so far.
struct Open {
    id: u32,
    file: File,
    job: Rc<RefCell<Job>>,
}

thread_local! {
    // The newest job the page asked for: an older read notices it was replaced and stops.
    static CURRENT: Cell<u32> = const { Cell::new(0) };
    static OPEN: RefCell<Option<Open>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(msg: &FromWorker) {
    // postMessage of a string only fails if the page is gone; nothing useful to do then.
    let _ = scope().post_message(&JsValue::from_str(&msg.to_json()));
}

fn js_error_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            Reflect::get(e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "unknown error".to_string())
}

async fn read_slice(file: &File, start: u64, end: u64) -> Result<Vec<u8>, String> {
    let blob = file
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|e| js_error_text(&e))?;
    let buf = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| js_error_text(&e))?;
    Ok(Uint8Array::new(&buf).to_vec())
}

async fn read_file(id: u32, file: File, job: Rc<RefCell<Job>>) {
    let size = file.size().max(0.0) as u64;
    let mut start = 0u64;
    while start < size && !job.borrow().stopped() {
        let end = start.saturating_add(CHUNK).min(size);
        match read_slice(&file, start, end).await {
            Ok(bytes) => {
                if CURRENT.with(Cell::get) != id {
                    return;
                }
                let msg = job.borrow_mut().feed(&bytes);
                post(&msg);
            }
            Err(message) => {
                post(&FromWorker::Failed {
                    job: id,
                    message: format!(
                        "the browser could not read the file at byte {start}: {message}"
                    ),
                });
                return;
            }
        }
        start = end;
    }
    let msg = job.borrow_mut().finish();
    post(&msg);
}

/// The file bytes that hold packets `first..first + count`, and where they start; empty for
/// captures whose packets the index keeps in memory.
async fn bytes_for(
    file: &File,
    job: &Rc<RefCell<Job>>,
    first: u64,
    count: u64,
) -> Result<(Vec<u8>, u64), String> {
    let span = job.borrow().index.span(first, count);
    match span {
        None => Ok((Vec::new(), 0)),
        Some((a, b)) => {
            let b = b.min(file.size().max(0.0) as u64);
            read_slice(file, a, b)
                .await
                .map(|v| (v, a))
                .map_err(|e| format!("the browser could not read the file at byte {a}: {e}"))
        }
    }
}

async fn answer(q: ToWorker, file: File, job: Rc<RefCell<Job>>) {
    let msg = match q {
        ToWorker::Rows {
            job: id,
            first,
            count,
        } => {
            let total = job.borrow().index.len();
            let first = first.max(1);
            let count = count.min(MAX_ROWS).min(total.saturating_sub(first - 1));
            if count == 0 {
                FromWorker::Rows {
                    job: id,
                    first,
                    rows: Vec::new(),
                }
            } else {
                match bytes_for(&file, &job, first, count).await {
                    Ok((buf, at)) => {
                        let j = job.borrow();
                        let ix: &Index = &j.index;
                        let rows = (first..first + count)
                            .filter_map(|n| view::row(ix, n, ix.bytes(n, &buf, at)?))
                            .collect();
                        FromWorker::Rows {
                            job: id,
                            first,
                            rows,
                        }
                    }
                    Err(message) => FromWorker::QueryFailed { job: id, message },
                }
            }
        }
        ToWorker::Detail { job: id, number } => {
            let known = job.borrow().index.get(number).is_some();
            if !known {
                FromWorker::QueryFailed {
                    job: id,
                    message: format!("there is no packet {number} (yet)"),
                }
            } else {
                match bytes_for(&file, &job, number, 1).await {
                    Ok((buf, at)) => {
                        let j = job.borrow();
                        let ix = &j.index;
                        match ix
                            .bytes(number, &buf, at)
                            .and_then(|b| view::detail(ix, number, b))
                        {
                            Some(d) => FromWorker::Detail {
                                job: id,
                                detail: Box::new(d),
                            },
                            None => FromWorker::QueryFailed {
                                job: id,
                                message: format!(
                                    "packet {number} is no longer where it was in the file; \
                                     was the file changed? Open it again."
                                ),
                            },
                        }
                    }
                    Err(message) => FromWorker::QueryFailed { job: id, message },
                }
            }
        }
    };
    // An answer about a file the page has since replaced is of no use to it.
    if CURRENT.with(Cell::get) == msg.job() {
        post(&msg);
    }
}

fn on_message(ev: MessageEvent) {
    let data = ev.data();
    if let Some(text) = data.as_string() {
        let Some(q) = ToWorker::from_json(&text) else {
            return;
        };
        let id = match &q {
            ToWorker::Rows { job, .. } | ToWorker::Detail { job, .. } => *job,
        };
        let open = OPEN.with(|o| {
            o.borrow()
                .as_ref()
                .filter(|o| o.id == id)
                .map(|o| (o.file.clone(), o.job.clone()))
        });
        if let Some((file, job)) = open {
            spawn_local(answer(q, file, job));
        }
        return;
    }
    let id = Reflect::get(&data, &JsValue::from_str(KEY_JOB))
        .ok()
        .and_then(|v| v.as_f64())
        .map(|f| f as u32)
        .unwrap_or(0);
    let file = Reflect::get(&data, &JsValue::from_str(KEY_FILE))
        .ok()
        .and_then(|v| v.dyn_into::<File>().ok());
    CURRENT.with(|c| c.set(id));
    match file {
        Some(file) => {
            let job = Rc::new(RefCell::new(Job::new(id)));
            // Replacing the old entry drops its index: only one file is kept at a time.
            OPEN.with(|o| {
                *o.borrow_mut() = Some(Open {
                    id,
                    file: file.clone(),
                    job: job.clone(),
                })
            });
            spawn_local(read_file(id, file, job));
        }
        None => post(&FromWorker::Failed {
            job: id,
            message: "the page sent no file".to_string(),
        }),
    }
}

fn main() {
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    handler.forget();
}
