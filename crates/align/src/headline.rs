//! Headline subjects: do two wire items that share a form report on different
//! subjects, as their headlines say?
//!
//! A wire item opens with a headline set in capitals whose first words name
//! its subject: "ST LOUIS HOGS SEEN STEADY - PRIVATE SOURCES" / "KANSAS CITY HOGS
//! SEEN STEADY - PRIVATE SOURCES", "FRANKLIN MASSACHUSETTS SETS MONTHLY PAYOUT" /
//! "FRANKLIN CALIFORNIA SETS MONTHLY PAYOUT". When the bodies are one form (the
//! hog market report, the monthly payout notice) the aligner finds most of them
//! shared, yet the two items are about two markets, two funds, two companies.
//! [`headline_evidence`] reads that from the headlines in two ways:
//!
//! - **the headlines name different subjects**: past the words both
//!   headlines open with, each headline's words up to the next word the other
//!   headline also has (or a ticker, `<SUN>`) are its subject ("ST LOUIS" /
//!   "KANSAS CITY"; "HOGS" / "CATTLE" after "SIOUX FALLS", where a figure or
//!   a name must also differ between the texts, since a word swapped after a
//!   shared opening may be a rewording); the subjects differ when every one of those words is absent
//!   from the other document, the first word of one subject is no spelling or
//!   abbreviation of the other's ("INT'L" / "INTERNATIONAL"), the
//!   headlines have no ticker in common, the rest of the headlines agree (at
//!   least half the content words of the shorter rest are in the other), and
//!   no word of that agreeing rest is a name in both bodies (two columns'
//!   headlines about one company, "TALKING POINT/BANKAMERICA" / "ECONOMIC
//!   SPOTLIGHT - BANKAMERICA", share the subject, not a form);
//! - **a headline name is substituted in the shared text**: in the sentences
//!   that hold the lexical passages each side has a name (a capitalized word
//!   inside a sentence of the body) that the other document never uses and
//!   that its own headline holds ("Franklin Massachusetts Insured Tax-Free
//!   Income Fund" / "Franklin California …"; "the common stock of Lawrence
//!   Insurance Group Inc" / "… of American Land Cruisers Inc"), spellings
//!   aside ("Sveeco" / "Veeco", a correction).
//!
//! Either way the shared text must be the form, not a sentence two stories
//! share: the aligned text (lexical or paraphrase) holds the lead sentence of
//! both bodies, or the lexical passages themselves name other parties on each
//! side (the closing sentence of two debenture notices, "Bear Stearns and
//! Ladenburg Thalmann co-managed the deal" / "Merrill Lynch … and Salomon
//! Brothers Inc co-managed the deal"). Two stories on two banks that share a
//! background sentence ("Brazil suspended interest payments on its 68 billion
//! dlrs of medium- and long-term debt …") have copied text, not a form.
//!
//! Wire prefixes before the subject ("CORRECTED-", "RPT", "FLASH") are skipped.
//! A side without a capitals headline (most web pages) never differs: the test
//! is for wire copy, where recurring forms are most common. A subject that
//! both documents name is the same subject, whatever the headlines say, so a
//! story and its follow-up ("ACME TO BUY WIDGETCO" / "WIDGETCO AGREES TO ACME
//! BID") never differ.

use std::collections::HashSet;

use whence_core::{Alignment, TokenFlags};

use crate::template::{mostly_capitals, sentence_region};
use crate::Side;

/// Words a wire puts before a headline's subject: corrections, repeats and
/// urgency marks ("CORRECTED-LILLY INDUSTRIAL …", "(RPT) U.S. SAYS …").
const WIRE_PREFIXES: &[&str] = &[
    "corrected",
    "correction",
    "corrects",
    "rpt",
    "repeat",
    "refile",
    "refiled",
    "flash",
    "urgent",
    "update",
    "updated",
    "updates",
    "recasts",
];

/// The month names at the head of [`CALENDAR`] (long and short forms).
const MONTH_NAMES: usize = 24;

