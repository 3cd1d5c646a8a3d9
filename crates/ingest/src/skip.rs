//! What was not read, where, and why.

use std::fmt;

/// An input document (or the rest of a file) that was not read. Its `Display` is
/// one line naming the file and, for JSONL, the line (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    /// The file as given or found (`<stdin>` for stdin).
    pub input: String,
    /// The 1-based line, for skips inside a JSONL file.
    pub line: Option<u64>,
    pub reason: SkipReason,
}

/// Why something was skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// The line is not a JSON object; `message` is serde_json's.
    MalformedJson { message: String },
    /// The object has no text field.
    MissingField { field: String },
    /// The text field holds something else than a string (`found`: "a number", "null", …).
    NotAString { field: String, found: &'static str },
    /// The text is empty (or the file is).
    EmptyText,
    /// The text holds only whitespace.
    BlankText,
    /// The text is larger than the limit (bytes of UTF-8).
    TooLarge { bytes: u64, limit: u64 },
    /// The JSONL line is longer than the line limit; it was not parsed.
    LineTooLong { bytes: u64, limit: u64 },
    /// Invalid UTF-8 at this byte offset (of the file, or of the line for JSONL),
    /// and no other encoding explains the bytes.
    InvalidUtf8 { offset: u64 },
    /// A NUL byte at this offset: binary data, not text. For JSONL, found in the
    /// first non-blank line; the whole file is skipped.
    Binary { offset: u64 },
    /// The file or directory could not be opened or read.
    Unreadable { message: String },
    /// The compressed stream ends early. For JSONL, `lines_read` complete lines
    /// before the cut were read (and yielded or skipped one by one); the rest of the
    /// file is lost. For one-document files it is `None` and the document is skipped.
    Truncated { lines_read: Option<u64> },
    /// The compressed stream is corrupt (`message` from the decompressor); as for
    /// [`SkipReason::Truncated`], earlier lines were read.
    Corrupt {
        lines_read: Option<u64>,
        message: String,
    },
    /// An HTML page (or WARC record) from which no main text could be extracted.
    NoMainText { message: String },
    /// A WARC record that could not be read (`message` from the reader); the
    /// archive goes on with the next record.
    BadRecord { message: String },
}

/// [`SkipReason`] without its details, for counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SkipKind {
    MalformedJson,
    MissingField,
    NotAString,
    EmptyText,
    BlankText,
    TooLarge,
    LineTooLong,
    InvalidUtf8,
    Binary,
    Unreadable,
    Truncated,
    Corrupt,
    NoMainText,
    BadRecord,
}

impl SkipReason {
    /// The kind of this reason.
    pub fn kind(&self) -> SkipKind {
        match self {
            SkipReason::MalformedJson { .. } => SkipKind::MalformedJson,
            SkipReason::MissingField { .. } => SkipKind::MissingField,
            SkipReason::NotAString { .. } => SkipKind::NotAString,
            SkipReason::EmptyText => SkipKind::EmptyText,
            SkipReason::BlankText => SkipKind::BlankText,
            SkipReason::TooLarge { .. } => SkipKind::TooLarge,
            SkipReason::LineTooLong { .. } => SkipKind::LineTooLong,
            SkipReason::InvalidUtf8 { .. } => SkipKind::InvalidUtf8,
            SkipReason::Binary { .. } => SkipKind::Binary,
            SkipReason::Unreadable { .. } => SkipKind::Unreadable,
            SkipReason::Truncated { .. } => SkipKind::Truncated,
            SkipReason::Corrupt { .. } => SkipKind::Corrupt,
            SkipReason::NoMainText { .. } => SkipKind::NoMainText,
            SkipReason::BadRecord { .. } => SkipKind::BadRecord,
        }
    }
}

