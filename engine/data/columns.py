"""Facts about one column that the checks, entity-id detection and the verticals share:
the words of its name (`column_tokens`, `names_matching`), how well it alone separates
the classes (`single_feature_auc`) and whether it is text with too many levels to judge
that way (`many_levels`).

Separate from checks.py so entities.py can use them without importing checks.py (which
imports entities.py); checks.py and `tuneplate.plugin` still offer them under their old
names.

Example:
    >>> sorted(column_tokens("chargeOffAmount")), names_matching(["age_years"], {"age"})
    (['amount', 'charge', 'off'], ['age_years'])
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

# Text columns with more distinct values than this are not judged alone by their level
# means (nearly every level is a handful of rows, and its mean overfits them).
HIGH_CARDINALITY = 50  # ydata-profiling's default threshold


def ordered(x: pd.Series) -> bool:
    """Numbers (not true/false) and dates: one input each, which the model reads as a
    number (a date as days since 1970-01-01), so their order carries the signal."""
    numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
    return numeric or pd.api.types.is_datetime64_any_dtype(x)


def many_levels(x: pd.Series, limit: int = HIGH_CARDINALITY) -> bool:
    """Text with more than `limit` distinct values; never numbers, dates or booleans.

    Example:
        >>> many_levels(pd.Series([f"P{i}" for i in range(60)]))
        True
        >>> many_levels(pd.to_datetime(pd.Series(range(60)), unit="D"))
        False
    """
    if ordered(x) or pd.api.types.is_bool_dtype(x):
        return False
    return x.nunique() > limit


def single_feature_auc(x: pd.Series, y: pd.Series) -> float:
    """How well one column alone separates the classes (0.5 = not at all, 1 = perfectly).

    Numbers and dates are ranked as they are; text levels by their share of positives.
    Missing values count as a level of their own, so "missing means default" shows up.

    Example:
        >>> single_feature_auc(pd.Series([1, 2, 3, 4]), pd.Series([0, 0, 1, 1]))
        1.0
    """
    if pd.api.types.is_datetime64_any_dtype(x):
        epoch = pd.Timestamp(0, tz=getattr(x.dt, "tz", None)).as_unit(x.dt.unit)
        x = (x - epoch).dt.total_seconds()
    if ordered(x):
        score = x.astype(float)
        score = score.fillna(score.min() - 1 if score.notna().any() else 0)
    else:
        key = x.astype("string").fillna("<missing>")
        score = y.groupby(key).transform("mean")
    if score.nunique() < 2:
        return 0.5
    from sklearn.metrics import roc_auc_score  # here: the CLI's parser need not wait for it

    auc = roc_auc_score(y, score)
    return float(max(auc, 1 - auc))


def column_tokens(name: str) -> set[str]:
    """The words of a column name: `DaysPastDue_30` -> {"days", "past", "due", "30"}.

    Vertical checks match names on whole words, so "age" finds `age_years` but not
    `mortgage`.

    Example:
        >>> sorted(column_tokens("chargeOffAmount"))
        ['amount', 'charge', 'off']
    """
    # Accents folded first, so `numéro` is one word (numero), not "num" and "ro".
    folded = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", folded)
    return {t for t in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if t}


def names_matching(
    columns, words: set[str], phrases: tuple[tuple[str, ...], ...] = ()
) -> list[str]:
    """Columns whose name holds one of `words`, or all words of one of `phrases`."""
    hits = []
    for col in columns:
        tokens = column_tokens(col)
        if tokens & words or any(set(p) <= tokens for p in phrases):
            hits.append(col)
    return hits
