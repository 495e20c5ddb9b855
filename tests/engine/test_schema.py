"""The schema: kinds learned at fit time, rare levels pooled, the same reading at scoring."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import (
    MIN_LEVEL_ROWS,
    OTHER,
    Schema,
    SchemaWarning,
    problems,
)
from tuneplate.engine.data.checks import run_checks
from tuneplate.engine.data.roles import Roles
from tuneplate.engine.families.models import Model
from tuneplate.engine.tune import Config, plan, read_features
from tuneplate.verticals import load_vertical

FAMILIES = ["lightgbm", "xgboost", "logistic"]


def _table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Numbers, an int count, a text category with one single-row level, a bool, dates."""
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(8, 0.5, n).round(2)
    count = rng.integers(0, 6, n)
    purpose = rng.choice(["car", "home", "study", "5"], n).astype(object)
    purpose[7] = "ZEBRA-ONE-ROW"  # a value from a single row: must reach no model file
    flag = rng.random(n) < 0.4
    signup = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D")
    logit = -1 + 0.6 * (np.log(amount) - 8) + 0.3 * count + (purpose == "study") + 0.5 * flag
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "amount": amount,
            "count": count,
            "purpose": purpose,
            "flag": flag,
            "signup": signup,
            "status": np.where(bad, "bad", "good"),
        }
    )


def _tune(table, family, **kwargs):
    return tuneplate.tune(
        "credit-risk", table, target="status", model=family, strategy="random", n_trials=2,
        **kwargs,
    )  # fmt: skip


def _learn(table, columns=None):
    columns = columns or [c for c in table.columns if c != "status"]
    schema, notes = Schema.learn(table, columns)
    return schema, notes


# -- 1. kinds are learned, not re-guessed -------------------------------------------------


def test_numbers_with_stray_tokens_are_numeric_and_the_tokens_are_reported():
    values = [f"{1000 + 7 * i}" for i in range(700)]
    values[3], values[50], values[90] = "n/a", "-", "n/a"
    table = pd.DataFrame({"credit_amount": values})
    schema, notes = _learn(table, ["credit_amount"])
    assert schema.feature("credit_amount").kind == "numeric"
    lines = [n.message for n in notes]
    assert "credit_amount: 3 values not numbers ('-', 'n/a') read as missing" in lines
    typed = schema.typed(table)
    assert typed["credit_amount"].dtype == float and typed["credit_amount"].isna().sum() == 3


def test_text_numbers_get_no_high_cardinality_advice_in_the_checks():
    rng = np.random.default_rng(1)
    amount = (rng.integers(1, 120, 400) * 50).astype(str).astype(object)
    amount[:5] = ["n/a", "-", "unknown", "?", "#N/A"]
    table = pd.DataFrame({"credit_amount": amount, "y": rng.choice(["a", "b"], 400)})
    roles = Roles(target="y", positive="a")
    assert any(f.check == "high_cardinality" for f in run_checks(table, roles))  # before
    typed, roles, _, read = read_features(table, roles)
    checks = run_checks(typed, roles)
    assert not any(f.check == "high_cardinality" for f in checks)
    assert any("read as missing" in f.message for f in read)


