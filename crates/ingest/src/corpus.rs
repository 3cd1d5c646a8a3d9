//! Streaming a corpus: inputs → [`Record`]s and [`Skip`]s, in a deterministic order.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use whence_core::Document;

use crate::format::{self, Compression, Format, SUPPORTED_EXTENSIONS};
use crate::json::{self, Shape};
use crate::jsonl::{self, Fields, LineCtx, Outcome};
use crate::spec::{CorpusOptions, StdinFormat};
use crate::transcode::{self, Transcode};
use crate::{decode, DecodeError, Input, Skip, SkipKind, SkipReason, TextEncoding, Warning};

/// A document read from a corpus, with where it came from and what was odd about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub doc: Document,
    /// The file it came from (`<stdin>` for stdin).
    pub input: Arc<str>,
    /// Its 1-based line, for JSONL.
    pub line: Option<u64>,
    /// Things to tell the user; the document is usable (e.g. a renamed duplicate id).
    pub warnings: Vec<Warning>,
    /// The other fields of its JSON object (everything but the text), when the
    /// options ask to keep them ([`crate::CorpusSpec::keep_fields`]).
    pub fields: Option<Box<Fields>>,
}

/// Why a corpus cannot be opened at all. Problems inside it are [`Skip`]s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    #[error("{path}: cannot read: {source}")]
    Missing { path: String, source: io::Error },
    #[error(
        "{path}: unsupported file type (whence reads {SUPPORTED_EXTENSIONS}, directories and -)"
    )]
    Unsupported { path: String },
}

/// What a read saw, for the one-line summary every command prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadStats {
    /// Files (and stdin) opened and read, wholly or partly.
    pub files_read: u64,
    /// Files in directories with an unsupported extension (not read).
    pub files_ignored: u64,
    /// The first few of those, for messages.
    pub ignored_examples: Vec<PathBuf>,
    /// Symbolic links to directories met while walking (not followed).
    pub links_not_followed: u64,
    /// Documents yielded.
    pub documents: u64,
    /// Skips, by kind.
    pub skipped: BTreeMap<SkipKind, u64>,
    /// Blank JSONL lines (not documents, not skips).
    pub blank_lines: u64,
    /// Documents whose id was already taken and got a `#N` suffix.
    pub renamed_ids: u64,
    /// Warnings attached to records.
    pub warnings: u64,
    /// Bytes read from files and stdin, as stored (compressed).
    pub bytes_read: u64,
    /// Bytes after decompression.
    pub bytes_decoded: u64,
    /// WARC records that are not HTML pages (requests, metadata, images, …).
    pub records_ignored: u64,
    /// Documents whose encoding was recognized from their bytes (not UTF-8, not
    /// declared), by encoding name.
    pub decoded: BTreeMap<&'static str, u64>,
    /// HTML pages whose declared charset their bytes contradict (read as UTF-8).
    pub charset_overridden: u64,
}

/// How many ignored file names [`ReadStats::ignored_examples`] keeps.
const IGNORED_EXAMPLES: usize = 3;

impl ReadStats {
    /// All skips.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// `"1 file"`, `"3 files"`.
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for ReadStats {
    /// One line: `read 3 files (12.5 MB, 40.1 MB decoded): 19043 documents; skipped 2
    /// (1 malformed JSON, 1 too large); 4 files ignored (unsupported extension); 3
    /// duplicate ids renamed; 65 documents read as windows-1252`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = |b: u64| b as f64 / 1e6;
        write!(
            f,
            "read {} ({:.1} MB",
            count(self.files_read, "file", "files"),
            mb(self.bytes_read)
        )?;
        if self.bytes_decoded != self.bytes_read {
            write!(f, ", {:.1} MB decoded", mb(self.bytes_decoded))?;
        }
        write!(f, "): {}", count(self.documents, "document", "documents"))?;
        let total = self.skipped_total();
        if total > 0 {
            write!(f, "; skipped {total} (")?;
            for (i, (kind, n)) in self.skipped.iter().enumerate() {
                let sep = if i > 0 { ", " } else { "" };
                write!(f, "{sep}{n} {kind}")?;
            }
            f.write_str(")")?;
        }
        if self.files_ignored > 0 {
            write!(
                f,
                "; {} ignored (unsupported extension",
                count(self.files_ignored, "file", "files")
            )?;
            if let Some(first) = self.ignored_examples.first() {
                write!(f, ", e.g. {}", first.display())?;
            }
            f.write_str(")")?;
        }
        if self.links_not_followed > 0 {
            write!(
                f,
                "; {} not followed",
                count(self.links_not_followed, "directory link", "directory links")
            )?;
        }
        if self.records_ignored > 0 {
            write!(
                f,
                "; {} ignored (not HTML pages)",
                count(self.records_ignored, "WARC record", "WARC records")
            )?;
        }
        if self.renamed_ids > 0 {
            write!(
                f,
                "; {} renamed",
                count(self.renamed_ids, "duplicate id", "duplicate ids")
            )?;
        }
        for (encoding, n) in &self.decoded {
            write!(
                f,
                "; {} read as {encoding}",
                count(*n, "document", "documents")
            )?;
        }
        if self.charset_overridden > 0 {
            write!(
                f,
                "; {} read as UTF-8 against the charset they declare",
                count(self.charset_overridden, "page", "pages")
            )?;
        }
        Ok(())
    }
}

