//! `whence pairs CORPUS…` and `whence dedup CORPUS…`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use whence::pipeline::{self, PipelineConfig, Stage};
use whence::table::{Cell, ColType, Schema, TableWriter};
use whence::{CharIndex, Document, Passage, RawConfig};

use whence::semantic::{Encoder, SentenceEncoder};

use crate::corpus_args::{doc_cells, CorpusArgs, OutFormat};
use crate::semantic_args::{report_failures, SemanticArgs, DEFAULT_SEMANTIC_THRESHOLD};

/// Settings shared by pairs and dedup.
#[derive(Args, Debug)]
pub(crate) struct EngineArgs {
    /// Do not look for boilerplate (per document and lines repeated across a site).
    #[arg(long)]
    keep_boilerplate: bool,
    /// Skip the sentence-level paraphrase stage when verifying pairs.
    #[arg(long)]
    pub(crate) no_paraphrase: bool,
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

impl EngineArgs {
    pub(crate) fn config(&self, semantic_threshold: f32) -> Result<PipelineConfig> {
        let mut raw = RawConfig {
            detect_boilerplate: !self.keep_boilerplate,
            ..Default::default()
        };
        raw.align.paraphrase = !self.no_paraphrase;
        raw.align.semantic_threshold = semantic_threshold;
        if let Some(n) = self.threads {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build_global()
                .ok();
        }
        Ok(PipelineConfig {
            compare: raw.validate()?,
            ..Default::default()
        })
    }
}

#[derive(Args, Debug)]
pub(crate) struct PairsArgs {
    /// Corpus inputs: directories (walked recursively), .txt, .jsonl(.gz/.zst),
    /// .html, .warc(.gz), or - for stdin.
    #[arg(required = true, value_name = "CORPUS")]
    inputs: Vec<PathBuf>,
    /// Where to write the pairs (- for stdout).
    #[arg(long, short, value_name = "FILE", default_value = "-")]
    out: PathBuf,
    /// Also write reuse clusters, one a line: {"cluster", "members", "representative"}.
    #[arg(long, value_name = "FILE")]
    clusters: Option<PathBuf>,
    /// Include each pair's passages ([start, end) character offsets, kind, score).
    #[arg(long)]
    passages: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Jsonl)]
    format: OutFormat,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    semantic: SemanticArgs,
    #[command(flatten)]
    corpus: CorpusArgs,
}

const PAIR_SCHEMA: Schema = &[
    ("a", ColType::Str),
    ("b", ColType::Str),
    ("relation", ColType::Str),
    ("a_reused", ColType::F64),
    ("b_reused", ColType::F64),
    ("passages", ColType::Json),
];

const CLUSTER_SCHEMA: Schema = &[
    ("cluster", ColType::I64),
    ("members", ColType::Json),
    ("representative", ColType::Str),
];

pub(crate) fn passages_json(a: &Document, b: &Document, passages: &[Passage]) -> Value {
    let (ia, ib) = (CharIndex::new(&a.text), CharIndex::new(&b.text));
    Value::Array(
        passages
            .iter()
            .map(|x| {
                let (a0, a1) = ia.span_to_chars(x.a);
                let (b0, b1) = ib.span_to_chars(x.b);
                json!({"a": [a0, a1], "b": [b0, b1], "kind": x.kind.as_str(),
                       "score": (f64::from(x.score) * 1000.0).round() / 1000.0})
            })
            .collect(),
    )
}

