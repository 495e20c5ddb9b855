"""`report.json`: what the report concludes, as plain data beside `results.json`.

Everything else the report prints is in `results.json` (scores, tables, headline cards,
assumptions, trials); this file holds what the report layer derives from them: the
verdict, the monitoring triggers and each chart's conclusion. The engine never writes
it (it does not import the report layer); the CLI writes it with the HTML report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tuneplate.engine.results import Results, jsonable
from tuneplate.reports import charts, parameter_charts
from tuneplate.reports.monitoring import PSI_MAJOR
from tuneplate.reports.view import View

SUMMARY_FILE = "report.json"


def summary(view: View) -> dict[str, Any]:
    """The report's conclusions for one run.

    Example:
        >>> summary(View.of(results))["verdict"]["level"]
        'caution'
    """
    results, first, v = view.results, view.first, view.verdict
    titles = {
        "approval": charts.approval_title(first),
        "decision_curve": charts.decision_curve_title(first),
        "frequencies": charts.frequencies_title(first),
        "air": charts.fairness_title(first),
        "calibration": charts.calibration_title(first),
        "history": charts.history_title(results),
        "importance": charts.importance_title(results)
        if len(results.importance or {}) >= 2
        else "",
        "parallel": parameter_charts.parameters_title(results) if len(view.tuned) >= 2 else "",
        "slice": parameter_charts.slice_title(results),
    }
    return {
        "verdict": {
            "level": v.level,
            "title": v.title,
            "lead": v.lead,
            "why": v.why,
            "reasons": v.reasons,
        },
        "recommendation": recommendation(view),
        "holdout_skill_lost": view.skill_lost,
        "monitoring": {
            "metric": results.metric.name,
            "review_when": "below" if results.metric.direction == "maximize" else "above",
            "trigger": view.trigger,
            "psi_trigger": PSI_MAJOR,
        },
        "charts": {name: title for name, title in titles.items() if title},
    }


def recommendation(view: View) -> dict[str, Any]:
    """Which model the report recommends, against the simple baseline, with the paired
    difference (tuned − baseline, positive = tuned better) and its 95% interval as the
    run recorded them; `decision` "" when the run recorded no comparison.

    Example:
        >>> recommendation(View.of(results))["recommended"]
        'baseline'
    """
    results, base = view.results, view.results.baseline
    return {
        "recommended": view.recommended,
        "decision": base.decision,
        "metric": results.metric.name,
        "tuned": {"family": results.model_family, "holdout": results.holdout},
        "baseline": {"family": base.family, "holdout": base.holdout} if base else None,
        "difference": base.difference,
        "interval": list(base.interval) if base.interval else None,
        "sentence": view.verdict.versus,
    }


def save_summary(results: Results, folder: str | Path) -> Path:
    """Write `report.json` into `folder` (the run folder, beside `results.json`).

    Example:
        >>> save_summary(results, "tuneplate-runs/credit-risk")
        PosixPath('tuneplate-runs/credit-risk/report.json')
    """
    path = Path(folder) / SUMMARY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(jsonable(summary(View.of(results))), indent=2, allow_nan=False)
    path.write_text(text + "\n")
    return path
