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


def test_constant_column(loans):
    finding = _checks(loans.assign(branch="north"))["constant_columns"]
    assert finding.columns == ("branch",)


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
