//! The stages of the PySpark job, one function per step of `whence::stages`:
//! an Arrow record batch in (a part of a Spark DataFrame, from `mapInArrow`), an
//! Arrow record batch out. The job (`python/whence/spark`) only shuffles rows
//! between them and aggregates counts; every decision is the engine's.
//!
//! Column conventions: document numbers (`idx`, `d`, `a`, `b`) and hashes (`h`,
//! `key`) are `int64` (hashes bit-cast from `u64`); fingerprints, signatures and
//! boilerplate spans travel as packed little-endian binary cells.

use std::collections::HashMap;
use std::path::PathBuf;

use arrow_array::{Array, BinaryArray, Int64Array, ListArray, RecordBatch, StringArray};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;
use whence::cluster::parse_date;
use whence::ingest::{
    Compression, Corpus, CorpusSpec, Documents, Format, IdRegistry, Input, ListedFile, Record,
    Warning,
};
use whence::pipeline::{PipelineConfig, Sketch};
use whence::report::rows;
use whence::table::json_line;
use whence::{stages, Document, Span};

use crate::api::{pick, pipeline_config};
use crate::arrow_io::{
    column, export_batch, import_batch, int_list, pack_u32, pack_u64, required_strings, strings,
    unpack_u32, unpack_u64, BatchBuilder,
};
use crate::docs::{batch_lines, Fields};
use crate::WhenceError;

fn werr(e: impl std::fmt::Display) -> PyErr {
    WhenceError::new_err(e.to_string())
}

/// The engine settings of a job: `(keep_boilerplate, paraphrase)`.
fn config(settings: (bool, bool)) -> PyResult<PipelineConfig> {
    pipeline_config(
        settings.0,
        settings.1,
        whence::semantic::DEFAULT_SEMANTIC_THRESHOLD,
    )
}

fn fields(f: (String, String, String, Option<String>, u64)) -> Fields {
    Fields {
        id: f.0,
        text: f.1,
        date: f.2,
        source: f.3,
        max_doc_mb: f.4,
    }
}

/// `(files, id stems, skip messages, files ignored)` of [`list_files`].
type Listed = (Vec<String>, Vec<String>, Vec<String>, u64);

/// The files a corpus reads, in reading order (directories walked as the CLI
/// walks them), the id stem each file's documents get in the whole corpus, the
/// walk's skips as messages and its count of ignored files. Paths only: standard input cannot be distributed.
#[pyfunction]
pub fn list_files(inputs: Vec<PathBuf>) -> PyResult<Listed> {
    if inputs.iter().any(|p| p.as_os_str() == "-") {
        return Err(werr("a Spark job reads files, not standard input (-)"));
    }
    let opts = CorpusSpec::with_inputs(inputs)
        .validate()
        .map_err(|e| werr(format!("invalid corpus options: {e}")))?;
    let corpus = Corpus::open(&opts).map_err(|e| werr(format!("cannot open the corpus: {e}")))?;
    let listing = corpus.files();
    let files = listing
        .inputs
        .iter()
        .map(|f| match &f.input {
            Input::Path(p) => p.display().to_string(),
            Input::Stdin => "-".to_owned(),
        })
        .collect();
    let stems = listing.inputs.iter().map(|f| f.stem.clone()).collect();
    let skips = listing.skips.iter().map(|s| s.to_string()).collect();
    Ok((files, stems, skips, listing.stats.files_ignored))
}

/// The documents of one reading unit (a file, or a part of a DataFrame) as rows.
#[derive(Default)]
struct DocRows {
    unit: Vec<i64>,
    rec: Vec<i64>,
    /// Item number in the unit (documents and skips), for reporting in order.
    seq: Vec<i64>,
    id: Vec<Option<String>>,
    text: Vec<Option<String>>,
    title: Vec<Option<String>>,
    date: Vec<Option<String>>,
    site: Vec<Option<String>>,
    url: Vec<Option<String>>,
    origin: Vec<Option<String>>,
    line: Vec<i64>,
    skip: Vec<Option<String>>,
    warnings: Vec<Option<String>>,
    /// A JSON document's other fields, as JSON text (what `dedup` writes back).
    fields: Vec<Option<String>>,
    text_bytes: usize,
}

impl DocRows {
    /// A document, numbered `rec` in its unit, under its original id (a rename
    /// inside the unit undone: ids are made unique over the whole corpus later).
    fn doc(&mut self, unit: i64, rec: i64, seq: i64, r: Record) {
        let mut original = None;
        let mut other = Vec::new();
        for w in &r.warnings {
            match w {
                Warning::DuplicateId { id, .. } => original = Some(id.clone()),
                w => other.push(w.to_string()),
            }
        }
        let d = r.doc;
        self.unit.push(unit);
        self.rec.push(rec);
        self.seq.push(seq);
        self.id
            .push(Some(original.unwrap_or_else(|| d.id.to_string())));
        self.text_bytes += d.text.len();
        self.text.push(Some(d.text));
        self.title.push(d.meta.title);
        self.date.push(d.meta.date);
        self.site.push(d.meta.site);
        self.url.push(d.meta.url);
        self.origin.push(Some(r.input.to_string()));
        self.fields
            .push(r.fields.map(|f| serde_json::Value::Object(*f).to_string()));
        self.line.push(r.line.map_or(0, |l| l as i64));
        self.skip.push(None);
        self.warnings
            .push((!other.is_empty()).then(|| other.join("\n")));
    }

