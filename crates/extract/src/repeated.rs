//! Corpus-level boilerplate: lines and blocks that recur in many documents of one
//! site.
//!
//! [`RepeatedLines::add`] counts, per site, in how many documents each line occurs
//! (a line is a non-blank line of the text, compared after trimming, collapsing
//! whitespace and lower-casing, hashed to a `u64` with xxh3), and in how many
//! documents each sampled word 8-gram occurs (words are runs of letters and digits,
//! lower-cased; an 8-gram is kept when its hash is divisible by
//! [`RepeatedConfig::block_sample`], so every site counts the same grams).
//! [`RepeatedLines::boilerplate`] then reports
//!
//! - the lines of a document seen in at least `min_docs` documents **and** at least
//!   `min_fraction` of the site's documents (site chrome: menus, footers);
//! - **blocks**: stretches of at least `block_min_words` words covered by sampled
//!   8-grams seen in at least `block_min_docs` documents and `block_min_fraction`
//!   of the site's (gaps of up to `block_gap` words between such grams are
//!   bridged, so a date inside a poll's methodology note is masked with it). A
//!   methodology note, a column intro, a syndication tagline or an author bio is
//!   a paragraph, not a line, and often shares its line with a photo credit; a
//!   stock phrase ("did not immediately respond to a request for comment") is
//!   shorter than `block_min_words` and stays. A passage quoted in that many
//!   documents of one site (a much-quoted statement) is masked too. Blocks that
//!   would cover more than `block_max_share` of a document are not masked: that
//!   document is the recurring text itself (a column intro published alone), and
//!   its copies are duplicates.
//!
//! Counts are sums over documents, so they can be kept and updated one document at
//! a time (an index) or counted in parts and added ([`RepeatedLines::merge`], a
//! distributed job); a document's spans are a pure function of its text and the
//! counts.
//!
//! Counts are exact by default, so they do not depend on the order documents come
//! in. Memory is one entry per distinct line and 8-gram of a site; a caller that
//! must bound it counts the grams in hash partitions ([`DocLines::gram_part`],
//! [`RepeatedLines::add_grams`], [`RepeatedLines::drop_rare_grams`]: each pass
//! exact, only the grams that can matter kept). `max_lines_per_site` can also cap
//! each site's maps (when full, the hashes seen in a single document are dropped:
//! approximate, and then order-dependent), and at most `max_sites` sites are
//! tracked (documents of further sites are counted under one shared overflow
//! bucket).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hasher for keys that are already 64-bit hashes (xxh3): the key itself.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // only u64 keys are hashed here; fold anything else
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

/// Counts by hash.
type Counts = HashMap<u64, u32, BuildHasherDefault<Prehashed>>;

use whence_core::Span;
use xxhash_rust::xxh3::xxh3_64;

/// Thresholds and memory caps of [`RepeatedLines`].
#[derive(Clone, Debug, PartialEq)]
pub struct RepeatedConfig {
    /// A line must occur in at least this many documents of the site.
    pub min_docs: u32,
    /// ... and in at least this fraction (0–1) of the site's documents.
    pub min_fraction: f64,
    /// Distinct line hashes (and as many 8-grams) kept per site; past it counts
    /// are approximate and depend on document order. Default: no cap.
    pub max_lines_per_site: usize,
    /// Sites tracked separately; the rest share one bucket.
    pub max_sites: usize,
    /// Fewest words of a recurring block.
    pub block_min_words: usize,
    /// A block's 8-grams must occur in at least this many documents of the site ...
    pub block_min_docs: u32,
    /// ... and in at least this fraction (0–1) of the site's documents.
    pub block_min_fraction: f64,
    /// Words between recurring 8-grams still counted as one block.
    pub block_gap: usize,
    /// Blocks covering more than this share (0–1) of a document's text are not
    /// masked: the document *is* the recurring text (a column intro published on
    /// its own ten times), and its copies are duplicates to find, not chrome.
    pub block_max_share: f64,
    /// One word 8-gram in about this many is counted (by hash), to bound memory.
    pub block_sample: u64,
    /// Documents of the site a word 8-gram must occur in to be part of a form
    /// ([`repeated_form_spans`]): wording that recurs this often with other
    /// facts is a form, not copied text.
    pub form_min_docs: u32,
}

