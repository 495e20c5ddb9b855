"""Reading the user's table and naming the role of each column.

Everything here raises `TuneplateError` with the problem and its fix, because this
is where a user's file first meets the tool.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.kinds import MISSING_WORDS

if TYPE_CHECKING:
    from tuneplate.engine.data.checks import Finding

# The one reader lives in reader.py (self-contained: the exported project copies it);
# these names stay importable from here for existing callers.
from tuneplate.engine.contract.reader import (  # noqa: F401
    ReadingRules,
    check_table,
    read_table,
    read_table_with_rules,
)

# Generic event words count only against their own opposite (yes/no, 1/0), so a
# target such as x/y is never guessed; a vertical's words ("bad", "default") count
# against any other value.
GENERIC_PAIRS = {
    "1": "0",
    "1.0": "0.0",
    "true": "false",
    "yes": "no",
    "y": "n",
    "positive": "negative",
}


@dataclass(frozen=True)
class Roles:
    """Which column plays which part.

    Args:
        target: the outcome column.
        positive: the target value that counts as the event (default, disease).
        time: a date column; the split then trains on the past and tests on later rows.
        group: rows sharing this id stay on one side of every split (patients, customers).
        protected: attributes kept out of the features and used for the fairness table.
        exclude: columns the model must not see.
        subgroups: columns the model keeps, reported group by group.

    Example:
        >>> roles = Roles(target="default", protected=("sex",))
        >>> roles.features(table)  # every other column
    """

    target: str
    positive: Any = None
    time: str | None = None
    group: str | None = None
    protected: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    subgroups: tuple[str, ...] = ()

    def named(self) -> list[str]:
        """Every column a role names, in a stable order."""
        return list(dict.fromkeys((*self._not_features(), *self.subgroups)))

    def _not_features(self) -> list[str]:
        single = [c for c in (self.target, self.time, self.group) if c]
        return single + list(self.protected) + list(self.exclude)

    def features(self, table: pd.DataFrame) -> list[str]:
        skip = set(self._not_features())
        return [c for c in table.columns if c not in skip]

    def check_clashes(self) -> None:
        """Refuse roles that contradict each other, before any column is read.

        The target cannot also be excluded, protected, a group, a time or a subgroup
        column; a subgroup column (kept as a feature) cannot also be excluded or
        protected (both keep it out). A column both excluded and protected is fine: both
        keep it out of the features, and it is still reported as protected.

        Raises:
            TuneplateError: one line naming the column, the two roles and the fix.

        Example:
            >>> Roles(target="status", exclude=("status",)).check_clashes()
            TuneplateError: the target 'status' is also named in --exclude; …
        """
        others = {
            "--exclude": self.exclude,
            "--protected": self.protected,
            "--group": (self.group,) if self.group else (),
            "--time": (self.time,) if self.time else (),
            "--subgroups": self.subgroups,
        }
        for option, columns in others.items():
            if self.target in columns:
                raise TuneplateError(
                    f"the target {self.target!r} is also named in {option}; the target is the "
                    f"outcome and never a feature: remove it from {option}, or pass the right "
                    "outcome column with --target"
                )
        for option in ("--exclude", "--protected"):
            both = [c for c in self.subgroups if c in others[option]]
            if both:
                raise TuneplateError(
                    f"{', '.join(map(repr, both))} named in both --subgroups (the model keeps it "
                    f"as a feature) and {option} (the model must not see it); to report by a "
                    "column the model does not use, pass it with --protected only"
                )

    def binary_target(self, table: pd.DataFrame) -> pd.Series:
        """The target as 0/1 with 1 for the positive class."""
        return (table[self.target].astype("string") == str(self.positive)).astype(int)


def check_columns(table: pd.DataFrame, source: str = "the table") -> None:
    """Reject a table with no rows, no columns or repeated column names.

    The same checks `read_table` applies to a file, for a DataFrame passed directly.
    """
    check_table(table, source)


def _commas_rejoined(roles: Roles, columns) -> Roles:
    """`roles` with column lists whose neighbours, joined back with their comma, name a
    column: the CLI splits `--exclude "amount, EUR"` at the comma, and the header has
    "amount, EUR" (Excel exports keep commas in quoted headers)."""
    names = {str(c) for c in columns}

    def joined(parts: list[str]) -> str | None:  # the pieces with their comma, if a name
        return next((sep.join(parts) for sep in (", ", ",") if sep.join(parts) in names), None)

    fixed = {}
    for field in ("protected", "exclude", "subgroups"):
        items, out, i = list(getattr(roles, field)), [], 0
        while i < len(items):
            # the longest run of pieces from here that names a column, when this one does not
            runs = range(len(items), i + 1, -1) if items[i] not in names else ()
            end, name = next(((j, n) for j in runs if (n := joined(items[i:j]))), (i + 1, items[i]))
            out.append(name)
            i = end
        fixed[field] = tuple(out)
    return replace(roles, **fixed)


def resolve_roles(table: pd.DataFrame, roles: Roles, positive_words: Iterable[str] = ()) -> Roles:
    """Check that every named column exists and find the positive class.

    The positive class is inferred when exactly one of the two target values is a
    known event word (the vertical's, e.g. "bad", "default", plus 1/true/yes).

    Example:
        >>> resolve_roles(table, Roles(target="creditability"), ["bad"]).positive
        'bad'
    """
    roles = _commas_rejoined(roles, table.columns)
    roles.check_clashes()
    missing = [c for c in roles.named() if c not in table.columns]
    if missing:
        # A header written in another case or with spaces around it is the usual slip.
        loose = {str(c).strip().casefold(): str(c) for c in table.columns}
        near = {m: loose[m.strip().casefold()] for m in missing if m.strip().casefold() in loose}
        meant = ", ".join(f"{near[m]!r} for {m!r}" for m in missing if m in near)
        if meant:
            meant = f"; did you mean {meant}? (names must match exactly, case and spaces included)"
        # quoted: a name with a comma in it must not read as two columns
        hint = ", ".join(map(repr, map(str, table.columns[:12])))
        hint += " …" if table.shape[1] > 12 else ""
        raise TuneplateError(
            f"column(s) {', '.join(map(repr, missing))} not found in the table{meant}; "
            f"the columns are: {hint}"
        )
    y = table[roles.target]
    values = y.dropna().unique()
    if len(values) == 0:
        raise TuneplateError(
            f"target column {roles.target!r} is empty (all values missing); "
            "pass the outcome column with --target"
        )
    if len(values) != 2:
        shown = ", ".join(map(repr, sorted(map(str, values))[:8]))
        raise TuneplateError(
            f"target column {roles.target!r} has {len(values)} distinct value(s) ({shown}); "
            "this is a binary task: give a column with exactly two outcomes "
            "(e.g. good/bad or 0/1)"
        )
    labels = [str(v) for v in values]
    if roles.positive is not None:
        same = [label for label in labels if _same_number(label, roles.positive)]
        if not same:  # "--positive Yes" after the target was read as 'yes' (tidy_target)
            wanted = str(roles.positive).strip().lower()
            same = [label for label in labels if label.lower() == wanted]
        if str(roles.positive) not in labels and len(same) == 1:
            return replace(roles, positive=same[0])  # "--positive 1" for a 0.0/1.0 column
        if str(roles.positive) not in labels:
            raise TuneplateError(
                f"--positive {roles.positive!r} is not a value of {roles.target!r}; "
                f"its values are {labels[0]!r} and {labels[1]!r}"
            )
        return replace(roles, positive=str(roles.positive))
    words = {w.lower() for w in positive_words}
    lower = [label.strip().lower() for label in labels]
    hits = [lab for lab, low in zip(labels, lower, strict=True) if low in words]
    if not hits:
        hits = [
            lab for lab, low in zip(labels, lower, strict=True) if GENERIC_PAIRS.get(low) in lower
        ]
    if len(hits) != 1:
        raise TuneplateError(
            f"cannot tell which value of {roles.target!r} is the event: "
            f"{labels[0]!r} or {labels[1]!r}; pass it with --positive VALUE"
        )
    return replace(roles, positive=hits[0])


def tidy_target(table: pd.DataFrame, target: str) -> tuple[pd.DataFrame, list]:
    """The table with its text target values stripped and case variants merged, and a finding.

    " No" and "no", "Yes" and "yes" are one outcome written two ways: each group of text
    values equal after stripping surrounding spaces and lower-casing is read as its most
    frequent spelling (ties: the first in sorted order); values blank after stripping
    become missing (rows without an outcome are dropped later, as blanks are). Nothing is
    merged silently: the returned finding (a `checks.Finding`, at most one) counts the
    values read differently. Numbers, and tables without the column, are left alone.

    Example:
        >>> table, found = tidy_target(pd.DataFrame({"y": ["yes", "Yes ", " no"]}), "y")
        >>> list(table["y"]), found[0].message
        (['yes', 'yes', 'no'], "y: 2 value(s) differ from 'no'/'yes' only by case or ...")
    """
    from tuneplate.engine.data.checks import Finding  # checks imports this module

    if target not in table.columns or table.columns.duplicated().any():
        return table, []  # resolve_roles / check_columns say what is wrong
    y = table[target]
    codes, uniques = pd.factorize(y, use_na_sentinel=True)  # each distinct value once
    raw = list(uniques)
    rows = np.bincount(codes[codes >= 0], minlength=len(raw))
    stripped = [v.strip() if isinstance(v, str) else v for v in raw]
    # "?", "n/a", "not done": a missing outcome, as in a feature (`kinds.MISSING_WORDS`)
    stripped = ["" if isinstance(v, str) and v.lower() in TARGET_MISSING else v for v in stripped]
    totals: dict[str, int] = {}
    for value, n in zip(stripped, rows, strict=True):
        if isinstance(value, str) and value:
            totals[value] = totals.get(value, 0) + int(n)
    groups: dict[str, list[tuple[str, int]]] = {}
    for value, n in totals.items():
        groups.setdefault(value.lower(), []).append((value, n))
    best = {low: min(members, key=lambda m: (-m[1], m[0]))[0] for low, members in groups.items()}
    final = [(best[v.lower()] if v else None) if isinstance(v, str) else v for v in stripped]
    blank = np.array([isinstance(v, str) and not v for v in stripped], dtype=bool)
    moved = np.array([isinstance(r, str) and f != r for r, f in zip(raw, final, strict=True)])
    moved = moved.astype(bool) & ~blank  # respelt, not blanked
    n_moved, n_blank = int(rows[moved].sum()), int(rows[blank].sum())
    if not n_moved and not n_blank:
        return table, []
    tidied = pd.Series(np.array([*final, None], dtype=object)[codes], index=y.index)
    parts = []
    if n_moved:
        labels = "/".join(repr(v) for v in sorted({final[i] for i in np.flatnonzero(moved)}))
        parts.append(
            f"{n_moved:,} value(s) differ from {labels} only by case or spaces; read as {labels}"
        )
    if n_blank:
        words = sorted({r.strip() for r, b in zip(raw, blank, strict=True) if b and r.strip()})
        said = f" or missing-words ({', '.join(map(repr, words))})" if words else ""
        parts.append(f"{n_blank:,} blank value(s){said} read as missing")
    finding = Finding(
        "target_spelling",
        "warning",
        f"{target}: " + "; ".join(parts),
        expected="each outcome written one way",
        fix="nothing to do if these are the same outcome; else correct the extract",
        columns=(target,),
    )
    table = table.copy()
    table[target] = tidied.astype(y.dtype) if isinstance(y.dtype, pd.StringDtype) else tidied
    return table, [finding]


def _same_number(label: str, value: Any) -> bool:
    try:
        return float(label) == float(value)
    except (TypeError, ValueError):
        return False


def drop_unknown_target(table: pd.DataFrame, roles: Roles) -> tuple[pd.DataFrame, list[Finding]]:
    """The rows with an outcome, and a warning counting the rows left out.

    Rows without an outcome cannot be learned from or scored, but leaving them out
    changes the population every figure describes: in credit, blank outcomes are often
    the indeterminate or declined applicants (reject inference), in a clinic the
    patients lost to follow-up. So the count is said, never dropped silently.

    Example:
        >>> kept, (note,) = drop_unknown_target(loans, Roles(target="default"))
        >>> note.message
        'default: 100 of 10,000 rows (1.0%) have no outcome and are left out ...'
    """
    from tuneplate.engine.data.checks import Finding  # checks imports this module

    known = table[roles.target].notna()
    if known.all():
        return table, []
    left_out = int((~known).sum())
    note = Finding(
        "target_missing",
        "warning",
        f"{roles.target}: {left_out:,} of {len(table):,} rows "
        f"({percent_of_rows(left_out / len(table))}) "
        "have no outcome and are left out of the search, the hold-out and every figure",
        expected="an outcome on every row, or rows without one removed on purpose",
        fix="give those rows their outcome; if they should not count (e.g. indeterminate "
        "or declined applicants), remove them from the extract",
        columns=(roles.target,),
    )
    return table.loc[known].reset_index(drop=True), [note]


def read_outcomes(
    data: pd.DataFrame, target: str, event: str, positive: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """(y, known): the 0/1 outcomes of the rows that have one, and the mask of those rows,
    read as the run read its target: spellings merged (`tidy_target`), the run's `event`
    matched exactly, as a number or case aside, or named by `positive` (`tuneplate
    validate --positive`).

    Raises:
        TuneplateError: no outcome at all; more than two values; two values of which
            none (or both) is the event; a `positive` that is not a value.

    Example:
        >>> y, known = read_outcomes(rows, "creditability", "bad", None)
    """
    table, _ = tidy_target(data, target)
    values = table[target]
    known = values.notna().to_numpy()
    labels = sorted({str(v) for v in values[known].unique()})
    if not known.any():
        raise TuneplateError(
            f"target column {target!r} has no value in the new rows; give the outcomes, "
            "or leave --target out to monitor without them"
        )
    wanted = event if positive is None else str(positive)
    same = [label for label in labels if label == wanted or _same_number(label, wanted)]
    if not same:
        same = [label for label in labels if label.strip().lower() == wanted.strip().lower()]
    if positive is not None and not same:
        raise TuneplateError(
            f"--positive {positive!r} is not a value of {target!r}; its values are "
            f"{_listing(labels)}"
        )
    if len(labels) > 2 and len(same) == 1:  # the event is there, beside more than one other
        others = [label for label in labels if label != same[0]]
        raise TuneplateError(
            f"target column {target!r} has {len(others)} values besides the run's event "
            f"{same[0]!r} ({_listing(others)}), where the run had one other outcome; leave "
            "out the rows whose outcome is not known yet (e.g. pending or blank), or give "
            "them their outcome"
        )
    if len(labels) > 2 or (len(labels) == 2 and len(same) != 1):
        raise TuneplateError(
            f"target column {target!r} has the values {_listing(labels)}, but the run's "
            f"event is {event!r}; give the run's outcome column, or name the event in "
            "these rows with --positive VALUE"
        )
    y = (values[known].astype("string") == (same[0] if same else wanted)).astype(int)
    return y.to_numpy(), known


# The outcome's missing-words: the features' (`kinds.MISSING_WORDS`) but those that name a
# class as often as no value ("none" beside "mild" and "severe"; an "unknown" status).
TARGET_MISSING = MISSING_WORDS - {"none", "unknown", "nil"}


def percent_of_rows(share: float) -> str:
    """ "3.0%", "< 0.1%": a share of rows, never 0.0% for rows that exist."""
    return "< 0.1%" if 0 < share < 0.0005 else f"{share:.1%}"


def _listing(labels: list[str], most: int = 6) -> str:
    shown = ", ".join(map(repr, labels[:most]))
    return shown + (f" and {len(labels) - most} more" if len(labels) > most else "")
