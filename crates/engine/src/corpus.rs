//! Corpus loading and preparation shared by `extract`, `trace`, `pairs` and `dedup`.
//!
//! [`load`] reads every input through `whence-ingest` into memory, keeping every
//! skip with its reason; [`mark_boilerplate`] fills each document's boilerplate
//! spans from two detectors: block features inside the document
//! (`whence_extract::detect_boilerplate`) and lines and blocks (methodology notes,
//! taglines, column intros) that recur across many documents of the same site
//! (`whence_extract::RepeatedLines`, two passes).
//! Publication dates are checked as the corpus is read: a date that
//! `whence_cluster::parse_timestamp` cannot read is counted in [`DateStats`]
//! and reported as a warning naming the document, never dropped silently.

use rayon::prelude::*;
use whence_core::{Document, Span};
use whence_extract::{RepeatedConfig, RepeatedLines};
use whence_ingest::{Corpus, CorpusOptions, OpenError, ReadStats, Record, Skip, Warning};

use crate::Config;

/// The other fields of a JSON input object (everything but its text), kept for
/// outputs that pass input columns through.
pub use whence_ingest::Fields;

/// A corpus read into memory.
#[derive(Debug, Default)]
pub struct Loaded {
    pub docs: Vec<Document>,
    /// Where each document came from (file, and line or WARC record).
    pub origins: Vec<(String, Option<u64>)>,
    /// Each document's other JSON fields, when the options keep them
    /// ([`whence_ingest::CorpusSpec::keep_fields`]); empty otherwise.
    pub fields: Vec<Option<Box<Fields>>>,
    pub skips: Vec<Skip>,
    /// Warnings attached to documents (renamed ids, decoded encodings, replaced bytes).
    pub warnings: Vec<Warning>,
    pub stats: ReadStats,
    pub dates: DateStats,
}

/// How many documents carry a publication date, and how many of those dates
/// could not be read (those documents are treated as undated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DateStats {
    /// Documents whose date was read.
    pub dated: usize,
    /// Documents with a date field that could not be read.
    pub unreadable: usize,
}

/// Reads every document of the corpus; `progress` is called every 1,000 items.
pub fn load(
    options: &CorpusOptions,
    mut progress: impl FnMut(&ReadStats),
) -> Result<Loaded, OpenError> {
    let corpus = Corpus::open(options)?;
    let mut docs = corpus.documents();
    let mut out = Loaded::default();
    let mut n = 0u64;
    while let Some(item) = docs.next() {
        match item {
            Ok(Record {
                doc,
                input,
                line,
                warnings,
                fields,
                ..
            }) => {
                out.warnings.extend(warnings);
                if let Some(date) = doc.meta.date.as_deref() {
                    match whence_cluster::parse_timestamp(date) {
                        Ok(_) => out.dates.dated += 1,
                        Err(e) => {
                            out.dates.unreadable += 1;
                            out.warnings.push(Warning::UnreadableDate {
                                input: input.to_string(),
                                line,
                                id: doc.id.to_string(),
                                date: date.to_owned(),
                                reason: e.to_string(),
                            });
                        }
                    }
                }
                out.origins.push((input.to_string(), line));
                if options.keep_fields() {
                    out.fields.push(fields);
                }
                out.docs.push(doc);
            }
            Err(skip) => out.skips.push(skip),
        }
        n += 1;
        if n.is_multiple_of(1000) {
            progress(docs.stats());
        }
    }
    out.stats = docs.into_stats();
    Ok(out)
}

/// Documents whose lines are hashed at once while counting repeated lines.
const COUNT_CHUNK: usize = 4096;

/// Fills the boilerplate spans of documents that have none (when the config asks
/// for detection): in-document block features, plus lines and blocks recurring in
/// many documents of the same site (documents without a site form one group).
pub fn mark_boilerplate(docs: &mut [Document], config: &Config) {
    mark_boilerplate_counted(docs, config);
}

/// [`mark_boilerplate`], returning the repeated-line counts it used (`None` when
/// detection is off), for a caller that keeps them (a persistent index).
pub fn mark_boilerplate_counted(docs: &mut [Document], config: &Config) -> Option<RepeatedLines> {
    if !config.detect_boilerplate {
        return None;
    }
    let repeated = count_repeated_lines(docs);
    docs.par_iter_mut().for_each(|d| {
        if d.boilerplate.is_empty() {
            let (spans, forms) = repeated.boilerplate_and_forms(site_of(d), &d.text);
            d.boilerplate = boilerplate_with_repeated(&d.text, spans);
            d.forms = forms;
        } else {
            d.forms = repeated.forms(site_of(d), &d.text);
        }
    });
    Some(repeated)
}

/// The repeated-line settings every command uses.
pub fn repeated_config() -> RepeatedConfig {
    RepeatedConfig::default()
}

/// The site a document's lines are counted under (`""` without one).
pub fn site_of(doc: &Document) -> &str {
    doc.meta.site.as_deref().unwrap_or("")
}

/// Text counted per pass of the 8-gram count: a corpus of more is counted in
/// that many passes, each over one hash partition of the grams, so the count's
/// memory follows this size, not the corpus's.
const GRAM_PASS_BYTES: usize = 512 << 20;

/// Counts the lines and 8-grams of every document per site, exactly: the counts
/// (and so boilerplate, forms and pairs) depend neither on the thread count nor
/// on the order of the documents. A corpus of more than [`GRAM_PASS_BYTES`] of
/// text is counted in passes over hash partitions of the grams; after each pass
/// the grams seen in fewer documents than any rule needs are dropped.
pub fn count_repeated_lines(docs: &[Document]) -> RepeatedLines {
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    count_repeated_lines_in(docs, bytes.div_ceil(GRAM_PASS_BYTES).max(1) as u64)
}

