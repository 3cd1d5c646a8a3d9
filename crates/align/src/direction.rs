//! Which of two aligned texts was written later, from the texts alone.
//!
//! Without dates, three kinds of textual evidence point to the later text
//! (`eval/direction.py` measures them on dated Reuters pairs and METER;
//! docs/BENCHMARKS.md, "Verdicts and direction"):
//!
//! - a **follow-up marker** opening it: "CORRECTED", "UPDATE", "RPT", "Correction";
//! - **temporal deixis** inside the shared text: where one side says "today",
//!   "tomorrow" or "will", the other says "yesterday", "last week" or
//!   "earlier" — it was written after the event, so after the first;
//! - **back-references** leading into the shared text on one side only: "Last
//!   month he said: …", "had said", "earlier", "previously", "… ago".
//!
//! Time words and back-references count only in passages whose numbers agree:
//! two issues of a recurring report share their wording, and their time words
//! differ because their events do.
//!
//! Which side contains the other is *not* evidence here: on dated Reuters pairs
//! (dates hidden) where one side is ≥ 85 % reused and 0.1 above the other, the
//! contained side is the later one 56 % of the time (740 of 1,323; 72 % where
//! the shared text keeps its names and figures) — a trimmed copy and an earlier
//! story extended by a follow-up look alike — so containment leaves the
//! direction unknown.

use whence_core::{Passage, PassageKind, Span, TokenFlags, TokenStream};

use crate::Side;

/// Textual evidence of direction; each count is positive when it says A is
/// the later text, negative for B.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirectionEvidence {
    /// A follow-up marker opens A (+1) or B (−1); 0 for neither or both.
    pub marker: i32,
    /// Later-time words minus earlier-time words in A's reused text, minus the
    /// same in B's, clipped to ±2.
    pub deixis: i32,
    /// Reused passages introduced by a back-reference on A minus those on B,
    /// clipped to ±2.
    pub back_reference: i32,
}

impl DirectionEvidence {
    /// The weighted sum: a marker counts 3, every other unit 1.
    pub fn score(&self) -> i32 {
        3 * self.marker + self.deixis + self.back_reference
    }

    /// `Some(true)` when the evidence says A is the later text, `Some(false)`
    /// for B, `None` when it is too weak ([`MIN_SCORE`]).
    pub fn a_is_later(&self) -> Option<bool> {
        let s = self.score();
        (s.abs() >= MIN_SCORE).then_some(s > 0)
    }
}

/// The smallest |score| taken as a direction: one marker, or two
/// agreeing time cues.
pub const MIN_SCORE: i32 = 2;

/// First words that mark a later version of a story.
const MARKERS: [&str; 12] = [
    "corrected",
    "correction",
    "corrects",
    "update",
    "updated",
    "updates",
    "updating",
    "refile",
    "refiled",
    "rpt",
    "writethru",
    "recasts",
];

/// Words placing an event before the time of writing. Not "had" (on METER
/// the wire writes the past perfect where papers simplify it) nor weekday
/// names ("will take effect Monday" was written before the day it names; "on
/// Monday" after it): a weekday says the day of writing differs, not how.
const LATER: [&str; 5] = ["yesterday", "earlier", "previously", "ago", "last"];

/// Words placing an event at or after the time of writing.
const EARLIER: [&str; 5] = ["today", "tomorrow", "tonight", "will", "now"];

const SPEECH: [&str; 8] = [
    "said",
    "told",
    "announced",
    "reported",
    "been",
    "warned",
    "agreed",
    "stated",
];

const PERIOD: [&str; 11] = [
    "week",
    "month",
    "year",
    "night",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn is_one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// The words of one side, for looking at the few that matter here.
struct Words<'a> {
    text: &'a str,
    stream: &'a TokenStream,
}

