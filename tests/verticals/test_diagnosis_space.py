"""The diagnosis vertical's search spaces: narrow clinical ranges, `simpler` below 10
events per candidate parameter, `roomier` trees for big tables, and the report's note
of the ranges a run changed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.engine.data.checks import run_checks
from tuneplate.engine.data.roles import Roles
from tuneplate.verticals.diagnosis import VERTICAL, checks, space

ROLES = Roles(target="disease", positive="yes")


def _events_per_feature(table):
    """The diagnosis check's events-per-parameter finding on `table`."""
    found = {f.check: f for f in run_checks(table, ROLES, checks.CHECKS)}
    return found["events_per_feature"]


def test_spaces_are_narrow_for_small_clinical_tables():
    lgbm = {p.name: p for p in space.SPACES["lightgbm"].params}
    assert lgbm["num_leaves"].high <= 64 and lgbm["max_depth"].high <= 6
    assert lgbm["reg_lambda"].low >= 0.1 and lgbm["min_child_samples"].low >= 10
    xgb = {p.name: p for p in space.SPACES["xgboost"].params}
    assert xgb["max_depth"].high <= 6 and xgb["reg_lambda"].low >= 0.1
    for family in space.SPACES.values():
        assert not {"class_weight", "scale_pos_weight", "is_unbalance"} & (
            {p.name for p in family.params} | set(family.fixed)
        )


def test_simpler_space_caps_complexity():
    simple = space.simpler(space.SPACES["lightgbm"])
    params = {p.name: p for p in simple.params}
    assert params["num_leaves"].high == 8 and params["max_depth"].high == 3
    assert params["min_child_samples"].low == 20 and params["reg_lambda"].low == 1.0
    assert simple.contains(simple.start)
    assert space.simpler(space.SPACES["logistic"]).params[0].high == 1.0


def test_adapt_narrows_only_tables_with_few_events_per_parameter(patients):
    lgbm = space.SPACES["lightgbm"]
    assert space.adapt("lightgbm", lgbm, patients, ROLES) is lgbm
    wide = patients.iloc[:120].assign(**{f"lab_{i}": float(i) for i in range(6)})
    assert space.adapt("lightgbm", lgbm, wide, ROLES) == space.simpler(lgbm)


def test_trees_count_a_text_column_as_one_parameter_a_linear_model_each_level(patients):
    """A 60-level site column is 59 parameters for the logistic regression but one
    input for a tree: only the linear model is narrowed (issue 20: counting levels
    narrowed the trees on a real 12,000-row clinical table and lost 0.08 AUROC)."""
    sites = np.array([f"site {i:02d}" for i in range(60)])
    table = patients.assign(site=sites[np.arange(len(patients)) % 60])
    lgbm, xgb, logistic = (space.SPACES[n] for n in ("lightgbm", "xgboost", "logistic"))
    assert space.adapt("lightgbm", lgbm, table, ROLES) is lgbm
    assert space.adapt("xgboost", xgb, table, ROLES) is xgb
    assert space.adapt("logistic", logistic, table, ROLES) == space.simpler(logistic)
    finding = _events_per_feature(table)
    assert "the trees' ranges below 10 per input column" in finding.fix
    assert f"here {_finding_events(table) / 5:.1f})" in finding.fix  # 4 columns + site
    # with few events per column too, the trees are narrowed; the finding gives the count
    few = table.iloc[:80]
    assert space.adapt("lightgbm", lgbm, few, ROLES) == space.simpler(lgbm)
    assert f"here {_finding_events(few) / 5:.1f})" in _events_per_feature(few).fix


def test_roomier_space_widens_the_trees_and_leaves_the_rest_alone():
    for name in ("lightgbm", "xgboost"):
        narrow = space.SPACES[name]
        roomy = space.roomier(narrow)
        before, after = ({p.name: p for p in s.params} for s in (narrow, roomy))
        assert after["max_depth"].high == 10 and after["max_depth"].low == before["max_depth"].low
        # grid search visits the wider ranges too, not only the narrow space's points
        assert after["max_depth"].grid == (4, 8)
        assert all(roomy.contains(point) for point in roomy.grid_points())
        untouched = {"learning_rate", "subsample", "colsample_bytree", "reg_alpha", "reg_lambda"}
        assert all(after[n] == before[n] for n in untouched), name
    lgbm = {p.name: p for p in space.roomier(space.SPACES["lightgbm"]).params}
    assert lgbm["num_leaves"].high == 128 and lgbm["min_child_samples"].low == 5
    xgb = {p.name: p for p in space.roomier(space.SPACES["xgboost"]).params}
    assert xgb["min_child_weight"].low == 1e-3  # a leaf's hessian, as FLAML searches it
    assert space.roomier(space.SPACES["logistic"]) == space.SPACES["logistic"]


