//! Reads: everything a snapshot of the index can answer.

use std::cell::RefCell;

use rusqlite::{params, Connection, OptionalExtension, Row};
use whence_core::{Document, Meta, Summary};

use crate::codec::{self, corrupt, key, unkey};
use crate::{DocMeta, Seq, StoreError, StoredDoc, StoredPair};

/// The postings of one fingerprint hash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Postings {
    pub hash: u64,
    /// Marked frequent: held by more documents than the engine's cut-off; no
    /// documents are kept for it.
    pub frequent: bool,
    /// The documents holding it (ascending), when not frequent.
    pub docs: Vec<Seq>,
}

/// Counts for `whence index stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub docs: u64,
    pub pairs: u64,
    pub sites: u64,
    pub postings: u64,
    pub frequent_hashes: u64,
    pub band_entries: u64,
    pub line_entries: u64,
    pub generations: u64,
    pub commits: u64,
    pub last_commit: Option<i64>,
}

/// Read access to one transaction's view of the index (a snapshot for
/// [`crate::Read`], the transaction's own state for [`crate::Writer`]).
pub struct View {
    conn: Connection,
    gens: RefCell<Option<Vec<i64>>>,
}

/// Marker stored as the document of a frequent hash.
pub(crate) const FREQUENT: i64 = -1;

fn seq_of(v: i64) -> Result<Seq, StoreError> {
    u32::try_from(v)
        .map(Seq)
        .map_err(|_| corrupt("document number"))
}

impl View {
    pub(crate) fn new(conn: Connection) -> View {
        View {
            conn,
            gens: RefCell::new(None),
        }
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn into_connection(self) -> Connection {
        self.conn
    }

    pub(crate) fn forget_gens(&self) {
        *self.gens.borrow_mut() = None;
    }

    /// Live generations of the inverted lists.
    pub(crate) fn gens(&self) -> Result<Vec<i64>, StoreError> {
        if let Some(g) = self.gens.borrow().as_ref() {
            return Ok(g.clone());
        }
        let mut st = self.conn.prepare_cached("SELECT g FROM gens ORDER BY g")?;
        let g: Vec<i64> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        *self.gens.borrow_mut() = Some(g.clone());
        Ok(g)
    }

    /// A value of the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// The engine settings recorded when the index was made.
    pub fn params(&self) -> Result<String, StoreError> {
        self.meta("params")?
            .ok_or_else(|| corrupt("no settings recorded"))
    }

    /// Postings of each hash, in the order given.
    pub fn postings(&self, hashes: &[u64]) -> Result<Vec<Postings>, StoreError> {
        let gens = self.gens()?;
        let mut st = self
            .conn
            .prepare_cached("SELECT d FROM post WHERE g = ?1 AND h = ?2")?;
        let mut out = Vec::with_capacity(hashes.len());
        for &h in hashes {
            let mut p = Postings {
                hash: h,
                ..Default::default()
            };
            for &g in &gens {
                let mut rows = st.query(params![g, key(h)])?;
                while let Some(r) = rows.next()? {
                    let d: i64 = r.get(0)?;
                    if d == FREQUENT {
                        p.frequent = true;
                    } else {
                        p.docs.push(seq_of(d)?);
                    }
                }
            }
            if p.frequent {
                p.docs.clear();
            }
            p.docs.sort_unstable();
            out.push(p);
        }
        Ok(out)
    }

    /// Members of each MinHash-LSH band bucket (ascending), in the order given.
    pub fn band_members(&self, keys: &[u64]) -> Result<Vec<Vec<Seq>>, StoreError> {
        let gens = self.gens()?;
        let mut st = self
            .conn
            .prepare_cached("SELECT d FROM bands WHERE g = ?1 AND k = ?2")?;
        let mut out = Vec::with_capacity(keys.len());
        for &k in keys {
            let mut m = Vec::new();
            for &g in &gens {
                let mut rows = st.query(params![g, key(k)])?;
                while let Some(r) = rows.next()? {
                    m.push(seq_of(r.get(0)?)?);
                }
            }
            m.sort_unstable();
            out.push(m);
        }
        Ok(out)
    }

    /// A site's number and its document count.
    pub fn site(&self, name: &str) -> Result<Option<(i64, u32)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT s, docs FROM sites WHERE name = ?1")?
            .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Every site with its document count.
    pub fn sites(&self) -> Result<Vec<(String, u32)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT name, docs FROM sites ORDER BY name")?;
        let v = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(v)
    }

