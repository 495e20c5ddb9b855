"""Model families behind one small interface, and the fitted `Model`.

A family knows how to fit its estimator on encoded features, with early stopping
on boosting rounds when a validation fold is given, and how to save it in its
library's own safe format (no pickle for trees).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import Schema, SchemaWarning, Scores, problems, warn
from tuneplate.engine.search import hypergradient

MAX_ROUNDS = 2000  # boosting cap; early stopping picks the real number
PATIENCE = 50  # rounds without improvement before a fold stops


@dataclass(frozen=True)
class Fit:
    """How to fit: seed, threads, and either a validation fold or a fixed round count."""

    seed: int
    n_threads: int = 1
    n_rounds: int | None = None  # refit: the rounds early stopping chose during the search
    # A `time.monotonic()` instant: boosting stops at the first round after it, so a
    # search's time budget holds even when one fit would take longer. Search only.
    deadline: float | None = None

    def saved(self) -> dict:
        """What `model.json` keeps to redo the fit (the deadline is the search's)."""
        return {k: v for k, v in asdict(self).items() if k != "deadline"}


def _lightgbm_deadline(deadline: float):
    def stop(env) -> None:
        if time.monotonic() >= deadline:
            raise lgb.callback.EarlyStopException(env.iteration, env.evaluation_result_list or [])

    stop.order = 40  # after early stopping's own check (order 30)
    return stop


class _XGBoostDeadline(xgb.callback.TrainingCallback):
    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline

    def after_iteration(self, model, epoch, evals_log) -> bool:
        return time.monotonic() >= self.deadline  # True stops training


def _callbacks(fit: Fit, lightgbm: bool) -> list:
    if fit.deadline is None:
        return []
    return [_lightgbm_deadline(fit.deadline) if lightgbm else _XGBoostDeadline(fit.deadline)]


@dataclass(frozen=True)
class Fitted:
    estimator: Any
    n_rounds: int | None  # boosting rounds used (None for non-boosted families)


# Binning settings fixed when a fold's LightGBM Dataset is built once for every trial.
# `feature_pre_filter=False` keeps features that one trial's min_child_samples could
# not split, so later trials may use any min_child_samples on the same bins.
LGB_DATASET = {"max_bin": 255, "feature_pre_filter": False, "verbose": -1}
XGB_MAX_BIN = 256  # XGBoost's default histogram bins, fixed for the prepared fold data


@dataclass
class FoldData:
    """A fold's training and validation data in a library's own binned form.

    Built once per fold by `Family.prepare` and reused by every trial; the raw
    frames are not kept here (the objective keeps what it scores on).
    """

    train: Any
    valid: Any


def _prepare_lightgbm(X, y, X_val, y_val, fit: Fit) -> FoldData:
    params = {**LGB_DATASET, "seed": fit.seed, "num_threads": fit.n_threads}
    train = lgb.Dataset(X, y, params=params, free_raw_data=True).construct()
    valid = lgb.Dataset(X_val, y_val, reference=train, params=params, free_raw_data=True)
    return FoldData(train, valid.construct())


def _prepare_xgboost(X, y, X_val, y_val, fit: Fit) -> FoldData:
    common = {"enable_categorical": True, "max_bin": XGB_MAX_BIN, "nthread": fit.n_threads}
    train = xgb.QuantileDMatrix(X, y, **common)
    return FoldData(train, xgb.QuantileDMatrix(X_val, y_val, ref=train, **common))


def _fit_lightgbm(params, X, y, X_val, y_val, fit: Fit, data: FoldData | None = None) -> Fitted:
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
            },
            data.train,
            num_boost_round=MAX_ROUNDS,
            valid_sets=[data.valid],
            callbacks=[lgb.early_stopping(PATIENCE, verbose=False), *_callbacks(fit, True)],
        )
        rounds = max(1, booster.best_iteration or booster.current_iteration())
        predict = lambda X: booster.predict(X, num_iteration=rounds)  # noqa: E731
        return Fitted(_BoosterClassifier(predict), rounds)
    model = lgb.LGBMClassifier(
        n_estimators=fit.n_rounds or MAX_ROUNDS,
        random_state=fit.seed,
        n_jobs=fit.n_threads,
        deterministic=True,
        verbose=-1,
        **params,
    )
    if X_val is None:
        model.fit(X, y)
        return Fitted(model, model.n_estimators)
    model.fit(
        X,
        y,
        eval_X=(X_val,),
        eval_y=(y_val,),
        callbacks=[lgb.early_stopping(PATIENCE, verbose=False), *_callbacks(fit, True)],
    )
    return Fitted(model, max(1, model.best_iteration_ or model.n_estimators))