/// Month and weekday names: capitalized, yet dates, not names.
const CALENDAR: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Most words a headline may hold to be read as one (a whole body in
/// capitals is no headline).
const MAX_HEADLINE_TOKENS: usize = 24;

/// Most words of a headline subject ("COMMUNAUTE URBAINE DE MONTREAL").
const MAX_SUBJECT_TOKENS: usize = 5;

/// Share of the shorter headline rest (after the subjects) that the other
/// headline must have for the two headlines to be one form.
const MIN_REST_AGREEMENT: f64 = 0.5;

/// One side's headline: the token indices of its words after any wire prefix,
/// with whether each lies inside angle brackets (a ticker, `<SUN>`, or an
/// unlisted company, `<MTS Acquisition Corp>`).
struct Headline {
    tokens: Vec<(usize, bool)>,
    /// Index of the headline sentence in the stream.
    sentence: usize,
}

fn headline(side: &Side) -> Option<Headline> {
    let stream = side.stream;
    let masked = stream.overlapping(side.boilerplate);
    let (n, s) = stream
        .sentences
        .iter()
        .enumerate()
        .find(|(_, s)| s.tokens.clone().any(|i| !masked[i]))?;
    if s.tokens.len() > MAX_HEADLINE_TOKENS
        || s.tokens.clone().any(|i| masked[i])
        || !mostly_capitals(&side.text[s.span.range()])
    {
        return None;
    }
    let mut tokens = Vec::new();
    for i in s.tokens.clone() {
        let t = &stream.tokens[i];
        let word = side.text[t.span.range()].to_lowercase();
        if tokens.is_empty() && WIRE_PREFIXES.contains(&word.as_str()) {
            continue;
        }
        let before = &side.text[s.span.start()..t.span.start()];
        let bracketed = before
            .rfind('<')
            .is_some_and(|o| before.rfind('>').is_none_or(|c| c < o));
        tokens.push((i, bracketed));
    }
    (!tokens.is_empty()).then_some(Headline {
        tokens,
        sentence: n,
    })
}

/// Token range of the lead sentence of a side ([`crate::template::lead`]),
/// continued over the next sentences until one ends with a sentence mark: hard
/// line breaks in wire copy split a lead at a capitalized word ("First
/// Chicago Corp said its First" / "National Bank of Chicago raised …").
fn lead_tokens(side: &Side) -> Option<std::ops::Range<usize>> {
    let masked = side.stream.overlapping(side.boilerplate);
    let first = crate::template::lead(side, &masked)?;
    let sentences = &side.stream.sentences;
    let n = sentences.iter().position(|s| std::ptr::eq(s, first))?;
    let mut end = first.tokens.end;
    for s in &sentences[n..] {
        end = s.tokens.end;
        let text = side.text[s.span.range()].trim_end();
        if text.ends_with(['.', '!', '?', '"', '\'', ')', '”', '’']) {
            break;
        }
    }
    Some(first.tokens.start..end)
}

/// What the two wire headlines say about a pair (all false and zero unless
/// both texts open with one).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HeadlineEvidence {
    /// [`crate::TemplateEvidence::headline_subjects_differ`].
    pub subjects_differ: bool,
    /// [`crate::TemplateEvidence::headline_words`].
    pub words: crate::FactCounts,
    /// [`crate::TemplateEvidence::headline_months_differ`].
    pub months_differ: bool,
}

/// Reads both headlines once and what they say about the pair. `lexical`:
/// the tokens of each side inside lexical passages; `facts_differ`: a number
/// or a name of one whole text stands where the other has another
/// ([`crate::TemplateEvidence::whole`] substituted).
pub(crate) fn headline_evidence(
    a: &Side,
    b: &Side,
    al: &Alignment,
    lexical: (&[bool], &[bool]),
    facts_differ: bool,
) -> HeadlineEvidence {
    let (Some(ha), Some(hb)) = (headline(a), headline(b)) else {
        return HeadlineEvidence::default();
    };
    HeadlineEvidence {
        subjects_differ: subjects_differ_under_one_form(a, &ha, b, &hb, al, lexical, facts_differ),
        words: headline_words(a, &ha, b, &hb),
        months_differ: months_differ(a, &ha, b, &hb),
    }
}