/// A corpus whose inputs exist and have supported formats, ready to be read.
///
/// [`Corpus::open`] checks only the inputs as given (a missing path or an explicit
/// file of unknown type is an [`OpenError`]); everything found inside directories
/// and files is reported while reading, as [`Skip`]s.
pub struct Corpus {
    opts: CorpusOptions,
    sources: Vec<Pending>,
}

impl Corpus {
    /// Checks the inputs of `opts`.
    pub fn open(opts: &CorpusOptions) -> Result<Corpus, OpenError> {
        let mut sources = Vec::with_capacity(opts.inputs.len());
        for input in &opts.inputs {
            match input {
                Input::Stdin => sources.push(Pending::Stdin),
                Input::Path(p) => {
                    let meta = fs::metadata(p).map_err(|source| OpenError::Missing {
                        path: p.display().to_string(),
                        source,
                    })?;
                    if meta.is_dir() {
                        let base = IdBase::new(p, opts.inputs.len() > 1);
                        sources.push(Pending::Dir(p.clone(), Arc::new(base)));
                    } else {
                        let format =
                            Format::from_path(p).ok_or_else(|| OpenError::Unsupported {
                                path: p.display().to_string(),
                            })?;
                        sources.push(Pending::File(p.clone(), format, FileId::Own));
                    }
                }
            }
        }
        Ok(Corpus {
            opts: opts.clone(),
            sources,
        })
    }

    /// A corpus of one file of a [`Listing`], read as the whole corpus reads it
    /// (its documents get the ids they get there, before ids repeated across
    /// files are renamed: see [`IdRegistry`]).
    pub fn open_listed(opts: &CorpusOptions, file: &ListedFile) -> Result<Corpus, OpenError> {
        let source = match &file.input {
            Input::Stdin => Pending::Stdin,
            Input::Path(p) => {
                fs::metadata(p).map_err(|source| OpenError::Missing {
                    path: p.display().to_string(),
                    source,
                })?;
                let format = Format::from_path(p).ok_or_else(|| OpenError::Unsupported {
                    path: p.display().to_string(),
                })?;
                Pending::File(p.clone(), format, FileId::Given(file.stem.clone()))
            }
        };
        Ok(Corpus {
            opts: opts.clone(),
            sources: vec![source],
        })
    }

    /// Reads the corpus: inputs in the order given, directories recursively in
    /// sorted path order (byte-wise by name at each level), JSONL lines in file order.
    pub fn documents(self) -> Documents {
        let mut stack = self.sources;
        stack.reverse();
        Documents::new(self.opts, stack)
    }

    /// The files [`Corpus::documents`] would read, in its order, without reading
    /// them: directories are walked as it walks them. A runner that reads files in
    /// parallel (each through a corpus of that one file) numbers documents in the
    /// same order by concatenating the files' documents in this order; ids that
    /// repeat across files are then renamed with an [`IdRegistry`] in that order.
    pub fn files(self) -> Listing {
        let mut walk = self.documents();
        let mut inputs = Vec::new();
        while let Some(pending) = walk.stack.pop() {
            match pending {
                Pending::Dir(dir, base) => walk.list_dir(&dir, &base),
                Pending::File(path, _, id) => inputs.push(ListedFile {
                    stem: id.stem(&path),
                    input: Input::Path(path),
                }),
                Pending::Stdin => inputs.push(ListedFile {
                    input: Input::Stdin,
                    stem: String::new(),
                }),
                Pending::Reader(name, ..) => inputs.push(ListedFile {
                    stem: format::stem(Path::new(&name)),
                    input: Input::Path(name.into()),
                }),
            }
        }
        let skips = walk.out.drain(..).filter_map(Result::err).collect();
        Listing {
            inputs,
            skips,
            stats: walk.stats,
        }
    }
}

/// One file of a [`Listing`]: what to read and the id stem the whole corpus
/// gives its documents (a text file's id; see [`Corpus::open_listed`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedFile {
    pub input: Input,
    pub stem: String,
}

/// The files a corpus reads, in reading order, from [`Corpus::files`].
#[derive(Debug, Default)]
pub struct Listing {
    /// Files (and stdin) in the order [`Corpus::documents`] reads them.
    pub inputs: Vec<ListedFile>,
    /// What the walk could not list (unreadable directories or entries).
    pub skips: Vec<Skip>,
    /// Counts of the walk: files ignored (unsupported extension), links not
    /// followed, skips; nothing read yet.
    pub stats: ReadStats,
}

/// Something still to read. A stack of these drives the walk.
enum Pending {
    /// A directory, and the input directory it was found in (for ids).
    Dir(PathBuf, Arc<IdBase>),
    /// A file, and where its id stem comes from.
    File(PathBuf, Format, FileId),
    Stdin,
    Reader(String, Box<dyn Read + Send>, Format),
}

/// Where a file's id stem comes from.
enum FileId {
    /// Named itself on the command line: its own stem.
    Own,
    /// Found in an input directory: its path under it.
    Under(Arc<IdBase>),
    /// Given by the caller (a file of a [`Listing`], read alone).
    Given(String),
}