def test_cousins_thousands_spaces_case_and_all_dashes():
    n = 60
    table = pd.DataFrame(
        {
            "income": ["1,234.5", "12,000", "950", "N/A "] * (n // 4),
            "owner": ["True", "false", "TRUE", "False"] * (n // 4),
            "dashes": ["-"] * n,
            "words": ["a", "b", "c", "d"] * (n // 4),
        }
    )
    schema, notes = _learn(table)
    assert schema.feature("income").kind == "numeric"
    assert schema.feature("owner").kind == "boolean"
    assert schema.feature("words").kind == "categorical"
    assert "dashes" not in schema.names  # nothing in it: left out, with a finding
    assert any(n.check == "empty_column" and n.columns == ("dashes",) for n in notes)
    typed = schema.typed(table)
    income = typed["income"]  # "N/A " with a trailing space is missing, not a category
    assert income.iloc[:3].tolist() == [1234.5, 12000.0, 950.0] and np.isnan(income.iloc[3])
    assert typed["owner"].tolist()[:4] == [True, False, True, False]


def test_text_dates_with_two_bad_cells_are_dates_and_suggest_time_or_exclude():
    dates = pd.date_range("2021-01-01", periods=80, freq="D").strftime("%Y-%m-%d").tolist()
    dates[5], dates[9] = "31/02/2021x", "soon"
    schema, notes = _learn(pd.DataFrame({"opened": dates}))
    assert schema.feature("opened").kind == "datetime"
    (note,) = [n for n in notes if n.check == "date_feature"]
    assert "2 values not dates read as missing" in note.message
    assert "--time opened" in note.fix and "--exclude opened" in note.fix


@pytest.mark.slow
def test_infinity_becomes_missing_and_an_all_infinite_column_is_left_out():
    table = _table(120)
    table["ratio"] = np.where(np.arange(120) % 40 == 0, np.inf, 1.5)
    table["broken"] = np.inf
    schema, notes = _learn(table)
    assert "broken" not in schema.names
    assert any("ratio: 3 values of ±infinity read as missing" in n.message for n in notes)
    assert schema.typed(table)["ratio"].isna().sum() == 3
    result = _tune(table, "lightgbm")  # before: a traceback in the checks
    assert "broken" in result.data["excluded"]


# -- 2. rare levels pooled; no single-row value in any model file ----------------------------


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_no_single_row_level_reaches_the_model_files(family, tmp_path):
    result = _tune(_table(), family)
    result.save(tmp_path)
    for path in tmp_path.rglob("*"):  # the recommended baseline's baseline/ too
        if path.is_file():
            assert b"ZEBRA-ONE-ROW" not in path.read_bytes(), path.name
    feature = result.model.schema.feature("purpose")
    assert feature.other_share > 0  # the single-row value was among the training rows
    assert feature.levels[-1] == OTHER and "ZEBRA-ONE-ROW" not in feature.levels
    assert any(f.check == "rare_levels" for f in result.findings)
    saved = json.loads((tmp_path / "model.json").read_text())
    assert saved["schema"]["min_level_rows"] == MIN_LEVEL_ROWS


def test_level_read_as_float_because_of_a_blank_is_the_same_level():
    table = pd.DataFrame({"grade": ["5", "7", "B"] * 20})
    schema = _learn(table)[0].fit_levels(table)[0]
    assert schema.feature("grade").kind == "categorical"
    as_float = pd.DataFrame({"grade": [5.0, 7.0, np.nan]})
    X, counts = schema.encode(as_float)
    assert X["grade"].tolist()[:2] == ["5", "7"]
    assert X["grade"].isna().tolist() == [False, False, True]
    assert counts["grade"].unknown_levels == 0


# -- 4. scoring enforces the schema ------------------------------------------------------------


def _reread(rows: pd.DataFrame) -> pd.DataFrame:
    """The same rows as pandas might read them from another file: text, floats, categories."""
    return pd.DataFrame(
        {
            "status": rows["status"],
            "signup": rows["signup"].dt.strftime("%Y-%m-%d"),  # dates as text
            "amount": rows["amount"].map(repr),  # numbers as text "1234.5"
            "count": rows["count"].astype(float),  # ints as floats
            "purpose": rows["purpose"].astype("category"),
            "flag": rows["flag"].map({True: "True", False: "False"}).astype("string"),
            "extra": 1,  # extra columns are ignored, order does not matter
        },
        index=rows.index,
    )


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_the_same_rows_read_differently_score_identically(family, tmp_path):
    table = _table()
    result = _tune(table, family)
    model = result.model
    with warnings.catch_warnings():
        warnings.simplefilter("error", SchemaWarning)
        direct = model.predict_proba(table)
        reread = model.predict_proba(_reread(table))
        as_string = model.predict_proba(table.astype({"purpose": "string"}))
    np.testing.assert_array_equal(direct, reread)
    np.testing.assert_array_equal(direct, as_string)
    result.save(tmp_path)
    loaded = Model.load(tmp_path)
    # float32 boosters: a reloaded XGBoost model may differ in the 8th digit
    np.testing.assert_allclose(loaded.predict_proba(_reread(table)), direct, rtol=0, atol=1e-6)
    # the hold-out scores of the run are the model's scores of the raw rows
    hold = result.split_rows["holdout"]
    assert result.holdout == pytest.approx(
        tuneplate.engine.metrics.METRICS["roc_auc"].score(
            (table["status"].iloc[hold] == "bad").to_numpy(), direct[hold, 1]
        )
    )


@pytest.mark.slow
def test_unseen_levels_unreadable_and_new_missing_are_counted_and_warned():
    table = _table()
    model = _tune(table, "lightgbm").model
    new = table.head(100).copy()
    new["purpose"] = new["purpose"].astype(object)
    new.loc[new.index[:10], "purpose"] = "boat"  # unseen level
    new["amount"] = new["amount"].astype(object)
    new.loc[new.index[:5], "amount"] = "lots"  # text in a numeric column
    new["count"] = np.nan  # a column now all missing; training had none
    with pytest.warns(SchemaWarning) as caught:
        proba = model.predict_proba(new)
    lines = sorted(str(w.message) for w in caught)
    assert len(lines) == 3  # one line per column
    assert any(line.startswith("purpose: 10 of 100 rows") for line in lines)
    assert any(line.startswith("amount: 5 of 100 rows") for line in lines)
    assert any(line.startswith("count: 100 of 100 rows") for line in lines)
    counts = proba[:, 1].schema_counts  # kept by slices
    assert counts["purpose"].unknown_levels == 10 and counts["amount"].unreadable == 5
    assert counts["count"].new_missing == 100
    with pytest.raises(TuneplateError, match="purpose"):
        model.predict_proba(new, strict=True)


@pytest.mark.slow
def test_scoring_refuses_arrays_and_missing_columns_naming_them():
    table = _table()
    model = _tune(table, "logistic").model
    with pytest.raises(TuneplateError, match="DataFrame with the columns 'amount'"):
        model.predict_proba(table.drop(columns="status").to_numpy())
    with pytest.raises(TuneplateError, match="lack the model's column.*'flag'"):
        model.predict_proba(table.drop(columns="flag"))
    shuffled = table[list(reversed(table.columns))]
    np.testing.assert_array_equal(model.predict_proba(shuffled), model.predict_proba(table))


# -- 5. column names the libraries refuse ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("family", ["lightgbm", "xgboost"])
def test_names_the_libraries_refuse_run_end_to_end(family):
    table = _table().rename(
        columns={"amount": "amount[EUR]", "count": "a,b", "flag": "x<5", "purpose": '"quoted"'}
    )
    table["amount_EUR"] = 1.0  # a clash with the sanitised name must stay distinct
    result = _tune(table, family)
    assert result.counts.get("completed", 0) == 2
    names = result.model.schema.names
    assert {"amount[EUR]", "a,b", "x<5", '"quoted"'} <= set(names)
    keys = list(result.model.schema.keys.values())
    assert len(set(keys)) == len(keys)
    proba = result.model.predict_proba(table)
    assert proba.shape == (len(table), 2)
    shown = " ".join(f.message for f in result.findings)
    assert "amount_EUR_2" not in shown  # people read their own names


# -- 3. the plan reads the typed table -----------------------------------------------------------


def test_plan_keeps_the_schema_and_no_encoder():
    table = _table()
    table["amount"] = table["amount"].astype(str)
    table.loc[:4, "amount"] = "n/a"
    table["opened"] = pd.date_range("2021-01-01", periods=len(table)).strftime("%d.%m.%Y")
    p = plan(
        load_vertical("credit-risk"),
        table,
        Config.flat(target="status", model="logistic", strategy="random", n_trials=2),
    )
    assert not hasattr(p, "encoder")
    assert p.schema.feature("amount").kind == "numeric"
    assert p.table["amount"].dtype == float
    assert any("amount: 5 values not numbers" in f.message for f in p.findings)
    # text dates are dates: no "like a record id" or "distinct text values" advice
    assert p.schema.feature("opened").kind == "datetime"
    about = {f.check for f in p.findings if "opened" in f.columns}
    assert about == {"date_feature"}
    assert "--time signup" in " ".join(f.fix for f in p.findings)  # datetime64 columns too


def test_the_reading_rules_of_the_file_travel_with_the_schema():
    from tuneplate.engine.contract.reader import ReadingRules

    table = _table()
    rules = ReadingRules(separator=";", decimal=",")
    table.attrs["reading_rules"] = rules
    typed, _, schema, _ = read_features(table, Roles(target="status"))
    assert ReadingRules.from_dict(Schema.from_dict(schema.to_dict()).rules) == rules


def test_a_saved_schema_reads_back_equal():
    table = _table()
    schema = _learn(table)[0].fit_levels(table)[0]
    again = Schema.from_dict(json.loads(json.dumps(schema.to_dict())))
    assert again == schema
    X1, _ = schema.encode(table)
    X2, _ = again.encode(table)
    pd.testing.assert_frame_equal(X1, X2)


def test_missing_words_count_as_missing_in_the_checks():
    rng = np.random.default_rng(2)
    income = rng.integers(1000, 9000, 200).astype(str).astype(object)
    income[:130] = "n/a"  # 65% missing, written as text
    table = pd.DataFrame({"income": income, "y": rng.choice(["a", "b"], 200)})
    roles = Roles(target="y", positive="a")
    assert not any(f.check == "missing_values" for f in run_checks(table, roles))  # before
    typed, roles, schema, _ = read_features(table, roles)
    assert schema.feature("income").kind == "numeric"
    (found,) = [f for f in run_checks(typed, roles) if f.check == "missing_values"]
    assert "income 65%" in found.message


# -- 8. text numbers follow the saved reading rules; percentages are numbers --------------

GERMAN = {"format": "csv", "separator": ";", "decimal": ",", "thousands": "."}


def _numeric_schema(rules=None):
    table = pd.DataFrame({"amount": [1000.0 + i for i in range(40)]})
    schema = Schema.learn(table, ["amount"], rules)[0]
    return schema.fit_levels(table)[0]


def test_text_numbers_are_read_with_the_saved_decimal_comma_and_dot_thousands():
    rows = pd.DataFrame({"amount": ["3.543", "3.543,22", "12,5", "1.234.567", "3.5", "-0,25"]})
    X, counts = _numeric_schema(GERMAN).encode(rows)
    assert X["amount"].tolist() == [3543.0, 3543.22, 12.5, 1234567.0, 3.5, -0.25]
    assert counts["amount"].unreadable == 0


def test_without_saved_rules_text_numbers_follow_the_plain_convention():
    rows = pd.DataFrame({"amount": ["3.543", "1,234.5", "12,000", "3.543,22", "7"]})
    X, counts = _numeric_schema().encode(rows)
    assert X["amount"].tolist()[:3] == [3.543, 1234.5, 12000.0] and X["amount"].iloc[4] == 7
    assert np.isnan(X["amount"].iloc[3]) and counts["amount"].unreadable == 1  # counted


def test_a_text_column_learned_under_dot_thousands_reads_1_000_as_a_thousand():
    # "n/a" keeps the column text after reading; canonical text would make "1.000" one.
    values = ["1.000", "2.500,5", "n/a", "750"] * 10
    schema, notes = Schema.learn(pd.DataFrame({"amount": values}), ["amount"], GERMAN)
    assert schema.feature("amount").kind == "numeric"
    typed = schema.typed(pd.DataFrame({"amount": values}))
    assert typed["amount"].tolist()[:2] == [1000.0, 2500.5] and np.isnan(typed["amount"][2])
    assert any("thousands separators (1.234)" in n.message for n in notes)


@pytest.mark.slow
def test_predict_proba_on_text_rows_matches_the_german_file_it_was_tuned_on(tmp_path):
    from tuneplate.engine.contract.reader import read_table_with_rules

    table = _table(200)[["amount", "count", "status"]]
    path = tmp_path / "german.csv"
    text = table.assign(amount=[f"{v:,.2f}".replace(",", " ").replace(".", ",").replace(
        " ", ".") for v in table["amount"]])  # fmt: skip
    text.to_csv(path, sep=";", index=False)
    read, rules = read_table_with_rules(path)
    assert (rules.decimal, rules.thousands) == (",", ".")
    model = _tune(read, "logistic").model
    expected = model.predict_proba(read)[:, 1]
    as_text = text.drop(columns="status").astype(str)  # every column text, as from a form
    with warnings.catch_warnings():
        warnings.simplefilter("error", SchemaWarning)
        got = model.predict_proba(as_text)
    np.testing.assert_allclose(got[:, 1], expected, rtol=0, atol=1e-12)
    assert got.schema_counts["amount"].unreadable == 0


@pytest.mark.parametrize(
    "values, rules, expected",
    [
        (["12.5%", "3%", "40 %", "7.25%"], None, [12.5, 3.0, 40.0, 7.25]),
        (["12,5 %", "3 %", "40%", "7,25 %"], GERMAN, [12.5, 3.0, 40.0, 7.25]),
        (["12,5 %", "3 %", "40%", "7,25 %"], None, [12.5, 3.0, 40.0, 7.25]),  # own mark
        (["12.5%", "3", "40", "n/a"], None, [12.5, 3.0, 40.0, np.nan]),
    ],
)
def test_percent_text_is_a_number_in_percent_units_with_a_finding(values, rules, expected):
    table = pd.DataFrame({"rate": values * 10})
    schema, notes = Schema.learn(table, ["rate"], rules)
    assert schema.feature("rate").kind == "numeric"
    assert any(n.check == "percent_text" and n.columns == ("rate",) for n in notes)
    schema = schema.fit_levels(table)[0]
    X, counts = schema.encode(table)
    np.testing.assert_array_equal(X["rate"].to_numpy()[:4], expected)
    assert counts["rate"].unreadable == 0 and not counts["rate"].problem()


@pytest.mark.parametrize(
    "values, rules, expected, check",
    [
        (["€37,000", "€1,250", "€980", "€12,000.50"], None, [37000, 1250, 980, 12000.5],
         "currency_text"),
        (["37 000 €", "1 250 €", "980 €", "12 000,5 €"], GERMAN, [37000, 1250, 980, 12000.5],
         "currency_text"),
        (["-$12.50", "$3", "$1,000", "$0.99"], None, [-12.5, 3, 1000, 0.99], "currency_text"),
        (["(1,388.81)", "250.00", "(12.00)", "1,000.00"], None, [-1388.81, 250, -12, 1000],
         "accounting_negatives"),
        (["123.45-", "250.00", "12.00-", "1,000.00"], None, [-123.45, 250, -12, 1000],
         "accounting_negatives"),  # SAP's trailing minus: the column was pooled away
        (["37 000", "1 250", "980", "12 000"], None, [37000, 1250, 980, 12000],
         "thousands_separators"),
        (["37\u202f000", "1\u00a0250", "980", "2 000"], None, [37000, 1250, 980, 2000],
         "thousands_separators"),
    ],
)  # fmt: skip
def test_amounts_as_accounts_export_them_are_numbers_with_a_note(values, rules, expected, check):
    """Currency signs, accountants' parentheses and space-grouped thousands stayed text,
    and the column was offered as "more than 50 distinct text values: group rare levels"
    or "looks like a record id" (a fresh user's report); they are amounts."""
    table = pd.DataFrame({"amount": values * 10})
    schema, notes = Schema.learn(table, ["amount"], rules)
    assert schema.feature("amount").kind == "numeric"
    assert any(n.check == check and n.columns == ("amount",) for n in notes)
    schema = schema.fit_levels(table)[0]
    X, counts = schema.encode(table)
    np.testing.assert_allclose(X["amount"].to_numpy()[:4], expected)
    assert counts["amount"].unreadable == 0
    # scoring reads the same amounts written plainly the same way, without a word
    plain = pd.DataFrame({"amount": [str(v) for v in expected]})
    X_plain, counts = schema.encode(plain)
    np.testing.assert_allclose(X_plain["amount"].to_numpy(), expected)
    assert not counts["amount"].problem()


def test_two_currencies_in_one_column_are_a_warning():
    table = pd.DataFrame({"amount": ["€37,000", "$1,250", "€980", "£12"] * 10})
    notes = Schema.learn(table, ["amount"])[1]
    mixed = [n for n in notes if n.check == "mixed_currency"]
    assert len(mixed) == 1 and mixed[0].severity == "warning"
    assert "3 currencies" in mixed[0].message and "20 values in €" in mixed[0].message


@pytest.mark.parametrize("values", [["(A)", "(B)", "(C)"], ["$", "€", "EUR"], ["1 23", "4 56"]])
def test_text_that_only_looks_like_amounts_stays_text(values):
    schema = Schema.learn(pd.DataFrame({"code": values * 10}), ["code"])[0]
    assert schema.feature("code").kind == "categorical"


@pytest.mark.parametrize(
    "values, rules",
    [
        (["12.5%", "0.125", "30%", "0.3", "7%"], None),  # fractions beside percentages
        (["12,5 %", "0,125", "30 %", "0,3"], GERMAN),
        (["-5%", "-0.05", "40%", "0.4", "1", "0"], None),  # a fraction may be 1 or 0
    ],
)
def test_fractions_written_beside_percentages_are_a_warning_not_a_quiet_note(values, rules):
    """ "12.5%" reads as 12.5 and "0.125" as 0.125: if the plain values are fractions,
    a tenth of the column is 100 times off, and the model learns it so."""
    table = pd.DataFrame({"rate": values * 10})
    schema, notes = Schema.learn(table, ["rate"], rules)
    mixed = [n for n in notes if n.check == "mixed_percent"]
    assert len(mixed) == 1 and mixed[0].severity == "warning"
    plain = sum(not v.strip().endswith("%") for v in values) * 10
    assert f"and {plain:,} values written plain" in mixed[0].message
    assert not any(n.check == "percent_text" for n in notes)
    X, _ = schema.fit_levels(table)[0].encode(table)  # still read as written
    assert X["rate"].iloc[0] == pytest.approx(12.5 if values[0].startswith("12") else -5.0)


@pytest.mark.parametrize(
    "values", [["12.5%", "3", "40", "7.5"], ["12.5%", "30%", "0.5%", "40%"], ["0.5%", "0.2"]]
)
def test_plain_values_on_the_percentages_scale_stay_a_note(values):
    """Plain values as large as the percentages ("3" beside "12.5%"), or percentages of
    their own below 1, give no grounds to suspect fractions."""
    notes = Schema.learn(pd.DataFrame({"rate": values * 10}), ["rate"])[1]
    assert not any(n.check == "mixed_percent" for n in notes)
    assert any(n.check == "percent_text" for n in notes)


def test_a_column_in_the_other_decimal_mark_keeps_it_for_scoring_and_says_so():
    table = pd.DataFrame({"ratio": ["0,25", "1,5", "3,75", "2"] * 10})
    schema, notes = Schema.learn(table, ["ratio"])  # plain rules: "0,25" is no number
    assert schema.feature("ratio").decimal == ","
    assert any(n.check == "decimal_mark" for n in notes)
    saved = Schema.from_dict(json.loads(json.dumps(schema.fit_levels(table)[0].to_dict())))
    X, _ = saved.encode(pd.DataFrame({"ratio": ["0,5", 2.25, "1.000,5"]}))
    assert X["ratio"].tolist() == [0.5, 2.25, 1000.5]


@pytest.mark.slow
def test_percent_column_tunes_as_a_number_and_its_own_rows_score_without_warning():
    rng = np.random.default_rng(3)
    rate = rng.uniform(1, 30, 300).round(1)
    table = pd.DataFrame(
        {
            "rate": [f"{r:.1f}%" for r in rate],
            "status": np.where(rng.random(300) < rate / 40, "bad", "good"),
        }
    )
    result = _tune(table, "lightgbm")
    assert result.model.schema.feature("rate").kind == "numeric"
    assert "percent_text" in {f.check for f in result.findings}
    with warnings.catch_warnings():
        warnings.simplefilter("error", SchemaWarning)
        result.model.predict_proba(table.drop(columns="status"))


# -- 9. duplicated columns and empty batches at scoring -----------------------------------


@pytest.fixture(scope="module")
def small_model():
    return _tune(_table(200), "lightgbm").model


def test_a_model_column_given_twice_is_refused_naming_it(small_model):
    rows = _table(30).drop(columns="status").iloc[10:]  # row 7 has a one-row level
    twice = pd.concat([rows, rows[["amount"]]], axis=1)
    with pytest.raises(TuneplateError, match="'amount' more than once") as caught:
        small_model.predict_proba(twice)
    assert "\n" not in str(caught.value)
    notes = pd.DataFrame([["a", "b"]] * 20, columns=["note", "note"], index=rows.index)
    extra = pd.concat([rows, notes], axis=1)  # a column the model ignores, twice: fine
    assert small_model.predict_proba(extra).shape == (20, 2)


def test_an_empty_batch_scores_to_an_empty_result(small_model):
    rows = _table(20).drop(columns="status").iloc[:0]
    proba = small_model.predict_proba(rows)
    assert proba.shape == (0, 2) and proba.schema_counts["amount"].rows == 0
    assert small_model.predict(rows).shape == (0,)
    with pytest.raises(TuneplateError, match="'purpose'"):  # columns still checked
        small_model.predict_proba(rows.drop(columns="purpose"))


# -- 10. Results.load brings the saved model back -----------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_results_load_gives_the_model_that_scores_like_the_run(family, tmp_path):
    table = _table(200)
    result = _tune(table, family)
    result.save(tmp_path)
    rows = table.drop(columns="status").iloc[10:25]
    loaded = tuneplate.Results.load(tmp_path)
    np.testing.assert_allclose(  # XGBoost's saved booster predicts in float32
        loaded.model.predict_proba(rows), result.model.predict_proba(rows), rtol=0, atol=1e-6
    )
    assert tuneplate.Results.load(tmp_path, model=False).model is None


def test_results_load_without_a_model_file_and_with_a_damaged_one(tmp_path, small_model):
    from tuneplate.engine.results import Results

    result = _tune(_table(200), "logistic")
    result.model = None
    result.save(tmp_path)
    assert Results.load(tmp_path).model is None  # results only: nothing to load
    small_model.save(tmp_path)
    (tmp_path / "model.lightgbm.txt").write_text("not a model")
    with pytest.raises(TuneplateError, match="model=False") as caught:
        Results.load(tmp_path)
    assert "\n" not in str(caught.value)
    assert Results.load(tmp_path, model=False).holdout == result.holdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.234", 1234.0), ("12.345,5", 12345.5), ("0.125", 0.125), ("-1.000", -1000.0)],
)
def test_thousands_groups_never_start_with_zero(text, expected):
    """Under decimal-comma rules a dotted group of three is a thousand, but "0.125" can
    only be a point decimal: no one writes a thousands group after a leading zero."""
    from tuneplate.engine.contract.schema import _parse_number

    assert _parse_number(text, decimal=",", thousands=".") == expected


def test_padded_column_names_score_like_the_clean_ones():
    """Spreadsheet exports pad header names ("amount "); the reader strips them, and a
    DataFrame read with plain pandas must score the same, not be refused."""
    import warnings

    from tuneplate.engine.contract.schema import Schema

    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {"amount": rng.normal(1000, 200, 200).round(2), "purpose": rng.choice(["car", "tv"], 200)}
    )
    schema, _ = Schema.learn(table, ["amount", "purpose"])
    schema, _ = schema.fit_levels(table)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing unreadable, nothing unseen
        clean, _ = schema.encode(table)
        padded, _ = schema.encode(
            table.rename(columns={"amount": "amount ", "purpose": " purpose"})
        )
    pd.testing.assert_frame_equal(clean, padded)
    both = table.assign(**{"amount ": table["amount"] * 2})  # the real one wins
    pd.testing.assert_frame_equal(schema.encode(both)[0], clean)


def test_codes_that_pandas_reads_as_year_one_dates_stay_text_without_a_crash():
    """pandas' lenient parser read "1 23" as 23 January of year 1; counting its days from
    1970 overflowed nanoseconds and `check`/`run` stopped with a traceback."""
    from tuneplate.engine.contract.kinds import _days

    for values in (["1 23", "4 56", "2 11"], ["1 2", "3 4"]):
        schema = Schema.learn(pd.DataFrame({"code": values * 10}), ["code"])[0]
        assert schema.feature("code").kind == "categorical"
    ancient = pd.Series(pd.to_datetime(["0001-01-23", "2000-01-01"], utc=True).as_unit("us"))
    assert np.isfinite(_days(ancient)).all()
    assert _days(ancient)[1] == 10957  # days from 1970-01-01 to 2000-01-01


def test_levels_that_differ_only_in_case_are_a_warning():
    """'Male', 'male' and 'MALE' were three levels without a word (a fresh user's table);
    spaces alone are already merged by the reader."""
    table = pd.DataFrame({"gender": ["Male", "male", "MALE", "Female", "female"] * 20})
    notes = Schema.learn(table, ["gender"])[1]
    case = [n for n in notes if n.check == "case_levels"]
    assert len(case) == 1 and case[0].severity == "warning"
    assert "5 levels are 2 once case is ignored" in case[0].message
    for clean in (["Male", "Female"], ["Lyon ", "Lyon", "Nice"]):
        notes = Schema.learn(pd.DataFrame({"city": clean * 20}), ["city"])[1]
        assert not any(n.check == "case_levels" for n in notes)


def test_a_model_saved_before_the_missing_word_rule_scores_as_it_trained():
    """Upgrading changed the scores of a model saved before the rule: its "?" rows, pooled
    into OTHER at fit, were now scored as missing, a value it never trained on. A learned
    level in another case ("NONE" for "none") stays an unknown level, said as such."""
    rng = np.random.default_rng(5)
    n = 300
    table = pd.DataFrame({"purpose": rng.choice(["none", "car", "home"], n).astype(object)})
    table.loc[:3, "purpose"] = "rare-level"  # pooled into OTHER
    schema, _ = Schema.learn(table, ["purpose"])
    schema, _ = schema.fit_levels(table)
    saved = schema.to_dict()
    for f in saved["features"]:
        f.pop("words_missing")  # as written before the rule
    before = Schema.from_dict(json.loads(json.dumps(saved)))
    rows = pd.DataFrame({"purpose": ["?", "NONE", "car"]})
    encoded, counts = before.encode(rows)
    assert encoded["purpose"].tolist() == [OTHER, OTHER, "car"]
    encoded, counts = schema.encode(rows)
    assert encoded["purpose"].isna().tolist() == [True, False, False]
    assert encoded["purpose"].tolist()[1:] == [OTHER, "car"]
    assert counts["purpose"].other_case == 1


def test_a_yes_no_column_written_two_ways_is_a_warning():
    """'yes'/'no' and '1'/'0' in one column were four levels without a word: the same
    patient scored 0.733 or 0.705 by how one answer was spelled (a fresh user's table)."""
    mixed = pd.DataFrame({"ascites": ["yes", "no", "1", "0"] * 20})
    (note,) = [n for n in Schema.learn(mixed, ["ascites"])[1] if n.check.startswith("answers")]
    assert note.severity == "warning" and note.columns == ("ascites",)
    assert "written 4 ways (0, 1, no, yes)" in note.message and "level" in note.message
    for spelt in (["yes", "no", "Y", "N"], ["true", "false", "yes", "no"], ["T", "F", "1"]):
        notes = Schema.learn(pd.DataFrame({"ascites": spelt * 20}), ["ascites"])[1]
        assert any(n.check.startswith("answers") for n in notes), spelt
    mostly = pd.DataFrame({"ascites": ["1", "0"] * 48 + ["yes"] * 4})  # numbers, a few words
    schema, notes = Schema.learn(mostly, ["ascites"])
    assert schema.feature("ascites").kind == "numeric"
    (note,) = [n for n in notes if n.check.startswith("answers")]
    assert "the words are missing values" in note.message
    codes = ["T", "F", "N"]  # letters alone: a three-level code, not yes/no spelt twice
    for clean in (["yes", "no"], ["1", "0"], ["Y", "N", "n/a"], ["yes", "no", "maybe"], codes):
        notes = Schema.learn(pd.DataFrame({"ascites": clean * 20}), ["ascites"])[1]
        assert not any(n.check.startswith("answers") for n in notes), clean


def test_numbers_with_a_unit_in_the_cell_are_a_warning_codes_are_not():
    """ "1,8 mg/dl" got only a high-cardinality warning whose fix was to group levels:
    the model learnt each value as a level of its own (a fresh user's lab export)."""
    bili = [f"{i / 10:.1f} mg/dl".replace(".", ",") for i in range(5, 60)] * 2
    notes = Schema.learn(pd.DataFrame({"bili": bili}), ["bili"])[1]
    (note,) = [n for n in notes if n.check == "unit_in_cells"]
    assert note.severity == "warning" and "(mg/dl)" in note.message
    assert "remove the unit" in note.fix
    codes = {
        "coded": ["0_no", "1_yes"] * 30,  # a label with its code
        "address": ["12 rue de la Paix", "3 Main St"] * 30,
        "order": ["1st", "2nd", "3rd", "4th"] * 15,
        "size": ["10x", "20x"] * 30,
    }
    for name, values in codes.items():
        notes = Schema.learn(pd.DataFrame({name: values}), [name])[1]
        assert not any(n.check == "unit_in_cells" for n in notes), name


def _dated_schema():
    """A schema fitted on real datetimes (a DataFrame's datetime64 column)."""
    when = pd.Series(pd.date_range("2022-01-01", periods=400, freq="D"), name="exam")
    table = pd.DataFrame({"exam": when, "x": np.arange(400.0)})
    schema, _ = Schema.learn(table, ["exam", "x"])
    schema, _ = schema.fit_levels(table)
    return schema, table


@pytest.mark.parametrize("written", ["20220412", 20220412, "2022-04-12", "2022/04/12"])
def test_dates_written_year_month_day_read_as_the_datetime_they_are(written):
    """SAS and SQL extracts write 12 April 2022 as 20220412 (ISO 8601's basic format):
    read day first, it became 4 December, silently, in every row whose day is 12 or
    under (a fresh user's report: 211 of 569 scores moved by up to 0.93)."""
    schema, _ = _dated_schema()
    truth = pd.DataFrame({"exam": [pd.Timestamp("2022-04-12")], "x": [1.0]})
    expected = schema.encode(truth)[0]
    got, counts = schema.encode(pd.DataFrame({"exam": [written], "x": [1.0]}))
    assert got.iloc[0, 0] == expected.iloc[0, 0]
    assert counts["exam"].unreadable == 0


def test_a_rows_date_is_read_the_same_alone_or_beside_others():
    """Fitted on real datetimes, "04/12/2022" was read day first alone and month first
    beside "04/13/2022": a row's score depended on its batch. With no order learned,
    a date that needs one is counted as unreadable, whatever the other rows."""
    schema, _ = _dated_schema()
    alone, counts_alone = schema.encode(pd.DataFrame({"exam": ["04/12/2022"], "x": [1.0]}))
    batch = pd.DataFrame({"exam": ["04/12/2022", "04/13/2022"], "x": [1.0, 1.0]})
    beside, counts_batch = schema.encode(batch)
    assert np.isnan(alone.iloc[0, 0]) and np.isnan(beside.iloc[0, 0])
    assert counts_alone["exam"].unreadable == 1 and counts_batch["exam"].unreadable == 2


def test_a_learned_day_first_order_still_reads_its_dates_and_a_bad_basic_date_is_nat():
    from tuneplate.engine.contract.dates import parse_datetimes

    read = parse_datetimes(pd.Series(["04/12/2022", "20221304", "20220412T10:30"]), "%d/%m/%Y")
    assert read.iloc[0] == pd.Timestamp("2022-12-04", tz="UTC")
    assert pd.isna(read.iloc[1])  # month 13: not a date, never a guess
    assert read.iloc[2] == pd.Timestamp("2022-04-12 10:30", tz="UTC")


def test_levels_a_csv_file_reads_as_missing_are_named_at_fit(tmp_path):
    """A DataFrame taught the model the level "NA" (Namibia); score.py and explain read
    the same rows from a CSV file, where pandas makes "NA" missing: 197 of 569 scores
    moved, with nothing counted when the column had blanks at fit (a fresh user's report).
    The fit now warns, naming the column and the level."""
    country = pd.Series(["NA", "DE", "FR", None] * 50, name="country")
    table = pd.DataFrame({"country": country, "x": np.arange(200.0)})
    schema, _ = Schema.learn(table, ["country", "x"])
    _, notes = schema.fit_levels(table)
    found = [n for n in notes if n.check == "missing_spelled_levels"]
    assert len(found) == 1 and found[0].columns == ("country",)
    assert "country: 'NA'" in found[0].message and found[0].severity == "warning"
    # from a CSV file "NA" is missing at fit as at scoring: nothing to say
    path = tmp_path / "rows.csv"
    table.to_csv(path, index=False)
    read = pd.read_csv(path)
    schema, _ = Schema.learn(read, ["country", "x"])
    assert not [n for n in schema.fit_levels(read)[1] if n.check == "missing_spelled_levels"]


def test_columns_are_found_under_the_same_name_written_as_text(tmp_path):
    """Fitted on a DataFrame with int column names (pd.DataFrame(array)) or a padded
    name (" texture"), a CSV of the same frame was refused: "lack the model's column(s)
    0, 1" with the header 0,1 right there (the header is text, and the reader strips it)."""
    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.normal(size=(200, 2)))
    table[" texture"] = rng.normal(size=200)
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    expected = schema.encode(table)[0]
    path = tmp_path / "rows.csv"
    table.to_csv(path, index=False)
    read = pd.read_csv(path)
    read.columns = [c.strip() for c in read.columns]  # as tuneplate's reader does
    pd.testing.assert_frame_equal(schema.encode(read)[0], expected)
    # two columns that could be the model's 0: refused as missing, never guessed
    both = read.assign(**{" 0": read["0"]})
    with pytest.raises(TuneplateError, match="lack the model's column"):
        schema.encode(both)


