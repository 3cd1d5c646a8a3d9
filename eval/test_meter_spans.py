"""Tests for meter_spans.py.  Run: python3 -m unittest discover -s eval -p 'test_*.py'"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import meter_spans as ms  # noqa: E402

# A story written for this test, with CRLF line ends like most METER files.
TEXT = ("A judge said yesterday the man was guilty.\r\n"
        "\r\n"
        "He was jailed for \xa35,000 fraud.\r\n")
# line 1 = "A judge said yesterday the man was guilty.\r"  (43 chars incl. \r)
# line 2 = "\r", line 3 = "He was jailed for £5,000 fraud.\r", line 4 = ""
AAT = ("<BEGIN ANNO>\n"
       "Verbatim@1.0@1.13#PAsource=\n"        # "A judge said "
       "Rewrite@1.13@1.23#PAsource=\n"        # "yesterday "
       "Verbatim@1.23@2.1#PAsource=\n"        # "the man was guilty.\r\n\r"
       "New@3.0@3.18#PAsource=\n"             # "He was jailed for "
       "Verbatim@3.18@3.24#PAsource=\n"       # "£5,000"
       "Rewrite@3.24@4.0#PAsource=\n"         # " fraud.\r\n"
       "<END ANNO>\n" + TEXT)


class AatParser(unittest.TestCase):
    def test_parse(self):
        anns, embedded, bad = ms.parse_aat(AAT)
        self.assertEqual(embedded, TEXT)
        self.assertEqual(bad, [])
        self.assertEqual(anns[0], ("Verbatim", 1, 0, 1, 13))
        self.assertEqual(len(anns), 6)

    def test_positions_are_1based_lines_0based_columns_end_exclusive(self):
        anns, embedded, _ = ms.parse_aat(AAT)
        spans, bad = ms.aat_spans(anns, embedded)
        self.assertEqual(bad, [])
        got = [(k, TEXT[s:e]) for k, s, e in spans]
        self.assertEqual(got, [
            ("Verbatim", "A judge said "),
            ("Rewrite", "yesterday "),
            ("Verbatim", "the man was guilty.\r\n\r"),
            ("New", "He was jailed for "),
            ("Verbatim", "\xa35,000"),
            ("Rewrite", " fraud.\r\n"),
        ])
        # the spans tile the text except the '\n' after the empty "\r" line 2
        covered = sorted(i for _, s, e in spans for i in range(s, e))
        self.assertEqual(len(covered), len(set(covered)))
        self.assertEqual(set(range(len(TEXT))) - set(covered), {TEXT.index("\r\nHe") + 1})

    def test_out_of_range(self):
        spans, bad = ms.aat_spans([("New", 1, 44, 2, 0), ("New", 9, 0, 9, 1),
                                   ("New", 1, 5, 1, 2)], TEXT)
        self.assertEqual(spans, [])
        self.assertEqual(len(bad), 3)
        # the end of a line (before its '\n') is a valid position
        spans, bad = ms.aat_spans([("New", 1, 43, 2, 0)], TEXT)
        self.assertEqual([TEXT[s:e] for _, s, e in spans], ["\n"])

    def test_lf_only_text_same_positions(self):
        lf = TEXT.replace("\r\n", "\n")
        spans, _ = ms.aat_spans([("Verbatim", 3, 18, 3, 24)], lf)
        self.assertEqual([lf[s:e] for _, s, e in spans], ["\xa35,000"])

    def test_map_onto_raw_text_with_a_typo(self):
        raw = TEXT.replace("guilty", "gulity").replace("\r\n", "\n")
        anns, embedded, _ = ms.parse_aat(AAT)
        spans, _ = ms.aat_spans(anns, embedded)
        mapped, ratio = ms.map_spans(spans, embedded, raw)
        self.assertGreater(ratio, 0.9)
        self.assertLess(ratio, 1.0)
        texts = {raw[s:e] for _, s, e in mapped}
        self.assertIn("A judge said ", texts)
        self.assertIn("\xa35,000", texts)

    def test_measures(self):
        self.assertEqual(ms.prf(3, 1, 1)["f1"], 0.75)
        gold = {"Verbatim": {1, 2, 3}, "Rewrite": {4, 5}, "New": {6}}
        pred = {"verbatim": {1, 2}, "paraphrase": {5, 6}}
        c = ms.story_counts(gold, pred)
        self.assertEqual(c["reused"], (3, 1, 2))               # {1,2,5} / {6} / {3,4}
        self.assertEqual(c["verbatim"], (2, 0, 1))
        self.assertEqual(c["rewrite_vs_paraphrase"], (1, 1, 1))
        self.assertEqual(c["rewrite_vs_any"], (1, 3, 1))
        self.assertEqual(ms.charset([(0, 8)], "ab  cd\r\ne"), {0, 1, 4, 5})


FAKE_WHENCE = textwrap.dedent("""\
    #!/usr/bin/env python3
    # test double: one verbatim passage over the first 42 characters of A
    import json, sys
    a, b = sys.argv[-2], sys.argv[-1]
    if "bad" in b:
        print("cannot read", file=sys.stderr); sys.exit(4)
    n = len(open(a, encoding="latin-1", newline="").read())
    print(json.dumps({"a": {"chars": n}, "b": {}, "passages": [
        {"a": [0, 42], "b": [0, 42], "kind": "verbatim", "score": 1}]}))
