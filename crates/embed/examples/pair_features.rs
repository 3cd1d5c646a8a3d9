//! Prints the judge features of every tab-separated sentence pair on stdin, one
//! JSON object a line (for fitting and evaluating the paraphrase decision),
//! then on stderr the time spent embedding and the time spent in `judge`.
//!
//!     cargo run --release -p whence-embed --example pair_features -- MODEL_DIR < pairs.tsv

use std::io::Write;
use std::time::{Duration, Instant};

use whence_embed::{features, judge, Model, FEATURE_NAMES};

mod tsv_pairs;

fn main() -> Result<(), tsv_pairs::Error> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: pair_features MODEL_DIR < pairs.tsv")?;
    let model = Model::load(&dir)?;
    let lines = tsv_pairs::stdin_lines()?;
    let mut out = std::io::stdout().lock();
    let (mut embedding, mut judging, mut judged) = (Duration::ZERO, Duration::ZERO, 0usize);
    let mut paraphrases = 0usize;
    for block in lines.chunks(tsv_pairs::BLOCK) {
        let pairs = tsv_pairs::split(block)?;
        let t = Instant::now();
        let v = tsv_pairs::embed(&model, &pairs)?;
        embedding += t.elapsed();
        let t = Instant::now();
        for (i, (a, b)) in pairs.iter().enumerate() {
            paraphrases += usize::from(judge(a, b, &v[2 * i], &v[2 * i + 1]).paraphrase);
        }
        judging += t.elapsed();
        judged += pairs.len();
        for (i, (a, b)) in pairs.iter().enumerate() {
            let f = features(a, b, &v[2 * i], &v[2 * i + 1]).to_array();
            let obj: serde_json::Map<String, serde_json::Value> = FEATURE_NAMES
                .iter()
                .zip(f)
                .map(|(n, x)| (n.to_string(), serde_json::json!(x)))
                .collect();
            serde_json::to_writer(&mut out, &obj)?;
            writeln!(out)?;
        }
        out.flush()?;
    }
    eprintln!(
        "{judged} pairs ({paraphrases} judged paraphrases): embedding {:.2} s, judge {:.3} s ({:.1} µs a pair)",
        embedding.as_secs_f64(),
        judging.as_secs_f64(),
        judging.as_secs_f64() * 1e6 / judged.max(1) as f64
    );
    Ok(())
}
