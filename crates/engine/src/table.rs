//! Tabular output shared by the corpus commands: one schema, JSON Lines or Parquet.
//!
//! A [`TableWriter`] takes rows of [`Cell`]s (or JSON objects, [`TableWriter::write_object`])
//! matching a [`Schema`] and writes them as JSON Lines (one object a line, `null`
//! cells omitted) or as a Parquet file whose columns keep their nesting: a list of
//! passages is a Parquet list of structs, a list of spans a list of lists of
//! integers ([`ColType::List`], [`ColType::Struct`]), so pyarrow, pandas, DuckDB
//! and Spark read back the same values the JSON Lines hold. [`Format::for_path`]
//! infers the format from the file name; [`check_writable`] tells before a long run
//! whether an output path can be written.
//!
//! ```
//! use whence::table::{Cell, ColType, Format, TableWriter};
//! const SPAN: ColType = ColType::List(&ColType::I64);
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("t.parquet");
//! assert_eq!(Format::for_path(&path), Format::Parquet);
//! let mut w = TableWriter::create(&path, Format::Parquet, &[("id", ColType::Str), ("spans", ColType::List(&SPAN))])?;
//! w.write(vec![Cell::Str("a".into()), Cell::Json(serde_json::json!([[0, 4], [9, 12]]))])?;
//! assert_eq!(w.finish()?, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::{Map, Value};

/// The type of a column (or of a part of a nested column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// Text, never null.
    Str,
    /// Text or null.
    OptStr,
    /// A float, never null.
    F64,
    /// A float or null.
    OptF64,
    /// An integer, never null.
    I64,
    /// An integer or null.
    OptI64,
    /// A boolean or null.
    OptBool,
    /// Any JSON value: itself in JSON Lines, its JSON text in Parquet; may be null.
    Json,
    /// A list (a JSON array); null allowed at the top level. Elements are never null.
    List(&'static ColType),
    /// An object with these fields (all present, never null); null allowed at the
    /// top level.
    Struct(&'static [(&'static str, ColType)]),
}

impl ColType {
    fn nullable_leaf(self) -> bool {
        matches!(
            self,
            ColType::OptStr | ColType::OptF64 | ColType::OptI64 | ColType::OptBool | ColType::Json
        )
    }
}

/// Column names and types, in order.
pub type Schema<'a> = &'a [(&'a str, ColType)];

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Str(String),
    Null,
    F64(f64),
    I64(i64),
    Bool(bool),
    /// A JSON value: for [`ColType::Json`], [`ColType::List`] and [`ColType::Struct`]
    /// columns (and accepted for scalar ones of the matching JSON type).
    Json(Value),
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Parquet,
}

impl Format {
    /// The format a file name announces: Parquet for `.parquet` and `.pq`, JSON
    /// Lines otherwise (stdout, `-`, included).
    pub fn for_path(path: &Path) -> Format {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("parquet" | "pq") => Format::Parquet,
            _ => Format::Jsonl,
        }
    }
}

/// Why output could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    #[error("{path}: cannot write: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path}: parquet: {error}")]
    Parquet {
        path: String,
        error: parquet::errors::ParquetError,
    },
    #[error("row has {got} cells, the schema has {want} columns")]
    Shape { got: usize, want: usize },
    #[error("column `{column}`: {message}")]
    Value { column: String, message: String },
    #[error("Parquet cannot be written to stdout; give a file name (--out FILE.parquet)")]
    ParquetToStdout,
    #[error("{path}: is a directory")]
    IsDirectory { path: String },
}

impl TableError {
    /// The I/O error under this one, if it is one (a closed pipe, a full disk).
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            TableError::Io { error, .. } => Some(error.kind()),
            _ => None,
        }
    }
}

/// Checks, before any work, that `path` can be written as `format`: its folder
/// exists, it is not a directory, and it can be opened for writing. Creates no
/// file that was not there (a probe file is removed again). `-` is stdout (JSON
/// Lines only).
pub fn check_writable(path: &Path, format: Format) -> Result<(), TableError> {
    let name = path.display().to_string();
    if path.as_os_str() == "-" {
        return match format {
            Format::Jsonl => Ok(()),
            Format::Parquet => Err(TableError::ParquetToStdout),
        };
    }
    if path.is_dir() {
        return Err(TableError::IsDirectory { path: name });
    }
    let existed = path.exists();
    let io = |error| TableError::Io {
        path: name.clone(),
        error,
    };
    OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(io)?;
    if !existed {
        std::fs::remove_file(path).map_err(io)?;
    }
    Ok(())
}

