#!/usr/bin/env python3
"""Natural duplicates: does `whence pairs` find the duplicates a corpus really has?

Reads a JSONL(.gz) corpus (`id`, `text`; e.g. ../shared/corpora/news/bbc.jsonl.gz,
which has about 100 exact duplicate pairs), and finds by itself
  exact       pairs whose texts are identical after whitespace normalisation
              (runs of whitespace -> one space, stripped);
  near-exact  the other pairs whose word 5-gram sets have Jaccard >= --near
              (0.9), found with an inverted index over the 5-grams (5-grams in
              more than --max-df documents are ignored for candidates only).
Then runs `whence pairs CORPUS --out WORKDIR/pairs.jsonl` (pairs unordered)
and reports how many of each whence reports, with which `relation`, the ones
it misses, and how many other pairs it reports.

Usage:
  python3 eval/natural_dups.py --whence target/release/whence \
      --corpus ../shared/corpora/news/bbc.jsonl.gz [--near 0.9] [--workdir DIR] \
      [--whence-args "--threads 2"] [--json]
Exit status: 0 ok or corpus absent (skipped); 1 whence failed; 2 unusable input.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

WS = re.compile(r"\s+")
WORD = re.compile(r"\w+")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def read_corpus(path):
    opener = gzip.open if path.endswith(".gz") else open
    docs = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            if "id" not in d or "text" not in d:
                raise ValueError(f"line {n}: no id or text")
            docs.append((str(d["id"]), d["text"]))
    return docs


def exact_pairs(docs):
    groups = {}
    for did, text in docs:
        groups.setdefault(WS.sub(" ", text).strip(), []).append(did)
    return {frozenset(p) for ids in groups.values() if len(ids) > 1
            for p in itertools.combinations(ids, 2)}


def shingles(text, k=5):
    w = WORD.findall(text.lower())
    return {hash(tuple(w[i:i + k])) for i in range(max(1, len(w) - k + 1))} if w else set()


def near_pairs(docs, threshold, max_df=50):
    """-> {frozenset(a, b): jaccard} for pairs with 5-gram Jaccard >= threshold."""
    sets = [shingles(t) for _, t in docs]
    index = {}
    for i, s in enumerate(sets):
        for h in s:
            index.setdefault(h, []).append(i)
    shared = {}
    for post in index.values():
        if 1 < len(post) <= max_df:
            for i, j in itertools.combinations(post, 2):
                shared[(i, j)] = shared.get((i, j), 0) + 1
    out = {}
    for (i, j), c in shared.items():
        # c counts only 5-grams under the df cut; compute the exact Jaccard when it can pass
        if c < threshold * min(len(sets[i]), len(sets[j])) * 0.5:
            continue
        inter = len(sets[i] & sets[j])
        jac = inter / len(sets[i] | sets[j])
        if jac >= threshold:
            out[frozenset((docs[i][0], docs[j][0]))] = jac
    return out


def read_pairs(path):
    """-> ({pair: relation}, {pair: max(a_reused, b_reused)}, bad lines)."""
    pairs, reused, bad = {}, {}, 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                o = json.loads(line)
                k = frozenset((str(o["a"]), str(o["b"])))
                pairs[k] = str(o.get("relation", "?"))
                reused[k] = max(float(o.get("a_reused") or 0), float(o.get("b_reused") or 0))
            except (ValueError, KeyError, TypeError):
                bad += 1
    return pairs, reused, bad


def hist(values):
    h = {}
    for v in values:
        h[v] = h.get(v, 0) + 1
    return dict(sorted(h.items()))


def bins(values, edges=(0.05, 0.1, 0.2, 0.5)):
    """Histogram with labels '<0.05', '0.05-0.1', ..., '>=0.5'."""
    labels = [f"<{edges[0]}"] + [f"{a}-{b}" for a, b in zip(edges, edges[1:])] + [f">={edges[-1]}"]
    out = {lab: 0 for lab in labels}
    for v in values:
        i = sum(v >= e for e in edges)
        out[labels[i]] += 1
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Natural duplicates found by `whence pairs`.")
    ap.add_argument("--whence", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--near", type=float, default=0.9, help="5-gram Jaccard for near-exact pairs")
    ap.add_argument("--max-df", type=int, default=50)
    ap.add_argument("--workdir")
    ap.add_argument("--whence-args", default="")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    if not os.path.isfile(args.corpus):
        log(f"SKIPPED: corpus not found at {args.corpus}")
        return 0
    if not (os.path.isfile(args.whence) and os.access(args.whence, os.X_OK)):
        log(f"SKIPPED: whence binary not found at {args.whence}")
        return 0
    try:
        docs = read_corpus(args.corpus)
    except (ValueError, OSError) as e:
        log(f"unusable corpus: {e}")
        return 2
    ids = [d for d, _ in docs]
    if len(set(ids)) != len(ids):
        log("warning: duplicate ids in the corpus; pairs between equal ids are ignored")
    exact = {p for p in exact_pairs(docs) if len(p) == 2}
    near = {p: j for p, j in near_pairs(docs, args.near, args.max_df).items() if p not in exact and len(p) == 2}

    workdir = args.workdir or tempfile.mkdtemp(prefix="natural_dups_")
    os.makedirs(workdir, exist_ok=True)
    out = os.path.join(workdir, "pairs.jsonl")
    def run(corpus):
        cmd = [args.whence, "pairs", corpus, "--out", out, *shlex.split(args.whence_args)]
        log("running: " + " ".join(cmd))
        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True)
        return cmd, p, time.monotonic() - t0

    cmd, p, secs = run(args.corpus)
    if p.returncode != 0 and args.corpus.endswith(".gz"):
        # whence may not read gzip: retry once on a decompressed copy
        plain = os.path.join(workdir, os.path.basename(args.corpus)[:-3])
        log(f"whence pairs failed on the .gz input (exit {p.returncode}); retrying on {plain}")
        with gzip.open(args.corpus, "rb") as src, open(plain, "wb") as dst:
            dst.write(src.read())
        cmd, p, secs = run(plain)
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode != 0 or not os.path.isfile(out):
        log(f"whence pairs failed (exit {p.returncode}): {err[-800:]}")
        return 1
    pairs, reused, bad = read_pairs(out)

    def found(truth):
        hit = [k for k in truth if k in pairs]
        return {"n": len(truth), "found": len(hit), "recall": len(hit) / len(truth) if truth else None,
                "relations": hist(pairs[k] for k in hit),
                "missed": sorted(sorted(k) for k in truth if k not in pairs)}

    ex, ne = found(exact), found(near)
    ne["jaccard_of_missed"] = [round(near[frozenset(m)], 3) for m in ne["missed"]]
    others = [k for k in pairs if k not in exact and k not in near]
    report = {"corpus": args.corpus, "docs": len(docs), "command": " ".join(cmd), "seconds": secs,
              "whence_summary": err.splitlines()[-1:] if err else [],
              "whence_pairs": len(pairs), "bad_lines": bad, "exact": ex,
              "near_exact": {**ne, "threshold": args.near},
              "other_pairs": len(others), "other_relations": hist(pairs[k] for k in others),
              "other_max_reused": bins([reused[k] for k in others]),
              "pairs_file": out}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"{args.corpus}: {len(docs)} docs; whence pairs {secs:.1f}s, {len(pairs)} pairs "
              f"({report['whence_summary']})")
        print(f"exact duplicate pairs: {ex['found']}/{ex['n']} reported, relations {ex['relations']}")
        print(f"near-exact (5-gram Jaccard >= {args.near}) pairs: {ne['found']}/{ne['n']} reported, "
              f"relations {ne['relations']}")
        for m in ex["missed"][:20]:
            print(f"  missed exact: {m[0]} {m[1]}")
        for m, j in list(zip(ne["missed"], ne["jaccard_of_missed"]))[:20]:
            print(f"  missed near-exact: {m[0]} {m[1]} (J {j})")
        print(f"other pairs reported: {len(others)}, relations {report['other_relations']}; "
              f"max(a_reused, b_reused): {report['other_max_reused']}; pairs in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
