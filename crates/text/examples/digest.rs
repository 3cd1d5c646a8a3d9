//! Golden check and throughput of `whence_text::analyze`.
//!
//! Analyzes every text of the inputs and prints one 64-bit digest over every
//! token (span, key, form, flags) and every sentence (span, token range,
//! paragraph), with the document count, bytes and analysis throughput. Two
//! builds that print the same digest produced the same token streams.
//!
//! ```text
//! cargo run --release -p whence-text --example digest -- [OPTIONS] INPUT...
//! cargo run --release -p whence-text --example digest -- [OPTIONS] --synthetic N [--seed S]
//! ```
//!
//! An INPUT ending in `.jsonl` is read one JSON object a line (its `"text"`
//! field); a directory is walked in sorted order and each `*.txt` file under it
//! is one text (decoded lossily if it is not UTF-8); any other file is one text.
//! `--limit N` stops after N texts in total. `--synthetic N` analyzes N texts
//! generated from a fixed seed out of words, punctuation and tricky Unicode
//! (ligatures, full-width forms, combining marks, dotted I, ß, emoji, CJK, curly
//! quotes, very long tokens) — deterministic, so its digest is a golden value too.
//! Only the time inside `analyze` counts towards MB/s. Texts are loaded into
//! memory first. `--repeat N` analyzes them N times (the digest must not change
//! between passes: the word cache is warm after the first) and reports the first
//! and the fastest pass, which helps on a busy machine. `--reference` uses
//! `Analyzer::reference()` (no fast paths) instead of `whence_text::analyze`.
//! `cpu` is the thread's CPU time for a whole pass (analysis plus the digest's
//! own encoding; Linux only, 10 ms resolution): on a shared machine it is the
//! steadier figure, as wall time also counts waiting for a core.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use whence_core::{TokenFlags, TokenStream};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The texts to analyze, loaded up front.
struct Texts {
    texts: Vec<String>,
    limit: usize,
}

impl Texts {
    fn full(&self) -> bool {
        self.texts.len() >= self.limit
    }

    fn add(&mut self, text: &str) {
        self.texts.push(text.to_owned());
    }
}

/// One pass over all texts.
struct Pass {
    digest: u64,
    tokens: usize,
    sentences: usize,
    /// Wall time inside `analyze`.
    time: Duration,
    /// Thread CPU time of the whole pass (analysis and digest encoding).
    cpu: Option<Duration>,
}

/// CPU time (user + system) of the calling thread, from `/proc/thread-self/stat`
/// (Linux; 10 ms resolution). Unlike wall time it does not count the time the
/// thread waited for a core, which matters on a shared machine.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // fields after the parenthesized command name: state is the first, utime the
    // 12th, stime the 13th; both in USER_HZ ticks, which Linux fixes at 100
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

fn run_pass(texts: &[String], reference: bool) -> Pass {
    let mut analyzer = whence_text::Analyzer::reference();
    let mut pass = Pass {
        digest: 0,
        tokens: 0,
        sentences: 0,
        time: Duration::ZERO,
        cpu: None,
    };
    let mut buf = Vec::new();
    let cpu0 = thread_cpu();
    for text in texts {
        let t = Instant::now();
        let ts = if reference {
            analyzer.analyze(text)
        } else {
            whence_text::analyze(text)
        };
        pass.time += t.elapsed();
        pass.tokens += ts.tokens.len();
        pass.sentences += ts.sentences.len();
        encode(&ts, &mut buf);
        pass.digest = xxh3_64_with_seed(&buf, pass.digest);
    }
    pass.cpu = cpu0.zip(thread_cpu()).map(|(a, b)| b.saturating_sub(a));
    pass
}

