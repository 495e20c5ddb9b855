"""Report charts: small matplotlib figures as inline SVG, built from `Results` only.

Each chart function returns an `<svg>` string ready to drop into the page, or None
when its inputs are missing (the template then leaves the chart out). Every chart is
titled with its conclusion, worked out from the same data it draws (the `*_title`
functions), so a reader who only reads titles still gets the message. Figures are
built with `matplotlib.figure.Figure` and an explicit Agg canvas, so pyplot's global
figure registry and the process-wide backend are never touched.
"""

from __future__ import annotations

import html
import io
import math
import re
import textwrap
from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from tuneplate.engine.results import Results, Table
from tuneplate.reports.formatters import fmt_cell, fmt_count, fmt_number, fmt_param, fmt_percent

FIGSIZE = (6, 3.3)
TITLE_WIDTH = 70  # characters per line of a chart title at FIGSIZE
BLUE, ORANGE, GREY = "#1f5f99", "#c8641e", "#9aa5b1"
STYLE = {
    # A fixed salt keeps the SVG byte-identical between renders of the same Results.
    "svg.hashsalt": "tuneplate",
    # Real <text> elements: a quarter of the size of glyph paths, selectable, and no
    # per-glyph <defs> whose ids would clash between charts on one page.
    "svg.fonttype": "none",
    "font.size": 9,
    "font.family": "sans-serif",
    # Written into every <text>: the browser uses the first it has, none is downloaded.
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
}
# Drop matplotlib's Dublin-Core block: it only adds bytes and third-party URLs.
_NO_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}


def _plain(text: object) -> str:
    """Text from the results, shown literally: a '$' must not start mathtext."""
    return str(text).replace("$", r"\$")


def _column(frame: pd.DataFrame, *words: str) -> str | None:
    """The first column whose label contains every word (case-insensitive)."""
    return next((c for c in frame.columns if all(w in str(c).lower() for w in words)), None)


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _is_percent(table: Table, *columns: str) -> bool:
    return all(table.formats.get(str(c)) == "percent" for c in columns)


def to_svg(fig: Figure, name: str, title: str) -> str:
    """Serialise `fig` as an inline `<svg>` element whose ids all start with `name`.

    Matplotlib numbers its groups `figure_1`, `axes_1`, … in every file, so two charts
    on one page would share ids; prefixing every id and every `#id` reference keeps
    them apart. Its `<style>` rule targets `*`, which inline would restyle the whole
    page, so it is scoped to this chart.

    Example:
        >>> to_svg(fig, "history", "Optimisation history")[:4]
        '<svg'
    """
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata=_NO_METADATA)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', svg)
    svg = svg.replace('<style type="text/css">*{', f'<style type="text/css">#{name} *{{', 1)
    label = html.escape(title, quote=True)
    return svg.replace("<svg ", f'<svg id="{name}" role="img" aria-label="{label}" ', 1)


