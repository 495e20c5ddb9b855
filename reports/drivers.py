"""The "What drives the predictions" section: its chart, title and per-input tables.

Reads `results.data["drivers"]` (`engine.tasks.binary.drivers`: per model input the
mean absolute contribution to the log-odds on the hold-out, its direction, and for the
top inputs the mean contribution by band or level); None or empty for runs without it.
Aggregates only, as recorded: bands and levels already pooled to MIN_LEVEL_ROWS rows.

Example:
    >>> drivers_title(results)
    'status_of_existing_checking_account moves the predicted risk most, then credit_history'
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from tuneplate.engine.results import Results
from tuneplate.reports.figures import BLUE, chart, plain
from tuneplate.reports.formatters import fmt_count, signed

TOP_CHART = 10  # inputs in the bar chart
SMALL = 0.05  # a mean effect under this many log-odds (odds × 0.95–1.05) is "little effect"
CLEAR = 0.3  # |Spearman rho| from which a numeric input has a direction worth stating


def record(results: Results) -> dict[str, Any] | None:
    """The run's drivers record, or None when it has no inputs to show."""
    d = (results.data or {}).get("drivers")
    if not isinstance(d, dict) or not d.get("inputs"):
        return None
    return d


def drivers_title(results: Results) -> str:
    """The chart's conclusion: the input that moves the predicted risk most, and the next."""
    d = record(results)
    if d is None:
        return ""
    names = [str(e["name"]) for e in d["inputs"][:2]]
    then = f", then {names[1]}" if len(names) > 1 else ""
    return f"{names[0]} moves the predicted risk most{then}"


def drivers_chart(results: Results) -> str | None:
    """Horizontal bars of the top inputs' mean |contribution| (log-odds), largest on top."""
    d = record(results)
    if d is None:
        return None
    top = d["inputs"][:TOP_CHART]
    labels = [plain(e["name"]) for e in top]
    values = np.array([float(e["mean_abs"]) for e in top])
    y = np.arange(len(top))[::-1]

    def draw(ax: Axes) -> None:
        ax.barh(y, values, color=BLUE, height=0.6)
        ax.set_yticks(y, labels, fontsize=7.5)
        ax.set_xlabel("Mean absolute contribution to the log-odds (hold-out)")
        ax.set_xlim(0, float(values.max()) * 1.08 or 1.0)
        ax.grid(axis="y", visible=False)

    height = min(1.3 + 0.3 * len(top), 8.0)
    return chart("contributions", drivers_title(results), draw, figsize=(6, height))


def section(results: Results) -> dict[str, Any] | None:
    """What the template lays out: the run's figures in words, and one table per top input.

    Keys: "rows" (hold-out rows), "family", "min_rows", "min_unit", "inputs": [{"name", "direction"
    (a sentence), "heading" ("Band" or "Level"), "rows": [(band, rows, effect, in words)]}].
    """
    d = record(results)
    if d is None:
        return None
    inputs = []
    for e in d["inputs"]:
        effects = e.get("effects")
        if not effects:
            continue
        kind = e.get("kind", "numeric")
        inputs.append(
            {
                "name": str(e["name"]),
                "direction": direction_sentence(e),
                "heading": "Level" if kind == "categorical" else "Band",
                "rows": [
                    (
                        band_label(g, kind),
                        fmt_count(g.get("rows")),
                        signed(g.get("mean")),
                        effect_words(g.get("mean")),
                    )
                    for g in effects
                ],
            }
        )
    return {
        "rows": fmt_count(d.get("rows")),
        "family": str(d.get("family", "")),
        "min_rows": fmt_count(d.get("min_rows")),
        # under --group the minimum counted entities (patients, customers), not rows
        "min_unit": "entities (--group)" if d.get("min_counts") == "entities" else "rows",
        "inputs": inputs,
    }


def direction_sentence(entry: dict[str, Any]) -> str:
    """One input's direction in words.

    Example:
        >>> direction_sentence({"kind": "numeric", "direction": 0.98})
        'Higher values raise the predicted risk (rank correlation of value and effect +0.98).'
    """
    if entry.get("kind") == "categorical":
        high, low = entry.get("highest"), entry.get("lowest")
        if high is None or high == low:
            return "Its levels have too few hold-out rows to compare."
        return f"Highest predicted risk: {high}; lowest: {low}."
    rho = entry.get("direction")
    if not isinstance(rho, int | float) or not math.isfinite(rho):
        return "No direction can be measured: its value or its effect hardly varies."
    words = f"(rank correlation of value and effect {signed(rho, 2)})"
    if rho >= CLEAR:
        return f"Higher values raise the predicted risk {words}."
    if rho <= -CLEAR:
        return f"Higher values lower the predicted risk {words}."
    return f"No single direction: the effect rises and falls across its range {words}."


def band_label(group: dict[str, Any], kind: str) -> str:
    """A band's range from its edges ("up to 12.5", "12.5 to 18", "above 48"), a level's
    name, or "missing"."""
    if group.get("missing"):
        return "missing"
    if "level" in group:
        return str(group["level"])
    low, high = (_edge(group.get(k), kind) for k in ("low", "high"))
    if low is None and high is None:
        return "all values"
    if low is None:
        return f"up to {high}"
    if high is None:
        return f"above {low}"
    return f"over {low}, up to {high}"


def effect_words(mean: Any) -> str:
    """A mean contribution in plain words, as a factor on the odds.

    Example:
        >>> effect_words(0.69), effect_words(-0.69), effect_words(0.01)
        ('raises the odds about 2.0×', 'lowers the odds about 2.0×', 'little effect')
    """
    if not isinstance(mean, int | float) or not math.isfinite(mean):
        return ""
    if abs(mean) < SMALL:
        return "little effect"
    verb = "raises" if mean > 0 else "lowers"
    return f"{verb} the odds about {math.exp(abs(mean)):.1f}×"


def _edge(value: Any, kind: str) -> str | None:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if kind == "datetime":  # the model's days since 1970-01-01 UTC
        return (dt.date(1970, 1, 1) + dt.timedelta(days=math.floor(value))).isoformat()
    return f"{value:,.6g}"  # midpoints such as 12.5 or 1,234.5 keep their half
