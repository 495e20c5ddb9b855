"""Golden reports: the whole page for a small, fixed, hand-built `Results` per vertical.

Any change to the rendered HTML shows up here as a diff to review. When the change is
intended, refresh the files and commit them with it:

    TUNEPLATE_REFRESH_GOLDEN=1 python -m pytest tests/reports/test_golden.py

Before comparing, volatile bits are replaced by placeholders: chart SVGs (matplotlib
output, covered by test_charts.py), library versions, timings and dates. A vertical
without a hand-built `Results` below gets a generic one (its own title and objective,
one calibration table), so a new vertical is covered as soon as it is registered.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_outline import ALWAYS, ORDER

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.results import Metric, Results, Table
from tuneplate.reports import render
from tuneplate.verticals import VERTICALS

GOLDEN = Path(__file__).parent / "golden"
REFRESH = "TUNEPLATE_REFRESH_GOLDEN"
COMMAND = f"{REFRESH}=1 python -m pytest tests/reports/test_golden.py"
VERSIONS = {"tuneplate": "0.1.0", "optuna": "5.0.0", "scikit-learn": "1.6.1"}

# (pattern, replacement), applied in order.
VOLATILE = (
    (re.compile(r"<svg\b.*?</svg>", re.S), "<svg><!-- chart --></svg>"),
    (
        re.compile(
            r'(<th scope="row">(?:Library versions|Search time|Total run time)</th><td>)'
            r"[^<]*(</td>)"
        ),
        r"\1[volatile]\2",
    ),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"), "[date]"),
    (re.compile(r"(?<![\d.])\d+\.\d+\.\d+(?:[-+.]?[a-z0-9]+)*"), "[version]"),
)


def normalise(html: str) -> str:
    for pattern, replacement in VOLATILE:
        html = pattern.sub(replacement, html)
    return html


def _trials(values: list[float], direction: str) -> pd.DataFrame:
    """Completed trials with the given scores, then one pruned and one failed trial."""
    n = len(values) + 2
    value = np.array([*values, np.nan, np.nan])
    gap = 0.05 if direction == "maximize" else -0.02
    return pd.DataFrame(
        {
            "number": np.arange(n),
            "state": ["COMPLETE"] * len(values) + ["PRUNED", "FAIL"],
            "value": value,
            "train": value + gap,
            "duration_s": np.linspace(0.5, 2.0, n),
            "params_C": np.geomspace(0.01, 10.0, n),
        }
    )


def _credit_risk(make_results) -> Results:
    """The shared fixture's credit-risk run, with a short trial table."""
    return make_results(
        model_family="logistic",
        best_params={"C": 0.316, "class_weight": "balanced"},
        trials=_trials([0.74, 0.77, 0.79, 0.76], "maximize"),
        counts={"completed": 4, "pruned": 1, "failed": 1},
        config={"seed": 0, "strategy": "bayes", "n_trials": 6, "timeout": None, "exclude": ()},
        versions=dict(VERSIONS),
    )


