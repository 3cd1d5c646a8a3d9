"""Tests for direction.py.  Run: python3 -m unittest discover -s eval -p 'test_*.py'

A three-story dated corpus and a pairs file written here (texts made up for the
test) are scored with --pairs-in, so the expected calls are known.
"""

import contextlib
import datetime
import gzip
import io
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import direction as dr  # noqa: E402

STORY = ("Harbour board approves 40 mln dlr dock expansion at Port Elling, the board said on Monday. "
         "Work on the two new berths starts in June and should take 18 months, Chairman Ann Tovey said.")


class DirectionTest(unittest.TestCase):
    def test_dates(self):
        self.assertEqual(dr.parse_date("26-FEB-1987 15:01:01.79"), datetime.datetime(1987, 2, 26, 15, 1, 1))
        self.assertEqual(dr.parse_date("2015-10-02"), datetime.datetime(2015, 10, 2))
        self.assertIsNone(dr.parse_date("31-MAR-1987 605:12:19.12"))
        self.assertIsNone(dr.parse_date("soon"))

    def test_scores_calls_against_hidden_dates(self):
        with tempfile.TemporaryDirectory() as tmp:
            corpus = os.path.join(tmp, "c.jsonl.gz")
            docs = [("early", "1-MAR-1987 10:00:00.00"), ("late", "2-MAR-1987 10:00:00.00"),
                    ("april", "2-APR-1987 10:00:00.00"), ("bad", "soon")]
            with gzip.open(corpus, "wt", encoding="utf-8") as fh:
                for i, d in docs:
                    fh.write(json.dumps({"id": i, "text": STORY, "date": d}) + "\n")
            span = [0, len(STORY)]
            pairs = [
                # right: the later story is the derived one
                {"a": "late", "b": "early", "relation": "a_derived_from_b", "confidence": 0.9},
                # wrong, held-out (the later story is dated after the split)
                {"a": "april", "b": "early", "relation": "b_derived_from_a", "confidence": 0.9},
                # no call
                {"a": "early", "b": "april", "relation": "unknown_direction", "confidence": 0.7},
                # not scored: unreadable date
                {"a": "bad", "b": "early", "relation": "a_derived_from_b", "confidence": 0.9},
            ]
            for p in pairs:
                p["passages"] = [{"a": span, "b": span, "kind": "verbatim"}]
            path = os.path.join(tmp, "pairs.jsonl")
            with open(path, "w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(p) + "\n" for p in pairs)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                status = dr.main(["--corpus", corpus, "--pairs-in", path, "--json"])
            self.assertEqual(status, 0)
            r = json.loads(out.getvalue())["reuters"]
            self.assertEqual(r["unreadable_dates"], 1)
            self.assertEqual(r["skipped"], {"no readable date": 1})
            dev, held = r["parts"]["dev/all"], r["parts"]["held-out/all"]
            self.assertEqual((dev["calls"], dev["right"]), (1, 1))
            self.assertEqual((held["scored"], held["calls"], held["right"]), (2, 1, 0))
            self.assertEqual(held["by_confidence"], {"0.90": {"calls": 1, "right": 0}})
            # the same text on both sides keeps its figures: genuine
            self.assertIn("dev/genuine", r["parts"])

    def test_absent_corpus_is_skipped(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(dr.main(["--corpus", "/nonexistent/c.jsonl.gz"]), 0)
        self.assertIn("SKIPPED", err.getvalue())


if __name__ == "__main__":
    unittest.main()
