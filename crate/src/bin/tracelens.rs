//! The `tracelens` command line: reads a capture (streamed, never whole in memory) and prints
//! capture facts, one summary line per packet, JSON per packet, one packet's field tree, or the
//! decoding of a hex dump read from standard input.
//!
//! Exit status: 0 when the whole input was read, 1 when it was read in part and the error was
//! reported, 2 when it could not be read at all (or the command line was wrong).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;
use tracelens::capture::{CaptureInfo, CaptureReader, Event, Format, Packet, ReadError};
use tracelens::decode::linktype;
use tracelens::explain::{packet_finding_ids, registry, Severity};
use tracelens::filter::Filter;
use tracelens::render::{self, FrameMeta};

const USAGE: &str = "\
tracelens: decode and explain network captures (pcap, pcapng, gzip-compressed either)

Usage:
  tracelens info FILE             format, link types, interfaces, packets, bytes, times, problems
  tracelens packets FILE [--json] [-Y EXPR]
                                  one tcpdump-style line per packet, or one JSON object per packet;
                                  -Y (--filter) keeps only packets a Wireshark-style display filter
                                  matches, e.g. -Y 'tcp.port == 80 and not ip.addr == 10.0.0.0/8'
  tracelens show FILE -n N        packet N's field tree with byte ranges, then its hex dump
  tracelens explain FILE [--packet N] [--json]
                                  per packet: summary line, what it is doing, and the findings
  tracelens findings FILE [--json] every finding of the capture: per-packet ones grouped by id,
                                  then the cross-packet detections (scans, sweeps, floods...)
  tracelens flows FILE [--json]    conversations with packets and bytes each way, TCP state and history
  tracelens summary FILE          overview: protocols, top talkers, conversations, findings, and
                                  a short account of what happened in the capture
  tracelens hex [--link eth|raw] [--explain]
                                  decode a hex dump read from standard input
  tracelens report [--html] FILE  the findings report as Markdown, or as one self-contained HTML page
  tracelens follow -n N [--hex] FILE
                                  the TCP or UDP stream packet N belongs to, each side's payload
                                  in order, as text (or as a hex dump)
  tracelens export -o OUT [-n A-B] [-Y EXPR] FILE
                                  write the packets (all, numbers A to B, those the filter keeps)
                                  to OUT: pcap when they share one link type, pcapng otherwise

Exit status: 0 the whole file was read; 1 read in part (the error is printed); 2 unreadable.
";

/// How much of the file is read at a time: bounded memory whatever the file's size.
const CHUNK: usize = 1 << 20;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("info") => with_file(&args, cmd_info),
        Some("packets") => {
            let json = args.iter().any(|a| a == "--json");
            match display_filter(&args) {
                Ok(filter) => with_file(&args, |path| cmd_packets(path, json, filter.as_ref())),
                Err(outcome) => Ok(outcome),
            }
        }
        Some("show") => match packet_number(&args) {
            Some(n) => with_file(&args, |path| cmd_show(path, n)),
            None => usage_error("show needs a packet number: tracelens show FILE -n N"),
        },
        Some("hex") => cmd_hex(&args),
        Some("flows") => {
            let json = args.iter().any(|a| a == "--json");
            with_file(&args, |path| cmd_flows(path, json))
        }
        Some("summary") => with_file(&args, cmd_summary),
        Some("findings") => {
            let json = args.iter().any(|a| a == "--json");
            with_file(&args, |path| cmd_findings(path, json))
        }
        Some("explain") => {
            let json = args.iter().any(|a| a == "--json");
            let only = packet_number(&args);
            with_file(&args, |path| cmd_explain(path, only, json))
        }
        Some("report") => {
            let as_html = args.iter().any(|a| a == "--html");
            with_file(&args, |path| cmd_report(path, as_html))
        }
        Some("follow") => match packet_number(&args) {
            Some(n) => {
                let hex = args.iter().any(|a| a == "--hex");
                with_file(&args, |path| cmd_follow(path, n, hex))
            }
            None => usage_error("follow needs a packet number: tracelens follow -n N FILE"),
        },
        Some("export") => cmd_export(&args),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(Outcome::Complete)
        }
        Some(other) => usage_error(&format!("unknown command '{other}'")),
        None => usage_error("no command given"),
    };
    match result {
        Ok(Outcome::Complete) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(1),
        Ok(Outcome::Unreadable) => ExitCode::from(2),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tracelens: {e}");
            ExitCode::from(2)
        }
    }
}

