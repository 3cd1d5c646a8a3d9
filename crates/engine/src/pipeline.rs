//! Corpus pipelines: `pairs` (every reuse pair, verified), `trace` (one document's
//! sources) and `dedup` (one document per near-duplicate cluster).
//!
//! Flow for `pairs`: each document is analyzed once to its token keys, with its
//! boilerplate masked, giving winnowed fingerprints and a MinHash signature (in
//! parallel); the fingerprints go into an inverted index with a document-frequency
//! cut-off (containment-scored candidates: partial reuse), the signatures into LSH
//! bands (near-duplicate fast path); the union of both candidate sets is verified
//! by the aligner (in blocks; a document's analysis is kept for its later pairs
//! within `PipelineConfig::stream_cache`; drift is not computed, as no corpus
//! output reports it), and only verified pairs are reported, oriented by publication
//! dates when both are known. Output order is sorted, independent of thread count.
//! With a sentence encoder (`*_with`), pairs that show reuse are aligned again with
//! the semantic stage (see [`verify_with`]); in `pairs`, block by block, the
//! sentences a block's reuse pairs need are embedded together in length-sorted
//! batches and kept only for that block, so memory stays bounded and the encoder
//! runs full batches.

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
    /// Embedding the sentences of a verify block's reuse pairs (`pairs` with an
    /// encoder); reported with the verify counts.
    Embed,
}

/// Settings of the corpus pipelines (validated parts).
#[derive(Clone, Debug)]
pub struct PipelineConfig {
    pub compare: Config,
    pub winnow: WinnowParams,
    pub minhash: MinHashParams,
    pub index: IndexConfig,
    pub lsh: LshConfig,
    /// Bytes of token streams `pairs` may keep between verify blocks, so that a
    /// document in several candidate pairs is analyzed once (see `verify_pairs`).
    pub stream_cache: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            compare: Config::default(),
            winnow: WinnowParams::default(),
            minhash: MinHashParams::default(),
            index: IndexConfig::default(),
            lsh: LshConfig::default(),
            stream_cache: DEFAULT_STREAM_CACHE,
        }
    }
}

/// Default [`PipelineConfig::stream_cache`]: 256 MiB.
pub const DEFAULT_STREAM_CACHE: usize = 256 << 20;

/// A verified reuse pair between documents `a` and `b` (indices into the corpus).
#[derive(Clone, Debug)]
pub struct PairResult {
    pub a: u32,
    pub b: u32,
    /// The verified alignment; its `drift` is empty (`pairs` does not look for
    /// drift: use [`crate::compare`] on a pair for it).
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
    let al = align_oriented(a, ta, b, tb, cfg, None);
    match encoder {
        Some(_) if is_reuse(&al) => align_oriented(a, ta, b, tb, cfg, encoder),
        _ => al,
    }
}

/// Aligns two corpus documents, orienting the relation by their dates.
fn align_oriented(
    a: &Document,
    ta: &TokenStream,
    b: &Document,
    tb: &TokenStream,
    cfg: &Config,
    encoder: Option<&dyn SentenceEncoder>,
) -> Alignment {
    let mut al = align_with(
        Side::new(&a.text, ta, &a.boilerplate),
        Side::new(&b.text, tb, &b.boilerplate),
        cfg.align(),
        encoder,
    );
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
    let report = |stage: Stage, done: u64| progress(stage, done, total);
    let mut found = verify_pairs(docs, &cand, cfg, encoder, &report, VERIFY_BLOCK);
    found.sort_by_key(|p| (p.a, p.b));
    Ok(PairsOutcome {
        pairs: found,
        candidates: cand.len(),
        lsh_pairs: lsh_count,
        dropped_fingerprints: dropped,
    })
}

/// Candidate pairs verified per block: the documents of a block are analyzed
/// (those not kept from earlier blocks) before its pairs are aligned in parallel.
const VERIFY_BLOCK: usize = 4096;

/// Approximate heap size of a token stream.
fn stream_bytes(ts: &TokenStream) -> usize {
    ts.tokens.capacity() * std::mem::size_of::<whence_core::Token>()
        + ts.sentences.capacity() * std::mem::size_of::<whence_core::Sentence>()
}

