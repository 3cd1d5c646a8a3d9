//! Which embedded store suits the index? SQLite (rusqlite, bundled) against redb
//! on the index's own workload, measured the same way on both.
//!
//! Data: the texts of a JSONL corpus (cycled when `--docs` exceeds it) and, per
//! document, ~130 fingerprint hashes (xxh3 of word 4-grams, 2 in 5 kept: the
//! density of the engine's winnowing, k = 4, w = 4), made distinct per cycle.
//!
//! Phases, each timed:
//! 1. build: every text (key = document number) and every posting `(gen 0, hash,
//!    doc)` inserted in key order in one transaction;
//! 2. add into the big generation: `--add` documents, each looking up its hashes
//!    (gen 0) and inserting its postings and text there, a commit every
//!    `--commit` documents (fsync on commit);
//! 3. add into a new generation: the same into gen 1 (lookups in gens 0 and 1);
//! 4. queries: `--queries` lookups of 360 hashes (a 5 kB article) over both
//!    generations plus the texts of the 5 documents sharing most, latency
//!    percentiles;
//! 5. size on disk.
//!
//! `--crash` instead runs the crash test: a child process adds documents and
//! prints each acknowledged (committed) count; it is killed with SIGKILL after
//! `--kill-after` seconds; the database is reopened and every acknowledged
//! document must be there with all its postings.
//!
//! usage: backends --corpus C.jsonl --dir DIR [--docs 200000] [--add 5000]
//!        [--commit 256] [--queries 1000] [--backend sqlite|redb|both] [--crash]

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use xxhash_rust::xxh3::xxh3_64;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn post_key(gen: u16, hash: u64, doc: u32) -> [u8; 14] {
    let mut k = [0u8; 14];
    k[..2].copy_from_slice(&gen.to_be_bytes());
    k[2..10].copy_from_slice(&hash.to_be_bytes());
    k[10..].copy_from_slice(&doc.to_be_bytes());
    k
}

/// The operations the index needs, as both backends implement them.
trait Backend {
    /// Runs `f` in one write transaction and commits (durably).
    fn write(&mut self, f: &mut dyn FnMut(&mut dyn Writer) -> Res<()>) -> Res<()>;
    /// The same for a bulk load into a new database: SQLite without its journal
    /// (a build writes a new file and renames it when done), redb as usual.
    fn bulk_write(&mut self, f: &mut dyn FnMut(&mut dyn Writer) -> Res<()>) -> Res<()> {
        self.write(f)
    }
    /// Documents of `hash` in generation `gen`, appended to `out`.
    fn postings(&self, gen: u16, hash: u64, out: &mut Vec<u32>) -> Res<()>;
    fn text(&self, doc: u32) -> Res<Option<Vec<u8>>>;
    fn count_postings(&self, gen: u16, doc_filter: Option<u32>) -> Res<u64>;
    fn max_doc(&self) -> Res<Option<u32>>;
}

trait Writer {
    fn put_text(&mut self, doc: u32, text: &[u8]) -> Res<()>;
    fn put_posting(&mut self, gen: u16, hash: u64, doc: u32) -> Res<()>;
    fn postings(&mut self, gen: u16, hash: u64, out: &mut Vec<u32>) -> Res<()>;
}

// ---------- SQLite ----------

struct Sqlite {
    conn: rusqlite::Connection,
}

impl Sqlite {
    fn open(dir: &Path) -> Res<Sqlite> {
        let conn = rusqlite::Connection::open(dir.join("index.sqlite"))?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;
             CREATE TABLE IF NOT EXISTS text(k INTEGER PRIMARY KEY, v BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS post(k BLOB PRIMARY KEY) WITHOUT ROWID;",
        )?;
        Ok(Sqlite { conn })
    }
}

struct SqliteWriter<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

impl Writer for SqliteWriter<'_> {
    fn put_text(&mut self, doc: u32, text: &[u8]) -> Res<()> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO text(k, v) VALUES (?1, ?2)")?
            .execute(rusqlite::params![doc, text])?;
        Ok(())
    }
    fn put_posting(&mut self, gen: u16, hash: u64, doc: u32) -> Res<()> {
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO post(k) VALUES (?1)")?
            .execute([&post_key(gen, hash, doc)[..]])?;
        Ok(())
    }
    fn postings(&mut self, gen: u16, hash: u64, out: &mut Vec<u32>) -> Res<()> {
        sqlite_postings(self.tx, gen, hash, out)
    }
}

