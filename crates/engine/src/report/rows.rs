//! The corpus outputs as rows: `pairs`, clusters, documents (`extract`, `dedup`),
//! removals (`dedup --removed`) and `trace --json`, with the Parquet column types
//! that keep their nesting. Every surface writes these, so a pair or a kept
//! document has the same fields whoever asks.

use serde_json::{json, Map, Value};
use whence_cluster::Cluster;
use whence_core::{CharIndex, Document, Passage, Span, Summary};

use crate::corpus::Fields;
use crate::pipeline::{Dedup, PairResult, Removal, Trace};
use crate::table::{Cell, ColType};

/// A `[start, end)` span in code points.
pub const SPAN: ColType = ColType::List(&ColType::I64);
/// A list of spans (boilerplate, novel text).
pub const SPANS: ColType = ColType::List(&SPAN);
/// One passage: `{"a": span, "b": span, "kind", "score"}`.
pub const PASSAGE: ColType = ColType::Struct(&[
    ("a", SPAN),
    ("b", SPAN),
    ("kind", ColType::Str),
    ("score", ColType::F64),
]);
/// A list of passages.
pub const PASSAGES: ColType = ColType::List(&PASSAGE);

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A span as `[start, end]` in code points.
pub fn span_json(idx: &CharIndex, s: Span) -> Value {
    let (a, b) = idx.span_to_chars(s);
    json!([a, b])
}

/// Spans as `[[start, end], …]` in code points.
pub fn spans_json(idx: &CharIndex, spans: &[Span]) -> Value {
    Value::Array(spans.iter().map(|&s| span_json(idx, s)).collect())
}

/// Passages between texts indexed by `ia` (side a) and `ib` (side b).
pub fn passages_json(ia: &CharIndex, ib: &CharIndex, passages: &[Passage]) -> Value {
    Value::Array(
        passages
            .iter()
            .map(|p| {
                json!({"a": span_json(ia, p.a), "b": span_json(ib, p.b), "kind": p.kind.as_str(),
                       "score": round3(f64::from(p.score))})
            })
            .collect(),
    )
}

/// Columns of `pairs`: `{"a", "b", "a_source"?, "b_source"?, "relation",
/// "confidence", "a_reused", "b_reused", "passages"?}`.
pub const PAIR_COLUMNS: &[(&str, ColType)] = &[
    ("a", ColType::Str),
    ("b", ColType::Str),
    ("a_source", ColType::OptStr),
    ("b_source", ColType::OptStr),
    ("relation", ColType::Str),
    ("confidence", ColType::F64),
    ("a_reused", ColType::F64),
    ("b_reused", ColType::F64),
    ("passages", PASSAGES),
];

fn opt(s: &Option<String>) -> Cell {
    s.as_ref().map_or(Cell::Null, |v| Cell::Str(v.clone()))
}

/// One verified pair as a row of [`PAIR_COLUMNS`]; passages only when asked for.
pub fn pair_row(docs: &[Document], p: &PairResult, with_passages: bool) -> Vec<Cell> {
    pair_row_of(&docs[p.a as usize], &docs[p.b as usize], p, with_passages)
}

/// [`pair_row`] for a caller that holds the pair's two documents `a` (document
/// `p.a`) and `b` (`p.b`) but not the corpus (a distributed runner).
pub fn pair_row_of(a: &Document, b: &Document, p: &PairResult, with_passages: bool) -> Vec<Cell> {
    let s = &p.alignment.summary;
    let passages = if with_passages {
        let (ia, ib) = (CharIndex::new(&a.text), CharIndex::new(&b.text));
        Cell::Json(passages_json(&ia, &ib, &p.alignment.passages))
    } else {
        Cell::Null
    };
    vec![
        Cell::Str(a.id.to_string()),
        Cell::Str(b.id.to_string()),
        opt(&a.meta.site),
        opt(&b.meta.site),
        Cell::Str(s.relation.as_str().to_owned()),
        Cell::F64(s.confidence),
        Cell::F64(s.a_reused),
        Cell::F64(s.b_reused),
        passages,
    ]
}

/// Columns of `pairs --clusters`: `{"cluster", "members", "representative"}`.
pub const CLUSTER_COLUMNS: &[(&str, ColType)] = &[
    ("cluster", ColType::I64),
    ("members", ColType::List(&ColType::Str)),
    ("representative", ColType::Str),
];

/// One cluster as a row of [`CLUSTER_COLUMNS`].
pub fn cluster_row(docs: &[Document], c: &Cluster) -> Vec<Cell> {
    cluster_row_by(c, |m| docs[m as usize].id.as_str())
}

/// A cluster's row with member ids from `id_of` (a document's number to its
/// id): the row of [`cluster_row`] for callers without the documents (the
/// persistent index).
pub fn cluster_row_by<'a>(c: &Cluster, id_of: impl Fn(u32) -> &'a str) -> Vec<Cell> {
    let members: Vec<&str> = c.members.iter().map(|&m| id_of(m)).collect();
    cluster_row_of(c.id.0, &members, id_of(c.representative))
}

