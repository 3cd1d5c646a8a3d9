//! Exploration aid: for every tab-separated pair on stdin, prints each side's
//! real tokens and each token's best cosine against the other side's tokens.
//!
//!     cargo run --release -p whence-embed --example pair_tokens -- MODEL_DIR < pairs.tsv

use std::io::{BufRead, Write};

use whence_embed::{Model, SentenceVectors};

fn best(a: &SentenceVectors, b: &SentenceVectors) -> Vec<f32> {
    a.token_rows()
        .map(|ra| {
            b.token_rows()
                .map(|rb| ra.iter().zip(rb).map(|(x, y)| x * y).sum::<f32>())
                .fold(f32::NEG_INFINITY, f32::max)
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: pair_tokens MODEL_DIR")?;
    let model = Model::load(&dir)?;
    let tok = tokenizers::Tokenizer::from_file(std::path::Path::new(&dir).join("tokenizer.json"))
        .map_err(|e| e.to_string())?;
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    let mut out = std::io::stdout().lock();
    for block in lines.chunks(512) {
        let pairs: Vec<(&str, &str)> = block
            .iter()
            .map(|l| l.split_once('\t').ok_or("a line without a tab"))
            .collect::<Result<_, _>>()?;
        let sentences: Vec<&str> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
        let v = model.embed_tokens(&sentences)?;
        for (i, (a, b)) in pairs.iter().enumerate() {
            let pieces = |s: &str| -> Result<Vec<String>, Box<dyn std::error::Error>> {
                let e = tok.encode(s, true).map_err(|e| e.to_string())?;
                Ok(e.get_tokens()
                    .iter()
                    .zip(e.get_special_tokens_mask())
                    .filter(|(_, &m)| m == 0)
                    .map(|(t, _)| t.clone())
                    .collect())
            };
            let (ea, eb) = (&v[2 * i], &v[2 * i + 1]);
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({"ta": pieces(a)?, "tb": pieces(b)?,
                    "ba": best(ea, eb), "bb": best(eb, ea)}),
            )?;
            writeln!(out)?;
        }
        out.flush()?;
    }
    Ok(())
}
