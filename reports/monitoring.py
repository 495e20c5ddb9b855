"""When the model should go back for review once in use: the monitoring triggers.

The live-score trigger (`monitoring_trigger`, MONITOR_DROP worse than the hold-out) and
the list of triggers for the limitations section (`monitoring`), from `Results` only.

Example:
    >>> monitoring(results)[0]
    'ROC AUC on newly labelled cases falls below 0.729 (5% under the hold-out 0.767).'
"""

from __future__ import annotations

import math

from tuneplate.engine.contract.monitoring import CALIBRATION_DRIFT, FOUR_FIFTHS, MONITOR_DROP
from tuneplate.engine.contract.profile import PSI_MAJOR, PSI_WATCH
from tuneplate.engine.results import Results, Role, Table, TableKey
from tuneplate.engine.triggers import expected_rate
from tuneplate.reports.figures import column
from tuneplate.reports.formatters import fmt_cell, fmt_number
from tuneplate.reports.tables import group_tables


def monitoring(results: Results, groups: list[Table] | None = None) -> list[str]:
    """Triggers that should send the model back for review once it is in use.

    `groups`: the group tables when the caller has them (a render's `View`).

    Example:
        >>> monitoring(results)[0]
        'ROC AUC on newly labelled cases falls below 0.729 (5% under the hold-out 0.767).'
    """
    out = []
    metric, holdout = results.metric, results.holdout
    groups = group_tables(results) if groups is None else groups
    trigger = monitoring_trigger(results)
    if trigger is not None:
        maximize = metric.direction == "maximize"
        moves, side = ("falls below", "under") if maximize else ("rises above", "over")
        out.append(
            f"{metric.label} on newly labelled cases {moves} {fmt_number(trigger)} "
            f"({MONITOR_DROP:.0%} {side} the hold-out {fmt_number(holdout)}) by more than "
            "the sampling noise of the new cases (the 95% interval of the change, as "
            "tuneplate validate judges it)."
        )
    out.append(
        f"The scores of new cases drift from those seen here: population stability index "
        f"above {PSI_MAJOR:.2f} (a major shift; {PSI_WATCH:.2f} or more calls for a closer "
        "look: Siddiqi, Credit Risk Scorecards, 2006, the bands tuneplate validate uses)."
    )
    share, source = expected_rate(results)
    if share is not None:
        against = (
            f"the stated prevalence of {fmt_cell(share, 'percent')}"
            if source == "the stated prevalence"
            else f"the {fmt_cell(share, 'percent')} in the data used here"
        )
        out.append(
            f"The observed rate of '{results.data.get('positive', 'the event')}' moves well away "
            f"from {against}."
        )
    if results.table(TableKey.CALIBRATION) is not None:
        out.append(
            f"In any score band, the observed rate moves more than {100 * CALIBRATION_DRIFT:.0f} "
            "percentage points away from the predicted one: the probabilities need "
            "recalibrating."
        )
    if any(column(t, Role.ADVERSE_IMPACT) for t in groups):
        out.append(
            f"Any group's adverse impact ratio at the operating point falls below {FOUR_FIFTHS}, "
            "or a "
            "flagged group's falls further."
        )
    elif groups:
        out.append("Any subgroup's results fall clearly below the others' shown here.")
    out.append("A business assumption above changes, or the way decisions use the score does.")
    return out


def monitoring_trigger(results: Results) -> float | None:
    """The live score that should send the model back: MONITOR_DROP worse than the hold-out."""
    if not math.isfinite(results.holdout):
        return None
    maximize = results.metric.direction == "maximize"
    return results.holdout * (1 - MONITOR_DROP if maximize else 1 + MONITOR_DROP)
