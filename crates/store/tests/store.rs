//! The store's contract: round trips, clear errors on bad directories, the
//! checked-in fixture of the current format version, readers during a write.

use std::path::{Path, PathBuf};

use whence_core::{Document, Passage, PassageKind, Relation, Span, Summary};
use whence_store::{NewDoc, Seq, Store, StoreError, FORMAT_VERSION};

const TEXTS: [&str; 2] = [
    "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents. Ünïcödé — “quotes”.",
    "BREAKING: Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents. Schools closed.",
];

fn summary() -> Summary {
    Summary {
        a_reused: 0.9,
        b_reused: 0.75,
        relation: Relation::BDerivedFromA,
        confidence: 0.8,
    }
}

fn passage() -> Passage {
    Passage {
        a: Span::new(0, 20),
        b: Span::new(10, 30),
        kind: PassageKind::Verbatim,
        score: 1.0,
    }
}

/// Writes the small index every test reads (and the fixture is made of).
fn fill(dir: &Path) -> Store {
    let store = Store::create(dir, "params of the fixture", false).unwrap();
    let mut w = store.write().unwrap();
    for (i, t) in TEXTS.iter().enumerate() {
        let mut doc = Document::new(format!("doc-{i}"), *t);
        doc.meta.title = Some(format!("Title {i}"));
        doc.meta.date = Some("2024-05-0{i}".replace("{i}", &(i + 1).to_string()));
        doc.meta.site = Some("example.org".into());
        doc.meta.url = Some(format!("https://example.org/{i}"));
        if i == 1 {
            doc.boilerplate = vec![Span::new(0, 9)];
            doc.forms = vec![Span::new(10, 20)];
        }
        let seq = w.next_seq().unwrap();
        assert_eq!(seq, Seq(i as u32));
        w.put_doc(
            seq,
            &NewDoc {
                doc: &doc,
                own_boilerplate: i == 1,
                signature: &[7, 8, 9],
                kept: 2,
            },
        )
        .unwrap();
        w.add_posting(0xdead_beef_0000_0001, seq).unwrap();
        w.add_posting(u64::MAX - i as u64, seq).unwrap();
        w.add_band(42, seq).unwrap();
        let s = w.add_site_docs("example.org", 1).unwrap();
        w.add_line(s, 99, 1).unwrap();
    }
    w.mark_frequent(5).unwrap();
    w.put_pair(Seq(0), Seq(1), &summary(), &[passage()])
        .unwrap();
    w.commit().unwrap();
    store
}

fn assert_contents(store: &Store) {
    let r = store.read().unwrap();
    for (i, t) in TEXTS.iter().enumerate() {
        let d = r.doc_by_id(&format!("doc-{i}")).unwrap().unwrap();
        assert_eq!(d.doc.text, *t, "text byte-identical");
        assert_eq!(d.seq, Seq(i as u32));
        assert_eq!(d.doc.meta.site.as_deref(), Some("example.org"));
        assert_eq!(d.doc.meta.url, Some(format!("https://example.org/{i}")));
        assert_eq!(d.own_boilerplate, i == 1);
        assert_eq!(r.signature(d.seq).unwrap().unwrap(), vec![7, 8, 9]);
        assert_eq!(r.kept(d.seq).unwrap(), Some(2));
    }
    let one = r.doc_by_id("doc-1").unwrap().unwrap().doc;
    assert_eq!(one.boilerplate, vec![Span::new(0, 9)]);
    assert_eq!(one.forms, vec![Span::new(10, 20)]);
    assert!(r.doc_by_id("doc-0").unwrap().unwrap().doc.forms.is_empty());
    let p = r
        .postings(&[0xdead_beef_0000_0001, u64::MAX, 5, 6])
        .unwrap();
    assert_eq!(p[0].docs, vec![Seq(0), Seq(1)]);
    assert_eq!(p[1].docs, vec![Seq(0)]);
    assert!(p[2].frequent && p[2].docs.is_empty());
    assert!(!p[3].frequent && p[3].docs.is_empty());
    assert_eq!(r.band_members(&[42]).unwrap(), vec![vec![Seq(0), Seq(1)]]);
    let (site, n) = r.site("example.org").unwrap().unwrap();
    assert_eq!(n, 2);
    assert_eq!(r.line_counts(site, &[99, 100]).unwrap(), vec![2, 0]);
    let pair = r.pair(Seq(0), Seq(1)).unwrap().unwrap();
    assert_eq!(pair.summary, summary());
    assert_eq!(pair.passages, vec![passage()]);
    let stats = r.stats().unwrap();
    assert_eq!((stats.docs, stats.pairs, stats.frequent_hashes), (2, 1, 1));
    let report = r.check(true).unwrap();
    assert!(report.is_ok(), "{report:?}");
}

