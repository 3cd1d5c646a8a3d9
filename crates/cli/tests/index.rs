//! `whence index`, run as a user runs it: build equals `pairs`, query equals
//! `trace`, a damaged index is a clear error, and a SIGKILL in the middle of
//! `index add` on a real corpus loses nothing acknowledged.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn whence() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_whence"));
    c.env("XDG_CACHE_HOME", repo().join("target/no-model-cache"))
        .env_remove("WHENCE_MODEL");
    c
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    whence().args(args).output().expect("the binary runs")
}

fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn lines(b: &[u8]) -> Vec<serde_json::Value> {
    let mut v: Vec<serde_json::Value> = String::from_utf8_lossy(b)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    v.sort_by_key(|x| x.to_string());
    v
}

/// A small JSONL corpus: wire stories, copies with additions, a partial
/// quote, unrelated stories, with sites and dates.
fn write_corpus(path: &Path) {
    let stories = [
        "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts, the regional emergency service said. Water rose by nearly two metres overnight after three days of heavy rain in the hills above the city.",
        "The central bank left its main interest rate unchanged on Thursday, saying inflation had eased for a third month but that wage growth remained too strong to allow a cut before the summer. Markets had expected the decision.",
        "A rare painting by a little-known Flemish master sold for eleven million euros at an auction in Brussels on Sunday evening, more than five times its estimate, after a bidding war between two private collectors.",
    ];
    let mut f = std::fs::File::create(path).unwrap();
    let mut n = 0;
    let mut put = |text: String, site: &str, date: &str| {
        let line =
            serde_json::json!({"id": format!("doc{n}"), "text": text, "site": site, "date": date});
        writeln!(f, "{line}").unwrap();
        n += 1;
    };
    for (i, s) in stories.iter().enumerate() {
        put(
            s.to_string(),
            "wire.example",
            &format!("2024-03-0{}", i + 1),
        );
        put(
            format!("{s} Officials will give an update tomorrow."),
            "daily.example",
            &format!("2024-03-0{}", i + 2),
        );
        put(
            format!("Our view. {} That is all we know.", &s[..120]),
            "blog.example",
            &format!("2024-03-1{i}"),
        );
        put(
            format!("An unrelated story number {i} about gardens, bicycles and the price of bread in small towns across the valley this spring."),
            "misc.example",
            "2024-02-01",
        );
    }
}

