"""Reading the user's table and naming the role of each column.

Everything here raises `TuneplateError` with the problem and its fix, because this
is where a user's file first meets the tool.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from tuneplate.engine.errors import TuneplateError

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
            sep, encoding = _sniff_csv(path)
            table = pd.read_csv(path, sep=sep, encoding=encoding)
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


def _sniff_csv(path: Path) -> tuple[str, str]:
    """The separator and encoding of a CSV, after rejecting binary and empty files.

    Also rejects a repeated header name, which pandas would silently rename "name.1".
    """
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rb") as handle:
        raw = handle.read(64 * 1024)
    if b"\x00" in raw:
        raise TuneplateError(f"{str(path)!r} is not a text file; give a CSV or a Parquet file")
    if not raw.strip():
        raise TuneplateError(f"{str(path)!r} is empty; give a table with a header row and data")
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        # Spreadsheets in Western Europe still save CSVs as Windows-1252.
        text, encoding = raw.decode("cp1252", errors="replace"), "cp1252"
    first_line = text.splitlines()[0]
    try:
        sep = csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","  # one column, or nothing to tell separators apart
    _raise_on_duplicates(next(csv.reader([first_line], delimiter=sep)), str(path))
    return sep, encoding


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


def _same_number(label: str, value: Any) -> bool:
    try:
        return float(label) == float(value)
    except (TypeError, ValueError):
        return False


def drop_unknown_target(table: pd.DataFrame, roles: Roles) -> pd.DataFrame:
    """Rows without an outcome cannot be learned from or scored."""
    return table.loc[table[roles.target].notna()].reset_index(drop=True)
