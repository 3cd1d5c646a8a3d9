//! HTML reports: self-contained pages (no external resources) built from one
//! component, [`side_by_side`]: two texts next to each other with every passage
//! colored by kind and linked to its counterpart, drift marked inside reused
//! text, new text and boilerplate shown, and a table of passages with their
//! scores. `compare --html` is a page with one of them, `trace --html` a page with
//! one per source; the web UI is meant to embed the same component.

use std::fmt::Write;

use whence_core::{Alignment, CharIndex, Document, PassageKind, Span};

use super::drift_name;
use crate::pipeline::Trace;
use crate::Comparison;

/// Escapes text for HTML content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One side-by-side view: document A (left) against B (right).
#[derive(Clone, Copy, Debug)]
pub struct SideBySide<'a> {
    /// Makes the view's anchors unique on a page that holds several (`s1`, `s2`…).
    pub key: &'a str,
    pub a: &'a Document,
    pub b: &'a Document,
    pub alignment: &'a Alignment,
    pub boilerplate_a: &'a [Span],
    pub boilerplate_b: &'a [Span],
}

/// What covers a piece of one side's text.
#[derive(Clone, Copy)]
enum Mark {
    Passage(usize),
    Drift(usize),
    Novel,
    Boilerplate,
}

/// One side's text cut at every mark boundary, each piece wrapped in what covers
/// it. Every passage gets an anchor at its start (`{key}-{side}{n}`), so links
/// work even when passages overlap on this side.
fn side_html(v: &SideBySide, doc: &Document, side: char, marks: &[(Span, Mark)]) -> String {
    let other = if side == 'a' { 'b' } else { 'a' };
    let key = v.key;
    let passages = &v.alignment.passages;
    let drift = &v.alignment.drift;
    let text = &doc.text;
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for (s, _) in marks {
        cuts.push(s.start().min(text.len()));
        cuts.push(s.end().min(text.len()));
    }
    // line breaks (with the blanks around them) are pieces of their own, left
    // bare below: a highlight or outline across a blank line draws an empty box
    let mut run: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), run) {
            (true, None) => run = Some(i),
            (false, Some(r)) => {
                if text[r..i].contains('\n') {
                    cuts.extend([r, i]);
                }
                run = None;
            }
            _ => {}
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::with_capacity(text.len() * 2);
    let mut anchored = vec![false; passages.len()];
    for w in cuts.windows(2) {
        let (x, y) = (w[0], w[1]);
        let covering: Vec<Mark> = marks
            .iter()
            .filter(|(s, _)| s.start() <= x && y <= s.end() && x < y)
            .map(|(_, m)| *m)
            .collect();
        for m in &covering {
            if let Mark::Passage(n) = *m {
                if !anchored[n] {
                    anchored[n] = true;
                    let _ = write!(out, "<span class=\"anchor\" id=\"{key}-{side}{n}\"></span>");
                }
            }
        }
        let raw = &text[x..y];
        if raw.contains('\n') && raw.trim().is_empty() {
            // a paragraph break inside a passage (or new text): left bare, so
            // that no highlight or outline is drawn on the blank line
            out.push_str(raw);
            continue;
        }
        let piece = escape(raw);
        let ps: Vec<usize> = covering
            .iter()
            .filter_map(|m| match m {
                Mark::Passage(n) => Some(*n),
                _ => None,
            })
            .collect();
        let dr: Option<usize> = covering.iter().find_map(|m| match m {
            Mark::Drift(d) => Some(*d),
            _ => None,
        });
        let inner = match dr {
            Some(d) => format!(
                "<mark class=\"drift\" title=\"changed: {}\">{piece}</mark>",
                drift_name(drift[d].kind)
            ),
            None => piece,
        };
        if let Some(&first) = ps.first() {
            let p = &passages[first];
            let ids: Vec<String> = ps.iter().map(|n| format!("{key}-{n}")).collect();
            let titles: Vec<String> = ps
                .iter()
                .map(|&n| {
                    format!(
                        "passage {}: {} {:.2}",
                        n + 1,
                        passages[n].kind.as_str(),
                        passages[n].score
                    )
                })
                .collect();
            let _ = write!(
                out,
                "<a class=\"p {k}\" href=\"#{key}-{other}{first}\" data-p=\"{}\" title=\"{}\">{inner}</a>",
                ids.join(" "),
                escape(&titles.join("; ")),
                k = p.kind.as_str(),
            );
        } else if covering.iter().any(|m| matches!(m, Mark::Boilerplate)) {
            let _ = write!(
                out,
                "<span class=\"bp\" title=\"boilerplate: not counted\">{inner}</span>"
            );
        } else if covering.iter().any(|m| matches!(m, Mark::Novel)) {
            let _ = write!(
                out,
                "<span class=\"novel\" title=\"new: in no passage\">{inner}</span>"
            );
        } else {
            out.push_str(&inner);
        }
    }
    out
}

