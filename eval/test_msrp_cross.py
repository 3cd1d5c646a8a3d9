"""Tests for msrp_cross.py.  Run: python3 -m unittest discover -s eval -p 'test_*.py'"""

import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import msrp_cross  # noqa: E402


class Folds(unittest.TestCase):
    def test_each_fold_is_measured_with_a_threshold_chosen_on_the_others(self):
        # Fold 1's scores are shifted up: a threshold chosen on all folds would
        # differ from the one chosen on folds 2 and 3 alone.
        labels = [0, 1, 0, 1, 0, 1]
        scores = [0.6, 0.9, 0.2, 0.4, 0.1, 0.3]
        bounds = [(0, 2), (2, 4), (4, 6)]
        ts = msrp_cross.fold_thresholds(labels, scores, bounds)
        self.assertTrue(0.2 < ts[0] <= 0.3, ts)   # from folds 2 and 3 only
        res = msrp_cross.summarize(labels, scores, bounds)
        self.assertEqual(res["folds"][0]["accuracy"], 0.5)  # 0.6 counts as a paraphrase there
        for k, (lo, hi) in enumerate(bounds):
            self.assertEqual(res["folds"][k]["threshold"], ts[k])
            want = msrp_cross.metrics(labels[lo:hi], scores[lo:hi], ts[k])["accuracy"]
            self.assertEqual(res["folds"][k]["accuracy"], want)
        self.assertEqual(len(res["folds_at_0.5"]), 3)
        self.assertAlmostEqual(res["cv"]["accuracy_mean"],
                               sum(f["accuracy"] for f in res["folds"]) / 3)

    def test_ranges(self):
        self.assertEqual(msrp_cross.ranges([(0, 0), (10, 20)]), "10..20")
        self.assertEqual(msrp_cross.ranges([(0, 5), (10, 20)]), "0..5,10..20")


class Driver(unittest.TestCase):
    def test_skips_without_corpus(self):
        out = subprocess.run([sys.executable, os.path.join(HERE, "msrp_cross.py"),
                              "--model", "/nonexistent", "--msrp", "/nonexistent.txt",
                              "--work", "/tmp/x"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("SKIPPED", out.stdout)

    def test_cv_and_final_with_a_stand_in_trainer(self):
        # A stand-in trainer that "predicts" each pair's label from the first
        # sentence, as the real one is driven: ranges, --scores, --threshold.
        with tempfile.TemporaryDirectory() as d:
            corpus = os.path.join(d, "msrp.txt")
            with open(corpus, "w", encoding="utf-8") as f:
                f.write("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n")
                for i in range(20):
                    y = i % 2
                    f.write(f"{y}\t{i}\t{i}\tsentence {'yes' if y else 'no'} {i}\tother {i}\n")
            trainer = os.path.join(d, "trainer")
            with open(trainer, "w", encoding="utf-8") as f:
                f.write(f"#!{sys.executable}\n" + r'''
import json, sys
a = sys.argv
pairs = [l.rstrip("\n").split("\t") for l in open(a[2], encoding="utf-8").readlines()[1:]]
opt = {a[i]: a[i + 1] for i in range(3, len(a) - 1) if a[i].startswith("--")}
def idx(r):
    out = []
    for part in r.split(","):
        lo, hi = part.split("..")
        out += range(int(lo), int(hi))
    return out
train = idx(opt["--train"])
assert all(i < 14 for i in train), train   # never the held-out part
open(opt["--out"], "w").write(json.dumps({"threshold": opt.get("--threshold")}))
if "--eval" in opt:
    with open(opt["--scores"], "w") as f:
        for i in idx(opt["--eval"]):
            p = 0.8 if "yes" in pairs[i][3] else 0.3
            f.write(json.dumps({"pair": i, "label": int(pairs[i][0]), "p": p}) + "\n")
''')
            os.chmod(trainer, os.stat(trainer).st_mode | stat.S_IEXEC)
            model = os.path.join(d, "model")
            os.mkdir(model)
            final = os.path.join(d, "final.json")
            out = subprocess.run(
                [sys.executable, os.path.join(HERE, "msrp_cross.py"), "--trainer", trainer,
                 "--model", model, "--msrp", corpus, "--work", os.path.join(d, "w"),
                 "--folds", "2", "--final", final, "--json", "--", "--epochs", "1"],
                capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            res = json.loads(out.stdout)
            self.assertEqual(res["tune_pairs"], 14)
            self.assertEqual(res["cv"]["accuracy_mean"], 1.0)
            self.assertTrue(0.3 < res["threshold"] < 0.8)
            with open(final) as f:
                self.assertAlmostEqual(float(json.load(f)["threshold"]), res["threshold"], 4)


if __name__ == "__main__":
    unittest.main()
