//! Corpus pipelines: `pairs` (every reuse pair, verified), `trace` (one document's
//! sources) and `dedup` (one document per near-duplicate cluster).
//!
//! Flow for `pairs`: each document is analyzed once to its token keys, with its
//! boilerplate masked, giving winnowed fingerprints and a MinHash signature (in
//! parallel); the fingerprints go into an inverted index with a document-frequency
//! cut-off (containment-scored candidates: partial reuse), the signatures into LSH
//! bands (near-duplicate fast path); the union of both candidate sets is verified
//! by the aligner, and only verified pairs are reported, oriented by publication
//! dates when both are known. Output order is sorted, independent of thread count.

use rayon::prelude::*;
use whence_align::{align_with, novel, reused_fraction, SentenceEncoder, Side};
use whence_candidates::{lsh_pairs, IndexBuilder, IndexConfig, LshConfig};
use whence_cluster::{clusters, orient, parse_date, Cluster, DocInfo, Edge, Pick};
use whence_core::{Alignment, Document, PassageKind, Relation, Span, TokenStream};
use whence_sketch::{winnow, MinHashParams, MinHasher, WinnowParams};

use crate::Config;

/// Why a corpus pipeline failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    #[error("candidate index: {0}")]
    Index(#[from] whence_candidates::IndexError),
    #[error("the corpus has more than {} documents", u32::MAX)]
    TooManyDocuments,
}

/// Stages reported to a progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Sketch,
    Candidates,
    Verify,
}

/// Settings of the corpus pipelines (validated parts).
#[derive(Clone, Debug, Default)]
pub struct PipelineConfig {
    pub compare: Config,
    pub winnow: WinnowParams,
    pub minhash: MinHashParams,
    pub index: IndexConfig,
    pub lsh: LshConfig,
}

/// A verified reuse pair between documents `a` and `b` (indices into the corpus).
#[derive(Clone, Debug)]
pub struct PairResult {
    pub a: u32,
    pub b: u32,
    pub alignment: Alignment,
}

/// What `pairs` found, with counts for the summary.
#[derive(Debug, Default)]
pub struct PairsOutcome {
    pub pairs: Vec<PairResult>,
    pub candidates: usize,
    pub lsh_pairs: usize,
    pub dropped_fingerprints: u64,
}

fn mask(ts: &TokenStream, boilerplate: &[Span]) -> Option<Vec<bool>> {
    (!boilerplate.is_empty()).then(|| ts.overlapping(boilerplate))
}

/// Fingerprint hashes and MinHash signature of one document.
fn sketch(doc: &Document, cfg: &PipelineConfig, hasher: &MinHasher) -> (Vec<u64>, Vec<u32>) {
    let ts = whence_text::analyze(&doc.text);
    let keys: Vec<u64> = ts.tokens.iter().map(|t| t.key).collect();
    let m = mask(&ts, &doc.boilerplate);
    let fps: Vec<u64> = winnow(&keys, m.as_deref(), &cfg.winnow)
        .into_iter()
        .map(|f| f.hash)
        .collect();
    let sig = hasher.signature(&keys, m.as_deref()).values().to_vec();
    (fps, sig)
}

/// Does an alignment show reuse worth reporting? A lexical passage, or
/// paraphrase covering a substantial part of one side.
pub fn is_reuse(al: &Alignment) -> bool {
    if al.summary.relation == Relation::Unrelated {
        return false;
    }
    let lexical = al
        .passages
        .iter()
        .any(|p| p.kind != PassageKind::Paraphrase);
    lexical || al.summary.a_reused.max(al.summary.b_reused) >= 0.3
}

fn time_of(doc: &Document) -> Option<whence_cluster::Timestamp> {
    doc.meta.date.as_deref().and_then(parse_date)
}

/// Aligns two corpus documents (boilerplate as marked on them), orienting the
/// relation by their dates.
pub fn verify(
    a: &Document,
    ta: &TokenStream,
    b: &Document,
    tb: &TokenStream,
    cfg: &Config,
) -> Alignment {
    verify_with(a, ta, b, tb, cfg, None)
}

/// [`verify`], with the semantic stage when an `encoder` is given. The pair is
/// first aligned without it; only a pair that shows reuse is aligned again with
/// sentence embeddings, so the embedding cost grows with the reuse found, not with
/// the number of candidates.
pub fn verify_with(
    a: &Document,
    ta: &TokenStream,
    b: &Document,
    tb: &TokenStream,
    cfg: &Config,
    encoder: Option<&dyn SentenceEncoder>,
) -> Alignment {
    let run = |encoder| {
        align_with(
            Side::new(&a.text, ta, &a.boilerplate),
            Side::new(&b.text, tb, &b.boilerplate),
            cfg.align(),
            encoder,
        )
    };
    let mut al = run(None);
    if encoder.is_some() && is_reuse(&al) {
        al = run(encoder);
    }
    al.summary.relation = orient(al.summary.relation, time_of(a), time_of(b));
    al
}

