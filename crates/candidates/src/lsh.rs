//! MinHash-LSH banding: near-duplicate candidate pairs from signatures.

use rayon::prelude::*;

use crate::LshConfig;

/// A near-duplicate candidate from LSH banding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NearPair {
    /// Smaller document index.
    pub a: u32,
    /// Larger document index.
    pub b: u32,
    /// Estimated Jaccard similarity: fraction of equal signature values.
    pub jaccard: f32,
}

/// Counts describing one LSH run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LshStats {
    /// Signatures banded (non-empty, long enough).
    pub banded: u32,
    /// Signatures skipped: empty or shorter than `bands × rows`.
    pub skipped: u32,
    /// Buckets larger than `max_bucket`, linked as stars.
    pub big_buckets: u64,
    /// Distinct pairs that shared a band, before the Jaccard check.
    pub colliding_pairs: u64,
}

#[inline]
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

fn band_key(band: usize, vals: &[u32]) -> u64 {
    let mut h = mix(band as u64 + 1);
    for &v in vals {
        h = mix(h ^ u64::from(v));
    }
    h
}

/// The band keys of one signature: one per band, in band order; none when the
/// signature is shorter than `bands × rows` (such a document is never banded).
pub fn band_keys(signature: &[u32], config: &LshConfig) -> Vec<u64> {
    let c = config.get();
    if signature.len() < c.bands * c.rows {
        return Vec::new();
    }
    (0..c.bands)
        .map(|band| band_key(band, &signature[band * c.rows..(band + 1) * c.rows]))
        .collect()
}

/// Estimated Jaccard similarity of two signatures: the fraction of equal values.
pub fn estimate_jaccard(a: &[u32], b: &[u32]) -> f32 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let eq = a[..n].iter().zip(&b[..n]).filter(|(x, y)| x == y).count();
    eq as f32 / n as f32
}

/// The colliding pairs of one bucket (`docs` ascending, distinct): every pair, or,
/// when the bucket holds more than `max_bucket` documents, each document with the
/// first (smallest) one only. Returns whether the bucket was linked as a star.
pub fn bucket_pairs(docs: &[u32], config: &LshConfig, mut emit: impl FnMut(u32, u32)) -> bool {
    if config.stars(docs.len()) {
        for &d in &docs[1..] {
            emit(docs[0], d);
        }
        return true;
    }
    for (j, &x) in docs.iter().enumerate() {
        for &y in &docs[j + 1..] {
            emit(x, y);
        }
    }
    false
}

/// A colliding pair `a < b` with its estimated Jaccard similarity, when that
/// reaches `min_jaccard`.
pub fn near_pair(
    a: u32,
    b: u32,
    signature_a: &[u32],
    signature_b: &[u32],
    config: &LshConfig,
) -> Option<NearPair> {
    let j = estimate_jaccard(signature_a, signature_b);
    (j >= config.get().min_jaccard).then_some(NearPair { a, b, jaccard: j })
}

