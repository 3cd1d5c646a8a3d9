"""whence.spark: whence's corpus pipeline as a PySpark job, with the CLI's answer.

``python -m whence.spark pairs INPUT... --out DIR`` and ``python -m whence.spark
dedup INPUT... --out DIR`` (also under ``spark-submit``), or, on DataFrames::

    from whence import spark as ws
    docs = ws.read(spark, ["news.jsonl.gz"])        # documents in the CLI's order
    pairs, clusters = ws.pairs(docs, passages=True)  # DataFrames, the CLI's columns
    kept, removed = ws.dedup(docs, keep="earliest")

The Rust engine does all text work; Python moves Arrow record batches between
Spark's stages (``mapInArrow``), never rows as Python objects. Each stage is a
Spark job:

1. read: each file by the CLI's reader, in the CLI's file order (documents are
   numbered by file, then position); ids repeated across files are renamed as
   the CLI renames them.
2. boilerplate: every document's distinct lines, counted per site over the whole
   corpus (a shuffle by ``(site, line)``); the repeated lines go to every task
   (a broadcast) and each document is marked and sketched (fingerprints, MinHash).
3. candidates: document frequencies of fingerprints (a map-side-combined
   count); fingerprints over the cut-off are dropped in each task before the
   postings are shuffled, so no hot key reaches a shuffle; kept postings grouped
   by fingerprint give pairs, counted by pair and kept by the index's rule; LSH
   band keys grouped by ``(band, key)`` give near-duplicate pairs, checked on
   their signatures.
4. verification: each candidate pair joined with both documents and aligned.
5. clusters: connected components by alternating large-star / small-star rounds
   (Kiveris et al., SoCC 2014) in DataFrame operations, until a round changes no
   edge; each component's representative is the engine's choice.

Output lines are the CLI's lines (written by the engine), sorted as the CLI
sorts them, so ``cat DIR/part-*`` equals the CLI's file for the same corpus,
whatever the number of partitions or executors.
"""

from __future__ import annotations

import struct
import sys
import time
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .. import _native

__all__ = ["read", "documents", "pairs", "dedup", "connected_components", "Job"]

MASK = (1 << 64) - 1

READ_SCHEMA = (
    "unit long, rec long, seq long, id string, text string, title string, date string, "
    "site string, url string, origin string, line long, skip string, warnings string, "
    "fields string"
)
DOC_COLUMNS = ["idx", "id", "text", "title", "date", "site", "url", "fields"]
SKETCH_SCHEMA = (
    "idx long, id string, text string, title string, date string, site string, url string, "
    "fields string, boilerplate binary, forms binary, chars long, fps binary, sig binary"
)
PAIR_SCHEMA = (
    "a long, b long, a_id string, b_id string, a_source string, b_source string, "
    "relation string, confidence double, "
    "a_reused double, b_reused double, passages string, duplicate boolean, listed boolean, "
    "line string"
)


def _say(message: str) -> None:
    print(f"whence: {message}", file=sys.stderr)


def _pack_counts(pairs: Iterable[Tuple[int, int]]) -> bytes:
    """``(hash, count)`` pairs (hashes as signed Spark longs) packed as the
    engine's ascending ``(u64 hash, count)``."""
    values = sorted((h & MASK, c) for h, c in pairs)
    return struct.pack(f"<{2 * len(values)}Q", *[x for hc in values for x in hc])


def _pack(hashes: Iterable[int]) -> bytes:
    """Signed Spark longs as the engine's u64 hashes, ascending, packed."""
    values = sorted(h & MASK for h in hashes)
    return struct.pack(f"<{len(values)}Q", *values)


class Job:
    """Settings of one run: how documents are read and what the engine does."""

    def __init__(
        self,
        *,
        id_field: str = "id",
        text_field: str = "text",
        date_field: str = "date",
        source_field: Optional[str] = None,
        max_doc_mb: int = 16,
        keep_boilerplate: bool = False,
        paraphrase: bool = True,
        partitions: Optional[int] = None,
        quiet: bool = False,
    ):
        self.fields = (id_field, text_field, date_field, source_field, max_doc_mb)
        self.settings = (keep_boilerplate, paraphrase)
        self.partitions = partitions
        self.quiet = quiet
        self.counts: Dict[str, int] = {}

    def say(self, message: str) -> None:
        if not self.quiet:
            _say(message)

    def parts(self, spark: Any) -> int:
        return self.partitions or int(spark.conf.get("spark.sql.shuffle.partitions"))


