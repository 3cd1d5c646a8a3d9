//! A tiny BERT model with random weights, written to a directory, for tests and
//! examples that need the real loading and inference path without the 90 MB model.
//!
//! Its vectors mean nothing; its files have the exact names, layout and formats
//! of a real model (Hugging Face `config.json`, a WordPiece `tokenizer.json`,
//! `model.safetensors` with every BERT tensor name).

use std::collections::HashMap;
use std::path::Path;

use candle_core::{Device, Tensor};
use serde_json::json;

use crate::bert::RawBertConfig;
use crate::model::{CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE};
use crate::rng::SplitMix;
use crate::EmbedError;

/// Hidden size of the tiny model (the length of its vectors).
pub const TINY_DIM: usize = 16;

const WORDS: &[&str] = &[
    "the", "a", "cat", "dog", "sat", "on", "mat", "ran", "in", "park", "news", "report", "said",
    "hundreds", "of", "troops", "have", "arrived", "syria", "to", "join", "sources", ".", ",", "'",
    "\"", "-",
];

/// The tiny model's vocabulary: special tokens, some words, single letters and
/// digits with and without the `##` continuation prefix (so any ASCII word
/// tokenizes), in id order.
pub fn tiny_vocab() -> Vec<String> {
    let mut v: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(WORDS.iter().map(|s| s.to_string()));
    for c in ('a'..='z').chain('0'..='9') {
        v.push(c.to_string());
        v.push(format!("##{c}"));
    }
    v
}

/// Writes `config.json`, `tokenizer.json` and `model.safetensors` of a tiny
/// random BERT into `dir` (created if needed). The same `seed` writes the same
/// model. `max_positions` bounds the tokens a sentence keeps.
pub fn write_tiny_model(dir: &Path, seed: u64, max_positions: usize) -> Result<(), EmbedError> {
    std::fs::create_dir_all(dir).map_err(|e| EmbedError::io(dir, e))?;
    let vocab = tiny_vocab();
    let config = json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": vocab.len(),
        "hidden_size": TINY_DIM,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 32,
        "hidden_act": "gelu",
        "max_position_embeddings": max_positions,
        "type_vocab_size": 2,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "position_embedding_type": "absolute"
    });
    let cpath = dir.join(CONFIG_FILE);
    write(&cpath, &serde_json::to_vec_pretty(&config).expect("json"))?;

    let special = |id: usize, s: &str| {
        json!({"id": id, "content": s, "single_word": false, "lstrip": false,
               "rstrip": false, "normalized": false, "special": true})
    };
    let vocab_map: serde_json::Map<String, serde_json::Value> = vocab
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), json!(i)))
        .collect();
    let tokenizer = json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": [special(0, "[PAD]"), special(1, "[UNK]"), special(2, "[CLS]"),
                         special(3, "[SEP]"), special(4, "[MASK]")],
        "normalizer": {"type": "BertNormalizer", "clean_text": true,
                       "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}
            }
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab_map}
    });
    write(
        &dir.join(TOKENIZER_FILE),
        &serde_json::to_vec(&tokenizer).expect("json"),
    )?;

    let raw: RawBertConfig = serde_json::from_value(config).expect("tiny config parses");
    let cfg = raw.validate(&cpath)?;
    let mut rng = SplitMix(seed);
    let mut tensors: HashMap<String, Tensor> = HashMap::new();
    for (name, shape) in cfg.expected_tensors() {
        let n: usize = shape.iter().product();
        let data: Vec<f32> = if name.ends_with("LayerNorm.weight") {
            (0..n).map(|_| 1.0 + 0.1 * rng.signed()).collect()
        } else if name.ends_with("LayerNorm.bias") || name.ends_with(".bias") {
            (0..n).map(|_| 0.1 * rng.signed()).collect()
        } else {
            (0..n).map(|_| 0.5 * rng.signed()).collect()
        };
        let t = Tensor::from_vec(data, shape.as_slice(), &Device::Cpu)?;
        tensors.insert(name, t);
    }
    let wpath = dir.join(WEIGHTS_FILE);
    candle_core::safetensors::save(&tensors, &wpath)
        .map_err(|e| EmbedError::bad(&wpath, format!("cannot write: {e}")))?;
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), EmbedError> {
    std::fs::write(path, bytes).map_err(|e| EmbedError::io(path, e))
}
