//! The file of a trained judge: what training changed in a base model, in a
//! few hundred kilobytes of safetensors.
//!
//! A trained layer's weights are stored as the change from the base model —
//! a low-rank product `scale · B·A` for each weight matrix (LoRA) or a dense
//! difference — and its biases and norms as dense differences; the head's
//! weights are stored whole. Everything is `f16` on disk (differences are
//! small, so `f16` keeps them to about three significant digits) and `f32` in
//! memory. The metadata names the format, the layers, the pooling, the
//! decision threshold and the fingerprint of the base model's weights, which
//! [`crate::CrossEncoder::new`] checks: an adapter applied to another model
//! would silently compute nonsense.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};

use crate::bert::{layer_tensor_name, BertConfig, LayerWeights, Param};
use crate::EmbedError;

/// The `format` metadata value of the files this version reads and writes.
pub const ADAPTER_FORMAT: &str = "whence-cross-encoder/1";

/// How the head summarises the encoder's output for the pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pooling {
    /// The `[CLS]` token's vector.
    Cls,
    /// The mean of the real tokens' vectors.
    Mean,
}

impl Pooling {
    fn name(self) -> &'static str {
        match self {
            Pooling::Cls => "cls",
            Pooling::Mean => "mean",
        }
    }

    fn parse(s: &str) -> Option<Pooling> {
        match s {
            "cls" => Some(Pooling::Cls),
            "mean" => Some(Pooling::Mean),
            _ => None,
        }
    }
}

/// What an adapter is and how to apply it (the file's metadata).
#[derive(Clone, Debug, PartialEq)]
pub struct AdapterMeta {
    /// The encoder layers it changes (0-based, ascending).
    pub layers: Vec<usize>,
    /// Rank of the low-rank matrix changes; 0: dense changes.
    pub lora_rank: usize,
    /// The factor of the low-rank product (`alpha / rank` in LoRA's terms).
    pub lora_scale: f32,
    /// How the head pools the encoder output.
    pub pooling: Pooling,
    /// Whether the head has a hidden `tanh` layer before its output.
    pub dense_head: bool,
    /// Probability at or above which a pair is called a paraphrase (chosen on
    /// training data; see the file's `note`).
    pub threshold: f32,
    /// [`crate::Model`] fingerprint of the base weights it was trained on.
    pub base: String,
    /// Free text: what it was trained on and how.
    pub note: String,
}

/// A trained judge's changes to a base model and its head, in `f32`.
#[derive(Clone, Debug)]
pub struct Adapter {
    pub(crate) meta: AdapterMeta,
    pub(crate) tensors: HashMap<String, Tensor>,
}

/// The name of a layer weight's dense change.
pub(crate) fn delta_name(layer: usize, p: Param) -> String {
    format!("{}.delta", layer_tensor_name(layer, p))
}

/// The names of a layer matrix's low-rank factors `(A, B)`.
pub(crate) fn lora_names(layer: usize, p: Param) -> (String, String) {
    let n = layer_tensor_name(layer, p);
    (format!("{n}.lora_a"), format!("{n}.lora_b"))
}

pub(crate) const HEAD_DENSE_W: &str = "head.dense.weight";
pub(crate) const HEAD_DENSE_B: &str = "head.dense.bias";
pub(crate) const HEAD_OUT_W: &str = "head.out.weight";
pub(crate) const HEAD_OUT_B: &str = "head.out.bias";

impl Adapter {
    /// Its metadata.
    pub fn meta(&self) -> &AdapterMeta {
        &self.meta
    }

    /// The same adapter with another decision threshold.
    pub fn with_threshold(mut self, threshold: f32) -> Adapter {
        self.meta.threshold = threshold;
        self
    }

    /// Number of stored values (what the file holds, at two bytes each).
    pub fn parameter_count(&self) -> usize {
        self.tensors.values().map(|t| t.elem_count()).sum()
    }

