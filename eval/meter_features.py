#!/usr/bin/env python3
"""METER derivation: features of `whence trace` and cross-validated decision rules.

For every labelled METER courts story (file_index/courts/*_derived.txt, as in
meter_trace.py) this runs

    whence trace STORY --in METER/PA/rawtexts/courts/DATE/TOPIC --json --lossy

and computes a handful of interpretable per-story features from the trace JSON,
the story text and the text of the PA copies trace reported as sources:

  reused         trace `reused`: share of the story covered by passages (any kind)
  lexical        trace `reused_lexical`: the same, verbatim and edited only
  log_words      ln(1 + words in the story)
  content_in_src share of the story's content words (not function words) whose
                 key also occurs in the found sources; 0 without a source
  new_types      distinct content-word keys of the story absent from the found
                 sources: how much the story adds; log_new_types = ln(1 + new_types)
  names_in_src   share of capitalised content words found in the sources
  lead_lexical   1 if the first sentence is at least half covered by lexical passages
  log_longest    ln(1 + words of the longest lexical passage)
  sources        number of sources trace reported

Word keys approximate the engine's (lowercase, the engine's function-word list,
a crude suffix stemmer); the engine uses Snowball keys, so its features differ
slightly.

Models, scored by repeated stratified k-fold cross-validation (mean ± sd of the
per-fold macro F1; per-class precision / recall / F1 of the pooled predictions,
averaged over repeats):
  current     the `derivation` of the whence binary given (nothing fitted here)
  thresholds  two thresholds on one feature, fitted per fold (macro F1 grid search)
  two-rule    non if content_in_src < a, else wholly if new_types <= b, else
              partially: a and b fitted per fold (grid search for macro F1); the
              form of the rule the engine ships
  lr:SET      multinomial logistic regression on a feature SET, classes weighted
              inversely to their frequency (macro F1 weighs the rare `non` class
              as much as the others), standardised inputs, L2 penalty
  engine      that rule with the constants pipeline.rs ships (ENGINE_RULE below),
              on these features: in-sample, so optimistic; its CV twin is two-rule

--fit SET prints the logistic weights fitted on all stories in raw feature units
(score_c = bias_c + sum_j w_cj * x_j, class = argmax), ready to paste into Rust.

Usage:
  python3 eval/meter_features.py --whence target/release/whence \
      --meter ../shared/corpora/meter [--jobs 2] [--reps 10] [--folds 5] \
      [--split stratified|topic|date] \
      [--features-out F.json | --features-in F.json] [--fit vocab] [--json]
Exit status: 0 ok or corpus absent (skipped); 1 some traces failed; 2 unusable input.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import glob
import json
import math
import os
import random
import re
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import meter_trace as mt  # noqa: E402

LABELS = mt.LABELS

# The engine's function words (crates/text/src/stopwords.rs).
STOP = set("""a about above after again against all am an and any are aren't as at
be because been before being below between both but by can can't cannot could couldn't
did didn't do does doesn't doing don't down during each few for from further had hadn't
has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself
his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most
mustn't my myself no nor not of off on once only or other ought our ours ourselves out over
own same shan't she she'd she'll she's should shouldn't so some such than that that's the
their theirs them themselves then there there's these they they'd they'll they're they've
this those through to too under until up very was wasn't we we'd we'll we're we've were
weren't what what's when when's where where's which while who who's whom why why's with
won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
also just will may might must shall s t d ll m re ve o y yet via per upon onto however
whether although though among amongst within without toward towards""".split())

WORD = re.compile(r"\w+(?:['\u2019]\w+)*")
SENT_END = re.compile(r"(?<=[.!?])[\"'\u2019\u201d]?\s+(?=[\"'`\u2018\u201cA-Z0-9])|\n\s*\n")

FEATURES = ("reused", "lexical", "log_words", "content_in_src", "new_types", "log_new_types",
            "names_in_src", "lead_lexical", "log_longest", "sources")

FEATURE_SETS = {
    "coverage": ["reused", "lexical"],
    "coverage+len": ["reused", "lexical", "log_words"],
    "whence": ["reused", "lexical", "log_words", "lead_lexical", "log_longest", "sources"],
    "vocab": ["content_in_src", "log_new_types"],
    "vocab+len": ["content_in_src", "log_new_types", "log_words"],
    "vocab+coverage": ["content_in_src", "log_new_types", "reused", "lexical"],
    "all": list(FEATURES),
}

# What crates/engine/src/pipeline.rs `derivation` ships (DERIVED_MIN_IN_SOURCES,
# WHOLLY_MAX_NEW_WORDS): the two-rule fitted on all 769 traced courts stories,
# rounded where macro F1 is flat (see docs/meter-notes.md).
ENGINE_RULE = {"min_in_sources": 0.6, "max_new_words": 15}


def key(word):
    """Lowercase, crude suffix stemming: an approximation of the engine's word key."""
    w = word.lower().replace("\u2019", "'")
    for suf in ("ing", "ed", "es", "s"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def read_text(path):
    with open(path, encoding="latin-1") as fh:
        return fh.read()


def sentences(text):
    out, start = [], 0
    for m in SENT_END.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return [(s, e) for s, e in out if WORD.search(text[s:e])]


def union(spans):
    out = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def overlap(iv, s, e):
    return sum(max(0, min(e, b) - max(s, a)) for a, b in iv)


def features(text, trace, source_texts):
    """Per-story features (see the module doc) from its text, its trace JSON and the
    texts of the sources trace reported (offsets in trace JSON are characters)."""
    words = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
    content = [(s, e, w) for s, e, w in words if w.lower().replace("\u2019", "'") not in STOP]
    src_keys = set()
    for t in source_texts:
        src_keys.update(key(w) for w in WORD.findall(t))
    in_src = [key(w) in src_keys for _, _, w in content]
    names = [ok for (_, _, w), ok in zip(content, in_src) if w[0].isupper()]
    new_types = {key(w) for _, _, w in content} - src_keys
    lex = union([tuple(p["a"]) for s in trace.get("sources") or [] for p in s.get("passages") or []
                 if p.get("kind") != "paraphrase"])
    longest = 0
    for s, e in lex:
        longest = max(longest, sum(1 for a, b, _ in words if a >= s and b <= e))
    sents = sentences(text)
    lead = 0.0
    if sents:
        s, e = sents[0]
        lead = 1.0 if overlap(lex, s, e) * 2 >= (e - s) else 0.0
    return {
        "reused": float(trace.get("reused") or 0.0),
        "lexical": float(trace.get("reused_lexical") or 0.0),
        "log_words": math.log1p(len(words)),
        "content_in_src": sum(in_src) / len(in_src) if in_src and src_keys else 0.0,
        "new_types": float(len(new_types)),
        "log_new_types": math.log1p(len(new_types)),
        "names_in_src": sum(names) / len(names) if names and src_keys else 0.0,
        "lead_lexical": lead,
        "log_longest": math.log1p(longest),
        "sources": float(len(trace.get("sources") or [])),
    }


# ---------------------------------------------------------------- scoring

def prf(gold, pred):
    return mt.prf(mt.confusion(list(zip(gold, pred))))


def stratified_folds(labels, k, seed):
    rnd = random.Random(seed)
    folds = [[] for _ in range(k)]
    for c in LABELS:
        idx = [i for i, lab in enumerate(labels) if lab == c]
        rnd.shuffle(idx)
        for j, i in enumerate(idx):
            folds[j % k].append(i)
    return folds


def grouped_folds(groups, k, seed):
    """k folds of whole groups (no group in two folds): groups in random order,
    largest first, each into the fold with the fewest stories so far."""
    rnd = random.Random(seed)
    members = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    order = list(members)
    rnd.shuffle(order)
    order.sort(key=lambda g: -len(members[g]))
    folds = [[] for _ in range(k)]
    for g in order:
        min(folds, key=len).extend(members[g])
    return folds


def make_folds(y, k, seed, groups=None):
    return stratified_folds(y, k, seed) if groups is None else grouped_folds(groups, k, seed)


def split_groups(rows, split):
    """None (stratified folds) or each story's group: its topic folder or its date
    (the story path is DATE/TOPIC/FILE)."""
    if split == "stratified":
        return None
    part = 1 if split == "topic" else 0
    return [r["story"].split("/")[part] for r in rows]


def cross_validate(fit, X, y, folds=5, reps=10, groups=None):
    """fit(X, y) -> predict(x).  -> mean, sd of per-fold macro F1 and the per-class
    P/R/F1 of each repeat's pooled predictions, averaged over repeats. With
    `groups`, folds hold whole groups (topics or dates), so a rule is scored on
    topics or days it was not fitted on."""
    scores, per_sum = [], {c: [0.0, 0.0, 0.0] for c in LABELS}
    for rep in range(reps):
        pred = [None] * len(y)
        parts = make_folds(y, folds, rep, groups)
        for test in parts:
            held = set(test)
            train = [i for i in range(len(y)) if i not in held]
            predict = fit([X[i] for i in train], [y[i] for i in train])
            for i in test:
                pred[i] = predict(X[i])
            scores.append(prf([y[i] for i in test], [pred[i] for i in test])[1])
        per = prf(y, pred)[0]
        for c in LABELS:
            for j, m in enumerate(("precision", "recall", "f1")):
                per_sum[c][j] += per[c][m] / reps
    mean = sum(scores) / len(scores)
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / max(1, len(scores) - 1))
    return mean, sd, {c: dict(zip(("precision", "recall", "f1"), v)) for c, v in per_sum.items()}


