"""LightGBM gradient-boosted trees: space, fit with early stopping and a deadline, files.

The model is saved as LightGBM's own text format (`Booster.model_to_string`), which
prediction reads back with `lightgbm.Booster(model_file=...)`; see
https://lightgbm.readthedocs.io/en/stable/Python-API.html.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
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

if TYPE_CHECKING:
    import lightgbm as lgb

# LightGBM is imported inside the functions that use it: importing it loads
# scikit-learn, seconds that the command line's parser, which lists this family's name,
# need not wait for.
from tuneplate.engine.search.space import Param, Space

FILE = "model.lightgbm.txt"
# Binning settings fixed when a fold's LightGBM Dataset is built once for every trial.
# `feature_pre_filter=False` keeps features that one trial's min_child_samples could
# not split, so later trials may use any min_child_samples on the same bins.
LGB_DATASET = {"max_bin": 255, "feature_pre_filter": False, "verbose": -1}

# Ranges follow FLAML's LGBMEstimator (flaml/automl/model.py), Optuna's LightGBMTuner
# (optuna/integration/_lightgbm_tuner/optimize.py), AutoGluon's LightGBM searchspaces.py and
# LightGBM's docs/Parameters-Tuning.rst. Boosting rounds are not searched: early stopping
# picks them.
SPACE = Space(
    (
        Param("learning_rate", 0.005, 0.2, log=True, grid=(0.02, 0.05, 0.1), start=0.05),
        Param("num_leaves", 8, 256, log=True, integer=True, grid=(15, 63), start=15),
        Param(
            "min_child_samples",
            5,
            200,
            log=True,
            integer=True,
            grid=(20, 60),
            start=20,
            max_share=0.1,
        ),
        Param("colsample_bytree", 0.4, 1.0, grid=(0.6, 0.9), start=0.8),
        Param("subsample", 0.4, 1.0, start=0.8),
        Param("reg_alpha", 1e-8, 10.0, log=True, start=1e-8),
        Param("reg_lambda", 1e-8, 10.0, log=True, start=1.0),
    ),
    fixed={"subsample_freq": 1},  # LightGBM ignores subsample unless bagging is switched on
)


def deadline_callback(deadline: float):
    """A `lgb.train` callback that stops boosting at the first round after `deadline`."""
    import lightgbm as lgb

    def stop(env) -> None:
        if time.monotonic() >= deadline:
            raise lgb.callback.EarlyStopException(env.iteration, env.evaluation_result_list or [])

    stop.order = 40  # after early stopping's own check (order 30)
    return stop


def round_callback(on_round: Callable[[int, float | None], None]):
    """A `lgb.train` callback calling `on_round(rounds done, first validation score)`.

    For a search's per-round reports and stops (it may raise, e.g. `optuna.TrialPruned`),
    in LightGBM's callback form, as Optuna's own `LightGBMPruningCallback` does.
    """

    def callback(env) -> None:
        results = env.evaluation_result_list
        on_round(env.iteration + 1, float(results[0][2]) if results else None)

    callback.order = 40  # after early stopping's own check (order 30)
    return callback


def early_stopping(learning_rate: float | None = None):
    """`lgb.early_stopping` with the adaptive patience of `base.patience`.

    Stops when the first validation score has not improved for
    `patience(best round, learning_rate)` rounds, and at the last round, with the best
    round recorded as LightGBM's own callback does (`booster.best_iteration`,
    `best_iteration_`).
    """
    import lightgbm as lgb

    best: dict = {}

    def callback(env) -> None:
        _, _, score, higher_is_better = env.evaluation_result_list[0][:4]
        if not best or (score > best["score"] if higher_is_better else score < best["score"]):
            best.update(score=score, round=env.iteration, results=env.evaluation_result_list)
        elif env.iteration - best["round"] >= patience(best["round"] + 1, learning_rate):
            raise lgb.callback.EarlyStopException(best["round"], best["results"])
        if env.iteration == env.end_iteration - 1:
            raise lgb.callback.EarlyStopException(best["round"], best["results"])

    callback.order = 30  # where LightGBM's own early stopping runs
    return callback


def callbacks(fit, learning_rate: float | None = None) -> list:
    """Early stopping (its patience sized to `learning_rate`), plus the deadline when the
    fit has one (any record with `.deadline`)."""
    stops = [early_stopping(learning_rate)]
    deadline = getattr(fit, "deadline", None)
    return stops if deadline is None else [*stops, deadline_callback(deadline)]


def prepare(X, y, X_val, y_val, fit: Fit) -> FoldData:
    import lightgbm as lgb

    params = {**LGB_DATASET, "seed": fit.seed, "num_threads": fit.n_threads}
    train = lgb.Dataset(X, y, params=params, free_raw_data=True).construct()
    valid = lgb.Dataset(X_val, y_val, reference=train, params=params, free_raw_data=True)
    return FoldData(train, valid.construct())


def fit(params, X, y, X_val, y_val, fit: Fit, data: FoldData | None = None) -> Fitted:
    import lightgbm as lgb

    if data is not None:  # prepared fold data: train on the prebuilt bins
        booster = lgb.train(
            {
                **LGB_DATASET,
                "objective": "binary",
                "metric": "binary_logloss",
                "seed": fit.seed,
                "num_threads": fit.n_threads,
                "deterministic": True,
                **params,
                **monotone_params(fit),
            },
            data.train,
            num_boost_round=MAX_ROUNDS,
            valid_sets=[data.valid],
            callbacks=callbacks(fit, params.get("learning_rate")),
            # the booster is only scored, never saved: skip the copy through its text
            # form that lgb.train makes otherwise (8% of a trial on a 1,000-row table)
            keep_training_booster=True,
        )
        rounds = max(1, booster.best_iteration or booster.current_iteration())
        # LightGBM keeps one thread count for the whole process and each call sets it from
        # its own parameters: a predict without `num_threads` would let a fold still
        # training in another thread (tuneplate scores folds at once) use every core.
        predict = lambda X: booster.predict(X, num_iteration=rounds, num_threads=fit.n_threads)  # noqa: E731
        return Fitted(BoosterClassifier(predict), rounds)
    model = lgb.LGBMClassifier(
        n_estimators=fit.n_rounds or MAX_ROUNDS,
        random_state=fit.seed,
        n_jobs=fit.n_threads,
        deterministic=True,
        verbose=-1,
        **params,
        **monotone_params(fit),
    )
    if X_val is None:
        model.fit(X, y)
        return Fitted(model, model.n_estimators)
    model.fit(
        X,
        y,
        eval_X=(X_val,),
        eval_y=(y_val,),
        callbacks=callbacks(fit, params.get("learning_rate")),
    )
    return Fitted(model, max(1, model.best_iteration_ or model.n_estimators))


def save(estimator: lgb.LGBMClassifier | BoosterClassifier, path: Path) -> None:
    """The refit's booster, or a loaded model file's (`load`), in LightGBM's text format."""
    booster = estimator.booster if isinstance(estimator, BoosterClassifier) else estimator.booster_
    Path(path).write_text(without_ranges(booster.model_to_string()))


