//! The corpus pipeline cut into stages that run on parts of a corpus.
//!
//! `whence pairs` runs on one machine with the whole corpus in memory; a runner
//! that distributes the work (the PySpark job of `crates/python`) holds a part of
//! the corpus in each task and brings together by shuffling keys what a step needs.
//! This module gives both the same per-item and per-group steps, so that they
//! cannot drift apart: [`crate::corpus::mark_boilerplate`] and
//! [`crate::pipeline::pairs`] are built from them, and a distributed runner only
//! aggregates counts and moves rows between them.
//!
//! 1. Boilerplate: each document contributes its distinct lines and sampled
//!    8-grams ([`doc_lines`]); the runner counts, per site, the documents holding
//!    each hash and the site's documents; counts under [`repeated_min_count`] can
//!    be dropped; [`mark_document`] then marks a document with its
//!    [`repeated_spans`] (repeated lines and blocks), and [`mark_forms`] sets its
//!    form spans (recurring wording the reuse rules read, not masked).
//! 2. Sketches: [`sketch_documents`] (a batch, in parallel);
//!    [`distinct_fingerprints`] are what the fingerprint index counts.
//! 3. Candidates: a fingerprint held by more documents than the cut-off is
//!    dropped ([`is_frequent`], document frequencies counted over the whole
//!    corpus); each kept fingerprint's documents pair up ([`posting_pairs`]); a pair
//!    sharing enough kept fingerprints is a candidate ([`index_candidate`]). MinHash
//!    signatures give [`band_keys`]; documents sharing a band key pair up
//!    ([`bucket_pairs`]) and stay when their signatures agree ([`near_duplicate`]).
//! 4. Verification: [`verify_candidate`] aligns one candidate pair with both
//!    documents' analyses and keeps it when the reuse rules report it or call it
//!    a near-duplicate.
//! 5. Clusters: connected components over the verified pairs (the runner's own),
//!    each with its representative ([`representative`], from [`doc_info`]s).
//!
//! Document numbers (`u32`) are positions in the corpus's reading order; every
//! rule that breaks ties (a star's hub, a representative) uses them, so a runner
//! must number documents in that order to get the single-machine answer.
//!
//! ```
//! use whence::pipeline::PipelineConfig;
//! use whence::{stages, Document};
//! let cfg = PipelineConfig::default();
//! let wire = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three districts, the emergency service said.";
//! let mut docs = vec![Document::new("wire", wire), Document::new("copy", format!("{wire} Schools stay closed."))];
//! for d in &mut docs {
//!     stages::mark_document(d, &cfg.compare, |text| stages::repeated_spans(text, 2, |_| 0, |_| 0));
//! }
//! let sketches = stages::sketch_documents(&docs, &cfg);
//! let fps: Vec<Vec<u64>> = sketches.iter().map(stages::distinct_fingerprints).collect();
//! let shared = fps[0].iter().filter(|h| fps[1].binary_search(h).is_ok()).count() as u32;
//! let (ka, kb) = (fps[0].len() as u32, fps[1].len() as u32);
//! assert!(stages::index_candidate(&cfg, 0, 1, shared, ka, kb));
//! let (ta, tb) = (stages::analyze(&docs[0]), stages::analyze(&docs[1]));
//! let pair_cfg = stages::pair_config(&cfg);
//! let p = stages::verify_candidate(0, &docs[0], &ta, 1, &docs[1], &tb, &pair_cfg, &cfg).unwrap();
//! assert_eq!(p.alignment.summary.relation.as_str(), "near_duplicate");
//! ```

use rayon::prelude::*;
use whence_cluster::{DocInfo, Pick};
use whence_core::{Document, Span, TokenStream};
pub use whence_extract::DocLines;
use whence_extract::{RepeatedConfig, RepeatedLines};
use whence_sketch::MinHasher;

use crate::pipeline::verify::time_of;
use crate::pipeline::{sketch, PairResult, PipelineConfig, Sketch};
use crate::Config;

/// The repeated-line settings the corpus commands use.
pub fn repeated_config() -> RepeatedConfig {
    crate::corpus::repeated_config()
}

/// The site a document's lines are counted under (documents without a site form
/// one group, `""`).
pub fn site_of(doc: &Document) -> &str {
    crate::corpus::site_of(doc)
}

/// A document's contribution to the repeated-line counts: its distinct lines and
/// sampled 8-grams. Count each hash under [`site_of`], once per document.
pub fn doc_lines(doc: &Document) -> DocLines {
    RepeatedLines::lines_of(&repeated_config(), &doc.text)
}

