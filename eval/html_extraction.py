#!/usr/bin/env python3
"""Main-text extraction quality on CleanEval / CleanPortalEval, whence vs trafilatura.

Corpus layout (as found in ../shared/corpora/html-extraction):

    <corpus>/<dataset>/input/<stem>.html         the page, wrapped by the dataset in
                                                  <text id="URL" [title=".."] [encoding=".."]> ... </text>
    <corpus>/<dataset>/GoldStandard/<stem>.txt   the hand-cleaned text

Datasets: cleaneval-dev (58 pages), cleaneval-final (740 inputs, 681 with gold),
CleanPortalEval-master (71 news/blog pages of 5 portals). Pages without a gold file are
skipped. Gold files begin with a "URL: ..." line and mark blocks with <p>, <h>, <l>
(paragraph, heading, list item) at line starts; some carry HTML entities (&#039;) and
their encodings vary (UTF-8 with or without BOM, Latin-1/windows-1252).

Preparation: the <text ...> wrapper (first tag) and a trailing </text> are removed from
each input at byte level; nothing else is changed. Both extractors read the same
prepared files from a temporary directory.

Scoring (bag of words, as commonly done for CleanEval-style evaluation): gold text has
the URL line removed, the <p>/<h>/<l> markers removed and HTML entities unescaped; both
texts are lower-cased and split into tokens with the regex \\w+ (Unicode word
characters). Per page, the overlap is the multiset intersection of the two token bags:
    P = |E ∩ G| / |E|,  R = |E ∩ G| / |G|,  F1 = 2PR / (P + R).
"micro" sums |E ∩ G|, |E|, |G| over the pages of a dataset (or all datasets); "macro"
averages the per-page P, R, F1 (a page with no output has P = R = F1 = 0).

usage:
  html_extraction.py --corpus DIR --extractor-cmd "CMD" [--trafilatura] [--json]
CMD is run once per dataset with the prepared directory appended (or substituted for
{dir}) and must print JSON lines with at least "id" (file stem) and "text".
"""
import argparse, collections, html, json, os, re, shlex, subprocess, sys, tempfile, time

WRAP_OPEN = re.compile(rb"^\s*<text\b[^>]*>", re.I)
WRAP_CLOSE = re.compile(rb"</text>\s*$", re.I)
MARK = re.compile(r"<(?:p|h|l)>", re.I)
TOKEN = re.compile(r"\w+", re.U)


def decode_gold(raw):
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def clean_gold(text):
    lines = text.splitlines()
    if lines and lines[0].strip().startswith("URL:"):
        lines = lines[1:]
    return html.unescape(MARK.sub(" ", "\n".join(lines)))


def tokens(text):
    return collections.Counter(TOKEN.findall(text.lower()))


def prepare(corpus, tmp, only):
    """Writes unwrapped inputs; returns {dataset: [(stem, gold_text, nbytes)]}."""
    sets = {}
    for ds in sorted(os.listdir(corpus)):
        inp, gold = os.path.join(corpus, ds, "input"), os.path.join(corpus, ds, "GoldStandard")
        if not (os.path.isdir(inp) and os.path.isdir(gold)) or (only and ds not in only):
            continue
        out = os.path.join(tmp, ds)
        os.makedirs(out)
        pages = []
        for name in sorted(os.listdir(inp)):
            stem, ext = os.path.splitext(name)
            g = os.path.join(gold, stem + ".txt")
            if ext.lower() not in (".html", ".htm") or not os.path.exists(g):
                continue
            raw = open(os.path.join(inp, name), "rb").read()
            raw = WRAP_CLOSE.sub(b"", WRAP_OPEN.sub(b"", raw, count=1), count=1)
            with open(os.path.join(out, stem + ".html"), "wb") as f:
                f.write(raw)
            pages.append((stem, clean_gold(decode_gold(open(g, "rb").read())), len(raw)))
        sets[ds] = pages
    return sets


def run_cmd(cmd, d):
    argv = [a.replace("{dir}", d) for a in shlex.split(cmd)]
    if not any("{dir}" in a for a in shlex.split(cmd)):
        argv.append(d)
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"extractor failed ({p.returncode}): {p.stderr.decode(errors='replace')[-2000:]}")
    out = {}
    for line in p.stdout.decode("utf-8", errors="replace").splitlines():
        if line.strip():
            d_ = json.loads(line)
            out[d_["id"]] = d_.get("text") or ""
    return out, secs


