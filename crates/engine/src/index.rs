//! The persistent reuse index: `pairs` and `trace` over a corpus kept on disk
//! (the `whence-store` crate), built once and grown document by document.
//!
//! Responsibility: the index's pipeline decisions. It applies the same
//! fingerprints, document-frequency cut-off, candidate rule, MinHash-LSH and
//! aligner as [`crate::pipeline::pairs`] and [`crate::pipeline::trace`]; the store
//! only keeps what this module decides.
//!
//! Inputs: documents (read them with [`crate::corpus::load`]), a directory.
//! Outputs: an [`Index`]; [`BuildOutcome`], [`AddOutcome`] (with the new pairs of
//! every committed batch), [`Traced`] (a [`Trace`] with its source documents).
//!
//! - [`Index::build`] marks boilerplate like `pairs` (repeated lines counted over
//!   the whole corpus), runs the candidate stage of `pairs`, stores every document
//!   (number = corpus position), its signature, the kept postings, the hashes over
//!   `max_df` (marked frequent), the LSH band entries and the per-site line
//!   counts, then verifies the candidates and stores the pairs: the same pairs as
//!   `pairs` on the same corpus.
//! - [`Index::query`] is `trace` against the index: candidates from the stored
//!   postings with the same rule as `trace` (every document when the index holds
//!   at most [`SCAN_ALL`]), loaded from disk and verified: the same sources and
//!   passages as `trace DOC --in CORPUS`. Memory: the query's postings and its
//!   candidate documents, not the corpus.
//! - [`Index::add`] matches each new document against everything indexed (and
//!   the new ones before it) and stores it with its pairs, committing every
//!   `batch` documents; what is returned was committed. The store's lookups
//!   and writes run on the calling thread while a worker aligns the document
//!   before (same result as one by one). See `crates/store/DESIGN.md` for
//!   where results depend on insertion order.
//! - [`clusters`] gives the reuse clusters of the recorded pairs, as
//!   `pairs --clusters` gives them on the same corpus.
//!
//! ```
//! use whence::index::Index;
//! use whence::pipeline::PipelineConfig;
//! use whence::Document;
//! let dir = tempfile::tempdir().unwrap();
//! let wire = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts, the regional emergency service said.";
//! let mut docs = vec![Document::new("wire", wire), Document::new("copy", format!("{wire} Schools stay closed."))];
//! let cfg = PipelineConfig::default();
//! let (index, built) = Index::build(dir.path(), &mut docs, &cfg, false, None, &|_, _, _| {}).unwrap();
//! assert_eq!(built.pairs, 1);
//! let story = Document::new("story", format!("Opinion. {wire}"));
//! let t = index.query(&story, None).unwrap();
//! assert_eq!(t.sources[0].id.as_str(), "wire");
//! ```

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use whence_align::SentenceEncoder;
use whence_candidates::{band_keys, estimate_jaccard, select_hits};
use whence_core::{Alignment, Document, Passage, Summary};
use whence_extract::{repeated_spans, RepeatedLines};
use whence_sketch::MinHasher;
pub use whence_store::{
    CheckReport, Seq, Store, StoreError, StoreStats, StoredDoc, StoredPair, View, FORMAT_VERSION,
};
use whence_store::{NewDoc, Writer};

use crate::corpus::{
    boilerplate_with_repeated, mark_boilerplate_counted, repeated_config, site_of,
};
use crate::pipeline::trace::{self_match, trace_among, SCAN_ALL};
use crate::pipeline::verify::{pair_config, verify_pairs, VERIFY_BLOCK};
use crate::pipeline::{sketch, PipelineConfig, PipelineError, Stage, Trace};

/// Why an index operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error("the index at {dir} was built with other settings ({stored}); this run uses ({wanted}): use the same settings or build it again")]
    Settings {
        dir: String,
        stored: String,
        wanted: String,
    },
    #[error("the index only supports the default treatment of frequent fingerprints (drop)")]
    Frequent,
}

/// The settings an index's contents depend on, recorded in it.
pub fn params(cfg: &PipelineConfig) -> String {
    let i = cfg.index.get();
    format!(
        "whence-index params 1; boilerplate={}; winnow={:?}; minhash={:?}; max_df={} min_shared={} min_containment={} strong_shared={}; lsh={:?}",
        cfg.compare.detect_boilerplate,
        cfg.winnow,
        cfg.minhash,
        i.max_df,
        i.min_shared,
        i.min_containment,
        i.strong_shared,
        cfg.lsh
    )
}

