"""The fresh-fold choice with its folds one at a time and in threads, side by side.

After the search a binary run refits the best trial and the baseline on 2 × 5 fresh
folds and scores their blend there (`engine/tasks/binary/blending.py`). Since the fits
of one fold do not depend on another's, `fresh_scores` fits `cv.workers` folds at once
in threads, as the search does a trial's folds. This times both ways on the same plan,
alternating, and checks they give the same scores.

    python benchmarks/fresh_folds.py --tables german credit:attrition diagnosis:flchain

The blend is LightGBM at its start settings with the vertical's baseline family (the
scorecard for credit risk, logistic regression for diagnosis). Read the ratio, not the
seconds: a shared machine moves both sides alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from after_search import planned  # noqa: E402 - a sibling script, not a package

from tuneplate.engine.tasks.binary.blending import fresh_scores  # noqa: E402
from tuneplate.engine.tasks.task import cores  # noqa: E402


def blended(table: str):
    """(plan, its cross-validation scorer, the blend's params) of a table, as a run has."""
    p = planned(table)
    spaces = p.vertical.spaces
    base = "scorecard" if "scorecard" in spaces else "logistic"
    members = [
        {"family": name, "params": {**spaces[name].fixed, **spaces[name].start}, "n_rounds": None}
        for name in ("lightgbm", base)
    ]
    return p, p.task.scorer(p, None), {"members": members, "weights": [0.5, 0.5]}


def row(table: str, repeats: int, workers: int) -> str:
    p, cv, params = blended(table)
    sides = {1: replace(cv, workers=1), workers: replace(cv, workers=workers)}
    times, scores = {k: [] for k in sides}, {}
    for repeat in range(repeats):
        for k in sorted(sides, reverse=bool(repeat % 2)):
            started = time.perf_counter()
            scores[k] = fresh_scores(p, sides[k], params)
            times[k].append(time.perf_counter() - started)
    one, many = (statistics.median(times[k]) for k in (1, workers))
    same = np.array_equal(scores[1], scores[workers])
    rows = len(p.split.development)
    n = len(scores[1])
    return f"| {table} | {rows:,} | {n} | {one:.1f} | {many:.1f} | {one / many:.2f}× | {same} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=["german", "credit:attrition"])
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs per side")
    parser.add_argument("--workers", type=int, default=max(2, cores()))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(f"Seconds, medians of {args.repeats} alternating runs per side, {cores()} cores.\n")
    threads = f"{args.workers} threads"
    print(f"| table | dev rows | folds | one at a time | {threads} | speed-up | same scores |")
    print("|---|---|---|---|---|---|---|")
    for table in args.tables:
        print(row(table, args.repeats, args.workers), flush=True)


if __name__ == "__main__":
    main()
