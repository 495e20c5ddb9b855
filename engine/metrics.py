"""Scores a study can optimise, in one registry.

Each is a function `(y_true, y_score) -> float` with a direction; a vertical names
its default and the analyst may pick another with `--metric`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError


@dataclass(frozen=True)
class Objective:
    """The score the study optimises: a function `(y_true, y_score) -> float`.

    Example:
        >>> Objective("roc_auc", "ROC AUC", "maximize", roc_auc)
    """

    name: str
    label: str
    direction: str
    score: Callable[[np.ndarray, np.ndarray], float]
    # The same score over many resamples at once: arrays (..., n) -> (...), NaN where a
    # resample cannot be scored. Bootstrap intervals use it: 1,000 resamples of a
    # hold-out cost one call instead of 1,000 (scipy.stats.bootstrap, vectorized=True).
    rows: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None


# scikit-learn's scores, imported at the first call: the CLI's parser lists this
# registry's names and need not wait seconds for scikit-learn.


def roc_auc(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """`sklearn.metrics.roc_auc_score`."""
    from sklearn.metrics import roc_auc_score

    return roc_auc_score(y_true, y_score)


def average_precision(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """`sklearn.metrics.average_precision_score` (the PR AUC)."""
    from sklearn.metrics import average_precision_score

    return average_precision_score(y_true, y_score)


def brier(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """`sklearn.metrics.brier_score_loss`."""
    from sklearn.metrics import brier_score_loss

    return brier_score_loss(y_true, y_score)


def _log_loss(y_true: np.ndarray, y_score: np.ndarray) -> float:
    from sklearn.metrics import log_loss

    return float(log_loss(y_true, y_score, labels=[0, 1]))


def roc_auc_rows(y_true: np.ndarray, y_score: np.ndarray) -> np.ndarray:
    """ROC AUC along the last axis, as the Mann–Whitney U statistic with average ranks for
    ties (Hanley & McNeil 1982), which equals scikit-learn's `roc_auc_score`; NaN where a
    row holds one class only.

    Example:
        >>> roc_auc_rows(np.array([[0, 0, 1, 1]]), np.array([[0.1, 0.4, 0.35, 0.8]]))
        array([0.75])
    """
    from scipy.stats import rankdata

    y = np.asarray(y_true) == 1
    ranks = rankdata(np.asarray(y_score, dtype=float), axis=-1)
    positives = y.sum(axis=-1)
    negatives = y.shape[-1] - positives
    u = np.where(y, ranks, 0.0).sum(axis=-1) - positives * (positives + 1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = u / (positives * negatives)
    return np.where((positives > 0) & (negatives > 0), auc, np.nan)


def brier_rows(y_true: np.ndarray, y_score: np.ndarray) -> np.ndarray:
    """Brier score (mean squared error of the probability) along the last axis."""
    return np.mean((np.asarray(y_score, dtype=float) - np.asarray(y_true)) ** 2, axis=-1)


def log_loss_rows(y_true: np.ndarray, y_score: np.ndarray) -> np.ndarray:
    """Log-loss along the last axis, probabilities clipped as scikit-learn does (float eps)."""
    eps = np.finfo(float).eps
    p = np.clip(np.asarray(y_score, dtype=float), eps, 1 - eps)
    y = np.asarray(y_true)
    return -np.mean(np.where(y == 1, np.log(p), np.log1p(-p)), axis=-1)


METRICS: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective("roc_auc", "ROC AUC", "maximize", roc_auc, roc_auc_rows),
        Objective("pr_auc", "PR AUC (average precision)", "maximize", average_precision),
        Objective("log_loss", "log-loss", "minimize", _log_loss, log_loss_rows),
        Objective("brier", "Brier score", "minimize", brier, brier_rows),
    )
}


# The scikit-learn function each registered score calls, so that a caller passing it
# directly (`sklearn.metrics.roc_auc_score`) gets the many-resamples form too.
_SKLEARN_NAMES = {"roc_auc_score": "roc_auc", "brier_score_loss": "brier"}


def rows_version(score: Callable) -> Callable | None:
    """The many-resamples form (`Objective.rows`) of a registered metric's `score`, or of
    the scikit-learn function it calls, if any.

    Example:
        >>> rows_version(roc_auc) is roc_auc_rows
        True
    """
    found = next((o.rows for o in METRICS.values() if o.score is score), None)
    if found is None and getattr(score, "__module__", "").startswith("sklearn.metrics"):
        name = _SKLEARN_NAMES.get(getattr(score, "__name__", ""))
        found = METRICS[name].rows if name else None
    return found


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


def band_edges(values: pd.Series) -> tuple[float, ...] | None:
    """The inner edges `readable_groups` cuts a numeric column at: its quartiles rounded
    to two significant figures (`_round_edge`), without repeats. None for text, and for
    numbers of 8 distinct values or fewer (listed as levels instead).

    Example:
        >>> band_edges(pd.Series(range(20, 80)))
        (35.0, 50.0, 64.0)
    """
    if not pd.api.types.is_numeric_dtype(values) or values.nunique() <= 8:
        return None
    quartiles = np.quantile(values.dropna(), [0.25, 0.5, 0.75])
    return tuple(float(e) for e in np.unique([_round_edge(q) for q in quartiles]))


def readable_groups(
    values: pd.Series,
    max_levels: int | None = None,
    min_size: int = 0,
    edges: Sequence[float] | None = None,
):
    """Groups a reader can name: numbers in quartile bands, text levels as they are,
    rare or surplus levels pooled as "other", missing values as "missing".

    Band edges are the quartiles rounded to two significant figures ("under 35", not
    "under 34.8"), and the rows are cut at the rounded edges, so a label is true of
    every row in it. The outer bands are open ("64 and over"): closed ones would print
    the smallest and largest value, each one person's. `edges` (a run's `band_edges`,
    for `validate`) cuts new rows at the run's edges, so both compare the same groups.

    Example:
        >>> readable_groups(pd.Series(range(20, 80))).unique().tolist()
        ['under 35', '35–50', '50–64', '64 and over']
    """
    if edges is not None and len(edges) and pd.api.types.is_numeric_dtype(values):
        inner = np.asarray(edges, dtype=float)
    else:
        inner = band_edges(values)
    if inner is not None:
        labels = [f"under {_edge_text(inner[0])}"]
        labels += [
            f"{_edge_text(lo)}–{_edge_text(hi)}"
            for lo, hi in zip(inner[:-1], inner[1:], strict=True)
        ]
        labels.append(f"{_edge_text(inner[-1])} and over")
        bands = pd.cut(values, [-np.inf, *inner, np.inf], labels=labels, right=False)
        return bands.astype("string").fillna("missing")
    whole = values.dropna()
    if (
        pd.api.types.is_float_dtype(values)
        and len(whole)
        and (whole % 1 == 0).all()
        and whole.abs().max() < 2**53  # exact as an integer
    ):
        values = values.astype("Int64")  # stage 2, not "2.0"
    labels = values.astype("string").fillna("missing")
    counts = labels.value_counts()
    keep = counts[counts >= min_size].index[:max_levels]
    # "missing" stays itself, however small: patients with no recorded sex are not "other"
    return labels.where(labels.isin(keep) | (labels == "missing"), "other")


POOLED = " and smaller groups"  # a group shown with those too small to stand alone


def pooled_group(group: str) -> str:
    """The name of `group` shown with the groups too small to stand alone beside it:
    "c" -> "c and smaller groups". `unpooled` reads it back, so a batch that pools and
    one that does not still compare group by group (`validate`'s fairness trigger).

    Example:
        >>> unpooled(pooled_group("single"))
        'single'
    """
    return f"{group}{POOLED}"


def unpooled(group: str) -> str:
    """`group` without the suffix `pooled_group` adds."""
    return str(group).removesuffix(POOLED)


def group_bands(rows: pd.DataFrame, columns: Sequence[str]) -> dict[str, list[float]]:
    """`band_edges` of each numeric group column in `rows` (a run's hold-out), saved with
    the run so `validate` groups new rows the same way; text columns are left out."""
    found = {c: band_edges(rows[c]) for c in dict.fromkeys(columns) if c in rows.columns}
    return {c: list(e) for c, e in found.items() if e is not None}


def _round_edge(x: float) -> float:
    """Two significant figures: 34.75 -> 35, 3972.3 -> 4000, 0.153 -> 0.15."""
    if x == 0 or not np.isfinite(x):
        return float(x)
    digits = 1 - int(np.floor(np.log10(abs(x))))
    return float(np.round(x, digits))


def _edge_text(x: float) -> str:
    """A band edge as a reader writes it: 35, 4,000, 0.15."""
    return (
        f"{x:,.0f}"
        if float(x).is_integer()
        else f"{x:,.{max(1, -int(np.floor(np.log10(abs(x)))) + 1)}f}"
    )
