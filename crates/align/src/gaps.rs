//! Bracketed gaps: text rewritten between two passages that are already
//! aligned.
//!
//! A rewrite keeps the order of its source: when lexical passages P and Q
//! are aligned in that order on both sides, the unaligned stretch between them on A was
//! most likely written from the unaligned stretch between them on B ("After
//! three days of torrential rain in the hills, [the water climbed almost two
//! metres during the night, and rescuers took boats to families stuck
//! upstairs in] Millbank" / "… rain in the hills [above the city. Rescue crews
//! used boats to reach families trapped on the upper floors of their homes in
//! the] Millbank"), even when the two share too few words for the sentence
//! stages. The stretches before the first passage (the leads) and after the
//! last are gaps too. A gap pair becomes a paraphrase passage when both sides
//! are short (a sentence or two), each holds content words, and they share at
//! least [`MIN_SHARED`] distinct content words of which one is an ordinary word
//! (not capitalized, not a number): position alone never aligns text, and a
//! stretch of commentary between two copied paragraphs that shares nothing
//! with the source's stretch stays new.
//!
//! The stage trusts the pair's own lexical passages as evidence of
//! derivation: `compare`, `trace` and an index query use it
//! ([`crate::RawAlignConfig::bracketed_gaps`]); `pairs` and the index's adds,
//! which list pairs on their sentence-level evidence, do not. The stretches
//! before the first passage and after the last, open at one end, are where
//! two stories' own intros and endings stand: they need more in common
//! ([`MIN_SHARED_OPEN`]) and count only without the corpus gate, since in
//! `trace` a story's own ending after a copied paragraph is often the same
//! speaker saying something else.

use std::collections::HashSet;

use whence_core::{Passage, PassageKind, Span, TokenFlags};

use crate::Side;

/// Most tokens of a gap: longer stretches are more than one rewritten
/// sentence and are left to the sentence stages.
pub(crate) const MAX_GAP_TOKENS: usize = 60;

/// Fewest content words on each side of a gap.
pub(crate) const MIN_GAP_CONTENT: usize = 4;

/// Fewest distinct content words the two sides of a gap share.
pub(crate) const MIN_SHARED: usize = 2;

/// Fewest shared content words, and shared ordinary words, of an open gap
/// (before the first passage or after the last): closed on one side only,
/// such a stretch is where two stories' own intros and endings stand, and
/// they share topic words.
pub(crate) const MIN_SHARED_OPEN: (usize, usize) = (3, 2);

/// A gap: its byte range on A, its byte range on B, and whether it is open
/// at one end (before the first passage or after the last).
type Stretch = ((usize, usize), (usize, usize), bool);

/// Token range strictly inside `[from, to)` (byte offsets) on `side`.
fn tokens_between(side: &Side, from: usize, to: usize) -> std::ops::Range<usize> {
    let tokens = &side.stream.tokens;
    let lo = tokens.partition_point(|t| t.span.start() < from);
    let hi = tokens.partition_point(|t| t.span.end() <= to);
    lo..hi.max(lo)
}

/// Content-word keys of a token range, outside boilerplate, and those of
/// them that are ordinary words.
fn content(
    side: &Side,
    range: std::ops::Range<usize>,
    masked: &[bool],
) -> (HashSet<u64>, HashSet<u64>) {
    let mut all = HashSet::new();
    let mut ordinary = HashSet::new();
    for i in range {
        let t = &side.stream.tokens[i];
        if masked[i] || t.is_stop() {
            continue;
        }
        all.insert(t.key);
        if !t.flags.contains(TokenFlags::CAPITALIZED) && !t.flags.contains(TokenFlags::NUMBER) {
            ordinary.insert(t.key);
        }
    }
    (all, ordinary)
}

