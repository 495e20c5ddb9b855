"""Each generic check flags the problem it is named for and stays quiet on clean data."""

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.data.checks import column_tokens, run_checks, single_feature_auc
from tuneplate.engine.data.roles import Roles

ROLES = Roles(target="status", positive="bad")


def _checks(table):
    return {f.check: f for f in run_checks(table, ROLES)}


def test_clean_table_has_no_findings(loans):
    assert _checks(loans) == {}


def test_tiny_table_is_an_error(loans):
    finding = _checks(loans.head(20))["table_size"]
    assert finding.severity == "error" and "20 rows" in finding.message


def test_rare_class_is_an_error(loans):
    table = loans.copy()
    table["status"] = "good"
    table.loc[:4, "status"] = "bad"
    assert _checks(table)["class_size"].severity == "error"


def test_duplicate_rows(loans):
    table = pd.concat([loans, loans.head(30)], ignore_index=True)
    finding = _checks(table)["duplicate_rows"]
    assert finding.severity == "warning" and "30" in finding.message


def test_a_constant_column_is_named_by_check_and_left_out(loans, tmp_path, capsys):
    """The schema leaves a one-value column out before the checks run; the finding that
    names it was lost with it, so `check` said nothing about `site`."""
    from tuneplate.cli import main

    data = tmp_path / "loans.csv"
    loans.assign(site="North").to_csv(data, index=False)
    assert main(["check", "credit-risk", "--data", str(data), "--target", "status"]) == 0
    out = capsys.readouterr().out
    assert "hold a single value: site; left out of the features" in out


def test_id_like_column(loans):
    table = loans.assign(application_id=np.arange(len(loans)) + 10_000)
    assert _checks(table)["id_like_columns"].columns == ("application_id",)


def test_unique_measurements_are_not_ids(loans):
    table = loans.assign(score=np.random.default_rng(1).normal(size=len(loans)))
    assert "id_like_columns" not in _checks(table)


def test_mostly_missing_column(loans):
    table = loans.assign(bureau_score=np.where(np.arange(len(loans)) % 4 == 0, 600.0, np.nan))
    assert _checks(table)["missing_values"].columns == ("bureau_score",)


def test_high_cardinality_text(loans):
    table = loans.assign(employer=[f"firm {i % 120}" for i in range(len(loans))])
    assert _checks(table)["high_cardinality"].columns == ("employer",)


def test_single_feature_leakage_is_an_error(loans):
    table = loans.assign(write_down=(loans["status"] == "bad") * 1000.0)
    finding = _checks(table)["single_feature_leakage"]
    assert finding.severity == "error"
    assert finding.columns == ("write_down",)
    assert "--exclude" in finding.fix


def test_excluded_columns_are_not_checked(loans):
    table = loans.assign(write_down=(loans["status"] == "bad") * 1000.0)
    findings = run_checks(table, Roles(target="status", positive="bad", exclude=("write_down",)))
    assert findings == []


def test_errors_come_first(loans):
    table = pd.concat([loans, loans.head(30)], ignore_index=True)
    table["leak"] = (table["status"] == "bad").astype(int)
    severities = [f.severity for f in run_checks(table, ROLES)]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([1, 2, 3, 4], 1.0), ([4, 3, 2, 1], 1.0), (["a", "a", "b", "b"], 1.0), ([1, 1, 1, 1], 0.5)],
)
def test_single_feature_auc(values, expected):
    assert single_feature_auc(pd.Series(values), pd.Series([0, 0, 1, 1])) == expected


def test_column_tokens_split_words_and_camel_case():
    assert column_tokens("chargeOff_Amount") == {"charge", "off", "amount"}
    assert "age" not in column_tokens("mortgage_balance")


# -- the --time column: `check` refuses what the out-of-time split refuses ----------------


def _dated(dates: list) -> pd.DataFrame:
    n = len(dates)
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x": rng.normal(size=n), "y": rng.integers(0, 2, n), "applied": dates})


@pytest.mark.parametrize(
    ("dates", "said"),
    [
        (["13/01/2022", "14/02/2022", "03/13/2023", "04/20/2023"] * 50, "mixes day/month/year"),
        (["2022-01-01", None, "2022-03-01", "2022-04-01"] * 50, "missing value"),
        (["soon", "later", "never", "2022-01-01"] * 50, "is not a date"),
    ],
    ids=["day and month first mixed", "rows without a date", "not dates"],
)
def test_a_time_column_the_split_refuses_is_an_error_in_the_checks(dates, said):
    roles = Roles(target="y", time="applied")
    (found,) = [f for f in run_checks(_dated(dates), roles) if f.check == "time_column"]
    assert found.severity == "error" and found.columns == ("applied",) and said in found.message
    assert found.fix.split()[0] in {"fix", "fill", "write"}  # what to do, not a reason
    assert not [
        f
        for f in run_checks(_dated(["2022-01-01", "2022-02-01"] * 100), roles)
        if f.check == "time_column"
    ]