def _fit_xgboost(params, X, y, X_val, y_val, fit: Fit, data: FoldData | None = None) -> Fitted:
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
            },
            data.train,
            num_boost_round=MAX_ROUNDS,
            evals=[(data.valid, "valid")],
            early_stopping_rounds=PATIENCE,
            verbose_eval=False,
            callbacks=_callbacks(fit, False),
        )
        rounds = _xgboost_rounds(booster)
        return Fitted(
            _BoosterClassifier(lambda X: booster.inplace_predict(X, iteration_range=(0, rounds))),
            rounds,
        )
    model = xgb.XGBClassifier(
        n_estimators=fit.n_rounds or MAX_ROUNDS,
        tree_method="hist",
        enable_categorical=True,
        eval_metric="logloss",
        early_stopping_rounds=None if X_val is None else PATIENCE,
        callbacks=_callbacks(fit, False) or None,
        random_state=fit.seed,
        n_jobs=fit.n_threads,
        **params,
    )
    if X_val is None:
        model.fit(X, y, verbose=False)
        return Fitted(model, model.n_estimators)
    model.fit(X, y, eval_set=[(X_val, y_val)], verbose=False)
    return Fitted(model, _xgboost_rounds(model.get_booster()))


def _xgboost_rounds(booster) -> int:
    # A deadline that stops training in the first round does so before early stopping
    # has recorded a best iteration: then every round built counts.
    best = booster.attr("best_iteration")
    return int(best) + 1 if best is not None else booster.num_boosted_rounds()


def _fit_logistic(params, X, y, X_val, y_val, fit: Fit) -> Fitted:
    # Scaling, imputation and one-hot encoding live inside the pipeline, so each
    # fold learns its own statistics and no fold sees another's.
    params = dict(params)
    groups = params.pop("penalty_groups", None) or {}
    penalties = {k: params.pop(k) for k in [k for k in params if k.startswith("C_")]}
    model = make_pipeline(
        _logistic_prep(X, params.get("C", 1.0), penalties, groups),
        LogisticRegression(**{"max_iter": 2000, "random_state": fit.seed, **params}),
    )
    model.fit(X, y)
    return Fitted(model, None)


def _logistic_prep(X: pd.DataFrame, C: float, penalties: dict, groups: dict):
    """The column transformer; each feature group with its own penalty is one weighted block.

    A group's own penalty `C_<group>` is applied by multiplying its columns by
    sqrt(C_<group> / C) after scaling: the penalty ½‖w‖²/C on rescaled columns is
    ½‖v‖²/C_<group> on the original ones, so the stock estimator is used.
    Groups are listed in `penalty_groups` ({group: [columns]}); without a list,
    "numeric" and "categorical" mean every column of that kind. Columns in no group
    keep the overall `C`. Block names start with their penalty ("C_income:numeric").
    """
    kinds = {
        "numeric": list(X.select_dtypes("number").columns),
        "categorical": list(X.select_dtypes("category").columns),
    }
    numeric = set(kinds["numeric"])
    blocks, left = {}, kinds["numeric"] + kinds["categorical"]
    for name in penalties:
        group = name.removeprefix("C_")
        if group not in groups and group not in kinds:
            raise TuneplateError(
                f"penalty {name!r} names no columns; give penalty_groups={{{group!r}: [...]}}"
            )
        blocks[name] = [c for c in left if c in groups.get(group, kinds.get(group))]
        left = [c for c in left if c not in blocks[name]]
    blocks["C"] = left
    transformers, weights = [], {}
    for name, columns in blocks.items():
        num, cat = [c for c in columns if c in numeric], [c for c in columns if c not in numeric]
        if num:
            scale = make_pipeline(
                SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
            )
            transformers.append((f"{name}:numeric", scale, num))
        if cat:
            onehot = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5)
            transformers.append((f"{name}:categorical", onehot, cat))
        for block, *_ in transformers[len(weights) :]:
            weights[block] = float(np.sqrt(penalties[name] / C)) if name in penalties else 1.0
    return ColumnTransformer(transformers, transformer_weights=weights)


