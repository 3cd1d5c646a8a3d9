//! HTML → main text, metadata and a block map back to the parsed document.
//!
//! Steps: decode the bytes ([`crate::charset`]); close a `<title>` the page never closes
//! (otherwise the whole page parses as its title); parse with html5ever (through
//! `dom_query`); read metadata ([`crate::meta`]); remove what a browser does not show
//! (`hidden`, `display: none`, `visibility: hidden`), unless that is most of the page;
//! number every block-level element in document order (`data-wid`); split the page into
//! paragraphs ([`crate::blocks`]); then pick the main content ([`crate::select`]):
//!
//! 1. dom_smoothie (a Readability port) selects the article container; its output keeps
//!    the `data-wid` numbers, so every extracted paragraph knows its source element;
//! 2. independently, every block of the page is classified by its own features
//!    (length, link density, stop-word density, chrome containers such as
//!    `nav`/`footer`/`aside` or `class="share|cookie|comment…"`), jusText-style;
//! 3. the result is Readability's article when it found one (≥ 200 bytes) covering at
//!    least 70% of the good blocks' characters; when it covers less, the page's blocks
//!    that Readability chose or that are good, in page order; without an article, the
//!    good blocks of the page;
//! 4. that choice is cleaned of chrome inside the article (comments, share bars,
//!    related stories, captions, bylines), link lists and notices (copyright, date
//!    lines, bylines), and the headline is put first when Readability dropped it.
//!
//! html5ever does not report byte positions of elements, so a [`Block`] records the
//! element's pre-order number and its path (`html/body/div[2]/p[3]`) instead of an
//! offset into the HTML bytes.

use std::collections::HashMap;

use dom_query::{Document, NodeRef};
use whence_core::Span;

use crate::blocks::{collect_blocks, is_block, is_skipped, RawBlock};
use crate::charset::{self, CharsetSource};
use crate::error::ExtractError;
use crate::meta;
use crate::select;

/// Pages larger than this are refused with [`ExtractError::TooLarge`].
pub const MAX_HTML_BYTES: usize = 64 << 20;

/// What the caller knows about a page besides its bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HtmlHints {
    /// Charset from the HTTP `Content-Type` header, if any (e.g. `"utf-8"`).
    pub content_type_charset: Option<String>,
    /// The page's URL, if known (used for `site` and `url`).
    pub url: Option<String>,
}

/// How the main text was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// Readability's article.
    Readability,
    /// Readability's article plus the good blocks of the page it missed.
    Completed,
    /// Block classification over the whole page (Readability found no article).
    Blocks,
}

/// One paragraph of [`Extracted::text`] and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Byte span of the paragraph in [`Extracted::text`].
    pub span: Span,
    /// Pre-order number of the source block element among the parsed document's
    /// block elements, when known.
    pub element: Option<usize>,
    /// Path of the source element in the parsed DOM, e.g. `html/body/div[2]/p[3]`.
    pub path: String,
}

/// The main content and metadata of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extracted {
    /// Main text: paragraphs separated by one blank line (`"\n\n"`).
    pub text: String,
    /// Title, when the page states one.
    pub title: Option<String>,
    /// Publication date as stated by the page (usually ISO 8601).
    pub date: Option<String>,
    /// Site name (`og:site_name`, JSON-LD publisher) or host of the URL.
    pub site: Option<String>,
    /// The page URL (hint, canonical link or `og:url`).
    pub url: Option<String>,
    /// One entry per paragraph of `text`, in order.
    pub blocks: Vec<Block>,
    /// Name of the encoding used to decode the bytes.
    pub charset: &'static str,
    /// Where that encoding came from.
    pub charset_source: CharsetSource,
    /// How the main text was chosen.
    pub method: Method,
}

