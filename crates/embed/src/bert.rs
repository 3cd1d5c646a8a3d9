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

use crate::rng::SplitMix;
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

/// One weight of an encoder layer. Every layer has all sixteen; their Hugging
/// Face names are [`Param::name`] under `encoder.layer.{l}.`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Param {
    QueryW,
    QueryB,
    KeyW,
    KeyB,
    ValueW,
    ValueB,
    AttnOutW,
    AttnOutB,
    AttnNormW,
    AttnNormB,
    InterW,
    InterB,
    OutW,
    OutB,
    OutNormW,
    OutNormB,
}

impl Param {
    /// Every weight of a layer, in the order [`LayerWeights`] keeps them.
    pub(crate) const ALL: [Param; 16] = [
        Param::QueryW,
        Param::QueryB,
        Param::KeyW,
        Param::KeyB,
        Param::ValueW,
        Param::ValueB,
        Param::AttnOutW,
        Param::AttnOutB,
        Param::AttnNormW,
        Param::AttnNormB,
        Param::InterW,
        Param::InterB,
        Param::OutW,
        Param::OutB,
        Param::OutNormW,
        Param::OutNormB,
    ];

    /// The Hugging Face name inside a layer.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Param::QueryW => "attention.self.query.weight",
            Param::QueryB => "attention.self.query.bias",
            Param::KeyW => "attention.self.key.weight",
            Param::KeyB => "attention.self.key.bias",
            Param::ValueW => "attention.self.value.weight",
            Param::ValueB => "attention.self.value.bias",
            Param::AttnOutW => "attention.output.dense.weight",
            Param::AttnOutB => "attention.output.dense.bias",
            Param::AttnNormW => "attention.output.LayerNorm.weight",
            Param::AttnNormB => "attention.output.LayerNorm.bias",
            Param::InterW => "intermediate.dense.weight",
            Param::InterB => "intermediate.dense.bias",
            Param::OutW => "output.dense.weight",
            Param::OutB => "output.dense.bias",
            Param::OutNormW => "output.LayerNorm.weight",
            Param::OutNormB => "output.LayerNorm.bias",
        }
    }

    /// The weight matrices (the others are vectors: biases and norms).
    pub(crate) fn is_matrix(self) -> bool {
        matches!(
            self,
            Param::QueryW
                | Param::KeyW
                | Param::ValueW
                | Param::AttnOutW
                | Param::InterW
                | Param::OutW
        )
    }

    /// The shape `config` implies, `(out, in)` for matrices.
    pub(crate) fn shape(self, cfg: &BertConfig) -> Vec<usize> {
        let (h, i) = (cfg.hidden_size, cfg.intermediate_size);
        match self {
            Param::InterW => vec![i, h],
            Param::InterB => vec![i],
            Param::OutW => vec![h, i],
            p if p.is_matrix() => vec![h, h],
            _ => vec![h],
        }
    }
}

