//! The capture worker: receives `{ job, file }` (or `{ job, hex }`, a pasted dump made into a
//! one-packet capture here) from the page, reads the file in slices with `Blob.slice` +
//! `arrayBuffer()` into the per-packet index while the core explains every packet and runs the
//! detectors, and then answers the page's questions (a screenful of rows, one packet's detail)
//! by slicing the file again. Filters, followed streams and exports read the file once more.
//!
//! Owns the reading loops and the open file. It must never hold the page's thread (that is why it
//! is a worker), never keep decoded packets, and never send more than what the page draws.

#[path = "worker/helper.rs"]
mod helper;

use js_sys::{Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use tracelens::capture::write::{pcap_bytes, CaptureWriter, PacketRecord};
use tracelens::capture::{Packet, Timestamp};
use tracelens::filter::Filter;
use tracelens::stream::{Direction, StreamBuilder, StreamKey};
use tracelens_web::protocol::{
    ExportKind, FilterErrorView, FromWorker, SegmentView, StreamView, ToWorker, CHUNK, FIRST_CHUNK,
    KEY_BLOB, KEY_DOWNLOAD, KEY_FILE, KEY_HEX, KEY_JOB, MAX_ROWS, MAX_STREAM_BYTES,
};
use tracelens_web::reader::{Index, Job, Rescan};
use tracelens_web::{save_name, view};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

/// The file the page opened last, with the index built so far.
struct Open {
    id: u32,
    file: File,
    job: Rc<RefCell<Job>>,
    /// The helper reads the file and runs the rules (see [`helper`]).
    split: bool,
}

thread_local! {
    // The newest job the page asked for: an older read notices it was replaced and stops.
    static CURRENT: Cell<u32> = const { Cell::new(0) };
    static OPEN: RefCell<Option<Open>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Least time between two progress reports of a read. Each one re-renders the page on its main
/// thread, which shares the machine's cores with the workers: a report per slice (a thousand
/// for a gigabyte) measured 20% slower than this.
const PROGRESS_EVERY_MS: f64 = 200.0;

thread_local! {
    static LAST_PROGRESS: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
}

/// Whether a read should report its progress now: always for its first slice (the page asks
/// for the first rows when it hears of them), then at most every [`PROGRESS_EVERY_MS`].
fn progress_due(first: bool) -> bool {
    let now = js_sys::Date::now();
    LAST_PROGRESS.with(|last| {
        let due = first || now - last.get() >= PROGRESS_EVERY_MS;
        if due {
            last.set(now);
        }
        due
    })
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

/// Asks the browser for the bytes `start..end` of the file; it reads them on its own threads
/// while the returned future waits, so the next slice can be on its way while this one is parsed.
fn request_slice(file: &File, start: u64, end: u64) -> Result<JsFuture, String> {
    let blob = file
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|e| js_error_text(&e))?;
    Ok(JsFuture::from(blob.array_buffer()))
}

async fn receive_slice(request: Result<JsFuture, String>) -> Result<Vec<u8>, String> {
    let buf = request?.await.map_err(|e| js_error_text(&e))?;
    Ok(Uint8Array::new(&buf).to_vec())
}

async fn read_slice(file: &File, start: u64, end: u64) -> Result<Vec<u8>, String> {
    receive_slice(request_slice(file, start, end)).await
}

async fn read_file(id: u32, file: File, job: Rc<RefCell<Job>>) {
    let size = file.size().max(0.0) as u64;
    let mut start = 0u64;
    let mut end = FIRST_CHUNK.min(size);
    let mut request = request_slice(&file, start, end);
    while start < size && !job.borrow().stopped() {
        let received = receive_slice(request).await;
        // The next slice is requested before this one is parsed: reading overlaps the work.
        let next_end = end.saturating_add(CHUNK).min(size);
        request = request_slice(&file, end, next_end);
        match received {
            Ok(bytes) => {
                if CURRENT.with(Cell::get) != id {
                    return;
                }
                let msg = job.borrow_mut().feed(&bytes);
                if progress_due(start == 0) {
                    post(&msg);
                }
                if start == 0 {
                    job.borrow_mut().head = bytes;
                }
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
        end = next_end;
    }
    let msg = job.borrow_mut().finish();
    finished(id, &job, msg);
}

/// Tells the page a file has been read (`done`, the job's final report) and what it holds.
fn finished(id: u32, job: &Rc<RefCell<Job>>, done: FromWorker) {
    post(&done);
    let analysis = {
        let j = job.borrow();
        j.results.as_ref().map(|r| view::analysis(&j.index, r))
    };
    if let Some(a) = analysis {
        post(&FromWorker::Analysis {
            job: id,
            analysis: Box::new(a),
        });
    }
}

/// Reads the whole file again for a filter, a stream or an export, handing each packet the
/// first pass indexed to `each` (a cancelled first pass indexed fewer than the file holds) and
/// calling `slice_done` after each slice. `Ok(false)` when a newer pass or file replaced it.
async fn rescan(
    id: u32,
    pass: u32,
    file: &File,
    job: &Rc<RefCell<Job>>,
    each: &mut dyn FnMut(&Packet),
    slice_done: &mut dyn FnMut(),
) -> Result<bool, String> {
    let size = file.size().max(0.0) as u64;
    let indexed = job.borrow().index.len();
    let mut only_indexed = |p: &Packet| {
        if p.number <= indexed {
            each(p)
        }
    };
    let mut scan = Rescan::new();
    let mut start = 0u64;
    while start < size && !scan.done() {
        let end = start.saturating_add(CHUNK).min(size);
        let bytes = read_slice(file, start, end)
            .await
            .map_err(|e| format!("the browser could not read the file at byte {start}: {e}"))?;
        if CURRENT.with(Cell::get) != id || job.borrow().pass != pass {
            return Ok(false);
        }
        scan.feed(&bytes, &mut only_indexed);
        slice_done();
        start = end;
    }
    scan.finish(&mut only_indexed);
    Ok(true)
}

/// Starts a new pass over the file; any older one stops at its next slice.
fn new_pass(job: &Rc<RefCell<Job>>) -> u32 {
    let mut j = job.borrow_mut();
    j.pass = j.pass.wrapping_add(1);
    j.pass
}

fn not_ready(id: u32, what: &str) -> FromWorker {
    FromWorker::QueryFailed {
        job: id,
        message: format!("{what} once the whole file has been read"),
    }
}

async fn apply_filter(id: u32, expr: String, file: File, job: Rc<RefCell<Job>>) -> FromWorker {
    if !job.borrow().finished() {
        return not_ready(id, "filters apply");
    }
    let f = match Filter::parse(&expr) {
        Ok(f) => f,
        Err(e) => {
            return FromWorker::Filtered {
                job: id,
                expr,
                shown: job.borrow().shown(),
                error: Some(FilterErrorView {
                    at: e.at,
                    len: e.len,
                    message: e.message,
                }),
            }
        }
    };
    let pass = new_pass(&job);
    if f.is_empty() {
        let mut j = job.borrow_mut();
        j.view = None;
        return FromWorker::Filtered {
            job: id,
            expr: String::new(),
            shown: j.shown(),
            error: None,
        };
    }
    let mut keep = Vec::new();
    let checked = Cell::new(0u64);
    let result = {
        let job2 = job.clone();
        let mut each = |p: &Packet| {
            checked.set(checked.get() + 1);
            let d = p.decode();
            let hit = if f.uses_findings() {
                let fs = job2.borrow().findings_of(p.number, &d);
                f.matches(&d, &fs)
            } else {
                f.matches(&d, &[])
            };
            if hit {
                keep.push(p.number);
            }
        };
        let mut progress = || {
            post(&FromWorker::Filtering {
                job: id,
                checked: checked.get(),
            })
        };
        rescan(id, pass, &file, &job, &mut each, &mut progress).await
    };
    match result {
        Ok(true) => {
            let mut j = job.borrow_mut();
            let shown = keep.len() as u64;
            j.view = Some(keep);
            FromWorker::Filtered {
                job: id,
                expr,
                shown,
                error: None,
            }
        }
        // Replaced by a newer filter: that one answers.
        Ok(false) => FromWorker::Filtering {
            job: id,
            checked: checked.get(),
        },
        Err(message) => FromWorker::QueryFailed { job: id, message },
    }
}

async fn follow(id: u32, number: u64, file: File, job: Rc<RefCell<Job>>) -> FromWorker {
    if !job.borrow().finished() {
        return not_ready(id, "streams can be followed");
    }
    let key = match bytes_for(&file, &job, number, 1).await {
        Ok((buf, at)) => {
            let j = job.borrow();
            j.index
                .bytes(number, &buf, at)
                .and_then(|b| view::dissect_packet(&j.index, number, b))
                .and_then(|d| StreamKey::of(&d))
        }
        Err(message) => return FromWorker::QueryFailed { job: id, message },
    };
    let Some(key) = key else {
        return FromWorker::QueryFailed {
            job: id,
            message: format!("packet {number} is not TCP or UDP, so it has no stream to follow"),
        };
    };
    let pass = new_pass(&job);
    let mut b = StreamBuilder::new(key, MAX_STREAM_BYTES);
    let result = {
        let mut each = |p: &Packet| b.push(p.number, &p.data, &p.decode());
        rescan(id, pass, &file, &job, &mut each, &mut || {}).await
    };
    match result {
        Ok(true) => {
            let s = b.finish();
            FromWorker::Stream {
                job: id,
                stream: Box::new(StreamView {
                    number,
                    proto: s.key.proto().name().to_string(),
                    client: s.client.clone(),
                    server: s.server.clone(),
                    packets: s.packets,
                    bytes_from_client: s.bytes_from_client,
                    bytes_from_server: s.bytes_from_server,
                    truncated: s.truncated,
                    notes: s.notes.clone(),
                    segments: s
                        .segments
                        .into_iter()
                        .map(|seg| SegmentView {
                            from_client: seg.direction == Direction::FromClient,
                            number: seg.number,
                            data: seg.data,
                        })
                        .collect(),
                }),
            }
        }
        Ok(false) => FromWorker::QueryFailed {
            job: id,
            message: "replaced by a newer request".to_string(),
        },
        Err(message) => FromWorker::QueryFailed { job: id, message },
    }
}

/// Posts `{ job, download, blob }` for the page to save.
fn post_download(id: u32, name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
        .map_err(|e| js_error_text(&e))?;
    let msg = js_sys::Object::new();
    Reflect::set(&msg, &KEY_JOB.into(), &JsValue::from(id)).map_err(|e| js_error_text(&e))?;
    Reflect::set(&msg, &KEY_DOWNLOAD.into(), &JsValue::from_str(name))
        .map_err(|e| js_error_text(&e))?;
    Reflect::set(&msg, &KEY_BLOB.into(), &blob).map_err(|e| js_error_text(&e))?;
    scope().post_message(&msg).map_err(|e| js_error_text(&e))
}

async fn export(
    id: u32,
    what: ExportKind,
    file: File,
    job: Rc<RefCell<Job>>,
) -> Option<FromWorker> {
    if !job.borrow().finished() {
        return Some(not_ready(id, "files can be saved"));
    }
    let name = file.name();
    let done = match what {
        ExportKind::Markdown | ExportKind::Html => {
            let text = {
                let j = job.borrow();
                let Some(r) = j.results.as_ref() else {
                    return Some(not_ready(id, "the report is ready"));
                };
                let input = tracelens::report::ReportInput {
                    file_name: &name,
                    info_line: j.info_line(),
                    overview: &r.overview,
                    findings: &r.findings,
                };
                if what == ExportKind::Html {
                    tracelens::report::html(&input)
                } else {
                    tracelens::report::markdown(&input)
                }
            };
            if what == ExportKind::Html {
                post_download(
                    id,
                    &save_name(Some(&name), "-report.html"),
                    text.as_bytes(),
                    "text/html",
                )
            } else {
                post_download(
                    id,
                    &save_name(Some(&name), "-report.md"),
                    text.as_bytes(),
                    "text/markdown",
                )
            }
        }
        ExportKind::Capture => {
            let mut links: Vec<u32> = {
                let j = job.borrow();
                j.index
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| j.is_shown(*i as u64 + 1))
                    .map(|(_, e)| e.link_type)
                    .collect()
            };
            links.sort_unstable();
            links.dedup();
            let mut w = CaptureWriter::for_link_types(&links);
            let pcapng = w.is_pcapng();
            let mut out = w.finish();
            let pass = new_pass(&job);
            let result = {
                let job2 = job.clone();
                let mut each = |p: &Packet| {
                    if job2.borrow().is_shown(p.number) {
                        let _ = w.write_into(&PacketRecord::from(p), &mut out);
                    }
                };
                rescan(id, pass, &file, &job, &mut each, &mut || {}).await
            };
            match result {
                Ok(true) => {
                    let suffix = if pcapng {
                        "-shown.pcapng"
                    } else {
                        "-shown.pcap"
                    };
                    post_download(
                        id,
                        &save_name(Some(&name), suffix),
                        &out,
                        "application/vnd.tcpdump.pcap",
                    )
                }
                Ok(false) => return None,
                Err(message) => return Some(FromWorker::QueryFailed { job: id, message }),
            }
        }
    };
    done.err().map(|message| FromWorker::QueryFailed {
        job: id,
        message: format!("could not hand the file over for saving: {message}"),
    })
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
            let cached = usize::try_from(a)
                .ok()
                .zip(usize::try_from(b).ok())
                .and_then(|(a, b)| job.borrow().head.get(a..b).map(<[u8]>::to_vec));
            if let Some(bytes) = cached {
                return Ok((bytes, a));
            }
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
            let total = job.borrow().shown();
            let first = first.max(1);
            let count = count.min(MAX_ROWS).min(total.saturating_sub(first - 1));
            let numbers: Vec<u64> = {
                let j = job.borrow();
                (first..first + count)
                    .filter_map(|p| j.number_at(p))
                    .collect()
            };
            match rows_of(&file, &job, &numbers).await {
                Ok(rows) => FromWorker::Rows {
                    job: id,
                    first,
                    rows,
                },
                Err(message) => FromWorker::QueryFailed { job: id, message },
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
                        let context = j
                            .results
                            .as_ref()
                            .map(|r| r.context(number))
                            .unwrap_or_default();
                        match ix
                            .bytes(number, &buf, at)
                            .and_then(|b| view::detail(ix, number, b, context))
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
        ToWorker::Cancel { job: id } => {
            let split = OPEN.with(|o| o.borrow().as_ref().is_some_and(|o| o.id == id && o.split));
            if split {
                // The helper stops and sends what it has; the job ends when that arrives.
                helper::stop(id);
            } else {
                job.borrow_mut().cancel();
            }
            return;
        }
        ToWorker::Filter { job: id, expr } => apply_filter(id, expr, file, job).await,
        ToWorker::Follow { job: id, number } => follow(id, number, file, job).await,
        ToWorker::Export { job: id, what } => match export(id, what, file, job).await {
            Some(m) => m,
            None => return,
        },
        ToWorker::Locate { job: id, number } => FromWorker::Located {
            job: id,
            number,
            pos: job.borrow().position_of(number),
        },
    };
    // An answer about a file the page has since replaced is of no use to it.
    if CURRENT.with(Cell::get) == msg.job() {
        post(&msg);
    }
}

/// Rows of the given packets (ascending), reading the file in as few slices as the packets'
/// spread allows: neighbours share a slice, far-apart packets (a filtered list) get their own.
async fn rows_of(
    file: &File,
    job: &Rc<RefCell<Job>>,
    numbers: &[u64],
) -> Result<Vec<tracelens_web::protocol::Row>, String> {
    let mut rows = Vec::with_capacity(numbers.len());
    let mut i = 0;
    while let Some(&first) = numbers.get(i) {
        // Extend the run while the slice it needs stays small.
        let mut j = i + 1;
        while let Some(&n) = numbers.get(j) {
            let within = job
                .borrow()
                .index
                .span(first, n - first + 1)
                .is_some_and(|(a, b)| b.saturating_sub(a) <= CHUNK);
            if !within {
                break;
            }
            j += 1;
        }
        let last = numbers.get(j - 1).copied().unwrap_or(first);
        let (buf, at) = bytes_for(file, job, first, last - first + 1).await?;
        let jb = job.borrow();
        let ix: &Index = &jb.index;
        for &n in numbers.get(i..j).unwrap_or(&[]) {
            if let Some(r) = ix.bytes(n, &buf, at).and_then(|b| view::row(ix, n, b)) {
                rows.push(r);
            }
        }
        i = j;
    }
    Ok(rows)
}

fn on_message(ev: MessageEvent) {
    let data = ev.data();
    if let Some(text) = data.as_string() {
        let Some(q) = ToWorker::from_json(&text) else {
            return;
        };
        let id = q.job();
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
    let hex = Reflect::get(&data, &JsValue::from_str(KEY_HEX))
        .ok()
        .and_then(|v| v.as_string());
    CURRENT.with(|c| c.set(id));
    let mut note = None;
    let file = match (file, hex) {
        (Some(f), _) => Some(f),
        (None, Some(text)) => match hex_to_file(&text) {
            Ok((f, why)) => {
                note = Some(why);
                Some(f)
            }
            Err(message) => {
                post(&FromWorker::Failed { job: id, message });
                return;
            }
        },
        (None, None) => None,
    };
    match file {
        Some(file) => {
            let size = file.size().max(0.0) as u64;
            let split = helper::takes(size) && helper::start(id, &file);
            let mut j = if split {
                Job::with_rules_elsewhere(id)
            } else {
                Job::new(id)
            };
            j.note = note;
            j.size = size;
            let job = Rc::new(RefCell::new(j));
            // Replacing the old entry drops its index: only one file is kept at a time.
            OPEN.with(|o| {
                *o.borrow_mut() = Some(Open {
                    id,
                    file: file.clone(),
                    job: job.clone(),
                    split,
                })
            });
            if !split {
                spawn_local(read_file(id, file, job));
            }
        }
        None => post(&FromWorker::Failed {
            job: id,
            message: "the page sent no file".to_string(),
        }),
    }
}

/// A pasted hex dump as a one-packet capture file, and why its link type was chosen.
fn hex_to_file(text: &str) -> Result<(File, String), String> {
    let frame = tracelens::hexinput::parse_hex_dump(text).map_err(|e| e.to_string())?;
    let len = u32::try_from(frame.bytes.len()).unwrap_or(u32::MAX);
    let bytes = pcap_bytes(
        frame.link_type,
        [PacketRecord {
            link_type: frame.link_type,
            ts: Timestamp { secs: 0, nanos: 0 },
            orig_len: len,
            data: &frame.bytes,
        }],
    );
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes.as_slice()));
    let file = File::new_with_u8_array_sequence(&parts, "pasted hex dump.pcap")
        .map_err(|e| js_error_text(&e))?;
    Ok((file, format!("Pasted hex dump: {}", frame.reason)))
}

fn main() {
    // The explanation registry is parsed from its TOML tables on first use, and the browser
    // compiles each function on its first call; doing both now, while the page waits for a
    // file, keeps them out of the time to the first rows.
    let helper = helper::is_helper();
    if !helper {
        // Started first, so it gets ready while this worker does the same.
        helper::spawn();
    }
    let _ = tracelens::explain::registry();
    for ex in tracelens_web::examples::EXAMPLES.iter().take(3) {
        let _ = tracelens_web::view::rehearse(ex.bytes);
    }
    let handler = if helper {
        Closure::<dyn FnMut(MessageEvent)>::new(helper::to_helper)
    } else {
        Closure::<dyn FnMut(MessageEvent)>::new(on_message)
    };
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    handler.forget();
}
