//! The semantic layer: sentence embeddings from `whence-embed`, found and loaded
//! the way every command does it.
//!
//! [`load_model`] returns `Ok(None)` when no model is installed, so callers run
//! lexically and say so once ([`SEMANTIC_OFF`] + [`install_hint`]); a model that
//! is present but broken is an error, never silently ignored. [`Encoder`] wraps a
//! loaded model as the aligner's [`SentenceEncoder`] (for `compare_with`,
//! `pipeline::trace_with` and `pipeline::pairs_with`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

pub use whence_align::{SentenceEncoder, DEFAULT_SEMANTIC_THRESHOLD};

pub use whence_embed::cross::{self, Adapter};
pub use whence_embed::pairs::{features_json, parse_pair_line, PairScorer};
/// A tiny random model in the real file formats, for tests and examples.
pub use whence_embed::tiny;
pub use whence_embed::{
    candidates, cosine, default_model_dir, install, install_hint, install_to, resolve_model_dir,
    Candidate, CrossEncoder, EmbedError, EmbedOptions, Model, PairScore, RawEmbedOptions, Rule,
    Source, Threshold, DEFAULT_MODEL_NAME, DEFAULT_MODEL_PACKAGE, DEFAULT_PARAPHRASE_THRESHOLD,
    MODEL_ENV,
};
pub use whence_embed::{
    judge, judge_with, Features, Judgement, SentenceVectors, DEFAULT_JUDGE_THRESHOLD,
};

/// The one-line notice for runs without a model.
pub const SEMANTIC_OFF: &str =
    "no sentence-embedding model found: the semantic layer is off (lexical matching only)";

/// The model to use, loaded: `explicit` (`--model DIR`), else `WHENCE_MODEL`,
/// else the installed default. `Ok(None)`: none is installed.
pub fn load_model(
    explicit: Option<&Path>,
    options: &EmbedOptions,
) -> Result<Option<Model>, EmbedError> {
    match resolve_model_dir(explicit) {
        Some(dir) => Model::load_with(dir, options).map(Some),
        None => Ok(None),
    }
}

/// Why a command that needs a model cannot run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// No model is installed; the message carries the install commands.
    #[error("no sentence-embedding model found (looked in: {looked})\n{hint}")]
    NotInstalled {
        /// The places searched, comma-separated.
        looked: String,
        /// [`install_hint`].
        hint: String,
    },
    /// A model was found but cannot be loaded.
    #[error("cannot load the model: {0}")]
    Load(#[from] EmbedError),
}

/// [`load_model`] for commands that cannot run without one.
pub fn require_model(explicit: Option<&Path>, options: &EmbedOptions) -> Result<Model, ModelError> {
    match load_model(explicit, options)? {
        Some(m) => Ok(m),
        None => Err(ModelError::NotInstalled {
            looked: candidates(explicit)
                .iter()
                .map(|c| format!("{} {}", c.source, c.path.display()))
                .collect::<Vec<_>>()
                .join(", "),
            hint: install_hint(),
        }),
    }
}

/// Where `whence model install` puts the model when no target is given.
pub fn default_install_dir() -> Option<PathBuf> {
    default_model_dir()
}

/// A loaded model as the aligner's [`SentenceEncoder`]: embeds through the
/// model's cache, counts what it embedded, and keeps the first error (a failed
/// batch makes the aligner skip the semantic stage for that pair; callers report
/// [`Encoder::failure`] so nothing is lost silently).
pub struct Encoder {
    model: Model,
    sentences: AtomicU64,
    failures: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Encoder {
    /// Wraps a loaded model.
    pub fn new(model: Model) -> Encoder {
        Encoder {
            model,
            sentences: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            first_error: Mutex::new(None),
        }
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Sentences asked for so far (cache hits included).
    pub fn sentences(&self) -> u64 {
        self.sentences.load(Ordering::Relaxed)
    }

    /// `(failed batches, first error)` when any batch failed.
    pub fn failure(&self) -> Option<(u64, String)> {
        let n = self.failures.load(Ordering::Relaxed);
        let first = self
            .first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        first.map(|e| (n, e))
    }
}

impl SentenceEncoder for Encoder {
    fn encode(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
        self.sentences
            .fetch_add(sentences.len() as u64, Ordering::Relaxed);
        match self.model.embed(sentences) {
            Ok(v) => Some(v),
            Err(e) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                let mut first = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
                first.get_or_insert_with(|| e.to_string());
                None
            }
        }
    }
}
