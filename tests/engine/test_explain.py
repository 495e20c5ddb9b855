"""Per-row explanations: contributions plus the base value are the model's raw margin.

Issue 17's done-when: for LightGBM, XGBoost and logistic runs, every row's contributions
plus its base value equal the logit of `predict_proba` within 1e-6, and a one-hot column's
levels add into its one column. Three small tuned German credit runs are shared.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit

import tuneplate
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.families import logistic
from tuneplate.engine.families.models import BASE_VALUE, FAMILIES, Fit, Model
from tuneplate.engine.results import Results

# XGBoost predicts and computes TreeSHAP in float32 (both sum leaf values in float32, in
# different orders): its sums match its own margin to float32 round-off over ~100s of
# trees, a few 1e-6 on a margin of about 5, not 1e-6. LightGBM and logistic are float64.
TOLERANCE = {"logistic": 1e-6, "lightgbm": 1e-6, "xgboost": 2e-5}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Results, Results]]:
    """Per family: (the tuned results, the same run saved and loaded back)."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for family in TOLERANCE:
            result = tuneplate.tune("credit-risk", n_trials=2, model=family)
            folder = tmp_path_factory.mktemp(f"explain-{family}")
            result.save(folder)
            out[family] = (result, Results.load(folder))
    return out


@pytest.fixture(scope="module")
def applicants() -> pd.DataFrame:
    return tuneplate.load_vertical("credit-risk").example().table


@pytest.mark.parametrize("family", sorted(TOLERANCE))
@pytest.mark.parametrize("loaded", [False, True], ids=["fresh", "loaded"])
def test_contributions_plus_base_value_are_the_raw_margin(runs, applicants, family, loaded):
    result = runs[family][loaded]
    assert result.model.family == family
    explained = result.explain(applicants)
    names = result.model.schema.names
    assert list(explained.columns) == [*names, BASE_VALUE]
    assert explained.shape == (len(applicants), len(names) + 1)
    assert explained.index.equals(applicants.index)
    proba = np.asarray(result.model.predict_proba(applicants)[:, 1], dtype=float)
    margin = logit(proba)
    np.testing.assert_allclose(
        explained.sum(axis=1).to_numpy(), margin, rtol=0, atol=TOLERANCE[family]
    )
    # one base value for every row: the model's, not the row's
    assert explained[BASE_VALUE].nunique() == 1


@pytest.mark.parametrize("family", sorted(TOLERANCE))
def test_no_protected_or_excluded_column_is_explained(runs, applicants, family):
    result = runs[family][0]
    hidden = {*result.data["protected"], *result.data["excluded"]}
    assert hidden and hidden <= set(applicants.columns)  # present in the rows, yet not used
    assert not hidden & set(result.explain(applicants).columns)


def test_an_empty_batch_gives_an_empty_frame(runs, applicants):
    model = runs["lightgbm"][1].model
    empty = model.explain(applicants.iloc[:0])
    assert empty.shape == (0, len(model.schema.names) + 1)


def test_results_without_a_model_refuse_in_one_line(runs):
    result = runs["logistic"][0]
    bare = Results.from_dict(result.to_dict())  # results.json alone: no model
    with pytest.raises(TuneplateError, match="no model to explain") as info:
        bare.explain(pd.DataFrame({"a": [1]}))
    assert "\n" not in str(info.value)


# -- the logistic pipeline: one-hot levels and missing indicators add into their column --


def _table(n: int = 300, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "amount": rng.lognormal(7, 1, n),
            "age": rng.integers(18, 80, n).astype(float),
            "purpose": rng.choice(["car", "tv", "repairs", "education"], n),
        }
    )
    table.loc[::13, "age"] = np.nan  # a missing indicator joins the age column
    signal = np.log(table["amount"]) - 7 + (table["purpose"] == "car") - 0.5
    return table, (signal + rng.normal(0, 1, n) > 0).to_numpy().astype(int)


def _logistic_model() -> tuple[Model, pd.DataFrame, pd.DataFrame, np.ndarray]:
    table, y = _table()
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    X, _ = schema.encode(table)
    family = FAMILIES["logistic"]
    estimator = family.fit({"C": 0.5}, X, y, None, None, Fit(seed=0)).estimator  # the refit
    return Model("logistic", estimator, schema, "1", {"C": 0.5}), table, X, y


def test_one_hot_levels_add_into_their_one_column():
    model, table, X, _ = _logistic_model()
    explained = model.explain(table)
    assert list(explained.columns) == ["amount", "age", "purpose", BASE_VALUE]
    prep, estimator = model.estimator[:-1], model.estimator[-1]
    names = prep.get_feature_names_out()
    design = logistic._dense(prep.transform(X))
    parts = estimator.coef_[0] * (design - estimator.design_mean_)
    levels = np.array(["__purpose_" in n for n in names])
    assert levels.sum() == 4  # one design column per level
    np.testing.assert_allclose(explained["purpose"], parts[:, levels].sum(axis=1), atol=1e-12)
    indicator = np.array(["missingindicator_age" in n for n in names])
    assert indicator.sum() == 1
    age = np.array([n.endswith("__age") for n in names]) | indicator
    np.testing.assert_allclose(explained["age"], parts[:, age].sum(axis=1), atol=1e-12)
    np.testing.assert_allclose(
        explained.sum(axis=1), model.estimator.decision_function(X), rtol=0, atol=1e-10
    )


def test_logistic_contributions_are_centred_on_the_training_rows():
    """The reference is the training design's mean: contributions average 0 over it, and
    the base value is the margin of that average row."""
    model, table, _, _ = _logistic_model()
    explained = model.explain(table)
    np.testing.assert_allclose(explained.drop(columns=BASE_VALUE).mean(), 0, atol=1e-10)
    estimator = model.estimator[-1]
    base = estimator.intercept_[0] + estimator.coef_[0] @ estimator.design_mean_
    np.testing.assert_allclose(explained[BASE_VALUE], base, rtol=0, atol=1e-12)


def test_a_pipeline_without_a_stored_mean_still_sums_to_its_margin():
    """Pipelines saved before the mean was recorded: numbers keep the scaler's centre,
    one-hot columns are measured from "no level"; the sums stay exact."""
    model, table, X, _ = _logistic_model()
    del model.estimator[-1].design_mean_
    explained = model.explain(table)
    np.testing.assert_allclose(
        explained.sum(axis=1), model.estimator.decision_function(X), rtol=0, atol=1e-10
    )
    assert explained[BASE_VALUE].iloc[0] == pytest.approx(model.estimator[-1].intercept_[0])