/// [`count_repeated_lines`] in `parts` passes over the grams.
fn count_repeated_lines_in(docs: &[Document], parts: u64) -> RepeatedLines {
    let rcfg = repeated_config();
    let mut repeated = RepeatedLines::new(rcfg.clone());
    // the least any site needs (block_need grows with the site)
    let useful = rcfg.gram_need(0);
    for part in 0..parts {
        // hashed in parallel, counted in chunks that bound the memory
        for chunk in docs.chunks(COUNT_CHUNK) {
            let lines: Vec<_> = chunk
                .par_iter()
                .map(|d| RepeatedLines::lines_of(&rcfg, &d.text).gram_part(part, parts))
                .collect();
            for (d, l) in chunk.iter().zip(lines) {
                if part == 0 {
                    repeated.add_lines(site_of(d), l);
                } else {
                    repeated.add_grams(site_of(d), l);
                }
            }
        }
        repeated.drop_rare_grams(useful);
    }
    repeated
}

/// A document's boilerplate from its own block features plus the `repeated`
/// line spans found for it, merged.
pub fn boilerplate_with_repeated(text: &str, repeated: Vec<Span>) -> Vec<Span> {
    let mut spans = whence_extract::detect_boilerplate(text);
    spans.extend(repeated);
    Span::merge_all(&mut spans);
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Documents of two sites sharing a tagline, a form sentence and a chrome
    /// line, in an order given by `order`.
    fn site_docs(order: &[usize]) -> Vec<Document> {
        order
            .iter()
            .map(|&i| {
                let site = if i % 3 == 0 { "east" } else { "west" };
                let mut d = Document::new(
                    format!("d{i}"),
                    format!(
                        "Home | News\n\nStory {i} tells of the harbour, the ferry number {} and the {} passengers it carried on day {}.\n\nThe company said its board has authorized the repurchase from time to time of up to {} shares.\n\nThis report was prepared with the help of the regional newsroom cooperative, which shares its coverage with member papers.",
                        i * 7 + 1,
                        i * 13 + 5,
                        i % 9,
                        (i + 2) * 1000
                    ),
                );
                d.meta.site = Some(site.into());
                d
            })
            .collect()
    }

    fn marks(docs: &[Document], repeated: &RepeatedLines) -> Vec<(String, Vec<Span>, Vec<Span>)> {
        let mut out: Vec<_> = docs
            .iter()
            .map(|d| {
                (
                    d.id.to_string(),
                    repeated.boilerplate(site_of(d), &d.text),
                    repeated.forms(site_of(d), &d.text),
                )
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn repeated_counts_depend_neither_on_order_nor_on_passes() {
        let forward: Vec<usize> = (0..60).collect();
        let docs = site_docs(&forward);
        let once = count_repeated_lines_in(&docs, 1);
        let want = marks(&docs, &once);
        assert!(
            want.iter()
                .all(|(_, bp, forms)| !bp.is_empty() && !forms.is_empty()),
            "chrome, tagline and form found: {:?}",
            want[0]
        );
        // in three passes over the grams
        assert_eq!(marks(&docs, &count_repeated_lines_in(&docs, 3)), want);
        // in another order
        let shuffled: Vec<usize> = (0..60).map(|i| (i * 37) % 60).collect();
        let other = site_docs(&shuffled);
        assert_eq!(marks(&other, &count_repeated_lines_in(&other, 2)), want);
    }

    #[test]
    fn unreadable_dates_are_counted_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("news.jsonl");
        let mut lines = vec![
            r#"{"id": "east", "text": "One.", "date": "2015-10-02T01:00:00+05:00"}"#.to_owned(),
            r#"{"id": "bad", "text": "Two.", "date": "31-MAR-1987 605:12:19.12"}"#.to_owned(),
            r#"{"id": "none", "text": "Three."}"#.to_owned(),
        ];
        lines.extend(
            (0..11).map(|i| format!(r#"{{"id": "z{i}", "text": "More.", "date": "soon"}}"#)),
        );
        std::fs::write(&path, lines.join("\n")).unwrap();
        let options = whence_ingest::CorpusSpec::with_inputs([path])
            .validate()
            .unwrap();
        let loaded = load(&options, |_| {}).unwrap();
        assert_eq!(loaded.docs.len(), 14, "no document is dropped");
        assert_eq!(
            loaded.dates,
            DateStats {
                dated: 1,
                unreadable: 12
            }
        );
        let named: Vec<String> = loaded
            .warnings
            .iter()
            .filter(|w| w.kind() == "unreadable date")
            .map(|w| w.to_string())
            .collect();
        assert_eq!(named.len(), 12, "every one is reported: {named:?}");
        assert!(
            named[0].contains("news.jsonl:2: document `bad`"),
            "{}",
            named[0]
        );
        assert!(
            named[0].contains("time of day out of range"),
            "{}",
            named[0]
        );
    }

    #[test]
    fn site_chrome_is_marked_across_documents() {
        let mut docs: Vec<Document> = (0..12)
            .map(|i| {
                let mut d = Document::new(
                    format!("d{i}"),
                    format!("Kabo Daily | News\n\nStory number {i} tells of event {i} in detail, with facts and quotes.\n\nGet the Kabo Daily app on your phone."),
                );
                d.meta.site = Some("site001".into());
                d
            })
            .collect();
        mark_boilerplate(&mut docs, &Config::default());
        for d in &docs {
            let marked: Vec<&str> = d.boilerplate.iter().map(|s| &d.text[s.range()]).collect();
            assert!(
                marked.iter().any(|m| m.contains("Kabo Daily | News")),
                "{marked:?}"
            );
            assert!(
                !marked.iter().any(|m| m.contains("Story number")),
                "{marked:?}"
            );
        }
    }
}