def _chart(name: str, title: str, draw: Callable[[Axes], None], figsize: tuple = FIGSIZE) -> str:
    """One chart: `draw` fills the axes; `title` (its conclusion) is printed above them."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=figsize, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        draw(ax)
        width = round(TITLE_WIDTH * figsize[0] / FIGSIZE[0])
        wrapped = textwrap.fill(_plain(title), width)
        fig.suptitle(wrapped, x=0.01, ha="left", fontsize=10, fontweight="bold", color="#1f2328")
        return to_svg(fig, name, title)


def _completed(results: Results) -> pd.DataFrame | None:
    """Completed trials with a finite score, in trial order (None when there are none)."""
    trials = results.trials
    if trials is None or not {"number", "state", "value"} <= set(trials.columns):
        return None
    done = trials[trials["state"].astype("string") == "COMPLETE"].copy()
    done["value"] = pd.to_numeric(done["value"], errors="coerce")
    done["number"] = pd.to_numeric(done["number"], errors="coerce")
    done = done[np.isfinite(done["value"]) & np.isfinite(done["number"])]
    return None if done.empty else done.sort_values("number", kind="stable")


def history(results: Results) -> str | None:
    """Each completed trial's cross-validated score, with the best score so far.

    Example:
        >>> history(results).startswith("<svg")
        True
    """
    done = _completed(results)
    if done is None:
        return None
    x, y = done["number"].to_numpy(dtype=float), done["value"].to_numpy(dtype=float)
    maximize = results.metric.direction == "maximize"
    best = np.maximum.accumulate(y) if maximize else np.minimum.accumulate(y)

    def draw(ax: Axes) -> None:
        ax.plot(x, y, "o", ms=3.5, color=GREY, label="One trial")
        ax.step(x, best, where="post", color=BLUE, lw=1.8, label="Best so far")
        ax.set_xlabel("Trial")
        ax.set_ylabel(_plain(f"{results.metric.label} (cross-validated)"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="best")

    return _chart("history", history_title(results), draw)


LATE_SHARE = 0.8  # a best trial in the last fifth of the search: still improving
FLAT = 0.01  # a best score within 1% of the first trial's: the search hardly improved it


def history_title(results: Results) -> str:
    """When the best score was found, and whether more trials look worth it.

    Example:
        >>> history_title(results)
        'Best ROC AUC 0.790 found at trial 3 of 4: still improving, more trials may help'
    """
    done = _completed(results)
    if done is None:
        return ""
    values = done["value"].to_numpy(dtype=float)
    n = len(values)
    maximize = results.metric.direction == "maximize"
    at = int(np.argmax(values) if maximize else np.argmin(values)) + 1
    best = f"Best {results.metric.label} {fmt_number(values[at - 1])}"
    if n < 5:
        return f"{best} found at trial {at} of {n}: too few trials to judge the search"
    first = values[0]
    if at > 1 and abs(values[at - 1] - first) <= FLAT * abs(values[at - 1]):
        return (
            f"{best} is within {FLAT:.0%} of the first trial's: the starting settings were "
            "already about as good as this search space allows"
        )
    if at > LATE_SHARE * n:
        return f"{best} found at trial {at} of {n}: still improving, more trials may help"
    later = "the trial" if n - at == 1 else f"the {fmt_count(n - at)} trials"
    return f"{best} found by trial {at} of {n}; {later} after it found nothing better"


def calibration(results: Results) -> str | None:
    """Observed rate (bars) against mean predicted rate (dots) per score band.

    Reads the table with key "calibration": its first column names the bands, and
    the columns labelled "…predicted…" and "…observed…" hold the two rates.

    Example:
        >>> calibration(results) is None  # when the vertical has no calibration table
        False
    """
    table = results.table("calibration")
    if table is None or table.frame.empty:
        return None
    frame = table.frame
    predicted, observed = _column(frame, "predicted"), _column(frame, "observed")
    if predicted is None or observed is None:
        return None
    band = frame.columns[0]
    x = np.arange(len(frame))

    def draw(ax: Axes) -> None:
        ax.bar(x, _values(frame, observed), width=0.6, color=GREY, label=_plain(observed))
        ax.plot(x, _values(frame, predicted), "o-", color=BLUE, lw=1.5, label=_plain(predicted))
        ax.set_xticks(x, [_plain(b) for b in frame[band]], fontsize=8 if len(x) > 6 else 9)
        ax.set_xlabel(_plain(band))
        if _is_percent(table, predicted, observed):
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylabel("Share of the band")
        else:
            ax.set_ylabel("Value")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left")

    return _chart("calibration", calibration_title(results), draw)


CALIBRATION_CLOSE = 0.05  # five percentage points between predicted and observed


def calibration_title(results: Results) -> str:
    """Where predicted and observed rates differ most, or that they agree.

    Example:
        >>> calibration_title(results)
        'Predicted and observed rates agree within 5.0 points in every band'
    """
    table = results.table("calibration")
    if table is None or table.frame.empty:
        return ""
    frame = table.frame
    predicted, observed = _column(frame, "predicted"), _column(frame, "observed")
    if predicted is None or observed is None:
        return ""
    gap = _values(frame, observed) - _values(frame, predicted)
    if not np.isfinite(gap).any():
        return ""
    worst = int(np.nanargmax(np.abs(gap)))
    band = str(frame.iloc[worst, 0])
    percent = _is_percent(table, predicted, observed)

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

    Reads the table with key "cutoffs" (columns "Approval rate" and "Bad rate …") and
    marks the operating point (`headline["approval_rate"]`, the rate the vertical's
    verdict talks about) when there is one.

    Example:
        >>> approval(results)[:4]
        '<svg'
    """
    table = results.table("cutoffs")
    if table is None or table.frame.empty:
        return None
    frame = table.frame
    rate = _column(frame, "approval", "rate")
    bad = [c for c in frame.columns if "bad rate" in str(c).lower()]
    if rate is None or not bad:
        return None
    x = _values(frame, rate)
    operating = results.headline.get("approval_rate")

    def draw(ax: Axes) -> None:
        for column, colour, style in zip(bad, (BLUE, ORANGE, GREY), ("-", "--", ":"), strict=False):
            y = _values(frame, column)
            ax.plot(x, y, style, marker="o", ms=4, color=colour, lw=1.6, label=_plain(column))
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
        ax.set_xlabel(_plain(rate))
        ax.set_ylabel("Bad rate")
        if _is_percent(table, rate):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if _is_percent(table, *bad):
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(bottom=0)
        ax.legend(loc="best")

    return _chart("approval", approval_title(results), draw)


