"""How a scorecard's bins are found and weighed: the training half of `scorecard.py`.

optbinning's optimal bins per input (Navas-Palencia 2020, "Optimal binning: mathematical
programming formulation", arXiv:2001.08025), their splits moved onto a coarse grid and
recounted, then an L2 logistic regression on the Weight of Evidence columns (Siddiqi,
*Credit Risk Scorecards*, Wiley 2006, ch. 6). The result is a `scorecard.Scorecard`,
which applies the bins with NumPy and pandas alone.

optbinning (which pulls OR-Tools and cvxpy) and scikit-learn are imported only when a
function here is called, so importing this module costs what `scorecard.py` does, and an
exported project that only scores never loads them.

Example:
    >>> card = fit(X_train, y_train, C=1.0)  # a scorecard.Scorecard
    >>> card.predict_proba(X_test)[:, 1]
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_string_dtype

from .edges import coarse_edges
from .kinds import MIN_LEVEL_ROWS
from .scorecard import TREND, Bins, Scorecard, woe


def fit(
    X: pd.DataFrame,
    y: np.ndarray,
    C: float = 1.0,
    max_n_prebins: int = 20,
    min_prebin_size: float = 0.05,
    monotonic_trend: str = TREND,
    trends: dict[str, str] | None = None,
    seed: int = 0,
    max_iter: int = 1000,
    dates: Any = (),
) -> Scorecard:
    """Optimal bins per input (optbinning's `OptimalBinning`), then L2 logistic regression
    on the WoE columns (scikit-learn's `LogisticRegression(C=C)`): `weigh(bin_inputs(...))`.

    Args:
        X: (n, k) rows: numeric columns (float, NaN missing) and pandas Categorical ones.
        y: (n,) 0/1 outcome, 1 the event.
        C: inverse L2 penalty of the logistic regression.
        max_n_prebins, min_prebin_size: optbinning's pre-binning: at most this many
            pre-bins, each holding at least this share of the rows.
        monotonic_trend: the numeric inputs' event-rate trend (optbinning's names).
        trends: {column: trend} overriding it for some numeric inputs ("ascending":
            the event rate rises with the value; "descending").
        dates: the inputs that are dates (days since 1970): splits on a month's first day.

    Imports optbinning (which pulls ortools and cvxpy) only in `bin_inputs`, so scoring
    never does.

    Example:
        >>> card = fit(X_train, y_train, C=1.0)
        >>> card.predict_proba(X_test)[:, 1]
    """
    binned = bin_inputs(X, y, max_n_prebins, min_prebin_size, monotonic_trend, trends, dates)
    return weigh(binned, binned.design(X), y, C, seed, max_iter)


def recount(
    name: str, splits: Any, x: np.ndarray, y: np.ndarray, total_events: int, total: int
) -> Bins:
    """A numeric input's bins at `splits`, counted afresh on the rows x (NaN missing), y:
    counts, events and WoE exactly as `Bins.values` assigns the rows (side "right").

    `total_events`, `total`: the whole fit's, the WoE's denominators (every input's
    shares are of the same rows, the missing ones included).

    Example:
        >>> recount("amount", (100.0,), np.array([50.0, 100.0, np.nan]), np.array([1, 0, 0]),
        ...         1, 3).count
        (1, 1)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=int)
    cut = np.asarray(splits, dtype=float)
    missing = np.isnan(x)
    where = np.searchsorted(cut, x[~missing], side="right")
    count = np.bincount(where, minlength=len(cut) + 1)
    events = np.bincount(where, weights=y[~missing], minlength=len(cut) + 1).astype(int)
    count = np.append(count, missing.sum())
    events = np.append(events, int(y[missing].sum()))
    weights = woe(events, count - events, total_events, total - total_events)
    return Bins(
        name,
        "numeric",
        woe=tuple(float(w) for w in weights[:-1]),
        count=tuple(int(c) for c in count[:-1]),
        events=tuple(int(e) for e in events[:-1]),
        missing_woe=float(weights[-1]),
        missing_count=int(count[-1]),
        missing_events=int(events[-1]),
        splits=tuple(float(s) for s in cut),
    )


def _direction(trend: str, events: Any, count: Any) -> int:
    """+1 (event rate rising with the value), -1 (falling) or 0 (no trend to keep) of
    optbinning's bins: an "ascending"/"descending" trend as asked; "auto_asc_desc" (and
    "auto") as the bins came out, when they are monotonic."""
    if trend in ("ascending", "descending"):
        return 1 if trend == "ascending" else -1
    if trend not in ("auto_asc_desc", "auto"):
        return 0  # peak, valley, convex, concave or none: not a monotonic trend to keep
    rates = np.asarray(events, float) / np.maximum(np.asarray(count, float), 1)
    steps = np.diff(rates)
    if len(steps) and (steps >= 0).all():
        return 1
    if len(steps) and (steps <= 0).all():
        return -1
    return 0


