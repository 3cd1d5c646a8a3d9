//! `compare` on two ~5 kB news articles: the seed pair when ../shared/corpora is
//! present, else two texts built from the demo corpus to the same size.
//!
//! Run: `cargo bench -p whence --bench compare`

use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use whence::{compare, Config, Document};

fn load(name: &str) -> Option<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(name)).ok()
}

/// Two ~5 kB articles sharing a rewritten and a verbatim part.
fn pair() -> (Document, Document, &'static str) {
    let a = load("../shared/corpora/seeds/000_c833ee491b591e38.txt");
    let b = load("../shared/corpora/seeds/003_eb1784be63f6c131.txt");
    if let (Some(a), Some(b)) = (a, b) {
        // pad the 2.4 kB rewrite with its own text to ~5 kB like the 4.4 kB wire copy
        let a = format!("{a}\n\n{a}");
        return (
            Document::new("a", a),
            Document::new("b", b),
            "seeds (4.8 kB vs 4.4 kB)",
        );
    }
    let wire = load("demo/wire.txt").expect("demo corpus");
    let rewrite = load("demo/rewrite.txt").expect("demo corpus");
    let unrelated = load("demo/unrelated.txt").expect("demo corpus");
    let a = format!("{rewrite}\n\n{unrelated}\n\n{rewrite}\n\n{unrelated}\n\n{rewrite}");
    let b = format!("{wire}\n\n{unrelated}\n\n{wire}\n\n{wire}");
    (
        Document::new("a", a),
        Document::new("b", b),
        "demo (5 kB vs 4.4 kB)",
    )
}

fn bench(c: &mut Criterion) {
    let (a, b, label) = pair();
    let config = Config::default();
    c.bench_function(&format!("compare {label}"), |bench| {
        bench.iter(|| black_box(compare(black_box(&a), black_box(&b), &config)))
    });
    let mut lexical = whence::RawConfig::default();
    lexical.align.paraphrase = false;
    let lexical = lexical.validate().expect("valid");
    c.bench_function(&format!("compare lexical only {label}"), |bench| {
        bench.iter(|| black_box(compare(black_box(&a), black_box(&b), &lexical)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
