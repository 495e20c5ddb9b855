"""The currency of a run's money figures, checked against the signs its amounts carry.

A vertical with a `currency` assumption (credit risk: "EUR" unless stated) writes its
money figures in it. The reader reads "$1,250" or "€37,000" as amounts, the sign dropped
and counted (`contract.notes`: findings "currency_text", one sign in a column, and
"mixed_currency", several). `settle` puts the two together, for any vertical that has the
assumption:

- not stated, and the amounts carry exactly one sign: the currency is the sign's (€ EUR,
  £ GBP, ¥ JPY, $ USD, ₹ INR), with an info finding; a sign several currencies write
  ($: USD, CAD, AUD...; ¥: JPY, CNY) names the first and how to set another;
- not stated, and the amounts carry several signs: nothing is taken from the data (which
  one?), and a warning says the figures keep the default;
- stated, and a sign the stated currency is not written with: a warning naming both;
- not stated, no sign: the default, as before (None stays None: "unknown").

Only the vertical's own amounts speak for the money figures: the columns whose name holds
one of its `amount_words` (credit risk: loan_amnt, balance, credit_limit, income...). A
sign elsewhere ("$10" and "$20" tiers in a `phone_plan` column) neither sets nor
contradicts the currency: the default stays, and a warning names the column and how to
state the currency. A vertical that names no amount words takes no currency from the data.

`currency_source` beside `currency` says where it came from, so the report prints it
beside the money figures. Nothing here knows a vertical: only the assumption's key and
the words it is given.

Example:
    >>> out, _ = settle({"currency": "EUR"}, {}, {"amount": ("$",)}, "credit-risk", (), ("amount",))
    >>> out["currency_source"]
    "from the $ sign of the amounts in 'amount' (USD assumed; set --assume currency=CAD if not)"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tuneplate.engine.contract.numbers import (
    CURRENCY_CODES,
    SIGN_CODES,
    currency_code,
    written_as,
)
from tuneplate.engine.data.checks import Finding

KEY, SOURCE = "currency", "currency_source"
# The ISO 4217 codes written with each sign the reader knows, the one it is read as
# (`numbers.currency_code`) first. A stated code among them agrees with the sign. Most
# signs name one currency ("US$", "€", the codes themselves); these several.
SHARED = {
    "£": ("GBP", "EGP", "GIP", "FKP", "SHP"),
    "¥": ("JPY", "CNY"),
    "$": ("USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN", "TWD", "ARS", "CLP", "COP",
          "BSD", "BBD", "BZD", "BMD", "BND", "KYD", "FJD", "GYD", "JMD", "LRD", "NAD",
          "SBD", "SRD", "TTD", "XCD"),
}  # fmt: skip
CODES = {
    **{sign: (currency_code(sign),) for sign in (*SIGN_CODES, *CURRENCY_CODES)},
    **SHARED,
}
# Signs whose usual second currency is common enough to name in the fix.
AMBIGUOUS = {"$": "CAD", "¥": "CNY"}
READ_AS_AMOUNTS = ("currency_text", "mixed_currency")  # the reader's findings on signs
# The share of a column's values that must carry a sign for its signs to speak for the
# column: an extract that writes "$" on most amounts, not one pasted cell.
SIGNED_SHARE = 0.5


def amount_signs(table: pd.DataFrame, findings) -> dict[str, tuple[str, ...]]:
    """{column: its currency signs, most rows first} for the columns the reader's
    findings say held amounts written with one (`READ_AS_AMOUNTS`), read from the
    column's values as the reader reads them (`numbers.written_as`). A column counts when
    at least `SIGNED_SHARE` of its values carry a sign: one stray "$1,169" among 999
    plain amounts says nothing about the currency of the rest."""
    named = (f.columns for f in findings if f.check in READ_AS_AMOUNTS)
    signs = {}
    for col in dict.fromkeys(c for columns in named for c in columns):
        if col not in table.columns:
            continue
        codes, uniques = pd.factorize(table[col])  # each distinct value read once
        found = pd.Series([written_as(str(v))[1] for v in uniques], dtype=object)
        rows = pd.Series(np.bincount(codes[codes >= 0], minlength=len(uniques)))
        counts = rows.groupby(found.to_numpy()).sum().drop("", errors="ignore")
        counts = counts[counts > 0].sort_values(ascending=False, kind="stable")
        if counts.sum() < SIGNED_SHARE * int(table[col].notna().sum()):
            continue  # a few signed cells among plain amounts
        if len(counts):
            signs[col] = tuple(counts.index)
    return signs


def is_amount(column: str, words: tuple[str, ...]) -> bool:
    """Whether a column's name holds one of `words` as a word of its own: "loan_amnt",
    "LoanAmount" and "CREDIT_LIMIT" do for ("amnt", "amount", "limit"); "unlimited" not.

    Example:
        >>> is_amount("LoanAmount", ("amount",)), is_amount("phone_plan", ("amount",))
        (True, False)
    """
    tokens = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", str(column))
    return bool({t.lower() for t in tokens} & {w.lower() for w in words})


def settle(
    assumptions: Mapping[str, Any],
    stated: Mapping[str, Any],
    signs: Mapping[str, tuple[str, ...]],
    vertical: str,
    money: tuple[str, ...] = (),
    amounts: tuple[str, ...] = (),
) -> tuple[dict[str, Any], list[Finding]]:
    """The run's assumptions with `currency` settled against the amounts' `signs`, and
    `currency_source` saying where it came from; and the findings that say so.

    `assumptions`: the vertical's defaults merged with the run's; `stated`: the run's own
    (`--assume`); `signs`: `amount_signs`; `money`: the assumptions that are amounts in
    the currency (`Vertical.money`): when the currency is taken from the data and differs
    from the default, those left unstated keep their default number, set for the default
    currency, so the finding is a warning that names them; `amounts`: the words that
    name the vertical's amounts (`Vertical.amount_words`, `is_amount`): only those
    columns' signs count. A vertical without the assumption is left as it is; so is an
    unstated, unknown (None) currency with no sign to take it from.
    """
    out = dict(assumptions)
    if KEY not in out:
        return out, []
    aside = {c: found for c, found in signs.items() if not is_amount(c, amounts)}
    signs = {c: found for c, found in signs.items() if c not in aside}
    where = {s: [c for c, found in signs.items() if s in found] for s in _ordered(signs)}
    if stated.get(KEY) is not None:
        code = str(stated[KEY]).strip()
        against = [s for s in where if code.upper() not in CODES.get(s, ()) and code != s]
        out[SOURCE] = f"stated with --assume {KEY}={code}"
        if not against:
            return out, []
        carried = " and ".join(f"{_columns(where[s])} are written with {s}" for s in against)
        out[SOURCE] += f", though the amounts in {carried}"
        sign = against[0]
        return out, [
            Finding(
                "currency_conflict",
                "warning",
                f"the run states {KEY}={code}, but the amounts in {carried}: the money "
                f"figures are labelled {code}",
                expected=f"the stated currency written with the amounts' sign ({sign} is "
                f"{', '.join(CODES[sign][:3])}{'...' if len(CODES[sign]) > 3 else ''})",
                fix=f"set --assume {KEY}={CODES[sign][0]} if the amounts (and the exposure) "
                f"are in {CODES[sign][0]}; else convert the amounts in the extract",
                columns=tuple(c for s in against for c in where[s]),
            )
        ]
    default = out.get(KEY)
    # "$" and "US$" (or "USD") read as one currency: one sign, the first written
    if len(where) > 1 and len({currency_code(s) for s in where}) == 1:
        first = next(iter(where))
        unambiguous = [s for s in where if s not in AMBIGUOUS]
        sign = unambiguous[0] if unambiguous else first
        where = {sign: list(dict.fromkeys(c for cols in where.values() for c in cols))}
    if len(where) == 1:
        (sign,) = where
        code = CODES[sign][0]
        columns = _columns(where[sign])
        other = AMBIGUOUS.get(sign)
        out[KEY] = code
        out[SOURCE] = f"from the {sign} sign of the amounts in {columns}" + (
            f" ({code} assumed; set --assume {KEY}={other} if not)" if other else ""
        )
        # an unstated amount (the exposure) is still the default's number, set for the
        # default currency: relabelled, 5,000 EUR would read as ¥5,000
        kept = [k for k in money if k in out and stated.get(k) is None] if default != code else []
        unconverted = ", ".join(f"{k} {out[k]:,g}" for k in kept)
        if kept:
            out[SOURCE] += (
                f"; {unconverted}: the {vertical} default, set for {default}, not converted"
            )
        fixes = [f"set --assume {KEY}={other} if not"] if other else []
        fixes += [f"state --assume {k}=AMOUNT in {code}" for k in kept]
        left = {c: s for c, s in aside.items() if {CODES[x][0] for x in s} != {code}}
        return out, [
            Finding(
                "currency_from_data",
                "warning" if kept else "info",
                f"the amounts in {columns} are written with {sign}: the money figures are "
                f"in {code}"
                + (f", assumed from the {sign} sign" if other else ", from the sign")
                + (
                    f" (not the {vertical} default {default})"
                    if default and default != code
                    else ""
                )
                + (
                    f"; {unconverted} is the {vertical} default, set for {default} and not "
                    f"converted, so every money figure rests on it"
                    if kept
                    else ""
                )
                + (f"; {_aside(left, vertical)}" if left else ""),
                expected=f"the currency stated with --assume {KEY}=CODE, or one sign"
                + (", and the amounts in it" if kept else ""),
                fix="; ".join(fixes) if fixes else "nothing to do",
                columns=tuple(where[sign]),
            )
        ]
    if default is None:  # unknown, and nothing (or no one thing) to take it from
        return out, []
    if not where and aside:
        return _not_amounts(out, aside, vertical, amounts)
    if not where:
        out[SOURCE] = f"the {vertical} default (not stated, and no currency sign in the data)"
        return out, []
    carried = " and ".join(f"{s} in {_columns(cols)}" for s, cols in where.items())
    out[SOURCE] = f"the {vertical} default (not stated; the amounts carry {carried})"
    return out, [
        Finding(
            "currency_unclear",
            "warning",
            f"the amounts carry {len(where)} currency signs ({carried}): the money figures "
            f"stay in {default}, the {vertical} default, not one taken from the data",
            expected="amounts in one currency, or the currency stated",
            fix=f"set --assume {KEY}=CODE to the currency of the exposure and the money figures",
            columns=tuple(dict.fromkeys(c for cols in where.values() for c in cols)),
        )
    ]


def _not_amounts(out: dict[str, Any], aside, vertical: str, amounts) -> tuple[dict, list]:
    """The default kept when only columns that are not the vertical's amounts carry a
    sign: a phone plan's price tier says nothing of the exposure's currency."""
    default, sign = out[KEY], _ordered(aside)[0]
    code = CODES[sign][0]
    out[SOURCE] = f"the {vertical} default (not stated; {_aside(aside, vertical)})"
    named = (
        f"columns named with {', '.join(amounts[:6])}{'...' if len(amounts) > 6 else ''}"
        if amounts
        else f"none: the {vertical} vertical names no amount columns"
    )
    return out, [
        Finding(
            "currency_not_from_amounts",
            "warning",
            f"the money figures stay in {default}, the {vertical} default: "
            f"{_aside(aside, vertical)}",
            expected=f"the currency stated, or carried by the {vertical} amounts ({named})",
            fix=f"set --assume {KEY}={code} if the exposure and the money figures are in {code}",
            columns=tuple(aside),
        )
    ]


def _aside(aside: Mapping[str, tuple[str, ...]], vertical: str) -> str:
    """Which signs were left aside, and why: "the $ sign of 'phone_plan' is on a column
    that is not a credit-risk amount, so it does not set the currency"."""
    carried = " and ".join(
        f"the {' and '.join(s)} sign{'s' if len(s) > 1 else ''} of {c!r}" for c, s in aside.items()
    )
    if len(aside) == 1:
        signs = len(next(iter(aside.values())))
        return (
            f"{carried} {'is' if signs == 1 else 'are'} on a column that is not a {vertical} "
            f"amount, so {'it does' if signs == 1 else 'they do'} not set the currency"
        )
    return (
        f"{carried} are on columns that are not {vertical} amounts, so they do not set the currency"
    )


def _ordered(signs: Mapping[str, tuple[str, ...]]) -> list[str]:
    return list(dict.fromkeys(s for found in signs.values() for s in found))


def _columns(columns: list[str]) -> str:
    return ", ".join(repr(c) for c in columns)


__all__ = ["AMBIGUOUS", "CODES", "SOURCE", "amount_signs", "is_amount", "settle"]