impl FileId {
    fn stem(&self, path: &Path) -> String {
        match self {
            FileId::Own => format::stem(path),
            FileId::Under(base) => base.id(path),
            FileId::Given(stem) => stem.clone(),
        }
    }
}

/// Ids of files found in an input directory: their path relative to it,
/// without format and compression extensions, `/`-separated
/// (`wire/2015/story.txt` under `wire/` → `2015/story`); when several inputs
/// are read together, the directory's own name comes first (`pairs site-a/
/// site-b/` → `site-a/story`, `site-b/story`), so files of different inputs
/// cannot take each other's ids.
struct IdBase {
    root: PathBuf,
    prefix: Option<String>,
}

impl IdBase {
    fn new(root: &Path, prefixed: bool) -> IdBase {
        let prefix = prefixed
            .then(|| {
                let name = root.file_name().map(|n| n.to_string_lossy().into_owned());
                name.or_else(|| {
                    fs::canonicalize(root)
                        .ok()?
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                })
            })
            .flatten();
        IdBase {
            root: root.to_path_buf(),
            prefix,
        }
    }

    /// The id of `path`, a file under the root.
    fn id(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let mut parts: Vec<String> = self.prefix.iter().cloned().collect();
        if let Some(parent) = rel.parent() {
            parts.extend(
                parent
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned()),
            );
        }
        parts.push(format::stem(path));
        parts.retain(|p| !p.is_empty());
        parts.join("/")
    }
}

/// Counts bytes passing through a reader.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An open JSONL stream.
struct JsonlSource {
    input: Arc<str>,
    stem: String,
    /// A notice for the first document (the file was recognized as UTF-16).
    notice: Option<Warning>,
    reader: Box<dyn BufRead + Send>,
    compression: Compression,
    /// Lines consumed so far (the number of the last line read).
    line_no: u64,
    seen_nonblank: bool,
    /// Bytes of decoded input consumed before the current line.
    decoded: u64,
}

/// Lines gathered for one parallel parse.
#[derive(Default)]
struct Batch {
    buf: Vec<u8>,
    /// (line number, range in `buf`, full length when longer than the line limit).
    lines: Vec<(u64, std::ops::Range<usize>, Option<u64>)>,
}

/// A batch ends after this many bytes of lines...
const BATCH_BYTES: usize = 4 << 20;
/// ...or this many lines.
const BATCH_LINES: usize = 2048;

/// Assigns unique ids: the first `x` stays `x`, later ones become `x#2`, `x#3`, …
/// (skipping any suffix already taken). Remembers 128-bit hashes, not strings:
/// 24 bytes an entry (plus the table's spare capacity), and a collision among 10⁹
/// ids has probability ~10⁻²¹.
///
/// ```
/// use whence_ingest::IdRegistry;
/// let mut ids = IdRegistry::default();
/// assert_eq!(ids.claim("a"), None);
/// assert_eq!(ids.claim("a#2"), None);
/// assert_eq!(ids.claim("a").as_deref(), Some("a#3"));
/// ```
#[derive(Default)]
pub struct IdRegistry {
    /// Hash of an id taken → the next suffix to try for it (0 if none tried yet).
    taken: FxHashMap<(u64, u64), u32>,
}

impl IdRegistry {
    fn hash(id: &str) -> (u64, u64) {
        let h = xxhash_rust::xxh3::xxh3_128(id.as_bytes());
        ((h >> 64) as u64, h as u64)
    }

    /// Registers `id`; returns the new id when it had to be renamed.
    pub fn claim(&mut self, id: &str) -> Option<String> {
        let h = Self::hash(id);
        let mut k = match self.taken.entry(h) {
            Entry::Vacant(e) => {
                e.insert(0);
                return None;
            }
            Entry::Occupied(e) => (*e.get()).max(2),
        };
        loop {
            let candidate = format!("{id}#{k}");
            k = k.saturating_add(1);
            if let Entry::Vacant(e) = self.taken.entry(Self::hash(&candidate)) {
                e.insert(0);
                self.taken.insert(h, k);
                return Some(candidate);
            }
        }
    }
}

/// The stream of a corpus's documents and skips. See [`Corpus::documents`].
///
/// Each item is a [`Record`] or a [`Skip`]; every non-blank JSONL line and every
/// supported file yields exactly one item, except that a truncated or corrupt
/// compressed stream yields one skip for the unreadable rest of its file, and a
/// JSONL file whose first line holds a NUL byte is skipped whole as binary.
/// [`Documents::stats`] counts what was seen so far.
/// The WARC archive being read, one record per step (bounded memory).
struct WarcSource {
    input: Arc<str>,
    pages: whence_extract::WarcPages<Box<dyn BufRead + Send>>,
    record: u64,
}

pub struct Documents {
    opts: CorpusOptions,
    stack: Vec<Pending>,
    current: Option<JsonlSource>,
    warc: Option<WarcSource>,
    out: VecDeque<Result<Record, Skip>>,
    ids: IdRegistry,
    stats: ReadStats,
    raw_bytes: Arc<AtomicU64>,
    batch: Batch,
    /// The input whose decoded encodings were last reported, and those encodings.
    decoded_in: Option<(Arc<str>, Vec<&'static str>)>,
}

impl Documents {
    fn new(opts: CorpusOptions, stack: Vec<Pending>) -> Documents {
        Documents {
            opts,
            stack,
            current: None,
            warc: None,
            out: VecDeque::new(),
            ids: IdRegistry::default(),
            stats: ReadStats::default(),
            raw_bytes: Arc::new(AtomicU64::new(0)),
            batch: Batch::default(),
            decoded_in: None,
        }
    }

