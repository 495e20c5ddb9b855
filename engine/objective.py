"""The objective: K-fold cross-validation of one model configuration."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import optuna
import pandas as pd

from tuneplate.engine.models import Family, Fit
from tuneplate.engine.space import Space
from tuneplate.engine.splits import Folds


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

    Example:
        >>> study.optimize(make_objective(family, space, X, y, folds, roc_auc_score, Fit(0)))
    """

    def objective(trial: optuna.Trial) -> float:
        params = {**space.fixed, **space.suggest(trial)}
        valid, train, rounds, grads = [], [], [], []
        for step, (tr, va) in enumerate(folds):
            fitted = family.fit(params, X.iloc[tr], y[tr], X.iloc[va], y[va], fit)
            model = fitted.estimator
            valid.append(score(y[va], model.predict_proba(X.iloc[va])[:, 1]))
            train.append(score(y[tr], model.predict_proba(X.iloc[tr])[:, 1]))
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
