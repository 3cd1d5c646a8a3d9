#!/usr/bin/env python3
"""Query documents of about 5 kB for the index query benchmark.

Each query is made of corpus documents (so it has sources in an index of the
corpus): a sampled document's first sentences, then further sampled documents'
texts, each cut to a few sentences, until the query holds --bytes bytes, with
one sentence of its own in front. Documents are sampled evenly over the corpus
(every k-th line, a fixed offset per query), deterministic.

usage: index_queries.py --corpus C.jsonl --n 300 [--bytes 5000] --out Q.jsonl
"""

import argparse
import json
import re


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--bytes", type=int, default=5000)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.corpus, "rb") as f:
        total = sum(1 for _ in f)
    # eight documents a query at most, sampled evenly
    step = max(1, total // (a.n * 8))
    texts = []
    with open(a.corpus, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % step == 0 and len(texts) < a.n * 8:
                texts.append(json.loads(line)["text"])
    sent = re.compile(r"(?<=[.!?])\s+")
    out, k = [], 0
    for q in range(a.n):
        parts = [f"Our correspondent writes on query {q} of the benchmark."]
        size = len(parts[0])
        while size < a.bytes and k < len(texts):
            ss = sent.split(texts[k])
            k += 1
            take = " ".join(ss[: max(3, len(ss) * 2 // 3)])
            parts.append(take)
            size += len(take.encode()) + 1
        out.append({"id": f"query{q}", "text": " ".join(parts)})
    with open(a.out, "w", encoding="utf-8") as f:
        for d in out:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    sizes = sorted(len(d["text"].encode()) for d in out)
    print(f"{len(out)} queries, bytes p50 {sizes[len(sizes) // 2]}, min {sizes[0]}, max {sizes[-1]}")


if __name__ == "__main__":
    main()
