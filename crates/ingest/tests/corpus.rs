//! Corpus reading through the public API, on files written by the tests.

use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use whence_ingest::{
    Compression, Corpus, CorpusOptions, CorpusSpec, Documents, Format, IdRegistry, Input,
    OpenError, ReadStats, Record, Skip, SkipKind, SkipReason, Warning,
};

fn opts(inputs: &[&Path]) -> CorpusOptions {
    CorpusSpec::with_inputs(inputs.iter().copied())
        .validate()
        .unwrap()
}

fn read(opts: &CorpusOptions) -> (Vec<Result<Record, Skip>>, ReadStats) {
    let mut docs = Corpus::open(opts).unwrap().documents();
    let items: Vec<_> = docs.by_ref().collect();
    (items, docs.into_stats())
}

fn split(items: Vec<Result<Record, Skip>>) -> (Vec<Record>, Vec<Skip>) {
    let mut recs = Vec::new();
    let mut skips = Vec::new();
    for i in items {
        match i {
            Ok(r) => recs.push(r),
            Err(s) => skips.push(s),
        }
    }
    (recs, skips)
}

fn ids(recs: &[Record]) -> Vec<&str> {
    recs.iter().map(|r| r.doc.id.as_str()).collect()
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    path.to_path_buf()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).unwrap()
}

/// `n` JSONL lines with ids `d1..dn` and texts of a few sentences each.
fn jsonl_lines(n: usize) -> String {
    (1..=n)
        .map(|i| {
            format!(
                "{{\"id\":\"d{i}\",\"text\":\"Document {i} says something about item {} and more words follow here.\"}}\n",
                i * 7919 % 1000
            )
        })
        .collect()
}

#[test]
fn nested_text_dirs_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("b/z.txt"), "zed");
    write(&d.join("b/a.text"), "a in b");
    write(&d.join("a.txt"), "top a");
    write(&d.join("c/d/e.TXT"), "deep");
    write(&d.join("b.txt"), "b file");
    write(&d.join("notes.md"), "ignored");
    write(&d.join("c/page.html"), "<html><body><article><p>The page's main text is long enough to be an article paragraph about the flood barriers.</p></article></body></html>");
    write(&d.join("c/photo.jpg"), "ignored");
    write(&d.join("c/empty.txt"), "");
    write(&d.join("c/blob.txt"), b"PK\x03\x04\x00\x00rest");
    let (items, stats) = read(&opts(&[d]));
    let (recs, skips) = split(items);
    // Path order: a.txt, b/ (a.text, z.txt), b.txt, c/ (blob, d/e, empty, page).
    // ids: paths relative to the directory given, without extensions
    assert_eq!(ids(&recs), ["a", "b/a", "b/z", "b", "c/d/e", "c/page"]);
    assert!(
        recs[5].doc.text.contains("main text is long enough"),
        "HTML is extracted"
    );
    assert_eq!(recs[1].doc.text, "a in b");
    assert_eq!(
        recs[1].input.as_ref(),
        d.join("b/a.text").display().to_string()
    );
    assert_eq!(recs[1].line, None);
    assert!(recs[1].warnings.is_empty());
    let reasons: Vec<_> = skips.iter().map(|s| s.reason.clone()).collect();
    assert_eq!(
        reasons,
        [SkipReason::Binary { offset: 4 }, SkipReason::EmptyText]
    );
    assert_eq!(stats.files_read, 8);
    assert_eq!(stats.files_ignored, 2);
    assert_eq!(stats.documents, 6);
    assert_eq!(stats.skipped_total(), 2);
    assert_eq!(stats.renamed_ids, 0);
    let line = stats.to_string();
    assert!(
        line.starts_with("read 8 files (0.0 MB): 6 documents; skipped 2 (1 empty text, 1 binary); 2 files ignored (unsupported extension, e.g. "),
        "{line}"
    );
}

