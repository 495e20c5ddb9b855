"""What scoring counts in each column of the rows it is given, and how it says so.

`Schema.encode` (schema.py) reads new rows through the contract and counts, per column,
what did not fit it (`ColumnCounts`: unreadable values, levels the model did not learn,
new missing values, values outside the bounds every development row kept); `problems`
words those counts one line per column, `warn` raises them as `SchemaWarning`s, and
`Scores` carries them on the probabilities `predict_proba` returns.

Self-contained like its siblings (relative imports only): `tuneplate export` copies this
folder verbatim into the exported project's `contract/` package.

Example:
    >>> X, counts = schema.encode(new_rows)
    >>> problems(counts)
    ['duration: 12 of 200 rows (6.0%) lie below 0, where no development row did: ...']
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from .kinds import MIN_LEVEL_ROWS

OTHER = "(other)"  # the pooled level of rare (and, at scoring, unseen) values
# Scoring: a column whose unknown levels (beyond the training share pooled into OTHER)
# or new missing values exceed this share of the rows is reported: rare levels and blanks
# come at the rates training saw. Unreadable values (read as missing) and values far
# outside the bounds every development row kept (`bounds.far_outside`: below 0, a percent
# for a fraction) are said whatever their count: each is a row scored on an input it did
# not give, or on one no development row held, never a sampling accident (one -999
# duration among 400 rows is one score wrong). Values just past 1 in a 0-1 column may be
# a tail: they are said above WARN_SHARE, or from BOUND_ROWS rows.
WARN_SHARE = 0.01
BOUND_ROWS = 10
# A value none of a coded column's development values (`Feature.codes`, as shown)
NEW_CODE = "a value no development row held (each held one of {})"
# `said_outside`: a count line stands for the off-range line when it covers this share
SAID_SHARE = 0.5
# A column that had missing values at training is said more often missing when its batch
# share passes training's by WARN_SHARE and is this improbable under training's share:
# sampling alone moves a 20% share by several points in a batch of 50, a column the
# extract left empty is far beyond it.
MISSING_ALPHA = 1e-3


class SchemaWarning(UserWarning):
    """Rows to score did not fit the schema: any unreadable value or value far outside
    the bounds, or other values outside them, unknown levels or new missing values in
    more than WARN_SHARE of a column (where training had missing values: beyond its
    share, and beyond sampling)."""


@dataclass(frozen=True)
class ColumnCounts:
    """What did not fit the schema in one column of the rows scored.

    `unreadable`: text in a numeric/boolean column other than known missing-words, dates
    that do not parse, ±inf; read as missing. `unknown_levels`: values not among the
    model's levels, scored as OTHER (or as missing when training pooled nothing).
    `new_missing`: missing values where training had none. `missing`: where training had
    some, the rows missing, and `missing_share` training's share of them (0.0: not
    judged, a model saved before it was recorded). `rows`: rows scored.
    `other_case`: of the unknown levels, those equal to a learned level once case and
    surrounding spaces are ignored ("MALE" for "Male"): an extract written another way.
    `one_value`: for a column the model left out because every row it was tuned on held
    one value (`Constant`), that value as shown ("'Berlin'", "5"); "" for a model input.
    `other_values`: its rows holding another value, or none: rows from a population the
    model never saw. `out_of_domain`: readable values outside the bounds every
    development row kept (`Feature.domain`, named in `domain`), scored as given;
    `far_outside`: of those, the ones far out (`bounds.far_outside`; -1: every one).
    `off_codes`: readable values within the bounds that are none of a coded column's
    development values (`Feature.codes`, shown in `codes`), scored as given.
    """

    name: str
    rows: int
    unreadable: int = 0
    unknown_levels: int = 0
    new_missing: int = 0
    other_share: float = 0.0
    other_case: int = 0
    one_value: str = ""
    other_values: int = 0
    out_of_domain: int = 0
    domain: str = ""
    clock_numbers: bool = False  # a time of day given as 830 for 08:30: all unreadable
    missing: int = 0
    missing_share: float = 0.0
    far_outside: int = -1  # of out_of_domain, those far out (`bounds.far_outside`); -1: all
    off_codes: int = 0  # readable values none of `Feature.codes` (inside the bounds)
    codes: str = ""  # the codes as shown ("1, 2")

    def problem(self, share: float = WARN_SHARE, refused: bool = False) -> str | None:
        """One line naming any unreadable value and any value far outside the bounds
        (`outside_bounds`), and unknown levels or new missing values above `share` of
        the rows (WARN_SHARE; in a column that had missing values, above training's
        share by more, `more_missing`); None when there is nothing to say. `refused`:
        the line of a strict refusal, which scores no row, so it leaves out how the rows
        are scored ("scored as missing", "scored as given")."""
        if not self.rows:
            return None
        parts = []
        if self.unreadable and self.clock_numbers:
            parts.append(
                f"{self._of(self.unreadable)} hold numbers written as clock times (830 for "
                "08:30)? a number here is read as minutes since midnight, as tuneplate types "
                "the column, so none was read"
                + ("; " if refused else ": scored as missing; ")
                + "give the times as text (08:30)"
            )
        elif self.unreadable:
            parts.append(
                f"{self._of(self.unreadable)} could not be read"
                + ("" if refused else ", scored as missing")
            )
        if self.unknown_levels / self.rows - self.other_share > share:
            as_ = repr(OTHER) if self.other_share else "missing"
            case = (
                f" ({self.other_case:,} of them are learned levels written in another case "
                "or with other spaces)"
                if self.other_case
                else ""
            )
            parts.append(
                f"{self._of(self.unknown_levels)} have levels the model did not learn (new, "
                f"or in fewer than {MIN_LEVEL_ROWS} development rows)"
                + ("" if refused else f", scored as {as_}")
                + case
            )
        if self.new_missing / self.rows > share:
            parts.append(f"{self._of(self.new_missing)} are missing, training had none")
        elif self.more_missing(share):
            parts.append(
                f"{self._of(self.missing)} are missing, where {_share(self.missing_share)} of "
                "the development rows were"
                + ("" if refused else ", scored as missing")
                + ": values the extract lost? check how it writes this column"
            )
        if self.outside_bounds(share):
            parts.append(_out_of_domain_text(self._of(self.out_of_domain), self.domain, refused))
        if self.recoded(share):
            parts.append(
                f"{self._of(self.off_codes)} hold {NEW_CODE.format(self.codes)}"
                + ("" if refused else ", scored as given")
                + ": recoded (0/1 for 1/2, a code times 100)? write it as the model was "
                "tuned on it"
            )
        if self.one_value and self.other_values / self.rows > share:
            parts.append(
                f"{self._of(self.other_values)} hold another value than {self.one_value}, or "
                f"none: every row the model was tuned on held {self.one_value}, so it left "
                f"{self.name} out and never saw rows with other values; retrain with such "
                f"rows, or score only rows with {self.name} = {self.one_value}"
            )
        return f"{self.name}: " + "; ".join(parts) if parts else None

    def more_missing(self, share: float = WARN_SHARE) -> bool:
        """Whether a column that had missing values at training is missing in more than
        `share` beyond training's share of the rows, and more than sampling gives: the
        chance of so many missing under training's share is below MISSING_ALPHA, by the
        Chernoff-Hoeffding bound P(X >= k) <= exp(-n KL(k/n || p)) (Hoeffding, J. Amer.
        Statist. Assoc. 58, 1963, Theorem 1), which never overstates how improbable."""
        p, n = self.missing_share, self.rows
        if not (0.0 < p < 1.0) or not n or self.missing / n - p <= share:
            return False
        return math.exp(-n * _kl(self.missing / n, p)) < MISSING_ALPHA

    def outside_bounds(self, share: float = WARN_SHARE) -> bool:
        """Whether `problem` says values outside the column's bounds: any far out
        (`far_outside`), else more than `share` of the rows or BOUND_ROWS rows."""
        n = self.out_of_domain
        far = n if self.far_outside < 0 else self.far_outside
        return bool(far) or self._many(n, share)

    def recoded(self, share: float = WARN_SHARE) -> bool:
        """Whether `problem` says values a coded column never took (`off_codes`): more
        than `share` of the rows, or BOUND_ROWS rows. One new value in a large batch
        may be a first (a sixth policy), a recoded extract moves many."""
        return self._many(self.off_codes, share)

    def _many(self, n: int, share: float) -> bool:
        """More than `share` of the rows, or BOUND_ROWS rows: no sampling accident."""
        return bool(n) and (n / self.rows > share or n >= BOUND_ROWS)

    def _of(self, n: int) -> str:
        return f"{n:,} of {self.rows:,} rows ({_share(n / self.rows)})"


def _share(share: float) -> str:
    return "under 0.1%" if 0 < share < 0.0005 else f"{share:.1%}"  # never "(0.0%)"


def _kl(q: float, p: float) -> float:
    """Kullback-Leibler divergence of Bernoulli(q) from Bernoulli(p), 0 < p < 1."""
    return sum(a * math.log(a / b) for a, b in ((q, p), (1 - q, 1 - p)) if a > 0)


class Scores(np.ndarray):
    """Probabilities with `schema_counts` ({column: ColumnCounts}) attached.

    Slices keep the attribute (`proba[:, 1].schema_counts`), via `__array_finalize__`
    (https://numpy.org/doc/stable/user/basics.subclassing.html).
    """

    schema_counts: dict[str, ColumnCounts]

    def __new__(cls, values, counts: dict[str, ColumnCounts]):
        obj = np.asarray(values, dtype=float).view(cls)
        obj.schema_counts = counts
        return obj

    def __array_finalize__(self, obj) -> None:
        self.schema_counts = getattr(obj, "schema_counts", {})

    def __array_wrap__(self, array, context=None, return_scalar=False):
        # Reductions (`proba[:, 1].mean()`) give plain numbers, not 0-d Scores.
        if return_scalar or np.ndim(array) == 0:
            return np.asarray(array)[()]
        return super().__array_wrap__(array, context, return_scalar)


def problems(
    counts: dict[str, ColumnCounts], share: float = WARN_SHARE, refused: bool = False
) -> list[str]:
    """One line per column with anything to say (`ColumnCounts.problem`); `refused`: as
    a strict refusal words them."""
    return [line for c in counts.values() if (line := c.problem(share, refused))]


def warn(counts: dict[str, ColumnCounts], stacklevel: int = 3) -> None:
    """A `SchemaWarning` per column `problems` words."""
    for line in problems(counts):
        warnings.warn(line, SchemaWarning, stacklevel=stacklevel)


# Where a value outside a `Feature.domain` lies, in words.
WHERE = {"unit_interval": "outside 0 to 1", "nonnegative": "below 0"}


def _out_of_domain_text(rows: str, domain: str, refused: bool = False) -> str:
    if domain == "unit_interval":
        guess = "a percent for a fraction (45 for 0.45), a code, or a value the model never saw"
    else:
        guess = "a code for missing (-1, -999), a sign, or a typing slip"
    where = WHERE.get(domain, WHERE["nonnegative"])
    return (
        f"{rows} lie {where}, where no development row did: {guess}? "
        + ("" if refused else "scored as given, ")
        + "outside the range the model learned; write missing values as blank cells and "
        "check signs and units"
    )


def said_outside(counts: dict[str, ColumnCounts]) -> list[str]:
    """The columns whose values outside their bounds, or codes never taken, `problems`
    already says: the off-range check (`Profile.off_range`) leaves them out, one line for
    one finding. Only when they are half the readable rows or more: one income of
    -0.029 in Mroz's rows (a count line of one row) hid the line that every other income
    was x1000."""
    said = []
    for name, c in counts.items():
        half = SAID_SHARE * max(c.rows - c.missing, 1)
        if (c.outside_bounds() and c.out_of_domain >= half) or (
            c.recoded() and c.off_codes >= half
        ):
            said.append(name)
    return said
