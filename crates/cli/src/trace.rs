//! `whence trace DOC --in CORPUS`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use whence::pipeline::{self, PipelineConfig};
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
    doc.boilerplate = whence::boilerplate_of(&doc, &cfg.compare);
    let mut loaded = args
        .input
        .load(&args.corpus_inputs, "corpus", &args.run, false)?;
    whence::corpus::mark_boilerplate(&mut loaded.docs, &cfg.compare);
    let encoder = args
        .semantic
        .encoder(!args.align.no_paraphrase, true, args.run.quiet)?;
    let t = pipeline::trace_with(
        &doc,
        &loaded.docs,
        &cfg,
        encoder.as_ref().map(|e| e as &dyn SentenceEncoder),
    )
    .context("trace failed")?;
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
