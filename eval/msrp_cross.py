#!/usr/bin/env python3
"""Cross-validates and trains whence's cross-encoder paraphrase judge on MSRP.

Only the tune part of the file is used (its first --tune-fraction of pairs,
in file order, 2,853 of MSRP train's 4,076); the rest is never read here (it
is the held-out part that eval/msrp.py measures once, through `whence similar`).

- Cross-validation: the tune part is cut into --folds contiguous folds; for
  each, a judge is trained (crates/embed/examples/train_judge) on the other
  folds and scores the fold. Every tune pair thus gets one out-of-fold
  probability. A fold's accuracy is measured at the threshold that maximises
  accuracy on the *other* folds' out-of-fold scores (so no fold is measured
  with a threshold chosen on it) and at 0.5; mean and sample sd over the folds.
- The threshold the shipped judge uses is the one that maximises accuracy on
  all out-of-fold scores of the tune part.
- --final OUT trains on the whole tune part with the same settings and writes
  the adapter with that threshold.

    cargo build --release -p whence-embed --example train_judge
    python3 eval/msrp_cross.py --trainer target/release/examples/train_judge \\
        --model ~/.cache/whence/models/all-MiniLM-L6-v2 \\
        --msrp ../shared/corpora/msrp/msr_paraphrase_train.txt \\
        --work /tmp/judge-cv [--final judge.safetensors] [-- TRAINER OPTIONS]

Trainer options after `--` (e.g. `--layers 2 --epochs 3`) go to every
training run; the frozen-layer cache (--work/frozen-L.bin) is shared by the
runs. Prints SKIPPED and exits 0 when the corpus, the model or the trainer is
absent. Standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from msrp import best_threshold, folds, mean_sd, metrics, read_msrp  # noqa: E402


def fold_thresholds(labels, scores, bounds):
    """For each fold (lo, hi): the accuracy-maximising threshold on the
    out-of-fold scores of all the other folds."""
    out = []
    for lo, hi in bounds:
        out.append(best_threshold(labels[:lo] + labels[hi:], scores[:lo] + scores[hi:]))
    return out


def summarize(labels, scores, bounds):
    """Per-fold metrics at the other folds' threshold and at 0.5, their mean
    and sd, and the threshold chosen on all out-of-fold scores."""
    ts = fold_thresholds(labels, scores, bounds)
    per, per_half = [], []
    for (lo, hi), t in zip(bounds, ts):
        m = metrics(labels[lo:hi], scores[lo:hi], t)
        m["threshold"] = t
        per.append(m)
        per_half.append(metrics(labels[lo:hi], scores[lo:hi], 0.5))

    def agg(ms):
        acc, f1 = mean_sd([m["accuracy"] for m in ms]), mean_sd([m["f1"] for m in ms])
        return {"accuracy_mean": acc[0], "accuracy_sd": acc[1],
                "f1_mean": f1[0], "f1_sd": f1[1]}
    t_all = best_threshold(labels, scores)
    return {"folds": per, "cv": agg(per), "cv_at_0.5": agg(per_half),
            "folds_at_0.5": per_half, "threshold": t_all,
            "out_of_fold_at_threshold": metrics(labels, scores, t_all)}


def run_trainer(trainer, model, msrp, train_ranges, out, extra, eval_range=None,
                scores=None, threshold=None, log=None):
    cmd = [trainer, model, msrp, "--train", train_ranges, "--out", out, *extra]
    if eval_range:
        cmd += ["--eval", eval_range, "--scores", scores]
    if threshold is not None:
        cmd += ["--threshold", repr(threshold)]
    t0 = time.monotonic()
    with open(log, "w", encoding="utf-8") as lf:
        proc = subprocess.run(cmd, stdout=lf, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}); see {log}")
    return time.monotonic() - t0


def read_scores(path):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(l) for l in f if l.strip()]
    return {r["pair"]: r["p"] for r in rows}


def ranges(parts):
    return ",".join(f"{lo}..{hi}" for lo, hi in parts if hi > lo)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trainer", default="target/release/examples/train_judge")
    ap.add_argument("--model", required=True, help="the base model directory")
    ap.add_argument("--msrp", required=True, help="msr_paraphrase_train.txt")
    ap.add_argument("--tune-fraction", type=float, default=0.7)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--work", required=True, help="directory for adapters, scores, logs")
    ap.add_argument("--final", metavar="OUT", help="also train on the whole tune part")
    ap.add_argument("--no-cv", action="store_true",
                    help="skip the cross-validation (--final then needs --threshold)")
    ap.add_argument("--threshold", type=float,
                    help="threshold for --final instead of the out-of-fold one")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("extra", nargs="*", help="options for the trainer (after --)")
    a = ap.parse_args(argv)
    for what, path in (("MSRP file", a.msrp), ("trainer", a.trainer)):
        if not os.path.isfile(path):
            print(f"SKIPPED: no {what} at {path}")
            return 0
    if not os.path.isdir(a.model):
        print(f"SKIPPED: no model directory at {a.model}")
        return 0
    if a.no_cv and a.final and a.threshold is None:
        ap.error("--final with --no-cv needs --threshold")
    pairs, _ = read_msrp(a.msrp)
    cut = int(len(pairs) * a.tune_fraction)
    labels = [p[0] for p in pairs[:cut]]
    os.makedirs(a.work, exist_ok=True)
    extra = list(a.extra)
    layers = "2"
    if "--layers" in extra:
        layers = extra[extra.index("--layers") + 1]
    if "--cache" not in extra:
        extra += ["--cache", os.path.join(a.work, f"frozen-top{layers}.bin")]
    res = {"tune_pairs": cut, "trainer_options": a.extra}
    if not a.no_cv:
        bounds = folds(cut, a.folds)
        scores = [None] * cut
        seconds = []
        for k, (lo, hi) in enumerate(bounds):
            train = ranges([(0, lo), (hi, cut)])
            sc = os.path.join(a.work, f"fold{k}.scores.jsonl")
            s = run_trainer(a.trainer, a.model, a.msrp, train,
                            os.path.join(a.work, f"fold{k}.safetensors"), extra,
                            eval_range=f"{lo}..{hi}", scores=sc,
                            log=os.path.join(a.work, f"fold{k}.log"))
            seconds.append(s)
            got = read_scores(sc)
            for i in range(lo, hi):
                scores[i] = got[i]
            print(f"fold {k + 1}/{len(bounds)}: pairs {lo}..{hi}, {s:.0f} s", file=sys.stderr)
        res.update(summarize(labels, scores, bounds))
        res["seconds_per_fold"] = seconds
        with open(os.path.join(a.work, "oof.jsonl"), "w", encoding="utf-8") as f:
            f.writelines(json.dumps({"pair": i, "label": y, "p": p}) + "\n"
                         for i, (y, p) in enumerate(zip(labels, scores)))
    if a.final:
        t = a.threshold if a.threshold is not None else round(res["threshold"], 4)
        s = run_trainer(a.trainer, a.model, a.msrp, f"0..{cut}", a.final, extra,
                        threshold=t, log=os.path.join(a.work, "final.log"))
        res["final"] = {"path": a.final, "threshold": t, "seconds": s}
    if a.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"MSRP {a.msrp}: tune part = first {cut} pairs; trainer options {a.extra}")
    if "cv" in res:
        for k, (m, h) in enumerate(zip(res["folds"], res["folds_at_0.5"])):
            print(f"  fold {k + 1}: n={m['n']} threshold {m['threshold']:.4f} (other folds) "
                  f"acc={m['accuracy']:.4f} F1={m['f1']:.4f}; at 0.5 acc={h['accuracy']:.4f} "
                  f"F1={h['f1']:.4f}; {res['seconds_per_fold'][k]:.0f} s")
        for key, title in (("cv", "threshold from the other folds"), ("cv_at_0.5", "at 0.5")):
            c = res[key]
            print(f"  {len(res['folds'])}-fold CV, {title}: acc={c['accuracy_mean']:.4f}"
                  f"±{c['accuracy_sd']:.4f} F1={c['f1_mean']:.4f}±{c['f1_sd']:.4f}")
        o = res["out_of_fold_at_threshold"]
        print(f"  threshold on all out-of-fold scores: {res['threshold']:.6f} "
              f"(in-sample there: acc={o['accuracy']:.4f} F1={o['f1']:.4f})")
    if "final" in res:
        f = res["final"]
        print(f"  final judge: {f['path']} (threshold {f['threshold']:.6f}, {f['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