impl<'a> Words<'a> {
    fn word(&self, i: usize) -> &'a str {
        &self.text[self.stream.tokens[i].span.range()]
    }

    /// Indices of the tokens inside `span`.
    fn within(&self, span: Span) -> std::ops::Range<usize> {
        let t = &self.stream.tokens;
        let lo = t.partition_point(|x| x.span.start() < span.start());
        let hi = t.partition_point(|x| x.span.end() <= span.end());
        lo..hi.max(lo)
    }

    /// Later-time words minus earlier-time words inside `span`. "Earlier" after
    /// a period word ("a year earlier") compares figures, not times of writing.
    fn deixis(&self, span: Span) -> i32 {
        self.within(span)
            .map(|i| {
                let w = self.word(i);
                let comparative = w.eq_ignore_ascii_case("earlier")
                    && i > 0
                    && is_one_of(
                        self.word(i - 1),
                        &["year", "month", "week", "quarter", "period"],
                    );
                i32::from(is_one_of(w, &LATER) && !comparative) - i32::from(is_one_of(w, &EARLIER))
            })
            .sum()
    }

    /// The number tokens inside `span`, by surface form, sorted.
    fn numbers(&self, span: Span) -> Vec<u64> {
        let mut n: Vec<u64> = self
            .within(span)
            .map(|i| &self.stream.tokens[i])
            .filter(|t| t.flags.contains(TokenFlags::NUMBER))
            .map(|t| t.form)
            .collect();
        n.sort_unstable();
        n
    }

    /// Does the sentence holding `start` refer back in time before reaching it?
    fn back_reference_before(&self, start: usize) -> bool {
        let sentences = &self.stream.sentences;
        let k = sentences.partition_point(|s| s.span.end() <= start);
        let Some(s) = sentences.get(k) else {
            return false;
        };
        let end = self.stream.tokens[s.tokens.clone()]
            .iter()
            .position(|t| t.span.start() >= start)
            .map_or(s.tokens.end, |p| s.tokens.start + p);
        let lead = s.tokens.start..end;
        lead.clone().any(|i| {
            let w = self.word(i);
            let next = (i + 1 < lead.end).then(|| self.word(i + 1));
            is_one_of(w, &["earlier", "previously", "yesterday", "ago"])
                || (w.eq_ignore_ascii_case("had") && next.is_some_and(|n| is_one_of(n, &SPEECH)))
                || (w.eq_ignore_ascii_case("last") && next.is_some_and(|n| is_one_of(n, &PERIOD)))
                || (is_one_of(w, &["was", "were"])
                    && next.is_some_and(|n| n.eq_ignore_ascii_case("quoted")))
        })
    }

    /// Is the first word outside boilerplate a follow-up marker?
    fn opens_with_marker(&self, boilerplate: &[Span]) -> bool {
        let masked = self.stream.overlapping(boilerplate);
        (0..self.stream.tokens.len())
            .find(|&i| !masked[i])
            .is_some_and(|i| is_one_of(self.word(i), &MARKERS))
    }
}