#[test]
fn listed_files_read_one_by_one_give_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("b/z.txt"), "zed");
    write(&d.join("b/a.text"), "a in b");
    write(&d.join("a.txt"), "top a");
    write(&d.join("notes.md"), "ignored");
    write(&d.join("c/empty.txt"), "");
    write(
        &d.join("c/x.jsonl"),
        "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"a\",\"text\":\"y\"}\n",
    );
    let extra = write(&d.join("../extra.txt"), "extra");
    let all = opts(&[d, &extra]);
    let (items, _) = read(&all);
    let (want, want_skips) = split(items);
    let listing = Corpus::open(&all).unwrap().files();
    assert_eq!(listing.stats.files_ignored, 1);
    assert!(listing.skips.is_empty());
    assert_eq!(listing.inputs.len(), 6);
    assert_eq!(listing.inputs[5].input, Input::Path(extra.clone()));
    // each file alone, ids renamed across files in listing order from the
    // original ids (a file's own renaming undone through its warnings)
    let mut registry = IdRegistry::default();
    let (mut got, mut skips) = (Vec::new(), Vec::new());
    for file in &listing.inputs {
        let alone = Corpus::open_listed(&all, file).unwrap();
        let items: Vec<_> = alone.documents().collect();
        let (recs, s) = split(items);
        skips.extend(s);
        for mut r in recs {
            let original = r
                .warnings
                .iter()
                .find_map(|w| match w {
                    Warning::DuplicateId { id, .. } => Some(id.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| r.doc.id.to_string());
            let id = registry.claim(&original).unwrap_or(original);
            r.doc.id = whence_core::DocId::new(id);
            got.push(r);
        }
    }
    assert_eq!(ids(&got), ids(&want));
    // text files under the directory are named by their path in it, after the
    // directory's name (two inputs); the JSONL ids are its own
    let top = d.file_name().unwrap().to_string_lossy().into_owned();
    let want_ids = [
        format!("{top}/a"),
        format!("{top}/b/a"),
        format!("{top}/b/z"),
        "a".into(),
        "a#2".into(),
        "extra".into(),
    ];
    assert_eq!(ids(&want), want_ids);
    let texts = |r: &[Record]| r.iter().map(|x| x.doc.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&got), texts(&want));
    assert_eq!(skips, want_skips);
}

#[test]
fn files_in_the_order_given_then_directories() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let z = write(&d.join("z.txt"), "z");
    let sub = d.join("sub");
    write(&sub.join("y.txt"), "y");
    write(&sub.join("x.jsonl"), "{\"id\":\"x1\",\"text\":\"x\"}\n");
    let (items, _) = read(&opts(&[&z, &sub]));
    let (recs, _) = split(items);
    // several inputs: a directory's files are named after it
    assert_eq!(ids(&recs), ["z", "x1", "sub/y"]);
    assert_eq!(recs[1].line, Some(1));
}

#[test]
fn jsonl_with_custom_field_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir.path().join("c.ndjson"),
        concat!(
            "{\"doc_id\":\"n1\",\"body\":\"First.\",\"headline\":\"H1\",\"published\":\"2020-01-02\",\"outlet\":\"Wire\",\"link\":\"http://a\"}\n",
            "\n",
            "{\"doc_id\":\"n2\",\"body\":\"Second.\",\"text\":\"not this\"}\n",
            "{\"doc_id\":\"n3\",\"text\":\"no body\"}\n",
        ),
    );
    let o = CorpusSpec {
        id_field: Some("doc_id".into()),
        text_field: Some("body".into()),
        title_field: Some("headline".into()),
        date_field: Some("published".into()),
        source_field: Some("outlet".into()),
        url_field: Some("link".into()),
        ..CorpusSpec::with_inputs([&p])
    }
    .validate()
    .unwrap();
    let (items, stats) = read(&o);
    let (recs, skips) = split(items);
    assert_eq!(ids(&recs), ["n1", "n2"]);
    let m = &recs[0].doc.meta;
    assert_eq!(
        (
            m.title.as_deref(),
            m.date.as_deref(),
            m.site.as_deref(),
            m.url.as_deref()
        ),
        (
            Some("H1"),
            Some("2020-01-02"),
            Some("Wire"),
            Some("http://a")
        )
    );
    assert_eq!(recs[1].doc.text, "Second.");
    assert_eq!(recs[1].line, Some(3));
    assert_eq!(skips.len(), 1);
    assert_eq!(
        skips[0].to_string(),
        format!("{}:4: no `body` field; line skipped", p.display())
    );
    assert_eq!(stats.blank_lines, 1);
    assert_eq!(stats.skipped[&SkipKind::MissingField], 1);
}

