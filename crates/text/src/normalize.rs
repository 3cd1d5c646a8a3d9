//! Word normalization: NFKC, lowercase, quote and apostrophe folding.

use unicode_normalization::UnicodeNormalization;

/// Appends the normalized form of `word` to `out`: NFKC, lowercase, curly and
/// typographic apostrophes folded to `'`. ASCII words take a fast path.
pub fn fold_word(word: &str, out: &mut String) {
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    for c in word.nfkc() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '`' | '\u{00B4}' => {
                out.push('\'')
            }
            c => out.extend(c.to_lowercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(w: &str) -> String {
        let mut s = String::new();
        fold_word(w, &mut s);
        s
    }

    #[test]
    fn folds() {
        assert_eq!(f("Assad’s"), "assad's");
        assert_eq!(f("ＡＢＣ"), "abc"); // fullwidth via NFKC
        assert_eq!(f("ﬁnal"), "final"); // ligature via NFKC
        assert_eq!(f("ÉCOLE"), "école");
    }
}
