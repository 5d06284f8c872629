//! cargo-fuzz target: see [`tracelens_fuzz::capture_chunks`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracelens_fuzz::capture_chunks(data));
