//! Boilerplate inside one plain-text document, from line and block features.
//!
//! Each non-blank line gets a class:
//! - **chrome**: a call to action or site furniture — app downloads, newsletters,
//!   "Stay Connected", follow/share buttons, cookie notices, copyright, "Published in X"
//!   lines, "Advertisement", "Read more", link lists such as `Home | World | Sport`;
//! - **date**: a line that is only a date ("Updated 19 Apr, 2024", "2015-10-02");
//! - **title**: a short line without sentence punctuation (≤ 8 words);
//! - **teaser**: a line cut off with "..." / "…";
//! - **text**: anything else.
//!
//! Flagged:
//! 1. every chrome line, wherever it is;
//! 2. dates that announce themselves ("Updated …", "Published …", "Posted …");
//! 3. the **tail region**: walking back from the end, the longest run of chrome, date,
//!    teaser and title lines (titles and text lines only when a date is close, as in a
//!    "headline / date / teaser" list), when it holds at least one chrome line or two
//!    dates;
//! 4. navigation blocks: a paragraph of at least five one-to-three-word lines.
//!
//! Conservative by construction: a text line is flagged only inside a tail region next
//! to a dated headline, and a line quoting someone is never chrome.

use whence_core::Span;

/// A line of the text with its byte span (without the newline).
#[derive(Clone, Copy, Debug)]
struct Line<'a> {
    span: Span,
    text: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Chrome,
    /// A date with a year ("19 Apr, 2024").
    Date,
    /// A date without a year ("Apr 19"): counts as a date only next to chrome.
    ShortDate,
    /// A date line that names itself ("Updated 19 Apr, 2024").
    StampedDate,
    Title,
    Teaser,
    Text,
}

/// Month names and their abbreviations.
pub(crate) const MONTHS: &[&str] = &[
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DATE_WORDS: &[&str] = &[
    "updated",
    "published",
    "posted",
    "last",
    "on",
    "at",
    "am",
    "pm",
    "gmt",
    "utc",
    "ist",
    "pkt",
    "est",
    "edt",
    "bst",
    "cet",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "ago",
    "hours",
    "hour",
    "minutes",
    "days",
    "day",
    "th",
    "st",
    "nd",
    "rd",
    "of",
];

/// True for a line that is only a date, possibly with a stamp word and a time.
fn date_kind(line: &str) -> Option<Kind> {
    // a byte count over 4 × 60 is surely over 60 characters
    if line.len() > 240 || line.chars().count() > 60 {
        return None;
    }
    let lower = line.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '|' | '-' | '/' | '.' | ':' | '(' | ')')
        })
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 9 {
        return None;
    }
    let mut digits = 0;
    let mut month = false;
    let mut year = false;
    for w in &words {
        let alpha = w.trim_end_matches(['s']);
        if w.chars().all(|c| c.is_ascii_digit()) {
            // A day, a year or a clock time; other numbers are data ("May 6765").
            let n: u32 = w.parse().unwrap_or(u32::MAX);
            if !(n <= 31 || (1900..=2100).contains(&n) || (w.len() == 2 && n < 60)) {
                return None;
            }
            if (1900..=2100).contains(&n) {
                year = true;
            }
            digits += 1;
        } else if MONTHS.contains(w) {
            month = true;
        } else if let Some(num) = w
            .strip_suffix("st")
            .or_else(|| w.strip_suffix("nd"))
            .or_else(|| w.strip_suffix("rd"))
            .or_else(|| w.strip_suffix("th"))
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        {
            let _ = num;
            digits += 1;
        } else if !(DATE_WORDS.contains(w) || DATE_WORDS.contains(&alpha)) {
            return None;
        }
    }
    // "19 Apr, 2024", "October 2nd, 2015", "2015-10-02" (three numbers).
    if !((month && digits >= 1) || digits >= 3) {
        return None;
    }
    // "Updated 19 Apr, 2024"; a lower-case "published on April 6." continues a sentence.
    let stamped = line
        .trim_start()
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
        && ["updated", "published", "posted", "last updated"]
            .iter()
            .any(|s| lower.trim_start().starts_with(s));
    Some(if stamped {
        Kind::StampedDate
    } else if year {
        Kind::Date
    } else {
        Kind::ShortDate
    })
}