/// `(line, gram)`: the documents of its site a line, and a sampled 8-gram, must
/// occur in to count as repeated (a gram: in a block, or in a form, whichever
/// needs fewer), on a site of `site_docs` documents. Counts below them can be
/// left out of what [`repeated_spans`] and [`mark_forms`] are given.
pub fn repeated_min_count(site_docs: u32) -> (u32, u32) {
    let c = repeated_config();
    (c.line_need(site_docs), c.gram_need(site_docs))
}

/// The spans of `text`'s repeated lines and blocks on a site of `site_docs`
/// documents, given the corpus's counts of its line hashes (`line_count`) and
/// sampled 8-gram hashes (`gram_count`): what `RepeatedLines::boilerplate` gives
/// when it counted the whole corpus.
pub fn repeated_spans(
    text: &str,
    site_docs: u32,
    line_count: impl Fn(u64) -> u32,
    gram_count: impl Fn(u64) -> u32,
) -> Vec<Span> {
    let c = repeated_config();
    let mut out = whence_extract::repeated_spans(&c, site_docs, text, line_count);
    out.extend(whence_extract::repeated_block_spans(
        &c, site_docs, text, gram_count,
    ));
    Span::merge_all(&mut out);
    out
}

/// Marks `doc`'s boilerplate when it has none and the config asks for detection:
/// in-document block features plus its repeated lines and blocks (`repeated`
/// gives their spans in a text: [`repeated_spans`], or
/// `RepeatedLines::boilerplate`).
pub fn mark_document(
    doc: &mut Document,
    config: &Config,
    repeated: impl FnOnce(&str) -> Vec<Span>,
) {
    if !config.detect_boilerplate || !doc.boilerplate.is_empty() {
        return;
    }
    let repeated = repeated(&doc.text);
    doc.boilerplate = crate::corpus::boilerplate_with_repeated(&doc.text, repeated);
}

/// Sets `doc`'s form spans ([`Document::forms`]: the site's recurring wording,
/// read by the reuse rules) from the corpus's counts of its sampled 8-gram hashes
/// (`gram_count`) when the config asks for boilerplate detection: what
/// `RepeatedLines::forms` gives when it counted the whole corpus.
pub fn mark_forms(doc: &mut Document, config: &Config, gram_count: impl Fn(u64) -> u32) {
    if config.detect_boilerplate {
        doc.forms = whence_extract::repeated_form_spans(&repeated_config(), &doc.text, gram_count);
    }
}

/// Sketches of a batch of documents (boilerplate marked), in parallel, in order.
pub fn sketch_documents(docs: &[Document], cfg: &PipelineConfig) -> Vec<Sketch> {
    let hasher = MinHasher::new(cfg.minhash);
    docs.par_iter().map(|d| sketch(d, cfg, &hasher)).collect()
}

/// A sketch's distinct fingerprint hashes, ascending: what the index counts (a
/// document holds a fingerprint once, whatever its repeats).
pub fn distinct_fingerprints(s: &Sketch) -> Vec<u64> {
    let mut h = s.fingerprints.clone();
    h.sort_unstable();
    h.dedup();
    h
}

/// Whether a fingerprint held by `df` documents of the whole corpus is over the
/// cut-off: it pairs nothing and counts in no document's kept fingerprints.
pub fn is_frequent(cfg: &PipelineConfig, df: u64) -> bool {
    cfg.index.is_frequent(df)
}

/// The document pairs `(a, b)`, `a < b`, of one kept fingerprint held by `docs`
/// (distinct, any order; sorted here).
pub fn posting_pairs(docs: &mut [u32], mut emit: impl FnMut(u32, u32)) {
    docs.sort_unstable();
    for (i, &a) in docs.iter().enumerate() {
        for &b in &docs[i + 1..] {
            emit(a, b);
        }
    }
}

/// Whether documents `a < b`, sharing `shared` kept fingerprints of the `kept_a`
/// and `kept_b` they hold after the cut-off, are a candidate pair.
pub fn index_candidate(
    cfg: &PipelineConfig,
    a: u32,
    b: u32,
    shared: u32,
    kept_a: u32,
    kept_b: u32,
) -> bool {
    cfg.index.candidate(a, b, shared, kept_a, kept_b).is_some()
}

/// `(band, key)` of each LSH band of a sketch's signature (none for a signature
/// too short to band).
pub fn band_keys(s: &Sketch, cfg: &PipelineConfig) -> impl Iterator<Item = (u32, u64)> {
    whence_candidates::band_keys(&s.signature, &cfg.lsh)
        .into_iter()
        .enumerate()
        .map(|(band, key)| (band as u32, key))
}