def test_two_columns_with_one_name_as_text_are_refused_at_fit():
    """Columns 0 and "0" both got the key "0": fit and scoring worked, explain crashed
    with a pandas shape error."""
    table = pd.DataFrame({0: [1.0, 2.0] * 20, "0": [3.0, 4.0] * 20, "x": [1.0] * 40})
    with pytest.raises(TuneplateError, match=r"same name once written as text"):
        Schema.learn(table, list(table.columns))


def test_a_pandas_category_column_stays_categories_even_of_numbers():
    """Branch codes typed `category` with categories 3, 7, 11 were learned as a number
    (11 "more than" 7), overriding the user's own dtype without a word. Scored from a
    CSV, where the codes are numbers again, each still finds its level."""
    table = pd.DataFrame(
        {"branch": pd.Series([3, 7, 11] * 20, dtype="category"), "x": np.arange(60.0)}
    )
    schema, _ = Schema.learn(table, ["branch", "x"])
    schema, _ = schema.fit_levels(table)
    assert schema.features[0].kind == "categorical"
    assert set(schema.features[0].levels) == {"3", "7", "11"}
    encoded, counts = schema.encode(pd.DataFrame({"branch": [3, 11.0, "7"], "x": [1.0] * 3}))
    assert encoded["branch"].astype(str).tolist() == ["3", "11", "7"]
    assert counts["branch"].unknown_levels == 0


