//! The extract stage of whence: HTML → main text, metadata and a source map;
//! boilerplate inside plain text; streaming WARC reading.
//!
//! Responsibility: turn web pages into the plain texts the rest of whence aligns, and
//! mark the parts of a text that are site furniture rather than content, without ever
//! changing the text.
//!
//! - [`extract_html`] takes the bytes of one page and [`HtmlHints`] (HTTP charset, URL)
//!   and returns [`Extracted`]: the main text as paragraphs separated by blank lines,
//!   `title`, `date`, `site`, `url`, and [`Block`]s mapping each paragraph's byte
//!   [`Span`](whence_core::Span) in the text to its source element.
//! - [`detect_boilerplate`] finds chrome inside one plain-text document (calls to action,
//!   copyright and "Published in" lines, navigation lists, date-stamped headline lists).
//! - [`RepeatedLines`] finds lines that recur across many documents of one site.
//! - [`WarcPages`] streams the HTML pages of a WARC / WARC.gz file.
//! - [`decode_text`] decodes plain text whose encoding nobody declared (UTF-8,
//!   UTF-16 with or without a byte-order mark, legacy encodings guessed and
//!   checked), for the readers of text files, stdin and JSON lines.
//!
//! ```
//! use whence_extract::{extract_html, detect_boilerplate, HtmlHints};
//! let html = b"<html><head><title>Floods</title></head><body><nav><a href='/'>Home</a></nav>\
//!   <article><p>The river burst its banks on Monday night, and hundreds of families in the \
//!   low-lying districts were moved to schools on higher ground by the fire service.</p>\
//!   <p>Officials said the water would fall by the weekend if the rain stopped, but warned \
//!   that roads in the valley would stay closed for several more days at least.</p></article>\
//!   </body></html>";
//! let page = extract_html(html, &HtmlHints::default()).unwrap();
//! assert!(page.text.starts_with("The river burst its banks"));
//! assert!(!page.text.contains("Home"));
//! assert_eq!(page.title.as_deref(), Some("Floods"));
//! let first = page.blocks[0].span;
//! assert!(page.text[first.range()].ends_with("higher ground by the fire service."));
//! assert!(detect_boilerplate(&page.text).is_empty());
//! ```

mod blocks;
mod boilerplate;
mod charset;
mod error;
mod html;
mod meta;
mod repeated;
mod select;
mod warc;

pub use boilerplate::detect_boilerplate;
pub use charset::{
    charset_from_content_type, count_invalid_utf8, decode_text, encoding_for_label, CharsetSource,
    DecodedText, TextEncoding, TextSource, Undecodable,
};
pub use error::{ExtractError, WarcError};
pub use html::{extract_html, Block, Extracted, HtmlHints, Method, MAX_HTML_BYTES};
pub use repeated::{
    repeated_block_spans, repeated_form_spans, repeated_spans, DocLines, RepeatedConfig,
    RepeatedLines,
};
pub use warc::{WarcItem, WarcPage, WarcPages, DEFAULT_MAX_BODY};
