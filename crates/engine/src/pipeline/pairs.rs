//! The corpus run: sketch every document, find candidate pairs (fingerprint
//! index with a document-frequency cut-off, and MinHash-LSH), verify them.

use rayon::prelude::*;
use whence_align::SentenceEncoder;
use whence_candidates::{lsh_pairs, Index, IndexBuilder};
use whence_core::Document;
use whence_sketch::MinHasher;

use super::verify::{verify_pairs, VERIFY_BLOCK};
use super::{sketch, PairsOutcome, PipelineConfig, PipelineError, Sketch, Stage};

/// Every verified reuse pair of the corpus.
pub fn pairs(
    docs: &[Document],
    cfg: &PipelineConfig,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
) -> Result<PairsOutcome, PipelineError> {
    pairs_with(docs, cfg, progress, None)
}

/// [`pairs`], verifying with the semantic stage when an `encoder` is given (see
/// [`super::verify_with`]).
pub fn pairs_with(
    docs: &[Document],
    cfg: &PipelineConfig,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
    encoder: Option<&dyn SentenceEncoder>,
) -> Result<PairsOutcome, PipelineError> {
    let Found {
        sketches,
        index,
        pairs: cand,
        lsh_pairs,
        dropped,
    } = find_candidates(docs, cfg, progress)?;
    drop(sketches);
    drop(index);
    let total = cand.len() as u64;
    progress(Stage::Verify, 0, total);
    let report = |stage: Stage, done: u64| progress(stage, done, total);
    let mut found = verify_pairs(docs, &cand, cfg, encoder, &report, VERIFY_BLOCK);
    found.sort_by_key(|p| (p.a, p.b));
    Ok(PairsOutcome {
        pairs: found,
        candidates: cand.len(),
        lsh_pairs,
        dropped_fingerprints: dropped,
    })
}

/// The candidate stage of [`pairs`]: every document's sketch, the fingerprint
/// index (its kept postings and dropped hashes), and the candidate pairs.
pub(crate) struct Found {
    pub sketches: Vec<Sketch>,
    pub index: Index,
    /// Candidate pairs `a < b`, sorted, distinct (index and LSH together).
    pub pairs: Vec<(u32, u32)>,
    pub lsh_pairs: usize,
    pub dropped: u64,
}

/// Sketches every document and finds the candidate pairs.
pub(crate) fn find_candidates(
    docs: &[Document],
    cfg: &PipelineConfig,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
) -> Result<Found, PipelineError> {
    let n = u32::try_from(docs.len()).map_err(|_| PipelineError::TooManyDocuments)?;
    let hasher = MinHasher::new(cfg.minhash);
    let done = std::sync::atomic::AtomicU64::new(0);
    let sketches: Vec<Sketch> = docs
        .par_iter()
        .map(|d| {
            let s = sketch(d, cfg, &hasher);
            let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if k.is_multiple_of(1024) {
                progress(Stage::Sketch, k, u64::from(n));
            }
            s
        })
        .collect();
    progress(Stage::Candidates, 0, 1);
    let mut builder = IndexBuilder::new(cfg.index.clone());
    for (i, s) in sketches.iter().enumerate() {
        builder.add(i as u32, &s.fingerprints)?;
    }
    let mut index = builder.finish()?;
    let dropped = index.stats().dropped_hashes;
    let mut cand: Vec<(u32, u32)> = index
        .take_candidates()
        .into_iter()
        .map(|c| (c.a, c.b))
        .collect();
    let sigs: Vec<&[u32]> = sketches.iter().map(|s| s.signature.as_slice()).collect();
    let (near, _) = lsh_pairs(&sigs, &cfg.lsh);
    let lsh_count = near.len();
    cand.extend(near.into_iter().map(|p| (p.a, p.b)));
    cand.sort_unstable();
    cand.dedup();
    if cfg.cross_source {
        cand.retain(|&(a, b)| !same_source(&docs[a as usize], &docs[b as usize]));
    }
    Ok(Found {
        sketches,
        index,
        pairs: cand,
        lsh_pairs: lsh_count,
        dropped,
    })
}

