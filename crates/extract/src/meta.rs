//! Page metadata: title, publication date, site name and canonical URL.
//!
//! Sources, first found wins:
//! - title: `og:title`, `twitter:title`, JSON-LD `headline`, `<title>`, the first `<h1>`;
//! - date: `article:published_time` and similar `<meta>` names, JSON-LD
//!   `datePublished` (also inside `@graph`), `itemprop="datePublished"`, then the first
//!   `<time datetime>` (preferring one marked `pubdate`);
//! - site: `og:site_name`, JSON-LD `publisher.name`, `application-name`, then the host of
//!   the URL;
//! - url: the caller's URL, else `<link rel=canonical>`, else `og:url`.
//!
//! Dates are returned as the page states them (trimmed), typically ISO 8601.

use dom_query::Document;
use serde_json::Value;

/// Metadata found in a page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PageMeta {
    pub title: Option<String>,
    pub date: Option<String>,
    pub site: Option<String>,
    pub url: Option<String>,
}

const DATE_META: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "article.published",
    "datepublished",
    "date_published",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.date",
    "date",
    "og:updated_time",
    "article:modified_time",
];

fn clean(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// Every `<meta>` as (lower-cased name/property/itemprop, content), in document order.
fn metas(doc: &Document) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for node in doc.select("meta").nodes() {
        let Some(content) = node.attr("content") else {
            continue;
        };
        for key in ["property", "name", "itemprop", "http-equiv"] {
            if let Some(k) = node.attr(key) {
                out.push((k.trim().to_ascii_lowercase(), content.to_string()));
            }
        }
    }
    out
}

fn meta_value(metas: &[(String, String)], names: &[&str]) -> Option<String> {
    names.iter().find_map(|want| {
        metas
            .iter()
            .find(|(k, v)| k == want && !v.trim().is_empty())
            .and_then(|(_, v)| clean(v))
    })
}

/// All JSON-LD objects of the page, flattened through arrays and `@graph`.
fn json_ld(doc: &Document) -> Vec<Value> {
    let mut out = Vec::new();
    for node in doc.select(r#"script[type="application/ld+json"]"#).nodes() {
        let raw = node.text();
        if raw.len() > 1 << 20 {
            continue;
        }
        if let Ok(v) = serde_json::from_str::<Value>(raw.trim()) {
            flatten_ld(v, &mut out, 0);
        }
    }
    out
}

fn flatten_ld(v: Value, out: &mut Vec<Value>, depth: usize) {
    if depth > 4 || out.len() > 64 {
        return;
    }
    match v {
        Value::Array(items) => {
            for item in items {
                flatten_ld(item, out, depth + 1);
            }
        }
        Value::Object(mut map) => {
            if let Some(graph) = map.remove("@graph") {
                flatten_ld(graph, out, depth + 1);
            }
            out.push(Value::Object(map));
        }
        _ => {}
    }
}

fn ld_str(objs: &[Value], key: &str) -> Option<String> {
    objs.iter().find_map(|o| match o.get(key)? {
        Value::String(s) => clean(s),
        Value::Array(a) => a.iter().find_map(|x| x.as_str().and_then(clean)),
        _ => None,
    })
}

fn ld_publisher(objs: &[Value]) -> Option<String> {
    objs.iter().find_map(|o| match o.get("publisher")? {
        Value::Object(p) => p.get("name")?.as_str().and_then(clean),
        Value::String(s) => clean(s),
        _ => None,
    })
}

/// The host of an absolute URL, without `www.`.
pub(crate) fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?;
    let host = host.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

