//! Reports boilerplate spans of plain-text documents, one JSON line per document:
//! `{"id", "chars", "boilerplate": [[s, e], …], "repeated": [[s, e], …]}` with spans in
//! code points. Inputs: `.txt` files (id = file stem) and JSONL / JSONL.gz files with
//! `id`, `text` and optionally `site` (else `source`) fields.
//!
//! `--repeated` also runs the corpus-level [`whence_extract::RepeatedLines`] detector
//! (two passes over the inputs), with `--min-docs N` and `--min-fraction F`.
//!
//! Usage: `cargo run --release --example boilerplate -p whence-extract -- [--repeated] FILE…`

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use whence_core::Span;
use whence_extract::{detect_boilerplate, RepeatedConfig, RepeatedLines};

struct Doc {
    id: String,
    site: String,
    text: String,
}

fn read_docs(path: &Path, f: &mut dyn FnMut(Doc)) -> std::io::Result<()> {
    let name = path.to_string_lossy().to_string();
    if name.ends_with(".txt") {
        let text = std::fs::read_to_string(path)?;
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        f(Doc {
            id,
            site: String::new(),
            text,
        });
        return Ok(());
    }
    let file = std::fs::File::open(path)?;
    let reader: Box<dyn Read> = if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    for line in BufReader::new(reader).lines() {
        let line = line?;
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            eprintln!("skipped a line of {name}: not JSON");
            continue;
        };
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let site = if v.get("site").is_some() {
            s("site")
        } else {
            s("source")
        };
        f(Doc {
            id: s("id"),
            site,
            text: s("text"),
        });
    }
    Ok(())
}

fn chars(text: &str, spans: &[Span]) -> Vec<[usize; 2]> {
    spans
        .iter()
        .map(|s| {
            [
                text[..s.start()].chars().count(),
                text[..s.end()].chars().count(),
            ]
        })
        .collect()
}

fn main() {
    let mut repeated = false;
    let mut cfg = RepeatedConfig::default();
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeated" => repeated = true,
            "--min-docs" => {
                cfg.min_docs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(cfg.min_docs)
            }
            "--min-fraction" => {
                cfg.min_fraction = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(cfg.min_fraction)
            }
            _ => files.push(a),
        }
    }
    let mut rl = RepeatedLines::new(cfg);
    if repeated {
        for f in &files {
            if let Err(e) = read_docs(Path::new(f), &mut |d| rl.add(&d.site, &d.text)) {
                eprintln!("cannot read {f}: {e}");
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for f in &files {
        let res = read_docs(Path::new(f), &mut |d| {
            let bp = chars(&d.text, &detect_boilerplate(&d.text));
            let mut line =
                serde_json::json!({"id": d.id, "chars": d.text.chars().count(), "boilerplate": bp});
            if repeated {
                line["repeated"] =
                    serde_json::json!(chars(&d.text, &rl.boilerplate(&d.site, &d.text)));
            }
            let _ = writeln!(out, "{line}");
        });
        if let Err(e) = res {
            eprintln!("cannot read {f}: {e}");
        }
    }
    let _ = out.flush();
    if repeated {
        eprintln!(
            "repeated-line detector tracked {} distinct lines",
            rl.tracked_lines()
        );
    }
}
