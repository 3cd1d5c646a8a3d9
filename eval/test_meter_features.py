"""Tests for meter_features.py.  Run: python3 -m unittest discover -s eval -p 'test_*.py'

Features are checked on texts and trace answers written here; the fitting and
cross-validation code on synthetic rows whose best scores are known; the end-to-end
path on the miniature METER tree and fake whence of test_meter_trace.py.
"""

import contextlib
import io
import json
import math
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import meter_features as mf  # noqa: E402
from test_bench_pairs import write_fake_whence  # noqa: E402
import test_meter_trace as tmt  # noqa: E402

STORY = ("Judge Smith jailed the drivers for two years. "
         "Angry relatives shouted in the gallery. Police said nothing.")
SOURCE = "The judge, Mr Smith, jailed a driver for two years at Leeds Crown Court."


def trace(passages):
    return {"derivation": "partially", "reused": 0.5, "reused_lexical": 0.25,
            "sources": [{"id": "pa1", "passages": [{"a": [a, b], "kind": k} for k, a, b in passages]}]}


class Features(unittest.TestCase):
    def test_key_strips_common_suffixes_only_from_longer_words(self):
        self.assertEqual(mf.key("drivers"), "driver")
        self.assertEqual(mf.key("jailed"), "jail")
        self.assertEqual(mf.key("Bus"), "bus")  # too short to stem

    def test_vocabulary_features_against_sources(self):
        lead = STORY.index(" Angry")
        f = mf.features(STORY, trace([("edited", 0, lead), ("paraphrase", lead, len(STORY))]), [SOURCE])
        # content words: Judge Smith jailed drivers two years Angry relatives shouted
        # gallery Police said nothing -> 13; in the source: judge smith jail driver two years
        self.assertAlmostEqual(f["content_in_src"], 6 / 13)
        self.assertEqual(f["new_types"], 7.0)
        self.assertAlmostEqual(f["log_new_types"], math.log(8))
        # capitalised content words: Judge Smith Angry Police -> 2 of 4 found
        self.assertAlmostEqual(f["names_in_src"], 0.5)
        self.assertEqual(f["lead_lexical"], 1.0)  # first sentence covered by the edited passage
        self.assertAlmostEqual(f["log_longest"], math.log(1 + 8))
        self.assertEqual((f["reused"], f["lexical"], f["sources"]), (0.5, 0.25, 1.0))
        self.assertAlmostEqual(f["log_words"], math.log(1 + 17))

    def test_no_source_means_nothing_contained(self):
        f = mf.features(STORY, {"derivation": "non", "reused": 0.0, "reused_lexical": 0.0, "sources": []}, [])
        self.assertEqual((f["content_in_src"], f["names_in_src"], f["sources"]), (0.0, 0.0, 0.0))
        self.assertEqual(f["new_types"], 13.0)
        self.assertEqual(f["lead_lexical"], 0.0)

    def test_paraphrase_alone_does_not_make_the_lead_lexical(self):
        f = mf.features(STORY, trace([("paraphrase", 0, 40)]), [SOURCE])
        self.assertEqual(f["lead_lexical"], 0.0)
        self.assertEqual(f["log_longest"], 0.0)


def rows_separable(n=10):
    """Stories whose class follows the two-rule with thresholds 0.6 and 15 exactly."""
    rows = []
    for i in range(n):
        rows.append({"label": "wholly", "derivation": "wholly",
                     "features": {"content_in_src": 0.9 + i / 200, "new_types": float(i)}})
        rows.append({"label": "partially", "derivation": "wholly",
                     "features": {"content_in_src": 0.7 + i / 100, "new_types": 40.0 + i}})
        rows.append({"label": "non", "derivation": "partially",
                     "features": {"content_in_src": 0.2 + i / 50, "new_types": 30.0 + 3 * i}})
    for r in rows:
        f = r["features"]
        f["log_new_types"] = math.log1p(f["new_types"])
        for k in mf.FEATURES:
            f.setdefault(k, 0.0)
    return rows