    /// A skip, with its message as the CLI prints it.
    fn skipped(&mut self, unit: i64, seq: i64, message: String) {
        self.unit.push(unit);
        self.rec.push(-1);
        self.seq.push(seq);
        for v in [
            &mut self.id,
            &mut self.text,
            &mut self.title,
            &mut self.date,
            &mut self.site,
            &mut self.url,
            &mut self.origin,
            &mut self.warnings,
            &mut self.fields,
        ] {
            v.push(None);
        }
        self.line.push(0);
        self.skip.push(Some(message));
    }

    fn finish(self) -> PyResult<RecordBatch> {
        BatchBuilder::new()
            .int64("unit", self.unit)
            .int64("rec", self.rec)
            .int64("seq", self.seq)
            .utf8("id", self.id)
            .utf8("text", self.text)
            .utf8("title", self.title)
            .utf8("date", self.date)
            .utf8("site", self.site)
            .utf8("url", self.url)
            .utf8("origin", self.origin)
            .int64("line", self.line)
            .utf8("skip", self.skip)
            .utf8("warnings", self.warnings)
            .utf8("fields", self.fields)
            .finish()
    }
}

/// Bytes of text per output batch of [`read_files`].
const READ_BATCH_BYTES: usize = 32 << 20;

/// Reads files (`unit`: the file's number in the listing, `path`) with the
/// CLI's reader: one row a document (`rec`: its number in the file) or skip.
#[pyfunction]
pub fn read_files<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    fields_: (String, String, String, Option<String>, u64),
) -> PyResult<Bound<'py, PyList>> {
    let batch = import_batch(batch)?;
    let units = column::<Int64Array>(&batch, "unit")?;
    let paths = required_strings(&batch, "path")?;
    let stems = required_strings(&batch, "stem")?;
    let f = fields(fields_);
    let mut out = Vec::new();
    for i in 0..batch.num_rows() {
        let unit = units.value(i);
        let path = paths.get(i).unwrap_or_default().to_owned();
        let file = ListedFile {
            input: Input::Path(PathBuf::from(&path)),
            stem: stems.get(i).unwrap_or_default().to_owned(),
        };
        let mut spec = CorpusSpec::with_inputs([path.clone()]);
        spec.id_field = Some(f.id.clone());
        spec.text_field = Some(f.text.clone());
        spec.date_field = Some(f.date.clone());
        spec.source_field = f.source.clone();
        spec.max_doc_bytes = Some(f.max_doc_mb.saturating_mul(1 << 20));
        spec.keep_fields = true;
        let opts = spec
            .validate()
            .map_err(|e| werr(format!("invalid corpus options: {e}")))?;
        let batches = py.detach(|| -> Result<Vec<DocRows>, String> {
            let corpus = Corpus::open_listed(&opts, &file)
                .map_err(|e| format!("cannot open the corpus: {e}"))?;
            let mut done = Vec::new();
            let mut rows = DocRows::default();
            let mut rec = 0;
            for (seq, item) in corpus.documents().enumerate() {
                match item {
                    Ok(r) => {
                        rows.doc(unit, rec, seq as i64, r);
                        rec += 1;
                    }
                    Err(skip) => rows.skipped(unit, seq as i64, skip.to_string()),
                }
                if rows.text_bytes >= READ_BATCH_BYTES {
                    done.push(std::mem::take(&mut rows));
                }
            }
            done.push(rows);
            Ok(done)
        });
        for rows in batches.map_err(werr)? {
            out.push(export_batch(py, rows.finish()?)?);
        }
    }
    PyList::new(py, out)
}

/// Reads rows of a DataFrame partition (`unit`: the partition's number; a batch
/// of its rows, the first being its row `first_row`, whose first document is
/// its document `first_rec`) through the CLI's JSONL reader: one row a document
/// (`rec`: its number in the partition) or skip. Messages name the partition and
/// the row in the batch. With `keep_fields`, every column of the batch is a
/// field of its document (kept as the CLI keeps a JSON line's other keys).
#[pyfunction]
#[pyo3(signature = (batch, unit, first_row, first_rec, fields_, keep_fields = false))]
pub fn parse_rows<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    unit: i64,
    first_row: i64,
    first_rec: i64,
    fields_: (String, String, String, Option<String>, u64),
    keep_fields: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let batch = import_batch(batch)?;
    let f = fields(fields_);
    let opts = f.options_keeping(keep_fields)?;
    let lines = batch_lines(&[batch], &f, &opts, keep_fields)?;
    let name = format!("DataFrame partition {unit} from row {first_row}");
    let rows = py.detach(|| {
        let reader = Documents::from_reader(
            &name,
            Box::new(std::io::Cursor::new(lines)),
            Format::Jsonl(Compression::None),
            &opts,
        );
        let mut rows = DocRows::default();
        let mut rec = first_rec;
        for (k, item) in reader.enumerate() {
            let seq = first_row + k as i64;
            match item {
                Ok(r) => {
                    rows.doc(unit, rec, seq, r);
                    rec += 1;
                }
                Err(skip) => rows.skipped(unit, seq, skip.to_string()),
            }
        }
        rows
    });
    export_batch(py, rows.finish()?)
}

