//! Verifying candidate pairs: each is aligned, its relation oriented by dates,
//! and kept when it shows reuse. [`verify_pairs`] runs a sorted list of pairs in
//! blocks, analyzing each document once while its token stream fits a budget.

use rayon::prelude::*;
use whence_align::{align_with, SentenceEncoder, Side};
use whence_cluster::{orient, parse_date};
use whence_core::{Alignment, Document, PassageKind, Relation, TokenStream};

use super::{semantic::semantic_block, PairResult, PipelineConfig, Stage};
use crate::Config;

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

pub(crate) fn time_of(doc: &Document) -> Option<whence_cluster::Timestamp> {
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
pub(crate) fn align_oriented(
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
    al.summary = orient(&al.summary, time_of(a), time_of(b));
    al
}

/// Verifies one candidate pair `a < b` (documents numbered in corpus order, with
/// their token streams) as `pairs` does: aligned with `compare` (see
/// [`pair_config`]), judged by the reuse rules, kept when they list it or call
/// it a near-duplicate. The one per-pair rule of [`verify_pairs`] and of
/// distributed runners ([`crate::stages::verify_candidate`]).
pub(crate) fn verify_pair(
    a: u32,
    b: u32,
    (da, ta): (&Document, &TokenStream),
    (db, tb): (&Document, &TokenStream),
    compare: &Config,
    rules: &super::ReuseRules,
) -> Option<PairResult> {
    let mut al = verify(da, ta, db, tb, compare);
    let evidence = super::judge(da, ta, db, tb, &al);
    evidence.apply(da, db, &mut al);
    let duplicate = rules.near_duplicate(&evidence);
    let listed = rules.listed(&evidence, &al);
    (duplicate || listed).then_some(PairResult {
        a,
        b,
        alignment: al,
        evidence,
        duplicate,
        listed,
    })
}

/// The settings `pairs` aligns candidate pairs with: no drift (no corpus output
/// reports it), the semantic stage kept to the reuse envelope.
pub(crate) fn pair_config(cfg: &PipelineConfig) -> Config {
    cfg.compare.without_drift().for_corpus()
}

/// Candidate pairs verified per block: the documents of a block are analyzed
/// (those not kept from earlier blocks) before its pairs are aligned in parallel.
pub(crate) const VERIFY_BLOCK: usize = 4096;

/// Approximate heap size of a token stream.
fn stream_bytes(ts: &TokenStream) -> usize {
    ts.tokens.capacity() * std::mem::size_of::<whence_core::Token>()
        + ts.sentences.capacity() * std::mem::size_of::<whence_core::Sentence>()
}

/// Verifies `pairs` (sorted; `a < b`), keeping the pairs the reuse rules
/// report or call near-duplicates ([`super::reuse`]), in the order of `pairs`.
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
pub(crate) fn verify_pairs(
    docs: &[Document],
    pairs: &[(u32, u32)],
    cfg: &PipelineConfig,
    encoder: Option<&dyn SentenceEncoder>,
    progress: &(dyn Fn(Stage, u64) + Sync),
    block_len: usize,
) -> Vec<PairResult> {
    let compare = crate::stages::pair_config(cfg);
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
                verify_pair(a, b, (da, ta), (db, tb), &compare, &cfg.reuse)
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
