//! Embeds stdin, one sentence a line, and prints one JSON array per line
//! (for comparing with a reference implementation), then the speed on stderr.
//!
//!     cargo run --release -p whence-embed --example embed -- MODEL_DIR [BATCH] < sentences.txt

use std::io::{BufRead, Write};
use std::time::Instant;

use whence_embed::{Model, RawEmbedOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or("usage: embed MODEL_DIR [BATCH] < sentences.txt")?;
    let batch = args.next().map(|b| b.parse()).transpose()?.unwrap_or(32);
    let options = RawEmbedOptions {
        batch_size: batch,
        cache_capacity: 0,
        max_length: None,
    }
    .validate()?;
    let t = Instant::now();
    let model = Model::load_with(&dir, &options)?;
    let load = t.elapsed();
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let t = Instant::now();
    let vecs = model.embed(&refs)?;
    let secs = t.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    for v in &vecs {
        serde_json::to_writer(&mut out, v)?;
        writeln!(out)?;
    }
    eprintln!(
        "loaded in {:.2} s; embedded {} sentences in {:.2} s: {:.1} sentences/s (batch {batch})",
        load.as_secs_f64(),
        vecs.len(),
        secs,
        vecs.len() as f64 / secs
    );
    Ok(())
}
