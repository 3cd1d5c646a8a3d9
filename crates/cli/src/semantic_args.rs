//! The semantic-layer flags shared by `compare`, `trace` and `pairs`, and the
//! one place that turns them into an encoder (or says once why there is none).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
pub(crate) use whence::semantic::DEFAULT_SEMANTIC_THRESHOLD;
use whence::semantic::{load_model, require_model, Encoder, RawEmbedOptions, SEMANTIC_OFF};

#[derive(Args, Debug, Clone)]
pub(crate) struct SemanticArgs {
    /// Match sentences that share few words by meaning, with the sentence-embedding
    /// model (see `whence model`); they are reported as paraphrase passages with
    /// the cosine as score. On by default for compare and trace when a model is
    /// installed; pairs uses it only with this flag. Fails when no model is found.
    #[arg(long, conflicts_with = "no_semantic")]
    semantic: bool,
    /// Never use the sentence-embedding model (lexical matching only).
    #[arg(long)]
    no_semantic: bool,
    /// Sentence-embedding model directory (default: $WHENCE_MODEL, then the
    /// model `whence model install` put in the cache).
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    /// Cosine (0-1) two sentences' embeddings need to align as a paraphrase.
    #[arg(long, value_name = "X", default_value_t = DEFAULT_SEMANTIC_THRESHOLD)]
    semantic_threshold: f32,
}

impl SemanticArgs {
    /// The cosine threshold to put into the aligner settings.
    pub(crate) fn threshold(&self) -> f32 {
        self.semantic_threshold
    }

    /// The encoder to align with, if any: none when paraphrase matching is off
    /// (`paraphrase`, the aligner would not consult it). `default_on`: use an
    /// installed model without being asked (compare, trace); then a missing model
    /// is not an error and the notice is printed once on stderr unless `quiet`.
    pub(crate) fn encoder(
        &self,
        paraphrase: bool,
        default_on: bool,
        quiet: bool,
    ) -> Result<Option<Encoder>> {
        if !paraphrase || self.no_semantic || !(self.semantic || default_on) {
            return Ok(None);
        }
        let options = RawEmbedOptions::default().validate()?;
        if self.semantic || self.model.is_some() {
            let model = require_model(self.model.as_deref(), &options)
                .context("--semantic needs a sentence-embedding model")?;
            return Ok(Some(Encoder::new(model)));
        }
        match load_model(None, &options).context("cannot load the sentence-embedding model")? {
            Some(model) => Ok(Some(Encoder::new(model))),
            None => {
                if !quiet {
                    eprintln!(
                        "whence: {SEMANTIC_OFF}; `whence model info` says how to install one"
                    );
                }
                Ok(None)
            }
        }
    }
}

/// Reports batches the model failed on (the pairs concerned were aligned
/// without the semantic stage), so nothing is lost silently.
pub(crate) fn report_failures(encoder: Option<&Encoder>) {
    if let Some((n, first)) = encoder.and_then(Encoder::failure) {
        eprintln!(
            "whence: warning: the sentence-embedding model failed on {n} batch(es); \
             those pairs were aligned without the semantic stage. First error: {first}"
        );
    }
}
