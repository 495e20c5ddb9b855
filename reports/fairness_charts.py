"""The fairness chart: adverse impact ratio per protected group, against four-fifths.

Reads the table with key "fairness" (columns of roles `Role.ADVERSE_IMPACT`, and
`Role.GROUP` / `Role.ATTRIBUTE` for the labels); None when it is missing. `charts`
re-exports these names and collects the chart as "air".

Example:
    >>> fairness(results)[:4]
    '<svg'
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.axes import Axes

from tuneplate.engine.contract.monitoring import FOUR_FIFTHS
from tuneplate.engine.labels import column_label
from tuneplate.engine.results import Results, Role, TableKey
from tuneplate.reports.figures import BLUE, ORANGE, chart, column, column_values, plain
from tuneplate.reports.formatters import fmt_number


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
        labels = [f"{row[group]} ({column_label(row[attribute])})" for _, row in frame.iterrows()]
    else:
        labels = [str(v) for v in frame.iloc[:, 0]]
    return [lbl for lbl, k in zip(labels, keep, strict=True) if k], air[keep]


def reference_rule(results: Results) -> str:
    """How the fairness table chose the group each AIR is measured against, as the table
    marks it (`Role.REFERENCE`), e.g. "highest rate among groups of 30+ applicants"; ""
    for a table without the mark (results.json written before it: the top group).

    Example:
        >>> reference_rule(results)
        'highest rate among groups of 30+ applicants'
    """
    table = results.table(TableKey.FAIRNESS)
    name = None if table is None else column(table, Role.REFERENCE)
    if name is None:
        return ""
    marks = [str(v) for v in table.frame[name] if isinstance(v, str) and v.strip()]
    return marks[0] if marks else ""


def benchmark(results: Results) -> str:
    """What "four-fifths of" refers to, rule included, for every sentence that counts
    the groups under it (the chart's title, the verdict), so they say the same.

    Example:
        >>> benchmark(results)
        "the reference group's rate (highest rate among groups of 30+ applicants)"
    """
    rule = reference_rule(results)
    return f"the reference group's rate ({rule})" if rule else "the top group's rate"


def _benchmark_name(results: Results) -> tuple[str, str]:
    """("the reference group's rate", "; reference: <rule>") for a title that ends in a
    parenthesis of its own, or ("the top group's rate", "") for an unmarked table."""
    rule = reference_rule(results)
    if not rule:
        return "the top group's rate", ""
    return "the reference group's rate", f"; reference: {rule}"


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
    """How many groups fall under four-fifths of their benchmark (`benchmark`), and the
    lowest."""
    rows = _air_rows(results)
    if rows is None:
        return ""
    labels, air = rows
    low = int(np.argmin(air))
    under = int((air < FOUR_FIFTHS).sum())
    what, rule = _benchmark_name(results)
    lowest = f"(lowest: {labels[low]}, {fmt_number(air[low])}{rule})"
    if not under:
        return f"Every group gets favourable decisions at four-fifths or more of {what} {lowest}"
    groups = "1 group gets" if under == 1 else f"{under} of {len(air)} groups get"
    return f"{groups} favourable decisions at under four-fifths of {what} {lowest}"
