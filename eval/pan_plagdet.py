#!/usr/bin/env python3
"""PAN text-alignment evaluation of `whence compare` (PlagDet).

Measures, as defined by Potthast, Stein, Barron-Cedeno and Rosso, "An Evaluation
Framework for Plagiarism Detection" (COLING 2010) and implemented by PAN's
official `perfmeasures.py` (macro and micro variants):

  A case s (truth) and a detection r are annotations: a span of the suspicious
  document and a span of a source document.  r *detects* s when both belong to
  the same suspicious/source documents and r overlaps s in the suspicious
  document AND in the source document.  s ⊓ r is then their overlap on both
  sides (otherwise empty); sizes |.| count the characters of both sides.

  macro recall    = 1/|S| * sum_s |U_{r detects s} (s ⊓ r)| / |s|
  macro precision = 1/|R| * sum_r |U_{s detected by r} (s ⊓ r)| / |r|
  granularity     = mean, over detected cases, of the number of detections
                    that detect the case (1 if nothing is detected)
  plagdet         = F1(precision, recall) / log2(1 + granularity)

  micro recall/precision: characters of the union of all s ⊓ r over the
  characters of the union of all cases / all detections (each side counted per
  document).

Conventions copied from perfmeasures.py (so figures are comparable):
  * no cases and no detections -> recall = precision = 1; exactly one of them
    empty -> both 0 (so a run without detections scores plagdet 0);
  * annotations are collected into sets, i.e. identical duplicate detections
    count once (the driver reports how many duplicates it dropped);
  * plagdet is 0 when precision = recall = 0.
Deviations (only for input the official script would crash on or miscount):
  detections with an empty span on both sides are dropped and reported;
  detections for pairs outside the pair list are ignored and reported.

Driver: runs `whence compare --json SUSP SRC` for every pair of a PAN corpus
(A = suspicious, B = source), turns `passages[]` into detections
(this_offset = a[0], this_length = a[1]-a[0], source_offset = b[0],
source_length = b[1]-b[0]; JSON offsets are code points = Python str indices)
and scores them against truth/SUSP-SRC.xml.  `--detections DIR` scores existing
PAN detection XML instead.  `--worst N` prints the N pairs with the lowest
per-pair plagdet with their truth spans and detections.

Concurrency: a pool of --jobs worker threads, each waiting on one `whence`
child process, so at most --jobs whence processes run at once.

Examples:
  python3 eval/pan_plagdet.py --whence target/release/whence \
      --corpus ../shared/corpora/pan13-no-obfuscation --jobs 2 --worst 10
  python3 eval/pan_plagdet.py --corpus ../shared/corpora/pan13-no-obfuscation \
      --detections ../shared/corpora/pan13-no-obfuscation/truth   # -> 1.0
Exit status: 0 ok or corpus absent (skipped); 1 some compares failed (figures
still printed, failed pairs scored as having no detections); 2 unusable input
(whence binary missing, bad arguments).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import json
import math
import os
import re
import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import namedtuple
from xml.sax.saxutils import quoteattr

# susp/src are document names (file names as in PAN's `reference` attributes).
Ann = namedtuple("Ann", "susp toff tlen src soff slen")


# --------------------------------------------------------------------------
# measures
# --------------------------------------------------------------------------

def overlaps(a: Ann, b: Ann) -> bool:
    """a and b are in the same document pair and overlap on both sides."""
    return (a.susp == b.susp and a.src == b.src
            and b.toff < a.toff + a.tlen and a.toff < b.toff + b.tlen
            and b.soff < a.soff + a.slen and a.soff < b.soff + b.slen)


def _covered(start: int, length: int, spans) -> int:
    """Characters of [start, start+length) covered by the union of spans
    (iterable of (offset, length))."""
    end = start + length
    clipped = sorted((max(start, o), min(end, o + l)) for o, l in spans
                     if o < end and o + l > start)
    total, cur_s, cur_e = 0, None, None
    for s, e in clipped:
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def _union_len(spans) -> int:
    """Characters covered by the union of spans (offset, length)."""
    spans = [(o, l) for o, l in spans if l > 0]
    if not spans:
        return 0
    lo = min(o for o, _ in spans)
    hi = max(o + l for o, l in spans)
    return _covered(lo, hi - lo, spans)


def _index(anns):
    idx = {}
    for a in anns:
        idx.setdefault((a.susp, a.src), []).append(a)
    return idx


def case_recalls(cases, dets):
    """Per-case recall |U (s ⊓ r)| / |s| (both sides), in the order of cases."""
    idx = _index(dets)
    out = []
    for s in cases:
        rs = [r for r in idx.get((s.susp, s.src), ()) if overlaps(s, r)]
        if not rs:
            out.append(0.0)
            continue
        num = (_covered(s.toff, s.tlen, [(r.toff, r.tlen) for r in rs])
               + _covered(s.soff, s.slen, [(r.soff, r.slen) for r in rs]))
        den = s.tlen + s.slen
        out.append(num / den if den else 0.0)
    return out


def macro_recall(cases, dets) -> float:
    cases, dets = list(cases), list(dets)
    if not cases and not dets:
        return 1.0
    if not cases or not dets:
        return 0.0
    return sum(case_recalls(cases, dets)) / len(cases)


def macro_precision(cases, dets) -> float:
    # precision is recall with the roles of cases and detections swapped
    return macro_recall(dets, cases)


def detections_per_case(cases, dets):
    idx = _index(dets)
    return [sum(1 for r in idx.get((s.susp, s.src), ()) if overlaps(s, r))
            for s in cases]


def granularity(cases, dets) -> float:
    counts = [c for c in detections_per_case(cases, dets) if c > 0]
    return sum(counts) / len(counts) if counts else 1.0


def _count_chars(anns) -> int:
    """Characters covered by anns, each side counted per document."""
    by_t, by_s = {}, {}
    for a in anns:
        by_t.setdefault(a.susp, []).append((a.toff, a.tlen))
        by_s.setdefault(a.src, []).append((a.soff, a.slen))
    return (sum(_union_len(v) for v in by_t.values())
            + sum(_union_len(v) for v in by_s.values()))


def _intersection(s: Ann, r: Ann) -> Ann:
    t0, s0 = max(s.toff, r.toff), max(s.soff, r.soff)
    t1 = min(s.toff + s.tlen, r.toff + r.tlen)
    s1 = min(s.soff + s.slen, r.soff + r.slen)
    return Ann(s.susp, t0, t1 - t0, s.src, s0, s1 - s0)


def micro_recall_precision(cases, dets):
    cases, dets = list(cases), list(dets)
    if not cases and not dets:
        return 1.0, 1.0
    if not cases or not dets:
        return 0.0, 0.0
    idx = _index(dets)
    true = [_intersection(s, r) for s in cases
            for r in idx.get((s.susp, s.src), ()) if overlaps(s, r)]
    hit = _count_chars(true)
    n_cases, n_dets = _count_chars(cases), _count_chars(dets)
    return (hit / n_cases if n_cases else 0.0,
            hit / n_dets if n_dets else 0.0)


def plagdet_score(recall: float, precision: float, gran: float) -> float:
    if (recall == 0 and precision == 0) or recall < 0 or precision < 0 or gran < 1:
        return 0.0
    f1 = 2 * recall * precision / (recall + precision)
    return f1 / math.log2(1 + gran)


def evaluate(cases, dets) -> dict:
    """All measures for a set of cases and detections (sets, as PAN does)."""
    cases, dets = sorted(set(cases)), sorted(set(dets))
    rec, prec = macro_recall(cases, dets), macro_precision(cases, dets)
    gran = granularity(cases, dets)
    mrec, mprec = micro_recall_precision(cases, dets)
    return {
        "precision": prec, "recall": rec, "granularity": gran,
        "plagdet": plagdet_score(rec, prec, gran),
        "micro_precision": mprec, "micro_recall": mrec,
        "micro_plagdet": plagdet_score(mrec, mprec, gran),
        "cases": len(cases), "detections": len(dets),
    }


# --------------------------------------------------------------------------
# PAN XML
# --------------------------------------------------------------------------

def read_pan_xml(path: str, warn):
    """Annotations of one PAN XML file (features whose name ends with
    'plagiarism': truth 'plagiarism', detections 'detected-plagiarism')."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        warn(f"cannot read {path}: {e}")
        return []
    ref = root.get("reference")
    if not ref:
        warn(f"{path}: <document> has no reference attribute, ignored")
        return []
    anns = []
    for f in root.iter("feature"):
        if not (f.get("name") or "").endswith("plagiarism"):
            continue
        try:
            a = Ann(ref, int(f.get("this_offset")), int(f.get("this_length")),
                    f.get("source_reference"), int(f.get("source_offset")),
                    int(f.get("source_length")))
        except (TypeError, ValueError):
            warn(f"{path}: feature without integer this_/source_ offset/length "
                 f"or source_reference, ignored: {ET.tostring(f, 'unicode').strip()[:200]}")
            continue
        if a.src is None:
            warn(f"{path}: feature without source_reference, ignored")
            continue
        anns.append(a)
    return anns


