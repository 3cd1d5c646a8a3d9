//! `compare` and `trace` for a person in a terminal: verdict, passages side by
//! side, novel text.

use std::fmt::Write;

use whence_core::{CharIndex, Document, PassageKind, Relation, Span};

use super::drift_name;
use crate::pipeline::Trace;

use crate::Comparison;

/// How to print.
#[derive(Clone, Debug)]
pub struct TextOptions {
    /// ANSI colors.
    pub color: bool,
    /// Print passages and novel spans whole instead of abbreviated.
    pub full: bool,
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";

fn kind_color(kind: PassageKind) -> &'static str {
    match kind {
        PassageKind::Verbatim => "\x1b[32m",   // green
        PassageKind::Edited => "\x1b[33m",     // yellow
        PassageKind::Paraphrase => "\x1b[36m", // cyan
    }
}
const NOVEL: &str = "\x1b[35m"; // magenta

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("{code}{s}{RESET}")
        } else {
            s.to_owned()
        }
    }
}

fn relation_words(r: Relation) -> &'static str {
    match r {
        Relation::NearDuplicate => "near-duplicate",
        Relation::ADerivedFromB => "A derived from B",
        Relation::BDerivedFromA => "B derived from A",
        Relation::UnknownDirection => "one derived from the other, direction unknown",
        Relation::SharedSource => "shared text (neither is mostly the other's)",
        Relation::Unrelated => "unrelated",
        Relation::Template => "template (a form filled with different facts)",
    }
}

/// One line of text with whitespace runs collapsed, abbreviated in the middle.
fn excerpt(text: &str, full: bool) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    const MAX: usize = 220;
    if full || flat.chars().count() <= MAX {
        return flat;
    }
    let head: String = flat.chars().take(MAX * 2 / 3).collect();
    let tail: String = {
        let v: Vec<char> = flat.chars().collect();
        v[v.len() - MAX / 3..].iter().collect()
    };
    format!("{head} … {tail}")
}

/// The comparison as terminal text.
pub fn compare_text(cmp: &Comparison, opts: &TextOptions) -> String {
    let p = Paint { on: opts.color };
    let (ia, ib) = (CharIndex::new(&cmp.a.text), CharIndex::new(&cmp.b.text));
    let al = &cmp.alignment;
    let s = &al.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "A: {} ({} chars)\nB: {} ({} chars)",
        cmp.a.id,
        ia.len_chars(),
        cmp.b.id,
        ib.len_chars()
    );
    let _ = writeln!(
        out,
        "{} {} (confidence {:.2}); {:.0}% of A reused, {:.0}% of B reused",
        p.wrap(BOLD, "verdict:"),
        p.wrap(BOLD, relation_words(s.relation)),
        s.confidence,
        s.a_reused * 100.0,
        s.b_reused * 100.0
    );
    let of_kind = |k: PassageKind| al.passages.iter().filter(|x| x.kind == k).count();
    let _ = writeln!(
        out,
        "passages: {} verbatim, {} edited, {} paraphrase",
        p.wrap(
            kind_color(PassageKind::Verbatim),
            &of_kind(PassageKind::Verbatim).to_string()
        ),
        p.wrap(
            kind_color(PassageKind::Edited),
            &of_kind(PassageKind::Edited).to_string()
        ),
        p.wrap(
            kind_color(PassageKind::Paraphrase),
            &of_kind(PassageKind::Paraphrase).to_string()
        ),
    );
    let fmt_span = |idx: &CharIndex, sp: Span| {
        let (x, y) = idx.span_to_chars(sp);
        format!("{x}-{y}")
    };
    for (n, ps) in al.passages.iter().enumerate() {
        let color = kind_color(ps.kind);
        let _ = writeln!(
            out,
            "\n[{}] {} {:.2}   A {}   B {}",
            n + 1,
            p.wrap(color, ps.kind.as_str()),
            ps.score,
            fmt_span(&ia, ps.a),
            fmt_span(&ib, ps.b)
        );
        let _ = writeln!(
            out,
            "  A │ {}",
            p.wrap(color, &excerpt(&cmp.a.text[ps.a.range()], opts.full))
        );
        let _ = writeln!(
            out,
            "  B │ {}",
            p.wrap(color, &excerpt(&cmp.b.text[ps.b.range()], opts.full))
        );
    }
    if !al.drift.is_empty() {
        let _ = writeln!(out, "\n{}", p.wrap(BOLD, "changed in reused text"));
        for d in &al.drift {
            let kind = drift_name(d.kind);
            let _ = writeln!(
                out,
                "  {kind:<11} A {} “{}”  ←  B {} “{}”",
                fmt_span(&ia, d.a),
                excerpt(&cmp.a.text[d.a.range()], opts.full),
                fmt_span(&ib, d.b),
                excerpt(&cmp.b.text[d.b.range()], opts.full)
            );
        }
    }
    for (label, doc, idx, novel) in [
        ("A", cmp.a, &ia, &al.novel_a),
        ("B", cmp.b, &ib, &al.novel_b),
    ] {
        let chars: usize = novel.iter().map(|&sp| idx.chars_in(sp)).sum();
        let _ = writeln!(
            out,
            "\n{} ({}, {} chars)",
            p.wrap(BOLD, &format!("new in {label}")),
            count(novel.len(), "span", "spans"),
            chars
        );
        for &sp in novel.iter() {
            let _ = writeln!(
                out,
                "  {} {}",
                p.wrap(DIM, &fmt_span(idx, sp)),
                p.wrap(NOVEL, &excerpt(&doc.text[sp.range()], opts.full))
            );
        }
    }
    for (label, bp, idx) in [
        ("A", &cmp.boilerplate_a, &ia),
        ("B", &cmp.boilerplate_b, &ib),
    ] {
        if !bp.is_empty() {
            let chars: usize = bp.iter().map(|&sp| idx.chars_in(sp)).sum();
            let _ = writeln!(
                out,
                "\nboilerplate in {label}: {}, {chars} chars (not counted)",
                count(bp.len(), "span", "spans")
            );
        }
    }
    out
}

