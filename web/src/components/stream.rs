//! A followed TCP or UDP stream: each direction's bytes in order, as text or hex, the two
//! directions in two colours, with what was left out (retransmissions, gaps) said plainly.
//!
//! Owns that view. Stream bytes are shown as text nodes only; non-printable bytes become dots.

use crate::protocol::{SegmentView, StreamView};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StreamProps {
    /// `None` while the worker collects the stream.
    pub stream: Option<Rc<StreamView>>,
    pub on_close: Callback<()>,
    pub on_goto: Callback<u64>,
}

/// Printable ASCII and newlines as they are, tabs kept, everything else as `.`.
pub fn printable(data: &[u8]) -> String {
    data.iter()
        .map(|&b| match b {
            b'\n' | b'\t' => b as char,
            b'\r' => '\u{21b5}',
            0x20..=0x7e => b as char,
            _ => '.',
        })
        .collect::<String>()
        .replace('\u{21b5}', "")
}

/// Offset, 16 bytes of hex and their ASCII per line.
pub fn hex_lines(data: &[u8]) -> String {
    let mut out = String::new();
    for (i, chunk) in data.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if (0x20..=0x7e).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!("{:08x}  {:<47}  {ascii}\n", i * 16, hex.join(" ")));
    }
    out
}

fn segment(seg: &SegmentView, hex: bool, s: &StreamView, on_goto: &Callback<u64>) -> Html {
    let (from, to, cls) = if seg.from_client {
        (&s.client, &s.server, "client")
    } else {
        (&s.server, &s.client, "server")
    };
    let cb = on_goto.clone();
    let n = seg.number;
    let onclick = Callback::from(move |_: MouseEvent| cb.emit(n));
    let body = if hex {
        hex_lines(&seg.data)
    } else {
        printable(&seg.data)
    };
    html! {
        <div class={classes!("seg", cls)}>
            <div class="seg-head">
                <button type="button" class="pkt" {onclick}>{ format!("packet {n}") }</button>
                { format!(" {from} → {to}, {} bytes", seg.data.len()) }
            </div>
            <pre class="seg-body">{ body }</pre>
        </div>
    }
}

#[function_component(StreamPane)]
pub fn stream_pane(props: &StreamProps) -> Html {
    let hex = use_state(|| false);
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let toggle = {
        let hex = hex.clone();
        Callback::from(move |_: MouseEvent| hex.set(!*hex))
    };
    let Some(s) = &props.stream else {
        return html! {
            <section id="stream" aria-label="Followed stream">
                <p class="note" aria-live="polite">{ "Collecting the stream…" }</p>
            </section>
        };
    };
    html! {
        <section id="stream" aria-label="Followed stream">
            <div class="pane-tools">
                <h2>{ format!("{} stream {} ↔ {}", s.proto, s.client, s.server) }</h2>
                <button type="button" id="stream-hex" aria-pressed={hex.to_string()} onclick={toggle}>
                    { if *hex { "Show as text" } else { "Show as hex" } }
                </button>
                <button type="button" id="stream-close" onclick={close}>{ "Close" }</button>
            </div>
            <p id="stream-facts" class="note">
                <span class="client">{ format!("{} bytes from {}", s.bytes_from_client, s.client) }</span>
                { ", " }
                <span class="server">{ format!("{} bytes from {}", s.bytes_from_server, s.server) }</span>
                { format!(", {} packets.", s.packets) }
                if s.truncated { { " Only the beginning is shown." } }
            </p>
            if !s.notes.is_empty() {
                <ul class="notes">{ for s.notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ul>
            }
            <div id="stream-body" class="stream-body">
                { for s.segments.iter().map(|seg| segment(seg, *hex, s, &props.on_goto)) }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_hex_forms() {
        assert_eq!(
            printable(b"GET / HTTP/1.1\r\nHost: a\r\n\x00\xff"),
            "GET / HTTP/1.1\nHost: a\n.."
        );
        assert_eq!(
            hex_lines(b"AB\x00"),
            format!("00000000  {:<47}  AB.\n", "41 42 00")
        );
    }
}
