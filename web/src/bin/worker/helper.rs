//! Two workers for one big file. The worker the page talks to starts a helper (this same
//! program, under [`HELPER_NAME`]); for a file of [`SPLIT_MIN`] bytes or more the helper reads
//! the file as a stream, runs the per-packet rules on each piece, and hands the pieces on
//! (transferred, not copied) with the levels of the packets they completed. The worker feeds the
//! same bytes to its own job, which keeps the index and runs the flow table, the detectors and
//! the overview, so the two halves of the analysis run on two cores, as the command line's two
//! threads do.
//!
//! Owns the messages between the two and the helper's reading loop. The helper never talks to
//! the page; a worker whose helper failed to start, or stopped, reads files on its own.

use super::{finished, js_error_text, post, progress_due, read_file, scope, Open, CURRENT, OPEN};
use js_sys::{Array, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use tracelens_web::protocol::{
    FromWorker, CHUNK, HELPER_NAME, KEY_ACK, KEY_CUT, KEY_FAILED, KEY_FILE, KEY_GROUPS, KEY_LEVELS,
    KEY_RULES, KEY_SLICE, KEY_START, KEY_STOP, SPLIT_MIN,
};
use tracelens_web::reader::{Job, RulesJob};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ErrorEvent, File, MessageEvent, ReadableStreamDefaultReader, Worker, WorkerOptions};

/// Pieces of the file the helper has read and worked on, not yet handed to the main worker,
/// with the levels of the packets they completed.
#[derive(Default)]
struct Batch {
    pieces: Vec<Uint8Array>,
    len: u64,
    levels: Vec<u8>,
}

impl Batch {
    fn add(&mut self, piece: Uint8Array, levels: Vec<u8>) {
        self.len += u64::from(piece.length());
        self.pieces.push(piece);
        self.levels.extend(levels);
    }

    /// Hands the pieces to the main worker, in order, as the file's bytes from `start` on; their
    /// buffers are transferred, not copied (a piece that shares its buffer is copied first).
    /// Returns their length.
    fn send(&mut self, id: u32, start: u64) -> u64 {
        let len = self.len;
        if len == 0 {
            return 0;
        }
        IN_FLIGHT.with(|n| n.set(n.get().saturating_add(1)));
        let buffers = Array::new();
        for p in self.pieces.drain(..) {
            let whole = p.byte_offset() == 0 && p.byte_length() == p.buffer().byte_length();
            let buffer = if whole {
                p.buffer()
            } else {
                p.slice(0, p.length()).buffer()
            };
            buffers.push(&buffer);
        }
        post_to_main(
            &object(&[
                (KEY_RULES, &JsValue::from(id)),
                (KEY_START, &JsValue::from(start as f64)),
                (KEY_SLICE, &buffers),
                (KEY_LEVELS, &Uint8Array::from(self.levels.as_slice())),
            ]),
            Some(&buffers),
        );
        self.levels.clear();
        self.len = 0;
        len
    }
}

