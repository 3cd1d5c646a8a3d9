//! Which verified pairs are reuse: the rules that keep templates, stock phrases
//! and paraphrase-only look-alikes out of `pairs`, clusters and `dedup`.
//!
//! An alignment says which stretches of two documents match; it does not say
//! whether text travelled between them. Three kinds of pairs match without
//! that, and read by hand on Reuters, HuffPost and BBC (`eval/precision/`) they
//! were most of the reported pairs:
//!
//! - **templates**: a form filled with different facts (two dividend notices,
//!   two days of one recurring report). [`ReuseEvidence::template`] holds when
//!   the facts in the sentences of the lexical passages are substituted: at
//!   least [`TEMPLATE_SUBSTITUTIONS`] numbers of one side stand where the
//!   other has other numbers and at most half the numbers agree, or inside the
//!   passages themselves at least as many numbers and names are substituted
//!   with at most 60 % agreeing and at least one number substituted (names
//!   alone are no template). Substitution means both sides have a fact the
//!   other lacks: a longer sentence on one side adds facts, it does not
//!   substitute them, and an update that revises one figure among many
//!   agreeing ones stays reuse. Also a template: at least
//!   [`MANY_SUBSTITUTIONS`] numbers substituted with at most 70 % agreeing, and
//!   as many facts substituted inside the passages themselves (an
//!   offering notice of another issuer in one form), and one lexical passage
//!   holding both leads while the leads name different subjects, each with a
//!   word the other document never mentions (two banks' prime-rate notices,
//!   whose figures all agree; two agencies' note-rate notices), or two wire
//!   headlines naming different subjects under one form
//!   ([`TemplateEvidence::headline_subjects_differ`]: hog reports of two
//!   markets, payouts of two funds).
//!   Two facts of the corpus mark a form too ([`judge`], which has the
//!   documents): at least [`FORM_SHARE`] of the lexical passages on both
//!   sides is wording that recurs in many documents of the site
//!   ([`Document::forms`]) while any number or name differs between the two
//!   texts ([`is_form`]: two companies' buyback notices); or the documents are
//!   dated at least [`RECURRING_MIN_APART`] apart and a number of the passage
//!   sentences is substituted, or they are [`RECURRING_MIN_COVER`] copies of
//!   each other with a figure changed anywhere ([`is_recurring`]: the Fed's
//!   customer repurchases of two days, another day's rate table); or, on
//!   one site under one wire headline, they are dated
//!   [`RECURRING_LONG_APART`] apart with a figure changed anywhere, or
//!   [`RECURRING_COPY_APART`] apart as copies
//!   ([`recurrence_under_one_headline`]: one fund's dividend of another
//!   quarter, a council's "left policies unchanged" of another meeting), or
//!   dated that far apart under headlines naming other months (a monthly
//!   report of February and of March).
//!   `compare` has neither, so it does not apply them;
//! - **site wording**: a pair whose shared text is at least
//!   [`SITE_WORDING_SHARE`] the site's recurring wording on both sides (two
//!   pages that are each only a column's standing intro) is boilerplate: not
//!   listed ([`ReuseRules::listed`]), though `dedup` may still remove one of
//!   two identical pages;
//! - **stock phrases and short clauses** shared by independent stories: a pair
//!   is reported only when one lexical (verbatim or edited) passage holds at
//!   least [`ReuseRules::min_passage_words`] words (default 15, about a sentence),
//!   and one holds at least `min_passage_content` content words (default 4:
//!   words that are not function words, numbers or capitalized), so a pair
//!   sharing only names, titles and dates (two team sheets, a list of
//!   senators, a tweet signature) is not reported;
//! - **paraphrase-only look-alikes**: paraphrase passages explain a derivation
//!   found by lexical passages but never make a pair on their own, and never
//!   make two documents near-duplicates: `near_duplicate` needs both sides
//!   mostly covered by lexical passages.
//!
//! A document is a near-duplicate for `dedup` when both sides are at least
//! [`ReuseRules::duplicate_min_reuse`] covered by lexical passages (default 0.8),
//! the pair is no template (one text sent for two occurrences of a recurring
//! report, [`ReuseEvidence::recurring_copy`], is still one text twice), and no
//! number or name is substituted, in the aligned
//! text or anywhere in the two texts (a changed figure makes another story, not
//! a copy; a figure only one side has, as in an update that adds a paragraph,
//! is no substitution), and at most [`MAX_ONE_SIDED_NUMBERS`] number inside the
//! aligned text is on one side only (a table whose "NIL" entries the other
//! side fills with figures is another day's table).
//!
//! Everything here is a pure function of the two documents (text, dates,
//! boilerplate and form spans) and their alignment, so every surface (CLI,
//! index, Spark) decides alike; `compare` applies the same relation rules
//! ([`judge_sides`], [`ReuseEvidence::apply`]) to its one pair.
//!
//! ```
//! use whence::pipeline::{RawReuseRules, ReuseRules};
//! let rules: ReuseRules = RawReuseRules { min_reuse: 0.5, ..Default::default() }
//!     .validate()
//!     .unwrap();
//! assert_eq!(rules.get().duplicate_min_reuse, 0.8);
//! ```

use whence_align::{
    direction_evidence, reused_fraction, template_evidence, verdict, DirectionEvidence, Side,
    TemplateEvidence,
};
use whence_cluster::orient;
use whence_core::{Alignment, Document, Passage, PassageKind, Relation, Summary, TokenStream};

use super::verify::time_of;

/// Fewest substituted numbers (or, inside the passages, numbers and names) that
/// make a template.
pub const TEMPLATE_SUBSTITUTIONS: u32 = 2;

/// Substituted numbers (around and inside the passages) that make a template
/// even when up to 70 % of the numbers agree (two debenture offerings under one lead manager's form: the
/// size, yield, coupon, price and spread replaced, the maturity and sinking-fund
/// terms the same).
pub const MANY_SUBSTITUTIONS: u32 = 3;

/// Numbers inside the aligned text that one side of a near-duplicate may
/// have alone (a date added to a headline); more, and the texts state
/// different figures (a rainfall table of another day, its "NIL" entries
/// filled with millimetres), so `dedup` keeps both.
pub const MAX_ONE_SIDED_NUMBERS: u32 = 1;

/// Two documents dated at least this far apart (in seconds) report different
/// occurrences when a figure of the shared text is substituted: a central
/// bank's daily operation, a weekly auction, a price posting of another day.
/// Retransmissions and same-day updates of one story come within hours.
pub const RECURRING_MIN_APART: i64 = 20 * 3600;

/// Share of both documents covered by lexical passages from which two texts
/// dated [`RECURRING_MIN_APART`] apart are one form twice: then any figure
/// substituted anywhere makes them two occurrences (see [`is_recurring`]).
/// The same share `dedup` asks of near-duplicates.
pub const RECURRING_MIN_COVER: f64 = 0.8;

/// Two documents of one site dated at least this far apart (in seconds) under
/// one headline are two occurrences of a recurring report when a figure
/// differs anywhere in the texts: one fund's dividend of another quarter, a
/// central bank's bill sale of another week ([`recurrence_under_one_headline`]).
/// A wire re-sends or updates a story within a day or two.
pub const RECURRING_LONG_APART: i64 = 72 * 3600;

/// Two documents of one site dated at least this far apart under one headline
/// whose texts are [`RECURRING_MIN_COVER`] copies of each other with no figure
/// changed are two occurrences too: a council's "left credit policies
/// unchanged" of two meetings, a crusher's rapeseed purchase of another week.
pub const RECURRING_COPY_APART: i64 = 7 * 24 * 3600;

/// Share of the two headlines' content words (as sets, Jaccard) from which
/// they are one headline for [`recurrence_under_one_headline`].
pub const RECURRING_HEADLINE_AGREEMENT: f64 = 0.8;

/// Share of the lexical passages (on each side) lying in the site's recurring
/// wording ([`Document::forms`]) from which the pair is a form: with any fact
/// substituted between the two texts, a template (two companies' buyback
/// notices sharing "said its board has authorized the repurchase from time to
/// time of up to"); with none, a retransmission of one notice, still reuse.
pub const FORM_SHARE: f64 = 0.5;