/// The content words of the two headlines compared as sets (function words
/// and bracketed tickers left out): shared, and on one side only.
fn headline_words(a: &Side, ha: &Headline, b: &Side, hb: &Headline) -> crate::FactCounts {
    let content = |s: &Side, h: &Headline| {
        keys(
            s,
            h.tokens
                .iter()
                .filter(|&&(i, bracketed)| !bracketed && !s.stream.tokens[i].is_stop())
                .map(|&(i, _)| i),
        )
    };
    let (ka, kb) = (content(a, ha), content(b, hb));
    let shared = ka.intersection(&kb).count() as u32;
    crate::FactCounts {
        shared,
        only_a: ka.len() as u32 - shared,
        only_b: kb.len() as u32 - shared,
    }
}

/// Both wire headlines name a month and no month of one is a month of the
/// other ("BRAZIL TRADE SURPLUS RISES IN FEBRUARY" / "BRAZIL TRADE SURPLUS
/// FALLS SHARPLY IN MARCH"): reports of two periods.
fn months_differ(a: &Side, ha: &Headline, b: &Side, hb: &Headline) -> bool {
    let months = |s: &Side, h: &Headline| -> HashSet<String> {
        h.tokens
            .iter()
            .filter_map(|&(i, _)| {
                let w = word(s, i).to_lowercase();
                // the months of [`CALENDAR`], long and short, by their first
                // three letters
                CALENDAR[..MONTH_NAMES]
                    .contains(&w.as_str())
                    .then(|| w.chars().take(3).collect())
            })
            .collect()
    };
    let (ma, mb) = (months(a, ha), months(b, hb));
    !ma.is_empty() && !mb.is_empty() && ma.is_disjoint(&mb)
}

/// Lowercase letters and digits of a word, without dots and apostrophes
/// ("J.P." → "jp", "INT'L" → "intl").
fn letters(word: &str) -> Vec<char> {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether two words may be one name spelled two ways: equal but for dots and
/// apostrophes ("J.P." / "JP"), one the other's prefix ("PURCH" / "PURCHASE"),
/// a small edit ("SVEECO" / "VEECO"), or an abbreviation: the shorter, written
/// with a dot or an apostrophe or of at most three letters, starts like the
/// longer and spells a subsequence of it ("INT'L" / "INTERNATIONAL", "S." /
/// "SOUTH").
pub(crate) fn spelling_variant(x: &str, y: &str) -> bool {
    let (lx, ly) = (letters(x), letters(y));
    if lx.is_empty() || ly.is_empty() {
        return false;
    }
    if lx.starts_with(&ly) || ly.starts_with(&lx) {
        return true;
    }
    let shortest = lx.len().min(ly.len());
    let d = crate::drift::edit_distance(&lx, &ly);
    if (d <= 1 && shortest >= 3) || (d <= 2 && shortest >= 6) {
        return true;
    }
    let ((short, short_word), long) = if lx.len() <= ly.len() {
        ((&lx, x), &ly)
    } else {
        ((&ly, y), &lx)
    };
    let marked = short_word.contains(['.', '\'']) || short.len() <= 3;
    let mut rest = long.iter();
    marked && short[0] == long[0] && short.iter().all(|c| rest.any(|l| l == c))
}

/// Keys of every token of a side.
fn vocabulary(side: &Side) -> HashSet<u64> {
    side.stream.tokens.iter().map(|t| t.key).collect()
}

/// Whether token `i` is a name in running text: capitalized, not a function
/// word, a number, "I" or a calendar word, not the first word of its sentence
/// nor the first after a colon ("NOTE: Company 81.4 pct owned …"), in a
/// sentence not set in capitals.
fn body_name(side: &Side, i: usize) -> bool {
    let stream = side.stream;
    let t = &stream.tokens[i];
    if !t.flags.contains(TokenFlags::CAPITALIZED)
        || t.flags.contains(TokenFlags::NUMBER)
        || t.is_stop()
    {
        return false;
    }
    let word = &side.text[t.span.range()];
    if word == "I" || CALENDAR.contains(&word.to_lowercase().as_str()) {
        return false;
    }
    // sentences are in text order: the first one ending after `i`
    let at = stream.sentences.partition_point(|s| s.tokens.end <= i);
    let Some(s) = stream.sentences.get(at).filter(|s| s.tokens.contains(&i)) else {
        return false;
    };
    if i == s.tokens.start || mostly_capitals(&side.text[s.span.range()]) {
        return false;
    }
    let before = side.text[s.span.start()..t.span.start()].trim_end();
    !before.ends_with(':')
}

/// Keys of the tokens that are names in running text outside the headline.
fn body_names(side: &Side, headline: usize) -> HashSet<u64> {
    let stream = side.stream;
    let skip = stream.sentences[headline].tokens.clone();
    (0..stream.tokens.len())
        .filter(|i| !skip.contains(i) && body_name(side, *i))
        .map(|i| stream.tokens[i].key)
        .collect()
}

/// A headline's subject: its words from `start` (past the words both
/// headlines open with) before the first word the other headline has, a
/// bracketed word or a function word; `None` unless it ends at a shared or
/// bracketed word, holds one to [`MAX_SUBJECT_TOKENS`] words and a word that
/// is not a number. Returns the token positions in the headline.
fn subject(
    side: &Side,
    h: &Headline,
    start: usize,
    other: &HashSet<u64>,
) -> Option<std::ops::Range<usize>> {
    for (n, &(i, bracketed)) in h.tokens.iter().enumerate().skip(start) {
        let t = &side.stream.tokens[i];
        if bracketed || other.contains(&t.key) {
            let words = h.tokens[start..n]
                .iter()
                .any(|&(j, _)| !side.stream.tokens[j].flags.contains(TokenFlags::NUMBER));
            return (words && n - start <= MAX_SUBJECT_TOKENS).then_some(start..n);
        }
        if t.is_stop() {
            return None;
        }
    }
    None
}

fn keys(side: &Side, tokens: impl Iterator<Item = usize>) -> HashSet<u64> {
    tokens.map(|i| side.stream.tokens[i].key).collect()
}

fn word<'a>(side: &'a Side, i: usize) -> &'a str {
    &side.text[side.stream.tokens[i].span.range()]
}

