"""A score's skill: how far it lies from a chance model, and the share of it a hold-out loses.

A chance model predicts the base rate for every row (ROC AUC 0.5, log-loss the
outcome's entropy, Brier p(1 − p)). Measuring a gap as a share of the distance from
chance to the tuning score makes a log-loss going from 0.074 to 0.092 on a near-perfect
model the small loss it is. The verdict's thresholds on that share (`GAP_CAUTION`,
`GAP_STOP`) are template choices, stated here so a reviewer can challenge them.

Example:
    >>> round(chance_score("log_loss", 0.3), 3)
    0.611
"""

from __future__ import annotations

import math

from tuneplate.engine.results import Results
from tuneplate.reports.formatters import fmt_number

GAP_CAUTION = 0.10  # share of the tuning skill (over a chance model) lost on the hold-out
GAP_STOP = 0.25
PERFECT = {"roc_auc": 1.0, "pr_auc": 1.0, "ndcg": 1.0, "log_loss": 0.0, "brier": 0.0}


def chance_score(metric: str, base_rate: float) -> float:
    """The score of a model that predicts the base rate for everyone (NaN if unknown).

    Example:
        >>> round(chance_score("log_loss", 0.3), 3)
        0.611
    """
    p = base_rate
    if not 0 < p < 1:
        return math.nan
    return {
        "roc_auc": 0.5,
        "pr_auc": p,
        "log_loss": -(p * math.log(p) + (1 - p) * math.log(1 - p)),
        "brier": p * (1 - p),
    }.get(metric, math.nan)


def normalised(results: Results, value: float) -> float:
    """Where `value` lies between a chance model (0) and a perfect one (1), or NaN."""
    name = results.metric.name
    chance = chance_score(name, float(results.data.get("positive_share", math.nan)))
    perfect = PERFECT.get(name, math.nan)
    if not (math.isfinite(chance) and math.isfinite(perfect) and math.isfinite(value)):
        return math.nan
    return (value - chance) / (perfect - chance) if perfect != chance else math.nan


def holdout_drop(results: Results) -> float:
    """The share of the model's skill lost on the hold-out (NaN if unknown).

    Skill is the distance from a chance model (the base rate for everyone) to the
    tuning score, so a log-loss going from 0.074 to 0.092 on a near-perfect model
    counts as the small loss it is. Positive means worse on unseen rows; metrics
    without a known chance score fall back to the change relative to the tuning score.

    Example:
        >>> holdout_drop(results)  # ROC AUC 0.790 in tuning, 0.767 on the hold-out
        0.079
    """
    validation, holdout = results.validation, results.holdout
    if not (math.isfinite(validation) and math.isfinite(holdout)):
        return math.nan
    sign = 1 if results.metric.direction == "maximize" else -1
    worse = sign * (validation - holdout)
    chance = chance_score(results.metric.name, float(results.data.get("positive_share", math.nan)))
    skill = sign * (validation - chance) if math.isfinite(chance) else abs(validation)
    if skill <= 0:
        return math.inf  # no better than chance while tuning: nothing to hold up
    return worse / skill


def interval_text(results: Results) -> str:
    """ " (95% interval 0.71–0.82)" after a hold-out score, or "" when there is none."""
    if not results.holdout_interval:
        return ""
    low, high = results.holdout_interval
    return f" (95% interval {fmt_number(low)}–{fmt_number(high)})"
