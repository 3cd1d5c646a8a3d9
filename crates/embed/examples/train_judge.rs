//! Trains a cross-encoder paraphrase judge (`whence_embed::cross::train`) on
//! labelled sentence pairs and writes its adapter file.
//!
//!     train_judge MODEL_DIR PAIRS.tsv --train 0..2853 --out judge.safetensors \
//!         [--eval 2853..4076 --scores scores.jsonl] [--threshold X] [options]
//!
//! PAIRS.tsv: the MSRP layout (`Quality<TAB>#1 ID<TAB>#2 ID<TAB>#1 String<TAB>#2
//! String`, header optional) or three columns (`label<TAB>a<TAB>b`), label 1 =
//! paraphrase. Ranges are 0-based, end-exclusive, over the pairs in file order
//! (`A..B`, several joined by `,`). After each epoch the `--eval` pairs are
//! scored with the adapter as it stands (probabilities of the symmetric
//! judge) and accuracy and F1 at `--threshold` (default 0.5) are printed to
//! stderr; `--scores` writes the last epoch's scores, one JSON line per eval
//! pair (`{"pair", "label", "p"}`).
//!
//! Options (defaults: `RawTrainConfig::default()`): --layers N, --rank R,
//! --alpha A, --pooling cls|mean, --dense-head, --epochs N, --batch N, --lr X,
//! --head-lr X, --weight-decay X, --warmup X, --dropout X, --one-order,
//! --seed N, --save-every-epoch (writes OUT.epochN as well).

use std::io::Write;
use std::time::Instant;

use whence_embed::cross::train::{train, Event, Example, RawTrainConfig};
use whence_embed::cross::{Adapter, CrossEncoder, FrozenCache, Pooling};
use whence_embed::Model;

type Error = Box<dyn std::error::Error>;

struct Pair {
    label: bool,
    a: String,
    b: String,
}

fn read_pairs(path: &str) -> Result<Vec<Pair>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    for (no, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || (no == 0 && line.starts_with("Quality")) {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (label, a, b) = match cols.as_slice() {
            [l, _, _, a, b] | [l, a, b] => (*l, *a, *b),
            _ => {
                return Err(format!(
                    "{path}:{}: expected 5 (MSRP) or 3 tab-separated columns, found {}",
                    no + 1,
                    cols.len()
                )
                .into())
            }
        };
        let label = match label.trim() {
            "1" => true,
            "0" => false,
            other => return Err(format!("{path}:{}: label {other:?} is not 0 or 1", no + 1).into()),
        };
        out.push(Pair {
            label,
            a: a.to_string(),
            b: b.to_string(),
        });
    }
    Ok(out)
}

/// `A..B[,C..D]` → indices, each checked against `n`.
fn parse_ranges(s: &str, n: usize) -> Result<Vec<usize>, Error> {
    let mut v = Vec::new();
    for part in s.split(',') {
        let (a, b) = part
            .split_once("..")
            .ok_or_else(|| format!("range {part:?} is not A..B"))?;
        let (a, b): (usize, usize) = (a.parse()?, b.parse()?);
        if a > b || b > n {
            return Err(format!("range {part} is outside 0..{n}").into());
        }
        v.extend(a..b);
    }
    Ok(v)
}

fn metrics(labels: &[bool], p: &[f32], t: f32) -> (f64, f64) {
    let (mut tp, mut fp, mut fn_, mut tn) = (0f64, 0f64, 0f64, 0f64);
    for (&y, &s) in labels.iter().zip(p) {
        match (s >= t, y) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fn_ += 1.0,
            (false, false) => tn += 1.0,
        }
    }
    let f1 = if tp > 0.0 {
        2.0 * tp / (2.0 * tp + fp + fn_)
    } else {
        0.0
    };
    ((tp + tn) / labels.len().max(1) as f64, f1)
}

