//! `whence trace DOC --in CORPUS`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::{json, Value};
use whence::ingest::{read_document, Input, ReadOptions};
use whence::pipeline::{self, PipelineConfig, TraceOptions};
use whence::{CharIndex, RawConfig, Span};

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
    /// Keep corpus documents that are DOC itself (same id, text or file) as sources.
    #[arg(long)]
    include_self: bool,
    /// DOC's publication date, when DOC does not carry one (sources dated
    /// after it are flagged as later).
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
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
    if let Some(date) = &args.date {
        doc.meta.date = Some(date.clone());
    }
    if let Some(date) = doc.meta.date.as_deref() {
        whence::cluster::parse_timestamp(date)
            .with_context(|| format!("cannot read the date {date:?} of {}", doc.id))?;
    }
    doc.boilerplate = whence::boilerplate_of(&doc, &cfg.compare);
    let mut loaded = args.corpus.load(&args.corpus_inputs, "corpus")?;
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
        .encoder(!args.no_paraphrase, true, args.corpus.quiet)?;
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
    let idx = CharIndex::new(&doc.text);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let sources: Vec<Value> = t
            .sources
            .iter()
            .map(|s| {
                let src = &loaded.docs[s.doc as usize];
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
                       "reused_lexical": s.reused_lexical,
                       "relation": s.alignment.summary.relation.as_str(), "later": s.later,
                       "passages": passages})
            })
            .collect();
        let v = json!({
            "doc": {"id": doc.id.as_str(), "chars": idx.len_chars(), "boilerplate": spans(&idx, &doc.boilerplate),
                    "date": t.time.map(|t| t.to_string())},
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
            loaded.docs.len()
        )?;
        for s in &t.sources {
            let src = &loaded.docs[s.doc as usize];
            let sum = &s.alignment.summary;
            writeln!(
                stdout,
                "\n  {}  {:.0}% of {} from it ({}){}",
                src.id,
                sum.a_reused * 100.0,
                doc.id,
                sum.relation.as_str(),
                if s.later {
                    "; dated after it, so not its source"
                } else {
                    ""
                }
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
