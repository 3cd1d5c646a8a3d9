//! Renderings of results: JSON contracts (code-point offsets), terminal text, HTML.
//!
//! Spans are byte offsets internally; everything here converts them to code points
//! with [`whence_core::CharIndex`] so that Python's `text[start:end]` is the passage.

mod html;
mod json;
mod text;

pub use html::compare_html;
pub use json::compare_json;
pub use text::{compare_text, TextOptions};
