"""A saved XGBoost model holds no training row's value as a split threshold.

XGBoost's hist method splits at a training value; the refit moves each such threshold to
the midpoint below it, which sends every training row the same way. Reports and model
files carry aggregates only.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from tuneplate.engine.contract.thresholds import thresholds_between_rows
from tuneplate.engine.families.base import Fit
from tuneplate.engine.families.registry import FAMILIES

FAMILY = FAMILIES["xgboost"]
PARAMS = {**FAMILY.space.fixed, **FAMILY.space.start, "max_depth": 4}


@pytest.fixture(scope="module")
def loans():
    """Amounts and durations as applicants' tables hold them: whole numbers, repeats,
    blanks, a text column, and a wide range."""
    rng = np.random.default_rng(0)
    n = 1_500
    amount = np.round(rng.lognormal(8, 0.7, n), 0)
    duration = rng.choice([6, 12, 18, 24, 36, 48, 60], n).astype(float)
    rate = np.round(rng.uniform(1, 4, n), 2)
    amount[::11] = np.nan
    purpose = pd.Categorical(rng.choice(["car", "tv", "education", "business"], n))
    logit = 0.0004 * np.nan_to_num(amount, nan=3000) + 0.03 * duration - 0.3 * rate - 2.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame({"amount": amount, "duration": duration, "rate": rate, "purpose": purpose})
    return X, y


def _numeric_thresholds(booster) -> list[tuple[int, float]]:
    trees = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    return [
        (feature, np.float32(at))
        for tree in trees
        for left, feature, kind, at in zip(
            tree["left_children"],
            tree["split_indices"],
            tree["split_type"],
            tree["split_conditions"],
            strict=True,
        )  # fmt: skip
        if left != -1 and kind == 0
    ]


def _row_values(X: pd.DataFrame, position: int) -> set:
    column = X.iloc[:, position].to_numpy(dtype=np.float32, na_value=np.nan)
    return set(column[~np.isnan(column)].tolist())


@pytest.mark.parametrize("validated", [False, True])
def test_the_refit_file_holds_no_row_value_and_scores_as_before(loans, validated, tmp_path):
    X, y = loans
    X_val, y_val = (X[1_200:], y[1_200:]) if validated else (None, None)
    fitted = FAMILY.fit(PARAMS, X[:1_200], y[:1_200], X_val, y_val, Fit(0, n_rounds=60))
    booster = fitted.estimator.get_booster()
    thresholds = _numeric_thresholds(booster)
    assert len(thresholds) > 50
    for feature, at in thresholds:
        assert at not in _row_values(X[:1_200], feature)
    # The same fit without the rewrite: the same trees on every training row.
    plain = xgb.XGBClassifier(
        n_estimators=60, tree_method="hist",
        enable_categorical=True, eval_metric="logloss", random_state=0, n_jobs=1,
        **PARAMS,
    )  # fmt: skip
    if validated:  # the family's early stopping, on the same validation fold
        from tuneplate.engine.families.xgboost_callbacks import callbacks

        plain.set_params(callbacks=callbacks(Fit(0), True, PARAMS["learning_rate"]))
        plain.fit(X[:1_200], y[:1_200], eval_set=[(X_val, y_val)], verbose=False)
        assert booster.attr("best_iteration") == plain.get_booster().attr("best_iteration")
    else:
        plain.fit(X[:1_200], y[:1_200], verbose=False)
    rows = X[:1_200]
    ours = fitted.estimator.predict_proba(rows)[:, 1]
    assert np.array_equal(ours, plain.predict_proba(rows)[:, 1])
    # The file scores as the model in memory did.
    path = tmp_path / FAMILY.file
    FAMILY.save(fitted.estimator, path)
    assert np.allclose(
        FAMILY.load(path).predict_proba(X)[:, 1], fitted.estimator.predict_proba(X)[:, 1]
    )
    text = path.read_text()
    assert (
        json.loads(text)["learner"]["attributes"]
        == json.loads(plain.get_booster().save_raw("json"))["learner"]["attributes"]
    )


def test_a_few_distinct_values_move_to_midpoints_and_score_as_before():
    """Four values, every split at one of them (the lowest too, mirrored below it): each
    moves to a midpoint and the booster scores its training rows as before."""
    X = pd.DataFrame({"x": np.array([1.0, 2.0, 3.0, 4.0] * 50)})
    y = np.array([0, 1, 1, 0] * 50)
    booster = xgb.XGBClassifier(n_estimators=3, max_depth=2, tree_method="hist").fit(X, y)
    booster = booster.get_booster()
    before = booster.predict(xgb.DMatrix(X))
    assert thresholds_between_rows(booster, X) > 0
    assert np.array_equal(booster.predict(xgb.DMatrix(X)), before)
    assert all(at not in {1.0, 2.0, 3.0, 4.0} for _, at in _numeric_thresholds(booster))
