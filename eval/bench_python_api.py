#!/usr/bin/env python3
"""The Python API against the CLI on one corpus, in the same run: wall time of
`whence pairs CORPUS --out F` (a process) and of `whence.pairs(docs)` in this
process, with the documents given as a list of dicts and as a pyarrow Table
(read before the clock starts), and whether all three find the same pairs.

    python3 eval/bench_python_api.py --whence target/release/whence \
        --corpus ../shared/corpora/news/huffpost.jsonl.gz [--repeat 3]

Needs the `whence` package (pip install ./crates/python, built in release for
a fair figure) and pyarrow. Exit status 0 when the three agree, 1 when not, 2 on
unusable input; prints SKIPPED and exits 0 when the corpus is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def read_docs(path: str) -> list:
    opener = gzip.open if path.endswith(".gz") else open
    docs = []
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit(f"bench_python_api: {path}:{n}: not JSON ({e})")
    return docs


def pair_keys(rows) -> set:
    return {(r["a"], r["b"], r["relation"]) for r in rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--whence", required=True, help="the CLI binary")
    ap.add_argument("--corpus", required=True, help="a JSONL(.gz) corpus")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each (the median is reported)")
    args = ap.parse_args()
    if not os.path.exists(args.corpus):
        print(f"SKIPPED: {args.corpus} absent")
        return 0
    try:
        import pyarrow as pa
        import whence
    except ImportError as e:
        print(f"bench_python_api: {e} (pip install ./crates/python pyarrow)", file=sys.stderr)
        return 2

    docs = read_docs(args.corpus)
    table = pa.Table.from_pylist(docs)
    times = {"cli": [], "api dicts": [], "api arrow": []}
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "pairs.jsonl")
        for _ in range(args.repeat):
            t = time.perf_counter()
            subprocess.run([args.whence, "pairs", args.corpus, "--out", out, "--quiet"], check=True,
                           stderr=subprocess.DEVNULL)
            times["cli"].append(time.perf_counter() - t)
            with open(out, encoding="utf-8") as f:
                found["cli"] = pair_keys(json.loads(x) for x in f)
            t = time.perf_counter()
            res = whence.pairs(docs)
            times["api dicts"].append(time.perf_counter() - t)
            found["api dicts"] = pair_keys(res.pairs)
            t = time.perf_counter()
            res = whence.pairs(table)
            times["api arrow"].append(time.perf_counter() - t)
            found["api arrow"] = pair_keys(res.pairs)
    cli = statistics.median(times["cli"])
    print(f"corpus {args.corpus}: {len(docs)} documents, {len(found['cli'])} pairs; median of {args.repeat} runs")
    print("how\twall s\tratio to CLI\tpairs equal to CLI's")
    same = True
    for k, v in times.items():
        eq = found[k] == found["cli"]
        same &= eq
        print(f"{k}\t{statistics.median(v):.2f}\t{statistics.median(v) / cli:.2f}\t{eq}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