/// Unique ids for documents whose ids may collide (given in reading order, with
/// where they come from): the CLI's renaming (`x`, `x#2`, …) and its warnings.
#[pyfunction]
pub fn rename_ids(
    ids: Vec<String>,
    origins: Vec<String>,
    lines: Vec<i64>,
) -> (Vec<Option<String>>, Vec<String>) {
    let mut registry = IdRegistry::default();
    let mut warnings = Vec::new();
    let renamed = ids
        .iter()
        .zip(origins)
        .zip(lines)
        .map(|((id, input), line)| {
            let new = registry.claim(id)?;
            warnings.push(
                Warning::DuplicateId {
                    input,
                    line: (line > 0).then_some(line as u64),
                    id: id.clone(),
                    renamed: new.clone(),
                }
                .to_string(),
            );
            Some(new)
        })
        .collect();
    (renamed, warnings)
}

/// `(max_lines_per_site, max_sites)` of the CLI's repeated-line counter: beyond
/// them it approximates (a full map drops the hashes seen in one document, and
/// sites past the cap share one bucket), while the Spark job counts exactly, so
/// the job warns when a site exceeds them. The per-site cap is off by default
/// (`i64::MAX` here).
#[pyfunction]
pub fn repeated_caps() -> (u64, u64) {
    let c = stages::repeated_config();
    // no cap by default (exact, like the job); a Spark long cannot hold more
    let cap = |n: usize| n.min(i64::MAX as usize) as u64;
    (cap(c.max_lines_per_site), cap(c.max_sites))
}

/// `(line, gram)`: documents a line, and a sampled 8-gram, must occur in to be
/// repeated (a gram: in a block or a form) on a site of `site_docs` documents.
#[pyfunction]
pub fn repeated_min_count(site_docs: u32) -> (u32, u32) {
    stages::repeated_min_count(site_docs)
}

/// Each document's distinct lines and sampled 8-grams: rows `(site, kind, h)`,
/// `kind` 0 for a line, 1 for a gram (site `""` when none).
#[pyfunction]
pub fn doc_lines<'py>(py: Python<'py>, batch: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let batch = import_batch(batch)?;
    let texts = required_strings(&batch, "text")?;
    let sites = strings(&batch, "site")?;
    let docs: Vec<(String, &str)> = (0..batch.num_rows())
        .map(|i| {
            let site = sites.as_ref().and_then(|s| s.get(i)).unwrap_or("");
            (site.to_owned(), texts.get(i).unwrap_or_default())
        })
        .collect();
    let lines: Vec<whence::stages::DocLines> = py.detach(|| {
        docs.par_iter()
            .map(|(site, text)| {
                let mut d = Document::new("", *text);
                d.meta.site = Some(site.clone());
                stages::doc_lines(&d)
            })
            .collect()
    });
    let (mut site, mut kind, mut h) = (Vec::new(), Vec::new(), Vec::new());
    for ((s, _), ls) in docs.iter().zip(lines) {
        for (k, hashes) in [(0, ls.hashes()), (1, ls.grams())] {
            for &x in hashes {
                site.push(Some(s.clone()));
                kind.push(k);
                h.push(x as i64);
            }
        }
    }
    export_batch(
        py,
        BatchBuilder::new()
            .utf8("site", site)
            .int64("kind", kind)
            .int64("h", h)
            .finish()?,
    )
}

fn spans_of(b: &[u8]) -> PyResult<Vec<Span>> {
    Ok(unpack_u64(b)?
        .chunks_exact(2)
        .map(|p| Span::new(p[0] as usize, p[1] as usize))
        .collect())
}

fn pack_spans(spans: &[Span]) -> Vec<u8> {
    pack_u64(
        spans
            .iter()
            .flat_map(|s| [s.start() as u64, s.end() as u64]),
    )
}

