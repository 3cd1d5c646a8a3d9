"""Tests for meter_trace.py.  Run: python3 -m unittest discover -s eval -p 'test_*.py'

A miniature METER tree is written here (file_index, PA and newspaper texts
made up for the test) and traced with the fake whence of test_bench_pairs.py,
whose answers are canned per story, so the expected scores are known.
"""

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import meter_trace as mt  # noqa: E402
from test_bench_pairs import write_fake_whence  # noqa: E402

# story -> (gold label, canned derivation)
STORIES = {
    "01.01.00/fire/fire1_sun.txt": ("wholly", "wholly"),
    "01.01.00/fire/fire2_times.txt": ("wholly", "partially"),
    "01.01.00/fire/fire3_mail.txt": ("partially", "partially"),
    "01.01.00/fire/fire4_star.txt": ("non", "non"),
    "01.01.00/fire/fire5_mirror.txt": ("non", "partially"),
    "02.01.00/theft/theft1_sun.txt": ("partially", "wholly"),   # no PA file in its folder
}


def answer(derivation, reused, kinds):
    return {"doc": {"id": "x", "chars": 100, "boilerplate": [[90, 100]]}, "derivation": derivation,
            "reused": reused,
            "sources": [{"id": "pa1", "reused": reused,
                         "passages": [{"a": [s, e], "b": [0, e - s], "kind": k, "score": 1.0}
                                      for k, s, e in kinds]}],
            "novel": [[50, 60], [55, 70]]}


def build(root):
    fi = os.path.join(root, "file_index", "courts")
    os.makedirs(fi)
    for lab in mt.LABELS:
        with open(os.path.join(fi, f"{lab}_derived.txt"), "w", encoding="latin-1") as f:
            for rel, (gold, _) in STORIES.items():
                if gold == lab:
                    f.write(f"meter_corpus/newspapers/rawtexts/courts/{rel}\n")
    for rel in STORIES:
        p = os.path.join(root, "newspapers", "rawtexts", "courts", rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="latin-1") as f:
            f.write("A man was fined \xa3500 yesterday.\r\n")
    pa = os.path.join(root, "PA", "rawtexts", "courts", "01.01.00", "fire")
    os.makedirs(pa)
    with open(os.path.join(pa, "fire0_pa.txt"), "w", encoding="latin-1") as f:
        f.write("A man was fined \xa3500.\r\n")
    os.makedirs(os.path.join(root, "PA", "rawtexts", "courts", "02.01.00", "theft"))
    canned = {os.path.basename(rel): answer(der, 0.5, [("verbatim", 0, 30), ("edited", 40, 45)])
              for rel, (_, der) in STORIES.items()}
    path = os.path.join(root, "canned.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(canned, f)
    return path


class Metrics(unittest.TestCase):
    def test_prf_and_macro(self):
        conf = mt.confusion([("wholly", "wholly"), ("wholly", "partially"), ("partially", "partially"),
                             ("non", "non"), ("non", "partially")])
        per, macro, acc = mt.prf(conf)
        self.assertAlmostEqual(per["wholly"]["precision"], 1.0)
        self.assertAlmostEqual(per["wholly"]["recall"], 0.5)
        self.assertAlmostEqual(per["partially"]["precision"], 1 / 3)
        self.assertAlmostEqual(per["partially"]["f1"], 0.5)
        self.assertAlmostEqual(macro, (2 / 3 + 0.5 + 2 / 3) / 3)
        self.assertAlmostEqual(acc, 3 / 5)

    def test_union_len_merges_overlaps(self):
        self.assertEqual(mt.union_len([(50, 60), (55, 70), (80, 81)]), 21)

    def test_best_thresholds_separate_clean_data(self):
        rows = [("non", 0.05), ("non", 0.1), ("partially", 0.4), ("partially", 0.5),
                ("wholly", 0.9), ("wholly", 0.95)]
        b = mt.best_thresholds(rows)
        self.assertAlmostEqual(b["macro_f1"], 1.0)
        self.assertTrue(0.1 < b["non_below"] <= 0.4 and 0.5 < b["wholly_from"] <= 0.9, b)


class EndToEnd(unittest.TestCase):
    def test_scores_canned_traces_and_reports_missing_pa(self):
        with tempfile.TemporaryDirectory() as tmp:
            meter = os.path.join(tmp, "meter")
            canned = build(meter)
            whence = write_fake_whence(tmp)
            feats = os.path.join(tmp, "f.json")
            old = os.environ.get("FAKE_WHENCE_TRACE")
            os.environ["FAKE_WHENCE_TRACE"] = canned
            try:
                import contextlib
                import io
                buf = io.StringIO()
                with contextlib.redirect_stdout(buf):
                    rc = mt.main(["--whence", whence, "--meter", meter, "--json", "--features", feats,
                                  "--jobs", "2"])
            finally:
                if old is None:
                    os.environ.pop("FAKE_WHENCE_TRACE", None)
                else:
                    os.environ["FAKE_WHENCE_TRACE"] = old
            self.assertEqual(rc, 0)
            r = json.loads(buf.getvalue())
            self.assertEqual(r["stories_labelled"], 6)
            self.assertEqual(r["traced"], 5)
            self.assertEqual([x["story"] for x in r["no_pa_file"]], ["02.01.00/theft/theft1_sun.txt"])
            self.assertAlmostEqual(r["macro_f1"], (2 / 3 + 0.5 + 2 / 3) / 3)
            self.assertEqual(r["confusion"]["non"]["partially"], 1)
            with open(feats, encoding="utf-8") as f:
                fs = {x["story"]: x for x in json.load(f)}
            x = fs["01.01.00/fire/fire1_sun.txt"]
            self.assertEqual(x["passages_by_kind"], {"verbatim": 1, "edited": 1})
            self.assertEqual(x["longest_passage"], 30)
            self.assertEqual(x["boilerplate_chars"], 10)
            self.assertEqual(x["novel_chars"], 20)
            self.assertEqual(x["sources"], 1)

    def test_failed_trace_exits_1(self):
        with tempfile.TemporaryDirectory() as tmp:
            meter = os.path.join(tmp, "meter")
            build(meter)
            empty = os.path.join(tmp, "empty.json")
            with open(empty, "w") as f:
                f.write("{}")
            whence = write_fake_whence(tmp)
            os.environ["FAKE_WHENCE_TRACE"] = empty
            try:
                import contextlib
                import io
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    rc = mt.main(["--whence", whence, "--meter", meter, "--json"])
            finally:
                os.environ.pop("FAKE_WHENCE_TRACE", None)
            self.assertEqual(rc, 1)

    def test_absent_corpus_skips(self):
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(mt.main(["--whence", "/bin/true", "--meter", "/nonexistent"]), 0)


if __name__ == "__main__":
    unittest.main()
