//! Documents as read, with their identity and metadata.

use std::fmt;

use crate::Span;

/// A document identifier: the file stem for files in a directory, the `id` field for
/// JSONL, the URL or record id for WARC. Never empty.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(String);

impl DocId {
    /// Wraps an identifier. An empty string becomes `"-"` so that ids are never empty.
    pub fn new(id: impl Into<String>) -> DocId {
        let id = id.into();
        if id.is_empty() {
            DocId("-".to_owned())
        } else {
            DocId(id)
        }
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a source says about a document besides its text. All optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    pub title: Option<String>,
    /// Publication date as given by the source (ISO 8601 preferred, not enforced).
    pub date: Option<String>,
    pub site: Option<String>,
    pub url: Option<String>,
}

/// A document: an id, its text exactly as read (never rewritten), metadata, the
/// spans of its text that are boilerplate, and the spans whose wording recurs in
/// many documents of its site (a form's fixed words; both sorted, disjoint,
/// within the text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub id: DocId,
    pub text: String,
    pub meta: Meta,
    pub boilerplate: Vec<Span>,
    /// Text whose wording recurs in many documents of the site: the fixed words
    /// of a form (a dividend notice, a daily market report), found from corpus
    /// counts. Not masked: the reuse rules read it to tell a form filled with
    /// other facts from copied text. Empty when not computed.
    pub forms: Vec<Span>,
}

impl Document {
    /// A document with no metadata and no boilerplate.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: DocId::new(id),
            text: text.into(),
            meta: Meta::default(),
            boilerplate: Vec::new(),
            forms: Vec::new(),
        }
    }

    /// The whole text as a span.
    pub fn full_span(&self) -> Span {
        Span::new(0, self.text.len())
    }
}
