//! tracelens: read network captures, decode every packet layer by layer with the byte range of each
//! field, and (in later layers of this crate) explain what the packets mean.
//!
//! The core never panics on input: there is no `unsafe`, and no input byte is reached by unchecked
//! indexing. Damaged input becomes an error value that says where decoding stopped, and everything
//! read before that point is kept.
#![deny(unsafe_code)]
#![warn(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
#![cfg_attr(
    test,
    allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)
)]

pub mod analysis;
pub mod capture;
pub mod decode;
pub mod detect;
pub mod explain;
pub mod field;
pub mod filter;
pub mod hexinput;
pub mod render;
pub mod report;
pub mod stream;
pub mod summary;

pub use decode::{decode, decode_with_len, Dissection, Layer};
pub use field::{Field, Value};
