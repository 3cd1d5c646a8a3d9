//! One JSONL line → a [`Document`] or a [`SkipReason`].
//!
//! The object is parsed with a visitor that keeps only the configured fields and
//! skips every other value without allocating it. Field roles may share a name
//! (the id field may also be the url field); the text field is unique (validated).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use whence_core::Document;

use crate::spec::FieldNames;
use crate::{DecodeOptions, SkipReason, Warning};

/// The fields of an input object besides its text, kept for pass-through.
pub type Fields = Map<String, Value>;

/// What one non-blank line became.
#[derive(Debug)]
pub(crate) enum Outcome {
    Doc(Document, Vec<Warning>, Option<Box<Fields>>),
    Skip(SkipReason),
}

/// Whether a line holds only JSON whitespace (space, tab, CR). Such lines are not
/// documents and are only counted.
pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r'))
}

/// Context shared by every line of one file.
pub(crate) struct LineCtx<'a> {
    pub input: &'a str,
    /// Fallback id prefix: `<stem>:<line>`.
    pub stem: &'a str,
    pub fields: &'a FieldNames,
    pub max_doc_bytes: u64,
    pub decode: DecodeOptions,
    /// Keep the object's other fields ([`Outcome::Doc`]'s third part).
    pub keep_fields: bool,
}

/// The line as text: UTF-8 as it is; other bytes decoded (the encoding forced,
/// or one recognized from the line's bytes), with a warning.
fn line_text<'b>(
    ctx: &LineCtx<'_>,
    line_no: u64,
    bytes: &'b [u8],
    warnings: &mut Vec<Warning>,
) -> Result<Cow<'b, str>, SkipReason> {
    let forced = ctx.decode.encoding.filter(|e| *e != encoding_rs::UTF_8);
    if forced.is_none() || bytes.is_ascii() {
        if let Ok(t) = std::str::from_utf8(bytes) {
            return Ok(Cow::Borrowed(t));
        }
    }
    match whence_extract::decode_text(bytes, ctx.decode.encoding, ctx.decode.lossy) {
        Ok(d) => {
            warnings.extend(crate::decode_warnings(ctx.input, Some(line_no), bytes, &d));
            Ok(Cow::Owned(d.text))
        }
        Err(_) => Err(SkipReason::InvalidUtf8 {
            offset: std::str::from_utf8(bytes)
                .err()
                .map_or(0, |e| e.valid_up_to() as u64),
        }),
    }
}

/// Parses one non-blank line (without its `\n`).
pub(crate) fn parse_line(ctx: &LineCtx<'_>, line_no: u64, bytes: &[u8]) -> Outcome {
    let mut warnings = Vec::new();
    let text = match line_text(ctx, line_no, bytes, &mut warnings) {
        Ok(t) => t,
        Err(reason) => return Outcome::Skip(reason),
    };
    // A UTF-8 byte order mark may open a file; it is not part of any document.
    let text = if line_no == 1 {
        text.strip_prefix('\u{feff}').unwrap_or(&text)
    } else {
        &text
    };
    let (parsed, fields) = if ctx.keep_fields || ctx.fields.nested() {
        match parse_value(ctx, text) {
            Ok((p, f)) => (p, f),
            Err(reason) => return Outcome::Skip(reason),
        }
    } else {
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = ObjectSeed { fields: ctx.fields }
            .deserialize(&mut de)
            .and_then(|p| de.end().map(|()| p));
        match parsed {
            Ok(p) => (p, None),
            Err(e) => {
                return Outcome::Skip(SkipReason::MalformedJson {
                    message: e.to_string(),
                })
            }
        }
    };
    match build(ctx, line_no, parsed, &mut warnings) {
        Ok(doc) => Outcome::Doc(doc, warnings, fields),
        Err(reason) => Outcome::Skip(reason),
    }
}

/// The slow path: the whole object as a JSON value, for dotted field paths and
/// for keeping every field.
fn parse_value(ctx: &LineCtx<'_>, text: &str) -> Result<(Parsed, Option<Box<Fields>>), SkipReason> {
    let value: Value = serde_json::from_str(text).map_err(|e| SkipReason::MalformedJson {
        message: e.to_string(),
    })?;
    let Value::Object(mut map) = value else {
        let found = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(SkipReason::MalformedJson {
            message: format!("expected a JSON object, found {found}"),
        });
    };
    let f = ctx.fields;
    let get = |name: &str| lookup(&map, name).map(Val::from_value);
    let parsed = Parsed {
        id: get(f.id()),
        text: get(f.text()),
        date: get(f.date()),
        title: get(f.title()),
        url: get(f.url()),
        site: f.site().iter().map(|n| get(n)).collect(),
    };
    let fields = ctx.keep_fields.then(|| {
        map.remove(f.text());
        Box::new(map)
    });
    Ok((parsed, fields))
}

