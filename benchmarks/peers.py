"""tuneplate against peer tuners at equal wall-clock budgets, on each vertical's real data.

What: for each vertical (credit-risk: German credit, ROC AUC; diagnosis: Wisconsin breast
cancer, log-loss), each time budget and each seed, these methods search and then score
their final model once on the same untouched hold-out:

- ``tuneplate-auto`` / ``tuneplate-bayes``: ``tuneplate.engine.tune.execute`` with that
  strategy and ``timeout=budget`` (in-memory storage). On diagnosis, ``bayes`` tunes the
  vertical's default family (logistic regression); ``auto`` chooses among all families.
- ``flaml``: FLAML ``AutoML`` with its default estimator list, ``time_budget=budget``.
- ``flaml-lgbm``: the same with ``estimator_list=["lgbm"]``.
- ``optuna-tpe``: plain Optuna TPE written by hand over tuneplate's LightGBM space
  (``p.space.suggest``, ``p.space.fixed``), 5-fold CV on the same folds, LGBMClassifier
  with early stopping (2000 rounds, patience 50) on each validation fold, refit on all
  development rows with the median best round count; ``study.optimize(timeout=budget)``.
- ``sk-random`` / ``sk-halving``: scikit-learn ``RandomizedSearchCV`` and
  ``HalvingRandomSearchCV`` (resource: rows) over LGBMClassifier with distributions
  equivalent to the same space, plus ``n_estimators`` (log-uniform 50..1000, since they
  cannot early-stop), cv = the same folds. Their budget is a number of candidates
  chosen so the search roughly fits the time budget, from one timed 5-fold CV of the
  space's middle configuration (that calibration is not counted in "seconds").

How: ``tuneplate.engine.tune.plan`` makes the split, so every method sees the same
development rows, the same 5 folds (FLAML through a ``PredefinedSplit``) and the same
hold-out for a given seed; the seed also changes the split. tuneplate and FLAML use the
cores the process is given (tuneplate: a trial's folds in threads; FLAML: ``n_jobs``,
each fit's threads), the other methods one; the methods run one after another, never in
parallel. ``taskset -c 0 python ...`` gives every method one core, as the earlier tables
were measured (before parallel folds, tuneplate was single-threaded on small tables).

Table columns, per vertical x budget x method over the seeds:

- hold-out: median (min-max) of the final model's hold-out score, in the vertical's
  metric (higher AUC / lower log-loss is better).
- trials: median number of configurations evaluated (tuneplate and Optuna: completed
  trials; FLAML: logged trials; halving: every candidate at every rung).
- seconds: median wall-clock seconds of the search (FLAML's includes its final refit).
- to-best: median seconds until the method's best-so-far *validation* (cross-validated)
  score came within 0.002 of the best validation score any method found in that seed;
  "-" when it never did (a seed counts as never; the median is taken with "never" as
  infinite). Only the final models get a hold-out score, so this column uses each
  method's own validation score, which is not quite comparable across methods:
  tuneplate and the Optuna baseline early-stop on the validation fold (slightly
  optimistic), FLAML and scikit-learn do not; halving counts only its last rung (the
  earlier rungs score on subsampled validation rows). Scikit-learn's per-candidate
  finish times are reconstructed from ``cv_results_`` fit and score times, scaled to
  the measured search time.

Verdict lines: "as good within noise" means tuneplate-auto's median hold-out is no
worse than the best peer's (best median hold-out among the non-tuneplate methods)
by more than the larger of the two min-max spreads. "Half the time" means that, in
the majority of seeds, tuneplate-auto's validation score reached the best peer's
final validation score (within 0.002) in at most half the time that peer took to
reach its own final score (within 0.002).

Machine caveats: run on 2 shared cores, so timings are noisy, and a budget of 30 s
holds only a few hundred small fits; read differences of a few thousandths as noise.

    python benchmarks/peers.py [--verticals credit-risk diagnosis] [--budgets 30 120]
        [--seeds 0 1 2] [--methods tuneplate-auto flaml ...]
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import lightgbm as lgb
import numpy as np
import optuna
from scipy import stats
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    PredefinedSplit,
    RandomizedSearchCV,
    cross_validate,
)

from tuneplate.engine.tasks.task import cores
from tuneplate.engine.tune import Config, execute, plan
from tuneplate.verticals import load_vertical

TOLERANCE = 0.002
FACTOR = 3  # successive halving's elimination factor (scikit-learn's default)
METHODS = (
    "tuneplate-auto",
    "tuneplate-bayes",
    "flaml",
    "flaml-lgbm",
    "optuna-tpe",
    "sk-random",
    "sk-halving",
)
PEERS = tuple(m for m in METHODS if not m.startswith("tuneplate"))


@dataclass
class Run:
    method: str
    seed: int
    holdout: float
    trials: int
    seconds: float
    curve: list[tuple[float, float]]  # (seconds since the search started, validation score)
    note: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Data:
    """One seed's split, shared by every method."""

    p: object  # the tuneplate plan with the LightGBM space (peers' space and folds)
    X_dev: object
    y_dev: np.ndarray
    X_hold: object
    y_hold: np.ndarray
    maximize: bool

    def score(self, y, prob) -> float:
        return float(self.p.objective.score(y, prob))

    def holdout(self, model) -> float:
        return self.score(self.y_hold, model.predict_proba(self.X_hold)[:, 1])


