"""Ranking runs through the one runner: pruner, deadline, fold data built once, --jobs,
--warm-start and compare, as binary runs have them."""

from __future__ import annotations

import itertools
from dataclasses import replace

import optuna
import pandas as pd
import pytest

import tuneplate
from tuneplate import load_vertical
from tuneplate.engine.compare import compare
from tuneplate.engine.search import objective as objectives
from tuneplate.engine.search.objective import STOPPED, make_objective
from tuneplate.engine.tasks.ranking import periods
from tuneplate.engine.tasks.ranking.task import LARGE_LOG
from tuneplate.engine.tasks.registry import task_for
from tuneplate.engine.tasks.task import threads_per_fit
from tuneplate.engine.tune import Config, execute, plan
from tuneplate.verticals.recommendation import data as shop

VERTICAL = load_vertical("recommendation")


@pytest.fixture(scope="module")
def events():
    return shop.generate(seed=3, customers=300, products=120)[0]


def _config(**kw) -> Config:
    return Config.flat(user="customer_id", item="product_id", strategy="random", seed=1, **kw)


def test_one_place_picks_the_task():
    assert task_for(VERTICAL).name == "ranking"
    assert task_for(load_vertical("credit-risk")).name == "binary"


def test_the_chosen_pruner_is_used_and_sees_boosting_rounds(events):
    p = plan(VERTICAL, events, _config(n_trials=6, pruner="halving"))
    assert isinstance(p.pruner, optuna.pruners.SuccessiveHalvingPruner)
    r = execute(p)
    assert r.config["pruner"] == "halving"
    # Successive halving keeps the top quarter at each rung: later trials get pruned.
    assert r.counts["pruned"] >= 1
    assert r.counts["completed"] >= 1


def test_median_pruner_receives_validation_ndcg_every_few_rounds(events):
    p = plan(VERTICAL, events, _config(n_trials=2, pruner="median"))
    assert isinstance(p.pruner, optuna.pruners.MedianPruner)
    study = optuna.create_study(direction="maximize", pruner=p.pruner)
    scorer = p.task.scorer(p, None)
    study.optimize(make_objective(scorer, None), n_trials=2)
    for trial in study.trials:
        steps = sorted(trial.intermediate_values)
        assert steps and steps[0] == 1  # the first report after REPORT_EVERY rounds
        assert max(steps) * periods.REPORT_EVERY <= trial.user_attrs["n_rounds"] + 50


def test_ranking_defaults_to_no_pruner(events):
    p = plan(VERTICAL, events, _config(n_trials=1))
    assert p.pruner_name == "none"


def test_the_deadline_stops_a_ranking_fit_in_progress(events, monkeypatch):
    """A clock that advances one tick per reading: the check before the fit passes,
    a check between boosting rounds finds the budget spent."""
    p = plan(VERTICAL, events, _config(n_trials=1))
    ticks = itertools.count()
    rounds = []

    class Clock:
        @staticmethod
        def monotonic():
            return float(next(ticks))

    monkeypatch.setattr(objectives, "time", Clock)
    real = periods.round_callbacks

    def counting(ranker, guard):
        callbacks = real(ranker, guard)
        inner = callbacks[0]

        def callback(env):
            rounds.append(env.iteration)
            inner(env)

        callback.order = inner.order
        return [callback]

    monkeypatch.setattr(periods, "round_callbacks", counting)
    study = optuna.create_study(direction="maximize")
    study.optimize(make_objective(p.task.scorer(p, None), deadline=5.0), n_trials=1)
    trial = study.trials[0]
    assert trial.state == optuna.trial.TrialState.PRUNED
    assert trial.user_attrs[STOPPED] is True
    assert 1 <= len(rounds) <= 5  # stopped within a few rounds, not after a full fit


def test_a_tiny_timeout_ends_a_ranking_search_with_its_trials_stopped(events):
    p = plan(VERTICAL, events, _config(timeout=1e-6))
    with pytest.raises(tuneplate.TuneplateError, match="no trial completed"):
        execute(p)


def test_candidate_data_is_built_once_for_every_trial(events):
    p = plan(VERTICAL, events, _config(n_trials=4))
    built = []
    ranker = p.family

    def data(X, q, reference=None):
        built.append(len(X))
        return ranker.data(X, q, reference)

    r = execute(replace(p, family=replace(ranker, data=data)))
    sizes = {int(n) for n in r.trials["params_candidates"]}
    # training and validation sets once per size, and the refit's own set once
    assert len(built) == 2 * len(sizes) + 1


def test_jobs_run_ranking_trials_in_parallel_threads(events):
    r = tuneplate.tune(
        "recommendation", data=events, user="customer_id", item="product_id", n_trials=3, jobs=2
    )
    assert r.counts["completed"] + r.counts["pruned"] == 3
    assert r.config["jobs"] == 2


