//! stub
use crate::decode::{Ctx, Next};
pub fn looks_like_http(b: &[u8]) -> bool {
    b.starts_with(b"GET ")
}
pub fn decode(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    let mut l = crate::decode::Layer::new("http", "HTTP", offset);
    l.len = end - offset;
    cx.push(l);
    Next::Stop
}
