//! Candidate pairs from fingerprints: an inverted index with a document-frequency
//! cut-off, containment scores, queries, and MinHash-LSH banding.
//!
//! Responsibility: given each document's fingerprint hashes (from
//! `whence-sketch`'s winnowing) or MinHash signatures, find the pairs worth aligning,
//! without comparing all pairs. Never reads text.
//!
//! - [`IndexBuilder`] → [`Index`]: postings `(hash, doc)` are sorted — in memory up
//!   to `memory_budget`, beyond it in sorted runs spilled to temporary files and
//!   merged (external sort) — then each hash's posting list is scanned once:
//!   lists longer than `max_df` (stock phrases, site chrome) are dropped and
//!   counted (or, with [`Frequent::Star`], linked to their earliest holder), the
//!   others emit one record per document pair; pair records are sorted the same
//!   way and counted. Pairs sharing at least `min_shared` fingerprints and either
//!   `min_containment` of one side or `strong_shared` fingerprints become
//!   [`Candidate`]s scored by containment (shared / each side's fingerprints), so a
//!   short text inside a long one is found. Output is sorted by `(a, b)` and
//!   identical for any thread count.
//! - [`Index::query`]: one document's fingerprints against a built index.
//! - [`lsh_pairs`]: bands of MinHash signatures → [`NearPair`]s (near-duplicate
//!   fast path).
//!
//! ```
//! use whence_candidates::{IndexBuilder, IndexConfig};
//! let mut b = IndexBuilder::new(IndexConfig::default());
//! b.add(0, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
//! b.add(1, &[100, 101, 3, 4, 5, 102]).unwrap(); // shares 3 of its 6 fingerprints
//! b.add(2, &[200, 201, 7]).unwrap();            // shares one: below min_shared = 2
//! let index = b.finish().unwrap();
//! let c = index.candidates();
//! assert_eq!(c.len(), 1);
//! assert_eq!((c[0].a, c[0].b, c[0].shared), (0, 1, 3));
//! assert_eq!(c[0].containment_b, 0.5);
//! let hits = index.query(&[3, 4, 5, 9]).unwrap();
//! assert_eq!(hits[0].doc, 0);
//! ```

mod config;
mod extsort;
mod index;
mod lsh;

pub use config::{ConfigError, Frequent, IndexConfig, LshConfig, RawIndexConfig, RawLshConfig};
pub use index::{select_hits, Hit, Index, IndexBuilder, IndexStats};
pub use lsh::{
    band_keys, bucket_pairs, estimate_jaccard, lsh_pairs, near_pair, LshStats, NearPair,
};

/// A candidate pair: documents `a < b` sharing `shared` distinct fingerprints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    pub a: u32,
    pub b: u32,
    /// Distinct fingerprints (kept after the df cut-off) held by both.
    pub shared: u32,
    /// `shared` / `a`'s kept fingerprints: how much of `a` is in `b`.
    pub containment_a: f32,
    /// `shared` / `b`'s kept fingerprints: how much of `b` is in `a`.
    pub containment_b: f32,
}

impl Candidate {
    /// Containment of the smaller side: `max(containment_a, containment_b)`.
    pub fn containment(&self) -> f32 {
        self.containment_a.max(self.containment_b)
    }
}

/// Why building or querying an index failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    #[error("{what}: {source}")]
    Io {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("document {0} was added twice")]
    DuplicateDoc(u32),
    #[error("the index file lock was poisoned by a panicking thread")]
    Poisoned,
}

