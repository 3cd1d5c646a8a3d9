//! The one-line verdict: relation between A and B and how sure it is.
//!
//! The relation follows the contract's definitions (`Relation`): derived means
//! the derived side is mostly shared text ([`DERIVED_MIN_REUSED`]) *and* it is
//! the later text. Without dates, only [`DirectionEvidence`] (follow-up markers,
//! time words, back-references) says which is later; when it is weak the
//! direction stays unknown rather than guessed from which side is shorter.
//! Dates, when a caller has them, are applied afterwards (`whence-cluster`'s
//! `orient`).

use whence_core::{Relation, DERIVED_MIN_REUSED};

use crate::direction::{DirectionEvidence, MIN_SCORE};

/// Both sides at least this much reused: near-duplicates.
pub const NEAR_DUPLICATE_MIN_REUSED: f64 = 0.8;

/// Share of directional calls that were right, by |evidence score| (index 2,
/// 3, 4 and more), on the development part of the dated pairs with the dates
/// hidden (`eval/direction.py`: Reuters pairs whose later story is dated
/// before 1987-03-20, METER stories of 1999), made non-decreasing by pooling
/// adjacent buckets: score 2 was right 35 of 38 times, score 3 8 of 10 (pooled:
/// 43 of 48, 0.90), score 4 and more never occurred. The held-out part (Reuters
/// from 1987-03-20, METER 2000) was right 50 of 55 times (docs/BENCHMARKS.md).
const DIRECTION_CONFIDENCE: [f64; 3] = [0.9, 0.9, 0.9];

/// Relation and confidence from the reused fractions, whether any passage was
/// found, and the textual direction evidence.
///
/// - nothing shared: `unrelated`, confidence `1 − max reused` (at most 0.99);
/// - both sides ≥ 0.8 reused: `near_duplicate`, confidence the smaller share;
/// - the evidence names a later side ([`DirectionEvidence::a_is_later`]) that is
///   mostly shared text: that side derived from the other, confidence the share
///   of such calls that were right on dated development pairs;
/// - otherwise, a side mostly shared: `unknown_direction`, confidence the larger
///   share (how clearly one side is mostly the other's text);
/// - otherwise `shared_source`, confidence `1 − max reused` (how clearly
///   neither side is mostly shared).
///
/// Each confidence grows with the evidence for its relation.
pub fn verdict(
    a_reused: f64,
    b_reused: f64,
    any_passage: bool,
    evidence: &DirectionEvidence,
) -> (Relation, f64) {
    let hi = a_reused.max(b_reused);
    if !any_passage || hi < 0.005 {
        return (Relation::Unrelated, round2((1.0 - hi).min(0.99)));
    }
    if a_reused.min(b_reused) >= NEAR_DUPLICATE_MIN_REUSED {
        return (Relation::NearDuplicate, round2(a_reused.min(b_reused)));
    }
    if let Some(a_later) = evidence.a_is_later() {
        let later_reused = if a_later { a_reused } else { b_reused };
        if later_reused >= DERIVED_MIN_REUSED {
            let relation = if a_later {
                Relation::ADerivedFromB
            } else {
                Relation::BDerivedFromA
            };
            let k = (evidence.score().unsigned_abs() as usize - MIN_SCORE as usize)
                .min(DIRECTION_CONFIDENCE.len() - 1);
            return (relation, DIRECTION_CONFIDENCE[k]);
        }
    }
    if hi >= DERIVED_MIN_REUSED {
        (Relation::UnknownDirection, round2(hi))
    } else {
        (Relation::SharedSource, round2(1.0 - hi))
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: DirectionEvidence = DirectionEvidence {
        marker: 0,
        deixis: 0,
        back_reference: 0,
    };
    const A_LATER: DirectionEvidence = DirectionEvidence {
        marker: 0,
        deixis: 1,
        back_reference: 1,
    };
    const B_MARKED: DirectionEvidence = DirectionEvidence {
        marker: -1,
        deixis: 0,
        back_reference: 0,
    };

    #[test]
    fn relations_follow_their_definitions() {
        assert_eq!(verdict(0.0, 0.0, false, &NONE).0, Relation::Unrelated);
        assert_eq!(
            verdict(0.97, 0.85, true, &A_LATER).0,
            Relation::NearDuplicate
        );
        // the demo reprint: 97 % of A reused, 80 % of B, no direction cue
        assert_eq!(
            verdict(0.97, 0.797, true, &NONE),
            (Relation::UnknownDirection, 0.97)
        );
        assert_eq!(
            verdict(0.97, 0.5, true, &A_LATER).0,
            Relation::ADerivedFromB
        );
        assert_eq!(
            verdict(0.3, 0.9, true, &B_MARKED).0,
            Relation::BDerivedFromA
        );
        // the later side is mostly its own text: not derived, whatever the cue
        assert_eq!(
            verdict(0.3, 0.9, true, &A_LATER).0,
            Relation::UnknownDirection
        );
        assert_eq!(verdict(0.31, 0.09, true, &NONE).0, Relation::SharedSource);
        // one clause in common (issue 11): never derived
        assert_eq!(
            verdict(0.014, 0.002, true, &A_LATER).0,
            Relation::SharedSource
        );
    }

    #[test]
    fn confidence_grows_with_the_evidence() {
        let near = |m| verdict(m, 1.0, true, &NONE).1;
        assert!(near(0.8) < near(0.9) && near(0.9) < near(1.0));
        let unknown = |hi| verdict(hi, 0.1, true, &NONE).1;
        assert!(unknown(0.6) < unknown(0.97));
        let shared = |hi| verdict(hi, 0.05, true, &NONE).1;
        assert!(shared(0.4) < shared(0.1));
        let mut last = 0.0;
        for (marker, deixis, back_reference) in [(0, 1, 1), (0, 2, 1), (1, 0, 0), (1, 2, 2)] {
            let e = DirectionEvidence {
                marker,
                deixis,
                back_reference,
            };
            let (r, c) = verdict(0.9, 0.3, true, &e);
            assert_eq!(r, Relation::ADerivedFromB);
            assert!(c >= last, "{e:?}");
            last = c;
        }
        // too weak: no direction
        let weak = DirectionEvidence {
            marker: 0,
            deixis: 1,
            back_reference: 0,
        };
        assert_eq!(verdict(0.9, 0.3, true, &weak).0, Relation::UnknownDirection);
    }
}
