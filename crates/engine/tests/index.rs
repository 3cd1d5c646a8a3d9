//! The persistent index against the in-memory pipelines: `build` records the
//! pairs of `pairs`, `query` returns what `trace` returns (on both of trace's
//! paths: scanning a small corpus, and the fingerprint index past `SCAN_ALL`),
//! `add` finds the pairs `pairs` finds on the grown corpus, and updates,
//! re-adds, removals and the df cut-off keep the index consistent.

use whence::index::{AddKind, Index, Seq};
use whence::pipeline::{self, PipelineConfig, Trace};
use whence::Document;

/// A deterministic corpus of `n` news-like documents over a 3,000-word
/// vocabulary; every 7th reuses sentences of an earlier one (whole, edited or
/// in part), with a few site names and dates.
fn corpus(n: usize, seed: u64) -> Vec<Document> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let word = |i: u64| {
        let syll = [
            "ka", "ro", "mi", "ten", "sa", "vel", "or", "du", "pri", "lo", "ne", "zu",
        ];
        let mut w = String::new();
        let mut i = i;
        for _ in 0..3 {
            w.push_str(syll[(i % 12) as usize]);
            i /= 12;
        }
        w
    };
    let mut docs: Vec<Document> = Vec::with_capacity(n);
    for d in 0..n {
        let mut sentences: Vec<String> = (0..4 + next() % 5)
            .map(|_| {
                let words: Vec<String> =
                    (0..8 + next() % 10).map(|_| word(next() % 3000)).collect();
                let mut s = words.join(" ");
                s[..1].make_ascii_uppercase();
                s + "."
            })
            .collect();
        if d > 0 && d % 7 == 0 {
            let src = &docs[(next() % d as u64) as usize];
            let src_sentences: Vec<&str> = src.text.split_inclusive(". ").collect();
            match next() % 3 {
                0 => sentences = src_sentences.iter().map(|s| s.trim().to_owned()).collect(),
                1 => sentences.extend(src_sentences.iter().take(3).map(|s| s.trim().to_owned())),
                _ => {
                    for s in src_sentences.iter().skip(1) {
                        sentences.push(s.trim().replacen(' ', " new ", 1));
                    }
                }
            }
            sentences.insert(0, format!("Report {d}."));
        }
        let mut doc = Document::new(format!("d{d}"), sentences.join(" "));
        doc.meta.site = Some(format!("site{}.example", d % 5));
        doc.meta.date = Some(format!("2024-{:02}-{:02}", 1 + d % 12, 1 + d % 28));
        docs.push(doc);
    }
    docs
}

type PairView = (
    String,
    String,
    String,
    Vec<(usize, usize, usize, usize, String)>,
);

fn pairs_of(docs: &[Document], cfg: &PipelineConfig) -> Vec<PairView> {
    let mut docs = docs.to_vec();
    whence::corpus::mark_boilerplate(&mut docs, &cfg.compare);
    let out = pipeline::pairs(&docs, cfg, &|_, _, _| {}).unwrap();
    let mut v: Vec<PairView> = out
        .pairs
        .iter()
        .map(|p| {
            let ps = p.alignment.passages.iter();
            (
                docs[p.a as usize].id.to_string(),
                docs[p.b as usize].id.to_string(),
                p.alignment.summary.relation.as_str().to_owned(),
                ps.map(|x| {
                    (
                        x.a.start(),
                        x.a.end(),
                        x.b.start(),
                        x.b.end(),
                        x.kind.as_str().to_owned(),
                    )
                })
                .collect(),
            )
        })
        .collect();
    v.sort();
    v
}

fn stored_pairs(index: &Index) -> Vec<PairView> {
    let r = index.store().read().unwrap();
    let mut v = Vec::new();
    r.for_each_pair(None, None, false, |p| {
        let id = |s: Seq| r.doc(s).unwrap().unwrap().doc.id.to_string();
        v.push((
            id(p.a),
            id(p.b),
            p.summary.relation.as_str().to_owned(),
            p.passages
                .iter()
                .map(|x| {
                    (
                        x.a.start(),
                        x.a.end(),
                        x.b.start(),
                        x.b.end(),
                        x.kind.as_str().to_owned(),
                    )
                })
                .collect(),
        ));
        Ok(())
    })
    .unwrap();
    v.sort();
    v
}

/// Reuse clusters of `pairs --clusters` on `docs`, as (id, members, representative).
fn pairs_clusters(docs: &[Document], cfg: &PipelineConfig) -> Vec<(u32, Vec<String>, String)> {
    let mut docs = docs.to_vec();
    whence::corpus::mark_boilerplate(&mut docs, &cfg.compare);
    let out = pipeline::pairs(&docs, cfg, &|_, _, _| {}).unwrap();
    let id = |m: u32| docs[m as usize].id.to_string();
    pipeline::reuse_clusters(&docs, &out.pairs, whence::cluster::Pick::Earliest)
        .iter()
        .map(|c| {
            (
                c.id.0,
                c.members.iter().map(|&m| id(m)).collect(),
                id(c.representative),
            )
        })
        .collect()
}