def run_trafilatura(d, stems):
    import trafilatura  # noqa: imported only when asked for
    out, secs = {}, 0.0
    for stem in stems:
        raw = open(os.path.join(d, stem + ".html"), "rb").read()
        t0 = time.perf_counter()
        try:
            text = trafilatura.extract(raw) or ""
        except Exception as e:  # a crash counts as empty output
            print(f"trafilatura failed on {stem}: {e}", file=sys.stderr)
            text = ""
        secs += time.perf_counter() - t0
        out[stem] = text
    return out, secs


def score(pages, outputs):
    inter = ext = gold = 0
    ps, rs, fs = [], [], []
    for stem, gtext, _ in pages:
        e, g = tokens(outputs.get(stem, "")), tokens(gtext)
        i = sum((e & g).values())
        ne, ng = sum(e.values()), sum(g.values())
        inter, ext, gold = inter + i, ext + ne, gold + ng
        p = i / ne if ne else 0.0
        r = i / ng if ng else 0.0
        ps.append(p); rs.append(r); fs.append(2 * p * r / (p + r) if p + r else 0.0)
    P = inter / ext if ext else 0.0
    R = inter / gold if gold else 0.0
    n = max(len(pages), 1)
    return {
        "pages": len(pages),
        "micro": {"p": P, "r": R, "f1": 2 * P * R / (P + R) if P + R else 0.0},
        "macro": {"p": sum(ps) / n, "r": sum(rs) / n, "f1": sum(fs) / n},
        "_counts": (inter, ext, gold, ps, rs, fs),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="../shared/corpora/html-extraction")
    ap.add_argument("--extractor-cmd")
    ap.add_argument("--trafilatura", action="store_true")
    ap.add_argument("--datasets", nargs="*", help="only these dataset folders")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--per-page", action="store_true", help="with --json: add per-page P/R/F1")
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        print(f"corpus {a.corpus} not found: skipped")
        return
    systems = []
    if a.extractor_cmd:
        systems.append("whence")
    if a.trafilatura:
        systems.append("trafilatura")
    if not systems:
        sys.exit("nothing to evaluate: give --extractor-cmd and/or --trafilatura")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        sets = prepare(a.corpus, tmp, a.datasets)
        for sysname in systems:
            res, all_pages, all_out, total_secs, total_bytes = {}, [], {}, 0.0, 0
            for ds, pages in sets.items():
                d = os.path.join(tmp, ds)
                if sysname == "whence":
                    out, secs = run_cmd(a.extractor_cmd, d)
                else:
                    out, secs = run_trafilatura(d, [s for s, _, _ in pages])
                nbytes = sum(b for _, _, b in pages)
                r = score(pages, out)
                r["seconds"], r["mb"] = secs, nbytes / 1e6
                r.pop("_counts")
                res[ds] = r
                all_pages += [(ds + "/" + s, g, b) for s, g, b in pages]
                all_out.update({ds + "/" + k: v for k, v in out.items()})
                total_secs += secs
                total_bytes += nbytes
            r = score(all_pages, all_out)
            _, _, _, ps, rs, fs = r.pop("_counts")
            if a.per_page:
                r["per_page"] = {s: [p, rr, f] for (s, _, _), p, rr, f in zip(all_pages, ps, rs, fs)}
            r["seconds"], r["mb"] = total_secs, total_bytes / 1e6
            res["overall"] = r
            results[sysname] = res
    if a.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'system':12} {'dataset':24} {'pages':>5}  {'P':>6} {'R':>6} {'F1':>6}  |  macro {'P':>6} {'R':>6} {'F1':>6}  | pages/s  MB/s")
    for sysname, res in results.items():
        for ds, r in res.items():
            m, M = r["micro"], r["macro"]
            print(f"{sysname:12} {ds:24} {r['pages']:5}  {m['p']:6.3f} {m['r']:6.3f} {m['f1']:6.3f}  |        "
                  f"{M['p']:6.3f} {M['r']:6.3f} {M['f1']:6.3f}  | {r['pages'] / max(r['seconds'], 1e-9):7.1f} {r['mb'] / max(r['seconds'], 1e-9):5.2f}")


if __name__ == "__main__":
    main()
