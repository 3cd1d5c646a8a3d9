//! The semantic stage: sentences that neither a lexical passage nor the
//! content-word paraphrase stage explained are matched by the cosine of their
//! sentence embeddings. Many-to-many, like the content-word stage: several A
//! sentences may draw on one B sentence (at most [`MAX_USES_OF_B`]) and one A
//! sentence on two adjacent B sentences (a split or merged sentence).
//!
//! The aligner does not embed anything itself: it asks a [`SentenceEncoder`]
//! (in whence, the engine's wrapper around `whence-embed`) for the vectors of the
//! sentences that are still eligible (and, with `semantic_envelope`, lie among
//! reused text, see [`within_envelope`]), so the cost grows with what is left to
//! explain, not with the documents' length.

use crate::config::RawAlignConfig;
use crate::paraphrase::{content_coverage, unexplained, SentMatch, SentSide};

/// Turns sentences into embedding vectors for the semantic stage.
///
/// Implementations return one vector per input sentence, in order, all of the
/// same length and of unit L2 norm (so a dot product is the cosine), or `None`
/// when encoding failed; the implementation records why, the aligner then skips
/// the semantic stage for that pair. Must be callable from several threads.
pub trait SentenceEncoder: Sync {
    /// Vectors for `sentences`, in order.
    fn encode(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>>;
}

/// One side as the semantic stage sees it: the content-word stage's view, the
/// text, and which sentences that stage already matched.
pub(crate) struct SemSide<'a> {
    pub base: &'a SentSide<'a>,
    pub text: &'a str,
    /// Sentence already matched by the content-word stage.
    pub matched: &'a [bool],
}

/// Indices of the sentences of `side` worth embedding: not matched by the
/// content-word stage, and with at least `min_content` content words left
/// unexplained (see [`unexplained`]).
fn eligible(side: &SemSide, min_content: usize) -> Vec<usize> {
    side.base
        .sentences
        .iter()
        .enumerate()
        .filter(|&(si, s)| {
            !side.matched[si] && unexplained(side.base, s).is_some_and(|n| n >= min_content)
        })
        .map(|(si, _)| si)
        .collect()
}

/// Whether sentence `si` already shows reuse: matched by the content-word stage,
/// or with at least half of its content words inside lexical passages.
fn anchored(side: &SemSide, si: usize) -> bool {
    if side.matched[si] {
        return true;
    }
    let (content, covered) = content_coverage(side.base, &side.base.sentences[si]);
    content > 0 && covered * 2 >= content
}

/// The sentences of `eligible` (ascending) that lie within the reuse
/// envelope of `side`: from [`ENVELOPE_MARGIN`] sentences before its first
/// anchored sentence (see [`anchored`]) to as many after its last. A rewrite
/// paraphrases among the sentences it copies; text beyond the first and last
/// reused sentence is, in a partial copy, the other story's own.
fn within_envelope(side: &SemSide, eligible: &[usize]) -> Vec<usize> {
    let n = side.base.sentences.len();
    let first = (0..n).find(|&si| anchored(side, si));
    let last = (0..n).rev().find(|&si| anchored(side, si));
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let (lo, hi) = (
        first.saturating_sub(ENVELOPE_MARGIN),
        last + ENVELOPE_MARGIN,
    );
    eligible
        .iter()
        .copied()
        .filter(|&si| (lo..=hi).contains(&si))
        .collect()
}

fn sentence_text<'t>(side: &SemSide<'t>, si: usize) -> &'t str {
    &side.text[side.base.sentences[si].span.range()]
}

fn dot(x: &[f32], y: &[f32]) -> f32 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// The unit-length mean of two unit vectors: the approximate embedding of two
/// adjacent sentences read as one (mean pooling over both).
fn joined(x: &[f32], y: &[f32]) -> Vec<f32> {
    let mut v: Vec<f32> = x.iter().zip(y).map(|(a, b)| a + b).collect();
    let n = dot(&v, &v).sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|c| *c /= n);
    }
    v
}

