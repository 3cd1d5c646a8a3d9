"""Tests for pan_plagdet.py.  Run: python3 -m unittest discover -s eval -p 'test_*.py'

The figures in the hand-made cases are computed by hand in the comments.
Set PAN13_CORPUS to point the real-corpus test elsewhere (default
../shared/corpora/pan13-no-obfuscation relative to the worktree root).
"""

import io
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pan_plagdet as pp  # noqa: E402

Ann = pp.Ann
S, R = "suspicious-document00001.txt", "source-document00001.txt"
CORPUS = os.environ.get("PAN13_CORPUS", os.path.join(
    HERE, "..", "..", "shared", "corpora", "pan13-no-obfuscation"))
if not os.path.isdir(CORPUS):
    CORPUS = "/work/shared/corpora/pan13-no-obfuscation"

# the case used below: suspicious [100, 200), source [50, 150); |s| = 100 + 100
CASE = Ann(S, 100, 100, R, 50, 100)


def ev(cases, dets):
    return pp.evaluate(cases, dets)


class HandMadeCases(unittest.TestCase):
    def check(self, r, precision, recall, gran, plagdet):
        self.assertAlmostEqual(r["precision"], precision, places=12)
        self.assertAlmostEqual(r["recall"], recall, places=12)
        self.assertAlmostEqual(r["granularity"], gran, places=12)
        self.assertAlmostEqual(r["plagdet"], plagdet, places=12)

    def test_perfect_detection(self):
        self.check(ev([CASE], [CASE]), 1, 1, 1, 1)

    def test_two_halves(self):
        # each half lies inside the case: precision 1; together they cover
        # 100 + 100 of 200 chars: recall 1; 2 detections for 1 case: gran 2
        # plagdet = 1 / log2(3) = 0.6309...
        h1 = Ann(S, 100, 50, R, 50, 50)
        h2 = Ann(S, 150, 50, R, 100, 50)
        self.check(ev([CASE], [h1, h2]), 1, 1, 2, 1 / math.log2(3))
        self.assertAlmostEqual(1 / math.log2(3), 0.6309297535714574)

    def test_half_a_case(self):
        # covers 50 + 50 of 200 chars: recall 0.5; F1 = 2*.5/1.5 = 2/3
        half = Ann(S, 100, 50, R, 50, 50)
        self.check(ev([CASE], [half]), 1, 0.5, 1, 2 / 3)
        r = ev([CASE], [half])
        self.assertAlmostEqual(r["micro_recall"], 0.5)
        self.assertAlmostEqual(r["micro_precision"], 1.0)

    def test_overlap_in_suspicious_only_detects_nothing(self):
        # same suspicious span, but source [300, 400) misses [50, 150)
        d = Ann(S, 100, 100, R, 300, 100)
        self.check(ev([CASE], [d]), 0, 0, 1, 0)
        self.assertEqual(pp.detections_per_case([CASE], [d]), [0])

    def test_overlap_in_source_only_detects_nothing(self):
        d = Ann(S, 500, 100, R, 50, 100)
        self.check(ev([CASE], [d]), 0, 0, 1, 0)

    def test_other_source_document_detects_nothing(self):
        d = Ann(S, 100, 100, "source-document00002.txt", 50, 100)
        self.check(ev([CASE], [d]), 0, 0, 1, 0)

    def test_adjacent_spans_do_not_overlap(self):
        # [200, 300) touches [100, 200) but shares no character
        d = Ann(S, 200, 100, R, 150, 100)
        self.check(ev([CASE], [d]), 0, 0, 1, 0)

    def test_false_detection_lowers_precision(self):
        # precision = (1 + 0) / 2 = 0.5, recall 1, F1 = 2*.5/1.5 = 2/3
        false = Ann(S, 500, 100, R, 500, 100)
        self.check(ev([CASE], [CASE, false]), 0.5, 1, 1, 2 / 3)
        # micro: detected chars 400, of which 200 are plagiarised
        r = ev([CASE], [CASE, false])
        self.assertAlmostEqual(r["micro_precision"], 0.5)

    def test_too_long_detection(self):
        # susp [100, 300) src [50, 150): 200 of its 300 chars are in the case
        d = Ann(S, 100, 200, R, 50, 100)
        self.check(ev([CASE], [d]), 2 / 3, 1, 1, 0.8)

    def test_macro_vs_micro(self):
        # case A 200+200 chars detected exactly, case B 50+50 not at all
        a = Ann(S, 0, 200, R, 0, 200)
        b = Ann(S, 1000, 50, R, 1000, 50)
        r = ev([a, b], [a])
        self.assertAlmostEqual(r["recall"], 0.5)           # (1 + 0) / 2
        self.assertAlmostEqual(r["micro_recall"], 400 / 500)
        self.assertAlmostEqual(r["precision"], 1)

    def test_one_detection_for_two_cases(self):
        # one detection spanning two adjacent cases: gran 1, recall 1
        a = Ann(S, 0, 100, R, 0, 100)
        b = Ann(S, 100, 100, R, 100, 100)
        d = Ann(S, 0, 200, R, 0, 200)
        self.check(ev([a, b], [d]), 1, 1, 1, 1)

    def test_duplicate_detections_count_once(self):
        self.check(ev([CASE], [CASE, CASE]), 1, 1, 1, 1)

    def test_empty_inputs_follow_perfmeasures(self):
        self.check(ev([], []), 1, 1, 1, 1)
        self.check(ev([CASE], []), 0, 0, 1, 0)
        self.check(ev([], [CASE]), 0, 0, 1, 0)


