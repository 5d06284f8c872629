//! cargo-fuzz target: see [`tracelens_fuzz::hex_dump`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracelens_fuzz::hex_dump(data));
