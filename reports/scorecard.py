"""The scorecard section: Information Value per input and the points table.

Reads `results.data["scorecard"]` (written by the run when its baseline or chosen model
is a WoE scorecard, `engine/families/scorecard.py`): aggregates only, so a re-render
needs neither the model nor optbinning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tuneplate.engine.results import Results
from tuneplate.reports.formatters import fmt_count, fmt_percent

# Siddiqi, *Credit Risk Scorecards* (Wiley 2006), ch. 6: the usual reading of an
# input's Information Value. Upper bounds, exclusive; above the last: "strong".
IV_READING = ((0.02, "not useful"), (0.1, "weak"), (0.3, "medium"))


def iv_reading(iv: float) -> str:
    """Siddiqi's word for an Information Value.

    Example:
        >>> iv_reading(0.01), iv_reading(0.05), iv_reading(0.2), iv_reading(0.6)
        ('not useful', 'weak', 'medium', 'strong')
    """
    for bound, word in IV_READING:
        if iv < bound:
            return word
    return "strong"


@dataclass(frozen=True)
class ScorecardSection:
    """What the template shows: whose scorecard, the scaling, IV rows and points rows."""

    model: str  # whose scorecard: the run's baseline, or the model the search chose
    assumptions: str  # the points scaling in one sentence
    iv: list[tuple[str, str, str]]  # (input, IV, reading), strongest first
    points: list[tuple[str, str, str, str, str]]  # (input, bin, points, rows, event rate)


def section(results: Results) -> ScorecardSection | None:
    """The section's rows, or None when the run holds no scorecard summary.

    Example:
        >>> section(results).iv[0]
        ('status_of_existing_checking_account', '0.654', 'strong')
    """
    summary: dict[str, Any] = results.data.get("scorecard") or {}
    if not summary.get("points"):
        return None
    a = summary.get("assumptions", {})
    assumptions = (
        f"Points are scaled as is usual for scorecards (assumptions, not facts about the "
        f"data): {a.get('base_points', 600):g} points at good:bad odds of "
        f"{a.get('base_odds', 50):g}:1, and {a.get('pdo', 20):g} more points each time the "
        "odds double (PDO). An applicant's score is the sum of their bins' points; the "
        "model's intercept is spread evenly over the inputs. Higher is safer."
    )
    calibrated = a.get("calibration")
    if calibrated == "isotonic":
        assumptions += (
            " The points are the scorecard's before the run's isotonic recalibration, which "
            "no sum of points can express: the PD a score stands for is the calibrated "
            "model's, not the scaling's odds."
        )
    elif calibrated:
        assumptions += (
            " The points include the run's recalibration (a linear map of the log-odds), so "
            "a score reads at the scaling's odds of the PD the saved model gives."
        )
    iv = [(name, f"{value:.3f}", iv_reading(value)) for name, value in summary["iv"].items()]
    points = [
        (
            str(row["input"]),
            str(row["bin"]),
            f"{row['points']:.0f}",
            fmt_count(row["count"]),
            "—" if row.get("event_rate") is None else fmt_percent(row["event_rate"]),
        )
        for row in summary["points"]
    ]
    model = (
        "the run's baseline, at its default settings"
        if summary.get("model") == "baseline"
        else "the model the search chose, with its tuned settings"
    )
    base = results.baseline
    if results.model_family == "blend" and not (base and base.recommended):
        # the scorecard is half of the recommended blend: its points are not that model's
        model += (
            f", half of the recommended {results.model_words}: the blend averages this "
            "scorecard's log-odds with the tuned model's, so these points do not add up to "
            "its score"
        )
    return ScorecardSection(model, assumptions, iv, points)


__all__ = ["IV_READING", "ScorecardSection", "iv_reading", "section"]
