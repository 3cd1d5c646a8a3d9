//! The semantic-layer flags shared by `compare`, `trace` and `pairs`, and the
//! one place that turns them into an encoder (or says once why there is none).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
pub(crate) use whence::semantic::DEFAULT_SEMANTIC_THRESHOLD;
use whence::semantic::{default_encoder, require_model, Encoder, RawEmbedOptions, SEMANTIC_OFF};

use crate::args::unit_interval;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Semantic layer")]
pub(crate) struct SemanticArgs {
    /// Match sentences that share few words by meaning, with the sentence-embedding
    /// model (see `whence model`); they are reported as paraphrase passages with
    /// the cosine as score. On by default for compare and trace when a model is
    /// installed (loaded only when a comparison needs it); pairs uses it only with
    /// this flag. Fails when no model loads.
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
    #[arg(long, value_name = "X", default_value_t = DEFAULT_SEMANTIC_THRESHOLD, value_parser = unit_interval)]
    semantic_threshold: f32,
}

impl SemanticArgs {
    /// The cosine threshold to put into the aligner settings.
    pub(crate) fn threshold(&self) -> f32 {
        self.semantic_threshold
    }

    /// The encoder to align with, if any: none when paraphrase matching is off
    /// (`paraphrase`, the aligner would not consult it). `default_on` (compare,
    /// trace): use an installed model without being asked, loading it only when a
    /// comparison needs vectors; then a missing model is a notice (unless `quiet`)
    /// and a broken one (a bad `WHENCE_MODEL`) a warning, and the run goes on
    /// lexically. `--semantic` or `--model DIR` insist: the model is loaded now,
    /// and failing to is an error.
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
        match default_encoder(None, &options) {
            Ok(Some(encoder)) => Ok(Some(encoder)),
            Ok(None) => {
                if !quiet {
                    eprintln!(
                        "whence: {SEMANTIC_OFF}; `whence model info` says how to install one"
                    );
                }
                Ok(None)
            }
            Err(e) => {
                eprintln!(
                    "whence: warning: {e}; the semantic layer is off (lexical matching only); `whence model info` checks the model"
                );
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
            "whence: warning: the sentence-embedding model failed on {} ({first}); those pairs were aligned without the semantic stage",
            crate::notices::count(n, "batch", "batches")
        );
    }
}