def approval_title(results: Results) -> str:
    """The bad rate among approved at the operating point against approving everyone.

    Example:
        >>> approval_title(results)
        'At the operating point (70% approved) 17.0% of those approved go bad, against ...'
    """
    table = results.table("cutoffs")
    if table is None or table.frame.empty:
        return ""
    frame = table.frame
    rate = _column(frame, "approval", "rate")
    bad = _column(frame, "bad rate", "approved") or next(
        (c for c in frame.columns if "bad rate" in str(c).lower()), None
    )
    if rate is None or bad is None:
        return ""
    x, y = _values(frame, rate), _values(frame, bad)
    keep = np.isfinite(x) & np.isfinite(y)
    if not keep.any():
        return ""
    x, y = x[keep], y[keep]
    everyone = y[int(np.argmax(x))]
    operating = results.headline.get("approval_rate")
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


def decision_curve(results: Results) -> str | None:
    """Net benefit of the model against treating everyone and treating no one.

    Reads the table with key "decision_curve" (columns "Threshold probability",
    "Model", "Treat all", "Treat none"; Vickers & Elkin 2006) and marks the
    threshold probability the vertical's stated costs imply
    (`headline["decision_threshold"]`) when there is one.

    Example:
        >>> decision_curve(results)[:4]
        '<svg'
    """
    table = results.table("decision_curve")
    if table is None or table.frame.empty:
        return None
    frame = table.frame
    x_col = _column(frame, "threshold")
    lines = [c for c in ("Model", "Treat all", "Treat none") if c in frame.columns]
    if x_col is None or "Model" not in lines:
        return None
    x = _values(frame, x_col)
    ys = {c: _values(frame, c) for c in lines}
    marked = results.headline.get("decision_threshold")
    top = np.nanmax([np.nanmax(v) for v in ys.values()] + [0.0])
    top = top if np.isfinite(top) and top > 0 else 0.1

    def draw(ax: Axes) -> None:
        styles = {"Model": (BLUE, "-", 1.8), "Treat all": (ORANGE, "--", 1.4)}
        for column, values in ys.items():
            colour, style, width = styles.get(column, (GREY, ":", 1.4))
            ax.plot(x, values, style, color=colour, lw=width, label=_plain(column))
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
        ax.set_xlabel(_plain(f"{x_col} (how sure one must be before acting)"))
        ax.set_ylabel("Net benefit")
        if _is_percent(table, x_col):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        # Treat-all falls steeply at high thresholds; keep the useful range in view.
        ax.set_ylim(-0.15 * top, 1.1 * top)
        ax.legend(loc="best")

    return _chart("decision_curve", decision_curve_title(results), draw)


