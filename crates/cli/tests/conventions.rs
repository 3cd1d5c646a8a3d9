//! The command line's conventions, on the real binary: pipes, exit codes,
//! messages, outputs that round-trip, and the option groups every subcommand
//! shares.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The binary, lexical only (no model visible).
fn whence() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_whence"));
    c.env("XDG_CACHE_HOME", repo().join("target/no-model-cache"))
        .env_remove("WHENCE_MODEL")
        .env_remove("NO_COLOR");
    c
}

fn demo(name: &str) -> String {
    repo().join("demo").join(name).display().to_string()
}

fn run(args: &[&str]) -> Output {
    whence().args(args).output().expect("the binary runs")
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn jsonl(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    jsonl(&std::fs::read_to_string(path).unwrap())
}

/// A corpus of `n` small documents, one JSON object a line.
fn corpus(dir: &Path, n: usize) -> PathBuf {
    let wire = std::fs::read_to_string(demo("wire.txt")).unwrap();
    let text: String = (0..n)
        .map(|i| {
            serde_json::json!({"id": format!("d{i}"), "text": format!("Item {i}. {wire}")})
                .to_string()
                + "\n"
        })
        .collect();
    let path = dir.join("many.jsonl");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_with_success() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(dir.path(), 400);
    let mut child = whence()
        .args(["extract", p(&c)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // the reader is gone (as with `| head -1`)
    let o = child.wait_with_output().unwrap();
    assert!(first.starts_with('{'));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        !err(&o).to_lowercase().contains("broken pipe"),
        "{}",
        err(&o)
    );
}

#[test]
fn exit_codes_zero_one_two() {
    let ok = run(&["compare", &demo("rewrite.txt"), &demo("wire.txt")]);
    assert_eq!(ok.status.code(), Some(0));
    let missing = run(&["compare", "/no/such/file.txt", &demo("wire.txt")]);
    assert_eq!(missing.status.code(), Some(1));
    for usage in [
        vec!["compare", "--min-words", "0", "a", "b"],
        vec!["pairs", "x", "--paraphrase-threshold", "1.5"],
        vec!["trace", "a", "--in", "b", "--semantic-threshold", "-1"],
        vec!["dedup", "x", "--max-doc-mb", "0"],
        vec!["compare", "-", "-"],
        vec![
            "pairs",
            &demo("wire.txt"),
            "--out",
            "-",
            "--format",
            "parquet",
        ],
        vec!["pairs", &demo("wire.txt"), "--encoding", "klingon"],
        vec!["pairs", &demo("wire.txt"), "--clusters", "-"],
        vec!["similar", "", "A sentence."],
    ] {
        let o = run(&usage);
        assert_eq!(o.status.code(), Some(2), "{usage:?}: {}", err(&o));
        assert!(!err(&o).contains("panicked"));
    }
}

#[test]
fn each_cause_is_said_once_with_the_file_first() {
    let o = run(&["compare", "/no/such/file.txt", &demo("wire.txt")]);
    let e = err(&o);
    assert_eq!(
        e.trim_end(),
        "whence: error: /no/such/file.txt: cannot read: No such file or directory (os error 2)"
    );
    let o = run(&["pairs", "/no/such/dir"]);
    assert_eq!(err(&o).matches("os error 2").count(), 1, "{}", err(&o));
}

#[test]
fn output_paths_are_checked_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(dir.path(), 3);
    for args in [
        vec!["pairs", p(&c), "--out", "/nonexistent/p.jsonl"],
        vec!["pairs", p(&c), "--clusters", "/nonexistent/c.jsonl"],
        vec!["dedup", p(&c), "--removed", "/nonexistent/r.jsonl"],
        vec![
            "compare",
            &demo("rewrite.txt"),
            &demo("wire.txt"),
            "--html",
            "/nonexistent/r.html",
        ],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let e = err(&o);
        assert!(e.starts_with("whence: error: /nonexistent/"), "{e}");
        assert!(!e.contains("read 1 file"), "nothing was read first: {e}");
    }
    // a directory is not a file to write
    let o = run(&["extract", p(&c), "--out", p(dir.path())]);
    assert!(err(&o).contains("is a directory"), "{}", err(&o));
}

#[test]
fn summaries_are_plural_correct() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.txt");
    std::fs::write(
        &copy,
        std::fs::read_to_string(demo("wire.txt")).unwrap() + "\nOne more line.",
    )
    .unwrap();
    let o = run(&[
        "pairs",
        &demo("wire.txt"),
        p(&copy),
        "--clusters",
        p(&dir.path().join("c.jsonl")),
    ]);
    let e = err(&o);
    assert!(
        e.contains("read 2 files") && e.contains("2 documents"),
        "{e}"
    );
    assert!(
        e.contains("1 reuse pair,") && e.contains("1 cluster,"),
        "{e}"
    );
    assert!(!e.contains("(s)"), "{e}");
}

