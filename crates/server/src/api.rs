//! The routes: JSON API under `/api`, `/healthz`, the UI's assets.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use whence::index::{AddKind, IndexError};
use whence::index_views as views;
use whence::ingest::{Compression, Format};
use whence::report::rows::pair_json;
use whence::report::{compare_json, compare_view, trace_view};
use whence::{compare_with, Document};

use crate::AppState;

type St = State<Arc<AppState>>;
type Params = Query<HashMap<String, String>>;

/// An error answer: `{"error": message, "status": code}`.
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
    fn bad(message: impl Into<String>) -> ApiError {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    fn not_found(what: &str, id: &str) -> ApiError {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("no {what} {id:?} in the index"),
        )
    }
}

impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(json!({"error": self.message, "status": self.status.as_u16()})),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

type Answer = Result<Json<Value>, ApiError>;

pub(crate) fn routes(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(|| asset("text/html; charset=utf-8", INDEX_HTML)))
        .route(
            "/app.js",
            get(|| asset("text/javascript; charset=utf-8", APP_JS)),
        )
        .route(
            "/app.css",
            get(|| asset("text/css; charset=utf-8", APP_CSS)),
        )
        .route(
            "/report.css",
            get(|| asset("text/css; charset=utf-8", whence::report::html::STYLE)),
        )
        .route("/healthz", get(healthz))
        .route(
            "/api/openapi.json",
            get(|| asset("application/json", OPENAPI)),
        )
        .route("/api/stats", get(stats))
        .route("/api/corpus", get(corpus))
        .route("/api/documents", post(add_documents))
        .route("/api/documents/{id}", get(document))
        .route("/api/documents/{id}/reuse", get(reuse))
        .route("/api/clusters/{id}", get(cluster))
        .route("/api/pairs", get(pairs))
        .route("/api/trace", post(trace))
        .route("/api/compare", post(compare).get(compare_stored))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such route") })
        .with_state(state)
}

const INDEX_HTML: &str = include_str!("ui/index.html");
const APP_JS: &str = include_str!("ui/app.js");
const APP_CSS: &str = include_str!("ui/app.css");
const OPENAPI: &str = include_str!("openapi.json");

async fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Runs `f` on a blocking worker: admitted only while fewer than
/// `workers + queue` requests are in, then waiting for one of `workers`
/// permits. A panic in `f` is a 500, not a dead server.
async fn blocking<T: Send + 'static>(
    st: &Arc<AppState>,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _admitted = st.admitted.try_acquire().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is busy (every worker taken and the queue full); retry shortly",
        )
    })?;
    let _permit =
        st.workers.acquire().await.map_err(|_| {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping")
        })?;
    let st = st.clone();
    match tokio::task::spawn_blocking(move || f(&st)).await {
        Ok(r) => r,
        Err(e) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the request failed inside the server ({e}); nothing was changed by it unless it was acknowledged"),
        )),
    }
}

/// The body, at most `max_body` bytes (413 beyond).
async fn body_bytes(st: &AppState, headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let too_big = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than the limit of {} bytes; send fewer documents per request",
                st.max_body
            ),
        )
    };
    if let Some(n) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if n > st.max_body as u64 {
            return Err(too_big());
        }
    }
    let bytes = axum::body::to_bytes(body, st.max_body)
        .await
        .map_err(|_| too_big())?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::bad("the request body is empty"));
    }
    Ok(bytes.to_vec())
}

fn authorize(st: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &st.token else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match given {
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "writing needs the header Authorization: Bearer <token> (the server was started with --token-file)",
        )),
        Some(g) if constant_eq(g.trim().as_bytes(), token.as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::new(StatusCode::FORBIDDEN, "wrong token")),
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The format a request names in `?format=` (json, jsonl, html, text), else
/// the one its first bytes show.
fn format_of(q: &HashMap<String, String>, bytes: &[u8]) -> Result<Format, ApiError> {
    let none = Compression::None;
    Ok(match q.get("format").map(String::as_str) {
        None | Some("auto") => views::upload_format(bytes),
        Some("json") => Format::Json(none),
        Some("jsonl") => Format::Jsonl(none),
        Some("html") => Format::Html(none),
        Some("text") => Format::Text(none),
        Some(other) => {
            return Err(ApiError::bad(format!(
                "unknown format {other:?} (json, jsonl, html, text or auto)"
            )))
        }
    })
}

