//! Inputs on the real binary: stdin formats, compressed and JSON files, nested
//! fields, one document out of many (`FILE#ID`), ids from directories, and
//! encodings (Windows-1252, Latin-1 JSON lines, UTF-16, mojibake HTML, bytes no
//! encoding explains).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn whence() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_whence"));
    c.env("XDG_CACHE_HOME", repo().join("target/no-model-cache"))
        .env_remove("WHENCE_MODEL");
    c
}

fn demo(name: &str) -> String {
    repo().join("demo").join(name).display().to_string()
}

fn run(args: &[&str]) -> Output {
    whence().args(args).output().expect("the binary runs")
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = whence()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn jsonl(o: &Output) -> Vec<serde_json::Value> {
    assert!(o.status.success(), "exit {:?}: {}", o.status, err(o));
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn wire() -> String {
    std::fs::read_to_string(demo("wire.txt")).unwrap()
}

/// A news page around the demo wire story, written for these tests.
fn page(charset: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"{charset}\"><title>Floods</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/weather\">Weather</a></nav><article><h1>River defences fail</h1>{body}</article><footer>Copyright 2024 The Valley Gazette.</footer></body></html>"
    )
}

fn paragraphs(text: &str) -> String {
    text.split("\n\n").map(|p| format!("<p>{p}</p>")).collect()
}

#[test]
fn html_on_stdin_is_extracted_for_extract_and_compare() {
    let html = page("utf-8", &paragraphs(&wire()));
    let mut extracted = 0;
    for args in [
        vec!["extract", "-"],
        vec!["extract", "-", "--stdin-format", "html"],
    ] {
        let docs = jsonl(&run_stdin(&args, html.as_bytes()));
        assert_eq!(docs.len(), 1, "{args:?}");
        let text = docs[0]["text"].as_str().unwrap();
        assert!(
            text.contains("Flood barriers") && !text.contains("<p>") && !text.contains("Weather")
        );
        extracted = text.chars().count();
    }
    let o = run_stdin(
        &["compare", "-", &demo("wire.txt"), "--json"],
        html.as_bytes(),
    );
    let v = &jsonl(&o)[0];
    assert!(v["summary"]["a_reused"].as_f64().unwrap() > 0.8, "{v}");
    assert_eq!(
        v["a"]["chars"], extracted,
        "the page's main text is compared, not its markup"
    );
    // text and JSON lines on stdin are recognized too
    let o = run_stdin(&["extract", "-"], wire().as_bytes());
    assert_eq!(jsonl(&o)[0]["id"], "stdin");
    let o = run_stdin(
        &["extract", "-"],
        b"{\"id\": \"j\", \"text\": \"From a JSON line.\"}\n",
    );
    assert_eq!(jsonl(&o)[0]["id"], "j");
}

#[test]
fn compressed_text_json_files_and_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("wire.txt.gz");
    std::fs::write(&gz, stored_gzip(wire().as_bytes())).unwrap();
    let v = &jsonl(&run(&["compare", p(&gz), &demo("wire.txt"), "--json"]))[0];
    assert_eq!(v["a"]["id"], "wire");
    assert_eq!(v["summary"]["relation"], "near_duplicate");
    let arr = dir.path().join("docs.json");
    std::fs::write(
        &arr,
        serde_json::json!([{"id": "one", "text": wire()}, {"id": "two", "text": format!("{} More.", wire())}]).to_string(),
    )
    .unwrap();
    let docs = jsonl(&run(&["extract", p(&arr)]));
    assert_eq!(docs.len(), 2);
    let pairs = jsonl(&run(&["pairs", p(&arr)]));
    assert_eq!(
        (pairs[0]["a"].as_str(), pairs[0]["b"].as_str()),
        (Some("one"), Some("two"))
    );
    let one = dir.path().join("one.json");
    std::fs::write(
        &one,
        format!(
            "{{\n  \"id\": \"solo\",\n  \"text\": {}\n}}\n",
            serde_json::json!(wire())
        ),
    )
    .unwrap();
    let v = &jsonl(&run(&["compare", p(&one), &demo("wire.txt"), "--json"]))[0];
    assert_eq!(v["a"]["id"], "solo");
}

