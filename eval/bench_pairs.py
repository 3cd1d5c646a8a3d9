#!/usr/bin/env python3
"""Scale benchmark: `whence pairs` vs rensa and datasketch MinHash-LSH on a
generated corpus with planted reuse (../shared/tools/gen_corpus.py).

One run, one corpus, the tools one after another, each in its own child
process so that its wall time, CPU time (user + system) and peak RSS are its
own (os.wait4 on that child):

  whence      `whence pairs CORPUS --out pairs.jsonl [--threads N]`
  rensa       RMinHash + RMinHashLSH, 128 permutations, word tokens
              (`text.split()`, as rensa's README does), 16 bands; candidates
              kept when the estimated Jaccard >= --threshold (0.8).
  datasketch  MinHash + MinHashLSH(threshold, num_perm=128), same tokens and
              the same check.  Slow: --peer-limit N runs it on the first N
              documents only, and its recall is then computed on the planted
              pairs whose two documents are both among those N (said in the
              output).

The peers run in this script's own code (`--_peer NAME`, started with
--peer-python, e.g. a venv that has them: see eval/requirements-bench.txt).
A missing package skips that peer with the pip command to install it.

Reported per tool: wall, CPU, MB/s of input text (UTF-8 bytes of the `text`
fields over wall time), peak RSS, pairs reported, recall of the planted pairs
by kind (exact, near, partial, rewrite, truncated) and overall.  A planted
pair {derived, source} counts as found in either order.  For every tool, the
reported pairs that are not planted are split into:
  transitive   both documents are in one connected component of the planted
               pairs (two copies of one source, a copy of a copy): real reuse
               that the truth file does not list;
  same body    the bodies (text without the site's 2 header and 4 footer
               lines, whitespace-normalised) are identical: natural
               duplicates in the base news corpora;
  other        the rest, split by the word 5-gram containment of the smaller
               body in the other (at most --verify-max pairs checked a tool):
               shared_text >= 0.5 (real reuse the truth does not list, e.g. a
               `partial` document whose host article is itself in the corpus),
               some_shared_text [0.2, 0.5), little_shared_text < 0.2; with how
               many of each share a `site` (and so its header/footer chrome: a
               same-site pair with little shared body text is a chrome suspect),
               and by the generator origin of the two documents: base (a real
               news article) or filler (order-2 Markov text made from them once
               they run out, which repeats runs of their words); see --base.
For whence also a sample of --sample non-planted pairs (ids, relation,
category, word-set Jaccard and containment of the bodies), written with the two
texts side by side to WORKDIR/nonplanted_sample.txt.

Usage:
  python3 eval/bench_pairs.py --whence target/release/whence --docs 100000 \
      [--seed 1] [--workdir DIR] [--keep] [--peers rensa,datasketch] \
      [--threshold 0.8] [--peer-limit 20000] [--peer-python /tmp/venv-bench/bin/python] \
      [--threads 2] [--json]
  python3 eval/bench_pairs.py --corpus c100k.jsonl --truth t100k.jsonl ...   # reuse a corpus
  Without --whence (or with --no-whence) only the peers run.
Exit status: 0 ok or skipped; 1 a tool failed; 2 unusable input.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import textwrap
import time

KINDS = ("exact", "near", "partial", "rewrite", "truncated")
GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "tools", "gen_corpus.py")
INSTALL = {"rensa": "pip install rensa", "datasketch": "pip install datasketch"}
WS = re.compile(r"\s+")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def open_text(path, mode="rt"):
    if path.endswith(".gz"):
        return gzip.open(path, mode, encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def body_of(text):
    """The generator writes header(2 lines) + blank + body + blank + footer(4 lines)."""
    lines = text.split("\n")
    if len(lines) >= 9 and lines[2] == "" and lines[-5] == "":
        return "\n".join(lines[3:-5])
    return text


def norm(text):
    return WS.sub(" ", text).strip()


# --------------------------------------------------------------------------
# child processes, measured one by one
# --------------------------------------------------------------------------

def run_measured(cmd, stdout_path, stderr_path, timeout=None):
    """Run cmd; -> dict(wall, cpu, user, sys, max_rss_mb, rc)."""
    load0 = round(os.getloadavg()[0], 2)
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t0 = time.monotonic()
        try:
            p = subprocess.Popen(cmd, stdout=out, stderr=err)
        except OSError as e:
            return {"rc": None, "error": f"cannot run {cmd[0]}: {e}"}
        deadline = None if timeout is None else t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.monotonic() > deadline:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.05)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    return {"rc": p.returncode, "wall": wall, "loadavg_before": load0, "user": ru.ru_utime, "sys": ru.ru_stime,
            "cpu": ru.ru_utime + ru.ru_stime, "max_rss_mb": ru.ru_maxrss / 1024.0}


def tail(path, n=800):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")[-n:]
    except OSError:
        return ""


# --------------------------------------------------------------------------
# peers (run inside the child: `bench_pairs.py --_peer NAME ...`)
# --------------------------------------------------------------------------

def peer_main(args):
    """Build signatures, index, query, verify; write `a<TAB>b<TAB>jaccard` lines."""
    name = args._peer
    try:
        if name == "rensa":
            from rensa import RMinHash, RMinHashLSH
        elif name == "datasketch":
            from datasketch import MinHash, MinHashLSH
        else:
            print(f"unknown peer {name}", file=sys.stderr)
            return 2
    except ImportError as e:
        print(f"MISSING: {e}", file=sys.stderr)
        return 3
    t_read = t_sig = t_lsh = 0.0
    c_sig = c_lsh = 0.0   # CPU seconds of this process in the two phases
    ids, sigs, n_cand, n_pairs, nbytes = [], [], 0, 0, 0
    thr = args.threshold
    if name == "rensa":
        lsh = RMinHashLSH(threshold=thr, num_perm=args.num_perm, num_bands=args.bands)
    else:
        lsh = MinHashLSH(threshold=thr, num_perm=args.num_perm)
    with open_text(args.corpus) as f, open(args.out, "w", encoding="utf-8") as out:
        t = time.perf_counter()
        for i, line in enumerate(f):
            if args.limit and i >= args.limit:
                break
            d = json.loads(line)
            text = d["text"]
            nbytes += len(text.encode("utf-8"))
            toks = text.split()
            t1 = time.perf_counter()
            c1 = time.process_time()
            t_read += t1 - t
            if name == "rensa":
                m = RMinHash(num_perm=args.num_perm, seed=42)
                m.update(toks)
            else:
                m = MinHash(num_perm=args.num_perm, seed=1)
                m.update_batch([w.encode("utf-8") for w in toks])
            t2 = time.perf_counter()
            c2 = time.process_time()
            t_sig += t2 - t1
            c_sig += c2 - c1
            # query before insert: every colliding pair is seen once, with i the later doc
            cands = lsh.query(m)
            n_cand += len(cands)
            for c in cands:
                j = sigs[c].jaccard(m)
                if j >= thr:
                    out.write(f"{ids[c]}\t{d['id']}\t{j:.4f}\n")
                    n_pairs += 1
            lsh.insert(i, m)
            ids.append(d["id"])
            sigs.append(m)
            t = time.perf_counter()
            t_lsh += t - t2
            c_lsh += time.process_time() - c2
    print(json.dumps({"docs": len(ids), "bytes": nbytes, "candidates": n_cand, "pairs": n_pairs,
                      "read_s": t_read, "signatures_s": t_sig, "lsh_query_verify_s": t_lsh,
                      "signatures_cpu_s": c_sig, "lsh_query_verify_cpu_s": c_lsh}))
    return 0


# --------------------------------------------------------------------------
# truth and corpus scan
# --------------------------------------------------------------------------

class UnionFind:
    def __init__(self):
        self.p = {}

    def find(self, x):
        p = self.p
        root = x
        while p.get(root, root) != root:
            root = p[root]
        while p.get(x, x) != root:
            p[x], x = root, p[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[ra] = rb


def read_truth(path):
    truth = {}
    uf = UnionFind()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                t = json.loads(line)
                truth[frozenset((t["derived"], t["source"]))] = t["kind"]
                uf.union(t["derived"], t["source"])
    return truth, uf


def scan_corpus(path):
    """-> (order {id: index}, site {id: site}, body hash {id: 8 bytes}, total text bytes)."""
    order, site, bhash, nbytes = {}, {}, {}, 0
    with open_text(path) as f:
        for i, line in enumerate(f):
            d = json.loads(line)
            did = str(d["id"])
            order[did] = i
            site[did] = d.get("site")
            t = d["text"]
            nbytes += len(t.encode("utf-8"))
            bhash[did] = hashlib.blake2b(norm(body_of(t)).encode("utf-8"), digest_size=8).digest()
    return order, site, bhash, nbytes


def load_texts(path, wanted):
    out = {}
    if not wanted:
        return out
    with open_text(path) as f:
        for line in f:
            d = json.loads(line)
            if str(d["id"]) in wanted:
                out[str(d["id"])] = d["text"]
    return out


# --------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------

def score(pairs, truth, uf, order, site, bhash, limit=None):
    """pairs: {frozenset: relation}.  -> dict with recall by kind and non-planted split."""
    eligible = {k: v for k, v in truth.items()
                if limit is None or all(order.get(x, limit) < limit for x in k)}
    found = {k: 0 for k in KINDS}
    total = {k: 0 for k in KINDS}
    for k, kind in eligible.items():
        total[kind] = total.get(kind, 0) + 1
        if k in pairs:
            found[kind] = found.get(kind, 0) + 1
    recall = {k: (found[k] / total[k] if total[k] else None) for k in total}
    n_all = sum(total.values())
    recall["overall"] = sum(found.values()) / n_all if n_all else None
    cats = {"transitive": 0, "same_body": 0, "other": 0}
    other_same_site = 0
    same_site = 0
    unknown = 0
    nonplanted = []
    for k, rel in pairs.items():
        if k in truth or len(k) != 2:
            continue
        a, b = sorted(k)
        if a not in order or b not in order:
            unknown += 1
            continue
        ss = site.get(a) is not None and site.get(a) == site.get(b)
        same_site += ss
        if uf.find(a) == uf.find(b):
            cat = "transitive"
        elif bhash[a] == bhash[b]:
            cat = "same_body"
        else:
            cat = "other"
            other_same_site += ss
        cats[cat] += 1
        nonplanted.append((a, b, rel, cat, ss))
    return {
        "pairs": len(pairs),
        "planted": n_all, "planted_by_kind": total, "found_by_kind": found,
        "recall": recall,
        "nonplanted": len(nonplanted), "nonplanted_same_site": same_site,
        "nonplanted_by_category": cats, "other_same_site": other_same_site,
        "unknown_ids": unknown,
        "_nonplanted": nonplanted,
    }


def grams(text, k=5):
    w = re.findall(r"\w+", text.lower())
    return {hash(tuple(w[i:i + k])) for i in range(len(w) - k + 1)}


def containment(ta, tb):
    """Word 5-gram containment of the smaller body in the other (bodies without site chrome)."""
    ga, gb = grams(body_of(ta)), grams(body_of(tb))
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / min(len(ga), len(gb))


def origins(order, uf, base_dir):
    """Which generator origin each document has: 'base' (a real article from base_dir) or
    'filler' (order-2 Markov text, made once the base articles run out); a derived document
    takes the origin of its planted source chain.  Mirrors gen_corpus.py: base articles
    are those longer than 200 characters, used in corpus order by non-derived documents.
    -> {id: origin}, or None when base_dir has no corpora."""
    import glob
    paths = sorted(glob.glob(os.path.join(base_dir, "*.jsonl.gz")))
    if not paths:
        return None
    nbase = 0
    for p in paths:
        with gzip.open(p, "rt", encoding="utf-8") as f:
            nbase += sum(1 for line in f if len(json.loads(line)["text"]) > 200)
    out, used, root = {}, 0, {}
    for did, _ in sorted(order.items(), key=lambda x: x[1]):
        r = uf.find(did)
        if r in root:                      # a later member of a planted component
            out[did] = root[r]
            continue
        out[did] = "base" if used < nbase else "filler"
        used += 1
        root[r] = out[did]
    return out


BINS = (("shared_text", 0.5), ("some_shared_text", 0.2), ("little_shared_text", -1.0))


def bin_of(c):
    return next(name for name, lo in BINS if c >= lo)


def classify_other(results, corpus, verify_max, seed, origin=None):
    """Split each tool's "other" non-planted pairs by how much body text they share.

    shared_text (5-gram containment >= 0.5): real reuse the truth file does not list,
    e.g. a `partial` document whose host article is itself in the corpus;
    some_shared_text [0.2, 0.5); little_shared_text < 0.2: suspects, and if the two
    share a site, possibly caused by the site's header/footer chrome.
    At most verify_max pairs per tool are checked (a seeded random sample)."""
    rng = random.Random(seed)
    picks = {}
    for name, res in results.items():
        others = [p for p in res["_nonplanted"] if p[3] == "other"]
        picks[name] = (rng.sample(others, verify_max) if len(others) > verify_max else others, len(others))
    wanted = {x for pk, _ in picks.values() for p in pk for x in p[:2]}
    texts = load_texts(corpus, wanted)
    out = {}
    for name, (pk, n_other) in picks.items():
        counts = {b: 0 for b, _ in BINS}
        same_site = {b: 0 for b, _ in BINS}
        by_origin = {}
        if origin is not None:
            for a, b, rel, cat, ss in results[name]["_nonplanted"]:
                if cat == "other":
                    key = "-".join(sorted((origin.get(a, "?"), origin.get(b, "?"))))
                    by_origin[key] = by_origin.get(key, 0) + 1
        values = {}
        for a, b, rel, cat, ss in pk:
            c = containment(texts[a], texts[b])
            values[(a, b)] = c
            counts[bin_of(c)] += 1
            same_site[bin_of(c)] += ss
        out[name] = {"other_checked": len(pk), "other_total": n_other,
                     "other_by_shared_body_text": counts, "other_same_site_by_shared_body_text": same_site,
                     "other_by_origin": by_origin,
                     "_values": values}
    return out


def read_whence_pairs(path):
    pairs = {}
    bad = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                o = json.loads(line)
                pairs[frozenset((str(o["a"]), str(o["b"])))] = str(o.get("relation", "?"))
            except (ValueError, KeyError, TypeError):
                bad += 1
    return pairs, bad


def read_peer_pairs(path):
    pairs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            a, b, j = line.rstrip("\n").split("\t")
            pairs[frozenset((a, b))] = f"J~{j}"
    return pairs


def words(t):
    return set(re.findall(r"\w+", t.lower()))


def side_by_side(a, b, width=72):
    la = [x for p in a.split("\n") for x in (textwrap.wrap(p, width) or [""])]
    lb = [x for p in b.split("\n") for x in (textwrap.wrap(p, width) or [""])]
    n = max(len(la), len(lb))
    la += [""] * (n - len(la))
    lb += [""] * (n - len(lb))
    return "\n".join(f"{x:<{width}} | {y}" for x, y in zip(la, lb))


def sample_nonplanted(nonplanted, values, site, corpus, k, seed, path):
    """k non-planted pairs, from the "other" category first; their texts side by side in path."""
    rng = random.Random(seed)
    others = [p for p in nonplanted if p[3] == "other"]
    pick = rng.sample(others, min(k, len(others)))
    if len(pick) < k:
        chosen = set(pick)
        rest = [p for p in nonplanted if p not in chosen]
        pick += rng.sample(rest, min(k - len(pick), len(rest)))
    texts = load_texts(corpus, {x for p in pick for x in p[:2]})
    out = []
    with open(path, "w", encoding="utf-8") as f:
        for a, b, rel, cat, ss in pick:
            ta, tb = texts.get(a, ""), texts.get(b, "")
            wa, wb = words(body_of(ta)), words(body_of(tb))
            inter = len(wa & wb)
            c = values.get((a, b))
            c = containment(ta, tb) if c is None else c
            e = {"a": a, "b": b, "relation": rel, "category": cat,
                 "shared_body_text": bin_of(c) if cat == "other" else None,
                 "site_a": site.get(a), "site_b": site.get(b),
                 "body_5gram_containment": round(c, 3),
                 "body_word_jaccard": round(inter / max(1, len(wa | wb)), 3)}
            out.append(e)
            f.write("=" * 150 + "\n" + json.dumps(e) + "\n" + "=" * 150 + "\n")
            f.write(side_by_side(ta, tb) + "\n\n")
    return out


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--whence", help="whence binary (omit to run only the peers)")
    ap.add_argument("--no-whence", action="store_true")
    ap.add_argument("--docs", type=int, help="generate a corpus of N documents")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", help="reuse this corpus JSONL (with --truth)")
    ap.add_argument("--truth")
    ap.add_argument("--gen", default=GEN, help="path of gen_corpus.py")
    ap.add_argument("--base", default=os.path.join(os.path.dirname(GEN), "..", "corpora", "news"),
                    help="gen_corpus.py's base corpora, to tell base from Markov filler documents "
                         "('' to skip); must be the ones the corpus was made from")
    ap.add_argument("--workdir")
    ap.add_argument("--keep", action="store_true", help="keep the generated corpus and pair files")
    ap.add_argument("--peers", default="rensa,datasketch")
    ap.add_argument("--peer-python", default=sys.executable)
    ap.add_argument("--peer-limit", type=int, default=20000,
                    help="datasketch runs on the first N documents only (0 = all)")
    ap.add_argument("--rensa-limit", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--bands", type=int, default=16, help="rensa LSH bands")
    ap.add_argument("--threads", type=int, help="passed to whence pairs --threads")
    ap.add_argument("--whence-args", default="", help="extra arguments for whence pairs")
    ap.add_argument("--sample", type=int, default=10)
    ap.add_argument("--verify-max", type=int, default=20000,
                    help="check the shared body text of at most N 'other' non-planted pairs per tool")
    ap.add_argument("--timeout", type=float, default=None, help="per tool, seconds")
    ap.add_argument("--json", action="store_true")
    # internal: run one peer in this process
    ap.add_argument("--_peer", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._peer:
        return peer_main(args)

    if args.corpus:
        if not args.truth:
            ap.error("--corpus needs --truth")
        if not (os.path.isfile(args.corpus) and os.path.isfile(args.truth)):
            log(f"SKIPPED: corpus or truth not found ({args.corpus}, {args.truth})")
            return 0
    elif not args.docs:
        ap.error("give --docs N or --corpus FILE --truth FILE")
    use_whence = bool(args.whence) and not args.no_whence
    if use_whence and not (os.path.isfile(args.whence) and os.access(args.whence, os.X_OK)):
        log(f"SKIPPED: whence binary not found at {args.whence}")
        return 0
    peers = [p for p in args.peers.split(",") if p]
    for p in peers:
        if p not in INSTALL:
            ap.error(f"unknown peer {p}")

    workdir = args.workdir or tempfile.mkdtemp(prefix="bench_pairs_")
    os.makedirs(workdir, exist_ok=True)
    made = []
    report = {"workdir": workdir, "threshold": args.threshold, "num_perm": args.num_perm,
              "tools": {}, "skipped": {}}
    status = 0

    if args.corpus:
        corpus, truthf = args.corpus, args.truth
    else:
        if not os.path.isfile(args.gen):
            log(f"SKIPPED: gen_corpus.py not found at {args.gen}")
            return 0
        corpus = os.path.join(workdir, f"corpus_{args.docs}_s{args.seed}.jsonl")
        truthf = os.path.join(workdir, f"truth_{args.docs}_s{args.seed}.jsonl")
        log(f"generating {args.docs} documents (seed {args.seed}) into {corpus} ...")
        t0 = time.monotonic()
        r = run_measured([sys.executable, args.gen, "--docs", str(args.docs), "--seed", str(args.seed),
                          "--out", corpus, "--truth", truthf],
                         os.path.join(workdir, "gen.out"), os.path.join(workdir, "gen.err"))
        made += [corpus, truthf]
        if r.get("rc") != 0:
            log(f"gen_corpus.py failed: {r}; {tail(os.path.join(workdir, 'gen.err'))}")
            return 2
        report["generate"] = {k: r[k] for k in ("wall", "cpu", "max_rss_mb")}
        log(f"generated in {time.monotonic() - t0:.1f}s")
    report["corpus"], report["truth"] = corpus, truthf

    log("reading truth and corpus ...")
    truth, uf = read_truth(truthf)
    order, site, bhash, nbytes = scan_corpus(corpus)
    report["docs"], report["text_mb"] = len(order), nbytes / 1e6
    report["planted_pairs"] = len(truth)

    def add_common(entry, r, mb):
        entry.update({k: r[k] for k in ("wall", "cpu", "user", "sys", "max_rss_mb", "loadavg_before")})
        entry["mb_per_s"] = mb / r["wall"] if r["wall"] else None
        entry["mb_per_cpu_s"] = mb / r["cpu"] if r["cpu"] else None

    raw = {}   # tool -> score() result with its non-planted pair list

    # (a) whence
    if use_whence:
        out = os.path.join(workdir, "whence_pairs.jsonl")
        cmd = [args.whence, "pairs", corpus, "--out", out]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        cmd += args.whence_args.split()
        log("running: " + " ".join(cmd))
        r = run_measured(cmd, os.path.join(workdir, "whence.out"), os.path.join(workdir, "whence.err"),
                         args.timeout)
        made.append(out)
        if r.get("rc") != 0 or not os.path.isfile(out):
            log(f"whence pairs failed: {r}; stderr: {tail(os.path.join(workdir, 'whence.err'))}")
            report["tools"]["whence"] = {"error": r, "stderr": tail(os.path.join(workdir, "whence.err"))}
            status = 1
        else:
            pairs, bad = read_whence_pairs(out)
            res = score(pairs, truth, uf, order, site, bhash)
            entry = {"command": " ".join(cmd), "docs": len(order), "bad_lines": bad,
                     "summary": tail(os.path.join(workdir, "whence.err"), 400).strip().splitlines()[-1:]}
            add_common(entry, r, nbytes / 1e6)
            rel = {}
            for k, v in pairs.items():
                rel[v] = rel.get(v, 0) + 1
            entry["relations"] = rel
            np_rel = {}
            for x in res["_nonplanted"]:
                np_rel[x[2]] = np_rel.get(x[2], 0) + 1
            entry["nonplanted_relations"] = np_rel
            raw["whence"] = res
            entry.update(res)
            report["tools"]["whence"] = entry

    # (b), (c) peers
    for p in peers:
        limit = args.peer_limit if p == "datasketch" else args.rensa_limit
        limit = limit if limit and limit < len(order) else 0
        out = os.path.join(workdir, f"{p}_pairs.tsv")
        cmd = [args.peer_python, os.path.abspath(__file__), "--_peer", p, "--corpus", corpus,
               "--out", out, "--threshold", str(args.threshold), "--num-perm", str(args.num_perm),
               "--bands", str(args.bands), "--limit", str(limit)]
        log(f"running {p}" + (f" on the first {limit} documents" if limit else "") + " ...")
        so, se = os.path.join(workdir, f"{p}.out"), os.path.join(workdir, f"{p}.err")
        r = run_measured(cmd, so, se, args.timeout)
        made.append(out)
        if r.get("rc") == 3:
            msg = (f"{p} is not installed for {args.peer_python}: "
                   f"`{args.peer_python} -m {INSTALL[p]}` (or use --peer-python with a venv "
                   f"made from eval/requirements-bench.txt)")
            log("SKIPPED peer: " + msg)
            report["skipped"][p] = msg
            continue
        if r.get("rc") != 0:
            log(f"{p} failed: {r}; stderr: {tail(se)}")
            report["tools"][p] = {"error": r, "stderr": tail(se)}
            status = 1
            continue
        inner = json.loads(open(so, encoding="utf-8").read().strip().splitlines()[-1])
        pairs = read_peer_pairs(out)
        res = score(pairs, truth, uf, order, site, bhash, limit or None)
        raw[p] = res
        entry = {"docs": inner["docs"], "limited_to_first": limit or None, "inner": inner,
                 "candidates": inner["candidates"]}
        add_common(entry, r, inner["bytes"] / 1e6)
        entry["signatures_lsh_mb_per_s"] = (inner["bytes"] / 1e6 /
                                            max(1e-9, inner["signatures_s"] + inner["lsh_query_verify_s"]))
        entry["signatures_lsh_mb_per_cpu_s"] = (inner["bytes"] / 1e6 / max(
            1e-9, inner["signatures_cpu_s"] + inner["lsh_query_verify_cpu_s"]))
        entry.update(res)
        report["tools"][p] = entry

    # what the non-planted pairs are
    if raw:
        log("checking the non-planted pairs' shared body text ...")
        origin = origins(order, uf, args.base) if args.base else None
        cls = classify_other(raw, corpus, args.verify_max, args.seed, origin)
        for name, res in raw.items():
            e = report["tools"][name]
            values = cls[name].pop("_values")
            e.update(cls[name])
            if name == "whence":
                spath = os.path.join(workdir, "nonplanted_sample.txt")
                e["nonplanted_sample"] = sample_nonplanted(res["_nonplanted"], values, site, corpus,
                                                           args.sample, args.seed, spath)
                e["nonplanted_sample_texts"] = spath
            e.pop("_nonplanted", None)
            res.pop("_nonplanted", None)

    # ratios (time per MB, so a limited datasketch run compares fairly)
    w = report["tools"].get("whence")
    if w and "wall" in w:
        for p in peers:
            e = report["tools"].get(p)
            if e and "wall" in e:
                report.setdefault("ratios", {})[f"whence/{p}"] = {
                    "wall_per_mb": (w["wall"] / report["text_mb"]) / (e["wall"] / (e["inner"]["bytes"] / 1e6)),
                    "cpu_per_mb": (w["cpu"] / report["text_mb"]) / (e["cpu"] / (e["inner"]["bytes"] / 1e6)),
                    "peak_rss": w["max_rss_mb"] / e["max_rss_mb"],
                }

    if not args.keep:
        for f in made:
            if args.corpus and f in (args.corpus, args.truth):
                continue
            try:
                os.remove(f)
            except OSError:
                pass
    rp = os.path.join(workdir, "report.json")
    with open(rp, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print_report(report)
    log(f"report: {rp}")
    return status


def fmt(x, nd=3):
    return "-" if x is None else (f"{x:.{nd}f}" if isinstance(x, float) else str(x))


def print_report(r):
    print(f"corpus {r['corpus']}: {r['docs']} docs, {r['text_mb']:.1f} MB of text, "
          f"{r['planted_pairs']} planted pairs; threshold {r['threshold']}, {r['num_perm']} perms")
    if "generate" in r:
        g = r["generate"]
        print(f"generation: {g['wall']:.1f}s wall, peak RSS {g['max_rss_mb']:.0f} MB")
    hdr = ["tool", "docs", "wall s", "cpu s", "MB/s", "MB/cpu-s", "RSS MB", "pairs", *KINDS, "overall", "non-planted",
           "load"]
    print("\t".join(hdr))
    for name, e in r["tools"].items():
        if "error" in e:
            print(f"{name}\tFAILED: {e['error']}")
            continue
        rec = e["recall"]
        print("\t".join([name, str(e["docs"]), fmt(e["wall"], 1), fmt(e["cpu"], 1),
                         fmt(e["mb_per_s"], 2), fmt(e["mb_per_cpu_s"], 2),
                         fmt(e["max_rss_mb"], 0), str(e["pairs"]), *[fmt(rec.get(k)) for k in KINDS],
                         fmt(rec["overall"]), str(e["nonplanted"]), fmt(e["loadavg_before"], 2)]))
    for name, e in r["tools"].items():
        if "error" in e:
            continue
        if e.get("limited_to_first"):
            print(f"NOTE: {name} ran on the first {e['limited_to_first']} documents only; its recall "
                  f"counts the {e['planted']} planted pairs inside them")
        c = e["nonplanted_by_category"]
        print(f"{name}: non-planted {e['nonplanted']} = transitive {c['transitive']} + same body "
              f"{c['same_body']} + other {c['other']} (other sharing a site: {e['other_same_site']}); "
              f"all non-planted sharing a site: {e['nonplanted_same_site']}")
        if "other_by_shared_body_text" in e:
            print(f"{name}: other, by body 5-gram containment ({e['other_checked']} of {e['other_total']} "
                  f"checked): {e['other_by_shared_body_text']}; of these sharing a site: "
                  f"{e['other_same_site_by_shared_body_text']}")
        if e.get("other_by_origin"):
            print(f"{name}: other, by generator origin of the two documents: {e['other_by_origin']}")
        if "inner" in e:
            i = e["inner"]
            print(f"{name}: read {i['read_s']:.1f}s, signatures {i['signatures_s']:.1f}s, "
                  f"LSH query+verify {i['lsh_query_verify_s']:.1f}s, candidates {i['candidates']}; "
                  f"signatures+LSH {e['signatures_lsh_mb_per_s']:.1f} MB/s wall, "
                  f"{e['signatures_lsh_mb_per_cpu_s']:.1f} MB/cpu-s")
    w = r["tools"].get("whence")
    if w and "relations" in w:
        print(f"whence relations: {w['relations']}; non-planted: {w['nonplanted_relations']}; "
              f"summary: {w['summary']}")
        print(f"whence non-planted sample (texts side by side in {w['nonplanted_sample_texts']}):")
        for s in w["nonplanted_sample"]:
            print(f"  {s['a']} {s['b']} {s['relation']} [{s['category']}"
                  f"{' ' + s['shared_body_text'] if s['shared_body_text'] else ''}] "
                  f"sites {s['site_a']}/{s['site_b']} body 5-gram containment "
                  f"{s['body_5gram_containment']}, word Jaccard {s['body_word_jaccard']}")
    print("load = 1-minute load average when the tool started (2 cores; above ~1 other work competed)")
    for k, v in r.get("ratios", {}).items():
        print(f"{k} (below 1: whence faster / smaller): wall per MB {v['wall_per_mb']:.3f}, "
              f"CPU per MB {v['cpu_per_mb']:.3f}, "
              f"peak RSS {v['peak_rss']:.2f}")
    for k, v in r["skipped"].items():
        print(f"SKIPPED {k}: {v}")


if __name__ == "__main__":
    sys.exit(main())
