"""Golden reports: the whole page for a small, fixed, hand-built `Results` per vertical.

Any change to the rendered HTML shows up here as a diff to review. When the change is
intended, refresh the files and commit them with it:

    TUNEPLATE_REFRESH_GOLDEN=1 python -m pytest tests/reports/test_golden.py

Before comparing, volatile bits are replaced by placeholders: chart SVGs (matplotlib
output, covered by test_charts.py), library versions, timings and dates. The binary
verticals' `Results` are hand-built below; the ranking one comes from a real, seeded run
on a small synthetic shop, so a change in how the engine assembles ranking `Results`
shows up here too. A vertical without a builder gets a generic one (its own title and
objective, one calibration table), so a new vertical is covered as soon as it is
registered.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_drivers import DIAGNOSIS_DRIVERS
from report_outline import ALWAYS, ORDER

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.results import About, Metric, Results, Table
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
            r'(<th scope="row">(?:Library versions|Preparation time|Search time|Total run time)'
            r"</th><td>)"
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
        about=About.from_vertical(VERTICALS["credit-risk"]),
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
            "drivers": DIAGNOSIS_DRIVERS,
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
        about=About.from_vertical(VERTICALS["diagnosis"]),
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
        about=About.from_vertical(vertical),
    )


RANKING_LOG = {"seed": 3, "customers": 120, "products": 60}  # a few seconds to tune
RANKING_TRIALS = 2
# Random search: "bayes" is GP with torch installed and TPE without, so its trials (and
# this page) would depend on the machine; a seeded random search does not.
RANKING_STRATEGY = "random"


def _recommendation(folder: Path) -> Results:
    """A real ranking run on a small seeded shop, so the engine's own assembly of ranking
    `Results` (data facts, baselines, config, trials) is what the golden holds.

    Only the trials' wall-clock durations are fixed afterwards (the report's trial table
    shows them); run times and dates are hidden by `normalise`. ALS runs in float64: in
    implicit's float32 the ALS rows changed between two CPUs (AMD EPYC vs the machine
    the page was first made on) with the same seed.
    """
    import tuneplate
    from tuneplate.engine.tasks.ranking import rivals
    from tuneplate.verticals.recommendation import data as shop

    saved, rivals.ALS_DTYPE = rivals.ALS_DTYPE, np.float64
    try:
        events, items = shop.generate(**RANKING_LOG)
        items.to_csv(folder / "items.csv", index=False)
        results = tuneplate.tune(
            "recommendation",
            events,
            items=str(folder / "items.csv"),
            strategy=RANKING_STRATEGY,
            n_trials=RANKING_TRIALS,
            seed=0,
        )
    finally:
        rivals.ALS_DTYPE = saved
    trials = results.trials.assign(duration_s=np.linspace(0.5, 2.0, len(results.trials)))
    return replace(results, trials=trials, versions=dict(VERSIONS))


BUILDERS = {"credit-risk": _credit_risk, "diagnosis": _diagnosis}


@pytest.fixture(scope="module")
def built(make_results, tmp_path_factory):
    """`built(vertical)` -> (its `Results`, its rendered page), made on first use and
    shared by every test in this module: one run and one render per vertical."""
    cache: dict[str, tuple[Results, str]] = {}

    def get(vertical: str) -> tuple[Results, str]:
        if vertical not in cache:
            if vertical == "recommendation":
                results = _recommendation(tmp_path_factory.mktemp("shop"))
            elif vertical in BUILDERS:
                results = BUILDERS[vertical](make_results)
            else:
                results = _generic(vertical, make_results)
            cache[vertical] = (results, render(results))
        return cache[vertical]

    return get


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_report_matches_golden(vertical, built):
    actual = normalise(built(vertical)[1])
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


def test_rendering_is_deterministic(built):
    """Goldens only work if the same Results always give the same page."""
    results, page = built("diagnosis")
    assert render(results) == page


def test_the_ranking_golden_comes_from_a_real_run(built):
    """The recommendation golden is the engine's own output, not a hand-built copy."""
    results, _ = built("recommendation")
    assert results.model is not None
    assert results.strategy == RANKING_STRATEGY
    assert results.counts["completed"] == RANKING_TRIALS
    assert set(results.baselines) == {
        "popularity",
        "recent_popularity",
        "cooccurrence",
        "ease",
        "item_knn",
        "als",
    }


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


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_sections_follow_the_reading_order_and_empty_ones_are_absent(vertical, built, make_results):
    results, html = built(vertical)
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
def test_no_long_floats_anywhere_in_the_report(vertical, built):
    """str(float) gives 15-17 digits; nothing we show has more than 5 decimals, charts too."""
    html = built(vertical)[1]
    # Inside charts, only the text a reader sees (not path coordinates) counts.
    texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", html)
    outside = re.sub(r"<svg\b.*?</svg>", "", html, flags=re.S)
    assert not re.findall(r"\d\.\d{6,}", outside)
    assert not [t for t in texts if re.search(r"\d\.\d{5,}", t)]
    assert texts  # the charts' text is really there to check