enum Outcome {
    Complete,
    Partial,
    Unreadable,
}

fn usage_error(msg: &str) -> io::Result<Outcome> {
    eprintln!("tracelens: {msg}\n\n{USAGE}");
    Ok(Outcome::Unreadable)
}

fn packet_number(args: &[String]) -> Option<u64> {
    let i = args.iter().position(|a| a == "-n" || a == "--packet")?;
    args.get(i + 1)?.parse().ok()
}

/// The first argument after the command that is not an option or an option's value.
fn file_arg(args: &[String]) -> Option<&str> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        if a == "-n" || a == "--packet" || a == "--link" || a == "-Y" || a == "--filter" {
            it.next();
        } else if !a.starts_with('-') {
            return Some(a);
        }
    }
    None
}

fn with_file(args: &[String], f: impl FnOnce(&str) -> io::Result<Outcome>) -> io::Result<Outcome> {
    match file_arg(args) {
        Some(path) => f(path),
        None => usage_error("a capture FILE is needed"),
    }
}

/// Streams a capture file through the reader, handing each packet to `on_packet` (which returns
/// false to stop early). Returns the reader (for its info) and the error that ended reading.
fn stream(
    path: &str,
    on_packet: impl FnMut(&Packet, &CaptureInfo) -> io::Result<bool>,
) -> io::Result<(CaptureReader, Option<ReadError>)> {
    stream_upto(path, u64::MAX, on_packet)
}

/// Like [`stream`], reading at most the first `limit` bytes of the file.
fn stream_upto(
    path: &str,
    limit: u64,
    mut on_packet: impl FnMut(&Packet, &CaptureInfo) -> io::Result<bool>,
) -> io::Result<(CaptureReader, Option<ReadError>)> {
    let mut file = File::open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{path}: {e}")))?
        .take(limit);
    let mut reader = CaptureReader::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        match reader.next() {
            Event::Packet(p) => {
                if !on_packet(&p, reader.info())? {
                    return Ok((reader, None));
                }
            }
            Event::NeedMore => {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    reader.finish();
                } else {
                    reader.feed(buf.get(..n).unwrap_or(&[]));
                }
            }
            Event::End => return Ok((reader, None)),
            Event::Error(e) => return Ok((reader, Some(e))),
        }
    }
}

/// Prints the read error and chooses the exit status.
fn finish(info: &CaptureInfo, err: Option<ReadError>) -> Outcome {
    match err {
        None => Outcome::Complete,
        Some(e) => {
            eprintln!("tracelens: {e}");
            if info.format.is_none() {
                Outcome::Unreadable
            } else {
                Outcome::Partial
            }
        }
    }
}

fn meta(p: &Packet, first: Option<(i64, u32)>) -> FrameMeta {
    let (fs, fnanos) = first.unwrap_or((p.ts.secs, p.ts.nanos));
    let rel = (i128::from(p.ts.secs) - i128::from(fs)) * 1_000_000_000 + i128::from(p.ts.nanos)
        - i128::from(fnanos);
    FrameMeta {
        number: p.number,
        secs: p.ts.secs,
        nanos: p.ts.nanos,
        rel_nanos: rel,
        cap_len: p.cap_len,
        orig_len: p.orig_len,
        interface: p.interface,
        link_type: p.link_type,
    }
}

/// `number time summary`, the line `packets` and `explain` start each packet with.
fn packet_line(p: &Packet, summary: &str) -> String {
    format!(
        "{:>6} {} {}",
        p.number,
        p.ts.format_utc(),
        render::escape_text(summary)
    )
}

