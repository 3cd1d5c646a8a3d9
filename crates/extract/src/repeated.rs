//! Corpus-level boilerplate: lines that recur in many documents of one site.
//!
//! [`RepeatedLines::add`] counts, per site, in how many documents each line occurs
//! (a line is a non-blank line of the text, compared after trimming, collapsing
//! whitespace and lower-casing, hashed to a `u64` with xxh3). [`RepeatedLines::boilerplate`]
//! then reports the lines of a document seen in at least `min_docs` documents **and**
//! at least `min_fraction` of the site's documents.
//!
//! Memory is bounded: each site keeps at most `max_lines_per_site` distinct hashes;
//! when full, the hashes seen in a single document are dropped (frequent lines, the
//! ones that matter, survive), and at most `max_sites` sites are tracked (documents of
//! further sites are counted under one shared overflow bucket).

use std::collections::HashMap;

use whence_core::Span;
use xxhash_rust::xxh3::xxh3_64;

/// Thresholds and memory caps of [`RepeatedLines`].
#[derive(Clone, Debug, PartialEq)]
pub struct RepeatedConfig {
    /// A line must occur in at least this many documents of the site.
    pub min_docs: u32,
    /// ... and in at least this fraction (0–1) of the site's documents.
    pub min_fraction: f64,
    /// Distinct line hashes kept per site.
    pub max_lines_per_site: usize,
    /// Sites tracked separately; the rest share one bucket.
    pub max_sites: usize,
}

impl Default for RepeatedConfig {
    fn default() -> Self {
        RepeatedConfig {
            min_docs: 5,
            min_fraction: 0.1,
            max_lines_per_site: 1 << 18,
            max_sites: 100_000,
        }
    }
}

#[derive(Default, Debug)]
struct SiteStats {
    docs: u32,
    counts: HashMap<u64, u32>,
}

/// Counts lines per site over a corpus, then reports the recurring ones.
///
/// ```
/// use whence_extract::{RepeatedConfig, RepeatedLines};
/// let mut rl = RepeatedLines::new(RepeatedConfig { min_docs: 3, ..Default::default() });
/// for i in 0..10 {
///     rl.add("example.com", &format!("Story number {i} is about the river.\n\nFollow us on the app"));
/// }
/// let doc = "Story number 3 is about the river.\n\nFollow us on the app";
/// let spans = rl.boilerplate("example.com", doc);
/// assert_eq!(spans.len(), 1);
/// assert_eq!(&doc[spans[0].range()], "Follow us on the app");
/// ```
#[derive(Debug)]
pub struct RepeatedLines {
    config: RepeatedConfig,
    sites: HashMap<String, SiteStats>,
    overflow: SiteStats,
}

const OVERFLOW: &str = "\u{0}overflow";

/// The distinct normalized lines of one document (sorted hashes), from
/// [`RepeatedLines::lines_of`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocLines(Vec<u64>);

fn line_hash(line: &str) -> Option<u64> {
    thread_local! {
        static NORM: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    NORM.with(|norm| {
        let mut norm = norm.borrow_mut();
        norm.clear();
        for w in line.split_whitespace() {
            if !norm.is_empty() {
                norm.push(' ');
            }
            if w.is_ascii() {
                // same as char::to_lowercase on ASCII, without the per-char lookup
                norm.extend(w.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            } else {
                for c in w.chars() {
                    norm.extend(c.to_lowercase());
                }
            }
        }
        (!norm.is_empty()).then(|| xxh3_64(norm.as_bytes()))
    })
}

/// Non-blank lines of `text` as trimmed byte spans.
fn line_spans(text: &str) -> impl Iterator<Item = Span> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').filter_map(move |piece| {
        let s = start;
        start += piece.len();
        let lead = piece.len() - piece.trim_start().len();
        let body = piece.trim();
        (!body.is_empty()).then(|| Span::new(s + lead, s + lead + body.len()))
    })
}

impl DocLines {
    /// The distinct line hashes, ascending.
    pub fn hashes(&self) -> &[u64] {
        &self.0
    }
}

