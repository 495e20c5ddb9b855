"""The model-family contract, driven by the registries: a new family is covered by adding it."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.families import spaces
from tuneplate.engine.families.models import FAMILIES, MODEL_FILES, Fit, Model, get_family
from tuneplate.engine.families.rankers import RANKERS, RankFit, RankModel, fit_ranker
from tuneplate.engine.tasks.ranking.metrics import Queries


def _table(n=240, seed=0):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "amount": rng.lognormal(7, 1, n),
            "age": rng.integers(18, 80, n).astype(float),
            "purpose": pd.Categorical(rng.choice(["car", "tv", "repairs"], n)),
        }
    )
    table.loc[::17, "age"] = np.nan  # the imputer and the boosters' missing branch both run
    y = (np.log(table["amount"]) - 7 + (table["purpose"] == "car") + rng.normal(0, 1, n)) > 0.3
    return table, y.to_numpy().astype(int)


def _fitted_model(name: str) -> tuple[Model, pd.DataFrame]:
    table, y = _table()
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    X, _ = schema.encode(table)
    family = FAMILIES[name]
    params = {**family.space.start, **family.space.fixed}
    fit = Fit(seed=0, n_rounds=20)  # a fixed number of rounds: the refit's way
    estimator = family.fit(params, X, y, None, None, fit).estimator
    return Model(name, estimator, schema, "1", params, fit.saved()), table


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_family_saves_natively_and_loads_to_identical_predictions(name, tmp_path):
    model, table = _fitted_model(name)
    family = FAMILIES[name]
    path = model.save(tmp_path)
    assert path == tmp_path / family.file and path.is_file()
    meta = json.loads((tmp_path / "model.json").read_text())
    assert (meta["family"], meta["file"]) == (name, family.file)
    loaded = Model.load(tmp_path)
    assert loaded.family == name and loaded.params == model.params and loaded.fit == model.fit
    # The event's probability is the same number; P(no event) = 1 - p may be rounded in
    # float32 by a scikit-learn wrapper (XGBClassifier) and in float64 after loading.
    again, first = loaded.predict_proba(table), model.predict_proba(table)
    np.testing.assert_array_equal(again[:, 1], first[:, 1])
    np.testing.assert_allclose(again, first, rtol=0, atol=1e-7)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_family_is_complete_and_filed_under_its_name(name):
    family = FAMILIES[name]
    assert family.name == name and get_family(name, FAMILIES) is family
    assert MODEL_FILES[name] == family.file
    assert family.space.params and family.space.contains(family.space.start)
    assert family.cost > 0
    # boosted fits reuse binned folds; so does the scorecard (its bins, for every C)
    assert family.prepare is not None or not family.boosted


def test_model_save_and_load_name_no_family(tmp_path, monkeypatch):
    # A family added to the registry is saved and loaded by its own functions alone.
    model, table = _fitted_model("logistic")
    copy = replace(FAMILIES["logistic"], name="plain", file="model.plain.skops")
    monkeypatch.setitem(FAMILIES, "plain", copy)
    model.family = "plain"
    assert model.save(tmp_path).name == "model.plain.skops"
    loaded = Model.load(tmp_path)
    np.testing.assert_array_equal(loaded.predict_proba(table), model.predict_proba(table))


def test_an_unknown_family_in_model_json_is_refused_in_one_line(tmp_path):
    model, _ = _fitted_model("logistic")
    model.save(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    (tmp_path / "model.json").write_text(json.dumps({**meta, "family": "catboost"}))
    with pytest.raises(TuneplateError, match="unknown model family 'catboost'") as err:
        Model.load(tmp_path)
    assert "\n" not in str(err.value)


def test_the_default_spaces_are_the_families_own():
    assert spaces.LIGHTGBM is FAMILIES["lightgbm"].space
    assert spaces.XGBOOST is FAMILIES["xgboost"].space
    assert spaces.LOGISTIC is FAMILIES["logistic"].space


# -- rankers -----------------------------------------------------------------------------


def _queries(n_users=30, per_user=8, seed=1):
    rng = np.random.default_rng(seed)
    users = np.repeat(np.arange(n_users), per_user)
    X = pd.DataFrame({"f1": rng.normal(size=users.size), "f2": rng.normal(size=users.size)})
    label = (X["f1"] + rng.normal(size=users.size) > 0.8).to_numpy().astype(int)
    return X, Queries(users, label, pd.Series(dtype=float))


@pytest.mark.parametrize("name", sorted(RANKERS))
def test_every_ranker_saves_natively_and_loads_to_identical_scores(name, tmp_path):
    X, q = _queries()
    model = fit_ranker(RANKERS[name], {"learning_rate": 0.1}, X, q, RankFit(0, 5, n_rounds=10))
    path = model.save(tmp_path)
    assert path.name == RANKERS[name].file
    assert json.loads((tmp_path / "model.json").read_text())["task"] == "ranking"
    loaded = RankModel.load(tmp_path)
    assert (loaded.family, loaded.n_rounds, loaded.features) == (name, 10, ["f1", "f2"])
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


class _Stop(Exception):
    pass


@pytest.mark.parametrize("name", sorted(RANKERS))
def test_every_ranker_reports_each_round_and_can_be_stopped(name):
    ranker = RANKERS[name]
    X, q = _queries()
    train = ranker.data(X[:160], Queries(q.users[:160], q.label[:160], q.missed))
    valid = ranker.data(X[160:], Queries(q.users[160:], q.label[160:], q.missed), train)
    seen = []

    def on_round(done, value):
        seen.append((done, value))
        if done == 3:
            raise _Stop  # what a pruned or late trial does

    callbacks = [ranker.each_round(on_round)]
    with pytest.raises(_Stop):
        ranker.train({"learning_rate": 0.1}, train, valid, RankFit(0, 5), callbacks)
    assert [done for done, _ in seen] == [1, 2, 3]
    assert all(isinstance(value, float) for _, value in seen)  # the validation NDCG@k


def test_the_logistic_fill_value_saved_in_the_model_is_no_rows_value():
    """The baseline's model file kept SimpleImputer medians, each one patient's exact
    value (age 51.2334017796); the mean is kept instead, an aggregate."""
    rng = np.random.default_rng(3)
    age = pd.Series(np.round(rng.uniform(20, 80, 300), 10))  # 257 given: an odd count
    age[::7] = np.nan
    X = pd.DataFrame({"age": age, "bili": rng.gamma(2.0, 1.3, 300)})
    y = (rng.random(300) < 0.3).astype(int)
    family = FAMILIES["logistic"]
    model = family.fit({"C": 1.0}, X, y, None, None, Fit(0)).estimator
    imputers = [
        step for _, pipe, _ in model[0].transformers_ if hasattr(pipe, "steps")
        for _, step in pipe.steps if hasattr(step, "statistics_")
    ]  # fmt: skip
    (imputer,) = imputers
    assert not np.isin(imputer.statistics_[0], age.dropna().to_numpy())
