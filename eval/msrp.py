#!/usr/bin/env python3
"""MSRP paraphrase decision: accuracy and F1 of `whence similar --pairs`.

Reads the Microsoft Research Paraphrase Corpus file (tab-separated, header
`Quality  #1 ID  #2 ID  #1 String  #2 String`, Quality 1 = paraphrase), scores
every pair with one run of `whence similar --pairs FILE --json --features`, and
reports two decisions side by side:

- cosine: the older rule, `cosine >= threshold` (features.cosine);
- combined: whence's shipped decision, `score >= threshold`, where score is the
  probability of the logistic regression built into whence-embed (judge.rs).

For each: the threshold that maximises accuracy on a fixed part of the file
(the first --tune-fraction of its pairs, in file order: deterministic) and its
accuracy, precision, recall and F1 on the rest (held out); the shipped default
threshold on the same parts; and a 5-fold cross-validation over the whole file
(contiguous folds in file order) in which everything that is fitted -- the
cosine threshold, or the regression weights and its threshold -- is fitted on
four folds and measured on the fifth (mean and sample sd over the folds).
`--fit` also refits the regression on the tune part and prints its weights
(this is how the constants in crates/embed/src/judge.rs were obtained).

    python3 eval/msrp.py --whence target/release/whence \
        --msrp ../shared/corpora/msrp/msr_paraphrase_train.txt [--model DIR] [--json]

Prints SKIPPED and exits 0 when the corpus or the binary is absent.
Standard library only.
"""

import argparse
import json
import math
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


# The regression inputs whence prints with --features, in whence's order
# (crates/embed/src/judge.rs FEATURE_NAMES).
FEATURES = ["cosine", "align_f", "align_min", "word_f", "word_min", "bigram_f",
            "length_ratio", "ln1p_number_mismatch", "ln1p_name_mismatch"]
SHIPPED_COSINE_THRESHOLD = 0.724
SHIPPED_JUDGE_THRESHOLD = 0.42
L2 = 1.0


def _solve(a, b):
    """Solves a x = b (Gaussian elimination with partial pivoting)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        if m[c][c] == 0:
            continue
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] if m[i][i] else 0.0 for i in range(n)]


def fit_logistic(xs, ys, l2=L2, iters=50):
    """L2-regularised logistic regression by Newton's method on standardised
    inputs (penalty l2 on the coefficients, not the intercept). Returns
    (bias, coefficients) for the raw inputs."""
    d, n = len(xs[0]), len(xs)
    mu = [sum(r[j] for r in xs) / n for j in range(d)]
    sd = [math.sqrt(sum((r[j] - mu[j]) ** 2 for r in xs) / n) or 1.0 for j in range(d)]
    z = [[1.0] + [(r[j] - mu[j]) / sd[j] for j in range(d)] for r in xs]
    w = [0.0] * (d + 1)
    for _ in range(iters):
        g = [0.0] * (d + 1)
        h = [[0.0] * (d + 1) for _ in range(d + 1)]
        for zi, y in zip(z, ys):
            p = _sigmoid(sum(a * b for a, b in zip(w, zi)))
            for i in range(d + 1):
                g[i] += (p - y) * zi[i]
                hi = h[i]
                for j in range(d + 1):
                    hi[j] += p * (1 - p) * zi[i] * zi[j]
        for i in range(1, d + 1):
            g[i] += l2 * w[i]
            h[i][i] += l2
        step = _solve(h, g)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(x) for x in step) < 1e-10:
            break
    coef = [w[j + 1] / sd[j] for j in range(d)]
    bias = w[0] - sum(w[j + 1] * mu[j] / sd[j] for j in range(d))
    return bias, coef


def _sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def predict(bias, coef, x):
    return _sigmoid(bias + sum(a * b for a, b in zip(coef, x)))


def folds(n, k=5):
    """k contiguous folds in file order: [(lo, hi)]."""
    return [(n * i // k, n * (i + 1) // k) for i in range(k)]


def mean_sd(xs):
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return m, sd


def cross_validate(labels, xs, fit_regression, k=5):
    """k-fold CV. xs: one feature vector per pair. fit_regression: False -> the
    decision is xs[i][0] >= t with t fitted on the training folds (the cosine
    rule); True -> a logistic regression and its threshold fitted on the
    training folds. Returns per-fold metrics and mean/sd of accuracy and F1."""
    per = []
    for lo, hi in folds(len(labels), k):
        tx, ty = xs[:lo] + xs[hi:], labels[:lo] + labels[hi:]
        if fit_regression:
            b, c = fit_logistic(tx, ty)
            train_scores = [predict(b, c, x) for x in tx]
            test_scores = [predict(b, c, x) for x in xs[lo:hi]]
        else:
            train_scores = [x[0] for x in tx]
            test_scores = [x[0] for x in xs[lo:hi]]
        t = best_threshold(ty, train_scores)
        per.append(metrics(labels[lo:hi], test_scores, t))
    acc = mean_sd([m["accuracy"] for m in per])
    f1 = mean_sd([m["f1"] for m in per])
    return {"folds": per, "accuracy_mean": acc[0], "accuracy_sd": acc[1],
            "f1_mean": f1[0], "f1_sd": f1[1]}


def rows_with_whence(whence, pairs, model=None, extra=()):
    """Runs `whence similar --pairs … --json --features`; returns (rows, seconds)."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False,
                                     encoding="utf-8") as f:
        for _, a, b in pairs:
            f.write(f"{a}\t{b}\n")
        tsv = f.name
    try:
        cmd = [whence, "similar", "--pairs", tsv, "--json", "--features", *extra]
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
    check_rows(rows, len(pairs))
    return rows, elapsed


