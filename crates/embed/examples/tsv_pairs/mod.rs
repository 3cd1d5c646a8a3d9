//! Shared by the `pair_*` examples: tab-separated sentence pairs on stdin
//! ("sentence one<TAB>sentence two" a line), read whole, split in blocks and
//! embedded with token vectors.

use whence_embed::{Model, SentenceVectors};

pub type Error = Box<dyn std::error::Error>;

/// Lines embedded per model call.
pub const BLOCK: usize = 512;

/// Every line of stdin.
pub fn stdin_lines() -> Result<Vec<String>, Error> {
    use std::io::BufRead;
    Ok(std::io::stdin().lock().lines().collect::<Result<_, _>>()?)
}

/// The two sentences of each line of `block`; an error for a line without a tab.
pub fn split(block: &[String]) -> Result<Vec<(&str, &str)>, Error> {
    Ok(block
        .iter()
        .map(|l| l.split_once('\t').ok_or("a line without a tab"))
        .collect::<Result<_, _>>()?)
}

/// Token vectors of the pairs' sentences: pair `i` is `v[2 * i]`, `v[2 * i + 1]`.
pub fn embed(model: &Model, pairs: &[(&str, &str)]) -> Result<Vec<SentenceVectors>, Error> {
    let sentences: Vec<&str> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
    Ok(model.embed_tokens(&sentences)?)
}
