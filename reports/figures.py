"""What every report chart shares: the style, the SVG export and small data helpers.

Figures are built with `matplotlib.figure.Figure` and an explicit Agg canvas, so
pyplot's global figure registry and the process-wide backend are never touched.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tuneplate.engine.results import Results, Role, Table

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


def plain(text: object) -> str:
    """Text from the results, shown literally: a '$' must not start mathtext."""
    return str(text).replace("$", r"\$")


def find_column(frame: pd.DataFrame, *words: str) -> str | None:
    """The first column whose label contains every word (case-insensitive)."""
    return next((c for c in frame.columns if all(w in str(c).lower() for w in words)), None)


# How the report found each role's column before tables declared `roles` (results.json
# written before 0.2, hand-built tables): words the label contains, or the exact label.
LEGACY_LABELS: dict[str, tuple[str, ...] | str] = {
    Role.APPROVAL_RATE: ("approval", "rate"),
    Role.BAD_RATE_APPROVED: ("bad rate", "approved"),
    Role.BAD_RATE_DECLINED: ("bad rate", "declined"),
    Role.PREDICTED: ("predicted",),
    Role.OBSERVED: ("observed",),
    Role.THRESHOLD: ("threshold",),
    Role.MODEL: "Model",
    Role.TREAT_ALL: "Treat all",
    Role.TREAT_NONE: "Treat none",
    Role.PER_1000: ("per 1,000",),
    Role.ADVERSE_IMPACT: "Adverse impact ratio",
    Role.GROUP: "Group",
    Role.ATTRIBUTE: "Attribute",
}


def column(table: Table, role: str) -> str | None:
    """The label of `table`'s column for `role`: the declared one, else (a table without
    `roles`) the label it was found by before roles existed; None when there is none.

    Example:
        >>> column(Table("cutoffs", "T", frame, roles={Role.APPROVAL_RATE: "Share approved"}),
        ...        Role.APPROVAL_RATE)
        'Share approved'
    """
    if table.roles:
        return table.column(role)
    legacy = LEGACY_LABELS.get(role)
    if isinstance(legacy, str):
        return legacy if legacy in table.frame.columns else None
    return find_column(table.frame, *legacy) if legacy else None


def column_values(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def is_percent(table: Table, *columns: str) -> bool:
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


def chart(name: str, title: str, draw: Callable[[Axes], None], figsize: tuple = FIGSIZE) -> str:
    """One chart: `draw` fills the axes; `title` (its conclusion) is printed above them."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=figsize, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        draw(ax)
        width = round(TITLE_WIDTH * figsize[0] / FIGSIZE[0])
        wrapped = textwrap.fill(plain(title), width)
        fig.suptitle(wrapped, x=0.01, ha="left", fontsize=10, fontweight="bold", color="#1f2328")
        return to_svg(fig, name, title)


def completed(results: Results) -> pd.DataFrame | None:
    """Completed trials with a finite score, in trial order (None when there are none)."""
    trials = results.trials
    if trials is None or not {"number", "state", "value"} <= set(trials.columns):
        return None
    done = trials[trials["state"].astype("string") == "COMPLETE"].copy()
    done["value"] = pd.to_numeric(done["value"], errors="coerce")
    done["number"] = pd.to_numeric(done["number"], errors="coerce")
    done = done[np.isfinite(done["value"]) & np.isfinite(done["number"])]
    return None if done.empty else done.sort_values("number", kind="stable")
