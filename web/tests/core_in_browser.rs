//! Runs the core's browser tests (crate/tests/wasm.rs) from this crate, whose dev-dependencies
//! build for wasm32; `cargo test -p tracelens --test wasm` on wasm32 needs the core's proptest
//! dev-dependency limited to native targets first.
#![cfg(target_arch = "wasm32")]

#[path = "../../crate/tests/wasm.rs"]
mod core_wasm;