/// Verifies `pairs` (sorted; `a < b`), keeping the pairs that show reuse, in
/// the order of `pairs`.
///
/// With an `encoder`, each block's reuse pairs then go through the semantic stage
/// (see [`semantic_block`]), so the sentences embedded at any time are those of
/// one block.
///
/// A document in several pairs is analyzed once while its token stream can be
/// kept: pairs go in blocks of `block_len` ([`VERIFY_BLOCK`]); after each block the streams
/// no later pair needs are dropped, and if the rest hold more than
/// [`PipelineConfig::stream_cache`] bytes, those needed last are dropped too
/// (analyzed again when their turn comes). The cache changes only the time taken.
fn verify_pairs(
    docs: &[Document],
    pairs: &[(u32, u32)],
    cfg: &PipelineConfig,
    encoder: Option<&dyn SentenceEncoder>,
    progress: &(dyn Fn(Stage, u64) + Sync),
    block_len: usize,
) -> Vec<PairResult> {
    // pairs output does not carry drift; embedding keeps to the reuse envelope
    let compare = cfg.compare.without_drift().with_semantic_envelope();
    // each document's uses (pair positions, ascending), and a cursor into them
    let mut starts = vec![0u32; docs.len() + 1];
    for &(a, b) in pairs {
        starts[a as usize + 1] += 1;
        starts[b as usize + 1] += 1;
    }
    for i in 0..docs.len() {
        starts[i + 1] += starts[i];
    }
    let mut next = starts.clone();
    let mut uses = vec![0u32; 2 * pairs.len()];
    for (k, &(a, b)) in pairs.iter().enumerate() {
        for d in [a, b] {
            uses[next[d as usize] as usize] = k as u32;
            next[d as usize] += 1;
        }
    }
    let mut cursor: Vec<u32> = starts[..docs.len()].to_vec();
    let mut streams: Vec<Option<TokenStream>> = Vec::new();
    streams.resize_with(docs.len(), || None);
    let mut kept: Vec<u32> = Vec::new();
    let mut kept_bytes = 0usize;
    let mut found = Vec::new();
    let mut done = 0usize;
    for block in pairs.chunks(block_len.max(1)) {
        let mut missing: Vec<u32> = block
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .filter(|&d| streams[d as usize].is_none())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let fresh: Vec<TokenStream> = missing
            .par_iter()
            .map(|&d| whence_text::analyze(&docs[d as usize].text))
            .collect();
        for (d, ts) in missing.into_iter().zip(fresh) {
            kept_bytes += stream_bytes(&ts);
            streams[d as usize] = Some(ts);
            kept.push(d);
        }
        let streams_ref = &streams;
        let verified: Vec<PairResult> = block
            .par_iter()
            .filter_map(|&(a, b)| {
                let (da, db) = (&docs[a as usize], &docs[b as usize]);
                let (ta, tb) = (
                    streams_ref[a as usize].as_ref()?,
                    streams_ref[b as usize].as_ref()?,
                );
                let al = verify(da, ta, db, tb, &compare);
                is_reuse(&al).then_some(PairResult {
                    a,
                    b,
                    alignment: al,
                })
            })
            .collect();
        match encoder {
            Some(encoder) => {
                progress(Stage::Embed, done as u64);
                let streams = |d: u32| streams_ref[d as usize].as_ref();
                found.extend(semantic_block(docs, &streams, verified, &compare, encoder));
            }
            None => found.extend(verified),
        }
        done += block.len();
        progress(Stage::Verify, done as u64);
        // drop what no later pair needs; past the budget, what is needed last
        for &(a, b) in block {
            for d in [a as usize, b as usize] {
                while cursor[d] < starts[d + 1] && (uses[cursor[d] as usize] as usize) < done {
                    cursor[d] += 1;
                }
            }
        }
        let next_use = |d: u32| {
            let d = d as usize;
            (cursor[d] < starts[d + 1]).then(|| uses[cursor[d] as usize])
        };
        kept.retain(|&d| {
            let needed = next_use(d).is_some();
            if !needed {
                if let Some(ts) = streams[d as usize].take() {
                    kept_bytes -= stream_bytes(&ts);
                }
            }
            needed
        });
        if kept_bytes > cfg.stream_cache {
            kept.sort_by_key(|&d| (next_use(d), d));
            while kept_bytes > cfg.stream_cache {
                let Some(d) = kept.pop() else { break };
                if let Some(ts) = streams[d as usize].take() {
                    kept_bytes -= stream_bytes(&ts);
                }
            }
        }
    }
    found
}

