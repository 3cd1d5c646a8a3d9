//! `whence serve` against the real binary on a loopback port: the API answers
//! what the CLI prints for the same inputs (trace/query, compare, add, get,
//! stats), bad input is a 4xx JSON error, an oversized body 413, a write
//! without the token 401; and a `kill -9` during a burst of writes loses no
//! acknowledged document.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn whence() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_whence"));
    c.env("XDG_CACHE_HOME", repo().join("target/no-model-cache"))
        .env_remove("WHENCE_MODEL");
    c
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn run(args: &[&str]) -> Output {
    ok(whence().args(args).output().expect("the binary runs"))
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A running `whence serve`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(index: &Path, extra: &[&str]) -> Server {
    let mut child = whence()
        .args(["serve", "--index", p(index), "--addr", "127.0.0.1:0"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("whence serve starts");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .parse()
        .unwrap();
    // keep draining stderr so the server never blocks on it
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = err.read_to_string(&mut sink);
    });
    Server { child, addr }
}

/// One HTTP/1.1 request; `(status, body)`.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    // a server may answer (413) before reading all of a big body
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut payload = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        payload = dechunk(&payload);
    }
    (status, payload)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let n = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 2 + n + 2..];
    }
}

fn json_of(status_body: (u16, Vec<u8>)) -> (u16, Value) {
    let (s, b) = status_body;
    let v = serde_json::from_slice(&b)
        .unwrap_or_else(|e| panic!("{s}: not JSON ({e}): {}", String::from_utf8_lossy(&b)));
    (s, v)
}

fn get(addr: SocketAddr, path: &str) -> (u16, Value) {
    json_of(http(addr, "GET", path, &[], b""))
}

fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Value) {
    json_of(http(addr, "POST", path, headers, body))
}

fn demo(name: &str) -> String {
    std::fs::read_to_string(repo().join("demo").join(name)).unwrap()
}

/// An index of the demo corpus without the rewrite (added through the API).
fn demo_index(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for f in ["wire.txt", "reprint.txt", "unrelated.txt"] {
        std::fs::copy(repo().join("demo").join(f), corpus.join(f)).unwrap();
    }
    let index = dir.join("idx");
    run(&[
        "index",
        "build",
        p(&corpus),
        "--index",
        p(&index),
        "--quiet",
    ]);
    index
}

fn is_error(v: &Value, status: u16, words: &str) {
    assert_eq!(v["status"], status, "{v}");
    let msg = v["error"].as_str().unwrap_or_default();
    assert!(
        msg.contains(words),
        "{status}: {msg:?} should say {words:?}"
    );
}