def load(vertical: str, seed: int, budget: float) -> Data:
    p = plan(
        load_vertical(vertical),
        None,
        Config.flat(strategy="bayes", model="lightgbm", seed=seed, timeout=budget, n_trials=None),
    )
    X = p.schema.encode(p.table)[0]
    dev, hold = p.split.development, p.split.holdout
    return Data(
        p, X.iloc[dev], p.y[dev], X.iloc[hold], p.y[hold], p.objective.direction == "maximize"
    )


# ---------------------------------------------------------------- tuneplate


def run_tuneplate(strategy: str, vertical: str, d: Data, seed: int, budget: float) -> Run:
    p = plan(
        load_vertical(vertical),
        None,
        Config.flat(strategy=strategy, seed=seed, timeout=budget, n_trials=None),
    )
    assert np.array_equal(p.split.holdout, d.p.split.holdout), "a different hold-out"
    r = execute(p)
    t = r.trials
    done = t[t["state"] == "COMPLETE"].sort_values("finished_s")
    curve = list(zip(done["finished_s"].astype(float), done["value"].astype(float), strict=True))
    return Run(
        f"tuneplate-{strategy}",
        seed,
        r.holdout,
        r.counts["completed"],
        r.timings["search_s"],
        curve,
        note=r.model_family,
    )


# ---------------------------------------------------------------- FLAML


# The cores this process may use (`taskset` or TUNEPLATE_CORES narrows them): FLAML's
# n_jobs, the same rule as tuneplate's fold threads.
CORES = cores()


def run_flaml(lgbm_only: bool, d: Data, seed: int, budget: float) -> Run:
    from flaml import AutoML

    test_fold = np.empty(len(d.y_dev), dtype=int)
    for k, (_, va) in enumerate(d.p.split.folds):
        test_fold[va] = k
    metric = "roc_auc" if d.p.objective.name == "roc_auc" else "log_loss"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "flaml.log"
        automl = AutoML()
        kwargs = {"estimator_list": ["lgbm"]} if lgbm_only else {}
        started = time.perf_counter()
        automl.fit(
            d.X_dev,
            d.y_dev,
            task="classification",
            time_budget=budget,
            metric=metric,
            eval_method="cv",
            split_type=PredefinedSplit(test_fold),
            seed=seed,
            n_jobs=CORES,
            verbose=0,
            log_file_name=str(log),
            log_type="all",
            **kwargs,
        )
        seconds = time.perf_counter() - started
        records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    records = [r for r in records if "validation_loss" in r]
    # FLAML minimises a loss: 1 - AUC for roc_auc, the log-loss itself for log_loss.
    to_score = (lambda loss: 1 - loss) if metric == "roc_auc" else (lambda loss: loss)
    curve = [(float(r["wall_clock_time"]), to_score(float(r["validation_loss"]))) for r in records]
    return Run(
        "flaml-lgbm" if lgbm_only else "flaml",
        seed,
        d.holdout(automl),
        len(records),
        seconds,
        sorted(curve),
        note=str(automl.best_estimator),
    )