fn excerpt(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let head: String = flat.chars().take(max).collect();
    format!("{head} …")
}

/// The component: a table of passages (kind, score, offsets, links to both
/// sides), the drift found inside reused text, and the two texts side by side.
pub fn side_by_side(v: &SideBySide) -> String {
    let al = v.alignment;
    let key = v.key;
    let (ia, ib) = (CharIndex::new(&v.a.text), CharIndex::new(&v.b.text));
    let mut ma: Vec<(Span, Mark)> = Vec::new();
    let mut mb: Vec<(Span, Mark)> = Vec::new();
    for (n, p) in al.passages.iter().enumerate() {
        ma.push((p.a, Mark::Passage(n)));
        mb.push((p.b, Mark::Passage(n)));
    }
    for (d, x) in al.drift.iter().enumerate() {
        ma.push((x.a, Mark::Drift(d)));
        mb.push((x.b, Mark::Drift(d)));
    }
    ma.extend(al.novel_a.iter().map(|&s| (s, Mark::Novel)));
    mb.extend(al.novel_b.iter().map(|&s| (s, Mark::Novel)));
    ma.extend(v.boilerplate_a.iter().map(|&s| (s, Mark::Boilerplate)));
    mb.extend(v.boilerplate_b.iter().map(|&s| (s, Mark::Boilerplate)));
    let mut out = String::new();
    out.push_str("<div class=\"view\">");
    if !al.passages.is_empty() {
        out.push_str("<table class=\"passages\"><tr><th>#</th><th>kind</th><th>score</th><th>A</th><th>B</th><th>text in A</th></tr>");
        for (n, p) in al.passages.iter().enumerate() {
            let (a0, a1) = ia.span_to_chars(p.a);
            let (b0, b1) = ib.span_to_chars(p.b);
            let _ = write!(
                out,
                "<tr><td>{m}</td><td><span class=\"k {k}\">{k}</span></td><td>{s:.2}</td><td><a href=\"#{key}-a{n}\">{a0}–{a1}</a></td><td><a href=\"#{key}-b{n}\">{b0}–{b1}</a></td><td>{t}</td></tr>",
                m = n + 1,
                k = p.kind.as_str(),
                s = p.score,
                t = escape(&excerpt(&v.a.text[p.a.range()], 90)),
            );
        }
        out.push_str("</table>");
    }
    if !al.drift.is_empty() {
        out.push_str("<div class=\"driftlist\"><b>changed in reused text</b><ul>");
        for d in &al.drift {
            let _ = write!(
                out,
                "<li>{kind}: “{a}” (A) ← “{b}” (B)</li>",
                kind = drift_name(d.kind),
                a = escape(&excerpt(&v.a.text[d.a.range()], 80)),
                b = escape(&excerpt(&v.b.text[d.b.range()], 80)),
            );
        }
        out.push_str("</ul></div>");
    }
    let _ = write!(
        out,
        "<div class=\"cols\"><div class=\"col\"><h3>A: {ida} ({ca} chars)</h3>{a}</div><div class=\"col\"><h3>B: {idb} ({cb} chars)</h3>{b}</div></div></div>",
        ida = escape(v.a.id.as_str()),
        idb = escape(v.b.id.as_str()),
        ca = ia.len_chars(),
        cb = ib.len_chars(),
        a = side_html(v, v.a, 'a', &ma),
        b = side_html(v, v.b, 'b', &mb),
    );
    out
}

