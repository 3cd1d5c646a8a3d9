//! Text analysis: original text → tokens and sentences with byte offsets.
//!
//! Responsibility: turn a document's text into the [`TokenStream`] that the sketcher
//! and the aligner consume, without ever rewriting the text. Every token and sentence
//! carries a byte [`Span`](whence_core::Span) into the original; normalization only
//! shapes the tokens' hash keys:
//!
//! - Unicode NFKC, lowercase, curly/straight quotes and apostrophes folded;
//! - word tokens by Unicode segmentation (UAX #29), so CJK ideographs are one token
//!   each and punctuation, dashes and ellipses are not tokens at all;
//! - spelling variants folded (advisers/advisors, organise/organize, colour/color);
//! - light stemming (Snowball English) for the matching key, not for the surface form;
//! - sentences that survive abbreviations ("Mr.", "U.S.", initials), closing quotes,
//!   newswire datelines, headings and list lines.
//!
//! Speed (every document of a corpus passes through here): ASCII stretches of the
//! text are segmented on bytes and only the pieces around non-ASCII characters go
//! through the general UAX #29 machinery (`segment`); a bounded per-thread cache
//! maps a word's text to its key, form and flags (`cache`), so normalization,
//! stopword lookup and stemming run once per distinct word rather than once per
//! token. [`Analyzer::reference`] keeps the plain path; tests check that both give
//! identical streams.
//!
//! ```
//! use whence_text::analyze;
//! let text = "The advisers said. Dr. Smith's advisors agreed.";
//! let ts = analyze(text);
//! assert_eq!(ts.sentences.len(), 2);
//! let words: Vec<&str> = ts.tokens.iter().map(|t| &text[t.span.range()]).collect();
//! assert_eq!(words[1], "advisers");
//! // "advisers" and "advisors" share a surface form after spelling folding
//! assert_eq!(ts.tokens[1].form, ts.tokens[5].form);
//! ```

mod cache;
mod normalize;
mod segment;
mod sentences;
mod stopwords;
mod variants;

use std::borrow::Cow;
use std::cell::RefCell;

use unicode_segmentation::UnicodeSegmentation;
use whence_core::{Sentence, Span, Token, TokenFlags, TokenStream};

pub use normalize::fold_word;
pub use sentences::sentence_spans;
pub use stopwords::is_stopword;
pub use variants::fold_variant;

/// Stable 64-bit hash of a normalized string (xxh3), the currency of token keys.
#[inline]
pub fn hash_str(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

thread_local! {
    /// One analyzer per thread for [`analyze`], so its word cache outlives a call.
    static ANALYZER: RefCell<Analyzer> = RefCell::new(Analyzer::default());
}

/// Analyzes `text` with the default English settings.
///
/// Uses a per-thread [`Analyzer`], whose word cache (at most
/// [`Analyzer::CACHE_ENTRIES`] words) persists between calls on that thread.
pub fn analyze(text: &str) -> TokenStream {
    ANALYZER
        .try_with(|a| a.try_borrow_mut().ok().map(|mut a| a.analyze(text)))
        .ok()
        .flatten()
        // only while the thread is being torn down, or if analysis ever called
        // back into `analyze`: a fresh analyzer gives the same output
        .unwrap_or_else(|| Analyzer::default().analyze(text))
}

/// Reusable analyzer: holds the stemmer, scratch buffers and a word cache.
///
/// Everything in a [`Token`] but its span is a pure function of the word's text,
/// so the analyzer remembers the answer for up to [`Analyzer::CACHE_ENTRIES`]
/// recently seen words of at most [`Analyzer::CACHE_MAX_WORD`] bytes (the cache
/// grows as words arrive, to about 5 MB). News repeats its words heavily: most
/// tokens are cache hits and skip normalization, spelling folding, stopword
/// lookup and stemming. The cache never changes the output, only the time taken.
pub struct Analyzer {
    stemmer: rust_stemmers::Stemmer,
    buf: String,
    cache: cache::WordCache<WordInfo>,
    /// Off only in [`Analyzer::reference`]: whole-text segmentation, no cache.
    fast: bool,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
            buf: String::new(),
            cache: cache::WordCache::default(),
            fast: true,
        }
    }
}

