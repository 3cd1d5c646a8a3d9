#!/usr/bin/env python3
"""Main-text extraction quality on CleanEval / CleanPortalEval / L3S-GN1, whence vs trafilatura.

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

L3S-GN1 (<corpus>/l3s-gn1, Kohlschuetter et al. 2010: 621 Google News pages, no wrapper):
each gold file is the page's HTML with every annotated text node wrapped in
<span class="x-nc-selN"> (1 headline, 2 full text, 3 supplemental: captions, bylines,
4 related content, 5 user comments, 0 not content). The gold text is the text of the
nodes whose innermost annotation is in --l3s-classes (default 1,2: the article body),
text of script/style excluded, block elements and <br> separating words. Many gold files
replaced every non-ASCII character by "?", so on this set both texts are tokenized
with [A-Za-z0-9]+ (every other character separates tokens, on both sides alike).
With --split FILE (eval/l3s-gn1-split.tsv, written by l3s_split.py: a split by site)
the set is reported as "l3s-gn1:dev" and/or "l3s-gn1:heldout" (--l3s-part; default
dev, so that the held-out part is only run when asked for). "overall" covers the
CleanEval-format sets only.

usage:
  html_extraction.py --corpus DIR --extractor-cmd "CMD" [--trafilatura] [--json]
      [--datasets NAME...] [--split eval/l3s-gn1-split.tsv] [--l3s-part dev|heldout|both]
CMD is run once per dataset with the prepared directory appended (or substituted for
{dir}) and must print JSON lines with at least "id" (file stem) and "text".
"""
import argparse, collections, html, json, os, re, shlex, subprocess, sys, tempfile, time
from html.parser import HTMLParser

WRAP_OPEN = re.compile(rb"^\s*<text\b[^>]*>", re.I)
WRAP_CLOSE = re.compile(rb"</text>\s*$", re.I)
MARK = re.compile(r"<(?:p|h|l)>", re.I)
TOKEN = re.compile(r"\w+", re.U)
ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+")
SEL = re.compile(r"\bx-nc-sel(\d)\b")
BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
              "blockquote", "pre", "table", "tr", "td", "th", "section", "article", "header",
              "footer", "nav", "aside", "figure", "figcaption", "form", "center", "br", "hr",
              "title", "address", "caption", "body", "html", "tbody", "thead"}


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


class AnnotatedGold(HTMLParser):
    """Collects the text of the nodes whose innermost x-nc-selN annotation is in `classes`."""

    def __init__(self, classes):
        super().__init__(convert_charrefs=True)
        self.classes, self.spans, self.skip, self.out = classes, [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "span":
            m = SEL.search(dict(attrs).get("class") or "")
            self.spans.append(int(m.group(1)) if m else None)
        if tag in BLOCK_TAGS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(self.skip - 1, 0)
        elif tag == "span" and self.spans:
            self.spans.pop()
        if tag in BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data):
        if self.skip:
            return
        sel = next((c for c in reversed(self.spans) if c is not None), None)
        if sel in self.classes:
            self.out.append(data)


def annotated_gold(text, classes):
    p = AnnotatedGold(classes)
    p.feed(text)
    p.close()
    return re.sub(r"\n\s*\n+", "\n\n", "".join(p.out)).strip()


def is_annotated(raw):
    return raw.lstrip()[:1] == b"<" and b"x-nc-sel" in raw


def tokens(text, ascii_only=False):
    return collections.Counter((ASCII_TOKEN if ascii_only else TOKEN).findall(text.lower()))


def read_gold(path, classes):
    """The gold text of one page and whether its set is scored with ASCII tokens."""
    raw = open(path, "rb").read()
    if is_annotated(raw):
        return annotated_gold(decode_gold(raw), classes), True
    return clean_gold(decode_gold(raw)), False