    /// Every tensor name and shape the metadata implies for a model with
    /// configuration `cfg`.
    pub(crate) fn expected(meta: &AdapterMeta, cfg: &BertConfig) -> Vec<(String, Vec<usize>)> {
        let mut v = Vec::new();
        for &l in &meta.layers {
            for p in Param::ALL {
                let shape = p.shape(cfg);
                if p.is_matrix() && meta.lora_rank > 0 {
                    let (a, b) = lora_names(l, p);
                    v.push((a, vec![meta.lora_rank, shape[1]]));
                    v.push((b, vec![shape[0], meta.lora_rank]));
                } else {
                    v.push((delta_name(l, p), shape));
                }
            }
        }
        let h = cfg.hidden_size;
        if meta.dense_head {
            v.push((HEAD_DENSE_W.into(), vec![h, h]));
            v.push((HEAD_DENSE_B.into(), vec![h]));
        }
        v.push((HEAD_OUT_W.into(), vec![1, h]));
        v.push((HEAD_OUT_B.into(), vec![1]));
        v
    }

    /// Checks the tensors against the metadata and `cfg`: every expected
    /// tensor present with its shape, nothing else, layers in range.
    pub(crate) fn check(&self, cfg: &BertConfig, origin: &str) -> Result<(), EmbedError> {
        let bad = |r: String| EmbedError::bad(origin, r);
        if let Some(&l) = self.meta.layers.iter().find(|&&l| l >= cfg.num_layers) {
            return Err(bad(format!(
                "changes layer {l}, but the model has {} layers",
                cfg.num_layers
            )));
        }
        let expected = Adapter::expected(&self.meta, cfg);
        for (name, shape) in &expected {
            match self.tensors.get(name) {
                None => return Err(bad(format!("tensor `{name}` is missing"))),
                Some(t) if t.dims() != shape.as_slice() => {
                    return Err(bad(format!(
                        "tensor `{name}` has shape {:?}, expected {shape:?}",
                        t.dims()
                    )))
                }
                Some(t) => {
                    let finite = t
                        .flatten_all()
                        .and_then(|v| v.to_vec1::<f32>())
                        .map(|v| v.iter().all(|x| x.is_finite()))
                        .unwrap_or(false);
                    if !finite {
                        return Err(bad(format!(
                            "tensor `{name}` holds a value that is not finite"
                        )));
                    }
                }
            }
        }
        if self.tensors.len() != expected.len() {
            let known: std::collections::HashSet<&str> =
                expected.iter().map(|(n, _)| n.as_str()).collect();
            let mut extra: Vec<&str> = self
                .tensors
                .keys()
                .map(String::as_str)
                .filter(|n| !known.contains(n))
                .collect();
            extra.sort_unstable();
            return Err(bad(format!("unexpected tensor `{}`", extra[0])));
        }
        Ok(())
    }

    /// The weights of layer `l` with this adapter's change applied to `base`.
    pub(crate) fn apply_layer(
        &self,
        l: usize,
        base: &LayerWeights,
    ) -> candle_core::Result<LayerWeights> {
        let mut out = Vec::with_capacity(Param::ALL.len());
        for p in Param::ALL {
            let w = base.get(p);
            let changed = if p.is_matrix() && self.meta.lora_rank > 0 {
                let (a, b) = lora_names(l, p);
                let ba = self.tensors[&b].matmul(&self.tensors[&a])?;
                (w + (ba * f64::from(self.meta.lora_scale))?)?
            } else {
                (w + &self.tensors[&delta_name(l, p)])?
            };
            out.push(changed);
        }
        Ok(LayerWeights::new(out))
    }

