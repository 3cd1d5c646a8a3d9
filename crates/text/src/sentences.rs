//! Sentence segmentation that keeps byte offsets.
//!
//! Rules, in order: a blank line ends a paragraph (and its sentence); a single line
//! break ends a sentence only when the line reads as a unit of its own (a heading, a
//! list item, a line ending in terminal punctuation); inside a line, `.`, `!`, `?` or
//! `…` (with any closing quotes and brackets) end a sentence when followed by space
//! and an opener (capital, digit, opening quote), unless the word before is a known
//! abbreviation or an initial. Datelines ("BEIRUT (Reuters) -", "LONDON:") stay with
//! the sentence they introduce because they carry no terminal punctuation.

use whence_core::Span;

/// Abbreviations after which a period does not end a sentence (lowercase, no dot).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "col", "lt", "sgt", "capt", "cmdr",
    "adm", "maj", "gov", "sen", "rep", "rev", "hon", "pres", "supt", "insp", "det", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "nos", "vs", "v",
    "etc", "inc", "ltd", "co", "corp", "plc", "dept", "univ", "u.s", "u.k", "u.n", "e.g", "i.e",
    "a.m", "p.m", "approx", "est", "fig", "vol", "pp", "mt", "ft", "ave", "blvd", "rd", "messrs",
    "mme", "mlle", "op", "cf", "al",
];

/// Sentence spans of `text` with their paragraph index. Spans are trimmed of
/// surrounding whitespace, ascending and disjoint; whitespace-only stretches yield none.
pub fn sentence_spans(text: &str) -> Vec<(Span, usize)> {
    let mut out = Vec::new();
    let mut paragraph = 0usize;
    let mut seen_content = false;
    // iterate over lines, keeping offsets
    let mut line_start = 0usize;
    let mut sent_start: Option<usize> = None;
    let mut cuts = Vec::new();
    while line_start <= text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |p| line_start + p);
        let line = &text[line_start..line_end];
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if let Some(s) = sent_start.take() {
                push_trimmed(text, s, line_start, paragraph, &mut out);
            }
            if seen_content {
                paragraph += 1;
                seen_content = false;
            }
        } else {
            seen_content = true;
            let s = *sent_start.get_or_insert(line_start);
            // split inside the line
            let mut from = s.max(line_start);
            cuts.clear();
            inline_boundaries(text, line_start, line_end, &mut cuts);
            for &cut in &cuts {
                if cut > from {
                    push_trimmed(text, sent_start.unwrap_or(from), cut, paragraph, &mut out);
                    sent_start = Some(cut);
                    from = cut;
                }
            }
            if line_ends_unit(trimmed, text, line_end) {
                if let Some(s) = sent_start.take() {
                    push_trimmed(text, s, line_end, paragraph, &mut out);
                }
            }
        }
        if line_end >= text.len() {
            break;
        }
        line_start = line_end + 1;
    }
    if let Some(s) = sent_start {
        push_trimmed(text, s, text.len(), paragraph, &mut out);
    }
    out
}

fn push_trimmed(
    text: &str,
    start: usize,
    end: usize,
    paragraph: usize,
    out: &mut Vec<(Span, usize)>,
) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push((Span::new(start + lead, end - trail), paragraph));
    }
}

/// Does this line stand as a unit (heading, list item, complete sentence)?
fn line_ends_unit(trimmed: &str, text: &str, line_end: usize) -> bool {
    let last = trimmed.chars().next_back().unwrap_or(' ');
    if matches!(last, '.' | '!' | '?' | '…' | ':' | '"' | '”' | '’' | ')') {
        // a line wrapped mid-sentence rarely ends this way; confirm with the next line
        return next_line_opens(text, line_end);
    }
    // short lines without terminal punctuation: headings, bylines, list lines
    trimmed.len() < 80 && at_most_words(trimmed, 12) && next_line_opens(text, line_end)
}

/// Does `s` have at most `n` whitespace-separated words (as `split_whitespace`
/// counts them)? ASCII text is counted on bytes.
fn at_most_words(s: &str, n: usize) -> bool {
    if !s.is_ascii() {
        return s.split_whitespace().nth(n).is_none();
    }
    // for ASCII, char::is_whitespace is exactly space and \t \n VT FF \r
    let mut words = 0;
    let mut in_word = false;
    for &b in s.as_bytes() {
        let space = b == b' ' || (0x09..=0x0D).contains(&b);
        if !space && !in_word {
            words += 1;
        }
        in_word = !space;
    }
    words <= n
}

fn next_line_opens(text: &str, line_end: usize) -> bool {
    match text
        .get(line_end..)
        .and_then(|rest| rest.trim_start().chars().next())
    {
        None => true,
        Some(c) => is_opener(c),
    }
}

#[inline]
fn is_opener(c: char) -> bool {
    c.is_uppercase()
        || c.is_ascii_digit()
        || matches!(
            c,
            '"' | '“' | '‘' | '\'' | '(' | '[' | '«' | '—' | '-' | '•' | '*'
        )
        || (!c.is_alphabetic() && !c.is_ascii_punctuation() && !c.is_whitespace())
        || is_caseless_letter(c)
}

