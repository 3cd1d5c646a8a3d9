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
use std::sync::{Mutex, OnceLock};

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

/// A model as the aligner's [`SentenceEncoder`]: embeds through the model's
/// cache, counts what it embedded, and keeps the first error (a failed batch
/// makes the aligner skip the semantic stage for that pair; callers report
/// [`Encoder::failure`] so nothing is lost silently).
///
/// [`Encoder::lazy`] loads the model only when the aligner first asks for
/// vectors: most comparisons never need one (the semantic stage runs only on
/// what the words leave unexplained, in pairs whose words already show reuse),
/// so they do not pay the second it takes to load. A model that then fails to
/// load is a [`Encoder::failure`] like a failed batch.
pub struct Encoder {
    model: OnceLock<Option<Model>>,
    /// Where a lazy encoder loads its model from.
    source: Option<(PathBuf, EmbedOptions)>,
    sentences: AtomicU64,
    failures: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Encoder {
    /// Wraps a loaded model.
    pub fn new(model: Model) -> Encoder {
        Encoder {
            model: OnceLock::from(Some(model)),
            source: None,
            sentences: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            first_error: Mutex::new(None),
        }
    }

    /// An encoder that loads the model in `dir` when it is first used.
    pub fn lazy(dir: PathBuf, options: EmbedOptions) -> Encoder {
        Encoder {
            model: OnceLock::new(),
            source: Some((dir, options)),
            sentences: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            first_error: Mutex::new(None),
        }
    }

    /// The model, once loaded (`None` for a lazy encoder never used, or whose
    /// model did not load).
    pub fn model(&self) -> Option<&Model> {
        self.model.get().and_then(Option::as_ref)
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

    fn fail(&self, error: String) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
        first.get_or_insert(error);
    }

    /// The model, loading it on first use.
    fn loaded(&self) -> Option<&Model> {
        self.model
            .get_or_init(|| {
                let (dir, options) = self.source.as_ref()?;
                match Model::load_with(dir, options) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        self.fail(format!("cannot load the model at {}: {e}", dir.display()));
                        None
                    }
                }
            })
            .as_ref()
    }
}

/// The encoder to use by default (compare, trace): a lazy one for the model
/// `explicit`, `WHENCE_MODEL` or the cache names; `Ok(None)` when none is
/// installed. A directory that lacks the model's files is an error here, before
/// any work, so callers can fall back with a warning (or fail, when the user
/// insisted on the semantic layer).
pub fn default_encoder(
    explicit: Option<&Path>,
    options: &EmbedOptions,
) -> Result<Option<Encoder>, ModelError> {
    let Some(dir) = resolve_model_dir(explicit) else {
        return Ok(None);
    };
    if !whence_embed::has_model_files(&dir) {
        // the loader names the first missing file
        return Err(ModelError::Load(
            Model::load_with(&dir, options)
                .err()
                .unwrap_or_else(|| EmbedError::MissingFile { path: dir.clone() }),
        ));
    }
    Ok(Some(Encoder::lazy(dir, options.clone())))
}

impl SentenceEncoder for Encoder {
    fn encode(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
        self.sentences
            .fetch_add(sentences.len() as u64, Ordering::Relaxed);
        let first_use = self.model.get().is_none();
        let Some(model) = self.loaded() else {
            if !first_use {
                // the load failed before (its error is recorded): one more failed batch
                self.failures.fetch_add(1, Ordering::Relaxed);
            }
            return None;
        };
        match model.embed(sentences) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(e.to_string());
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lazy_encoder_loads_on_first_use_and_reports_a_bad_model_once() {
        let dir = tempfile::tempdir().unwrap();
        let options = RawEmbedOptions::default().validate().unwrap();
        // files present but not a model: found, loads badly on first use
        for f in ["config.json", "tokenizer.json", "model.safetensors"] {
            std::fs::write(dir.path().join(f), "{}").unwrap();
        }
        let enc = default_encoder(Some(dir.path()), &options)
            .unwrap()
            .unwrap();
        assert!(
            enc.model().is_none() && enc.failure().is_none(),
            "nothing loaded yet"
        );
        assert!(enc.encode(&["one"]).is_none());
        assert!(enc.encode(&["two"]).is_none());
        let (n, first) = enc.failure().unwrap();
        assert_eq!(n, 2);
        assert!(first.starts_with("cannot load the model at "), "{first}");
        // a directory without the files is refused before any work
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            default_encoder(Some(empty.path()), &options),
            Err(ModelError::Load(_))
        ));
        // a real (tiny) model loads when first asked
        let tiny = tempfile::tempdir().unwrap();
        tiny::write_tiny_model(tiny.path(), 7, 64).unwrap();
        let enc = default_encoder(Some(tiny.path()), &options)
            .unwrap()
            .unwrap();
        assert!(enc.model().is_none());
        assert_eq!(enc.encode(&["a sentence"]).unwrap().len(), 1);
        assert!(enc.model().is_some() && enc.failure().is_none());
    }
}
