//! Study aid for classifiers on the sentence vectors themselves (SentEval-style
//! `|u−v|`, `u⊙v`; eval/msrp_vectors.py): for every tab-separated pair on
//! stdin, prints one JSON object a line with
//!
//! - `f`: the nine judge inputs ([`Features::to_array`], order of [`FEATURE_NAMES`]),
//! - `score`: the shipped judge's probability,
//! - `u`, `v`: the two mean-pooled, unit-length sentence vectors,
//! - `umax`, `vmax`: the coordinate-wise maximum of each side's token vectors
//!   (last layer, `[CLS]`/`[SEP]` excluded, each unit length; zeros when a side
//!   has no token),
//! - `ba`, `bb`: each token's best cosine against the other side's tokens.
//!
//!     cargo run --release -p whence-embed --example pair_vectors -- MODEL_DIR < pairs.tsv > vectors.jsonl

use std::io::{BufRead, Write};

use whence_embed::{features, judge, Model, SentenceVectors, FEATURE_NAMES};

fn best(a: &SentenceVectors, b: &SentenceVectors) -> Vec<f32> {
    a.token_rows()
        .map(|ra| {
            b.token_rows()
                .map(|rb| ra.iter().zip(rb).map(|(x, y)| x * y).sum::<f32>())
                .fold(f32::NEG_INFINITY, f32::max)
        })
        .collect()
}

fn max_pool(a: &SentenceVectors) -> Vec<f32> {
    if a.token_count() == 0 {
        return vec![0.0; a.dim()];
    }
    let mut m = vec![f32::NEG_INFINITY; a.dim()];
    for row in a.token_rows() {
        for (x, y) in m.iter_mut().zip(row) {
            *x = x.max(*y);
        }
    }
    m
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: pair_vectors MODEL_DIR < pairs.tsv > vectors.jsonl")?;
    let model = Model::load(&dir)?;
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    let mut out = std::io::stdout().lock();
    let names = FEATURE_NAMES.len();
    for block in lines.chunks(512) {
        let pairs: Vec<(&str, &str)> = block
            .iter()
            .map(|l| l.split_once('\t').ok_or("a line without a tab"))
            .collect::<Result<_, _>>()?;
        let sentences: Vec<&str> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
        let v = model.embed_tokens(&sentences)?;
        for (i, (a, b)) in pairs.iter().enumerate() {
            let (ea, eb) = (&v[2 * i], &v[2 * i + 1]);
            let f = features(a, b, ea, eb).to_array();
            debug_assert_eq!(f.len(), names);
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({
                    "f": f,
                    "score": judge(a, b, ea, eb).score,
                    "u": ea.pooled(), "v": eb.pooled(),
                    "umax": max_pool(ea), "vmax": max_pool(eb),
                    "ba": best(ea, eb), "bb": best(eb, ea),
                }),
            )?;
            writeln!(out)?;
        }
        out.flush()?;
        eprintln!("{} pairs done", block.len());
    }
    Ok(())
}
