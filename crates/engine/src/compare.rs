//! `compare`: align two documents.

use whence_align::{align, Side};
use whence_core::{Alignment, Document, Span};

use crate::Config;

/// The result of comparing A with B, holding both documents for rendering.
#[derive(Clone, Debug)]
pub struct Comparison<'d> {
    pub a: &'d Document,
    pub b: &'d Document,
    /// Boilerplate spans of A used for the alignment: the document's own, or, when
    /// it has none and detection is on, those found in its text.
    pub boilerplate_a: Vec<Span>,
    /// The same for B.
    pub boilerplate_b: Vec<Span>,
    pub alignment: Alignment,
}

/// The boilerplate spans to use for `doc`: its own if it has any, else (when the
/// config asks for it) those [`whence_extract::detect_boilerplate`] finds.
pub fn boilerplate_of(doc: &Document, config: &Config) -> Vec<Span> {
    if !doc.boilerplate.is_empty() || !config.detect_boilerplate {
        return doc.boilerplate.clone();
    }
    whence_extract::detect_boilerplate(&doc.text)
}

/// Analyzes both texts and aligns them.
pub fn compare<'d>(a: &'d Document, b: &'d Document, config: &Config) -> Comparison<'d> {
    let boilerplate_a = boilerplate_of(a, config);
    let boilerplate_b = boilerplate_of(b, config);
    let ta = whence_text::analyze(&a.text);
    let tb = whence_text::analyze(&b.text);
    let alignment = align(
        Side::new(&a.text, &ta, &boilerplate_a),
        Side::new(&b.text, &tb, &boilerplate_b),
        config.align(),
    );
    Comparison {
        a,
        b,
        boilerplate_a,
        boilerplate_b,
        alignment,
    }
}
