//! Exploration aid: for every tab-separated pair on stdin, prints each side's
//! real tokens and each token's best cosine against the other side's tokens.
//!
//!     cargo run --release -p whence-embed --example pair_tokens -- MODEL_DIR < pairs.tsv

use std::io::Write;

use whence_embed::{best_matches, Model};

mod tsv_pairs;

fn main() -> Result<(), tsv_pairs::Error> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: pair_tokens MODEL_DIR")?;
    let model = Model::load(&dir)?;
    let tok = tokenizers::Tokenizer::from_file(std::path::Path::new(&dir).join("tokenizer.json"))
        .map_err(|e| e.to_string())?;
    let lines = tsv_pairs::stdin_lines()?;
    let mut out = std::io::stdout().lock();
    for block in lines.chunks(tsv_pairs::BLOCK) {
        let pairs = tsv_pairs::split(block)?;
        let v = tsv_pairs::embed(&model, &pairs)?;
        for (i, (a, b)) in pairs.iter().enumerate() {
            let pieces = |s: &str| -> Result<Vec<String>, tsv_pairs::Error> {
                let e = tok.encode(s, true).map_err(|e| e.to_string())?;
                Ok(e.get_tokens()
                    .iter()
                    .zip(e.get_special_tokens_mask())
                    .filter(|(_, &m)| m == 0)
                    .map(|(t, _)| t.clone())
                    .collect())
            };
            let (ba, bb) = best_matches(&v[2 * i], &v[2 * i + 1]);
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({"ta": pieces(a)?, "tb": pieces(b)?, "ba": ba, "bb": bb}),
            )?;
            writeln!(out)?;
        }
        out.flush()?;
    }
    Ok(())
}
