"""A coded numeric column (a 1/2 flag, a 1-4 code) scored with values it never took.

A 1/2 flag sent as 0/1, or German credit's installment-rate codes sent times 100, moved
every score it touched. The batch rules could not see it: 0 and 100 lie within a 1/2
flag's bounds (0 or more), and a flag's off-range band has no spread to compare. The
schema now keeps a coded column's values (each held by 10 development rows or more, so
no single row's value) and says the rows holding another.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.counts import problems
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.kinds import MIN_LEVEL_ROWS
from tuneplate.engine.contract.monitoring import FIX_EXTRACT, drift_rows, verdict
from tuneplate.engine.contract.profile import Profile
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.families.models import Model

NEW = "hold a value no development row held"


class _Half:
    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)


@pytest.fixture(scope="module")
def coded():
    rng = np.random.default_rng(3)
    n = 500
    table = pd.DataFrame(
        {
            "installment_rate": rng.choice([1, 2, 3, 4], n, p=[0.14, 0.23, 0.16, 0.47]),
            "amount": rng.lognormal(7.7, 0.8, n).round(0),
            "liable": rng.choice([1, 2], n, p=[0.85, 0.15]),
            "visits": np.r_[rng.choice([0, 1, 2], n - 3), [3, 3, 3]],  # 3 in three rows
        }
    )
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    profile = Profile.learn(schema, schema.encode(table)[0], rng.uniform(0, 1, n))
    return table, schema, Model("logistic", _Half(), schema, "1", {}, profile=profile)


def _lines(schema, rows):
    return problems(schema.encode(rows)[1])


def test_codes_are_learned_only_from_values_many_rows_held(coded):
    _, schema, _ = coded
    codes = {f.name: f.codes for f in schema.features}
    assert codes["installment_rate"] == (1.0, 2.0, 3.0, 4.0)
    assert codes["liable"] == (1.0, 2.0)
    assert codes["amount"] == ()  # a measurement
    assert codes["visits"] == ()  # 3 was held by three rows: keeping it would pin them
    saved = Schema.from_dict(schema.to_dict())
    assert saved.features == schema.features  # kept in model.json, read back the same


@pytest.mark.parametrize(
    "recode",
    [
        pytest.param(lambda s: s - 1, id="1/2 sent as 0/1"),
        pytest.param(lambda s: s * 0, id="every row 0"),
        pytest.param(lambda s: s * 100, id="times 100"),
        pytest.param(lambda s: s * 0 + 5, id="a code past the top"),
    ],
)
def test_a_recoded_column_is_said_once_and_strict_refuses_it(coded, recode):
    table, schema, model = coded
    new = table.sample(100, random_state=4)
    for column in ("liable", "installment_rate"):
        rows = new.assign(**{column: recode(new[column])})
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            model.predict_proba(rows)
        lines = [str(w.message) for w in said]
        assert len(lines) == 1 and lines[0].startswith(f"{column}: "), lines  # once
        assert NEW in lines[0]
        with pytest.raises(TuneplateError, match=column):
            model.predict_proba(rows, strict=True)


def test_one_applicant_with_a_recoded_flag_is_said(coded):
    table, schema, _ = coded
    (line,) = _lines(schema, table.head(1).assign(liable=0))
    assert line.startswith(f"liable: 1 of 1 rows (100.0%) {NEW} (each held one of 1, 2)")


def test_a_segment_and_a_rare_first_are_not_said(coded):
    table, schema, _ = coded
    new = table.sample(100, random_state=5)
    for segment in ({"installment_rate": 4}, {"liable": 2}, {"visits": 3}, {"amount": 99.0}):
        assert _lines(schema, new.assign(**segment)) == []
    many = pd.concat([table] * 4, ignore_index=True).head(1_500)
    many.loc[0, "liable"] = 3  # one first in 1,500 rows: a new case, not a recode
    assert _lines(schema, many) == []
    many.loc[: MIN_LEVEL_ROWS - 1, "liable"] = 3  # ten are no accident
    (line,) = _lines(schema, many)
    assert line.startswith(f"liable: {MIN_LEVEL_ROWS} of 1,500 rows")


def test_a_model_saved_before_codes_scores_as_it_did(coded):
    table, schema, _ = coded
    old = schema.to_dict()
    for f in old["features"]:
        f.pop("codes")
    before = Schema.from_dict(old)
    assert _lines(before, table.head(50).assign(liable=0)) == []


def test_validate_blames_the_extract_for_a_recoded_flag(coded):
    table, schema, model = coded
    new = table.sample(200, random_state=6)
    scores = np.full(len(new), 0.5)

    def verdict_of(rows):
        encoded, counts = schema.encode(rows)
        drift = drift_rows(model.profile, schema, encoded, scores, counts)
        return verdict(None, None, drift)

    assert verdict_of(new)[0] != FIX_EXTRACT
    action, reasons = verdict_of(new.assign(liable=new["liable"] - 1))
    assert action == FIX_EXTRACT
    assert any("liable" in r and NEW in r for r in reasons), reasons


@pytest.mark.parametrize("factor", [100, 0.001])
def test_a_0_1_flag_sent_as_0_100_or_0_0001_is_said(factor):
    """pbc's `hepato` x100 moved a logistic model's probability by up to 0.965 unsaid: a
    0/1 flag's profile keeps no value past 0, and 100 is within its bounds."""
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"hepato": rng.choice([0, 1], 400), "bili": rng.lognormal(0, 1, 400)})
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    new = table.head(60)
    (line,) = _lines(schema, new.assign(hepato=new["hepato"] * factor))
    assert line.startswith("hepato: ") and NEW in line and "one of 0, 1" in line


def test_each_row_names_a_code_no_development_row_held(coded):
    """`tuneplate explain` and the exported score.py --reasons name, row by row, what the
    batch lines count: here one applicant's recoded flag among rows that fit."""
    table, schema, _ = coded
    rows = table.head(3).assign(liable=[1, 0, 2])
    assert schema.suspects(rows) == [
        None,
        "liable: a value no development row held (each held one of 1, 2)",
        None,
    ]
