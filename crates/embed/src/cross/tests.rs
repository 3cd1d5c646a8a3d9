//! The cross-encoder on the tiny random model: the adapter file, the judge's
//! invariants, training, and agreement between the training path and the
//! judge.

use std::path::PathBuf;

use super::train::{train, Event, Example, RawTrainConfig};
use super::*;
use crate::tiny::write_tiny_model;

fn tiny(seed: u64) -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("m");
    write_tiny_model(&dir, seed, 64).unwrap();
    (t, dir)
}

const PAIRS: &[(&str, &str)] = &[
    ("The cat sat on the mat.", "A cat sat on a mat."),
    (
        "Hundreds of troops have arrived in Syria.",
        "The dog ran in the park.",
    ),
    ("", "news report"),
    ("zebra 1234 ümlaut", "zebra 1234 ümlaut"),
];

#[test]
fn the_judge_is_symmetric_a_probability_and_independent_of_batching() {
    let (_t, dir) = tiny(42);
    let m = Model::load(&dir).unwrap();
    let adapter = Adapter::untrained(&m, &[1], 0, 3).unwrap();
    let judge = CrossEncoder::new(&m, &adapter).unwrap();
    let p = judge.probabilities(PAIRS).unwrap();
    let swapped: Vec<(&str, &str)> = PAIRS.iter().map(|&(a, b)| (b, a)).collect();
    let q = judge.probabilities(&swapped).unwrap();
    for (x, y) in p.iter().zip(&q) {
        assert!((0.0..=1.0).contains(x));
        assert!((x - y).abs() < 1e-6, "{x} vs {y}");
    }
    for (i, pair) in PAIRS.iter().enumerate() {
        let alone = judge.probabilities(&[*pair]).unwrap()[0];
        assert!((alone - p[i]).abs() < 1e-5, "{pair:?}");
    }
    assert!(judge.probabilities(&[]).unwrap().is_empty());
}

#[test]
fn an_adapter_that_changes_nothing_leaves_the_encoder_as_it_was() {
    let (_t, dir) = tiny(42);
    let m = Model::load(&dir).unwrap();
    // Dense changes, all zero: the head reads the base model's [CLS] vector.
    let adapter = Adapter::untrained(&m, &[0, 1], 0, 3).unwrap();
    let judge = CrossEncoder::new(&m, &adapter).unwrap();
    let got = judge.logits(&PAIRS[..1]).unwrap()[0];
    let enc = encode_pairs(m.tokenizer(), &PAIRS[..1]).unwrap();
    let b = Batch::pad(enc.iter(), m.bert().config().vocab_size).unwrap();
    let hidden = m
        .bert()
        .forward(&b.ids, &b.types, &b.mask, b.batch, b.seq)
        .unwrap();
    let cls: Vec<f32> = hidden
        .narrow(1, 0, 1)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    let w: Vec<f32> = adapter.tensors[adapter::HEAD_OUT_W]
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    let want: f32 = cls.iter().zip(&w).map(|(x, y)| x * y).sum();
    assert!((got - want).abs() < 1e-5, "{got} vs {want}");
}

#[test]
fn adapter_files_round_trip_in_f16_and_bad_ones_are_named() {
    let (_t, dir) = tiny(42);
    let m = Model::load(&dir).unwrap();
    let adapter = Adapter::untrained(&m, &[1], 4, 9)
        .unwrap()
        .with_threshold(0.37);
    let bytes = adapter.to_bytes().unwrap();
    let back = Adapter::from_bytes(&bytes, "x.safetensors").unwrap();
    assert_eq!(back.meta(), adapter.meta());
    assert_eq!(back.parameter_count(), adapter.parameter_count());
    for (n, t) in &adapter.tensors {
        let a: Vec<f32> = t.flatten_all().unwrap().to_vec1().unwrap();
        let b: Vec<f32> = back.tensors[n].flatten_all().unwrap().to_vec1().unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() <= 1e-3 * x.abs().max(1e-4), "{n}: {x} {y}");
        }
    }
    let j1 = CrossEncoder::new(&m, &adapter).unwrap();
    let j2 = CrossEncoder::new(&m, &back).unwrap();
    assert_eq!(j2.threshold(), 0.37);
    let (p1, p2) = (
        j1.probabilities(PAIRS).unwrap(),
        j2.probabilities(PAIRS).unwrap(),
    );
    for (x, y) in p1.iter().zip(&p2) {
        assert!((x - y).abs() < 1e-3, "{x} {y}");
    }

    let err = |b: &[u8]| {
        Adapter::from_bytes(b, "bad.safetensors")
            .unwrap_err()
            .to_string()
    };
    assert!(err(b"not a file").contains("bad.safetensors"));
    // Another model's weights: the fingerprint differs.
    let (_t2, other) = tiny(43);
    let m2 = Model::load(&other).unwrap();
    let e = CrossEncoder::new(&m2, &adapter).unwrap_err().to_string();
    assert!(e.contains("other base weights"), "{e}");
    // A missing tensor, and a layer the model does not have.
    let mut broken = adapter.clone();
    broken.tensors.remove(adapter::HEAD_OUT_B);
    let e = CrossEncoder::new(&m, &broken).unwrap_err().to_string();
    assert!(e.contains("head.out.bias") && e.contains("missing"), "{e}");
    let mut broken = adapter.clone();
    broken.meta.layers = vec![5];
    let e = CrossEncoder::new(&m, &broken).unwrap_err().to_string();
    assert!(e.contains("layer 5"), "{e}");
    // Metadata from another format.
    let mut meta = std::collections::HashMap::new();
    meta.insert("format".to_string(), "something/9".to_string());
    let t = Tensor::zeros(2, candle_core::DType::F16, &candle_core::Device::Cpu).unwrap();
    let b = safetensors::serialize([("x", &t)], Some(meta)).unwrap();
    assert!(err(&b).contains("something/9"));
}