/// Share of the lexical passages (on each side) lying in the site's recurring
/// wording from which the shared text is nothing but that wording: two pages
/// that are each a column's standing intro and nothing else (the body lost to
/// embeds). Such a pair is boilerplate, as if the block were masked: not
/// reported, not clustered; yet the pages are copies of each other's text,
/// so `dedup` may still remove one. (The block rule does not mask a document
/// that the block would cover almost whole, so the pair is decided here.)
pub const SITE_WORDING_SHARE: f64 = 0.95;

/// Settings as a user gives them; validate with [`RawReuseRules::validate`].
#[derive(Clone, Debug, PartialEq)]
pub struct RawReuseRules {
    /// Least share (0–1) of the more reused side covered by lexical passages for
    /// a pair to be reported. Default 0: any pair with a long enough passage.
    pub min_reuse: f64,
    /// Words (tokens) the longest lexical passage of a reported pair must hold.
    pub min_passage_words: u32,
    /// Content words (not function words, numbers or capitalized words) one
    /// lexical passage of a reported pair must hold: shared names, titles and
    /// dates alone (a team sheet, a list of senators, a tweet signature) are
    /// no reuse.
    pub min_passage_content: u32,
    /// Least share (0–1) of each side covered by lexical passages for `dedup`
    /// to call two documents near-duplicates.
    pub duplicate_min_reuse: f64,
    /// Also report template pairs (relation `template`); they never enter
    /// clusters or `dedup`.
    pub templates: bool,
}

impl Default for RawReuseRules {
    fn default() -> Self {
        RawReuseRules {
            min_reuse: 0.0,
            min_passage_words: 15,
            min_passage_content: 4,
            duplicate_min_reuse: 0.8,
            templates: false,
        }
    }
}

/// Why reuse rules were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReuseRulesError {
    #[error("{name} must be in [0, 1], got {value}")]
    Fraction { name: &'static str, value: f64 },
}

/// Validated [`RawReuseRules`].
#[derive(Clone, Debug, PartialEq)]
pub struct ReuseRules(RawReuseRules);

impl Default for ReuseRules {
    fn default() -> Self {
        RawReuseRules::default()
            .validate()
            .expect("the defaults are valid")
    }
}

impl RawReuseRules {
    /// Checks that the fractions are fractions.
    pub fn validate(self) -> Result<ReuseRules, ReuseRulesError> {
        for (name, value) in [
            ("min_reuse", self.min_reuse),
            ("duplicate_min_reuse", self.duplicate_min_reuse),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(ReuseRulesError::Fraction { name, value });
            }
        }
        Ok(ReuseRules(self))
    }
}

impl ReuseRules {
    /// The validated settings.
    pub fn get(&self) -> &RawReuseRules {
        &self.0
    }

    /// Whether a verified pair is written by `pairs` (and enters clusters).
    /// Template pairs are written only when [`RawReuseRules::templates`] asks.
    pub fn reported(&self, ev: &ReuseEvidence, al: &Alignment) -> bool {
        let r = &self.0;
        al.summary.relation != Relation::Unrelated
            && !ev.site_wording
            && (r.templates || !ev.template)
            && ev.template_evidence.longest_lexical >= r.min_passage_words
            && ev.template_evidence.longest_content >= r.min_passage_content
            && ev.lexical_a.max(ev.lexical_b) >= r.min_reuse
    }

    /// Whether `pairs` lists a verified pair: reported ([`ReuseRules::reported`]),
    /// or a near-duplicate whose shared text is more than the site's recurring
    /// wording ([`ReuseEvidence::site_wording`]) and that is not one text sent
    /// for two occurrences ([`ReuseEvidence::recurring_copy`]).
    pub fn listed(&self, ev: &ReuseEvidence, al: &Alignment) -> bool {
        self.reported(ev, al) || (self.near_duplicate(ev) && !ev.site_wording && !ev.recurring_copy)
    }

    /// Whether `dedup` may treat the two documents as copies of each other.
    pub fn near_duplicate(&self, ev: &ReuseEvidence) -> bool {
        let r = &self.0;
        // one text sent for two occurrences is still one text twice
        (!ev.template || ev.recurring_copy)
            && ev.lexical_a >= r.duplicate_min_reuse
            && ev.lexical_b >= r.duplicate_min_reuse
            && substituted(ev.template_evidence.inside) == 0
            && substituted(ev.template_evidence.whole) == 0
            && ev.template_evidence.inside_numbers.differing() <= MAX_ONE_SIDED_NUMBERS
    }
}

/// What the rules read about one aligned pair.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ReuseEvidence {
    /// Share of A's non-boilerplate text covered by lexical passages.
    pub lexical_a: f64,
    /// The same for B.
    pub lexical_b: f64,
    /// Facts around the lexical passages.
    pub template_evidence: TemplateEvidence,
    /// The shared text is a form filled with different facts.
    pub template: bool,
    /// Textual cues of direction read on the lexical passages (used when a
    /// paraphrase-made near-duplicate falls back to its lexical relation).
    pub direction: DirectionEvidence,
    /// Both documents are dated, at least [`RECURRING_MIN_APART`] apart.
    pub dated_apart: bool,
    /// Seconds between the two documents' dates when both are dated and of
    /// one site (the same `site` given for both); `None` otherwise.
    pub apart_on_one_site: Option<i64>,
    /// The pair is a template because it is one text sent for two
    /// occurrences of a recurring report ([`Recurrence::Copy`]): not listed by
    /// `pairs`, yet still a near-duplicate for `dedup`.
    pub recurring_copy: bool,
    /// The smaller of the two sides' shares of lexical-passage text that is
    /// the site's recurring wording ([`Document::forms`]); 0 without forms.
    pub form_share: f64,
    /// The shared text is only the site's recurring wording: `form_share` at
    /// least [`SITE_WORDING_SHARE`] (two pages that are each a column's
    /// standing intro). Boilerplate, never reported; `dedup` may still remove
    /// one page of the two.
    pub site_wording: bool,
}

/// Facts of one side standing where the other side has other facts.
fn substituted(c: whence_align::FactCounts) -> u32 {
    c.only_a.min(c.only_b)
}

/// Whether the facts around the lexical passages make the pair a template (see
/// the module documentation).
pub fn is_template(ev: &TemplateEvidence) -> bool {
    let numbers = substituted(ev.numbers) >= TEMPLATE_SUBSTITUTIONS
        && ev.numbers.agreement().is_some_and(|a| a <= 0.5);
    // names alone do not make a template: a rewrite that swaps a few words
    // swaps capitalized ones too; a form filled with other facts changes a number
    let inside = substituted(ev.inside) >= TEMPLATE_SUBSTITUTIONS
        && ev.inside.agreement().is_some_and(|a| a <= 0.6)
        && substituted(ev.numbers) >= 1;
    // many figures replaced: another occurrence of the form, even when the
    // form's fixed figures (a maturity year, a sinking-fund share) agree
    // (inside the passages too: a social-media embed's own date and time
    // next to a shared caption are no form)
    let many = substituted(ev.numbers) >= MANY_SUBSTITUTIONS
        && ev.numbers.agreement().is_some_and(|a| a <= 0.7)
        && substituted(ev.inside) >= MANY_SUBSTITUTIONS;
    numbers || inside || many || ev.lead_subjects_differ || ev.headline_subjects_differ
}

fn lexical(passages: &[Passage]) -> Vec<Passage> {
    passages
        .iter()
        .filter(|p| p.kind != PassageKind::Paraphrase)
        .copied()
        .collect()
}

/// Reads the evidence of an aligned pair (boilerplate as marked on the documents).
pub fn judge(
    a: &Document,
    ta: &TokenStream,
    b: &Document,
    tb: &TokenStream,
    al: &Alignment,
) -> ReuseEvidence {
    let mut ev = judge_sides(
        &Side::new(&a.text, ta, &a.boilerplate),
        &Side::new(&b.text, tb, &b.boilerplate),
        al,
    );
    let apart = match (time_of(a), time_of(b)) {
        (Some(x), Some(y)) => Some((x.unix_seconds() - y.unix_seconds()).abs()),
        _ => None,
    };
    ev.dated_apart = apart.is_some_and(|s| s >= RECURRING_MIN_APART);
    let one_site = a.meta.site.is_some() && a.meta.site == b.meta.site;
    ev.apart_on_one_site = apart.filter(|_| one_site);
    let lex = lexical(&al.passages);
    ev.form_share =
        form_share(a, lex.iter().map(|p| p.a)).min(form_share(b, lex.iter().map(|p| p.b)));
    ev.site_wording = ev.form_share >= SITE_WORDING_SHARE;
    ev.template = ev.template
        || is_recurring(
            &ev.template_evidence,
            ev.dated_apart,
            ev.lexical_a.min(ev.lexical_b),
        )
        || is_form(&ev.template_evidence, ev.form_share);
    let recurrence = ev.apart_on_one_site.and_then(|apart| {
        recurrence_under_one_headline(&ev.template_evidence, apart, ev.lexical_a.min(ev.lexical_b))
    });
    ev.template |= recurrence.is_some();
    ev.recurring_copy = recurrence == Some(Recurrence::Copy);
    ev
}

