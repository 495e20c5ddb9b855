"""Report charts: small matplotlib figures as inline SVG, built from `Results` only.

Each chart function returns an `<svg>` string ready to drop into the page, or None
when its inputs are missing (the template then leaves the chart out). Every chart is
titled with its conclusion, worked out from the same data it draws (the `*_title`
functions), so a reader who only reads titles still gets the message. The shared
style and SVG export are in `figures`; the parameter charts in `parameter_charts`.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, PercentFormatter

from tuneplate.engine.results import Results, Role, TableKey
from tuneplate.reports.figures import (
    BLUE,
    GREY,
    ORANGE,
    chart,
    column,
    column_values,
    completed,
    is_percent,
    plain,
)
from tuneplate.reports.formatters import fmt_cell, fmt_count, fmt_number, fmt_percent
from tuneplate.reports.parameter_charts import parallel, slice_plot


def history(results: Results) -> str | None:
    """Each completed trial's cross-validated score, with the best score so far.

    Example:
        >>> history(results).startswith("<svg")
        True
    """
    done = completed(results)
    if done is None:
        return None
    x, y = done["number"].to_numpy(dtype=float), done["value"].to_numpy(dtype=float)
    maximize = results.metric.direction == "maximize"
    best = np.maximum.accumulate(y) if maximize else np.minimum.accumulate(y)

    def draw(ax: Axes) -> None:
        ax.plot(x, y, "o", ms=3.5, color=GREY, label="One trial")
        ax.step(x, best, where="post", color=BLUE, lw=1.8, label="Best so far")
        ax.set_xlabel("Trial # (Optuna's number, from 0)")
        ax.set_ylabel(plain(f"{results.metric.label} (cross-validated)"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="best")

    return chart("history", history_title(results), draw)


LATE_SHARE = 0.8  # a best trial in the last fifth of the search: still improving
FLAT = 0.01  # a best score within 1% of the first trial's: the search hardly improved it


def history_title(results: Results) -> str:
    """When the best score was found, and whether more trials look worth it.

    Trials are named by Optuna's number (from 0, "#3"), as in the best-trials table,
    `results.json` and Optuna's own storage and dashboard: one trial, one name.

    Example:
        >>> history_title(results)
        'Best ROC AUC 0.790 found at trial #3 (3rd of 4 completed): still improving, ...'
    """
    done = completed(results)
    if done is None:
        return ""
    values = done["value"].to_numpy(dtype=float)
    numbers = done["number"].to_numpy(dtype=int)
    n = len(values)
    maximize = results.metric.direction == "maximize"
    at = int(np.argmax(values) if maximize else np.argmin(values)) + 1  # 1-based position
    best = f"Best {results.metric.label} {fmt_number(values[at - 1])}"
    found = f"trial #{numbers[at - 1]} ({ordinal(at)} of {n} completed)"
    if n < 5:
        return f"{best} found at {found}: too few trials to judge the search"
    first = values[0]
    if at > 1 and abs(values[at - 1] - first) <= FLAT * abs(values[at - 1]):
        return (
            f"{best} is within {FLAT:.0%} of the first trial's: the starting settings were "
            "already about as good as this search space allows"
        )
    if at > LATE_SHARE * n:
        return f"{best} found at {found}: still improving, more trials may help"
    later = "the completed trial" if n - at == 1 else f"the {fmt_count(n - at)} completed trials"
    return f"{best} found by {found}; {later} after it found nothing better"


def ordinal(k: int) -> str:
    """1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, 21st.

    Example:
        >>> ordinal(22)
        '22nd'
    """
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


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


def importance(results: Results) -> str | None:
    """Which settings mattered: each parameter's share of the score's variance (fANOVA).

    Example:
        >>> importance(results).startswith("<svg")
        True
    """
    shares = {k: v for k, v in (results.importance or {}).items() if v == v}
    if len(shares) < 2:  # one setting explains all of the variation: nothing to compare
        return None
    names = sorted(shares, key=shares.get)

    def draw(ax: Axes) -> None:
        ax.barh(range(len(names)), [shares[n] for n in names], color=BLUE)
        ax.set_yticks(range(len(names)), [plain(n) for n in names])
        ax.set_xlabel("Share of the score's variation explained")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))

    return chart("importance", importance_title(results), draw)


def importance_title(results: Results) -> str:
    """The setting that mattered most and its share of the score's variation."""
    shares = {k: v for k, v in (results.importance or {}).items() if v == v}
    if not shares:
        return ""
    top = max(shares, key=shares.get)
    return f"{top} mattered most for the score: {fmt_percent(shares[top], 0)} of its variation"


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


FOUR_FIFTHS = 0.8


