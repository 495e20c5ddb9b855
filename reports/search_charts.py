"""Charts of the search: the score trial by trial, which settings mattered, and (for
`tuneplate compare`) the best score over time per strategy.

Like every report chart, each returns an `<svg>` string or None when its inputs are
missing, and is titled with its conclusion (the `*_title` functions). The parameter
charts (parallel coordinates, slices) are in `parameter_charts`; the model's business
figures in `charts`, which re-exports these names.

Example:
    >>> history(results).startswith("<svg"), ordinal(22)
    (True, '22nd')
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, PercentFormatter

from tuneplate.engine.results import Results
from tuneplate.reports.figures import BLUE, GREY, ORANGE, chart, completed, plain
from tuneplate.reports.formatters import fmt_count, fmt_number, fmt_percent, tuning_score


def history(results: Results) -> str | None:
    """Each completed trial's tuning score (`tuning_score`), with the best score so far.

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
        ax.set_ylabel(plain(f"{results.metric.label} ({tuning_score(results.data).adjective})"))
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
    curves: dict[str, list[tuple[float, float]]],
    label: str,
    budget_s: float | None = None,
    scored: str = "cross-validated",
) -> str | None:
    """Best tuning score (`scored`: "cross-validated", "validation-period") so far over
    elapsed seconds, one line per strategy.

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
        ax.set_ylabel(plain(f"Best {label} so far ({scored})"))
        ax.legend(loc="best")

    return chart("anytime", "Best score so far over time, per strategy", draw)
