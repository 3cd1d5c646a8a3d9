//! Character-set detection and decoding: HTML pages ([`decode`]) and plain text
//! ([`decode_text`]: text files, stdin, JSON lines).
//!
//! HTML order: byte-order mark, then the HTTP `Content-Type` charset, then a
//! `<meta charset>` / `<meta http-equiv="Content-Type">` declaration in the first
//! 4 KiB (a byte-level prescan, as browsers do). A declaration the bytes contradict
//! loses: a page declaring a legacy charset whose bytes are valid UTF-8 with
//! non-ASCII characters is UTF-8 (no legacy text is, in practice), and a page
//! declaring UTF-8 whose bytes are not is guessed. Undeclared pages are UTF-8 when
//! the bytes are valid UTF-8, else guessed: windows-1252 for a short sample that
//! reads as text in it, else the encoding chardetng guesses. Decoding HTML never
//! fails: malformed sequences become U+FFFD.
//!
//! Plain text ([`decode_text`]) is stricter, since nothing declares its encoding:
//! a byte-order mark, valid UTF-8, UTF-16 recognized by its zero bytes, or a legacy
//! encoding guessed by chardetng *and* checked: the decoded text must read like
//! text (no C1 controls; accented Latin letters inside words, symbols such as
//! `£`, `’`, `–` anywhere). Bytes nothing explains (corrupted UTF-8, stray bytes
//! in ASCII text) are an [`Undecodable`] error naming the first bad byte.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

pub use encoding_rs::Encoding as TextEncoding;

/// Where the encoding used for decoding came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CharsetSource {
    /// A byte-order mark at the start of the bytes.
    Bom,
    /// The charset parameter of the HTTP `Content-Type` header.
    HttpHeader,
    /// A `<meta charset>` or `http-equiv` declaration in the document.
    Meta,
    /// No declaration; the bytes are valid UTF-8.
    Utf8Valid,
    /// A legacy charset was declared, but the bytes are valid UTF-8 with
    /// non-ASCII characters: read as UTF-8.
    Utf8OverDeclared,
    /// No usable declaration and not valid UTF-8: the encoding was guessed from
    /// the bytes (chardetng).
    Fallback,
}

/// Decodes `bytes` to text; returns the text, the encoding's name and where it came from.
pub fn decode(bytes: &[u8], http_charset: Option<&str>) -> (String, &'static str, CharsetSource) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), enc.name(), CharsetSource::Bom);
    }
    let declared = if let Some(enc) = http_charset.and_then(label_to_encoding) {
        Some((enc, CharsetSource::HttpHeader))
    } else {
        prescan_meta(&bytes[..bytes.len().min(PRESCAN)]).map(|enc| (enc, CharsetSource::Meta))
    };
    let valid_utf8 = std::str::from_utf8(bytes).is_ok();
    let (enc, source) = match declared {
        // A declaration the bytes contradict (often copied from a template).
        Some((enc, _)) if enc != UTF_8 && valid_utf8 && !bytes.is_ascii() => {
            (UTF_8, CharsetSource::Utf8OverDeclared)
        }
        Some((enc, _)) if enc == UTF_8 && !valid_utf8 => {
            (guess_legacy(bytes), CharsetSource::Fallback)
        }
        Some(declared) => declared,
        None if valid_utf8 => (UTF_8, CharsetSource::Utf8Valid),
        None => (guess_legacy(bytes), CharsetSource::Fallback),
    };
    let (text, _, _) = enc.decode(bytes);
    (text.into_owned(), enc.name(), source)
}

/// Below this many non-ASCII bytes chardetng has little to go on (it reads a
/// short Western sample as Baltic or Central European as readily as Western).
const FEW_NON_ASCII: usize = 32;