    /// Reads documents from any reader: what stdin and files go through, usable for
    /// uploads and tests. `name` is used in ids and messages; `format` says how to
    /// read (its compression is taken as given, not sniffed). The inputs listed in
    /// `opts` are not read.
    pub fn from_reader(
        name: &str,
        reader: Box<dyn Read + Send>,
        format: Format,
        opts: &CorpusOptions,
    ) -> Documents {
        Documents::new(
            opts.clone(),
            vec![Pending::Reader(name.to_owned(), reader, format)],
        )
    }

    /// What was read so far; complete once the iterator is exhausted.
    pub fn stats(&self) -> &ReadStats {
        &self.stats
    }

    /// The final counts.
    pub fn into_stats(mut self) -> ReadStats {
        self.stats.bytes_read = self.raw_bytes.load(Ordering::Relaxed);
        self.stats
    }

    fn skip(&mut self, input: &str, line: Option<u64>, reason: SkipReason) {
        *self.stats.skipped.entry(reason.kind()).or_default() += 1;
        self.out.push_back(Err(Skip {
            input: input.to_owned(),
            line,
            reason,
        }));
    }

    fn emit(
        &mut self,
        mut doc: Document,
        input: &Arc<str>,
        line: Option<u64>,
        mut warnings: Vec<Warning>,
        fields: Option<Box<Fields>>,
    ) {
        if warnings
            .iter()
            .any(|w| matches!(w, Warning::Decoded { .. }))
        {
            self.note_decoded(input, &mut warnings);
        }
        if let Some(renamed) = self.ids.claim(doc.id.as_str()) {
            warnings.push(Warning::DuplicateId {
                input: input.to_string(),
                line,
                id: doc.id.as_str().to_owned(),
                renamed: renamed.clone(),
            });
            doc.id = whence_core::DocId::new(renamed);
            self.stats.renamed_ids += 1;
        }
        self.stats.documents += 1;
        self.stats.warnings += warnings.len() as u64;
        self.out.push_back(Ok(Record {
            doc,
            input: Arc::clone(input),
            line,
            warnings,
            fields,
        }));
    }

    /// Counts documents decoded from a recognized encoding, and keeps the notice
    /// only the first time a file shows that encoding.
    fn note_decoded(&mut self, input: &Arc<str>, warnings: &mut Vec<Warning>) {
        if self.decoded_in.as_ref().is_none_or(|(i, _)| i != input) {
            self.decoded_in = Some((Arc::clone(input), Vec::new()));
        }
        let (_, told) = self.decoded_in.as_mut().expect("set above");
        let stats = &mut self.stats;
        warnings.retain(|w| match w {
            Warning::Decoded { encoding, .. } => {
                *stats.decoded.entry(encoding).or_default() += 1;
                if told.contains(encoding) {
                    false
                } else {
                    told.push(encoding);
                    true
                }
            }
            _ => true,
        });
    }

    /// Handles one pending item: a directory is listed, a text file read, a JSONL
    /// file opened as the current source.
    fn advance(&mut self, pending: Pending) {
        match pending {
            Pending::Dir(dir, base) => self.list_dir(&dir, &base),
            Pending::File(path, format, base) => {
                let name = path.display().to_string();
                match File::open(&path) {
                    Ok(file) => {
                        let size = file.metadata().ok().map(|m| m.len());
                        let reader = Counting {
                            inner: file,
                            count: Arc::clone(&self.raw_bytes),
                        };
                        let stem = base.stem(&path);
                        self.start(name, stem, Box::new(reader), format, size);
                    }
                    Err(e) => self.skip(
                        &name,
                        None,
                        SkipReason::Unreadable {
                            message: e.to_string(),
                        },
                    ),
                }
            }
            Pending::Stdin => {
                let name = Input::Stdin.to_string();
                let counted = Counting {
                    inner: io::stdin(),
                    count: Arc::clone(&self.raw_bytes),
                };
                let opened = format::sniff(counted).and_then(|(c, reader)| {
                    let mut reader = format::decompress(c, reader)?;
                    let format = match self.opts.stdin_format {
                        StdinFormat::Jsonl => Format::Jsonl(c),
                        StdinFormat::Json => Format::Json(c),
                        StdinFormat::Text => Format::Text(c),
                        StdinFormat::Html => Format::Html(c),
                        StdinFormat::Warc => Format::Warc(c),
                        _ => format::sniff_content(&mut reader, c)?,
                    };
                    Ok((reader, format))
                });
                match opened {
                    Ok((reader, format)) => {
                        self.stats.files_read += 1;
                        self.start_decompressed(name, "stdin".to_owned(), reader, format, None);
                    }
                    Err(e) => self.skip(
                        &name,
                        None,
                        SkipReason::Unreadable {
                            message: e.to_string(),
                        },
                    ),
                }
            }
            Pending::Reader(name, reader, format) => {
                let counted = Counting {
                    inner: reader,
                    count: Arc::clone(&self.raw_bytes),
                };
                let stem = format::stem(Path::new(&name));
                self.start(name, stem, Box::new(counted), format, None);
            }
        }
    }