def write_pan_xml(path: str, susp: str, dets) -> None:
    lines = [f"<document reference={quoteattr(susp)}>"]
    for d in dets:
        lines.append(
            f'<feature name="detected-plagiarism" this_offset="{d.toff}" '
            f'this_length="{d.tlen}" source_reference={quoteattr(d.src)} '
            f'source_offset="{d.soff}" source_length="{d.slen}"/>')
    lines.append("</document>")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def stem(name: str) -> str:
    return name[:-4] if name.endswith(".txt") else name


def read_text(path: str) -> str:
    # newline='' keeps '\r' so str indices are the file's code points
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        return fh.read()


# --------------------------------------------------------------------------
# truth check (diagnostic)
# --------------------------------------------------------------------------

WORD = re.compile(r"\w+")


def locate_case(case, susp_text, src_text, window=5000, slack=50, min_run=5, max_gap=20):
    """Where the text of a truth case actually is: the word-level alignment of
    the case's source text (its span +- slack chars) with the suspicious text
    around its offset (+- window chars).  Word-bounded, so approximate at the
    edges.  -> Ann or None when no run of min_run words matches."""
    a_lo, a_hi = max(0, case.toff - window), min(len(susp_text), case.toff + case.tlen + window)
    b_lo, b_hi = max(0, case.soff - slack), min(len(src_text), case.soff + case.slen + slack)
    ta = [(m.group(), m.start(), m.end()) for m in WORD.finditer(susp_text, a_lo, a_hi)]
    tb = [(m.group(), m.start(), m.end()) for m in WORD.finditer(src_text, b_lo, b_hi)]
    sm = difflib.SequenceMatcher(None, [w for w, _, _ in ta], [w for w, _, _ in tb], autojunk=False)
    blocks = [b for b in sm.get_matching_blocks() if b.size >= min_run]
    if not blocks:
        return None
    i = j = max(range(len(blocks)), key=lambda k: blocks[k].size)
    while i > 0 and (blocks[i].a - blocks[i - 1].a - blocks[i - 1].size <= max_gap
                     and blocks[i].b - blocks[i - 1].b - blocks[i - 1].size <= max_gap):
        i -= 1
    while j + 1 < len(blocks) and (blocks[j + 1].a - blocks[j].a - blocks[j].size <= max_gap
                                   and blocks[j + 1].b - blocks[j].b - blocks[j].size <= max_gap):
        j += 1
    first, last = blocks[i], blocks[j]
    a0, a1 = ta[first.a][1], ta[last.a + last.size - 1][2]
    b0, b1 = tb[first.b][1], tb[last.b + last.size - 1][2]
    return Ann(case.susp, a0, a1 - a0, case.src, b0, b1 - b0)