/// [`cluster_row`] from a cluster's number, its members' ids (in document
/// order) and its representative's id (a distributed runner's clusters).
pub fn cluster_row_of(cluster: u32, members: &[&str], representative: &str) -> Vec<Cell> {
    vec![
        Cell::I64(i64::from(cluster)),
        Cell::Json(json!(members)),
        Cell::Str(representative.to_owned()),
    ]
}

/// The input field names a document is written back under.
#[derive(Clone, Copy, Debug)]
pub struct DocKeys<'a> {
    /// The id field (a dotted path is written as `id`).
    pub id: &'a str,
    /// The text field.
    pub text: &'a str,
}

impl Default for DocKeys<'_> {
    fn default() -> Self {
        DocKeys {
            id: "id",
            text: "text",
        }
    }
}

/// A document as `extract` and `dedup` write it, the shape every whence command
/// reads back. A document read from a JSON object keeps every field of it
/// (`fields`: author, category, its own `source`…), its text under the text
/// field's name and the id whence gave it under the id field's (`id` when that
/// is a dotted path), so the ids other outputs name (`dedup --removed`) are found
/// in it. Any other document is `{"id", "text", "title"?, "date"?, "site"?,
/// "url"?}`. Both get `"boilerplate"`: the spans found, in code points of the
/// text (omitted when `text` is given instead, as by `dedup --drop-boilerplate`).
pub fn document_object(
    doc: &Document,
    fields: Option<&Fields>,
    keys: DocKeys,
    text: Option<String>,
) -> Map<String, Value> {
    let (mut obj, id_key, text_key) = match fields {
        Some(f) => {
            let id_key = if keys.id.contains('.') { "id" } else { keys.id };
            (f.clone(), id_key, keys.text)
        }
        None => {
            let mut o = Map::new();
            let m = &doc.meta;
            for (k, v) in [
                ("title", &m.title),
                ("date", &m.date),
                ("site", &m.site),
                ("url", &m.url),
            ] {
                if let Some(v) = v {
                    o.insert(k.into(), Value::String(v.clone()));
                }
            }
            (o, "id", "text")
        }
    };
    obj.insert(id_key.to_owned(), Value::String(doc.id.to_string()));
    match text {
        Some(t) => {
            obj.insert(text_key.to_owned(), Value::String(t));
        }
        None => {
            obj.insert(text_key.to_owned(), Value::String(doc.text.clone()));
            let idx = CharIndex::new(&doc.text);
            obj.insert("boilerplate".into(), spans_json(&idx, &doc.boilerplate));
        }
    }
    obj
}

/// The columns for [`document_object`]s: the id and the text first, then the
/// other keys as [`crate::table::infer_columns`] types them (`boilerplate` as
/// spans).
pub fn document_columns<'m>(
    objects: impl IntoIterator<Item = &'m Map<String, Value>>,
    keys: DocKeys,
) -> Vec<(String, ColType)> {
    let mut cols = crate::table::infer_columns(objects);
    for (name, ty) in cols.iter_mut() {
        if name == "boilerplate" {
            *ty = SPANS;
        }
    }
    let rank = |n: &str| match n {
        "id" => 0,
        _ if n == keys.id => 0,
        _ if n == keys.text || n == "text" => 1,
        _ => 2,
    };
    cols.sort_by_key(|(n, _)| rank(n));
    cols
}

/// Columns of `dedup --removed`: `{"id", "kept", "reason", "kept_by",
/// "cluster", "cluster_size"}`.
pub const REMOVED_COLUMNS: &[(&str, ColType)] = &[
    ("id", ColType::Str),
    ("kept", ColType::Str),
    ("reason", ColType::Str),
    ("kept_by", ColType::Str),
    ("cluster", ColType::I64),
    ("cluster_size", ColType::I64),
];

/// One removed document as a row of [`REMOVED_COLUMNS`].
pub fn removal_row(
    docs: &[Document],
    dedup: &Dedup,
    r: &Removal,
    pick: whence_cluster::Pick,
) -> Vec<Cell> {
    let c = &dedup.clusters[r.cluster];
    let why = dedup.why(docs, r, pick);
    removal_row_of(
        docs[r.doc as usize].id.as_str(),
        docs[r.kept as usize].id.as_str(),
        why,
        r.cluster,
        c.members.len(),
    )
}