/// Share of the text of `spans` (outside boilerplate) that lies in the
/// document's recurring wording.
fn form_share(doc: &Document, spans: impl Iterator<Item = whence_core::Span>) -> f64 {
    if doc.forms.is_empty() {
        return 0.0;
    }
    let mut spans: Vec<whence_core::Span> = spans.collect();
    whence_core::Span::merge_all(&mut spans);
    let all = reused_fraction(&doc.text, spans.iter().copied(), &doc.boilerplate);
    if all == 0.0 {
        return 0.0;
    }
    let in_forms = spans
        .iter()
        .flat_map(|s| doc.forms.iter().filter_map(move |f| f.intersect(*s)));
    (reused_fraction(&doc.text, in_forms, &doc.boilerplate) / all).min(1.0)
}

/// A form filled with other facts: most of the shared text is the site's
/// recurring wording and a number or name of one text stands where the other
/// has another.
pub fn is_form(ev: &TemplateEvidence, form_share: f64) -> bool {
    form_share >= FORM_SHARE
        && (substituted(ev.whole) >= 1
            || substituted(ev.numbers) >= 1
            || substituted(ev.names) >= 1
            || substituted(ev.inside) >= 1)
}

/// Another occurrence of a recurring report: the documents are dated apart and
/// a number of the sentences holding the shared text is substituted (the
/// Fed's customer repurchases of two days, 1.5 against 2.0 billion dlrs), or
/// the texts are copies of each other but for a figure or name anywhere
/// (`lexical`, the less covered side's share of lexical passages, at least
/// [`RECURRING_MIN_COVER`]): another day's rate table under one heading. A
/// follow-up that copies background from an earlier story covers much less of
/// itself.
pub fn is_recurring(ev: &TemplateEvidence, dated_apart: bool, lexical: f64) -> bool {
    dated_apart
        && (substituted(ev.numbers) >= 1
            || (lexical >= RECURRING_MIN_COVER && substituted(ev.whole_numbers) >= 1))
}

/// How two documents of one site under one headline are two occurrences of a
/// recurring report ([`recurrence_under_one_headline`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recurrence {
    /// A figure differs somewhere in the texts (another quarter's dividend,
    /// another week's bill sale).
    FigureChanged,
    /// The texts are copies of each other (another meeting's "left credit
    /// policies unchanged"): not reuse, yet one text twice, so `dedup` may
    /// still remove one of them.
    Copy,
    /// The headlines name other months ("… RISES IN FEBRUARY" / "… FALLS
    /// SHARPLY IN MARCH"): one monthly report of two periods.
    OtherPeriod,
}

/// Another occurrence of a recurring report of one site under one headline
/// (headline content words agreeing at least
/// [`RECURRING_HEADLINE_AGREEMENT`]): dated [`RECURRING_LONG_APART`] apart with
/// a figure differing anywhere in the texts, or [`RECURRING_COPY_APART`] apart
/// as [`RECURRING_MIN_COVER`] copies; or, headlines agreeing or not, dated
/// [`RECURRING_LONG_APART`] apart under headlines naming other months (a
/// monthly report of February and of March). `apart` is the seconds between
/// the two dates, `lexical` the less covered side's share of lexical passages. Wire
/// copy only: without headlines in capitals the headline words are empty and
/// this never holds.
pub fn recurrence_under_one_headline(
    ev: &TemplateEvidence,
    apart: i64,
    lexical: f64,
) -> Option<Recurrence> {
    let h = ev.headline_words;
    let one_headline = h.shared > 0
        && f64::from(h.shared)
            >= RECURRING_HEADLINE_AGREEMENT * f64::from(h.shared + h.differing());
    if ev.headline_months_differ && apart >= RECURRING_LONG_APART {
        Some(Recurrence::OtherPeriod)
    } else if !one_headline {
        None
    } else if apart >= RECURRING_LONG_APART && substituted(ev.whole_numbers) >= 1 {
        Some(Recurrence::FigureChanged)
    } else if apart >= RECURRING_COPY_APART && lexical >= RECURRING_MIN_COVER {
        Some(Recurrence::Copy)
    } else {
        None
    }
}

/// [`judge`] on two analyzed sides (boilerplate as the sides give it).
pub fn judge_sides(sa: &Side, sb: &Side, al: &Alignment) -> ReuseEvidence {
    let lex = lexical(&al.passages);
    let template_evidence = template_evidence(sa, sb, al);
    ReuseEvidence {
        lexical_a: reused_fraction(sa.text, lex.iter().map(|p| p.a), sa.boilerplate),
        lexical_b: reused_fraction(sb.text, lex.iter().map(|p| p.b), sb.boilerplate),
        template: is_template(&template_evidence),
        template_evidence,
        direction: direction_evidence(sa, sb, &lex),
        dated_apart: false,
        apart_on_one_site: None,
        recurring_copy: false,
        form_share: 0.0,
        site_wording: false,
    }
}

