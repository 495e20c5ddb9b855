"""The plain-words verdict at the top of the report, decided here and not in a template.

The thresholds are template choices, stated so a reviewer can challenge them:
losing more than 10% of the tuning score's skill over a chance model on the
hold-out is a caution and more than 25% a stop; thin hold-outs, thin searches and
data warnings are cautions too, and so is a hold-out calibration whose 95% interval
excludes its ideal (slope 1, calibration-in-the-large 0). A hold-out score too good to be
true (at a ceiling such as ROC AUC 0.99, far above cross-validation or far above the
simple baseline, or earned beside a column the data checks flagged as predictive alone) is
never said to have "held up": it leads the verdict as suspicious, a caution for one signal
and a stop for two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from tuneplate.engine.contract.intervals import MIN_OUTCOMES, rarer_outcome
from tuneplate.engine.results import Results, Role, TableKey
from tuneplate.reports.calibration_words import calibration_caution
from tuneplate.reports.fairness_charts import benchmark
from tuneplate.reports.figures import column
from tuneplate.reports.formatters import fmt_count, fmt_label, fmt_number, signed
from tuneplate.reports.skill import GAP_CAUTION, GAP_STOP, holdout_drop, interval_text
from tuneplate.reports.suspicion import suspicion
from tuneplate.reports.tables import shown

Level = Literal["good", "caution", "stop"]
TITLES = {"good": "Ready for review", "caution": "Use with caution", "stop": "Not ready"}

WARNINGS_CAUTION = 3  # this many data warnings together need a second look
CHECKS_NAMED = 3  # the verdict names at most this many checks; Data health lists them all
MIN_HOLDOUT_ROWS = 100  # below this the hold-out score moves by several points by chance
MIN_TRIALS = 10  # fewer completed trials than this is barely a search
FOUR_FIFTHS = 0.8  # adverse impact ratio flag (employment-law rule of thumb)
WHY_SENTENCES = 2  # the verdict's "why" on the first screen: one or two sentences


@dataclass(frozen=True)
class Verdict:
    """The report's first word: a level, its title and the reasons behind it.

    `reasons` lists every finding behind the level, the ones that set it first; `why`
    is the one or two of them that set it, for the first lines of the report.
    `summary` carries the vertical's own plain sentences, shown under the reasons.

    Example:
        >>> Verdict("caution", "Use with caution", ["2 data warnings need a look."])
    """

    level: Level
    title: str
    reasons: list[str]
    summary: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    lead: str = ""  # replaces the level's usual first sentence when set
    suspicious: bool = False  # the hold-out score is too good to take on trust
    # The tuned model against the simple baseline, in one sentence: the lead when the
    # baseline is recommended, else shown under the reasons ("" when not compared).
    versus: str = ""
    recommended: str = "tuned"  # "tuned" or "baseline": whose figures the first screen shows


def _chance(results: Results) -> str:
    """Said when the tuning score lies inside the hold-out's interval: the gap may be noise."""
    if not results.holdout_interval:
        return ""
    low, high = results.holdout_interval
    if not low <= results.validation <= high:
        return ""
    rows = fmt_count(results.data.get("holdout_rows"))
    return f"; the tuning score lies inside that interval, so on {rows} rows the gap may be chance"


def _signed(value: float) -> str:
    """A difference with its sign: "+0.006", "−0.048" (a true minus), "0.000".

    Three decimals always, as the scores it separates: a difference of 0.000357 beside
    an interval of ±0.03 read "+0.000357", a precision the interval does not have.
    """
    text = (
        f"{abs(value):.3f}"
        if math.isfinite(value) and abs(value) < 1000
        else fmt_number(abs(value))
    )
    return text if text.strip("0.") == "" else ("+" if value > 0 else "\u2212") + text


def recommends_baseline(results: Results) -> bool:
    """True when the run's paired comparison did not show the tuned model better."""
    return results.baseline.recommended


