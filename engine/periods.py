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
from dataclasses import dataclass

import numpy as np

from tuneplate.engine.contract.dates import parse_datetimes
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.intervals import auroc
from tuneplate.engine.contract.monitoring import MIN_STABILITY_ROWS, TOO_FEW, band, noise95
from tuneplate.engine.contract.profile import psi

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


def periods(when, scores, y, known, profile, results, notes) -> tuple[Period, ...]:
    """The figures per month or quarter, after the development hold-out's own row.

    `when`: the time column of the new rows (n,); `scores` their probabilities (n,); `y`
    the outcomes of the rows `known` has (or None); `notes` gets a line when some dates
    cannot be read (they are left out of the periods, not of the other figures).

    Raises:
        TuneplateError: no date in `when` can be read.
    """
    dates = parse_datetimes(when)
    ok = dates.notna().to_numpy()
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
    span = (dates[ok].max() - dates[ok].min()).days / 30.44
    freq = "Q" if span > QUARTERLY_FROM_MONTHS else "M"
    periods = dates.dt.tz_localize(None).dt.to_period(freq).astype("string")
    labels = periods.fillna("").to_numpy(dtype=object)  # unreadable dates: left out
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
    found = sorted(set(labels[ok]))
    for label in found:
        mask = ok & (labels == label)
        n = int(mask.sum())
        if n < MIN_PERIOD_ROWS:  # a figure of a handful of rows would describe them
            rows.append(Period(str(label), n, math.nan, math.nan, math.nan))
            continue
        s, o = scores[mask], outcome[mask]
        seen = ~np.isnan(o)
        rate = float(o[seen].mean()) if seen.sum() >= MIN_PERIOD_ROWS else math.nan
        positives = int(o[seen].sum())
        negatives = int(seen.sum()) - positives
        enough = min(positives, negatives) >= MIN_PERIOD_EVENTS
        auc = auroc(o[seen], s[seen]) if enough else math.nan
        if profile is None:
            rows.append(Period(str(label), n, rate, auc, math.nan))
            continue
        shares = profile.scores.shares
        index = psi(shares, profile.scores.shares_of(s))
        if n < MIN_STABILITY_ROWS:  # the chi-squared noise needs more rows
            rows.append(Period(str(label), n, rate, auc, index, math.nan, TOO_FEW))
            continue
        noise = noise95(shares, profile.rows, n, tests=len(found))
        rows.append(Period(str(label), n, rate, auc, index, noise, band(index, noise)))
    return tuple(rows)
