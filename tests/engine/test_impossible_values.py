"""Values no development row had: a duration of -5, a -999 for "missing", 45 for a 0.45
rate, a 2 in a 0/1 flag. The schema learns at fit which canonical bounds every
development row kept (`Feature.domain`); scoring counts the values outside them and says
so in one line (warning, `validate`), and still scores them as given.

Before the rule, a tenth of the rows holding an impossible value passed `validate` with
no line: the off-range check (`Profile.off_range`) judges a changed unit, which needs
most of a batch beyond the development's outer band.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.engine.contract.schema import Schema, SchemaWarning, problems
from tuneplate.engine.results import Results
from tuneplate.engine.validate import FIX_EXTRACT, WATCH, recommended, validate


def _schema(table: pd.DataFrame) -> Schema:
    schema, _ = Schema.learn(table, list(table.columns))
    return schema.fit_levels(table)[0]


def _table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "duration": rng.integers(4, 72, n),
            "rate": rng.uniform(0, 1, n).round(3),
            "flag": rng.integers(0, 2, n),
            "balance": rng.normal(0, 1000, n).round(0),
            "purpose": rng.choice(["car", "tv", "house"], n),
        }
    )


def test_each_numeric_column_keeps_the_narrowest_bound_its_rows_held():
    schema = _schema(_table())
    domains = {f.name: f.domain for f in schema.features}
    assert domains == {
        "duration": "nonnegative",
        "rate": "unit_interval",
        "flag": "unit_interval",
        "balance": "",  # negative and positive: no bound to hold
        "purpose": "",
    }
    again = Schema.from_dict(json.loads(json.dumps(schema.to_dict())))
    assert again == schema  # model.json keeps the bounds


@pytest.mark.parametrize(
    "column, value, said",
    [
        ("duration", -5, "lie below 0"),
        ("duration", -999, "a code for missing"),
        ("rate", 45.0, "lie outside 0 to 1"),
        ("flag", 2, "lie outside 0 to 1"),
    ],
)
def test_a_tenth_of_the_rows_outside_the_bounds_is_counted_and_said(column, value, said):
    table = _table()
    schema = _schema(table)
    new = table.head(100).copy()
    new.loc[:9, column] = value
    encoded, counts = schema.encode(new)
    assert counts[column].out_of_domain == 10
    (line,) = problems(counts)
    assert line.startswith(f"{column}: 10 of 100 rows (10.0%) ") and said in line
    assert "scored as given" in line
    assert (encoded[column].to_numpy()[:10] == value).all()  # never coerced


def test_values_inside_the_bounds_and_columns_without_one_are_not_flagged():
    table = _table()
    schema = _schema(table)
    new = _table(seed=1).head(100)
    new["balance"] = -new["balance"].abs() * 50  # far off, but it had no bound
    counts = schema.encode(new)[1]
    assert all(c.out_of_domain == 0 for c in counts.values())
    assert problems(counts) == []


def test_a_model_saved_before_the_rule_scores_as_it_did():
    table = _table()
    old = _schema(table).to_dict()
    for f in old["features"]:
        f.pop("domain")
    schema = Schema.from_dict(old)
    new = table.head(100).assign(duration=-5)
    assert problems(schema.encode(new)[1]) == []


def test_times_of_day_keep_their_own_range_and_get_no_bound():
    table = pd.DataFrame({"arrival": ["08:30", "12:05", "23:59", "00:10"] * 20})
    schema = _schema(table)
    assert schema.features[0].time_of_day and schema.features[0].domain == ""


# -- end to end: a tuned run's model and `validate` ------------------------------------


@pytest.fixture(scope="module")
def credit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("credit-run")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuneplate.tune("credit-risk", n_trials=3, model="logistic").save(folder)
    vertical = tuneplate.load_vertical("credit-risk")
    positions = json.loads((folder / "split.json").read_text())["holdout"]
    rows = vertical.example().table.iloc[positions].reset_index(drop=True)
    return recommended(Results.load(folder))[0], vertical, rows


def test_the_model_warns_and_validate_blames_the_extract(credit):
    results, vertical, holdout = credit
    rows = holdout.copy()
    bad = rows.sample(frac=0.1, random_state=0).index
    rows.loc[bad, "duration_in_month"] = -5
    with pytest.warns(SchemaWarning, match=r"duration_in_month: 20 of 200 rows .* below 0"):
        scores = results.model.predict_proba(rows.drop(columns=["creditability"]))
    assert scores.schema_counts["duration_in_month"].out_of_domain == len(bad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = validate(results, vertical, rows)
    (d,) = [d for d in v.drift if d.column == "duration_in_month"]
    assert "lie below 0" in d.problem
    assert v.verdict in (WATCH, FIX_EXTRACT)
    assert any(r.startswith("duration_in_month: 20 of 200 rows") for r in v.reasons), v.reasons
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = validate(results, vertical, holdout)
    assert not any("lie below 0" in r for r in clean.reasons)
