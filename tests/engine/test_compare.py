"""`compare`: strategies on the same split and budget, and the recommendation."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.compare import (
    TIE_SE,
    StrategySummary,
    _recommend,
    check_request,
    compare,
)
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.tune import Config
from tuneplate.reports.compare import mean_curve, render_comparison
from tuneplate.verticals import load_vertical


def _summary(name, holdout, behind, se, seconds, validation=0.75):
    tied = behind == 0 or behind <= TIE_SE * se
    return StrategySummary(name, holdout, validation, 10, seconds, behind, se, tied)


def test_a_tie_goes_to_the_strategy_that_got_there_sooner():
    summary = [
        _summary("bayes", 0.80, 0.0, 0.0, 30.0),
        _summary("random", 0.79, 0.01, 0.02, 5.0),  # within two standard errors
        _summary("grid", 0.70, 0.10, 0.02, 1.0),  # clearly behind, though fastest
    ]
    pick, reason = _recommend(summary, "ROC AUC", seeds=1)
    assert pick == "random"
    assert "bayes" in reason and "within noise" in reason


def test_a_clear_winner_is_recommended_even_when_slower():
    summary = [
        _summary("bayes", 0.80, 0.0, 0.0, 30.0),
        _summary("random", 0.70, 0.10, 0.02, 5.0),
    ]
    pick, reason = _recommend(summary, "ROC AUC", seeds=3)
    assert pick == "bayes"
    assert "more than 2 standard errors" in reason
    assert "cross-validation" not in reason  # nothing scored better there


def test_a_better_cross_validated_score_is_mentioned():
    summary = [
        _summary("bayes", 0.80, 0.0, 0.0, 30.0, validation=0.78),
        _summary("auto", 0.79, 0.01, 0.02, 50.0, validation=0.81),
    ]
    pick, reason = _recommend(summary, "ROC AUC", seeds=1)
    assert pick == "bayes"
    assert "In tuning auto scored best (0.810 against 0.780)" in reason


@pytest.mark.parametrize(
    ("strategies", "budget", "seeds", "needle"),
    [
        (["random", "hyperopt"], 10, 1, "unknown strategy 'hyperopt'"),
        (["random", "random"], 10, 1, "twice"),
        ([], 10, 1, "no strategies"),
        (["random"], 0, 1, "above 0"),
        (["random"], -5, 1, "above 0"),
        (["random"], math.nan, 1, "above 0"),
        (["random"], 10, 0, "--seeds"),
    ],
)
def test_bad_requests_are_refused_before_anything_runs(strategies, budget, seeds, needle):
    with pytest.raises(TuneplateError, match=needle):
        check_request(strategies, budget, seeds)


def test_mean_curve_starts_when_every_seed_has_a_score():
    class Run:
        def __init__(self, curve):
            self.curve = curve

    curve = mean_curve([Run([(1.0, 0.7), (3.0, 0.8)]), Run([(2.0, 0.6)])])
    assert curve == [(2.0, pytest.approx(0.65)), (3.0, pytest.approx(0.7))]


@pytest.mark.slow  # end to end: several strategies, each on a time budget
def test_compare_runs_each_strategy_on_the_same_split_and_reports_one_curve_each():
    strategies = ["random", "auto"]
    # 10 s: auto's first trial is the scorecard, whose binning of every fold took over 4 s
    # when the machine was shared with other jobs, leaving no trial completed
    c = compare(load_vertical("credit-risk"), None, Config(), strategies, budget=10)
    assert [r.strategy for r in c.runs] == strategies
    assert {r.seed for r in c.runs} == {0}
    for run in c.runs:
        assert run.completed >= 1 and run.curve
        assert run.search_s < 10 + 5  # the budget holds (generous margin: shared machine)
        times = [t for t, _ in run.curve]
        assert times == sorted(times)
    assert c.recommended in strategies
    assert json.loads(json.dumps(c.to_dict(), allow_nan=False))["runs"][0]["curve"]
    html = render_comparison(c)
    assert html.startswith("<!DOCTYPE html>") and "http" not in html.split("<svg", 1)[0]
    chart = html[html.index('<svg id="anytime"') : html.index("</svg>", html.index('id="anytime"'))]
    for name in strategies:  # one legend entry, so one curve, per strategy
        assert chart.count(f">{name}<") == 1
    for row in c.summary:
        assert f'data-strategy="{row.strategy}"' in html


@pytest.mark.parametrize("nonlinear", [False, True])
def test_compare_faces_the_simple_baseline(nonlinear):
    """On a linear signal LightGBM does not beat the simple logistic regression, and the
    comparison says to use the simple model; on an interaction it does, and says so."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 5))
    if nonlinear:  # an interaction no straight line captures
        logit = 1.5 * np.sign(X[:, 0] * X[:, 1]) + 0.8 * X[:, 2]
    else:  # a logistic model is exactly right
        logit = 1.2 * X[:, 0] - 0.8 * X[:, 1] + 0.5 * X[:, 2]
    table = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    table["default"] = np.where(rng.random(1500) < 1 / (1 + np.exp(-logit)), "bad", "good")
    c = compare(
        load_vertical("credit-risk"),
        table,
        Config.flat(target="default"),
        ["random"],
        budget=5,
    )
    run = c.runs[0]
    assert run.versus_baseline in ("better", "same", "worse")
    assert math.isfinite(run.baseline) and c.baseline_label
    assert c.use_baseline is (run.versus_baseline != "better")
    html = render_comparison(c)
    if nonlinear:
        assert run.versus_baseline == "better"
        assert "Its model beats the simple" in c.reason and "use random" in html
    else:
        assert c.use_baseline
        assert c.reason.endswith("beyond noise on the split: use the simple model.")
        assert f"use the simple {c.baseline_label}" in html