/// Loads, marks boilerplate and finds verified pairs, with progress.
fn find(
    corpus: &CorpusArgs,
    inputs: &[PathBuf],
    cfg: &PipelineConfig,
    encoder: Option<&Encoder>,
) -> Result<(whence::corpus::Loaded, pipeline::PairsOutcome)> {
    let mut loaded = corpus.load(inputs, "corpus")?;
    whence::corpus::mark_boilerplate(&mut loaded.docs, &cfg.compare);
    let bar = corpus.bar(loaded.docs.len() as u64, "sketching");
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

pub(crate) fn run_pairs(args: PairsArgs) -> Result<()> {
    let started = Instant::now();
    let cfg = args.engine.config(args.semantic.threshold())?;
    let encoder = args
        .semantic
        .encoder(!args.engine.no_paraphrase, false, args.corpus.quiet)?;
    let (loaded, outcome) = find(&args.corpus, &args.inputs, &cfg, encoder.as_ref())?;
    report_failures(encoder.as_ref());
    let docs = &loaded.docs;
    let mut out = TableWriter::create(&args.out, args.format.into(), PAIR_SCHEMA)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    for p in &outcome.pairs {
        let (a, b) = (&docs[p.a as usize], &docs[p.b as usize]);
        let s = &p.alignment.summary;
        out.write(vec![
            Cell::Str(a.id.to_string()),
            Cell::Str(b.id.to_string()),
            Cell::Str(s.relation.as_str().to_owned()),
            Cell::F64(s.a_reused),
            Cell::F64(s.b_reused),
            if args.passages {
                Cell::Json(passages_json(a, b, &p.alignment.passages))
            } else {
                Cell::Null
            },
        ])?;
    }
    let written = out.finish()?;
    let clusters = pipeline::reuse_clusters(docs, &outcome.pairs, whence::cluster::Pick::Earliest);
    if let Some(path) = &args.clusters {
        let mut cw = TableWriter::create(path, args.format.into(), CLUSTER_SCHEMA)
            .with_context(|| format!("cannot write {}", path.display()))?;
        for c in &clusters {
            let members: Vec<&str> = c
                .members
                .iter()
                .map(|&m| docs[m as usize].id.as_str())
                .collect();
            cw.write(vec![
                Cell::I64(i64::from(c.id.0)),
                Cell::Json(json!(members)),
                Cell::Str(docs[c.representative as usize].id.to_string()),
            ])?;
        }
        cw.finish()?;
    }
    let embedded = encoder.as_ref().map_or(String::new(), |e| {
        let (_, hits, misses) = e.model().cache_stats();
        format!(", {misses} sentences embedded ({hits} cache hits)")
    });
    eprintln!(
        "whence pairs: {}; {} candidate pairs ({} from LSH), {written} reuse pairs, {} clusters{embedded}, {:.1} s",
        loaded.stats,
        outcome.candidates,
        outcome.lsh_pairs,
        clusters.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

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
    /// Where to write the kept documents (- for stdout).
    #[arg(long, short, value_name = "FILE", default_value = "-")]
    out: PathBuf,
    /// Write the removed documents' ids, the id kept instead and why.
    #[arg(long, value_name = "FILE")]
    removed: Option<PathBuf>,
    /// Which document of each near-duplicate cluster to keep.
    #[arg(long, value_enum, default_value_t = Keep::Earliest)]
    keep: Keep,
    /// Remove boilerplate (site chrome, calls to action) from the kept texts.
    #[arg(long)]
    drop_boilerplate: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Jsonl)]
    format: OutFormat,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    corpus: CorpusArgs,
}

const DOC_SCHEMA: Schema = &[
    ("id", ColType::Str),
    ("text", ColType::Str),
    ("title", ColType::OptStr),
    ("date", ColType::OptStr),
    ("site", ColType::OptStr),
    ("url", ColType::OptStr),
];

const REMOVED_SCHEMA: Schema = &[
    ("id", ColType::Str),
    ("kept", ColType::Str),
    ("reason", ColType::Str),
    ("cluster", ColType::I64),
    ("cluster_size", ColType::I64),
];

pub(crate) fn run_dedup(args: DedupArgs) -> Result<()> {
    let started = Instant::now();
    let cfg = args.engine.config(DEFAULT_SEMANTIC_THRESHOLD)?;
    let (loaded, outcome) = find(&args.corpus, &args.inputs, &cfg, None)?;
    let docs = &loaded.docs;
    let pick = match args.keep {
        Keep::Earliest => whence::cluster::Pick::Earliest,
        Keep::Longest => whence::cluster::Pick::Longest,
        Keep::First => whence::cluster::Pick::First,
    };
    let dedup = pipeline::dedup(docs, &outcome.pairs, pick);
    let mut out = TableWriter::create(&args.out, args.format.into(), DOC_SCHEMA)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    for (i, d) in docs.iter().enumerate() {
        if !dedup.is_kept(i as u32) {
            continue;
        }
        let text = if args.drop_boilerplate {
            pipeline::without_boilerplate(d)
        } else {
            d.text.clone()
        };
        out.write(doc_cells(d, text))?;
    }
    let kept = out.finish()?;
    let removed = dedup.removed.len();
    if let Some(path) = &args.removed {
        let mut rw = TableWriter::create(path, args.format.into(), REMOVED_SCHEMA)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let policy = match args.keep {
            Keep::Earliest => "earliest",
            Keep::Longest => "longest",
            Keep::First => "first seen",
        };
        for r in &dedup.removed {
            let c = &dedup.clusters[r.cluster];
            let kept = &docs[r.kept as usize].id;
            rw.write(vec![
                Cell::Str(docs[r.doc as usize].id.to_string()),
                Cell::Str(kept.to_string()),
                Cell::Str(format!(
                    "near-duplicate of {kept} ({} documents in the cluster; kept the {policy})",
                    c.members.len()
                )),
                Cell::I64(r.cluster as i64),
                Cell::I64(c.members.len() as i64),
            ])?;
        }
        rw.finish()?;
    }
    eprintln!(
        "whence dedup: {}; {} near-duplicate clusters; kept {kept}, removed {removed} documents, {:.1} s",
        loaded.stats,
        dedup.clusters.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
