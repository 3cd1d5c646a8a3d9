"""``python -m whence.spark pairs|dedup INPUT... --out DIR``: the CLI's corpus
commands as a Spark job (also under ``spark-submit``; local mode by default)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import List, Optional

from .. import WhenceError
from . import Job, dedup, pairs, read, write


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m whence.spark",
        description="whence's corpus commands as a Spark job: the same output as `whence pairs` "
        "and `whence dedup`, written as part files in a directory (cat them in order for the CLI's file).",
    )
    sub = p.add_subparsers(dest="command", required=True)

    def common(s: argparse.ArgumentParser) -> None:
        s.add_argument("inputs", nargs="+", metavar="INPUT", help="files and directories, as for the CLI "
                       "(.jsonl(.gz/.zst), .txt, .html, .warc(.gz)); paths every executor can read")
        s.add_argument("--out", required=True, metavar="DIR", help="output directory (replaced)")
        s.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
        s.add_argument("--partitions", type=int, metavar="N", help="partitions of every stage "
                       "[default: spark.sql.shuffle.partitions]")
        s.add_argument("--master", metavar="URL", help="Spark master when not under spark-submit "
                       "[default: local[*]]")
        s.add_argument("--keep-boilerplate", action="store_true", help="do not look for boilerplate")
        s.add_argument("--no-paraphrase", action="store_true", help="skip the sentence-level paraphrase stage")
        s.add_argument("--id-field", default="id", metavar="NAME")
        s.add_argument("--text-field", default="text", metavar="NAME")
        s.add_argument("--date-field", default="date", metavar="NAME")
        s.add_argument("--source-field", metavar="NAME", help="[default: source, then site]")
        s.add_argument("--max-doc-mb", type=int, default=16, metavar="MB")
        s.add_argument("--quiet", "-q", action="store_true", help="only the summary line on stderr")

    pp = sub.add_parser("pairs", help="every reuse pair of a corpus (whence pairs)")
    common(pp)
    pp.add_argument("--clusters", metavar="DIR", help="also write reuse clusters")
    pp.add_argument("--passages", action="store_true", help="include each pair's passages")
    dp = sub.add_parser("dedup", help="one document per near-duplicate cluster (whence dedup)")
    common(dp)
    dp.add_argument("--removed", metavar="DIR", help="write the removed documents and why")
    dp.add_argument("--keep", choices=["earliest", "longest", "first"], default="earliest")
    dp.add_argument("--drop-boilerplate", action="store_true", help="remove boilerplate from the kept texts")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    from pyspark.sql import SparkSession

    started = time.time()
    builder = SparkSession.builder.appName(f"whence {args.command}")
    if args.quiet:
        builder = builder.config("spark.ui.showConsoleProgress", "false")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    if args.partitions:
        spark.conf.set("spark.sql.shuffle.partitions", str(args.partitions))
    spark.sparkContext.setLogLevel("ERROR")
    job = Job(
        id_field=args.id_field,
        text_field=args.text_field,
        date_field=args.date_field,
        source_field=args.source_field,
        max_doc_mb=args.max_doc_mb,
        keep_boilerplate=args.keep_boilerplate,
        paraphrase=not args.no_paraphrase,
        partitions=args.partitions,
        quiet=args.quiet,
    )
    try:
        docs = read(spark, args.inputs, job)
        c = job.counts
        if args.command == "pairs":
            found, clusters = pairs(docs, passages=args.passages, job=job)
            write(found, args.out, args.format)
            if args.clusters:
                write(clusters, args.clusters, args.format)
            what = (f"{c['candidates']} candidate pairs ({c['lsh_pairs']} from LSH), "
                    f"{c['pairs']} reuse pairs, {c['clusters']} clusters")
        else:
            kept, removed = dedup(docs, keep=args.keep, drop_boilerplate=args.drop_boilerplate, job=job)
            write(kept, args.out, args.format)
            if args.removed:
                write(removed, args.removed, args.format)
            what = (f"{c['clusters']} near-duplicate clusters; kept {c['documents'] - c['removed']}, "
                    f"removed {c['removed']} documents")
    except WhenceError as e:
        print(f"whence: error: {e}", file=sys.stderr)
        return 1
    read_line = f"read {c['files']} file(s): {c['documents']} documents"
    if c.get("skipped"):
        read_line += f"; skipped {c['skipped']}"
    if c.get("ignored"):
        read_line += f"; {c['ignored']} file(s) ignored (unsupported extension)"
    if c.get("renamed"):
        read_line += f"; {c['renamed']} duplicate id(s) renamed"
    print(f"whence.spark {args.command}: {read_line}; {what}, {time.time() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