def test_a_time_zone_learned_at_fit_is_said_with_how_zone_less_times_are_read():
    """Fitted on Europe/Berlin times, the same wall-clock times scored without a zone are
    taken as UTC, an hour or two off, with no word (a fresh user's report). The fit says
    so where it names the date column."""
    when = pd.Series(pd.date_range("2024-01-01", periods=60, freq="D", tz="Europe/Berlin"))
    table = pd.DataFrame({"seen": when, "x": np.arange(60.0)})
    _, notes = Schema.learn(table, ["seen", "x"])
    said = [n.message for n in notes if n.check == "date_feature"]
    assert len(said) == 1 and "time zone (Europe/Berlin)" in said[0] and "UTC" in said[0]
    naive = table.assign(seen=when.dt.tz_localize(None))
    _, notes = Schema.learn(naive, ["seen", "x"])
    assert "time zone" not in [n.message for n in notes if n.check == "date_feature"][0]


@pytest.mark.parametrize("family", ["logistic", "lightgbm"])
def test_a_missing_word_in_a_text_column_scores_as_missing_however_it_is_written(family):
    """A patient scored 40% with the stage left empty or "NA", 86% with "?" and 84% with
    "-": in a text column "?" was a level (pooled into OTHER), not a missing value, with
    no finding. A rare "?" at fit is missing too; a frequent "none" stays a level."""
    table = _table(n=400, seed=3)
    table["purpose"] = table["purpose"].astype(object)
    table.loc[10:29, "purpose"] = None
    table.loc[30:32, "purpose"] = "?"  # rare at fit: missing, as the empty cells
    table["guarantor"] = np.where(np.arange(len(table)) % 3 == 0, "none", "bank")
    result = _tune(table, family, seed=0)
    (purpose,) = [f for f in result.model.schema.features if f.name == "purpose"]
    assert "?" not in purpose.levels and OTHER in purpose.levels  # the one-row level only
    (guarantor,) = [f for f in result.model.schema.features if f.name == "guarantor"]
    assert "none" in guarantor.levels
    row = table.drop(columns="status").iloc[[40]]
    spelled = [None, "NA", "?", "-", "n/a", "unknown"]
    rows = pd.concat([row.assign(purpose=w) for w in spelled], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaWarning)
        scores = result.model.predict_proba(rows)[:, 1]
    assert np.allclose(scores, scores[0]), dict(zip(map(str, spelled), scores, strict=True))


