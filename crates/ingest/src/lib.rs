//! Reading documents: files, directories, JSONL and stdin → [`Document`], without
//! changing the text, saying exactly what was skipped and why.
//!
//! Responsibility: get bytes from where the user points, decide whether they are
//! usable text, and say exactly why not when they are not (file, line, byte
//! offset). Nothing here normalizes, trims or cleans: offsets computed later index
//! the text exactly as read.
//!
//! Two entry points:
//! - one document ([`read_document`]): a path or stdin → a [`Document`] whose id is
//!   the file stem (`stdin` for standard input) plus [`Warning`]s, or an
//!   [`IngestError`]. Used by `whence compare`.
//! - a corpus ([`Corpus`]): a validated [`CorpusOptions`] (from a raw [`CorpusSpec`])
//!   naming files, directories and `-` → a stream of [`Record`]s and [`Skip`]s in a
//!   deterministic order, with [`ReadStats`] for the summary line. Formats by file
//!   name ([`Format`]): `.txt`/`.text` (one document per file), `.jsonl`/`.ndjson`
//!   (one object a line, configurable field names), each optionally `.gz` or `.zst`,
//!   and `.json.gz`/`.json.zst` as JSON lines. No input document is silently lost:
//!   every non-blank JSONL line and every supported file yields a record or a skip.
//!
//! Ids: the file stem for text files; the JSONL id field (string or number), else
//! `<file stem>:<line>`. An id met again is kept under a new id `id#2`, `id#3`, …
//! with a [`Warning::DuplicateId`] on its record.
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
//!
//! One document:
//!
//! ```no_run
//! use whence_ingest::{read_document, Input, ReadOptions};
//! let (doc, warnings) = read_document(&Input::from_arg("article.txt"), &ReadOptions::default())?;
//! assert!(warnings.is_empty());
//! println!("{} has {} bytes", doc.id, doc.text.len());
//! # Ok::<(), whence_ingest::IngestError>(())
//! ```

mod corpus;
mod format;
mod jsonl;
mod skip;
mod spec;

pub use corpus::{Corpus, Documents, IdRegistry, Listing, OpenError, ReadStats, Record};
pub use format::{Compression, Format, SUPPORTED_EXTENSIONS};
pub use skip::{Skip, SkipKind, SkipReason};
pub use spec::{
    CorpusOptions, CorpusSpec, FieldNames, SpecError, StdinFormat, DEFAULT_MAX_DOC_BYTES,
};

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use whence_core::Document;

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

/// How to treat doubtful input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Replace invalid UTF-8 with U+FFFD (and warn) instead of failing.
    pub lossy: bool,
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
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::ReplacedInvalidUtf8 { input, first_offset, count } => write!(
                f,
                "{input}: replaced {count} invalid UTF-8 sequence(s) with U+FFFD, the first at byte {first_offset}"
            ),
            Warning::ReplacedInvalidUtf8InLine { input, line, first_offset, count } => write!(
                f,
                "{input}:{line}: replaced {count} invalid UTF-8 sequence(s) with U+FFFD, the first at byte {first_offset} of the line"
            ),
            Warning::DuplicateId { input, line, id, renamed } => {
                match line {
                    Some(line) => write!(f, "{input}:{line}: ")?,
                    None => write!(f, "{input}: ")?,
                }
                write!(f, "id `{id}` was already taken; document kept as `{renamed}`")
            }
            Warning::IgnoredField { input, line, field, found } => write!(
                f,
                "{input}:{line}: field `{field}` holds {found}, not text; ignored"
            ),
        }
    }
}

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    #[error("{input}: cannot read: {source}")]
    Io {
        input: String,
        source: std::io::Error,
    },
    #[error("{input}: invalid UTF-8 at byte {offset} (use --lossy to replace invalid bytes)")]
    InvalidUtf8 { input: String, offset: usize },
    #[error("{input}: the file is empty (no text to compare)")]
    Empty { input: String },
    #[error("{input}: looks like binary data (NUL byte at offset {offset}), not text")]
    Binary { input: String, offset: usize },
    #[error("{input}: holds only whitespace, no text to compare")]
    Blank { input: String },
    #[error("{input}: expected exactly one document here, found {found}")]
    NotOneDocument { input: String, found: String },
}

/// Bytes inspected for NUL when deciding whether input is binary.
const BINARY_SNIFF: usize = 8192;

/// Reads one document: a text file (or stdin) as it is; an HTML page, or a WARC
/// archive or JSONL file holding exactly one document, through the corpus reader
/// (HTML and WARC pages are reduced to their main text).
pub fn read_document(
    input: &Input,
    opts: &ReadOptions,
) -> Result<(Document, Vec<Warning>), IngestError> {
    let name = input.to_string();
    if let Input::Path(p) = input {
        if matches!(
            Format::from_path(p),
            Some(Format::Html(_) | Format::Warc(_) | Format::Jsonl(_))
        ) {
            return read_single(p, opts);
        }
    }
    let bytes = match input {
        Input::Path(p) => std::fs::read(p),
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin().lock().read_to_end(&mut buf).map(|_| buf)
        }
    }
    .map_err(|source| IngestError::Io {
        input: name.clone(),
        source,
    })?;
    let id = match input {
        Input::Path(p) => p
            .file_stem()
            .map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned()),
        Input::Stdin => "stdin".to_owned(),
    };
    let (text, warnings) = decode(&name, bytes, opts)?;
    Ok((Document::new(id, text), warnings))
}

