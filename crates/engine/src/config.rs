//! Engine configuration: raw (from flags or files) → validated.

use whence_align::{AlignConfig, RawAlignConfig};

/// Settings as a user gives them.
#[derive(Clone, Debug, PartialEq)]
pub struct RawConfig {
    pub align: RawAlignConfig,
    /// Find boilerplate (calls to action, link lists, dated headline lists,
    /// copyright lines) inside documents that do not come with their own.
    pub detect_boilerplate: bool,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            align: RawAlignConfig::default(),
            detect_boilerplate: true,
        }
    }
}

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("alignment settings: {0}")]
    Align(#[from] whence_align::ConfigError),
}

/// Validated settings; the only form the pipelines accept.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub(crate) align: AlignConfig,
    pub(crate) detect_boilerplate: bool,
}

impl Default for Config {
    fn default() -> Self {
        RawConfig::default()
            .validate()
            .expect("the defaults are valid")
    }
}

impl RawConfig {
    /// Validates every part.
    pub fn validate(self) -> Result<Config, ConfigError> {
        Ok(Config {
            align: self.align.validate()?,
            detect_boilerplate: self.detect_boilerplate,
        })
    }
}

impl Config {
    /// The validated aligner settings.
    pub fn align(&self) -> &AlignConfig {
        &self.align
    }

    /// The same settings without drift detection, for pipelines that do not
    /// report drift (`pairs`, `trace`, `dedup`).
    pub fn without_drift(&self) -> Config {
        Config {
            align: self.align.without_drift(),
            ..self.clone()
        }
    }

    /// The settings of `pairs` and of the index's adds: the semantic stage
    /// kept to the reuse envelope (embedding cost grows with the corpus's
    /// reuse), the corpus gate on content-word paraphrases (most candidate
    /// pairs are two stories on one topic; see
    /// `whence_align::RawAlignConfig::paraphrase_gate`), and no bracketed gaps
    /// (pairs are listed on their sentence-level evidence).
    pub fn for_corpus(&self) -> Config {
        let gated = self.with_paraphrase_gate().with_semantic_envelope();
        Config {
            align: gated.align.without_bracketed_gaps(),
            ..gated
        }
    }

    /// The same settings with the corpus gate on content-word paraphrases
    /// (`trace`, which keeps every eligible sentence for the semantic stage).
    pub fn with_paraphrase_gate(&self) -> Config {
        Config {
            align: self.align.with_paraphrase_gate(),
            ..self.clone()
        }
    }

    fn with_semantic_envelope(&self) -> Config {
        Config {
            align: self.align.with_semantic_envelope(),
            ..self.clone()
        }
    }
}
