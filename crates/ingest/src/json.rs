//! `.json` files read whole: an array of objects, one object (possibly spread
//! over many lines), or JSON lines.
//!
//! An array is cut into its elements by a byte scanner that tracks strings and
//! nesting only; each element is then parsed like a JSON line, so a malformed
//! element is one skip at its line and the others are still read.

use std::ops::Range;

/// How a `.json` file is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `[ {…}, {…} ]`
    Array,
    /// One JSON value, possibly over several lines.
    One,
    /// Anything else: read as JSON lines.
    Lines,
}

/// The shape of `bytes` (a UTF-8 byte-order mark and leading whitespace skipped).
pub(crate) fn shape(bytes: &[u8]) -> Shape {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => Shape::Array,
        _ => {
            let mut values =
                serde_json::Deserializer::from_slice(body).into_iter::<serde::de::IgnoredAny>();
            match (values.next(), values.next()) {
                (Some(Ok(_)), None) => Shape::One,
                _ => Shape::Lines,
            }
        }
    }
}

/// One element of an array: its 1-based line and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Element {
    pub line: u64,
    pub range: Range<usize>,
}

/// Why the array itself (not one element) is broken: at `line`, `message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ArrayError {
    pub line: u64,
    pub message: String,
}

/// The top-level elements of the array in `bytes`, in order, and the error that
/// ended the scan early, if any (the elements before it are still returned).
pub(crate) fn elements(bytes: &[u8]) -> (Vec<Element>, Option<ArrayError>) {
    let mut out = Vec::new();
    let mut line = 1u64;
    let mut i = 0;
    // up to the opening bracket
    while i < bytes.len() && bytes[i] != b'[' {
        if bytes[i] == b'\n' {
            line += 1;
        }
        i += 1;
    }
    i += 1;
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    let mut start: Option<(usize, u64)> = None;
    let close = |out: &mut Vec<Element>, start: Option<(usize, u64)>, end: usize| {
        if let Some((s, l)) = start {
            let mut e = end;
            while e > s && bytes[e - 1].is_ascii_whitespace() {
                e -= 1;
            }
            out.push(Element {
                line: l,
                range: s..e,
            });
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line += 1;
        }
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth > 0 => depth -= 1,
            b']' => {
                let had = start.is_some();
                close(&mut out, start.take(), i);
                if !had && !out.is_empty() {
                    return (
                        out,
                        Some(ArrayError {
                            line,
                            message: "a comma before the closing bracket".into(),
                        }),
                    );
                }
                let rest = &bytes[i + 1..];
                if let Some(k) = rest.iter().position(|c| !c.is_ascii_whitespace()) {
                    let at = line + rest[..k].iter().filter(|&&c| c == b'\n').count() as u64;
                    return (
                        out,
                        Some(ArrayError {
                            line: at,
                            message: "text after the closing bracket of the array".into(),
                        }),
                    );
                }
                return (out, None);
            }
            b',' if depth == 0 => {
                if start.is_none() {
                    return (
                        out,
                        Some(ArrayError {
                            line,
                            message: "an empty element (two commas in a row)".into(),
                        }),
                    );
                }
                close(&mut out, start.take(), i);
                i += 1;
                continue;
            }
            _ => {}
        }
        if start.is_none() && !b.is_ascii_whitespace() {
            start = Some((i, line));
        }
        i += 1;
    }
    close(&mut out, start.take(), bytes.len());
    (
        out,
        Some(ArrayError {
            line,
            message: "the array is not closed (the file ends early)".into(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(bytes: &'a [u8], els: &[Element]) -> Vec<(u64, &'a str)> {
        els.iter()
            .map(|e| {
                (
                    e.line,
                    std::str::from_utf8(&bytes[e.range.clone()]).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn shapes() {
        assert_eq!(shape(b"  [1]"), Shape::Array);
        assert_eq!(shape(b"{\n \"text\": \"a\"\n}\n"), Shape::One);
        assert_eq!(shape(b"{\"a\":1}\n{\"a\":2}\n"), Shape::Lines);
        assert_eq!(shape(b"{\"a\":"), Shape::Lines);
    }

    #[test]
    fn elements_with_their_lines() {
        let b = b"[\n  {\"text\": \"a, [b]\"},\n  {\"text\": \"c \\\" ]\",\n   \"id\": 2}\n]\n";
        let (els, err) = elements(b);
        assert_eq!(err, None);
        assert_eq!(
            texts(b, &els),
            [
                (2, "{\"text\": \"a, [b]\"}"),
                (3, "{\"text\": \"c \\\" ]\",\n   \"id\": 2}")
            ]
        );
        assert_eq!(elements(b"[]"), (vec![], None));
    }

    #[test]
    fn broken_arrays_keep_what_came_before() {
        let b = b"[{\"text\":\"a\"},\n{\"text\":\"b\"}";
        let (els, err) = elements(b);
        assert_eq!(els.len(), 2);
        assert_eq!(err.unwrap().line, 2);
        let (els, err) = elements(b"[{\"a\":1},,{\"a\":2}]");
        assert_eq!(els.len(), 1);
        assert!(err.unwrap().message.contains("two commas"));
        let (_, err) = elements(b"[{\"a\":1}]\n\nx");
        assert_eq!(err.unwrap().line, 3);
    }
}
