"""The schema: what each feature column is, learned once at fit time and enforced at scoring.

When a table is tuned on, each feature's kind (numeric, categorical, boolean, datetime),
its levels (rare ones pooled into one "other" level), the text read as missing and whether
training had missing values are learned here. The model keeps this `Schema` (model.json),
and every later scoring reads new rows through it: a column is read the same way however
pandas happened to type it (ints as floats, numbers as text, dates as strings, a level
column as floats because of a blank), and what does not fit is counted, never hidden.

This module is self-contained on purpose: it imports only the standard library, numpy,
pandas and its two siblings by RELATIVE import, because `tuneplate export` copies
schema.py, reader.py and errors.py (this folder, `engine/contract/`) verbatim into the exported
project (`contract/`), so that project's score.py enforces the same contract without
tuneplate installed.

Example:
    >>> schema, notes = Schema.learn(table, ["amount", "purpose"])
    >>> schema = schema.fit_levels(table.iloc[development])[0]
    >>> X, counts = schema.encode(new_rows)   # model input, per-column counts
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .dates import detect_date_format, parse_datetimes

# Relative on purpose: `tuneplate export` copies errors.py, reader.py and this file side by
# side into the exported project's `contract/` package, which has no tuneplate installed.
from .errors import TuneplateError

KINDS = ("numeric", "categorical", "boolean", "datetime")

# A level seen in fewer development rows than this is pooled into OTHER before any model
# sees it. Two reasons, both pointing at ~10: (1) a tree cannot estimate a level's effect
# from a handful of rows (LightGBM's own categorical smoothing, `cat_smooth`, defaults to
# 10 pseudo-rows); (2) statistical disclosure control's "threshold rule" withholds cells of
# fewer than 3-10 records (Hundepool et al., Statistical Disclosure Control, Wiley 2012,
# ch. 5); we take the strict end, so no value from a few rows reaches a model file.
MIN_LEVEL_ROWS = 10
OTHER = "(other)"  # the pooled level of rare (and, at scoring, unseen) values

# A text column is read as numbers when at least this share of its non-blank values that
# are not missing-words parse as numbers, and the rest are at most MAX_STRAY_TOKENS
# distinct texts ("n/a", "-", "unknown"): typos of "missing", not categories.
PARSE_SHARE = 0.95
MAX_STRAY_TOKENS = 5
# Scoring: a column whose unreadable values, unknown levels (beyond the training share
# pooled into OTHER) or new missing values exceed this share of the rows is reported.
WARN_SHARE = 0.01

# Text that means "no value" in extracts (compared stripped and lower-cased).
MISSING_WORDS = frozenset(
    {"", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "-", "--", "---", "?", "??",
     ".", "unknown", "missing", "#n/a", "#na", "#null!", "#value!", "#div/0!", "<na>", "nat"}
)  # fmt: skip
TRUE_WORDS, FALSE_WORDS = frozenset({"true", "1"}), frozenset({"false", "0"})
# Characters LightGBM (`,` `:` `[` `]` `{` `}` `"`) or XGBoost (`[` `]` `<`) refuse in a
# feature name, plus whitespace and `>` (LightGBM rewrites spaces, XGBoost dislikes `>`).
_UNSAFE = re.compile(r'[,:\[\]{}"<>\s\\]|[^\x20-\x7e]')
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
# A number followed by a percent sign ("12.5%", "12,5 %"): read in percent units (12.5).
_PERCENT = re.compile(r"^(.*\d)\s*%$")
_EPOCH = pd.Timestamp(0, tz="UTC")
_DATE_SAMPLE = 2000  # distinct texts parsed to decide whether a column holds dates


class SchemaWarning(UserWarning):
    """Rows to score did not fit the schema in more than WARN_SHARE of one column's rows."""


