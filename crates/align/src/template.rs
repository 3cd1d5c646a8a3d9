//! Templates: is the text two documents share a form filled with different facts?
//!
//! Two dividend notices ("Qtly div 19 cts vs 19 cts prior Pay March 31 Record
//! March 12" / "… 15 cts vs 15 cts …"), two issues of one recurring report ("The
//! Federal Reserve entered the market to arrange 2.5 billion dlrs …" / "… 1.5
//! billion dlrs …") or two filings in one legal formula share long stretches of
//! words, yet no text travelled between them: the words are the form, and the
//! facts in it — numbers, names, dates — are different. [`template_evidence`]
//! counts those facts in the sentences that hold the lexical passages of an
//! alignment, on each side, and how many of them the two sides share.
//!
//! Facts are number tokens (any digit) and names: capitalized words that are not
//! function words, not the first word of their sentence, not "I", and not in an
//! all-capitals sentence (a wire headline, whose every word is capitalized).
//! Tokens inside boilerplate are ignored. Facts are compared by matching key, as
//! a multiset: "19 cts vs 19 cts" against "15 cts vs 15 cts" is two numbers on
//! each side, none shared.

use std::collections::HashMap;

use whence_core::{Alignment, PassageKind, Span, TokenFlags};

use crate::Side;

/// Facts of one kind on both sides: how many the sides share (multiset
/// intersection by key) and how many are found on one side only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FactCounts {
    pub shared: u32,
    pub only_a: u32,
    pub only_b: u32,
}

impl FactCounts {
    /// Facts found on one side only.
    pub fn differing(&self) -> u32 {
        self.only_a + self.only_b
    }

    /// All facts counted on both sides (`2 · shared + differing`).
    pub fn total(&self) -> u32 {
        2 * self.shared + self.differing()
    }

    /// Share of the facts that the other side has too, in `[0, 1]`; `None`
    /// without facts.
    pub fn agreement(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| f64::from(2 * self.shared) / f64::from(total))
    }

    fn add(&mut self, other: FactCounts) {
        self.shared += other.shared;
        self.only_a += other.only_a;
        self.only_b += other.only_b;
    }
}

/// What the sentences around a pair's lexical passages say about a template.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TemplateEvidence {
    /// Numbers in the sentences holding lexical passages.
    pub numbers: FactCounts,
    /// Names in the sentences holding lexical passages.
    pub names: FactCounts,
    /// Numbers and names inside the lexical passages themselves.
    pub inside: FactCounts,
    /// Numbers inside the lexical passages: a table whose "NIL" entries the
    /// other side fills with figures has numbers on one side only.
    pub inside_numbers: FactCounts,
    /// Numbers and names of the whole texts (outside boilerplate): a figure
    /// changed next to the aligned text ("32 days 6.00 pct" under the same table
    /// heading) is substituted here.
    pub whole: FactCounts,
    /// The numbers of [`TemplateEvidence::whole`] alone.
    pub whole_numbers: FactCounts,
    /// Tokens of A inside lexical passages (outside boilerplate).
    pub lexical_tokens: u32,
    /// Of those, content words (not function words, not numbers).
    pub lexical_content: u32,
    /// Tokens of A (outside boilerplate) in the longest lexical passage.
    pub longest_lexical: u32,
    /// The most content words of one lexical passage on A: words outside
    /// boilerplate that are not function words, numbers or capitalized (names,
    /// titles, list entries), so a team sheet, a list of senators, a tweet
    /// signature or an attribution ("Tory co-chairman Liam Fox was speaking")
    /// has few.
    pub longest_content: u32,
    /// One lexical passage holds the lead sentence of both documents, yet the
    /// leads name different subjects, each with a word the other document
    /// never mentions ("Comerica Inc said it raised its prime rate to 7-3/4
    /// pct" / "First Chicago Corp said …"; "The Federal Home Loan Bank Board
    /// adjusted the rates …" / "The Federal Home Loan Mortgage Corp adjusted
    /// …"): the shared words are a form about two subjects.
    pub lead_subjects_differ: bool,
    /// Both documents open with a wire headline and the headlines name
    /// different subjects under one form: their leading words differ, each
    /// absent from the other document, while the rest of the headlines agree
    /// ("ST LOUIS HOGS SEEN STEADY" / "KANSAS CITY HOGS SEEN STEADY"), or
    /// each side's shared text holds a name of its own headline that the
    /// other document never uses ("Franklin Massachusetts Insured Tax-Free
    /// Income Fund" / "Franklin California …"). See the `headline` module.
    pub headline_subjects_differ: bool,
    /// Content words of the two wire headlines, compared as sets (all zero
    /// unless both texts open with a headline in capitals): two issues of one
    /// recurring report carry one headline ("BANK OF JAPAN TO SELL 800
    /// BILLION YEN IN BILLS" on two days).
    pub headline_words: FactCounts,
    /// Both wire headlines name a month, none the same ("… RISES IN
    /// FEBRUARY" / "… FALLS SHARPLY IN MARCH"): reports of two periods.
    pub headline_months_differ: bool,
}