def prepare(corpus, tmp, only, split=None, parts=("dev",), classes=(1, 2)):
    """Writes unwrapped inputs; returns {dataset: [(stem, gold_text, nbytes, ascii_tokens)]}.

    Pages of an annotated set (L3S-GN1) listed in `split` ({stem: part}) go to the
    datasets "<name>:<part>" for the parts asked for; the others are left out.
    """
    sets = {}
    for ds in sorted(os.listdir(corpus)):
        inp, gold = os.path.join(corpus, ds, "input"), os.path.join(corpus, ds, "GoldStandard")
        if not (os.path.isdir(inp) and os.path.isdir(gold)) or (only and ds not in only):
            continue
        for name in sorted(os.listdir(inp)):
            stem, ext = os.path.splitext(name)
            g = os.path.join(gold, stem + ".txt")
            if ext.lower() not in (".html", ".htm") or not os.path.exists(g):
                continue
            gtext, ascii_tokens = read_gold(g, classes)
            key = ds
            if ascii_tokens and split is not None:
                part = split.get(stem)
                if part not in parts:
                    continue
                key = f"{ds}:{part}"
            out = os.path.join(tmp, key)
            os.makedirs(out, exist_ok=True)
            raw = open(os.path.join(inp, name), "rb").read()
            raw = WRAP_CLOSE.sub(b"", WRAP_OPEN.sub(b"", raw, count=1), count=1)
            with open(os.path.join(out, stem + ".html"), "wb") as f:
                f.write(raw)
            sets.setdefault(key, []).append((stem, gtext, len(raw), ascii_tokens))
    return dict(sorted(sets.items()))


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
    for stem, gtext, _, ascii_tokens in pages:
        e, g = tokens(outputs.get(stem, ""), ascii_tokens), tokens(gtext, ascii_tokens)
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
    ap.add_argument("--split", help="L3S-GN1 split TSV (eval/l3s-gn1-split.tsv)")
    ap.add_argument("--l3s-part", choices=["dev", "heldout", "both"], default="dev")
    ap.add_argument("--l3s-classes", default="1,2", help="annotation classes that make the gold text")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--per-page", action="store_true", help="with --json: add per-page P/R/F1")
    ap.add_argument("--dump", help="write every output and gold text to DIR/<system>/<dataset>/<stem>.txt")
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        print(f"corpus {a.corpus} not found: SKIPPED")
        return
    systems = []
    if a.extractor_cmd:
        systems.append("whence")
    if a.trafilatura:
        systems.append("trafilatura")
    if not systems:
        sys.exit("nothing to evaluate: give --extractor-cmd and/or --trafilatura")
    split = None
    if a.split:
        from l3s_split import read_split
        split = read_split(a.split)
    parts = ("dev", "heldout") if a.l3s_part == "both" else (a.l3s_part,)
    classes = {int(c) for c in a.l3s_classes.split(",")}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        sets = prepare(a.corpus, tmp, a.datasets, split, parts, classes)
        for sysname in systems:
            res, all_pages, all_out, total_secs, total_bytes = {}, [], {}, 0.0, 0
            for ds, pages in sets.items():
                d = os.path.join(tmp, ds)
                if sysname == "whence":
                    out, secs = run_cmd(a.extractor_cmd, d)
                else:
                    out, secs = run_trafilatura(d, [p[0] for p in pages])
                if a.dump:
                    dump(a.dump, sysname, ds, pages, out)
                nbytes = sum(p[2] for p in pages)
                r = score(pages, out)
                r["seconds"], r["mb"] = secs, nbytes / 1e6
                _, _, _, ps, rs, fs = r.pop("_counts")
                if a.per_page:
                    r["per_page"] = {p[0]: [pp, rr, f] for p, pp, rr, f in zip(pages, ps, rs, fs)}
                res[ds] = r
                if any(p[3] for p in pages):
                    continue  # annotated sets are reported on their own, not in "overall"
                all_pages += [(ds + "/" + p[0],) + p[1:] for p in pages]
                all_out.update({ds + "/" + k: v for k, v in out.items()})
                total_secs += secs
                total_bytes += nbytes
            if all_pages:
                r = score(all_pages, all_out)
                r.pop("_counts")
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


def dump(root, sysname, ds, pages, out):
    for sub, texts in ((sysname, out), ("gold", {p[0]: p[1] for p in pages})):
        d = os.path.join(root, sub, ds)
        os.makedirs(d, exist_ok=True)
        for p in pages:
            with open(os.path.join(d, p[0] + ".txt"), "w", encoding="utf-8") as f:
                f.write(texts.get(p[0], ""))


if __name__ == "__main__":
    main()
