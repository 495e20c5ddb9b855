"""XGBoost gradient-boosted trees (hist): space, fit with early stopping and a deadline, files.

The model is saved in XGBoost's own JSON format (`Booster.save_model` to a `.json`
name), read back by `xgboost.Booster(model_file=...)`; see
https://xgboost.readthedocs.io/en/stable/tutorials/saving_model.html.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

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
)
from tuneplate.engine.search.space import Param, Space

if TYPE_CHECKING:
    import xgboost as xgb

# XGBoost is imported inside the functions that use it (with its callbacks, in
# `xgboost_callbacks`): importing it loads scikit-learn, seconds that the command line's
# parser, which lists this family's name, need not wait for.

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


def prepare(X, y, X_val, y_val, fit: Fit) -> FoldData:
    import xgboost as xgb

    common = {"enable_categorical": True, "max_bin": XGB_MAX_BIN, "nthread": fit.n_threads}
    train = xgb.QuantileDMatrix(X, y, **common)
    # The validation fold as a plain DMatrix: early stopping evaluates it every round, and
    # predicting on a quantised matrix made that evaluation cost as much as the boosting.
    # Three folds of a 15,000-row clinical table at the space's start settings: 9.4-11.9 s
    # with a QuantileDMatrix, 7.1 s with a DMatrix, same stopping rounds and predictions.
    valid = xgb.DMatrix(X_val, y_val, enable_categorical=True, nthread=fit.n_threads)
    return FoldData(train, valid)


def fit(params, X, y, X_val, y_val, fit: Fit, data: FoldData | None = None) -> Fitted:
    import xgboost as xgb

    from tuneplate.engine.families.xgboost_callbacks import callbacks

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
    import xgboost as xgb

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
    import xgboost as xgb

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
    libraries=("xgboost", "tuneplate.engine.families.xgboost_callbacks"),
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