impl RepeatedConfig {
    /// Documents of a site of `site_docs` documents a line must occur in to be
    /// repeated: `max(min_docs, ⌈min_fraction × site_docs⌉)`.
    pub fn line_need(&self, site_docs: u32) -> u32 {
        (self.min_fraction * f64::from(site_docs))
            .ceil()
            .max(f64::from(self.min_docs)) as u32
    }

    /// Documents of a site of `site_docs` documents a sampled 8-gram must occur
    /// in to be part of a repeated block: `max(block_min_docs, ⌈block_min_fraction ×
    /// site_docs⌉)`.
    pub fn block_need(&self, site_docs: u32) -> u32 {
        (self.block_min_fraction * f64::from(site_docs))
            .ceil()
            .max(f64::from(self.block_min_docs)) as u32
    }

    /// Documents of the site an 8-gram must occur in to be form wording
    /// ([`repeated_form_spans`]): `max(form_min_docs, 2)`.
    pub fn form_need(&self) -> u32 {
        self.form_min_docs.max(2)
    }

    /// Documents of a site of `site_docs` documents an 8-gram must occur in for
    /// any rule (a block or a form) to use it: counts under it can be dropped.
    pub fn gram_need(&self, site_docs: u32) -> u32 {
        self.block_need(site_docs).min(self.form_need())
    }
}

impl Default for RepeatedConfig {
    fn default() -> Self {
        RepeatedConfig {
            min_docs: 5,
            min_fraction: 0.1,
            max_lines_per_site: usize::MAX,
            max_sites: 100_000,
            block_min_words: 15,
            block_min_docs: 10,
            block_min_fraction: 0.001,
            block_gap: 8,
            block_max_share: 0.8,
            block_sample: 1,
            form_min_docs: 10,
        }
    }
}

#[derive(Default, Debug)]
struct SiteStats {
    docs: u32,
    counts: Counts,
    grams: Counts,
}

impl SiteStats {
    /// Documents holding the 8-gram `h` (0 when not counted).
    fn gram_count(&self, h: u64) -> u32 {
        self.grams.get(&h).copied().unwrap_or(0)
    }
}

/// Adds one document's distinct hashes to `counts`, keeping at most `cap` entries:
/// when full, hashes seen once are dropped, and if that is not enough every count
/// is halved.
fn count_into(counts: &mut Counts, hashes: Vec<u64>, cap: usize) {
    for h in hashes {
        if counts.len() >= cap && !counts.contains_key(&h) {
            counts.retain(|_, c| *c > 1);
            if counts.len() >= cap {
                // Still full of repeated hashes: age everything once.
                counts.retain(|_, c| {
                    *c /= 2;
                    *c > 0
                });
            }
        }
        *counts.entry(h).or_insert(0) += 1;
    }
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

/// The distinct normalized lines and sampled word 8-grams of one document (sorted
/// hashes), from [`RepeatedLines::lines_of`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocLines {
    lines: Vec<u64>,
    grams: Vec<u64>,
}

/// Words per gram of the block detector.
const GRAM: usize = 8;