def decision_curve_title(results: Results) -> str:
    """Where acting on the model beats treating everyone and treating no one."""
    table = results.table("decision_curve")
    if table is None or table.frame.empty or "Model" not in table.frame.columns:
        return ""
    frame = table.frame
    x = pd.to_numeric(frame.iloc[:, 0], errors="coerce").to_numpy(dtype=float)
    model = _values(frame, "Model")
    others = [_values(frame, c) for c in ("Treat all", "Treat none") if c in frame.columns]
    rival = np.nanmax(np.vstack(others), axis=0) if others else np.zeros_like(model)
    useful = model > rival + 1e-9
    kind = "percent" if _is_percent(table, frame.columns[0]) else "number"
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
        ax.set_yticks(range(len(names)), [_plain(n) for n in names])
        ax.set_xlabel("Share of the score's variation explained")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))

    return _chart("importance", importance_title(results), draw)


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
    column labelled "Per 1,000 …" holds how many of 1,000 end up in each.

    Example:
        >>> frequencies(results)[:4]
        '<svg'
    """
    table = results.table("per_1000")
    if table is None or table.frame.empty:
        return None
    frame = table.frame
    column = _column(frame, "per 1,000")
    if column is None:
        return None
    counts = _values(frame, column)
    if not np.isfinite(counts).all() or counts.sum() <= 0:
        return None
    labels = [str(x) for x in frame.iloc[:, 0]]
    colours = (BLUE, ORANGE, "#d9a441", GREY, "#6b8fb3", "#b0b7bf")

    def draw(ax: Axes) -> None:
        left = 0.0
        for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
            colour = colours[i % len(colours)]
            name = _plain(f"{label} ({fmt_count(count)})")
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
        ax.set_xlabel(_plain(column))
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

    return _chart("frequencies", frequencies_title(results), draw, figsize=(6, 2.2))


def frequencies_title(results: Results) -> str:
    """The per-1,000 figures in one sentence: "Per 1,000 patients: 355 cases caught, …"."""
    table = results.table("per_1000")
    if table is None or table.frame.empty:
        return ""
    frame = table.frame
    column = _column(frame, "per 1,000")
    if column is None:
        return ""
    unit = str(column).split("1,000", 1)[-1].strip() or "cases"
    parts = [
        f"{fmt_count(count)} {str(label)[:1].lower()}{str(label)[1:]}"
        for label, count in zip(frame.iloc[:, 0], frame[column], strict=True)
    ]
    return f"Per 1,000 {unit}: " + ", ".join(parts[:-1]) + f" and {parts[-1]}"


FOUR_FIFTHS = 0.8


def _air_rows(results: Results) -> tuple[list[str], np.ndarray] | None:
    """(group labels, adverse impact ratios) from the fairness table, or None."""
    table = results.table("fairness")
    if table is None or table.frame.empty or "Adverse impact ratio" not in table.frame:
        return None
    frame = table.frame
    air = _values(frame, "Adverse impact ratio")
    keep = np.isfinite(air)
    if not keep.any():
        return None
    if "Group" in frame.columns and "Attribute" in frame.columns:
        labels = [f"{row['Group']} ({row['Attribute']})" for _, row in frame.iterrows()]
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
        wrapped = [_plain(textwrap.fill(lbl, 30, max_lines=2, placeholder=" …")) for lbl in labels]
        ax.set_yticks(y, wrapped, fontsize=7.5)
        ax.set_xlim(0, max(1.05, float(np.nanmax(air)) * 1.05))
        ax.set_xlabel("Adverse impact ratio")
        ax.grid(axis="y", visible=False)

    height = min(1.3 + 0.3 * len(labels), 8.0)
    return _chart("air", fairness_title(results), draw, figsize=(6, height))


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


# ------------------------------------------------------------ parameters: which settings work

MAX_AXES = 8  # parallel coordinates: the settings that mattered most, at most this many
MAX_LINES = 300  # beyond this many trials only the best are drawn (and the title says so)
MIN_TRIALS_TO_JUDGE = 6
AGREE = 0.35  # the best trials "agree" on a setting spanning at most this share of its range
EDGE = 0.05  # a best value within 5% of either end of the range tried is "at the edge"
LOG_RATIO = 100  # a positive setting spanning two decades is drawn on a log scale


def _param_columns(results: Results, done: pd.DataFrame) -> list[str]:
    """The varied settings, most important first, at most MAX_AXES."""
    cols = [c for c in done.columns if str(c).startswith("params_")]
    cols = [c for c in cols if done[c].dropna().nunique() > 1]
    importance = results.importance or {}
    order = {c: -float(importance.get(str(c)[7:], 0.0) or 0.0) for c in cols}
    return sorted(cols, key=lambda c: order[c])[:MAX_AXES]


class _Axis:
    """One setting on a 0-to-1 scale, with what to print at its ends."""

    def __init__(self, values: pd.Series):
        self.name = str(values.name)[len("params_") :]
        numeric = pd.to_numeric(values, errors="coerce")
        self.numeric = bool(numeric.notna().sum() == values.notna().sum())
        if self.numeric:
            raw = numeric.to_numpy(dtype=float)
            lo, hi = np.nanmin(raw), np.nanmax(raw)
            self.log = bool(lo > 0 and hi / lo >= LOG_RATIO)
            t = np.log10(raw) if self.log else raw
            tlo, thi = np.nanmin(t), np.nanmax(t)
            self.pos = (t - tlo) / (thi - tlo) if thi > tlo else np.full_like(t, 0.5)
            self.raw = raw
            self.ticks = [(0.0, _short(_tidy(lo, values))), (1.0, _short(_tidy(hi, values)))]
        else:
            text = values.astype("string")
            levels = sorted(text.dropna().unique())
            codes = {level: i for i, level in enumerate(levels)}
            span = max(len(levels) - 1, 1)
            self.log = False
            self.raw = text.to_numpy(dtype=object)
            self.pos = np.array([codes[v] / span if v in codes else np.nan for v in self.raw])
            shown = levels if len(levels) <= 6 else [levels[0], levels[-1]]
            self.ticks = [(codes[v] / span, str(v)) for v in shown]

    def describe(self, mask: np.ndarray) -> str:
        """The values the masked trials take, for a title."""
        raw = self.raw[mask]
        if self.numeric:
            lo, hi = np.nanmin(raw), np.nanmax(raw)
            return fmt_param(lo) if lo == hi else f"{fmt_param(lo)}–{fmt_param(hi)}"
        return ", ".join(sorted({str(v) for v in raw if v is not None and v == v}))


def _short(value: float | int) -> str:
    """A setting's value for an axis end: "1e-8" rather than "1e-08"."""
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", fmt_param(value)).replace("e+", "e")