@dataclass(frozen=True)
class Note:
    """A finding about how a column was read; same fields as `engine.checks.Finding`."""

    check: str
    severity: str
    message: str
    expected: str = ""
    fix: str = ""
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feature:
    """One feature column as the model knows it.

    Args:
        name: the user's column name (shown everywhere a person reads).
        key: the name the model libraries see (the user's name unless they refuse it).
        kind: numeric | categorical | boolean | datetime (datetime enters models as days
            since 1970-01-01 UTC, a float).
        levels: categorical only: levels kept, sorted, then OTHER when rare ones were pooled.
        missing_tokens: text read as missing rather than as unreadable (lower-case).
        had_missing: whether the training rows had missing values in this column.
        other_share: share of the training rows pooled into OTHER (an aggregate).
        decimal: numeric only: "," or "." when this column's text numbers use another
            decimal mark than the table's rules (learnt at fit); "" to follow the rules.
        date_format: datetime from text only: the column's date format learnt at fit
            (`reader.date_format`, e.g. "%d/%m/%Y"), so scoring reads 03/04 as training
            did; "" to decide from the rows (datetime columns, older models).
    """

    name: str
    key: str
    kind: str
    levels: tuple[str, ...] = ()
    missing_tokens: tuple[str, ...] = ()
    had_missing: bool = False
    other_share: float = 0.0
    decimal: str = ""
    date_format: str = ""


@dataclass(frozen=True)
class ColumnCounts:
    """What did not fit the schema in one column of the rows scored.

    `unreadable`: text in a numeric/boolean column other than known missing-words, dates
    that do not parse, ±inf; read as missing. `unknown_levels`: values not among the
    model's levels, scored as OTHER (or as missing when training pooled nothing).
    `new_missing`: missing values where training had none. `rows`: rows scored.
    """

    name: str
    rows: int
    unreadable: int = 0
    unknown_levels: int = 0
    new_missing: int = 0
    other_share: float = 0.0

    def problem(self, share: float = WARN_SHARE) -> str | None:
        """One line when a count exceeds `share` of the rows, else None."""
        if not self.rows:
            return None
        parts = []
        if self.unreadable / self.rows > share:
            parts.append(f"{self._of(self.unreadable)} could not be read, scored as missing")
        if self.unknown_levels / self.rows - self.other_share > share:
            as_ = repr(OTHER) if self.other_share else "missing"
            parts.append(
                f"{self._of(self.unknown_levels)} have levels the model never saw, scored as {as_}"
            )
        if self.new_missing / self.rows > share:
            parts.append(f"{self._of(self.new_missing)} are missing, training had none")
        return f"{self.name}: " + "; ".join(parts) if parts else None

    def _of(self, n: int) -> str:
        return f"{n:,} of {self.rows:,} rows ({n / self.rows:.1%})"


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