/// Aligns a block's reuse pairs again with the semantic stage.
///
/// A first pass records, without duplicates, the sentences the stage asks for
/// (answering none, so the alignments stay lexical). They are embedded in calls of
/// [`EMBED_CHUNK`] sentences of similar length (little padding, full batches;
/// sentences embedded before come from the encoder's own cache), kept in a table
/// for this block only, and the pairs are aligned again from that table. One model
/// call per pair would run tiny batches; warming one cache for the whole corpus
/// would hold every vector at once. A sentence whose chunk failed to embed leaves
/// its pairs as the lexical pass found them (the encoder records the failure).
/// The semantic stage only adds passages, so every pair still shows reuse.
fn semantic_block<'t>(
    docs: &[Document],
    streams: &(dyn Fn(u32) -> Option<&'t TokenStream> + Sync),
    found: Vec<PairResult>,
    cfg: &Config,
    encoder: &dyn SentenceEncoder,
) -> Vec<PairResult> {
    let realign = |p: &PairResult, encoder: &dyn SentenceEncoder| {
        let (da, db) = (&docs[p.a as usize], &docs[p.b as usize]);
        let (ta, tb) = (streams(p.a)?, streams(p.b)?);
        Some(align_oriented(da, ta, db, tb, cfg, Some(encoder)))
    };
    let recorder = Recorder::default();
    found.par_iter().for_each(|p| {
        realign(p, &recorder);
    });
    let mut wanted = recorder.into_sentences();
    if wanted.is_empty() {
        return found;
    }
    wanted.sort_by_key(|s| s.len());
    let mut table = Table::default();
    for chunk in wanted.chunks(EMBED_CHUNK) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        if let Some(vectors) = encoder.encode(&refs) {
            if vectors.len() == refs.len() {
                table.vectors.extend(refs.into_iter().zip(vectors));
            }
        }
    }
    found
        .into_par_iter()
        .map(|p| match realign(&p, &table) {
            Some(alignment) => PairResult { alignment, ..p },
            None => p,
        })
        .collect()
}

/// Sentences per encoder call in [`semantic_block`].
const EMBED_CHUNK: usize = 256;

/// Collects, without duplicates and in a thread-independent order, the sentences
/// the semantic stage asks for, and answers none (the aligner then proceeds
/// exactly as without an encoder).
#[derive(Default)]
struct Recorder {
    wanted: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl Recorder {
    fn into_sentences(self) -> Vec<String> {
        self.wanted
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .into_iter()
            .collect()
    }
}

impl SentenceEncoder for Recorder {
    fn encode(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
        let mut w = self.wanted.lock().unwrap_or_else(|p| p.into_inner());
        w.extend(sentences.iter().map(|s| (*s).to_owned()));
        None
    }
}

/// Vectors embedded for one block, answering the aligner from memory; `None`
/// (no semantic stage for the pair) when a sentence is missing.
#[derive(Default)]
struct Table<'s> {
    vectors: std::collections::HashMap<&'s str, Vec<f32>>,
}

