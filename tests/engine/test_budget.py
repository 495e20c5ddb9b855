"""A time budget leaves out the learning rates it cannot afford, and says so."""

from __future__ import annotations

import pytest

from tuneplate.engine.families.spaces import LIGHTGBM, LOGISTIC, XGBOOST
from tuneplate.engine.search.budget import for_budget, rate_floor
from tuneplate.engine.search.first_trials import LIBRARY_DEFAULT
from tuneplate.engine.search.space import FAMILY
from tuneplate.engine.tune import Config, plan
from tuneplate.verticals import load_vertical


def _rate(space):
    return next(p for p in space.params if p.name == "learning_rate")


def test_the_floor_falls_as_the_budget_grows_and_is_zero_without_one():
    assert rate_floor(None) == 0.0
    assert rate_floor(30) == pytest.approx(0.05)
    assert rate_floor(120) == pytest.approx(0.0125)
    assert rate_floor(1) == pytest.approx(0.1)  # a few seconds still search from 0.1
    assert rate_floor(300) <= _rate(LIGHTGBM).low  # the full range from 300 s


def test_for_budget_raises_the_low_end_and_moves_grid_and_start_up_to_it():
    lr = _rate(for_budget(LIGHTGBM, 30))
    assert (lr.low, lr.high) == (pytest.approx(0.05), _rate(LIGHTGBM).high)
    assert min(lr.grid) >= lr.low and lr.start >= lr.low
    assert len(set(lr.grid)) == len(lr.grid)  # 0.02 moved onto 0.05: one point, not two
    # every other parameter is untouched
    others = [p for p in for_budget(LIGHTGBM, 30).params if p.name != "learning_rate"]
    assert others == [p for p in LIGHTGBM.params if p.name != "learning_rate"]


def test_for_budget_never_passes_the_upper_bound_and_leaves_other_spaces_alone():
    assert _rate(for_budget(XGBOOST, 0.5)).low <= _rate(XGBOOST).high
    assert for_budget(LOGISTIC, 30) == LOGISTIC
    assert for_budget(LIGHTGBM, None) == LIGHTGBM


def test_a_timed_search_leaves_out_slow_rates_and_says_how_to_search_them():
    p = plan(load_vertical("credit-risk"), config=Config.flat(strategy="auto", timeout=30))
    boosted = ("lightgbm", "xgboost")  # the families with a learning rate
    lows = {name: _rate(s).low for name, s in p.space.spaces.items() if name in boosted}
    assert lows == {"lightgbm": pytest.approx(0.05), "xgboost": pytest.approx(0.05)}
    note = [f for f in p.findings if f.check == "budget_learning_rate"]
    assert len(note) == 1 and note[0].severity == "info"
    assert "below 0.05" in note[0].message and "--timeout 300" in note[0].fix
    # every queued first trial lies inside the narrowed space (priors at 0.03 move up)
    for _, params in p.first_trials:
        rates = [v for k, v in params.items() if k.endswith("learning_rate")]
        assert all(r >= 0.05 for r in rates), params
    defaults = [params[FAMILY] for source, params in p.first_trials if source == LIBRARY_DEFAULT]
    assert {"lightgbm", "xgboost"} <= set(defaults)


@pytest.mark.parametrize("settings", [{"n_trials": 5}, {"n_trials": 5, "timeout": 600}])
def test_a_search_by_trial_count_or_a_long_budget_keeps_the_full_range(settings):
    p = plan(load_vertical("diagnosis"), config=Config.flat(model="lightgbm", **settings))
    assert _rate(p.space).low == _rate(load_vertical("diagnosis").spaces["lightgbm"]).low
    assert not [f for f in p.findings if f.check == "budget_learning_rate"]
