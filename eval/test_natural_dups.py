"""Tests for natural_dups.py.  Run: python3 -m unittest discover -s eval -p 'test_*.py'

Uses a corpus written here and the fake whence of test_bench_pairs.py (canned
pairs), so the expected counts are known.
"""

import contextlib
import gzip
import io
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import natural_dups as nd  # noqa: E402
from test_bench_pairs import write_fake_whence  # noqa: E402

LONG = ("the minister said on tuesday that the new rules would take effect next year after "
        "a long consultation with industry groups and unions across the country")
DOCS = [
    ("a", LONG),
    ("b", LONG.replace(" ", "  \n", 3)),                     # exact after whitespace normalisation
    ("c", LONG + " today"),                                  # near-exact (one word added)
    ("d", "completely different text about football and the league table this season"),
    ("e", "completely different text about football and the league table this season"),  # exact
    ("f", "bananas are yellow"),
]


def write(folder):
    p = os.path.join(folder, "c.jsonl.gz")
    with gzip.open(p, "wt", encoding="utf-8") as f:
        for i, t in DOCS:
            f.write(json.dumps({"id": i, "source": "t", "text": t}) + "\n")
    return p


class Finding(unittest.TestCase):
    def test_exact_and_near(self):
        with tempfile.TemporaryDirectory() as tmp:
            docs = nd.read_corpus(write(tmp))
        self.assertEqual(nd.exact_pairs(docs), {frozenset("ab"), frozenset("de")})
        near = nd.near_pairs(docs, 0.9)
        self.assertIn(frozenset("ac"), near)
        self.assertIn(frozenset("bc"), near)
        self.assertNotIn(frozenset("af"), near)
        self.assertLess(nd.near_pairs(docs, 0.99).get(frozenset("ac"), 0), 0.99)


class EndToEnd(unittest.TestCase):
    def run_main(self, tmp, lines):
        corpus = write(tmp)
        canned = os.path.join(tmp, "p.jsonl")
        with open(canned, "w", encoding="utf-8") as f:
            for a, b, rel in lines:
                f.write(json.dumps({"a": a, "b": b, "relation": rel, "a_reused": 1, "b_reused": 1}) + "\n")
        os.environ["FAKE_WHENCE_PAIRS"] = canned
        try:
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
                rc = nd.main(["--whence", write_fake_whence(tmp), "--corpus", corpus, "--json",
                              "--workdir", os.path.join(tmp, "w")])
        finally:
            os.environ.pop("FAKE_WHENCE_PAIRS", None)
        return rc, json.loads(buf.getvalue())

    def test_counts(self):
        with tempfile.TemporaryDirectory() as tmp:
            rc, r = self.run_main(tmp, [("b", "a", "near_duplicate"), ("a", "c", "b_derived_from_a"),
                                        ("d", "f", "shared_source")])
        self.assertEqual(rc, 0)
        self.assertEqual(r["exact"]["n"], 2)
        self.assertEqual(r["exact"]["found"], 1)
        self.assertEqual(r["exact"]["relations"], {"near_duplicate": 1})
        self.assertEqual(r["exact"]["missed"], [["d", "e"]])
        self.assertEqual(r["near_exact"]["n"], 2)
        self.assertEqual(r["near_exact"]["found"], 1)
        self.assertEqual(r["other_pairs"], 1)
        self.assertEqual(r["other_max_reused"][">=0.5"], 1)
        self.assertEqual(nd.bins([0.01, 0.05, 0.3, 0.7]),
                         {"<0.05": 1, "0.05-0.1": 1, "0.1-0.2": 0, "0.2-0.5": 1, ">=0.5": 1})

    def test_retries_on_a_decompressed_copy(self):
        os.environ["FAKE_WHENCE_NO_GZ"] = "1"
        try:
            with tempfile.TemporaryDirectory() as tmp:
                rc, r = self.run_main(tmp, [("a", "b", "near_duplicate")])
        finally:
            os.environ.pop("FAKE_WHENCE_NO_GZ", None)
        self.assertEqual(rc, 0)
        self.assertTrue(r["command"].split()[2].endswith("c.jsonl"), r["command"])
        self.assertEqual(r["exact"]["found"], 1)

    def test_absent_corpus_skips(self):
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(nd.main(["--whence", "/bin/true", "--corpus", "/nonexistent.jsonl.gz"]), 0)


if __name__ == "__main__":
    unittest.main()
