"""Scores a study can optimise, in one registry.

Each is a function `(y_true, y_score) -> float` with a direction; a vertical names
its default and the analyst may pick another with `--metric`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from tuneplate.engine.errors import TuneplateError


@dataclass(frozen=True)
class Objective:
    """The score the study optimises: a function `(y_true, y_score) -> float`.

    Example:
        >>> Objective("roc_auc", "ROC AUC", "maximize", roc_auc_score)
    """

    name: str
    label: str
    direction: str
    score: Callable[[np.ndarray, np.ndarray], float]


def _log_loss(y_true: np.ndarray, y_score: np.ndarray) -> float:
    return float(log_loss(y_true, y_score, labels=[0, 1]))


METRICS: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective("roc_auc", "ROC AUC", "maximize", roc_auc_score),
        Objective("pr_auc", "PR AUC (average precision)", "maximize", average_precision_score),
        Objective("log_loss", "log-loss", "minimize", _log_loss),
        Objective("brier", "Brier score", "minimize", brier_score_loss),
    )
}


def get_metric(name: str) -> Objective:
    """The registered metric called `name`.

    Example:
        >>> get_metric("log_loss").direction
        'minimize'
    """
    try:
        return METRICS[name]
    except KeyError:
        known = ", ".join(METRICS)
        raise TuneplateError(f"unknown metric {name!r}; choose one of: {known}") from None