def test_ranking_threads_per_fit_are_named_and_split_among_jobs(monkeypatch):
    monkeypatch.setattr("tuneplate.engine.tasks.task.cores", lambda: 8)
    assert threads_per_fit(LARGE_LOG - 1, jobs=1, large=LARGE_LOG) == 1
    assert threads_per_fit(LARGE_LOG, jobs=1, large=LARGE_LOG) == 8
    assert threads_per_fit(LARGE_LOG, jobs=2, large=LARGE_LOG) == 4


def test_warm_start_from_an_earlier_ranking_run(events, tmp_path):
    kwargs = dict(data=events, user="customer_id", item="product_id", strategy="random")
    earlier = tuneplate.tune("recommendation", n_trials=2, **kwargs)
    earlier.save(tmp_path)
    r = tuneplate.tune("recommendation", n_trials=1, warm_start=tmp_path, seed=7, **kwargs)
    assert r.trials.loc[0, "source"] == "warm-start"
    assert r.trials.loc[0, "params_learning_rate"] == pytest.approx(
        earlier.best_params["learning_rate"]
    )


def test_auto_is_refused_for_ranking_in_one_line(events):
    with pytest.raises(tuneplate.TuneplateError, match="strategy auto chooses among") as info:
        plan(VERTICAL, events, _config(n_trials=1).replace(strategy="auto"))
    assert "\n" not in str(info.value)


@pytest.mark.slow
def test_compare_ranks_ranking_strategies_on_the_same_users(events):
    config = Config.flat(user="customer_id", item="product_id")
    c = compare(VERTICAL, events, config, ["random", "bayes"], budget=20)
    assert [r.strategy for r in c.runs] == ["random", "bayes"]
    assert c.metric.label.startswith("NDCG@")
    assert c.recommended in ("random", "bayes")
    assert c.data["holdout_rows"] > 0


def test_repeat_purchases_are_read_from_the_events_before_the_hold_out(events, monkeypatch):
    """Whether people buy again, and how long "recent" is, were read from the whole
    log, hold-out included: the hold-out's own events shaped the features the hold-out
    was scored with, and the exported score.py, given the events before it, built
    other lists. Exact duplicate rows are not re-purchases either (6% repeated export
    lines switched the run to re-recommending owned items)."""
    from tuneplate.engine.tasks.ranking import candidates as cands
    from tuneplate.engine.tasks.ranking.interactions import Log

    seen = []
    for name in ("repeats_matter", "recent_span"):
        real = getattr(cands, name)
        monkeypatch.setattr(
            cands, name, lambda log, real=real: seen.append(log.events["time"].max()) or real(log)
        )
    p = plan(VERTICAL, events, _config(n_trials=1))
    assert len(seen) == 2 and all(t < p.data.windows.holdout.start for t in seen)
    # exact duplicate rows are not re-buys
    frame = pd.DataFrame(
        {
            "user": ["a", "a", "b", "b"] * 10,
            "item": ["x", "x", "y", "y"] * 10,
            "time": pd.to_datetime(["2024-01-01"] * 40),
            "positive": True,
        }
    )
    assert not cands.repeats_matter(Log(frame, None))


def test_a_day_month_order_never_proved_is_said_at_check_and_run(events):
    """A monthly extract written month first (`12/01/2025`: no day above 12) was read day
    first without a word: December's hold-out was reported as 12 January, and the periods
    and recency features used the compressed dates. Both check and run now say so."""
    from tuneplate.engine.tune import check

    monthly = events.assign(
        timestamp=events["timestamp"].dt.to_period("M").dt.start_time.dt.strftime("%m/%d/%Y")
    )
    config = _config(time="timestamp")
    said = [f for f in check(VERTICAL, monthly, config) if f.check == "date_order_assumed"]
    assert len(said) == 1 and "day first assumed" in said[0].message
    assert "2025-04-01" in said[0].fix
    assert "date_order_assumed" in {f.check for f in plan(VERTICAL, monthly, config).findings}
    proved = events.assign(timestamp=events["timestamp"].dt.strftime("%m/%d/%Y"))
    assert "date_order_assumed" not in {f.check for f in check(VERTICAL, proved, config)}


def test_the_runs_day_month_order_is_saved_for_scoring(events):
    """The run read `01/25/2025` month first, but saved no order: the exported score.py
    decided again from the log it was given, and a log of the first twelve days of a month
    (`01/05/2025`) was read day first, 1 May for 5 January, every list moved, unsaid."""
    proved = events.assign(timestamp=events["timestamp"].dt.strftime("%m/%d/%Y"))
    r = execute(plan(VERTICAL, proved, _config(time="timestamp", n_trials=1)))
    assert r.data["time_format"] == "%m/%d/%Y"
    iso = events.assign(timestamp=events["timestamp"].dt.strftime("%Y-%m-%d"))
    assert "time_format" not in execute(plan(VERTICAL, iso, _config(n_trials=1))).data