@dataclass(frozen=True)
class Schema:
    """The features of a model, in order, and the reading rules of the table.

    Example:
        >>> schema, notes = Schema.learn(table, ["credit_amount", "purpose"])
        >>> [f.kind for f in schema.features]
        ['numeric', 'categorical']
    """

    features: tuple[Feature, ...]
    rules: dict[str, Any] = field(default_factory=dict)  # reader.ReadingRules, as a dict

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def keys(self) -> dict[str, str]:
        """User name -> the model's internal name."""
        return {f.name: f.key for f in self.features}

    def feature(self, name: str) -> Feature:
        return next(f for f in self.features if f.name == name)

    # -- learning ------------------------------------------------------------------

    @classmethod
    def learn(
        cls, table: pd.DataFrame, columns: list[str], rules: dict | None = None
    ) -> tuple[Schema, list[Note]]:
        """Each column's kind, from its values (not its pandas dtype alone).

        Columns with no value at all after reading are left out, with a note.
        Levels come later, from the development rows (`fit_levels`).
        """
        features, notes, keys = [], [], _safe_keys(columns)
        for col in columns:
            kind, tokens, decimal, col_notes = _learn_kind(table[col], col, rules or {})
            notes += col_notes
            if kind is None:
                continue
            dates, date_notes = _date_format(table[col], col) if kind == "datetime" else ("", [])
            notes += date_notes
            features.append(
                Feature(col, keys[col], kind, tokens, decimal=decimal, date_format=dates)
            )
        notes += [Note(**n) for n in table.attrs.get("reading_notes", ())]  # reader's findings
        return cls(tuple(features), dict(rules or {})), notes

    def fit_levels(self, rows: pd.DataFrame) -> tuple[Schema, list[Note]]:
        """Levels (rare ones pooled) and missingness, from the training rows."""
        features, pooled = [], []
        for f in self.features:
            values, _, missing = _read(rows[f.name], f, self.rules)
            had_missing = bool(missing.any())
            if f.kind != "categorical":
                features.append(replace(f, had_missing=had_missing))
                continue
            counts = pd.Series(values).value_counts()
            kept = sorted(str(v) for v in counts.index[counts >= MIN_LEVEL_ROWS])
            rare = counts[counts < MIN_LEVEL_ROWS]
            levels, share = tuple(kept), 0.0
            if len(rare):
                levels += (OTHER,)
                share = float(rare.sum() / max(len(rows), 1))
                plural = "s" if len(rare) > 1 else ""
                pooled.append(f"{f.name} ({len(rare)} level{plural}, {int(rare.sum()):,} rows)")
            features.append(replace(f, levels=levels, had_missing=had_missing, other_share=share))
        notes = []
        if pooled:
            notes.append(
                Note(
                    "rare_levels",
                    "info",
                    f"levels seen in fewer than {MIN_LEVEL_ROWS} development rows were "
                    f"pooled into one level {OTHER!r}: {', '.join(pooled)}",
                    expected=f"each level in at least {MIN_LEVEL_ROWS} rows",
                    fix="nothing to do; rows with new levels at scoring are scored as "
                    f"{OTHER!r} too",
                    columns=tuple(p.split(" (")[0] for p in pooled),
                )
            )
        return replace(self, features=tuple(features)), notes

    # -- reading -------------------------------------------------------------------

    def typed(self, table: pd.DataFrame) -> pd.DataFrame:
        """The table with each feature whose kind differs from its dtype coerced.

        Text read as numbers becomes float, text dates become UTC datetimes, true/false
        text becomes booleans, ±inf becomes missing; other columns are left as they are,
        so the checks judge the columns the model will see.
        """
        out = table.copy(deep=False)  # copy-on-write: only replaced columns are new
        for f in self.features:
            s = table[f.name]
            if f.kind == "numeric" and not _plain_numbers(s):
                out[f.name] = _read(s, f, self.rules)[0]
            elif f.kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(s):
                dates = _text(s).where(~_token_mask(s, f), None)
                out[f.name] = parse_datetimes(dates, f.date_format or None)
            elif f.kind == "boolean" and not pd.api.types.is_bool_dtype(s):
                values = _read(s, f, self.rules)[0]
                out[f.name] = pd.array(
                    [None if math.isnan(v) else bool(v) for v in values], dtype="boolean"
                )
        return out

    def encode(self, table: Any) -> tuple[pd.DataFrame, dict[str, ColumnCounts]]:
        """The model's input (internal names, in order) and what did not fit, per column.

        Numeric, boolean and datetime become floats (datetime: days since 1970-01-01 UTC);
        categorical becomes a pandas Categorical with the model's levels. Extra columns
        are ignored. Zero rows give an empty input (the caller decides what to return).
        Raises TuneplateError when `table` is not a DataFrame, lacks a model column or
        has one twice.
        """
        if not isinstance(table, pd.DataFrame):
            raise TuneplateError(
                f"the rows to score must be a pandas DataFrame with the columns "
                f"{_listing(self.names)}, got {type(table).__name__}; "
                "build one with pd.DataFrame(values, columns=[...])"
            )
        table = _strip_names(table, self.names)
        missing = [n for n in self.names if n not in table.columns]
        if missing:
            raise TuneplateError(
                f"the rows to score lack the model's column(s) {_listing(missing)}; "
                "give a table with the columns the model was tuned on"
            )
        repeated = set(table.columns[table.columns.duplicated()])
        twice = [n for n in self.names if n in repeated]
        if twice:  # which of the two is the feature? Refuse rather than guess
            raise TuneplateError(
                f"the rows to score have the model's column(s) {_listing(twice)} more than "
                "once; keep one column per name (rename or drop the others)"
            )
        out, counts, n = {}, {}, len(table)
        for f in self.features:
            values, unreadable, miss = _read(table[f.name], f, self.rules)
            unknown = 0
            if f.kind == "categorical":
                known = pd.Series(values).isin(f.levels).to_numpy()
                unknown_mask = ~known & ~miss
                unknown = int(unknown_mask.sum())
                values = np.where(unknown_mask, OTHER if OTHER in f.levels else None, values)
                values = pd.Categorical(values, categories=list(f.levels))
            out[f.key] = values
            counts[f.name] = ColumnCounts(
                f.name,
                n,
                unreadable=int(unreadable.sum()),
                unknown_levels=unknown,
                new_missing=0 if f.had_missing else int(miss.sum()),
                other_share=f.other_share,
            )
        return pd.DataFrame(out, index=table.index), counts

    # -- saving --------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "features": [{**asdict(f), "levels": list(f.levels)} for f in self.features],
            "rules": self.rules,
            "min_level_rows": MIN_LEVEL_ROWS,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Schema:
        if "features" in data and data["features"] and isinstance(data["features"][0], str):
            return cls._from_encoder(data)
        features = tuple(
            Feature(
                **{
                    **f,
                    "levels": tuple(f.get("levels", ())),
                    "missing_tokens": tuple(f.get("missing_tokens", ())),
                }
            )
            for f in data["features"]
        )
        return cls(features, dict(data.get("rules") or {}))

    @classmethod
    def _from_encoder(cls, data: dict) -> Schema:
        """A model.json written before the schema existed ({"features", "categories"})."""
        cats = data.get("categories", {})
        return cls(
            tuple(
                Feature(c, c, "categorical", tuple(cats[c]), had_missing=True)
                if c in cats
                else Feature(c, c, "numeric", had_missing=True)
                for c in data["features"]
            )
        )


