//! Reading documents: files, directories, JSON and stdin → [`Document`], decoding
//! text whatever its encoding, without changing it, saying exactly what was
//! skipped and why.
//!
//! Responsibility: get bytes from where the user points, decide whether they are
//! usable text, and say exactly why not when they are not (file, line, byte
//! offset). Nothing here normalizes, trims or cleans: offsets computed later index
//! the text exactly as read (decoded to UTF-8 when the input was not).
//!
//! Two entry points:
//! - one document ([`read_document`]): a path, `FILE#ID` (one document of a
//!   JSONL, JSON or WARC file) or stdin → a [`Document`] plus [`Warning`]s, or an
//!   [`IngestError`]. Used by `whence compare` and `whence trace`.
//! - a corpus ([`Corpus`]): a validated [`CorpusOptions`] (from a raw [`CorpusSpec`])
//!   naming files, directories and `-` → a stream of [`Record`]s and [`Skip`]s in a
//!   deterministic order, with [`ReadStats`] for the summary line. Formats by file
//!   name ([`Format`]): `.txt`/`.text` (one document per file), `.jsonl`/`.ndjson`
//!   (one object a line, configurable field names, dotted paths for nested
//!   fields), `.json` (an array of objects, one object, or lines), HTML, WARC, each
//!   optionally `.gz` or `.zst`; stdin is recognized from its first bytes. No input
//!   document is silently lost: every non-blank JSONL line, array element and
//!   supported file yields a record or a skip.
//!
//! Encodings: UTF-8; UTF-16 with or without a byte-order mark; legacy encodings
//! (windows-1252, Latin-1, Cyrillic, …) recognized from the bytes and checked to
//! read as text, reported once per file ([`Warning::Decoded`]) and counted in
//! [`ReadStats::decoded`]; `CorpusSpec::encoding` forces one. Bytes no encoding
//! explains are skipped ([`SkipReason::InvalidUtf8`]) or, with `lossy`, replaced.
//!
//! Ids: for files in a directory, the path relative to it without extensions
//! (`2015/story`), prefixed by the directory's name when several inputs are read;
//! the file stem for files named directly; the JSONL id field (string or number),
//! else `<file stem>:<line>`. An id met again is kept under a new id `id#2`,
//! `id#3`, … with a [`Warning::DuplicateId`] on its record.
//!
//! ```
//! use whence_ingest::{Corpus, CorpusSpec};
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("a.jsonl"), "{\"id\": 1, \"text\": \"One.\"}\n{\"text\": 2}\n")?;
//! let opts = CorpusSpec::with_inputs([dir.path()]).validate()?;
//! let mut docs = Corpus::open(&opts)?.documents();
//! let first = docs.next().unwrap().unwrap();
//! assert_eq!((first.doc.id.as_str(), first.doc.text.as_str()), ("1", "One."));
//! let skip = docs.next().unwrap().unwrap_err();
//! assert!(skip.to_string().ends_with("a.jsonl:2: field `text` holds a number, not a string; line skipped"));
//! assert!(docs.next().is_none());
//! assert_eq!(docs.stats().documents, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod corpus;
mod format;
mod json;
mod jsonl;
mod single;
mod skip;
mod spec;
mod transcode;

pub use corpus::{
    Corpus, Documents, IdRegistry, ListedFile, Listing, OpenError, ReadStats, Record,
};
pub use format::{stem, Compression, Format, SUPPORTED_EXTENSIONS};
pub use jsonl::Fields;
pub use single::{read_document, IngestError};
pub use skip::{Skip, SkipKind, SkipReason};
pub use spec::{
    CorpusOptions, CorpusSpec, FieldNames, SpecError, StdinFormat, DEFAULT_MAX_DOC_BYTES,
};
pub use whence_extract::TextEncoding;

use std::fmt;
use std::path::{Path, PathBuf};

use whence_extract::{DecodedText, TextSource, Undecodable};

/// Where a document comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Path(PathBuf),
    Stdin,
}

impl Input {
    /// `-` means stdin; anything else is a path.
    pub fn from_arg(arg: impl AsRef<Path>) -> Input {
        let p = arg.as_ref();
        if p.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(p.to_path_buf())
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Path(p) => write!(f, "{}", p.display()),
            Input::Stdin => f.write_str("<stdin>"),
        }
    }
}

