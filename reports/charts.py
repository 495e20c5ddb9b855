"""Report charts: small matplotlib figures as inline SVG, built from `Results` only.

Each chart function returns an `<svg>` string ready to drop into the page, or None
when its inputs are missing (the template then leaves the chart out). Figures are
built with `matplotlib.figure.Figure` and an explicit Agg canvas, so pyplot's global
figure registry and the process-wide backend are never touched.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from tuneplate.engine.results import Results, Table

FIGSIZE = (6, 3)
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


def _chart(name: str, title: str, draw: Callable[[Axes], None]) -> str:
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=FIGSIZE, layout="constrained")
        FigureCanvasAgg(fig)
        draw(fig.add_subplot())
        return to_svg(fig, name, title)


def history(results: Results) -> str | None:
    """Each completed trial's cross-validated score, with the best score so far.

    Example:
        >>> history(results).startswith("<svg")
        True
    """
    trials = results.trials
    if trials is None or not {"number", "state", "value"} <= set(trials.columns):
        return None
    done = trials[trials["state"].astype("string") == "COMPLETE"]
    x = pd.to_numeric(done["number"], errors="coerce").to_numpy(dtype=float)
    y = _values(done, "value")
    keep = np.isfinite(x) & np.isfinite(y)
    if not keep.any():
        return None
    order = np.argsort(x[keep], kind="stable")
    x, y = x[keep][order], y[keep][order]
    maximize = results.metric.direction == "maximize"
    best = np.maximum.accumulate(y) if maximize else np.minimum.accumulate(y)

    def draw(ax: Axes) -> None:
        ax.plot(x, y, "o", ms=3.5, color=GREY, label="One trial")
        ax.step(x, best, where="post", color=BLUE, lw=1.8, label="Best so far")
        ax.set_xlabel("Trial")
        ax.set_ylabel(_plain(f"{results.metric.label} (cross-validated)"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="best")

    return _chart("history", "Optimisation history", draw)


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

    return _chart("calibration", "Predicted vs observed by score band", draw)


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

    return _chart("approval", "Bad rate by approval rate", draw)


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

    return _chart("decision_curve", "Decision curve: net benefit by threshold probability", draw)


def importance(results: Results) -> str | None:
    """Which settings mattered: each parameter's share of the score's variance (fANOVA).

    Example:
        >>> importance(results).startswith("<svg")
        True
    """
    shares = {k: v for k, v in (results.importance or {}).items() if v == v}
    if not shares:
        return None
    names = sorted(shares, key=shares.get)

    def draw(ax: Axes) -> None:
        ax.barh(range(len(names)), [shares[n] for n in names], color=BLUE)
        ax.set_yticks(range(len(names)), [_plain(n) for n in names])
        ax.set_xlabel("Share of the score's variation explained")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))

    top = names[-1]
    return _chart("importance", f"{_plain(top)} mattered most for the score", draw)


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
        ['approval', 'calibration', 'decision_curve', 'history', 'importance']
    """
    return {
        "history": history(results),
        "calibration": calibration(results),
        "approval": approval(results),
        "decision_curve": decision_curve(results),
        "importance": importance(results),
    }