/// The text-dependent part of a [`Token`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WordInfo {
    key: u64,
    form: u64,
    flags: TokenFlags,
}

/// The normalized views of one word: what the aligner compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordKeys {
    /// Normalized, spelling-folded surface.
    pub form: String,
    /// `form`, stemmed.
    pub key: String,
}

impl Analyzer {
    /// Most distinct words the cache holds (about 5 MB).
    pub const CACHE_ENTRIES: usize = cache::ENTRIES;
    /// Longest word, in bytes, that is cached; longer ones are analyzed each time.
    pub const CACHE_MAX_WORD: usize = cache::MAX_WORD;

    /// An analyzer without the fast paths (whole-text segmentation, no word
    /// cache): the plain definition of the output, kept to check the fast paths
    /// against (tests, `examples/digest.rs --reference`). Same output, slower.
    pub fn reference() -> Self {
        Analyzer {
            fast: false,
            ..Analyzer::default()
        }
    }

    /// Tokens and sentences of `text`.
    pub fn analyze(&mut self, text: &str) -> TokenStream {
        let mut tokens = Vec::with_capacity(text.len() / 5);
        if self.fast {
            segment::for_each_word(text, |start, word| {
                let info = self.cached_word(word);
                tokens.push(token(start, word, info));
            });
        } else {
            for (start, word) in text.unicode_word_indices() {
                let info = self.word(word);
                tokens.push(token(start, word, info));
            }
        }
        let sentences = group_sentences(text, &tokens);
        TokenStream { tokens, sentences }
    }

    /// Normalized form and matching key of one word (for tests and tools).
    pub fn word_keys(&mut self, word: &str) -> WordKeys {
        let mut form = String::new();
        fold_word(word, &mut form);
        let form = fold_variant(&form).into_owned();
        let key = self.stem(&form);
        WordKeys { form, key }
    }

    fn stem(&self, form: &str) -> String {
        self.stem_cow(form).into_owned()
    }

    /// Snowball stem of lowercase ASCII words longer than three bytes; other
    /// forms are their own stem.
    fn stem_cow<'a>(&self, form: &'a str) -> Cow<'a, str> {
        if form.bytes().all(|b| b.is_ascii_lowercase() || b == b'\'') && form.len() > 3 {
            self.stemmer.stem(form)
        } else {
            Cow::Borrowed(form)
        }
    }

    /// [`Analyzer::word`] through the cache.
    #[inline]
    fn cached_word(&mut self, word: &str) -> WordInfo {
        let Some(k) = cache::short_key(word) else {
            return self.word(word);
        };
        if let Some(info) = self.cache.get(k) {
            return info;
        }
        let info = self.word(word);
        self.cache.insert(k, info);
        info
    }

    /// Key, form and flags of one word: the definition.
    fn word(&mut self, word: &str) -> WordInfo {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        fold_word(word, &mut buf);
        let folded = fold_variant(&buf);
        let form = hash_str(&folded);
        let mut flags = TokenFlags::empty();
        if is_stopword(&folded) {
            flags.insert(TokenFlags::STOP);
        }
        if word.bytes().any(|b| b.is_ascii_digit()) {
            flags.insert(TokenFlags::NUMBER);
        }
        let first = word.chars().next().unwrap_or(' ');
        if first.is_uppercase() {
            flags.insert(TokenFlags::CAPITALIZED);
        }
        if is_char_unit(first) {
            flags.insert(TokenFlags::CHAR_UNIT);
        }
        let key = if flags.contains(TokenFlags::STOP) || flags.contains(TokenFlags::NUMBER) {
            form
        } else {
            hash_str(&self.stem_cow(&folded))
        };
        drop(folded);
        self.buf = buf;
        WordInfo { key, form, flags }
    }
}

