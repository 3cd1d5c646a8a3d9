//! `compare --html`: a self-contained side-by-side page, passages linked and colored.

use std::fmt::Write;

use whence_core::{CharIndex, Document, PassageKind, Span};

use crate::Comparison;

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[derive(Clone, Copy)]
enum Mark {
    Passage(usize, PassageKind),
    Novel,
    Boilerplate,
}

/// Renders one side's text with its marked spans (passages first, they never overlap
/// on A; on B overlapping passages are shown by the first that starts).
fn side_html(doc: &Document, marks: &mut [(Span, Mark)], side: char, other: char) -> String {
    marks.sort_by_key(|(s, _)| (s.start(), std::cmp::Reverse(s.end())));
    let text = &doc.text;
    let mut out = String::with_capacity(text.len() * 2);
    let mut pos = 0;
    for &(span, mark) in marks.iter() {
        if span.start() < pos {
            continue; // overlaps a span already shown
        }
        escape(&text[pos..span.start()], &mut out);
        let inner = &text[span.range()];
        match mark {
            Mark::Passage(n, kind) => {
                let _ = write!(
                    out,
                    "<a class=\"p {k}\" id=\"{side}{n}\" href=\"#{other}{n}\" data-p=\"{n}\" title=\"passage {m}: {k}\">",
                    k = kind.as_str(),
                    m = n + 1
                );
                escape(inner, &mut out);
                out.push_str("</a>");
            }
            Mark::Novel => {
                out.push_str("<span class=\"novel\" title=\"new: in no passage\">");
                escape(inner, &mut out);
                out.push_str("</span>");
            }
            Mark::Boilerplate => {
                out.push_str("<span class=\"bp\" title=\"boilerplate: not counted\">");
                escape(inner, &mut out);
                out.push_str("</span>");
            }
        }
        pos = span.end();
    }
    escape(&text[pos..], &mut out);
    out
}

const STYLE: &str = r#"
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222}
header{padding:12px 20px;border-bottom:1px solid #ddd;background:#fafafa}
h1{font-size:18px;margin:0 0 4px}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:0}
.col{padding:12px 20px;white-space:pre-wrap;word-wrap:break-word;border-right:1px solid #eee;height:calc(100vh - 110px);overflow:auto}
.col h2{font-size:14px;margin:0 0 8px;white-space:normal;color:#555}
a.p{color:inherit;text-decoration:none;border-radius:3px}
a.verbatim{background:#c8f0c8}
a.edited{background:#fbeaa4}
a.paraphrase{background:#cde8f6}
a.p.hl{outline:2px solid #d33}
.novel{background:#f6d8ef}
.bp{color:#aaa}
.legend span{padding:1px 6px;margin-right:8px;border-radius:3px}
"#;

const SCRIPT: &str = r#"
document.querySelectorAll('a.p').forEach(function(el){
  el.addEventListener('mouseenter',function(){document.querySelectorAll('a.p[data-p="'+el.dataset.p+'"]').forEach(function(x){x.classList.add('hl')})});
  el.addEventListener('mouseleave',function(){document.querySelectorAll('a.hl').forEach(function(x){x.classList.remove('hl')})});
  el.addEventListener('click',function(ev){ev.preventDefault();var t=document.getElementById(el.getAttribute('href').slice(1));if(t){t.scrollIntoView({block:'center'});t.classList.add('hl');setTimeout(function(){t.classList.remove('hl')},1200)}});
});
"#;

/// The comparison as a self-contained HTML page.
pub fn compare_html(cmp: &Comparison) -> String {
    let al = &cmp.alignment;
    let mut ma: Vec<(Span, Mark)> = Vec::new();
    let mut mb: Vec<(Span, Mark)> = Vec::new();
    for (n, p) in al.passages.iter().enumerate() {
        ma.push((p.a, Mark::Passage(n, p.kind)));
        mb.push((p.b, Mark::Passage(n, p.kind)));
    }
    ma.extend(al.novel_a.iter().map(|&s| (s, Mark::Novel)));
    mb.extend(al.novel_b.iter().map(|&s| (s, Mark::Novel)));
    ma.extend(cmp.boilerplate_a.iter().map(|&s| (s, Mark::Boilerplate)));
    mb.extend(cmp.boilerplate_b.iter().map(|&s| (s, Mark::Boilerplate)));
    let (ia, ib) = (CharIndex::new(&cmp.a.text), CharIndex::new(&cmp.b.text));
    let s = &al.summary;
    let mut title = String::new();
    escape(&format!("whence: {} ↔ {}", cmp.a.id, cmp.b.id), &mut title);
    let mut ida = String::new();
    escape(cmp.a.id.as_str(), &mut ida);
    let mut idb = String::new();
    escape(cmp.b.id.as_str(), &mut idb);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style></head><body>\n\
<header><h1>{title}</h1><div>verdict: <b>{rel}</b> (confidence {conf:.2}) · {ar:.0}% of A reused · {br:.0}% of B reused · {n} passages</div>\n\
<div class=\"legend\"><span class=\"p verbatim\" style=\"background:#c8f0c8\">verbatim</span><span style=\"background:#fbeaa4\">edited</span><span style=\"background:#cde8f6\">paraphrase</span><span class=\"novel\">new</span><span class=\"bp\">boilerplate</span></div></header>\n\
<div class=\"cols\"><div class=\"col\"><h2>A: {ida} ({ca} chars)</h2>{a}</div><div class=\"col\"><h2>B: {idb} ({cb} chars)</h2>{b}</div></div>\n\
<script>{SCRIPT}</script></body></html>\n",
        rel = s.relation.as_str(),
        conf = s.confidence,
        ar = s.a_reused * 100.0,
        br = s.b_reused * 100.0,
        n = al.passages.len(),
        ca = ia.len_chars(),
        cb = ib.len_chars(),
        a = side_html(cmp.a, &mut ma, 'a', 'b'),
        b = side_html(cmp.b, &mut mb, 'b', 'a'),
    )
}
