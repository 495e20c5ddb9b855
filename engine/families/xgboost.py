"""XGBoost gradient-boosted trees (hist): space, fit with early stopping and a deadline, files.

The model is saved in XGBoost's own JSON format (`Booster.save_model` to a `.json`
name), read back by `xgboost.Booster(model_file=...)`; see
https://xgboost.readthedocs.io/en/stable/tutorials/saving_model.html.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.thresholds import thresholds_between_rows
from tuneplate.engine.families.base import (
    MAX_ROUNDS,
    BoosterClassifier,
    Family,
    Fit,
    Fitted,
    FoldData,
    monotone_params,
    patience,
)
from tuneplate.engine.search.space import Param, Space

FILE = "model.xgboost.json"
XGB_MAX_BIN = 256  # XGBoost's default histogram bins, fixed for the prepared fold data
# A text column splits one level against the rest, never into two sets of levels: XGBoost's
# default partitions a column of more than 4 levels by the gradient order of its levels
# (Fisher 1958; XGBoost's tutorials/categorical.rst, "Optimal Partitioning"), which has no
# regularisation of its own (LightGBM's has `cat_smooth`, `min_data_per_group`) and fitted
# noise on the unseen tables: out-of-fold log-loss 0.180 -> 0.176 on a 90-level clinical
# table and 0.162 -> 0.151 on telecom churn (51 states) at depth 6, median of 3 splits
# (benchmarks/unseen_tables.py's tables). The threshold is above any level count we keep.
XGB_ONEHOT_UP_TO = 1 << 16

# Ranges follow FLAML's XGBoost estimators (flaml/automl/model.py), AutoGluon's XGBoost
# searchspaces.py and XGBoost's "Notes on Parameter Tuning" (doc/tutorials/param_tuning.rst).
# Boosting rounds are not searched: early stopping picks them.
SPACE = Space(
    (
        # up to 0.3, XGBoost's default eta, so the library's defaults are inside the space
        Param("learning_rate", 0.005, 0.3, log=True, grid=(0.02, 0.05, 0.1), start=0.05),
        Param("max_depth", 2, 10, integer=True, grid=(3, 6), start=4),
        Param("min_child_weight", 0.5, 64.0, log=True, grid=(1.0, 8.0), start=1.0),
        Param("subsample", 0.5, 1.0, start=0.8),
        Param("colsample_bytree", 0.4, 1.0, grid=(0.6, 0.9), start=0.8),
        Param("gamma", 0.0, 5.0, start=0.0),
        Param("reg_alpha", 1e-3, 10.0, log=True, start=1e-3),
        Param("reg_lambda", 1e-3, 10.0, log=True, start=1.0),
    ),
    fixed={"max_cat_to_onehot": XGB_ONEHOT_UP_TO},
)


class Deadline(xgb.callback.TrainingCallback):
    """Stops boosting at the first round after a `time.monotonic()` instant."""

    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline

    def after_iteration(self, model, epoch, evals_log) -> bool:
        return time.monotonic() >= self.deadline  # True stops training


class RoundCallback(xgb.callback.TrainingCallback):
    """Calls `on_round(rounds done, latest validation score)` after each boosting round.

    For a search's per-round reports and stops (it may raise, e.g. `optuna.TrialPruned`),
    in XGBoost's callback form, as Optuna's own `XGBoostPruningCallback` does.
    """

    def __init__(self, on_round: Callable[[int, float | None], None]):
        super().__init__()
        self.on_round = on_round

    def after_iteration(self, model, epoch, evals_log) -> bool:
        history = next(iter(next(iter(evals_log.values())).values())) if evals_log else None
        self.on_round(epoch + 1, float(history[-1]) if history else None)
        return False


class EarlyStopping(xgb.callback.TrainingCallback):
    """XGBoost's early stopping on the validation log-loss, with `base.patience`'s
    adaptive patience; records the best round as `xgb.callback.EarlyStopping` does
    (booster attributes "best_iteration", "best_score")."""

    def __init__(self, learning_rate: float | None = None):
        super().__init__()
        self.best, self.best_round = math.inf, 0
        self.learning_rate = learning_rate

    def after_iteration(self, model, epoch, evals_log) -> bool:
        history = next(iter(next(iter(evals_log.values())).values()))
        if history[-1] < self.best:
            self.best, self.best_round = float(history[-1]), epoch
        return epoch - self.best_round >= patience(self.best_round + 1, self.learning_rate)

    def after_training(self, model):
        model.set_attr(best_iteration=str(self.best_round), best_score=str(self.best))
        return model


def callbacks(fit, validated: bool = True, learning_rate: float | None = None) -> list:
    """Early stopping when there is a validation set (its patience sized to
    `learning_rate`), plus the deadline when the fit has one (any record with `.deadline`)."""
    deadline = getattr(fit, "deadline", None)
    stops = [EarlyStopping(learning_rate)] if validated else []
    return stops if deadline is None else [*stops, Deadline(deadline)]


def prepare(X, y, X_val, y_val, fit: Fit) -> FoldData:
    common = {"enable_categorical": True, "max_bin": XGB_MAX_BIN, "nthread": fit.n_threads}
    train = xgb.QuantileDMatrix(X, y, **common)
    # The validation fold as a plain DMatrix: early stopping evaluates it every round, and
    # predicting on a quantised matrix made that evaluation cost as much as the boosting.
    # Three folds of a 15,000-row clinical table at the space's start settings: 9.4-11.9 s
    # with a QuantileDMatrix, 7.1 s with a DMatrix, same stopping rounds and predictions.
    valid = xgb.DMatrix(X_val, y_val, enable_categorical=True, nthread=fit.n_threads)
    return FoldData(train, valid)


def fit(params, X, y, X_val, y_val, fit: Fit, data: FoldData | None = None) -> Fitted:
    if data is not None:  # prepared fold data: the validation matrix references the training one
        booster = xgb.train(
            {
                "objective": "binary:logistic",
                "eval_metric": "logloss",
                "tree_method": "hist",
                "max_bin": XGB_MAX_BIN,
                "seed": fit.seed,
                "nthread": fit.n_threads,
                **params,
                **monotone_params(fit, as_text=True),
            },
            data.train,
            num_boost_round=MAX_ROUNDS,
            evals=[(data.valid, "valid")],
            verbose_eval=False,
            callbacks=callbacks(fit, learning_rate=params.get("learning_rate")),
        )
        rounds = rounds_used(booster)
        return Fitted(
            BoosterClassifier(lambda X: booster.inplace_predict(X, iteration_range=(0, rounds))),
            rounds,
        )
    model = xgb.XGBClassifier(
        n_estimators=fit.n_rounds or MAX_ROUNDS,
        tree_method="hist",
        enable_categorical=True,
        eval_metric="logloss",
        callbacks=callbacks(fit, X_val is not None, params.get("learning_rate")) or None,
        random_state=fit.seed,
        n_jobs=fit.n_threads,
        **params,
        **monotone_params(fit, as_text=True),
    )
    if X_val is None:
        model.fit(X, y, verbose=False)
        thresholds_between_rows(model.get_booster(), X)
        return Fitted(model, model.n_estimators)
    model.fit(X, y, eval_set=[(X_val, y_val)], verbose=False)
    thresholds_between_rows(model.get_booster(), X)
    return Fitted(model, rounds_used(model.get_booster()))


def rounds_used(booster: xgb.Booster) -> int:
    # A deadline that stops training in the first round does so before early stopping
    # has recorded a best iteration: then every round built counts.
    best = booster.attr("best_iteration")
    return int(best) + 1 if best is not None else booster.num_boosted_rounds()


def save(estimator: xgb.XGBClassifier | BoosterClassifier, path: Path) -> None:
    """The refit's booster, or a loaded model file's (`load`), in XGBoost's JSON format."""
    loaded = isinstance(estimator, BoosterClassifier)
    booster = estimator.booster if loaded else estimator.get_booster()
    booster.save_model(path)