/// Serializes a token stream: every field of every token and sentence, in order.
fn encode(ts: &TokenStream, out: &mut Vec<u8>) {
    out.clear();
    let mut put = |v: u64| out.extend_from_slice(&v.to_le_bytes());
    put(ts.tokens.len() as u64);
    for t in &ts.tokens {
        put(t.span.start() as u64);
        put(t.span.end() as u64);
        put(t.key);
        put(t.form);
        let mut flags = 0u64;
        for (bit, f) in [
            TokenFlags::STOP,
            TokenFlags::NUMBER,
            TokenFlags::CAPITALIZED,
            TokenFlags::CHAR_UNIT,
        ]
        .into_iter()
        .enumerate()
        {
            if t.flags.contains(f) {
                flags |= 1 << bit;
            }
        }
        put(flags);
    }
    put(ts.sentences.len() as u64);
    for s in &ts.sentences {
        put(s.span.start() as u64);
        put(s.span.end() as u64);
        put(s.tokens.start as u64);
        put(s.tokens.end as u64);
        put(s.paragraph as u64);
    }
}

fn read_jsonl(path: &Path, texts: &mut Texts) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        if texts.full() {
            break;
        }
        let line = line.map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let text = v
            .get("text")
            .and_then(|t| t.as_str())
            .ok_or_else(|| format!("{}:{}: no \"text\" string", path.display(), n + 1))?;
        texts.add(text);
    }
    Ok(())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "txt") {
            out.push(p);
        }
    }
    Ok(())
}