def _logistic_hypergradient(model, X, y, X_val, y_val, params) -> dict[str, float]:
    """d(validation log-loss)/d(C, C_<group>) of a fitted logistic pipeline (see hypergradient).

    Works in the pipeline's transformed design matrix with each block's weight taken
    back out, so every penalty is a plain per-column L2 penalty.
    """
    prep, estimator = model[:-1], model[-1]
    transformer = prep[-1]
    width = sum(s.stop - s.start for s in transformer.output_indices_.values())
    weight, owner = np.ones(width), np.full(width, "C", dtype=object)
    for block, columns in transformer.output_indices_.items():
        if block != "remainder":
            weight[columns] = transformer.transformer_weights[block]
            owner[columns] = block.split(":")[0]
    C = {"C": params.get("C", 1.0), **{k: v for k, v in params.items() if k.startswith("C_")}}
    grads = hypergradient.logistic(
        _dense(prep.transform(X)) / weight,
        y,
        estimator.coef_[0] * weight,
        estimator.intercept_[0],
        _dense(prep.transform(X_val)) / weight,
        y_val,
        C,
        {name: owner == name for name in C},
    )
    return {k: v for k, v in grads.items() if k in params}


def _dense(X) -> np.ndarray:
    return np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float)


@dataclass(frozen=True)
class Family:
    """A model family: a fit function and the file format its model is saved in.

    `hypergradient`, when a family has one, returns the exact derivative of the
    validation log-loss with respect to its continuous penalties, in their natural
    units: `(fitted_estimator, X_train, y_train, X_valid, y_valid, params) -> {name: d}`.
    `exact_fit` holds the fit settings that make it exact (an accurate inner solver);
    the engine adds them to the space when the gradient strategy asks for gradients.
    """

    name: str
    label: str
    fit: Callable[..., Fitted]
    boosted: bool
    hypergradient: Callable[..., dict[str, float]] | None = None
    exact_fit: Mapping[str, Any] = field(default_factory=dict)
    # Optional: `(X_train, y_train, X_valid, y_valid, fit) -> FoldData`, the fold's data
    # built once and reused by every trial; `fit(..., data=handle)` then trains on it.
    prepare: Callable[..., FoldData] | None = None
    # Relative time of a 5-fold cross-validation at the starting settings, measured on
    # the embedded credit data (logistic = 1): the `auto` strategy tries cheap ones first.
    cost: float = 1.0


FAMILIES: dict[str, Family] = {
    "lightgbm": Family(
        "lightgbm",
        "LightGBM gradient-boosted trees",
        _fit_lightgbm,
        True,
        prepare=_prepare_lightgbm,
        cost=1.3,
    ),
    "xgboost": Family(
        "xgboost",
        "XGBoost gradient-boosted trees (hist)",
        _fit_xgboost,
        True,
        prepare=_prepare_xgboost,
        cost=2.2,
    ),
    "logistic": Family(
        "logistic",
        "L2-regularised logistic regression",
        _fit_logistic,
        False,
        hypergradient=_logistic_hypergradient,
        exact_fit={"solver": "newton-cholesky", "tol": 1e-10},
    ),
}


def get_family(name: str, available) -> Family:
    """The family called `name`, if the vertical offers a space for it."""
    if name not in available or name not in FAMILIES:
        raise TuneplateError(
            f"unknown model family {name!r}; choose one of: {', '.join(sorted(available))}"
        )
    return FAMILIES[name]


MODEL_FILES = {
    "lightgbm": "model.lightgbm.txt",
    "xgboost": "model.xgboost.json",
    "logistic": "model.skops",
}