/// The rule of [`RepeatedLines::boilerplate`] over counts kept anywhere: the lines
/// of `text` that occur in at least `min_docs` and `min_fraction` of the
/// `site_docs` documents of their site, by `count(line hash)`; sorted, disjoint
/// spans, consecutive flagged lines merged across blank lines.
pub fn repeated_spans(
    config: &RepeatedConfig,
    site_docs: u32,
    text: &str,
    count: impl Fn(u64) -> u32,
) -> Vec<Span> {
    let need = (config.min_fraction * site_docs as f64)
        .ceil()
        .max(config.min_docs as f64) as u32;
    let mut out: Vec<Span> = Vec::new();
    let mut prev_flagged = false;
    for s in line_spans(text) {
        let hit = line_hash(&text[s.range()]).is_some_and(|h| {
            let c = count(h);
            c > 0 && c >= need
        });
        if hit {
            match out.last_mut() {
                Some(last) if prev_flagged => *last = last.cover(s),
                _ => out.push(s),
            }
        }
        prev_flagged = hit;
    }
    out
}

impl RepeatedLines {
    /// An empty counter.
    pub fn new(config: RepeatedConfig) -> Self {
        RepeatedLines {
            config,
            sites: HashMap::new(),
            overflow: SiteStats::default(),
        }
    }

    fn stats_mut(&mut self, site: &str) -> &mut SiteStats {
        if !self.sites.contains_key(site) && self.sites.len() >= self.config.max_sites {
            return &mut self.overflow;
        }
        self.sites.entry(site.to_string()).or_default()
    }

    fn stats(&self, site: &str) -> Option<&SiteStats> {
        if site == OVERFLOW {
            return None;
        }
        self.sites.get(site).or_else(|| {
            (self.sites.len() >= self.config.max_sites && self.overflow.docs > 0)
                .then_some(&self.overflow)
        })
    }

    /// Counts the lines of one document of `site`.
    pub fn add(&mut self, site: &str, text: &str) {
        self.add_lines(site, Self::lines_of(text));
    }

    /// The distinct lines of one document, ready for [`RepeatedLines::add_lines`].
    /// Needs no `&self`, so callers can compute it in parallel and add in order:
    /// `add_lines(site, lines_of(text))` counts exactly what `add(site, text)` does.
    pub fn lines_of(text: &str) -> DocLines {
        let mut hashes: Vec<u64> = line_spans(text)
            .filter_map(|s| line_hash(&text[s.range()]))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        DocLines(hashes)
    }

    /// Counts the lines of one document of `site`, given by [`RepeatedLines::lines_of`].
    pub fn add_lines(&mut self, site: &str, lines: DocLines) {
        let hashes = lines.0;
        let cap = self.config.max_lines_per_site.max(1);
        let stats = self.stats_mut(site);
        stats.docs = stats.docs.saturating_add(1);
        for h in hashes {
            if stats.counts.len() >= cap && !stats.counts.contains_key(&h) {
                stats.counts.retain(|_, c| *c > 1);
                if stats.counts.len() >= cap {
                    // Still full of repeated lines: age everything once.
                    stats.counts.retain(|_, c| {
                        *c /= 2;
                        *c > 0
                    });
                }
            }
            *stats.counts.entry(h).or_insert(0) += 1;
        }
    }

    /// Documents counted for `site`.
    pub fn docs(&self, site: &str) -> u32 {
        self.stats(site).map_or(0, |s| s.docs)
    }

    /// Spans of `text` whose lines recur in the site's documents: sorted, disjoint, on
    /// character boundaries; consecutive flagged lines are merged across blank lines.
    pub fn boilerplate(&self, site: &str, text: &str) -> Vec<Span> {
        let Some(stats) = self.stats(site) else {
            return Vec::new();
        };
        repeated_spans(&self.config, stats.docs, text, |h| {
            stats.counts.get(&h).copied().unwrap_or(0)
        })
    }

    /// Every tracked site (not the overflow bucket) with its document count and
    /// its line counts `(line hash, documents)`, for a caller that keeps the
    /// counts elsewhere (a persistent index) and then calls [`repeated_spans`].
    pub fn sites(
        &self,
    ) -> impl Iterator<Item = (&str, u32, impl Iterator<Item = (u64, u32)> + '_)> {
        self.sites.iter().map(|(name, s)| {
            (
                name.as_str(),
                s.docs,
                s.counts.iter().map(|(&h, &c)| (h, c)),
            )
        })
    }

