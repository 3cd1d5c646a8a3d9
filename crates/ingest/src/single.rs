//! One document, for `whence compare A B` and `whence trace DOC`: any input the
//! corpus reader takes, holding exactly one document, or one document picked out
//! of a collection by id (`news.jsonl#id`, `crawl.warc.gz#https://…`).

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use whence_core::Document;

use crate::{format, Corpus, CorpusOptions, Documents, Format, Input, Skip, SkipReason, Warning};

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    #[error("{input}: cannot read: {error}")]
    Io {
        input: String,
        error: std::io::Error,
    },
    #[error("{input}: invalid UTF-8 at byte {offset}, and no other encoding explains the bytes (--lossy replaces them with U+FFFD; --encoding NAME forces an encoding)")]
    InvalidUtf8 { input: String, offset: usize },
    #[error("{input}: the file is empty (no text to compare)")]
    Empty { input: String },
    #[error("{input}: looks like binary data (NUL byte at offset {offset}), not text")]
    Binary { input: String, offset: usize },
    #[error("{input}: holds only whitespace, no text to compare")]
    Blank { input: String },
    #[error("{input}: is a directory; name one file (trace and pairs read directories)")]
    IsDirectory { input: String },
    #[error("{input}: expected exactly one document here, found {found}")]
    NotOneDocument { input: String, found: String },
    #[error("{input}: no document with id `{id}` among its {read} documents{}", examples_note(.examples))]
    NoSuchId {
        input: String,
        id: String,
        read: u64,
        examples: Vec<String>,
    },
    /// The one document could not be read (the corpus reader's skip, which names
    /// the file and line).
    #[error("{0}")]
    Unusable(Skip),
}

fn examples_note(examples: &[String]) -> String {
    if examples.is_empty() {
        String::new()
    } else {
        format!(" (ids look like: {})", examples.join(", "))
    }
}

/// Reads one document: a text file (or stdin) as it is; an HTML page, a WARC
/// archive, a JSON or JSONL file holding exactly one document; or
/// `FILE#ID`, the document with that id in a JSONL, JSON or WARC file (the id
/// is a URL for WARC records). Text is decoded as for a corpus (UTF-8, UTF-16,
/// legacy encodings recognized and reported in the warnings). A file whose
/// name says nothing (`notes`, `story.md`) is read as text.
///
/// ```
/// use whence_ingest::{read_document, CorpusSpec, Input};
/// let dir = tempfile::tempdir()?;
/// let news = dir.path().join("news.jsonl");
/// std::fs::write(&news, "{\"id\": \"a\", \"text\": \"One.\"}\n{\"id\": \"b\", \"text\": \"Two.\"}\n")?;
/// let opts = CorpusSpec::with_inputs([&news]).validate()?;
/// let pick = format!("{}#b", news.display());
/// let (doc, _) = read_document(&Input::from_arg(&pick), &opts)?;
/// assert_eq!((doc.id.as_str(), doc.text.as_str()), ("b", "Two."));
/// assert!(read_document(&Input::from_arg(&news), &opts).is_err()); // two documents
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_document(
    input: &Input,
    opts: &CorpusOptions,
) -> Result<(Document, Vec<Warning>), IngestError> {
    let name = input.to_string();
    let (docs, selector) = match input {
        Input::Stdin => {
            let corpus =
                Corpus::open(&opts.with_inputs(vec![Input::Stdin])).expect("stdin always opens");
            (corpus.documents(), None)
        }
        Input::Path(p) => match fs::metadata(p) {
            Ok(m) if m.is_dir() => return Err(IngestError::IsDirectory { input: name }),
            Ok(_) => (open(p, opts)?, None),
            Err(error) => match split_selector(p) {
                Some((file, id)) => (open(&file, opts)?, Some(id)),
                None => return Err(IngestError::Io { input: name, error }),
            },
        },
    };
    match selector {
        Some(id) => pick(docs, input, &id),
        None => only(docs, &name),
    }
}

/// `FILE#ID` split where `FILE` is an existing file (the first such `#`).
fn split_selector(p: &Path) -> Option<(PathBuf, String)> {
    let s = p.to_str()?;
    s.match_indices('#').find_map(|(i, _)| {
        let file = Path::new(&s[..i]);
        file.is_file()
            .then(|| (file.to_path_buf(), s[i + 1..].to_owned()))
    })
}

/// The documents of one file, its format from its name (text when the name
/// says nothing; gzip and zstd recognized by their magic bytes then).
fn open(path: &Path, opts: &CorpusOptions) -> Result<Documents, IngestError> {
    let name = path.display().to_string();
    let io = |error| IngestError::Io {
        input: name.clone(),
        error,
    };
    let file = File::open(path).map_err(io)?;
    let (format, reader): (Format, Box<dyn std::io::Read + Send>) = match Format::from_path(path) {
        Some(f) => (f, Box::new(file)),
        None => {
            let (c, reader) = format::sniff(file).map_err(io)?;
            (Format::Text(c), reader)
        }
    };
    Ok(Documents::from_reader(&name, reader, format, opts))
}

/// The one document of `docs`, or why there is not exactly one.
fn only(docs: Documents, name: &str) -> Result<(Document, Vec<Warning>), IngestError> {
    let mut found = Vec::new();
    let mut first_skip = None;
    for item in docs {
        match item {
            Ok(rec) => found.push(rec),
            Err(skip) => {
                first_skip.get_or_insert(skip);
            }
        }
        if found.len() > 3 {
            break;
        }
    }
    let input = name.to_owned();
    match (found.len(), first_skip) {
        (1, _) => {
            let rec = found.pop().expect("one document");
            Ok((rec.doc, rec.warnings))
        }
        (0, Some(skip)) => Err(match skip.reason {
            SkipReason::EmptyText => IngestError::Empty { input },
            SkipReason::BlankText => IngestError::Blank { input },
            SkipReason::Binary { offset } => IngestError::Binary {
                input,
                offset: offset as usize,
            },
            SkipReason::InvalidUtf8 { offset } if skip.line.is_none() => IngestError::InvalidUtf8 {
                input,
                offset: offset as usize,
            },
            _ => IngestError::Unusable(skip),
        }),
        (0, None) => Err(IngestError::NotOneDocument {
            input,
            found: "no document".into(),
        }),
        _ => {
            let ids: Vec<&str> = found.iter().take(3).map(|r| r.doc.id.as_str()).collect();
            Err(IngestError::NotOneDocument {
                found: format!(
                    "more than one; pick one as {input}#ID (ids look like: {}), or give the file to trace or pairs",
                    ids.join(", ")
                ),
                input,
            })
        }
    }
}

/// The document with id `id` in `docs`.
fn pick(docs: Documents, input: &Input, id: &str) -> Result<(Document, Vec<Warning>), IngestError> {
    let mut read = 0u64;
    let mut examples = Vec::new();
    for rec in docs.flatten() {
        read += 1;
        if rec.doc.id.as_str() == id {
            return Ok((rec.doc, rec.warnings));
        }
        if examples.len() < 3 {
            examples.push(rec.doc.id.as_str().to_owned());
        }
    }
    let file = match input {
        Input::Path(p) => p
            .to_str()
            .and_then(|s| s.strip_suffix(id))
            .and_then(|s| s.strip_suffix('#'))
            .unwrap_or("")
            .to_owned(),
        Input::Stdin => input.to_string(),
    };
    Err(IngestError::NoSuchId {
        input: file,
        id: id.to_owned(),
        read,
        examples,
    })
}
