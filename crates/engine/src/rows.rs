//! The rows of the corpus outputs, built once for every surface.
//!
//! `whence pairs`, `whence dedup` and `whence trace` write these rows (through a
//! [`crate::table::TableWriter`] or as one JSON object); the Python module returns
//! them and the Spark job writes them, so a pair, a cluster or a removal reads the
//! same wherever it was computed. Offsets are code points (DESIGN.md §4); scores
//! are rounded to three decimals.
//!
//! ```
//! use whence::{compare, rows, table, Config, Document};
//! let a = Document::new("a", "Flood barriers along the eastern river failed early on Tuesday, forcing thousands to leave.");
//! let b = Document::new("b", "OPINION. Flood barriers along the eastern river failed early on Tuesday, forcing thousands to leave.");
//! let cmp = compare(&a, &b, &Config::default());
//! let row = rows::pair_row(&a, &b, &cmp.alignment, true);
//! let line = table::json_line(rows::PAIR_SCHEMA, row).unwrap();
//! assert!(line.starts_with(r#"{"a":"a","a_reused":1.0,"b":"b","#), "{line}");
//! ```

use serde_json::{json, Value};
use whence_cluster::Pick;
use whence_core::{Alignment, CharIndex, Document, Span};

use crate::pipeline::Trace;
use crate::table::{Cell, ColType, Schema};

/// `pairs` rows: `{"a", "b", "relation", "a_reused", "b_reused", "passages"?}`.
pub const PAIR_SCHEMA: Schema = &[
    ("a", ColType::Str),
    ("b", ColType::Str),
    ("relation", ColType::Str),
    ("a_reused", ColType::F64),
    ("b_reused", ColType::F64),
    ("passages", ColType::Json),
];

/// `pairs --clusters` rows: `{"cluster", "members", "representative"}`.
pub const CLUSTER_SCHEMA: Schema = &[
    ("cluster", ColType::I64),
    ("members", ColType::Json),
    ("representative", ColType::Str),
];

/// Document rows (`extract`, the documents `dedup` keeps).
pub const DOC_SCHEMA: Schema = &[
    ("id", ColType::Str),
    ("text", ColType::Str),
    ("title", ColType::OptStr),
    ("date", ColType::OptStr),
    ("site", ColType::OptStr),
    ("url", ColType::OptStr),
];

/// `dedup --removed` rows: `{"id", "kept", "reason", "cluster", "cluster_size"}`.
pub const REMOVED_SCHEMA: Schema = &[
    ("id", ColType::Str),
    ("kept", ColType::Str),
    ("reason", ColType::Str),
    ("cluster", ColType::I64),
    ("cluster_size", ColType::I64),
];

/// A score as the outputs show it: three decimals.
fn score(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

/// A list of spans of `idx`'s text as `[[start, end], …]` in code points.
pub fn spans_json(idx: &CharIndex, spans: &[Span]) -> Value {
    Value::Array(
        spans
            .iter()
            .map(|&x| {
                let (a, b) = idx.span_to_chars(x);
                json!([a, b])
            })
            .collect(),
    )
}

/// The passages of an alignment of `a` with `b`: `[{"a": [s, e], "b": [s, e],
/// "kind", "score"}, …]` in code points.
pub fn passages_json(a: &Document, b: &Document, al: &Alignment) -> Value {
    let (ia, ib) = (CharIndex::new(&a.text), CharIndex::new(&b.text));
    Value::Array(
        al.passages
            .iter()
            .map(|x| {
                let (a0, a1) = ia.span_to_chars(x.a);
                let (b0, b1) = ib.span_to_chars(x.b);
                json!({"a": [a0, a1], "b": [b0, b1], "kind": x.kind.as_str(),
                       "score": score(x.score)})
            })
            .collect(),
    )
}

/// One `pairs` row (with its passages when `passages`).
pub fn pair_row(a: &Document, b: &Document, al: &Alignment, passages: bool) -> Vec<Cell> {
    let s = &al.summary;
    vec![
        Cell::Str(a.id.to_string()),
        Cell::Str(b.id.to_string()),
        Cell::Str(s.relation.as_str().to_owned()),
        Cell::F64(s.a_reused),
        Cell::F64(s.b_reused),
        if passages {
            Cell::Json(passages_json(a, b, al))
        } else {
            Cell::Null
        },
    ]
}

/// One cluster row: its number, member ids (in reading order), representative.
pub fn cluster_row<'a>(
    cluster: u32,
    members: impl IntoIterator<Item = &'a str>,
    representative: &str,
) -> Vec<Cell> {
    let members: Vec<&str> = members.into_iter().collect();
    vec![
        Cell::I64(i64::from(cluster)),
        Cell::Json(json!(members)),
        Cell::Str(representative.to_owned()),
    ]
}