def test_a_batch_writing_dates_in_the_other_order_is_refused_not_half_swapped():
    """Fitted on day-first dates (31.01.2024), a batch written month-first (01/31/2024) had
    its dates with a day above 12 counted as unreadable and the others (day 12 or less)
    read with day and month swapped, silently: 4 of a fresh user's 300 decisions flipped."""
    days = pd.date_range("2023-01-01", periods=200, freq="D")
    table = pd.DataFrame({"opened": days.strftime("%d.%m.%Y"), "x": np.arange(200.0)})
    schema, _ = Schema.learn(table, ["opened", "x"])
    later = pd.date_range("2024-01-01", periods=60, freq="D")
    same = pd.DataFrame({"opened": later.strftime("%d.%m.%Y"), "x": 1.0})
    encoded, _ = schema.encode(same)  # the run's order: read as at fit
    assert (encoded.iloc[:, 0].diff().dropna() == 1).all()
    for written in ("%m.%d.%Y", "%m/%d/%Y"):
        batch = same.assign(opened=later.strftime(written))
        with pytest.raises(TuneplateError, match="'opened' is written month/day/year") as e:
            schema.encode(batch)
        swapped = int(((later.day <= 12) & (later.day != later.month)).sum())
        assert f"{swapped} more would be read with day and month swapped" in str(e.value)
        with pytest.raises(TuneplateError, match="month/day/year"):
            schema.typed(batch)
    # one typo among dates that prove the run's order is an unreadable cell, not a refusal
    typo = same.assign(opened=same["opened"].where(same.index != 40, "01.13.2024"))
    encoded, counts = schema.encode(typo)
    assert counts["opened"].unreadable == 1 and encoded.iloc[:, 0].notna().sum() == 59
    # dates that prove no order (every day 12 or less) are read in the run's order
    early = pd.DataFrame({"opened": ["01.02.2024", "03.04.2024"], "x": 1.0})
    assert schema.encode(early)[0].shape == (2, 2)
    # ISO dates carry no order: never refused
    assert schema.encode(same.assign(opened=later.strftime("%Y-%m-%d")))[0].notna().all().all()