def check_truth(corpus, pairs):
    """Locate every truth case in the texts.  -> (summary dict, {case: located})."""
    located, buckets, examples = {}, {"<=5": 0, "6-50": 0, ">50": 0, "not found": 0}, []
    for p in pairs:
        if not p.cases:
            continue
        st, ss = _texts(corpus, p)
        for c in p.cases:
            loc = locate_case(c, st, ss)
            if loc is None:
                buckets["not found"] += 1
                continue
            located[c] = loc
            d = max(abs(loc.toff - c.toff), abs(loc.soff - c.soff),
                    abs(loc.toff + loc.tlen - c.toff - c.tlen),
                    abs(loc.soff + loc.slen - c.soff - c.slen))
            buckets["<=5" if d <= 5 else "6-50" if d <= 50 else ">50"] += 1
            if d > 50:
                examples.append({"pair": p.name, "truth_susp": [c.toff, c.toff + c.tlen],
                                 "text_susp": [loc.toff, loc.toff + loc.tlen],
                                 "truth_src": [c.soff, c.soff + c.slen],
                                 "text_src": [loc.soff, loc.soff + loc.slen]})
    cases = [c for p in pairs for c in p.cases]
    ceiling = evaluate(cases, [located.get(c, c) for c in cases])
    summary = {"largest_boundary_offset": buckets,
               "ceiling": {k: ceiling[k] for k in ("plagdet", "precision", "recall", "granularity")},
               "examples_over_50": examples[:20],
               "note": "cases located by word alignment (approximate at the edges); "
                       "'ceiling' scores the located spans against the truth as given"}
    return summary, located


