//! Sentence-level alignment by IDF-weighted content-word similarity, for the
//! sentences the lexical stage left (mostly) unaligned. Many-to-many: several A
//! sentences may map to one B sentence and one A sentence to two adjacent B sentences.

use rustc_hash::FxHashMap;
use whence_core::{Sentence, Span, Token, TokenFlags};

use crate::config::{RawAlignConfig, GATED_PARAPHRASE_THRESHOLD};

/// One side as the paraphrase stage sees it.
pub(crate) struct SentSide<'a> {
    pub text: &'a str,
    pub tokens: &'a [Token],
    pub sentences: &'a [Sentence],
    /// Token is a content word outside boilerplate.
    pub content: &'a [bool],
    /// Token lies inside a lexical passage.
    pub covered: &'a [bool],
}

/// A sentence-level match: A sentence index → B sentence range, with its score.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SentMatch {
    pub a_sent: usize,
    pub b_sents: (usize, usize), // inclusive range
    pub score: f32,
}

/// One element of a sentence vector: a content word's matching key, its weight,
/// and its number in the pair's [`Vocab`].
#[derive(Clone, Copy, Debug, PartialEq)]
struct Entry {
    key: u64,
    w: f32,
    id: u32,
}

type Vector = Vec<Entry>; // sorted by key, unique

fn norm2(v: &[Entry]) -> f32 {
    v.iter().map(|e| e.w * e.w).sum()
}

fn merge(x: &[Entry], y: &[Entry]) -> Vector {
    let mut v: Vector = x.iter().chain(y).copied().collect();
    v.sort_unstable_by_key(|e| e.key);
    v.dedup_by_key(|e| e.key);
    v
}