/// The `-Y EXPR` / `--filter EXPR` display filter, if given. A bad expression is reported with
/// a caret under the offending text, and the command exits 2.
fn display_filter(args: &[String]) -> Result<Option<Filter>, Outcome> {
    let mut expr = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-Y" || a == "--filter" {
            match it.next() {
                Some(e) => expr = Some(e.as_str()),
                None => {
                    let _ = usage_error(&format!("{a} needs a filter expression"));
                    return Err(Outcome::Unreadable);
                }
            }
        } else if let Some(e) = a.strip_prefix("--filter=") {
            expr = Some(e);
        }
    }
    let Some(expr) = expr else { return Ok(None) };
    match Filter::parse(expr) {
        Ok(f) if f.is_empty() => Ok(None),
        Ok(f) => Ok(Some(f)),
        Err(e) => {
            let caret = e.caret(expr).replace('\n', "\n    ");
            eprintln!("tracelens: bad filter: {e}\n    {caret}");
            Err(Outcome::Unreadable)
        }
    }
}

/// For filters that mention findings: a first pass over the file runs the cross-packet
/// detectors, and returns, by packet number, the detections each packet is evidence for.
fn detection_ids(path: &str) -> io::Result<HashMap<u64, Vec<(&'static str, Severity)>>> {
    let mut analyzer = tracelens::detect::Analyzer::new();
    stream(path, |p, _| {
        let d = p.decode();
        analyzer.observe(&tracelens::detect::Observed {
            number: p.number,
            ts: p.ts,
            d: &d,
        });
        Ok(true)
    })?;
    let detections = analyzer.finish();
    let mut by_packet: HashMap<u64, Vec<(&'static str, Severity)>> = HashMap::new();
    for det in &detections {
        let Some(e) = registry().get(det.finding.id) else {
            continue;
        };
        for &n in &det.packets {
            let ids = by_packet.entry(n).or_default();
            if !ids.iter().any(|(id, _)| *id == det.finding.id) {
                ids.push((det.finding.id, e.severity));
            }
        }
    }
    Ok(by_packet)
}

/// A display filter ready to run over a file: for expressions that mention findings, the
/// cross-packet detections were gathered by a first pass.
struct Selection<'f> {
    filter: &'f Filter,
    detections: HashMap<u64, Vec<(&'static str, Severity)>>,
    found: Vec<(&'static str, Severity)>,
}

impl<'f> Selection<'f> {
    fn new(filter: &'f Filter, path: &str) -> io::Result<Self> {
        let detections = if filter.uses_findings() {
            detection_ids(path)?
        } else {
            HashMap::new()
        };
        Ok(Selection {
            filter,
            detections,
            found: Vec::new(),
        })
    }

    /// Does the filter keep packet `p`, decoded as `d`?
    fn keeps(&mut self, p: &Packet, d: &tracelens::decode::Dissection) -> bool {
        self.found.clear();
        if self.filter.uses_findings() {
            for x in packet_finding_ids(p.number, d) {
                if let Some(e) = registry().get(x) {
                    if !self.found.iter().any(|(id, _)| *id == x) {
                        self.found.push((x, e.severity));
                    }
                }
            }
            let cross = self.detections.get(&p.number).map(Vec::as_slice);
            for &(id, sev) in cross.unwrap_or(&[]) {
                if !self.found.iter().any(|(i, _)| *i == id) {
                    self.found.push((id, sev));
                }
            }
        }
        self.filter.matches(d, &self.found)
    }
}

fn cmd_packets(path: &str, json: bool, filter: Option<&Filter>) -> io::Result<Outcome> {
    let mut selection = filter.map(|f| Selection::new(f, path)).transpose()?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut first = None;
    let (reader, err) = stream(path, |p, _| {
        let first_ts = *first.get_or_insert((p.ts.secs, p.ts.nanos));
        let d = p.decode();
        if let Some(sel) = selection.as_mut() {
            if !sel.keeps(p, &d) {
                return Ok(true);
            }
        }
        if json {
            let obj = render::packet_json(&meta(p, Some(first_ts)), &d);
            serde_json::to_writer(&mut out, &obj).map_err(io::Error::other)?;
            out.write_all(b"\n")?;
        } else {
            writeln!(
                out,
                "{}",
                packet_line(p, &tracelens::summary::summary_line(&d))
            )?;
        }
        Ok(true)
    })?;
    out.flush()?;
    Ok(finish(reader.info(), err))
}

fn cmd_show(path: &str, n: u64) -> io::Result<Outcome> {
    let mut first = None;
    let mut shown = false;
    let mut out = String::new();
    let (reader, err) = stream(path, |p, info| {
        let first_ts = *first.get_or_insert((p.ts.secs, p.ts.nanos));
        if p.number != n {
            return Ok(true);
        }
        let d = p.decode();
        out.push_str(&render::field_tree_named(
            &meta(p, Some(first_ts)),
            &p.ts.format_utc(),
            &d,
            &info.names,
        ));
        out.push('\n');
        out.push_str(&render::hex_dump(&p.data));
        shown = true;
        Ok(false)
    })?;
    print!("{out}");
    if !shown && err.is_none() {
        eprintln!(
            "tracelens: the capture has {} packets; there is no packet {n}",
            reader.info().packets
        );
        return Ok(Outcome::Unreadable);
    }
    Ok(finish(reader.info(), err))
}

fn cmd_info(path: &str) -> io::Result<Outcome> {
    let (reader, err) = stream(path, |_, _| Ok(true))?;
    let info = reader.info();
    let mut out = String::new();
    let fmt = match &info.format {
        Some(Format::Pcap {
            big_endian,
            nanosecond,
            modified,
            version,
            snaplen,
            ..
        }) => format!(
            "pcap {}.{}, {}, {} timestamps{}, snap length {}",
            version.0,
            version.1,
            if *big_endian {
                "big-endian"
            } else {
                "little-endian"
            },
            if *nanosecond {
                "nanosecond"
            } else {
                "microsecond"
            },
            if *modified {
                ", modified (Kuznetzov) records"
            } else {
                ""
            },
            snaplen
        ),
        Some(Format::PcapNg) => format!("pcapng, {} section(s)", info.sections),
        None => "not recognised".to_string(),
    };
    out.push_str(&format!("File:       {path}\n"));
    out.push_str(&format!(
        "Format:     {fmt}{}\n",
        if info.gzip { " (gzip-compressed)" } else { "" }
    ));
    let mut lts: Vec<u32> = Vec::new();
    for lt in info.interfaces.iter().map(|i| i.link_type) {
        if !lts.contains(&lt) {
            lts.push(lt);
        }
    }
    let names: Vec<String> = lts
        .iter()
        .map(|lt| match linktype::name(*lt) {
            Some(n) => format!("{lt} ({n})"),
            None => format!("{lt} (not decoded)"),
        })
        .collect();
    out.push_str(&format!("Link types: {}\n", names.join(", ")));
    for (i, iface) in info.interfaces.iter().enumerate() {
        let mut line = format!(
            "Interface {i}: link type {}, snap length {}",
            iface.link_type, iface.snaplen
        );
        if let Some(n) = &iface.name {
            line.push_str(&format!(", name {}", render::escape_text(n)));
        }
        if let Some(d) = &iface.description {
            line.push_str(&format!(", description {}", render::escape_text(d)));
        }
        out.push_str(&format!("{line}\n"));
    }
    out.push_str(&format!("Packets:    {}\n", info.packets));
    out.push_str(&format!("Bytes:      {} captured\n", info.packet_bytes));
    if let (Some(a), Some(b)) = (info.first_ts, info.last_ts) {
        out.push_str(&format!("First:      {} UTC\n", a.format_utc()));
        out.push_str(&format!("Last:       {} UTC\n", b.format_utc()));
    }
    if !info.names.is_empty() {
        out.push_str(&format!(
            "Names:      {} address-to-name records\n",
            info.names.len()
        ));
    }
    for c in &info.comments {
        out.push_str(&format!("Comment:    {}\n", render::escape_text(c)));
    }
    if !info.block_counts.is_empty() {
        let blocks: Vec<String> = info
            .block_counts
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        out.push_str(&format!("Blocks:     {}\n", blocks.join(", ")));
    }
    for n in &info.notes {
        out.push_str(&format!("Note:       {}\n", render::escape_text(n)));
    }
    if let Some(e) = &err {
        out.push_str(&format!("Problem:    {e}\n"));
    }
    print!("{out}");
    Ok(finish(info, err))
}

fn cmd_hex(args: &[String]) -> io::Result<Outcome> {
    let mut text = String::new();
    io::stdin().read_to_string(&mut text)?;
    let frame = match tracelens::hexinput::parse_hex_dump(&text) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("tracelens: {e}");
            return Ok(Outcome::Unreadable);
        }
    };
    let forced = args
        .iter()
        .position(|a| a == "--link")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str);
    let (link_type, reason) = match forced {
        Some("eth" | "ethernet") => (
            linktype::ETHERNET,
            "Ethernet, as asked with --link".to_string(),
        ),
        Some("raw" | "ip") => (linktype::RAW, "raw IP, as asked with --link".to_string()),
        Some(other) => return usage_error(&format!("--link takes eth or raw, not '{other}'")),
        None => (frame.link_type, frame.reason),
    };
    let d = tracelens::decode(&frame.bytes, link_type);
    let len = u32::try_from(frame.bytes.len()).unwrap_or(u32::MAX);
    let m = FrameMeta {
        number: 1,
        cap_len: len,
        orig_len: len,
        link_type,
        ..FrameMeta::default()
    };
    println!("Read {} bytes; decoded as {reason}.", frame.bytes.len());
    println!(
        "{}",
        render::escape_text(&tracelens::summary::summary_line(&d))
    );
    println!();
    print!(
        "{}",
        render::field_tree(&m, "(no time: read from a hex dump)", &d)
    );
    println!();
    print!("{}", render::hex_dump(&frame.bytes));
    if args.iter().any(|a| a == "--explain") {
        println!();
        print!(
            "{}",
            explanation_text(&tracelens::explain::explain_packet(1, &d))
        );
    }
    Ok(Outcome::Complete)
}

