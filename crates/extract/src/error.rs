//! Typed errors of the extract stage.

/// Why a page or record could not be extracted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The input is larger than the configured maximum.
    #[error("input of {len} bytes is larger than the maximum of {max} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        len: usize,
        /// The maximum accepted.
        max: usize,
    },
    /// Elements nest deeper than the parser can handle in reasonable time.
    #[error("elements nest about {depth} deep, more than the maximum of {max}")]
    TooDeep {
        /// Estimated nesting depth.
        depth: usize,
        /// The maximum accepted.
        max: usize,
    },
    /// The page holds no text at all once markup, scripts and styles are removed.
    #[error("no text found in the page")]
    NoText,
}

/// Why a WARC record could not be read. The stream goes on after each of these
/// except [`WarcError::Io`] on the underlying reader.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WarcError {
    /// Reading the underlying stream failed (including a corrupt gzip member).
    #[error("I/O error reading WARC: {0}")]
    Io(#[from] std::io::Error),
    /// A record header could not be parsed.
    #[error("malformed WARC record at byte {offset}: {reason}")]
    Malformed {
        /// Offset of the record in the uncompressed stream.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// The stream ended inside a record.
    #[error(
        "truncated WARC record at byte {offset}: expected {expected} content bytes, got {got}"
    )]
    Truncated {
        /// Offset of the record in the uncompressed stream.
        offset: u64,
        /// `Content-Length` of the record.
        expected: u64,
        /// Bytes actually present.
        got: u64,
    },
}
