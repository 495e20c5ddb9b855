"""A column that had a few blanks at training, given (nearly) all blank at scoring.

Before the rule, "missing" was said only for a column with no missing value at training
(`had_missing`): a column with 3% blanks at fit, left empty by an extract, was scored
on the imputed value for every row with no line, and `strict=True` scored it too. The
schema now keeps each column's development share of missing values
(`Feature.missing_share`, an aggregate) and says a batch missing beyond it by more than
`WARN_SHARE` and beyond sampling (`ColumnCounts.more_missing`).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import Schema, SchemaWarning, problems
from tuneplate.engine.families.models import FAMILIES, Fit, Model


def _table(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "amount": rng.lognormal(8, 0.6, n).round(0),
            "age": rng.integers(18, 80, n).astype(float),
            "purpose": rng.choice(["car", "tv", "repairs", "education"], n).astype(object),
        }
    )
    table.loc[rng.random(n) < 0.03, "amount"] = np.nan  # a few blanks at training
    table.loc[rng.random(n) < 0.25, "age"] = np.nan  # a column often blank
    table.loc[rng.random(n) < 0.03, "purpose"] = None
    signal = np.log(table["amount"].fillna(3000)) - 8 + (table["purpose"] == "car")
    return table, (signal + rng.normal(0, 1, n) > 0).to_numpy().astype(int)


def _schema(table: pd.DataFrame) -> Schema:
    return Schema.learn(table, list(table.columns))[0].fit_levels(table)[0]


def _complete(table: pd.DataFrame, rows: int = 60) -> pd.DataFrame:
    return table.dropna().head(rows).copy()


@pytest.mark.parametrize("column, blank", [("amount", np.nan), ("amount", ""), ("purpose", None)])
def test_a_column_the_extract_left_empty_is_said_though_training_had_blanks(column, blank):
    table, _ = _table()
    schema = _schema(table)
    new = _complete(table).astype({column: object})
    new[column] = blank
    lines = problems(schema.encode(new)[1])
    assert len(lines) == 1
    assert lines[0].startswith(f"{column}: 60 of 60 rows (100.0%) are missing, where ")
    assert "of the development rows were" in lines[0]


def test_batches_missing_as_training_did_are_not_said():
    """Sampling alone: batches drawn from the development rows give no line, even for a
    column blank in a quarter of them, whose share swings by several points."""
    table, _ = _table()
    schema = _schema(table)
    rng = np.random.default_rng(1)
    for size in (20, 60, 300):
        for _ in range(20):
            batch = table.iloc[rng.choice(len(table), size)]
            assert problems(schema.encode(batch)[1]) == []
    half = _complete(table)
    half.loc[half.index[:45], "age"] = np.nan  # 75% where a quarter were: said
    assert [line.split(":")[0] for line in problems(schema.encode(half)[1])] == ["age"]


def test_model_json_keeps_the_share_and_an_older_model_says_nothing_new():
    table, _ = _table()
    schema = _schema(table)
    shares = {f.name: f.missing_share for f in schema.features}
    assert 0 < shares["amount"] < 0.06 and 0.15 < shares["age"] < 0.35
    again = Schema.from_dict(json.loads(json.dumps(schema.to_dict())))
    assert again == schema
    saved = schema.to_dict()  # a model.json written before the share was recorded
    for f in saved["features"]:
        del f["missing_share"]
    older = Schema.from_dict(saved)
    new = _complete(table)
    new["amount"] = np.nan
    assert problems(older.encode(new)[1]) == []  # as it scored: no share to judge against


def test_strict_refuses_and_plain_scoring_warns_on_a_column_left_empty():
    table, y = _table()
    schema = _schema(table)
    X, _ = schema.encode(table)
    estimator = FAMILIES["logistic"].fit({"C": 0.5}, X, y, None, None, Fit(seed=0)).estimator
    model = Model("logistic", estimator, schema, "1", {"C": 0.5})
    new = _complete(table)
    new["amount"] = np.nan
    with pytest.warns(SchemaWarning, match=r"amount: 60 of 60 rows \(100.0%\) are missing"):
        model.predict_proba(new)
    with pytest.raises(TuneplateError, match="amount: 60 of 60 rows") as info:
        model.predict_proba(new, strict=True)
    assert "\n" not in str(info.value)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SchemaWarning)
        model.predict_proba(_complete(table), strict=True)  # complete rows: no line


def test_validate_blames_the_extract_for_a_column_left_empty():
    """validate's "fix the extract" verdict counted blanks only in columns that had
    none: an amount with 3% blanks at development, sent empty, was judged as drift or
    worse, as if the model had aged. Blanks far beyond the development share, and
    unreadable values with blanks, now add up to the extract's fault."""
    from tuneplate import load_vertical, tune
    from tuneplate.engine.validate import FIX_EXTRACT, recommended, validate

    vertical = load_vertical("credit-risk")
    table = vertical.example().table.copy()
    table["credit_amount"] = table["credit_amount"].astype(float)
    table.loc[table.sample(frac=0.03, random_state=0).index, "credit_amount"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = tune("credit-risk", table, target="creditability", n_trials=2, model="logistic")
    results = recommended(run)[0]
    rows = table.iloc[run.split_rows["holdout"]].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert validate(results, vertical, rows).verdict != FIX_EXTRACT
        rows["credit_amount"] = np.nan
        v = validate(results, vertical, rows)
    assert v.verdict == FIX_EXTRACT, v.reasons
    assert "credit_amount" in v.reasons[0]