/// The pairs of one LSH bucket (documents sharing a band key, distinct, any
/// order; sorted here): all pairs, or a star from the first beyond the bucket cap.
pub fn bucket_pairs(docs: &mut [u32], cfg: &PipelineConfig, emit: impl FnMut(u32, u32)) {
    docs.sort_unstable();
    whence_candidates::bucket_pairs(docs, &cfg.lsh, emit);
}

/// Whether a pair that shares an LSH band has signatures close enough to be a
/// near-duplicate candidate.
pub fn near_duplicate(a: &Sketch, b: &Sketch, cfg: &PipelineConfig) -> bool {
    whence_candidates::near_pair(0, 1, &a.signature, &b.signature, &cfg.lsh).is_some()
}

/// The token stream verification aligns (one per document; reuse it for the
/// document's other pairs).
pub fn analyze(doc: &Document) -> TokenStream {
    whence_text::analyze(&doc.text)
}

/// The settings `pairs` aligns candidate pairs with: no drift (no corpus output
/// reports it), the semantic stage kept to the reuse envelope.
pub fn pair_config(cfg: &PipelineConfig) -> Config {
    crate::pipeline::verify::pair_config(cfg)
}

/// Verifies candidate pair `a < b` (documents numbered in corpus order,
/// boilerplate marked, `ta`/`tb` from [`analyze`]) as `pairs` does, with
/// `pair_cfg` from [`pair_config`]: aligned, its relation oriented by the dates,
/// judged by `cfg`'s reuse rules; the pair when they report it or call it a
/// near-duplicate (`duplicate`, what `dedup` clusters).
#[allow(clippy::too_many_arguments)]
pub fn verify_candidate(
    a: u32,
    da: &Document,
    ta: &TokenStream,
    b: u32,
    db: &Document,
    tb: &TokenStream,
    pair_cfg: &Config,
    cfg: &PipelineConfig,
) -> Option<PairResult> {
    crate::pipeline::verify::verify_pair(a, b, (da, ta), (db, tb), pair_cfg, &cfg.reuse)
}

/// What choosing a representative needs to know of document number `order`.
pub fn doc_info(order: u32, doc: &Document) -> DocInfo {
    DocInfo::new(order, doc.text.chars().count(), time_of(doc))
}