# --------------------------------------------------------------------------
# running whence
# --------------------------------------------------------------------------

def run_compare(whence, extra, susp_path, src_path, timeout):
    """Returns (passages, error). passages: list of (a0, a1, b0, b1, kind, score)."""
    cmd = [whence, "compare", "--json", *extra, susp_path, src_path]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s"
    except OSError as e:
        return None, f"cannot run {whence}: {e}"
    stderr = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode != 0:
        return None, f"exit code {p.returncode}; stderr: {stderr[-800:] or '(empty)'}"
    try:
        data = json.loads(p.stdout.decode("utf-8", "replace"))
    except ValueError as e:
        head = p.stdout[:200].decode("utf-8", "replace")
        return None, f"exit code 0 but stdout is not JSON ({e}); stdout starts {head!r}; stderr: {stderr[-400:]}"
    return parse_compare_json(data)


def parse_compare_json(data):
    """passages[] of a `whence compare --json` result -> (list, error)."""
    if not isinstance(data, dict) or not isinstance(data.get("passages"), list):
        return None, "JSON has no passages[] list"
    out = []
    for i, p in enumerate(data["passages"]):
        try:
            (a0, a1), (b0, b1) = p["a"], p["b"]
            if not all(isinstance(x, int) and not isinstance(x, bool) for x in (a0, a1, b0, b1)):
                raise TypeError
        except (KeyError, TypeError, ValueError):
            return None, f"passages[{i}] has no integer a/b [start, end) spans: {json.dumps(p)[:200]}"
        out.append((a0, a1, b0, b1, p.get("kind"), p.get("score")))
    chars = (data.get("a", {}).get("chars") if isinstance(data.get("a"), dict) else None,
             data.get("b", {}).get("chars") if isinstance(data.get("b"), dict) else None)
    return (out, chars), None


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------

class Pair:
    def __init__(self, susp, src):
        self.susp, self.src = susp, src
        self.cases, self.dets = [], []
        self.kinds = {}            # det -> (kind, score)
        self.error = None
        self.scores = None

    @property
    def name(self):
        return f"{stem(self.susp)}-{stem(self.src)}"


