"""Band edges fit to publish: cut points moved onto a coarse grid, so none is a row's value.

Edges cut from data (deciles for PSI, quartiles for group tables, optbinning's splits)
sit on a row's value or halfway between two neighbouring values. In a dense column (an
amount with cents, a date) that pins a person: an edge of 1470.335 lies between the two
applicants at 1,470.33 and 1,470.34. Every edge a run saves or prints goes through
`coarse_edges` first: global recoding by rounding (Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012, §3.4.2 "Global recoding" and §3.4.5 "Rounding"), the
grid coarse against the rows and fine against the bands:

- a number goes to the nearest multiple of its step: the largest 1, 2 or 5 × 10^k not
  above a quarter of its distance to the nearest other cut (for a lone cut, of the
  column's 10th–90th percentile range). An edge then moves by at most an eighth of the
  narrower band beside it (about 1% of the rows for deciles), so PSI bands stay near
  even, while a step spans about n / 100 rows or more of n: no single row decides it.
  The step follows the bands, not the magnitude (two significant figures would merge
  all deciles of a year, a date or a score near 0.0015);
- a column of whole numbers keeps whole edges (a step of 1 or more);
- a date (days since 1970-01-01) goes to the nearest first of a month;
- a tie goes to the side equal values fall on (`side`), so a whole-number column's
  k + ½ becomes the same cut (k for "x <= edge", k + 1 for "x < edge");
- repeats are dropped: the edges stay strictly increasing.

An edge can still coincide with a round value a row holds (1,450.00, the 1st of March):
the grid point is the grid's, not that row's, and says nothing about it.

Example:
    >>> coarse_edges([182.75, 380.635, 537.22], values)
    (180.0, 380.0, 540.0)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SHARE_OF_GAP = 0.25  # a step is at most this share of the distance to the nearest cut
EPOCH = np.datetime64("1970-01-01", "D")


def nice_step(width: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above `width` (> 0).

    Example:
        >>> nice_step(56.3), nice_step(0.0037), nice_step(1.0)
        (50.0, 0.002, 1.0)
    """
    k = math.floor(math.log10(width))
    for m in (5, 2, 1):
        step = _exact(m, k)
        if step <= width * (1 + 1e-9):
            return step
    return _exact(1, k - 1)  # log10's rounding put k one too high


def coarse_edges(cuts: Any, values: Any, kind: str = "numeric", side: str = "left"):
    """`cuts` of `values` moved onto the grid above, as a strictly increasing tuple.

    `kind`: "datetime" for days since 1970 (rounded to a month's first day), anything
    else a number; `side`: "left" when a value equal to an edge falls in the band below
    it (`np.searchsorted(..., side="left")`), "right" when it falls in the band above.

    Example:
        >>> coarse_edges([0.5, 1.5, 2.5], np.array([0, 1, 2, 3] * 5))
        (0.0, 1.0, 2.0)
    """
    cut = np.unique(np.asarray(cuts, dtype=float))
    cut = cut[np.isfinite(cut)]
    if not len(cut):
        return ()
    if kind == "datetime":
        return tuple(sorted({_month_start(c, side) for c in cut}))
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    whole = bool(len(x)) and bool(np.all(x == np.round(x)))
    spread = _spread(x) or max(abs(float(cut[0])), 1.0)
    gaps = np.diff(cut)
    out = set()
    for i, c in enumerate(cut):
        width = min(gaps[max(i - 1, 0) : i + 1], default=spread)  # the cuts beside it
        step = nice_step(width * SHARE_OF_GAP)
        if whole:
            step = max(step, 1.0)
        q = c / step
        n = math.ceil(q - 0.5) if side == "left" else math.floor(q + 0.5)
        out.add(on_grid(n, step))
    return tuple(sorted(out))


def _spread(x: np.ndarray) -> float:
    """The 10th–90th percentile range of `x`, its full range when that is 0, else 0."""
    if not len(x):
        return 0.0
    low, high = np.quantile(x, [0.1, 0.9])
    return float(high - low) or float(x.max() - x.min())


def _exact(m: int, k: int) -> float:
    """m × 10^k without binary noise: 2e-3, not 0.0020000000000000005."""
    return float(f"{m}e{k}")


def on_grid(n: int, step: float) -> float:
    """n × step, rounded to the step's decimals (3 × 0.1 is 0.3, not 0.30000000000000004)."""
    decimals = max(0, -math.floor(math.log10(step))) + 1
    return float(round(n * step, decimals))


def _month_start(days: float, side: str) -> float:
    """The first of a month nearest to `days` (since 1970-01-01), in days; a tie goes
    to the earlier month for side "left", the later for "right"."""
    day = EPOCH + np.timedelta64(math.floor(days), "D")
    month = day.astype("datetime64[M]")
    starts = [(m.astype("datetime64[D]") - EPOCH).astype(int) for m in (month, month + 1)]
    low, high = (float(s) for s in starts)
    below, above = days - low, high - days
    if below < above or (below == above and side == "left"):
        return low
    return high