/// What [`Index::build`] stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildOutcome {
    pub docs: u64,
    pub candidates: u64,
    pub lsh_pairs: u64,
    pub pairs: u64,
    pub dropped_fingerprints: u64,
}

/// What happened to one document given to [`Index::add`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddKind {
    /// New id.
    Added,
    /// Known id, other text: the old document and its pairs were replaced.
    Updated,
    /// Known id, same text: nothing done.
    Unchanged,
}

/// One document of an [`Index::add`] batch, once committed.
#[derive(Clone, Debug)]
pub struct Added {
    pub id: String,
    pub kind: AddKind,
    pub seq: Option<Seq>,
    /// Its reuse pairs with documents indexed before it (`a` the earlier one).
    pub pairs: Vec<NewPair>,
}

/// A reuse pair found by [`Index::add`]; the documents are those stored, so
/// the passages' byte spans index their texts.
#[derive(Clone, Debug)]
pub struct NewPair {
    pub a: Document,
    pub b: Document,
    pub summary: Summary,
    pub passages: Vec<Passage>,
}

/// A new document's alignment with its candidates, done off the store's
/// thread ([`Index::add`]).
struct AlignJob {
    /// Position of its [`Added`] record in the batch.
    slot: usize,
    seq: Seq,
    doc: Document,
    olds: Vec<StoredDoc>,
}

/// Aligns a new document with its candidates and keeps the pairs the reuse
/// rules of `pairs` list (templates, stock phrases, site wording left out).
/// `compare`: the settings `pairs` aligns candidates with ([`pair_config`]).
fn align_new(
    cfg: &PipelineConfig,
    compare: &crate::Config,
    doc: &Document,
    olds: &[StoredDoc],
    encoder: Option<&dyn SentenceEncoder>,
) -> Vec<(Seq, Alignment)> {
    let tb = whence_text::analyze(&doc.text);
    olds.par_iter()
        .filter_map(|o| {
            let ta = whence_text::analyze(&o.doc.text);
            let mut al = crate::pipeline::verify_with(&o.doc, &ta, doc, &tb, compare, encoder);
            let ev = crate::pipeline::judge(&o.doc, &ta, doc, &tb, &al);
            ev.apply(&o.doc, doc, &mut al);
            cfg.reuse.listed(&ev, &al).then_some((o.seq, al))
        })
        .collect()
}

/// Receives the `awaited` alignments still running (they come back in the
/// order they were handed over) and stores their pairs, filling the pending
/// [`Added`] records.
fn store_aligned(
    w: &mut Writer,
    pending: &mut [Added],
    awaited: &mut usize,
    done: &std::sync::mpsc::Receiver<(AlignJob, Vec<(Seq, Alignment)>)>,
) -> Result<(), IndexError> {
    while *awaited > 0 {
        let (job, found) = done
            .recv()
            .map_err(|_| StoreError::Corrupt("the aligning thread stopped".to_string()))?;
        *awaited -= 1;
        let by_seq: HashMap<Seq, &StoredDoc> = job.olds.iter().map(|o| (o.seq, o)).collect();
        let mut pairs = Vec::with_capacity(found.len());
        for (a, al) in found {
            w.put_pair(a, job.seq, &al.summary, &al.passages)?;
            pairs.push(NewPair {
                a: by_seq[&a].doc.clone(),
                b: job.doc.clone(),
                summary: al.summary,
                passages: al.passages,
            });
        }
        pending[job.slot].pairs = pairs;
    }
    Ok(())
}

/// Totals of an [`Index::add`] run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddOutcome {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub pairs: u64,
    pub commits: u64,
}

/// A [`Trace`] against the index, with its sources' documents (same order), then
/// the documents of [`Trace::related`].
#[derive(Clone, Debug)]
pub struct Traced {
    pub trace: Trace,
    pub sources: Vec<Document>,
    /// Documents in the index when it was queried.
    pub indexed: u64,
}

/// An index directory opened with the pipeline settings it was built with.
#[derive(Debug)]
pub struct Index {
    store: Store,
    cfg: PipelineConfig,
    hasher: MinHasher,
}

