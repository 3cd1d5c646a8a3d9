//! whence: where did this text come from?
//!
//! The library facade. It wires the stage crates (`whence-ingest`, `whence-text`,
//! `whence-align`) into pipelines behind a validated [`Config`], and renders results
//! in the contracts of DESIGN.md §4 (JSON with code-point offsets) and for people
//! (terminal text, a self-contained HTML page).
//!
//! Inputs: [`Document`]s (read them with [`ingest`]). Outputs: a [`Comparison`] and
//! its renderings in [`report`].
//!
//! ```
//! use whence::{compare, Config, Document};
//! let a = Document::new("a", "Hundreds of Iranian troops have arrived in Syria to join a major ground offensive, sources said.");
//! let b = Document::new("b", "BEIRUT: Hundreds of Iranian troops have arrived in Syria to join a major ground offensive, sources said on Thursday.");
//! let cmp = compare(&a, &b, &Config::default());
//! assert_eq!(cmp.alignment.passages.len(), 1);
//! let json = whence::report::compare_json(&cmp);
//! assert_eq!(json["passages"][0]["kind"], "verbatim");
//! ```

pub mod batch;
mod compare;
mod config;
pub mod corpus;
pub mod index;
pub mod index_views;
pub mod pipeline;
pub mod report;
pub mod semantic;
pub mod stages;
pub mod table;

pub use compare::{boilerplate_of, compare, compare_with, Comparison};
pub use config::{Config, ConfigError, RawConfig};
/// Default similarity a content-word paraphrase passage needs (`--paraphrase-threshold`).
pub use whence_align::DEFAULT_PARAPHRASE_THRESHOLD;
pub use whence_cluster as cluster;
pub use whence_core::{
    Alignment, CharIndex, DocId, Document, Meta, Passage, PassageKind, Relation, Span, Summary,
};
pub use whence_ingest as ingest;
