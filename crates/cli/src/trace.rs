//! `whence trace DOC --in CORPUS`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use whence::pipeline::{self, PipelineConfig, TraceOptions};
use whence::report::{trace_html, trace_json, trace_text};
use whence::semantic::SentenceEncoder;

use crate::args::{AlignArgs, InputArgs, RunArgs, ShowArgs};
use crate::semantic_args::{report_failures, SemanticArgs};

#[derive(Args, Debug)]
pub(crate) struct TraceArgs {
    /// The document to trace: a text file, an HTML page, FILE#ID, or - for stdin.
    doc: PathBuf,
    /// Where to look for its sources: directories, files, JSONL, WARC….
    #[arg(long = "in", required = true, value_name = "CORPUS", num_args = 1..)]
    corpus_inputs: Vec<PathBuf>,
    /// Keep corpus documents that are DOC itself (same id, text or file) as sources.
    #[arg(long)]
    include_self: bool,
    /// DOC's publication date, when DOC does not carry one (sources dated
    /// after it are flagged as later).
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    #[command(flatten)]
    show: ShowArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    align: AlignArgs,
    #[command(flatten)]
    semantic: SemanticArgs,
    #[command(flatten)]
    run: RunArgs,
}

pub(crate) fn run(args: TraceArgs) -> Result<()> {
    args.run.start();
    args.show.check()?;
    let cfg = PipelineConfig {
        compare: args.align.config(Some(&args.semantic))?,
        ..Default::default()
    };
    let mut doc = args.input.read_one(&args.doc, &args.run)?;
    if let Some(date) = &args.date {
        doc.meta.date = Some(date.clone());
    }
    if let Some(date) = doc.meta.date.as_deref() {
        whence::cluster::parse_timestamp(date)
            .with_context(|| format!("cannot read the date {date:?} of {}", doc.id))?;
    }
    doc.boilerplate = whence::boilerplate_of(&doc, &cfg.compare);
    let mut loaded = args
        .input
        .load(&args.corpus_inputs, "corpus", &args.run, false)?;
    if loaded.docs.is_empty() {
        anyhow::bail!(
            "the corpus holds no readable document ({}); nothing to trace against",
            loaded.stats
        );
    }
    // corpus documents read whole from DOC's own file
    let own = std::fs::canonicalize(&args.doc).ok();
    let same_file: Vec<u32> = loaded
        .origins
        .iter()
        .enumerate()
        .filter(|(_, (input, line))| {
            line.is_none() && own.is_some() && std::fs::canonicalize(input).ok() == own
        })
        .map(|(i, _)| i as u32)
        .collect();
    whence::corpus::mark_boilerplate(&mut loaded.docs, &cfg.compare);
    let encoder = args
        .semantic
        .encoder(!args.align.no_paraphrase, true, args.run.quiet)?;
    let options = TraceOptions {
        include_self: args.include_self,
        same_file,
    };
    let t = pipeline::trace_with_options(
        &doc,
        &loaded.docs,
        &cfg,
        encoder.as_ref().map(|e| e as &dyn SentenceEncoder),
        &options,
    )
    .context("trace failed")?;
    for &(i, why) in &t.left_out {
        eprintln!(
            "whence: note: left out {} as {} itself ({}); --include-self keeps it",
            loaded.docs[i as usize].id,
            doc.id,
            why.as_str()
        );
    }
    report_failures(encoder.as_ref());
    args.show
        .write_html(|| trace_html(&doc, &loaded.docs, &t))?;
    let mut stdout = std::io::stdout().lock();
    if args.show.json {
        serde_json::to_writer(&mut stdout, &trace_json(&doc, &loaded.docs, &t))?;
        writeln!(stdout)?;
    } else {
        let text = trace_text(&doc, &loaded.docs, &t, &args.show.text());
        stdout.write_all(text.as_bytes())?;
        if let Some(path) = &args.show.html {
            writeln!(stdout, "\nHTML report written to {}", path.display())?;
        }
    }
    stdout.flush()?;
    args.run
        .summary(format_args!("whence trace: {}", loaded.stats));
    Ok(())
}
