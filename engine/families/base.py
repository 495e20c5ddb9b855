"""The record every model family fills in, and the fit settings they share.

A family module (`logistic`, `lightgbm`, `xgboost`) holds its default search space,
its fit (early stopping on a validation fold, a deadline on boosting), its native
save and load, and its relative cost, and ends with one `FAMILY = Family(...)`;
`registry.FAMILIES` lists them. Nothing outside a family module branches on its name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.search.space import Space

MAX_ROUNDS = 2000  # boosting cap; early stopping picks the real number
PATIENCE = 50  # rounds without improvement before a fold stops, at most (from SLOW_RATE up)
# Adaptive patience (AutoGluon's AdaptiveES, autogluon/core/utils/early_stopping.py):
# MIN_PATIENCE + PATIENCE_PER_ROUND x the best round so far, capped at PATIENCE (at a
# learning rate of SLOW_RATE or more). A model whose best round is the 10th waits 23
# rounds, not 50: on weak-signal tables most of a fast trial's time was its wait. From
# the 100th round on it is PATIENCE, as before.
MIN_PATIENCE = 20
PATIENCE_PER_ROUND = 0.3
# The learning rate from which PATIENCE holds; slower rates wait proportionally longer.
SLOW_RATE = 0.05


def patience(best_round: int, learning_rate: float | None = None) -> int:
    """Rounds to wait without improvement when the best so far is round `best_round` (1-based).

    Below a learning rate of SLOW_RATE the cap grows as 1/learning_rate (200
    rounds at 0.0125), so a fold waits for the same amount of shrinkage, not the same
    number of rounds: at a slow rate each round moves the model less (Friedman, "Greedy
    function approximation", Annals of Statistics 2001, section 5), and a plateau of
    50 rounds is short. Only budgets over 30 s (or none) search rates below SLOW_RATE
    (`search.budget.rate_floor`), so 30 s runs wait as before. Measured at 120 s on
    `benchmarks/unseen_tables.py`'s eight tables: the mean hold-out over seeds 0-2
    improved on six; completed trials fell 15-41% on seven and rose on one (README, "On
    tables it was not tuned on"). A rate that is missing, zero, negative or not a number
    waits as from SLOW_RATE up.

    Example:
        >>> patience(10), patience(100), patience(1000), patience(1000, 0.0125)
        (23, 50, 50, 200)
    """
    cap = PATIENCE
    rate = float(learning_rate) if learning_rate is not None else math.nan
    if 0 < rate < SLOW_RATE:  # False for NaN
        cap = round(PATIENCE * SLOW_RATE / rate)
    return min(cap, MIN_PATIENCE + round(PATIENCE_PER_ROUND * best_round))


class MonotoneViolation(TuneplateError):
    """A fitted model goes against a monotone constraint that its family cannot enforce
    (logistic regression's coefficient sign): a search trial fails with it, a refit is
    refused with it, and the report's baseline says why it is missing.

    `column`, `direction` (+1 or -1) and `fitted` (the fitted coefficient or slope, whose
    sign goes against `direction`) say which constraint broke, when the family knows.
    """

    def __init__(
        self,
        text: str,
        column: str | None = None,
        direction: int | None = None,
        fitted: float | None = None,
    ):
        super().__init__(text)
        self.column, self.direction, self.fitted = column, direction, fitted


@dataclass(frozen=True)
class Fit:
    """How to fit: seed, threads, and either a validation fold or a fixed round count."""

    seed: int
    n_threads: int = 1
    n_rounds: int | None = None  # refit: the rounds early stopping chose during the search
    # A `time.monotonic()` instant: boosting stops at the first round after it, so a
    # search's time budget holds even when one fit would take longer. Search only.
    deadline: float | None = None
    # One direction per model input column, in the design's order: +1 the event's
    # probability may only rise with it, -1 only fall, 0 free (engine/monotone.py).
    # None: no constraint. Each family applies it its own way (`monotone_params`).
    monotone: tuple[int, ...] | None = None

    def saved(self) -> dict:
        """What `model.json` keeps to redo the fit (the deadline is the search's; no
        "monotone" key without constraints, so older model.json files read the same)."""
        skip = {"deadline"} | ({"monotone"} if self.monotone is None else set())
        return {
            k: (list(v) if k == "monotone" else v) for k, v in asdict(self).items() if k not in skip
        }


def monotone_params(fit, as_text: bool = False) -> dict:
    """The boosting libraries' `monotone_constraints` for `fit.monotone`, or {} without.

    LightGBM takes a list; XGBoost a text tuple "(1,0,-1)" (`as_text`), the form its
    native parameter reads in both `xgb.train` and `XGBClassifier`.

    Example:
        >>> monotone_params(Fit(0, monotone=(1, 0, -1)), as_text=True)
        {'monotone_constraints': '(1,0,-1)'}
    """
    signs = getattr(fit, "monotone", None)
    if not signs or not any(signs):
        return {}
    value = "(" + ",".join(str(int(s)) for s in signs) + ")" if as_text else [int(s) for s in signs]
    return {"monotone_constraints": value}


@dataclass(frozen=True)
class Fitted:
    estimator: Any
    n_rounds: int | None  # boosting rounds used (None for non-boosted families)


@dataclass
class FoldData:
    """A fold's training and validation data in a library's own binned form.

    Built once per fold by `Family.prepare` and reused by every trial; the raw
    frames are not kept here (the objective keeps what it scores on).
    """

    train: Any
    valid: Any


@dataclass(frozen=True)
class BoosterClassifier:
    """A raw booster's event probability, shaped like `predict_proba`.

    `booster` is the library's own booster behind `predict` (a loaded model file), kept
    so the family can ask it for per-row contributions; None for a search's fold model.
    """

    predict: Callable[[pd.DataFrame], np.ndarray]
    booster: Any = None

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.asarray(self.predict(X), dtype=float)
        return np.column_stack([1 - p, p])


@dataclass(frozen=True)
class Family:
    """A model family: its space, how it fits, and the file its model is saved in.

    `fit(params, X, y, X_valid, y_valid, fit, data=None) -> Fitted` early-stops on the
    validation fold when one is given and stops boosting at `fit.deadline`.
    `save(estimator, path)` writes the fitted estimator in the library's own format
    (no pickle for trees) and `load(path)` reads it back as an object with
    `predict_proba`; `Model` adds `model.json` beside it.

    `contributions(estimator, X) -> (n, k + 1) ndarray`: each row's additive
    contributions to the raw margin (log-odds), one column per model input column of
    `X` (k of them, in its order) and the base value last, so a row sums to its margin.

    `hypergradient`, when a family has one, returns the exact derivative of the
    validation log-loss with respect to its continuous penalties, in their natural
    units: `(fitted_estimator, X_train, y_train, X_valid, y_valid, params) -> {name: d}`.
    `exact_fit` holds the fit settings that make it exact (an accurate inner solver);
    the engine adds them to the space when the gradient strategy asks for gradients.

    Example:
        >>> from tuneplate.engine.families.registry import FAMILIES
        >>> FAMILIES["lightgbm"].file, FAMILIES["lightgbm"].space.start["num_leaves"]
        ('model.lightgbm.txt', 15)
    """

    name: str
    label: str
    space: Space  # the default search space; verticals start from it
    fit: Callable[..., Fitted]
    boosted: bool
    file: str  # the model file's name in a run folder
    save: Callable[[Any, Path], None]
    load: Callable[[Path], Any]
    hypergradient: Callable[..., dict[str, float]] | None = None
    exact_fit: Mapping[str, Any] = field(default_factory=dict)
    # Optional: `(X_train, y_train, X_valid, y_valid, fit) -> FoldData`, the fold's data
    # built once and reused by every trial; `fit(..., data=handle)` then trains on it.
    prepare: Callable[..., FoldData] | None = None
    # Relative time of a 5-fold cross-validation at the starting settings, measured on
    # the embedded credit data (logistic = 1): the `auto` strategy tries cheap ones first.
    cost: float = 1.0
    # The modules its fit imports. The family's module imports them where they are used
    # (the command line's parser lists the families and need not wait for them); the
    # runner imports them before a search's clock starts, so no trial's time budget pays
    # seconds of importing.
    libraries: tuple[str, ...] = ()
    # The library's own untuned settings, in this family's parameter names (a name the
    # space lacks is ignored; a value outside a vertical's range is moved to its
    # nearest bound). Every search tries them among its first trials, so it cannot
    # end below the untuned library on validation (FLAML and AutoGluon do the same).
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # Per-row log-odds contributions, see above; None when the family cannot explain.
    contributions: Callable[[Any, pd.DataFrame], np.ndarray] | None = None
    # `(estimator, {column key: user's name}) -> dict`: aggregates a report shows about a
    # fitted model of this family (a scorecard's points and Information Value), saved as
    # `results.data[name]`; None when the family has none.
    # (estimator, names, calibrator or None) -> the report's aggregates of the model
    summary: Callable[[Any, Mapping[str, str], Any], dict] | None = None
