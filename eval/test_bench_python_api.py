"""Tests for bench_python_api.py (its plumbing; the timing needs the package).
Run: python3 -m unittest discover -s eval -p 'test_*.py'"""

import gzip
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_python_api as bpa  # noqa: E402


class BenchPythonApiTest(unittest.TestCase):
    def test_reads_plain_and_gzip_lines_skipping_blank_ones(self):
        docs = [{"id": "a", "text": "Water rose overnight."}, {"id": "b", "text": "Schools stay shut."}]
        body = json.dumps(docs[0]) + "\n\n" + json.dumps(docs[1]) + "\n"
        with tempfile.TemporaryDirectory() as d:
            plain, packed = os.path.join(d, "c.jsonl"), os.path.join(d, "c.jsonl.gz")
            with open(plain, "w", encoding="utf-8") as f:
                f.write(body)
            with gzip.open(packed, "wt", encoding="utf-8") as f:
                f.write(body)
            self.assertEqual(bpa.read_docs(plain), docs)
            self.assertEqual(bpa.read_docs(packed), docs)

    def test_a_malformed_line_is_named(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "c.jsonl")
            with open(p, "w", encoding="utf-8") as f:
                f.write('{"id": "a", "text": "ok"}\n{"id": \n')
            with self.assertRaises(SystemExit) as cm:
                bpa.read_docs(p)
            self.assertIn("c.jsonl:2", str(cm.exception))

    def test_pairs_compare_by_ids_and_relation(self):
        x = [{"a": "a", "b": "b", "relation": "near_duplicate", "a_reused": 1.0}]
        y = [{"a": "a", "b": "b", "relation": "near_duplicate", "a_reused": 0.99}]
        z = [{"a": "a", "b": "b", "relation": "shared_source"}]
        self.assertEqual(bpa.pair_keys(x), bpa.pair_keys(y))
        self.assertNotEqual(bpa.pair_keys(x), bpa.pair_keys(z))

    def test_an_absent_corpus_is_skipped(self):
        # also by spark_stages.py, before it needs pyspark
        for script in ("bench_python_api.py", "spark_stages.py"):
            r = subprocess.run(
                [sys.executable, os.path.join(HERE, script), "--whence", "whence",
                 "--corpus", "/nonexistent/corpus.jsonl"],
                capture_output=True, text=True,
            )
            self.assertEqual(r.returncode, 0, f"{script}: {r.stderr}")
            self.assertIn("SKIPPED", r.stdout, script)


if __name__ == "__main__":
    unittest.main()
