//! What the binary tells the user on stderr: warnings and skipped documents,
//! each cause once, file and line first, summarized past a few of each kind;
//! and how an error becomes an exit code (0 ok, 1 unusable input, 2 usage).

use std::collections::BTreeMap;
use std::fmt::Display;

use whence::ingest::{Skip, Warning};

/// A usage error found after parsing (two stdins, Parquet to stdout, …): exit 2.
#[derive(Debug)]
pub(crate) struct UsageError(pub String);

impl Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// `"1 cluster"`, `"3 clusters"`.
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How many of each kind of notice are printed before the rest is counted.
const SHOWN_PER_KIND: usize = 3;

/// Prints warnings and skips, the first few of each kind in full, then one
/// line per kind counting the rest (all of them with `verbose`).
pub(crate) struct Notices {
    verbose: bool,
    shown: BTreeMap<(&'static str, &'static str), usize>,
    more: BTreeMap<(&'static str, &'static str), u64>,
}

impl Notices {
    pub fn new(verbose: bool) -> Notices {
        Notices {
            verbose,
            shown: BTreeMap::new(),
            more: BTreeMap::new(),
        }
    }

    pub fn skip(&mut self, s: &Skip) {
        self.say("skipped", s.reason.kind().describe(), s);
    }

    pub fn warning(&mut self, w: &Warning) {
        self.say("warning", w.kind(), w);
    }

    fn say(&mut self, label: &'static str, kind: &'static str, msg: &dyn Display) {
        let n = self.shown.entry((label, kind)).or_default();
        if self.verbose || *n < SHOWN_PER_KIND {
            *n += 1;
            eprintln!("whence: {label}: {msg}");
        } else {
            *self.more.entry((label, kind)).or_default() += 1;
        }
    }

    /// Prints the counts of what was not shown.
    pub fn finish(self) {
        for ((label, kind), n) in self.more {
            let what = if label == "skipped" {
                "skipped"
            } else {
                "warnings"
            };
            eprintln!(
                "whence: … and {n} more {what} like these ({kind}); --verbose lists every one"
            );
        }
    }
}

/// Exit codes, as ripgrep's: 0 success, 1 unusable input, 2 usage.
pub(crate) enum Exit {
    /// A closed stdout (`| head`): stop quietly, successfully.
    BrokenPipe,
    Usage,
    Input,
}

/// What kind of failure `e` is.
pub(crate) fn classify(e: &anyhow::Error) -> Exit {
    use std::io::ErrorKind::BrokenPipe;
    for cause in e.chain() {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<whence::table::TableError>()
                    .and_then(|t| t.io_kind())
            })
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        if kind == Some(BrokenPipe) {
            return Exit::BrokenPipe;
        }
    }
    let usage = e.chain().any(|c| {
        c.is::<UsageError>()
            || c.is::<whence::ConfigError>()
            || c.is::<whence::ingest::SpecError>()
            || c.is::<clap::Error>()
    });
    if usage {
        Exit::Usage
    } else {
        Exit::Input
    }
}

/// The error's message with each cause once: a cause whose text the message
/// already holds (an I/O error repeated by its wrapper) is not repeated.
pub(crate) fn message(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if msg.contains(&s) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&s);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_said_once() {
        let io = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "No such file or directory (os error 2)",
        );
        let e = anyhow::Error::new(io)
            .context("x.jsonl: cannot read: No such file or directory (os error 2)");
        assert_eq!(
            message(&e),
            "x.jsonl: cannot read: No such file or directory (os error 2)"
        );
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(message(&e), "outer: inner");
        assert_eq!(count(1, "cluster", "clusters"), "1 cluster");
        assert_eq!(count(0, "cluster", "clusters"), "0 clusters");
    }

    #[test]
    fn broken_pipes_and_usage_errors_are_told_apart() {
        let pipe = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe");
        assert!(matches!(
            classify(&anyhow::Error::new(pipe).context("writing")),
            Exit::BrokenPipe
        ));
        assert!(matches!(
            classify(&UsageError("two stdins".into()).into()),
            Exit::Usage
        ));
        assert!(matches!(
            classify(&anyhow::anyhow!("bad file")),
            Exit::Input
        ));
    }
}
