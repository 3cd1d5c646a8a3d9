//! A BERT encoder (the architecture of all-MiniLM-L6-v2) on candle tensors.
//!
//! Inputs: `config.json` (Hugging Face's BERT fields) and the weights of
//! `model.safetensors` by their Hugging Face names (optionally under `bert.`).
//! Output: the last hidden state, `(batch, seq, hidden)`, for padded token ids and
//! an attention mask. Written here rather than taken from `candle-transformers` so
//! the build compiles one model instead of a hundred, and so every tensor name and
//! shape is checked with an error that names it.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Module, Tensor, D};
use candle_nn::{Embedding, LayerNorm, Linear};
use serde::Deserialize;

use crate::EmbedError;

/// `config.json` as written by Hugging Face, before validation.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct RawBertConfig {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    #[serde(default = "default_act")]
    hidden_act: String,
    max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    type_vocab_size: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    #[serde(default)]
    model_type: Option<String>,
    #[serde(default)]
    position_embedding_type: Option<String>,
}

fn default_act() -> String {
    "gelu".into()
}
fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}

/// The activation between the two feed-forward layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Activation {
    /// Exact GELU (`erf`), Hugging Face's `gelu`.
    Gelu,
    /// The `tanh` approximation (`gelu_new`, `gelu_pytorch_tanh`).
    GeluTanh,
    Relu,
}

/// A validated BERT configuration: sizes are non-zero and the hidden size splits
/// evenly into heads.
#[derive(Clone, Debug)]
pub(crate) struct BertConfig {
    pub(crate) vocab_size: usize,
    pub(crate) hidden_size: usize,
    pub(crate) num_layers: usize,
    pub(crate) num_heads: usize,
    pub(crate) intermediate_size: usize,
    pub(crate) act: Activation,
    pub(crate) max_positions: usize,
    pub(crate) type_vocab_size: usize,
    pub(crate) eps: f64,
}

impl RawBertConfig {
    /// Checks the sizes and names; `path` is only for the error message.
    pub(crate) fn validate(self, path: &Path) -> Result<BertConfig, EmbedError> {
        let bad = |reason: String| EmbedError::bad(path, reason);
        if let Some(t) = &self.model_type {
            if t != "bert" {
                return Err(bad(format!(
                    "model_type is {t:?}; only BERT encoders (\"bert\") are supported"
                )));
            }
        }
        if let Some(p) = &self.position_embedding_type {
            if p != "absolute" {
                return Err(bad(format!(
                    "position_embedding_type {p:?} is not supported (only \"absolute\")"
                )));
            }
        }
        for (name, v) in [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_hidden_layers", self.num_hidden_layers),
            ("num_attention_heads", self.num_attention_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
            ("type_vocab_size", self.type_vocab_size),
        ] {
            if v == 0 {
                return Err(bad(format!("{name} must be positive")));
            }
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(bad(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            )));
        }
        if !(self.layer_norm_eps.is_finite() && self.layer_norm_eps > 0.0) {
            return Err(bad("layer_norm_eps must be a positive number".into()));
        }
        let act = match self.hidden_act.as_str() {
            "gelu" => Activation::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Activation::GeluTanh,
            "relu" => Activation::Relu,
            other => return Err(bad(format!("hidden_act {other:?} is not supported"))),
        };
        Ok(BertConfig {
            vocab_size: self.vocab_size,
            hidden_size: self.hidden_size,
            num_layers: self.num_hidden_layers,
            num_heads: self.num_attention_heads,
            intermediate_size: self.intermediate_size,
            act,
            max_positions: self.max_position_embeddings,
            type_vocab_size: self.type_vocab_size,
            eps: self.layer_norm_eps,
        })
    }
}

