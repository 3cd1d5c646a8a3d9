//! Tabular output shared by the corpus commands: one schema, JSON Lines or Parquet.
//!
//! A [`TableWriter`] takes rows of [`Cell`]s matching a fixed [`Schema`] and writes
//! them as JSON Lines (one object a line, `null` cells omitted) or as a Parquet
//! file (flat columns; nested data such as passages is a JSON string column), so
//! the output of `pairs`, `dedup` and `extract` opens in jq, pandas, DuckDB or Spark.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::{Map, Value};

/// The type of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// Text, never null.
    Str,
    /// Text or null.
    OptStr,
    /// A float, never null.
    F64,
    /// An integer, never null.
    I64,
    /// JSON (written as a JSON value in JSONL, as a JSON string in Parquet), may be null.
    Json,
}

/// Column names and types, in order.
pub type Schema = &'static [(&'static str, ColType)];

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Str(String),
    Null,
    F64(f64),
    I64(i64),
    Json(Value),
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Parquet,
}

/// Why output could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: parquet: {source}")]
    Parquet {
        path: String,
        source: parquet::errors::ParquetError,
    },
    #[error("row has {got} cells, the schema has {want} columns")]
    Shape { got: usize, want: usize },
}

const ROW_GROUP: usize = 64 * 1024;

