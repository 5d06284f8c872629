//! stub
use crate::decode::{Ctx, Next};
pub fn decode(cx: &mut Ctx<'_>, offset: usize, end: usize) -> Next {
    crate::decode::data_layer(cx, offset, end)
}
