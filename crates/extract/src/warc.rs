//! Streaming WARC reader yielding HTML pages.
//!
//! [`WarcPages`] reads WARC/1.0 and WARC/1.1 from any [`Read`], plain or gzip
//! (single- or multi-member, detected from the magic bytes), one record at a time:
//! memory is bounded by the largest accepted record body ([`WarcPages::with_max_body`],
//! 20 MiB by default). `response` records whose HTTP payload is `text/html` or
//! `application/xhtml+xml` become [`WarcItem::Page`]; every other record becomes
//! [`WarcItem::Skipped`] with a reason. A malformed or truncated record yields an
//! `Err` and the stream goes on with the next record it can find.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

use crate::charset::charset_from_content_type;
use crate::error::WarcError;

/// Default cap on a record body.
pub const DEFAULT_MAX_BODY: u64 = 20 << 20;
const MAX_HEADER_BYTES: usize = 64 << 10;

/// An HTML page from a `response` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarcPage {
    /// `WARC-Target-URI`.
    pub url: String,
    /// `WARC-Record-ID`, e.g. `<urn:uuid:…>`.
    pub record_id: String,
    /// Charset of the HTTP `Content-Type` header, if stated.
    pub http_charset: Option<String>,
    /// The HTML payload (de-chunked and decompressed).
    pub html: Vec<u8>,
}

/// One item of the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarcItem {
    /// An HTML page.
    Page(WarcPage),
    /// A record that is not an HTML page, or too large; nothing is lost silently.
    Skipped {
        /// `WARC-Record-ID`, when present.
        record_id: String,
        /// `WARC-Target-URI`, when present.
        url: String,
        /// Why it was skipped.
        reason: String,
    },
}

/// Iterator over the HTML pages of a WARC stream.
pub struct WarcPages<R: Read> {
    input: Box<dyn BufRead + Send>,
    offset: u64,
    max_body: u64,
    done: bool,
    pending: Option<Result<WarcItem, WarcError>>,
    _marker: std::marker::PhantomData<R>,
}

impl<R: Read + Send + 'static> WarcPages<R> {
    /// Reads `reader`, gunzipping it when it starts with the gzip magic bytes.
    pub fn new(reader: R) -> Self {
        let mut buf = BufReader::with_capacity(1 << 16, reader);
        let gz = matches!(buf.fill_buf(), Ok(b) if b.len() >= 2 && b[0] == 0x1f && b[1] == 0x8b);
        let input: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(buf)))
        } else {
            Box::new(buf)
        };
        WarcPages {
            input,
            offset: 0,
            max_body: DEFAULT_MAX_BODY,
            done: false,
            pending: None,
            _marker: std::marker::PhantomData,
        }
    }

    /// Sets the largest record body read into memory; larger records are skipped.
    pub fn with_max_body(mut self, max: u64) -> Self {
        self.max_body = max;
        self
    }
}

impl<R: Read> WarcPages<R> {
    /// Reads one line (up to `\n`), bounded; `None` at end of stream.
    fn line(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        let n = (&mut self.input)
            .take(MAX_HEADER_BYTES as u64)
            .read_until(b'\n', &mut line)?;
        self.offset += n as u64;
        Ok((n > 0).then_some(line))
    }

    fn skip_bytes(&mut self, n: u64) -> io::Result<u64> {
        let got = io::copy(&mut (&mut self.input).take(n), &mut io::sink())?;
        self.offset += got;
        Ok(got)
    }

    fn next_record(&mut self) -> Option<Result<WarcItem, WarcError>> {
        // Find the version line, skipping blank lines between records.
        let start;
        let mut garbage = false;
        loop {
            let at = self.offset;
            match self.line() {
                Err(e) => return Some(Err(self.fail(e))),
                Ok(None) => {
                    self.done = true;
                    return garbage.then(|| {
                        Err(WarcError::Malformed {
                            offset: at,
                            reason: "trailing bytes that are not a WARC record".into(),
                        })
                    });
                }
                Ok(Some(l)) => {
                    if l.starts_with(b"WARC/") {
                        start = at;
                        break;
                    }
                    if !l.iter().all(u8::is_ascii_whitespace) && !garbage {
                        garbage = true;
                    }
                }
            }
        }
        let skipped_from = garbage.then_some(start);
        let record = self.parse_record(start);
        if let Some(at) = skipped_from {
            // Report the skipped bytes first, then the record found after them.
            self.pending = Some(record);
            return Some(Err(WarcError::Malformed {
                offset: at,
                reason: "bytes that are not a WARC record were skipped before this offset".into(),
            }));
        }
        Some(record)
    }

