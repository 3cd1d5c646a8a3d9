//! The inverted index fingerprint hash → documents, candidate pairs and queries.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::extsort::{ExternalSorter, Record, Sorted};
use crate::{Candidate, Frequent, IndexConfig, IndexError};

/// Postings per block of the on-disk directory.
const BLOCK: usize = 1024; // a power of two

/// Counts describing a built index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Documents added.
    pub docs: u32,
    /// Distinct (fingerprint, document) postings added.
    pub postings: u64,
    /// Distinct fingerprint hashes.
    pub distinct_hashes: u64,
    /// Hashes dropped because more than `max_df` documents hold them.
    pub dropped_hashes: u64,
    /// Postings of the dropped hashes.
    pub dropped_postings: u64,
    /// Postings kept for queries.
    pub kept_postings: u64,
    /// Document pairs emitted from posting lists (one per shared fingerprint).
    pub pair_records: u64,
    /// Bytes written to spill files (postings and pair records).
    pub spilled_bytes: u64,
    /// Sorted runs written to spill files.
    pub spill_runs: usize,
    /// Candidate pairs returned.
    pub candidates: u64,
}

/// One document of the index that shares fingerprints with a query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub doc: u32,
    /// Distinct fingerprints shared with the query.
    pub shared: u32,
    /// `shared` / the query's fingerprints (kept ones, after the df cut-off).
    pub containment: f32,
    /// `shared` / the document's fingerprints (kept ones).
    pub containment_doc: f32,
}

/// Collects documents' fingerprint hashes; [`IndexBuilder::finish`] builds the
/// [`Index`] and its candidate pairs.
pub struct IndexBuilder {
    config: IndexConfig,
    sorter: ExternalSorter<(u64, u32)>,
    counts: Vec<u32>,
    seen: Vec<bool>,
    scratch: Vec<u64>,
}

