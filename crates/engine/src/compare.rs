//! `compare`: align two documents.

use whence_align::{align, Side};
use whence_core::{Alignment, Document};

use crate::Config;

/// The result of comparing A with B, holding both documents for rendering.
#[derive(Clone, Debug)]
pub struct Comparison<'d> {
    pub a: &'d Document,
    pub b: &'d Document,
    pub alignment: Alignment,
}

/// Analyzes both texts and aligns them.
pub fn compare<'d>(a: &'d Document, b: &'d Document, config: &Config) -> Comparison<'d> {
    let ta = whence_text::analyze(&a.text);
    let tb = whence_text::analyze(&b.text);
    let alignment = align(
        Side::new(&a.text, &ta, &a.boilerplate),
        Side::new(&b.text, &tb, &b.boilerplate),
        config.align(),
    );
    Comparison { a, b, alignment }
}
