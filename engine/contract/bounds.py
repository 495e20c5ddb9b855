"""The bounds a numeric column kept at development, and the values past them.

`learn_domain` records the narrowest domain every development value held (a fraction,
a non-negative amount), `learn_codes` the few values a code column took (a flag, a
grade, a term); at scoring, `outside_domain`, `far_outside` and `off_codes` find the
values past them, which `Schema.validate` counts and says (`ColumnCounts`). A batch's
shift within the bounds is judged elsewhere (off_range.py).

Copied with the rest of `engine/contract/` into an exported project by
`tuneplate export`, so it imports only numpy and its siblings (relatively).

Example:
    >>> outside_domain(np.array([0.2, 45.0, -1.0]), learn_domain(np.array([0.1, 0.9])))
    array([False,  True,  True])
"""

from __future__ import annotations

import math

import numpy as np

from .kinds import MIN_LEVEL_ROWS

# `Feature.domain`: the bounds a numeric column held on every development row, widest last.
DOMAINS = {"unit_interval": (0.0, 1.0), "nonnegative": (0.0, math.inf)}
SLACK = 1e-9  # a bound's rounding slack: 1 - 0.7 - 0.3 is -5.6e-17, not a negative value


def learn_domain(values: np.ndarray) -> str:
    """The narrowest of DOMAINS that holds every finite value of `values` (float, (n,)),
    or "" when none does or no value is readable. "unit_interval" needs a value strictly
    between 0 and 1 (a fraction): a column of 0s and 1s may be a count that was never
    above 1 yet, so it is only "nonnegative".

    Example:
        >>> learn_domain(np.array([0.2, 1.0, np.nan])), learn_domain(np.array([0.0, 1.0]))
        ('unit_interval', 'nonnegative')
    """
    x = values[np.isfinite(values)]
    if not len(x):
        return ""
    low, high = float(x.min()), float(x.max())
    fraction = bool(((x > 0) & (x < 1)).any())
    return next(
        (
            name
            for name, (a, b) in DOMAINS.items()
            if a <= low and high <= b and (fraction or name != "unit_interval")
        ),
        "",
    )


# `Feature.codes`: a numeric column with at most this many distinct values at development,
# each held by MIN_LEVEL_ROWS rows or more, is a code (a flag, a grade, a term) whose
# values the model learned one by one: on the 14 real tables of benchmarks/suite_tables.py
# (seeds 0-2, 42 splits), 3 hold-out rows held a value such a column never took at
# development, all on Caravan (a sixth count of policies), each too few to be said.
CODE_VALUES = 10


def learn_codes(values: np.ndarray) -> tuple[float, ...]:
    """`Feature.codes` of `values` (float, (n,)): its distinct finite values, sorted, when
    there are 2 to CODE_VALUES of them and each is held by MIN_LEVEL_ROWS rows or more;
    () otherwise.

    Example:
        >>> learn_codes(np.array([1.0] * 40 + [2.0] * 12)), learn_codes(np.arange(50.0))
        ((1.0, 2.0), ())
    """
    x = values[np.isfinite(values)]
    distinct, counts = np.unique(x, return_counts=True)
    if not 2 <= len(distinct) <= CODE_VALUES or counts.min() < MIN_LEVEL_ROWS:
        return ()
    return tuple(float(v) for v in distinct)


def off_codes(values: np.ndarray, codes: tuple[float, ...]) -> np.ndarray:
    """Which finite values of `values` (float, (n,)) are none of `codes` (() allows every
    value): a bool mask (n,)."""
    if not codes:
        return np.zeros(len(values), dtype=bool)
    return np.isfinite(values) & ~np.isin(values, np.asarray(codes, dtype=float))


def shown_codes(codes: tuple[float, ...]) -> str:
    """`Feature.codes` for a reader: "1, 2", "0.5, 36, 60"."""
    return ", ".join(f"{c:g}" for c in codes)


def outside_domain(values: np.ndarray, domain: str) -> np.ndarray:
    """Which finite values of `values` (float, (n,)) lie outside `domain` (a DOMAINS
    name; "" allows every value): a bool mask (n,)."""
    if domain not in DOMAINS:
        return np.zeros(len(values), dtype=bool)
    low, high = DOMAINS[domain]
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & ((values < low - SLACK) | (values > high + SLACK))


# Just past 1, a value may be the tail of a column that merely stayed within 0 to 1 at
# development (breast cancer's worst compactness reaches 1.058; a credit line's use passes
# 100%), so such values are said by their share, as a level is; a percent for a fraction
# (45 for 0.45) and any value below 0 lie far out, never a tail, and are said one by one.
NEAR_ONE = 1.5


def far_outside(values: np.ndarray, domain: str, outside: np.ndarray) -> np.ndarray:
    """Of `outside` (`outside_domain(values, domain)`, bool (n,)), the values far out:
    every one for "nonnegative", those below 0 or above NEAR_ONE for "unit_interval"."""
    if domain != "unit_interval":
        return outside
    with np.errstate(invalid="ignore"):
        return outside & ~((values > 0) & (values <= NEAR_ONE))  # just past 1: near
