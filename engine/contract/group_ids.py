"""Which `--group` ids are really missing: one rule for `tuneplate check`, the split, every
interval that counts entities (`clusters`), `tuneplate validate` and the exported
validate.py (this module is part of the copied contract).

A row without an id cannot be placed in a group. Blank cells are the obvious case, but
extracts also write "no id" as a word or a sign (`unknown`, `n/a`, `-`, `NULL`); taken
as ids, all those rows would form ONE large "customer" that lands whole in the hold-out
or in one fold. `PLACEHOLDER_IDS` lists the words read as missing (compared after
stripping spaces and ignoring case):

    blank, unknown, unk, n/a, na, n.a., #n/a, none, null, nil, nan, missing, -, --, ?,
    not available, tbd, unbekannt, k.a., keine angabe, inconnu, desconocido, sin dato

A zero (`0`, `000000`, `-1`) is a real id in many systems, so it is NOT read as missing;
it is only reported (a warning) when it looks like a stand-in for "no id": the single most
frequent id, on at least `SENTINEL_FACTOR` times the rows of any other id (and at least
`SENTINEL_MIN_ROWS` rows). Only the user knows which, so the fix is theirs.

Example:
    >>> ids = read_group_ids(pd.Series(["C1", "C1", "n/a", " ", "C2"]), "customer")
    >>> ids.n_missing, ids.missing_line()
    (2, "--group column 'customer' has no id on 2 of 5 rows (1 blank, 1 'n/a'); …")
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PLACEHOLDER_IDS = frozenset(
    {
        "", "unknown", "unk", "n/a", "na", "n.a.", "#n/a", "none", "null", "nil", "nan",
        "missing", "-", "--", "?", "not available", "tbd", "unbekannt", "k.a.",
        "keine angabe", "inconnu", "desconocido", "sin dato",
    }
)  # fmt: skip
SENTINEL_FACTOR = 5  # a zero id on 5x the rows of every other id reads as "no id"
SENTINEL_MIN_ROWS = 10


def _zero_like(text: str) -> bool:
    digits = text.lstrip("-")
    return (digits != "" and set(digits) == {"0"}) or text == "-1"


def whole_text(values: pd.Series) -> pd.Series:
    """Ids as text: 123.0 read from a CSV column with a blank is the id "123", as in a
    column without blanks (pandas reads a number column with a blank as floats)."""
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if len(whole) and (whole % 1 == 0).all():
            values = values.astype("Int64")
    return values.astype("string")


def id_text(values: pd.Series) -> pd.Series:
    """Ids as stripped text (`whole_text`, then surrounding spaces removed)."""
    return whole_text(values).str.strip()


@dataclass(frozen=True)
class GroupIds:
    """A `--group` column read once: its ids as text and which rows have none.

    `missing` is a boolean array (one per row); `placeholders` counts the rows of each
    placeholder word; `sentinel` is a zero-like id that looks like "no id" (or "").
    """

    column: str
    ids: np.ndarray
    missing: np.ndarray
    placeholders: dict[str, int]
    sentinel: str = ""
    sentinel_rows: int = 0
    next_rows: int = 0

    @property
    def n_missing(self) -> int:
        return int(self.missing.sum())

    def clusters(self) -> np.ndarray:
        """One integer per row for a cluster bootstrap or a clustered standard error:
        rows of one id share it, and each row without an id is its own.

        Example:
            >>> read_group_ids(pd.Series(["C1", "C1", "", "C2"]), "customer").clusters()
            array([0, 0, 2, 1])
        """
        return entity_codes(pd.Series(self.ids).where(~self.missing))

    def entities(self) -> np.ndarray | None:
        """`clusters()`, or None when no id repeats (each row is then its own entity,
        and resampling rows is the same)."""
        clusters = self.clusters()
        return clusters if len(np.unique(clusters)) < len(clusters) else None

    def missing_line(self) -> str:
        """One line naming the column, how many rows lack an id, as what, and the fix."""
        kinds = ", ".join(
            f"{n:,} blank" if word == "" else f"{n:,} {word!r}"
            for word, n in self.placeholders.items()
        )
        return (
            f"--group column {self.column!r} has no id on {self.n_missing:,} of "
            f"{len(self.ids):,} rows ({kinds}); fill them with the right id, or drop those "
            "rows, so each row belongs to one group"
        )

    def sentinel_line(self) -> str:
        return (
            f"--group column {self.column!r}: id {self.sentinel!r} is on {self.sentinel_rows:,} "
            f"of {len(self.ids):,} rows, more than {SENTINEL_FACTOR}x any other id "
            f"({self.next_rows:,} rows at most)"
        )


def read_group_ids(values: pd.Series, column: str) -> GroupIds:
    """Read a `--group` column: ids as text, blanks and placeholder words as missing."""
    text = id_text(values)
    lowered = text.str.lower()
    missing = (text.isna() | lowered.isin(PLACEHOLDER_IDS)).to_numpy(dtype=bool)
    words = lowered.fillna("")[missing]
    placeholders = {str(k): int(v) for k, v in words.value_counts().items()}
    counts = text[~missing].value_counts()
    sentinel, rows, second = "", 0, 0
    if len(counts) >= 2 and _zero_like(str(counts.index[0])):
        rows, second = int(counts.iloc[0]), int(counts.iloc[1])
        if rows >= SENTINEL_MIN_ROWS and rows >= SENTINEL_FACTOR * second:
            sentinel = str(counts.index[0])
    return GroupIds(
        column=column,
        ids=text.fillna("").to_numpy(dtype=object),
        missing=missing,
        placeholders=placeholders,
        sentinel=sentinel,
        sentinel_rows=rows if sentinel else 0,
        next_rows=second if sentinel else 0,
    )


def entity_codes(groups) -> np.ndarray:
    """0..G-1 per row from entity ids of any type; each missing id (NaN, None) alone.

    Example:
        >>> entity_codes(["b", "a", None, "b"])
        array([0, 1, 2, 0])
    """
    codes = pd.factorize(np.asarray(groups, dtype=object))[0]
    alone = codes < 0
    codes[alone] = codes.max(initial=-1) + 1 + np.arange(int(alone.sum()))
    return codes


def entity_clusters(values: pd.Series, column: str) -> np.ndarray | None:
    """`read_group_ids(values, column).clusters()`, or None when no id repeats (each row
    is then its own entity, and resampling rows is the same)."""
    return read_group_ids(values, column).entities()


__all__ = [
    "PLACEHOLDER_IDS",
    "GroupIds",
    "entity_clusters",
    "entity_codes",
    "id_text",
    "read_group_ids",
]