/// Candidate near-duplicate pairs among `signatures` (indexed by document: the
/// document of `signatures[i]` is `i`). Pass an empty slice for a document without a
/// signature. Pairs share at least one band and have estimated Jaccard ≥
/// `min_jaccard`; `a < b`, sorted by `(a, b)`, identical for any thread count.
pub fn lsh_pairs<S: AsRef<[u32]> + Sync>(
    signatures: &[S],
    config: &LshConfig,
) -> (Vec<NearPair>, LshStats) {
    let c = config.get();
    let need = c.bands * c.rows;
    let mut stats = LshStats::default();
    let usable: Vec<u32> = signatures
        .iter()
        .enumerate()
        .filter(|(_, s)| s.as_ref().len() >= need)
        .map(|(i, _)| i as u32)
        .collect();
    stats.banded = usable.len() as u32;
    stats.skipped = (signatures.len() - usable.len()) as u32;
    let per_band: Vec<(Vec<u64>, u64)> = (0..c.bands)
        .into_par_iter()
        .map(|band| {
            let mut keys: Vec<(u64, u32)> = usable
                .iter()
                .map(|&d| {
                    let s = signatures[d as usize].as_ref();
                    (band_key(band, &s[band * c.rows..(band + 1) * c.rows]), d)
                })
                .collect();
            keys.sort_unstable();
            let mut pairs = Vec::new();
            let mut big = 0u64;
            let mut bucket = Vec::new();
            let mut i = 0;
            while i < keys.len() {
                let mut e = i + 1;
                while e < keys.len() && keys[e].0 == keys[i].0 {
                    e += 1;
                }
                bucket.clear();
                bucket.extend(keys[i..e].iter().map(|p| p.1));
                let star = bucket_pairs(&bucket, config, |x, y| {
                    pairs.push((u64::from(x) << 32) | u64::from(y))
                });
                big += u64::from(star);
                i = e;
            }
            (pairs, big)
        })
        .collect();
    let mut all: Vec<u64> = Vec::with_capacity(per_band.iter().map(|p| p.0.len()).sum());
    for (p, big) in per_band {
        all.extend(p);
        stats.big_buckets += big;
    }
    all.par_sort_unstable();
    all.dedup();
    stats.colliding_pairs = all.len() as u64;
    let out: Vec<NearPair> = all
        .par_iter()
        .filter_map(|&k| {
            let (a, b) = ((k >> 32) as u32, k as u32);
            near_pair(
                a,
                b,
                signatures[a as usize].as_ref(),
                signatures[b as usize].as_ref(),
                config,
            )
        })
        .collect();
    (out, stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RawLshConfig;

    fn sig(seed: u64, n: usize) -> Vec<u32> {
        (0..n as u64).map(|i| mix(seed * 1000 + i) as u32).collect()
    }

    #[test]
    fn finds_near_duplicates_and_not_strangers() {
        let a = sig(1, 128);
        let mut b = a.clone();
        for i in (0..128).step_by(10) {
            b[i] ^= 1; // 13 of 128 values differ
        }
        let c = sig(2, 128);
        let sigs = vec![a, Vec::new(), c, b];
        let (pairs, stats) = lsh_pairs(&sigs, &LshConfig::default());
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].a, pairs[0].b), (0, 3));
        assert!((pairs[0].jaccard - 115.0 / 128.0).abs() < 1e-6);
        assert_eq!(stats.skipped, 1);
    }

    #[test]
    fn identical_for_any_thread_count() {
        // 400 signatures in 40 families of near-duplicates plus noise.
        let sigs: Vec<Vec<u32>> = (0..400u64)
            .map(|d| {
                let mut s = sig(d / 10, 128);
                for i in 0..128u64 {
                    if mix(d * 7919 + i) % 100 < 25 {
                        s[i as usize] = mix(d ^ (i << 20)) as u32;
                    }
                }
                s
            })
            .collect();
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| lsh_pairs(&sigs, &LshConfig::default()))
        };
        let (one, s1) = run(1);
        let (four, s4) = run(4);
        assert_eq!(one, four);
        assert_eq!(s1, s4);
        assert!(one.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)));
        // Family members (J ≈ 0.6) are found; strangers are not.
        let within = one.iter().filter(|p| p.a / 10 == p.b / 10).count();
        assert!(within > 40 * 45 * 9 / 10, "{within}");
        assert!(one.iter().all(|p| p.a / 10 == p.b / 10));
    }

    #[test]
    fn band_keys_and_bucket_pairs_rebuild_lsh_pairs() {
        // the pieces a distributed runner uses give lsh_pairs' answer
        let sigs: Vec<Vec<u32>> = (0..60u64)
            .map(|d| {
                let mut s = sig(d / 6, 128);
                for i in (d as usize % 5..128).step_by(9) {
                    s[i] ^= d as u32 + 1;
                }
                s
            })
            .chain([Vec::new(), sig(99, 10)])
            .collect();
        let cfg = RawLshConfig {
            max_bucket: 3,
            ..Default::default()
        }
        .validate()
        .unwrap();
        let mut buckets: std::collections::BTreeMap<(u32, u64), Vec<u32>> = Default::default();
        for (d, s) in sigs.iter().enumerate() {
            for (band, key) in band_keys(s, &cfg).into_iter().enumerate() {
                buckets
                    .entry((band as u32, key))
                    .or_default()
                    .push(d as u32);
            }
        }
        assert_eq!(band_keys(&sigs[60], &cfg).len(), 0);
        assert_eq!(band_keys(&sigs[61], &cfg).len(), 0);
        let mut pairs = std::collections::BTreeSet::new();
        for docs in buckets.values() {
            bucket_pairs(docs, &cfg, |a, b| {
                pairs.insert((a, b));
            });
        }
        let rebuilt: Vec<NearPair> = pairs
            .into_iter()
            .filter_map(|(a, b)| near_pair(a, b, &sigs[a as usize], &sigs[b as usize], &cfg))
            .collect();
        let (want, stats) = lsh_pairs(&sigs, &cfg);
        assert!(stats.big_buckets > 0);
        assert!(want.len() > 50, "{}", want.len());
        assert_eq!(rebuilt, want);
    }

    #[test]
    fn big_buckets_become_stars() {
        let s = sig(3, 128);
        let sigs: Vec<Vec<u32>> = (0..10).map(|_| s.clone()).collect();
        let cfg = RawLshConfig {
            max_bucket: 4,
            ..Default::default()
        }
        .validate()
        .unwrap();
        let (pairs, stats) = lsh_pairs(&sigs, &cfg);
        assert_eq!(pairs.len(), 9);
        assert!(pairs.iter().all(|p| p.a == 0));
        assert_eq!(stats.big_buckets, 42);
    }
}
