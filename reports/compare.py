"""Render a `Comparison` (tuneplate compare) to one self-contained HTML page."""

from __future__ import annotations

import math

import numpy as np
from markupsafe import Markup

from tuneplate.engine.compare import Comparison, StrategyRun
from tuneplate.reports import search_charts
from tuneplate.reports.formatters import fmt_duration, fmt_number, tuning_score
from tuneplate.reports.render import env


def mean_curve(runs: list[StrategyRun]) -> list[tuple[float, float]]:
    """Best-so-far averaged over seeds, from the moment every seed has a score.

    Example:
        >>> mean_curve([run_a, run_b])[0]
        (0.42, 0.781)
    """
    curves = [r.curve for r in runs if r.curve]
    if not curves:
        return []
    if len(curves) == 1:
        return list(curves[0])
    times = sorted({t for c in curves for t, _ in c})
    out = []
    for t in times:
        values = []
        for c in curves:
            seen = [v for s, v in c if s <= t]
            values.append(seen[-1] if seen else math.nan)
        if not any(math.isnan(v) for v in values):
            out.append((t, float(np.mean(values))))
    return out


def rows(comparison: Comparison) -> list[dict]:
    """One row per strategy for the results table, in the order they were asked for."""
    out = []
    for s in comparison.summary:
        own = [r for r in comparison.runs if r.strategy == s.strategy]
        families = sorted({r.model_family for r in own})
        out.append(
            {
                "strategy": s.strategy,
                "holdout": fmt_number(s.holdout),
                "validation": fmt_number(float(np.mean([r.validation for r in own]))),
                "trials": f"{s.completed:.1f}" if len(own) > 1 else f"{s.completed:.0f}",
                "stopped": sum(r.pruned for r in own),
                "time_to_best": fmt_duration(s.time_to_best_s),
                "family": ", ".join(families),
                "gap": _gap(s.behind, s.se),
                "tied": s.tied,
                "recommended": s.strategy == comparison.recommended,
            }
        )
    return out


def _gap(behind: float, se: float) -> str:
    if behind == 0:
        return "best"
    if not math.isfinite(behind):
        return "no completed trial"
    return f"{fmt_number(behind)} ± {fmt_number(se)}"


def render_comparison(comparison: Comparison) -> str:
    """The comparison page as one HTML string (CSS and the chart inline).

    Example:
        >>> render_comparison(c).startswith("<!DOCTYPE html>")
        True
    """
    curves = {
        name: mean_curve([r for r in comparison.runs if r.strategy == name])
        for name in comparison.strategies
    }
    scored = tuning_score(comparison.data)
    chart = search_charts.anytime(
        curves, comparison.metric.label, comparison.budget_s, scored.adjective
    )
    return env.get_template("compare.html.jinja2").render(
        c=comparison,
        rows=rows(comparison),
        # Markup, not autoescaped: our own matplotlib SVG, which escapes its text.
        chart=chart and Markup(chart),
        better="higher" if comparison.metric.direction == "maximize" else "lower",
        scored=scored,
    )


__all__ = ["mean_curve", "render_comparison", "rows"]