@pytest.mark.parametrize("share", [0.05, 0.15])
def test_a_date_column_with_some_excel_serials_stays_dates_and_names_them(share):
    """An export where 5% of the dates were unformatted Excel cells ("44562") made the
    column text: 700 distinct levels pooled into one, the input gone from the model, and
    `check` advised grouping rare levels. It is read as dates; the serials are counted."""
    days = pd.date_range("2021-01-01", periods=700, freq="D")
    written = pd.Series(days.strftime("%Y-%m-%d"))
    stray = np.arange(700) % round(1 / share) == 0
    written[stray] = [str((d - pd.Timestamp("1899-12-30")).days) for d in days[stray]]
    table = pd.DataFrame({"opened": written, "x": np.arange(700.0)})
    schema, notes = _learn(table)
    assert schema.feature("opened").kind == "datetime"
    (note,) = [n for n in notes if n.check == "date_feature"]
    n = int(stray.sum())
    assert f"{n} values not dates read as missing ({n} of them whole numbers" in note.message
    assert note.severity == "warning"
    assert schema.typed(table)["opened"].isna().sum() == n


def test_codes_with_a_few_date_like_values_stay_text():
    codes = pd.Series([f"A-{i % 40:02d}" for i in range(300)])
    codes[:20] = "2021-01-05"
    schema, _ = _learn(pd.DataFrame({"code": codes, "x": np.arange(300.0)}))
    assert schema.feature("code").kind == "categorical"


