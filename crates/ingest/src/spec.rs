//! Corpus configuration: raw [`CorpusSpec`] → validated [`CorpusOptions`].

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::{Input, TextEncoding};

/// Default largest document, in bytes of UTF-8 text: 16 MiB. News articles and web
/// pages are far below it; anything above is almost surely not an article (a dump,
/// a base64 blob) and would dominate alignment time, so it is skipped with a reason.
pub const DEFAULT_MAX_DOC_BYTES: u64 = 16 << 20;

/// Raw corpus configuration, as a command line or a config file gives it. Every
/// field is optional except `inputs`; [`CorpusSpec::validate`] fills in the defaults.
///
/// ```
/// use whence_ingest::CorpusSpec;
/// let opts = CorpusSpec {
///     inputs: vec!["news/".into(), "-".into()],
///     text_field: Some("body".into()),
///     ..CorpusSpec::default()
/// }
/// .validate()?;
/// assert_eq!(opts.fields().text(), "body");
/// assert_eq!(opts.fields().site(), ["source", "site"]);
/// # Ok::<(), whence_ingest::SpecError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorpusSpec {
    /// Files, directories (walked recursively) and `-` for stdin, read in this order.
    pub inputs: Vec<PathBuf>,
    /// JSONL field holding the document id (string or number). Default `id`.
    pub id_field: Option<String>,
    /// JSONL field holding the text. Default `text`.
    pub text_field: Option<String>,
    /// JSONL field holding the publication date. Default `date`.
    pub date_field: Option<String>,
    /// JSONL field holding the source (site, outlet). Default `source`, then `site`
    /// when `source` is absent; when given, only this field is used.
    pub source_field: Option<String>,
    /// JSONL field holding the title. Default `title`.
    pub title_field: Option<String>,
    /// JSONL field holding the URL. Default `url`.
    pub url_field: Option<String>,
    /// What stdin holds: `auto` (default: recognized from its first bytes),
    /// `jsonl`, `json`, `text`, `html` or `warc`.
    pub stdin_format: Option<String>,
    /// Largest document text in bytes; larger ones are skipped, never truncated.
    /// Default [`DEFAULT_MAX_DOC_BYTES`].
    pub max_doc_bytes: Option<u64>,
    /// Replace bytes no encoding explains with U+FFFD (with a warning) instead
    /// of skipping.
    pub lossy: bool,
    /// Decode text, JSON lines and stdin with this encoding (a WHATWG label:
    /// `utf-8`, `windows-1252`, `latin1`, `utf-16le`, …) instead of recognizing
    /// it from the bytes. HTML keeps its own declarations.
    pub encoding: Option<String>,
    /// Keep every field of JSON objects besides the text ([`crate::Record::fields`]),
    /// for outputs that pass input columns through.
    pub keep_fields: bool,
}

/// What stdin holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum StdinFormat {
    /// Recognized from the first bytes (after gzip or zstd, recognized by their
    /// magic bytes): `{` JSON lines, `[` a JSON array, `<` HTML, `WARC/` a web
    /// archive, anything else one text.
    #[default]
    Auto,
    /// One JSON object a line.
    Jsonl,
    /// A JSON array of objects, one object, or JSON lines.
    Json,
    /// The whole of stdin is one document, id `stdin`.
    Text,
    /// One HTML page, its main text extracted.
    Html,
    /// A WARC archive.
    Warc,
}

/// The JSONL field names to read. Never empty strings; the text field differs from
/// every other field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldNames {
    id: String,
    /// Whether the id field was named by the user (then a missing id is warned about).
    id_given: bool,
    text: String,
    date: String,
    site: Vec<String>,
    title: String,
    url: String,
}

impl FieldNames {
    /// The id field.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Whether the id field was named explicitly rather than defaulted.
    pub fn id_given(&self) -> bool {
        self.id_given
    }
    /// Whether any field is a dotted path (`meta.id`) into nested objects.
    pub fn nested(&self) -> bool {
        [&self.id, &self.text, &self.date, &self.title, &self.url]
            .into_iter()
            .chain(&self.site)
            .any(|f| f.contains('.'))
    }
    /// The text field.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// The date field.
    pub fn date(&self) -> &str {
        &self.date
    }
    /// The source/site fields, in order of preference (the first present wins).
    pub fn site(&self) -> &[String] {
        &self.site
    }
    /// The title field.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// The URL field.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Default for FieldNames {
    fn default() -> FieldNames {
        FieldNames {
            id: "id".into(),
            id_given: false,
            text: "text".into(),
            date: "date".into(),
            site: vec!["source".into(), "site".into()],
            title: "title".into(),
            url: "url".into(),
        }
    }
}