#[test]
fn gzip_and_zstd_multi_member() {
    let dir = tempfile::tempdir().unwrap();
    let lines = jsonl_lines(10);
    let (head, tail) = lines.split_at(lines.find("{\"id\":\"d6\"").unwrap());
    // Two gzip members, two zstd frames: concatenated streams read as one.
    let mut gz = gzip(head.as_bytes());
    gz.extend(gzip(tail.as_bytes()));
    let mut zs = zstd(head.as_bytes());
    zs.extend(zstd(tail.as_bytes()));
    let a = write(&dir.path().join("a.jsonl.gz"), gz);
    let b = write(&dir.path().join("b.jsonl.zst"), zs);
    let c = write(
        &dir.path().join("c.json.gz"),
        gzip(b"{\"text\":\"c json\"}"),
    );
    let t = write(
        &dir.path().join("t.txt.gz"),
        gzip("gzipped text".as_bytes()),
    );
    let (items, stats) = read(&opts(&[&a, &b, &c, &t]));
    let (recs, skips) = split(items);
    assert!(skips.is_empty(), "{skips:?}");
    assert_eq!(recs.len(), 22);
    assert_eq!(recs[9].doc.id.as_str(), "d10");
    assert_eq!(recs[10].doc.id.as_str(), "d1#2");
    assert_eq!(recs[20].doc.id.as_str(), "c:1");
    assert_eq!(recs[21].doc.id.as_str(), "t");
    assert_eq!(recs[21].doc.text, "gzipped text");
    assert_eq!(stats.renamed_ids, 10);
    let raw: u64 = [&a, &b, &c, &t]
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert_eq!(stats.bytes_read, raw);
    assert_eq!(
        stats.bytes_decoded,
        2 * lines.len() as u64 + 17 + "gzipped text".len() as u64
    );
}

/// Cuts a compressed stream at 60% and checks: a prefix of the lines is read in
/// order, then exactly one skip says the stream is truncated and how many lines
/// came before.
fn check_truncated(name: &str, n: usize, compressed: Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let cut = compressed.len() * 6 / 10;
    let p = write(&dir.path().join(name), &compressed[..cut]);
    let (items, stats) = read(&opts(&[&p]));
    let (recs, skips) = split(items);
    let k = recs.len();
    assert!(k > n / 4 && k < n, "{k} of {n} lines read");
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r.doc.id.as_str(), format!("d{}", i + 1));
        assert_eq!(r.line, Some(i as u64 + 1));
    }
    assert_eq!(skips.len(), 1, "{skips:?}");
    assert_eq!(
        skips[0].reason,
        SkipReason::Truncated {
            lines_read: Some(k as u64)
        }
    );
    assert_eq!(skips[0].line, Some(k as u64 + 1));
    assert!(skips[0].to_string().contains(&format!(
        "compressed stream ends early (truncated); the {k} line(s) before were read"
    )));
    assert_eq!(stats.skipped[&SkipKind::Truncated], 1);
}

#[test]
fn truncated_gzip_keeps_the_lines_before_the_cut() {
    check_truncated("t.jsonl.gz", 2000, gzip(jsonl_lines(2000).as_bytes()));
}

#[test]
fn truncated_zstd_keeps_the_lines_before_the_cut() {
    // zstd emits whole blocks of up to 128 KiB: enough of them for a cut to fall late.
    check_truncated("t.jsonl.zst", 20_000, zstd(jsonl_lines(20_000).as_bytes()));
}

