#!/usr/bin/env python3
"""Pair and dedup precision of whence on real news, from labels read by a person.

The labelled set lives beside this script (RULES.md says how to label):
  labels.jsonl        one reported pair a line:
                      {"corpus", "a", "b", "label", "note", "split", "draws"}
                      label: reuse | template | boilerplate | wrong
  dedup_labels.jsonl  one dedup removal a line:
                      {"corpus", "removed", "kept", "label", "note", "split", "draws"}
                      label: duplicate | distinct
  frames/NAME.tsv.gz  a sampling frame: every pair (or removal) of one whence
                      output in one corpus and split, with its stratum; the
                      `draws` of a label say from which frames it was drawn and
                      with which inclusion probability.

Splits (documents; a pair or removal is `dev` only when both documents are):
  reuters   date >= 1987-04-07 is held out (6,875 of 19,043 documents)
  huffpost  int(sha1(id), 16) % 3 == 0 is held out (2,662 of 7,943)
  bbc       categories entertainment and tech are held out (787 of 2,225)

Commands:
  sample  draw pairs of a `whence pairs --passages` output, stratified by
          relation, from one corpus and split; writes the frame and prints the
          drawn pairs for labelling (texts and passages), or --emit-json them
  show    print pairs (by ids) with both texts and their passages
  score   precision per corpus and split for any `pairs` output; pairs outside
          every frame are listed for labelling, never guessed
  dedup-sample / dedup-score   the same for `whence dedup --removed` output

Examples:
  python3 eval/precision/precision.py sample --corpus reuters \
      --news ../shared/corpora/news --pairs pairs.jsonl --split dev --n 70 \
      --frame reuters-dev-base --seed 1
  python3 eval/precision/precision.py score --news ../shared/corpora/news \
      --pairs reuters=p-reuters.jsonl --pairs bbc=p-bbc.jsonl
Exit status: 0 ok or corpus absent (SKIPPED); 2 unusable input.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import hashlib
import json
import os
import random
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = os.path.join(HERE, "labels.jsonl")
DEDUP_LABELS = os.path.join(HERE, "dedup_labels.jsonl")
FRAMES = os.path.join(HERE, "frames")
CORPORA = {"reuters": "reuters21578.jsonl.gz", "huffpost": "huffpost.jsonl.gz",
           "bbc": "bbc.jsonl.gz"}
PAIR_LABELS = ("reuse", "template", "boilerplate", "wrong")
DEDUP_VALUES = ("duplicate", "distinct")
MONTHS = {m: i for i, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
BBC_HELD = ("entertainment", "tech")


def die(msg):
    print(f"precision: {msg}", file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------- splits

def doc_split(corpus: str, doc: dict) -> str:
    """'dev' or 'heldout' for one document of `corpus` (see the module doc)."""
    did = str(doc["id"])
    if corpus == "reuters":
        day, mon, year = doc.get("date", "").split()[0].split("-")
        key = (int(year), MONTHS[mon.upper()], int(day))
        return "heldout" if key >= (1987, 4, 7) else "dev"
    if corpus == "huffpost":
        return "heldout" if int(hashlib.sha1(did.encode()).hexdigest(), 16) % 3 == 0 else "dev"
    if corpus == "bbc":
        return "heldout" if did.split("-")[1] in BBC_HELD else "dev"
    raise ValueError(f"unknown corpus {corpus}")


def pair_split(splits: dict, a: str, b: str) -> str:
    return "dev" if splits[a] == "dev" and splits[b] == "dev" else "heldout"


# ---------------------------------------------------------------- reading

def read_jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as e:
                die(f"{path}:{n}: not JSON ({e})")


def load_corpus(news: str, corpus: str):
    """-> ({id: doc}, {id: split}) or None when the corpus file is absent."""
    path = os.path.join(news, CORPORA[corpus])
    if not os.path.exists(path):
        return None
    docs = {str(d["id"]): d for d in read_jsonl(path)}
    return docs, {i: doc_split(corpus, d) for i, d in docs.items()}


def read_labels(path):
    if not os.path.exists(path):
        return []
    return list(read_jsonl(path))


def frame_path(name):
    return os.path.join(FRAMES, f"{name}.tsv.gz")


def read_frame(name):
    """-> (header dict, [(key tuple, stratum)])."""
    path = frame_path(name)
    if not os.path.exists(path):
        die(f"no frame {name} ({path})")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        rows = []
        for line in fh:
            x, y, stratum = line.rstrip("\n").split("\t")
            rows.append(((x, y), stratum))
    return header, rows


def write_frame(name, header, rows):
    os.makedirs(FRAMES, exist_ok=True)
    path = frame_path(name)
    if os.path.exists(path):
        die(f"frame {name} exists: choose another --frame name")
    # mtime 0: the same frame compresses to the same bytes
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write((json.dumps(header, sort_keys=True) + "\n").encode())
        for (x, y), s in rows:
            gz.write(f"{x}\t{y}\t{s}\n".encode())


def frames_for(kind):
    """Frame names of `kind` ('pairs' or 'dedup'), in creation order."""
    if not os.path.isdir(FRAMES):
        return []
    out = []
    for f in os.listdir(FRAMES):
        if f.endswith(".tsv.gz"):
            name = f[:-len(".tsv.gz")]
            header, _ = read_frame(name)
            if header["kind"] == kind:
                out.append((header["created"], name))
    return [n for _, n in sorted(out)]


# ---------------------------------------------------------------- display

def clip(s: str, width: int) -> str:
    s = " ".join(s.split())
    if len(s) <= width:
        return s
    half = width // 2 - 3
    return s[:half] + " … " + s[-half:]


def word_diff(x: str, y: str, limit=12, width=160):
    """The differing stretches of two texts, word by word: (ratio, [(x part, y part)])."""
    wx, wy = x.split(), y.split()
    sm = difflib.SequenceMatcher(None, wx, wy, autojunk=False)
    parts = [(" ".join(wx[i0:i1]), " ".join(wy[j0:j1]))
             for op, i0, i1, j0, j1 in sm.get_opcodes() if op != "equal"]
    return sm.ratio(), [(clip(p, width), clip(q, width)) for p, q in parts[:limit]], len(parts)


def show_pair(docs, rec, width=600, head=300, out=sys.stdout):
    a, b = docs[rec["a"]], docs[rec["b"]]
    print(f"=== {rec['a']} × {rec['b']}   {rec.get('relation', '?')}   "
          f"a_reused {rec.get('a_reused', '?')}  b_reused {rec.get('b_reused', '?')}", file=out)
    for side, d in (("A", a), ("B", b)):
        date = f" [{d['date']}]" if d.get("date") else ""
        print(f"  {side}{date} {len(d['text'])} chars: {clip(d['text'][:head], head)}", file=out)
    for n, p in enumerate(rec.get("passages") or [], 1):
        ta = a["text"][p["a"][0]:p["a"][1]]
        tb = b["text"][p["b"][0]:p["b"][1]]
        print(f"  [{n}] {p['kind']} {p['score']}  A {p['a'][0]}-{p['a'][1]}  B {p['b'][0]}-{p['b'][1]}",
              file=out)
        print(textwrap.indent(f"A: {clip(ta, width)}\nB: {clip(tb, width)}", "      "), file=out)


# ---------------------------------------------------------------- sampling

def stratified(rows, n, seed):
    """Draw n rows stratified by stratum, proportional with at least
    min(3, size) per stratum; -> [(row, inclusion probability)]."""
    strata = {}
    for r in rows:
        strata.setdefault(r[1], []).append(r)
    total = len(rows)
    rng = random.Random(seed)
    want = {s: min(len(v), max(min(3, len(v)), round(n * len(v) / total)))
            for s, v in strata.items()}
    out = []
    for s in sorted(strata):
        v = sorted(strata[s])
        pick = rng.sample(v, want[s])
        out.extend((r, want[s] / len(v)) for r in sorted(pick))
    return out


def cmd_sample(args):
    loaded = load_corpus(args.news, args.corpus)
    if loaded is None:
        print(f"SKIPPED: {args.corpus} corpus not found under {args.news}")
        return
    docs, splits = loaded
    recs = {}
    for r in read_jsonl(args.pairs):
        if r["a"] not in docs or r["b"] not in docs:
            die(f"{args.pairs}: pair {r['a']} {r['b']} names a document not in {args.corpus}")
        if pair_split(splits, r["a"], r["b"]) == args.split:
            recs[(r["a"], r["b"])] = r
    rows = sorted((k, r["relation"]) for k, r in recs.items())
    drawn = stratified(rows, args.n, args.seed)
    header = {"kind": "pairs", "corpus": args.corpus, "split": args.split,
              "source": os.path.basename(args.pairs), "seed": args.seed, "n": args.n,
              "created": args.created, "note": args.note}
    if not args.dry_run:
        write_frame(args.frame, header, rows)
    labelled = {(x["corpus"], x["a"], x["b"]) for x in read_labels(LABELS)}
    for (key, stratum), p in drawn:
        rec = recs[key]
        if args.emit_json:
            print(json.dumps({"corpus": args.corpus, "a": key[0], "b": key[1],
                              "split": args.split, "stratum": stratum,
                              "draw": [args.frame, round(p, 6), stratum],
                              "labelled": (args.corpus, *key) in labelled}))
        else:
            show_pair(docs, rec, args.width)
            print(f"  draw: frame {args.frame}, stratum {stratum}, p {p:.4f}")


def cmd_show(args):
    loaded = load_corpus(args.news, args.corpus)
    if loaded is None:
        print(f"SKIPPED: {args.corpus} corpus not found")
        return
    docs, _ = loaded
    want = {tuple(x.split(",")) for x in args.ids} if args.ids else None
    for r in read_jsonl(args.pairs):
        if want is None or (r["a"], r["b"]) in want:
            show_pair(docs, r, args.width, args.head)


def add_label(path, key_fields, rec, args_label_values):
    """Appends or updates one label line (by key); keeps draws merged."""
    rows = read_labels(path)
    key = tuple(rec[f] for f in key_fields)
    if rec["label"] not in args_label_values:
        die(f"label must be one of {args_label_values}")
    for r in rows:
        if tuple(r[f] for f in key_fields) == key:
            draws = r.get("draws", [])
            for d in rec.get("draws", []):
                if d not in draws:
                    draws.append(d)
            r.update(rec)
            r["draws"] = draws
            break
    else:
        rows.append(rec)
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- scoring

def estimate(output_keys, labels, kind, corpus, split, value_ok, only_frames=None):
    """Precision of `output_keys` (set of keys reported in one corpus and split)
    from the labelled draws of each frame: each reported key belongs to the
    first frame (in creation order) whose population holds it; within a frame,
    labelled keys are weighted by 1 / inclusion probability.
    -> dict with per-frame parts, the combined estimate and unframed keys."""
    rest = set(output_keys)
    parts = []
    by_key = {}
    for lab in labels:
        by_key[lab["_key"]] = lab
    for name in frames_for(kind):
        if only_frames and name not in only_frames:
            continue
        header, rows = read_frame(name)
        if header["corpus"] != corpus or header["split"] != split:
            continue
        pop = {k for k, _ in rows}
        region = rest & pop
        rest -= region
        if not region:
            continue
        wsum = wgood = 0.0
        n = good = 0
        for k in region:
            lab = by_key.get(k)
            if lab is None:
                continue
            p = next((d[1] for d in lab.get("draws", []) if d[0] == name), None)
            if p is None:
                continue
            w = 1.0 / p
            n += 1
            wsum += w
            ok = value_ok(lab["label"])
            good += ok
            wgood += w * ok
        parts.append({"frame": name, "reported": len(region), "labelled": n,
                      "good": good, "precision": (wgood / wsum) if wsum else None})
    covered = sum(p["reported"] for p in parts if p["precision"] is not None)
    est = (sum(p["reported"] * p["precision"] for p in parts if p["precision"] is not None)
           / covered) if covered else None
    return {"parts": parts, "precision": est, "reported": len(output_keys),
            "estimated_over": covered, "unframed": sorted(rest)}


def parse_outputs(specs):
    out = {}
    for s in specs:
        if "=" not in s:
            die(f"expected CORPUS=FILE, got {s!r}")
        c, f = s.split("=", 1)
        if c not in CORPORA:
            die(f"unknown corpus {c!r} (one of {', '.join(CORPORA)})")
        out[c] = f
    return out


def score(kind, outputs, news, relation_filter=None, list_unframed=20, as_json=False,
          only_frames=None):
    label_path = LABELS if kind == "pairs" else DEDUP_LABELS
    fields = ("a", "b") if kind == "pairs" else ("removed", "kept")
    out_fields = ("a", "b") if kind == "pairs" else ("id", "kept")
    good_value = "reuse" if kind == "pairs" else "duplicate"
    labels = read_labels(label_path)
    report = {}
    for corpus, path in outputs.items():
        loaded = load_corpus(news, corpus)
        if loaded is None:
            print(f"SKIPPED: {corpus} corpus not found under {news}")
            continue
        _, splits = loaded
        keys = {"dev": set(), "heldout": set()}
        relations = {}
        for r in read_jsonl(path):
            k = tuple(str(r[f]) for f in out_fields)
            if kind == "pairs":
                rel = r.get("relation")
                if relation_filter and rel not in relation_filter:
                    continue
                relations[k] = rel
            keys[pair_split(splits, *k)].add(k)
        labs = [dict(lab, _key=tuple(lab[f] for f in fields))
                for lab in labels if lab["corpus"] == corpus]
        report[corpus] = {}
        for split in ("dev", "heldout"):
            res = estimate(keys[split], [x for x in labs if x["split"] == split], kind,
                           corpus, split, lambda v: v == good_value, only_frames)
            labelled_here = [x for x in labs if x["split"] == split and x["_key"] in keys[split]]
            counts = {}
            for x in labelled_here:
                counts[x["label"]] = counts.get(x["label"], 0) + 1
            res["label_counts"] = counts
            report[corpus][split] = res
    if as_json:
        print(json.dumps(report, indent=1, default=list))
        return report
    print(f"{'corpus':9} {'split':8} {'reported':>8} {'labelled':>8} {'precision':>9}  labels")
    for corpus, by in report.items():
        for split, res in by.items():
            prec = "-" if res["precision"] is None else f"{res['precision']:.3f}"
            n = sum(p["labelled"] for p in res["parts"])
            print(f"{corpus:9} {split:8} {res['reported']:8} {n:8} {prec:>9}  "
                  f"{json.dumps(res['label_counts'], sort_keys=True)}")
            for p in res["parts"]:
                pp = "-" if p["precision"] is None else f"{p['precision']:.3f}"
                print(f"{'':18}frame {p['frame']}: {p['reported']} reported, "
                      f"{p['labelled']} labelled, {p['good']} good, precision {pp}")
            if res["unframed"]:
                print(f"{'':18}{len(res['unframed'])} reported pairs outside every frame "
                      f"(not estimated; label them):")
                for k in res["unframed"][:list_unframed]:
                    print(f"{'':20}{' '.join(k)}")
    return report


def cmd_score(args):
    score("pairs", parse_outputs(args.pairs), args.news,
          set(args.relation) if args.relation else None, args.list, args.json,
          set(args.frame) if args.frame else None)


def cmd_dedup_score(args):
    score("dedup", parse_outputs(args.removed), args.news, None, args.list, args.json)


def cmd_dedup_sample(args):
    loaded = load_corpus(args.news, args.corpus)
    if loaded is None:
        print(f"SKIPPED: {args.corpus} corpus not found under {args.news}")
        return
    docs, splits = loaded
    recs = {}
    for r in read_jsonl(args.removed):
        k = (str(r["id"]), str(r["kept"]))
        if pair_split(splits, *k) == args.split:
            size = r.get("cluster_size", 2)
            stratum = "size2" if size <= 2 else "size3-9" if size < 10 else "size10+"
            recs[k] = (r, stratum)
    rows = sorted((k, s) for k, (_, s) in recs.items())
    drawn = stratified(rows, args.n, args.seed)
    header = {"kind": "dedup", "corpus": args.corpus, "split": args.split,
              "source": os.path.basename(args.removed), "seed": args.seed, "n": args.n,
              "created": args.created, "note": args.note}
    if not args.dry_run:
        write_frame(args.frame, header, rows)
    for (key, stratum), p in drawn:
        if args.emit_json:
            print(json.dumps({"corpus": args.corpus, "removed": key[0], "kept": key[1],
                              "split": args.split, "stratum": stratum,
                              "draw": [args.frame, round(p, 6), stratum]}))
        else:
            a, b = docs[key[0]], docs[key[1]]
            print(f"=== removed {key[0]} kept {key[1]} ({stratum}, p {p:.4f})")
            for side, d in (("removed", a), ("kept", b)):
                date = f" [{d['date']}]" if d.get("date") else ""
                print(f"  {side}{date} {len(d['text'])} chars:")
                print(textwrap.indent(clip(d["text"], args.width), "      "))
            ratio, parts, n = word_diff(a["text"], b["text"])
            print(f"  word similarity {ratio:.3f}; {n} differing stretches (removed | kept):")
            for x, y in parts:
                print(f"      - {x!r} | {y!r}")


def cmd_label(args):
    draw = json.loads(args.draw) if args.draw else None
    if args.kind == "pairs":
        rec = {"corpus": args.corpus, "a": args.x, "b": args.y, "label": args.label,
               "note": args.note, "split": args.split, "draws": [draw] if draw else []}
        add_label(LABELS, ("corpus", "a", "b"), rec, PAIR_LABELS)
    else:
        rec = {"corpus": args.corpus, "removed": args.x, "kept": args.y, "label": args.label,
               "note": args.note, "split": args.split, "draws": [draw] if draw else []}
        add_label(DEDUP_LABELS, ("corpus", "removed", "kept"), rec, DEDUP_VALUES)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common_sample(p, what):
        p.add_argument("--corpus", required=True, choices=sorted(CORPORA))
        p.add_argument("--news", required=True, help="folder of the news corpora")
        p.add_argument(what, required=True)
        p.add_argument("--split", required=True, choices=("dev", "heldout"))
        p.add_argument("--n", type=int, required=True)
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--frame", required=True, help="name of the frame to write")
        p.add_argument("--created", required=True,
                       help="frame order key (ISO date-time); earlier frames come first")
        p.add_argument("--note", default="")
        p.add_argument("--width", type=int, default=600)
        p.add_argument("--emit-json", action="store_true")
        p.add_argument("--dry-run", action="store_true", help="do not write the frame")

    p = sub.add_parser("sample")
    common_sample(p, "--pairs")
    p.set_defaults(func=cmd_sample)
    p = sub.add_parser("dedup-sample")
    common_sample(p, "--removed")
    p.set_defaults(func=cmd_dedup_sample)

    p = sub.add_parser("show")
    p.add_argument("--corpus", required=True, choices=sorted(CORPORA))
    p.add_argument("--news", required=True)
    p.add_argument("--pairs", required=True)
    p.add_argument("--width", type=int, default=600)
    p.add_argument("--head", type=int, default=300)
    p.add_argument("ids", nargs="*", help="pairs as A,B (all when none)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("score")
    p.add_argument("--news", required=True)
    p.add_argument("--pairs", action="append", required=True, metavar="CORPUS=FILE")
    p.add_argument("--relation", action="append", help="score only these relations")
    p.add_argument("--list", type=int, default=20, help="unframed pairs listed per split")
    p.add_argument("--json", action="store_true")
    p.add_argument("--frame", action="append",
                   help="estimate from these frames only (a fresh sample read on its own)")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("dedup-score")
    p.add_argument("--news", required=True)
    p.add_argument("--removed", action="append", required=True, metavar="CORPUS=FILE")
    p.add_argument("--list", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_dedup_score)

    p = sub.add_parser("label", help="record one label (appends or updates)")
    p.add_argument("kind", choices=("pairs", "dedup"))
    p.add_argument("corpus", choices=sorted(CORPORA))
    p.add_argument("x", help="a (pairs) or removed (dedup)")
    p.add_argument("y", help="b (pairs) or kept (dedup)")
    p.add_argument("label")
    p.add_argument("--note", default="")
    p.add_argument("--split", required=True, choices=("dev", "heldout"))
    p.add_argument("--draw", help='["frame", p, "stratum"] as JSON')
    p.set_defaults(func=cmd_label)

    args = ap.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