/// `trace` as terminal text: the derivation, each source with its passages,
/// the new text.
pub fn trace_text(doc: &Document, corpus: &[Document], t: &Trace, opts: &TextOptions) -> String {
    let p = Paint { on: opts.color };
    let idx = CharIndex::new(&doc.text);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} ({:.0}% reused, {:.0}% verbatim or edited) from {}{} among {}",
        doc.id,
        p.wrap(BOLD, &format!("{} derived", t.derivation.as_str())),
        t.reused * 100.0,
        t.reused_lexical * 100.0,
        count(t.sources.len(), "source", "sources"),
        if t.related.is_empty() {
            String::new()
        } else {
            format!(" and {} related", t.related.len())
        },
        count(corpus.len(), "document", "documents"),
    );
    for s in &t.sources {
        let src = &corpus[s.doc as usize];
        let sum = &s.alignment.summary;
        let _ = writeln!(
            out,
            "\n  {}  {:.0}% of {} from it ({}){}",
            p.wrap(BOLD, src.id.as_str()),
            sum.a_reused * 100.0,
            doc.id,
            sum.relation.as_str(),
            if s.later {
                "; dated after it, so not its source"
            } else {
                ""
            }
        );
        for ps in &s.alignment.passages {
            let (a0, a1) = idx.span_to_chars(ps.a);
            let color = kind_color(ps.kind);
            let _ = writeln!(
                out,
                "    {} {:.2} {a0}-{a1}  {}",
                p.wrap(color, &format!("{:<10}", ps.kind.as_str())),
                ps.score,
                p.wrap(color, &excerpt(&doc.text[ps.a.range()], opts.full))
            );
        }
    }
    if !t.related.is_empty() {
        let ids: Vec<&str> = t
            .related
            .iter()
            .map(|&r| corpus[r as usize].id.as_str())
            .collect();
        let _ = writeln!(
            out,
            "\n  {} {} (shares the wording the derivation counts; no passage sure enough to show)",
            p.wrap(BOLD, "also related:"),
            ids.join(", ")
        );
    }
    let chars: usize = t.novel.iter().map(|&s| idx.chars_in(s)).sum();
    let _ = writeln!(
        out,
        "\n  {} ({}, {chars} chars)",
        p.wrap(BOLD, &format!("new in {}", doc.id)),
        count(t.novel.len(), "span", "spans"),
    );
    if opts.full {
        for &sp in &t.novel {
            let (x, y) = idx.span_to_chars(sp);
            let _ = writeln!(
                out,
                "    {} {}",
                p.wrap(DIM, &format!("{x}-{y}")),
                p.wrap(NOVEL, &excerpt(&doc.text[sp.range()], true))
            );
        }
    }
    out
}

/// `"1 source"`, `"3 sources"`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