/// Paraphrase passages for the gaps between the lexical passages of
/// `passages` that keep their order on both sides (no gap holds a token of
/// any passage).
///
/// `open_ends`: also the stretches before the first and after the last
/// passage, with [`MIN_SHARED_OPEN`]. Off under the corpus gate (`trace`):
/// there a story's own ending after a copied paragraph is often the same
/// speaker saying something else, which shares the source's words without
/// being drawn from it.
pub(crate) fn bracketed(a: &Side, b: &Side, passages: &[Passage], open_ends: bool) -> Vec<Passage> {
    // anchors are lexical passages: shared wording shows the derivation that
    // the order then extends (a sentence-level paraphrase is no anchor)
    let mut anchors: Vec<&Passage> = passages
        .iter()
        .filter(|p| p.kind != PassageKind::Paraphrase)
        .collect();
    anchors.sort_by_key(|p| (p.a.start(), p.b.start()));
    // keep the passages that advance on both sides (a moved quote is no
    // bracket; widening over shared punctuation may make neighbours touch by
    // a character or two)
    let mut chain: Vec<&Passage> = Vec::new();
    for p in anchors {
        if chain
            .last()
            .is_none_or(|q| p.a.start() + 2 >= q.a.end() && p.b.start() + 2 >= q.b.end())
        {
            chain.push(p);
        }
    }
    if chain.is_empty() {
        return Vec::new();
    }
    let (ma, mb) = (
        a.stream.overlapping(a.boilerplate),
        b.stream.overlapping(b.boilerplate),
    );
    // tokens any passage holds (one off the chain, a moved quote, too): a
    // gap never overlaps a passage
    let held = |s: &Side, pick: fn(&Passage) -> Span| {
        s.stream
            .overlapping(&passages.iter().map(pick).collect::<Vec<_>>())
    };
    let (ha, hb) = (held(a, |p| p.a), held(b, |p| p.b));
    let mut bounds: Vec<Stretch> = Vec::new();
    if open_ends {
        bounds.push(((0, chain[0].a.start()), (0, chain[0].b.start()), true));
    }
    for w in chain.windows(2) {
        bounds.push((
            (w[0].a.end(), w[1].a.start()),
            (w[0].b.end(), w[1].b.start()),
            false,
        ));
    }
    let last = chain[chain.len() - 1];
    if open_ends {
        bounds.push((
            (last.a.end(), a.text.len()),
            (last.b.end(), b.text.len()),
            true,
        ));
    }
    let mut out = Vec::new();
    for ((a0, a1), (b0, b1), open) in bounds {
        let (ra, rb) = (tokens_between(a, a0, a1), tokens_between(b, b0, b1));
        if ra.is_empty()
            || rb.is_empty()
            || ra.len() > MAX_GAP_TOKENS
            || rb.len() > MAX_GAP_TOKENS
            || ra.clone().any(|i| ha[i])
            || rb.clone().any(|i| hb[i])
        {
            continue;
        }
        let (ca, oa) = content(a, ra.clone(), &ma);
        let (cb, ob) = content(b, rb.clone(), &mb);
        if ca.len() < MIN_GAP_CONTENT || cb.len() < MIN_GAP_CONTENT {
            continue;
        }
        let shared = ca.intersection(&cb).count();
        let ordinary = oa.intersection(&ob).count();
        let (least, least_ordinary) = if open {
            MIN_SHARED_OPEN
        } else {
            (MIN_SHARED, 1)
        };
        if shared < least || ordinary < least_ordinary {
            continue;
        }
        // from the first to the last token outside boilerplate
        let span = |s: &Side, r: &std::ops::Range<usize>, masked: &[bool]| {
            let first = r.clone().find(|&i| !masked[i])?;
            let last = r.clone().rev().find(|&i| !masked[i])?;
            Some(Span::new(
                s.stream.tokens[first].span.start(),
                s.stream.tokens[last].span.end(),
            ))
        };
        let (Some(sa), Some(sb)) = (span(a, &ra, &ma), span(b, &rb, &mb)) else {
            continue;
        };
        out.push(Passage {
            a: sa,
            b: sb,
            kind: PassageKind::Paraphrase,
            // the share of the smaller side's content words the other has
            score: shared as f32 / ca.len().min(cb.len()) as f32,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use whence_core::PassageKind;

    use crate::{align, AlignConfig, Side};

    const OPENING: &str = "After four days of steady rain in the valley the main dam on the northern river finally overflowed its old concrete spillway.";
    const CLOSING: &str = "Engineers said the old spillway had been designed for a flood expected once a century, and that two such floods had now come within three years.";

    /// The passages of `a` aligned with `b` whose A side overlaps `needle`.
    fn aligned(a: &str, b: &str, needle: &str) -> Vec<(PassageKind, String)> {
        let (ta, tb) = (whence_text::analyze(a), whence_text::analyze(b));
        let al = align(
            Side::new(a, &ta, &[]),
            Side::new(b, &tb, &[]),
            &AlignConfig::default(),
        );
        let at = a.find(needle).expect("needle in A");
        let span = whence_core::Span::new(at, at + needle.len());
        al.passages
            .iter()
            .filter(|p| p.a.intersect(span).is_some())
            .map(|p| (p.kind, b[p.b.range()].to_string()))
            .collect()
    }

    #[test]
    fn a_sentence_rewritten_between_two_copied_ones_is_aligned() {
        // two content words in common: too few for the sentence stages
        let rewrite = "The water climbed almost two metres during the night, and rescuers took boats to families stuck upstairs.";
        let source =
            "Rescue crews used boats to reach families trapped on the upper floors of their homes.";
        let a = format!("{OPENING} {rewrite} {CLOSING}");
        let b = format!("{OPENING} {source} {CLOSING}");
        let found = aligned(&a, &b, "rescuers took boats");
        assert!(
            found
                .iter()
                .any(|(k, t)| *k == PassageKind::Paraphrase && t.contains("upper floors")),
            "{found:?}"
        );
    }

    #[test]
    fn commentary_between_two_copied_sentences_stays_new() {
        // the stretches share nothing but position
        let comment = "This is what comes of politicians quarrelling over budgets instead of protecting the people who elect them.";
        let source = "Army trucks took families from the lower villages to a school hall while soldiers stacked sandbags on the river banks.";
        let a = format!("{OPENING} {comment} {CLOSING}");
        let b = format!("{OPENING} {source} {CLOSING}");
        assert!(aligned(&a, &b, "politicians quarrelling").is_empty());
        // nor do shared names alone align them
        let named = "Officials from Northfield and Easton gathered at a town hall to discuss compensation for damaged homes.";
        let source = "Crowds in Northfield cheered when a helicopter carrying Easton volunteers landed near the bridge.";
        let a = format!("{OPENING} {named} {CLOSING}");
        let b = format!("{OPENING} {source} {CLOSING}");
        let found = aligned(&a, &b, "gathered at a town hall");
        assert!(found.is_empty(), "{found:?}");
    }
}
