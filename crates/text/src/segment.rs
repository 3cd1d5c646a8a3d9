//! Word segmentation (UAX #29 words) with an ASCII fast path.
//!
//! The reference is `unicode_segmentation`'s `unicode_word_indices` over the whole
//! text. That crate takes a quick byte-level path only when the *entire* text is
//! ASCII; one curly apostrophe anywhere sends a whole news story down the general
//! path, which is several times slower. [`for_each_word`] instead splits the text
//! into ASCII regions and "slow" regions around non-ASCII bytes, at points that are
//! word boundaries whatever the context, and segments each region on its own. The
//! words, and their offsets, are those of the reference.
//!
//! Why the cut points are safe. Let W be the ASCII whitespace bytes
//! (space, `\t`, `\n`, `\r`, VT, FF) and call a maximal run of non-W bytes a
//! *piece*. Under UAX #29:
//!
//! - between a W byte and a following ASCII non-W byte there is always a boundary:
//!   no rule joins a W character on its left with such a character (WB3d joins two
//!   spaces, WB4 joins Extend/Format/ZWJ, both excluded; WB6/7, WB11/12, WB13a/b,
//!   WB15/16 need a letter, digit, `_`, infix or regional indicator on the left);
//! - between an ASCII non-W byte and a following W byte there is always a boundary,
//!   by the same list seen from the right side;
//! - no rule looks across a W character to decide a boundary further away (the
//!   look-ahead of WB6/WB12 and the look-behind of WB7/WB11 only pass over an infix
//!   character and Extend/Format/ZWJ).
//!
//! A piece with a non-ASCII byte is segmented together with the W runs on both
//! sides (a combining mark after a space joins the space under WB4, and some
//! non-ASCII spaces join an ASCII space under WB3d), and consecutive such pieces are
//! merged. Every cut is then between an ASCII piece and a W byte, in either order.
//! Tests check the equivalence on random mixed texts.

use unicode_segmentation::UnicodeSegmentation;

/// ASCII whitespace as it matters for the cut points: space, tab, LF, VT, FF, CR.
#[inline]
fn is_w(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// Calls `f(start, word)` for every UAX #29 word of `text` (a segment holding a
/// letter or digit), in order; `start` is the word's byte offset in `text`.
/// Identical to iterating `text.unicode_word_indices()`.
pub(crate) fn for_each_word<'t>(text: &'t str, mut f: impl FnMut(usize, &'t str)) {
    let b = text.as_bytes();
    let len = b.len();
    // text[..done] has been segmented; `done` is 0, or the start of an ASCII piece
    let mut done = 0;
    while let Some(k) = first_non_ascii(&b[done..]) {
        let j = done + k;
        // back to the start of the piece holding j, then over the W run before it
        let mut s = j;
        while s > done && !is_w(b[s - 1]) {
            s -= 1;
        }
        while s > done && is_w(b[s - 1]) {
            s -= 1;
        }
        // forward over the piece and the W run after it; go on while the next piece
        // holds a non-ASCII byte too
        let mut e = j;
        loop {
            while e < len && !is_w(b[e]) {
                e += 1;
            }
            while e < len && is_w(b[e]) {
                e += 1;
            }
            let mut p = e;
            while p < len && b[p].is_ascii() && !is_w(b[p]) {
                p += 1;
            }
            if p < len && !b[p].is_ascii() {
                e = p;
            } else {
                break;
            }
        }
        // both ends of [s, e) lie on char boundaries: next to an ASCII byte or at
        // an end of the text
        ascii_words_in(text, done, s, &mut f);
        for (i, w) in text[s..e].unicode_word_indices() {
            f(s + i, w);
        }
        done = e;
    }
    ascii_words_in(text, done, len, &mut f);
}

/// Offset of the first non-ASCII byte of `b`, testing eight bytes at a time.
#[inline]
fn first_non_ascii(b: &[u8]) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = b.chunks_exact(8);
    let mut off = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) & HIGH;
        if w != 0 {
            // little-endian: the lowest set bit belongs to the first such byte
            return Some(off + (w.trailing_zeros() / 8) as usize);
        }
        off += 8;
    }
    let rest = chunks.remainder();
    rest.iter().position(|x| !x.is_ascii()).map(|p| off + p)
}