def fit_thresholds(X, y):
    """Two thresholds on X[:, 0]: non < lo <= partially < hi <= wholly, max macro F1."""
    vals = sorted({x[0] for x in X})
    cands = [vals[int(i * (len(vals) - 1) / 60)] for i in range(61)] if len(vals) > 61 else vals
    best = (-1.0, 0.0, 0.0)
    for i, lo in enumerate(cands):
        for hi in cands[i:]:
            pred = ["non" if x[0] < lo else "partially" if x[0] < hi else "wholly" for x in X]
            m = prf(y, pred)[1]
            if m > best[0] + 1e-12:
                best = (m, lo, hi)
    _, lo, hi = best
    return lambda x: "non" if x[0] < lo else "partially" if x[0] < hi else "wholly"


def two_rule(min_in_sources, max_new_words):
    """x = [content_in_src, new_types] -> class."""
    def predict(x):
        if x[0] < min_in_sources:
            return "non"
        return "wholly" if x[1] <= max_new_words else "partially"
    return predict


def quantiles(vals, k):
    v = sorted(vals)
    return sorted({v[int(i * (len(v) - 1) / (k - 1))] for i in range(k)})


def fit_two_rule(X, y, grid=25):
    """Grid search (quantiles of each feature) of the two-rule's thresholds for macro F1."""
    best = (-1.0, 0.0, 0.0)
    for a in quantiles([x[0] for x in X], grid):
        for b in quantiles([x[1] for x in X], grid):
            m = prf(y, [two_rule(a, b)(x) for x in X])[1]
            if m > best[0] + 1e-12:
                best = (m, a, b)
    return two_rule(best[1], best[2])