#[test]
fn corrupt_gzip_is_reported_and_the_next_file_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = gzip(jsonl_lines(2000).as_bytes());
    // Garbage after a complete member: MultiGzDecoder expects another gzip header.
    gz.extend_from_slice(b"this is not gzip");
    let bad = write(&dir.path().join("a.jsonl.gz"), gz);
    let good = write(&dir.path().join("b.txt"), "still read");
    let (items, _) = read(&opts(&[&bad, &good]));
    let (recs, skips) = split(items);
    assert_eq!(recs.len(), 2001);
    assert_eq!(recs[2000].doc.text, "still read");
    assert_eq!(skips.len(), 1);
    assert!(
        matches!(
            &skips[0].reason,
            SkipReason::Corrupt {
                lines_read: Some(2000),
                ..
            }
        ),
        "{:?}",
        skips[0]
    );
}

#[test]
fn bad_lines_are_skipped_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = Vec::new();
    content.extend_from_slice(b"{\"id\":7,\"text\":\"numeric id\"}\n");
    content.extend_from_slice(b"{\"id\":\"x\",\"text\":\"unterminated}\n");
    content.extend_from_slice(b"{\"id\":\"y\"}\n");
    content.extend_from_slice(b"{\"id\":\"z\",\"text\":\"bad \x81 byte\"}\n");
    content.extend_from_slice(b"   \r\n");
    content.extend_from_slice(b"{\"id\":\"big\",\"text\":\"0123456789abcdefghij\"}\n");
    content.extend_from_slice(b"{\"id\":7,\"text\":\"same id\"}\n");
    content.extend_from_slice(b"{\"id\":\"7#2\",\"text\":\"taken suffix\"}\n");
    content.extend_from_slice(b"{\"id\":\"e\",\"text\":\"\"}");
    let p = write(&dir.path().join("mixed.jsonl"), &content);
    let o = CorpusSpec {
        max_doc_bytes: Some(16),
        ..CorpusSpec::with_inputs([&p])
    }
    .validate()
    .unwrap();
    let (items, stats) = read(&o);
    let (recs, skips) = split(items);
    assert_eq!(ids(&recs), ["7", "7#2", "7#2#2"]);
    assert_eq!(
        recs.iter().map(|r| r.line.unwrap()).collect::<Vec<_>>(),
        [1, 7, 8]
    );
    assert!(
        matches!(&recs[1].warnings[..], [Warning::DuplicateId { line: Some(7), renamed, .. }] if renamed == "7#2")
    );
    let f = p.display().to_string();
    let msgs: Vec<String> = skips.iter().map(|s| s.to_string()).collect();
    assert_eq!(msgs.len(), 5, "{msgs:#?}");
    assert!(
        msgs[0].starts_with(&format!(
            "{f}:2: malformed JSON (EOF while parsing a string"
        )),
        "{}",
        msgs[0]
    );
    assert_eq!(msgs[1], format!("{f}:3: no `text` field; line skipped"));
    assert_eq!(
        msgs[2],
        format!("{f}:4: invalid UTF-8 at byte 22, and no other encoding explains the bytes; skipped (--lossy replaces them with U+FFFD, --encoding NAME forces an encoding)")
    );
    assert_eq!(
        msgs[3],
        format!("{f}:6: document of 20 bytes exceeds the 16-byte limit; skipped, not truncated")
    );
    assert_eq!(msgs[4], format!("{f}:9: empty text; skipped"));
    assert_eq!(stats.documents, 3);
    assert_eq!(stats.blank_lines, 1);
    assert_eq!(stats.renamed_ids, 2);
    assert_eq!(stats.bytes_decoded, content.len() as u64);
}

#[test]
fn oversized_text_file_and_overlong_line() {
    let dir = tempfile::tempdir().unwrap();
    let big = write(&dir.path().join("big.txt"), "x".repeat(100));
    let big_gz = write(
        &dir.path().join("big2.txt.gz"),
        gzip("y".repeat(100).as_bytes()),
    );
    // With a 10-byte document limit the line limit is 4×10 + 1 MiB.
    let long_line = format!(
        "{{\"text\":\"{}\"}}\n{{\"text\":\"ok\"}}\n",
        "z".repeat(1_100_000)
    );
    let long = write(&dir.path().join("long.jsonl"), long_line);
    let o = CorpusSpec {
        max_doc_bytes: Some(10),
        ..CorpusSpec::with_inputs([&big, &big_gz, &long])
    }
    .validate()
    .unwrap();
    let (items, _) = read(&o);
    let (recs, skips) = split(items);
    assert_eq!(ids(&recs), ["long:2"]);
    let reasons: Vec<_> = skips.iter().map(|s| (s.line, s.reason.clone())).collect();
    assert_eq!(
        reasons,
        [
            (
                None,
                SkipReason::TooLarge {
                    bytes: 100,
                    limit: 10
                }
            ),
            (
                None,
                SkipReason::TooLarge {
                    bytes: 100,
                    limit: 10
                }
            ),
            (
                Some(1),
                SkipReason::LineTooLong {
                    bytes: 1_100_011,
                    limit: 40 + (1 << 20)
                }
            ),
        ]
    );
}

