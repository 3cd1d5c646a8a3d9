//! Drift: what changed inside reused text — numbers, proper names, and who is said
//! to have said it.
//!
//! - **Numbers** and **names**: inside each edited or paraphrased passage, number
//!   tokens (names: capitalized, not sentence-initial, not function words) present on
//!   one side only are paired in order with those present on the other side only; a
//!   name pairs only with a similar-looking one ("Homs" / "Homo"), so that a rewrite
//!   that drops one name and adds another unrelated one is not called a change.
//! - **Attribution**: in the paragraph around each passage, speakers are found by
//!   the patterns "according to X", "X said/says/told/added/stated", and "…,” said X".
//!   When both sides name a speaker and no speaker of one side shares a content word
//!   with a speaker of the other, the pair is reported ("one of the sources" →
//!   "the official").

use whence_core::{Drift, DriftKind, Passage, PassageKind, Sentence, Span, Token, TokenFlags};

/// One side as drift detection sees it.
pub(crate) struct DriftSide<'a> {
    pub text: &'a str,
    pub tokens: &'a [Token],
    pub sentences: &'a [Sentence],
}

const SPEECH_VERBS: &[&str] = &[
    "said", "says", "told", "added", "stated", "claimed", "insisted", "warned",
];
const PRONOUNS: &[&str] = &[
    "he", "she", "they", "it", "we", "i", "you", "who", "which", "that",
];
const MAX_SPEAKER_TOKENS: usize = 6;

/// Drift found across all passages, sorted and without duplicates.
pub(crate) fn detect(a: &DriftSide, b: &DriftSide, passages: &[Passage]) -> Vec<Drift> {
    let mut out = Vec::new();
    for p in passages {
        if p.kind != PassageKind::Verbatim {
            changed_tokens(a, b, p, &mut out);
        }
        let (ra, rb) = (paragraph_of(a, p.a), paragraph_of(b, p.b));
        let (sa, sb) = (speakers(a, ra), speakers(b, rb));
        if !sa.is_empty()
            && !sb.is_empty()
            && !sa
                .iter()
                .any(|x| sb.iter().any(|y| same_speaker(a, b, x, y)))
        {
            out.push(Drift {
                kind: DriftKind::Attribution,
                a: sa[0].0,
                b: sb[0].0,
            });
        }
    }
    out.sort_by_key(|d| (d.a, d.b, d.kind));
    out.dedup();
    out
}

fn tokens_in(side: &DriftSide, span: Span) -> std::ops::Range<usize> {
    let lo = side
        .tokens
        .partition_point(|t| t.span.start() < span.start());
    let hi = side.tokens.partition_point(|t| t.span.end() <= span.end());
    lo..hi.max(lo)
}

fn sentence_initial(side: &DriftSide, idx: usize) -> bool {
    side.sentences.iter().any(|s| s.tokens.start == idx)
}

fn is_name(side: &DriftSide, idx: usize) -> bool {
    let t = &side.tokens[idx];
    t.flags.contains(TokenFlags::CAPITALIZED) && !t.is_stop() && !sentence_initial(side, idx)
}

fn changed_tokens(a: &DriftSide, b: &DriftSide, p: &Passage, out: &mut Vec<Drift>) {
    let (ta, tb) = (tokens_in(a, p.a), tokens_in(b, p.b));
    for kind in [DriftKind::Number, DriftKind::Name] {
        let pick = |side: &DriftSide, range: std::ops::Range<usize>| -> Vec<usize> {
            range
                .filter(|&i| match kind {
                    DriftKind::Number => side.tokens[i].flags.contains(TokenFlags::NUMBER),
                    _ => is_name(side, i) && !side.tokens[i].flags.contains(TokenFlags::NUMBER),
                })
                .collect()
        };
        let (xa, xb) = (pick(a, ta.clone()), pick(b, tb.clone()));
        let only_a: Vec<usize> = xa
            .iter()
            .copied()
            .filter(|&i| !xb.iter().any(|&j| a.tokens[i].key == b.tokens[j].key))
            .collect();
        let only_b: Vec<usize> = xb
            .iter()
            .copied()
            .filter(|&j| !xa.iter().any(|&i| a.tokens[i].key == b.tokens[j].key))
            .collect();
        let mut used = vec![false; only_b.len()];
        for &i in &only_a {
            let wa = &a.text[a.tokens[i].span.range()];
            let partner = only_b.iter().enumerate().find(|&(n, &j)| {
                !used[n]
                    && (kind == DriftKind::Number
                        || looks_alike(wa, &b.text[b.tokens[j].span.range()]))
            });
            if let Some((n, &j)) = partner {
                used[n] = true;
                out.push(Drift {
                    kind,
                    a: a.tokens[i].span,
                    b: b.tokens[j].span,
                });
            }
        }
    }
}

