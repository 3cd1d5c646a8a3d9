#!/usr/bin/env python3
"""Splits L3S-GN1 (621 Google News article pages) by site into a development part
and a held-out part, so that no site -- and no site template shared by a newspaper
group -- has pages on both sides.

The pages carry no URL (32 have a <base href>), so each page's site is inferred:

1. its domain: the <base href>, canonical link or og:url when present, else the
   registrable domain (example.co.uk, example.com) of its absolute URLs with the
   highest count x log(N / pages linking to it), which prefers the page's own
   domain to ad, analytics and social hosts that many pages link to;
2. its template: the set of its class/id tokens and the first two segments of its
   relative links; two pages whose idf-weighted overlap coefficient is >= 0.55 share
   a template (pages of one newspaper group, e.g. macon.com and kansascity.com, or
   the Google-hosted AFP/AP pages, which have almost no absolute links).

Groups are the connected components of "same domain" and "same template"; whole
groups go to the held-out part in an order fixed by a hash of their first stem,
until it holds a third of the pages.

usage: l3s_split.py --gold-dir ../shared/corpora/html-extraction/l3s-gn1 --out eval/l3s-gn1-split.tsv
The TSV has one line per page: stem, group (its smallest stem), domain, part.
"""
import argparse, collections, hashlib, math, os, re, sys

URL = re.compile(rb'(?:href|src|action|content)\s*=\s*["\']?(https?://[^/"\'\s>]+)', re.I)
OWN = [
    re.compile(rb'<base[^>]+href\s*=\s*["\']?(https?://[^/"\'\s>]+)', re.I),
    re.compile(rb'<link[^>]+rel\s*=\s*["\']?canonical["\']?[^>]*href\s*=\s*["\']?(https?://[^/"\'\s>]+)', re.I),
    re.compile(rb'<meta[^>]+property\s*=\s*["\']og:url["\'][^>]*content\s*=\s*["\'](https?://[^/"\'\s>]+)', re.I),
]
ATTR = re.compile(rb'\b(?:class|id)\s*=\s*["\']?([^"\'>]+)', re.I)
REL = re.compile(rb'href\s*=\s*["\']?(/[^"\'\s>?#]*)', re.I)
HOST = re.compile(rb'https?://([^/:?#]+)')
SECOND_LEVEL = {"co", "com", "net", "org", "ac", "gov", "edu", "or", "ne", "go", "nic"}
TEMPLATE_SAME = 0.55
HELD_OUT_SHARE = 1 / 3


def registrable(url):
    m = HOST.match(url)
    if not m:
        return None
    h = m.group(1).decode("latin-1").lower().rstrip(".")
    if re.fullmatch(r"[\d.]+", h):
        return h
    p = h.split(".")
    if len(p) >= 3 and p[-2] in SECOND_LEVEL and len(p[-1]) == 2:
        return ".".join(p[-3:])
    return ".".join(p[-2:])


def page_features(raw):
    own = next((registrable(m.group(1)) for r in OWN for m in [r.search(raw)] if m), None)
    links = collections.Counter(d for d in map(registrable, URL.findall(raw)) if d)
    tmpl = {b"a:" + t.lower() for m in ATTR.findall(raw) for t in m.split()}
    tmpl |= {b"r:" + b"/".join(m.split(b"/")[1:3]).lower() for m in REL.findall(raw)}
    return own, links, tmpl


def groups(pages):
    """pages: {stem: raw bytes} -> ({stem: group}, {stem: domain})."""
    stems = sorted(pages)
    feats = {s: page_features(pages[s]) for s in stems}
    n = len(stems)
    link_df = collections.Counter(d for _, links, _ in feats.values() for d in links)
    domain = {}
    for s, (own, links, _) in feats.items():
        if own:
            domain[s] = own
        elif links:
            domain[s] = max(sorted(links.items()), key=lambda kv: kv[1] * math.log(n / link_df[kv[0]]))[0]
    parent = {s: s for s in stems}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first = {}
    for s in stems:
        if s in domain:
            union(s, first.setdefault(domain[s], s))
    tmpl_df = collections.Counter(t for _, _, tmpl in feats.values() for t in tmpl)
    idf = {t: math.log(n / c) for t, c in tmpl_df.items()}
    weight = {s: sum(idf[t] for t in feats[s][2]) for s in stems}
    for i, a in enumerate(stems):
        for b in stems[i + 1:]:
            common = feats[a][2] & feats[b][2]
            if common and sum(idf[t] for t in common) >= TEMPLATE_SAME * max(min(weight[a], weight[b]), 1e-9):
                union(a, b)
    return {s: find(s) for s in stems}, domain


def assign(group_of, seed="l3s-gn1"):
    members = collections.defaultdict(list)
    for s, g in group_of.items():
        members[g].append(s)
    order = sorted(members, key=lambda g: hashlib.sha1((seed + g).encode()).hexdigest())
    target, held = HELD_OUT_SHARE * len(group_of), 0
    part = {}
    for g in order:
        p = "heldout" if held < target else "dev"
        held += len(members[g]) if p == "heldout" else 0
        for s in members[g]:
            part[s] = p
    return part


def read_split(path):
    """{stem: part} from a split TSV (stem, group, domain, part)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                cols = line.rstrip("\n").split("\t")
                out[cols[0]] = cols[3]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold-dir", default="../shared/corpora/html-extraction/l3s-gn1")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    inp = os.path.join(a.gold_dir, "input")
    if not os.path.isdir(inp):
        print(f"{inp} not found: SKIPPED")
        return
    pages = {os.path.splitext(f)[0]: open(os.path.join(inp, f), "rb").read()
             for f in os.listdir(inp) if f.lower().endswith((".html", ".htm"))}
    group_of, domain = groups(pages)
    part = assign(group_of)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("# stem\tgroup\tdomain\tpart  (written by eval/l3s_split.py)\n")
        for s in sorted(pages):
            f.write(f"{s}\t{group_of[s]}\t{domain.get(s, '-')}\t{part[s]}\n")
    c = collections.Counter(part.values())
    ng = collections.Counter(part[g] for g in set(group_of.values()))
    print(f"{len(pages)} pages, {len(set(group_of.values()))} groups: "
          f"dev {c['dev']} pages ({ng['dev']} groups), held out {c['heldout']} pages ({ng['heldout']} groups)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
