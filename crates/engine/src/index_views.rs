//! What the index answers to readers, as JSON: one document, its reuse (who
//! republished it, what it drew on), pages of pairs, a document's connected
//! component, statistics and a corpus summary (per-site share reused, site ×
//! site counts, a timeline); plus documents read from an upload and a query
//! prepared as `index query` prepares it.
//!
//! Responsibility: the read side shared by `whence index` and `whence serve`, so
//! the CLI and the HTTP API give the same fields (pairs are [`pair_json`] lines,
//! documents [`indexed_doc_json`], traces [`trace_json`]).
//!
//! Inputs: an [`Index`] (or its [`View`]); ids. Outputs: `serde_json::Value`s;
//! [`Upload`] for uploaded bytes.
//!
//! ```
//! use whence::index::Index;
//! use whence::index_views;
//! use whence::pipeline::PipelineConfig;
//! use whence::Document;
//! let dir = tempfile::tempdir().unwrap();
//! let wire = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts, the regional emergency service said.";
//! let mut docs = vec![Document::new("wire", wire), Document::new("copy", format!("{wire} Schools stay closed."))];
//! let cfg = PipelineConfig::default();
//! let (index, _) = Index::build(dir.path(), &mut docs, &cfg, false, None, &|_, _, _| {}).unwrap();
//! let c = index_views::component_json(&index, "copy", 100).unwrap().unwrap();
//! assert_eq!(c["members"].as_array().unwrap().len(), 2);
//! ```

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use serde_json::{json, Value};
use whence_align::SentenceEncoder;
use whence_core::{CharIndex, Document, Relation, Span};
use whence_ingest::{CorpusOptions, Documents, Format, Skip};

use crate::index::{
    Index, IndexError, Seq, Store, StoreError, StoredPair, Traced, View, FORMAT_VERSION,
};
use crate::report::rows::{indexed_doc_json, pair_json, trace_json};

/// The most pairs one page gives.
pub const MAX_PAGE: usize = 1000;

/// `doc`'s sources in the index as `whence index query` finds them: its
/// boilerplate marked as `trace` marks a document, the sources numbered by
/// their place in [`Traced::sources`] (as the renderings expect).
pub fn query(
    index: &Index,
    doc: &mut Document,
    encoder: Option<&dyn SentenceEncoder>,
) -> Result<Traced, IndexError> {
    doc.boilerplate = crate::boilerplate_of(doc, &index.config().compare);
    let mut found = index.query(doc, encoder)?;
    for (i, s) in found.trace.sources.iter_mut().enumerate() {
        s.doc = i as u32;
    }
    let n = found.trace.sources.len() as u32;
    for (i, r) in found.trace.related.iter_mut().enumerate() {
        *r = n + i as u32;
    }
    Ok(found)
}

/// [`query`] rendered as `trace --json` (what `index query --json` prints).
pub fn query_json(
    index: &Index,
    mut doc: Document,
    encoder: Option<&dyn SentenceEncoder>,
) -> Result<Value, IndexError> {
    let found = query(index, &mut doc, encoder)?;
    Ok(trace_json(&doc, &found.sources, &found.trace))
}

/// `index stats --json`.
pub fn stats_json(store: &Store) -> Result<Value, IndexError> {
    let r = store.read()?;
    let s = r.stats()?;
    Ok(json!({
        "index": store.dir().display().to_string(),
        "format_version": FORMAT_VERSION,
        "documents": s.docs, "pairs": s.pairs, "last_pair_id": r.last_pair_id()?,
        "sites": s.sites, "postings": s.postings, "frequent_fingerprints": s.frequent_hashes,
        "band_entries": s.band_entries, "line_counts": s.line_entries,
        "generations": s.generations, "commits": s.commits, "last_commit": s.last_commit,
        "bytes_on_disk": store.size_on_disk(),
    }))
}

fn doc_of(r: &View, s: Seq) -> Result<Document, StoreError> {
    r.doc(s)?
        .map(|d| d.doc)
        .ok_or_else(|| StoreError::Corrupt(format!("pair of missing document {}", s.0)))
}

