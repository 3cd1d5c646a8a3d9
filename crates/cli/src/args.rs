//! The option groups every subcommand shares, declared once and flattened where
//! they apply (`#[command(flatten)]`): how to read inputs ([`InputArgs`]), where
//! and how to write tables ([`OutArgs`]), the aligner's settings ([`AlignArgs`],
//! with [`BoilerplateArgs`]), how to show one result ([`ShowArgs`]), and how to run
//! ([`RunArgs`]: threads, progress, verbosity). The semantic layer's flags are
//! [`crate::semantic_args::SemanticArgs`].
//!
//! A new subcommand flattens the groups it needs and calls their methods instead
//! of declaring flags of its own:
//!
//! ```text
//! #[derive(Args)]
//! struct IndexArgs {
//!     inputs: Vec<PathBuf>,
//!     #[command(flatten)] input: InputArgs,   // --id-field, --encoding, --strict, …
//!     #[command(flatten)] align: AlignArgs,   // --min-words, --keep-boilerplate, …
//!     #[command(flatten)] out: OutArgs,       // --out, --format
//!     #[command(flatten)] run: RunArgs,       // --threads, --quiet, --verbose
//! }
//! // run: args.run.start()?; args.out.check(&[])?;
//! //      let loaded = args.input.load(&args.inputs, "corpus", &args.run, false)?;
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::builder::TypedValueParser;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use whence::corpus::Loaded;
use whence::ingest::{read_document, CorpusOptions, CorpusSpec, Input, ReadStats};
use whence::table::{check_writable, ColType, Format, TableWriter};
use whence::{Document, RawConfig};

use crate::notices::{count, Notices, UsageError};
use crate::semantic_args::SemanticArgs;

/// A value in [0, 1] (thresholds), refused by the parser otherwise (exit 2).
pub(crate) fn unit_interval(s: &str) -> Result<f32, String> {
    let x: f32 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{x} is out of range: give a value from 0 to 1"))
    }
}

/// What stdin holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum StdinFormat {
    /// Recognized from the first bytes: `{` JSON lines, `[` a JSON array, `<`
    /// HTML, `WARC/` a web archive, anything else one text.
    Auto,
    Jsonl,
    Json,
    Text,
    Html,
    Warc,
}

/// How to read documents.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Input")]
pub(crate) struct InputArgs {
    /// JSON field holding the document id; a dotted path reaches into nested
    /// objects (meta.id) [default: id].
    #[arg(long, value_name = "NAME")]
    pub id_field: Option<String>,
    /// JSON field holding the text [default: text].
    #[arg(long, value_name = "NAME")]
    pub text_field: Option<String>,
    /// JSON field holding the publication date [default: date].
    #[arg(long, value_name = "NAME")]
    pub date_field: Option<String>,
    /// JSON field holding the source or site [default: source, then site].
    #[arg(long, value_name = "NAME")]
    pub source_field: Option<String>,
    /// Read text, JSON and stdin in this encoding (windows-1252, latin1,
    /// utf-16le, shift_jis, …) instead of recognizing it from the bytes.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Replace bytes that no encoding explains with U+FFFD (with a warning)
    /// instead of skipping the document.
    #[arg(long)]
    pub lossy: bool,
    /// Skip documents larger than this many MB (reported, never truncated).
    #[arg(long, value_name = "MB", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_doc_mb: u64,
    /// What stdin (-) holds.
    #[arg(long, value_enum, default_value_t = StdinFormat::Auto)]
    pub stdin_format: StdinFormat,
    /// Fail (exit 1, before writing anything) when any input document was skipped.
    #[arg(long)]
    pub strict: bool,
}

impl InputArgs {
    /// The validated reading options for `inputs`; `keep_fields`: keep every
    /// JSON field for outputs that pass them through.
    pub fn options(&self, inputs: &[PathBuf], keep_fields: bool) -> Result<CorpusOptions> {
        let stdin = match self.stdin_format {
            StdinFormat::Auto => "auto",
            StdinFormat::Jsonl => "jsonl",
            StdinFormat::Json => "json",
            StdinFormat::Text => "text",
            StdinFormat::Html => "html",
            StdinFormat::Warc => "warc",
        };
        let spec = CorpusSpec {
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            date_field: self.date_field.clone(),
            source_field: self.source_field.clone(),
            lossy: self.lossy,
            encoding: self.encoding.clone(),
            max_doc_bytes: Some(self.max_doc_mb.saturating_mul(1 << 20)),
            stdin_format: Some(stdin.to_owned()),
            keep_fields,
            ..CorpusSpec::with_inputs(inputs.iter().cloned())
        };
        Ok(spec.validate()?)
    }

