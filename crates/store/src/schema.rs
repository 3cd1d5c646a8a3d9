//! The on-disk format: SQLite tables, the format version, and how a database is
//! opened, created and recognized.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::StoreError;

/// Name of the database file inside an index directory.
pub const DB_FILE: &str = "index.sqlite";
/// What the `meta` table's `format` key holds in every whence index.
pub const MAGIC: &str = "whence-index";
/// Version of the on-disk format this code reads and writes. Bump it on any change
/// of tables, columns or encodings (and add a fixture of the new version to the
/// tests; `tests/fixtures/` keeps one per version).
pub const FORMAT_VERSION: u32 = 2;

/// Every table of format version 2 (version 1 had no `docs.forms`). Integers
/// that are 64-bit hashes are stored with their top bit flipped (see
/// [`crate::codec::key`]) so that SQLite's signed order is the hashes' unsigned
/// order.
pub(crate) const TABLES: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE docs(
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT, date TEXT, site TEXT, url TEXT,
    chars INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    boilerplate BLOB NOT NULL,
    forms BLOB NOT NULL,
    own_boilerplate INTEGER NOT NULL,
    added INTEGER NOT NULL
);
CREATE TABLE texts(seq INTEGER PRIMARY KEY, text BLOB NOT NULL);
CREATE TABLE sigs(seq INTEGER PRIMARY KEY, sig BLOB NOT NULL);
CREATE TABLE kept(seq INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE gens(g INTEGER PRIMARY KEY, open INTEGER NOT NULL, rows INTEGER NOT NULL);
CREATE TABLE post(g INTEGER NOT NULL, h INTEGER NOT NULL, d INTEGER NOT NULL,
    PRIMARY KEY(g, h, d)) WITHOUT ROWID;
CREATE TABLE bands(g INTEGER NOT NULL, k INTEGER NOT NULL, d INTEGER NOT NULL,
    PRIMARY KEY(g, k, d)) WITHOUT ROWID;
CREATE TABLE sites(s INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, docs INTEGER NOT NULL);
CREATE TABLE lines(g INTEGER NOT NULL, s INTEGER NOT NULL, h INTEGER NOT NULL,
    n INTEGER NOT NULL, PRIMARY KEY(g, s, h)) WITHOUT ROWID;
CREATE TABLE pairs(
    a INTEGER NOT NULL, b INTEGER NOT NULL,
    id INTEGER NOT NULL UNIQUE,
    added INTEGER NOT NULL,
    relation TEXT NOT NULL,
    a_reused REAL NOT NULL, b_reused REAL NOT NULL, confidence REAL NOT NULL,
    passages BLOB NOT NULL,
    PRIMARY KEY(a, b)) WITHOUT ROWID;
CREATE INDEX pairs_by_b ON pairs(b, a);
CREATE TABLE commits(id INTEGER PRIMARY KEY, time INTEGER NOT NULL,
    docs INTEGER NOT NULL, removed INTEGER NOT NULL, pairs INTEGER NOT NULL,
    first_pair INTEGER NOT NULL);
";

/// Settings of every connection: WAL (readers never wait for the writer),
/// synchronous FULL (a commit that returned survives power loss), a bounded page
/// cache, and a wait when another process holds the write lock.
pub(crate) fn configure(conn: &Connection, cache_kib: u32) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute_batch(&format!(
        "PRAGMA synchronous=FULL; PRAGMA cache_size=-{cache_kib}; PRAGMA foreign_keys=OFF;"
    ))?;
    Ok(())
}

/// Opens an existing database file, checking that it is a whence index of this
/// format version.
pub(crate) fn open_checked(path: &Path, read_only: bool) -> Result<Connection, StoreError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::NotAnIndex {
        path: path.to_owned(),
        why: e.to_string(),
    })?;
    check_format(&conn, path)?;
    Ok(conn)
}

/// Refuses a file that is not a whence index, or one of another format version.
pub(crate) fn check_format(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let not = |why: String| StoreError::NotAnIndex {
        path: path.to_owned(),
        why,
    };
    let has_meta: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|e| not(e.to_string()))?
        > 0;
    if !has_meta {
        return Err(not("no whence metadata table".into()));
    }
    let get = |k: &str| -> Result<Option<String>, StoreError> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
            .optional()
            .map_err(|e| not(e.to_string()))
    };
    if get("format")?.as_deref() != Some(MAGIC) {
        return Err(not(format!("its format is not {MAGIC}")));
    }
    let version: u32 = get("version")?
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| not("no format version".into()))?;
    if version != FORMAT_VERSION {
        return Err(StoreError::Version {
            path: path.to_owned(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if get("state")?.as_deref() != Some("ready") {
        return Err(StoreError::Incomplete(path.to_owned()));
    }
    Ok(())
}
