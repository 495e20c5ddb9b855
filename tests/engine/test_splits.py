import numpy as np
import pandas as pd

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
