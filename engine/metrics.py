"""Scores a study can optimise, in one registry.

Each is a function `(y_true, y_score) -> float` with a direction; a vertical names
its default and the analyst may pick another with `--metric`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from tuneplate.engine.contract.errors import TuneplateError


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


def calibration_bands(y_true: np.ndarray, y_score: np.ndarray) -> pd.DataFrame:
    """Mean predicted probability vs observed rate in equal-sized bands, lowest score first.

    About 40 cases a band, between 3 and 10 bands. Verticals rename the columns
    into their readers' words (applicants and PD, patients and risk).

    Example:
        >>> calibration_bands(y, p).columns.tolist()
        ['band', 'count', 'predicted', 'observed']
    """
    n_bands = int(np.clip(len(y_true) // 40, 3, 10))
    bands = pd.qcut(pd.Series(y_score).rank(method="first"), n_bands, labels=False)
    frame = pd.DataFrame({"band": bands, "y": y_true, "p": y_score})
    grouped = frame.groupby("band").agg(n=("y", "size"), p=("p", "mean"), y=("y", "mean"))
    return pd.DataFrame(
        {
            "band": [f"{b + 1} of {n_bands}" for b in grouped.index],
            "count": grouped["n"].to_numpy(),
            "predicted": grouped["p"].to_numpy(),
            "observed": grouped["y"].to_numpy(),
        }
    )


def readable_groups(values: pd.Series, max_levels: int | None = None, min_size: int = 0):
    """Groups a reader can name: numbers in quartile bands, text levels as they are,
    rare or surplus levels pooled as "other", missing values as "missing".

    The outer bands are open ("under 35", "64.2 and over"): closed ones would print
    the smallest and largest value, each one person's.

    Example:
        >>> readable_groups(pd.Series(range(20, 80))).unique().tolist()
        ['under 34.8', '34.8–49.5', '49.5–64.2', '64.2 and over']
    """
    if pd.api.types.is_numeric_dtype(values) and values.nunique() > 8:
        inner = np.unique(np.quantile(values.dropna(), [0.25, 0.5, 0.75]))
        edges = [-np.inf, *inner, np.inf]
        labels = [f"under {inner[0]:.3g}"]
        labels += [f"{lo:.3g}–{hi:.3g}" for lo, hi in zip(inner[:-1], inner[1:], strict=True)]
        labels.append(f"{inner[-1]:.3g} and over")
        bands = pd.cut(values, edges, labels=labels, right=False)
        return bands.astype("string").fillna("missing")
    labels = values.astype("string").fillna("missing")
    counts = labels.value_counts()
    keep = counts[counts >= min_size].index[:max_levels]
    return labels.where(labels.isin(keep), "other")
