//! Invariants of `compare` on arbitrary texts: spans in bounds and on character
//! boundaries, determinism, and `compare(A, A)` = one verbatim passage.

use proptest::prelude::*;
use whence::report::compare_json;
use whence::{compare, Config, Document, PassageKind, Relation, Span};

const WORDS: &[&str] = &[
    "the",
    "river",
    "council",
    "flood",
    "barrier",
    "said",
    "on",
    "Tuesday",
    "4,000",
    "résidents",
    "évacués",
    "东京",
    "大学",
    "“quoted”",
    "Okafor",
    "—",
    "of",
    "a",
    "storm",
    "years",
    "and",
    "rain",
    "hills",
    "boats",
    "…",
    "naïve",
    "Zürich",
    "it's",
    "U.S.",
    "Mr.",
    "fifty",
];

/// Texts made of news-like words, punctuation, newlines and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec((0..WORDS.len(), 0..10u8), 1..120).prop_map(|v| {
        let mut s = String::new();
        for (w, sep) in v {
            s.push_str(WORDS[w]);
            s.push_str(match sep {
                0 => ". ",
                1 => "\n\n",
                2 => ", ",
                3 => "\n",
                _ => " ",
            });
        }
        s
    })
}

fn check_spans(text: &str, spans: impl Iterator<Item = Span>) -> Result<(), TestCaseError> {
    for s in spans {
        prop_assert!(
            Span::checked(text, s.start(), s.end()).is_ok(),
            "{s:?} in {} bytes",
            text.len()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn spans_are_in_bounds_and_on_char_boundaries(a in text(), b in text()) {
        let (da, db) = (Document::new("a", a), Document::new("b", b));
        let cmp = compare(&da, &db, &Config::default());
        let al = &cmp.alignment;
        check_spans(&da.text, al.passages.iter().map(|p| p.a))?;
        check_spans(&db.text, al.passages.iter().map(|p| p.b))?;
        check_spans(&da.text, al.novel_a.iter().copied())?;
        check_spans(&db.text, al.novel_b.iter().copied())?;
        // passages never overlap on A; novel text never overlaps a passage
        for w in al.passages.windows(2) {
            prop_assert!(w[0].a.end() <= w[1].a.start());
        }
        for n in &al.novel_a {
            prop_assert!(al.passages.iter().all(|p| p.a.intersect(*n).is_none()));
        }
        prop_assert!((0.0..=1.0).contains(&al.summary.a_reused));
        prop_assert!((0.0..=1.0).contains(&al.summary.b_reused));
        // JSON offsets are code points within the text
        let json = compare_json(&cmp);
        let chars = da.text.chars().count() as u64;
        for p in json["passages"].as_array().unwrap() {
            prop_assert!(p["a"][1].as_u64().unwrap() <= chars);
        }
    }

    #[test]
    fn comparison_is_deterministic(a in text(), b in text()) {
        let (da, db) = (Document::new("a", a), Document::new("b", b));
        let one = compare_json(&compare(&da, &db, &Config::default()));
        let two = compare_json(&compare(&da, &db, &Config::default()));
        prop_assert_eq!(one, two);
    }

    #[test]
    fn a_text_against_itself_is_one_verbatim_passage(a in text()) {
        // the invariant is about texts with words; word-less texts: see below
        prop_assume!(a.chars().any(char::is_alphanumeric));
        let da = Document::new("a", a);
        let cmp = compare(&da, &da, &Config::default());
        let al = &cmp.alignment;
        prop_assert_eq!(al.passages.len(), 1, "{:?}", al.passages);
        let p = al.passages[0];
        prop_assert_eq!(p.kind, PassageKind::Verbatim);
        prop_assert_eq!(p.a, p.b);
        prop_assert!(al.novel_a.is_empty(), "{:?}", al.novel_a);
        prop_assert_eq!(al.summary.a_reused, 1.0);
        prop_assert_eq!(al.summary.relation, Relation::NearDuplicate);
    }

    #[test]
    fn verbatim_passages_mirror_when_sides_swap(
        shared in 8usize..40, pre_a in 0usize..30, pre_b in 0usize..30, post_a in 0usize..30, post_b in 0usize..30,
    ) {
        // distinct words, so that which copy pairs with which is never ambiguous
        let words = |from: usize, n: usize| -> String {
            (from..from + n).map(|i| format!("w{i}x")).collect::<Vec<_>>().join(" ")
        };
        let common = words(0, shared);
        let a = format!("{} {common} {}", words(1000, pre_a), words(2000, post_a));
        let b = format!("{} {common}. {}", words(3000, pre_b), words(4000, post_b));
        let (da, db) = (Document::new("a", a), Document::new("b", b));
        let ab: Vec<(Span, Span)> = compare(&da, &db, &Config::default()).alignment.passages
            .iter().map(|p| (p.a, p.b)).collect();
        let ba: Vec<(Span, Span)> = compare(&db, &da, &Config::default()).alignment.passages
            .iter().map(|p| (p.b, p.a)).collect();
        prop_assert_eq!(ab.len(), 1);
        prop_assert_eq!(ab, ba);
    }
}

/// A text without a single word ("…. ") has nothing to match: compared with itself
/// it yields no passage and the verdict `unrelated`, never a panic.
#[test]
fn a_wordless_text_has_no_passage() {
    let da = Document::new("a", "…. — ");
    let cmp = compare(&da, &da, &Config::default());
    assert!(cmp.alignment.passages.is_empty());
    assert_eq!(cmp.alignment.summary.relation, Relation::Unrelated);
}