impl ReuseEvidence {
    /// Sets the relation of `al` (aligned `a` with `b`) to what the evidence
    /// supports: `template` for a template; a `near_duplicate` that only
    /// paraphrase passages made becomes the relation of its lexical passages,
    /// oriented by the documents' dates.
    pub fn apply(&self, a: &Document, b: &Document, al: &mut Alignment) {
        if self.template {
            al.summary.relation = Relation::Template;
        } else if al.summary.relation == Relation::NearDuplicate {
            let lex = lexical(&al.passages);
            let (relation, confidence) = verdict(
                self.lexical_a,
                self.lexical_b,
                !lex.is_empty(),
                &self.direction,
            );
            if relation != Relation::NearDuplicate {
                let summary = Summary {
                    relation,
                    confidence,
                    ..al.summary
                };
                al.summary = orient(&summary, time_of(a), time_of(b));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whence_core::Document;

    fn judged(a: &str, b: &str) -> (ReuseEvidence, Alignment) {
        judged_docs(&Document::new("a", a), &Document::new("b", b))
    }

    /// Aligns and judges two documents (dates and spans as they carry them).
    fn judged_docs(da: &Document, db: &Document) -> (ReuseEvidence, Alignment) {
        let (ta, tb) = (
            whence_text::analyze(&da.text),
            whence_text::analyze(&db.text),
        );
        // aligned as `pairs` aligns candidates (the corpus gate on)
        let mut al = super::super::verify(da, &ta, db, &tb, &crate::Config::default().for_corpus());
        let ev = judge(da, &ta, db, &tb, &al);
        ev.apply(da, db, &mut al);
        (ev, al)
    }

    #[test]
    fn dividend_notices_of_two_companies_are_no_reuse() {
        let (ev, al) = judged(
            "MARLOW TOOLS <MRT> SETS QUARTERLY\n\nQtly div 19 cts vs 19 cts prior Pay March 31 Record March 12",
            "BEXLEY FOODS <BXF> SETS QUARTERLY\n\nQtly div 15 cts vs 15 cts prior Pay April 30 Record April 14",
        );
        // a notice this short aligns, if at all, on its form only: never reuse
        // (a paraphrase passage over the form may leave `unknown_direction`, but
        // never a derivation or a near-duplicate, and the pair is not reported)
        assert!(
            !matches!(
                al.summary.relation,
                Relation::ADerivedFromB | Relation::BDerivedFromA | Relation::NearDuplicate
            ),
            "{:?} {ev:?}",
            al.summary.relation
        );
        assert!(!ReuseRules::default().reported(&ev, &al));
        assert!(!ReuseRules::default().near_duplicate(&ev));
    }

    #[test]
    fn an_update_with_one_new_figure_is_reuse() {
        let base = "Floods in the Arden valley have killed {} people and forced about 4,000 residents from their homes, the regional emergency service said on Tuesday. Water rose by nearly two metres overnight after three days of heavy rain, and the main bridge at Castlemere was closed to traffic.";
        let (ev, al) = judged(&base.replace("{}", "12"), &base.replace("{}", "15"));
        assert!(!ev.template, "{ev:?}");
        assert_eq!(al.summary.relation, Relation::NearDuplicate);
        // a changed figure keeps the update out of dedup
        assert!(!ReuseRules::default().near_duplicate(&ev));
        let (same, _) = judged(&base.replace("{}", "12"), &base.replace("{}", "12"));
        assert!(ReuseRules::default().near_duplicate(&same));
    }

    /// A quarterly earnings table in the form of the Reuters wire (figures and
    /// companies made up).
    fn earnings(company: &str, ticker: &str, f: [&str; 8]) -> String {
        format!(
            "{company} <{ticker}> 4TH QTR NET\n\nShr {} cts vs {} cts\nNet {} vs {}\nRevs {} vs {}\n\
             Year\nShr {} dlrs vs {} cts\nNet 1,840,000 vs 1,310,000\nRevs 15.6 mln vs 14.2 mln\n",
            f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]
        )
    }

    fn earnings_corpus() -> Vec<Document> {
        let names = [
            ("ACME DRILLING CORP", "ADC"),
            ("BRILL FOODS INC", "BRF"),
            ("CASTOR MILLS CO", "CSM"),
            ("DUNMORE BANCORP", "DNB"),
            ("ELSWICK SYSTEMS", "ELS"),
            ("FARNDALE ENERGY", "FAR"),
        ];
        names
            .iter()
            .enumerate()
            .map(|(i, (c, t))| {
                let n = |base: usize| (base + 7 * i).to_string();
                let big = |base: usize| format!("{},{:03}", base + 13 * i, 100 + 37 * i);
                Document::new(
                    format!("table-{i}"),
                    earnings(
                        c,
                        t,
                        [
                            &n(20),
                            &n(11),
                            &big(510),
                            &big(328),
                            &big(4102),
                            &big(3871),
                            &format!("1.{}", 10 + i),
                            &n(60),
                        ],
                    ),
                )
            })
            .collect()
    }

    #[test]
    fn earnings_tables_of_other_companies_are_templates_not_reuse() {
        let docs = earnings_corpus();
        let (ev, al) = judged(&docs[0].text, &docs[1].text);
        assert!(
            al.summary.relation == Relation::Template || al.summary.relation == Relation::Unrelated,
            "{:?} {ev:?}",
            al.summary.relation
        );
        assert!(!ReuseRules::default().near_duplicate(&ev));
        // over a corpus of tables plus one reprinted story, only the reprint
        // forms a cluster (on Reuters, tables chained 832 documents into one)
        let mut docs = docs;
        docs.extend(super::super::fixtures::corpus());
        let n = docs.len();
        let found = super::super::pairs(
            &docs,
            &super::super::PipelineConfig::default(),
            &|_, _, _| {},
        )
        .unwrap();
        for p in &found.pairs {
            let ids = (
                docs[p.a as usize].id.as_str(),
                docs[p.b as usize].id.as_str(),
            );
            assert!(
                !ids.0.starts_with("table") && !ids.1.starts_with("table"),
                "{ids:?}"
            );
        }
        let clusters =
            super::super::reuse_clusters(&docs, &found.pairs, whence_cluster::Pick::First);
        assert!(clusters
            .iter()
            .all(|c| c.members.iter().all(|&m| m as usize >= n - 4)));
        assert!(!clusters.is_empty());
        let dd = super::super::dedup(&docs, &found.pairs, whence_cluster::Pick::First);
        assert!(dd.removed.iter().all(|r| r.doc as usize >= n - 4));
    }

    /// The Treasury's daily balance report (form of the Reuters wire; figures
    /// made up).
    fn treasury(day: &str, prev: &str, verb: &str, f: [&str; 6]) -> String {
        format!(
            "TREASURY BALANCES AT FED {} ON {day}\n\nTreasury balances at Federal Reserve banks {verb} on {day} to {} billion dlrs from {} billion dlrs the previous business day, the Treasury said. Balances in tax and loan note accounts {verb} to {} billion dlrs from {} billion dlrs on the same respective days. The Treasury's operating cash balance totaled {} billion dlrs on {day}, compared with {} billion dlrs on {prev}.",
            verb.to_uppercase(),
            f[0], f[1], f[2], f[3], f[4], f[5]
        )
    }

    #[test]
    fn a_recurring_report_with_new_figures_is_a_template() {
        let a = treasury(
            "March 27",
            "March 26",
            "fell",
            ["3.421", "3.937", "19.245", "20.311", "22.666", "24.248"],
        );
        let b = treasury(
            "April 8",
            "April 7",
            "rose",
            ["4.112", "2.896", "21.530", "18.774", "25.642", "21.670"],
        );
        let (ev, al) = judged(&a, &b);
        assert!(ev.template, "{ev:?}");
        assert_eq!(al.summary.relation, Relation::Template);
        assert!(!ReuseRules::default().near_duplicate(&ev));
        let (ev, _) = judged(&a, &b);
        assert!(!ReuseRules::default().reported(&ev, &al));
        let shown = ReuseRules(RawReuseRules {
            templates: true,
            ..RawReuseRules::default()
        });
        assert!(shown.reported(&ev, &al));
        // the same day's report retransmitted is a copy
        let (same, al) = judged(
            &a,
            &a.replace("TREASURY BALANCES", "REPEAT - TREASURY BALANCES"),
        );
        assert!(
            !same.template && ReuseRules::default().near_duplicate(&same),
            "{same:?}"
        );
        assert_eq!(al.summary.relation, Relation::NearDuplicate);
    }

    /// An export-bonus notice (form of the Reuters wire; figures made up).
    fn flour(tonnes: &str, country: &str, bonus: &str, left: &str) -> String {
        format!(
            "CCC ACCEPTS BONUS BID ON WHEAT FLOUR TO {}\n\nThe Commodity Credit Corporation, CCC, has accepted a bid for an export bonus to cover the sale of {tonnes} tonnes of wheat flour to {country}, the U.S. Agriculture Department said. The bonus awarded was {bonus} dlrs per tonne and will be paid to the exporter in the form of commodities from the CCC inventory. The wheat flour is for shipment April-May, the department said. An additional {left} tonnes of wheat flour are still available to {country} under the Export Enhancement Program initiative announced last October, it said.",
            country.to_uppercase()
        )
    }

    #[test]
    fn flour_to_north_yemen_is_no_duplicate_of_flour_to_iraq() {
        let yemen = flour("37,000", "North Yemen", "119.05", "13,000");
        let iraq = flour("12,500", "Iraq", "127.50", "162,500");
        let (ev, al) = judged(&yemen, &iraq);
        assert!(!ReuseRules::default().near_duplicate(&ev), "{ev:?}");
        assert_ne!(al.summary.relation, Relation::NearDuplicate);
        let docs = vec![
            Document::new("reuters-19", yemen.clone()),
            Document::new("reuters-2003", iraq),
        ];
        let found = super::super::pairs(
            &docs,
            &super::super::PipelineConfig::default(),
            &|_, _, _| {},
        )
        .unwrap();
        let dd = super::super::dedup(&docs, &found.pairs, whence_cluster::Pick::First);
        assert!(dd.removed.is_empty(), "{:?}", dd.removed);
        // the same notice sent twice is one document for dedup
        let docs = vec![Document::new("x", yemen.clone()), Document::new("y", yemen)];
        let found = super::super::pairs(
            &docs,
            &super::super::PipelineConfig::default(),
            &|_, _, _| {},
        )
        .unwrap();
        let dd = super::super::dedup(&docs, &found.pairs, whence_cluster::Pick::First);
        assert_eq!(dd.removed.len(), 1);
    }

    #[test]
    fn a_rate_table_with_other_rates_under_one_heading_is_no_duplicate() {
        let table = |rows: &str| {
            format!(
                "FREDDIE MAC ADJUSTS SHORT-TERM DISCOUNT RATES\n\nThe Federal Home Loan Mortgage Corp\n\
                 adjusted the rates on its short-term discount notes as follows:\n   MATURITY   RATE       \
                 OLD RATE  MATURITY\n{rows}"
            )
        };
        let a = table("    28 days   5.95 pct   5.95 pct  31 days");
        let b = table("    32 days   6.00 pct   6.10 pct   1 day");
        let (ev, _) = judged(&a, &b);
        assert!(!ReuseRules::default().near_duplicate(&ev), "{ev:?}");
        let (same, _) = judged(&a, &a.clone());
        assert!(ReuseRules::default().near_duplicate(&same), "{same:?}");
    }

    /// A buyback notice in the form a wire files for every company (companies
    /// made up). Its fixed wording is 14 words, under the 15 of a masked
    /// repeated block, so it stays text the rules read.
    fn buyback(company: &str, first: &str, shares: &str) -> String {
        format!(
            "{} TO REPURCHASE SHARES\n\n{company} said its board has authorized the repurchase from time to time of up to {shares} shares, {first} told {} reporters on {} visits.",
            company.to_uppercase(),
            shares.len() * 7 + 3,
            first.len() + 11
        )
    }

    /// Judges docs `i` and `j` of a corpus marked as `pairs` marks it (forms
    /// from the corpus counts).
    fn judged_in(docs: &mut [Document], i: usize, j: usize) -> (ReuseEvidence, Alignment) {
        crate::corpus::mark_boilerplate(docs, &crate::Config::default());
        judged_docs(&docs[i], &docs[j])
    }

    #[test]
    fn a_form_the_site_files_for_many_companies_is_a_template() {
        let names = [
            ("Quaker Valley Chemical Corp", "Quaker"),
            ("Tarrant Mills Inc", "Tarrant"),
            ("Ostrander Freight Lines", "Ostrander"),
            ("Pemberton Foods Corp", "Pemberton"),
            ("Calloway Instruments Inc", "Calloway"),
            ("Westmoor Savings Bank", "Westmoor"),
            ("Lindqvist Marine Corp", "Lindqvist"),
            ("Harrowgate Paper Co", "Harrowgate"),
            ("Danforth Electric Inc", "Danforth"),
            ("Brightwater Mining Ltd", "Brightwater"),
            ("Kestrel Aviation Corp", "Kestrel"),
        ];
        let mut docs: Vec<Document> = names
            .iter()
            .enumerate()
            .map(|(i, (c, f))| {
                Document::new(format!("d{i}"), buyback(c, f, &format!("{}00,000", i + 2)))
            })
            .collect();
        // the same notice sent again is a copy, not another company's notice
        docs.push(Document::new("again", docs[0].text.clone()));
        let (ev, al) = judged_in(&mut docs, 0, 1);
        // the formula recurs in 12 notices: form wording, not boilerplate
        let forms: Vec<&str> = docs[0]
            .forms
            .iter()
            .map(|f| &docs[0].text[f.range()])
            .collect();
        assert_eq!(
            forms,
            ["said its board has authorized the repurchase from time to time of up to"]
        );
        assert!(docs[0].boilerplate.is_empty(), "{:?}", docs[0].boilerplate);
        assert!(ev.form_share > 0.4, "{ev:?}");
        assert!(ev.template, "{ev:?}");
        assert_eq!(al.summary.relation, Relation::Template);
        assert!(!ReuseRules::default().reported(&ev, &al));
        let (copy, al) = judged_in(&mut docs, 0, 11);
        assert!(!copy.template, "{copy:?}");
        assert_eq!(al.summary.relation, Relation::NearDuplicate);
        assert!(ReuseRules::default().near_duplicate(&copy));
        // in a corpus of two, the wording recurs nowhere else: no form
        let mut two = vec![docs[0].clone(), docs[1].clone()];
        for d in &mut two {
            d.boilerplate.clear();
            d.forms.clear();
        }
        let (alone, _) = judged_in(&mut two, 0, 1);
        assert!(two[0].forms.is_empty());
        assert_eq!(alone.form_share, 0.0);
    }

    #[test]
    fn two_pages_of_a_column_intro_alone_are_boilerplate_yet_duplicates() {
        // a weekly column opens with the same standing intro; two of its pages
        // lost their bodies (embeds) and hold nothing but the intro
        let intro = "Every week our editors comb the late-night forums for the strangest idle musings that readers post while waiting for the kettle to boil, and we gather the ones that made us stop and stare at the ceiling for a while.";
        let things = [
            "lighthouse",
            "umbrella",
            "pancake",
            "violin",
            "glacier",
            "tortoise",
            "chimney",
            "meteor",
            "saxophone",
            "cactus",
            "volcano",
            "harbour",
        ];
        let mut docs: Vec<Document> = things
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Document::new(
                    format!("week{i}"),
                    format!(
                        "{intro} If a {t} could talk it would complain about {} neighbours before breakfast. Somebody should ask a {t} what it thinks of {} Mondays in a row.",
                        i + 3,
                        i * 2 + 5
                    ),
                )
            })
            .collect();
        docs.push(Document::new("lost1", intro));
        docs.push(Document::new("lost2", intro));
        let (ev, al) = judged_in(&mut docs, 12, 13);
        // the intro is masked where a body follows it, kept where it is all
        assert!(!docs[0].boilerplate.is_empty(), "{:?}", docs[0].boilerplate);
        assert!(
            docs[12].boilerplate.is_empty(),
            "{:?}",
            docs[12].boilerplate
        );
        assert!(ev.form_share >= SITE_WORDING_SHARE, "{ev:?}");
        assert!(ev.site_wording, "{ev:?}");
        let rules = ReuseRules::default();
        assert!(!rules.reported(&ev, &al));
        assert!(!rules.listed(&ev, &al));
        // yet the two pages are the same text: dedup keeps one
        assert!(rules.near_duplicate(&ev), "{ev:?}");
        // a page sent twice with its body is listed as ever
        docs.push(Document::new("again", docs[3].text.clone()));
        let (copy, al) = judged_in(&mut docs, 3, 14);
        assert!(!copy.site_wording, "{copy:?}");
        assert!(rules.listed(&copy, &al) && rules.near_duplicate(&copy));
    }

