import pandas as pd
import pytest

from tuneplate.engine.data import Roles, resolve_roles
from tuneplate.engine.errors import TuneplateError


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
    from tuneplate.engine.schema import Schema

    table = pd.DataFrame(
        {
            "naive": pd.to_datetime(["1970-01-02", "1970-01-11"]),
            "aware": pd.to_datetime(["1970-01-02", "1970-01-11"]).tz_localize("UTC"),
        }
    )
    schema = Schema.learn(table, ["naive", "aware"])[0].fit_levels(table)[0]
    encoded = schema.encode(table)[0]
    assert encoded["naive"].tolist() == [1.0, 10.0] == encoded["aware"].tolist()
