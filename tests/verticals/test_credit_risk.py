import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.data.checks import run_checks
from tuneplate.engine.data.roles import Roles
from tuneplate.engine.vertical import Outcome
from tuneplate.verticals.credit_risk import checks, metrics

ROLES = Roles(target="status", positive="bad")


def _by_check(table, roles=ROLES):
    return {f.check: f for f in run_checks(table, roles, checks.CHECKS)}


def test_post_outcome_column_with_signal_stops_the_run(loans):
    rng = np.random.default_rng(0)
    bad = loans["status"] == "bad"
    # Recoveries exist only for loans that went bad, and not for all of them.
    table = loans.assign(recoveries=np.where(bad & (rng.random(len(loans)) < 0.7), 250.0, 0.0))
    finding = _by_check(table)["post_outcome_leakage"]
    assert finding.severity == "error"
    assert finding.columns == ("recoveries",)
    assert "--exclude recoveries" in finding.fix


def test_post_outcome_name_without_signal_is_a_warning(loans):
    table = loans.assign(collection_agency=np.random.default_rng(1).choice(["a", "b"], len(loans)))
    assert _by_check(table)["post_outcome_names"].severity == "warning"


def test_prior_delinquency_counts_are_not_post_outcome(loans):
    table = loans.assign(delinq_2yrs=np.random.default_rng(2).poisson(0.3, len(loans)))
    assert "post_outcome_names" not in _by_check(table)


def test_protected_attribute_as_feature_is_flagged_until_declared(loans):
    table = loans.assign(Gender=np.random.default_rng(3).choice(["f", "m"], len(loans)))
    assert _by_check(table)["protected_as_feature"].columns == ("Gender",)
    declared = Roles(target="status", positive="bad", protected=("Gender",))
    assert "protected_as_feature" not in _by_check(table, declared)


@pytest.mark.parametrize(
    ("rate", "severity"), [(0.003, "warning"), (0.2, "info"), (0.6, "warning")]
)
def test_bad_rate_sanity(rate, severity):
    n = 2000
    table = pd.DataFrame({"x": np.arange(n) % 7, "status": ["good"] * n})
    table.loc[: int(rate * n) - 1, "status"] = "bad"
    assert _by_check(table)["bad_rate"].severity == severity


def test_cutoff_table_is_consistent():
    rng = np.random.default_rng(0)
    pd_ = rng.uniform(0, 0.6, 1000)
    y = (rng.random(1000) < pd_).astype(int)
    table = metrics.cutoff_table(y, pd_, metrics.ASSUMPTIONS)
    assert table["Approval rate"].tolist() == pytest.approx(list(metrics.APPROVAL_RATES), abs=0.002)
    # Approving riskier applicants can only raise the bad rate among the approved.
    assert table["Bad rate among approved"].is_monotonic_increasing
    everyone = table.iloc[-1]
    assert everyone["Bad rate among approved"] == pytest.approx(y.mean())
    a = metrics.ASSUMPTIONS
    expected_profit = (np.sum(1 - y) * a["margin"] - np.sum(y) * a["loss_given_default"]) * a[
        "exposure"
    ]
    assert everyone["Profit per 1,000 applicants"] == pytest.approx(expected_profit)


def _applicants(n, seed=0):
    rng = np.random.default_rng(seed)
    pd_ = rng.uniform(0, 0.6, n)
    return (rng.random(n) < pd_).astype(int), pd_


def test_profit_carries_its_bootstrap_interval_and_a_small_hold_out_a_wide_one():
    widths = []
    for n in (200, 5000):
        y, pd_ = _applicants(n)
        ok = pd_ <= 0.15
        ((low, high),) = metrics.profit_intervals(y, [ok], metrics.ASSUMPTIONS)
        a = metrics.ASSUMPTIONS
        profit = 1000 / n * np.sum(np.where(y[ok] == 1, -a["loss_given_default"], a["margin"]))
        profit *= a["exposure"]
        assert low < profit < high
        widths.append(high - low)
        table = metrics.cutoff_table(y, pd_, a)
        assert table[metrics.PROFIT_INTERVAL].str.contains(" to ").all()
    # the interval narrows about as 1/sqrt(n): 25 times the applicants, ~5 times narrower
    assert 3 < widths[0] / widths[1] < 8
    # the same rows and seed give the same interval (reports are reproducible)
    y, pd_ = _applicants(200)
    assert metrics.profit_intervals(y, [pd_ < 0.2], metrics.ASSUMPTIONS) == (
        metrics.profit_intervals(y, [pd_ < 0.2], metrics.ASSUMPTIONS)
    )