/// A document of a batch row: `{prefix}id`, `{prefix}text`, `{prefix}date`,
/// `{prefix}boilerplate` (packed spans), and, when present, `{prefix}forms`
/// (packed spans), title, site, url.
fn documents(batch: &RecordBatch, prefix: &str) -> PyResult<Vec<Document>> {
    let col = |n: &str| format!("{prefix}{n}");
    let ids = required_strings(batch, &col("id"))?;
    let texts = required_strings(batch, &col("text"))?;
    let dates = strings(batch, &col("date"))?;
    let titles = strings(batch, &col("title"))?;
    let sites = strings(batch, &col("site"))?;
    let urls = strings(batch, &col("url"))?;
    let bp = batch
        .column_by_name(&col("boilerplate"))
        .and_then(|c| c.as_any().downcast_ref::<BinaryArray>());
    let forms = batch
        .column_by_name(&col("forms"))
        .and_then(|c| c.as_any().downcast_ref::<BinaryArray>());
    let opt = |s: &Option<crate::arrow_io::Strings<'_>>, i| {
        s.as_ref().and_then(|s| s.get(i)).map(str::to_owned)
    };
    (0..batch.num_rows())
        .map(|i| {
            let mut d = Document::new(
                ids.get(i).unwrap_or_default(),
                texts.get(i).unwrap_or_default(),
            );
            d.meta.date = opt(&dates, i);
            d.meta.title = opt(&titles, i);
            d.meta.site = opt(&sites, i);
            d.meta.url = opt(&urls, i);
            if let Some(bp) = bp {
                d.boilerplate = spans_of(bp.value(i))?;
            }
            if let Some(forms) = forms {
                d.forms = spans_of(forms.value(i))?;
            }
            Ok(d)
        })
        .collect()
}

/// Marks each document's boilerplate (`repeated`: site → `(documents, lines,
/// grams)`, lines and grams packed as ascending `(hash, count)` pairs of the
/// hashes counted at least [`repeated_min_count`]), its form spans, and sketches
/// it: the batch's columns plus `boilerplate`, `forms` (packed spans), `chars`,
/// `fps` (distinct fingerprints, packed) and `sig` (packed signature).
#[pyfunction]
pub fn mark_and_sketch<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    repeated: &Bound<'py, PyDict>,
    settings: (bool, bool),
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings)?;
    let batch = import_batch(batch)?;
    let mut docs = documents(&batch, "")?;
    type Counts = (u32, Vec<(u64, u32)>, Vec<(u64, u32)>);
    let mut counted: HashMap<String, Counts> = HashMap::new();
    let pairs_of = |b: Vec<u8>| -> PyResult<Vec<(u64, u32)>> {
        Ok(unpack_u64(&b)?
            .chunks_exact(2)
            .map(|p| (p[0], p[1] as u32))
            .collect())
    };
    for (k, v) in repeated.iter() {
        let (n, lines, grams): (u32, Vec<u8>, Vec<u8>) = v.extract()?;
        counted.insert(k.extract()?, (n, pairs_of(lines)?, pairs_of(grams)?));
    }
    let empty: Counts = (0, Vec::new(), Vec::new());
    let sketches: Vec<Sketch> = py.detach(|| {
        docs.par_iter_mut().for_each(|d| {
            let (n, lines, grams) = counted.get(stages::site_of(d)).unwrap_or(&empty);
            let count = |of: &[(u64, u32)], h: u64| {
                of.binary_search_by_key(&h, |p| p.0).map_or(0, |i| of[i].1)
            };
            stages::mark_document(d, &cfg.compare, |text| {
                stages::repeated_spans(text, *n, |h| count(lines, h), |h| count(grams, h))
            });
            stages::mark_forms(d, &cfg.compare, |h| count(grams, h));
        });
        stages::sketch_documents(&docs, &cfg)
    });
    let mut columns: Vec<(String, std::sync::Arc<dyn Array>)> = batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .filter(|(f, _)| {
            !["boilerplate", "forms", "chars", "fps", "sig"].contains(&f.name().as_str())
        })
        .map(|(f, c)| (f.name().clone(), c.clone()))
        .collect();
    let extra = BatchBuilder::new()
        .binary(
            "boilerplate",
            docs.iter().map(|d| pack_spans(&d.boilerplate)).collect(),
        )
        .binary("forms", docs.iter().map(|d| pack_spans(&d.forms)).collect())
        .int64(
            "chars",
            docs.iter().map(|d| d.text.chars().count() as i64).collect(),
        )
        .binary(
            "fps",
            sketches
                .iter()
                .map(|s| pack_u64(stages::distinct_fingerprints(s)))
                .collect(),
        )
        .binary(
            "sig",
            sketches.iter().map(|s| pack_u32(&s.signature)).collect(),
        )
        .finish()?;
    for (f, c) in extra.schema().fields().iter().zip(extra.columns()) {
        columns.push((f.name().clone(), c.clone()));
    }
    let out = RecordBatch::try_from_iter(columns).map_err(werr)?;
    export_batch(py, out)
}

/// Every distinct fingerprint of each document: rows `(h)`, for document
/// frequencies.
#[pyfunction]
pub fn fingerprints<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let batch = import_batch(batch)?;
    let fps = column::<BinaryArray>(&batch, "fps")?;
    let mut h = Vec::new();
    for i in 0..batch.num_rows() {
        h.extend(unpack_u64(fps.value(i))?.into_iter().map(|x| x as i64));
    }
    export_batch(py, BatchBuilder::new().int64("h", h).finish()?)
}

