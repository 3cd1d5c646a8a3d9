//! The cross-encoder judge: reads two sentences together and says whether
//! one paraphrases the other.
//!
//! A bi-encoder ([`crate::Model::embed`]) embeds each sentence alone, so
//! nothing in its vectors says which words of one sentence answer which words
//! of the other; a cross-encoder runs the pair through the encoder as one
//! sequence (`[CLS] a [SEP] b [SEP]`), every token attending to both
//! sentences, and a small head turns the result into a probability.
//!
//! - Input: a loaded [`Model`] (its weights are shared, not copied) and an
//!   [`Adapter`]: what training changed in some of its layers, plus the head.
//!   [`train::train`] makes one from labelled pairs (the `train_judge`
//!   example writes it to a file, [`Adapter::from_bytes`] reads it back). None
//!   is built in: the ones trained so far judge MSRP worse than the logistic
//!   [`crate::judge`] (`docs/embed-notes.md`).
//! - Output: [`CrossEncoder::probabilities`] — one probability per pair,
//!   symmetric (the mean of the logits of both orders), and
//!   [`CrossEncoder::threshold`] to decide.
//! - Cost: two encoder passes per pair (one per order) over both sentences
//!   together; nothing can be cached per sentence.
//!
//! ```
//! use whence_embed::{cross::{Adapter, CrossEncoder}, tiny::write_tiny_model, Model};
//! let dir = std::env::temp_dir().join(format!("whence-cross-doc-{}", std::process::id()));
//! write_tiny_model(&dir, 7, 64)?;
//! let model = Model::load(&dir)?;
//! let adapter = Adapter::untrained(&model, &[1], 2, 7)?; // random head, no training
//! let judge = CrossEncoder::new(&model, &adapter)?;
//! let p = judge.probabilities(&[("The cat sat.", "A cat sat down.")])?;
//! assert!((0.0..=1.0).contains(&p[0]));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), whence_embed::EmbedError>(())
//! ```

mod adapter;
mod frozen;
pub mod train;

use candle_core::{Module, Tensor, D};
use candle_nn::Linear;
use tokenizers::{EncodeInput, Encoding, Tokenizer};

pub use adapter::{Adapter, AdapterMeta, Pooling, ADAPTER_FORMAT};
pub use frozen::FrozenCache;

use crate::bert::{additive_mask, Bert, Mode};
use crate::model::Batch;
use crate::rng::SplitMix;
use crate::{EmbedError, Model};

/// The head: pooling, an optional `tanh` layer, one output logit.
#[derive(Clone, Debug)]
pub(crate) struct Head {
    pub(crate) pooling: Pooling,
    pub(crate) dense: Option<(Tensor, Tensor)>,
    pub(crate) out_w: Tensor,
    pub(crate) out_b: Tensor,
}

impl Head {
    /// One logit per row of `hidden` `(batch, seq, h)`; `mask` is
    /// `(batch, seq, 1)`, 1 on real tokens.
    pub(crate) fn forward(
        &self,
        hidden: &Tensor,
        mask: &Tensor,
        mode: &mut Mode<'_>,
    ) -> candle_core::Result<Tensor> {
        let pooled = match self.pooling {
            Pooling::Cls => hidden.narrow(1, 0, 1)?.squeeze(1)?,
            Pooling::Mean => hidden
                .broadcast_mul(mask)?
                .sum(1)?
                .broadcast_div(&mask.sum(1)?)?,
        };
        let x = match &self.dense {
            Some((w, b)) => Linear::new(w.clone(), Some(b.clone()))
                .forward(&pooled)?
                .tanh()?,
            None => pooled,
        };
        let x = match mode {
            Mode::Infer => x,
            Mode::Train(d) => d.apply(&x)?,
        };
        Linear::new(self.out_w.clone(), Some(self.out_b.clone()))
            .forward(&x)?
            .squeeze(D::Minus1)
    }
}

/// A paraphrase judge that reads both sentences at once. Cheap to build from
/// a loaded [`Model`] (the unchanged weights are shared); `Send + Sync`.
pub struct CrossEncoder {
    bert: Bert,
    head: Head,
    tokenizer: Tokenizer,
    batch_size: usize,
    meta: AdapterMeta,
}