def test_fairness_table_reports_adverse_impact_ratio():
    holdout = pd.DataFrame({"sex": ["f"] * 50 + ["m"] * 50})
    approved = np.array([True] * 25 + [False] * 25 + [True] * 50)
    table = metrics.fairness_table(holdout, Roles(target="y", protected=("sex",)), approved)
    air = dict(zip(table["Group"], table["Adverse impact ratio"], strict=True))
    assert air == {"f": 0.5, "m": 1.0}


def test_small_groups_are_pooled_with_the_smallest_group_shown():
    holdout = pd.DataFrame({"origin": ["a"] * 95 + ["b"] * 5 + ["c"] * 60})
    table = metrics.fairness_table(
        holdout, Roles(target="y", protected=("origin",)), np.ones(160, bool)
    )
    sizes = dict(zip(table["Group"], table["Applicants"], strict=True))
    assert sizes == {"a": 95, "c and smaller groups": 65}


def test_the_few_pooled_cannot_be_worked_out_by_subtraction():
    """Aggregates only: with 5 applicants of origin "b" left out, the hold-out's size and
    approvals minus the shown groups' gave those 5 applicants' approvals; withholding the
    shown groups' sizes was not enough, since their rates at full precision gave the sizes
    back (a brute force found "3 of 7 approved"). Pooled with the smallest group, every
    applicant is in a row of MIN_GROUP or more, and the sizes, rates and intervals show."""
    holdout = pd.DataFrame({"origin": ["a"] * 95 + ["b"] * 5 + ["c"] * 60})
    approved = np.r_[np.ones(95, bool), np.zeros(5, bool), np.arange(60) % 2 == 0]
    roles = Roles(target="y", protected=("origin",))
    table = metrics.fairness_table(holdout, roles, approved).set_index("Group")
    assert table["Applicants"].sum() == len(holdout)
    assert (table["Applicants"] >= metrics.MIN_GROUP).all()
    pooled = table.loc["c and smaller groups"]
    assert pooled[metrics.APPROVAL] == pytest.approx(30 / 65)
    assert pooled[metrics.AIR] == pytest.approx(30 / 65)  # "a" approves everyone
    assert pooled[metrics.AIR_INTERVAL] != ""
    # 5 pooled as "other" and 6 with no origin: both join the smallest group
    many = pd.DataFrame({"origin": ["a"] * 95 + ["b"] * 5 + [None] * 6 + ["c"] * 60})
    table = metrics.fairness_table(many, roles, np.ones(166, bool))
    sizes = dict(zip(table["Group"], table["Applicants"], strict=True))
    assert sizes == {"a": 95, "c and smaller groups": 71}
    # one group of MIN_GROUP or more: nothing to compare, so nothing is shown
    alone = pd.DataFrame({"origin": ["a"] * 95 + ["b"] * 5})
    assert metrics.fairness_table(alone, roles, np.ones(100, bool)).empty


def test_ks_of_a_perfect_score_is_one():
    assert metrics.ks_statistic(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])) == 1.0


def test_operating_point_defaults_to_break_even_and_honours_a_chosen_rate():
    rng = np.random.default_rng(0)
    pd_ = rng.uniform(0, 0.6, 500)
    a = metrics.ASSUMPTIONS
    approved, cutoff, rule = metrics.operating_point(pd_, a)
    assert rule == "break-even cut-off"
    assert cutoff == pytest.approx(a["margin"] / (a["margin"] + a["loss_given_default"]))
    assert (pd_[approved] <= cutoff).all() and (pd_[~approved] > cutoff).all()
    approved, _, rule = metrics.operating_point(pd_, {**a, "approval_rate": 0.7})
    assert rule == "chosen approval rate" and approved.mean() == pytest.approx(0.7, abs=0.01)


def test_operating_point_row_is_in_the_cutoff_table():
    rng = np.random.default_rng(1)
    pd_ = rng.uniform(0, 0.6, 400)
    y = (rng.random(400) < pd_).astype(int)
    rows = pd.DataFrame(index=range(400))
    ev = metrics.evaluate(Outcome(y, pd_, rows, ROLES, {}, y, pd_))
    table = ev.tables[0].frame
    op = table[table[""] == metrics.OPERATING].iloc[0]
    assert op["Approval rate"] == pytest.approx(ev.headline["approval_rate"])
    assert op["Bad rate among approved"] == pytest.approx(y[pd_ <= ev.headline["pd_cutoff"]].mean())
    assert table["Approval rate"].is_monotonic_increasing


