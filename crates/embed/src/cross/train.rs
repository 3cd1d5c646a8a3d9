//! Training a cross-encoder judge on labelled sentence pairs, on CPU.
//!
//! Only the top [`TrainConfig`] layers change (low-rank or dense changes to
//! their matrices, dense changes to their biases and norms) and a new head
//! learns the decision; the layers below stay frozen. Their output for every
//! training pair is computed once, before the first epoch, and kept in
//! memory, so an epoch costs a forward and a backward pass through the
//! trained layers only. Weight decay pulls the changes towards zero, i.e. the
//! trained layers towards the base model.
//!
//! Deterministic: the same examples, configuration and seed give the same
//! adapter (candle's CPU matrix products are deterministic; the shuffles,
//! dropout masks and initial weights come from a seeded generator).

use std::collections::HashMap;
use std::time::Instant;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};

use super::adapter::{self, delta_name, lora_names, Adapter, AdapterMeta, Pooling};
use super::{FrozenCache, Head};
use crate::bert::{additive_mask, Dropout, LayerWeights, Mode, Param};
use crate::rng::SplitMix;
use crate::{EmbedError, Model};

/// One labelled pair.
#[derive(Clone, Copy, Debug)]
pub struct Example<'a> {
    /// First sentence.
    pub a: &'a str,
    /// Second sentence.
    pub b: &'a str,
    /// Whether the pair is a paraphrase.
    pub paraphrase: bool,
}

/// Training settings as given, before validation.
#[derive(Clone, Debug)]
pub struct RawTrainConfig {
    /// Top encoder layers trained (the rest stay frozen); at least 1.
    pub layers: usize,
    /// Rank of the low-rank changes to the trained layers' matrices; 0 trains
    /// dense changes (every weight).
    pub lora_rank: usize,
    /// Low-rank changes are scaled by `lora_alpha / lora_rank`.
    pub lora_alpha: f32,
    /// How the head pools the encoder output.
    pub pooling: Pooling,
    /// A hidden `tanh` layer in the head (started from the model's pooler
    /// when it has one).
    pub dense_head: bool,
    /// Passes over the examples.
    pub epochs: usize,
    /// Pairs per optimisation step.
    pub batch_size: usize,
    /// Peak learning rate of the encoder changes (AdamW).
    pub lr: f64,
    /// Peak learning rate of the head.
    pub head_lr: f64,
    /// AdamW's decoupled weight decay (both groups).
    pub weight_decay: f64,
    /// Fraction of the steps over which the learning rate rises linearly
    /// from 0; it then falls linearly to 0 at the last step.
    pub warmup: f64,
    /// Dropout in the trained layers and the head.
    pub dropout: f32,
    /// Train on both orders of every pair (`a, b` and `b, a`).
    pub both_orders: bool,
    /// Seed of the shuffles, dropout masks and initial weights.
    pub seed: u64,
}

impl Default for RawTrainConfig {
    fn default() -> Self {
        RawTrainConfig {
            layers: 2,
            lora_rank: 0,
            lora_alpha: 16.0,
            pooling: Pooling::Cls,
            dense_head: false,
            epochs: 3,
            batch_size: 16,
            lr: 5e-5,
            head_lr: 1e-3,
            weight_decay: 0.01,
            warmup: 0.1,
            dropout: 0.1,
            both_orders: true,
            seed: 1,
        }
    }
}

/// Validated [`RawTrainConfig`].
#[derive(Clone, Debug)]
pub struct TrainConfig(RawTrainConfig);