def check_rows(rows, n):
    if len(rows) != n:
        raise SystemExit(f"expected {n} result lines, got {len(rows)}")
    for i, r in enumerate(rows, 1):
        if r.get("line") != i or "score" not in r or "features" not in r:
            raise SystemExit(f"unexpected result for line {i}: {r}")
        missing = [k for k in FEATURES if k not in r["features"]]
        if missing:
            raise SystemExit(f"line {i}: features lack {missing}")


def score_with_whence(whence, pairs, model=None, extra=()):
    """The combined score of every pair: (scores, seconds)."""
    rows, elapsed = rows_with_whence(whence, pairs, model, extra)
    return [r["score"] for r in rows], elapsed


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


def compare(pairs, rows, tune_fraction, cosine_threshold=SHIPPED_COSINE_THRESHOLD,
            judge_threshold=SHIPPED_JUDGE_THRESHOLD, fit=False):
    """Both decisions on the same rows: split evaluation and 5-fold CV."""
    labels = [p[0] for p in pairs]
    xs = [[float(r["features"][k]) for k in FEATURES] for r in rows]
    cos = [x[0] for x in xs]
    combined = [float(r["score"]) for r in rows]
    out = {"cosine": evaluate(pairs, cos, tune_fraction, cosine_threshold),
           "combined": evaluate(pairs, combined, tune_fraction, judge_threshold)}
    out["cosine"]["cv5"] = cross_validate(labels, xs, fit_regression=False)
    out["combined"]["cv5"] = cross_validate(labels, xs, fit_regression=True)
    if fit:
        cut = int(len(pairs) * tune_fraction)
        b, c = fit_logistic(xs[:cut], labels[:cut])
        refit = [predict(b, c, x) for x in xs]
        out["refit"] = evaluate(pairs, refit, tune_fraction)
        out["refit"]["bias"] = b
        out["refit"]["weights"] = dict(zip(FEATURES, c))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--whence", default="target/release/whence")
    ap.add_argument("--msrp", required=True, help="msr_paraphrase_train.txt (or test)")
    ap.add_argument("--model", help="model directory (default: whence's own search)")
    ap.add_argument("--tune-fraction", type=float, default=0.7)
    ap.add_argument("--cosine-threshold", type=float, default=SHIPPED_COSINE_THRESHOLD,
                    help="fixed threshold evaluated for the cosine rule")
    ap.add_argument("--threshold", type=float, default=SHIPPED_JUDGE_THRESHOLD,
                    help="fixed threshold evaluated for the combined score")
    ap.add_argument("--fit", action="store_true",
                    help="refit the regression on the tune part and print its weights")
    ap.add_argument("--save-rows", metavar="FILE", help="write whence's JSON lines")
    ap.add_argument("--rows", metavar="FILE",
                    help="read JSON lines saved by --save-rows instead of running whence")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if not os.path.isfile(a.msrp):
        print(f"SKIPPED: no MSRP file at {a.msrp}")
        return 0
    if not a.rows and not (os.path.isfile(a.whence) and os.access(a.whence, os.X_OK)):
        print(f"SKIPPED: no whence binary at {a.whence}")
        return 0
    pairs, bad = read_msrp(a.msrp)
    if a.rows:
        with open(a.rows, encoding="utf-8") as f:
            rows = [json.loads(l) for l in f if l.strip()]
        check_rows(rows, len(pairs))
        elapsed = None
    else:
        rows, elapsed = rows_with_whence(a.whence, pairs, a.model)
    if a.save_rows:
        with open(a.save_rows, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
    res = compare(pairs, rows, a.tune_fraction, a.cosine_threshold, a.threshold, a.fit)
    res["malformed_lines"] = bad
    res["seconds"] = round(elapsed, 2) if elapsed else None
    res["sentences_per_second"] = round(2 * len(pairs) / elapsed, 1) if elapsed else None
    if a.json:
        print(json.dumps(res, indent=2))
        return 0
    speed = (f"scored in {elapsed:.1f} s ({res['sentences_per_second']} sentences/s incl. load)"
             if elapsed else f"rows read from {a.rows}")
    print(f"MSRP {a.msrp}: {len(pairs)} pairs ({len(bad)} malformed lines skipped), {speed}")

    def row(name, m):
        print(f"  {name:<28} n={m['n']:<5} acc={m['accuracy']:.4f} P={m['precision']:.4f} "
              f"R={m['recall']:.4f} F1={m['f1']:.4f} (majority {m['majority']:.4f})")
    for key, title in (("cosine", "cosine rule"), ("combined", "combined decision (score)"),
                       ("refit", "regression refitted here")):
        if key not in res:
            continue
        r = res[key]
        print(f"{title}: threshold chosen on the first {r['tune_pairs']} pairs: "
              f"{r['chosen_threshold']}")
        row("tune (in-sample)", r["tune"])
        row("held out", r["held_out"])
        row("all of the file", r["all"])
        if "fixed" in r:
            row(f"held out, fixed {r['fixed_threshold']}", r["fixed"]["held_out"])
        if "cv5" in r:
            cv = r["cv5"]
            print(f"  5-fold CV (refitted per fold): acc={cv['accuracy_mean']:.4f}"
                  f"±{cv['accuracy_sd']:.4f} F1={cv['f1_mean']:.4f}±{cv['f1_sd']:.4f}")
        if "weights" in r:
            print(f"  bias {r['bias']!r}")
            for k, v in r["weights"].items():
                print(f"  {k:<22} {v!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