def brute_force(cases, dets):
    """Character-set implementation of the same definitions, for cross-checks."""
    def chars(a):
        return ({("t", a.susp, i) for i in range(a.toff, a.toff + a.tlen)}
                | {("s", a.src, i) for i in range(a.soff, a.soff + a.slen)})

    def meet(s, r):
        return chars(s) & chars(r) if pp.overlaps(s, r) else set()

    rec = sum(len(set().union(*[meet(s, r) for r in dets])) / len(chars(s)) for s in cases) / len(cases)
    prec = sum(len(set().union(*[meet(s, r) for s in cases])) / len(chars(r)) for r in dets) / len(dets)
    per = [sum(1 for r in dets if pp.overlaps(s, r)) for s in cases]
    det = [n for n in per if n]
    gran = sum(det) / len(det) if det else 1
    hit = set().union(*[meet(s, r) for s in cases for r in dets])
    mrec = len(hit) / len(set().union(*map(chars, cases)))
    mprec = len(hit) / len(set().union(*map(chars, dets)))
    return rec, prec, gran, mrec, mprec


class LocateCase(unittest.TestCase):
    def test_finds_text_despite_shifted_truth(self):
        src = "Intro words here. " + "the quick brown fox jumps over the lazy dog again and again " * 3
        susp = ("unrelated filler text " * 40) + src[18:].replace(" over ", "\nover ") + " tail"
        real = susp.index("the quick")
        case = Ann(S, real + 300, 150, R, 18, 150)       # suspicious offset 300 chars off
        loc = pp.locate_case(case, susp, src)
        self.assertIsNotNone(loc)
        self.assertEqual(loc.toff, real)
        self.assertEqual(loc.soff, 18)
        self.assertTrue(susp[loc.toff:loc.toff + loc.tlen].startswith("the quick brown fox"))

    def test_nothing_in_common(self):
        case = Ann(S, 0, 20, R, 0, 20)
        self.assertIsNone(pp.locate_case(case, "a b c d e f g h", "t u v w x y z"))


class RandomCrossCheck(unittest.TestCase):
    def test_against_brute_force(self):
        rnd = random.Random(7)
        docs = [(S, R), (S, "source-document00002.txt"), ("suspicious-document00009.txt", R)]

        def ann():
            s, r = rnd.choice(docs)
            return Ann(s, rnd.randrange(0, 300), rnd.randrange(1, 80),
                       r, rnd.randrange(0, 300), rnd.randrange(1, 80))
        for _ in range(300):
            cases = list({ann() for _ in range(rnd.randrange(1, 5))})
            dets = list({ann() for _ in range(rnd.randrange(1, 8))})
            r = ev(cases, dets)
            rec, prec, gran, mrec, mprec = brute_force(cases, dets)
            self.assertAlmostEqual(r["recall"], rec)
            self.assertAlmostEqual(r["precision"], prec)
            self.assertAlmostEqual(r["granularity"], gran)
            self.assertAlmostEqual(r["micro_recall"], mrec)
            self.assertAlmostEqual(r["micro_precision"], mprec)


