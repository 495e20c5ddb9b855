"""A trial's folds one at a time and all at once, side by side: seconds and the same trials.

Runs `tuneplate.tune` with a fixed number of trials (no time budget, so both sides run
exactly the same trials) on each table, once with the folds scored one after another
(`tuneplate.engine.tasks.task.cores` set to 1, as before the folds ran in threads) and
once on every core this process may use, alternating the order so machine noise falls on
both sides. Reports search seconds, the speed-up, and whether every trial's settings and
score came out the same (they must: only the timing changes).

    python benchmarks/parallel_folds.py [--trials 40] [--repeats 2]
    python benchmarks/parallel_folds.py --tables credit-risk diagnosis:covid_testing
"""

from __future__ import annotations

import argparse
import statistics
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from suite_tables import TABLES  # noqa: E402 - a sibling script, not a package

import tuneplate  # noqa: E402
from tuneplate.engine.tasks import task as tasks  # noqa: E402

ALL_CORES = tasks.cores()


def run(table: str, cores: int, trials: int, seed: int):
    tasks.cores = lambda: cores  # what fold_workers reads
    if table in TABLES:
        t = TABLES[table]
        r = tuneplate.tune(
            t.vertical, data=t.frame(), target=t.target, positive=t.positive,
            seed=seed, n_trials=trials,
        )  # fmt: skip
    else:  # a vertical's embedded table
        r = tuneplate.tune(table, seed=seed, n_trials=trials)
    columns = [c for c in r.trials.columns if c.startswith("params_")] + ["value"]
    return r.timings["search_s"], r.trials[columns].round(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=["credit-risk", "diagnosis:covid_testing"])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs per side")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(
        f"{args.trials} trials of the default run (auto), seed {args.seed}; one core against "
        f"{ALL_CORES}; medians of {args.repeats} alternating runs.\n"
    )
    print("| table | folds one at a time (s) | folds at once (s) | speed-up | same trials |")
    print("|---|---|---|---|---|")
    for table in args.tables:
        seconds: dict[int, list[float]] = {1: [], ALL_CORES: []}
        trials = {}
        for repeat in range(args.repeats):
            order = (1, ALL_CORES) if repeat % 2 == 0 else (ALL_CORES, 1)
            for cores in order:
                s, t = run(table, cores, args.trials, args.seed)
                seconds[cores].append(s)
                trials[cores] = t
        one, many = (statistics.median(seconds[c]) for c in (1, ALL_CORES))
        same = trials[1].equals(trials[ALL_CORES])
        same_text = "yes" if same else "NO"
        print(f"| {table} | {one:.1f} | {many:.1f} | {one / many:.2f}× | {same_text} |")


if __name__ == "__main__":
    main()
