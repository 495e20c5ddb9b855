"""Trials per minute with `--jobs 1` and `--jobs 2` in one process, side by side.

Runs `tuneplate.tune` on the credit-risk vertical's embedded German credit data
(1,000 rows, so each fit has one thread and parallel trials use the other core),
random search, the same seed and budget, once per model family and jobs value,
alternating so machine noise falls on both sides. Reports search seconds, trials
per minute, the ratio and the best cross-validated score (with jobs > 1 the trial
order depends on timing, so the trials themselves may differ: the score column
shows the search is not worse for it).

    python benchmarks/parallel_trials.py [--trials 60] [--families lightgbm logistic]
"""

from __future__ import annotations

import argparse
import os

import tuneplate


def search_seconds(family: str, jobs: int, trials: int, seed: int) -> tuple[float, float, int]:
    r = tuneplate.tune(
        "credit-risk", model=family, strategy="random", n_trials=trials, seed=seed, jobs=jobs
    )
    done = r.counts["completed"] + r.counts["pruned"]
    return r.timings["search_s"], r.validation, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--families", nargs="+", default=["lightgbm", "logistic"])
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs per side")
    args = parser.parse_args()

    print(
        f"German credit (1,000 rows), random search, {args.trials} trials, "
        f"{os.cpu_count()} cores; medians of {args.repeats} alternating runs.\n"
    )
    print("| family | jobs | trials | search s | trials/min | best CV AUC | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for family in args.families:
        runs: dict[int, list] = {1: [], 2: []}
        for repeat in range(args.repeats):
            for jobs in (1, 2) if repeat % 2 == 0 else (2, 1):
                runs[jobs].append(search_seconds(family, jobs, args.trials, seed=repeat))
        median = {j: sorted(r)[len(r) // 2] for j, r in runs.items()}
        for jobs in (1, 2):
            seconds, best, done = median[jobs]
            speed = median[1][0] / seconds
            print(
                f"| {family} | {jobs} | {done} | {seconds:.1f} | {60 * done / seconds:.0f} "
                f"| {best:.3f} | {speed:.2f} |"
            )


if __name__ == "__main__":
    main()