def _events_table(events: int, columns: int, n: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """`n` patients, exactly `events` of them cases, and `columns` numeric inputs."""
    rng = np.random.default_rng(seed)
    sick = np.zeros(n, dtype=bool)
    sick[rng.choice(n, events, replace=False)] = True
    inputs = {f"lab_{i}": rng.normal(sick * 0.5, 1.0).round(3) for i in range(columns)}
    return pd.DataFrame({**inputs, "disease": np.where(sick, "yes", "no")})


@pytest.mark.parametrize("family", ["lightgbm", "xgboost"])
def test_adapt_gives_trees_room_from_10000_rows_with_50_events_per_column(family):
    """Issue 20: the narrow clinical ranges cost a 15,000-row clinical table (about 700
    events, 70 per input column) 0.009 log-loss against wider ones at 120 s; a table of
    10,000 rows with 50 events per column is not the small table they were made for."""
    own = space.SPACES[family]
    assert space.adapt(family, own, _events_table(500, 10), ROLES) == space.roomier(own)
    assert space.adapt(family, own, _events_table(499, 10), ROLES) is own
    # the rarer outcome counts: 9,500 cases of 10,000 leave 500 non-cases
    assert space.adapt(family, own, _events_table(9500, 10), ROLES) == space.roomier(own)
    assert space.adapt(family, own, _events_table(9600, 10), ROLES) is own
    # many events per column do not make a table big: 9,999 rows stay narrow
    assert space.adapt(family, own, _events_table(3000, 5, n=9_999), ROLES) is own


def test_adapt_never_widens_the_logistic_regression():
    logistic = space.SPACES["logistic"]
    assert space.adapt("logistic", logistic, _events_table(2000, 4), ROLES) is logistic


def test_a_run_prints_the_ranges_the_vertical_changed_beside_its_rule():
    table = _events_table(1500, 6, n=13_000)  # 10,400 development rows, 200 events a column
    # with a 30 s budget, so the learning-rate floor moves too (and stays out of this note)
    config = tuneplate.engine.tune.Config.flat(
        strategy="auto", timeout=30, target="disease", positive="yes"
    )
    p = tuneplate.engine.tune.plan(VERTICAL, table, config)
    assert "budget_learning_rate" in {f.check for f in p.findings}
    lgbm = {q.name: q for q in p.space.spaces["lightgbm"].params}
    assert lgbm["num_leaves"].high == 128 and lgbm["max_depth"].high == 10
    (note,) = [f for f in p.findings if f.check == "space_adapted"]
    assert note.severity == "info"
    lightgbm, xgboost = note.message.split("; XGBoost")
    assert "num_leaves 4 to 128 (before: 4 to 32)" in lightgbm
    assert "min_child_samples 5 to 100 (before: 10 to 100)" in lightgbm
    assert "max_depth 2 to 10 (before: 2 to 6)" in xgboost
    assert "min_child_weight 0.001 to 32 (before: 1 to 32)" in xgboost
    assert "logistic" not in note.message.lower()  # its range is the vertical's own
    assert "learning_rate" not in note.message  # the budget's floor is its own note
    assert note.expected == space.ADAPT_RULE
    # a small table is narrowed, and the same note lists those ranges
    small = _plan_findings(_events_table(40, 6, n=400))  # 32 events: 5 per column
    (narrowed,) = [f for f in small if f.check == "space_adapted"]
    assert "num_leaves 4 to 8 (before: 4 to 32)" in narrowed.message
    # a table within the clinical premise keeps the vertical's ranges and has no note
    usual = _events_table(300, 6, n=3_000)  # 240 events, 40 per column
    assert not [f for f in _plan_findings(usual) if f.check == "space_adapted"]


def _finding_events(table: pd.DataFrame) -> int:
    """The rarer outcome's rows: what the events-per-parameter figures count."""
    sick = int((table["disease"] == "yes").sum())
    return min(sick, len(table) - sick)


def _plan_findings(table: pd.DataFrame) -> list:
    config = tuneplate.engine.tune.Config.flat(
        strategy="auto", n_trials=3, target="disease", positive="yes"
    )
    return tuneplate.engine.tune.plan(VERTICAL, table, config).findings


def test_few_events_per_feature_narrow_the_searched_space():
    from tuneplate.engine.tune import Config, plan
    from tuneplate.verticals import load_vertical

    vertical = load_vertical("diagnosis")
    # The embedded data has 212 events for 30 features: fewer than 10 per candidate.
    narrowed = plan(vertical, config=Config.flat(model="lightgbm", n_trials=2)).space
    leaves = {p.name: p for p in narrowed.params}["num_leaves"]
    default = {p.name: p for p in vertical.spaces["lightgbm"].params}["num_leaves"]
    assert leaves.high < default.high
