#!/usr/bin/env python3
"""Boilerplate detectors of whence-extract on real and generated corpora.

Runs the `boilerplate` example (crates/extract/examples/boilerplate.rs) and reports:

  seeds      the flagged text of each seed document (../shared/corpora/seeds/*.txt);
  news       per file of ../shared/corpora/news/*.jsonl.gz: documents with a flag, the
             fraction of characters flagged by detect_boilerplate (these are real
             articles: everything flagged should be real chrome), and the most frequent
             flagged strings for inspection;
  generated  a corpus from tools/gen_corpus.py (2 header + 4 footer chrome lines per
             document, known by construction): recall of chrome characters and the
             fraction of body characters wrongly flagged, for detect_boilerplate,
             RepeatedLines, and both together.

usage: boilerplate.py --bin target/release/examples/boilerplate
                      [--seeds DIR] [--news DIR] [--generated CORPUS.jsonl] [--min-docs N]
                      [--min-fraction F] [--json]
"""
import argparse, collections, glob, gzip, json, os, subprocess, sys


def run(bin_, args):
    p = subprocess.run([bin_] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(p.stderr)
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def load_jsonl(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt", encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def covered(spans, n):
    mask = bytearray(n)
    for s, e in spans:
        mask[s:e] = b"\x01" * (e - s)
    return mask


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/examples/boilerplate")
    ap.add_argument("--seeds")
    ap.add_argument("--news")
    ap.add_argument("--generated")
    ap.add_argument("--min-docs", default="5")
    ap.add_argument("--min-fraction", default="0.1")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    res = {}
    if a.seeds and os.path.isdir(a.seeds):
        files = sorted(glob.glob(os.path.join(a.seeds, "*.txt")))
        out = []
        for d in run(a.bin, files):
            text = open(os.path.join(a.seeds, d["id"] + ".txt"), encoding="utf-8").read()
            out.append({"id": d["id"], "chars": d["chars"], "spans": d["boilerplate"],
                        "flagged": [text[s:e] for s, e in d["boilerplate"]]})
        res["seeds"] = out
    if a.news and os.path.isdir(a.news):
        res["news"] = {}
        for f in sorted(glob.glob(os.path.join(a.news, "*.jsonl.gz"))):
            texts = {d["id"]: d["text"] for d in load_jsonl(f)}
            tot = fl = docs = 0
            top = collections.Counter()
            for d in run(a.bin, [f]):
                tot += d["chars"]
                docs += bool(d["boilerplate"])
                for s, e in d["boilerplate"]:
                    fl += e - s
                    top[texts[d["id"]][s:e][:70]] += 1
            res["news"][os.path.basename(f)] = {
                "docs": len(texts), "docs_flagged": docs, "chars": tot, "chars_flagged": fl,
                "fraction_flagged": fl / max(tot, 1), "top": top.most_common(a.top)}
    if a.generated and os.path.exists(a.generated):
        docs = {d["id"]: d for d in load_jsonl(a.generated)}
        out = run(a.bin, ["--repeated", "--min-docs", a.min_docs, "--min-fraction", a.min_fraction, a.generated])
        stats = {k: [0, 0] for k in ("detect_boilerplate", "repeated_lines", "both")}  # [chrome hit, body hit]
        chrome_total = body_total = 0
        for d in out:
            text = docs[d["id"]]["text"]
            n = len(text)
            lines = text.split("\n")
            # Chrome by construction: the first 2 and the last 4 lines.
            head = len(lines[0]) + 1 + len(lines[1])
            tail_start = n - len("\n".join(lines[-4:]))
            truth = bytearray(n)
            truth[:head] = b"\x01" * head
            truth[tail_start:] = b"\x01" * (n - tail_start)
            # Chrome characters that are not whitespace; body characters that are not.
            is_ws = [c.isspace() for c in text]
            ct = sum(1 for i in range(n) if truth[i] and not is_ws[i])
            bt = sum(1 for i in range(n) if not truth[i] and not is_ws[i])
            chrome_total += ct
            body_total += bt
            m1, m2 = covered(d["boilerplate"], n), covered(d["repeated"], n)
            for k, m in (("detect_boilerplate", m1), ("repeated_lines", m2),
                         ("both", bytes(x | y for x, y in zip(m1, m2)))):
                stats[k][0] += sum(1 for i in range(n) if m[i] and truth[i] and not is_ws[i])
                stats[k][1] += sum(1 for i in range(n) if m[i] and not truth[i] and not is_ws[i])
        res["generated"] = {k: {"chrome_recall": v[0] / max(chrome_total, 1),
                                "body_flagged": v[1] / max(body_total, 1), "body_chars_flagged": v[1]}
                            for k, v in stats.items()}
        res["generated"]["docs"] = len(out)
        res["generated"]["chrome_chars"] = chrome_total
        res["generated"]["body_chars"] = body_total
    if a.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return
    for d in res.get("seeds", []):
        print(f"seed {d['id']} ({d['chars']} chars): {len(d['spans'])} span(s) {d['spans']}")
        for t in d["flagged"]:
            print("    | " + t[:100].replace("\n", "⏎") + (" … " + t[-60:].replace("\n", "⏎") if len(t) > 160 else ""))
    for f, r in res.get("news", {}).items():
        print(f"news {f}: {r['docs_flagged']}/{r['docs']} docs with a flag, "
              f"{r['chars_flagged']}/{r['chars']} chars flagged = {100 * r['fraction_flagged']:.4f}%")
        for t, c in r["top"]:
            print(f"    {c:5}  {t!r}")
    if "generated" in res:
        g = res["generated"]
        print(f"generated: {g['docs']} docs, {g['chrome_chars']} chrome / {g['body_chars']} body non-space chars")
        for k in ("detect_boilerplate", "repeated_lines", "both"):
            print(f"    {k:20} chrome recall {g[k]['chrome_recall']:.4f}   body flagged {g[k]['body_flagged']:.5f} ({g[k]['body_chars_flagged']} chars)")


if __name__ == "__main__":
    main()
