//! `whence index build|add|query|pairs|clusters|get|remove|stats|check`: the persistent
//! reuse index (pipeline logic in `whence::index`).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use whence::index::{AddKind, Index, Seq};
use whence::pipeline::{PipelineConfig, Stage};
use whence::report::rows::{
    cluster_row_by, indexed_doc_json, pair_json, trace_json, CLUSTER_COLUMNS,
};
use whence::report::{trace_text, TextOptions};
use whence::semantic::SentenceEncoder;
use whence::Document;

use crate::args::{AlignArgs, InputArgs, OutArgs, RunArgs};
use crate::semantic_args::{report_failures, SemanticArgs};

#[derive(Args, Debug)]
pub(crate) struct IndexArgs {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Subcommand, Debug)]
enum IndexCommand {
    /// Index a corpus and record every reuse pair among its documents (the
    /// pairs `whence pairs` finds).
    Build(BuildArgs),
    /// Add documents; each is matched against everything indexed, and its reuse
    /// pairs are written (same lines as `pairs --passages`) once committed.
    Add(AddArgs),
    /// A document's sources in the index, printed as `whence trace` prints them.
    Query(QueryArgs),
    /// Write the recorded pairs (same lines as `pairs --passages`).
    Pairs(PairsOutArgs),
    /// Write the reuse clusters of the recorded pairs (same rows as
    /// `pairs --clusters`).
    Clusters(ClustersArgs),
    /// Print one indexed document as a JSON line (text byte-identical).
    Get(GetArgs),
    /// Remove documents (and their pairs) by id.
    Remove(RemoveArgs),
    /// Documents, pairs, size on disk, format version.
    Stats(StatsArgs),
    /// Check the index's consistency.
    Check(CheckArgs),
}

#[derive(Args, Debug)]
struct At {
    /// The index directory.
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
}

#[derive(Args, Debug)]
struct BuildArgs {
    /// Corpus inputs (everything `pairs` reads).
    #[arg(required = true, value_name = "CORPUS")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    at: At,
    /// Replace an existing index.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    align: AlignArgs,
    #[command(flatten)]
    semantic: SemanticArgs,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Args, Debug)]
struct AddArgs {
    /// Corpus inputs with the new documents.
    #[arg(required = true, value_name = "CORPUS")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    at: At,
    /// Where to write the new pairs (- for stdout).
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Documents per commit (a document is acknowledged once committed).
    #[arg(long, value_name = "N", default_value_t = 256)]
    batch: usize,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    align: AlignArgs,
    #[command(flatten)]
    semantic: SemanticArgs,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Args, Debug)]
struct QueryArgs {
    /// The document (text, HTML, or - for stdin); it need not be in the index.
    doc: PathBuf,
    #[command(flatten)]
    at: At,
    /// Print the JSON contract of `trace` instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    align: AlignArgs,
    #[command(flatten)]
    semantic: SemanticArgs,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Args, Debug)]
struct PairsOutArgs {
    #[command(flatten)]
    at: At,
    /// Where to write the pairs (- for stdout).
    #[arg(long, short, value_name = "FILE", default_value = "-")]
    out: PathBuf,
    /// Only pairs recorded after the pair with this id (ids grow with time;
    /// `stats` gives the last one).
    #[arg(long, value_name = "N")]
    after_id: Option<u64>,
    /// Only pairs recorded at or after this time: RFC 3339
    /// (2026-12-03T14:00:00Z, 2026-12-03T15:00:00+01:00) or a day (2026-12-03,
    /// from midnight UTC); a time without a zone is UTC.
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    since: Option<i64>,
    /// Leave out the passages.
    #[arg(long)]
    no_passages: bool,
}

#[derive(Args, Debug)]
struct ClustersArgs {
    #[command(flatten)]
    at: At,
    #[command(flatten)]
    out: OutArgs,
}

/// `--since`: a date as [`whence::cluster::parse_timestamp`] reads it, to Unix
/// seconds.
fn parse_since(s: &str) -> Result<i64, String> {
    whence::cluster::parse_timestamp(s)
        .map(whence::cluster::Timestamp::unix_seconds)
        .map_err(|e| format!("{e}: give a date as 2026-12-03 or 2026-12-03T14:00:00Z"))
}

#[derive(Args, Debug)]
struct GetArgs {
    /// Document ids.
    #[arg(required = true)]
    ids: Vec<String>,
    #[command(flatten)]
    at: At,
}

#[derive(Args, Debug)]
struct RemoveArgs {
    /// Document ids.
    #[arg(required = true)]
    ids: Vec<String>,
    #[command(flatten)]
    at: At,
    #[command(flatten)]
    align: AlignArgs,
}

#[derive(Args, Debug)]
struct StatsArgs {
    #[command(flatten)]
    at: At,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    at: At,
    /// Also decode every document and pair, and run SQLite's full integrity check.
    #[arg(long)]
    full: bool,
}