    /// In how many documents of site `site` each line hash occurs.
    pub fn line_counts(&self, site: i64, hashes: &[u64]) -> Result<Vec<u32>, StoreError> {
        let gens = self.gens()?;
        let mut st = self
            .conn
            .prepare_cached("SELECT n FROM lines WHERE g = ?1 AND s = ?2 AND h = ?3")?;
        let mut out = Vec::with_capacity(hashes.len());
        for &h in hashes {
            let mut n = 0i64;
            for &g in &gens {
                if let Some(c) = st
                    .query_row(params![g, site, key(h)], |r| r.get::<_, i64>(0))
                    .optional()?
                {
                    n += c;
                }
            }
            out.push(u32::try_from(n).map_err(|_| corrupt("line count"))?);
        }
        Ok(out)
    }

    /// Every (site, line hash, count) of the index, summed over generations.
    pub fn for_each_line(&self, mut f: impl FnMut(i64, u64, u32)) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT s, h, sum(n) FROM lines GROUP BY s, h")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let n: i64 = r.get(2)?;
            f(
                r.get(0)?,
                unkey(r.get(1)?),
                u32::try_from(n).map_err(|_| corrupt("line count"))?,
            );
        }
        Ok(())
    }

    /// A document's kept fingerprint count.
    pub fn kept(&self, seq: Seq) -> Result<Option<u32>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT n FROM kept WHERE seq = ?1")?
            .query_row([seq.0], |r| r.get(0))
            .optional()?)
    }

    /// A document's MinHash signature.
    pub fn signature(&self, seq: Seq) -> Result<Option<Vec<u32>>, StoreError> {
        let b: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT sig FROM sigs WHERE seq = ?1")?
            .query_row([seq.0], |r| r.get(0))
            .optional()?;
        b.map(|b| codec::decode_u32s(&b)).transpose()
    }

    /// The number of the document with this id.
    pub fn seq_of(&self, id: &str) -> Result<Option<Seq>, StoreError> {
        let v: Option<i64> = self
            .conn
            .prepare_cached("SELECT seq FROM docs WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        v.map(seq_of).transpose()
    }

    /// A document with its text.
    pub fn doc(&self, seq: Seq) -> Result<Option<StoredDoc>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT d.seq, d.id, d.title, d.date, d.site, d.url, d.chars, d.bytes, d.boilerplate,
                    d.own_boilerplate, d.added, t.text, d.forms
             FROM docs d JOIN texts t ON t.seq = d.seq WHERE d.seq = ?1",
        )?;
        let row = st.query_row([seq.0], raw_doc).optional()?;
        row.map(RawDoc::decode).transpose()
    }

    /// A document by id.
    pub fn doc_by_id(&self, id: &str) -> Result<Option<StoredDoc>, StoreError> {
        match self.seq_of(id)? {
            Some(s) => self.doc(s),
            None => Ok(None),
        }
    }

    /// Documents by number (missing ones left out), in the order given.
    pub fn docs(&self, seqs: &[Seq]) -> Result<Vec<StoredDoc>, StoreError> {
        let mut out = Vec::with_capacity(seqs.len());
        for &s in seqs {
            if let Some(d) = self.doc(s)? {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Every document's number, ascending.
    pub fn seqs(&self) -> Result<Vec<Seq>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT seq FROM docs ORDER BY seq")?;
        let mut out = Vec::new();
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            out.push(seq_of(r.get(0)?)?);
        }
        Ok(out)
    }

    /// Every document's metadata (no text), by number.
    pub fn for_each_doc_meta(&self, mut f: impl FnMut(DocMeta)) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT seq, id, date, site, chars FROM docs ORDER BY seq")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(DocMeta {
                seq: seq_of(r.get(0)?)?,
                id: r.get(1)?,
                date: r.get(2)?,
                site: r.get(3)?,
                chars: r.get(4)?,
            });
        }
        Ok(())
    }

    /// Number of documents.
    pub fn doc_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM docs", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// The highest document number ever given (removed ones included).
    pub fn max_seq(&self) -> Result<Option<Seq>, StoreError> {
        let v: Option<i64> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'max_seq'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .map(|s| s.parse().map_err(|_| corrupt("max_seq")))
            .transpose()?;
        let docs: Option<i64> = self
            .conn
            .query_row("SELECT max(seq) FROM docs", [], |r| r.get(0))?;
        v.max(docs).map(seq_of).transpose()
    }

    /// The pair of `a` and `b` (`a` the earlier).
    pub fn pair(&self, a: Seq, b: Seq) -> Result<Option<StoredPair>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(&format!("{PAIR_COLS} WHERE a = ?1 AND b = ?2"))?;
        st.query_row([a.0, b.0], raw_pair)
            .optional()?
            .map(RawPair::decode)
            .transpose()
    }

    /// Every pair with `seq` on either side, by partner.
    pub fn pairs_of(&self, seq: Seq) -> Result<Vec<StoredPair>, StoreError> {
        let mut out = Vec::new();
        for sql in [
            format!("{PAIR_COLS} WHERE a = ?1 ORDER BY b"),
            format!("{PAIR_COLS} WHERE b = ?1 ORDER BY a"),
        ] {
            let mut st = self.conn.prepare_cached(&sql)?;
            let rows = st.query_map([seq.0], raw_pair)?;
            for r in rows {
                out.push(r?.decode()?);
            }
        }
        out.sort_by_key(|p| if p.a == seq { p.b } else { p.a });
        Ok(out)
    }

    /// Pairs with id above `after_id` and recorded at or after `since` (Unix
    /// seconds), ordered by `(a, b)`, or by id when `by_id`.
    pub fn for_each_pair(
        &self,
        after_id: Option<u64>,
        since: Option<i64>,
        by_id: bool,
        mut f: impl FnMut(StoredPair) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let order = if by_id { "id" } else { "a, b" };
        let mut st = self.conn.prepare(&format!(
            "{PAIR_COLS} WHERE id > ?1 AND added >= ?2 ORDER BY {order}"
        ))?;
        let after = after_id.map_or(-1, |x| x as i64);
        let mut rows = st.query(params![after, since.unwrap_or(i64::MIN)])?;
        while let Some(r) = rows.next()? {
            f(raw_pair(r)?.decode()?)?;
        }
        Ok(())
    }

    /// One page of pairs by id: those with id above `after` (ascending), or,
    /// when `newest_first`, those with id below `before` (descending, the newest
    /// first); recorded at or after `since` (Unix seconds) and of `relation`
    /// (its contract name) when given; at most `limit`.
    pub fn pairs_page(
        &self,
        after: Option<u64>,
        before: Option<u64>,
        since: Option<i64>,
        relation: Option<&str>,
        limit: usize,
        newest_first: bool,
    ) -> Result<Vec<StoredPair>, StoreError> {
        let order = if newest_first { "DESC" } else { "ASC" };
        let mut st = self.conn.prepare_cached(&format!(
            "{PAIR_COLS} WHERE id > ?1 AND id < ?2 AND added >= ?3 AND (?4 IS NULL OR relation = ?4) ORDER BY id {order} LIMIT ?5"
        ))?;
        let lo = after.map_or(-1, |x| x.min(i64::MAX as u64) as i64);
        let hi = before.map_or(i64::MAX, |x| x.min(i64::MAX as u64) as i64);
        let limit = limit.min(i64::MAX as usize) as i64;
        let rows = st.query_map(
            params![lo, hi, since.unwrap_or(i64::MIN), relation, limit],
            raw_pair,
        )?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?.decode()?);
        }
        Ok(out)
    }

    /// Edges of every pair, `(a, b, relation)` by `(a, b)`, without passages.
    pub fn for_each_edge(
        &self,
        mut f: impl FnMut(Seq, Seq, whence_core::Relation),
    ) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT a, b, relation FROM pairs ORDER BY a, b")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let rel: String = r.get(2)?;
            f(
                seq_of(r.get(0)?)?,
                seq_of(r.get(1)?)?,
                codec::decode_relation(&rel)?,
            );
        }
        Ok(())
    }

    /// The highest pair id given so far (0 when none).
    pub fn last_pair_id(&self) -> Result<u64, StoreError> {
        let v: Option<i64> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'last_pair'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .map(|s| s.parse().map_err(|_| corrupt("last_pair")))
            .transpose()?;
        let max: Option<i64> = self
            .conn
            .query_row("SELECT max(id) FROM pairs", [], |r| r.get(0))?;
        Ok(v.max(max).unwrap_or(0) as u64)
    }

    /// Counts of everything stored.
    pub fn stats(&self) -> Result<StoreStats, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        Ok(StoreStats {
            docs: count("SELECT count(*) FROM docs")?,
            pairs: count("SELECT count(*) FROM pairs")?,
            sites: count("SELECT count(*) FROM sites")?,
            postings: count("SELECT count(*) FROM post WHERE d >= 0")?,
            frequent_hashes: count("SELECT count(*) FROM post WHERE d < 0")?,
            band_entries: count("SELECT count(*) FROM bands")?,
            line_entries: count("SELECT count(*) FROM lines")?,
            generations: count("SELECT count(*) FROM gens")?,
            commits: count("SELECT count(*) FROM commits")?,
            last_commit: self
                .conn
                .query_row("SELECT max(time) FROM commits", [], |r| r.get(0))?,
        })
    }
}

