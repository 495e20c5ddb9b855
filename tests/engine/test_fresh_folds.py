"""The fresh-fold choice fits its folds in threads and scores them as one at a time.

`blending.fresh_scores` refits the best trial and the baseline on 2 × 5 fresh folds after
the search. With cores to spare (`CrossValidation.workers` above 1) the folds run in
threads, like a trial's folds in the search; a user relies on the choice being the same
whatever the machine's cores, so the scores must be identical, fold for fold.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace

import numpy as np
import pytest

from tuneplate.engine.families import blend
from tuneplate.engine.tasks.binary import blending
from tuneplate.engine.tune import Config, plan
from tuneplate.verticals import load_vertical


@pytest.fixture(scope="module")
def german():
    """A credit-risk plan on German credit, its scorer and a LightGBM + scorecard blend."""
    p = plan(load_vertical("credit-risk"), config=Config.flat(n_trials=1))
    spaces = p.vertical.spaces
    members = [
        {"family": name, "params": {**spaces[name].fixed, **spaces[name].start}, "n_rounds": None}
        for name in ("lightgbm", "scorecard")
    ]
    return p, p.task.scorer(p, None), {"members": members, "weights": [0.5, 0.5]}


def test_fresh_folds_in_threads_score_as_one_at_a_time(german, monkeypatch):
    p, cv, params = german
    threads = []
    fit = blend.fit

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return fit(*args, **kwargs)

    monkeypatch.setattr(blend, "fit", recorded)
    alone = blending.fresh_scores(p, replace(cv, workers=1), params)
    assert set(threads) == {threading.main_thread().name}
    threads.clear()
    together = blending.fresh_scores(p, replace(cv, workers=2), params)
    assert len(threads) == 10 and all(name.startswith("fresh-fold") for name in threads)
    assert alone.shape == (10, 3)  # 2 cuts x 5 folds; best, baseline, blend
    np.testing.assert_array_equal(together, alone)


def test_a_monotone_break_on_any_fold_leaves_the_choice_to_the_search(german, monkeypatch):
    """A member that cannot honour --monotone on one fresh fold: no decision (None), and
    no fold not yet begun is fitted after it."""
    p, cv, params = german
    calls = itertools.count()  # next() is atomic: two threads never draw the same number
    fit = blend.fit

    def breaks_on_the_third(*args, **kwargs):
        if next(calls) == 2:
            raise blending.MonotoneViolation("the scorecard's points go against --monotone")
        return fit(*args, **kwargs)

    monkeypatch.setattr(blend, "fit", breaks_on_the_third)
    assert blending.fresh_scores(p, replace(cv, workers=2), params) is None
    assert next(calls) < 10  # the folds begun: fewer than all ten
