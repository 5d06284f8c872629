//! cargo-fuzz target: see [`tracelens_fuzz::filter_parse`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracelens_fuzz::filter_parse(data));