def fit_logistic(X, y, lam=0.01, iters=300, rate=0.5, weighted=True):
    """Multinomial logistic regression, full-batch gradient descent on standardised
    inputs.  -> (weights per class in raw units, bias per class)."""
    n, d = len(X), len(X[0])
    mu = [sum(x[j] for x in X) / n for j in range(d)]
    sd = [math.sqrt(sum((x[j] - mu[j]) ** 2 for x in X) / n) or 1.0 for j in range(d)]
    Z = [[(x[j] - mu[j]) / sd[j] for j in range(d)] for x in X]
    count = {c: max(1, y.count(c)) for c in LABELS}
    wt = [n / (len(LABELS) * count[t]) if weighted else 1.0 for t in y]
    Y = [LABELS.index(t) for t in y]
    W = [[0.0] * d for _ in LABELS]
    B = [0.0] * len(LABELS)
    for _ in range(iters):
        gW = [[0.0] * d for _ in LABELS]
        gB = [0.0] * len(LABELS)
        for z, t, w in zip(Z, Y, wt):
            s = [B[c] + sum(a * b for a, b in zip(W[c], z)) for c in range(len(LABELS))]
            m = max(s)
            e = [math.exp(v - m) for v in s]
            tot = sum(e)
            for c in range(len(LABELS)):
                g = w * (e[c] / tot - (1.0 if c == t else 0.0))
                gB[c] += g
                row = gW[c]
                for j in range(d):
                    row[j] += g * z[j]
        for c in range(len(LABELS)):
            B[c] -= rate * gB[c] / n
            for j in range(d):
                W[c][j] -= rate * (gW[c][j] / n + lam * W[c][j])
    raw_w = [[W[c][j] / sd[j] for j in range(d)] for c in range(len(LABELS))]
    raw_b = [B[c] - sum(W[c][j] * mu[j] / sd[j] for j in range(d)) for c in range(len(LABELS))]
    return raw_w, raw_b