# ---------------------------------------------------------------- plain Optuna TPE


def run_optuna(d: Data, seed: int, budget: float) -> Run:
    space, folds = d.p.space, d.p.split.folds

    def objective(trial: optuna.Trial) -> float:
        params = {**space.fixed, **space.suggest(trial)}
        scores, rounds = [], []
        for tr, va in folds:
            model = lgb.LGBMClassifier(
                n_estimators=2000, random_state=seed, n_jobs=1, verbose=-1, **params
            )
            model.fit(
                d.X_dev.iloc[tr],
                d.y_dev[tr],
                eval_X=(d.X_dev.iloc[va],),
                eval_y=(d.y_dev[va],),
                callbacks=[lgb.early_stopping(50, verbose=False)],
            )
            scores.append(d.score(d.y_dev[va], model.predict_proba(d.X_dev.iloc[va])[:, 1]))
            rounds.append(model.best_iteration_ or model.n_estimators)
        trial.set_user_attr("rounds", int(np.median(rounds)))
        return float(np.mean(scores))

    study = optuna.create_study(
        direction="maximize" if d.maximize else "minimize",
        sampler=optuna.samplers.TPESampler(seed=seed),
    )
    started = time.perf_counter()
    study.optimize(objective, timeout=budget)
    seconds = time.perf_counter() - started
    best = study.best_trial
    model = lgb.LGBMClassifier(
        n_estimators=best.user_attrs["rounds"],
        random_state=seed,
        n_jobs=1,
        verbose=-1,
        **space.fixed,
        **best.params,
    ).fit(d.X_dev, d.y_dev)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    origin = min(t.datetime_start for t in study.trials)
    curve = [((t.datetime_complete - origin).total_seconds(), t.value) for t in done]
    return Run("optuna-tpe", seed, d.holdout(model), len(done), seconds, sorted(curve))


# ---------------------------------------------------------------- scikit-learn


class LogInt:
    """An integer drawn log-uniformly from [low, high]: what scipy lacks for num_leaves."""

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def rvs(self, random_state=None) -> int:
        value = stats.loguniform(self.low, self.high + 1).rvs(random_state=random_state)
        return int(min(self.high, math.floor(value)))


def distributions(space) -> dict:
    out = {"n_estimators": LogInt(50, 1000)}
    for q in space.params:
        if q.choices is not None:
            out[q.name] = list(q.choices)
        elif q.integer:
            out[q.name] = LogInt(q.low, q.high) if q.log else stats.randint(q.low, q.high + 1)
        elif q.log:
            out[q.name] = stats.loguniform(q.low, q.high)
        else:
            out[q.name] = stats.uniform(q.low, q.high - q.low)
    return out


def middle(space) -> dict:
    """The middle of each range (geometric on log scales): the calibration configuration.

    Except the rounds: fit time grows with them, so the calibration uses their mean
    under the log-uniform draw, 317, not the geometric middle 224 (which made the
    searches overrun a 30 s budget by about a third).
    """
    out = {"n_estimators": round(950 / math.log(20))}  # the mean of log-uniform 50..1000
    for q in space.params:
        if q.choices is not None:
            out[q.name] = q.choices[0]
            continue
        mid = math.sqrt(q.low * q.high) if q.log else (q.low + q.high) / 2
        out[q.name] = round(mid) if q.integer else mid
    return out