#[test]
fn warnings_are_summarized_past_three_of_a_kind() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..10)
        .map(|i| format!("{{\"id\": \"same\", \"text\": \"Document number {i}.\"}}\n"))
        .collect();
    let f = dir.path().join("dups.jsonl");
    std::fs::write(&f, text).unwrap();
    let o = run(&["extract", p(&f), "--out", p(&dir.path().join("o.jsonl"))]);
    let e = err(&o);
    assert_eq!(e.matches("was already taken").count(), 3, "{e}");
    assert!(
        e.contains(
            "… and 6 more warnings like these (duplicate id renamed); --verbose lists every one"
        ),
        "{e}"
    );
    let o = run(&[
        "extract",
        p(&f),
        "--out",
        p(&dir.path().join("o.jsonl")),
        "--verbose",
    ]);
    assert_eq!(err(&o).matches("was already taken").count(), 9);
}

#[test]
fn strict_fails_when_documents_were_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.jsonl");
    std::fs::write(&f, "{\"id\": \"a\", \"text\": \"Fine.\"}\n{broken\n").unwrap();
    let outp = dir.path().join("o.jsonl");
    let o = run(&["extract", p(&f), "--out", p(&outp)]);
    assert_eq!(o.status.code(), Some(0));
    let o = run(&["extract", p(&f), "--out", p(&outp), "--strict"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("c.jsonl:2: malformed JSON"), "{}", err(&o));
    assert!(
        err(&o).contains("1 input document was skipped and --strict was given; nothing written")
    );
}

#[test]
fn parquet_is_inferred_from_the_extension_and_keeps_nested_columns() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("pairs.parquet");
    let cl = dir.path().join("clusters.pq");
    let copy = dir.path().join("copy.txt");
    std::fs::write(
        &copy,
        std::fs::read_to_string(demo("wire.txt")).unwrap() + "\nOne more line.",
    )
    .unwrap();
    let args = [
        "pairs",
        &demo("wire.txt"),
        p(&copy),
        &demo("rewrite.txt"),
        "--passages",
    ];
    let o = run(&[&args[..], &["--out", p(&pq), "--clusters", p(&cl)]].concat());
    assert!(o.status.success(), "{}", err(&o));
    for f in [&pq, &cl] {
        let bytes = std::fs::read(f).unwrap();
        assert_eq!(&bytes[..4], b"PAR1", "{}", f.display());
    }
    // the same rows as JSON Lines
    let o = run(&args);
    let want = jsonl(&out(&o));
    let script = r#"
import json, sys
import pyarrow.parquet as pq
rows = pq.read_table(sys.argv[1]).to_pylist()
print(json.dumps(rows))
print(json.dumps(pq.read_table(sys.argv[2]).to_pylist()))
print(str(pq.read_table(sys.argv[1]).schema.field("passages").type))
"#;
    let py = Command::new("python3")
        .args(["-c", script, p(&pq), p(&cl)])
        .output();
    let py = match py {
        Ok(o) if o.status.success() => o,
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named") => {
            eprintln!("SKIPPED: pyarrow is not installed (pip install pyarrow)");
            return;
        }
        other => panic!("{other:?}"),
    };
    let lines: Vec<String> = out(&py).lines().map(str::to_owned).collect();
    let got: Vec<serde_json::Value> = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        for k in ["a", "b", "relation", "passages"] {
            assert_eq!(g[k], w[k], "{k}");
        }
    }
    let clusters: Vec<serde_json::Value> = serde_json::from_str(&lines[1]).unwrap();
    assert!(clusters[0]["members"].is_array());
    assert_eq!(
        lines[2],
        "list<element: struct<a: list<element: int64 not null> not null, b: list<element: int64 not null> not null, kind: string not null, score: double not null> not null>"
    );
}

