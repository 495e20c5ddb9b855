"""Strategy auto (family chosen per trial), the time budget, priors and warm starts."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import optuna
import pandas as pd
import pytest

import tuneplate
from tuneplate.engine.families.spaces import LIGHTGBM, LOGISTIC
from tuneplate.engine.results import Results
from tuneplate.engine.search.auto import MIN_TRIALS, allocate
from tuneplate.engine.search.first_trials import LIBRARY_DEFAULT, first_trials
from tuneplate.engine.search.selection import BASELINE
from tuneplate.engine.search.space import FAMILY, Choice, Param, Space
from tuneplate.engine.tune import Config, plan, run_vertical
from tuneplate.reports import render
from tuneplate.verticals import load_vertical

TIMINGS = ["duration_s", "finished_s"]
# The warm-start tests below are about a logistic baseline (a logistic run warm-starting a
# logistic search); the credit vertical's own baseline is the scorecard since issue #17 §5.
LOGISTIC_BASELINE = replace(load_vertical("credit-risk"), baseline_family="logistic")


def _trial(family: str, value: float | None, state=optuna.trial.TrialState.COMPLETE):
    dist = optuna.distributions.CategoricalDistribution(["logistic", "lightgbm", "xgboost"])
    return optuna.trial.create_trial(
        params={FAMILY: family}, distributions={FAMILY: dist}, value=value, state=state
    )


def test_allocate_gives_every_family_its_first_trials_cheapest_first():
    families = ["logistic", "lightgbm", "xgboost"]
    assert allocate(families, [], maximize=True) == "logistic"
    trials = [_trial("logistic", 0.7)] * MIN_TRIALS
    assert allocate(families, trials, maximize=True) == "lightgbm"


def test_allocate_gives_more_trials_to_the_family_doing_best():
    families = ["logistic", "lightgbm", "xgboost"]
    trials = [_trial(f, v) for f, v in [("logistic", 0.70), ("lightgbm", 0.80), ("xgboost", 0.75)]]
    trials = trials * MIN_TRIALS
    picks = []
    for _ in range(14):
        family = allocate(families, trials, maximize=True)
        picks.append(family)
        trials.append(_trial(family, {"logistic": 0.7, "lightgbm": 0.8, "xgboost": 0.75}[family]))
    # shares 4 : 2 : 1 by rank: the leader gets most, the last still a few
    assert picks.count("lightgbm") > picks.count("xgboost") > picks.count("logistic") > 0
    # minimising flips the ranking
    trials = [_trial("logistic", 0.1), _trial("lightgbm", 0.3)] * MIN_TRIALS
    assert allocate(["logistic", "lightgbm"], trials, maximize=False) == "logistic"


def test_choice_joins_and_splits_prefixed_params():
    choice = Choice({"logistic": LOGISTIC, "lightgbm": LIGHTGBM})
    joined = choice.join("logistic", {"C": 0.5})
    assert joined == {FAMILY: "logistic", "logistic.C": 0.5}
    assert choice.split(joined) == ("logistic", {"C": 0.5})
    assert choice.contains(joined)
    assert not choice.contains({FAMILY: "logistic", "logistic.C": 1e9})


@pytest.fixture(scope="module")
def auto_run() -> Results:
    """One `auto` run on the German credit data, shared by the tests that only read it."""
    return tuneplate.tune("credit-risk", strategy="auto", n_trials=8, seed=0)


@pytest.fixture(scope="module")
def earlier_logistic(tmp_path_factory):
    """A saved 3-trial logistic run to warm-start from: (its folder, its `Results`)."""
    folder = tmp_path_factory.mktemp("earlier")
    earlier = tuneplate.tune("credit-risk", model="logistic", strategy="random", n_trials=3)
    earlier.save(folder)
    return folder, earlier


def test_auto_explores_several_families_and_returns_the_best(auto_run):
    r = auto_run
    done = r.trials[r.trials["state"] == "COMPLETE"]
    assert done["family"].nunique() >= 2
    top = done.loc[done["value"].idxmax()]
    # the best trial is refitted, unless the one-SE rule kept the simple baseline's
    # settings because the best did not beat them by more than one standard error
    assert r.selection.best == top["number"]
    if r.selection.kept:
        assert r.selection.difference <= r.selection.se
    best = done.set_index("number").loc[r.selection.chosen]
    params = r.best_params
    if r.selection.rule == "blend":  # the best trial, blended with the baseline after it
        assert r.model_family == "blend" and r.tuned_family == best["family"]
        assert r.validation == pytest.approx(r.selection.fresh.blend_score)
        params = r.best_params["members"][0]["params"]
    else:
        assert r.validation == pytest.approx(best["value"])
        assert r.model_family == best["family"]
    prefix = f"params_{best['family']}."
    tuned = {k.removeprefix(prefix): v for k, v in best.items() if k.startswith(prefix)}
    for name, value in tuned.items():
        assert params[name] == pytest.approx(value)
    assert r.model.family == r.model_family
    # the report's tuning appendix: trials and best score per family
    html = render(r)
    assert 'data-table="families"' in html
    for family in done["family"].unique():
        assert f"<td>{family}</td>" in html


def test_auto_same_seed_and_trial_count_give_the_same_trials():
    def run():
        r = tuneplate.tune("credit-risk", strategy="auto", n_trials=7, seed=3)
        return r.trials.drop(columns=TIMINGS)

    first, again = run(), run()
    assert first["family"].nunique() >= 2
    pd.testing.assert_frame_equal(first, again)


def test_auto_refuses_a_model_family():
    with pytest.raises(tuneplate.TuneplateError, match="drop --model"):
        plan(load_vertical("credit-risk"), config=Config.flat(strategy="auto", model="xgboost"))


def _slow_table(n: int = 4000, k: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, k))
    logit = X[:, :5].sum(1) + np.sin(2 * X[:, 5])
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(k)]).assign(
        status=np.where(bad, "bad", "good")
    )


def test_time_budget_is_kept_even_when_one_fit_takes_longer():
    # LightGBM at learning rate 0.001 with 255 leaves keeps improving for ~1,700 rounds
    # on every fold: one fold alone took 27 s here, far longer than the 8 s budget.
    slow = Space(
        (
            Param("learning_rate", 0.001, 0.001, start=0.001),
            Param("num_leaves", 255, 255, integer=True, start=255),
        ),
        fixed={"min_child_samples": 2},
    )
    vertical = replace(
        load_vertical("credit-risk"),
        spaces={"logistic": LOGISTIC, "lightgbm": slow},
        priors={},
        checks=(),
    )
    budget = 8.0
    started = time.monotonic()
    config = Config.flat(target="status", strategy="auto", timeout=budget)
    r = run_vertical(vertical, _slow_table(), config)
    elapsed = time.monotonic() - started
    stopped = r.trials[(r.trials["family"] == "lightgbm") & (r.trials["state"] == "PRUNED")]
    assert len(stopped) >= 1  # the slow trial was cut short, not waited for
    assert r.timings["search_s"] < budget + 4  # generous: the machine is shared
    assert elapsed < budget + 15  # refit, hold-out and report figures come after
    assert r.model_family == "logistic"  # the best completed trial is still returned


def test_library_defaults_then_priors_are_tried_first():
    vertical = load_vertical("credit-risk")
    r = tuneplate.tune("credit-risk", model="lightgbm", strategy="random", n_trials=4)
    default = r.trials.iloc[0]
    assert default["source"] == LIBRARY_DEFAULT
    # LightGBM's own defaults (docs/Parameters.rst), inside the credit space
    assert default["params_learning_rate"] == 0.1 and default["params_num_leaves"] == 31
    assert default["params_min_child_samples"] == 20 and default["params_subsample"] == 1.0
    first = r.trials.iloc[1 : 1 + len(vertical.priors["lightgbm"])]
    assert (first["source"] == "prior").all()
    for (_, row), prior in zip(first.iterrows(), vertical.priors["lightgbm"], strict=True):
        for name, value in prior.items():
            assert row[f"params_{name}"] == pytest.approx(value)
    assert r.trials.iloc[1 + len(first)]["source"] == "start"


@pytest.mark.parametrize("vertical_name", ["credit-risk", "diagnosis"])
def test_every_search_tries_each_familys_untuned_library_settings(vertical_name):
    """A search must not end below the untuned library on validation (issue 20), so
    each family's library defaults are among its first trials, moved into a
    vertical's narrower ranges where needed."""
    vertical = load_vertical(vertical_name)
    p = plan(vertical, config=Config.flat(strategy="auto", n_trials=5))
    defaults = [params for source, params in p.first_trials if source == LIBRARY_DEFAULT]
    base = vertical.baseline_family  # credit: the scorecard; diagnosis: logistic
    assert {params[FAMILY] for params in defaults} == {"lightgbm", "xgboost", "logistic"} - {base}
    for params in defaults:
        assert p.space.contains(params)
    xgb = next(params for params in defaults if params[FAMILY] == "xgboost")
    ranges = {q.name: q for q in p.space.spaces["xgboost"].params}
    for name, value in {"learning_rate": 0.3, "max_depth": 6, "min_child_weight": 1}.items():
        # XGBoost's documented default, moved to the nearest bound of this table's range
        expected = min(max(value, ranges[name].low), ranges[name].high)
        assert xgb[f"xgboost.{name}"] == expected
    # the baseline's library default is the baseline itself: tried once, as the baseline
    start = p.space.spaces[base].start
    assert p.first_trials[0] == (BASELINE, p.space.join(base, start))
    assert sum(params[FAMILY] == base for _, params in p.first_trials[:5]) == 1


