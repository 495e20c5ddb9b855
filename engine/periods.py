"""`tuneplate validate --time`: the figures of new rows per month or quarter.

A span of more than QUARTERLY_FROM_MONTHS months is shown by quarter, a shorter one by
month; the first period is the development hold-out (its own AUROC, PSI 0 by
definition). A period of fewer than MIN_PERIOD_ROWS rows shows only its count (a figure
would describe its few cases); its score PSI is banded only from MIN_STABILITY_ROWS rows,
beyond the sampling noise shared by the periods (Bonferroni), as `contract.monitoring`
does for the inputs.

Example:
    >>> [p.label for p in periods(rows["applied"], scores, y, known, profile, results, [])]
    ['development hold-out', '2024-01', '2024-02', ...]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tuneplate.engine.contract.dates import parse_datetimes
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.intervals import auroc
from tuneplate.engine.contract.monitoring import MIN_STABILITY_ROWS, TOO_FEW, band, noise95
from tuneplate.engine.contract.profile import effective_entities, psi

DEVELOPMENT = "development hold-out"  # the first period of the over-time table
QUARTERLY_FROM_MONTHS = 24  # a longer span is shown by quarter, a shorter one by month
MIN_PERIOD_EVENTS = 5  # fewer events (or non-events) in a period: no AUROC for it
MIN_PERIOD_ROWS = 10  # fewer rows in a period: only its count is shown


@dataclass(frozen=True)
class Period:
    """One period of the over-time table (the first is the development hold-out)."""

    label: str
    rows: int
    event_rate: float  # NaN without outcomes
    auroc: float  # NaN without outcomes, or too few events to rank
    score_psi: float
    noise: float = math.nan  # the score PSI sampling alone stays under, 95% of the time
    band: str = ""  # of score_psi (`contract.monitoring.band`)
    # Per model input, the period's values outside the bounds every development row kept
    # (`Drift.out_of_domain` of the whole batch, by period): when the extract broke.
    # Inputs with none are left out; a period under MIN_PERIOD_ROWS rows shows none.
    out_of_domain: dict[str, int] = field(default_factory=dict)


def periods(
    when, scores, y, known, profile, results, notes, clusters=None, outside=None
) -> tuple[Period, ...]:
    """The figures per month or quarter, after the development hold-out's own row.

    `when`: the time column of the new rows (n,); `scores` their probabilities (n,); `y`
    the outcomes of the rows `known` has (or None); `notes` gets a line when some dates
    cannot be read (they are left out of the periods, not of the other figures), and one
    naming the periods holding values outside the development's bounds; `clusters` the
    rows' entity codes (n,) when they repeat one: the PSI's noise counts a period's
    effective entities (`contract.monitoring`); `outside` per model input, which rows
    (n,) lie outside the bounds every development row kept (`Schema.outside_bounds`).

    Raises:
        TuneplateError: no date in `when` can be read.
    """
    labels, ok = _period_labels(when)
    if 0 < (~ok).sum():
        notes.append(
            f"{int((~ok).sum()):,} of {len(ok):,} rows have no readable date in "
            f"{when.name!r}: they count in every figure but the per-period ones."
        )
    if not ok.any():
        raise TuneplateError(
            f"time column {when.name!r} holds no date that can be read; give a date column "
            "(e.g. 2024-03-31) with --time"
        )
    outcome = np.full(len(scores), np.nan)
    if y is not None:
        outcome[known] = y
    known_events = profile is not None and profile.events is not None
    dev_rate = profile.events / profile.rows if known_events else math.nan
    rows = [
        Period(
            DEVELOPMENT,
            profile.rows if profile is not None else 0,
            dev_rate,
            float(results.holdout_metrics.get("roc_auc", math.nan)),
            0.0 if profile is not None else math.nan,
        )
    ]
    found = sorted(set(labels[ok]), key=_order)
    for label in found:
        mask = ok & (labels == label)
        n = int(mask.sum())
        if n < MIN_PERIOD_ROWS:  # a figure of a handful of rows would describe them
            rows.append(Period(str(label), n, math.nan, math.nan, math.nan))
            continue
        beyond = {c: k for c, m in (outside or {}).items() if (k := int((m & mask).sum()))}
        s, o = scores[mask], outcome[mask]
        seen = ~np.isnan(o)
        rate = float(o[seen].mean()) if seen.sum() >= MIN_PERIOD_ROWS else math.nan
        positives = int(o[seen].sum())
        negatives = int(seen.sum()) - positives
        enough = min(positives, negatives) >= MIN_PERIOD_EVENTS
        auc = auroc(o[seen], s[seen]) if enough else math.nan
        if profile is None:
            rows.append(Period(str(label), n, rate, auc, math.nan, out_of_domain=beyond))
            continue
        shares = profile.scores.shares
        index = psi(shares, profile.scores.shares_of(s))
        if n < MIN_STABILITY_ROWS:  # the chi-squared noise needs more rows
            rows.append(Period(str(label), n, rate, auc, index, math.nan, TOO_FEW, beyond))
            continue
        m = n if clusters is None else effective_entities(clusters[mask])
        noise = noise95(shares, profile.counted, m, tests=len(found))
        rows.append(Period(str(label), n, rate, auc, index, noise, band(index, noise), beyond))
    if line := outside_line(rows, when.name):
        notes.append(line)
    return tuple(rows)


def outside_line(rows, time: str) -> str:
    """A sentence naming, per model input, the periods (of `time`) whose values lie
    outside the bounds every development row kept, with their counts; "" when none do.

    Example:
        >>> outside_line(periods, "applied")[-70:]
        "'duration' in 2024-03 (20 of 100 rows): the extract of those periods is ..."
    """
    by_column: dict[str, list[str]] = {}
    for p in rows:
        for column, k in p.out_of_domain.items():
            by_column.setdefault(column, []).append(f"{p.label} ({k:,} of {p.rows:,} rows)")
    if not by_column:
        return ""
    each = "; ".join(f"{c!r} in {', '.join(found)}" for c, found in by_column.items())
    return (
        f"Values outside the bounds every development row kept, by period of {time!r}: "
        f"{each}: the extract of those periods is the first place to look."
    )


def _period_labels(when: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(period label per row, "" where unreadable; readable mask), both (n,).

    Dates fall in months, or quarters over a span of more than QUARTERLY_FROM_MONTHS
    months. Whole numbers are read as `run --time` takes them: 8 digits as dates
    (20240331), 6 as months (202403), and any other ordered period number (a quarter
    index, a year) as its own period.
    """
    numbers = pd.api.types.is_numeric_dtype(when) and not pd.api.types.is_bool_dtype(when)
    if numbers:
        values = pd.to_numeric(when, errors="coerce")
        whole = values.dropna()
        if not len(whole) or (whole % 1 != 0).any():
            text = values.astype("string")  # not period numbers: each value a period
            return text.fillna("").to_numpy(dtype=object), values.notna().to_numpy()
        digits = whole.astype("int64").astype(str).str.len()
        text = values.astype("Int64").astype("string")
        if (digits == 6).all() and whole.astype("int64").mod(100).between(1, 12).all():
            text = text + "01"  # YYYYMM: the month's first day
        elif not (digits == 8).all():  # a period index or a year: the number itself
            return text.fillna("").to_numpy(dtype=object), values.notna().to_numpy()
        when = text
    dates = parse_datetimes(when)
    ok = dates.notna().to_numpy()
    span = (dates[ok].max() - dates[ok].min()).days / 30.44 if ok.any() else 0.0
    freq = "Q" if span > QUARTERLY_FROM_MONTHS else "M"
    periods = dates.dt.tz_localize(None).dt.to_period(freq).astype("string")
    return periods.fillna("").to_numpy(dtype=object), ok


def _order(label: str):
    """Periods in time order: numbers by value ("9" before "10"), else as text."""
    try:
        return (0, float(label), "")
    except ValueError:
        return (1, 0.0, label)
