//! The filter bar: a Wireshark-style display filter over our field names, applied by the worker
//! to every packet; a wrong expression is shown with the bad part marked and why.
//!
//! Owns the input and how an error is pointed at. It must never parse the expression itself
//! (the core's `filter` module does, in the worker), so the page and the CLI agree.

use crate::protocol::FilterErrorView;
use crate::state::State;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FilterProps {
    pub state: Rc<State>,
    pub on_filter: Callback<String>,
}

/// `expr` split around the characters an error points at: before, the bad part, after. An error
/// at the very end (something missing) marks a space after the expression.
pub fn split_at_error(expr: &str, e: &FilterErrorView) -> (String, String, String) {
    let chars: Vec<char> = expr.chars().collect();
    let at = e.at.min(chars.len());
    let end = at.saturating_add(e.len.max(1)).min(chars.len());
    let before: String = chars.iter().take(at).collect();
    let bad: String = chars.iter().skip(at).take(end - at).collect();
    let after: String = chars.iter().skip(end).collect();
    if bad.is_empty() {
        (before, " ".to_string(), after)
    } else {
        (before, bad, after)
    }
}

#[function_component(FilterBar)]
pub fn filter_bar(props: &FilterProps) -> Html {
    let s = &props.state;
    let input = use_node_ref();
    let onsubmit = {
        let cb = props.on_filter.clone();
        let input = input.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(i) = input.cast::<HtmlInputElement>() {
                cb.emit(i.value().trim().to_string());
            }
        })
    };
    let clear = {
        let cb = props.on_filter.clone();
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = input.cast::<HtmlInputElement>() {
                i.set_value("");
            }
            cb.emit(String::new());
        })
    };
    if s.file_name.is_none() {
        return html! {};
    }
    let ready = s.done && s.filtering.is_none();
    let invalid = s.filter_error.is_some();
    let error = match &s.filter_error {
        Some((expr, e)) => {
            let (before, bad, after) = split_at_error(expr, e);
            html! {
                <div id="filter-error" class="error filter-error" role="alert">
                    <code class="expr">{ before }<mark>{ bad }</mark>{ after }</code>
                    <span>{ format!("At character {}: {}", e.at + 1, e.message) }</span>
                </div>
            }
        }
        None => html! {},
    };
    html! {
        <form id="filter" class="filter-bar" role="search" {onsubmit}>
            <label for="filter-input">{ "Filter" }</label>
            <input id="filter-input" ref={input} type="text" spellcheck="false" autocomplete="off"
                   class={classes!(invalid.then_some("invalid"))}
                   aria-invalid={invalid.to_string()}
                   aria-describedby="filter-help filter-error"
                   placeholder="e.g. tcp.flags.syn == 1 and not ip.src == 10.0.0.0/8, or finding.severity >= warning" />
            <button type="submit" id="filter-apply" disabled={!ready}>{ "Apply" }</button>
            <button type="button" id="filter-clear" disabled={!ready} onclick={clear}>{ "Clear" }</button>
            if let Some(n) = s.filtering {
                <span id="filter-status" class="hint" aria-live="polite">{ format!("Filtering… {n} packets checked") }</span>
            } else if !s.done {
                <span id="filter-status" class="hint">{ "Filters apply once the file is read." }</span>
            } else if !s.filter.is_empty() {
                <span id="filter-status" class="hint" aria-live="polite">
                    { format!("{} of {} packets match ", s.shown, s.packets) }<code>{ s.filter.clone() }</code>
                </span>
            }
            <p id="filter-help" class="note">
                { "Wireshark-style: == != < > <= >=, and/or/not, parentheses, a protocol alone (dns), ip.addr == 10.0.0.0/8, finding.severity >= warning, finding.id == \"…\"." }
            </p>
            { error }
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(at: usize, len: usize) -> FilterErrorView {
        FilterErrorView {
            at,
            len,
            message: String::new(),
        }
    }

    #[test]
    fn errors_mark_the_right_characters() {
        let (a, b, c) = split_at_error("tcp.port = 80", &err(9, 1));
        assert_eq!(
            (a.as_str(), b.as_str(), c.as_str()),
            ("tcp.port ", "=", " 80")
        );
        // Past the end: something is missing; a space is marked after the expression.
        let (a, b, c) = split_at_error("tcp ==", &err(6, 0));
        assert_eq!((a.as_str(), b.as_str(), c.as_str()), ("tcp ==", " ", ""));
        // Positions count characters, not bytes.
        let (a, b, _) = split_at_error("dns.qry.name == \"é\" and x", &err(24, 1));
        assert_eq!((a.chars().count(), b.as_str()), (24, "x"));
    }
}