/// The representative of a cluster of `(document number, info)` members.
pub fn representative(
    members: impl IntoIterator<Item = (u32, DocInfo)>,
    pick: Pick,
) -> Option<u32> {
    whence_cluster::representative(members, pick)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::corpus::mark_boilerplate;
    use crate::pipeline::{pairs, reuse_clusters};

    /// Documents of two sites with chrome lines, copies and near-copies.
    fn corpus() -> Vec<Document> {
        let stories = [
            "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts, the regional emergency service said. Water rose by nearly two metres overnight after three days of heavy rain.",
            "The annual spring market opened on Saturday in the old town square, with more than sixty stalls selling cheese, honey, bread and pottery to visitors from across the region.",
            "A new bridge over the harbour will open to traffic next month after four years of building work, the transport minister told reporters on a visit to the site on Friday.",
        ];
        let mut docs = Vec::new();
        for i in 0..24 {
            let story = stories[i % 3];
            let site = if i % 2 == 0 { "north" } else { "south" };
            // chrome lines, and a block inside a paragraph (the repeated-block rule)
            let text = format!(
                "{} Daily | Home\n\n{story} Reported by desk {}. This report was prepared with the help of the regional newsroom cooperative, which shares its coverage with member papers.\n\nFollow {site} on the app",
                site.to_uppercase(),
                i % 5
            );
            let mut d = Document::new(format!("d{i}"), text);
            d.meta.site = Some(site.into());
            if i % 4 == 0 {
                d.meta.date = Some(format!("2020-01-{:02}", 28 - i));
            }
            docs.push(d);
        }
        docs
    }

    /// The stages as a distributed runner strings them together: global counts
    /// gathered in maps, groups formed by key, nothing shared but the counts.
    fn staged_pairs(docs: &mut [Document], cfg: &PipelineConfig) -> Vec<PairResult> {
        // 1. repeated lines and 8-grams, counted per site, then marked per document
        let mut site_docs: BTreeMap<String, u32> = BTreeMap::new();
        let mut lines: BTreeMap<(String, u64), u32> = BTreeMap::new();
        let mut grams: BTreeMap<(String, u64), u32> = BTreeMap::new();
        for d in docs.iter() {
            let site = site_of(d).to_owned();
            *site_docs.entry(site.clone()).or_default() += 1;
            let dl = doc_lines(d);
            for &h in dl.hashes() {
                *lines.entry((site.clone(), h)).or_default() += 1;
            }
            for &h in dl.grams() {
                *grams.entry((site.clone(), h)).or_default() += 1;
            }
        }
        for d in docs.iter_mut() {
            let site = site_of(d).to_owned();
            let n = site_docs[&site];
            let count = |m: &BTreeMap<(String, u64), u32>, h| {
                m.get(&(site.clone(), h)).copied().unwrap_or(0)
            };
            mark_document(d, &cfg.compare, |text| {
                repeated_spans(text, n, |h| count(&lines, h), |h| count(&grams, h))
            });
            mark_forms(d, &cfg.compare, |h| count(&grams, h));
        }
        // 2. sketches
        let sketches = sketch_documents(docs, cfg);
        // 3. candidates: document frequencies, kept postings, pairs, the rule
        let fps: Vec<Vec<u64>> = sketches.iter().map(distinct_fingerprints).collect();
        let mut postings: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        for (d, f) in fps.iter().enumerate() {
            for &h in f {
                postings.entry(h).or_default().push(d as u32);
            }
        }
        let frequent: BTreeSet<u64> = postings
            .iter()
            .filter(|(_, ds)| is_frequent(cfg, ds.len() as u64))
            .map(|(&h, _)| h)
            .collect();
        let kept: Vec<u32> = fps
            .iter()
            .map(|f| f.iter().filter(|h| !frequent.contains(h)).count() as u32)
            .collect();
        let mut shared: BTreeMap<(u32, u32), u32> = BTreeMap::new();
        for (h, ds) in postings.iter_mut() {
            if !frequent.contains(h) {
                posting_pairs(ds, |a, b| *shared.entry((a, b)).or_default() += 1);
            }
        }
        let mut cand: BTreeSet<(u32, u32)> = shared
            .iter()
            .filter(|(&(a, b), &s)| {
                index_candidate(cfg, a, b, s, kept[a as usize], kept[b as usize])
            })
            .map(|(&p, _)| p)
            .collect();
        let mut buckets: BTreeMap<(u32, u64), Vec<u32>> = BTreeMap::new();
        for (d, s) in sketches.iter().enumerate() {
            for k in band_keys(s, cfg) {
                buckets.entry(k).or_default().push(d as u32);
            }
        }
        for ds in buckets.values_mut() {
            bucket_pairs(ds, cfg, |a, b| {
                if near_duplicate(&sketches[a as usize], &sketches[b as usize], cfg) {
                    cand.insert((a, b));
                }
            });
        }
        // 4. verification
        let pair_cfg = pair_config(cfg);
        cand.into_iter()
            .filter_map(|(a, b)| {
                let (da, db) = (&docs[a as usize], &docs[b as usize]);
                verify_candidate(a, da, &analyze(da), b, db, &analyze(db), &pair_cfg, cfg)
            })
            .collect()
    }

    #[test]
    fn the_stages_give_the_pipelines_answer() {
        let cfg = PipelineConfig::default();
        let mut whole = corpus();
        mark_boilerplate(&mut whole, &cfg.compare);
        let tagline = "This report was prepared";
        assert!(
            whole.iter().all(|d| d.boilerplate.len() >= 2
                && d.boilerplate
                    .iter()
                    .any(|s| d.text[s.range()].starts_with(tagline))),
            "chrome and the repeated block marked: {:?}",
            whole[0].boilerplate
        );
        let want = pairs(&whole, &cfg, &|_, _, _| {}).unwrap();
        let mut staged = corpus();
        let got = staged_pairs(&mut staged, &cfg);
        let boilerplate =
            |ds: &[Document]| ds.iter().map(|d| d.boilerplate.clone()).collect::<Vec<_>>();
        assert_eq!(boilerplate(&staged), boilerplate(&whole));
        assert!(want.pairs.len() > 20, "{}", want.pairs.len());
        assert_eq!(got.len(), want.pairs.len());
        for (g, p) in got.iter().zip(&want.pairs) {
            assert_eq!((g.a, g.b), (p.a, p.b));
            assert_eq!(g.alignment, p.alignment);
            assert_eq!(g.duplicate, p.duplicate);
        }
        // representatives, as pairs --clusters picks them
        let clusters = reuse_clusters(&whole, &want.pairs, Pick::Earliest);
        for c in &clusters {
            let members = c
                .members
                .iter()
                .map(|&m| (m, doc_info(m, &whole[m as usize])));
            assert_eq!(
                representative(members, Pick::Earliest),
                Some(c.representative)
            );
        }
        assert!(clusters.iter().any(|c| c.representative != c.members[0]));
    }
}
