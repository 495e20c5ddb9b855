"""How strict should leaving the simple model be? The one-SE rule against stricter ones.

For each table and seed, a default 30 s run (`tuneplate.tune`, as `unseen_tables.py`
runs it); then its best trial and its baseline trial (the vertical's simple family at
default settings, tried first) are each refitted on the development rows and scored
on the hold-out. A rule "leave the baseline only when the best beats it on the folds by
more than m standard errors of their paired differences" is then scored offline for
each m: the hold-out gain over the baseline of the model it would keep. m = 1 is the
rule in `engine/search/selection.py`; m ≈ 1.5 is Nadeau & Bengio's (2003) corrected
variance for 5 overlapping folds.

With `--fresh R`, the best and baseline trials are also scored on R fresh 5-fold splits
of the development rows (seeds the search never used): does their lead hold on new folds?
`--out` writes the runs as CSV.

    python benchmarks/selection_rules.py --tables suite extra --seeds 0 1 2 3 4
    python benchmarks/selection_rules.py --tables credit:caravan --seeds 0 --budget 10
    python benchmarks/selection_rules.py --tables diagnosis:gbsg --fresh 3 --out runs.csv

Prints, per m, the runs whose choice changes from m = 1, how many of those the tuned
model won on the hold-out, and the summed gain given up; then each table's median gain.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import optuna
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from sklearn.model_selection import StratifiedKFold  # noqa: E402
from suite_tables import EXTRA, TABLES  # noqa: E402 - a sibling script, not a package

import tuneplate  # noqa: E402
from tuneplate.engine.search.objective import Guard  # noqa: E402
from tuneplate.engine.search.selection import BASELINE, paired_gain  # noqa: E402
from tuneplate.engine.tasks.binary import task as binary  # noqa: E402

MULTIPLIERS = (1.0, 1.5, 2.0, 3.0)


@contextlib.contextmanager
def captured():
    """The plan, study and scorer of the next binary run (its `evaluate` is wrapped)."""
    seen, original = {}, binary.BinaryTask.evaluate

    def spy(self, p, study, scorer, best, selection):
        seen.update(p=p, study=study, scorer=scorer)
        return original(self, p, study, scorer, best, selection)

    binary.BinaryTask.evaluate = spy
    try:
        yield seen
    finally:
        binary.BinaryTask.evaluate = original


def holdout_score(p, scorer, trial) -> float:
    """`trial`'s settings refitted on the development rows, scored on the hold-out."""
    family, params = p.resolve(trial.params)
    fit = replace(p.fit, n_rounds=trial.user_attrs.get("n_rounds"))
    model = family.fit(params, scorer.X, scorer.y, None, None, fit).estimator
    rows = scorer.encoded.iloc[p.split.holdout]
    return float(p.objective.score(p.y[p.split.holdout], model.predict_proba(rows)[:, 1]))


def fresh_gain(p, scorer, best, base, repeats: int, maximize: bool):
    """best − base on `repeats` fresh 5-fold splits of the development rows (seeds the
    search never used): mean, naive SE and the corrected repeated-CV SE (Bouckaert &
    Frank 2004, Nadeau & Bengio 2003: variance × (1/(k·r) + n_test/n_train))."""
    diffs = []
    for r in range(repeats):
        folds = list(
            StratifiedKFold(5, shuffle=True, random_state=10_000 + 97 * r + p.fit.seed).split(
                scorer.X, scorer.y
            )
        )
        # a new fold cache for the new folds; no deadline (the search's has passed)
        fit = replace(scorer.fit, deadline=None)
        cv = replace(scorer, folds=folds, cache=None, hypergradient=False, workers=1, fit=fit)
        for step in range(len(folds)):
            a, b = (cv.score(*p.resolve(t.params), step, Guard(None, None)) for t in (best, base))
            diffs.append(a.valid - b.valid)
    d = np.asarray(diffs) * (1 if maximize else -1)
    s = d.std(ddof=1)
    return d.mean(), s / np.sqrt(len(d)), s * np.sqrt(1 / len(d) + 0.25)


def measure(key: str, seed: int, budget: float, repeats: int = 0) -> dict:
    table = {**TABLES, **EXTRA}[key]
    with captured() as seen:
        tuneplate.tune(
            table.vertical, data=table.frame(), target=table.target,
            positive=table.positive, seed=seed, timeout=budget,
        )  # fmt: skip
    p, study, scorer = seen["p"], seen["study"], seen["scorer"]
    maximize = p.objective.direction == "maximize"
    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    base = next(t for t in done if t.user_attrs.get("source") == BASELINE)
    best = study.best_trial
    gain = None if best.number == base.number else paired_gain(best, base, maximize)
    sign = 1 if maximize else -1
    ahead = 0.0
    if gain is not None:
        ahead = sign * (holdout_score(p, scorer, best) - holdout_score(p, scorer, base))
    fresh = (np.nan,) * 3
    if repeats and gain is not None:
        fresh = fresh_gain(p, scorer, best, base, repeats, maximize)
    return {
        "fresh_gain": fresh[0],
        "fresh_se": fresh[1],
        "fresh_se_corrected": fresh[2],
        "rows": len(scorer.y),
        "table": key,
        "seed": seed,
        "fold_gain": gain[0] if gain else np.nan,  # best − baseline on the folds
        "se": gain[1] if gain else np.nan,
        "holdout_gain": ahead,  # best − baseline on the hold-out, good direction
    }


def summarise(runs: pd.DataFrame) -> None:
    leaves = {m: runs["fold_gain"] > m * runs["se"] for m in MULTIPLIERS}
    print("m     runs changed from m=1   tuned better in them   hold-out gain given up")
    for m, leave in leaves.items():
        changed = leaves[1.0] & ~leave
        given_up = runs.loc[changed, "holdout_gain"]
        print(f"{m:<5} {int(changed.sum()):>21}   {int((given_up > 0).sum()):>20}   "
              f"{given_up.sum():>+22.4f}")  # fmt: skip
    kept = pd.DataFrame(
        {f"m={m:g}": np.where(leave, runs["holdout_gain"], 0.0) for m, leave in leaves.items()}
    )
    print("\nmedian hold-out gain over the baseline of the model each rule keeps")
    print(kept.groupby(runs["table"]).median().round(4).to_string())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=["suite", "extra"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--fresh", type=int, default=0, help="repeats of fresh 5-fold CV")
    parser.add_argument("--out", help="CSV of the runs")
    args = parser.parse_args(argv)
    sets = {"suite": list(TABLES), "extra": list(EXTRA)}
    keys = [k for name in args.tables for k in sets.get(name, [name])]
    warnings.simplefilter("ignore")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rows = []
    for key in keys:
        for seed in args.seeds:
            rows.append(measure(key, seed, args.budget, args.fresh))
            if args.out:
                pd.DataFrame(rows).to_csv(args.out, index=False)
            print(rows[-1], flush=True)
    summarise(pd.DataFrame(rows))


if __name__ == "__main__":
    main()