/// The legacy (non-UTF-8) encoding of `bytes`: windows-1252 for a short sample
/// that reads as text in it (the common legacy encoding of Western news), else
/// chardetng's guess.
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    if bytes.iter().filter(|b| !b.is_ascii()).count() < FEW_NON_ASCII {
        let (text, malformed) = WINDOWS_1252.decode_without_bom_handling(bytes);
        if !malformed && reads_as_text(&text) {
            return WINDOWS_1252;
        }
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// The encoding a label names (`latin1`, `cp1252`, `utf-16le`, `shift_jis`, …:
/// the WHATWG labels), or `None` for an unknown one.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes()).filter(|e| *e != encoding_rs::REPLACEMENT)
}

/// How [`decode_text`] chose the encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextSource {
    /// Valid UTF-8 (an opening UTF-8 byte-order mark is dropped).
    Utf8,
    /// A UTF-16 byte-order mark.
    Bom,
    /// UTF-16 without a byte-order mark, recognized by its zero bytes.
    Utf16Sniffed,
    /// Guessed by chardetng and checked to read as text.
    Detected,
    /// Given by the caller (`--encoding`).
    Forced,
}

/// Text decoded from bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedText {
    pub text: String,
    pub encoding: &'static Encoding,
    pub source: TextSource,
    /// Malformed sequences replaced with U+FFFD (only with a forced encoding or
    /// `lossy`).
    pub replaced: usize,
}

impl DecodedText {
    /// Whether the text was decoded from something other than UTF-8.
    pub fn is_converted(&self) -> bool {
        self.encoding != UTF_8
    }
}

/// Why bytes are not text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Undecodable {
    /// A NUL byte that is not part of UTF-16 text.
    #[error("looks like binary data (NUL byte at offset {offset}), not text")]
    Binary { offset: usize },
    /// Not UTF-8, and no legacy encoding makes text of it (corrupted UTF-8,
    /// stray bytes). `offset`: the first byte that is not valid UTF-8.
    #[error("invalid UTF-8 at byte {offset}, and no other encoding explains the bytes")]
    NoEncoding { offset: usize },
}

/// Bytes inspected for NUL when deciding whether input is binary or UTF-16.
const SNIFF: usize = 8192;

/// Decodes plain text: see the module documentation for the order. `forced`
/// skips detection (malformed sequences become U+FFFD and are counted);
/// `lossy` turns [`Undecodable::NoEncoding`] into UTF-8 with U+FFFD replacements.
pub fn decode_text(
    bytes: &[u8],
    forced: Option<&'static Encoding>,
    lossy: bool,
) -> Result<DecodedText, Undecodable> {
    let done = |text: String, encoding, source, replaced| DecodedText {
        text,
        encoding,
        source,
        replaced,
    };
    if let Some(enc) = forced {
        let (text, replaced) = decode_counting(enc, bytes);
        return Ok(done(text, enc, TextSource::Forced, replaced));
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let rest = &bytes[bom_len..];
        if enc == UTF_8 {
            // falls through to the UTF-8 checks below, without the mark
            if let Ok(t) = std::str::from_utf8(rest) {
                return Ok(done(t.to_owned(), UTF_8, TextSource::Utf8, 0));
            }
        } else {
            let (text, replaced) = decode_counting(enc, rest);
            return Ok(done(text, enc, TextSource::Bom, replaced));
        }
    }
    let utf8_err = match std::str::from_utf8(bytes) {
        Ok(t) if !t.contains('\0') => return Ok(done(t.to_owned(), UTF_8, TextSource::Utf8, 0)),
        Ok(_) => None,
        Err(e) => Some(e.valid_up_to()),
    };
    let head = &bytes[..bytes.len().min(SNIFF)];
    if let Some(nul) = memchr0(head) {
        if let Some(enc) = sniff_utf16(head) {
            let (text, malformed) = enc.decode_without_bom_handling(bytes);
            if !malformed && !text.contains('\0') {
                return Ok(done(text.into_owned(), enc, TextSource::Utf16Sniffed, 0));
            }
        }
        return Err(Undecodable::Binary { offset: nul });
    }
    let offset = utf8_err.unwrap_or(0);
    if !mostly_utf8(bytes) {
        let enc = guess_legacy(bytes);
        let (text, malformed) = enc.decode_without_bom_handling(bytes);
        if !malformed && plausible(enc, &text) {
            return Ok(done(text.into_owned(), enc, TextSource::Detected, 0));
        }
    }
    if lossy {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let replaced = count_invalid_utf8(bytes);
        return Ok(done(text, UTF_8, TextSource::Utf8, replaced));
    }
    Err(Undecodable::NoEncoding { offset })
}