/// The narrative and findings of one packet as indented text.
fn explanation_text(e: &tracelens::explain::Explanation) -> String {
    let mut out = format!("    {}\n", render::escape_text(&e.narrative));
    for f in &e.findings {
        out.push_str(&format!(
            "    [{}] {}  ({})\n",
            f.severity,
            render::escape_text(&f.title),
            f.id
        ));
        out.push_str(&format!("        {}\n", render::escape_text(&f.text)));
        if !f.next.is_empty() {
            out.push_str(&format!("        Next: {}\n", render::escape_text(&f.next)));
        }
        if let Some(b) = &f.benign {
            out.push_str(&format!(
                "        Harmless causes: {}\n",
                render::escape_text(b)
            ));
        }
        for ev in &f.evidence {
            let end = (ev.offset + ev.length).saturating_sub(1).max(ev.offset);
            out.push_str(&format!(
                "        Evidence: packet {} {} (bytes {}-{})\n",
                ev.packet, ev.field, ev.offset, end
            ));
        }
        if !f.references.is_empty() {
            out.push_str(&format!("        Sources: {}\n", f.references.join("; ")));
        }
    }
    out
}

fn cmd_explain(path: &str, only: Option<u64>, json: bool) -> io::Result<Outcome> {
    // First pass: the conversations and detections each packet belongs to.
    let (analysis, detections, _, first_err) = analyse(path)?;
    let membership = tracelens::analysis::detections_by_packet(&detections);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut seen = false;
    let (reader, err) = stream(path, |p, _| {
        if only.is_some_and(|n| n != p.number) {
            return Ok(true);
        }
        seen = true;
        let d = p.decode();
        let mut e = tracelens::explain::explain_packet(p.number, &d);
        let context = tracelens::analysis::context_sentences(
            analysis.flows(),
            p.number,
            &detections,
            membership.get(&p.number),
        );
        if !context.is_empty() {
            e.narrative.push(' ');
            e.narrative.push_str(&context);
        }
        let summary = tracelens::summary::summary_line(&d);
        if json {
            let obj = serde_json::json!({
                "packet": p.number,
                "time": p.ts.format_utc(),
                "summary": summary,
                "narrative": e.narrative,
                "findings": e.findings,
            });
            serde_json::to_writer(&mut out, &obj).map_err(io::Error::other)?;
            out.write_all(b"\n")?;
        } else {
            writeln!(out, "{}", packet_line(p, &summary))?;
            out.write_all(explanation_text(&e).as_bytes())?;
        }
        Ok(only.is_none())
    })?;
    out.flush()?;
    if let (Some(n), false, None) = (only, seen, &err) {
        eprintln!(
            "tracelens: the capture has {} packets; there is no packet {n}",
            reader.info().packets
        );
        return Ok(Outcome::Unreadable);
    }
    Ok(finish(reader.info(), err.or(first_err)))
}

