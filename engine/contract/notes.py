"""The notes the schema writes about how it read a column, and their wording.

`Note` has the fields of `engine.data.checks.Finding` (check, severity, message,
expected, fix, columns): text read as missing in a number column, ±infinity, an empty
column, dates given to the model, thousands separators, percentages, a column's own
decimal mark.

Separate from schema.py: the sentences people read live apart from the reading rules,
so either can change without the other. Copied verbatim with the rest of
`engine/contract/` into an exported project by `tuneplate export`, so it imports only
numpy, pandas and its siblings (relatively).

Example:
    >>> _inf_note("amount", 3).message
    'amount: 3 values of ±infinity read as missing'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .numbers import _PERCENT, _grouping, currency_code, written_as


@dataclass(frozen=True)
class Note:
    """A finding about how a column was read; same fields as `engine.checks.Finding`."""

    check: str
    severity: str
    message: str
    expected: str = ""
    fix: str = ""
    columns: tuple[str, ...] = ()


def _format_notes(
    col: str, written: pd.Series, values, decimal: str, thousands: str | None, own: str
) -> list[Note]:
    """Notes on how a text column's numbers were written: grouping, percent, own mark.

    `written` holds the column's readable values as text and `values` (same length) the
    numbers read from them.
    """
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
    # each distinct value read once (as `numbers._numbers` does): a column of a million
    # rows holds far fewer distinct amounts
    codes, uniques = pd.factorize(written.astype(str))
    forms = [written_as(t) for t in uniques]  # (number text, sign, negative) per distinct
    notes += _amount_notes(col, forms, np.bincount(codes, minlength=len(uniques)))
    numbers_text = np.array([t for t, _, _ in forms], dtype=object)
    text = pd.Series(numbers_text[codes], index=written.index, dtype=object)
    spaced = int(written.astype(str).str.contains(r"\d[ \u00a0\u202f]\d{3}").sum())
    if thousands or spaced:
        grouped = spaced
        if thousands:
            grouped += int(
                text.str.replace(_PERCENT, r"\1", regex=True)
                .str.strip()
                .str.match(_grouping(decimal, thousands))
                .sum()
            )
        if grouped:
            example = f"1{thousands}234" if grouped > spaced else "1 234"
            notes.append(
                Note(
                    "thousands_separators",
                    "info",
                    f"{col}: {_values(grouped)} written with thousands separators "
                    f"({example}) read as numbers",
                    columns=(col,),
                )
            )
    is_percent = text.str.match(_PERCENT).to_numpy(dtype=bool)
    percent = int(is_percent.sum())
    if percent and _fractions_beside_percent(np.asarray(values, dtype=float), is_percent):
        plain = len(is_percent) - percent
        notes.append(
            Note(
                "mixed_percent",
                "warning",
                f"{col}: {_values(percent)} written as percentages (12.5%, read as 12.5) "
                f"and {_values(plain)} written plain, all between -1 and 1: if the plain "
                "ones are fractions (0.125 for 12.5%), they are read 100 times smaller "
                "than the others",
                expected="one way of writing the column",
                fix="write every value the same way in the extract (all with '%' or all "
                "as fractions); each is read as written",
                columns=(col,),
            )
        )
    elif percent:
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


def _amount_notes(col: str, forms: list[tuple[str, str, bool]], counts) -> list[Note]:
    """Currency signs and accountants' negatives read as plain numbers, counted; two
    currencies in one column are a warning (amounts compared as if they were one).

    `forms`: `numbers.written_as` of each distinct value; `counts`: its rows."""
    notes = []
    rows = pd.Series(counts, index=[sign for _, sign, _ in forms])
    signs = rows[rows.index != ""].groupby(level=0).sum().sort_values(ascending=False)
    # "$" and "US$" (or "USD") are one currency: a warning only for two currencies
    currencies = {currency_code(s) or s for s in signs.index}
    if len(signs) > 1 and len(currencies) == 1:
        signs = pd.Series([signs.sum()], index=[signs.index[0]])
    if len(signs) == 1:
        sign = signs.index[0]
        notes.append(
            Note(
                "currency_text",
                "info",
                f"{col}: {_values(int(signs.iloc[0]))} written with a currency sign "
                f"({sign}{' ' if sign.isalpha() else ''}37,000) read as amounts, the {sign} "
                "dropped",
                expected="numbers without units",
                fix="nothing to do; rows to score may carry the sign or not (an amount "
                "in another currency is unreadable there, and counted)",
                columns=(col,),
            )
        )
    elif len(signs) > 1:
        each = ", ".join(f"{_values(int(n))} in {s}" for s, n in signs.items())
        notes.append(
            Note(
                "mixed_currency",
                "warning",
                f"{col}: amounts in {len(signs)} currencies ({each}) read as plain "
                "numbers, the signs dropped: they are compared as if in one currency",
                expected="one currency per column",
                fix="convert the amounts to one currency in the extract",
                columns=(col,),
            )
        )
    negatives = int(sum(n for (_, _, negative), n in zip(forms, counts, strict=True) if negative))
    if negatives:
        notes.append(
            Note(
                "accounting_negatives",
                "info",
                f"{col}: {_values(negatives)} in parentheses ((1,234.00)) or with a "
                "trailing minus (1,234.00-) read as negative amounts, as accounting and "
                "SAP exports write them",
                expected="negative numbers with a minus sign",
                fix="nothing to do if parentheses mean negative; rows to score are read "
                "the same way",
                columns=(col,),
            )
        )
    return notes


def _fractions_beside_percent(values: np.ndarray, is_percent: np.ndarray) -> bool:
    """True when the values written without '%' look like fractions of the ones with it.

    Every plain value lies within [-1, 1] while the percentages are mostly larger (their
    median magnitude above 1): "0.125" beside "12.5%" is 100 times apart once read.
    """
    plain, scaled = values[~is_percent], values[is_percent]
    if not len(plain) or not len(scaled):
        return False
    return bool(np.all(np.abs(plain) <= 1) and np.median(np.abs(scaled)) > 1)


def _values(n: int) -> str:
    return f"{n:,} value" if n == 1 else f"{n:,} values"


def _quoted(tokens) -> str:
    return ", ".join(repr(t) for t in sorted(tokens))


def _token_note(col: str, n: int, shown: set, hidden: int, limits: int = 0) -> Note:
    """`limits`: how many of the `n` are a number behind < or > (a detection limit)."""
    named = [t if t else "blank" for t in shown]
    what = _quoted(named)
    if hidden:
        what = f"{what}, and {hidden} other text value(s)" if what else f"{hidden} text value(s)"
    fix = "nothing to do if these mean 'unknown'; else correct them in the extract"
    if limits:
        # A result below (or above) what a test can measure is known to be low (high), not
        # unknown; read as missing, the model learns it as "not measured".
        limit = "written as a limit, like <0.5 or >1000"
        said = f"{what}; " if what else ""
        what = limit if limits == n else f"{said}{_values(limits)} {limit}"
        fix = (
            "a value beyond a test's limit is low (<) or high (>), not unknown: write it as "
            "a number (e.g. half the lower limit, or the upper limit) or flag it in its own "
            "column; else correct the extract"
        )
    return Note(
        "text_in_numbers",
        "warning",
        f"{col}: {_values(n)} not numbers ({what}) read as missing",
        expected="numbers, with blanks for missing values",
        fix=fix,
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


def _constant_note(columns: list[str]) -> Note:
    return Note(
        "constant_columns",
        "warning",
        f"{len(columns)} column(s) hold a single value: {', '.join(columns)}; left out of "
        "the features",
        expected="features that vary",
        fix="the model leaves them out and scoring does not need them; their one value is "
        "saved with the model, and scoring and validate count rows holding another (rows "
        "the model never saw); check the extract if they should vary",
        columns=tuple(columns),
    )


def _date_note(
    col: str, bad: int, from_text: bool, zone: str = "", serials: int = 0, undated: int = 0
) -> Note:
    """`undated`: how many of the `bad` name no date or no year ("12:30", "12 March")."""
    read = "text dates read as dates" if from_text else "a date column"
    unread = f"; {_values(bad)} not dates read as missing" if bad else ""
    if serials:  # Excel writes a date cell not formatted as a date as its serial day number
        unread += (
            f" ({serials:,} of them whole numbers such as Excel's serial day numbers: "
            "format the column as dates in the export)"
        )
    if undated:  # pandas would have taken the date from today, the year from year 1
        unread += (
            f" ({undated:,} of them a time or a day without a date or year, such as 12:30 "
            "or 12 March: none is taken from the day of the run)"
        )
    # a zone-less time at scoring is taken as UTC: said where the model learns the zone
    zoned = (
        f"; its times carry a time zone ({zone}) and are read in UTC, so times given "
        "later without a zone are taken as UTC, not as " + zone
        if zone
        else ""
    )
    return Note(
        "date_feature",
        "warning" if bad else "info",
        f"{col}: {read}, given to the model as days since 1970-01-01{unread}{zoned}",
        expected="dates as features only when the date itself predicts",
        fix=f"if it says when the row happened, pass --time {col}; if it is known only "
        f"after the outcome, --exclude {col}",
        columns=(col,),
    )


def _time_note(col: str, bad: int) -> Note:
    """Times of day read as minutes since midnight; `bad`: values that are not times."""
    unread = f"; {_values(bad)} not times of day read as missing" if bad else ""
    return Note(
        "time_of_day",
        "warning" if bad else "info",
        f"{col}: times of day (12:30, 8:05 PM) read as minutes since midnight (12:30 is 750), "
        f"a number that is the same whatever the day the model scores{unread}",
        expected="times of day written HH:MM or HH:MM:SS (24-hour, or with AM/PM)",
        fix="nothing to do if the time of day itself predicts; if the date matters too, "
        "write date and time in one column (2024-03-12 12:30)",
        columns=(col,),
    )


def _two_digit_note(col: str, n: int, recent: int, older: int, after: int | None) -> Note:
    """Dates written with two-digit years: the window's rule and where it put them.

    `recent`/`older`: how many were read in 2000-2029 / 1930-1999; `after`: how many fall
    after the column's latest date written with four digits (None: it has none)."""
    later = (
        f"; {_dates(after)} fall after the column's latest date written with four digits"
        if after
        else ""
    )
    return Note(
        "two_digit_years",
        "warning",
        f"{col}: {_dates(n)} written with two-digit years read by Excel's rule, 00-29 as "
        f"2000-2029 and 30-99 as 1930-1999 ({recent:,} in 2000-2029, {older:,} in "
        f"1930-1999){later}; rows to score are read the same way",
        expected="years written with four digits (1964-03-25)",
        fix="if any of these dates belongs to the other century (a birth in 1925 read as "
        "2025), write the years with four digits in the extract",
        columns=(col,),
    )


def _dates(n: int) -> str:
    return f"{n:,} date" if n == 1 else f"{n:,} dates"
