"""XGBoost splits a text column one level against the rest, in the search and the refit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.families.base import Fit
from tuneplate.engine.families.registry import FAMILIES


@pytest.fixture(scope="module")
def many_levels():
    # 30 levels, half of them raise the event rate: a partition split would send a set of
    # levels each way in one node, which is what the family must not do.
    rng = np.random.default_rng(0)
    levels = [f"site{i:02d}" for i in range(30)]
    site = rng.choice(levels, size=3_000)
    risky = np.isin(site, levels[::2])
    X = pd.DataFrame(
        {"site": pd.Categorical(site, categories=levels), "age": rng.normal(50, 10, 3_000)}
    )
    y = (rng.random(3_000) < np.where(risky, 0.4, 0.1)).astype(int)
    return X, y


def _category_set_sizes(booster) -> list[int]:
    trees = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    return [size for tree in trees for size in tree["categories_sizes"]]


def test_search_and_refit_fits_split_one_level_against_the_rest(many_levels):
    X, y = many_levels
    family = FAMILIES["xgboost"]
    params = {**family.space.fixed, **family.space.start}
    data = family.prepare(X[:2_400], y[:2_400], X[2_400:], y[2_400:], Fit(0))
    searched = family.fit(params, None, None, None, None, Fit(0), data=data)
    refit = family.fit(params, X, y, None, None, Fit(0, n_rounds=searched.n_rounds))
    booster = refit.estimator.get_booster()
    sizes = _category_set_sizes(booster)
    assert sizes, "the model never split on the text column"
    assert set(sizes) == {1}
    # XGBoost's own default (partition splits above 4 levels) groups levels on this table,
    # so the assertion above can fail
    default = {k: v for k, v in params.items() if k != "max_cat_to_onehot"}
    plain = family.fit(default, X, y, None, None, Fit(0, n_rounds=searched.n_rounds))
    assert max(_category_set_sizes(plain.estimator.get_booster())) > 1


def test_every_vertical_space_keeps_the_one_level_splits():
    from tuneplate import load_vertical

    for name in ("credit-risk", "diagnosis"):
        space = load_vertical(name).spaces["xgboost"]
        assert space.fixed["max_cat_to_onehot"] > 1_000, name
