//! The Python API: `compare`, `trace`, `pairs`, `dedup`, `similar`.
//!
//! Each call reads its Python input while holding the interpreter, releases it
//! for the engine's work (which uses all cores through rayon), and builds its
//! result from the engine's own rows (`whence::report::rows`), so a
//! result reads exactly as the CLI's JSON for the same input.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::PyList;
use serde_json::Value;
use whence::cluster::Pick;
use whence::pipeline::{self, PipelineConfig};
use whence::report::rows;
use whence::semantic::{
    load_model, require_model, Encoder, RawEmbedOptions, Rule, SentenceEncoder, Threshold,
    SEMANTIC_OFF,
};
use whence::table::{json_object, Schema};
use whence::{Document, RawConfig};

use crate::docs::{self, to_py, Fields, Read};
use crate::WhenceError;

fn werr(e: impl std::fmt::Display) -> PyErr {
    WhenceError::new_err(e.to_string())
}

/// Engine settings from the options every corpus call shares.
pub fn pipeline_config(
    keep_boilerplate: bool,
    paraphrase: bool,
    semantic_threshold: f32,
) -> PyResult<PipelineConfig> {
    let mut raw = RawConfig {
        detect_boilerplate: !keep_boilerplate,
        ..Default::default()
    };
    raw.align.paraphrase = paraphrase;
    raw.align.semantic_threshold = semantic_threshold;
    Ok(PipelineConfig {
        compare: raw
            .validate()
            .map_err(|e| werr(format!("invalid settings: {e}")))?,
        ..Default::default()
    })
}

/// Loaded models, one encoder per model directory asked for (`None`: the
/// default), kept for the life of the process: loading takes seconds.
static ENCODERS: Mutex<Option<HashMap<Option<PathBuf>, Arc<Encoder>>>> = Mutex::new(None);

/// The encoder to align with. `semantic`: `Some(true)` insists (an error
/// without a model), `Some(false)` never, `None` uses an installed model when
/// `default_on` (compare, trace) and says once when there is none.
fn encoder(
    py: Python<'_>,
    semantic: Option<bool>,
    default_on: bool,
    paraphrase: bool,
    model: Option<PathBuf>,
) -> PyResult<Option<Arc<Encoder>>> {
    let wanted = semantic.unwrap_or(default_on || model.is_some());
    if !paraphrase || !wanted {
        return Ok(None);
    }
    let mut cache = ENCODERS.lock().unwrap_or_else(|p| p.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some(e) = cache.get(&model) {
        return Ok(Some(Arc::clone(e)));
    }
    let options = RawEmbedOptions::default().validate().map_err(werr)?;
    let explicit = semantic == Some(true) || model.is_some();
    let loaded = py.detach(|| {
        if explicit {
            require_model(model.as_deref(), &options)
                .map(Some)
                .map_err(|e| format!("semantic=True needs a sentence-embedding model: {e}"))
        } else {
            load_model(None, &options)
                .map_err(|e| format!("cannot load the sentence-embedding model: {e}"))
        }
    });
    match loaded.map_err(werr)? {
        Some(m) => {
            let e = Arc::new(Encoder::new(m));
            cache.insert(model, Arc::clone(&e));
            Ok(Some(e))
        }
        None => {
            warn(
                py,
                &format!("{SEMANTIC_OFF}; `whence model info` says how to install one"),
            )?;
            Ok(None)
        }
    }
}

/// Emits a `WhenceWarning` (a `UserWarning`), as the CLI prints a warning.
pub fn warn(py: Python<'_>, message: &str) -> PyResult<()> {
    let category = py.get_type::<crate::WhenceWarning>();
    PyErr::warn(
        py,
        &category,
        &std::ffi::CString::new(message.replace('\0', " "))?,
        2,
    )
}

/// Reports what reading skipped or warned about, as the CLI does on stderr.
fn report_reading(py: Python<'_>, read: &Read) -> PyResult<()> {
    for s in &read.skipped {
        warn(py, &format!("skipped: {s}"))?;
    }
    for w in &read.warnings {
        warn(py, w)?;
    }
    Ok(())
}

fn report_failures(py: Python<'_>, encoder: Option<&Arc<Encoder>>) -> PyResult<()> {
    if let Some((n, first)) = encoder.and_then(|e| e.failure()) {
        warn(
            py,
            &format!(
                "the sentence-embedding model failed on {n} batch(es); those pairs were \
                 aligned without the semantic stage. First error: {first}"
            ),
        )?;
    }
    Ok(())
}

fn row_dict<'py>(
    py: Python<'py>,
    schema: Schema,
    row: Vec<whence::table::Cell>,
) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, &Value::Object(json_object(schema, row)))
}