def _tidy(value: float, values: pd.Series) -> float | int:
    """An integer setting's end shown as an integer."""
    return int(value) if pd.api.types.is_integer_dtype(values.dropna()) else value


def _score_positions(done: pd.DataFrame, maximize: bool) -> np.ndarray:
    """Scores on a 0-to-1 scale with the better end at 1."""
    v = done["value"].to_numpy(dtype=float)
    lo, hi = np.nanmin(v), np.nanmax(v)
    pos = (v - lo) / (hi - lo) if hi > lo else np.full_like(v, 0.5)
    return pos if maximize else 1 - pos


def _best_mask(done: pd.DataFrame, maximize: bool) -> np.ndarray:
    """The best quarter of the trials (at least two)."""
    n = len(done)
    k = max(2, math.ceil(n / 4))
    order = np.argsort(-done["value"].to_numpy(dtype=float) if maximize else done["value"])
    mask = np.zeros(n, bool)
    mask[np.asarray(order)[:k]] = True
    return mask


def parameters_title(results: Results) -> str:
    """Which setting the best trials agree on, and where in the range tried.

    Example:
        >>> parameters_title(results)
        'The best 5 of 20 trials agree on learning_rate: 0.0121–0.0206, the low end of ...'
    """
    done = _completed(results)
    if done is None:
        return ""
    cols = _param_columns(results, done)
    if not cols:
        return ""
    n = len(done)
    if n < MIN_TRIALS_TO_JUDGE:
        return f"Only {n} trials: too few to see which settings the best ones share"
    maximize = results.metric.direction == "maximize"
    best = _best_mask(done, maximize)
    # `auto` runs: a family's settings are empty in other families' trials
    axes = [a for a in (_Axis(done[c]) for c in cols) if np.isfinite(a.pos[best]).any()]
    spreads = [float(np.nanmax(a.pos[best]) - np.nanmin(a.pos[best])) for a in axes]
    k = int(best.sum())
    tightest = int(np.argmin(spreads)) if spreads else 0
    if not spreads or spreads[tightest] > AGREE:
        return (
            f"No single setting sets the best {k} of {n} trials apart: within the ranges "
            "tried, many settings work about as well"
        )
    axis = axes[tightest]
    where = ""
    if axis.numeric:
        centre = float(np.nanmean(axis.pos[best]))
        where = (
            ", the low end of the range tried"
            if centre < 1 / 3
            else ", the high end of the range tried"
            if centre > 2 / 3
            else ", the middle of the range tried"
        )
    return f"The best {k} of {n} trials agree on {axis.name}: {axis.describe(best)}{where}"