/// Patterns that make a line chrome wherever they occur (lines of ≤ 15 words), matched
/// on word boundaries.
const CTA_ANYWHERE: &[&[&str]] = &[
    &["get the", "app"],
    &["download the", "app"],
    &["download our", "app"],
    &["app store", "google play"],
    &["we use cookies"],
    &["uses cookies"],
    &["use of cookies"],
    &["accept cookies"],
    &["cookie policy"],
    &["cookie settings"],
    &["all rights reserved"],
    &["subscribe to our newsletter"],
    &["sign up for our newsletter"],
    &["sign up to our newsletter"],
    &["sign up for the", "newsletter"],
    &["subscribe to our", "channel"],
    &["follow us on"],
    &["like us on facebook"],
    &["share this article"],
    &["share this story"],
    &["share on facebook"],
    &["share on twitter"],
    &["click here to"],
    &["on a mobile phone?"],
    &["join our", "channel"],
    &["stay connected"],
];

/// Line starts that make a line chrome (lines of ≤ 12 words).
const CTA_PREFIX: &[&str] = &[
    "published in ",
    "first published ",
    "originally published ",
    "this article first appeared",
    "this article originally appeared",
    "this story first appeared",
    "this article was originally published",
    "copyright ",
    "© ",
    "read more:",
    "read more at",
    "also read:",
    "see also:",
    "related:",
    "advertisement",
    "sponsored",
    "skip to ",
];

/// Whole lines (after stripping punctuation, lower case) that are chrome.
const CTA_EXACT: &[&str] = &[
    "stay connected",
    "advertisement",
    "read more",
    "read next",
    "related",
    "related articles",
    "related stories",
    "related news",
    "more stories",
    "more from",
    "most popular",
    "most read",
    "most viewed",
    "trending",
    "trending now",
    "latest news",
    "comments",
    "leave a comment",
    "post a comment",
    "share",
    "share this",
    "share this article",
    "share article",
    "tweet",
    "print",
    "email",
    "facebook",
    "twitter",
    "whatsapp",
    "linkedin",
    "subscribe",
    "sign up",
    "sign in",
    "log in",
    "menu",
    "search",
    "newsletter",
    "follow us",
    "privacy policy",
    "terms of use",
    "terms and conditions",
    "contact us",
    "about us",
    "back to top",
    "next article",
    "previous article",
    "load more",
    "see all",
    "show more",
    "skip to content",
    "skip to main content",
    "you may also like",
    "recommended",
    "recommended for you",
    "top stories",
    "more on this story",
];

fn is_quote(line: &str) -> bool {
    line.contains(['“', '”', '"', '«', '»'])
}

fn words_of(line: &str) -> usize {
    line.split_whitespace().count()
}