def _diagnosis(make_results) -> Results:
    percent, count, number = "percent", "count", "number"
    operating = pd.DataFrame(
        {
            "Measure": [
                "Sensitivity (cases flagged)",
                "Specificity (others cleared)",
                "PPV (flagged who have it)",
                "NPV (cleared who do not)",
            ],
            "Value": [0.95, 0.94, 0.91, 0.97],
            "Prevalence used": ["none (does not depend on it)"] * 2
            + ["37.3% prevalence (the sample's own)"] * 2,
        }
    )
    per_1000 = pd.DataFrame(
        {
            "Outcome": ["Cases caught", "Cases missed", "False alarms", "Correctly reassured"],
            "Per 1,000 patients": [355, 18, 35, 592],
            "Hold-out patients": [40, 2, 4, 68],
        }
    )
    curve = pd.DataFrame(
        {
            "Threshold probability": [0.01, 0.05, 0.1, 0.25, 0.5],
            "Model": [0.37, 0.36, 0.34, 0.3, 0.22],
            "Treat all": [0.366, 0.34, 0.30, 0.16, -0.25],
            "Treat none": [0.0] * 5,
        }
    )
    calibration = pd.DataFrame(
        {
            "Risk band": ["1 of 3", "2 of 3", "3 of 3"],
            "Patients": [38, 38, 38],
            "Mean predicted risk": [0.01, 0.15, 0.97],
            "Observed rate": [0.0, 0.11, 1.0],
        }
    )
    subgroups = pd.DataFrame(
        {
            "Column": ["age", "age"],
            "Group": ["under 50", "50 and over"],
            "Patients": [60, 54],
            "With the condition": [18, 24],
            "AUROC": [0.99, 0.98],
            "Sensitivity": [0.94, 0.96],
            "Specificity": [0.95, 0.93],
            "Evidence": ["enough to judge"] * 2,
        }
    )
    tables = [
        Table(
            "operating_point",
            "At the operating threshold: flag a patient when the predicted risk is 37.1% or more",
            operating,
            note="The threshold was chosen on out-of-fold predictions.",
            formats={"Measure": "text", "Value": percent, "Prevalence used": "text"},
        ),
        Table(
            "per_1000",
            "Per 1,000 patients at 37.3% prevalence",
            per_1000,
            note="A missed case is taken to be 10 times as bad as a false alarm.",
            formats={"Outcome": "text", "Per 1,000 patients": count, "Hold-out patients": count},
        ),
        Table(
            "decision_curve",
            "Decision curve: net benefit by threshold probability",
            curve,
            note="Net benefit is in true positives per patient.",
            formats={
                "Threshold probability": percent,
                "Model": number,
                "Treat all": number,
                "Treat none": number,
            },
        ),
        Table(
            "calibration",
            "Predicted vs observed rate by risk band",
            calibration,
            note="Equal-sized bands.",
            formats={"Patients": count, "Mean predicted risk": percent, "Observed rate": percent},
        ),
        Table(
            "subgroups",
            "Performance by subgroup",
            subgroups,
            note="Groups under 30 patients are too small to judge.",
            formats={
                "Patients": count,
                "With the condition": count,
                "AUROC": number,
                "Sensitivity": percent,
                "Specificity": percent,
            },
        ),
    ]
    return make_results(
        vertical="diagnosis",
        vertical_title="Diagnosis",
        metric=Metric("log_loss", "Log-loss", "minimize"),
        model_family="logistic",
        best_params={"C": 0.0912},
        validation=0.145,
        holdout=0.135,
        holdout_interval=(0.1, 0.17),
        train=0.11,
        trials=_trials([0.2, 0.16, 0.145, 0.15], "minimize"),
        counts={"completed": 4, "pruned": 1, "failed": 1},
        findings=[
            Finding("prevalence", "info", "the prevalence is 37.3%", expected="between 1% and 60%")
        ],
        data={
            "rows": 569,
            "columns": 31,
            "features": 30,
            "target": "diagnosis",
            "positive": "malignant",
            "positive_share": 0.373,
            "development_rows": 455,
            "holdout_rows": 114,
            "folds": 5,
            "split": "random stratified 20% hold-out; 5-fold stratified cross-validation "
            "on the rest",
            "protected": [],
            "excluded": [],
            "fingerprint": "593268b2f4daea9c",
        },
        holdout_metrics={
            "roc_auc": 0.993,
            "pr_auc": 0.991,
            "log_loss": 0.135,
            "brier": 0.028,
            "calibration_slope": 1.19,
            "calibration_intercept": -0.4,
            "sensitivity": 0.95,
            "specificity": 0.94,
            "ppv": 0.91,
            "npv": 0.97,
        },
        tables=tables,
        assumptions={"miss_cost": 10, "prevalence": 0.373, "prevalence_source": "the sample's own"},
        headline={
            "summary": [
                "Per 1,000 patients at 37.3% prevalence: 355 cases caught, "
                "18 missed and 35 false alarms."
            ],
            "operating_point": "flag a patient for further investigation when the predicted "
            "risk is 37.1% or more.",
            "cards": [
                {
                    "label": "Cases caught per 1,000 patients",
                    "value": 355,
                    "format": "count",
                    "assumption": "At 37.3% prevalence (the sample's own).",
                },
                {
                    "label": "Cases missed per 1,000 patients",
                    "value": 18,
                    "format": "count",
                    "assumption": "A missed case counts as 10 false alarms.",
                },
                {
                    "label": "False alarms per 1,000 patients",
                    "value": 35,
                    "format": "count",
                    "assumption": "Specificity 94.0% on the hold-out.",
                },
            ],
            "threshold": 0.371,
            "prevalence": 0.373,
        },
        timings={"total_s": 8.4, "search_s": 6.1},
        config={"seed": 0, "strategy": "bayes", "n_trials": 6, "timeout": None, "exclude": ()},
        versions=dict(VERSIONS),
        baseline={
            "family": "logistic",
            "label": "L2-regularised logistic regression",
            "params": {"C": 1.0},
            "holdout": 0.141,
        },
        attribution="Breast Cancer Wisconsin (Diagnostic), Wolberg, Street and Mangasarian, "
        "1995. CC BY 4.0.",
    )


