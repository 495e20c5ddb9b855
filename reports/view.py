"""`View`: what one render works out from `Results`, once, for every section to share.

Sections, the verdict box, the summary in `report.json` and the glossary all read the
verdict, the hold-out gap and the group tables; building them once per render keeps
the page consistent with itself and avoids re-deriving them section by section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tuneplate.engine.results import Results, Table
from tuneplate.reports import sections
from tuneplate.reports.formatters import fmt_number
from tuneplate.reports.skill import holdout_drop, interval_text
from tuneplate.reports.verdict import Level, Verdict, _gap_reason, verdict


@dataclass(frozen=True)
class View:
    """One render's derived figures.

    Example:
        >>> view = View.of(Results.load("tuneplate-runs/credit-risk", model=False))
        >>> view.verdict.level, view.holdout_sentence[:30]
        ('caution', 'The model did worse on rows it')
    """

    results: Results
    verdict: Verdict
    holdout_drop: float  # share of the tuning skill lost on the hold-out (NaN: unknown)
    gap: tuple[Level, str]  # the hold-out finding: its level and sentence
    trigger: float | None  # the live score that should send the model back for review
    group_tables: tuple[Table, ...]
    tuned: tuple[str, ...]  # hyperparameters the search varied
    # "tuned", or "baseline" when the tuned model did not clearly beat the simple one
    # (`Results.baseline.decision`); `shown` is `results` with the recommended model's
    # headline, tables and hold-out metrics, for the first screen and business figures.
    recommended: str = "tuned"
    shown: Results | None = None

    @property
    def first(self) -> Results:
        """The results whose figures the first screen shows (the recommended model's)."""
        return self.shown if self.shown is not None else self.results

    @property
    def holdout_sentence(self) -> str:
        return self.gap[1]

    @property
    def recommended_gap(self) -> str:
        """The hold-out sentence of the recommended baseline, in its own figures ("" when
        the tuned model is recommended): its hold-out score against its own fold score."""
        first = self.first
        if first is self.results:
            return ""
        if not math.isfinite(first.validation):  # no baseline trial: a one-family search
            return (
                f"{first.metric.label} {fmt_number(first.holdout)}{interval_text(first)} on "
                "the hold-out. The search did not score it on the folds (it tuned one model "
                "family alone), so there is no tuning score to compare with."
            )
        return _gap_reason(first, holdout_drop(first))[1]

    @classmethod
    def of(cls, results: Results) -> View:
        drop = holdout_drop(results)
        gap = _gap_reason(results, drop)
        decided = verdict(results, gap=gap)
        shown = sections.shown(results)  # model-output figures are the recommended model's
        return cls(
            results=results,
            verdict=decided,
            holdout_drop=drop,
            gap=gap,
            trigger=sections.monitoring_trigger(shown),
            group_tables=tuple(sections.group_tables(shown)),
            tuned=tuple(sections.tuned_parameters(results)),
            recommended=decided.recommended,
            shown=shown,
        )

    @property
    def skill_lost(self) -> float | None:
        return self.holdout_drop if math.isfinite(self.holdout_drop) else None
