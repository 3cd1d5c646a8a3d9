//! The README's sample outputs are what the binary prints.
//!
//! Every block of README.md announced by a line `<!-- sample: ARGS -->` is a
//! ```` ```text ```` block whose first line is `$ whence ARGS` and whose other
//! lines are the standard output of that command, run from the repository root
//! (ARGS split at spaces; no quoting). This test runs each command and fails when
//! the README no longer matches. `scripts/readme-samples` (or
//! `WHENCE_UPDATE_README=1 cargo test -p whence-cli --test readme`) rewrites the
//! blocks with what the binary prints now.
//!
//! The samples are produced as a reader following the README's set-up would
//! see them: with the sentence-embedding model when one is installed.

use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One sample: the README's lines `[start, end)` hold the output of `args`.
struct Sample {
    args: String,
    start: usize,
    end: usize,
}

fn samples(lines: &[&str]) -> Vec<Sample> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(args) = lines[i]
            .strip_prefix("<!-- sample: ")
            .and_then(|s| s.strip_suffix(" -->"))
        else {
            i += 1;
            continue;
        };
        assert_eq!(
            lines.get(i + 1),
            Some(&"```text"),
            "README line {}: a ```text block must follow",
            i + 2
        );
        assert_eq!(
            lines.get(i + 2).copied(),
            Some(format!("$ whence {args}").as_str()),
            "README line {}: the block starts with the command",
            i + 3
        );
        let start = i + 3;
        let end = start
            + lines[start..]
                .iter()
                .position(|l| *l == "```")
                .unwrap_or_else(|| panic!("README line {}: the block is not closed", i + 2));
        out.push(Sample {
            args: args.to_owned(),
            start,
            end,
        });
        i = end + 1;
    }
    out
}

fn output_of(args: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_whence"))
        .current_dir(repo())
        .args(args.split(' '))
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs");
    assert!(
        o.status.success(),
        "`whence {args}` failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

#[test]
fn readme_samples_are_what_the_binary_prints() {
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let found = samples(&lines);
    assert!(
        !found.is_empty(),
        "README.md has no `<!-- sample: … -->` blocks"
    );
    let update = std::env::var_os("WHENCE_UPDATE_README").is_some();
    let mut rewritten: Vec<String> = Vec::new();
    let mut pos = 0;
    let mut stale = Vec::new();
    for s in &found {
        let now = output_of(&s.args);
        let now_lines: Vec<&str> = now.lines().map(str::trim_end).collect();
        let was: Vec<&str> = lines[s.start..s.end].to_vec();
        if now_lines != was {
            stale.push(format!(
                "`whence {}` (README lines {}-{}):\n--- README\n{}\n--- binary\n{}",
                s.args,
                s.start + 1,
                s.end,
                was.join("\n"),
                now_lines.join("\n")
            ));
        }
        rewritten.extend(lines[pos..s.start].iter().map(|l| l.to_string()));
        rewritten.extend(now_lines.iter().map(|l| l.to_string()));
        pos = s.end;
    }
    rewritten.extend(lines[pos..].iter().map(|l| l.to_string()));
    if update {
        std::fs::write(&path, rewritten.join("\n") + "\n").unwrap();
        return;
    }
    assert!(
        stale.is_empty(),
        "README.md samples are out of date; run scripts/readme-samples and review the diff.\n\n{}",
        stale.join("\n\n")
    );
}