fn is_caseless_letter(c: char) -> bool {
    c.is_alphabetic() && !c.is_lowercase() && !c.is_uppercase()
}

/// The char starting at byte `i` of `s` (`i` on a char boundary, before the end).
#[inline]
fn char_at(s: &str, i: usize) -> char {
    s[i..].chars().next().unwrap_or('\0')
}

/// The bytes a terminal mark can start with: `.`, `!`, `?` and the UTF-8 lead
/// bytes of `…` (E2), `。` (E3), `！` and `？` (EF). A table lookup per byte
/// instead of a chain of comparisons that the branch predictor cannot learn.
static MAY_END: [bool; 256] = {
    let mut t = [false; 256];
    t[b'.' as usize] = true;
    t[b'!' as usize] = true;
    t[b'?' as usize] = true;
    t[0xE2] = true;
    t[0xE3] = true;
    t[0xEF] = true;
    t
};

/// Byte offsets inside `[line_start, line_end)` where a new sentence starts,
/// appended to `cuts`.
fn inline_boundaries(text: &str, line_start: usize, line_end: usize, cuts: &mut Vec<usize>) {
    let line = &text[line_start..line_end];
    let bytes = line.as_bytes();
    let n = line.len();
    let mut i = 0;
    while i < n {
        // jump to the next char that may be terminal: `.`, `!`, `?`, or a char whose
        // UTF-8 lead byte is that of `…` (E2), `。` (E3), `！`/`？` (EF)
        match bytes[i..].iter().position(|&b| MAY_END[b as usize]) {
            Some(p) => i += p,
            None => break,
        }
        let c = char_at(line, i);
        let terminal = matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？');
        if !terminal {
            i += c.len_utf8();
            continue;
        }
        // absorb runs of terminal punctuation and closing quotes/brackets
        let mut j = i + c.len_utf8();
        while j < n {
            let d = char_at(line, j);
            if !matches!(
                d,
                '.' | '!' | '?' | '…' | '"' | '”' | '’' | '\'' | ')' | ']' | '»'
            ) {
                break;
            }
            j += d.len_utf8();
        }
        if matches!(c, '。' | '！' | '？') {
            if j < n {
                cuts.push(line_start + j);
            }
            i = j;
            continue;
        }
        // need whitespace, then an opener
        let mut k = j;
        while k < n {
            let d = char_at(line, k);
            if !d.is_whitespace() {
                break;
            }
            k += d.len_utf8();
        }
        if k == j || k >= n {
            i = j;
            continue;
        }
        if !is_opener(char_at(line, k)) {
            i = j;
            continue;
        }
        if c == '.' && j == i + 1 && is_abbreviation(line, i) {
            i = j;
            continue;
        }
        cuts.push(line_start + k);
        i = k;
    }
}

