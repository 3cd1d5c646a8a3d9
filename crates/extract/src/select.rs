//! Which blocks of a page are its article: Readability's choice, completed or replaced by
//! a jusText-style block classification, then cleaned of what is not article text.
//!
//! 1. [`choose`]: Readability's article when it found one (≥ 200 bytes) covering at least
//!    70% of the characters of the page's *good* blocks ([`classify_all`]); when it
//!    covers less, the page's blocks that Readability chose or that are good, in page
//!    order; without an article, the good blocks.
//! 2. [`clean`] removes from that choice, by general signals rather than per-site rules:
//!    - blocks inside a chrome container (`blocks`: comments, share bars, related
//!      stories, captions, bylines, …) — unless the container holds half of the chosen
//!      text or more: then it is a wrapper of the article whose class merely mentions
//!      such a word (WordPress puts `category-promos` on the post, some themes wrap the
//!      article in `content-sidebar-wrap`), not furniture inside it;
//!    - link lists: blocks whose text is mostly link text, unless such blocks make half
//!      of the chosen text or more (the page *is* a list of links, as a table of
//!      contents is);
//!    - notices ([`is_notice`]): copyright and rights lines, date-and-time lines,
//!      bylines.
//!
//!    When cleaning would leave nothing, the choice stays as it was.
//! 3. [`headline`]: the page's headline (a heading whose words the page title contains,
//!    or which contains the title's) is put first when the chosen text lacks it —
//!    Readability drops a heading that repeats the title.
//!
//! Thresholds and measurements: docs/extract-notes.md (chosen on the development part of
//! L3S-GN1 and checked on CleanEval/CleanPortalEval; the held-out part was not used).

use std::collections::{HashMap, HashSet};

use crate::blocks::{RawBlock, Walk};
use crate::boilerplate::MONTHS;
use crate::html::Method;

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
    let link_density = b.link_density();
    if b.chrome.is_some() || link_density > LINK_DENSE || is_notice(&b.text) {
        return Class::Bad;
    }
    let words: Vec<&str> = b.text.split_whitespace().collect();
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

