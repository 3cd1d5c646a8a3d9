//! Byte spans into a document's original text.

use std::ops::Range;

/// A half-open byte range `[start, end)` into one document's original text.
///
/// Invariants: `start <= end`; when the span belongs to a text, both ends lie on
/// UTF-8 character boundaries of that text and `end <= text.len()`. [`Span::new`]
/// enforces the first (it cannot see the text); [`Span::checked`] enforces all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    start: usize,
    end: usize,
}

/// Why a span is not valid for a text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpanError {
    /// `start > end`.
    #[error("span start {start} is after its end {end}")]
    Reversed { start: usize, end: usize },
    /// `end` is past the end of the text.
    #[error("span end {end} is past the text's {len} bytes")]
    OutOfBounds { end: usize, len: usize },
    /// An end falls inside a multi-byte character.
    #[error("span end {offset} is not on a character boundary")]
    NotCharBoundary { offset: usize },
}

impl Span {
    /// A span from `start` to `end`.
    ///
    /// # Panics
    /// If `start > end`: that is a bug in the caller, never a property of input data.
    #[inline]
    pub fn new(start: usize, end: usize) -> Span {
        assert!(start <= end, "span start {start} after end {end}");
        Span { start, end }
    }

    /// A span validated against the text it indexes.
    pub fn checked(text: &str, start: usize, end: usize) -> Result<Span, SpanError> {
        if start > end {
            return Err(SpanError::Reversed { start, end });
        }
        if end > text.len() {
            return Err(SpanError::OutOfBounds {
                end,
                len: text.len(),
            });
        }
        for offset in [start, end] {
            if !text.is_char_boundary(offset) {
                return Err(SpanError::NotCharBoundary { offset });
            }
        }
        Ok(Span { start, end })
    }

    /// First byte of the span.
    #[inline]
    pub fn start(self) -> usize {
        self.start
    }

    /// One past the last byte of the span.
    #[inline]
    pub fn end(self) -> usize {
        self.end
    }

    /// Length in bytes.
    #[inline]
    pub fn len(self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no byte.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The span as a `Range` for slicing the text.
    #[inline]
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// The smallest span covering both.
    #[inline]
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The overlap of both spans, if they share at least one byte.
    #[inline]
    pub fn intersect(self, other: Span) -> Option<Span> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(Span { start, end })
    }

    /// Bytes shared by both spans.
    #[inline]
    pub fn overlap_len(self, other: Span) -> usize {
        self.intersect(other).map_or(0, Span::len)
    }

    /// True when `other` lies entirely inside `self`.
    #[inline]
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Sorts spans and merges those that overlap or touch; the result is disjoint and ordered.
pub fn merge_spans(spans: &mut Vec<Span>) {
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for &s in spans.iter() {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    *spans = out;
}

impl Span {
    /// Sorts and merges overlapping or touching spans in place (see [`merge_spans`]).
    pub fn merge_all(spans: &mut Vec<Span>) {
        merge_spans(spans)
    }

    /// The parts of `within` not covered by any of `covered` (which must be sorted
    /// and disjoint, as [`Span::merge_all`] leaves them).
    pub fn complement(within: Span, covered: &[Span]) -> Vec<Span> {
        let mut out = Vec::new();
        let mut pos = within.start;
        for c in covered {
            if c.end <= pos {
                continue;
            }
            if c.start >= within.end {
                break;
            }
            if c.start > pos {
                out.push(Span::new(pos, c.start));
            }
            pos = pos.max(c.end);
        }
        if pos < within.end {
            out.push(Span::new(pos, within.end));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn checked_rejects_bad_spans() {
        let t = "héllo";
        assert!(Span::checked(t, 0, 6).is_ok());
        assert_eq!(
            Span::checked(t, 2, 1),
            Err(SpanError::Reversed { start: 2, end: 1 })
        );
        assert_eq!(
            Span::checked(t, 0, 7),
            Err(SpanError::OutOfBounds { end: 7, len: 6 })
        );
        assert_eq!(
            Span::checked(t, 2, 3),
            Err(SpanError::NotCharBoundary { offset: 2 })
        );
    }

    #[test]
    fn complement_of_covered() {
        let mut cov = vec![Span::new(5, 8), Span::new(2, 4), Span::new(7, 9)];
        Span::merge_all(&mut cov);
        assert_eq!(cov, vec![Span::new(2, 4), Span::new(5, 9)]);
        let gaps = Span::complement(Span::new(0, 12), &cov);
        assert_eq!(
            gaps,
            vec![Span::new(0, 2), Span::new(4, 5), Span::new(9, 12)]
        );
    }

    proptest! {
        #[test]
        fn merge_then_complement_partitions(raw in proptest::collection::vec((0usize..100, 0usize..20), 0..12)) {
            let mut spans: Vec<Span> = raw.iter().map(|&(s, l)| Span::new(s, s + l)).collect();
            Span::merge_all(&mut spans);
            for w in spans.windows(2) {
                prop_assert!(w[0].end() < w[1].start());
            }
            let within = Span::new(0, 130);
            let gaps = Span::complement(within, &spans);
            let covered: usize = spans.iter().map(|s| s.len()).sum();
            let free: usize = gaps.iter().map(|s| s.len()).sum();
            prop_assert_eq!(covered + free, within.len());
        }
    }
}
