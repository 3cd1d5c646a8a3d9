"""Tests for bench_pairs.py.  Run: python3 -m unittest discover -s eval -p 'test_*.py'

The `whence` used here is a fake written by write_fake_whence() below: it
answers `pairs` by copying the file named in $FAKE_WHENCE_PAIRS (or, without
it, by pairing documents with identical whitespace-normalised text) and
`trace` from $FAKE_WHENCE_TRACE (a JSON object story-file-name -> answer) or,
without it, with a crude word 8-gram coverage.  It exists only to exercise the
scripts' plumbing and scoring; it is never a source of results.
"""

import contextlib
import importlib.util
import io
import json
import os
import stat
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_pairs as bp  # noqa: E402

FAKE = r'''#!PYTHON
import glob, json, os, re, sys
argv = sys.argv[1:]
if not argv or argv[0] in ("-h", "--help"):
    print("fake whence"); sys.exit(0)
cmd, rest = argv[0], argv[1:]
if "--help" in rest:
    print(f"fake whence {cmd}"); sys.exit(0)
def opt(name):
    return rest[rest.index(name) + 1] if name in rest else None
if cmd == "pairs":
    out = opt("--out")
    if os.environ.get("FAKE_WHENCE_FAIL"):
        print("error: fake failure", file=sys.stderr); sys.exit(3)
    if os.environ.get("FAKE_WHENCE_NO_GZ") and any(a.endswith(".gz") for a in rest):
        print("error: cannot read gzip", file=sys.stderr); sys.exit(2)
    src = os.environ.get("FAKE_WHENCE_PAIRS")
    if src:
        data = open(src, encoding="utf-8").read()
    else:
        import gzip
        seen, lines = {}, []
        for c in [a for a in rest if not a.startswith("--") and a not in (out, opt("--threads"))]:
            op = gzip.open if c.endswith(".gz") else open
            for line in op(c, "rt", encoding="utf-8"):
                d = json.loads(line)
                key = re.sub(r"\s+", " ", d["text"]).strip()
                for other in seen.get(key, []):
                    lines.append(json.dumps({"a": other, "b": d["id"], "relation": "near_duplicate",
                                             "a_reused": 1.0, "b_reused": 1.0}))
                seen.setdefault(key, []).append(d["id"])
        data = "".join(l + "\n" for l in lines)
    open(out, "w", encoding="utf-8").write(data)
    print(f"fake pairs: wrote {data.count(chr(10))} pairs", file=sys.stderr); sys.exit(0)
if cmd == "trace":
    story, folder = rest[0], opt("--in")
    canned = os.environ.get("FAKE_WHENCE_TRACE")
    if canned:
        ans = json.load(open(canned, encoding="utf-8")).get(os.path.basename(story))
        if ans is None:
            print("error: no canned answer", file=sys.stderr); sys.exit(2)
        print(json.dumps(ans)); sys.exit(0)
    text = open(story, encoding="latin-1").read()
    w = re.findall(r"\w+", text.lower())
    grams = set()
    for p in sorted(glob.glob(os.path.join(folder, "*.txt"))):
        pw = re.findall(r"\w+", open(p, encoding="latin-1").read().lower())
        grams |= {tuple(pw[i:i + 8]) for i in range(len(pw) - 7)}
    cov = [False] * len(w)
    for i in range(len(w) - 7):
        if tuple(w[i:i + 8]) in grams:
            cov[i:i + 8] = [True] * 8
    r = sum(cov) / len(w) if w else 0.0
    der = "wholly" if r >= 0.6 else "partially" if r >= 0.15 else "non"
    print(json.dumps({"doc": {"id": os.path.basename(story), "chars": len(text), "boilerplate": []},
                      "derivation": der, "reused": r,
                      "sources": [{"id": "fake", "reused": r, "passages": [{"a": [0, 1], "b": [0, 1],
                                   "kind": "verbatim", "score": 1.0}]}] if r else [],
                      "novel": []}))
    sys.exit(0)
print(f"error: unknown command {cmd}", file=sys.stderr); sys.exit(2)
'''


def write_fake_whence(folder):
    path = os.path.join(folder, "whence")
    with open(path, "w", encoding="utf-8") as f:
        f.write(FAKE.replace("PYTHON", sys.executable, 1))
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


def page(site, body):
    """A document the way gen_corpus.py writes it: 2 header lines, body, 4 footer lines."""
    return f"Site{site} | News\nMenu\n\n{body}\n\nFollow us\nGet the app.\nCopyright {site}.\nPrivacy"


