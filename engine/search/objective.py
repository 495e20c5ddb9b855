"""The objective: K-fold cross-validation of one model configuration.

With a `Choice` space (the `auto` strategy) each trial first picks its model
family, then that family's settings. With a deadline, a trial still running when
the time budget ends is stopped (between folds, and between boosting rounds via
`Fit.deadline`) and recorded as pruned, so the budget is kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

import numpy as np
import optuna
import pandas as pd

from tuneplate.engine.data.splits import Folds
from tuneplate.engine.families.models import Family, Fit
from tuneplate.engine.search.space import Choice, Space

TRAIN_SCORE_ROWS = 50_000  # train-fold rows scored per trial on big tables (a fixed sample)
STOPPED = "stopped_at_deadline"  # user attribute of a trial cut short by the time budget


class OutOfTime(optuna.TrialPruned):
    """The time budget ended during this trial; its partial score is not used."""


class FoldCache:
    """Each fold's binned data, built on first use and shared by every later trial.

    For the families that can `prepare` their data (the boosted ones), a fold's
    LightGBM `Dataset` / XGBoost `QuantileDMatrix` is built once and reused by every
    trial and by the out-of-fold refits after the search: no per-trial copies of the
    table. Safe for trials running in parallel threads (`--jobs`).

    Example:
        >>> cache = FoldCache(X, y, folds, Fit(0))
        >>> data, (X_va, y_va), (X_tr, y_tr) = cache.get(family, 0)
    """

    def __init__(self, X: pd.DataFrame, y: np.ndarray, folds: Folds, fit: Fit):
        self.X, self.y, self.folds, self.fit = X, y, folds, fit
        self._built: dict[tuple[str, int], tuple] = {}
        self._lock = threading.Lock()

    def get(self, family: Family, step: int) -> tuple:
        """(fold data, (validation X, y), (train-score X, y)) of fold `step`."""
        key = (family.name, step)
        with self._lock:  # two threads must not bin the same fold twice
            if key not in self._built:
                self._built[key] = self._build(family, step)
            return self._built[key]

    def _build(self, family: Family, step: int) -> tuple:
        X, y, (tr, va) = self.X, self.y, self.folds[step]
        data = family.prepare(X.iloc[tr], y[tr], X.iloc[va], y[va], self.fit)
        # The train score (shown to judge over- and underfitting) is computed on a
        # fixed, seeded sample of at most TRAIN_SCORE_ROWS train rows: scoring a
        # 500,000-row fold every trial would cost about as much as a fit.
        if len(tr) > TRAIN_SCORE_ROWS:
            rng = np.random.default_rng(self.fit.seed + step)
            tr = np.sort(rng.choice(tr, TRAIN_SCORE_ROWS, replace=False))
        return data, (X.iloc[va], y[va]), (X.iloc[tr], y[tr])


def make_objective(
    family: Family | Mapping[str, Family],
    space: Space | Choice,
    X: pd.DataFrame,
    y: np.ndarray,
    folds: Folds,
    score: Callable[[np.ndarray, np.ndarray], float],
    fit: Fit,
    hypergradient: bool = False,
    cache: FoldCache | None = None,
) -> Callable[[optuna.Trial], float]:
    """A closure scoring one trial's parameters by cross-validation.

    Each fold early-stops its boosting rounds on its own validation rows; the
    trial records the median round count so the final refit knows when to stop.
    After every fold it reports the running mean, which lets a pruner stop a
    hopeless trial early. Train scores are kept to show over- and underfitting.
    With `hypergradient` (the family must have one and `score` must be log-loss),
    each fold also computes d(validation log-loss)/d(param) and the trial stores
    their mean, the derivative of its value, as user attribute "hypergradient".

    When the family can `prepare` its data (the boosted ones), each fold's binned
    training and validation data comes from `cache` (a `FoldCache`, made here when
    not given): built once, on the fold's first trial, and reused by every later one.

    With a `Choice` space, `family` maps each family name to its `Family`. With
    `fit.deadline` (a `time.monotonic()` instant), a trial running past it stops
    and is pruned, with user attribute "stopped_at_deadline".

    Example:
        >>> study.optimize(make_objective(family, space, X, y, folds, roc_auc_score, Fit(0)))
    """
    cache = cache or FoldCache(X, y, folds, fit)

    def out_of_time(trial: optuna.Trial) -> None:
        if fit.deadline is not None and time.monotonic() >= fit.deadline:
            trial.set_user_attr(STOPPED, True)
            raise OutOfTime("the time budget ended during this trial")

    def suggest(trial: optuna.Trial) -> tuple[Family, dict]:
        if isinstance(space, Choice):
            name, params = space.suggest(trial)
            return family[name], {**space.spaces[name].fixed, **params}
        return family, {**space.fixed, **space.suggest(trial)}

    def objective(trial: optuna.Trial) -> float:
        chosen, params = suggest(trial)
        valid, train, rounds, grads = [], [], [], []
        for step, (tr, va) in enumerate(folds):
            out_of_time(trial)
            if chosen.prepare is not None:
                data, (X_va, y_va), (X_tr, y_tr) = cache.get(chosen, step)
                fitted = chosen.fit(params, None, None, None, None, fit, data=data)
            else:
                X_va, y_va, X_tr, y_tr = X.iloc[va], y[va], X.iloc[tr], y[tr]
                fitted = chosen.fit(params, X_tr, y_tr, X_va, y_va, fit)
            out_of_time(trial)  # a fit cut short by the deadline is not scored
            model = fitted.estimator
            valid.append(score(y_va, model.predict_proba(X_va)[:, 1]))
            train.append(score(y_tr, model.predict_proba(X_tr)[:, 1]))
            rounds.append(fitted.n_rounds)
            if hypergradient:
                grads.append(
                    chosen.hypergradient(model, X.iloc[tr], y[tr], X.iloc[va], y[va], params)
                )
            trial.report(float(np.mean(valid)), step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        trial.set_user_attr("train", float(np.mean(train)))
        trial.set_user_attr("fold_scores", [float(v) for v in valid])
        if grads:
            mean = {k: float(np.mean([g[k] for g in grads])) for k in grads[0]}
            trial.set_user_attr("hypergradient", mean)
        if chosen.boosted:
            trial.set_user_attr("n_rounds", int(np.median(rounds)))
        return float(np.mean(valid))

    return objective
