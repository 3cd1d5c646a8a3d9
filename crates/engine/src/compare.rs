//! `compare`: align two documents.

use whence_align::{align_with, SentenceEncoder, Side};
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

/// Analyzes both texts and aligns them (lexically and by content-word paraphrase).
pub fn compare<'d>(a: &'d Document, b: &'d Document, config: &Config) -> Comparison<'d> {
    compare_with(a, b, config, None)
}

/// [`compare`], with sentence embeddings from `encoder` for what the lexical and
/// content-word stages leave unexplained.
pub fn compare_with<'d>(
    a: &'d Document,
    b: &'d Document,
    config: &Config,
    encoder: Option<&dyn SentenceEncoder>,
) -> Comparison<'d> {
    let boilerplate_a = boilerplate_of(a, config);
    let boilerplate_b = boilerplate_of(b, config);
    let ta = whence_text::analyze(&a.text);
    let tb = whence_text::analyze(&b.text);
    let (sa, sb) = (
        Side::new(&a.text, &ta, &boilerplate_a),
        Side::new(&b.text, &tb, &boilerplate_b),
    );
    let mut alignment = align_with(sa, sb, config.align(), encoder);
    // the corpus rules: a template is no reuse, and paraphrase passages alone
    // make no near-duplicate (see `pipeline::reuse`)
    crate::pipeline::judge_sides(&sa, &sb, &alignment).apply(a, b, &mut alignment);
    Comparison {
        a,
        b,
        boilerplate_a,
        boilerplate_b,
        alignment,
    }
}