def _air_rows(results: Results) -> tuple[list[str], np.ndarray] | None:
    """(group labels, adverse impact ratios) from the fairness table, or None."""
    table = results.table(TableKey.FAIRNESS)
    air_col = None if table is None else column(table, Role.ADVERSE_IMPACT)
    if table is None or table.frame.empty or air_col is None:
        return None
    frame = table.frame
    air = column_values(frame, air_col)
    keep = np.isfinite(air)
    if not keep.any():
        return None
    group, attribute = column(table, Role.GROUP), column(table, Role.ATTRIBUTE)
    if group is not None and attribute is not None:
        labels = [f"{row[group]} ({row[attribute]})" for _, row in frame.iterrows()]
    else:
        labels = [str(v) for v in frame.iloc[:, 0]]
    return [lbl for lbl, k in zip(labels, keep, strict=True) if k], air[keep]


def fairness(results: Results) -> str | None:
    """Adverse impact ratio per group as bars, with the four-fifths line.

    Example:
        >>> fairness(results)[:4]
        '<svg'
    """
    rows = _air_rows(results)
    if rows is None:
        return None
    labels, air = rows
    y = np.arange(len(labels))[::-1]

    def draw(ax: Axes) -> None:
        colours = [ORANGE if a < FOUR_FIFTHS else BLUE for a in air]
        ax.barh(y, air, color=colours, height=0.6)
        ax.axvline(FOUR_FIFTHS, color="#555555", lw=0.8, ls=":")
        ax.text(
            FOUR_FIFTHS,
            1.0,
            " four-fifths",
            transform=ax.get_xaxis_transform(),
            va="bottom",
            fontsize=8,
            color="#555555",
        )
        wrapped = [plain(textwrap.fill(lbl, 30, max_lines=2, placeholder=" …")) for lbl in labels]
        ax.set_yticks(y, wrapped, fontsize=7.5)
        ax.set_xlim(0, max(1.05, float(np.nanmax(air)) * 1.05))
        ax.set_xlabel("Adverse impact ratio")
        ax.grid(axis="y", visible=False)

    height = min(1.3 + 0.3 * len(labels), 8.0)
    return chart("air", fairness_title(results), draw, figsize=(6, height))


def fairness_title(results: Results) -> str:
    """How many groups fall under four-fifths of the top group's rate, and the lowest."""
    rows = _air_rows(results)
    if rows is None:
        return ""
    labels, air = rows
    low = int(np.argmin(air))
    under = int((air < FOUR_FIFTHS).sum())
    if not under:
        return (
            f"Every group gets favourable decisions at four-fifths or more of the top group's "
            f"rate (lowest: {labels[low]}, {fmt_number(air[low])})"
        )
    groups = "1 group gets" if under == 1 else f"{under} of {len(air)} groups get"
    return (
        f"{groups} favourable decisions at under four-fifths of the top group's rate "
        f"(lowest: {labels[low]}, {fmt_number(air[low])})"
    )


# One colour per strategy in a comparison, distinguishable in greyscale print by line style.
CURVE_STYLES = [
    (BLUE, "-"),
    (ORANGE, "--"),
    ("#2e7d32", "-."),
    ("#6a3d9a", ":"),
    ("#444444", (0, (5, 1, 1, 1))),
    ("#b8860b", (0, (3, 2))),
    ("#00838f", (0, (1, 2))),
]


def anytime(
    curves: dict[str, list[tuple[float, float]]], label: str, budget_s: float | None = None
) -> str | None:
    """Best cross-validated score so far over elapsed seconds, one line per strategy.

    Example:
        >>> anytime({"random": [(0.4, 0.75), (2.0, 0.78)]}, "ROC AUC").startswith("<svg")
        True
    """
    curves = {k: v for k, v in curves.items() if v}
    if not curves:
        return None

    def draw(ax: Axes) -> None:
        for i, (name, points) in enumerate(curves.items()):
            colour, dash = CURVE_STYLES[i % len(CURVE_STYLES)]
            x = [t for t, _ in points]
            y = [v for _, v in points]
            if budget_s is not None:  # the best so far holds until the budget ends
                x, y = [*x, max(budget_s, x[-1])], [*y, y[-1]]
            ax.step(x, y, where="post", color=colour, ls=dash, lw=1.8, label=plain(name))
            ax.plot(x[:1], y[:1], "o", ms=3.5, color=colour)
        ax.set_xlabel("Seconds since the search started")
        ax.set_ylabel(plain(f"Best {label} so far (cross-validated)"))
        ax.legend(loc="best")

    return chart("anytime", "Best score so far over time, per strategy", draw)


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
    }
