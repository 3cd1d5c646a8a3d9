//! The real `whence` binary, run in temporary directories.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn whence() -> Command {
    Command::new(env!("CARGO_BIN_EXE_whence"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo(name: &str) -> PathBuf {
    repo().join("demo").join(name)
}

fn run(args: &[&str]) -> Output {
    whence().args(args).output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "exit {:?}: {}", o.status, stderr(o));
    serde_json::from_slice(&o.stdout).expect("stdout is JSON")
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn json_output_follows_the_contract() {
    let out = run(&[
        "compare",
        p(&demo("rewrite.txt")),
        p(&demo("wire.txt")),
        "--json",
    ]);
    let v = json(&out);
    for key in [
        "a",
        "b",
        "passages",
        "novel_in_a",
        "novel_in_b",
        "drift",
        "summary",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["a"]["id"], "rewrite");
    let text = std::fs::read_to_string(demo("rewrite.txt")).unwrap();
    assert_eq!(v["a"]["chars"], text.chars().count());
    let kinds = ["verbatim", "edited", "paraphrase"];
    for pa in v["passages"].as_array().unwrap() {
        assert!(kinds.contains(&pa["kind"].as_str().unwrap()));
        assert!(pa["a"][0].as_u64().unwrap() < pa["a"][1].as_u64().unwrap());
    }
    let rel = v["summary"]["relation"].as_str().unwrap();
    assert!([
        "near_duplicate",
        "a_derived_from_b",
        "b_derived_from_a",
        "shared_source",
        "unrelated"
    ]
    .contains(&rel));
}

#[test]
fn text_output_snapshot() {
    let out = run(&[
        "compare",
        p(&demo("rewrite.txt")),
        p(&demo("wire.txt")),
        "--color",
        "never",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!(
        "compare_rewrite_wire_text",
        String::from_utf8(out.stdout).unwrap()
    );
}

#[test]
fn stdin_is_read_with_dash() {
    let mut child = whence()
        .args(["compare", "-", p(&demo("wire.txt")), "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read(demo("reprint.txt")).unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let out = child.wait_with_output().unwrap();
    let v = json(&out);
    assert_eq!(v["a"]["id"], "stdin");
    assert!(!v["passages"].as_array().unwrap().is_empty());
}

#[test]
fn html_report_is_written_and_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let out = run(&[
        "compare",
        p(&demo("rewrite.txt")),
        p(&demo("wire.txt")),
        "--html",
        p(&report),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("class=\"p verbatim\"") || html.contains("class=\"p edited\""));
    assert!(html.contains("href=\"#b0\""), "passages link across");
    assert!(!html.contains("src=\"http"), "no external resources");
}

#[test]
fn invalid_utf8_names_file_and_offset_or_is_replaced_with_lossy() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(
        &bad,
        b"Flood barriers failed \xff\xfe on Tuesday along the eastern river.",
    )
    .unwrap();
    let out = run(&["compare", p(&bad), p(&demo("wire.txt"))]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("bad.txt") && err.contains("invalid UTF-8 at byte 22"),
        "{err}"
    );
    let out = run(&[
        "compare",
        p(&bad),
        p(&demo("wire.txt")),
        "--lossy",
        "--json",
    ]);
    json(&out);
    assert!(stderr(&out).contains("warning: ") && stderr(&out).contains("byte 22"));
}

#[test]
fn empty_binary_missing_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let binary = dir.path().join("image.png");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    let missing = dir.path().join("missing.txt");
    for (path, needle) in [
        (&empty, "is empty"),
        (&binary, "binary data"),
        (&missing, "cannot read"),
    ] {
        let out = run(&["compare", p(path), p(&demo("wire.txt"))]);
        assert_eq!(out.status.code(), Some(1), "{}", path.display());
        let err = stderr(&out);
        assert!(err.contains(needle) && err.contains(p(path)), "{err}");
        assert!(!err.contains("panicked"));
    }
    let out = run(&["compare", "-", "-"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("only one of the two documents"));
    let out = run(&["compare", p(&demo("wire.txt"))]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    let out = run(&[
        "compare",
        p(&demo("wire.txt")),
        p(&demo("wire.txt")),
        "--paraphrase-threshold",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("paraphrase_threshold"));
}

/// The motivating pair (../shared/corpora/seeds); skipped when the corpus is absent.
#[test]
fn seed_pair_evidence() {
    let seeds = repo().join("../shared/corpora/seeds");
    let (a, b) = (
        seeds.join("000_c833ee491b591e38.txt"),
        seeds.join("003_eb1784be63f6c131.txt"),
    );
    if !a.exists() || !b.exists() {
        eprintln!("SKIPPED seed_pair_evidence: {} not found", seeds.display());
        return;
    }
    let v = json(&run(&["compare", p(&a), p(&b), "--json"]));
    let ta: Vec<char> = std::fs::read_to_string(&a).unwrap().chars().collect();
    let slice = |s: &serde_json::Value| -> String {
        ta[s[0].as_u64().unwrap() as usize..s[1].as_u64().unwrap() as usize]
            .iter()
            .collect()
    };
    let passages = v["passages"].as_array().unwrap();
    // the 22-word quote: verbatim or edited
    let quote = passages
        .iter()
        .find(|p| slice(&p["a"]).contains("The vanguard of Iranian ground forces began arriving"))
        .expect("the quote is aligned");
    assert!(["verbatim", "edited"].contains(&quote["kind"].as_str().unwrap()));
    assert!(slice(&quote["a"]).contains("They will be followed by more"));
    // the opening sentence: paraphrase
    let opening = passages
        .iter()
        .find(|p| {
            slice(&p["a"]).contains("Hundreds of Iranian troops have made their way to Syria")
        })
        .expect("the opening sentence is aligned");
    assert_eq!(opening["kind"], "paraphrase");
    // the closing commentary: novel
    let novel: Vec<String> = v["novel_in_a"]
        .as_array()
        .unwrap()
        .iter()
        .map(slice)
        .collect();
    assert!(novel
        .iter()
        .any(|n| n
            .contains("Russia’s involvement in Syria points to a greater geopolitical picture")));
    assert_ne!(v["summary"]["relation"], "unrelated");
    // the quote moved from "one of the sources" to "the official"
    let moved = v["drift"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["type"] == "attribution");
    let moved = moved.expect("the attribution change is reported");
    assert_eq!(slice(&moved["a"]), "the official");
}
