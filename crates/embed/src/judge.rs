//! The paraphrase decision: sentence cosine, token-level soft alignment and a
//! few lexical checks, combined by a logistic regression.
//!
//! Inputs: the two sentences' texts and their [`SentenceVectors`] (computed once
//! per sentence by [`crate::Model::embed_tokens`]). Output: a [`Judgement`]
//! whose `score` is the combined probability of "paraphrase" and whose
//! `paraphrase` is `score >= threshold`. [`features`] exposes the inputs of the
//! regression ([`Features`]) for evaluation and refitting.
//!
//! Cost of one [`judge`] call, with `n`, `m` the token counts and `d` the vector
//! length: `n·m·d` multiply-adds for the token alignment (384 × 30 × 30 ≈ 350 k
//! for two MSRP news sentences), plus one pass over each text for the lexical
//! features (a few small allocations, hash sets of words and bigrams). No model
//! call: embed every sentence once, then judge as many pairs as needed. Measured
//! figures are in docs/embed-notes.md ("Cost").

use std::collections::HashSet;

use crate::{cosine, SentenceVectors, Threshold};

/// The values the decision is made from, all symmetric in the two sentences
/// (swapping them gives the same features).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Features {
    /// Cosine of the two sentence vectors, in [-1, 1].
    pub cosine: f32,
    /// Token soft alignment (BERTScore-style, no IDF): every real token of one
    /// sentence is matched to its most similar token of the other; this is the
    /// harmonic mean of the two directions' mean best cosines. 0 when either
    /// sentence has no token.
    pub align_f: f32,
    /// The lower of the two directions' mean best cosines (the side with more
    /// unmatched content).
    pub align_min: f32,
    /// F1 of the two lowercased word sets (|A∩B| / |A|, |A∩B| / |B|).
    pub word_f: f32,
    /// The lower of the two word-set coverages (the side with more words the
    /// other lacks).
    pub word_min: f32,
    /// F1 of the two sets of lowercased word bigrams.
    pub bigram_f: f32,
    /// Numbers (words with a digit; `1,000` = `1000`) found in one sentence and
    /// not the other, both directions summed.
    pub number_mismatch: f32,
    /// Capitalised words (other than each sentence's first) whose lowercase
    /// form is absent from the other sentence, both directions summed.
    pub name_mismatch: f32,
    /// Shorter word count / longer word count, in [0, 1] (1 when both are empty).
    pub length_ratio: f32,
}

/// Names of the regression inputs, in the order of [`Features::to_array`].
pub const FEATURE_NAMES: [&str; 9] = [
    "cosine",
    "align_f",
    "align_min",
    "word_f",
    "word_min",
    "bigram_f",
    "length_ratio",
    "ln1p_number_mismatch",
    "ln1p_name_mismatch",
];

impl Features {
    /// The inputs of the regression, in the order of [`FEATURE_NAMES`]: the
    /// fields as they are, except the two mismatch counts, which enter as
    /// `ln(1 + count)`.
    pub fn to_array(&self) -> [f32; 9] {
        [
            self.cosine,
            self.align_f,
            self.align_min,
            self.word_f,
            self.word_min,
            self.bigram_f,
            self.length_ratio,
            self.number_mismatch.ln_1p(),
            self.name_mismatch.ln_1p(),
        ]
    }
}

/// The verdict on one sentence pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judgement {
    /// Probability that the pair is a paraphrase, in [0, 1].
    pub score: f32,
    /// `score >= threshold`.
    pub paraphrase: bool,
}

/// The paraphrase decision on one pair with the shipped weights and
/// [`DEFAULT_JUDGE_THRESHOLD`]. See the module documentation for the cost.
pub fn judge(a: &str, b: &str, ea: &SentenceVectors, eb: &SentenceVectors) -> Judgement {
    judge_with(
        a,
        b,
        ea,
        eb,
        Threshold::new(DEFAULT_JUDGE_THRESHOLD).expect("in range"),
    )
}

/// [`judge`] with another threshold on the probability.
pub fn judge_with(
    a: &str,
    b: &str,
    ea: &SentenceVectors,
    eb: &SentenceVectors,
    threshold: Threshold,
) -> Judgement {
    let score = probability(&features(a, b, ea, eb));
    Judgement {
        score,
        paraphrase: score >= threshold.get(),
    }
}