impl BertConfig {
    /// Every weight the encoder reads, with its shape, by Hugging Face name.
    pub(crate) fn expected_tensors(&self) -> Vec<(String, Vec<usize>)> {
        let (h, i) = (self.hidden_size, self.intermediate_size);
        let mut v = vec![
            (
                "embeddings.word_embeddings.weight".into(),
                vec![self.vocab_size, h],
            ),
            (
                "embeddings.position_embeddings.weight".into(),
                vec![self.max_positions, h],
            ),
            (
                "embeddings.token_type_embeddings.weight".into(),
                vec![self.type_vocab_size, h],
            ),
            ("embeddings.LayerNorm.weight".into(), vec![h]),
            ("embeddings.LayerNorm.bias".into(), vec![h]),
        ];
        for l in 0..self.num_layers {
            let p = format!("encoder.layer.{l}.");
            for (name, shape) in [
                ("attention.self.query.weight", vec![h, h]),
                ("attention.self.query.bias", vec![h]),
                ("attention.self.key.weight", vec![h, h]),
                ("attention.self.key.bias", vec![h]),
                ("attention.self.value.weight", vec![h, h]),
                ("attention.self.value.bias", vec![h]),
                ("attention.output.dense.weight", vec![h, h]),
                ("attention.output.dense.bias", vec![h]),
                ("attention.output.LayerNorm.weight", vec![h]),
                ("attention.output.LayerNorm.bias", vec![h]),
                ("intermediate.dense.weight", vec![i, h]),
                ("intermediate.dense.bias", vec![i]),
                ("output.dense.weight", vec![h, i]),
                ("output.dense.bias", vec![h]),
                ("output.LayerNorm.weight", vec![h]),
                ("output.LayerNorm.bias", vec![h]),
            ] {
                v.push((format!("{p}{name}"), shape));
            }
        }
        v
    }
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    inter: Linear,
    out: Linear,
    out_norm: LayerNorm,
}

/// The encoder with its weights, ready to run.
pub(crate) struct Bert {
    cfg: BertConfig,
    word: Embedding,
    position: Embedding,
    token_type: Embedding,
    emb_norm: LayerNorm,
    layers: Vec<Layer>,
    device: Device,
}

impl Bert {
    /// Takes the weights out of `tensors` (as read from `path`), checking every
    /// name and shape; floating-point weights of any precision become `f32`.
    pub(crate) fn from_tensors(
        cfg: BertConfig,
        mut tensors: HashMap<String, Tensor>,
        path: &Path,
        device: &Device,
    ) -> Result<Bert, EmbedError> {
        let prefix = if tensors.contains_key("embeddings.word_embeddings.weight") {
            ""
        } else if tensors.contains_key("bert.embeddings.word_embeddings.weight") {
            "bert."
        } else {
            return Err(EmbedError::bad(
                path,
                "no tensor `embeddings.word_embeddings.weight`: not the weights of a BERT model",
            ));
        };
        let mut checked: HashMap<String, Tensor> = HashMap::new();
        for (name, shape) in cfg.expected_tensors() {
            let full = format!("{prefix}{name}");
            let t = tensors
                .remove(&full)
                .ok_or_else(|| EmbedError::bad(path, format!("tensor `{full}` is missing")))?;
            if t.dims() != shape.as_slice() {
                return Err(EmbedError::bad(
                    path,
                    format!(
                        "tensor `{full}` has shape {:?}, config.json implies {:?}",
                        t.dims(),
                        shape
                    ),
                ));
            }
            let t = match t.dtype() {
                DType::F32 => t,
                DType::F16 | DType::BF16 | DType::F64 => t.to_dtype(DType::F32)?,
                other => {
                    return Err(EmbedError::bad(
                        path,
                        format!("tensor `{full}` has type {other:?}, expected floating point"),
                    ))
                }
            };
            checked.insert(name, t.to_device(device)?);
        }
        let mut take = |name: &str| -> Tensor {
            checked
                .remove(name)
                .expect("every expected tensor was checked above")
        };
        let h = cfg.hidden_size;
        let norm = |w: Tensor, b: Tensor| LayerNorm::new(w, b, cfg.eps);
        let word = Embedding::new(take("embeddings.word_embeddings.weight"), h);
        let position = Embedding::new(take("embeddings.position_embeddings.weight"), h);
        let token_type = Embedding::new(take("embeddings.token_type_embeddings.weight"), h);
        let emb_norm = norm(
            take("embeddings.LayerNorm.weight"),
            take("embeddings.LayerNorm.bias"),
        );
        let mut layers = Vec::with_capacity(cfg.num_layers);
        for l in 0..cfg.num_layers {
            let mut lin = |n: &str| {
                Linear::new(
                    take(&format!("encoder.layer.{l}.{n}.weight")),
                    Some(take(&format!("encoder.layer.{l}.{n}.bias"))),
                )
            };
            let query = lin("attention.self.query");
            let key = lin("attention.self.key");
            let value = lin("attention.self.value");
            let attn_out = lin("attention.output.dense");
            let inter = lin("intermediate.dense");
            let out = lin("output.dense");
            let attn_norm = norm(
                take(&format!(
                    "encoder.layer.{l}.attention.output.LayerNorm.weight"
                )),
                take(&format!(
                    "encoder.layer.{l}.attention.output.LayerNorm.bias"
                )),
            );
            let out_norm = norm(
                take(&format!("encoder.layer.{l}.output.LayerNorm.weight")),
                take(&format!("encoder.layer.{l}.output.LayerNorm.bias")),
            );
            layers.push(Layer {
                query,
                key,
                value,
                attn_out,
                attn_norm,
                inter,
                out,
                out_norm,
            });
        }
        Ok(Bert {
            cfg,
            word,
            position,
            token_type,
            emb_norm,
            layers,
            device: device.clone(),
        })
    }