struct RawDoc {
    seq: i64,
    id: String,
    meta: Meta,
    chars: u32,
    bytes: usize,
    boilerplate: Vec<u8>,
    own: bool,
    added: i64,
    text: Vec<u8>,
    forms: Vec<u8>,
}

fn raw_doc(r: &Row<'_>) -> rusqlite::Result<RawDoc> {
    Ok(RawDoc {
        seq: r.get(0)?,
        id: r.get(1)?,
        meta: Meta {
            title: r.get(2)?,
            date: r.get(3)?,
            site: r.get(4)?,
            url: r.get(5)?,
        },
        chars: r.get(6)?,
        bytes: r.get::<_, i64>(7)? as usize,
        boilerplate: r.get(8)?,
        own: r.get(9)?,
        added: r.get(10)?,
        text: r.get(11)?,
        forms: r.get(12)?,
    })
}

impl RawDoc {
    fn decode(self) -> Result<StoredDoc, StoreError> {
        let text = codec::decode_text(&self.text, self.bytes)?;
        let boilerplate = codec::decode_spans(&self.boilerplate, &text)?;
        let forms = codec::decode_spans(&self.forms, &text)?;
        let mut doc = Document::new(self.id, text);
        doc.meta = self.meta;
        doc.boilerplate = boilerplate;
        doc.forms = forms;
        Ok(StoredDoc {
            seq: seq_of(self.seq)?,
            doc,
            own_boilerplate: self.own,
            added: self.added,
            chars: self.chars,
        })
    }
}