/// Extracts the main text and metadata of one HTML page.
///
/// Never panics; broken markup is parsed as browsers do. Errors only for input that
/// yields nothing usable (too large, or no text at all).
pub fn extract_html(bytes: &[u8], hint: &HtmlHints) -> Result<Extracted, ExtractError> {
    if bytes.len() > MAX_HTML_BYTES {
        return Err(ExtractError::TooLarge {
            len: bytes.len(),
            max: MAX_HTML_BYTES,
        });
    }
    let depth = nesting_estimate(bytes);
    if depth > MAX_NESTING {
        return Err(ExtractError::TooDeep {
            depth,
            max: MAX_NESTING,
        });
    }
    let (html, charset, charset_source) =
        charset::decode(bytes, hint.content_type_charset.as_deref());
    let html = close_unclosed_title(html);
    let doc = Document::from(html.as_str());
    drop(html);
    let meta = meta::page_meta(&doc, hint.url.as_deref());
    remove_hidden(&doc);
    let paths = number_blocks(&doc);
    let page = {
        let body = doc.select("body");
        let root = body.nodes().first().copied().unwrap_or_else(|| doc.root());
        collect_blocks(&root)
    };
    // dom_smoothie's scoring walks descendants per node: quadratic in the depth.
    let read_blocks = if depth <= MAX_READABILITY_DEPTH {
        readability_blocks(doc, hint.url.as_deref())
    } else {
        None
    };

    let (chosen, method) = select::choose(&page.blocks, read_blocks.as_deref());
    let chosen = select::clean(chosen, &page);
    let chosen = select::with_headline(
        chosen,
        select::headline(&page.blocks, meta.title.as_deref()),
    );
    let mut text = String::new();
    let mut blocks = Vec::with_capacity(chosen.len());
    for b in chosen {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        text.push_str(&b.text);
        blocks.push(Block {
            span: Span::new(start, text.len()),
            element: b.wid,
            path: b.wid.and_then(|w| paths.path(w)).unwrap_or_default(),
        });
    }
    if text.is_empty() {
        return Err(ExtractError::NoText);
    }
    Ok(Extracted {
        text,
        title: meta.title,
        date: meta.date,
        site: meta.site,
        url: meta.url,
        blocks,
        charset,
        charset_source,
        method,
    })
}

/// Pages nested deeper than this are refused: html5ever's tree builder checks element
/// scopes by scanning the stack of open elements, so its time grows with the square of
/// the nesting depth (200,000 nested `<div>`s take minutes).
pub const MAX_NESTING: usize = 10_000;

