//! Fixture-driven tests: alignments of the demo corpus (texts written for this
//! project) as JSON snapshots, plus the facts each snapshot must show.

use std::path::PathBuf;

use whence::report::compare_json;
use whence::{compare, Config, Document, PassageKind, Relation};

fn demo(name: &str) -> Document {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo")
        .join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Document::new(name, text)
}

#[test]
fn reprint_is_one_edited_passage() {
    let (a, b) = (demo("reprint"), demo("wire"));
    let cmp = compare(&a, &b, &Config::default());
    let al = &cmp.alignment;
    // one reused stretch with small edits (dateline, metres/meters): one detection
    assert_eq!(al.passages.len(), 1, "{:#?}", al.passages);
    assert_eq!(al.passages[0].kind, PassageKind::Edited);
    assert!(al.passages[0].score > 0.95);
    assert!(al.summary.a_reused > 0.85);
    // the dropped final paragraph of the wire is new in B
    let novel_b: Vec<&str> = al.novel_b.iter().map(|s| &b.text[s.range()]).collect();
    assert!(
        novel_b
            .iter()
            .any(|t| t.contains("Forecasters expect the rain")),
        "{novel_b:?}"
    );
    insta::assert_json_snapshot!("reprint_vs_wire", compare_json(&cmp));
}

#[test]
fn rewrite_keeps_the_quote_and_paraphrases_the_rest() {
    let (a, b) = (demo("rewrite"), demo("wire"));
    let cmp = compare(&a, &b, &Config::default());
    let al = &cmp.alignment;
    let quote = "The barriers were designed for a storm we expected once in fifty years";
    let q = a.text.find(quote).expect("fixture holds the quote");
    let holding = al
        .passages
        .iter()
        .find(|p| p.a.start() <= q && q + quote.len() <= p.a.end());
    let holding = holding.expect("the quote is inside a passage");
    assert_ne!(holding.kind, PassageKind::Paraphrase);
    assert!(al
        .passages
        .iter()
        .any(|p| p.kind == PassageKind::Paraphrase));
    // the added commentary is novel
    let comment = a
        .text
        .find("This is what happens when politicians")
        .unwrap();
    assert!(al
        .novel_a
        .iter()
        .any(|s| s.start() <= comment && comment < s.end()));
    assert_ne!(al.summary.relation, Relation::Unrelated);
    insta::assert_json_snapshot!("rewrite_vs_wire", compare_json(&cmp));
}

#[test]
fn unrelated_texts_share_nothing() {
    let (a, b) = (demo("unrelated"), demo("wire"));
    let cmp = compare(&a, &b, &Config::default());
    assert!(cmp.alignment.passages.is_empty());
    assert_eq!(cmp.alignment.summary.relation, Relation::Unrelated);
    insta::assert_json_snapshot!("unrelated_vs_wire", compare_json(&cmp));
}

#[test]
fn boilerplate_is_excluded_from_matching_and_fractions() {
    let mut a = demo("reprint");
    let b = demo("wire");
    let plain = compare(&a, &b, &Config::default())
        .alignment
        .summary
        .a_reused;
    // mark the site header and footer as boilerplate: the reused fraction rises
    let body = a.text.find("HARBOUR CITY").unwrap();
    let footer = a.text.find("Copyright").unwrap();
    a.boilerplate = vec![
        whence::Span::new(0, body),
        whence::Span::new(footer, a.text.len()),
    ];
    let cmp = compare(&a, &b, &Config::default());
    assert!(cmp.alignment.summary.a_reused > plain);
    for p in &cmp.alignment.passages {
        assert!(p.a.start() >= body && p.a.end() <= footer);
    }
    let json = compare_json(&cmp);
    assert_eq!(json["a"]["boilerplate"][0], serde_json::json!([0, body]));
}