impl std::fmt::Debug for CrossEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrossEncoder")
            .field("meta", &self.meta)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl CrossEncoder {
    /// `model` changed by `adapter`. Errors when the adapter was trained on
    /// other base weights (its fingerprint differs) or does not fit the
    /// model's shapes.
    pub fn new(model: &Model, adapter: &Adapter) -> Result<CrossEncoder, EmbedError> {
        let base = model.bert();
        let fingerprint = base.fingerprint()?;
        if adapter.meta.base != fingerprint {
            return Err(EmbedError::bad(
                model.dir(),
                format!(
                    "the judge was trained on other base weights (fingerprint {}, this model's is {fingerprint}); \
                     install the model it was trained with (all-MiniLM-L6-v2: `whence model install`) \
                     or train a judge for this one",
                    adapter.meta.base
                ),
            ));
        }
        adapter.check(base.config(), "the judge's adapter")?;
        let mut bert = base.clone();
        for &l in &adapter.meta.layers {
            let changed = adapter.apply_layer(l, bert.layer(l))?;
            bert.set_layer(l, changed);
        }
        let t = |n: &str| adapter.tensors[n].clone();
        let head = Head {
            pooling: adapter.meta.pooling,
            dense: adapter
                .meta
                .dense_head
                .then(|| (t(adapter::HEAD_DENSE_W), t(adapter::HEAD_DENSE_B))),
            out_w: t(adapter::HEAD_OUT_W),
            out_b: t(adapter::HEAD_OUT_B),
        };
        Ok(CrossEncoder {
            bert,
            head,
            tokenizer: model.tokenizer().clone(),
            batch_size: model.batch_size(),
            meta: adapter.meta.clone(),
        })
    }

    /// The adapter's metadata (threshold, layers, what it was trained on).
    pub fn meta(&self) -> &AdapterMeta {
        &self.meta
    }

    /// The probability at or above which a pair is a paraphrase.
    pub fn threshold(&self) -> f32 {
        self.meta.threshold
    }

    /// The probability that `b` paraphrases `a`, one per pair, in order:
    /// the logistic of the mean logit of `(a, b)` and `(b, a)`, so the
    /// order of the two sentences does not matter.
    pub fn probabilities(&self, pairs: &[(&str, &str)]) -> Result<Vec<f32>, EmbedError> {
        let mut both = Vec::with_capacity(pairs.len() * 2);
        for &(a, b) in pairs {
            both.push((a, b));
            both.push((b, a));
        }
        let logits = self.logits(&both)?;
        Ok(logits
            .chunks_exact(2)
            .map(|ab| sigmoid((ab[0] + ab[1]) / 2.0))
            .collect())
    }

    /// The head's logit for each ordered pair (`a` first), in order.
    pub fn logits(&self, pairs: &[(&str, &str)]) -> Result<Vec<f32>, EmbedError> {
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = encode_pairs(&self.tokenizer, pairs)?;
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by_key(|&i| (encodings[i].get_ids().len(), i));
        let mut out = vec![0f32; pairs.len()];
        let cfg = self.bert.config();
        for chunk in order.chunks(self.batch_size) {
            let b = Batch::pad(chunk.iter().map(|&i| &encodings[i]), cfg.vocab_size)?;
            let hidden = self
                .bert
                .forward(&b.ids, &b.types, &b.mask, b.batch, b.seq)?;
            let mask = Tensor::from_slice(&b.mask, (b.batch, b.seq, 1), self.bert.device())?;
            let logits: Vec<f32> = self
                .head
                .forward(&hidden, &mask, &mut Mode::Infer)?
                .to_vec1()?;
            for (&i, l) in chunk.iter().zip(logits) {
                out[i] = l;
            }
        }
        Ok(out)
    }
}

/// Tokenizes ordered pairs as `[CLS] a [SEP] b [SEP]` (types 0 then 1),
/// truncated longest-first to the model's length.
pub(crate) fn encode_pairs(
    tokenizer: &Tokenizer,
    pairs: &[(&str, &str)],
) -> Result<Vec<Encoding>, EmbedError> {
    let inputs: Vec<EncodeInput> = pairs.iter().map(|&(a, b)| (a, b).into()).collect();
    tokenizer
        .encode_batch(inputs, true)
        .map_err(|e| EmbedError::Tokenize(e.to_string()))
}

/// The additive attention mask of a padded batch, on the encoder's device.
pub(crate) fn batch_mask(bert: &Bert, b: &Batch) -> candle_core::Result<Tensor> {
    additive_mask(&b.mask, b.batch, b.seq, bert.device())
}

pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Adapter {
    /// An adapter that changes nothing in `layers` and has a random head
    /// (seeded): the starting point of training, and a fixture for tests.
    pub fn untrained(
        model: &Model,
        layers: &[usize],
        lora_rank: usize,
        seed: u64,
    ) -> Result<Adapter, EmbedError> {
        let meta = AdapterMeta {
            layers: layers.to_vec(),
            lora_rank,
            lora_scale: 1.0,
            pooling: Pooling::Cls,
            dense_head: false,
            threshold: 0.5,
            base: model.bert().fingerprint()?,
            note: "untrained".into(),
        };
        let mut rng = SplitMix(seed);
        let cfg = model.bert().config();
        let dev = model.bert().device();
        let mut tensors = std::collections::HashMap::new();
        for (name, shape) in Adapter::expected(&meta, cfg) {
            let n: usize = shape.iter().product();
            let random = name.ends_with(".lora_a") || name == adapter::HEAD_OUT_W;
            let data: Vec<f32> = if random {
                (0..n).map(|_| 0.02 * rng.normal()).collect()
            } else {
                vec![0.0; n]
            };
            tensors.insert(name, Tensor::from_vec(data, shape.as_slice(), dev)?);
        }
        Ok(Adapter { meta, tensors })
    }
}

#[cfg(test)]
mod tests;