/// Decodes with `enc` (no byte-order-mark sniffing), counting U+FFFD replacements.
fn decode_counting(enc: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    let (text, malformed) = enc.decode_without_bom_handling(bytes);
    let replaced = if malformed {
        text.matches('\u{FFFD}').count()
    } else {
        0
    };
    (text.into_owned(), replaced)
}

/// Invalid UTF-8 sequences in `bytes` (each would become one U+FFFD).
pub fn count_invalid_utf8(mut bytes: &[u8]) -> usize {
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

fn memchr0(b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x == 0)
}

/// UTF-16 without a byte-order mark: ASCII-range text leaves every other byte
/// zero (the high byte), on the odd positions for little-endian.
fn sniff_utf16(head: &[u8]) -> Option<&'static Encoding> {
    let units = head.len() / 2;
    if units < 2 {
        return None;
    }
    let zeros = |parity: usize| head.chunks_exact(2).filter(|c| c[parity] == 0).count();
    let (even, odd) = (zeros(0), zeros(1));
    let many = |n: usize| n * 10 >= units * 3; // 30 % of the units
    let few = |n: usize| n * 50 <= units; // 2 %
    if many(odd) && few(even) {
        Some(UTF_16LE)
    } else if many(even) && few(odd) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Whether `bytes` hold at least as many valid multi-byte UTF-8 sequences as
/// invalid ones: then it is UTF-8 with damage, not a legacy encoding (legacy
/// text almost never forms a valid multi-byte sequence).
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(t) => {
                valid += t.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let good = &rest[..e.valid_up_to()];
                // valid prefix: it is valid UTF-8 by construction
                valid += std::str::from_utf8(good)
                    .map_or(0, |t| t.chars().filter(|c| !c.is_ascii()).count());
                invalid += 1;
                let skip = e.valid_up_to() + e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[skip..];
            }
        }
    }
    valid > 0 && valid >= invalid
}

/// Whether `text`, decoded with the guessed `enc`, reads as text in it. The
/// multi-byte East Asian encodings take almost any byte pair, swallowing ASCII
/// as trail bytes: their text must be mostly CJK characters (ideographs, kana,
/// hangul, full-width forms). Single-byte encodings: [`reads_as_text`].
fn plausible(enc: &'static Encoding, text: &str) -> bool {
    let east_asian = [
        encoding_rs::SHIFT_JIS,
        encoding_rs::EUC_JP,
        encoding_rs::ISO_2022_JP,
        encoding_rs::GBK,
        encoding_rs::GB18030,
        encoding_rs::BIG5,
        encoding_rs::EUC_KR,
    ];
    if !east_asian.contains(&enc) {
        return reads_as_text(text);
    }
    let cjk = |c: char| matches!(c as u32, 0x3000..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF);
    let non_ascii = text.chars().filter(|c| !c.is_ascii()).count();
    let east = text.chars().filter(|&c| cjk(c)).count();
    east >= 2 && east * 10 >= non_ascii * 9
}