#[inline]
fn token(start: usize, word: &str, info: WordInfo) -> Token {
    Token {
        span: Span::new(start, start + word.len()),
        key: info.key,
        form: info.form,
        flags: info.flags,
    }
}

/// True for scripts written without spaces that are matched one character at a time.
fn is_char_unit(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK Extension A
        | 0x4E00..=0x9FFF // CJK Unified Ideographs
        | 0xF900..=0xFAFF // CJK Compatibility Ideographs
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0x20000..=0x2FFFF)
}

/// Assigns tokens to sentence spans; sentences without tokens are dropped.
fn group_sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let spans = sentence_spans(text);
    let mut out = Vec::with_capacity(spans.len());
    let mut t = 0;
    for (span, paragraph) in spans {
        let first = t;
        while t < tokens.len() && tokens[t].span.start() < span.end() {
            t += 1;
        }
        if t > first {
            // a token may straddle a boundary only if segmentation split inside a
            // word; widen the sentence so spans stay disjoint and cover their tokens
            let start = span.start().min(tokens[first].span.start());
            let end = span.end().max(tokens[t - 1].span.end());
            out.push(Sentence {
                span: Span::new(start, end),
                tokens: first..t,
                paragraph,
            });
        }
    }
    if t < tokens.len() {
        // unreachable with well-formed spans; keep the invariant regardless
        let start = tokens[t].span.start();
        let paragraph = out.last().map_or(0, |s| s.paragraph);
        out.push(Sentence {
            span: Span::new(start, text.len()),
            tokens: t..tokens.len(),
            paragraph,
        });
    }
    // merge overlaps created by widening
    let mut merged: Vec<Sentence> = Vec::with_capacity(out.len());
    for s in out {
        match merged.last_mut() {
            Some(last) if s.span.start() < last.span.end() => {
                last.span = last.span.cover(s.span);
                last.tokens = last.tokens.start..s.tokens.end;
            }
            _ => merged.push(s),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(text: &str) -> Vec<&str> {
        analyze(text)
            .tokens
            .iter()
            .map(|t| &text[t.span.range()])
            .collect()
    }

    #[test]
    fn tokens_keep_original_offsets() {
        let text = "“Hundreds” of troops—arrived…";
        assert_eq!(words(text), vec!["Hundreds", "of", "troops", "arrived"]);
    }

    #[test]
    fn cjk_is_tokenized_per_character() {
        let ts = analyze("东京大学 and Tokyo");
        assert_eq!(ts.tokens.len(), 6);
        assert!(ts.tokens[0].flags.contains(TokenFlags::CHAR_UNIT));
    }

    #[test]
    fn normalization_equates_variants_and_quotes() {
        let a = analyze("They are not advisers ... we mean Assad’s men");
        let b = analyze("they are NOT advisors … we mean assad's men");
        let fa: Vec<u64> = a.tokens.iter().map(|t| t.form).collect();
        let fb: Vec<u64> = b.tokens.iter().map(|t| t.form).collect();
        assert_eq!(fa, fb);
    }

    #[test]
    fn stemming_shapes_keys_not_forms() {
        let a = analyze("strikes striking");
        assert_eq!(a.tokens[0].key, a.tokens[1].key);
        assert_ne!(a.tokens[0].form, a.tokens[1].form);
    }

    #[test]
    fn flags() {
        let ts = analyze("The 30 Russian jets");
        assert!(ts.tokens[0].is_stop());
        assert!(ts.tokens[1].flags.contains(TokenFlags::NUMBER));
        assert!(ts.tokens[2].flags.contains(TokenFlags::CAPITALIZED));
        assert!(!ts.tokens[3].is_stop());
    }

    #[test]
    fn fast_paths_agree_on_fixtures() {
        let data = include_str!("../testdata/odd.jsonl");
        let mut fast = Analyzer::default();
        for line in data.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = v["text"].as_str().unwrap();
            let want = Analyzer::reference().analyze(text);
            assert_eq!(fast.analyze(text), want, "{text:?}");
            // second pass: every short word now comes from the cache
            assert_eq!(fast.analyze(text), want, "{text:?} (cached)");
        }
    }

    #[test]
    fn cache_stays_bounded_and_correct_across_generations() {
        // more distinct short words than the cache holds, then the same again
        let mut text = String::new();
        for i in 0..(Analyzer::CACHE_ENTRIES + 5000) {
            text.push_str(&format!("Word{i}s w{i}ing The the "));
        }
        let want = Analyzer::reference().analyze(&text);
        let mut fast = Analyzer::default();
        for _ in 0..2 {
            assert!(fast.analyze(&text) == want);
            assert!(fast.cache.len() <= Analyzer::CACHE_ENTRIES);
            assert!(fast.cache.len() > 0);
        }
    }

    #[test]
    fn free_function_matches_reference() {
        let text = "Assad’s advisers organised the programme. U.S. officials said 30 jets flew.";
        assert_eq!(analyze(text), Analyzer::reference().analyze(text));
        assert_eq!(analyze(text), Analyzer::reference().analyze(text));
    }

    /// News-like words, variants, numbers and tricky Unicode, with separators.
    fn mixed_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("the"),
            Just("The"),
            Just("said"),
            Just("advisers"),
            Just("Colours"),
            Just("organised"),
            Just("centre"),
            Just("running"),
            Just("generously"),
            Just("don't"),
            Just("don’t"),
            Just("U.S."),
            Just("Mr."),
            Just("1,200"),
            Just("3.5"),
            Just("x86"),
            Just("İstanbul"),
            Just("Straße"),
            Just("ﬁnal"),
            Just("ＡＢＣ"),
            Just("café"),
            Just("e\u{301}"),
            Just("\u{301}"),
            Just("東京"),
            Just("😀"),
            Just("“"),
            Just("”"),
            Just("’"),
            Just("'"),
            Just("\""),
            Just("—"),
            Just("…"),
            Just(" "),
            Just(" "),
            Just(" "),
            Just("\n"),
            Just("\n\n"),
            Just("."),
            Just(". "),
            Just("? "),
            Just(","),
            Just("_"),
            Just("\u{3000}"),
            Just("internationalisation"),
            Just("Abcdefghijklmnopq"),
        ];
        proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn fast_paths_agree_with_reference(text in mixed_text()) {
            let want = Analyzer::reference().analyze(&text);
            let mut fast = Analyzer::default();
            prop_assert_eq!(&fast.analyze(&text), &want);
            prop_assert_eq!(&fast.analyze(&text), &want);
        }

        #[test]
        fn fast_paths_agree_on_any_text(text in "\\PC{0,200}") {
            prop_assert_eq!(analyze(&text), Analyzer::reference().analyze(&text));
        }

        #[test]
        fn fast_paths_agree_on_ascii(text in "[ -~\t\n]{0,200}") {
            prop_assert_eq!(analyze(&text), Analyzer::reference().analyze(&text));
        }

        #[test]
        fn stream_invariants_hold(text in "\\PC{0,300}") {
            let ts = analyze(&text);
            for w in ts.tokens.windows(2) {
                prop_assert!(w[0].span.end() <= w[1].span.start());
            }
            for t in &ts.tokens {
                prop_assert!(Span::checked(&text, t.span.start(), t.span.end()).is_ok());
            }
            let mut next = 0;
            for s in &ts.sentences {
                prop_assert!(Span::checked(&text, s.span.start(), s.span.end()).is_ok());
                prop_assert_eq!(s.tokens.start, next);
                prop_assert!(s.tokens.end > s.tokens.start);
                next = s.tokens.end;
                for t in &ts.tokens[s.tokens.clone()] {
                    prop_assert!(s.span.contains(t.span));
                }
            }
            prop_assert_eq!(next, ts.tokens.len());
            for w in ts.sentences.windows(2) {
                prop_assert!(w[0].span.end() <= w[1].span.start());
            }
        }
    }
}