def difference_text(results: Results) -> str:
    """The paired difference and its interval, formatted once for every place that shows it,
    e.g. "difference −0.021, 95% interval −0.048 to +0.006"; "" when not compared.

    Example:
        >>> difference_text(results)
        'difference −0.021, 95% interval −0.048 to +0.006'
    """
    base = results.baseline
    favour = "" if results.metric.direction == "maximize" else " in the tuned model's favour"
    if base.decision == "unjudged" and base.difference is not None:
        return (
            f"difference{favour} {_signed(base.difference)}, no interval: too few hold-out "
            "rows, or patients or customers under --group, to judge it"
        )
    if not base.decision or base.difference is None or base.interval is None:
        return ""
    low, high = base.interval
    return (
        f"difference{favour} {_signed(base.difference)}, 95% interval {_signed(low)} to "
        f"{_signed(high)}"
    )


def _scores(results: Results) -> str:
    """ "ROC AUC 0.754 vs 0.775": the tuned model's hold-out score, then the baseline's,
    with the baseline's 95% interval when the run recorded it (it is recommended)."""
    lower = "" if results.metric.direction == "maximize" else ", lower is better"
    base = results.baseline
    own = ""
    if base.holdout_interval is not None:
        low, high = base.holdout_interval
        own = f" (95% interval {fmt_number(low)}–{fmt_number(high)})"
    return (
        f"{results.metric.label} {fmt_number(results.holdout)} vs "
        f"{fmt_number(base.holdout)}{own}{lower}"
    )


def versus_sentence(results: Results, summary: bool = True) -> str:
    """The tuned model against the simple baseline on the hold-out, in one sentence, or ""
    when the run recorded no paired comparison (results.json written before it).

    Example:
        >>> versus_sentence(results)
        'The tuned LightGBM gradient-boosted trees model does not beat the simple …'

    `summary`: worded for the decision summary ("the figures below are for it"); False
    for the baseline section, whose table shows both models.
    """
    base, difference = results.baseline, difference_text(results)
    if base.decision == "kept":
        return kept_sentence(results)
    if not difference:
        return ""
    tuned = base.tuned_label or results.model_family
    same_family = base.family == results.model_family
    simple = "the same model at its default settings" if same_family else f"the simple {base.label}"
    if base.decision == "better":  # the whole interval is above 0: no signs needed
        low, high = base.interval or (0.0, 0.0)
        return (
            f"The tuned {tuned} model beats {simple} by {fmt_number(base.difference)} "
            f"{results.metric.label} on rows it never saw (95% interval {fmt_number(low)} to "
            f"{fmt_number(high)}; {_scores(results)})."
        )
    verb = {"worse": "does worse than", "unjudged": "is not shown to beat"}.get(
        base.decision, "does not beat"
    )
    use = "use the default settings" if same_family else "use the simple model"
    return (
        f"The tuned {tuned} model {verb} {simple} on rows it never saw ({_scores(results)}; "
        f"{difference}): {use}" + ("; the figures below are for it." if summary else ".")
    )


def kept_sentence(results: Results) -> str:
    """Said when the search kept the simple model's default settings (the one-SE rule).

    Example:
        >>> kept_sentence(results)
        'No setting the search tried beat the default settings of the L2-regularised …'
    """
    chosen = results.selection
    gain = ""
    if chosen is not None and chosen.fresh is not None:  # decided on fresh folds
        f = chosen.fresh
        return (
            f"Neither the search's best setting (trial #{chosen.best}) nor its blend with "
            f"the {results.baseline.label} beat that model's default settings by more than "
            f"one standard error on {f.folds} fresh validation folds the search never used "
            f"(differences {signed(f.best, 4)} and {signed(f.blend, 4)} {results.metric.label}, "
            f"standard errors {f.best_se:.4f} and {f.blend_se:.4f}), so the model keeps them: "
            "the tuned model is the simple one."
        )
    if chosen is not None and chosen.difference is not None and chosen.se is not None:
        # Four decimals: fold differences are small, and "1.25e-05" is no reader's number.
        # The best trial is never worse on the folds' mean, so "better by" needs no sign.
        gain = (
            f" (its best, trial #{chosen.best}, was better by {abs(chosen.difference):.4f} "
            f"{results.metric.label}, with one standard error of {chosen.se:.4f})"
        )
    return (
        f"No setting the search tried beat the default settings of the "
        f"{results.baseline.label} by more than one standard error on the validation "
        f"folds{gain}, so the model keeps them: the tuned model is the simple one."
    )


