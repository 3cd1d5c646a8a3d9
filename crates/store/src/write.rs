//! Writes, and the upkeep of generations.

use std::ops::Deref;

use rusqlite::{params, Connection, OptionalExtension};
use whence_core::{Passage, Summary};

use crate::codec::{self, key};
use crate::read::{View, FREQUENT};
use crate::{NewDoc, Seq, StoreError};

/// Rows (postings, band entries, line counts) after which the open generation is
/// sealed and a new one opened.
pub(crate) const SEAL_ROWS: i64 = 1 << 20;
/// Rows an `INSERT` of [`Writer::add_postings`] and [`Writer::add_bands`]
/// (3 parameters a row, under SQLite's limit of 32,766 parameters).
pub const MULTI_ROWS: usize = 256;
/// Two sealed generations are merged when the smaller holds at least
/// 1 / `MERGE_RATIO` of the larger's rows.
const MERGE_RATIO: i64 = 4;

/// Generations merged at a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merge {
    pub merged: Vec<(i64, i64)>,
    pub rows: i64,
}

/// The write side of a transaction; derefs to [`View`] for reads that see its
/// own writes.
pub struct Writer {
    view: View,
    now: i64,
    open_gen: i64,
    rows: i64,
    next_seq: Option<u32>,
    last_pair: Option<u64>,
    docs: u64,
    removed: u64,
    pairs: u64,
    first_pair: Option<u64>,
}

impl Deref for Writer {
    type Target = View;
    fn deref(&self) -> &View {
        &self.view
    }
}

