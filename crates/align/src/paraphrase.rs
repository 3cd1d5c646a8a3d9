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
    let weights = idf(a, b);
    let va = Vectors::new(a, &weights);
    let vb = Vectors::new(b, &weights);
    let (forward, eligible_a) = one_way(&ea, &va, &vb, cfg);
    let (backward, eligible_b) = one_way(&eb, &vb, &va, cfg);
    unite(forward, eligible_a, backward, eligible_b)
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

/// The sentence vectors of one side, with their squared norms and an inverted
/// index (key → the sentences holding it, with the key's weight there).
struct Vectors {
    vecs: Vec<Vector>,
    norms: Vec<f32>,
    postings: FxHashMap<u64, Vec<(u32, f32)>>,
}

impl Vectors {
    fn new(side: &SentSide, idf: &FxHashMap<u64, f32>) -> Vectors {
        let vecs = vectors(side, idf);
        let norms = vecs.iter().map(norm2).collect();
        let mut postings: FxHashMap<u64, Vec<(u32, f32)>> = FxHashMap::default();
        for (si, v) in vecs.iter().enumerate() {
            for &(k, w) in v {
                postings.entry(k).or_default().push((si as u32, w));
            }
        }
        Vectors {
            vecs,
            norms,
            postings,
        }
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
    let nb = vb.vecs.len();
    let mut dot = vec![0.0f32; nb];
    let mut shared = vec![0u32; nb];
    let mut out = Vec::new();
    let mut eligible = 0usize;
    let mut touched: Vec<u32> = Vec::new();
    for (ai, x) in va.vecs.iter().enumerate() {
        if !eligible_a[ai] {
            continue;
        }
        eligible += 1;
        touched.clear();
        for &(k, wx) in x {
            if let Some(p) = vb.postings.get(&k) {
                for &(bi, wy) in p {
                    let n = bi as usize;
                    if shared[n] == 0 {
                        touched.push(bi);
                    }
                    dot[n] += wx * wy;
                    shared[n] += 1;
                }
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
        let near_miss = sim >= 0.8 * cfg.paraphrase_threshold;
        for (nlo, nhi) in [(lo.wrapping_sub(1), hi), (lo, hi + 1)] {
            if !near_miss || nlo == usize::MAX || nhi >= nb {
                continue;
            }
            let merged = merge(&vb.vecs[nlo], &vb.vecs[nhi]);
            let merged = if nhi - nlo == 1 {
                merged
            } else {
                merge(&merged, &vb.vecs[lo])
            };
            let (s2, shared) = similarity(x, &merged);
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use whence_core::TokenFlags;

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
                if !va[ai].iter().any(|(k, _)| y.iter().any(|(l, _)| k == l)) {
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
            let fast = align_sentences(&oa.side(), &ob.side(), &cfg);
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
            m,
            align_sentences_reference(&a.side(), &b.side(), &RawAlignConfig::default())
        );
    }
}