""")


class Driver(unittest.TestCase):
    def test_tiny_corpus(self):
        with tempfile.TemporaryDirectory() as d:
            meter = os.path.join(d, "meter")
            folder = "01.01.00/fraud"
            for sub in ("newspapers/annotated/courts", "newspapers/rawtexts/courts",
                        "PA/rawtexts/courts"):
                os.makedirs(os.path.join(meter, sub, folder))
            os.makedirs(os.path.join(meter, "file_index", "courts"))
            with open(os.path.join(meter, "newspapers/annotated/courts", folder, "fraud1_sun.aat"),
                      "w", encoding="latin-1", newline="") as f:
                f.write(AAT)
            with open(os.path.join(meter, "newspapers/rawtexts/courts", folder, "fraud1_sun.txt"),
                      "w", encoding="latin-1", newline="") as f:
                f.write(TEXT)
            for name in ("fraud1.txt", "fraud2bad.txt"):
                with open(os.path.join(meter, "PA/rawtexts/courts", folder, name), "w") as f:
                    f.write("A judge said today the man was guilty.\n")
            with open(os.path.join(meter, "file_index/courts/wholly_derived.txt"), "w") as f:
                f.write(f"meter_corpus/newspapers/rawtexts/courts/{folder}/fraud1_sun.txt\n")
            whence = os.path.join(d, "whence")
            with open(whence, "w") as f:
                f.write(FAKE_WHENCE)
            os.chmod(whence, 0o755)
            p = subprocess.run([sys.executable, os.path.join(HERE, "meter_spans.py"), "--whence",
                                whence, "--meter", meter, "--json", "--jobs", "1"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 1, p.stderr)   # one compare failed
            r = json.loads(p.stdout)
            self.assertEqual((r["compares"], r["failed_compares"]), (2, 1))
            self.assertIn("exit code 4", r["failures"][0]["error"])
            # whence [0, 42) = "A judge said yesterday the man was guilty."
            # gold reused (non-whitespace): V "Ajudgesaid" 10 + R "yesterday" 9 +
            # "themanwasguilty." 16 (+ "\r"s are whitespace) + "£5,000" 6 + "fraud." 6 = 47
            # predicted non-ws chars: 10 + 9 + 16 = 35, all gold; missed 6 + 6 = 12
            reused = r["spans"]["reused"]
            self.assertEqual((reused["tp"], reused["fp"], reused["fn"]), (35, 0, 12))
            self.assertEqual(r["coverage_by_label"]["wholly"]["n"], 1)
            total_nonws = sum(1 for ch in TEXT if not ch.isspace())
            self.assertAlmostEqual(r["coverage_by_label"]["wholly"]["mean"], 35 / total_nonws)

    def test_absent_corpus_is_skipped(self):
        p = subprocess.run([sys.executable, os.path.join(HERE, "meter_spans.py"), "--whence",
                            "/nonexistent", "--meter", "/nonexistent/meter"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertIn("SKIPPED", p.stdout)


if __name__ == "__main__":
    unittest.main()