/// The index's clusters, as [`pairs_clusters`] gives them.
fn index_clusters(index: &Index) -> Vec<(u32, Vec<String>, String)> {
    let r = index.store().read().unwrap();
    let found = whence::index::clusters(&r, whence::cluster::Pick::Earliest).unwrap();
    let id = |m: u32| found.ids[m as usize].clone();
    found
        .clusters
        .iter()
        .map(|c| {
            (
                c.id.0,
                c.members.iter().map(|&m| id(m)).collect(),
                id(c.representative),
            )
        })
        .collect()
}

/// (source id, relation, reused, passages) of each source, then the rest.
fn trace_view(t: &Trace, id: impl Fn(usize) -> String) -> String {
    let sources: Vec<String> = t
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let ps: Vec<String> = s
                .alignment
                .passages
                .iter()
                .map(|p| format!("{:?}{:?}{}", p.a, p.b, p.kind.as_str()))
                .collect();
            format!(
                "{} {} {:.6} {}",
                id(i),
                s.alignment.summary.relation.as_str(),
                s.alignment.summary.a_reused,
                ps.join(",")
            )
        })
        .collect();
    format!(
        "{} | {:.6} {:.6} {:?} {}",
        sources.join(" ; "),
        t.reused,
        t.reused_lexical,
        t.novel,
        t.derivation.as_str()
    )
}

fn query_equals_trace(docs: &[Document], queries: &[Document]) {
    let cfg = PipelineConfig::default();
    let dir = tempfile::tempdir().unwrap();
    let mut indexed = docs.to_vec();
    let (index, built) =
        Index::build(dir.path(), &mut indexed, &cfg, false, None, &|_, _, _| {}).unwrap();
    assert_eq!(stored_pairs(&index), pairs_of(docs, &cfg));
    assert!(built.pairs > 0);
    assert_eq!(index_clusters(&index), pairs_clusters(docs, &cfg));
    let mut marked = docs.to_vec();
    whence::corpus::mark_boilerplate(&mut marked, &cfg.compare);
    let mut with_sources = 0;
    for q in queries {
        let mut q = q.clone();
        q.boilerplate = whence::boilerplate_of(&q, &cfg.compare);
        let t = pipeline::trace(&q, &marked, &cfg).unwrap();
        let got = index.query(&q, None).unwrap();
        assert_eq!(
            trace_view(&got.trace, |i| got.sources[i].id.to_string()),
            trace_view(&t, |i| marked[t.sources[i].doc as usize].id.to_string()),
            "query {}",
            q.id
        );
        with_sources += usize::from(!t.sources.is_empty());
    }
    assert!(
        with_sources * 2 >= queries.len(),
        "{with_sources} of {}",
        queries.len()
    );
}

#[test]
fn build_and_query_equal_pairs_and_trace_on_a_small_corpus() {
    let docs = corpus(300, 1);
    // documents of the corpus, and new ones made of its sentences
    let mut queries: Vec<Document> = docs.iter().step_by(37).cloned().collect();
    for (i, d) in docs.iter().skip(5).step_by(41).enumerate() {
        queries.push(Document::new(
            format!("new{i}"),
            format!("An opinion. {} We disagree.", d.text),
        ));
    }
    query_equals_trace(&docs, &queries);
}

#[test]
fn build_and_query_equal_pairs_and_trace_past_the_scan_limit() {
    // over trace's SCAN_ALL: candidates come from the fingerprint index
    let docs = corpus(pipeline::trace::SCAN_ALL + 150, 2);
    let mut queries: Vec<Document> = docs.iter().step_by(211).cloned().collect();
    for (i, d) in docs.iter().skip(3).step_by(307).enumerate() {
        let half: String = d.text.split_inclusive(". ").take(3).collect();
        queries.push(Document::new(
            format!("new{i}"),
            format!("Commentary first. {half} Our view."),
        ));
    }
    query_equals_trace(&docs, &queries);
}

#[test]
fn add_finds_the_pairs_of_the_grown_corpus() {
    let cfg = PipelineConfig::default();
    let docs = corpus(400, 3);
    let dir = tempfile::tempdir().unwrap();
    let mut first = docs[..250].to_vec();
    let (index, _) =
        Index::build(dir.path(), &mut first, &cfg, false, None, &|_, _, _| {}).unwrap();
    let mut acked = Vec::new();
    let out = index
        .add(docs[250..].to_vec(), 40, None, &mut |batch| {
            acked.extend(batch.iter().map(|a| (a.id.clone(), a.pairs.len())));
            Ok(())
        })
        .unwrap();
    assert_eq!(out.added, 150);
    assert_eq!(out.commits, 4);
    assert_eq!(acked.len(), 150);
    let want = pairs_of(&docs, &cfg);
    let got = stored_pairs(&index);
    assert_eq!(got, want);
    // the clusters of the grown index are those of pairs on the whole corpus
    let clusters = pairs_clusters(&docs, &cfg);
    assert!(clusters.len() >= 5, "{clusters:?}");
    assert_eq!(index_clusters(&index), clusters);
    // every new pair was reported at its commit
    let reported: usize = acked.iter().map(|a| a.1).sum();
    let new_ids: std::collections::HashSet<&str> =
        docs[250..].iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        reported,
        want.iter()
            .filter(|p| new_ids.contains(p.1.as_str()))
            .count()
    );
    assert!(index.store().read().unwrap().check(true).unwrap().is_ok());
}

