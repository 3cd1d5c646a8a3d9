//! What the content-word paraphrase stage reports under the corpus gate, through
//! the public API: one table of sentence pairs aligned with the gate on, each
//! with a control showing that the gate, not the pairing, decides it: a
//! rejected pair is reported with the gate off (one chosen pair, `compare`), or,
//! for the number rule, which holds with the gate off too, once B carries A's
//! figures.

use whence_align::{align, AlignConfig, Side};
use whence_core::{Alignment, PassageKind};

/// Copied word for word into both texts, so that the pair shares text the way
/// reported pairs do; the sentences under test follow it.
const SHARED: &str = "Flood barriers along the eastern river failed early on Tuesday, \
forcing the evacuation of about 4,000 residents from low streets near the old mill.";

struct Case {
    name: &'static str,
    a: &'static str,
    b: &'static str,
    /// Reported under the corpus gate.
    reported: bool,
    /// For a rejected pair decided by its numbers: B with A's figures, which
    /// the gate lets through.
    same_figures: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        name: "rewrite keeping the facts",
        a: "Managers said the fire at the depot destroyed 300 crates and wrecked both \
            loading docks before crews arrived.",
        b: "Both loading docks were wrecked and 300 crates destroyed when fire reached the \
            depot, managers said, before crews could arrive.",
        reported: true,
        same_figures: None,
    },
    Case {
        name: "same speaker, other statement",
        a: "Ellen Vance, the Port Ardley harbour master, said the channel would reopen.",
        b: "Harbour master Ellen Vance, speaking in Port Ardley on Monday, said dredging \
            had stopped.",
        reported: false,
        same_figures: None,
    },
    Case {
        name: "a form filled with other figures",
        a: "The parking office sold 120 residents permits in March, up from 95 a year \
            earlier, according to the council's monthly report.",
        b: "In April the council's parking office issued 88 permits to residents, against \
            140 twelve months before, its monthly report showed.",
        reported: false,
        same_figures: Some(
            "In March the council's parking office issued 120 permits to residents, against \
             95 twelve months before, its monthly report showed.",
        ),
    },
    Case {
        name: "fractions that differ share only their whole part",
        a: "Overnight lending between local banks opened at 6-1/16 pct and firmed to 6-1/8 \
            pct in early trading, dealers in the money market said.",
        b: "Dealers in the money market said interbank lending began the day at 6-3/8 pct \
            before easing to 6-5/16 pct during early trading.",
        reported: false,
        same_figures: Some(
            "Dealers in the money market said early trading saw interbank lending firm to \
             6-1/8 pct after it began the day at 6-1/16 pct.",
        ),
    },
];

fn aligned(a: &str, b: &str, cfg: &AlignConfig) -> Alignment {
    let (ta, tb) = (whence_text::analyze(a), whence_text::analyze(b));
    align(Side::new(a, &ta, &[]), Side::new(b, &tb, &[]), cfg)
}

/// Whether a paraphrase passage covers the start of the case's A sentence.
fn paraphrased(al: &Alignment, a_text: &str, sentence: &str) -> bool {
    let start = a_text.find(sentence).expect("sentence in A");
    al.passages.iter().any(|p| {
        p.kind == PassageKind::Paraphrase && p.a.start() <= start + 10 && p.a.end() > start
    })
}

#[test]
fn the_corpus_gate_keeps_rewrites_and_drops_topic_matches() {
    let gated = AlignConfig::default().with_paraphrase_gate();
    let open = AlignConfig::default();
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    // a sentence of each side's own keeps the shared passage from running on
    let texts = |a: &str, b: &str| {
        (
            format!("{SHARED}\n\nCrews worked through the night.\n\n{a}"),
            format!("{SHARED}\n\nNo injuries were reported.\n\n{b}"),
        )
    };
    for case in CASES {
        let a_sentence = one_line(case.a);
        let (a, b) = texts(&a_sentence, &one_line(case.b));
        let got = paraphrased(&aligned(&a, &b, &gated), &a, &a_sentence);
        assert_eq!(got, case.reported, "{}: reported under the gate", case.name);
        if case.reported {
            continue;
        }
        let control = match case.same_figures {
            Some(b2) => {
                let (a, b) = texts(&a_sentence, &one_line(b2));
                paraphrased(&aligned(&a, &b, &gated), &a, &a_sentence)
            }
            None => paraphrased(&aligned(&a, &b, &open), &a, &a_sentence),
        };
        assert!(control, "{}: the control is reported", case.name);
    }
}