/// Whether text decoded from a guessed legacy encoding reads as text: no C1
/// control characters (bytes the encoding leaves undefined), and at most one
/// in ten runs of non-ASCII characters out of place. In place: a run of Latin
/// letters touching an ASCII letter (`café`, `Müller`) or a single lower-case
/// one standing alone (French `à`); a run of letters of another script
/// (Cyrillic, Greek, …) standing as a word of its own; up to three symbols or
/// punctuation marks (`£`, `’`, `–`, `°`, `”—`).
fn reads_as_text(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let (mut runs, mut odd) = (0usize, 0usize);
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_ascii() {
            i += 1;
        }
        let run = &chars[start..i];
        if run
            .iter()
            .any(|&c| ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{FFFD}')
        {
            return false;
        }
        runs += 1;
        let prev = start.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i).copied();
        let touches_ascii_letter = prev.is_some_and(|c| c.is_ascii_alphabetic())
            || next.is_some_and(|c| c.is_ascii_alphabetic());
        let letters = run.iter().all(|c| c.is_alphabetic());
        let latin = |c: &char| (*c as u32) < 0x250;
        let in_place = if !letters {
            run.len() <= 3 && !run.iter().any(|c| c.is_alphabetic())
        } else if run.iter().all(latin) {
            touches_ascii_letter || (run.len() == 1 && run[0].is_lowercase())
        } else {
            // another script: whole words, never glued to ASCII letters
            !touches_ascii_letter && !run.iter().any(latin)
        };
        if !in_place {
            odd += 1;
        }
    }
    odd * 10 <= runs && !(runs > 0 && odd == runs)
}

/// How many leading bytes are scanned for a `<meta>` charset declaration.
const PRESCAN: usize = 4096;

/// An encoding for a charset label; UTF-16 labels in a text declaration are read as
/// UTF-8 (the WHATWG rule: a document that can declare itself in ASCII is not UTF-16).
fn label_to_encoding(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches(|c| c == '"' || c == '\'');
    let enc = Encoding::for_label(label.as_bytes())?;
    if enc == encoding_rs::UTF_16BE || enc == encoding_rs::UTF_16LE {
        return Some(UTF_8);
    }
    if enc == encoding_rs::REPLACEMENT {
        return None;
    }
    Some(enc)
}

