//! The semantic stage through the public API, with encoders whose vectors the
//! test chooses: sentences that share almost no words align only through them,
//! in pairs that words already show to share text.

use std::sync::atomic::{AtomicUsize, Ordering};

use whence_align::{align, align_with, AlignConfig, RawAlignConfig, SentenceEncoder, Side};
use whence_core::{Alignment, PassageKind};

/// Copied word for word into both texts: the lexical reuse that lets the
/// semantic stage run (it covers over 15 % of each text).
const SHARED: &str = "Flood barriers along the eastern river failed early on Tuesday, \
forcing the evacuation of about 4,000 residents.";
const A_OWN: &str = "The council approved the budget after a long debate on Monday. \
Residents have made their way to the harbour to watch the tall ships arrive. \
Parking fees in the centre will double from April.";
const B_OWN: &str = "Crowds flocked to the waterfront as sailing vessels docked in the port. \
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

/// Aligns `a` with `b` under `cfg` with a fresh [`Chosen`] encoder: the
/// alignment, and how many sentences the encoder was asked for.
fn align_chosen(a: &str, b: &str, cfg: &AlignConfig) -> (Alignment, usize) {
    let (ta, tb) = (whence_text::analyze(a), whence_text::analyze(b));
    let enc = Chosen {
        asked: AtomicUsize::new(0),
    };
    let al = align_with(
        Side::new(a, &ta, &[]),
        Side::new(b, &tb, &[]),
        cfg,
        Some(&enc),
    );
    (al, enc.asked.load(Ordering::Relaxed))
}

struct Failing;

impl SentenceEncoder for Failing {
    fn encode(&self, _: &[&str]) -> Option<Vec<Vec<f32>>> {
        None
    }
}

/// A second sentence copied into both texts.
const CLOSING: &str = "Schools in the valley will stay closed until the roads are cleared.";

/// A and B as a rewrite: the shared sentence, each side's own sentences, then
/// the closing one (the own sentences lie between copied text).
fn texts() -> (String, String) {
    (
        format!("{SHARED} {A_OWN} {CLOSING}"),
        format!("{SHARED} {B_OWN} {CLOSING}"),
    )
}

#[test]
fn sentences_sharing_no_words_align_through_their_embeddings() {
    let (a, b) = texts();
    let (ta, tb) = (whence_text::analyze(&a), whence_text::analyze(&b));
    let cfg = AlignConfig::default();
    let plain = align(Side::new(&a, &ta, &[]), Side::new(&b, &tb, &[]), &cfg);
    let kinds: Vec<PassageKind> = plain.passages.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![PassageKind::Verbatim, PassageKind::Verbatim]);

    let (al, asked) = align_chosen(&a, &b, &cfg);
    let kinds: Vec<PassageKind> = al.passages.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        vec![
            PassageKind::Verbatim,
            PassageKind::Paraphrase,
            PassageKind::Verbatim
        ],
        "{:?}",
        al.passages
    );
    let p = &al.passages[1];
    assert!(a[p.a.range()].starts_with("Residents have made their way"));
    assert!(b[p.b.range()].starts_with("Crowds flocked"));
    assert!(p.score > 0.99);
    // every sentence not aligned lexically and with at least four content words
    // was asked for once: all but the copied ones and "The mayor thanked volunteers."
    assert_eq!(asked, 5);
}

#[test]
fn with_the_envelope_sentences_far_from_reused_text_are_not_embedded() {
    // the same sentences, copied text only at the end: the harbour sentence is
    // two sentences before the first reused one on A, the waterfront sentence
    // three on B. Without the envelope they are found
    let (a, b) = (format!("{A_OWN} {SHARED}"), format!("{B_OWN} {SHARED}"));
    let (al, asked) = align_chosen(&a, &b, &AlignConfig::default());
    let kinds: Vec<PassageKind> = al.passages.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![PassageKind::Paraphrase, PassageKind::Verbatim]);
    assert_eq!(asked, 5);
    // with it, they lie outside the envelope the stage looks in
    let envelope = AlignConfig::default().with_semantic_envelope();
    let (al, asked) = align_chosen(&a, &b, &envelope);
    assert!(
        al.passages
            .iter()
            .all(|p| p.kind != PassageKind::Paraphrase),
        "{:?}",
        al.passages
    );
    // within one sentence of the copied text, A has "Parking fees…" and B only
    // "The mayor thanked volunteers." (too few content words): nothing to pair
    assert_eq!(asked, 0);
    // the same sentences reordered so that the harbour and waterfront sentences
    // come just before the copied one: found, and only they are embedded
    let a = format!(
        "The council approved the budget after a long debate on Monday. \
         Parking fees in the centre will double from April. \
         Residents have made their way to the harbour to watch the tall ships arrive. {SHARED}"
    );
    let b = format!(
        "A spokesman for the festival declined to give attendance figures. \
         The mayor thanked volunteers. \
         Crowds flocked to the waterfront as sailing vessels docked in the port. {SHARED}"
    );
    let (al, asked) = align_chosen(&a, &b, &envelope);
    let p: Vec<_> = al
        .passages
        .iter()
        .filter(|p| p.kind == PassageKind::Paraphrase)
        .collect();
    assert_eq!(p.len(), 1, "{:?}", al.passages);
    assert!(a[p[0].a.range()].starts_with("Residents have made their way"));
    assert_eq!(asked, 2);
}

