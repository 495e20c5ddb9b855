"""A scorecard's splits pin no row (the product rule: aggregates only, never one row's value).

optbinning's splits are midpoints of two observed values: in a dense amount with cents
the saved and printed split 1470.335 lies between the two applicants at 1,470.33 and
1,470.34 (`model.scorecard.json`, the exported project's copy and the report's points
table). The splits now lie on a coarse grid (`contract.edges.coarse_edges`) and the bins
are recounted under them, so every count, rate, WoE and point matches the split shown
and how a row is scored.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.binning import coarse_bins, recount
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.contract.scorecard import Bins, Scorecard
from tuneplate.engine.families import scorecard
from tuneplate.engine.families.base import Fit
from tuneplate.engine.families.registry import FAMILIES

N = 2000
EPOCH = pd.Timestamp("1970-01-01")


def _table(n: int = N, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Amounts with cents (1–49, so no two neighbours' midpoint is a whole amount), whole
    months with many rows each, application times to the second; the event rate rises
    with the amount."""
    rng = np.random.default_rng(seed)
    amount = np.floor(rng.lognormal(7, 0.6, n)) + rng.integers(1, 50, n) / 100
    months = rng.choice([6, 9, 12, 15, 18, 24, 30, 36, 48], n).astype(float)
    applied = pd.Timestamp("2022-01-01") + pd.to_timedelta(
        rng.integers(0, 730 * 86400, n), unit="s"
    )
    logit = (np.log(amount) - 7) * 2 + (months - 20) / 15
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"amount": amount, "months": months, "applied": applied}), y


def _pinned(values) -> set[float]:
    """Each row's value and each midpoint of two sorted neighbouring values."""
    x = np.sort(np.asarray(values, dtype=float))
    return set(x) | set((x[:-1] + x[1:]) / 2)


@pytest.fixture(scope="module")
def fitted():
    table, y = _table()
    schema, _ = Schema.learn(table, list(table.columns))
    X, _ = schema.encode(table)
    card = FAMILIES["scorecard"].fit({"C": 1.0}, X, y, None, None, Fit(0)).estimator
    return card, X, y, table


def _bins(card: Scorecard, name: str) -> Bins:
    return next(b for b in card.inputs if b.name == name)


def test_no_saved_or_printed_split_of_an_amount_with_cents_is_a_rows_value_or_midpoint(
    fitted, tmp_path
):
    card, X, _, table = fitted
    family = FAMILIES["scorecard"]
    family.save(card, tmp_path / family.file)
    saved = json.loads((tmp_path / family.file).read_text())
    splits = next(b["splits"] for b in saved["inputs"] if b["name"] == "amount")
    assert len(splits) >= 3
    assert not set(splits) & _pinned(table["amount"])
    printed = [row["bin"] for row in scorecard.summary(card)["points"] if row["input"] == "amount"]
    words = {w.strip("[(), ") for label in printed for w in label.split(",")}
    written = {f"{v:.2f}" for v in table["amount"]} | {f"{v:g}" for v in table["amount"]}
    middles = _pinned(table["amount"]) - set(table["amount"])
    written |= {f"{v:.6g}" for v in middles}
    assert not words & written, printed


def test_saved_counts_and_events_are_a_recount_of_the_training_rows(fitted, tmp_path):
    card, X, y, _ = fitted
    family = FAMILIES["scorecard"]
    family.save(card, tmp_path / family.file)
    for bins in family.load(tmp_path / family.file).inputs:
        x = X[bins.name].to_numpy(dtype=float)
        where = np.searchsorted(np.asarray(bins.splits), x, side="right")
        assert bins.count == tuple(np.bincount(where, minlength=len(bins.splits) + 1))
        events = np.bincount(where, weights=y, minlength=len(bins.splits) + 1)
        assert bins.events == tuple(events.astype(int))
        # each row's WoE is its counted bin's
        np.testing.assert_array_equal(bins.values(X), np.asarray(bins.woe)[where])


