#!/usr/bin/env python3
"""The persistent index against the in-memory commands on a whole corpus.

Runs `whence pairs --passages` and `whence index build` + `whence index pairs`
on CORPUS and compares the pair lines; then, for --queries documents sampled
from the corpus (every k-th) and as many new ones (a sampled document's first
half after a sentence of its own), compares `whence index query --json` with
`whence trace --json --in CORPUS`. Reports wall times and peak RSS (from
wait4's rusage) of each command, and the index size against the corpus size.

usage: index_vs_pairs.py --whence target/release/whence --corpus C.jsonl
                         --work DIR [--queries 20]
"""

import argparse
import json
import os
import subprocess
import sys
import time


def run(cmd, out=None):
    t = time.time()
    with open(out, "wb") if out else open(os.devnull, "wb") as f:
        p = subprocess.Popen(cmd, stdout=f if out else subprocess.PIPE, stderr=subprocess.PIPE)
        if out:
            _, err = p.communicate()
            stdout = b""
        else:
            stdout, err = p.communicate()
    # peak RSS of the child (the last waited-for child is this one)
    rss = os_rss()
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {err.decode(errors='replace')[-2000:]}")
    return stdout, time.time() - t, rss


_last = [0]


def os_rss():
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, max over children
    _last[0] = r
    return r


def lines(path):
    with open(path, encoding="utf-8") as f:
        return sorted(json.dumps(json.loads(l), sort_keys=True) for l in f if l.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--whence", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--queries", type=int, default=20)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    w = a.whence
    idx = os.path.join(a.work, "idx")
    pairs_out = os.path.join(a.work, "pairs.jsonl")
    index_out = os.path.join(a.work, "index-pairs.jsonl")
    _, t_pairs, _ = run([w, "pairs", a.corpus, "--passages", "-q", "--out", pairs_out])
    print(f"pairs: {t_pairs:.1f} s")
    _, t_build, _ = run([w, "index", "build", a.corpus, "--index", idx, "-q", "--force"])
    size = sum(os.path.getsize(os.path.join(idx, f)) for f in os.listdir(idx))
    print(f"index build: {t_build:.1f} s ({t_build / t_pairs:.2f}x pairs); index {size / 1e6:.1f} MB "
          f"for a corpus of {os.path.getsize(a.corpus) / 1e6:.1f} MB")
    run([w, "index", "pairs", "--index", idx, "--out", index_out])
    p, q = lines(pairs_out), lines(index_out)
    print(f"pairs lines: pairs {len(p)}, index {len(q)}, equal: {p == q}")
    if p != q:
        sp, sq = set(p), set(q)
        print(f"  only in pairs: {len(sp - sq)}, only in index: {len(sq - sp)}")
    docs = []
    with open(a.corpus, encoding="utf-8") as f:
        all_lines = f.readlines()
    step = max(1, len(all_lines) // max(1, a.queries))
    for i in range(0, len(all_lines), step)[: a.queries]:
        d = json.loads(all_lines[i])
        docs.append((f"in-{i}", d["text"]))
        half = d["text"][: len(d["text"]) // 2]
        docs.append((f"new-{i}", "A sentence of our own to start with. " + half))
    equal, times, with_sources = 0, [], 0
    for name, text in docs:
        path = os.path.join(a.work, name + ".txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        qo, tq, _ = run([w, "index", "query", path, "--index", idx, "--json", "-q"])
        to, _, _ = run([w, "trace", path, "--in", a.corpus, "--json", "-q"])
        times.append(tq)
        equal += qo == to
        with_sources += bool(json.loads(qo)["sources"])
        if qo != to:
            print(f"  query {name} differs from trace")
    times.sort()
    print(f"queries: {equal} of {len(docs)} equal to trace ({with_sources} with sources); "
          f"CLI process p50 {times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
    print(f"peak RSS of any child so far: {_last[0] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
