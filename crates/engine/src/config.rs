//! Engine configuration: raw (from flags or files) → validated.

use whence_align::{AlignConfig, RawAlignConfig};

/// Settings as a user gives them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawConfig {
    pub align: RawAlignConfig,
}

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("alignment settings: {0}")]
    Align(#[from] whence_align::ConfigError),
}

/// Validated settings; the only form the pipelines accept.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub(crate) align: AlignConfig,
}

impl RawConfig {
    /// Validates every part.
    pub fn validate(self) -> Result<Config, ConfigError> {
        Ok(Config {
            align: self.align.validate()?,
        })
    }
}

impl Config {
    /// The validated aligner settings.
    pub fn align(&self) -> &AlignConfig {
        &self.align
    }
}