def test_grid_search_keeps_only_priors_on_its_grid():
    space = Space(
        (Param("a", 0, 10, grid=(1, 5), start=1), Param("b", 0, 10, grid=(2, 8), start=2))
    )
    on_grid, off_grid = {"a": 5, "b": 8}, {"a": 3, "b": 8}
    credit = load_vertical("credit-risk")
    priors = {"m": [off_grid, on_grid]}
    vertical = replace(credit, spaces={**credit.spaces, "m": space}, priors=priors)
    trials = first_trials(vertical, space, "m", "grid")
    assert trials[0] == ("prior", on_grid)
    assert [p for _, p in trials].count(on_grid) == 1
    assert off_grid not in [p for _, p in trials]
    assert len(trials) == len(space.grid_points())  # every grid point, once
    assert first_trials(vertical, space, "m", "random")[:2] == [
        ("prior", off_grid),
        ("prior", on_grid),
    ]


def test_auto_starts_with_one_cheap_model_per_family_in_turn():
    p = plan(load_vertical("credit-risk"), config=Config.flat(strategy="auto", n_trials=5))
    families = [params[FAMILY] for _, params in p.first_trials]
    # the credit baseline (the scorecard) first, for the one-SE rule; then one cheap
    # model per family, cheapest first (the scorecard's own default is the baseline)
    assert families[:4] == ["scorecard", "logistic", "lightgbm", "xgboost"]
    for _, params in p.first_trials:
        assert p.space.contains(params)