fn sqlite_postings(c: &rusqlite::Connection, gen: u16, hash: u64, out: &mut Vec<u32>) -> Res<()> {
    let lo = post_key(gen, hash, 0);
    let hi = post_key(gen, hash, u32::MAX);
    let mut st = c.prepare_cached("SELECT k FROM post WHERE k >= ?1 AND k <= ?2")?;
    let mut rows = st.query([&lo[..], &hi[..]])?;
    while let Some(r) = rows.next()? {
        let k: Vec<u8> = r.get(0)?;
        out.push(u32::from_be_bytes(k[10..14].try_into()?));
    }
    Ok(())
}

impl Backend for Sqlite {
    fn bulk_write(&mut self, f: &mut dyn FnMut(&mut dyn Writer) -> Res<()>) -> Res<()> {
        self.conn
            .execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")?;
        self.write(f)?;
        self.conn
            .execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")?;
        Ok(())
    }
    fn write(&mut self, f: &mut dyn FnMut(&mut dyn Writer) -> Res<()>) -> Res<()> {
        let tx = self.conn.transaction()?;
        f(&mut SqliteWriter { tx: &tx })?;
        tx.commit()?;
        Ok(())
    }
    fn postings(&self, gen: u16, hash: u64, out: &mut Vec<u32>) -> Res<()> {
        sqlite_postings(&self.conn, gen, hash, out)
    }
    fn text(&self, doc: u32) -> Res<Option<Vec<u8>>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT v FROM text WHERE k = ?1")?
            .query_row([doc], |r| r.get(0))
            .optional()?)
    }
    fn count_postings(&self, gen: u16, doc: Option<u32>) -> Res<u64> {
        let lo = post_key(gen, 0, 0);
        let hi = post_key(gen, u64::MAX, u32::MAX);
        let mut st = self
            .conn
            .prepare_cached("SELECT k FROM post WHERE k >= ?1 AND k <= ?2")?;
        let mut rows = st.query([&lo[..], &hi[..]])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let k: Vec<u8> = r.get(0)?;
            let d = u32::from_be_bytes(k[10..14].try_into()?);
            if doc.is_none_or(|x| x == d) {
                n += 1;
            }
        }
        Ok(n)
    }
    fn max_doc(&self) -> Res<Option<u32>> {
        Ok(self
            .conn
            .query_row("SELECT max(k) FROM text", [], |r| r.get(0))?)
    }
}

// ---------- redb ----------

const TEXT: redb::TableDefinition<u32, &[u8]> = redb::TableDefinition::new("text");
const POST: redb::TableDefinition<&[u8], ()> = redb::TableDefinition::new("post");

struct Redb {
    db: redb::Database,
}

impl Redb {
    fn open(dir: &Path) -> Res<Redb> {
        let db = redb::Builder::new()
            .set_cache_size(64 << 20)
            .create(dir.join("index.redb"))?;
        let tx = db.begin_write()?;
        tx.open_table(TEXT)?;
        tx.open_table(POST)?;
        tx.commit()?;
        Ok(Redb { db })
    }
}

struct RedbWriter<'a> {
    text: redb::Table<'a, u32, &'static [u8]>,
    post: redb::Table<'a, &'static [u8], ()>,
}

impl Writer for RedbWriter<'_> {
    fn put_text(&mut self, doc: u32, text: &[u8]) -> Res<()> {
        self.text.insert(doc, text)?;
        Ok(())
    }
    fn put_posting(&mut self, gen: u16, hash: u64, doc: u32) -> Res<()> {
        self.post.insert(&post_key(gen, hash, doc)[..], ())?;
        Ok(())
    }
    fn postings(&mut self, gen: u16, hash: u64, out: &mut Vec<u32>) -> Res<()> {
        use redb::ReadableTable;
        let (lo, hi) = (post_key(gen, hash, 0), post_key(gen, hash, u32::MAX));
        for e in self.post.range(&lo[..]..=&hi[..])? {
            let (k, _) = e?;
            out.push(u32::from_be_bytes(k.value()[10..14].try_into()?));
        }
        Ok(())
    }
}

