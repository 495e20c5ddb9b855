"""Monotone constraints (`--monotone COL=+1,COL=-1`, `tune(monotone={"col": 1})`).

A constraint says the event's predicted probability may only rise (+1) or only fall (-1)
as one numeric input rises, all else equal: a reviewer's "longer loans are never
safer". The user names columns; the model sees the schema's encoded design, so
`signs` turns the names into one direction per model input column (0: free), in the
design's order, after refusing what cannot be constrained. That tuple travels in the
fit settings (`Fit.monotone`), so every fold fit, the refit and model.json's "fit" (and
with it the exported train.py) carry it:

* LightGBM and XGBoost enforce it exactly (their native `monotone_constraints`);
* logistic regression has no native sign constraint: the family checks the fitted
  coefficient of each constrained column and refuses a wrong sign (a search trial then
  fails, so it is never chosen; a refit is refused in one line).

`auto` (`--monotone auto`, `monotone="auto"`, for verticals that opt in) proposes the
directions from the development rows (engine/monotone_auto.py); given beside it
(`auto,COL=-1`, `{"auto": True, "col": -1}`), the user's directions win. The Config
keeps `"auto"` alone as that text, and with directions as the mapping's key "auto"
set to True (so a table column named "auto" cannot be constrained by name).

Example:
    >>> parse("duration=+1,credit_amount=-1")
    {'duration': 1, 'credit_amount': -1}
    >>> describe({"duration": 1})
    ['duration: the probability of the event rises with it (+1)']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError

# the words a direction may be given in (CLI text or Python values)
SIGNS = {"+1": 1, "1": 1, "-1": -1}
AUTO = "auto"  # propose the directions from the development rows
FLAG = "\x00flag\x00"  # replaced by "--monotone" (CLI) or "monotone=" (Python)


class MonotoneError(TuneplateError):
    """A constraint that cannot be applied; worded for Python callers ("fix monotone=")
    and, through `for_flags`, for the command line ("fix --monotone")."""

    def __init__(self, text: str):
        self.text = text
        super().__init__(text.replace(FLAG, "monotone="))

    def for_flags(self) -> str:
        return self.text.replace(FLAG, "--monotone")


def sign_of(value: Any) -> int | None:
    """+1 or -1 from "+1", "1", 1, 1.0, "-1", -1; None for anything else (True included).

    Example:
        >>> sign_of("+1"), sign_of(-1.0), sign_of(2), sign_of(True)
        (1, -1, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return SIGNS.get(value.strip())
    if isinstance(value, int | float) and value in (1, -1):
        return int(value)
    return None


def parse(text: str) -> dict[str, Any] | str:
    """`COL=+1,COL=-1` as {column: sign}; `auto` as "auto", and `auto,COL=-1` as
    {"auto": True, column: sign}.

    Example:
        >>> parse("auto"), parse("auto,duration=-1")
        ('auto', {'auto': True, 'duration': -1})

    Raises:
        ValueError: one line naming the bad part, e.g. "expected COL=+1 or COL=-1,
            got 'duration=2'".
    """
    out: dict[str, Any] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.lower() == AUTO:
            out[AUTO] = True
            continue
        column, sep, value = part.rpartition("=")
        sign = sign_of(value)
        if not sep or not column.strip() or sign is None:
            raise ValueError(f"expected COL=+1 or COL=-1 (comma-separated), got {part!r}")
        out[column.strip()] = sign
    if not out:
        raise ValueError(f"expected COL=+1 or COL=-1 (comma-separated), got {text!r}")
    return AUTO if out == {AUTO: True} else out


def wants_auto(value: Any) -> bool:
    """True when the Config's monotone setting asks for proposed directions."""
    if isinstance(value, str):
        return value.strip().lower() == AUTO
    return isinstance(value, Mapping) and value.get(AUTO) is True


def given(value: Any) -> dict[str, int]:
    """The directions the user named ({} for None or "auto"), without the "auto" key."""
    if not isinstance(value, Mapping):
        return {}
    return {str(k): int(v) for k, v in value.items() if not (k == AUTO and v is True)}


def normalised(value: Any) -> Any:
    """A Python caller's mapping with its directions as ints ("+1" -> 1); anything that
    is not a mapping of readable directions is returned as given, for the Config's
    check to refuse in one line."""
    if isinstance(value, str) and wants_auto(value):
        return AUTO
    if not isinstance(value, Mapping):
        return value
    signs = {k: True if k == AUTO and v in (True, AUTO) else sign_of(v) for k, v in value.items()}
    if signs == {AUTO: True}:
        return AUTO
    return signs if None not in signs.values() else dict(value)


def signs(monotone, schema, roles, table: pd.DataFrame) -> tuple[int, ...] | None:
    """One direction per model input column, in the schema's (= encoded design's) order.

    Args:
        monotone: {column: +1 or -1} (the Config's), or None / empty for no constraint.
        schema: the run's `Schema` (its features are the model's inputs, in order).
        roles: the run's `Roles`, to say why a column is no input.
        table: the typed table, to tell an unknown column from a left-out one.

    Returns:
        None without constraints, else a tuple of 1, -1 and 0 (free), one per input.

    Raises:
        MonotoneError: one line naming the column and the fix: a column not in the
            table, one that is no model input (target, excluded, protected, time or
            group, or empty), or a categorical one.
    """
    if not monotone:
        return None
    kinds = {f.name: f.kind for f in schema.features}
    roles_of = {
        roles.target: "the target",
        roles.time: "the time column",
        roles.group: "the group column",
        **{c: "excluded" for c in roles.exclude},
        **{c: "protected" for c in roles.protected},
    }
    for column in monotone:
        if column not in table.columns:
            raise MonotoneError(
                f"monotone column {column!r} is not in the table; fix {FLAG} with a column "
                "the model uses"
            )
        if column not in kinds:
            why = roles_of.get(column, "left out of the model (no value could be read)")
            raise MonotoneError(
                f"monotone column {column!r} is not a model input ({why}); drop it from {FLAG}"
            )
        if kinds[column] == "categorical":
            raise MonotoneError(
                f"monotone column {column!r} is categorical; categorical columns cannot be "
                f"constrained: encode an order as numbers first, or drop it from {FLAG}"
            )
    return tuple(int(monotone.get(f.name, 0)) for f in schema.features)


def describe(monotone: Mapping[str, int] | None) -> list[str]:
    """Each constraint in words, for the report ([] without constraints)."""
    words = {1: "rises with it (+1)", -1: "falls as it rises (-1)"}
    return [
        f"{column}: the probability of the event {words[int(sign)]}"
        for column, sign in (monotone or {}).items()
    ]


__all__ = [
    "AUTO",
    "MonotoneError",
    "describe",
    "given",
    "normalised",
    "parse",
    "sign_of",
    "signs",
    "wants_auto",
]