def test_tied_pds_give_one_row_per_set_of_approved_applicants():
    """A scorecard's whole points tie many applicants: 50% and 60% approved the same 70%,
    printed as two identical rows."""
    rng = np.random.default_rng(2)
    pd_ = rng.choice([0.05, 0.1, 0.3, 0.5], 400, p=[0.7, 0.1, 0.1, 0.1])
    y = (rng.random(400) < pd_).astype(int)
    ok = pd_ <= 0.1
    table = metrics.cutoff_table(y, pd_, metrics.ASSUMPTIONS, operating=ok, cutoff=0.2)
    assert not table.duplicated([metrics.APPROVAL, metrics.CUTOFF]).any()
    shared = table[np.isclose(table[metrics.APPROVAL], ok.mean())]
    assert shared[""].tolist() == [metrics.OPERATING]  # the labelled row stays
    assert len(table) < len(metrics.APPROVAL_RATES) + 1


def test_numeric_protected_groups_read_as_ranges():
    holdout = pd.DataFrame({"age": np.arange(20, 80)})
    table = metrics.fairness_table(
        holdout, Roles(target="y", protected=("age",)), np.ones(60, bool)
    )
    assert table["Group"].tolist() == ["35–50", "50–64", "64 and over", "under 35"]


def test_a_protected_attribute_with_one_group_is_left_out_and_said():
    """#16 item 5: an AIR of 1.0 of a group against itself is no finding; the note says why."""
    rng = np.random.default_rng(0)
    n = 300
    holdout = pd.DataFrame(
        {"sex": rng.choice(["f", "m"], n), "foreign": ["yes"] * (n - 5) + ["no"] * 5}
    )
    approved = rng.random(n) < 0.6
    roles = Roles(target="y", protected=("sex", "foreign"))
    table = metrics.fairness_table(holdout, roles, approved)
    assert set(table["Attribute"]) == {"sex"}
    assert metrics.single_group_attributes(holdout, roles, approved) == ["foreign"]


def test_no_cutoff_is_an_applicants_own_pd_and_the_same_applicants_are_approved():
    """Aggregates only: a cut-off lies halfway between two applicants' PDs, approving
    exactly the applicants at or under the rate's quantile."""
    rng = np.random.default_rng(4)
    pd_ = rng.beta(2, 6, 400)
    y = (rng.random(400) < pd_).astype(int)
    table = metrics.cutoff_table(y, pd_, metrics.ASSUMPTIONS)
    for cutoff in table[metrics.CUTOFF]:
        assert not np.isclose(pd_, cutoff, rtol=0, atol=1e-15).any(), cutoff
    for rate in metrics.APPROVAL_RATES[:-1]:
        ok, cutoff = metrics._approve(pd_, rate)
        assert np.array_equal(ok, pd_ <= np.quantile(pd_, rate, method="inverted_cdf"))
        assert np.array_equal(ok, pd_ <= cutoff)


def test_a_grouped_run_counts_its_cutoff_rows_as_loans_of_customers():
    """With --group a hold-out row is one loan of a customer who may have several: the
    cut-off table's note must not call 1,200 loans of 300 customers "1,200 applicants"."""
    import tuneplate

    rng = np.random.default_rng(0)
    customers, loans = 400, 3
    risk = np.repeat(rng.normal(size=customers), loans)
    bad = rng.random(customers * loans) < 1 / (1 + np.exp(-risk))
    table = pd.DataFrame(
        {
            "income": risk + rng.normal(0, 0.5, customers * loans),
            "customer": np.repeat(np.arange(customers), loans),
            "status": np.where(bad, "bad", "good"),
        }
    )
    r = tuneplate.tune("credit-risk", table, target="status", positive="bad", group="customer",
                       model="logistic", strategy="random", n_trials=2)  # fmt: skip
    note = r.table("cutoffs").note
    n_rows, n_ids = len(r.split_rows["holdout"]), len(r.split_rows["holdout"]) // loans
    assert f"the {n_rows:,} hold-out loans of {n_ids:,} 'customer' ids;" in note
    assert f"Profit on {n_rows:,} loans swings" in note
    assert "applicants;" not in note


def _marital(sizes: dict[str, tuple[int, int]]):
    """A hold-out of `sizes` {group: (applicants, approved)} and its approvals."""
    groups = [g for g, (n, _) in sizes.items() for _ in range(n)]
    approved = np.concatenate([np.arange(n) < k for n, k in sizes.values()])
    return pd.DataFrame({"marital": groups}), approved


MARITAL = Roles(target="y", protected=("marital",))


