"""The hold-out calibration in words, its conclusion following its 95% interval.

A slope of 1.01 with an interval of 0.45 to 1.57 says nothing about whether the risks
are too extreme or too timid: the conclusion is drawn from the interval, not the point
(van Calster et al., "Calibration: the Achilles heel of predictive analytics", BMC
Medicine 17:230, 2019). The slope is read against the report's 0.8–1.2 band: within it
only when the whole interval is; too extreme or too timid only when the whole interval
lies outside it; no evidence either way when it spans an edge. Calibration-in-the-large
has no band, only its ideal 0: more or fewer events than predicted when the interval
excludes 0, no evidence either way when it spans 0. Shared by every binary vertical
(the Reliability section and the verdict's reasons).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tuneplate.engine.results import Results

SLOPE_BAND = (0.8, 1.2)  # the report's band for an acceptable calibration slope


@dataclass(frozen=True)
class Fit:
    """The hold-out's calibration-in-the-large and slope with their 95% intervals (None
    when the run saved none, e.g. an older run or a fit that did not settle).

    Example:
        >>> Fit(1.01, (0.45, 1.57), -0.32, (-1.03, 0.40)).slope_off
        False
    """

    slope: float
    slope_interval: tuple[float, float] | None
    intercept: float | None = None
    intercept_interval: tuple[float, float] | None = None

    @property
    def slope_off(self) -> bool:
        """The slope's interval excludes 1, the ideal."""
        return self.slope_interval is not None and not _spans(self.slope_interval, 1.0)

    @property
    def intercept_off(self) -> bool:
        """Calibration-in-the-large's interval excludes 0, the ideal."""
        return self.intercept_interval is not None and not _spans(self.intercept_interval, 0.0)


def _spans(pair: tuple[float, float], value: float) -> bool:
    return pair[0] <= value <= pair[1]


def _pair(value: Any) -> tuple[float, float] | None:
    ok = isinstance(value, list | tuple) and len(value) == 2
    if ok and all(isinstance(v, int | float) and math.isfinite(v) for v in value):
        return float(value[0]), float(value[1])
    return None


def _number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and math.isfinite(value)
    return float(value) if ok else None


def hold_out_fit(results: Results) -> Fit | None:
    """The recommended model's hold-out calibration (the baseline's when the report keeps
    it), from the run's `data["calibration"]`; None without a slope."""
    c = results.data.get("calibration")
    if isinstance(c, dict) and results.baseline.recommended:
        c = c.get("baseline")
    if not isinstance(c, dict) or (slope := _number(c.get("slope"))) is None:
        return None
    return Fit(
        slope,
        _pair(c.get("slope_interval")),
        _number(c.get("intercept")),
        _pair(c.get("intercept_interval")),
    )


def slope_sentence(slope: float, interval: tuple[float, float] | None) -> str:
    """The slope's conclusion, drawn from its interval against `SLOPE_BAND`.

    Example:
        >>> slope_sentence(1.01, (0.45, 1.57))
        'Calibration slope 1.01, but its 95% interval (0.45 to 1.57) spans the whole 0.8–1.2
        band: no evidence either way whether the predicted risks are too extreme, too timid
        or neither.'
    """
    low_edge, high_edge = SLOPE_BAND
    band = f"{low_edge:g}–{high_edge:g}"
    if interval is None:
        return (
            f"Calibration slope {slope:.2f}, with no 95% interval on these rows, so no "
            "conclusion is drawn on whether the predicted risks are too extreme or too timid."
        )
    low, high = interval
    shown = f"Calibration slope {slope:.2f} (95% interval {low:.2f} to {high:.2f})"
    if low_edge <= low and high <= high_edge:
        return f"{shown}, within {band} interval and all, so the predicted risks are neither "\
            "too extreme nor too timid."  # fmt: skip
    if high < low_edge:
        return f"{shown}, below {low_edge:g} interval and all: the predicted risks are too "\
            "extreme (too close to 0% and 100%)."  # fmt: skip
    if low > high_edge:
        return f"{shown}, above {high_edge:g} interval and all: the predicted risks are too "\
            "timid (bunched towards the middle)."  # fmt: skip
    if low < low_edge and high > high_edge:
        spans, options = f"the whole {band} band", "too extreme, too timid or neither"
    elif low < low_edge:
        spans, options = (
            f"the band's lower edge, {low_edge:g}",
            f"extreme enough to fall below {low_edge:g}",
        )
    else:
        spans, options = (
            f"the band's upper edge, {high_edge:g}",
            f"timid enough to rise above {high_edge:g}",
        )
    text = (
        f"Calibration slope {slope:.2f}, but its 95% interval ({low:.2f} to {high:.2f}) spans "
        f"{spans}: no evidence either way whether the predicted risks are {options}."
    )
    if high < 1:
        text += " The interval does exclude 1, the ideal: the risks are more extreme than ideal."
    elif low > 1:
        text += " The interval does exclude 1, the ideal: the risks are more timid than ideal."
    return text


def intercept_sentence(intercept: float | None, interval: tuple[float, float] | None) -> str:
    """Calibration-in-the-large's conclusion, drawn from its interval against 0.

    Example:
        >>> intercept_sentence(-0.32, (-1.03, 0.40))
        'Calibration-in-the-large -0.32 log-odds, but its 95% interval (-1.03 to +0.40) spans
        0: no evidence either way whether the model over- or under-predicts risk overall.'
    """
    if intercept is None or interval is None:
        return ""
    low, high = interval
    shown = f"Calibration-in-the-large {intercept:+.2f} log-odds"
    if low > 0:
        return f"{shown} (95% interval {low:+.2f} to {high:+.2f}), above 0 interval and all: "\
            "more events than predicted (the model under-predicts risk overall)."  # fmt: skip
    if high < 0:
        return f"{shown} (95% interval {low:+.2f} to {high:+.2f}), below 0 interval and all: "\
            "fewer events than predicted (the model over-predicts risk overall)."  # fmt: skip
    return (
        f"{shown}, but its 95% interval ({low:+.2f} to {high:+.2f}) spans 0: no evidence "
        "either way whether the model over- or under-predicts risk overall."
    )


def calibration_caution(results: Results) -> str:
    """The verdict's reason when the hold-out calibration's interval excludes its ideal
    (the slope's 1, or calibration-in-the-large's 0); "" otherwise.

    Example:
        >>> calibration_caution(results)
        'The predicted risks look miscalibrated on the hold-out: calibration slope 0.73 (95%
        interval 0.51 to 0.95) excludes 1, the risks too extreme; see Reliability.'
    """
    fit = hold_out_fit(results)
    if fit is None:
        return ""
    parts = []
    if fit.slope_off and fit.slope_interval is not None:
        low, high = fit.slope_interval
        how = "too extreme" if fit.slope < 1 else "too timid"
        parts.append(
            f"calibration slope {fit.slope:.2f} (95% interval {low:.2f} to {high:.2f}) excludes "
            f"1, the risks {how}"
        )
    if fit.intercept_off and fit.intercept_interval is not None and fit.intercept is not None:
        low, high = fit.intercept_interval
        how = "under-predicted" if fit.intercept > 0 else "over-predicted"
        parts.append(
            f"calibration-in-the-large {fit.intercept:+.2f} (95% interval {low:+.2f} to "
            f"{high:+.2f}) excludes 0, risk {how} overall"
        )
    if not parts:
        return ""
    return (
        "The predicted risks look miscalibrated on the hold-out: "
        + "; ".join(parts)
        + "; see Reliability."
    )