/// gzip with stored (uncompressed) deflate blocks: no compression crate needed.
fn stored_gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let chunks: Vec<&[u8]> = data.chunks(65535).collect();
    for (i, c) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = c.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    let crc = crc32(data);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn nested_id_fields_work_or_say_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("n.jsonl");
    std::fs::write(
        &f,
        "{\"meta\": {\"id\": \"m-1\"}, \"text\": \"A nested id.\"}\n{\"text\": \"No id here.\"}\n",
    )
    .unwrap();
    let o = run(&["extract", p(&f), "--id-field", "meta.id"]);
    let docs = jsonl(&o);
    assert_eq!(
        (docs[0]["id"].as_str(), docs[1]["id"].as_str()),
        (Some("m-1"), Some("n:2"))
    );
    assert!(
        err(&o).contains("n.jsonl:2: no id field `meta.id`; document kept as `n:2`"),
        "{}",
        err(&o)
    );
    assert_eq!(
        docs[0]["meta"]["id"], "m-1",
        "the input's fields are passed through"
    );
}

#[test]
fn one_document_out_of_a_jsonl_or_warc_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("news.jsonl");
    let rows = [
        serde_json::json!({"id": "other", "text": std::fs::read_to_string(demo("unrelated.txt")).unwrap()}),
        serde_json::json!({"id": "the-wire", "text": wire()}),
    ];
    std::fs::write(
        &f,
        rows.iter()
            .map(|r| r.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let pick = format!("{}#the-wire", p(&f));
    let v = &jsonl(&run(&["compare", &pick, &demo("rewrite.txt"), "--json"]))[0];
    assert_eq!(v["a"]["id"], "the-wire");
    let o = run(&["compare", p(&f), &demo("wire.txt")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("pick one as") && err(&o).contains("#ID"),
        "{}",
        err(&o)
    );
    let o = run(&["compare", &format!("{}#nope", p(&f)), &demo("wire.txt")]);
    assert!(
        err(&o).contains(
            "no document with id `nope` among its 2 documents (ids look like: other, the-wire)"
        ),
        "{}",
        err(&o)
    );
    // a WARC record by its URL
    let html = page("utf-8", &paragraphs(&wire()));
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{html}");
    let mut warc = Vec::new();
    for url in ["https://a.example/x", "https://b.example/flood"] {
        warc.extend(format!("WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{url}>\r\nWARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n", http.len()).into_bytes());
        warc.extend(http.as_bytes());
        warc.extend(b"\r\n\r\n");
    }
    let w = dir.path().join("crawl.warc");
    std::fs::write(&w, warc).unwrap();
    let pick = format!("{}#https://b.example/flood", p(&w));
    let v = &jsonl(&run(&["compare", &pick, &demo("wire.txt"), "--json"]))[0];
    assert_eq!(v["a"]["id"], "https://b.example/flood");
}

#[test]
fn ids_are_relative_to_the_input_directories() {
    let dir = tempfile::tempdir().unwrap();
    for site in ["site-a", "site-b"] {
        std::fs::create_dir_all(dir.path().join(site).join("2024")).unwrap();
        std::fs::write(dir.path().join(site).join("2024/story.txt"), wire()).unwrap();
    }
    let o = whence()
        .current_dir(dir.path())
        .args(["pairs", "site-a/", "site-b/"])
        .output()
        .unwrap();
    let pairs = jsonl(&o);
    assert_eq!(
        (pairs[0]["a"].as_str(), pairs[0]["b"].as_str()),
        (Some("site-a/2024/story"), Some("site-b/2024/story"))
    );
    assert!(
        !err(&o).contains("already taken"),
        "no renames: {}",
        err(&o)
    );
    let docs = jsonl(
        &whence()
            .current_dir(dir.path())
            .args(["extract", "site-a"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        docs[0]["id"], "2024/story",
        "one directory: paths relative to it"
    );
}

const CP1252_STORY: &[u8] = b"The caf\xe9 owner was fined \xa3250 at Bow Street \x96 the court heard his \x93routine\x94 inspection had found mice.";
const CP1252_TEXT: &str = "The café owner was fined £250 at Bow Street \u{2013} the court heard his \u{201c}routine\u{201d} inspection had found mice.";

#[test]
fn windows_1252_text_and_latin1_jsonl_are_read_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("story.txt");
    std::fs::write(&t, CP1252_STORY).unwrap();
    let o = run(&["extract", p(&t)]);
    let docs = jsonl(&o);
    assert_eq!(docs[0]["text"], CP1252_TEXT);
    assert!(
        err(&o).contains("story.txt: not UTF-8; read as windows-1252"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("1 document read as windows-1252"),
        "{}",
        err(&o)
    );
    // offsets are into the decoded text: the quote's span slices out the quote
    let quoted = dir.path().join("quoted.txt");
    std::fs::write(&quoted, "Elsewhere. The café owner was fined £250 at Bow Street – the court heard his “routine” inspection had found mice.").unwrap();
    let v = &jsonl(&run(&[
        "compare",
        p(&t),
        p(&quoted),
        "--json",
        "--min-words",
        "4",
    ]))[0];
    let (s, e) = (
        v["passages"][0]["a"][0].as_u64().unwrap() as usize,
        v["passages"][0]["a"][1].as_u64().unwrap() as usize,
    );
    let sliced: String = CP1252_TEXT.chars().skip(s).take(e - s).collect();
    assert!(sliced.contains("£250") && sliced.contains('“'), "{sliced}");
    // Latin-1 JSON lines: one notice for the file, every line decoded
    let j = dir.path().join("latin1.jsonl");
    let mut bytes = Vec::new();
    for (i, text) in [
        &b"Na\xefve caf\xe9 prices rose to \xa34."[..],
        b"Plain ASCII line.",
        b"Cr\xe8me br\xfbl\xe9e for \xa32.",
    ]
    .iter()
    .enumerate()
    {
        bytes.extend_from_slice(format!("{{\"id\": \"l{i}\", \"text\": \"").as_bytes());
        bytes.extend_from_slice(text);
        bytes.extend_from_slice(b"\"}\n");
    }
    std::fs::write(&j, bytes).unwrap();
    let o = run(&["extract", p(&j)]);
    let docs = jsonl(&o);
    assert_eq!(docs[0]["text"], "Naïve café prices rose to £4.");
    assert_eq!(docs[2]["text"], "Crème brûlée for £2.");
    assert_eq!(err(&o).matches("not UTF-8").count(), 1, "{}", err(&o));
    assert!(
        err(&o).contains("2 documents read as windows-1252"),
        "{}",
        err(&o)
    );
    // --encoding forces one
    let o = run(&["extract", p(&t), "--encoding", "iso-8859-7"]);
    assert!(
        jsonl(&o)[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("The caf\u{3b9}"),
        "read as Greek when told so"
    );
}

#[test]
fn utf16_files_are_text_not_binary() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bom) in [("with-bom.txt", true), ("no-bom.txt", false)] {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        for u in wire().encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let v = &jsonl(&run(&[
        "compare",
        p(&dir.path().join("with-bom.txt")),
        &demo("wire.txt"),
        "--json",
    ]))[0];
    assert_eq!(v["summary"]["relation"], "near_duplicate");
    let o = run(&[
        "compare",
        p(&dir.path().join("no-bom.txt")),
        &demo("wire.txt"),
        "--json",
    ]);
    assert_eq!(jsonl(&o)[0]["summary"]["relation"], "near_duplicate");
    assert!(err(&o).contains("read as UTF-16LE"), "{}", err(&o));
}

#[test]
fn html_whose_declared_charset_contradicts_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let body = "<p>Kosovo’s president said the café would reopen – and that the “damage” was under £4m, officials in Priština told reporters on Monday evening after the storm.</p>";
    std::fs::write(dir.path().join("p.html"), page("iso-8859-1", body)).unwrap();
    let o = run(&["extract", p(&dir.path().join("p.html"))]);
    let text = jsonl(&o)[0]["text"].as_str().unwrap().to_owned();
    assert!(
        text.contains("Kosovo’s") && text.contains("Priština"),
        "{text}"
    );
    assert!(!text.contains("â€"), "no mojibake: {text}");
    assert!(
        err(&o).contains("declares a legacy charset but its bytes are UTF-8"),
        "{}",
        err(&o)
    );
}

#[test]
fn bytes_no_encoding_explains_are_reported_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(
        &bad,
        b"Flood barriers failed \xff\xfe on Tuesday along the eastern river.",
    )
    .unwrap();
    let o = run(&["compare", p(&bad), &demo("wire.txt")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains(&format!("{}: invalid UTF-8 at byte 22", p(&bad))),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("--lossy"));
    let o = run(&["compare", p(&bad), &demo("wire.txt"), "--lossy", "--json"]);
    assert!(o.status.success());
    assert!(
        err(&o).contains("replaced 2 invalid UTF-8 sequences with U+FFFD"),
        "{}",
        err(&o)
    );
}

/// METER's newspaper files are windows-1252: all of them are read without flags.
#[test]
fn meter_reads_without_flags() {
    // ../shared/corpora beside the repository (or beside its worktree directory)
    let Some(meter) = ["../shared/corpora/meter", "../../shared/corpora/meter"]
        .iter()
        .map(|rel| repo().join(rel))
        .find(|m| m.is_dir())
    else {
        eprintln!("SKIPPED: ../shared/corpora/meter is absent");
        return;
    };
    let o = run(&[
        "extract",
        p(&meter.join("newspapers/rawtexts")),
        "--out",
        "/dev/null",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let e = err(&o);
    assert!(!e.contains("skipped"), "{e}");
    assert!(!e.contains("renamed"), "ids are relative paths: {e}");
}