/// The value at `path` in `map`: the key itself if present, else a dotted path
/// through nested objects (`meta.id` → `map["meta"]["id"]`).
fn lookup<'v>(map: &'v Fields, path: &str) -> Option<&'v Value> {
    if let Some(v) = map.get(path) {
        return Some(v);
    }
    let (head, rest) = path.split_once('.')?;
    match map.get(head)? {
        Value::Object(inner) => lookup(inner, rest),
        _ => None,
    }
}

fn build(
    ctx: &LineCtx<'_>,
    line_no: u64,
    p: Parsed,
    warnings: &mut Vec<Warning>,
) -> Result<Document, SkipReason> {
    let f = ctx.fields;
    let text = match p.text {
        None => {
            return Err(SkipReason::MissingField {
                field: f.text().to_owned(),
            })
        }
        Some(Val::Str(s)) => s,
        Some(other) => {
            return Err(SkipReason::NotAString {
                field: f.text().to_owned(),
                found: other.describe(),
            })
        }
    };
    if text.is_empty() {
        return Err(SkipReason::EmptyText);
    }
    if text.len() as u64 > ctx.max_doc_bytes {
        return Err(SkipReason::TooLarge {
            bytes: text.len() as u64,
            limit: ctx.max_doc_bytes,
        });
    }
    if text.trim().is_empty() {
        return Err(SkipReason::BlankText);
    }
    let mut meta_str = |v: Option<Val>, field: &str| -> Option<String> {
        match v? {
            Val::Str(s) | Val::Num(s) if !s.is_empty() => Some(s),
            Val::Str(_) | Val::Num(_) | Val::Null => None,
            other => {
                warnings.push(Warning::IgnoredField {
                    input: ctx.input.to_owned(),
                    line: line_no,
                    field: field.to_owned(),
                    found: other.describe(),
                });
                None
            }
        }
    };
    let id = meta_str(p.id, f.id());
    let title = meta_str(p.title, f.title());
    let date = meta_str(p.date, f.date());
    let url = meta_str(p.url, f.url());
    let mut site = None;
    for (v, name) in p.site.into_iter().zip(f.site()) {
        let s = meta_str(v, name);
        if site.is_none() {
            site = s;
        }
    }
    let id = match id {
        Some(id) => id,
        None => {
            let used = format!("{}:{line_no}", ctx.stem);
            if f.id_given() {
                warnings.push(Warning::MissingId {
                    input: ctx.input.to_owned(),
                    line: line_no,
                    field: f.id().to_owned(),
                    used: used.clone(),
                });
            }
            used
        }
    };
    let mut doc = Document::new(id, text);
    doc.meta.title = title;
    doc.meta.date = date;
    doc.meta.url = url;
    doc.meta.site = site;
    Ok(doc)
}

/// A JSON value of a kept field.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Str(String),
    /// A number, as JSON writes it.
    Num(String),
    Null,
    /// Anything else, described ("a boolean", "an array", "an object").
    Other(&'static str),
}

impl Val {
    fn from_value(v: &Value) -> Val {
        match v {
            Value::String(s) => Val::Str(s.clone()),
            Value::Number(n) => Val::Num(n.to_string()),
            Value::Null => Val::Null,
            Value::Bool(_) => Val::Other("a boolean"),
            Value::Array(_) => Val::Other("an array"),
            Value::Object(_) => Val::Other("an object"),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Num(_) => "a number",
            Val::Null => "null",
            Val::Other(d) => d,
        }
    }
}

impl<'de> de::Deserialize<'de> for Val {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Val, D::Error> {
        d.deserialize_any(ValVisitor)
    }
}

