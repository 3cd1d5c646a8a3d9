//! Python values in, Python values out.
//!
//! Documents given as an iterable of dicts or as Arrow batches are read the way
//! the CLI reads a JSONL file: their fields are written as JSON lines and parsed
//! by `whence-ingest`, so ids, dates, sites and every skip (empty text, a text that
//! is not a string, a document over the size limit) follow the same rules and
//! carry the same messages; the input is named `docs` and its lines are the
//! items' positions (1-based). Results go back as plain Python objects.

use std::io::Cursor;

use arrow_array::{
    Array, BooleanArray, Float32Array, Float64Array, Int16Array, Int32Array, Int64Array, Int8Array,
    NullArray, RecordBatch, UInt16Array, UInt32Array, UInt64Array, UInt8Array,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString};
use serde_json::Value;
use whence::ingest::{Compression, CorpusOptions, CorpusSpec, Documents, Format, Record};
use whence::Document;

use crate::arrow_io::strings;
use crate::WhenceError;

/// How documents are read: field names and the size limit, as the CLI's corpus
/// options give them.
#[derive(Clone, Debug)]
pub struct Fields {
    pub id: String,
    pub text: String,
    pub date: String,
    pub source: Option<String>,
    pub max_doc_mb: u64,
}

impl Fields {
    /// The validated corpus options. Documents come from a reader, not from
    /// the named input (standard input, which the options must name).
    pub fn options(&self) -> PyResult<CorpusOptions> {
        self.options_keeping(false)
    }

    /// [`Fields::options`], keeping every field of a document (the CLI keeps
    /// them for `dedup --out` and Parquet pass-through) when `keep_fields`.
    pub fn options_keeping(&self, keep_fields: bool) -> PyResult<CorpusOptions> {
        let spec = CorpusSpec {
            keep_fields,
            inputs: vec!["-".into()],
            id_field: Some(self.id.clone()),
            text_field: Some(self.text.clone()),
            date_field: Some(self.date.clone()),
            source_field: self.source.clone(),
            max_doc_bytes: Some(self.max_doc_mb.saturating_mul(1 << 20)),
            ..CorpusSpec::default()
        };
        spec.validate()
            .map_err(|e| WhenceError::new_err(format!("invalid corpus options: {e}")))
    }

    /// The field names a document may carry, in the order they are written.
    fn names(&self, opts: &CorpusOptions) -> Vec<String> {
        let f = opts.fields();
        let mut names = vec![
            f.id().to_owned(),
            f.text().to_owned(),
            f.date().to_owned(),
            f.title().to_owned(),
            f.url().to_owned(),
        ];
        names.extend(f.site().iter().cloned());
        names.dedup();
        names
    }
}

/// Documents read from Python input, with what was skipped or warned about.
pub struct Read {
    pub docs: Vec<Document>,
    /// Each document's position in the input (0-based).
    pub positions: Vec<usize>,
    /// Skips and warnings, as the CLI prints them (after `whence: skipped: ` /
    /// `whence: warning: `).
    pub skipped: Vec<String>,
    pub warnings: Vec<String>,
}

/// Parses JSON lines through the corpus reader.
pub fn parse_lines(name: &str, lines: Vec<u8>, opts: &CorpusOptions) -> Read {
    let reader = Documents::from_reader(
        name,
        Box::new(Cursor::new(lines)),
        Format::Jsonl(Compression::None),
        opts,
    );
    let mut out = Read {
        docs: Vec::new(),
        positions: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
    };
    for item in reader {
        match item {
            Ok(Record {
                doc,
                line,
                warnings,
                ..
            }) => {
                out.warnings.extend(warnings.iter().map(|w| w.to_string()));
                out.positions
                    .push(line.map_or(0, |l| l.saturating_sub(1) as usize));
                out.docs.push(doc);
            }
            Err(skip) => out.skipped.push(skip.to_string()),
        }
    }
    out
}

