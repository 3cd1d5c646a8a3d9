//! Reuse clusters: verified pairs → groups of documents, a representative each, and
//! the direction of reuse (who copied whom).
//!
//! Inputs: the number of documents, [`Edge`]s between document indices (verified
//! pairs with their relation), and per-document [`DocInfo`] (publication time if
//! known, length, reading order). Outputs: [`Cluster`]s (members sorted, clusters
//! ordered by their first member) and, per pair, a date-aware [`orient`]ation.
//!
//! Clusters are connected components (union-find with path halving) over the edges
//! a caller selects — near-duplicate edges for `dedup`, every reuse edge for
//! `pairs --clusters`. The representative is chosen by a [`Pick`] policy:
//! the earliest document (by date, ties and undated by reading order), the longest,
//! or the first seen. Output never depends on edge order.
//!
//! ```
//! use whence_cluster::{clusters, DocInfo, Edge, Pick};
//! use whence_core::{Relation, Summary, DERIVED_MIN_REUSED};
//! let info = vec![DocInfo::new(0, 900, None), DocInfo::new(1, 1000, None), DocInfo::new(2, 500, None)];
//! let edges = [Edge { a: 2, b: 0, relation: Relation::NearDuplicate }];
//! let cs = clusters(info.len(), &edges, |_| true, Pick::Longest, &info);
//! assert_eq!(cs.len(), 1);
//! assert_eq!(cs[0].members, vec![0, 2]);
//! assert_eq!(cs[0].representative, 0);
//! ```

mod date;

pub use date::{parse_date, parse_timestamp, DateError, Timestamp};
use whence_core::{Relation, Summary, DERIVED_MIN_REUSED};

/// A cluster's identifier: its position in the output, stable for a given input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClusterId(pub u32);

/// A verified pair between document indices `a` and `b`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub relation: Relation,
}

/// What the clusterer needs to know about a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocInfo {
    /// Reading order (0 = first seen).
    pub order: u32,
    /// Text length (characters or bytes: only compared with each other).
    pub len: usize,
    /// Publication time, if the source gave one that [`parse_date`] understands.
    pub time: Option<Timestamp>,
}

impl DocInfo {
    /// Info for a document.
    pub fn new(order: u32, len: usize, time: Option<Timestamp>) -> DocInfo {
        DocInfo { order, len, time }
    }
}

/// How to choose a cluster's representative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// Earliest publication time; undated documents after dated ones, then reading order.
    Earliest,
    /// Longest text, then reading order.
    Longest,
    /// First in reading order.
    First,
}

/// A group of documents connected by selected edges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    pub id: ClusterId,
    /// Document indices, ascending.
    pub members: Vec<u32>,
    pub representative: u32,
}

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        // the smaller index becomes the root: deterministic regardless of edge order
        if ra < rb {
            self.parent[rb as usize] = ra;
        } else if rb < ra {
            self.parent[ra as usize] = rb;
        }
    }
}

/// Connected components of size ≥ 2 over the edges for which `select` holds.
///
/// Edges naming a document index `≥ n` are ignored (a caller bug, not a panic).
pub fn clusters(
    n: usize,
    edges: &[Edge],
    select: impl Fn(&Edge) -> bool,
    pick: Pick,
    info: &[DocInfo],
) -> Vec<Cluster> {
    let mut uf = UnionFind::new(n);
    for e in edges.iter().filter(|e| select(e)) {
        if (e.a as usize) < n && (e.b as usize) < n {
            uf.union(e.a, e.b);
        }
    }
    let mut groups: std::collections::BTreeMap<u32, Vec<u32>> = std::collections::BTreeMap::new();
    for d in 0..n as u32 {
        let root = uf.find(d);
        groups.entry(root).or_default().push(d);
    }
    groups
        .into_values()
        .filter(|m| m.len() > 1)
        .enumerate()
        .map(|(i, members)| {
            let representative = choose(&members, pick, info);
            Cluster {
                id: ClusterId(i as u32),
                members,
                representative,
            }
        })
        .collect()
}

