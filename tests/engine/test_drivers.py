"""What drives the predictions (issue 17, item 1): the hold-out's global view.

A toy table where `driver` raises the risk and `noise` is pure noise: the ranking by mean
|contribution| and the direction; band edges are never a row's value; a rare level is
pooled; a real run's results.json carries data["drivers"], aggregates only.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.engine.contract.kinds import MIN_LEVEL_ROWS
from tuneplate.engine.contract.profile import Profile
from tuneplate.engine.contract.schema import OTHER, Schema
from tuneplate.engine.families.models import FAMILIES, Fit, Model
from tuneplate.engine.results import Results
from tuneplate.engine.tasks.binary.drivers import band_effects, drivers, level_effects


def _toy(family: str, sign: int = 1, n: int = 600, seed: int = 0):
    """(model, encoded rows, table): `driver` raises the event's odds (lowers them with
    sign=-1), `noise` is independent of the outcome."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "noise": rng.normal(size=n),
            "driver": rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue"], n),
        }
    )
    table.loc[:2, "colour"] = "violet"  # 3 rows: a level the hold-out view must pool
    y = (2 * sign * table["driver"] + rng.logistic(size=n) > 0).to_numpy().astype(int)
    schema, _ = Schema.learn(table, list(table.columns))
    X, _ = schema.encode(table)
    params = {"C": 1.0} if family == "logistic" else {"num_leaves": 7}
    estimator = FAMILIES[family].fit(params, X, y, None, None, Fit(seed=0, n_rounds=50)).estimator
    p = estimator.predict_proba(X)[:, 1]
    model = Model(family, estimator, schema, "1", params, profile=Profile.learn(schema, X, p, y))
    return model, X, table


@pytest.mark.parametrize("family", ["logistic", "lightgbm"])
def test_the_driver_ranks_first_and_raises_the_risk(family):
    model, X, _ = _toy(family)
    record = drivers(model, X)
    names = [e["name"] for e in record["inputs"]]
    assert names[0] == "driver"
    by_name = {e["name"]: e for e in record["inputs"]}
    assert by_name["driver"]["mean_abs"] > 5 * by_name["noise"]["mean_abs"]
    assert by_name["driver"]["direction"] > 0.9  # higher values raise the risk
    assert record["units"] == "log-odds" and record["rows"] == len(X)
    json.dumps(record)  # JSON-safe as it is


@pytest.mark.parametrize("family", ["logistic", "lightgbm"])
def test_the_sign_follows_a_column_that_lowers_the_risk(family):
    model, X, _ = _toy(family, sign=-1)
    by_name = {e["name"]: e for e in drivers(model, X)["inputs"]}
    assert by_name["driver"]["direction"] < -0.9


def test_band_edges_are_the_profiles_and_never_a_rows_value():
    model, X, table = _toy("lightgbm")
    record = drivers(model, X)
    effects = next(e for e in record["inputs"] if e["name"] == "driver")["effects"]
    edges = {g[k] for g in effects for k in ("low", "high") if g.get(k) is not None}
    assert edges, effects
    assert edges <= set(model.profile.columns["driver"].edges)
    assert not edges & set(table["driver"])
    assert all(g["rows"] >= MIN_LEVEL_ROWS for g in effects)
    assert sum(g["rows"] for g in effects) == len(X)


def test_small_bands_merge_into_their_neighbours():
    x = np.arange(30.0)
    groups = band_effects(x, x, (0.5, 1.5, 14.5, 28.5))  # bands of 1, 1, 13, 14 and 1 rows
    assert [g["rows"] for g in groups] == [15, 15]
    assert groups[0] == {"low": None, "high": 14.5, "rows": 15, "mean": 7.0}
    assert groups[1]["low"] == 14.5 and groups[1]["high"] is None


