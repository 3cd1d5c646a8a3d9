//! What an alignment of two documents says: passages, drift, novel spans, verdict.

use serde::{Deserialize, Serialize};

use crate::Span;

/// How a passage was reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassageKind {
    /// Identical after normalization (case, Unicode, quotes, spelling variants).
    Verbatim,
    /// The same words with small edits (insertions, deletions, substitutions).
    Edited,
    /// The same content in different words.
    Paraphrase,
}

impl PassageKind {
    /// The contract name (`verbatim`, `edited`, `paraphrase`).
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Verbatim => "verbatim",
            PassageKind::Edited => "edited",
            PassageKind::Paraphrase => "paraphrase",
        }
    }
}

/// A stretch of document A aligned to a stretch of document B.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Passage {
    pub a: Span,
    pub b: Span,
    pub kind: PassageKind,
    /// Similarity in `[0, 1]`: 1 for verbatim, token similarity for edited,
    /// content similarity for paraphrase.
    pub score: f32,
}

/// What changed inside an aligned pair of sentences.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DriftKind {
    /// A number differs ("30 strikes" → "20 strikes").
    Number,
    /// A proper name differs ("Homs" → "Homo").
    Name,
    /// The speaker of a quote or claim differs ("Lebanese sources said" → "a Syrian official").
    Attribution,
}

/// One change between aligned text: the span on each side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drift {
    pub kind: DriftKind,
    pub a: Span,
    pub b: Span,
}

/// The verdict on a pair (the contract names are in [`Relation::as_str`]).
///
/// Derived means the derived side is mostly shared text: at least
/// [`DERIVED_MIN_REUSED`] of it is covered by passages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Both sides at least 80 % reused.
    NearDuplicate,
    /// A is mostly shared text and was written after B (by dates, or by
    /// textual evidence when undated).
    ADerivedFromB,
    /// B is mostly shared text and was written after A.
    BDerivedFromA,
    /// At least one side is mostly shared text, but which was written first is
    /// not established: no dates (or equal ones) and no textual evidence.
    UnknownDirection,
    /// The two share text, but neither is mostly made of it — as when both quote
    /// or summarise a third text, or a follow-up recycles part of an earlier story.
    SharedSource,
    Unrelated,
    /// The shared text is a form filled with different facts (two dividend
    /// notices, two days of one recurring report): no text travelled between
    /// the documents. Decided by the corpus pipelines after alignment; never
    /// reuse, never a near-duplicate.
    Template,
}

/// The share of a side that must be reused text for it to be called derived.
pub const DERIVED_MIN_REUSED: f64 = 0.5;

impl Relation {
    /// The contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::NearDuplicate => "near_duplicate",
            Relation::ADerivedFromB => "a_derived_from_b",
            Relation::BDerivedFromA => "b_derived_from_a",
            Relation::UnknownDirection => "unknown_direction",
            Relation::SharedSource => "shared_source",
            Relation::Unrelated => "unrelated",
            Relation::Template => "template",
        }
    }
}

/// Reused fractions and the verdict.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Fraction of A's non-boilerplate characters covered by passages.
    pub a_reused: f64,
    /// Fraction of B's non-boilerplate characters covered by passages.
    pub b_reused: f64,
    pub relation: Relation,
    /// How sure the verdict is, in `[0, 1]`.
    pub confidence: f64,
}

/// The full result of aligning A with B. Spans are byte spans into each text.
///
/// Invariants: passages are sorted by `a` then `b`; no two passages overlap on A;
/// novel spans are sorted, disjoint, outside passages and outside boilerplate.
#[derive(Clone, Debug, PartialEq)]
pub struct Alignment {
    pub passages: Vec<Passage>,
    pub novel_a: Vec<Span>,
    pub novel_b: Vec<Span>,
    pub drift: Vec<Drift>,
    pub summary: Summary,
}