/// The fingerprints over the document-frequency cut-off among rows `(h, df)`:
/// rows `(h)`.
#[pyfunction]
pub fn frequent_keys<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    settings: (bool, bool),
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings)?;
    let batch = import_batch(batch)?;
    let h = column::<Int64Array>(&batch, "h")?;
    let df = column::<Int64Array>(&batch, "df")?;
    let out: Vec<i64> = (0..batch.num_rows())
        .filter(|&i| stages::is_frequent(&cfg, df.value(i) as u64))
        .map(|i| h.value(i))
        .collect();
    export_batch(py, BatchBuilder::new().int64("h", out).finish()?)
}

/// Postings of the kept fingerprints (`frequent`: the dropped ones, packed,
/// ascending): rows `(h, d)`, or with `counts`, rows `(d, kept)`.
#[pyfunction]
pub fn kept_postings<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    frequent: &[u8],
    counts: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let batch = import_batch(batch)?;
    let idx = column::<Int64Array>(&batch, "idx")?;
    let fps = column::<BinaryArray>(&batch, "fps")?;
    let frequent = unpack_u64(frequent)?;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..batch.num_rows() {
        let kept = unpack_u64(fps.value(i))?
            .into_iter()
            .filter(|h| frequent.binary_search(h).is_err());
        if counts {
            a.push(idx.value(i));
            b.push(kept.count() as i64);
        } else {
            for h in kept {
                a.push(h as i64);
                b.push(idx.value(i));
            }
        }
    }
    let out = if counts {
        BatchBuilder::new().int64("d", a).int64("kept", b)
    } else {
        BatchBuilder::new().int64("h", a).int64("d", b)
    };
    export_batch(py, out.finish()?)
}

fn pairs_batch(a: Vec<i64>, b: Vec<i64>) -> PyResult<RecordBatch> {
    BatchBuilder::new().int64("a", a).int64("b", b).finish()
}

fn u32_list(col: &std::sync::Arc<dyn Array>, i: usize) -> PyResult<Vec<u32>> {
    int_list(col, i)?
        .into_iter()
        .map(|d| u32::try_from(d).map_err(|_| werr(format!("document number {d} out of range"))))
        .collect()
}

/// Rows `(a, b)`: the pairs `pairs_of` finds in each row's `docs` list.
fn list_pairs(
    batch: &RecordBatch,
    mut pairs_of: impl FnMut(&mut [u32], &mut dyn FnMut(u32, u32)),
) -> PyResult<RecordBatch> {
    let docs = batch
        .column_by_name("docs")
        .ok_or_else(|| werr("the batch has no column `docs`"))?;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..batch.num_rows() {
        let mut ds = u32_list(docs, i)?;
        pairs_of(&mut ds, &mut |x, y| {
            a.push(i64::from(x));
            b.push(i64::from(y));
        });
    }
    pairs_batch(a, b)
}

/// The pairs of each kept fingerprint's documents (`docs`: a list): rows `(a, b)`.
#[pyfunction]
pub fn posting_pairs<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let batch = import_batch(batch)?;
    let out = list_pairs(&batch, |ds, emit| stages::posting_pairs(ds, emit))?;
    export_batch(py, out)
}

/// The index candidates among pairs `(a, b, shared, kept_a, kept_b)`: rows `(a, b)`.
#[pyfunction]
pub fn index_candidates<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    settings: (bool, bool),
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings)?;
    let batch = import_batch(batch)?;
    let [a, b, shared, ka, kb] =
        ["a", "b", "shared", "kept_a", "kept_b"].map(|n| column::<Int64Array>(&batch, n));
    let (a, b, shared, ka, kb) = (a?, b?, shared?, ka?, kb?);
    let (mut oa, mut ob) = (Vec::new(), Vec::new());
    for i in 0..batch.num_rows() {
        let v = |c: &Int64Array| c.value(i) as u32;
        if stages::index_candidate(&cfg, v(a), v(b), v(shared), v(ka), v(kb)) {
            oa.push(a.value(i));
            ob.push(b.value(i));
        }
    }
    export_batch(py, pairs_batch(oa, ob)?)
}

fn sketch_of(sig: &[u8]) -> PyResult<Sketch> {
    Ok(Sketch {
        fingerprints: Vec::new(),
        signature: unpack_u32(sig)?,
    })
}

/// The LSH band keys of each document: rows `(band, key, d)`.
#[pyfunction]
pub fn band_keys<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    settings: (bool, bool),
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings)?;
    let batch = import_batch(batch)?;
    let idx = column::<Int64Array>(&batch, "idx")?;
    let sigs = column::<BinaryArray>(&batch, "sig")?;
    let (mut band, mut key, mut d) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..batch.num_rows() {
        let s = sketch_of(sigs.value(i))?;
        for (bnd, k) in stages::band_keys(&s, &cfg) {
            band.push(i64::from(bnd));
            key.push(k as i64);
            d.push(idx.value(i));
        }
    }
    let out = BatchBuilder::new()
        .int64("band", band)
        .int64("key", key)
        .int64("d", d);
    export_batch(py, out.finish()?)
}

