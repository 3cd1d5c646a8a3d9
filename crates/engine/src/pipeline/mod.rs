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

//!
//! Modules, one responsibility each: [`sketch`] (fingerprints and MinHash of one
//! document), [`pairs`] (candidates and the corpus run), [`verify`] (aligning a
//! candidate pair, blocks of pairs with a stream cache), `semantic` (embedding a
//! block's sentences), [`clusters`] (reuse and near-duplicate families),
//! [`dedup`] (which documents a near-duplicate cluster keeps), [`trace`] (one
//! document's sources and its METER class).

pub mod clusters;
pub mod dedup;
pub mod pairs;
pub mod reuse;
mod semantic;
pub mod sketch;
pub mod trace;
pub mod verify;

pub use clusters::{doc_infos, duplicate_clusters, reuse_clusters};
pub use dedup::{dedup, without_boilerplate, Dedup, KeptBy, Reason, Removal, Why};
pub use pairs::{pairs, pairs_with};
pub use reuse::{
    is_template, judge, judge_sides, RawReuseRules, ReuseEvidence, ReuseRules, ReuseRulesError,
    TEMPLATE_SUBSTITUTIONS,
};
pub use sketch::{sketch, Sketch};
pub use trace::{
    content_overlap, derivation, trace, trace_among, trace_with, trace_with_options,
    ContentOverlap, Derivation, SelfMatch, Source, Trace, TraceOptions, DERIVED_MIN_IN_SOURCES,
    DERIVED_MIN_LEXICAL, WHOLLY_MAX_NEW_WORDS,
};
pub use verify::{is_reuse, verify, verify_with};

use whence_candidates::{IndexConfig, LshConfig};
use whence_core::Alignment;
use whence_sketch::{MinHashParams, WinnowParams};

use crate::Config;

/// Why a corpus pipeline failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    #[error("candidate index: {0}")]
    Index(#[from] whence_candidates::IndexError),
    #[error("the corpus has more than {} documents", u32::MAX)]
    TooManyDocuments,
    #[error("the corpus holds no readable document")]
    EmptyCorpus,
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
    /// Which verified pairs are reuse, which are near-duplicates (see [`reuse`]).
    pub reuse: ReuseRules,
    /// Only pairs across sources: candidates whose two documents name the same
    /// source (`meta.site`) are not verified (passim's same-series filter).
    pub cross_source: bool,
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
            reuse: ReuseRules::default(),
            cross_source: false,
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
    /// drift: use [`crate::compare`] on a pair for it). Its relation is
    /// `template` for a template pair, and `near_duplicate` only when lexical
    /// passages make it one ([`ReuseEvidence::apply`]).
    pub alignment: Alignment,
    /// What the reuse rules read about the pair.
    pub evidence: ReuseEvidence,
    /// Near-duplicates for `dedup` ([`ReuseRules::near_duplicate`]).
    pub duplicate: bool,
    /// Listed by `pairs` and joined in reuse clusters ([`ReuseRules::listed`]);
    /// false for a near-duplicate that shares only the site's recurring
    /// wording, kept for `dedup` alone.
    pub listed: bool,
}

/// What `pairs` found, with counts for the summary.
#[derive(Debug, Default)]
pub struct PairsOutcome {
    pub pairs: Vec<PairResult>,
    pub candidates: usize,
    pub lsh_pairs: usize,
    pub dropped_fingerprints: u64,
}

#[cfg(test)]
pub(crate) mod fixtures {
    use whence_core::Document;

    /// A wire story, an unrelated one, a copy with a line added and an opinion
    /// piece quoting its start.
    pub(crate) fn corpus() -> Vec<Document> {
        let wire = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts, the regional emergency service said. Water rose by nearly two metres overnight after three days of heavy rain in the hills above the city.";
        vec![
            Document::new("wire", wire),
            Document::new("market", "The annual spring market opened on Saturday in the old town square, with more than sixty stalls selling cheese, honey, bread and pottery."),
            Document::new("copy", format!("{wire} Schools will stay closed.")),
            Document::new("quote", format!("Opinion. {} That is the story.", &wire[..170])),
        ]
    }
}
