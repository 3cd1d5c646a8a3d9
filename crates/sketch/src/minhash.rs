//! MinHash signatures by one-permutation hashing with optimal densification
//! (Li, Owen, Zhang 2012; Shrivastava, ICML 2017).

use crate::shingle::{fmix64, shingles_into, Shingle};
use crate::ParamError;

/// MinHash settings as a user gives them; validate with [`RawMinHashParams::validate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawMinHashParams {
    /// Number of bins (signature length, "num_perm").
    pub num_perm: usize,
    /// Tokens per shingle.
    pub k: usize,
    /// Hash seed; signatures are comparable only between equal parameters.
    pub seed: u64,
}

impl Default for RawMinHashParams {
    /// 128 bins over word 3-gram shingles, seed 1 (3-grams keep the Jaccard of
    /// lightly edited copies high: see DESIGN.md).
    fn default() -> Self {
        RawMinHashParams {
            num_perm: 128,
            k: 3,
            seed: 1,
        }
    }
}

impl RawMinHashParams {
    /// Checks `1 ≤ num_perm ≤ 4096` and `1 ≤ k ≤ 32`.
    pub fn validate(self) -> Result<MinHashParams, ParamError> {
        if !(1..=4096).contains(&self.num_perm) {
            return Err(ParamError::OutOfRange {
                name: "num_perm",
                value: self.num_perm,
                min: 1,
                max: 4096,
            });
        }
        if !(1..=32).contains(&self.k) {
            return Err(ParamError::OutOfRange {
                name: "k",
                value: self.k,
                min: 1,
                max: 32,
            });
        }
        Ok(MinHashParams(self))
    }
}

/// Validated MinHash settings. Construct with [`RawMinHashParams::validate`] or `default()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MinHashParams(RawMinHashParams);

impl MinHashParams {
    /// Signature length.
    pub fn num_perm(&self) -> usize {
        self.0.num_perm
    }
    /// Tokens per shingle.
    pub fn k(&self) -> usize {
        self.0.k
    }
    /// Hash seed.
    pub fn seed(&self) -> u64 {
        self.0.seed
    }
}

/// A fixed-length MinHash signature.
///
/// Invariant: `values.len()` equals the `num_perm` it was made with; an empty
/// signature (no shingle) has every value `u32::MAX` and `empty == true`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    values: Vec<u32>,
    empty: bool,
}

impl Signature {
    /// The bin values.
    pub fn values(&self) -> &[u32] {
        &self.values
    }

    /// True when the text had no shingle (too short or wholly masked).
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Estimated Jaccard similarity of the two shingle sets: the fraction of equal
    /// bins. 0 when either side is empty or the lengths differ.
    pub fn jaccard(&self, other: &Signature) -> f32 {
        if self.empty || other.empty || self.values.len() != other.values.len() {
            return 0.0;
        }
        let eq = self
            .values
            .iter()
            .zip(&other.values)
            .filter(|(a, b)| a == b)
            .count();
        eq as f32 / self.values.len() as f32
    }
}

/// Computes MinHash signatures; cheap to clone, holds only its parameters and buffers.
#[derive(Clone, Debug)]
pub struct MinHasher {
    params: MinHashParams,
}

const EMPTY: u64 = u64::MAX;

impl MinHasher {
    /// A hasher for the validated parameters.
    pub fn new(params: MinHashParams) -> MinHasher {
        MinHasher { params }
    }

    /// The parameters.
    pub fn params(&self) -> &MinHashParams {
        &self.params
    }

    /// Signature of the set of k-gram shingles of `keys` (masked tokens excluded as
    /// in [`crate::winnow`]).
    pub fn signature(&self, keys: &[u64], mask: Option<&[bool]>) -> Signature {
        let mut scratch = Vec::new();
        self.signature_with(keys, mask, &mut scratch)
    }

