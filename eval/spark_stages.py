#!/usr/bin/env python3
"""Wall time of each stage of the Spark `pairs` job, and the CLI on the same
corpus, in one run: the per-stage figures a scaling estimate starts from.

    python3 eval/spark_stages.py --whence target/release/whence \
        --corpus c10k.jsonl [--master local[2]] [--partitions 4]

Each stage is materialized (persisted and counted) before the clock moves on,
so a stage's time includes Spark's scheduling of it. Stages: read and number
documents; repeated lines/8-grams counted per site, boilerplate marked,
documents sketched; candidates (fingerprint postings with the df cut-off, and
LSH bands); verification (the Rust aligner on each candidate pair);
connected components. Prints a table and checks that the job's pairs equal the
CLI's. Needs the `whence` package with its `spark` extra and Java; SKIPPED
(exit 0) when the corpus is absent.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--whence", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=4)
    args = ap.parse_args()
    if not os.path.exists(args.corpus):
        print(f"SKIPPED: {args.corpus} absent")
        return 0
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from whence import spark as ws

    size = os.path.getsize(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "pairs.jsonl")
        t = time.perf_counter()
        subprocess.run([args.whence, "pairs", args.corpus, "--out", out, "--quiet"], check=True)
        cli = time.perf_counter() - t
        with open(out, encoding="utf-8") as f:
            want = [x.rstrip("\n") for x in f if x.strip()]

    spark = (
        SparkSession.builder.master(args.master)
        .config("spark.sql.shuffle.partitions", str(args.partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    job = ws.Job(partitions=args.partitions, quiet=True)
    stages = []

    def timed(name, make):
        t = time.perf_counter()
        df = make().persist()
        n = df.count()
        stages.append((name, time.perf_counter() - t, n))
        return df

    t0 = time.perf_counter()
    docs = timed("read and number documents", lambda: ws.read(spark, [args.corpus], job))
    sk = timed("repeated lines, boilerplate, sketches", lambda: ws._sketched(docs, spark, job))
    cand = timed("candidates (postings, df cut-off, LSH)", lambda: ws._candidates(sk, spark, job))
    found = timed("verification (Rust aligner)", lambda: ws._verified(sk, cand, job, False))
    edges = found.where(F.col("relation") != "template").select("a", "b")
    timed("connected components", lambda: ws.connected_components(edges))
    total = time.perf_counter() - t0
    got, _ = ws.pairs(docs, job=ws.Job(partitions=args.partitions, quiet=True))
    lines = [r.line for r in got.collect()]
    spark.stop()

    mb = size / 1e6
    print(f"corpus {args.corpus}: {mb:.1f} MB, master {args.master}, {args.partitions} partitions")
    print("stage\twall s\trows")
    for name, s, n in stages:
        print(f"{name}\t{s:.1f}\t{n}")
    print(f"all stages\t{total:.1f}\t")
    print(f"CLI `whence pairs`\t{cli:.1f}\t{len(want)}")
    print(f"MB/s: job {mb / total:.2f} ({mb / total / 2:.2f} per core of 2), CLI {mb / cli:.2f}")
    same = lines == want
    print(f"job's pairs equal the CLI's: {same} ({len(lines)} vs {len(want)})")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