    /// Starts reading one stream. The one place that dispatches on [`Format`]: new
    /// formats add their arm here.
    fn start(
        &mut self,
        name: String,
        stem: String,
        reader: Box<dyn Read + Send>,
        format: Format,
        size: Option<u64>,
    ) {
        self.stats.files_read += 1;
        let compression = format.compression();
        let reader = match format::decompress(compression, reader) {
            Ok(r) => r,
            Err(e) => {
                let reason = stream_error(compression, None, e);
                return self.skip(&name, None, reason);
            }
        };
        self.start_decompressed(name, stem, reader, format, size);
    }

    /// [`Documents::start`] after decompression.
    fn start_decompressed(
        &mut self,
        name: String,
        stem: String,
        mut reader: Box<dyn BufRead + Send>,
        format: Format,
        size: Option<u64>,
    ) {
        let compression = format.compression();
        match format {
            Format::Text(_) => self.read_text(name, stem, reader, compression, size),
            Format::Html(_) => self.read_html(name, stem, reader, compression),
            Format::Json(_) => self.read_json(name, stem, reader, compression),
            Format::Warc(_) => {
                self.warc = Some(WarcSource {
                    input: Arc::from(name),
                    pages: whence_extract::WarcPages::new(reader),
                    record: 0,
                });
            }
            Format::Jsonl(_) => {
                let mut notice = None;
                match self.utf16(&mut reader) {
                    Ok(Some((enc, bom, recognized))) => {
                        reader = Box::new(io::BufReader::with_capacity(
                            format::BUF_BYTES,
                            Transcode::new(reader, enc, bom),
                        ));
                        notice = recognized.then(|| Warning::Decoded {
                            input: name.clone(),
                            line: None,
                            encoding: enc.name(),
                        });
                    }
                    Ok(None) => {}
                    Err(e) => return self.skip(&name, None, stream_error(compression, Some(0), e)),
                }
                self.current = Some(JsonlSource {
                    input: Arc::from(name),
                    stem,
                    notice,
                    reader,
                    compression,
                    line_no: 0,
                    seen_nonblank: false,
                    decoded: 0,
                });
            }
        }
    }

    /// One web page per file: the main text, title, date, site and URL it states.
    fn read_html(
        &mut self,
        name: String,
        stem: String,
        reader: Box<dyn BufRead + Send>,
        compression: Compression,
    ) {
        let limit = whence_extract::MAX_HTML_BYTES as u64;
        let mut bytes = Vec::new();
        if let Err(e) = reader.take(limit + 1).read_to_end(&mut bytes) {
            self.stats.bytes_decoded += bytes.len() as u64;
            let reason = stream_error(compression, None, e);
            return self.skip(&name, None, reason);
        }
        self.stats.bytes_decoded += bytes.len() as u64;
        if bytes.len() as u64 > limit {
            return self.skip(
                &name,
                None,
                SkipReason::TooLarge {
                    bytes: bytes.len() as u64,
                    limit,
                },
            );
        }
        let input: Arc<str> = Arc::from(name);
        self.emit_page(
            &bytes,
            &whence_extract::HtmlHints::default(),
            stem,
            &input,
            None,
        );
    }

    /// Extracts one page and emits it as a document, or records why not.
    fn emit_page(
        &mut self,
        html: &[u8],
        hints: &whence_extract::HtmlHints,
        id: String,
        input: &Arc<str>,
        line: Option<u64>,
    ) {
        match whence_extract::extract_html(html, hints) {
            Ok(page) => {
                if page.text.len() as u64 > self.opts.max_doc_bytes {
                    let reason = SkipReason::TooLarge {
                        bytes: page.text.len() as u64,
                        limit: self.opts.max_doc_bytes,
                    };
                    return self.skip(input, line, reason);
                }
                let mut warnings = Vec::new();
                match page.charset_source {
                    whence_extract::CharsetSource::Fallback => warnings.push(Warning::Decoded {
                        input: input.to_string(),
                        line,
                        encoding: page.charset,
                    }),
                    whence_extract::CharsetSource::Utf8OverDeclared => {
                        self.stats.charset_overridden += 1;
                        warnings.push(Warning::CharsetContradicted {
                            input: input.to_string(),
                            line,
                        });
                    }
                    _ => {}
                }
                let mut doc = Document::new(id, page.text);
                doc.meta = whence_core::Meta {
                    title: page.title,
                    date: page.date,
                    site: page.site,
                    url: page.url,
                };
                self.emit(doc, input, line, warnings, None);
            }
            Err(e) => self.skip(
                input,
                line,
                SkipReason::NoMainText {
                    message: e.to_string(),
                },
            ),
        }
    }

