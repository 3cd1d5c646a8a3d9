//! `trace`: one document's sources in a corpus, what they explain, and the
//! document's METER derivation class.
//!
//! The traced document is never its own source: corpus documents with its id
//! or its text (and, through [`TraceOptions::same_file`], those read from its
//! file) are left out and listed in [`Trace::left_out`], unless
//! [`TraceOptions::include_self`]. Sources are ranked by what they explain —
//! the share of the document covered by their verbatim and edited passages,
//! plus half the share covered only by paraphrase (weaker evidence) — and those
//! dated after the document are flagged [`Source::later`]. An empty corpus is an
//! error, not a document without sources.

use rayon::prelude::*;
use whence_align::{novel, reused_fraction, SentenceEncoder};
use whence_candidates::IndexBuilder;
use whence_core::{Alignment, Document, PassageKind, Span, TokenStream};
use whence_sketch::MinHasher;

use super::sketch::mask;
use super::verify::{is_reuse, time_of, verify_with};
use super::{sketch, PipelineConfig, PipelineError};

/// One source of a traced document.
#[derive(Clone, Debug)]
pub struct Source {
    pub doc: u32,
    /// The verified alignment, without drift (see [`PairResult::alignment`]).
    pub alignment: Alignment,
    /// Share of the document covered by this source's verbatim and edited passages.
    pub reused_lexical: f64,
    /// Dated after the document (both dates known): it cannot be its source.
    pub later: bool,
}

impl Source {
    /// What the source explains of the document, the ranking key: lexical
    /// coverage plus half of the coverage only paraphrase passages add.
    pub fn explains(&self) -> f64 {
        let all = self.alignment.summary.a_reused;
        self.reused_lexical + 0.5 * (all - self.reused_lexical).max(0.0)
    }
}

/// Why a corpus document was taken for the traced document itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelfMatch {
    SameId,
    SameText,
    SameFile,
}

impl SelfMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            SelfMatch::SameId => "same id",
            SelfMatch::SameText => "same text",
            SelfMatch::SameFile => "same file",
        }
    }
}

/// How `trace` treats copies of the traced document in the corpus.
#[derive(Clone, Debug, Default)]
pub struct TraceOptions {
    /// Keep corpus documents that are the traced document itself as sources.
    pub include_self: bool,
    /// Corpus indices read from the traced document's own file (the caller
    /// knows paths; the engine does not).
    pub same_file: Vec<u32>,
}

/// The METER derivation classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derivation {
    Wholly,
    Partially,
    Non,
}

impl Derivation {
    pub fn as_str(self) -> &'static str {
        match self {
            Derivation::Wholly => "wholly",
            Derivation::Partially => "partially",
            Derivation::Non => "non",
        }
    }
}

/// What `trace` found.
#[derive(Clone, Debug)]
pub struct Trace {
    /// Sources, most explaining first.
    pub sources: Vec<Source>,
    /// Corpus documents left out as the traced document itself (their position
    /// in the corpus; for an index query, their sequence numbers in the index).
    pub left_out: Vec<(u32, SelfMatch)>,
    /// The traced document's publication time: its own date, else that of
    /// the corpus document with its id.
    pub time: Option<whence_cluster::Timestamp>,
    /// Fraction of the document's non-boilerplate, non-whitespace characters covered
    /// by passages from all sources together.
    pub reused: f64,
    /// The same, counting only verbatim and edited passages.
    pub reused_lexical: f64,
    pub novel: Vec<Span>,
    pub derivation: Derivation,
    /// Candidates whose wording [`derivation`] counts although no passage of
    /// theirs passes the paraphrase gate (a rewrite of the wire without an
    /// 8-word run): listed without passages, by their number as for
    /// [`Source::doc`], ascending.
    pub related: Vec<u32>,
}

/// Corpora up to this size are verified document by document; larger ones
/// through the fingerprint index.
pub const SCAN_ALL: usize = 2000;

/// Finds `doc`'s sources in `corpus`, leaving out the document itself.
pub fn trace(
    doc: &Document,
    corpus: &[Document],
    cfg: &PipelineConfig,
) -> Result<Trace, PipelineError> {
    trace_with(doc, corpus, cfg, None)
}