def _earlier_best_trials(earlier) -> list[float]:
    """The earlier run's completed C values, best first, as `warm_trials` orders them."""
    done = earlier.trials[earlier.trials["state"] == "COMPLETE"]
    return done.sort_values("value", ascending=False, kind="stable")["params_C"].tolist()


def test_warm_start_brings_the_earlier_best_trials_in_first(earlier_logistic):
    tmp_path, earlier = earlier_logistic
    config = Config.flat(model="logistic", strategy="random", n_trials=2, warm_start=str(tmp_path))
    r = run_vertical(LOGISTIC_BASELINE, config=config)
    # the simple baseline (C=1) first, for the one-SE rule; then the earlier run's best,
    # less any that is the baseline itself
    assert r.trials.loc[0, "source"] == BASELINE and r.trials.loc[0, "params_C"] == 1.0
    assert r.trials.loc[1, "source"] == "warm-start"
    best_c = next(c for c in _earlier_best_trials(earlier) if c != 1.0)
    assert r.trials.loc[1, "params_C"] == pytest.approx(best_c)


def test_warm_start_of_one_family_seeds_auto_with_prefixed_params(earlier_logistic):
    tmp_path, earlier = earlier_logistic
    p = plan(
        LOGISTIC_BASELINE,
        config=Config.flat(strategy="auto", n_trials=3, warm_start=str(tmp_path)),
    )
    assert p.first_trials[0] == (BASELINE, {FAMILY: "logistic", "logistic.C": 1.0})
    source, params = p.first_trials[1]
    assert source == "warm-start"
    best_c = next(c for c in _earlier_best_trials(earlier) if c != 1.0)
    assert params == {FAMILY: "logistic", "logistic.C": pytest.approx(best_c)}


