//! `whence trace DOC --in CORPUS`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use whence::ingest::{read_document, Input, ReadOptions};
use whence::pipeline::{self, PipelineConfig};
use whence::{CharIndex, RawConfig};

use crate::corpus_args::CorpusArgs;
use crate::semantic_args::{report_failures, SemanticArgs};
use whence::semantic::SentenceEncoder;

#[derive(Args, Debug)]
pub(crate) struct TraceArgs {
    /// The document to trace (text, HTML, or - for stdin).
    doc: PathBuf,
    /// Where to look for its sources: directories, files, JSONL, WARC….
    #[arg(long = "in", required = true, value_name = "CORPUS", num_args = 1..)]
    corpus_inputs: Vec<PathBuf>,
    /// Print the JSON contract instead of text.
    #[arg(long)]
    json: bool,
    /// Do not look for boilerplate.
    #[arg(long)]
    keep_boilerplate: bool,
    /// Skip the sentence-level paraphrase stage.
    #[arg(long)]
    no_paraphrase: bool,
    #[command(flatten)]
    semantic: SemanticArgs,
    #[command(flatten)]
    corpus: CorpusArgs,
}

pub(crate) fn run(args: TraceArgs) -> Result<()> {
    let mut raw = RawConfig {
        detect_boilerplate: !args.keep_boilerplate,
        ..Default::default()
    };
    raw.align.paraphrase = !args.no_paraphrase;
    raw.align.semantic_threshold = args.semantic.threshold();
    let cfg = PipelineConfig {
        compare: raw.validate()?,
        ..Default::default()
    };
    let (mut doc, warnings) = read_document(
        &Input::from_arg(&args.doc),
        &ReadOptions {
            lossy: args.corpus.lossy,
        },
    )?;
    for w in &warnings {
        eprintln!("whence: warning: {w}");
    }
    doc.boilerplate = whence::boilerplate_of(&doc, &cfg.compare);
    let mut loaded = args.corpus.load(&args.corpus_inputs, "corpus")?;
    whence::corpus::mark_boilerplate(&mut loaded.docs, &cfg.compare);
    let encoder = args
        .semantic
        .encoder(!args.no_paraphrase, true, args.corpus.quiet)?;
    let t = pipeline::trace_with(
        &doc,
        &loaded.docs,
        &cfg,
        encoder.as_ref().map(|e| e as &dyn SentenceEncoder),
    )
    .context("trace failed")?;
    report_failures(encoder.as_ref());
    let idx = CharIndex::new(&doc.text);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let v = whence::rows::trace_json(&doc, &loaded.docs, &t);
        serde_json::to_writer(&mut stdout, &v)?;
        writeln!(stdout)?;
    } else {
        writeln!(
            stdout,
            "{}: {} derived ({:.0}% reused, {:.0}% verbatim or edited) from {} source(s) among {} documents",
            doc.id,
            t.derivation.as_str(),
            t.reused * 100.0,
            t.reused_lexical * 100.0,
            t.sources.len(),
            loaded.docs.len()
        )?;
        for s in &t.sources {
            let src = &loaded.docs[s.doc as usize];
            let sum = &s.alignment.summary;
            writeln!(
                stdout,
                "\n  {}  {:.0}% of {} from it ({})",
                src.id,
                sum.a_reused * 100.0,
                doc.id,
                sum.relation.as_str()
            )?;
            for p in &s.alignment.passages {
                let (a0, a1) = idx.span_to_chars(p.a);
                let flat: String = doc.text[p.a.range()]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let short: String = flat.chars().take(100).collect();
                writeln!(
                    stdout,
                    "    {:<10} {a0}-{a1}  {short}{}",
                    p.kind.as_str(),
                    if flat.chars().count() > 100 {
                        " …"
                    } else {
                        ""
                    }
                )?;
            }
        }
        let chars: usize = t.novel.iter().map(|&s| idx.chars_in(s)).sum();
        writeln!(
            stdout,
            "\n  new in {}: {} span(s), {chars} chars",
            doc.id,
            t.novel.len()
        )?;
    }
    eprintln!("whence trace: {}", loaded.stats);
    Ok(())
}
