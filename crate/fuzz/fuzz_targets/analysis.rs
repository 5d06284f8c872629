//! cargo-fuzz target: see [`tracelens_fuzz::analysis`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracelens_fuzz::analysis(data));
