"""A scorecard's saved bins and linear model, applied without the library that found them.

A credit scorecard (Siddiqi, *Credit Risk Scorecards*, Wiley 2006, ch. 6) replaces each
input by the Weight of Evidence (WoE) of the bin its value falls in and fits a logistic
regression on those WoE columns. The bins come from optimal binning (Navas-Palencia 2020,
"Optimal binning: mathematical programming formulation", arXiv:2001.08025, the
`optbinning` library); once found they are plain ranges and groups of levels, saved here
as JSON, so scoring needs only NumPy and pandas: tuneplate's model and an exported
project (`tuneplate export` copies this package verbatim) apply the very same code.

What a saved scorecard holds (aggregates only, never one row's value):

* numeric input: the split points, so bin i is [split[i-1], split[i]) with -inf and +inf
  at the ends (`np.searchsorted`, side "right", the `np.digitize(..., right=False)`
  optbinning itself uses: a value equal to a split falls in the bin above). optbinning's
  splits are midpoints of two observed values, which in a dense column (an amount with
  cents) pin two applicants; `bin_inputs` moves each onto a coarse grid
  (`edges.coarse_edges`, a month's first day for a date; a whole-number column's k + ½
  becomes k + 1, the same cut) and recounts the bins under the moved splits. Files saved
  before keep their midpoint splits and score as saved;
* categorical input: groups of levels (each level was seen in at least the schema's
  pooling minimum of training rows; rarer ones were already pooled into "(other)");
* per bin: its WoE, training row count and events; a missing bin; the input's training
  mean WoE (the reference of `contributions`) and its coefficient; the intercept.

Missing values take the missing bin's WoE (0 when training had no missing value with
both outcomes). A level the binning never saw takes WoE 0, optbinning's own default for
unknown categories (the WoE of the overall event rate: no evidence either way).

`fit` (training only: imports optbinning and scikit-learn when called) finds the bins and
fits the model; everything else here imports only NumPy and pandas.

Example:
    >>> card = Scorecard.from_dict(json.loads(Path("model.scorecard.json").read_text()))
    >>> card.predict_proba(X)[:, 1]  # X: the schema's encoded rows
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_string_dtype

from .edges import coarse_edges
from .kinds import MIN_LEVEL_ROWS

FORMAT = "tuneplate-scorecard/1"
MISSING = "Missing"
UNSEEN = "Unseen levels"
# optbinning's default monotonic trend: ascending or descending event rate, whichever
# fits better (optbinning docs, OptimalBinning `monotonic_trend`).
TREND = "auto_asc_desc"


def woe(events: np.ndarray, nonevents: np.ndarray, total_events: float, total_nonevents: float):
    """Weight of Evidence per bin: ln(share of non-events / share of events).

    Positive: the bin holds relatively more non-events (lower risk). 0 for a bin lacking
    events or non-events, as optbinning does (`transform_binary_target`).

    Example:
        >>> woe(np.array([10, 20]), np.array([90, 80]), 30, 170).round(3)
        array([ 0.568, -0.565])
    """
    events, nonevents = np.asarray(events, float), np.asarray(nonevents, float)
    out = np.zeros(len(events))
    ok = (events > 0) & (nonevents > 0)
    out[ok] = np.log((nonevents[ok] / total_nonevents) / (events[ok] / total_events))
    return out


@dataclass(frozen=True)
class Bins:
    """One input's bins: numeric `splits` or categorical `groups`, WoE and counts per bin.

    `woe`, `count`, `events` have one entry per bin (len(splits) + 1 or len(groups)); the
    missing bin's are apart. `mean_woe` is the training rows' mean WoE, `coef` the
    logistic regression's coefficient on this input's WoE.
    """

    name: str
    kind: str  # "numeric" or "categorical"
    woe: tuple[float, ...]
    count: tuple[int, ...]
    events: tuple[int, ...]
    missing_woe: float
    missing_count: int
    missing_events: int
    mean_woe: float = 0.0
    coef: float = 0.0
    splits: tuple[float, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()
    unseen_woe: float = 0.0

    def values(self, X: pd.DataFrame) -> np.ndarray:
        """This input's WoE for each row of X, shape (n,)."""
        column = X[self.name]
        if self.kind == "numeric":
            x = np.asarray(column, dtype=float)
            missing = np.isnan(x)
            where = np.searchsorted(np.asarray(self.splits, float), x, side="right")
            out = np.asarray(self.woe, float)[np.minimum(where, len(self.woe) - 1)]
            return np.where(missing, self.missing_woe, out)
        levels = pd.Series(np.asarray(column, dtype=object))
        missing = levels.isna().to_numpy()
        pairs = zip(self.groups, self.woe, strict=True)
        lookup = {level: w for group, w in pairs for level in group}
        out = levels.astype(str).map(lookup).to_numpy(dtype=float, na_value=np.nan)
        out = np.where(np.isnan(out), self.unseen_woe, out)
        return np.where(missing, self.missing_woe, out)

    def labels(self) -> list[str]:
        """Each bin's label: "[8.5, 11.5)" for a range, the levels joined for a group."""
        if self.kind == "categorical":
            return [", ".join(group) for group in self.groups]
        edges = [-math.inf, *self.splits, math.inf]
        return [
            f"{'(' if math.isinf(low) else '['}{_number(low)}, {_number(high)})"
            for low, high in zip(edges[:-1], edges[1:], strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.kind == "numeric":
            out["splits"] = [float(s) for s in self.splits]
        else:
            out["groups"] = [list(g) for g in self.groups]
            out["unseen_woe"] = float(self.unseen_woe)
        return out | {
            "woe": [float(w) for w in self.woe],
            "count": [int(c) for c in self.count],
            "events": [int(e) for e in self.events],
            "missing": {
                "woe": float(self.missing_woe),
                "count": int(self.missing_count),
                "events": int(self.missing_events),
            },
            "mean_woe": float(self.mean_woe),
            "coef": float(self.coef),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bins:
        missing = data["missing"]
        return cls(
            name=str(data["name"]),
            kind=str(data["kind"]),
            woe=tuple(float(w) for w in data["woe"]),
            count=tuple(int(c) for c in data["count"]),
            events=tuple(int(e) for e in data["events"]),
            missing_woe=float(missing["woe"]),
            missing_count=int(missing["count"]),
            missing_events=int(missing["events"]),
            mean_woe=float(data.get("mean_woe", 0.0)),
            coef=float(data.get("coef", 0.0)),
            splits=tuple(float(s) for s in data.get("splits", ())),
            groups=tuple(tuple(str(v) for v in g) for g in data.get("groups", ())),
            unseen_woe=float(data.get("unseen_woe", 0.0)),
        )


def _number(value: float) -> str:
    return "inf" if value == math.inf else "-inf" if value == -math.inf else f"{value:.6g}"


@dataclass(frozen=True)
class Scorecard:
    """A fitted scorecard: its inputs' bins (in the model's column order) and intercept.

    `predict_proba(X)` takes the schema's encoded rows (a DataFrame with the inputs'
    names) and returns (n, 2) [P(no event), P(event)], as scikit-learn classifiers do.
    """

    inputs: tuple[Bins, ...]
    intercept: float
    settings: dict[str, Any]  # the fit's parameters, for the record

    def design(self, X: pd.DataFrame) -> np.ndarray:
        """The WoE design: (n, k), one column per input in order."""
        if not self.inputs:
            return np.empty((len(X), 0))
        return np.column_stack([b.values(X) for b in self.inputs])

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Log-odds of the event per row, (n,): intercept + sum of coef x WoE."""
        coef = np.array([b.coef for b in self.inputs])
        return self.intercept + self.design(X) @ coef

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """coef_j x (WoE_j(x) - training mean WoE_j) per input, base value last: (n, k + 1).

        The exact SHAP values of a linear model on independent inputs (Lundberg & Lee
        2017, NeurIPS), here on the WoE design; a row sums to `decision_function`.
        """
        coef = np.array([b.coef for b in self.inputs])
        mean = np.array([b.mean_woe for b in self.inputs])
        parts = coef * (self.design(X) - mean)
        base = np.full((len(X), 1), self.intercept + float(coef @ mean))
        return np.hstack([parts, base])

    def against(self, signs: Sequence[int]) -> tuple[Bins, int] | None:
        """The first numeric input whose points go against its monotone sign, with that
        sign; None when every constrained input's points follow their sign.

        `signs`: +1 / -1 / 0 per input, in order (+1: the event's probability may only
        rise with the value). An input's part of the log-odds is coef x WoE of its bin, so
        with +1 it must not fall from one range to the next (the missing bin is not in the
        order); an L2 fit on correlated WoE columns can turn a binned trend around through
        the sign of its weight. A tolerance of 1e-12 absorbs rounding. The run's check and
        an exported project's `train.py` both call this.

        Example:
            >>> card.against((1, 0)) is None  # the first input's points never fall
            True
        """
        for bins, sign in zip(self.inputs, signs, strict=True):
            if sign and bins.kind == "numeric":
                steps = np.diff(bins.coef * np.asarray(bins.woe)) * sign
                if len(steps) and steps.min() < -1e-12:
                    return bins, sign
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "intercept": float(self.intercept),
            "settings": dict(self.settings),
            "inputs": [b.to_dict() for b in self.inputs],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scorecard:
        if data.get("format") != FORMAT:
            raise ValueError(
                f"not a tuneplate scorecard file (format {data.get('format')!r}, "
                f"expected {FORMAT!r}); give the model.scorecard.json a run wrote"
            )
        return cls(
            inputs=tuple(Bins.from_dict(b) for b in data["inputs"]),
            intercept=float(data["intercept"]),
            settings=dict(data.get("settings") or {}),
        )


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
    "FORMAT",
    "MISSING",
    "TREND",
    "UNSEEN",
    "Bins",
    "Scorecard",
    "bin_inputs",
    "optimal_binnings",
    "coarse_bins",
    "fit",
    "recount",
    "weigh",
    "woe",
]
