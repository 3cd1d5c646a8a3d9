//! The real `whence` binary, run in temporary directories.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary, lexical only: no installed sentence-embedding model is visible
/// (the semantic layer has its own tests in tests/semantic.rs), so results do not
/// depend on whether the machine running the tests has one.
fn whence() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_whence"));
    c.env("XDG_CACHE_HOME", repo().join("target/no-model-cache"))
        .env_remove("WHENCE_MODEL");
    c
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
        "unknown_direction",
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
    assert!(html.contains("href=\"#s0-b0\""), "passages link across");
    assert!(html.contains("id=\"s0-b0\""), "to an anchor that exists");
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
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
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
    assert_eq!(
        out.status.code(),
        Some(2),
        "an out-of-range value is a usage error"
    );
    assert!(
        stderr(&out).contains("'--paraphrase-threshold <X>': 3 is out of range"),
        "{}",
        stderr(&out)
    );
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
    // boilerplate: "Stay Connected" in 000; from "Published in Dawn" to the end in 003
    let bp_a: Vec<String> = v["a"]["boilerplate"]
        .as_array()
        .unwrap()
        .iter()
        .map(slice)
        .collect();
    assert_eq!(bp_a, vec!["Stay Connected".to_owned()]);
    let tb: Vec<char> = std::fs::read_to_string(&b).unwrap().chars().collect();
    let bp_b = v["b"]["boilerplate"].as_array().unwrap();
    let (s, e) = (
        bp_b[0][0].as_u64().unwrap() as usize,
        bp_b[0][1].as_u64().unwrap() as usize,
    );
    let tail: String = tb[s..e].iter().collect();
    assert!(
        tail.starts_with("Published in Dawn October 2nd, 2015"),
        "{tail}"
    );
    assert!(tail.contains("Get the Dawn Mobile App") && tail.contains("Never-ending suffering"));
    assert_eq!(e, tb.len());
}

const PAGE: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Flood barriers fail | The Valley Gazette</title>
<meta property="og:site_name" content="The Valley Gazette">
<meta property="article:published_time" content="2024-03-05T08:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a></nav>
<article><h1>Flood barriers fail</h1>
<p>Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts, the regional emergency service said.</p>
<p>Water rose by nearly two metres overnight after three days of heavy rain in the hills above the city. Rescue crews used boats to reach families trapped on the upper floors.</p>
</article><footer>Copyright 2024 The Valley Gazette. All rights reserved.</footer></body></html>"#;

fn warc_record(kind: &str, uri: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

#[test]
fn extract_reads_html_with_metadata_and_keeps_text_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flood.html"), PAGE).unwrap();
    std::fs::write(dir.path().join("notes.pdf"), b"%PDF").unwrap();
    let out = run(&["extract", p(dir.path())]);
    assert!(out.status.success(), "{}", stderr(&out));
    let docs: Vec<serde_json::Value> = String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(d["id"], "flood");
    assert_eq!(d["site"], "The Valley Gazette");
    assert_eq!(d["date"], "2024-03-05T08:00:00Z");
    let text = d["text"].as_str().unwrap();
    assert!(text.contains("Flood barriers along the eastern river failed"));
    assert!(
        !text.contains("Weather"),
        "navigation is not main text: {text}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("1 documents") || err.contains("1 document"),
        "{err}"
    );
    assert!(
        err.contains("ignored"),
        "the PDF is counted as ignored: {err}"
    );
}

