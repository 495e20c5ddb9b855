"""The calibration chart: observed rate against mean predicted rate per score band.

Reads the table with key "calibration" (its first column names the bands; the columns
of roles `Role.PREDICTED` and `Role.OBSERVED` hold the two rates); None when it is
missing. Shown in the reliability section; `charts` re-exports these names.

Example:
    >>> calibration_title(results)
    'Predicted and observed rates agree within 5.0 points in every band'
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from tuneplate.engine.results import Results, Role, TableKey
from tuneplate.reports.figures import BLUE, GREY, chart, column, column_values, is_percent, plain
from tuneplate.reports.formatters import fmt_cell, fmt_number


def calibration(results: Results) -> str | None:
    """Observed rate (bars) against mean predicted rate (dots) per score band.

    Reads the table with key "calibration": its first column names the bands, and
    the columns of roles `Role.PREDICTED` and `Role.OBSERVED` hold the two rates.

    Example:
        >>> calibration(results) is None  # when the vertical has no calibration table
        False
    """
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
