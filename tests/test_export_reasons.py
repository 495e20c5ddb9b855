"""Reason codes in the exported project and in the verticals' own words (#17 §2).

The exported `score.py --reasons`, run without tuneplate, writes what `tuneplate explain
--model tuned` writes for the same rows (the same decisions and reason columns, log-odds
within 1e-6), from the model library's own contributions; the wordings are the
vertical's, with a default for a vertical that sets none; a reason says where the value
stands from the profile's bands (aggregates), never naming a protected or excluded column.
"""

from __future__ import annotations

import json
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from cli_checks import without_tuneplate

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.contract.profile import Bands, Profile
from tuneplate.engine.contract.reasons import ReasonWords, describe, reason_table
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.families.models import FAMILIES as REGISTERED
from tuneplate.explaining import reason_words

# The scorecard family exports its own WoE contributions too, once it is registered;
# XGBoost and the scorecard run with the slow tests (each family is a tune and an export).
FAMILIES = [
    f if f in ("lightgbm", "logistic") else pytest.param(f, marks=pytest.mark.slow)
    for f in ("lightgbm", "logistic", "xgboost", "scorecard")
    if f in REGISTERED
]


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    table = tuneplate.load_vertical("credit-risk").example().table
    path = tmp_path_factory.mktemp("rows") / "applicants.csv"
    table.to_csv(path, index=False)  # with the target and the protected columns
    return path


