"""Hold-out and cross-validation splits.

Three schemes, chosen from the column roles: stratified (the default), grouped
(rows sharing an id stay together) and out-of-time (train on the past, validate
and hold out on later rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tuneplate.engine.contract.dates import parse_datetimes
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.group_ids import read_group_ids
from tuneplate.engine.data.roles import Roles

HOLDOUT_SHARE = 0.2

Folds = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Split:
    """Row positions of the development rows (searched on) and the hold-out."""

    development: np.ndarray
    holdout: np.ndarray
    folds: Folds  # positions within the development rows
    description: str


def time_order(table: pd.DataFrame, column: str) -> np.ndarray:
    """The rows' positions in time order of `column` (dates, or ordered period numbers).

    Raises as `time_values`.
    """
    return np.argsort(time_values(table, column), kind="stable")


def time_values(table: pd.DataFrame, column: str) -> np.ndarray:
    """`column` read as times (dates as datetimes, period numbers as they are), (n,).

    Raises:
        TuneplateError: most values are not dates; some rows have no date or one that
            does not parse; the dates mix day-first and month-first orders. `tuneplate
            check` reports the same refusals (`checks.check_time_column`).
    """
    times = table[column]
    if pd.api.types.is_numeric_dtype(times) and not pd.api.types.is_bool_dtype(times):
        parsed = times  # an ordered period number (e.g. 202403) is fine too
        unparsed = pd.Series(False, index=times.index)
    else:
        # One parser for every time column: offsets that change within the column
        # (summer and winter time) are converted to UTC instead of failing in pandas.
        parsed = parse_datetimes(times)
        unparsed = parsed.isna() & times.notna()
        if unparsed.mean() > 0.05:
            raise TuneplateError(
                f"time column {column!r} is not a date: most values do not parse "
                "(expected e.g. 2024-03-31); fix the column or leave out --time"
            )
    if parsed.isna().any():
        example = times[unparsed].astype(str).head(1).tolist()
        raise TuneplateError(
            f"time column {column!r} has {int(times.isna().sum())} missing value(s) and "
            f"{int(unparsed.sum())} that are not dates"
            + (f" (e.g. {example[0]!r})" if example else "")
            + ": every row needs a date for an out-of-time split; fill or drop the rows "
            "without one, or leave out --time"
        )
    return parsed.to_numpy()


def period_cut(times: np.ndarray, cut: int, column: str) -> int:
    """`cut` (rows before the hold-out, in time order) moved to the nearest change of
    period, so no period has rows on both sides of an out-of-time split.

    Cut by row count, a quarter of 360 rows sorted by outcome within it (an SQL ORDER BY)
    put all its defaults in development and the rest in the hold-out.

    Args:
        times: (n,) the rows' times in time order (`time_values` sorted).
        cut: the nominal number of development rows.

    Raises:
        TuneplateError: every row has the same time: there is no later period to hold out.

    Example:
        >>> period_cut(np.array([1, 1, 2, 2, 2, 3]), 3, "quarter")  # not inside period 2
        2
    """
    n = len(times)
    if 0 < cut < n and times[cut - 1] != times[cut]:
        return cut
    start = int(np.searchsorted(times, times[min(cut, n - 1)], "left"))
    end = int(np.searchsorted(times, times[min(cut, n - 1)], "right"))
    candidates = [c for c in (start, end) if 0 < c < n]
    if not candidates:
        raise TuneplateError(
            f"time column {column!r} has the same value on every row: there is no later "
            "period to hold out; give a finer time column or leave out --time"
        )
    return min(candidates, key=lambda c: (abs(c - cut), c))  # a tie: the larger hold-out


def _group_ids(table: pd.DataFrame, column: str) -> np.ndarray:
    """The --group ids as text, refusing rows without one.

    Rows without an id (blank, or a placeholder such as `unknown`, `n/a`, `-`: the one
    rule `engine.group_ids` shared with `tuneplate check`) are refused rather than
    grouped: filled with one placeholder they would form one large group that lands
    whole in the hold-out or in a fold, and each kept as its own group would silently
    split rows that may well share an entity. Only the user knows which, so the fix is
    theirs (fill the ids or drop the rows).

    Raises:
        TuneplateError: naming the column, how many rows lack an id and as what.
    """
    ids = read_group_ids(table[column], column)
    if ids.n_missing:
        raise TuneplateError(ids.missing_line())
    return ids.ids.astype(str)


def make_split(table: pd.DataFrame, y: np.ndarray, roles: Roles, n_folds: int, seed: int) -> Split:
    """Choose and build the split for these roles.

    Example:
        >>> split = make_split(table, y, Roles(target="default"), n_folds=5, seed=0)
        >>> len(split.folds)
        5
    """
    # scikit-learn is imported here, not above: the CLI's parser loads this module and
    # need not wait for it.
    from sklearn.model_selection import (
        StratifiedGroupKFold,
        StratifiedKFold,
        TimeSeriesSplit,
        train_test_split,
    )

    n = len(table)
    positions = np.arange(n)
    if roles.time:
        times = time_values(table, roles.time)
        order = np.argsort(times, kind="stable")
        cut = period_cut(times[order], int(round(n * (1 - HOLDOUT_SHARE))), roles.time)
        dev, hold = np.sort(order[:cut]), np.sort(order[cut:])
        # Folds in time order: each validates on the period after its training rows.
        by_time = np.searchsorted(dev, order[:cut])  # dev positions, earliest first
        folds = [
            (by_time[tr], by_time[va])
            for tr, va in TimeSeriesSplit(n_splits=n_folds).split(by_time)
        ]
        desc = (
            f"out-of-time on {roles.time!r}: the latest {len(hold) / n:.0%} of rows (whole "
            f"periods, the nearest cut to {HOLDOUT_SHARE:.0%}) are the hold-out; {n_folds} "
            "expanding-window folds over the earlier rows (cut by row count)"
        )
        if roles.group:
            # Said, not silently dropped: time order wins, so ids may sit on both sides.
            desc += (
                f"; --group {roles.group!r} does not split with --time: periods are kept "
                "apart, not ids, so one id can have rows on both sides (the intervals "
                "still count ids, not rows)"
            )
    elif roles.group:
        groups = _group_ids(table, roles.group)
        outer = StratifiedGroupKFold(
            n_splits=round(1 / HOLDOUT_SHARE), shuffle=True, random_state=seed
        )
        dev, hold = next(outer.split(positions, y, groups))
        inner = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        folds = list(inner.split(dev, y[dev], groups[dev]))
        desc = (
            f"grouped by {roles.group!r}: no id appears on both sides; "
            f"{HOLDOUT_SHARE:.0%} hold-out and {n_folds}-fold stratified group cross-validation"
        )
    else:
        dev, hold = train_test_split(
            positions, test_size=HOLDOUT_SHARE, stratify=y, random_state=seed
        )
        dev, hold = np.sort(dev), np.sort(hold)
        inner = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        folds = list(inner.split(dev, y[dev]))
        desc = (
            f"random stratified {HOLDOUT_SHARE:.0%} hold-out; "
            f"{n_folds}-fold stratified cross-validation on the rest"
        )
    _check_folds(y[dev], folds, y[hold])
    return Split(np.asarray(dev), np.asarray(hold), folds, desc)


def fresh_folds(
    table: pd.DataFrame, y: np.ndarray, roles: Roles, split: Split, seed: int
) -> Folds | None:
    """`split`'s development rows cut into new folds, as many as the search's, by the
    same kind of splitter (stratified, or stratified by --group id) with another `seed`;
    positions within the development rows. None for out-of-time splits, whose folds
    follow the time order and cannot be drawn again. The fresh folds give an unbiased
    comparison of trials chosen on the search's own folds (`search/selection.py`).

    Example:
        >>> fresh_folds(table, y, Roles(target="default"), split, seed=10_000)[0][1][:3]
        array([ 4, 11, 15])
    """
    if roles.time:
        return None
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    dev = split.development
    n_folds = len(split.folds)
    if roles.group:
        groups = _group_ids(table, roles.group)[dev]
        inner = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        folds = list(inner.split(dev, y[dev], groups))
    else:
        inner = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        folds = list(inner.split(dev, y[dev]))
    if any(len(np.unique(y[dev][va])) < 2 for _, va in folds):
        return None
    return folds


def _check_folds(y_dev: np.ndarray, folds: Folds, y_hold: np.ndarray) -> None:
    for _, va in folds:
        if len(np.unique(y_dev[va])) < 2:
            raise TuneplateError(
                "a validation fold holds only one outcome class, so it cannot be scored; "
                "use more rows, fewer folds, or a time column with events in every period"
            )
    if len(np.unique(y_hold)) < 2:
        raise TuneplateError(
            "the hold-out holds only one outcome class; the most recent rows need both outcomes"
        )
