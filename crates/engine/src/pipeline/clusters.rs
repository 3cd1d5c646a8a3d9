//! Clusters over verified pairs: reuse families and near-duplicate groups, each
//! with a representative.

use whence_cluster::{clusters, Cluster, DocInfo, Edge, Pick};
use whence_core::{Document, Relation};

use super::PairResult;

/// Per-document info for clustering (order, length, date).
pub fn doc_infos(docs: &[Document]) -> Vec<DocInfo> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| crate::stages::doc_info(i as u32, d))
        .collect()
}

/// Whether a verified pair with this relation joins a reuse cluster: every
/// relation but `unrelated` and `template` (a form shared with other facts is
/// no reuse).
pub fn joins_reuse_cluster(relation: Relation) -> bool {
    !matches!(relation, Relation::Unrelated | Relation::Template)
}

/// Reuse clusters over edges between documents `0..infos.len()` (numbered in
/// reading order): the rule of [`reuse_clusters`] for callers that hold edges
/// and document infos rather than documents (the persistent index).
pub fn reuse_clusters_of(infos: &[DocInfo], edges: &[Edge], pick: Pick) -> Vec<Cluster> {
    clusters(
        infos.len(),
        edges,
        |e| joins_reuse_cluster(e.relation),
        pick,
        infos,
    )
}

/// Clusters over the verified pairs that `select` accepts.
fn clusters_where(
    docs: &[Document],
    pairs: &[PairResult],
    pick: Pick,
    select: impl Fn(&PairResult) -> bool,
) -> Vec<Cluster> {
    let edges: Vec<Edge> = pairs
        .iter()
        .filter(|p| select(p))
        .map(|p| Edge {
            a: p.a,
            b: p.b,
            relation: p.alignment.summary.relation,
        })
        .collect();
    clusters(docs.len(), &edges, |_| true, pick, &doc_infos(docs))
}

/// Reuse clusters over the listed pairs ([`PairResult::listed`]) of every
/// relation but `unrelated` and `template`: a form shared with other facts is
/// no reuse, nor a page that shares only the site's standing wording.
pub fn reuse_clusters(docs: &[Document], pairs: &[PairResult], pick: Pick) -> Vec<Cluster> {
    clusters_where(docs, pairs, pick, |p| {
        p.listed && joins_reuse_cluster(p.alignment.summary.relation)
    })
}

/// Near-duplicate clusters: pairs the reuse rules call near-duplicates
/// ([`super::ReuseRules::near_duplicate`], lexical evidence only).
pub fn duplicate_clusters(docs: &[Document], pairs: &[PairResult], pick: Pick) -> Vec<Cluster> {
    clusters_where(docs, pairs, pick, |p| p.duplicate)
}