/// Something read but not quite right; the document is still usable.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// Invalid UTF-8 sequences were replaced; `first_offset` is the first bad byte.
    ReplacedInvalidUtf8 {
        input: String,
        first_offset: usize,
        count: usize,
    },
    /// Invalid UTF-8 in a JSONL line was replaced; `first_offset` is the first bad
    /// byte of the line.
    ReplacedInvalidUtf8InLine {
        input: String,
        line: u64,
        first_offset: usize,
        count: usize,
    },
    /// The text was not UTF-8 and declared no encoding: it was read as
    /// `encoding`, recognized from its bytes. Reported once per file and
    /// encoding; [`ReadStats::decoded`] counts every document.
    Decoded {
        input: String,
        line: Option<u64>,
        encoding: &'static str,
    },
    /// An HTML page declares a legacy charset, but its bytes are UTF-8 with
    /// non-ASCII characters: it was read as UTF-8.
    CharsetContradicted { input: String, line: Option<u64> },
    /// Sequences malformed in the encoding forced with `--encoding` were
    /// replaced with U+FFFD.
    ReplacedMalformed {
        input: String,
        line: Option<u64>,
        encoding: &'static str,
        count: usize,
    },
    /// The id was already taken by an earlier document; this one is kept as `renamed`.
    DuplicateId {
        input: String,
        line: Option<u64>,
        id: String,
        renamed: String,
    },
    /// A metadata field (or the id field) held something that is not text or a
    /// number (`found`: "a boolean", "an array", "an object"); it was ignored.
    IgnoredField {
        input: String,
        line: u64,
        field: String,
        found: &'static str,
    },
    /// The id field named explicitly (`--id-field`) is missing from this
    /// object; the document is kept under `used` (`<file stem>:<line>`).
    MissingId {
        input: String,
        line: u64,
        field: String,
        used: String,
    },
    /// The document's date could not be read as a date (`reason` says why); the
    /// document is kept, undated. Pushed by the corpus loader, which parses dates.
    UnreadableDate {
        input: String,
        line: Option<u64>,
        id: String,
        date: String,
        reason: String,
    },
}

impl Warning {
    /// A short name of this kind of warning, for summaries ("duplicate id").
    pub fn kind(&self) -> &'static str {
        match self {
            Warning::ReplacedInvalidUtf8 { .. } | Warning::ReplacedInvalidUtf8InLine { .. } => {
                "invalid UTF-8 replaced"
            }
            Warning::Decoded { .. } => "not UTF-8, decoded",
            Warning::CharsetContradicted { .. } => "declared charset contradicted",
            Warning::ReplacedMalformed { .. } => "malformed bytes replaced",
            Warning::DuplicateId { .. } => "duplicate id renamed",
            Warning::IgnoredField { .. } => "field ignored",
            Warning::MissingId { .. } => "id field missing",
            Warning::UnreadableDate { .. } => "unreadable date",
        }
    }
}

fn at(f: &mut fmt::Formatter<'_>, input: &str, line: Option<u64>) -> fmt::Result {
    match line {
        Some(line) => write!(f, "{input}:{line}: "),
        None => write!(f, "{input}: "),
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::ReplacedInvalidUtf8 { input, first_offset, count } => write!(
                f,
                "{input}: replaced {count} invalid UTF-8 sequence{} with U+FFFD, the first at byte {first_offset}",
                plural(*count)
            ),
            Warning::ReplacedInvalidUtf8InLine { input, line, first_offset, count } => write!(
                f,
                "{input}:{line}: replaced {count} invalid UTF-8 sequence{} with U+FFFD, the first at byte {first_offset} of the line",
                plural(*count)
            ),
            Warning::Decoded { input, line, encoding } => {
                at(f, input, *line)?;
                write!(f, "not UTF-8; read as {encoding}, recognized from the bytes (--encoding NAME forces another)")
            }
            Warning::CharsetContradicted { input, line } => {
                at(f, input, *line)?;
                f.write_str("the page declares a legacy charset but its bytes are UTF-8; read as UTF-8")
            }
            Warning::ReplacedMalformed { input, line, encoding, count } => {
                at(f, input, *line)?;
                write!(f, "replaced {count} sequence{} malformed in {encoding} with U+FFFD", plural(*count))
            }
            Warning::DuplicateId { input, line, id, renamed } => {
                at(f, input, *line)?;
                write!(f, "id `{id}` was already taken; document kept as `{renamed}`")
            }
            Warning::IgnoredField { input, line, field, found } => write!(
                f,
                "{input}:{line}: field `{field}` holds {found}, not text; ignored"
            ),
            Warning::MissingId { input, line, field, used } => write!(
                f,
                "{input}:{line}: no id field `{field}`; document kept as `{used}`"
            ),
            Warning::UnreadableDate { input, line, id, date, reason } => {
                at(f, input, *line)?;
                write!(f, "document `{id}`: unreadable date {date:?} ({reason}); treated as undated")
            }
        }
    }
}

