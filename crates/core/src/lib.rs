//! Vocabulary types shared by every whence stage.
//!
//! This crate answers one question: *what are the nouns of the pipeline?* It holds
//! the identifiers, spans, documents, token streams and alignment results that flow
//! from `ingest` through `text` and `align` to the `engine`, plus the conversion from
//! internal byte offsets to the code-point offsets of the JSON contracts. It does no
//! I/O and contains no algorithm beyond bookkeeping.
//!
//! Main types:
//! - [`DocId`], [`Span`]: a document's identity and a byte range into its text;
//! - [`Document`], [`Meta`]: a text as read, never modified, with its metadata;
//! - [`Token`], [`Sentence`], [`TokenStream`]: the analyzed view the aligner consumes;
//! - [`Passage`], [`PassageKind`], [`Drift`], [`Relation`], [`Alignment`]: what was reused;
//! - [`CharIndex`]: byte offset → code-point offset, for output.
//!
//! ```
//! use whence_core::{CharIndex, Span};
//! let text = "naïve text";
//! let span = Span::new(7, 11); // "text", in bytes
//! assert_eq!(&text[span.range()], "text");
//! let chars = CharIndex::new(text).span_to_chars(span);
//! assert_eq!(chars, (6, 10)); // the same word, in code points
//! ```

mod alignment;
mod document;
mod offsets;
mod span;
mod token;

pub use alignment::{
    Alignment, Drift, DriftKind, Passage, PassageKind, Relation, Summary, DERIVED_MIN_REUSED,
};
pub use document::{DocId, Document, Meta};
pub use offsets::CharIndex;
pub use span::{Span, SpanError};
pub use token::{Sentence, Token, TokenFlags, TokenStream};
