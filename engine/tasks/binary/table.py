"""Reading a classification table: its roles, target and feature kinds."""

from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.intervals import MIN_OUTCOMES, rarer_outcome
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.data.checks import Finding
from tuneplate.engine.data.roles import (
    Roles,
    check_columns,
    drop_unknown_target,
    resolve_roles,
    tidy_target,
)
from tuneplate.engine.vertical import Vertical


def prepare(vertical: Vertical, data: pd.DataFrame | None, config):
    """Resolve the table and its roles: the embedded example unless data is given.

    Returns (table, roles, attribution, findings): the findings say how the target was
    read (`data.tidy_target`: case and space variants merged, blanks missing) and how
    many rows had no outcome and were left out (`data.drop_unknown_target`).

    Example:
        >>> table, roles, _, _ = prepare(VERTICAL, None, Config())
        >>> roles.target
        'default'
    """
    columns = config.columns
    attribution = ""
    if data is None:
        example = vertical.example()
        table, roles, attribution = example.table, example.roles, example.attribution
        if columns.target and columns.target != roles.target:
            roles = Roles(target=columns.target)
    else:
        if columns.target is None:
            raise TuneplateError(
                "no target column given; name the outcome column with --target COL"
            )
        table, roles = data, Roles(target=columns.target)
    check_columns(table)
    roles = replace(
        roles,
        positive=columns.positive if columns.positive is not None else roles.positive,
        time=columns.time or roles.time,
        group=columns.group or roles.group,
        protected=roles.protected if columns.protected is None else tuple(columns.protected),
        exclude=tuple(dict.fromkeys((*roles.exclude, *columns.exclude))),
        subgroups=tuple(columns.subgroups) or roles.subgroups,
    )
    table, tidied = tidy_target(table, roles.target)
    roles = resolve_roles(table, roles, vertical.positive_words)
    table, unknown = drop_unknown_target(table, roles)
    return table, roles, attribution, tidied + unknown


def read_features(table: pd.DataFrame, roles: Roles):
    """Learn each feature's kind (`engine.schema`) on the whole table and coerce it.

    Returns (typed table, roles, schema without levels, findings). Columns with no
    value after reading are added to `roles.exclude`, with a finding, so neither the
    checks nor the model see them. The checks then judge the columns the model sees:
    numbers written as text are numbers, "n/a" is missing, text dates are dates.
    """
    rules = table.attrs.get("reading_rules") or {}
    if hasattr(rules, "to_dict"):
        rules = rules.to_dict()
    schema, notes = Schema.learn(table, roles.features(table), rules)
    empty = [c for c in roles.features(table) if c not in schema.names]
    if empty:
        roles = replace(roles, exclude=(*roles.exclude, *empty))
    return schema.typed(table), roles, schema, [finding(n) for n in notes]


def finding(note) -> Finding:
    """A schema note as a check finding."""
    return Finding(**{**asdict(note), "columns": tuple(note.columns)})


def holdout_outcomes(y: np.ndarray, roles: Roles) -> list[Finding]:
    """A warning, before the search, when the hold-out outcomes `y` (0/1) hold fewer
    than MIN_OUTCOMES events or non-events: its AUROC, calibration and business figures
    would rest on a handful of cases (12 events in 2,000 rows left 2 in the hold-out,
    and nothing said so), and `validate` cannot judge a change against them.

    Example:
        >>> holdout_outcomes(np.array([1, 1] + [0] * 398), roles)[0].check
        'holdout_outcomes'
    """
    events = int(np.sum(y))
    others = len(y) - events
    fewest, kind = rarer_outcome(events, len(y))
    if fewest >= MIN_OUTCOMES:
        return []
    return [
        Finding(
            "holdout_outcomes",
            "warning",
            f"the hold-out holds {events:,} events and {others:,} non-events "
            f"({roles.target} = {str(roles.positive)!r}), so its AUROC, calibration and "
            f"business figures rest on {fewest:,} {kind}s",
            expected=f"at least {MIN_OUTCOMES} events and {MIN_OUTCOMES} non-events in the "
            "hold-out (a normal interval for an AUROC falls short of its coverage below)",
            fix="pool more rows (a longer period) before reading the hold-out figures; the "
            "cross-validated score uses every development row",
            columns=(roles.target,),
        )
    ]


def holdout_bounds(schema: Schema, holdout: pd.DataFrame) -> list[Finding]:
    """A warning when hold-out rows hold values outside the bounds every development row
    kept (`Feature.domain`: below 0, outside 0 to 1): the hold-out figures then include
    rows scored with values the model never saw, which its own scoring would flag.

    Example:
        >>> holdout_bounds(schema, table.iloc[split.holdout])[0].columns
        ('credit_amount',)
    """
    counts = schema.encode(holdout)[1]
    beyond = [c for c in counts.values() if c.outside_bounds()]
    if not beyond:
        return []
    return [
        Finding(
            "holdout_bounds",
            "warning",
            "hold-out rows hold values no development row had, so the hold-out figures "
            "include rows scored outside the range the model learned: "
            + "; ".join(c.problem() or "" for c in beyond),
            expected="hold-out values within the development rows' bounds",
            fix="check those rows in the source (a code for missing, a sign, a unit); "
            "with --time, a later period may be measured another way",
            columns=tuple(c.name for c in beyond),
        )
    ]
