"""After the search, the out-of-fold scores reuse the data the search built for its folds.

A blend's scorecard member and a scorecard baseline were binned again on every fold
(optbinning, about a second per fold on a few thousand rows), and a blend's boosted
member rebuilt its fold matrices: on a 1,470-row credit table that was most of the time
the run spent after its search. The scores must not change: the same fits as the
search's, on the same fold data.
"""

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract import binning
from tuneplate.engine.families import blend
from tuneplate.engine.families.base import Fit
from tuneplate.engine.families.models import get_family
from tuneplate.engine.tasks.binary.evaluation import baseline, out_of_fold
from tuneplate.engine.tasks.binary.folds import FoldCache
from tuneplate.engine.tune import Config, plan
from tuneplate.verticals import load_vertical


@pytest.fixture
def binnings(monkeypatch):
    """How many times the scorecard's inputs are binned (optbinning's `BinningProcess`)."""
    calls = []
    original = binning.bin_inputs

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(binning, "bin_inputs", counted)
    return calls


def small_table(rows=600, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "income": rng.lognormal(10, 0.5, rows),
            "age": rng.integers(18, 80, rows).astype(float),
            "region": pd.Categorical(rng.choice(["north", "south", "east", "west"], rows)),
        }
    )
    logit = -1.5 + 0.8 * (X["age"] < 30) - 0.5 * np.log(X["income"] / 20_000)
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).to_numpy().astype(int)
    folds = [(np.setdiff1d(np.arange(rows), v), v) for v in np.array_split(np.arange(rows), 3)]
    return X, y, folds


BLEND = {
    "members": [
        {"family": "lightgbm", "params": {"num_leaves": 7, "learning_rate": 0.1}, "n_rounds": 40},
        {"family": "scorecard", "params": {"C": 1.0}, "n_rounds": None},
    ],
    "weights": [0.5, 0.5],
}


def test_a_blends_out_of_fold_scores_fit_on_the_search_fold_data(binnings):
    X, y, folds = small_table()
    cache = FoldCache(X, y, folds, Fit(0))
    for step in range(len(folds)):  # what the search's trials built
        for name in ("lightgbm", "scorecard"):
            cache.get(get_family(name), step)
    assert len(binnings) == len(folds)

    cached = out_of_fold(blend.FAMILY, BLEND, X, y, folds, Fit(0), cache)
    assert len(binnings) == len(folds)  # no fold binned again

    from_rows = out_of_fold(blend.FAMILY, BLEND, X, y, folds, Fit(0))
    assert len(binnings) == 2 * len(folds)
    np.testing.assert_array_equal(cached[0], from_rows[0])
    np.testing.assert_allclose(cached[1], from_rows[1], rtol=1e-9)


def test_a_blend_with_a_member_that_prepares_nothing_fits_it_on_the_rows(binnings):
    X, y, folds = small_table(seed=1)
    cache = FoldCache(X, y, folds, Fit(0))
    params = {
        "members": [BLEND["members"][1], {"family": "logistic", "params": {"C": 1.0}}],
        "weights": [0.5, 0.5],
    }
    cached = out_of_fold(blend.FAMILY, params, X, y, folds, Fit(0), cache)
    from_rows = out_of_fold(blend.FAMILY, params, X, y, folds, Fit(0))
    np.testing.assert_allclose(cached[1], from_rows[1], rtol=1e-9)
    assert len(binnings) == 2 * len(folds)  # the cache binned each fold once, at first use
    assert blend.fold_data(params, lambda family: family.name).keys() == {"scorecard"}


def test_a_recommended_scorecard_baseline_reuses_the_search_bins(binnings):
    p = plan(load_vertical("credit-risk"), config=Config.flat(n_trials=2, seed=4))
    X = p.schema.encode(p.table)[0]
    dev, hold = p.split.development, p.split.holdout
    X_dev, y_dev, X_hold, y_hold = X.iloc[dev], p.y[dev], X.iloc[hold], p.y[hold]
    cache = FoldCache(X_dev, y_dev, p.split.folds, p.fit)
    scorecard = get_family("scorecard", p.vertical.spaces)
    for step in range(len(p.split.folds)):
        cache.get(scorecard, step)
    # a "tuned" model no better than chance: the scorecard baseline is recommended
    tuned = np.full(len(y_hold), y_dev.mean())
    searched = len(binnings)

    base, model = baseline(p, X_dev, y_dev, X_hold, y_hold, tuned=tuned, cache=cache)
    assert base.recommended and model is not None
    assert len(binnings) == searched + 1  # its fit on every development row only

    again, _ = baseline(p, X_dev, y_dev, X_hold, y_hold, tuned=tuned)
    assert len(binnings) == searched + 2 + len(p.split.folds)
    # the same figures and cut-offs either way
    assert (base.holdout, base.metrics, base.headline) == (
        again.holdout,
        again.metrics,
        again.headline,
    )
    assert [t.key for t in base.tables] == [t.key for t in again.tables]
    for ours, theirs in zip(base.tables, again.tables, strict=True):
        pd.testing.assert_frame_equal(ours.frame, theirs.frame)
