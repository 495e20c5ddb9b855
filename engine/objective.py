"""The objective: K-fold cross-validation of one model configuration."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import optuna
import pandas as pd

from tuneplate.engine.models import Family, Fit
from tuneplate.engine.space import Space
from tuneplate.engine.splits import Folds

TRAIN_SCORE_ROWS = 50_000  # train-fold rows scored per trial on big tables (a fixed sample)


def make_objective(
    family: Family,
    space: Space,
    X: pd.DataFrame,
    y: np.ndarray,
    folds: Folds,
    score: Callable[[np.ndarray, np.ndarray], float],
    fit: Fit,
    hypergradient: bool = False,
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
    training and validation data is built once, on the fold's first trial, and kept
    in the closure for every later trial: no per-trial copies of the table.

    Example:
        >>> study.optimize(make_objective(family, space, X, y, folds, roc_auc_score, Fit(0)))
    """
    prepared: dict[int, tuple] = {}  # fold index -> (data handle, valid rows, train-score rows)

    def fold(step: int, tr: np.ndarray, va: np.ndarray) -> tuple:
        if step not in prepared:
            data = family.prepare(X.iloc[tr], y[tr], X.iloc[va], y[va], fit)
            # The train score (shown to judge over- and underfitting) is computed on a
            # fixed, seeded sample of at most TRAIN_SCORE_ROWS train rows: scoring a
            # 500,000-row fold every trial would cost about as much as a fit.
            if len(tr) > TRAIN_SCORE_ROWS:
                rng = np.random.default_rng(fit.seed + step)
                tr = np.sort(rng.choice(tr, TRAIN_SCORE_ROWS, replace=False))
            prepared[step] = (data, (X.iloc[va], y[va]), (X.iloc[tr], y[tr]))
        return prepared[step]

    def objective(trial: optuna.Trial) -> float:
        params = {**space.fixed, **space.suggest(trial)}
        valid, train, rounds, grads = [], [], [], []
        for step, (tr, va) in enumerate(folds):
            if family.prepare is not None:
                data, (X_va, y_va), (X_tr, y_tr) = fold(step, tr, va)
                fitted = family.fit(params, None, None, None, None, fit, data=data)
            else:
                X_va, y_va, X_tr, y_tr = X.iloc[va], y[va], X.iloc[tr], y[tr]
                fitted = family.fit(params, X_tr, y_tr, X_va, y_va, fit)
            model = fitted.estimator
            valid.append(score(y_va, model.predict_proba(X_va)[:, 1]))
            train.append(score(y_tr, model.predict_proba(X_tr)[:, 1]))
            rounds.append(fitted.n_rounds)
            if hypergradient:
                grads.append(
                    family.hypergradient(model, X.iloc[tr], y[tr], X.iloc[va], y[va], params)
                )
            trial.report(float(np.mean(valid)), step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        trial.set_user_attr("train", float(np.mean(train)))
        trial.set_user_attr("fold_scores", [float(v) for v in valid])
        if grads:
            mean = {k: float(np.mean([g[k] for g in grads])) for k in grads[0]}
            trial.set_user_attr("hypergradient", mean)
        if family.boosted:
            trial.set_user_attr("n_rounds", int(np.median(rounds)))
        return float(np.mean(valid))

    return objective