def linear_rule(weights, bias):
    def predict(x):
        s = [b + sum(w * v for w, v in zip(ws, x)) for ws, b in zip(weights, bias)]
        return LABELS[max(range(len(LABELS)), key=lambda c: (s[c], -c))]
    return predict


def lr_fit(X, y):
    return linear_rule(*fit_logistic(X, y))


# ---------------------------------------------------------------- running

def collect(args):
    labelled, notes = mt.read_labels(args.meter)
    for n in notes:
        mt.log("warning: " + n)
    extra = shlex.split(args.extra_args)
    todo, skipped = [], []
    for rel, lab in labelled:
        story = os.path.join(args.meter, "newspapers", "rawtexts", "courts", rel)
        folder = mt.pa_folder(args.meter, rel)
        if os.path.isfile(story) and glob.glob(os.path.join(folder, "*.txt")):
            todo.append((rel, lab, story, folder))
        else:
            skipped.append(rel)

    def job(item):
        rel, lab, story, folder = item
        data, err = mt.run_trace(args.whence, extra, story, folder, args.timeout)
        if err:
            return {"story": rel, "error": err}
        srcs = []
        for s in data.get("sources") or []:
            p = os.path.join(folder, f"{s.get('id')}.txt")
            if os.path.isfile(p):
                srcs.append(read_text(p))
        f = features(read_text(story), data, srcs)
        return {"story": rel, "label": lab, "derivation": data["derivation"], "features": f}

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        out = list(ex.map(job, todo))
    return [r for r in out if "error" not in r], [r for r in out if "error" in r], skipped


def evaluate(rows, folds, reps, sets, split="stratified"):
    y = [r["label"] for r in rows]
    groups = split_groups(rows, split)
    res = {}
    cur = [r["derivation"] for r in rows]
    per, macro, _ = prf(y, cur)
    # the current rule fits nothing: its per-fold spread on the same folds
    fold_scores = [prf([y[i] for i in t], [cur[i] for i in t])[1]
                   for rep in range(reps) for t in make_folds(y, folds, rep, groups)]
    mean = sum(fold_scores) / len(fold_scores)
    sd = math.sqrt(sum((s - mean) ** 2 for s in fold_scores) / max(1, len(fold_scores) - 1))
    res["current"] = {"features": [], "cv_macro_f1": mean, "cv_sd": sd, "in_sample_macro_f1": macro,
                      "per_class": {c: {k: per[c][k] for k in ("precision", "recall", "f1")} for c in LABELS}}
    for feat in ("reused", "lexical", "content_in_src"):
        X = [[r["features"][feat]] for r in rows]
        m, s, pc = cross_validate(fit_thresholds, X, y, folds, reps, groups)
        res[f"thresholds:{feat}"] = {"features": [feat], "cv_macro_f1": m, "cv_sd": s, "per_class": pc}
    X = [[r["features"]["content_in_src"], r["features"]["new_types"]] for r in rows]
    m, s, pc = cross_validate(fit_two_rule, X, y, folds, reps, groups)
    res["two-rule"] = {"features": ["content_in_src", "new_types"], "cv_macro_f1": m, "cv_sd": s,
                       "per_class": pc}
    for name in sets:
        fs = FEATURE_SETS[name]
        X = [[r["features"][f] for f in fs] for r in rows]
        m, s, pc = cross_validate(lr_fit, X, y, folds, reps, groups)
        res[f"lr:{name}"] = {"features": fs, "cv_macro_f1": m, "cv_sd": s, "per_class": pc}
    if ENGINE_RULE is not None:
        rule = two_rule(ENGINE_RULE["min_in_sources"], ENGINE_RULE["max_new_words"])
        pred = [rule([r["features"]["content_in_src"], r["features"]["new_types"]]) for r in rows]
        per, macro, _ = prf(y, pred)
        res["engine rule (in-sample)"] = {"features": ["content_in_src", "new_types"],
                                          "in_sample_macro_f1": macro,
                                     "per_class": {c: {k: per[c][k] for k in ("precision", "recall", "f1")}
                                                   for c in LABELS}}
    return res