def test_check_and_run_refuse_mixed_date_orders_alike(tmp_path, capsys):
    from tuneplate.cli import main

    table = _dated(["13/01/2022", "14/02/2022", "03/13/2023", "04/20/2023"] * 50)
    table["y"] = np.where(table["y"] == 1, "bad", "good")
    table.to_csv(tmp_path / "loans.csv", index=False)
    args = ["--data", str(tmp_path / "loans.csv"), "--target", "y", "--time", "applied"]
    assert main(["check", "credit-risk", *args]) == 2
    checked = capsys.readouterr()
    out = tmp_path / "run"
    assert main(["run", "credit-risk", *args, "--trials", "1", "--out", str(out)]) == 2
    ran = capsys.readouterr()
    line = "column 'applied' mixes day/month/year dates"
    assert line in checked.out + checked.err and line in ran.out + ran.err
    assert "Traceback" not in checked.err + ran.err


# --- dates: one input the model reads as a number, judged by their order -------------


def _dated_by_outcome(n: int = 400, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """A table whose text visit dates follow the outcome (rows sorted by a hidden
    measurement, then dated one day apart), as a sorted extract gives them."""
    rng = np.random.default_rng(seed)
    weight = np.sort(rng.normal(size=n))
    y = np.where(weight + noise * rng.normal(size=n) < np.quantile(weight, 0.3), "yes", "no")
    days = pd.Timestamp("2019-01-01") + pd.to_timedelta(np.arange(n), unit="D")
    return pd.DataFrame(
        {
            "age": rng.integers(18, 45, n),
            "visit_date": days.strftime("%d/%m/%Y"),  # text, read as dates by the schema
            "low": y,
        }
    )


@pytest.mark.parametrize("vertical", ["credit-risk", "diagnosis"])
def test_a_text_date_that_encodes_the_outcome_is_caught_as_leakage(vertical):
    """Every date is its own text value (400 levels), so the level-mean rule skipped it;
    the model reads it as one number whose order gives the outcome away."""
    from tuneplate.engine.tune import Config, check
    from tuneplate.verticals import load_vertical

    config = Config.flat(target="low", positive="yes")
    found = {f.check: f for f in check(load_vertical(vertical), _dated_by_outcome(), config)}
    leak = found["single_feature_leakage"]
    assert leak.severity == "error" and leak.columns == ("visit_date",)


def test_a_weaker_date_signal_is_named_as_suspicious_in_credit():
    from tuneplate.engine.tune import Config, check
    from tuneplate.verticals import load_vertical

    table = _dated_by_outcome(noise=0.35)
    config = Config.flat(target="low", positive="yes")
    found = {f.check: f for f in check(load_vertical("credit-risk"), table, config)}
    assert "single_feature_leakage" not in found
    assert "visit_date" in found["suspiciously_predictive"].columns


def test_dates_and_numbers_are_never_many_levels_and_rank_by_their_order():
    from tuneplate.engine.data.checks import many_levels, ordered

    days = pd.Series(pd.to_datetime(np.arange(100), unit="D", utc=True))
    assert ordered(days) and not many_levels(days)
    assert not ordered(pd.Series([True, False] * 50)) and not many_levels(pd.Series([True] * 99))
    assert many_levels(pd.Series([f"id{i}" for i in range(100)]))
    y = pd.Series((np.arange(100) >= 70).astype(int))
    assert single_feature_auc(days, y) == 1.0  # the later, the event
    assert single_feature_auc(days.dt.tz_localize(None), y) == 1.0


@pytest.mark.parametrize(
    "name, values",
    [
        ("application_number", lambda n, rng: rng.choice(np.arange(100_000, 999_999), n, False)),
        ("account_number", lambda n, rng: 5_000_000 + 7 * np.arange(n)),
        ("ref_code", lambda n, rng: rng.permutation(n) * 13 + 10),
        ("contract_nr", lambda n, rng: rng.choice(np.arange(1_000, 90_000), n, False)),
    ],
)
def test_numbered_records_are_id_like_whatever_their_spacing(loans, name, values):
    """A random six-digit application number passed `check` without a word and the
    scorecard gave it 16 to 28 points: only dense keys and text ids were caught."""
    rng = np.random.default_rng(0)
    table = loans.assign(**{name: values(len(loans), rng)})
    assert _checks(table)["id_like_columns"].columns == (name,)


def test_unique_whole_amounts_are_not_ids(loans):
    rng = np.random.default_rng(2)
    amounts = rng.choice(np.arange(500, 400_000), len(loans), replace=False)  # 3 to 6 digits
    assert "id_like_columns" not in _checks(loans.assign(income=amounts))


def test_a_few_repeated_rows_are_never_called_zero_percent(loans):
    """ "3 (0.0%) rows repeat another row": a share shown as 0.0% of rows that exist."""
    big = pd.concat([loans] * 16, ignore_index=True)
    big = big.assign(amount=np.arange(len(big), dtype=float) * 1.37)  # every row unique
    table = pd.concat([big, big.iloc[:3]], ignore_index=True)
    assert table.shape[0] > 6_000
    message = _checks(table)["duplicate_rows"].message
    assert "3 (< 0.1%)" in message


@pytest.mark.parametrize("word", ["?", "-", "not done"])
def test_a_missing_word_in_the_outcome_is_a_missing_outcome_not_a_third_class(loans, word):
    """'?' in 10 outcomes was refused as a third class, though '?' is missing in every
    feature and rows without an outcome are left out and counted."""
    from tuneplate.engine.data.roles import tidy_target

    table = loans.copy()
    table.loc[table.index[:10], "status"] = word
    tidied, (found,) = tidy_target(table, "status")
    assert tidied["status"].isna().sum() == 10
    assert f"10 blank value(s) or missing-words ('{word}') read as missing" in found.message


def test_a_date_or_id_given_as_subgroups_is_named_before_the_run(loans):
    """--subgroups visit_date (or patient_id) gave a table of one group, 'other', with
    every patient in it, and no word."""
    table = loans.assign(
        visit=pd.date_range("2020-01-01", periods=len(loans)).strftime("%d/%m/%Y"),
        region=["north", "south"] * (len(loans) // 2),
    )
    roles = Roles(target="status", positive="bad", subgroups=("visit", "region"))
    found = {f.check: f for f in run_checks(table, roles)}
    assert found["ungroupable_columns"].columns == ("visit",)


# -- codes for missing: -1, -999, 9999 apart from a column's other values --------------


def test_codes_for_missing_apart_from_the_other_values_are_named(loans, tmp_path, capsys):
    """An export's -1 for "never contacted" or 999 for "unknown age" is read as a number:
    a logistic regression or a scorecard takes it for an extreme value. `check` and the
    run name the column, the code and its rows, and leave the values as they are."""
    from tuneplate.cli import main

    n = len(loans)
    table = loans.assign(
        days_since_contact=np.where(np.arange(n) % 3 == 0, -1, np.arange(n) % 60),
        age=np.where(np.arange(n) % 50 == 0, 999, 20 + np.arange(n) % 50),
    )
    finding = _checks(table)["missing_codes"]
    assert finding.severity == "warning"
    assert finding.columns == ("days_since_contact", "age")
    thirds = (np.arange(n) % 3 == 0).sum()
    assert f"days_since_contact: {thirds:,} (" in finding.message and "hold -1" in finding.message
    assert "age: " in finding.message and "hold 999" in finding.message
    data = tmp_path / "loans.csv"
    table.to_csv(data, index=False)
    assert main(["check", "credit-risk", "--data", str(data), "--target", "status"]) == 0
    out = capsys.readouterr().out
    assert "a code for missing or not applicable?" in out and "write those cells blank" in out


def test_codes_in_a_protected_column_are_named_too(loans):
    """An age of -1 or 999 goes into the fairness table's youngest and oldest bands."""
    n = len(loans)
    table = loans.assign(age=np.where(np.arange(n) % 10 == 0, -1, 20 + np.arange(n) % 50))
    roles = Roles(target="status", positive="bad", protected=("age",))
    (finding,) = [f for f in run_checks(table, roles) if f.check == "missing_codes"]
    assert finding.columns == ("age",)


def test_a_code_beside_years_is_apart():
    from tuneplate.engine.data.checks import missing_codes

    years = pd.Series(list(range(1940, 2001)) * 3 + [9999] * 30)
    assert missing_codes(years) == {9999.0: 30}


@pytest.mark.parametrize(
    "values",
    [
        [-1, -5, 3, 8, 12] * 20,  # a balance: negative values are real, -1 among them
        [99, 12, 40, 120, 70] * 20,  # 99 within the column's own range
        [0, 1] * 50,  # a flag
        [-1, -1, 3, 8, 12, 20, 7, 9] + [5] * 92,  # -1 in two rows only
        [-1.0] * 100,  # nothing else to be apart from
        [-1, 0, 1, 0, 1] * 20,  # a -1/0/1 trend
        [-1, 1] * 50,  # won or lost
        [-1, 0, 1, 2, 3, 4] * 16 + [0] * 4,  # a rating scale from -1
    ],
)
def test_values_that_belong_to_the_column_are_not_codes(loans, values):
    table = loans.head(100).assign(x=values)
    assert "missing_codes" not in _checks(table)
