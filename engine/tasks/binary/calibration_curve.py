"""The hold-out calibration curve: binned observed rates with Jeffreys intervals and a
smoother, for the report's reliability section of every binary vertical.

Bins. Quantile bins of the predicted probability on the hold-out (rows ranked, ties in
order, cut into equal-sized groups): `bin_count(n)` = min(10, n // 30), at least 1, so
each bin holds about 30 rows or more (its 95% interval then spans at most about ±18
points), 10 bins from 300 rows. A bin never holds fewer than `MIN_BIN_ROWS` = 10 rows,
the project's small-group rule (credit risk pools groups under 10 applicants, the schema
pools levels seen on fewer than 10 rows): on fewer than 10 hold-out rows there is no
curve. Each bin is saved as aggregates only: its rows, events, mean predicted
probability, observed rate and interval; never its edges (each edge is one row's score).

Interval. The 95% Jeffreys interval of the observed rate, the Beta(D + 0.5, N − D + 0.5)
quantiles at 2.5% and 97.5% (Brown, Cai & DasGupta, "Interval estimation for a binomial
proportion", Statistical Science 16(2), 2001), with the lower end 0 when D = 0 and the
upper end 1 when D = N, as they recommend.

Smoother. A logistic regression of the outcome on a restricted (natural) cubic spline of
the logit of the predicted probability, 3 knots at its 10th, 50th and 90th percentiles
(Harrell, Regression Modeling Strategies, 2nd ed. 2015, section 2.4.6), the flexible
calibration curve Van Calster et al. recommend ("Calibration: the Achilles heel of
predictive analytics", BMC Medicine 2019;17:230). It is saved as its values at 41 points
evenly spread between the first and the last bin's mean predicted probability
(aggregates), never at single rows' scores; the knots are not saved.

Example:
    >>> curve = calibration_curve(y_hold, p_hold)  # 200 hold-out rows
    >>> [b.rows for b in curve.bins]
    [34, 33, 33, 34, 33, 33]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import beta

from tuneplate.engine.contract.calibration import logit
from tuneplate.engine.contract.intervals import logistic_fit

MAX_BINS = 10
ROWS_PER_BIN = 30  # target rows per bin: fewer bins on a small hold-out
MIN_BIN_ROWS = 10  # the project's small-group rule: no bin describes fewer rows
KNOTS = (0.10, 0.50, 0.90)  # Harrell's 3-knot placement (quantiles of the logit)
SMOOTH_POINTS = 41
CONFIDENCE = 0.95
RULE = (
    f"quantile bins of the predicted probability, min({MAX_BINS}, rows // {ROWS_PER_BIN}) of "
    f"them, each of at least {MIN_BIN_ROWS} rows"
)
SMOOTHER = (
    "logistic regression of the outcome on a restricted cubic spline of the logit "
    "(3 knots; Van Calster et al., BMC Medicine 2019;17:230)"
)


def jeffreys_interval(
    events: int, rows: int, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """The Jeffreys interval of a binomial proportion `events` / `rows` (both counts).

    Beta(events + 0.5, rows − events + 0.5) quantiles at α/2 and 1 − α/2; the lower end
    is 0 when events = 0 and the upper end 1 when events = rows (Brown, Cai & DasGupta
    2001, section 4.1.2). Raises ValueError for rows < 1 or events outside [0, rows].

    Example:
        >>> [round(v, 4) for v in jeffreys_interval(5, 100)]
        [0.0193, 0.1061]
    """
    if rows < 1 or not 0 <= events <= rows:
        raise ValueError(f"need 0 <= events <= rows and rows >= 1, got {events} of {rows}")
    alpha = 1.0 - confidence
    a, b = events + 0.5, rows - events + 0.5
    low = 0.0 if events == 0 else float(beta.ppf(alpha / 2, a, b))
    high = 1.0 if events == rows else float(beta.ppf(1 - alpha / 2, a, b))
    return low, high


def bin_count(rows: int) -> int:
    """How many quantile bins `rows` hold-out rows get: min(10, rows // 30), at least 1;
    0 (no curve) under `MIN_BIN_ROWS` rows."""
    if rows < MIN_BIN_ROWS:
        return 0
    return int(min(MAX_BINS, max(1, rows // ROWS_PER_BIN)))


@dataclass(frozen=True)
class CurveBin:
    """One bin of hold-out rows: counts, mean predicted probability, observed rate (both
    in [0, 1]) and the observed rate's 95% Jeffreys interval."""

    rows: int
    events: int
    predicted: float
    observed: float
    low: float
    high: float

    @property
    def verdict(self) -> str:
        """ "over" (observed below the interval's reach of the prediction: over-predicts),
        "under", or "fits" when the mean prediction lies inside the interval."""
        if self.predicted > self.high:
            return "over"
        if self.predicted < self.low:
            return "under"
        return "fits"


@dataclass(frozen=True)
class CalibrationCurve:
    """The binned curve and the smoother (`smooth_x` predicted → `smooth_y` observed, both
    probabilities; empty when the fit did not settle), with the rules in words."""

    bins: tuple[CurveBin, ...]
    smooth_x: tuple[float, ...] = ()
    smooth_y: tuple[float, ...] = ()
    rule: str = RULE
    smoother: str = SMOOTHER

    def to_dict(self) -> dict[str, Any]:
        """results.json's form: plain numbers and text."""
        return {
            "bins": [asdict(b) for b in self.bins],
            "smooth": {"predicted": list(self.smooth_x), "observed": list(self.smooth_y)},
            "rule": self.rule,
            "smoother": self.smoother,
        }

    @classmethod
    def from_dict(cls, saved: Any) -> CalibrationCurve | None:
        """The saved curve, or None for runs without one (or a malformed entry)."""
        if not isinstance(saved, dict) or not saved.get("bins"):
            return None
        try:
            bins = tuple(
                CurveBin(
                    int(b["rows"]),
                    int(b["events"]),
                    *(float(b[k]) for k in ("predicted", "observed", "low", "high")),
                )
                for b in saved["bins"]
            )
        except (KeyError, TypeError, ValueError):
            return None
        smooth = saved.get("smooth") or {}
        return cls(
            bins,
            tuple(float(v) for v in smooth.get("predicted", ())),
            tuple(float(v) for v in smooth.get("observed", ())),
            str(saved.get("rule", RULE)),
            str(saved.get("smoother", SMOOTHER)),
        )


def rcs_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Restricted cubic spline basis of `x` (n,) at `knots` (k,), shape (n, k − 1): `x` and
    k − 2 terms, cubic between the knots and linear outside the outer ones (Harrell 2015,
    equation 2.25, each term divided by (t_k − t_1)² so it is on the scale of `x`)."""
    x = np.asarray(x, dtype=float)
    t = np.asarray(knots, dtype=float)
    k, scale = len(t), (t[-1] - t[0]) ** 2

    def cube(v: np.ndarray) -> np.ndarray:
        return np.clip(v, 0.0, None) ** 3

    span = t[-1] - t[-2]
    terms = [x]
    for j in range(k - 2):
        terms.append(
            (
                cube(x - t[j])
                - cube(x - t[-2]) * (t[-1] - t[j]) / span
                + cube(x - t[-1]) * (t[-2] - t[j]) / span
            )
            / scale
        )
    return np.column_stack(terms)


def _smooth(y: np.ndarray, p: np.ndarray, grid: np.ndarray) -> np.ndarray | None:
    """The flexible calibration curve at `grid`, or None when it cannot be fitted."""
    z = logit(p)
    knots = np.quantile(z, KNOTS)
    if len(np.unique(knots)) < len(KNOTS) or y.min() == y.max():
        return None  # too few distinct scores for a spline, or one outcome only
    design = np.column_stack([np.ones(len(z)), rcs_basis(z, knots)])
    fit = logistic_fit(design, y, np.zeros(len(z)))
    if fit is None:
        return None
    at = np.column_stack([np.ones(len(grid)), rcs_basis(logit(grid), knots)]) @ fit[0]
    return 1.0 / (1.0 + np.exp(-np.clip(at, -35, 35)))


def calibration_curve(y: np.ndarray, p: np.ndarray) -> CalibrationCurve | None:
    """The calibration curve of probabilities `p` (n,) against outcomes `y` (n,, 0/1) on
    the hold-out; None under `MIN_BIN_ROWS` rows.

    Example:
        >>> calibration_curve(y_hold, p_hold).bins[0].verdict
        'fits'
    """
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    n_bins = bin_count(len(y))
    if not n_bins:
        return None
    order = pd.Series(p).rank(method="first").to_numpy()
    cell = np.minimum((order - 1) * n_bins // len(p), n_bins - 1).astype(int)
    bins = []
    for b in range(n_bins):
        inside = cell == b
        rows, events = int(inside.sum()), int(y[inside].sum())
        low, high = jeffreys_interval(events, rows)
        bins.append(CurveBin(rows, events, float(p[inside].mean()), events / rows, low, high))
    first, last = bins[0].predicted, bins[-1].predicted
    smooth_x: tuple[float, ...] = ()
    smooth_y: tuple[float, ...] = ()
    if n_bins >= 3 and last > first:
        grid = np.linspace(first, last, SMOOTH_POINTS)
        fitted = _smooth(y, p, grid)
        if fitted is not None:
            smooth_x, smooth_y = tuple(grid.tolist()), tuple(fitted.tolist())
    return CalibrationCurve(tuple(bins), smooth_x, smooth_y)


def curve_dict(y: np.ndarray, p: np.ndarray) -> dict[str, Any] | None:
    """`calibration_curve(y, p)` in results.json's form, or None."""
    curve = calibration_curve(y, p)
    return curve.to_dict() if curve else None


__all__ = [
    "MIN_BIN_ROWS",
    "CalibrationCurve",
    "CurveBin",
    "bin_count",
    "calibration_curve",
    "curve_dict",
    "jeffreys_interval",
    "rcs_basis",
]