impl Index {
    /// Indexes `docs` into a new index in `dir` (an existing one is an error
    /// unless `force`), marking their boilerplate as `pairs` does. The pairs
    /// stored are those of [`crate::pipeline::pairs_with`] on the same documents.
    pub fn build(
        dir: &Path,
        docs: &mut [Document],
        cfg: &PipelineConfig,
        force: bool,
        encoder: Option<&dyn SentenceEncoder>,
        progress: &(dyn Fn(Stage, u64, u64) + Sync),
    ) -> Result<(Index, BuildOutcome), IndexError> {
        check_frequent(cfg)?;
        let own: Vec<bool> = docs.iter().map(|d| !d.boilerplate.is_empty()).collect();
        let repeated = mark_boilerplate_counted(docs, &cfg.compare);
        let mut found = crate::pipeline::pairs::find_candidates(docs, cfg, progress)?;
        let bulk = Store::bulk(dir, &params(cfg), force)?;
        let mut out = BuildOutcome {
            docs: docs.len() as u64,
            candidates: found.pairs.len() as u64,
            lsh_pairs: found.lsh_pairs as u64,
            dropped_fingerprints: found.dropped,
            pairs: 0,
        };
        let cand = std::mem::take(&mut found.pairs);
        let docs: &[Document] = docs;
        let total = cand.len() as u64;
        progress(Stage::Verify, 0, total);
        let report = |stage: Stage, done: u64| progress(stage, done, total);
        // the store is written on its own thread while the candidates are
        // verified (on rayon's): one core would otherwise idle for the length
        // of the writes
        let (written, mut pairs) = std::thread::scope(|scope| {
            let writer =
                scope.spawn(|| store_corpus(bulk, docs, &own, found, repeated.as_ref(), cfg));
            let pairs = verify_pairs(docs, &cand, cfg, encoder, &report, VERIFY_BLOCK);
            (writer.join(), pairs)
        });
        let mut bulk = match written {
            Ok(r) => r?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        // the index answers reuse queries, not dedup: it keeps the pairs `pairs` lists
        pairs.retain(|p| p.listed);
        pairs.sort_by_key(|p| (p.a, p.b));
        for p in &pairs {
            bulk.put_pair(
                Seq(p.a),
                Seq(p.b),
                &p.alignment.summary,
                &p.alignment.passages,
            )?;
        }
        out.pairs = pairs.len() as u64;
        bulk.finish()?;
        Ok((Index::open(dir, cfg)?, out))
    }

    /// Opens the index in `dir`; it must have been built with `cfg`'s settings.
    pub fn open(dir: &Path, cfg: &PipelineConfig) -> Result<Index, IndexError> {
        Self::with_store(Store::open(dir)?, cfg)
    }

    /// Opens the index in `dir` for queries only.
    pub fn open_read_only(dir: &Path, cfg: &PipelineConfig) -> Result<Index, IndexError> {
        Self::with_store(Store::open_read_only(dir)?, cfg)
    }

    fn with_store(store: Store, cfg: &PipelineConfig) -> Result<Index, IndexError> {
        check_frequent(cfg)?;
        let stored = store.read()?.params()?;
        let wanted = params(cfg);
        if stored != wanted {
            return Err(IndexError::Settings {
                dir: store.dir().display().to_string(),
                stored,
                wanted,
            });
        }
        Ok(Index {
            store,
            cfg: cfg.clone(),
            hasher: MinHasher::new(cfg.minhash),
        })
    }

    /// The pipeline settings it was opened with.
    pub fn config(&self) -> &PipelineConfig {
        &self.cfg
    }

    /// The store underneath (documents, pairs, statistics, checks).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// `doc`'s sources in the index, as [`crate::pipeline::trace_with`] finds them
    /// in the indexed corpus (boilerplate as marked on `doc`).
    pub fn query(
        &self,
        doc: &Document,
        encoder: Option<&dyn SentenceEncoder>,
    ) -> Result<Traced, IndexError> {
        let r = self.store.read()?;
        let indexed = r.doc_count()?;
        let seqs: Vec<Seq> = if indexed as usize <= SCAN_ALL {
            r.seqs()?
        } else {
            let q = sorted_distinct(sketch(doc, &self.cfg, &self.hasher).fingerprints);
            let posts = r.postings(&q)?;
            let mut held = Vec::new();
            let mut kept = 0;
            for p in posts.into_iter().filter(|p| !p.frequent) {
                kept += 1;
                held.extend(p.docs.iter().map(|s| s.0));
            }
            let doc_kept = kept_counts(&r, &held, self.cfg.index.get().min_shared)?;
            select_hits(&self.cfg.index, kept, held, |d| {
                doc_kept.get(&d).copied().unwrap_or(0)
            })
            .into_iter()
            .map(|h| Seq(h.doc))
            .collect()
        };
        let stored = r.docs(&seqs)?;
        drop(r);
        // as `trace` does, the document itself (same id or text) is no source
        type Among<'a> = Vec<(u32, &'a Document)>;
        let (selves, among): (Among, Among) = stored
            .iter()
            .map(|s| (s.seq.0, &s.doc))
            .partition(|(_, d)| self_match(doc, d).is_some());
        let mut trace = trace_among(doc, &among, &self.cfg, encoder);
        trace.left_out = selves
            .iter()
            .filter_map(|&(seq, d)| self_match(doc, d).map(|m| (seq, m)))
            .collect();
        let by_seq: HashMap<u32, &Document> = among.iter().copied().collect();
        // sources first, then the related documents (see `Trace::related`)
        let sources = trace
            .sources
            .iter()
            .map(|s| s.doc)
            .chain(trace.related.iter().copied())
            .map(|d| by_seq[&d].clone())
            .collect();
        Ok(Traced {
            trace,
            sources,
            indexed,
        })
    }