/// Semantic matches of A sentences to B sentence ranges (sorted by A sentence),
/// for the sentences eligible on both sides. `None` when the encoder failed.
/// `prior` is the number of matches the content-word stage already made.
pub(crate) fn align_sentences(
    a: &SemSide,
    b: &SemSide,
    cfg: &RawAlignConfig,
    encoder: &dyn SentenceEncoder,
    prior: usize,
) -> Option<Vec<SentMatch>> {
    let all_a = eligible(a, cfg.semantic_min_content);
    let all_b = eligible(b, cfg.semantic_min_content);
    let (ea, eb) = if cfg.semantic_envelope {
        (within_envelope(a, &all_a), within_envelope(b, &all_b))
    } else {
        (all_a.clone(), all_b.clone())
    };
    if ea.is_empty() || eb.is_empty() {
        return Some(Vec::new());
    }
    let texts: Vec<&str> = ea
        .iter()
        .map(|&s| sentence_text(a, s))
        .chain(eb.iter().map(|&s| sentence_text(b, s)))
        .collect();
    let vectors = encoder.encode(&texts)?;
    if vectors.len() != texts.len() {
        return None;
    }
    let (va, vb) = vectors.split_at(ea.len());
    let forward = one_way(&ea, va, &eb, vb, cfg.semantic_threshold);
    let backward = one_way(&eb, vb, &ea, va, cfg.semantic_threshold);
    let mut best: Vec<Option<SentMatch>> = vec![None; a.base.sentences.len()];
    let flipped = backward.into_iter().flat_map(|m| {
        (m.b_sents.0..=m.b_sents.1).map(move |ai| SentMatch {
            a_sent: ai,
            b_sents: (m.a_sent, m.a_sent),
            score: m.score,
        })
    });
    for m in forward.into_iter().chain(flipped) {
        let slot = &mut best[m.a_sent];
        if slot.as_ref().is_none_or(|old| m.score > old.score) {
            *slot = Some(m);
        }
    }
    let mut out: Vec<SentMatch> = best.into_iter().flatten().collect();
    hub_gate(&mut out);
    // Density gate: a rewrite explains sentence after sentence, while two long
    // texts on one topic have scattered sentences that embed alike. Unless the
    // sentence matches of both stages number one per DENSITY_DIVISOR eligible
    // sentences of the longer side (all of them, not only the envelope's), only
    // near-identical meanings stand.
    let longer = all_a.len().max(all_b.len());
    let needed = MIN_DENSE_MATCHES.max(longer.div_ceil(DENSITY_DIVISOR));
    if prior + out.len() < needed {
        out.retain(|m| m.score >= STRONG_MATCH);
    }
    Some(out)
}

/// Whether the semantic stage runs on a pair whose lexical and content-word
/// passages cover `share_a` and `share_b` of the two texts. Embeddings extend
/// reuse that words already show: two texts on one topic (asbestos, a court case)
/// have dozens of sentences that embed alike without one being drawn from the
/// other, so a pair sharing only a small block gets no semantic passages.
pub(crate) fn grounded(share_a: f64, share_b: f64) -> bool {
    share_a.max(share_b) >= MIN_GROUNDING
}

/// Best match of each sentence `xs[n]` (vector `vx[n]`) among the sentences `ys`
/// (vectors `vy`), at or above `threshold`. A near miss also tries its best
/// match joined with a neighbour (adjacent in the text, both eligible).
fn one_way(
    xs: &[usize],
    vx: &[Vec<f32>],
    ys: &[usize],
    vy: &[Vec<f32>],
    threshold: f32,
) -> Vec<SentMatch> {
    let mut out = Vec::new();
    for (n, &x) in xs.iter().enumerate() {
        let Some((mut score, m)) = vy
            .iter()
            .enumerate()
            .map(|(m, v)| (dot(&vx[n], v), m))
            .max_by(|p, q| p.0.total_cmp(&q.0).then(q.1.cmp(&p.1)))
        else {
            continue;
        };
        let (mut lo, mut hi) = (ys[m], ys[m]);
        if score >= NEAR_MISS * threshold {
            for other in [m.wrapping_sub(1), m + 1] {
                let Some(&y) = ys.get(other) else { continue };
                if y + 1 != ys[m] && ys[m] + 1 != y {
                    continue; // not adjacent in the text
                }
                let s2 = dot(&vx[n], &joined(&vy[m], &vy[other]));
                if s2 > score + JOIN_GAIN {
                    score = s2;
                    (lo, hi) = (y.min(ys[m]), y.max(ys[m]));
                }
            }
        }
        if score >= threshold {
            out.push(SentMatch {
                a_sent: x,
                b_sents: (lo, hi),
                score: score.clamp(0.0, 1.0),
            });
        }
    }
    out
}