/// The pairs of each LSH bucket (`docs`: a list): rows `(a, b)`.
#[pyfunction]
pub fn bucket_pairs<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    settings: (bool, bool),
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings)?;
    let batch = import_batch(batch)?;
    let out = list_pairs(&batch, |ds, emit| stages::bucket_pairs(ds, &cfg, emit))?;
    export_batch(py, out)
}

/// The near-duplicate candidates among banded pairs `(a, b, sig_a, sig_b)`.
#[pyfunction]
pub fn near_duplicates<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    settings: (bool, bool),
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings)?;
    let batch = import_batch(batch)?;
    let a = column::<Int64Array>(&batch, "a")?;
    let b = column::<Int64Array>(&batch, "b")?;
    let sa = column::<BinaryArray>(&batch, "sig_a")?;
    let sb = column::<BinaryArray>(&batch, "sig_b")?;
    let (mut oa, mut ob) = (Vec::new(), Vec::new());
    for i in 0..batch.num_rows() {
        if stages::near_duplicate(&sketch_of(sa.value(i))?, &sketch_of(sb.value(i))?, &cfg) {
            oa.push(a.value(i));
            ob.push(b.value(i));
        }
    }
    export_batch(py, pairs_batch(oa, ob)?)
}

/// Verifies candidate pairs with both documents (`a_*`, `b_*` columns): rows
/// `(a, b, a_id, b_id, a_source, b_source, relation, confidence, a_reused,
/// b_reused, passages, duplicate, listed, line)` for the pairs the reuse rules keep
/// (`duplicate`: a near-duplicate, what `dedup` clusters; `listed`: a pair
/// `whence pairs` writes); `line` is the `whence pairs` output line.
#[pyfunction]
pub fn verify<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    settings: (bool, bool),
    passages: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings)?;
    let batch = import_batch(batch)?;
    let a = column::<Int64Array>(&batch, "a")?;
    let b = column::<Int64Array>(&batch, "b")?;
    let (da, db) = (documents(&batch, "a_")?, documents(&batch, "b_")?);
    let pairs: Vec<(i64, i64)> = (0..batch.num_rows())
        .map(|i| (a.value(i), b.value(i)))
        .collect();
    let found = py.detach(|| -> PyResult<Vec<_>> {
        // each document analyzed once per batch, whatever its number of pairs
        let mut first: HashMap<i64, (usize, bool)> = HashMap::new();
        for (i, &(x, y)) in pairs.iter().enumerate() {
            first.entry(x).or_insert((i, true));
            first.entry(y).or_insert((i, false));
        }
        let keys: Vec<(i64, usize, bool)> =
            first.iter().map(|(&k, &(i, side))| (k, i, side)).collect();
        let streams: HashMap<i64, _> = keys
            .par_iter()
            .map(|&(k, i, side)| (k, stages::analyze(if side { &da[i] } else { &db[i] })))
            .collect();
        let pair_cfg = stages::pair_config(&cfg);
        Ok(pairs
            .par_iter()
            .enumerate()
            .filter_map(|(i, &(x, y))| {
                let p = stages::verify_candidate(
                    x as u32,
                    &da[i],
                    &streams[&x],
                    y as u32,
                    &db[i],
                    &streams[&y],
                    &pair_cfg,
                    &cfg,
                )?;
                let row = rows::pair_row_of(&da[i], &db[i], &p, passages);
                Some((i, row, (p.duplicate, p.listed)))
            })
            .collect())
    })?;
    let mut out = PairOut::default();
    for (i, row, flags) in found {
        out.push(pairs[i], row, flags)?;
    }
    export_batch(py, out.finish()?)
}

#[derive(Default)]
struct PairOut {
    a: Vec<i64>,
    b: Vec<i64>,
    a_id: Vec<Option<String>>,
    b_id: Vec<Option<String>>,
    a_source: Vec<Option<String>>,
    b_source: Vec<Option<String>>,
    relation: Vec<Option<String>>,
    confidence: Vec<f64>,
    a_reused: Vec<f64>,
    b_reused: Vec<f64>,
    passages: Vec<Option<String>>,
    duplicate: Vec<bool>,
    listed: Vec<bool>,
    line: Vec<Option<String>>,
}

impl PairOut {
    fn push(
        &mut self,
        (a, b): (i64, i64),
        row: Vec<whence::table::Cell>,
        (duplicate, listed): (bool, bool),
    ) -> PyResult<()> {
        use whence::table::Cell;
        let text = |c: &Cell| match c {
            Cell::Str(s) => Some(s.clone()),
            Cell::Json(v) => Some(v.to_string()),
            _ => None,
        };
        let num = |c: &Cell| if let Cell::F64(x) = c { *x } else { f64::NAN };
        self.a.push(a);
        self.b.push(b);
        self.a_id.push(text(&row[0]));
        self.b_id.push(text(&row[1]));
        // columns of rows::PAIR_COLUMNS
        self.a_source.push(text(&row[2]));
        self.b_source.push(text(&row[3]));
        self.relation.push(text(&row[4]));
        self.confidence.push(num(&row[5]));
        self.a_reused.push(num(&row[6]));
        self.b_reused.push(num(&row[7]));
        self.passages.push(text(&row[8]));
        self.duplicate.push(duplicate);
        self.listed.push(listed);
        self.line
            .push(Some(json_line(rows::PAIR_COLUMNS, row).map_err(werr)?));
        Ok(())
    }