/// Validated corpus configuration: at least one input, stdin at most once, usable
/// field names, a positive size limit. Build it with [`CorpusSpec::validate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusOptions {
    pub(crate) inputs: Vec<Input>,
    pub(crate) fields: Arc<FieldNames>,
    pub(crate) stdin_format: StdinFormat,
    pub(crate) max_doc_bytes: u64,
    pub(crate) lossy: bool,
    pub(crate) encoding: Option<&'static TextEncoding>,
    pub(crate) keep_fields: bool,
}

impl CorpusOptions {
    /// The inputs, in reading order.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }
    /// The JSONL field names.
    pub fn fields(&self) -> &FieldNames {
        &self.fields
    }
    /// What stdin holds.
    pub fn stdin_format(&self) -> StdinFormat {
        self.stdin_format
    }
    /// Largest accepted document text, in bytes.
    pub fn max_doc_bytes(&self) -> u64 {
        self.max_doc_bytes
    }
    /// Longest JSONL line buffered for parsing: `4 × max_doc_bytes + 1 MiB`, room
    /// for a maximal text written with `\uXXXX` escapes plus metadata. Longer lines
    /// are skipped as [`crate::SkipReason::LineTooLong`] without being held in memory.
    pub fn max_line_bytes(&self) -> u64 {
        self.max_doc_bytes.saturating_mul(4).saturating_add(1 << 20)
    }
    /// Whether bytes no encoding explains are replaced rather than skipped.
    pub fn lossy(&self) -> bool {
        self.lossy
    }
    /// The encoding forced on text, JSON lines and stdin, if any.
    pub fn encoding(&self) -> Option<&'static TextEncoding> {
        self.encoding
    }
    /// Whether JSON fields besides the text are kept.
    pub fn keep_fields(&self) -> bool {
        self.keep_fields
    }
    /// The same options reading `inputs` instead.
    pub fn with_inputs(&self, inputs: Vec<Input>) -> CorpusOptions {
        CorpusOptions {
            inputs,
            ..self.clone()
        }
    }
    pub(crate) fn decode_options(&self) -> crate::DecodeOptions {
        crate::DecodeOptions {
            lossy: self.lossy,
            encoding: self.encoding,
        }
    }
}

/// Why a [`CorpusSpec`] is unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    #[error("no input given (name files, directories, or - for stdin)")]
    NoInputs,
    #[error("stdin (-) is named more than once; it can be read only once")]
    StdinTwice,
    #[error("the {which} field name is empty")]
    EmptyField { which: &'static str },
    #[error("the text field `{name}` is also the {other} field; they must differ")]
    TextFieldReused { name: String, other: &'static str },
    #[error("unknown stdin format `{0}` (expected auto, jsonl, json, text, html or warc)")]
    UnknownStdinFormat(String),
    #[error("unknown encoding `{0}` (expected a name such as utf-8, windows-1252, latin1, utf-16le, shift_jis)")]
    UnknownEncoding(String),
    #[error(
        "the {which} field `{name}` has an empty part (dotted paths name nested fields: meta.id)"
    )]
    BadFieldPath { which: &'static str, name: String },
    #[error("the largest document size must be at least 1 byte")]
    ZeroMaxSize,
}

impl CorpusSpec {
    /// Checks the spec and fills in defaults.
    pub fn validate(self) -> Result<CorpusOptions, SpecError> {
        if self.inputs.is_empty() {
            return Err(SpecError::NoInputs);
        }
        let inputs: Vec<Input> = self.inputs.iter().map(Input::from_arg).collect();
        if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
            return Err(SpecError::StdinTwice);
        }
        let d = FieldNames::default();
        let pick = |given: Option<String>, default: String, which: &'static str| match given {
            Some(name) if name.is_empty() => Err(SpecError::EmptyField { which }),
            Some(name) if name.split('.').any(str::is_empty) => {
                Err(SpecError::BadFieldPath { which, name })
            }
            Some(name) => Ok(name),
            None => Ok(default),
        };
        let id_given = self.id_field.is_some();
        let site = match self.source_field {
            Some(name) if name.is_empty() => return Err(SpecError::EmptyField { which: "source" }),
            Some(name) => vec![name],
            None => d.site,
        };
        let fields = FieldNames {
            id: pick(self.id_field, d.id, "id")?,
            id_given,
            text: pick(self.text_field, d.text, "text")?,
            date: pick(self.date_field, d.date, "date")?,
            site,
            title: pick(self.title_field, d.title, "title")?,
            url: pick(self.url_field, d.url, "url")?,
        };
        let others = [
            (&fields.id, "id"),
            (&fields.date, "date"),
            (&fields.title, "title"),
            (&fields.url, "url"),
        ];
        let clash = others
            .into_iter()
            .find(|(name, _)| **name == fields.text)
            .map(|(_, which)| which)
            .or_else(|| fields.site.contains(&fields.text).then_some("source"));
        if let Some(other) = clash {
            return Err(SpecError::TextFieldReused {
                name: fields.text.clone(),
                other,
            });
        }
        let stdin_format = match self.stdin_format.as_deref() {
            None | Some("auto") => StdinFormat::Auto,
            Some("jsonl") | Some("ndjson") => StdinFormat::Jsonl,
            Some("json") => StdinFormat::Json,
            Some("text") | Some("txt") => StdinFormat::Text,
            Some("html") | Some("htm") => StdinFormat::Html,
            Some("warc") => StdinFormat::Warc,
            Some(other) => return Err(SpecError::UnknownStdinFormat(other.to_owned())),
        };
        let encoding = match self.encoding {
            None => None,
            Some(label) => Some(
                whence_extract::encoding_for_label(&label)
                    .ok_or(SpecError::UnknownEncoding(label))?,
            ),
        };
        let max_doc_bytes = self.max_doc_bytes.unwrap_or(DEFAULT_MAX_DOC_BYTES);
        if max_doc_bytes == 0 {
            return Err(SpecError::ZeroMaxSize);
        }
        Ok(CorpusOptions {
            inputs,
            fields: Arc::new(fields),
            stdin_format,
            max_doc_bytes,
            lossy: self.lossy,
            encoding,
            keep_fields: self.keep_fields,
        })
    }

    /// A spec reading `inputs` with every default.
    pub fn with_inputs<P: Into<PathBuf>>(inputs: impl IntoIterator<Item = P>) -> CorpusSpec {
        CorpusSpec {
            inputs: inputs.into_iter().map(Into::into).collect(),
            ..CorpusSpec::default()
        }
    }
}

