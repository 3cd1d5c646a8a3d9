//! Input formats, recognized by file name, and the decompressors that unwrap them.
//!
//! This is the extension point for new inputs (HTML, WARC): add a [`Format`]
//! variant, its file names in [`Format::from_path`], and its reader in the one
//! `match` over formats in `corpus.rs` (`Documents::start`).

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// How a file's bytes are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    None,
    /// gzip, one or more members (`.gz`).
    Gzip,
    /// Zstandard, one or more frames (`.zst`, `.zstd`).
    Zstd,
}

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// One document per file, the whole file its text, id the file stem:
    /// `.txt`, `.text`.
    Text(Compression),
    /// One JSON object a line: `.jsonl`, `.ndjson`, and `.json` when compressed
    /// (`.json.gz`, `.json.zst`: the C4/Dolma convention for JSON lines).
    Jsonl(Compression),
    /// A JSON file read whole: an array of objects (one document each), one
    /// object, or JSON lines: `.json`.
    Json(Compression),
    /// One web page per file, its main text extracted: `.html`, `.htm`, `.xhtml`.
    Html(Compression),
    /// A web archive: every `response` record holding HTML is a page, its main
    /// text extracted, its URL the id: `.warc`, `.arc.warc`.
    Warc(Compression),
}

/// Buffer size for reading files and decompressed streams.
pub(crate) const BUF_BYTES: usize = 256 << 10;

impl Format {
    /// The format a file name announces, or `None` for an unsupported one.
    /// Case-insensitive.
    ///
    /// ```
    /// use whence_ingest::{Compression, Format};
    /// assert_eq!(Format::from_path("a/b.jsonl.gz".as_ref()), Some(Format::Jsonl(Compression::Gzip)));
    /// assert_eq!(Format::from_path("b.TXT".as_ref()), Some(Format::Text(Compression::None)));
    /// assert_eq!(Format::from_path("b.html".as_ref()), Some(Format::Html(Compression::None)));
    /// assert_eq!(Format::from_path("crawl.warc.gz".as_ref()), Some(Format::Warc(Compression::Gzip)));
    /// assert_eq!(Format::from_path("b.json".as_ref()), Some(Format::Json(Compression::None)));
    /// assert_eq!(Format::from_path("b.pdf".as_ref()), None);
    /// ```
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let (inner, compression) = split_compression(&name);
        let ext = Path::new(inner).extension()?.to_str()?;
        match (ext, compression) {
            ("txt" | "text", c) => Some(Format::Text(c)),
            ("jsonl" | "ndjson", c) => Some(Format::Jsonl(c)),
            ("json", Compression::None) => Some(Format::Json(Compression::None)),
            ("json", c) => Some(Format::Jsonl(c)),
            ("html" | "htm" | "xhtml", c) => Some(Format::Html(c)),
            ("warc", c) => Some(Format::Warc(c)),
            _ => None,
        }
    }

    /// The compression of this format's files.
    pub fn compression(self) -> Compression {
        match self {
            Format::Text(c)
            | Format::Jsonl(c)
            | Format::Json(c)
            | Format::Html(c)
            | Format::Warc(c) => c,
        }
    }
}

/// The file name without its compression suffix, and that compression.
fn split_compression(name: &str) -> (&str, Compression) {
    for (suffix, c) in [
        (".gz", Compression::Gzip),
        (".zst", Compression::Zstd),
        (".zstd", Compression::Zstd),
    ] {
        if let Some(inner) = name.strip_suffix(suffix) {
            return (inner, c);
        }
    }
    (name, Compression::None)
}

/// The file stem used for ids: the file name without its format and compression
/// extensions (`news.jsonl.gz` → `news`, `story.txt` → `story`).
pub fn stem(path: &Path) -> String {
    let Some(name) = path.file_name() else {
        return path.display().to_string();
    };
    let name = name.to_string_lossy();
    let lower = name.to_ascii_lowercase();
    let (inner, _) = split_compression(&lower);
    let inner = &name[..inner.len()];
    match Path::new(inner).file_stem() {
        Some(s) if !s.is_empty() => s.to_string_lossy().into_owned(),
        _ => inner.to_owned(),
    }
}

/// Wraps `reader` in the decompressor for `c`, buffered.
pub(crate) fn decompress<R: Read + Send + 'static>(
    c: Compression,
    reader: R,
) -> io::Result<Box<dyn BufRead + Send>> {
    Ok(match c {
        Compression::None => Box::new(BufReader::with_capacity(BUF_BYTES, reader)),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUF_BYTES,
            flate2::read::MultiGzDecoder::new(BufReader::with_capacity(BUF_BYTES, reader)),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            BUF_BYTES,
            zstd::stream::read::Decoder::with_buffer(BufReader::with_capacity(BUF_BYTES, reader))?,
        )),
    })
}