#[test]
fn re_adding_updating_and_removing() {
    let cfg = PipelineConfig::default();
    let docs = corpus(60, 4);
    let dir = tempfile::tempdir().unwrap();
    let mut all = docs.clone();
    let (index, _) = Index::build(dir.path(), &mut all, &cfg, false, None, &|_, _, _| {}).unwrap();
    let before = stored_pairs(&index);
    // the same documents again: nothing changes
    let mut kinds = Vec::new();
    let out = index
        .add(docs[..10].to_vec(), 100, None, &mut |b| {
            kinds.extend(b.iter().map(|a| a.kind));
            Ok(())
        })
        .unwrap();
    assert_eq!(out.unchanged, 10);
    assert!(kinds.iter().all(|k| *k == AddKind::Unchanged));
    assert_eq!(stored_pairs(&index), before);
    // a pair's later side gets another text: an update, its old pairs go
    let (a, b) = (before[0].0.clone(), before[0].1.clone());
    let other = Document::new(
        b.clone(),
        "Entirely different words about the weather in spring gardens today.",
    );
    let out = index.add(vec![other], 1, None, &mut |_| Ok(())).unwrap();
    assert_eq!(out.updated, 1);
    let after = stored_pairs(&index);
    assert!(!after.iter().any(|p| p.0 == b || p.1 == b));
    let r = index.store().read().unwrap();
    assert_eq!(
        r.doc_by_id(&b).unwrap().unwrap().doc.text.split(' ').next(),
        Some("Entirely")
    );
    assert!(r.check(true).unwrap().is_ok());
    drop(r);
    // removal takes the document and its pairs
    let (removed, unknown) = index.remove(&[a.clone(), "nope".into()]).unwrap();
    assert_eq!(unknown, vec!["nope".to_string()]);
    let _ = removed;
    assert!(!stored_pairs(&index).iter().any(|p| p.0 == a || p.1 == a));
    let r = index.store().read().unwrap();
    assert!(r.doc_by_id(&a).unwrap().is_none());
    assert!(r.check(true).unwrap().is_ok());
}

#[test]
fn a_fingerprint_that_becomes_common_stops_pairing() {
    // a stock sentence is no reuse by the rules of `pairs`: report short
    // passages here, so that what stops the pairing is the cut-off
    let cfg = PipelineConfig {
        reuse: whence::pipeline::RawReuseRules {
            min_passage_words: 5,
            ..Default::default()
        }
        .validate()
        .unwrap(),
        ..Default::default()
    };
    let max_df = cfg.index.get().max_df as usize;
    let stock =
        "The committee said the results would be published in full next month after a review.";
    let mut docs = corpus(20, 5);
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = Index::build(dir.path(), &mut docs, &cfg, false, None, &|_, _, _| {}).unwrap();
    let frequent_before = index
        .store()
        .read()
        .unwrap()
        .stats()
        .unwrap()
        .frequent_hashes;
    let mut pairs_per_doc = Vec::new();
    let extra: Vec<Document> = (0..max_df + 5)
        .map(|i| {
            let own: Vec<String> = (0..30).map(|j| format!("w{i}x{j}")).collect();
            Document::new(format!("stock{i}"), format!("{}. {stock}", own.join(" ")))
        })
        .collect();
    index
        .add(extra, 8, None, &mut |b| {
            pairs_per_doc.extend(b.iter().map(|a| a.pairs.len()));
            Ok(())
        })
        .unwrap();
    let r = index.store().read().unwrap();
    assert!(r.stats().unwrap().frequent_hashes > frequent_before);
    // the last documents, added after the phrase went over the cut-off, pair
    // with nothing through it
    assert!(
        pairs_per_doc[..4].iter().any(|&n| n > 0),
        "{pairs_per_doc:?}"
    );
    assert_eq!(pairs_per_doc[max_df + 1..], vec![0; 4], "{pairs_per_doc:?}");
    assert!(r.check(true).unwrap().is_ok());
}

#[test]
fn an_index_built_with_other_settings_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs = corpus(10, 6);
    Index::build(
        dir.path(),
        &mut docs,
        &PipelineConfig::default(),
        false,
        None,
        &|_, _, _| {},
    )
    .unwrap();
    let raw = whence::RawConfig {
        detect_boilerplate: false,
        ..Default::default()
    };
    let other = PipelineConfig {
        compare: raw.validate().unwrap(),
        ..Default::default()
    };
    let e = Index::open(dir.path(), &other).unwrap_err();
    assert!(e.to_string().contains("other settings"), "{e}");
    // and an existing index is not replaced without force
    let mut docs = corpus(10, 6);
    assert!(Index::build(
        dir.path(),
        &mut docs,
        &PipelineConfig::default(),
        false,
        None,
        &|_, _, _| {}
    )
    .is_err());
}
