"""Numbers as a business reader should see them: never a raw float.

Every formatter accepts None, NaN and numpy scalars and returns a string; a missing
value shows as an em dash so an empty cell is never mistaken for zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any, NamedTuple

from tuneplate.engine.money import money

MISSING = "—"
NUMERIC_KINDS = ("percent", "money", "count", "number", "duration")  # right-aligned

# Assumption keys whose unit can be read from the name; unknown keys fall back to their type.
_PERCENT_KEYS = ("rate", "share", "margin", "loss_given_default", "lgd", "prevalence")
_PERCENT_KEYS += ("central_tendency",)  # credit risk's long-run default rate
_MONEY_KEYS = ("exposure", "amount", "value", "price", "cost", "revenue", "basket")


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except TypeError:  # pd.NA refuses to be a bool
        return True
    except ValueError:  # an array: a value, not a missing one
        return False


def _real(value: Any) -> float | None:
    """The value as a finite float, or None when it is missing or not a number."""
    if _missing(value) or isinstance(value, bool) or not isinstance(value, Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def fmt_percent(value: Any, decimals: int = 1) -> str:
    """A share as a percentage; tiny and near-total shares never round to 0% or 100%.

    Example:
        >>> fmt_percent(0.1234), fmt_percent(0.0001), fmt_percent(0.99999)
        ('12.3%', '< 0.1%', '> 99.9%')
    """
    x = _real(value)
    if x is None:
        return MISSING
    step = 10.0 ** -(decimals + 2)  # the smallest share the format can show, 0.001 for 0.1%
    if 0 < x < step / 2:
        return f"< {100 * step:.{decimals}f}%"
    if 1 - step / 2 <= x < 1:
        return f"> {100 - 100 * step:.{decimals}f}%"
    if -step / 2 < x < 0:
        return f"> -{100 * step:.{decimals}f}%"
    return f"{100 * x:.{decimals}f}%"


def fmt_money(value: Any, currency: str = "EUR") -> str:
    """An amount with its currency: whole units from 100 up, cents below (`engine.money`).

    Example:
        >>> fmt_money(-77750.0, "EUR"), fmt_money(12.5, "CHF")
        ('-€77,750', 'CHF 12.50')
    """
    x = _real(value)
    return MISSING if x is None else money(x, currency)


def fmt_count(value: Any) -> str:
    """A whole number with thousands separators.

    Example:
        >>> fmt_count(1234567), fmt_count(40.0)
        ('1,234,567', '40')
    """
    x = _real(value)
    return MISSING if x is None else f"{round(x):,}"


def fmt_number(value: Any) -> str:
    """A score with three decimals; tiny values keep three significant digits, big ones none.

    Example:
        >>> fmt_number(0.78123), fmt_number(0.000123), fmt_number(12345.6)
        ('0.781', '0.000123', '12,346')
    """
    x = _real(value)
    if x is None:
        return MISSING
    if x != 0 and abs(x) < 0.001:
        return f"{x:.3g}"  # "0.000" would read as zero
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3f}"


def fmt_param(value: Any) -> str:
    """A hyperparameter value, short but exact enough to reproduce (appendix only).

    Example:
        >>> fmt_param(0.0123456), fmt_param(31), fmt_param("gbdt")
        ('0.0123', '31', 'gbdt')
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        return MISSING if _missing(value) else str(value)
    if isinstance(value, Integral):
        return str(int(value))
    x = _real(value)
    return MISSING if x is None else f"{x:.3g}"


def fmt_duration(seconds: Any) -> str:
    """A duration in the largest sensible units.

    Example:
        >>> fmt_duration(0.4), fmt_duration(7.25), fmt_duration(125), fmt_duration(7380)
        ('< 1 s', '7.2 s', '2 min 05 s', '2 h 03 min')
    """
    x = _real(seconds)
    if x is None:
        return MISSING
    if x < 1:
        return "< 1 s"
    if x < 9.95:  # rounds to at most 9.9
        return f"{x:.1f} s"
    whole = round(x)  # round first, so 59.7 s reads "1 min 00 s", not "60 s"
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def fmt_text(value: Any) -> str:
    """Any value as text: sequences joined, missing values as a dash, numbers formatted.

    Example:
        >>> fmt_text(("age", "sex")), fmt_text([]), fmt_text(None)
        ('age, sex', 'none', '—')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {fmt_text(v)}" for k, v in value.items()) or "none"
    if isinstance(value, Sequence):
        return ", ".join(fmt_text(v) for v in value) or "none"
    if isinstance(value, Integral):
        return fmt_count(value)
    if isinstance(value, Real):
        return fmt_number(value)
    return MISSING if _missing(value) else str(value)


def fmt_cell(value: Any, kind: str | None, currency: str = "EUR") -> str:
    """One table cell in its column's format.

    Kinds: "percent", "money", "count", "number", "duration" (seconds) and "text".

    Columns without a format still never show a raw float: numbers fall back to
    `fmt_count` / `fmt_number` by type.

    Example:
        >>> fmt_cell(0.193, "percent"), fmt_cell(-77750.0, "money"), fmt_cell(0.86397, None)
        ('19.3%', '-€77,750', '0.864')
    """
    if kind == "percent":
        return fmt_percent(value)
    if kind == "money":
        return fmt_money(value, currency)
    if kind == "count":
        return fmt_count(value)
    if kind == "number":
        return fmt_number(value)
    if kind == "duration":
        return fmt_duration(value)
    return fmt_text(value)


def assumption_kind(key: str, value: Any) -> str:
    """The format of a business assumption, read from its name and type.

    Example:
        >>> assumption_kind("loss_given_default", 0.45), assumption_kind("exposure", 5000)
        ('percent', 'money')
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        return "text"
    name = key.lower()
    if any(word in name for word in _PERCENT_KEYS) and 0 <= value <= 1:
        return "percent"
    if any(word in name for word in _MONEY_KEYS):
        return "money"
    return "count" if isinstance(value, Integral) else "number"


def fmt_label(key: str) -> str:
    """A snake_case key as a reader-facing label.

    Example:
        >>> fmt_label("loss_given_default")
        'Loss given default'
    """
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


class Tuning(NamedTuple):
    """How the search scored its trials, in the words each place of a report needs."""

    adjective: str  # "cross-validated" score
    noun: str  # "than in cross-validation"
    scored_by: str  # "Each dot is one setting, scored by cross-validation"
    card: str  # the reliability card's label
    hint: str  # and its one line


CROSS_VALIDATION = Tuning(
    "cross-validated",
    "cross-validation",
    "scored by cross-validation",
    "Cross-validation",
    "Average over the folds used to pick the settings.",
)
VALIDATION_PERIOD = Tuning(
    "validation-period",
    "the validation period",
    "scored on the validation period",
    "Validation period",
    "On the period used to pick the settings, before the hold-out period.",
)


def tuning_score(data: dict) -> Tuning:
    """How the search scored its trials, from a run's `data`.

    Binary runs score each trial by K-fold cross-validation ("folds" in `data`); ranking
    runs on a later validation period, which must never be called cross-validation.

    Example:
        >>> tuning_score({"folds": 5}).adjective
        'cross-validated'
        >>> tuning_score({"split": "by time: …"}).noun
        'the validation period'
    """
    return CROSS_VALIDATION if data.get("folds") else VALIDATION_PERIOD


def signed(value: Any, digits: int = 2) -> str:
    """A signed figure with a true minus sign ("+0.72", "−0.79"); "–" when not a number."""
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "–"
    return f"{value:+.{digits}f}".replace("-", "\u2212")