FAKE_WHENCE = textwrap.dedent("""\
    #!/usr/bin/env python3
    # test double for `whence compare --json A B`: answers from FAKE_WHENCE_MAP
    import json, os, sys
    args = sys.argv[1:]
    assert args[0] == "compare" and "--json" in args, args
    a, b = args[-2], args[-1]
    if os.environ.get("FAKE_WHENCE_LOG"):
        open(os.environ["FAKE_WHENCE_LOG"], "a").write(json.dumps(args) + chr(10))
    key = os.path.basename(a) + " " + os.path.basename(b)
    ans = json.load(open(os.environ["FAKE_WHENCE_MAP"])).get(key, {"passages": []})
    if ans == "fail":
        print("boom: cannot align", file=sys.stderr); sys.exit(3)
    if ans == "garbage":
        print("this is not json"); sys.exit(0)
    ans.setdefault("a", {"id": a, "chars": len(open(a).read())})
    ans.setdefault("b", {"id": b, "chars": len(open(b).read())})
    print(json.dumps(ans))
""")


class Driver(unittest.TestCase):
    """The command line on a tiny corpus written here, with a fake whence."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        self.corpus = os.path.join(d, "corpus")
        for sub in ("susp", "src", "truth"):
            os.makedirs(os.path.join(self.corpus, sub))
        words = "alpha beta gamma delta epsilon zeta eta theta iota kappa ".split()
        text = " ".join(words[i % 10] for i in range(120))
        self.pairs = [("suspicious-document00001.txt", "source-document00001.txt"),
                      ("suspicious-document00002.txt", "source-document00002.txt"),
                      ("suspicious-document00003.txt", "source-document00003.txt")]
        with open(os.path.join(self.corpus, "pairs"), "w") as f:
            for s, r in self.pairs:
                f.write(f"{s} {r}\n")
                for sub, name in (("susp", s), ("src", r)):
                    with open(os.path.join(self.corpus, sub, name), "w") as g:
                        g.write("é" + text)     # a non-ASCII char: offsets are code points
                with open(os.path.join(self.corpus, "truth", f"{s[:-4]}-{r[:-4]}.xml"), "w") as g:
                    g.write(f'<document reference="{s}">\n<feature name="plagiarism" '
                            f'this_offset="100" this_length="100" source_reference="{r}" '
                            f'source_offset="50" source_length="100" obfuscation="none"/>\n</document>\n')
        self.whence = os.path.join(d, "whence")
        with open(self.whence, "w") as f:
            f.write(FAKE_WHENCE)
        os.chmod(self.whence, 0o755)
        self.map = os.path.join(d, "map.json")

    def tearDown(self):
        self.tmp.cleanup()

    def run_cli(self, answers, *args):
        with open(self.map, "w") as f:
            json.dump(answers, f)
        env = dict(os.environ, FAKE_WHENCE_MAP=self.map)
        return subprocess.run([sys.executable, os.path.join(HERE, "pan_plagdet.py"),
                               "--corpus", self.corpus, *args],
                              capture_output=True, text=True, env=env, timeout=120)

    def key(self, i):
        return " ".join(self.pairs[i])

    def test_perfect_run_json_and_roundtrip(self):
        perfect = {"passages": [{"a": [100, 200], "b": [50, 150], "kind": "verbatim", "score": 1}]}
        out = os.path.join(self.tmp.name, "dets")
        p = self.run_cli({self.key(i): perfect for i in range(3)},
                         "--whence", self.whence, "--jobs", "2", "--json", "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        self.assertEqual((r["plagdet"], r["precision"], r["recall"], r["granularity"]), (1, 1, 1, 1))
        self.assertEqual((r["cases"], r["detections"], r["pairs"], r["failed_pairs"]), (3, 3, 3, 0))
        self.assertEqual(r["detection_kinds"], {"verbatim": 3})
        self.assertEqual(r["warnings"], [])
        # the written PAN XML scores the same
        p2 = self.run_cli({}, "--detections", out, "--json")
        self.assertEqual(p2.returncode, 0, p2.stderr)
        self.assertEqual(json.loads(p2.stdout)["plagdet"], 1)

    def test_failures_are_reported_and_counted(self):
        halves = {"passages": [{"a": [100, 150], "b": [50, 100], "kind": "verbatim"},
                               {"a": [150, 200], "b": [100, 150], "kind": "edited"}]}
        p = self.run_cli({self.key(0): halves, self.key(1): "fail", self.key(2): "garbage"},
                         "--whence", self.whence, "--jobs", "1", "--worst", "3")
        self.assertEqual(p.returncode, 1)
        self.assertNotIn("Traceback", p.stdout + p.stderr)
        self.assertIn("suspicious-document00002-source-document00002", p.stdout)
        self.assertIn("exit code 3", p.stdout)
        self.assertIn("boom: cannot align", p.stdout)
        self.assertIn("not JSON", p.stdout)
        self.assertIn("failed pairs 2", p.stdout)
        # pair 1: recall 1 gran 2; pairs 2, 3: nothing. Macro over all 3 cases:
        # recall 1/3, precision 1, gran 2 -> F1 = 0.5, plagdet 0.5 / log2(3)
        self.assertIn(f"plagdet      {0.5 / math.log2(3):.4f}", p.stdout)
        self.assertIn("granularity  2.0000", p.stdout)
        # --worst shows the truth text and the detections with their text
        self.assertIn("COMPARE FAILED", p.stdout)
        self.assertIn("case 0: susp [100,200) src [50,150)  recall 1.000, 2 detection(s)", p.stdout)
        with open(os.path.join(self.corpus, "susp", self.pairs[0][0])) as f:
            t = f.read()
        self.assertIn(repr(t[100:150]), p.stdout)

    def test_extra_args_reach_whence(self):
        log = os.path.join(self.tmp.name, "log")
        os.environ["FAKE_WHENCE_LOG"] = log
        try:
            p = self.run_cli({}, "--whence", self.whence, "--limit", "1",
                             "--extra-args", "--no-paraphrase --min-words 5")
        finally:
            del os.environ["FAKE_WHENCE_LOG"]
        self.assertEqual(p.returncode, 0, p.stderr)
        args = json.loads(open(log).read())
        self.assertEqual(args[:5], ["compare", "--json", "--no-paraphrase", "--min-words", "5"])
        self.assertTrue(args[-2].endswith("suspicious-document00001.txt"))

    def test_missing_binary_and_missing_corpus(self):
        p = self.run_cli({}, "--whence", os.path.join(self.tmp.name, "nope"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("whence binary not found", p.stderr)
        self.assertNotIn("Traceback", p.stderr)
        p = subprocess.run([sys.executable, os.path.join(HERE, "pan_plagdet.py"), "--corpus",
                            os.path.join(self.tmp.name, "absent"), "--whence", self.whence],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn("SKIPPED", p.stdout)

    def test_bad_spans_are_reported(self):
        bad = {"passages": [{"a": [100, 200], "b": [50, 150]},
                            {"a": [100, 200], "b": [50, 150]},       # duplicate
                            {"a": [5, 5], "b": [7, 7]},              # empty
                            {"a": [100, 99999], "b": [50, 150]}]}    # beyond the text
        p = self.run_cli({self.key(0): bad}, "--whence", self.whence, "--limit", "1", "--json")
        r = json.loads(p.stdout)
        self.assertEqual(r["pairs"], 1)
        self.assertEqual(r["detections"], 2)
        w = " ".join(r["warnings"])
        self.assertIn("outside the texts", w)
        self.assertIn("duplicate", w)
        self.assertIn("empty", w)
        p = self.run_cli({self.key(0): {"passages": [{"a": "x"}]}}, "--whence", self.whence,
                         "--limit", "1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no integer a/b", p.stdout)
        self.assertNotIn("Traceback", p.stdout + p.stderr)


class RealCorpus(unittest.TestCase):
    def test_truth_as_detections_scores_one(self):
        if not os.path.isfile(os.path.join(CORPUS, "pairs")):
            self.skipTest(f"PAN13 corpus not found at {CORPUS}")
        buf = io.StringIO()
        with redirect_stdout(buf):
            rc = pp.main(["--corpus", CORPUS, "--detections", os.path.join(CORPUS, "truth"), "--json"])
        self.assertEqual(rc, 0)
        r = json.loads(buf.getvalue())
        self.assertEqual((r["plagdet"], r["precision"], r["recall"], r["granularity"]), (1, 1, 1, 1))
        self.assertEqual(r["micro_plagdet"], 1)
        self.assertEqual((r["pairs"], r["cases"], r["detections"]), (250, 319, 319))


if __name__ == "__main__":
    unittest.main()
