"""Learning-to-rank families: LightGBM `lambdarank` and XGBoost `rank:ndcg`.

Rows of one user are contiguous (`Queries`); LightGBM receives group sizes and
XGBoost a non-decreasing query id, built from the same array so they cannot
disagree. Each family's data is binned once per candidate set and reused by
every trial (`prepare`), and boosting rounds are chosen by early stopping on the
validation period's NDCG@k.

Add a ranker by adding one `Ranker` to `RANKERS`: how it bins its data, fits,
predicts, and saves and loads its booster natively; `RankModel` names no library.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import xgboost as xgb

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.families.base import PATIENCE
from tuneplate.engine.families.lightgbm import FILE as LIGHTGBM_FILE
from tuneplate.engine.families.lightgbm import LGB_DATASET
from tuneplate.engine.families.lightgbm import round_callback as lgb_round_callback
from tuneplate.engine.families.xgboost import FILE as XGBOOST_FILE
from tuneplate.engine.families.xgboost import XGB_MAX_BIN
from tuneplate.engine.families.xgboost_callbacks import RoundCallback
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
    # The model candidate sources' settings (`item_models.Sources.record`): the candidate
    # stage that built the features, saved so scoring rebuilds the same candidates.
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return get_ranker(self.family).predict(self.booster, X[self.features], self.n_rounds)

    def save(self, folder) -> Path:
        """Write the ranker in its library's own format plus `model.json` describing it."""
        folder = Path(folder)
        ranker = get_ranker(self.family)
        path = folder / ranker.file
        ranker.save(self.booster, path, self.n_rounds)
        meta = {
            "family": self.family,
            "task": "ranking",
            "file": path.name,
            "n_rounds": self.n_rounds,
            "features": self.features,
            "sources": self.sources,
        }
        (folder / "model.json").write_text(json.dumps(meta, indent=2) + "\n")
        return path

    @classmethod
    def load(cls, folder) -> RankModel:
        """Load a ranker saved by `save`.

        Example:
            >>> RankModel.load("tuneplate-runs/recommendation").predict(candidates)
        """
        folder = Path(folder)
        meta = json.loads((folder / "model.json").read_text())
        booster = get_ranker(meta["family"]).load(folder / meta["file"])
        sources = dict(meta.get("sources") or {})  # none in a run before model sources
        return cls(meta["family"], booster, int(meta["n_rounds"]), list(meta["features"]), sources)


def _lgb_data(X, q: Queries, reference=None):
    return lgb.Dataset(
        X, q.label, group=q.sizes, reference=reference, params=LGB_DATASET, free_raw_data=False
    )


def _xgb_data(X, q: Queries, reference=None):
    if reference is None:
        return xgb.QuantileDMatrix(X, q.label, qid=q.qid, max_bin=XGB_MAX_BIN)
    # The validation period as a plain DMatrix: early stopping scores it every round,
    # and predicting on a quantised matrix cost as much as the boosting (as for the
    # binary family, `xgboost.prepare`); the rounds and scores are the same.
    return xgb.DMatrix(X, q.label, qid=q.qid)


def _fit_lightgbm(params, train, valid, fit: RankFit, callbacks=()) -> tuple[Any, int]:
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
        callbacks=[
            # a fixed patience, not `base.patience`'s rate-sized one: nothing measured
            # the ranking spaces' slow rates yet
            *([lgb.early_stopping(PATIENCE, verbose=False)] if valid is not None else []),
            *callbacks,  # the search's: per-round pruning reports and the deadline
        ],
    )
    return booster, max(1, booster.best_iteration or booster.current_iteration())


def _fit_xgboost(params, train, valid, fit: RankFit, callbacks=()) -> tuple[Any, int]:
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
        callbacks=list(callbacks),  # the search's: per-round pruning reports and the deadline
    )
    rounds = booster.best_iteration + 1 if valid is not None else booster.num_boosted_rounds()
    return booster, int(rounds)


def _lgb_predict(booster: lgb.Booster, X: pd.DataFrame, n_rounds: int) -> np.ndarray:
    return booster.predict(X, num_iteration=n_rounds)


def _xgb_predict(booster: xgb.Booster, X: pd.DataFrame, n_rounds: int) -> np.ndarray:
    return booster.inplace_predict(X, iteration_range=(0, n_rounds))


def _lgb_save(booster: lgb.Booster, path: Path, n_rounds: int) -> None:
    booster.save_model(str(path), num_iteration=n_rounds)  # only the rounds it predicts with


def _xgb_save(booster: xgb.Booster, path: Path, n_rounds: int) -> None:
    booster.save_model(str(path))  # every round; `predict` stops at n_rounds


@dataclass(frozen=True)
class Ranker:
    """A learning-to-rank family: how to bin its data, fit, predict, save and load.

    `data(X, queries, reference=None)` bins the rows (a validation set references the
    training one); `train(params, train, valid, fit, callbacks=()) -> (booster, rounds)`;
    `predict(booster, X, n_rounds)`; `save(booster, path, n_rounds)` writes the
    library's own format to `file`, and `load(path)` reads the booster back.
    `each_round(on_round)` is a `train` callback calling `on_round(rounds done,
    validation score or None)` after every round (a search's reports and stops).
    """

    name: str
    data: Callable
    train: Callable
    predict: Callable[[Any, pd.DataFrame, int], np.ndarray]
    file: str
    save: Callable[[Any, Path, int], None]
    load: Callable[[Path], Any]
    each_round: Callable[[Callable[[int, float | None], None]], Any]


RANKERS = {
    "lightgbm": Ranker(
        "lightgbm",
        _lgb_data,
        _fit_lightgbm,
        _lgb_predict,
        LIGHTGBM_FILE,
        _lgb_save,
        lambda path: lgb.Booster(model_file=str(path)),
        lgb_round_callback,
    ),
    "xgboost": Ranker(
        "xgboost",
        _xgb_data,
        _fit_xgboost,
        _xgb_predict,
        XGBOOST_FILE,
        _xgb_save,
        lambda path: xgb.Booster(model_file=str(path)),
        RoundCallback,
    ),
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