def test_a_group_too_small_to_be_a_benchmark_does_not_set_the_air():
    """modeldata's credit_data: 13 widowed applicants, 8 approved (Jeffreys 95% interval
    about 35%-83%), were the benchmark, flagging married applicants (644, 44.7% approved)
    at 0.727. The reference is the highest rate among groups of REFERENCE_MIN or more."""
    holdout, approved = _marital({"married": (644, 288), "widow": (13, 8), "single": (200, 80)})
    table = metrics.fairness_table(holdout, MARITAL, approved)
    air = dict(zip(table["Group"], table[metrics.AIR], strict=True))
    assert air["married"] == 1.0
    assert air["single"] == pytest.approx(0.40 / (288 / 644))
    assert air["widow"] > 1  # compared with the benchmark, never used as it
    marked = table[table[metrics.REFERENCE] != ""]
    assert marked["Group"].tolist() == ["married"]
    assert marked[metrics.REFERENCE].iloc[0] == "highest rate among groups of 30+ applicants"


def test_the_reference_minimum_is_inclusive_and_the_rate_not_the_size_chooses():
    n = metrics.REFERENCE_MIN
    at, below = (
        _marital({"a": (n, n - 3), "b": (500, 400)}),
        _marital({"a": (n - 1, n - 1), "b": (500, 400)}),
    )
    table = metrics.fairness_table(*at[:1], MARITAL, at[1])
    assert table.loc[table[metrics.REFERENCE] != "", "Group"].tolist() == ["a"]  # 90% > 80%
    table = metrics.fairness_table(below[0], MARITAL, below[1])
    assert table.loc[table[metrics.REFERENCE] != "", "Group"].tolist() == ["b"]


def test_without_a_group_large_enough_there_is_no_ratio_and_the_note_says_so():
    holdout, approved = _marital({"a": (20, 18), "b": (20, 8)})
    pd_ = np.where(approved, 0.05, 0.5)  # the break-even cut-off approves just these
    roles = Roles(target="y", protected=("marital",))
    y = np.zeros(len(pd_), int)
    y[::7] = 1
    ev = metrics.evaluate(Outcome(y, pd_, holdout, roles, {}, y, pd_))
    fair = next(t for t in ev.tables if t.key == "fairness")
    assert fair.frame[metrics.AIR].isna().all()
    assert "has 30 applicants: no benchmark, so no ratio" in fair.note
    assert ev.headline.figures["min_adverse_impact_ratio"] is None
    assert fair.roles["reference"] == metrics.REFERENCE


def test_each_air_carries_its_95_interval_and_a_small_groups_may_be_chance():
    """12 approved of 20 against 400 of 500: AIR 0.75, under four-fifths, but its Katz
    interval (about 0.53-1.06) reaches 1: the summary says the gap may be chance. 60 of 200
    against the same reference is as clearly below as it looks (0.30-0.45 ÷ 0.80)."""
    holdout, approved = _marital({"ref": (500, 400), "few": (20, 12), "many": (200, 60)})
    table = metrics.fairness_table(holdout, MARITAL, approved)
    by_group = table.set_index("Group")
    assert by_group.loc["ref", metrics.AIR_INTERVAL] == ""  # the benchmark itself
    few = by_group.loc["few", metrics.AIR_INTERVAL]
    low, high = (float(x) for x in few.split("–"))
    assert by_group.loc["few", metrics.AIR] == pytest.approx(0.75)
    assert low < 0.75 < metrics.FOUR_FIFTHS < 1 < high
    assert metrics.interval_high(by_group.loc["many", metrics.AIR_INTERVAL]) < metrics.FOUR_FIFTHS
    pd_ = np.where(approved, 0.05, 0.5)
    y = np.zeros(len(pd_), int)
    y[::7] = 1
    ev = metrics.evaluate(Outcome(y, pd_, holdout, MARITAL, {}, y, pd_))
    said = " ".join(ev.headline["summary"])
    assert "= few" in said and "= many" in said
    assert "For 1 of them the ratio's 95% interval reaches 0.8" in said


def test_a_ratio_under_four_fifths_with_a_pooled_group_keeps_its_interval():
    """A group of 5 pooled with the smallest group shown: that row's ratio and interval
    are shown and named in the summary, no interval is withheld."""
    holdout, approved = _marital({"ref": (300, 240), "low": (80, 30), "tiny": (5, 5)})
    pd_ = np.where(approved, 0.05, 0.5)
    y = np.zeros(len(pd_), int)
    y[::7] = 1
    ev = metrics.evaluate(Outcome(y, pd_, holdout, MARITAL, {}, y, pd_))
    fair = next(t for t in ev.tables if t.key == "fairness").frame.set_index("Group")
    low = fair.loc["low and smaller groups"]
    assert low["Applicants"] == 85 and low[metrics.AIR] == pytest.approx((35 / 85) / 0.8)
    assert metrics.interval_high(low[metrics.AIR_INTERVAL]) < metrics.FOUR_FIFTHS
    said = " ".join(ev.headline["summary"])
    assert "= low and smaller groups" in said and "no interval is shown" not in said