    #[test]
    fn form_wording_with_a_fact_changed_is_a_template() {
        let mut ev = TemplateEvidence::default();
        // mostly form wording, nothing differs: a retransmission
        assert!(!is_form(&ev, 0.9));
        // a name elsewhere in the texts differs (another company's notice)
        ev.whole = whence_align::FactCounts {
            shared: 3,
            only_a: 1,
            only_b: 1,
        };
        assert!(is_form(&ev, FORM_SHARE));
        // most of the shared text is the documents' own: copied text
        assert!(!is_form(&ev, FORM_SHARE - 0.1));
        // a fact only one side has is an addition, not a substitution
        ev.whole.only_b = 0;
        assert!(!is_form(&ev, 0.9));
    }

    /// A central bank's daily operation, in the wire's words (figures made up).
    fn operation(date: &str, billions: &str, rate: &str) -> Document {
        dated(
            &format!("op-{date}"),
            date,
            &format!(
                "FED ADDS RESERVES VIA CUSTOMER REPURCHASES\n\nThe Federal Reserve entered the government securities market to supply temporary reserves indirectly via {billions} billion dlrs of customer repurchase agreements, a Fed spokesman said.\n    Dealers said Federal funds were trading at {rate} pct when the Fed began its temporary and indirect supply of reserves to the banking system."
            ),
        )
    }

    #[test]
    fn a_recurring_report_of_another_day_is_a_template() {
        let monday = operation("1987-04-06T11:45:00Z", "1.5", "6-1/8");
        let thursday = operation("1987-04-09T11:50:00Z", "2.0", "6-1/8");
        let (ev, al) = judged_docs(&monday, &thursday);
        assert!(ev.dated_apart, "{ev:?}");
        assert!(ev.template, "{ev:?}");
        assert_eq!(al.summary.relation, Relation::Template);
        // the same day's report revised an hour later is an update of one
        // occurrence: reuse
        let later = operation("1987-04-06T12:45:00Z", "2.0", "6-1/8");
        let (update, _) = judged_docs(&monday, &later);
        assert!(!update.dated_apart && !update.template, "{update:?}");
        // days apart with every figure the same (a retransmission): reuse
        let resent = operation("1987-04-08T09:00:00Z", "1.5", "6-1/8");
        let (copy, _) = judged_docs(&monday, &resent);
        assert!(copy.dated_apart && !copy.template, "{copy:?}");
    }