    fn finish(self) -> PyResult<RecordBatch> {
        BatchBuilder::new()
            .int64("a", self.a)
            .int64("b", self.b)
            .utf8("a_id", self.a_id)
            .utf8("b_id", self.b_id)
            .utf8("a_source", self.a_source)
            .utf8("b_source", self.b_source)
            .utf8("relation", self.relation)
            .float64("confidence", self.confidence)
            .float64("a_reused", self.a_reused)
            .float64("b_reused", self.b_reused)
            .utf8("passages", self.passages)
            .boolean("duplicate", self.duplicate)
            .boolean("listed", self.listed)
            .utf8("line", self.line)
            .finish()
    }
}

/// A list-of-text column's row `i` (nulls kept).
fn string_list(col: &std::sync::Arc<dyn Array>, i: usize) -> PyResult<Vec<Option<String>>> {
    let l = col
        .as_any()
        .downcast_ref::<ListArray>()
        .ok_or_else(|| werr(format!("expected a list column, got {}", col.data_type())))?;
    let v = l.value(i);
    let s = v
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| werr(format!("expected a list of text, got {}", v.data_type())))?;
    Ok((0..s.len())
        .map(|k| (!s.is_null(k)).then(|| s.value(k).to_owned()))
        .collect())
}

/// The representative of each cluster (`members`, `chars`, `dates`: aligned
/// lists): rows `(label, rep)`.
#[pyfunction]
pub fn representatives<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    keep: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let pick = pick(keep)?;
    let batch = import_batch(batch)?;
    let label = column::<Int64Array>(&batch, "label")?;
    let col = |n: &str| {
        batch
            .column_by_name(n)
            .ok_or_else(|| werr(format!("the batch has no column `{n}`")))
    };
    let (members, chars, dates) = (col("members")?, col("chars")?, col("dates")?);
    let (mut l, mut rep) = (Vec::new(), Vec::new());
    for i in 0..batch.num_rows() {
        let ms = u32_list(members, i)?;
        let cs = int_list(chars, i)?;
        let ds = string_list(dates, i)?;
        let infos = ms.iter().zip(cs).zip(ds).map(|((&m, c), d)| {
            (
                m,
                whence::cluster::DocInfo::new(m, c as usize, d.as_deref().and_then(parse_date)),
            )
        });
        if let Some(r) = stages::representative(infos, pick) {
            l.push(label.value(i));
            rep.push(i64::from(r));
        }
    }
    export_batch(
        py,
        BatchBuilder::new()
            .int64("label", l)
            .int64("rep", rep)
            .finish()?,
    )
}

/// Output rows of clusters `(cluster, member_ids, rep_id)` (members in reading
/// order): `(cluster, members, representative, line)`, `members` as JSON text.
#[pyfunction]
pub fn cluster_lines<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    use whence::table::Cell;
    let batch = import_batch(batch)?;
    let cluster = column::<Int64Array>(&batch, "cluster")?;
    let members = batch
        .column_by_name("member_ids")
        .ok_or_else(|| werr("the batch has no column `member_ids`"))?;
    let rep = required_strings(&batch, "rep_id")?;
    let (mut json, mut reps, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..batch.num_rows() {
        let ms = string_list(members, i)?;
        let ids: Vec<&str> = ms
            .iter()
            .map(|m| m.as_deref().unwrap_or_default())
            .collect();
        let row = rows::cluster_row_of(
            cluster.value(i) as u32,
            &ids,
            rep.get(i).unwrap_or_default(),
        );
        json.push(match &row[1] {
            Cell::Json(v) => Some(v.to_string()),
            _ => None,
        });
        reps.push(rep.get(i).map(str::to_owned));
        lines.push(Some(json_line(rows::CLUSTER_COLUMNS, row).map_err(werr)?));
    }
    let out = BatchBuilder::new()
        .int64("cluster", cluster.values().to_vec())
        .utf8("members", json)
        .utf8("representative", reps)
        .utf8("line", lines);
    export_batch(py, out.finish()?)
}

