//! Pure helpers of the linked panes: which field a clicked byte belongs to, which bytes to light
//! up for a field or a finding, and the geometry of the virtualised packet list.
//!
//! Owns those rules so they can be tested natively. It must never touch the DOM.

use crate::protocol::{Detail, LayerView};

/// What the hex pane lights up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mark {
    #[default]
    Nothing,
    /// Field `field` of layer `layer` in the detail.
    Field { layer: usize, field: usize },
    /// Every evidence range of finding `index`.
    Finding(usize),
}

/// How good a field is as the answer to "which field is this byte": smaller is better.
type Rank = (usize, bool, std::cmp::Reverse<u8>);

/// The innermost field covering byte `offset`: the shortest one; among equally short ones a
/// whole-byte field before the flags that share its byte (a click cannot pick one bit), then
/// the deeper one, then the later one (inner layers come after outer ones).
pub fn field_at(layers: &[LayerView], offset: usize) -> Option<Mark> {
    let mut best: Option<(Rank, Mark)> = None;
    for (li, l) in layers.iter().enumerate() {
        for (fi, f) in l.fields.iter().enumerate() {
            let end = f.offset.saturating_add(f.len);
            if f.len == 0 || offset < f.offset || offset >= end {
                continue;
            }
            let key = (f.len, f.mask != 0, std::cmp::Reverse(f.depth));
            if best.as_ref().is_none_or(|(k, _)| key <= *k) {
                best = Some((
                    key,
                    Mark::Field {
                        layer: li,
                        field: fi,
                    },
                ));
            }
        }
    }
    best.map(|(_, m)| m)
}

/// The byte ranges `(offset, len)` a mark lights up.
pub fn ranges(detail: &Detail, mark: Mark) -> Vec<(usize, usize)> {
    match mark {
        Mark::Nothing => Vec::new(),
        Mark::Field { layer, field } => detail
            .layers
            .get(layer)
            .and_then(|l| l.fields.get(field))
            .map(|f| vec![(f.offset, f.len)])
            .unwrap_or_default(),
        Mark::Finding(i) => detail
            .findings
            .get(i)
            .map(|f| f.evidence.iter().map(|e| (e.offset, e.len)).collect())
            .unwrap_or_default(),
    }
}

pub fn covers(ranges: &[(usize, usize)], offset: usize) -> bool {
    ranges
        .iter()
        .any(|&(o, l)| offset >= o && offset < o.saturating_add(l))
}

/// Browsers stop growing an element somewhere above 30 million pixels; past this height the
/// list maps its scroll range onto the rows proportionally instead of one pixel per pixel.
pub const MAX_SCROLL_PX: f64 = 15_000_000.0;

/// Where the list's visible rows are: which packet is at the top and how far the rows are
/// shifted, for a list of `total` rows of `row_h` pixels in a viewport `view_h` tall scrolled to
/// `scroll_top`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Height of the scrolled content.
    pub content_h: f64,
    /// 1-based number of the first row (partly) visible.
    pub first: u64,
    /// How many rows fit (plus one for the partial row).
    pub count: u64,
    /// Pixel top, in content coordinates, of row `first`.
    pub first_top: f64,
}

pub fn window(total: u64, row_h: f64, view_h: f64, scroll_top: f64) -> Window {
    let full = total as f64 * row_h;
    let content_h = full.min(MAX_SCROLL_PX);
    // Virtual pixel offset of the viewport's top within the full (unscaled) list.
    let range = (content_h - view_h).max(0.0);
    let top = scroll_top.clamp(0.0, range);
    let virt = if full > content_h && range > 0.0 {
        top / range * (full - view_h).max(0.0)
    } else {
        top
    };
    let first_idx = (virt / row_h).floor().max(0.0) as u64;
    let first_idx = first_idx.min(total.saturating_sub(1));
    let count = ((view_h / row_h).ceil() as u64).saturating_add(1).max(1);
    let count = count.min(total.saturating_sub(first_idx));
    Window {
        content_h,
        first: first_idx + 1,
        count,
        first_top: top + (first_idx as f64 * row_h - virt),
    }
}