def test_a_constant_column_is_left_out_so_scoring_and_monitoring_do_not_need_it():
    """The report said a one-value column "is ignored", yet the model required it at
    scoring and `validate` raised a drift alarm (CSI 18) when a batch held another value."""
    table = _table(300).assign(branch_country="DE")
    schema, _ = _learn(table)
    assert "branch_country" not in schema.names
    assert schema.encode(table.drop(columns="branch_country"))[0].shape[0] == 300


def _one_valued(n: int = 300) -> pd.DataFrame:
    """`_table` with a text, a number-as-text and an integer column of one value each."""
    return _table(n).assign(branch="Berlin", tier="5", seats=3)


def test_a_constant_columns_value_is_kept_and_rows_holding_another_are_counted():
    """`branch` was "Berlin" in every row the model was tuned on; a batch where a quarter
    is "Munich" scored without a word, though the model never saw such rows."""
    table = _one_valued()
    schema, _ = _learn(table)
    assert {c.name: c.value for c in schema.constants} == {
        "branch": "Berlin",
        "tier": 5.0,
        "seats": 3.0,
    }
    batch = table.copy()
    batch.loc[::4, "branch"] = "Munich"
    counts = schema.encode(batch)[1]
    assert counts["branch"].other_values == 75 and counts["branch"].one_value == "'Berlin'"
    (line,) = [x for x in problems(counts) if x.startswith("branch:")]
    assert "75 of 300 rows (25.0%) hold another value than 'Berlin'" in line
    assert "retrain with such rows, or score only rows with branch = 'Berlin'" in line
    # "5", 5 and 5.0 are one value, read as the column's kind, as at fit
    same = schema.encode(table.assign(tier=5.0, seats="3"))[1]
    assert same["tier"].other_values == same["seats"].other_values == 0
    assert not [x for x in problems(same) if x.startswith(("tier", "seats", "branch"))]


