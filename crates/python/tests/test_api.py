"""The Python API against the CLI: same answers, offsets that slice Python
strings, the CLI's errors, the interpreter released during long calls."""

from __future__ import annotations

import json
import threading
import warnings
from pathlib import Path

import pytest

import whence
from conftest import ROOT, run_cli

WIRE = (ROOT / "demo/wire.txt").read_text(encoding="utf-8")
REWRITE = (ROOT / "demo/rewrite.txt").read_text(encoding="utf-8")


def docs_of(paths):
    """The corpus files' valid documents as dicts (what a notebook holds)."""
    out = []
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(d.get("text"), str) and d["text"]:
                out.append(d)
    return out


def test_compare_equals_the_cli_and_offsets_slice(whence_bin, tmp_path):
    r = whence.compare(REWRITE, WIRE, a_id="rewrite", b_id="wire", semantic=False)
    cli = run_cli(whence_bin, "compare", ROOT / "demo/rewrite.txt", ROOT / "demo/wire.txt", "--json", "--no-semantic")
    assert r == json.loads(cli.stdout)
    assert r["passages"], r
    for p in r["passages"]:
        a = REWRITE[p["a"][0]:p["a"][1]]
        b = WIRE[p["b"][0]:p["b"][1]]
        assert a.strip() and b.strip()
    edited = [REWRITE[p["a"][0]:p["a"][1]] for p in r["passages"] if p["kind"] == "edited"]
    assert any("barriers were designed" in e for e in edited), edited


def test_offsets_are_code_points():
    a = "Ünïcödé prelude — ✓. " + WIRE
    r = whence.compare(a, WIRE, semantic=False)
    p = r["passages"][0]
    assert a[p["a"][0]:p["a"][0] + 30] == WIRE[p["b"][0]:p["b"][0] + 30]


def test_errors_carry_the_cli_messages():
    with pytest.raises(whence.WhenceError, match="a: the file is empty"):
        whence.compare("", WIRE)
    with pytest.raises(whence.WhenceError, match="holds only whitespace"):
        whence.compare(WIRE, " \n ", b_id="b")
    with pytest.raises(whence.WhenceError, match='keep must be "earliest"'):
        whence.dedup([{"text": WIRE}], keep="newest")
    with pytest.raises(TypeError, match=r"docs\[1\]: expected a dict"):
        whence.pairs([{"text": WIRE}, "not a dict"])
    assert issubclass(whence.WhenceError, ValueError)


def test_bad_documents_are_skipped_with_warnings():
    docs = [{"id": "w", "text": WIRE}, {"id": "e", "text": ""}, {"id": "n", "text": 3}, {"id": "w", "text": WIRE + " More."}]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        found = whence.pairs(docs)
    messages = [str(w.message) for w in seen if issubclass(w.category, whence.WhenceWarning)]
    assert any("docs:2" in m and "empty" in m for m in messages), messages
    assert any("docs:3" in m and "number" in m for m in messages), messages
    assert any("w#2" in m for m in messages), messages
    assert [(p["a"], p["b"]) for p in found.pairs] == [("w", "w#2")]


def test_pairs_on_dicts_and_arrow_equal_the_cli(whence_bin, corpus_files, tmp_path):
    out, clusters = tmp_path / "pairs.jsonl", tmp_path / "clusters.jsonl"
    # the CLI on one file holding exactly the documents the dicts hold
    docs = docs_of(corpus_files)
    flat = tmp_path / "flat.jsonl"
    flat.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    run_cli(whence_bin, "pairs", flat, "--out", out, "--clusters", clusters, "--passages")
    want = [json.loads(x) for x in out.read_text().splitlines()]
    want_clusters = [json.loads(x) for x in clusters.read_text().splitlines()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", whence.WhenceWarning)
        got = whence.pairs(docs, passages=True)
        assert len(want) > 30
        assert got.pairs == want
        assert got.clusters == want_clusters
        pa = pytest.importorskip("pyarrow")
        # every key a column (from_pylist takes the keys of the first dict only)
        keys = sorted({k for d in docs for k in d})
        table = pa.Table.from_pylist([{k: d.get(k) for k in keys} for d in docs])
        assert whence.pairs(table, passages=True) == got
        assert whence.pairs(table.to_batches()[0], passages=True).pairs == want
    p = want[0]
    by_id = {d["id"]: d["text"] for d in docs}
    for q in p["passages"]:
        assert by_id[p["a"]][q["a"][0]:q["a"][1]].strip()


def test_dedup_keeps_the_inputs_and_removes_as_the_cli(whence_bin, corpus_files, tmp_path):
    docs = docs_of(corpus_files)
    flat = tmp_path / "flat.jsonl"
    flat.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    kept_f, removed_f = tmp_path / "kept.jsonl", tmp_path / "removed.jsonl"
    run_cli(whence_bin, "dedup", flat, "--out", kept_f, "--removed", removed_f, "--keep", "longest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", whence.WhenceWarning)
        kept, removed = whence.dedup(docs, keep="longest")
    assert removed == [json.loads(x) for x in removed_f.read_text().splitlines()]
    assert len(removed) > 5
    cli_kept = [json.loads(x)["id"] for x in kept_f.read_text().splitlines()]
    # the ids the CLI kept (renamed duplicates aside, which carry #N there)
    assert len(kept) == len(cli_kept)
    assert all(any(k is d for d in docs) for k in kept), "the input dicts themselves"
    pa = pytest.importorskip("pyarrow")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", whence.WhenceWarning)
        kept_t, removed_t = whence.dedup(pa.Table.from_pylist(docs), keep="longest", drop_boilerplate=True)
    assert removed_t == removed
    assert kept_t.num_rows == len(kept)
    assert "Follow us" not in "".join(kept_t.column("text").to_pylist())


def test_trace_finds_the_source():
    docs = [{"id": "wire", "text": WIRE}, {"id": "other", "text": (ROOT / "demo/unrelated.txt").read_text()}]
    t = whence.trace(WIRE.split("\n\n")[0] + "\n\nA line of our own commentary on the floods.", docs, semantic=False)
    assert [s["id"] for s in t["sources"]] == ["wire"]
    assert t["derivation"] in ("wholly", "partially")


def test_long_calls_release_the_interpreter(corpus_files):
    docs = docs_of(corpus_files) * 3
    done = threading.Event()
    ticks = 0

    def work():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", whence.WhenceWarning)
            whence.pairs(docs, passages=True)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
        done.wait(0.001)
    t.join()
    # with the interpreter held for the whole call, this thread could not loop
    assert ticks > 20, ticks


def test_similar_needs_a_model():
    try:
        r = whence.similar("Troops have arrived in Syria.", "Soldiers have reached Syria.")
    except whence.WhenceError as e:
        assert "no sentence-embedding model found" in str(e)
        pytest.skip("no sentence-embedding model installed")
    assert set(r) == {"paraphrase", "score"}
    assert 0.0 <= r["score"] <= 1.0