def test_strategies_that_all_kept_the_baseline_are_not_ranked_by_a_discarded_trial():
    """Every strategy kept the simple model's settings (the same model, the same hold-out);
    compare recommended the one whose thrown-away best trial finished soonest, as if it
    had found something sooner (a fresh user's report)."""
    summary = [
        StrategySummary("bayes", 0.78, 0.77, 10, 30.0, 0.0, 0.0, True, kept=True),
        StrategySummary("random", 0.78, 0.76, 10, 2.0, 0.0, 0.0, True, kept=True),
        StrategySummary("grid", 0.70, 0.70, 10, 1.0, 0.08, 0.01, False, kept=False),
    ]
    pick, reason = _recommend(summary, "ROC AUC", seeds=3)
    assert pick == "bayes"  # the first listed, not the "soonest" random
    assert "bayes and random each kept the simple model's own settings on 3 splits" in reason
    assert "does not tell them apart" in reason and "reached its best score" not in reason
    # one strategy found better settings on some seed: it is a real tie, ranked as before
    summary[0] = StrategySummary("bayes", 0.78, 0.77, 10, 30.0, 0.0, 0.0, True, kept=False)
    pick, reason = _recommend(summary, "ROC AUC", seeds=3)
    assert pick == "random" and "reached its best score sooner" in reason


def test_resamples_without_both_classes_are_skipped_and_no_error_means_no_winner():
    """16 hold-out rows: scikit-learn gave NaN for one-class resamples, the standard error
    became NaN, and compare said every other strategy was "more than 2 standard errors
    behind" the best."""
    from types import SimpleNamespace

    from tuneplate.engine.compare import _gap_se, _summarise
    from tuneplate.engine.metrics import get_metric

    auc = get_metric("roc_auc")
    y = np.array([1] + [0] * 15)  # one event: a third of the resamples lack it
    best, other = (y, np.linspace(1, 0, 16), auc), (y, np.linspace(0, 1, 16), auc)
    assert math.isfinite(_gap_se(best, other, seed=0))
    ones = np.ones(16, dtype=int)  # no resample has both classes: no standard error
    scores = {("bayes", 0): (ones, ones * 0.7, auc), ("random", 0): (ones, ones * 0.6, auc)}
    runs = [SimpleNamespace(strategy=s, holdout=h, validation=h, completed=5,
                            time_to_best_s=t, versus_baseline="better")
            for s, h, t in (("bayes", 0.62, 9.0), ("random", 0.60, 3.0))]  # fmt: skip
    summary = _summarise(["bayes", "random"], [0], runs, scores, maximize=True)
    assert math.isnan(summary[1].se) and summary[1].tied
    pick, reason = _recommend(summary, "ROC AUC", seeds=1)
    assert "standard errors behind" not in reason and "no standard error" in reason