impl RawTrainConfig {
    /// Checks the ranges (the layer count is checked against the model by
    /// [`train`]).
    pub fn validate(self) -> Result<TrainConfig, EmbedError> {
        let bad = |m: &str| Err(EmbedError::Options(m.into()));
        if self.layers == 0 {
            return bad("at least one layer must be trained");
        }
        if self.epochs == 0 || self.batch_size == 0 {
            return bad("epochs and batch size must be at least 1");
        }
        let rates = [self.lr, self.head_lr, self.weight_decay];
        if rates.iter().any(|r| !r.is_finite() || *r < 0.0) {
            return bad("learning rates and weight decay must be finite and non-negative");
        }
        if !(0.0..1.0).contains(&self.warmup) {
            return bad("warmup must be a fraction in [0, 1)");
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return bad("dropout must be in [0, 1)");
        }
        if self.lora_rank > 0 && !(self.lora_alpha.is_finite() && self.lora_alpha > 0.0) {
            return bad("lora_alpha must be positive");
        }
        Ok(TrainConfig(self))
    }
}

impl TrainConfig {
    /// The settings.
    pub fn get(&self) -> &RawTrainConfig {
        &self.0
    }
}

/// What [`train`] reports while it runs.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The frozen layers' output is ready for every training and development
    /// sequence.
    Prefix {
        /// Sequences computed now (the rest came from the cache).
        computed: usize,
        /// Seconds it took.
        seconds: f64,
    },
    /// An epoch ended.
    Epoch {
        /// 1-based.
        epoch: usize,
        /// Mean training loss over the epoch.
        loss: f64,
        /// Seconds the epoch took (development scoring excluded).
        seconds: f64,
        /// The adapter after this epoch (threshold 0.5).
        adapter: &'a Adapter,
        /// For each development pair, the logits of `(a, b)` and `(b, a)`
        /// with the adapter as it stands.
        dev_logits: &'a [(f32, f32)],
    },
}

/// One trainable weight of a trained layer.
enum Trainable {
    Dense(Var),
    LowRank { a: Var, b: Var },
}

/// The trained layers and head as they stand.
struct Trained {
    base_layers: Vec<LayerWeights>,
    layers: Vec<Vec<Trainable>>,
    lora_scale: f32,
    pooling: Pooling,
    dense: Option<(Var, Var)>,
    out_w: Var,
    out_b: Var,
}

impl Trained {
    /// Logits for the cached frozen outputs `rows` (one per sequence).
    fn logits(
        &self,
        cfg: &crate::bert::BertConfig,
        rows: &[&[f32]],
        mode: &mut Mode<'_>,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
        let h = cfg.hidden_size;
        let (mut x, mask) = pad_rows(rows, h, dev)?;
        let (batch, seq) = (rows.len(), x.dim(1)?);
        let add = additive_mask(&mask, batch, seq, dev)?;
        for (base, ps) in self.base_layers.iter().zip(&self.layers) {
            let w = current_layer(base, ps, self.lora_scale)?;
            x = cfg.layer_forward(&w, &x, &add, mode)?;
        }
        let head = Head {
            pooling: self.pooling,
            dense: self
                .dense
                .as_ref()
                .map(|(w, b)| (w.as_tensor().clone(), b.as_tensor().clone())),
            out_w: self.out_w.as_tensor().clone(),
            out_b: self.out_b.as_tensor().clone(),
        };
        let mask = Tensor::from_slice(&mask, (batch, seq, 1), dev)?;
        head.forward(&x, &mask, mode)
    }
}

