//! stub
use crate::decode::{Ctx, Next};
pub fn looks_like_tls(b: &[u8]) -> bool {
    b.starts_with(&[0x16, 3])
}
pub fn decode(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    let mut l = crate::decode::Layer::new("tls", "TLS", offset);
    l.len = end - offset;
    cx.push(l);
    Next::Stop
}