/// Threshold (midpoint between consecutive scores) maximising accuracy, and
/// that accuracy: for information only (chosen on the data it is measured on).
fn best_threshold(labels: &[bool], p: &[f32]) -> (f32, f64) {
    let mut s: Vec<(f32, bool)> = p.iter().copied().zip(labels.iter().copied()).collect();
    s.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut correct = labels.iter().filter(|&&y| y).count() as i64;
    let mut best = (correct, s.first().map_or(0.5, |x| x.0 - 1e-6));
    for i in 0..s.len() {
        correct += if s[i].1 { -1 } else { 1 };
        let t = s.get(i + 1).map_or(s[i].0 + 1e-6, |n| (s[i].0 + n.0) / 2.0);
        if correct > best.0 {
            best = (correct, t);
        }
    }
    (best.1, best.0 as f64 / labels.len().max(1) as f64)
}

fn model_layers(model: &Model) -> Result<usize, Error> {
    let cfg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(model.dir().join("config.json"))?)?;
    Ok(cfg["num_hidden_layers"]
        .as_u64()
        .ok_or("config.json: num_hidden_layers")? as usize)
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut pos = Vec::new();
    let mut opt = std::collections::HashMap::new();
    let mut flags = std::collections::HashSet::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some(k) = a.strip_prefix("--") {
            if matches!(
                k,
                "dense-head" | "one-order" | "save-every-epoch" | "verify" | "help"
            ) {
                flags.insert(k.to_string());
            } else {
                let v = args.get(i + 1).ok_or(format!("--{k} needs a value"))?;
                opt.insert(k.to_string(), v.clone());
                i += 1;
            }
        } else {
            pos.push(a.clone());
        }
        i += 1;
    }
    if flags.contains("help") || pos.len() != 2 {
        eprintln!("usage: train_judge MODEL_DIR PAIRS.tsv --train A..B --out FILE [--eval A..B --scores FILE] [options]; see the source header");
        std::process::exit(2);
    }
    let model = Model::load(&pos[0])?;
    let pairs = read_pairs(&pos[1])?;
    let train_idx = parse_ranges(opt.get("train").ok_or("--train is required")?, pairs.len())?;
    let eval_idx = match opt.get("eval") {
        Some(r) => parse_ranges(r, pairs.len())?,
        None => Vec::new(),
    };
    let out = opt.get("out").ok_or("--out is required")?.clone();
    let d = RawTrainConfig::default();
    let get = |k: &str| opt.get(k).map(String::as_str);
    fn num<T: std::str::FromStr>(v: Option<&str>, d: T, k: &str) -> Result<T, Error> {
        match v {
            None => Ok(d),
            Some(s) => s
                .parse()
                .map_err(|_| format!("--{k} {s:?} is not a number").into()),
        }
    }
    let cfg = RawTrainConfig {
        layers: num(get("layers"), d.layers, "layers")?,
        lora_rank: num(get("rank"), d.lora_rank, "rank")?,
        lora_alpha: num(get("alpha"), d.lora_alpha, "alpha")?,
        pooling: match get("pooling") {
            None => d.pooling,
            Some("cls") => Pooling::Cls,
            Some("mean") => Pooling::Mean,
            Some(o) => return Err(format!("--pooling {o:?}: cls or mean").into()),
        },
        dense_head: flags.contains("dense-head"),
        epochs: num(get("epochs"), d.epochs, "epochs")?,
        batch_size: num(get("batch"), d.batch_size, "batch")?,
        lr: num(get("lr"), d.lr, "lr")?,
        head_lr: num(get("head-lr"), d.head_lr, "head-lr")?,
        weight_decay: num(get("weight-decay"), d.weight_decay, "weight-decay")?,
        warmup: num(get("warmup"), d.warmup, "warmup")?,
        dropout: num(get("dropout"), d.dropout, "dropout")?,
        both_orders: !flags.contains("one-order"),
        seed: num(get("seed"), d.seed, "seed")?,
    }
    .validate()?;
    let threshold: f32 = num(get("threshold"), 0.5, "threshold")?;
    let examples: Vec<Example> = train_idx
        .iter()
        .map(|&i| Example {
            a: &pairs[i].a,
            b: &pairs[i].b,
            paraphrase: pairs[i].label,
        })
        .collect();
    let eval_pairs: Vec<(&str, &str)> = eval_idx
        .iter()
        .map(|&i| (pairs[i].a.as_str(), pairs[i].b.as_str()))
        .collect();
    let eval_labels: Vec<bool> = eval_idx.iter().map(|&i| pairs[i].label).collect();
    eprintln!(
        "training on {} pairs, evaluating on {}: {:?}",
        examples.len(),
        eval_pairs.len(),
        cfg.get()
    );
    let save_every = flags.contains("save-every-epoch");
    let dev: Vec<Example> = eval_idx
        .iter()
        .map(|&i| Example {
            a: &pairs[i].a,
            b: &pairs[i].b,
            paraphrase: pairs[i].label,
        })
        .collect();
    let frozen = model_layers(&model)? - cfg.get().layers;
    let mut cache = match opt.get("cache") {
        Some(p) => FrozenCache::open(std::path::Path::new(p), &model, frozen)?,
        None => FrozenCache::new(&model, frozen)?,
    };
    let mut last_scores: Vec<f32> = Vec::new();
    let mut cache_path = opt.get("cache").cloned();
    let adapter = train(&model, &examples, &dev, &cfg, &mut cache, |e| {
        match e {
            Event::Prefix { computed, seconds } => {
                eprintln!("frozen layers: {computed} sequences computed in {seconds:.1} s");
            }
            Event::Epoch {
                epoch,
                loss,
                seconds,
                adapter,
                dev_logits,
            } => {
                let mut line = format!("epoch {epoch}: loss {loss:.4} ({seconds:.1} s)");
                if !dev_logits.is_empty() {
                    let sig = |x: f32| 1.0 / (1.0 + (-x).exp());
                    last_scores = dev_logits
                        .iter()
                        .map(|&(x, y)| sig((x + y) / 2.0))
                        .collect();
                    let one: Vec<f32> = dev_logits.iter().map(|&(x, _)| sig(x)).collect();
                    let (acc, f1) = metrics(&eval_labels, &last_scores, threshold);
                    let (acc1, f11) = metrics(&eval_labels, &one, threshold);
                    let (bt, bacc) = best_threshold(&eval_labels, &last_scores);
                    line += &format!(
                        "; eval acc {acc:.4} F1 {f1:.4} at {threshold} (one order: {acc1:.4} / {f11:.4}; best threshold {bt:.3}: {bacc:.4})"
                    );
                }
                eprintln!("{line}");
                if save_every {
                    let p = format!("{out}.epoch{epoch}");
                    std::fs::write(&p, adapter.clone().with_threshold(threshold).to_bytes()?)
                        .map_err(|e| whence_embed::EmbedError::Inference(format!("{p}: {e}")))?;
                }
            }
            _ => {}
        }
        Ok(())
    })?;
    if let Some(p) = cache_path.take() {
        if cache.added() > 0 {
            cache.save(std::path::Path::new(&p))?;
            eprintln!("cache {p}: {} sequences added", cache.added());
        }
    }
    if flags.contains("verify") && !eval_pairs.is_empty() {
        // The cached training path and the real judge must agree.
        let t0 = Instant::now();
        let judge = CrossEncoder::new(&model, &adapter)?;
        let p = judge.probabilities(&eval_pairs)?;
        let dt = t0.elapsed().as_secs_f64();
        let diff = p
            .iter()
            .zip(&last_scores)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        eprintln!(
            "verify: CrossEncoder vs training path, max |dp| = {diff:.2e}; {} pairs in {dt:.1} s ({:.2} pairs/s)",
            p.len(),
            p.len() as f64 / dt
        );
    }
    let adapter: Adapter = adapter.with_threshold(threshold);
    let bytes = adapter.to_bytes()?;
    std::fs::write(&out, &bytes).map_err(|e| format!("{out}: {e}"))?;
    eprintln!(
        "wrote {out}: {} values, {} bytes",
        adapter.parameter_count(),
        bytes.len()
    );
    if let Some(path) = opt.get("scores") {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        for ((&i, &y), p) in eval_idx.iter().zip(&eval_labels).zip(&last_scores) {
            writeln!(f, "{{\"pair\":{i},\"label\":{},\"p\":{p}}}", u8::from(y))?;
        }
    }
    Ok(())
}
