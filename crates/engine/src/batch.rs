//! `compare --pairs FILE`: many comparisons in one process, on every core,
//! with one sentence-embedding model, results in input order.
//!
//! A pairs file holds one pair a line, either two inputs separated by a tab
//! (`a.txt<TAB>b.txt`) or a JSON object (`{"a": "a.txt", "b": "b.txt"}`);
//! blank lines and lines starting with `#` are skipped. An input is anything
//! [`whence_ingest::read_document`] reads (a file, `FILE#ID`). Each pair gives one
//! JSON object: the `compare --json` contract plus `"line"` and `"inputs"`, or
//! `{"line", "inputs"?, "error"}` when it could not be compared; the run goes on.
//!
//! ```no_run
//! use whence::batch::{compare_batch, parse_pairs};
//! use whence::ingest::CorpusSpec;
//! let jobs = parse_pairs("rewrite.txt\twire.txt\nreprint.txt\twire.txt\n");
//! let opts = CorpusSpec::with_inputs(["-"]).validate()?;
//! compare_batch(&jobs, &opts, &whence::Config::default(), None, |v| {
//!     println!("{v}");
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rayon::prelude::*;
use serde_json::{json, Value};
use whence_align::SentenceEncoder;
use whence_ingest::{read_document, CorpusOptions, Input};

use crate::report::compare_json;
use crate::{compare_with, Config};

/// One line of a pairs file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairJob {
    /// 1-based line in the pairs file.
    pub line: u64,
    /// The two inputs, or why the line could not be read.
    pub inputs: Result<(String, String), String>,
}

/// The pairs of a pairs file, one per non-blank, non-comment line.
pub fn parse_pairs(text: &str) -> Vec<PairJob> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| PairJob {
            line: i as u64 + 1,
            inputs: parse_line(l.trim_end_matches('\r')),
        })
        .collect()
}

fn parse_line(line: &str) -> Result<(String, String), String> {
    if line.trim_start().starts_with('{') {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("malformed JSON ({e})"))?;
        let field = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("no `{k}` field holding a path"))
        };
        return Ok((field("a")?, field("b")?));
    }
    let mut parts = line.split('\t');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty() => {
            Ok((a.to_owned(), b.to_owned()))
        }
        _ => Err("expected two inputs separated by one tab, or {\"a\": …, \"b\": …}".into()),
    }
}

/// Pairs compared together before their results are handed on, in order.
const CHUNK: usize = 64;

/// Compares every pair of `jobs` (in parallel, on rayon's pool), calling `each`
/// with one JSON object per job, in job order. Returns how many pairs failed;
/// stops at the first error `each` returns (a closed output).
pub fn compare_batch<E>(
    jobs: &[PairJob],
    read: &CorpusOptions,
    config: &Config,
    encoder: Option<&dyn SentenceEncoder>,
    mut each: impl FnMut(Value) -> Result<(), E>,
) -> Result<usize, E> {
    let mut failed = 0;
    for chunk in jobs.chunks(CHUNK) {
        let results: Vec<Value> = chunk
            .par_iter()
            .map(|job| compare_job(job, read, config, encoder))
            .collect();
        for v in results {
            failed += usize::from(v.get("error").is_some());
            each(v)?;
        }
    }
    Ok(failed)
}

fn compare_job(
    job: &PairJob,
    read: &CorpusOptions,
    config: &Config,
    encoder: Option<&dyn SentenceEncoder>,
) -> Value {
    let (a, b) = match &job.inputs {
        Ok(p) => p,
        Err(e) => return json!({"line": job.line, "error": e}),
    };
    let inputs = json!([a, b]);
    let read_one = |arg: &str| {
        if arg == "-" {
            return Err("stdin (-) cannot be read in a pairs file".to_owned());
        }
        read_document(&Input::from_arg(arg), read).map_err(|e| e.to_string())
    };
    let (da, db) = match (read_one(a), read_one(b)) {
        (Ok((da, _)), Ok((db, _))) => (da, db),
        (Err(e), _) | (_, Err(e)) => {
            return json!({"line": job.line, "inputs": inputs, "error": e});
        }
    };
    let cmp = compare_with(&da, &db, config, encoder);
    let mut v = compare_json(&cmp);
    v["line"] = json!(job.line);
    v["inputs"] = inputs;
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use whence_ingest::CorpusSpec;

    #[test]
    fn pairs_files_in_tsv_or_json_lines() {
        let jobs = parse_pairs("# a comment\na.txt\tb.txt\n\n{\"a\": \"c.txt\", \"b\": \"d.txt\"}\nonly-one\n{\"a\": 1}\n");
        type Parsed = Result<(String, String), String>;
        let got: Vec<(u64, Parsed)> = jobs.into_iter().map(|j| (j.line, j.inputs)).collect();
        assert_eq!(got[0], (2, Ok(("a.txt".into(), "b.txt".into()))));
        assert_eq!(got[1], (4, Ok(("c.txt".into(), "d.txt".into()))));
        assert_eq!(got[2].0, 5);
        assert!(got[2]
            .1
            .as_ref()
            .unwrap_err()
            .starts_with("expected two inputs"));
        assert_eq!(got[3].1, Err("no `a` field holding a path".into()));
    }

    #[test]
    fn results_come_in_order_and_errors_do_not_stop_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let wire = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts.";
        std::fs::write(dir.path().join("w.txt"), wire).unwrap();
        std::fs::write(dir.path().join("c.txt"), format!("{wire} More follows.")).unwrap();
        let p = |n: &str| dir.path().join(n).display().to_string();
        let text: String = (0..150)
            .map(|i| {
                if i == 70 {
                    format!("{}\t{}\n", p("w.txt"), p("missing.txt"))
                } else {
                    format!("{}\t{}\n", p("c.txt"), p("w.txt"))
                }
            })
            .collect();
        let jobs = parse_pairs(&text);
        let opts = CorpusSpec::with_inputs(["-"]).validate().unwrap();
        let mut out = Vec::new();
        let failed = compare_batch(&jobs, &opts, &Config::default(), None, |v| {
            out.push(v);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!((failed, out.len()), (1, 150));
        let lines: Vec<u64> = out.iter().map(|v| v["line"].as_u64().unwrap()).collect();
        assert_eq!(lines, (1..=150).collect::<Vec<u64>>());
        assert!(out[70]["error"]
            .as_str()
            .unwrap()
            .contains("missing.txt: cannot read"));
        assert_ne!(out[0]["summary"]["relation"], "unrelated");
        assert_eq!(out[0]["a"]["id"], "c");
        assert_eq!(out[0]["inputs"][1], p("w.txt"));
    }
}
