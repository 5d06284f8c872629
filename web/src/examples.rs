//! The "try an example" captures: small files we crafted (`web/examples/craft_examples.py`), one
//! per classic case, embedded in the page by `build.rs` from `web/examples/manifest.toml`.
//!
//! Owns nothing but that table; the page turns an entry into a `File` and opens it like a
//! dropped one.

/// One built-in capture.
#[derive(Debug, PartialEq, Eq)]
pub struct Example {
    pub file: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    /// Where the case is described (document and section, advisory).
    pub source: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/examples.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_is_a_capture_we_can_read() {
        assert!(EXAMPLES.len() >= 7);
        for e in EXAMPLES {
            let c = tracelens::capture::read_all(e.bytes);
            assert!(c.error.is_none(), "{}: {:?}", e.file, c.error);
            assert!(!c.packets.is_empty(), "{}", e.file);
            assert!(!e.title.is_empty() && !e.summary.is_empty() && !e.source.is_empty());
        }
    }
}