/// Byte spans of the words of `text`: runs of letters and digits.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// Hashes of every word 8-gram of `text` (lower-cased words), by start word.
fn gram_hashes(text: &str, words: &[(usize, usize)]) -> Vec<u64> {
    let mut lower = String::new();
    let word_hashes: Vec<u64> = words
        .iter()
        .map(|&(s, e)| {
            let w = &text[s..e];
            if w.is_ascii() {
                lower.clear();
                lower.extend(w.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            } else {
                lower = w.to_lowercase();
            }
            xxh3_64(lower.as_bytes())
        })
        .collect();
    word_hashes
        .windows(GRAM)
        .map(|w| {
            let mut bytes = [0u8; 8 * GRAM];
            for (k, h) in w.iter().enumerate() {
                bytes[8 * k..8 * k + 8].copy_from_slice(&h.to_le_bytes());
            }
            xxh3_64(&bytes)
        })
        .collect()
}

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
    /// These lines and grams with only the grams of hash partition `part` of
    /// `parts` (`hash % parts == part`) and, unless `part` is 0, no lines: what
    /// one pass of a partitioned count adds.
    pub fn gram_part(mut self, part: u64, parts: u64) -> DocLines {
        let parts = parts.max(1);
        self.grams.retain(|h| h % parts == part);
        if part != 0 {
            self.lines.clear();
        }
        self
    }

    /// The distinct line hashes, ascending.
    pub fn hashes(&self) -> &[u64] {
        &self.lines
    }

    /// The distinct sampled 8-gram hashes, ascending (counted for the block rule,
    /// [`repeated_block_spans`]).
    pub fn grams(&self) -> &[u64] {
        &self.grams
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
    let need = config.line_need(site_docs);
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

/// A text's words (byte spans) and the hashes of its word 8-grams (gram `i`
/// starts at word `i`): hashed once for both the block and the form rule.
struct Grams {
    words: Vec<(usize, usize)>,
    hashes: Vec<u64>,
}

impl Grams {
    fn of(text: &str) -> Grams {
        let words = words(text);
        let hashes = gram_hashes(text, &words);
        Grams { words, hashes }
    }

    /// Word ranges `(first, one past the last)` covered by the 8-grams `hot`
    /// accepts, stretches at most `gap` words apart joined into one.
    fn hot_runs(&self, gap: usize, hot: impl Fn(u64) -> bool) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut run: Option<(usize, usize)> = None;
        for (i, &h) in self.hashes.iter().enumerate() {
            if !hot(h) {
                continue;
            }
            run = match run {
                Some((s, e)) if i <= e + gap => Some((s, e.max(i + GRAM))),
                Some(r) => {
                    out.push(r);
                    Some((i, i + GRAM))
                }
                None => Some((i, i + GRAM)),
            };
        }
        out.extend(run);
        out
    }

    /// The byte span from the first to the last word of a run.
    fn span(&self, (s, e): (usize, usize)) -> Span {
        Span::new(self.words[s].0, self.words[e - 1].1)
    }
}

/// The block rule of [`RepeatedLines::boilerplate`] over counts kept anywhere:
/// stretches of at least `block_min_words` words of `text` covered by sampled
/// 8-grams that `count` (documents of the site holding the gram) puts in at least
/// `block_min_docs` and `block_min_fraction` of the `site_docs` documents; sorted,
/// disjoint spans. With [`repeated_spans`] it gives a distributed runner that
/// aggregated [`DocLines::grams`] the single-machine answer.
pub fn repeated_block_spans(
    config: &RepeatedConfig,
    site_docs: u32,
    text: &str,
    count: impl Fn(u64) -> u32,
) -> Vec<Span> {
    block_spans(config, site_docs, text, &Grams::of(text), count)
}

fn block_spans(
    cfg: &RepeatedConfig,
    site_docs: u32,
    text: &str,
    grams: &Grams,
    count: impl Fn(u64) -> u32,
) -> Vec<Span> {
    let need = cfg.block_need(site_docs);
    if site_docs < need {
        return Vec::new();
    }
    let sample = cfg.block_sample.max(1);
    let out: Vec<Span> = grams
        .hot_runs(cfg.block_gap, |h| {
            h % sample == 0 && {
                let c = count(h);
                c > 0 && c >= need
            }
        })
        .into_iter()
        .filter(|&(s, e)| e - s >= cfg.block_min_words)
        .map(|r| grams.span(r))
        .collect();
    let covered: usize = out.iter().map(|s| s.len()).sum();
    if covered as f64 > cfg.block_max_share * text.trim().len() as f64 {
        return Vec::new();
    }
    out
}

/// The words of `text` covered by sampled 8-grams that `count` (documents of the
/// site holding the gram) puts in at least [`RepeatedConfig::form_need`]
/// documents: the fixed wording of forms the site fills with other facts ("…,
/// the Defense Department said. It said work on the contract is expected to be
/// completed in …"). Sorted, disjoint spans from the first to the last word of
/// each stretch; no least length (a reuse rule weighs them against the aligned
/// text, nothing is masked).
pub fn repeated_form_spans(
    config: &RepeatedConfig,
    text: &str,
    count: impl Fn(u64) -> u32,
) -> Vec<Span> {
    form_spans(config, &Grams::of(text), count)
}

fn form_spans(cfg: &RepeatedConfig, grams: &Grams, count: impl Fn(u64) -> u32) -> Vec<Span> {
    let need = cfg.form_need();
    let sample = cfg.block_sample.max(1);
    grams
        .hot_runs(0, |h| h % sample == 0 && count(h) >= need)
        .into_iter()
        .map(|r| grams.span(r))
        .collect()
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

    /// Counts the lines and blocks of one document of `site`.
    pub fn add(&mut self, site: &str, text: &str) {
        let lines = self.lines_of_doc(text);
        self.add_lines(site, lines);
    }

    /// The distinct lines and sampled 8-grams of one document, ready for
    /// [`RepeatedLines::add_lines`]. Takes only the configuration, so callers can
    /// compute it in parallel and add in order: `add_lines(site, lines_of(text))`
    /// counts exactly what `add(site, text)` does.
    pub fn lines_of(config: &RepeatedConfig, text: &str) -> DocLines {
        let mut lines: Vec<u64> = line_spans(text)
            .filter_map(|s| line_hash(&text[s.range()]))
            .collect();
        lines.sort_unstable();
        lines.dedup();
        let sample = config.block_sample.max(1);
        let mut grams: Vec<u64> = gram_hashes(text, &words(text))
            .into_iter()
            .filter(|h| h % sample == 0)
            .collect();
        grams.sort_unstable();
        grams.dedup();
        DocLines { lines, grams }
    }

    /// [`RepeatedLines::lines_of`] with this counter's configuration.
    pub fn lines_of_doc(&self, text: &str) -> DocLines {
        Self::lines_of(&self.config, text)
    }

    /// Counts the lines and blocks of one document of `site`, given by
    /// [`RepeatedLines::lines_of`].
    pub fn add_lines(&mut self, site: &str, lines: DocLines) {
        let cap = self.config.max_lines_per_site.max(1);
        let stats = self.stats_mut(site);
        stats.docs = stats.docs.saturating_add(1);
        count_into(&mut stats.counts, lines.lines, cap);
        count_into(&mut stats.grams, lines.grams, cap);
    }

    /// Counts, for one more pass over documents already counted by
    /// [`RepeatedLines::add_lines`] (with their grams left out, or only another
    /// part of them), the 8-grams of one document of `site`: the documents are
    /// not counted again.
    pub fn add_grams(&mut self, site: &str, lines: DocLines) {
        let cap = self.config.max_lines_per_site.max(1);
        let stats = self.stats_mut(site);
        count_into(&mut stats.grams, lines.grams, cap);
    }

    /// Drops the 8-gram counts under `min` documents (lines are kept: an index
    /// grows their counts). After a pass over every document the counts of its
    /// grams are final, so the ones no rule can use may go.
    pub fn drop_rare_grams(&mut self, min: u32) {
        for s in self.sites.values_mut().chain([&mut self.overflow]) {
            s.grams.retain(|_, c| *c >= min);
            s.grams.shrink_to_fit();
        }
    }

    /// Adds the counts of `other` (documents counted elsewhere with the same
    /// configuration) to these: counting two parts of a corpus and merging gives
    /// the counts of the whole (below the memory caps).
    pub fn merge(&mut self, other: RepeatedLines) {
        let cap = self.config.max_lines_per_site.max(1);
        let mut sites: Vec<(String, SiteStats)> = other.sites.into_iter().collect();
        sites.sort_by(|x, y| x.0.cmp(&y.0));
        sites.push((OVERFLOW.to_string(), other.overflow));
        for (site, theirs) in sites {
            if theirs.docs == 0 {
                continue;
            }
            let mine = if site == OVERFLOW {
                &mut self.overflow
            } else {
                self.stats_mut(&site)
            };
            mine.docs = mine.docs.saturating_add(theirs.docs);
            for (to, from) in [
                (&mut mine.counts, theirs.counts),
                (&mut mine.grams, theirs.grams),
            ] {
                let mut from: Vec<(u64, u32)> = from.into_iter().collect();
                from.sort_unstable();
                for (h, c) in from {
                    if to.len() >= cap && !to.contains_key(&h) {
                        continue;
                    }
                    *to.entry(h).or_insert(0) += c;
                }
            }
        }
    }

    /// Documents counted for `site`.
    pub fn docs(&self, site: &str) -> u32 {
        self.stats(site).map_or(0, |s| s.docs)
    }

    /// Spans of `text` whose lines or blocks recur in the site's documents: sorted,
    /// disjoint, on character boundaries; consecutive flagged lines are merged across
    /// blank lines.
    pub fn boilerplate(&self, site: &str, text: &str) -> Vec<Span> {
        let Some(stats) = self.stats(site) else {
            return Vec::new();
        };
        let mut out = self.repeated_lines(stats, text);
        out.extend(self.repeated_blocks(stats, text));
        Span::merge_all(&mut out);
        out
    }

    /// The form wording of `text` by the site's counts ([`repeated_form_spans`]).
    pub fn forms(&self, site: &str, text: &str) -> Vec<Span> {
        match self.stats(site) {
            Some(stats) if !stats.grams.is_empty() => {
                form_spans(&self.config, &Grams::of(text), |h| stats.gram_count(h))
            }
            _ => Vec::new(),
        }
    }

    /// [`RepeatedLines::boilerplate`] and [`RepeatedLines::forms`] of `text`,
    /// its 8-grams hashed once.
    pub fn boilerplate_and_forms(&self, site: &str, text: &str) -> (Vec<Span>, Vec<Span>) {
        let Some(stats) = self.stats(site) else {
            return (Vec::new(), Vec::new());
        };
        let mut out = self.repeated_lines(stats, text);
        let mut forms = Vec::new();
        if !stats.grams.is_empty() {
            let grams = Grams::of(text);
            let count = |h| stats.gram_count(h);
            out.extend(block_spans(&self.config, stats.docs, text, &grams, count));
            forms = form_spans(&self.config, &grams, count);
        }
        Span::merge_all(&mut out);
        (out, forms)
    }

    /// Stretches of `text` covered by 8-grams that recur in the site's documents.
    fn repeated_blocks(&self, stats: &SiteStats, text: &str) -> Vec<Span> {
        if stats.grams.is_empty() {
            return Vec::new();
        }
        block_spans(&self.config, stats.docs, text, &Grams::of(text), |h| {
            stats.gram_count(h)
        })
    }

    /// Lines of `text` that recur in the site's documents.
    fn repeated_lines(&self, stats: &SiteStats, text: &str) -> Vec<Span> {
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

    /// Distinct line and 8-gram hashes tracked over all sites (for memory accounting).
    pub fn tracked_lines(&self) -> usize {
        self.sites
            .values()
            .chain([&self.overflow])
            .map(|s| s.counts.len() + s.grams.len())
            .sum()
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
    fn a_document_that_is_the_block_is_not_masked() {
        let intro = "Every week we round up the funniest posts from parents on social \
                     media so that you can laugh along with the rest of us.";
        // lines counted as repeated only past 50 documents: the block rule alone
        let mut rl = RepeatedLines::new(cfg(50, 0.5));
        for i in 0..30 {
            rl.add(
                "h",
                &format!(
                    "{intro}\n\nStory {i} is about item {} and place {}.",
                    i * 3,
                    i * 7
                ),
            );
        }
        // the intro published on its own: nothing masked, its copies stay text
        assert!(rl.boilerplate("h", intro).is_empty());
        assert!(rl.boilerplate("h", &format!("Title\n{intro}")).is_empty());
        // inside a story it is masked
        let doc = format!("{intro}\n\nA story of its own with words nobody else used here.");
        assert_eq!(rl.boilerplate("h", &doc).len(), 1);
    }

    #[test]
    fn forms_are_the_wording_many_documents_share_around_other_facts() {
        let mut rl = RepeatedLines::new(RepeatedConfig::default());
        let doc = |i: usize| {
            format!(
                "Company {i} said its board has authorized the repurchase from time to time of up to {} shares. Its chairman {i} spoke of a story number {i} told once.",
                1000 * (i + 1)
            )
        };
        for i in 0..12 {
            rl.add("wire", &doc(i));
        }
        let text = doc(3);
        let forms = rl.forms("wire", &text);
        assert_eq!(forms.len(), 1, "{forms:?}");
        assert_eq!(
            &text[forms[0].range()],
            "said its board has authorized the repurchase from time to time of up to"
        );
        // the same spans from counts kept elsewhere
        let stats = &rl.sites["wire"];
        let elsewhere = repeated_form_spans(&rl.config, &text, |h| {
            stats.grams.get(&h).copied().unwrap_or(0)
        });
        assert_eq!(elsewhere, forms);
        // fewer documents than `form_min_docs`: no form; unknown site: none
        let mut few = RepeatedLines::new(RepeatedConfig::default());
        for i in 0..9 {
            few.add("wire", &doc(i));
        }
        assert!(few.forms("wire", &text).is_empty());
        assert!(rl.forms("elsewhere", &text).is_empty());
    }

    #[test]
    fn lines_then_add_lines_counts_as_add() {
        let texts = ["A line\nShared footer", "Other\nshared  FOOTER\nA line"];
        let mut one = RepeatedLines::new(cfg(1, 0.0));
        let mut two = RepeatedLines::new(cfg(1, 0.0));
        for t in texts {
            one.add("s", t);
            two.add_lines("s", RepeatedLines::lines_of(&cfg(1, 0.0), t));
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

    /// A poll story of site "h": its own text with a stock phrase, then the
    /// site's methodology note (with the poll's dates inside) on the same line as
    /// a photo credit.
    fn poll_story(i: usize) -> String {
        format!(
            "Voters in district {i} favour the harbour plan by {} points over {}. Officials \
             did not immediately respond to a request for comment about district {i} and its \
             {} ferry routes, {} bridges and {} schools.\n\nPhoto: staff {i}. The Civic Pulse \
             survey of 1,000 adults was conducted using a sample selected from an online panel \
             of people who agreed to take part, from March {} to {}. Results were weighted by \
             age, gender and region to be representative.",
            i % 9 + 2,
            i + 40,
            i + 7,
            i + 3,
            i + 11,
            i % 20 + 1,
            i % 20 + 3
        )
    }

    #[test]
    fn a_recurring_block_is_masked_inside_its_line() {
        let mut rl = RepeatedLines::new(cfg(3, 0.5));
        for i in 0..30 {
            rl.add("h", &poll_story(i));
        }
        let doc = poll_story(99);
        let got: Vec<&str> = rl
            .boilerplate("h", &doc)
            .iter()
            .map(|s| &doc[s.range()])
            .collect();
        assert_eq!(got.len(), 1, "{got:?}");
        // the whole note, its dates bridged, but not the story nor the credit
        assert!(
            got[0].starts_with("The Civic Pulse survey of 1,000"),
            "{got:?}"
        );
        assert!(got[0].contains("from March 20 to 22."), "{got:?}");
        assert!(got[0].ends_with("to be representative"), "{got:?}");
        // a stock phrase shorter than a block stays, although it recurs: the
        // story's line is not masked at all
        // a block seen in too few documents is not boilerplate
        let mut few = RepeatedLines::new(cfg(3, 0.5));
        for i in 0..5 {
            few.add("h", &poll_story(i));
        }
        assert!(few.boilerplate("h", &doc).is_empty());
    }

    #[test]
    fn counts_merged_from_parts_equal_counts_of_the_whole() {
        let mut whole = RepeatedLines::new(cfg(3, 0.5));
        let (mut left, mut right) = (
            RepeatedLines::new(cfg(3, 0.5)),
            RepeatedLines::new(cfg(3, 0.5)),
        );
        for i in 0..24 {
            let t = poll_story(i);
            whole.add("h", &t);
            if i % 2 == 0 { &mut left } else { &mut right }.add("h", &t);
        }
        left.merge(right);
        assert_eq!(left.sites["h"].counts, whole.sites["h"].counts);
        assert_eq!(left.sites["h"].grams, whole.sites["h"].grams);
        assert_eq!(left.docs("h"), 24);
        let doc = poll_story(50);
        assert_eq!(left.boilerplate("h", &doc), whole.boilerplate("h", &doc));
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
