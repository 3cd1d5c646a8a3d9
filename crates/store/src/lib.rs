//! Persistent storage of a whence reuse index: documents, their sketches, site
//! line counts and verified reuse pairs, in one SQLite database (bundled),
//! versioned, crash-safe, with one writer and any number of readers.
//!
//! Responsibility: keep and return what the engine decides, transactionally. It
//! holds no pipeline logic: which fingerprints a document has, when a fingerprint
//! is too common, which pairs are reuse, are the engine's calls (`whence::index`).
//!
//! Main types:
//! - [`Store`]: an index directory, opened ([`Store::open`]), created empty
//!   ([`Store::create`]) or bulk-loaded into a new file ([`Store::bulk`]);
//! - [`Read`]: a consistent snapshot (a read transaction); many at once, from
//!   any thread or process, never blocked by the writer;
//! - [`Write`]: the one write transaction; nothing it did is visible or durable
//!   until [`Write::commit`] returns, and then it survives a crash;
//! - [`Seq`]: a document's number in the index (insertion order);
//!   [`StoredDoc`], [`StoredPair`], [`Postings`]: what comes back.
//!
//! Inverted lists (fingerprint postings, MinHash-LSH band buckets, per-site line
//! counts) are kept in *generations*: a bulk load fills one, additions go to a
//! small open one (so a commit rewrites few pages), and generations are merged
//! when one grows to a quarter of an older one. Lookups read every live
//! generation; the engine never sees them. `DESIGN.md` beside this crate has the
//! format, the measurements behind SQLite, and recovery.
//!
//! ```
//! use whence_core::Document;
//! use whence_store::{NewDoc, Seq, Store};
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::create(dir.path(), "params v1", false).unwrap();
//! let mut w = store.write().unwrap();
//! let doc = Document::new("wire-1", "Flood barriers failed on Tuesday.");
//! let seq = w.next_seq().unwrap();
//! w.put_doc(seq, &NewDoc { doc: &doc, own_boilerplate: false, signature: &[1, 2, 3], kept: 2 }).unwrap();
//! w.add_posting(0xfeed, seq).unwrap();
//! w.commit().unwrap();
//! let r = store.read().unwrap();
//! assert_eq!(r.doc_by_id("wire-1").unwrap().unwrap().doc.text, doc.text);
//! assert_eq!(r.postings(&[0xfeed]).unwrap()[0].docs, vec![seq]);
//! ```

mod check;
mod codec;
mod read;
mod schema;
mod write;

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;
use whence_core::{Document, Passage, Summary};

pub use check::{CheckReport, Problem};
pub use read::{Postings, StoreStats, View};
pub use schema::{DB_FILE, FORMAT_VERSION, MAGIC};
pub use write::{Merge, Writer};

/// A document's number in an index: its position in insertion order (never
/// reused; a removed document leaves a gap).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seq(pub u32);

/// A document to store, with what the engine computed for it.
#[derive(Clone, Copy, Debug)]
pub struct NewDoc<'a> {
    /// The document; its `boilerplate` spans are stored as they are.
    pub doc: &'a Document,
    /// True when the boilerplate came with the input (never recomputed).
    pub own_boilerplate: bool,
    /// MinHash signature of its matching keys.
    pub signature: &'a [u32],
    /// Fingerprints counted as its own in containment (not over the df cut-off).
    pub kept: u32,
}

/// A document as stored: text byte-identical to what was read.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredDoc {
    pub seq: Seq,
    pub doc: Document,
    pub own_boilerplate: bool,
    /// When it was added (Unix seconds).
    pub added: i64,
    /// Length of its text in characters (code points).
    pub chars: u32,
}

/// A document's metadata without its text (for clusters and listings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocMeta {
    pub seq: Seq,
    pub id: String,
    pub date: Option<String>,
    pub site: Option<String>,
    pub chars: u32,
}

/// A verified reuse pair as stored; `a` is the earlier document in the index.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPair {
    /// Increasing with the time the pair was recorded.
    pub id: u64,
    pub a: Seq,
    pub b: Seq,
    /// When it was recorded (Unix seconds).
    pub added: i64,
    pub summary: Summary,
    /// Passages as byte spans into `a`'s and `b`'s texts.
    pub passages: Vec<Passage>,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("{} is not a whence index ({why})", path.display())]
    NotAnIndex { path: PathBuf, why: String },
    #[error("{} holds a whence index of format version {found}; this whence reads version {supported} (rebuild it with `whence index build`)", path.display())]
    Version {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{} holds an index whose build did not finish; build it again", .0.display())]
    Incomplete(PathBuf),
    #[error("{} already holds an index (use --force to replace it)", .0.display())]
    Exists(PathBuf),
    #[error("no index at {}", .0.display())]
    Missing(PathBuf),
    #[error("the index is corrupt: {0}")]
    Corrupt(String),
    #[error("the index has no room for more documents")]
    Full,
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("a thread panicked while holding the index")]
    Poisoned,
}

