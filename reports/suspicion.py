"""Whether a hold-out score is too good to take on trust, and why.

Four independent signals: a score at or above its plausibility ceiling (`IMPLAUSIBLE`),
a hold-out better than cross-validation by more than its interval allows, a jump over
the simple baseline of `BASELINE_JUMP` of the chance-to-perfect range, and a column the
data checks flagged as predictive alone. Such a score is never said to have "held up":
the verdict (verdict.py) leads with it, a caution for one signal and a stop for two.
The usual causes are those of Kaufman et al. 2012, "Leakage in data mining", ACM TKDD 6(4).

Example:
    >>> suspicion(results)  # hold-out ROC AUC 0.998, cross-validated 0.997
    Suspicion(signals=['ROC AUC 0.998 on rows it never saw (at or above 0.99)'], agrees=…)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from tuneplate.engine.results import Results
from tuneplate.reports.formatters import fmt_number, tuning_score
from tuneplate.reports.skill import GAP_CAUTION, holdout_drop, interval_text, normalised

# A hold-out score at or above these is too good to take on trust: single columns that
# leak the outcome, or the same entity on both sides of the split, give such scores far
# more often than real problems do. ROC AUC and PR AUC are read from the hold-out metrics
# whatever the tuning metric, so a log-loss or Brier run is judged by its AUC too.
IMPLAUSIBLE = {"roc_auc": 0.99, "pr_auc": 0.99, "ndcg": 0.95}
# Loss metrics with no hold-out AUC: share of a chance model's loss removed
# (1 - loss / chance loss). A ROC AUC of 0.993 gives about 0.86 on the bundled
# breast-cancer data, so 0.85 matches the AUC ceiling.
IMPLAUSIBLE_SKILL = 0.85
# The tuned model beating its simple baseline on the hold-out by this share of the whole
# chance-to-perfect range (e.g. ROC AUC 0.70 -> 0.95) is more than settings usually buy.
BASELINE_JUMP = 0.4
USUAL_CAUSES = (
    "a column recorded after the outcome or derived from it (leakage)",
    "the same customer or patient on both sides of the split (pass --group with their id)",
    "duplicated rows",
    "an id or date column that encodes the outcome's timing",
)


def usual_causes(group: str | None = None) -> tuple[str, ...]:
    """`USUAL_CAUSES`, the split's cause worded for a run that kept each `group` id on one
    side already (its hint to pass --group would be wrong there).

    Example:
        >>> usual_causes("customer")[1]
        "the same customer or patient under another id than 'customer' (e.g. a household) …"
    """
    if not group:
        return USUAL_CAUSES
    kept = (
        f"the same customer or patient under another id than {group!r} (e.g. a household "
        f"or an account), on both sides of the split: the run kept each {group!r} on one side"
    )
    return (USUAL_CAUSES[0], kept, *USUAL_CAUSES[2:])


@dataclass(frozen=True)
class Suspicion:
    """Why a hold-out score is too good to take on trust.

    `signals` are the independent reasons (a ceiling, far above cross-validation, far
    above the baseline); `agrees` names the cross-validated and baseline scores when the
    ceiling is the only signal, which is what a genuinely easy problem looks like.
    """

    signals: list[str]
    agrees: str  # "" or "The hold-out log-loss (0.09) is in line with cross-validation (0.07)…"
    causes: tuple[str, ...] = USUAL_CAUSES
    flagged: tuple[str, ...] = ()  # columns the data-health checks found predictive alone

    @property
    def level(self) -> Literal["caution", "stop"]:
        # Two independent signals together are rarely innocent; one alone may be.
        return "stop" if len(self.signals) > 1 else "caution"

    def text(self) -> str:
        causes = "; ".join(self.causes)
        first = "The hold-out score is suspiciously good: " + "; ".join(self.signals) + "."
        middle = (
            f" {self.agrees}, which is what a genuinely easy problem looks like: if every "
            "column is measured before the outcome is known, the figure can be real."
            if self.agrees
            else ""
        )
        if self.flagged:  # the likeliest cause, already found: named here, not only below
            middle += (
                f" Data health found {_listing(self.flagged)} predictive on {_its(self.flagged)} "
                "own: check first when it is recorded."
            )
        # The sentence matches the label: "Not ready" cannot go to review; "Use with
        # caution" (one signal, which an easy problem also gives) goes once it is checked.
        if self.level == "stop":
            ask = "The model cannot go to review until this is explained; check"
        else:
            ask = "Before the model goes to review, rule out"
        return f"{first}{middle} {ask} the usual causes: {causes}."


def suspicion(results: Results) -> Suspicion | None:
    """Why the hold-out score is too good to take on trust, or None when it is not.

    Four independent signals: a score at or above its ceiling (`IMPLAUSIBLE`, on the
    hold-out or else in tuning), a hold-out better than cross-validation by more than its
    bootstrap interval allows, a jump over the simple baseline of `BASELINE_JUMP` of the
    chance-to-perfect range, and a column the data checks flagged as predictive alone. See
    Kaufman et al. 2012, "Leakage in data mining", ACM TKDD 6(4), for the usual causes.

    Example:
        >>> suspicion(results)  # hold-out ROC AUC 0.998, cross-validated 0.997
        Suspicion(signals=['ROC AUC 0.998 on rows it never saw (at or above 0.99)'], agrees=…)
    """
    ceiling = _ceiling(results)
    problems = _flagged(results, problems_only=True)
    alone = _alone(problems)
    # columns the signal names already are not named again beside the causes
    flagged = tuple(c for c in _flagged(results) if c not in problems)
    signals = [s for s in (ceiling, _above_cv(results), _above_baseline(results), alone) if s]
    if not signals:
        return None
    agrees = ""
    if signals == [ceiling] and math.isfinite(results.validation):
        # "in line" only when the cross-validated score lies in the hold-out's interval:
        # a log-loss of 0.0009 against 0.027 is 30 times apart, though both near perfect
        low, high = results.holdout_interval or (math.nan, math.nan)
        relation = (
            "is in line with" if low <= results.validation <= high else "is near perfect, as was"
        )
        agrees = (
            f"The hold-out {results.metric.label} {fmt_number(results.holdout)}"
            f"{interval_text(results)} {relation} {tuning_score(results.data).noun} "
            f"({fmt_number(results.validation)})"
        )
        base = (results.baseline or {}).get("holdout")
        if isinstance(base, int | float):
            agrees += f" and the simple baseline ({fmt_number(base)})"
    return Suspicion(signals, agrees, usual_causes(results.config.get("group")), flagged)


def _ceiling(results: Results) -> str:
    """The hold-out figure at or above its plausibility ceiling, in words, or ""."""
    figures = {**results.holdout_metrics, results.metric.name: results.holdout}
    if "roc_auc" in figures:  # PR AUC runs high with a common outcome; ROC AUC does not
        figures.pop("pr_auc", None)
    for name, ceiling in IMPLAUSIBLE.items():
        value = figures.get(name)
        if isinstance(value, int | float) and math.isfinite(value) and value >= ceiling:
            label = results.metric.label if name == results.metric.name else _LABELS[name]
            return f"{label} {fmt_number(value)} on rows it never saw (at or above {ceiling})"
    # A hold-out of a few hundred rows can land just under the ceiling by chance while
    # the folds, scored on every development row, sit above it (German credit with the
    # outcome copied, 2% flipped: hold-out 0.980, cross-validated 0.993, "held up").
    # Only folds count: a ranking run's single validation period is no surer than its
    # hold-out.
    ceiling = IMPLAUSIBLE.get(results.metric.name, math.inf)
    if results.data.get("folds") and results.validation >= ceiling:  # NaN is never >=
        return (
            f"{tuning_score(results.data).adjective} {results.metric.label} "
            f"{fmt_number(results.validation)} (at or above {ceiling})"
        )
    if not any(name in results.holdout_metrics for name in ("roc_auc", "pr_auc")):
        skill = normalised(results, results.holdout)
        if results.metric.direction == "minimize" and skill >= IMPLAUSIBLE_SKILL:
            return (
                f"{results.metric.label} {fmt_number(results.holdout)} removes {skill:.0%} of a "
                f"chance model's loss on rows it never saw (at or above {IMPLAUSIBLE_SKILL:.0%})"
            )
    return ""


_LABELS = {"roc_auc": "ROC AUC", "pr_auc": "PR AUC", "ndcg": "NDCG"}


def _above_cv(results: Results) -> str:
    """Said when the hold-out beats the cross-validated score by more than its interval allows."""
    if not results.holdout_interval or not math.isfinite(results.validation):
        return ""
    if str(results.data.get("split", "")).startswith("out-of-time"):
        # Expanding-window folds train on less and older data than the refit, so a
        # hold-out above their mean is expected there, not a sign of a leak.
        return ""
    low, high = results.holdout_interval
    maximize = results.metric.direction == "maximize"
    outside = (maximize and results.validation < low) or (
        not maximize and results.validation > high
    )
    # Near a perfect score the interval is so narrow that 0.998 vs 0.9997 falls outside
    # it; a gain worth less than GAP_CAUTION of the skill is no signal.
    if outside and -holdout_drop(results) > GAP_CAUTION:
        return (
            f"it beats the {tuning_score(results.data).adjective} "
            f"{fmt_number(results.validation)} by more than its 95% interval "
            f"({fmt_number(low)}–{fmt_number(high)}) allows"
        )
    return ""


def _above_baseline(results: Results) -> str:
    """Said when the tuned model beats its simple baseline by an implausible margin."""
    base = (results.baseline or {}).get("holdout")
    if not isinstance(base, int | float):
        return ""
    gain = normalised(results, results.holdout) - normalised(results, float(base))
    if not gain >= BASELINE_JUMP:  # NaN (unknown chance score) is no signal
        return ""
    return (
        f"it is far better than the simple baseline's {fmt_number(base)}, more than tuning "
        "and a more flexible model usually buy"
    )


def _flagged(results: Results, problems_only: bool = False) -> tuple[str, ...]:
    """Columns the data-health checks found predictive on their own; with `problems_only`
    those of a warning or an error, not of a note."""
    return tuple(
        dict.fromkeys(
            c
            for f in results.findings
            if f.check in ALONE_CHECKS and (f.severity != "info" or not problems_only)
            for c in f.columns
        )
    )


def _alone(flagged: tuple[str, ...]) -> str:
    """A column predictive alone as a signal of its own, or "".

    `flagged` holds the columns of findings the vertical marks as a problem (a warning or
    an error): a credit application field above AUC 0.9 is one, while diagnosis only
    notes a strong marker (`strongest_feature`, info) because real markers can be that
    strong. A model is at least as good as such a column, so its score "holding up" says
    nothing about the other columns (Kaufman et al. 2012, "Leakage in data mining").
    """
    if not flagged:
        return ""
    return (
        f"{_listing(flagged)} alone {'predicts' if len(flagged) == 1 else 'predict'} the "
        f"outcome better than one column should (Data health: check first when "
        f"{'it is' if len(flagged) == 1 else 'they are'} recorded)"
    )


# Data-health findings of a column that predicts the outcome on its own (the verticals'
# leakage checks): the likeliest reason a hold-out score is too good.
ALONE_CHECKS = frozenset(
    {"suspiciously_predictive", "single_feature_leakage", "post_diagnosis_leakage",
     "strongest_feature"}
)  # fmt: skip


def _listing(columns: tuple[str, ...]) -> str:
    """ "'a'", "'a' and 'b'", "'a', 'b', 'c' and 2 more"."""
    names = [f"'{c}'" for c in columns[:3]]
    if len(columns) > 3:
        return f"{', '.join(names)} and {len(columns) - 3} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _its(columns: tuple[str, ...]) -> str:
    return "its" if len(columns) == 1 else "their"