/// Recognizes gzip and zstd by their magic bytes at the start of `reader` (for
/// stdin, which has no file name). Returns the compression and a reader that still
/// yields every byte.
pub(crate) fn sniff<R: Read + Send + 'static>(
    mut reader: R,
) -> io::Result<(Compression, Box<dyn Read + Send>)> {
    let mut head = [0u8; 4];
    let mut n = 0;
    while n < head.len() {
        match reader.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let c = if n >= 2 && head[..2] == [0x1f, 0x8b] {
        Compression::Gzip
    } else if n == 4 && head == [0x28, 0xb5, 0x2f, 0xfd] {
        Compression::Zstd
    } else {
        Compression::None
    };
    let prefix = io::Cursor::new(head[..n].to_vec());
    Ok((c, Box::new(prefix.chain(reader))))
}

/// What a stream holds, recognized from its first bytes (for stdin, which has
/// no file name): `{` JSON lines, `[` a JSON array, `<` HTML, `WARC/` a web
/// archive, anything else one text. Whitespace and a byte-order mark are
/// skipped; UTF-16 JSON counts as JSON.
pub(crate) fn sniff_content(reader: &mut dyn BufRead, c: Compression) -> io::Result<Format> {
    let head = reader.fill_buf()?;
    let head = &head[..head.len().min(4096)];
    if crate::transcode::utf16_json(head).is_some_and(|(_, bom)| !bom) {
        return Ok(Format::Jsonl(c));
    }
    let body = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .or_else(|| head.strip_prefix(b"\xFF\xFE"))
        .or_else(|| head.strip_prefix(b"\xFE\xFF"))
        .unwrap_or(head);
    let first = body
        .iter()
        .position(|&b| !b.is_ascii_whitespace() && b != 0)
        .map_or(&[][..], |i| &body[i..]);
    Ok(match first.first() {
        Some(b'{') => Format::Jsonl(c),
        Some(b'[') => Format::Json(c),
        Some(b'<') => Format::Html(c),
        _ if first.starts_with(b"WARC/") => Format::Warc(c),
        _ => Format::Text(c),
    })
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, c) = match self {
            Format::Text(c) => ("text", c),
            Format::Jsonl(c) => ("jsonl", c),
            Format::Json(c) => ("json", c),
            Format::Html(c) => ("html", c),
            Format::Warc(c) => ("warc", c),
        };
        match c {
            Compression::None => f.write_str(kind),
            Compression::Gzip => write!(f, "{kind}.gz"),
            Compression::Zstd => write!(f, "{kind}.zst"),
        }
    }
}

/// File names the corpus reader takes, for messages.
pub const SUPPORTED_EXTENSIONS: &str =
    ".txt .text .jsonl .ndjson .html .htm .warc (each also .gz/.zst), .json, .json.gz .json.zst";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        let f = |s: &str| Format::from_path(Path::new(s));
        assert_eq!(f("x.jsonl"), Some(Format::Jsonl(Compression::None)));
        assert_eq!(f("x.NDJSON.zst"), Some(Format::Jsonl(Compression::Zstd)));
        assert_eq!(f("x.json.gz"), Some(Format::Jsonl(Compression::Gzip)));
        assert_eq!(f("x.text.zstd"), Some(Format::Text(Compression::Zstd)));
        assert_eq!(f("x.json"), Some(Format::Json(Compression::None)));
        assert_eq!(f("x.gz"), None);
        assert_eq!(f("jsonl"), None);
        assert_eq!(f(".txt"), None);
    }

    #[test]
    fn stems() {
        assert_eq!(stem(Path::new("a/news.jsonl.gz")), "news");
        assert_eq!(stem(Path::new("Story.TXT")), "Story");
        assert_eq!(stem(Path::new("v1.2.txt")), "v1.2");
    }

    #[test]
    fn sniffs_magic_and_keeps_bytes() {
        let (c, mut r) = sniff(io::Cursor::new(b"{\"a\"".to_vec())).unwrap();
        assert_eq!(c, Compression::None);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "{\"a\"");
        let (c, _) = sniff(io::Cursor::new(vec![0x1f, 0x8b, 8])).unwrap();
        assert_eq!(c, Compression::Gzip);
        let (c, _) = sniff(io::Cursor::new(vec![0x28, 0xb5, 0x2f, 0xfd, 0])).unwrap();
        assert_eq!(c, Compression::Zstd);
        let (c, _) = sniff(io::Cursor::new(vec![])).unwrap();
        assert_eq!(c, Compression::None);
    }

    #[test]
    fn sniffs_content() {
        let f =
            |b: &[u8]| sniff_content(&mut io::Cursor::new(b.to_vec()), Compression::None).unwrap();
        assert_eq!(f(b"  {\"text\": 1}"), Format::Jsonl(Compression::None));
        assert_eq!(f(b"\n[{}]"), Format::Json(Compression::None));
        assert_eq!(
            f(b"\xEF\xBB\xBF<!doctype html>"),
            Format::Html(Compression::None)
        );
        assert_eq!(f(b"WARC/1.0\r\n"), Format::Warc(Compression::None));
        assert_eq!(f(b"Plain words."), Format::Text(Compression::None));
        assert_eq!(f(b""), Format::Text(Compression::None));
    }
}