/// No word of `xs` (on `a`) is a spelling of a word of `ys` (on `b`). Subjects
/// are compared by their first words, the distinctive ones: "INT'L" /
/// "INTERNATIONAL" and "J.P." / "JP" are one name, while "CO" / "CORP" after
/// two company names is a suffix.
fn unrelated(a: &Side, xs: &[usize], b: &Side, ys: &[usize]) -> bool {
    !xs.iter()
        .any(|&x| ys.iter().any(|&y| spelling_variant(word(a, x), word(b, y))))
}

/// The headlines open with different subjects (the first test of the module
/// documentation).
fn subjects_differ(
    (a, ha, va): (&Side, &Headline, &HashSet<u64>),
    (b, hb, vb): (&Side, &Headline, &HashSet<u64>),
    facts_differ: bool,
) -> bool {
    let bracketed =
        |s: &Side, h: &Headline| keys(s, h.tokens.iter().filter(|(_, br)| *br).map(|&(i, _)| i));
    if !bracketed(a, ha).is_disjoint(&bracketed(b, hb)) {
        return false;
    }
    let all = |s: &Side, h: &Headline| keys(s, h.tokens.iter().map(|&(i, _)| i));
    let (ka, kb) = (all(a, ha), all(b, hb));
    // the words both headlines open with ("SIOUX FALLS" of "SIOUX FALLS HOGS
    // SEEN UP" / "SIOUX FALLS CATTLE SEEN UP") are the form's, not the subject
    let key = |s: &Side, i: usize| s.stream.tokens[i].key;
    let start = ha
        .tokens
        .iter()
        .zip(&hb.tokens)
        .take_while(|(&(i, _), &(j, _))| key(a, i) == key(b, j))
        .count();
    // a word swapped after a shared opening may be a rewording ("NO TAX HIKE
    // COMPROMISE" / "NO TAX RISE COMPROMISE" over one text): there the texts
    // must also differ in a figure or a name
    if start > 0 && !facts_differ {
        return false;
    }
    let (Some(ra), Some(rb)) = (subject(a, ha, start, &kb), subject(b, hb, start, &ka)) else {
        return false;
    };
    let token_list = |h: &Headline, r: &std::ops::Range<usize>| {
        h.tokens[r.clone()]
            .iter()
            .map(|&(i, _)| i)
            .collect::<Vec<_>>()
    };
    let (sa, sb) = (token_list(ha, &ra), token_list(hb, &rb));
    let absent = |s: &Side, subject: &[usize], other: &HashSet<u64>| {
        subject
            .iter()
            .all(|&i| !other.contains(&s.stream.tokens[i].key))
    };
    if !absent(a, &sa, vb) || !absent(b, &sb, va) || !unrelated(a, &sa[..1], b, &sb[..1]) {
        return false;
    }
    let rest = |s: &Side, h: &Headline, r: &std::ops::Range<usize>| {
        keys(
            s,
            h.tokens
                .iter()
                .enumerate()
                .filter(|&(n, &(i, br))| !r.contains(&n) && !br && !s.stream.tokens[i].is_stop())
                .map(|(_, &(i, _))| i),
        )
    };
    let (rest_a, rest_b) = (rest(a, ha, &ra), rest(b, hb, &rb));
    let shorter = rest_a.len().min(rest_b.len());
    if shorter == 0 {
        return false;
    }
    let shared: HashSet<u64> = rest_a.intersection(&rest_b).copied().collect();
    if (shared.len() as f64) < MIN_REST_AGREEMENT * shorter as f64 {
        return false;
    }
    let (na, nb) = (body_names(a, ha.sentence), body_names(b, hb.sentence));
    !shared.iter().any(|k| na.contains(k) && nb.contains(k))
}