#[test]
fn the_api_answers_what_the_cli_prints() {
    let dir = tempfile::tempdir().unwrap();
    let index = demo_index(dir.path());
    let copy = dir.path().join("idx-cli");
    std::fs::create_dir_all(&copy).unwrap();
    for e in std::fs::read_dir(&index).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret\n").unwrap();
    let server = serve(
        &index,
        &["--token-file", p(&token), "--max-body-mb", "0.05"],
    );
    let addr = server.addr;

    let (s, h) = get(addr, "/healthz");
    assert_eq!((s, h["documents"].clone()), (200, json!(3)));
    let (s, stats) = get(addr, "/api/stats");
    assert_eq!(s, 200);
    let cli_stats: Value =
        serde_json::from_slice(&run(&["index", "stats", "--index", p(&index), "--json"]).stdout)
            .unwrap();
    assert_eq!(stats, cli_stats);

    // trace: the rewrite, not stored, as `index query --json` prints it
    let rewrite = demo("rewrite.txt");
    let (s, mut traced) = post(addr, "/api/trace?id=rewrite", &[], rewrite.as_bytes());
    assert_eq!(s, 200, "{traced}");
    assert_eq!(traced["indexed"], 3);
    traced.as_object_mut().unwrap().remove("indexed");
    let rewrite_path = repo().join("demo/rewrite.txt");
    let cli: Value = serde_json::from_slice(
        &run(&[
            "index",
            "query",
            p(&rewrite_path),
            "--index",
            p(&index),
            "--json",
            "--quiet",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(traced, cli);
    let ids: Vec<&str> = traced["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"wire"), "{traced}");
    // with views: the engine's side-by-side fragment per source
    let (_, v) = post(
        addr,
        "/api/trace?id=rewrite&views=1",
        &[],
        rewrite.as_bytes(),
    );
    let view = v["views"][0].as_str().unwrap();
    assert!(
        view.contains("class=\"p edited\"") && view.contains("id=\"s0-b0\""),
        "{view}"
    );

    // compare: two texts, as `compare --json` prints them
    let wire = demo("wire.txt");
    let body = json!({"a": {"id": "wire", "text": wire}, "b": {"id": "rewrite", "text": rewrite}});
    let (s, cmp) = post(addr, "/api/compare", &[], body.to_string().as_bytes());
    assert_eq!(s, 200, "{cmp}");
    let cli: Value = serde_json::from_slice(
        &run(&[
            "compare",
            p(&repo().join("demo/wire.txt")),
            p(&rewrite_path),
            "--json",
            "--quiet",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(cmp, cli);

    // writes: the token is needed
    let line = json!({"id": "rewrite", "text": rewrite, "site": "daily", "date": "2024-05-03"})
        .to_string();
    let (s, e) = post(addr, "/api/documents", &[], line.as_bytes());
    is_error(&e, 401, "Bearer");
    assert_eq!(s, 401);
    let (s, e) = post(
        addr,
        "/api/documents",
        &[("Authorization", "Bearer nope")],
        line.as_bytes(),
    );
    assert_eq!(s, 403, "{e}");
    let auth = [("Authorization", "Bearer s3cret")];
    // malformed input: 400 naming the problem, nothing stored
    let (s, e) = post(addr, "/api/documents", &auth, b"{\"id\": \"x\", \"text\": ");
    assert_eq!(s, 400, "{e}");
    is_error(&e, 400, "could not be read");
    let (s, e) = post(addr, "/api/documents", &auth, b"just words, no id");
    assert_eq!(s, 400);
    is_error(&e, 400, "?id=");
    let (s, e) = post(
        addr,
        "/api/documents",
        &auth,
        json!({"id": "d", "text": "Some words.", "date": "the 45th of Nevember"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(s, 400);
    is_error(&e, 400, "date");
    assert_eq!(
        get(addr, "/healthz").1["documents"],
        3,
        "nothing stored by bad requests"
    );
    // too big: 413 (the limit is 50 kB here)
    let big = "word ".repeat(30_000);
    let (s, e) = post(addr, "/api/documents?id=big", &auth, big.as_bytes());
    assert_eq!(s, 413, "{e}");
    is_error(&e, 413, "limit");

    // add: the pairs `index add --out` writes for the same line
    let (s, added) = post(
        addr,
        "/api/documents",
        &auth,
        format!("{line}\n").as_bytes(),
    );
    assert_eq!(s, 200, "{added}");
    assert_eq!(added["documents"][0]["status"], "added");
    let jsonl = dir.path().join("new.jsonl");
    std::fs::write(&jsonl, format!("{line}\n")).unwrap();
    let out = run(&[
        "index",
        "add",
        p(&jsonl),
        "--index",
        p(&copy),
        "--out",
        "-",
        "--quiet",
    ]);
    let cli_pairs: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!cli_pairs.is_empty());
    assert_eq!(added["documents"][0]["pairs"], Value::Array(cli_pairs));
    // the same again: unchanged
    let (_, again) = post(addr, "/api/documents", &auth, line.as_bytes());
    assert_eq!(again["documents"][0]["status"], "unchanged");

    // reads
    let (s, doc) = get(addr, "/api/documents/rewrite");
    assert_eq!(s, 200);
    let cli: Value =
        serde_json::from_slice(&run(&["index", "get", "rewrite", "--index", p(&index)]).stdout)
            .unwrap();
    let mut doc = doc;
    doc.as_object_mut().unwrap().remove("added");
    doc.as_object_mut().unwrap().remove("chars");
    assert_eq!(doc, cli);
    let (s, e) = get(addr, "/api/documents/nope");
    assert_eq!(s, 404);
    is_error(&e, 404, "nope");
    let (s, reuse) = get(addr, "/api/documents/wire/reuse");
    assert_eq!(s, 200);
    let partners: Vec<&str> = ["reused_by", "drew_on", "related"]
        .iter()
        .flat_map(|k| reuse[k].as_array().unwrap())
        .map(|p| p["partner"].as_str().unwrap())
        .collect();
    assert!(partners.contains(&"reprint"), "{reuse}");
    let (s, c) = get(addr, "/api/clusters/wire");
    assert_eq!(s, 200);
    let members: Vec<&str> = c["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(
        members.contains(&"reprint") && !members.contains(&"unrelated"),
        "{c}"
    );
    let (s, page) = get(addr, "/api/pairs?latest=1&limit=1&passages=0");
    assert_eq!(s, 200);
    assert_eq!(page["pairs"].as_array().unwrap().len(), 1);
    assert!(page["pairs"][0].get("passages").is_none());
    let (_, all) = get(addr, "/api/pairs");
    let n = all["pairs"].as_array().unwrap().len();
    let cli_n = String::from_utf8_lossy(&run(&["index", "pairs", "--index", p(&index)]).stdout)
        .lines()
        .count();
    assert_eq!(n, cli_n);
    let (s, e) = get(addr, "/api/pairs?relation=copied");
    assert_eq!(s, 400);
    is_error(&e, 400, "relation");
    let (s, e) = get(addr, "/api/pairs?after=soon");
    assert_eq!(s, 400);
    is_error(&e, 400, "after");
    let (s, corpus) = get(addr, "/api/corpus");
    assert_eq!(s, 200);
    assert!(!corpus["sites"].as_array().unwrap().is_empty());
    let (s, e) = post(addr, "/api/compare", &[], b"[1, 2");
    assert_eq!(s, 400);
    is_error(&e, 400, "JSON");
    let (s, e) = get(addr, "/api/nothing");
    assert_eq!(s, 404);
    is_error(&e, 404, "route");

    // the OpenAPI file names every route; the UI is served
    let (s, api) = get(addr, "/api/openapi.json");
    assert_eq!(s, 200);
    for path in [
        "/api/documents",
        "/api/documents/{id}",
        "/api/documents/{id}/reuse",
        "/api/pairs",
        "/api/clusters/{id}",
        "/api/stats",
        "/api/trace",
        "/api/compare",
        "/healthz",
    ] {
        assert!(api["paths"].get(path).is_some(), "{path} undocumented");
    }
    let (s, page) = http(addr, "GET", "/", &[], b"");
    assert_eq!(s, 200);
    assert!(String::from_utf8_lossy(&page).contains("/app.js"));
}

/// Posts documents one request at a time until `stop`; returns the ids the
/// server acknowledged (answered 200).
fn burst(addr: SocketAddr, from: usize, stop: Instant) -> Vec<String> {
    let mut acked = Vec::new();
    let mut i = from;
    while Instant::now() < stop {
        let id = format!("burst-{i}");
        let text = format!(
            "Report {i}: the harbour authority counted {} ships in the week to Friday, {} more than a year earlier, and said the new quay would open in the spring after {} months of work.",
            100 + i,
            i % 17,
            3 + i % 9
        );
        let body = json!({"id": id, "text": text}).to_string();
        let Ok(mut s) = TcpStream::connect(addr) else {
            break;
        };
        let req = format!(
            "POST /api/documents HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if s.write_all(req.as_bytes()).is_err() {
            break;
        }
        let mut raw = Vec::new();
        if s.read_to_end(&mut raw).is_err() {
            break;
        }
        if raw.starts_with(b"HTTP/1.1 200") {
            acked.push(id);
        } else {
            break;
        }
        i += 1;
    }
    acked
}

#[test]
fn a_kill_during_a_write_burst_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let index = demo_index(dir.path());
    let mut server = serve(&index, &[]);
    let addr = server.addr;
    // two writers; the server is killed (SIGKILL) while they post
    let stop = Instant::now() + Duration::from_secs(30);
    let writers: Vec<_> = (0..2)
        .map(|w| std::thread::spawn(move || burst(addr, w * 100_000, stop)))
        .collect();
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let n = get(addr, "/healthz").1["documents"].as_u64().unwrap();
        if n >= 3 + 20 || started.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    let acked: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert!(
        acked.len() >= 10,
        "only {} acknowledged before the kill",
        acked.len()
    );
    let again = serve(&index, &[]);
    for id in &acked {
        let (s, d) = get(again.addr, &format!("/api/documents/{id}"));
        assert_eq!(s, 200, "acknowledged {id} lost after the kill: {d}");
    }
    drop(again);
    run(&["index", "check", "--index", p(&index), "--full"]);
    eprintln!(
        "serve restart test: {} acknowledged documents, all there after kill -9",
        acked.len()
    );
}