impl TemplateEvidence {
    /// Numbers and names of the passage sentences together.
    pub fn facts(&self) -> FactCounts {
        let mut all = self.numbers;
        all.add(self.names);
        all
    }
}

/// Which facts a token is, if any.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fact {
    Number,
    Name,
}

/// Number words a wire writes out ("six cts", "two billion dlrs"); "one" is left
/// out, being a pronoun as often as a number.
const NUMBER_WORDS: &[&str] = &[
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
];

/// One fact of a side: its kind, a comparison key and the token it starts at.
#[derive(Clone, Copy)]
struct FactToken {
    kind: Fact,
    key: u64,
    token: usize,
}

/// The facts of one side, in text order (boilerplate tokens are no facts). A
/// number written with separators and no spaces ("6-3/16", "11-20") is one fact.
fn facts_of(side: &Side) -> Vec<FactToken> {
    let tokens = &side.stream.tokens;
    let masked = side.stream.overlapping(side.boilerplate);
    let mut out = Vec::new();
    for s in &side.stream.sentences {
        let caps = all_capitals(&side.text[s.span.range()]);
        let mut i = s.tokens.start;
        while i < s.tokens.end {
            let t = &tokens[i];
            let word = &side.text[t.span.range()];
            if masked[i] {
                i += 1;
                continue;
            }
            if t.flags.contains(TokenFlags::NUMBER) {
                // join "6", "3", "16" of "6-3/16" into one number
                let mut end = i + 1;
                while end < s.tokens.end
                    && tokens[end].flags.contains(TokenFlags::NUMBER)
                    && !masked[end]
                    && matches!(
                        &side.text[tokens[end - 1].span.end()..tokens[end].span.start()],
                        "-" | "/" | "." | ","
                    )
                {
                    end += 1;
                }
                let text = &side.text[t.span.start()..tokens[end - 1].span.end()];
                out.push(FactToken {
                    kind: Fact::Number,
                    key: text_key(text),
                    token: i,
                });
                i = end;
                continue;
            }
            let lower = word.to_lowercase();
            if NUMBER_WORDS.contains(&lower.as_str()) {
                out.push(FactToken {
                    kind: Fact::Number,
                    key: text_key(&lower),
                    token: i,
                });
            } else if t.flags.contains(TokenFlags::CAPITALIZED)
                && !t.is_stop()
                && !caps
                && i != s.tokens.start
                && word != "I"
            {
                out.push(FactToken {
                    kind: Fact::Name,
                    key: t.key,
                    token: i,
                });
            }
            i += 1;
        }
    }
    out
}

/// A comparison key for a fact's text (within one process; never stored).
fn text_key(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// True when every letter of `s` is a capital (and it has at least two letters).
fn all_capitals(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        if !c.is_uppercase() {
            return false;
        }
        letters += 1;
    }
    letters >= 2
}