impl Writer {
    pub(crate) fn new(conn: Connection, now: i64) -> Result<Writer, StoreError> {
        let (open_gen, rows): (i64, i64) = conn
            .query_row(
                "SELECT g, rows FROM gens WHERE open = 1 ORDER BY g DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| codec::corrupt("no open generation"))?;
        Ok(Writer {
            view: View::new(conn),
            now,
            open_gen,
            rows,
            next_seq: None,
            last_pair: None,
            docs: 0,
            removed: 0,
            pairs: 0,
            first_pair: None,
        })
    }

    pub(crate) fn conn(&self) -> &Connection {
        self.view.conn()
    }

    pub(crate) fn into_connection(self) -> Connection {
        self.view.into_connection()
    }

    /// The time this transaction records (Unix seconds).
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The number the next new document gets.
    pub fn next_seq(&mut self) -> Result<Seq, StoreError> {
        let n = match self.next_seq {
            Some(n) => n,
            None => self
                .max_seq()?
                .map_or(Ok(0), |s| s.0.checked_add(1).ok_or(StoreError::Full))?,
        };
        self.next_seq = Some(n);
        Ok(Seq(n))
    }

    /// Stores a new document under `seq` (from [`Writer::next_seq`]).
    pub fn put_doc(&mut self, seq: Seq, d: &NewDoc<'_>) -> Result<(), StoreError> {
        let doc = d.doc;
        let m = &doc.meta;
        let c = self.conn();
        c.prepare_cached(
            "INSERT INTO docs(seq, id, title, date, site, url, chars, bytes, boilerplate,
                              forms, own_boilerplate, added)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            seq.0,
            doc.id.as_str(),
            m.title,
            m.date,
            m.site,
            m.url,
            doc.text.chars().count() as i64,
            doc.text.len() as i64,
            codec::encode_spans(&doc.boilerplate),
            codec::encode_spans(&doc.forms),
            d.own_boilerplate,
            self.now
        ])?;
        c.prepare_cached("INSERT INTO texts(seq, text) VALUES (?1, ?2)")?
            .execute(params![seq.0, codec::encode_text(&doc.text)])?;
        c.prepare_cached("INSERT INTO sigs(seq, sig) VALUES (?1, ?2)")?
            .execute(params![seq.0, codec::encode_u32s(d.signature)])?;
        c.prepare_cached("INSERT INTO kept(seq, n) VALUES (?1, ?2)")?
            .execute(params![seq.0, d.kept])?;
        let next = seq.0.checked_add(1).ok_or(StoreError::Full)?;
        self.next_seq = Some(self.next_seq.map_or(next, |n| n.max(next)));
        self.docs += 1;
        Ok(())
    }

    /// Removes a document, its text, signature, kept count and every pair it is
    /// in (its postings, band entries and line counts are the caller's to remove).
    /// Returns the number of pairs removed.
    pub fn remove_doc(&mut self, seq: Seq) -> Result<usize, StoreError> {
        let c = self.conn();
        for t in ["docs", "texts", "sigs", "kept"] {
            c.prepare_cached(&format!("DELETE FROM {t} WHERE seq = ?1"))?
                .execute([seq.0])?;
        }
        let mut n = c
            .prepare_cached("DELETE FROM pairs WHERE a = ?1")?
            .execute([seq.0])?;
        n += c
            .prepare_cached("DELETE FROM pairs WHERE b = ?1")?
            .execute([seq.0])?;
        self.removed += 1;
        Ok(n)
    }

    /// Sets a document's kept fingerprint count.
    pub fn set_kept(&mut self, seq: Seq, n: u32) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("UPDATE kept SET n = ?2 WHERE seq = ?1")?
            .execute(params![seq.0, n])?;
        Ok(())
    }

    /// Adds a posting of `hash` for `seq` (to the open generation).
    pub fn add_posting(&mut self, hash: u64, seq: Seq) -> Result<(), StoreError> {
        let n = self
            .conn()
            .prepare_cached("INSERT OR IGNORE INTO post(g, h, d) VALUES (?1, ?2, ?3)")?
            .execute(params![self.open_gen, key(hash), seq.0])?;
        self.rows += n as i64;
        Ok(())
    }

    /// Adds postings `(hash, seq)` to the open generation, [`MULTI_ROWS`] rows
    /// an `INSERT` (one statement per row costs more than the row itself in a
    /// bulk load); the same rows as [`Writer::add_posting`] one at a time.
    pub fn add_postings(&mut self, rows: &[(u64, Seq)]) -> Result<(), StoreError> {
        self.insert_many("post(g, h, d)", rows)
    }

    /// Adds band entries `(band_key, seq)` to the open generation, as
    /// [`Writer::add_postings`] adds postings.
    pub fn add_bands(&mut self, rows: &[(u64, Seq)]) -> Result<(), StoreError> {
        self.insert_many("bands(g, k, d)", rows)
    }

    fn insert_many(&mut self, table: &str, rows: &[(u64, Seq)]) -> Result<(), StoreError> {
        let g = self.open_gen;
        let mut n = 0;
        for chunk in rows.chunks(MULTI_ROWS) {
            let values = vec!["(?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!("INSERT OR IGNORE INTO {table} VALUES {values}");
            let params = chunk.iter().flat_map(|&(h, s)| [g, key(h), i64::from(s.0)]);
            let params = rusqlite::params_from_iter(params);
            n += if chunk.len() == MULTI_ROWS {
                self.conn().prepare_cached(&sql)?.execute(params)?
            } else {
                // the last, shorter chunk: not worth a cache slot
                self.conn().prepare(&sql)?.execute(params)?
            };
        }
        self.rows += n as i64;
        Ok(())
    }

    /// Removes the posting of `hash` for `seq`, wherever it is.
    pub fn remove_posting(&mut self, hash: u64, seq: Seq) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "DELETE FROM post WHERE h = ?1 AND d = ?2 AND g IN (SELECT g FROM gens)",
            )?
            .execute(params![key(hash), seq.0])?;
        Ok(())
    }

    /// Marks `hash` frequent: its postings are dropped and lookups say so.
    pub fn mark_frequent(&mut self, hash: u64) -> Result<(), StoreError> {
        let gens = self.gens()?;
        let c = self.conn();
        for g in gens {
            c.prepare_cached("DELETE FROM post WHERE g = ?1 AND h = ?2")?
                .execute(params![g, key(hash)])?;
        }
        let n = c
            .prepare_cached("INSERT OR IGNORE INTO post(g, h, d) VALUES (?1, ?2, ?3)")?
            .execute(params![self.open_gen, key(hash), FREQUENT])?;
        self.rows += n as i64;
        Ok(())
    }

    /// Adds `seq` to the band bucket `band_key`.
    pub fn add_band(&mut self, band_key: u64, seq: Seq) -> Result<(), StoreError> {
        let n = self
            .conn()
            .prepare_cached("INSERT OR IGNORE INTO bands(g, k, d) VALUES (?1, ?2, ?3)")?
            .execute(params![self.open_gen, key(band_key), seq.0])?;
        self.rows += n as i64;
        Ok(())
    }

    /// Removes `seq` from the band bucket `band_key`.
    pub fn remove_band(&mut self, band_key: u64, seq: Seq) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "DELETE FROM bands WHERE k = ?1 AND d = ?2 AND g IN (SELECT g FROM gens)",
            )?
            .execute(params![key(band_key), seq.0])?;
        Ok(())
    }

    /// Changes a site's document count by `delta` (creating the site), returning
    /// its number.
    pub fn add_site_docs(&mut self, name: &str, delta: i64) -> Result<i64, StoreError> {
        let c = self.conn();
        c.prepare_cached(
            "INSERT INTO sites(name, docs) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET docs = docs + excluded.docs",
        )?
        .execute(params![name, delta])?;
        Ok(c.prepare_cached("SELECT s FROM sites WHERE name = ?1")?
            .query_row([name], |r| r.get(0))?)
    }

    /// Changes the document count of line `hash` in site `site` by `delta`.
    pub fn add_line(&mut self, site: i64, hash: u64, delta: i64) -> Result<(), StoreError> {
        let n = self
            .conn()
            .prepare_cached(
                "INSERT INTO lines(g, s, h, n) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(g, s, h) DO UPDATE SET n = n + excluded.n",
            )?
            .execute(params![self.open_gen, site, key(hash), delta])?;
        self.rows += n as i64;
        Ok(())
    }

    /// Records a verified pair (`a` the earlier document), returning its id.
    pub fn put_pair(
        &mut self,
        a: Seq,
        b: Seq,
        summary: &Summary,
        passages: &[Passage],
    ) -> Result<u64, StoreError> {
        let id = match self.last_pair {
            Some(x) => x + 1,
            None => self.last_pair_id()? + 1,
        };
        self.conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO pairs(a, b, id, added, relation, a_reused, b_reused,
                                              confidence, passages)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                a.0,
                b.0,
                id as i64,
                self.now,
                summary.relation.as_str(),
                summary.a_reused,
                summary.b_reused,
                summary.confidence,
                codec::encode_passages(passages)
            ])?;
        self.last_pair = Some(id);
        self.first_pair.get_or_insert(id);
        self.pairs += 1;
        Ok(id)
    }

    /// Removes the pair of `a` and `b`; true if there was one.
    pub fn remove_pair(&mut self, a: Seq, b: Seq) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .prepare_cached("DELETE FROM pairs WHERE a = ?1 AND b = ?2")?
            .execute([a.0, b.0])?
            > 0)
    }

    /// Seals the open generation when it is full and merges sealed generations of
    /// similar size. Called by [`crate::Write::commit`].
    pub(crate) fn maintain(&mut self) -> Result<Option<Merge>, StoreError> {
        if self.rows < SEAL_ROWS {
            return Ok(None);
        }
        self.seal()?;
        let mut merge = Merge {
            merged: Vec::new(),
            rows: 0,
        };
        loop {
            let mut st = self.conn().prepare_cached(
                "SELECT g, rows FROM gens WHERE open = 0 ORDER BY rows, g LIMIT 2",
            )?;
            let two: Vec<(i64, i64)> = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            drop(st);
            let [(x, rx), (y, ry)] = two[..] else { break };
            if rx * MERGE_RATIO < ry {
                break;
            }
            merge.rows += self.merge(x, y)?;
            merge.merged.push((x, y));
        }
        Ok((!merge.merged.is_empty()).then_some(merge))
    }

    /// Seals the open generation if it holds anything (a bulk load's end).
    pub(crate) fn seal_if_used(&mut self) -> Result<(), StoreError> {
        if self.rows > 0 {
            self.seal()?;
        }
        Ok(())
    }

    /// Seals the open generation and opens a new one.
    fn seal(&mut self) -> Result<(), StoreError> {
        self.write_rows()?;
        let c = self.conn();
        let next: i64 = c.query_row("SELECT max(g) + 1 FROM gens", [], |r| r.get(0))?;
        c.execute("UPDATE gens SET open = 0 WHERE g = ?1", [self.open_gen])?;
        c.execute("INSERT INTO gens(g, open, rows) VALUES (?1, 1, 0)", [next])?;
        self.open_gen = next;
        self.rows = 0;
        self.view.forget_gens();
        Ok(())
    }

    /// Merges sealed generations `x` and `y` into a new sealed one, written in key
    /// order; returns its rows.
    fn merge(&mut self, x: i64, y: i64) -> Result<i64, StoreError> {
        let c = self.conn();
        let z: i64 = c.query_row("SELECT max(g) + 1 FROM gens", [], |r| r.get(0))?;
        let mut rows = 0;
        rows += c.execute(
            "INSERT INTO post(g, h, d) SELECT ?1, h, d FROM post WHERE g IN (?2, ?3) ORDER BY h, d",
            [z, x, y],
        )? as i64;
        rows += c.execute(
            "INSERT INTO bands(g, k, d) SELECT ?1, k, d FROM bands WHERE g IN (?2, ?3) ORDER BY k, d",
            [z, x, y],
        )? as i64;
        rows += c.execute(
            "INSERT INTO lines(g, s, h, n) SELECT ?1, s, h, sum(n) FROM lines WHERE g IN (?2, ?3)
             GROUP BY s, h HAVING sum(n) != 0 ORDER BY s, h",
            [z, x, y],
        )? as i64;
        for t in ["post", "bands", "lines"] {
            c.execute(&format!("DELETE FROM {t} WHERE g IN (?1, ?2)"), [x, y])?;
        }
        c.execute("DELETE FROM gens WHERE g IN (?1, ?2)", [x, y])?;
        c.execute(
            "INSERT INTO gens(g, open, rows) VALUES (?1, 0, ?2)",
            [z, rows],
        )?;
        self.view.forget_gens();
        Ok(rows)
    }

    fn write_rows(&self) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("UPDATE gens SET rows = ?2 WHERE g = ?1")?
            .execute([self.open_gen, self.rows])?;
        Ok(())
    }

    /// Writes the counters and the commit record; the connection is ready to commit.
    pub(crate) fn finish(self) -> Result<Connection, StoreError> {
        self.write_rows()?;
        let c = self.conn();
        let set = |k: &str, v: String| -> Result<(), StoreError> {
            c.prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?
                .execute([k, &v])?;
            Ok(())
        };
        if let Some(n) = self.next_seq {
            if n > 0 {
                set("max_seq", (n - 1).to_string())?;
            }
        }
        if let Some(p) = self.last_pair {
            set("last_pair", p.to_string())?;
        }
        if self.docs + self.removed + self.pairs > 0 {
            c.execute(
                "INSERT INTO commits(time, docs, removed, pairs, first_pair) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    self.now,
                    self.docs as i64,
                    self.removed as i64,
                    self.pairs as i64,
                    self.first_pair.unwrap_or(0) as i64
                ],
            )?;
        }
        Ok(self.into_connection())
    }
}
