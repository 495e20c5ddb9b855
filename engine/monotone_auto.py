"""`--monotone auto` (`monotone="auto"`): monotone directions proposed from the data.

For a vertical that opts in (`Vertical.monotone_auto`, credit risk), each numeric model
input gets the sign of its Spearman rank correlation with the outcome (1 = event) as its
direction, kept only where that sign is clear (`MAX_P`, `MIN_RHO`); every other input is
left free, with why. The correlation is computed on the DEVELOPMENT rows only, after the
split, so the hold-out that judges the constrained model never chose its constraints, and
the same seed (the same split) and data give the same directions, hence the same trials
and a `--resume` that resolves to the same constraints.

The thresholds:

* `MAX_P = 0.01`: a per-column test at 1%. A credit table has about 5-30 numeric inputs,
  so with no real association anywhere about 5-25% of runs would propose one spurious
  direction at 1% (1 - 0.99**k), against 23-79% at 5%: strict enough that a proposal is
  rarely noise, loose enough to find the usual risk drivers on a 1,000-row table (on
  German credit's 800 development rows, p < 0.01 needs |rho| >= 0.09).
* `MIN_RHO = 0.05`: on large tables a negligible association is "significant" (on
  100,000 rows p < 0.01 already at |rho| = 0.008); a direction worth enforcing should be
  visible in the data, and 0.05 is well below Cohen's "small" correlation (0.1).

A marginal correlation ignores the other inputs ("all else equal" may point the other
way, Simpson's paradox), so the report lists the directions as "proposed from the data:
confirm before use", with rho and p per column, and the exact `--monotone` that fixes
them once confirmed.

Sources: Spearman, C. (1904), "The proof and measurement of association between two
things", Am. J. Psychol. 15(1); `scipy.stats.spearmanr` (its p-value from the t
distribution with n - 2 degrees of freedom); Cohen, J. (1988), Statistical Power
Analysis for the Behavioral Sciences, 2nd ed., section 3.2 (r = 0.1 small).

Example:
    >>> proposal = propose(X_dev, y_dev, schema)
    >>> proposal.directions
    {'duration_in_month': 1, 'credit_amount': 1, 'age_in_years': -1}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

MAX_P = 0.01  # a direction is proposed only where Spearman's p is below this …
MIN_RHO = 0.05  # … and |rho| is at least this (see the module docstring)
RULE = (
    f"the sign of Spearman's rank correlation with the outcome on the development rows, "
    f"kept where p < {MAX_P:g} and |rho| >= {MIN_RHO:g}"
)


@dataclass(frozen=True)
class Proposal:
    """What `--monotone auto` proposed, for results.data["monotone"]["auto"].

    `directions`: {column: +1 or -1} proposed, in the model's input order; `statistics`:
    {column: {"rho": float, "p": float, "rows": int}} for every numeric input tested
    (aggregates over the development rows, never a row's value); `free`: {column: why}
    for every model input left unconstrained by the proposal; `given`: the directions the
    user gave beside `auto`, which win over a proposal; `rows`: development rows used;
    `against`: the given columns whose direction the data's clear sign contradicts (the
    same rule as a proposal: p < MAX_P and |rho| >= MIN_RHO), kept as given but reported.
    """

    directions: dict[str, int] = field(default_factory=dict)
    statistics: dict[str, dict[str, float]] = field(default_factory=dict)
    free: dict[str, str] = field(default_factory=dict)
    given: dict[str, int] = field(default_factory=dict)
    rows: int = 0
    against: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The saved form (results.json): the rule and thresholds, then per column."""
        return {
            "rule": RULE,
            "max_p": MAX_P,
            "min_rho": MIN_RHO,
            "rows": self.rows,
            "proposed": {
                c: {"direction": s, **self.statistics[c]} for c, s in self.directions.items()
            },
            "free": dict(self.free),
            "given": dict(self.given),
            "against": list(self.against),
            "statistics": {c: dict(v) for c, v in self.statistics.items()},
        }


def propose(
    X_dev: pd.DataFrame,
    y_dev: np.ndarray,
    schema,
    given: Mapping[str, int] | None = None,
    left_out: Mapping[str, str] | None = None,
) -> Proposal:
    """Directions for the numeric model inputs from the development rows (module docstring).

    Args:
        X_dev: the development rows' encoded design (`schema.encode`), shape (n, inputs),
            in the schema's feature order; never hold-out rows.
        y_dev: the development outcome, shape (n,), 1 = event.
        schema: the run's `Schema`, whose features name and type the design's columns.
        given: the user's own directions beside `auto` (tested and reported, never
            overridden).
        left_out: {column: why} for table columns that are no model input (protected,
            excluded, time, group): never tested, listed as free with that reason.

    Returns:
        A `Proposal`; columns named in `given` are left out of `directions` (the user's
        direction applies) and listed under `given`.

    Example:
        >>> propose(X_dev, y_dev, schema, given={"duration_in_month": -1}).given
        {'duration_in_month': -1}
    """
    given = dict(given or {})
    y = np.asarray(y_dev, dtype=float)
    directions: dict[str, int] = {}
    statistics: dict[str, dict[str, float]] = {}
    free: dict[str, str] = {c: f"not a model input ({why})" for c, why in (left_out or {}).items()}
    against: list[str] = []
    for i, feature in enumerate(schema.features):
        name = feature.name
        if feature.kind != "numeric":
            free[name] = f"{feature.kind}: only numeric inputs are proposed"
            continue
        x = X_dev.iloc[:, i].to_numpy(dtype=float)
        seen = ~np.isnan(x)
        if seen.sum() < 3 or np.unique(x[seen]).size < 2:
            free[name] = "constant on the development rows"
            continue
        rho, p = spearmanr(x[seen], y[seen])
        rho, p = float(rho), float(p)
        statistics[name] = {"rho": rho, "p": p, "rows": int(seen.sum())}
        clear = math.isfinite(rho) and p < MAX_P and abs(rho) >= MIN_RHO
        if name in given:
            if clear and rho * given[name] < 0:
                against.append(name)
            continue
        if not clear:
            free[name] = f"no clear direction (rho {rho:+.3f}, p {p:.2g})"
            continue
        directions[name] = 1 if rho > 0 else -1
    return Proposal(directions, statistics, free, given, len(y), tuple(against))


__all__ = ["MAX_P", "MIN_RHO", "RULE", "Proposal", "propose"]