/// Writes one Python value as JSON, as far as a document field can hold it:
/// text, numbers, booleans, `None`, dates (ISO 8601); anything else is written as
/// an object, which the reader reports as such.
fn write_value(out: &mut Vec<u8>, v: &Bound<'_, PyAny>) -> PyResult<()> {
    if v.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(s) = v.cast::<PyString>() {
        serde_json::to_writer(&mut *out, &*s.to_cow()?).expect("writing to memory");
    } else if v.is_instance_of::<PyBool>() {
        let b: bool = v.extract()?;
        out.extend_from_slice(if b { b"true" } else { b"false" });
    } else if v.is_instance_of::<PyInt>() {
        out.extend_from_slice(v.str()?.to_cow()?.as_bytes());
    } else if v.is_instance_of::<PyFloat>() {
        let x: f64 = v.extract()?;
        match serde_json::Number::from_f64(x) {
            Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
    } else if v.hasattr("isoformat")? {
        let s = v.call_method0("isoformat")?;
        serde_json::to_writer(&mut *out, &*s.cast::<PyString>()?.to_cow()?)
            .expect("writing to memory");
    } else {
        out.extend_from_slice(b"{}");
    }
    Ok(())
}

/// Writes a dict's document fields as one JSON line.
fn write_item(
    out: &mut Vec<u8>,
    item: &Bound<'_, PyAny>,
    n: usize,
    names: &[String],
) -> PyResult<()> {
    let map = item.cast::<PyMapping>().map_err(|_| {
        PyTypeError::new_err(format!(
            "docs[{n}]: expected a dict with `text` (and `id`, `date`, `source`…), got {}",
            item.get_type()
                .name()
                .map_or_else(|_| "?".to_owned(), |s| s.to_string())
        ))
    })?;
    out.push(b'{');
    let mut first = true;
    for name in names {
        let key = PyString::new(item.py(), name);
        if !map.contains(&key)? {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        serde_json::to_writer(&mut *out, name).expect("writing to memory");
        out.push(b':');
        write_value(out, &map.get_item(&key)?)?;
    }
    out.extend_from_slice(b"}\n");
    Ok(())
}

/// Documents from an iterable of dicts.
pub fn from_dicts(items: &Bound<'_, PyAny>, fields: &Fields) -> PyResult<Read> {
    let opts = fields.options()?;
    let names = fields.names(&opts);
    let mut lines = Vec::new();
    for (n, item) in items.try_iter()?.enumerate() {
        write_item(&mut lines, &item?, n, &names)?;
    }
    Ok(parse_lines("docs", lines, &opts))
}

/// One cell of an Arrow column as JSON (text, numbers, booleans, null).
fn write_cell(out: &mut Vec<u8>, col: &dyn Array, i: usize, name: &str) -> PyResult<()> {
    if col.is_null(i) {
        out.extend_from_slice(b"null");
        return Ok(());
    }
    let any = col.as_any();
    macro_rules! ints {
        ($($t:ty),*) => {$(
            if let Some(a) = any.downcast_ref::<$t>() {
                out.extend_from_slice(a.value(i).to_string().as_bytes());
                return Ok(());
            }
        )*};
    }
    ints!(
        Int8Array,
        Int16Array,
        Int32Array,
        Int64Array,
        UInt8Array,
        UInt16Array,
        UInt32Array,
        UInt64Array
    );
    let float = any
        .downcast_ref::<Float64Array>()
        .map(|a| a.value(i))
        .or_else(|| {
            any.downcast_ref::<Float32Array>()
                .map(|a| f64::from(a.value(i)))
        });
    if let Some(x) = float {
        match serde_json::Number::from_f64(x) {
            Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        return Ok(());
    }
    if let Some(a) = any.downcast_ref::<BooleanArray>() {
        out.extend_from_slice(if a.value(i) { b"true" } else { b"false" });
        return Ok(());
    }
    if any.downcast_ref::<NullArray>().is_some() {
        out.extend_from_slice(b"null");
        return Ok(());
    }
    Err(WhenceError::new_err(format!(
        "column `{name}` holds {}: give document fields as text or numbers",
        col.data_type()
    )))
}

/// Writes the rows of Arrow batches as JSON lines of their document fields.
/// With `all_columns`, every column of a batch is written (in its schema's
/// order), not only the configured document fields.
pub fn batch_lines(
    batches: &[RecordBatch],
    fields: &Fields,
    opts: &CorpusOptions,
    all_columns: bool,
) -> PyResult<Vec<u8>> {
    let configured = fields.names(opts);
    let mut out = Vec::new();
    for batch in batches {
        let names: Vec<String> = if all_columns {
            let schema = batch.schema();
            schema.fields().iter().map(|f| f.name().clone()).collect()
        } else {
            configured.clone()
        };
        let cols: Vec<(&String, Option<crate::arrow_io::Strings<'_>>, &dyn Array)> = names
            .iter()
            .filter_map(|n| batch.column_by_name(n).map(|c| (n, c)))
            .map(|(n, c)| Ok((n, strings(batch, n).ok().flatten(), c.as_ref())))
            .collect::<PyResult<_>>()?;
        for i in 0..batch.num_rows() {
            out.push(b'{');
            for (k, (name, text, col)) in cols.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut out, name).expect("writing to memory");
                out.push(b':');
                match text {
                    Some(t) => match t.get(i) {
                        Some(s) => serde_json::to_writer(&mut out, s).expect("writing to memory"),
                        None => out.extend_from_slice(b"null"),
                    },
                    None => write_cell(&mut out, *col, i, name)?,
                }
            }
            out.extend_from_slice(b"}\n");
        }
    }
    Ok(out)
}

/// Documents from Arrow batches (a pyarrow Table's).
pub fn from_batches(batches: &[RecordBatch], fields: &Fields) -> PyResult<Read> {
    let opts = fields.options()?;
    let lines = batch_lines(batches, fields, &opts, false)?;
    Ok(parse_lines("docs", lines, &opts))
}

/// Documents from whatever the Python API accepts: a pyarrow Table, RecordBatch
/// or RecordBatchReader, or an iterable of dicts.
pub fn read(py_docs: &Bound<'_, PyAny>, fields: &Fields) -> PyResult<Read> {
    if py_docs.hasattr("__arrow_c_stream__")? {
        let batches = crate::arrow_io::import_stream(py_docs)?;
        return from_batches(&batches, fields);
    }
    if py_docs.hasattr("__arrow_c_array__")? {
        let batch = crate::arrow_io::import_batch(py_docs)?;
        return from_batches(&[batch], fields);
    }
    from_dicts(py_docs, fields)
}

/// A JSON value as the Python object `json.loads` would give.
pub fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let items = a
                .iter()
                .map(|x| to_py(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}