def read_pairs(corpus, warn):
    pairs = []
    with open(os.path.join(corpus, "pairs"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2:
                warn(f"pairs line {n} is not 'SUSP SRC', ignored: {line.strip()!r}")
                continue
            pairs.append(Pair(*parts))
    return pairs


def passages_to_dets(pair, passages, a_len, b_len, stats):
    for a0, a1, b0, b1, kind, score in passages:
        if a1 <= a0 and b1 <= b0:
            stats["empty"] += 1
            continue
        if not (0 <= a0 <= a1 <= a_len and 0 <= b0 <= b1 <= b_len):
            stats["out_of_range"] += 1
            stats["messages"].append(
                f"{pair.name}: passage a=[{a0},{a1}) b=[{b0},{b1}) outside the texts "
                f"({a_len}, {b_len} chars) or reversed")
        d = Ann(pair.susp, a0, a1 - a0, pair.src, b0, b1 - b0)
        if d in pair.kinds:
            stats["duplicates"] += 1
            continue
        pair.dets.append(d)
        pair.kinds[d] = (kind, score)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="PAN PlagDet evaluation of `whence compare` (see module docstring).")
    ap.add_argument("--corpus", required=True,
                    help="PAN corpus dir with pairs, susp/, src/, truth/")
    ap.add_argument("--whence", help="path to the whence binary")
    ap.add_argument("--detections", metavar="DIR",
                    help="score existing PAN detection XML files in DIR instead of running whence")
    ap.add_argument("--jobs", type=int, default=2, help="whence processes at once (default 2)")
    ap.add_argument("--out", metavar="DIR", help="write PAN detection XML per pair here")
    ap.add_argument("--json", action="store_true", help="print the results as one JSON object")
    ap.add_argument("--limit", type=int, help="only the first N pairs of the pairs file")
    ap.add_argument("--extra-args", default="",
                    help="extra arguments for `whence compare`, inserted before the two paths")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per compare (default 600)")
    ap.add_argument("--worst", type=int, default=0, metavar="N",
                    help="list the N pairs with the lowest per-pair plagdet")
    ap.add_argument("--check-truth", action="store_true",
                    help="diagnostic: locate each truth case in the texts, report how far the "
                         "truth offsets are from the text, the score a perfect aligner gets "
                         "against this truth, and (with a run) the score against the located spans")
    argv = list(sys.argv[1:] if argv is None else argv)
    for i in range(len(argv) - 1):      # let `--extra-args "--flag"` through argparse
        if argv[i] == "--extra-args":
            argv[i:i + 2] = [f"--extra-args={argv[i + 1]}"]
            break
    args = ap.parse_args(argv)

    messages = []
    warn = messages.append
    log = (lambda m: print(m, file=sys.stderr)) if args.json else print

    if not os.path.isfile(os.path.join(args.corpus, "pairs")):
        log(f"SKIPPED: PAN corpus not found at {args.corpus} (no 'pairs' file)")
        if args.json:
            print(json.dumps({"skipped": True, "corpus": args.corpus}))
        return 0
    if args.jobs < 1:
        ap.error("--jobs must be >= 1")
    if args.whence and args.detections:
        ap.error("give only one of --whence PATH or --detections DIR")
    if not (args.whence or args.detections or args.check_truth):
        ap.error("give --whence PATH or --detections DIR (or --check-truth)")
    try:
        extra = shlex.split(args.extra_args)
    except ValueError as e:
        ap.error(f"--extra-args: {e}")
    if args.whence and not (os.path.isfile(args.whence) and os.access(args.whence, os.X_OK)):
        print(f"ERROR: whence binary not found or not executable: {args.whence}", file=sys.stderr)
        return 2
    if args.detections and not os.path.isdir(args.detections):
        print(f"ERROR: detections dir not found: {args.detections}", file=sys.stderr)
        return 2

    t_start = time.time()
    pairs = read_pairs(args.corpus, warn)
    if args.limit is not None:
        pairs = pairs[:max(0, args.limit)]
    by_key = {(p.susp, p.src): p for p in pairs}

    for p in pairs:
        tpath = os.path.join(args.corpus, "truth", p.name + ".xml")
        if not os.path.isfile(tpath):
            warn(f"{p.name}: no truth file {tpath}; pair has no cases")
            continue
        for a in read_pan_xml(tpath, warn):
            if (a.susp, a.src) != (p.susp, p.src):
                warn(f"{tpath}: case for {a.susp}/{a.src} does not match the pair, ignored")
            elif a.tlen + a.slen > 0:
                p.cases.append(a)

    stats = {"empty": 0, "out_of_range": 0, "duplicates": 0, "outside": 0, "messages": messages}
    failures = []
    kinds_count = {}
    if not (args.whence or args.detections):
        pass                                   # --check-truth only
    elif args.detections:
        files = sorted(os.path.join(args.detections, f) for f in os.listdir(args.detections)
                       if f.endswith(".xml"))
        for f in files:
            for d in read_pan_xml(f, warn):
                p = by_key.get((d.susp, d.src))
                if p is None:
                    stats["outside"] += 1
                elif d.tlen + d.slen == 0:
                    stats["empty"] += 1
                elif d in p.kinds:
                    stats["duplicates"] += 1
                else:
                    p.dets.append(d)
                    p.kinds[d] = (None, None)
    else:
        def job(p):
            sp = os.path.join(args.corpus, "susp", p.susp)
            rp = os.path.join(args.corpus, "src", p.src)
            for path in (sp, rp):
                if not os.path.isfile(path):
                    return p, None, f"missing document {path}"
            return (p, *run_compare(args.whence, extra, sp, rp, args.timeout))

        done = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            for p, res, err in ex.map(job, pairs):
                done += 1
                if err:
                    p.error = err
                    failures.append({"pair": p.name, "error": err})
                    log(f"FAILED {p.name}: {err}")
                    continue
                passages, (a_chars, b_chars) = res
                a_len = len(read_text(os.path.join(args.corpus, "susp", p.susp)))
                b_len = len(read_text(os.path.join(args.corpus, "src", p.src)))
                for side, got, want in (("a", a_chars, a_len), ("b", b_chars, b_len)):
                    if got is not None and got != want:
                        warn(f"{p.name}: JSON {side}.chars = {got} but the file has {want} code points")
                passages_to_dets(p, passages, a_len, b_len, stats)
                for d in p.dets:
                    k = p.kinds[d][0] or "?"
                    kinds_count[k] = kinds_count.get(k, 0) + 1
                if not args.json and sys.stderr.isatty():
                    print(f"\r{done}/{len(pairs)} pairs", end="", file=sys.stderr, flush=True)
        if not args.json and sys.stderr.isatty():
            print(file=sys.stderr)

    if stats["empty"]:
        warn(f"{stats['empty']} detections empty on both sides, dropped")
    if stats["duplicates"]:
        warn(f"{stats['duplicates']} duplicate detections (identical spans in one pair) counted once, as PAN does")
    if stats["outside"]:
        warn(f"{stats['outside']} detections for pairs not in the pair list (or beyond --limit), ignored")

    if args.out:
        os.makedirs(args.out, exist_ok=True)
        for p in pairs:
            if p.error is None:
                write_pan_xml(os.path.join(args.out, p.name + ".xml"), p.susp, p.dets)

    all_cases = [c for p in pairs for c in p.cases]
    all_dets = [d for p in pairs for d in p.dets]
    result = evaluate(all_cases, all_dets)
    for p in pairs:
        p.scores = evaluate(p.cases, p.dets)
    result.update({
        "pairs": len(pairs), "failed_pairs": len(failures),
        "seconds": round(time.time() - t_start, 2),
        "corpus": args.corpus,
        "source": args.detections or args.whence,
        "extra_args": extra,
        "detection_kinds": kinds_count,
        "failures": failures, "warnings": messages,
    })
    if not (args.whence or args.detections):
        result["source"] = None
    if args.check_truth:
        summary, located = check_truth(args.corpus, pairs)
        if args.whence or args.detections:
            fixed = evaluate([located.get(c, c) for c in all_cases], all_dets)
            summary["vs_located_truth"] = {k: fixed[k] for k in
                                           ("plagdet", "precision", "recall", "granularity")}
        result["truth_check"] = summary
    worst = sorted(pairs, key=lambda p: (p.scores["plagdet"], p.name))[:max(0, args.worst)]
    if args.json:
        if args.worst:
            result["worst"] = [worst_entry(args.corpus, p) for p in worst]
        print(json.dumps(result, indent=1))
    else:
        if result["source"]:
            print_report(result)
        if args.check_truth:
            print_truth_check(result["truth_check"])
        if args.worst:
            print_worst(args.corpus, worst)
    return 1 if failures else 0


# --------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------

def print_report(r):
    if r["warnings"]:
        print(f"warnings ({len(r['warnings'])}):")
        for m in r["warnings"][:30]:
            print("  " + m)
        if len(r["warnings"]) > 30:
            print(f"  ... {len(r['warnings']) - 30} more (see --json)")
    print(f"source:      {r['source']} {' '.join(r['extra_args'])}".rstrip())
    print(f"precision    {r['precision']:.4f}   (micro {r['micro_precision']:.4f})")
    print(f"recall       {r['recall']:.4f}   (micro {r['micro_recall']:.4f})")
    print(f"granularity  {r['granularity']:.4f}")
    print(f"plagdet      {r['plagdet']:.4f}   (micro {r['micro_plagdet']:.4f})")
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["detection_kinds"].items()))
    print(f"cases {r['cases']}, detections {r['detections']}"
          + (f" ({kinds})" if kinds else "")
          + f", pairs {r['pairs']}, failed pairs {r['failed_pairs']}, seconds {r['seconds']}")
    if r["failed_pairs"]:
        print(f"{r['failed_pairs']} compares FAILED (scored as no detections):")
        for f in r["failures"][:20]:
            print(f"  {f['pair']}: {f['error']}")