/// A document given as text, or as a dict with `text` (and `id`, …).
fn one_document(
    py_doc: &Bound<'_, PyAny>,
    default_id: &str,
    fields: &Fields,
) -> PyResult<Document> {
    if let Ok(text) = py_doc.extract::<String>() {
        use whence::ingest::IngestError;
        let input = default_id.to_owned();
        if text.is_empty() {
            return Err(werr(IngestError::Empty { input }));
        }
        if text.trim().is_empty() {
            return Err(werr(IngestError::Blank { input }));
        }
        return Ok(Document::new(default_id, text));
    }
    let read = docs::from_dicts(PyList::new(py_doc.py(), [py_doc])?.as_any(), fields)?;
    if let Some(s) = read.skipped.first() {
        return Err(werr(s));
    }
    read.docs
        .into_iter()
        .next()
        .ok_or_else(|| werr(format!("{default_id}: no document")))
}

/// `compare(a, b, ...)` → the `compare --json` contract as a dict.
#[pyfunction]
#[pyo3(signature = (a, b, *, a_id="a", b_id="b", keep_boilerplate=false, paraphrase=true, min_words=8, paraphrase_threshold=whence::DEFAULT_PARAPHRASE_THRESHOLD, semantic=None, semantic_threshold=whence::semantic::DEFAULT_SEMANTIC_THRESHOLD, model=None))]
#[allow(clippy::too_many_arguments)]
pub fn compare<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    a_id: &str,
    b_id: &str,
    keep_boilerplate: bool,
    paraphrase: bool,
    min_words: usize,
    paraphrase_threshold: f32,
    semantic: Option<bool>,
    semantic_threshold: f32,
    model: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let fields = default_fields(None);
    let (da, db) = (
        one_document(a, a_id, &fields)?,
        one_document(b, b_id, &fields)?,
    );
    let mut raw = RawConfig::default();
    raw.align.paraphrase = paraphrase;
    raw.detect_boilerplate = !keep_boilerplate;
    raw.align.min_passage_tokens = min_words;
    raw.align.paraphrase_threshold = paraphrase_threshold;
    raw.align.semantic_threshold = semantic_threshold;
    let config = raw
        .validate()
        .map_err(|e| werr(format!("invalid settings: {e}")))?;
    let enc = encoder(py, semantic, true, paraphrase, model)?;
    let json = py.detach(|| {
        let cmp = whence::compare_with(
            &da,
            &db,
            &config,
            enc.as_deref().map(|e| e as &dyn SentenceEncoder),
        );
        whence::report::compare_json(&cmp)
    });
    report_failures(py, enc.as_ref())?;
    to_py(py, &json)
}

fn default_fields(source_field: Option<String>) -> Fields {
    Fields {
        id: "id".into(),
        text: "text".into(),
        date: "date".into(),
        source: source_field,
        max_doc_mb: 16,
    }
}

/// Reads a corpus argument, reporting its skips and warnings.
fn read_corpus(py: Python<'_>, py_docs: &Bound<'_, PyAny>, fields: &Fields) -> PyResult<Read> {
    let read = docs::read(py_docs, fields)?;
    report_reading(py, &read)?;
    Ok(read)
}