/// True when `needle` occurs in `hay` on word boundaries ("app" is not in "apple").
fn contains_words(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let (s, e) = (from + i, from + i + needle.len());
        let before = hay[..s]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = hay[e..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            return true;
        }
        from = s + hay[s..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Words of a line beyond which no phrase rule of [`is_chrome`] applies (only
/// the link-list one), so the line is not lower-cased.
const MAX_PHRASE_LINE_WORDS: usize = 25;

fn is_chrome(line: &str) -> bool {
    let trimmed = line.trim();
    let words = words_of(trimmed);
    if words == 0 {
        return false;
    }
    let sentence_end = trimmed.ends_with(['.', '!', '?', '"', '”']);
    if is_quote(trimmed) && sentence_end {
        return false;
    }
    // A line that starts in lower case continues a wrapped sentence.
    if trimmed.chars().next().is_some_and(char::is_lowercase) {
        return false;
    }
    if words <= MAX_PHRASE_LINE_WORDS && phrase_chrome(trimmed, words) {
        return true;
    }
    // Link lists: "Home | World | Sport | Business".
    let segs: Vec<&str> = trimmed.split(['|', '•', '·']).map(str::trim).collect();
    if (segs.len() >= 4 && segs.iter().all(|s| words_of(s) <= 4))
        || (segs.len() == 3 && segs.iter().all(|s| (1..=3).contains(&words_of(s))) && !sentence_end)
    {
        return true;
    }
    false
}

/// The phrase rules of [`is_chrome`] on a trimmed line of `words` words (at
/// most [`MAX_PHRASE_LINE_WORDS`]): calls to action, copyright lines.
fn phrase_chrome(trimmed: &str, words: usize) -> bool {
    let lower = trimmed.to_lowercase();
    if words <= 6 && !trimmed.ends_with('.') {
        let bare: String = lower
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if CTA_EXACT.contains(&bare.as_str()) {
            return true;
        }
    }
    if words <= 12 && CTA_PREFIX.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    if trimmed.starts_with('©') {
        return true;
    }
    // "(c) 2024 Example Media" but not "(C) - Sales made on ...".
    if let Some(rest) = lower.strip_prefix("(c) ") {
        let year = rest
            .split_whitespace()
            .next()
            .and_then(|w| w.parse::<u32>().ok());
        if year.is_some_and(|y| (1900..=2100).contains(&y)) {
            return true;
        }
    }
    words <= 15
        && CTA_ANYWHERE
            .iter()
            .any(|pats| pats.iter().all(|p| contains_words(&lower, p)))
}

fn classify(line: &str) -> Kind {
    let t = line.trim();
    if is_chrome(t) {
        return Kind::Chrome;
    }
    if let Some(k) = date_kind(t) {
        return k;
    }
    if t.ends_with("...") || t.ends_with('…') {
        return Kind::Teaser;
    }
    let w = words_of(t);
    if w <= 8 && !t.ends_with(['.', '!', '?', ':', ';', ',', '"', '”']) && !is_quote(t) {
        return Kind::Title;
    }
    Kind::Text
}

/// A navigation item: one to three words, no digits, capitalised.
fn nav_item(line: &str, kind: Kind) -> bool {
    let t = line.trim();
    kind == Kind::Title
        && words_of(t) <= 3
        && !t.contains(|c: char| c.is_ascii_digit())
        && t.chars().next().is_some_and(char::is_uppercase)
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let end = start + piece.len();
        let body = piece.trim_end_matches(['\n', '\r']);
        out.push(Line {
            span: Span::new(start, start + body.len()),
            text: body,
        });
        start = end;
    }
    out
}

/// Spans of boilerplate in one plain-text document: sorted, disjoint, on character
/// boundaries. The text is not modified.
///
/// ```
/// let text = "A real paragraph of the article, long enough to be text.\n\nStay Connected";
/// let spans = whence_extract::detect_boilerplate(text);
/// assert_eq!(spans.len(), 1);
/// assert_eq!(&text[spans[0].range()], "Stay Connected");
/// ```
pub fn detect_boilerplate(text: &str) -> Vec<Span> {
    let all = lines(text);
    // Non-blank lines with their class; blank lines delimit paragraphs.
    let idx: Vec<usize> = (0..all.len())
        .filter(|&i| !all[i].text.trim().is_empty())
        .collect();
    let kinds: Vec<Kind> = idx.iter().map(|&i| classify(all[i].text)).collect();
    let mut flagged = vec![false; idx.len()];
    let is_date = |k: Kind| matches!(k, Kind::Date | Kind::StampedDate);
    let date_near = |j: usize, back: usize, fwd: usize| -> bool {
        let lo = j.saturating_sub(back);
        let hi = (j + fwd).min(kinds.len().saturating_sub(1));
        (lo..=hi).any(|k| k != j && is_date(kinds[k]))
    };

    for (j, k) in kinds.iter().enumerate() {
        if matches!(k, Kind::Chrome | Kind::StampedDate) {
            flagged[j] = true;
        }
    }

    // Tail region.
    let mut start = kinds.len();
    let (mut chrome, mut dates, mut titles) = (0, 0, 0);
    while start > 0 {
        let j = start - 1;
        let ok = match kinds[j] {
            Kind::Chrome => {
                chrome += 1;
                true
            }
            Kind::Date | Kind::StampedDate => {
                dates += 1;
                true
            }
            Kind::ShortDate => chrome > 0,
            Kind::Teaser => date_near(j, 3, 3),
            Kind::Title => {
                let near =
                    date_near(j, 3, 3) && !all[idx[j]].text.contains(|c: char| c.is_ascii_digit());
                titles += usize::from(near);
                near
            }
            Kind::Text => {
                // A teaser sentence followed by the next "title / date" item.
                let next = |d: usize| kinds.get(j + d).copied();
                dates > 0
                    && (next(1).is_some_and(is_date)
                        || (next(1) == Some(Kind::Title) && next(2).is_some_and(is_date)))
            }
        };
        if !ok {
            break;
        }
        start = j;
    }
    if dates >= 2 && titles >= 2 && (chrome >= 1 || kinds.len() - start >= 6) {
        for f in &mut flagged[start..] {
            *f = true;
        }
    }

    // Navigation blocks: ≥ 5 consecutive lines of 1–3 words inside one paragraph.
    let mut run_start = 0;
    for j in 0..=idx.len() {
        let continues = j < idx.len()
            && j > run_start
            && idx[j] == idx[j - 1] + 1
            && nav_item(all[idx[j]].text, kinds[j]);
        let starts = j < idx.len() && nav_item(all[idx[j]].text, kinds[j]);
        if !continues {
            if j - run_start >= 5 {
                for f in &mut flagged[run_start..j] {
                    *f = true;
                }
            }
            run_start = if starts { j } else { j + 1 };
        }
    }

    // Spans: flagged lines, merged across the blank lines between them.
    let mut spans: Vec<Span> = Vec::new();
    for (j, &i) in idx.iter().enumerate() {
        if !flagged[j] {
            continue;
        }
        let line = all[i];
        let trimmed_start = line.span.start() + (line.text.len() - line.text.trim_start().len());
        let trimmed_end = line.span.start() + line.text.trim_end().len();
        let s = Span::new(trimmed_start, trimmed_end);
        match spans.last_mut() {
            Some(last)
                if j > 0 && flagged[j - 1] && text[last.end()..s.start()].trim().is_empty() =>
            {
                *last = last.cover(s);
            }
            _ => spans.push(s),
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(text: &str) -> Vec<&str> {
        detect_boilerplate(text)
            .iter()
            .map(|s| &text[s.range()])
            .collect()
    }

    const ARTICLE: &str = "Ships Left the Harbour at Dawn\n\nThe fishing fleet left the harbour before sunrise on Tuesday, the port authority said, after three days of storms kept the boats tied up.\n\n\u{201c}We lost a week of work,\u{201d} said one captain.\n\nPrices at the market rose sharply.\n";

    #[test]
    fn plain_article_has_no_boilerplate() {
        assert!(flagged(ARTICLE).is_empty(), "{:?}", flagged(ARTICLE));
    }

    #[test]
    fn stay_connected_tail() {
        let text = format!("{ARTICLE}\nStay Connected");
        assert_eq!(flagged(&text), vec!["Stay Connected"]);
    }

    #[test]
    fn dated_headline_list_tail() {
        let text = format!(
            "{ARTICLE}\nPublished in The Harbour Times March 3rd, 2021\n\nOn a mobile phone? Get the Harbour App: Apple Store | Google Play\n\nOpinion\n\nHigh tide\nUpdated 19 Apr, 2024\n\nHigh tide\n\nThe council should act before the next storm arrives.\nLow water\n19 Apr, 2024\n\nLow water\n\nAFTER several days of rain, the river rose to...\n"
        );
        let f = flagged(&text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].starts_with("Published in The Harbour Times"));
        assert!(f[0].ends_with("the river rose to..."));
    }

    #[test]
    fn quotes_and_sentences_are_not_chrome() {
        for line in [
            "\u{201c}Follow us on the road,\u{201d} the officer told the crowd.",
            "The company said it would publish the figures in March.",
            "Share prices fell 3% on Monday.",
            "He declined to comment.",
        ] {
            let text = format!("{ARTICLE}\n{line}\n");
            assert!(flagged(&text).is_empty(), "{line}: {:?}", flagged(&text));
        }
    }

    #[test]
    fn chrome_lines_and_link_lists() {
        let text = "Home | World | Business | Sport | Culture\n\nThe minister resigned on Friday after a week of protests in the capital, aides said.\n\nAdvertisement\n\nThe vote is due next month.\n\n© 2024 Example Media. All rights reserved.";
        assert_eq!(
            flagged(text),
            vec![
                "Home | World | Business | Sport | Culture",
                "Advertisement",
                "© 2024 Example Media. All rights reserved."
            ]
        );
    }

    #[test]
    fn navigation_block() {
        let text = "Home\nWorld\nBusiness\nSport\nCulture\nWeather\n\nThe minister resigned on Friday after a week of protests in the capital, aides said.";
        assert_eq!(
            flagged(text),
            vec!["Home\nWorld\nBusiness\nSport\nCulture\nWeather"]
        );
    }

    #[test]
    fn wrapped_lines_are_not_chrome() {
        let text = "The wire service said the figures were\npublished on April 6.\n(C) - Sales made on exporters' own account.\nshare.\n";
        assert!(flagged(text).is_empty(), "{:?}", flagged(text));
        assert!(!is_chrome(
            "Ipod owners can now download the Band Aid single from iTunes after Apple"
        ));
        assert!(is_chrome("Privacy Policy | Terms of Use | Contact"));
        assert!(is_chrome("(c) 2019 Example Media"));
    }

    #[test]
    fn dates() {
        assert_eq!(date_kind("Updated 19 Apr, 2024"), Some(Kind::StampedDate));
        assert_eq!(date_kind("19 Apr, 2024"), Some(Kind::Date));
        assert_eq!(date_kind("October 2nd, 2015"), Some(Kind::Date));
        assert_eq!(date_kind("2015-10-02"), Some(Kind::Date));
        assert_eq!(date_kind("May the best team win"), None);
        assert_eq!(date_kind("Apr 19"), Some(Kind::ShortDate));
        assert_eq!(date_kind("May 6765"), None);
        assert_eq!(date_kind("The 2015 season"), None);
    }

    #[test]
    fn spans_are_valid_on_any_text() {
        for text in [
            "",
            "\n\n\n",
            "é\n© ü",
            "Stay Connected",
            "Home\r\nWorld\r\n",
            "…\n1 2 3",
        ] {
            let spans = detect_boilerplate(text);
            for w in spans.windows(2) {
                assert!(w[0].end() <= w[1].start());
            }
            for s in spans {
                assert!(Span::checked(text, s.start(), s.end()).is_ok());
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_valid_spans(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[a-zA-Zé0-9 ,.|…“”]{0,40}").unwrap(),
                    proptest::sample::select(vec![
                        "\n".to_string(), "\n\n".to_string(), "Stay Connected".to_string(),
                        "Updated 19 Apr, 2024".to_string(), "19 Apr, 2024".to_string(),
                        "Home".to_string(), "© 2020 X".to_string(), "\r\n".to_string(),
                    ]),
                ],
                0..40,
            )
        ) {
            let text: String = parts.concat();
            let spans = detect_boilerplate(&text);
            for w in spans.windows(2) {
                proptest::prop_assert!(w[0].end() < w[1].start());
            }
            for s in spans {
                proptest::prop_assert!(Span::checked(&text, s.start(), s.end()).is_ok());
                proptest::prop_assert!(!s.is_empty());
            }
        }
    }
}
