//! The `compare --json` contract (DESIGN.md §4).

use serde_json::{json, Value};
use whence_core::{CharIndex, Document, Span};

use super::rows::{passages_json, round3, span_json, spans_json};
use crate::Comparison;

fn side(doc: &Document, boilerplate: &[Span], idx: &CharIndex) -> Value {
    json!({"id": doc.id.as_str(), "chars": idx.len_chars(), "boilerplate": spans_json(idx, boilerplate)})
}

/// The comparison as the JSON object of the contract.
pub fn compare_json(cmp: &Comparison) -> Value {
    let (ia, ib) = (CharIndex::new(&cmp.a.text), CharIndex::new(&cmp.b.text));
    let al = &cmp.alignment;
    let drift: Vec<Value> = al
        .drift
        .iter()
        .map(|d| json!({"type": d.kind, "a": span_json(&ia, d.a), "b": span_json(&ib, d.b)}))
        .collect();
    json!({
        "a": side(cmp.a, &cmp.boilerplate_a, &ia),
        "b": side(cmp.b, &cmp.boilerplate_b, &ib),
        "passages": passages_json(&ia, &ib, &al.passages),
        "novel_in_a": spans_json(&ia, &al.novel_a),
        "novel_in_b": spans_json(&ib, &al.novel_b),
        "drift": drift,
        "summary": {
            "a_reused": round3(al.summary.a_reused),
            "b_reused": round3(al.summary.b_reused),
            "relation": al.summary.relation.as_str(),
            "confidence": round3(al.summary.confidence),
        }
    })
}
