//! The analyzed view of a text: tokens and sentences with byte spans.
//!
//! Produced by `whence-text`, consumed by `whence-align` and `whence-sketch`.
//! Offsets always point into the original text; normalization lives only in the keys.

use std::ops::Range;

use crate::Span;

/// Properties of a token that the aligner and drift detector care about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TokenFlags(u8);

impl TokenFlags {
    /// A function word ("the", "of", "said" is not one).
    pub const STOP: TokenFlags = TokenFlags(1);
    /// Contains a digit.
    pub const NUMBER: TokenFlags = TokenFlags(2);
    /// Starts with an uppercase letter.
    pub const CAPITALIZED: TokenFlags = TokenFlags(4);
    /// An ideograph or other script matched character by character (CJK).
    pub const CHAR_UNIT: TokenFlags = TokenFlags(8);

    /// No flag.
    pub const fn empty() -> TokenFlags {
        TokenFlags(0)
    }

    /// True when every flag of `other` is set.
    pub const fn contains(self, other: TokenFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Sets the flags of `other`.
    pub fn insert(&mut self, other: TokenFlags) {
        self.0 |= other.0;
    }
}

/// One word (or CJK character) of a text.
///
/// `key` identifies the token for matching (normalized, spelling-folded, stemmed);
/// `form` identifies its normalized surface (normalized and spelling-folded, not
/// stemmed), so two passages with equal forms are verbatim copies. Both are stable
/// 64-bit hashes: equal across runs, processes and machines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    pub span: Span,
    pub key: u64,
    pub form: u64,
    pub flags: TokenFlags,
}

impl Token {
    /// True for function words.
    #[inline]
    pub fn is_stop(&self) -> bool {
        self.flags.contains(TokenFlags::STOP)
    }
}

/// A sentence (or heading, or list line): its span and the tokens inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub span: Span,
    /// Indices into [`TokenStream::tokens`].
    pub tokens: Range<usize>,
    /// Index of the paragraph (block separated by a blank line) it belongs to.
    pub paragraph: usize,
}

/// A text's tokens and sentences, in text order.
///
/// Invariants: token spans are ascending and disjoint; sentences are ascending,
/// disjoint, and their token ranges partition `0..tokens.len()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenStream {
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
}

impl TokenStream {
    /// For each token, whether it overlaps one of `spans` (sorted and disjoint, as
    /// [`Span::merge_all`] leaves them): boilerplate masks, coverage by passages.
    /// Linear in tokens + spans.
    pub fn overlapping(&self, spans: &[Span]) -> Vec<bool> {
        let mut it = spans.iter().peekable();
        self.tokens
            .iter()
            .map(|t| {
                while it.peek().is_some_and(|s| s.end() <= t.span.start()) {
                    it.next();
                }
                it.peek().is_some_and(|s| s.start() < t.span.end())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_marks_tokens_touching_spans() {
        let tok = |s, e| Token {
            span: Span::new(s, e),
            key: 0,
            form: 0,
            flags: TokenFlags::empty(),
        };
        let ts = TokenStream {
            tokens: vec![tok(0, 3), tok(4, 7), tok(8, 12), tok(13, 15)],
            sentences: vec![],
        };
        // a span ending where a token starts does not touch it; one cutting a token does
        assert_eq!(
            ts.overlapping(&[Span::new(2, 4), Span::new(10, 13)]),
            vec![true, false, true, false]
        );
        assert_eq!(ts.overlapping(&[]), vec![false; 4]);
    }
}