@pytest.fixture(scope="module", params=FAMILIES)
def exported(request, rows, tmp_path_factory) -> SimpleNamespace:
    family = request.param
    root = tmp_path_factory.mktemp(f"reasons-{family}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tuneplate.tune("credit-risk", n_trials=2, model=family)
        result.save(root / "run")
        assert main(["export", str(root / "run"), "--to", str(root / "project")]) == 0
        reference = root / "explained.csv"
        args = ["explain", str(root / "run"), "--data", str(rows), "--out", str(reference)]
        assert main([*args, "--model", "tuned"]) == 0
    done = without_tuneplate(root / "project", "score.py", "--data", rows, "--reasons")
    assert done.returncode == 0, done.stderr
    return SimpleNamespace(
        family=family,
        result=result,
        project=root / "project",
        stdout=done.stdout,
        exported=pd.read_csv(root / "project" / "reasons.csv"),
        reference=pd.read_csv(reference),
    )


def _parts(table: pd.DataFrame, part: str) -> list[str]:
    return [c for c in table.columns if c.startswith("reason_") and c.endswith(part)]


def test_exported_reasons_are_tuneplate_explains_without_tuneplate(exported):
    got, want = exported.exported, exported.reference
    assert list(got.columns) == list(want.columns)
    assert _parts(got, "_logodds") == [f"reason_{k}_logodds" for k in range(1, 5)]
    assert (got["decision"] == want["decision"]).all()
    text = ["suspect_inputs", *_parts(got, "_column"), *(f"reason_{k}" for k in range(1, 5))]
    assert got[text].fillna("").equals(want[text].fillna(""))
    for column in ["probability", *_parts(got, "_logodds")]:
        np.testing.assert_allclose(got[column], want[column], rtol=0, atol=1e-6)
    assert "declined" in exported.stdout


def test_every_declined_row_has_a_reason_and_none_names_a_hidden_column(exported):
    table, result = exported.exported, exported.result
    declined = table[table["decision"] == "declined"]
    assert len(declined) and declined["reason_1_column"].notna().all()
    hidden = {*result.data["protected"], *result.data["excluded"]}
    named = set(table[_parts(table, "_column")].stack().dropna())
    assert hidden and named and not named & hidden
    # the credit vertical's words: "<column>: <where it stands> — raises the PD"
    assert declined["reason_1"].str.contains(r"^\S+: .+ — (?:raises|lowers) the PD").all()


def test_the_export_ships_only_aggregates_for_its_reasons(exported):
    settings = json.loads((exported.project / "model" / "reasons.json").read_text())
    assert set(settings) <= {"threshold", "top", "words", "hidden", "design_owners"}
    assert settings["threshold"] == exported.result.headline.figures["operating_threshold"]
    assert settings["words"]["risky"] == "declined"
    if exported.family == "logistic":  # the design columns' owners: model input names
        keys = set(exported.result.model.schema.keys.values())
        assert settings["design_owners"] and set(settings["design_owners"]) <= keys


def test_exported_top_sets_the_count_and_zero_is_refused(exported, rows):
    if exported.family != "lightgbm":
        pytest.skip("one family is enough for the options")
    project = exported.project
    args = ("score.py", "--data", rows, "--reasons", "--top", "2", "--out", "two.csv")
    two = without_tuneplate(project, *args)
    assert two.returncode == 0, two.stderr
    assert _parts(pd.read_csv(project / "two.csv"), "_column") == [
        "reason_1_column",
        "reason_2_column",
    ]
    args = ("score.py", "--data", rows, "--reasons", "--top", "0", "--out", "r.csv")
    zero = without_tuneplate(project, *args)
    assert zero.returncode == 2 and "--top" in zero.stderr
    assert len(zero.stderr.strip().splitlines()) == 1 and not (project / "r.csv").exists()


# -- the verticals' words and the wording of a value -----------------------------------


def test_each_vertical_words_its_decision_and_a_plugin_gets_the_default():
    credit, diagnosis = (tuneplate.load_vertical(v).reasons for v in ("credit-risk", "diagnosis"))
    assert (credit.risky, credit.clear, credit.inclusive) == ("declined", "approved", False)
    assert (diagnosis.risky, diagnosis.title) == ("flagged", "main risk factors")
    assert diagnosis.inclusive
    absent = SimpleNamespace(vertical="not-installed-here", data={})  # an older run's results
    assert reason_words(absent) == ReasonWords()  # of a plugin absent here
    assert tuneplate.load_vertical("recommendation").reasons == ReasonWords()  # sets none
    # at the threshold itself: credit approves (PD <= cut-off), diagnosis flags (>=)
    at = np.array([0.2, 0.3])
    assert credit.is_risky(at, 0.2).tolist() == [False, True]
    assert diagnosis.is_risky(at, 0.2).tolist() == [True, True]


BANDS = Bands((0.5, 0.3, 0.2, 0.0), edges=(2000.0, 5000.0))  # 50% / 30% / 20%, none missing


@pytest.mark.parametrize(
    ("kind", "value", "words"),
    [
        ("numeric", 9000.0, "high (top 20%)"),
        ("numeric", 100.0, "low (bottom 50%)"),
        ("datetime", 9000.0, "late (latest 20%)"),
        ("numeric", np.nan, "missing"),
        ("categorical", "A11", "level 'A11'"),
        ("categorical", "(other)", "a rare level"),
        ("boolean", 1.0, "yes"),
    ],
)
def test_a_value_is_placed_by_the_profile_bands(kind, value, words):
    assert describe(kind, value, BANDS) == words


def test_a_band_holding_most_rows_is_called_common_not_high():
    """The most common installment rate (4, the top of its 1-4 scale, 54% of rows) was
    worded "high (top 54%)" in adverse-action reasons; 3 beside it stays "low"."""
    scale = Bands((0.2, 0.26, 0.54, 0.0), edges=(2.5, 3.5))
    assert describe("numeric", 4.0, scale) == "top band, shared by 54%"
    assert describe("numeric", 3.0, scale) == "low (bottom 46%)"
    assert describe("numeric", 1.0, Bands((0.6, 0.4, 0.0), edges=(2.5,))) == (
        "bottom band, shared by 60%"
    )
    assert describe("datetime", 9.0, Bands((0.3, 0.7, 0.0), edges=(5.0,))) == (
        "latest band, shared by 70%"
    )


def test_a_middle_band_and_no_profile_say_so():
    middle = Bands((0.3, 0.4, 0.3, 0.0), edges=(10.0, 20.0))
    assert describe("numeric", 15.0, middle) == "mid-range (30%–70%)"
    assert describe("numeric", 15.0, None) == "its value"


def test_a_reason_table_worded_by_a_vertical():
    table = pd.DataFrame({"amount": [9000.0, 100.0, 3000.0], "purpose": ["car", "tv", None]})
    learned = pd.concat([table] * 20)  # levels seen often enough to be kept
    schema = Schema.learn(learned, ["amount", "purpose"])[0].fit_levels(learned)[0]
    encoded = schema.encode(table)[0]
    profile = Profile(3, BANDS, {"amount": BANDS})
    contributions = np.array([[0.5, 0.2], [-0.1, 0.3], [-0.4, -0.2]])
    words = tuneplate.load_vertical("credit-risk").reasons
    got = reason_table(schema, encoded, contributions, [0.6, 0.1, 0.5], 0.3, words, profile, 2)
    assert got["decision"].tolist() == ["declined", "approved", "declined"]
    assert got["reason_1"].tolist() == [
        "amount: high (top 20%) — raises the PD",
        "purpose: level 'tv' — raises the PD",
        # declined with nothing raising it: the least-lowering input, worded so
        "purpose: missing — lowers the PD least; the average PD is above the cut-off",
    ]
    assert got["reason_2_column"].tolist()[:1] == ["purpose"]
    assert got["reason_2_column"].isna().tolist() == [False, True, True]