class Fitting(unittest.TestCase):
    def test_stratified_folds_partition_and_balance(self):
        y = ["wholly"] * 10 + ["partially"] * 15 + ["non"] * 5
        folds = mf.stratified_folds(y, 5, seed=3)
        self.assertEqual(sorted(i for f in folds for i in f), list(range(30)))
        for f in folds:
            self.assertEqual(sorted(y[i] for i in f).count("non"), 1)
            self.assertEqual(sum(1 for i in f if y[i] == "partially"), 3)
        self.assertNotEqual(folds, mf.stratified_folds(y, 5, seed=4))

    def test_two_rule_boundaries(self):
        rule = mf.two_rule(0.6, 15)
        self.assertEqual(rule([0.59, 0]), "non")
        self.assertEqual(rule([0.6, 15]), "wholly")
        self.assertEqual(rule([0.6, 16]), "partially")

    def test_fitted_rules_separate_separable_rows(self):
        rows = rows_separable()
        y = [r["label"] for r in rows]
        X = [[r["features"]["content_in_src"], r["features"]["new_types"]] for r in rows]
        rule = mf.fit_two_rule(X, y)
        self.assertEqual([rule(x) for x in X], y)
        m, sd, per = mf.cross_validate(mf.fit_two_rule, X, y, folds=2, reps=2)
        self.assertGreater(m, 0.8)
        w, b = mf.fit_logistic(X, y, iters=400)
        self.assertEqual([mf.linear_rule(w, b)(x) for x in X], y)

    def test_evaluate_scores_current_and_shipped_rule(self):
        rows = rows_separable()
        res = mf.evaluate(rows, folds=2, reps=2, sets=["vocab"])
        # current: wholly all right (P 10/20), partially 0 right, non 0 right
        self.assertAlmostEqual(res["current"]["in_sample_macro_f1"], (2 * 0.5 * 1 / 1.5) / 3)
        self.assertAlmostEqual(res["engine rule (in-sample)"]["in_sample_macro_f1"], 1.0)
        self.assertIn("lr:vocab", res)
        self.assertIn("two-rule", res)


class Main(unittest.TestCase):
    def test_features_in_runs_and_fits(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = os.path.join(tmp, "f.json")
            with open(p, "w", encoding="utf-8") as f:
                json.dump(rows_separable(), f)
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                rc = mf.main(["--features-in", p, "--folds", "2", "--reps", "1", "--sets", "vocab",
                              "--fit", "vocab", "--json"])
            self.assertEqual(rc, 0)
            out = json.loads(buf.getvalue())
            self.assertEqual(out["stories"], 30)
            self.assertEqual(out["fit"]["features"], ["content_in_src", "log_new_types"])
            self.assertEqual(len(out["fit"]["weights"]), 3)

    def test_unknown_set_is_unusable_input(self):
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(mf.main(["--features-in", "/nonexistent", "--sets", "nope"]), 2)

    def test_absent_corpus_skips(self):
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(mf.main(["--whence", "/bin/true", "--meter", "/nonexistent"]), 0)

    def test_end_to_end_on_fake_whence_writes_features(self):
        with tempfile.TemporaryDirectory() as tmp:
            meter = os.path.join(tmp, "meter")
            canned = tmt.build(meter)
            whence = write_fake_whence(tmp)
            feats = os.path.join(tmp, "f.json")
            os.environ["FAKE_WHENCE_TRACE"] = canned
            try:
                err = io.StringIO()
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                    rc = mf.main(["--whence", whence, "--meter", meter, "--features-out", feats])
            finally:
                os.environ.pop("FAKE_WHENCE_TRACE", None)
            # 5 traced stories (one topic has no PA file), too few per class to cross-validate
            self.assertEqual(rc, 2)
            self.assertIn("too few stories", err.getvalue())
            with open(feats, encoding="utf-8") as f:
                rows = json.load(f)
            self.assertEqual(len(rows), 5)
            r = next(x for x in rows if x["story"] == "01.01.00/fire/fire1_sun.txt")
            self.assertEqual((r["label"], r["derivation"]), ("wholly", "wholly"))
            # the canned source id (pa1) has no file in the topic folder: no vocabulary
            self.assertEqual(r["features"]["content_in_src"], 0.0)
            self.assertEqual(r["features"]["reused"], 0.5)


if __name__ == "__main__":
    unittest.main()
