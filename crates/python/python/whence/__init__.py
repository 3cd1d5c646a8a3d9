"""whence: where did this text come from?

Text reuse between documents: which passages of one text come from another,
whether copied verbatim, edited or paraphrased, what is new on each side, and
who copied whom. The engine is Rust (the ``whence`` CLI's); this package calls
it in-process, releases the interpreter while it works and uses all cores.

Every function returns what the CLI writes as JSON for the same input, as
Python objects; character offsets are code points, so ``text[start:end]``
slices the passage. Documents are dicts with ``text`` and optionally ``id``,
``date``, ``source`` (or ``site``), ``title``, ``url`` -- or a pyarrow Table /
RecordBatch with those columns. They are read as the CLI reads a JSONL file:
a document it cannot use (no text, empty text, over ``max_doc_mb``) is skipped
with a :class:`WhenceWarning` naming its position, never silently.

>>> import whence
>>> r = whence.compare("Troops have arrived in Syria to join a major ground offensive, sources said on Thursday.",
...                    "BEIRUT: Troops have arrived in Syria to join a major ground offensive, sources said on Thursday.")
>>> r["passages"][0]["kind"]
'verbatim'

The PySpark job is :mod:`whence.spark`.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Union

from . import _native
from ._native import WhenceError, WhenceWarning

__all__ = [
    "compare",
    "trace",
    "pairs",
    "dedup",
    "similar",
    "Pairs",
    "Dedup",
    "WhenceError",
    "WhenceWarning",
    "__version__",
]

__version__ = _native.version()

Docs = Union[Iterable[Dict[str, Any]], Any]
"""An iterable of dicts, or a pyarrow Table / RecordBatch / RecordBatchReader."""


class Pairs(NamedTuple):
    """What :func:`pairs` found: the ``whence pairs`` rows and its clusters."""

    pairs: List[Dict[str, Any]]
    """``{"a", "b", "relation", "a_reused", "b_reused", "passages"?}`` per reuse pair."""
    clusters: List[Dict[str, Any]]
    """``{"cluster", "members", "representative"}`` per reuse cluster."""


class Dedup(NamedTuple):
    """What :func:`dedup` kept and removed."""

    kept: Any
    """The kept input documents, in input order: the same dicts (a list), or the
    kept rows of the input Table."""
    removed: List[Dict[str, Any]]
    """``{"id", "kept", "reason", "cluster", "cluster_size"}`` per removed document."""


def _arrow_ready(docs: Any) -> Any:
    """A pyarrow Table whose date/time columns are given as ISO text, as JSON
    would carry them; anything else unchanged."""
    if not hasattr(docs, "__arrow_c_stream__") and not hasattr(docs, "__arrow_c_array__"):
        return docs
    try:
        import pyarrow as pa
    except ImportError:  # another Arrow library: pass it through
        return docs
    if isinstance(docs, pa.RecordBatch):
        docs = pa.Table.from_batches([docs])
    if not isinstance(docs, pa.Table):
        return docs
    for i, field in enumerate(docs.schema):
        if pa.types.is_temporal(field.type):
            docs = docs.set_column(i, field.name, docs.column(i).cast(pa.string()))
    return docs


def compare(a: Union[str, Dict[str, Any]], b: Union[str, Dict[str, Any]], **options: Any) -> Dict[str, Any]:
    """Align two documents: the ``whence compare --json`` contract.

    ``a`` and ``b`` are texts (ids ``a_id``/``b_id``, default ``"a"``/``"b"``) or
    dicts with ``text``. Options: ``keep_boilerplate=False``, ``paraphrase=True``,
    ``min_words=8``, ``paraphrase_threshold=0.28``, ``semantic=None`` (use an
    installed sentence-embedding model; ``True`` insists, ``False`` never),
    ``semantic_threshold=0.724``, ``model=None`` (a model directory).

    Returns ``{"a", "b", "passages", "novel_in_a", "novel_in_b", "drift",
    "summary"}``; spans are ``[start, end)`` code points.

    >>> wire = "Hundreds of Iranian troops have arrived in Syria to join a major ground offensive, sources said."
    >>> r = whence.compare("BEIRUT: " + wire, wire, semantic=False)
    >>> p = r["passages"][0]
    >>> ("BEIRUT: " + wire)[p["a"][0]:p["a"][1]] == wire
    True
    """
    return _native.compare(a, b, **options)


def trace(doc: Union[str, Dict[str, Any]], corpus: Docs, **options: Any) -> Dict[str, Any]:
    """Find a document's sources in a corpus: the ``whence trace --json`` contract.

    Returns ``{"doc", "derivation" ("wholly"/"partially"/"non", METER),
    "reused", "reused_lexical", "sources": [{"id", "reused", "relation",
    "passages"}], "novel"}``. Options as :func:`compare` (``keep_boilerplate``,
    ``paraphrase``, ``semantic``, ``semantic_threshold``, ``model``), plus the
    corpus fields ``id_field``, ``text_field``, ``date_field``, ``source_field``
    and ``max_doc_mb``.

    >>> wire = {"id": "wire", "text": "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents, the emergency service said."}
    >>> t = whence.trace(wire["text"] + " Schools will stay closed.", [wire], semantic=False)
    >>> [s["id"] for s in t["sources"]]
    ['wire']
    """
    return _native.trace(doc, _arrow_ready(corpus), **options)


def pairs(docs: Docs, *, passages: bool = False, **options: Any) -> Pairs:
    """Every reuse pair of a corpus, and its reuse clusters: ``whence pairs``.

    Each pair: ``{"a", "b", "relation", "a_reused", "b_reused"}``, with
    ``"passages"`` when ``passages=True``; each cluster: ``{"cluster",
    "members", "representative"}`` (the earliest document). Options:
    ``keep_boilerplate``, ``paraphrase``, ``semantic=False`` (``True``: match
    sentences by embedding too, as ``pairs --semantic``), ``semantic_threshold``,
    ``model``, and the corpus fields ``id_field``, ``text_field``, ``date_field``,
    ``source_field``, ``max_doc_mb``.

    >>> story = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three districts, the regional emergency service said."
    >>> found = whence.pairs([{"id": "wire", "text": story},
    ...                       {"id": "copy", "text": story + " Schools will stay closed."},
    ...                       {"id": "other", "text": "The spring market opened on Saturday in the old town square with sixty stalls."}])
    >>> [(p["a"], p["b"]) for p in found.pairs]
    [('wire', 'copy')]
    >>> found.clusters[0]["members"]
    ['wire', 'copy']
    """
    p, c = _native.pairs(_arrow_ready(docs), passages=passages, **options)
    return Pairs(p, c)


def dedup(docs: Docs, *, keep: str = "earliest", drop_boilerplate: bool = False, **options: Any) -> Dedup:
    """One document per near-duplicate cluster: ``whence dedup``.

    ``keep`` chooses the representative: ``"earliest"`` (by date, undated last,
    then input order), ``"longest"`` or ``"first"``. Returns the kept input
    documents (the same dicts, or the kept rows of a Table; with
    ``drop_boilerplate=True`` their text without boilerplate) and one row per
    removed document saying which document was kept instead and why. Options:
    ``keep_boilerplate``, ``paraphrase`` and the corpus fields of :func:`pairs`.

    >>> story = "Flood barriers along the eastern river failed early on Tuesday, forcing the evacuation of about 4,000 residents from three districts, the regional emergency service said."
    >>> kept, removed = whence.dedup([{"id": "a", "text": story}, {"id": "b", "text": story}])
    >>> [d["id"] for d in kept], removed[0]["kept"]
    (['a'], 'a')
    """
    is_arrow = hasattr(docs, "__arrow_c_stream__") or hasattr(docs, "__arrow_c_array__")
    if not is_arrow and not isinstance(docs, (list, tuple)):
        docs = list(docs)
    positions, removed, texts = _native.dedup(
        _arrow_ready(docs), keep=keep, drop_boilerplate=drop_boilerplate, **options
    )
    text_field = options.get("text_field", "text")
    if is_arrow:
        kept = docs.take(positions)
        if texts is not None:
            import pyarrow as pa

            i = kept.schema.get_field_index(text_field)
            kept = kept.set_column(i, text_field, pa.array(texts, pa.string()))
        return Dedup(kept, removed)
    if texts is None:
        return Dedup([docs[i] for i in positions], removed)
    return Dedup([{**docs[i], text_field: t} for i, t in zip(positions, texts)], removed)


def similar(a: str, b: str, *, threshold: Optional[float] = None, cosine: bool = False, features: bool = False, model: Optional[str] = None) -> Dict[str, Any]:
    """Are two sentences paraphrases? ``whence similar --json``; needs the
    sentence-embedding model (``whence model install``), else :class:`WhenceError`.

    Returns ``{"paraphrase": bool, "score": float}`` (the judge's probability,
    threshold 0.42; with ``cosine=True`` the embedding cosine, threshold 0.724),
    and ``"features"`` when ``features=True``.

    >>> whence.similar("Troops have arrived in Syria.", "Soldiers have reached Syria.")["paraphrase"]  # doctest: +SKIP
    True
    """
    return _native.similar(a, b, threshold=threshold, cosine=cosine, features=features, model=model)
