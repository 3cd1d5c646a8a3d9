//! HTML → main text, metadata and a block map back to the parsed document.
//!
//! Steps: decode the bytes ([`crate::charset`]), parse with html5ever (through
//! `dom_query`), read metadata ([`crate::meta`]), number every block-level element in
//! document order (`data-wid`), then pick the main content:
//!
//! 1. dom_smoothie (a Readability port) selects the article container; its output keeps
//!    the `data-wid` numbers, so every extracted paragraph knows its source element;
//! 2. independently, every block of the page is classified by its own features
//!    (length, link density, stop-word density, chrome containers such as
//!    `nav`/`footer`/`aside` or `class="share|cookie|comment…"`), jusText-style;
//! 3. the result is Readability's article when it found one (≥ 200 bytes) covering at
//!    least 70% of the good blocks' characters; when it covers less, the page's blocks
//!    that Readability chose or that are good, in page order; without an article, the
//!    good blocks of the page.
//!
//! html5ever does not report byte positions of elements, so a [`Block`] records the
//! element's pre-order number and its path (`html/body/div[2]/p[3]`) instead of an
//! offset into the HTML bytes.

use std::collections::{HashMap, HashSet};

use dom_query::{Document, NodeRef};
use whence_core::Span;

use crate::charset::{self, CharsetSource};
use crate::error::ExtractError;
use crate::meta;

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
    let doc = Document::from(html.as_str());
    drop(html);
    let meta = meta::page_meta(&doc, hint.url.as_deref());
    let paths = number_blocks(&doc);
    let page_blocks = {
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

    let (chosen, method) = choose(&page_blocks, read_blocks.as_deref());
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

/// Elements that start a new paragraph.
fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "pre"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "thead"
            | "tbody"
            | "section"
            | "article"
            | "main"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "figure"
            | "figcaption"
            | "address"
            | "form"
            | "center"
            | "fieldset"
            | "caption"
            | "body"
            | "hr"
    )
}

/// Elements whose content is never text of the page. (`noscript` is not among them:
/// the parser runs with scripting off, so its content is markup, and broken pages put
/// their whole body inside an unclosed `<noscript>`.)
fn is_skipped(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "template"
            | "head"
            | "iframe"
            | "svg"
            | "math"
            | "object"
            | "embed"
            | "canvas"
            | "button"
            | "select"
            | "option"
            | "textarea"
            | "input"
            | "video"
            | "audio"
            | "map"
    )
}

/// Containers whose text is page chrome.
fn is_chrome_tag(tag: &str) -> bool {
    matches!(tag, "nav" | "footer" | "aside" | "menu")
}

const CHROME_WORDS: &[&str] = &[
    "nav",
    "menu",
    "footer",
    "sidebar",
    "breadcrumb",
    "share",
    "sharing",
    "social",
    "cookie",
    "consent",
    "comment",
    "related",
    "recommended",
    "widget",
    "sponsor",
    "promo",
    "advert",
    "banner",
    "subscribe",
    "newsletter",
    "masthead",
    "pagination",
    "skip",
    "tags",
    "signup",
    "login",
    "popup",
    "modal",
];

/// True when an `id`/`class` value names page chrome (word match on `-`, `_`, spaces).
fn is_chrome_attr(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            CHROME_WORDS
                .iter()
                .any(|c| w == *c || (w.len() > c.len() && (w.starts_with(c) || w.ends_with(c))))
        })
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

/// A paragraph before assembly.
#[derive(Clone, Debug)]
struct RawBlock {
    text: String,
    wid: Option<usize>,
    /// Characters inside links.
    link_chars: usize,
    /// Inside a chrome container (nav/footer/aside or a chrome class/id).
    chrome: bool,
    /// A heading (`h1`–`h6`).
    heading: bool,
}

enum Step<'a> {
    Enter(NodeRef<'a>),
    ExitBlock,
    ExitLink,
}

#[derive(Clone, Copy)]
struct Ctx {
    wid: Option<usize>,
    chrome: bool,
    heading: bool,
    pre: bool,
}

struct Walker {
    out: Vec<RawBlock>,
    buf: String,
    link_chars: usize,
    link_depth: usize,
    ctx: Vec<Ctx>,
}

