"""Numbers and level text read from raw values, under one writing convention.

`canonical` writes a value as level text ("5.0" and " 5 " are "5"); `number_format`
settles the decimal mark and thousands separator from a table's saved reading rules or
a column's own mark; `_parse_number` and `_numbers` read raw values as floats under it
("3.543,22" with decimal "," is 3543.22; "12.5%" is 12.5, in percent units).

Separate from schema.py so the one way of writing and parsing numbers sits in a small
module that the schema, its notes (notes.py) and its column reading (kinds.py) all use.
Self-contained like every contract module (the standard library, numpy, pandas):
`tuneplate export` copies it verbatim into the exported project's `contract/`.

Example:
    >>> canonical("5.50"), _parse_number("1.234,5", ",", ".")
    ('5.5', 1234.5)
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import numpy as np
import pandas as pd

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
# A number followed by a percent sign ("12.5%", "12,5 %"): read in percent units (12.5).
_PERCENT = re.compile(r"^(.*\d)\s*%$")
# A number behind or before a currency sign ("€37,000", "-$12.50", "37 000 €"): the sign
# dropped, the amount read as written (one currency per column; notes.py warns on two).
CURRENCY_SIGNS = "€$£¥₹"
# The same with a country's dollar ("US$1,169", "CA$", "A$") or an ISO 4217 code before or
# after ("USD 1,200", "1,169 EUR"), in upper or lower case ("usd 1,200", "1,169 eur": as
# some systems write them; as text, each amount was a level of its own). Only the codes
# below, so no word ("per", "max") is ever read as one. The sign returned is the text as
# written, a code upper-cased, which `currency_code` and `engine.currency` map to a code.
DOLLAR_PREFIXES = ("US", "CA", "C", "AU", "A", "NZ", "HK", "S", "R", "MX")
CURRENCY_CODES = (
    "USD", "EUR", "GBP", "JPY", "INR", "CAD", "AUD", "CHF", "CNY", "NZD", "HKD", "SGD",
    "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "ZAR", "BRL", "MXN",
)  # fmt: skip
_CODES = "|".join((*CURRENCY_CODES, *map(str.lower, CURRENCY_CODES)))  # "USD", "usd"; not "Usd"
_CODE = f"(?<![A-Za-z])(?:{_CODES})(?![A-Za-z])"  # whole: not "EURO 5"
_SIGN = (
    "(?:" + "|".join([_CODE, *(f"{p}\\$" for p in DOLLAR_PREFIXES), f"[{CURRENCY_SIGNS}]"]) + ")"
)
_CURRENCY = re.compile(rf"^([+-]?)\s*({_SIGN})\s*(.*\d.*)$|^(.*\d\)?)\s*({_SIGN})$")
# The currency each sign is read as, for comparing a batch with its run: a code is its
# own; a country's dollar its country's; a bare sign its most common currency ("$" USD).
SIGN_CODES = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "US$": "USD",
               "CA$": "CAD", "C$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD",
               "HK$": "HKD", "S$": "SGD", "R$": "BRL", "MX$": "MXN"}  # fmt: skip


def currency_code(sign: str) -> str:
    """The ISO 4217 code a written sign is read as ("" for none).

    Example:
        >>> currency_code("US$"), currency_code("$"), currency_code("EUR"), currency_code("")
        ('USD', 'USD', 'EUR', '')
    """
    return SIGN_CODES.get(sign, sign if sign in CURRENCY_CODES else "")


def values_currency(values: pd.Series) -> str:
    """The currency a column's amounts are written in, when at least half its values carry
    a sign and all the signs read as one currency ("$" and "US$" alike); "" otherwise.

    Example:
        >>> values_currency(pd.Series(["$1,169", "US$37", "5"]))
        'USD'
    """
    text = values.dropna().astype(str)
    if text.empty:
        return ""
    signed = text.map({v: currency_code(written_as(v)[1]) for v in text.unique()})
    found = set(signed[signed != ""])
    return found.pop() if len(found) == 1 and (signed != "").mean() >= 0.5 else ""


# An accountant's negative, a number in parentheses ("(1,388.81)" is -1388.81), or with
# the minus behind it, as SAP and mainframe (COBOL) exports write it ("1,388.81-").
_ACCOUNTING = re.compile(r"^\((.*\d.*)\)$")
TRAILING_MINUS = re.compile(r"^(\d[\d.,\s\u00a0\u202f]*)-$")
# Thousands grouped with spaces ("37 000", "1 234 567,5"; also no-break spaces), three
# digits per group as `_grouping` requires of "," and ".".
_SPACE_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}([ \u00a0\u202f]\d{3})+([.,]\d*)?$")


def written_as(text: str) -> tuple[str, str, bool]:
    """(the number's text, its currency sign or "", an accounting negative) of a value;
    an ISO code is returned upper-case ("1,169 eur": "EUR").

    Example:
        >>> written_as("€37,000"), written_as("(1,388.81)"), written_as("1,169 eur")
        (('37,000', '€', False), ('1,388.81', '', True), ('1,169', 'EUR', False))
    """
    text = text.strip()
    negative = False
    if (m := _ACCOUNTING.match(text) or TRAILING_MINUS.match(text)) is not None:
        text, negative = m.group(1).strip(), True
    sign = ""
    if (m := _CURRENCY.match(text)) is not None:
        if m.group(2):
            text, sign = m.group(1) + m.group(3).strip(), m.group(2)
        else:
            text, sign = m.group(4).strip(), m.group(5)
        sign = sign.upper() if sign.isalpha() else sign  # "usd" is USD: one sign, one code
        # the sign outside the parentheses, as Excel's accounting format writes it:
        # "$(1,169)", "$ (1,169)", "(1,169) EUR"
        if not negative and (m := _ACCOUNTING.match(text) or TRAILING_MINUS.match(text)):
            text, negative = m.group(1).strip(), True
    if _SPACE_GROUPED.match(text):
        text = re.sub(r"[ \u00a0\u202f]", "", text)
    return text, sign, negative


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
    decimal ","; spaces too: "37 000"); a point decimal ("3.5") still reads in a
    decimal-comma table, as `reader` reads it; a trailing "%" is dropped (percent units:
    "12,5 %" -> 12.5), so is a currency sign ("€37,000" -> 37000); an amount in
    parentheses or with a trailing minus is negative ("(1,388.81)" and "1,388.81-" ->
    -1388.81, as accounting and SAP exports write it).

    Example:
        >>> _parse_number("3.543,22", ",", "."), _parse_number("3.543"), _parse_number("7%")
        (3543.22, 3.543, 7.0)
    """
    if text is None:
        return math.nan
    text, _, negative = written_as(str(text))
    if (percent := _PERCENT.match(text)) is not None:
        text = percent.group(1).strip()
    if thousands and _grouping(decimal, thousands).match(text):
        text = text.replace(thousands, "")
    if decimal != "." and text.count(decimal) == 1 and "." not in text:
        text = text.replace(decimal, ".")
    try:
        number = float(text)
    except ValueError:
        return math.nan
    return -number if negative and number > 0 else number


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