/// The shipped logistic regression: `1 / (1 + e^-(BIAS + Σ WEIGHTS[i]·x[i]))`
/// over [`Features::to_array`]. In [0, 1]; non-finite inputs give 0.
pub fn probability(f: &Features) -> f32 {
    let z: f32 = BIAS
        + WEIGHTS
            .iter()
            .zip(f.to_array())
            .map(|(w, x)| w * x)
            .sum::<f32>();
    if z.is_nan() {
        return 0.0;
    }
    1.0 / (1.0 + (-z).exp())
}

// The shipped regression. Fitted by `eval/msrp.py --fit` (L2-regularised
// logistic regression, Newton's method, penalty 1.0 on standardised inputs,
// intercept unpenalised, coefficients mapped back to raw inputs, rounded to six
// significant digits) on the first 70% of the MSRP train file
// (`msr_paraphrase_train.txt`, pairs 1-2,853 in file order); the threshold
// maximises accuracy on those same pairs (0.4207, rounded). The last 30%
// (1,223 pairs) were not used and give the held-out figures of
// docs/embed-notes.md. Model: all-MiniLM-L6-v2; other models need their own
// fit. The signs are those of a fit on correlated inputs, not of each feature
// alone: align_f and bigram_f get negative weights next to align_min and
// word_f, and name mismatches a small positive one (this feature did not help
// on MSRP; it is kept so the fit stays the one measured).

/// Intercept of the shipped regression (see [`WEIGHTS`]).
pub const BIAS: f32 = -8.83232;
/// Coefficients of the shipped regression, in the order of [`FEATURE_NAMES`]
/// (rounded to 6 significant digits). Fitted on MSRP train (first 70%) with
/// all-MiniLM-L6-v2; see the source comment above [`BIAS`] and
/// docs/embed-notes.md.
pub const WEIGHTS: [f32; 9] = [
    2.16254,   // cosine
    -1.94399,  // align_f
    5.67905,   // align_min
    4.95117,   // word_f
    1.00893,   // word_min
    -2.24579,  // bigram_f
    2.95272,   // length_ratio
    -0.642426, // ln1p_number_mismatch
    0.138077,  // ln1p_name_mismatch
];
/// Probability at or above which [`judge`] calls a pair a paraphrase: the
/// accuracy-maximising threshold on the fitting data (0.4207), rounded.
pub const DEFAULT_JUDGE_THRESHOLD: f32 = 0.42;

/// Computes the [`Features`] of a pair. `ea`/`eb` must be the vectors of `a`/`b`
/// from the same model (vectors of different lengths give cosine 0).
pub fn features(a: &str, b: &str, ea: &SentenceVectors, eb: &SentenceVectors) -> Features {
    let (pa, pb) = soft_alignment(ea, eb);
    let align_f = harmonic(pa, pb);
    let wa = words(a);
    let wb = words(b);
    let sa: HashSet<&str> = wa.iter().map(|w| w.lower.as_str()).collect();
    let sb: HashSet<&str> = wb.iter().map(|w| w.lower.as_str()).collect();
    let (word_f, word_min) = set_overlap(&sa, &sb);
    let ba: HashSet<(&str, &str)> = wa
        .windows(2)
        .map(|w| (w[0].lower.as_str(), w[1].lower.as_str()))
        .collect();
    let bb: HashSet<(&str, &str)> = wb
        .windows(2)
        .map(|w| (w[0].lower.as_str(), w[1].lower.as_str()))
        .collect();
    let (bigram_f, _) = set_overlap(&ba, &bb);
    let na: HashSet<String> = numbers(&wa);
    let nb: HashSet<String> = numbers(&wb);
    let number_mismatch = na.symmetric_difference(&nb).count() as f32;
    let name_mismatch = (names_missing(&wa, &sb) + names_missing(&wb, &sa)) as f32;
    let (la, lb) = (wa.len(), wb.len());
    let length_ratio = if la.max(lb) == 0 {
        1.0
    } else {
        la.min(lb) as f32 / la.max(lb) as f32
    };
    Features {
        cosine: cosine(ea.pooled(), eb.pooled()),
        align_f,
        align_min: pa.min(pb),
        word_f,
        word_min,
        bigram_f,
        number_mismatch,
        name_mismatch,
        length_ratio,
    }
}

