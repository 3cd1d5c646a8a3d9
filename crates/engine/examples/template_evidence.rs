//! Prints the template evidence of given pairs of a corpus (diagnostic).
//!
//! ```text
//! cargo run --release -p whence --example template_evidence -- CORPUS PAIRS.jsonl > evidence.jsonl
//! ```
//! CORPUS is read as `whence pairs` reads it (boilerplate marked the same way);
//! PAIRS.jsonl holds `{"a", "b"}` ids (a `pairs` output). One JSON line per pair.

use std::collections::HashMap;
use std::io::BufRead;

use whence::pipeline::verify;
use whence::Config;
use whence_align::{template_evidence, FactCounts, Side};

fn counts(c: FactCounts) -> serde_json::Value {
    serde_json::json!([c.shared, c.only_a, c.only_b])
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [corpus, pairs] = &args[..] else {
        eprintln!("usage: template_evidence CORPUS PAIRS.jsonl");
        std::process::exit(2);
    };
    let spec = whence::ingest::CorpusSpec {
        inputs: vec![corpus.into()],
        ..Default::default()
    };
    let opts = spec.validate().expect("corpus spec");
    let mut loaded = whence::corpus::load(&opts, |_| {}).expect("corpus");
    let cfg = Config::default();
    whence::corpus::mark_boilerplate(&mut loaded.docs, &cfg);
    let docs = &loaded.docs;
    let index: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let compare = cfg.without_drift();
    for line in std::io::BufReader::new(std::fs::File::open(pairs).expect("pairs")).lines() {
        let line = line.expect("line");
        let v: serde_json::Value = serde_json::from_str(&line).expect("json");
        let (Some(a), Some(b)) = (v["a"].as_str(), v["b"].as_str()) else {
            continue;
        };
        let (Some(&ia), Some(&ib)) = (index.get(a), index.get(b)) else {
            eprintln!("unknown pair {a} {b}");
            continue;
        };
        let (da, db) = (&docs[ia], &docs[ib]);
        let (ta, tb) = (
            whence_text::analyze(&da.text),
            whence_text::analyze(&db.text),
        );
        let al = verify(da, &ta, db, &tb, &compare);
        let judged = whence::pipeline::judge(da, &ta, db, &tb, &al);
        let ev = template_evidence(
            &Side::new(&da.text, &ta, &da.boilerplate),
            &Side::new(&db.text, &tb, &db.boilerplate),
            &al,
        );
        println!(
            "{}",
            serde_json::json!({"a": a, "b": b, "relation": al.summary.relation.as_str(),
                "a_reused": al.summary.a_reused, "b_reused": al.summary.b_reused,
                "numbers": counts(ev.numbers), "names": counts(ev.names), "inside": counts(ev.inside),
                "lexical_tokens": ev.lexical_tokens, "lexical_content": ev.lexical_content, "longest": ev.longest_lexical,
                "longest_content": ev.longest_content, "lead_subjects_differ": ev.lead_subjects_differ,
                "headline_subjects_differ": ev.headline_subjects_differ,
                "whole": counts(ev.whole), "form_share": judged.form_share,
                "dated_apart": judged.dated_apart, "template": judged.template,
                "site_wording": judged.site_wording})
        );
    }
}
