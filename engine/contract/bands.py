"""One column's development spread: the shares of its rows in bands, and its tails.

A numeric column keeps the shares of its rows in up to ten bands whose edges are cut
near the deciles, then moved onto a coarse grid (`edges.coarse_edges`: a step of about
a quarter of the band's width, a month's first day for a date), so no edge pins a row's
value; plus the share missing, and its 1st and 99th percentiles of the values other
than 0 on the same grid (`Bands.tails`, which a changed unit's median must pass). A
categorical column keeps the share of each of the model's levels (rare ones are already
pooled) and the share missing. Files saved before keep their edges (halfway between two
neighbouring values) and are read and applied as saved.

Copied verbatim into exported projects (like the rest of `contract/`): standard
library, numpy and pandas only.

Example:
    >>> Bands.learn(np.arange(1.0, 1001.0)).edges[:3]
    (100.0, 200.0, 300.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .edges import coarse_edges, nice_step

BANDS = 10  # deciles, the usual choice for PSI (Siddiqi 2006)
# `Bands.tails`: the 1st and 99th percentiles, moved inwards to keep TAIL_ROWS rows past
# each (an aggregate, not a row's value); `off_range` says why a unit needs them.
TAIL = 0.01
TAIL_ROWS = 10


@dataclass(frozen=True)
class Bands:
    """One column's development spread: shares per band, the last band is "missing".

    `edges`: interior cut points of a numeric column (bands are (-inf, e1], (e1, e2], …,
    (ek, inf)); `levels`: a categorical column's levels, one band each. Exactly one of
    the two is set. `shares` has len(edges) + 2 or len(levels) + 1 entries summing to 1.
    """

    shares: tuple[float, ...]
    edges: tuple[float, ...] = ()
    levels: tuple[str, ...] = ()
    # A numeric column's (low, high) tail, `_tails`; None for a categorical column, too
    # few rows, or files saved before it existed (a unit is then judged without it).
    tails: tuple[float, float] | None = None

    @classmethod
    def learn(cls, values: Any, bands: int = BANDS, kind: str = "numeric") -> Bands:
        """The bands of `values`: a float array (numeric) or a pandas Categorical.
        `kind`: the schema's kind ("datetime": days since 1970, edges on a month's first
        day)."""
        if isinstance(values, pd.Categorical) or isinstance(
            getattr(values, "dtype", None), pd.CategoricalDtype
        ):
            levels = tuple(str(c) for c in pd.Categorical(values).categories)
            return cls(_category_shares(values, levels), levels=levels)
        x = np.asarray(values, dtype=float)
        finite = x[np.isfinite(x)]
        edges = coarse_edges(_midpoint_edges(finite, bands), finite, kind)
        tails = _tails(finite, edges) if kind == "numeric" else None
        return cls(_numeric_shares(x, edges), edges=edges, tails=tails)

    def median(self) -> float:
        """The development median of a numeric column, read from its bands: linear within
        the band where half the readable rows are reached, that band's edge when it is an
        outer one (unbounded); NaN for a categorical column or one without edges.

        Example:
            >>> Bands((0.25, 0.25, 0.5, 0.0), edges=(1.0, 3.0)).median()
            3.0
        """
        if self.levels or not self.edges:
            return math.nan
        shares = np.asarray(self.shares[:-1], dtype=float)  # without "missing"
        if shares.sum() <= 0:
            return math.nan
        cumulative = np.cumsum(shares / shares.sum())
        i = int(np.searchsorted(cumulative, 0.5))
        if i == 0:
            return float(self.edges[0])
        if i >= len(self.edges):
            return float(self.edges[-1])
        low, high = self.edges[i - 1], self.edges[i]
        within = (0.5 - cumulative[i - 1]) / max(shares[i] / shares.sum(), 1e-12)
        return float(low + within * (high - low))

    def shares_of(self, values: Any) -> tuple[float, ...]:
        """The shares of `values` in these bands (same order, "missing" last)."""
        if self.levels:
            return _category_shares(values, self.levels)
        return _numeric_shares(np.asarray(values, dtype=float), self.edges)


def _tails(x: np.ndarray, edges: tuple[float, ...]) -> tuple[float, float] | None:
    """`Bands.tails`: the TAIL and 1 - TAIL quantiles of the readable values `x` other
    than 0 (a count's zeros stay 0 in any unit), moved onto the grid of the outer band
    beside each (`coarse_edges`), so none is a row's value; the quantile moves inwards
    to keep TAIL_ROWS rows past it. None with fewer than two edges, or when that leaves
    no tail short of the outer edges (under TAIL_ROWS / 0.1 values).

    Example:
        >>> _tails(np.arange(1.0, 1001.0), (100.0, 900.0))
        (20.0, 1000.0)
    """
    values = x[x != 0]
    if len(edges) < 2 or not len(values):
        return None
    q = max(TAIL, TAIL_ROWS / len(values))
    if q >= 0.1:
        return None
    low, high = np.quantile(values, [q, 1 - q])
    return _grid_tail(low, edges[0], x), _grid_tail(high, edges[-1], x)


def _grid_tail(tail: float, edge: float, x: np.ndarray) -> float:
    """`tail` on the grid of the outer band beside it (`coarse_edges` of the two, which
    moves a cut by at most an eighth of the gap); the edge when they merge. Alone on the
    grid, a count's tail (its least value, also its lowest band's edge) would round to
    the column's coarse step: 1 to 0. A tail the grid would move to 0 or past it (a
    column running from near 0) goes to a step of half its size instead: at 0, a
    column divided by 1,000 would lie past no tail."""
    grid = coarse_edges(sorted([float(tail), float(edge)]), x)
    if len(grid) < 2:
        return float(edge)
    moved = float(grid[0] if tail < edge else grid[-1])
    if moved * tail > 0 or not tail:
        return moved
    step = nice_step(abs(tail) / 2)
    return round(tail / step) * step


def _midpoint_edges(x: np.ndarray, bands: int) -> tuple[float, ...]:
    """Cut points near the deciles of `x`, each halfway between two distinct values (the
    edges files saved before `coarse_edges` keep; now its input)."""
    distinct = np.unique(x)
    if len(distinct) < 2:
        return ()
    if len(distinct) <= bands:  # few values (flags, counts): one band per value
        return tuple(float(v) for v in (distinct[:-1] + distinct[1:]) / 2)
    cuts = np.quantile(x, np.linspace(0, 1, bands + 1)[1:-1])
    above = np.clip(np.searchsorted(distinct, cuts, side="right"), 1, len(distinct) - 1)
    mids = (distinct[above - 1] + distinct[above]) / 2
    return tuple(float(v) for v in np.unique(mids))


def _numeric_shares(x: np.ndarray, edges: tuple[float, ...]) -> tuple[float, ...]:
    n = len(x)
    if not n:
        return tuple(0.0 for _ in range(len(edges) + 2))
    finite = np.isfinite(x)
    band = np.searchsorted(np.asarray(edges, dtype=float), x[finite], side="left")
    counts = np.bincount(band, minlength=len(edges) + 1)
    return (*(float(c / n) for c in counts), float((~finite).sum() / n))


def _category_shares(values: Any, levels: tuple[str, ...]) -> tuple[float, ...]:
    text = pd.Series(pd.Categorical(values)).astype("string")
    n = len(text)
    if not n:
        return tuple(0.0 for _ in range(len(levels) + 1))
    counts = text.value_counts()
    shares = [float(counts.get(level, 0) / n) for level in levels]
    return (*shares, float(text.isna().sum() / n))