/// `trace(doc, corpus, ...)` → the `trace --json` contract as a dict.
#[pyfunction]
#[pyo3(signature = (doc, corpus, *, keep_boilerplate=false, paraphrase=true, semantic=None, semantic_threshold=whence::semantic::DEFAULT_SEMANTIC_THRESHOLD, model=None, id_field="id".to_owned(), text_field="text".to_owned(), date_field="date".to_owned(), source_field=None, max_doc_mb=16))]
#[allow(clippy::too_many_arguments)]
pub fn trace<'py>(
    py: Python<'py>,
    doc: &Bound<'py, PyAny>,
    corpus: &Bound<'py, PyAny>,
    keep_boilerplate: bool,
    paraphrase: bool,
    semantic: Option<bool>,
    semantic_threshold: f32,
    model: Option<PathBuf>,
    id_field: String,
    text_field: String,
    date_field: String,
    source_field: Option<String>,
    max_doc_mb: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let fields = Fields {
        id: id_field,
        text: text_field,
        date: date_field,
        source: source_field,
        max_doc_mb,
    };
    let cfg = pipeline_config(keep_boilerplate, paraphrase, semantic_threshold)?;
    let mut d = one_document(doc, "doc", &fields)?;
    let mut read = read_corpus(py, corpus, &fields)?;
    let enc = encoder(py, semantic, true, paraphrase, model)?;
    let json = py.detach(|| {
        d.boilerplate = whence::boilerplate_of(&d, &cfg.compare);
        whence::corpus::mark_boilerplate(&mut read.docs, &cfg.compare);
        pipeline::trace_with(
            &d,
            &read.docs,
            &cfg,
            enc.as_deref().map(|e| e as &dyn SentenceEncoder),
        )
        .map(|t| rows::trace_json(&d, &read.docs, &t))
        .map_err(|e| format!("trace failed: {e}"))
    });
    report_failures(py, enc.as_ref())?;
    to_py(py, &json.map_err(werr)?)
}

/// Reads, marks boilerplate and finds the verified pairs, with the interpreter
/// released for the engine's work.
fn find_pairs(
    py: Python<'_>,
    py_docs: &Bound<'_, PyAny>,
    fields: &Fields,
    cfg: &PipelineConfig,
    enc: Option<&Arc<Encoder>>,
) -> PyResult<(Read, pipeline::PairsOutcome)> {
    let mut read = read_corpus(py, py_docs, fields)?;
    let outcome = py.detach(|| {
        whence::corpus::mark_boilerplate(&mut read.docs, &cfg.compare);
        pipeline::pairs_with(
            &read.docs,
            cfg,
            &|_, _, _| {},
            enc.map(|e| e.as_ref() as &dyn SentenceEncoder),
        )
    });
    let outcome = outcome.map_err(werr)?;
    report_failures(py, enc)?;
    Ok((read, outcome))
}

/// `pairs(docs, ...)` → `(pairs, clusters)`: lists of dicts in the rows of
/// `whence pairs` and `--clusters`.
#[pyfunction]
#[pyo3(signature = (docs, *, passages=false, keep_boilerplate=false, paraphrase=true, semantic=false, semantic_threshold=whence::semantic::DEFAULT_SEMANTIC_THRESHOLD, model=None, id_field="id".to_owned(), text_field="text".to_owned(), date_field="date".to_owned(), source_field=None, max_doc_mb=16))]
#[allow(clippy::too_many_arguments)]
pub fn pairs<'py>(
    py: Python<'py>,
    docs: &Bound<'py, PyAny>,
    passages: bool,
    keep_boilerplate: bool,
    paraphrase: bool,
    semantic: bool,
    semantic_threshold: f32,
    model: Option<PathBuf>,
    id_field: String,
    text_field: String,
    date_field: String,
    source_field: Option<String>,
    max_doc_mb: u64,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
    let fields = Fields {
        id: id_field,
        text: text_field,
        date: date_field,
        source: source_field,
        max_doc_mb,
    };
    let cfg = pipeline_config(keep_boilerplate, paraphrase, semantic_threshold)?;
    let enc = encoder(py, Some(semantic), false, paraphrase, model)?;
    let (read, outcome) = find_pairs(py, docs, &fields, &cfg, enc.as_ref())?;
    let ds = &read.docs;
    let (pair_rows, cluster_rows) = py.detach(|| {
        let pair_rows: Vec<_> = outcome
            .pairs
            .iter()
            .filter(|p| p.listed)
            .map(|p| rows::pair_row(ds, p, passages))
            .collect();
        let clusters = pipeline::reuse_clusters(ds, &outcome.pairs, Pick::Earliest);
        let cluster_rows: Vec<_> = clusters.iter().map(|c| rows::cluster_row(ds, c)).collect();
        (pair_rows, cluster_rows)
    });
    let p = pair_rows
        .into_iter()
        .map(|r| row_dict(py, rows::PAIR_COLUMNS, r))
        .collect::<PyResult<Vec<_>>>()?;
    let c = cluster_rows
        .into_iter()
        .map(|r| row_dict(py, rows::CLUSTER_COLUMNS, r))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((PyList::new(py, p)?, PyList::new(py, c)?))
}

