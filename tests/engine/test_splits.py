import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.roles import Roles
from tuneplate.engine.data.splits import make_split


def _y(table):
    return (table["status"] == "bad").astype(int).to_numpy()


def test_holdout_is_disjoint_from_every_fold(loans):
    split = make_split(loans, _y(loans), Roles(target="status"), n_folds=5, seed=0)
    assert not set(split.development) & set(split.holdout)
    assert len(split.development) + len(split.holdout) == len(loans)
    for train, valid in split.folds:
        assert not set(train) & set(valid)
        assert max(train.max(), valid.max()) < len(split.development)


def test_out_of_time_tests_on_later_rows(loans):
    rng = np.random.default_rng(0)
    table = loans.assign(
        applied=pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.permutation(len(loans)), "D")
    )
    split = make_split(table, _y(table), Roles(target="status", time="applied"), n_folds=4, seed=0)
    dates = table["applied"].to_numpy()
    assert dates[split.holdout].min() > dates[split.development].max()
    dev_dates = dates[split.development]
    for train, valid in split.folds:
        assert dev_dates[valid].min() > dev_dates[train].max()
    assert "out-of-time" in split.description


@pytest.mark.parametrize("column", ["quarter", "year", "month_text"])
def test_no_period_has_rows_on_both_sides_of_an_out_of_time_split(loans, column):
    """Cut by row count, a quarter sorted by outcome (an SQL ORDER BY period, status) put
    all of its defaults in development and its good loans in the hold-out (a fresh
    user's run): the hold-out's bad rate was not that period's."""
    n = len(loans)
    quarter = np.repeat([202103, 202106, 202109, 202112, 202203], -(-n // 5))[:n]
    table = loans.assign(quarter=quarter, year=quarter // 100 - (quarter % 100 < 12),
                         month_text=[f"{q // 100}-{q % 100:02d}" for q in quarter])  # fmt: skip
    table = table.sort_values(["quarter", "status"]).reset_index(drop=True)
    split = make_split(table, _y(table), Roles(target="status", time=column), 4, seed=0)
    times = table[column].to_numpy()
    assert max(times[split.development]) < min(times[split.holdout])
    assert set(times[split.development]).isdisjoint(times[split.holdout])
    share = len(split.holdout) / n
    assert 0.05 < share < 0.6 and f"the latest {share:.0%} of rows (whole periods" in (
        split.description
    )
    hold = _y(table)[split.holdout]
    assert 0 < hold.mean() < 1  # the periods held out keep both outcomes, as they were


def test_a_time_column_with_one_period_cannot_split_out_of_time(loans):
    table = loans.assign(year=2024)
    with pytest.raises(TuneplateError, match="same value on every row"):
        make_split(table, _y(table), Roles(target="status", time="year"), 4, seed=0)


def test_grouped_split_keeps_each_id_on_one_side(loans):
    table = loans.assign(customer=np.arange(len(loans)) // 3)
    split = make_split(
        table, _y(table), Roles(target="status", group="customer"), n_folds=5, seed=0
    )
    ids = table["customer"].to_numpy()
    assert not set(ids[split.development]) & set(ids[split.holdout])
    dev_ids = ids[split.development]
    for train, valid in split.folds:
        assert not set(dev_ids[train]) & set(dev_ids[valid])


def test_same_seed_same_split(loans):
    a = make_split(loans, _y(loans), Roles(target="status"), n_folds=5, seed=7)
    b = make_split(loans, _y(loans), Roles(target="status"), n_folds=5, seed=7)
    assert np.array_equal(a.holdout, b.holdout)
