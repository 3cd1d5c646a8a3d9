//! Invariants of `extract_html` and `detect_boilerplate` on real pages, when the shared
//! corpora are present beside the repository (skipped otherwise): no panic, block spans
//! valid and covering the paragraphs of the text, boilerplate spans sorted and disjoint.

use std::path::Path;

use whence_core::Span;
use whence_extract::{detect_boilerplate, extract_html, HtmlHints};

fn corpus() -> Option<&'static Path> {
    let p = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/html-extraction/cleaneval-dev/input"
    ));
    p.is_dir().then_some(p)
}

#[test]
fn cleaneval_dev_pages_keep_invariants() {
    let Some(dir) = corpus() else {
        eprintln!("shared corpora not found: skipped");
        return;
    };
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        // Also a truncated copy: half a page must not panic either.
        let _ = extract_html(&bytes[..bytes.len() / 2], &HtmlHints::default());
        let Ok(page) = extract_html(&bytes, &HtmlHints::default()) else {
            continue;
        };
        n += 1;
        let paras: Vec<&str> = page.text.split("\n\n").collect();
        assert_eq!(paras.len(), page.blocks.len(), "{}", path.display());
        for (b, p) in page.blocks.iter().zip(paras) {
            assert!(Span::checked(&page.text, b.span.start(), b.span.end()).is_ok());
            assert_eq!(&page.text[b.span.range()], p);
            assert!(!p.trim().is_empty());
        }
        let spans = detect_boilerplate(&page.text);
        for w in spans.windows(2) {
            assert!(w[0].end() <= w[1].start());
        }
        for s in spans {
            assert!(Span::checked(&page.text, s.start(), s.end()).is_ok());
        }
    }
    assert!(n > 40, "only {n} pages extracted");
}