#[test]
fn what_is_written_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = fill(dir.path());
    assert_contents(&store);
    drop(store);
    assert_contents(&Store::open(dir.path()).unwrap());
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/v{FORMAT_VERSION}"))
}

/// The index of the current format version checked into the tests: a format
/// change must bump the version and add a fixture (WHENCE_WRITE_FIXTURE=1 writes
/// this one).
#[test]
fn the_fixture_of_the_current_version_reads() {
    let dir = fixture();
    if std::env::var_os("WHENCE_WRITE_FIXTURE").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        drop(fill(&dir));
        for f in ["index.sqlite-wal", "index.sqlite-shm"] {
            let _ = std::fs::remove_file(dir.join(f));
        }
    }
    // read from a copy: opening writes the log beside the file
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("index.sqlite"), tmp.path().join("index.sqlite"))
        .expect("tests/fixtures holds an index of the current format version");
    assert_contents(&Store::open(tmp.path()).unwrap());
}

#[test]
fn bad_directories_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    // nothing there
    let missing = tmp.path().join("none");
    assert!(matches!(Store::open(&missing), Err(StoreError::Missing(_))));
    // a directory of other files
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "hello").unwrap();
    let e = Store::open(&other).unwrap_err();
    assert!(matches!(e, StoreError::NotAnIndex { .. }), "{e}");
    // garbage where the database should be
    let junk = tmp.path().join("junk");
    std::fs::create_dir(&junk).unwrap();
    std::fs::write(junk.join("index.sqlite"), vec![0x5a; 8192]).unwrap();
    let e = Store::open(&junk).unwrap_err();
    assert!(matches!(e, StoreError::NotAnIndex { .. }), "{e}");
    assert!(e.to_string().contains("is not a whence index"), "{e}");
    // another SQLite database
    let foreign = tmp.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    rusqlite_free_db(&foreign.join("index.sqlite"));
    let e = Store::open(&foreign).unwrap_err();
    assert!(matches!(e, StoreError::NotAnIndex { .. }), "{e}");
}

/// A valid SQLite file that is not a whence index: a copy of one with its
/// format magic overwritten.
fn rusqlite_free_db(path: &Path) {
    let dir = path.parent().unwrap().join("made");
    drop(fill(&dir));
    std::fs::copy(dir.join("index.sqlite"), path).unwrap();
    // flip the magic: replace the bytes of "whence-index" in the file
    let mut bytes = std::fs::read(path).unwrap();
    let magic = b"whence-index";
    let mut n = 0;
    for i in 0..bytes.len() - magic.len() {
        if &bytes[i..i + magic.len()] == magic {
            bytes[i..i + magic.len()].copy_from_slice(b"other-thing!");
            n += 1;
        }
    }
    assert!(n > 0);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn another_version_and_a_damaged_file_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    drop(fill(tmp.path()));
    // damage: overwrite pages in the middle of the file
    let damaged = tmp.path().join("damaged");
    std::fs::create_dir(&damaged).unwrap();
    let mut bytes = std::fs::read(tmp.path().join("index.sqlite")).unwrap();
    assert!(bytes.len() > 3 * 4096);
    for b in &mut bytes[4096..3 * 4096] {
        *b = 0xa5;
    }
    std::fs::write(damaged.join("index.sqlite"), bytes).unwrap();
    match Store::open(&damaged) {
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty());
        }
        Ok(s) => {
            // opened: the check or the reads must say what is wrong
            let r = s.read().unwrap();
            let bad = match r.check(true) {
                Ok(report) => !report.is_ok(),
                Err(_) => true,
            };
            assert!(bad, "a damaged index passed its check");
        }
    }
    // a build that never finished
    let unfinished = tmp.path().join("unfinished");
    let b = Store::bulk(&unfinished, "p", false).unwrap();
    drop(b);
    assert!(matches!(
        Store::open(&unfinished),
        Err(StoreError::Missing(_) | StoreError::NotAnIndex { .. })
    ));
    // an existing index is not replaced without force
    assert!(matches!(
        Store::create(tmp.path(), "p", false),
        Err(StoreError::Exists(_))
    ));
    Store::create(tmp.path(), "p", true).unwrap();
    assert_eq!(
        Store::open(tmp.path())
            .unwrap()
            .read()
            .unwrap()
            .doc_count()
            .unwrap(),
        0
    );
}