def parallel(results: Results) -> str | None:
    """Parallel coordinates: one line per completed trial across one axis per setting.

    Drawn when the search varied two or more settings; the last axis is the score,
    better at the top, and lines are darker the better their score (the best trial in
    orange). Only the MAX_AXES most important settings and the MAX_LINES best trials
    are drawn.

    Example:
        >>> parallel(results)[:4]
        '<svg'
    """
    done = _completed(results)
    if done is None:
        return None
    cols = _param_columns(results, done)
    if len(cols) < 2:
        return None
    maximize = results.metric.direction == "maximize"
    axes = [_Axis(done[c]) for c in cols]
    score = _score_positions(done, maximize)
    order = np.argsort(score, kind="stable")[-MAX_LINES:]  # worst first, best drawn last
    values = done["value"].to_numpy(dtype=float)
    k = len(axes)
    xs = np.arange(k + 1)
    cmap = matplotlib.colormaps["Blues"]

    def draw(ax: Axes) -> None:
        for rank, i in enumerate(order):
            ys = [a.pos[i] for a in axes] + [score[i]]
            best = rank == len(order) - 1
            colour = ORANGE if best else cmap(0.25 + 0.65 * score[i])
            ax.plot(
                xs,
                ys,
                color=colour,
                lw=2.2 if best else 0.9,
                alpha=1 if best else 0.7,
                zorder=3 if best else 2,
            )
        for x, a in enumerate(axes):
            ax.axvline(x, color="#888888", lw=0.8, zorder=1)
            for y, label in a.ticks:
                ax.text(x + 0.04, y, _plain(label), fontsize=7, va="center", color="#444444")
        ax.axvline(k, color="#888888", lw=0.8, zorder=1)
        lo, hi = np.nanmin(values), np.nanmax(values)
        worst_end, best_end = (lo, hi) if maximize else (hi, lo)
        ax.text(k + 0.04, 0, fmt_number(worst_end), fontsize=7, va="center", color="#444444")
        ax.text(k + 0.04, 1, fmt_number(best_end), fontsize=7, va="center", color="#444444")
        names = [_plain(a.name + (" (log)" if a.log else "")) for a in axes]
        ax.set_xticks(
            xs, [*names, _plain(results.metric.label)], fontsize=8, rotation=20, ha="right"
        )
        ax.set_yticks([])
        ax.set_xlim(-0.1, k + 0.5)
        ax.set_ylim(-0.05, 1.05)
        ax.grid(False)
        ax.spines["left"].set_visible(False)
        ax.spines["bottom"].set_visible(False)

    title = parameters_title(results)
    if len(done) > MAX_LINES:
        title += f" (best {fmt_count(MAX_LINES)} trials drawn)"
    return _chart("parallel", title, draw, figsize=(6.5, 3.6))