/// Page cache of each connection, KiB: bounds a reader's memory.
const CACHE_KIB: u32 = 64 << 10;
/// Bytes of the database the writer's connection maps (SQLite caps it at its
/// compile-time maximum).
const WRITER_MMAP: u64 = 1 << 31;

/// An index directory. `Sync`: share one between threads; each [`Store::read`]
/// takes a pooled connection, [`Store::write`] the writer.
pub struct Store {
    dir: PathBuf,
    db: PathBuf,
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Option<Connection>>,
    read_only: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

fn io<'p>(what: &'static str, path: &'p Path) -> impl FnOnce(std::io::Error) -> StoreError + 'p {
    move |source| StoreError::Io {
        what,
        path: path.to_owned(),
        source,
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Store {
    /// Opens the index in `dir` for reading and writing. A directory without an
    /// index, a foreign or damaged file, another format version and an unfinished
    /// build are each a clear error.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Self::open_mode(dir, false)
    }

    /// Opens the index in `dir` for reading only (writes fail).
    pub fn open_read_only(dir: &Path) -> Result<Store, StoreError> {
        Self::open_mode(dir, true)
    }

    fn open_mode(dir: &Path, read_only: bool) -> Result<Store, StoreError> {
        let db = dir.join(DB_FILE);
        if !db.is_file() {
            return Err(
                if dir.is_dir() && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
                    StoreError::NotAnIndex {
                        path: dir.to_owned(),
                        why: format!("it has no {DB_FILE}"),
                    }
                } else {
                    StoreError::Missing(dir.to_owned())
                },
            );
        }
        let conn = schema::open_checked(&db, read_only)?;
        schema::configure(&conn, CACHE_KIB)?;
        let store = Store {
            dir: dir.to_owned(),
            db,
            readers: Mutex::new(vec![conn]),
            writer: Mutex::new(None),
            read_only,
        };
        Ok(store)
    }

    /// Creates an empty index in `dir` (made if missing) recording `params`, the
    /// engine's settings. An existing index is an error unless `force`.
    pub fn create(dir: &Path, params: &str, force: bool) -> Result<Store, StoreError> {
        Self::bulk(dir, params, force)?.finish()?;
        Self::open(dir)
    }

    /// Starts a bulk load into a new database file beside the index (without a
    /// journal: fast, and never seen by readers); [`Bulk::finish`] makes it the
    /// index. An interrupted bulk load leaves the previous index untouched.
    pub fn bulk(dir: &Path, params: &str, force: bool) -> Result<Bulk, StoreError> {
        let db = dir.join(DB_FILE);
        if db.exists() && !force {
            return Err(StoreError::Exists(dir.to_owned()));
        }
        if dir.is_file() {
            return Err(StoreError::NotAnIndex {
                path: dir.to_owned(),
                why: "it is a file, not a directory".into(),
            });
        }
        std::fs::create_dir_all(dir).map_err(io("cannot create", dir))?;
        let tmp = dir.join(format!("{DB_FILE}.building"));
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let p = PathBuf::from(format!("{}{suffix}", tmp.display()));
            if p.exists() {
                std::fs::remove_file(&p).map_err(io("cannot remove", &p))?;
            }
        }
        let conn = Connection::open(&tmp)?;
        conn.execute_batch(
            "PRAGMA page_size=4096; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;",
        )?;
        schema::configure(&conn, CACHE_KIB * 4)?;
        conn.execute_batch("PRAGMA synchronous=OFF;")?;
        conn.execute_batch(schema::TABLES)?;
        conn.execute_batch("BEGIN")?;
        let meta = [
            ("format", MAGIC.to_owned()),
            ("version", FORMAT_VERSION.to_string()),
            ("state", "building".to_owned()),
            ("params", params.to_owned()),
            ("created", now().to_string()),
        ];
        for (k, v) in meta {
            conn.execute("INSERT INTO meta(key, value) VALUES (?1, ?2)", [k, &v])?;
        }
        conn.execute("INSERT INTO gens(g, open, rows) VALUES (0, 1, 0)", [])?;
        Ok(Bulk {
            writer: Writer::new(conn, now())?,
            tmp,
            db,
        })
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Bytes on disk: the database with its write-ahead log.
    pub fn size_on_disk(&self) -> u64 {
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|s| std::fs::metadata(format!("{}{s}", self.db.display())).ok())
            .map(|m| m.len())
            .sum()
    }

    fn connection(&self) -> Result<Connection, StoreError> {
        let conn = schema::open_checked(&self.db, self.read_only)?;
        schema::configure(&conn, CACHE_KIB)?;
        Ok(conn)
    }