    pub(crate) fn config(&self) -> &BertConfig {
        &self.cfg
    }

    /// Runs the encoder on a padded batch.
    ///
    /// `ids`, `type_ids` and `mask` are `batch * seq` row-major; `mask` is 1 for real
    /// tokens and 0 for padding. `seq` must not exceed `max_position_embeddings`
    /// and every id must be below the vocabulary size (the caller guarantees both).
    /// Returns the last hidden state `(batch, seq, hidden)`.
    pub(crate) fn forward(
        &self,
        ids: &[u32],
        type_ids: &[u32],
        mask: &[f32],
        batch: usize,
        seq: usize,
    ) -> candle_core::Result<Tensor> {
        let dev = &self.device;
        let ids = Tensor::from_slice(ids, (batch, seq), dev)?;
        let type_ids = Tensor::from_slice(type_ids, (batch, seq), dev)?;
        let positions: Vec<u32> = (0..seq as u32).collect();
        let positions = Tensor::from_slice(&positions, seq, dev)?;
        let x = (self.word.forward(&ids)? + self.token_type.forward(&type_ids)?)?
            .broadcast_add(&self.position.forward(&positions)?)?;
        let mut x = self.emb_norm.forward(&x)?;
        // Additive mask: 0 where attended, the most negative float on padding, as
        // Hugging Face does; shape (batch, 1, 1, seq) to broadcast over heads and
        // query positions.
        let add: Vec<f32> = mask
            .iter()
            .map(|&m| if m > 0.0 { 0.0 } else { f32::MIN })
            .collect();
        let add = Tensor::from_slice(&add, (batch, 1, 1, seq), dev)?;
        let heads = self.cfg.num_heads;
        let head_dim = self.cfg.hidden_size / heads;
        let scale = 1.0 / (head_dim as f64).sqrt();
        for layer in &self.layers {
            let split = |t: Tensor| -> candle_core::Result<Tensor> {
                t.reshape((batch, seq, heads, head_dim))?
                    .transpose(1, 2)?
                    .contiguous()
            };
            let q = split(layer.query.forward(&x)?)?;
            let k = split(layer.key.forward(&x)?)?;
            let v = split(layer.value.forward(&x)?)?;
            let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?.broadcast_add(&add)?;
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let ctx = probs.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((
                batch,
                seq,
                heads * head_dim,
            ))?;
            let attn = layer
                .attn_norm
                .forward(&(layer.attn_out.forward(&ctx)? + &x)?)?;
            let inter = layer.inter.forward(&attn)?;
            let inter = match self.cfg.act {
                Activation::Gelu => inter.gelu_erf()?,
                Activation::GeluTanh => inter.gelu()?,
                Activation::Relu => inter.relu()?,
            };
            x = layer
                .out_norm
                .forward(&(layer.out.forward(&inter)? + &attn)?)?;
        }
        Ok(x)
    }
}

/// Mean of the hidden states over the real tokens (mask 1), then L2-normalised,
/// as sentence-transformers' `Pooling(mean)` + `Normalize` do. Returns one vector
/// per row of the batch.
pub(crate) fn mean_pool_normalize(
    hidden: &Tensor,
    mask: &[f32],
    batch: usize,
    seq: usize,
) -> candle_core::Result<Vec<Vec<f32>>> {
    let dim = hidden.dim(D::Minus1)?;
    let m = Tensor::from_slice(mask, (batch, seq, 1), hidden.device())?;
    let summed = hidden.broadcast_mul(&m)?.sum(1)?; // (batch, dim)
    let rows: Vec<Vec<f32>> = summed.to_vec2()?;
    let mut out = Vec::with_capacity(batch);
    for (b, mut row) in rows.into_iter().enumerate() {
        debug_assert_eq!(row.len(), dim);
        let count: f32 = mask[b * seq..(b + 1) * seq].iter().sum::<f32>().max(1e-9);
        for v in &mut row {
            *v /= count;
        }
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        for v in &mut row {
            *v /= norm;
        }
        out.push(row);
    }
    Ok(out)
}
