"""Adaptive early stopping: a fold waits `patience(best round, learning rate)` rounds, no
more."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.families.base import PATIENCE, SLOW_RATE, Fit, patience
from tuneplate.engine.families.registry import FAMILIES
from tuneplate.engine.search.budget import rate_floor


def test_patience_grows_with_the_best_round_up_to_the_cap():
    assert patience(1) == 20 and patience(10) == 23
    assert patience(100) == PATIENCE == patience(10_000)
    assert all(patience(r) <= patience(r + 1) for r in range(1, 300))


def test_slow_learning_rates_wait_for_the_same_shrinkage_not_the_same_rounds():
    # the cap grows as 1/learning_rate below 0.05: 0.0125 waits up to four times as long
    assert patience(10_000, 0.0125) == 4 * PATIENCE and patience(10_000, 0.025) == 2 * PATIENCE
    assert patience(400, 0.0125) == 20 + 120  # still adaptive below the cap
    assert patience(10, 0.0125) == patience(10)  # an early best round waits as before
    # the library defaults (None), 0.05 and faster: as before; nonsense rates too
    for rate in (None, 0.05, 0.1, 0.3, np.float32(0.3), 0.0, -0.1, math.nan):
        assert patience(10_000, rate) == PATIENCE
    assert patience(10_000, np.float64(0.0125)) == patience(10_000, "0.0125") == 4 * PATIENCE
    # a 30 s budget searches no rate that waits longer, so its runs are unchanged
    assert rate_floor(30) >= SLOW_RATE


@pytest.fixture(scope="module")
def noisy():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(2_000, 8)), columns=[f"x{i}" for i in range(8)])
    y = (X["x0"] + 2 * rng.normal(size=len(X)) > 0).to_numpy().astype(int)
    return X, y


@pytest.mark.parametrize("name", ["lightgbm", "xgboost"])
@pytest.mark.parametrize("learning_rate", [0.3, 0.05, 0.01])
def test_a_fold_stops_patience_rounds_after_its_best_round(name, learning_rate, noisy):
    X, y = noisy
    family = FAMILIES[name]
    params = {**family.space.start, **family.space.fixed, "learning_rate": learning_rate}
    data = family.prepare(X[:1_500], y[:1_500], X[1_500:], y[1_500:], Fit(0))
    prepared = family.fit(params, None, None, None, None, Fit(0), data=data)
    plain = family.fit(params, X[:1_500], y[:1_500], X[1_500:], y[1_500:], Fit(0))
    # both fit paths stop at the same best round, and the booster built exactly
    # `patience(best)` rounds past it
    assert prepared.n_rounds == plain.n_rounds
    history = next(iter(next(iter(plain.estimator.evals_result_.values())).values()))
    assert len(history) == prepared.n_rounds + patience(prepared.n_rounds, learning_rate)
    if learning_rate < SLOW_RATE:  # the slow rate's longer wait was really used
        assert patience(prepared.n_rounds, learning_rate) > PATIENCE
    # the best round is the lowest validation log-loss of the rounds built
    assert int(np.argmin(history)) + 1 == prepared.n_rounds