impl Walker {
    fn flush(&mut self) {
        let ctx = self.ctx.last().copied().unwrap_or(Ctx {
            wid: None,
            chrome: false,
            heading: false,
            pre: false,
        });
        let mut text = String::with_capacity(self.buf.len());
        for line in self.buf.split('\n') {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(line);
        }
        self.buf.clear();
        if !text.is_empty() {
            self.out.push(RawBlock {
                text,
                wid: ctx.wid,
                link_chars: self.link_chars,
                chrome: ctx.chrome,
                heading: ctx.heading,
            });
        }
        self.link_chars = 0;
    }

    fn push_text(&mut self, s: &str) {
        let pre = self.ctx.last().is_some_and(|c| c.pre);
        let mut n = 0;
        for c in s.chars() {
            let c = if c == '\u{a0}' { ' ' } else { c };
            if c == '\n' && pre {
                self.buf.push('\n');
                continue;
            }
            if c.is_whitespace() || c.is_control() {
                if !self.buf.is_empty() && !self.buf.ends_with([' ', '\n']) {
                    self.buf.push(' ');
                }
                continue;
            }
            self.buf.push(c);
            n += 1;
        }
        if self.link_depth > 0 {
            self.link_chars += n;
        }
    }
}

/// Splits the subtree under `root` into paragraphs.
fn collect_blocks(root: &NodeRef) -> Vec<RawBlock> {
    let mut w = Walker {
        out: Vec::new(),
        buf: String::new(),
        link_chars: 0,
        link_depth: 0,
        ctx: Vec::new(),
    };
    let mut stack = vec![Step::Enter(*root)];
    while let Some(step) = stack.pop() {
        match step {
            Step::ExitBlock => {
                w.flush();
                w.ctx.pop();
            }
            Step::ExitLink => w.link_depth = w.link_depth.saturating_sub(1),
            Step::Enter(node) => {
                if node.is_text() {
                    w.push_text(&node.text());
                    continue;
                }
                if !(node.is_element() || node.is_document() || node.is_fragment()) {
                    continue;
                }
                let name = node
                    .node_name()
                    .map(|n| n.to_ascii_lowercase())
                    .unwrap_or_default();
                if is_skipped(&name) {
                    continue;
                }
                if name == "br" {
                    w.buf.push('\n');
                    continue;
                }
                if node.is_element() && node.attr("hidden").is_some() {
                    continue;
                }
                if is_block(&name) {
                    w.flush();
                    let parent = w.ctx.last().copied();
                    let chrome = parent.is_some_and(|p| p.chrome)
                        || is_chrome_tag(&name)
                        || node.attr("class").is_some_and(|v| is_chrome_attr(&v))
                        || node.attr("id").is_some_and(|v| is_chrome_attr(&v))
                        || node.attr("role").is_some_and(|v| {
                            matches!(
                                &*v,
                                "navigation" | "banner" | "contentinfo" | "complementary"
                            )
                        });
                    let wid = node
                        .attr("data-wid")
                        .and_then(|v| v.parse().ok())
                        .or_else(|| parent.and_then(|p| p.wid));
                    w.ctx.push(Ctx {
                        wid,
                        chrome,
                        heading: matches!(&*name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"),
                        pre: name == "pre" || parent.is_some_and(|p| p.pre),
                    });
                    stack.push(Step::ExitBlock);
                } else if name == "a" {
                    w.link_depth += 1;
                    stack.push(Step::ExitLink);
                }
                for child in node.children_it(true) {
                    stack.push(Step::Enter(child));
                }
            }
        }
    }
    w.flush();
    w.out
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
    let blocks = collect_blocks(&root);
    (!blocks.is_empty()).then_some(blocks)
}

const STOPWORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these",
    "those", "he", "she", "they", "we", "you", "i", "his", "her", "their", "our", "not", "have",
    "has", "had", "will", "would", "can", "could", "which", "who", "what", "when", "there", "if",
    "so", "than", "into", "about", "said", "also", "more", "one", "all", "do", "no", "up", "out",
    "after", "over",
];

/// jusText-style class of one block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Good,
    NearGood,
    Short,
    Bad,
}