def load(path: Path) -> BoosterClassifier:
    import lightgbm as lgb

    booster = lgb.Booster(model_file=str(path))
    return BoosterClassifier(booster.predict, booster)


def contributions(estimator, X: pd.DataFrame) -> np.ndarray:
    """Exact TreeSHAP contributions to the raw score (log-odds): (n, k + 1), base value last.

    LightGBM's own `predict(X, pred_contrib=True)` (Lundberg et al., "From local
    explanations to global understanding with explainable AI for trees", Nature Machine
    Intelligence 2020; https://lightgbm.readthedocs.io/en/stable/pythonapi/lightgbm.Booster.html),
    with the same trees `predict_proba` uses, so each row sums to its raw score.

    Example:
        >>> contributions(model.estimator, model.schema.encode(rows)[0]).sum(axis=1)  # margins
    """
    import lightgbm as lgb

    if isinstance(estimator, lgb.LGBMClassifier):  # the refit: same rounds as predict_proba
        values = estimator.predict(X, pred_contrib=True)
    elif getattr(estimator, "booster", None) is not None:  # a loaded model file
        values = estimator.booster.predict(X, pred_contrib=True)
    else:
        raise TuneplateError(
            "this LightGBM model keeps no booster to explain (a search's fold model); "
            "explain the run's refitted model (Results.load(folder).model.explain(rows))"
        )
    return np.asarray(values, dtype=float)


def without_ranges(model_text: str) -> str:
    """A LightGBM model file without each numeric feature's training [min:max].

    LightGBM writes `feature_infos=[min:max] ...` for information only (prediction
    reads the trees' thresholds); the minimum and maximum are each one row's value,
    so they are replaced by `none`, the token LightGBM itself writes for a feature
    with nothing recorded. Categorical entries (category codes) are kept.

    Example:
        >>> without_ranges("feature_infos=[-1.5:3.2] 0:1:2\\n")
        'feature_infos=none 0:1:2\\n'
    """
    lines = model_text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("feature_infos="):
            lines[i] = re.sub(r"\[[^\]]*\]", "none", line)
            break
    return "".join(lines)


FAMILY = Family(
    name="lightgbm",
    label="LightGBM gradient-boosted trees",
    space=SPACE,
    fit=fit,
    boosted=True,
    file=FILE,
    save=save,
    load=load,
    prepare=prepare,
    contributions=contributions,
    cost=1.3,
    libraries=("lightgbm",),
    # LightGBM's documented defaults (docs/Parameters.rst): 0 for both penalties is the
    # space's lowest value, 1e-8; no depth limit is the highest depth a vertical allows.
    defaults={
        "learning_rate": 0.1,
        "num_leaves": 31,
        "min_child_samples": 20,
        "colsample_bytree": 1.0,
        "subsample": 1.0,
        "reg_alpha": 1e-8,
        "reg_lambda": 1e-8,
        "max_depth": 64,
    },
)