/// [`trace`], verifying with the semantic stage when an `encoder` is given (see
/// [`verify_with`]).
pub fn trace_with(
    doc: &Document,
    corpus: &[Document],
    cfg: &PipelineConfig,
    encoder: Option<&dyn SentenceEncoder>,
) -> Result<Trace, PipelineError> {
    trace_with_options(doc, corpus, cfg, encoder, &TraceOptions::default())
}

/// Is `other` the traced document itself? Same id, or the same text (surrounding
/// whitespace aside).
pub(crate) fn self_match(doc: &Document, other: &Document) -> Option<SelfMatch> {
    if other.id == doc.id {
        Some(SelfMatch::SameId)
    } else if other.text.trim() == doc.text.trim() {
        Some(SelfMatch::SameText)
    } else {
        None
    }
}

/// [`trace_with`], with control over copies of the document itself.
pub fn trace_with_options(
    doc: &Document,
    corpus: &[Document],
    cfg: &PipelineConfig,
    encoder: Option<&dyn SentenceEncoder>,
    options: &TraceOptions,
) -> Result<Trace, PipelineError> {
    if corpus.is_empty() {
        return Err(PipelineError::EmptyCorpus);
    }
    u32::try_from(corpus.len()).map_err(|_| PipelineError::TooManyDocuments)?;
    let mut left_out: Vec<(u32, SelfMatch)> = corpus
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let by_file = options
                .same_file
                .contains(&(i as u32))
                .then_some(SelfMatch::SameFile);
            self_match(doc, d).or(by_file).map(|m| (i as u32, m))
        })
        .collect();
    let time = time_of(doc).or_else(|| {
        left_out
            .iter()
            .find(|(_, m)| *m == SelfMatch::SameId)
            .and_then(|&(i, _)| time_of(&corpus[i as usize]))
    });
    if options.include_self {
        left_out.clear();
    }
    let is_self = |i: u32| left_out.binary_search_by_key(&i, |&(j, _)| j).is_ok();
    let candidates: Vec<u32> = if corpus.len() <= SCAN_ALL {
        (0..corpus.len() as u32).collect()
    } else {
        let hasher = MinHasher::new(cfg.minhash);
        let mut builder = IndexBuilder::new(cfg.index.clone());
        let fps: Vec<Vec<u64>> = corpus
            .par_iter()
            .map(|d| sketch(d, cfg, &hasher).fingerprints)
            .collect();
        for (i, f) in fps.iter().enumerate() {
            builder.add(i as u32, f)?;
        }
        let index = builder.finish()?;
        let q = sketch(doc, cfg, &hasher).fingerprints;
        index.query(&q)?.into_iter().map(|h| h.doc).collect()
    };
    let among: Vec<(u32, &Document)> = candidates
        .iter()
        .filter(|&&i| !is_self(i))
        .map(|&i| (i, &corpus[i as usize]))
        .collect();
    let mut trace = trace_among_at(doc, &among, cfg, encoder, time);
    trace.left_out = left_out;
    Ok(trace)
}

/// The verification half of [`trace_with`]: `doc`'s sources among `candidates`
/// (each with the number a [`Source`] reports; boilerplate as marked on them).
/// A persistent index calls it with the candidates it looked up.
/// Sources dated after the document's own date are flagged `later`.
pub fn trace_among(
    doc: &Document,
    candidates: &[(u32, &Document)],
    cfg: &PipelineConfig,
    encoder: Option<&dyn SentenceEncoder>,
) -> Trace {
    trace_among_at(doc, candidates, cfg, encoder, time_of(doc))
}