/// One indexed document as `index get` prints it, or `None`.
pub fn document_json(index: &Index, id: &str) -> Result<Option<Value>, IndexError> {
    let r = index.store().read()?;
    Ok(r.doc_by_id(id)?.map(|d| {
        let mut v = indexed_doc_json(&d.doc);
        v["added"] = json!(d.added);
        v["chars"] = json!(d.chars);
        v
    }))
}

/// How a stored pair relates a document to its partner.
fn role(p: &StoredPair, me: Seq) -> &'static str {
    let me_a = p.a == me;
    match p.summary.relation {
        Relation::BDerivedFromA if me_a => "reused_by",
        Relation::ADerivedFromB if !me_a => "reused_by",
        Relation::BDerivedFromA | Relation::ADerivedFromB => "drew_on",
        _ => "related",
    }
}

/// A document's reuse: `{"doc": {id, title?, date?, site?, url?, chars},
/// "reused_by": [...], "drew_on": [...], "related": [...]}`; each entry is the
/// pair's line ([`pair_json`] with passages, `a`/`b` as stored) plus the
/// partner's `partner`, `partner_date`, `partner_site`, `partner_title` and the
/// pair's `pair_id` and `recorded` (Unix seconds). `reused_by` holds the
/// documents derived from it (its republications), `drew_on` those it derived
/// from, `related` the rest (near-duplicates, shared source, unknown
/// direction). Entries are sorted by the partner's date (undated last).
pub fn reuse_json(index: &Index, id: &str) -> Result<Option<Value>, IndexError> {
    let r = index.store().read()?;
    let Some(me) = r.doc_by_id(id)? else {
        return Ok(None);
    };
    let mut groups: BTreeMap<&'static str, Vec<(Option<i64>, Value)>> = BTreeMap::new();
    for k in ["reused_by", "drew_on", "related"] {
        groups.insert(k, Vec::new());
    }
    for p in r.pairs_of(me.seq)? {
        let partner_seq = if p.a == me.seq { p.b } else { p.a };
        let partner = doc_of(&r, partner_seq)?;
        let (a, b) = if p.a == me.seq {
            (&me.doc, &partner)
        } else {
            (&partner, &me.doc)
        };
        let mut v = pair_json(a, b, &p.summary, Some(&p.passages));
        v["pair_id"] = json!(p.id);
        v["recorded"] = json!(p.added);
        v["partner"] = json!(partner.id.as_str());
        v["partner_date"] = json!(partner.meta.date);
        v["partner_site"] = json!(partner.meta.site);
        v["partner_title"] = json!(partner.meta.title);
        let when = partner
            .meta
            .date
            .as_deref()
            .and_then(|d| whence_cluster::parse_timestamp(d).ok())
            .map(|t| t.unix_seconds());
        groups.entry(role(&p, me.seq)).or_default().push((when, v));
    }
    let d = &me.doc;
    let mut out = json!({"doc": {"id": d.id.as_str(), "title": d.meta.title, "date": d.meta.date,
                                 "site": d.meta.site, "url": d.meta.url, "chars": me.chars}});
    for (k, mut list) in groups {
        list.sort_by_key(|(when, _)| (when.is_none(), *when));
        out[k] = Value::Array(list.into_iter().map(|(_, v)| v).collect());
    }
    Ok(Some(out))
}

/// A page of pairs (lines of [`pair_json`] with `id` and `recorded`), at most
/// `limit` (capped at [`MAX_PAGE`]): with `latest`, the newest first (below
/// `before` when given); else ascending after `after`. `since` (Unix seconds)
/// and `relation` filter. Answers `{"pairs": [...], "next_after": id|null}`
/// where `next_after` is the id to ask after for the next ascending page.
#[allow(clippy::too_many_arguments)]
pub fn pairs_page_json(
    index: &Index,
    after: Option<u64>,
    before: Option<u64>,
    since: Option<i64>,
    relation: Option<&str>,
    limit: usize,
    latest: bool,
    passages: bool,
) -> Result<Value, IndexError> {
    let r = index.store().read()?;
    let limit = limit.clamp(1, MAX_PAGE);
    let page = r.pairs_page(after, before, since, relation, limit, latest)?;
    let mut cache: HashMap<Seq, Document> = HashMap::new();
    let mut lines = Vec::with_capacity(page.len());
    for p in &page {
        for s in [p.a, p.b] {
            if let std::collections::hash_map::Entry::Vacant(e) = cache.entry(s) {
                e.insert(doc_of(&r, s)?);
            }
        }
        let (a, b) = (&cache[&p.a], &cache[&p.b]);
        let mut v = pair_json(a, b, &p.summary, passages.then_some(p.passages.as_slice()));
        v["id"] = json!(p.id);
        v["recorded"] = json!(p.added);
        v["a_date"] = json!(a.meta.date);
        v["b_date"] = json!(b.meta.date);
        lines.push(v);
    }
    let next = if latest {
        page.iter().map(|p| p.id).max()
    } else {
        page.last().map(|p| p.id)
    };
    Ok(json!({"pairs": lines, "next_after": next.or(after)}))
}

