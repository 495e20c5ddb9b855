"""The run report's monitoring triggers (reports/monitoring.py), read on new rows.

Each trigger the report sets for sending the model back to review becomes a traffic
light on the rows `tuneplate validate` scores: red when it fired, amber for a look not
yet the rule, green when it did not, grey when these rows cannot tell (no outcomes, no
profile, a business judgement). Each fires only beyond sampling noise, as the verdict's
rules do (`contract.monitoring`): the observed rate when its 95% interval excludes the
development rate; a calibration band when its gap passes CALIBRATION_DRIFT and its own
95% interval; the adverse impact ratio below four-fifths (amber when a group was already
below at development and fell no further).

Example:
    >>> [t.light for t in triggers(v, results)]
    ['green', 'green', 'green', 'green', 'red', 'grey']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tuneplate.engine.contract.intervals import Z95
from tuneplate.engine.contract.monitoring import CALIBRATION_DRIFT, FOUR_FIFTHS, MONITOR_DROP
from tuneplate.engine.contract.profile import PSI_MAJOR, SCORES
from tuneplate.engine.metrics import unpooled
from tuneplate.engine.records import Role, TableKey, is_group_table
from tuneplate.engine.results import Results

if TYPE_CHECKING:  # validate imports this module
    from tuneplate.engine.validate import Validation


@dataclass(frozen=True)
class Trigger:
    """One of the run report's monitoring triggers, evaluated on the new rows.

    `light`: "red" (the trigger fired), "amber" (a look, not yet the rule), "green" (it
    did not) or "grey" (these rows cannot tell: no outcomes, no profile, a judgement).
    """

    rule: str
    reading: str
    light: str


def triggers(v: Validation, results: Results) -> tuple[Trigger, ...]:
    """The run report's monitoring triggers (reports/monitoring.py), read on these rows.

    Each fires only beyond sampling noise, as the verdict's rules do: the observed rate
    when its 95% interval excludes the development rate; a calibration band when its
    gap passes CALIBRATION_DRIFT and its own 95% interval.
    """
    out = [_score_trigger(v, results)] if math.isfinite(results.holdout) else []
    scores = next((d for d in v.drift if d.column == SCORES), None)
    rule = f"Score PSI above {PSI_MAJOR} (a major shift)"
    if scores is None:
        out.append(Trigger(rule, "no development profile in this run", "grey"))
    else:
        light = {"major shift": "red", "look": "amber"}.get(scores.band, "green")
        out.append(Trigger(rule, f"PSI {scores.psi:.3f} ({scores.band})", light))
    share, source = expected_rate(results)
    rule = (
        "The observed event rate moves away from the stated prevalence"
        if source == "the stated prevalence"
        else "The observed event rate moves away from the development data's event rate"
    )
    if share is not None:  # no rate to compare with: the run report sets none either
        out.append(_rate_trigger(v, rule, share, source))
    # The same triggers as the run report's list (reports/monitoring.py), no others.
    if results.table(TableKey.CALIBRATION) is not None:
        out.append(_calibration_trigger(v))
    groups = [t for t in results.tables if is_group_table(t.key)]
    if any(t.column(Role.ADVERSE_IMPACT) for t in groups):
        out.append(_fairness_trigger(v, results))
    elif groups:
        out.append(
            Trigger(
                "A subgroup's results fall clearly below the others'",
                "a judgement: compare the subgroup table on these rows"
                if any(is_group_table(t.key) for t in v.tables)
                else "no subgroup table on these rows",
                "grey",
            )
        )
    out.append(
        Trigger(
            "A business assumption changes, or the way decisions use the score does",
            "a judgement: not in the data",
            "grey",
        )
    )
    return tuple(out)


def expected_rate(results: Results) -> tuple[float | None, str]:
    """The event rate new rows are compared with, and where it comes from.

    The stated prevalence (`--prevalence`, diagnosis) when the run has one: where the
    model is used at that rate, the development sample's rate (a case-control sample's
    34%) would fire the trigger on the first day. Else the development data's rate.

    Example:
        >>> expected_rate(results)
        (0.05, 'the stated prevalence')
    """
    stated = results.assumptions.get("prevalence")
    # diagnosis records the sample's own rate as "prevalence" too when none was stated
    given = "stated" in str(results.assumptions.get("prevalence_source", "stated"))
    number = isinstance(stated, int | float) and not isinstance(stated, bool)
    if given and number and 0 < stated < 1:
        return float(stated), "the stated prevalence"
    share = results.data.get("positive_share")
    if isinstance(share, int | float) and math.isfinite(share):
        return float(share), "at development"
    return None, ""


def fitted_rate(results: Results) -> float | None:
    """The event rate of the development rows the saved model was fitted at: its
    probabilities are on this scale, and a stated prevalence shifts them from it (the
    report's decision curve, validate, explain, an exported score.py). Runs saved before
    it was recorded give the whole table's rate; None when neither is a rate in (0, 1).

    Example:
        >>> fitted_rate(results)
        0.3
    """
    data = results.data
    for key in ("development_positive_share", "positive_share"):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1:
            return float(value)
    return None


def restated_prevalence(results: Results) -> tuple[float, float] | None:
    """(the rate the model was fitted at, the stated prevalence) when the run stated a
    prevalence (`--prevalence`) other than that rate, else None: its probabilities are
    on the sample's scale, and `explain` and an exported `score.py` restate them.

    Example:
        >>> restated_prevalence(results)  # a 34% case-control sample, used at 5%
        (0.34, 0.05)
    """
    stated, source = expected_rate(results)
    sample = fitted_rate(results)
    if source != "the stated prevalence" or sample is None:
        return None
    if math.isclose(stated, sample, rel_tol=1e-9):
        return None
    return sample, float(stated)


def _score_trigger(v: Validation, results: Results) -> Trigger:
    figure = v.score or v.auroc
    maximize = results.metric.direction == "maximize"
    limit = results.holdout * (1 - MONITOR_DROP if maximize else 1 + MONITOR_DROP)
    side = "falls below" if maximize else "rises above"
    rule = (
        f"{results.metric.label} on newly labelled cases {side} {limit:.3f} "
        f"({MONITOR_DROP:.0%} worse than the hold-out {results.holdout:.3f})"
    )
    if figure is None or figure.name != results.metric.name:
        return Trigger(rule, "needs outcomes", "grey")
    past = figure.new < limit if maximize else figure.new > limit
    reading = f"{figure.new:.3f} on these rows"
    if not past:
        return Trigger(rule, reading, "green")
    # Past the line is not yet a fall: on a few hundred rows a same-population batch
    # lands there by chance in a third of draws. Red only when the change's 95% interval
    # excludes no change, as the verdict judges it; else amber, a look.
    change = figure.difference_interval
    beyond = change is not None and (change[1] < 0 if maximize else change[0] > 0)
    if beyond:
        return Trigger(rule, reading, "red")
    noise = "no interval on these rows" if change is None else "within the change's 95% interval"
    return Trigger(rule, f"{reading} ({noise}: not yet beyond noise)", "amber")


def _rate_trigger(v: Validation, rule: str, share: float, source: str) -> Trigger:
    if not v.with_outcomes:
        return Trigger(rule, "needs outcomes", "grey")
    if v.event_rate_interval is None:
        return Trigger(rule, "too few entities on these rows to tell", "grey")
    low, high = v.event_rate_interval
    away = not low <= share <= high
    reading = f"{v.event_rate:.1%} (±{(high - low) / 2:.1%}) on these rows, {share:.1%} {source}"
    return Trigger(rule, reading, "red" if away else "green")


def _calibration_trigger(v: Validation) -> Trigger:
    rule = (
        f"In a score band, the observed rate moves more than {CALIBRATION_DRIFT:.0%} "
        "(absolute) from the predicted one"
    )
    table = next((t for t in v.tables if t.key == TableKey.CALIBRATION), None)
    predicted = table.column(Role.PREDICTED) if table is not None else None
    observed = table.column(Role.OBSERVED) if table is not None else None
    counted = next((c for c, f in (table.formats if table else {}).items() if f == "count"), None)
    if not (predicted and observed and counted):
        # with outcomes, the tables were not redone here (too few rows, no operating
        # point): the validation page's notes say why
        why = "the calibration table was not redone on these rows" if v.with_outcomes else ""
        return Trigger(rule, why or "needs outcomes", "grey")
    frame = table.frame
    gap = (frame[observed] - frame[predicted]).abs().to_numpy(dtype=float)
    p = frame[predicted].clip(1e-6, 1 - 1e-6).to_numpy(dtype=float)
    half = Z95 * np.sqrt(p * (1 - p) / frame[counted].clip(lower=1).to_numpy(dtype=float))
    fired = (gap > CALIBRATION_DRIFT) & (gap > half)
    worst = float(gap.max()) if len(gap) else math.nan
    reading = f"largest gap {worst:.1%}; {int(fired.sum())} of {len(gap)} bands beyond noise"
    return Trigger(rule, reading, "red" if fired.any() else "green")


def _fairness_trigger(v: Validation, results: Results) -> Trigger:
    """Group by group: red when a group falls below four-fifths that was not below at
    the run, or falls further; amber when every group below already was and none fell
    further. Each group is matched with its own row of the run's table (same attribute,
    same group: `validate` cuts the run's bands), never with another group's ratio."""
    rule = (
        f"A group's adverse impact ratio at the operating point falls below {FOUR_FIFTHS}, "
        "or a group already below falls further"
    )
    table = next((t for t in v.tables if t.key == TableKey.FAIRNESS), None)
    air = table.column(Role.ADVERSE_IMPACT) if table is not None else None
    if not air:
        return Trigger(rule, "no protected groups on these rows", "grey")
    now = _ratios(table, air)
    if not now:
        return Trigger(rule, "no group large enough to compare", "grey")
    run = results.table(TableKey.FAIRNESS)
    then = _ratios(run, run.column(Role.ADVERSE_IMPACT)) if run is not None else {}
    below = {g: r for g, r in now.items() if r < FOUR_FIFTHS}
    worst = min(now, key=now.get)
    if not below:
        return Trigger(rule, f"lowest {now[worst]:.3f} ({_named(worst)})", "green")
    new = [g for g, r in below.items() if not (then.get(g, 1.0) < FOUR_FIFTHS and r >= then[g])]
    if new:
        g = min(new, key=now.get)
        was = f"{then[g]:.3f}" if g in then else "not compared"
        reading = f"{_named(g)}: {now[g]:.3f}, at development {was}"
        return Trigger(rule, reading, "red")
    reading = f"{len(below)} group(s) below, each already so at development and no lower"
    return Trigger(rule, reading, "amber")


def _ratios(table, air: str | None) -> dict[tuple[str, str], float]:
    """(attribute, group) -> adverse impact ratio, for the rows that have one."""
    if table is None or not air:
        return {}
    frame = table.frame
    attribute = table.column(Role.ATTRIBUTE) or "Attribute"
    group = table.column(Role.GROUP) or "Group"
    values = pd.to_numeric(frame[air], errors="coerce")
    # a group pooled with smaller ones in one table and not in the other is still itself
    return {
        (str(a), unpooled(g)): float(r)
        for a, g, r in zip(frame[attribute], frame[group], values, strict=True)
        if np.isfinite(r)
    }


def _named(group: tuple[str, str]) -> str:
    return f"{group[0]} {group[1]!r}"
