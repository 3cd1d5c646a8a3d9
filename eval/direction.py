#!/usr/bin/env python3
"""Direction of derivation without dates: is the text-only verdict right?

Two labelled sources of direction:

* **Dated news** (Reuters-21578: `date` on every story). `whence pairs` runs
  with the dates hidden (`--date-field` set to a field no line has), so every
  relation comes from the texts alone; the hidden dates then say which side of
  each pair was written later. A pair whose dates are equal or unreadable is
  not scored.
* **METER** (optional, `--meter`): every wholly or partially derived courts
  story is compared (`whence compare STORY PA --json --lossy`) with each Press
  Association file of its topic; the newspaper story is the later text.

A *directional call* is `a_derived_from_b` / `b_derived_from_a`; it is right
when the derived side is the later one. Every other relation is no call
(`unknown_direction`, `shared_source`, `near_duplicate`, `unrelated`).
Reported per part: calls, right, precision (the target is >= 0.85, the rest
unknown), coverage (calls over scored pairs), and the share right at each
confidence the binary gave (a calibration table).

Validation split (settings are chosen on `dev` only): Reuters pairs whose
later story is dated before --split-date (default 1987-03-20) are `dev`, the
rest `held-out`; METER stories of 1999 are `dev`, those of 2000 `held-out`.

Many Reuters pairs are forms filled with other facts (earnings tables,
recurring market reports), where "later" says nothing about derivation. The
`genuine` rows keep only pairs whose verbatim and edited text share at least
150 characters and, on both sides, keeps at least 70 % of its numbers and of
its capitalised words (Jaccard): a rough filter of this script, not a label.

Usage:
  python3 eval/direction.py --whence target/release/whence \
      --corpus ../shared/corpora/news/reuters21578.jsonl.gz \
      [--meter ../shared/corpora/meter] [--split-date 1987-03-20] \
      [--pairs-in FILE] [--work DIR] [--jobs 2] [--json]
Exit status: 0 ok or corpus absent (skipped); 1 a run failed; 2 unusable input.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import datetime
import glob
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import meter_trace as mt  # noqa: E402

DIRECTIONAL = {"a_derived_from_b", "b_derived_from_a"}
MONTHS = {m: i + 1 for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])}
REUTERS_DATE = re.compile(r"^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d\d):(\d\d)")
ISO_DATE = re.compile(r"^\s*(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?)?")
NUM = re.compile(r"\d+(?:[.,]\d+)*")
CAP = re.compile(r"\b[A-Z][a-z]{2,}\b")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_date(s):
    """Reuters' `26-FEB-1987 15:01:01.79` or ISO 8601 (no zone: these corpora
    have none) -> datetime, else None."""
    if not isinstance(s, str):
        return None
    m = REUTERS_DATE.match(s)
    try:
        if m and m.group(2).upper() in MONTHS:
            d, mon, y, h, mi, se = m.groups()
            return datetime.datetime(int(y), MONTHS[mon.upper()], int(d), int(h), int(mi), int(se))
        m = ISO_DATE.match(s)
        if m:
            y, mo, d, h, mi, se = m.groups()
            return datetime.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(se or 0))
    except ValueError:
        return None
    return None


def read_corpus(path):
    """-> {id: (text, date or None)}, number of unreadable dates."""
    opener = gzip.open if path.endswith(".gz") else open
    docs, bad = {}, 0
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            t = parse_date(d.get("date"))
            if d.get("date") and t is None:
                bad += 1
            docs[str(d["id"])] = (d.get("text") or "", t)
    return docs, bad


def genuine(pair, docs, min_lex=150):
    """The aligned verbatim/edited text keeps its numbers and names (see doc)."""
    ta, tb = docs[pair["a"]][0], docs[pair["b"]][0]
    na, nb, ca, cb, lex = [], [], [], [], 0
    for p in pair.get("passages") or []:
        if p.get("kind") == "paraphrase":
            continue
        x, y = ta[p["a"][0]:p["a"][1]], tb[p["b"][0]:p["b"][1]]
        lex += min(len(x), len(y))
        na += NUM.findall(x)
        nb += NUM.findall(y)
        ca += CAP.findall(x)
        cb += CAP.findall(y)
    if lex < min_lex:
        return False
    for u, v in ((set(na), set(nb)), (set(ca), set(cb))):
        if len(u | v) >= 2 and len(u & v) / len(u | v) < 0.7:
            return False
    return True


class Tally:
    def __init__(self):
        self.scored = 0
        self.calls = 0
        self.right = 0
        self.relations = collections.Counter()
        self.by_conf = collections.defaultdict(lambda: [0, 0])

    def add(self, relation, confidence, derived_is_later):
        """derived_is_later(side) -> bool for 'a' or 'b'."""
        self.scored += 1
        self.relations[relation] += 1
        if relation in DIRECTIONAL:
            ok = derived_is_later("a" if relation == "a_derived_from_b" else "b")
            self.calls += 1
            self.right += ok
            cell = self.by_conf[f"{confidence:.2f}"]
            cell[0] += 1
            cell[1] += ok

    def row(self):
        return {
            "scored": self.scored,
            "calls": self.calls,
            "right": self.right,
            "precision": self.right / self.calls if self.calls else None,
            "coverage": self.calls / self.scored if self.scored else None,
            "relations": dict(sorted(self.relations.items())),
            "by_confidence": {k: {"calls": v[0], "right": v[1]} for k, v in sorted(self.by_conf.items())},
        }


def reuters(args, work):
    docs, bad = read_corpus(args.corpus)
    if args.pairs_in:
        pairs_path = args.pairs_in
    else:
        pairs_path = os.path.join(work, "pairs-dates-hidden.jsonl")
        cmd = [args.whence, "pairs", args.corpus, "--date-field", "__no_such_field__",
               "--passages", "--quiet", "--out", pairs_path]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            log(f"whence pairs failed ({r.returncode}): {r.stderr.strip()[-500:]}")
            return None
    split = datetime.datetime.fromisoformat(args.split_date)
    tallies = collections.defaultdict(Tally)
    skipped = collections.Counter()
    with open(pairs_path, encoding="utf-8") as fh:
        for line in fh:
            p = json.loads(line)
            if p["a"] not in docs or p["b"] not in docs:
                skipped["unknown id"] += 1
                continue
            ta, tb = docs[p["a"]][1], docs[p["b"]][1]
            if ta is None or tb is None:
                skipped["no readable date"] += 1
                continue
            if ta == tb:
                skipped["same date"] += 1
                continue
            part = "dev" if max(ta, tb) < split else "held-out"
            later = "a" if ta > tb else "b"
            conf = p.get("confidence", 0.0)
            groups = ["all"] + (["genuine"] if genuine(p, docs) else [])
            for g in groups:
                tallies[(part, g)].add(p["relation"], conf, lambda side: side == later)
    return {"unreadable_dates": bad, "skipped": dict(skipped),
            "parts": {f"{part}/{g}": t.row() for (part, g), t in sorted(tallies.items())}}


def meter(args):
    labelled, notes = mt.read_labels(args.meter)
    for n in notes:
        log("warning: " + n)
    jobs = []
    for rel, lab in labelled:
        if lab == "non":
            continue
        story = os.path.join(args.meter, "newspapers", "rawtexts", "courts", rel)
        for pa in sorted(glob.glob(os.path.join(mt.pa_folder(args.meter, rel), "*.txt"))):
            if os.path.isfile(story):
                jobs.append((rel, story, pa))

    def run(job):
        rel, story, pa = job
        r = subprocess.run([args.whence, "compare", story, pa, "--json", "--lossy", "--no-semantic"],
                           capture_output=True, text=True)
        if r.returncode:
            return rel, None, r.stderr.strip()[-300:]
        return rel, json.loads(r.stdout)["summary"], None

    tallies = collections.defaultdict(Tally)
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        for rel, summary, err in ex.map(run, jobs):
            if err is not None:
                failed += 1
                log(f"{rel}: {err}")
                continue
            if summary["relation"] == "unrelated":
                continue
            year = rel.split("/")[0].split(".")[-1]
            part = "dev" if year == "99" else "held-out"
            tallies[part].add(summary["relation"], summary.get("confidence", 0.0), lambda side: side == "a")
    return {"failed": failed, "parts": {k: t.row() for k, t in sorted(tallies.items())}}


def fmt(row):
    prec = "—" if row["precision"] is None else f"{row['precision']:.3f}"
    cov = "—" if row["coverage"] is None else f"{row['coverage']:.3f}"
    conf = ", ".join(f"{k}: {v['right']}/{v['calls']}" for k, v in row["by_confidence"].items())
    return (f"{row['scored']:6d} scored  {row['calls']:5d} calls  {row['right']:5d} right  "
            f"precision {prec}  coverage {cov}" + (f"  [by confidence {conf}]" if conf else ""))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Direction of derivation with dates hidden.")
    ap.add_argument("--whence")
    ap.add_argument("--corpus", help="dated JSONL corpus (Reuters-21578)")
    ap.add_argument("--meter", help="METER corpus root (optional)")
    ap.add_argument("--split-date", default="1987-03-20")
    ap.add_argument("--pairs-in", help="score this pairs file (written with dates hidden) instead of running pairs")
    ap.add_argument("--work", help="directory for the pairs file (default: a temporary one)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.corpus or not os.path.isfile(args.corpus):
        log(f"SKIPPED: dated corpus not found at {args.corpus}")
        return 0
    if not args.pairs_in and not (args.whence and os.access(args.whence, os.X_OK)):
        log(f"SKIPPED: whence binary not found at {args.whence}")
        return 0
    try:
        datetime.datetime.fromisoformat(args.split_date)
    except ValueError:
        log(f"--split-date {args.split_date!r} is not an ISO date")
        return 2
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or tmp
        os.makedirs(work, exist_ok=True)
        out["reuters"] = reuters(args, work)
    if out["reuters"] is None:
        return 1
    status = 0
    if args.meter:
        if os.path.isdir(os.path.join(args.meter, "file_index", "courts")) and args.whence:
            out["meter"] = meter(args)
            status = 1 if out["meter"]["failed"] else 0
        else:
            log(f"METER part SKIPPED: no corpus at {args.meter} or no binary")
    if args.json:
        print(json.dumps(out, indent=1))
        return status
    r = out["reuters"]
    print(f"Reuters, dates hidden (split {args.split_date}); {r['unreadable_dates']} unreadable dates; "
          f"not scored: {r['skipped']}")
    for name, row in r["parts"].items():
        print(f"  {name:18} {fmt(row)}")
        print(f"  {'':18} relations {row['relations']}")
    if "meter" in out:
        print("METER wholly/partially derived stories vs each PA file of their topic (newspaper is later)")
        for name, row in out["meter"]["parts"].items():
            print(f"  {name:18} {fmt(row)}")
            print(f"  {'':18} relations {row['relations']}")
    return status


if __name__ == "__main__":
    sys.exit(main())
