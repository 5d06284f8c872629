//! The page's parts, one component (or a few close ones) per file; `lib.rs` puts them together
//! and owns the worker.

pub mod detail;
pub mod filter;
pub mod findings;
pub mod list;
pub mod overview;
pub mod report;
pub mod start;
pub mod stream;