    /// The field names output documents are written back under.
    pub fn doc_keys(&self) -> whence::report::rows::DocKeys<'_> {
        whence::report::rows::DocKeys {
            id: self.id_field.as_deref().unwrap_or("id"),
            text: self.text_field.as_deref().unwrap_or("text"),
        }
    }

    /// Reads one document (`compare`, `trace`), telling its warnings.
    pub fn read_one(&self, arg: &Path, run: &RunArgs) -> Result<Document> {
        let opts = self.options(&[arg.to_path_buf()], false)?;
        let (doc, warnings) = read_document(&Input::from_arg(arg), &opts)?;
        let mut notices = run.notices();
        for w in &warnings {
            notices.warning(w);
        }
        notices.finish();
        Ok(doc)
    }

    /// Reads a corpus with a progress spinner; tells skips and warnings
    /// (summarized past a few of each kind); with --strict, any skip is an error.
    pub fn load(
        &self,
        inputs: &[PathBuf],
        what: &str,
        run: &RunArgs,
        keep_fields: bool,
    ) -> Result<Loaded> {
        let options = self.options(inputs, keep_fields)?;
        let bar = run.spinner(&format!("reading {what}"));
        let loaded = whence::corpus::load(&options, |stats: &ReadStats| {
            bar.set_message(format!(
                "reading {what}: {}, {:.1} MB",
                count(stats.documents, "document", "documents"),
                stats.bytes_decoded as f64 / 1e6
            ));
        })?;
        bar.finish_and_clear();
        let mut notices = run.notices();
        for skip in &loaded.skips {
            notices.skip(skip);
        }
        for w in &loaded.warnings {
            notices.warning(w);
        }
        notices.finish();
        if self.strict && !loaded.skips.is_empty() {
            anyhow::bail!(
                "{} skipped and --strict was given; nothing written",
                count(
                    loaded.skips.len() as u64,
                    "input document was",
                    "input documents were"
                )
            );
        }
        Ok(loaded)
    }
}

/// Output formats of the corpus commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutFormat {
    Jsonl,
    Parquet,
}

/// Where and how to write a table.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Output")]
pub(crate) struct OutArgs {
    /// Where to write (- for stdout).
    #[arg(long, short, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,
    /// Output format of every table written [default: from each file's
    /// extension: .parquet/.pq Parquet (nested columns), else JSON Lines].
    #[arg(long, value_enum)]
    pub format: Option<OutFormat>,
}

impl OutArgs {
    /// The format for `path`: --format, else the file's extension.
    pub fn format_for(&self, path: &Path) -> Format {
        match self.format {
            Some(OutFormat::Jsonl) => Format::Jsonl,
            Some(OutFormat::Parquet) => Format::Parquet,
            None => Format::for_path(path),
        }
    }

    /// Checks --out and the command's other outputs before any work: each can
    /// be written, and at most one is stdout.
    pub fn check(&self, others: &[&Path]) -> Result<()> {
        let all: Vec<&Path> = std::iter::once(self.out.as_path())
            .chain(others.iter().copied())
            .collect();
        if all.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
            return Err(UsageError(
                "only one output can go to stdout (-); name files for the others".into(),
            )
            .into());
        }
        for p in all {
            check_writable(p, self.format_for(p)).map_err(|e| match e {
                whence::table::TableError::ParquetToStdout => UsageError(e.to_string()).into(),
                e => anyhow::Error::from(e),
            })?;
        }
        Ok(())
    }

    /// A table writer for `path` (--out or another output of the command).
    pub fn create<S: AsRef<str>>(
        &self,
        path: &Path,
        columns: &[(S, ColType)],
    ) -> Result<TableWriter> {
        Ok(TableWriter::create(path, self.format_for(path), columns)?)
    }
}

