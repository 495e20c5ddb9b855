"""A hand-built credit-risk `Results`, so report tests need no study and no model."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from report_drivers import CREDIT_DRIVERS

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.results import Metric, Results, Table
from tuneplate.reports import render

ASSUMPTIONS = {
    "loss_given_default": 0.45,
    "exposure": 5000,
    "margin": 0.08,
    "approval_rate": 0.7,
    "currency": "EUR",
}


def _trials() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    states = ["COMPLETE"] * 10 + ["PRUNED", "FAIL"]
    value = np.where(np.array(states) == "COMPLETE", rng.uniform(0.70, 0.79, 12), np.nan)
    return pd.DataFrame(
        {
            "number": np.arange(12),
            "state": states,
            "value": value,
            "train": value + rng.uniform(0.05, 0.15, 12),
            "duration_s": rng.uniform(0.2, 3.0, 12),
            "params_learning_rate": rng.uniform(0.01, 0.3, 12),
            "params_num_leaves": rng.integers(4, 64, 12),
        }
    )


def _tables() -> list[Table]:
    rates = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    cutoffs = pd.DataFrame(
        {
            "Approval rate": rates,
            "PD cut-off": [0.18, 0.22, 0.27, 0.33, 0.41, 0.82],
            "Bad rate among approved": [0.12, 0.14, 0.17, 0.2, 0.24, 0.3],
            "Bad rate among declined": [0.48, 0.54, 0.6, 0.62, 0.6, np.nan],
            "Expected loss per 1,000 applicants": [1.3e5, 1.9e5, 2.7e5, 3.7e5, 4.9e5, 6.4e5],
            "Profit per 1,000 applicants": [20000.0, 14750.0, -7750.0, -70250.0, -162750.0, -295e3],
        }
    )
    calibration = pd.DataFrame(
        {
            "Score band": [f"{b} of 5" for b in range(1, 6)],
            "Applicants": [40, 40, 40, 40, 40],
            "Mean predicted PD": [0.06, 0.13, 0.24, 0.4, 0.6],
            "Observed bad rate": [0.05, 0.15, 0.2, 0.45, 0.6],
        }
    )
    fairness = pd.DataFrame(
        {
            "Attribute": ["sex", "sex"],
            "Group": ["female", "male"],
            "Applicants": [60, 140],
            "Approval rate": [0.5, 0.75],
            "Adverse impact ratio": [0.5 / 0.75, 1.0],
        }
    )
    percent = "percent"
    return [
        Table(
            "cutoffs",
            "Approval rate vs bad rate",
            cutoffs,
            note="Applicants approved from the lowest predicted PD up.",
            formats={
                "Approval rate": percent,
                "PD cut-off": percent,
                "Bad rate among approved": percent,
                "Bad rate among declined": percent,
                "Expected loss per 1,000 applicants": "money",
                "Profit per 1,000 applicants": "money",
            },
        ),
        Table(
            "calibration",
            "Predicted vs observed bad rate by score band",
            calibration,
            note="Equal-sized bands.",
            formats={
                "Applicants": "count",
                "Mean predicted PD": percent,
                "Observed bad rate": percent,
            },
        ),
        Table(
            "fairness",
            "Approval rate by protected group",
            fairness,
            note="At the 70% approval operating point.",
            formats={
                "Applicants": "count",
                "Approval rate": percent,
                "Adverse impact ratio": "number",
            },
        ),
    ]


def make_results(**overrides: Any) -> Results:
    """A credit-risk `Results` with every field filled; keyword arguments replace fields."""
    results = Results(
        vertical="credit-risk",
        vertical_title="Credit risk",
        strategy="bayes",
        metric=Metric("roc_auc", "ROC AUC", "maximize"),
        model_family="lightgbm",
        best_params={"learning_rate": 0.0507, "num_leaves": 15, "boosting_type": "gbdt"},
        validation=0.79,
        holdout=0.78,
        holdout_interval=(0.72, 0.84),
        train=0.9,
        trials=_trials(),
        counts={"completed": 10, "pruned": 1, "failed": 1},
        findings=[
            Finding("bad_rate", "info", "the bad rate is 30.0%", expected="between 0.5% and 40%"),
            Finding(
                "high_cardinality",
                "warning",
                "purpose has 60 levels",
                expected="at most 50 levels",
                fix="group rare levels",
                columns=("purpose",),
            ),
        ],
        data={
            "rows": 1000,
            "columns": 21,
            "features": 17,
            "target": "status",
            "positive": "bad",
            "positive_share": 0.3,
            "development_rows": 800,
            "holdout_rows": 200,
            "folds": 5,
            "split": "random stratified 20% hold-out; 5-fold cross-validation on the rest",
            "protected": ["sex"],
            "excluded": [],
            "fingerprint": "e45a372257d06385",
            "drivers": CREDIT_DRIVERS,
        },
        holdout_metrics={
            "roc_auc": 0.78,
            "gini": 0.56,
            "ks": 0.46,
            "brier": 0.17,
            "log_loss": 0.51,
        },
        tables=_tables(),
        assumptions=dict(ASSUMPTIONS),
        headline={
            "summary": ["Approving 70% of applicants, 17.0% of approved loans went bad."],
            "operating_point": "approve the 70% of applicants with the lowest predicted PD.",
            "cards": [
                {
                    "label": "Profit per 1,000 applicants",
                    "value": -7750.0,
                    "format": "money",
                    "assumption": "Margin 8% on good loans, LGD 45% of EUR 5,000 on bad ones.",
                },
                {
                    "label": "Bad loans among those approved",
                    "value": 0.17,
                    "format": "percent",
                    "assumption": "Against 30.0% approving everyone.",
                },
                {
                    "label": "Expected loss per 1,000 applicants",
                    "value": 270000.0,
                    "format": "money",
                    "assumption": "PD × LGD 45% × exposure EUR 5,000.",
                },
            ],
            "approval_rate": 0.7,
        },
        baseline={
            "family": "logistic",
            "label": "L2-regularised logistic regression",
            "params": {"C": 1.0},
            "holdout": 0.75,
        },
        timings={"total_s": 95.2, "search_s": 90.1},
        config={"seed": 0, "strategy": "bayes", "n_trials": 12, "timeout": None, "exclude": ()},
        versions={"tuneplate": "0.1.0", "optuna": "5.0.0"},
        attribution="Statlog (German Credit Data), Hans Hofmann, 1994. CC BY 4.0.",
    )
    return replace(results, **overrides)


@pytest.fixture(name="make_results", scope="session")
def make_results_fixture():
    """The `make_results` factory, for tests that need a variant."""
    return make_results


@pytest.fixture
def results() -> Results:
    return make_results()


@pytest.fixture(scope="module")
def page() -> str:
    """The `results` fixture's report, rendered once per test module and shared: a
    render draws every chart, so tests that only read the page take this one."""
    return render(make_results())