    /// Distinct lines tracked over all sites (for memory accounting).
    pub fn tracked_lines(&self) -> usize {
        self.sites.values().map(|s| s.counts.len()).sum::<usize>() + self.overflow.counts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The normalization without fast paths: words joined by one space, each
    /// character lower-cased.
    fn plain_hash(line: &str) -> Option<u64> {
        let norm: Vec<String> = line
            .split_whitespace()
            .map(|w| w.chars().flat_map(char::to_lowercase).collect())
            .collect();
        let norm = norm.join(" ");
        (!norm.is_empty()).then(|| xxh3_64(norm.as_bytes()))
    }

    #[test]
    fn line_hash_equals_the_plain_normalization() {
        for line in [
            "",
            "   ",
            "Follow Us  on\tTWITTER",
            "ÉCOUTEZ la Radio",
            "İstanbul ΣΟΦΙΑ straße",
            "mixed ASCII and Ünïcödé words",
        ] {
            assert_eq!(line_hash(line), plain_hash(line), "{line:?}");
        }
        assert_eq!(line_hash("Follow us"), line_hash("  follow   US "));
    }

    #[test]
    fn lines_then_add_lines_counts_as_add() {
        let texts = ["A line\nShared footer", "Other\nshared  FOOTER\nA line"];
        let mut one = RepeatedLines::new(cfg(1, 0.0));
        let mut two = RepeatedLines::new(cfg(1, 0.0));
        for t in texts {
            one.add("s", t);
            two.add_lines("s", RepeatedLines::lines_of(t));
        }
        assert_eq!(one.sites["s"].counts, two.sites["s"].counts);
        assert_eq!(one.sites["s"].counts.len(), 3);
    }

    fn cfg(min_docs: u32, frac: f64) -> RepeatedConfig {
        RepeatedConfig {
            min_docs,
            min_fraction: frac,
            ..Default::default()
        }
    }

    #[test]
    fn header_and_footer_found_body_kept() {
        let mut rl = RepeatedLines::new(cfg(3, 0.5));
        for i in 0..20 {
            rl.add("a", &format!("Daily Post | Home\nSign in\n\nBody {i} says something new.\n\nCopyright 2020 Daily Post."));
            rl.add("b", &format!("Other site\n\nBody {i} says something new."));
        }
        let doc = "Daily Post | Home\nSign in\n\nBody 7 says something new.\n\nCopyright 2020 Daily Post.";
        let got: Vec<&str> = rl
            .boilerplate("a", doc)
            .iter()
            .map(|s| &doc[s.range()])
            .collect();
        assert_eq!(
            got,
            vec!["Daily Post | Home\nSign in", "Copyright 2020 Daily Post."]
        );
        // Bodies recur across sites but only once per site: not flagged.
        assert!(rl.boilerplate("b", "Body 7 says something new.").is_empty());
        assert!(rl.boilerplate("unknown", doc).is_empty());
        assert_eq!(rl.docs("a"), 20);
    }

    #[test]
    fn fraction_threshold() {
        let mut rl = RepeatedLines::new(cfg(2, 0.5));
        for i in 0..10 {
            let extra = if i < 3 { "\nRare line" } else { "" };
            rl.add("s", &format!("doc {i}{extra}"));
        }
        assert!(rl.boilerplate("s", "Rare line").is_empty());
        let mut rl = RepeatedLines::new(cfg(2, 0.2));
        for i in 0..10 {
            let extra = if i < 3 { "\nRare line" } else { "" };
            rl.add("s", &format!("doc {i}{extra}"));
        }
        assert_eq!(rl.boilerplate("s", "x\n  Rare   LINE \n").len(), 1);
    }

    #[test]
    fn memory_is_capped() {
        let mut rl = RepeatedLines::new(RepeatedConfig {
            max_lines_per_site: 100,
            max_sites: 2,
            ..cfg(5, 0.1)
        });
        for i in 0..1000 {
            rl.add(
                &format!("site{}", i % 7),
                &format!("unique line {i}\nStay Connected"),
            );
        }
        assert!(rl.tracked_lines() <= 300, "{}", rl.tracked_lines());
        // The frequent line survives the pruning.
        assert_eq!(rl.boilerplate("site0", "Stay Connected").len(), 1);
    }

    #[test]
    fn spans_valid_on_odd_text() {
        let mut rl = RepeatedLines::new(cfg(1, 0.0));
        for t in ["", "\n", "é\r\nü", "  \t "] {
            rl.add("s", t);
            for s in rl.boilerplate("s", t) {
                assert!(Span::checked(t, s.start(), s.end()).is_ok());
            }
        }
    }
}
