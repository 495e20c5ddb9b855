import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.roles import Roles, resolve_roles


@pytest.mark.parametrize(
    ("values", "positive"),
    [
        (["good", "bad"], "bad"),
        (["no", "yes"], "yes"),
        ([0, 1], "1"),
        ([0.0, 1.0], "1.0"),
        ([True, False], "True"),
        (["Paid", "Default"], "Default"),
    ],
)
def test_positive_class_is_inferred_when_unambiguous(values, positive):
    table = pd.DataFrame({"y": values * 5, "x": range(10)})
    roles = resolve_roles(table, Roles(target="y"), positive_words=("default", "bad"))
    assert roles.positive == positive
    assert roles.binary_target(table).sum() == 5


def test_ambiguous_positive_asks_for_the_flag():
    table = pd.DataFrame({"y": ["alpha", "beta"] * 5, "x": range(10)})
    with pytest.raises(TuneplateError, match="--positive"):
        resolve_roles(table, Roles(target="y"))


def test_explicit_positive_must_be_a_target_value():
    table = pd.DataFrame({"y": ["alpha", "beta"] * 5, "x": range(10)})
    assert resolve_roles(table, Roles(target="y", positive="alpha")).positive == "alpha"
    with pytest.raises(TuneplateError, match="'z' is not a value"):
        resolve_roles(table, Roles(target="y", positive="z"))


def test_missing_role_column_lists_the_columns():
    table = pd.DataFrame({"y": [0, 1], "income": [1, 2]})
    with pytest.raises(TuneplateError, match="'default'.*income"):
        resolve_roles(table, Roles(target="default"))


def test_numeric_positive_matches_a_float_target():
    table = pd.DataFrame({"y": [0.0, 1.0] * 5, "x": range(10)})
    assert resolve_roles(table, Roles(target="y", positive="1")).positive == "1.0"


def test_dates_and_tz_aware_dates_become_day_numbers():
    from tuneplate.engine.contract.schema import Schema

    table = pd.DataFrame(
        {
            "naive": pd.to_datetime(["1970-01-02", "1970-01-11"]),
            "aware": pd.to_datetime(["1970-01-02", "1970-01-11"]).tz_localize("UTC"),
        }
    )
    schema = Schema.learn(table, ["naive", "aware"])[0].fit_levels(table)[0]
    encoded = schema.encode(table)[0]
    assert encoded["naive"].tolist() == [1.0, 10.0] == encoded["aware"].tolist()


# -- target values written several ways: stripped, case merged, never silently -------------


def _spelt(n: int = 200, seed: int = 0, yes=("yes", "no")) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    event = rng.random(n) < 1 / (1 + np.exp(-x))
    return pd.DataFrame({"x": x.round(3), "status": np.where(event, *yes).astype(object)})


def _tune(table, **kwargs):
    import tuneplate

    return tuneplate.tune(
        "credit-risk", table, target="status", model="logistic", strategy="random", n_trials=2,
        **kwargs,
    )  # fmt: skip


def test_target_case_and_space_variants_merge_with_a_counted_finding():
    table = _spelt()
    raw = table["status"].copy()
    table.loc[:13, "status"] = ["Yes", " yes", "YES ", "No", " no", "NO", "no "] * 2
    result = _tune(table)
    assert result.data["positive"] == "yes"
    (found,) = [f for f in result.findings if f.check == "target_spelling"]
    assert found.message == (
        "status: 14 value(s) differ from 'no'/'yes' only by case or spaces; read as 'no'/'yes'"
    )
    assert found.columns == ("status",) and found.severity == "warning"
    assert table["status"].iloc[0] == "Yes"  # the caller's table is left as it was
    assert raw.iloc[20:].equals(table["status"].iloc[20:])


def test_the_most_frequent_spelling_wins_and_positive_matches_any_spelling():
    table = _spelt(yes=("Default", "Paid"))
    table.loc[:4, "status"] = ["default", "DEFAULT", "paid ", " Paid", "PAID"]
    result = _tune(table, positive="default")
    assert result.data["positive"] == "Default"
    (found,) = [f for f in result.findings if f.check == "target_spelling"]
    assert "read as 'Default'/'Paid'" in found.message and "5 value(s)" in found.message