#[test]
fn extract_reads_warc_pages_and_reports_bad_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut warc = warc_record(
        "warcinfo",
        "info",
        "application/warc-fields",
        b"software: test\r\n",
    );
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{PAGE}");
    warc.extend(warc_record(
        "response",
        "https://gazette.example/flood",
        "application/http; msgtype=response",
        http.as_bytes(),
    ));
    let img = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG";
    warc.extend(warc_record(
        "response",
        "https://gazette.example/logo.png",
        "application/http; msgtype=response",
        img,
    ));
    // a record cut short: its declared length runs past the end of the file
    warc.extend(b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://gazette.example/cut\r\nContent-Length: 5000\r\n\r\nHTTP/1.1 200 OK\r\n");
    let path = dir.path().join("crawl.warc");
    std::fs::write(&path, &warc).unwrap();
    let out = run(&[
        "extract",
        p(&path),
        "--out",
        p(&dir.path().join("docs.jsonl")),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("docs.jsonl")).unwrap();
    let docs: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["id"], "https://gazette.example/flood");
    assert_eq!(docs[0]["url"], "https://gazette.example/flood");
    let err = stderr(&out);
    assert!(
        err.contains("skipped") && err.contains("crawl.warc"),
        "the cut record is reported: {err}"
    );
}