def test_a_rare_level_is_pooled_and_a_tiny_pool_left_out():
    levels = pd.Categorical(["a"] * 12 + ["b"] * 6 + ["c"] * 5 + ["d"] * 2)
    contribution = np.r_[np.ones(12), np.full(6, -1.0), np.full(5, 2.0), np.full(2, 5.0)]
    groups = level_effects(levels, contribution)
    few = "(levels under 10 hold-out rows)"  # not OTHER, the model's own pooled level
    assert {g["level"] for g in groups} == {"a", few}
    pooled = next(g for g in groups if g["level"] == few)
    assert pooled["rows"] == 13  # b, c and d together
    # the model's own "(other)" level, common on the hold-out, stays apart from them
    with_other = pd.Categorical([OTHER] * 12 + ["b"] * 6 + ["c"] * 5)
    named = {g["level"] for g in level_effects(with_other, np.r_[np.ones(12), -np.ones(11)])}
    assert named == {OTHER, few}
    assert level_effects(pd.Categorical(["a"] * 12 + ["b"] * 3), np.ones(15)) == [
        {"level": "a", "rows": 12, "mean": 1.0}
    ]


def test_the_toy_models_rare_level_never_shows_alone():
    model, X, _ = _toy("logistic")
    record = drivers(model, X, top=3)
    colour = next(e for e in record["inputs"] if e["name"] == "colour")
    assert "violet" not in {g.get("level") for g in colour["effects"]}
    assert all(g["rows"] >= MIN_LEVEL_ROWS for g in colour["effects"])


def test_results_json_carries_the_drivers_of_the_recommended_model(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tuneplate.tune("credit-risk", n_trials=2, model="lightgbm")
    result.save(tmp_path)
    saved = json.loads((tmp_path / "results.json").read_text())
    record = saved["data"]["drivers"]
    recommended = "scorecard" if result.baseline.recommended else "lightgbm"
    assert record["family"] == recommended
    names = [e["name"] for e in record["inputs"]]
    assert set(names) == set(result.model.schema.names)
    assert not set(names) & set(saved["data"]["protected"])  # never a protected column
    shares = [e["mean_abs"] for e in record["inputs"]]
    assert shares == sorted(shares, reverse=True)
    assert sum("effects" in e for e in record["inputs"]) == 5
    assert Results.load(tmp_path, model=False).data["drivers"] == record


def test_the_report_section_words_the_recorded_drivers():
    from report_drivers import CREDIT_DRIVERS

    from tuneplate.reports import drivers as report

    class Run:  # only `data` is read
        data = {"drivers": CREDIT_DRIVERS}

    assert report.drivers_title(Run()) == (
        "status_of_existing_checking_account moves the predicted risk most, then duration_in_month"
    )
    shown = report.section(Run())
    assert [i["name"] for i in shown["inputs"]][:2] == [
        "status_of_existing_checking_account",
        "duration_in_month",
    ]
    duration = shown["inputs"][1]
    assert duration["direction"].startswith("Higher values raise the predicted risk")
    assert duration["rows"][0][0] == "up to 7.5" and duration["rows"][-1][0] == "above 37.5"
    assert report.drivers_chart(Run()).startswith("<svg")


def test_under_group_the_minimums_count_entities_not_rows():
    """41 visits of 5 patients are 5 people: a band or level shown must hold 10 patients."""
    rng = np.random.default_rng(0)
    patients = np.repeat(np.arange(40), 8)  # 40 patients, 8 visits each
    x = rng.normal(size=len(patients))
    x[patients < 5] += 100.0  # 5 patients (40 visits) far above the rest: one band
    contribution = rng.normal(size=len(patients))
    edges = (-1.0, 0.0, 1.0, 50.0)
    by_rows = band_effects(x, contribution, edges)
    assert any(g["low"] == 50.0 for g in by_rows)  # 40 rows: shown when rows count
    by_people = band_effects(x, contribution, edges, entities=patients)
    assert not any(g["low"] == 50.0 for g in by_people)  # 5 patients: merged
    assert sum(g["rows"] for g in by_people) == len(x)
    level = np.where(patients < 5, "rare", np.where(patients % 2, "a", "b"))
    assert "rare" in [g.get("level") for g in level_effects(level, contribution)]
    pooled = level_effects(level, contribution, entities=patients)
    assert "rare" not in [g.get("level") for g in pooled]
    assert all(g.get("level") != "rare" for g in pooled)
    # Missing values of 3 patients (24 visits) are left out under --group.
    x[patients >= 37] = np.nan
    assert any(g.get("missing") for g in band_effects(x, contribution, edges))
    missing = band_effects(x, contribution, edges, entities=patients)
    assert not any(g.get("missing") for g in missing)