def _common_whole(splits: Any, x: np.ndarray) -> bool:
    """Whether x holds whole numbers only and the two values beside every split are each
    held by MIN_LEVEL_ROWS rows or more (months, counts): the split's k + 1 then names a
    value many applicants share, and keeps optbinning's partition exactly. A dense
    whole-number column (whole dollars) goes on the coarse grid like any number."""
    x = x[np.isfinite(x)]
    if not len(x) or not np.all(x == np.round(x)):
        return False
    values, counts = np.unique(x, return_counts=True)
    for s in splits:
        i = int(np.searchsorted(values, s))  # values[i - 1] < s < values[i]
        if i == 0 or i == len(values) or min(counts[i - 1], counts[i]) < MIN_LEVEL_ROWS:
            return False
    return True


def coarse_bins(
    bins: Bins, x: Any, y: np.ndarray, trend: str = TREND, kind: str = "numeric"
) -> Bins:
    """`bins` (optbinning's, at midpoint splits) with splits on a coarse grid, recounted.

    Each split goes through `coarse_edges(splits, x, kind, side="right")`: side "right"
    because a value equal to a split falls in the bin above, here and in optbinning
    (`np.digitize(x, splits, right=False)`). A whole-number column whose values beside
    each split are common (`_common_whole`: months, counts) keeps its partition, k + ½
    becoming k + 1 ("x < 12" for 11.5). The bins are then recounted (`recount`) so every
    count, event rate, WoE and the points built on them match the splits saved and
    printed and how rows are scored.

    A moved split can shift a few rows across it and turn the monotonic event rate
    optbinning found (its `trend`) around between two bins, or leave a bin empty: the
    two bins are then merged (the split between them dropped), pool-adjacent-violators
    style (Barlow et al., *Statistical Inference under Order Restrictions*, Wiley 1972),
    until the rates are monotonic again in optbinning's direction and no bin is empty.

    Example:
        >>> coarse_bins(Bins("amount", "numeric", ..., splits=(1470.335,)), x, y).splits
        (1470.0,)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=int)
    total_events, total = int(y.sum()), len(y)
    sign = _direction(trend, bins.events, bins.count)
    if kind != "datetime" and _common_whole(bins.splits, x):
        cut = sorted({float(math.floor(s) + 1) for s in bins.splits})  # k + ½ -> k + 1
    else:
        cut = list(coarse_edges(bins.splits, x, kind=kind, side="right"))
    while True:
        out = recount(bins.name, cut, x, y, total_events, total)
        count, events = np.asarray(out.count, float), np.asarray(out.events, float)
        if (count == 0).any():  # an emptied bin: drop the split beside it
            i = int(np.flatnonzero(count == 0)[0])
            del cut[min(i, len(cut) - 1)]
            continue
        steps = np.diff(events / count) * sign
        if sign and len(steps) and steps.min() < 0:
            del cut[int(np.argmin(steps))]  # the worst violation first
            continue
        return out


def _keep_ctrl_c() -> None:
    """Leave Ctrl-C to Python while optbinning's solver runs (once per process).

    optbinning finds the bins with OR-Tools' CP-SAT, which by default takes over SIGINT
    for each solve and on leaving sets it back to the system default, which ends the
    process: after one scorecard fit, Ctrl-C killed a run on the spot, with no message,
    no cleanup and no word on `--resume`. CP-SAT's own `catch_sigint_signal` parameter
    (OR-Tools `sat_parameters.proto`) turns that off; optbinning does not expose it, so
    every `CpSolver` solve here sets it first. A Ctrl-C during a solve then stops the
    run when the solve returns (optbinning's time limit bounds it).
    """
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver
    if getattr(solver, "_tuneplate_keeps_ctrl_c", False):
        return
    for name in ("Solve", "solve"):
        original = getattr(solver, name, None)
        if original is None:
            continue

        def solve(self, *args, _original=original, **kwargs):
            self.parameters.catch_sigint_signal = False
            return _original(self, *args, **kwargs)

        setattr(solver, name, solve)
    solver._tuneplate_keeps_ctrl_c = True


def optimal_binnings(
    X: pd.DataFrame,
    y: np.ndarray,
    max_n_prebins: int = 20,
    min_prebin_size: float = 0.05,
    monotonic_trend: str = TREND,
    trends: dict[str, str] | None = None,
) -> dict[str, Any]:
    """optbinning's `OptimalBinning` of each input of X, fitted on y: {column: binning}.

    The binnings optbinning's `BinningProcess` builds, with the same settings (its
    `_fit_variable`: a pandas Categorical column, or a text one, is binned as categorical,
    any other as numerical under `trends.get(column, monotonic_trend)`), so the same bins,
    without the process's variable-selection statistics (a binning table with statistical
    tests per input), which took about half of every binning's time and which nothing
    here reads (`benchmarks/after_search.py`: the same bins, 1.7-2.2x faster on four
    credit tables). Every column must hold a value.
    """
    from optbinning import OptimalBinning

    trends = dict(trends or {})
    fitted = {}
    with warnings.catch_warnings():
        # optbinning 1.0's binning table writes a text total into a float column (pandas
        # 3's Pandas4Warning, a DeprecationWarning, once per input and fit): the numbers
        # are unaffected, and hundreds of lines per search would bury the user's warnings
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        for column in X.columns:
            name, x = str(column), X[column]
            categorical = isinstance(x.dtype, pd.CategoricalDtype)
            binning = OptimalBinning(
                name,
                dtype="categorical" if categorical or is_string_dtype(x.dtype) else "numerical",
                max_n_prebins=int(max_n_prebins),
                min_prebin_size=float(min_prebin_size),
            )
            if not categorical:
                binning.set_params(monotonic_trend=trends.get(name, monotonic_trend))
            fitted[name] = binning.fit(x, y)
    return fitted


def bin_inputs(
    X: pd.DataFrame,
    y: np.ndarray,
    max_n_prebins: int = 20,
    min_prebin_size: float = 0.05,
    monotonic_trend: str = TREND,
    trends: dict[str, str] | None = None,
    dates: Any = (),
) -> Scorecard:
    """The bins and their WoE, without weights (all 0): the costly, C-free half of `fit`,
    which a search builds once per fold and reuses for every C it tries. Numeric splits
    lie on a coarse grid (`coarse_bins`); `dates` names the inputs that are dates (days
    since 1970), whose splits go to a month's first day (by default those `Schema.encode`
    lists in `X.attrs["dates"]`).

    Example:
        >>> binned = bin_inputs(X_train, y_train)
        >>> card = weigh(binned, binned.design(X_train), y_train, C=0.1)
    """
    _keep_ctrl_c()
    y = np.asarray(y, dtype=int)
    names = [str(c) for c in X.columns]
    categorical = [c for c in names if isinstance(X[c].dtype, pd.CategoricalDtype)]
    trends, dates = dict(trends or {}), set(dates or X.attrs.get("dates", ()))
    # a column without any value in these rows (possible in one fold) cannot be binned:
    # its rows all fall in the missing bin, whose WoE is then 0 (no evidence)
    empty = {c for c in names if not X[c].notna().any()}
    kept = X[[c for c in names if c not in empty]]
    fitted = optimal_binnings(kept, y, max_n_prebins, min_prebin_size, monotonic_trend, trends)
    total_events, total = int(y.sum()), len(y)
    inputs = []
    for name in names:
        if name in empty:
            kind = "categorical" if name in categorical else "numeric"
            bins = () if kind == "categorical" else (0.0,)
            zeros = tuple(0 for _ in bins)
            inputs.append(Bins(name, kind, bins, zeros, zeros, 0.0, total, total_events))
            continue
        binned = fitted[name]
        table = binned.binning_table
        events = np.asarray(table.n_event, dtype=int)  # bins, then special, then missing
        nonevents = np.asarray(table.n_nonevent, dtype=int)
        weights = woe(events, nonevents, total_events, total - total_events)
        n_bins = len(events) - 2
        common = {
            "name": name,
            "woe": tuple(float(w) for w in weights[:n_bins]),
            "count": tuple(int(c) for c in (events + nonevents)[:n_bins]),
            "events": tuple(int(e) for e in events[:n_bins]),
            "missing_woe": float(weights[-1]),
            "missing_count": int(events[-1] + nonevents[-1]),
            "missing_events": int(events[-1]),
        }
        if name in categorical:
            groups = tuple(tuple(str(v) for v in group) for group in binned.splits)
            inputs.append(Bins(kind="categorical", groups=groups, **common))
        else:
            splits = tuple(float(s) for s in np.asarray(binned.splits, dtype=float))
            found = Bins(kind="numeric", splits=splits, **common)  # midpoints: not saved
            trend = trends.get(name, monotonic_trend)
            kind = "datetime" if name in dates else "numeric"
            inputs.append(coarse_bins(found, X[name], y, trend, kind))
    settings = {
        "max_n_prebins": int(max_n_prebins),
        "min_prebin_size": float(min_prebin_size),
        "monotonic_trend": monotonic_trend,
        **({"trends": trends} if trends else {}),
    }
    return Scorecard(tuple(inputs), 0.0, settings)


def weigh(
    binned: Scorecard,
    design: np.ndarray,
    y: np.ndarray,
    C: float = 1.0,
    seed: int = 0,
    max_iter: int = 1000,
) -> Scorecard:
    """`binned`'s inputs weighed by an L2 logistic regression on their WoE `design`
    ((n, k), `binned.design(X)` of the rows binned), with each input's training mean WoE
    (the reference of `contributions`).

    Example:
        >>> weigh(binned, binned.design(X_train), y_train, C=1.0).intercept
        -0.85
    """
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=max_iter, random_state=seed)
    model.fit(design, np.asarray(y, dtype=int))
    coef, means = model.coef_[0], design.mean(axis=0)
    fitted = tuple(
        Bins(**{**b.__dict__, "coef": float(c), "mean_woe": float(m)})
        for b, c, m in zip(binned.inputs, coef, means, strict=True)
    )
    return Scorecard(fitted, float(model.intercept_[0]), {"C": float(C), **binned.settings})


__all__ = [
    "bin_inputs",
    "coarse_bins",
    "fit",
    "optimal_binnings",
    "recount",
    "weigh",
]