def _generic(name: str, make_results) -> Results:
    """A vertical with no hand-built `Results` yet: its title, objective and assumptions."""
    vertical = VERTICALS[name]
    objective = vertical.objective
    base = _credit_risk(make_results)
    return make_results(
        vertical=name,
        vertical_title=vertical.title,
        metric=Metric(objective.name, objective.label, objective.direction),
        trials=base.trials,
        counts=base.counts,
        config=base.config,
        versions=base.versions,
        best_params=base.best_params,
        model_family=base.model_family,
        tables=[t for t in base.tables if t.key == "calibration"],
        assumptions=dict(vertical.assumptions),
        headline={"summary": []},
        attribution="",
    )


def _recommendation(make_results) -> Results:
    """A small ranking run: fixed per-customer scores through the vertical's own evaluate."""
    from tuneplate.engine.vertical import RankingOutcome
    from tuneplate.verticals.recommendation import metrics

    rng = np.random.default_rng(5)
    users = [f"u{i}" for i in range(60)]

    def method(level: float) -> pd.DataFrame:
        ndcg = np.clip(rng.normal(level, 0.1, len(users)), 0, 1)
        hits = rng.poisson(level * 4, len(users)).astype(float)
        return pd.DataFrame(
            {
                "ndcg": ndcg,
                "precision": hits / 10,
                "recall": np.clip(hits / 5, 0, 1),
                "map": ndcg * 0.6,
                "hit_rate": (hits > 0).astype(float),
                "hits": hits,
                "revenue": hits * 24.0,
            },
            index=users,
        )

    per_user = {
        "ranker": method(0.3),
        "popularity": method(0.15),
        "recent_popularity": method(0.28),
        "cooccurrence": method(0.2),
    }
    outcome = RankingOutcome(
        k=10,
        per_user=per_user,
        coverage={
            "ranker": 0.21,
            "popularity": 0.01,
            "recent_popularity": 0.01,
            "cooccurrence": 0.3,
        },
        candidate_recall=0.62,
        catalogue=800,
        assumptions={**metrics.ASSUMPTIONS, "split": "temporal: hold-out from [date]"},
        seed=0,
        priced=True,
    )
    evaluated = metrics.evaluate(outcome)
    base = _credit_risk(make_results)
    return make_results(
        vertical="recommendation",
        vertical_title="Customer-behaviour recommendation",
        metric=Metric("ndcg", "NDCG@10", "maximize"),
        validation=0.31,
        holdout=evaluated.metrics["ndcg_at_k"],
        holdout_interval=None,  # ranking reports give intervals of ratios instead
        train=0.42,
        trials=base.trials,
        counts=base.counts,
        config=base.config,
        versions=base.versions,
        best_params={**base.best_params, "candidates": 50},
        model_family="lightgbm",
        findings=[],
        data={
            "rows": 78_627,
            "users": 1_500,
            "items": 799,
            "holdout_rows": 60,
            "holdout_unit": "customers",
            "subject": "The model orders, for each customer, the items they are most likely "
            "to choose next; the first 10 are what the customer would be shown.",
            "split": "temporal: hold-out from the last 10% of events",
            "candidate_recall": 0.62,
        },
        holdout_metrics=evaluated.metrics,
        tables=evaluated.tables,
        assumptions=evaluated.assumptions,
        headline=evaluated.headline,
        baseline={
            "family": "popularity",
            "label": "most popular items (all time)",
            "params": {},
            "holdout": float(per_user["popularity"]["ndcg"].mean()),
        },
        baselines={
            name: {m: float(v) for m, v in table.mean().items()}
            for name, table in per_user.items()
            if name != "ranker"
        },
        attribution="Synthetic example data generated by tuneplate (seed 7).",
    )


