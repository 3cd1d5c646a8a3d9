//! Options every corpus command shares: inputs, field names, limits, progress.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use whence::corpus::Loaded;
use whence::ingest::{CorpusSpec, ReadStats};

/// How to read a corpus.
#[derive(Args, Debug, Clone)]
pub(crate) struct CorpusArgs {
    /// JSON field holding the document id.
    #[arg(long, value_name = "NAME", default_value = "id")]
    pub id_field: String,
    /// JSON field holding the text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,
    /// JSON field holding the publication date.
    #[arg(long, value_name = "NAME", default_value = "date")]
    pub date_field: String,
    /// JSON field holding the source or site [default: source, then site].
    #[arg(long, value_name = "NAME")]
    pub source_field: Option<String>,
    /// Replace invalid UTF-8 with U+FFFD (with a warning) instead of skipping.
    #[arg(long)]
    pub lossy: bool,
    /// Skip documents larger than this many MB (reported, never truncated).
    #[arg(long, value_name = "MB", default_value_t = 16)]
    pub max_doc_mb: u64,
    /// What stdin (-) holds.
    #[arg(long, value_enum, default_value_t = StdinFormat::Jsonl)]
    pub stdin_format: StdinFormat,
    /// Do not show a progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum StdinFormat {
    Jsonl,
    Text,
}

/// Output formats of the corpus commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutFormat {
    Jsonl,
    Parquet,
}

impl From<OutFormat> for whence::table::Format {
    fn from(f: OutFormat) -> Self {
        match f {
            OutFormat::Jsonl => whence::table::Format::Jsonl,
            OutFormat::Parquet => whence::table::Format::Parquet,
        }
    }
}

impl CorpusArgs {
    /// The validated reading options for `inputs`.
    pub fn options(&self, inputs: &[PathBuf]) -> Result<whence::ingest::CorpusOptions> {
        let mut spec = CorpusSpec::with_inputs(inputs.iter().cloned());
        spec.id_field = Some(self.id_field.clone());
        spec.text_field = Some(self.text_field.clone());
        spec.date_field = Some(self.date_field.clone());
        if let Some(s) = &self.source_field {
            spec.source_field = Some(s.clone());
        }
        spec.lossy = self.lossy;
        spec.max_doc_bytes = Some(self.max_doc_mb.saturating_mul(1 << 20));
        spec.stdin_format = Some(match self.stdin_format {
            StdinFormat::Jsonl => "jsonl".to_owned(),
            StdinFormat::Text => "text".to_owned(),
        });
        spec.validate().context("invalid corpus options")
    }

    /// Reads the corpus with a progress spinner; prints every skip and warning.
    pub fn load(&self, inputs: &[PathBuf], what: &str) -> Result<Loaded> {
        let options = self.options(inputs)?;
        let bar = self.spinner(&format!("reading {what}"));
        let loaded = whence::corpus::load(&options, |stats: &ReadStats| {
            bar.set_message(format!(
                "reading {what}: {} documents, {:.1} MB",
                stats.documents,
                stats.bytes_decoded as f64 / 1e6
            ));
        })
        .context("cannot open the corpus")?;
        bar.finish_and_clear();
        for skip in &loaded.skips {
            eprintln!("whence: skipped: {skip}");
        }
        for w in &loaded.warnings {
            eprintln!("whence: warning: {w}");
        }
        Ok(loaded)
    }

    /// A spinner on stderr, hidden with --quiet or when stderr is not a terminal.
    pub fn spinner(&self, msg: &str) -> ProgressBar {
        if self.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
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
        if self.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
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
