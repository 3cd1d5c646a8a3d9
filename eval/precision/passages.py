#!/usr/bin/env python3
"""Precision and calibration of whence's paraphrase passages on real news,
from labels read by a person.

The unit labelled is one `paraphrase` passage of a pair that `whence pairs
--passages` reported: an A span and the B span it is said to be rewritten
from. A label says whether the A text was derived from that B text
(PASSAGE-RULES.md): `right` or `wrong`. Passages are keyed by the pair and
both spans (character offsets), so a later version of whence that keeps a
passage keeps its label; a passage it reports that no frame holds is listed
as unframed, never guessed.

Files beside this script:
  passage_labels.jsonl     one labelled passage a line: {"corpus", "a", "b",
                           "a_span", "b_span", "a_text", "b_text", "score",
                           "label", "note", "split", "draws"}
  frames/passages-NAME.jsonl.gz  every paraphrase passage of one output in one
                           corpus and split with its stratum (score bin): the
                           sampling frame of a draw

Splits are the documents' splits of `precision.py` (RULES.md): Reuters by
date, HuffPost by a hash of the id, BBC by category; a passage is `dev` only
when both documents are.

Commands:
  sample  draw passages of a `whence pairs --passages` output, stratified by
          score bin, from one corpus and split; writes the frame and the drawn
          passages (--drawn FILE, JSON lines) and prints them for labelling
  label   merge a labelling sheet (TSV: number, right|wrong, note) into the
          labels, using the numbers `sample` printed
  score   precision of the paraphrase passages of any `pairs` output, per
          corpus and split (weighted by the inclusion probabilities of the
          draws), with a reliability table by score bin
Exit status: 0 ok or corpus absent (SKIPPED); 2 unusable input.

Example:
  python3 eval/precision/passages.py sample --corpus bbc \
      --news ../shared/corpora/news --pairs p-bbc.jsonl --split dev --n 70 \
      --frame bbc-dev-base --drawn drawn-bbc.jsonl --seed 1
  python3 eval/precision/passages.py label --drawn drawn-bbc.jsonl --sheet bbc.tsv
  python3 eval/precision/passages.py score --news ../shared/corpora/news \
      --pairs bbc=p-bbc.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import precision as P  # noqa: E402  (splits, corpus reading)

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = os.path.join(HERE, "passage_labels.jsonl")
VALUES = ("right", "wrong")
BINS = ((0.0, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 1.01))


def die(msg):
    print(f"passages: {msg}", file=sys.stderr)
    sys.exit(2)


def score_bin(s: float) -> str:
    for lo, hi in BINS:
        if lo <= s < hi:
            return f"{lo:.1f}-{min(hi, 1.0):.1f}"
    return "out"


def key_of(corpus, a, b, p):
    return (corpus, a, b, p["a"][0], p["a"][1], p["b"][0], p["b"][1])


def label_key(lab):
    return (lab["corpus"], lab["a"], lab["b"], *lab["a_span"], *lab["b_span"])


def paraphrase_passages(path, corpus, docs):
    """-> {key: (pair record, passage)} of the paraphrase passages of a pairs output."""
    out = {}
    for r in P.read_jsonl(path):
        if r["a"] not in docs or r["b"] not in docs:
            die(f"{path}: pair {r['a']} {r['b']} names a document not in {corpus}")
        for p in r.get("passages") or []:
            if p["kind"] == "paraphrase":
                out[key_of(corpus, r["a"], r["b"], p)] = (r, p)
    return out


def frame_file(name):
    return os.path.join(P.FRAMES, f"passages-{name}.jsonl.gz")


def write_frame(name, header, rows):
    path = frame_file(name)
    if os.path.exists(path):
        die(f"frame {name} exists: choose another --frame name")
    os.makedirs(P.FRAMES, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write((json.dumps(header, sort_keys=True) + "\n").encode())
        for key, stratum in rows:
            gz.write((json.dumps([list(key), stratum]) + "\n").encode())


def read_frames():
    """-> [(header, {key: stratum})] in creation order."""
    if not os.path.isdir(P.FRAMES):
        return []
    out = []
    for f in sorted(os.listdir(P.FRAMES)):
        if f.startswith("passages-") and f.endswith(".jsonl.gz"):
            with gzip.open(os.path.join(P.FRAMES, f), "rt", encoding="utf-8") as fh:
                header = json.loads(fh.readline())
                rows = {tuple(k): s for k, s in (json.loads(line) for line in fh)}
            out.append((header, rows))
    out.sort(key=lambda hr: hr[0]["created"])
    return out


def context(text, start, end, around):
    before = " ".join(text[max(0, start - around):start].split())
    after = " ".join(text[end:end + around].split())
    return before[-around:], " ".join(text[start:end].split()), after[:around]


def show(n, docs, rec, p, around, out=None):
    out = out or sys.stdout
    a, b = docs[rec["a"]], docs[rec["b"]]
    print(f"#{n}  {rec['a']} × {rec['b']}  {rec['relation']}  "
          f"a_reused {rec['a_reused']} b_reused {rec['b_reused']}  score {p['score']}", file=out)
    for side, d, span in (("A", a, p["a"]), ("B", b, p["b"])):
        pre, mid, post = context(d["text"], span[0], span[1], around)
        title = P.clip(d.get("title") or d["text"][:80], 80)
        print(f"  {side} ({title})", file=out)
        print(textwrap.indent(textwrap.fill(f"…{pre} [[{mid}]] {post}…", 110), "     "),
              file=out)
    others = [q for q in rec.get("passages") or [] if q is not p]
    kinds = ", ".join(f"{q['kind']} A{q['a'][0]}-{q['a'][1]}" for q in others[:6])
    print(f"  other passages: {kinds or 'none'}\n", file=out)


def draw(rows, n, seed):
    """Stratified draw (proportional, at least min(5, size) per stratum):
    -> [(key, stratum, inclusion probability)]."""
    strata = {}
    for k, s in rows:
        strata.setdefault(s, []).append(k)
    total = len(rows)
    rng = random.Random(seed)
    out = []
    for s in sorted(strata):
        v = sorted(strata[s])
        want = min(len(v), max(min(5, len(v)), round(n * len(v) / total)))
        out.extend((k, s, want / len(v)) for k in sorted(rng.sample(v, want)))
    return out


def cmd_sample(args):
    loaded = P.load_corpus(args.news, args.corpus)
    if loaded is None:
        print(f"SKIPPED: {args.corpus} corpus not found under {args.news}")
        return
    docs, splits = loaded
    found = paraphrase_passages(args.pairs, args.corpus, docs)
    recs = {k: v for k, v in found.items() if P.pair_split(splits, k[1], k[2]) == args.split}
    if args.only_unframed:
        # a later frame covers what earlier frames do not: draws from it estimate
        # the precision of the passages no earlier frame holds
        for header, rows in read_frames():
            if header["corpus"] == args.corpus and header["split"] == args.split:
                recs = {k: v for k, v in recs.items() if k not in rows}
    rows = sorted((k, score_bin(p["score"])) for k, (_, p) in recs.items())
    drawn = draw(rows, args.n, args.seed)
    header = {"kind": "passages", "frame": args.frame, "corpus": args.corpus, "split": args.split,
              "source": os.path.basename(args.pairs), "seed": args.seed, "n": args.n,
              "created": args.created, "note": args.note,
              "only_unframed": args.only_unframed}
    write_frame(args.frame, header, rows)
    labelled = {label_key(x) for x in P.read_labels(LABELS)}
    with open(args.drawn, "w", encoding="utf-8") as fh:
        for n, (key, stratum, prob) in enumerate(drawn, 1):
            rec, p = recs[key]
            a, b = docs[rec["a"]]["text"], docs[rec["b"]]["text"]
            fh.write(json.dumps({
                "n": n, "corpus": args.corpus, "a": rec["a"], "b": rec["b"],
                "a_span": p["a"], "b_span": p["b"],
                "a_text": a[p["a"][0]:p["a"][1]], "b_text": b[p["b"][0]:p["b"][1]],
                "score": p["score"], "split": args.split,
                "draw": [args.frame, round(prob, 6), stratum]}, ensure_ascii=False) + "\n")
            if key in labelled and not args.show_labelled:
                continue
            show(n, docs, rec, p, args.around)
    print(f"frame {args.frame}: {len(rows)} passages; drew {len(drawn)} into {args.drawn}",
          file=sys.stderr)


def cmd_label(args):
    drawn = {d["n"]: d for d in P.read_jsonl(args.drawn)}
    labels = {label_key(x): x for x in P.read_labels(LABELS)}
    order = [label_key(x) for x in P.read_labels(LABELS)]
    with open(args.sheet, encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                die(f"{args.sheet}:{ln}: want 'number<TAB>right|wrong[<TAB>note]'")
            n, value = int(parts[0]), parts[1].strip()
            note = parts[2].strip() if len(parts) > 2 else ""
            if n not in drawn:
                die(f"{args.sheet}:{ln}: no drawn passage #{n} in {args.drawn}")
            if value not in VALUES:
                die(f"{args.sheet}:{ln}: label must be one of {VALUES}")
            d = drawn[n]
            rec = {k: d[k] for k in ("corpus", "a", "b", "a_span", "b_span", "a_text",
                                     "b_text", "score", "split")}
            rec.update(label=value, note=note)
            key = label_key(rec)
            old = labels.get(key)
            draws = old["draws"] if old else []
            if d["draw"] not in draws:
                draws.append(d["draw"])
            rec["draws"] = draws
            if old is None:
                order.append(key)
            labels[key] = rec
    with open(LABELS, "w", encoding="utf-8") as fh:
        for key in order:
            fh.write(json.dumps(labels[key], ensure_ascii=False) + "\n")
    print(f"{len(labels)} labelled passages in {LABELS}")


def estimate(keys, labels, corpus, split):
    """Precision of `keys` (reported passages of one corpus and split): each key
    belongs to the first frame (in creation order) whose population holds it;
    labelled keys drawn from that frame are weighted by 1 / inclusion probability."""
    rest = set(keys)
    num = den = 0.0
    n_lab = 0
    bins = {}
    for header, rows in read_frames():
        if header["corpus"] != corpus or header["split"] != split:
            continue
        region = {k for k in rest if k in rows}
        rest -= region
        for k in region:
            lab = labels.get(k)
            if lab is None:
                continue
            probs = [d[1] for d in lab["draws"] if d[0] == header["frame"]]
            if not probs:
                continue
            w = 1.0 / probs[0]
            ok = lab["label"] == "right"
            num += w * ok
            den += w
            n_lab += 1
            b = bins.setdefault(score_bin(lab["score"]), [0, 0, 0.0])
            b[0] += 1
            b[1] += ok
            b[2] += lab["score"]
    return {"reported": len(keys), "labelled": n_lab,
            "precision": num / den if den else None, "unframed": len(rest), "bins": bins}


def cmd_score(args):
    labels = {label_key(x): x for x in P.read_labels(LABELS)}
    report = {}
    for spec in args.pairs:
        if "=" not in spec:
            die(f"--pairs wants CORPUS=FILE, got {spec!r}")
        corpus, path = spec.split("=", 1)
        loaded = P.load_corpus(args.news, corpus)
        if loaded is None:
            print(f"SKIPPED: {corpus} corpus not found under {args.news}")
            continue
        docs, splits = loaded
        found = paraphrase_passages(path, corpus, docs)
        for split in ("dev", "heldout"):
            keys = [k for k in found if P.pair_split(splits, k[1], k[2]) == split]
            report.setdefault(corpus, {})[split] = estimate(keys, labels, corpus, split)
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
        return
    print(f"{'corpus':9} {'split':8} {'reported':>8} {'labelled':>8} {'precision':>9} {'unframed':>8}")
    for corpus, by in report.items():
        for split, r in by.items():
            prec = "-" if r["precision"] is None else f"{r['precision']:.3f}"
            print(f"{corpus:9} {split:8} {r['reported']:8} {r['labelled']:8} {prec:>9} "
                  f"{r['unframed']:8}")
            for b in sorted(r["bins"]):
                n, ok, s = r["bins"][b]
                print(f"{'':18} score {b}: {ok}/{n} right (mean score {s / n:.2f})")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--corpus", required=True, choices=sorted(P.CORPORA))
    s.add_argument("--news", required=True)
    s.add_argument("--pairs", required=True)
    s.add_argument("--split", required=True, choices=("dev", "heldout"))
    s.add_argument("--n", type=int, default=70)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--frame", required=True)
    s.add_argument("--drawn", required=True)
    s.add_argument("--created", required=True, help="timestamp ordering the frames")
    s.add_argument("--note", default="")
    s.add_argument("--around", type=int, default=160)
    s.add_argument("--show-labelled", action="store_true")
    s.add_argument("--only-unframed", action="store_true",
                   help="frame only the passages no earlier frame of this corpus and split holds")
    s.set_defaults(func=cmd_sample)
    s = sub.add_parser("label")
    s.add_argument("--drawn", required=True)
    s.add_argument("--sheet", required=True)
    s.set_defaults(func=cmd_label)
    s = sub.add_parser("score")
    s.add_argument("--news", required=True)
    s.add_argument("--pairs", action="append", required=True)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_score)
    args = ap.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
