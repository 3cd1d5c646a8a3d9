//! A bounded load test of `whence serve` on loopback: builds an index of the
//! first part of a JSONL corpus, serves it in this process, then `clients`
//! threads send a fixed number of requests each — a mix of traces of corpus
//! texts (not stored), document and reuse reads, and writes of the corpus's
//! remaining documents — and stop. Prints latencies (p50, p99, max) per kind,
//! errors and throughput, as one JSON line.
//!
//! ```text
//! python3 /work/shared/tools/gen_corpus.py --docs 3000 --out c.jsonl --truth t.jsonl
//! cargo run --release -p whence-server --example load -- c.jsonl --index-docs 2000 \
//!     --clients 8 --requests 200
//! ```
//!
//! With `--index DIR` it serves that existing index instead (built beforehand
//! from CORPUS.jsonl, whose texts the traces and reads use) and writes the
//! documents of `--new FILE.jsonl`; the index is modified by the writes.

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use whence::index::Index;
use whence::pipeline::PipelineConfig;
use whence::Document;

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> Result<u16, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let head = String::from_utf8_lossy(&raw[..raw.len().min(20)]).to_string();
    head.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))
}

/// The documents of a JSONL file (`id`, `text`, optional `site`, `date`).
fn read_docs(path: &std::path::Path) -> Vec<Document> {
    let f = std::io::BufReader::new(std::fs::File::open(path).expect("the corpus opens"));
    let mut docs = Vec::new();
    for line in f.lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).expect("a JSON line");
        let mut d = Document::new(
            v["id"]
                .as_str()
                .map_or_else(|| v["id"].to_string(), str::to_owned),
            v["text"].as_str().unwrap_or_default(),
        );
        d.meta.site = v["site"].as_str().map(str::to_owned);
        d.meta.date = v["date"].as_str().map(str::to_owned);
        docs.push(d);
    }
    docs
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    (sorted[i] * 10.0).round() / 10.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = args.first().expect(
        "usage: load CORPUS.jsonl [--index-docs N | --index DIR [--new FILE.jsonl]] [--clients N] [--requests N] [--workers N]",
    );
    let index_docs = arg(&args, "--index-docs", 2000);
    let clients = arg(&args, "--clients", 8);
    let per_client = arg(&args, "--requests", 100);
    let workers = arg(&args, "--workers", 2);
    let path_arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(std::path::PathBuf::from)
    };
    let mut docs = read_docs(std::path::Path::new(corpus));
    let built_dir = tempfile::tempdir().unwrap();
    let (index_dir, rest) = match path_arg("--index") {
        Some(existing) => {
            let rest = path_arg("--new").map_or_else(Vec::new, |p| read_docs(&p));
            (existing, rest)
        }
        None => {
            let rest: Vec<Document> = docs.split_off(index_docs.min(docs.len()));
            let cfg = PipelineConfig::default();
            let t = Instant::now();
            let (index, built) = Index::build(
                built_dir.path(),
                &mut docs,
                &cfg,
                false,
                None,
                &|_, _, _| {},
            )
            .expect("the index builds");
            eprintln!(
                "load: indexed {} documents ({} pairs) in {:.1} s",
                built.docs,
                built.pairs,
                t.elapsed().as_secs_f64()
            );
            drop(index);
            (built_dir.path().to_owned(), rest)
        }
    };
    let mut opts = whence_server::Options::new(index_dir, "127.0.0.1:0".parse().unwrap());
    opts.workers = workers;
    opts.queue = 4 * clients;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        whence_server::run(opts, |addr| tx.send(addr).unwrap()).expect("the server runs");
    });
    let addr = rx.recv().unwrap();
    let texts: Arc<Vec<(String, String)>> = Arc::new(
        docs.iter()
            .map(|d| (d.id.to_string(), d.text.clone()))
            .collect(),
    );
    let new_docs: Arc<Vec<String>> = Arc::new(
        rest.iter()
            .map(|d| json!({"id": d.id.as_str(), "text": d.text, "site": d.meta.site, "date": d.meta.date}).to_string())
            .collect(),
    );
    let next_new = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let (texts, new_docs, next_new) = (texts.clone(), new_docs.clone(), next_new.clone());
            std::thread::spawn(move || {
                let mut out: Vec<(&'static str, f64, bool)> = Vec::new();
                for i in 0..per_client {
                    let pick = (c * 7919 + i * 104_729) % texts.len();
                    let (kind, method, path, body) = match i % 10 {
                        0 | 5 => {
                            let n = next_new.fetch_add(1, Ordering::Relaxed);
                            match new_docs.get(n) {
                                Some(b) => {
                                    ("write", "POST", "/api/documents".to_owned(), b.clone())
                                }
                                None => (
                                    "read",
                                    "GET",
                                    format!("/api/documents/{}", texts[pick].0),
                                    String::new(),
                                ),
                            }
                        }
                        1 | 6 => (
                            "read",
                            "GET",
                            format!("/api/documents/{}/reuse", texts[pick].0),
                            String::new(),
                        ),
                        2 => (
                            "read",
                            "GET",
                            "/api/pairs?latest=1&limit=20&passages=0".to_owned(),
                            String::new(),
                        ),
                        _ => {
                            // a corpus text with a new first sentence: traced, not stored
                            let body =
                                format!("An editor's note opens this copy. {}", texts[pick].1);
                            (
                                "trace",
                                "POST",
                                "/api/trace?id=probe&format=text".to_owned(),
                                body,
                            )
                        }
                    };
                    let t = Instant::now();
                    let r = request(addr, method, &path, &body);
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    let good = matches!(r, Ok(200));
                    if !good {
                        eprintln!("load: {method} {path}: {r:?}");
                    }
                    out.push((kind, ms, good));
                }
                out
            })
        })
        .collect();
    let all: Vec<(&'static str, f64, bool)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let wall = started.elapsed().as_secs_f64();
    let mut report = json!({
        "corpus": corpus, "indexed": docs.len(), "clients": clients, "workers": workers,
        "requests": all.len(), "errors": all.iter().filter(|x| !x.2).count(),
        "seconds": (wall * 100.0).round() / 100.0,
        "requests_per_s": ((all.len() as f64 / wall) * 10.0).round() / 10.0,
    });
    for kind in ["trace", "read", "write"] {
        let mut ms: Vec<f64> = all.iter().filter(|x| x.0 == kind).map(|x| x.1).collect();
        ms.sort_by(f64::total_cmp);
        report[kind] = json!({"n": ms.len(), "p50_ms": pct(&ms, 0.5), "p99_ms": pct(&ms, 0.99),
                              "max_ms": pct(&ms, 1.0)});
    }
    let writes = report["write"]["n"].as_u64().unwrap_or(0);
    if writes > 0 {
        report["writes_per_s"] = json!(((writes as f64 / wall) * 10.0).round() / 10.0);
    }
    println!("{report}");
}
