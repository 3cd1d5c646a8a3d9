//! `whence extract INPUT…`: the cleaning step on its own.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;
use whence::table::{Cell, ColType, Schema, TableWriter};
use whence::{CharIndex, RawConfig};

use crate::corpus_args::{CorpusArgs, OutFormat};

#[derive(Args, Debug)]
pub(crate) struct ExtractArgs {
    /// Inputs: HTML pages (.html/.htm), WARC archives (.warc, .warc.gz), text files,
    /// JSONL (.jsonl, .gz, .zst), directories (walked recursively), or - for stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Where to write the documents (- for stdout).
    #[arg(long, short, value_name = "FILE", default_value = "-")]
    out: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Jsonl)]
    format: OutFormat,
    /// Do not look for boilerplate (it is reported, never removed from the text).
    #[arg(long)]
    keep_boilerplate: bool,
    #[command(flatten)]
    corpus: CorpusArgs,
}

const SCHEMA: Schema = &[
    ("id", ColType::Str),
    ("text", ColType::Str),
    ("title", ColType::OptStr),
    ("date", ColType::OptStr),
    ("site", ColType::OptStr),
    ("url", ColType::OptStr),
    ("boilerplate", ColType::Json),
];

pub(crate) fn run(args: ExtractArgs) -> Result<()> {
    let started = Instant::now();
    let mut loaded = args.corpus.load(&args.inputs, "inputs")?;
    let raw = RawConfig {
        detect_boilerplate: !args.keep_boilerplate,
        ..Default::default()
    };
    let config = raw.validate()?;
    whence::corpus::mark_boilerplate(&mut loaded.docs, &config);
    let mut out = TableWriter::create(&args.out, args.format.into(), SCHEMA)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    for d in &loaded.docs {
        let idx = CharIndex::new(&d.text);
        let bp = (!d.boilerplate.is_empty()).then(|| {
            json!(d
                .boilerplate
                .iter()
                .map(|&s| {
                    let (a, b) = idx.span_to_chars(s);
                    [a, b]
                })
                .collect::<Vec<_>>())
        });
        let mut row = whence::rows::doc_row(d, d.text.clone());
        row.push(bp.map_or(Cell::Null, Cell::Json));
        out.write(row)?;
    }
    let written = out.finish()?;
    eprintln!(
        "whence extract: {}; wrote {written} document(s) to {} in {:.1} s",
        loaded.stats,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
