"""The number columns of a CSV table, corrected from their text as written.

pandas reads "01067" as 1067 and "12.000" as 12.0, and leaves "1.234,50" (or a number
column with a stray "-") as text. These functions judge each column from its written
text: codes with leading zeros go back to text (`_keep_leading_zeros`), a decimal-comma
file is recognised (`_uses_decimal_comma`) and its numbers converted
(`_convert_comma_numbers`), dots grouping thousands are decided per file
(`_decide_dot_thousands`) and applied (`_convert_dot_thousands`); what was decided
becomes a reading note (a dict with the fields of `engine.data.checks.Finding`).

Separate from reader.py: these work on a table already read (columns in, columns out),
while reader.py settles the reading rules and reads the file. Self-contained (numpy,
pandas), because `tuneplate export` copies it verbatim into the exported project's
`contract/`.

Example:
    >>> _all_dot_grouped(pd.Series(["12.000", "950", "1.234.567"]))
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

# Numbers written with a decimal comma, optionally grouped in thousands with dots
# ("1.234,50", "-0,5", "1234"). Grouping needs exactly three digits per group, so
# "3.5" and the date "01.02.2024" never match.
_COMMA_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
# Numbers written with a decimal point and no grouping ("3.5", "-12", ".25").
_POINT_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")

# Shares shared with engine/contract/kinds.py (PARSE_SHARE, MAX_STRAY_TOKENS; not imported,
# so reading a file does not depend on the schema's modules): a column is numbers when at
# least 95% of its non-blank values are, the rest being at most 5 distinct texts ("-",
# "k.A.", "#NV") that the schema then counts and reports as missing.
NUMBER_SHARE = 0.95
MAX_TOKENS = 5
# Whole numbers grouped in thousands with dots ("12.000", "1.234.567"); a group never
# starts with 0, so "0.125" is a decimal.
_DOT_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+")
_INTEGER_TEXT = re.compile(r"[+-]?\d+")
# One dot then three digits ("1.197", "20.740"): a thousands group or a decimal with
# three places. A column written only like this is read as thousands but said to be
# ambiguous; one value below 1,000 written plainly ("950") or two groups
# ("1.234.567") settles it.
_ONE_GROUP = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")
# A point decimal that cannot be a thousands group ("3.5", "0.125", "12.34")
_POINT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")
# "01067", "000123", "-07": a code (postcode, id), not a number; "0.5" and "0,5" are numbers.
_LEADING_ZERO = re.compile(r"[+-]?0\d")
_PERCENT_SUFFIX = re.compile(r"\s*%$")


def _may_be_misread(column: pd.Series, dots_matter: bool) -> bool:
    """Whether pandas' numbers may hide leading zeros or thousands groups (cheap test).

    Whole numbers may have been written "01067"; numbers with at most three decimals
    may have been "12.000" (only where a dot can group thousands). Others cannot.
    """
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_integer_dtype(column):
        return True
    values = column.to_numpy(dtype=float, na_value=np.nan)
    values = values[np.isfinite(values)]
    scale = 1000.0 if dots_matter else 1.0
    return bool(np.all(np.abs(values * scale - np.round(values * scale)) < 1e-6))


def _keep_leading_zeros(
    table: pd.DataFrame, raw: dict[int, pd.Series]
) -> tuple[pd.DataFrame, list[str]]:
    """Columns read as numbers whose text has leading zeros ("01067") back as text."""
    kept = [i for i, text in raw.items() if text.dropna().str.match(_LEADING_ZERO).any()]
    if not kept:
        return table, []
    table = table.copy(deep=False)
    for i in kept:
        table.isetitem(i, raw.pop(i).astype(object))
    return table, [str(table.columns[i]).strip() for i in kept]


def _leading_zero_note(columns: list[str]) -> dict[str, Any]:
    return {
        "check": "leading_zeros",
        "severity": "info",
        "message": f"{', '.join(columns)}: written with leading zeros (like 01067), kept as "
        "text: codes such as postcodes or ids, not amounts",
        "expected": "numbers without leading zeros, codes as text",
        "fix": "nothing to do if these are codes; if they are amounts, drop the zeros in "
        "the extract",
        "columns": tuple(columns),
    }


def _text_columns(table: pd.DataFrame) -> Iterator[tuple[int, pd.Series]]:
    """Text columns that may hold numbers: some distinct value looks like one, and at
    most MAX_TOKENS distinct values do not (a cheap test on distinct values)."""
    for position in range(table.shape[1]):
        column = table.iloc[:, position]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            values = column.dropna()
            if len(values) and pd.api.types.infer_dtype(values, skipna=True) == "string":
                distinct = pd.Series(pd.unique(values)).str.strip()
                numeric = distinct.str.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*\s*%?")
                if numeric.any() and (~numeric & (distinct != "")).sum() <= MAX_TOKENS:
                    yield position, column


def _numbers_with_tokens(values: pd.Series, pattern: str | re.Pattern) -> pd.Series | None:
    """Which stripped non-blank `values` fully match `pattern`, when they are numbers.

    A column is numbers when at least NUMBER_SHARE of its values match and the others
    are at most MAX_TOKENS distinct texts without leading zeros in the numbers.
    Returns the match mask, or None when the column is not numbers.
    """
    if values.empty:
        return None
    matched = values.str.fullmatch(pattern)
    if not matched.any() or matched.mean() < NUMBER_SHARE:
        return None
    if values[~matched].nunique() > MAX_TOKENS:
        return None
    if values[matched].str.match(_LEADING_ZERO).any():
        return None
    return matched


def _uses_decimal_comma(table: pd.DataFrame) -> bool:
    """True when some text column holds decimal-comma numbers, one with a comma.

    A few stray tokens ("-", "k.A.", "#NV") and trailing spaces do not hide it; a
    percent sign ("12,5 %") counts as a number too. Only asked of files not separated
    by commas (there a comma inside a value is quoted text, never a decimal mark).
    """
    for _, column in _text_columns(table):
        values = column.dropna().str.strip()
        values = values[values != ""].str.replace(_PERCENT_SUFFIX, "", regex=True)
        matched = _numbers_with_tokens(values, _COMMA_NUMBER)
        if matched is not None and values[matched].str.contains(",", regex=False).any():
            return True
    return False


def _convert_comma_numbers(
    table: pd.DataFrame, thousands: str | None, raw: dict[int, pd.Series]
) -> tuple[pd.DataFrame, list[tuple[str, bool]]]:
    """Columns left as text (or misread) by pandas under decimal="," that are numbers.

    pandas converts "1234,50" itself. Left to convert here, column by column: "1.234,50"
    / "1.234" (dot groups of three digits, when `thousands` is "."), and "3.5" (a point
    decimal that cannot be a thousands group). A column with a few stray tokens ("-",
    "k.A.") gets its numbers converted and keeps the tokens as they are written, so the
    schema counts and reports them; a column mixing numbers and words stays text, and
    so does a percent column ("12,5 %"), which the schema reads in percent units.

    Returns the table and, for each column written with dots (thousands groups),
    (its name, `_only_one_group`).
    """
    converted, grouped = {}, []
    for position, column in _text_columns(table):
        values = column.dropna().str.strip()
        values = values[values != ""]
        if values.str.fullmatch(r"[+-]?0\d+").any():
            continue  # "01067": codes, kept as text (`_keep_leading_zeros`)
        if thousands == ".":
            matched = _numbers_with_tokens(values, _COMMA_NUMBER)
            if matched is not None:
                numbers = values[matched].str.replace(".", "", regex=False)
                numbers = pd.to_numeric(numbers.str.replace(",", ".", regex=False))
                converted[position] = _merge(column, numbers)
                if values[matched].str.contains(".", regex=False).any():
                    grouped.append((position, values[matched]))
                continue
        if values.str.fullmatch(_POINT_NUMBER).all():
            converted[position] = pd.to_numeric(column.str.strip())
    for position, text in raw.items():  # "12.000" under decimal "," is 12000, not 12.0
        if thousands == "." and _all_dot_grouped(text):
            converted[position] = _whole(text)
            grouped.append((position, text))
    if not converted:
        return table, []
    table = table.copy(deep=False)
    for position, values in converted.items():
        table.isetitem(position, values)
    return table, [(str(table.columns[i]).strip(), _only_one_group(t)) for i, t in grouped]


def _merge(column: pd.Series, numbers: pd.Series) -> pd.Series:
    """`numbers` where a value parsed; elsewhere the text as written (tokens), or NaN."""
    if len(numbers) == column.notna().sum() and not (column.str.strip() == "").any():
        return numbers.reindex(column.index).astype(float)
    merged = column.astype(object).copy()
    merged[numbers.index] = numbers.astype(float).to_numpy()
    return merged


def _all_dot_grouped(text: pd.Series) -> bool:
    """Every value a whole number, some grouped in thousands with dots ("12.000", "950")."""
    values = text.dropna()
    grouped = values.str.fullmatch(_DOT_GROUPED)
    return bool(grouped.any()) and bool((grouped | values.str.fullmatch(_INTEGER_TEXT)).all())


def _whole(text: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(text.str.replace(".", "", regex=False))
    return numbers.astype("int64") if numbers.notna().all() else numbers


def _decide_dot_thousands(
    table: pd.DataFrame, raw: dict[int, pd.Series], separator: str | None
) -> tuple[str | None, list[dict[str, Any]]]:
    """Whether a file without decimal commas groups thousands with dots ("12.000").

    A column whose dotted values all have dot groups of exactly three digits (and whose
    other values are whole numbers) is thousands-grouped in a semicolon file: the
    semicolon is the European convention chosen because "," is the decimal mark there, so
    "." is the thousands mark. That reading is refused (values read as decimals, and a
    note says so) when the file writes point decimals elsewhere ("3.5", "0.125") or
    when a column also holds whole numbers of 4+ digits without dots ("4500" next to
    "12.000"). Tab or pipe files have no such convention: their candidates are read as
    decimals, with a note that they may be thousands.

    Returns:
        ("." or None, reading notes).
    """
    columns = {i: text.dropna() for i, text in raw.items()}
    for i, column in _text_columns(table):
        values = column.dropna().str.strip()
        columns[i] = values[values != ""]
    candidates, doubtful, decimals = [], [], False
    for i, values in columns.items():
        dotted = values[values.str.contains(".", regex=False)]
        grouped = dotted.str.fullmatch(_DOT_GROUPED)
        decimals = decimals or bool(dotted[~grouped].str.fullmatch(_POINT_DECIMAL).any())
        if not len(dotted) or not grouped.all():
            continue
        integers = values.str.fullmatch(_INTEGER_TEXT)
        if _numbers_with_tokens(values, f"{_DOT_GROUPED.pattern}|{_INTEGER_TEXT.pattern}") is None:
            continue
        name = str(table.columns[i]).strip()
        candidates.append(name)
        if (values[integers].str.lstrip("+-").str.len() > 3).any():
            doubtful.append(name)
    if not candidates:
        return None, []
    if separator == ";" and not decimals and not doubtful:
        return ".", []
    why = (
        "the file writes other decimals with a point (3.5)"
        if decimals
        else "whole numbers of 4+ digits are written without dots too"
        if doubtful
        else "a tab or pipe file has no convention for it"
    )
    return None, [
        {
            "check": "ambiguous_numbers",
            "severity": "warning",
            "message": f"{', '.join(candidates)}: numbers like 12.000 (a dot, then three "
            f"digits) read as decimals (12.0), though they may be thousands (12000): {why}",
            "expected": "one way of writing numbers in a file",
            "fix": "write the numbers without thousands separators (12000) or with a "
            "decimal comma (12,5) in a semicolon file",
            "columns": tuple(candidates),
        }
    ]


def _convert_dot_thousands(
    table: pd.DataFrame, raw: dict[int, pd.Series]
) -> tuple[pd.DataFrame, list[tuple[str, bool]]]:
    """Columns written as whole numbers grouped with dots ("12.000") as integers.

    Numbers pandas read ("12.000" as 12.0) are re-read from their text; text columns
    with a few stray tokens get their numbers converted and keep the tokens as written.
    Returns the table and (name, `_only_one_group`) for each converted column.
    """
    converted, written = {}, {}
    for position, text in raw.items():
        if _all_dot_grouped(text):
            converted[position], written[position] = _whole(text), text
    pattern = f"{_DOT_GROUPED.pattern}|{_INTEGER_TEXT.pattern}"
    for position, column in _text_columns(table):
        values = column.dropna().str.strip()
        values = values[values != ""]
        matched = _numbers_with_tokens(values, pattern)
        if matched is not None and values[matched].str.fullmatch(_DOT_GROUPED).any():
            numbers = pd.to_numeric(values[matched].str.replace(".", "", regex=False))
            converted[position], written[position] = _merge(column, numbers), values[matched]
    if not converted:
        return table, []
    table = table.copy(deep=False)
    for position, values in converted.items():
        table.isetitem(position, values)
    return table, [(str(table.columns[i]).strip(), _only_one_group(written[i])) for i in converted]


def _only_one_group(text: pd.Series) -> bool:
    """Every value one dot then three digits ("1.197"): thousands or three decimals.

    Example:
        >>> _only_one_group(pd.Series(["1.197", "20.740"]))
        True
        >>> _only_one_group(pd.Series(["1.197", "950"]))  # 950 is no decimal of three places
        False
    """
    values = text.dropna().astype(str).str.strip()
    values = values[values != ""]
    return bool(len(values)) and bool(values.str.fullmatch(_ONE_GROUP).all())


def _grouped_note(column: str, ambiguous: bool = False, comma_file: bool = True) -> dict:
    """What the reader says about `column`, read as thousands grouped with dots.

    `ambiguous` (`_only_one_group`): every value could as well be a decimal with three
    places, and read as thousands it is 1,000 times larger: a warning naming the column
    and how to write it so that it reads one way only. `comma_file`: the file writes
    decimals with a comma (else it is a semicolon file without decimals, whose
    convention makes dots thousands).
    """
    if ambiguous:
        why = (
            "the file's decimal mark is a comma"
            if comma_file
            else "semicolon files group thousands with dots"
        )
        return {
            "check": "ambiguous_numbers",
            "severity": "warning",
            "message": f"{column}: every value is written with one dot and three digits "
            f"after it (like 1.250), read as thousands (1250) because {why}; if they are "
            "decimals, this reading is 1,000 times too large",
            "expected": "numbers that read one way only: decimals with a comma (1,25), or "
            "thousands without dots (1250)",
            "fix": f"write {column} without dots: 1,25 if decimals, 1250 if thousands",
            "columns": (column,),
        }
    return {
        "check": "thousands_dots",
        "severity": "info",
        "message": f"{column}: numbers like 12.000 read as thousands (12000), as usual in "
        "semicolon-separated files, where the decimal mark is a comma",
        "expected": "",
        "fix": "",
        "columns": (column,),
    }