    #[test]
    fn contract_notices_whose_leads_open_with_the_company_are_templates() {
        // the subject is the lead's first word ("Lockheed") or follows an
        // article ("The Sikorsky …"); both share only the agency's formula
        let a = "UNITED AVIONICS <UAV> GETS NAVY CONTRACT\n\nThe Sikorsky Rotor division of United Avionics Corp is being awarded a 27.2 mln dlr contract modification for four search and rescue helicopters, the Defense Department said.\n    It said work on the contract is expected to be completed in December 1992.";
        let b = "LOCKWOOD <LKW> UNIT GETS 275 MLN DLR CONTRACT\n\nLockwood Corp's Lockwood Missiles and Space Co is being awarded a 275 mln dlr modification to a Navy contract for development and production of guidance systems, the Defense Department said.\n    It said work on the contract is expected to be completed in March 1990.";
        let (ev, al) = judged(a, b);
        assert!(ev.template_evidence.lead_subjects_differ, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al));
        // "Officials said …" opens a lead without naming a subject
        let c = a.replace(
            "The Sikorsky Rotor division of United Avionics Corp is being",
            "Officials said a helicopter maker is being",
        );
        let (ev, _) = judged(&c, b);
        assert!(!ev.template_evidence.lead_subjects_differ, "{ev:?}");
    }

    #[test]
    fn rules_validate_fractions() {
        let bad = RawReuseRules {
            min_reuse: 1.5,
            ..RawReuseRules::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(ReuseRulesError::Fraction {
                name: "min_reuse",
                ..
            })
        ));
    }

    /// A bank's prime-rate notice (form of the Reuters wire; banks made up).
    fn prime(head: &str, bank: &str, effective: &str) -> String {
        format!(
            "{head} RAISES PRIME RATE {bank} said it raised its prime lending rate to 8-1/4 pct from eight pct, effective {effective}, joining the other major banks that moved yesterday."
        )
    }

    #[test]
    fn prime_rate_notices_of_two_banks_are_templates() {
        // every figure agrees; only the bank differs, and neither notice
        // mentions the other's bank
        let a = prime("HARBOURSIDE <HBSD>", "Harbourside Bancorp", "immediately");
        let b = prime(
            "QUILLFIELD <QFLD>",
            "Quillfield National Corp",
            "immediately",
        );
        let (ev, al) = judged(&a, &b);
        assert!(ev.template_evidence.lead_subjects_differ, "{ev:?}");
        assert!(ev.template, "{ev:?}");
        assert_eq!(al.summary.relation, Relation::Template);
        assert!(!ReuseRules::default().reported(&ev, &al));
        assert!(!ReuseRules::default().near_duplicate(&ev));
        // the same bank's notice retransmitted is a copy, not a template
        let (same, al) = judged(&a, &a.replace("RAISES", "REPEAT - RAISES"));
        assert!(!same.template_evidence.lead_subjects_differ, "{same:?}");
        assert_eq!(al.summary.relation, Relation::NearDuplicate);
    }

    /// A housing lender's short-term note rates (agencies and rates made up).
    fn note_rates(head: &str, agency: &str, row: &str) -> String {
        format!(
            "{head}\n\nThe {agency} adjusted the rates on its short-term discount notes as follows:\n   MATURITY   RATE       OLD RATE  MATURITY\n{row}"
        )
    }

    #[test]
    fn two_agencies_rate_notices_whose_names_share_words_are_templates() {
        // the lead subjects share "Federal Home" yet each names two words the
        // other notice never mentions
        let a = note_rates(
            "HOUSING BOARD CHANGES SHORT-TERM NOTE RATES",
            "Federal Home Savings Bank Board",
            "    30-69 days  5.00 pct   5.00 pct  30-124 days",
        );
        let b = note_rates(
            "HOUSING MORTGAGE ADJUSTS SHORT-TERM RATES",
            "Federal Home Savings Mortgage Corp",
            "    33 days   6.00 pct   6.00 pct  33 days",
        );
        let (ev, al) = judged(&a, &b);
        assert!(ev.template_evidence.lead_subjects_differ, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al));
        // one word apart is a spelling of one name: the same notice
        let c = a.replace("Savings Bank Board", "Savngs Bank Board");
        let (ev, al) = judged(&a, &c);
        assert!(!ev.template_evidence.lead_subjects_differ, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al));
    }

    #[test]
    fn a_headline_with_a_stray_lowercase_letter_is_no_lead() {
        // "INTl" is a headline word: the lead is the sentence after it, so the
        // two filings' leads are compared and found to name two companies
        let a = "CONTOUR MEDICAL <CTM> PLANS DEBT FILING\n\nContour Medical Systems Inc said it plans to file with the Securities and Exchange Commission a registration statement covering about 25 mln dlrs of convertible subordinated debentures.";
        let b = "INTl HARBOUR HOMES <HHM> TO SELL CONVERTIBLES\n\nInternational Harbour Homes Inc said it filed with the Securities and Exchange Commission a registration statement covering a 25 mln dlr issue of convertible subordinated debentures due 2007.";
        let (ev, al) = judged(a, b);
        assert!(ev.template_evidence.lead_subjects_differ, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al));
    }

    fn dated(id: &str, date: &str, text: &str) -> Document {
        let mut d = Document::new(id, text);
        d.meta.date = Some(date.into());
        d
    }

    #[test]
    fn another_days_rate_table_under_one_heading_is_a_template() {
        // the whole notice is the form; only the table row, outside the
        // sentences of the shared text, has other figures
        let head = "HOUSING MORTGAGE ADJUSTS SHORT-TERM RATES";
        let agency = "Federal Home Savings Mortgage Corp";
        let wed = dated(
            "wed",
            "1987-04-01T11:11:00Z",
            &note_rates(head, agency, "    32 days   6.00 pct   6.10 pct   1 day"),
        );
        let fri = dated(
            "fri",
            "1987-04-03T10:53:00Z",
            &note_rates(head, agency, "    31 days   5.95 pct   6.00 pct  32 days"),
        );
        let (ev, _) = judged_docs(&wed, &fri);
        assert!(ev.dated_apart && ev.template, "{ev:?}");
        // the same table sent again on Friday is a copy
        let again = dated("again", "1987-04-03T10:53:00Z", &wed.text);
        let (ev, _) = judged_docs(&wed, &again);
        assert!(ev.dated_apart && !ev.template, "{ev:?}");
        // and Wednesday's table an hour later with a figure revised is an update
        let later = dated(
            "later",
            "1987-04-01T12:15:00Z",
            &note_rates(head, agency, "    32 days   6.05 pct   6.10 pct   1 day"),
        );
        let (ev, _) = judged_docs(&wed, &later);
        assert!(!ev.dated_apart && !ev.template, "{ev:?}");
    }

    #[test]
    fn a_follow_up_naming_both_parties_stays_reuse() {
        // B leads with the other party of the same story but names A's subject
        // too: the same story, not a form about two subjects
        let a = "ORCHARD <ORCH> WINS ORDER AGAINST BELLWEATHER Orchard Holdings said a state court granted it an order barring Bellweather Group from buying more Orchard stock until Bellweather complies with the state's takeover statute. Bellweather owns 14.2 pct of Orchard.";
        let b = "COURT LIFTS ORDER ON BELLWEATHER Bellweather Group said a state court granted it relief from an order barring Bellweather Group from buying more Orchard stock until Bellweather complies with the state's takeover statute. Bellweather owns 14.2 pct of Orchard.";
        let (ev, al) = judged(a, b);
        assert!(!ev.template_evidence.lead_subjects_differ, "{ev:?}");
        assert!(!ev.template, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al), "{al:?}");
    }

    /// A debenture offering under one lead manager's form (issuer and
    /// figures made up).
    fn debentures(f: [&str; 6]) -> String {
        format!(
            "The utility Marlow Power Co is raising {} mln dlrs via an offering of sinking fund debentures due 2019 yielding {} pct, said lead manager Castlegate Securities. The debentures have a {} pct coupon and were priced at {} to yield {} basis points over comparable Treasuries. The issue is non-refundable for 10 years and callable on 30 days' notice. A sinking fund starting in 2000 retires five pct of the debentures a year, giving an estimated minimum life of 13.85 years and maximum of 20.5 years. The debt is rated {} by the agencies.",
            f[0], f[1], f[2], f[3], f[4], f[5]
        )
    }

    #[test]
    fn two_offerings_of_one_issuer_in_one_form_are_templates() {
        // the size, yield, coupon, price, spread and rating change; the
        // maturity, call, sinking-fund and life terms of the form agree (more
        // than half the numbers), and the issuer is the same
        let a = debentures(["150", "8.92", "8-7/8", "99.60", "120", "A-2"]);
        let b = debentures(["75", "9.41", "9-3/8", "99.85", "168", "Baa-1"]);
        let (ev, al) = judged(&a, &b);
        assert!(!ev.template_evidence.lead_subjects_differ, "{ev:?}");
        assert!(
            ev.template_evidence.numbers.agreement().unwrap() > 0.5,
            "{ev:?}"
        );
        assert!(ev.template, "{ev:?}");
        assert_eq!(al.summary.relation, Relation::Template);
        // an update of one offering that revises two figures stays reuse
        let c = a.replace("8.92", "8.95").replace("120 basis", "123 basis");
        let (ev, al) = judged(&a, &c);
        assert!(!ev.template, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al));
    }

    #[test]
    fn a_pair_sharing_only_names_is_not_reported() {
        // two reports of different matches share the visitors' team sheet
        // (names made up): names and a captain's mark, no content words
        let sheet = "Calder: T Marsh, R Okafor, D Lindqvist, P Moran (capt), G Hale, S Brannigan, K Oduya, L Farrant, M Penrose, J Aldous, F Whitcombe, N Varga, B Castellan, H Rudd, C Ellery.";
        let a = format!(
            "Calder held on for a narrow win in the rain at Fenmoor, where a late penalty settled a scrappy game that neither side deserved to lose. {sheet}"
        );
        let b = format!(
            "Calder were beaten heavily at Ashgrove as the home pack dominated the second half and ran in four tries against a tired defence. {sheet}"
        );
        let (ev, al) = judged(&a, &b);
        assert!(
            ev.template_evidence.longest_lexical >= 15,
            "the sheet is long enough: {ev:?}"
        );
        assert!(ev.template_evidence.longest_content < 4, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al), "{al:?}");
        // a copied sentence of the story is reported
        let c = format!("{a} The visitors now travel north.");
        let (ev, al) = judged(&a, &c);
        assert!(ReuseRules::default().reported(&ev, &al), "{ev:?} {al:?}");
    }

    #[test]
    fn one_caption_quoted_under_two_embeds_stays_reuse() {
        // both stories quote the same post (made up); the embed lines carry
        // their own dates and times, which is no form filled with other facts
        let caption = "\u{201c}Turns out you cannot lose the 40 pounds you gained in eleven months by scrolling through recipes and wondering why the scale will not move. Thanks to my trainer for 9 months of early mornings, 3 days a week. Feeling very proud.\u{201d}";
        let a = format!(
            "The actress celebrated on Sunday with a gym photo. {caption} A post shared by Dana Wrenfield (@danawren) on Mar 4, 2018 at 6:25pm PST The post drew thousands of replies."
        );
        let b = format!(
            "Dana Wrenfield is keeping it real about her workouts. {caption} A post shared by Dana Wrenfield (@danawren) on Mar 2, 2018 at 9:10am PST Her husband had teased her the week before."
        );
        let (ev, al) = judged(&a, &b);
        assert!(!ev.template, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al), "{ev:?} {al:?}");
    }

    /// A daily rainfall table (form of the Reuters wire; places and figures
    /// made up).
    fn rainfall(f: [&str; 5]) -> String {
        format!(
            "NORTHERN PLAINS RAINFALL THE FOLLOWING RAINFALL WAS RECORDED IN THE AREAS OVER THE PAST 24 HOURS EAST DISTRICT: ASHFORD {}, BRAMLEY {}, COLDWELL {}. WEST DISTRICT: DUNMORE {}, EASTLING {}, FARRINGDON NIL, GRAYTHORPE NIL.",
            f[0], f[1], f[2], f[3], f[4]
        )
    }

    #[test]
    fn a_dry_days_table_is_no_duplicate_of_a_wet_days_table() {
        // the "NIL" entries of one day are millimetres on another: numbers on
        // one side only, never substituted, yet another day's table
        let dry = rainfall(["NIL", "NIL", "NIL", "NIL", "NIL"]);
        let wet = rainfall(["10.6 MILLIMETRES", "12.2 MM", "6.0 MM", "8.0 MM", "26.0 MM"]);
        let (ev, _) = judged(&dry, &wet);
        assert!(
            ev.template_evidence.inside_numbers.differing() > MAX_ONE_SIDED_NUMBERS,
            "{ev:?}"
        );
        assert!(!ReuseRules::default().near_duplicate(&ev), "{ev:?}");
        // the same table sent twice is a duplicate
        let (ev, _) = judged(&wet, &wet.replace("NORTHERN", "REPEAT - NORTHERN"));
        assert!(ReuseRules::default().near_duplicate(&ev), "{ev:?}");
    }

    /// A hog market report of one market (the wire's form; market and
    /// figures made up).
    fn hog_report(headline: &str) -> String {
        format!(
            "{headline} HOGS SEEN STEADY - PRIVATE SOURCES\n\nHog prices are expected steady on estimated receipts of 1,500 head, private sources said. Top seen at 50.00 dlrs per cwt.\n"
        )
    }

    #[test]
    fn one_report_of_two_markets_is_a_form() {
        // every figure agrees; only the headlines say which market
        let (ev, al) = judged(&hog_report("ELMSFORD"), &hog_report("GRANT CITY"));
        assert!(ev.template_evidence.headline_subjects_differ, "{ev:?}");
        assert!(ev.template, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al));
        assert!(!ReuseRules::default().near_duplicate(&ev));
        // the report sent again with its market's name corrected is a copy
        let (ev, al) = judged(&hog_report("ELMSFROD"), &hog_report("CORRECTED - ELMSFORD"));
        assert!(!ev.template_evidence.headline_subjects_differ, "{ev:?}");
        assert!(!ev.template, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al), "{ev:?}");
    }

    /// A fund's monthly payout notice (names and figures made up).
    fn payout(state: &str) -> String {
        format!(
            "HARLOW {} SETS MONTHLY PAYOUT\n\nMthly div 6.2 cts vs 6.2 cts prior\n    Pay May 29\n    Record May 15\n    NOTE: Harlow {state} Insured Tax-Free Income Fund.\n",
            state.to_uppercase()
        )
    }

    #[test]
    fn payouts_of_two_funds_named_in_their_headlines_are_a_form() {
        let (ev, al) = judged(&payout("Ohio"), &payout("Oregon"));
        assert!(ev.template_evidence.headline_subjects_differ, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al), "{ev:?}");
        // one fund's notice sent twice
        let (ev, al) = judged(&payout("Ohio"), &payout("Ohio"));
        assert!(!ev.template_evidence.headline_subjects_differ, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al), "{ev:?}");
    }

    #[test]
    fn a_background_sentence_shared_by_two_banks_stories_is_reuse() {
        // the headlines name two banks, but the shared text is a background
        // sentence, not the leads: copied text, not a form
        let background = "Peru stopped paying interest on its 14 billion dlrs of medium- and long-term commercial bank debt in the middle of last year, citing export losses.";
        let a = format!(
            "MERRIVALE <MVB> PUTS PERU LOANS ON NON-ACCRUAL\n\nMerrivale Bank Corp said it has placed 210 mln dlrs of its loans to Peru on non-accrual status, cutting first-quarter profit by four mln dlrs.\n    {background}\n"
        );
        let b = format!(
            "DORSET NATIONAL <DNC> LOANS PUT ON NON-ACCRUAL\n\nDorset National Corp, whose results were due next week, told analysts that a charge of 2.5 mln dlrs would follow the decision.\n    {background}\n"
        );
        let (ev, al) = judged(&a, &b);
        assert!(!ev.template_evidence.headline_subjects_differ, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al), "{ev:?}");
    }

    #[test]
    fn two_columns_on_one_company_share_their_subject() {
        // the columns' names open the headlines; the company after them is a
        // name in both bodies, so the subject is shared
        let body = "Shares of Haldane Motors Inc rose sharply this week after analysts at two brokerages said the carmaker's new plant in Ohio would double its output by the end of next year.";
        let (ev, al) = judged(
            &format!("TALKING POINT/HALDANE MOTORS SHARES\n\n{body}\n"),
            &format!("MARKET FOCUS - HALDANE MOTORS SHARES\n\n{body}\n"),
        );
        assert!(!ev.template_evidence.headline_subjects_differ, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al), "{ev:?}");
    }

    #[test]
    fn closing_sentences_naming_other_managers_are_a_form() {
        // the leads are worded apart; the shared text is the offering
        // notice's closing sentence, its co-managers different
        let a = "ARDEN FOODS <ARF> SELLS CONVERTIBLE DEBT\n\nArden Foods Corp is raising 60 mln dlrs through an offering of convertible subordinated debentures due 2012 with a seven pct coupon, said lead manager Halsey Partners Inc.\n    The debentures are convertible into the company's common stock at 30 dlrs per share, a premium of 22 pct.\n    Non-callable for three years, the issue is rated B-2 by Moody's Investors and B-minus by Standard and Poor's. Corwin Brothers and Telford Securities co-managed the deal.\n";
        let b = "BRISTOW MILLS <BML> SELLS CONVERTIBLES\n\nBristow Mills Inc told shareholders its board chose a bond route after talks with banks about a loan fell through in the spring.\n    Non-callable for three years, the issue is rated B-2 by Moody's Investors and B-minus by Standard and Poor's. Mercer Lane and Ostrow Capital co-managed the deal.\n";
        let (ev, al) = judged(a, b);
        assert!(ev.template_evidence.headline_subjects_differ, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al), "{ev:?}");
    }

    #[test]
    fn listings_of_two_companies_named_after_the_shared_headline_words_are_a_form() {
        // the headlines agree up to the company; the names stand just past
        // the aligned text ("… the common stock of")
        let (ev, al) = judged(
            "AMEX STARTS TRADING HOLLOWAY DRILLING <HDR>\n\nThe <American Stock Exchange> said it has started trading the common stock of Holloway Drilling Corp, which went public today.\n",
            "AMEX STARTS TRADING PENWICK MARINE <PWM>\n\nThe <American Stock Exchange> said it has started trading the common stock of Penwick Marine Inc, which had traded on the NASDAQ system.\n",
        );
        assert!(ev.template_evidence.headline_subjects_differ, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al), "{ev:?}");
    }

    /// A dated document of one site.
    fn on_site(id: &str, date: &str, site: &str, text: &str) -> Document {
        let mut d = dated(id, date, text);
        d.meta.site = Some(site.into());
        d
    }

    #[test]
    fn another_weeks_bill_sale_under_one_headline_is_a_recurring_report() {
        // one headline, one lead; a figure differs only in the sentences the
        // aligner did not share, so only the dates and the headline tell
        let lead = "CENTRAL BANK OF ARDONIA TO SELL BILLS\n\nThe Central Bank of Ardonia will sell bills from its holdings tomorrow to help absorb a projected money market surplus, money traders said.\n";
        let first = format!("{lead}    Of the total, 400 billion will yield 3.85 pct on sales from money houses to banks and securities firms.\n");
        let later = format!("{lead}    The operation will raise the outstanding supply of bills to a record 5,200 billion, dealers in the capital noted.\n");
        let week = (
            on_site("a", "1987-04-07T07:00:00Z", "wire", &first),
            on_site("b", "1987-04-13T07:00:00Z", "wire", &later),
        );
        let (ev, al) = judged_docs(&week.0, &week.1);
        assert!(
            ev.lexical_a.min(ev.lexical_b) < RECURRING_MIN_COVER,
            "{ev:?}"
        );
        assert!(ev.template, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al));
        // the same two texts a day apart: an update of one story
        let (ev, al) = judged_docs(
            &week.0,
            &on_site("b", "1987-04-08T09:00:00Z", "wire", &later),
        );
        assert!(!ev.template, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al), "{ev:?}");
        // a week apart on two sites: another paper reprinting the story
        let (ev, al) = judged_docs(
            &week.0,
            &on_site("b", "1987-04-13T07:00:00Z", "gazette", &later),
        );
        assert!(!ev.template, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al), "{ev:?}");
    }

    #[test]
    fn one_unchanged_notice_of_two_meetings_is_a_recurring_report() {
        let text = "ARDONIA CENTRAL BANK LEAVES CREDIT POLICIES UNCHANGED\n\nThe Ardonian central bank left credit policies unchanged after today's regular meeting of its council, a spokesman said in answer to enquiries.\n    The discount rate remains at 3.0 pct, and the emergency financing rate at 5.0 pct.\n";
        let meeting = |id: &str, date: &str| on_site(id, date, "wire", text);
        let (ev, al) = judged_docs(
            &meeting("a", "1987-03-05T07:00:00Z"),
            &meeting("b", "1987-03-19T07:00:00Z"),
        );
        assert!(ev.template && ev.recurring_copy, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al));
        assert!(!ReuseRules::default().listed(&ev, &al));
        // one text twice all the same: `dedup` keeps one
        assert!(ReuseRules::default().near_duplicate(&ev));
        // sent again two days later: a copy (and a duplicate)
        let (ev, al) = judged_docs(
            &meeting("a", "1987-03-05T07:00:00Z"),
            &meeting("b", "1987-03-07T07:00:00Z"),
        );
        assert!(!ev.template, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al));
        assert!(ReuseRules::default().near_duplicate(&ev));
    }

    #[test]
    fn a_subject_after_a_shared_opening_differs_only_with_the_facts() {
        // one market's hog and cattle reports: the headlines part after
        // "GRANT CITY", and the receipts differ
        let (ev, al) = judged(
            "GRANT CITY HOGS SEEN UP 0.50 DLR - PRIVATE\n\nHog prices are expected 0.50 dlr higher on estimated receipts of 3,000 head, private sources said. Top seen at 51.00 dlrs per cwt.\n",
            "GRANT CITY CATTLE SEEN UP 0.50 DLR - PRIVATE\n\nCattle prices are expected 0.50 dlr higher on estimated receipts of 1,200 head, private sources said. Steer top 67.50 dlrs.\n",
        );
        assert!(ev.template_evidence.headline_subjects_differ, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al), "{ev:?}");
        // one story whose headline was reworded: the same text, no fact changed
        let body = "The administration's budget director said he would not accept any compromise with Congress that raised taxes, telling reporters the deficit could be cut by spending restraint alone.";
        let (ev, al) = judged(
            &format!("BUDGET CHIEF SAYS NO TAX HIKE COMPROMISE\n\n{body}\n"),
            &format!("BUDGET CHIEF SAYS NO TAX RISE COMPROMISE\n\n{body}\n"),
        );
        assert!(!ev.template_evidence.headline_subjects_differ, "{ev:?}");
        assert!(ReuseRules::default().reported(&ev, &al), "{ev:?}");
        assert!(ReuseRules::default().near_duplicate(&ev), "{ev:?}");
    }

    #[test]
    fn one_monthly_report_of_two_months_is_a_recurring_report() {
        let feb = "ARDONIA TRADE SURPLUS RISES IN FEBRUARY\n\nArdonia's trade surplus rose to 261 mln dlrs in February from 129 mln in January, official figures show.\n    The director of the central bank's foreign trade department, Paulo Reis, said that although the results were lower than the average expected for the rest of the year, the government's target of an eight billion dlr surplus for 1987 should be achieved.\n";
        let mar = "ARDONIA TRADE SURPLUS FALLS SHARPLY IN MARCH\n\nArdonia's trade surplus in March totalled only 136 mln dlrs against 1.13 billion a year earlier, the central bank said.\n    The director of the central bank's foreign trade department, Paulo Reis, said that although the results were lower than the average expected for the rest of the year, the government's target of an eight billion dlr surplus for 1987 should be achieved.\n";
        let (ev, al) = judged_docs(
            &on_site("a", "1987-03-16T16:00:00Z", "wire", feb),
            &on_site("b", "1987-04-24T18:00:00Z", "wire", mar),
        );
        assert!(ev.template_evidence.headline_months_differ, "{ev:?}");
        assert!(ev.template, "{ev:?}");
        assert!(!ReuseRules::default().reported(&ev, &al));
        // the same month's figures a day apart: no other period
        let revised = mar.replace("FALLS SHARPLY IN MARCH", "MARCH FIGURES REVISED");
        let (ev, _) = judged_docs(
            &on_site("a", "1987-04-24T18:00:00Z", "wire", mar),
            &on_site("b", "1987-04-27T18:00:00Z", "wire", &revised),
        );
        assert!(!ev.template_evidence.headline_months_differ, "{ev:?}");
        assert_ne!(
            recurrence_under_one_headline(&ev.template_evidence, 3 * 86_400, 0.5),
            Some(Recurrence::OtherPeriod)
        );
    }
}
