//! `whence extract INPUT…`: the cleaning step on its own.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use whence::report::rows::{document_columns, document_object};
use whence::RawConfig;

use crate::args::{BoilerplateArgs, InputArgs, OutArgs, RunArgs};
use crate::notices::count;

#[derive(Args, Debug)]
pub(crate) struct ExtractArgs {
    /// Inputs: HTML pages (.html/.htm), WARC archives (.warc, .warc.gz), text files,
    /// JSON, JSONL (.gz, .zst), directories (walked recursively), or - for stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    boilerplate: BoilerplateArgs,
    #[command(flatten)]
    out: OutArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    run: RunArgs,
}

pub(crate) fn run(args: ExtractArgs) -> Result<()> {
    let started = Instant::now();
    args.run.start();
    args.out.check(&[])?;
    let mut loaded = args.input.load(&args.inputs, "inputs", &args.run, true)?;
    let config = RawConfig {
        detect_boilerplate: !args.boilerplate.keep_boilerplate,
        ..Default::default()
    }
    .validate()?;
    whence::corpus::mark_boilerplate(&mut loaded.docs, &config);
    let keys = args.input.doc_keys();
    let objects: Vec<_> = loaded
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            document_object(
                d,
                loaded.fields.get(i).and_then(|f| f.as_deref()),
                keys,
                None,
            )
        })
        .collect();
    let mut out = args
        .out
        .create(&args.out.out, &document_columns(&objects, keys))?;
    for obj in objects {
        out.write_object(obj)?;
    }
    let written = out.finish()?;
    args.run.summary(format_args!(
        "whence extract: {}; wrote {} to {} in {:.1} s",
        loaded.stats,
        count(written as u64, "document", "documents"),
        args.out.out.display(),
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}
