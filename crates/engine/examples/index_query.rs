//! Query latency of the persistent index in one long-lived process: opens an
//! index once, then runs [`whence::index::Index::query`] (lexical: no sentence
//! encoder) for every document of a JSON Lines file (`id`, `text`), and prints
//! p50 / p90 / p99 / max latency, the share of queries with sources, and the
//! process's peak RSS (VmHWM from /proc/self/status, Linux).
//!
//! ```sh
//! cargo build --release -p whence --example index_query
//! target/release/examples/index_query --index idx/ --queries queries.jsonl [--warm 5]
//! ```
//!
//! Each query is timed from the document (boilerplate marked as `index query`
//! marks it) to its [`whence::index::Traced`]; the first `--warm` queries are
//! run but not timed.

use std::io::BufRead;
use std::time::Instant;

use whence::index::Index;
use whence::pipeline::PipelineConfig;
use whence::Document;

fn main() {
    if let Err(e) = run() {
        eprintln!("index_query: {e}");
        std::process::exit(1);
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = arg(&args, "--index").ok_or("--index DIR is required")?;
    let queries = arg(&args, "--queries").ok_or("--queries FILE.jsonl is required")?;
    let warm: usize = arg(&args, "--warm").map_or(Ok(5), |s| s.parse())?;
    let cfg = PipelineConfig::default();
    let opened = Instant::now();
    let index = Index::open_read_only(std::path::Path::new(&dir), &cfg)?;
    let open_ms = opened.elapsed().as_secs_f64() * 1e3;
    let mut docs = Vec::new();
    for (n, line) in std::io::BufReader::new(std::fs::File::open(&queries)?)
        .lines()
        .enumerate()
    {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("{queries}:{}: {e}", n + 1))?;
        let (Some(id), Some(text)) = (v["id"].as_str(), v["text"].as_str()) else {
            return Err(format!("{queries}:{}: no id or text", n + 1).into());
        };
        docs.push(Document::new(id, text));
    }
    if docs.len() <= warm {
        return Err(format!("{} queries, fewer than --warm {warm} + 1", docs.len()).into());
    }
    let mut times = Vec::new();
    let (mut with_sources, mut bytes) = (0usize, 0usize);
    for (i, mut d) in docs.into_iter().enumerate() {
        let t = Instant::now();
        d.boilerplate = whence::boilerplate_of(&d, &cfg.compare);
        let found = index.query(&d, None)?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if i >= warm {
            times.push(ms);
            with_sources += usize::from(!found.trace.sources.is_empty());
            bytes += d.text.len();
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    println!(
        "{} queries (after {warm} untimed), mean {:.0} bytes; open {open_ms:.1} ms; \
         p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} with sources; peak RSS {hwm}",
        times.len(),
        bytes as f64 / times.len() as f64,
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0),
        with_sources
    );
    Ok(())
}