/// Boilerplate detection.
#[derive(Args, Debug, Clone)]
pub(crate) struct BoilerplateArgs {
    /// Do not look for boilerplate (menus, calls to action, headline lists,
    /// copyright lines, lines repeated across a site); by default it is found,
    /// reported and left out of matching and of the reused fractions.
    #[arg(long)]
    pub keep_boilerplate: bool,
}

/// The aligner's settings.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Alignment")]
pub(crate) struct AlignArgs {
    #[command(flatten)]
    pub boilerplate: BoilerplateArgs,
    /// Skip the sentence-level paraphrase stages (lexical passages only).
    #[arg(long)]
    pub no_paraphrase: bool,
    /// Fewest matching words a lexical passage must hold.
    #[arg(long, value_name = "N", default_value_t = RawConfig::default().align.min_passage_tokens,
          value_parser = clap::value_parser!(u64).range(1..).map(|n| n as usize))]
    pub min_words: usize,
    /// Similarity (0-1) two sentences need to align as a content-word paraphrase.
    #[arg(long, value_name = "X", default_value_t = RawConfig::default().align.paraphrase_threshold,
          value_parser = unit_interval)]
    pub paraphrase_threshold: f32,
}

impl AlignArgs {
    /// The engine settings these flags (and the semantic layer's) describe.
    pub fn raw(&self, semantic: Option<&SemanticArgs>) -> RawConfig {
        let mut raw = RawConfig {
            detect_boilerplate: !self.boilerplate.keep_boilerplate,
            ..RawConfig::default()
        };
        raw.align.paraphrase = !self.no_paraphrase;
        raw.align.min_passage_tokens = self.min_words;
        raw.align.paraphrase_threshold = self.paraphrase_threshold;
        if let Some(s) = semantic {
            raw.align.semantic_threshold = s.threshold();
        }
        raw
    }

    /// Validated settings.
    pub fn config(&self, semantic: Option<&SemanticArgs>) -> Result<whence::Config> {
        Ok(self.raw(semantic).validate()?)
    }
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
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::IsTerminal::is_terminal(&std::io::stdout())
                    && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// How to show one result (`compare`, `trace`).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Display")]
pub(crate) struct ShowArgs {
    /// Print the JSON contract (see the README) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report (side by side, linked passages,
    /// scores, drift) to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print passages and new text whole instead of abbreviated.
    #[arg(long)]
    pub full: bool,
    /// Color the text output (auto: on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl ShowArgs {
    /// Checks the HTML report's path before any work.
    pub fn check(&self) -> Result<()> {
        if let Some(p) = &self.html {
            check_writable(p, Format::Jsonl)?;
        }
        Ok(())
    }

    /// Text options for the terminal.
    pub fn text(&self) -> whence::report::TextOptions {
        whence::report::TextOptions {
            color: self.color.enabled(),
            full: self.full,
        }
    }

    /// Writes the HTML report, if one was asked for.
    pub fn write_html(&self, html: impl FnOnce() -> String) -> Result<()> {
        if let Some(path) = &self.html {
            std::fs::write(path, html())
                .with_context(|| format!("{}: cannot write the HTML report", path.display()))?;
        }
        Ok(())
    }
}

/// How to run.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Run")]
pub(crate) struct RunArgs {
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..).map(|n| n as usize))]
    pub threads: Option<usize>,
    /// No progress bar and no closing summary on stderr (warnings and errors
    /// still show).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// List every warning and skipped document instead of the first few of each kind.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

impl RunArgs {
    /// Sets up the worker threads; call once, first.
    pub fn start(&self) {
        if let Some(n) = self.threads {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global()
                .ok();
        }
    }

    /// A collector of warnings and skips for stderr.
    pub fn notices(&self) -> Notices {
        Notices::new(self.verbose)
    }

    /// Prints the closing summary line unless --quiet.
    pub fn summary(&self, line: std::fmt::Arguments) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    fn visible(&self) -> bool {
        !self.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr())
    }

    /// A spinner on stderr, hidden with --quiet or when stderr is not a terminal.
    pub fn spinner(&self, msg: &str) -> ProgressBar {
        if !self.visible() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"),
        );
        bar.set_message(msg.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A bar with a known length on stderr (hidden as the spinner is).
    pub fn bar(&self, len: u64, msg: &str) -> ProgressBar {
        if !self.visible() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} [{elapsed}<{eta}]")
                .expect("valid template"),
        );
        bar.set_message(msg.to_owned());
        bar
    }
}