impl SentenceEncoder for Table<'_> {
    fn encode(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
        sentences
            .iter()
            .map(|s| self.vectors.get(s).cloned())
            .collect()
    }
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
    /// The verified alignment, without drift (see [`PairResult::alignment`]).
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
    // a trace reports passages, not drift
    let compare = cfg.compare.without_drift();
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
    // each source with its analysis, kept for the content overlap below
    let mut found: Vec<(Source, TokenStream)> = candidates
        .par_iter()
        .filter_map(|&i| {
            let d = &corpus[i as usize];
            let ts = whence_text::analyze(&d.text);
            let al = verify_with(doc, &td, d, &ts, &compare, encoder);
            is_reuse(&al).then_some((
                Source {
                    doc: i,
                    alignment: al,
                },
                ts,
            ))
        })
        .collect();
    found.sort_by(|(x, _), (y, _)| {
        y.alignment
            .summary
            .a_reused
            .total_cmp(&x.alignment.summary.a_reused)
            .then(x.doc.cmp(&y.doc))
    });
    let overlap = content_overlap(
        &td,
        &doc.boilerplate,
        found
            .iter()
            .map(|(s, ts)| (ts, corpus[s.doc as usize].boilerplate.as_slice())),
    );
    let sources: Vec<Source> = found.into_iter().map(|(s, _)| s).collect();
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
        derivation: derivation(overlap, reused_lexical),
    })
}

/// How much of a document's content its sources account for: the vocabulary
/// evidence behind [`derivation`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ContentOverlap {
    /// Share (0–1) of the document's content-word tokens (not function words, not
    /// boilerplate) whose matching key occurs somewhere in the sources; 0 when
    /// there is no source or no content word.
    pub in_sources: f64,
    /// Distinct content-word keys of the document that occur in no source: what the
    /// document adds.
    pub new_words: usize,
}

/// Content overlap of `doc` (its tokens and boilerplate spans, sorted and
/// disjoint) with the union of `sources` (tokens and boilerplate of each).
/// Keys are the analyzer's matching keys (folded, stemmed), so inflections match.
pub fn content_overlap<'a>(
    doc: &TokenStream,
    doc_boilerplate: &[Span],
    sources: impl IntoIterator<Item = (&'a TokenStream, &'a [Span])>,
) -> ContentOverlap {
    let mut vocab = std::collections::HashSet::new();
    for (ts, bp) in sources {
        let m = mask(ts, bp);
        vocab.extend(
            ts.tokens
                .iter()
                .enumerate()
                .filter(|(i, _)| !m.as_ref().is_some_and(|m| m[*i]))
                .map(|(_, t)| t.key),
        );
    }
    let m = mask(doc, doc_boilerplate);
    let content = doc
        .tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| !t.is_stop() && !m.as_ref().is_some_and(|m| m[*i]))
        .map(|(_, t)| t.key);
    let (mut total, mut found) = (0usize, 0usize);
    let mut new = std::collections::HashSet::new();
    for k in content {
        total += 1;
        if vocab.contains(&k) {
            found += 1;
        } else {
            new.insert(k);
        }
    }
    ContentOverlap {
        in_sources: if total == 0 || vocab.is_empty() {
            0.0
        } else {
            found as f64 / total as f64
        },
        new_words: new.len(),
    }
}

/// Below this share of content words found in the sources a document is not derived.
pub const DERIVED_MIN_IN_SOURCES: f64 = 0.6;
/// A derived document adding at most this many new content words is wholly derived.
pub const WHOLLY_MAX_NEW_WORDS: usize = 15;
/// A document this much of which (0–1) is verbatim or edited text of its sources
/// is at least partially derived, whatever its vocabulary.
pub const DERIVED_MIN_LEXICAL: f64 = 0.25;