/// Whether the analysis runs its two halves on two threads, and then the file's length:
/// `TRACELENS_THREADS=1` keeps it on one; otherwise two when the machine has two processors or
/// more and the input is a regular file (each half reads it, so it must read the same twice; a
/// pipe would not). Both halves read only the length the file had at the start, so a capture
/// still being written gives them the same packets.
fn two_threads(path: &str) -> Option<u64> {
    let wanted = match std::env::var("TRACELENS_THREADS") {
        Ok(v) => v.trim().parse::<usize>().map_or(1, |n| n.min(2)),
        Err(_) => std::thread::available_parallelism().map_or(1, |n| n.get().min(2)),
    };
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    (wanted >= 2).then_some(meta.len())
}

/// One pass of the whole analysis: explanations, flows, detections. On two threads, this one
/// reads the file and runs the rules on each packet while the other reads the same file itself
/// and runs the flow table and the detectors: nothing passes between them until both are done,
/// and the result is the same as on one thread.
fn analyse(
    path: &str,
) -> io::Result<(
    tracelens::analysis::CaptureAnalysis,
    Vec<tracelens::detect::Detection>,
    CaptureReader,
    Option<ReadError>,
)> {
    use tracelens::analysis::{
        CaptureAnalysis, CrossPacket, PerPacket, BESIDE_FLOWS, BESIDE_RULES,
    };
    let Some(len) = two_threads(path) else {
        let mut analysis = CaptureAnalysis::new();
        let (reader, err) = stream(path, |p, _| {
            analysis.observe(p);
            Ok(true)
        })?;
        let detections = analysis.finish();
        return Ok((analysis, detections, reader, err));
    };
    std::thread::scope(|scope| {
        let cross = scope.spawn(|| {
            let mut cross = CrossPacket::with_detectors(BESIDE_FLOWS);
            // Its reader meets the same packets and the same error as the one below, which is
            // the one reported.
            stream_upto(path, len, |p, _| {
                cross.observe(p.number, p.ts, &p.decode_unverified());
                Ok(true)
            })
            .map(|_| cross)
        });
        let mut per_packet = PerPacket::new().with_detectors(BESIDE_RULES);
        let read = stream_upto(path, len, |p, _| {
            per_packet.observe(p, &p.decode_lean());
            Ok(true)
        });
        let cross = cross
            .join()
            .map_err(|_| io::Error::other("the analysis thread stopped"))??;
        let (reader, err) = read?;
        let mut analysis = CaptureAnalysis::join(per_packet, cross);
        let detections = analysis.finish();
        Ok((analysis, detections, reader, err))
    })
}