/// Columns for JSON objects of unknown shape (pass-through fields): each key, in
/// first-seen order, typed by the values it holds (text, integer, number,
/// boolean; anything else, or a mix, is [`ColType::Json`]).
pub fn infer_columns<'m>(
    objects: impl IntoIterator<Item = &'m Map<String, Value>>,
) -> Vec<(String, ColType)> {
    let mut cols: Vec<(String, Option<ColType>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for obj in objects {
        for (k, v) in obj {
            let ty = match v {
                Value::Null => continue,
                Value::String(_) => ColType::OptStr,
                Value::Bool(_) => ColType::OptBool,
                Value::Number(n) if n.is_i64() => ColType::OptI64,
                Value::Number(_) => ColType::OptF64,
                _ => ColType::Json,
            };
            let i = *index.entry(k.clone()).or_insert_with(|| {
                cols.push((k.clone(), None));
                cols.len() - 1
            });
            let slot = &mut cols[i].1;
            *slot = Some(match (*slot, ty) {
                (None, t) => t,
                (Some(a), b) if a == b => a,
                (Some(ColType::OptI64 | ColType::OptF64), ColType::OptI64 | ColType::OptF64) => {
                    ColType::OptF64
                }
                _ => ColType::Json,
            });
        }
    }
    cols.into_iter()
        .map(|(k, t)| (k, t.unwrap_or(ColType::Json)))
        .collect()
}

const ROW_GROUP: usize = 64 * 1024;

/// A row as the JSON object a JSON Lines output holds (`null` cells omitted).
/// The row must match the schema (extra cells are ignored).
pub fn json_object(schema: Schema, row: Vec<Cell>) -> Map<String, Value> {
    let mut obj = Map::new();
    for ((name, _), cell) in schema.iter().zip(&row) {
        if let Some(v) = cell_value(cell) {
            obj.insert((*name).to_owned(), v);
        }
    }
    obj
}

/// A row as one line of a JSON Lines output, without the newline: what
/// [`TableWriter`] writes, for writers of their own (a Spark job's text output).
pub fn json_line(schema: Schema, row: Vec<Cell>) -> Result<String, TableError> {
    if row.len() != schema.len() {
        return Err(TableError::Shape {
            got: row.len(),
            want: schema.len(),
        });
    }
    Ok(Value::Object(json_object(schema, row)).to_string())
}

/// Writes rows to a file or stdout.
pub struct TableWriter {
    columns: Vec<(String, ColType)>,
    path: String,
    inner: Inner,
    rows: usize,
}

enum Inner {
    Jsonl(Box<dyn Write + Send>),
    Parquet {
        writer: Box<SerializedFileWriter<BufWriter<File>>>,
        buffer: Vec<Vec<Cell>>,
    },
}

/// The Parquet schema text of one field.
fn parquet_field(name: &str, ty: ColType, top: bool, out: &mut String) {
    let rep = |nullable: bool| if nullable { "optional" } else { "required" };
    match ty {
        ColType::List(elem) => {
            out.push_str(&format!(
                "{} group {name} (LIST) {{ repeated group list {{ ",
                rep(top)
            ));
            parquet_field("element", *elem, false, out);
            out.push_str(" } }");
        }
        ColType::Struct(fields) => {
            out.push_str(&format!("{} group {name} {{ ", rep(top)));
            for (n, t) in fields {
                parquet_field(n, *t, false, out);
                out.push(' ');
            }
            out.push('}');
        }
        leaf => {
            let physical = match leaf {
                ColType::F64 | ColType::OptF64 => "DOUBLE",
                ColType::I64 | ColType::OptI64 => "INT64",
                ColType::OptBool => "BOOLEAN",
                _ => "BYTE_ARRAY",
            };
            let logical = if physical == "BYTE_ARRAY" {
                " (UTF8)"
            } else {
                ""
            };
            out.push_str(&format!(
                "{} {physical} {name}{logical};",
                rep(leaf.nullable_leaf())
            ));
        }
    }
}

/// One leaf column of a (possibly nested) column: the struct fields to follow
/// to reach it, its type, and whether it has definition and repetition levels.
struct Leaf {
    path: Vec<usize>,
    ty: ColType,
    has_defs: bool,
    has_reps: bool,
}

/// The leaves of a column of type `ty`, in schema order. `nullable`: an
/// optional or repeated node lies above (definition levels exist); `repeated`:
/// a list lies above.
fn leaves(
    ty: ColType,
    top: bool,
    nullable: bool,
    repeated: bool,
    path: &mut Vec<usize>,
    out: &mut Vec<Leaf>,
) {
    match ty {
        ColType::List(elem) => leaves(*elem, false, true, true, path, out),
        ColType::Struct(fields) => {
            for (i, (_, t)) in fields.iter().enumerate() {
                path.push(i);
                leaves(*t, false, nullable || top, repeated, path, out);
                path.pop();
            }
        }
        leaf => out.push(Leaf {
            path: path.clone(),
            ty: leaf,
            has_defs: nullable || leaf.nullable_leaf(),
            has_reps: repeated,
        }),
    }
}

/// Values and levels of one leaf column, for one row group.
#[derive(Default)]
struct LeafData {
    values: Vec<Value>,
    defs: Vec<i16>,
    reps: Vec<i16>,
}

/// Record shredding (Dremel): walks `v` of type `ty` down to the leaf at
/// `path`, emitting one (repetition, definition, value?) entry per leaf slot.
/// `top`: the column itself (nullable); nested parts are required, lists repeat.
#[allow(clippy::too_many_arguments)]
fn shred(
    ty: ColType,
    v: Option<&Value>,
    top: bool,
    def: i16,
    rep: i16,
    list_depth: i16,
    path: &[usize],
    out: &mut LeafData,
) -> Result<(), String> {
    let present = v.filter(|v| !v.is_null());
    match ty {
        ColType::List(_) | ColType::Struct(_) if top && present.is_none() => {
            out.reps.push(rep);
            out.defs.push(def);
            Ok(())
        }
        ColType::List(elem) => {
            let def = def + i16::from(top);
            let items = match present {
                Some(Value::Array(a)) => a,
                Some(other) => return Err(format!("expected an array, found {other}")),
                None => return Err("a nested list is null".into()),
            };
            if items.is_empty() {
                out.reps.push(rep);
                out.defs.push(def);
                return Ok(());
            }
            for (i, item) in items.iter().enumerate() {
                let r = if i == 0 { rep } else { list_depth + 1 };
                shred(
                    *elem,
                    Some(item),
                    false,
                    def + 1,
                    r,
                    list_depth + 1,
                    path,
                    out,
                )?;
            }
            Ok(())
        }
        ColType::Struct(fields) => {
            let def = def + i16::from(top);
            let obj = match present {
                Some(Value::Object(o)) => o,
                Some(other) => return Err(format!("expected an object, found {other}")),
                None => return Err("a nested object is null".into()),
            };
            let (name, t) = fields[path[0]];
            let field = obj
                .get(name)
                .ok_or_else(|| format!("an object lacks its `{name}` field"))?;
            shred(t, Some(field), false, def, rep, list_depth, &path[1..], out)
        }
        leaf => {
            out.reps.push(rep);
            match present {
                Some(v) => {
                    out.defs.push(def + i16::from(leaf.nullable_leaf()));
                    out.values.push(v.clone());
                }
                None if leaf.nullable_leaf() => out.defs.push(def),
                None => return Err("a required value is null".into()),
            }
            Ok(())
        }
    }
}

/// A cell as the JSON value the shredder walks.
fn cell_value(cell: &Cell) -> Option<Value> {
    match cell {
        Cell::Null => None,
        Cell::Str(s) => Some(Value::String(s.clone())),
        Cell::F64(x) => serde_json::Number::from_f64(*x).map(Value::Number),
        Cell::I64(x) => Some(Value::from(*x)),
        Cell::Bool(b) => Some(Value::Bool(*b)),
        Cell::Json(v) => Some(v.clone()),
    }
}

impl TableWriter {
    /// A writer for `path` (`-` is stdout, JSON Lines only).
    pub fn create<S: AsRef<str>>(
        path: &Path,
        format: Format,
        schema: &[(S, ColType)],
    ) -> Result<TableWriter, TableError> {
        let name = path.display().to_string();
        let io = |error| TableError::Io {
            path: name.clone(),
            error,
        };
        let columns: Vec<(String, ColType)> = schema
            .iter()
            .map(|(n, t)| (n.as_ref().to_owned(), *t))
            .collect();
        let inner = match format {
            Format::Jsonl if name == "-" => {
                Inner::Jsonl(Box::new(BufWriter::new(std::io::stdout())))
            }
            Format::Jsonl => {
                Inner::Jsonl(Box::new(BufWriter::new(File::create(path).map_err(io)?)))
            }
            Format::Parquet if name == "-" => return Err(TableError::ParquetToStdout),
            Format::Parquet => {
                let mut message = String::from("message whence { ");
                for (n, t) in &columns {
                    parquet_field(n, *t, true, &mut message);
                    message.push(' ');
                }
                message.push('}');
                let pq = |error| TableError::Parquet {
                    path: name.clone(),
                    error,
                };
                let schema_type = Arc::new(parse_message_type(&message).map_err(pq)?);
                let file = BufWriter::new(File::create(path).map_err(io)?);
                let props = Arc::new(WriterProperties::builder().build());
                let writer = SerializedFileWriter::new(file, schema_type, props).map_err(pq)?;
                Inner::Parquet {
                    writer: Box::new(writer),
                    buffer: Vec::new(),
                }
            }
        };
        Ok(TableWriter {
            columns,
            path: name,
            inner,
            rows: 0,
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[(String, ColType)] {
        &self.columns
    }

    /// Writes a JSON object as a row: each column takes the key of its name
    /// (null when absent); keys without a column are an error.
    pub fn write_object(&mut self, mut obj: Map<String, Value>) -> Result<(), TableError> {
        let row: Vec<Cell> = self
            .columns
            .iter()
            .map(|(n, _)| obj.remove(n).map_or(Cell::Null, Cell::Json))
            .collect();
        if let Some(k) = obj.keys().next() {
            return Err(TableError::Value {
                column: k.clone(),
                message: "no such column in this output".into(),
            });
        }
        self.write(row)
    }

    /// Writes one row.
    pub fn write(&mut self, row: Vec<Cell>) -> Result<(), TableError> {
        if row.len() != self.columns.len() {
            return Err(TableError::Shape {
                got: row.len(),
                want: self.columns.len(),
            });
        }
        self.rows += 1;
        match &mut self.inner {
            Inner::Jsonl(w) => {
                let mut obj = Map::new();
                for ((name, _), cell) in self.columns.iter().zip(&row) {
                    if let Some(v) = cell_value(cell) {
                        obj.insert(name.clone(), v);
                    }
                }
                let io = |error| TableError::Io {
                    path: self.path.clone(),
                    error,
                };
                serde_json::to_writer(&mut *w, &obj).map_err(|e| io(e.into()))?;
                w.write_all(b"\n").map_err(io)?;
            }
            Inner::Parquet { buffer, .. } => {
                buffer.push(row);
                if buffer.len() >= ROW_GROUP {
                    self.flush_row_group()?;
                }
            }
        }
        Ok(())
    }

    fn flush_row_group(&mut self) -> Result<(), TableError> {
        let Inner::Parquet { writer, buffer } = &mut self.inner else {
            return Ok(());
        };
        if buffer.is_empty() {
            return Ok(());
        }
        let pq = |error| TableError::Parquet {
            path: self.path.clone(),
            error,
        };
        let mut group = writer.next_row_group().map_err(pq)?;
        for (c, (cname, ty)) in self.columns.iter().enumerate() {
            let mut parts = Vec::new();
            leaves(*ty, true, false, false, &mut Vec::new(), &mut parts);
            for leaf in parts {
                let mut data = LeafData::default();
                for r in buffer.iter() {
                    let v = match (&r[c], *ty) {
                        // JSON text in a string column
                        (Cell::Json(v), ColType::Json) => Some(Value::String(v.to_string())),
                        (cell, _) => cell_value(cell),
                    };
                    shred(*ty, v.as_ref(), true, 0, 0, 0, &leaf.path, &mut data).map_err(
                        |message| TableError::Value {
                            column: cname.clone(),
                            message,
                        },
                    )?;
                }
                let mut col = group
                    .next_column()
                    .map_err(pq)?
                    .expect("schema and writer agree");
                let defs = leaf.has_defs.then_some(&data.defs[..]);
                let reps = leaf.has_reps.then_some(&data.reps[..]);
                let bad = |message: String| TableError::Value {
                    column: cname.clone(),
                    message,
                };
                match leaf.ty {
                    ColType::F64 | ColType::OptF64 => {
                        let v = data
                            .values
                            .iter()
                            .map(|x| {
                                x.as_f64()
                                    .ok_or_else(|| bad(format!("{x} is not a number")))
                            })
                            .collect::<Result<Vec<f64>, _>>()?;
                        col.typed::<DoubleType>()
                            .write_batch(&v, defs, reps)
                            .map_err(pq)?;
                    }
                    ColType::I64 | ColType::OptI64 => {
                        let v = data
                            .values
                            .iter()
                            .map(|x| {
                                x.as_i64()
                                    .ok_or_else(|| bad(format!("{x} is not an integer")))
                            })
                            .collect::<Result<Vec<i64>, _>>()?;
                        col.typed::<Int64Type>()
                            .write_batch(&v, defs, reps)
                            .map_err(pq)?;
                    }
                    ColType::OptBool => {
                        let v = data
                            .values
                            .iter()
                            .map(|x| {
                                x.as_bool()
                                    .ok_or_else(|| bad(format!("{x} is not a boolean")))
                            })
                            .collect::<Result<Vec<bool>, _>>()?;
                        col.typed::<BoolType>()
                            .write_batch(&v, defs, reps)
                            .map_err(pq)?;
                    }
                    _ => {
                        let v: Vec<ByteArray> = data
                            .values
                            .iter()
                            .map(|x| match x {
                                Value::String(s) => ByteArray::from(s.as_bytes().to_vec()),
                                other => ByteArray::from(other.to_string().into_bytes()),
                            })
                            .collect();
                        col.typed::<ByteArrayType>()
                            .write_batch(&v, defs, reps)
                            .map_err(pq)?;
                    }
                }
                col.close().map_err(pq)?;
            }
        }
        group.close().map_err(pq)?;
        buffer.clear();
        Ok(())
    }

    /// Flushes and closes the output.
    pub fn finish(mut self) -> Result<usize, TableError> {
        self.flush_row_group()?;
        let rows = self.rows;
        let path = self.path.clone();
        match self.inner {
            Inner::Jsonl(mut w) => w.flush().map_err(|error| TableError::Io { path, error })?,
            Inner::Parquet { writer, .. } => {
                writer
                    .close()
                    .map_err(|error| TableError::Parquet { path, error })?;
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPAN: ColType = ColType::List(&ColType::I64);
    const PASSAGE: ColType =
        ColType::Struct(&[("a", SPAN), ("kind", ColType::Str), ("score", ColType::F64)]);
    const SCHEMA: Schema<'static> = &[
        ("id", ColType::Str),
        ("date", ColType::OptStr),
        ("score", ColType::F64),
        ("n", ColType::I64),
        ("extra", ColType::Json),
        ("members", ColType::List(&ColType::Str)),
        ("passages", ColType::List(&PASSAGE)),
        ("spans", ColType::List(&SPAN)),
    ];

    fn rows() -> Vec<Vec<Cell>> {
        vec![
            vec![
                Cell::Str("a".into()),
                Cell::Null,
                Cell::F64(0.5),
                Cell::I64(3),
                Cell::Json(json!({"k": [1]})),
                Cell::Json(json!(["x", "y"])),
                Cell::Json(
                    json!([{"a": [0, 4], "kind": "verbatim", "score": 1.0}, {"a": [9, 12], "kind": "edited", "score": 0.5}]),
                ),
                Cell::Json(json!([[0, 4], [], [7, 8]])),
            ],
            vec![
                Cell::Str("b".into()),
                Cell::Str("2015-10-02".into()),
                Cell::F64(1.0),
                Cell::I64(0),
                Cell::Null,
                Cell::Json(json!([])),
                Cell::Null,
                Cell::Json(json!([])),
            ],
        ]
    }

    #[test]
    fn jsonl_omits_nulls() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.jsonl");
        let mut w = TableWriter::create(&p, Format::Jsonl, SCHEMA).unwrap();
        for r in rows() {
            w.write(r).unwrap();
        }
        assert_eq!(w.finish().unwrap(), 2);
        let text = std::fs::read_to_string(&p).unwrap();
        let second = text.lines().nth(1).unwrap();
        assert_eq!(
            second,
            "{\"date\":\"2015-10-02\",\"id\":\"b\",\"members\":[],\"n\":0,\"score\":1.0,\"spans\":[]}"
        );
    }

    #[test]
    fn parquet_keeps_nested_values() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        let mut w = TableWriter::create(&p, Format::Parquet, SCHEMA).unwrap();
        for r in rows() {
            w.write(r).unwrap();
        }
        w.finish().unwrap();
        let reader = SerializedFileReader::new(File::open(&p).unwrap()).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 2);
        let got: Vec<String> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap().to_string())
            .collect();
        assert_eq!(
            got[0],
            r#"{id: "a", date: null, score: 0.5, n: 3, extra: "{"k":[1]}", members: ["x", "y"], passages: [{a: [0, 4], kind: "verbatim", score: 1.0}, {a: [9, 12], kind: "edited", score: 0.5}], spans: [[0, 4], [], [7, 8]]}"#
        );
        assert_eq!(
            got[1],
            r#"{id: "b", date: "2015-10-02", score: 1.0, n: 0, extra: null, members: [], passages: null, spans: []}"#
        );
    }

    #[test]
    fn objects_and_inferred_columns() {
        let objs = [
            json!({"id": "a", "n": 1, "tags": ["x"], "ok": true}),
            json!({"id": "b", "n": 2.5, "author": "Ann"}),
        ];
        let maps: Vec<Map<String, Value>> = objs
            .iter()
            .map(|o| o.as_object().unwrap().clone())
            .collect();
        let cols = infer_columns(&maps);
        let names: Vec<(&str, ColType)> = cols.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        assert_eq!(
            names,
            [
                ("id", ColType::OptStr),
                ("n", ColType::OptF64),
                ("ok", ColType::OptBool),
                ("tags", ColType::Json),
                ("author", ColType::OptStr)
            ]
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o.parquet");
        let mut w = TableWriter::create(&p, Format::Parquet, &cols).unwrap();
        for m in maps {
            w.write_object(m).unwrap();
        }
        assert_eq!(w.finish().unwrap(), 2);
    }

    #[test]
    fn wrong_shapes_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut w =
            TableWriter::create(&dir.path().join("t.jsonl"), Format::Jsonl, SCHEMA).unwrap();
        assert!(matches!(
            w.write(vec![Cell::Null]),
            Err(TableError::Shape { got: 1, want: 8 })
        ));
        let mut w = TableWriter::create(
            &dir.path().join("t.parquet"),
            Format::Parquet,
            &[("s", SPAN)],
        )
        .unwrap();
        w.write(vec![Cell::Json(json!("nope"))]).unwrap();
        let err = w.finish().unwrap_err().to_string();
        assert_eq!(err, "column `s`: expected an array, found \"nope\"");
    }

    #[test]
    fn output_paths_are_checked_without_leaving_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new.jsonl");
        check_writable(&p, Format::Jsonl).unwrap();
        assert!(!p.exists());
        let err =
            check_writable(&dir.path().join("no/such/dir/x.jsonl"), Format::Jsonl).unwrap_err();
        assert_eq!(err.io_kind(), Some(std::io::ErrorKind::NotFound));
        assert!(matches!(
            check_writable(dir.path(), Format::Jsonl),
            Err(TableError::IsDirectory { .. })
        ));
        assert!(matches!(
            check_writable(Path::new("-"), Format::Parquet),
            Err(TableError::ParquetToStdout)
        ));
        assert_eq!(Format::for_path(Path::new("x.PQ")), Format::Parquet);
        assert_eq!(Format::for_path(Path::new("-")), Format::Jsonl);
    }
}
