//! The semantic stage through the public API, with encoders whose vectors the
//! test chooses: sentences that share almost no words align only through them.

use std::sync::atomic::{AtomicUsize, Ordering};

use whence_align::{align, align_with, AlignConfig, RawAlignConfig, SentenceEncoder, Side};
use whence_core::PassageKind;

const A: &str = "The council approved the budget after a long debate on Monday. \
Residents have made their way to the harbour to watch the tall ships arrive. \
Parking fees in the centre will double from April.";
const B: &str = "Crowds flocked to the waterfront as sailing vessels docked in the port. \
A spokesman for the festival declined to give attendance figures. \
The mayor thanked volunteers.";

/// Gives the harbour sentence and the waterfront sentence the same direction and
/// every other sentence its own axis; counts the sentences it was asked for.
struct Chosen {
    asked: AtomicUsize,
}

impl SentenceEncoder for Chosen {
    fn encode(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
        self.asked.fetch_add(sentences.len(), Ordering::Relaxed);
        Some(
            sentences
                .iter()
                .map(|s| {
                    let mut v = vec![0.0f32; 64];
                    if s.contains("harbour") || s.contains("waterfront") {
                        v[0] = 1.0;
                    } else {
                        // a distinct axis per sentence text
                        let h = s
                            .bytes()
                            .fold(7usize, |h, b| h.wrapping_mul(31) ^ b as usize);
                        v[1 + h % 63] = 1.0;
                    }
                    v
                })
                .collect(),
        )
    }
}

struct Failing;

impl SentenceEncoder for Failing {
    fn encode(&self, _: &[&str]) -> Option<Vec<Vec<f32>>> {
        None
    }
}

fn sides() -> (whence_core::TokenStream, whence_core::TokenStream) {
    (whence_text::analyze(A), whence_text::analyze(B))
}

#[test]
fn sentences_sharing_no_words_align_through_their_embeddings() {
    let (ta, tb) = sides();
    let cfg = AlignConfig::default();
    let plain = align(Side::new(A, &ta, &[]), Side::new(B, &tb, &[]), &cfg);
    assert!(plain.passages.is_empty(), "{:?}", plain.passages);

    let enc = Chosen {
        asked: AtomicUsize::new(0),
    };
    let al = align_with(
        Side::new(A, &ta, &[]),
        Side::new(B, &tb, &[]),
        &cfg,
        Some(&enc),
    );
    assert_eq!(al.passages.len(), 1, "{:?}", al.passages);
    let p = &al.passages[0];
    assert_eq!(p.kind, PassageKind::Paraphrase);
    assert!(A[p.a.range()].starts_with("Residents have made their way"));
    assert!(B[p.b.range()].starts_with("Crowds flocked"));
    assert!(p.score > 0.99);
    // every sentence with at least four content words was asked for once: all
    // but "The mayor thanked volunteers."
    assert_eq!(enc.asked.load(Ordering::Relaxed), 5);
}

#[test]
fn the_threshold_applies_and_a_failing_encoder_changes_nothing() {
    let (ta, tb) = sides();
    let plain = align(
        Side::new(A, &ta, &[]),
        Side::new(B, &tb, &[]),
        &AlignConfig::default(),
    );
    let failed = align_with(
        Side::new(A, &ta, &[]),
        Side::new(B, &tb, &[]),
        &AlignConfig::default(),
        Some(&Failing),
    );
    assert_eq!(plain, failed);
    // paraphrase matching off: the encoder is not consulted
    let off = RawAlignConfig {
        paraphrase: false,
        ..Default::default()
    }
    .validate()
    .unwrap();
    let enc = Chosen {
        asked: AtomicUsize::new(0),
    };
    let al = align_with(
        Side::new(A, &ta, &[]),
        Side::new(B, &tb, &[]),
        &off,
        Some(&enc),
    );
    assert!(al.passages.is_empty());
    assert_eq!(enc.asked.load(Ordering::Relaxed), 0);
}

#[test]
fn lexically_aligned_sentences_are_not_embedded() {
    let a = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents. \
             Residents have made their way to the harbour to watch the tall ships arrive.";
    let b = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents. \
             Crowds flocked to the waterfront as sailing vessels docked in the port.";
    let (ta, tb) = (whence_text::analyze(a), whence_text::analyze(b));
    let enc = Chosen {
        asked: AtomicUsize::new(0),
    };
    let al = align_with(
        Side::new(a, &ta, &[]),
        Side::new(b, &tb, &[]),
        &AlignConfig::default(),
        Some(&enc),
    );
    let kinds: Vec<PassageKind> = al.passages.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![PassageKind::Verbatim, PassageKind::Paraphrase]);
    assert_eq!(enc.asked.load(Ordering::Relaxed), 2);
}

/// Gives the sentences mentioning "lighthouse" (A) and "beacon" (B) vectors at
/// a chosen cosine, every other sentence its own axis.
struct Tilted(f32);

impl SentenceEncoder for Tilted {
    fn encode(&self, sentences: &[&str]) -> Option<Vec<Vec<f32>>> {
        Some(
            sentences
                .iter()
                .map(|s| {
                    let mut v = vec![0.0f32; 256];
                    if s.contains("lighthouse") {
                        v[0] = 1.0;
                    } else if s.contains("beacon") {
                        v[0] = self.0;
                        v[1] = (1.0 - self.0 * self.0).sqrt();
                    } else {
                        // A's fillers and B's on disjoint axes: never alike
                        let h = s
                            .bytes()
                            .fold(7usize, |h, b| h.wrapping_mul(31) ^ b as usize);
                        let base = if s.contains("ledger") { 2 } else { 129 };
                        v[base + h % 127] = 1.0;
                    }
                    v
                })
                .collect(),
        )
    }
}

#[test]
fn one_match_among_many_sentences_must_be_strong() {
    // 30 unrelated sentences a side, one pair that means the same
    // no word in common between the sides' fillers: nothing aligns lexically
    let filler = |template: &str, n: usize| -> String {
        (0..n)
            .map(|i| template.replace("{i}", &i.to_string()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let a = format!(
        "{} Keepers restored the old lighthouse lamp after storms cracked its lens.",
        filler(
            "The ledger entry {i} records quarterly tonnage and tariffs.",
            30
        )
    );
    let b = format!(
        "Volunteers repaired the coastal beacon whose glass had shattered in gales. {}",
        filler(
            "Choirs rehearsed hymn {i} beneath vaulted stone arches.",
            30
        )
    );
    let (ta, tb) = (whence_text::analyze(&a), whence_text::analyze(&b));
    let run = |cos: f32| {
        align_with(
            Side::new(&a, &ta, &[]),
            Side::new(&b, &tb, &[]),
            &AlignConfig::default(),
            Some(&Tilted(cos)),
        )
        .passages
        .into_iter()
        .filter(|p| p.kind == PassageKind::Paraphrase && a[p.a.range()].contains("lighthouse"))
        .count()
    };
    assert!(align(
        Side::new(&a, &ta, &[]),
        Side::new(&b, &tb, &[]),
        &AlignConfig::default()
    )
    .passages
    .is_empty());
    // above the threshold, but alone among 31 eligible sentences: dropped
    assert_eq!(run(0.8), 0);
    // near-identical meaning stands on its own
    assert_eq!(run(0.95), 1);
}