/// METER class (Gaizauskas et al. 2001) from the vocabulary the sources account for:
/// `non` when fewer than 60% of the document's content words occur in its sources
/// (unless a quarter of it is verbatim or edited source text: `partially`);
/// otherwise `wholly` when it adds at most 15 content words of its own, else
/// `partially`. Fitted on the METER courts stories by
/// `eval/meter_features.py` (cross-validated macro F1 in docs/meter-notes.md);
/// passage coverage (`reused`) was weaker evidence there, since stories written
/// independently on the same court case share quotes and phrasing, and short
/// rewrites of the wire share few 8-word passages. The lexical floor keeps a
/// slanted rewrite that copies a quarter of the wire verbatim but brings its own
/// vocabulary (the case whence was built for) from being called `non`; on METER
/// courts it changes in-sample macro F1 by -0.0005 (docs/meter-notes.md).
pub fn derivation(overlap: ContentOverlap, reused_lexical: f64) -> Derivation {
    if overlap.in_sources < DERIVED_MIN_IN_SOURCES {
        if reused_lexical >= DERIVED_MIN_LEXICAL {
            Derivation::Partially
        } else {
            Derivation::Non
        }
    } else if overlap.new_words <= WHOLLY_MAX_NEW_WORDS {
        Derivation::Wholly
    } else {
        Derivation::Partially
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
            .with_semantic_envelope();
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

    fn overlap(doc: &str, sources: &[&str]) -> ContentOverlap {
        let streams: Vec<TokenStream> = sources.iter().map(|s| whence_text::analyze(s)).collect();
        content_overlap(
            &whence_text::analyze(doc),
            &[],
            streams.iter().map(|ts| (ts, &[][..])),
        )
    }

    #[test]
    fn content_overlap_counts_content_words_by_key() {
        // "judges" matches "judge" by stem; "the", "was", "by" are function words
        let o = overlap(
            "The judges freed the driver.",
            &["A judge freed a driver yesterday."],
        );
        assert_eq!(o.in_sources, 1.0);
        assert_eq!(o.new_words, 0);
        // "angry" and "crowd" are new; "driver" twice counts twice in the share
        let o = overlap(
            "The driver was freed by an angry crowd, the driver said.",
            &["A judge freed a driver yesterday."],
        );
        assert_eq!(o.new_words, 3, "{o:?}"); // angry, crowd, said
        assert!((o.in_sources - 3.0 / 6.0).abs() < 1e-9, "{o:?}");
        // the union of the sources counts
        let o = overlap("Judge and crowd.", &["A judge.", "The crowd."]);
        assert_eq!((o.in_sources, o.new_words), (1.0, 0));
    }

    #[test]
    fn content_overlap_without_sources_or_content_is_zero() {
        assert_eq!(
            overlap("A judge freed a driver.", &[]),
            ContentOverlap {
                in_sources: 0.0,
                new_words: 3
            }
        );
        let o = overlap("It was all of them.", &["It was all of them."]);
        assert_eq!(o.in_sources, 0.0);
        assert_eq!(o.new_words, 0);
    }

    #[test]
    fn content_overlap_leaves_out_boilerplate() {
        let doc = "Judge freed driver. Subscribe newsletter today";
        let bp = [Span::new(20, doc.len())];
        let src = whence_text::analyze("The judge freed the driver.");
        let o = content_overlap(&whence_text::analyze(doc), &bp, [(&src, &[][..])]);
        assert_eq!((o.in_sources, o.new_words), (1.0, 0));
        let o = content_overlap(&whence_text::analyze(doc), &[], [(&src, &[][..])]);
        assert_eq!(o.new_words, 3);
    }

    #[test]
    fn derivation_thresholds() {
        let d = |in_sources, new_words| {
            derivation(
                ContentOverlap {
                    in_sources,
                    new_words,
                },
                0.0,
            )
        };
        assert_eq!(d(0.0, 0), Derivation::Non);
        assert_eq!(d(0.59, 3), Derivation::Non);
        assert_eq!(d(0.6, 15), Derivation::Wholly);
        assert_eq!(d(1.0, 0), Derivation::Wholly);
        assert_eq!(d(0.6, 16), Derivation::Partially);
        assert_eq!(d(0.95, 200), Derivation::Partially);
        // a quarter verbatim or edited: derived, whatever the vocabulary
        let low = ContentOverlap {
            in_sources: 0.3,
            new_words: 80,
        };
        assert_eq!(derivation(low, 0.24), Derivation::Non);
        assert_eq!(derivation(low, 0.25), Derivation::Partially);
    }

    #[test]
    fn trace_calls_a_copy_with_added_reporting_partially_derived() {
        let docs = corpus();
        let added = "Residents of the northern suburbs told reporters that sirens \
            sounded only after midnight, and the mayor promised an independent inquiry \
            into maintenance contracts awarded since the storms of last winter.";
        let story = Document::new("story", format!("{} {added}", docs[0].text));
        let t = trace(&story, &docs[..2], &PipelineConfig::default()).unwrap();
        assert_eq!(t.sources.len(), 1);
        assert_eq!(t.derivation, Derivation::Partially);
    }
}