const PAIR_COLS: &str =
    "SELECT a, b, id, added, relation, a_reused, b_reused, confidence, passages FROM pairs";

struct RawPair {
    a: i64,
    b: i64,
    id: i64,
    added: i64,
    relation: String,
    a_reused: f64,
    b_reused: f64,
    confidence: f64,
    passages: Vec<u8>,
}

fn raw_pair(r: &Row<'_>) -> rusqlite::Result<RawPair> {
    Ok(RawPair {
        a: r.get(0)?,
        b: r.get(1)?,
        id: r.get(2)?,
        added: r.get(3)?,
        relation: r.get(4)?,
        a_reused: r.get(5)?,
        b_reused: r.get(6)?,
        confidence: r.get(7)?,
        passages: r.get(8)?,
    })
}

impl RawPair {
    fn decode(self) -> Result<StoredPair, StoreError> {
        Ok(StoredPair {
            id: u64::try_from(self.id).map_err(|_| corrupt("pair id"))?,
            a: seq_of(self.a)?,
            b: seq_of(self.b)?,
            added: self.added,
            summary: Summary {
                a_reused: self.a_reused,
                b_reused: self.b_reused,
                relation: codec::decode_relation(&self.relation)?,
                confidence: self.confidence,
            },
            passages: codec::decode_passages(&self.passages)?,
        })
    }
}
