//! `whence pairs CORPUS…`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use whence::pipeline::{self, PipelineConfig, RawReuseRules, Stage};
use whence::report::rows::{cluster_row, pair_row, CLUSTER_COLUMNS, PAIR_COLUMNS};
use whence::semantic::{Encoder, SentenceEncoder};

use crate::args::{AlignArgs, InputArgs, OutArgs, RunArgs};
use crate::notices::count;
use crate::semantic_args::{report_failures, SemanticArgs};

#[derive(Args, Debug)]
pub(crate) struct PairsArgs {
    /// Corpus inputs: directories (walked recursively), .txt, .json, .jsonl
    /// (.gz/.zst), .html, .warc(.gz), or - for stdin.
    #[arg(required = true, value_name = "CORPUS")]
    inputs: Vec<PathBuf>,
    /// Also write reuse clusters, one a line: {"cluster", "members", "representative"}.
    #[arg(long, value_name = "FILE")]
    clusters: Option<PathBuf>,
    /// Include each pair's passages ([start, end) character offsets, kind, score).
    #[arg(long)]
    passages: bool,
    /// Only pairs across sources: documents naming the same source (--source-field)
    /// are not compared with each other.
    #[arg(long)]
    cross_source: bool,
    /// Report only pairs whose more reused side is at least this share (0-1)
    /// covered by verbatim and edited passages (paraphrase passages do not
    /// count). 0 reports every pair with one passage of 15 words or more.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.0)]
    min_reuse: f64,
    /// Also write template pairs (relation "template": the shared text is a
    /// form filled with different facts, such as two companies' earnings
    /// tables). They never enter clusters or dedup.
    #[arg(long)]
    templates: bool,
    #[command(flatten)]
    out: OutArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    align: AlignArgs,
    #[command(flatten)]
    semantic: SemanticArgs,
    #[command(flatten)]
    run: RunArgs,
}

/// Loads, marks boilerplate and finds verified pairs, with progress.
pub(crate) fn find(
    input: &InputArgs,
    run: &RunArgs,
    inputs: &[PathBuf],
    cfg: &PipelineConfig,
    encoder: Option<&Encoder>,
    keep_fields: bool,
) -> Result<(whence::corpus::Loaded, pipeline::PairsOutcome)> {
    let mut loaded = input.load(inputs, "corpus", run, keep_fields)?;
    whence::corpus::mark_boilerplate(&mut loaded.docs, &cfg.compare);
    let bar = run.bar(loaded.docs.len() as u64, "sketching");
    let outcome = pipeline::pairs_with(
        &loaded.docs,
        cfg,
        &|stage, done, total| {
            bar.set_length(total);
            bar.set_position(done);
            bar.set_message(match stage {
                Stage::Sketch => "sketching",
                Stage::Candidates => "finding candidates",
                Stage::Verify => "verifying",
                Stage::Embed => "embedding sentences",
            });
        },
        encoder.map(|e| e as &dyn SentenceEncoder),
    )?;
    bar.finish_and_clear();
    Ok((loaded, outcome))
}

pub(crate) fn run(args: PairsArgs) -> Result<()> {
    let started = Instant::now();
    args.run.start();
    let others: Vec<&std::path::Path> = args.clusters.iter().map(PathBuf::as_path).collect();
    args.out.check(&others)?;
    let cfg = PipelineConfig {
        compare: args.align.config(Some(&args.semantic))?,
        cross_source: args.cross_source,
        reuse: RawReuseRules {
            min_reuse: args.min_reuse,
            templates: args.templates,
            ..RawReuseRules::default()
        }
        .validate()?,
        ..Default::default()
    };
    let encoder = args
        .semantic
        .encoder(!args.align.no_paraphrase, false, args.run.quiet)?;
    let (loaded, outcome) = find(
        &args.input,
        &args.run,
        &args.inputs,
        &cfg,
        encoder.as_ref(),
        false,
    )?;
    report_failures(encoder.as_ref());
    let docs = &loaded.docs;
    let mut out = args.out.create(&args.out.out, PAIR_COLUMNS)?;
    for p in outcome.pairs.iter().filter(|p| p.listed) {
        out.write(pair_row(docs, p, args.passages))?;
    }
    let written = out.finish()?;
    let clusters = pipeline::reuse_clusters(docs, &outcome.pairs, whence::cluster::Pick::Earliest);
    if let Some(path) = &args.clusters {
        let mut cw = args.out.create(path, CLUSTER_COLUMNS)?;
        for c in &clusters {
            cw.write(cluster_row(docs, c))?;
        }
        cw.finish()?;
    }
    let embedded = encoder
        .as_ref()
        .and_then(Encoder::model)
        .map_or(String::new(), |m| {
            let (_, hits, misses) = m.cache_stats();
            format!(", {misses} sentences embedded ({hits} cache hits)")
        });
    args.run.summary(format_args!(
        "whence pairs: {}; {} ({} from LSH), {}, {}{embedded}, {:.1} s",
        loaded.stats,
        count(
            outcome.candidates as u64,
            "candidate pair",
            "candidate pairs"
        ),
        outcome.lsh_pairs,
        count(written as u64, "reuse pair", "reuse pairs"),
        count(clusters.len() as u64, "cluster", "clusters"),
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}
