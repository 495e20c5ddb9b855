"""Cross-validation of one classification configuration, on fold data built once.

`CrossValidation` is the binary task's `Scorer`: a trial's family and settings
(with strategy `auto`, the family first), fitted on each fold's training rows and
scored on its validation rows. `FoldCache` bins each fold once for every trial.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import optuna
import pandas as pd

from tuneplate.engine.data.splits import Folds
from tuneplate.engine.families.models import Family, Fit
from tuneplate.engine.search.objective import FoldScore, Guard
from tuneplate.engine.search.space import Choice, Space

# Train-fold rows scored per trial: a fixed, seeded sample. The train score only shows
# over- and underfitting beside the validation score; 5,000 rows give a fold's mean
# log-loss to about ±0.01, and scoring every train row cost a quarter of a LightGBM
# trial on a 12,000-row table (prediction over a few hundred trees).
TRAIN_SCORE_ROWS = 5_000


class FoldCache:
    """Each fold's binned data, built on first use and shared by every later trial.

    For the families that can `prepare` their data (the boosted ones, and the scorecard),
    a fold's LightGBM `Dataset` / XGBoost `QuantileDMatrix` / WoE bins is built once and
    reused by every trial and by the out-of-fold refits after the search: no per-trial
    copies of the table. Safe for trials running in parallel threads (`--jobs`).

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
        if len(tr) > TRAIN_SCORE_ROWS:
            rng = np.random.default_rng(self.fit.seed + step)
            tr = np.sort(rng.choice(tr, TRAIN_SCORE_ROWS, replace=False))
        return data, (X.iloc[va], y[va]), (X.iloc[tr], y[tr])


@dataclass
class CrossValidation:
    """K-fold scoring of a configuration: the binary task's `Scorer`.

    With `hypergradient` (the family must have one and `score` must be log-loss),
    each fold also computes d(validation log-loss)/d(param).

    Example:
        >>> cv = CrossValidation(family, space, X, y, folds, roc_auc_score, Fit(0))
        >>> study.optimize(make_objective(cv, deadline=None))
    """

    family: Family | Mapping[str, Family]  # with a `Choice` space: each family by name
    space: Space | Choice
    X: pd.DataFrame
    y: np.ndarray
    folds: Folds
    metric: Callable[[np.ndarray, np.ndarray], float]
    fit: Fit
    hypergradient: bool = False
    cache: FoldCache | None = None
    encoded: pd.DataFrame | None = None  # the whole table, encoded once (for the refit)
    workers: int = 1  # folds scored at once, in threads (`tasks.task.fold_workers`)
    reports_folds: bool = field(default=True, init=False)

    def __post_init__(self):
        self.cache = self.cache or FoldCache(self.X, self.y, self.folds, self.fit)

    @property
    def n_steps(self) -> int:
        return len(self.folds)

    def workers_for(self, family: Family) -> int:
        """Folds of a `family` trial scored at once: `workers` for the boosted families,
        whose fits release Python's GIL; one for the linear ones, whose scikit-learn
        pipelines hold it (two such trials in threads ran slower than one after the
        other: README, "Big tables")."""
        return self.workers if family.boosted else 1

    def suggest(self, trial: optuna.Trial) -> tuple[Family, dict]:
        if isinstance(self.space, Choice):
            name, params = self.space.suggest(trial)
            return self.family[name], {**self.space.spaces[name].fixed, **params}
        return self.family, {**self.space.fixed, **self.space.suggest(trial)}

    def score(self, family: Family, params: dict, step: int, guard: Guard) -> FoldScore:
        X, y, (tr, va) = self.X, self.y, self.folds[step]
        if family.prepare is not None:
            data, (X_va, y_va), (X_tr, y_tr) = self.cache.get(family, step)
            fitted = family.fit(params, None, None, None, None, self.fit, data=data)
        else:
            X_va, y_va, X_tr, y_tr = X.iloc[va], y[va], X.iloc[tr], y[tr]
            fitted = family.fit(params, X_tr, y_tr, X_va, y_va, self.fit)
        guard.check()  # a fit cut short by the deadline is not scored
        model = fitted.estimator
        gradient = None
        if self.hypergradient:
            gradient = family.hypergradient(model, X.iloc[tr], y[tr], X.iloc[va], y[va], params)
        return FoldScore(
            valid=self.metric(y_va, model.predict_proba(X_va)[:, 1]),
            train=self.metric(y_tr, model.predict_proba(X_tr)[:, 1]),
            n_rounds=fitted.n_rounds if family.boosted else None,
            gradient=gradient,
        )
