//! The semantic stage of `pairs`: a block's reuse pairs are aligned again with
//! sentence embeddings, the sentences they need embedded together.

use rayon::prelude::*;
use whence_align::SentenceEncoder;
use whence_core::{Document, TokenStream};

use super::verify::align_oriented;
use super::PairResult;
use crate::Config;

/// Aligns a block's reuse pairs again with the semantic stage.
///
/// A first pass records, without duplicates, the sentences the stage asks for
/// (answering none, so the alignments stay lexical). They are embedded in calls of
/// [`EMBED_CHUNK`] sentences of similar length (little padding, full batches;
/// sentences embedded before come from the encoder's own cache), kept in a table
/// for this block only, and the pairs are aligned again from that table. One model
/// call per pair would run tiny batches; warming one cache for the whole corpus
/// would hold every vector at once. A sentence whose chunk failed to embed leaves
/// its pairs as the lexical pass found them (the encoder records the failure).
/// The semantic stage only adds passages, so every pair still shows reuse.
pub(crate) fn semantic_block<'t>(
    docs: &[Document],
    streams: &(dyn Fn(u32) -> Option<&'t TokenStream> + Sync),
    found: Vec<PairResult>,
    cfg: &Config,
    encoder: &dyn SentenceEncoder,
) -> Vec<PairResult> {
    let realign = |p: &PairResult, encoder: &dyn SentenceEncoder| {
        let (da, db) = (&docs[p.a as usize], &docs[p.b as usize]);
        let (ta, tb) = (streams(p.a)?, streams(p.b)?);
        Some(align_oriented(da, ta, db, tb, cfg, Some(encoder)))
    };
    let recorder = Recorder::default();
    found.par_iter().for_each(|p| {
        realign(p, &recorder);
    });
    let mut wanted = recorder.into_sentences();
    if wanted.is_empty() {
        return found;
    }
    wanted.sort_by_key(|s| s.len());
    let mut table = Table::default();
    for chunk in wanted.chunks(EMBED_CHUNK) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        if let Some(vectors) = encoder.encode(&refs) {
            if vectors.len() == refs.len() {
                table.vectors.extend(refs.into_iter().zip(vectors));
            }
        }
    }
    found
        .into_par_iter()
        .map(|p| match realign(&p, &table) {
            Some(mut alignment) => {
                // paraphrase passages leave the lexical evidence as it was
                let (da, db) = (&docs[p.a as usize], &docs[p.b as usize]);
                p.evidence.apply(da, db, &mut alignment);
                PairResult { alignment, ..p }
            }
            None => p,
        })
        .collect()
}

/// Sentences per encoder call in [`semantic_block`].
const EMBED_CHUNK: usize = 256;

/// Collects, without duplicates and in a thread-independent order, the sentences
/// the semantic stage asks for, and answers none (the aligner then proceeds
/// exactly as without an encoder).
#[derive(Default)]
struct Recorder {
    wanted: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl Recorder {
    fn into_sentences(self) -> Vec<String> {
        self.wanted
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .into_iter()
            .collect()
    }
}

impl SentenceEncoder for Recorder {
    fn encode(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
        let mut w = self.wanted.lock().unwrap_or_else(|p| p.into_inner());
        w.extend(sentences.iter().map(|s| (*s).to_owned()));
        None
    }
}

/// Vectors embedded for one block, answering the aligner from memory; `None`
/// (no semantic stage for the pair) when a sentence is missing.
#[derive(Default)]
struct Table<'s> {
    vectors: std::collections::HashMap<&'s str, Vec<f32>>,
}

impl SentenceEncoder for Table<'_> {
    fn encode(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
        sentences
            .iter()
            .map(|s| self.vectors.get(s).cloned())
            .collect()
    }
}