fn cmd_flows(path: &str, json: bool) -> io::Result<Outcome> {
    let (analysis, _, reader, err) = analyse(path)?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let flows = analysis.flows().flows();
    if json {
        for f in flows {
            serde_json::to_writer(&mut out, f).map_err(io::Error::other)?;
            out.write_all(b"\n")?;
        }
    } else {
        writeln!(
            out,
            "{} conversations in {} packets",
            flows.len(),
            reader.info().packets
        )?;
        for f in flows {
            writeln!(
                out,
                "#{:<5} {:<6} {}  {}/{} packets, {}/{} bytes (originator/responder), {:.3} s, history {}\n        {}",
                f.id,
                f.proto.name(),
                render::escape_text(&f.label()),
                f.orig_packets,
                f.resp_packets,
                f.orig_bytes,
                f.resp_bytes,
                (f.last.as_f64_secs() - f.first.as_f64_secs()).max(0.0),
                f.history,
                f.reading()
            )?;
        }
    }
    out.flush()?;
    Ok(finish(reader.info(), err))
}

fn cmd_summary(path: &str) -> io::Result<Outcome> {
    let (analysis, detections, reader, err) = analyse(path)?;
    let overview = analysis.overview(&detections);
    print!("{}", render::escape_text_keep_lines(&overview.to_text()));
    Ok(finish(reader.info(), err))
}

