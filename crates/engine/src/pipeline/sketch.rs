//! Sketching one document: winnowed fingerprints and a MinHash signature of its
//! matching keys, with its boilerplate masked. `pairs` sketches every document;
//! `trace` sketches the corpus and the query; an index stores the sketches.

use whence_core::{Document, Span, TokenStream};
use whence_sketch::{winnow, MinHasher};

use super::PipelineConfig;

/// The compact form of one document that candidate search works on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sketch {
    /// Winnowed fingerprint hashes of the word k-grams outside boilerplate, in
    /// text order (a hash may repeat).
    pub fingerprints: Vec<u64>,
    /// MinHash signature of the same keys (`PipelineConfig::minhash` values).
    pub signature: Vec<u32>,
}

/// Per-token boilerplate mask, or `None` when there is no boilerplate.
pub(crate) fn mask(ts: &TokenStream, boilerplate: &[Span]) -> Option<Vec<bool>> {
    (!boilerplate.is_empty()).then(|| ts.overlapping(boilerplate))
}

/// Fingerprints and MinHash signature of one document (its boilerplate spans as
/// marked on it). `hasher` must be built from `cfg.minhash`.
pub fn sketch(doc: &Document, cfg: &PipelineConfig, hasher: &MinHasher) -> Sketch {
    let ts = whence_text::analyze(&doc.text);
    let keys: Vec<u64> = ts.tokens.iter().map(|t| t.key).collect();
    let m = mask(&ts, &doc.boilerplate);
    let fingerprints: Vec<u64> = winnow(&keys, m.as_deref(), &cfg.winnow)
        .into_iter()
        .map(|f| f.hash)
        .collect();
    let signature = hasher.signature(&keys, m.as_deref()).values().to_vec();
    Sketch {
        fingerprints,
        signature,
    }
}