def _arrow_map(fn: Any, *args: Any) -> Any:
    """A ``mapInArrow`` function applying the engine stage ``fn(batch, *args)``."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            if batch.num_rows:
                yield fn(batch, *args)

    return run


def _numbered(docs: Any, spark: Any, job: Job) -> Any:
    """Read rows (``unit``, ``rec``) → documents numbered in reading order, ids
    unique as the CLI makes them; skips and warnings reported."""
    from pyspark.sql import functions as F

    raw = docs.persist()
    for row in raw.where(F.col("skip").isNotNull()).orderBy("unit", "seq").select("skip").toLocalIterator():
        job.say(f"skipped: {row.skip}")
    job.counts["skipped"] = job.counts.get("skipped", 0) + raw.where(F.col("skip").isNotNull()).count()
    got = raw.where(F.col("skip").isNull())
    for row in got.where(F.col("warnings").isNotNull()).orderBy("unit", "seq").select("warnings").toLocalIterator():
        for w in row.warnings.split("\n"):
            job.say(f"warning: {w}")
    sizes = sorted((r.unit, r["count"]) for r in got.groupBy("unit").count().collect())
    offsets, total = [], 0
    for unit, n in sizes:
        offsets.append((unit, total))
        total += n
    if total >= 1 << 32:
        raise _native.WhenceError(f"the corpus has more than {1 << 32} documents")
    job.counts["documents"] = total
    off = spark.createDataFrame(offsets or [(0, 0)], "unit long, offset long")
    got = got.join(F.broadcast(off), "unit").withColumn("idx", F.col("offset") + F.col("rec"))
    # ids repeated anywhere: the documents whose id or an id prefix before a '#'
    # is one of them are renamed in reading order, as the CLI does
    dup = got.groupBy("id").count().where("count > 1").select(F.col("id").alias("base"))
    prefixes = got.where(F.col("id").contains("#")).select(
        "idx",
        F.explode(
            F.expr("transform(sequence(1, size(split(id, '#')) - 1), i -> array_join(slice(split(id, '#'), 1, i), '#'))")
        ).alias("base"),
    )
    involved_idx = (
        got.select("idx", F.col("id").alias("base"))
        .union(prefixes)
        .join(dup, "base")
        .select("idx")
        .distinct()
    )
    involved = got.join(involved_idx, "idx").select("idx", "id", "origin", "line").orderBy("idx").collect()
    if involved:
        new_ids, warnings = _native.rename_ids(
            [r.id for r in involved], [r.origin for r in involved], [r.line for r in involved]
        )
        for w in warnings:
            job.say(f"warning: {w}")
        renamed = [(r.idx, n) for r, n in zip(involved, new_ids) if n is not None]
        job.counts["renamed"] = len(renamed)
        if renamed:
            ren = spark.createDataFrame(renamed, "idx long, new_id string")
            got = got.join(F.broadcast(ren), "idx", "left").withColumn("id", F.coalesce("new_id", "id"))
    return got.select(*DOC_COLUMNS).repartition(job.parts(spark), "idx")


def read(spark: Any, inputs: Sequence[str], job: Optional[Job] = None, **options: Any) -> Any:
    """The documents of files and directories, as ``whence`` reads them: a
    DataFrame ``(idx, id, text, title, date, site, url)`` numbered in the CLI's
    reading order (``idx``). Paths must be visible to every executor. Options:
    those of :class:`Job`.
    """
    job = job or Job(**options)
    files, stems, skips, ignored = _native.list_files([str(p) for p in inputs])
    for s in skips:
        job.say(f"skipped: {s}")
    job.counts["files"] = len(files)
    job.counts["ignored"] = ignored
    if not files:
        raise _native.WhenceError("no files to read in " + ", ".join(map(str, inputs)))
    units = spark.createDataFrame(
        [(i, f, s) for i, (f, s) in enumerate(zip(files, stems))], "unit long, path string, stem string"
    )
    units = units.repartition(min(len(files), max(job.parts(spark), 1)), "unit")
    fields = job.fields

    def read_units(batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            yield from _native.read_files(batch, fields)

    return _numbered(units.mapInArrow(read_units, READ_SCHEMA), spark, job)


def documents(df: Any, job: Optional[Job] = None, order_by: Optional[Sequence[str]] = None, **options: Any) -> Any:
    """A DataFrame of documents (columns ``id``, ``text``, and optionally
    ``date``, ``source``/``site``, ``title``, ``url``; other names through the
    ``*_field`` options) read as the CLI reads JSONL, numbered in the
    DataFrame's order (sorted by ``order_by`` when given: pass it for an order
    that does not depend on how the DataFrame is partitioned). A DataFrame from
    :func:`read` is returned as it is.

    Every other column of text, numbers or booleans is kept as a field of its
    document, as the CLI keeps a JSON line's other keys (``dedup`` writes them
    with the kept documents); columns of other types are left out, with a
    warning naming them.
    """
    from pyspark.sql import types as T

    if "idx" in df.columns and set(DOC_COLUMNS) <= set(df.columns):
        return df
    job = job or Job(**options)
    spark = df.sparkSession
    if order_by:
        df = df.orderBy(*order_by)
    id_f, text_f, date_f, source_f, _ = job.fields
    wanted = [id_f, text_f, date_f, "title", "url"] + ([source_f] if source_f else ["source", "site"])
    simple = (T.StringType, T.NumericType, T.BooleanType, T.NullType)
    left_out = [
        f"{f.name} ({f.dataType.simpleString()})"
        for f in df.schema.fields
        if f.name not in wanted and not isinstance(f.dataType, simple)
    ]
    if left_out:
        job.say(
            "warning: DataFrame columns not kept as document fields (only text, numbers "
            "and booleans are): " + ", ".join(left_out)
        )
    columns = [c for c in dict.fromkeys(wanted) if c in df.columns] + [
        f.name for f in df.schema.fields if f.name not in wanted and isinstance(f.dataType, simple)
    ]
    df = df.select(*columns)
    fields = job.fields

    def parse(batches: Iterator[Any]) -> Iterator[Any]:
        from pyspark import TaskContext

        unit = TaskContext.get().partitionId()
        first_row, rec = 0, 0
        for batch in batches:
            out = _native.parse_rows(batch, unit, first_row, rec, fields, True)
            first_row += batch.num_rows
            rec += out.column("skip").null_count  # documents: rows without a skip
            yield out

    return _numbered(df.mapInArrow(parse, READ_SCHEMA), spark, job)


def connected_components(edges: Any, checkpoint: bool = True) -> Any:
    """Connected components of an undirected graph given as ``(a, b)`` long
    pairs: a DataFrame ``(node, label)``, the label being the component's
    smallest node (so it does not depend on the algorithm or the partitioning).

    Alternating large-star and small-star rounds (Kiveris et al., "Connected
    Components in MapReduce and Beyond", SoCC 2014) until a round pair leaves
    the edge set unchanged: O(log² n) rounds, and the edge set never grows, where
    min-label propagation needs as many rounds as the longest path in a
    component (reuse chains are long). Each round is cut from the plan's lineage
    (``localCheckpoint``).
    """
    from pyspark.sql import functions as F

    e = edges.select(
        F.greatest("a", "b").alias("u"), F.least("a", "b").alias("v")
    ).where("u != v").distinct()
    rounds = 0
    while True:
        rounds += 1
        # large star: each node's larger neighbours attach to its smallest
        # neighbourhood member (itself included)
        both = e.union(e.select(F.col("v").alias("u"), F.col("u").alias("v")))
        m = both.groupBy("u").agg(F.min("v").alias("m"))
        large = (
            both.join(m, "u")
            .where(F.col("v") > F.col("u"))
            .select(F.col("v").alias("u"), F.least("m", "u").alias("v"))
            .where("u != v")
            .distinct()
        )
        # small star: each node and its smaller neighbours attach to the
        # smallest of them
        m2 = large.groupBy("u").agg(F.min("v").alias("m"))
        small = (
            large.join(m2, "u")
            .select(F.col("v").alias("x"), "m")
            .union(m2.select(F.col("u").alias("x"), "m"))
            .where("x != m")
            .select(F.col("x").alias("u"), F.col("m").alias("v"))
            .distinct()
        )
        small = small.localCheckpoint() if checkpoint else small.cache()
        changed = small.exceptAll(e).limit(1).count() + e.exceptAll(small).limit(1).count()
        e = small
        if changed == 0:
            break
    children = e.groupBy("u").agg(F.min("v").alias("label")).select(F.col("u").alias("node"), "label")
    roots = e.select(F.col("v").alias("node")).distinct().join(children, "node", "left_anti")
    out = children.union(roots.select("node", F.col("node").alias("label")))
    out.rounds = rounds  # type: ignore[attr-defined]
    return out


def _sketched(docs: Any, spark: Any, job: Job) -> Any:
    """Stage 2: repeated lines counted per site, documents marked and sketched."""
    from pyspark.sql import functions as F

    repeated: Dict[str, Tuple[int, bytes, bytes]] = {}
    if not job.settings[0]:
        hashes = docs.select("site", "text").mapInArrow(
            _arrow_map(_native.doc_lines), "site string, kind long, h long"
        )
        counts = hashes.groupBy("site", "kind", "h").count().persist()
        site_docs = {
            r.site: r["count"]
            for r in docs.groupBy(F.coalesce("site", F.lit("")).alias("site")).count().collect()
        }
        max_lines, max_sites = _native.repeated_caps()
        if len(site_docs) > max_sites:
            job.say(
                f"warning: {len(site_docs)} sites: the CLI counts repeated lines of the first "
                f"{max_sites} separately and may mark boilerplate differently"
            )
        for r in (
            counts.groupBy("site", "kind").count().where(F.col("count") > max_lines).collect()
        ):
            what = "distinct lines" if r.kind == 0 else "distinct sampled 8-grams"
            job.say(
                f"warning: site {r.site!r} has {r['count']} {what}, over the CLI's "
                f"{max_lines}: its repeated-line counts are exact here, approximate in `whence`"
            )
        needs = []
        for s, n in site_docs.items():
            line_need, gram_need = _native.repeated_min_count(n)
            needs += [(s, 0, line_need), (s, 1, gram_need)]
        need = spark.createDataFrame(needs or [("", 0, 1)], "site string, kind long, need long")
        flagged = counts.join(F.broadcast(need), ["site", "kind"]).where(
            F.col("count") >= F.col("need")
        )
        found: Dict[str, Tuple[List[Tuple[int, int]], List[Tuple[int, int]]]] = {}
        for r in (
            flagged.groupBy("site", "kind")
            .agg(F.collect_list(F.struct("h", "count")).alias("hc"))
            .collect()
        ):
            found.setdefault(r.site, ([], []))[r.kind].extend((x.h, x["count"]) for x in r.hc)
        for s, (lines, grams) in found.items():
            repeated[s] = (site_docs.get(s, 0), _pack_counts(lines), _pack_counts(grams))
        counts.unpersist()
    job.counts["repeated_lines"] = sum(len(v[1]) // 16 for v in repeated.values())
    job.counts["repeated_grams"] = sum(len(v[2]) // 16 for v in repeated.values())
    shared = spark.sparkContext.broadcast(repeated)
    settings = job.settings

    def mark(batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            if batch.num_rows:
                yield _native.mark_and_sketch(batch, shared.value, settings)

    return docs.mapInArrow(mark, SKETCH_SCHEMA)


def _candidates(sk: Any, spark: Any, job: Job) -> Any:
    """Stage 3: candidate pairs ``(a, b)`` from the fingerprint index and LSH."""
    from pyspark.sql import functions as F

    settings = job.settings
    fps = sk.select("fps").mapInArrow(_arrow_map(_native.fingerprints), "h long")
    df = fps.groupBy("h").agg(F.count(F.lit(1)).alias("df"))
    frequent = df.mapInArrow(_arrow_map(_native.frequent_keys, settings), "h long").collect()
    dropped = _pack(r.h for r in frequent)
    job.counts["dropped_fingerprints"] = len(frequent)
    dropped_b = spark.sparkContext.broadcast(dropped)

    def postings(counts: bool) -> Any:
        def run(batches: Iterator[Any]) -> Iterator[Any]:
            for batch in batches:
                if batch.num_rows:
                    yield _native.kept_postings(batch, dropped_b.value, counts)

        return run

    ids = sk.select("idx", "fps")
    post = ids.mapInArrow(postings(False), "h long, d long")
    kept = ids.mapInArrow(postings(True), "d long, kept long")
    lists = post.groupBy("h").agg(F.collect_list("d").alias("docs"))
    shared = (
        lists.select("docs")
        .mapInArrow(_arrow_map(_native.posting_pairs), "a long, b long")
        .groupBy("a", "b")
        .agg(F.count(F.lit(1)).alias("shared"))
    )
    ka = kept.select(F.col("d").alias("a"), F.col("kept").alias("kept_a"))
    kb = kept.select(F.col("d").alias("b"), F.col("kept").alias("kept_b"))
    index = (
        shared.join(ka, "a")
        .join(kb, "b")
        .select("a", "b", "shared", "kept_a", "kept_b")
        .mapInArrow(_arrow_map(_native.index_candidates, settings), "a long, b long")
    )
    keys = sk.select("idx", "sig").mapInArrow(
        _arrow_map(_native.band_keys, settings), "band long, key long, d long"
    )
    buckets = keys.groupBy("band", "key").agg(F.collect_list("d").alias("docs")).where(F.size("docs") > 1)
    banded = (
        buckets.select("docs")
        .mapInArrow(_arrow_map(_native.bucket_pairs, settings), "a long, b long")
        .distinct()
    )
    sa = sk.select(F.col("idx").alias("a"), F.col("sig").alias("sig_a"))
    sb = sk.select(F.col("idx").alias("b"), F.col("sig").alias("sig_b"))
    near = (
        banded.join(sa, "a")
        .join(sb, "b")
        .select("a", "b", "sig_a", "sig_b")
        .mapInArrow(_arrow_map(_native.near_duplicates, settings), "a long, b long")
        .persist()
    )
    cand = index.union(near).distinct().persist()
    job.counts["candidates"] = cand.count()
    job.counts["lsh_pairs"] = near.count()
    return cand


def _verified(sk: Any, cand: Any, job: Job, passages: bool) -> Any:
    """Stage 4: candidate pairs aligned with both documents; the reuse pairs."""
    from pyspark.sql import functions as F

    def side(p: str) -> Any:
        cols = ["id", "text", "date", "site", "boilerplate", "forms"]
        return sk.select(F.col("idx").alias(p), *[F.col(c).alias(f"{p}_{c}") for c in cols])

    both = cand.join(side("b"), "b").join(side("a"), "a").sortWithinPartitions("a", "b")
    return both.mapInArrow(_arrow_map(_native.verify, job.settings, passages), PAIR_SCHEMA)


def _clusters(sk: Any, edges: Any, keep: str) -> Any:
    """Stage 5: components over ``edges`` (``(a, b)``), each with its members in
    reading order, representative and number (by first member): a DataFrame
    ``(cluster, members (idx, id), rep, rep_id, size)``."""
    from pyspark.sql import functions as F

    labels = connected_components(edges)
    info = labels.join(
        sk.select(F.col("idx").alias("node"), "id", "chars", "date"), "node"
    )
    grouped = info.groupBy("label").agg(
        F.array_sort(F.collect_list(F.struct("node", "chars", "date", "id"))).alias("m")
    )
    reps = grouped.select(
        "label",
        F.col("m.node").alias("members"),
        F.col("m.chars").alias("chars"),
        F.col("m.date").alias("dates"),
    ).mapInArrow(_arrow_map(_native.representatives, keep), "label long, rep long")
    numbered = (
        grouped.select("label")
        .rdd.map(lambda r: r.label)
        .sortBy(lambda x: x)
        .zipWithIndex()
        .toDF("label long, cluster long")
    )
    return (
        grouped.join(reps, "label")
        .join(numbered, "label")
        .select(
            "cluster",
            F.col("m").alias("members"),
            "rep",
            F.expr("filter(m, x -> x.node = rep)[0].id").alias("rep_id"),
            F.size("m").alias("size"),
        )
    )


def pairs(
    df: Any,
    *,
    passages: bool = False,
    job: Optional[Job] = None,
    order_by: Optional[Sequence[str]] = None,
    **options: Any,
) -> Tuple[Any, Any]:
    """Every reuse pair of a corpus and its reuse clusters, as ``whence pairs``:
    DataFrames ``(a, b, a_source, b_source, relation, confidence, a_reused,
    b_reused, passages, line)`` sorted as
    the CLI sorts them (``line``: the CLI's JSON line; ``passages``: JSON text,
    null without ``passages=True``) and ``(cluster, members, representative,
    line)``. ``df``: from :func:`read`, or any DataFrame of documents (see
    :func:`documents`). Options: those of :class:`Job`.
    """
    from pyspark.sql import functions as F

    job = job or Job(**options)
    docs = documents(df, job, order_by)
    spark = docs.sparkSession
    sk = _sketched(docs, spark, job).persist()
    cand = _candidates(sk, spark, job)
    # `listed`: what `whence pairs` writes (a near-duplicate kept for dedup alone,
    # two pages of nothing but the site's standing wording, is not)
    found = _verified(sk, cand, job, passages).where(F.col("listed")).persist()
    job.counts["pairs"] = found.count()
    out = found.orderBy("a", "b").select(
        F.col("a_id").alias("a"),
        F.col("b_id").alias("b"),
        "a_source",
        "b_source",
        "relation",
        "confidence",
        "a_reused",
        "b_reused",
        "passages",
        "line",
    )
    # reuse clusters: every kept pair but templates (a form shared with other facts)
    reuse = found.where(F.col("relation") != "template").select("a", "b")
    cl = _clusters(sk, reuse, "earliest").persist()
    job.counts["clusters"] = cl.count()
    clusters = (
        cl.select("cluster", F.col("members.id").alias("member_ids"), "rep_id")
        .mapInArrow(
            _arrow_map(_native.cluster_lines),
            "cluster long, members string, representative string, line string",
        )
        .orderBy("cluster")
    )
    return out, clusters


def dedup(
    df: Any,
    *,
    keep: str = "earliest",
    drop_boilerplate: bool = False,
    job: Optional[Job] = None,
    order_by: Optional[Sequence[str]] = None,
    **options: Any,
) -> Tuple[Any, Any]:
    """One document per near-duplicate cluster, as ``whence dedup``: DataFrames
    of the kept documents ``(id, text, title, date, site, url, line)`` in reading
    order and of the removed ones ``(id, kept, cluster, cluster_size, reason,
    kept_by, line)``. ``keep``: ``"earliest"``, ``"longest"`` or ``"first"``.
    """
    from pyspark.sql import functions as F

    _native_keep_check(keep)
    job = job or Job(**options)
    docs = documents(df, job, order_by)
    spark = docs.sparkSession
    sk = _sketched(docs, spark, job).persist()
    cand = _candidates(sk, spark, job)
    found = _verified(sk, cand, job, False).persist()
    job.counts["pairs"] = found.count()
    near = found.where(F.col("duplicate")).select("a", "b")
    cl = _clusters(sk, near, keep).persist()
    job.counts["clusters"] = cl.count()
    texts = sk.select("idx", "text")
    kept_docs = sk.select(
        F.col("idx").alias("rep"), F.col("text").alias("kept_text"), F.col("date").alias("kept_date")
    )
    removed = (
        cl.select("cluster", "size", "rep", "rep_id", F.explode("members").alias("m"))
        .where(F.col("m.node") != F.col("rep"))
        .select(
            F.col("m.node").alias("idx"),
            F.col("m.id").alias("id"),
            F.col("rep_id").alias("kept"),
            "cluster",
            F.col("size").cast("long").alias("cluster_size"),
            "rep",
        )
        .join(texts, "idx")
        .join(kept_docs, "rep")
        .select("idx", "id", "kept", "cluster", "cluster_size", "text", "kept_text", "kept_date")
        .mapInArrow(
            _arrow_map(_native.removed_lines, keep),
            "idx long, id string, kept string, cluster long, cluster_size long, reason string, "
            "kept_by string, line string",
        )
        .persist()
    )
    job.counts["removed"] = removed.count()
    kept = (
        sk.join(removed.select("idx"), "idx", "left_anti")
        .select("idx", "id", "text", "title", "date", "site", "url", "fields", "boilerplate")
        .mapInArrow(
            _arrow_map(_native.kept_lines, drop_boilerplate, (job.fields[0], job.fields[1])),
            "idx long, id string, text string, title string, date string, site string, url string, line string",
        )
        .orderBy("idx")
        .drop("idx")
    )
    return kept, removed.orderBy("idx").drop("idx")


def _native_keep_check(keep: str) -> None:
    if keep not in ("earliest", "longest", "first"):
        raise _native.WhenceError(f'keep must be "earliest", "longest" or "first", not {keep!r}')


def write(df: Any, path: str, fmt: str = "jsonl") -> None:
    """Writes an output DataFrame of :func:`pairs` or :func:`dedup` as the CLI
    would: JSON Lines (its ``line`` column, one part file per partition, parts in
    order) or Parquet (the other columns)."""
    if fmt == "jsonl":
        df.select("line").write.mode("overwrite").text(path)
    elif fmt == "parquet":
        df.drop("line").write.mode("overwrite").parquet(path)
    else:
        raise _native.WhenceError(f"unknown output format {fmt!r} (jsonl or parquet)")