    /// Adds `docs` in order, each matched against everything indexed before it,
    /// committing every `batch` documents; `committed` gets each batch once it is
    /// durable (a document is acknowledged only then).
    pub fn add(
        &self,
        docs: impl IntoIterator<Item = Document>,
        batch: usize,
        encoder: Option<&dyn SentenceEncoder>,
        committed: &mut dyn FnMut(&[Added]) -> Result<(), IndexError>,
    ) -> Result<AddOutcome, IndexError> {
        // The store's lookups and writes run on this thread (one connection);
        // aligning a document with its candidates runs on a second one
        // meanwhile, so the next document's lookups overlap the alignment of
        // the one before. A document's pairs never feed the next one's
        // candidates (its postings, bands and signature do, and they are
        // written before its alignment starts), so the result is that of a
        // document-by-document add; pairs are stored in document order before
        // each commit.
        let cfg = &self.cfg;
        let compare = pair_config(cfg);
        let compare = &compare;
        std::thread::scope(|scope| {
            let (jobs, inbox) = std::sync::mpsc::channel::<AlignJob>();
            let (outbox, done) = std::sync::mpsc::channel::<(AlignJob, Vec<(Seq, Alignment)>)>();
            let worker = scope.spawn(move || {
                for job in inbox {
                    let found = align_new(cfg, compare, &job.doc, &job.olds, encoder);
                    if outbox.send((job, found)).is_err() {
                        break;
                    }
                }
            });
            let result = self.add_pipelined(docs, batch, committed, &jobs, &done);
            drop(jobs);
            // the worker ends once its queue is empty; a panic there is a bug
            // and is raised here
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
            result
        })
    }

    /// [`Index::add`] on this thread: prepares each document (lookups, its
    /// own rows), hands its alignment to `jobs`, and stores the pairs coming
    /// back on `done` before each commit.
    fn add_pipelined(
        &self,
        docs: impl IntoIterator<Item = Document>,
        batch: usize,
        committed: &mut dyn FnMut(&[Added]) -> Result<(), IndexError>,
        jobs: &std::sync::mpsc::Sender<AlignJob>,
        done: &std::sync::mpsc::Receiver<(AlignJob, Vec<(Seq, Alignment)>)>,
    ) -> Result<AddOutcome, IndexError> {
        let mut out = AddOutcome::default();
        let mut pending: Vec<Added> = Vec::new();
        let mut awaited = 0usize;
        let mut w = self.store.write()?;
        for doc in docs {
            // an update removes the old document's pairs: store the pairs
            // still being aligned first, as a one-by-one add would have
            if awaited > 0 && w.seq_of(doc.id.as_str())?.is_some() {
                store_aligned(&mut w, &mut pending, &mut awaited, done)?;
            }
            let (added, job) = self.prepare_one(&mut w, doc)?;
            match added.kind {
                AddKind::Added => out.added += 1,
                AddKind::Updated => out.updated += 1,
                AddKind::Unchanged => out.unchanged += 1,
            }
            if let Some(mut job) = job {
                job.slot = pending.len();
                jobs.send(job)
                    .map_err(|_| StoreError::Corrupt("the aligning thread stopped".to_string()))?;
                awaited += 1;
            }
            pending.push(added);
            if pending.len() >= batch.max(1) {
                store_aligned(&mut w, &mut pending, &mut awaited, done)?;
                out.pairs += pending.iter().map(|a| a.pairs.len() as u64).sum::<u64>();
                w.commit()?;
                out.commits += 1;
                committed(&pending)?;
                pending.clear();
                w = self.store.write()?;
            }
        }
        store_aligned(&mut w, &mut pending, &mut awaited, done)?;
        out.pairs += pending.iter().map(|a| a.pairs.len() as u64).sum::<u64>();
        w.commit()?;
        if !pending.is_empty() {
            out.commits += 1;
            committed(&pending)?;
        }
        Ok(out)
    }