def print_results(res, n, folds, reps, split="stratified"):
    kind = "stratified" if split == "stratified" else f"{split}-grouped"
    print(f"METER courts, {n} stories; {kind} {folds}-fold CV x {reps} repeats: "
          f"macro F1 mean ± sd over folds; per class P/R/F1 (pooled, averaged over repeats)")
    for name, r in res.items():
        head = (f"{r['cv_macro_f1']:.3f} ± {r['cv_sd']:.3f}" if "cv_macro_f1" in r else "  —  ")
        ins = f"  in-sample {r['in_sample_macro_f1']:.3f}" if "in_sample_macro_f1" in r else ""
        pcs = "  ".join(f"{c[:4]} {r['per_class'][c]['precision']:.2f}/{r['per_class'][c]['recall']:.2f}/"
                        f"{r['per_class'][c]['f1']:.2f}" for c in LABELS)
        print(f"{name:24} {head}{ins}   {pcs}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="METER derivation: trace features and CV of decision rules.")
    ap.add_argument("--whence")
    ap.add_argument("--meter", help="METER corpus root (has file_index/, PA/, newspapers/)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--extra-args", default="--lossy")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--features-out", help="write per-story features (JSON) here")
    ap.add_argument("--features-in", help="read features written by --features-out instead of tracing")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--split", choices=("stratified", "topic", "date"), default="stratified",
                    help="folds: stratified by class, or whole topic folders, or whole days")
    ap.add_argument("--sets", default=",".join(FEATURE_SETS),
                    help=f"logistic feature sets to cross-validate (of {', '.join(FEATURE_SETS)})")
    ap.add_argument("--fit", help="print logistic weights fitted on all stories for this feature set")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sets = [s for s in args.sets.split(",") if s]
    bad = [s for s in sets + ([args.fit] if args.fit else []) if s not in FEATURE_SETS]
    if bad:
        mt.log(f"unknown feature set(s) {bad}; known: {list(FEATURE_SETS)}")
        return 2

    failed = []
    if args.features_in:
        with open(args.features_in, encoding="utf-8") as fh:
            rows = json.load(fh)
    else:
        if not args.meter or not os.path.isdir(os.path.join(args.meter, "file_index", "courts")):
            mt.log(f"SKIPPED: METER corpus not found at {args.meter} (no file_index/courts)")
            return 0
        if not (args.whence and os.path.isfile(args.whence) and os.access(args.whence, os.X_OK)):
            mt.log(f"SKIPPED: whence binary not found at {args.whence}")
            return 0
        rows, failed, skipped = collect(args)
        for f in failed:
            mt.log(f"{f['story']}: {f['error']}")
        if skipped:
            mt.log(f"{len(skipped)} stories without a story file or PA file, not traced")
        if args.features_out:
            with open(args.features_out, "w", encoding="utf-8") as fh:
                json.dump(rows, fh, indent=1)
    if len({r["label"] for r in rows}) < len(LABELS) or any(
            sum(1 for r in rows if r["label"] == c) < args.folds for c in LABELS):
        mt.log(f"too few stories per class for {args.folds}-fold CV")
        return 2

    res = evaluate(rows, args.folds, args.reps, sets, args.split)
    out = {"stories": len(rows), "folds": args.folds, "reps": args.reps, "split": args.split,
           "models": res}
    if args.fit:
        fs = FEATURE_SETS[args.fit]
        w, b = fit_logistic([[r["features"][f] for f in fs] for r in rows], [r["label"] for r in rows])
        out["fit"] = {"set": args.fit, "features": fs, "classes": list(LABELS), "weights": w, "bias": b}
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print_results(res, len(rows), args.folds, args.reps, args.split)
        if args.fit:
            f = out["fit"]
            print(f"fitted on all {len(rows)} stories, set {f['set']} (score = bias + w . x, argmax):")
            print("  features: " + ", ".join(f["features"]))
            for c, ws, bb in zip(LABELS, f["weights"], f["bias"]):
                print(f"  {c:>9}: bias {bb:+.4f}  w " + " ".join(f"{v:+.4f}" for v in ws))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
