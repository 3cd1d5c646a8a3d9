#!/usr/bin/env python3
"""Builds a WARC/1.1 .warc.gz (one gzip member per record) from a directory of HTML
files, for smoke tests and throughput runs of the WARC reader: per page a `request`
and a `response` record (HTTP/1.1 200, Content-Type text/html), plus a warcinfo record
first, an image response, and optionally a truncated record at the end.

usage: make_warc.py DIR OUT.warc.gz [--truncate]
"""
import gzip, os, sys, uuid


def record(wtype, url, ctype, body):
    head = (f"WARC/1.1\r\nWARC-Type: {wtype}\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
            f"WARC-Target-URI: {url}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body + b"\r\n\r\n"


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(out, "wb") as f:
        def put(rec):
            f.write(gzip.compress(rec, compresslevel=6))
        put(record("warcinfo", "", "application/warc-fields", b"software: make_warc.py\r\n"))
        for name in sorted(os.listdir(src)):
            if not name.endswith((".html", ".htm")):
                continue
            url = f"http://example.org/{name}"
            html = open(os.path.join(src, name), "rb").read()
            put(record("request", url, "application/http; msgtype=request", b"GET / HTTP/1.1\r\n\r\n"))
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + html
            put(record("response", url, "application/http; msgtype=response", http))
        put(record("response", "http://example.org/x.png", "application/http; msgtype=response",
                   b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\nPNG"))
        if "--truncate" in sys.argv:
            rec = record("response", "http://example.org/cut", "application/http; msgtype=response",
                         b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>" + b"x" * 1000)
            put(rec[:300])


if __name__ == "__main__":
    main()
