"""A hold-out with a handful of events (or non-events) is said before the search.

Found: 12 events in 2,000 rows left 2 in the hold-out. Nothing said "too few events";
the report read its AUROC and calibration off two cases, and validate later compared
new rows against them. Both binary verticals share the check (the binary task's).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import tuneplate
from tuneplate.engine.contract.intervals import MIN_OUTCOMES
from tuneplate.engine.tune import Config, plan


def _planned(vertical: str, table, target: str, positive):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return plan(
            tuneplate.load_vertical(vertical),
            table,
            Config.flat(seed=0, n_trials=1, target=target, positive=positive),
        )


def _german(bads: int, goods: int):
    table = tuneplate.load_vertical("credit-risk").example().table
    bad = table["creditability"] == "bad"
    return table[bad].head(bads), table[~bad].head(goods)


@pytest.mark.parametrize(("bads", "goods", "kind"), [(12, 700, "events"), (300, 12, "non-events")])
def test_a_holdout_of_a_handful_of_one_outcome_is_a_warning_before_the_search(bads, goods, kind):
    bad, good = _german(bads, goods)
    p = _planned("credit-risk", pd.concat([bad, good]), "creditability", "bad")
    (found,) = [f for f in p.findings if f.check == "holdout_outcomes"]
    assert found.severity == "warning" and found.columns == ("creditability",)
    assert "rest on" in found.message and kind in found.message
    assert str(MIN_OUTCOMES) in found.expected


def test_enough_events_give_no_such_warning():
    bad, good = _german(300, 700)
    p = _planned("credit-risk", pd.concat([bad, good]), "creditability", "bad")
    assert not [f for f in p.findings if f.check == "holdout_outcomes"]
