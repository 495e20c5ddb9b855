"""Render `Results` to one self-contained HTML document.

One module-level Jinja2 environment (templates ship in `tuneplate.templates`),
autoescape on for every template name we use, undefined names are errors, and
filters registered in one block. `render` is a single template call.
"""

from __future__ import annotations

import math

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from tuneplate.engine.results import Results
from tuneplate.reports import charts, drivers, formatters, scorecard, sections
from tuneplate.reports.glossary import glossary
from tuneplate.reports.health import SEVERITY, health_rows
from tuneplate.reports.view import View

env = Environment(
    loader=PackageLoader("tuneplate.templates", ""),
    # Our names end in ".html.jinja2", which the default extension list does not match.
    autoescape=select_autoescape(
        enabled_extensions=("html", "htm", "xml", "jinja2"), default_for_string=True, default=True
    ),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
env.filters.update(
    percent=formatters.fmt_percent,
    money=formatters.fmt_money,
    count=formatters.fmt_count,
    number=formatters.fmt_number,
    duration=formatters.fmt_duration,
    param=formatters.fmt_param,
    text=formatters.fmt_text,
    label=formatters.fmt_label,
    cell=formatters.fmt_cell,
)
env.globals.update(
    columns=sections.table_columns,
    rows=sections.table_rows,
    numeric_kinds=formatters.NUMERIC_KINDS,
    SEVERITY=SEVERITY,
)


def render(results: Results) -> str:
    """The HTML report for `results`, as one string with CSS and charts inline.

    Example:
        >>> html = render(Results.load("tuneplate-runs/credit-risk"))
        >>> html.startswith("<!DOCTYPE html>")
        True
    """
    view = View.of(results)  # worked out once, shared by every section
    # Markup, not autoescaped: the SVG is our own matplotlib output, which escapes its text.
    first = view.first  # the recommended model's figures (the baseline's when it is)
    svgs = {name: svg and Markup(svg) for name, svg in charts.charts(results, first).items()}
    context = {
        "r": results,
        "first": first,  # the recommended model's figures (`View.first`)
        "verdict": view.verdict,
        "charts": svgs,
        "currency": sections.currency(results),
        "cards": sections.headline_cards(results),
        "operating_point": sections.operating_point(results),
        "health": health_rows(results),
        "business_tables": sections.business_tables(results),
        "group_tables": list(view.group_tables),
        "reference_rule": charts.reference_rule(first),  # the AIR's benchmark, as marked
        "appendix_tables": sections.appendix_tables(first),
        "decision_caption": sections.decision_curve_caption(first),
        "assumptions": sections.assumption_rows(results),
        "metrics": sections.metric_rows(results),
        "best_params": sections.best_params(results),
        "monotone": sections.monotone(results),
        "drivers": drivers.section(results),  # of the model the report recommends
        "scorecard": scorecard.section(results),  # a WoE scorecard's IV and points
        "best_trials": sections.best_trials(results),
        "families": sections.families(results),
        "monitoring": sections.monitoring(first, list(view.group_tables)),
        "data_facts": sections.data_facts(results),
        "tuning_facts": sections.tuning_facts(results),
        "reproducibility": sections.reproducibility(results),
        "findings": sections.findings(results),
        "fit_diagnosis": sections.fit_diagnosis(results),
        "scored": formatters.tuning_score(results.data),  # its words: "cross-validated", …
        # the cross-validation cards' lines (a kept blend's figure is on fresh folds)
        "validation_hints": sections.validation_hints(results),
        "holdout_sentence": view.holdout_sentence,
        # the recommended baseline's own hold-out and fit, when it is recommended
        "recommended_gap": view.recommended_gap,
        "recommended_fit": sections.fit_diagnosis(first) if first is not results else "",
        "recommended_scored": math.isfinite(first.validation),  # a baseline trial was run
        "calibration_sentence": sections.calibration_sentence(first),
        "calibration_caption": charts.calibration_caption(first),  # curve or bands
        "stability": sections.stability_facts(results),
        "comparison": sections.comparison_rows(results),
        "comparison_sentence": sections.comparison_sentence(results),
        "intended_use": sections.intended_use(results),
        "glossary": glossary(results),
    }
    context["outline"] = sections.outline(results, context)
    return env.get_template("report.html.jinja2").render(**context)