    /// Reads the next record of the current WARC archive.
    fn read_warc_record(&mut self) {
        let Some(mut src) = self.warc.take() else {
            return;
        };
        let Some(item) = src.pages.next() else {
            return; // archive finished
        };
        src.record += 1;
        let record = Some(src.record);
        let input = Arc::clone(&src.input);
        match item {
            Ok(whence_extract::WarcItem::Page(page)) => {
                let hints = whence_extract::HtmlHints {
                    content_type_charset: page.http_charset.clone(),
                    url: Some(page.url.clone()),
                };
                self.stats.bytes_decoded += page.html.len() as u64;
                let id = if page.url.is_empty() {
                    page.record_id.clone()
                } else {
                    page.url.clone()
                };
                self.emit_page(&page.html, &hints, id, &input, record);
            }
            Ok(whence_extract::WarcItem::Skipped { .. }) => {
                // request, metadata and non-HTML records are not documents
                self.stats.records_ignored += 1;
            }
            Ok(_) => self.stats.records_ignored += 1,
            Err(e) => self.skip(
                &input,
                record,
                SkipReason::BadRecord {
                    message: e.to_string(),
                },
            ),
        }
        self.warc = Some(src);
    }

    /// One document per file.
    fn read_text(
        &mut self,
        name: String,
        stem: String,
        mut reader: Box<dyn BufRead + Send>,
        compression: Compression,
        size: Option<u64>,
    ) {
        let limit = self.opts.max_doc_bytes;
        if compression == Compression::None {
            if let Some(size) = size.filter(|&s| s > limit) {
                return self.skip(&name, None, SkipReason::TooLarge { bytes: size, limit });
            }
        }
        let mut bytes = Vec::with_capacity(size.map_or(0, |s| s.min(limit) as usize));
        let read = (&mut reader)
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes);
        if let Err(e) = read {
            self.stats.bytes_decoded += bytes.len() as u64;
            let reason = stream_error(compression, None, e);
            return self.skip(&name, None, reason);
        }
        if bytes.len() as u64 > limit {
            // Count the rest, so the message gives the real size.
            let rest = io::copy(&mut reader, &mut io::sink());
            let total = bytes.len() as u64 + rest.as_ref().map_or(0, |n| *n);
            self.stats.bytes_decoded += total;
            let reason = match rest {
                Ok(_) => SkipReason::TooLarge {
                    bytes: total,
                    limit,
                },
                Err(e) => stream_error(compression, None, e),
            };
            return self.skip(&name, None, reason);
        }
        self.stats.bytes_decoded += bytes.len() as u64;
        match decode(&name, None, &bytes, self.opts.decode_options()) {
            Ok((text, warnings)) => {
                let input: Arc<str> = Arc::from(name);
                self.emit(Document::new(stem, text), &input, None, warnings, None);
            }
            Err(e) => {
                let reason = match e {
                    DecodeError::InvalidUtf8(offset) => SkipReason::InvalidUtf8 {
                        offset: offset as u64,
                    },
                    DecodeError::Empty => SkipReason::EmptyText,
                    DecodeError::Binary(offset) => SkipReason::Binary {
                        offset: offset as u64,
                    },
                    DecodeError::Blank => SkipReason::BlankText,
                };
                self.skip(&name, None, reason);
            }
        }
    }

    /// A `.json` file, read whole: an array of objects, one object, or JSON lines.
    fn read_json(
        &mut self,
        name: String,
        stem: String,
        mut reader: Box<dyn BufRead + Send>,
        compression: Compression,
    ) {
        let utf16 = match self.utf16(&mut reader) {
            Ok(u) => u,
            Err(e) => return self.skip(&name, None, stream_error(compression, None, e)),
        };
        let mut bytes = Vec::new();
        let read = match utf16 {
            Some((enc, bom, _)) => Transcode::new(reader, enc, bom).read_to_end(&mut bytes),
            None => reader.read_to_end(&mut bytes),
        };
        if let Err(e) = read {
            self.stats.bytes_decoded += bytes.len() as u64;
            return self.skip(&name, None, stream_error(compression, None, e));
        }
        let shape = json::shape(&bytes);
        if shape != Shape::Lines {
            // JSON lines are counted as they are read
            self.stats.bytes_decoded += bytes.len() as u64;
        }
        let input: Arc<str> = Arc::from(name.as_str());
        let notice = utf16.filter(|u| u.2).map(|(enc, _, _)| Warning::Decoded {
            input: name.clone(),
            line: None,
            encoding: enc.name(),
        });
        match shape {
            Shape::Lines => {
                self.current = Some(JsonlSource {
                    input,
                    stem,
                    notice,
                    reader: Box::new(io::Cursor::new(bytes)),
                    compression: Compression::None,
                    line_no: 0,
                    seen_nonblank: false,
                    decoded: 0,
                });
            }
            Shape::One => {
                let ctx = line_ctx(&self.opts, &input, &stem);
                let outcome = jsonl::parse_line(&ctx, 1, &bytes);
                self.take_outcomes(&input, notice, vec![(1, outcome)]);
            }
            Shape::Array => {
                let (elements, error) = json::elements(&bytes);
                let ctx = line_ctx(&self.opts, &input, &stem);
                let outcomes: Vec<(u64, Outcome)> = elements
                    .par_iter()
                    .with_min_len(16)
                    .map(|e| {
                        (
                            e.line,
                            jsonl::parse_line(&ctx, e.line, &bytes[e.range.clone()]),
                        )
                    })
                    .collect();
                self.take_outcomes(&input, notice, outcomes);
                if let Some(e) = error {
                    self.skip(
                        &input,
                        Some(e.line),
                        SkipReason::MalformedJson { message: e.message },
                    );
                }
            }
        }
    }

