//! `whence trace DOC --in CORPUS`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::{json, Value};
use whence::ingest::{read_document, Input, ReadOptions};
use whence::pipeline::{self, PipelineConfig};
use whence::pipeline::Trace;
use whence::{CharIndex, Document, RawConfig, Span};

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

fn spans(idx: &CharIndex, s: &[Span]) -> Value {
    Value::Array(
        s.iter()
            .map(|&x| {
                let (a, b) = idx.span_to_chars(x);
                json!([a, b])
            })
            .collect(),
    )
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
    print_trace(
        &doc,
        &t,
        |i| &loaded.docs[t.sources[i].doc as usize],
        loaded.docs.len() as u64,
        args.json,
    )?;
    eprintln!("whence trace: {}", loaded.stats);
    Ok(())
}

/// Prints a trace as `whence trace` does (text, or the JSON contract with
/// `json`); `source(i)` is the document of `t.sources[i]`, `among` the number of
/// documents searched.
pub(crate) fn print_trace<'d>(
    doc: &Document,
    t: &Trace,
    source: impl Fn(usize) -> &'d Document,
    among: u64,
    json: bool,
) -> Result<()> {
    let idx = CharIndex::new(&doc.text);
    let mut stdout = std::io::stdout().lock();
    if json {
        let sources: Vec<Value> = t
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let src = source(i);
                let is = CharIndex::new(&src.text);
                let passages: Vec<Value> = s
                    .alignment
                    .passages
                    .iter()
                    .map(|p| {
                        let (a0, a1) = idx.span_to_chars(p.a);
                        let (b0, b1) = is.span_to_chars(p.b);
                        json!({"a": [a0, a1], "b": [b0, b1], "kind": p.kind.as_str(),
                               "score": (f64::from(p.score) * 1000.0).round() / 1000.0})
                    })
                    .collect();
                json!({"id": src.id.as_str(), "reused": s.alignment.summary.a_reused,
                       "relation": s.alignment.summary.relation.as_str(), "passages": passages})
            })
            .collect();
        let v = json!({
            "doc": {"id": doc.id.as_str(), "chars": idx.len_chars(), "boilerplate": spans(&idx, &doc.boilerplate)},
            "derivation": t.derivation.as_str(),
            "reused": t.reused,
            "reused_lexical": t.reused_lexical,
            "sources": sources,
            "novel": spans(&idx, &t.novel),
        });
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
            among
        )?;
        for (i, s) in t.sources.iter().enumerate() {
            let src = source(i);
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
    Ok(())
}