/// Multiset comparison of the facts of `kind` that start at tokens `take` selects.
fn compare(a: (&[FactToken], &[bool]), b: (&[FactToken], &[bool]), kind: &[Fact]) -> FactCounts {
    let mut bag: HashMap<u64, (u32, u32)> = HashMap::new();
    for (n, (facts, take)) in [a, b].into_iter().enumerate() {
        for f in facts
            .iter()
            .filter(|f| take[f.token] && kind.contains(&f.kind))
        {
            let e = bag.entry(f.key).or_default();
            if n == 0 {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }
    let mut c = FactCounts::default();
    for (x, y) in bag.into_values() {
        let s = x.min(y);
        c.shared += s;
        c.only_a += x - s;
        c.only_b += y - s;
    }
    c
}

/// Tokens of the sentences that hold any token of `inside`.
pub(crate) fn sentence_region(side: &Side, inside: &[bool]) -> Vec<bool> {
    let mut out = vec![false; inside.len()];
    for s in &side.stream.sentences {
        if s.tokens.clone().any(|i| inside[i]) {
            out[s.tokens.clone()].fill(true);
        }
    }
    out
}

/// True when `s` is set in capitals: at least two letters, at most one in ten
/// of them lowercase ("INTl AMERICAN HOMES <HOME> TO SELL CONVERTIBLES", a wire
/// headline with a stray lowercase letter).
pub(crate) fn mostly_capitals(s: &str) -> bool {
    let (mut upper, mut lower) = (0usize, 0usize);
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        if c.is_uppercase() {
            upper += 1;
        } else {
            lower += 1;
        }
    }
    upper + lower >= 2 && lower * 10 <= upper + lower
}

/// True for a headline word: at least two capitals and more capitals than
/// lowercase letters ("RAISES", "INTl", "U.S."; not "McDonald").
fn headline_word(s: &str) -> bool {
    let upper = s.chars().filter(|c| c.is_uppercase()).count();
    let lower = s.chars().filter(|c| c.is_lowercase()).count();
    upper >= 2 && upper > lower
}

/// The lead sentence of a side: its first sentence that is not set in
/// capitals and holds a token outside boilerplate (`masked`).
pub(crate) fn lead<'s>(side: &'s Side, masked: &[bool]) -> Option<&'s whence_core::Sentence> {
    side.stream.sentences.iter().find(|s| {
        s.tokens.clone().any(|i| !masked[i]) && !mostly_capitals(&side.text[s.span.range()])
    })
}

/// The lead of a side: the token range of its first sentence that is not set
/// in capitals and holds a token outside boilerplate, and the keys of the
/// first name in it: a run of capitalized words that are not function words,
/// numbers or "I", outside boilerplate, joined by "of", "and" or "&" ("Federal
/// Home Loan Bank Board", "Bank of Boston Corp"). A wire headline glued to its
/// lead (a leading run of at least three words in capitals, "COMERICA <CMCA>
/// RAISES PRIME RATE Comerica Inc said …") is skipped, giving "Comerica Inc".
/// The first word of the sentence is capitalized anyway, so it counts only
/// when it looks like a name: in capitals ("GAF Corp said …") or followed by
/// another capitalized content word ("Lockheed Corp's …", "Quaker Chemical
/// Corp said …"), not "Officials said".
fn lead_subject(side: &Side) -> Option<(std::ops::Range<usize>, Vec<u64>)> {
    let tokens = &side.stream.tokens;
    let masked = side.stream.overlapping(side.boilerplate);
    let s = lead(side, &masked)?;
    let word = |i: usize| &side.text[tokens[i].span.range()];
    let capitalized_content = |i: usize| {
        let t = &tokens[i];
        t.flags.contains(TokenFlags::CAPITALIZED)
            && !t.flags.contains(TokenFlags::NUMBER)
            && !t.is_stop()
    };
    let name = |i: usize| !masked[i] && capitalized_content(i) && word(i) != "I";
    let headline = s
        .tokens
        .clone()
        .take_while(|&i| headline_word(word(i)))
        .count();
    let start = if headline >= 3 {
        s.tokens.start + headline
    } else {
        s.tokens.start
    };
    let first = (start..s.tokens.end).find(|&i| {
        if !name(i) {
            return false;
        }
        if i == start {
            all_capitals(word(i)) || (i + 1 < s.tokens.end && name(i + 1))
        } else {
            true
        }
    })?;
    let mut subject = vec![tokens[first].key];
    let mut i = first + 1;
    while i < s.tokens.end {
        if name(i) {
            subject.push(tokens[i].key);
            i += 1;
        } else if matches!(word(i), "of" | "and" | "&") && i + 1 < s.tokens.end && name(i + 1) {
            i += 1;
        } else {
            break;
        }
    }
    Some((s.tokens.clone(), subject))
}

