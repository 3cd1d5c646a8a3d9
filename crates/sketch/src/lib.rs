//! Sketches of token sequences: winnowing fingerprints and MinHash signatures.
//!
//! Responsibility: turn a document's token keys (`whence_core::Token::key`, stable
//! 64-bit hashes of normalized, stemmed words) into compact, deterministic sketches
//! that the `candidates` stage indexes. It never sees text.
//!
//! - [`winnow`]: robust winnowing (Schleimer, Wilkerson, Aiken 2003) over word
//!   k-grams → [`Fingerprint`]s `{hash, pos}`. Any run of at least `w + k − 1` equal
//!   unmasked keys shared by two sequences yields an equal fingerprint in both —
//!   the basis of partial-reuse candidates.
//! - [`MinHasher`]: one-permutation MinHash with optimal densification over the same
//!   k-gram shingles → [`Signature`], whose [`Signature::jaccard`] estimates the
//!   Jaccard similarity of the shingle sets — the near-duplicate fast path.
//!
//! Masks: `mask[i] == true` marks token `i` as boilerplate; no k-gram containing it
//! is formed, so masked tokens contribute to no fingerprint and no signature.
//! Everything is seeded with fixed constants: equal inputs give equal sketches on
//! every run and machine. Parameters go raw → validated ([`RawWinnowParams`],
//! [`RawMinHashParams`]). Algorithms and invariants: `crates/sketch/DESIGN.md`.
//!
//! ```
//! use whence_sketch::{winnow, MinHasher, MinHashParams, WinnowParams};
//! let a: Vec<u64> = (0..40).collect();
//! let b: Vec<u64> = (20..60).collect(); // shares the run 20..40 (20 tokens ≥ w+k−1 = 7)
//! let p = WinnowParams::default();
//! let (fa, fb) = (winnow(&a, None, &p), winnow(&b, None, &p));
//! assert!(fa.iter().any(|x| fb.iter().any(|y| x.hash == y.hash)));
//!
//! let m = MinHasher::new(MinHashParams::default());
//! assert_eq!(m.signature(&a, None).jaccard(&m.signature(&a, None)), 1.0);
//! // masked tokens contribute nothing: changing them changes no fingerprint
//! let mask: Vec<bool> = (0..40).map(|i| i < 10).collect();
//! let mut c = a.clone();
//! c[3] = 999;
//! assert_eq!(winnow(&a, Some(&mask), &p), winnow(&c, Some(&mask), &p));
//! ```

mod minhash;
mod shingle;
mod winnow;

pub use minhash::{MinHashParams, MinHasher, RawMinHashParams, Signature};
pub use shingle::{shingles_into, Shingle};
pub use winnow::{winnow, winnow_into, Fingerprint, RawWinnowParams, WinnowParams, WINNOW_SEED};

use whence_core::TokenStream;

/// Why sketch parameters were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamError {
    #[error("{name} must be between {min} and {max}, got {value}")]
    OutOfRange {
        name: &'static str,
        value: usize,
        min: usize,
        max: usize,
    },
}

/// The matching keys of a token stream, in order: the input of [`winnow`] and
/// [`MinHasher::signature`].
pub fn token_keys(ts: &TokenStream) -> Vec<u64> {
    ts.tokens.iter().map(|t| t.key).collect()
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn params() -> impl Strategy<Value = WinnowParams> {
        (1usize..=8, 1usize..=12).prop_map(|(k, w)| RawWinnowParams { k, w }.validate().unwrap())
    }

    /// Keys from a small alphabet (many equal hashes and repeated k-grams, so ties
    /// in the window minimum happen) and a mask with a given density.
    fn seq(max: usize, alphabet: u64) -> impl Strategy<Value = (Vec<u64>, Vec<bool>)> {
        prop::collection::vec((0..alphabet, prop::bool::weighted(0.15)), 0..max)
            .prop_map(|v| v.into_iter().unzip())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The winnowing guarantee: a shared run of ≥ w+k−1 unmasked equal keys,
        /// anywhere in two otherwise unrelated, partly masked sequences, yields an
        /// equal fingerprint hash in both.
        #[test]
        fn shared_runs_yield_a_shared_fingerprint(
            p in params(),
            alphabet in prop_oneof![Just(3u64), Just(50), Just(1u64 << 40)],
            (pa, ma) in seq(60, 5), (sa, msa) in seq(60, 5),
            (pb, mb) in seq(60, 7), (sb, msb) in seq(60, 7),
            extra in 0usize..20, run_seed in any::<u64>(),
        ) {
            let len = p.guarantee() + extra;
            let run: Vec<u64> = (0..len as u64)
                .map(|i| shingle::fmix64(run_seed ^ i) % alphabet)
                .collect();
            let clear = vec![false; len];
            let build = |pre: &[u64], mpre: &[bool], suf: &[u64], msuf: &[bool]| {
                let keys: Vec<u64> = pre.iter().chain(&run).chain(suf).copied().collect();
                let mask: Vec<bool> = mpre.iter().chain(&clear).chain(msuf).copied().collect();
                (keys, mask)
            };
            let (ka, mka) = build(&pa, &ma, &sa, &msa);
            let (kb, mkb) = build(&pb, &mb, &sb, &msb);
            let fa: HashSet<u64> = winnow(&ka, Some(&mka), &p).iter().map(|f| f.hash).collect();
            let fb = winnow(&kb, Some(&mkb), &p);
            prop_assert!(fb.iter().any(|f| fa.contains(&f.hash)));
        }

        /// Masked tokens contribute nothing: rewriting their keys leaves every
        /// fingerprint and the signature unchanged; every fingerprint's k-gram is unmasked.
        #[test]
        fn masked_tokens_do_not_contribute((keys, mask) in seq(200, 50), p in params(), noise in any::<u64>()) {
            let changed: Vec<u64> = keys.iter().zip(&mask)
                .map(|(&k, &m)| if m { k ^ noise.max(1) } else { k }).collect();
            let f1 = winnow(&keys, Some(&mask), &p);
            prop_assert_eq!(&f1, &winnow(&changed, Some(&mask), &p));
            for f in &f1 {
                let s = f.pos as usize;
                prop_assert!(s + p.k() <= keys.len());
                prop_assert!(mask[s..s + p.k()].iter().all(|&m| !m));
            }
            let m = MinHasher::new(MinHashParams::default());
            prop_assert_eq!(m.signature(&keys, Some(&mask)), m.signature(&changed, Some(&mask)));
        }

        /// Fingerprints come in strictly increasing position order, and an all-false
        /// mask equals no mask.
        #[test]
        fn positions_increase_and_empty_mask_is_no_mask((keys, _m) in seq(200, 20), p in params()) {
            let f = winnow(&keys, None, &p);
            prop_assert!(f.windows(2).all(|w| w[0].pos < w[1].pos));
            let none = vec![false; keys.len()];
            prop_assert_eq!(f, winnow(&keys, Some(&none), &p));
        }

        /// Jaccard estimates are symmetric, in [0, 1], and 1 for equal inputs.
        #[test]
        fn jaccard_is_symmetric((a, ma) in seq(150, 30), (b, mb) in seq(150, 30)) {
            let m = MinHasher::new(MinHashParams::default());
            let (sa, sb) = (m.signature(&a, Some(&ma)), m.signature(&b, Some(&mb)));
            let j = sa.jaccard(&sb);
            prop_assert_eq!(j, sb.jaccard(&sa));
            prop_assert!((0.0..=1.0).contains(&j));
            if !sa.is_empty() {
                prop_assert_eq!(sa.jaccard(&sa.clone()), 1.0);
            }
        }
    }
}