/// Two names that differ by a small edit ("Homs" / "Homo", "Hama" / "Hamah"), but
/// not by inflection ("Iraq" / "Iraqis", "Iran" / "Iranian").
fn looks_alike(x: &str, y: &str) -> bool {
    let (x, y): (Vec<char>, Vec<char>) = (
        x.to_lowercase().chars().collect(),
        y.to_lowercase().chars().collect(),
    );
    if x.len() < 3 || y.len() < 3 || x.starts_with(&y) || y.starts_with(&x) {
        return false;
    }
    let d = edit_distance(&x, &y);
    (d == 1 && x.len() == y.len()) || (d <= 2 && x.len().min(y.len()) >= 6)
}

/// Levenshtein distance of two short words (names, headline words).
pub(crate) fn edit_distance(x: &[char], y: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=y.len()).collect();
    for (i, cx) in x.iter().enumerate() {
        let mut cur = vec![i + 1; y.len() + 1];
        for (j, cy) in y.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(cx != cy))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[y.len()]
}

/// The paragraph(s) around `span`.
fn paragraph_of(side: &DriftSide, span: Span) -> Span {
    let hit: Vec<&Sentence> = side
        .sentences
        .iter()
        .filter(|s| s.span.intersect(span).is_some())
        .collect();
    let (Some(first), Some(last)) = (hit.first(), hit.last()) else {
        return span;
    };
    let paras = first.paragraph..=last.paragraph;
    side.sentences
        .iter()
        .filter(|s| paras.contains(&s.paragraph))
        .fold(span, |acc, s| acc.cover(s.span))
}

/// Is the text between two byte offsets only spaces (no punctuation, no line break)?
fn plain_gap(text: &str, from: usize, to: usize) -> bool {
    from <= to && text[from..to].chars().all(|c| c == ' ' || c == '\u{a0}')
}

/// Speaker spans in `region`, each with the token range it covers.
fn speakers(side: &DriftSide, region: Span) -> Vec<(Span, std::ops::Range<usize>)> {
    let range = tokens_in(side, region);
    let toks = side.tokens;
    let word = |i: usize| side.text[toks[i].span.range()].to_lowercase();
    let mut out = Vec::new();
    for i in range.clone() {
        let w = word(i);
        if w == "according" && i + 1 < range.end && word(i + 1) == "to" {
            // "according to X" — X runs to the next punctuation
            let mut end = i + 2;
            while end < range.end
                && end - (i + 2) < MAX_SPEAKER_TOKENS
                && (end == i + 2
                    || plain_gap(side.text, toks[end - 1].span.end(), toks[end].span.start()))
            {
                end += 1;
            }
            push_speaker(side, i + 2..end, &mut out);
        } else if SPEECH_VERBS.contains(&w.as_str()) {
            // "X said": X runs back to punctuation
            let mut start = i;
            while start > range.start
                && i - start < MAX_SPEAKER_TOKENS
                && plain_gap(
                    side.text,
                    toks[start - 1].span.end(),
                    toks[start].span.start(),
                )
            {
                start -= 1;
            }
            if start < i {
                push_speaker(side, start..i, &mut out);
            } else {
                // "…,” said X" — X runs forward to punctuation
                let mut end = i + 1;
                while end < range.end
                    && end - (i + 1) < MAX_SPEAKER_TOKENS
                    && (end == i + 1
                        || plain_gap(side.text, toks[end - 1].span.end(), toks[end].span.start()))
                {
                    end += 1;
                }
                push_speaker(side, i + 1..end, &mut out);
            }
        }
    }
    out
}