/// Whether one lexical passage of `al` covers both leads while the leads name
/// different subjects, each with a word absent from the other document (see
/// [`TemplateEvidence::lead_subjects_differ`]).
fn lead_subjects_differ(a: &Side, b: &Side, al: &Alignment) -> bool {
    let (Some((lead_a, subject_a)), Some((lead_b, subject_b))) = (lead_subject(a), lead_subject(b))
    else {
        return false;
    };
    let absent = |subject: &[u64], other: &Side| {
        subject
            .iter()
            .filter(|&&k| !other.stream.tokens.iter().any(|t| t.key == k))
            .count()
    };
    let (absent_a, absent_b) = (absent(&subject_a, b), absent(&subject_b, a));
    // the first names differ outright ("Comerica" / "First"), or the names
    // differ in two words or more on each side ("… Bank Board" / "… Mortgage
    // Corp"); one word apart is a spelling ("Taft Braodacasting Co" / "Taft
    // Broadacasting Co", "Broken Hill Proprietary" / "Broken Hill Pty")
    let first_differs = subject_a[0] != subject_b[0]
        && absent(&subject_a[..1], b) == 1
        && absent(&subject_b[..1], a) == 1;
    if !first_differs && (absent_a < 2 || absent_b < 2) {
        return false;
    }
    al.passages
        .iter()
        .filter(|p| p.kind != PassageKind::Paraphrase)
        .any(|p| {
            let (ia, ib) = (a.stream.overlapping(&[p.a]), b.stream.overlapping(&[p.b]));
            lead_a.clone().any(|i| ia[i]) && lead_b.clone().any(|i| ib[i])
        })
}

/// Counts the facts around the lexical (verbatim and edited) passages of `al`.
pub fn template_evidence(a: &Side, b: &Side, al: &Alignment) -> TemplateEvidence {
    let lexical = |f: fn(&whence_core::Passage) -> Span| -> Vec<Span> {
        let mut v: Vec<Span> = al
            .passages
            .iter()
            .filter(|p| p.kind != PassageKind::Paraphrase)
            .map(f)
            .collect();
        Span::merge_all(&mut v);
        v
    };
    let (la, lb) = (lexical(|p| p.a), lexical(|p| p.b));
    let (ia, ib) = (a.stream.overlapping(&la), b.stream.overlapping(&lb));
    let (fa, fb) = (facts_of(a), facts_of(b));
    let (ra, rb) = (sentence_region(a, &ia), sentence_region(b, &ib));
    let masked = a.stream.overlapping(a.boilerplate);
    let mut ev = TemplateEvidence {
        numbers: compare((&fa, &ra), (&fb, &rb), &[Fact::Number]),
        names: compare((&fa, &ra), (&fb, &rb), &[Fact::Name]),
        inside: compare((&fa, &ia), (&fb, &ib), &[Fact::Number, Fact::Name]),
        inside_numbers: compare((&fa, &ia), (&fb, &ib), &[Fact::Number]),
        whole: compare(
            (&fa, &vec![true; ia.len()]),
            (&fb, &vec![true; ib.len()]),
            &[Fact::Number, Fact::Name],
        ),
        whole_numbers: compare(
            (&fa, &vec![true; ia.len()]),
            (&fb, &vec![true; ib.len()]),
            &[Fact::Number],
        ),
        ..TemplateEvidence::default()
    };
    for p in al
        .passages
        .iter()
        .filter(|p| p.kind != PassageKind::Paraphrase)
    {
        let inside = a.stream.overlapping(&[p.a]);
        let n = (0..inside.len())
            .filter(|&i| inside[i] && !masked[i])
            .count();
        ev.longest_lexical = ev.longest_lexical.max(n as u32);
        let content = (0..inside.len())
            .filter(|&i| {
                let t = &a.stream.tokens[i];
                inside[i]
                    && !masked[i]
                    && !t.is_stop()
                    && !t.flags.contains(TokenFlags::NUMBER)
                    && !t.flags.contains(TokenFlags::CAPITALIZED)
            })
            .count();
        ev.longest_content = ev.longest_content.max(content as u32);
    }
    ev.lead_subjects_differ = lead_subjects_differ(a, b, al);
    let headlines = crate::headline::headline_evidence(
        a,
        b,
        al,
        (&ia, &ib),
        ev.whole.only_a.min(ev.whole.only_b) > 0,
    );
    ev.headline_subjects_differ = headlines.subjects_differ;
    ev.headline_words = headlines.words;
    ev.headline_months_differ = headlines.months_differ;
    for (i, t) in a.stream.tokens.iter().enumerate() {
        if ia[i] && !masked[i] {
            ev.lexical_tokens += 1;
            if !t.is_stop() && !t.flags.contains(TokenFlags::NUMBER) {
                ev.lexical_content += 1;
            }
        }
    }
    ev
}