#[test]
fn extract_writes_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("docs.parquet");
    let out = run(&[
        "extract",
        p(&demo("wire.txt")),
        p(&demo("reprint.txt")),
        "--out",
        p(&out_path),
        "--format",
        "parquet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&out_path).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
    assert_eq!(&bytes[bytes.len() - 4..], b"PAR1");
}

#[test]
fn compare_reports_boilerplate_and_leaves_it_out() {
    let out = run(&[
        "compare",
        p(&demo("rewrite.txt")),
        p(&demo("wire.txt")),
        "--json",
    ]);
    let v = json(&out);
    let text: Vec<char> = std::fs::read_to_string(demo("rewrite.txt"))
        .unwrap()
        .chars()
        .collect();
    let bp = v["a"]["boilerplate"].as_array().unwrap();
    assert_eq!(bp.len(), 1);
    let (s, e) = (
        bp[0][0].as_u64().unwrap() as usize,
        bp[0][1].as_u64().unwrap() as usize,
    );
    assert_eq!(
        text[s..e].iter().collect::<String>(),
        "Follow us on social media for more updates."
    );
    let keep = json(&run(&[
        "compare",
        p(&demo("rewrite.txt")),
        p(&demo("wire.txt")),
        "--json",
        "--keep-boilerplate",
    ]));
    assert!(keep["a"]["boilerplate"].as_array().unwrap().is_empty());
    assert!(keep["summary"]["a_reused"].as_f64() < v["summary"]["a_reused"].as_f64());
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn pairs_reports_verified_pairs_and_clusters_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let (out, cl) = (
            dir.path().join(format!("p{threads}.jsonl")),
            dir.path().join(format!("c{threads}.jsonl")),
        );
        let o = run(&[
            "pairs",
            p(&repo().join("demo")),
            "--out",
            p(&out),
            "--clusters",
            p(&cl),
            "--threads",
            threads,
            "--passages",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("4 documents") && stderr(&o).contains("reuse pairs"),
            "{}",
            stderr(&o)
        );
        outputs.push((
            std::fs::read_to_string(&out).unwrap(),
            std::fs::read_to_string(&cl).unwrap(),
        ));
    }
    assert_eq!(
        outputs[0], outputs[1],
        "output does not depend on the thread count"
    );
    let pairs = lines(&dir.path().join("p1.jsonl"));
    let ids: Vec<(String, String)> = pairs
        .iter()
        .map(|v| {
            (
                v["a"].as_str().unwrap().to_owned(),
                v["b"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(ids.contains(&("reprint".into(), "wire".into())));
    assert!(ids.contains(&("rewrite".into(), "wire".into())));
    assert!(!ids
        .iter()
        .any(|(a, b)| a == "unrelated" || b == "unrelated"));
    let reprint = pairs
        .iter()
        .find(|v| v["a"] == "reprint" && v["b"] == "wire")
        .unwrap();
    // undated, and nothing in the texts says which came first (issue 11: the
    // shorter side is not thereby the derived one)
    assert_eq!(reprint["relation"], "unknown_direction");
    assert!(reprint["confidence"].as_f64().unwrap() >= 0.9);
    assert!(!reprint["passages"].as_array().unwrap().is_empty());
    let clusters = lines(&dir.path().join("c1.jsonl"));
    assert_eq!(clusters.len(), 1);
    assert_eq!(
        clusters[0]["members"],
        serde_json::json!(["reprint", "rewrite", "wire"])
    );
}

#[test]
fn trace_finds_sources_and_classifies() {
    let v = json(&run(&[
        "trace",
        p(&demo("reprint.txt")),
        "--in",
        p(&demo("wire.txt")),
        p(&demo("unrelated.txt")),
        "--json",
    ]));
    assert_eq!(v["doc"]["id"], "reprint");
    assert_eq!(v["derivation"], "wholly");
    let sources = v["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0]["id"], "wire");
    assert!(v["reused"].as_f64().unwrap() > 0.9);
    let none = json(&run(&[
        "trace",
        p(&demo("unrelated.txt")),
        "--in",
        p(&demo("wire.txt")),
        "--json",
    ]));
    assert_eq!(none["derivation"], "non");
    assert!(none["sources"].as_array().unwrap().is_empty());
}

#[test]
fn dedup_keeps_one_per_cluster_and_accounts_for_every_document() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let wire = std::fs::read_to_string(demo("wire.txt")).unwrap();
    let unrelated = std::fs::read_to_string(demo("unrelated.txt")).unwrap();
    let rows = [
        serde_json::json!({"id": "late", "text": wire.replace("metres", "meters"), "date": "2024-03-06"}),
        serde_json::json!({"id": "early", "text": wire, "date": "2024-03-05"}),
        serde_json::json!({"id": "other", "text": unrelated}),
    ];
    let mut text: String = rows.iter().map(|r| r.to_string() + "\n").collect();
    text.push_str("{not json\n");
    std::fs::write(&corpus, text).unwrap();
    let (kept, removed) = (
        dir.path().join("kept.jsonl"),
        dir.path().join("removed.jsonl"),
    );
    let o = run(&[
        "dedup",
        p(&corpus),
        "--out",
        p(&kept),
        "--removed",
        p(&removed),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let kept_ids: Vec<String> = lines(&kept)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kept_ids, vec!["early", "other"]);
    let rm = lines(&removed);
    assert_eq!(rm.len(), 1);
    assert_eq!(
        (rm[0]["id"].as_str(), rm[0]["kept"].as_str()),
        (Some("late"), Some("early"))
    );
    let err = stderr(&o);
    assert!(
        err.contains("corpus.jsonl:4") && err.contains("malformed JSON"),
        "the bad line is reported: {err}"
    );
    assert!(
        err.contains("kept 2 documents, removed 1 document"),
        "{err}"
    );
}

#[test]
fn trace_leaves_the_document_itself_out_and_refuses_an_empty_corpus() {
    // issue 11: `trace demo/rewrite.txt --in demo/` named the document as its own source
    let v = json(&run(&[
        "trace",
        p(&demo("rewrite.txt")),
        "--in",
        p(&repo().join("demo")),
        "--json",
    ]));
    let ids: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"rewrite"), "{ids:?}");
    assert!(ids.contains(&"wire"), "{ids:?}");
    let kept = json(&run(&[
        "trace",
        p(&demo("rewrite.txt")),
        "--in",
        p(&repo().join("demo")),
        "--include-self",
        "--json",
    ]));
    assert_eq!(kept["sources"][0]["id"], "rewrite");
    // an empty corpus is an error, not "non derived"
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let out = run(&[
        "trace",
        p(&demo("rewrite.txt")),
        "--in",
        p(&empty),
        "--json",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no readable document"),
        "{}",
        stderr(&out)
    );
    // so is one that cannot be read
    let missing = dir.path().join("missing");
    let out = run(&["trace", p(&demo("rewrite.txt")), "--in", p(&missing)]);
    assert!(!out.status.success());
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