/// Trains a judge on `examples` with `model` as the base, scoring `dev`
/// after every epoch; `on_event` hears of progress (an error it returns
/// stops training). `cache` holds the frozen layers' output (its depth must
/// be the model's layers minus [`RawTrainConfig::layers`]); missing pairs are
/// computed into it. The adapter's threshold is 0.5: choose one on data the
/// training did not see and set it with [`Adapter::with_threshold`].
pub fn train(
    model: &Model,
    examples: &[Example<'_>],
    dev: &[Example<'_>],
    config: &TrainConfig,
    cache: &mut FrozenCache,
    mut on_event: impl FnMut(Event<'_>) -> Result<(), EmbedError>,
) -> Result<Adapter, EmbedError> {
    let cfg = config.get();
    let bert = model.bert();
    let bc = bert.config();
    let device = bert.device().clone();
    if cfg.layers > bc.num_layers {
        return Err(EmbedError::Options(format!(
            "cannot train {} layers of a {}-layer model",
            cfg.layers, bc.num_layers
        )));
    }
    if examples.is_empty() {
        return Err(EmbedError::Options("no training examples".into()));
    }
    let frozen = bc.num_layers - cfg.layers;
    if cache.frozen() != frozen {
        return Err(EmbedError::Options(format!(
            "the cache holds the output of {} frozen layers; training {} of {} freezes {frozen}",
            cache.frozen(),
            cfg.layers,
            bc.num_layers
        )));
    }
    let base = bert.fingerprint()?;
    let trained_ids: Vec<usize> = (frozen..bc.num_layers).collect();
    let h = bc.hidden_size;

    // Sequences and labels.
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let mut labels: Vec<u32> = Vec::new();
    for e in examples {
        pairs.push((e.a, e.b));
        labels.push(u32::from(e.paraphrase));
        if cfg.both_orders {
            pairs.push((e.b, e.a));
            labels.push(u32::from(e.paraphrase));
        }
    }
    let dev_pairs: Vec<(&str, &str)> = dev.iter().flat_map(|e| [(e.a, e.b), (e.b, e.a)]).collect();
    let started = Instant::now();
    let before = cache.added();
    cache.fill(model, &pairs)?;
    cache.fill(model, &dev_pairs)?;
    on_event(Event::Prefix {
        computed: cache.added() - before,
        seconds: started.elapsed().as_secs_f64(),
    })?;
    let cached = |ps: &[(&str, &str)]| -> Vec<&[f32]> {
        ps.iter()
            .map(|&(a, b)| cache.get(a, b).expect("filled above"))
            .collect()
    };
    let rows = cached(&pairs);
    let dev_rows = cached(&dev_pairs);

    // Trainable weights.
    let mut rng = SplitMix(cfg.seed);
    let mut enc_vars: Vec<Var> = Vec::new();
    let mut layer_params: Vec<Vec<Trainable>> = Vec::new();
    for _ in &trained_ids {
        let mut ps = Vec::with_capacity(Param::ALL.len());
        for p in Param::ALL {
            let shape = p.shape(bc);
            let t = if p.is_matrix() && cfg.lora_rank > 0 {
                let r = cfg.lora_rank;
                let a: Vec<f32> = (0..r * shape[1])
                    .map(|_| rng.normal() / (shape[1] as f32).sqrt())
                    .collect();
                let a = Var::from_tensor(&Tensor::from_vec(a, (r, shape[1]), &device)?)?;
                let b = Var::zeros((shape[0], r), DType::F32, &device)?;
                enc_vars.push(a.clone());
                enc_vars.push(b.clone());
                Trainable::LowRank { a, b }
            } else {
                let d = Var::zeros(shape.as_slice(), DType::F32, &device)?;
                enc_vars.push(d.clone());
                Trainable::Dense(d)
            };
            ps.push(t);
        }
        layer_params.push(ps);
    }
    let lora_scale = if cfg.lora_rank > 0 {
        cfg.lora_alpha / cfg.lora_rank as f32
    } else {
        1.0
    };
    let dense = if cfg.dense_head {
        let (w, b) = match bert.pooler() {
            Some((w, b)) => (w.clone(), b.clone()),
            None => (
                Tensor::from_vec(
                    (0..h * h).map(|_| 0.02 * rng.normal()).collect::<Vec<_>>(),
                    (h, h),
                    &device,
                )?,
                Tensor::zeros(h, DType::F32, &device)?,
            ),
        };
        Some((Var::from_tensor(&w)?, Var::from_tensor(&b)?))
    } else {
        None
    };
    let out_w = Var::from_tensor(&Tensor::from_vec(
        (0..h).map(|_| 0.02 * rng.normal()).collect::<Vec<_>>(),
        (1, h),
        &device,
    )?)?;
    let out_b = Var::zeros(1, DType::F32, &device)?;
    let mut head_vars = vec![out_w.clone(), out_b.clone()];
    if let Some((w, b)) = &dense {
        head_vars.push(w.clone());
        head_vars.push(b.clone());
    }
    let model_now = Trained {
        base_layers: trained_ids.iter().map(|&l| bert.layer(l).clone()).collect(),
        layers: layer_params,
        lora_scale,
        pooling: cfg.pooling,
        dense,
        out_w,
        out_b,
    };
    let adamw = |lr: f64| ParamsAdamW {
        lr,
        weight_decay: cfg.weight_decay,
        ..Default::default()
    };
    let mut enc_opt = AdamW::new(enc_vars, adamw(cfg.lr))?;
    let mut head_opt = AdamW::new(head_vars, adamw(cfg.head_lr))?;

    let steps_per_epoch = pairs.len().div_ceil(cfg.batch_size);
    let total = steps_per_epoch * cfg.epochs;
    let warmup = ((total as f64) * cfg.warmup).ceil().max(1.0);
    let factor = |step: usize| -> f64 {
        let s = step as f64 + 1.0;
        if s <= warmup {
            s / warmup
        } else {
            ((total as f64 - s) / (total as f64 - warmup).max(1.0)).max(0.0)
        }
    };
    let mut dropout = Dropout::new(cfg.dropout, rng.next());
    let mut step = 0usize;
    for epoch in 1..=cfg.epochs {
        let started = Instant::now();
        let batches = epoch_batches(&rows, cfg.batch_size, &mut rng);
        let mut loss_sum = 0f64;
        for idx in &batches {
            let f = factor(step);
            enc_opt.set_learning_rate(cfg.lr * f);
            head_opt.set_learning_rate(cfg.head_lr * f);
            let batch_rows: Vec<&[f32]> = idx.iter().map(|&i| rows[i]).collect();
            let logit =
                model_now.logits(bc, &batch_rows, &mut Mode::Train(&mut dropout), &device)?;
            let two = Tensor::stack(&[logit.zeros_like()?, logit], 1)?;
            let target: Vec<u32> = idx.iter().map(|&i| labels[i]).collect();
            let target = Tensor::from_vec(target, idx.len(), &device)?;
            let loss = candle_nn::loss::cross_entropy(&two, &target)?;
            let grads = loss.backward()?;
            enc_opt.step(&grads)?;
            head_opt.step(&grads)?;
            loss_sum += f64::from(loss.to_scalar::<f32>()?) * idx.len() as f64;
            step += 1;
        }
        let seconds = started.elapsed().as_secs_f64();
        let adapter = build_adapter(&base, cfg, &trained_ids, &model_now)?;
        let dev_logits = score_rows(&model_now, bc, &dev_rows, &device)?;
        let dev_logits: Vec<(f32, f32)> =
            dev_logits.chunks_exact(2).map(|p| (p[0], p[1])).collect();
        on_event(Event::Epoch {
            epoch,
            loss: loss_sum / pairs.len() as f64,
            seconds,
            adapter: &adapter,
            dev_logits: &dev_logits,
        })?;
        if epoch == cfg.epochs {
            return Ok(adapter);
        }
    }
    unreachable!("epochs >= 1 returns in the loop")
}

/// Inference-mode logits of cached rows, in length-sorted batches of 32.
fn score_rows(
    model: &Trained,
    cfg: &crate::bert::BertConfig,
    rows: &[&[f32]],
    device: &Device,
) -> candle_core::Result<Vec<f32>> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (rows[i].len(), i));
    let mut out = vec![0f32; rows.len()];
    for chunk in order.chunks(32) {
        let batch: Vec<&[f32]> = chunk.iter().map(|&i| rows[i]).collect();
        let logits: Vec<f32> = model
            .logits(cfg, &batch, &mut Mode::Infer, device)?
            .to_vec1()?;
        for (&i, l) in chunk.iter().zip(logits) {
            out[i] = l;
        }
    }
    Ok(out)
}

/// The batches of one epoch: shuffled, then sorted by length within windows
/// of 32 batches (less padding), then the batches shuffled again.
fn epoch_batches(prefix: &[&[f32]], batch: usize, rng: &mut SplitMix) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..prefix.len()).collect();
    rng.shuffle(&mut idx);
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for window in idx.chunks_mut(batch * 32) {
        window.sort_by_key(|&i| prefix[i].len());
        batches.extend(window.chunks(batch).map(<[usize]>::to_vec));
    }
    rng.shuffle(&mut batches);
    batches
}