    /// A consistent snapshot of the index (a read transaction).
    pub fn read(&self) -> Result<Read<'_>, StoreError> {
        let pooled = self.readers.lock().map_err(|_| StoreError::Poisoned)?.pop();
        let conn = match pooled {
            Some(c) => c,
            None => self.connection()?,
        };
        conn.execute_batch("BEGIN DEFERRED")?;
        // the snapshot starts at the first read
        conn.query_row("SELECT count(*) FROM gens", [], |r| r.get::<_, i64>(0))?;
        Ok(Read {
            store: self,
            view: Some(View::new(conn)),
        })
    }

    /// The write transaction (waits for other writers of this process; another
    /// process's writer is waited for up to 30 s, commit by commit).
    pub fn write(&self) -> Result<Write<'_>, StoreError> {
        let mut guard = self.writer.lock().map_err(|_| StoreError::Poisoned)?;
        if guard.is_none() {
            let conn = self.connection()?;
            // an add matches each document against the index through the
            // writer: its point lookups read through a memory map, without a
            // copy from the OS page cache per page (readers keep plain reads,
            // so a query process's RSS counts only its own cache)
            conn.execute_batch(&format!("PRAGMA mmap_size={WRITER_MMAP}"))?;
            *guard = Some(conn);
        }
        let conn = guard.take().ok_or(StoreError::Poisoned)?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Write {
            guard,
            writer: Some(Writer::new(conn, now())?),
        })
    }
}

/// A read transaction; derefs to [`View`]. Dropping it ends the transaction.
pub struct Read<'s> {
    store: &'s Store,
    view: Option<View>,
}

impl Deref for Read<'_> {
    type Target = View;
    fn deref(&self) -> &View {
        self.view.as_ref().expect("present until drop")
    }
}

impl Drop for Read<'_> {
    fn drop(&mut self) {
        if let Some(v) = self.view.take() {
            let conn = v.into_connection();
            if conn.execute_batch("COMMIT").is_ok() {
                if let Ok(mut pool) = self.store.readers.lock() {
                    pool.push(conn);
                }
            }
        }
    }
}

/// The write transaction; derefs to [`Writer`] (and through it to [`View`]).
/// Dropped without [`Write::commit`], it rolls back.
pub struct Write<'s> {
    guard: MutexGuard<'s, Option<Connection>>,
    writer: Option<Writer>,
}

impl Deref for Write<'_> {
    type Target = Writer;
    fn deref(&self) -> &Writer {
        self.writer.as_ref().expect("present until commit")
    }
}

impl DerefMut for Write<'_> {
    fn deref_mut(&mut self) -> &mut Writer {
        self.writer.as_mut().expect("present until commit")
    }
}

impl Write<'_> {
    /// Merges generations when due, then commits: once this returns, everything
    /// written is durable and visible to new readers.
    pub fn commit(mut self) -> Result<Option<Merge>, StoreError> {
        let mut w = self.writer.take().expect("present until commit");
        let merged = w.maintain()?;
        let conn = w.finish()?;
        conn.execute_batch("COMMIT")?;
        *self.guard = Some(conn);
        Ok(merged)
    }
}

impl Drop for Write<'_> {
    fn drop(&mut self) {
        if let Some(w) = self.writer.take() {
            let conn = w.into_connection();
            if conn.execute_batch("ROLLBACK").is_ok() {
                *self.guard = Some(conn);
            }
        }
    }
}

/// A bulk load into a new database file; derefs to [`Writer`].
pub struct Bulk {
    writer: Writer,
    tmp: PathBuf,
    db: PathBuf,
}

impl Deref for Bulk {
    type Target = Writer;
    fn deref(&self) -> &Writer {
        &self.writer
    }
}

impl DerefMut for Bulk {
    fn deref_mut(&mut self) -> &mut Writer {
        &mut self.writer
    }
}

impl Bulk {
    /// Marks the index ready, makes it durable and moves it into place (replacing
    /// any previous index atomically).
    pub fn finish(self) -> Result<(), StoreError> {
        let Bulk {
            mut writer,
            tmp,
            db,
        } = self;
        writer.seal_if_used()?;
        let conn = writer.finish()?;
        conn.execute("UPDATE meta SET value = 'ready' WHERE key = 'state'", [])?;
        conn.execute_batch("COMMIT; PRAGMA journal_mode=WAL;")?;
        drop(conn); // the last connection: its log is checkpointed and removed
        let f = std::fs::File::open(&tmp).map_err(io("cannot open", &tmp))?;
        f.sync_all().map_err(io("cannot sync", &tmp))?;
        // the old index's log and shared memory belong to the old file
        for suffix in ["-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p).map_err(io("cannot remove", &p))?;
            }
        }
        std::fs::rename(&tmp, &db).map_err(io("cannot move into place", &db))?;
        if let Some(parent) = db.parent() {
            if let Ok(d) = std::fs::File::open(parent) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}
