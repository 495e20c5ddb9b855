"""Model families behind one small interface, and the fitted `Model`.

A family knows how to fit its estimator on encoded features, with early stopping
on boosting rounds when a validation fold is given, and how to save it in its
library's own safe format (no pickle for trees).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tuneplate.engine.encoding import Encoder
from tuneplate.engine.errors import TuneplateError

MAX_ROUNDS = 2000  # boosting cap; early stopping picks the real number
PATIENCE = 50  # rounds without improvement before a fold stops


@dataclass(frozen=True)
class Fit:
    """How to fit: seed, threads, and either a validation fold or a fixed round count."""

    seed: int
    n_threads: int = 1
    n_rounds: int | None = None  # refit: the rounds early stopping chose during the search


@dataclass(frozen=True)
class Fitted:
    estimator: Any
    n_rounds: int | None  # boosting rounds used (None for non-boosted families)


def _fit_lightgbm(params, X, y, X_val, y_val, fit: Fit) -> Fitted:
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
        callbacks=[lgb.early_stopping(PATIENCE, verbose=False)],
    )
    return Fitted(model, max(1, model.best_iteration_ or model.n_estimators))


def _fit_xgboost(params, X, y, X_val, y_val, fit: Fit) -> Fitted:
    model = xgb.XGBClassifier(
        n_estimators=fit.n_rounds or MAX_ROUNDS,
        tree_method="hist",
        enable_categorical=True,
        eval_metric="logloss",
        early_stopping_rounds=None if X_val is None else PATIENCE,
        random_state=fit.seed,
        n_jobs=fit.n_threads,
        **params,
    )
    if X_val is None:
        model.fit(X, y, verbose=False)
        return Fitted(model, model.n_estimators)
    model.fit(X, y, eval_set=[(X_val, y_val)], verbose=False)
    return Fitted(model, int(model.best_iteration) + 1)


def _fit_logistic(params, X, y, X_val, y_val, fit: Fit) -> Fitted:
    # Scaling, imputation and one-hot encoding live inside the pipeline, so each
    # fold learns its own statistics and no fold sees another's.
    numeric = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler())
    categorical = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5)
    prep = make_column_transformer(
        (numeric, make_column_selector(dtype_include="number")),
        (categorical, make_column_selector(dtype_include="category")),
    )
    model = make_pipeline(
        prep, LogisticRegression(**{"max_iter": 2000, "random_state": fit.seed, **params})
    )
    model.fit(X, y)
    return Fitted(model, None)


@dataclass(frozen=True)
class Family:
    """A model family: a fit function and the file format its model is saved in."""

    name: str
    label: str
    fit: Callable[..., Fitted]
    boosted: bool


FAMILIES: dict[str, Family] = {
    "lightgbm": Family("lightgbm", "LightGBM gradient-boosted trees", _fit_lightgbm, True),
    "xgboost": Family("xgboost", "XGBoost gradient-boosted trees (hist)", _fit_xgboost, True),
    "logistic": Family("logistic", "L2-regularised logistic regression", _fit_logistic, False),
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
    """The refitted best model, preprocessing included.

    Used like a scikit-learn classifier: `predict_proba` takes a DataFrame with the
    training columns and returns [P(not event), P(event)] per row.

    Example:
        >>> result.model.predict_proba(new_applicants)[:, 1]  # probability of default
    """

    def __init__(self, family: str, estimator, encoder: Encoder, positive: str, params: dict):
        self.family = family
        self.estimator = estimator
        self.encoder = encoder
        self.positive = positive
        self.params = params
        self.classes_ = np.array([0, 1])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        scores = self.estimator.predict_proba(self.encoder.transform(X))
        return np.asarray(scores, dtype=float)

    def predict(self, X: pd.DataFrame, threshold: float = 0.5) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= threshold).astype(int)

    def save(self, folder: str | Path) -> Path:
        """Write the model in its library's own format plus `model.json` describing it."""
        folder = Path(folder)
        name = MODEL_FILES[self.family]
        if self.family == "lightgbm":
            self.estimator.booster_.save_model(folder / name)
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
            "encoder": self.encoder.to_dict(),
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
        encoder = Encoder.from_dict(meta["encoder"])
        return cls(meta["family"], estimator, encoder, meta["positive"], meta["params"])


@dataclass(frozen=True)
class _BoosterClassifier:
    """A raw booster's event probability, shaped like `predict_proba`."""

    predict: Callable[[pd.DataFrame], np.ndarray]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.asarray(self.predict(X), dtype=float)
        return np.column_stack([1 - p, p])


__all__ = ["FAMILIES", "Family", "Fit", "Fitted", "Model", "get_family"]