/// Mean best cosine of `a`'s tokens against `b`'s, and of `b`'s against `a`'s
/// (rows are unit length, so cosines are dot products). (0, 0) when either side
/// has no token or the dimensions differ.
pub fn soft_alignment(a: &SentenceVectors, b: &SentenceVectors) -> (f32, f32) {
    let (best_a, best_b) = best_matches(a, b);
    if best_a.is_empty() || best_b.is_empty() {
        return (0.0, 0.0);
    }
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    (mean(&best_a), mean(&best_b))
}

/// Each token's best cosine against the other side's tokens: one value per
/// token of `a`, then one per token of `b`. Both empty when either side has no
/// token or the dimensions differ.
pub fn best_matches(a: &SentenceVectors, b: &SentenceVectors) -> (Vec<f32>, Vec<f32>) {
    let (n, m) = (a.token_count(), b.token_count());
    if n == 0 || m == 0 || a.dim() != b.dim() {
        return (Vec::new(), Vec::new());
    }
    let mut best_a = Vec::with_capacity(n);
    let mut best_b = vec![f32::NEG_INFINITY; m];
    for ra in a.token_rows() {
        let mut best = f32::NEG_INFINITY;
        for (j, rb) in b.token_rows().enumerate() {
            let d = dot(ra, rb);
            best = best.max(d);
            best_b[j] = best_b[j].max(d);
        }
        best_a.push(best);
    }
    (best_a, best_b)
}

/// Dot product with eight independent partial sums, so the compiler can use
/// SIMD (a single running sum cannot be reordered). Symmetric: `dot(a, b)` and
/// `dot(b, a)` are bit-identical.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

fn harmonic(p: f32, r: f32) -> f32 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

fn set_overlap<T: std::hash::Hash + Eq>(a: &HashSet<T>, b: &HashSet<T>) -> (f32, f32) {
    if a.is_empty() || b.is_empty() {
        let both = a.is_empty() && b.is_empty();
        return if both { (1.0, 1.0) } else { (0.0, 0.0) };
    }
    let common = a.intersection(b).count() as f32;
    let (p, r) = (common / a.len() as f32, common / b.len() as f32);
    (harmonic(p, r), p.min(r))
}

/// A word of a sentence: its lowercase form and whether it began with a capital.
#[derive(Debug)]
struct Word {
    lower: String,
    capital: bool,
}

/// Maximal runs of alphanumeric characters; a `.` or `,` between two digits
/// stays inside the word (`2.5`, `1,000`).
fn words(text: &str) -> Vec<Word> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() {
            let c = chars[i];
            let joins = (c == '.' || c == ',')
                && i > start
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if c.is_alphanumeric() || joins {
                i += 1;
            } else {
                break;
            }
        }
        let w: String = chars[start..i].iter().collect();
        out.push(Word {
            capital: chars[start].is_uppercase(),
            lower: w.to_lowercase(),
        });
    }
    out
}

/// Words with a digit, thousands separators removed.
fn numbers(words: &[Word]) -> HashSet<String> {
    words
        .iter()
        .filter(|w| w.lower.chars().any(|c| c.is_ascii_digit()))
        .map(|w| w.lower.replace(',', ""))
        .collect()
}