/// The direction evidence of an alignment of `a` with `b`.
pub fn evidence(a: &Side, b: &Side, passages: &[Passage]) -> DirectionEvidence {
    let wa = Words {
        text: a.text,
        stream: a.stream,
    };
    let wb = Words {
        text: b.text,
        stream: b.stream,
    };
    let marker = i32::from(wa.opens_with_marker(a.boilerplate))
        - i32::from(wb.opens_with_marker(b.boilerplate));
    let (mut deixis, mut back) = (0, 0);
    // only text that states the same facts: in a form filled with other figures
    // (two weekly reports) the time words differ because the events do
    let same_facts = |p: &&Passage| wa.numbers(p.a) == wb.numbers(p.b);
    for p in passages
        .iter()
        .filter(|p| p.kind != PassageKind::Paraphrase)
        .filter(same_facts)
    {
        deixis += wa.deixis(p.a) - wb.deixis(p.b);
        back += i32::from(wa.back_reference_before(p.a.start()))
            - i32::from(wb.back_reference_before(p.b.start()));
    }
    DirectionEvidence {
        marker,
        deixis: deixis.clamp(-2, 2),
        back_reference: back.clamp(-2, 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{align, AlignConfig};

    fn evidence_of(a: &str, b: &str) -> DirectionEvidence {
        let (ta, tb) = (whence_text::analyze(a), whence_text::analyze(b));
        let (sa, sb) = (Side::new(a, &ta, &[]), Side::new(b, &tb, &[]));
        let al = align(sa, sb, &AlignConfig::default());
        assert!(!al.passages.is_empty(), "fixture must align");
        evidence(&sa, &sb, &al.passages)
    }

    const WIRE: &str = "The harbour authority said today that the new ferry terminal will open to \
        passengers at the end of the month after two years of building work on the quay.";

    #[test]
    fn a_correction_marker_points_to_the_later_text() {
        let fixed = format!("CORRECTED - {WIRE}");
        let e = evidence_of(&fixed, WIRE);
        assert_eq!(e.marker, 1);
        assert_eq!(e.a_is_later(), Some(true));
        assert_eq!(evidence_of(WIRE, &fixed).a_is_later(), Some(false));
    }

    #[test]
    fn yesterday_for_today_points_to_the_later_text() {
        let next_day = "The harbour authority said yesterday that the new ferry terminal would \
            open last month to passengers at the end of the month after two years of building work on the quay.";
        let e = evidence_of(next_day, WIRE);
        assert!(e.deixis >= 2, "{e:?}");
        assert_eq!(e.a_is_later(), Some(true));
    }

    #[test]
    fn a_follow_up_quoting_an_earlier_story_is_later() {
        // the earlier story, and a longer follow-up that recycles its quote with
        // "Last month he said:" (the BBC politics case of issue 11)
        let earlier = "The mayor will not take part in a televised debate before the vote. \
            \"We answer this every campaign and, for the reasons I have given before, the answer is no,\" \
            he said at his monthly news conference.";
        let follow_up = "A charity urged broadcasters to fix a date for a debate between the \
            candidates, and said an empty chair would do if one of them refused. The mayor has \
            already ruled out taking part. Last month he said: \"We answer this every campaign \
            and, for the reasons I have given before, the answer is no,\" he said at his monthly \
            news conference.";
        let e = evidence_of(follow_up, earlier);
        assert!(e.back_reference >= 1, "{e:?}");
        assert!(e.score() > 0, "{e:?}");
    }

    #[test]
    fn time_words_in_a_form_with_other_figures_are_no_evidence() {
        let monday = "The eight major city banks had 64 mln dlrs in average borrowings from the \
            central bank in the week to Wednesday February 25, a bank spokesman said.";
        let later = "The eight major city banks had 12 mln dlrs in average borrowings from the \
            central bank in the week to Wednesday March 25, a bank spokesman said today.";
        assert_eq!(evidence_of(monday, later), DirectionEvidence::default());
    }

    #[test]
    fn containment_alone_is_no_evidence() {
        let longer = format!(
            "{WIRE} Ticket prices have not been announced. The operator plans \
            six crossings a day in summer and four in winter."
        );
        let e = evidence_of(WIRE, &longer);
        assert_eq!(e, DirectionEvidence::default());
        assert_eq!(e.a_is_later(), None);
    }

    #[test]
    fn boilerplate_before_the_marker_is_skipped() {
        let page = format!("Subscribe\n\nUpdate: {WIRE}");
        let (ta, tb) = (whence_text::analyze(&page), whence_text::analyze(WIRE));
        let bp = [Span::new(0, 9)];
        let (sa, sb) = (Side::new(&page, &ta, &bp), Side::new(WIRE, &tb, &[]));
        let al = align(sa, sb, &AlignConfig::default());
        assert_eq!(evidence(&sa, &sb, &al.passages).marker, 1);
    }
}
