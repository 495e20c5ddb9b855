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

With `--blend` (needs `--fresh`), a third candidate: the blend, the mean of the best's
and the baseline's predicted probabilities (simple averaging, as in Caruana et al. 2004
ensemble selection). It is scored on the hold-out (the two refits' probabilities
averaged) and on the same fresh folds (the two fold fits' validation probabilities
averaged), each with the run's own objective; and likewise the log-odds blend, the
probability whose log-odds is the mean of the two (whose per-input contributions add up
exactly, as `tuneplate`'s blended model explains them). Then the rule "keep, among baseline, best
and blend, the one with the best fresh-fold score, leaving the baseline only by more
than one (naive) standard error of the paired fold differences" is scored offline
against the current rule, with always-blend (whenever best is not the baseline) and the
same fresh-fold rule without the blend beside it.

    python benchmarks/selection_rules.py --tables suite extra --seeds 0 1 2 3 4
    python benchmarks/selection_rules.py --tables credit:caravan --seeds 0 --budget 10
    python benchmarks/selection_rules.py --tables diagnosis:gbsg --fresh 3 --out runs.csv
    python benchmarks/selection_rules.py --tables diagnosis:gbsg --blend --fresh 2
    python benchmarks/selection_rules.py --from runs.csv  # summarise saved runs again

Prints, per m, the runs whose choice changes from m = 1, how many of those the tuned
model won on the hold-out, and the summed gain given up; then each table's median gain.
With `--blend`, also each table's median hold-out gain over the baseline of each blend
rule's choice, and per rule the runs it does better and worse on than the current rule.
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


def holdout_proba(p, scorer, trial) -> np.ndarray:
    """`trial`'s settings refitted on the development rows: its hold-out probabilities."""
    family, params = p.resolve(trial.params)
    fit = replace(p.fit, n_rounds=trial.user_attrs.get("n_rounds"))
    model = family.fit(params, scorer.X, scorer.y, None, None, fit).estimator
    return model.predict_proba(scorer.encoded.iloc[p.split.holdout])[:, 1]


def fresh_cvs(p, scorer, repeats: int):
    """The scorer on each of `repeats` fresh 5-fold splits of the development rows (seeds
    the search never used), with a new fold cache and no deadline (the search's has
    passed)."""
    for r in range(repeats):
        folds = list(
            StratifiedKFold(5, shuffle=True, random_state=10_000 + 97 * r + p.fit.seed).split(
                scorer.X, scorer.y
            )
        )
        fit = replace(scorer.fit, deadline=None)
        yield replace(scorer, folds=folds, cache=None, hypergradient=False, workers=1, fit=fit)


def fold_proba(cv, family, params, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Fold `step`'s validation labels and probabilities, fitted as
    `CrossValidation.score` fits the fold (its `valid` is `cv.metric` of these)."""
    X, y, (tr, va) = cv.X, cv.y, cv.folds[step]
    if family.prepare is not None:
        data, (X_va, y_va), _ = cv.cache.get(family, step)
        fitted = family.fit(params, None, None, None, None, cv.fit, data=data)
    else:
        X_va, y_va = X.iloc[va], y[va]
        fitted = family.fit(params, X.iloc[tr], y[tr], X_va, y_va, cv.fit)
    return y_va, fitted.estimator.predict_proba(X_va)[:, 1]


def log_odds_mean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The probability whose log-odds is the mean of `a`'s and `b`'s (a geometric mean
    of the odds): the blend whose per-input contributions add up exactly."""
    eps = 1e-15
    logit = lambda q: np.log(np.clip(q, eps, 1 - eps)) - np.log1p(-np.clip(q, eps, 1 - eps))  # noqa: E731
    return 1 / (1 + np.exp(-(logit(a) + logit(b)) / 2))


def fresh_scores(p, scorer, best, base, repeats: int) -> np.ndarray:
    """Validation scores of best, base, their blend (mean probability) and their
    log-odds blend on every fold of `repeats` fresh 5-fold splits, both trials fitted on
    the same folds: (5·r, 4)."""
    scores = []
    for cv in fresh_cvs(p, scorer, repeats):
        for step in range(len(cv.folds)):
            (y_va, a), (_, b) = (fold_proba(cv, *p.resolve(t.params), step) for t in (best, base))
            blends = ((a + b) / 2, log_odds_mean(a, b))
            scores.append([cv.metric(y_va, q) for q in (a, b, *blends)])
    return np.asarray(scores)


def lead(scores: np.ndarray, base: np.ndarray, maximize: bool):
    """scores − base over paired folds, in the good direction: mean, naive SE and the
    corrected repeated-CV SE (Bouckaert & Frank 2004, Nadeau & Bengio 2003: variance ×
    (1/(k·r) + n_test/n_train))."""
    d = (scores - base) * (1 if maximize else -1)
    s = d.std(ddof=1)
    return d.mean(), s / np.sqrt(len(d)), s * np.sqrt(1 / len(d) + 0.25)


def measure(key: str, seed: int, budget: float, repeats: int = 0, blend: bool = False) -> dict:
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
    y_out = p.y[p.split.holdout]
    held = dict.fromkeys(("best", "base", "blend", "logodds"), np.nan)
    if gain is not None:
        a, b = holdout_proba(p, scorer, best), holdout_proba(p, scorer, base)
        blends = (("blend", (a + b) / 2), ("logodds", log_odds_mean(a, b)))
        for name, proba in (("best", a), ("base", b), *blends):
            held[name] = float(p.objective.score(y_out, proba))
    fresh = np.full((1, 4), np.nan)
    if repeats and gain is not None:
        fresh = fresh_scores(p, scorer, best, base, repeats)
    best_lead, blend_lead, logodds_lead = (
        lead(fresh[:, i], fresh[:, 1], maximize) for i in (0, 2, 3)
    )
    over_blend, over_logodds = (lead(fresh[:, 0], fresh[:, i], maximize) for i in (2, 3))
    run = {
        "fresh_gain": best_lead[0],
        "fresh_se": best_lead[1],
        "fresh_se_corrected": best_lead[2],
        "rows": len(scorer.y),
        "table": key,
        "seed": seed,
        "fold_gain": gain[0] if gain else np.nan,  # best − baseline on the folds
        "se": gain[1] if gain else np.nan,
        # best − baseline on the hold-out, good direction (0: best is the baseline)
        "holdout_gain": sign * (held["best"] - held["base"]) if gain else 0.0,
    }
    if blend:
        run |= {
            "holdout_rows": len(y_out),
            "holdout_best": held["best"],  # the objective's own value, its own direction
            "holdout_base": held["base"],
            "holdout_blend": held["blend"],
            "blend_holdout_gain": sign * (held["blend"] - held["base"]) if gain else 0.0,
            "fresh_best": fresh[:, 0].mean(),  # mean fresh-fold score of each
            "fresh_base": fresh[:, 1].mean(),
            "fresh_blend": fresh[:, 2].mean(),
            "fresh_blend_gain": blend_lead[0],  # blend − baseline on the fresh folds
            "fresh_blend_se": blend_lead[1],
            "fresh_blend_se_corrected": blend_lead[2],
            # the same for the log-odds blend
            "logodds_holdout_gain": sign * (held["logodds"] - held["base"]) if gain else 0.0,
            "fresh_logodds_gain": logodds_lead[0],
            "fresh_logodds_se": logodds_lead[1],
            # best − blend on the same fresh folds (does the best clearly beat its blend?)
            "fresh_best_over_blend": over_blend[0],
            "fresh_best_over_blend_se": over_blend[1],
            "fresh_best_over_logodds": over_logodds[0],
            "fresh_best_over_logodds_se": over_logodds[1],
        }
    return run


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


def blend_rules(runs: pd.DataFrame, prefix: str = "blend") -> tuple[pd.DataFrame, pd.Series]:
    """Each run's hold-out gain over the baseline under each rule, and what the
    blend-choosing rule kept ("baseline", "best" or "blend"). `prefix` "logodds": the
    log-odds blend's columns stand for the blend."""
    if prefix != "blend":
        runs = runs.assign(
            blend_holdout_gain=runs[f"{prefix}_holdout_gain"],
            fresh_blend_gain=runs[f"fresh_{prefix}_gain"],
            fresh_blend_se=runs[f"fresh_{prefix}_se"],
        )
    tuned = runs["fold_gain"].notna()  # best is not the baseline
    best_ok = runs["fresh_gain"] > runs["fresh_se"]  # NaN (best is the baseline): False
    blend_ok = runs["fresh_blend_gain"] > runs["fresh_blend_se"]
    pick_blend = blend_ok & (~best_ok | (runs["fresh_blend_gain"] >= runs["fresh_gain"]))
    pick_best = best_ok & ~pick_blend
    gains = pd.DataFrame(
        {
            "current": np.where(runs["fold_gain"] > runs["se"], runs["holdout_gain"], 0.0),
            "always_best": runs["holdout_gain"],
            "always_blend": np.where(tuned, runs["blend_holdout_gain"], 0.0),
            "fresh_rule": np.where(best_ok, runs["holdout_gain"], 0.0),
            "blend_rule": np.select(
                [pick_blend, pick_best], [runs["blend_holdout_gain"], runs["holdout_gain"]], 0.0
            ),
        },
        index=runs.index,
    )
    kept = pd.Series(np.select([pick_blend, pick_best], ["blend", "best"], "baseline"), runs.index)
    return gains, kept


def summarise_blend(runs: pd.DataFrame, prefix: str = "blend") -> None:
    gains, kept = blend_rules(runs, prefix)
    print(f"\n== {'mean of log-odds' if prefix == 'logodds' else 'mean of probabilities'} ==")
    print("median hold-out gain over the baseline (AUC, or minus the log-loss), by table")
    print("current: one-SE rule on the search's folds; always_best: the best trial;")
    print("always_blend: the blend whenever best is not the baseline; fresh_rule: best vs")
    print("baseline on the fresh folds (> 1 SE); blend_rule: baseline / best / blend by the")
    print("fresh folds (> 1 SE)")
    table = gains.groupby(runs["table"], sort=False).median()
    table["runs"] = runs.groupby("table", sort=False).size()
    table["rows"] = runs.groupby("table", sort=False)["rows"].first()
    print(table.round(4).to_string())
    print("\nblend_rule kept:", kept.value_counts().to_dict())
    print("\nagainst current   better  worse  same   summed difference")
    for rule in ("always_best", "always_blend", "fresh_rule", "blend_rule"):
        d = gains[rule] - gains["current"]
        print(f"{rule:<16} {int((d > 1e-12).sum()):>7} {int((d < -1e-12).sum()):>6} "
              f"{int((d.abs() <= 1e-12).sum()):>5}   {d.sum():>+18.4f}")  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=["suite", "extra"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--fresh", type=int, default=0, help="repeats of fresh 5-fold CV")
    parser.add_argument("--blend", action="store_true", help="score the best+baseline blend")
    parser.add_argument("--out", help="CSV of the runs")
    parser.add_argument("--from", dest="saved", help="summarise this CSV of runs; run nothing")
    args = parser.parse_args(argv)
    if args.saved:
        runs = pd.read_csv(args.saved)
        summarise(runs)
        for prefix in ("blend", "logodds"):
            if f"{prefix}_holdout_gain" in runs:
                summarise_blend(runs, prefix)
        return
    if args.blend and not args.fresh:
        parser.error("--blend needs --fresh R (the blend rule chooses on fresh folds)")
    sets = {"suite": list(TABLES), "extra": list(EXTRA)}
    keys = [k for name in args.tables for k in sets.get(name, [name])]
    warnings.simplefilter("ignore")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rows = []
    for key in keys:
        for seed in args.seeds:
            rows.append(measure(key, seed, args.budget, args.fresh, args.blend))
            if args.out:
                pd.DataFrame(rows).to_csv(args.out, index=False)
            print(rows[-1], flush=True)
    summarise(pd.DataFrame(rows))
    if args.blend:
        for prefix in ("blend", "logodds"):
            summarise_blend(pd.DataFrame(rows), prefix)


if __name__ == "__main__":
    main()