impl Backend for Redb {
    fn write(&mut self, f: &mut dyn FnMut(&mut dyn Writer) -> Res<()>) -> Res<()> {
        let tx = self.db.begin_write()?;
        {
            let mut w = RedbWriter {
                text: tx.open_table(TEXT)?,
                post: tx.open_table(POST)?,
            };
            f(&mut w)?;
        }
        tx.commit()?;
        Ok(())
    }
    fn postings(&self, gen: u16, hash: u64, out: &mut Vec<u32>) -> Res<()> {
        use redb::ReadableDatabase;
        let tx = self.db.begin_read()?;
        let t = tx.open_table(POST)?;
        let (lo, hi) = (post_key(gen, hash, 0), post_key(gen, hash, u32::MAX));
        for e in t.range(&lo[..]..=&hi[..])? {
            let (k, _) = e?;
            out.push(u32::from_be_bytes(k.value()[10..14].try_into()?));
        }
        Ok(())
    }
    fn text(&self, doc: u32) -> Res<Option<Vec<u8>>> {
        use redb::ReadableDatabase;
        let tx = self.db.begin_read()?;
        let t = tx.open_table(TEXT)?;
        Ok(t.get(doc)?.map(|v| v.value().to_vec()))
    }
    fn count_postings(&self, gen: u16, doc: Option<u32>) -> Res<u64> {
        use redb::ReadableDatabase;
        let tx = self.db.begin_read()?;
        let t = tx.open_table(POST)?;
        let (lo, hi) = (post_key(gen, 0, 0), post_key(gen, u64::MAX, u32::MAX));
        let mut n = 0;
        for e in t.range(&lo[..]..=&hi[..])? {
            let (k, _) = e?;
            let d = u32::from_be_bytes(k.value()[10..14].try_into()?);
            if doc.is_none_or(|x| x == d) {
                n += 1;
            }
        }
        Ok(n)
    }
    fn max_doc(&self) -> Res<Option<u32>> {
        use redb::{ReadableDatabase, ReadableTable};
        let tx = self.db.begin_read()?;
        let t = tx.open_table(TEXT)?;
        let last = t.last()?.map(|(k, _)| k.value());
        Ok(last)
    }
}

// ---------- workload ----------

struct Corpus {
    texts: Vec<String>,
    /// Hashes held by more than 64 documents of the build (the df cut-off): the
    /// index keeps no postings for them and looks none up.
    frequent: std::collections::HashSet<u64>,
}