pub(crate) fn page_meta(doc: &Document, url_hint: Option<&str>) -> PageMeta {
    let metas = metas(doc);
    let ld = json_ld(doc);

    let title = meta_value(&metas, &["og:title", "twitter:title"])
        .or_else(|| ld_str(&ld, "headline"))
        .or_else(|| {
            doc.select("title")
                .nodes()
                .first()
                .and_then(|n| clean(&n.text()))
        })
        .or_else(|| {
            doc.select("h1")
                .nodes()
                .first()
                .and_then(|n| clean(&n.text()))
        });

    let date = meta_value(&metas, DATE_META)
        .or_else(|| ld_str(&ld, "datePublished"))
        .or_else(|| ld_str(&ld, "dateCreated"))
        .or_else(|| {
            let times = doc.select("time[datetime]");
            let nodes = times.nodes();
            let pick = nodes
                .iter()
                .find(|n| {
                    n.has_attr("pubdate")
                        || n.attr("itemprop")
                            .is_some_and(|v| v.eq_ignore_ascii_case("datePublished"))
                })
                .or_else(|| nodes.first());
            pick.and_then(|n| n.attr("datetime"))
                .and_then(|v| clean(&v))
        })
        .or_else(|| {
            doc.select(r#"[itemprop="datePublished"]"#)
                .nodes()
                .first()
                .and_then(|n| clean(&n.text()))
        });

    let url = url_hint.and_then(clean).or_else(|| {
        doc.select(r#"link[rel="canonical"]"#)
            .nodes()
            .first()
            .and_then(|n| n.attr("href"))
            .and_then(|h| clean(&h))
            .filter(|h| h.contains("://"))
            .or_else(|| meta_value(&metas, &["og:url"]))
    });

    let site = meta_value(&metas, &["og:site_name"])
        .or_else(|| ld_publisher(&ld))
        .or_else(|| meta_value(&metas, &["application-name"]))
        .or_else(|| url.as_deref().and_then(url_host));

    PageMeta {
        title,
        date,
        site,
        url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_of(html: &str, url: Option<&str>) -> PageMeta {
        page_meta(&Document::from(html), url)
    }

    #[test]
    fn open_graph_and_article_time() {
        let m = meta_of(
            r#"<html><head><title>T | Site</title>
            <meta property="og:title" content=" Real  title ">
            <meta property="og:site_name" content="The Daily">
            <meta property="article:published_time" content="2015-10-02T10:00:00Z">
            </head><body></body></html>"#,
            Some("https://www.example.com/a"),
        );
        assert_eq!(m.title.as_deref(), Some("Real title"));
        assert_eq!(m.site.as_deref(), Some("The Daily"));
        assert_eq!(m.date.as_deref(), Some("2015-10-02T10:00:00Z"));
        assert_eq!(m.url.as_deref(), Some("https://www.example.com/a"));
    }

    #[test]
    fn json_ld_graph() {
        let m = meta_of(
            r#"<html><head><title>Page</title><script type="application/ld+json">
            {"@context":"https://schema.org","@graph":[{"@type":"WebSite"},
             {"@type":"NewsArticle","headline":"LD headline","datePublished":"2024-04-19",
              "publisher":{"@type":"Organization","name":"LD News"}}]}
            </script></head><body></body></html>"#,
            None,
        );
        assert_eq!(m.title.as_deref(), Some("LD headline"));
        assert_eq!(m.date.as_deref(), Some("2024-04-19"));
        assert_eq!(m.site.as_deref(), Some("LD News"));
    }

    #[test]
    fn time_element_and_host_fallback() {
        let m = meta_of(
            r#"<html><head><title> Only title </title>
            <link rel="canonical" href="http://news.example.org:8080/x"></head>
            <body><time datetime="2001-01-01">x</time><time pubdate datetime="2002-02-02">y</time></body></html>"#,
            None,
        );
        assert_eq!(m.title.as_deref(), Some("Only title"));
        assert_eq!(m.date.as_deref(), Some("2002-02-02"));
        assert_eq!(m.url.as_deref(), Some("http://news.example.org:8080/x"));
        assert_eq!(m.site.as_deref(), Some("news.example.org"));
    }

    #[test]
    fn nothing_stated() {
        let m = meta_of("<p>just text</p>", None);
        assert_eq!(m, PageMeta::default());
        // Broken JSON-LD is ignored.
        let m = meta_of(
            r#"<script type="application/ld+json">{"datePublished": </script>"#,
            None,
        );
        assert_eq!(m.date, None);
    }
}