/// The scroll position that shows row `number` at the top edge of the viewport (or as near as
/// the end of the list allows): the inverse of [`window`].
pub fn scroll_for(total: u64, row_h: f64, view_h: f64, number: u64) -> f64 {
    let full = total as f64 * row_h;
    let content_h = full.min(MAX_SCROLL_PX);
    let range = (content_h - view_h).max(0.0);
    let virt = number.saturating_sub(1) as f64 * row_h;
    let s = if full > content_h && full - view_h > 0.0 {
        virt / (full - view_h) * range
    } else {
        virt
    };
    s.clamp(0.0, range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::FieldView;

    fn f(name: &str, offset: usize, len: usize, mask: u64, depth: u8) -> FieldView {
        FieldView {
            name: name.into(),
            label: name.into(),
            value: String::new(),
            offset,
            len,
            mask,
            depth,
            meaning: None,
        }
    }

    fn layer(fields: Vec<FieldView>) -> LayerView {
        LayerView {
            proto: "x".into(),
            title: "x".into(),
            offset: 0,
            len: 0,
            quoted: false,
            error: None,
            fields,
        }
    }

    #[test]
    fn a_byte_selects_the_innermost_field() {
        let layers = vec![
            layer(vec![f("eth.dst", 0, 6, 0, 0), f("eth.type", 12, 2, 0, 0)]),
            layer(vec![
                f("ip.version", 14, 1, 0xf0, 0),
                f("ip.hdr_len", 14, 1, 0x0f, 0),
                f("ip.flags", 20, 1, 0, 0),
                f("ip.flags.df", 20, 1, 0x40, 1),
                f("ip.src", 26, 4, 0, 0),
                f("ip.opt", 26, 8, 0, 0),
            ]),
        ];
        let at = |o| field_at(&layers, o);
        assert_eq!(at(3), Some(Mark::Field { layer: 0, field: 0 }));
        assert_eq!(at(13), Some(Mark::Field { layer: 0, field: 1 }));
        // Two nibbles share byte 14: neither is better, the later wins; no panic.
        assert_eq!(at(14), Some(Mark::Field { layer: 1, field: 1 }));
        // The flags byte selects the whole-byte field, not one of its bits.
        assert_eq!(at(20), Some(Mark::Field { layer: 1, field: 2 }));
        // The 4-byte address wins over the 8-byte field that also covers it.
        assert_eq!(at(29), Some(Mark::Field { layer: 1, field: 4 }));
        assert_eq!(at(31), Some(Mark::Field { layer: 1, field: 5 }));
        assert_eq!(at(40), None);
        assert_eq!(at(6), None);
    }

    #[test]
    fn windows_cover_the_viewport_and_invert() {
        // 4 rows of 28 px in a 300 px viewport: all shown, no scrolling.
        let w = window(4, 28.0, 300.0, 0.0);
        assert_eq!((w.first, w.count, w.content_h), (1, 4, 112.0));
        let w = window(0, 28.0, 300.0, 0.0);
        assert_eq!(w.count, 0);
        // 1000 rows, scrolled to 280 px: row 11 at the top, 12 rows visible.
        let w = window(1000, 28.0, 300.0, 280.0);
        assert_eq!((w.first, w.count, w.first_top), (11, 12, 280.0));
        assert_eq!(scroll_for(1000, 28.0, 300.0, 11), 280.0);
        // The end clamps.
        assert_eq!(scroll_for(1000, 28.0, 300.0, 1000), 28_000.0 - 300.0);
        // Ten million rows are scaled onto MAX_SCROLL_PX; the last row is reachable.
        let total = 10_000_000;
        let bottom = MAX_SCROLL_PX - 300.0;
        let w = window(total, 28.0, 300.0, bottom);
        assert_eq!(w.content_h, MAX_SCROLL_PX);
        assert!(w.first + w.count > total, "{w:?}");
        assert!(
            w.first_top <= bottom && w.first_top > bottom - 28.0,
            "{w:?}"
        );
        let mid = scroll_for(total, 28.0, 300.0, 5_000_000);
        assert_eq!(window(total, 28.0, 300.0, mid).first, 5_000_000);
    }
}