def halving_cost(n_candidates: int, n_rows: int, min_rows: int, unit: float) -> float:
    """Estimated seconds of HalvingRandomSearchCV: scikit-learn's rungs, fits affine in rows."""
    need = 1 + int(math.floor(math.log(n_candidates, FACTOR)))
    low = max(min_rows, n_rows // FACTOR ** (need - 1))
    rungs = min(need, 1 + int(math.floor(math.log(n_rows // low, FACTOR))))
    cost, left = 0.0, n_candidates
    for i in range(rungs):
        cost += left * unit * (0.3 + 0.7 * min(1.0, low * FACTOR**i / n_rows))
        left = math.ceil(left / FACTOR)
    return cost


def run_sklearn(halving: bool, d: Data, seed: int, budget: float) -> Run:
    space, folds = d.p.space, d.p.split.folds
    scoring = "roc_auc" if d.p.objective.name == "roc_auc" else "neg_log_loss"
    sign = 1.0 if scoring == "roc_auc" else -1.0
    estimator = lgb.LGBMClassifier(random_state=seed, n_jobs=1, verbose=-1, **space.fixed)
    probe = estimator.set_params(**middle(space))
    started = time.perf_counter()
    cross_validate(probe, d.X_dev, d.y_dev, cv=folds, scoring=scoring)
    unit = time.perf_counter() - started  # one candidate's 5-fold CV
    estimator = lgb.LGBMClassifier(random_state=seed, n_jobs=1, verbose=-1, **space.fixed)
    dists = distributions(space)
    if halving:
        n_rows, min_rows = len(d.y_dev), 2 * len(folds) * 2  # scikit-learn's "smallest"
        n = 3
        while halving_cost(n + 1, n_rows, min_rows, unit) <= budget:
            n += 1
        search = HalvingRandomSearchCV(
            estimator,
            dists,
            n_candidates=n,
            factor=FACTOR,
            cv=folds,
            scoring=scoring,
            random_state=seed,
            n_jobs=1,
        )
    else:
        n = max(2, int(budget / unit))
        search = RandomizedSearchCV(
            estimator, dists, n_iter=n, cv=folds, scoring=scoring, random_state=seed, n_jobs=1
        )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(d.X_dev, d.y_dev)
    seconds = time.perf_counter() - started
    res = search.cv_results_
    k = len(folds)
    cost = (np.asarray(res["mean_fit_time"]) + np.asarray(res["mean_score_time"])) * k
    finish = np.cumsum(cost)
    finish *= max(seconds - search.refit_time_, 1e-9) / finish[-1]  # candidates run in order
    scores = sign * np.asarray(res["mean_test_score"], dtype=float)
    keep = np.ones(len(scores), bool)
    if halving:  # earlier rungs score on subsampled validation rows: not comparable
        keep = np.asarray(res["iter"]) == max(res["iter"])
    curve = [(float(t), float(s)) for t, s, ok in zip(finish, scores, keep, strict=True) if ok]
    return Run(
        "sk-halving" if halving else "sk-random",
        seed,
        d.holdout(search.best_estimator_),
        len(scores),
        seconds,
        curve,
        note=f"{n} candidates; calibration {unit:.1f}s",
    )


# ---------------------------------------------------------------- timing and table


def best_of(curve, maximize: bool) -> float | None:
    values = [s for _, s in curve if np.isfinite(s)]
    if not values:
        return None
    return max(values) if maximize else min(values)


def time_to(curve, target: float, maximize: bool) -> float:
    """Seconds until the best-so-far score came within TOLERANCE of `target` (inf: never)."""
    for t, s in curve:
        if np.isfinite(s) and (s >= target - TOLERANCE if maximize else s <= target + TOLERANCE):
            return t
    return math.inf


def run_one(method: str, vertical: str, d: Data, seed: int, budget: float) -> Run:
    if method.startswith("tuneplate-"):
        return run_tuneplate(method.removeprefix("tuneplate-"), vertical, d, seed, budget)
    if method.startswith("flaml"):
        return run_flaml(method == "flaml-lgbm", d, seed, budget)
    if method == "optuna-tpe":
        return run_optuna(d, seed, budget)
    return run_sklearn(method == "sk-halving", d, seed, budget)


def fmt_s(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x:.1f}"


def median_inf(values) -> float:
    return float(np.median(np.asarray(values, dtype=float)))  # inf counts as "never"


def report(vertical: str, budget: float, runs: list[Run], maximize: bool) -> None:
    seeds = sorted({r.seed for r in runs})
    target = {}  # per seed: the best validation score any method found
    for seed in seeds:
        found = (best_of(r.curve, maximize) for r in runs if r.seed == seed)
        bests = [b for b in found if b is not None]
        target[seed] = max(bests) if maximize else min(bests)
    by_method: dict[str, list[Run]] = {}
    for r in runs:
        by_method.setdefault(r.method, []).append(r)
    metric = "AUC" if maximize else "log-loss"
    print(f"\n### {vertical}, {budget:g} s budget, seeds {seeds} (hold-out {metric})\n")
    print("| method | hold-out median | min-max | trials | seconds | to-best (s) | note |")
    print("|---|---|---|---|---|---|---|")
    summary = {}
    for method, rs in by_method.items():
        hold = [r.holdout for r in rs]
        reach = [time_to(r.curve, target[r.seed], maximize) for r in rs]
        notes = sorted({r.note for r in rs if r.note})
        summary[method] = (statistics.median(hold), max(hold) - min(hold))
        print(
            f"| {method} | {statistics.median(hold):.4f} | {min(hold):.4f}-{max(hold):.4f} | "
            f"{statistics.median([r.trials for r in rs]):.0f} | "
            f"{statistics.median([r.seconds for r in rs]):.1f} | {fmt_s(median_inf(reach))} | "
            f"{'; '.join(notes) if len(notes) <= 3 else f'{len(notes)} variants'} |"
        )
    verdict(by_method, summary, maximize)


def verdict(by_method: dict[str, list[Run]], summary: dict, maximize: bool) -> None:
    auto = by_method.get("tuneplate-auto")
    peers = {m: v for m, v in summary.items() if m in PEERS}
    if not auto or not peers:
        return
    pick = max if maximize else min
    peer = pick(peers, key=lambda m: peers[m][0])
    (a_med, a_spread), (p_med, p_spread) = summary["tuneplate-auto"], peers[peer]
    noise = max(a_spread, p_spread)
    gap = (a_med - p_med) if maximize else (p_med - a_med)  # > 0: auto is better
    good = gap >= -noise
    fast, times = 0, []
    by_seed = {r.seed: r for r in by_method[peer]}
    for a in auto:
        rp = by_seed.get(a.seed)
        final = rp and best_of(rp.curve, maximize)
        if final is None:
            continue
        t_auto = time_to(a.curve, final, maximize)
        t_peer = time_to(rp.curve, final, maximize)
        times.append(f"seed {a.seed}: {fmt_s(t_auto)} vs {fmt_s(t_peer)} s")
        fast += t_auto <= 0.5 * t_peer
    print(
        f"\nVerdict: best peer by median hold-out is {peer} ({p_med:.4f}); tuneplate-auto "
        f"{a_med:.4f}, difference {gap:+.4f} (positive: auto better) against a seed spread "
        f"of {noise:.4f}: {'as good within noise' if good else 'WORSE beyond noise'}. "
        f"auto reached {peer}'s final validation score in at most half {peer}'s time in "
        f"{fast}/{len(auto)} seeds ({'; '.join(times)}): "
        f"{'yes' if fast * 2 > len(auto) else 'no'}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verticals", nargs="+", default=["credit-risk", "diagnosis"])
    parser.add_argument("--budgets", type=float, nargs="+", default=[30, 120])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    args = parser.parse_args()

    warnings.filterwarnings("ignore")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    logging.getLogger("flaml").setLevel(logging.ERROR)
    logging.getLogger("flaml.automl.logger").setLevel(logging.ERROR)

    for vertical in args.verticals:
        for budget in args.budgets:
            runs = []
            for seed in args.seeds:
                d = load(vertical, seed, budget)
                for method in args.methods:
                    started = time.perf_counter()
                    r = run_one(method, vertical, d, seed, budget)
                    runs.append(r)
                    print(
                        f"{vertical} {budget:g}s seed {seed} {method}: hold-out {r.holdout:.4f}, "
                        f"{r.trials} trials, {r.seconds:.1f}s search, "
                        f"{time.perf_counter() - started:.1f}s all  {r.note}",
                        file=sys.stderr,
                        flush=True,
                    )
            report(vertical, budget, runs, d.maximize)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
