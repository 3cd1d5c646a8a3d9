//! `whence._native`: the whence engine as a Python extension module (PyO3, abi3,
//! Python ≥ 3.9), wrapped by the pure-Python package `whence` (`python/whence`).
//!
//! Responsibility: move documents and results across the boundary and call the
//! engine; no pipeline logic lives here. Two faces:
//! - the Python API ([`api`]): `compare`, `trace`, `pairs`, `dedup`, `similar`,
//!   over strings, iterables of dicts or Arrow data, returning the CLI's JSON
//!   contracts as Python objects; long calls release the interpreter;
//! - the stages of the PySpark job ([`spark`]): functions from an Arrow record
//!   batch to an Arrow record batch, each one step of `whence::stages`, called
//!   from `mapInArrow`.
//!
//! Inputs: Python objects and Arrow batches (PyCapsule interface, [`arrow_io`]).
//! Outputs: Python objects and Arrow batches. Errors: [`WhenceError`] (a
//! `ValueError`) with the engine's messages; reading problems are
//! [`WhenceWarning`]s, as the CLI prints them.
//!
//! ```python
//! import whence
//! r = whence.compare("The barriers failed on Tuesday, forcing 4,000 people out of their homes.",
//!                    "Officials said the barriers failed on Tuesday, forcing 4,000 people out of their homes.")
//! p = r["passages"][0]
//! ```

mod api;
mod arrow_io;
mod docs;
mod spark;

use pyo3::prelude::*;

pyo3::create_exception!(
    _native,
    WhenceError,
    pyo3::exceptions::PyValueError,
    "An input or setting whence cannot use; the message is the CLI's."
);
pyo3::create_exception!(
    _native,
    WhenceWarning,
    pyo3::exceptions::PyUserWarning,
    "Something whence skipped or changed while reading (a document without text, a renamed duplicate id)."
);

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("WhenceError", m.py().get_type::<WhenceError>())?;
    m.add("WhenceWarning", m.py().get_type::<WhenceWarning>())?;
    api::register(m)?;
    spark::register(m)?;
    Ok(())
}