/// Whether both documents name the same source.
fn same_source(a: &Document, b: &Document) -> bool {
    matches!((&a.meta.site, &b.meta.site), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::corpus;
    use super::super::verify::*;
    use super::super::*;
    use whence_align::SentenceEncoder;
    use whence_cluster::Pick;
    use whence_core::{Document, PassageKind, Span};

    #[test]
    fn pairs_finds_copies_and_is_thread_independent() {
        let docs = corpus();
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| pairs(&docs, &PipelineConfig::default(), &|_, _, _| {}).unwrap())
        };
        let one = run(1);
        let found: Vec<(u32, u32)> = one.pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(found, vec![(0, 2), (0, 3), (2, 3)]);
        let four = run(4);
        let again: Vec<(u32, u32, String)> = four
            .pairs
            .iter()
            .map(|p| (p.a, p.b, p.alignment.summary.relation.as_str().to_owned()))
            .collect();
        let first: Vec<(u32, u32, String)> = one
            .pairs
            .iter()
            .map(|p| (p.a, p.b, p.alignment.summary.relation.as_str().to_owned()))
            .collect();
        assert_eq!(first, again);
        let cl = reuse_clusters(&docs, &one.pairs, Pick::Earliest);
        assert_eq!(cl.len(), 1);
        assert_eq!(cl[0].members, vec![0, 2, 3]);
    }

    #[test]
    fn cross_source_skips_pairs_within_one_source() {
        let mut docs = corpus();
        for (d, site) in docs.iter_mut().zip(["wire", "x", "wire", "blog"]) {
            d.meta.site = Some(site.into());
        }
        let cfg = PipelineConfig {
            cross_source: true,
            ..PipelineConfig::default()
        };
        let found = pairs(&docs, &cfg, &|_, _, _| {}).unwrap();
        let got: Vec<(u32, u32)> = found.pairs.iter().map(|p| (p.a, p.b)).collect();
        // wire and its copy share a source: only the opinion piece's pairs remain
        assert_eq!(got, vec![(0, 3), (2, 3)]);
    }

    #[test]
    fn the_stream_cache_changes_nothing_but_time() {
        let mut docs = corpus();
        // many blocks, sharing documents across blocks
        let base = docs[0].text.clone();
        for i in 0..60 {
            docs.push(Document::new(
                format!("copy{i}"),
                format!("Report {i}. {base} Update {i} follows."),
            ));
        }
        let pairs: Vec<(u32, u32)> = (0..docs.len() as u32)
            .flat_map(|a| (a + 1..docs.len() as u32).map(move |b| (a, b)))
            .collect();
        assert!(pairs.len() > 2000, "{}", pairs.len());
        let run = |cache: usize| {
            let cfg = PipelineConfig {
                stream_cache: cache,
                ..PipelineConfig::default()
            };
            let found = verify_pairs(&docs, &pairs, &cfg, None, &|_, _| {}, 97);
            found
                .iter()
                .map(|p| {
                    let ps: Vec<(Span, Span, PassageKind)> = p
                        .alignment
                        .passages
                        .iter()
                        .map(|x| (x.a, x.b, x.kind))
                        .collect();
                    (p.a, p.b, ps)
                })
                .collect::<Vec<_>>()
        };
        let none = run(0);
        assert!(none.len() > 1000, "{}", none.len());
        assert_eq!(none, run(DEFAULT_STREAM_CACHE));
        assert_eq!(none, run(50_000));
    }

    /// Nearly one direction for every sentence (a small per-sentence tilt by word
    /// count), so the semantic stage matches whatever is eligible; counts calls.
    struct Crude(std::sync::atomic::AtomicUsize);

    impl SentenceEncoder for Crude {
        fn encode(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Some(
                sentences
                    .iter()
                    .map(|s| {
                        let tilt = s.split_whitespace().count() as f32 / 1000.0;
                        let n = (1.0 + tilt * tilt).sqrt();
                        vec![1.0 / n, tilt / n]
                    })
                    .collect(),
            )
        }
    }

    /// (a, b, passages as (a span, b span, kind)) of one pair.
    type PairView = (u32, u32, Vec<(Span, Span, PassageKind)>);

    /// An encoder whose every call fails; counts calls.
    struct Failing(std::sync::atomic::AtomicUsize);

    impl SentenceEncoder for Failing {
        fn encode(&self, _: &[&str]) -> Option<Vec<Vec<f32>>> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            None
        }
    }

    /// [`corpus`] and a rewrite of its first document's first sentence with a
    /// sentence of its own (which the semantic stage can match).
    fn corpus_with_rewrite() -> Vec<Document> {
        let mut docs = corpus();
        docs.push(Document::new(
            "rewrite",
            format!(
                "{} Officials blamed the storm season on a warming climate and urged patience from families.",
                docs[0].text.split_inclusive(". ").next().unwrap()
            ),
        ));
        docs
    }

    #[test]
    fn a_failing_encoder_leaves_the_lexical_pairs() {
        let docs = corpus_with_rewrite();
        let cfg = PipelineConfig::default();
        let view = |o: PairsOutcome| -> Vec<PairView> {
            o.pairs
                .into_iter()
                .map(|p| {
                    let ps = p.alignment.passages.iter().map(|x| (x.a, x.b, x.kind));
                    (p.a, p.b, ps.collect())
                })
                .collect()
        };
        let lexical = view(pairs(&docs, &cfg, &|_, _, _| {}).unwrap());
        let failing = Failing(std::sync::atomic::AtomicUsize::new(0));
        let failed = view(pairs_with(&docs, &cfg, &|_, _, _| {}, Some(&failing)).unwrap());
        assert!(failing.0.load(std::sync::atomic::Ordering::Relaxed) > 0);
        assert!(!lexical.is_empty());
        assert_eq!(lexical, failed);
    }

    #[test]
    fn semantic_pairs_are_thread_independent_and_keep_the_lexical_pairs() {
        let docs = corpus_with_rewrite();
        let run = |threads| {
            let enc = Crude(std::sync::atomic::AtomicUsize::new(0));
            let out = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    pairs_with(&docs, &PipelineConfig::default(), &|_, _, _| {}, Some(&enc))
                        .unwrap()
                });
            let view: Vec<PairView> = out
                .pairs
                .iter()
                .map(|p| {
                    let ps = p.alignment.passages.iter().map(|x| (x.a, x.b, x.kind));
                    (p.a, p.b, ps.collect())
                })
                .collect();
            (view, enc.0.load(std::sync::atomic::Ordering::Relaxed))
        };
        let (one, calls_one) = run(1);
        let (four, _) = run(4);
        assert_eq!(one, four);
        let lexical = pairs(&docs, &PipelineConfig::default(), &|_, _, _| {}).unwrap();
        assert_eq!(one.len(), lexical.pairs.len());
        let paraphrases = |v: &[PairView]| {
            v.iter()
                .flat_map(|p| &p.2)
                .filter(|x| x.2 == PassageKind::Paraphrase)
                .count()
        };
        assert!(paraphrases(&one) > 0, "{one:?}");
        // one block, fewer wanted sentences than a chunk: one call to the encoder
        // for the whole corpus, and the re-verified pairs read the block's table
        assert_eq!(calls_one, 1);
        // each pair as `verify_with` aligns it alone, asking the encoder directly
        let enc = Crude(std::sync::atomic::AtomicUsize::new(0));
        let cfg = PipelineConfig::default()
            .compare
            .without_drift()
            .for_corpus();
        for (a, b, passages) in &one {
            let (da, db) = (&docs[*a as usize], &docs[*b as usize]);
            let (ta, tb) = (
                whence_text::analyze(&da.text),
                whence_text::analyze(&db.text),
            );
            let al = verify_with(da, &ta, db, &tb, &cfg, Some(&enc));
            let direct: Vec<_> = al.passages.iter().map(|x| (x.a, x.b, x.kind)).collect();
            assert_eq!(&direct, passages, "{a} {b}");
        }
    }
}
