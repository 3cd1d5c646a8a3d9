//! `whence serve`: a reuse index behind an HTTP API and a web UI.
//!
//! Responsibility: HTTP only — routing, reading request bodies within a size
//! limit, the bearer token for writes, a bounded pool of blocking workers, JSON
//! errors, the embedded UI assets. Every answer is computed by the engine
//! (`whence::index`, `whence::index_views`, `whence::report`): the API gives
//! the same JSON as the CLI (`index add` pair lines, `index query --json`,
//! `compare --json`, `index get`, `index stats --json`).
//!
//! Inputs: [`Options`] (index directory, address, token, limits, pipeline
//! settings). Outputs: a running server ([`run`]), or a [`Router`] for tests
//! ([`router`]). Main types: [`Options`], [`ServerError`].
//!
//! Queries and writes run on `spawn_blocking` behind a semaphore of
//! `workers` permits; at most `queue` requests wait for one, past that the
//! answer is 503 (a burst cannot pile up memory). A request body over
//! `max_body` bytes is 413. A worker that panics answers 500; the server goes on.
//!
//! ```no_run
//! use whence_server::{run, Options};
//! let opts = Options::new("demo-index".into(), "127.0.0.1:7700".parse().unwrap());
//! run(opts, |addr| eprintln!("listening on http://{addr}/")).unwrap();
//! ```

mod api;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use tokio::sync::Semaphore;
use whence::index::{Index, IndexError};
use whence::ingest::{CorpusOptions, CorpusSpec};
use whence::pipeline::PipelineConfig;

/// How to serve.
#[derive(Clone, Debug)]
pub struct Options {
    /// The index directory (built with `whence index build`).
    pub index: PathBuf,
    pub addr: SocketAddr,
    /// Writes need `Authorization: Bearer TOKEN` when set.
    pub token: Option<String>,
    /// Requests computed at once (queries, writes, compares).
    pub workers: usize,
    /// Requests allowed to wait for a worker; more get 503.
    pub queue: usize,
    /// Largest request body in bytes (413 beyond).
    pub max_body: usize,
    /// The settings the index was built with (checked on open).
    pub config: PipelineConfig,
}

impl Options {
    /// Defaults: no token, 2 workers, 64 waiting, 8 MB bodies, default settings.
    pub fn new(index: PathBuf, addr: SocketAddr) -> Options {
        Options {
            index,
            addr,
            token: None,
            workers: 2,
            queue: 64,
            max_body: 8 << 20,
            config: PipelineConfig::default(),
        }
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    #[error("cannot open the index: {0}")]
    Index(#[from] IndexError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot read documents: {0}")]
    Spec(String),
}

/// What every handler shares.
pub(crate) struct AppState {
    pub index: Index,
    pub token: Option<String>,
    pub workers: Semaphore,
    pub admitted: Semaphore,
    pub max_body: usize,
    pub read: CorpusOptions,
}

/// The routes over an opened index.
pub fn router(index: Index, opts: &Options) -> Result<Router, ServerError> {
    let read = CorpusSpec::with_inputs(["-"])
        .validate()
        .map_err(|e| ServerError::Spec(e.to_string()))?;
    let state = Arc::new(AppState {
        index,
        token: opts.token.clone(),
        workers: Semaphore::new(opts.workers.max(1)),
        admitted: Semaphore::new(opts.workers.max(1) + opts.queue),
        max_body: opts.max_body,
        read,
    });
    Ok(api::routes(state))
}

/// Opens the index and serves until Ctrl-C (or SIGTERM); `ready` is called
/// with the bound address once the server accepts connections.
pub fn run(opts: Options, ready: impl FnOnce(SocketAddr)) -> Result<(), ServerError> {
    let index = Index::open(&opts.index, &opts.config)?;
    let app = router(index, &opts)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(opts.workers.max(1) + 2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.addr)
            .await
            .map_err(|source| ServerError::Bind {
                addr: opts.addr,
                source,
            })?;
        ready(listener.local_addr()?);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown())
            .await?;
        Ok(())
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
