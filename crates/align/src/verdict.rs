//! The one-line verdict: relation between A and B and how sure it is.

use whence_core::{Passage, Relation};

/// Relation and confidence from the reused fractions and the passages.
///
/// - no passage: `unrelated`;
/// - both sides ≥ 0.8 reused: `near_duplicate`;
/// - one side ≥ 0.85 reused and at least 0.1 above the other: that side is
///   derived from the other (a truncated or trimmed copy);
/// - otherwise the direction score `d = ln(a_reused / b_reused) + ln(|B passages| /
///   |A passages|)` weighs two signs of derivation: the derived side is mostly made
///   of shared text, and the source holds the longer, more complete version of it
///   (a rewrite condenses). `d ≥ ln 1.5`: A derived from B; `d ≤ -ln 1.5`: B derived
///   from A; in between neither contains the other: `shared_source`.
pub fn verdict(a_reused: f64, b_reused: f64, passages: &[Passage]) -> (Relation, f64) {
    if passages.is_empty() || a_reused.max(b_reused) < 0.005 {
        return (Relation::Unrelated, 0.9);
    }
    if a_reused >= 0.8 && b_reused >= 0.8 {
        return (Relation::NearDuplicate, round2(a_reused.min(b_reused)));
    }
    // containment: one side is (almost) wholly made of the other, which has more
    let (hi, lo) = (a_reused.max(b_reused), a_reused.min(b_reused));
    if hi >= 0.85 && hi - lo >= 0.1 {
        let relation = if a_reused > b_reused {
            Relation::ADerivedFromB
        } else {
            Relation::BDerivedFromA
        };
        return (relation, round2((hi - lo).clamp(0.3, 0.95)));
    }
    let len_a: usize = passages.iter().map(|p| p.a.len()).sum();
    let len_b: usize = passages.iter().map(|p| p.b.len()).sum();
    let eps = 1e-3;
    let d = ((a_reused + eps) / (b_reused + eps)).ln()
        + ((len_b as f64 + 1.0) / (len_a as f64 + 1.0)).ln();
    let cut = 1.5f64.ln();
    let relation = if d >= cut {
        Relation::ADerivedFromB
    } else if d <= -cut {
        Relation::BDerivedFromA
    } else {
        return (
            Relation::SharedSource,
            round2((1.0 - d.abs() / cut).clamp(0.3, 0.9)),
        );
    };
    (relation, round2((d.abs() / (2.0 * cut)).clamp(0.3, 0.95)))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
