#!/usr/bin/env python3
"""Compares two `ewm-sim reproduce` output directories: equal except for wall-clock figures.

    tools/compare_reproductions.py DIR_A DIR_B [--json]

Both must hold the same files (hidden lock files and temporaries aside). A file is equal when its bytes are; else,
for JSON (report.json, part.json, a training run's summary.json) and JSON lines (metrics.jsonl), when the values are
equal once the wall-clock keys (TIMING_KEYS: seconds, finish times, rates) are dropped wherever they occur. A part's
report.txt renders its report.json, so it is excused when its report.json differed in those keys only; index.html is
compared with its <pre> blocks (the report.txt files) left out and its times masked. Everything else (checkpoints,
plots, players, every figure that is not a time) must be equal byte for byte. The two directories must have been
written at the same path (move one aside after its run): reports name the files they wrote by absolute path.

Exits 0 when equal, 1 with the differing files listed otherwise.
"""

import json
import os
import re
import sys

# Keys whose values are wall-clock measurements (or what only a time determines) in any report of the suite.
TIMING_KEYS = {
    "seconds",  # part.json, training summaries and metrics, experiment totals
    "finished",  # part.json: the ISO 8601 finish time
    "trainSeconds",  # degree-ladder rows
    "secondsPerPlan",  # closed-loop rows and summaries, invariant-costs rows
    "singleStepsPerSecond",  # env-speed
    "vectorStepsPerSecond",
    "vectorSpeedup",
    "msPerStepMean",  # train-step
    "msPerStepMedian",
    "msPerStepMin",
}


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def load_json(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".jsonl"):
        return [json.loads(line) for line in data.splitlines() if line.strip()]
    return json.loads(data)


def index_text(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"<pre>.*?</pre>", "<pre></pre>", text, flags=re.S)
    text = re.sub(r"[0-9]+\.[0-9] s\b", "T s", text)
    return re.sub(r"finished [0-9TZ:.+-]+", "finished T", text)


def files(root):
    found = set()
    for directory, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                found.add(os.path.relpath(os.path.join(directory, name), root))
    return found


def compare(a, b):
    """The differences between directories a and b, as (path, why) pairs; empty when equal."""
    fa, fb = files(a), files(b)
    problems = [(p, "only in " + a) for p in sorted(fa - fb)] + [(p, "only in " + b) for p in sorted(fb - fa)]
    timed_reports = set()  # part directories whose report.json differed in wall-clock keys only
    texts = []
    for path in sorted(fa & fb):
        pa, pb = os.path.join(a, path), os.path.join(b, path)
        with open(pa, "rb") as x, open(pb, "rb") as y:
            if x.read() == y.read():
                continue
        name = os.path.basename(path)
        if name.endswith(".json") or name.endswith(".jsonl"):
            if strip(load_json(pa)) != strip(load_json(pb)):
                problems.append((path, "differs beyond wall-clock keys"))
            elif name == "report.json":
                timed_reports.add(os.path.dirname(path))
        elif name == "report.txt" or name == "index.html":
            texts.append(path)
        else:
            problems.append((path, "differs"))
    for path in texts:
        if os.path.basename(path) == "report.txt":
            if os.path.dirname(path) not in timed_reports:
                problems.append((path, "differs, and its report.json does not"))
        elif index_text(os.path.join(a, path)) != index_text(os.path.join(b, path)):
            problems.append((path, "differs beyond times"))
    return problems, len(fa & fb)


def main(argv):
    args = [x for x in argv if not x.startswith("--")]
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    for d in args:
        if not os.path.isdir(d):
            print(f"compare_reproductions: {d} is not a directory", file=sys.stderr)
            return 2
    problems, common = compare(*args)
    if "--json" in argv:
        print(json.dumps({"files": common, "problems": [{"path": p, "why": w} for p, w in problems]}, indent=2))
    for path, why in problems:
        print(f"DIFF {path}: {why}", file=sys.stderr)
    if not problems:
        print(f"equal: {common} files, wall-clock figures aside", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
