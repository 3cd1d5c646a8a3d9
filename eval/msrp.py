#!/usr/bin/env python3
"""MSRP paraphrase decision: accuracy and F1 of `whence similar --pairs`.

Reads the Microsoft Research Paraphrase Corpus file (tab-separated, header
`Quality  #1 ID  #2 ID  #1 String  #2 String`, Quality 1 = paraphrase), scores
every pair with one run of `whence similar --pairs FILE --json`, chooses the
cosine threshold that maximises accuracy on a fixed part of the file (the
first --tune-fraction of its pairs, in file order: deterministic), and reports
accuracy, precision, recall and F1 of the decision `score >= threshold` on the
rest (held out) and on the whole file. `--threshold X` also evaluates a fixed
threshold (e.g. the built-in default) on the same parts.

    python3 eval/msrp.py --whence target/release/whence \
        --msrp ../shared/corpora/msrp/msr_paraphrase_train.txt [--model DIR] [--json]

Prints SKIPPED and exits 0 when the corpus or the binary is absent.
Standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def read_msrp(path):
    """Returns ([(label, s1, s2)], malformed_line_numbers)."""
    pairs, bad = [], []
    with open(path, encoding="utf-8-sig") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if no == 1 and line.startswith("Quality"):
                continue
            if not line.strip():
                continue
            cols = line.split("\t")
            if len(cols) != 5 or cols[0] not in ("0", "1"):
                bad.append(no)
                continue
            pairs.append((int(cols[0]), cols[3], cols[4]))
    return pairs, bad


def metrics(labels, scores, threshold):
    tp = fp = tn = fn = 0
    for y, s in zip(labels, scores):
        p = s >= threshold
        if p and y:
            tp += 1
        elif p:
            fp += 1
        elif y:
            fn += 1
        else:
            tn += 1
    n = tp + fp + tn + fn
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    pos = tp + fn
    return {"n": n, "accuracy": (tp + tn) / n if n else 0.0, "precision": prec,
            "recall": rec, "f1": f1, "majority": max(pos, n - pos) / n if n else 0.0}


def best_threshold(labels, scores):
    """Threshold maximising accuracy: a midpoint between consecutive distinct
    scores (or just below the lowest / above the highest). Ties go to the
    lowest such threshold, so the choice is deterministic."""
    if not scores:
        return 0.5
    order = sorted(zip(scores, labels))
    n = len(order)
    pos_total = sum(labels)
    # Threshold below everything: all predicted positive.
    correct = pos_total
    best = (correct, order[0][0] - 1e-6)
    i = 0
    while i < n:
        j = i
        while j < n and order[j][0] == order[i][0]:
            # Moving the threshold above this score turns it negative.
            correct += -1 if order[j][1] else 1
            j += 1
        t = (order[i][0] + order[j][0]) / 2 if j < n else order[i][0] + 1e-6
        if correct > best[0]:
            best = (correct, t)
        i = j
    return best[1]


def score_with_whence(whence, pairs, model=None, extra=()):
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False,
                                     encoding="utf-8") as f:
        for _, a, b in pairs:
            f.write(f"{a}\t{b}\n")
        tsv = f.name
    try:
        cmd = [whence, "similar", "--pairs", tsv, "--json", *extra]
        if model:
            cmd += ["--model", model]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.monotonic() - t0
    finally:
        os.unlink(tsv)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    rows = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    if len(rows) != len(pairs):
        raise SystemExit(f"expected {len(pairs)} result lines, got {len(rows)}")
    scores = []
    for i, r in enumerate(rows, 1):
        if r.get("line") != i or "score" not in r:
            raise SystemExit(f"unexpected result for line {i}: {r}")
        scores.append(r["score"])
    return scores, elapsed


def evaluate(pairs, scores, tune_fraction, fixed=None):
    labels = [p[0] for p in pairs]
    cut = int(len(pairs) * tune_fraction)
    tl, ts = labels[:cut], scores[:cut]
    hl, hs = labels[cut:], scores[cut:]
    t = best_threshold(tl, ts)
    out = {"pairs": len(pairs), "tune_pairs": cut, "held_out_pairs": len(pairs) - cut,
           "chosen_threshold": round(t, 6),
           "tune": metrics(tl, ts, t), "held_out": metrics(hl, hs, t),
           "all": metrics(labels, scores, t)}
    if fixed is not None:
        out["fixed_threshold"] = fixed
        out["fixed"] = {"tune": metrics(tl, ts, fixed), "held_out": metrics(hl, hs, fixed),
                        "all": metrics(labels, scores, fixed)}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--whence", default="target/release/whence")
    ap.add_argument("--msrp", required=True, help="msr_paraphrase_train.txt (or test)")
    ap.add_argument("--model", help="model directory (default: whence's own search)")
    ap.add_argument("--tune-fraction", type=float, default=0.7)
    ap.add_argument("--threshold", type=float, help="also evaluate this fixed threshold")
    ap.add_argument("--save-scores", metavar="FILE", help="write the scores, one a line")
    ap.add_argument("--scores", metavar="FILE",
                    help="read scores saved by --save-scores instead of running whence")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if not os.path.isfile(a.msrp):
        print(f"SKIPPED: no MSRP file at {a.msrp}")
        return 0
    if not a.scores and not (os.path.isfile(a.whence) and os.access(a.whence, os.X_OK)):
        print(f"SKIPPED: no whence binary at {a.whence}")
        return 0
    pairs, bad = read_msrp(a.msrp)
    if a.scores:
        scores = [float(l) for l in open(a.scores) if l.strip()]
        if len(scores) != len(pairs):
            raise SystemExit(f"{a.scores}: {len(scores)} scores for {len(pairs)} pairs")
        elapsed = None
    else:
        scores, elapsed = score_with_whence(a.whence, pairs, a.model)
    if a.save_scores:
        with open(a.save_scores, "w") as f:
            f.writelines(f"{s}\n" for s in scores)
    res = evaluate(pairs, scores, a.tune_fraction, a.threshold)
    res["malformed_lines"] = bad
    res["seconds"] = round(elapsed, 2) if elapsed else None
    res["sentences_per_second"] = round(2 * len(pairs) / elapsed, 1) if elapsed else None
    if a.json:
        print(json.dumps(res, indent=2))
        return 0
    speed = (f"scored in {elapsed:.1f} s ({res['sentences_per_second']} sentences/s incl. load)"
             if elapsed else f"scores read from {a.scores}")
    print(f"MSRP {a.msrp}: {len(pairs)} pairs ({len(bad)} malformed lines skipped), {speed}")
    print(f"threshold chosen on the first {res['tune_pairs']} pairs: {res['chosen_threshold']}")

    def row(name, m):
        print(f"  {name:<22} n={m['n']:<5} acc={m['accuracy']:.4f} P={m['precision']:.4f} "
              f"R={m['recall']:.4f} F1={m['f1']:.4f} (majority {m['majority']:.4f})")
    row("tune (in-sample)", res["tune"])
    row("held out", res["held_out"])
    row("all of the file", res["all"])
    if a.threshold is not None:
        print(f"fixed threshold {a.threshold}:")
        for k in ("tune", "held_out", "all"):
            row(k, res["fixed"][k])
    return 0


if __name__ == "__main__":
    sys.exit(main())
