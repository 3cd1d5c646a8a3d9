//! The one error type of this crate.

use std::path::PathBuf;

/// Why a model could not be found, loaded, installed or run.
///
/// Every variant that concerns a file names it, so a user can fix the right one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbedError {
    /// A file the model needs is not in the model directory.
    #[error("{}: missing (a model directory needs config.json, tokenizer.json and model.safetensors)", .path.display())]
    MissingFile {
        /// The path that was looked for.
        path: PathBuf,
    },
    /// A model file exists but its content is unusable.
    #[error("{}: {reason}", .path.display())]
    BadFile {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `install` was given something that holds no model.
    #[error("{}: {reason}", .path.display())]
    Install {
        /// What `install` was given.
        path: PathBuf,
        /// Why no model could be taken from it.
        reason: String,
    },
    /// Embedding options out of range (see [`crate::RawEmbedOptions::validate`]).
    #[error("invalid embedding option: {0}")]
    Options(String),
    /// The tokenizer failed on an input.
    #[error("tokenizer: {0}")]
    Tokenize(String),
    /// The tensor computation failed (a bug or an inconsistent model, not bad input).
    #[error("inference: {0}")]
    Inference(String),
}

impl EmbedError {
    pub(crate) fn bad(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        EmbedError::BadFile {
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EmbedError::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<candle_core::Error> for EmbedError {
    fn from(e: candle_core::Error) -> Self {
        EmbedError::Inference(e.to_string())
    }
}