def test_a_constant_number_that_varies_or_goes_missing_is_counted_as_another_value():
    table = _one_valued()
    schema, _ = _learn(table)
    batch = table.assign(seats=np.where(np.arange(300) % 10 == 0, 4, 3).astype(float))
    batch.loc[1:9, "seats"] = np.nan  # missing, where no development row was
    (line,) = [x for x in problems(schema.encode(batch)[1]) if x.startswith("seats:")]
    assert "39 of 300 rows (13.0%) hold another value than 3, or none" in line


def test_a_constant_column_left_out_of_the_rows_to_score_is_not_required():
    table = _one_valued()
    schema, _ = _learn(table)
    counts = schema.encode(table.drop(columns=["branch", "tier", "seats"]))[1]
    assert not {"branch", "tier", "seats"} & set(counts)


def test_predict_proba_warns_on_rows_holding_another_value_of_a_constant_column():
    table = _one_valued()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _tune(table, "logistic").model
    assert [c.name for c in model.schema.constants] == ["branch", "tier", "seats"]
    batch = table.assign(branch=np.where(np.arange(300) % 2 == 0, "Munich", "Berlin"))
    with pytest.warns(SchemaWarning, match=r"branch: 150 of 300 rows \(50.0%\) hold another"):
        proba = model.predict_proba(batch)
    assert proba.schema_counts["branch"].other_values == 150
    with pytest.raises(TuneplateError, match="hold another value than 'Berlin'"):
        model.predict_proba(batch, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SchemaWarning)
        model.predict_proba(table)  # every row "Berlin": nothing to say


def test_constants_survive_json_and_an_older_schema_loads_without_them():
    schema, _ = _learn(_one_valued())
    saved = json.loads(json.dumps(schema.to_dict()))
    assert Schema.from_dict(saved) == schema
    del saved["constants"]  # a model.json written before they were recorded
    old = Schema.from_dict(saved)
    assert old.constants is None and old.names == schema.names
    assert "branch" not in old.encode(_one_valued().assign(branch="Munich"))[1]


def test_a_one_date_column_is_not_watched():
    """A date in every row is when the extract was taken: every later batch is later."""
    schema, _ = _learn(_table().assign(as_of="2024-03-31"))
    assert "as_of" not in schema.names and schema.constants == ()


@pytest.mark.parametrize(
    "words, share", [(("not done",), 0.1), (("not done",), 0.4), (("clotted", "hemolysed"), 0.08)]
)
def test_a_lab_column_with_a_frequent_word_stays_numbers(words, share):
    """A laboratory export writing "not done" for a third of patients made the skin-fold
    column text: 33 levels, 34% of rows pooled into OTHER, the order of values lost, and
    `check` silent. It stays numeric; the words are counted as missing in a warning (a
    missing-word at any share; other words when each is rare, here 4% each)."""
    rng = np.random.default_rng(0)
    values = pd.Series(rng.integers(10, 60, 400).astype(str), dtype=object)
    hit = np.flatnonzero(rng.random(400) < share)
    values[hit] = [words[i % len(words)] for i in range(len(hit))]
    schema, notes = _learn(pd.DataFrame({"skin": values, "x": np.arange(400.0)}))
    assert schema.feature("skin").kind == "numeric"
    (note,) = [n for n in notes if n.check == "text_in_numbers"]
    assert f"not numbers ({', '.join(map(repr, words))}) read as missing" in note.message
    assert note.severity == "warning"
    typed = schema.typed(pd.DataFrame({"skin": values, "x": 0.0}))["skin"]
    assert typed.isna().sum() == len(hit)


def test_frequent_status_words_beside_numbers_stay_levels():
    """Years employed written "retired" (20%), "unemployed" (15%) or "student" (10%) were
    read as one missing value: statuses, not unknowns. A frequent word that is not a
    missing-word keeps the column text."""
    rng = np.random.default_rng(1)
    years = pd.Series(rng.integers(0, 40, 1000).astype(str), dtype=object)
    status = rng.choice(["retired", "unemployed", "student", "-"], 1000, p=[0.2, 0.15, 0.1, 0.55])
    years[status != "-"] = status[status != "-"]
    schema, _ = _learn(pd.DataFrame({"years_employed": years, "x": np.arange(1000.0)}))
    assert schema.feature("years_employed").kind == "categorical"


def test_codes_with_a_few_numbers_stay_text():
    grades = pd.Series(["1a", "2b", "3", "4", "x1"] * 80)  # digits in the non-numbers: codes
    schema, _ = _learn(pd.DataFrame({"grade": grades, "x": np.arange(400.0)}))
    assert schema.feature("grade").kind == "categorical"


def test_absent_columns_name_the_separator_or_the_case_that_hid_them():
    """A `;` file read with pandas' default separator, or headers in another case, were
    refused as lacking every model column with no word on why."""
    import io

    from tuneplate.engine.contract.errors import TuneplateError

    table = pd.DataFrame({"loan_amnt": [1.0, 2.0, 3.0] * 10, "int_rate": [0.1, 0.2, 0.3] * 10})
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    for sep in (";", "\t"):
        one_column = pd.read_csv(io.StringIO(table.to_csv(index=False, sep=sep)))
        with pytest.raises(TuneplateError, match=r"sep='(;|\\t)'"):
            schema.encode(one_column)
    with pytest.raises(TuneplateError, match="'Loan_Amnt' for 'loan_amnt'"):
        schema.encode(table.rename(columns=str.title))
