//! Reads a corpus and prints read throughput and the summary line.
//!
//! ```text
//! cargo run --release -p whence-ingest --example read_corpus -- [--max-doc-bytes N] [--lossy] INPUT…
//! ```
//! Set `RAYON_NUM_THREADS` to change the number of parsing threads. Prints the first
//! few skips and warnings, then: seconds, MB/s (stored and decoded), documents/s.

use std::time::Instant;

use whence_ingest::{Corpus, CorpusSpec};

fn main() {
    let mut spec = CorpusSpec::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--lossy" => spec.lossy = true,
            "--max-doc-bytes" => {
                spec.max_doc_bytes = args.next().and_then(|n| n.parse().ok());
            }
            _ => spec.inputs.push(a.into()),
        }
    }
    let opts = match spec.validate() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let mut docs = match Corpus::open(&opts) {
        Ok(c) => c.documents(),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let (mut shown, mut text_bytes) = (0, 0u64);
    for item in docs.by_ref() {
        match item {
            Ok(rec) => {
                text_bytes += rec.doc.text.len() as u64;
                for w in &rec.warnings {
                    if shown < 10 {
                        eprintln!("warning: {w}");
                        shown += 1;
                    }
                }
            }
            Err(skip) if shown < 10 => {
                eprintln!("skip: {skip}");
                shown += 1;
            }
            Err(_) => {}
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let stats = docs.into_stats();
    println!("{stats}");
    println!(
        "{secs:.3} s; {:.1} MB/s stored, {:.1} MB/s decoded, {:.0} documents/s; {:.1} MB of document text",
        stats.bytes_read as f64 / 1e6 / secs,
        stats.bytes_decoded as f64 / 1e6 / secs,
        stats.documents as f64 / secs,
        text_bytes as f64 / 1e6,
    );
}
