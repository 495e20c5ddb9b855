"""Report charts: small matplotlib figures as inline SVG, built from `Results` only.

Each chart function returns an `<svg>` string ready to drop into the page, or None
when its inputs are missing (the template then leaves the chart out). Every chart is
titled with its conclusion, worked out from the same data it draws (the `*_title`
functions), so a reader who only reads titles still gets the message. The shared
style and SVG export are in `figures`; the parameter charts in `parameter_charts`.

This module holds the charts of the model's business figures (approval, decision curve,
frequencies) and `charts`, which collects every chart; the search's charts are in
`search_charts`, the calibration and fairness charts in `calibration_charts` and
`fairness_charts`, all re-exported here (`charts.history_title` still works).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from tuneplate.engine.results import Results, Role, TableKey
from tuneplate.reports.calibration_charts import (  # noqa: F401  re-exported
    CALIBRATION_CLOSE,
    calibration,
    calibration_caption,
    calibration_title,
    curve_title,
)
from tuneplate.reports.drivers import drivers_chart
from tuneplate.reports.fairness_charts import (  # noqa: F401  re-exported
    FOUR_FIFTHS,
    fairness,
    fairness_title,
    reference_rule,
)
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
from tuneplate.reports.formatters import fmt_cell, fmt_count, fmt_percent
from tuneplate.reports.parameter_charts import parallel, slice_plot
from tuneplate.reports.search_charts import (  # noqa: F401  re-exported: `charts.X` still works
    CURVE_STYLES,
    FLAT,
    LATE_SHARE,
    anytime,
    history,
    history_title,
    importance,
    importance_title,
    ordinal,
)


def approval(results: Results) -> str | None:
    """Bad rate among approved and declined applicants at each approval rate.

    Reads the table with key "cutoffs" (columns of roles `Role.APPROVAL_RATE` and
    `Role.BAD_RATE_APPROVED` / `BAD_RATE_DECLINED`) and marks the operating point
    (`headline.approval_rate`, the rate the vertical's verdict talks about) when set.

    Example:
        >>> approval(results)[:4]
        '<svg'
    """
    table = results.table(TableKey.CUTOFFS)
    if table is None or table.frame.empty:
        return None
    frame = table.frame
    rate = column(table, Role.APPROVAL_RATE)
    bad = _bad_rate_columns(table)
    if rate is None or not bad:
        return None
    x = column_values(frame, rate)
    operating = results.headline.approval_rate

    def draw(ax: Axes) -> None:
        for label, colour, style in zip(bad, (BLUE, ORANGE, GREY), ("-", "--", ":"), strict=False):
            y = column_values(frame, label)
            ax.plot(x, y, style, marker="o", ms=4, color=colour, lw=1.6, label=plain(label))
        if isinstance(operating, int | float) and 0 < operating <= 1:
            ax.axvline(operating, color="#555555", lw=0.8, ls=":")
            ax.text(
                operating,
                0.98,
                f" operating point {operating:.0%}",
                transform=ax.get_xaxis_transform(),
                va="top",
                fontsize=8,
                color="#555555",
            )
        ax.set_xlabel(plain(rate))
        ax.set_ylabel("Bad rate")
        if is_percent(table, rate):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if is_percent(table, *bad):
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(bottom=0)
        ax.legend(loc="best")

    return chart("approval", approval_title(results), draw)


def approval_title(results: Results) -> str:
    """The bad rate among approved at the operating point against approving everyone.

    Example:
        >>> approval_title(results)
        'At the operating point (70% approved) 17.0% of those approved go bad, against ...'
    """
    table = results.table(TableKey.CUTOFFS)
    if table is None or table.frame.empty:
        return ""
    frame = table.frame
    rate = column(table, Role.APPROVAL_RATE)
    bad = column(table, Role.BAD_RATE_APPROVED) or next(iter(_bad_rate_columns(table)), None)
    if rate is None or bad is None:
        return ""
    x, y = column_values(frame, rate), column_values(frame, bad)
    keep = np.isfinite(x) & np.isfinite(y)
    if not keep.any():
        return ""
    x, y = x[keep], y[keep]
    everyone = y[int(np.argmax(x))]
    operating = results.headline.approval_rate
    if isinstance(operating, int | float) and 0 < operating <= 1:
        at = int(np.argmin(np.abs(x - operating)))
        return (
            f"At the operating point ({operating:.0%} approved) {fmt_percent(y[at])} of those "
            f"approved go bad, against {fmt_percent(everyone)} approving everyone"
        )
    low = int(np.argmin(x))
    return (
        f"Approving more applicants raises the bad rate among them from {fmt_percent(y[low])} "
        f"at {fmt_percent(x[low])} approved to {fmt_percent(everyone)} approving everyone"
    )


def _bad_rate_columns(table) -> list[str]:
    """The bad-rate columns in table order: the declared ones, or (a table without roles)
    every column labelled "…bad rate…"."""
    if table.roles:
        found = {column(table, r) for r in (Role.BAD_RATE_APPROVED, Role.BAD_RATE_DECLINED)}
        return [c for c in table.frame.columns if c in found]
    return [c for c in table.frame.columns if "bad rate" in str(c).lower()]


def decision_curve(results: Results) -> str | None:
    """Net benefit of the model against treating everyone and treating no one.

    Reads the table with key "decision_curve" (columns of roles `Role.THRESHOLD`,
    `MODEL`, `TREAT_ALL`, `TREAT_NONE`; Vickers & Elkin 2006) and marks the threshold
    probability the vertical's stated costs imply (`headline.decision_threshold`)
    when there is one.

    Example:
        >>> decision_curve(results)[:4]
        '<svg'
    """
    table = results.table(TableKey.DECISION_CURVE)
    if table is None or table.frame.empty:
        return None
    frame = table.frame
    x_col = column(table, Role.THRESHOLD)
    roles = {r: column(table, r) for r in (Role.MODEL, Role.TREAT_ALL, Role.TREAT_NONE)}
    if x_col is None or roles[Role.MODEL] is None:
        return None
    x = column_values(frame, x_col)
    ys = {(r, c): column_values(frame, c) for r, c in roles.items() if c is not None}
    marked = results.headline.decision_threshold
    top = np.nanmax([np.nanmax(v) for v in ys.values()] + [0.0])
    top = top if np.isfinite(top) and top > 0 else 0.1

    def draw(ax: Axes) -> None:
        styles = {Role.MODEL: (BLUE, "-", 1.8), Role.TREAT_ALL: (ORANGE, "--", 1.4)}
        for (role, label), values in ys.items():
            colour, style, width = styles.get(role, (GREY, ":", 1.4))
            ax.plot(x, values, style, color=colour, lw=width, label=plain(label))
        if isinstance(marked, int | float) and np.nanmin(x) <= marked <= np.nanmax(x):
            ax.axvline(marked, color="#555555", lw=0.8, ls=":")
            ax.text(
                marked,
                0.98,
                f" stated costs {marked:.0%}",
                transform=ax.get_xaxis_transform(),
                va="top",
                fontsize=8,
                color="#555555",
            )
        ax.set_xlabel(plain(f"{x_col} (how sure one must be before acting)"))
        ax.set_ylabel("Net benefit")
        if is_percent(table, x_col):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        # Treat-all falls steeply at high thresholds; keep the useful range in view.
        ax.set_ylim(-0.15 * top, 1.1 * top)
        ax.legend(loc="best")

    return chart("decision_curve", decision_curve_title(results), draw)


def decision_curve_title(results: Results) -> str:
    """Where acting on the model beats treating everyone and treating no one."""
    table = results.table(TableKey.DECISION_CURVE)
    model_col = None if table is None else column(table, Role.MODEL)
    if table is None or table.frame.empty or model_col is None:
        return ""
    frame = table.frame
    x = pd.to_numeric(frame.iloc[:, 0], errors="coerce").to_numpy(dtype=float)
    model = column_values(frame, model_col)
    rivals = [column(table, r) for r in (Role.TREAT_ALL, Role.TREAT_NONE)]
    others = [column_values(frame, c) for c in rivals if c is not None]
    rival = np.nanmax(np.vstack(others), axis=0) if others else np.zeros_like(model)
    useful = model > rival + 1e-9
    kind = "percent" if is_percent(table, frame.columns[0]) else "number"
    if useful.all():
        low, high = fmt_cell(np.nanmin(x), kind), fmt_cell(np.nanmax(x), kind)
        return (
            "Acting on the model beats treating everyone or no one at every threshold "
            f"from {low} to {high}"
        )
    if not useful.any():
        return (
            "Acting on the model never beats treating everyone or no one: do not use it to decide"
        )
    low, high = fmt_cell(np.nanmin(x[useful]), kind), fmt_cell(np.nanmax(x[useful]), kind)
    return (
        f"Acting on the model beats treating everyone or no one at {useful.sum()} of "
        f"{len(useful)} thresholds, from {low} to {high}"
    )


def frequencies(results: Results) -> str | None:
    """Natural frequencies: what the model's decisions mean per 1,000 people, as one bar.

    Reads the table with key "per_1000": its first column names the outcomes and the
    column of role `Role.PER_1000` holds how many of 1,000 end up in each.

    Example:
        >>> frequencies(results)[:4]
        '<svg'
    """
    table = results.table(TableKey.PER_1000)
    if table is None or table.frame.empty:
        return None
    frame = table.frame
    per_1000 = column(table, Role.PER_1000)
    if per_1000 is None:
        return None
    counts = column_values(frame, per_1000)
    if not np.isfinite(counts).all() or counts.sum() <= 0:
        return None
    labels = [str(x) for x in frame.iloc[:, 0]]
    colours = (BLUE, ORANGE, "#d9a441", GREY, "#6b8fb3", "#b0b7bf")

    def draw(ax: Axes) -> None:
        left = 0.0
        for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
            colour = colours[i % len(colours)]
            name = plain(f"{label} ({fmt_count(count)})")
            ax.barh(0, count, left=left, color=colour, height=0.6, label=name)
            if count >= 0.04 * counts.sum():
                ax.text(
                    left + count / 2,
                    0,
                    fmt_count(count),
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=9,
                    fontweight="bold",
                )
            left += count
        ax.set_xlim(0, counts.sum())
        ax.set_ylim(-0.35, 1.0)
        ax.set_yticks([])
        ax.set_xlabel(plain(per_1000))
        ax.grid(False)
        ax.spines["left"].set_visible(False)
        ax.legend(
            loc="upper left",
            ncol=min(len(labels), 2),
            fontsize=8,
            handlelength=1,
            columnspacing=1.2,
            borderaxespad=0,
        )

    return chart("frequencies", frequencies_title(results), draw, figsize=(6, 2.2))


def frequencies_title(results: Results) -> str:
    """The per-1,000 figures in one sentence: "Per 1,000 patients: 355 cases caught, …"."""
    table = results.table(TableKey.PER_1000)
    if table is None or table.frame.empty:
        return ""
    frame = table.frame
    per_1000 = column(table, Role.PER_1000)
    if per_1000 is None:
        return ""
    unit = str(per_1000).split("1,000", 1)[-1].strip() or "cases"
    parts = [
        f"{fmt_count(count)} {str(label)[:1].lower()}{str(label)[1:]}"
        for label, count in zip(frame.iloc[:, 0], frame[per_1000], strict=True)
    ]
    return f"Per 1,000 {unit}: " + ", ".join(parts[:-1]) + f" and {parts[-1]}"


def charts(results: Results, shown: Results | None = None) -> dict[str, str | None]:
    """Every report chart by name; a value is None when its inputs are missing.

    The search's charts read `results`; the model-output charts (calibration, approval,
    decision curve, frequencies, fairness) read `shown`, the recommended model's figures
    (`sections.shown`), which is `results` unless the simple baseline is recommended.

    Example:
        >>> sorted(charts(results))
        ['approval', 'calibration', 'decision_curve', 'frequencies', 'history', ...]
    """
    shown = results if shown is None else shown
    return {
        "parallel": parallel(results),
        "slice": slice_plot(results),
        "history": history(results),
        "calibration": calibration(shown),
        "approval": approval(shown),
        "decision_curve": decision_curve(shown),
        "frequencies": frequencies(shown),
        "air": fairness(shown),
        "importance": importance(results),
        "contributions": drivers_chart(results),  # the recommended model's, from the run
    }
