"""The schema: what each feature column is, learned once at fit time and enforced at scoring.

When a table is tuned on, each feature's kind (numeric, categorical, boolean, datetime),
its levels (rare ones pooled into one "other" level), the text read as missing and whether
training had missing values are learned here. The model keeps this `Schema` (model.json),
and every later scoring reads new rows through it: a column is read the same way however
pandas happened to type it (ints as floats, numbers as text, dates as strings, a level
column as floats because of a blank), and what does not fit is counted, never hidden.

Its parts: numbers.py (numbers and level text read from raw values), notes.py (the
notes on how a column was read), kinds.py (one column: `Feature`, its kind learned, its
values read as that kind), bounds.py (the bounds and codes a numeric column kept),
counts.py (what scoring counts and how it says so:
`ColumnCounts`, `Scores`, `problems`); this module holds the whole-table contract
(`Schema`: learn, pool levels, type, encode, save). Names once defined here (`Feature`,
`Note`, `KINDS`, `MIN_LEVEL_ROWS`, `canonical`, `ColumnCounts`, `Scores`, `OTHER`…) are
still importable from here.

This module is self-contained on purpose: it imports only the standard library, numpy,
pandas and its siblings by RELATIVE import, because `tuneplate export` copies this
folder's modules (`engine/contract/`, the CONTRACT list in export.py) verbatim into the
exported project (`contract/`), so that project's score.py enforces the same contract
without tuneplate installed.

Example:
    >>> schema, notes = Schema.learn(table, ["amount", "purpose"])
    >>> schema = schema.fit_levels(table.iloc[development])[0]
    >>> X, counts = schema.encode(new_rows)   # model input, per-column counts
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .bounds import far_outside, learn_codes, learn_domain, off_codes, outside_domain, shown_codes
from .counts import (  # noqa: F401 (re-export: names once defined here)
    NEW_CODE,
    OTHER,
    WARN_SHARE,
    WHERE,
    ColumnCounts,
    SchemaWarning,
    Scores,
    problems,
    warn,
)
from .dates import EXCEL_YEARS, ISO8601, check_date_order, parse_datetimes

# Relative on purpose: `tuneplate export` copies errors.py, reader.py and this file side by
# side into the exported project's `contract/` package, which has no tuneplate installed.
from .errors import TuneplateError
from .kinds import (
    KINDS,
    MIN_LEVEL_ROWS,
    Feature,
    _date_format,
    _learn_kind,
    _read,
    _token_mask,
    clock_numbers,
    missing_words,
)
from .notes import Note, _constant_note
from .numbers import _parse_number, _plain_numbers, _text, canonical  # noqa: F401 (re-export)

# Characters LightGBM (`,` `:` `[` `]` `{` `}` `"`) or XGBoost (`[` `]` `<`) refuse in a
# feature name, plus whitespace and `>` (LightGBM rewrites spaces, XGBoost dislikes `>`).
_UNSAFE = re.compile(r'[,:\[\]{}"<>\s\\]|[^\x20-\x7e]')


# The text pandas' read_csv reads as missing by default (its `na_values` documentation):
# a level a DataFrame taught the model under one of these names ("NA" for Namibia) is
# missing once the rows come from a CSV file, in score.py and explain alike.
CSV_MISSING = frozenset(
    {"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
     "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)  # fmt: skip


def _missing_spelled_levels(features) -> list[Note]:
    """A warning naming learned levels that a CSV file would read as missing."""
    found = {f.name: [v for v in f.levels if v in CSV_MISSING] for f in features}
    found = {name: levels for name, levels in found.items() if levels}
    if not found:
        return []
    where = "; ".join(f"{name}: {', '.join(map(repr, v))}" for name, v in found.items())
    return [
        Note(
            "missing_spelled_levels",
            "warning",
            f"levels spelled as CSV files write a missing value ({where}): the model learned "
            "them as levels, but rows read from a CSV file get them as missing",
            expected="level names that no reader takes for a missing value",
            fix="rename them before tuning (e.g. 'NA' -> 'Namibia'), or tune from the CSV "
            "file itself so that they are missing at fit as at scoring",
            columns=tuple(found),
        )
    ]


@dataclass(frozen=True)
class Constant:
    """A column the model left out because every row it was tuned on held one value.

    The model never saw another value of it, so rows holding one (or none) come from a
    population it was not developed on: `Schema.encode` counts them (`ColumnCounts.
    other_values`), scoring warns and `validate` says so. `value` is that one value as
    the column's kind reads it (text for categorical; a number for numeric, 1.0/0.0 for
    boolean), so "5", 5 and 5.0 are one value; `missing_tokens` and `decimal` read the
    column as at fit. Saving the value discloses no row of the table: it is shared by
    every row (an aggregate, as a level kept from MIN_LEVEL_ROWS rows or more is).
    """

    name: str
    kind: str
    value: str | float
    missing_tokens: tuple[str, ...] = ()
    decimal: str = ""

    @property
    def shown(self) -> str:
        """The value as a sentence writes it: 'Berlin' (quoted text), 5, True."""
        if self.kind == "categorical":
            return repr(self.value)
        if self.kind == "boolean":
            return str(bool(self.value))
        return canonical(self.value) or str(self.value)

    def feature(self) -> Feature:
        """The column as a `Feature`, to be read by `_read` as at fit."""
        levels = (str(self.value),) if self.kind == "categorical" else ()
        return Feature(
            self.name,
            self.name,
            self.kind,
            levels,
            self.missing_tokens,
            decimal=self.decimal,
            words_missing=True,
        )

    def others(self, s: pd.Series, rules: dict) -> int:
        """How many of `s`'s values are not this one value: another value, or none."""
        values, _, missing = _read(s, self.feature(), rules)
        if self.kind == "categorical":
            same = ~missing & (pd.Series(values, dtype=object) == self.value).to_numpy()
        else:  # the same reading on both sides: exact but for a float32 column's rounding
            same = ~missing & np.isclose(values, float(self.value), rtol=1e-6, atol=0.0)
        return int((~same).sum())

    @classmethod
    def learn(cls, s: pd.Series, name: str, kind: str, tokens, decimal: str, rules):
        """The record of a one-value column, or None for a date (a one-date column is
        when the extract was taken, and every later batch is later: no population to
        watch) or a value that does not read as its kind."""
        if kind == "datetime":
            return None
        probe = cls(name, kind, "", tuple(tokens), decimal)
        values, _, missing = _read(s, probe.feature(), rules)
        if not len(values) or missing[0]:
            return None
        value = str(values[0]) if kind == "categorical" else float(values[0])
        return replace(probe, value=value)


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
    # The one-value columns left out of the model, with their value; None in a schema
    # saved before they were recorded (nothing to check them against).
    constants: tuple[Constant, ...] | None = ()

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

        Columns with no value at all after reading are left out, with a note; so are
        columns with one value in every row (the checks' finding names them), whose
        value is kept (`Constant`) so that scoring counts rows holding another.
        Levels come later, from the development rows (`fit_levels`).
        """
        texts = pd.Series([_as_text(c) for c in columns])
        if texts.duplicated().any():  # 0 and "0", "age" and "age ": one name in a file
            same = [c for c, t in zip(columns, texts, strict=True) if (texts == t).sum() > 1]
            raise TuneplateError(
                f"the columns {_listing(same)} have the same name once written as text "
                "(a CSV header, a model file); rename them so each name is used once"
            )
        features, notes, keys, constant, kept = [], [], _safe_keys(columns), [], []
        for col in columns:
            kind, tokens, reading, col_notes = _learn_kind(table[col], col, rules or {})
            notes += col_notes
            if kind is None:
                continue
            if table[col].nunique(dropna=False) <= 1:
                # one value in every row: nothing to learn, so scoring need not give it;
                # its value is kept, so rows that hold another are counted (one note below)
                constant.append(col)
                decimal = reading.get("decimal", "")
                record = Constant.learn(table[col], col, kind, tokens, decimal, rules or {})
                # a one-time-of-day column reads as minutes, which the record does not keep
                kept += [record] if record is not None and not reading.get("time_of_day") else []
                continue
            dates, date_notes = _date_format(table[col], col) if kind == "datetime" else ("", [])
            notes += date_notes
            # two-digit years: the fixed window, saved so scoring reads as the fit did
            years = EXCEL_YEARS if kind == "datetime" else ""
            features.append(
                Feature(
                    col,
                    keys[col],
                    kind,
                    tokens,
                    date_format=dates,
                    two_digit_years=years,
                    **reading,
                )
            )
        if constant:
            notes.append(_constant_note(constant))
        notes += [Note(**n) for n in table.attrs.get("reading_notes", ())]  # reader's findings
        return cls(tuple(features), dict(rules or {}), tuple(kept)), notes

    def fit_levels(self, rows: pd.DataFrame) -> tuple[Schema, list[Note]]:
        """Levels (rare ones pooled) and missingness, from the training rows."""
        features, pooled = [], []
        for f in self.features:
            values, _, missing = _read(rows[f.name], f, self.rules)
            had_missing = bool(missing.any())
            n_rows = max(len(rows), 1)
            if f.kind != "categorical":
                numeric = f.kind == "numeric" and not f.time_of_day  # times keep 0-1440
                floats = np.asarray(values, dtype=float)
                domain = learn_domain(floats) if numeric else ""
                share_missing = float(missing.sum() / n_rows)
                features.append(
                    replace(
                        f,
                        had_missing=had_missing,
                        missing_share=share_missing,
                        domain=domain,
                        codes=learn_codes(floats) if numeric else (),
                    )
                )
                continue
            counts = pd.Series(values).value_counts()
            # A rare missing-word ("?" in 3 rows beside empty cells) is a missing value,
            # not a level pooled into OTHER; a frequent one ("none" in 900 rows) is a level.
            words, few = missing_words(f), counts.index[counts < MIN_LEVEL_ROWS]
            rare_words = [v for v in few if str(v).lower() in words]
            missing_rows = int(missing.sum() + counts[rare_words].sum())  # as scoring reads them
            counts = counts.drop(rare_words)
            had_missing = had_missing or bool(rare_words)
            kept = sorted(str(v) for v in counts.index[counts >= MIN_LEVEL_ROWS])
            rare = counts[counts < MIN_LEVEL_ROWS]
            levels, share = tuple(kept), 0.0
            if len(rare):
                levels += (OTHER,)
                share = float(rare.sum() / max(len(rows), 1))
                plural = "s" if len(rare) > 1 else ""
                pooled.append(f"{f.name} ({len(rare)} level{plural}, {int(rare.sum()):,} rows)")
            features.append(
                replace(
                    f,
                    levels=levels,
                    had_missing=had_missing,
                    other_share=share,
                    words_missing=True,
                    missing_share=missing_rows / n_rows,
                )
            )
        notes = _missing_spelled_levels(features)
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
            if f.kind == "numeric" and (f.time_of_day or not _plain_numbers(s)):
                out[f.name] = _read(s, f, self.rules)[0]
            elif f.kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(s):
                dates = _text(s).where(~_token_mask(s, f), None).rename(f.name)
                check_date_order(dates, f.date_format)
                out[f.name] = parse_datetimes(dates, f.date_format or ISO8601, f.two_digit_years)
            elif f.kind == "boolean" and not pd.api.types.is_bool_dtype(s):
                values = _read(s, f, self.rules)[0]
                out[f.name] = pd.array(
                    [None if math.isnan(v) else bool(v) for v in values], dtype="boolean"
                )
        return out

    def encode(self, table: Any) -> tuple[pd.DataFrame, dict[str, ColumnCounts]]:
        """The model's input (internal names, in order) and what did not fit, per column.

        Numeric, boolean and datetime become floats (datetime: days since 1970-01-01 UTC,
        their keys listed in the frame's `attrs["dates"]`);
        categorical becomes a pandas Categorical with the model's levels. Extra columns
        are ignored, but for the one-value columns the model left out (`constants`):
        when given, their rows holding another value are counted. Zero rows give an
        empty input (the caller decides what to return).
        Raises TuneplateError when `table` is not a DataFrame, lacks a model column or
        has one twice.
        """
        return self._encode(table)[:2]

    def outside_bounds(self, encoded: pd.DataFrame) -> dict[str, np.ndarray]:
        """Per model input with bounds (`Feature.domain`), which rows of `encoded` (the
        model input `encode` gives) lie outside them, (n,) bool: the rows
        `ColumnCounts.out_of_domain` counts."""
        return {
            f.name: outside_domain(encoded[f.key].to_numpy(dtype=float), f.domain)
            for f in self.features
            if f.domain
        }

    def suspects(self, table: Any) -> list[str | None]:
        """Per row of `table`, the model inputs whose value could not be read (scored as
        missing), lies outside the bounds every development row kept (`Feature.domain`,
        scored as given), is none of a coded column's values (`Feature.codes`, scored as
        given) or is missing where no development row was, each with what is
        wrong, joined by "; "; None for a row with none. Row by row: for the user's own
        per-row output (`tuneplate explain`, the exported score.py --reasons), never for
        a report. Raises as `encode`.

        Example:
            >>> schema.suspects(pd.DataFrame({"duration": [12, -5, "abc"]}))[1:]
            ['duration: below 0 (no development row was)',
             'duration: unreadable (scored as missing)']
        """
        masks = self._encode(table)[2]
        found = [[] for _ in range(len(table))]
        for name, (unreadable, outside, blank, recoded) in masks.items():
            f = self.feature(name)
            where = WHERE.get(f.domain, "")
            for i in np.flatnonzero(unreadable):
                found[i].append(f"{name}: unreadable (scored as missing)")
            for i in np.flatnonzero(outside):
                found[i].append(f"{name}: {where} (no development row was)")
            for i in np.flatnonzero(blank):  # the model never saw this input missing
                found[i].append(f"{name}: missing (no development row was)")
            for i in np.flatnonzero(recoded):  # a coded column's value none held
                found[i].append(f"{name}: " + NEW_CODE.format(shown_codes(f.codes)))
        return ["; ".join(parts) if parts else None for parts in found]

    def _encode(self, table: Any) -> tuple[pd.DataFrame, dict[str, ColumnCounts], dict]:
        """`encode`'s answer, plus per model input its rows' (unreadable, outside the
        bounds, missing where training had no missing value, none of its codes) masks,
        each (n,) bool."""
        if not isinstance(table, pd.DataFrame):
            raise TuneplateError(
                f"the rows to score must be a pandas DataFrame with the columns "
                f"{_listing(self.names)}, got {type(table).__name__}; "
                "build one with pd.DataFrame(values, columns=[...])"
            )
        # Text numbers are read as the FILE writes them when the reader says how (a comma
        # file's "5,951" is 5951, even for a model tuned on a 1.234,5 file); a DataFrame
        # made another way is read under the training file's rules.
        rules = table.attrs.get("reading_rules") or self.rules
        table = _strip_names(table, [*self.names, *(c.name for c in self.constants or ())])
        missing = [n for n in self.names if n not in table.columns]
        if missing:
            raise TuneplateError(
                f"the rows to score lack the model's column(s) {_listing(missing)}; "
                f"{_lacking_hint(table, missing)}"
            )
        repeated = set(table.columns[table.columns.duplicated()])
        twice = [n for n in self.names if n in repeated]
        if twice:  # which of the two is the feature? Refuse rather than guess
            raise TuneplateError(
                f"the rows to score have the model's column(s) {_listing(twice)} more than "
                "once; keep one column per name (rename or drop the others)"
            )
        out, counts, masks, n = {}, {}, {}, len(table)
        for f in self.features:
            values, unreadable, miss = _read(table[f.name], f, rules)
            unknown = other_case = 0
            if f.kind == "categorical":
                known = pd.Series(values).isin(f.levels).to_numpy()
                unknown_mask = ~known & ~miss
                unknown = int(unknown_mask.sum())
                if unknown:
                    folded = {str(level).strip().casefold() for level in f.levels}
                    strange = pd.Series(values[unknown_mask]).astype(str).str.strip()
                    other_case = int(strange.str.casefold().isin(folded).sum())
                values = np.where(unknown_mask, OTHER if OTHER in f.levels else None, values)
                values = pd.Categorical(values, categories=list(f.levels))
            out[f.key] = values
            outside = outside_domain(values, f.domain) if f.domain else np.zeros(n, bool)
            far = far_outside(values, f.domain, outside)
            # a value outside the bounds is said as such, not a second time as a new code
            recoded = off_codes(values, f.codes) & ~outside
            # blanks only: an unreadable value is read as missing too, but said as
            # unreadable, not a second time as missing ("5 could not be read; 5 are
            # missing" described the same 5 rows)
            blank = miss & ~unreadable
            masks[f.name] = (unreadable, outside, blank & (not f.had_missing), recoded)
            counts[f.name] = ColumnCounts(
                f.name,
                n,
                unreadable=int(unreadable.sum()),
                unknown_levels=unknown,
                new_missing=0 if f.had_missing else int(blank.sum()),
                missing=int(blank.sum()) if f.had_missing else 0,
                missing_share=f.missing_share or 0.0,
                other_share=f.other_share,
                other_case=other_case,
                out_of_domain=int(outside.sum()),
                far_outside=int(far.sum()),
                domain=f.domain,
                clock_numbers=f.time_of_day and _given_as_clock_numbers(table[f.name]),
                off_codes=int(recoded.sum()),
                codes=shown_codes(f.codes),
            )
        for c in self.constants or ():
            if c.name in table.columns and c.name not in repeated and c.name not in counts:
                counts[c.name] = ColumnCounts(
                    c.name, n, one_value=c.shown, other_values=c.others(table[c.name], rules)
                )
        frame = pd.DataFrame(out, index=table.index)
        dates = [f.key for f in self.features if f.kind == "datetime"]
        if dates:  # which floats are days since 1970: a scorecard's splits go to a month's 1st
            frame.attrs["dates"] = dates
        return frame, counts, masks

    # -- saving --------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "features": [{**asdict(f), "levels": list(f.levels)} for f in self.features],
            "rules": self.rules,
            "min_level_rows": MIN_LEVEL_ROWS,
            "constants": [
                {**asdict(c), "missing_tokens": list(c.missing_tokens)}
                for c in self.constants or ()
            ],
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
                    "codes": tuple(f.get("codes", ())),
                }
            )
            for f in data["features"]
        )
        constants = (
            tuple(
                Constant(**{**c, "missing_tokens": tuple(c.get("missing_tokens", ()))})
                for c in data["constants"]
            )
            if "constants" in data
            else None  # saved before the one-value columns were recorded
        )
        return cls(features, dict(data.get("rules") or {}), constants)

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
            ),
            constants=None,
        )


# -- helpers -------------------------------------------------------------------------


def _given_as_clock_numbers(s: pd.Series) -> bool:
    """A time-of-day column given as numbers that `clock_numbers` reads as clock times."""
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return False
    return clock_numbers(s.to_numpy(dtype=float, na_value=np.nan))


def _lacking_hint(table: pd.DataFrame, missing: list[str]) -> str:
    """The fix for absent model columns: the file's separator when its whole header sits
    in one column (a `;` file read with pandas' default `,`), the names when they differ
    only in case, else the columns the model was tuned on."""
    columns = [str(c) for c in table.columns]
    if len(columns) == 1:
        for sep in (";", "\t", "|"):
            if {str(n) for n in missing} <= {part.strip() for part in columns[0].split(sep)}:
                shown = "\\t" if sep == "\t" else sep
                return (
                    f"the table has one column holding them all, separated by '{shown}': "
                    f"read the file with that separator (pd.read_csv(path, sep='{shown}'))"
                )
    folded = {c.strip().casefold(): c for c in columns}
    near = [(folded[str(n).casefold()], n) for n in missing if str(n).casefold() in folded]
    if near:
        pairs = ", ".join(f"{given!r} for {name!r}" for given, name in near[:5])
        return f"the table has {pairs}: rename them as the model's columns are written"
    return "give a table with the columns the model was tuned on"


def _listing(names: list[str], most: int = 12) -> str:
    shown = ", ".join(repr(n) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _strip_names(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The table with each model column it lacks found under the same name as text,
    spaces aside: the reader strips header names (spreadsheet exports pad them) and a
    CSV header is text, so "amount " is "amount" and "0" is a DataFrame's column 0.
    Only names the model lacks are renamed, each from exactly one column that is not a
    model column itself; two candidates for one name: it is said missing."""
    present = set(table.columns)
    wanted = {_as_text(n): n for n in names if n not in present}
    model = {_as_text(n) for n in names if n in present}
    found: dict = {}
    for c in table.columns:
        text = _as_text(c)
        if text in wanted and text not in model:
            found.setdefault(text, []).append(c)
    renames = {cs[0]: wanted[text] for text, cs in found.items() if len(cs) == 1}
    return table.rename(columns=renames) if renames else table


def _as_text(name) -> str:
    """A column name as a CSV header would write it, surrounding spaces aside."""
    return str(name).strip()


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


__all__ = [
    "KINDS",
    "MIN_LEVEL_ROWS",
    "OTHER",
    "WARN_SHARE",
    "ColumnCounts",
    "Constant",
    "Feature",
    "Note",
    "Schema",
    "SchemaWarning",
    "Scores",
    "canonical",
    "problems",
    "warn",
]