impl IndexError {
    pub(crate) fn io(what: &'static str) -> impl Fn(std::io::Error) -> IndexError {
        move |source| IndexError::Io { what, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn build(docs: &[Vec<u64>], config: IndexConfig) -> Index {
        let mut b = IndexBuilder::new(config);
        for (i, d) in docs.iter().enumerate() {
            b.add(i as u32, d).unwrap();
        }
        b.finish().unwrap()
    }

    /// Brute force: all pairs, shared kept hashes, with the same df cut-off.
    /// With `star`, a hash over the cut-off counts only for pairs with its
    /// earliest holder.
    fn brute(
        docs: &[Vec<u64>],
        max_df: usize,
        min_shared: u32,
        star: bool,
    ) -> Vec<(u32, u32, u32)> {
        use std::collections::{BTreeMap, BTreeSet};
        let sets: Vec<BTreeSet<u64>> = docs.iter().map(|d| d.iter().copied().collect()).collect();
        let mut df: BTreeMap<u64, usize> = BTreeMap::new();
        let mut first: BTreeMap<u64, usize> = BTreeMap::new();
        for (i, s) in sets.iter().enumerate() {
            for &h in s {
                *df.entry(h).or_default() += 1;
                first.entry(h).or_insert(i);
            }
        }
        let mut out = Vec::new();
        for a in 0..sets.len() {
            for b in a + 1..sets.len() {
                let shared = sets[a]
                    .intersection(&sets[b])
                    .filter(|h| df[h] <= max_df || (star && first[h] == a))
                    .count() as u32;
                if shared >= min_shared {
                    out.push((a as u32, b as u32, shared));
                }
            }
        }
        out
    }

    fn cfg(max_df: u32, min_shared: u32, budget: usize) -> IndexConfig {
        RawIndexConfig {
            max_df,
            min_shared,
            memory_budget: budget,
            min_containment: 0.0,
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    fn corpus() -> impl Strategy<Value = Vec<Vec<u64>>> {
        prop::collection::vec(prop::collection::vec(0u64..300, 0..60), 0..40)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Candidates equal the brute-force pairs, in memory and through the spill
        /// path (64 KiB budget: 2,048 postings per run), and in 1 or 4 threads.
        #[test]
        fn candidates_match_brute_force(
            docs in corpus(), max_df in 2u32..12, min_shared in 1u32..4, star in any::<bool>(),
        ) {
            let want = brute(&docs, max_df as usize, min_shared, star);
            let frequent = if star { Frequent::Star } else { Frequent::Drop };
            let mut results = Vec::new();
            for (threads, budget) in [(1, 1 << 30), (4, 1 << 30), (1, 1 << 16), (4, 1 << 16)] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let c = RawIndexConfig { frequent, ..cfg(max_df, min_shared, budget).get().clone() };
                let idx = pool.install(|| build(&docs, c.validate().unwrap()));
                let got: Vec<(u32, u32, u32)> = idx.candidates().iter().map(|c| (c.a, c.b, c.shared)).collect();
                prop_assert_eq!(&got, &want);
                results.push(idx.candidates().to_vec());
            }
            prop_assert!(results.windows(2).all(|w| w[0] == w[1]));
        }
    }

    #[test]
    fn spill_path_with_tiny_budget_matches_memory() {
        // 3,000 documents × 60 hashes: 180,000 postings, far over a 64 KiB budget.
        let docs: Vec<Vec<u64>> = (0..3000u64)
            .map(|d| {
                (0..60u64)
                    .map(|i| (d / 3) * 1000 + i + if d % 3 == 2 { 30 } else { 0 })
                    .collect()
            })
            .collect();
        let mem = build(&docs, cfg(64, 2, 1 << 30));
        let disk = build(&docs, cfg(64, 2, 1 << 16));
        assert!(!mem.on_disk());
        assert!(disk.on_disk());
        assert!(disk.stats().spill_runs > 10, "{:?}", disk.stats());
        assert_eq!(mem.stats().spill_runs, 0);
        assert_eq!(mem.candidates(), disk.candidates());
        // Triples (3t, 3t+1, 3t+2): 0–1 share 60, 0–2 and 1–2 share 30.
        assert_eq!(mem.candidates().len(), 3000);
        let c = &mem.candidates()[..3];
        assert_eq!((c[0].a, c[0].b, c[0].shared), (0, 1, 60));
        assert_eq!(
            (c[1].a, c[1].b, c[1].shared, c[1].containment_b),
            (0, 2, 30, 0.5)
        );
        // Queries agree between the in-memory and the on-disk postings.
        for q in [&docs[0], &docs[2], &docs[2999], &vec![5, 1005, 2_000_059]] {
            assert_eq!(mem.query(q).unwrap(), disk.query(q).unwrap());
        }
        let hits = disk.query(&docs[2]).unwrap();
        assert_eq!(
            hits.iter().map(|h| (h.doc, h.shared)).collect::<Vec<_>>(),
            vec![(2, 60), (0, 30), (1, 30)]
        );
        assert_eq!(hits[1].containment, 0.5);
    }

    #[test]
    fn frequent_fingerprints_are_dropped_and_counted() {
        // 100 pages of one site share 5 chrome fingerprints; pages 0 and 1 also
        // share 3 body fingerprints. Only (0, 1) may pair.
        let docs: Vec<Vec<u64>> = (0..100u64)
            .map(|d| {
                let mut v: Vec<u64> = (0..5).collect();
                v.extend((0..10).map(|i| 1000 + d * 100 + i));
                if d < 2 {
                    v.extend([77_000, 77_001, 77_002]);
                }
                v
            })
            .collect();
        let idx = build(&docs, cfg(50, 2, 1 << 30));
        assert_eq!(idx.stats().dropped_hashes, 5);
        assert_eq!(idx.stats().dropped_postings, 500);
        let c = idx.candidates();
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].a, c[0].b, c[0].shared), (0, 1, 3));
        // Containment is over kept fingerprints: 3 of 13.
        assert!((c[0].containment_a - 3.0 / 13.0).abs() < 1e-6);
        // Queries ignore dropped hashes in the denominator too.
        let hits = idx.query(&[0, 1, 2, 77_000, 77_001]).unwrap();
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].containment, 1.0);
        // With a high cut-off, chrome pairs every page.
        let noisy = build(&docs, cfg(1000, 2, 1 << 30));
        assert_eq!(noisy.candidates().len(), 100 * 99 / 2);
        // Star: every page links to page 0 only (linear, not quadratic), in memory
        // and on disk; queries match the frequent hashes against the hub only.
        for budget in [1 << 30, 1 << 16] {
            let c = RawIndexConfig {
                frequent: Frequent::Star,
                ..cfg(50, 2, budget).get().clone()
            };
            let star = build(&docs, c.validate().unwrap());
            let c = star.candidates();
            assert_eq!(c.len(), 99);
            assert!(c.iter().all(|p| p.a == 0));
            assert_eq!((c[0].b, c[0].shared), (1, 8));
            assert_eq!(star.stats().pair_records, 99 * 5 + 3);
            let hits = star.query(&[0, 1, 2, 1050]).unwrap();
            assert_eq!(
                hits.iter().map(|h| (h.doc, h.shared)).collect::<Vec<_>>(),
                vec![(0, 3)]
            );
        }
    }

    #[test]
    fn min_containment_filters_and_duplicates_are_refused() {
        let docs = vec![(0..100).collect::<Vec<u64>>(), (98..300).collect()];
        let c = RawIndexConfig {
            min_containment: 0.05,
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert!(build(&docs, c.clone()).candidates().is_empty()); // 2 / 100 and 2 / 202
        let hits = build(&docs, c.clone()).query(&docs[0]).unwrap();
        assert_eq!(hits.iter().map(|h| h.doc).collect::<Vec<_>>(), vec![0]);
        assert_eq!(build(&docs, cfg(64, 2, 1 << 30)).candidates().len(), 1);
        // Six shared fingerprints pass on their own (strong_shared = 6).
        let docs = vec![(0..100).collect::<Vec<u64>>(), (94..300).collect()];
        assert_eq!(build(&docs, c).candidates().len(), 1);
        let mut b = IndexBuilder::new(IndexConfig::default());
        b.add(3, &[1]).unwrap();
        assert!(matches!(b.add(3, &[2]), Err(IndexError::DuplicateDoc(3))));
    }

    #[test]
    fn add_batch_equals_add() {
        let docs: Vec<Vec<u64>> = (0..50u64)
            .map(|d| (0..40).map(|i| (d * 7 + i * 13) % 200).collect())
            .collect();
        let one = build(&docs, IndexConfig::default());
        let mut b = IndexBuilder::new(IndexConfig::default());
        let mut batch: Vec<(u32, Vec<u64>)> = docs
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, d)| (i as u32, d))
            .collect();
        b.add_batch(&mut batch).unwrap();
        let two = b.finish().unwrap();
        assert_eq!(one.candidates(), two.candidates());
        assert_eq!(one.stats(), two.stats());
    }
}