/// [`trace_among`] with the document's publication `time` given (it may come from
/// the corpus copy of the document rather than the document itself).
fn trace_among_at(
    doc: &Document,
    candidates: &[(u32, &Document)],
    cfg: &PipelineConfig,
    encoder: Option<&dyn SentenceEncoder>,
    time: Option<whence_cluster::Timestamp>,
) -> Trace {
    let td = whence_text::analyze(&doc.text);
    // a trace reports passages, not drift; its candidates are a corpus's
    let compare = cfg.compare.without_drift().with_paraphrase_gate();
    let ungated = cfg.compare.without_drift();
    // each candidate with its analysis: a source (its passages reported), or
    // only vocabulary for the content overlap below
    let checked: Vec<(Result<Source, u32>, TokenStream, &Document)> = candidates
        .par_iter()
        .filter_map(|&(i, d)| {
            let ts = whence_text::analyze(&d.text);
            let al = verify_with(doc, &td, d, &ts, &compare, encoder);
            if !is_reuse(&al) {
                // the paraphrase gate keeps weak sentence matches out of what a
                // trace reports; the derivation rule reads the vocabulary of
                // every candidate that shows reuse without it (the rule was
                // fitted that way, and a rewrite of the wire without an 8-word
                // run is such a candidate)
                let loose = verify_with(doc, &td, d, &ts, &ungated, None);
                return is_reuse(&loose).then_some((Err(i), ts, d));
            }
            let lexical = al
                .passages
                .iter()
                .filter(|p| p.kind != PassageKind::Paraphrase)
                .map(|p| p.a);
            let reused_lexical = reused_fraction(&doc.text, lexical, &doc.boilerplate);
            let later = matches!((time, time_of(d)), (Some(t), Some(s)) if s > t);
            Some((
                Ok(Source {
                    doc: i,
                    alignment: al,
                    reused_lexical,
                    later,
                }),
                ts,
                d,
            ))
        })
        .collect();
    let overlap = content_overlap(
        &td,
        &doc.boilerplate,
        checked
            .iter()
            .map(|(_, ts, d)| (ts, d.boilerplate.as_slice())),
    );
    let mut related: Vec<u32> = checked
        .iter()
        .filter_map(|(s, _, _)| s.as_ref().err().copied())
        .collect();
    related.sort_unstable();
    let mut found: Vec<(Source, &Document)> = checked
        .into_iter()
        .filter_map(|(s, _, d)| s.ok().map(|s| (s, d)))
        .collect();
    found.sort_by(|(x, _), (y, _)| {
        y.explains()
            .total_cmp(&x.explains())
            .then(y.reused_lexical.total_cmp(&x.reused_lexical))
            .then(x.doc.cmp(&y.doc))
    });
    let sources: Vec<Source> = found.into_iter().map(|(s, _)| s).collect();
    let all: Vec<Span> = sources
        .iter()
        .flat_map(|s| s.alignment.passages.iter().map(|p| p.a))
        .collect();
    let lexical: Vec<Span> = sources
        .iter()
        .flat_map(|s| {
            s.alignment
                .passages
                .iter()
                .filter(|p| p.kind != PassageKind::Paraphrase)
                .map(|p| p.a)
        })
        .collect();
    let reused = reused_fraction(&doc.text, all.iter().copied(), &doc.boilerplate);
    let reused_lexical = reused_fraction(&doc.text, lexical.into_iter(), &doc.boilerplate);
    let novel = novel(&doc.text, all.into_iter(), &doc.boilerplate);
    Trace {
        sources,
        left_out: Vec::new(),
        time,
        reused,
        reused_lexical,
        novel,
        derivation: derivation(overlap, reused_lexical),
        related,
    }
}

/// How much of a document's content its sources account for: the vocabulary
/// evidence behind [`derivation`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ContentOverlap {
    /// Share (0–1) of the document's content-word tokens (not function words, not
    /// boilerplate) whose matching key occurs somewhere in the sources; 0 when
    /// there is no source or no content word.
    pub in_sources: f64,
    /// Distinct content-word keys of the document that occur in no source: what the
    /// document adds.
    pub new_words: usize,
}

/// Content overlap of `doc` (its tokens and boilerplate spans, sorted and
/// disjoint) with the union of `sources` (tokens and boilerplate of each).
/// Keys are the analyzer's matching keys (folded, stemmed), so inflections match.
pub fn content_overlap<'a>(
    doc: &TokenStream,
    doc_boilerplate: &[Span],
    sources: impl IntoIterator<Item = (&'a TokenStream, &'a [Span])>,
) -> ContentOverlap {
    let mut vocab = std::collections::HashSet::new();
    for (ts, bp) in sources {
        let m = mask(ts, bp);
        vocab.extend(
            ts.tokens
                .iter()
                .enumerate()
                .filter(|(i, _)| !m.as_ref().is_some_and(|m| m[*i]))
                .map(|(_, t)| t.key),
        );
    }
    let m = mask(doc, doc_boilerplate);
    let content = doc
        .tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| !t.is_stop() && !m.as_ref().is_some_and(|m| m[*i]))
        .map(|(_, t)| t.key);
    let (mut total, mut found) = (0usize, 0usize);
    let mut new = std::collections::HashSet::new();
    for k in content {
        total += 1;
        if vocab.contains(&k) {
            found += 1;
        } else {
            new.insert(k);
        }
    }
    ContentOverlap {
        in_sources: if total == 0 || vocab.is_empty() {
            0.0
        } else {
            found as f64 / total as f64
        },
        new_words: new.len(),
    }
}