    /// [`MinHasher::signature`] with a caller-owned scratch buffer.
    pub fn signature_with(
        &self,
        keys: &[u64],
        mask: Option<&[bool]>,
        scratch: &mut Vec<Shingle>,
    ) -> Signature {
        scratch.clear();
        shingles_into(keys, mask, self.params.k(), self.params.seed(), scratch);
        let k = self.params.num_perm();
        // One permutation: the high 32 bits choose the bin, the low 32 bits are the value.
        // Bins keep (value, high bits) so ties never depend on input order.
        let mut bins = vec![EMPTY; k];
        for s in scratch.iter() {
            let h = s.hash;
            let bin = (((h >> 32) * k as u64) >> 32) as usize;
            let v = h.rotate_left(32); // value in the high half: compare values first
            if v < bins[bin] {
                bins[bin] = v;
            }
        }
        if scratch.is_empty() {
            return Signature {
                values: vec![u32::MAX; k],
                empty: true,
            };
        }
        // Optimal densification: an empty bin i borrows from the first non-empty bin
        // of its own pseudo-random probe sequence h(i, 1), h(i, 2), … (bin-local, so the
        // same empty bin in two signatures probes the same bins).
        let mut values = Vec::with_capacity(k);
        let seed = self.params.seed();
        for i in 0..k {
            let mut v = bins[i];
            let mut attempt = 1u64;
            while v == EMPTY {
                if attempt > 64 * k as u64 {
                    // Astronomically unlikely; stay total: take the next filled bin.
                    v = (1..k)
                        .map(|d| bins[(i + d) % k])
                        .find(|&b| b != EMPTY)
                        .unwrap_or(EMPTY);
                    break;
                }
                let probe =
                    fmix64(seed ^ ((i as u64) << 32) ^ attempt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let j = (((probe >> 32) * k as u64) >> 32) as usize;
                v = bins[j];
                attempt += 1;
            }
            values.push((v >> 32) as u32);
        }
        Signature {
            values,
            empty: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: u64, offset: u64) -> Vec<u64> {
        (offset..offset + n).map(|i| fmix64(i + 7)).collect()
    }

    #[test]
    fn identical_texts_estimate_one() {
        let m = MinHasher::new(MinHashParams::default());
        let a = words(300, 0);
        assert_eq!(m.signature(&a, None).jaccard(&m.signature(&a, None)), 1.0);
    }

    #[test]
    fn estimates_are_close_to_true_jaccard() {
        let m = MinHasher::new(MinHashParams::default());
        // Two windows of one long sequence overlapping by `o` tokens (k = 3: each has
        // 998 shingles, o − 2 of them shared).
        for o in [100u64, 500, 800, 950] {
            let a = words(1000, 0);
            let b = words(1000, 1000 - o);
            let inter = (o - 2) as f64;
            let union = (998.0 * 2.0) - inter;
            let truth = inter / union;
            let est = m.signature(&a, None).jaccard(&m.signature(&b, None)) as f64;
            assert!(
                (est - truth).abs() < 0.12,
                "overlap {o}: est {est} truth {truth}"
            );
        }
    }

    #[test]
    fn sparse_sets_are_densified() {
        let m = MinHasher::new(MinHashParams::default());
        let a = words(6, 0); // 4 shingles for 128 bins
        let s = m.signature(&a, None);
        assert!(!s.is_empty());
        assert_eq!(s.jaccard(&m.signature(&a, None)), 1.0);
        let b = words(6, 100);
        assert!(s.jaccard(&m.signature(&b, None)) < 0.2);
    }

    #[test]
    fn empty_input_is_empty_signature() {
        let m = MinHasher::new(MinHashParams::default());
        let s = m.signature(&[1, 2], None);
        assert!(s.is_empty());
        assert_eq!(s.values().len(), 128);
        assert_eq!(s.jaccard(&s), 0.0);
    }

    #[test]
    fn params_validate() {
        assert!(RawMinHashParams {
            num_perm: 0,
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(RawMinHashParams {
            k: 0,
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(RawMinHashParams::default().validate().is_ok());
    }
}