/// `"s"` unless `n` is 1.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// How bytes whose encoding nobody declared are decoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DecodeOptions {
    /// Replace bytes no encoding explains with U+FFFD instead of failing.
    pub lossy: bool,
    /// Decode with this encoding instead of detecting one.
    pub encoding: Option<&'static TextEncoding>,
}

/// Why bytes could not be decoded to text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    Empty,
    Blank,
    Binary(usize),
    InvalidUtf8(usize),
}

/// Decodes the bytes of a whole text (a file, stdin): UTF-8, UTF-16, or a legacy
/// encoding recognized from the bytes (see `whence_extract::decode_text`), with
/// the warnings to show.
pub(crate) fn decode(
    name: &str,
    line: Option<u64>,
    bytes: &[u8],
    opts: DecodeOptions,
) -> Result<(String, Vec<Warning>), DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let decoded =
        whence_extract::decode_text(bytes, opts.encoding, opts.lossy).map_err(|e| match e {
            Undecodable::Binary { offset } => DecodeError::Binary(offset),
            Undecodable::NoEncoding { offset } => DecodeError::InvalidUtf8(offset),
            _ => DecodeError::InvalidUtf8(0),
        })?;
    let warnings = decode_warnings(name, line, bytes, &decoded);
    if decoded.text.trim().is_empty() {
        return Err(DecodeError::Blank);
    }
    Ok((decoded.text, warnings))
}

/// What to tell the user about how `bytes` became `decoded`.
pub(crate) fn decode_warnings(
    name: &str,
    line: Option<u64>,
    bytes: &[u8],
    decoded: &DecodedText,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let input = name.to_owned();
    match decoded.source {
        TextSource::Detected | TextSource::Utf16Sniffed => warnings.push(Warning::Decoded {
            input,
            line,
            encoding: decoded.encoding.name(),
        }),
        TextSource::Utf8 if decoded.replaced > 0 => {
            let first_offset = std::str::from_utf8(bytes)
                .err()
                .map_or(0, |e| e.valid_up_to());
            warnings.push(match line {
                Some(line) => Warning::ReplacedInvalidUtf8InLine {
                    input,
                    line,
                    first_offset,
                    count: decoded.replaced,
                },
                None => Warning::ReplacedInvalidUtf8 {
                    input,
                    first_offset,
                    count: decoded.replaced,
                },
            });
        }
        _ if decoded.replaced > 0 => warnings.push(Warning::ReplacedMalformed {
            input,
            line,
            encoding: decoded.encoding.name(),
            count: decoded.replaced,
        }),
        _ => {}
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8], lossy: bool) -> Result<(String, Vec<Warning>), DecodeError> {
        decode(
            "x.txt",
            None,
            bytes,
            DecodeOptions {
                lossy,
                encoding: None,
            },
        )
    }

    #[test]
    fn bytes_no_encoding_explains_name_the_offset() {
        assert_eq!(
            dec(b"abc \xff\xfe def", false),
            Err(DecodeError::InvalidUtf8(4))
        );
    }

    #[test]
    fn lossy_replaces_and_warns() {
        let (text, w) = dec(b"abc \xff\xfe def", true).unwrap();
        assert_eq!(text, "abc \u{FFFD}\u{FFFD} def");
        assert_eq!(
            w,
            vec![Warning::ReplacedInvalidUtf8 {
                input: "x.txt".into(),
                first_offset: 4,
                count: 2
            }]
        );
    }

    #[test]
    fn legacy_text_is_decoded_with_one_warning() {
        let (text, w) = dec(b"The caf\xe9 charged \xa34 for a \x93coffee\x94.", false).unwrap();
        assert_eq!(text, "The café charged £4 for a \u{201c}coffee\u{201d}.");
        assert_eq!(
            w[0].to_string(),
            "x.txt: not UTF-8; read as windows-1252, recognized from the bytes (--encoding NAME forces another)"
        );
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn empty_blank_binary() {
        assert_eq!(dec(b"", false), Err(DecodeError::Empty));
        assert_eq!(dec(b" \n\t", false), Err(DecodeError::Blank));
        assert_eq!(
            dec(b"PK\x03\x04\x00\x00", false),
            Err(DecodeError::Binary(4))
        );
    }
}