/// The connected component of `id` in the graph of stored reuse pairs (the
/// index keeps no clusters): `{"id", "members": [{id, date, site, title}],
/// "edges": [{a, b, relation, a_reused, b_reused}], "truncated"}`, members
/// sorted by date (undated last), at most `max` members.
pub fn component_json(index: &Index, id: &str, max: usize) -> Result<Option<Value>, IndexError> {
    let r = index.store().read()?;
    let Some(start) = r.seq_of(id)? else {
        return Ok(None);
    };
    let mut seen: HashSet<Seq> = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    let mut edges: BTreeMap<(Seq, Seq), Value> = BTreeMap::new();
    let mut truncated = false;
    while let Some(s) = queue.pop_front() {
        for p in r.pairs_of(s)? {
            let other = if p.a == s { p.b } else { p.a };
            if !seen.contains(&other) {
                if seen.len() >= max.max(1) {
                    truncated = true;
                    continue;
                }
                seen.insert(other);
                queue.push_back(other);
            }
            edges.entry((p.a, p.b)).or_insert_with(|| {
                json!({"a": p.a.0, "b": p.b.0, "relation": p.summary.relation.as_str(),
                       "a_reused": p.summary.a_reused, "b_reused": p.summary.b_reused})
            });
        }
    }
    let mut members: Vec<(Option<i64>, Seq, Value)> = Vec::new();
    let mut ids: HashMap<u32, String> = HashMap::new();
    for s in &seen {
        let d = doc_of(&r, *s)?;
        let when = d
            .meta
            .date
            .as_deref()
            .and_then(|x| whence_cluster::parse_timestamp(x).ok())
            .map(|t| t.unix_seconds());
        ids.insert(s.0, d.id.to_string());
        members.push((
            when,
            *s,
            json!({"id": d.id.as_str(), "date": d.meta.date, "site": d.meta.site, "title": d.meta.title}),
        ));
    }
    members.sort_by_key(|(when, s, _)| (when.is_none(), *when, *s));
    let edges: Vec<Value> = edges
        .into_values()
        .filter_map(|mut e| {
            let a = ids.get(&(e["a"].as_u64()? as u32))?.clone();
            let b = ids.get(&(e["b"].as_u64()? as u32))?.clone();
            e["a"] = json!(a);
            e["b"] = json!(b);
            Some(e)
        })
        .collect();
    Ok(Some(json!({
        "id": id,
        "members": members.into_iter().map(|(_, _, v)| v).collect::<Vec<_>>(),
        "edges": edges,
        "truncated": truncated,
    })))
}

/// Characters (code points) covered by the union of byte spans into `text`.
fn covered_chars(text: &str, spans: &mut [Span]) -> u64 {
    let idx = CharIndex::new(text);
    spans.sort_unstable_by_key(|s| (s.start(), s.end()));
    let (mut total, mut end) = (0u64, 0usize);
    for s in spans.iter() {
        let (start, stop) = (s.start().max(end).min(text.len()), s.end().min(text.len()));
        if stop <= start {
            continue;
        }
        let (a, b) = idx.span_to_chars(Span::new(start, stop));
        total += (b - a) as u64;
        end = stop;
    }
    total
}