/// Is the word ending just before the period at `dot` an abbreviation or initial?
fn is_abbreviation(line: &str, dot: usize) -> bool {
    let before = &line[..dot];
    let word_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '(' | '"' | '“' | '\''))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    let mut chars = word.chars();
    let first = chars.next().unwrap_or(' ');
    // single capital letter: an initial ("John F. Kennedy")
    if first.is_uppercase() && chars.next().is_none() {
        return true;
    }
    if word.is_ascii() {
        // the lowercase comparison below, without allocating
        return ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word));
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sents(text: &str) -> Vec<&str> {
        sentence_spans(text)
            .into_iter()
            .map(|(s, _)| &text[s.range()])
            .collect()
    }

    #[test]
    fn abbreviations_and_initials() {
        let t = "Mr. Smith met Dr. Jones in the U.S. capital. John F. Kennedy spoke. It ended.";
        assert_eq!(
            sents(t),
            vec![
                "Mr. Smith met Dr. Jones in the U.S. capital.",
                "John F. Kennedy spoke.",
                "It ended."
            ]
        );
    }

    #[test]
    fn quotes_close_sentences() {
        let t = "“They will be followed by more,” one of the sources said. “Russia is challenging everyone.” Haj Ali said.";
        assert_eq!(
            sents(t),
            vec![
                "“They will be followed by more,” one of the sources said.",
                "“Russia is challenging everyone.”",
                "Haj Ali said."
            ]
        );
    }

    #[test]
    fn datelines_stay_with_their_sentence() {
        let t = "BEIRUT (Reuters) - Hundreds of troops arrived. WASHINGTON, Oct. 2 - Talks began.";
        assert_eq!(
            sents(t),
            vec![
                "BEIRUT (Reuters) - Hundreds of troops arrived.",
                "WASHINGTON, Oct. 2 - Talks began."
            ]
        );
    }

    #[test]
    fn paragraphs_headings_and_wrapped_lines() {
        let t = "A Headline Here\n\nThe first line wraps\nonto the next line. Second one.\n\nStay Connected\n";
        let spans = sentence_spans(t);
        let texts: Vec<&str> = spans.iter().map(|(s, _)| &t[s.range()]).collect();
        assert_eq!(
            texts,
            vec![
                "A Headline Here",
                "The first line wraps\nonto the next line.",
                "Second one.",
                "Stay Connected"
            ]
        );
        let paras: Vec<usize> = spans.iter().map(|&(_, p)| p).collect();
        assert_eq!(paras, vec![0, 1, 1, 2]);
    }

    #[test]
    fn cjk_full_stops() {
        assert_eq!(
            sents("今天下雨。明天晴天。"),
            vec!["今天下雨。", "明天晴天。"]
        );
    }

    /// The straightforward version of [`inline_boundaries`] (char vector, owned
    /// lowercase), kept as its definition.
    fn inline_boundaries_reference(text: &str, line_start: usize, line_end: usize) -> Vec<usize> {
        let line = &text[line_start..line_end];
        let mut cuts = Vec::new();
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (_, c) = chars[i];
            let terminal = matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？');
            if !terminal {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < chars.len()
                && matches!(
                    chars[j].1,
                    '.' | '!' | '?' | '…' | '"' | '”' | '’' | '\'' | ')' | ']' | '»'
                )
            {
                j += 1;
            }
            if matches!(c, '。' | '！' | '？') {
                if j < chars.len() {
                    cuts.push(line_start + chars[j].0);
                }
                i = j;
                continue;
            }
            let mut k = j;
            while k < chars.len() && chars[k].1.is_whitespace() {
                k += 1;
            }
            if k == j || k >= chars.len() || !is_opener(chars[k].1) {
                i = j;
                continue;
            }
            if c == '.' && i + 1 == j && {
                let before = &line[..chars[i].0];
                let ws = before
                    .char_indices()
                    .rev()
                    .find(|&(_, c)| c.is_whitespace() || matches!(c, '(' | '"' | '“' | '\''))
                    .map_or(0, |(i, c)| i + c.len_utf8());
                let word = &before[ws..];
                let mut cs = word.chars();
                !word.is_empty()
                    && ((cs.next().is_some_and(char::is_uppercase) && cs.next().is_none())
                        || ABBREVIATIONS.contains(&word.to_lowercase().as_str()))
            } {
                i = j;
                continue;
            }
            cuts.push(line_start + chars[k].0);
            i = k;
        }
        cuts
    }

    fn cuts(line: &str) -> Vec<usize> {
        let mut v = Vec::new();
        inline_boundaries(line, 0, line.len(), &mut v);
        v
    }

    #[test]
    fn boundaries_match_reference_on_fixtures() {
        for line in [
            "Mr. Smith met Dr. Jones in the U.S. capital. John F. Kennedy spoke. It ended.",
            "“They will be followed by more,” one said. “Russia is challenging everyone.” Haj Ali said.",
            "今天下雨。明天晴天。 It rained! Did it? Yes… “Quite.” (Really.) DR. No. MR. Big. İ. X",
            "e.g. This. i.e. That. ÉCOLE. Next. Ⅻ. Ok. 1. Two. a.m. Then",
            "End.\u{a0}Next. End.\u{2003}Next. End.\u{85}Next",
            "He met (Mr.) Smith. Then “Dr.” Who. Jr.. Next. U.S.) Then",
        ] {
            assert_eq!(cuts(line), inline_boundaries_reference(line, 0, line.len()), "{line:?}");
        }
    }

    fn line_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("."),
            Just("!"),
            Just("?"),
            Just("…"),
            Just("。"),
            Just("！"),
            Just("？"),
            Just("\""),
            Just("”"),
            Just("’"),
            Just("'"),
            Just(")"),
            Just("]"),
            Just("»"),
            Just("("),
            Just("“"),
            Just("‘"),
            Just("«"),
            Just("—"),
            Just("-"),
            Just("•"),
            Just(" "),
            Just(" "),
            Just("\t"),
            Just("\u{a0}"),
            Just("\u{3000}"),
            Just("\u{85}"),
            Just("Mr"),
            Just("mr"),
            Just("MR"),
            Just("U.S"),
            Just("e.g"),
            Just("F"),
            Just("f"),
            Just("É"),
            Just("é"),
            Just("İ"),
            Just("the"),
            Just("The"),
            Just("2"),
            Just("東"),
            Just("😀"),
            Just("ﬁ"),
            Just("€"),
            Just("→"),
            Just("∑"),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #[test]
        fn boundaries_match_reference(line in line_text()) {
            proptest::prop_assert_eq!(cuts(&line), inline_boundaries_reference(&line, 0, line.len()));
        }

        #[test]
        fn boundaries_match_reference_on_any_line(line in "[^\n]{0,120}") {
            proptest::prop_assert_eq!(cuts(&line), inline_boundaries_reference(&line, 0, line.len()));
        }
    }

    proptest! {
        #[test]
        fn word_count_matches_split_whitespace(
            line in "[a-c \t\u{b}\u{c}\r\u{a0}\u{2003}é]{0,40}",
            n in 0usize..8,
        ) {
            prop_assert_eq!(at_most_words(&line, n), line.split_whitespace().count() <= n);
        }
    }

    #[test]
    fn empty_and_whitespace() {
        assert!(sents("").is_empty());
        assert!(sents(" \n\n\t ").is_empty());
    }
}