#[test]
fn without_lexical_reuse_the_encoder_is_not_asked() {
    // the same sentences without the shared one: two texts on related topics
    let (al, asked) = align_chosen(A_OWN, B_OWN, &AlignConfig::default());
    assert!(al.passages.is_empty(), "{:?}", al.passages);
    assert_eq!(asked, 0);
}

#[test]
fn the_threshold_applies_and_a_failing_encoder_changes_nothing() {
    let (a, b) = texts();
    let (ta, tb) = (whence_text::analyze(&a), whence_text::analyze(&b));
    let plain = align(
        Side::new(&a, &ta, &[]),
        Side::new(&b, &tb, &[]),
        &AlignConfig::default(),
    );
    let failed = align_with(
        Side::new(&a, &ta, &[]),
        Side::new(&b, &tb, &[]),
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
    let (al, asked) = align_chosen(&a, &b, &off);
    assert!(al
        .passages
        .iter()
        .all(|p| p.kind != PassageKind::Paraphrase));
    assert_eq!(asked, 0);
}

#[test]
fn lexically_aligned_sentences_are_not_embedded() {
    let a = format!(
        "{SHARED} Residents have made their way to the harbour to watch the tall ships arrive."
    );
    let b =
        format!("{SHARED} Crowds flocked to the waterfront as sailing vessels docked in the port.");
    let (al, asked) = align_chosen(&a, &b, &AlignConfig::default());
    let kinds: Vec<PassageKind> = al.passages.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![PassageKind::Verbatim, PassageKind::Paraphrase]);
    assert_eq!(asked, 2);
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

/// Lighthouse/beacon texts: `a_fill` unrelated sentences and the lighthouse one
/// on A, `b_fill` unrelated sentences and the beacon one on B (no word in common
/// between the two sides' fillers), then `shared` copied into both.
fn lighthouse_pair(a_fill: usize, b_fill: usize, shared: &str) -> (String, String) {
    let filler = |template: &str, n: usize| -> String {
        (0..n)
            .map(|i| template.replace("{i}", &i.to_string()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let a = format!(
        "{} Keepers restored the old lighthouse lamp after storms cracked its lens. {shared}",
        filler(
            "The ledger entry {i} records quarterly tonnage and tariffs.",
            a_fill
        )
    );
    let b = format!(
        "{} Volunteers repaired the coastal beacon whose glass had shattered in gales. {shared}",
        filler(
            "Choirs rehearsed hymn {i} beneath vaulted stone arches.",
            b_fill
        )
    );
    (a, b)
}

/// Semantic passages on the lighthouse sentence when the pair's two sentences
/// have cosine `cos`.
fn lighthouse_matches(a: &str, b: &str, cos: f32) -> usize {
    let (ta, tb) = (whence_text::analyze(a), whence_text::analyze(b));
    align_with(
        Side::new(a, &ta, &[]),
        Side::new(b, &tb, &[]),
        &AlignConfig::default(),
        Some(&Tilted(cos)),
    )
    .passages
    .into_iter()
    .filter(|p| p.kind == PassageKind::Paraphrase && a[p.a.range()].contains("lighthouse"))
    .count()
}

/// Three sentences copied into both texts of `one_match_among_many…`: over 15 %
/// of B, so the semantic stage runs.
const BLOCK: &str = "Flood barriers along the eastern river failed early on Tuesday, \
forcing the evacuation of about 4,000 residents. Engineers had warned in March that \
the embankment near the old mill was sinking. The regional council said repairs \
would begin once the water level falls below the warning mark.";

#[test]
fn one_match_among_many_sentences_must_be_strong() {
    // 30 unrelated sentences on A, 10 on B, one pair that means the same, and a
    // copied block that grounds the pair lexically
    let (a, b) = lighthouse_pair(30, 10, BLOCK);
    // above the threshold, but alone among 31 eligible sentences: dropped
    assert_eq!(lighthouse_matches(&a, &b, 0.8), 0);
    // near-identical meaning stands on its own
    assert_eq!(lighthouse_matches(&a, &b, 0.95), 1);
}

#[test]
fn a_small_shared_block_does_not_open_the_semantic_stage() {
    // one copied sentence among 20 others a side: under 15 % of either text
    let (a, b) = lighthouse_pair(20, 20, SHARED);
    let (ta, tb) = (whence_text::analyze(&a), whence_text::analyze(&b));
    let plain = align(
        Side::new(&a, &ta, &[]),
        Side::new(&b, &tb, &[]),
        &AlignConfig::default(),
    );
    assert_eq!(plain.passages.len(), 1, "{:?}", plain.passages);
    assert!(plain.summary.a_reused.max(plain.summary.b_reused) < 0.15);
    assert_eq!(lighthouse_matches(&a, &b, 0.95), 0);
    // the same pair with the larger block: the strong match is found
    let (a, b) = lighthouse_pair(20, 20, BLOCK);
    assert_eq!(lighthouse_matches(&a, &b, 0.95), 1);
}
