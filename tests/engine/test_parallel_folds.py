"""A trial's folds scored at once in threads: the same trials, sooner, and the same stops."""

from __future__ import annotations

import threading
import time

import numpy as np
import optuna
import pytest

import tuneplate
from tuneplate.engine.search.objective import STOPPED, FoldScore, make_objective
from tuneplate.engine.tasks import task as tasks


class Folds:
    """A scorer of `n_steps` folds whose score is the fold number times x."""

    reports_folds = True

    def __init__(self, n_steps: int, workers: int, score=None):
        self.n_steps, self.workers, self.threads = n_steps, workers, []
        self._score = score

    def suggest(self, trial):
        return None, {"x": trial.suggest_float("x", 0, 1)}

    def workers_for(self, family):
        return self.workers

    def score(self, family, params, step, guard):
        self.threads.append(threading.current_thread().name)
        if self._score is not None:
            self._score(step, guard)
        return FoldScore(valid=params["x"] * (step + 1), train=0.0)


def test_the_folds_of_a_wave_run_at_once():
    # Both folds of a wave must reach the barrier together: scored one after the
    # other, the first would wait out the timeout and break it.
    barrier = threading.Barrier(2, timeout=10)
    scorer = Folds(4, workers=2, score=lambda step, guard: barrier.wait())
    study = optuna.create_study()
    study.optimize(make_objective(scorer, deadline=None), n_trials=2)
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.COMPLETE] * 2
    # the trial's own thread scores one fold of each wave, a fold thread the other
    main = threading.current_thread().name
    assert sorted(n == main for n in scorer.threads) == [False] * 4 + [True] * 4
    assert all(n.startswith("fold") for n in scorer.threads if n != main)


def test_the_pruner_sees_the_running_means_fold_by_fold_in_fold_order():
    scorer = Folds(5, workers=2)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(make_objective(scorer, deadline=None), n_trials=1)
    trial = study.trials[0]
    x = trial.params["x"]
    running = [np.mean([x * (k + 1) for k in range(step + 1)]) for step in range(5)]
    assert [trial.intermediate_values[s] for s in range(5)] == pytest.approx(running)
    assert trial.value == pytest.approx(running[-1])
    assert trial.user_attrs["fold_scores"] == pytest.approx([x * (k + 1) for k in range(5)])


def test_a_fold_that_meets_the_deadline_in_its_thread_stops_the_study():
    """`optuna.Study.stop` may only be called in the trial's own thread: a deadline met
    inside a fold's worker is recorded there, after the wave, and no trial follows."""

    def slow(step, guard):
        time.sleep(0.3)
        guard.check()

    study = optuna.create_study()
    deadline = time.monotonic() + 0.1
    study.optimize(make_objective(Folds(3, workers=2, score=slow), deadline), n_trials=20)
    assert len(study.trials) == 1
    assert study.trials[0].state == optuna.trial.TrialState.PRUNED
    assert study.trials[0].user_attrs[STOPPED] is True


@pytest.mark.parametrize("vertical", ["credit-risk", "diagnosis"])
def test_the_same_seed_gives_the_same_trials_on_one_core_and_on_four(vertical, monkeypatch):
    """Folds in parallel change when a trial ends, never what it scores: the same seed
    and trial count give the same settings, states (the median pruner judging after the
    second fold), fold means and train scores, to the last bit, and the same model (the
    embedded tables: German credit and breast cancer, 5 folds, so waves of 4 and 1).
    LightGBM alone: only the boosted families score their folds at once (below), and
    `auto`'s scorecard trials took two thirds of the test's time."""
    runs = {}
    for n in (1, 4):
        monkeypatch.setattr(tasks, "cores", lambda n=n: n)
        runs[n] = tuneplate.tune(vertical, seed=3, n_trials=16, pruner="median", model="lightgbm")
    one, four = runs[1].trials, runs[4].trials
    columns = [c for c in one.columns if c.startswith("params_")] + ["state", "value", "train"]
    assert one[columns].equals(four[columns])
    assert (one["state"] == "PRUNED").any()  # the pruner judged some trials
    assert runs[1].holdout == runs[4].holdout
    assert runs[1].model_family == runs[4].model_family


def test_only_the_boosted_families_score_their_folds_at_once():
    from tuneplate.engine.families.registry import FAMILIES
    from tuneplate.engine.tasks.binary.folds import CrossValidation

    cv = CrossValidation(FAMILIES, None, None, None, [], None, None, workers=3, cache=object())
    assert {n: cv.workers_for(FAMILIES[n]) for n in ("lightgbm", "xgboost")} == {
        "lightgbm": 3,
        "xgboost": 3,
    }
    assert {n: cv.workers_for(FAMILIES[n]) for n in ("logistic", "scorecard")} == {
        "logistic": 1,
        "scorecard": 1,
    }


def test_fold_workers_share_the_cores_among_parallel_trials(monkeypatch):
    monkeypatch.setattr(tasks, "cores", lambda: 8)
    assert tasks.fold_workers(12_000, n_folds=3) == 3  # at most one thread per fold
    assert tasks.fold_workers(12_000, n_folds=5, jobs=4) == 2
    assert tasks.fold_workers(12_000, n_folds=5, jobs=16) == 1
    assert tasks.fold_workers(80_000, n_folds=3) == 1  # big tables: each fit has the cores
    monkeypatch.setattr(tasks, "cores", lambda: 1)
    assert tasks.fold_workers(12_000, n_folds=5) == 1