    /// Stores one new document's rows (postings, bands, signature, its own
    /// boilerplate lines) and reads its candidates: the [`Added`] record
    /// without pairs, and the alignment still to do (none for an unchanged
    /// document).
    fn prepare_one(
        &self,
        w: &mut Writer,
        mut doc: Document,
    ) -> Result<(Added, Option<AlignJob>), IndexError> {
        let cfg = &self.cfg;
        let mut kind = AddKind::Added;
        if let Some(old) = w.seq_of(doc.id.as_str())? {
            let stored = w
                .doc(old)?
                .ok_or_else(|| StoreError::Corrupt(format!("document {} has no text", old.0)))?;
            if stored.doc.text == doc.text {
                let added = Added {
                    id: doc.id.to_string(),
                    kind: AddKind::Unchanged,
                    seq: Some(old),
                    pairs: Vec::new(),
                };
                return Ok((added, None));
            }
            self.remove_indexed(w, &stored)?;
            kind = AddKind::Updated;
        }
        let own = !doc.boilerplate.is_empty();
        let site = w.add_site_docs(site_of(&doc), 1)?;
        if cfg.compare.detect_boilerplate {
            let lines = RepeatedLines::lines_of(&crate::corpus::repeated_config(), &doc.text);
            for &h in lines.hashes() {
                w.add_line(site, h, 1)?;
            }
            if !own {
                let site_docs = w.site(site_of(&doc))?.map_or(0, |s| s.1);
                let counts = w.line_counts(site, lines.hashes())?;
                let by_hash: HashMap<u64, u32> =
                    lines.hashes().iter().copied().zip(counts).collect();
                let spans = repeated_spans(&repeated_config(), site_docs, &doc.text, |h| {
                    by_hash.get(&h).copied().unwrap_or(0)
                });
                doc.boilerplate = boilerplate_with_repeated(&doc.text, spans);
            }
        }
        let sk = sketch(&doc, cfg, &self.hasher);
        let q = sorted_distinct(sk.fingerprints);
        let max_df = cfg.index.get().max_df as usize;
        let mut held = Vec::new();
        let mut kept = 0u32;
        let mut mine = Vec::new();
        for p in w.postings(&q)? {
            if p.frequent {
                continue;
            }
            if p.docs.len() + 1 > max_df {
                // the hash becomes frequent: it stops pairing, and leaves its
                // holders' containment denominators
                w.mark_frequent(p.hash)?;
                for d in &p.docs {
                    let n = w.kept(*d)?.unwrap_or(0);
                    w.set_kept(*d, n.saturating_sub(1))?;
                }
                continue;
            }
            kept += 1;
            held.extend(p.docs.iter().map(|s| s.0));
            mine.push(p.hash);
        }
        let doc_kept = kept_counts(w, &held, cfg.index.get().min_shared)?;
        let mut cand: Vec<u32> = select_hits(&cfg.index, kept as usize, held, |d| {
            doc_kept.get(&d).copied().unwrap_or(0)
        })
        .into_iter()
        .map(|h| h.doc)
        .collect();
        // near-duplicates through the LSH bands, as `lsh_pairs` links a bucket
        let keys = band_keys(&sk.signature, &cfg.lsh);
        let lsh = cfg.lsh.get();
        let mut near = Vec::new();
        for members in w.band_members(&keys)? {
            if members.is_empty() {
                continue;
            }
            if cfg.lsh.stars(members.len() + 1) {
                near.push(members[0]);
            } else {
                near.extend(members);
            }
        }
        near.sort_unstable();
        near.dedup();
        for s in near {
            let sig = w.signature(s)?.unwrap_or_default();
            if estimate_jaccard(&sig, &sk.signature) >= lsh.min_jaccard {
                cand.push(s.0);
            }
        }
        cand.sort_unstable();
        cand.dedup();
        let seq = w.next_seq()?;
        w.put_doc(
            seq,
            &NewDoc {
                doc: &doc,
                own_boilerplate: own,
                signature: &sk.signature,
                kept,
            },
        )?;
        for h in mine {
            w.add_posting(h, seq)?;
        }
        for k in keys {
            w.add_band(k, seq)?;
        }
        let olds = w.docs(&cand.iter().map(|&d| Seq(d)).collect::<Vec<_>>())?;
        let added = Added {
            id: doc.id.to_string(),
            kind,
            seq: Some(seq),
            pairs: Vec::new(),
        };
        Ok((
            added,
            Some(AlignJob {
                slot: 0,
                seq,
                doc,
                olds,
            }),
        ))
    }