/// Names in `region` of `side` (outside boilerplate) that the other document
/// never uses (`other`), and, when `headline` is given, that it holds.
fn names_alone(
    side: &Side,
    region: &[bool],
    headline: Option<&Headline>,
    other: &HashSet<u64>,
) -> Vec<usize> {
    let in_headline = headline.map(|h| keys(side, h.tokens.iter().map(|&(i, _)| i)));
    let masked = side.stream.overlapping(side.boilerplate);
    (0..side.stream.tokens.len())
        .filter(|&i| {
            let k = side.stream.tokens[i].key;
            region[i]
                && !masked[i]
                && in_headline.as_ref().is_none_or(|h| h.contains(&k))
                && !other.contains(&k)
                && body_name(side, i)
        })
        .collect()
}

/// Each of `xs` (on `a`) and `ys` (on `b`) holds a name that is no spelling of
/// a name of the other.
fn names_differ(a: &Side, xs: &[usize], b: &Side, ys: &[usize]) -> bool {
    let alone = |s: &Side, xs: &[usize], t: &Side, ys: &[usize]| {
        xs.iter()
            .any(|&x| !ys.iter().any(|&y| spelling_variant(word(s, x), word(t, y))))
    };
    alone(a, xs, b, ys) && alone(b, ys, a, xs)
}

