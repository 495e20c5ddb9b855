"""What the report needs beyond the hold-out score, computed once after the search:
out-of-fold predictions, the vertical's baseline, parameter importance, stability."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna
from scipy.stats import bootstrap

from tuneplate.engine.families.models import Family, Fit, get_family
from tuneplate.engine.tasks.binary.folds import FoldCache

if TYPE_CHECKING:
    from tuneplate.engine.tasks.task import Plan


def out_of_fold(family: Family, params, X, y, folds, fit: Fit, cache: FoldCache | None = None):
    """Development rows scored by the chosen configuration fitted without them.

    Time-ordered folds never validate the earliest rows; those are left out. With
    the search's `cache`, boosted families refit on the folds' data binned for it.
    """
    scores = np.full(len(y), np.nan)
    for step, (train, valid) in enumerate(folds):
        if cache is not None and family.prepare is not None:
            data = cache.get(family, step)[0]
            model = family.fit(params, None, None, None, None, fit, data=data)
        else:
            model = family.fit(params, X.iloc[train], y[train], X.iloc[valid], y[valid], fit)
        scores[valid] = model.estimator.predict_proba(X.iloc[valid])[:, 1]
    seen = ~np.isnan(scores)
    return y[seen], scores[seen]


INTERVAL_RESAMPLES = 1000  # bootstrap resamples of the hold-out …
BIG_HOLDOUT = 20_000  # … and 200 from this many hold-out rows, where the interval is narrow


def holdout_interval(y, score, metric, seed: int, level: float = 0.95):
    """A percentile bootstrap interval of the hold-out score, resampling rows.

    None when it cannot be formed (a hold-out too small, or resamples with one class).

    Example:
        >>> holdout_interval(y_hold, p_hold, roc_auc_score, seed=0)
        (0.71, 0.82)
    """
    if len(y) < 20:
        return None

    def statistic(y, s):
        try:
            return metric(y, s)
        except ValueError:  # a resample holding one class only
            return np.nan

    res = bootstrap(
        (np.asarray(y), np.asarray(score)),
        statistic,
        paired=True,
        vectorized=False,
        n_resamples=INTERVAL_RESAMPLES if len(y) < BIG_HOLDOUT else 200,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return (low, high) if np.isfinite(low) and np.isfinite(high) else None


def baseline(p: Plan, X_dev, y_dev, X_hold, y_hold) -> dict[str, Any]:
    """The vertical's simple baseline at its default settings, on the same rows."""
    name = p.vertical.baseline_family
    if name not in p.vertical.spaces:
        return {}
    family = get_family(name, p.vertical.spaces)
    space = p.vertical.spaces[name]
    params = {**space.fixed, **space.start}
    fit = replace(p.fit, n_rounds=None)
    if family.boosted:  # early stopping needs rows of its own: use the first fold's
        train, valid = p.split.folds[0]
        rounds = family.fit(
            params, X_dev.iloc[train], y_dev[train], X_dev.iloc[valid], y_dev[valid], fit
        ).n_rounds
        fit = replace(fit, n_rounds=rounds)
    estimator = family.fit(params, X_dev, y_dev, None, None, fit).estimator
    score = p.objective.score(y_hold, estimator.predict_proba(X_hold)[:, 1])
    return {"family": name, "label": family.label, "params": params, "holdout": float(score)}


def importance(study: optuna.Study) -> dict[str, float]:
    """How much each parameter mattered (Optuna's fANOVA), when enough trials vary."""
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(complete) < 5 or not complete[0].params:
        return {}
    try:
        return {k: float(v) for k, v in optuna.importance.get_param_importances(study).items()}
    except (RuntimeError, ValueError):  # e.g. a single distinct value per parameter
        return {}


def stability(development: np.ndarray, recent: np.ndarray, bins: int = 10) -> dict[str, Any]:
    """Population stability index of the scores, from development to the latest rows.

    Bands are deciles of the development scores; 0.1 and 0.25 are the usual amber and
    red lines (a practitioners' convention that depends on sample size and bands).
    """
    edges = np.unique(np.quantile(development, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    expected = np.histogram(development, edges)[0] / len(development)
    actual = np.histogram(recent, edges)[0] / len(recent)
    expected, actual = np.clip(expected, 1e-4, None), np.clip(actual, 1e-4, None)
    psi = float(np.sum((actual - expected) * np.log(actual / expected)))
    return {
        "psi": psi,
        "bands": len(edges) - 1,
        "development_rows": len(development),
        "recent_rows": len(recent),
    }