/// A row as the JSON object a JSON Lines output holds (`null` cells omitted).
/// The row must match the schema (extra cells are ignored).
pub fn json_object(schema: Schema, row: Vec<Cell>) -> Map<String, Value> {
    let mut obj = Map::new();
    for ((name, _), cell) in schema.iter().zip(row) {
        let v = match cell {
            Cell::Null => continue,
            Cell::Str(s) => Value::String(s),
            Cell::F64(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
            Cell::I64(x) => Value::from(x),
            Cell::Json(v) => v,
        };
        obj.insert((*name).to_owned(), v);
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
    schema: Schema,
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

fn parquet_type(t: ColType) -> &'static str {
    match t {
        ColType::Str => "REQUIRED BYTE_ARRAY {} (UTF8)",
        ColType::OptStr | ColType::Json => "OPTIONAL BYTE_ARRAY {} (UTF8)",
        ColType::F64 => "REQUIRED DOUBLE {}",
        ColType::I64 => "REQUIRED INT64 {}",
    }
}

impl TableWriter {
    /// A writer for `path` (`-` is stdout, JSON Lines only).
    pub fn create(path: &Path, format: Format, schema: Schema) -> Result<TableWriter, TableError> {
        let name = path.display().to_string();
        let io = |source| TableError::Io {
            path: name.clone(),
            source,
        };
        let inner = match format {
            Format::Jsonl if name == "-" => {
                Inner::Jsonl(Box::new(BufWriter::new(std::io::stdout())))
            }
            Format::Jsonl => {
                Inner::Jsonl(Box::new(BufWriter::new(File::create(path).map_err(io)?)))
            }
            Format::Parquet => {
                let fields: Vec<String> = schema
                    .iter()
                    .map(|(n, t)| parquet_type(*t).replace("{}", n) + ";")
                    .collect();
                let message = format!("message whence {{ {} }}", fields.join(" "));
                let pq = |source| TableError::Parquet {
                    path: name.clone(),
                    source,
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
            schema,
            path: name,
            inner,
            rows: 0,
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Writes one row.
    pub fn write(&mut self, row: Vec<Cell>) -> Result<(), TableError> {
        if row.len() != self.schema.len() {
            return Err(TableError::Shape {
                got: row.len(),
                want: self.schema.len(),
            });
        }
        self.rows += 1;
        match &mut self.inner {
            Inner::Jsonl(w) => {
                let obj = json_object(self.schema, row);
                let io = |source| TableError::Io {
                    path: self.path.clone(),
                    source,
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
        let pq = |source| TableError::Parquet {
            path: self.path.clone(),
            source,
        };
        let mut group = writer.next_row_group().map_err(pq)?;
        for (c, (_, ty)) in self.schema.iter().enumerate() {
            let mut col = group
                .next_column()
                .map_err(pq)?
                .expect("schema and writer agree");
            match ty {
                ColType::F64 => {
                    let v: Vec<f64> = buffer
                        .iter()
                        .map(|r| if let Cell::F64(x) = r[c] { x } else { f64::NAN })
                        .collect();
                    col.typed::<DoubleType>()
                        .write_batch(&v, None, None)
                        .map_err(pq)?;
                }
                ColType::I64 => {
                    let v: Vec<i64> = buffer
                        .iter()
                        .map(|r| if let Cell::I64(x) = r[c] { x } else { 0 })
                        .collect();
                    col.typed::<Int64Type>()
                        .write_batch(&v, None, None)
                        .map_err(pq)?;
                }
                ColType::Str | ColType::OptStr | ColType::Json => {
                    let mut values: Vec<ByteArray> = Vec::with_capacity(buffer.len());
                    let mut defs: Vec<i16> = Vec::with_capacity(buffer.len());
                    for r in buffer.iter() {
                        let text = match &r[c] {
                            Cell::Str(s) => Some(s.clone()),
                            Cell::Json(v) => Some(v.to_string()),
                            Cell::F64(x) => Some(x.to_string()),
                            Cell::I64(x) => Some(x.to_string()),
                            Cell::Null => None,
                        };
                        match text {
                            Some(t) => {
                                values.push(ByteArray::from(t.into_bytes()));
                                defs.push(1);
                            }
                            None if *ty == ColType::Str => {
                                values.push(ByteArray::from(Vec::new()));
                                defs.push(1);
                            }
                            None => defs.push(0),
                        }
                    }
                    let defs = (*ty != ColType::Str).then_some(&defs[..]);
                    col.typed::<ByteArrayType>()
                        .write_batch(&values, defs, None)
                        .map_err(pq)?;
                }
            }
            col.close().map_err(pq)?;
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
            Inner::Jsonl(mut w) => w
                .flush()
                .map_err(|source| TableError::Io { path, source })?,
            Inner::Parquet { writer, .. } => {
                writer
                    .close()
                    .map_err(|source| TableError::Parquet { path, source })?;
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: Schema = &[
        ("id", ColType::Str),
        ("date", ColType::OptStr),
        ("score", ColType::F64),
        ("n", ColType::I64),
        ("extra", ColType::Json),
    ];

    fn rows() -> Vec<Vec<Cell>> {
        vec![
            vec![
                Cell::Str("a".into()),
                Cell::Null,
                Cell::F64(0.5),
                Cell::I64(3),
                Cell::Json(serde_json::json!([[0, 4]])),
            ],
            vec![
                Cell::Str("b".into()),
                Cell::Str("2015-10-02".into()),
                Cell::F64(1.0),
                Cell::I64(0),
                Cell::Null,
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
        assert_eq!(
            text,
            "{\"extra\":[[0,4]],\"id\":\"a\",\"n\":3,\"score\":0.5}\n{\"date\":\"2015-10-02\",\"id\":\"b\",\"n\":0,\"score\":1.0}\n"
        );
    }

    #[test]
    fn parquet_round_trips() {
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
            "{id: \"a\", date: null, score: 0.5, n: 3, extra: \"[[0,4]]\"}"
        );
        assert_eq!(
            got[1],
            "{id: \"b\", date: \"2015-10-02\", score: 1.0, n: 0, extra: null}"
        );
    }

    #[test]
    fn wrong_row_shape_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut w =
            TableWriter::create(&dir.path().join("t.jsonl"), Format::Jsonl, SCHEMA).unwrap();
        assert!(matches!(
            w.write(vec![Cell::Null]),
            Err(TableError::Shape { got: 1, want: 5 })
        ));
    }
}