impl Corpus {
    fn read(path: &Path, limit: usize) -> Res<Corpus> {
        let f = std::io::BufReader::new(std::fs::File::open(path)?);
        let mut texts = Vec::new();
        for line in f.lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            texts.push(v["text"].as_str().unwrap_or_default().to_owned());
            if texts.len() >= limit {
                break;
            }
        }
        Ok(Corpus {
            texts,
            frequent: Default::default(),
        })
    }
    fn text(&self, doc: u32) -> &str {
        &self.texts[doc as usize % self.texts.len()]
    }
    /// ~130 distinct hashes per 2 kB: word 4-grams, 2 in 5 kept, distinct per cycle.
    fn hashes(&self, doc: u32) -> Vec<u64> {
        let cycle = (doc as usize / self.texts.len()) as u64;
        let words: Vec<&str> = self.text(doc).split_whitespace().collect();
        let mut out: Vec<u64> = words
            .windows(4)
            .map(|w| xxh3_64(w.join(" ").as_bytes()))
            .filter(|h| h % 5 < 2)
            .map(|h| h ^ cycle.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        out.sort_unstable();
        out.dedup();
        out.retain(|h| !self.frequent.contains(h));
        out
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = s
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

struct Opts {
    corpus: PathBuf,
    dir: PathBuf,
    docs: u32,
    add: u32,
    commit: u32,
    queries: u32,
    backend: String,
    crash: bool,
    kill_after: f64,
    child: bool,
}

fn open(name: &str, dir: &Path) -> Res<Box<dyn Backend>> {
    std::fs::create_dir_all(dir)?;
    Ok(match name {
        "sqlite" => Box::new(Sqlite::open(dir)?),
        "redb" => Box::new(Redb::open(dir)?),
        other => return Err(format!("unknown backend {other}").into()),
    })
}

/// Adds documents `from..to` into generation `gen`, looking up gens `0..=gen`
/// first; a commit every `commit` documents; `ack` after each commit.
fn add_docs(
    b: &mut dyn Backend,
    c: &Corpus,
    from: u32,
    to: u32,
    gen: u16,
    commit: u32,
    ack: &mut dyn FnMut(u32),
) -> Res<u64> {
    let mut found = 0u64;
    let mut d = from;
    let (mut t_read, mut t_write, mut t_commit) = (0.0, 0.0, 0.0);
    while d < to {
        let end = (d + commit).min(to);
        let t0 = Instant::now();
        let mut in_txn = 0.0;
        b.write(&mut |w| {
            let mut out = Vec::new();
            for doc in d..end {
                let hs = c.hashes(doc);
                let t = Instant::now();
                for &h in &hs {
                    for g in 0..=gen {
                        w.postings(g, h, &mut out)?;
                    }
                }
                t_read += t.elapsed().as_secs_f64();
                found += out.len() as u64;
                out.clear();
                let t = Instant::now();
                for &h in &hs {
                    w.put_posting(gen, h, doc)?;
                }
                w.put_text(doc, c.text(doc).as_bytes())?;
                t_write += t.elapsed().as_secs_f64();
            }
            in_txn = t0.elapsed().as_secs_f64();
            Ok(())
        })?;
        t_commit += t0.elapsed().as_secs_f64() - in_txn;
        d = end;
        ack(d);
    }
    if to - from < u32::MAX / 4 {
        println!("  lookups {t_read:.1} s, inserts {t_write:.1} s, commits {t_commit:.1} s");
    }
    Ok(found)
}

/// Fills `c.frequent` from the first `docs` documents.
fn find_frequent(c: &mut Corpus, docs: u32) {
    let mut posts: Vec<u64> = (0..docs).flat_map(|d| c.hashes(d)).collect();
    posts.sort_unstable();
    for run in posts.chunk_by(|a, b| a == b) {
        if run.len() > 64 {
            c.frequent.insert(run[0]);
        }
    }
}

fn bench(name: &str, o: &Opts, c: &Corpus) -> Res<()> {
    let dir = o.dir.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let mut b = open(name, &dir)?;
    // 1. build
    let t = Instant::now();
    let cpu = cpu_secs();
    let mut posts: Vec<(u64, u32)> = Vec::new();
    for d in 0..o.docs {
        posts.extend(c.hashes(d).into_iter().map(|h| (h, d)));
    }
    posts.sort_unstable();
    let prep = t.elapsed().as_secs_f64();
    let t = Instant::now();
    b.bulk_write(&mut |w| {
        for d in 0..o.docs {
            w.put_text(d, c.text(d).as_bytes())?;
        }
        for &(h, d) in &posts {
            w.put_posting(0, h, d)?;
        }
        Ok(())
    })?;
    let build = t.elapsed().as_secs_f64();
    let size_build = dir_size(&dir);
    println!(
        "{name} build: {} docs, {} postings: {build:.1} s ({prep:.1} s preparing), {:.0} postings/s, {:.1} CPU-s, size {:.1} MB",
        o.docs,
        posts.len(),
        posts.len() as f64 / build,
        cpu_secs() - cpu,
        size_build as f64 / 1e6
    );
    drop(posts);
    // 2. add into gen 0, 3. add into gen 1
    for (gen, label) in [
        (0u16, "into the big generation"),
        (1, "into a new generation"),
    ] {
        let from = o.docs + u32::from(gen) * o.add;
        let t = Instant::now();
        let cpu = cpu_secs();
        let found = add_docs(
            b.as_mut(),
            c,
            from,
            from + o.add,
            gen,
            o.commit,
            &mut |_| {},
        )?;
        let s = t.elapsed().as_secs_f64();
        println!(
            "{name} add {} docs {label} (commit every {}): {s:.1} s, {:.0} docs/s, {:.1} CPU-s, {found} postings read",
            o.add,
            o.commit,
            o.add as f64 / s,
            cpu_secs() - cpu
        );
    }
    // 4. queries
    let mut lat = Vec::with_capacity(o.queries as usize);
    let mut rng = 0x1234_5678_9abc_def0u64;
    for _ in 0..o.queries {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let d = (rng >> 33) as u32 % o.docs;
        let mut q = c.hashes(d);
        q.extend(c.hashes(d + 1));
        q.extend(c.hashes(d + 2));
        q.truncate(360);
        let t = Instant::now();
        let mut docs = Vec::new();
        for &h in &q {
            for g in 0..=1 {
                b.postings(g, h, &mut docs)?;
            }
        }
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for x in docs {
            *counts.entry(x).or_default() += 1;
        }
        let mut top: Vec<(u32, u32)> = counts.into_iter().map(|(d, n)| (n, d)).collect();
        top.sort_unstable_by(|x, y| y.cmp(x));
        for &(_, d) in top.iter().take(5) {
            b.text(d)?;
        }
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "{name} query (360 hashes, 2 generations, 5 texts): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(&lat, 0.5),
        pct(&lat, 0.9),
        pct(&lat, 0.99),
        pct(&lat, 1.0)
    );
    drop(b);
    println!(
        "{name} size on disk after adds: {:.1} MB",
        dir_size(&dir) as f64 / 1e6
    );
    Ok(())
}

/// The crash test's child: adds documents forever, printing each acknowledged count.
fn child(name: &str, o: &Opts, c: &Corpus) -> Res<()> {
    let dir = o.dir.join(format!("crash-{name}"));
    let mut b = open(name, &dir)?;
    let start = b.max_doc()?.map_or(0, |d| d + 1);
    let mut out = std::io::stdout().lock();
    add_docs(b.as_mut(), c, start, u32::MAX / 2, 0, o.commit, &mut |n| {
        let _ = writeln!(out, "acked {n}");
        let _ = out.flush();
    })?;
    Ok(())
}

fn crash(name: &str, o: &Opts, c: &Corpus) -> Res<()> {
    let dir = o.dir.join(format!("crash-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let exe = std::env::current_exe()?;
    for round in 0..3 {
        let mut ch = std::process::Command::new(&exe)
            .args(["--child", "--backend", name, "--corpus"])
            .arg(&o.corpus)
            .arg("--dir")
            .arg(&o.dir)
            .args(["--commit", &o.commit.to_string()])
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let stdout = ch.stdout.take().ok_or("no stdout")?;
        let acked = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let a2 = acked.clone();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(n) = line.strip_prefix("acked ") {
                    a2.store(n.parse().unwrap_or(0), std::sync::atomic::Ordering::SeqCst);
                }
            }
        });
        std::thread::sleep(Duration::from_secs_f64(o.kill_after));
        let killed_at = acked.load(std::sync::atomic::Ordering::SeqCst);
        // SIGKILL
        std::process::Command::new("kill")
            .args(["-KILL", &ch.id().to_string()])
            .status()?;
        ch.wait()?;
        reader.join().map_err(|_| "reader thread")?;
        let acked = acked
            .load(std::sync::atomic::Ordering::SeqCst)
            .max(killed_at);
        let t = Instant::now();
        let b = open(name, &dir)?;
        let reopen = t.elapsed().as_secs_f64();
        let n = b.max_doc()?.map_or(0, |d| d + 1);
        let mut missing = 0;
        for d in 0..n {
            if b.text(d)?.is_none() {
                missing += 1;
            }
        }
        let posts = b.count_postings(0, None)?;
        let want: u64 = (0..n).map(|d| c.hashes(d).len() as u64).sum();
        println!(
            "{name} crash round {round}: acknowledged {acked}, found {n} documents ({missing} missing), postings {posts} of {want}, reopened in {reopen:.3} s: {}",
            if n >= acked && missing == 0 && posts == want { "consistent" } else { "LOST OR TORN" }
        );
    }
    Ok(())
}

fn main() -> Res<()> {
    let mut o = Opts {
        corpus: PathBuf::new(),
        dir: PathBuf::from("backends-bench"),
        docs: 200_000,
        add: 5000,
        commit: 256,
        queries: 1000,
        backend: "both".into(),
        crash: false,
        kill_after: 3.0,
        child: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--corpus" => o.corpus = val()?.into(),
            "--dir" => o.dir = val()?.into(),
            "--docs" => o.docs = val()?.parse()?,
            "--add" => o.add = val()?.parse()?,
            "--commit" => o.commit = val()?.parse()?,
            "--queries" => o.queries = val()?.parse()?,
            "--backend" => o.backend = val()?,
            "--kill-after" => o.kill_after = val()?.parse()?,
            "--crash" => o.crash = true,
            "--child" => o.child = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let mut c = Corpus::read(&o.corpus, 100_000)?;
    if !o.crash && !o.child {
        // the steady state: stock phrases are already over the cut-off when
        // documents are added
        find_frequent(&mut c, o.docs + 2 * o.add);
    }
    let names: Vec<&str> = match o.backend.as_str() {
        "both" => vec!["sqlite", "redb"],
        x => vec![if x == "redb" { "redb" } else { "sqlite" }],
    };
    for name in names {
        if o.child {
            child(name, &o, &c)?;
        } else if o.crash {
            crash(name, &o, &c)?;
        } else {
            bench(name, &o, &c)?;
        }
    }
    Ok(())
}
