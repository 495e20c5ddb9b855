"""XGBoost's training callbacks: early stopping with adaptive patience, a deadline, and
per-round reports for the search (`families.xgboost` and the ranking `rankers`).

In their own module because they subclass `xgboost.callback.TrainingCallback`, so
importing them imports XGBoost (and with it scikit-learn); `families.xgboost` imports
them when it fits.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import xgboost as xgb

from tuneplate.engine.families.base import patience


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
