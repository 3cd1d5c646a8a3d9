//! Candidate recall on a corpus from `gen_corpus.py`: tokenizes, winnows, builds the
//! index and the LSH bands, and reports recall of the planted pairs by kind, the
//! number of candidates, time per stage and peak memory.
//!
//! ```text
//! cargo run --release -p whence-candidates --example recall -- \
//!     --corpus /tmp/c100k.jsonl --truth /tmp/t100k.jsonl [--k 5] [--w 4] \
//!     [--max-df 64] [--min-shared 2] [--min-containment 0.2] [--strong-shared 6] \
//!     [--budget-mb 1024] [--mh-k 3] [--bands 42] [--rows 3] [--mask-chrome] \
//!     [--chrome-report] [--limit N] [--no-lsh] [--cache FILE] [--lean] [--star]
//! ```
//!
//! `--mask-chrome` masks the per-site header and footer lines (the text before the
//! first and after the last blank line, as gen_corpus.py writes them), as a caller
//! with boilerplate detection would. `--chrome-report` also builds the index on the
//! masked fingerprints and counts candidates that exist only because of chrome.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::time::Instant;

use rayon::prelude::*;
use whence_candidates::{lsh_pairs, IndexBuilder, RawIndexConfig, RawLshConfig};
use whence_sketch::{winnow_into, MinHasher, RawWinnowParams};

struct Args {
    corpus: String,
    truth: String,
    k: usize,
    w: usize,
    max_df: u32,
    min_shared: u32,
    min_containment: f32,
    strong_shared: u32,
    budget_mb: usize,
    bands: usize,
    rows: usize,
    mh_k: usize,
    mask_chrome: bool,
    chrome_report: bool,
    limit: usize,
    lsh: bool,
    lean: bool,
    star: bool,
    cache: Option<String>,
}

