//! `whence serve --index DIR`: the index behind an HTTP API and a web UI (all
//! of it in the `whence-server` crate).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use whence::pipeline::PipelineConfig;

use crate::args::AlignArgs;

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// The index directory (made by `whence index build`).
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
    /// Address to listen on (port 0: any free port, printed on start).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:7700")]
    addr: SocketAddr,
    /// A file holding the bearer token that writes (POST /api/documents) need;
    /// without it, anyone who reaches the address can write.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Requests computed at once (queries, writes, compares).
    #[arg(long, value_name = "N", default_value_t = 2)]
    workers: usize,
    /// Requests that may wait for a worker; more are answered 503.
    #[arg(long, value_name = "N", default_value_t = 64)]
    queue: usize,
    /// Largest request body, in megabytes (413 beyond).
    #[arg(long, value_name = "MB", default_value_t = 8.0)]
    max_body_mb: f64,
    #[command(flatten)]
    align: AlignArgs,
}

pub(crate) fn run(args: ServeArgs) -> Result<()> {
    let token = match &args.token_file {
        None => None,
        Some(p) => {
            let t = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the token file {}", p.display()))?;
            let t = t.trim().to_owned();
            if t.is_empty() {
                bail!("the token file {} is empty", p.display());
            }
            Some(t)
        }
    };
    if args.max_body_mb.is_nan() || args.max_body_mb <= 0.0 {
        bail!("--max-body-mb must be above 0");
    }
    let mut opts = whence_server::Options::new(args.index.clone(), args.addr);
    opts.token = token;
    opts.workers = args.workers.max(1);
    opts.queue = args.queue;
    opts.max_body = (args.max_body_mb * 1e6) as usize;
    opts.config = PipelineConfig {
        compare: args.align.config(None)?,
        ..Default::default()
    };
    let writes = if opts.token.is_some() {
        "writes need the token"
    } else {
        "writes open to anyone who reaches it (no --token-file)"
    };
    whence_server::run(opts, |addr| {
        // the line scripts and tests wait for
        eprintln!("whence serve: listening on http://{addr}/ ({writes}); Ctrl-C stops");
    })
    .with_context(|| format!("cannot serve {}", args.index.display()))?;
    Ok(())
}