impl SkipKind {
    /// A short name for summaries ("malformed JSON").
    pub fn describe(self) -> &'static str {
        match self {
            SkipKind::MalformedJson => "malformed JSON",
            SkipKind::MissingField => "missing text field",
            SkipKind::NotAString => "text field not a string",
            SkipKind::EmptyText => "empty text",
            SkipKind::BlankText => "blank text",
            SkipKind::TooLarge => "too large",
            SkipKind::LineTooLong => "line too long",
            SkipKind::InvalidUtf8 => "undecodable bytes",
            SkipKind::Binary => "binary",
            SkipKind::Unreadable => "unreadable",
            SkipKind::Truncated => "truncated stream",
            SkipKind::Corrupt => "corrupt stream",
            SkipKind::NoMainText => "no main text in page",
            SkipKind::BadRecord => "unreadable WARC record",
        }
    }
}

impl fmt::Display for SkipKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

fn lines_before(f: &mut fmt::Formatter<'_>, lines_read: Option<u64>) -> fmt::Result {
    match lines_read {
        Some(n) => write!(
            f,
            "; the {n} line(s) before were read, the rest of the file is lost"
        ),
        None => f.write_str("; document skipped"),
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::MalformedJson { message } => {
                write!(f, "malformed JSON ({message}); line skipped")
            }
            SkipReason::MissingField { field } => {
                write!(f, "no `{field}` field; line skipped")
            }
            SkipReason::NotAString { field, found } => {
                write!(
                    f,
                    "field `{field}` holds {found}, not a string; line skipped"
                )
            }
            SkipReason::EmptyText => f.write_str("empty text; skipped"),
            SkipReason::BlankText => f.write_str("text holds only whitespace; skipped"),
            SkipReason::TooLarge { bytes, limit } => write!(
                f,
                "document of {bytes} bytes exceeds the {limit}-byte limit; skipped, not truncated"
            ),
            SkipReason::LineTooLong { bytes, limit } => write!(
                f,
                "line of {bytes} bytes exceeds the {limit}-byte line limit; skipped unparsed"
            ),
            SkipReason::InvalidUtf8 { offset } => write!(
                f,
                "invalid UTF-8 at byte {offset}, and no other encoding explains the bytes; skipped (--lossy replaces them with U+FFFD, --encoding NAME forces an encoding)"
            ),
            SkipReason::Binary { offset } => write!(
                f,
                "looks like binary data (NUL byte at offset {offset}); file skipped"
            ),
            SkipReason::Unreadable { message } => write!(f, "cannot read: {message}"),
            SkipReason::Truncated { lines_read } => {
                f.write_str("compressed stream ends early (truncated)")?;
                lines_before(f, *lines_read)
            }
            SkipReason::Corrupt {
                lines_read,
                message,
            } => {
                write!(f, "compressed stream is corrupt ({message})")?;
                lines_before(f, *lines_read)
            }
            SkipReason::NoMainText { message } => {
                write!(
                    f,
                    "no main text could be extracted ({message}); page skipped"
                )
            }
            SkipReason::BadRecord { message } => {
                write!(f, "unreadable WARC record ({message}); the archive goes on")
            }
        }
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.input, self.reason),
            None => write!(f, "{}: {}", self.input, self.reason),
        }
    }
}

impl std::error::Error for Skip {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_messages() {
        let s = Skip {
            input: "a.jsonl.gz".into(),
            line: Some(7),
            reason: SkipReason::Truncated {
                lines_read: Some(6),
            },
        };
        assert_eq!(
            s.to_string(),
            "a.jsonl.gz:7: compressed stream ends early (truncated); the 6 line(s) before were read, the rest of the file is lost"
        );
        let s = Skip {
            input: "b.txt".into(),
            line: None,
            reason: SkipReason::InvalidUtf8 { offset: 3 },
        };
        assert_eq!(
            s.to_string(),
            "b.txt: invalid UTF-8 at byte 3, and no other encoding explains the bytes; skipped (--lossy replaces them with U+FFFD, --encoding NAME forces an encoding)"
        );
        assert_eq!(s.reason.kind(), SkipKind::InvalidUtf8);
        assert!(!s.to_string().contains('\n'));
    }
}