pub(crate) fn run(args: IndexArgs) -> Result<()> {
    match args.command {
        IndexCommand::Build(a) => build(a),
        IndexCommand::Add(a) => add(a),
        IndexCommand::Query(a) => query(a),
        IndexCommand::Pairs(a) => pairs(a),
        IndexCommand::Clusters(a) => clusters(a),
        IndexCommand::Get(a) => get(a),
        IndexCommand::Remove(a) => remove(a),
        IndexCommand::Stats(a) => stats(a),
        IndexCommand::Check(a) => check(a),
    }
}

fn pipeline_config(align: &AlignArgs, semantic: Option<&SemanticArgs>) -> Result<PipelineConfig> {
    Ok(PipelineConfig {
        compare: align.config(semantic)?,
        ..Default::default()
    })
}

fn open_index(at: &At, cfg: &PipelineConfig) -> Result<Index> {
    Index::open(&at.index, cfg).with_context(|| format!("cannot open {}", at.index.display()))
}

fn open_store(at: &At) -> Result<whence::index::Store> {
    whence::index::Store::open_read_only(&at.index)
        .with_context(|| format!("cannot open {}", at.index.display()))
}

fn build(args: BuildArgs) -> Result<()> {
    let started = Instant::now();
    args.run.start();
    let cfg = pipeline_config(&args.align, Some(&args.semantic))?;
    let encoder = args
        .semantic
        .encoder(!args.align.no_paraphrase, false, args.run.quiet)?;
    let mut loaded = args.input.load(&args.inputs, "corpus", &args.run, false)?;
    let bar = args.run.bar(loaded.docs.len() as u64, "sketching");
    let (index, out) = Index::build(
        &args.at.index,
        &mut loaded.docs,
        &cfg,
        args.force,
        encoder.as_ref().map(|e| e as &dyn SentenceEncoder),
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
    )
    .with_context(|| format!("cannot build the index in {}", args.at.index.display()))?;
    bar.finish_and_clear();
    report_failures(encoder.as_ref());
    args.run.summary(format_args!(
        "whence index build: {}; {} candidate pairs ({} from LSH), {} reuse pairs recorded in {} ({:.1} MB on disk), {:.1} s",
        loaded.stats,
        out.candidates,
        out.lsh_pairs,
        out.pairs,
        args.at.index.display(),
        index.store().size_on_disk() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

fn add(args: AddArgs) -> Result<()> {
    let started = Instant::now();
    args.run.start();
    let cfg = pipeline_config(&args.align, Some(&args.semantic))?;
    let index = open_index(&args.at, &cfg)?;
    let encoder = args
        .semantic
        .encoder(!args.align.no_paraphrase, false, args.run.quiet)?;
    let loaded = args
        .input
        .load(&args.inputs, "new documents", &args.run, false)?;
    let mut out: Option<Box<dyn Write>> = match &args.out {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(Box::new(std::io::stdout())),
        Some(p) => Some(Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        ))),
    };
    let bar = args.run.bar(loaded.docs.len() as u64, "adding");
    let mut done = 0u64;
    let outcome = index.add(
        loaded.docs,
        args.batch,
        encoder.as_ref().map(|e| e as &dyn SentenceEncoder),
        &mut |batch| {
            for a in batch {
                if a.kind == AddKind::Updated {
                    eprintln!(
                        "whence: updated: {} (new text replaces the indexed one)",
                        a.id
                    );
                }
                if let Some(w) = out.as_mut() {
                    for p in &a.pairs {
                        let line = pair_json(&p.a, &p.b, &p.summary, Some(&p.passages));
                        writeln!(w, "{line}").map_err(io_err)?;
                    }
                }
            }
            if let Some(w) = out.as_mut() {
                w.flush().map_err(io_err)?;
            }
            done += batch.len() as u64;
            bar.set_position(done);
            if let Some(last) = batch.last() {
                // the acknowledgement: every document up to this one is committed
                eprintln!("whence index add: committed {done} (last {})", last.id);
            }
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    report_failures(encoder.as_ref());
    args.run.summary(format_args!(
        "whence index add: {}; {} added, {} updated, {} unchanged, {} new reuse pairs, {} commits, {:.1} s",
        loaded.stats,
        outcome.added,
        outcome.updated,
        outcome.unchanged,
        outcome.pairs,
        outcome.commits,
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

fn io_err(e: std::io::Error) -> whence::index::IndexError {
    whence::index::IndexError::Store(whence::index::StoreError::Io {
        what: "cannot write the new pairs",
        path: PathBuf::from("-"),
        source: e,
    })
}

fn query(args: QueryArgs) -> Result<()> {
    args.run.start();
    let cfg = pipeline_config(&args.align, Some(&args.semantic))?;
    let index = open_index(&args.at, &cfg)?;
    let mut doc = args.input.read_one(&args.doc, &args.run)?;
    let encoder = args
        .semantic
        .encoder(!args.align.no_paraphrase, true, args.run.quiet)?;
    let found = whence::index_views::query(
        &index,
        &mut doc,
        encoder.as_ref().map(|e| e as &dyn SentenceEncoder),
    )
    .context("query failed")?;
    report_failures(encoder.as_ref());
    let t = found.trace;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut stdout, &trace_json(&doc, &found.sources, &t))?;
        writeln!(stdout)?;
    } else {
        let text = trace_text(
            &doc,
            &found.sources,
            &t,
            &TextOptions {
                color: false,
                full: false,
            },
        );
        stdout.write_all(text.as_bytes())?;
    }
    stdout.flush()?;
    args.run.summary(format_args!(
        "whence index query: {} documents in the index",
        found.indexed
    ));
    Ok(())
}

fn pairs(args: PairsOutArgs) -> Result<()> {
    let store = open_store(&args.at)?;
    let r = store.read()?;
    let mut w: Box<dyn Write> = if args.out.as_os_str() == "-" {
        Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(&args.out)
                .with_context(|| format!("cannot write {}", args.out.display()))?,
        ))
    };
    let mut n = 0u64;
    let mut failed = None;
    r.for_each_pair(args.after_id, args.since, false, |p| {
        let (a, b) = (doc_of(&r, p.a)?, doc_of(&r, p.b)?);
        let passages = (!args.no_passages).then_some(p.passages.as_slice());
        if let Err(e) = writeln!(w, "{}", pair_json(&a, &b, &p.summary, passages)) {
            failed.get_or_insert(e);
        }
        n += 1;
        Ok(())
    })?;
    if let Some(e) = failed {
        return Err(e).context("cannot write the pairs");
    }
    w.flush()?;
    eprintln!("whence index pairs: {n} pairs");
    Ok(())
}

fn clusters(args: ClustersArgs) -> Result<()> {
    args.out.check(&[])?;
    let store = open_store(&args.at)?;
    let r = store.read()?;
    let found = whence::index::clusters(&r, whence::cluster::Pick::Earliest)?;
    let mut w = args.out.create(&args.out.out, CLUSTER_COLUMNS)?;
    for c in &found.clusters {
        w.write(cluster_row_by(c, |m| found.ids[m as usize].as_str()))?;
    }
    w.finish()?;
    eprintln!(
        "whence index clusters: {} clusters over {} documents",
        found.clusters.len(),
        found.ids.len()
    );
    Ok(())
}

fn doc_of(r: &whence::index::View, s: Seq) -> Result<Document, whence::index::StoreError> {
    r.doc(s)?.map(|d| d.doc).ok_or_else(|| {
        whence::index::StoreError::Corrupt(format!("pair of missing document {}", s.0))
    })
}

fn get(args: GetArgs) -> Result<()> {
    let store = open_store(&args.at)?;
    let r = store.read()?;
    let mut stdout = std::io::stdout().lock();
    let mut missing = 0;
    for id in &args.ids {
        match r.doc_by_id(id)? {
            Some(d) => {
                let v = indexed_doc_json(&d.doc);
                writeln!(stdout, "{v}")?;
            }
            None => {
                eprintln!("whence: not in the index: {id}");
                missing += 1;
            }
        }
    }
    if missing > 0 {
        bail!("{missing} id(s) not in the index");
    }
    Ok(())
}

fn remove(args: RemoveArgs) -> Result<()> {
    let index = open_index(&args.at, &pipeline_config(&args.align, None)?)?;
    let (pairs, unknown) = index.remove(&args.ids)?;
    for id in &unknown {
        eprintln!("whence: not in the index: {id}");
    }
    eprintln!(
        "whence index remove: {} removed, {pairs} pairs removed, {} unknown",
        args.ids.len() - unknown.len(),
        unknown.len()
    );
    Ok(())
}

fn stats(args: StatsArgs) -> Result<()> {
    let store = open_store(&args.at)?;
    let r = store.read()?;
    let s = r.stats()?;
    let size = store.size_on_disk();
    let last_pair = r.last_pair_id()?;
    drop(r);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let v = whence::index_views::stats_json(&store)?;
        writeln!(stdout, "{v}")?;
    } else {
        writeln!(
            stdout,
            "{}: whence index format {}\n  {} documents, {} reuse pairs (last id {last_pair}), {} sites\n  {} postings, {} frequent fingerprints, {} band entries, {} line counts in {} generation(s)\n  {:.1} MB on disk, {} commits",
            args.at.index.display(),
            whence::index::FORMAT_VERSION,
            s.docs,
            s.pairs,
            s.sites,
            s.postings,
            s.frequent_hashes,
            s.band_entries,
            s.line_entries,
            s.generations,
            size as f64 / 1e6,
            s.commits
        )?;
    }
    Ok(())
}

fn check(args: CheckArgs) -> Result<()> {
    let store = open_store(&args.at)?;
    let report = store.read()?.check(args.full)?;
    for p in &report.problems {
        eprintln!("whence: index check: {}: {}", p.check, p.detail);
    }
    if !report.is_ok() {
        bail!(
            "the index at {} failed {} of {} checks",
            args.at.index.display(),
            report.problems.len(),
            report.checks
        );
    }
    eprintln!(
        "whence index check: {} checks passed{}",
        report.checks,
        if args.full {
            format!(", {} documents decoded", report.texts_read)
        } else {
            String::new()
        }
    );
    Ok(())
}