    /// The safetensors file: every tensor in `f16`, the metadata as strings.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EmbedError> {
        let mut half: Vec<(String, Tensor)> = Vec::with_capacity(self.tensors.len());
        for (n, t) in &self.tensors {
            half.push((n.clone(), t.to_dtype(DType::F16)?));
        }
        half.sort_by(|a, b| a.0.cmp(&b.0));
        let m = &self.meta;
        let layers: Vec<String> = m.layers.iter().map(|l| l.to_string()).collect();
        let meta: HashMap<String, String> = [
            ("format", ADAPTER_FORMAT.to_string()),
            ("layers", layers.join(",")),
            ("lora_rank", m.lora_rank.to_string()),
            ("lora_scale", m.lora_scale.to_string()),
            ("pooling", m.pooling.name().to_string()),
            ("dense_head", m.dense_head.to_string()),
            ("threshold", m.threshold.to_string()),
            ("base", m.base.clone()),
            ("note", m.note.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        safetensors::serialize(half.iter().map(|(n, t)| (n.as_str(), t)), Some(meta))
            .map_err(|e| EmbedError::Inference(format!("cannot serialise the adapter: {e}")))
    }

    /// Reads a file written by [`Adapter::to_bytes`]; `origin` names it in
    /// errors. Shapes are checked against a model by
    /// [`crate::CrossEncoder::new`].
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Adapter, EmbedError> {
        let bad = |r: String| EmbedError::bad(origin, r);
        let (_, header) = safetensors::SafeTensors::read_metadata(bytes)
            .map_err(|e| bad(format!("not a safetensors file: {e}")))?;
        let info = header.metadata().clone().unwrap_or_default();
        let get = |k: &str| {
            info.get(k)
                .map(String::as_str)
                .ok_or_else(|| bad(format!("metadata `{k}` is missing")))
        };
        let format = get("format")?;
        if format != ADAPTER_FORMAT {
            return Err(bad(format!(
                "format {format:?} is not {ADAPTER_FORMAT:?} (written by another version?)"
            )));
        }
        let num = |k: &str| -> Result<f32, EmbedError> {
            let v = get(k)?;
            v.parse::<f32>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(format!("metadata `{k}` = {v:?} is not a number")))
        };
        let layers_text = get("layers")?;
        let layers: Vec<usize> = layers_text
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.trim().parse::<usize>())
            .collect::<Result<_, _>>()
            .map_err(|_| bad(format!("metadata `layers` = {layers_text:?} is not a list")))?;
        if layers.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad("metadata `layers` must be ascending".into()));
        }
        let rank_text = get("lora_rank")?;
        let lora_rank = rank_text.parse::<usize>().map_err(|_| {
            bad(format!(
                "metadata `lora_rank` = {rank_text:?} is not a count"
            ))
        })?;
        let pooling_text = get("pooling")?;
        let pooling = Pooling::parse(pooling_text)
            .ok_or_else(|| bad(format!("metadata `pooling` = {pooling_text:?}")))?;
        let dense_text = get("dense_head")?;
        let dense_head = dense_text
            .parse::<bool>()
            .map_err(|_| bad(format!("metadata `dense_head` = {dense_text:?}")))?;
        let threshold = num("threshold")?;
        if !(0.0..=1.0).contains(&threshold) {
            return Err(bad(format!("threshold {threshold} is not in [0, 1]")));
        }
        let meta = AdapterMeta {
            layers,
            lora_rank,
            lora_scale: num("lora_scale")?,
            pooling,
            dense_head,
            threshold,
            base: get("base")?.to_string(),
            note: info.get("note").cloned().unwrap_or_default(),
        };
        let tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)
            .map_err(|e| bad(format!("not a readable safetensors file: {e}")))?;
        let mut out = HashMap::with_capacity(tensors.len());
        for (n, t) in tensors {
            let t = match t.dtype() {
                DType::F16 | DType::BF16 | DType::F32 | DType::F64 => t.to_dtype(DType::F32)?,
                other => {
                    return Err(bad(format!(
                        "tensor `{n}` has type {other:?}, expected floating point"
                    )))
                }
            };
            out.insert(n, t);
        }
        Ok(Adapter { meta, tensors: out })
    }
}
