//! Throughput of `whence_text::analyze` in bytes of text.
//!
//! Built-in texts (written for this bench): an English news story, the same story
//! with typographic quotes and British spellings, and a mixed-script text (accents,
//! CJK, Cyrillic, full-width forms, emoji). Repeating a text keeps the word cache
//! warm, so these are steady-state figures; "news, cold cache" starts from an
//! empty cache each time. Set `WHENCE_TEXT_BENCH=PATH` to also
//! measure real documents: a `.jsonl` file (its `"text"` fields, first 2,000 lines)
//! or any other file as one text; without it that case is skipped with a note.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const NEWS: &str = "BEIRUT (Reuters) - Hundreds of Iranian troops have arrived in Syria \
in the past ten days and will soon join government forces and their Lebanese Hezbollah \
allies in a major ground offensive, two Lebanese sources told Reuters on Thursday. The \
sources said the troops would be backed by Russian air strikes, the first of which were \
launched on Wednesday. \"The (Russian) air strikes will in the near future be accompanied \
by ground advances by the Syrian army and its allies,\" said one of the sources familiar \
with political and military developments in the conflict.\n\nThe sources did not say \
where the offensive would take place. But a Syrian military source said last week that \
the army, backed by its allies, was preparing for a counter-attack in the north-west of \
the country. Mr. Assad's forces have suffered a series of setbacks this year, losing \
ground to rebel groups including the Nusra Front, al Qaeda's Syrian branch. Officials in \
Washington said on Wednesday that 30 aircraft had taken part in the first wave of \
strikes, hitting targets near the cities of Homs and Hama.\n\nU.S. Defense Secretary \
Ashton Carter said the strikes appeared to be in areas where there were probably no \
Islamic State fighters, and warned that Moscow's approach was \"doomed to fail\". The \
Kremlin rejected that view. \"We are not going to be drawn into a long conflict,\" a \
spokesman said, adding that the operation would last three to four months.\n";

const BRITISH: &str = "LONDON — The Government’s advisers have organised a programme \
of talks at the centre of the capital, whilst the Opposition’s defence spokesman said the \
colours of the flag were “not a matter for the Ministry”. Labour’s neighbouring councils \
have realised that travelling costs rose by 4.5% in the year to March, and cancelled \
several schemes. “We don’t recognise those figures,” a spokeswoman said. The theatre’s \
licence was renewed on Tuesday… Metres of scaffolding surround the building.\n\n";

const MIXED: &str = "Café naïve résumé ÉCOLE. 東京大学で会議が開かれた。 Москва — столица. \
Ｆｕｌｌ－ｗｉｄｔｈ １２３ text. İstanbul Straße ﬁnal ﬂow. 😀 👍🏽 emoji. \
e\u{301} combining. 한국어 문장. \"Straight\" and “curly” quotes.\n";

fn load(path: &str) -> Vec<String> {
    let Ok(data) = std::fs::read_to_string(path) else {
        eprintln!("WHENCE_TEXT_BENCH={path}: unreadable, skipped");
        return Vec::new();
    };
    if !path.ends_with(".jsonl") {
        return vec![data];
    }
    data.lines()
        .take(2000)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text")?.as_str().map(str::to_owned))
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("analyze");
    let cases = [
        ("news", NEWS.repeat(4)),
        ("british", BRITISH.repeat(8)),
        ("mixed", MIXED.repeat(12)),
    ];
    for (name, text) in &cases {
        g.throughput(Throughput::Bytes(text.len() as u64));
        // the per-thread word cache is warm after the first iteration: the
        // steady state of a long run over one corpus
        g.bench_function(*name, |b| {
            b.iter(|| {
                whence_text::analyze(std::hint::black_box(text))
                    .tokens
                    .len()
            })
        });
    }
    // a fresh analyzer each time: every word a cache miss, the first-document cost
    g.throughput(Throughput::Bytes(cases[0].1.len() as u64));
    g.bench_function("news, cold cache", |b| {
        b.iter(|| {
            whence_text::Analyzer::default()
                .analyze(std::hint::black_box(&cases[0].1))
                .tokens
                .len()
        })
    });
    match std::env::var("WHENCE_TEXT_BENCH") {
        Ok(path) => {
            let docs = load(&path);
            if !docs.is_empty() {
                let bytes: usize = docs.iter().map(String::len).sum();
                g.throughput(Throughput::Bytes(bytes as u64));
                g.sample_size(10);
                g.bench_function("corpus", |b| {
                    b.iter(|| {
                        docs.iter()
                            .map(|d| whence_text::analyze(d).tokens.len())
                            .sum::<usize>()
                    })
                });
            }
        }
        Err(_) => eprintln!("WHENCE_TEXT_BENCH not set: corpus case skipped"),
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
