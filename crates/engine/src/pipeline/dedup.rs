//! `dedup`: which documents a near-duplicate cluster keeps, and why the others
//! go. The decision lives here so that every surface (CLI, Python, Spark)
//! removes exactly the same documents.

use whence_cluster::{Cluster, Pick};
use whence_core::{Document, Span};

use super::{duplicate_clusters, PairResult};

/// One removed document: the representative kept instead, and its cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    /// The removed document (index into the corpus).
    pub doc: u32,
    /// The document kept in its place.
    pub kept: u32,
    /// Index into [`Dedup::clusters`].
    pub cluster: usize,
}

/// The outcome of deduplication: near-duplicate clusters and, for every
/// document, whether it is kept.
#[derive(Clone, Debug, Default)]
pub struct Dedup {
    pub clusters: Vec<Cluster>,
    /// Removed documents in corpus order.
    pub removed: Vec<Removal>,
    /// `removed_by[i]`: the removal of document `i`, if it is removed.
    removed_by: Vec<Option<usize>>,
}

impl Dedup {
    /// Whether document `i` is kept.
    pub fn is_kept(&self, i: u32) -> bool {
        self.removed_by.get(i as usize).is_none_or(|r| r.is_none())
    }

    /// The removal of document `i`, if it is removed.
    pub fn removal_of(&self, i: u32) -> Option<&Removal> {
        let r = (*self.removed_by.get(i as usize)?)?;
        self.removed.get(r)
    }
}

/// Keeps one document per near-duplicate cluster of the verified `pairs`, chosen
/// by `pick`; every other member is removed in favour of it.
pub fn dedup(docs: &[Document], pairs: &[PairResult], pick: Pick) -> Dedup {
    let clusters = duplicate_clusters(docs, pairs, pick);
    let mut kept_for: Vec<Option<(u32, usize)>> = vec![None; docs.len()];
    for (n, c) in clusters.iter().enumerate() {
        for &m in &c.members {
            if m != c.representative {
                kept_for[m as usize] = Some((c.representative, n));
            }
        }
    }
    let mut removed = Vec::new();
    let mut removed_by = vec![None; docs.len()];
    for (i, k) in kept_for.into_iter().enumerate() {
        if let Some((kept, cluster)) = k {
            removed_by[i] = Some(removed.len());
            removed.push(Removal {
                doc: i as u32,
                kept,
                cluster,
            });
        }
    }
    Dedup {
        clusters,
        removed,
        removed_by,
    }
}

/// The text of `doc` without its boilerplate: the remaining blocks, trimmed,
/// joined by blank lines (the text as is when it has no boilerplate).
pub fn without_boilerplate(doc: &Document) -> String {
    if doc.boilerplate.is_empty() {
        return doc.text.clone();
    }
    Span::complement(Span::new(0, doc.text.len()), &doc.boilerplate)
        .iter()
        .map(|s| doc.text[s.range()].trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::super::{fixtures::corpus, pairs, PipelineConfig};
    use super::*;

    #[test]
    fn dedup_keeps_one_of_each_near_duplicate_cluster() {
        let mut docs = corpus();
        // an exact copy of the wire story: a near-duplicate of it
        docs.push(Document::new("wire-again", docs[0].text.clone()));
        let found = pairs(&docs, &PipelineConfig::default(), &|_, _, _| {}).unwrap();
        let d = dedup(&docs, &found.pairs, Pick::First);
        let removed: Vec<u32> = d.removed.iter().map(|r| r.doc).collect();
        assert!(removed.contains(&4), "{removed:?}");
        assert!(d.is_kept(0) && d.is_kept(1));
        let r = d.removal_of(4).unwrap();
        assert_eq!(r.kept, 0);
        assert!(d.clusters[r.cluster].members.contains(&4));
        assert!(removed.iter().all(|&i| !d.is_kept(i)));
    }

    #[test]
    fn boilerplate_is_cut_out_and_blocks_joined() {
        let mut d = Document::new("d", "Story text.\nSubscribe now!\nMore story.");
        assert_eq!(without_boilerplate(&d), d.text);
        d.boilerplate = vec![Span::new(12, 27)];
        assert_eq!(without_boilerplate(&d), "Story text.\n\nMore story.");
    }
}