/// [`removal_row`] from the removed and kept documents' ids, why
/// ([`crate::pipeline::Why::of`]), the cluster's number and size.
pub fn removal_row_of(
    removed: &str,
    kept: &str,
    why: crate::pipeline::Why,
    cluster: usize,
    cluster_size: usize,
) -> Vec<Cell> {
    vec![
        Cell::Str(removed.to_owned()),
        Cell::Str(kept.to_owned()),
        Cell::Str(why.reason.as_str().to_owned()),
        Cell::Str(why.kept_by.as_str().to_owned()),
        Cell::I64(cluster as i64),
        Cell::I64(cluster_size as i64),
    ]
}

/// One line of `pairs --passages` (and of `index add` and `index pairs`):
/// `{"a", "b", "relation", "confidence", "a_reused", "b_reused", "a_source"?,
/// "b_source"?, "passages"?}`; passages only when given.
pub fn pair_json(a: &Document, b: &Document, s: &Summary, passages: Option<&[Passage]>) -> Value {
    let mut v = json!({"a": a.id.as_str(), "b": b.id.as_str(), "relation": s.relation.as_str(),
                       "confidence": s.confidence, "a_reused": s.a_reused, "b_reused": s.b_reused});
    for (k, site) in [("a_source", &a.meta.site), ("b_source", &b.meta.site)] {
        if let Some(site) = site {
            v[k] = json!(site);
        }
    }
    if let Some(p) = passages {
        let (ia, ib) = (CharIndex::new(&a.text), CharIndex::new(&b.text));
        v["passages"] = passages_json(&ia, &ib, p);
    }
    v
}

/// An indexed document as `index get` prints it: `{"id", "text", "title"?,
/// "date"?, "site"?, "url"?, "boilerplate"}`.
pub fn indexed_doc_json(doc: &Document) -> Value {
    let idx = CharIndex::new(&doc.text);
    let mut v = json!({"id": doc.id.as_str(), "text": doc.text});
    let m = &doc.meta;
    for (k, x) in [
        ("title", &m.title),
        ("date", &m.date),
        ("site", &m.site),
        ("url", &m.url),
    ] {
        if let Some(x) = x {
            v[k] = json!(x);
        }
    }
    v["boilerplate"] = spans_json(&idx, &doc.boilerplate);
    v
}

/// `trace --json`: `{"doc": {"id", "chars", "boilerplate", "date"}, "derivation",
/// "reused", "reused_lexical", "sources": [{"id", "source"?, "reused",
/// "reused_lexical", "relation", "later", "passages"}], "novel", "related"}`;
/// `date` is the document's publication time in UTC (RFC 3339) or null;
/// `related` the ids of documents whose wording the derivation counted though
/// none of their passages is reported.
pub fn trace_json(doc: &Document, corpus: &[Document], t: &Trace) -> Value {
    let idx = CharIndex::new(&doc.text);
    let sources: Vec<Value> = t
        .sources
        .iter()
        .map(|s| {
            let src = &corpus[s.doc as usize];
            let is = CharIndex::new(&src.text);
            let mut v = json!({"id": src.id.as_str(), "reused": s.alignment.summary.a_reused,
                   "reused_lexical": s.reused_lexical,
                   "relation": s.alignment.summary.relation.as_str(), "later": s.later,
                   "passages": passages_json(&idx, &is, &s.alignment.passages)});
            if let Some(site) = &src.meta.site {
                v["source"] = json!(site);
            }
            v
        })
        .collect();
    json!({
        "doc": {"id": doc.id.as_str(), "chars": idx.len_chars(), "boilerplate": spans_json(&idx, &doc.boilerplate),
                "date": t.time.map(|t| t.to_string())},
        "derivation": t.derivation.as_str(),
        "reused": t.reused,
        "reused_lexical": t.reused_lexical,
        "sources": sources,
        "novel": spans_json(&idx, &t.novel),
        "related": t.related.iter().map(|&r| corpus[r as usize].id.as_str()).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_keep_their_fields_or_take_the_extract_shape() {
        let mut d = Document::new("n:1", "Ünïcode text. Subscribe!");
        d.boilerplate = vec![Span::new(16, 26)];
        d.meta.site = Some("bbc".into());
        let plain = document_object(&d, None, DocKeys::default(), None);
        assert_eq!(
            Value::Object(plain),
            json!({"id": "n:1", "site": "bbc", "text": "Ünïcode text. Subscribe!", "boilerplate": [[14, 24]]})
        );
        let fields: Fields = json!({"uid": 7, "source": "bbc", "author": "Ann"})
            .as_object()
            .unwrap()
            .clone();
        let keys = DocKeys {
            id: "uid",
            text: "body",
        };
        let kept = document_object(&d, Some(&fields), keys, Some("Ünïcode text.".into()));
        assert_eq!(
            Value::Object(kept),
            json!({"uid": "n:1", "source": "bbc", "author": "Ann", "body": "Ünïcode text."})
        );
        let keys = DocKeys {
            id: "meta.id",
            text: "text",
        };
        let nested = document_object(&d, Some(&fields), keys, Some(String::new()));
        assert_eq!(nested["id"], "n:1");
    }
}