    /// Takes a stored document out of the inverted lists and the store.
    fn remove_indexed(&self, w: &mut Writer, old: &StoredDoc) -> Result<usize, IndexError> {
        let sk = sketch(&old.doc, &self.cfg, &self.hasher);
        for h in sorted_distinct(sk.fingerprints) {
            w.remove_posting(h, old.seq)?;
        }
        for k in band_keys(&sk.signature, &self.cfg.lsh) {
            w.remove_band(k, old.seq)?;
        }
        let site = w.add_site_docs(site_of(&old.doc), -1)?;
        if self.cfg.compare.detect_boilerplate {
            for &h in
                RepeatedLines::lines_of(&crate::corpus::repeated_config(), &old.doc.text).hashes()
            {
                w.add_line(site, h, -1)?;
            }
        }
        Ok(w.remove_doc(old.seq)?)
    }

    /// Removes the documents with these ids (unknown ids are returned).
    pub fn remove(&self, ids: &[String]) -> Result<(u64, Vec<String>), IndexError> {
        let mut w = self.store.write()?;
        let mut unknown = Vec::new();
        let mut pairs = 0;
        for id in ids {
            match w.seq_of(id)? {
                Some(s) => {
                    let d = w.doc(s)?.ok_or_else(|| {
                        StoreError::Corrupt(format!("document {} has no text", s.0))
                    })?;
                    pairs += self.remove_indexed(&mut w, &d)? as u64;
                }
                None => unknown.push(id.clone()),
            }
        }
        w.commit()?;
        Ok((pairs, unknown))
    }
}

/// Postings (or band entries) buffered for one multi-row insert.
const POSTING_BATCH: usize = 1 << 16;

/// Writes a built corpus into a bulk load: documents with signatures and kept
/// counts, site counts, the kept postings and frequent hashes, LSH band
/// entries and per-site line counts (the pairs are the caller's). `found` is
/// freed here, as soon as it is written, while verification goes on.
fn store_corpus(
    mut bulk: whence_store::Bulk,
    docs: &[Document],
    own: &[bool],
    found: crate::pipeline::pairs::Found,
    repeated: Option<&RepeatedLines>,
    cfg: &PipelineConfig,
) -> Result<whence_store::Bulk, IndexError> {
    for (i, d) in docs.iter().enumerate() {
        bulk.put_doc(
            Seq(i as u32),
            &NewDoc {
                doc: d,
                own_boilerplate: own[i],
                signature: &found.sketches[i].signature,
                kept: found.index.doc_fingerprints(i as u32),
            },
        )?;
        bulk.add_site_docs(site_of(d), 1)?;
    }
    let mut failed = None;
    let mut buf: Vec<(u64, Seq)> = Vec::with_capacity(POSTING_BATCH);
    found
        .index
        .for_each_posting(|h, d| {
            if failed.is_none() {
                buf.push((h, Seq(d)));
                if buf.len() == POSTING_BATCH {
                    if let Err(e) = bulk.add_postings(&buf) {
                        failed = Some(e);
                    }
                    buf.clear();
                }
            }
            Ok(())
        })
        .map_err(PipelineError::from)?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    bulk.add_postings(&buf)?;
    for &h in found.index.dropped_hashes() {
        bulk.mark_frequent(h)?;
    }
    let mut bands: Vec<(u64, Seq)> = found
        .sketches
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            band_keys(&s.signature, &cfg.lsh)
                .into_iter()
                .map(move |k| (k, Seq(i as u32)))
        })
        .collect();
    bands.sort_unstable();
    drop(found);
    bulk.add_bands(&bands)?;
    drop(bands);
    if let Some(rep) = repeated {
        for (site, _, counts) in rep.sites() {
            let s = bulk.add_site_docs(site, 0)?;
            let mut counts: Vec<(u64, u32)> = counts.collect();
            counts.sort_unstable();
            for (h, n) in counts {
                bulk.add_line(s, h, i64::from(n))?;
            }
        }
    }
    Ok(bulk)
}

