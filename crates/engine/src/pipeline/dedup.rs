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

/// Why a document was removed: the same text as the one kept (after trimming
/// surrounding whitespace), or a near-duplicate of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    ExactDuplicate,
    NearDuplicate,
}

impl Reason {
    /// The code written in outputs: `exact_duplicate`, `near_duplicate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ExactDuplicate => "exact_duplicate",
            Reason::NearDuplicate => "near_duplicate",
        }
    }
}

/// Why the kept document was the one kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeptBy {
    /// It has the earliest publication date of its cluster.
    EarliestDate,
    /// It is the longest.
    Longest,
    /// It was read first: asked for, or `earliest` was asked for and no member
    /// of the cluster has a date.
    FirstSeen,
}

impl KeptBy {
    /// The code written in outputs: `earliest_date`, `longest`, `first_seen`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeptBy::EarliestDate => "earliest_date",
            KeptBy::Longest => "longest",
            KeptBy::FirstSeen => "first_seen",
        }
    }
}

/// A removal explained: [`Dedup::why`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Why {
    pub reason: Reason,
    pub kept_by: KeptBy,
}

impl Dedup {
    /// Why `r` was removed and why its cluster kept the document it kept, as
    /// `pick` chose it. A policy never claims what the data cannot show:
    /// `earliest` over a cluster without dates says `first_seen`.
    pub fn why(&self, docs: &[Document], r: &Removal, pick: Pick) -> Why {
        Why::of(&docs[r.doc as usize], &docs[r.kept as usize], pick)
    }
}

impl Why {
    /// Why `gone` was removed in favour of `kept`, which `pick` chose: the rule of
    /// [`Dedup::why`] for a caller that holds the two documents (a distributed
    /// runner).
    pub fn of(gone: &Document, kept: &Document, pick: Pick) -> Why {
        let reason = if gone.text.trim() == kept.text.trim() {
            Reason::ExactDuplicate
        } else {
            Reason::NearDuplicate
        };
        let kept_by = match pick {
            Pick::Earliest if super::verify::time_of(kept).is_some() => KeptBy::EarliestDate,
            Pick::Longest => KeptBy::Longest,
            _ => KeptBy::FirstSeen,
        };
        Why { reason, kept_by }
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
    fn removals_say_why_in_codes() {
        let mut docs = corpus();
        docs.push(Document::new("wire-again", format!("  {}\n", docs[0].text)));
        let found = pairs(&docs, &PipelineConfig::default(), &|_, _, _| {}).unwrap();
        let d = dedup(&docs, &found.pairs, Pick::Earliest);
        let r = d.removal_of(4).unwrap();
        // no document has a date: kept because it was read first
        let why = d.why(&docs, r, Pick::Earliest);
        assert_eq!(
            (why.reason, why.kept_by),
            (Reason::ExactDuplicate, KeptBy::FirstSeen)
        );
        docs[0].meta.date = Some("2015-10-01".into());
        let why = d.why(&docs, r, Pick::Earliest);
        assert_eq!(why.kept_by.as_str(), "earliest_date");
        docs[4]
            .text
            .push_str(" One more sentence at the end of the copy.");
        assert_eq!(
            d.why(&docs, r, Pick::Longest).reason.as_str(),
            "near_duplicate"
        );
    }

    #[test]
    fn boilerplate_is_cut_out_and_blocks_joined() {
        let mut d = Document::new("d", "Story text.\nSubscribe now!\nMore story.");
        assert_eq!(without_boilerplate(&d), d.text);
        d.boilerplate = vec![Span::new(12, 27)];
        assert_eq!(without_boilerplate(&d), "Story text.\n\nMore story.");
    }
}