/// Every verified reuse pair of the corpus.
pub fn pairs(
    docs: &[Document],
    cfg: &PipelineConfig,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
) -> Result<PairsOutcome, PipelineError> {
    pairs_with(docs, cfg, progress, None)
}

/// [`pairs`], verifying with the semantic stage when an `encoder` is given (see
/// [`verify_with`]).
pub fn pairs_with(
    docs: &[Document],
    cfg: &PipelineConfig,
    progress: &(dyn Fn(Stage, u64, u64) + Sync),
    encoder: Option<&dyn SentenceEncoder>,
) -> Result<PairsOutcome, PipelineError> {
    let n = u32::try_from(docs.len()).map_err(|_| PipelineError::TooManyDocuments)?;
    let hasher = MinHasher::new(cfg.minhash);
    let done = std::sync::atomic::AtomicU64::new(0);
    let sketches: Vec<(Vec<u64>, Vec<u32>)> = docs
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
    for (i, (fps, _)) in sketches.iter().enumerate() {
        builder.add(i as u32, fps)?;
    }
    let mut index = builder.finish()?;
    let dropped = index.stats().dropped_hashes;
    let mut cand: Vec<(u32, u32)> = index
        .take_candidates()
        .into_iter()
        .map(|c| (c.a, c.b))
        .collect();
    let sigs: Vec<&[u32]> = sketches.iter().map(|(_, s)| s.as_slice()).collect();
    let (near, _) = lsh_pairs(&sigs, &cfg.lsh);
    let lsh_count = near.len();
    cand.extend(near.into_iter().map(|p| (p.a, p.b)));
    cand.sort_unstable();
    cand.dedup();
    drop(sketches);
    let total = cand.len() as u64;
    progress(Stage::Verify, 0, total);
    // verify, grouped by the first document so that it is analyzed once
    let mut groups: Vec<(u32, Vec<u32>)> = Vec::new();
    for &(a, b) in &cand {
        match groups.last_mut() {
            Some((ga, bs)) if *ga == a => bs.push(b),
            _ => groups.push((a, vec![b])),
        }
    }
    let verified = std::sync::atomic::AtomicU64::new(0);
    let mut found: Vec<PairResult> = groups
        .par_iter()
        .flat_map_iter(|(a, bs)| {
            let da = &docs[*a as usize];
            let ta = whence_text::analyze(&da.text);
            let out: Vec<PairResult> = bs
                .iter()
                .filter_map(|&b| {
                    let db = &docs[b as usize];
                    let tb = whence_text::analyze(&db.text);
                    let al = verify_with(da, &ta, db, &tb, &cfg.compare, encoder);
                    is_reuse(&al).then_some(PairResult {
                        a: *a,
                        b,
                        alignment: al,
                    })
                })
                .collect();
            let k = verified.fetch_add(bs.len() as u64, std::sync::atomic::Ordering::Relaxed);
            progress(Stage::Verify, k + bs.len() as u64, total);
            out
        })
        .collect();
    found.sort_by_key(|p| (p.a, p.b));
    Ok(PairsOutcome {
        pairs: found,
        candidates: cand.len(),
        lsh_pairs: lsh_count,
        dropped_fingerprints: dropped,
    })
}

/// Per-document info for clustering (order, length, date).
pub fn doc_infos(docs: &[Document]) -> Vec<DocInfo> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| DocInfo::new(i as u32, d.text.chars().count(), time_of(d)))
        .collect()
}

/// Clusters over the verified pairs whose relation `select` accepts.
fn clusters_where(
    docs: &[Document],
    pairs: &[PairResult],
    pick: Pick,
    select: impl Fn(Relation) -> bool,
) -> Vec<Cluster> {
    let edges: Vec<Edge> = pairs
        .iter()
        .map(|p| Edge {
            a: p.a,
            b: p.b,
            relation: p.alignment.summary.relation,
        })
        .collect();
    clusters(
        docs.len(),
        &edges,
        |e| select(e.relation),
        pick,
        &doc_infos(docs),
    )
}

/// Reuse clusters over verified pairs (every relation but `unrelated`).
pub fn reuse_clusters(docs: &[Document], pairs: &[PairResult], pick: Pick) -> Vec<Cluster> {
    clusters_where(docs, pairs, pick, |r| r != Relation::Unrelated)
}

/// Near-duplicate clusters: pairs whose relation is `near_duplicate`.
pub fn duplicate_clusters(docs: &[Document], pairs: &[PairResult], pick: Pick) -> Vec<Cluster> {
    clusters_where(docs, pairs, pick, |r| r == Relation::NearDuplicate)
}

/// One source of a traced document.
#[derive(Clone, Debug)]
pub struct Source {
    pub doc: u32,
    pub alignment: Alignment,
}

/// The METER derivation classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derivation {
    Wholly,
    Partially,
    Non,
}

impl Derivation {
    pub fn as_str(self) -> &'static str {
        match self {
            Derivation::Wholly => "wholly",
            Derivation::Partially => "partially",
            Derivation::Non => "non",
        }
    }
}