/// The main worker's handle on its helper.
struct Helper {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

thread_local! {
    /// In the main worker: the helper, while it works.
    static HELPER: RefCell<Option<Helper>> = const { RefCell::new(None) };
    /// In the helper: the job it runs (a newer one replaces it).
    static RULES: RefCell<Option<Rc<RefCell<RulesJob>>>> = const { RefCell::new(None) };
    /// In the helper: batches handed on and not yet acknowledged.
    static IN_FLIGHT: Cell<u32> = const { Cell::new(0) };
    /// In the helper: wakes the reading loop waiting for room (see [`room`]).
    static WAKE: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Batches the helper may hand on before the main worker has taken them: enough to keep it
/// busy, few enough that the bytes waiting in its queue stay small whatever the file's size,
/// and that a cancel stops the reading within a few mebibytes.
const WINDOW: u32 = 4;

/// In the helper: the job it runs now, if any.
fn current() -> Option<u32> {
    RULES.with(|r| r.borrow().as_ref().map(|j| j.borrow().id))
}

/// True in the helper.
pub fn is_helper() -> bool {
    scope().name() == HELPER_NAME
}

fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// The job a message between the worker and its helper is about.
fn job_id(data: &JsValue) -> Option<u32> {
    get(data, KEY_RULES)
        .and_then(|v| v.as_f64())
        .map(|f| f as u32)
}

fn object(pairs: &[(&str, &JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

// ----- the main worker's side -----

/// Starts the helper, which then gets ready while the page waits for a file (a file sent to it
/// sooner waits in its loader's queue). Without nested workers, or once the helper failed, every
/// file is read by this worker alone.
pub fn spawn() {
    let opts = WorkerOptions::new();
    opts.set_name(HELPER_NAME);
    // The same loader this worker was started with, next to it.
    let Ok(worker) = Worker::new_with_options("./worker_loader.js", &opts) else {
        return;
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(from_helper);
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(|_: ErrorEvent| helper_failed());
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    HELPER.with(|h| {
        *h.borrow_mut() = Some(Helper {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    });
}

/// Whether a file of `size` bytes is worth splitting and there is a helper to take it.
pub fn takes(size: u64) -> bool {
    size >= SPLIT_MIN && HELPER.with(|h| h.borrow().is_some())
}

fn send(msg: &JsValue) -> bool {
    HELPER.with(|h| {
        h.borrow()
            .as_ref()
            .is_some_and(|h| h.worker.post_message(msg).is_ok())
    })
}

/// Hands the helper a file to read for job `id`; false if it could not be asked.
pub fn start(id: u32, file: &File) -> bool {
    send(&object(&[
        (KEY_RULES, &JsValue::from(id)),
        (KEY_FILE, file.as_ref()),
    ]))
}

/// Tells the helper one more batch of job `id` was taken.
fn ack(id: u32) {
    send(&object(&[
        (KEY_RULES, &JsValue::from(id)),
        (KEY_ACK, &JsValue::TRUE),
    ]));
}

/// Asks the helper to stop reading job `id`; it then sends what it has, which ends the job here.
pub fn stop(id: u32) {
    send(&object(&[
        (KEY_RULES, &JsValue::from(id)),
        (KEY_STOP, &JsValue::TRUE),
    ]));
}

/// The helper stopped with an error: it is dropped, and a file it was reading is read again
/// here from the start (the page's rows stay valid: the same packets come again).
fn helper_failed() {
    let old = HELPER.with(|h| h.borrow_mut().take());
    if let Some(h) = old {
        h.worker.terminate();
    }
    let open = OPEN.with(|o| {
        o.borrow()
            .as_ref()
            .filter(|o| o.split && o.id == CURRENT.with(Cell::get))
            .map(|o| (o.id, o.file.clone(), o.job.borrow().finished()))
    });
    if let Some((id, file, false)) = open {
        let mut j = Job::new(id);
        j.size = file.size().max(0.0) as u64;
        let job = Rc::new(RefCell::new(j));
        OPEN.with(|o| {
            *o.borrow_mut() = Some(Open {
                id,
                file: file.clone(),
                job: job.clone(),
                split: false,
            })
        });
        spawn_local(read_file(id, file, job));
    }
}

/// A message from the helper: a slice with its levels, a read failure, or the end.
fn from_helper(ev: MessageEvent) {
    let data = ev.data();
    let Some(id) = job_id(&data) else {
        return;
    };
    let Some(job) = OPEN.with(|o| {
        o.borrow()
            .as_ref()
            .filter(|o| o.id == id && o.split && CURRENT.with(Cell::get) == id)
            .map(|o| o.job.clone())
    }) else {
        // A file the page has since replaced.
        return;
    };
    let levels = get(&data, KEY_LEVELS)
        .map(|v| Uint8Array::new(&v).to_vec())
        .unwrap_or_default();
    let start = get(&data, KEY_START)
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    if let Some(pieces) = get(&data, KEY_SLICE) {
        let msg = {
            let mut j = job.borrow_mut();
            let mut msg = None;
            for p in Array::from(&pieces).iter() {
                let bytes = Uint8Array::new(&p).to_vec();
                msg = Some(j.feed(&bytes));
                if start == 0.0 && j.head.is_empty() {
                    j.head = bytes;
                }
            }
            j.apply_levels(&levels);
            msg
        };
        ack(id);
        let Some(msg) = msg else {
            return;
        };
        if progress_due(start == 0.0) {
            post(&msg);
        }
    } else if let Some(why) = get(&data, KEY_FAILED).and_then(|v| v.as_string()) {
        post(&FromWorker::Failed {
            job: id,
            message: format!("the browser could not read the file at byte {start}: {why}"),
        });
    } else if let Some(groups) = get(&data, KEY_GROUPS).and_then(|v| v.as_string()) {
        // Written by the same program a moment ago; a failure would be a bug, and then the
        // per-packet findings are missing rather than the file.
        let groups = serde_json::from_str(&groups).unwrap_or_default();
        let msg = {
            let mut j = job.borrow_mut();
            if get(&data, KEY_CUT).is_some_and(|v| v.is_truthy()) {
                j.cancel();
            }
            let msg = j.finish_with(groups);
            j.apply_levels(&levels);
            msg
        };
        finished(id, &job, msg);
    }
}

// ----- the helper's side -----

/// Posts to the main worker, handing over the buffers in `transfer` without a copy.
fn post_to_main(msg: &JsValue, transfer: Option<&Array>) {
    // Fails only if the main worker is gone, and then there is no one to tell.
    let _ = match transfer {
        Some(t) => scope().post_message_with_transfer(msg, t),
        None => scope().post_message(msg),
    };
}

/// A message from the main worker: a file to read, or stop.
pub fn to_helper(ev: MessageEvent) {
    let data = ev.data();
    let Some(id) = job_id(&data) else {
        return;
    };
    if get(&data, KEY_ACK).is_some() {
        if current() == Some(id) {
            IN_FLIGHT.with(|n| n.set(n.get().saturating_sub(1)));
            wake();
        }
        return;
    }
    if get(&data, KEY_STOP).is_some() {
        if current() == Some(id) {
            RULES.with(|r| {
                if let Some(j) = r.borrow().as_ref() {
                    j.borrow_mut().stop();
                }
            });
            wake();
        }
        return;
    }
    let Some(file) = get(&data, KEY_FILE).and_then(|v| v.dyn_into::<File>().ok()) else {
        return;
    };
    let job = Rc::new(RefCell::new(RulesJob::new(id)));
    RULES.with(|r| *r.borrow_mut() = Some(job.clone()));
    IN_FLIGHT.with(|n| n.set(0));
    // A loop of an older file waiting for room wakes, sees it was replaced, and ends.
    wake();
    spawn_local(read_rules(id, file, job));
}

fn wake() {
    if let Some(f) = WAKE.with(|w| w.borrow_mut().take()) {
        let _ = f.call0(&JsValue::NULL);
    }
}

/// Waits until fewer than [`WINDOW`] batches wait in the main worker's queue (or the loop
/// should stop: a stop, a newer file).
async fn room(id: u32, job: &Rc<RefCell<RulesJob>>) {
    while IN_FLIGHT.with(Cell::get) >= WINDOW && current() == Some(id) && !job.borrow().stopped() {
        let woken = js_sys::Promise::new(&mut |resolve, _| {
            WAKE.with(|w| *w.borrow_mut() = Some(resolve));
        });
        let _ = JsFuture::from(woken).await;
    }
}

/// Reads the file as a stream (the browser's fastest way through a whole file: several times
/// faster than slice after slice), running the rules on each piece as it comes and handing the
/// pieces on in batches: the first one at once (for the first rows), then about a `CHUNK` each.
async fn read_rules(id: u32, file: File, job: Rc<RefCell<RulesJob>>) {
    let size = file.size().max(0.0) as u64;
    let reader: ReadableStreamDefaultReader = file.stream().get_reader().unchecked_into();
    let mut batch = Batch::default();
    let mut start = 0u64;
    let mut ended = false;
    while !job.borrow().stopped() {
        room(id, &job).await;
        if current() != Some(id) {
            let _ = reader.cancel();
            return;
        }
        if job.borrow().stopped() {
            break;
        }
        let piece = match JsFuture::from(reader.read()).await {
            Ok(r) if get(&r, "done").is_some_and(|d| d.is_truthy()) => {
                ended = true;
                None
            }
            Ok(r) => get(&r, "value").map(Uint8Array::from),
            Err(e) => {
                post_to_main(
                    &object(&[
                        (KEY_RULES, &JsValue::from(id)),
                        (KEY_START, &JsValue::from(start as f64)),
                        (KEY_FAILED, &JsValue::from_str(&js_error_text(&e))),
                    ]),
                    None,
                );
                return;
            }
        };
        if current() != Some(id) {
            let _ = reader.cancel();
            return;
        }
        let Some(piece) = piece else {
            break;
        };
        let levels = job.borrow_mut().feed(&piece.to_vec());
        batch.add(piece, levels);
        if start == 0 || batch.len >= CHUNK {
            start += batch.send(id, start);
        }
    }
    if !ended {
        // Stopped: the rest of the file is not wanted.
        let _ = reader.cancel();
    }
    start += batch.send(id, start);
    // A stop that came after the last piece was read cut nothing.
    let stopped_early = start < size && job.borrow().asked_to_stop();
    let (levels, groups) = {
        let mut j = job.borrow_mut();
        let levels = j.finish();
        (
            levels,
            serde_json::to_string(j.groups()).unwrap_or_default(),
        )
    };
    post_to_main(
        &object(&[
            (KEY_RULES, &JsValue::from(id)),
            (KEY_LEVELS, &Uint8Array::from(levels.as_slice())),
            (KEY_GROUPS, &JsValue::from_str(&groups)),
            (KEY_CUT, &JsValue::from_bool(stopped_early)),
        ]),
        None,
    );
}
