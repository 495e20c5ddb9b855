"""Adaptive early stopping: a fold waits `patience(best round)` rounds, no more."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.families.base import PATIENCE, Fit, patience
from tuneplate.engine.families.registry import FAMILIES


def test_patience_grows_with_the_best_round_up_to_the_cap():
    assert patience(1) == 20 and patience(10) == 23
    assert patience(100) == PATIENCE == patience(10_000)
    assert all(patience(r) <= patience(r + 1) for r in range(1, 300))


@pytest.fixture(scope="module")
def noisy():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(2_000, 8)), columns=[f"x{i}" for i in range(8)])
    y = (X["x0"] + 2 * rng.normal(size=len(X)) > 0).to_numpy().astype(int)
    return X, y


@pytest.mark.parametrize("name", ["lightgbm", "xgboost"])
@pytest.mark.parametrize("learning_rate", [0.3, 0.05])
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
    assert len(history) == prepared.n_rounds + patience(prepared.n_rounds)
    # the best round is the lowest validation log-loss of the rounds built
    assert int(np.argmin(history)) + 1 == prepared.n_rounds
