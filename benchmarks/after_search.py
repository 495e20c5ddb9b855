"""The scorecard's work after the search, the old way and today's, side by side.

Two steps that a credit run repeats after its search, each timed both ways on the same
development rows, alternating the order so machine noise falls on both sides:

- **Binning** every input (`binning.bin_inputs`' optbinning half): optbinning's
  `BinningProcess`, which also computes its variable-selection statistics, against
  `binning.optimal_binnings` (one `OptimalBinning` per input with the same settings).
  The bins must be the same.
- **Out-of-fold scores of a blend** of LightGBM at its start settings and the scorecard,
  on the search's folds: each fold refitted from its rows (binning again) against the
  fold data the search already built (`FoldCache`, built before the clock starts, as
  the search's trials built it). The scores must be the same.

    python benchmarks/after_search.py [--tables german credit:attrition] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from suite_tables import TABLES  # noqa: E402 - a sibling script, not a package

from tuneplate.engine.contract import binning  # noqa: E402
from tuneplate.engine.contract.scorecard import TREND  # noqa: E402
from tuneplate.engine.families import blend  # noqa: E402
from tuneplate.engine.families.models import get_family  # noqa: E402
from tuneplate.engine.tasks.binary.evaluation import out_of_fold  # noqa: E402
from tuneplate.engine.tasks.binary.folds import FoldCache  # noqa: E402
from tuneplate.engine.tune import Config, plan  # noqa: E402
from tuneplate.verticals import load_vertical  # noqa: E402


def planned(table: str):
    """A run's plan of a suite table ("german": the embedded German credit), one trial."""
    if table == "german":
        return plan(load_vertical("credit-risk"), config=Config.flat(n_trials=1))
    t = TABLES[table]
    config = Config.flat(n_trials=1, target=t.target, positive=t.positive)
    return plan(load_vertical(t.vertical), t.frame(), config)


def development(table: str):
    """(X, y, folds, fit, spaces) of a table's development rows, as a run sees them."""
    p = planned(table)
    X = p.schema.encode(p.table)[0].iloc[p.split.development]
    return X, p.y[p.split.development], p.split.folds, p.fit, p.vertical.spaces


def with_process(X, y):
    """The bins as optbinning's `BinningProcess` finds them (the code before ae72c49)."""
    from optbinning import BinningProcess

    categorical = [c for c in X.columns if str(X[c].dtype) == "category"]
    numeric = {c: {"monotonic_trend": TREND} for c in X.columns if c not in categorical}
    process = BinningProcess(
        list(X.columns),
        max_n_prebins=20,
        min_prebin_size=0.05,
        categorical_variables=categorical or None,
        binning_fit_params=numeric,
    ).fit(X, y)
    return {c: process.get_binned_variable(c) for c in X.columns}


def same_bins(a: dict, b: dict) -> bool:
    def splits(found):
        return [list(np.atleast_1d(s)) for s in found.splits]

    def counts(found):
        table = found.binning_table
        return np.concatenate([table.n_event, table.n_nonevent])

    return a.keys() == b.keys() and all(
        splits(a[c]) == splits(b[c]) and np.array_equal(counts(a[c]), counts(b[c])) for c in a
    )


def timed(step):
    started = time.perf_counter()
    out = step()
    return time.perf_counter() - started, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=["german", "credit:attrition"])
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs per side")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    binning.optimal_binnings(*development("german")[:2])  # optbinning's import, off the clock
    print(f"Seconds, medians of {args.repeats} alternating runs per side.\n")
    print(
        "| table | rows × inputs | binning: BinningProcess | OptimalBinning per input "
        "| speed-up | same bins | blend's out-of-fold: from rows | on the search's fold data "
        "| speed-up | same scores |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for table in args.tables:
        print(row(table, args.repeats), flush=True)


def row(table: str, repeats: int) -> str:
    """One table's line: both ways of each step, alternating, and whether they agree."""
    X, y, folds, fit, spaces = development(table)
    params = {
        "members": [
            {"family": name, "params": {**spaces[name].fixed, **spaces[name].start}}
            for name in ("lightgbm", "scorecard")
        ],
        "weights": [0.5, 0.5],
    }
    cache = FoldCache(X, y, folds, fit)
    for step in range(len(folds)):  # what the search's trials built
        for name in ("lightgbm", "scorecard"):
            cache.get(get_family(name, spaces), step)
    steps = {
        "process": lambda: with_process(X, y),
        "ours": lambda: binning.optimal_binnings(X, y),
        "rows": lambda: out_of_fold(blend.FAMILY, params, X, y, folds, fit),
        "cached": lambda: out_of_fold(blend.FAMILY, params, X, y, folds, fit, cache),
    }
    times = {name: [] for name in steps}
    outs = {}
    for repeat in range(repeats):
        order = ["process", "ours", "rows", "cached"]
        if repeat % 2:
            order = ["ours", "process", "cached", "rows"]
        for name in order:
            seconds, outs[name] = timed(steps[name])
            times[name].append(seconds)
    t = {k: statistics.median(v) for k, v in times.items()}
    bins_same = same_bins(outs["process"], outs["ours"])
    scores_same = np.allclose(outs["rows"][1], outs["cached"][1], rtol=1e-9, atol=0)
    return (
        f"| {table} | {len(y):,} × {X.shape[1]} | {t['process']:.2f} | {t['ours']:.2f} "
        f"| {t['process'] / t['ours']:.2f}× | {bins_same} | {t['rows']:.2f} "
        f"| {t['cached']:.2f} | {t['rows'] / t['cached']:.2f}× | {scores_same} |"
    )


if __name__ == "__main__":
    main()