def test_a_warm_start_trial_with_the_baseline_settings_stays_the_baseline(earlier_logistic):
    """Otherwise warm-starting from a run that kept the default would switch the one-SE
    rule off: no trial would be the baseline to keep."""
    tmp_path, _ = earlier_logistic
    p = plan(
        LOGISTIC_BASELINE,
        config=Config.flat(model="logistic", n_trials=3, warm_start=str(tmp_path)),
    )
    sources = [source for source, params in p.first_trials if params == {"C": 1.0}]
    assert sources == [BASELINE]


def test_warm_start_from_another_family_is_reported_not_used(earlier_logistic):
    tmp_path, _ = earlier_logistic
    p = plan(
        load_vertical("credit-risk"),
        config=Config.flat(
            model="lightgbm", strategy="random", n_trials=2, warm_start=str(tmp_path)
        ),
    )
    assert all(source != "warm-start" for source, _ in p.first_trials)
    assert "warm_start_unused" in {f.check for f in p.findings}


def test_warm_start_from_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(tuneplate.TuneplateError, match="results.json"):
        plan(load_vertical("credit-risk"), config=Config.flat(warm_start=str(tmp_path)))


def test_results_of_an_auto_run_survive_a_save_and_load(auto_run, tmp_path):
    r = auto_run
    r.save(tmp_path)
    again = Results.load(tmp_path)
    assert again.model_family == r.model_family
    assert list(again.trials["family"]) == list(r.trials["family"])


@pytest.mark.parametrize("name", ["lightgbm", "xgboost"])
def test_a_passed_deadline_stops_boosting_after_the_first_round(name):
    from tuneplate.engine.families.models import FAMILIES, Fit

    table = _slow_table(600, 8)
    X, y = table.drop(columns="status"), (table["status"] == "bad").to_numpy().astype(int)
    family = FAMILIES[name]
    params = {"learning_rate": 0.001}
    late = Fit(0, deadline=time.monotonic() - 1)
    data = family.prepare(X[:400], y[:400], X[400:], y[400:], late)
    assert family.fit(params, None, None, None, None, late, data=data).n_rounds <= 2
    data = family.prepare(X[:400], y[:400], X[400:], y[400:], Fit(0))
    assert family.fit(params, None, None, None, None, Fit(0), data=data).n_rounds > 50


def test_after_the_library_defaults_the_faster_learning_rates_come_first():
    """A 0.03 XGBoost prior took 12 of 30 seconds on a 12,000-row table: settings
    that early stopping ends sooner go first, so a short budget tries more of them."""
    vertical = load_vertical("diagnosis")
    trials = first_trials(vertical, vertical.spaces["xgboost"], "xgboost", "bayes")
    assert trials[0][0] == LIBRARY_DEFAULT
    rates = [params["learning_rate"] for _, params in trials[1:]]
    assert rates == sorted(rates, reverse=True) and len(rates) >= 2
    assert {source for source, _ in trials[1:]} == {"prior", "start"}