/// Cached frozen outputs padded into one batch: `(batch, seq, h)` and the
/// 0/1 mask.
fn pad_rows(rows: &[&[f32]], h: usize, dev: &Device) -> candle_core::Result<(Tensor, Vec<f32>)> {
    let seq = rows.iter().map(|r| r.len() / h).max().unwrap_or(1).max(1);
    let mut x = vec![0f32; rows.len() * seq * h];
    let mut mask = vec![0f32; rows.len() * seq];
    for (row, r) in rows.iter().enumerate() {
        let n = r.len() / h;
        x[row * seq * h..row * seq * h + n * h].copy_from_slice(r);
        for m in &mut mask[row * seq..row * seq + n] {
            *m = 1.0;
        }
    }
    Ok((Tensor::from_vec(x, (rows.len(), seq, h), dev)?, mask))
}

/// The trained layer's weights now: base plus the current changes.
fn current_layer(
    base: &LayerWeights,
    ps: &[Trainable],
    lora_scale: f32,
) -> candle_core::Result<LayerWeights> {
    let mut out = Vec::with_capacity(ps.len());
    for (p, t) in Param::ALL.iter().zip(ps) {
        let w = base.get(*p);
        out.push(match t {
            Trainable::Dense(d) => (w + d.as_tensor())?,
            Trainable::LowRank { a, b } => {
                (w + (b.as_tensor().matmul(a.as_tensor())? * f64::from(lora_scale))?)?
            }
        });
    }
    Ok(LayerWeights::new(out))
}