fn cmd_findings(path: &str, json: bool) -> io::Result<Outcome> {
    let (analysis, detections, reader, err) = analyse(path)?;
    let found = analysis.findings(&detections);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if json {
        serde_json::to_writer(&mut out, &found).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
    } else {
        writeln!(
            out,
            "{} packets; {} kinds of per-packet finding; {} cross-packet detections",
            reader.info().packets,
            found.per_packet.len(),
            found.detections.len()
        )?;
        if !found.detections.is_empty() {
            writeln!(out, "\nAcross packets:")?;
        }
        for d in &found.detections {
            let f = &d.finding;
            writeln!(
                out,
                "[{}] {}  ({})\n    packets {} ({} to {})\n    {}",
                f.severity,
                render::escape_text(&f.title),
                f.id,
                tracelens::analysis::packet_list(&d.packets, d.packets.len() as u64),
                d.first,
                d.last,
                render::escape_text(&f.text)
            )?;
            if !f.next.is_empty() {
                writeln!(out, "    Next: {}", render::escape_text(&f.next))?;
            }
            writeln!(out, "    Sources: {}", f.references.join("; "))?;
        }
        if !found.per_packet.is_empty() {
            writeln!(out, "\nPer packet (the text is the first packet's):")?;
        }
        for g in &found.per_packet {
            let f = &g.first;
            writeln!(
                out,
                "[{}] {}  ({})\n    {} packet(s): {}\n    {}",
                f.severity,
                render::escape_text(&f.title),
                f.id,
                g.count,
                tracelens::analysis::packet_list(&g.packets, g.count),
                render::escape_text(&f.text)
            )?;
            writeln!(out, "    Sources: {}", f.references.join("; "))?;
        }
    }
    out.flush()?;
    Ok(finish(reader.info(), err))
}

