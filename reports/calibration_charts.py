"""The calibration chart: observed rate against mean predicted rate.

When the run saved a hold-out calibration curve (every binary run does, results.data
"calibration" "curve", `engine.tasks.binary.calibration_curve`), the chart is that curve:
quantile bins of the predicted probability at (mean predicted, observed rate) with each
bin's 95% Jeffreys interval, the flexible (spline) calibration curve and the diagonal of
perfect calibration, titled with what it shows (`curve_title`). Otherwise (older runs,
other tasks) it reads the table with key "calibration" (its first column names the bands;
the columns of roles `Role.PREDICTED` and `Role.OBSERVED` hold the two rates); None when
both are missing. Shown in the reliability section; `charts` re-exports these names.

Example:
    >>> calibration_title(results)
    'Predicted and observed rates agree within 5.0 points in every band'
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter
from scipy.stats import binom

from tuneplate.engine.results import Results, Role, TableKey
from tuneplate.engine.tasks.binary.calibration_curve import CalibrationCurve
from tuneplate.reports.figures import (
    BLUE,
    GREY,
    ORANGE,
    chart,
    column,
    column_values,
    is_percent,
    plain,
)
from tuneplate.reports.formatters import fmt_cell, fmt_number


def saved_curve(results: Results) -> CalibrationCurve | None:
    """The hold-out calibration curve of the model the report recommends (the baseline's
    when it is recommended), or None for runs without one."""
    saved = (results.data or {}).get("calibration")
    if isinstance(saved, dict) and results.baseline.recommended:
        saved = saved.get("baseline")
    return CalibrationCurve.from_dict(saved.get("curve")) if isinstance(saved, dict) else None


def calibration(results: Results) -> str | None:
    """The calibration curve (`curve_chart`) when the run saved one; else observed rate
    (bars) against mean predicted rate (dots) per score band.

    The bands come from the table with key "calibration": its first column names the
    bands, and the columns of roles `Role.PREDICTED` and `Role.OBSERVED` hold the rates.

    Example:
        >>> calibration(results) is None  # when the vertical has no calibration table
        False
    """
    curve = saved_curve(results)
    if curve is not None:
        return curve_chart(curve)
    table = results.table(TableKey.CALIBRATION)
    if table is None or table.frame.empty:
        return None
    frame = table.frame
    predicted, observed = column(table, Role.PREDICTED), column(table, Role.OBSERVED)
    if predicted is None or observed is None:
        return None
    band = frame.columns[0]
    x = np.arange(len(frame))

    def draw(ax: Axes) -> None:
        ax.bar(x, column_values(frame, observed), width=0.6, color=GREY, label=plain(observed))
        ax.plot(
            x, column_values(frame, predicted), "o-", color=BLUE, lw=1.5, label=plain(predicted)
        )
        ax.set_xticks(x, [plain(b) for b in frame[band]], fontsize=8 if len(x) > 6 else 9)
        ax.set_xlabel(plain(band))
        if is_percent(table, predicted, observed):
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylabel("Share of the band")
        else:
            ax.set_ylabel("Value")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left")

    return chart("calibration", calibration_title(results), draw)


CALIBRATION_CLOSE = 0.05  # five percentage points between predicted and observed


def calibration_title(results: Results) -> str:
    """Where predicted and observed rates differ most, or that they agree.

    Example:
        >>> calibration_title(results)
        'Predicted and observed rates agree within 5.0 points in every band'
    """
    table = results.table(TableKey.CALIBRATION)
    if table is None or table.frame.empty:
        return ""
    frame = table.frame
    predicted, observed = column(table, Role.PREDICTED), column(table, Role.OBSERVED)
    if predicted is None or observed is None:
        return ""
    gap = column_values(frame, observed) - column_values(frame, predicted)
    if not np.isfinite(gap).any():
        return ""
    worst = int(np.nanargmax(np.abs(gap)))
    band = str(frame.iloc[worst, 0])
    percent = is_percent(table, predicted, observed)

    def size(x: float) -> str:
        return f"{100 * abs(x):.1f} points" if percent else fmt_number(abs(x))

    if abs(gap[worst]) <= CALIBRATION_CLOSE:
        limit = size(CALIBRATION_CLOSE)
        return f"Predicted and observed rates agree within {limit} in every band"
    side = "under-predicts" if gap[worst] > 0 else "over-predicts"
    kind = "percent" if percent else "number"
    pred = fmt_cell(frame[predicted].iloc[worst], kind)
    obs = fmt_cell(frame[observed].iloc[worst], kind)
    return (
        f"The model {side} most in band {band}: {pred} predicted, {obs} observed "
        f"({size(gap[worst])} apart)"
    )


def curve_chart(curve: CalibrationCurve) -> str:
    """Observed rate against mean predicted probability per quantile bin (dots, with 95%
    Jeffreys intervals), the smoothed calibration curve (line) and perfect calibration
    (dashed diagonal); both axes are probabilities shown as percentages."""
    x = np.array([b.predicted for b in curve.bins])
    y = np.array([b.observed for b in curve.bins])
    low, high = np.array([b.low for b in curve.bins]), np.array([b.high for b in curve.bins])
    top = float(min(1.0, 1.05 * max(high.max(), x.max(), max(curve.smooth_y, default=0.0))))

    def draw(ax: Axes) -> None:
        ax.plot([0, top], [0, top], "--", color=GREY, lw=1, label="Perfect calibration")
        if curve.smooth_x:
            ax.plot(curve.smooth_x, curve.smooth_y, "-", color=ORANGE, lw=1.5, label="Smoothed")
        ax.errorbar(
            x,
            y,
            yerr=[y - low, high - y],
            fmt="o",
            color=BLUE,
            ms=4,
            capsize=2,
            lw=1,
            label="Observed, 95% interval",
        )
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel("Mean predicted probability in the bin")
        ax.set_ylabel("Observed rate")
        # the legend goes to the corner away from the dots: below-right when they sit
        # above the diagonal (under-prediction), else above-left
        above = np.mean(y > x) > 0.5
        ax.legend(loc="lower right" if above else "upper left")

    return chart("calibration", curve_title(curve), draw)


MIN_CURVE_BINS = 3  # fewer bins draw a point or a segment, not a curve to judge


def curve_title(curve: CalibrationCurve) -> str:
    """The curve's conclusion: every bin's prediction inside its interval, or where the
    model misses most.

    Example:
        >>> curve_title(curve)
        'Predicted and observed rates agree: every bin's prediction is within its 95% interval'
    """
    bins = curve.bins
    off = [b for b in bins if b.verdict != "fits"]
    if len(bins) < MIN_CURVE_BINS:
        # one or two bins say nothing about the curve's shape: "agree in all 1 bins" sat
        # under a calibration slope of -0.15 that said the risks were spread wrongly
        return (
            f"Too few rows for a calibration curve: {len(bins)} "
            f"{'bin' if len(bins) == 1 else 'bins'}, so only the calibration slope and "
            "intercept judge the probabilities"
        )
    if not off:
        return (
            f"Predicted and observed rates agree: in all {len(bins)} bins the prediction is "
            "within the 95% interval of the observed rate"
        )
    # Each bin's 95% interval misses a right prediction 1 time in 20: as many misses as
    # chance readily gives (P(at least that many) >= 5%) are not a finding.
    if binom.sf(len(off) - 1, len(bins), 0.05) >= 0.05:
        return (
            f"Predicted and observed rates agree within chance: {len(off)} of {len(bins)} "
            "bins outside their 95% interval, as about 1 in 20 is by chance alone"
        )

    def miss(b) -> float:
        return b.predicted - b.high if b.verdict == "over" else b.low - b.predicted

    worst = max(off, key=miss)
    side = "over-predicts" if worst.verdict == "over" else "under-predicts"
    return (
        f"The model misses in {len(off)} of {len(bins)} bins and {side} most at "
        f"{fmt_cell(worst.predicted, 'percent')} predicted: {fmt_cell(worst.observed, 'percent')} "
        f"observed (95% interval {fmt_cell(worst.low, 'percent')} to "
        f"{fmt_cell(worst.high, 'percent')})"
    )


def calibration_caption(results: Results) -> str:
    """The chart's caption: how to read it and, for the curve, how the bins were made."""
    curve = saved_curve(results)
    if curve is None:
        return (
            "Bars: what happened in each band. Dots: what the model predicted. Close together "
            "means the predicted probabilities can be used as they are."
        )
    rows = min(b.rows for b in curve.bins)
    smooth = f" Line: the smoothed curve, a {curve.smoother}." if curve.smooth_x else ""
    return (
        f"Dots: the observed rate in each bin of the hold-out ({len(curve.bins)} bins, "
        f"at least {rows} rows each; {curve.rule}), at the bin's mean predicted probability, "
        f"with its 95% Jeffreys interval (Brown, Cai & DasGupta 2001).{smooth} Dashed: "
        "perfect calibration. Dots on the diagonal mean the predicted probabilities can be "
        "used as they are."
    )