def problems(counts: dict[str, ColumnCounts], share: float = WARN_SHARE) -> list[str]:
    """One line per column whose counts exceed `share` of the rows."""
    return [line for c in counts.values() if (line := c.problem(share))]


def warn(counts: dict[str, ColumnCounts], stacklevel: int = 3) -> None:
    """A `SchemaWarning` per column above WARN_SHARE."""
    for line in problems(counts):
        warnings.warn(line, SchemaWarning, stacklevel=stacklevel)


# -- helpers -------------------------------------------------------------------------


def _listing(names: list[str], most: int = 12) -> str:
    shown = ", ".join(repr(n) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _strip_names(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The table with "amount " found as "amount": the reader strips header names
    (spreadsheet exports pad them), so a DataFrame read another way must match too.
    Only names the model lacks are renamed, and only to a name no other column has."""
    present = set(table.columns)
    wanted = {n for n in names if n not in present}
    renames = {
        c: c.strip()
        for c in table.columns
        if isinstance(c, str) and c != c.strip() and c.strip() in wanted
    }
    if not renames or len(set(renames.values())) < len(renames):
        return table  # nothing to match, or two padded columns for one name: say missing
    return table.rename(columns=renames)


def _safe_keys(columns: list[str]) -> dict[str, str]:
    """The user's name where the libraries accept it, else a sanitised unique one."""
    taken = {str(c) for c in columns if not _UNSAFE.search(str(c))}
    keys = {}
    for col in columns:
        name = str(col)
        if not _UNSAFE.search(name):
            keys[col] = name
            continue
        base = _UNSAFE.sub("_", name).strip("_") or "feature"
        key, i = base, 2
        while key in taken:
            key, i = f"{base}_{i}", i + 1
        taken.add(key)
        keys[col] = key
    return keys


def canonical(value: Any) -> str | None:
    """A value's text as a level: stripped; numbers written one way ("5.0" -> "5").

    Example:
        >>> canonical(5.0), canonical(" 5 "), canonical("5.50"), canonical("")
        ('5', '5', '5.5', None)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return _number_text(float(value))
    text = str(value).strip()
    if not text:
        return None
    if _INTEGER.match(text):
        return str(int(text))
    if _NUMBER.match(text):
        return _number_text(float(text))
    return text


def _number_text(x: float) -> str | None:
    if math.isnan(x):
        return None
    if math.isfinite(x) and x.is_integer() and abs(x) < 2**53:
        return str(int(x))
    return repr(x)


def number_format(rules: dict | None, decimal: str = "") -> tuple[str, str | None]:
    """(decimal mark, thousands separator) to read text numbers with.

    `decimal` (a feature's own mark, learnt at fit) wins; else the saved reading rules
    (`reader.ReadingRules`: a decimal-comma file groups thousands with "." when its
    `thousands` says so); without either, the plain convention: 1,234.5.

    Example:
        >>> number_format({"decimal": ",", "thousands": "."}), number_format(None)
        ((',', '.'), ('.', ','))
    """
    if decimal:
        return decimal, "." if decimal == "," else ","
    rules = rules or {}
    mark = rules.get("decimal") or "."
    if mark == ".":
        return ".", rules.get("thousands") or ","
    return mark, rules.get("thousands")


@functools.lru_cache(maxsize=16)
def _grouping(decimal: str, thousands: str) -> re.Pattern:
    """Digits grouped by three with `thousands`, then an optional `decimal` part."""
    t, d = re.escape(thousands), re.escape(decimal)
    # A leading group never starts with 0: "0.125" is a point decimal, not 125.
    return re.compile(rf"^[+-]?[1-9]\d{{0,2}}({t}\d{{3}})+({d}\d*)?$")


def _parse_number(text: Any, decimal: str = ".", thousands: str | None = ",") -> float:
    """A number from text under one convention, NaN when it is not one.

    Thousands groups are dropped only when every group has three digits ("1.234,5" with
    decimal ","); a point decimal ("3.5") still reads in a decimal-comma table, as
    `reader` reads it; a trailing "%" is dropped (percent units: "12,5 %" -> 12.5).

    Example:
        >>> _parse_number("3.543,22", ",", "."), _parse_number("3.543"), _parse_number("7%")
        (3543.22, 3.543, 7.0)
    """
    if text is None:
        return math.nan
    text = str(text).strip()
    if (percent := _PERCENT.match(text)) is not None:
        text = percent.group(1).strip()
    if thousands and _grouping(decimal, thousands).match(text):
        text = text.replace(thousands, "")
    if decimal != "." and text.count(decimal) == 1 and "." not in text:
        text = text.replace(decimal, ".")
    try:
        return float(text)
    except ValueError:
        return math.nan


def _value_number(value: Any, decimal: str, thousands: str | None) -> float:
    """One raw value (a number, or text read under the convention) as a float."""
    if value is None or value is pd.NA or value is pd.NaT or isinstance(value, bool | np.bool_):
        return math.nan
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    return _parse_number(value, decimal, thousands)


def _numbers(s: pd.Series, decimal: str, thousands: str | None) -> np.ndarray:
    """Each raw value as a float (NaN when not a number), parsed once per distinct value.

    Raw, not canonical: canonical text turns "1.000" into "1", which in a table that
    groups thousands with dots is 1000.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    parsed = [_value_number(u, decimal, thousands) for u in uniques]
    return np.array(parsed + [math.nan], dtype=float)[codes]


def _text(s: pd.Series) -> pd.Series:
    """Each value as canonical text (None when missing), computed once per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    canon = np.array([canonical(v) for v in uniques] + [None], dtype=object)
    return pd.Series(canon[codes], index=s.index, dtype=object)


def _plain_numbers(s: pd.Series) -> bool:
    """A numeric dtype (not bool) without ±inf: nothing to coerce."""
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        return False
    values = s.to_numpy(dtype=float, na_value=np.nan)
    return not np.isinf(values).any()


def _token_mask(s: pd.Series, f: Feature) -> np.ndarray:
    text = _text(s)
    lower = text.str.lower()
    tokens = MISSING_WORDS | set(f.missing_tokens)
    return (text.notna() & lower.isin(tokens)).to_numpy()


def _read(
    s: pd.Series, f: Feature, rules: dict | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, unreadable mask, missing mask) of one column read as `f.kind`.

    Values are floats for numeric/boolean/datetime (NaN when missing or unreadable) and
    canonical text (None when missing) for categorical. Unreadable values are missing too.
    Text numbers are read with the column's decimal mark, else the saved `rules`'
    (`number_format`): "3.543" is 3543 for a model tuned on a 1.234,5 file.
    """
    n = len(s)
    if f.kind == "categorical":
        text = _text(s).to_numpy()
        miss = pd.isna(text)
        return text, np.zeros(n, bool), miss
    if f.kind == "datetime" and pd.api.types.is_datetime64_any_dtype(s):
        days = _days(s)
        return days, np.zeros(n, bool), np.isnan(days)
    if f.kind in ("numeric", "boolean") and (
        pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
    ):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(values)
        if f.kind == "boolean":
            bad |= ~np.isnan(values) & ~np.isin(values, (0.0, 1.0))
        values = np.where(bad, np.nan, values)
        return values, bad, np.isnan(values)
    # text (object, pandas string, category): parse each distinct value once
    text = _text(s)
    lower = text.str.lower()
    token = (text.notna() & lower.isin(MISSING_WORDS | set(f.missing_tokens))).to_numpy()
    blank = text.isna().to_numpy()
    if f.kind == "numeric":
        parsed = _numbers(s, *number_format(rules, f.decimal))
        bad = ~blank & ~token & ~np.isfinite(parsed)
    elif f.kind == "boolean":
        parsed = np.where(
            lower.isin(TRUE_WORDS), 1.0, np.where(lower.isin(FALSE_WORDS), 0.0, np.nan)
        )
        bad = ~blank & ~token & np.isnan(parsed)
    else:  # datetime from text
        parsed = _days(parse_datetimes(text.where(~(token | blank), None), f.date_format or None))
        bad = ~blank & ~token & np.isnan(parsed)
    values = np.where(bad | token, np.nan, parsed).astype(float)
    return values, bad, np.isnan(values)


def _days(s: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 UTC (naive times taken as UTC)."""
    s = pd.Series(s)
    naive = getattr(s.dt, "tz", None) is None
    s = s.dt.tz_localize("UTC") if naive else s.dt.tz_convert("UTC")
    return ((s - _EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)


def _learn_kind(
    s: pd.Series, col: str, rules: dict
) -> tuple[str | None, tuple[str, ...], str, list[Note]]:
    """(kind or None when the column is empty, missing tokens, own decimal mark, notes).

    Text numbers are read under the table's `rules` (`number_format`); a column that
    reads as numbers only with the other decimal mark ("12,5" in a plain table) keeps
    that mark as its own, with a note. "12.5%" reads as 12.5 (percent units), with a note.
    """
    if pd.api.types.is_bool_dtype(s):
        return "boolean", (), "", []
    if pd.api.types.is_datetime64_any_dtype(s):
        if s.notna().any():
            return "datetime", (), "", [_date_note(col, 0, from_text=False)]
        return None, (), "", [_empty_note(col)]
    if pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        inf = int(np.isinf(values).sum())
        if not np.isfinite(values).any():
            return None, (), "", [_empty_note(col, inf)]
        return "numeric", (), "", [_inf_note(col, inf)] if inf else []
    text = _text(s)
    lower = text.str.lower()
    blank = text.isna()
    word = ~blank & lower.isin(MISSING_WORDS)
    rest = ~blank & ~word
    if not rest.any():
        return None, (), "", [_empty_note(col, 0, sorted(set(lower[word])))]
    seen = set(lower[rest].unique())
    if seen <= TRUE_WORDS | FALSE_WORDS and seen & {"true", "false"}:
        return "boolean", tuple(sorted(set(lower[word]))), "", []
    given = s[rest.to_numpy()]  # raw values: canonical text would turn "1.000" into "1"
    if given.astype(str).str.strip().str.fullmatch(r"[+-]?0\d+").any():
        return "categorical", (), "", []  # "01067", "000123": codes (postcodes, ids)
    decimal, thousands = number_format(rules)
    numbers = pd.Series(_numbers(given, decimal, thousands), index=given.index)
    own = ""
    if numbers.notna().mean() < PARSE_SHARE:  # the other decimal mark, for this column only
        other = "," if decimal == "." else "."
        again = pd.Series(_numbers(given, *number_format(None, other)), index=given.index)
        if again.notna().mean() >= PARSE_SHARE:
            numbers, own = again, other
            decimal, thousands = number_format(None, other)
    finite = numbers.notna() & np.isfinite(numbers)
    stray = lower[rest][numbers.isna()]
    if finite.mean() >= PARSE_SHARE and stray.nunique() <= MAX_STRAY_TOKENS and finite.any():
        stray_counts = stray.value_counts()
        kept = {t for t, n in stray_counts.items() if n >= MIN_LEVEL_ROWS}
        tokens = tuple(sorted(set(lower[word]) | kept))
        notes = []
        n_missing = int(word.sum() + len(stray))
        if n_missing:
            notes.append(
                _token_note(col, n_missing, set(lower[word]) | kept, len(stray_counts) - len(kept))
            )
        inf = int(np.isinf(numbers).sum())
        if inf:
            notes.append(_inf_note(col, inf))
        written = given[finite.to_numpy()].map(lambda v: str(v).strip())
        notes += _format_notes(col, written, decimal, thousands, own)
        return "numeric", tokens, own, notes
    sample = pd.Series(text[rest].unique()[:_DATE_SAMPLE], name=col)
    if sample.str.contains(r"\d").mean() >= PARSE_SHARE:
        dated = parse_datetimes(sample).notna().mean()
        if dated >= PARSE_SHARE:
            days = _days(parse_datetimes(text[rest]))
            bad = int(np.isnan(days).sum())
            return "datetime", tuple(sorted(set(lower[word]))), "", [_date_note(col, bad, True)]
    return "categorical", (), "", []


def _format_notes(
    col: str, written: pd.Series, decimal: str, thousands: str | None, own: str
) -> list[Note]:
    """Notes on how a text column's numbers were written: grouping, percent, own mark."""
    notes = []
    if own:
        mark = "decimal comma (12,5)" if own == "," else "decimal point (12.5)"
        notes.append(
            Note(
                "decimal_mark",
                "info",
                f"{col}: numbers written with a {mark}, unlike the rest of the table, read "
                "as numbers; scoring reads this column the same way",
                columns=(col,),
            )
        )
    text = written.astype(str)
    if thousands:
        grouped = int(
            text.str.replace(_PERCENT, r"\1", regex=True)
            .str.strip()
            .str.match(_grouping(decimal, thousands))
            .sum()
        )
        if grouped:
            example = f"1{thousands}234"
            notes.append(
                Note(
                    "thousands_separators",
                    "info",
                    f"{col}: {_values(grouped)} written with thousands separators "
                    f"({example}) read as numbers",
                    columns=(col,),
                )
            )
    percent = int(text.str.match(_PERCENT).sum())
    if percent:
        notes.append(
            Note(
                "percent_text",
                "info",
                f"{col}: {_values(percent)} written as percentages (12.5%) read as numbers in "
                "percent units (12.5), the '%' dropped",
                expected="numbers without units",
                fix="nothing to do; rows to score may carry the '%' or not",
                columns=(col,),
            )
        )
    return notes


def _date_format(s: pd.Series, col: str) -> tuple[str, list[Note]]:
    """A text date column's format, decided once at fit (`reader.detect_date_format`).

    Returns ("" for datetime dtypes, notes): a note when the day/month order was assumed.
    """
    if pd.api.types.is_datetime64_any_dtype(s):
        return "", []
    found = detect_date_format(_text(s).rename(col))
    notes = []
    if found.ambiguous:
        notes.append(
            Note(
                "date_order",
                "warning",
                f"{col}: dates read as {found.describe()}",
                expected="dates whose order is clear, e.g. 2023-03-31",
                fix="nothing to do if the day comes first; else write the dates as year-month-day",
                columns=(col,),
            )
        )
    return found.format or "", notes


def _values(n: int) -> str:
    return f"{n:,} value" if n == 1 else f"{n:,} values"


def _quoted(tokens) -> str:
    return ", ".join(repr(t) for t in sorted(tokens))


def _token_note(col: str, n: int, shown: set, hidden: int) -> Note:
    named = [t if t else "blank" for t in shown]
    what = _quoted(named)
    if hidden:
        what = f"{what}, and {hidden} other text value(s)" if what else f"{hidden} text value(s)"
    return Note(
        "text_in_numbers",
        "warning",
        f"{col}: {_values(n)} not numbers ({what}) read as missing",
        expected="numbers, with blanks for missing values",
        fix="nothing to do if these mean 'unknown'; else correct them in the extract",
        columns=(col,),
    )


def _inf_note(col: str, n: int) -> Note:
    return Note(
        "infinite_values",
        "warning",
        f"{col}: {_values(n)} of ±infinity read as missing",
        expected="finite numbers",
        fix="check the formula that produced them (often a division by zero)",
        columns=(col,),
    )


def _empty_note(col: str, inf: int = 0, tokens=()) -> Note:
    how = ""
    if inf:
        how = f" ({inf:,} ±infinity)"
    elif tokens:
        how = f" (only {_quoted(tokens)})"
    return Note(
        "empty_column",
        "warning",
        f"{col}: no value in any row{how}; left out of the features",
        expected="a feature with values",
        fix=f"check the extract, or drop it with --exclude {col}",
        columns=(col,),
    )


def _date_note(col: str, bad: int, from_text: bool) -> Note:
    read = "text dates read as dates" if from_text else "a date column"
    unread = f"; {_values(bad)} not dates read as missing" if bad else ""
    return Note(
        "date_feature",
        "warning" if bad else "info",
        f"{col}: {read}, given to the model as days since 1970-01-01{unread}",
        expected="dates as features only when the date itself predicts",
        fix=f"if it says when the row happened, pass --time {col}; if it is known only "
        f"after the outcome, --exclude {col}",
        columns=(col,),
    )


__all__ = [
    "KINDS",
    "MIN_LEVEL_ROWS",
    "OTHER",
    "WARN_SHARE",
    "ColumnCounts",
    "Feature",
    "Note",
    "Schema",
    "SchemaWarning",
    "Scores",
    "canonical",
    "problems",
    "warn",
]