fn build_adapter(
    base: &str,
    cfg: &RawTrainConfig,
    trained: &[usize],
    now: &Trained,
) -> Result<Adapter, EmbedError> {
    let copy = |v: &Var| -> candle_core::Result<Tensor> { v.as_tensor().detach().copy() };
    let mut tensors: HashMap<String, Tensor> = HashMap::new();
    for (&l, ps) in trained.iter().zip(&now.layers) {
        for (&p, t) in Param::ALL.iter().zip(ps) {
            match t {
                Trainable::Dense(d) => {
                    tensors.insert(delta_name(l, p), copy(d)?);
                }
                Trainable::LowRank { a, b } => {
                    let (na, nb) = lora_names(l, p);
                    tensors.insert(na, copy(a)?);
                    tensors.insert(nb, copy(b)?);
                }
            }
        }
    }
    if let Some((w, b)) = &now.dense {
        tensors.insert(adapter::HEAD_DENSE_W.into(), copy(w)?);
        tensors.insert(adapter::HEAD_DENSE_B.into(), copy(b)?);
    }
    tensors.insert(adapter::HEAD_OUT_W.into(), copy(&now.out_w)?);
    tensors.insert(adapter::HEAD_OUT_B.into(), copy(&now.out_b)?);
    let meta = AdapterMeta {
        layers: trained.to_vec(),
        lora_rank: cfg.lora_rank,
        lora_scale: now.lora_scale,
        pooling: cfg.pooling,
        dense_head: cfg.dense_head,
        threshold: 0.5,
        base: base.to_string(),
        note: format!(
            "layers {:?}, lora_rank {}, alpha {}, pooling {:?}, dense_head {}, epochs {}, batch {}, lr {}, head_lr {}, weight_decay {}, warmup {}, dropout {}, both_orders {}, seed {}",
            trained, cfg.lora_rank, cfg.lora_alpha, cfg.pooling, cfg.dense_head, cfg.epochs,
            cfg.batch_size, cfg.lr, cfg.head_lr, cfg.weight_decay, cfg.warmup, cfg.dropout,
            cfg.both_orders, cfg.seed
        ),
    };
    Ok(Adapter { meta, tensors })
}