/// The representative policy named `keep`.
pub fn pick(keep: &str) -> PyResult<Pick> {
    match keep {
        "earliest" => Ok(Pick::Earliest),
        "longest" => Ok(Pick::Longest),
        "first" => Ok(Pick::First),
        other => Err(werr(format!(
            "keep must be \"earliest\", \"longest\" or \"first\", not {other:?}"
        ))),
    }
}

/// `(kept positions, removed rows, kept texts)` of [`dedup`].
type Deduped<'py> = (Vec<usize>, Bound<'py, PyList>, Option<Vec<String>>);

/// `dedup(docs, ...)` → `(kept, removed, texts)`: the input positions of the kept
/// documents (in input order), the `dedup --removed` rows, and, with
/// `drop_boilerplate`, each kept document's text without its boilerplate.
#[pyfunction]
#[pyo3(signature = (docs, *, keep="earliest", drop_boilerplate=false, keep_boilerplate=false, paraphrase=true, id_field="id".to_owned(), text_field="text".to_owned(), date_field="date".to_owned(), source_field=None, max_doc_mb=16))]
#[allow(clippy::too_many_arguments)]
pub fn dedup<'py>(
    py: Python<'py>,
    docs: &Bound<'py, PyAny>,
    keep: &str,
    drop_boilerplate: bool,
    keep_boilerplate: bool,
    paraphrase: bool,
    id_field: String,
    text_field: String,
    date_field: String,
    source_field: Option<String>,
    max_doc_mb: u64,
) -> PyResult<Deduped<'py>> {
    let fields = Fields {
        id: id_field,
        text: text_field,
        date: date_field,
        source: source_field,
        max_doc_mb,
    };
    let pick = pick(keep)?;
    let cfg = pipeline_config(
        keep_boilerplate,
        paraphrase,
        whence::semantic::DEFAULT_SEMANTIC_THRESHOLD,
    )?;
    let (read, outcome) = find_pairs(py, docs, &fields, &cfg, None)?;
    let ds = &read.docs;
    let d = pipeline::dedup(ds, &outcome.pairs, pick);
    let kept_docs: Vec<usize> = (0..ds.len()).filter(|&i| d.is_kept(i as u32)).collect();
    let kept = kept_docs.iter().map(|&i| read.positions[i]).collect();
    let texts = drop_boilerplate.then(|| {
        kept_docs
            .iter()
            .map(|&i| pipeline::without_boilerplate(&ds[i]))
            .collect()
    });
    let removed = d
        .removed
        .iter()
        .map(|r| {
            row_dict(
                py,
                rows::REMOVED_COLUMNS,
                rows::removal_row(ds, &d, r, pick),
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok((kept, PyList::new(py, removed)?, texts))
}

/// `similar(a, b, ...)` → `{"paraphrase", "score"}` as `whence similar --json`.
#[pyfunction]
#[pyo3(signature = (a, b, *, threshold=None, cosine=false, features=false, model=None))]
pub fn similar<'py>(
    py: Python<'py>,
    a: &str,
    b: &str,
    threshold: Option<f32>,
    cosine: bool,
    features: bool,
    model: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let rule = if cosine { Rule::Cosine } else { Rule::Judge };
    let threshold = threshold.map(Threshold::new).transpose().map_err(werr)?;
    let enc = encoder(py, Some(true), true, true, model)?.expect("required above");
    let v = py.detach(|| -> Result<Value, String> {
        let model = enc
            .model()
            .ok_or("no sentence-embedding model could be loaded")?;
        let scorer = whence::semantic::PairScorer::new(model, rule, None, threshold, features)
            .map_err(|e| e.to_string())?;
        let scores = scorer.score(&[(a, b)]).map_err(|e| e.to_string())?;
        let mut v = scores[0].to_json();
        if let Some(f) = &scores[0].features {
            v["features"] = whence::semantic::features_json(f);
        }
        Ok(v)
    });
    to_py(py, &v.map_err(werr)?)
}

/// The whence version.
#[pyfunction]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Registers the API in the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(trace, m)?)?;
    m.add_function(wrap_pyfunction!(pairs, m)?)?;
    m.add_function(wrap_pyfunction!(dedup, m)?)?;
    m.add_function(wrap_pyfunction!(similar, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