#[test]
fn dedup_keeps_input_fields_and_says_why_in_codes() {
    let dir = tempfile::tempdir().unwrap();
    let wire = std::fs::read_to_string(demo("wire.txt")).unwrap();
    let rows = [
        serde_json::json!({"uid": "w1", "text": wire, "source": "wire", "author": "Ann", "category": "weather", "views": 10}),
        serde_json::json!({"uid": "w2", "text": format!("{wire}\n"), "source": "paper", "author": "Bob", "category": "local", "views": 3}),
    ];
    let f = dir.path().join("c.jsonl");
    std::fs::write(
        &f,
        rows.iter()
            .map(|r| r.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let (kept, removed) = (
        dir.path().join("kept.jsonl"),
        dir.path().join("removed.jsonl"),
    );
    let o = run(&[
        "dedup",
        p(&f),
        "--id-field",
        "uid",
        "--out",
        p(&kept),
        "--removed",
        p(&removed),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let k = read_jsonl(&kept);
    assert_eq!(k.len(), 1);
    for (key, v) in [
        ("uid", "w1"),
        ("source", "wire"),
        ("author", "Ann"),
        ("category", "weather"),
    ] {
        assert_eq!(k[0][key], v, "{key}");
    }
    assert_eq!(k[0]["views"], 10);
    assert!(
        k[0]["boilerplate"].is_array(),
        "kept documents carry their boilerplate spans"
    );
    assert!(k[0].get("site").is_none(), "source stays source");
    let r = read_jsonl(&removed);
    assert_eq!(
        (
            r[0]["id"].as_str(),
            r[0]["kept"].as_str(),
            r[0]["reason"].as_str(),
            r[0]["kept_by"].as_str()
        ),
        (
            Some("w2"),
            Some("w1"),
            Some("exact_duplicate"),
            Some("first_seen")
        ),
        "no dates: the first seen is kept, and said so"
    );
    // and as Parquet, the pass-through columns keep their types
    let pq = dir.path().join("kept.parquet");
    let o = run(&["dedup", p(&f), "--out", p(&pq)]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(&std::fs::read(&pq).unwrap()[..4], b"PAR1");
}

#[test]
fn trace_shares_the_display_and_alignment_options() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("wire");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::copy(demo("wire.txt"), corpus.join("wire.txt")).unwrap();
    std::fs::copy(demo("unrelated.txt"), corpus.join("unrelated.txt")).unwrap();
    let html = dir.path().join("trace.html");
    let o = run(&[
        "trace",
        &demo("reprint.txt"),
        "--in",
        p(&corpus),
        "--html",
        p(&html),
        "--full",
        "--color",
        "always",
        "--min-words",
        "6",
        "--paraphrase-threshold",
        "0.3",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("\u{1b}["), "colored on request");
    assert!(text.contains("HTML report written to"));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("wire"));
    assert!(page.contains("href=\"#s0-b0\"") && page.contains("id=\"s0-b0\""));
    let o = run(&[
        "trace",
        &demo("reprint.txt"),
        "--in",
        p(&corpus),
        "--color",
        "never",
    ]);
    assert!(!out(&o).contains("\u{1b}["));
    for cmd in ["pairs", "dedup"] {
        let o = run(&[cmd, p(&corpus), "--min-words", "12", "-q"]);
        assert!(o.status.success(), "{cmd}: {}", err(&o));
        assert!(err(&o).is_empty(), "--quiet: {}", err(&o));
    }
}

#[test]
fn compare_pairs_runs_many_comparisons_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("pairs.tsv");
    std::fs::write(
        &tsv,
        format!(
            "{r}\t{w}\n# a comment\n{{\"a\": \"{u}\", \"b\": \"{w}\"}}\n{r}\t/no/such.txt\n{p}\t{w}\n",
            r = demo("rewrite.txt"),
            w = demo("wire.txt"),
            u = demo("unrelated.txt"),
            p = demo("reprint.txt"),
        ),
    )
    .unwrap();
    let o = run(&["compare", "--pairs", p(&tsv), "--threads", "2"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a pair that cannot be compared fails the run"
    );
    let lines = jsonl(&out(&o));
    let got: Vec<u64> = lines.iter().map(|v| v["line"].as_u64().unwrap()).collect();
    assert_eq!(got, [1, 3, 4, 5]);
    // the same result as one compare of that pair
    let single = jsonl(&out(&run(&[
        "compare",
        &demo("rewrite.txt"),
        &demo("wire.txt"),
        "--json",
    ])));
    let mut first = lines[0].clone();
    first.as_object_mut().unwrap().remove("line");
    first.as_object_mut().unwrap().remove("inputs");
    assert_eq!(first, single[0]);
    assert_eq!(lines[1]["summary"]["relation"], "unrelated");
    assert!(lines[2]["error"]
        .as_str()
        .unwrap()
        .contains("/no/such.txt: cannot read"));
    assert!(err(&o).contains("4 pairs from"), "{}", err(&o));
}

#[test]
fn pairs_across_sources_name_each_side_s_source() {
    let dir = tempfile::tempdir().unwrap();
    let wire = std::fs::read_to_string(demo("wire.txt")).unwrap();
    let rows = [
        serde_json::json!({"id": "w", "text": wire, "outlet": "agency"}),
        serde_json::json!({"id": "w-again", "text": format!("{wire} More."), "outlet": "agency"}),
        serde_json::json!({"id": "paper", "text": format!("Our report. {wire}"), "outlet": "gazette"}),
    ];
    let f = dir.path().join("c.jsonl");
    std::fs::write(
        &f,
        rows.iter()
            .map(|r| r.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let all = jsonl(&out(&run(&["pairs", p(&f), "--source-field", "outlet"])));
    assert_eq!(all.len(), 3);
    let cross = jsonl(&out(&run(&[
        "pairs",
        p(&f),
        "--source-field",
        "outlet",
        "--cross-source",
    ])));
    let got: Vec<(&str, &str, &str, &str)> = cross
        .iter()
        .map(|v| {
            (
                v["a"].as_str().unwrap(),
                v["a_source"].as_str().unwrap(),
                v["b"].as_str().unwrap(),
                v["b_source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("w", "agency", "paper", "gazette"),
            ("w-again", "agency", "paper", "gazette")
        ]
    );
}