/// (similarity, shared content words) of two sentence vectors: the mean of the
/// weighted cosine and the weighted containment of `x` (the sentence being
/// explained) in `y`. Containment of the other side is left out on purpose: a short
/// `y` ("Early 19th c.") is contained in many sentences without being their source.
fn similarity(x: &[Entry], y: &[Entry]) -> (f32, usize) {
    let (mut i, mut j, mut dot, mut shared) = (0, 0, 0.0f32, 0);
    while i < x.len() && j < y.len() {
        match x[i].key.cmp(&y[j].key) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += x[i].w * y[j].w;
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    score(dot, shared, norm2(x), norm2(y))
}

/// [`similarity`] from the dot product, the number of shared keys and the squared
/// norms of the two vectors.
fn score(dot: f32, shared: usize, nx: f32, ny: f32) -> (f32, usize) {
    if shared == 0 || nx == 0.0 || ny == 0.0 {
        return (0.0, 0);
    }
    let cosine = dot / (nx * ny).sqrt();
    let containment = dot / nx;
    (0.5 * cosine + 0.5 * containment.min(1.0), shared)
}

/// Token not numbered in a [`Vocab`] (a function word, or boilerplate).
const NO_ID: u32 = u32::MAX;

/// The content words of the sentences of both sides, numbered in order of first
/// occurrence, with their weights: inverse sentence frequency over the sentences
/// of both sides, `ln((n + 1) / (df + 0.5))`, at least 0.1.
struct Vocab {
    weight: Vec<f32>,
    /// Per token of A (of B), its number, or [`NO_ID`].
    ids_a: Vec<u32>,
    ids_b: Vec<u32>,
}

impl Vocab {
    fn new(a: &SentSide, b: &SentSide) -> Vocab {
        let mut ids: FxHashMap<u64, u32> = FxHashMap::default();
        let mut df: Vec<u32> = Vec::new();
        // per id, the last sentence (numbered from 1 across both sides) counted
        let mut last: Vec<u32> = Vec::new();
        let (mut n, mut sentence) = (0u32, 0u32);
        let mut number = |side: &SentSide| -> Vec<u32> {
            let mut out = vec![NO_ID; side.tokens.len()];
            for s in side.sentences {
                sentence += 1;
                let mut any = false;
                for t in s.tokens.clone() {
                    if !side.content[t] {
                        continue;
                    }
                    any = true;
                    let id = *ids.entry(side.tokens[t].key).or_insert_with(|| {
                        df.push(0);
                        last.push(0);
                        (df.len() - 1) as u32
                    });
                    out[t] = id;
                    let i = id as usize;
                    if last[i] != sentence {
                        last[i] = sentence;
                        df[i] += 1;
                    }
                }
                n += u32::from(any);
            }
            out
        };
        let ids_a = number(a);
        let ids_b = number(b);
        let n = n as f32;
        let weight = df
            .iter()
            .map(|&d| ((n + 1.0) / (d as f32 + 0.5)).ln().max(0.1))
            .collect();
        Vocab {
            weight,
            ids_a,
            ids_b,
        }
    }
}

/// Aligns the sentences that lexical passages cover less than half of, in both
/// directions (each A sentence's best B match, each B sentence's best A match), and
/// unites the two: per A sentence, the better-scoring match. Returned by A sentence,
/// only the matches that reach the report threshold (raised under the corpus gate)
/// and pass [`same_facts`].
pub(crate) fn align_sentences(a: &SentSide, b: &SentSide, cfg: &RawAlignConfig) -> Vec<SentMatch> {
    let mut out = pair_sentences(a, b, cfg);
    let threshold = if cfg.paraphrase_gate {
        cfg.paraphrase_threshold.max(GATED_PARAPHRASE_THRESHOLD)
    } else {
        cfg.paraphrase_threshold
    };
    out.retain(|m| m.score >= threshold && same_facts(a, b, m, cfg));
    out
}

/// Every sentence pairing from [`candidate_floor`] up, before the report gate of
/// [`align_sentences`].
fn pair_sentences(a: &SentSide, b: &SentSide, cfg: &RawAlignConfig) -> Vec<SentMatch> {
    let eligible = |side: &SentSide| -> Vec<bool> {
        side.sentences
            .iter()
            .map(|s| unexplained(side, s).is_some_and(|n| n > cfg.paraphrase_min_shared))
            .collect()
    };
    let (ea, eb) = (eligible(a), eligible(b));
    // nothing to explain on either side (a copy the lexical stage covers): no match
    // can come out, so skip the weights and vectors
    if !ea.contains(&true) && !eb.contains(&true) {
        return Vec::new();
    }
    let vocab = Vocab::new(a, b);
    let va = Vectors::new(a, &vocab.ids_a, &vocab.weight);
    let vb = Vectors::new(b, &vocab.ids_b, &vocab.weight);
    let (forward, eligible_a) = one_way(&ea, &va, &vb, cfg);
    let (backward, eligible_b) = one_way(&eb, &vb, &va, cfg);
    unite(forward, eligible_a, backward, eligible_b)
}

/// Similarity from which sentences are paired: the density gate and the
/// search for split or merged sentences work on every pairing from here on,
/// whatever threshold the report uses ([`RawAlignConfig::paraphrase_threshold`],
/// raised by the corpus gate).
fn candidate_floor(cfg: &RawAlignConfig) -> f32 {
    cfg.paraphrase_threshold.min(CANDIDATE_FLOOR)
}

const CANDIDATE_FLOOR: f32 = 0.28;

/// Whether a match may be reported: when both sides hold numbers (years aside),
/// at least half of the A sentence's numbers are in B (a form filled with other
/// figures shares its words, not its numbers); under the corpus gate
/// ([`RawAlignConfig::paraphrase_gate`]) the A sentence's unexplained content
/// words and the B sentences also share at least
/// [`RawAlignConfig::paraphrase_min_plain`] ordinary words (neither capitalized
/// nor numbers: names say who, not what was said of them).
///
/// Chosen on paraphrase passages of Reuters, HuffPost and BBC read by hand
/// (eval/precision/passages.py, the `dev` split; docs/BENCHMARKS.md, "Paraphrase
/// passages"): of the 210 reported before the gate 36 % were right.
fn same_facts(a: &SentSide, b: &SentSide, m: &SentMatch, cfg: &RawAlignConfig) -> bool {
    let a_tokens: Vec<usize> = a.sentences[m.a_sent]
        .tokens
        .clone()
        .filter(|&t| a.content[t] && !a.covered[t])
        .collect();
    let b_tokens: Vec<usize> = (m.b_sents.0..=m.b_sents.1)
        .flat_map(|si| b.sentences[si].tokens.clone())
        .filter(|&t| b.content[t])
        .collect();
    let (a_numbers, b_numbers) = (numbers(a, &a_tokens), numbers(b, &b_tokens));
    if !a_numbers.is_empty() && !b_numbers.is_empty() {
        let agreeing = a_numbers
            .iter()
            .filter(|k| b_numbers.binary_search(k).is_ok())
            .count();
        if agreeing * 2 < a_numbers.len() {
            return false;
        }
    }
    if !cfg.paraphrase_gate {
        return true;
    }
    let (a_plain, b_plain) = (plain_words(a, &a_tokens), plain_words(b, &b_tokens));
    let shared = a_plain
        .iter()
        .filter(|k| b_plain.binary_search(k).is_ok())
        .count();
    shared >= cfg.paraphrase_min_plain
}

/// Sorted distinct keys of the ordinary words among `tokens`: neither
/// capitalized nor numbers. (A capitalized word that opens a sentence is left
/// out too: counting it let recurring reports through on the dev labels.)
fn plain_words(side: &SentSide, tokens: &[usize]) -> Vec<u64> {
    let mut keys: Vec<u64> = tokens
        .iter()
        .map(|&t| &side.tokens[t])
        .filter(|t| {
            !t.flags.contains(TokenFlags::CAPITALIZED) && !t.flags.contains(TokenFlags::NUMBER)
        })
        .map(|t| t.key)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Sorted distinct keys of the numbers among `tokens` (ascending token indices).
/// A fraction and its whole part ("6-1/16", "3/4"), which the word segmenter
/// splits, count as one number; years (1900-2099) are left out: a date says when,
/// and two forms of one kind often share it.
fn numbers(side: &SentSide, tokens: &[usize]) -> Vec<u64> {
    let is_number = |t: usize| side.tokens[t].flags.contains(TokenFlags::NUMBER);
    let gap = |t: usize| {
        let (x, y) = (side.tokens[t].span.end(), side.tokens[t + 1].span.start());
        side.text.get(x..y).unwrap_or(" ")
    };
    let mut keys = Vec::new();
    let mut n = 0;
    while n < tokens.len() {
        let t = tokens[n];
        if !is_number(t) {
            n += 1;
            continue;
        }
        // the run of numbers joined by '-' or '/' with no space
        let mut last = n;
        let mut fraction = false;
        while last + 1 < tokens.len()
            && tokens[last + 1] == tokens[last] + 1
            && is_number(tokens[last + 1])
            && matches!(gap(tokens[last]), "-" | "/")
        {
            fraction |= gap(tokens[last]) == "/";
            last += 1;
        }
        if fraction {
            let key = tokens[n..=last]
                .iter()
                .fold(0x9e37_79b9_7f4a_7c15u64, |h, &t| {
                    (h ^ side.tokens[t].key).wrapping_mul(0x0100_0000_01b3)
                });
            keys.push(key);
        } else {
            for &t in &tokens[n..=last] {
                let tok = &side.tokens[t];
                let year = side
                    .text
                    .get(tok.span.start()..tok.span.end())
                    .and_then(|w| w.parse::<u32>().ok())
                    .is_some_and(|y| (1900..=2099).contains(&y));
                if !year {
                    keys.push(tok.key);
                }
            }
        }
        n = last + 1;
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Per A sentence the better of its forward and backward matches, then the
/// density gate.
fn unite(
    forward: Vec<SentMatch>,
    eligible_a: usize,
    backward: Vec<SentMatch>,
    eligible_b: usize,
) -> Vec<SentMatch> {
    let mut best: FxHashMap<usize, SentMatch> = FxHashMap::default();
    let candidates = forward
        .into_iter()
        .chain(backward.into_iter().flat_map(|m| {
            (m.b_sents.0..=m.b_sents.1).map(move |ai| SentMatch {
                a_sent: ai,
                b_sents: (m.a_sent, m.a_sent),
                score: m.score,
            })
        }));
    for m in candidates {
        match best.get(&m.a_sent) {
            Some(old) if old.score >= m.score => {}
            _ => {
                best.insert(m.a_sent, m);
            }
        }
    }
    let mut out: Vec<SentMatch> = best.into_values().collect();
    out.sort_by_key(|m| m.a_sent);
    // Density gate: a rewrite aligns sentence after sentence, while two texts on one
    // topic share words in a few scattered sentences. Unless matches are dense on
    // the longer side too, keep only the strong ones.
    let needed = MIN_DENSE_MATCHES.max(eligible_a.max(eligible_b).div_ceil(DENSITY_DIVISOR));
    let dense = out.len() >= needed;
    if !dense {
        out.retain(|m| m.score >= STRONG_MATCH);
    }
    out
}

/// The sentence vectors of one side (content words outside lexical passages),
/// with their squared norms and an inverted index: vocabulary id → the sentences
/// holding it, ascending, with its weight.
struct Vectors {
    entries: Vec<Entry>,
    /// Per sentence, its range in `entries`.
    ranges: Vec<(u32, u32)>,
    norms: Vec<f32>,
    /// Postings of id `i`: `postings[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    postings: Vec<(u32, f32)>,
}

impl Vectors {
    fn new(side: &SentSide, ids: &[u32], weight: &[f32]) -> Vectors {
        let mut entries: Vec<Entry> = Vec::new();
        let mut ranges = Vec::with_capacity(side.sentences.len());
        for s in side.sentences {
            let start = entries.len();
            entries.extend(
                s.tokens
                    .clone()
                    .filter(|&t| side.content[t] && !side.covered[t])
                    .map(|t| {
                        let id = ids[t];
                        Entry {
                            key: side.tokens[t].key,
                            w: weight[id as usize],
                            id,
                        }
                    }),
            );
            let v = &mut entries[start..];
            v.sort_unstable_by_key(|e| e.key);
            // dedup in place
            let mut kept = 0;
            for i in 0..v.len() {
                if kept == 0 || v[i].key != v[kept - 1].key {
                    v[kept] = v[i];
                    kept += 1;
                }
            }
            entries.truncate(start + kept);
            ranges.push((start as u32, entries.len() as u32));
        }
        let norms = ranges
            .iter()
            .map(|&(lo, hi)| norm2(&entries[lo as usize..hi as usize]))
            .collect();
        let mut starts = vec![0u32; weight.len() + 1];
        for e in &entries {
            starts[e.id as usize + 1] += 1;
        }
        for i in 0..weight.len() {
            starts[i + 1] += starts[i];
        }
        let mut fill = starts.clone();
        let mut postings = vec![(0u32, 0.0f32); entries.len()];
        for (si, &(lo, hi)) in ranges.iter().enumerate() {
            for e in &entries[lo as usize..hi as usize] {
                let slot = &mut fill[e.id as usize];
                postings[*slot as usize] = (si as u32, e.w);
                *slot += 1;
            }
        }
        Vectors {
            entries,
            ranges,
            norms,
            starts,
            postings,
        }
    }

    fn len(&self) -> usize {
        self.ranges.len()
    }

    fn get(&self, si: usize) -> &[Entry] {
        let (lo, hi) = self.ranges[si];
        &self.entries[lo as usize..hi as usize]
    }

    fn postings(&self, id: u32) -> &[(u32, f32)] {
        let i = id as usize;
        &self.postings[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

/// Best matches of the sentences of `a` among those of `b` (`va`, `vb` their
/// vectors; `eligible_a` which A sentences the stage may explain), with the hub
/// gate applied, and the number of eligible sentences.
///
/// The scores are those of [`similarity`], computed for all B sentences at once
/// through B's inverted index: for each B sentence the products of shared keys
/// are added in ascending key order, as `similarity` adds them, so the sums (and
/// every result) are bit for bit the same.
fn one_way(
    eligible_a: &[bool],
    va: &Vectors,
    vb: &Vectors,
    cfg: &RawAlignConfig,
) -> (Vec<SentMatch>, usize) {
    let nb = vb.len();
    let mut dot = vec![0.0f32; nb];
    let mut shared = vec![0u32; nb];
    let mut out = Vec::new();
    let mut eligible = 0usize;
    let mut touched: Vec<u32> = Vec::new();
    for (ai, &elig) in eligible_a.iter().enumerate() {
        if !elig {
            continue;
        }
        eligible += 1;
        touched.clear();
        let x = va.get(ai);
        for e in x {
            for &(bi, wy) in vb.postings(e.id) {
                let n = bi as usize;
                if shared[n] == 0 {
                    touched.push(bi);
                }
                dot[n] += e.w * wy;
                shared[n] += 1;
            }
        }
        touched.sort_unstable();
        let nx = va.norms[ai];
        let mut best: Option<(f32, usize, usize)> = None;
        for &bi in &touched {
            let n = bi as usize;
            let (sim, sh) = score(dot[n], shared[n] as usize, nx, vb.norms[n]);
            dot[n] = 0.0;
            shared[n] = 0;
            if sh >= cfg.paraphrase_min_shared && best.is_none_or(|(bs, _, _)| sim > bs) {
                best = Some((sim, n, n));
            }
        }
        let Some((mut sim, mut lo, mut hi)) = best else {
            continue;
        };
        // a sentence split or merged by the rewrite: try the neighbours, but only
        // for a sentence that is already a near miss on its own
        let near_miss = sim >= 0.8 * candidate_floor(cfg);
        for (nlo, nhi) in [(lo.wrapping_sub(1), hi), (lo, hi + 1)] {
            if !near_miss || nlo == usize::MAX || nhi >= nb {
                continue;
            }
            let merged = merge(vb.get(nlo), vb.get(nhi));
            let merged = if nhi - nlo == 1 {
                merged
            } else {
                merge(&merged, vb.get(lo))
            };
            let (s2, shared) = similarity(x, &merged);
            if shared >= cfg.paraphrase_min_shared && s2 > sim + 0.05 {
                (sim, lo, hi) = (s2, nlo, nhi);
            }
        }
        if sim >= candidate_floor(cfg) {
            out.push(SentMatch {
                a_sent: ai,
                b_sents: (lo, hi),
                score: sim,
            });
        }
    }
    (drop_hubs(out), eligible)
}

/// Hubs: in two texts on one topic, one generic B sentence is the best match of
/// many A sentences. A rewrite draws on a B sentence once or twice: keep the best.
fn drop_hubs(mut out: Vec<SentMatch>) -> Vec<SentMatch> {
    let mut per_b: FxHashMap<(usize, usize), Vec<usize>> = FxHashMap::default();
    for (n, m) in out.iter().enumerate() {
        per_b.entry(m.b_sents).or_default().push(n);
    }
    let mut keep = vec![true; out.len()];
    for users in per_b.values_mut() {
        if users.len() > MAX_USES_OF_B {
            users.sort_by(|&x, &y| out[y].score.total_cmp(&out[x].score).then(x.cmp(&y)));
            for &n in &users[MAX_USES_OF_B..] {
                keep[n] = false;
            }
            // a sentence matched by this many is generic: weaken the rest too
            for &n in &users[..MAX_USES_OF_B] {
                if users.len() > 2 * MAX_USES_OF_B {
                    keep[n] = false;
                }
            }
        }
    }
    let mut it = keep.iter();
    out.retain(|_| *it.next().unwrap_or(&false));
    out
}

/// Sentences with more content words than this are lists or unsegmented text, not
/// sentences a rewrite paraphrases; they are left to the lexical stage.
const MAX_SENTENCE_CONTENT: usize = 80;

/// Content words of `s` outside lexical passages, when the sentence is one the
/// sentence stages may explain: less than half of its content words covered
/// lexically and at most [`MAX_SENTENCE_CONTENT`] of them. `None` otherwise.
pub(crate) fn unexplained(side: &SentSide, s: &Sentence) -> Option<usize> {
    let (content, covered) = content_coverage(side, s);
    (covered * 2 < content && content <= MAX_SENTENCE_CONTENT).then_some(content - covered)
}

/// `(content words, of which inside lexical passages)` of sentence `s`.
pub(crate) fn content_coverage(side: &SentSide, s: &Sentence) -> (usize, usize) {
    let content = s.tokens.clone().filter(|&t| side.content[t]).count();
    let covered = s
        .tokens
        .clone()
        .filter(|&t| side.content[t] && side.covered[t])
        .count();
    (content, covered)
}
/// Matches needed (at least this many, and one per `DENSITY_DIVISOR` eligible
/// sentences of the longer side) before weak matches count.
const MIN_DENSE_MATCHES: usize = 1;
const DENSITY_DIVISOR: usize = 10;
/// A match this strong stands on its own.
const STRONG_MATCH: f32 = 0.6;
/// How many A sentences one B sentence may explain.
const MAX_USES_OF_B: usize = 2;

/// The longest stretch of `sentence` not covered by `covered` spans (sorted,
/// disjoint), trimmed to start and end on a token.
pub(crate) fn uncovered_part(sentence: Span, tokens: &[Token], covered: &[Span]) -> Option<Span> {
    let free = Span::complement(sentence, covered);
    free.into_iter()
        .filter_map(|f| {
            let inside: Vec<&Token> = tokens.iter().filter(|t| f.contains(t.span)).collect();
            let first = inside.first()?;
            let last = inside.last()?;
            Some((inside.len(), Span::new(first.span.start(), last.span.end())))
        })
        .max_by_key(|&(n, s)| (n, std::cmp::Reverse(s.start())))
        .map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use whence_core::TokenFlags;

    /// Inverse sentence frequency over the sentences of both sides.
    fn idf(a: &SentSide, b: &SentSide) -> FxHashMap<u64, f32> {
        let mut df: FxHashMap<u64, u32> = FxHashMap::default();
        let mut n = 0u32;
        for side in [a, b] {
            for s in side.sentences {
                let mut keys: Vec<u64> = side.tokens[s.tokens.clone()]
                    .iter()
                    .zip(s.tokens.clone())
                    .filter(|&(_, n)| side.content[n])
                    .map(|(t, _)| t.key)
                    .collect();
                if keys.is_empty() {
                    continue;
                }
                n += 1;
                keys.sort_unstable();
                keys.dedup();
                for k in keys {
                    *df.entry(k).or_default() += 1;
                }
            }
        }
        let n = n as f32;
        df.into_iter()
            .map(|(k, d)| (k, ((n + 1.0) / (d as f32 + 0.5)).ln().max(0.1)))
            .collect()
    }

    fn vectors(side: &SentSide, idf: &FxHashMap<u64, f32>) -> Vec<Vector> {
        side.sentences
            .iter()
            .map(|s| {
                let mut v: Vector = side.tokens[s.tokens.clone()]
                    .iter()
                    .zip(s.tokens.clone())
                    .filter(|&(_, n)| side.content[n] && !side.covered[n])
                    .map(|(t, _)| Entry {
                        key: t.key,
                        w: idf.get(&t.key).copied().unwrap_or(1.0),
                        id: 0,
                    })
                    .collect();
                v.sort_unstable_by_key(|e| e.key);
                v.dedup_by_key(|e| e.key);
                v
            })
            .collect()
    }

    /// The plain definition of [`align_sentences`]: every eligible sentence scored
    /// against every B sentence sharing a key, with [`similarity`] on the two
    /// vectors.
    fn align_sentences_reference(
        a: &SentSide,
        b: &SentSide,
        cfg: &RawAlignConfig,
    ) -> Vec<SentMatch> {
        let weights = idf(a, b);
        let va = vectors(a, &weights);
        let vb = vectors(b, &weights);
        let (forward, eligible_a) = one_way_reference(a, &va, &vb, cfg);
        let (backward, eligible_b) = one_way_reference(b, &vb, &va, cfg);
        unite(forward, eligible_a, backward, eligible_b)
    }

    fn one_way_reference(
        a: &SentSide,
        va: &[Vector],
        vb: &[Vector],
        cfg: &RawAlignConfig,
    ) -> (Vec<SentMatch>, usize) {
        let mut out = Vec::new();
        let mut eligible = 0usize;
        for (ai, s) in a.sentences.iter().enumerate() {
            if unexplained(a, s).is_none_or(|n| n <= cfg.paraphrase_min_shared) {
                continue;
            }
            eligible += 1;
            let mut best: Option<(f32, usize, usize)> = None;
            for (bi, y) in vb.iter().enumerate() {
                if !va[ai].iter().any(|e| y.iter().any(|f| e.key == f.key)) {
                    continue;
                }
                let (sim, shared) = similarity(&va[ai], y);
                if shared >= cfg.paraphrase_min_shared && best.is_none_or(|(bs, _, _)| sim > bs) {
                    best = Some((sim, bi, bi));
                }
            }
            let Some((mut sim, mut lo, mut hi)) = best else {
                continue;
            };
            let near_miss = sim >= 0.8 * candidate_floor(cfg);
            for (nlo, nhi) in [(lo.wrapping_sub(1), hi), (lo, hi + 1)] {
                if !near_miss || nlo == usize::MAX || nhi >= vb.len() {
                    continue;
                }
                let merged = merge(&vb[nlo], &vb[nhi]);
                let merged = if nhi - nlo == 1 {
                    merged
                } else {
                    merge(&merged, &vb[lo])
                };
                let (s2, shared) = similarity(&va[ai], &merged);
                if shared >= cfg.paraphrase_min_shared && s2 > sim + 0.05 {
                    (sim, lo, hi) = (s2, nlo, nhi);
                }
            }
            if sim >= candidate_floor(cfg) {
                out.push(SentMatch {
                    a_sent: ai,
                    b_sents: (lo, hi),
                    score: sim,
                });
            }
        }
        (drop_hubs(out), eligible)
    }

    /// A side from sentence lengths and per-token (key, content, covered).
    struct Owned {
        tokens: Vec<Token>,
        sentences: Vec<Sentence>,
        content: Vec<bool>,
        covered: Vec<bool>,
    }

    impl Owned {
        fn new(sentences: &[Vec<(u64, bool, bool)>]) -> Owned {
            let mut o = Owned {
                tokens: Vec::new(),
                sentences: Vec::new(),
                content: Vec::new(),
                covered: Vec::new(),
            };
            for s in sentences {
                let first = o.tokens.len();
                for &(key, content, covered) in s {
                    let start = o.tokens.len() * 2;
                    o.tokens.push(Token {
                        span: Span::new(start, start + 1),
                        key,
                        form: key,
                        flags: if content {
                            TokenFlags::empty()
                        } else {
                            TokenFlags::STOP
                        },
                    });
                    o.content.push(content);
                    o.covered.push(covered);
                }
                let last = o.tokens.len();
                o.sentences.push(Sentence {
                    span: Span::new(first * 2, (last * 2).max(first * 2 + 1)),
                    tokens: first..last,
                    paragraph: 0,
                });
            }
            o
        }

        fn side(&self) -> SentSide<'_> {
            SentSide {
                text: "",
                tokens: &self.tokens,
                sentences: &self.sentences,
                content: &self.content,
                covered: &self.covered,
            }
        }
    }

    fn doc() -> impl Strategy<Value = Vec<Vec<(u64, bool, bool)>>> {
        // a small vocabulary, so that sentences share words often
        let token = (
            0u64..40,
            prop::bool::weighted(0.8),
            prop::bool::weighted(0.15),
        );
        prop::collection::vec(prop::collection::vec(token, 0..14), 0..12)
    }

    proptest! {
        #[test]
        fn indexed_scoring_equals_pairwise_scoring(a in doc(), b in doc(), lenient in any::<bool>()) {
            let mut cfg = RawAlignConfig::default();
            if lenient {
                cfg.paraphrase_threshold = 0.1;
                cfg.paraphrase_min_shared = 1;
            }
            let (oa, ob) = (Owned::new(&a), Owned::new(&b));
            let fast = pair_sentences(&oa.side(), &ob.side(), &cfg);
            let plain = align_sentences_reference(&oa.side(), &ob.side(), &cfg);
            prop_assert_eq!(fast, plain);
        }
    }

    #[test]
    fn a_shared_rewritten_sentence_is_matched() {
        // A sentence 1 shares five content words with B sentence 0
        let a = Owned::new(&[
            vec![(1, true, false), (2, true, false)],
            (10..16).map(|k| (k, true, false)).collect(),
        ]);
        let b = Owned::new(&[(10..15)
            .map(|k| (k, true, false))
            .chain([(99, true, false)])
            .collect()]);
        let m = align_sentences(&a.side(), &b.side(), &RawAlignConfig::default());
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!((m[0].a_sent, m[0].b_sents), (1, (0, 0)));
        assert_eq!(
            pair_sentences(&a.side(), &b.side(), &RawAlignConfig::default()),
            align_sentences_reference(&a.side(), &b.side(), &RawAlignConfig::default())
        );
    }
}