BASELINE_TAIL = {
    "caution": "Read the points below before it goes to review.",
    "stop": "Do not use either model yet: fix the points below and run the tuning again.",
}


def _blend_figure(results: Results) -> bool:
    """True when `results.validation` is a kept blend's mean on the fresh folds; not when
    the figures are the recommended baseline's (`tables.shown`), whose tuning score is
    its own trial's over the search's folds, though the selection still says "blend"."""
    chosen = results.selection
    fresh = chosen.fresh if chosen is not None and chosen.rule == "blend" else None
    return fresh is not None and results.validation == fresh.blend_score


def _gap_reason(results: Results, drop: float) -> tuple[Level, str]:
    if (doubt := suspicion(results)) is not None:
        return doubt.level, doubt.text()
    scores = (
        f"{results.metric.label} {fmt_number(results.holdout)}{interval_text(results)} on the "
        f"hold-out against {fmt_number(results.validation)} during tuning"
        + (" (the blend's mean on the fresh folds that chose it)" if _blend_figure(results) else "")
    )
    if math.isnan(drop):
        return "caution", "There is no hold-out score, so the model was never tested on new rows."
    if drop > GAP_STOP and (chance := _chance(results)):
        # a gap the hold-out's own interval spans is no evidence of one: a caution, not
        # "do not use" (71 hold-out rows with 2 events: 0.183, interval 0.044-0.394)
        return "caution", f"The model did worse on rows it never saw: {scores}{chance}."
    if drop > GAP_STOP:
        return "stop", f"The model did much worse on rows it never saw: {scores}."
    if drop > GAP_CAUTION:
        return "caution", f"The model did worse on rows it never saw: {scores}{_chance(results)}."
    return "good", f"The model held up on rows it never saw: {scores}."


def _low_air_groups(results: Results) -> int:
    """Groups under four-fifths in the recommended model's fairness table (`shown`).

    The first screen describes the model the report recommends: counting the tuned
    model's groups when the baseline is recommended put "3 groups" beside a chart of the
    baseline's 2 (German credit, scorecard recommended).

    Example:
        >>> _low_air_groups(results)  # the baseline's table when it is recommended
        2
    """
    table = shown(results).table(TableKey.FAIRNESS)
    air_col = None if table is None else column(table, Role.ADVERSE_IMPACT)
    if air_col is None:
        return 0
    air = pd.to_numeric(table.frame[air_col], errors="coerce")
    return int((air < FOUR_FIFTHS).sum())


