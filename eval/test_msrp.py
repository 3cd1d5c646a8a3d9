"""Tests for msrp.py.  Run: python3 -m unittest discover -s eval -p 'test_*.py'"""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import msrp  # noqa: E402

CORPUS = os.environ.get("WHENCE_MSRP", os.path.join(
    ROOT, "..", "shared", "corpora", "msrp", "msr_paraphrase_train.txt"))
BINARY = os.environ.get("WHENCE_BIN", os.path.join(ROOT, "target", "release", "whence"))


class Metrics(unittest.TestCase):
    def test_counts(self):
        m = msrp.metrics([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1], 0.5)
        self.assertEqual(m["accuracy"], 0.5)
        self.assertEqual(m["precision"], 0.5)
        self.assertEqual(m["recall"], 0.5)
        self.assertEqual(m["f1"], 0.5)
        self.assertEqual(m["majority"], 0.5)

    def test_threshold_separates_when_possible(self):
        labels = [0, 0, 1, 1, 1]
        scores = [0.1, 0.3, 0.5, 0.7, 0.9]
        t = msrp.best_threshold(labels, scores)
        self.assertTrue(0.3 < t < 0.5, t)
        self.assertEqual(msrp.metrics(labels, scores, t)["accuracy"], 1.0)

    def test_threshold_handles_ties_and_extremes(self):
        # All positives: a threshold below everything is best.
        t = msrp.best_threshold([1, 1], [0.2, 0.2])
        self.assertLessEqual(t, 0.2)
        # All negatives: above everything.
        t = msrp.best_threshold([0, 0], [0.2, 0.4])
        self.assertGreater(t, 0.4)
        # Equal scores with mixed labels are decided together.
        labels, scores = [0, 1, 1, 0], [0.5, 0.5, 0.5, 0.1]
        t = msrp.best_threshold(labels, scores)
        self.assertEqual(msrp.metrics(labels, scores, t)["accuracy"], 0.75)

    def test_split_is_the_file_order_prefix(self):
        pairs = [(i % 2, "a", "b") for i in range(10)]
        res = msrp.evaluate(pairs, [0.1 * i for i in range(10)], 0.7)
        self.assertEqual((res["tune_pairs"], res["held_out_pairs"]), (7, 3))

    def test_reader_skips_header_and_reports_bad_lines(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False,
                                         encoding="utf-8-sig") as f:
            f.write("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n")
            f.write("1\t1\t2\tA cat.\tA feline.\n")
            f.write("broken line\n")
            f.write("0\t3\t4\tRain.\tSun \"quoted\".\n")
            path = f.name
        try:
            pairs, bad = msrp.read_msrp(path)
        finally:
            os.unlink(path)
        self.assertEqual(pairs, [(1, "A cat.", "A feline."), (0, "Rain.", 'Sun "quoted".')])
        self.assertEqual(bad, [3])


class EndToEnd(unittest.TestCase):
    def test_real_corpus(self):
        if not os.path.isfile(CORPUS):
            self.skipTest(f"no MSRP corpus at {CORPUS}")
        if not os.access(BINARY, os.X_OK):
            self.skipTest(f"no whence binary at {BINARY}")
        info = subprocess.run([BINARY, "model", "info"], capture_output=True, text=True)
        if info.returncode != 0 or "loads fine" not in info.stdout:
            self.skipTest("no sentence-embedding model installed")
        pairs, _ = msrp.read_msrp(CORPUS)
        pairs = pairs[:200]
        scores, _ = msrp.score_with_whence(BINARY, pairs)
        res = msrp.evaluate(pairs, scores, 0.7)
        # Far above chance on a small slice; the full figures are in docs/embed-notes.md.
        self.assertGreater(res["all"]["accuracy"], 0.7)


if __name__ == "__main__":
    unittest.main()