/// One document row, with `text` (the document's, or without its boilerplate).
pub fn doc_row(doc: &Document, text: String) -> Vec<Cell> {
    let opt = |s: &Option<String>| s.as_ref().map_or(Cell::Null, |v| Cell::Str(v.clone()));
    let m = &doc.meta;
    vec![
        Cell::Str(doc.id.to_string()),
        Cell::Str(text),
        opt(&m.title),
        opt(&m.date),
        opt(&m.site),
        opt(&m.url),
    ]
}

/// How a [`Pick`] reads in a removal's reason.
pub fn pick_name(pick: Pick) -> &'static str {
    match pick {
        Pick::Earliest => "earliest",
        Pick::Longest => "longest",
        Pick::First => "first seen",
    }
}

/// One `dedup --removed` row: document `id` removed for `kept`, in near-duplicate
/// cluster number `cluster` of `size` documents, the representative chosen by `pick`.
pub fn removed_row(id: &str, kept: &str, cluster: usize, size: usize, pick: Pick) -> Vec<Cell> {
    vec![
        Cell::Str(id.to_owned()),
        Cell::Str(kept.to_owned()),
        Cell::Str(format!(
            "near-duplicate of {kept} ({size} documents in the cluster; kept the {})",
            pick_name(pick)
        )),
        Cell::I64(cluster as i64),
        Cell::I64(size as i64),
    ]
}

/// The `trace --json` object of `doc` traced in `corpus` (DESIGN.md §4).
pub fn trace_json(doc: &Document, corpus: &[Document], t: &Trace) -> Value {
    let idx = CharIndex::new(&doc.text);
    let sources: Vec<Value> = t
        .sources
        .iter()
        .map(|s| {
            let src = &corpus[s.doc as usize];
            json!({"id": src.id.as_str(), "reused": s.alignment.summary.a_reused,
                   "relation": s.alignment.summary.relation.as_str(),
                   "passages": passages_json(doc, src, &s.alignment)})
        })
        .collect();
    json!({
        "doc": {"id": doc.id.as_str(), "chars": idx.len_chars(), "boilerplate": spans_json(&idx, &doc.boilerplate)},
        "derivation": t.derivation.as_str(),
        "reused": t.reused,
        "reused_lexical": t.reused_lexical,
        "sources": sources,
        "novel": spans_json(&idx, &t.novel),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::json_line;

    #[test]
    fn pair_rows_give_code_point_offsets_and_rounded_scores() {
        let a = Document::new("a", "Café owners said the new tax on coffee will close small shops across the old town before winter.");
        let b = Document::new("b", "Über alles: Café owners said the new tax on coffee will close small shops across the old town before winter.");
        let cmp = crate::compare(&a, &b, &crate::Config::default());
        let row = pair_row(&a, &b, &cmp.alignment, true);
        let v: Value = serde_json::from_str(&json_line(PAIR_SCHEMA, row).unwrap()).unwrap();
        let p = &v["passages"][0];
        let (s, e) = (
            p["b"][0].as_u64().unwrap() as usize,
            p["b"][1].as_u64().unwrap() as usize,
        );
        let slice: String = b.text.chars().skip(s).take(e - s).collect();
        assert!(slice.starts_with("Café owners"), "{slice}");
        let score = p["score"].as_f64().unwrap();
        assert_eq!((score * 1000.0).round() / 1000.0, score);
        let bare = pair_row(&a, &b, &cmp.alignment, false);
        assert!(!json_line(PAIR_SCHEMA, bare).unwrap().contains("passages"));
    }

    #[test]
    fn removal_reasons_name_the_policy() {
        let row = removed_row("x", "y", 3, 4, Pick::First);
        assert_eq!(
            row[2],
            Cell::Str(
                "near-duplicate of y (4 documents in the cluster; kept the first seen)".into()
            )
        );
        assert_eq!(row[3], Cell::I64(3));
    }
}