/// Format, packets and bytes in one line, for the report's file facts.
fn capture_line(info: &CaptureInfo) -> String {
    let format = match &info.format {
        Some(Format::Pcap { nanosecond, .. }) => format!(
            "pcap ({} timestamps)",
            if *nanosecond {
                "nanosecond"
            } else {
                "microsecond"
            }
        ),
        Some(Format::PcapNg) => format!(
            "pcapng ({} section{})",
            info.sections,
            if info.sections == 1 { "" } else { "s" }
        ),
        None => "not recognised".to_string(),
    };
    format!(
        "{format}{}, {} packets, {} bytes captured",
        if info.gzip { ", gzip-compressed" } else { "" },
        grouped(info.packets),
        grouped(info.packet_bytes)
    )
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn cmd_report(path: &str, as_html: bool) -> io::Result<Outcome> {
    let (analysis, detections, reader, err) = analyse(path)?;
    let info = reader.info();
    if info.format.is_none() {
        return Ok(finish(info, err));
    }
    let overview = analysis.overview(&detections);
    let findings = analysis.findings(&detections);
    let mut info_line = capture_line(info);
    if let Some(e) = &err {
        info_line.push_str(&format!("; reading stopped early: {e}"));
    }
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string());
    let input = tracelens::report::ReportInput {
        file_name: &name,
        info_line,
        overview: &overview,
        findings: &findings,
    };
    let text = if as_html {
        tracelens::report::html(&input)
    } else {
        tracelens::report::markdown(&input)
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    Ok(finish(info, err))
}

fn cmd_follow(path: &str, n: u64, hex: bool) -> io::Result<Outcome> {
    use tracelens::stream::{StreamBuilder, StreamKey, DEFAULT_MAX_BYTES};
    // First pass: which stream packet N belongs to.
    let mut found: Option<(Option<StreamKey>, String)> = None;
    let (reader, err) = stream(path, |p, _| {
        if p.number != n {
            return Ok(true);
        }
        let d = p.decode();
        found = Some((StreamKey::of(&d), tracelens::summary::summary_line(&d)));
        Ok(false)
    })?;
    let key = match found {
        Some((Some(k), _)) => k,
        Some((None, summary)) => {
            eprintln!(
                "tracelens: packet {n} is not TCP or UDP, so it belongs to no stream to follow ({})",
                render::escape_text(&summary)
            );
            return Ok(Outcome::Unreadable);
        }
        None => {
            if let Some(e) = &err {
                eprintln!("tracelens: {e}");
            }
            eprintln!(
                "tracelens: the capture has {} packets; there is no packet {n}",
                reader.info().packets
            );
            return Ok(Outcome::Unreadable);
        }
    };
    let mut builder = StreamBuilder::new(key, DEFAULT_MAX_BYTES);
    let (reader, err) = stream(path, |p, _| {
        builder.push(p.number, &p.data, &p.decode());
        Ok(true)
    })?;
    let followed = builder.finish();
    let text = if hex {
        followed.to_hex()
    } else {
        followed.to_text()
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    Ok(finish(reader.info(), err))
}

/// `A-B`, `A` or `A-` (to the end) as first and last packet numbers.
fn packet_range(s: &str) -> Option<(u64, u64)> {
    let (a, b) = match s.split_once('-') {
        Some((a, "")) => (a.parse().ok()?, u64::MAX),
        Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
        None => {
            let a = s.parse().ok()?;
            (a, a)
        }
    };
    (a >= 1 && b >= a).then_some((a, b))
}

fn cmd_export(args: &[String]) -> io::Result<Outcome> {
    use tracelens::capture::write::{CaptureWriter, PacketRecord};
    let (mut out_path, mut range, mut file) = (None, (1, u64::MAX), None);
    let filter = match display_filter(args) {
        Ok(f) => f,
        Err(outcome) => return Ok(outcome),
    };
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-o" | "--output" => out_path = it.next(),
            "-Y" | "--filter" => {
                it.next();
            }
            opt if opt.starts_with("--filter=") => {}
            "-n" | "--packets" => match it.next().and_then(|r| packet_range(r)) {
                Some(r) => range = r,
                None => return usage_error("-n takes a packet range such as 5-20, 7 or 100-"),
            },
            opt if opt.starts_with('-') => {
                return usage_error(&format!("export has no option '{opt}'"))
            }
            _ if file.is_some() => return usage_error("export reads one capture FILE"),
            _ => file = Some(a.as_str()),
        }
    }
    let (Some(out_path), Some(path)) = (out_path, file) else {
        return usage_error("export needs an output and a capture: tracelens export -o OUT FILE");
    };
    // Writing over the file being read would destroy it halfway through.
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(path), std::fs::canonicalize(out_path)) {
        if a == b {
            return usage_error("the output must be another file than the capture read");
        }
    }
    let mut selection = filter
        .as_ref()
        .map(|f| Selection::new(f, path))
        .transpose()?;
    let in_range = |n: u64| n >= range.0 && n <= range.1;
    let mut wanted = |p: &Packet| {
        in_range(p.number)
            && selection
                .as_mut()
                .is_none_or(|sel| sel.keeps(p, &p.decode()))
    };
    // First pass: the link types decide between pcap and pcapng.
    let mut link_types: Vec<u32> = Vec::new();
    let (reader, err) = stream(path, |p, _| {
        if wanted(p) && !link_types.contains(&p.link_type) {
            link_types.push(p.link_type);
        }
        Ok(p.number < range.1)
    })?;
    if reader.info().format.is_none() {
        return Ok(finish(reader.info(), err));
    }
    let mut writer = CaptureWriter::for_link_types(&link_types);
    let mut file_out = BufWriter::new(
        File::create(out_path).map_err(|e| io::Error::new(e.kind(), format!("{out_path}: {e}")))?,
    );
    let mut buf = Vec::new();
    let mut first_problem = None;
    let (reader, err) = stream(path, |p, _| {
        if wanted(p) {
            buf.clear();
            if let Err(e) = writer.write_into(&PacketRecord::from(p), &mut buf) {
                first_problem.get_or_insert((p.number, e));
            }
            file_out.write_all(&buf)?;
        }
        Ok(p.number < range.1)
    })?;
    file_out.write_all(&writer.finish())?;
    file_out.flush()?;
    if let Some((number, e)) = first_problem {
        eprintln!(
            "tracelens: {} packet(s) could not be written, the first being packet {number}: {e}",
            writer.skipped()
        );
    }
    let kind = if writer.is_pcapng() {
        "pcapng".to_string()
    } else {
        format!(
            "pcap, link type {}",
            link_types.first().copied().unwrap_or(0)
        )
    };
    let n = writer.packets();
    let plural = if n == 1 { "" } else { "s" };
    println!("wrote {n} packet{plural} to {out_path} ({kind})");
    Ok(finish(reader.info(), err))
}