impl BertConfig {
    /// Every weight the encoder reads, with its shape, by Hugging Face name.
    pub(crate) fn expected_tensors(&self) -> Vec<(String, Vec<usize>)> {
        let h = self.hidden_size;
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
            for p in Param::ALL {
                v.push((layer_tensor_name(l, p), p.shape(self)));
            }
        }
        v
    }

    /// One encoder layer on `x` `(batch, seq, hidden)` with the additive mask
    /// of [`additive_mask`]. In [`Mode::Train`] every operation is one candle
    /// can differentiate (the fused layer norm and softmax are not) and dropout
    /// is applied where BERT applies it; [`Mode::Infer`] is the same function
    /// with the fused kernels and no dropout.
    pub(crate) fn layer_forward(
        &self,
        w: &LayerWeights,
        x: &Tensor,
        add: &Tensor,
        mode: &mut Mode<'_>,
    ) -> candle_core::Result<Tensor> {
        let (batch, seq, _) = x.dims3()?;
        let heads = self.num_heads;
        let head_dim = self.hidden_size / heads;
        let scale = 1.0 / (head_dim as f64).sqrt();
        let linear = |x: &Tensor, wp: Param, bp: Param| {
            Linear::new(w.get(wp).clone(), Some(w.get(bp).clone())).forward(x)
        };
        let split = |t: Tensor| -> candle_core::Result<Tensor> {
            t.reshape((batch, seq, heads, head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = split(linear(x, Param::QueryW, Param::QueryB)?)?;
        let k = split(linear(x, Param::KeyW, Param::KeyB)?)?;
        let v = split(linear(x, Param::ValueW, Param::ValueB)?)?;
        let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?.broadcast_add(add)?;
        let probs = match mode {
            Mode::Infer => candle_nn::ops::softmax_last_dim(&scores)?,
            Mode::Train(d) => d.apply(&candle_nn::ops::softmax(&scores, D::Minus1)?)?,
        };
        let ctx = probs.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((
            batch,
            seq,
            heads * head_dim,
        ))?;
        let attn_out = mode.dropout(&linear(&ctx, Param::AttnOutW, Param::AttnOutB)?)?;
        let attn = self.norm(
            &(attn_out + x)?,
            w.get(Param::AttnNormW),
            w.get(Param::AttnNormB),
            mode,
        )?;
        let inter = linear(&attn, Param::InterW, Param::InterB)?;
        let inter = match self.act {
            Activation::Gelu => inter.gelu_erf()?,
            Activation::GeluTanh => inter.gelu()?,
            Activation::Relu => inter.relu()?,
        };
        let out = mode.dropout(&linear(&inter, Param::OutW, Param::OutB)?)?;
        self.norm(
            &(out + attn)?,
            w.get(Param::OutNormW),
            w.get(Param::OutNormB),
            mode,
        )
    }

    fn norm(
        &self,
        x: &Tensor,
        weight: &Tensor,
        bias: &Tensor,
        mode: &Mode<'_>,
    ) -> candle_core::Result<Tensor> {
        match mode {
            Mode::Infer => LayerNorm::new(weight.clone(), bias.clone(), self.eps).forward(x),
            Mode::Train(_) => candle_nn::ops::layer_norm_slow(x, weight, bias, self.eps as f32),
        }
    }
}

/// `encoder.layer.{l}.{name}`.
pub(crate) fn layer_tensor_name(layer: usize, p: Param) -> String {
    format!("encoder.layer.{layer}.{}", p.name())
}

/// The sixteen weights of one encoder layer, in [`Param::ALL`] order.
#[derive(Clone, Debug)]
pub(crate) struct LayerWeights(Vec<Tensor>);

impl LayerWeights {
    /// From one tensor per [`Param::ALL`] entry, in that order.
    pub(crate) fn new(tensors: Vec<Tensor>) -> LayerWeights {
        assert_eq!(tensors.len(), Param::ALL.len(), "one tensor per weight");
        LayerWeights(tensors)
    }

    pub(crate) fn get(&self, p: Param) -> &Tensor {
        &self.0[p as usize]
    }
}

/// How [`BertConfig::layer_forward`] runs.
pub(crate) enum Mode<'a> {
    /// Inference: fused kernels, no dropout.
    Infer,
    /// Training: differentiable operations and dropout.
    Train(&'a mut Dropout),
}

impl Mode<'_> {
    fn dropout(&mut self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Mode::Infer => Ok(x.clone()),
            Mode::Train(d) => d.apply(x),
        }
    }
}

/// Inverted dropout with a seeded generator (candle's CPU generator cannot be
/// seeded, and a training run must be repeatable).
pub(crate) struct Dropout {
    p: f32,
    rng: SplitMix,
}

impl Dropout {
    /// Drops each value with probability `p` (in [0, 1)).
    pub(crate) fn new(p: f32, seed: u64) -> Dropout {
        Dropout {
            p,
            rng: SplitMix(seed),
        }
    }

    /// `x` with each value zeroed with probability `p` and the rest scaled by
    /// `1 / (1 - p)`.
    pub(crate) fn apply(&mut self, x: &Tensor) -> candle_core::Result<Tensor> {
        if self.p <= 0.0 {
            return Ok(x.clone());
        }
        let keep = 1.0 / (1.0 - self.p);
        let mask: Vec<f32> = (0..x.elem_count())
            .map(|_| if self.rng.unit() < self.p { 0.0 } else { keep })
            .collect();
        x.mul(&Tensor::from_vec(mask, x.shape(), x.device())?)
    }
}

/// The additive attention mask of a batch: 0 where `mask` is 1, the most
/// negative float on padding (as Hugging Face does), shaped
/// `(batch, 1, 1, seq)` to broadcast over heads and query positions.
pub(crate) fn additive_mask(
    mask: &[f32],
    batch: usize,
    seq: usize,
    dev: &Device,
) -> candle_core::Result<Tensor> {
    let add: Vec<f32> = mask
        .iter()
        .map(|&m| if m > 0.0 { 0.0 } else { f32::MIN })
        .collect();
    Tensor::from_slice(&add, (batch, 1, 1, seq), dev)
}

