"""Amounts of money as one text everywhere: the report's cards and a vertical's sentences.

A currency with a common symbol is written with it ("€59,250", "-€395,000"), any other
with its ISO 4217 code ("CHF 12.50"); whole units from 100 up, cents below. Verticals
write money through `money` (from `tuneplate.plugin`) and the report formats its money
cells with the same function, so one figure never reads "€36,000" in a card and
"EUR 36,000" in the sentence beside it.
"""

from __future__ import annotations

import math

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def money(value: float, currency: str = "EUR") -> str:
    """`value` in `currency` (an ISO 4217 code such as "EUR"), as the report writes it.

    Raises nothing: a value that is not a finite number comes back as "—".

    Example:
        >>> money(-77750.0, "EUR"), money(12.5, "CHF"), money(5000, "usd")
        ('-€77,750', 'CHF 12.50', '$5,000')
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(x):
        return "—"
    digits = 0 if abs(x) >= 100 else 2
    amount = f"{abs(x):,.{digits}f}"
    symbol = CURRENCY_SYMBOLS.get(str(currency).upper())
    text = f"{symbol}{amount}" if symbol else f"{currency} {amount}".strip()
    return f"-{text}" if x < 0 and float(amount.replace(",", "")) else text