pub(crate) fn choose(page: &[RawBlock], read: Option<&[RawBlock]>) -> (Vec<RawBlock>, Method) {
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

/// A block with more than this share of its characters inside links is a link list
/// item, not prose (as in jusText).
const LINK_DENSE: f64 = 0.5;

/// A chrome container holding at least this share of the chosen text wraps the article
/// rather than sitting inside it.
const WRAPPER_SHARE: f64 = 0.5;

/// Link-dense blocks are dropped only while they make less than this share of the chosen
/// text (otherwise the page's content is a list of links).
const LINK_LIST_SHARE: f64 = 0.5;

/// Removes from the chosen blocks what is not article text (module docs, step 2).
/// `page` is the walk of the whole page: the chrome containers of chosen blocks are
/// looked up there by element number, since Readability's output keeps no classes.
pub(crate) fn clean(chosen: Vec<RawBlock>, page: &Walk) -> Vec<RawBlock> {
    let container_of: HashMap<usize, usize> = page
        .blocks
        .iter()
        .filter_map(|b| Some((b.wid?, b.chrome?)))
        .collect();
    let chain = |b: &RawBlock| {
        std::iter::successors(b.wid.and_then(|w| container_of.get(&w).copied()), |&c| {
            page.containers[c]
        })
    };
    let total: usize = chosen.iter().map(|b| b.text.len()).sum();
    let mut inside = vec![0usize; page.containers.len()];
    for b in &chosen {
        for c in chain(b) {
            inside[c] += b.text.len();
        }
    }
    let in_chrome =
        |b: &RawBlock| chain(b).any(|c| (inside[c] as f64) < WRAPPER_SHARE * total as f64);
    let linky = |b: &RawBlock| b.link_density() > LINK_DENSE;
    let link_chars: usize = chosen
        .iter()
        .filter(|b| linky(b))
        .map(|b| b.text.len())
        .sum();
    let drop_links = (link_chars as f64) < LINK_LIST_SHARE * total as f64;
    let keep: Vec<bool> = chosen
        .iter()
        .map(|b| !(in_chrome(b) || drop_links && linky(b) || is_notice(&b.text)))
        .collect();
    if !keep.contains(&true) {
        return chosen;
    }
    chosen
        .into_iter()
        .zip(keep)
        .filter_map(|(b, k)| k.then_some(b))
        .collect()
}

/// Weekday names and their abbreviations (month names are
/// [`crate::boilerplate::MONTHS`]).
const WEEKDAYS: &[&str] = &[
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A month or weekday name or abbreviation.
fn calendar_word(w: &str) -> bool {
    MONTHS.contains(&w) || WEEKDAYS.contains(&w)
}

/// Other words of date-and-time lines ("Updated: Fri. Jan. 11 2008 10:56 PM ET").
const TIMESTAMP_WORDS: &[&str] = &[
    "am",
    "pm",
    "a",
    "p",
    "m",
    "gmt",
    "utc",
    "bst",
    "cet",
    "est",
    "edt",
    "cst",
    "cdt",
    "mst",
    "mdt",
    "pst",
    "pdt",
    "et",
    "ct",
    "pt",
    "published",
    "updated",
    "posted",
    "last",
    "modified",
    "edited",
    "created",
    "launched",
    "article",
    "on",
    "at",
    "date",
    "time",
    "of",
];

/// A line that is not article text but a notice about it: a copyright or rights line
/// (under 300 characters), a date-and-time line (at most 14 words, at least 70% of them
/// dates, times and their labels, with a month, weekday or clock time among them), or a
/// byline (at most 10 words starting with "By", not a sentence).
pub(crate) fn is_notice(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let start = lower.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '\u{a9}');
    if lower.chars().count() < 300
        && (start.starts_with('\u{a9}')
            || start.starts_with("copyright")
            || start.starts_with("c) ")
            || lower.contains("all rights reserved"))
    {
        return true;
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    match words.first() {
        None => false,
        Some(&"by") if words.len() <= 10 => !lower.ends_with('.'),
        Some(_) => words.len() <= 14 && is_timestamp(&words, lower.contains(':')),
    }
}

fn is_timestamp(words: &[&str], has_colon: bool) -> bool {
    let number = |w: &str| w.bytes().all(|b| b.is_ascii_digit());
    let ordinal = |w: &str| {
        ["st", "nd", "rd", "th"].iter().any(|s| {
            w.strip_suffix(s)
                .is_some_and(|n| !n.is_empty() && number(n))
        })
    };
    let calendar = words.iter().any(|w| calendar_word(w));
    let clock = has_colon && words.iter().any(|w| number(w));
    let datey = words
        .iter()
        .filter(|w| number(w) || ordinal(w) || calendar_word(w) || TIMESTAMP_WORDS.contains(w))
        .count();
    (calendar || clock) && datey * 10 >= words.len() * 7
}

/// Words of a text, lower-cased and joined by single spaces, for comparing headings with
/// the title.
fn plain_words(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The page's headline: the first heading of 3 to 40 words whose words appear in order
/// in the title, or which contains the title's (titles often add the site's name).
pub(crate) fn headline<'a>(page: &'a [RawBlock], title: Option<&str>) -> Option<&'a RawBlock> {
    let title = plain_words(title?);
    if title.is_empty() {
        return None;
    }
    page.iter().filter(|b| b.heading).find(|b| {
        let h = plain_words(&b.text);
        (3..=40).contains(&h.split(' ').count()) && (title.contains(&h) || h.contains(&title))
    })
}

/// Puts the headline first unless the chosen text already holds it.
pub(crate) fn with_headline(
    mut chosen: Vec<RawBlock>,
    headline: Option<&RawBlock>,
) -> Vec<RawBlock> {
    if let Some(h) = headline {
        let words = plain_words(&h.text);
        if !chosen.iter().any(|b| plain_words(&b.text).contains(&words)) {
            chosen.insert(0, h.clone());
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str, wid: usize, chrome: Option<usize>) -> RawBlock {
        RawBlock {
            text: text.to_string(),
            wid: Some(wid),
            link_chars: 0,
            chrome,
            heading: false,
        }
    }

    #[test]
    fn notices() {
        for t in [
            "\u{a9} 2008 The Example Times. All rights reserved.",
            "Copyright 2008 Example Press. This material may not be redistributed.",
            "(c) 2008, The Example Herald.",
            "Updated Fri. Jan. 11 2008 10:56 PM ET",
            "Published: Friday, January 18, 2008",
            "1/7/2008, 6:30 p.m. EST",
            "9th January 2008",
            "By JANE EXAMPLE, Associated Press Writer",
            "By: Jim Writer, THE EXAMPLE PRESS",
        ] {
            assert!(is_notice(t), "{t}");
        }
        for t in [
            "The copyright of the songs passed to the band in 2008, its manager said.",
            "By the end of the day, the river had fallen by two metres.",
            "Officials said on Monday, January 7, that the bridge would reopen in March.",
            "Churn was 2.3 percent.",
            "Timberlake appearing in Super Bowl ad",
        ] {
            assert!(!is_notice(t), "{t}");
        }
    }

    #[test]
    fn chrome_inside_the_article_goes_but_a_wrapper_stays() {
        let long = "The council said the work on the river barriers would start in the spring and last two years. ".repeat(3);
        // Container 0 wraps everything (class "category-promos" on the post); container
        // 1 is a share bar inside it.
        let page = Walk {
            blocks: vec![
                block(&long, 1, Some(0)),
                block("Share this story on Facebook and Twitter", 2, Some(1)),
                block(&long, 3, Some(0)),
            ],
            containers: vec![None, Some(0)],
        };
        let kept = clean(page.blocks.clone(), &page);
        assert_eq!(kept.len(), 2);
        assert!(kept.iter().all(|b| b.text == long));
    }

    #[test]
    fn link_lists_go_unless_the_page_is_one() {
        let long = "The council said the work on the river barriers would start in the spring and last two years. ".repeat(3);
        let mut list = block("Floods in the south; markets fall again", 2, None);
        list.link_chars = list.text.len();
        let page = Walk {
            blocks: vec![block(&long, 1, None), list.clone()],
            containers: vec![],
        };
        assert_eq!(clean(page.blocks.clone(), &page).len(), 1);
        let toc = Walk {
            blocks: vec![list.clone(), list.clone(), block("Contents", 3, None)],
            containers: vec![],
        };
        assert_eq!(clean(toc.blocks.clone(), &toc).len(), 3);
    }

    #[test]
    fn cleaning_never_empties_the_choice() {
        let page = Walk {
            blocks: vec![block("\u{a9} 2008 Example", 1, None)],
            containers: vec![],
        };
        assert_eq!(clean(page.blocks.clone(), &page).len(), 1);
    }

    #[test]
    fn headline_matches_the_title() {
        let mut h = block("Rebels retreat from the northern hills", 1, None);
        h.heading = true;
        let mut other = block("Most read", 2, None);
        other.heading = true;
        let page = vec![other, h.clone()];
        let title = "Rebels retreat from the northern hills | The Example Times";
        assert_eq!(headline(&page, Some(title)).map(|b| b.wid), Some(Some(1)));
        assert!(headline(&page, Some("Something else entirely")).is_none());
        let body = vec![block("The rebels withdrew on Friday.", 3, None)];
        let with = with_headline(body.clone(), headline(&page, Some(title)));
        assert_eq!(with[0].text, h.text);
        // Already present: unchanged.
        assert_eq!(with_headline(with.clone(), Some(&h)).len(), 2);
    }
}
