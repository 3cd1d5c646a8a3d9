//! The paragraphs of a parsed page, with what the selection needs to know about each.
//!
//! [`collect_blocks`] walks a subtree (the page's `<body>`, or Readability's article) and
//! splits its text into paragraphs ([`RawBlock`]) at block-level elements and `<br>`
//! runs, keeping for each the number of its source element (`data-wid`, set by
//! `html::number_blocks`), the characters inside links, whether it is a heading, and the
//! innermost *chrome container* around it: an element that is page furniture by its tag
//! (`nav`, `footer`, `aside`, `menu`), its ARIA role or a word of its `class`/`id`
//! (`share`, `comment`, `related`, `caption`, `byline`, …). Containers form a tree
//! ([`Walk::containers`] holds each one's enclosing container), so that the selection can
//! tell a comment box inside the article from a wrapper whose class merely mentions a word
//! such as `promo` around the whole article (see `select::clean`).
//!
//! ```text
//! <body><article><p>Text…</p><div class="comments"><p>Nice!</p></div></article></body>
//!   → [RawBlock { text: "Text…", chrome: None, .. },
//!      RawBlock { text: "Nice!", chrome: Some(0), .. }],  containers: [None]
//! ```

use dom_query::NodeRef;

/// Elements that start a new paragraph.
pub(crate) fn is_block(tag: &str) -> bool {
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
pub(crate) fn is_skipped(tag: &str) -> bool {
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
    matches!(tag, "nav" | "footer" | "aside" | "menu" | "figcaption")
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
    // Supplemental text around an article: photo captions and credits, bylines,
    // copyright notices (added with the L3S-GN1 evaluation, docs/extract-notes.md).
    "caption",
    "credit",
    "byline",
    "copyright",
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

/// A paragraph before assembly.
#[derive(Clone, Debug)]
pub(crate) struct RawBlock {
    pub text: String,
    /// Number of the nearest numbered block element around the text (`data-wid`).
    pub wid: Option<usize>,
    /// Characters inside links.
    pub link_chars: usize,
    /// Innermost chrome container around the block, an index into [`Walk::containers`].
    pub chrome: Option<usize>,
    /// A heading (`h1`–`h6`).
    pub heading: bool,
}

impl RawBlock {
    /// Share of the block's characters that are link text.
    pub fn link_density(&self) -> f64 {
        self.link_chars as f64 / self.text.chars().count().max(1) as f64
    }
}

/// The paragraphs of a subtree and the chrome containers met on the way.
pub(crate) struct Walk {
    pub blocks: Vec<RawBlock>,
    /// For each chrome container, the chrome container enclosing it.
    pub containers: Vec<Option<usize>>,
}

enum Step<'a> {
    Enter(NodeRef<'a>),
    ExitBlock,
    ExitLink,
}

#[derive(Clone, Copy)]
struct Ctx {
    wid: Option<usize>,
    chrome: Option<usize>,
    heading: bool,
    pre: bool,
}

struct Walker {
    out: Vec<RawBlock>,
    containers: Vec<Option<usize>>,
    buf: String,
    link_chars: usize,
    link_depth: usize,
    ctx: Vec<Ctx>,
}

impl Walker {
    fn flush(&mut self) {
        let ctx = self.ctx.last().copied().unwrap_or(Ctx {
            wid: None,
            chrome: None,
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
pub(crate) fn collect_blocks(root: &NodeRef) -> Walk {
    let mut w = Walker {
        out: Vec::new(),
        containers: Vec::new(),
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
                    let outer = parent.and_then(|p| p.chrome);
                    let chrome = if is_chrome_tag(&name)
                        || node.attr("class").is_some_and(|v| is_chrome_attr(&v))
                        || node.attr("id").is_some_and(|v| is_chrome_attr(&v))
                        || node.attr("role").is_some_and(|v| {
                            matches!(
                                &*v,
                                "navigation" | "banner" | "contentinfo" | "complementary"
                            )
                        }) {
                        w.containers.push(outer);
                        Some(w.containers.len() - 1)
                    } else {
                        outer
                    };
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
    Walk {
        blocks: w.out,
        containers: w.containers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dom_query::Document;

    #[test]
    fn chrome_attributes() {
        assert!(is_chrome_attr("site-footer"));
        assert!(is_chrome_attr("social_share"));
        assert!(is_chrome_attr("main-navigation"));
        assert!(is_chrome_attr("storyPhotoCaption"));
        assert!(is_chrome_attr("article-byline"));
        assert!(!is_chrome_attr("article-body"));
        assert!(!is_chrome_attr("content"));
    }

    #[test]
    fn containers_nest_and_links_count() {
        let doc = Document::from(
            "<body><div class='story'><p>Body text with <a href='/x'>a link</a>.</p>\
             <div class='comments'><div class='comment-body'><p>First!</p></div></div></div>\
             <footer><p>Footer</p></footer></body>",
        );
        let body = doc.select("body");
        let w = collect_blocks(body.nodes().first().unwrap());
        let texts: Vec<&str> = w.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["Body text with a link.", "First!", "Footer"]);
        assert_eq!(w.blocks[0].chrome, None);
        assert_eq!(w.blocks[0].link_chars, 5);
        // "comments" encloses "comment-body"; the footer is a container of its own.
        let inner = w.blocks[1].chrome.unwrap();
        let outer = w.containers[inner].unwrap();
        assert_eq!(w.containers[outer], None);
        assert_ne!(w.blocks[2].chrome, Some(inner));
        assert!(w.blocks[2].chrome.is_some());
    }
}