def verdict(results: Results, gap: tuple[Level, str] | None = None) -> Verdict:
    """Decide "good" / "caution" / "stop" from the findings, the hold-out gap and the search.

    `gap`: the hold-out finding when the caller worked it out already (a render's `View`).

    Example:
        >>> verdict(results).title
        'Use with caution'
    """
    found: list[tuple[Level, str]] = []
    n_errors = sum(f.severity == "error" for f in results.findings)
    n_warnings = sum(f.severity == "warning" for f in results.findings)
    # The findings' own words (`health.SEVERITY`), as in the data-health table.
    if n_errors:
        found.append(
            ("stop", f"The data checks found {_things(n_errors, 'problem')} to fix (“Must fix”).")
        )
    if n_warnings:
        level: Level = "caution" if n_warnings >= WARNINGS_CAUTION else "good"
        found.append((level, _checks_sentence(results)))
    elif not n_errors:
        found.append(("good", "The data checks found no problems."))
    gap_level, gap_text = gap or _gap_reason(results, holdout_drop(results))
    found.append((gap_level, gap_text))

    rows = results.data.get("holdout_rows")
    if isinstance(rows, int | float) and rows < MIN_HOLDOUT_ROWS:
        unit = results.data.get("holdout_unit", "rows")
        text = f"The hold-out has only {fmt_count(rows)} {unit}, so its score is rough."
        found.append(("caution", text))
    events = results.data.get("holdout_events")  # binary runs since it was recorded
    if isinstance(events, int) and isinstance(rows, int | float):
        fewest, kind = rarer_outcome(events, int(rows))
        if fewest < MIN_OUTCOMES:
            held = _things(fewest, kind)
            text = f"The hold-out holds only {held}, so its figures rest on a handful of cases."
            found.append(("caution", text))
    completed = results.counts.get("completed", 0)
    if results.data.get("search_converged"):
        tried = _things(completed, "setting")
        found.append(("good", f"The gradient search converged after {tried}."))
    elif completed < MIN_TRIALS:
        tried = _things(completed, "setting", "was", "were")
        found.append(("caution", f"Only {tried} tried; a longer search may do better."))
    if low_air := _low_air_groups(results):
        groups = _things(low_air, "group", "gets", "get")
        where = benchmark(shown(results))  # the rule beside the count, as the chart says it
        text = f"{groups} favourable decisions at under four-fifths of {where}."
        found.append(("caution", text))

    if miscalibrated := calibration_caution(results):
        found.append(("caution", miscalibrated))

    # the vertical's own concerns, e.g. a ranker not clearly better than its baseline,
    # about the recommended model (the baseline's evaluation when it is recommended)
    found += [(lvl, str(text)) for lvl, text in shown(results).headline.concerns]

    rank = {"good": 0, "caution": 1, "stop": 2}
    level = max((lvl for lvl, _ in found), key=rank.__getitem__)
    recommended = "baseline" if recommends_baseline(results) else "tuned"
    if recommended == "baseline" and level == "good":
        level = "caution"  # the tuned model lost to the simple one: never "ready"
    # Reasons that set the level come first; reassurance follows.
    reasons = [text for lvl, text in sorted(found, key=lambda f: -rank[f[0]])]
    # The one or two reasons that set the level; when all is well, the hold-out result leads.
    why = [text for lvl, text in found if lvl == level]
    if level == "good" and gap_text in why:
        why = [gap_text, *(t for t in why if t != gap_text)]
    lead = ""
    doubt = suspicion(results) is not None
    if doubt:
        # A too-good score leads whatever else was found: it undermines every other figure.
        # It is several sentences already, so it is the whole "why"; the rest follows below.
        reasons = [gap_text, *(t for t in reasons if t != gap_text)]
        why = [gap_text]
        if level != "stop":
            lead = "The hold-out score below needs explaining first."
    why = why[:WHY_SENTENCES]
    summary = list(shown(results).headline.summary)  # the recommended model's words
    versus = versus_sentence(results)
    if recommended == "baseline":
        # The comparison leads: the rest of the first screen describes the simple model,
        # so the hold-out finding (about the tuned one) names whose score it is.
        lead = f"{versus} {lead or BASELINE_TAIL[level]}"
        if gap_text.startswith("The model "):
            tuned_gap = "The tuned model " + gap_text[len("The model ") :]
            reasons = [tuned_gap if t == gap_text else t for t in reasons]
            why = [tuned_gap if t == gap_text else t for t in why]
    return Verdict(level, TITLES[level], reasons, summary, why, lead, doubt, versus, recommended)


def _checks_sentence(results: Results) -> str:
    """The data checks marked "Check", named by check, e.g. "2 data checks need a look
    (missing values, high cardinality): see Data health." Check names, never values."""
    checks = list(dict.fromkeys(f.check for f in results.findings if f.severity == "warning"))
    n = sum(f.severity == "warning" for f in results.findings)
    names = [fmt_label(c).lower() for c in checks[:CHECKS_NAMED]]
    more = len(checks) - len(names)
    listed = ", ".join(names) + (f" and {_things(more, 'other')}" if more else "")
    head = "One data check needs" if n == 1 else f"{fmt_count(n)} data checks need"
    return f"{head} a look ({listed}): see Data health."


def _things(n: int, word: str, one: str = "", many: str = "") -> str:
    """A count, its noun and an agreeing verb when given: "1 setting was", "3 settings were"."""
    text = f"{fmt_count(n)} {word}" + ("" if n == 1 else "s")
    verb = one if n == 1 else many
    return f"{text} {verb}" if verb else text
