"""Hold-out log-loss, AUROC and run time per model family on the embedded breast-cancer data.

Tunes each family for a few seeds, side by side in one process, and prints a table;
this is how the diagnosis vertical's default family was chosen.

    python benchmarks/diagnosis_families.py [--seeds 0 1 2 3 4] [--trials 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

import tuneplate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--trials", type=int, default=30, help="trials per run")
    parser.add_argument("--strategy", default="bayes")
    args = parser.parse_args()

    print("| family | seed | CV log-loss | hold-out log-loss | hold-out AUROC | seconds |")
    print("|---|---|---|---|---|---|")
    summary = {}
    for family in ("logistic", "lightgbm", "xgboost"):
        for seed in args.seeds:
            started = time.perf_counter()
            r = tuneplate.tune(
                "diagnosis", model=family, strategy=args.strategy, n_trials=args.trials, seed=seed
            )
            seconds = time.perf_counter() - started
            auc = r.holdout_metrics["roc_auc"]
            summary.setdefault(family, []).append((r.holdout, auc, seconds))
            print(
                f"| {family} | {seed} | {r.validation:.4f} | {r.holdout:.4f} | {auc:.4f} | "
                f"{seconds:.1f} |"
            )
    print()
    print("| family | mean hold-out log-loss | mean hold-out AUROC | mean seconds |")
    print("|---|---|---|---|")
    for family, rows in summary.items():
        loss = statistics.mean(r[0] for r in rows)
        auc = statistics.mean(r[1] for r in rows)
        sec = statistics.mean(r[2] for r in rows)
        print(f"| {family} | {loss:.4f} | {auc:.4f} | {sec:.1f} |")


if __name__ == "__main__":
    main()
