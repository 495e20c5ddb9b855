"""`compare`: strategies on the same split and budget, and the recommendation."""

from __future__ import annotations

import json
import math

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
    assert "In cross-validation auto scored best (0.810 against 0.780)" in reason


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
    c = compare(load_vertical("credit-risk"), None, Config(), strategies, budget=4)
    assert [r.strategy for r in c.runs] == strategies
    assert {r.seed for r in c.runs} == {0}
    for run in c.runs:
        assert run.completed >= 1 and run.curve
        assert run.search_s < 4 + 4  # the budget holds (generous margin: shared machine)
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