# d0 source; d1 exact copy of d0; d2 near copy of d0; d3 partial of d4; d5 copy of d1 (not planted
# with d0: transitive); d6 has d7's body (natural duplicate, not planted); d8, d9 unrelated.
BODIES = {
    "d0": "The court heard the case on Monday. The judge said it was grave.",
    "d1": "The court heard the case on Monday. The judge said it was grave.",
    "d2": "The court heard the case on Monday. The judge stated it was grave.",
    "d3": "Rain fell all day. The mayor opened the bridge at noon.",
    "d4": "The mayor opened the bridge at noon. Crowds cheered.",
    "d5": "The court heard the case on Monday. The judge said it was grave.",
    "d6": "A cat sat on the mat all afternoon.",
    "d7": "A cat   sat on the mat all afternoon.",
    "d8": "Shares rose in early trading.",
    "d9": "Bananas are yellow when ripe.",
}
SITES = {"d0": 0, "d1": 1, "d2": 0, "d3": 2, "d4": 2, "d5": 3, "d6": 1, "d7": 2, "d8": 4, "d9": 4}
TRUTH = [("d1", "d0", "exact"), ("d2", "d0", "near"), ("d3", "d4", "partial"), ("d5", "d1", "exact")]


def write_corpus(folder):
    corpus = os.path.join(folder, "c.jsonl")
    truth = os.path.join(folder, "t.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for i in range(10):
            d = f"d{i}"
            f.write(json.dumps({"id": d, "site": f"site{SITES[d]:03d}", "text": page(SITES[d], BODIES[d])}) + "\n")
    with open(truth, "w", encoding="utf-8") as f:
        for a, b, k in TRUTH:
            f.write(json.dumps({"derived": a, "source": b, "kind": k}) + "\n")
    return corpus, truth


class Scoring(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.corpus, self.truthf = write_corpus(self.tmp.name)
        self.truth, self.uf = bp.read_truth(self.truthf)
        self.order, self.site, self.bhash, self.nbytes = bp.scan_corpus(self.corpus)

    def tearDown(self):
        self.tmp.cleanup()

    def test_body_strips_chrome(self):
        self.assertEqual(bp.body_of(page(3, "x y\n\nz")), "x y\n\nz")
        self.assertEqual(bp.body_of("no chrome"), "no chrome")

    def test_recall_either_order_and_categories(self):
        pairs = {frozenset(("d0", "d1")): "near_duplicate",          # planted exact, reversed order
                 frozenset(("d4", "d3")): "a_derived_from_b",        # planted partial
                 frozenset(("d0", "d5")): "near_duplicate",          # transitive
                 frozenset(("d6", "d7")): "near_duplicate",          # same body
                 frozenset(("d3", "d7")): "shared_source",           # other, same site (site002)
                 frozenset(("d8", "d0")): "shared_source"}           # other, different site
        r = bp.score(pairs, self.truth, self.uf, self.order, self.site, self.bhash)
        self.assertEqual(r["planted_by_kind"]["exact"], 2)
        self.assertEqual(r["found_by_kind"], {"exact": 1, "near": 0, "partial": 1, "rewrite": 0, "truncated": 0})
        self.assertAlmostEqual(r["recall"]["exact"], 0.5)
        self.assertEqual(r["recall"]["near"], 0.0)
        self.assertIsNone(r["recall"]["rewrite"])
        self.assertAlmostEqual(r["recall"]["overall"], 2 / 4)
        self.assertEqual(r["nonplanted"], 4)
        self.assertEqual(r["nonplanted_by_category"], {"transitive": 1, "same_body": 1, "other": 2})
        self.assertEqual(r["other_same_site"], 1)
        self.assertEqual(r["nonplanted_same_site"], 1)   # only d3/d7 (site002) share a site

    def test_containment_ignores_chrome(self):
        host = "one two three four five six seven eight nine ten eleven twelve"
        inner = "four five six seven eight nine ten"
        self.assertAlmostEqual(bp.containment(page(1, host), page(2, inner)), 1.0)
        self.assertEqual(bp.containment(page(1, host), page(1, "alpha beta gamma delta epsilon zeta")), 0.0)
        self.assertEqual(bp.bin_of(0.5), "shared_text")
        self.assertEqual(bp.bin_of(0.2), "some_shared_text")
        self.assertEqual(bp.bin_of(0.0), "little_shared_text")

    def test_origins_follow_the_generator(self):
        base = os.path.join(self.tmp.name, "base")
        os.makedirs(base)
        import gzip
        with gzip.open(os.path.join(base, "n.jsonl.gz"), "wt", encoding="utf-8") as f:
            for t in ("x" * 201, "short", "y" * 300, "z" * 250):
                f.write(json.dumps({"id": t[:3], "text": t}) + "\n")
        # 3 base articles (> 200 chars). Planted components {d0, d1, d2, d5} and {d3, d4}
        # take their first document's origin; first documents in order: d0, d3, d6, d7, d8, d9,
        # so d0, d3 and d6 consume the 3 base articles and d7..d9 are filler.
        o = bp.origins(self.order, self.uf, base)
        self.assertEqual([o[f"d{i}"] for i in range(10)], ["base"] * 7 + ["filler"] * 3)
        self.assertIsNone(bp.origins(self.order, self.uf, os.path.join(self.tmp.name, "none")))

    def test_limit_counts_only_planted_pairs_inside(self):
        pairs = {frozenset(("d0", "d1")): "x"}
        r = bp.score(pairs, self.truth, self.uf, self.order, self.site, self.bhash, limit=3)
        self.assertEqual(r["planted"], 2)   # d1-d0 and d2-d0; d3-d4 and d5-d1 lie beyond doc 3
        self.assertAlmostEqual(r["recall"]["overall"], 0.5)


class EndToEnd(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.corpus, self.truthf = write_corpus(self.tmp.name)
        self.whence = write_fake_whence(self.tmp.name)
        self.env = dict(os.environ)

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self.env)
        self.tmp.cleanup()

    def run_main(self, *extra):
        work = os.path.join(self.tmp.name, "work")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            rc = bp.main(["--whence", self.whence, "--corpus", self.corpus, "--truth", self.truthf,
                          "--workdir", work, "--json", *extra])
        with open(os.path.join(work, "report.json"), encoding="utf-8") as f:
            return rc, json.load(f)

    def test_whence_only_with_canned_pairs(self):
        canned = os.path.join(self.tmp.name, "canned.jsonl")
        with open(canned, "w", encoding="utf-8") as f:
            for a, b, rel in [("d0", "d1", "near_duplicate"), ("d0", "d2", "near_duplicate"),
                              ("d8", "d9", "shared_source")]:
                f.write(json.dumps({"a": a, "b": b, "relation": rel, "a_reused": 1, "b_reused": 1}) + "\n")
        os.environ["FAKE_WHENCE_PAIRS"] = canned
        rc, r = self.run_main("--peers", "", "--sample", "5")
        self.assertEqual(rc, 0)
        w = r["tools"]["whence"]
        self.assertEqual(w["pairs"], 3)
        self.assertAlmostEqual(w["recall"]["overall"], 0.5)
        self.assertEqual(w["recall"]["near"], 1.0)
        self.assertEqual(w["nonplanted"], 1)
        self.assertEqual(w["nonplanted_same_site"], 1)
        self.assertEqual(w["nonplanted_sample"][0]["category"], "other")
        self.assertEqual(w["nonplanted_sample"][0]["shared_body_text"], "little_shared_text")
        self.assertEqual(w["other_by_shared_body_text"],
                         {"shared_text": 0, "some_shared_text": 0, "little_shared_text": 1})
        self.assertEqual(w["other_same_site_by_shared_body_text"]["little_shared_text"], 1)
        self.assertEqual({w["nonplanted_sample"][0]["a"], w["nonplanted_sample"][0]["b"]}, {"d8", "d9"})
        with open(w["nonplanted_sample_texts"], encoding="utf-8") as f:
            side = f.read()
        self.assertIn("Shares rose", side)
        self.assertIn("Bananas are yellow", side)
        self.assertGreater(w["wall"], 0)
        self.assertGreater(w["max_rss_mb"], 0)

    def test_whence_failure_exits_1(self):
        os.environ["FAKE_WHENCE_FAIL"] = "1"
        rc, r = self.run_main("--peers", "")
        self.assertEqual(rc, 1)
        self.assertIn("fake failure", r["tools"]["whence"]["stderr"])

    def test_missing_peer_is_skipped_with_install_hint(self):
        shadow = os.path.join(self.tmp.name, "shadow")
        os.makedirs(os.path.join(shadow, "rensa"))
        with open(os.path.join(shadow, "rensa", "__init__.py"), "w") as f:
            f.write("raise ImportError('rensa hidden by the test')\n")
        os.environ["PYTHONPATH"] = shadow
        rc, r = self.run_main("--no-whence", "--peers", "rensa")
        self.assertEqual(rc, 0)
        self.assertIn("pip install rensa", r["skipped"]["rensa"])

    def test_missing_corpus_skips(self):
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(bp.main(["--corpus", "/nonexistent/c.jsonl", "--truth", "/nonexistent/t"]), 0)


@unittest.skipUnless(importlib.util.find_spec("rensa") and importlib.util.find_spec("datasketch"),
                     "rensa/datasketch not installed (pip install -r eval/requirements-bench.txt)")
class Peers(unittest.TestCase):
    def test_peers_find_the_exact_pair_with_same_chrome(self):
        with tempfile.TemporaryDirectory() as tmp:
            corpus, truthf = write_corpus(tmp)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                rc = bp.main(["--no-whence", "--corpus", corpus, "--truth", truthf, "--workdir", tmp,
                              "--peers", "rensa,datasketch", "--peer-limit", "0", "--json"])
            self.assertEqual(rc, 0)
            with open(os.path.join(tmp, "report.json"), encoding="utf-8") as f:
                r = json.load(f)
            for p in ("rensa", "datasketch"):
                # d6/d7: same body after whitespace normalisation, different sites -> J < 1;
                # d0/d2 share site000 and differ by one word: found by both
                self.assertEqual(r["tools"][p]["docs"], 10)
                self.assertEqual(r["tools"][p]["found_by_kind"]["near"], 1, p)


if __name__ == "__main__":
    unittest.main()