/// What `trace` found.
#[derive(Clone, Debug)]
pub struct Trace {
    pub sources: Vec<Source>,
    /// Fraction of the document's non-boilerplate, non-whitespace characters covered
    /// by passages from all sources together.
    pub reused: f64,
    /// The same, counting only verbatim and edited passages.
    pub reused_lexical: f64,
    pub novel: Vec<Span>,
    pub derivation: Derivation,
}

/// Corpora up to this size are verified document by document; larger ones
/// through the fingerprint index.
const SCAN_ALL: usize = 2000;

/// Finds `doc`'s sources in `corpus`.
pub fn trace(
    doc: &Document,
    corpus: &[Document],
    cfg: &PipelineConfig,
) -> Result<Trace, PipelineError> {
    trace_with(doc, corpus, cfg, None)
}

/// [`trace`], verifying with the semantic stage when an `encoder` is given (see
/// [`verify_with`]).
pub fn trace_with(
    doc: &Document,
    corpus: &[Document],
    cfg: &PipelineConfig,
    encoder: Option<&dyn SentenceEncoder>,
) -> Result<Trace, PipelineError> {
    let td = whence_text::analyze(&doc.text);
    let candidates: Vec<u32> = if corpus.len() <= SCAN_ALL {
        (0..corpus.len() as u32).collect()
    } else {
        let hasher = MinHasher::new(cfg.minhash);
        let mut builder = IndexBuilder::new(cfg.index.clone());
        let fps: Vec<Vec<u64>> = corpus
            .par_iter()
            .map(|d| sketch(d, cfg, &hasher).0)
            .collect();
        for (i, f) in fps.iter().enumerate() {
            builder.add(i as u32, f)?;
        }
        let index = builder.finish()?;
        let (q, _) = sketch(doc, cfg, &hasher);
        index.query(&q)?.into_iter().map(|h| h.doc).collect()
    };
    let mut sources: Vec<Source> = candidates
        .par_iter()
        .filter_map(|&i| {
            let d = &corpus[i as usize];
            let td2 = whence_text::analyze(&d.text);
            let al = verify_with(doc, &td, d, &td2, &cfg.compare, encoder);
            is_reuse(&al).then_some(Source {
                doc: i,
                alignment: al,
            })
        })
        .collect();
    sources.sort_by(|x, y| {
        y.alignment
            .summary
            .a_reused
            .total_cmp(&x.alignment.summary.a_reused)
            .then(x.doc.cmp(&y.doc))
    });
    let all: Vec<Span> = sources
        .iter()
        .flat_map(|s| s.alignment.passages.iter().map(|p| p.a))
        .collect();
    let lexical: Vec<Span> = sources
        .iter()
        .flat_map(|s| {
            s.alignment
                .passages
                .iter()
                .filter(|p| p.kind != PassageKind::Paraphrase)
                .map(|p| p.a)
        })
        .collect();
    let reused = reused_fraction(&doc.text, all.iter().copied(), &doc.boilerplate);
    let reused_lexical = reused_fraction(&doc.text, lexical.into_iter(), &doc.boilerplate);
    let novel = novel(&doc.text, all.into_iter(), &doc.boilerplate);
    Ok(Trace {
        sources,
        reused,
        reused_lexical,
        novel,
        derivation: derivation(reused, reused_lexical),
    })
}

/// METER class from reuse: mostly lexical reuse → wholly; some → partially.
/// Thresholds from the METER courts study in docs/BENCHMARKS.md.
pub fn derivation(reused: f64, reused_lexical: f64) -> Derivation {
    if reused_lexical >= 0.55 || (reused >= 0.9 && reused_lexical >= 0.3) {
        Derivation::Wholly
    } else if reused_lexical >= 0.1 {
        Derivation::Partially
    } else {
        Derivation::Non
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<Document> {
        let wire = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts, the regional emergency service said. Water rose by nearly two metres overnight after three days of heavy rain in the hills above the city.";
        vec![
            Document::new("wire", wire),
            Document::new("market", "The annual spring market opened on Saturday in the old town square, with more than sixty stalls selling cheese, honey, bread and pottery."),
            Document::new("copy", format!("{wire} Schools will stay closed.")),
            Document::new("quote", format!("Opinion. {} That is the story.", &wire[..170])),
        ]
    }

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
    fn trace_finds_the_source_and_classifies() {
        let docs = corpus();
        let t = trace(&docs[3], &docs[..2], &PipelineConfig::default()).unwrap();
        assert_eq!(t.sources.len(), 1);
        assert_eq!(t.sources[0].doc, 0);
        assert!(t.reused > 0.8, "{}", t.reused);
        assert_eq!(t.derivation, Derivation::Wholly);
        let none = trace(&docs[1], &docs[..1], &PipelineConfig::default()).unwrap();
        assert!(none.sources.is_empty());
        assert_eq!(none.derivation, Derivation::Non);
    }
}