def slice_plot(results: Results) -> str | None:
    """The score of each trial against the one setting the search varied.

    Example:
        >>> slice_plot(make_results(trials=one_setting))[:4]
        '<svg'
    """
    done = _completed(results)
    if done is None:
        return None
    cols = _param_columns(results, done)
    if len(cols) != 1:
        return None
    axis = _Axis(done[cols[0]])
    y = done["value"].to_numpy(dtype=float)

    def draw(ax: Axes) -> None:
        if axis.numeric:
            ax.plot(axis.raw, y, "o", ms=4, color=BLUE, alpha=0.8)
            if axis.log:
                ax.set_xscale("log")
        else:
            ax.plot(axis.pos, y, "o", ms=4, color=BLUE, alpha=0.8)
            ax.set_xticks([p for p, _ in axis.ticks], [_plain(t) for _, t in axis.ticks])
        ax.set_xlabel(_plain(axis.name))
        ax.set_ylabel(_plain(f"{results.metric.label} (cross-validated)"))

    return _chart("slice", slice_title(results), draw)


def slice_title(results: Results) -> str:
    """Where along its range the one tuned setting scores best, and whether it hit an edge."""
    done = _completed(results)
    if done is None:
        return ""
    cols = _param_columns(results, done)
    if len(cols) != 1:
        return ""
    axis = _Axis(done[cols[0]])
    maximize = results.metric.direction == "maximize"
    best = _best_mask(done, maximize)
    text = f"The best trials have {axis.name} {axis.describe(best)}"
    if axis.numeric:
        at = int(np.argmax(done["value"].to_numpy()) if maximize else np.argmin(done["value"]))
        if axis.pos[at] <= EDGE or axis.pos[at] >= 1 - EDGE:
            end = "lowest" if axis.pos[at] <= EDGE else "highest"
            return f"{text}; the best is near the {end} value tried, so the best may lie beyond it"
        lo, hi = axis.ticks[0][1], axis.ticks[-1][1]
        return f"{text}, inside the range tried ({lo}–{hi})"
    return text


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
            ax.step(x, y, where="post", color=colour, ls=dash, lw=1.8, label=_plain(name))
            ax.plot(x[:1], y[:1], "o", ms=3.5, color=colour)
        ax.set_xlabel("Seconds since the search started")
        ax.set_ylabel(_plain(f"Best {label} so far (cross-validated)"))
        ax.legend(loc="best")

    return _chart("anytime", "Best score so far over time, per strategy", draw)


def charts(results: Results) -> dict[str, str | None]:
    """Every report chart by name; a value is None when its inputs are missing.

    Example:
        >>> sorted(charts(results))
        ['approval', 'calibration', 'decision_curve', 'frequencies', 'history', ...]
    """
    return {
        "parallel": parallel(results),
        "slice": slice_plot(results),
        "history": history(results),
        "calibration": calibration(results),
        "approval": approval(results),
        "decision_curve": decision_curve(results),
        "frequencies": frequencies(results),
        "air": fairness(results),
        "importance": importance(results),
    }