/// The charset of an HTTP `Content-Type` header value such as `text/html; charset=utf-8`.
pub fn charset_from_content_type(value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let at = lower.find("charset")?;
    let rest = lower[at + "charset".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
        .unwrap_or(rest.len());
    let cs = &rest[..end];
    (!cs.is_empty()).then(|| cs.to_string())
}

/// Scans raw bytes for `<meta ... charset=...>` without decoding them.
fn prescan_meta(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut pos = 0;
    while let Some(rel) = find(&lower[pos..], b"<meta") {
        let start = pos + rel + 5;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(cs) = find(tag, b"charset") {
            let after = &tag[cs + 7..];
            let after = trim_ascii_start(after);
            if let Some(after) = after.strip_prefix(b"=") {
                let after = trim_ascii_start(after);
                let after = after
                    .strip_prefix(b"\"")
                    .or_else(|| after.strip_prefix(b"'"))
                    .unwrap_or(after);
                let len = after
                    .iter()
                    .position(|&b| {
                        b == b'"' || b == b'\'' || b == b';' || b == b'/' || b.is_ascii_whitespace()
                    })
                    .unwrap_or(after.len());
                if let Ok(label) = std::str::from_utf8(&after[..len]) {
                    if let Some(enc) = label_to_encoding(label) {
                        return Some(enc);
                    }
                }
            }
        }
        pos = end.max(start);
        if pos >= lower.len() {
            break;
        }
    }
    None
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins_over_everything() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("<meta charset=\"iso-8859-1\">café".as_bytes());
        let (text, name, src) = decode(&bytes, Some("windows-1251"));
        assert!(text.ends_with("café"));
        assert_eq!(name, "UTF-8");
        assert_eq!(src, CharsetSource::Bom);
    }

    #[test]
    fn utf16_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "héllo".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let (text, _, src) = decode(&bytes, None);
        assert_eq!(text, "héllo");
        assert_eq!(src, CharsetSource::Bom);
    }

    #[test]
    fn http_header_before_meta() {
        let bytes = b"<meta charset=utf-8><p>caf\xe9</p>";
        let (text, name, src) = decode(bytes, Some("iso-8859-1"));
        assert!(text.contains("café"));
        assert_eq!(name, "windows-1252");
        assert_eq!(src, CharsetSource::HttpHeader);
    }

    #[test]
    fn meta_charset_and_http_equiv() {
        let (t, _, s) = decode(b"<meta charset='windows-1251'><p>\xcf\xf0\xe8</p>", None);
        assert!(t.contains("При"));
        assert_eq!(s, CharsetSource::Meta);
        let html = b"<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=ISO-8859-2\"><p>\xb1</p>";
        let (t, name, s) = decode(html, None);
        assert!(t.contains('ą'), "{t}");
        assert_eq!(name, "ISO-8859-2");
        assert_eq!(s, CharsetSource::Meta);
    }

    #[test]
    fn utf8_then_windows_1252_fallback() {
        assert_eq!(decode("naïve".as_bytes(), None).2, CharsetSource::Utf8Valid);
        let (t, _, s) = decode(b"na\xefve \x93quoted\x94", None);
        assert_eq!(t, "naïve \u{201c}quoted\u{201d}");
        assert_eq!(s, CharsetSource::Fallback);
    }

    #[test]
    fn bogus_labels_are_ignored() {
        let (t, _, s) = decode(b"<meta charset=\"x-nonsense\">ok", Some("garbage"));
        assert!(t.ends_with("ok"));
        assert_eq!(s, CharsetSource::Utf8Valid);
        // UTF-16 declared in ASCII text is read as UTF-8.
        assert_eq!(decode(b"<meta charset=utf-16>ok", None).1, "UTF-8");
    }

    #[test]
    fn content_type_parsing() {
        assert_eq!(
            charset_from_content_type("text/html; Charset=\"UTF-8\"").as_deref(),
            Some("utf-8")
        );
        assert_eq!(charset_from_content_type("text/html"), None);
        assert_eq!(charset_from_content_type("text/html; charset="), None);
    }

    #[test]
    fn declared_legacy_charset_loses_to_valid_utf8() {
        // L3S-GN1-style page: declares ISO-8859-1, is UTF-8 ("Kosovo’s", not "Kosovoâ€™s")
        let page =
            "<meta charset=\"iso-8859-1\"><p>Kosovo’s president said the café was closed.</p>";
        let (t, name, s) = decode(page.as_bytes(), None);
        assert!(t.contains("Kosovo’s") && t.contains("café"), "{t}");
        assert_eq!((name, s), ("UTF-8", CharsetSource::Utf8OverDeclared));
        let (t, name, s) = decode(page.as_bytes(), Some("latin1"));
        assert!(t.contains("Kosovo’s"));
        assert_eq!((name, s), ("UTF-8", CharsetSource::Utf8OverDeclared));
        // pure ASCII keeps its declaration (nothing to contradict)
        let (_, name, s) = decode(b"<meta charset=\"iso-8859-1\"><p>plain</p>", None);
        assert_eq!((name, s), ("windows-1252", CharsetSource::Meta));
    }

    #[test]
    fn declared_utf8_that_is_not_is_guessed() {
        let mut page = b"<meta charset=\"utf-8\"><p>".to_vec();
        let greek = "Η Θεσσαλονίκη είναι η δεύτερη μεγαλύτερη πόλη της Ελλάδας.";
        page.extend_from_slice(&encoding_rs::WINDOWS_1253.encode(greek).0);
        page.extend_from_slice(b"</p>");
        let (t, name, s) = decode(&page, None);
        assert_eq!(s, CharsetSource::Fallback);
        assert!(name == "ISO-8859-7" || name == "windows-1253", "{name}");
        assert!(t.contains(greek), "{t}");
    }

    fn text(bytes: &[u8]) -> Result<DecodedText, Undecodable> {
        decode_text(bytes, None, false)
    }

    #[test]
    fn text_utf8_and_its_bom() {
        let d = text("naïve £5".as_bytes()).unwrap();
        assert_eq!((d.text.as_str(), d.source), ("naïve £5", TextSource::Utf8));
        assert!(!d.is_converted());
        let d = text(b"\xef\xbb\xbfhello").unwrap();
        assert_eq!(d.text, "hello");
    }

    #[test]
    fn text_windows_1252_and_latin1_are_detected() {
        // £, é, curly quotes and a dash, as a 1990s newspaper file has them
        let bytes = b"The caf\xe9 owner was fined \xa3250 after a \x93routine\x94 inspection \x96 the court heard.";
        let d = text(bytes).unwrap();
        assert_eq!(
            d.text,
            "The café owner was fined £250 after a \u{201c}routine\u{201d} inspection \u{2013} the court heard."
        );
        assert_eq!(
            (d.encoding.name(), d.source),
            ("windows-1252", TextSource::Detected)
        );
        assert!(d.is_converted());
        let d = text(b"M\xfcller said: \xab\xa0Je suis d\xe9\xe7u\xa0\xbb, \xe0 Paris.").unwrap();
        assert_eq!(d.text, "Müller said: «\u{a0}Je suis déçu\u{a0}», à Paris.");
    }

    #[test]
    fn text_legacy_cyrillic() {
        let russian = "Москва и Санкт-Петербург стоят на разных реках.";
        let d = text(&encoding_rs::WINDOWS_1251.encode(russian).0).unwrap();
        assert_eq!(d.text, russian);
        assert_eq!(d.encoding.name(), "windows-1251");
    }

    #[test]
    fn text_utf16_with_and_without_bom() {
        let s = "Flood barriers failed — £4m damage, said the café owner.";
        for (bom, le) in [(true, true), (true, false), (false, true), (false, false)] {
            let mut bytes = Vec::new();
            if bom {
                bytes.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
            }
            for u in s.encode_utf16() {
                bytes.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            let d = text(&bytes).unwrap();
            assert_eq!(d.text, s, "bom {bom} le {le}");
            let want = if bom {
                TextSource::Bom
            } else {
                TextSource::Utf16Sniffed
            };
            assert_eq!(d.source, want);
            assert_eq!(d.encoding.name(), if le { "UTF-16LE" } else { "UTF-16BE" });
        }
    }

    #[test]
    fn bytes_no_encoding_explains_are_errors_or_replaced() {
        // stray bytes between ASCII words: not language in any encoding
        let bad = b"Flood barriers failed \xff\xfe on Tuesday along the eastern river.";
        assert_eq!(text(bad), Err(Undecodable::NoEncoding { offset: 22 }));
        // UTF-8 with a damaged sequence: UTF-8, not windows-1252 mojibake
        let damaged = "Kosovo’s café – "
            .as_bytes()
            .iter()
            .chain(b"\xe2\x80 end")
            .copied()
            .collect::<Vec<u8>>();
        assert!(matches!(
            text(&damaged),
            Err(Undecodable::NoEncoding { .. })
        ));
        // a byte windows-1252 leaves undefined (0x81)
        assert!(matches!(
            text(b"caf\xe9 \x81 bar"),
            Err(Undecodable::NoEncoding { offset: 3 })
        ));
        let d = decode_text(bad, None, true).unwrap();
        assert_eq!(
            d.text,
            "Flood barriers failed \u{FFFD}\u{FFFD} on Tuesday along the eastern river."
        );
        assert_eq!(d.replaced, 2);
        assert_eq!(
            text(b"PK\x03\x04\x00\x00\x01"),
            Err(Undecodable::Binary { offset: 4 })
        );
    }

    #[test]
    fn forced_encoding_wins() {
        let d = decode_text(
            "café".as_bytes(),
            Some(encoding_for_label("latin1").unwrap()),
            false,
        )
        .unwrap();
        assert_eq!((d.text.as_str(), d.source), ("cafÃ©", TextSource::Forced));
        assert!(encoding_for_label("no-such-thing").is_none());
        assert_eq!(
            encoding_for_label(" CP1252 ").unwrap().name(),
            "windows-1252"
        );
    }

    #[test]
    fn text_east_asian_must_be_mostly_cjk() {
        let japanese = "東京で地震があり、多くの建物が被害を受けたと警察が発表した。";
        let d = text(&encoding_rs::SHIFT_JIS.encode(japanese).0).unwrap();
        assert_eq!(d.text, japanese);
        // a stray byte that Shift_JIS would pair with the next ASCII letter
        assert!(text(b"{\"text\":\"ab\x81c\"}").is_err());
    }
}