/// Capitalised words after the first whose lowercase form is not in `other`.
fn names_missing(words: &[Word], other: &HashSet<&str>) -> usize {
    words
        .iter()
        .skip(1)
        .filter(|w| w.capital && !other.contains(w.lower.as_str()))
        .map(|w| w.lower.as_str())
        .collect::<HashSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Vectors for a sentence whose tokens are the given unit axes of a 4-d space.
    fn axes(tokens: &[usize]) -> SentenceVectors {
        let mut rows = Vec::new();
        let mut pooled = vec![0f32; 4];
        for &t in tokens {
            let mut r = vec![0f32; 4];
            r[t] = 1.0;
            pooled[t] += 1.0;
            rows.extend(r);
        }
        let n = pooled.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        pooled.iter_mut().for_each(|x| *x /= n);
        SentenceVectors::new(pooled, rows, 4).unwrap()
    }

    #[test]
    fn words_keep_numbers_whole() {
        let w: Vec<String> = words("Yucaipa sold it for $2.5 billion, in 1,998 (or 1998).")
            .into_iter()
            .map(|w| w.lower)
            .collect();
        assert_eq!(
            w,
            ["yucaipa", "sold", "it", "for", "2.5", "billion", "in", "1,998", "or", "1998"]
        );
        assert!(words("").is_empty());
        assert!(words(" ,. ").is_empty());
    }

    #[test]
    fn soft_alignment_takes_each_tokens_best_match() {
        // a = [x0, x1], b = [x0, x0, x2]: a's x0 matches (1), x1 nothing (0) → 0.5;
        // b's two x0 match (1, 1), x2 nothing → 2/3.
        let (p, r) = soft_alignment(&axes(&[0, 1]), &axes(&[0, 0, 2]));
        assert!(
            (p - 0.5).abs() < 1e-6 && (r - 2.0 / 3.0).abs() < 1e-6,
            "{p} {r}"
        );
        assert_eq!(soft_alignment(&axes(&[]), &axes(&[0])), (0.0, 0.0));
        let (p, r) = soft_alignment(&axes(&[3, 1]), &axes(&[1, 3]));
        assert!((p - 1.0).abs() < 1e-6 && (r - 1.0).abs() < 1e-6);
    }

    #[test]
    fn lexical_features_count_what_they_say() {
        let v = axes(&[0]);
        let f = features(
            "Yucaipa sold the chain to Safeway in 1998 for $2.5 billion.",
            "Yucaipa sold it to Safeway for $1.8 billion in 1998, Reuters said.",
            &v,
            &v,
        );
        // 2.5 and 1.8 each appear on one side only.
        assert_eq!(f.number_mismatch, 2.0);
        // "Reuters" is the only capitalised word (after the first) missing from the other.
        assert_eq!(f.name_mismatch, 1.0);
        assert!(
            (f.length_ratio - 11.0 / 12.0).abs() < 1e-6,
            "{}",
            f.length_ratio
        );
        // 8 shared word types of 11 and 12.
        assert!((f.word_min - 8.0 / 12.0).abs() < 1e-6, "{}", f.word_min);
        let same = features("The cat sat.", "the cat sat", &v, &v);
        assert_eq!(
            (same.word_f, same.bigram_f, same.length_ratio),
            (1.0, 1.0, 1.0)
        );
        assert_eq!((same.number_mismatch, same.name_mismatch), (0.0, 0.0));
    }

    #[test]
    fn a_sentence_is_a_paraphrase_of_itself_and_differing_numbers_lower_the_score() {
        let v = axes(&[0, 1, 2]);
        let s = "The company sold 1,000 shares on Monday.";
        let same = judge(s, s, &v, &v);
        assert!(same.paraphrase && same.score > 0.9, "{same:?}");
        let other = judge(s, "The company sold 2,000 shares on Monday.", &v, &v);
        assert!(other.score < same.score, "{other:?} vs {same:?}");
        let strict = judge_with(s, s, &v, &v, Threshold::new(1.0).unwrap());
        assert_eq!(strict.score, same.score);
        assert!(!strict.paraphrase);
    }

    #[test]
    fn empty_sentences_give_a_finite_score() {
        let (e, v) = (axes(&[]), axes(&[1]));
        for (a, b, ea, eb) in [("", "", &e, &e), ("", "Some words.", &e, &v)] {
            let j = judge(a, b, ea, eb);
            assert!(
                j.score.is_finite() && (0.0..=1.0).contains(&j.score),
                "{j:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn features_are_symmetric_and_the_score_a_probability(
            a in "[A-Za-z0-9 ,.$]{0,60}",
            b in "[A-Za-z0-9 ,.$]{0,60}",
            ta in proptest::collection::vec(0usize..4, 0..6),
            tb in proptest::collection::vec(0usize..4, 0..6),
        ) {
            let (ea, eb) = (axes(&ta), axes(&tb));
            let ab = features(&a, &b, &ea, &eb);
            let ba = features(&b, &a, &eb, &ea);
            prop_assert_eq!(ab, ba);
            let p = probability(&ab);
            prop_assert!((0.0..=1.0).contains(&p));
        }
    }
}