/// Output rows of removed documents `(id, kept, cluster, cluster_size, text,
/// kept_text, kept_date)`: the batch (without the texts) plus `reason`,
/// `kept_by` and `line`.
#[pyfunction]
pub fn removed_lines<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    keep: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let pick = pick(keep)?;
    let batch = import_batch(batch)?;
    let id = required_strings(&batch, "id")?;
    let kept = required_strings(&batch, "kept")?;
    let cluster = column::<Int64Array>(&batch, "cluster")?;
    let size = column::<Int64Array>(&batch, "cluster_size")?;
    let text = required_strings(&batch, "text")?;
    let kept_text = required_strings(&batch, "kept_text")?;
    let kept_date = strings(&batch, "kept_date")?;
    let (mut reason, mut kept_by, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..batch.num_rows() {
        let (rid, kid) = (
            id.get(i).unwrap_or_default(),
            kept.get(i).unwrap_or_default(),
        );
        let gone = Document::new(rid, text.get(i).unwrap_or_default());
        let mut k = Document::new(kid, kept_text.get(i).unwrap_or_default());
        k.meta.date = kept_date.as_ref().and_then(|s| s.get(i)).map(str::to_owned);
        let why = whence::pipeline::Why::of(&gone, &k, pick);
        reason.push(Some(why.reason.as_str().to_owned()));
        kept_by.push(Some(why.kept_by.as_str().to_owned()));
        let row = rows::removal_row_of(
            rid,
            kid,
            why,
            cluster.value(i) as usize,
            size.value(i) as usize,
        );
        lines.push(Some(json_line(rows::REMOVED_COLUMNS, row).map_err(werr)?));
    }
    let out = BatchBuilder::new()
        .utf8("reason", reason)
        .utf8("kept_by", kept_by)
        .utf8("line", lines)
        .finish()?;
    let mut columns: Vec<(String, std::sync::Arc<dyn Array>)> = batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .filter(|(f, _)| !["text", "kept_text", "kept_date"].contains(&f.name().as_str()))
        .map(|(f, c)| (f.name().clone(), c.clone()))
        .collect();
    for (f, c) in out.schema().fields().iter().zip(out.columns()) {
        columns.push((f.name().clone(), c.clone()));
    }
    export_batch(py, RecordBatch::try_from_iter(columns).map_err(werr)?)
}

/// Output rows of kept documents: `(idx, id, text, title, date, site, url,
/// line)`, the text without boilerplate when `drop_boilerplate`.
#[pyfunction]
pub fn kept_lines<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    drop_boilerplate: bool,
    keys: (String, String),
) -> PyResult<Bound<'py, PyAny>> {
    let batch = import_batch(batch)?;
    let idx = column::<Int64Array>(&batch, "idx")?;
    let docs = documents(&batch, "")?;
    let fields = strings(&batch, "fields")?;
    let keys = rows::DocKeys {
        id: &keys.0,
        text: &keys.1,
    };
    let mut cols: [Vec<Option<String>>; 7] = Default::default();
    for (i, d) in docs.iter().enumerate() {
        let own: Option<whence::ingest::Fields> = fields
            .as_ref()
            .and_then(|f| f.get(i))
            .map(serde_json::from_str)
            .transpose()
            .map_err(werr)?;
        let text = if drop_boilerplate {
            whence::pipeline::without_boilerplate(d)
        } else {
            d.text.clone()
        };
        let obj = rows::document_object(
            d,
            own.as_ref(),
            keys,
            drop_boilerplate.then(|| text.clone()),
        );
        let m = &d.meta;
        for (k, v) in [
            Some(d.id.to_string()),
            Some(text),
            m.title.clone(),
            m.date.clone(),
            m.site.clone(),
            m.url.clone(),
        ]
        .into_iter()
        .enumerate()
        {
            cols[k].push(v);
        }
        cols[6].push(Some(serde_json::Value::Object(obj).to_string()));
    }
    let [id, text, title, date, site, url, line] = cols;
    let out = BatchBuilder::new()
        .int64("idx", idx.values().to_vec())
        .utf8("id", id)
        .utf8("text", text)
        .utf8("title", title)
        .utf8("date", date)
        .utf8("site", site)
        .utf8("url", url)
        .utf8("line", line);
    export_batch(py, out.finish()?)
}

/// Registers the stages in the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(list_files, m)?)?;
    m.add_function(wrap_pyfunction!(read_files, m)?)?;
    m.add_function(wrap_pyfunction!(parse_rows, m)?)?;
    m.add_function(wrap_pyfunction!(rename_ids, m)?)?;
    m.add_function(wrap_pyfunction!(repeated_caps, m)?)?;
    m.add_function(wrap_pyfunction!(repeated_min_count, m)?)?;
    m.add_function(wrap_pyfunction!(doc_lines, m)?)?;
    m.add_function(wrap_pyfunction!(mark_and_sketch, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprints, m)?)?;
    m.add_function(wrap_pyfunction!(frequent_keys, m)?)?;
    m.add_function(wrap_pyfunction!(kept_postings, m)?)?;
    m.add_function(wrap_pyfunction!(posting_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(index_candidates, m)?)?;
    m.add_function(wrap_pyfunction!(band_keys, m)?)?;
    m.add_function(wrap_pyfunction!(bucket_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(near_duplicates, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(representatives, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_lines, m)?)?;
    m.add_function(wrap_pyfunction!(removed_lines, m)?)?;
    m.add_function(wrap_pyfunction!(kept_lines, m)?)?;
    Ok(())
}
