"""Gradient vs Bayesian vs random search for L2 logistic regression, on validation log-loss.

For each vertical's embedded data (credit risk; diagnosis when it is installed), each
space (one penalty C; one penalty per feature group) and each seed, runs the gradient,
bayes and random strategies with the same budget, the same folds and the same exact
solver, and reports:

- fits to 0.5%: trials (each one K-fold cross-validation, K = 5 model fits) until the
  best cross-validated log-loss is within 0.5% of the best any method found for that
  seed; the median over seeds, and on how many seeds it got there at all;
- trials run: the gradient search stops itself once it has converged;
- the cross-validated and the hold-out log-loss of each method's best configuration.

    python benchmarks/gradient_vs_bayes.py [--seeds 0 1 2 3 4] [--trials 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import numpy as np

import tuneplate
from tuneplate.engine.search.space import Param, Space
from tuneplate.engine.tune import Config, run_vertical

STRATEGIES = ("gradient", "bayes", "random")
EXACT = {"solver": "newton-cholesky", "tol": 1e-10}  # every method gets the same exact fit
WITHIN = 0.005


def _penalty(name: str) -> Param:
    return Param(name, 1e-4, 1e2, log=True, start=1.0)


def spaces(vertical) -> dict[str, Space]:
    """One penalty, and one penalty per feature group."""
    table = vertical.example().table
    if vertical.name == "diagnosis":  # the 10 measurements as mean, standard error, worst
        groups = {
            "mean": [c for c in table if c.startswith("mean_")],
            "error": [c for c in table if c.endswith("_error")],
            "worst": [c for c in table if c.startswith("worst_")],
        }
    else:  # credit risk: numeric vs categorical columns, the built-in groups
        groups = {"numeric": None, "categorical": None}
    fixed = {**EXACT, "penalty_groups": {g: c for g, c in groups.items() if c}}
    return {
        "C": Space((_penalty("C"),), fixed=EXACT),
        f"{len(groups)} group penalties": Space(
            tuple(_penalty(f"C_{g}") for g in groups), fixed=fixed
        ),
    }


def fits_to_reach(values: list[float], reference: float) -> int | None:
    best = np.minimum.accumulate(values)
    hits = np.flatnonzero(best <= reference * (1 + WITHIN))
    return int(hits[0]) + 1 if len(hits) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--trials", type=int, default=30)
    args = parser.parse_args()

    verticals = [tuneplate.load_vertical("credit-risk")]
    try:
        verticals.append(tuneplate.load_vertical("diagnosis"))
    except tuneplate.TuneplateError:
        print("note: no diagnosis vertical installed; credit risk only\n")

    rows = []
    for vertical in verticals:
        for space_name, space in spaces(vertical).items():
            v = replace(vertical, spaces={**vertical.spaces, "logistic": space})
            for seed in args.seeds:
                runs = {}
                for strategy in STRATEGIES:
                    config = Config.flat(
                        model="logistic",
                        metric="log_loss",
                        strategy=strategy,
                        n_trials=args.trials,
                        seed=seed,
                    )
                    started = time.perf_counter()
                    result = run_vertical(v, config=config)
                    done = result.trials[result.trials["state"] == "COMPLETE"]
                    runs[strategy] = (done["value"].tolist(), result, time.perf_counter() - started)
                reference = min(min(values) for values, _, _ in runs.values())
                for strategy, (values, result, seconds) in runs.items():
                    rows.append(
                        {
                            "vertical": vertical.name,
                            "space": space_name,
                            "strategy": strategy,
                            "fits": fits_to_reach(values, reference),
                            "trials": len(values),
                            "cv": result.validation,
                            "holdout": result.holdout,
                            "seconds": seconds,
                        }
                    )

    print(
        f"Logistic regression, validation = 5-fold CV log-loss, budget {args.trials} trials, "
        f"seeds {args.seeds}\n"
    )
    print(
        "| data | penalties | strategy | trials to within 0.5% (median, reached) | trials run "
        "| CV log-loss | hold-out log-loss | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|")
    keys = dict.fromkeys((r["vertical"], r["space"], r["strategy"]) for r in rows)
    for vertical, space_name, strategy in keys:
        group = [
            r
            for r in rows
            if (r["vertical"], r["space"], r["strategy"]) == (vertical, space_name, strategy)
        ]
        reached = [r["fits"] for r in group if r["fits"] is not None]
        median = f"{statistics.median(reached):g}" if reached else "—"
        holdout = [r["holdout"] for r in group]
        print(
            f"| {vertical} | {space_name} | {strategy} | {median} ({len(reached)}/{len(group)}) "
            f"| {statistics.mean(r['trials'] for r in group):.1f} "
            f"| {statistics.mean(r['cv'] for r in group):.4f} "
            f"| {statistics.mean(holdout):.4f} ± {statistics.pstdev(holdout):.4f} "
            f"| {statistics.mean(r['seconds'] for r in group):.1f} |"
        )


if __name__ == "__main__":
    main()
