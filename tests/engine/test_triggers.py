"""The run report's monitoring triggers, read on new rows: the fairness trigger compares
each protected group with itself, the score trigger fires only beyond noise.

Split out of test_validate.py; the triggers on a real run's rows are tested there.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest


def _fairness(rows):
    from tuneplate.engine.records import Role, Table

    frame = pd.DataFrame(rows, columns=["Attribute", "Group", "Adverse impact ratio"])
    roles = {Role.ADVERSE_IMPACT: "Adverse impact ratio", Role.GROUP: "Group",
             Role.ATTRIBUTE: "Attribute"}  # fmt: skip
    return Table("fairness", "Approval rate by protected group", frame, roles=roles)


@pytest.mark.parametrize(
    ("now", "light"),
    [
        ([("sex", "f", 0.72), ("age", "26–32", 0.75)], "red"),  # a group newly below
        ([("sex", "f", 0.72), ("age", "26–32", 0.95)], "amber"),  # below already, no lower
        ([("sex", "f", 0.65), ("age", "26–32", 0.95)], "red"),  # below already, lower now
        ([("sex", "f", 0.85), ("age", "26–32", 0.95)], "green"),
    ],
)
def test_the_fairness_trigger_compares_each_group_with_itself(now, light):
    """It compared the lowest ratio now (one group's) with the lowest at the run (another
    attribute's): a group newly below four-fifths showed amber."""
    from tuneplate.engine.triggers import _fairness_trigger

    run = [("sex", "f", 0.70), ("sex", "m", 1.0), ("age", "under 26", 0.61),
           ("age", "26–32", 0.9)]  # fmt: skip
    results = SimpleNamespace(table=lambda key: _fairness(run) if key == "fairness" else None)
    v = SimpleNamespace(tables=[_fairness(now)])
    assert _fairness_trigger(v, results).light == light


@pytest.mark.parametrize("pooled_at_run", [True, False])
def test_a_group_pooled_with_smaller_ones_in_one_table_is_still_itself(pooled_at_run):
    """Groups under 10 applicants join the smallest group shown ("f and smaller groups");
    a batch without them names it "f". Read as two groups, its unchanged 0.72 was
    "newly below four-fifths": red."""
    from tuneplate.engine.metrics import pooled_group
    from tuneplate.engine.triggers import _fairness_trigger

    at_run, now = (pooled_group("f"), "f") if pooled_at_run else ("f", pooled_group("f"))
    run = [("sex", at_run, 0.72), ("sex", "m", 1.0)]
    results = SimpleNamespace(table=lambda key: _fairness(run) if key == "fairness" else None)
    v = SimpleNamespace(tables=[_fairness([("sex", now, 0.72), ("sex", "m", 1.0)])])
    assert _fairness_trigger(v, results).light == "amber"


def test_the_score_trigger_fires_only_beyond_noise():
    """The report's "review when ROC AUC falls below 0.742 (5% under the hold-out)" fired
    on sampling noise alone: a same-size batch from the same population crossed it in
    13-42% of bootstrap draws on small hold-outs. Past the line within noise is amber."""
    from types import SimpleNamespace

    from tuneplate.engine.contract.intervals import Figure
    from tuneplate.engine.results import Metric
    from tuneplate.engine.triggers import _score_trigger

    results = SimpleNamespace(metric=Metric("roc_auc", "ROC AUC", "maximize"), holdout=0.78)

    def light(new, change):
        figure = Figure("roc_auc", "ROC AUC", "maximize", new, None, 0.78, None, change)
        return _score_trigger(SimpleNamespace(score=figure, auroc=None), results).light

    assert light(0.76, (-0.08, 0.04)) == "green"  # above the line
    assert light(0.72, (-0.15, 0.03)) == "amber"  # below it, within noise
    assert light(0.72, None) == "amber"
    assert light(0.65, (-0.20, -0.06)) == "red"  # below it and beyond noise