impl IndexBuilder {
    /// An empty builder.
    pub fn new(config: IndexConfig) -> IndexBuilder {
        let c = config.get();
        let sorter = ExternalSorter::new(c.memory_budget / 2, c.temp_dir.clone());
        IndexBuilder {
            config,
            sorter,
            counts: Vec::new(),
            seen: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Adds document `doc`'s fingerprint hashes (any order; repeats count once).
    /// Document ids should be dense (`0..n`): per-document counters are indexed by id.
    pub fn add(&mut self, doc: u32, hashes: &[u64]) -> Result<(), IndexError> {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        s.extend_from_slice(hashes);
        s.sort_unstable();
        s.dedup();
        let r = self.add_sorted(doc, &s);
        self.scratch = s;
        r
    }

    /// Adds a batch of documents, deduplicating their hashes in parallel.
    pub fn add_batch(&mut self, batch: &mut [(u32, Vec<u64>)]) -> Result<(), IndexError> {
        batch.par_iter_mut().for_each(|(_, h)| {
            h.sort_unstable();
            h.dedup();
        });
        for (doc, h) in batch.iter() {
            self.add_sorted(*doc, h)?;
        }
        Ok(())
    }

    fn add_sorted(&mut self, doc: u32, hashes: &[u64]) -> Result<(), IndexError> {
        let d = doc as usize;
        if d >= self.seen.len() {
            self.seen.resize(d + 1, false);
            self.counts.resize(d + 1, 0);
        }
        if self.seen[d] {
            return Err(IndexError::DuplicateDoc(doc));
        }
        self.seen[d] = true;
        self.counts[d] = u32::try_from(hashes.len()).unwrap_or(u32::MAX);
        for &h in hashes {
            self.sorter.push((h, doc))?;
        }
        Ok(())
    }

    /// Sorts the postings (spilling beyond the budget), drops hashes over `max_df`,
    /// and counts shared fingerprints of every pair of documents.
    pub fn finish(self) -> Result<Index, IndexError> {
        let IndexBuilder {
            config,
            sorter,
            mut counts,
            seen,
            ..
        } = self;
        let c = config.get().clone();
        let mut stats = IndexStats {
            docs: seen.len() as u32,
            ..Default::default()
        };
        let spilled = sorter.spilled();
        let (sorted, bytes, runs) = sorter.finish()?;
        stats.spilled_bytes += bytes;
        stats.spill_runs += runs;
        let mut pairs: ExternalSorter<u64> =
            ExternalSorter::new(c.memory_budget / 2, c.temp_dir.clone());
        let mut dropped_per_doc = vec![0u32; counts.len()];
        let mut dropped = Vec::new();
        let star = c.frequent == Frequent::Star;
        // Returns how many leading postings of the group to keep for queries.
        let mut group =
            |hash: u64, docs: &[u32], stats: &mut IndexStats| -> Result<usize, IndexError> {
                stats.distinct_hashes += 1;
                stats.postings += docs.len() as u64;
                if config.is_frequent(docs.len() as u64) {
                    stats.dropped_hashes += 1;
                    stats.dropped_postings += docs.len() as u64;
                    if star {
                        // Link every holder to the first (earliest) one; keep its posting.
                        let hub = u64::from(docs[0]) << 32;
                        for &d in &docs[1..] {
                            pairs.push(hub | u64::from(d))?;
                        }
                        stats.pair_records += (docs.len() - 1) as u64;
                        return Ok(1);
                    }
                    dropped.push(hash);
                    for &d in docs {
                        dropped_per_doc[d as usize] += 1;
                    }
                    return Ok(0);
                }
                for (i, &a) in docs.iter().enumerate() {
                    for &b in &docs[i + 1..] {
                        pairs.push((u64::from(a) << 32) | u64::from(b))?;
                    }
                }
                stats.pair_records += (docs.len() * (docs.len() - 1) / 2) as u64;
                Ok(docs.len())
            };
        let mut docs = Vec::new();
        let store = match sorted {
            Sorted::Memory(mut v, _) => {
                // Compact the kept postings in place.
                let (mut r, mut w) = (0, 0);
                while r < v.len() {
                    let h = v[r].0;
                    let mut e = r + 1;
                    while e < v.len() && v[e].0 == h {
                        e += 1;
                    }
                    docs.clear();
                    docs.extend(v[r..e].iter().map(|p| p.1));
                    let keep = group(h, &docs, &mut stats)?;
                    v.copy_within(r..r + keep, w);
                    w += keep;
                    r = e;
                }
                v.truncate(w);
                v.shrink_to_fit();
                Store::Memory(v)
            }
            mut merged @ Sorted::Merge { .. } => {
                debug_assert!(spilled);
                let mut disk = DiskWriter::new(c.temp_dir.as_ref())?;
                let mut cur: Option<(u64, u32)> = merged.next_rec()?;
                while let Some((h, d)) = cur {
                    docs.clear();
                    docs.push(d);
                    cur = merged.next_rec()?;
                    while let Some((h2, d2)) = cur {
                        if h2 != h {
                            break;
                        }
                        docs.push(d2);
                        cur = merged.next_rec()?;
                    }
                    let keep = group(h, &docs, &mut stats)?;
                    for &d in &docs[..keep] {
                        disk.push((h, d))?;
                    }
                }
                disk.finish()?
            }
        };
        stats.kept_postings = store.len();
        for (n, d) in counts.iter_mut().zip(&dropped_per_doc) {
            *n -= d;
        }
        let (mut sorted_pairs, bytes, runs) = pairs.finish()?;
        stats.spilled_bytes += bytes;
        stats.spill_runs += runs;
        let mut candidates = Vec::new();
        let mut cur = sorted_pairs.next_rec()?;
        while let Some(key) = cur {
            let mut shared = 1u32;
            cur = sorted_pairs.next_rec()?;
            while cur == Some(key) {
                shared += 1;
                cur = sorted_pairs.next_rec()?;
            }
            let (a, b) = ((key >> 32) as u32, key as u32);
            candidates.extend(config.candidate(
                a,
                b,
                shared,
                counts[a as usize],
                counts[b as usize],
            ));
        }
        stats.candidates = candidates.len() as u64;
        Ok(Index {
            config,
            store,
            counts,
            dropped,
            candidates,
            stats,
        })
    }
}

/// A built index: the kept postings (in memory, or on disk when the build spilled),
/// per-document fingerprint counts, the dropped hashes and the candidate pairs.
pub struct Index {
    config: IndexConfig,
    store: Store,
    counts: Vec<u32>,
    dropped: Vec<u64>,
    candidates: Vec<Candidate>,
    stats: IndexStats,
}

impl Index {
    /// Candidate pairs: every pair sharing at least `min_shared` kept fingerprints
    /// and either `min_containment` of one side or `strong_shared` fingerprints;
    /// `a < b`, sorted by `(a, b)`.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// Takes the candidate pairs out, leaving the index usable for queries.
    pub fn take_candidates(&mut self) -> Vec<Candidate> {
        std::mem::take(&mut self.candidates)
    }

    /// Build statistics.
    pub fn stats(&self) -> &IndexStats {
        &self.stats
    }

    /// Kept fingerprints of `doc` (after the df cut-off); 0 for unknown documents.
    pub fn doc_fingerprints(&self, doc: u32) -> u32 {
        self.counts.get(doc as usize).copied().unwrap_or(0)
    }

    /// True when the postings live in a temporary file.
    pub fn on_disk(&self) -> bool {
        matches!(self.store, Store::Disk { .. })
    }

    /// Documents sharing at least `min_shared` fingerprints with `hashes` (one
    /// document's fingerprints, any order) and either `min_containment` (of the
    /// query or of the document) or `strong_shared` fingerprints, by decreasing
    /// `shared`, then by doc.
    pub fn query(&self, hashes: &[u64]) -> Result<Vec<Hit>, IndexError> {
        let mut q = hashes.to_vec();
        q.sort_unstable();
        q.dedup();
        q.retain(|h| self.dropped.binary_search(h).is_err());
        let mut docs = Vec::new();
        self.store.lookup(&q, &mut docs)?;
        Ok(select_hits(&self.config, q.len(), docs, |d| {
            self.doc_fingerprints(d)
        }))
    }

    /// Hashes dropped for being held by more than `max_df` documents, ascending.
    pub fn dropped_hashes(&self) -> &[u64] {
        &self.dropped
    }

    /// Every kept posting `(hash, doc)`, in ascending order (read back from disk
    /// when the build spilled), given to `f`.
    pub fn for_each_posting(
        &self,
        mut f: impl FnMut(u64, u32) -> Result<(), IndexError>,
    ) -> Result<(), IndexError> {
        self.store.for_each(&mut f)
    }
}

/// The query rule of [`Index::query`], for callers that keep postings elsewhere
/// (a persistent index): `docs` holds one entry per kept fingerprint a document
/// shares with the query (any order), `query_kept` the query's kept fingerprints,
/// `doc_kept` a document's. Documents sharing at least `min_shared` and either
/// `min_containment` (of the query or of the document) or `strong_shared`
/// fingerprints, by decreasing `shared`, then by doc.
pub fn select_hits(
    config: &IndexConfig,
    query_kept: usize,
    mut docs: Vec<u32>,
    doc_kept: impl Fn(u32) -> u32,
) -> Vec<Hit> {
    docs.sort_unstable();
    let n = query_kept.max(1) as f32;
    let c = config.get();
    let mut hits = Vec::new();
    let mut i = 0;
    while i < docs.len() {
        let mut e = i + 1;
        while e < docs.len() && docs[e] == docs[i] {
            e += 1;
        }
        let shared = (e - i) as u32;
        if shared >= c.min_shared {
            let doc = docs[i];
            let hit = Hit {
                doc,
                shared,
                containment: shared as f32 / n,
                containment_doc: shared as f32 / doc_kept(doc).max(1) as f32,
            };
            if hit.containment.max(hit.containment_doc) >= c.min_containment
                || shared >= c.strong_shared
            {
                hits.push(hit);
            }
        }
        i = e;
    }
    hits.sort_by(|x, y| y.shared.cmp(&x.shared).then(x.doc.cmp(&y.doc)));
    hits
}

enum Store {
    Memory(Vec<(u64, u32)>),
    Disk {
        file: Mutex<File>,
        dir: Vec<u64>,
        len: u64,
    },
}

impl Store {
    fn len(&self) -> u64 {
        match self {
            Store::Memory(v) => v.len() as u64,
            Store::Disk { len, .. } => *len,
        }
    }

    fn for_each(
        &self,
        f: &mut dyn FnMut(u64, u32) -> Result<(), IndexError>,
    ) -> Result<(), IndexError> {
        match self {
            Store::Memory(v) => {
                for &(h, d) in v {
                    f(h, d)?;
                }
            }
            Store::Disk { file, len, .. } => {
                let mut file = file.lock().map_err(|_| IndexError::Poisoned)?;
                file.seek(SeekFrom::Start(0))
                    .map_err(IndexError::io("seeking the index file"))?;
                let mut r = std::io::BufReader::with_capacity(1 << 16, &mut *file);
                let mut rec = [0u8; 12];
                for _ in 0..*len {
                    r.read_exact(&mut rec)
                        .map_err(IndexError::io("reading the index file"))?;
                    let (h, d) = <(u64, u32)>::read(&rec);
                    f(h, d)?;
                }
            }
        }
        Ok(())
    }

    /// Appends to `out` the documents of every hash of `sorted` (ascending, distinct).
    fn lookup(&self, sorted: &[u64], out: &mut Vec<u32>) -> Result<(), IndexError> {
        match self {
            Store::Memory(v) => {
                for &h in sorted {
                    let s = v.partition_point(|p| p.0 < h);
                    out.extend(v[s..].iter().take_while(|p| p.0 == h).map(|p| p.1));
                }
            }
            Store::Disk { file, dir, len } => {
                let mut f = file.lock().map_err(|_| IndexError::Poisoned)?;
                let mut buf = vec![0u8; BLOCK * 12];
                for &h in sorted {
                    // First block whose first hash is ≥ h; the run may start one block earlier.
                    let mut blk = dir.partition_point(|&x| x < h).saturating_sub(1);
                    'blocks: while (blk as u64) * (BLOCK as u64) < *len {
                        let start = blk as u64 * BLOCK as u64;
                        let n = (*len - start).min(BLOCK as u64) as usize;
                        f.seek(SeekFrom::Start(start * 12))
                            .map_err(IndexError::io("seeking the index file"))?;
                        f.read_exact(&mut buf[..n * 12])
                            .map_err(IndexError::io("reading the index file"))?;
                        for rec in buf[..n * 12].chunks_exact(12) {
                            let (ph, d) = <(u64, u32)>::read(rec);
                            if ph > h {
                                break 'blocks;
                            }
                            if ph == h {
                                out.push(d);
                            }
                        }
                        blk += 1;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Writes kept postings to a temporary file with a sparse directory (first hash of
/// every block of [`BLOCK`] postings).
struct DiskWriter {
    w: BufWriter<File>,
    dir: Vec<u64>,
    len: u64,
}

impl DiskWriter {
    fn new(temp_dir: Option<&std::path::PathBuf>) -> Result<DiskWriter, IndexError> {
        let f = match temp_dir {
            Some(d) => tempfile::tempfile_in(d),
            None => tempfile::tempfile(),
        }
        .map_err(IndexError::io("creating the index file"))?;
        Ok(DiskWriter {
            w: BufWriter::with_capacity(1 << 16, f),
            dir: Vec::new(),
            len: 0,
        })
    }

    fn push(&mut self, p: (u64, u32)) -> Result<(), IndexError> {
        if self.len & (BLOCK as u64 - 1) == 0 {
            self.dir.push(p.0);
        }
        let mut rec = [0u8; 12];
        p.write(&mut rec);
        self.w
            .write_all(&rec)
            .map_err(IndexError::io("writing the index file"))?;
        self.len += 1;
        Ok(())
    }

    fn finish(self) -> Result<Store, IndexError> {
        let file = self
            .w
            .into_inner()
            .map_err(|e| IndexError::io("writing the index file")(e.into_error()))?;
        Ok(Store::Disk {
            file: Mutex::new(file),
            dir: self.dir,
            len: self.len,
        })
    }
}