/// Below this share of content words found in the sources a document is not derived.
pub const DERIVED_MIN_IN_SOURCES: f64 = 0.6;
/// A derived document adding at most this many new content words is wholly derived.
pub const WHOLLY_MAX_NEW_WORDS: usize = 15;
/// A document this much of which (0–1) is verbatim or edited text of its sources
/// is at least partially derived, whatever its vocabulary.
pub const DERIVED_MIN_LEXICAL: f64 = 0.25;

/// METER class (Gaizauskas et al. 2001) from the vocabulary the sources account for:
/// `non` when fewer than 60% of the document's content words occur in its sources
/// (unless a quarter of it is verbatim or edited source text: `partially`);
/// otherwise `wholly` when it adds at most 15 content words of its own, else
/// `partially`. Fitted on the METER courts stories by
/// `eval/meter_features.py` (cross-validated macro F1 in docs/meter-notes.md);
/// passage coverage (`reused`) was weaker evidence there, since stories written
/// independently on the same court case share quotes and phrasing, and short
/// rewrites of the wire share few 8-word passages. The lexical floor keeps a
/// slanted rewrite that copies a quarter of the wire verbatim but brings its own
/// vocabulary (the case whence was built for) from being called `non`; on METER
/// courts it changes in-sample macro F1 by -0.0005 (docs/meter-notes.md).
pub fn derivation(overlap: ContentOverlap, reused_lexical: f64) -> Derivation {
    if overlap.in_sources < DERIVED_MIN_IN_SOURCES {
        if reused_lexical >= DERIVED_MIN_LEXICAL {
            Derivation::Partially
        } else {
            Derivation::Non
        }
    } else if overlap.new_words <= WHOLLY_MAX_NEW_WORDS {
        Derivation::Wholly
    } else {
        Derivation::Partially
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::corpus;
    use super::*;

    #[test]
    fn trace_finds_the_source_and_classifies() {
        let docs = corpus();
        let t = trace(&docs[3], &docs[..2], &PipelineConfig::default()).unwrap();
        assert_eq!(t.sources.len(), 1);
        assert_eq!(t.sources[0].doc, 0);
        assert!(t.reused > 0.8, "{}", t.reused);
        assert_eq!(t.derivation, Derivation::Wholly);
        let none = trace(&docs[1], &docs[..1], &PipelineConfig::default()).unwrap();
        assert!(none.sources.is_empty());
        assert_eq!(none.derivation, Derivation::Non);
    }

    fn overlap(doc: &str, sources: &[&str]) -> ContentOverlap {
        let streams: Vec<TokenStream> = sources.iter().map(|s| whence_text::analyze(s)).collect();
        content_overlap(
            &whence_text::analyze(doc),
            &[],
            streams.iter().map(|ts| (ts, &[][..])),
        )
    }

    #[test]
    fn a_rewrite_without_a_verbatim_run_is_derived_and_its_source_related() {
        // every sentence of the wire rewritten, no 8-word run kept: the gate
        // reports no passage, yet the story's wording is the wire's
        let wire = Document::new(
            "wire",
            "Magistrates fined a man on Monday for stealing garden gnomes from the homes of his neighbours. Derek Pollard, aged 54, removed eleven ornaments from front lawns along his road during the summer months, the hearing was told. Pollard told officers that he had wanted to brighten his own garden. He pleaded guilty to theft and was ordered to pay compensation of 300 pounds.",
        );
        let other = Document::new(
            "other",
            "The city council voted to close two libraries next spring to save money, a spokeswoman said, and staff will move to the central branch.",
        );
        let story = Document::new(
            "story",
            "A man who stole garden gnomes from his neighbours was fined by magistrates yesterday. Derek Pollard, 54, took eleven ornaments from lawns in his street over the summer, the court heard. He told police he wanted to brighten up his own garden. Pollard admitted theft and must pay 300 pounds in compensation.",
        );
        let t = trace(&story, &[other, wire], &PipelineConfig::default()).unwrap();
        assert!(t.sources.is_empty(), "{:?}", t.sources);
        assert_eq!(t.related, vec![1]);
        assert_eq!(t.derivation, Derivation::Wholly);
        let corpus = [Document::new("other", ""), Document::new("wire", "")];
        let json = crate::report::rows::trace_json(&story, &corpus, &t);
        assert_eq!(json["related"], serde_json::json!(["wire"]));
        let html = crate::report::html::trace_html(&story, &corpus, &t);
        assert!(html.contains("Also related: wire"), "{html}");
        assert!(!html.contains("No source found"));
    }

    #[test]
    fn content_overlap_counts_content_words_by_key() {
        // "judges" matches "judge" by stem; "the", "was", "by" are function words
        let o = overlap(
            "The judges freed the driver.",
            &["A judge freed a driver yesterday."],
        );
        assert_eq!(o.in_sources, 1.0);
        assert_eq!(o.new_words, 0);
        // "angry" and "crowd" are new; "driver" twice counts twice in the share
        let o = overlap(
            "The driver was freed by an angry crowd, the driver said.",
            &["A judge freed a driver yesterday."],
        );
        assert_eq!(o.new_words, 3, "{o:?}"); // angry, crowd, said
        assert!((o.in_sources - 3.0 / 6.0).abs() < 1e-9, "{o:?}");
        // the union of the sources counts
        let o = overlap("Judge and crowd.", &["A judge.", "The crowd."]);
        assert_eq!((o.in_sources, o.new_words), (1.0, 0));
    }

    #[test]
    fn content_overlap_without_sources_or_content_is_zero() {
        assert_eq!(
            overlap("A judge freed a driver.", &[]),
            ContentOverlap {
                in_sources: 0.0,
                new_words: 3
            }
        );
        let o = overlap("It was all of them.", &["It was all of them."]);
        assert_eq!(o.in_sources, 0.0);
        assert_eq!(o.new_words, 0);
    }

    #[test]
    fn content_overlap_leaves_out_boilerplate() {
        let doc = "Judge freed driver. Subscribe newsletter today";
        let bp = [Span::new(20, doc.len())];
        let src = whence_text::analyze("The judge freed the driver.");
        let o = content_overlap(&whence_text::analyze(doc), &bp, [(&src, &[][..])]);
        assert_eq!((o.in_sources, o.new_words), (1.0, 0));
        let o = content_overlap(&whence_text::analyze(doc), &[], [(&src, &[][..])]);
        assert_eq!(o.new_words, 3);
    }

    #[test]
    fn derivation_thresholds() {
        let d = |in_sources, new_words| {
            derivation(
                ContentOverlap {
                    in_sources,
                    new_words,
                },
                0.0,
            )
        };
        assert_eq!(d(0.0, 0), Derivation::Non);
        assert_eq!(d(0.59, 3), Derivation::Non);
        assert_eq!(d(0.6, 15), Derivation::Wholly);
        assert_eq!(d(1.0, 0), Derivation::Wholly);
        assert_eq!(d(0.6, 16), Derivation::Partially);
        assert_eq!(d(0.95, 200), Derivation::Partially);
        // a quarter verbatim or edited: derived, whatever the vocabulary
        let low = ContentOverlap {
            in_sources: 0.3,
            new_words: 80,
        };
        assert_eq!(derivation(low, 0.24), Derivation::Non);
        assert_eq!(derivation(low, 0.25), Derivation::Partially);
    }

    #[test]
    fn a_document_inside_its_own_corpus_is_not_its_own_source() {
        let docs = corpus();
        // the wire itself (same id), a copy under another id (same text), the
        // copy with a line added (a real source) and the unrelated story
        let mut corpus = docs.clone();
        corpus.push(Document::new("wire-again", format!("  {}\n", docs[0].text)));
        let t = trace(&docs[0], &corpus, &PipelineConfig::default()).unwrap();
        assert_eq!(
            t.left_out,
            vec![(0, SelfMatch::SameId), (4, SelfMatch::SameText)]
        );
        let ids: Vec<&str> = t
            .sources
            .iter()
            .map(|s| corpus[s.doc as usize].id.as_str())
            .collect();
        assert_eq!(ids, vec!["copy", "quote"]);
        // asked for: kept
        let opts = TraceOptions {
            include_self: true,
            ..TraceOptions::default()
        };
        let t =
            trace_with_options(&docs[0], &corpus, &PipelineConfig::default(), None, &opts).unwrap();
        assert!(t.left_out.is_empty());
        // itself, its copy and the copy with a line added explain it all
        let first: Vec<u32> = t.sources.iter().take(3).map(|s| s.doc).collect();
        assert_eq!(first, vec![0, 2, 4]);
        assert!(t.sources[..3].iter().all(|s| s.explains() > 0.99));
        // the caller's same-file indices are left out too
        let opts = TraceOptions {
            include_self: false,
            same_file: vec![2],
        };
        let t =
            trace_with_options(&docs[0], &corpus, &PipelineConfig::default(), None, &opts).unwrap();
        assert!(t.left_out.contains(&(2, SelfMatch::SameFile)));
        assert!(t.sources.iter().all(|s| s.doc != 2));
    }

    #[test]
    fn an_empty_corpus_is_an_error() {
        let docs = corpus();
        assert!(matches!(
            trace(&docs[0], &[], &PipelineConfig::default()),
            Err(PipelineError::EmptyCorpus)
        ));
    }

    #[test]
    fn a_copy_ranks_above_a_form_with_other_facts() {
        let story = "Engelhard Corp said its board declared a three-for-two stock split and \
            raised the quarterly dividend to 19-1/2 cts per share presplit from 19 cts, both \
            payable March 31 to holders of record March 17.";
        let other = "Brown-Forman Inc said its board declared a three-for-two stock split and \
            raised the quarterly dividend to 28 cts per share presplit from 31 cts, both \
            payable April one to holders of record March 20.";
        let copy = format!("ENGELHARD SETS STOCK SPLIT\n\n{story}\n\nREUTER");
        let corpus = vec![
            Document::new("brown-forman", other),
            Document::new("engelhard-copy", copy),
        ];
        let t = trace(
            &Document::new("q", story),
            &corpus,
            &PipelineConfig::default(),
        )
        .unwrap();
        assert_eq!(t.sources[0].doc, 1, "{:?}", t.sources);
        assert!(t.sources[0].reused_lexical > 0.99);
        assert!(t
            .sources
            .iter()
            .all(|s| s.explains() <= t.sources[0].explains()));
    }

    #[test]
    fn sources_dated_after_the_document_are_flagged_later() {
        let docs = corpus();
        let dated = |d: &Document, date: &str| {
            let mut d = d.clone();
            d.meta.date = Some(date.into());
            d
        };
        let corpus = vec![
            dated(&docs[0], "2015-10-02T08:00:00Z"),
            dated(&docs[3], "2015-10-03T01:00:00+05:00"),
        ];
        // 01:00 at +05:00 on the 3rd is 20:00Z on the 2nd: before a document
        // of 21:00Z, after one of 19:00Z
        let doc = dated(&docs[2], "2015-10-02T21:00:00Z");
        let t = trace(&doc, &corpus, &PipelineConfig::default()).unwrap();
        let later: Vec<(u32, bool)> = t.sources.iter().map(|s| (s.doc, s.later)).collect();
        assert!(later.contains(&(0, false)), "{later:?}");
        assert!(later.contains(&(1, false)), "{later:?}");
        let doc = dated(&docs[2], "2015-10-02T19:00:00Z");
        let t = trace(&doc, &corpus, &PipelineConfig::default()).unwrap();
        let later: Vec<(u32, bool)> = t.sources.iter().map(|s| (s.doc, s.later)).collect();
        assert!(later.contains(&(1, true)), "{later:?}");
        // undated document: its date comes from its copy in the corpus, by id
        let undated = docs[2].clone();
        let mut corpus = corpus;
        corpus.push(dated(&docs[2], "2015-10-01"));
        let t = trace(&undated, &corpus, &PipelineConfig::default()).unwrap();
        assert_eq!(t.time, whence_cluster::parse_date("2015-10-01"));
        assert!(t.sources.iter().all(|s| s.later), "{:?}", t.sources);
    }

    #[test]
    fn trace_calls_a_copy_with_added_reporting_partially_derived() {
        let docs = corpus();
        let added = "Residents of the northern suburbs told reporters that sirens \
            sounded only after midnight, and the mayor promised an independent inquiry \
            into maintenance contracts awarded since the storms of last winter.";
        let story = Document::new("story", format!("{} {added}", docs[0].text));
        let t = trace(&story, &docs[..2], &PipelineConfig::default()).unwrap();
        assert_eq!(t.sources.len(), 1);
        assert_eq!(t.derivation, Derivation::Partially);
    }
}
