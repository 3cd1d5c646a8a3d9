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

use std::io::Write;

use whence_embed::{best_matches, features, judge, Model, SentenceVectors, FEATURE_NAMES};

mod tsv_pairs;

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

fn main() -> Result<(), tsv_pairs::Error> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: pair_vectors MODEL_DIR < pairs.tsv > vectors.jsonl")?;
    let model = Model::load(&dir)?;
    let lines = tsv_pairs::stdin_lines()?;
    let mut out = std::io::stdout().lock();
    let names = FEATURE_NAMES.len();
    for block in lines.chunks(tsv_pairs::BLOCK) {
        let pairs = tsv_pairs::split(block)?;
        let v = tsv_pairs::embed(&model, &pairs)?;
        for (i, (a, b)) in pairs.iter().enumerate() {
            let (ea, eb) = (&v[2 * i], &v[2 * i + 1]);
            let f = features(a, b, ea, eb).to_array();
            let (ba, bb) = best_matches(ea, eb);
            debug_assert_eq!(f.len(), names);
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({
                    "f": f,
                    "score": judge(a, b, ea, eb).score,
                    "u": ea.pooled(), "v": eb.pooled(),
                    "umax": max_pool(ea), "vmax": max_pool(eb),
                    "ba": ba, "bb": bb,
                }),
            )?;
            writeln!(out)?;
        }
        out.flush()?;
        eprintln!("{} pairs done", block.len());
    }
    Ok(())
}
