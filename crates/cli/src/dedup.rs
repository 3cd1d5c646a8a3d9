//! `whence dedup CORPUS…`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::{Args, ValueEnum};
use whence::cluster::Pick;
use whence::pipeline::{self, PipelineConfig, RawReuseRules};
use whence::report::rows::{document_columns, document_object, removal_row, REMOVED_COLUMNS};

use crate::args::{AlignArgs, InputArgs, OutArgs, RunArgs};
use crate::notices::count;
use crate::pairs::find;

/// Which document of a near-duplicate cluster to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Keep {
    /// The earliest by publication date (undated last), then the first seen.
    Earliest,
    /// The longest text.
    Longest,
    /// The first in reading order.
    First,
}

#[derive(Args, Debug)]
pub(crate) struct DedupArgs {
    /// Corpus inputs, as for `pairs`.
    #[arg(required = true, value_name = "CORPUS")]
    inputs: Vec<PathBuf>,
    /// Write the removed documents: {"id", "kept", "reason", "kept_by",
    /// "cluster", "cluster_size"}.
    #[arg(long, value_name = "FILE")]
    removed: Option<PathBuf>,
    /// Which document of each near-duplicate cluster to keep.
    #[arg(long, value_enum, default_value_t = Keep::Earliest)]
    keep: Keep,
    /// Remove boilerplate (site chrome, calls to action) from the kept texts.
    #[arg(long)]
    drop_boilerplate: bool,
    /// Least share (0-1) of EACH document covered by verbatim and edited
    /// passages for the two to be near-duplicates (paraphrase passages never
    /// count; a changed number or name, or a template, makes them distinct at
    /// any setting).
    #[arg(long, value_name = "FRACTION", default_value_t = 0.8)]
    min_reuse: f64,
    #[command(flatten)]
    out: OutArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    align: AlignArgs,
    #[command(flatten)]
    run: RunArgs,
}

pub(crate) fn run(args: DedupArgs) -> Result<()> {
    let started = Instant::now();
    args.run.start();
    let others: Vec<&std::path::Path> = args.removed.iter().map(PathBuf::as_path).collect();
    args.out.check(&others)?;
    let cfg = PipelineConfig {
        compare: args.align.config(None)?,
        reuse: RawReuseRules {
            duplicate_min_reuse: args.min_reuse,
            ..RawReuseRules::default()
        }
        .validate()?,
        ..Default::default()
    };
    let (loaded, outcome) = find(&args.input, &args.run, &args.inputs, &cfg, None, true)?;
    let docs = &loaded.docs;
    let pick = match args.keep {
        Keep::Earliest => Pick::Earliest,
        Keep::Longest => Pick::Longest,
        Keep::First => Pick::First,
    };
    let dedup = pipeline::dedup(docs, &outcome.pairs, pick);
    let keys = args.input.doc_keys();
    let kept: Vec<_> = docs
        .iter()
        .enumerate()
        .filter(|(i, _)| dedup.is_kept(*i as u32))
        .map(|(i, d)| {
            let text = args
                .drop_boilerplate
                .then(|| pipeline::without_boilerplate(d));
            document_object(
                d,
                loaded.fields.get(i).and_then(|f| f.as_deref()),
                keys,
                text,
            )
        })
        .collect();
    let mut out = args
        .out
        .create(&args.out.out, &document_columns(&kept, keys))?;
    for obj in kept {
        out.write_object(obj)?;
    }
    let written = out.finish()?;
    let mut why: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for r in &dedup.removed {
        let w = dedup.why(docs, r, pick);
        *why.entry((w.reason.as_str(), w.kept_by.as_str()))
            .or_default() += 1;
    }
    if let Some(path) = &args.removed {
        let mut rw = args.out.create(path, REMOVED_COLUMNS)?;
        for r in &dedup.removed {
            rw.write(removal_row(docs, &dedup, r, pick))?;
        }
        rw.finish()?;
    }
    let reasons: Vec<String> = why
        .iter()
        .map(|((reason, kept_by), n)| format!("{n} {reason} kept by {kept_by}"))
        .collect();
    args.run.summary(format_args!(
        "whence dedup: {}; {}; kept {}, removed {}{}, {:.1} s",
        loaded.stats,
        count(
            dedup.clusters.len() as u64,
            "near-duplicate cluster",
            "near-duplicate clusters"
        ),
        count(written as u64, "document", "documents"),
        count(dedup.removed.len() as u64, "document", "documents"),
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        },
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}
