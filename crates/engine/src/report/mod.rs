//! Renderings of results: JSON contracts (code-point offsets), output rows,
//! terminal text, HTML.
//!
//! Spans are byte offsets internally; everything here converts them to code points
//! with [`whence_core::CharIndex`] so that Python's `text[start:end]` is the passage.
//! `compare` renders as [`compare_json`], [`compare_text`] and [`compare_html`];
//! `trace` as [`rows::trace_json`], [`trace_text`] and [`trace_html`]; the corpus
//! outputs are the rows of [`rows`]. HTML pages are built from one component,
//! [`html::side_by_side`].

pub mod html;
mod json;
pub mod rows;
mod text;

pub use html::{compare_html, compare_view, trace_html, trace_view};
pub use json::compare_json;
pub use rows::trace_json;
pub use text::{compare_text, trace_text, TextOptions};

use whence_core::DriftKind;

/// A drift kind's name, as the JSON contract writes it (`number`, `name`,
/// `attribution`), so text, HTML and JSON use one word.
pub fn drift_name(kind: DriftKind) -> &'static str {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => match s.as_str() {
            "number" => "number",
            "name" => "name",
            "attribution" => "attribution",
            _ => "other",
        },
        _ => "other",
    }
}
