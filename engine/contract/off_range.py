"""New values almost all past a development band's outer edge: a changed unit or a segment.

A changed unit or reading (amounts in thousands, albumin in g/L, a percent for a
fraction, a decimal mark read as a thousands separator) fits every schema count, so it
is judged against the development's bands (`bands.Bands`): `off_range` returns the
record (`OffRange`) of an input whose new values lie past an outer band, and says
whether it is a changed unit, which strict scoring refuses, or a segment, which is
scored with a line. `Profile.off_range_found` runs it on every numeric input.

Copied verbatim into exported projects (like the rest of `contract/`): standard
library and numpy only.

Example:
    >>> off_range("amount", amounts_in_thousands, profile.columns["amount"], False, 200).unit
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .bands import Bands

# `Profile.off_range`: a numeric input's new rows (this many readable values or more) of
# which this share lies beyond an outer band that held at most OFF_RANGE_DEV of the
# development rows; inputs with fewer than OFF_RANGE_BANDS bands (flags, codes) only when
# the unit changed (`OffRange.unit`).
OFF_RANGE_ROWS = 30
OFF_RANGE_SHARE = 0.8
OFF_RANGE_DEV = 0.2
OFF_RANGE_BANDS = 5


# `Profile.unit_changes`: a batch off range whose median lies this many times the
# development's (in magnitude, same sign) is a changed unit, not drift. The common ones
# are 10 or more (g/dL to g/L 10, bilirubin mg/dL to umol/L 17.1, glucose 18,
# cholesterol 38.7, creatinine 88.4, thousands 1,000); a segment of large loans, past
# the top band, sits about 4 times the median.
UNIT_FACTOR = 8.0
SAME_SHAPE = (0.5, 2.0)  # spread ratios (`OffRange.spread`) read as one shape rescaled
# ... and whose median lies past the development's tail (`Bands.tails`: its 1st and 99th
# percentiles of the values other than 0, of `bands.TAIL_ROWS` rows or more each). A segment
# lies inside the development's range, a changed unit puts even its middle past it. By
# the median and the spread alone, the bottom decile of a column running from 0 is the
# whole column divided by 10 (modeldata cells' angles, 0-180: exactly so), and strict
# refused real segments: attrition's employees with the fewest working years, covid
# testing's youngest patients, Stack Overflow's lowest salaries.
# `_rescaled`: a batch whose values, divided by one factor of UNIT_FACTOR or more (or
# multiplied), fall in the development's bands as its rows did, where the values as
# given do not. It finds the changed units the outer-band rule misses: a column of both
# signs (OJ's PriceDiff x1000 puts 24% below the lowest band and 69% above the top) and
# a count whose bands are one value each (the outer edges are no deciles, so the spread
# ratio misreads its values other than 0). Judged from FIT_ROWS readable values, with
# FIT_SHARE of them past either outer band (past both, but for a count's values other
# than 0); "the same shares" is the two-sample
# Kolmogorov-Smirnov distance over the band edges within FIT_KS * sqrt(1/n + 1/m)
# (1.95: the 0.1% critical value, Smirnov 1948; Hollander & Wolfe, *Nonparametric
# Statistical Methods*, 1999, 5.4). A segment (the top decile, one sign, both tails) is
# a part of the shape, so no one factor gives it the whole.
FIT_ROWS = 100
FIT_SHARE = 0.5
FIT_KS = 1.95
# The factors tried first: powers of ten (thousands, percent, cents), the clinical ones
# (bilirubin 17.1, glucose 18, cholesterol 38.7, creatinine 88.4) and the clock's and
# calendar's (12, 24, 60, 365, 1,440, 3,600). A factor near the best fit then finds the
# rest; a listed one wins a near tie (codes fit a range of factors alike).
FACTORS = (10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 12.0, 17.1, 18.0, 24.0, 38.7, 60.0, 88.4, 365.0)
FACTORS += (1440.0, 3600.0)


@dataclass(frozen=True)
class OffRange:
    """One input's new values beyond an outer band: which side, the edge, the share of
    new rows past it, the development's share there, the rows judged, and how far the
    new median lies from the development's (the larger over the smaller in magnitude;
    NaN when they differ in sign or one is 0)."""

    column: str
    where: str  # "below" or "above"
    edge: float
    share: float
    dev: float
    rows: int
    factor: float
    # the new values' spread (10th to 90th percentile over the median, in magnitude)
    # against the development's: about 1 when every value was multiplied alike
    spread: float = 1.0
    nonzero: bool = False  # judged on the values other than 0 (`_without_zero_band`)
    # the new median lies past the development's tail on this side (`Bands.tails`; True
    # when none was saved)
    past_tail: bool = True
    # `_rescaled`'s factor: the development's values times this fit the new ones (0: not
    # fitted). Then `where` may be "outside" (past both outer bands), `edge` the lower
    # and `high` the upper edge.
    scale: float = 0.0
    high: float = math.nan

    @property
    def unit(self) -> bool:
        """UNIT_FACTOR or more times the development's median with the development's
        shape: a changed unit, not a moved population. A selected tail (only the sickest
        patients, the wealthiest applicants) also lies far past the median of a skewed
        column, but bunched together: its spread is a fraction of the development's.
        A fitted factor (`scale`) is one by construction."""
        if self.scale:
            return True
        same_shape = SAME_SHAPE[0] <= self.spread <= SAME_SHAPE[1]
        return self.factor >= UNIT_FACTOR and same_shape and self.past_tail

    @property
    def line(self) -> str:
        """The one line scoring and validate print. Past the bands' outer edge (a tenth
        of the development) but not its 1% tail, the rows may be a chosen segment the
        model learned from: the line says so rather than "outside the range"."""
        where = (
            ", outside the range the model learned"
            if self.past_tail
            else "; rows chosen from its lowest or highest tenth would lie inside the range "
            "the model learned, which held few like them"
        )
        return (
            f"{self._beyond}: a change of unit or reading (thousands, a percent for a "
            "fraction, a decimal mark), or an input that moves on with time (a year)? scored "
            f"as given{where}"
        )

    @property
    def refusal(self) -> str:
        """The line of a strict refusal of a changed unit (`unit`), which scores no row."""
        if self.scale:
            how = "times" if self.scale > 1 else "divided by"
            fitted = f"spread as the development's values {how} {_factor_text(self.factor)}"
        else:
            fitted = f"their median {self.factor:.0f} times the development's"
        return (
            f"{self._beyond}, {fitted}: a change of unit or reading (thousands, a percent "
            "for a fraction, a decimal mark)?; convert the column back to the unit the "
            "model was tuned on"
        )

    @property
    def _beyond(self) -> str:
        other = " other than 0" if self.nonzero else ""
        where = f"{self.where} {_edge_text(self.edge)}"
        if self.where == "outside":
            where = f"outside {_edge_text(self.edge)} to {_edge_text(self.high)}"
        return (
            f"{self.column}: {self.share:.0%} of {self.rows:,} rows with a value{other} lie "
            f"{where}, where {self.dev:.0%} of the run's hold-out rows{other} did"
        )


def off_range(name: str, x: np.ndarray, bands: Bands, coded: bool, rows: float) -> OffRange | None:
    """The record of input `name` whose readable values `x` lie past one of `bands`'
    outer edges, or None. `coded`: a flag or a code (fewer than OFF_RANGE_BANDS bands),
    judged only for a changed unit; `rows`: the development rows the bands count
    (`Profile.counted`). The outer-band rule first, then again on the values other
    than 0, then the whole shape rescaled (`_rescaled_anyhow`): the first that finds a
    unit wins, else the first record found."""
    record = _off_range(name, x, bands, coded)
    if record is None or not record.unit:
        record = _off_range_past_zeros(name, x, bands, coded) or record
    if (record is None or not record.unit) and not coded:
        # A unit the outer-band rule missed (both signs, one band per count): the whole
        # shape rescaled. A code is judged by its values (`Feature.codes`) and the rule
        # above.
        record = _rescaled_anyhow(name, x, bands, rows) or record
    return record


def _off_range(name: str, x: np.ndarray, bands: Bands, coded: bool) -> OffRange | None:
    """`Profile.off_range_found`'s rule on one input's readable values `x`: the record of
    the first outer band past which they lie, or None."""
    if len(x) < OFF_RANGE_ROWS:
        return None
    shares = bands.shares[:-1]  # without "missing"
    readable = sum(shares) or 1.0
    low_edge, high_edge = bands.edges[0], bands.edges[-1]
    sides = (
        ("below", x < low_edge, shares[0] / readable, low_edge),
        ("above", x > high_edge, shares[-1] / readable, high_edge),
    )
    for where, beyond, dev, edge in sides:
        new = float(np.mean(beyond))
        if new < OFF_RANGE_SHARE:
            continue
        median = float(np.median(x))
        factor = _times(median, bands.median())
        spread = _spread_ratio(x, bands)
        past = _past_tail(median, where, bands.tails)
        record = OffRange(name, where, edge, new, dev, len(x), factor, spread, past_tail=past)
        # An outer band that held more than OFF_RANGE_DEV of the development (a code's
        # top level, a spike at 0) also fills with one segment, so past it only a
        # changed unit is said: installment-rate codes 1-4 sent as 100-400 lie past a
        # top code that held 47% of German credit's rows.
        return record if record.unit or (dev <= OFF_RANGE_DEV and not coded) else None
    return None


def _off_range_past_zeros(name: str, x: np.ndarray, bands: Bands, coded: bool) -> OffRange | None:
    """A changed unit in a column holding 0 (`_off_range` on the values other than 0,
    against `_without_zero_band`), or None. 0 is 0 in every unit: a count or a balance
    that is mostly 0 (Arrests' police checks, a third zeros) kept its zeros when sent
    x1000, so no 80% lay past an outer band."""
    if not np.any(x == 0):
        return None
    nonzero = _without_zero_band(bands)
    again = None if nonzero is None else _off_range(name, x[x != 0], nonzero, coded)
    return replace(again, nonzero=True) if again is not None and again.unit else None


def _rescaled_anyhow(name: str, x: np.ndarray, bands: Bands, rows: float) -> OffRange | None:
    """`_rescaled` on the readable values `x`, else on those other than 0 against the
    development's other bands (a zero-inflated count keeps its zeros in any unit).
    `rows`: the development's rows (`Profile.counted`)."""
    record = _rescaled(name, x, bands, rows, both=True)
    if record is None and np.any(x == 0) and (nonzero := _without_zero_band(bands)):
        again = _rescaled(name, x[x != 0], nonzero, rows, both=False)
        record = None if again is None else replace(again, nonzero=True)
    return record


def _rescaled(name: str, x: np.ndarray, bands: Bands, rows: float, both: bool) -> OffRange | None:
    """The record of a changed unit when the readable values `x` fit the development's
    bands multiplied by one factor of UNIT_FACTOR or more (or divided), and do not fit
    them as given; else None. `rows`: the development's rows, of which the bands'
    readable share counts (FIT_ROWS says the rule). `both`: only values past both outer
    bands are judged. Past one, the bottom decile of a column spanning orders of
    magnitude (modeldata cells' intensities, 162 rows) fit the development divided by
    10 to 100 (distance 0.11-0.15, within the 0.18 allowed) as a unit does; a count's
    values other than 0 (`_without_zero_band`) are judged past one band too."""
    if len(x) < FIT_ROWS or len(bands.edges) < 2:
        return None
    low, high = bands.edges[0], bands.edges[-1]
    below, above = float(np.mean(x < low)), float(np.mean(x > high))
    if below + above < FIT_SHARE or (both and not (below and above)):
        return None
    shares = np.asarray(bands.shares[:-1], dtype=float)
    development = rows * shares.sum()
    if development < 1:
        return None
    shares = shares / shares.sum()
    sorted_x = np.sort(x)
    limit = FIT_KS * math.sqrt(1 / len(x) + 1 / development)
    if _ks(sorted_x, bands.edges, shares, 1.0) <= limit:
        return None  # the values as given fit: no unit to find
    scale, distance = _best_scale(sorted_x, bands, shares)
    if distance > limit:
        return None
    if below and above:
        where, edge, dev = "outside", low, shares[0] + shares[-1]
    else:
        where, edge, dev = ("below", low, shares[0]) if below else ("above", high, shares[-1])
    factor = max(scale, 1 / scale)
    return OffRange(
        name, where, edge, below + above, float(dev), len(x), factor, scale=scale, high=high
    )


def _ks(sorted_x: np.ndarray, edges: Any, shares: np.ndarray, scale: float) -> float:
    """The largest gap, over the band edges, between the share of `sorted_x` at or below
    `scale` times an edge and the development's share at or below it (`shares`: its
    readable shares per band): the Kolmogorov-Smirnov distance the bands can see."""
    development = np.cumsum(shares)[:-1]
    cut = np.asarray(edges, dtype=float) * scale
    new = np.searchsorted(sorted_x, cut, side="right") / len(sorted_x)
    return float(np.max(np.abs(new - development)))


def _best_scale(sorted_x: np.ndarray, bands: Bands, shares: np.ndarray) -> tuple[float, float]:
    """(factor, `_ks` distance) of the factor of UNIT_FACTOR or more, or its inverse, by
    which the development's bands best fit `sorted_x`: FACTORS, and 33 steps across a
    factor of 2 either way of the two estimates (the medians' ratio; the 10th-90th
    percentile ranges', which a column of both signs keeps). A listed factor within
    0.02 of the best wins: a code fits a range of factors alike."""
    estimates = []
    median, development = float(np.median(sorted_x)), bands.median()
    if median * development > 0:
        estimates.append(median / development)
    low, high = np.quantile(sorted_x, [0.1, 0.9])
    if high > low and bands.edges[-1] > bands.edges[0]:
        estimates.append((high - low) / (bands.edges[-1] - bands.edges[0]))
    listed = [k for f in FACTORS for k in (f, 1 / f)]
    near = [e * 2 ** (j / 16) for e in estimates for j in range(-16, 17)]
    near = [k for k in near if max(k, 1 / k) >= UNIT_FACTOR]
    fits = [(_ks(sorted_x, bands.edges, shares, k), k) for k in listed + near]
    best = min(distance for distance, _ in fits)
    return next((k, d) for d, k in fits if d <= best + 0.02)


def _without_zero_band(bands: Bands) -> Bands | None:
    """`bands` without the outer band that holds 0 (a count's or a balance's zeros), so
    the other values are compared with the development's other values; None when 0
    lies inside (a signed column) or too few bands would remain to have two outer ones.

    Example:
        >>> _without_zero_band(Bands((0.4, 0.3, 0.3, 0.0), edges=(0.5, 1.5)))
        Bands(shares=(0.3, 0.3, 0.0), edges=(1.5,), levels=(), tails=None)
    """
    if len(bands.edges) < 2:
        return None
    if 0 <= bands.edges[0]:  # bands are (-inf, e1], …: 0 in the lowest
        return Bands(bands.shares[1:], bands.edges[1:], tails=bands.tails)
    if bands.edges[-1] < 0:
        return Bands((*bands.shares[:-2], bands.shares[-1]), bands.edges[:-1], tails=bands.tails)
    return None


def _past_tail(median: float, where: str, tails: tuple[float, float] | None) -> bool:
    """Whether a batch's `median` lies past the development's tail on side `where`
    ("below" or "above"); True without saved tails (`Bands.tails`)."""
    if tails is None:
        return True
    return median < tails[0] if where == "below" else median > tails[1]


def _relative_spread(values: Any) -> float:
    """(90th − 10th percentile) / |median| of an array, or of `Bands` (its outer edges,
    about the 10th and 90th percentiles, and `Bands.median`); NaN when the median is 0."""
    if isinstance(values, Bands):
        low, high, middle = values.edges[0], values.edges[-1], values.median()
    else:
        low, middle, high = np.quantile(values, [0.1, 0.5, 0.9])
    return (high - low) / abs(middle) if middle else math.nan


def _spread_ratio(x: np.ndarray, bands: Bands) -> float:
    """`OffRange.spread`: the new values' relative spread over the development's; 1.0
    when the development had none to compare (a flag or a two-level code: one band edge,
    so a median 8 times its own is a unit alone, no segment of it lies there), NaN when
    the new values' median is 0 (their factor is NaN too).

    Example:
        >>> _spread_ratio(np.array([100.0, 200.0] * 20), Bands((0.8, 0.2, 0.0), edges=(1.5,)))
        1.0
    """
    new, development = _relative_spread(x), _relative_spread(bands)
    if not math.isfinite(new):
        return math.nan
    if not development:  # 0: no spread to compare (NaN, a median of 0, is kept)
        return 1.0
    return float(new / development)


def _times(new: float, development: float) -> float:
    """How many times one median is the other, in magnitude: x1000 of an overdraft (all
    negative) and /1000 alike; NaN across 0 (a ratio of magnitudes means nothing there).

    Example:
        >>> _times(-3000.0, -3.0), _times(0.35, 3.5), _times(5.0, -2.0)
        (1000.0, 10.0, nan)
    """
    if not (new * development > 0):
        return math.nan
    return max(abs(new), abs(development)) / min(abs(new), abs(development))


def _factor_text(x: float) -> str:
    """A factor for a reader: 1,000, 17.1, 74.

    Example:
        >>> _factor_text(1000.0), _factor_text(17.1), _factor_text(74.3)
        ('1,000', '17.1', '74')
    """
    return f"{x:,.0f}" if x >= 20 or float(x).is_integer() else f"{x:.3g}"


def _edge_text(x: float) -> str:
    """A band edge for a reader, never in exponent form where avoidable: 1,234,567, 0.125.

    Example:
        >>> _edge_text(1234567.0), _edge_text(0.12345), _edge_text(42.5)
        ('1,234,567', '0.1235', '42.5')
    """
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}" if abs(x) >= 1e-3 else f"{x:.2e}"