def load(path: Path) -> BoosterClassifier:
    booster = xgb.Booster(model_file=str(path))
    return BoosterClassifier(
        lambda X: booster.predict(xgb.DMatrix(X, enable_categorical=True)), booster
    )


def contributions(estimator, X: pd.DataFrame) -> np.ndarray:
    """Exact TreeSHAP contributions to the margin (log-odds): (n, k + 1), base value last.

    XGBoost's own `Booster.predict(DMatrix(X), pred_contribs=True)` (Lundberg et al.,
    "From local explanations to global understanding with explainable AI for trees",
    Nature Machine Intelligence 2020; https://xgboost.readthedocs.io/en/stable/prediction.html),
    over the trees `predict_proba` uses, so each row sums to its margin. XGBoost
    predicts in float32: a sum matches the margin to about 1e-6, not to float64 precision.

    Example:
        >>> contributions(model.estimator, model.schema.encode(rows)[0]).sum(axis=1)  # margins
    """
    if isinstance(estimator, xgb.XGBClassifier):  # the refit
        booster = estimator.get_booster()
        # the wrapper's predict_proba stops at the best round when one was recorded
        best = booster.attr("best_iteration")
        rounds = (0, int(best) + 1) if best is not None else (0, 0)
    elif getattr(estimator, "booster", None) is not None:  # a loaded file: every round
        booster, rounds = estimator.booster, (0, 0)
    else:
        raise TuneplateError(
            "this XGBoost model keeps no booster to explain (a search's fold model); "
            "explain the run's refitted model (Results.load(folder).model.explain(rows))"
        )
    matrix = xgb.DMatrix(X, enable_categorical=True)
    values = booster.predict(matrix, pred_contribs=True, iteration_range=rounds)
    return np.asarray(values, dtype=float)


FAMILY = Family(
    name="xgboost",
    label="XGBoost gradient-boosted trees (hist)",
    space=SPACE,
    fit=fit,
    boosted=True,
    file=FILE,
    save=save,
    load=load,
    prepare=prepare,
    contributions=contributions,
    cost=2.2,
    # XGBoost's documented defaults (doc/parameter.rst): eta 0.3, depth 6, lambda 1;
    # alpha 0 is the space's lowest value, 1e-3.
    defaults={
        "learning_rate": 0.3,
        "max_depth": 6,
        "min_child_weight": 1.0,
        "subsample": 1.0,
        "colsample_bytree": 1.0,
        "gamma": 0.0,
        "reg_alpha": 1e-3,
        "reg_lambda": 1.0,
    },
)
