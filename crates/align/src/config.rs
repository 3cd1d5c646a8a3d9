//! Aligner settings: raw (as a user writes them) → validated (what `align` accepts).

/// Default sentence-embedding cosine for a semantic paraphrase passage: the
/// cosine threshold chosen for all-MiniLM-L6-v2 on part of MSRP train (the same
/// figure `whence similar` uses; see docs/embed-notes.md).
pub const DEFAULT_SEMANTIC_THRESHOLD: f32 = 0.724;

/// Default similarity for a content-word paraphrase passage (see
/// [`RawAlignConfig::paraphrase_threshold`]).
pub const DEFAULT_PARAPHRASE_THRESHOLD: f32 = 0.28;

/// Similarity a content-word paraphrase needs under the corpus gate (see
/// [`RawAlignConfig::paraphrase_gate`]), chosen with it on paraphrase passages of
/// news read by hand (crates/align/DESIGN.md).
pub const GATED_PARAPHRASE_THRESHOLD: f32 = 0.45;

/// Settings as given by a user or a config file; validate with [`RawAlignConfig::validate`].
#[derive(Clone, Debug, PartialEq)]
pub struct RawAlignConfig {
    /// Length in tokens of the shared word k-grams that seed an alignment.
    pub seed_len: usize,
    /// Fewest matching tokens a lexical passage must hold (unless it covers a whole side).
    pub min_passage_tokens: usize,
    /// Most tokens that may separate two matches of one passage, on either side.
    pub max_gap: usize,
    /// Fewest matched tokens per token of passage length (on the longer side).
    pub min_density: f32,
    /// k-grams occurring more often than this in B are stock phrases and do not seed.
    pub max_seed_occurrences: usize,
    /// Align sentences left unaligned by content-word similarity.
    pub paraphrase: bool,
    /// Sentence similarity (mean of weighted cosine and weighted containment) a
    /// content-word paraphrase passage needs.
    pub paraphrase_threshold: f32,
    /// Fewest shared content words for a paraphrase passage.
    pub paraphrase_min_shared: usize,
    /// The corpus gate: a content-word paraphrase is reported only when it
    /// shows the same facts, not only the same topic — similarity at least
    /// [`GATED_PARAPHRASE_THRESHOLD`] and at least `paraphrase_min_plain` shared
    /// ordinary words. Off for one chosen pair (`compare`, where the user says
    /// the two are related); the corpus pipelines (`pairs`, `trace`, the index)
    /// turn it on, where most candidate pairs are two stories on one topic.
    pub paraphrase_gate: bool,
    /// Fewest shared *ordinary* words (content words that are neither capitalized
    /// nor numbers) a content-word paraphrase needs under the corpus gate: two
    /// sentences that share only names and a topic ("Tory co-chairman Liam Fox
    /// said …") are about the same people, not the same facts.
    pub paraphrase_min_plain: usize,
    /// Sentence-embedding cosine needed for a semantic paraphrase passage (used
    /// only when the aligner is given a sentence encoder).
    pub semantic_threshold: f32,
    /// Fewest content words a sentence must have left unexplained to be embedded.
    pub semantic_min_content: usize,
    /// Embed only sentences inside each side's reuse envelope (from one sentence
    /// before its first reused sentence to one after its last). Off: every
    /// eligible sentence. The corpus pipeline `pairs` turns it on: it cut the
    /// sentences embedded for a 100k-document corpus sevenfold.
    pub semantic_envelope: bool,
    /// Align the short stretches rewritten between two passages already
    /// aligned in the same order (`gaps.rs`; step 10c of DESIGN.md). On for
    /// the one-pair and one-document commands (`compare`, `trace`, an index
    /// query); `pairs` and the index's adds turn it off, where pairs are
    /// judged and listed by their sentence-level evidence alone.
    pub bracketed_gaps: bool,
    /// Look for drift (numbers, names and speakers changed inside reused text).
    /// Callers that do not report it (the corpus pipelines) turn it off: it is
    /// about a tenth of the alignment time.
    pub drift: bool,
}

impl Default for RawAlignConfig {
    fn default() -> Self {
        RawAlignConfig {
            seed_len: 3,
            min_passage_tokens: 8,
            max_gap: 12,
            min_density: 0.5,
            max_seed_occurrences: 64,
            paraphrase: true,
            paraphrase_threshold: DEFAULT_PARAPHRASE_THRESHOLD,
            paraphrase_min_shared: 3,
            paraphrase_gate: false,
            paraphrase_min_plain: 5,
            semantic_threshold: DEFAULT_SEMANTIC_THRESHOLD,
            semantic_min_content: 4,
            semantic_envelope: false,
            bracketed_gaps: true,
            drift: true,
        }
    }
}

/// Why a configuration is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("seed length must be between 1 and 32 tokens, got {0}")]
    SeedLen(usize),
    #[error("minimum passage length must be at least the seed length ({seed}), got {got}")]
    MinPassage { seed: usize, got: usize },
    #[error("{name} must be in [0, 1], got {value}")]
    Fraction { name: &'static str, value: f32 },
    #[error("maximum seed occurrences must be at least 1")]
    MaxOccurrences,
}

/// Validated aligner settings. Construct with [`RawAlignConfig::validate`] or `default()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlignConfig(RawAlignConfig);

impl RawAlignConfig {
    /// Checks ranges and relations between settings.
    pub fn validate(self) -> Result<AlignConfig, ConfigError> {
        if !(1..=32).contains(&self.seed_len) {
            return Err(ConfigError::SeedLen(self.seed_len));
        }
        if self.min_passage_tokens < self.seed_len {
            return Err(ConfigError::MinPassage {
                seed: self.seed_len,
                got: self.min_passage_tokens,
            });
        }
        for (name, value) in [
            ("min_density", self.min_density),
            ("paraphrase_threshold", self.paraphrase_threshold),
            ("semantic_threshold", self.semantic_threshold),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(ConfigError::Fraction { name, value });
            }
        }
        if self.max_seed_occurrences == 0 {
            return Err(ConfigError::MaxOccurrences);
        }
        Ok(AlignConfig(self))
    }
}

impl AlignConfig {
    /// The validated settings.
    pub fn get(&self) -> &RawAlignConfig {
        &self.0
    }

    /// The same settings without drift detection (still valid: drift has no
    /// bounds to check).
    pub fn without_drift(&self) -> AlignConfig {
        AlignConfig(RawAlignConfig {
            drift: false,
            ..self.0.clone()
        })
    }

    /// The same settings with the corpus gate on content-word paraphrases (see
    /// [`RawAlignConfig::paraphrase_gate`]).
    pub fn with_paraphrase_gate(&self) -> AlignConfig {
        AlignConfig(RawAlignConfig {
            paraphrase_gate: true,
            ..self.0.clone()
        })
    }

    /// The same settings without the bracketed-gap stage (see
    /// [`RawAlignConfig::bracketed_gaps`]).
    pub fn without_bracketed_gaps(&self) -> AlignConfig {
        AlignConfig(RawAlignConfig {
            bracketed_gaps: false,
            ..self.0.clone()
        })
    }

    /// The same settings with the semantic stage kept to the reuse envelope
    /// (see [`RawAlignConfig::semantic_envelope`]).
    pub fn with_semantic_envelope(&self) -> AlignConfig {
        AlignConfig(RawAlignConfig {
            semantic_envelope: true,
            ..self.0.clone()
        })
    }
}