fn choose(members: &[u32], pick: Pick, info: &[DocInfo]) -> u32 {
    let get = |d: u32| {
        info.get(d as usize)
            .copied()
            .unwrap_or(DocInfo::new(d, 0, None))
    };
    representative(members.iter().map(|&d| (d, get(d))), pick).unwrap_or(members[0])
}

/// The representative of a cluster given as `(document, info)` members, by
/// `pick` (see [`Pick`]; ties by reading order, then document): the choice
/// [`clusters`] makes, for callers that hold a cluster's members but not the
/// whole corpus (a distributed runner). `None` for no members.
pub fn representative(
    members: impl IntoIterator<Item = (u32, DocInfo)>,
    pick: Pick,
) -> Option<u32> {
    let best = members.into_iter().min_by(|&(x, a), &(y, b)| {
        let primary = match pick {
            Pick::Earliest => match (a.time, b.time) {
                (Some(s), Some(t)) => s.cmp(&t),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
            Pick::Longest => b.len.cmp(&a.len),
            Pick::First => std::cmp::Ordering::Equal,
        };
        primary.then(a.order.cmp(&b.order)).then(x.cmp(&y))
    });
    best.map(|(d, _)| d)
}

/// Confidence of a direction read from publication dates: they decide, but
/// a wrong or approximate date is not ruled out.
pub const DATED_CONFIDENCE: f64 = 0.95;

/// The verdict of a pair, given publication times: when both are known and
/// differ, the later text is the derived one if it is mostly shared text
/// ([`DERIVED_MIN_REUSED`]); if it is not, neither is derived (an earlier text
/// cannot derive from a later one) and the pair is `shared_source`. Dates
/// override the textual direction evidence. `near_duplicate`, `unrelated` and
/// `shared_source` stay as they are; so does everything when a time is missing
/// or both are equal.
pub fn orient(summary: &Summary, time_a: Option<Timestamp>, time_b: Option<Timestamp>) -> Summary {
    let directional = matches!(
        summary.relation,
        Relation::ADerivedFromB | Relation::BDerivedFromA | Relation::UnknownDirection
    );
    let (Some(ta), Some(tb)) = (time_a, time_b) else {
        return *summary;
    };
    if !directional || ta == tb {
        return *summary;
    }
    let (later_reused, relation) = if ta > tb {
        (summary.a_reused, Relation::ADerivedFromB)
    } else {
        (summary.b_reused, Relation::BDerivedFromA)
    };
    let (relation, confidence) = if later_reused >= DERIVED_MIN_REUSED {
        (relation, DATED_CONFIDENCE)
    } else {
        let hi = summary.a_reused.max(summary.b_reused);
        (Relation::SharedSource, ((1.0 - hi) * 100.0).round() / 100.0)
    };
    Summary {
        relation,
        confidence,
        ..*summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn infos(n: usize) -> Vec<DocInfo> {
        (0..n)
            .map(|i| DocInfo::new(i as u32, 100 + i, None))
            .collect()
    }

    #[test]
    fn picks() {
        let mut info = infos(3);
        info[2].time = parse_date("2015-10-01");
        info[1].time = parse_date("2015-10-02");
        let e = [
            Edge {
                a: 0,
                b: 1,
                relation: Relation::NearDuplicate,
            },
            Edge {
                a: 1,
                b: 2,
                relation: Relation::NearDuplicate,
            },
        ];
        let all = |_: &Edge| true;
        assert_eq!(
            clusters(3, &e, all, Pick::Earliest, &info)[0].representative,
            2
        );
        assert_eq!(
            clusters(3, &e, all, Pick::Longest, &info)[0].representative,
            2
        );
        assert_eq!(
            clusters(3, &e, all, Pick::First, &info)[0].representative,
            0
        );
    }

    #[test]
    fn selection_and_singletons() {
        let e = [
            Edge {
                a: 0,
                b: 1,
                relation: Relation::NearDuplicate,
            },
            Edge {
                a: 2,
                b: 3,
                relation: Relation::SharedSource,
            },
            Edge {
                a: 3,
                b: 9,
                relation: Relation::NearDuplicate,
            },
        ];
        let near = clusters(
            5,
            &e,
            |e| e.relation == Relation::NearDuplicate,
            Pick::First,
            &infos(5),
        );
        assert_eq!(near.len(), 1);
        assert_eq!(near[0].members, vec![0, 1]);
        let any = clusters(5, &e, |_| true, Pick::First, &infos(5));
        assert_eq!(
            any.iter().map(|c| c.members.clone()).collect::<Vec<_>>(),
            vec![vec![0, 1], vec![2, 3]]
        );
    }

    fn summary(a_reused: f64, b_reused: f64, relation: Relation) -> Summary {
        Summary {
            a_reused,
            b_reused,
            relation,
            confidence: 0.5,
        }
    }

    #[test]
    fn dates_orient_derivation() {
        let (early, late) = (
            parse_date("26-FEB-1987 15:01:01.79"),
            parse_date("1987-02-27"),
        );
        // the later side, mostly shared text, is derived whatever the text said
        for r in [
            Relation::ADerivedFromB,
            Relation::BDerivedFromA,
            Relation::UnknownDirection,
        ] {
            let s = orient(&summary(0.6, 0.9, r), early, late);
            assert_eq!(s.relation, Relation::BDerivedFromA, "{r:?}");
            assert_eq!(s.confidence, DATED_CONFIDENCE);
            assert_eq!((s.a_reused, s.b_reused), (0.6, 0.9));
        }
        assert_eq!(
            orient(&summary(0.9, 0.6, Relation::UnknownDirection), late, early).relation,
            Relation::ADerivedFromB
        );
        // a later follow-up that is mostly its own text recycles the earlier one:
        // neither is derived
        let s = orient(&summary(0.9, 0.2, Relation::ADerivedFromB), early, late);
        assert_eq!(s.relation, Relation::SharedSource);
        assert_eq!(s.confidence, 0.1);
        for r in [
            Relation::SharedSource,
            Relation::NearDuplicate,
            Relation::Unrelated,
        ] {
            assert_eq!(orient(&summary(0.3, 0.9, r), early, late).relation, r);
        }
        // missing or equal times change nothing
        let s = summary(0.9, 0.6, Relation::UnknownDirection);
        assert_eq!(orient(&s, None, late), s);
        assert_eq!(orient(&s, late, late), s);
    }

    #[test]
    fn time_zones_decide_the_order() {
        // 01:00 at +05:00 is an hour before 21:00Z of the day before
        let east = parse_date("2015-10-02T01:00:00+05:00");
        let west = parse_date("2015-10-01T21:00:00Z");
        let s = orient(
            &summary(0.9, 0.9 - 0.2, Relation::UnknownDirection),
            east,
            west,
        );
        assert_eq!(s.relation, Relation::BDerivedFromA);
    }

    proptest! {
        #[test]
        fn edge_order_does_not_matter(raw in proptest::collection::vec((0u32..30, 0u32..30), 0..60), seed in 0u64..1000) {
            let edges: Vec<Edge> = raw.iter().map(|&(a, b)| Edge { a, b, relation: Relation::NearDuplicate }).collect();
            let mut shuffled = edges.clone();
            // deterministic shuffle
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            let info = infos(30);
            let one = clusters(30, &edges, |_| true, Pick::Longest, &info);
            let two = clusters(30, &shuffled, |_| true, Pick::Longest, &info);
            prop_assert_eq!(&one, &two);
            // every edge's ends share a cluster; clusters partition their members
            let mut seen = std::collections::HashSet::new();
            for c in &one {
                for m in &c.members { prop_assert!(seen.insert(*m)); }
                prop_assert!(c.members.contains(&c.representative));
            }
            for e in &edges {
                if e.a != e.b {
                    let ca = one.iter().position(|c| c.members.contains(&e.a));
                    prop_assert!(ca.is_some());
                    prop_assert_eq!(ca, one.iter().position(|c| c.members.contains(&e.b)));
                }
            }
        }
    }
}