/// Letters, digits and `_`: the ASCII characters that words are made of
/// (ALetter, Numeric, ExtendNumLet; WB5, WB8–WB10, WB13a/b).
#[inline]
fn is_core(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Does the infix `b` join its neighbours `prev` and `next` into one word?
/// `1,000`, `3.14`, `1'000` (WB11/12) and `e.g`, `can't`, `a:b` (WB6/7).
#[inline]
fn is_infix(b: u8, prev: u8, next: u8) -> bool {
    match b {
        b'.' | b',' | b';' | b'\'' if prev.is_ascii_digit() && next.is_ascii_digit() => true,
        b'.' | b':' | b'\'' if prev.is_ascii_alphabetic() && next.is_ascii_alphabetic() => true,
        _ => false,
    }
}

/// The words of the pure-ASCII `text[from..to]`, segmented alone, with offsets
/// into `text`. The UAX #29 rules restricted to ASCII: a word is a run of core
/// bytes, joined across single infixes, holding a letter or digit; everything else
/// (spaces, punctuation, a lone `_` run) is a segment that is no word. This is
/// the rule set of `unicode_segmentation`'s own ASCII path.
#[inline]
fn ascii_words_in<'t>(text: &'t str, from: usize, to: usize, f: &mut impl FnMut(usize, &'t str)) {
    let b = &text.as_bytes()[..to];
    debug_assert!(b[from..].is_ascii());
    let mut i = from;
    while i < to {
        if !is_core(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < to && (is_core(b[i]) || (i + 1 < to && is_infix(b[i], b[i - 1], b[i + 1]))) {
            i += 1;
        }
        // a run of `_` alone is no word
        if b[start] != b'_' || b[start..i].iter().any(u8::is_ascii_alphanumeric) {
            f(start, &text[start..i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(text: &str) -> Vec<(usize, &str)> {
        let mut v = Vec::new();
        for_each_word(text, |i, w| v.push((i, w)));
        v
    }

    fn reference(text: &str) -> Vec<(usize, &str)> {
        text.unicode_word_indices().collect()
    }

    #[test]
    fn tricky_cases() {
        for t in [
            "",
            " ",
            "It’s here",
            "a \u{301}b c",
            " \u{93f}x y",
            "x\u{3000} y",
            "\u{3000}\u{93f} a",
            "U.S. e.g. 1,234.5 a'b a.1 1a.b _x_ __ x__y",
            "é",
            "a\té\tb",
            "Assad’s men don’t go—they’re “here”.\n\nNext’s para",
            "🇬🇧 🇬🇧🇬 👨\u{200d}👩 a\u{200d} \u{200d}b",
            "東京 大学。カタカナ ｶﾀｶﾅ 한국어",
            "x \u{feff}y \u{ad}z",
            "ab\r\n\u{301}cd",
        ] {
            assert_eq!(split(t), reference(t), "{t:?}");
        }
    }

    /// Strings built from pieces that exercise the cut rules.
    fn mixed() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just(" "),
            Just("  "),
            Just("\t"),
            Just("\n"),
            Just("\r\n"),
            Just("\u{b}"),
            Just("\u{c}"),
            Just("\u{3000}"),
            Just("\u{a0}"),
            Just("\u{2009}"),
            Just("a"),
            Just("Z"),
            Just("7"),
            Just("_"),
            Just("."),
            Just(","),
            Just(":"),
            Just(";"),
            Just("'"),
            Just("\""),
            Just("’"),
            Just("‘"),
            Just("é"),
            Just("e\u{301}"),
            Just("\u{301}"),
            Just("\u{93f}"),
            Just("\u{200d}"),
            Just("\u{200b}"),
            Just("\u{ad}"),
            Just("\u{feff}"),
            Just("東"),
            Just("カ"),
            Just("ｶ"),
            Just("한"),
            Just("א"),
            Just("🇬"),
            Just("😀"),
            Just("—"),
            Just("…"),
            Just("１"),
            Just("ﬁ"),
            Just("-"),
            Just("("),
            Just("word"),
            Just("U.S."),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn first_non_ascii_finds_the_first(v in proptest::collection::vec(
            prop_oneof![20 => 0u8..0x80, 1 => 0x80u8..=0xFF], 0..64)) {
            prop_assert_eq!(first_non_ascii(&v), v.iter().position(|x| !x.is_ascii()));
        }

        #[test]
        fn matches_reference_on_mixed_text(t in mixed()) {
            prop_assert_eq!(split(&t), reference(&t));
        }

        #[test]
        fn matches_reference_on_any_text(t in "\\PC{0,200}") {
            prop_assert_eq!(split(&t), reference(&t));
        }

        #[test]
        fn matches_reference_on_ascii_in_mixed_context(t in "[ -~\t\n]{0,120}") {
            // the reference takes its own ASCII path for a pure-ASCII text and its
            // general path once a non-ASCII char is present; both must agree with us
            prop_assert_eq!(split(&t), reference(&t));
            let m = format!("{t} é");
            prop_assert_eq!(split(&m), reference(&m));
            let m = format!("é\n{t}");
            prop_assert_eq!(split(&m), reference(&m));
        }
    }
}
