//! Alignment of two documents: which passages of A come from B, and how.
//!
//! Input: each side's original text, its [`TokenStream`] (from `whence-text`) and
//! its boilerplate spans. Output: an [`Alignment`] of byte spans — passages
//! (verbatim, edited, paraphrase), the novel spans of each side, drift, and a
//! verdict with the reused fraction of each side.
//!
//! The algorithm (details and invariants in `crates/align/DESIGN.md`):
//! 1. **Seeds**: shared word k-grams (stemmed, spelling-folded keys) give maximal
//!    exact matches; boilerplate tokens never match.
//! 2. **Chains**: matches on nearby diagonals join into one passage across small
//!    gaps, then each end is extended through small edits; one reused passage is
//!    one detection, not five fragments.
//! 3. **Conflicts**: passages are made disjoint on A, the best-supported first.
//! 4. **Paraphrase**: sentences left unaligned are matched many-to-many by
//!    IDF-weighted content-word similarity; with a [`SentenceEncoder`]
//!    ([`align_with`]), those still unaligned are then matched by the cosine of
//!    their sentence embeddings.
//! 5. **Verdict**: reused fractions, novel spans, relation and confidence; the
//!    direction of a derivation from textual evidence only (follow-up markers,
//!    time words, back-references), unknown when that is weak.
//!
//! ```
//! use whence_align::{align, AlignConfig, Side};
//! use whence_core::PassageKind;
//! let a = "Officials said the vanguard of the ground forces began arriving on Monday with weapons and equipment.";
//! let b = "Some context first. The vanguard of the ground forces began arriving on Monday with weapons and equipment, officials said.";
//! let (ta, tb) = (whence_text::analyze(a), whence_text::analyze(b));
//! let al = align(Side::new(a, &ta, &[]), Side::new(b, &tb, &[]), &AlignConfig::default());
//! assert_eq!(al.passages.len(), 1);
//! assert_eq!(al.passages[0].kind, PassageKind::Verbatim);
//! assert!(a[al.passages[0].a.range()].starts_with("the vanguard"));
//! ```

mod config;
mod direction;
mod drift;
mod gaps;
mod headline;
mod lexical;
mod paraphrase;
mod semantic;
mod template;
mod verdict;

pub use config::{
    AlignConfig, ConfigError, RawAlignConfig, DEFAULT_PARAPHRASE_THRESHOLD,
    DEFAULT_SEMANTIC_THRESHOLD,
};
pub use direction::{evidence as direction_evidence, DirectionEvidence};
pub use semantic::SentenceEncoder;
pub use template::{template_evidence, FactCounts, TemplateEvidence};
pub use verdict::verdict;

use whence_core::{Alignment, Passage, PassageKind, Span, Summary, Token, TokenStream};

use lexical::{Chain, Keys, MASK_A, MASK_B};
use paraphrase::SentSide;

/// One document as the aligner sees it.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    pub text: &'a str,
    pub stream: &'a TokenStream,
    /// Sorted, disjoint boilerplate spans: excluded from matching and from fractions.
    pub boilerplate: &'a [Span],
}

