"""Scoring and validate read any batch an extract can send without crashing.

Found on Caravan's own hold-out: a two-level input whose new values all sat at 0 put the
off-range rule's spread at NaN / 0, and `predict_proba` raised ZeroDivisionError. Here
every kind of input a table holds (flags 0/1 and 1/2, a 1-4 code, a long-tailed amount,
a spike at 0, an overdraft below 0, a rate in 0-1, a date) is sent as an extract breaks
it (all 0, all one value, all missing, times 100, over 100, negated, text, one
typo of 1e12), in a small
and a large batch: each scores, or strict refuses with one line; nothing else.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.monitoring import drift_rows
from tuneplate.engine.contract.profile import Profile
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.families.models import Model


class _Half:
    """An estimator that gives every row 0.5: the contract is under test, not a model."""

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)


def _table(n: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "flag01": rng.choice([0, 1], n, p=[0.7, 0.3]),
            "flag12": rng.choice([1, 2], n, p=[0.85, 0.15]),
            "code": rng.choice([1, 2, 3, 4], n, p=[0.14, 0.23, 0.16, 0.47]),
            "amount": rng.lognormal(7.7, 0.8, n).round(0),
            "overdue": np.where(rng.uniform(size=n) < 0.9, 0.0, rng.gamma(2, 300, n).round(0)),
            "overdraft": -rng.gamma(2, 500, n).round(0),
            "rate": rng.uniform(0, 1, n).round(3),
            "opened": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
        }
    )


@pytest.fixture(scope="module")
def model() -> Model:
    table = _table()
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    encoded = schema.encode(table)[0]
    profile = Profile.learn(schema, encoded, np.random.default_rng(1).uniform(0, 1, len(table)))
    return Model("logistic", _Half(), schema, "1", {}, profile=profile)


BREAKS = {
    "all 0": lambda s: s * 0 if s.dtype.kind != "M" else pd.Series(pd.NaT, index=s.index),
    "one value": lambda s: s.iloc[[0] * len(s)].set_axis(s.index),
    "all missing": lambda s: pd.Series(np.nan, index=s.index, dtype=object),
    "times 100": lambda s: s * 100 if s.dtype.kind != "M" else s,
    "over 100": lambda s: s / 100 if s.dtype.kind != "M" else s,
    "negated": lambda s: -s if s.dtype.kind != "M" else s,
    "as text": lambda s: s.astype(str) + " units",
    "minus one": lambda s: s * 0 - 1 if s.dtype.kind != "M" else s,
    "one typo": lambda s: s.where(s.index != s.index[0], 1e12) if s.dtype.kind != "M" else s,
}


@pytest.mark.parametrize("rows", [5, 40, 400])
@pytest.mark.parametrize("broken", sorted(BREAKS))
def test_every_input_broken_every_way_scores_or_is_refused_in_one_line(model, broken, rows):
    table = _table(rows, seed=7)
    for column in table.columns:
        batch = table.assign(**{column: BREAKS[broken](table[column])})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # what is said is tested elsewhere
            scores = model.predict_proba(batch)
            assert scores.shape == (rows, 2), (column, broken)
            try:
                model.predict_proba(batch, strict=True)
            except TuneplateError as e:
                assert "\n" not in str(e).strip(), (column, broken, str(e))
            encoded, counts = model.schema.encode(batch)
            drift = drift_rows(model.profile, model.schema, encoded, scores[:, 1], counts)
            assert drift, (column, broken)
