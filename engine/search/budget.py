"""What a time budget does to the search space: no learning rate it cannot afford.

Boosting needs about 1/learning-rate rounds to converge (Friedman, "Greedy function
approximation", Annals of Statistics 2001, section 5: shrinkage trades rounds for
accuracy), so under early stopping a trial at 0.01 costs about five times one at 0.05.
A short budget spent on such trials ends after a handful of settings: on a 5,000-row
table, TPE's first low rates took 5-8 s of a 30 s budget each. With a time budget the
search therefore leaves out the rates whose trials the budget cannot afford; FLAML's
cost-frugal search does the same by starting cheap and growing the number of trees
only while it pays (Wu, Wang & Huang, "Frugal Optimization for Cost-related
Hyperparameters", AAAI 2021).

The floor falls as 1/budget, so the slowest trial allowed is the same share of any
budget: 0.05 at 30 s (measured with `benchmarks/unseen_tables.py` on Caravan, mlc_churn,
covid_testing and flchain: 1.4-2.9 times the settings tried, the same hold-out scores),
0.0125 at 120 s, and the full range from 300 s or without a time budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.search.space import Space

RATE = "learning_rate"  # the parameter whose trials cost about 1/value (boosting's shrinkage)
FLOOR_AT_30S = 0.05
MAX_FLOOR = 0.1  # even a few seconds' budget searches from here: a library's default rate


def rate_floor(timeout: float | None) -> float:
    """The lowest learning rate a `timeout`-second search tries (0 without a budget).

    Example:
        >>> rate_floor(30), rate_floor(120), rate_floor(None)
        (0.05, 0.0125, 0.0)
    """
    if timeout is None or timeout <= 0:
        return 0.0
    return min(MAX_FLOOR, FLOOR_AT_30S * 30.0 / timeout)


def for_budget(space: Space, timeout: float | None) -> Space:
    """`space` with learning rates below `rate_floor(timeout)` left out.

    The floor never passes the space's own upper bound; grid points and the start
    below it move up to it. A space without a learning rate is returned as it is.

    Example:
        >>> for_budget(LIGHTGBM, 30).params[0].low  # learning_rate, 0.005 without a budget
        0.05
    """
    floor = rate_floor(timeout)
    params = []
    for p in space.params:
        if p.name == RATE and p.choices is None and p.low < floor:
            low = min(floor, p.high)
            grid = tuple(dict.fromkeys(max(g, low) for g in p.grid))
            start = None if p.start is None else max(p.start, low)
            p = replace(p, low=low, grid=grid, start=start)
        params.append(p)
    return replace(space, params=tuple(params))


def rates_left_out(
    own: Mapping[str, Space], searched: Mapping[str, Space], timeout: float | None
) -> list[Finding]:
    """One note when the budget raised a family's learning-rate floor, saying how to
    search the slower rates; `own` are the vertical's spaces, `searched` the plan's."""
    lows = [
        (old.low, new.low)
        for name, space in searched.items()
        for old, new in zip(own[name].params, space.params, strict=False)
        if old.name == new.name == RATE and new.low > old.low
    ]
    if not lows:
        return []
    low, floor = min(o for o, _ in lows), max(n for _, n in lows)
    needed = FLOOR_AT_30S * 30.0 / low
    return [
        Finding(
            "budget_learning_rate",
            "info",
            f"with a {timeout:g} s budget, learning rates below {floor:.3g} were not searched: "
            f"a trial at {low:g} needs about {floor / low:.0f} times the boosting rounds of one "
            f"at {floor:.3g}, and the budget could not afford enough of them",
            expected="time for many settings within the budget",
            fix=f"give --timeout {needed:.0f} or more (or --trials without --timeout) to "
            "search the slower rates too",
        )
    ]