#[test]
fn lossy_replaces_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let j = write(&dir.path().join("a.jsonl"), b"{\"text\":\"a\x81b\"}\n");
    let t = write(&dir.path().join("b.txt"), b"c\x81d");
    let o = CorpusSpec {
        lossy: true,
        ..CorpusSpec::with_inputs([&j, &t])
    }
    .validate()
    .unwrap();
    let (items, stats) = read(&o);
    let (recs, skips) = split(items);
    assert!(skips.is_empty());
    assert_eq!(recs[0].doc.text, "a\u{fffd}b");
    assert_eq!(recs[1].doc.text, "c\u{fffd}d");
    assert!(matches!(
        recs[0].warnings[..],
        [Warning::ReplacedInvalidUtf8InLine {
            line: 1,
            first_offset: 10,
            count: 1,
            ..
        }]
    ));
    assert!(matches!(
        recs[1].warnings[..],
        [Warning::ReplacedInvalidUtf8 {
            first_offset: 1,
            ..
        }]
    ));
    assert_eq!(stats.warnings, 2);
}

#[test]
fn empty_and_binary_jsonl_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(&dir.path().join("empty.jsonl"), "");
    let blank = write(&dir.path().join("blank.jsonl"), "\n\n  \n");
    // gzip data under a .jsonl name: its header holds NUL bytes.
    let gz = write(
        &dir.path().join("packed.jsonl"),
        gzip(jsonl_lines(50).as_bytes()),
    );
    let (items, stats) = read(&opts(&[&empty, &blank, &gz]));
    let (recs, skips) = split(items);
    assert!(recs.is_empty());
    assert_eq!(skips.len(), 1);
    assert!(matches!(skips[0].reason, SkipReason::Binary { .. }));
    assert_eq!(skips[0].line, Some(1));
    assert_eq!(stats.files_read, 3);
    assert_eq!(stats.blank_lines, 3);
}

#[test]
fn open_errors_and_unreadable_entries() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.jsonl");
    let e = Corpus::open(&opts(&[&missing])).err().unwrap();
    assert!(matches!(e, OpenError::Missing { .. }));
    let md = write(&dir.path().join("x.md"), "m");
    let e = Corpus::open(&opts(&[&md])).err().unwrap();
    assert!(e.to_string().contains("unsupported file type"), "{e}");

    #[cfg(unix)]
    {
        let d = dir.path().join("d");
        write(&d.join("a.txt"), "a");
        write(&d.join("c.txt"), "c");
        std::os::unix::fs::symlink(d.join("gone.txt"), d.join("b.txt")).unwrap();
        std::os::unix::fs::symlink(&d, d.join("loop")).unwrap();
        let (items, stats) = read(&opts(&[&d]));
        let (recs, skips) = split(items);
        assert_eq!(ids(&recs), ["a", "c"]);
        assert_eq!(skips.len(), 1);
        assert_eq!(skips[0].input, d.join("b.txt").display().to_string());
        assert!(matches!(skips[0].reason, SkipReason::Unreadable { .. }));
        assert_eq!(stats.links_not_followed, 1);
    }
}

#[test]
fn documents_can_move_to_another_thread() {
    fn is_send<T: Send>(_: &T) {}
    let docs = Corpus::open(&opts(&[Path::new(".")])).unwrap().documents();
    is_send(&docs);
}

