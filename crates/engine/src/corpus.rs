//! Corpus loading and preparation shared by `extract`, `trace`, `pairs` and `dedup`.
//!
//! [`load`] reads every input through `whence-ingest` into memory, keeping every
//! skip with its reason; [`mark_boilerplate`] fills each document's boilerplate
//! spans from two detectors: block features inside the document
//! (`whence_extract::detect_boilerplate`) and lines that recur across many
//! documents of the same site (`whence_extract::RepeatedLines`, two passes).

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
/// for detection): in-document block features, plus lines recurring in many
/// documents of the same site (documents without a site form one group).
pub fn mark_boilerplate(docs: &mut [Document], config: &Config) {
    if !config.detect_boilerplate {
        return;
    }
    let mut repeated = RepeatedLines::new(RepeatedConfig::default());
    // lines hashed in parallel, counted in corpus order (the counts, and so the
    // output, do not depend on the thread count); chunks bound the memory
    for chunk in docs.chunks(COUNT_CHUNK) {
        let lines: Vec<_> = chunk
            .par_iter()
            .map(|d| RepeatedLines::lines_of(&d.text))
            .collect();
        for (d, l) in chunk.iter().zip(lines) {
            repeated.add_lines(d.meta.site.as_deref().unwrap_or(""), l);
        }
    }
    docs.par_iter_mut()
        .filter(|d| d.boilerplate.is_empty())
        .for_each(|d| {
            let mut spans = whence_extract::detect_boilerplate(&d.text);
            spans.extend(repeated.boilerplate(d.meta.site.as_deref().unwrap_or(""), &d.text));
            Span::merge_all(&mut spans);
            d.boilerplate = spans;
        });
}

#[cfg(test)]
mod tests {
    use super::*;

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
