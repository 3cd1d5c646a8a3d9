#!/usr/bin/env bash
# compare --pairs (one process) vs one process per pair, on the 250 PAN13 pairs.
set -euo pipefail
W=${W:-target/release/whence}
PAN=${PAN:-../shared/corpora/pan13-no-obfuscation}
S=${S:-/tmp/whence-compare-pairs-bench}
mkdir -p "$S/sep"
awk -v d="$PAN" '{print d"/susp/"$1"\t"d"/src/"$2}' "$PAN/pairs" > "$S/pan.tsv"
echo "batch: compare --pairs --threads 2"
/usr/bin/time -f "%e s wall, %M kB max RSS" "$W" compare --pairs "$S/pan.tsv" --threads 2 > "$S/batch.jsonl" 2> "$S/batch.err" || { cat "$S/batch.err"; }
tail -1 "$S/batch.err"
echo "separate: 250 processes, 2 at a time (xargs -P 2)"
export W S
/usr/bin/time -f "%e s wall" bash -c 'nl -ba -w3 -nrz "$S/pan.tsv" | tr "\t" " " | xargs -P 2 -n 3 sh -c "\"\$W\" compare --json \"\$1\" \"\$2\" > \"\$S/sep/\$0.json\" 2>/dev/null"'
python3 - "$S" <<'PY'
import json, sys, glob, os
s = sys.argv[1]
batch = [json.loads(l) for l in open(f"{s}/batch.jsonl")]
same = 0
for b in batch:
    sep = json.load(open(f"{s}/sep/{b['line']:03d}.json"))
    b.pop("line"); b.pop("inputs")
    same += b == sep
print(f"{same} of {len(batch)} pairs: batch output identical to the separate process's")
PY