impl<'a> Side<'a> {
    /// A side from its text, analysis and boilerplate spans.
    pub fn new(text: &'a str, stream: &'a TokenStream, boilerplate: &'a [Span]) -> Side<'a> {
        Side {
            text,
            stream,
            boilerplate,
        }
    }
}

/// Per-token views of one side, with boilerplate masked.
struct Prepared {
    keys: Vec<u64>,
    forms: Vec<u64>,
    /// Content word (not a function word) outside boilerplate.
    content: Vec<bool>,
}

fn prepare(side: &Side, mask: u64) -> Prepared {
    let tokens = &side.stream.tokens;
    let mut keys = Vec::with_capacity(tokens.len());
    let mut forms = Vec::with_capacity(tokens.len());
    let mut content = Vec::with_capacity(tokens.len());
    let masked = side.stream.overlapping(side.boilerplate);
    for (n, (t, masked)) in tokens.iter().zip(masked).enumerate() {
        if masked {
            keys.push(mask | n as u64);
            forms.push(mask | n as u64);
            content.push(false);
        } else {
            keys.push(t.key);
            forms.push(t.form);
            content.push(!t.is_stop());
        }
    }
    Prepared {
        keys,
        forms,
        content,
    }
}

/// Aligns A with B lexically and by content-word paraphrase.
pub fn align(a: Side, b: Side, cfg: &AlignConfig) -> Alignment {
    align_with(a, b, cfg, None)
}

/// Aligns A with B; with an `encoder`, sentences left unexplained by the lexical
/// and content-word stages are also matched by sentence-embedding cosine
/// (only when paraphrase matching is on in `cfg`).
pub fn align_with(
    a: Side,
    b: Side,
    cfg: &AlignConfig,
    encoder: Option<&dyn SentenceEncoder>,
) -> Alignment {
    let raw = cfg.get();
    let pa = prepare(&a, MASK_A);
    let pb = prepare(&b, MASK_B);
    let ka = Keys {
        keys: &pa.keys,
        content: &pa.content,
    };
    let kb = Keys {
        keys: &pb.keys,
        content: &pb.content,
    };

    let chains = lexical::lexical_passages(&ka, &kb, raw);
    let groups = lexical::group_adjacent(chains, raw);
    let mut passages = lexical_to_passages(&a, &b, &pa, &pb, &groups);

    if raw.paraphrase {
        let mut lexical_a: Vec<Span> = passages.iter().map(|p| p.a).collect();
        Span::merge_all(&mut lexical_a);
        let covered_a = a.stream.overlapping(&lexical_a);
        let mut lexical_b: Vec<Span> = passages.iter().map(|p| p.b).collect();
        Span::merge_all(&mut lexical_b);
        let covered_b = b.stream.overlapping(&lexical_b);
        let sa = SentSide {
            text: a.text,
            tokens: &a.stream.tokens,
            sentences: &a.stream.sentences,
            content: &pa.content,
            covered: &covered_a,
        };
        let sb = SentSide {
            text: b.text,
            tokens: &b.stream.tokens,
            sentences: &b.stream.sentences,
            content: &pb.content,
            covered: &covered_b,
        };
        let mut matches = paraphrase::align_sentences(&sa, &sb, raw);
        let encoder = encoder.filter(|_| {
            let prior = paraphrase_passages(&a, &b, &matches, &lexical_a);
            let all = || passages.iter().chain(&prior);
            let share_a = reused_fraction(a.text, all().map(|p| p.a), a.boilerplate);
            let share_b = reused_fraction(b.text, all().map(|p| p.b), b.boilerplate);
            semantic::grounded(share_a, share_b)
        });
        if let Some(encoder) = encoder {
            let mut matched_a = vec![false; a.stream.sentences.len()];
            let mut matched_b = vec![false; b.stream.sentences.len()];
            for m in &matches {
                matched_a[m.a_sent] = true;
                matched_b[m.b_sents.0..=m.b_sents.1].fill(true);
            }
            let xa = semantic::SemSide {
                base: &sa,
                text: a.text,
                matched: &matched_a,
            };
            let xb = semantic::SemSide {
                base: &sb,
                text: b.text,
                matched: &matched_b,
            };
            if let Some(extra) = semantic::align_sentences(&xa, &xb, raw, encoder, matches.len()) {
                matches.extend(extra);
                matches.sort_by_key(|m| m.a_sent);
            }
        }
        passages.extend(paraphrase_passages(&a, &b, &matches, &lexical_a));
        if raw.bracketed_gaps {
            let gaps = gaps::bracketed(&a, &b, &passages, !raw.paraphrase_gate);
            passages.extend(gaps);
        }
    }
    passages.sort_by(|x, y| x.a.cmp(&y.a).then(x.b.cmp(&y.b)));

    let novel_a = novel(a.text, passages.iter().map(|p| p.a), a.boilerplate);
    let novel_b = novel(b.text, passages.iter().map(|p| p.b), b.boilerplate);
    let a_reused = reused_fraction(a.text, passages.iter().map(|p| p.a), a.boilerplate);
    let b_reused = reused_fraction(b.text, passages.iter().map(|p| p.b), b.boilerplate);
    let evidence = direction::evidence(&a, &b, &passages);
    let (relation, confidence) = verdict(a_reused, b_reused, !passages.is_empty(), &evidence);
    let drift = if !raw.drift {
        Vec::new()
    } else {
        drift::detect(
            &drift::DriftSide {
                text: a.text,
                tokens: &a.stream.tokens,
                sentences: &a.stream.sentences,
            },
            &drift::DriftSide {
                text: b.text,
                tokens: &b.stream.tokens,
                sentences: &b.stream.sentences,
            },
            &passages,
        )
    };
    Alignment {
        passages,
        novel_a,
        novel_b,
        drift,
        summary: Summary {
            a_reused,
            b_reused,
            relation,
            confidence,
        },
    }
}

fn lexical_to_passages(
    a: &Side,
    b: &Side,
    pa: &Prepared,
    pb: &Prepared,
    groups: &[Vec<Chain>],
) -> Vec<Passage> {
    let (ta, tb) = (&a.stream.tokens, &b.stream.tokens);
    let mut out: Vec<Passage> = Vec::with_capacity(groups.len());
    for (n, g) in groups.iter().enumerate() {
        let (i0, i1) = (g[0].i0(), g[g.len() - 1].i1());
        let j0 = g.iter().map(Chain::j0).min().unwrap_or(0);
        let j1 = g.iter().map(Chain::j1).max().unwrap_or(0);
        let mut edits: usize = g
            .iter()
            .map(|c| lexical::edits(c, &pa.keys, &pb.keys, &pa.forms, &pb.forms))
            .sum();
        // tokens between the chains of a group are unmatched on A, and B tokens not
        // covered by any chain of the group are unmatched on B
        let matched: usize = g.iter().map(Chain::matched).sum();
        let inner_a = (i1 - i0).saturating_sub(g.iter().map(|c| c.i1() - c.i0()).sum::<usize>());
        let inner_b = (j1 - j0).saturating_sub(g.iter().map(|c| c.j1() - c.j0()).sum::<usize>());
        edits += inner_a.max(inner_b);
        let len = (i1 - i0).max(j1 - j0).max(matched);
        let (kind, score) = if g.len() == 1 && edits == 0 && i1 - i0 == j1 - j0 {
            (PassageKind::Verbatim, 1.0)
        } else {
            (PassageKind::Edited, 1.0 - edits as f32 / len as f32)
        };
        let sa = Span::new(ta[i0].span.start(), ta[i1 - 1].span.end());
        let sb = Span::new(tb[j0].span.start(), tb[j1 - 1].span.end());
        // widen over identical punctuation, never into a neighbouring passage on A
        let floor = out.last().map_or(0, |p| p.a.end());
        let ceil = groups
            .get(n + 1)
            .map_or(a.text.len(), |next| ta[next[0].i0()].span.start());
        let (sa, sb) = widen(a.text, b.text, sa, sb, floor, ceil);
        out.push(Passage {
            a: sa,
            b: sb,
            kind,
            score: score.clamp(0.0, 1.0),
        });
    }
    out
}

/// Extends both spans over identical non-alphanumeric characters on each side
/// (quotes, final punctuation), keeping A within `[floor, ceil]`, then trims
/// whitespace from the ends.
fn widen(
    ta: &str,
    tb: &str,
    mut sa: Span,
    mut sb: Span,
    floor: usize,
    ceil: usize,
) -> (Span, Span) {
    // forward
    let (mut ea, mut eb) = (sa.end(), sb.end());
    loop {
        let (ca, cb) = (ta[ea..].chars().next(), tb[eb..].chars().next());
        match (ca, cb) {
            (Some(x), Some(y)) if x == y && !x.is_alphanumeric() && ea + x.len_utf8() <= ceil => {
                ea += x.len_utf8();
                eb += x.len_utf8();
            }
            _ => break,
        }
    }
    while ea > sa.end() {
        let c = ta[..ea].chars().next_back().unwrap_or('x');
        if !c.is_whitespace() {
            break;
        }
        ea -= c.len_utf8();
        eb -= c.len_utf8();
    }
    // backward
    let (mut xa, mut xb) = (sa.start(), sb.start());
    loop {
        let (ca, cb) = (ta[..xa].chars().next_back(), tb[..xb].chars().next_back());
        match (ca, cb) {
            (Some(x), Some(y)) if x == y && !x.is_alphanumeric() && xa >= floor + x.len_utf8() => {
                xa -= x.len_utf8();
                xb -= x.len_utf8();
            }
            _ => break,
        }
    }
    while xa < sa.start() {
        let c = ta[xa..].chars().next().unwrap_or('x');
        if !c.is_whitespace() {
            break;
        }
        xa += c.len_utf8();
        xb += c.len_utf8();
    }
    sa = Span::new(xa, ea);
    sb = Span::new(xb, eb);
    (sa, sb)
}

fn paraphrase_passages(
    a: &Side,
    b: &Side,
    matches: &[paraphrase::SentMatch],
    lexical_a: &[Span],
) -> Vec<Passage> {
    let (sa, sb) = (&a.stream.sentences, &b.stream.sentences);
    let mut out: Vec<(usize, (usize, usize), Passage)> = Vec::new();
    for m in matches {
        let sent = sa[m.a_sent].span;
        let a_span = if lexical_a.iter().any(|l| l.intersect(sent).is_some()) {
            match paraphrase::uncovered_part(
                sent,
                &a.stream.tokens[sa[m.a_sent].tokens.clone()],
                lexical_a,
            ) {
                Some(s) => s,
                None => continue,
            }
        } else {
            sent
        };
        let b_span = sb[m.b_sents.0].span.cover(sb[m.b_sents.1].span);
        let p = Passage {
            a: a_span,
            b: b_span,
            kind: PassageKind::Paraphrase,
            score: m.score,
        };
        // merge with the previous match when both sides continue it
        if let Some((prev_a, prev_b, prev)) = out.last_mut() {
            let consecutive_a = *prev_a + 1 == m.a_sent;
            let near_b = m.b_sents.0 <= prev_b.1 + 1 && prev_b.0 <= m.b_sents.1 + 1;
            if consecutive_a && near_b {
                prev.score = (prev.score + p.score) / 2.0;
                prev.a = prev.a.cover(p.a);
                prev.b = prev.b.cover(p.b);
                *prev_a = m.a_sent;
                *prev_b = (prev_b.0.min(m.b_sents.0), prev_b.1.max(m.b_sents.1));
                continue;
            }
        }
        out.push((m.a_sent, m.b_sents, p));
    }
    // a merged paraphrase may swallow a lexical passage between its sentences: split
    let mut result = Vec::new();
    for (_, _, p) in out {
        let pieces = Span::complement(p.a, lexical_a);
        if pieces.len() == 1 && pieces[0] == p.a {
            result.push(p);
        } else {
            for piece in pieces {
                let tokens: Vec<&Token> = a
                    .stream
                    .tokens
                    .iter()
                    .filter(|t| piece.contains(t.span))
                    .collect();
                if let (Some(f), Some(l)) = (tokens.first(), tokens.last()) {
                    if tokens.len() >= 3 {
                        result.push(Passage {
                            a: Span::new(f.span.start(), l.span.end()),
                            ..p
                        });
                    }
                }
            }
        }
    }
    result
}

/// Spans of `text` outside `used` and `boilerplate` that hold at least one
/// alphanumeric character, trimmed of surrounding whitespace and punctuation:
/// the novel spans of `compare` and `trace`.
pub fn novel(text: &str, used: impl Iterator<Item = Span>, boilerplate: &[Span]) -> Vec<Span> {
    let mut taken: Vec<Span> = used.chain(boilerplate.iter().copied()).collect();
    Span::merge_all(&mut taken);
    Span::complement(Span::new(0, text.len()), &taken)
        .into_iter()
        .filter_map(|s| {
            let piece = &text[s.range()];
            let lead = piece.len()
                - piece
                    .trim_start_matches(|c: char| !c.is_alphanumeric())
                    .len();
            let trail = piece.len() - piece.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
            (lead + trail < piece.len()).then(|| Span::new(s.start() + lead, s.end() - trail))
        })
        .collect()
}

/// Non-whitespace characters covered by `used`, over all non-whitespace characters,
/// both outside boilerplate, rounded to 3 decimals: the `*_reused` figures.
pub fn reused_fraction(text: &str, used: impl Iterator<Item = Span>, boilerplate: &[Span]) -> f64 {
    let mut used: Vec<Span> = used.collect();
    Span::merge_all(&mut used);
    let live = Span::complement(Span::new(0, text.len()), boilerplate);
    let count = |spans: &[Span]| -> usize {
        spans
            .iter()
            .map(|s| {
                text[s.range()]
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .count()
            })
            .sum()
    };
    let total = count(&live);
    if total == 0 {
        return 0.0;
    }
    let covered: Vec<Span> = used
        .iter()
        .flat_map(|u| live.iter().filter_map(move |l| l.intersect(*u)))
        .collect();
    let f = count(&covered) as f64 / total as f64;
    (f * 1000.0).round() / 1000.0
}