    /// Emits parsed lines in order; `notice` goes with the first document.
    fn take_outcomes(
        &mut self,
        input: &Arc<str>,
        mut notice: Option<Warning>,
        outcomes: Vec<(u64, Outcome)>,
    ) {
        for (line_no, outcome) in outcomes {
            match outcome {
                Outcome::Doc(doc, mut warnings, fields) => {
                    warnings.extend(notice.take());
                    self.emit(doc, input, Some(line_no), warnings, fields)
                }
                Outcome::Skip(reason) => self.skip(input, Some(line_no), reason),
            }
        }
    }

    /// Whether a JSON stream is UTF-16 (forced with `--encoding`, or recognized
    /// from its first bytes), and then `(encoding, drop a byte-order mark,
    /// recognized rather than declared)`.
    #[allow(clippy::type_complexity)]
    fn utf16(
        &self,
        reader: &mut Box<dyn BufRead + Send>,
    ) -> io::Result<Option<(&'static TextEncoding, bool, bool)>> {
        if let Some(enc) = self.opts.encoding {
            let utf16 = enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE;
            return Ok(utf16.then_some((enc, true, false)));
        }
        let head = reader.fill_buf()?;
        Ok(transcode::utf16_json(head).map(|(enc, bom)| (enc, bom, !bom)))
    }

    /// Lists a directory, pushing its entries in sorted order.
    fn list_dir(&mut self, dir: &Path, base: &Arc<IdBase>) {
        let name = dir.display().to_string();
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                return self.skip(
                    &name,
                    None,
                    SkipReason::Unreadable {
                        message: e.to_string(),
                    },
                )
            }
        };
        let mut found = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => found.push((entry.file_name(), entry)),
                Err(e) => self.skip(
                    &name,
                    None,
                    SkipReason::Unreadable {
                        message: e.to_string(),
                    },
                ),
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let mut pushed = Vec::new();
        for (_, entry) in found {
            let path = entry.path();
            let is_link = entry.file_type().map(|t| t.is_symlink()).unwrap_or(false);
            let meta = match fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => {
                    self.skip(
                        &path.display().to_string(),
                        None,
                        SkipReason::Unreadable {
                            message: e.to_string(),
                        },
                    );
                    continue;
                }
            };
            if meta.is_dir() {
                if is_link {
                    self.stats.links_not_followed += 1;
                } else {
                    pushed.push(Pending::Dir(path, Arc::clone(base)));
                }
            } else if let Some(format) = meta.is_file().then(|| Format::from_path(&path)).flatten()
            {
                pushed.push(Pending::File(path, format, FileId::Under(Arc::clone(base))));
            } else {
                self.stats.files_ignored += 1;
                if self.stats.ignored_examples.len() < IGNORED_EXAMPLES {
                    self.stats.ignored_examples.push(path);
                }
            }
        }
        self.stack.extend(pushed.into_iter().rev());
    }

    /// Reads the next batch of lines of the current JSONL source, parses them (in
    /// parallel), and queues their outcomes in line order.
    fn read_batch(&mut self) {
        let Some(mut src) = self.current.take() else {
            return;
        };
        let line_limit = self.opts.max_line_bytes();
        let batch = &mut self.batch;
        batch.buf.clear();
        batch.lines.clear();
        let mut ended: Option<Result<(), io::Error>> = None;
        let mut binary: Option<(u64, u64)> = None;
        let decoded_before = src.decoded;
        while batch.buf.len() < BATCH_BYTES && batch.lines.len() < BATCH_LINES {
            let start = batch.buf.len();
            let line_start = src.decoded;
            match read_line(
                &mut src.reader,
                &mut batch.buf,
                line_limit,
                &mut src.decoded,
            ) {
                Ok(None) => {
                    ended = Some(Ok(()));
                    break;
                }
                Ok(Some(len)) => {
                    src.line_no += 1;
                    let bytes = &batch.buf[start..];
                    if jsonl::is_blank(bytes) {
                        self.stats.blank_lines += 1;
                        batch.buf.truncate(start);
                        continue;
                    }
                    if !src.seen_nonblank {
                        src.seen_nonblank = true;
                        if let Some(i) = memchr::memchr(0, bytes) {
                            binary = Some((src.line_no, line_start + i as u64));
                            break;
                        }
                    }
                    let too_long = (len > line_limit).then_some(len);
                    if too_long.is_some() {
                        batch.buf.truncate(start);
                    }
                    batch
                        .lines
                        .push((src.line_no, start..batch.buf.len(), too_long));
                }
                Err(e) => {
                    batch.buf.truncate(start);
                    ended = Some(Err(e));
                    break;
                }
            }
        }
        self.stats.bytes_decoded += src.decoded - decoded_before;
        let ctx = line_ctx(&self.opts, &src.input, &src.stem);
        let batch = std::mem::take(&mut self.batch);
        let parse = |(line_no, range, too_long): &(u64, std::ops::Range<usize>, Option<u64>)| {
            match too_long {
                Some(bytes) => Outcome::Skip(SkipReason::LineTooLong {
                    bytes: *bytes,
                    limit: line_limit,
                }),
                None => jsonl::parse_line(&ctx, *line_no, &batch.buf[range.clone()]),
            }
        };
        let outcomes: Vec<(u64, Outcome)> = if batch.lines.len() > 1 {
            batch
                .lines
                .par_iter()
                .with_min_len(16)
                .map(|l| (l.0, parse(l)))
                .collect()
        } else {
            batch.lines.iter().map(|l| (l.0, parse(l))).collect()
        };
        let input = Arc::clone(&src.input);
        let notice = if outcomes.iter().any(|o| matches!(o.1, Outcome::Doc(..))) {
            src.notice.take()
        } else {
            None
        };
        self.take_outcomes(&input, notice, outcomes);
        self.batch = batch;
        if self.batch.buf.capacity() > 4 * BATCH_BYTES {
            // A huge line passed: do not keep its buffer for the rest of the run.
            self.batch.buf = Vec::new();
        }
        if let Some((line, offset)) = binary {
            self.skip(&src.input, Some(line), SkipReason::Binary { offset });
            return;
        }
        match ended {
            None => self.current = Some(src),
            Some(Ok(())) => {}
            Some(Err(e)) => {
                let lines_read = src.line_no;
                let reason = stream_error(src.compression, Some(lines_read), e);
                self.skip(&src.input, Some(lines_read + 1), reason);
            }
        }
    }
}