fn classify(b: &RawBlock) -> Class {
    let chars = b.text.chars().count();
    let link_density = b.link_chars as f64 / chars.max(1) as f64;
    if b.chrome || link_density > 0.5 {
        return Class::Bad;
    }
    let words: Vec<&str> = b.text.split_whitespace().collect();
    if b.text.contains('©') || b.text.to_ascii_lowercase().contains("copyright") && chars < 200 {
        return Class::Bad;
    }
    if chars < 70 {
        return Class::Short;
    }
    let stops = words
        .iter()
        .filter(|w| {
            let w = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            STOPWORDS.contains(&w.as_str())
        })
        .count();
    let sd = stops as f64 / words.len().max(1) as f64;
    if sd >= 0.30 && chars >= 200 && link_density < 0.2 {
        Class::Good
    } else if sd >= 0.20 || chars >= 200 {
        Class::NearGood
    } else {
        Class::Bad
    }
}

/// Context-sensitive pass: short and near-good blocks take the class of their
/// neighbourhood (jusText's second stage, simplified).
fn classify_all(blocks: &[RawBlock]) -> Vec<bool> {
    let classes: Vec<Class> = blocks.iter().map(classify).collect();
    let n = classes.len();
    // The nearest Good/Bad class before and after each block, in linear time.
    let decided = |c: Class| matches!(c, Class::Good | Class::Bad).then_some(c);
    let mut before = vec![None; n];
    let mut after = vec![None; n];
    for i in 1..n {
        before[i] = decided(classes[i - 1]).or(before[i - 1]);
    }
    for i in (0..n.saturating_sub(1)).rev() {
        after[i] = decided(classes[i + 1]).or(after[i + 1]);
    }
    let nearest = |i: usize, dir: isize| -> Option<Class> {
        if dir < 0 {
            before[i]
        } else {
            after[i]
        }
    };
    (0..n)
        .map(|i| match classes[i] {
            Class::Good => true,
            Class::Bad => false,
            Class::NearGood => {
                nearest(i, -1) == Some(Class::Good) || nearest(i, 1) == Some(Class::Good)
            }
            Class::Short => {
                let (p, q) = (nearest(i, -1), nearest(i, 1));
                (p == Some(Class::Good) && q == Some(Class::Good))
                    || (blocks[i].heading && q == Some(Class::Good))
            }
        })
        .collect()
}

/// Readability's article covers less than this fraction of the characters of the
/// page's good blocks: it missed part of the content (multi-part pages, lists, tables),
/// so the good blocks are added. Chosen on CleanEval/CleanPortalEval (0.5–0.9 all beat
/// Readability alone; 0.7 kept CleanPortalEval unchanged), see docs/extract-notes.md.
const COMPLETE_BELOW: f64 = 0.7;

fn choose(page: &[RawBlock], read: Option<&[RawBlock]>) -> (Vec<RawBlock>, Method) {
    let keep = classify_all(page);
    if let Some(read) = read {
        let read_chars: usize = read.iter().map(|b| b.text.len()).sum();
        if read_chars >= 200 {
            let keep_chars: usize = page
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(b, _)| b.text.len())
                .sum();
            if (read_chars as f64) >= COMPLETE_BELOW * keep_chars as f64 {
                return (read.to_vec(), Method::Readability);
            }
            let wids: HashSet<usize> = read.iter().filter_map(|b| b.wid).collect();
            let union = page
                .iter()
                .zip(&keep)
                .filter(|(b, k)| **k || b.wid.is_some_and(|w| wids.contains(&w)))
                .map(|(b, _)| b.clone())
                .collect();
            return (union, Method::Completed);
        }
    }
    let mut chosen: Vec<RawBlock> = page
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(b, _)| b.clone())
        .collect();
    if chosen.is_empty() {
        // A tiny page: keep whatever is not chrome.
        chosen = page
            .iter()
            .filter(|b| classify(b) != Class::Bad)
            .cloned()
            .collect();
    }
    (chosen, Method::Blocks)
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
    fn chrome_attributes() {
        assert!(is_chrome_attr("site-footer"));
        assert!(is_chrome_attr("social_share"));
        assert!(is_chrome_attr("main-navigation"));
        assert!(!is_chrome_attr("article-body"));
        assert!(!is_chrome_attr("content"));
    }
}