fn read_file(path: &Path, texts: &mut Texts) -> Result<(), String> {
    if texts.full() {
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    texts.add(&String::from_utf8_lossy(&bytes));
    Ok(())
}

/// Deterministic mixed texts: words, punctuation, whitespace and tricky Unicode.
fn synthetic(n: usize, seed: u64, texts: &mut Texts) {
    const PIECES: &[&str] = &[
        "the",
        "The",
        "THE",
        "said",
        "Said",
        "advisers",
        "advisors",
        "colour",
        "Colours",
        "organised",
        "centre",
        "theatre",
        "genre",
        "hours",
        "realising",
        "exercise",
        "don't",
        "don’t",
        "Assad’s",
        "it's",
        "I'm",
        "U.S.",
        "Mr.",
        "Dr.",
        "e.g.",
        "1,200",
        "3.5",
        "2015",
        "30th",
        "x86",
        "a",
        "I",
        "running",
        "generously",
        "skies",
        "dying",
        "news",
        "ﬁnal",
        "ﬂow",
        "Ⅻ",
        "ＡＢＣ",
        "１２３",
        "ｔｈｅ",
        "İstanbul",
        "ı",
        "İ",
        "Straße",
        "STRASSE",
        "ß",
        "ẞ",
        "café",
        "cafe\u{301}",
        "naïve",
        "ÉCOLE",
        "Ωmega",
        "Σίσυφος",
        "ΌΣΟΣ",
        "Москва",
        "東京大学",
        "今天下雨。",
        "한국어",
        "カタカナ",
        "ひらがな",
        "مرحبا",
        "שלום",
        "हिन्दी",
        "ไทย",
        "😀",
        "👍🏽",
        "👨‍👩‍👧",
        "🇬🇧",
        "e\u{301}\u{302}",
        "\u{301}",
        "a\u{300}b",
        "“",
        "”",
        "‘",
        "’",
        "\"",
        "'",
        "`",
        "´",
        "ʼ",
        "′",
        "—",
        "–",
        "-",
        "…",
        "...",
        ".",
        "!",
        "?",
        ",",
        ";",
        ":",
        "(",
        ")",
        "[",
        "]",
        "«",
        "»",
        "•",
        "*",
        "@",
        "#",
        "&",
        "%",
        "$",
        "€",
        "£",
        "\u{a0}",
        "\u{200b}",
        "\u{feff}",
        "ﬀ",
        "ǅ",
        "ŉ",
        "K",
        "Å",
        "µ",
        "ﬃ",
        "ﬆ",
        "ｶ",
        "㍻",
        "①",
        "²",
        "½",
        "x²",
        "H₂O",
        "co-operate",
        "e-mail",
        "O'Neill",
        "rock'n'roll",
        "shi'ite",
        "Shia",
        "DEFENCE",
        "Programme",
        "kerb",
        "whilst",
        "Amongst",
        "TOWARDS",
        "flavour",
        "favourite",
        "honourable",
        "neighbourhood",
        "metres",
        "Litres",
        "lustre",
        "'s",
        "’s",
        "s'",
        "ones'",
        "dogs’",
        "caution",
        "generalization",
        "internationalisation",
    ];
    let mut state = seed | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut text = String::new();
    for _ in 0..n {
        if texts.full() {
            break;
        }
        text.clear();
        let len = (next() % 120) as usize;
        for _ in 0..len {
            let r = next();
            match r % 16 {
                0 => text.push('\n'),
                1 => text.push_str("\n\n"),
                2 => {
                    // a very long token, sometimes non-ASCII
                    let w = PIECES[(r >> 8) as usize % PIECES.len()];
                    for _ in 0..(r >> 32) % 60 {
                        text.push_str(w);
                    }
                }
                3 => text.push_str(". "),
                _ => {
                    text.push_str(PIECES[(r >> 8) as usize % PIECES.len()]);
                    if r & (1 << 40) != 0 {
                        text.push(' ');
                    }
                }
            }
        }
        texts.add(&text);
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut inputs = Vec::new();
    let mut synth = None;
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut limit = usize::MAX;
    let mut repeat = 1;
    let mut reference = false;
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--limit" => limit = num("--limit")? as usize,
            "--synthetic" => synth = Some(num("--synthetic")? as usize),
            "--seed" => seed = num("--seed")?,
            "--repeat" => repeat = num("--repeat")?.max(1) as usize,
            "--reference" => reference = true,
            _ => inputs.push(PathBuf::from(a)),
        }
    }
    if inputs.is_empty() && synth.is_none() {
        return Err(
            "usage: digest [--limit N] [--repeat N] [--reference] INPUT... | --synthetic N [--seed S]"
                .into(),
        );
    }
    let mut texts = Texts {
        texts: Vec::new(),
        limit,
    };
    if let Some(n) = synth {
        synthetic(n, seed, &mut texts);
    }
    for input in &inputs {
        if input.is_dir() {
            let mut files = Vec::new();
            walk(input, &mut files)?;
            for f in files {
                read_file(&f, &mut texts)?;
            }
        } else if input.extension().is_some_and(|e| e == "jsonl") {
            read_jsonl(input, &mut texts)?;
        } else {
            read_file(input, &mut texts)?;
        }
    }
    let bytes: usize = texts.texts.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    let first = run_pass(&texts.texts, reference);
    let mut passes = vec![(first.time, first.cpu)];
    for n in 1..repeat {
        let p = run_pass(&texts.texts, reference);
        if p.digest != first.digest {
            return Err(format!(
                "pass {} digest {:016x} differs from the first pass {:016x}",
                n + 1,
                p.digest,
                first.digest
            ));
        }
        passes.push((p.time, p.cpu));
    }
    print!(
        "digest {:016x}  docs {}  bytes {}  tokens {}  sentences {}  analyze {:.3} s  {:.2} MB/s",
        first.digest,
        texts.texts.len(),
        bytes,
        first.tokens,
        first.sentences,
        first.time.as_secs_f64(),
        mb / first.time.as_secs_f64().max(1e-9)
    );
    if let Some(cpu) = first.cpu {
        print!("  cpu {:.2} s", cpu.as_secs_f64());
    }
    if repeat > 1 {
        let best = passes.iter().map(|p| p.0).min().unwrap_or(first.time);
        let all: Vec<String> = passes
            .iter()
            .map(|(t, c)| match c {
                Some(c) => format!("{:.3}/{:.2}", t.as_secs_f64(), c.as_secs_f64()),
                None => format!("{:.3}", t.as_secs_f64()),
            })
            .collect();
        print!(
            "  best of {repeat} {:.3} s  {:.2} MB/s  (passes analyze/cpu s: {})",
            best.as_secs_f64(),
            mb / best.as_secs_f64().max(1e-9),
            all.join(" ")
        );
    }
    println!();
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("digest: {e}");
        std::process::exit(2);
    }
}
