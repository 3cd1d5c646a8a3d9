//! Sentence-level alignment by IDF-weighted content-word similarity, for the
//! sentences the lexical stage left (mostly) unaligned. Many-to-many: several A
//! sentences may map to one B sentence and one A sentence to two adjacent B sentences.

use rustc_hash::FxHashMap;
use whence_core::{Sentence, Span, Token};

use crate::config::RawAlignConfig;

/// One side as the paraphrase stage sees it.
pub(crate) struct SentSide<'a> {
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

type Vector = Vec<(u64, f32)>; // sorted by key, unique

fn vectors(side: &SentSide, idf: &FxHashMap<u64, f32>) -> Vec<Vector> {
    side.sentences
        .iter()
        .map(|s| {
            let mut v: Vector = side.tokens[s.tokens.clone()]
                .iter()
                .zip(s.tokens.clone())
                .filter(|&(_, n)| side.content[n] && !side.covered[n])
                .map(|(t, _)| (t.key, idf.get(&t.key).copied().unwrap_or(1.0)))
                .collect();
            v.sort_unstable_by_key(|&(k, _)| k);
            v.dedup_by_key(|&mut (k, _)| k);
            v
        })
        .collect()
}

fn norm2(v: &Vector) -> f32 {
    v.iter().map(|&(_, w)| w * w).sum()
}

fn merge(x: &Vector, y: &Vector) -> Vector {
    let mut v: Vector = x.iter().chain(y).copied().collect();
    v.sort_unstable_by_key(|&(k, _)| k);
    v.dedup_by_key(|&mut (k, _)| k);
    v
}

/// (similarity, shared content words) of two sentence vectors: the mean of the
/// weighted cosine and the weighted containment of `x` (the sentence being
/// explained) in `y`. Containment of the other side is left out on purpose: a short
/// `y` ("Early 19th c.") is contained in many sentences without being their source.
fn similarity(x: &Vector, y: &Vector) -> (f32, usize) {
    let (mut i, mut j, mut dot, mut shared) = (0, 0, 0.0f32, 0);
    while i < x.len() && j < y.len() {
        match x[i].0.cmp(&y[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += x[i].1 * y[j].1;
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let (nx, ny) = (norm2(x), norm2(y));
    if shared == 0 || nx == 0.0 || ny == 0.0 {
        return (0.0, 0);
    }
    let cosine = dot / (nx * ny).sqrt();
    let containment = dot / nx;
    (0.5 * cosine + 0.5 * containment.min(1.0), shared)
}

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

/// Aligns the sentences that lexical passages cover less than half of, in both
/// directions (each A sentence's best B match, each B sentence's best A match), and
/// unites the two: per A sentence, the better-scoring match. Returned by A sentence.
pub(crate) fn align_sentences(a: &SentSide, b: &SentSide, cfg: &RawAlignConfig) -> Vec<SentMatch> {
    let weights = idf(a, b);
    let va = vectors(a, &weights);
    let vb = vectors(b, &weights);
    let (forward, eligible_a) = one_way(a, &va, &vb, cfg);
    let (backward, eligible_b) = one_way(b, &vb, &va, cfg);
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

/// Best matches of the sentences of `a` among those of `b` (`va`, `vb` their
/// vectors), with the hub gate applied, and the number of eligible sentences.
fn one_way(
    a: &SentSide,
    va: &[Vector],
    vb: &[Vector],
    cfg: &RawAlignConfig,
) -> (Vec<SentMatch>, usize) {
    // inverted index over B sentences
    let mut postings: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for (si, v) in vb.iter().enumerate() {
        for &(k, _) in v {
            postings.entry(k).or_default().push(si);
        }
    }
    let mut out = Vec::new();
    let mut eligible = 0usize;
    let mut touched: Vec<usize> = Vec::new();
    for (ai, s) in a.sentences.iter().enumerate() {
        if unexplained(a, s).is_none_or(|n| n <= cfg.paraphrase_min_shared) {
            continue;
        }
        eligible += 1;
        touched.clear();
        for &(k, _) in &va[ai] {
            if let Some(p) = postings.get(&k) {
                touched.extend(p);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        let mut best: Option<(f32, usize, usize)> = None;
        for &bi in &touched {
            let (sim, shared) = similarity(&va[ai], &vb[bi]);
            if shared >= cfg.paraphrase_min_shared && best.is_none_or(|(bs, _, _)| sim > bs) {
                best = Some((sim, bi, bi));
            }
        }
        let Some((mut sim, mut lo, mut hi)) = best else {
            continue;
        };
        // a sentence split or merged by the rewrite: try the neighbours, but only
        // for a sentence that is already a near miss on its own
        let near_miss = sim >= 0.8 * cfg.paraphrase_threshold;
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
        if sim >= cfg.paraphrase_threshold {
            out.push(SentMatch {
                a_sent: ai,
                b_sents: (lo, hi),
                score: sim,
            });
        }
    }
    // Hubs: in two texts on one topic, one generic B sentence is the best match of
    // many A sentences. A rewrite draws on a B sentence once or twice: keep the best.
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
    (out, eligible)
}

/// Sentences with more content words than this are lists or unsegmented text, not
/// sentences a rewrite paraphrases; they are left to the lexical stage.
const MAX_SENTENCE_CONTENT: usize = 80;

/// Content words of `s` outside lexical passages, when the sentence is one the
/// sentence stages may explain: less than half of its content words covered
/// lexically and at most [`MAX_SENTENCE_CONTENT`] of them. `None` otherwise.
pub(crate) fn unexplained(side: &SentSide, s: &Sentence) -> Option<usize> {
    let content = s.tokens.clone().filter(|&t| side.content[t]).count();
    let covered = s
        .tokens
        .clone()
        .filter(|&t| side.content[t] && side.covered[t])
        .count();
    (covered * 2 < content && content <= MAX_SENTENCE_CONTENT).then_some(content - covered)
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
