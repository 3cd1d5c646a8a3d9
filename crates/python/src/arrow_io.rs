//! Arrow record batches across the Python boundary, through the Arrow PyCapsule
//! interface (`__arrow_c_array__`, `__arrow_c_stream__`): no copy of the
//! buffers, no per-row Python objects. Column access by name with the error a
//! Python caller understands.

use std::sync::Arc;

use arrow_array::ffi::{from_ffi, to_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Float64Array, Int64Array, LargeListArray,
    LargeStringArray, ListArray, RecordBatch, StringArray, StringViewArray, StructArray,
};
use arrow_schema::{DataType, Field, Schema};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyTuple};

use crate::WhenceError;

fn err(e: impl std::fmt::Display) -> PyErr {
    WhenceError::new_err(e.to_string())
}

/// A pyarrow `RecordBatch` (anything with `__arrow_c_array__`) as a Rust batch.
pub fn import_batch(obj: &Bound<'_, PyAny>) -> PyResult<RecordBatch> {
    let pair = obj.call_method0("__arrow_c_array__")?;
    let pair = pair.cast::<PyTuple>()?;
    let schema = pair.get_item(0)?;
    let array = pair.get_item(1)?;
    let schema = schema.cast::<PyCapsule>()?;
    let array = array.cast::<PyCapsule>()?;
    let schema_ptr = schema.pointer_checked(Some(c"arrow_schema"))?;
    let array_ptr = array.pointer_checked(Some(c"arrow_array"))?;
    // SAFETY: the capsules hold the C data interface structs their names say; the
    // array is moved out (its release callback now ours), the schema borrowed.
    let data = unsafe {
        let array = std::ptr::replace(array_ptr.as_ptr().cast(), FFI_ArrowArray::empty());
        let schema: &FFI_ArrowSchema = schema_ptr.cast().as_ref();
        from_ffi(array, schema).map_err(err)?
    };
    Ok(RecordBatch::from(StructArray::from(data)))
}

/// The batches of a pyarrow `Table` or `RecordBatchReader` (anything with
/// `__arrow_c_stream__`).
pub fn import_stream(obj: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast::<PyCapsule>()?;
    let ptr = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
    // SAFETY: the capsule holds an ArrowArrayStream; it is moved out.
    let stream = unsafe {
        std::ptr::replace(
            ptr.as_ptr().cast::<FFI_ArrowArrayStream>(),
            FFI_ArrowArrayStream::empty(),
        )
    };
    let reader = RecordBatchStreamReader::try_new(stream).map_err(err)?;
    reader.map(|b| b.map_err(err)).collect()
}

/// A Rust batch as a pyarrow `RecordBatch`.
pub fn export_batch<'py>(py: Python<'py>, batch: RecordBatch) -> PyResult<Bound<'py, PyAny>> {
    let data = StructArray::from(batch).into_data();
    let (array, schema) = to_ffi(&data).map_err(err)?;
    let schema = PyCapsule::new_with_value(py, schema, c"arrow_schema")?;
    let array = PyCapsule::new_with_value(py, array, c"arrow_array")?;
    py.import("pyarrow")?
        .getattr("RecordBatch")?
        .call_method1("_import_from_c_capsule", (schema, array))
}

/// A named column of `batch`, of the type `T` (with what it holds when not).
pub fn column<'b, T: 'static>(batch: &'b RecordBatch, name: &str) -> PyResult<&'b T> {
    let col = batch
        .column_by_name(name)
        .ok_or_else(|| err(format!("the batch has no column `{name}`")))?;
    col.as_any().downcast_ref::<T>().ok_or_else(|| {
        err(format!(
            "column `{name}` holds {}, not the expected type",
            col.data_type()
        ))
    })
}

/// A text column of any Arrow string type.
pub enum Strings<'b> {
    Utf8(&'b StringArray),
    Large(&'b LargeStringArray),
    View(&'b StringViewArray),
}

impl Strings<'_> {
    pub fn get(&self, i: usize) -> Option<&str> {
        match self {
            Strings::Utf8(a) => (!a.is_null(i)).then(|| a.value(i)),
            Strings::Large(a) => (!a.is_null(i)).then(|| a.value(i)),
            Strings::View(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }
}

/// A named text column (any string type), or `None` when absent.
pub fn strings<'b>(batch: &'b RecordBatch, name: &str) -> PyResult<Option<Strings<'b>>> {
    let Some(col) = batch.column_by_name(name) else {
        return Ok(None);
    };
    let any = col.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        return Ok(Some(Strings::Utf8(a)));
    }
    if let Some(a) = any.downcast_ref::<LargeStringArray>() {
        return Ok(Some(Strings::Large(a)));
    }
    if let Some(a) = any.downcast_ref::<StringViewArray>() {
        return Ok(Some(Strings::View(a)));
    }
    Err(err(format!(
        "column `{name}` holds {}, not text",
        col.data_type()
    )))
}

/// A named text column that must be present.
pub fn required_strings<'b>(batch: &'b RecordBatch, name: &str) -> PyResult<Strings<'b>> {
    strings(batch, name)?.ok_or_else(|| err(format!("the batch has no column `{name}`")))
}