struct ValVisitor;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Val, E> {
        Ok(Val::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Val, E> {
        Ok(Val::Str(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Val, E> {
        Ok(Val::Num(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Val, E> {
        Ok(Val::Num(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Val, E> {
        Ok(Val::Num(
            serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()),
        ))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Val, E> {
        Ok(Val::Other("a boolean"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Val, E> {
        Ok(Val::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Val, E> {
        Ok(Val::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Val::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Val::Other("an object"))
    }
}

/// The kept fields of one object. `site` follows [`FieldNames::site`].
#[derive(Debug, Default)]
struct Parsed {
    id: Option<Val>,
    text: Option<Val>,
    date: Option<Val>,
    title: Option<Val>,
    url: Option<Val>,
    site: Vec<Option<Val>>,
}

const ID: u32 = 1;
const TEXT: u32 = 2;
const DATE: u32 = 4;
const TITLE: u32 = 8;
const URL: u32 = 16;
const SITE0: u32 = 32;

/// Deserializes a top-level object into [`Parsed`].
struct ObjectSeed<'a> {
    fields: &'a FieldNames,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = Parsed;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Parsed, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = Parsed;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let f = self.fields;
        let mut p = Parsed {
            site: vec![None; f.site().len()],
            ..Parsed::default()
        };
        // Later duplicates of a key win, as in serde_json::Value and Python's json.
        while let Some(roles) = map.next_key_seed(KeySeed { fields: f })? {
            if roles == 0 {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let v: Val = map.next_value()?;
            let put = |bit: u32, slot: &mut Option<Val>| {
                if roles & bit != 0 {
                    *slot = Some(v.clone());
                }
            };
            put(ID, &mut p.id);
            put(TEXT, &mut p.text);
            put(DATE, &mut p.date);
            put(TITLE, &mut p.title);
            put(URL, &mut p.url);
            for (i, slot) in p.site.iter_mut().enumerate() {
                put(SITE0 << i, slot);
            }
        }
        Ok(p)
    }
}

/// Deserializes a key into the bit set of roles it names (0: not kept).
struct KeySeed<'a> {
    fields: &'a FieldNames,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = u32;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, k: &str) -> Result<u32, E> {
        let f = self.fields;
        let mut roles = 0;
        for (name, bit) in [
            (f.id(), ID),
            (f.text(), TEXT),
            (f.date(), DATE),
            (f.title(), TITLE),
            (f.url(), URL),
        ] {
            if k == name {
                roles |= bit;
            }
        }
        // At most 26 site fields fit the bit set; validation allows one or the default two.
        for (i, name) in f.site().iter().enumerate().take(26) {
            if k == name {
                roles |= SITE0 << i;
            }
        }
        Ok(roles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CorpusSpec;

    fn parse_with(spec: CorpusSpec, line: &[u8]) -> Outcome {
        let opts = spec.validate().unwrap();
        let ctx = LineCtx {
            input: "f.jsonl",
            stem: "f",
            fields: opts.fields(),
            max_doc_bytes: opts.max_doc_bytes(),
            decode: opts.decode_options(),
            keep_fields: opts.keep_fields(),
        };
        parse_line(&ctx, 3, line)
    }

    fn parse(line: &str) -> Outcome {
        parse_with(CorpusSpec::with_inputs(["x"]), line.as_bytes())
    }

    fn doc(line: &str) -> Document {
        match parse(line) {
            Outcome::Doc(d, w, _) => {
                assert!(w.is_empty(), "{w:?}");
                d
            }
            Outcome::Skip(r) => panic!("skipped: {r}"),
        }
    }

    fn skip(line: &str) -> SkipReason {
        match parse(line) {
            Outcome::Doc(d, _, _) => panic!("read {d:?}"),
            Outcome::Skip(r) => r,
        }
    }

    #[test]
    fn fields_and_metadata() {
        let d = doc(
            r#"{"id":"a1","text":"Hello \"world\"\n","title":"T","date":"2015-10-01","source":"Reuters","url":"http://x","extra":{"deep":[1,2,{"text":5}]}}"#,
        );
        assert_eq!(d.id.as_str(), "a1");
        assert_eq!(d.text, "Hello \"world\"\n");
        assert_eq!(d.meta.title.as_deref(), Some("T"));
        assert_eq!(d.meta.date.as_deref(), Some("2015-10-01"));
        assert_eq!(d.meta.site.as_deref(), Some("Reuters"));
        assert_eq!(d.meta.url.as_deref(), Some("http://x"));
    }

    #[test]
    fn ids_numbers_fallbacks_and_site() {
        assert_eq!(doc(r#"{"id":17,"text":"x"}"#).id.as_str(), "17");
        assert_eq!(doc(r#"{"id":-2.5,"text":"x"}"#).id.as_str(), "-2.5");
        assert_eq!(doc(r#"{"text":"x"}"#).id.as_str(), "f:3");
        assert_eq!(doc(r#"{"id":null,"text":"x"}"#).id.as_str(), "f:3");
        assert_eq!(doc(r#"{"id":"","text":"x"}"#).id.as_str(), "f:3");
        let d = doc(r#"{"site":"bbc","text":"x"}"#);
        assert_eq!(d.meta.site.as_deref(), Some("bbc"));
        let d = doc(r#"{"site":"bbc","source":"wire","text":"x"}"#);
        assert_eq!(d.meta.site.as_deref(), Some("wire"));
        // Later duplicate keys win.
        assert_eq!(doc(r#"{"text":"a","text":"b"}"#).text, "b");
    }

    #[test]
    fn odd_metadata_is_ignored_with_a_warning() {
        match parse(r#"{"id":{"x":1},"text":"x","date":true}"#) {
            Outcome::Doc(d, w, _) => {
                assert_eq!(d.id.as_str(), "f:3");
                assert_eq!(d.meta.date, None);
                assert_eq!(w.len(), 2);
                assert_eq!(
                    w[1].to_string(),
                    "f.jsonl:3: field `date` holds a boolean, not text; ignored"
                );
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn skips() {
        assert!(
            matches!(skip(r#"{"id":1}"#), SkipReason::MissingField { field } if field == "text")
        );
        assert_eq!(
            skip(r#"{"text":null}"#),
            SkipReason::NotAString {
                field: "text".into(),
                found: "null"
            }
        );
        assert!(matches!(
            skip(r#"{"text":["a"]}"#),
            SkipReason::NotAString {
                found: "an array",
                ..
            }
        ));
        assert_eq!(skip(r#"{"text":""}"#), SkipReason::EmptyText);
        assert_eq!(skip(r#"{"text":" \n "}"#), SkipReason::BlankText);
        let SkipReason::MalformedJson { message } = skip(r#"{"text":"x""#) else {
            panic!()
        };
        assert!(message.contains("EOF"), "{message}");
        assert!(matches!(
            skip(r#"{"text":"x"} 1"#),
            SkipReason::MalformedJson { .. }
        ));
        let SkipReason::MalformedJson { message } = skip("[1,2]") else {
            panic!()
        };
        assert!(message.contains("expected a JSON object"), "{message}");
    }

    #[test]
    fn size_limit_counts_decoded_bytes() {
        let spec = CorpusSpec {
            max_doc_bytes: Some(4),
            ..CorpusSpec::with_inputs(["x"])
        };
        assert!(matches!(
            parse_with(spec.clone(), br#"{"text":"\u00e9\u00e9"}"#),
            Outcome::Doc(..)
        ));
        assert!(matches!(
            parse_with(spec, br#"{"text":"abcde"}"#),
            Outcome::Skip(SkipReason::TooLarge { bytes: 5, limit: 4 })
        ));
    }

    #[test]
    fn invalid_utf8_skips_or_is_replaced() {
        let line = b"{\"text\":\"ab\x81c\"}";
        assert!(matches!(
            parse_with(CorpusSpec::with_inputs(["x"]), line),
            Outcome::Skip(SkipReason::InvalidUtf8 { offset: 11 })
        ));
        let lossy = CorpusSpec {
            lossy: true,
            ..CorpusSpec::with_inputs(["x"])
        };
        match parse_with(lossy, line) {
            Outcome::Doc(d, w, _) => {
                assert_eq!(d.text, "ab\u{fffd}c");
                assert_eq!(
                    w,
                    vec![Warning::ReplacedInvalidUtf8InLine {
                        input: "f.jsonl".into(),
                        line: 3,
                        first_offset: 11,
                        count: 1
                    }]
                );
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn bom_only_on_the_first_line() {
        let spec = CorpusSpec::with_inputs(["x"]).validate().unwrap();
        let ctx = LineCtx {
            input: "f",
            stem: "f",
            fields: spec.fields(),
            max_doc_bytes: 100,
            decode: DecodeOptions::default(),
            keep_fields: false,
        };
        let line = "\u{feff}{\"text\":\"x\"}".as_bytes();
        assert!(matches!(parse_line(&ctx, 1, line), Outcome::Doc(..)));
        assert!(matches!(parse_line(&ctx, 2, line), Outcome::Skip(..)));
    }

    #[test]
    fn custom_and_shared_field_names() {
        let spec = CorpusSpec {
            id_field: Some("link".into()),
            url_field: Some("link".into()),
            text_field: Some("body".into()),
            source_field: Some("outlet".into()),
            ..CorpusSpec::with_inputs(["x"])
        };
        match parse_with(
            spec,
            br#"{"link":"http://a","body":"words","outlet":"o","source":"s","text":7}"#,
        ) {
            Outcome::Doc(d, _, _) => {
                assert_eq!(d.id.as_str(), "http://a");
                assert_eq!(d.meta.url.as_deref(), Some("http://a"));
                assert_eq!(d.text, "words");
                assert_eq!(d.meta.site.as_deref(), Some("o"));
            }
            o => panic!("{o:?}"),
        }
    }
}
