"""Plain data for the report sections, prepared in Python so templates only lay it out.

Anything that decides (what to show, which rows, which thresholds) lives here or in
`verdict.py`; the templates loop and print. This module holds the sentences and rows of
the page's sections and their order (`outline`); the tables' selection and layout are in
`tables`, the key-value fact lists in `facts`, the monitoring triggers in `monitoring`, the
monotone constraints in `monotone`.
Their names are re-exported here, so `sections.table_columns` and the like keep working.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.results import Results, Role, TableKey
from tuneplate.reports.calibration_words import (
    hold_out_fit,
    intercept_sentence,
    slope_sentence,
)
from tuneplate.reports.facts import (  # noqa: F401  re-exported: `sections.X` still works
    GRADIENT_MODES,
    METRICS,
    MetricInfo,
    assumption_rows,
    best_params,
    currency,
    data_facts,
    metric_rows,
    reproducibility,
    stability_facts,
    tuning_facts,
)
from tuneplate.reports.figures import column
from tuneplate.reports.formatters import (
    fmt_cell,
    fmt_count,
    fmt_number,
    fmt_text,
    tuning_score,
)
from tuneplate.reports.monitoring import (  # noqa: F401  re-exported
    CALIBRATION_DRIFT,
    MONITOR_DROP,
    PSI_MAJOR,
    monitoring,
    monitoring_trigger,
)
from tuneplate.reports.monotone import monotone  # noqa: F401  re-exported
from tuneplate.reports.skill import chance_score
from tuneplate.reports.tables import (  # noqa: F401  re-exported
    APPENDIX_TABLES,
    BEST_TRIALS,
    RELIABILITY_TABLES,
    appendix_tables,
    best_trials,
    business_tables,
    families,
    group_tables,
    is_group_table,
    shown,
    table_columns,
    table_rows,
)
from tuneplate.reports.verdict import difference_text, kept_sentence, versus_sentence

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def findings(results: Results) -> list[Finding]:
    """Data-check findings, errors first.

    Example:
        >>> [f.severity for f in findings(results)]
        ['error', 'warning', 'info']
    """
    return sorted(
        results.findings, key=lambda f: SEVERITY_ORDER.get(f.severity, len(SEVERITY_ORDER))
    )


def decision_curve_caption(results: Results) -> str:
    """One sentence on where the model beats treating everyone and treating no one.

    Reads the "decision_curve" table; empty when there is none.

    Example:
        >>> decision_curve_caption(results)
        'At every threshold probability from 1% to 50%, acting on the model does more good ...'
    """
    table = results.table(TableKey.DECISION_CURVE)
    model_col = None if table is None else column(table, Role.MODEL)
    if table is None or table.frame.empty or model_col is None:
        return ""
    frame = table.frame
    x = pd.to_numeric(frame.iloc[:, 0], errors="coerce")
    model = pd.to_numeric(frame[model_col], errors="coerce")
    rivals = [column(table, r) for r in (Role.TREAT_ALL, Role.TREAT_NONE)]
    others = [pd.to_numeric(frame[c], errors="coerce") for c in rivals if c is not None]
    best_default = pd.concat(others, axis=1).max(axis=1) if others else 0.0
    useful = (model > best_default + 1e-9).to_numpy()
    low, high = fmt_cell(x.min(), "percent"), fmt_cell(x.max(), "percent")
    if useful.all():
        return (
            f"At every threshold probability from {low} to {high}, acting on the model does "
            "more good than treating everyone or no one."
        )
    if not useful.any():
        return (
            f"At no threshold probability from {low} to {high} does acting on the model do "
            "more good than treating everyone or no one: do not use it to decide."
        )
    where = x[useful]
    worse = (model < best_default - 1e-9).to_numpy()  # below a simple policy, not level
    elsewhere = (
        "a simple policy does as well or better" if worse.any() else "a simple policy does as well"
    )
    return (
        f"Acting on the model does more good than treating everyone or no one at "
        f"{useful.sum()} of the {len(useful)} threshold probabilities shown, from "
        f"{fmt_cell(where.min(), 'percent')} to {fmt_cell(where.max(), 'percent')}; elsewhere "
        f"{elsewhere}."
    )


PERFECT = {"roc_auc": 1.0, "pr_auc": 1.0, "log_loss": 0.0, "brier": 0.0}
OVERFIT_SHARE = 0.5  # training skill exceeding cross-validated skill by half or more
UNDERFIT_SHARE = 0.1  # cross-validated skill under a tenth of the way from chance to perfect


def fit_diagnosis(results: Results) -> str:
    """Over- or underfitting, in words, from the training, cross-validated and chance scores.

    Example:
        >>> fit_diagnosis(results)
        'Training and cross-validated scores are close: no sign of over- or underfitting.'
    """
    name = results.metric.name
    scored = tuning_score(results.data).adjective
    chance = chance_score(name, float(results.data.get("positive_share", math.nan)))
    perfect = PERFECT.get(name, math.nan)
    # Ranking metrics (NDCG@k, MAP@k, recall@k) lie in [0, 1] with no chance level that
    # means "no skill" for every catalogue, so only overfitting is judged, from 0.
    ranked = math.isnan(chance) and results.metric.direction == "maximize"
    if ranked:
        chance, perfect = 0.0, 1.0
    train, valid = results.train, results.validation
    if not all(math.isfinite(v) for v in (chance, perfect, train, valid)):
        return ""
    span = perfect - chance  # signed: the direction in which the metric improves
    valid_skill, train_skill = (valid - chance) / span, (train - chance) / span
    if valid_skill < UNDERFIT_SHARE and not ranked:
        return (
            f"{scored.capitalize()} scores are close to chance: the model may be too simple, "
            "or the features carry little signal about the outcome."
        )
    if train_skill - valid_skill > OVERFIT_SHARE * valid_skill:
        return (
            "The model fits its training rows much better than new rows: likely "
            "overfitting. Stronger regularisation or simpler models may generalise better; "
            "trust the hold-out score."
        )
    sign = "overfitting" if ranked else "over- or underfitting"
    return f"Training and {scored} scores are close: no sign of {sign}."


def validation_hints(results: Results) -> tuple[str, str]:
    """The cross-validation cards' lines: (the recommended baseline's, the tuned model's).

    A kept blend's cross-validated score is its mean over the fresh folds that chose it,
    not over the search's folds the baseline's figure comes from: the lines say so and
    give the baseline's score on those fresh folds, so the two figures are not read as a
    paired comparison they are not.

    Example:
        >>> validation_hints(results)[1]
        'Average over the 10 fresh folds that chose the blend, not the search's (the …'
    """
    same = "Its average over the same folds, its settings fixed beforehand."
    chosen = results.selection
    if chosen is None or chosen.rule != "blend" or chosen.fresh is None:
        return same, tuning_score(results.data).hint
    fresh = chosen.fresh
    base = fresh.base_score
    on_fresh = f" (the simple model: {fmt_number(base)} on them)" if base is not None else ""
    return (
        "Its average over the search's folds, its settings fixed beforehand; the tuned "
        f"blend's figure below is over {fresh.folds} other, fresh folds.",
        f"Average over the {fresh.folds} fresh folds that chose the blend, not the "
        f"search's{on_fresh}.",
    )


def comparison_rows(results: Results) -> list[tuple[str, str, str]]:
    """The tuned model beside the vertical's baseline and, when given, a previous run."""
    base = results.baseline
    recommended = " (recommended)" if base.recommended else ""
    tuned = " (recommended)" if base.decision == "better" else ""
    rows = [(f"This run: {results.model_words}{tuned}", "tuned", fmt_number(results.holdout))]
    if base.get("holdout") is not None:
        rows.append(
            (
                f"Baseline: {base['family']}{recommended}",
                base.settings,
                fmt_number(base["holdout"]),
            )
        )
    elif base.unavailable:  # the section says why, rather than vanishing
        rows.append((f"Baseline: {base.family}", base.settings, "not compared"))
    prev = results.previous or {}
    if prev.get("holdout") is not None:
        same = prev.get("fingerprint") == results.data.get("fingerprint")
        data = "same data" if same else "different data"
        rows.append(
            (f"Previous run: {prev.get('model_family', '?')}", data, fmt_number(prev["holdout"]))
        )
    return rows


def comparison_sentence(results: Results) -> str:
    """What the tuned model gained over the baseline on the hold-out, honestly worded.

    With the run's paired comparison, the decision summary's own sentence and the same
    difference and interval (`verdict.difference_text`), and how it was worked out.
    """
    if results.baseline.decision == "kept":
        return kept_sentence(results)
    if results.baseline.unavailable:
        return unavailable_sentence(results)
    if results.baseline.decision == "unjudged":
        return (
            f"{versus_sentence(results, summary=False)} The tuned model is recommended only "
            "when a paired interval of the difference is wholly in its favour; none could be "
            f"formed on {fmt_count(results.data.get('holdout_rows'))} hold-out rows, so the "
            "simpler model is."
        )
    if difference_text(results):
        return (
            f"{versus_sentence(results, summary=False)} The difference is paired: both models "
            "scored the same "
            f"{fmt_count(results.data.get('holdout_rows'))} hold-out rows, resampled together "
            "for the interval; the tuned model is recommended only when the whole interval "
            "is in its favour."
        )
    base = (results.baseline or {}).get("holdout")
    if base is None or not math.isfinite(results.holdout):
        return ""
    sign = 1 if results.metric.direction == "maximize" else -1
    gain = sign * (results.holdout - base)
    rows = results.data.get("holdout_rows")
    label = results.metric.label
    if abs(gain) < 0.005:
        return (
            f"The tuned model and the baseline score about the same {label} on the hold-out; "
            f"a difference this small can be chance on {fmt_count(rows)} rows."
        )
    better = "better" if gain > 0 else "worse"
    said = (
        f"The tuned model scores {better} than the baseline on the hold-out "
        f"({label} {fmt_number(results.holdout)} against {fmt_number(base)})"
    )
    # a row bootstrap was possible (an older file), or a ranking run (its verdict is the
    # ratio's interval over users, said elsewhere): the plain sentence
    if results.holdout_interval is not None or results.metric.name.startswith("ndcg"):
        return said + "."
    return (
        f"{said}, but no interval could be computed on {fmt_count(rows)} hold-out rows (too "
        "few, or too few patients or customers under --group), so the difference cannot "
        "be judged: the simpler model is not ruled out."
    )


def unavailable_sentence(results: Results) -> str:
    """Why the run has no baseline comparison, in one sentence ("" when it has one).

    Example:
        >>> unavailable_sentence(results)
        "No comparison with the simple L2-regularised logistic regression: it cannot honour
        the run's monotone constraints (its fitted coefficient of 'duration_in_month' is
        positive (+0.0312), against the monotone direction -1)."
    """
    base = results.baseline
    if not base.unavailable:
        return ""
    label = base.label or base.family
    return (
        f"No comparison with the simple {label}: it cannot honour the run's monotone "
        f"constraints ({base.unavailable})."
    )


def intended_use(results: Results) -> dict[str, str]:
    """What the model is for and not for: the analyst's words first, then the vertical's.

    The vertical's words come from `results.about`, copied at run time, never from the
    installed verticals: a re-render shows what the run recorded, or nothing.
    """
    return {
        "purpose": results.purpose,
        "intended": results.about.intended_use,
        "out_of_scope": results.about.out_of_scope,
    }


# ------------------------------------------------------------------ decision summary

CARD_KINDS = ("money", "percent", "count", "number", "text")
MAX_CARDS = 3


@dataclass(frozen=True)
class ShownCard:
    """One headline number for the decision summary, formatted, with its assumption."""

    label: str
    value: str
    assumption: str


def headline_cards(results: Results) -> list[ShownCard]:
    """The vertical's headline numbers in business units, each with its assumption.

    Reads `headline.cards` (`Card` records the vertical fills, so `results.json`
    carries them); a card's `format` is a table-cell kind. Cards without a label were
    dropped when the headline was read; at most three are shown.

    Example:
        >>> headline_cards(results)[0]
        ShownCard(label='Profit per 1,000 applicants', value='€47,250', assumption='Margin…')
    """
    out = []
    for card in shown(results).headline.cards:  # the recommended model's
        kind = card.format if card.format in CARD_KINDS else None
        value = fmt_cell(card.value, kind, currency(results))
        out.append(ShownCard(fmt_text(card.label), value, fmt_text(card.assumption)))
    return out[:MAX_CARDS]


def operating_point(results: Results) -> str:
    """The recommended operating point in one sentence, as the vertical words it."""
    text = shown(results).headline.operating_point
    return fmt_text(text) if text else ""


# ------------------------------------------------------------------------ reliability


def holdout_sentence(results: Results) -> str:
    """Validation vs untouched hold-out, in words (the same words the verdict uses).

    A render reads it from its `View` (worked out once); this is for a lone caller.
    """
    from tuneplate.reports.skill import holdout_drop
    from tuneplate.reports.verdict import _gap_reason

    return _gap_reason(results, holdout_drop(results))[1]


def calibration_sentence(results: Results) -> str:
    """Calibration slope and intercept in words, when the vertical measured them, then
    which calibration the run applied (`--calibrate`) and, without one, whether the
    hold-out says the probabilities need it."""
    words = _applied_calibration(results)
    slope = results.holdout_metrics.get("calibration_slope")
    if not isinstance(slope, int | float) or not math.isfinite(slope):
        return words
    # The conclusion follows the interval, never the point (`calibration_words`).
    fit = hold_out_fit(results)
    if fit is None:
        return " ".join(filter(None, (slope_sentence(slope, None), words)))
    return " ".join(
        filter(
            None,
            (
                slope_sentence(fit.slope, fit.slope_interval),
                intercept_sentence(fit.intercept, fit.intercept_interval),
                words,
            ),
        )
    )


def _interval_words(value, interval, ideal: int) -> str:
    low, high = interval
    sign = "+" if ideal == 0 else ""  # a log-odds shift is signed; a slope is a factor
    return f"{value:{sign}.2f} (95% interval {low:{sign}.2f} to {high:{sign}.2f}; {ideal} is ideal)"


def _applied_calibration(results: Results) -> str:
    """The run's `--calibrate` and the hold-out's calibration-in-the-large and slope, in
    words, of the model the report recommends ("" for runs that predate them)."""
    c = results.data.get("calibration")
    if isinstance(c, dict) and results.baseline.recommended:
        c = c.get("baseline")  # the figures of the baseline the run keeps
    if not isinstance(c, dict):
        return ""
    intercept, slope = c.get("intercept"), c.get("slope")
    (i_low, i_high), (s_low, s_high) = c.get("intercept_interval"), c.get("slope_interval")
    settled = None not in (intercept, slope, i_low, i_high, s_low, s_high)
    figures = (
        f"calibration-in-the-large {_interval_words(intercept, (i_low, i_high), 0)}, "
        f"slope {_interval_words(slope, (s_low, s_high), 1)}"
        if settled
        else ""
    )
    if c.get("method", "none") != "none":
        held = f" On the hold-out, {figures}." if figures else ""
        return f"The probabilities are recalibrated: {c.get('applied')}.{held}"
    off = settled and (i_low > 0 or i_high < 0 or s_low > 1 or s_high < 1)
    if not off:
        # intervals that include the ideal are no evidence of a need, nor proof of none
        held = (
            f"; on the hold-out, {figures}: both intervals include the ideal, so no evidence "
            "that they need it"
            if figures
            else ""
        )
        return f"The probabilities are the model's own (no recalibration){held}."
    return (
        f"The probabilities are the model's own (no recalibration), and on the hold-out "
        f"they look miscalibrated: {figures}. To use them as rates, re-run with "
        "--calibrate platt (fitted on the out-of-fold development predictions, never the "
        "hold-out)."
    )


# ------------------------------------------------------------------------------ appendix


def tuned_parameters(results: Results) -> list[str]:
    """Names of the hyperparameters the search varied (from the trials table)."""
    trials = results.trials
    if trials is None:
        return []
    names = [str(c)[len("params_") :] for c in trials.columns if str(c).startswith("params_")]
    varied = []
    for name in names:
        values = trials[f"params_{name}"].dropna()
        if values.nunique() > 1:
            varied.append(name)
    return varied


# ----------------------------------------------------------------------------- outline


@dataclass(frozen=True)
class Part:
    """A report section that has something to show: its anchor, title and template."""

    id: str
    title: str
    template: str


def outline(results: Results, context: dict[str, Any]) -> list[Part]:
    """The sections of this report in the fixed reading order; empty ones left out.

    The same list drives the table of contents and the page, so they always match.
    Presence follows what `results` holds, never the vertical's name.

    Example:
        >>> [p.id for p in outline(results, context)]
        ['verdict', 'purpose', 'data-health', 'performance', 'reliability', 'fairness', ...]
    """
    charts = context["charts"]
    use = context["intended_use"]
    present = {
        "verdict": True,
        "purpose": bool(use["purpose"] or use["intended"] or use["out_of_scope"]),
        "data-health": True,
        "performance": bool(
            context["business_tables"]
            or context["metrics"]
            or charts.get("approval")
            or charts.get("decision_curve")
        ),
        "reliability": bool(
            math.isfinite(results.holdout)
            or math.isfinite(results.validation)
            or results.table(TableKey.CALIBRATION) is not None
            or context["stability"]
            or context["best_trials"] is not None
        ),
        "drivers": bool(context["drivers"]),
        "fairness": bool(context["group_tables"]),
        "baseline": len(context["comparison"]) > 1,
        "scorecard": bool(context.get("scorecard")),
        "limits": True,
        "appendix": True,
        "glossary": bool(context["glossary"]),
    }
    return [Part(pid, title, template) for pid, title, template in PARTS if present[pid]]


PARTS = (
    ("verdict", "Decision summary", "sections/verdict.html.jinja2"),
    ("purpose", "What the model is for", "sections/purpose.html.jinja2"),
    ("data-health", "Data health", "sections/data_health.html.jinja2"),
    ("performance", "Performance in business terms", "sections/performance.html.jinja2"),
    ("reliability", "Reliability", "sections/reliability.html.jinja2"),
    ("drivers", "What drives the predictions", "sections/drivers.html.jinja2"),
    ("fairness", "Fairness and subgroups", "sections/fairness.html.jinja2"),
    ("baseline", "Baseline vs challenger", "sections/baseline.html.jinja2"),
    ("scorecard", "The scorecard", "sections/scorecard.html.jinja2"),
    ("limits", "Limitations and monitoring", "sections/limits.html.jinja2"),
    ("appendix", "Appendix for analysts", "sections/appendix.html.jinja2"),
    ("glossary", "Glossary", "sections/glossary.html.jinja2"),
)