/// The context for parsing the lines (or array elements) of one file.
fn line_ctx<'a>(opts: &'a CorpusOptions, input: &'a str, stem: &'a str) -> LineCtx<'a> {
    LineCtx {
        input,
        stem,
        fields: &opts.fields,
        max_doc_bytes: opts.max_doc_bytes,
        decode: opts.decode_options(),
        keep_fields: opts.keep_fields,
    }
}

/// Maps a read error to a skip reason: for compressed streams, an early end is
/// [`SkipReason::Truncated`] and anything else [`SkipReason::Corrupt`].
fn stream_error(c: Compression, lines_read: Option<u64>, e: io::Error) -> SkipReason {
    match (c, e.kind()) {
        (Compression::None, _) => SkipReason::Unreadable {
            message: e.to_string(),
        },
        (_, io::ErrorKind::UnexpectedEof) => SkipReason::Truncated { lines_read },
        _ => SkipReason::Corrupt {
            lines_read,
            message: e.to_string(),
        },
    }
}

/// Appends one line (without its `\n`) to `buf`, keeping at most `limit` of its
/// bytes there, and returns its full length; `None` at end of input. `consumed`
/// grows by the bytes consumed, newline included.
fn read_line(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: u64,
    consumed: &mut u64,
) -> io::Result<Option<u64>> {
    let start = buf.len();
    let mut total: u64 = 0;
    let mut any = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(any.then_some(total));
        }
        any = true;
        let (chunk, newline) = match memchr::memchr(b'\n', avail) {
            Some(i) => (&avail[..i], true),
            None => (avail, false),
        };
        let kept = (buf.len() - start) as u64;
        let room = limit.saturating_sub(kept).min(chunk.len() as u64) as usize;
        buf.extend_from_slice(&chunk[..room]);
        total += chunk.len() as u64;
        let used = chunk.len() + usize::from(newline);
        *consumed += used as u64;
        r.consume(used);
        if newline {
            return Ok(Some(total));
        }
    }
}

impl Iterator for Documents {
    type Item = Result<Record, Skip>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.out.pop_front() {
                self.stats.bytes_read = self.raw_bytes.load(Ordering::Relaxed);
                return Some(item);
            }
            if self.current.is_some() {
                self.read_batch();
                continue;
            }
            if self.warc.is_some() {
                self.read_warc_record();
                continue;
            }
            let Some(pending) = self.stack.pop() else {
                self.stats.bytes_read = self.raw_bytes.load(Ordering::Relaxed);
                return None;
            };
            self.advance(pending);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_get_the_next_free_suffix() {
        let mut r = IdRegistry::default();
        assert_eq!(r.claim("x"), None);
        assert_eq!(r.claim("x#3"), None);
        assert_eq!(r.claim("x").as_deref(), Some("x#2"));
        assert_eq!(r.claim("x").as_deref(), Some("x#4"));
        assert_eq!(r.claim("x#2").as_deref(), Some("x#2#2"));
        assert_eq!(r.claim("x").as_deref(), Some("x#5"));
    }

    #[test]
    fn read_line_keeps_at_most_the_limit_and_measures_the_rest() {
        // A tiny buffer makes lines span many fill_buf calls.
        let data = b"abcdefghij\n\nxyz".to_vec();
        let mut r = io::BufReader::with_capacity(3, io::Cursor::new(data));
        let (mut buf, mut used) = (Vec::new(), 0);
        assert_eq!(read_line(&mut r, &mut buf, 4, &mut used).unwrap(), Some(10));
        assert_eq!((buf.as_slice(), used), (&b"abcd"[..], 11));
        buf.clear();
        assert_eq!(read_line(&mut r, &mut buf, 4, &mut used).unwrap(), Some(0));
        assert_eq!(read_line(&mut r, &mut buf, 4, &mut used).unwrap(), Some(3));
        assert_eq!((buf.as_slice(), used), (&b"xyz"[..], 15));
        assert_eq!(read_line(&mut r, &mut buf, 4, &mut used).unwrap(), None);
    }
}