/// Maximum nesting depth of elements estimated from the bytes in one linear pass: open
/// tags count +1 and close tags −1, except void elements and those that close
/// implicitly (`p`, `li`, table cells, …), which never pile up in the tree builder.
fn nesting_estimate(bytes: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'<') {
        i += off + 1;
        let close = bytes.get(i) == Some(&b'/');
        let name_start = i + usize::from(close);
        let name_len = bytes[name_start..]
            .iter()
            .take(16)
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        let name = bytes[name_start..name_start + name_len].to_ascii_lowercase();
        let implicit = matches!(
            name.as_slice(),
            b"p" | b"li"
                | b"td"
                | b"th"
                | b"tr"
                | b"dt"
                | b"dd"
                | b"option"
                | b"br"
                | b"img"
                | b"hr"
                | b"meta"
                | b"link"
                | b"input"
                | b"area"
                | b"base"
                | b"col"
                | b"embed"
                | b"source"
                | b"track"
                | b"wbr"
                | b"param"
                | b"html"
                | b"head"
                | b"body"
        );
        if implicit {
            continue;
        }
        if close {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

/// Repairs a `<title>` that is never closed. Its content is raw text up to `</title>`,
/// so without one html5ever (as the HTML standard says) turns the rest of the page into
/// the title and the body is empty; damaged crawls have such titles (the title's text
/// runs into a script or a stray `</titlevalue…>`). The title is closed where its
/// first line or its first `<` ends, whichever comes first; a page with a closed title
/// is returned unchanged.
fn close_unclosed_title(html: String) -> String {
    let bytes = html.as_bytes();
    let Some(open) = find_tag(bytes, 0, b"<title") else {
        return html;
    };
    let Some(gt) = bytes[open..].iter().position(|&b| b == b'>') else {
        return html;
    };
    let content = open + gt + 1;
    if find_tag(bytes, content, b"</title").is_some() {
        return html;
    }
    let end = bytes[content..]
        .iter()
        .position(|&b| b == b'<' || b == b'\n')
        .map_or(bytes.len(), |i| content + i);
    let mut fixed = String::with_capacity(html.len() + 8);
    fixed.push_str(&html[..end]);
    fixed.push_str("</title>");
    fixed.push_str(&html[end..]);
    fixed
}

/// Byte offset of the first `tag` (ASCII case-insensitive, e.g. `b"<title"`) at or after
/// `from` that is a whole tag name: followed by whitespace, `>` or `/`.
fn find_tag(bytes: &[u8], from: usize, tag: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(off) = bytes.get(i..)?.iter().position(|&b| b == b'<') {
        let at = i + off;
        let name_end = at + tag.len();
        if bytes.len() >= name_end
            && bytes[at..name_end].eq_ignore_ascii_case(tag)
            && bytes
                .get(name_end)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Element paths as a parent-pointer tree: `(parent, "div[2]")` per element, so that
/// numbering is linear in the document size however deep it nests.
struct PathTree {
    nodes: Vec<(usize, String)>,
    /// Node of each numbered block element.
    blocks: Vec<usize>,
}

/// Paths longer than this keep their last components behind a `…/`.
const MAX_PATH_DEPTH: usize = 48;

impl PathTree {
    fn path(&self, wid: usize) -> Option<String> {
        let mut node = *self.blocks.get(wid)?;
        let mut segs: Vec<&str> = Vec::new();
        while node != usize::MAX {
            let (parent, seg) = &self.nodes[node];
            if segs.len() == MAX_PATH_DEPTH {
                segs.push("…");
                break;
            }
            segs.push(seg);
            node = *parent;
        }
        segs.reverse();
        Some(segs.join("/"))
    }
}

/// Pushes the element children of `node` in reverse order with their 1-based position
/// among same-named siblings.
fn push_children<'a>(
    stack: &mut Vec<(NodeRef<'a>, usize, usize)>,
    node: NodeRef<'a>,
    parent: usize,
) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let start = stack.len();
    for child in node.children_it(false) {
        if !child.is_element() {
            continue;
        }
        let name = child.node_name().map(|n| n.to_string()).unwrap_or_default();
        let nth = seen.entry(name).or_insert(0);
        *nth += 1;
        stack.push((child, parent, *nth));
    }
    stack[start..].reverse();
}

/// Numbers block elements in document order with `data-wid` and records their paths.
fn number_blocks(doc: &Document) -> PathTree {
    let mut tree = PathTree {
        nodes: Vec::new(),
        blocks: Vec::new(),
    };
    // Explicit stack of (node, parent in `tree`, position among same-named siblings).
    let mut stack: Vec<(NodeRef<'_>, usize, usize)> = Vec::new();
    push_children(&mut stack, doc.root(), usize::MAX);
    while let Some((node, parent, nth)) = stack.pop() {
        let Some(name) = node.node_name() else {
            continue;
        };
        if is_skipped(&name) {
            continue;
        }
        let seg = if nth > 1 {
            format!("{name}[{nth}]")
        } else {
            name.to_string()
        };
        tree.nodes.push((parent, seg));
        let me = tree.nodes.len() - 1;
        if is_block(&name) {
            node.set_attr("data-wid", &tree.blocks.len().to_string());
            tree.blocks.push(me);
        }
        push_children(&mut stack, node, me);
    }
    tree
}

/// True for an element a browser does not show: the `hidden` attribute, or an inline
/// style with `display: none` or `visibility: hidden`.
fn is_hidden(node: &NodeRef) -> bool {
    if node.has_attr("hidden") {
        return true;
    }
    let Some(style) = node.attr("style") else {
        return false;
    };
    let style: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    style.split(';').any(|d| {
        d.strip_suffix("!important").unwrap_or(d) == "display:none"
            || d.strip_suffix("!important").unwrap_or(d) == "visibility:hidden"
    })
}

/// Hidden elements holding this share of the page's text or more are kept: the page
/// reveals them by script (tabs, "read more"), and they are likely its content.
const MAX_HIDDEN_SHARE: f64 = 0.5;

/// Removes the elements a browser does not show ([`is_hidden`]), unless together they
/// hold [`MAX_HIDDEN_SHARE`] of the body's text or more.
fn remove_hidden(doc: &Document) {
    let mut hidden = Vec::new();
    let mut stack = vec![doc.root()];
    while let Some(node) = stack.pop() {
        for child in node.children_it(false) {
            if !child.is_element() {
                continue;
            }
            if is_hidden(&child) {
                hidden.push(child);
            } else if !child.node_name().is_some_and(|n| is_skipped(&n)) {
                stack.push(child);
            }
        }
    }
    if hidden.is_empty() {
        return;
    }
    let hidden_len: usize = hidden.iter().map(|n| n.text().len()).sum();
    let body_len = doc.select("body").text().len();
    if (hidden_len as f64) < MAX_HIDDEN_SHARE * body_len as f64 {
        for node in hidden {
            node.remove_from_parent();
        }
    }
}

/// Pages with more elements than this skip Readability (its scoring grows faster than
/// linearly) and are extracted by block classification alone.
const MAX_READABILITY_ELEMENTS: usize = 30_000;

/// Pages nested deeper than this (estimated) skip Readability, whose time grows with
/// the square of the depth; real pages rarely nest beyond a few dozen levels.
const MAX_READABILITY_DEPTH: usize = 512;

/// Readability's article as blocks, or `None` when it finds none.
fn readability_blocks(doc: Document, url: Option<&str>) -> Option<Vec<RawBlock>> {
    let cfg = dom_smoothie::Config {
        max_elements_to_parse: MAX_READABILITY_ELEMENTS,
        classes_to_preserve: Vec::new(),
        ..Default::default()
    };
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let mut r = dom_smoothie::Readability::with_document(doc, url, Some(cfg.clone())).ok()?;
    let article = r.parse().ok()?;
    let content = Document::from(article.content.as_ref());
    let body = content.select("body");
    let root = body
        .nodes()
        .first()
        .cloned()
        .unwrap_or_else(|| content.root());
    let blocks = collect_blocks(&root).blocks;
    (!blocks.is_empty()).then_some(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = r##"<!doctype html><html><head><meta charset="utf-8">
<title>Rebels retreat | The Example Times</title>
<meta property="og:site_name" content="The Example Times">
<meta property="article:published_time" content="2015-10-02T08:00:00+00:00">
</head><body>
<header><nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<div id="cookie-banner">We use cookies to improve your experience. Accept all cookies.</div>
<article><h1>Rebels retreat from the northern hills</h1>
<p>The rebels withdrew from three villages in the northern hills on Friday after a week of heavy fighting, local officials said, and aid groups began to reach families who had been cut off since the start of the month.</p>
<p>"We have not seen anything like this in years," said a farmer who asked not to be named, adding that the roads to the market town were still closed by the army and that prices of flour had doubled.</p>
<p>The government said it would send engineers to repair the bridges and that schools in the area would reopen as soon as it was safe for the children to return to their classrooms.</p>
<div class="share-buttons"><a href="#">Share on Facebook</a> <a href="#">Tweet</a></div>
</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/a">Floods in the south</a></li><li><a href="/b">Markets fall</a></li></ul></aside>
<footer><p>© 2015 The Example Times. All rights reserved.</p></footer>
</body></html>"##;

    #[test]
    fn article_body_without_chrome() {
        let e = extract_html(ARTICLE.as_bytes(), &HtmlHints::default()).unwrap();
        assert!(
            e.text.contains("The rebels withdrew from three villages"),
            "{}",
            e.text
        );
        assert!(e.text.contains("schools in the area would reopen"));
        for chrome in [
            "Home",
            "cookies",
            "Share on Facebook",
            "Floods in the south",
            "All rights reserved",
        ] {
            assert!(!e.text.contains(chrome), "{chrome} in {}", e.text);
        }
        assert_eq!(e.site.as_deref(), Some("The Example Times"));
        assert_eq!(e.date.as_deref(), Some("2015-10-02T08:00:00+00:00"));
        assert!(e.title.as_deref().unwrap().starts_with("Rebels retreat"));
    }

    #[test]
    fn blocks_cover_paragraphs_with_paths() {
        let e = extract_html(ARTICLE.as_bytes(), &HtmlHints::default()).unwrap();
        let paras: Vec<&str> = e.text.split("\n\n").collect();
        assert_eq!(paras.len(), e.blocks.len());
        for (b, p) in e.blocks.iter().zip(&paras) {
            assert_eq!(&e.text[b.span.range()], *p);
            assert!(b.element.is_some(), "{b:?}");
            assert!(b.path.starts_with("html/body/"), "{b:?}");
        }
        let first = e
            .blocks
            .iter()
            .find(|b| e.text[b.span.range()].starts_with("The rebels"))
            .unwrap();
        assert_eq!(first.path, "html/body/article/p");
        let spans: Vec<Span> = e.blocks.iter().map(|b| b.span).collect();
        assert!(spans.windows(2).all(|w| w[0].end() + 2 == w[1].start()));
    }

    #[test]
    fn windows_1252_page_without_declaration() {
        let mut html = b"<html><body><p>".to_vec();
        for _ in 0..5 {
            html.extend_from_slice(b"The caf\xe9 on the corner said it would open again on Monday, and that its \x93new\x94 menu was ready for the town. ");
        }
        html.extend_from_slice(b"</p></body></html>");
        let e = extract_html(&html, &HtmlHints::default()).unwrap();
        assert!(e.text.contains("café"), "{}", e.text);
        assert!(e.text.contains("\u{201c}new\u{201d}"));
        assert_eq!(e.charset, "windows-1252");
    }

    #[test]
    fn broken_and_degenerate_input_never_panics() {
        let cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"<".to_vec(),
            b"<html><body><p>unclosed <b>bold <i>italic".to_vec(),
            b"\xff\xfe\x00".to_vec(),
            b"<table><tr><td>cell<td>cell2</table></p></div></div>".to_vec(),
            "<div>".repeat(5000).into_bytes(),
            "<table>".repeat(20_000).into_bytes(),
            vec![0u8; 1000],
            b"<script>var x = '<p>not text</p>';</script>".to_vec(),
        ];
        for c in cases {
            let _ = extract_html(&c, &HtmlHints::default());
        }
        assert!(matches!(
            extract_html(b"", &HtmlHints::default()),
            Err(ExtractError::NoText)
        ));
        let deep = format!("{}<p>deep</p>", "<div>".repeat(MAX_NESTING + 1));
        assert!(matches!(
            extract_html(deep.as_bytes(), &HtmlHints::default()),
            Err(ExtractError::TooDeep { .. })
        ));
        let unclosed = "<p>unclosed paragraph with words".repeat(MAX_NESTING + 1);
        assert!(extract_html(unclosed.as_bytes(), &HtmlHints::default()).is_ok());
    }

    #[test]
    fn text_only_page_falls_back_to_blocks() {
        let html = "<p>Short page with one sentence of real text that matters to a reader today and tomorrow too.</p>";
        let e = extract_html(html.as_bytes(), &HtmlHints::default()).unwrap();
        assert!(e.text.contains("Short page"), "{:?}", e);
    }

    #[test]
    fn unclosed_title_is_closed_at_its_first_line_or_tag() {
        let fixed = close_unclosed_title(
            "<html><head><title>Gale to drive '+ x +'\"><\\/SCRIPT>');\n</head>".to_string(),
        );
        assert!(fixed.starts_with("<html><head><title>Gale to drive '+ x +'\"></title><"));
        let fixed = close_unclosed_title("<TITLE id=t>Bush to Saudis</titlevalue=\"1\" -->".into());
        assert!(fixed.starts_with("<TITLE id=t>Bush to Saudis</title></titlevalue"));
        let fine = "<title>A</title ><p>x</p>".to_string();
        assert_eq!(close_unclosed_title(fine.clone()), fine);
        assert_eq!(
            close_unclosed_title("<p>no title</p>".into()),
            "<p>no title</p>"
        );
        let page = format!(
            "<html><head><title>Broken title\n<script>var a;</script></head><body><p>{}</p></body></html>",
            "The river burst its banks on Monday night and hundreds of families were moved. ".repeat(4)
        );
        let e = extract_html(page.as_bytes(), &HtmlHints::default()).unwrap();
        assert!(e.text.contains("The river burst its banks"), "{}", e.text);
    }

    #[test]
    fn hidden_elements_are_not_text_unless_they_are_most_of_it() {
        assert!(is_hidden(
            &Document::from("<div style='DISPLAY : none !important'>x</div>")
                .select("div")
                .nodes()[0]
        ));
        let para =
            "The river burst its banks on Monday night and hundreds of families were moved. ";
        let page = format!(
            "<body><article><p>{}</p><div style='display:none'><p>Hidden preview of another story that nobody sees on the page.</p></div><p>{}</p></article></body>",
            para.repeat(3),
            para.repeat(3)
        );
        let e = extract_html(page.as_bytes(), &HtmlHints::default()).unwrap();
        assert!(!e.text.contains("Hidden preview"), "{}", e.text);
        // A page whose text is mostly hidden (tabs opened by script) keeps it.
        let page = format!(
            "<body><p>Tabs:</p><div style='display: none'><p>{}</p></div></body>",
            para.repeat(4)
        );
        let e = extract_html(page.as_bytes(), &HtmlHints::default()).unwrap();
        assert!(e.text.contains("The river burst"), "{}", e.text);
    }
}
