//! Character-set detection and decoding of HTML bytes.
//!
//! Order: byte-order mark, then the HTTP `Content-Type` charset, then a
//! `<meta charset>` / `<meta http-equiv="Content-Type">` declaration in the first
//! 4 KiB (a byte-level prescan, as browsers do), then UTF-8 when the bytes are valid
//! UTF-8, else windows-1252. Decoding never fails: malformed sequences become U+FFFD.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

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
    /// No declaration and not valid UTF-8: windows-1252 was assumed.
    Fallback,
}

/// How many leading bytes are scanned for a `<meta>` charset declaration.
const PRESCAN: usize = 4096;

/// Decodes `bytes` to text; returns the text, the encoding's name and where it came from.
pub fn decode(bytes: &[u8], http_charset: Option<&str>) -> (String, &'static str, CharsetSource) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), enc.name(), CharsetSource::Bom);
    }
    let (enc, source) = if let Some(enc) = http_charset.and_then(label_to_encoding) {
        (enc, CharsetSource::HttpHeader)
    } else if let Some(enc) = prescan_meta(&bytes[..bytes.len().min(PRESCAN)]) {
        (enc, CharsetSource::Meta)
    } else if std::str::from_utf8(bytes).is_ok() {
        (UTF_8, CharsetSource::Utf8Valid)
    } else {
        (WINDOWS_1252, CharsetSource::Fallback)
    };
    // A page that declares UTF-8 in its own markup but is not valid UTF-8 is a common
    // lie (the declaration was copied from a template): read it as windows-1252.
    let (enc, source) =
        if enc == UTF_8 && source == CharsetSource::Meta && std::str::from_utf8(bytes).is_err() {
            (WINDOWS_1252, CharsetSource::Fallback)
        } else {
            (enc, source)
        };
    let (text, _, _) = enc.decode(bytes);
    (text.into_owned(), enc.name(), source)
}

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
}
