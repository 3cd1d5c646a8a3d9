//! Extracts every `.html`/`.htm` (optionally `.gz`) file of a directory, or every HTML
//! page of a WARC / WARC.gz file, and writes one JSON line per page to stdout:
//! `{"id","text","title","date","site","url","boilerplate","method"}` (`boilerplate`:
//! code-point spans from `detect_boilerplate`; `method`: how the main text was chosen).
//! Skipped inputs are reported on stderr with a reason, and a one-line summary (pages,
//! bytes, seconds) ends the run.
//!
//! Usage: `cargo run --release --example extract_dir -p whence-extract -- DIR_OR_WARC`

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use whence_extract::{detect_boilerplate, extract_html, HtmlHints, WarcItem, WarcPages};

fn char_spans(text: &str, spans: &[whence_core::Span]) -> Vec<[usize; 2]> {
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

struct Stats {
    pages: usize,
    bytes: usize,
    skipped: usize,
}

fn emit(out: &mut impl Write, stats: &mut Stats, id: &str, bytes: &[u8], hints: &HtmlHints) {
    stats.bytes += bytes.len();
    match extract_html(bytes, hints) {
        Ok(page) => {
            let bp = char_spans(&page.text, &detect_boilerplate(&page.text));
            let line = serde_json::json!({
                "id": id, "text": page.text, "title": page.title, "date": page.date,
                "site": page.site, "url": page.url, "boilerplate": bp, "method": page.method,
            });
            let _ = writeln!(out, "{line}");
            stats.pages += 1;
        }
        Err(e) => {
            eprintln!("skipped {id}: {e}");
            stats.skipped += 1;
        }
    }
}

fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let raw = std::fs::read(path)?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn main() {
    let Some(input) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: extract_dir DIR_OR_WARC");
        std::process::exit(2);
    };
    let start = Instant::now();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut stats = Stats {
        pages: 0,
        bytes: 0,
        skipped: 0,
    };
    if input.is_dir() {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&input) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                eprintln!("cannot read {}: {e}", input.display());
                std::process::exit(1);
            }
        };
        files.sort();
        for f in files {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let name = name.strip_suffix(".gz").unwrap_or(&name).to_string();
            let Some(stem) = [".html", ".htm"]
                .iter()
                .find_map(|ext| name.strip_suffix(ext))
            else {
                continue;
            };
            let id = f
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let id = id[..stem.len()].to_string();
            match read_file(&f) {
                Ok(bytes) => emit(&mut out, &mut stats, &id, &bytes, &HtmlHints::default()),
                Err(e) => {
                    eprintln!("skipped {}: {e}", f.display());
                    stats.skipped += 1;
                }
            }
        }
    } else {
        let file = match std::fs::File::open(&input) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("cannot open {}: {e}", input.display());
                std::process::exit(1);
            }
        };
        for item in WarcPages::new(std::io::BufReader::new(file)) {
            match item {
                Ok(WarcItem::Page(p)) => {
                    let hints = HtmlHints {
                        content_type_charset: p.http_charset.clone(),
                        url: Some(p.url.clone()),
                    };
                    emit(&mut out, &mut stats, &p.url, &p.html, &hints);
                }
                Ok(WarcItem::Skipped {
                    record_id, reason, ..
                }) => {
                    eprintln!("skipped record {record_id}: {reason}");
                    stats.skipped += 1;
                }
                Ok(_) => {}
                Err(e) => {
                    eprintln!("error: {e}");
                    stats.skipped += 1;
                }
            }
        }
    }
    let _ = out.flush();
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "extracted {} pages ({:.1} MB) in {:.2} s: {:.1} pages/s, {:.2} MB/s; skipped {}",
        stats.pages,
        stats.bytes as f64 / 1e6,
        secs,
        stats.pages as f64 / secs.max(1e-9),
        stats.bytes as f64 / 1e6 / secs.max(1e-9),
        stats.skipped
    );
}