/// Documents of a request body; every record must read (else 400 naming each
/// problem); a text or HTML body takes `id` and its metadata from the query.
fn read_docs(
    st: &AppState,
    q: &HashMap<String, String>,
    bytes: Vec<u8>,
    default_id: Option<&str>,
) -> Result<Vec<Document>, ApiError> {
    let format = format_of(q, &bytes)?;
    let single = matches!(format, Format::Text(_) | Format::Html(_));
    let id = q.get("id").map(String::as_str).or(default_id);
    if single && id.is_none() {
        return Err(ApiError::bad(
            "a text or HTML body needs its id in the query (?id=…); JSON bodies carry theirs",
        ));
    }
    let up = views::read_upload(id.unwrap_or("upload"), bytes, Some(format), &st.read);
    if !up.skips.is_empty() {
        let problems: Vec<String> = up.skips.iter().map(|s| s.to_string()).collect();
        return Err(ApiError::bad(format!(
            "{} record(s) could not be read, nothing was done: {}",
            problems.len(),
            problems.join("; ")
        )));
    }
    if up.docs.is_empty() {
        return Err(ApiError::bad("the body holds no document"));
    }
    let mut docs = up.docs;
    if single {
        for d in &mut docs {
            if let Some(id) = id {
                d.id = whence::DocId::new(id);
            }
            for (k, slot) in [
                ("title", &mut d.meta.title),
                ("date", &mut d.meta.date),
                ("site", &mut d.meta.site),
                ("url", &mut d.meta.url),
            ] {
                if let Some(v) = q.get(k) {
                    *slot = Some(v.clone());
                }
            }
        }
    }
    for d in &docs {
        if let Some(date) = d.meta.date.as_deref() {
            if let Err(e) = whence::cluster::parse_timestamp(date) {
                return Err(ApiError::bad(format!(
                    "document {}: cannot read the date {date:?}: {e}",
                    d.id
                )));
            }
        }
    }
    Ok(docs)
}

fn flag(q: &HashMap<String, String>, k: &str) -> bool {
    q.get(k)
        .is_some_and(|v| v.is_empty() || v == "1" || v == "true")
}

fn num<T: std::str::FromStr>(q: &HashMap<String, String>, k: &str) -> Result<Option<T>, ApiError> {
    q.get(k)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| ApiError::bad(format!("{k}={v:?} is not a valid number")))
        })
        .transpose()
}

async fn healthz(State(st): St) -> Answer {
    blocking(&st, |st| {
        let n = st.index.store().read().map_err(IndexError::from)?;
        let docs = n.doc_count().map_err(IndexError::from)?;
        Ok(Json(json!({"ok": true, "documents": docs})))
    })
    .await
}

async fn stats(State(st): St) -> Answer {
    blocking(&st, |st| Ok(Json(views::stats_json(st.index.store())?))).await
}

async fn corpus(State(st): St) -> Answer {
    blocking(&st, |st| Ok(Json(views::corpus_json(&st.index)?))).await
}

async fn document(State(st): St, Path(id): Path<String>) -> Answer {
    blocking(&st, move |st| {
        views::document_json(&st.index, &id)?
            .map(Json)
            .ok_or_else(|| ApiError::not_found("document", &id))
    })
    .await
}

async fn reuse(State(st): St, Path(id): Path<String>) -> Answer {
    blocking(&st, move |st| {
        views::reuse_json(&st.index, &id)?
            .map(Json)
            .ok_or_else(|| ApiError::not_found("document", &id))
    })
    .await
}

/// The most members a cluster answer lists.
const MAX_MEMBERS: usize = 5000;

async fn cluster(State(st): St, Path(id): Path<String>) -> Answer {
    blocking(&st, move |st| {
        views::component_json(&st.index, &id, MAX_MEMBERS)?
            .map(Json)
            .ok_or_else(|| ApiError::not_found("document", &id))
    })
    .await
}

const RELATIONS: [&str; 6] = [
    "near_duplicate",
    "a_derived_from_b",
    "b_derived_from_a",
    "unknown_direction",
    "shared_source",
    "template",
];

async fn pairs(State(st): St, Query(q): Params) -> Answer {
    let after = num::<u64>(&q, "after")?;
    let before = num::<u64>(&q, "before")?;
    let since = num::<i64>(&q, "since")?;
    let limit = num::<usize>(&q, "limit")?.unwrap_or(100);
    let relation = q.get("relation").filter(|r| !r.is_empty()).cloned();
    if let Some(r) = &relation {
        if !RELATIONS.contains(&r.as_str()) {
            return Err(ApiError::bad(format!(
                "unknown relation {r:?} (one of {})",
                RELATIONS.join(", ")
            )));
        }
    }
    let latest = flag(&q, "latest");
    let passages = !q.get("passages").is_some_and(|v| v == "0" || v == "false");
    blocking(&st, move |st| {
        Ok(Json(views::pairs_page_json(
            &st.index,
            after,
            before,
            since,
            relation.as_deref(),
            limit,
            latest,
            passages,
        )?))
    })
    .await
}