def test_a_row_equal_to_a_split_scores_in_the_bin_it_was_counted_in(fitted):
    card, X, y, _ = fitted
    bins = _bins(card, "amount")
    edge = bins.splits[len(bins.splits) // 2]
    row = X.iloc[:1].copy()
    row["amount"] = edge
    i = int(np.searchsorted(bins.splits, edge, side="right"))  # the bin above, as optbinning
    assert bins.values(row)[0] == bins.woe[i]
    # a training row set to the edge is counted in that bin too
    x = X["amount"].to_numpy(dtype=float).copy()
    x[0] = edge
    again = recount("amount", bins.splits, x, y, int(y.sum()), len(y))
    before = recount("amount", bins.splits, X["amount"].to_numpy(float), y, int(y.sum()), len(y))
    moved = np.subtract(again.count, before.count)
    assert moved[i] == (1 if np.searchsorted(bins.splits, X["amount"].iloc[0], "right") != i else 0)


def test_whole_number_columns_keep_optbinnings_partition(fitted):
    from optbinning import OptimalBinning

    card, X, y, _ = fitted
    bins = _bins(card, "months")
    assert bins.splits and all(float(s).is_integer() for s in bins.splits)
    found = OptimalBinning("months", monotonic_trend="auto_asc_desc", max_n_prebins=20,
                           min_prebin_size=0.05).fit(X["months"].to_numpy(), y)  # fmt: skip
    midpoints = np.asarray(found.splits, dtype=float)
    assert not set(midpoints) & set(bins.splits)  # the printed edge changed ...
    x = X["months"].to_numpy()
    np.testing.assert_array_equal(  # ... the partition did not
        np.searchsorted(midpoints, x, side="right"), np.searchsorted(bins.splits, x, "right")
    )
    found = Bins("m", "numeric", (0.0,) * 3, (0,) * 3, (0,) * 3, 0.0, 0, 0, splits=(11.5, 23.5))
    x = np.repeat([6.0, 9.0, 12.0, 15.0, 18.0, 24.0, 30.0], 20)
    y = (x > 14).astype(int)
    assert coarse_bins(found, x, y).splits == (12.0, 24.0)  # "x < 12": 11.5's cut


def test_date_splits_are_a_months_first_day(fitted):
    card, X, _, table = fitted
    bins = _bins(card, "applied")
    assert bins.splits
    dates = [EPOCH + pd.Timedelta(days=s) for s in bins.splits]
    assert all(d.day == 1 and d == d.normalize() for d in dates), dates


def test_a_rounded_split_that_breaks_the_monotonic_rate_is_merged_away():
    # optbinning's bins at 10.005 and 10.015 rise (ascending); rounding both to the same
    # grid would empty a bin, and moving 10.015 across the rows at 10.01 turns the rate
    # around: the bins are merged until the rate rises again and no bin is empty
    x = np.concatenate([np.full(40, 9.0), np.full(40, 10.01), np.full(40, 11.0), [20.0] * 40])
    y = np.concatenate([np.zeros(40), [1] * 30 + [0] * 10, [1] * 10 + [0] * 30, [1] * 40])
    y = y.astype(int)
    found = recount("x", (9.5, 10.5, 15.0), x, y, int(y.sum()), len(y))
    assert np.all(np.diff(np.asarray(found.events) / found.count) != 0)
    out = coarse_bins(found, x, y, trend="ascending")
    rates = np.asarray(out.events) / np.asarray(out.count)
    assert (np.diff(rates) >= 0).all() and (np.asarray(out.count) > 0).all()
    assert len(out.splits) < 3  # the 10.01 bin (rate 0.75) merged with the 11 bin (0.25)


def test_a_scorecard_saved_before_keeps_its_midpoint_splits(tmp_path):
    saved = {
        "format": "tuneplate-scorecard/1",
        "intercept": -1.0,
        "settings": {},
        "inputs": [
            {
                "name": "amount",
                "kind": "numeric",
                "splits": [1470.335],
                "woe": [0.5, -0.5],
                "count": [1, 1],
                "events": [0, 1],
                "missing": {"woe": 0.0, "count": 0, "events": 0},
                "mean_woe": 0.0,
                "coef": 1.0,
            }
        ],
    }
    path = tmp_path / "model.scorecard.json"
    path.write_text(json.dumps(saved))
    card = FAMILIES["scorecard"].load(path)
    assert card.inputs[0].splits == (1470.335,)
    rows = pd.DataFrame({"amount": [1470.33, 1470.34, 1470.335]})
    np.testing.assert_array_equal(card.inputs[0].values(rows), [0.5, -0.5, -0.5])
    assert card.to_dict()["inputs"][0]["splits"] == [1470.335]