/// The values of a list column's row `i`, as `i64` (list or large list of int64).
pub fn int_list(col: &ArrayRef, i: usize) -> PyResult<Vec<i64>> {
    let values = if let Some(l) = col.as_any().downcast_ref::<ListArray>() {
        l.value(i)
    } else if let Some(l) = col.as_any().downcast_ref::<LargeListArray>() {
        l.value(i)
    } else {
        return Err(err(format!(
            "expected a list column, got {}",
            col.data_type()
        )));
    };
    let ints = values
        .as_any()
        .downcast_ref::<Int64Array>()
        .ok_or_else(|| {
            err(format!(
                "expected a list of int64, got {}",
                values.data_type()
            ))
        })?;
    Ok(ints.values().to_vec())
}

/// Builds a batch from named columns.
pub struct BatchBuilder {
    fields: Vec<Field>,
    columns: Vec<ArrayRef>,
}

impl BatchBuilder {
    pub fn new() -> BatchBuilder {
        BatchBuilder {
            fields: Vec::new(),
            columns: Vec::new(),
        }
    }

    pub fn int64(mut self, name: &str, v: Vec<i64>) -> Self {
        self.fields.push(Field::new(name, DataType::Int64, false));
        self.columns.push(Arc::new(Int64Array::from(v)));
        self
    }

    pub fn float64(mut self, name: &str, v: Vec<f64>) -> Self {
        self.fields.push(Field::new(name, DataType::Float64, false));
        self.columns.push(Arc::new(Float64Array::from(v)));
        self
    }

    pub fn boolean(mut self, name: &str, v: Vec<bool>) -> Self {
        self.fields.push(Field::new(name, DataType::Boolean, false));
        self.columns.push(Arc::new(BooleanArray::from(v)));
        self
    }

    pub fn utf8(mut self, name: &str, v: Vec<Option<String>>) -> Self {
        self.fields.push(Field::new(name, DataType::Utf8, true));
        self.columns.push(Arc::new(StringArray::from(v)));
        self
    }

    pub fn binary(mut self, name: &str, v: Vec<Vec<u8>>) -> Self {
        self.fields.push(Field::new(name, DataType::Binary, false));
        let refs: Vec<&[u8]> = v.iter().map(Vec::as_slice).collect();
        self.columns.push(Arc::new(BinaryArray::from(refs)));
        self
    }

    pub fn finish(self) -> PyResult<RecordBatch> {
        RecordBatch::try_new(Arc::new(Schema::new(self.fields)), self.columns).map_err(err)
    }
}

/// `u64` values packed little-endian (how hashes travel in binary columns).
pub fn pack_u64(v: impl IntoIterator<Item = u64>) -> Vec<u8> {
    v.into_iter().flat_map(u64::to_le_bytes).collect()
}

/// The `u64` values of a packed binary cell.
pub fn unpack_u64(b: &[u8]) -> PyResult<Vec<u64>> {
    if !b.len().is_multiple_of(8) {
        return Err(err(
            "a packed u64 column has a cell whose length is not a multiple of 8",
        ));
    }
    Ok(b.chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect())
}

/// `u32` values packed little-endian.
pub fn pack_u32(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The `u32` values of a packed binary cell.
pub fn unpack_u32(b: &[u8]) -> PyResult<Vec<u32>> {
    if !b.len().is_multiple_of(4) {
        return Err(err(
            "a packed u32 column has a cell whose length is not a multiple of 4",
        ));
    }
    Ok(b.chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect())
}