/// The corpus view: per site, documents, characters and the share of its text
/// that reuses another document (the union of the later side's passages of
/// each derived pair; near-duplicates count for the later-indexed side);
/// `matrix`: for each (source site, copying site) the number of pairs;
/// `timeline`: pairs per day of the copying document's date (the recording
/// day when undated). Reads every pair: meant for indexes a server can scan.
pub fn corpus_json(index: &Index) -> Result<Value, IndexError> {
    let r = index.store().read()?;
    let mut site_of: HashMap<Seq, (String, Option<String>, u32)> = HashMap::new();
    r.for_each_doc_meta(|m| {
        site_of.insert(
            m.seq,
            (
                m.site.unwrap_or_else(|| "(no site)".to_owned()),
                m.date,
                m.chars,
            ),
        );
    })?;
    // the copying side's reused spans, by document; bytes, turned to a share
    // of its bytes below
    let mut reused: HashMap<Seq, Vec<Span>> = HashMap::new();
    let mut matrix: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut timeline: BTreeMap<String, u64> = BTreeMap::new();
    r.for_each_pair(None, None, false, |p| {
        let (src, copy) = match p.summary.relation {
            Relation::ADerivedFromB => (p.b, p.a),
            Relation::Template | Relation::Unrelated => return Ok(()),
            _ => (p.a, p.b),
        };
        let spans = reused.entry(copy).or_default();
        for q in &p.passages {
            spans.push(if copy == p.a { q.a } else { q.b });
        }
        let site = |s: Seq| site_of.get(&s).map_or("(no site)", |x| x.0.as_str());
        *matrix
            .entry((site(src).to_owned(), site(copy).to_owned()))
            .or_default() += 1;
        let day = site_of
            .get(&copy)
            .and_then(|x| x.1.as_deref())
            .and_then(|d| whence_cluster::parse_timestamp(d).ok())
            .unwrap_or_else(|| whence_cluster::Timestamp::from_unix_seconds(p.added))
            .to_string();
        *timeline
            .entry(day.get(..10).unwrap_or(&day).to_owned())
            .or_default() += 1;
        Ok(())
    })?;
    #[derive(Default)]
    struct Site {
        docs: u64,
        chars: u64,
        reused_chars: u64,
        reusing_docs: u64,
    }
    let mut sites: BTreeMap<String, Site> = BTreeMap::new();
    for (seq, (site, _, chars)) in &site_of {
        let e = sites.entry(site.clone()).or_default();
        e.docs += 1;
        e.chars += u64::from(*chars);
        if let Some(spans) = reused.get_mut(seq) {
            let d = doc_of(&r, *seq)?;
            e.reused_chars += covered_chars(&d.text, spans);
            e.reusing_docs += 1;
        }
    }
    let sites_json: Vec<Value> = sites
        .iter()
        .map(|(name, s)| {
            let share = s.reused_chars as f64 / s.chars.max(1) as f64;
            json!({"site": name, "documents": s.docs, "chars": s.chars,
                   "reused_chars": s.reused_chars, "reusing_documents": s.reusing_docs,
                   "share_reused": (share * 1000.0).round() / 1000.0})
        })
        .collect();
    let matrix: Vec<Value> = matrix
        .into_iter()
        .map(|((src, copy), n)| json!({"source": src, "copier": copy, "pairs": n}))
        .collect();
    let timeline: Vec<Value> = timeline
        .into_iter()
        .map(|(day, n)| json!({"day": day, "pairs": n}))
        .collect();
    Ok(json!({"sites": sites_json, "matrix": matrix, "timeline": timeline}))
}

/// Documents read from uploaded bytes, or why they cannot be.
#[derive(Debug)]
pub struct Upload {
    pub docs: Vec<Document>,
    /// Records that could not be read (a request with any is refused whole).
    pub skips: Vec<Skip>,
}

/// What an upload's first bytes say it is: `{` or `[` JSON (one object, an
/// array of objects, or JSON lines), `<` an HTML page, anything else text.
pub fn upload_format(bytes: &[u8]) -> Format {
    let first = bytes
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    match first {
        Some(b'{' | b'[') => Format::Json(whence_ingest::Compression::None),
        Some(b'<') => Format::Html(whence_ingest::Compression::None),
        _ => Format::Text(whence_ingest::Compression::None),
    }
}