def test_blank_targets_after_stripping_are_missing_and_counted():
    table = _spelt()
    table.loc[:2, "status"] = ["  ", "", " yes"]
    result = _tune(table)
    assert result.data["rows"] == 198  # "  " and "" carry no outcome
    (found,) = [f for f in result.findings if f.check == "target_spelling"]
    assert "1 value(s) differ" in found.message and "2 blank value(s)" in found.message


def test_rows_without_an_outcome_are_left_out_with_a_counted_warning():
    """Blank outcomes (indeterminate or declined applicants, patients lost to follow-up)
    change the population every figure describes: never left out silently."""
    table = _spelt()
    table.loc[[3, 50, 51, 120, 199], "status"] = [None, float("nan"), None, pd.NA, None]
    result = _tune(table)
    assert result.data["rows"] == 195
    (found,) = [f for f in result.findings if f.check == "target_missing"]
    assert found.severity == "warning" and found.columns == ("status",)
    assert found.message.startswith("status: 5 of 200 rows (2.5%) have no outcome")
    assert not [f for f in _tune(_spelt()).findings if f.check == "target_missing"]


def test_check_counts_the_rows_without_an_outcome(tmp_path, capsys):
    from tuneplate.cli import main

    table = _spelt()
    table.loc[:9, "status"] = None
    table.to_csv(tmp_path / "loans.csv", index=False)  # written as empty cells
    assert main(["check", "credit-risk", "--data", str(tmp_path / "loans.csv"),
                 "--target", "status"]) == 0  # fmt: skip
    out = capsys.readouterr()
    (line,) = [x for x in (out.out + out.err).splitlines() if "have no outcome" in x]
    assert line.startswith("WARNING: status: 10 of 200 rows (5.0%)")


def test_a_clean_or_numeric_target_gets_no_finding_and_three_outcomes_stay_refused():
    from tuneplate.engine.data.roles import tidy_target

    assert tidy_target(_spelt(), "status")[1] == []
    assert tidy_target(pd.DataFrame({"status": [0, 1, 1.0]}), "status")[1] == []
    table = _spelt()
    table.loc[:3, "status"] = ["Maybe", "maybe ", "YES", "no"]
    with pytest.raises(TuneplateError, match="3 distinct value"):
        _tune(table)


def test_a_column_name_with_a_comma_can_be_named_in_a_list(tmp_path, capsys):
    """`--exclude "credit amount, EUR"` was split at its comma into two unknown columns,
    and the error's comma-joined column list made the header look like two as well."""
    from tuneplate.cli import main
    from tuneplate.engine.data.roles import Roles, resolve_roles

    table = pd.DataFrame({
        "credit amount, EUR": [1000.0, 2500.0, 400.0, 800.0] * 30,
        "age": [25, 40, 33, 51] * 30,
        "status": ["bad", "good", "good", "bad"] * 30,
    })  # fmt: skip
    roles = resolve_roles(table, Roles(target="status", exclude=("credit amount", "EUR")), ["bad"])
    assert roles.exclude == ("credit amount, EUR",)
    both = Roles(target="status", exclude=("credit amount", " EUR", "age"))
    assert resolve_roles(table, both, ["bad"]).exclude == ("credit amount, EUR", "age")
    data = tmp_path / "loans.csv"
    table.to_csv(data, index=False)
    args = ["--data", str(data), "--target", "status", "--exclude", "credit amount, EUR"]
    assert main(["check", "credit-risk", *args]) in (0, 1)  # read; findings may follow
    assert "not found" not in capsys.readouterr().err
    code = main(["check", "credit-risk", "--data", str(data), "--target", "status",
                 "--exclude", "amount"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "'credit amount, EUR'" in err


def test_band_edges_cut_new_values_at_the_runs_edges():
    from tuneplate.engine.metrics import group_bands, readable_groups

    run = pd.DataFrame({"age": np.arange(20, 80), "sex": ["f", "m"] * 30})
    bands = group_bands(run, ["age", "sex", "absent"])
    assert bands == {"age": [35.0, 50.0, 64.0]}  # text columns need no edges
    new = pd.Series([30, 40, 41, 42, 60, 70, np.nan] * 3)
    assert set(readable_groups(new, edges=bands["age"])) == {
        "under 35", "35–50", "50–64", "64 and over", "missing"
    }  # fmt: skip
    assert "under 35" not in set(readable_groups(new))  # its own quartiles: other bands
