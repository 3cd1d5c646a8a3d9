//! Byte offsets → code-point offsets, for the JSON contracts.

use crate::Span;

/// Converts byte offsets of one text into code-point (Unicode scalar) offsets.
///
/// ASCII texts convert for free. Otherwise the index stores, for each multi-byte
/// character, its byte offset and how many extra bytes precede its end; lookups are a
/// binary search. Offsets must lie on character boundaries of the indexed text.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// `(byte offset just after a multi-byte char, extra bytes up to there)`, ascending.
    marks: Vec<(usize, usize)>,
    len_bytes: usize,
}

impl CharIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> CharIndex {
        let mut marks = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0;
            for (i, c) in text.char_indices() {
                let n = c.len_utf8();
                if n > 1 {
                    extra += n - 1;
                    marks.push((i + n, extra));
                }
            }
        }
        CharIndex {
            marks,
            len_bytes: text.len(),
        }
    }

    /// The code-point offset of byte offset `byte`.
    pub fn to_chars(&self, byte: usize) -> usize {
        debug_assert!(byte <= self.len_bytes);
        // marks with end <= byte contribute their extra bytes
        let n = self.marks.partition_point(|&(end, _)| end <= byte);
        if n == 0 {
            byte
        } else {
            byte - self.marks[n - 1].1
        }
    }

    /// A span as `(start, end)` code-point offsets.
    pub fn span_to_chars(&self, span: Span) -> (usize, usize) {
        (self.to_chars(span.start()), self.to_chars(span.end()))
    }

    /// Length of the indexed text in code points.
    pub fn len_chars(&self) -> usize {
        self.to_chars(self.len_bytes)
    }

    /// Number of code points inside `span`.
    pub fn chars_in(&self, span: Span) -> usize {
        let (s, e) = self.span_to_chars(span);
        e - s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn agrees_with_char_indices(text in "\\PC{0,40}") {
            let idx = CharIndex::new(&text);
            for (ci, (bi, _)) in text.char_indices().enumerate() {
                prop_assert_eq!(idx.to_chars(bi), ci);
            }
            prop_assert_eq!(idx.len_chars(), text.chars().count());
        }
    }
}
