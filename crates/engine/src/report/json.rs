//! The `compare --json` contract (DESIGN.md §4).

use serde_json::{json, Value};
use whence_core::{CharIndex, Document, Span};

use crate::Comparison;

fn span(idx: &CharIndex, s: Span) -> Value {
    let (a, b) = idx.span_to_chars(s);
    json!([a, b])
}

fn spans(idx: &CharIndex, s: &[Span]) -> Value {
    Value::Array(s.iter().map(|&x| span(idx, x)).collect())
}

fn side(doc: &Document, boilerplate: &[Span], idx: &CharIndex) -> Value {
    json!({"id": doc.id.as_str(), "chars": idx.len_chars(), "boilerplate": spans(idx, boilerplate)})
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The comparison as the JSON object of the contract.
pub fn compare_json(cmp: &Comparison) -> Value {
    let (ia, ib) = (CharIndex::new(&cmp.a.text), CharIndex::new(&cmp.b.text));
    let al = &cmp.alignment;
    let passages: Vec<Value> = al
        .passages
        .iter()
        .map(|p| {
            json!({"a": span(&ia, p.a), "b": span(&ib, p.b), "kind": p.kind.as_str(),
                   "score": round3(f64::from(p.score))})
        })
        .collect();
    let drift: Vec<Value> = al
        .drift
        .iter()
        .map(|d| json!({"type": d.kind, "a": span(&ia, d.a), "b": span(&ib, d.b)}))
        .collect();
    json!({
        "a": side(cmp.a, &cmp.boilerplate_a, &ia),
        "b": side(cmp.b, &cmp.boilerplate_b, &ib),
        "passages": passages,
        "novel_in_a": spans(&ia, &al.novel_a),
        "novel_in_b": spans(&ib, &al.novel_b),
        "drift": drift,
        "summary": {
            "a_reused": round3(al.summary.a_reused),
            "b_reused": round3(al.summary.b_reused),
            "relation": al.summary.relation.as_str(),
            "confidence": round3(al.summary.confidence),
        }
    })
}
