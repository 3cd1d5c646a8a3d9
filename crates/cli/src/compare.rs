//! `whence compare A B` and `whence compare --pairs FILE`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use whence::batch::{compare_batch, parse_pairs};
use whence::compare_with;
use whence::ingest::Input;
use whence::report::{compare_html, compare_json, compare_text};
use whence::semantic::SentenceEncoder;

use crate::args::{AlignArgs, InputArgs, RunArgs, ShowArgs};
use crate::notices::{count, UsageError};
use crate::semantic_args::{report_failures, SemanticArgs};

#[derive(Args, Debug)]
pub(crate) struct CompareArgs {
    /// First document: a text file (any encoding), an HTML page, a JSON, JSONL or
    /// WARC file holding one document, FILE#ID for one document of a JSONL, JSON
    /// or WARC file, or - for stdin.
    #[arg(required_unless_present = "pairs", conflicts_with = "pairs")]
    a: Option<PathBuf>,
    /// Second document, in any of the same forms.
    #[arg(required_unless_present = "pairs")]
    b: Option<PathBuf>,
    /// Compare many pairs in one process (on every core, the model loaded once):
    /// a file (or - for stdin) of `A<TAB>B` lines or {"a": A, "b": B} JSON lines.
    /// Prints one JSON object a line, in order: the --json contract plus "line"
    /// and "inputs", or {"line", "error"} for a pair that cannot be compared.
    #[arg(long, value_name = "FILE")]
    pairs: Option<PathBuf>,
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

pub(crate) fn run(args: CompareArgs) -> Result<()> {
    args.run.start();
    if let Some(pairs) = &args.pairs {
        return run_pairs(&args, pairs);
    }
    let (a, b) = (
        args.a.clone().unwrap_or_default(),
        args.b.clone().unwrap_or_default(),
    );
    if Input::from_arg(&a) == Input::Stdin && Input::from_arg(&b) == Input::Stdin {
        return Err(
            UsageError("only one of the two documents can be read from stdin (-)".into()).into(),
        );
    }
    args.show.check()?;
    let config = args.align.config(Some(&args.semantic))?;
    let da = args.input.read_one(&a, &args.run)?;
    let db = args.input.read_one(&b, &args.run)?;
    let encoder = args
        .semantic
        .encoder(!args.align.no_paraphrase, true, args.run.quiet)?;
    let cmp = compare_with(
        &da,
        &db,
        &config,
        encoder.as_ref().map(|e| e as &dyn SentenceEncoder),
    );
    report_failures(encoder.as_ref());
    args.show.write_html(|| compare_html(&cmp))?;
    let mut stdout = std::io::stdout().lock();
    if args.show.json {
        serde_json::to_writer(&mut stdout, &compare_json(&cmp))?;
        writeln!(stdout)?;
    } else {
        stdout.write_all(compare_text(&cmp, &args.show.text()).as_bytes())?;
        if let Some(path) = &args.show.html {
            writeln!(stdout, "\nHTML report written to {}", path.display())?;
        }
    }
    stdout.flush()?;
    Ok(())
}

fn run_pairs(args: &CompareArgs, pairs: &PathBuf) -> Result<()> {
    let started = Instant::now();
    if args.show.html.is_some() {
        return Err(UsageError(
            "--html writes one comparison; with --pairs every pair is a JSON line".into(),
        )
        .into());
    }
    let mut text = String::new();
    if Input::from_arg(pairs) == Input::Stdin {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(pairs).and_then(|mut f| f.read_to_string(&mut text))
    }
    .with_context(|| format!("{}: cannot read the pairs", Input::from_arg(pairs)))?;
    let jobs = parse_pairs(&text);
    let config = args.align.config(Some(&args.semantic))?;
    let read = args.input.options(&[PathBuf::from("-")], false)?;
    let encoder = args
        .semantic
        .encoder(!args.align.no_paraphrase, true, args.run.quiet)?;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let failed = compare_batch(
        &jobs,
        &read,
        &config,
        encoder.as_ref().map(|e| e as &dyn SentenceEncoder),
        |v| {
            serde_json::to_writer(&mut stdout, &v)?;
            writeln!(stdout)
        },
    )?;
    stdout.flush()?;
    report_failures(encoder.as_ref());
    args.run.summary(format_args!(
        "whence compare: {} from {}{}, {:.1} s",
        count(jobs.len() as u64, "pair", "pairs"),
        Input::from_arg(pairs),
        if failed > 0 {
            format!(", {failed} could not be compared (their lines say why)")
        } else {
            String::new()
        },
        started.elapsed().as_secs_f64()
    ));
    if failed > 0 {
        anyhow::bail!(
            "{} of {} could not be compared",
            count(failed as u64, "pair", "pairs"),
            jobs.len()
        );
    }
    Ok(())
}