/// The encoder with its weights, ready to run. Cloning shares the weights
/// (candle tensors are reference-counted).
#[derive(Clone)]
pub(crate) struct Bert {
    cfg: BertConfig,
    word: Embedding,
    position: Embedding,
    token_type: Embedding,
    emb_norm: LayerNorm,
    layers: Vec<LayerWeights>,
    /// `pooler.dense` (weight, bias) when the file has it with the right shapes.
    pooler: Option<(Tensor, Tensor)>,
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
            checked.insert(name, checked_f32(t, &shape, &full, path, device)?);
        }
        let h = cfg.hidden_size;
        let pooler = match (
            tensors.remove(&format!("{prefix}pooler.dense.weight")),
            tensors.remove(&format!("{prefix}pooler.dense.bias")),
        ) {
            (Some(w), Some(b)) if w.dims() == [h, h] && b.dims() == [h] => Some((
                checked_f32(w, &[h, h], "pooler.dense.weight", path, device)?,
                checked_f32(b, &[h], "pooler.dense.bias", path, device)?,
            )),
            _ => None,
        };
        let mut take = |name: &str| -> Tensor {
            checked
                .remove(name)
                .expect("every expected tensor was checked above")
        };
        let norm = |w: Tensor, b: Tensor| LayerNorm::new(w, b, cfg.eps);
        let word = Embedding::new(take("embeddings.word_embeddings.weight"), h);
        let position = Embedding::new(take("embeddings.position_embeddings.weight"), h);
        let token_type = Embedding::new(take("embeddings.token_type_embeddings.weight"), h);
        let emb_norm = norm(
            take("embeddings.LayerNorm.weight"),
            take("embeddings.LayerNorm.bias"),
        );
        let layers = (0..cfg.num_layers)
            .map(|l| {
                LayerWeights::new(
                    Param::ALL
                        .iter()
                        .map(|&p| take(&layer_tensor_name(l, p)))
                        .collect(),
                )
            })
            .collect();
        Ok(Bert {
            cfg,
            word,
            position,
            token_type,
            emb_norm,
            layers,
            pooler,
            device: device.clone(),
        })
    }

    pub(crate) fn config(&self) -> &BertConfig {
        &self.cfg
    }

    pub(crate) fn device(&self) -> &Device {
        &self.device
    }

    /// The weights of layer `l` (0-based; `l < num_layers`).
    pub(crate) fn layer(&self, l: usize) -> &LayerWeights {
        &self.layers[l]
    }

    /// Replaces the weights of layer `l` (0-based; `l < num_layers`; shapes as
    /// [`Param::shape`]).
    pub(crate) fn set_layer(&mut self, l: usize, w: LayerWeights) {
        self.layers[l] = w;
    }

    /// A fingerprint of every weight (xxh3-64 over their `f32` values in
    /// [`BertConfig::expected_tensors`] order, as 16 hex digits): a trained
    /// adapter records the one of the model it was trained on.
    pub(crate) fn fingerprint(&self) -> candle_core::Result<String> {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut all: Vec<&Tensor> = vec![
            self.word.embeddings(),
            self.position.embeddings(),
            self.token_type.embeddings(),
            self.emb_norm.weight(),
        ];
        all.extend(self.emb_norm.bias());
        for l in &self.layers {
            all.extend(Param::ALL.iter().map(|&p| l.get(p)));
        }
        for t in all {
            let values = t.flatten_all()?.to_vec1::<f32>()?;
            let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            h.update(&bytes);
        }
        Ok(format!("{:016x}", h.digest()))
    }

    /// `pooler.dense` (weight, bias), when the weights file has it.
    pub(crate) fn pooler(&self) -> Option<&(Tensor, Tensor)> {
        self.pooler.as_ref()
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
        let x = self.embed(ids, type_ids, batch, seq)?;
        let add = additive_mask(mask, batch, seq, &self.device)?;
        self.forward_layers(x, &add, 0..self.cfg.num_layers)
    }

    /// The embedding layer's output `(batch, seq, hidden)` for a padded batch
    /// (same conventions as [`Bert::forward`]).
    pub(crate) fn embed(
        &self,
        ids: &[u32],
        type_ids: &[u32],
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
        self.emb_norm.forward(&x)
    }

    /// Runs the layers `layers` (inference) on `x`, the output of the layer
    /// before the range (or of [`Bert::embed`]).
    pub(crate) fn forward_layers(
        &self,
        mut x: Tensor,
        add: &Tensor,
        layers: std::ops::Range<usize>,
    ) -> candle_core::Result<Tensor> {
        for l in layers {
            x = self
                .cfg
                .layer_forward(&self.layers[l], &x, add, &mut Mode::Infer)?;
        }
        Ok(x)
    }
}

/// Checks a tensor's shape and makes it `f32` on `device`.
fn checked_f32(
    t: Tensor,
    shape: &[usize],
    full: &str,
    path: &Path,
    device: &Device,
) -> Result<Tensor, EmbedError> {
    if t.dims() != shape {
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
    Ok(t.to_device(device)?)
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
