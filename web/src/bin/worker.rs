//! The capture worker: receives `{ job, file }` from the page, reads the file in slices with
//! `Blob.slice` + `arrayBuffer()`, and posts JSON progress and the final report back.
//!
//! Owns the reading loop. It must never hold the page's thread (that is why it is a worker) and
//! never send more than what the page draws.

use js_sys::{Reflect, Uint8Array};
use std::cell::Cell;
use tracelens_web::protocol::{FromWorker, CHUNK, KEY_FILE, KEY_JOB};
use tracelens_web::reader::Job;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

thread_local! {
    // The newest job the page asked for: an older read notices it was replaced and stops.
    static CURRENT: Cell<u32> = const { Cell::new(0) };
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

async fn read_file(id: u32, file: File) {
    let size = file.size().max(0.0) as u64;
    let mut job = Job::new(id);
    let mut start = 0u64;
    while start < size && !job.stopped() {
        let end = start.saturating_add(CHUNK).min(size);
        match read_slice(&file, start, end).await {
            Ok(bytes) => {
                if CURRENT.with(Cell::get) != id {
                    return;
                }
                post(&job.feed(&bytes));
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
    post(&job.finish());
}

fn on_message(ev: MessageEvent) {
    let data = ev.data();
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
        Some(file) => spawn_local(read_file(id, file)),
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
