#!/usr/bin/env python3
"""MSRP: classifiers on the sentence vectors themselves (SentEval/InferSent-style).

Study script (docs/embed-notes.md, "What was tried"). Asks whether the
paraphrase decision gains from feeding a classifier the two sentence vectors
u, v themselves -- [|u-v|, u*v] (768 inputs for all-MiniLM-L6-v2), optionally
u+v, alone or next to the nine inputs of the shipped judge (judge.rs) -- or
from token-alignment statistics (mean/max/min of each side's best-match
cosines), instead of the nine inputs alone.

Input: the MSRP train file and the JSON lines written by the
`pair_vectors` example for the same pairs in file order:

    CARGO_BUILD_JOBS=1 cargo build --release -p whence-embed --example pair_vectors
    python3 -c 'import sys; sys.path.insert(0, "eval"); import msrp
    p, _ = msrp.read_msrp("../shared/corpora/msrp/msr_paraphrase_train.txt")
    open("/tmp/msrp2/pairs.tsv", "w").writelines(f"{a}\\t{b}\\n" for _, a, b in p)'
    target/release/examples/pair_vectors ~/.cache/whence/models/all-MiniLM-L6-v2 \\
        < /tmp/msrp2/pairs.tsv > /tmp/msrp2/vectors.jsonl
    OPENBLAS_NUM_THREADS=1 python3 eval/msrp_vectors.py \\
        --msrp ../shared/corpora/msrp/msr_paraphrase_train.txt \\
        --vectors /tmp/msrp2/vectors.jsonl [--variants NAME,...] [--mlp] [--json]

Protocol (as eval/msrp.py and docs/embed-notes.md): "held out" = fitted on
the first 70% of the pairs in file order, measured on the last 30%; "CV" = 5
contiguous folds over the whole file, everything refitted on four folds and
measured on the fifth (mean and sample sd). Within each training part:

- inputs are standardised with the training part's mean and sd;
- the L2 penalty (on the standardised coefficients, intercept free; the
  objective is sum of log-losses + penalty/2 * |w|^2, as in msrp.py) is chosen
  from the variant's grid by an inner 5-fold contiguous CV on the training part
  (highest mean inner accuracy, each inner threshold fitted on the inner
  training folds; ties go to the larger penalty); then refitted on the whole
  training part;
- the decision threshold is chosen on the training part, two ways, both
  reported: "thr in-sample" maximises accuracy of the refitted model's own
  scores on its training pairs (what msrp.py does), "thr OOF" maximises
  accuracy of the inner-CV out-of-fold scores at the chosen penalty (less
  optimistic when the model has hundreds of inputs).

`--stack` adds stacking: the |u-v|, u*v regression (penalty by inner CV)
gives its inner-CV out-of-fold logit as a tenth input next to the nine
(penalty 1); on test pairs, the logit of that regression refitted on the whole
training part.

`--mlp` adds a one-hidden-layer network (tanh, numpy, full-batch Adam,
L2 weight decay, early stopping on the last 15% of the training part) on the
variants named by --mlp-variants.

Requires numpy. Prints SKIPPED and exits 0 when an input file is absent.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import msrp  # noqa: E402  (read_msrp, best_threshold, metrics, folds)

TUNE_FRACTION = 0.7
LOW = [0.01, 0.1, 1.0, 10.0, 100.0]          # penalties for a few inputs
HIGH = [10.0, 100.0, 1e3, 1e4, 1e5]          # penalties for hundreds of inputs


# ---------------------------------------------------------------- inputs ---

def load(vectors_path, cache=None):
    """Arrays from pair_vectors' JSON lines (cached as .npz when asked)."""
    if cache and os.path.isfile(cache):
        with np.load(cache) as z:
            return {k: z[k] for k in z.files}
    f, score, u, v, umax, vmax, tok = [], [], [], [], [], [], []
    with open(vectors_path, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            f.append(r["f"])
            score.append(r["score"])
            u.append(r["u"])
            v.append(r["v"])
            umax.append(r["umax"])
            vmax.append(r["vmax"])
            tok.append(token_stats(r["ba"], r["bb"]))
    d = {"f": np.array(f), "score": np.array(score), "u": np.array(u),
         "v": np.array(v), "umax": np.array(umax), "vmax": np.array(vmax),
         "tok": np.array(tok)}
    if cache:
        np.savez(cache, **d)
    return d


def token_stats(ba, bb):
    """Symmetric statistics of the per-token best-match cosines of the two
    sides: for each of mean, max, min, the lower and the higher of the two
    sides' values (6 numbers; 0 for a side without tokens)."""
    def st(x):
        return (sum(x) / len(x), max(x), min(x)) if x else (0.0, 0.0, 0.0)
    a, b = st(ba), st(bb)
    out = []
    for i in range(3):
        out += [min(a[i], b[i]), max(a[i], b[i])]
    return out


TOKEN_STAT_NAMES = ["mean_lo", "mean_hi", "max_lo", "max_hi", "min_lo", "min_hi"]


def blocks(d):
    """Named input blocks; every one symmetric in the two sentences."""
    u, v = d["u"], d["v"]
    return {
        "base9": d["f"],
        "diff": np.abs(u - v),
        "prod": u * v,
        "sum": u + v,
        "maxdiff": np.abs(d["umax"] - d["vmax"]),
        "maxprod": d["umax"] * d["vmax"],
        "tok": d["tok"],
    }


# name: (blocks, penalty grid, description[, blocks penalised at 1 instead:
# they must come first])
VARIANTS = {
    "base9_l1": (["base9"], [1.0], "nine shipped inputs, penalty 1 (shipped fit)"),
    "base9": (["base9"], LOW, "nine shipped inputs, penalty by inner CV"),
    "base9_tok": (["base9", "tok"], LOW,
                  "nine + token best-match mean/max/min per side (6)"),
    "dp": (["diff", "prod"], HIGH, "|u-v|, u*v (768)"),
    "dps": (["diff", "prod", "sum"], HIGH, "|u-v|, u*v, u+v (1152)"),
    "dp_base9": (["base9", "diff", "prod"], HIGH, "nine + |u-v|, u*v (777)"),
    "dps_base9": (["base9", "diff", "prod", "sum"], HIGH,
                  "nine + |u-v|, u*v, u+v (1161)"),
    "dp_base9_tok": (["base9", "tok", "diff", "prod"], HIGH,
                     "nine + token stats + |u-v|, u*v (783)"),
    "maxdp_base9": (["base9", "maxdiff", "maxprod"], HIGH,
                    "nine + |umax-vmax|, umax*vmax of max-pooled tokens (777)"),
    # The nine (and token stats) at the shipped penalty 1, only the vector
    # block's penalty from the grid:
    "dp_base9_light": (["base9", "diff", "prod"], HIGH,
                       "nine at penalty 1 + |u-v|, u*v at the chosen penalty (777)",
                       ["base9"]),
    "dp_base9_tok_light": (["base9", "tok", "diff", "prod"], HIGH,
                           "nine + token stats at penalty 1 + |u-v|, u*v (783)",
                           ["base9", "tok"]),
    "dp_maxdp_base9": (["base9", "diff", "prod", "maxdiff", "maxprod"], HIGH,
                       "nine + mean- and max-pooled |.-.|, .*. (1545)"),
}
DEFAULT_VARIANTS = ["base9_l1", "base9", "base9_tok", "dp", "dps", "dp_base9",
                    "dps_base9", "dp_base9_tok", "maxdp_base9"]


def matrix(bl, names):
    return np.hstack([bl[n] for n in names])


# ------------------------------------------------------------ regression ---

class Logistic:
    """L2-regularised logistic regression on standardised inputs (Newton)."""

    def __init__(self, mu, sd, w):
        self.mu, self.sd, self.w = mu, sd, w

    def score(self, x):
        z = (x - self.mu) / self.sd
        return sigmoid(self.w[0] + z @ self.w[1:])

    def raw(self):
        """(bias, coefficients) for unstandardised inputs."""
        coef = self.w[1:] / self.sd
        return self.w[0] - float(coef @ self.mu), coef


def sigmoid(t):
    return 0.5 * (1.0 + np.tanh(0.5 * t))


def standardiser(x):
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    return mu, sd


def newton(z1, y, lam, w=None, iters=60, tol=1e-9, light=0):
    """Minimises sum log-loss + lam/2 |w[1:]|^2; z1 has a leading 1 column.
    The first `light` inputs get penalty 1 instead of lam."""
    n, d = z1.shape
    w = np.zeros(d) if w is None else w.copy()
    reg = np.full(d, lam)
    reg[1:1 + light] = 1.0
    reg[0] = 0.0
    for _ in range(iters):
        p = sigmoid(z1 @ w)
        g = z1.T @ (p - y) + reg * w
        h = (z1 * (p * (1 - p))[:, None]).T @ z1
        h[np.diag_indices(d)] += reg
        step = np.linalg.solve(h, g)
        w -= step
        if np.max(np.abs(step)) < tol:
            break
    return w


def fit_logistic(x, y, lam, w=None, stats=None, light=0):
    mu, sd = stats or standardiser(x)
    z1 = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    return Logistic(mu, sd, newton(z1, y, lam, w, light=light))


def threshold(y, s):
    return msrp.best_threshold(list(map(int, y)), list(map(float, s)))


def accuracy(y, s, t):
    return float(np.mean((s >= t) == (y == 1)))


def fit_selected(x, y, grid, k=5, light=0):
    """Penalty by inner k-fold contiguous CV, refit on all of x.
    Returns (model, penalty, thr_in_sample, thr_oof, inner accuracies)."""
    order = sorted(grid, reverse=True)          # warm starts: strong -> weak
    oof = {lam: np.zeros(len(y)) for lam in order}
    acc = {lam: [] for lam in order}
    for lo, hi in msrp.folds(len(y), k):
        tr = np.r_[0:lo, hi:len(y)]
        stats = standardiser(x[tr])
        w = None
        for lam in order:
            m = fit_logistic(x[tr], y[tr], lam, w, stats, light)
            w = m.w
            t = threshold(y[tr], m.score(x[tr]))
            s = m.score(x[lo:hi])
            oof[lam][lo:hi] = s
            acc[lam].append(accuracy(y[lo:hi], s, t))
    mean_acc = {lam: float(np.mean(a)) for lam, a in acc.items()}
    best = max(order, key=lambda lam: (mean_acc[lam], lam))
    model = fit_logistic(x, y, best, light=light)
    t_in = threshold(y, model.score(x))
    t_oof = threshold(y, oof[best])
    return model, best, t_in, t_oof, mean_acc, oof[best]


# ------------------------------------------------------------------- MLP ---

class MLP:
    """One hidden layer (tanh), sigmoid output, standardised inputs."""

    def __init__(self, mu, sd, params):
        self.mu, self.sd, self.p = mu, sd, params

    def score(self, x):
        w1, b1, w2, b2 = self.p
        h = np.tanh(((x - self.mu) / self.sd) @ w1 + b1)
        return sigmoid(h @ w2 + b2)


def fit_mlp(x, y, hidden=64, decay=1e-3, lr=1e-3, epochs=2000, patience=100,
            val_fraction=0.15, seed=0):
    """Full-batch Adam on mean log-loss + decay/2 |W|^2, early stopping on the
    last val_fraction of (x, y) (contiguous), best-validation weights kept;
    then the threshold is chosen on the validation part's scores."""
    cut = int(len(y) * (1 - val_fraction))
    mu, sd = standardiser(x[:cut])
    z, zv = (x[:cut] - mu) / sd, (x[cut:] - mu) / sd
    yt, yv = y[:cut], y[cut:]
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    p = [rng.normal(0, 1 / math.sqrt(d), (d, hidden)), np.zeros(hidden),
         rng.normal(0, 1 / math.sqrt(hidden), hidden), np.zeros(())]
    m = [np.zeros_like(a) for a in p]
    s = [np.zeros_like(a) for a in p]
    best, best_p, since = math.inf, [a.copy() for a in p], 0
    for ep in range(1, epochs + 1):
        w1, b1, w2, b2 = p
        h = np.tanh(z @ w1 + b1)
        q = sigmoid(h @ w2 + b2)
        e = (q - yt) / len(yt)
        gw2 = h.T @ e + decay * w2
        gb2 = e.sum()
        dh = np.outer(e, w2) * (1 - h * h)
        gw1 = z.T @ dh + decay * w1
        gb1 = dh.sum(axis=0)
        for i, g in enumerate([gw1, gb1, gw2, gb2]):
            m[i] = 0.9 * m[i] + 0.1 * g
            s[i] = 0.999 * s[i] + 0.001 * g * g
            p[i] = p[i] - lr * (m[i] / (1 - 0.9 ** ep)) / (np.sqrt(s[i] / (1 - 0.999 ** ep)) + 1e-8)
        qv = MLP(0, 1, p).score(zv)
        loss = -np.mean(yv * np.log(qv + 1e-12) + (1 - yv) * np.log(1 - qv + 1e-12))
        if loss < best - 1e-6:
            best, best_p, since = loss, [a.copy() for a in p], 0
        else:
            since += 1
            if since >= patience:
                break
    model = MLP(mu, sd, best_p)
    t = threshold(yv, model.score(x[cut:]))
    return model, t


# ------------------------------------------------------------ evaluation ---

def run_logistic(x, y, grid, tune_fraction=TUNE_FRACTION, light=0):
    cut = int(len(y) * tune_fraction)
    out = {}
    model, lam, t_in, t_oof, *_ = fit_selected(x[:cut], y[:cut], grid, light=light)
    s = model.score(x[cut:])
    out["held_out"] = {"penalty": lam, "thr_in": t_in, "thr_oof": t_oof,
                       "in": msrp.metrics(list(y[cut:]), list(s), t_in),
                       "oof": msrp.metrics(list(y[cut:]), list(s), t_oof)}
    per = []
    for lo, hi in msrp.folds(len(y)):
        tr = np.r_[0:lo, hi:len(y)]
        model, lam, t_in, t_oof, *_ = fit_selected(x[tr], y[tr], grid, light=light)
        s = model.score(x[lo:hi])
        per.append({"penalty": lam,
                    "in": msrp.metrics(list(y[lo:hi]), list(s), t_in),
                    "oof": msrp.metrics(list(y[lo:hi]), list(s), t_oof)})
    out["cv"] = summarise(per)
    return out


def logit(p):
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def fit_stack(x9, xv, y, grid):
    """Stacking: a regression on xv (penalty by inner CV) whose inner-CV
    out-of-fold logit becomes a tenth input next to x9 (penalty 1). Returns
    a scoring function for (x9, xv) rows, the in-sample threshold and the
    vector model's penalty."""
    vec, lam, _, _, _, oof = fit_selected(xv, y, grid)
    top = fit_logistic(np.column_stack([x9, logit(oof)]), y, 1.0)

    def score(a9, av):
        return top.score(np.column_stack([a9, logit(vec.score(av))]))
    return score, threshold(y, top.score(np.column_stack([x9, logit(oof)]))), lam


def run_stack(x9, xv, y, grid, tune_fraction=TUNE_FRACTION):
    cut = int(len(y) * tune_fraction)
    score, t, lam = fit_stack(x9[:cut], xv[:cut], y[:cut], grid)
    s = score(x9[cut:], xv[cut:])
    out = {"held_out": {"penalty": lam, "in": msrp.metrics(list(y[cut:]), list(s), t)}}
    per = []
    for lo, hi in msrp.folds(len(y)):
        tr = np.r_[0:lo, hi:len(y)]
        score, t, lam = fit_stack(x9[tr], xv[tr], y[tr], grid)
        s = score(x9[lo:hi], xv[lo:hi])
        per.append({"penalty": lam, "in": msrp.metrics(list(y[lo:hi]), list(s), t)})
    out["cv"] = summarise(per, keys=("in",))
    return out


def run_mlp(x, y, hidden, decay, tune_fraction=TUNE_FRACTION):
    cut = int(len(y) * tune_fraction)
    model, t = fit_mlp(x[:cut], y[:cut], hidden, decay)
    out = {"held_out": {"val": msrp.metrics(list(y[cut:]), list(model.score(x[cut:])), t)}}
    per = []
    for lo, hi in msrp.folds(len(y)):
        # Training part in file order with the test fold removed; the early-
        # stopping split is the last 15% of what remains.
        tr = np.r_[0:lo, hi:len(y)]
        model, t = fit_mlp(x[tr], y[tr], hidden, decay)
        per.append({"val": msrp.metrics(list(y[lo:hi]), list(model.score(x[lo:hi])), t)})
    out["cv"] = summarise(per, keys=("val",))
    return out


def summarise(per, keys=("in", "oof")):
    out = {"folds": per}
    for key in keys:
        for m in ("accuracy", "f1"):
            mean, sd = msrp.mean_sd([f[key][m] for f in per])
            out[f"{key}_{m}_mean"], out[f"{key}_{m}_sd"] = mean, sd
    if "penalty" in per[0]:
        out["penalties"] = [f["penalty"] for f in per]
    return out


def table_row(label, inputs, r, oof=True):
    """One markdown row of the results table for a logistic or stacked result
    `r`; without `oof` (stacking has no out-of-fold threshold) those cells are
    left empty."""
    h, cv = r["held_out"], r["cv"]

    def pm(key):
        return f"{cv[key + '_mean']:.4f} ± {cv[key + '_sd']:.4f}"

    cells = [
        label,
        str(inputs),
        f"{h['in']['accuracy']:.4f} / {h['in']['f1']:.4f}",
        f"{h['oof']['accuracy']:.4f} / {h['oof']['f1']:.4f}" if oof else "",
        pm("in_accuracy"),
        pm("in_f1"),
        pm("oof_accuracy") if oof else "",
        pm("oof_f1") if oof else "",
        f"{h['penalty']:g}; {', '.join(f'{p:g}' for p in cv['penalties'])}",
    ]
    return "".join(f"| {c} " if c else "| " for c in cells) + "|"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--msrp", required=True)
    ap.add_argument("--vectors", required=True, help="pair_vectors' JSON lines")
    ap.add_argument("--cache", help=".npz cache of the parsed vectors")
    ap.add_argument("--variants", default=",".join(DEFAULT_VARIANTS),
                    help=f"comma-separated, of: {', '.join(VARIANTS)}")
    ap.add_argument("--stack", action="store_true",
                    help="also stacking: nine + out-of-fold score of the |u-v|, u*v regression")
    ap.add_argument("--mlp", action="store_true", help="also one-hidden-layer MLPs")
    ap.add_argument("--mlp-variants", default="base9,dp_base9")
    ap.add_argument("--mlp-hidden", default="16,64")
    ap.add_argument("--mlp-decay", default="1e-3,1e-2")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if not os.path.isfile(a.msrp):
        print(f"SKIPPED: no MSRP file at {a.msrp}")
        return 0
    if not os.path.isfile(a.vectors) and not (a.cache and os.path.isfile(a.cache)):
        print(f"SKIPPED: no vectors at {a.vectors}")
        return 0
    pairs, _ = msrp.read_msrp(a.msrp)
    y = np.array([p[0] for p in pairs], dtype=float)
    d = load(a.vectors, a.cache)
    if len(d["f"]) != len(y):
        raise SystemExit(f"{len(d['f'])} vector lines for {len(y)} pairs")
    bl = blocks(d)
    cut = int(len(y) * TUNE_FRACTION)
    shipped = msrp.metrics(list(y[cut:]), list(d["score"][cut:]), msrp.SHIPPED_JUDGE_THRESHOLD)
    results = {"pairs": len(y), "tune_pairs": cut,
               "shipped_judge_held_out": shipped, "logistic": {}, "mlp": {}}
    if not a.json:
        print(f"MSRP {a.msrp}: {len(y)} pairs; tune = first {cut}, held out = last {len(y) - cut}")
        print(f"shipped judge (score >= 0.42) held out: acc={shipped['accuracy']:.4f} "
              f"F1={shipped['f1']:.4f}")
        print("| variant | inputs | held-out acc / F1 (thr in-sample) | held-out acc / F1 (thr OOF) "
              "| CV acc (in-sample thr) | CV F1 | CV acc (OOF thr) | CV F1 | penalties (held-out; CV folds) |")
        print("|---|---|---|---|---|---|---|---|---|")
    for name in a.variants.split(","):
        names, grid, desc = VARIANTS[name][:3]
        light = sum(bl[n].shape[1] for n in VARIANTS[name][3]) if len(VARIANTS[name]) > 3 else 0
        x = matrix(bl, names)
        t0 = time.monotonic()
        r = run_logistic(x, y, grid, light=light)
        r["seconds"] = round(time.monotonic() - t0, 1)
        r["inputs"], r["description"] = x.shape[1], desc
        results["logistic"][name] = r
        if not a.json:
            print(table_row(f"{name} ({desc.replace('|', chr(92) + '|')})", x.shape[1], r),
                  flush=True)
    if a.stack:
        x9 = bl["base9"]
        xv = matrix(bl, ["diff", "prod"])
        t0 = time.monotonic()
        r = run_stack(x9, xv, y, HIGH)
        r["seconds"] = round(time.monotonic() - t0, 1)
        results["stack"] = r
        if not a.json:
            print(table_row("stack (nine + out-of-fold logit of the \\|u-v\\|, u*v regression)",
                            10, r, oof=False), flush=True)
    if a.mlp:
        for name in a.mlp_variants.split(","):
            names, _, desc = VARIANTS[name][:3]
            x = matrix(bl, names)
            for hidden in map(int, a.mlp_hidden.split(",")):
                for decay in map(float, a.mlp_decay.split(",")):
                    t0 = time.monotonic()
                    r = run_mlp(x, y, hidden, decay)
                    r["seconds"] = round(time.monotonic() - t0, 1)
                    key = f"{name}/h{hidden}/decay{decay:g}"
                    results["mlp"][key] = r
                    if not a.json:
                        h, cv = r["held_out"]["val"], r["cv"]
                        print(f"| MLP {key} | {x.shape[1]} | {h['accuracy']:.4f} / {h['f1']:.4f} "
                              f"| (thr on the early-stopping split) "
                              f"| {cv['val_accuracy_mean']:.4f} ± {cv['val_accuracy_sd']:.4f} "
                              f"| {cv['val_f1_mean']:.4f} ± {cv['val_f1_sd']:.4f} | | | |",
                              flush=True)
    if a.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
