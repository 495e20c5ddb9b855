"""Learning-to-rank families: LightGBM `lambdarank` and XGBoost `rank:ndcg`.

Rows of one user are contiguous (`Queries`); LightGBM receives group sizes and
XGBoost a non-decreasing query id, built from the same array so they cannot
disagree. Each family's data is binned once per candidate set and reused by
every trial (`prepare`), and boosting rounds are chosen by early stopping on the
validation period's NDCG@k.
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

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.families.models import LGB_DATASET, MODEL_FILES, PATIENCE, XGB_MAX_BIN
from tuneplate.engine.tasks.ranking.metrics import Queries

MAX_ROUNDS = 1000  # ranking sets are wide; early stopping usually stops far earlier
GENERATOR_PARAMS = ("candidates",)  # search parameters of the candidate generator, not the model


@dataclass(frozen=True)
class RankFit:
    seed: int
    k: int
    n_threads: int = 1
    n_rounds: int | None = None  # refit: rounds chosen during the search


@dataclass
class RankModel:
    """A fitted ranker: `predict(X)` gives scores, higher ranks first."""

    family: str
    booster: Any
    n_rounds: int
    features: list[str]

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        X = X[self.features]
        if self.family == "lightgbm":
            return self.booster.predict(X, num_iteration=self.n_rounds)
        return self.booster.inplace_predict(X, iteration_range=(0, self.n_rounds))

    def save(self, folder) -> Path:
        """Write the ranker in its library's own format plus `model.json` describing it."""
        folder = Path(folder)
        path = folder / MODEL_FILES[self.family]
        if self.family == "lightgbm":
            self.booster.save_model(str(path), num_iteration=self.n_rounds)
        else:
            self.booster.save_model(str(path))
        meta = {
            "family": self.family,
            "task": "ranking",
            "file": path.name,
            "n_rounds": self.n_rounds,
            "features": self.features,
        }
        (folder / "model.json").write_text(json.dumps(meta, indent=2) + "\n")
        return path


def _lgb_data(X, q: Queries, reference=None):
    return lgb.Dataset(
        X, q.label, group=q.sizes, reference=reference, params=LGB_DATASET, free_raw_data=False
    )


def _xgb_data(X, q: Queries, reference=None):
    if reference is None:
        return xgb.QuantileDMatrix(X, q.label, qid=q.qid, max_bin=XGB_MAX_BIN)
    return xgb.QuantileDMatrix(X, q.label, qid=q.qid, ref=reference, max_bin=XGB_MAX_BIN)


def _fit_lightgbm(params, train, valid, fit: RankFit) -> tuple[Any, int]:
    booster = lgb.train(
        {
            **LGB_DATASET,
            "objective": "lambdarank",
            "metric": "ndcg",
            "eval_at": [fit.k],
            "lambdarank_truncation_level": max(2 * fit.k, 20),
            "seed": fit.seed,
            "num_threads": fit.n_threads,
            "deterministic": True,
            **params,
        },
        train,
        num_boost_round=fit.n_rounds or MAX_ROUNDS,
        valid_sets=[valid] if valid is not None else None,
        callbacks=[lgb.early_stopping(PATIENCE, verbose=False)] if valid is not None else None,
    )
    return booster, max(1, booster.best_iteration or booster.current_iteration())


def _fit_xgboost(params, train, valid, fit: RankFit) -> tuple[Any, int]:
    booster = xgb.train(
        {
            "objective": "rank:ndcg",
            "eval_metric": f"ndcg@{fit.k}",
            "lambdarank_pair_method": "topk",
            "lambdarank_num_pair_per_sample": fit.k,
            "tree_method": "hist",
            "max_bin": XGB_MAX_BIN,
            "seed": fit.seed,
            "nthread": fit.n_threads,
            **params,
        },
        train,
        num_boost_round=fit.n_rounds or MAX_ROUNDS,
        evals=[(valid, "valid")] if valid is not None else (),
        early_stopping_rounds=PATIENCE if valid is not None else None,
        verbose_eval=False,
    )
    rounds = booster.best_iteration + 1 if valid is not None else booster.num_boosted_rounds()
    return booster, int(rounds)


@dataclass(frozen=True)
class Ranker:
    """A learning-to-rank family: how to bin its data and how to fit it."""

    name: str
    data: Callable
    train: Callable


RANKERS = {
    "lightgbm": Ranker("lightgbm", _lgb_data, _fit_lightgbm),
    "xgboost": Ranker("xgboost", _xgb_data, _fit_xgboost),
}


def get_ranker(name: str) -> Ranker:
    if name not in RANKERS:
        raise TuneplateError(
            f"unknown ranking model {name!r}; choose one of: {', '.join(RANKERS)} (--model)"
        )
    return RANKERS[name]


def model_params(params: dict) -> dict:
    """The model's own parameters: the search's minus the generator's."""
    return {k: v for k, v in params.items() if k not in GENERATOR_PARAMS}


def fit_ranker(
    ranker: Ranker,
    params: dict,
    X: pd.DataFrame,
    q: Queries,
    fit: RankFit,
    X_valid: pd.DataFrame | None = None,
    q_valid: Queries | None = None,
) -> RankModel:
    """Fit `ranker` on queries `q`; with validation queries, early-stop on NDCG@k.

    Example:
        >>> model = fit_ranker(RANKERS["lightgbm"], {"learning_rate": 0.05}, X, q, RankFit(0, 10))
        >>> model.predict(X).shape
        (len(X),)
    """
    train = ranker.data(X, q)
    valid = ranker.data(X_valid, q_valid, train) if X_valid is not None else None
    booster, rounds = ranker.train(model_params(params), train, valid, fit)
    return RankModel(ranker.name, booster, rounds, list(X.columns))