BUILDERS = {
    "credit-risk": _credit_risk,
    "diagnosis": _diagnosis,
    "recommendation": _recommendation,
}


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_report_matches_golden(vertical, make_results):
    build = BUILDERS.get(vertical)
    results = build(make_results) if build else _generic(vertical, make_results)
    actual = normalise(render(results))
    path = GOLDEN / f"{vertical}.html"
    if os.environ.get(REFRESH):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"no golden report for {vertical!r}; create it with: {COMMAND}"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    f"golden/{vertical}.html",
                    "rendered",
                )
            )[:60]
        )
        pytest.fail(
            f"the {vertical} report differs from {path.name}; if the change is intended, "
            f"refresh with: {COMMAND}\n{diff}",
            pytrace=False,
        )


def test_rendering_is_deterministic(make_results):
    """Goldens only work if the same Results always give the same page."""
    results = _diagnosis(make_results)
    assert render(results) == render(results)


def test_normalise_hides_only_volatile_bits():
    page = (
        '<svg width="1"><path d="M0 0"/></svg> 0.782 1,000 '
        '<th scope="row">Library versions</th><td>optuna: 5.0.0</td> 2025-11-27T04:16:02 v1.6.1'
    )
    assert normalise(page) == (
        "<svg><!-- chart --></svg> 0.782 1,000 "
        '<th scope="row">Library versions</th><td>[volatile]</td> [date] v[version]'
    )


# ------------------------------------------------------------------ every vertical's outline


def _build(vertical: str, make_results) -> Results:
    build = BUILDERS.get(vertical)
    return build(make_results) if build else _generic(vertical, make_results)


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_sections_follow_the_reading_order_and_empty_ones_are_absent(vertical, make_results):
    results = _build(vertical, make_results)
    html = render(results)
    found = re.findall(r'<section id="([^"]+)">', html)
    assert found == [s for s in ORDER if s in found], f"{vertical}: sections out of order"
    assert set(ALWAYS) <= set(found)
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", html, re.S).group(1)
    assert re.findall(r'href="#([^"]+)"', nav) == found  # the contents match the page
    groups = [t for t in results.tables if t.key in ("fairness", "subgroups")]
    assert ("fairness" in found) == bool(groups)
    assert ("baseline" in found) == (results.baseline.get("holdout") is not None)
    # Without its group tables and baseline, a vertical's report drops those sections.
    bare = render(
        make_results(
            **{
                **results.__dict__,
                "tables": [t for t in results.tables if t not in groups],
                "baseline": {},
            }
        )
    )
    bare_found = re.findall(r'<section id="([^"]+)">', bare)
    assert "fairness" not in bare_found and "baseline" not in bare_found
    assert bare_found == [s for s in found if s not in ("fairness", "baseline")]


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_no_long_floats_anywhere_in_the_report(vertical, make_results):
    """str(float) gives 15-17 digits; nothing we show has more than 5 decimals, charts too."""
    html = render(_build(vertical, make_results))
    # Inside charts, only the text a reader sees (not path coordinates) counts.
    texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", html)
    outside = re.sub(r"<svg\b.*?</svg>", "", html, flags=re.S)
    assert not re.findall(r"\d\.\d{6,}", outside)
    assert not [t for t in texts if re.search(r"\d\.\d{5,}", t)]
    assert texts  # the charts' text is really there to check