fn parse() -> Args {
    let (wd, md) = (
        RawWinnowParams::default(),
        whence_sketch::RawMinHashParams::default(),
    );
    let (id, ld) = (RawIndexConfig::default(), RawLshConfig::default());
    let mut a = Args {
        corpus: String::new(),
        truth: String::new(),
        k: wd.k,
        w: wd.w,
        max_df: id.max_df,
        min_shared: id.min_shared,
        min_containment: id.min_containment,
        strong_shared: id.strong_shared,
        budget_mb: 1024,
        bands: ld.bands,
        rows: ld.rows,
        mh_k: md.k,
        mask_chrome: false,
        chrome_report: false,
        limit: usize::MAX,
        lsh: true,
        lean: false,
        star: false,
        cache: None,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        let val = || {
            v.get(i + 1)
                .cloned()
                .unwrap_or_else(|| panic!("{} needs a value", v[i]))
        };
        match v[i].as_str() {
            "--corpus" => a.corpus = val(),
            "--truth" => a.truth = val(),
            "--k" => a.k = val().parse().expect("--k"),
            "--w" => a.w = val().parse().expect("--w"),
            "--max-df" => a.max_df = val().parse().expect("--max-df"),
            "--min-shared" => a.min_shared = val().parse().expect("--min-shared"),
            "--min-containment" => a.min_containment = val().parse().expect("--min-containment"),
            "--strong-shared" => a.strong_shared = val().parse().expect("--strong-shared"),
            "--budget-mb" => a.budget_mb = val().parse().expect("--budget-mb"),
            "--bands" => a.bands = val().parse().expect("--bands"),
            "--rows" => a.rows = val().parse().expect("--rows"),
            "--mh-k" => a.mh_k = val().parse().expect("--mh-k"),
            "--limit" => a.limit = val().parse().expect("--limit"),
            "--cache" => a.cache = Some(val()),
            "--mask-chrome" => {
                a.mask_chrome = true;
                i -= 1;
            }
            "--chrome-report" => {
                a.chrome_report = true;
                i -= 1;
            }
            "--star" => {
                a.star = true;
                i -= 1;
            }
            "--lean" => {
                a.lean = true;
                i -= 1;
            }
            "--no-lsh" => {
                a.lsh = false;
                i -= 1;
            }
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    assert!(
        !a.corpus.is_empty() && !a.truth.is_empty(),
        "--corpus and --truth are required"
    );
    a
}

/// CPU seconds (user + system, all threads) of this process so far, from
/// /proc/self/stat (clock ticks of 1/100 s, the Linux default). Wall times on a
/// shared machine measure the neighbours too; CPU times do not.
fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = s.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<&str> = rest.split_whitespace().collect();
    // after the command: state is field 3; utime and stime are fields 14 and 15
    let tick = |i: usize| {
        f.get(i - 3)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(14) + tick(15)) / 100.0
}

fn vm_hwm_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Token mask of gen_corpus.py's site chrome: header before the first blank line,
/// footer after the last one.
fn chrome_mask(text: &str, ts: &whence_core::TokenStream) -> Vec<bool> {
    let head_end = text.find("\n\n").unwrap_or(0);
    let foot_start = text.rfind("\n\n").unwrap_or(text.len());
    ts.tokens
        .iter()
        .map(|t| t.span.start() < head_end || t.span.start() >= foot_start)
        .collect()
}

/// A candidate filter on (shared, containment).
type Keep = Box<dyn Fn(u32, f32) -> bool>;

struct Doc {
    fp: Vec<u64>,
    fp_masked: Option<Vec<u64>>,
    sig: Vec<u32>,
}

fn main() {
    let a = parse();
    let wp = RawWinnowParams { k: a.k, w: a.w }
        .validate()
        .expect("winnow params");
    let mh = MinHasher::new(
        whence_sketch::RawMinHashParams {
            k: a.mh_k,
            ..Default::default()
        }
        .validate()
        .unwrap(),
    );
    eprintln!("threads: {}", rayon::current_num_threads());

    // Stream the corpus in chunks: analyze, winnow and sign each chunk in parallel.
    let t0 = Instant::now();
    let f = std::io::BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(&a.corpus).expect("open corpus"),
    );
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut docs: Vec<Doc> = Vec::new();
    let (mut t_read, mut t_analyze, mut t_winnow, mut t_minhash) = (0f64, 0f64, 0f64, 0f64);
    let (mut c_winnow, mut c_minhash) = (0f64, 0f64);
    let (mut bytes, mut tokens, mut fps) = (0usize, 0usize, 0usize);
    let mut lines = f.lines();
    // Optional cache of analyzed keys and chrome masks (analysis dominates run time).
    let cache_exists = a
        .cache
        .as_ref()
        .is_some_and(|p| std::path::Path::new(p).exists());
    let mut cache_in = cache_exists.then(|| {
        std::io::BufReader::with_capacity(
            1 << 20,
            std::fs::File::open(a.cache.as_ref().unwrap()).expect("open cache"),
        )
    });
    let mut cache_out = (!cache_exists)
        .then_some(a.cache.as_ref())
        .flatten()
        .map(|p| {
            std::io::BufWriter::with_capacity(
                1 << 20,
                std::fs::File::create(p).expect("create cache"),
            )
        });
    loop {
        let t = Instant::now();
        let mut analyzed: Vec<(Vec<u64>, Option<Vec<bool>>)> = Vec::new();
        if let Some(r) = cache_in.as_mut() {
            use std::io::Read;
            while analyzed.len() < 8192 && docs.len() + analyzed.len() < a.limit {
                let mut len = [0u8; 8];
                if r.read_exact(&mut len).is_err() {
                    break;
                }
                let mut idb = vec![0u8; u32::from_le_bytes(len[..4].try_into().unwrap()) as usize];
                r.read_exact(&mut idb).expect("cache");
                let n = u32::from_le_bytes(len[4..].try_into().unwrap()) as usize;
                let mut kb = vec![0u8; n * 9 + 8];
                r.read_exact(&mut kb).expect("cache");
                bytes += u64::from_le_bytes(kb[n * 9..].try_into().unwrap()) as usize;
                let keys = kb[..n * 8]
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
                    .collect();
                let mask: Vec<bool> = kb[n * 8..n * 9].iter().map(|&b| b != 0).collect();
                ids.insert(
                    String::from_utf8(idb).expect("id"),
                    (docs.len() + analyzed.len()) as u32,
                );
                analyzed.push((keys, Some(mask)));
            }
            t_read += t.elapsed().as_secs_f64();
            if analyzed.is_empty() {
                break;
            }
        } else {
            let mut chunk: Vec<(String, String)> = Vec::with_capacity(8192);
            for line in lines.by_ref() {
                let line = line.expect("read line");
                let v: serde_json::Value = serde_json::from_str(&line).expect("json");
                let id = v["id"].as_str().expect("id").to_owned();
                ids.insert(id.clone(), (docs.len() + chunk.len()) as u32);
                chunk.push((id, v["text"].as_str().expect("text").to_owned()));
                if chunk.len() == 8192 || docs.len() + chunk.len() >= a.limit {
                    break;
                }
            }
            t_read += t.elapsed().as_secs_f64();
            if chunk.is_empty() {
                break;
            }
            bytes += chunk.iter().map(|s| s.1.len()).sum::<usize>();
            let t = Instant::now();
            analyzed = chunk
                .par_iter()
                .map(|(_, text)| {
                    let ts = whence_text::analyze(text);
                    (whence_sketch::token_keys(&ts), Some(chrome_mask(text, &ts)))
                })
                .collect();
            t_analyze += t.elapsed().as_secs_f64();
            if let Some(w) = cache_out.as_mut() {
                use std::io::Write;
                for ((id, text), (keys, mask)) in chunk.iter().zip(&analyzed) {
                    let mask = mask.as_ref().unwrap();
                    w.write_all(&(id.len() as u32).to_le_bytes()).unwrap();
                    w.write_all(&(keys.len() as u32).to_le_bytes()).unwrap();
                    w.write_all(id.as_bytes()).unwrap();
                    for k in keys {
                        w.write_all(&k.to_le_bytes()).unwrap();
                    }
                    w.write_all(&mask.iter().map(|&m| m as u8).collect::<Vec<u8>>())
                        .unwrap();
                    w.write_all(&(text.len() as u64).to_le_bytes()).unwrap();
                }
            }
        }
        tokens += analyzed.iter().map(|x| x.0.len()).sum::<usize>();
        let (t, c) = (Instant::now(), cpu_secs());
        let winnowed: Vec<(Vec<u64>, Option<Vec<u64>>)> = analyzed
            .par_iter()
            .map_init(
                || (Vec::new(), Vec::new()),
                |(scratch, out), (keys, mask)| {
                    let mut run = |m: Option<&[bool]>| {
                        out.clear();
                        winnow_into(keys, m, &wp, scratch, out);
                        out.iter().map(|f| f.hash).collect::<Vec<u64>>()
                    };
                    let primary = run(if a.mask_chrome { mask.as_deref() } else { None });
                    let masked = (a.chrome_report && !a.mask_chrome).then(|| run(mask.as_deref()));
                    (primary, masked)
                },
            )
            .collect();
        t_winnow += t.elapsed().as_secs_f64();
        c_winnow += cpu_secs() - c;
        fps += winnowed.iter().map(|x| x.0.len()).sum::<usize>();
        let (t, c) = (Instant::now(), cpu_secs());
        let sigs: Vec<Vec<u32>> = if a.lsh {
            analyzed
                .par_iter()
                .map_init(Vec::new, |scratch, (keys, mask)| {
                    let m = if a.mask_chrome { mask.as_deref() } else { None };
                    let s = mh.signature_with(keys, m, scratch);
                    if s.is_empty() {
                        Vec::new()
                    } else {
                        s.values().to_vec()
                    }
                })
                .collect()
        } else {
            vec![Vec::new(); analyzed.len()]
        };
        t_minhash += t.elapsed().as_secs_f64();
        c_minhash += cpu_secs() - c;
        docs.extend(
            winnowed
                .into_iter()
                .zip(sigs)
                .map(|((fp, fp_masked), sig)| Doc { fp, fp_masked, sig }),
        );
        if docs.len() >= a.limit {
            break;
        }
    }
    let n = docs.len();
    let mb = bytes as f64 / 1e6;
    println!(
        "read {n} docs, {mb:.1} MB, {tokens} tokens, {fps} fingerprints ({:.3}/token); k={} w={} max_df={} minhash k={} mask_chrome={}",
        fps as f64 / tokens as f64,
        a.k,
        a.w,
        a.max_df,
        a.mh_k,
        a.mask_chrome
    );
    println!("stage read+json   {t_read:7.2} s");
    println!(
        "stage analyze     {t_analyze:7.2} s  ({:.1} MB/s)",
        mb / t_analyze
    );
    println!(
        "stage winnow      {t_winnow:7.2} s  cpu {c_winnow:.2} s  ({:.1} MB/s, {:.1} M tokens/s, {:.1} M fingerprints/s)",
        mb / t_winnow,
        tokens as f64 / t_winnow / 1e6,
        fps as f64 / t_winnow / 1e6
    );
    if a.lsh {
        println!(
            "stage minhash     {t_minhash:7.2} s  cpu {c_minhash:.2} s  ({:.1} MB/s)",
            mb / t_minhash
        );
    }

    // Index at min_shared = 1, so recall can be read off for every min_shared level.
    // --lean: the index applies the rule itself (what a caller gets), no grids.
    let cfg = RawIndexConfig {
        max_df: a.max_df,
        min_shared: if a.lean { a.min_shared } else { 1 },
        min_containment: if a.lean { a.min_containment } else { 0.0 },
        strong_shared: a.strong_shared,
        frequent: if a.star {
            whence_candidates::Frequent::Star
        } else {
            whence_candidates::Frequent::Drop
        },
        memory_budget: a.budget_mb << 20,
        ..Default::default()
    }
    .validate()
    .expect("index config");
    println!("peak memory before the index (VmHWM) {:.0} MB", vm_hwm_mb());
    let (t, c) = (Instant::now(), cpu_secs());
    let mut b = IndexBuilder::new(cfg.clone());
    for (i, d) in docs.iter().enumerate() {
        b.add(i as u32, &d.fp).expect("add");
    }
    let t_add = t.elapsed().as_secs_f64();
    let index = b.finish().expect("finish");
    let t_index = t.elapsed().as_secs_f64();
    println!(
        "stage index       {t_index:7.2} s  cpu {:.2} s  (add {t_add:.2} s) {:?}",
        cpu_secs() - c,
        index.stats()
    );
    let all: Vec<_> = index.candidates().to_vec();

    let mut lsh = Vec::new();
    if a.lsh {
        let (t, c) = (Instant::now(), cpu_secs());
        let lc = RawLshConfig {
            bands: a.bands,
            rows: a.rows,
            ..Default::default()
        }
        .validate()
        .expect("lsh config");
        let sigs: Vec<&[u32]> = docs.iter().map(|d| d.sig.as_slice()).collect();
        let (pairs, st) = lsh_pairs(&sigs, &lc);
        println!(
            "stage lsh         {:7.2} s  cpu {:.2} s  {} pairs (bands {}×{}, threshold {:.2}) {:?}",
            t.elapsed().as_secs_f64(),
            cpu_secs() - c,
            pairs.len(),
            a.bands,
            a.rows,
            lc.threshold(),
            st
        );
        lsh = pairs;
    }
    println!("peak memory (VmHWM) {:.0} MB", vm_hwm_mb());

    // Truth.
    let mut truth: Vec<((u32, u32), String)> = Vec::new();
    let tf = std::io::BufReader::new(std::fs::File::open(&a.truth).expect("open truth"));
    for line in tf.lines() {
        let v: serde_json::Value = serde_json::from_str(&line.expect("line")).expect("json");
        let (Some(&x), Some(&y)) = (
            ids.get(v["derived"].as_str().unwrap()),
            ids.get(v["source"].as_str().unwrap()),
        ) else {
            continue;
        };
        truth.push(((x.min(y), x.max(y)), v["kind"].as_str().unwrap().to_owned()));
    }
    let lsh_set: HashSet<(u32, u32)> = lsh.iter().map(|p| (p.a, p.b)).collect();
    let shared_of: HashMap<(u32, u32), u32> = all.iter().map(|c| ((c.a, c.b), c.shared)).collect();
    let kinds = ["exact", "near", "partial", "rewrite", "truncated"];
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, k) in &truth {
        *by_kind.entry(k.as_str()).or_default() += 1;
    }
    println!("truth pairs: {} {:?}", truth.len(), by_kind);
    println!(
        "recall by min_shared (index); the rule min_shared/min_containment/strong_shared; LSH; rule ∪ LSH:"
    );
    print!("{:>22}", "");
    for k in kinds {
        print!(" {k:>9}");
    }
    println!(" {:>9} {:>11}", "all", "candidates");
    let row = |label: String, found: &dyn Fn(&(u32, u32)) -> bool, ncand: usize| {
        print!("{label:>22}");
        let mut tot = 0;
        for k in kinds {
            let (mut f, mut n) = (0, 0);
            for (p, kk) in &truth {
                if kk == k {
                    n += 1;
                    if found(p) {
                        f += 1;
                    }
                }
            }
            tot += f;
            print!(" {:>9.4}", f as f64 / n.max(1) as f64);
        }
        println!(
            " {:>9.4} {ncand:>11}",
            tot as f64 / truth.len().max(1) as f64
        );
    };
    for m in (1..=5u32).filter(|_| !a.lean) {
        let nc = all.iter().filter(|c| c.shared >= m).count();
        row(
            format!("index min_shared={m}"),
            &|p| shared_of.get(p).is_some_and(|&s| s >= m),
            nc,
        );
    }
    let (ms, mc, ss) = (a.min_shared, a.min_containment, a.strong_shared);
    let rule = |c: &whence_candidates::Candidate| {
        c.shared >= ms && (c.containment() >= mc || c.shared >= ss)
    };
    let chosen: HashSet<(u32, u32)> = all.iter().filter(|c| rule(c)).map(|c| (c.a, c.b)).collect();
    row(
        format!("rule {ms}/{mc}/{ss}"),
        &|p| chosen.contains(p),
        chosen.len(),
    );
    if a.lsh {
        row("lsh".into(), &|p| lsh_set.contains(p), lsh.len());
        let mut union = chosen.clone();
        union.extend(lsh_set.iter().copied());
        row("rule ∪ lsh".into(), &|p| union.contains(p), union.len());
    }
    // Grid: min_shared × min_containment (containment of the smaller side).
    let cont_of: HashMap<(u32, u32), (u32, f32)> = all
        .iter()
        .map(|c| ((c.a, c.b), (c.shared, c.containment())))
        .collect();
    if !a.lean {
        println!("grid: min_shared, min_containment → recall all / exact+near / partial / rewrite, candidates");
        for m in [1u32, 2, 3, 4, 6, 8] {
            for c in [0.0f32, 0.01, 0.02, 0.03, 0.05, 0.1] {
                let ok = |p: &(u32, u32)| cont_of.get(p).is_some_and(|&(s, x)| s >= m && x >= c);
                let rec = |f: &dyn Fn(&str) -> bool| {
                    let sel: Vec<_> = truth.iter().filter(|(_, k)| f(k)).collect();
                    sel.iter().filter(|(p, _)| ok(p)).count() as f64 / sel.len().max(1) as f64
                };
                let nc = all
                    .iter()
                    .filter(|x| x.shared >= m && x.containment() >= c)
                    .count();
                println!(
                    "  m={m} c={c:.2}: {:.4} / {:.4} / {:.4} / {:.4}  {nc}",
                    rec(&|_| true),
                    rec(&|k| k == "exact" || k == "near"),
                    rec(&|k| k == "partial"),
                    rec(&|k| k == "rewrite")
                );
            }
        }
        // Two-level rule: shared ≥ lo and (containment ≥ c or shared ≥ hi).
        println!("rule: shared ≥ lo and (containment ≥ c or shared ≥ hi) → recall all / exact+near / partial / rewrite / truncated, candidates");
        for lo in [2u32, 3] {
            for c in [0.05f32, 0.1, 0.2] {
                for hi in [4u32, 6, 8, 12] {
                    let keep = |s: u32, x: f32| s >= lo && (x >= c || s >= hi);
                    let ok = |p: &(u32, u32)| cont_of.get(p).is_some_and(|&(s, x)| keep(s, x));
                    let rec = |f: &dyn Fn(&str) -> bool| {
                        let sel: Vec<_> = truth.iter().filter(|(_, k)| f(k)).collect();
                        sel.iter().filter(|(p, _)| ok(p)).count() as f64 / sel.len().max(1) as f64
                    };
                    let nc = all
                        .iter()
                        .filter(|x| keep(x.shared, x.containment()))
                        .count();
                    println!(
                        "  lo={lo} c={c:.2} hi={hi}: {:.4} / {:.4} / {:.4} / {:.4} / {:.4}  {nc}",
                        rec(&|_| true),
                        rec(&|k| k == "exact" || k == "near"),
                        rec(&|k| k == "partial"),
                        rec(&|k| k == "rewrite"),
                        rec(&|k| k == "truncated")
                    );
                }
            }
        }
    }
    // Missed pairs: how many fingerprints did the two sides have?
    let missed: Vec<_> = truth
        .iter()
        .filter(|(p, _)| !chosen.contains(p) && !lsh_set.contains(p))
        .take(8)
        .collect();
    for ((x, y), k) in missed {
        println!(
            "missed {k}: docs {x} ({} fps) and {y} ({} fps), shared {}",
            docs[*x as usize].fp.len(),
            docs[*y as usize].fp.len(),
            match shared_of.get(&(*x, *y)) {
                Some(s) => s.to_string(),
                // --lean keeps only pairs that pass the rule: the count is unknown
                None if a.lean => "below the rule".to_string(),
                None => "0 (after the df cut-off)".to_string(),
            }
        );
    }

    if a.chrome_report && !a.mask_chrome && !a.lean {
        let t = Instant::now();
        let mut b = IndexBuilder::new(cfg);
        for (i, d) in docs.iter().enumerate() {
            b.add(i as u32, d.fp_masked.as_deref().unwrap_or(&[]))
                .expect("add");
        }
        let masked = b.finish().expect("finish");
        let masked_set: HashMap<(u32, u32), (u32, f32)> = masked
            .candidates()
            .iter()
            .map(|c| ((c.a, c.b), (c.shared, c.containment())))
            .collect();
        println!(
            "chrome report (index on chrome-masked fingerprints, {:.2} s):",
            t.elapsed().as_secs_f64()
        );
        let levels: Vec<(String, Keep)> = (1..=5u32)
            .map(|m| {
                (
                    format!("min_shared={m}"),
                    Box::new(move |s: u32, _x: f32| s >= m) as Keep,
                )
            })
            .chain(std::iter::once((
                format!("rule {ms}/{mc}/{ss}"),
                Box::new(move |s: u32, x: f32| s >= ms && (x >= mc || s >= ss)) as Keep,
            )))
            .collect();
        for (label, keep) in &levels {
            let unmasked: Vec<_> = all
                .iter()
                .filter(|c| keep(c.shared, c.containment()))
                .collect();
            let only_chrome = unmasked
                .iter()
                .filter(|c| {
                    !masked_set
                        .get(&(c.a, c.b))
                        .is_some_and(|&(s, x)| keep(s, x))
                })
                .count();
            println!(
                "  {label}: {} candidates unmasked, {} masked, {only_chrome} exist only because of chrome",
                unmasked.len(),
                masked_set.values().filter(|&&(s, x)| keep(s, x)).count()
            );
        }
    }
    eprintln!("total {:.1} s", t0.elapsed().as_secs_f64());
}