#[test]
fn generic_reader_path() {
    let o = opts(&[Path::new("unused")]);
    let data = gzip(b"{\"id\":\"r\",\"text\":\"from a reader\"}\n{\"text\":\"two\"}\n");
    let docs = Documents::from_reader(
        "upload.jsonl.gz",
        Box::new(std::io::Cursor::new(data)),
        Format::Jsonl(Compression::Gzip),
        &o,
    );
    let (recs, skips) = split(docs.collect());
    assert!(skips.is_empty());
    assert_eq!(ids(&recs), ["r", "upload:2"]);
    assert_eq!(recs[0].input.as_ref(), "upload.jsonl.gz");
    let docs = Documents::from_reader(
        "<stdin>",
        Box::new(std::io::Cursor::new(b"one whole text\n".to_vec())),
        Format::Text(Compression::None),
        &o,
    );
    let (recs, _) = split(docs.collect());
    assert_eq!(recs[0].doc.text, "one whole text\n");
}

fn collect_with_threads(o: &CorpusOptions, threads: usize) -> Vec<Result<Record, Skip>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| read(o).0)
}

#[test]
fn output_does_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = jsonl_lines(5000);
    content.push_str("{broken\n");
    content.push_str(&jsonl_lines(3000));
    let p = write(&dir.path().join("a.jsonl.zst"), zstd(content.as_bytes()));
    let o = opts(&[&p]);
    let one = collect_with_threads(&o, 1);
    let two = collect_with_threads(&o, 2);
    assert_eq!(one.len(), 8001);
    assert_eq!(one, two);
}

/// The natural corpora, when present beside the project: every line is a document.
#[test]
fn news_corpora_read_whole() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/news");
    if !base.exists() {
        eprintln!("skipped: {} not found", base.display());
        return;
    }
    for (name, expected) in [
        ("reuters21578.jsonl.gz", 19_043),
        ("huffpost.jsonl.gz", 7_943),
        ("bbc.jsonl.gz", 2_225),
    ] {
        let (items, stats) = read(&opts(&[&base.join(name)]));
        assert_eq!(stats.documents, expected, "{name}: {stats}");
        assert_eq!(stats.skipped_total(), 0, "{name}: {stats}");
        assert_eq!(items.len() as u64, expected);
    }
}

