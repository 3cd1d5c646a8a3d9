"""Type stubs of the compiled module (crates/python/src). The public API is
``whence`` (``__init__.py``); the stage functions serve ``whence.spark``."""

from typing import Any, Dict, List, Optional, Tuple

class WhenceError(ValueError): ...
class WhenceWarning(UserWarning): ...

def version() -> str: ...
def compare(
    a: Any,
    b: Any,
    *,
    a_id: str = "a",
    b_id: str = "b",
    keep_boilerplate: bool = False,
    paraphrase: bool = True,
    min_words: int = 8,
    paraphrase_threshold: float = 0.28,
    semantic: Optional[bool] = None,
    semantic_threshold: float = 0.724,
    model: Optional[str] = None,
) -> Dict[str, Any]: ...
def trace(
    doc: Any,
    corpus: Any,
    *,
    keep_boilerplate: bool = False,
    paraphrase: bool = True,
    semantic: Optional[bool] = None,
    semantic_threshold: float = 0.724,
    model: Optional[str] = None,
    id_field: str = "id",
    text_field: str = "text",
    date_field: str = "date",
    source_field: Optional[str] = None,
    max_doc_mb: int = 16,
) -> Dict[str, Any]: ...
def pairs(
    docs: Any,
    *,
    passages: bool = False,
    keep_boilerplate: bool = False,
    paraphrase: bool = True,
    semantic: bool = False,
    semantic_threshold: float = 0.724,
    model: Optional[str] = None,
    id_field: str = "id",
    text_field: str = "text",
    date_field: str = "date",
    source_field: Optional[str] = None,
    max_doc_mb: int = 16,
) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]: ...
def dedup(
    docs: Any,
    *,
    keep: str = "earliest",
    drop_boilerplate: bool = False,
    keep_boilerplate: bool = False,
    paraphrase: bool = True,
    id_field: str = "id",
    text_field: str = "text",
    date_field: str = "date",
    source_field: Optional[str] = None,
    max_doc_mb: int = 16,
) -> Tuple[List[int], List[Dict[str, Any]], Optional[List[str]]]: ...
def similar(
    a: str,
    b: str,
    *,
    threshold: Optional[float] = None,
    cosine: bool = False,
    features: bool = False,
    model: Optional[str] = None,
) -> Dict[str, Any]: ...

# Stages of the Spark job: pyarrow.RecordBatch in, pyarrow.RecordBatch out.
Fields = Tuple[str, str, str, Optional[str], int]
Settings = Tuple[bool, bool]

def list_files(inputs: List[str]) -> Tuple[List[str], List[str], List[str], int]: ...
def read_files(batch: Any, fields: Fields) -> List[Any]: ...
def parse_rows(
    batch: Any, unit: int, first_line: int, first_rec: int, fields: Fields, keep_fields: bool = False
) -> Any: ...
def rename_ids(ids: List[str], origins: List[str], lines: List[int]) -> Tuple[List[Optional[str]], List[str]]: ...
def repeated_caps() -> Tuple[int, int]: ...
def repeated_min_count(site_docs: int) -> Tuple[int, int]: ...
def doc_lines(batch: Any) -> Any: ...
def mark_and_sketch(batch: Any, repeated: Dict[str, Tuple[int, bytes, bytes]], settings: Settings) -> Any: ...
def fingerprints(batch: Any) -> Any: ...
def frequent_keys(batch: Any, settings: Settings) -> Any: ...
def kept_postings(batch: Any, frequent: bytes, counts: bool) -> Any: ...
def posting_pairs(batch: Any) -> Any: ...
def index_candidates(batch: Any, settings: Settings) -> Any: ...
def band_keys(batch: Any, settings: Settings) -> Any: ...
def bucket_pairs(batch: Any, settings: Settings) -> Any: ...
def near_duplicates(batch: Any, settings: Settings) -> Any: ...
def verify(batch: Any, settings: Settings, passages: bool) -> Any: ...
def representatives(batch: Any, keep: str) -> Any: ...
def cluster_lines(batch: Any) -> Any: ...
def removed_lines(batch: Any, keep: str) -> Any: ...
def kept_lines(batch: Any, drop_boilerplate: bool, keys: Tuple[str, str]) -> Any: ...