/// A task the tiny model can learn: identical sentences are paraphrases,
/// sentences sharing no word are not.
fn toy_examples() -> Vec<(String, String, bool)> {
    let words = [
        "the cat sat",
        "a dog ran",
        "news report said",
        "troops have arrived",
        "in the park",
        "sources said",
        "on the mat",
        "syria news",
        "hundreds of troops",
        "a report",
    ];
    let mut v = Vec::new();
    for (i, a) in words.iter().enumerate() {
        v.push((a.to_string(), a.to_string(), true));
        let b = words[(i + 3) % words.len()];
        v.push((a.to_string(), b.to_string(), false));
    }
    v
}

#[test]
fn training_learns_is_repeatable_and_agrees_with_the_judge() {
    let (t, dir) = tiny(42);
    let m = Model::load(&dir).unwrap();
    let data = toy_examples();
    let ex: Vec<Example> = data
        .iter()
        .map(|(a, b, y)| Example {
            a,
            b,
            paraphrase: *y,
        })
        .collect();
    let cfg = RawTrainConfig {
        layers: 1,
        lora_rank: 2,
        epochs: 30,
        batch_size: 4,
        lr: 1e-2,
        head_lr: 3e-2,
        dropout: 0.0,
        ..Default::default()
    }
    .validate()
    .unwrap();
    let run = |cache: &mut FrozenCache| {
        let mut losses = Vec::new();
        let mut dev = Vec::new();
        let a = train(&m, &ex, &ex, &cfg, cache, |e| {
            if let Event::Epoch {
                loss, dev_logits, ..
            } = e
            {
                losses.push(loss);
                dev = dev_logits.to_vec();
            }
            Ok(())
        })
        .unwrap();
        (a, losses, dev)
    };
    let path = t.path().join("frozen.bin");
    let mut cache = FrozenCache::open(&path, &m, 1).unwrap();
    let (adapter, losses, dev) = run(&mut cache);
    assert!(
        losses.last().unwrap() < &(losses[0] * 0.5),
        "the loss falls: {losses:?}"
    );
    // The trained judge separates the toy classes.
    let judge = CrossEncoder::new(&m, &adapter).unwrap();
    let pairs: Vec<(&str, &str)> = data
        .iter()
        .map(|(a, b, _)| (a.as_str(), b.as_str()))
        .collect();
    let p = judge.probabilities(&pairs).unwrap();
    let correct = p
        .iter()
        .zip(&data)
        .filter(|(p, d)| (**p >= 0.5) == d.2)
        .count();
    assert!(correct >= data.len() - 2, "{correct} of {}", data.len());
    // The training path's scores are the judge's.
    let sig = |x: f32| 1.0 / (1.0 + (-x).exp());
    for ((x, y), q) in dev.iter().zip(&p) {
        assert!((sig((x + y) / 2.0) - q).abs() < 1e-5);
    }
    // Same seed, same adapter; the cache file gives the same run.
    cache.save(&path).unwrap();
    let mut reopened = FrozenCache::open(&path, &m, 1).unwrap();
    assert_eq!(reopened.added(), 0);
    let (again, losses2, _) = run(&mut reopened);
    assert_eq!(reopened.added(), 0, "everything came from the file");
    assert_eq!(losses, losses2);
    assert_eq!(again.meta(), adapter.meta());
    for (n, t) in &adapter.tensors {
        let (x, y): (Vec<f32>, Vec<f32>) = (
            t.flatten_all().unwrap().to_vec1().unwrap(),
            again.tensors[n].flatten_all().unwrap().to_vec1().unwrap(),
        );
        assert!(x == y, "{n} differs between two runs with the same seed");
    }
    // A cache of another depth is refused, by open and by train.
    let e = FrozenCache::open(&path, &m, 0).err().unwrap().to_string();
    assert!(e.contains("frozen.bin") && e.contains("depth"), "{e}");
    let mut wrong = FrozenCache::new(&m, 0).unwrap();
    let e = train(&m, &ex, &[], &cfg, &mut wrong, |_| Ok(()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("frozen"), "{e}");
}

#[test]
fn training_options_are_validated() {
    let ok = RawTrainConfig::default();
    assert!(ok.clone().validate().is_ok());
    for bad in [
        RawTrainConfig {
            layers: 0,
            ..ok.clone()
        },
        RawTrainConfig {
            epochs: 0,
            ..ok.clone()
        },
        RawTrainConfig {
            lr: f64::NAN,
            ..ok.clone()
        },
        RawTrainConfig {
            warmup: 1.0,
            ..ok.clone()
        },
        RawTrainConfig {
            dropout: 1.0,
            ..ok.clone()
        },
        RawTrainConfig {
            lora_rank: 4,
            lora_alpha: 0.0,
            ..ok.clone()
        },
    ] {
        assert!(bad.clone().validate().is_err(), "{bad:?}");
    }
}