class Model:
    """The refitted best model, with the schema that reads its input.

    Used like a scikit-learn classifier: `predict_proba` takes a DataFrame with the
    training columns (by the user's names; extra columns are ignored) and returns
    [P(not event), P(event)] per row. Each column is read as the kind recorded at fit
    time (`engine.schema`), however pandas typed it, so the same rows score the same.

    What did not fit is counted per column and attached to the result as
    `.schema_counts` ({column: ColumnCounts}, kept by slices such as `proba[:, 1]`);
    above `schema.WARN_SHARE` of the rows a column gives one `SchemaWarning`, and
    `strict=True` raises `TuneplateError` instead.

    Zero rows give an empty (0, 2) result rather than an error (scikit-learn estimators
    raise ValueError on 0 samples): a scoring batch may be empty on a quiet day, and the
    columns are still checked. A model column given twice raises `TuneplateError`.

    Example:
        >>> proba = result.model.predict_proba(new_applicants)[:, 1]  # probability of default
        >>> proba.schema_counts["purpose"].unknown_levels
        0
    """

    def __init__(
        self,
        family: str,
        estimator,
        schema: Schema,
        positive: str,
        params: dict,
        fit: dict | None = None,
    ):
        self.family = family
        self.estimator = estimator
        self.schema = schema
        self.positive = positive
        self.params = params
        self.fit = fit or {}  # seed, threads and boosting rounds of the refit, to redo it
        self.classes_ = np.array([0, 1])

    def predict_proba(self, X: pd.DataFrame, strict: bool = False) -> Scores:
        encoded, counts = self.schema.encode(X)
        if strict and (lines := problems(counts)):
            raise TuneplateError(
                f"the rows do not fit the model's schema: {'; '.join(lines)}; "
                "fix the extract, or score without strict"
            )
        warn(counts, stacklevel=3)
        if not len(encoded):  # an empty batch: no row, no probability (not an error)
            return Scores(np.empty((0, 2)), counts)
        scores = self.estimator.predict_proba(encoded)
        return Scores(scores, counts)

    def predict(self, X: pd.DataFrame, threshold: float = 0.5, strict: bool = False) -> Scores:
        return (self.predict_proba(X, strict)[:, 1] >= threshold).astype(int)

    def save(self, folder: str | Path) -> Path:
        """Write the model in its library's own format plus `model.json` describing it."""
        folder = Path(folder)
        name = MODEL_FILES[self.family]
        if self.family == "lightgbm":
            text = self.estimator.booster_.model_to_string()
            (folder / name).write_text(_without_ranges(text))
        elif self.family == "xgboost":
            self.estimator.get_booster().save_model(folder / name)
        else:
            import skops.io

            skops.io.dump(self.estimator, folder / name)
        meta = {
            "family": self.family,
            "file": name,
            "positive": self.positive,
            "params": self.params,
            "fit": self.fit,
            "schema": self.schema.to_dict(),
        }
        (folder / "model.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
        return folder / name

    @classmethod
    def load(cls, folder: str | Path) -> Model:
        """Load a model saved by `save`.

        Example:
            >>> Model.load("tuneplate-runs/credit-risk").predict_proba(rows)
        """
        folder = Path(folder)
        meta = json.loads((folder / "model.json").read_text())
        path = folder / meta["file"]
        if meta["family"] == "lightgbm":
            estimator = _BoosterClassifier(lgb.Booster(model_file=str(path)).predict)
        elif meta["family"] == "xgboost":
            booster = xgb.Booster(model_file=str(path))
            estimator = _BoosterClassifier(
                lambda X: booster.predict(xgb.DMatrix(X, enable_categorical=True))
            )
        else:
            import skops.io

            trusted = skops.io.get_untrusted_types(file=path)
            unsafe = [t for t in trusted if not t.startswith(("sklearn.", "numpy."))]
            if unsafe:
                raise TuneplateError(
                    f"{path} holds unexpected types {unsafe}; it was not written by tuneplate"
                )
            estimator = skops.io.load(path, trusted=trusted)
        schema = Schema.from_dict(meta.get("schema") or meta["encoder"])  # "encoder": older runs
        return cls(
            meta["family"], estimator, schema, meta["positive"], meta["params"], meta.get("fit")
        )


def _without_ranges(model_text: str) -> str:
    """A LightGBM model file without each numeric feature's training [min:max].

    LightGBM writes `feature_infos=[min:max] ...` for information only (prediction
    reads the trees' thresholds); the minimum and maximum are each one row's value,
    so they are replaced by `none`, the token LightGBM itself writes for a feature
    with nothing recorded. Categorical entries (category codes) are kept.
    """
    lines = model_text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("feature_infos="):
            lines[i] = re.sub(r"\[[^\]]*\]", "none", line)
            break
    return "".join(lines)


@dataclass(frozen=True)
class _BoosterClassifier:
    """A raw booster's event probability, shaped like `predict_proba`."""

    predict: Callable[[pd.DataFrame], np.ndarray]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.asarray(self.predict(X), dtype=float)
        return np.column_stack([1 - p, p])


__all__ = [
    "FAMILIES",
    "Family",
    "Fit",
    "Fitted",
    "FoldData",
    "Model",
    "SchemaWarning",
    "get_family",
]
