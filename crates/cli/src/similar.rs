//! `whence similar A B` and `whence similar --pairs FILE.tsv`.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use whence::semantic::{require_model, Adapter, PairScorer, RawEmbedOptions, Rule, Threshold};

/// Lines scored per batch with --pairs (output is written after each block).
const BLOCK: usize = 2048;

#[derive(Args, Debug)]
pub(crate) struct SimilarArgs {
    /// First sentence.
    #[arg(
        required_unless_present = "pairs",
        conflicts_with = "pairs",
        requires = "b"
    )]
    a: Option<String>,
    /// Second sentence.
    b: Option<String>,
    /// Score every line of this file (or - for stdin): two tab-separated
    /// sentences a line. Prints one JSON object per input line, in order.
    #[arg(long, value_name = "FILE.tsv")]
    pairs: Option<PathBuf>,
    /// Print {"score": …, "paraphrase": …} instead of text.
    #[arg(long)]
    json: bool,
    /// Score with the plain cosine of the two sentence vectors (default
    /// threshold 0.724) instead of the combined probability.
    #[arg(long, conflicts_with = "judge")]
    cosine: bool,
    /// Also print what the decision was made from: "features" (cosine, token
    /// alignment, word overlap, number/name mismatches, length ratio).
    #[arg(long)]
    features: bool,
    /// Score with a cross-encoder judge trained for the model in use (a file
    /// written by the train_judge example of whence-embed): both sentences
    /// read together, two encoder passes per pair.
    #[arg(long, value_name = "FILE")]
    judge: Option<PathBuf>,
    /// Model directory (default: $WHENCE_MODEL, then the installed model).
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    /// Score at or above which a pair counts as a paraphrase [default: 0.42,
    /// 0.724 with --cosine, the judge file's own with --judge].
    #[arg(long, value_name = "X")]
    threshold: Option<f32>,
    /// Sentences embedded together in one batch.
    #[arg(long, value_name = "N", default_value_t = 32)]
    batch_size: usize,
}

pub(crate) fn run(args: SimilarArgs) -> Result<()> {
    let rule = if args.cosine {
        Rule::Cosine
    } else if args.judge.is_some() {
        Rule::Cross
    } else {
        Rule::Judge
    };
    let threshold = args.threshold.map(Threshold::new).transpose()?;
    let options = RawEmbedOptions {
        batch_size: args.batch_size,
        ..Default::default()
    }
    .validate()?;
    let blank = |s: &Option<String>| s.as_deref().is_some_and(|s| s.trim().is_empty());
    if blank(&args.a) || blank(&args.b) {
        let which = if blank(&args.a) { "first" } else { "second" };
        return Err(crate::notices::UsageError(format!(
            "the {which} sentence is empty: give two sentences to score"
        ))
        .into());
    }
    let model = require_model(args.model.as_deref(), &options)?;
    let adapter = match &args.judge {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            Some(Adapter::from_bytes(&bytes, &path.display().to_string())?)
        }
        None => None,
    };
    let scorer = PairScorer::new(&model, rule, adapter.as_ref(), threshold, args.features)?;
    let mut stdout = std::io::stdout().lock();
    if let Some(path) = &args.pairs {
        let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            let f = std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            Box::new(BufReader::new(f))
        };
        return run_pairs(&scorer, reader, &mut stdout, path);
    }
    let (a, b) = (
        args.a.as_deref().unwrap_or_default(),
        args.b.as_deref().unwrap_or_default(),
    );
    let s = scorer.score(&[(a, b)])?[0];
    if args.json {
        serde_json::to_writer(&mut stdout, &s.to_json())?;
        writeln!(stdout)?;
    } else {
        let verdict = if s.paraphrase {
            "paraphrase"
        } else {
            "not a paraphrase"
        };
        let what = if args.cosine { "cosine" } else { "probability" };
        writeln!(
            stdout,
            "{:.4}  {verdict} ({what}, threshold {})",
            s.score,
            scorer.threshold().get()
        )?;
        if let Some(f) = &s.features {
            writeln!(stdout, "{}", whence::semantic::features_json(f))?;
        }
    }
    Ok(())
}

fn run_pairs(
    scorer: &PairScorer<'_>,
    mut reader: Box<dyn BufRead>,
    out: &mut impl Write,
    path: &std::path::Path,
) -> Result<()> {
    let mut next_line = 1;
    let (mut ok, mut bad) = (0usize, 0usize);
    loop {
        let mut block = Vec::with_capacity(BLOCK);
        let mut buf = Vec::new();
        while block.len() < BLOCK {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if n == 0 {
                break;
            }
            if buf.last() == Some(&b'\n') {
                buf.pop();
            }
            // Invalid UTF-8 is reported on its own line; the run goes on.
            block.push(match String::from_utf8(std::mem::take(&mut buf)) {
                Ok(s) => Ok(s),
                Err(_) => Err(()),
            });
        }
        if block.is_empty() {
            break;
        }
        let texts: Vec<String> = block
            .iter()
            .map(|l| l.clone().unwrap_or_default())
            .collect();
        let mut results = scorer.score_lines(&texts, next_line)?;
        for (r, l) in results.iter_mut().zip(&block) {
            if l.is_err() {
                *r = serde_json::json!({"line": r["line"], "error": "not valid UTF-8"});
            }
            if r.get("error").is_some() {
                bad += 1;
            } else {
                ok += 1;
            }
            serde_json::to_writer(&mut *out, r)?;
            writeln!(out)?;
        }
        out.flush()?;
        next_line += block.len();
    }
    eprintln!(
        "whence: scored {ok} pair(s) from {}{}",
        path.display(),
        if bad > 0 {
            format!(", {bad} malformed line(s) reported as errors")
        } else {
            String::new()
        }
    );
    Ok(())
}