async fn add_documents(State(st): St, Query(q): Params, headers: HeaderMap, body: Body) -> Answer {
    authorize(&st, &headers)?;
    let bytes = body_bytes(&st, &headers, body).await?;
    blocking(&st, move |st| {
        let docs = read_docs(st, &q, bytes, None)?;
        let mut answers: Vec<Value> = Vec::with_capacity(docs.len());
        let n = docs.len();
        let outcome = st.index.add(docs, n, None, &mut |batch| {
            for a in batch {
                let status = match a.kind {
                    AddKind::Added => "added",
                    AddKind::Updated => "updated",
                    AddKind::Unchanged => "unchanged",
                };
                let pairs: Vec<Value> = a
                    .pairs
                    .iter()
                    .map(|p| pair_json(&p.a, &p.b, &p.summary, Some(&p.passages)))
                    .collect();
                answers.push(json!({"id": a.id, "status": status, "pairs": pairs}));
            }
            Ok(())
        })?;
        Ok(Json(json!({
            "documents": answers,
            "added": outcome.added, "updated": outcome.updated,
            "unchanged": outcome.unchanged, "pairs": outcome.pairs,
        })))
    })
    .await
}

async fn trace(State(st): St, Query(q): Params, headers: HeaderMap, body: Body) -> Answer {
    let bytes = body_bytes(&st, &headers, body).await?;
    let with_views = flag(&q, "views");
    blocking(&st, move |st| {
        let mut docs = read_docs(st, &q, bytes, Some("query"))?;
        if docs.len() != 1 {
            return Err(ApiError::bad(format!(
                "trace takes one document; the body holds {}",
                docs.len()
            )));
        }
        let mut doc = docs.remove(0);
        let found = views::query(&st.index, &mut doc, None)?;
        let mut v = whence::report::trace_json(&doc, &found.sources, &found.trace);
        v["indexed"] = json!(found.indexed);
        if with_views {
            let html: Vec<Value> = (0..found.trace.sources.len())
                .map(|k| json!(trace_view(&doc, &found.sources, &found.trace, k)))
                .collect();
            v["views"] = Value::Array(html);
        }
        Ok(Json(v))
    })
    .await
}

/// One side of a compare request: a string (the text) or a document object.
fn side_doc(st: &AppState, v: Option<&Value>, name: &str) -> Result<Document, ApiError> {
    match v {
        Some(Value::String(t)) if !t.trim().is_empty() => Ok(Document::new(name, t.as_str())),
        Some(o @ Value::Object(_)) => {
            let mut docs = read_docs(st, &HashMap::new(), o.to_string().into_bytes(), None)?;
            if docs.len() != 1 {
                return Err(ApiError::bad(format!("{name:?} must be one document")));
            }
            Ok(docs.remove(0))
        }
        _ => Err(ApiError::bad(format!(
            "the body needs {name:?}: a text, or a document object with \"text\""
        ))),
    }
}

fn compared(st: &AppState, a: &Document, b: &Document, with_view: bool) -> Json<Value> {
    let cmp = compare_with(a, b, &st.index.config().compare, None);
    let mut v = compare_json(&cmp);
    if with_view {
        v["view"] = json!(compare_view(&cmp));
    }
    Json(v)
}

async fn compare(State(st): St, Query(q): Params, headers: HeaderMap, body: Body) -> Answer {
    let bytes = body_bytes(&st, &headers, body).await?;
    let with_view = flag(&q, "views");
    blocking(&st, move |st| {
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::bad(format!(
                "the body must be a JSON object {{\"a\": …, \"b\": …}}: {e}"
            ))
        })?;
        let a = side_doc(st, v.get("a"), "a")?;
        let b = side_doc(st, v.get("b"), "b")?;
        Ok(compared(st, &a, &b, with_view))
    })
    .await
}

/// `GET /api/compare?a=ID&b=ID`: two indexed documents compared.
async fn compare_stored(State(st): St, Query(q): Params) -> Answer {
    let (Some(a), Some(b)) = (q.get("a").cloned(), q.get("b").cloned()) else {
        return Err(ApiError::bad("give two indexed documents: ?a=ID&b=ID"));
    };
    let with_view = flag(&q, "views");
    blocking(&st, move |st| {
        let r = st.index.store().read().map_err(IndexError::from)?;
        let get = |id: &str| -> Result<Document, ApiError> {
            r.doc_by_id(id)
                .map_err(IndexError::from)?
                .map(|d| d.doc)
                .ok_or_else(|| ApiError::not_found("document", id))
        };
        let (da, db) = (get(&a)?, get(&b)?);
        drop(r);
        Ok(compared(st, &da, &db, with_view))
    })
    .await
}
