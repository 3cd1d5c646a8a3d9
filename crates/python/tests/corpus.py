"""A small corpus with planted reuse, written for these tests (no excerpt of any
real corpus): stories built from sentences of invented news, their verbatim
copies, edited copies, excerpts inside longer pieces, near-duplicates, pages
with site chrome, dated and undated documents, ids repeated across files, and
lines the reader must skip."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Dict, List, Tuple

PLACES = ["Harbour City", "Millbank", "Old Quay", "Northgate", "Riverside", "Eastwick", "Stonebridge", "Fairmoor"]
SUBJECTS = ["the council", "the transport minister", "the emergency service", "a hospital spokesman",
            "the port authority", "local farmers", "the school board", "the police chief", "union leaders"]
VERBS = ["said", "announced", "warned", "confirmed", "told reporters", "admitted", "insisted"]
THINGS = ["flood barriers", "the new bridge", "bus fares", "the water supply", "hospital waiting lists",
          "the harbour dredging", "school meals", "street lighting", "the night market", "grain prices"]
EVENTS = ["would be repaired before winter", "had failed after three days of rain",
          "would rise by ten percent in spring", "were delayed by a funding dispute",
          "had been cut without warning", "would be reviewed by an independent panel",
          "were the subject of a formal complaint", "had doubled since last year"]
TAILS = ["Residents were told to expect further updates on Friday.",
         "Opposition members called for an inquiry into the decision.",
         "The figures were published in a report on Monday morning.",
         "Several families said they had not been consulted at all.",
         "Engineers will inspect the site again next week.",
         "Shops in the area reported fewer customers than usual."]


SYLLABLES = ["ka", "lo", "mer", "tin", "sa", "vor", "el", "du", "pra", "nis", "go", "ral", "be", "shu", "ton"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def _sentence(rng: random.Random) -> str:
    # invented words between the template's parts keep unrelated stories from
    # sharing long passages
    n = rng.randint(0, 9999)
    words = " ".join(_word(rng) for _ in range(12))
    tail = f" {rng.choice(TAILS)}" if rng.random() < 0.1 else ""
    return (f"In {rng.choice(PLACES)}, {rng.choice(SUBJECTS)} {rng.choice(VERBS)} that "
            f"{rng.choice(THINGS)} near {words}, affecting about {n:,} people.{tail}")


def _story(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def _edit(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for _ in range(max(1, len(words) // 40)):
        i = rng.randrange(len(words))
        words[i] = rng.choice(["roughly", "nearly", "officials", "reportedly", words[i].upper()])
    return " ".join(words)


def build(seed: int = 7, stories: int = 60) -> List[List[Dict[str, object]]]:
    """Two files' worth of documents (lists of JSON objects)."""
    rng = random.Random(seed)
    sites = ["dailyharbour", "northgate-news", "riverside-post"]
    chrome = {s: (f"{s.upper()} | Home | Local | Sport", f"Get the {s} app. Follow us for more.") for s in sites}
    docs: List[Dict[str, object]] = []
    for k in range(stories):
        site = sites[k % 3]
        body = _story(rng, rng.randint(3, 7))
        head, foot = chrome[site]
        doc: Dict[str, object] = {"id": f"s{k}", "text": f"{head}\n\n{body}\n\n{foot}", "source": site}
        if k % 4 != 3:
            doc["date"] = f"2021-{1 + k % 12:02d}-{1 + k % 27:02d}"
        docs.append(doc)
        kind = k % 6
        if kind == 0:  # verbatim copy on another site, later
            docs.append({"id": f"copy{k}", "text": body, "source": sites[(k + 1) % 3], "date": "2022-02-02"})
        elif kind == 1:  # edited copy
            docs.append({"id": f"edit{k}", "text": _edit(rng, body)})
        elif kind == 2:  # an excerpt inside a longer opinion piece
            first = body.split(". ")[0]
            docs.append({"id": f"op{k}", "text": f"{_story(rng, 4)} As one report put it: {first}. {_story(rng, 3)}"})
        elif kind == 3:  # near-duplicate with a new closing line, undated
            docs.append({"id": f"near{k}", "text": f"{body} Updated with comment from {rng.choice(SUBJECTS)}."})
    rng.shuffle(docs)
    half = len(docs) // 2
    first, second = docs[:half], docs[half:]
    # an id repeated within and across files, and ids shaped like renames
    second.append({"id": "s1", "text": _story(rng, 3)})
    second.append({"id": "s1#2", "text": _story(rng, 3)})
    first.append({"id": "s1", "text": _story(rng, 3)})
    return [first, second]


def write(dir_: Path, seed: int = 7, stories: int = 60) -> List[Path]:
    """Writes the corpus as two JSONL files (the second with lines the reader
    skips: an empty text, a text that is a number, broken JSON)."""
    dir_.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, part in enumerate(build(seed, stories)):
        lines = [json.dumps(d) for d in part]
        if i == 1:
            lines[3:3] = ['{"id": "empty", "text": ""}', '{"id": "num", "text": 42}', '{"id": "broken", "text": ']
        p = dir_ / f"part{i}.jsonl"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(p)
    return paths


def read_lines(path: Path) -> List[str]:
    """The lines of a CLI output file, or of a Spark output directory's part
    files in order."""
    if path.is_dir():
        out: List[str] = []
        for part in sorted(path.glob("part-*")):
            out.extend(part.read_text(encoding="utf-8").splitlines())
        return out
    return path.read_text(encoding="utf-8").splitlines()


def split_ids(lines: List[str]) -> Tuple[int, int]:
    return len(lines), len(set(lines))