/// One generated JSONL line: valid objects of several shapes, near-misses, garbage.
fn arb_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-z ]{0,20}".prop_map(|t| format!("{{\"id\":\"i\",\"text\":\"{t}\"}}").into_bytes()),
        (0u32..5)
            .prop_map(|i| format!("{{\"id\":{i},\"text\":\"t{i}\",\"title\":[1]}}").into_bytes()),
        "[a-z]{0,8}".prop_map(|t| format!("{{\"text\":\"{t}\"").into_bytes()),
        Just(b"{\"id\":\"no text\"}".to_vec()),
        Just(b"{\"text\":null}".to_vec()),
        Just(b"[1,2]".to_vec()),
        Just(b"   ".to_vec()),
        Just(b"\r".to_vec()),
        Just(Vec::new()),
        proptest::collection::vec(1u8..=255, 0..30)
            .prop_map(|v| v.into_iter().filter(|&b| b != b'\n').collect()),
        proptest::collection::vec(1u8..=255, 0..10).prop_map(|v| {
            let mut l = b"{\"text\":\"".to_vec();
            l.extend(
                v.into_iter()
                    .filter(|&b| b != b'\n' && b != b'"' && b != b'\\'),
            );
            l.extend_from_slice(b"\"}");
            l
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every non-blank line is accounted for exactly once, by a record or a skip
    /// carrying its line number, in order; blank lines are only counted.
    #[test]
    fn every_line_accounted_for_once(
        lines in proptest::collection::vec(arb_line(), 0..60),
        final_newline in any::<bool>(),
        gz in any::<bool>(),
        lossy in any::<bool>(),
    ) {
        let mut content = lines.join(&b'\n');
        if final_newline && !lines.is_empty() {
            content.push(b'\n');
        }
        // The line containing the first non-blank byte may not hold a NUL (that is
        // the binary-file rule); the generator never makes NUL bytes.
        let expected: Vec<u64> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')))
            .map(|(i, _)| i as u64 + 1)
            .collect();
        // Lines as a reader sees them: a last line without `\n` counts, an empty
        // file has none.
        let seen = content.iter().filter(|&&b| b == b'\n').count()
            + usize::from(content.last().is_some_and(|&b| b != b'\n'));
        let blanks = seen - expected.len();
        let (bytes, format) = if gz {
            (gzip(&content), Format::Jsonl(Compression::Gzip))
        } else {
            (content, Format::Jsonl(Compression::None))
        };
        let o = CorpusSpec { lossy, max_doc_bytes: Some(12), ..CorpusSpec::with_inputs(["x"]) }
            .validate()
            .unwrap();
        let mut docs = Documents::from_reader("p.jsonl", Box::new(std::io::Cursor::new(bytes)), format, &o);
        let got: Vec<u64> = docs
            .by_ref()
            .map(|item| match item {
                Ok(r) => r.line.unwrap(),
                Err(s) => s.line.unwrap(),
            })
            .collect();
        prop_assert_eq!(&got, &expected);
        let stats = docs.into_stats();
        prop_assert_eq!(stats.documents + stats.skipped_total(), expected.len() as u64);
        prop_assert_eq!(stats.blank_lines, blanks as u64);
    }
}

#[test]
fn legacy_encodings_are_decoded_and_reported_once_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Latin-1 JSON lines: £, é and curly quotes (windows-1252) intact
    let mut lines = Vec::new();
    lines.extend_from_slice(b"{\"id\":\"a\",\"text\":\"The caf\xe9 was fined \xa3250.\"}\n");
    lines.extend_from_slice(b"{\"id\":\"b\",\"text\":\"plain ASCII\"}\n");
    lines.extend_from_slice(b"{\"id\":\"c\",\"text\":\"He said \x93no\x94 to the \xa35 fee.\"}\n");
    let j = write(&d.join("latin1.jsonl"), &lines);
    let t = write(
        &d.join("story.txt"),
        b"Court fined the caf\xe9 owner \xa3400 \x96 a \x93first\x94.",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "{\"id\":\"u\",\"text\":\"naïve — £3\"}\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let u = write(&d.join("wide.jsonl"), &utf16);
    let (items, stats) = read(&opts(&[&j, &t, &u]));
    let (recs, skips) = split(items);
    assert!(skips.is_empty(), "{skips:?}");
    assert_eq!(recs[0].doc.text, "The café was fined £250.");
    assert_eq!(
        recs[2].doc.text,
        "He said \u{201c}no\u{201d} to the £5 fee."
    );
    assert_eq!(
        recs[3].doc.text,
        "Court fined the café owner £400 \u{2013} a \u{201c}first\u{201d}."
    );
    assert_eq!(recs[4].doc.text, "naïve — £3");
    // one notice per file, every document counted
    let notices: Vec<String> = recs
        .iter()
        .flat_map(|r| r.warnings.iter().map(|w| w.to_string()))
        .collect();
    assert_eq!(notices.len(), 2, "{notices:#?}");
    assert!(notices[0].ends_with("latin1.jsonl:1: not UTF-8; read as windows-1252, recognized from the bytes (--encoding NAME forces another)"));
    assert!(notices[1].contains("story.txt: not UTF-8; read as windows-1252"));
    assert_eq!(stats.decoded.get("windows-1252"), Some(&3));
    assert!(
        stats
            .to_string()
            .ends_with("; 3 documents read as windows-1252"),
        "{stats}"
    );
    // a forced encoding is applied and not reported
    let forced = CorpusSpec {
        encoding: Some("iso-8859-15".into()),
        ..CorpusSpec::with_inputs([&t])
    }
    .validate()
    .unwrap();
    let (items, stats) = read(&forced);
    let (recs, _) = split(items);
    assert!(recs[0]
        .doc
        .text
        .starts_with("Court fined the café owner £400"));
    assert!(recs[0].warnings.is_empty() && stats.decoded.is_empty());
}

#[test]
fn json_arrays_single_objects_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let arr = write(
        &d.join("arr.json"),
        "[\n  {\"id\": \"a\", \"text\": \"First.\"},\n  {\"id\": \"b\", \"text\": 3},\n  {\"id\": \"c\",\n   \"text\": \"Third.\"}\n]\n",
    );
    let one = write(
        &d.join("one.json"),
        "{\n  \"id\": \"solo\",\n  \"text\": \"Alone.\"\n}\n",
    );
    let lines = write(
        &d.join("lines.json"),
        "{\"id\":\"l1\",\"text\":\"x\"}\n{\"id\":\"l2\",\"text\":\"y\"}\n",
    );
    let broken = write(
        &d.join("broken.json"),
        "[{\"id\": \"z\", \"text\": \"ok\"},\n{\"id\": \"w\"",
    );
    let (items, stats) = read(&opts(&[&arr, &one, &lines, &broken]));
    let (recs, skips) = split(items);
    assert_eq!(ids(&recs), ["a", "c", "solo", "l1", "l2", "z"]);
    assert_eq!(
        recs[1].line,
        Some(4),
        "an element's line is where it starts"
    );
    let msgs: Vec<String> = skips.iter().map(|s| s.to_string()).collect();
    assert!(
        msgs[0].ends_with("arr.json:3: field `text` holds a number, not a string; line skipped"),
        "{msgs:?}"
    );
    assert!(
        msgs[1].contains("broken.json:2: malformed JSON"),
        "{msgs:?}"
    );
    assert!(
        msgs[2].contains("broken.json:2: malformed JSON (the array is not closed"),
        "{msgs:?}"
    );
    assert_eq!(stats.documents, 6);
}