impl fmt::Display for StdinFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StdinFormat::Auto => "auto",
            StdinFormat::Jsonl => "jsonl",
            StdinFormat::Json => "json",
            StdinFormat::Text => "text",
            StdinFormat::Html => "html",
            StdinFormat::Warc => "warc",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let o = CorpusSpec::with_inputs(["a"]).validate().unwrap();
        assert_eq!(o.fields(), &FieldNames::default());
        assert_eq!(o.max_doc_bytes(), DEFAULT_MAX_DOC_BYTES);
        assert_eq!(o.stdin_format(), StdinFormat::Auto);
        assert_eq!(CorpusSpec::default().validate(), Err(SpecError::NoInputs));
        assert_eq!(
            CorpusSpec::with_inputs(["-", "x", "-"]).validate(),
            Err(SpecError::StdinTwice)
        );
        let bad = CorpusSpec {
            text_field: Some("id".into()),
            ..CorpusSpec::with_inputs(["a"])
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "the text field `id` is also the id field; they must differ"
        );
        let bad = CorpusSpec {
            url_field: Some(String::new()),
            ..CorpusSpec::with_inputs(["a"])
        };
        assert_eq!(bad.validate(), Err(SpecError::EmptyField { which: "url" }));
        let bad = CorpusSpec {
            stdin_format: Some("xml".into()),
            ..CorpusSpec::with_inputs(["-"])
        };
        assert_eq!(
            bad.validate(),
            Err(SpecError::UnknownStdinFormat("xml".into()))
        );
        let bad = CorpusSpec {
            max_doc_bytes: Some(0),
            ..CorpusSpec::with_inputs(["a"])
        };
        assert_eq!(bad.validate(), Err(SpecError::ZeroMaxSize));
    }

    #[test]
    fn a_given_source_field_replaces_the_fallback() {
        let o = CorpusSpec {
            source_field: Some("outlet".into()),
            stdin_format: Some("text".into()),
            ..CorpusSpec::with_inputs(["-"])
        }
        .validate()
        .unwrap();
        assert_eq!(o.fields().site(), ["outlet"]);
        assert_eq!(o.stdin_format(), StdinFormat::Text);
        assert_eq!(o.inputs(), [Input::Stdin]);
    }

    #[test]
    fn encodings_and_field_paths() {
        let o = CorpusSpec {
            encoding: Some("Latin1".into()),
            id_field: Some("meta.id".into()),
            ..CorpusSpec::with_inputs(["a"])
        }
        .validate()
        .unwrap();
        assert_eq!(o.encoding().unwrap().name(), "windows-1252");
        assert!(o.fields().nested() && o.fields().id_given());
        assert!(!CorpusSpec::with_inputs(["a"])
            .validate()
            .unwrap()
            .fields()
            .nested());
        let bad = CorpusSpec {
            encoding: Some("klingon".into()),
            ..CorpusSpec::with_inputs(["a"])
        };
        assert_eq!(
            bad.validate(),
            Err(SpecError::UnknownEncoding("klingon".into()))
        );
        let bad = CorpusSpec {
            id_field: Some("meta..id".into()),
            ..CorpusSpec::with_inputs(["a"])
        };
        assert!(matches!(
            bad.validate(),
            Err(SpecError::BadFieldPath { which: "id", .. })
        ));
    }
}
