"""Tests for precision/passages.py.  Run: python3 -m unittest discover -s eval -p 'test_*.py'

A corpus, a pairs output, frames and labels written here, in a temporary
folder, so the estimates are known.
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
sys.path.insert(0, os.path.join(HERE, "precision"))
import passages as PS  # noqa: E402
import precision as P  # noqa: E402

TEXT = "The harbour reopened on Monday. Barges queued at the lock. Rain fell all day."
# BBC splits by category: business is dev, tech is held out
DOCS = {"bbc-business-001": TEXT, "bbc-business-002": TEXT, "bbc-business-003": TEXT,
        "bbc-tech-001": TEXT}


def pair(a, b, spans):
    return {"a": a, "b": b, "relation": "shared_source", "a_reused": 0.5, "b_reused": 0.5,
            "passages": [{"a": x, "b": y, "kind": "paraphrase", "score": s}
                         for x, y, s in spans]}


class PassagesTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        d = self.dir.name
        os.makedirs(os.path.join(d, "news"))
        with gzip.open(os.path.join(d, "news", "bbc.jsonl.gz"), "wt", encoding="utf-8") as f:
            for i, t in DOCS.items():
                f.write(json.dumps({"id": i, "text": t}) + "\n")
        self.saved = (P.FRAMES, PS.LABELS)
        P.FRAMES = os.path.join(d, "frames")
        PS.LABELS = os.path.join(d, "labels.jsonl")
        self.pairs = os.path.join(d, "pairs.jsonl")
        with open(self.pairs, "w") as f:
            for r in (pair("bbc-business-001", "bbc-business-002", [([0, 31], [0, 31], 0.5),
                                                                    ([32, 58], [32, 58], 0.7)]),
                      pair("bbc-business-001", "bbc-business-003", [([59, 77], [59, 77], 0.3)]),
                      pair("bbc-business-002", "bbc-tech-001", [([0, 31], [0, 31], 0.9)])):
                f.write(json.dumps(r) + "\n")

    def tearDown(self):
        P.FRAMES, PS.LABELS = self.saved
        self.dir.cleanup()

    def run_cmd(self, argv):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            PS.main(argv)
        return out.getvalue()

    def test_sample_label_score(self):
        d = self.dir.name
        drawn = os.path.join(d, "drawn.jsonl")
        shown = self.run_cmd(["sample", "--corpus", "bbc", "--news", os.path.join(d, "news"),
                              "--pairs", self.pairs, "--split", "dev", "--n", "3",
                              "--frame", "t", "--drawn", drawn, "--created", "1"])
        # every dev passage is drawn (strata this small are taken whole) and shown
        self.assertEqual(sum(line.startswith("#") for line in shown.splitlines()), 3)
        rows = [json.loads(x) for x in open(drawn)]
        self.assertEqual(len(rows), 3)
        self.assertEqual({r["a_text"] for r in rows},
                         {TEXT[0:31], TEXT[32:58], TEXT[59:77]})
        sheet = os.path.join(d, "sheet.tsv")
        with open(sheet, "w") as f:
            for r in rows:
                f.write(f"{r['n']}\t{'wrong' if r['score'] == 0.3 else 'right'}\tnote\n")
        self.run_cmd(["label", "--drawn", drawn, "--sheet", sheet])
        report = json.loads(self.run_cmd(["score", "--news", os.path.join(d, "news"),
                                          "--pairs", "bbc=" + self.pairs, "--json"]))
        dev, held = report["bbc"]["dev"], report["bbc"]["heldout"]
        self.assertEqual((dev["reported"], dev["labelled"], dev["unframed"]), (3, 3, 0))
        self.assertAlmostEqual(dev["precision"], 2 / 3)
        # the held-out passage is in no frame: counted, not guessed
        self.assertEqual((held["reported"], held["labelled"], held["unframed"]), (1, 0, 1))
        self.assertIsNone(held["precision"])

    def test_a_bad_sheet_line_is_an_error(self):
        d = self.dir.name
        drawn = os.path.join(d, "drawn.jsonl")
        self.run_cmd(["sample", "--corpus", "bbc", "--news", os.path.join(d, "news"),
                      "--pairs", self.pairs, "--split", "dev", "--n", "3",
                      "--frame", "t", "--drawn", drawn, "--created", "1"])
        sheet = os.path.join(d, "sheet.tsv")
        with open(sheet, "w") as f:
            f.write("1\tmaybe\n")
        with self.assertRaises(SystemExit) as e, contextlib.redirect_stderr(io.StringIO()):
            PS.main(["label", "--drawn", drawn, "--sheet", sheet])
        self.assertEqual(e.exception.code, 2)


if __name__ == "__main__":
    unittest.main()