    fn parse_record(&mut self, start: u64) -> Result<WarcItem, WarcError> {
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut header_bytes = 0usize;
        loop {
            match self.line() {
                Err(e) => return Err(self.fail(e)),
                Ok(None) => {
                    self.done = true;
                    return Err(WarcError::Truncated {
                        offset: start,
                        expected: 0,
                        got: 0,
                    });
                }
                Ok(Some(l)) => {
                    header_bytes += l.len();
                    if l == b"\r\n" || l == b"\n" {
                        break;
                    }
                    if header_bytes > MAX_HEADER_BYTES {
                        return Err(WarcError::Malformed {
                            offset: start,
                            reason: "record header larger than 64 KiB".into(),
                        });
                    }
                    let s = String::from_utf8_lossy(&l);
                    if let Some((k, v)) = s.split_once(':') {
                        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                    }
                }
            }
        }
        let get = |k: &str| {
            headers
                .iter()
                .find(|(h, _)| h == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let record_id = get("warc-record-id");
        let url = get("warc-target-uri");
        let wtype = get("warc-type").to_ascii_lowercase();
        let Ok(len) = get("content-length").parse::<u64>() else {
            return Err(WarcError::Malformed {
                offset: start,
                reason: format!("missing or invalid Content-Length in record {record_id}"),
            });
        };
        let skipped = |reason: String| WarcItem::Skipped {
            record_id: record_id.clone(),
            url: url.clone(),
            reason,
        };
        if wtype != "response" || len > self.max_body {
            let reason = if wtype != "response" {
                format!("WARC-Type {wtype} is not a response")
            } else {
                format!(
                    "record body of {len} bytes exceeds the {} byte cap",
                    self.max_body
                )
            };
            return match self.skip_bytes(len) {
                Err(e) => Err(self.fail(e)),
                Ok(got) if got < len => {
                    self.done = true;
                    Err(WarcError::Truncated {
                        offset: start,
                        expected: len,
                        got,
                    })
                }
                Ok(_) => Ok(skipped(reason)),
            };
        }
        let mut body = Vec::with_capacity(len as usize);
        match (&mut self.input).take(len).read_to_end(&mut body) {
            Err(e) => return Err(self.fail(e)),
            Ok(got) => {
                self.offset += got as u64;
                if (got as u64) < len {
                    self.done = true;
                    return Err(WarcError::Truncated {
                        offset: start,
                        expected: len,
                        got: got as u64,
                    });
                }
            }
        }
        let ctype = get("content-type").to_ascii_lowercase();
        if !ctype.starts_with("application/http") {
            return Ok(skipped(format!(
                "response content type {ctype} is not HTTP"
            )));
        }
        Ok(match parse_http(&body, self.max_body) {
            Ok((charset, html)) => WarcItem::Page(WarcPage {
                url,
                record_id,
                http_charset: charset,
                html,
            }),
            Err(reason) => skipped(reason),
        })
    }

    fn fail(&mut self, e: io::Error) -> WarcError {
        self.done = true;
        WarcError::Io(e)
    }
}

impl<R: Read> Iterator for WarcPages<R> {
    type Item = Result<WarcItem, WarcError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.pending.take() {
            return Some(item);
        }
        if self.done {
            return None;
        }
        self.next_record()
    }
}

/// Splits an HTTP response into (charset, decoded HTML body) or a reason to skip it.
fn parse_http(raw: &[u8], max: u64) -> Result<(Option<String>, Vec<u8>), String> {
    let (head_end, sep) = match find(raw, b"\r\n\r\n") {
        Some(i) => (i, 4),
        None => match find(raw, b"\n\n") {
            Some(i) => (i, 2),
            None => return Err("HTTP response without header end".into()),
        },
    };
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default();
    if !status.starts_with("HTTP/") {
        return Err(format!("not an HTTP response: {:.40}", status));
    }
    let code = status.split_whitespace().nth(1).unwrap_or("");
    if !code.starts_with('2') {
        return Err(format!("HTTP status {code}"));
    }
    let mut ctype = String::new();
    let mut chunked = false;
    let mut encoding = String::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim();
            match k.as_str() {
                "content-type" => ctype = v.to_string(),
                "transfer-encoding" => chunked = v.to_ascii_lowercase().contains("chunked"),
                "content-encoding" => encoding = v.to_ascii_lowercase(),
                _ => {}
            }
        }
    }
    let mime = ctype
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != "text/html" && mime != "application/xhtml+xml" {
        return Err(format!(
            "payload type {} is not HTML",
            if mime.is_empty() { "(none)" } else { &mime }
        ));
    }
    let mut body = raw[head_end + sep..].to_vec();
    if chunked {
        body = dechunk(&body).ok_or("malformed chunked transfer encoding")?;
    }
    match encoding.as_str() {
        "" | "identity" => {}
        "gzip" | "x-gzip" => {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&body[..])
                .take(max + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("bad gzip content encoding: {e}"))?;
            if out.len() as u64 > max {
                return Err("decompressed payload exceeds the cap".into());
            }
            body = out;
        }
        "deflate" => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&body[..])
                .take(max + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("bad deflate content encoding: {e}"))?;
            body = out;
        }
        other => return Err(format!("unsupported content encoding {other}")),
    }
    Ok((charset_from_content_type(&ctype), body))
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    loop {
        let eol = find(b, b"\r\n")?;
        let size_str = std::str::from_utf8(&b[..eol]).ok()?;
        let size = usize::from_str_radix(size_str.split(';').next()?.trim(), 16).ok()?;
        b = &b[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        if b.len() < size {
            out.extend_from_slice(b); // truncated chunk: keep what is there
            return Some(out);
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size..];
        b = b.strip_prefix(b"\r\n").unwrap_or(b);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn record(wtype: &str, id: &str, url: &str, ctype: &str, body: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {wtype}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Target-URI: {url}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn http(ctype: &str, body: &str) -> Vec<u8> {
        format!("HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\n\r\n{body}").into_bytes()
    }

    fn sample() -> Vec<Vec<u8>> {
        vec![
            record("warcinfo", "0", "", "application/warc-fields", b"software: test\r\n"),
            record("request", "1", "http://a.example/", "application/http; msgtype=request", b"GET / HTTP/1.1\r\n\r\n"),
            record(
                "response",
                "2",
                "http://a.example/",
                "application/http; msgtype=response",
                &http("text/html; charset=ISO-8859-1", "<p>hello</p>"),
            ),
            record(
                "response",
                "3",
                "http://a.example/x.png",
                "application/http; msgtype=response",
                &http("image/png", "PNG"),
            ),
            record(
                "response",
                "4",
                "http://b.example/",
                "application/http; msgtype=response",
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<p>ab\r\n5\r\nc</p>\r\n0\r\n\r\n",
            ),
        ]
    }

    fn pages(items: &[Result<WarcItem, WarcError>]) -> Vec<&WarcPage> {
        items
            .iter()
            .filter_map(|i| match i {
                Ok(WarcItem::Page(p)) => Some(p),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn plain_warc() {
        let data: Vec<u8> = sample().concat();
        let items: Vec<_> = WarcPages::new(Cursor::new(data)).collect();
        assert_eq!(items.len(), 5);
        let p = pages(&items);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].url, "http://a.example/");
        assert_eq!(p[0].record_id, "<urn:uuid:2>");
        assert_eq!(p[0].http_charset.as_deref(), Some("iso-8859-1"));
        assert_eq!(p[0].html, b"<p>hello</p>");
        assert_eq!(p[1].html, b"<p>abc</p>");
        let reasons: Vec<String> = items
            .iter()
            .filter_map(|i| match i {
                Ok(WarcItem::Skipped { reason, .. }) => Some(reason.clone()),
                _ => None,
            })
            .collect();
        assert!(reasons[0].contains("warcinfo"));
        assert!(reasons[2].contains("image/png"));
    }

    #[test]
    fn multi_member_gzip() {
        let mut gz = Vec::new();
        for rec in sample() {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&rec).unwrap();
            gz.extend(e.finish().unwrap());
        }
        let items: Vec<_> = WarcPages::new(Cursor::new(gz)).collect();
        assert_eq!(pages(&items).len(), 2);
        assert!(items.iter().all(Result::is_ok));
    }

    #[test]
    fn oversized_record_is_skipped_and_stream_continues() {
        let data: Vec<u8> = sample().concat();
        let items: Vec<_> = WarcPages::new(Cursor::new(data))
            .with_max_body(30)
            .collect();
        assert_eq!(items.len(), 5);
        assert!(pages(&items).is_empty());
        assert!(items
            .iter()
            .any(|i| matches!(i, Ok(WarcItem::Skipped { reason, .. }) if reason.contains("cap"))));
    }

    #[test]
    fn truncated_and_malformed_records_are_errors() {
        let mut data: Vec<u8> = sample()[2].clone();
        data.extend_from_slice(b"WARC/1.0\r\nWARC-Type: response\r\n\r\nno length here\r\n\r\n");
        data.extend_from_slice(&sample()[4]);
        let mut trunc = sample()[2].clone();
        trunc.truncate(trunc.len() - 10);
        data.extend_from_slice(&trunc);
        let items: Vec<_> = WarcPages::new(Cursor::new(data)).collect();
        assert!(matches!(items[0], Ok(WarcItem::Page(_))));
        assert!(matches!(items[1], Err(WarcError::Malformed { .. })));
        // The stream resynchronises on the next record after the bad one.
        assert!(items
            .iter()
            .any(|i| matches!(i, Ok(WarcItem::Page(p)) if p.html == b"<p>abc</p>")));
        assert!(matches!(
            items.last(),
            Some(Err(WarcError::Truncated { .. }))
        ));
    }

    #[test]
    fn garbage_input_ends_cleanly() {
        let items: Vec<_> =
            WarcPages::new(Cursor::new(b"not a warc at all\n\x00\x01".to_vec())).collect();
        assert_eq!(items.len(), 1);
        assert!(items[0].is_err());
        let items: Vec<_> = WarcPages::new(Cursor::new(Vec::new())).collect();
        assert!(items.is_empty());
        // A gzip header followed by junk is an I/O error, not a panic.
        let items: Vec<_> = WarcPages::new(Cursor::new(b"\x1f\x8bjunkjunkjunk".to_vec())).collect();
        assert!(matches!(items.as_slice(), [Err(WarcError::Io(_))]));
    }
}