fn check_frequent(cfg: &PipelineConfig) -> Result<(), IndexError> {
    if cfg.index.get().frequent != whence_candidates::Frequent::Drop {
        return Err(IndexError::Frequent);
    }
    Ok(())
}

fn sorted_distinct(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Kept fingerprint counts of the documents of `held` (one entry per shared
/// fingerprint) that [`select_hits`] asks for: those sharing at least
/// `min_shared` fingerprints. Most documents of `held` share one fingerprint
/// with the query and are never asked for, so their rows are not read.
fn kept_counts(
    v: &whence_store::View,
    held: &[u32],
    min_shared: u32,
) -> Result<HashMap<u32, u32>, IndexError> {
    let mut shared: HashMap<u32, u32> = HashMap::new();
    for &d in held {
        *shared.entry(d).or_insert(0) += 1;
    }
    let mut asked: Vec<u32> = shared
        .into_iter()
        .filter(|&(_, n)| n >= min_shared)
        .map(|(d, _)| d)
        .collect();
    // in document order: neighbouring rows share B-tree pages
    asked.sort_unstable();
    let mut out = HashMap::with_capacity(asked.len());
    for d in asked {
        out.insert(d, v.kept(Seq(d))?.unwrap_or(0));
    }
    Ok(out)
}

/// The reuse clusters of an index's recorded pairs, with the ids of the
/// documents they number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexClusters {
    /// Document ids by clustering number (index documents in number order,
    /// which is reading order for a built index).
    pub ids: Vec<String>,
    /// Clusters over those numbers, as [`crate::pipeline::reuse_clusters`]
    /// gives them for `pairs --clusters`.
    pub clusters: Vec<whence_cluster::Cluster>,
}

/// The reuse clusters of the pairs recorded in `view`: the rule, numbering and
/// representative choice of `pairs --clusters`
/// ([`crate::pipeline::clusters::reuse_clusters_of`]), over stored edges and
/// document metadata (no texts are read). Memory: one id and one edge per
/// document and pair.
pub fn clusters(view: &View, pick: whence_cluster::Pick) -> Result<IndexClusters, IndexError> {
    let mut ids = Vec::new();
    let mut infos = Vec::new();
    let mut number: HashMap<u32, u32> = HashMap::new();
    view.for_each_doc_meta(|m| {
        let n = ids.len() as u32;
        number.insert(m.seq.0, n);
        infos.push(whence_cluster::DocInfo::new(
            n,
            m.chars as usize,
            m.date.as_deref().and_then(whence_cluster::parse_date),
        ));
        ids.push(m.id);
    })?;
    let mut edges = Vec::new();
    let mut missing = None;
    view.for_each_edge(
        |a, b, relation| match (number.get(&a.0), number.get(&b.0)) {
            (Some(&a), Some(&b)) => edges.push(whence_cluster::Edge { a, b, relation }),
            _ => {
                missing.get_or_insert((a, b));
            }
        },
    )?;
    if let Some((a, b)) = missing {
        return Err(StoreError::Corrupt(format!(
            "pair ({}, {}) names a missing document",
            a.0, b.0
        ))
        .into());
    }
    let clusters = crate::pipeline::clusters::reuse_clusters_of(&infos, &edges, pick);
    Ok(IndexClusters { ids, clusters })
}