#[test]
fn build_records_the_pairs_of_pairs_and_query_prints_trace() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus.jsonl");
    write_corpus(&corpus);
    let idx = tmp.path().join("idx");
    let built = ok(run(&["index", "build", p(&corpus), "--index", p(&idx)]));
    assert!(String::from_utf8_lossy(&built.stderr).contains("reuse pairs recorded"));
    let from_index = ok(run(&["index", "pairs", "--index", p(&idx)]));
    let from_pairs = ok(run(&["pairs", p(&corpus), "--passages", "-q"]));
    let (a, b) = (lines(&from_index.stdout), lines(&from_pairs.stdout));
    assert!(a.len() >= 6, "{a:?}");
    assert_eq!(a, b);
    // a document of the corpus and one that is not in it
    let story = tmp.path().join("story.txt");
    std::fs::write(&story, "Commentary. Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts. We ask why.").unwrap();
    for json in [true, false] {
        let mut q = vec!["index", "query", p(&story), "--index", p(&idx)];
        let mut t = vec!["trace", p(&story), "--in", p(&corpus), "-q"];
        if json {
            q.push("--json");
            t.push("--json");
        }
        let (q, t) = (ok(run(&q)), ok(run(&t)));
        if json {
            assert_eq!(
                String::from_utf8_lossy(&q.stdout),
                String::from_utf8_lossy(&t.stdout)
            );
        } else {
            // the text says how many documents it searched: the query's
            // candidates, not the corpus; the sources are the same
            assert!(String::from_utf8_lossy(&q.stdout).contains("doc0"));
        }
        if json {
            let v: serde_json::Value = serde_json::from_slice(&q.stdout).unwrap();
            assert!(!v["sources"].as_array().unwrap().is_empty());
        }
    }
    // a second build is refused without --force
    let again = run(&["index", "build", p(&corpus), "--index", p(&idx), "-q"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    ok(run(&[
        "index",
        "build",
        p(&corpus),
        "--index",
        p(&idx),
        "-q",
        "--force",
    ]));
    // stats and get
    let stats: serde_json::Value =
        serde_json::from_slice(&ok(run(&["index", "stats", "--index", p(&idx), "--json"])).stdout)
            .unwrap();
    assert_eq!(stats["documents"], 12);
    assert_eq!(stats["pairs"].as_u64().unwrap() as usize, a.len());
    let got: serde_json::Value =
        serde_json::from_slice(&ok(run(&["index", "get", "doc1", "--index", p(&idx)])).stdout)
            .unwrap();
    assert!(got["text"]
        .as_str()
        .unwrap()
        .ends_with("Officials will give an update tomorrow."));
    assert_eq!(got["site"], "daily.example");
    ok(run(&["index", "check", "--index", p(&idx), "--full"]));
}

#[test]
fn a_damaged_or_foreign_index_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus.jsonl");
    write_corpus(&corpus);
    let idx = tmp.path().join("idx");
    ok(run(&[
        "index",
        "build",
        p(&corpus),
        "--index",
        p(&idx),
        "-q",
    ]));
    let db = idx.join("index.sqlite");
    let mut bytes = std::fs::read(&db).unwrap();
    for b in &mut bytes[..4096] {
        *b = 0x33;
    }
    std::fs::write(&db, &bytes).unwrap();
    for cmd in [
        vec!["index", "stats", "--index", p(&idx)],
        vec!["index", "pairs", "--index", p(&idx)],
        vec!["index", "query", p(&corpus), "--index", p(&idx)],
        vec!["index", "check", "--index", p(&idx)],
    ] {
        let o = run(&cmd);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{cmd:?}: {err}");
        assert!(err.contains("not a whence index"), "{cmd:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // a directory that holds something else
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("a.txt"), "x").unwrap();
    let o = run(&["index", "stats", "--index", p(&other)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a whence index"));
    let o = run(&["index", "stats", "--index", p(&tmp.path().join("none"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no index at"));
}

/// The first `n` documents of a real corpus after `skip`, as JSONL.
fn real_docs(skip: usize, n: usize, out: &Path) -> Option<usize> {
    // ../shared beside the repository, or beside the worktrees' directory
    let src = ["../shared", "../../shared"]
        .iter()
        .map(|s| repo().join(s).join("corpora/news/bbc.jsonl.gz"))
        .find(|p| p.exists())?;
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "zcat '{}' | tail -n +{} | head -n {n} > '{}'",
            src.display(),
            skip + 1,
            out.display()
        ))
        .status()
        .unwrap();
    assert!(o.success());
    Some(std::fs::read_to_string(out).unwrap().lines().count())
}

#[test]
fn sigkill_during_add_loses_nothing_acknowledged() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, rest) = (
        tmp.path().join("first.jsonl"),
        tmp.path().join("rest.jsonl"),
    );
    if real_docs(0, 150, &first).is_none() {
        eprintln!("skipped: ../shared/corpora/news/bbc.jsonl.gz is absent");
        return;
    }
    let n_rest = real_docs(150, 250, &rest).unwrap();
    let idx = tmp.path().join("idx");
    ok(run(&[
        "index",
        "build",
        p(&first),
        "--index",
        p(&idx),
        "-q",
    ]));
    let out = tmp.path().join("new-pairs.jsonl");
    let mut child = whence()
        .args([
            "index",
            "add",
            p(&rest),
            "--index",
            p(&idx),
            "--batch",
            "8",
            "-q",
            "--out",
            p(&out),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut acked: Option<(usize, String)> = None;
    let mut commits = 0;
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("whence index add: committed ") {
            let (n, last) = rest.split_once(" (last ").unwrap();
            acked = Some((n.parse().unwrap(), last.trim_end_matches(')').to_owned()));
            commits += 1;
            if commits == 3 {
                child.kill().unwrap(); // SIGKILL
                break;
            }
        }
    }
    child.wait().unwrap();
    let (n, last) = acked.expect("the add acknowledged batches before the kill");
    assert!(n >= 24 && n < n_rest, "{n}");
    ok(run(&["index", "check", "--index", p(&idx), "--full"]));
    // every acknowledged document is there
    let ids: Vec<String> = std::fs::read_to_string(&rest)
        .unwrap()
        .lines()
        .take(n)
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.last(), Some(&last));
    let mut get = vec!["index", "get", "--index", p(&idx)];
    get.extend(ids.iter().map(String::as_str));
    assert_eq!(lines(&ok(run(&get)).stdout).len(), n);
    // and every pair written out is recorded
    let recorded = lines(&ok(run(&["index", "pairs", "--index", p(&idx)])).stdout);
    for pair in lines(&std::fs::read(&out).unwrap()) {
        assert!(recorded.contains(&pair), "{pair}");
    }
    // adding the rest completes; the acknowledged ones are unchanged
    let done = ok(run(&["index", "add", p(&rest), "--index", p(&idx)]));
    let msg = String::from_utf8_lossy(&done.stderr);
    assert!(
        msg.contains(&format!("{} added, 0 updated, {n} unchanged", n_rest - n)),
        "{msg}"
    );
    ok(run(&["index", "check", "--index", p(&idx)]));
}

/// `secs` (Unix seconds) as RFC 3339 in UTC (civil-from-days, proleptic
/// Gregorian).
fn rfc3339(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[test]
fn rfc3339_of_known_instants() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
}

#[test]
fn index_clusters_equal_pairs_clusters_and_since_takes_a_date() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus.jsonl");
    write_corpus(&corpus);
    let idx = tmp.path().join("idx");
    ok(run(&[
        "index",
        "build",
        p(&corpus),
        "--index",
        p(&idx),
        "-q",
    ]));
    // clusters: the same rows, in the same order, as pairs --clusters
    let want = tmp.path().join("want.jsonl");
    ok(run(&[
        "pairs",
        p(&corpus),
        "-q",
        "--out",
        p(&tmp.path().join("pairs.jsonl")),
        "--clusters",
        p(&want),
    ]));
    let got = ok(run(&["index", "clusters", "--index", p(&idx)]));
    let want = std::fs::read(&want).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&got.stdout),
        String::from_utf8_lossy(&want)
    );
    assert!(
        lines(&want).len() >= 3,
        "{}",
        String::from_utf8_lossy(&want)
    );

    // --since: a day before everything gives every pair, a later one none
    let all = lines(&ok(run(&["index", "pairs", "--index", p(&idx)])).stdout);
    let since =
        |d: &str| lines(&ok(run(&["index", "pairs", "--index", p(&idx), "--since", d])).stdout);
    assert_eq!(since("2000-01-01"), all);
    assert!(since("2999-01-01").is_empty());
    let bad = run(&["index", "pairs", "--index", p(&idx), "--since", "yesterday"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("2026-12-03"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    // pairs recorded by an add after an instant T are exactly those since T
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let more = tmp.path().join("more.jsonl");
    let wire = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three low-lying districts, the regional emergency service said.";
    std::fs::write(
        &more,
        format!(
            "{}\n",
            serde_json::json!({"id": "late", "text": format!("Late edition. {wire} More soon."), "site": "late.example", "date": "2024-04-01"})
        ),
    )
    .unwrap();
    let added = tmp.path().join("added.jsonl");
    ok(run(&[
        "index",
        "add",
        p(&more),
        "--index",
        p(&idx),
        "-q",
        "--out",
        p(&added),
    ]));
    let added = lines(&std::fs::read(&added).unwrap());
    assert!(!added.is_empty());
    assert_eq!(since(&rfc3339(t)), added);
    assert_eq!(since("2000-01-01").len(), all.len() + added.len());
}

#[test]
fn query_lists_a_source_shown_only_by_weak_paraphrases_as_related() {
    // the story rewrites every sentence of the wire, keeping no 8-word run:
    // no passage is reported, yet the verdict counts the wire's wording, and
    // the wire is named as related (as `trace` names it)
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.jsonl");
    let docs = [
        ("wire", "Magistrates fined a man on Monday for stealing garden gnomes from the homes of his neighbours. Derek Pollard, aged 54, removed eleven ornaments from front lawns along his road during the summer months, the hearing was told. Pollard told officers that he had wanted to brighten his own garden. He pleaded guilty to theft and was ordered to pay compensation of 300 pounds."),
        ("other", "The city council voted to close two libraries next spring to save money, a spokeswoman said, and staff will move to the central branch."),
    ];
    let text: String = docs
        .iter()
        .map(|(id, t)| serde_json::json!({"id": id, "text": t}).to_string() + "\n")
        .collect();
    std::fs::write(&corpus, text).unwrap();
    let story = dir.path().join("story.txt");
    std::fs::write(&story, "A man who stole garden gnomes from his neighbours was fined by magistrates yesterday. Derek Pollard, 54, took eleven ornaments from lawns in his street over the summer, the court heard. He told police he wanted to brighten up his own garden. Pollard admitted theft and must pay 300 pounds in compensation.").unwrap();
    let index = dir.path().join("idx");
    ok(run(&[
        "index",
        "build",
        p(&corpus),
        "--index",
        p(&index),
        "--quiet",
    ]));
    let out = ok(run(&[
        "index",
        "query",
        p(&story),
        "--index",
        p(&index),
        "--json",
        "--quiet",
    ]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["related"], serde_json::json!(["wire"]), "{v}");
    assert_eq!(v["sources"], serde_json::json!([]), "{v}");
    assert_eq!(v["derivation"], "wholly", "{v}");
    // and `trace` against the same corpus says the same
    let out = ok(run(&[
        "trace",
        p(&story),
        "--in",
        p(&corpus),
        "--json",
        "--quiet",
    ]));
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["related"], v["related"]);
    assert_eq!(t["derivation"], v["derivation"]);
}