def print_truth_check(t):
    b = t["largest_boundary_offset"]
    print("truth check (diagnostic; cases located in the texts by word alignment):")
    print(f"  largest distance of a case boundary from the located text: <=5 chars {b['<=5']}, "
          f"6-50 {b['6-50']}, >50 {b['>50']}, not found {b['not found']}")
    c = t["ceiling"]
    print(f"  located spans as detections (~ a perfect aligner) score: plagdet {c['plagdet']:.4f} "
          f"(precision {c['precision']:.4f}, recall {c['recall']:.4f})")
    if "vs_located_truth" in t:
        v = t["vs_located_truth"]
        print(f"  these detections against the located spans: plagdet {v['plagdet']:.4f} "
              f"(precision {v['precision']:.4f}, recall {v['recall']:.4f}, "
              f"granularity {v['granularity']:.4f})")
    for e in t["examples_over_50"][:5]:
        print(f"  e.g. {e['pair']}: truth susp {e['truth_susp']} text {e['text_susp']}; "
              f"truth src {e['truth_src']} text {e['text_src']}")


def _snippet(text, start, end, n=80):
    s = text[max(0, start):max(0, min(end, start + n))]
    return s.replace("\r", "\\r").replace("\n", "\\n")


def _texts(corpus, p):
    try:
        return (read_text(os.path.join(corpus, "susp", p.susp)),
                read_text(os.path.join(corpus, "src", p.src)))
    except OSError:
        return "", ""


