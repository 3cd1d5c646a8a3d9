//! Throughput of winnowing and MinHash on a news-like token stream.
//!
//! The stream: 200,000 token keys drawn from a Zipf-like distribution over a
//! 30,000-word vocabulary (deterministic generator), about what `whence_text`
//! produces for 1.2 MB of English news (6.1 bytes of text per token on the
//! gen_corpus.py corpora). Throughput is reported in tokens.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use whence_sketch::{winnow_into, MinHashParams, MinHasher, WinnowParams};

fn zipf_keys(n: usize) -> Vec<u64> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // u in (0, 1]; rank ≈ vocab^u is Zipf-like with exponent ≈ 1
            let u = ((state >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
            let rank = (30_000f64).powf(u) as u64;
            rank.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let keys = zipf_keys(200_000);
    // Documents of ~600 tokens, as in the news corpora.
    let docs: Vec<&[u64]> = keys.chunks(600).collect();
    let mut g = c.benchmark_group("sketch");
    g.throughput(Throughput::Elements(keys.len() as u64));
    let wp = WinnowParams::default();
    g.bench_function("winnow k=4 w=4", |b| {
        let (mut scratch, mut out) = (Vec::new(), Vec::new());
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                out.clear();
                winnow_into(d, None, &wp, &mut scratch, &mut out);
                n += out.len();
            }
            n
        })
    });
    let mh = MinHasher::new(MinHashParams::default());
    g.bench_function("minhash 128 k=3", |b| {
        let mut scratch = Vec::new();
        b.iter(|| {
            docs.iter()
                .map(|d| mh.signature_with(d, None, &mut scratch).values()[0])
                .sum::<u32>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