/// One document from a file the corpus reader understands.
fn read_single(path: &Path, opts: &ReadOptions) -> Result<(Document, Vec<Warning>), IngestError> {
    let name = path.display().to_string();
    let spec = CorpusSpec {
        lossy: opts.lossy,
        ..CorpusSpec::with_inputs([path.to_path_buf()])
    };
    let options = spec.validate().map_err(|e| IngestError::NotOneDocument {
        input: name.clone(),
        found: e.to_string(),
    })?;
    let corpus = Corpus::open(&options).map_err(|e| IngestError::NotOneDocument {
        input: name.clone(),
        found: e.to_string(),
    })?;
    let mut docs = Vec::new();
    let mut skips = Vec::new();
    for item in corpus.documents() {
        match item {
            Ok(rec) => docs.push(rec),
            Err(skip) => skips.push(skip),
        }
        if docs.len() > 1 {
            break;
        }
    }
    match (docs.len(), skips.first()) {
        (1, _) => {
            let rec = docs.pop().expect("one document");
            Ok((rec.doc, rec.warnings))
        }
        (0, Some(skip)) => Err(IngestError::NotOneDocument { input: name, found: format!("no document: {skip}") }),
        (0, None) => Err(IngestError::NotOneDocument { input: name, found: "no document".into() }),
        _ => Err(IngestError::NotOneDocument {
            input: name,
            found: "more than one document (use `whence extract` to list them, or trace/pairs for a corpus)".into(),
        }),
    }
}

/// Validates and decodes bytes as UTF-8 text.
pub fn decode(
    name: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
) -> Result<(String, Vec<Warning>), IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty {
            input: name.to_owned(),
        });
    }
    if let Some(offset) = bytes[..bytes.len().min(BINARY_SNIFF)]
        .iter()
        .position(|&b| b == 0)
    {
        return Err(IngestError::Binary {
            input: name.to_owned(),
            offset,
        });
    }
    let mut warnings = Vec::new();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            if !opts.lossy {
                return Err(IngestError::InvalidUtf8 {
                    input: name.to_owned(),
                    offset,
                });
            }
            let bytes = e.into_bytes();
            let count = count_invalid(&bytes);
            warnings.push(Warning::ReplacedInvalidUtf8 {
                input: name.to_owned(),
                first_offset: offset,
                count,
            });
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    if text.trim().is_empty() {
        return Err(IngestError::Blank {
            input: name.to_owned(),
        });
    }
    Ok((text, warnings))
}

pub(crate) fn count_invalid(mut bytes: &[u8]) -> usize {
    let mut n = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return n,
            Err(e) => {
                n += 1;
                let skip = e.valid_up_to() + e.error_len().unwrap_or(bytes.len() - e.valid_up_to());
                bytes = &bytes[skip..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8], lossy: bool) -> Result<(String, Vec<Warning>), IngestError> {
        decode("x.txt", bytes.to_vec(), &ReadOptions { lossy })
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let err = dec(b"abc\xffdef", false).unwrap_err();
        assert!(
            matches!(err, IngestError::InvalidUtf8 { offset: 3, .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "x.txt: invalid UTF-8 at byte 3 (use --lossy to replace invalid bytes)"
        );
    }

    #[test]
    fn lossy_replaces_and_warns() {
        let (text, w) = dec(b"abc\xffdef\xfe", true).unwrap();
        assert_eq!(text, "abc\u{FFFD}def\u{FFFD}");
        assert_eq!(
            w,
            vec![Warning::ReplacedInvalidUtf8 {
                input: "x.txt".into(),
                first_offset: 3,
                count: 2
            }]
        );
    }

    #[test]
    fn empty_blank_binary() {
        assert!(matches!(dec(b"", false), Err(IngestError::Empty { .. })));
        assert!(matches!(
            dec(b" \n\t", false),
            Err(IngestError::Blank { .. })
        ));
        assert!(matches!(
            dec(b"PK\x03\x04\x00\x00", false),
            Err(IngestError::Binary { offset: 4, .. })
        ));
    }

    #[test]
    fn reads_a_file_with_its_stem_as_id() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("story-1.txt");
        std::fs::write(&p, "Some text.").unwrap();
        let (doc, _) = read_document(&Input::from_arg(&p), &ReadOptions::default()).unwrap();
        assert_eq!(doc.id.as_str(), "story-1");
        assert_eq!(doc.text, "Some text.");
        let missing = read_document(
            &Input::from_arg(dir.path().join("nope.txt")),
            &ReadOptions::default(),
        );
        assert!(matches!(missing, Err(IngestError::Io { .. })));
    }
}