def worst_entry(corpus, p):
    st, ss = _texts(corpus, p)
    rec = case_recalls(p.cases, p.dets)
    ndet = detections_per_case(p.cases, p.dets)
    cases = [{"susp": [c.toff, c.toff + c.tlen], "src": [c.soff, c.soff + c.slen],
              "recall": rec[i], "detections": ndet[i],
              "susp_text": _snippet(st, c.toff, c.toff + c.tlen),
              "src_text": _snippet(ss, c.soff, c.soff + c.slen)}
             for i, c in enumerate(p.cases)]
    dets = []
    for d in sorted(p.dets):
        hits = [i for i, c in enumerate(p.cases) if overlaps(c, d)]
        kind, score = p.kinds.get(d, (None, None))
        prec = macro_recall([d], p.cases) if p.cases else 0.0
        dets.append({"susp": [d.toff, d.toff + d.tlen], "src": [d.soff, d.soff + d.slen],
                     "kind": kind, "score": score, "cases": hits, "precision": prec,
                     "susp_text": _snippet(st, d.toff, d.toff + d.tlen),
                     "src_text": _snippet(ss, d.soff, d.soff + d.slen)})
    return {"pair": p.name, "error": p.error,
            **{k: p.scores[k] for k in ("plagdet", "precision", "recall", "granularity")},
            "cases": cases, "detections": dets}


def print_worst(corpus, worst):
    print(f"\n=== {len(worst)} pairs with the lowest plagdet ===")
    for p in worst:
        e = worst_entry(corpus, p)
        print(f"\n{e['pair']}: plagdet {e['plagdet']:.3f}  precision {e['precision']:.3f}  "
              f"recall {e['recall']:.3f}  granularity {e['granularity']:.2f}"
              + (f"  [COMPARE FAILED: {e['error']}]" if e["error"] else ""))
        for i, c in enumerate(e["cases"]):
            print(f"  case {i}: susp [{c['susp'][0]},{c['susp'][1]}) src [{c['src'][0]},{c['src'][1]})"
                  f"  recall {c['recall']:.3f}, {c['detections']} detection(s)")
            print(f"    susp: {c['susp_text']!r}")
            print(f"    src:  {c['src_text']!r}")
        if not e["detections"]:
            print("  no detections")
        for d in e["detections"]:
            tag = ("case " + ",".join(map(str, d["cases"]))) if d["cases"] else "FALSE (detects no case)"
            extra = f" {d['kind']}" if d["kind"] else ""
            if d["score"] is not None:
                extra += f" score {d['score']}"
            print(f"  det{extra}: susp [{d['susp'][0]},{d['susp'][1]}) src [{d['src'][0]},{d['src'][1]})"
                  f"  -> {tag}, precision {d['precision']:.3f}")
            for ci in d["cases"]:
                c = e["cases"][ci]
                print(f"    vs case {ci}: susp start {d['susp'][0] - c['susp'][0]:+d} end "
                      f"{d['susp'][1] - c['susp'][1]:+d}; src start {d['src'][0] - c['src'][0]:+d} "
                      f"end {d['src'][1] - c['src'][1]:+d}")
            print(f"    susp: {d['susp_text']!r}")
            print(f"    src:  {d['src_text']!r}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:             # output piped into head etc.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
