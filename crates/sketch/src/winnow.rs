//! Robust winnowing (Schleimer, Wilkerson, Aiken, SIGMOD 2003) over word k-grams.

use crate::shingle::{shingles_into, Shingle};
use crate::ParamError;

/// Seed of the k-gram hash used by winnowing (fixed: fingerprints must be comparable
/// across runs, processes and machines).
pub const WINNOW_SEED: u64 = 0x5EED_0F5C_E7C4;

/// A selected k-gram: its hash and the token index where it starts.
pub type Fingerprint = Shingle;

/// Winnowing settings as a user gives them; validate with [`RawWinnowParams::validate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawWinnowParams {
    /// Tokens per k-gram (noise threshold: shared runs shorter than `k` are invisible).
    pub k: usize,
    /// Window of consecutive k-grams; one fingerprint is kept per window.
    pub w: usize,
}

impl Default for RawWinnowParams {
    /// `k = 4, w = 4`: every shared run of 7 tokens is guaranteed to be seen,
    /// about 0.4 fingerprints per token (chosen by measurement, see DESIGN.md).
    fn default() -> Self {
        RawWinnowParams { k: 4, w: 4 }
    }
}

impl RawWinnowParams {
    /// Checks `1 ≤ k ≤ 32` and `1 ≤ w ≤ 1024`.
    pub fn validate(self) -> Result<WinnowParams, ParamError> {
        if !(1..=32).contains(&self.k) {
            return Err(ParamError::OutOfRange {
                name: "k",
                value: self.k,
                min: 1,
                max: 32,
            });
        }
        if !(1..=1024).contains(&self.w) {
            return Err(ParamError::OutOfRange {
                name: "w",
                value: self.w,
                min: 1,
                max: 1024,
            });
        }
        Ok(WinnowParams(self))
    }
}

/// Validated winnowing settings. Construct with [`RawWinnowParams::validate`] or `default()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WinnowParams(RawWinnowParams);

impl WinnowParams {
    /// Tokens per k-gram.
    pub fn k(&self) -> usize {
        self.0.k
    }
    /// Window in k-grams.
    pub fn w(&self) -> usize {
        self.0.w
    }
    /// The guarantee threshold `w + k − 1`: any shared run of at least this many
    /// unmasked tokens yields a shared fingerprint.
    pub fn guarantee(&self) -> usize {
        self.0.w + self.0.k - 1
    }
}

/// Winnows `keys`: the fingerprints of the token sequence, in position order.
///
/// `mask[i] == true` excludes token `i` (boilerplate): no k-gram containing a masked
/// token is formed. Guarantee: if two sequences share a run of at least
/// `w + k − 1` equal, unmasked keys, both results hold a fingerprint with the same
/// `hash` (taken from inside the run). Sequences with fewer than `w` k-grams keep
/// their smallest k-gram; sequences with no k-gram give no fingerprint.
pub fn winnow(keys: &[u64], mask: Option<&[bool]>, params: &WinnowParams) -> Vec<Fingerprint> {
    let mut scratch = Vec::new();
    let mut out = Vec::new();
    winnow_into(keys, mask, params, &mut scratch, &mut out);
    out
}

/// [`winnow`] with caller-owned buffers: `scratch` is overwritten, fingerprints are
/// appended to `out`.
pub fn winnow_into(
    keys: &[u64],
    mask: Option<&[bool]>,
    params: &WinnowParams,
    scratch: &mut Vec<Shingle>,
    out: &mut Vec<Fingerprint>,
) {
    scratch.clear();
    shingles_into(keys, mask, params.k(), WINNOW_SEED, scratch);
    select(scratch, params.w(), out);
}

/// Robust winnowing over a hash sequence: in each window of `w` consecutive
/// k-grams keep the minimal hash; on ties keep the one the previous window kept if
/// it is still inside, else the rightmost minimum. Each selection is recorded once.
fn select(hs: &[Shingle], w: usize, out: &mut Vec<Fingerprint>) {
    let n = hs.len();
    if n == 0 {
        return;
    }
    let w = w.min(n);
    let rightmost_min = |lo: usize, hi: usize| {
        let mut best = lo;
        for i in lo + 1..=hi {
            if hs[i].hash <= hs[best].hash {
                best = i;
            }
        }
        best
    };
    out.reserve(2 * n / (w + 1) + 1);
    let mut min_i = rightmost_min(0, w - 1);
    out.push(hs[min_i]);
    for r in w..n {
        let lo = r + 1 - w;
        if min_i < lo {
            min_i = rightmost_min(lo, r);
            out.push(hs[min_i]);
        } else if hs[r].hash < hs[min_i].hash {
            min_i = r;
            out.push(hs[min_i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(hashes: &[u64]) -> Vec<Shingle> {
        hashes
            .iter()
            .enumerate()
            .map(|(i, &hash)| Shingle {
                hash,
                pos: i as u32,
            })
            .collect()
    }

    #[test]
    fn paper_example_selects_window_minima() {
        // The hash sequence of the paper's Fig. 2, w = 4.
        let hs = sh(&[
            77, 74, 42, 17, 98, 50, 17, 98, 8, 88, 67, 39, 77, 74, 42, 17, 98,
        ]);
        let mut out = Vec::new();
        select(&hs, 4, &mut out);
        let got: Vec<u64> = out.iter().map(|f| f.hash).collect();
        // Robust winnowing keeps the first 17 while it stays in the window.
        assert_eq!(got, vec![17, 17, 8, 39, 17]);
        let pos: Vec<u32> = out.iter().map(|f| f.pos).collect();
        assert_eq!(pos, vec![3, 6, 8, 11, 15]);
    }

    #[test]
    fn ties_keep_previous_selection() {
        let hs = sh(&[5; 10]);
        let mut out = Vec::new();
        select(&hs, 4, &mut out);
        // Rightmost in the first window (pos 3), then kept until it leaves.
        let pos: Vec<u32> = out.iter().map(|f| f.pos).collect();
        assert_eq!(pos, vec![3, 7]);
    }

    #[test]
    fn short_sequences_keep_their_minimum() {
        let hs = sh(&[9, 3, 7]);
        let mut out = Vec::new();
        select(&hs, 8, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].hash, 3);
    }

    #[test]
    fn params_validate() {
        assert!(RawWinnowParams { k: 0, w: 4 }.validate().is_err());
        assert!(RawWinnowParams { k: 5, w: 0 }.validate().is_err());
        assert_eq!(
            RawWinnowParams::default().validate().unwrap().guarantee(),
            7
        );
    }

    #[test]
    fn density_is_about_two_over_w_plus_one() {
        let keys: Vec<u64> = (0..20_000u64)
            .map(|i| crate::shingle::fmix64(i + 1))
            .collect();
        for w in [4, 8] {
            let p = RawWinnowParams { k: 5, w }.validate().unwrap();
            let d = winnow(&keys, None, &p).len() as f64 / keys.len() as f64;
            let expected = 2.0 / (w as f64 + 1.0);
            assert!(
                (d - expected).abs() < 0.03,
                "w={w}: density {d}, expected {expected}"
            );
        }
    }
}
