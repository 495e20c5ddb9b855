"""Hold-out ROC AUC and run time per model family on the embedded German credit data.

Runs the default `tuneplate run credit-risk` budget for each family and a few seeds,
side by side in one process, and prints a table.

    python benchmarks/credit_families.py [--seeds 0 1 2] [--trials 100]
"""

from __future__ import annotations

import argparse
import statistics
import time

import tuneplate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--trials", type=int, default=None, help="default: the vertical's budget")
    parser.add_argument("--strategy", default="bayes")
    args = parser.parse_args()

    print("| family | seed | trials | CV AUC | hold-out AUC | hold-out Gini | seconds |")
    print("|---|---|---|---|---|---|---|")
    summary = {}
    for family in ("lightgbm", "xgboost", "logistic"):
        for seed in args.seeds:
            started = time.perf_counter()
            r = tuneplate.tune(
                "credit-risk", model=family, strategy=args.strategy, n_trials=args.trials, seed=seed
            )
            seconds = time.perf_counter() - started
            summary.setdefault(family, []).append((r.holdout, seconds))
            print(
                f"| {family} | {seed} | {r.counts['completed']} | {r.validation:.3f} | "
                f"{r.holdout:.3f} | {r.holdout_metrics['gini']:.3f} | {seconds:.0f} |"
            )
    print()
    print("| family | mean hold-out AUC | mean seconds |")
    print("|---|---|---|")
    for family, rows in summary.items():
        auc = statistics.mean(a for a, _ in rows)
        sec = statistics.mean(s for _, s in rows)
        print(f"| {family} | {auc:.3f} | {sec:.0f} |")


if __name__ == "__main__":
    main()