#[test]
fn nested_field_paths_and_kept_fields() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir.path().join("n.jsonl"),
        "{\"meta\":{\"id\":\"m1\",\"outlet\":\"BBC\"},\"text\":\"One.\",\"author\":\"Ann\"}\n{\"text\":\"Two.\"}\n",
    );
    let o = CorpusSpec {
        id_field: Some("meta.id".into()),
        source_field: Some("meta.outlet".into()),
        keep_fields: true,
        ..CorpusSpec::with_inputs([&p])
    }
    .validate()
    .unwrap();
    let (items, _) = read(&o);
    let (recs, _) = split(items);
    assert_eq!(ids(&recs), ["m1", "n:2"]);
    assert_eq!(recs[0].doc.meta.site.as_deref(), Some("BBC"));
    let kept = recs[0].fields.as_ref().unwrap();
    assert_eq!(kept["author"], "Ann");
    assert!(kept.get("text").is_none(), "the text is not kept twice");
    // the id field was named but is missing: kept under the line, with a warning
    assert_eq!(
        recs[1].warnings[0].to_string(),
        format!(
            "{}:2: no id field `meta.id`; document kept as `n:2`",
            p.display()
        )
    );
}

#[test]
fn one_document_by_name_or_by_id() {
    use whence_ingest::{read_document, Input};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let news = write(
        &d.join("news.jsonl"),
        "{\"id\":\"a\",\"text\":\"Alpha.\"}\n{\"id\":\"b#x\",\"text\":\"Beta.\"}\n",
    );
    let gz = write(&d.join("story.txt.gz"), gzip(b"Gzipped story."));
    let o = opts(&[d]);
    let get = |arg: String| read_document(&Input::from_arg(arg), &o);
    assert_eq!(
        get(format!("{}#b#x", news.display())).unwrap().0.text,
        "Beta."
    );
    let (doc, _) = get(gz.display().to_string()).unwrap();
    assert_eq!(
        (doc.id.as_str(), doc.text.as_str()),
        ("story", "Gzipped story.")
    );
    let err = get(format!("{}#zz", news.display()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "{}: no document with id `zz` among its 2 documents (ids look like: a, b#x)",
            news.display()
        )
    );
    let err = get(news.display().to_string()).unwrap_err().to_string();
    assert!(
        err.contains("expected exactly one document here, found more than one; pick one as"),
        "{err}"
    );
    let err = get(d.display().to_string()).unwrap_err().to_string();
    assert!(
        err.ends_with("is a directory; name one file (trace and pairs read directories)"),
        "{err}"
    );
    let err = get(d.join("missing.txt").display().to_string())
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("missing.txt: cannot read: No such file or directory (os error 2)"),
        "{err}"
    );
}
