"""Reading the user's table and naming the role of each column.

Everything here raises `TuneplateError` with the problem and its fix, because this
is where a user's file first meets the tool.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from tuneplate.engine.errors import TuneplateError

POSITIVE_WORDS = ("1", "true", "yes", "y", "positive")


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

    def named(self) -> list[str]:
        """Every column a role names, in a stable order."""
        single = [c for c in (self.target, self.time, self.group) if c]
        return single + list(self.protected) + list(self.exclude)

    def features(self, table: pd.DataFrame) -> list[str]:
        skip = set(self.named())
        return [c for c in table.columns if c not in skip]

    def binary_target(self, table: pd.DataFrame) -> pd.Series:
        """The target as 0/1 with 1 for the positive class."""
        return (table[self.target].astype("string") == str(self.positive)).astype(int)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file, or explain why it cannot be read.

    Example:
        >>> read_table("loans.csv").shape
        (1000, 21)
    """
    path = Path(path)
    if not path.exists():
        raise TuneplateError(
            f"data file {str(path)!r} does not exist; check the path given to --data"
        )
    if path.is_dir():
        raise TuneplateError(f"{str(path)!r} is a folder; --data needs a .csv or .parquet file")
    suffixes = "".join(path.suffixes[-2:]).lower()
    try:
        if ".parquet" in suffixes or suffixes.endswith(".pq"):
            table = pd.read_parquet(path)
        else:
            _reject_duplicate_header(path)
            table = pd.read_csv(path, sep=None, engine="python")
    except TuneplateError:
        raise
    except Exception as exc:  # pandas and pyarrow raise many types for unreadable files
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TuneplateError(
            f"{str(path)!r} could not be read as a table ({first}); "
            "give a CSV with a header row or a Parquet file"
        ) from None
    check_columns(table, source=str(path))
    return table


def _reject_duplicate_header(path: Path) -> None:
    # pandas renames a repeated header to "name.1" silently; catch it from the raw header.
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(64 * 1024)
    except UnicodeDecodeError:
        raise TuneplateError(
            f"{str(path)!r} is not a text file; give a UTF-8 CSV or a Parquet file"
        ) from None
    if not sample.strip():
        raise TuneplateError(f"{str(path)!r} is empty; give a table with a header row and data")
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0], delimiters=",;\t|")
        header = next(csv.reader([sample.splitlines()[0]], dialect))
    except csv.Error:
        return
    _raise_on_duplicates(header, str(path))


def _raise_on_duplicates(columns: Iterable[Any], source: str) -> None:
    repeated = [str(c) for c, n in Counter(columns).items() if n > 1]
    if repeated:
        raise TuneplateError(
            f"{source} has duplicate column names: {', '.join(repeated)}; "
            "rename them so each column name is used once"
        )


def check_columns(table: pd.DataFrame, source: str = "the table") -> None:
    """Reject a table with no rows, no columns or repeated column names."""
    if not isinstance(table, pd.DataFrame):
        raise TuneplateError(
            f"data must be a pandas DataFrame or a file path, not {type(table).__name__}"
        )
    _raise_on_duplicates(table.columns, source)
    if table.shape[1] < 2:
        raise TuneplateError(
            f"{source} has {table.shape[1]} column(s); it needs a target and at least one feature "
            "(is the separator a comma, semicolon or tab?)"
        )
    if table.empty:
        raise TuneplateError(f"{source} has a header but no rows; give a table with data")


def resolve_roles(table: pd.DataFrame, roles: Roles, positive_words: Iterable[str] = ()) -> Roles:
    """Check that every named column exists and find the positive class.

    The positive class is inferred when exactly one of the two target values is a
    known event word (the vertical's, e.g. "bad", "default", plus 1/true/yes).

    Example:
        >>> resolve_roles(table, Roles(target="creditability"), ["bad"]).positive
        'bad'
    """
    missing = [c for c in roles.named() if c not in table.columns]
    if missing:
        hint = ", ".join(map(str, table.columns[:12])) + (" …" if table.shape[1] > 12 else "")
        raise TuneplateError(
            f"column(s) {', '.join(map(repr, missing))} not found in the table; "
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
        if str(roles.positive) not in labels and len(same) == 1:
            return replace(roles, positive=same[0])  # "--positive 1" for a 0.0/1.0 column
        if str(roles.positive) not in labels:
            raise TuneplateError(
                f"--positive {roles.positive!r} is not a value of {roles.target!r}; "
                f"its values are {labels[0]!r} and {labels[1]!r}"
            )
        return replace(roles, positive=str(roles.positive))
    words = {w.lower() for w in (*positive_words, *POSITIVE_WORDS)}
    hits = [label for label in labels if label.strip().lower() in words]
    if set(labels) == {"0", "1"} or set(labels) == {"0.0", "1.0"}:
        hits = [label for label in labels if float(label) == 1]
    if len(hits) != 1:
        raise TuneplateError(
            f"cannot tell which value of {roles.target!r} is the event: "
            f"{labels[0]!r} or {labels[1]!r}; pass it with --positive VALUE"
        )
    return replace(roles, positive=hits[0])


def _same_number(label: str, value: Any) -> bool:
    try:
        return float(label) == float(value)
    except (TypeError, ValueError):
        return False


def drop_unknown_target(table: pd.DataFrame, roles: Roles) -> pd.DataFrame:
    """Rows without an outcome cannot be learned from or scored."""
    return table.loc[table[roles.target].notna()].reset_index(drop=True)
