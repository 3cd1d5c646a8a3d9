//! `whence compare A B`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use whence::ingest::{read_document, Input, ReadOptions};
use whence::report::{compare_html, compare_json, compare_text, TextOptions};
use whence::semantic::SentenceEncoder;
use whence::{compare_with, RawConfig};

use crate::semantic_args::{report_failures, SemanticArgs};

use crate::ColorChoice;

#[derive(Args, Debug)]
pub(crate) struct CompareArgs {
    /// First document: a UTF-8 text file, an HTML page (.html/.htm, also .gz), a
    /// WARC or JSONL file holding one document, or - for text on stdin.
    a: PathBuf,
    /// Second document, in any of the same forms.
    b: PathBuf,
    /// Print the JSON contract (DESIGN.md §4) instead of text.
    #[arg(long)]
    json: bool,
    /// Also write a self-contained side-by-side HTML report to this file.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Replace invalid UTF-8 with U+FFFD (with a warning) instead of failing.
    #[arg(long)]
    lossy: bool,
    /// Print passages and new text whole instead of abbreviated.
    #[arg(long)]
    full: bool,
    /// Color the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Do not look for boilerplate (menus, calls to action, headline lists,
    /// copyright lines) inside the documents; by default it is found, reported and
    /// left out of matching and of the reused fractions.
    #[arg(long)]
    keep_boilerplate: bool,
    /// Skip the sentence-level paraphrase stage (lexical passages only).
    #[arg(long)]
    no_paraphrase: bool,
    /// Fewest matching words a lexical passage must hold.
    #[arg(long, value_name = "N", default_value_t = 8)]
    min_words: usize,
    /// Similarity (0-1) two sentences need to align as a paraphrase.
    #[arg(long, value_name = "X", default_value_t = 0.28)]
    paraphrase_threshold: f32,
    #[command(flatten)]
    semantic: SemanticArgs,
}

pub(crate) fn run(args: CompareArgs) -> Result<()> {
    let (ia, ib) = (Input::from_arg(&args.a), Input::from_arg(&args.b));
    if ia == Input::Stdin && ib == Input::Stdin {
        bail!("only one of the two documents can be read from stdin (-)");
    }
    let opts = ReadOptions { lossy: args.lossy };
    let mut raw = RawConfig::default();
    raw.align.paraphrase = !args.no_paraphrase;
    raw.detect_boilerplate = !args.keep_boilerplate;
    raw.align.min_passage_tokens = args.min_words;
    raw.align.paraphrase_threshold = args.paraphrase_threshold;
    raw.align.semantic_threshold = args.semantic.threshold();
    let config = raw.validate().context("invalid settings")?;
    let (a, wa) = read_document(&ia, &opts)?;
    let (b, wb) = read_document(&ib, &opts)?;
    for w in wa.iter().chain(&wb) {
        eprintln!("whence: warning: {w}");
    }
    let encoder = args.semantic.encoder(!args.no_paraphrase, true, false)?;
    let cmp = compare_with(
        &a,
        &b,
        &config,
        encoder.as_ref().map(|e| e as &dyn SentenceEncoder),
    );
    report_failures(encoder.as_ref());
    if let Some(path) = &args.html {
        std::fs::write(path, compare_html(&cmp))
            .with_context(|| format!("cannot write the HTML report to {}", path.display()))?;
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut stdout, &compare_json(&cmp))?;
        writeln!(stdout)?;
    } else {
        let color = args.color.enabled();
        stdout.write_all(
            compare_text(
                &cmp,
                &TextOptions {
                    color,
                    full: args.full,
                },
            )
            .as_bytes(),
        )?;
        if let Some(path) = &args.html {
            writeln!(stdout, "\nHTML report written to {}", path.display())?;
        }
    }
    Ok(())
}