/// Whether the two sides, each under its headline, are wire items about
/// different subjects under one form (see the module documentation).
fn subjects_differ_under_one_form(
    a: &Side,
    ha: &Headline,
    b: &Side,
    hb: &Headline,
    al: &Alignment,
    (ia, ib): (&[bool], &[bool]),
    facts_differ: bool,
) -> bool {
    let all = |pick: fn(&whence_core::Passage) -> whence_core::Span| {
        al.passages.iter().map(pick).collect::<Vec<_>>()
    };
    // the shared text is the form, not a sentence two stories share: it
    // holds both leads (paraphrase passages count: a form's lead reworded),
    // or it names other parties on each side (the closing sentence of two
    // debenture notices, "Bear Stearns and Ladenburg Thalmann co-managed the
    // deal" / "Merrill Lynch … and Salomon Brothers Inc co-managed the deal");
    // a background sentence that two stories on two banks share is neither
    let holds_lead = |s: &Side, spans: &[whence_core::Span]| {
        let inside = s.stream.overlapping(spans);
        lead_tokens(s).is_some_and(|mut l| l.any(|i| inside[i]))
    };
    let leads = holds_lead(a, &all(|p| p.a)) && holds_lead(b, &all(|p| p.b));
    let (va, vb) = (vocabulary(a), vocabulary(b));
    let parties = || {
        names_differ(
            a,
            &names_alone(a, ia, None, &vb),
            b,
            &names_alone(b, ib, None, &va),
        )
    };
    if !leads && !parties() {
        return false;
    }
    if subjects_differ((a, ha, &va), (b, hb, &vb), facts_differ) {
        return true;
    }
    // names of each headline in the sentences of the shared text ("… the
    // common stock of Lawrence Insurance Group Inc" / "… of American Land
    // Cruisers Inc", the passage ending before the names)
    let (ra, rb) = (sentence_region(a, ia), sentence_region(b, ib));
    names_differ(
        a,
        &names_alone(a, &ra, Some(ha), &vb),
        b,
        &names_alone(b, &rb, Some(hb), &va),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_broken_at_a_capitalized_line_start_runs_to_its_full_stop() {
        let text = "FIRST DENTON <FDN> RAISES PRIME RATE\n\nFirst Denton Corp said its First\nNational Bank of Denton raised its prime rate to 7-3/4 pct.\n    It said the change was effective immediately.\n";
        let stream = whence_text::analyze(text);
        let side = Side::new(text, &stream, &[]);
        let lead = lead_tokens(&side).expect("a lead");
        let words: Vec<&str> = lead.map(|i| &text[stream.tokens[i].span.range()]).collect();
        assert_eq!(words.first(), Some(&"First"));
        assert_eq!(words.last(), Some(&"pct"));
        assert!(words.contains(&"prime"), "{words:?}");
        assert!(!words.contains(&"effective"), "{words:?}");
        let h = headline(&side).expect("a headline");
        let first = &text[stream.tokens[h.tokens[0].0].span.range()];
        assert_eq!(first, "FIRST");
        assert!(h
            .tokens
            .iter()
            .any(|&(i, bracketed)| bracketed && &text[stream.tokens[i].span.range()] == "FDN"));
    }

    #[test]
    fn wire_prefixes_are_not_the_subject() {
        let text =
            "CORRECTED - RPT - ELMSFORD HOGS SEEN STEADY\n\nHog prices are expected steady.\n";
        let stream = whence_text::analyze(text);
        let side = Side::new(text, &stream, &[]);
        let h = headline(&side).expect("a headline");
        assert_eq!(&text[stream.tokens[h.tokens[0].0].span.range()], "ELMSFORD");
        // a body in capitals is no headline
        let shout = "HOG PRICES ARE EXPECTED STEADY ON ESTIMATED RECEIPTS OF 1,500 HEAD, PRIVATE SOURCES SAID, WITH THE TOP SEEN AT 50.00 DLRS PER CWT AND SOME DEALERS EXPECTING A FIRMER MARKET LATER IN THE WEEK";
        let stream = whence_text::analyze(shout);
        assert!(headline(&Side::new(shout, &stream, &[])).is_none());
    }

    #[test]
    fn spellings_and_abbreviations() {
        for (x, y) in [
            ("J.P.", "JP"),
            ("INT'L", "INTERNATIONAL"),
            ("S.", "SOUTH"),
            ("Sveeco", "Veeco"),
            ("Braodcasting", "Broadcasting"),
            ("PURCH", "PURCHASE"),
        ] {
            assert!(spelling_variant(x, y), "{x} / {y}");
            assert!(spelling_variant(y, x), "{y} / {x}");
        }
        for (x, y) in [
            ("ST", "KANSAS"),
            ("ST", "SIOUX"),
            ("Massachusetts", "California"),
            ("UK", "US"),
            ("Sun", "Exxon"),
            ("NL", "DST"),
        ] {
            assert!(!spelling_variant(x, y), "{x} / {y}");
        }
    }
}
