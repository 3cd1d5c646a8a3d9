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


class Regression(unittest.TestCase):
    def test_logistic_fit_recovers_a_known_rule(self):
        # y = 1 exactly when x0 - x1 > 0; a noiseless grid.
        xs = [[i / 10, j / 10] for i in range(11) for j in range(11) if i != j]
        ys = [1 if x[0] > x[1] else 0 for x in xs]
        b, c = msrp.fit_logistic(xs, ys, l2=0.01)
        self.assertGreater(c[0], 0)
        self.assertLess(c[1], 0)
        acc = sum((msrp.predict(b, c, x) >= 0.5) == bool(y) for x, y in zip(xs, ys)) / len(xs)
        self.assertEqual(acc, 1.0)

    def test_folds_cover_the_file_once(self):
        f = msrp.folds(11, 5)
        self.assertEqual(f[0][0], 0)
        self.assertEqual(f[-1][1], 11)
        self.assertTrue(all(a[1] == b[0] for a, b in zip(f, f[1:])))

    def test_compare_reports_both_rules_and_cv(self):
        # Pair i is a paraphrase when its cosine is high; the lexical features
        # carry the same signal, with noise in the cosine on a few pairs.
        pairs, rows = [], []
        for i in range(100):
            y = 1 if i % 3 else 0
            cos = 0.9 if y else 0.6
            if i % 10 == 0:
                cos = 1.5 - cos  # flipped cosine: the lexical features are right
            feats = {k: 0.0 for k in msrp.FEATURES}
            feats.update(cosine=cos, word_f=0.8 if y else 0.2)
            pairs.append((y, "a", "b"))
            rows.append({"line": i + 1, "score": 0.9 if y else 0.1, "features": feats})
        msrp.check_rows(rows, 100)
        res = msrp.compare(pairs, rows, 0.7, fit=True)
        self.assertEqual(res["combined"]["held_out"]["accuracy"], 1.0)
        self.assertLess(res["cosine"]["held_out"]["accuracy"], 1.0)
        self.assertEqual(len(res["cosine"]["cv5"]["folds"]), 5)
        self.assertEqual(res["combined"]["cv5"]["accuracy_mean"], 1.0)
        self.assertEqual(res["refit"]["held_out"]["accuracy"], 1.0)
        self.assertGreater(res["refit"]["weights"]["word_f"], 0)


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
        rows, _ = msrp.rows_with_whence(BINARY, pairs)
        res = msrp.compare(pairs, rows, 0.7)
        # Far above chance on a small slice; the full figures are in docs/embed-notes.md.
        self.assertGreater(res["cosine"]["all"]["accuracy"], 0.7)
        self.assertGreater(res["combined"]["fixed"]["all"]["accuracy"], 0.7)
        self.assertTrue(all(0.0 <= r["score"] <= 1.0 for r in rows))


if __name__ == "__main__":
    unittest.main()