fn push_speaker(
    side: &DriftSide,
    r: std::ops::Range<usize>,
    out: &mut Vec<(Span, std::ops::Range<usize>)>,
) {
    if r.is_empty() {
        return;
    }
    let toks = &side.tokens[r.clone()];
    let only_pronouns = toks.iter().all(|t| {
        PRONOUNS.contains(&side.text[t.span.range()].to_lowercase().as_str()) || t.is_stop()
    });
    if only_pronouns {
        return;
    }
    let span = Span::new(toks[0].span.start(), toks[toks.len() - 1].span.end());
    out.push((span, r));
}

/// Two speakers are the same when they share a content word.
type Speaker = (Span, std::ops::Range<usize>);

fn same_speaker(a: &DriftSide, b: &DriftSide, x: &Speaker, y: &Speaker) -> bool {
    a.tokens[x.1.clone()]
        .iter()
        .filter(|t| !t.is_stop())
        .any(|t| b.tokens[y.1.clone()].iter().any(|u| u.key == t.key))
}

#[cfg(test)]
mod tests {
    use crate::{align, AlignConfig, Side};
    use whence_core::{DriftKind, Span};

    fn drift(a: &str, b: &str) -> Vec<(DriftKind, String, String)> {
        let (ta, tb) = (whence_text::analyze(a), whence_text::analyze(b));
        let empty: &[Span] = &[];
        let al = align(
            Side::new(a, &ta, empty),
            Side::new(b, &tb, empty),
            &AlignConfig::default(),
        );
        al.drift
            .iter()
            .map(|d| (d.kind, a[d.a.range()].to_owned(), b[d.b.range()].to_owned()))
            .collect()
    }

    #[test]
    fn changed_numbers_and_names() {
        let d = drift(
            "Rescue teams said 4,000 people were moved from Millbank and Old Quay on Tuesday after the barriers broke.",
            "Rescue teams said 3,500 people were moved from Millbank and Old Qvay on Tuesday after the barriers broke.",
        );
        assert_eq!(
            d,
            vec![
                (DriftKind::Number, "4,000".into(), "3,500".into()),
                (DriftKind::Name, "Quay".into(), "Qvay".into())
            ]
        );
    }

    #[test]
    fn drift_off_changes_nothing_else() {
        let a = "Rescue teams said 4,000 people were moved from Millbank and Old Quay on Tuesday after the barriers broke.";
        let b = "Rescue teams said 3,500 people were moved from Millbank and Old Qvay on Tuesday after the barriers broke.";
        let (ta, tb) = (whence_text::analyze(a), whence_text::analyze(b));
        let cfg = AlignConfig::default();
        let on = align(Side::new(a, &ta, &[]), Side::new(b, &tb, &[]), &cfg);
        let off = align(
            Side::new(a, &ta, &[]),
            Side::new(b, &tb, &[]),
            &cfg.without_drift(),
        );
        assert_eq!(on.drift.len(), 2);
        assert!(off.drift.is_empty());
        assert_eq!(off.passages, on.passages);
        assert_eq!((off.novel_a, off.novel_b), (on.novel_a, on.novel_b));
        assert_eq!(off.summary, on.summary);
    }

    #[test]
    fn moved_quote_changes_speaker() {
        let d = drift(
            "Officials spoke on Monday.\n\nAccording to a council spokesman, \"The barriers were designed for a storm we expected once in fifty years.\"",
            "Water rose overnight.\n\n\"The barriers were designed for a storm we expected once in fifty years,\" said Maria Okafor, head of the service.",
        );
        assert_eq!(
            d,
            vec![(
                DriftKind::Attribution,
                "a council spokesman".into(),
                "Maria Okafor".into()
            )]
        );
    }

    #[test]
    fn same_speaker_inflection_and_copies_are_not_drift() {
        let same = "\"The barriers were designed for a storm we expected once in fifty years,\" said Maria Okafor of the service.";
        assert!(drift(same, same).is_empty());
        let d = drift(
            "Okafor said the barriers were designed for a storm we expected once in fifty years, citing Iraqis and Iranians.",
            "\"The barriers were designed for a storm we expected once in fifty years,\" Maria Okafor said, citing Iraq and Iran.",
        );
        assert!(d.is_empty(), "{d:?}");
    }
}