/// Keeps at most [`MAX_USES_OF_B`] A sentences per B range, the best-scoring.
/// A rewrite draws on a B sentence once or twice; a generic sentence ("The
/// minister declined to comment") is the nearest neighbour of many.
fn hub_gate(out: &mut Vec<SentMatch>) {
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by(|&x, &y| {
        out[x]
            .b_sents
            .cmp(&out[y].b_sents)
            .then(out[y].score.total_cmp(&out[x].score))
            .then(x.cmp(&y))
    });
    let mut keep = vec![true; out.len()];
    for run in order.chunk_by(|&x, &y| out[x].b_sents == out[y].b_sents) {
        for &n in run.iter().skip(MAX_USES_OF_B) {
            keep[n] = false;
        }
    }
    let mut it = keep.into_iter();
    out.retain(|_| it.next().unwrap_or(false));
}

/// A sentence whose best cosine reaches this share of the threshold tries joining
/// its match with a neighbour.
const NEAR_MISS: f32 = 0.85;
/// How much a joined neighbour must raise the cosine to be taken.
const JOIN_GAIN: f32 = 0.03;
/// How many A sentences one B sentence may explain.
const MAX_USES_OF_B: usize = 2;
/// Sentence matches needed (at least this many, and one per `DENSITY_DIVISOR`
/// eligible sentences of the longer side) before matches below `STRONG_MATCH` count.
const MIN_DENSE_MATCHES: usize = 2;
const DENSITY_DIVISOR: usize = 10;
/// Share of one text (lexical and content-word passages) needed before the
/// semantic stage runs. Calibrated on two pairs: PAN13's suspicious-document01698
/// and source-document01261 (two asbestos pages sharing one 657-character block,
/// 7.2 % of the shorter; the stage found 32 topic look-alikes there) and the seed
/// rewrite (37.8 %, whose Homs/Hama sentence only the stage aligns).
pub(crate) const MIN_GROUNDING: f64 = 0.15;
/// A cosine this high stands on its own.
const STRONG_MATCH: f32 = 0.9;
/// Sentences beyond the first and last anchored sentence of a side that the
/// stage still embeds (see [`within_envelope`]).
const ENVELOPE_MARGIN: usize = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_is_unit_and_between() {
        let x = [1.0, 0.0];
        let y = [0.0, 1.0];
        let j = joined(&x, &y);
        assert!((dot(&j, &j) - 1.0).abs() < 1e-6);
        assert!((j[0] - j[1]).abs() < 1e-6);
    }

    #[test]
    fn hub_gate_keeps_the_two_best_per_b_range() {
        let m = |a, b, score| SentMatch {
            a_sent: a,
            b_sents: (b, b),
            score,
        };
        let mut out = vec![m(0, 5, 0.8), m(1, 5, 0.9), m(2, 5, 0.85), m(3, 6, 0.7)];
        hub_gate(&mut out);
        let kept: Vec<usize> = out.iter().map(|m| m.a_sent).collect();
        assert_eq!(kept, vec![1, 2, 3]);
    }

    #[test]
    fn one_way_joins_adjacent_sentences_only_when_it_helps() {
        // x lies halfway between y0 and y1: joined they explain it far better
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let vx = vec![vec![s, s, 0.0]];
        let vy = vec![
            vec![1.0, 0.0, 0.0],
            vec![0.0, 1.0, 0.0],
            vec![0.0, 0.0, 1.0],
        ];
        let got = one_way(&[0], &vx, &[3, 4, 9], &vy, 0.8);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].b_sents, (3, 4));
        assert!(got[0].score > 0.99);
        // the same vectors, but the two sentences are not adjacent in the text
        let got = one_way(&[0], &vx, &[3, 5, 9], &vy, 0.8);
        assert!(got.is_empty(), "{got:?}");
    }
}