#[test]
fn readers_see_a_snapshot_while_a_write_is_open() {
    let tmp = tempfile::tempdir().unwrap();
    let store = fill(tmp.path());
    let mut w = store.write().unwrap();
    let doc = Document::new("doc-2", "A third document.");
    let seq = w.next_seq().unwrap();
    w.put_doc(
        seq,
        &NewDoc {
            doc: &doc,
            own_boilerplate: false,
            signature: &[],
            kept: 0,
        },
    )
    .unwrap();
    // another process's reader (a second Store on the same directory) is not
    // blocked and does not see the uncommitted document
    let other = Store::open_read_only(tmp.path()).unwrap();
    assert_eq!(other.read().unwrap().doc_count().unwrap(), 2);
    w.commit().unwrap();
    assert_eq!(other.read().unwrap().doc_count().unwrap(), 3);
    // a rolled-back write leaves nothing
    let mut w = store.write().unwrap();
    let doc = Document::new("doc-3", "Never committed.");
    let seq = w.next_seq().unwrap();
    w.put_doc(
        seq,
        &NewDoc {
            doc: &doc,
            own_boilerplate: false,
            signature: &[],
            kept: 0,
        },
    )
    .unwrap();
    drop(w);
    assert!(store.read().unwrap().doc_by_id("doc-3").unwrap().is_none());
}

#[test]
fn pairs_come_in_pages_by_id_either_way_and_filtered_by_relation() {
    let dir = tempfile::tempdir().unwrap();
    let store = fill(dir.path());
    let mut w = store.write().unwrap();
    let mut shared = summary();
    shared.relation = Relation::SharedSource;
    // more pairs between the two documents' numbers (the store does not check them)
    for (a, b) in [(0, 2), (1, 2), (0, 3)] {
        let s = if b == 2 { shared } else { summary() };
        w.put_pair(Seq(a), Seq(b), &s, &[passage()]).unwrap();
    }
    w.commit().unwrap();
    let r = store.read().unwrap();
    let ids = |v: Vec<whence_store::StoredPair>| v.iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(
        ids(r.pairs_page(None, None, None, None, 10, false).unwrap()),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        ids(r.pairs_page(Some(1), None, None, None, 2, false).unwrap()),
        vec![2, 3]
    );
    assert_eq!(
        ids(r.pairs_page(None, None, None, None, 3, true).unwrap()),
        vec![4, 3, 2]
    );
    assert_eq!(
        ids(r.pairs_page(None, Some(3), None, None, 10, true).unwrap()),
        vec![2, 1]
    );
    assert_eq!(
        ids(r
            .pairs_page(None, None, None, Some("shared_source"), 10, false)
            .unwrap()),
        vec![2, 3]
    );
    assert!(r
        .pairs_page(None, None, Some(i64::MAX), None, 10, false)
        .unwrap()
        .is_empty());
}

#[test]
fn multi_row_inserts_equal_single_rows() {
    // more rows than one multi-row statement holds, a duplicate, hashes with
    // the top bit set and not
    let mut rows: Vec<(u64, Seq)> = (0..700u32)
        .map(|i| {
            (
                (u64::from(i % 97)).wrapping_mul(0x9e37_79b9_7f4a_7c15),
                Seq(i),
            )
        })
        .collect();
    rows.push(rows[3]);
    let hashes: Vec<u64> = {
        let mut h: Vec<u64> = rows.iter().map(|r| r.0).collect();
        h.sort_unstable();
        h.dedup();
        h
    };
    let read = |many: bool| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "p", false).unwrap();
        let mut w = store.write().unwrap();
        if many {
            w.add_postings(&rows).unwrap();
            w.add_bands(&rows).unwrap();
        } else {
            for &(h, s) in &rows {
                w.add_posting(h, s).unwrap();
                w.add_band(h, s).unwrap();
            }
        }
        w.commit().unwrap();
        let r = store.read().unwrap();
        let posts: Vec<(u64, Vec<Seq>)> = r
            .postings(&hashes)
            .unwrap()
            .into_iter()
            .map(|p| (p.hash, p.docs))
            .collect();
        let st = r.stats().unwrap();
        (
            posts,
            r.band_members(&hashes).unwrap(),
            (st.postings, st.band_entries, st.generations),
        )
    };
    let (one, many) = (read(false), read(true));
    assert_eq!(one.0.len(), 97);
    assert_eq!(one.0.iter().map(|p| p.1.len()).sum::<usize>(), 700);
    assert_eq!(one.0, many.0);
    assert_eq!(one.1, many.1);
    assert_eq!(one.2, many.2);
    assert_eq!(one.2 .0, 700);
}

/// Indexes of older format versions are refused with a clear error that says
/// what to do, never read with the current layout.
#[test]
fn older_versions_are_refused() {
    for v in 1..FORMAT_VERSION {
        let old = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/v{v}"));
        let tmp = tempfile::tempdir().unwrap();
        std::fs::copy(old.join("index.sqlite"), tmp.path().join("index.sqlite"))
            .expect("tests/fixtures keeps an index of every older version");
        let e = Store::open(tmp.path()).unwrap_err();
        assert!(
            matches!(e, StoreError::Version { found, .. } if found == v),
            "{e}"
        );
        assert!(e.to_string().contains("rebuild it"), "{e}");
    }
}
