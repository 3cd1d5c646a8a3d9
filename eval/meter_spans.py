#!/usr/bin/env python3
"""Character-level reuse check of `whence compare` against METER annotations.

METER corpus, courts domain (Gaizauskas, Clough et al. 2001).  For each
annotated newspaper story NAME in newspapers/annotated/courts/DATE/TOPIC/ this
runs `whence compare --json STORY PA` against every Press Association file in
PA/rawtexts/courts/DATE/TOPIC/, takes the union of `passages[].a` spans per
kind and scores them against the story's Verbatim / Rewrite annotations.

How the .aat positions map to text (found by inspecting the files; see
test_meter_spans.py):
  * An .aat file is `<BEGIN ANNO>`, one line per annotation
    `Kind@L1.C1@L2.C2#PAsource=...` (Kind in Verbatim, Rewrite, New), then
    `<END ANNO>`, a newline, and a copy of the annotated text.
  * Lines are 1-based and split at '\\n'; a '\\r' before the '\\n' is an
    ordinary column character.  Columns are 0-based character offsets in the
    line (the files are ISO-8859-1, one byte = one character).  The end
    position is exclusive: offset(L, C) = start of line L + C and the span is
    text[offset(L1, C1):offset(L2, C2)].  Evidence: the spans of a file tile
    the text without overlap (…@1.19, 1.19@…), 1.0 is the first character,
    ends like `@2.1` on a "\\r" line stop right before the '\\n', and 20,396 of
    20,425 span starts fall on word boundaries (the rest split tokens such as
    "£3.2|million" or raw typos such as "theteenager").
  * The copy of the text inside the .aat is what was annotated.  For 347 of
    355 files it equals the raw newspaper text (up to a final newline); 8
    differ (typo fixes such as "unprisonment"/"imprisonment", LF vs CRLF, a
    trailing sentence, and body311_sun.aat, which annotates a different story).
    So positions are resolved in the embedded copy and mapped onto the raw
    text with a character alignment (difflib); a story whose annotated
    characters cannot be mapped (< 90% land on equal text) is skipped with a
    warning.
  * Raw texts are read as ISO-8859-1 with newlines kept ('\\r' counts).  None
    of the non-ASCII files is valid UTF-8, and decoding them as UTF-8 with
    replacement gives the same number of code points, so whence's JSON
    offsets line up whichever way it decodes; `a.chars` is checked anyway.

Scores (pooled over all stories, micro-averaged; whitespace characters are not
counted unless --count-whitespace, since annotations and whence disagree on
whether a span includes the trailing space/newline):
  reused    gold Verbatim ∪ Rewrite  vs whence any kind
  verbatim  gold Verbatim            vs whence verbatim ∪ edited
  rewrite   gold Rewrite             vs whence paraphrase, and vs any kind
Document level: per story, whence coverage = reused characters / characters
(union of `a` spans over all PA files), grouped by the file_index label
(wholly / partially / non-derived): n, mean, quartiles; the same for the
annotated coverage; and the two coverage thresholds that would maximise macro
F1 of the three-way label on these stories (fitted in-sample: optimistic).

Usage (METER files are ISO-8859-1, so whence needs --lossy):
  python3 eval/meter_spans.py --whence target/release/whence \
      --meter ../shared/corpora/meter --extra-args --lossy [--jobs 2] [--limit N] [--json] [--worst N]
Exit status: 0 ok or corpus absent (skipped); 1 some compares failed
(scored as no passages); 2 unusable input.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import glob
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

KINDS = ("Verbatim", "Rewrite", "New")
ANNO_RE = re.compile(r"^([A-Za-z]+)@(\d+)\.(\d+)@(\d+)\.(\d+)")


# --------------------------------------------------------------------------
# .aat parsing
# --------------------------------------------------------------------------

def parse_aat(content: str):
    """-> (annotations [(kind, l1, c1, l2, c2)], embedded text or None, bad lines)."""
    head, sep, tail = content.partition("<END ANNO>")
    anns, bad = [], []
    for line in head.split("\n"):
        line = line.strip("\r")
        if not line.strip() or line.startswith("<BEGIN ANNO>"):
            continue
        m = ANNO_RE.match(line)
        if m:
            anns.append((m.group(1), *map(int, m.groups()[1:])))
        else:
            bad.append(line)
    embedded = None
    if sep:
        embedded = tail[1:] if tail.startswith("\n") else tail
    return anns, embedded, bad


def line_starts(text: str):
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def linecol_to_offset(text: str, starts, line: int, col: int):
    """1-based line (split at '\\n'), 0-based column -> str index, or None."""
    if line < 1 or line > len(starts) or col < 0:
        return None
    s = starts[line - 1]
    e = starts[line] - 1 if line < len(starts) else len(text)  # index of its '\n'
    return s + col if s + col <= e else None


def aat_spans(anns, text):
    """[(kind, start, end)] in text; out-of-range annotations are returned
    separately as (kind, l1, c1, l2, c2)."""
    starts = line_starts(text)
    spans, bad = [], []
    for kind, l1, c1, l2, c2 in anns:
        s = linecol_to_offset(text, starts, l1, c1)
        e = linecol_to_offset(text, starts, l2, c2)
        if s is None or e is None or e < s:
            bad.append((kind, l1, c1, l2, c2))
        else:
            spans.append((kind, s, e))
    return spans, bad


def same_text(a: str, b: str) -> bool:
    return a.rstrip("\r\n") == b.rstrip("\r\n")


def map_spans(spans, src: str, dst: str):
    """Map [(kind, s, e)] from text src onto text dst via a character
    alignment.  -> (mapped spans, fraction of span characters on equal text)."""
    if same_text(src, dst):
        n = len(dst)
        return [(k, min(s, n), min(e, n)) for k, s, e in spans], 1.0
    sm = difflib.SequenceMatcher(None, src, dst, autojunk=False)
    blocks = [b for b in sm.get_matching_blocks() if b.size]
    def mapped(pos):
        for b in blocks:
            if b.a <= pos < b.a + b.size:
                return pos - b.a + b.b
        return None
    out, total, equal = [], 0, 0
    for k, s, e in spans:
        pts = [mapped(p) for p in range(s, e)]
        got = [p for p in pts if p is not None]
        total += e - s
        equal += len(got)
        if got:
            out.append((k, min(got), max(got) + 1))
    return out, (equal / total if total else 1.0)


# --------------------------------------------------------------------------
# measures
# --------------------------------------------------------------------------

def charset(spans, text, count_ws=False):
    out = set()
    n = len(text)
    for s, e in spans:
        for i in range(max(0, s), min(e, n)):
            if count_ws or not text[i].isspace():
                out.add(i)
    return out


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


METRICS = {
    # name: (gold kinds, whence kinds; None = any kind)
    "reused": (("Verbatim", "Rewrite"), None),
    "verbatim": (("Verbatim",), ("verbatim", "edited")),
    "rewrite_vs_paraphrase": (("Rewrite",), ("paraphrase",)),
    "rewrite_vs_any": (("Rewrite",), None),
}


def story_counts(gold, pred):
    """gold: kind -> char set; pred: whence kind -> char set."""
    out = {}
    any_pred = set().union(*pred.values()) if pred else set()
    for name, (gk, wk) in METRICS.items():
        g = set().union(*(gold.get(k, set()) for k in gk))
        p = any_pred if wk is None else set().union(*(pred.get(k, set()) for k in wk))
        out[name] = (len(g & p), len(p - g), len(g - p))
    return out


def summarize(values):
    if not values:
        return {"n": 0}
    v = sorted(values)
    q = statistics.quantiles(v, n=4, method="inclusive") if len(v) > 1 else [v[0]] * 3
    return {"n": len(v), "mean": statistics.fmean(v), "min": v[0], "q1": q[0],
            "median": q[1], "q3": q[2], "max": v[-1]}


LABELS = ("wholly", "partially", "non")


def macro_f1(labels, preds):
    fs = []
    for c in LABELS:
        tp = sum(1 for l, p in zip(labels, preds) if l == c and p == c)
        fp = sum(1 for l, p in zip(labels, preds) if l != c and p == c)
        fn = sum(1 for l, p in zip(labels, preds) if l == c and p != c)
        fs.append(prf(tp, fp, fn)["f1"])
    return sum(fs) / len(fs)


def best_thresholds(cov_labels):
    """Coverage thresholds (non < t1 <= partially < t2 <= wholly) maximising
    macro F1 on the given (coverage, label) pairs; grid step 0.01."""
    items = [(c, l) for c, l in cov_labels if l in LABELS]
    if not items:
        return None
    grid = [i / 100 for i in range(101)]
    labels = [l for _, l in items]
    best = None
    for i, t1 in enumerate(grid):
        for t2 in grid[i:]:
            preds = ["wholly" if c >= t2 else "partially" if c >= t1 else "non" for c, _ in items]
            f = macro_f1(labels, preds)
            if best is None or f > best[0] + 1e-12:
                best = (f, t1, t2)
    return {"macro_f1": best[0], "non_below": best[1], "wholly_from": best[2],
            "note": "fitted on the same stories: optimistic"}


# --------------------------------------------------------------------------
# corpus
# --------------------------------------------------------------------------

def read_text(path):
    with open(path, encoding="latin-1", newline="") as fh:
        return fh.read()


def read_labels(meter):
    labels = {}
    for lab in LABELS:
        p = os.path.join(meter, "file_index", "courts", f"{lab}_derived.txt")
        if not os.path.isfile(p):
            continue
        for line in open(p, encoding="latin-1"):
            line = line.strip()
            if "rawtexts/courts/" in line:
                labels[line.split("rawtexts/courts/", 1)[1]] = lab
    return labels


class Story:
    def __init__(self, rel, meter):
        self.rel = rel                       # DATE/TOPIC/NAME.txt
        self.path = os.path.join(meter, "newspapers", "rawtexts", "courts", rel)
        folder = os.path.join(meter, "PA", "rawtexts", "courts", os.path.dirname(rel))
        self.pa = sorted(glob.glob(os.path.join(folder, "*.txt")))
        self.text = None
        self.gold = None                     # kind -> char set, None if not annotated
        self.pred = {}                       # whence kind -> char set
        self.spans = []                      # (pa name, a0, a1, b0, b1, kind)
        self.label = None
        self.errors = []


def load_gold(story, aat_path, warn, count_ws):
    try:
        anns, embedded, bad_lines = parse_aat(read_text(aat_path))
    except OSError as e:
        warn(f"{story.rel}: cannot read {aat_path}: {e}")
        return False
    if bad_lines:
        warn(f"{story.rel}: {len(bad_lines)} unparsable annotation lines, e.g. {bad_lines[0][:80]!r}")
    base = embedded if embedded is not None else story.text
    spans, bad = aat_spans(anns, base)
    if bad:
        warn(f"{story.rel}: {len(bad)} annotations outside the annotated text, ignored, "
             f"e.g. {'%s@%d.%d@%d.%d' % bad[0]}")
    if embedded is not None and not same_text(embedded, story.text):
        spans, ratio = map_spans(spans, embedded, story.text)
        if ratio < 0.9:
            warn(f"{story.rel}: the text inside the .aat differs from the raw story "
                 f"(only {ratio:.0%} of annotated characters map); story skipped")
            return False
        warn(f"{story.rel}: the text inside the .aat differs slightly from the raw story; "
             f"annotations mapped by alignment ({ratio:.1%} of annotated characters on equal text)")
    story.gold = {k: charset([(s, e) for kk, s, e in spans if kk == k], story.text, count_ws)
                  for k in KINDS}
    return True


def run_compare(whence, extra, a, b, timeout):
    cmd = [whence, "compare", "--json", *extra, a, b]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s"
    except OSError as e:
        return None, f"cannot run {whence}: {e}"
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode != 0:
        return None, f"exit code {p.returncode}; stderr: {err[-600:] or '(empty)'}"
    try:
        data = json.loads(p.stdout.decode("utf-8", "replace"))
        out = []
        for q in data["passages"]:
            (a0, a1), (b0, b1) = q["a"], q["b"]
            if not all(isinstance(x, int) for x in (a0, a1, b0, b1)):
                raise TypeError("non-integer offsets")
            out.append((a0, a1, b0, b1, str(q.get("kind", "?"))))
        chars = data.get("a", {}).get("chars") if isinstance(data.get("a"), dict) else None
        return (out, chars), None
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        return None, (f"exit code 0 but unusable JSON ({type(e).__name__}: {e}); "
                      f"stdout starts {p.stdout[:160].decode('utf-8', 'replace')!r}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="METER span-level check of `whence compare` "
                                             "(see module docstring).")
    ap.add_argument("--whence", required=True, help="path to the whence binary")
    ap.add_argument("--meter", required=True, help="METER corpus dir (PA/, newspapers/, file_index/)")
    ap.add_argument("--jobs", type=int, default=2, help="whence processes at once (default 2)")
    ap.add_argument("--limit", type=int, help="only the first N annotated stories")
    ap.add_argument("--json", action="store_true", help="print the results as one JSON object")
    ap.add_argument("--all-stories", action="store_true",
                    help="also run the labelled stories without annotations (document-level summary)")
    ap.add_argument("--count-whitespace", action="store_true",
                    help="count whitespace characters too")
    ap.add_argument("--extra-args", default="", help="extra arguments for `whence compare`")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per compare")
    ap.add_argument("--worst", type=int, default=0, metavar="N",
                    help="list the N annotated stories with the lowest reused F1")
    argv = list(sys.argv[1:] if argv is None else argv)
    for i in range(len(argv) - 1):      # let `--extra-args "--flag"` through argparse
        if argv[i] == "--extra-args":
            argv[i:i + 2] = [f"--extra-args={argv[i + 1]}"]
            break
    args = ap.parse_args(argv)
    log = (lambda m: print(m, file=sys.stderr)) if args.json else print

    ann_root = os.path.join(args.meter, "newspapers", "annotated", "courts")
    if not os.path.isdir(ann_root):
        log(f"SKIPPED: METER corpus not found at {args.meter} (no newspapers/annotated/courts)")
        if args.json:
            print(json.dumps({"skipped": True, "meter": args.meter}))
        return 0
    if args.jobs < 1:
        ap.error("--jobs must be >= 1")
    try:
        extra = shlex.split(args.extra_args)
    except ValueError as e:
        ap.error(f"--extra-args: {e}")
    if not (os.path.isfile(args.whence) and os.access(args.whence, os.X_OK)):
        print(f"ERROR: whence binary not found or not executable: {args.whence}", file=sys.stderr)
        return 2

    t0 = time.time()
    warnings = []
    warn = warnings.append
    labels = read_labels(args.meter)
    if not labels:
        warn("no file_index/courts/*_derived.txt labels found")

    stories = []
    aats = sorted(glob.glob(os.path.join(ann_root, "*", "*", "*.aat")))
    if args.limit is not None:
        aats = aats[:max(0, args.limit)]
    for aat in aats:
        rel = os.path.relpath(aat, ann_root)[:-4] + ".txt"
        st = Story(rel, args.meter)
        if not os.path.isfile(st.path):
            warn(f"{rel}: annotated but no raw text {st.path}; skipped")
            continue
        st.text = read_text(st.path)
        if not load_gold(st, aat, warn, args.count_whitespace):
            continue
        st.label = labels.get(rel)
        stories.append(st)
    if args.all_stories and args.limit is None:
        have = {s.rel for s in stories}
        for rel in sorted(labels):
            if rel not in have:
                st = Story(rel, args.meter)
                if os.path.isfile(st.path):
                    st.text = read_text(st.path)
                    st.label = labels[rel]
                    stories.append(st)

    jobs = [(st, pa) for st in stories for pa in st.pa]
    for st in stories:
        if not st.pa:
            warn(f"{st.rel}: no PA files in its DATE/TOPIC folder; scored with no passages")
    failures = []

    def job(item):
        st, pa = item
        return st, pa, *run_compare(args.whence, extra, st.path, pa, args.timeout)

    done = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for st, pa, res, err in ex.map(job, jobs):
            done += 1
            name = os.path.basename(pa)
            if err:
                failures.append({"story": st.rel, "pa": name, "error": err})
                log(f"FAILED {st.rel} vs {name}: {err}")
                continue
            passages, chars = res
            if chars is not None and chars != len(st.text):
                warn(f"{st.rel}: JSON a.chars = {chars} but the story has {len(st.text)} characters")
            for a0, a1, b0, b1, kind in passages:
                st.spans.append((name, a0, a1, b0, b1, kind))
                st.pred.setdefault(kind, set()).update(
                    charset([(a0, a1)], st.text, args.count_whitespace))
            if not args.json and sys.stderr.isatty():
                print(f"\r{done}/{len(jobs)} compares", end="", file=sys.stderr, flush=True)
    if not args.json and sys.stderr.isatty() and jobs:
        print(file=sys.stderr)

    # span level, pooled
    annotated = [s for s in stories if s.gold is not None]
    pooled = {m: [0, 0, 0] for m in METRICS}
    by_label = {}
    per_story = []
    for st in annotated:
        c = story_counts(st.gold, st.pred)
        for m, v in c.items():
            for i in range(3):
                pooled[m][i] += v[i]
        bl = by_label.setdefault(st.label or "unlabelled", [0, 0, 0])
        for i in range(3):
            bl[i] += c["reused"][i]
        per_story.append((prf(*c["reused"])["f1"], st, c))
    spans = {m: prf(*v) for m, v in pooled.items()}
    reused_by_label = {k: prf(*v) for k, v in sorted(by_label.items())}

    # document level
    doc = {}
    gold_doc = {}
    cov_labels = []
    for st in stories:
        n = len(charset([(0, len(st.text))], st.text, args.count_whitespace)) or 1
        cov = len(set().union(*st.pred.values())) / n if st.pred else 0.0
        lab = st.label or "unlabelled"
        doc.setdefault(lab, []).append(cov)
        cov_labels.append((cov, st.label))
        if st.gold is not None:
            gold_doc.setdefault(lab, []).append(
                len(st.gold["Verbatim"] | st.gold["Rewrite"]) / n)

    kinds = {}
    for st in stories:
        for *_, k in st.spans:
            kinds[k] = kinds.get(k, 0) + 1
    result = {
        "meter": args.meter, "whence": args.whence, "extra_args": extra,
        "count_whitespace": args.count_whitespace,
        "annotated_stories": len(annotated), "stories": len(stories),
        "compares": len(jobs), "failed_compares": len(failures),
        "passages": sum(len(s.spans) for s in stories), "passage_kinds": kinds,
        "seconds": round(time.time() - t0, 2),
        "spans": spans, "reused_by_label": reused_by_label,
        "coverage_by_label": {k: summarize(v) for k, v in sorted(doc.items())},
        "annotated_coverage_by_label": {k: summarize(v) for k, v in sorted(gold_doc.items())},
        "best_thresholds": best_thresholds(cov_labels),
        "failures": failures, "warnings": warnings,
    }
    worst = sorted(per_story, key=lambda x: (x[0], x[1].rel))[:max(0, args.worst)]
    if args.json:
        if args.worst:
            result["worst"] = [worst_entry(f, st) for f, st, _ in worst]
        print(json.dumps(result, indent=1))
    else:
        print_report(result)
        if args.worst:
            print(f"\n=== {len(worst)} annotated stories with the lowest reused F1 ===")
            for f, st, _ in worst:
                e = worst_entry(f, st)
                print(f"\n{e['story']} ({e['label']}): reused F1 {f:.3f}; annotated "
                      f"V {e['gold_chars']['Verbatim']} R {e['gold_chars']['Rewrite']} "
                      f"N {e['gold_chars']['New']} chars; whence {e['pred_chars']}")
                for sp in e["passages"][:15]:
                    print(f"  {sp['pa']} {sp['kind']} a[{sp['a'][0]},{sp['a'][1]}) "
                          f"b[{sp['b'][0]},{sp['b'][1]}) {sp['text']!r}")
    return 1 if failures else 0


def worst_entry(f, st):
    return {"story": st.rel, "label": st.label, "reused_f1": f,
            "gold_chars": {k: len(v) for k, v in st.gold.items()},
            "pred_chars": {k: len(v) for k, v in sorted(st.pred.items())},
            "passages": [{"pa": pa, "kind": k, "a": [a0, a1], "b": [b0, b1],
                          "text": st.text[a0:a1][:80]}
                         for pa, a0, a1, b0, b1, k in sorted(st.spans, key=lambda x: x[1])]}


def print_report(r):
    if r["warnings"]:
        print(f"warnings ({len(r['warnings'])}):")
        for m in r["warnings"][:20]:
            print("  " + m)
        if len(r["warnings"]) > 20:
            print(f"  ... {len(r['warnings']) - 20} more (see --json)")
    ws = "all characters" if r["count_whitespace"] else "non-whitespace characters"
    print(f"whence: {r['whence']} {' '.join(r['extra_args'])}".rstrip())
    print(f"character-level, pooled over {r['annotated_stories']} annotated stories ({ws}):")
    print(f"  {'measure':24s} {'precision':>9s} {'recall':>7s} {'F1':>6s}")
    for m, v in r["spans"].items():
        print(f"  {m:24s} {v['precision']:9.4f} {v['recall']:7.4f} {v['f1']:6.4f}")
    print("  reused, by label:")
    for k, v in r["reused_by_label"].items():
        print(f"    {k:22s} {v['precision']:9.4f} {v['recall']:7.4f} {v['f1']:6.4f}")
    print(f"document coverage (reused / characters) by label, {r['stories']} stories:")
    for title, d in (("whence", r["coverage_by_label"]), ("annotated", r["annotated_coverage_by_label"])):
        for k, s in d.items():
            if s["n"]:
                print(f"  {title:9s} {k:10s} n {s['n']:3d}  mean {s['mean']:.3f}  q1 {s['q1']:.3f}  "
                      f"median {s['median']:.3f}  q3 {s['q3']:.3f}  (min {s['min']:.3f}, max {s['max']:.3f})")
    b = r["best_thresholds"]
    if b:
        print(f"best thresholds (in-sample, optimistic): non < {b['non_below']:.2f} <= partially < "
              f"{b['wholly_from']:.2f} <= wholly: macro F1 {b['macro_f1']:.3f}")
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["passage_kinds"].items()))
    print(f"compares {r['compares']}, failed {r['failed_compares']}, passages {r['passages']}"
          + (f" ({kinds})" if kinds else "") + f", seconds {r['seconds']}")
    if r["failures"]:
        print(f"{len(r['failures'])} compares FAILED (scored as no passages):")
        for f in r["failures"][:20]:
            print(f"  {f['story']} vs {f['pa']}: {f['error']}")
        if any("UTF-8" in f["error"] for f in r["failures"]):
            print("hint: METER files are ISO-8859-1; run with --extra-args --lossy")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:             # output piped into head etc.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
