#!/usr/bin/env python3
"""METER document-level derivation: `whence trace` against the METER labels.

METER corpus, courts domain (Gaizauskas, Clough et al. 2001).  Every newspaper
story listed in file_index/courts/{wholly,partially,non}_derived.txt (770
stories; the paths there start with `meter_corpus/` and are mapped under
--meter) is traced against the Press Association copy of its topic:

    whence trace STORY --in METER/PA/rawtexts/courts/DATE/TOPIC --json --lossy

(METER files are ISO-8859-1, hence --lossy; more flags with --extra-args).
The predicted `derivation` is scored against the label: confusion matrix,
per-class precision / recall / F1 and macro F1 (mean of the three F1s, as in
Clough et al. 2002, whose best is 0.664; the project's target is >= 0.80).

Stories whose topic folder has no PA file, or whose file is missing, are not
traced; they are listed and counted, not scored.  A trace that fails (exit
code, timeout, unusable JSON) is listed and not scored; the exit status is
then 1.

--features FILE dumps one record per traced story (label, prediction,
reused, number of sources, passages and characters by kind, longest passage,
story length, per-source reuse) for studying the decision rule.  The report
also gives the two thresholds on `reused` that would maximise macro F1 on
these stories (fitted in-sample, so optimistic): a yardstick for the rule.

Usage:
  python3 eval/meter_trace.py --whence target/release/whence \
      --meter ../shared/corpora/meter [--jobs 2] [--json] [--features FILE] \
      [--limit N] [--extra-args "..."]
Exit status: 0 ok or corpus absent (skipped); 1 some traces failed; 2 unusable input.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import glob
import json
import os
import shlex
import subprocess
import sys
import time

LABELS = ("wholly", "partially", "non")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def read_labels(meter):
    """-> [(rel 'DATE/TOPIC/NAME.txt', label)] in file order, and duplicate/conflict notes."""
    out, seen, notes = [], {}, []
    for lab in LABELS:
        p = os.path.join(meter, "file_index", "courts", f"{lab}_derived.txt")
        if not os.path.isfile(p):
            notes.append(f"missing label file {p}")
            continue
        with open(p, encoding="latin-1") as fh:
            for line in fh:
                line = line.strip()
                if "rawtexts/courts/" not in line:
                    continue
                rel = line.split("rawtexts/courts/", 1)[1]
                if rel in seen:
                    notes.append(f"{rel} listed as {seen[rel]} and {lab}; first kept")
                    continue
                seen[rel] = lab
                out.append((rel, lab))
    return out, notes


def pa_folder(meter, rel):
    return os.path.join(meter, "PA", "rawtexts", "courts", os.path.dirname(rel))


def run_trace(whence, extra, story, folder, timeout):
    cmd = [whence, "trace", story, "--in", folder, "--json", *extra]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s"
    except OSError as e:
        return None, f"cannot run {whence}: {e}"
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip()
        return None, f"exit code {p.returncode}; stderr: {err[-600:] or '(empty)'}"
    try:
        data = json.loads(p.stdout.decode("utf-8", "replace"))
        if data.get("derivation") not in LABELS:
            raise ValueError(f"derivation {data.get('derivation')!r} not in {LABELS}")
        return data, None
    except (ValueError, TypeError, AttributeError) as e:
        return None, (f"exit code 0 but unusable JSON ({type(e).__name__}: {e}); "
                      f"stdout starts {p.stdout[:160].decode('utf-8', 'replace')!r}")


def union_len(spans):
    total, end = 0, None
    for s, e in sorted(spans):
        if end is None or s > end:
            total += e - s
            end = e
        elif e > end:
            total += e - end
            end = e
    return total


def features(rel, label, data):
    doc = data.get("doc") or {}
    chars = doc.get("chars")
    bp = union_len([tuple(x) for x in doc.get("boilerplate") or []])
    by_kind, chars_kind, longest, srcs = {}, {}, 0, []
    for s in data.get("sources") or []:
        ps = s.get("passages") or []
        srcs.append({"id": s.get("id"), "reused": s.get("reused"), "passages": len(ps)})
        for q in ps:
            k = str(q.get("kind", "?"))
            n = q["a"][1] - q["a"][0]
            by_kind[k] = by_kind.get(k, 0) + 1
            chars_kind[k] = chars_kind.get(k, 0) + n
            longest = max(longest, n)
    return {"story": rel, "label": label, "derivation": data["derivation"],
            "reused": data.get("reused"), "chars": chars, "boilerplate_chars": bp,
            "sources": len(srcs), "sources_with_passages": sum(1 for s in srcs if s["passages"]),
            "passages_by_kind": by_kind, "chars_by_kind": chars_kind,
            "passages": sum(by_kind.values()), "longest_passage": longest,
            "novel_chars": union_len([tuple(x) for x in data.get("novel") or []]),
            "per_source": srcs}


def prf(conf):
    """conf[gold][pred] -> per-class dict and macro F1."""
    per = {}
    for c in LABELS:
        tp = conf[c][c]
        fp = sum(conf[g][c] for g in LABELS if g != c)
        fn = sum(conf[c][p] for p in LABELS if p != c)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[c] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
    macro = sum(per[c]["f1"] for c in LABELS) / len(LABELS)
    n = sum(conf[g][p] for g in LABELS for p in LABELS)
    acc = sum(conf[c][c] for c in LABELS) / n if n else 0.0
    return per, macro, acc


def confusion(pairs):
    conf = {g: {p: 0 for p in LABELS} for g in LABELS}
    for g, p in pairs:
        conf[g][p] += 1
    return conf


def best_thresholds(rows):
    """rows [(label, reused)]: thresholds lo < hi (non < lo <= partially < hi <= wholly)
    maximising macro F1 on these rows (in-sample)."""
    cands = [i / 100 for i in range(102)]  # 0.00 .. 1.01 in steps of 0.01
    best = (-1.0, None, None)
    for i, lo in enumerate(cands):
        for hi in cands[i:]:
            pairs = [(g, "non" if r < lo else "partially" if r < hi else "wholly")
                     for g, r in rows if r is not None]
            m = prf(confusion(pairs))[1]
            if m > best[0] + 1e-12:
                best = (m, lo, hi)
    return {"macro_f1": best[0], "non_below": best[1], "wholly_from": best[2]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="METER derivation (wholly/partially/non) of `whence trace`.")
    ap.add_argument("--whence", required=True)
    ap.add_argument("--meter", required=True, help="METER corpus root (has file_index/, PA/, newspapers/)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--features", help="write per-story features (JSON) here")
    ap.add_argument("--limit", type=int, default=0, help="first N labelled stories only")
    ap.add_argument("--extra-args", default="--lossy", help="extra trace flags (default --lossy)")
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args(argv)

    if not os.path.isdir(os.path.join(args.meter, "file_index", "courts")):
        log(f"SKIPPED: METER corpus not found at {args.meter} (no file_index/courts)")
        return 0
    if not (os.path.isfile(args.whence) and os.access(args.whence, os.X_OK)):
        log(f"SKIPPED: whence binary not found at {args.whence}")
        return 0
    labelled, notes = read_labels(args.meter)
    for n in notes:
        log("warning: " + n)
    if not labelled:
        log("no labelled stories found")
        return 2
    if args.limit:
        labelled = labelled[: args.limit]
    extra = shlex.split(args.extra_args)

    todo, no_pa, missing = [], [], []
    for rel, lab in labelled:
        story = os.path.join(args.meter, "newspapers", "rawtexts", "courts", rel)
        folder = pa_folder(args.meter, rel)
        if not os.path.isfile(story):
            missing.append(rel)
        elif not glob.glob(os.path.join(folder, "*.txt")):
            no_pa.append({"story": rel, "label": lab, "folder": os.path.relpath(folder, args.meter)})
        else:
            todo.append((rel, lab, story, folder))

    t0 = time.monotonic()

    def job(item):
        rel, lab, story, folder = item
        return item, run_trace(args.whence, extra, story, folder, args.timeout)

    feats, failed = [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        for (rel, lab, _, _), (data, err) in ex.map(job, todo):
            if err:
                failed.append({"story": rel, "error": err})
                log(f"{rel}: {err}")
            else:
                feats.append(features(rel, lab, data))
    secs = time.monotonic() - t0

    conf = confusion([(f["label"], f["derivation"]) for f in feats])
    per, macro, acc = prf(conf)
    report = {
        "stories_labelled": len(labelled), "traced": len(feats), "failed": failed,
        "no_pa_file": no_pa, "missing_story_file": missing, "seconds": secs,
        "confusion": conf, "per_class": per, "macro_f1": macro, "accuracy": acc,
        "best_reused_thresholds_in_sample": best_thresholds([(f["label"], f["reused"]) for f in feats]),
        "reused_by_label": {lab: summarize([f["reused"] for f in feats if f["label"] == lab])
                            for lab in LABELS},
        "command": [args.whence, "trace", "STORY", "--in", "PA/rawtexts/courts/DATE/TOPIC", "--json", *extra],
    }
    if args.features:
        with open(args.features, "w", encoding="utf-8") as fh:
            json.dump(feats, fh, indent=1)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print_report(report)
    return 1 if failed else 0


def summarize(vals):
    v = sorted(x for x in vals if x is not None)
    if not v:
        return {"n": 0}
    q = lambda p: v[min(len(v) - 1, int(p * len(v)))]  # noqa: E731
    return {"n": len(v), "mean": sum(v) / len(v), "q25": q(0.25), "median": q(0.5), "q75": q(0.75)}


def print_report(r):
    print(f"METER courts: {r['stories_labelled']} labelled stories, {r['traced']} traced in "
          f"{r['seconds']:.1f}s; {len(r['failed'])} failed, {len(r['no_pa_file'])} without a PA file, "
          f"{len(r['missing_story_file'])} story files missing")
    print("confusion (rows gold, columns whence):")
    print("            " + "".join(f"{p:>11}" for p in LABELS))
    for g in LABELS:
        print(f"{g:>11} " + "".join(f"{r['confusion'][g][p]:>11}" for p in LABELS))
    for c in LABELS:
        m = r["per_class"][c]
        print(f"{c:>11}: P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  (n={m['support']})")
    print(f"macro F1 {r['macro_f1']:.4f}  (Clough et al. 2002 best 0.664; target >= 0.80); "
          f"accuracy {r['accuracy']:.4f}")
    b = r["best_reused_thresholds_in_sample"]
    print(f"in-sample best thresholds on reused: non < {b['non_below']} <= partially < "
          f"{b['wholly_from']} <= wholly -> macro F1 {b['macro_f1']:.4f} (optimistic)")
    for lab, s in r["reused_by_label"].items():
        if s["n"]:
            print(f"reused | {lab}: n={s['n']} mean {s['mean']:.3f} q25 {s['q25']:.3f} "
                  f"median {s['median']:.3f} q75 {s['q75']:.3f}")
    for x in r["no_pa_file"]:
        print(f"no PA file: {x['story']} ({x['label']}) in {x['folder']}")
    for x in r["missing_story_file"]:
        print(f"story file missing: {x}")
    for x in r["failed"][:20]:
        print(f"FAILED {x['story']}: {x['error']}")


if __name__ == "__main__":
    sys.exit(main())