/// The page's style, for [`side_by_side`] views. Kinds are told apart by
/// color and by underline (verbatim solid, edited dashed, paraphrase dotted);
/// new text is italic, boilerplate grey.
pub const STYLE: &str = r#"
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222}
header{padding:12px 20px;border-bottom:1px solid #ddd;background:#fafafa}
h1{font-size:18px;margin:0 0 4px}
h2{font-size:16px;margin:18px 20px 6px}
h3{font-size:14px;margin:0 0 8px;white-space:normal;color:#555}
.view{margin:0 0 24px}
table.passages{border-collapse:collapse;margin:8px 20px;font-size:13px}
table.passages td,table.passages th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.driftlist{margin:8px 20px;font-size:13px}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:0;border-top:1px solid #eee}
.col{padding:12px 20px;white-space:pre-wrap;overflow-wrap:anywhere;border-right:1px solid #eee;max-height:80vh;overflow:auto}
a.p{color:inherit;text-decoration:none;border-radius:3px}
.verbatim{background:#c8f0c8}
.edited{background:#fbeaa4}
.paraphrase{background:#cde8f6}
a.p.verbatim,span.k.verbatim,.legend .verbatim{text-decoration:underline solid #2a7d2a 2px;text-underline-offset:3px}
a.p.edited,span.k.edited,.legend .edited{text-decoration:underline dashed #8a6d00 2px;text-underline-offset:3px}
a.p.paraphrase,span.k.paraphrase,.legend .paraphrase{text-decoration:underline dotted #1f5f8b 2px;text-underline-offset:3px}
span.k{padding:0 5px;border-radius:3px}
a.p.hl{outline:2px solid #d33}
mark.drift{background:none;border-bottom:2px solid #d33;color:inherit}
.novel{background:#f6d8ef;font-style:italic}
.bp{color:#999}
.legend span{padding:1px 6px;margin-right:8px;border-radius:3px}
"#;

/// The page's script: hovering a passage lights it on both sides; clicking one
/// scrolls to its counterpart.
pub const SCRIPT: &str = r#"
document.querySelectorAll('a.p').forEach(function(el){
  var ids=el.dataset.p.split(' ');
  function all(){var s=[];ids.forEach(function(i){document.querySelectorAll('a.p[data-p~="'+i+'"]').forEach(function(x){s.push(x)})});return s}
  el.addEventListener('mouseenter',function(){all().forEach(function(x){x.classList.add('hl')})});
  el.addEventListener('mouseleave',function(){document.querySelectorAll('a.hl').forEach(function(x){x.classList.remove('hl')})});
  el.addEventListener('click',function(ev){ev.preventDefault();var t=document.getElementById(el.getAttribute('href').slice(1));if(t){t.scrollIntoView({block:'center'});var n=t.nextElementSibling;if(n){n.classList.add('hl');setTimeout(function(){n.classList.remove('hl')},1200)}}});
});
"#;

const LEGEND: &str = "<div class=\"legend\"><span class=\"verbatim\">verbatim</span><span class=\"edited\">edited</span><span class=\"paraphrase\">paraphrase</span><span class=\"novel\">new</span><span class=\"bp\">boilerplate</span><span><mark class=\"drift\">changed</mark></span></div>";

fn page(title: &str, header: &str, body: &str) -> String {
    let title = escape(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style></head><body>\n<header><h1>{title}</h1>{header}\n{LEGEND}</header>\n{body}\n<script>{SCRIPT}</script></body></html>\n"
    )
}

fn kind_counts(al: &Alignment) -> String {
    let n = |k: PassageKind| al.passages.iter().filter(|p| p.kind == k).count();
    format!(
        "{} verbatim, {} edited, {} paraphrase",
        n(PassageKind::Verbatim),
        n(PassageKind::Edited),
        n(PassageKind::Paraphrase)
    )
}

/// The comparison as a self-contained HTML page.
pub fn compare_html(cmp: &Comparison) -> String {
    let al = &cmp.alignment;
    let s = &al.summary;
    let header = format!(
        "<div>verdict: <b>{rel}</b> (confidence {conf:.2}) · {ar:.0}% of A reused · {br:.0}% of B reused · passages: {kinds} · {d} change(s) in reused text</div>",
        rel = s.relation.as_str(),
        conf = s.confidence,
        ar = s.a_reused * 100.0,
        br = s.b_reused * 100.0,
        kinds = kind_counts(al),
        d = al.drift.len(),
    );
    let view = compare_view(cmp);
    page(
        &format!("whence: {} ↔ {}", cmp.a.id, cmp.b.id),
        &header,
        &view,
    )
}

/// The side-by-side view of a trace's `k`-th source (document A the traced
/// one, B the source), keyed `s{k}`: what `trace --html` shows for each source
/// and the web UI embeds.
pub fn trace_view(doc: &Document, corpus: &[Document], t: &Trace, k: usize) -> String {
    let s = &t.sources[k];
    let src = &corpus[s.doc as usize];
    side_by_side(&SideBySide {
        key: &format!("s{k}"),
        a: doc,
        b: src,
        alignment: &s.alignment,
        boilerplate_a: &doc.boilerplate,
        boilerplate_b: &src.boilerplate,
    })
}

/// The side-by-side view of a comparison (keyed `s0`): what `compare --html`
/// shows and the web UI embeds.
pub fn compare_view(cmp: &Comparison) -> String {
    side_by_side(&SideBySide {
        key: "s0",
        a: cmp.a,
        b: cmp.b,
        alignment: &cmp.alignment,
        boilerplate_a: &cmp.boilerplate_a,
        boilerplate_b: &cmp.boilerplate_b,
    })
}

/// `trace --html`: the traced document against each source, strongest first.
pub fn trace_html(doc: &Document, corpus: &[Document], t: &Trace) -> String {
    let idx = CharIndex::new(&doc.text);
    let novel: usize = t.novel.iter().map(|&s| idx.chars_in(s)).sum();
    let header = format!(
        "<div><b>{d}</b> derived · {r:.0}% reused ({l:.0}% verbatim or edited) · {n} source(s) among {c} documents · {novel} new characters</div>",
        d = t.derivation.as_str(),
        r = t.reused * 100.0,
        l = t.reused_lexical * 100.0,
        n = t.sources.len(),
        c = corpus.len(),
    );
    let mut body = String::new();
    for (k, s) in t.sources.iter().enumerate() {
        let src = &corpus[s.doc as usize];
        let sum = &s.alignment.summary;
        let _ = write!(
            body,
            "<section><h2>{m}. {id}: {r:.0}% of {doc} from it ({rel}; {kinds})</h2>",
            m = k + 1,
            id = escape(src.id.as_str()),
            r = sum.a_reused * 100.0,
            doc = escape(doc.id.as_str()),
            rel = sum.relation.as_str(),
            kinds = kind_counts(&s.alignment),
        );
        body.push_str(&trace_view(doc, corpus, t, k));
        body.push_str("</section>");
    }
    if !t.related.is_empty() {
        let ids: Vec<String> = t
            .related
            .iter()
            .map(|&r| escape(corpus[r as usize].id.as_str()))
            .collect();
        let _ = write!(
            body,
            "<p style=\"margin:20px\">Also related: {} (shares the wording the derivation counts; no passage sure enough to show).</p>",
            ids.join(", ")
        );
    }
    if t.sources.is_empty() && t.related.is_empty() {
        body.push_str("<p style=\"margin:20px\">No source found in the corpus.</p>");
    }
    page(&format!("whence trace: {}", doc.id), &header, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{compare, Config};

    /// Every `href="#x"` on the page has an element with `id="x"`.
    fn links_resolve(html: &str) {
        let ids: std::collections::HashSet<&str> = html
            .split("id=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        for target in html
            .split("href=\"#")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
        {
            assert!(ids.contains(target), "broken link #{target}");
        }
    }

    #[test]
    fn overlapping_passages_on_b_keep_working_links_and_show_scores_and_drift() {
        let wire = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three districts, the regional emergency service said on Tuesday.";
        // A repeats B's sentence twice, the second time with a changed number:
        // two passages of A share one span of B.
        let filler = "The annual spring market opened on Saturday in the old town square, with more than sixty stalls selling cheese, honey, bread and pottery to visitors who came from the surrounding villages despite the cold wind and the grey sky over the hills. Musicians played in the corner near the fountain while children queued for pancakes and the mayor gave a short speech about the history of the market.";
        let a = Document::new(
            "a",
            format!("{wire}\n\n{filler}\n\n{}", wire.replace("4,000", "3,500")),
        );
        let b = Document::new("b", wire);
        let cmp = compare(&a, &b, &Config::default());
        assert!(
            cmp.alignment.passages.len() >= 2,
            "{:?}",
            cmp.alignment.passages
        );
        let html = compare_html(&cmp);
        links_resolve(&html);
        assert!(
            html.contains("id=\"s0-b1\""),
            "every passage has its anchor on B"
        );
        assert!(html.contains("<td>verbatim</td>") || html.contains("class=\"k verbatim\""));
        assert!(html.contains("passage 1: "), "scores in the titles");
        assert!(!html.contains("src=\"http"), "no external resources");
    }

    #[test]
    fn a_paragraph_break_inside_a_passage_is_not_highlighted() {
        let text = "The harbour board approved the dock expansion on Monday after a long debate about its cost to the town.\n\nWork on the new quay will begin in the spring and last for about two years, the board chairman said.";
        let (a, b) = (Document::new("a", text), Document::new("b", text));
        let cmp = compare(&a, &b, &Config::default());
        assert!(!cmp.alignment.passages.is_empty());
        let html = compare_html(&cmp);
        // the blank line stands between two links, outside both
        assert!(html.contains("town.</a>\n\n<a class=\"p "), "{html}");
        assert!(!html.contains(">\n\n</a>"), "a link around the blank line");
        links_resolve(&html);
    }
}
