"""The Spark job against the CLI: byte-identical output for 1, 2 and 7
partitions in local[2], and connected components against union-find."""

from __future__ import annotations

import json
import random

import pytest

from conftest import run_cli
from corpus import read_lines

from whence import spark as ws
from whence.spark.__main__ import main


@pytest.fixture(scope="module")
def cli_outputs(whence_bin, corpus_files, tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    run_cli(whence_bin, "pairs", *corpus_files, "--out", d / "pairs.jsonl", "--clusters", d / "clusters.jsonl", "--passages")
    run_cli(whence_bin, "dedup", *corpus_files, "--out", d / "kept.jsonl", "--removed", d / "removed.jsonl", "--keep", "longest")
    return d


@pytest.mark.parametrize("partitions", [1, 2, 7])
def test_pairs_and_dedup_equal_the_cli(spark, corpus_files, cli_outputs, tmp_path, partitions, capsys):
    out = tmp_path / "out"
    args = ["--partitions", str(partitions), "--quiet"]
    assert main(["pairs", *map(str, corpus_files), "--out", str(out / "pairs"), "--clusters", str(out / "clusters"), "--passages", *args]) == 0
    summary = capsys.readouterr().err
    assert "whence.spark pairs: read 2 file(s)" in summary, summary
    assert "skipped 3" in summary and "duplicate id(s) renamed" in summary, summary
    want = read_lines(cli_outputs / "pairs.jsonl")
    assert len(want) > 25  # 34 with the reuse rules of main 1b15fbe
    assert read_lines(out / "pairs") == want
    assert any(json.loads(x)["relation"] == "near_duplicate" for x in want)
    clusters = read_lines(cli_outputs / "clusters.jsonl")
    assert len(clusters) > 5
    assert read_lines(out / "clusters") == clusters
    if partitions != 2:  # dedup shares every stage but the last: once is enough for CI's time
        return
    assert main(["dedup", *map(str, corpus_files), "--out", str(out / "kept"), "--removed", str(out / "removed"), "--keep", "longest", *args]) == 0
    removed = read_lines(cli_outputs / "removed.jsonl")
    assert len(removed) > 5
    assert read_lines(out / "removed") == removed
    assert read_lines(out / "kept") == read_lines(cli_outputs / "kept.jsonl")


def test_parquet_output_has_the_cli_columns(spark, corpus_files, tmp_path):
    out = tmp_path / "pq"
    assert main(["pairs", *map(str, corpus_files), "--out", str(out), "--format", "parquet", "--quiet"]) == 0
    df = spark.read.parquet(str(out))
    # the columns of `whence pairs --format parquet`
    assert df.columns == ["a", "b", "a_source", "b_source", "relation", "confidence", "a_reused", "b_reused", "passages"]
    assert df.where("passages is not null").count() == 0
    assert df.count() > 25


def corpus_documents(corpus_files):
    """The test corpus's documents with a text, in file order (malformed lines and
    documents without text left out)."""
    out = []
    for p in corpus_files:
        for line in p.read_text(encoding="utf-8").splitlines():
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(d.get("text"), str) and d["text"]:
                out.append(d)
    return out


def test_dataframe_in_its_order_equals_the_cli_on_that_order(spark, whence_bin, corpus_files, tmp_path):
    rows = [
        {"id": d["id"], "text": d["text"], "date": d.get("date"), "source": d.get("source"), "ord": n}
        for n, d in enumerate(corpus_documents(corpus_files))
    ]
    flat = tmp_path / "flat.jsonl"
    flat.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "ord"}) + "\n" for r in rows))
    run_cli(whence_bin, "pairs", flat, "--out", tmp_path / "want.jsonl")
    df = spark.createDataFrame(rows, "id string, text string, date string, source string, ord long").repartition(3)
    found, _ = ws.pairs(df, order_by=["ord"], quiet=True)
    assert [r.line for r in found.collect()] == read_lines(tmp_path / "want.jsonl")


def test_dataframe_columns_are_kept_as_fields_like_the_cli(spark, whence_bin, corpus_files, tmp_path):
    # dedup writes each kept document with its other columns, as the CLI writes
    # a JSON line's other keys; a column of another type is left out
    rows = [
        {"id": d["id"], "text": d["text"], "ord": n, "section": f"desk {n % 4}", "wire": n % 3 == 0}
        for n, d in enumerate(corpus_documents(corpus_files))
    ]
    flat = tmp_path / "flat.jsonl"
    flat.write_text("".join(json.dumps(r) + "\n" for r in rows))
    run_cli(whence_bin, "dedup", flat, "--out", tmp_path / "kept.jsonl", "--keep", "first")
    want = read_lines(tmp_path / "kept.jsonl")
    assert any('"section":"desk 1"' in x for x in want), want[:2]
    df = spark.createDataFrame(
        [dict(r, tags=[r["section"]]) for r in rows],
        "id string, text string, ord long, section string, wire boolean, tags array<string>",
    ).repartition(3)
    job = ws.Job()
    said = []
    job.say = said.append
    kept, removed = ws.dedup(df, keep="first", order_by=["ord"], job=job)
    assert removed.count() > 5
    assert [r.line for r in kept.collect()] == want
    assert any("tags (array<string>)" in m for m in said), said


def test_connected_components_match_union_find(spark):
    rng = random.Random(3)
    edges = set()
    for c in range(30):  # chains (long paths) and random extra edges
        base = c * 100
        for i in range(rng.randint(1, 60)):
            edges.add((base + i, base + i + 1))
        for _ in range(rng.randint(0, 20)):
            a, b = base + rng.randint(0, 60), base + rng.randint(0, 60)
            if a != b:
                edges.add((min(a, b), max(a, b)))
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    want = {}
    for n in list(parent):
        want[n] = find(n)
    for n in {x for e in edges for x in e}:
        want.setdefault(n, find(n))
    # the label is the component's smallest node
    smallest = {}
    for n, r in want.items():
        smallest[r] = min(smallest.get(r, n), n)
    df = spark.createDataFrame(sorted(edges), "a long, b long")
    labels = ws.connected_components(df)
    got = {r.node: r.label for r in labels.collect()}
    assert got == {n: smallest[r] for n, r in want.items()}
    assert labels.rounds < 20
