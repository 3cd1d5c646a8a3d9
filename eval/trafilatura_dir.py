#!/usr/bin/env python3
"""trafilatura's counterpart of the extract_dir example: extracts every .html/.htm file
of a directory with trafilatura.extract (default settings) and writes one JSON line per
page {"id", "text"} to stdout, then a summary line (pages, MB, seconds, pages/s, MB/s)
on stderr. Run it with the venv that has trafilatura:

    /tmp/venv-traf/bin/python eval/trafilatura_dir.py DIR
"""
import json, os, sys, time

import trafilatura


def main():
    d = sys.argv[1]
    files = sorted(f for f in os.listdir(d) if f.lower().endswith((".html", ".htm")))
    t0, nbytes, pages = time.perf_counter(), 0, 0
    for name in files:
        raw = open(os.path.join(d, name), "rb").read()
        nbytes += len(raw)
        try:
            text = trafilatura.extract(raw) or ""
        except Exception as e:
            print(f"skipped {name}: {e}", file=sys.stderr)
            continue
        pages += 1
        print(json.dumps({"id": os.path.splitext(name)[0], "text": text}, ensure_ascii=False))
    secs = time.perf_counter() - t0
    print(f"extracted {pages} pages ({nbytes / 1e6:.1f} MB) in {secs:.2f} s: {pages / secs:.1f} pages/s, "
          f"{nbytes / 1e6 / secs:.2f} MB/s", file=sys.stderr)


if __name__ == "__main__":
    main()