/// Reads uploaded bytes as the corpus readers read a file named `name`
/// (`format` from [`upload_format`] unless given): every record a document or
/// a skip, none lost.
pub fn read_upload(
    name: &str,
    bytes: Vec<u8>,
    format: Option<Format>,
    opts: &CorpusOptions,
) -> Upload {
    let format = format.unwrap_or_else(|| upload_format(&bytes));
    let mut out = Upload {
        docs: Vec::new(),
        skips: Vec::new(),
    };
    let reader: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(bytes));
    for item in Documents::from_reader(name, reader, format, opts) {
        match item {
            Ok(rec) => out.docs.push(rec.doc),
            Err(skip) => out.skips.push(skip),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::PipelineConfig;

    const WIRE: &str = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts, the regional emergency service said.";

    fn index(dir: &std::path::Path) -> Index {
        let mut wire = Document::new("wire", WIRE);
        wire.meta.site = Some("agency".into());
        wire.meta.date = Some("2024-05-01".into());
        let mut copy = Document::new(
            "copy",
            format!("{WIRE} Schools in the three districts stay closed until Friday, and the council has opened two shelters."),
        );
        copy.meta.site = Some("paper".into());
        copy.meta.date = Some("2024-05-02".into());
        let other = Document::new(
            "market",
            "The annual spring market opened on Saturday in the old town square, with more than sixty stalls.",
        );
        let mut docs = vec![wire, copy, other];
        let cfg = PipelineConfig::default();
        Index::build(dir, &mut docs, &cfg, false, None, &|_, _, _| {})
            .unwrap()
            .0
    }

    #[test]
    fn reuse_component_pages_and_corpus_views_agree_with_the_stored_pair() {
        let dir = tempfile::tempdir().unwrap();
        let ix = index(dir.path());
        let wire = reuse_json(&ix, "wire").unwrap().unwrap();
        let copy = reuse_json(&ix, "copy").unwrap().unwrap();
        assert_eq!(wire["reused_by"][0]["partner"], "copy");
        assert_eq!(copy["drew_on"][0]["partner"], "wire");
        assert_eq!(copy["reused_by"].as_array().unwrap().len(), 0);
        assert!(reuse_json(&ix, "nope").unwrap().is_none());
        let lone = component_json(&ix, "market", 10).unwrap().unwrap();
        assert_eq!(lone["members"].as_array().unwrap().len(), 1);
        let c = component_json(&ix, "wire", 10).unwrap().unwrap();
        assert_eq!(c["members"][0]["id"], "wire", "sorted by date");
        assert_eq!(c["edges"][0]["a"], "wire");
        let cut = component_json(&ix, "wire", 1).unwrap().unwrap();
        assert_eq!(cut["truncated"], true);
        let page = pairs_page_json(&ix, None, None, None, None, 10, true, false).unwrap();
        assert_eq!(page["pairs"].as_array().unwrap().len(), 1);
        assert!(page["pairs"][0].get("passages").is_none());
        let none =
            pairs_page_json(&ix, None, None, None, Some("template"), 10, false, true).unwrap();
        assert_eq!(none["pairs"].as_array().unwrap().len(), 0);
        let corpus = corpus_json(&ix).unwrap();
        let paper = corpus["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["site"] == "paper")
            .unwrap()
            .clone();
        let share = paper["share_reused"].as_f64().unwrap();
        // one reusing document: the site's share is its reused part
        let b_reused = wire["reused_by"][0]["b_reused"].as_f64().unwrap();
        assert!((share - b_reused).abs() < 0.01, "{share} vs {b_reused}");
        assert_eq!(corpus["matrix"][0]["source"], "agency");
        assert_eq!(corpus["timeline"][0]["day"], "2024-05-02");
    }

    #[test]
    fn uploads_are_read_by_their_first_bytes_and_bad_records_are_skips() {
        let opts = whence_ingest::CorpusSpec::with_inputs(["-"])
            .validate()
            .unwrap();
        let u = read_upload(
            "upload",
            b"{\"id\": \"x\", \"text\": \"One.\"}\n{\"id\": \"y\", \"text\": 3}\n".to_vec(),
            None,
            &opts,
        );
        assert_eq!(u.docs.len(), 1);
        assert_eq!(u.skips.len(), 1);
        let u = read_upload("page", b"<html><body><p>Hello there, a page of news text that is long enough to keep.</p></body></html>".to_vec(), None, &opts);
        assert_eq!(u.docs.len() + u.skips.len(), 1);
        let u = read_upload("note", b"Plain words.".to_vec(), None, &opts);
        assert_eq!(u.docs[0].text, "Plain words.");
    }
}
