"""Every proportion the diagnosis report states about the decision carries its 95%
interval: sensitivity, specificity, PPV, NPV, the per-1,000 counts and "0 missed"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from tuneplate.engine import decision_intervals as intervals
from tuneplate.engine.data.roles import Roles
from tuneplate.engine.vertical import Outcome
from tuneplate.verticals.diagnosis import metrics
from tuneplate.verticals.diagnosis.metrics import HOLDOUT_SAMPLE, _missed


def _exact(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    ci = binomtest(k, n).proportion_ci(level, method="exact")
    return ci.low, ci.high


def _pbc_like():
    """23 cases all caught and 40 others, 20 of them cleared: the reviewer's hold-out."""
    y = np.r_[np.ones(23), np.zeros(40)].astype(int)
    flagged = np.r_[np.ones(23), np.ones(20), np.zeros(20)].astype(bool)
    return y, flagged


def test_sensitivity_and_specificity_take_the_clopper_pearson_interval():
    y, flagged = _pbc_like()
    iv = intervals.decision_intervals(y, flagged, prevalence=0.37)
    assert iv.sensitivity == pytest.approx(_exact(23, 23))
    assert iv.sensitivity[0] == pytest.approx(0.852, abs=5e-4)  # 23/23 → 85.2–100%
    assert iv.specificity == pytest.approx(_exact(20, 40))
    assert (iv.cases, iv.missed) == (23, 0)


def test_ppv_and_npv_carry_both_rates_uncertainty_through_bayes_rule():
    """Bayes' rule at the ends of the 97.5% exact limits (Bonferroni), so the interval
    holds the 100% NPV it qualifies rather than moving off it."""
    y, flagged = _pbc_like()
    p = 0.05
    iv = intervals.decision_intervals(y, flagged, prevalence=p)
    se_lo, se_hi = _exact(23, 23, 0.975)
    sp_lo, sp_hi = _exact(20, 40, 0.975)
    assert iv.ppv == pytest.approx((metrics.ppv(se_lo, sp_lo, p), metrics.ppv(se_hi, sp_hi, p)))
    assert iv.npv == pytest.approx((metrics.npv(se_lo, sp_lo, p), metrics.npv(se_hi, sp_hi, p)))
    assert iv.npv[1] == 1.0 and iv.npv[0] < 1.0  # not "NPV 100%" with no doubt
    point = metrics.ppv(1.0, 0.5, p)
    assert iv.ppv[0] < point < iv.ppv[1]


def test_per_1000_intervals_scale_the_rates_intervals():
    y, flagged = _pbc_like()
    ranges = intervals.decision_intervals(y, flagged, prevalence=0.1).per_1000(0.1)
    se_lo, _ = _exact(23, 23)
    assert ranges["missed"] == pytest.approx((0.0, 100 * (1 - se_lo)))
    assert ranges["caught"] == pytest.approx((100 * se_lo, 100.0))


def test_repeated_patients_resample_patients_and_zero_misses_stay_exact():
    """Under --group, a bootstrap over patients; a figure at 100% (every resample there)
    takes the exact interval over patients instead of a degenerate 100–100%."""
    rng = np.random.default_rng(3)
    patients, visits = 60, 3
    ids = np.repeat(np.arange(patients), visits)
    y = np.repeat((rng.random(patients) < 0.4).astype(int), visits)
    flagged = (y == 1) | (rng.random(len(y)) < 0.5)  # every case caught
    iv = intervals.decision_intervals(y, flagged, prevalence=0.05, ids=ids)
    case_patients = len(set(ids[y == 1]))
    assert iv.sensitivity == pytest.approx(_exact(case_patients, case_patients))
    assert iv.specificity[0] < iv.specificity[1]
    assert "whole patients" in iv.method
    few = intervals.decision_intervals(y[:30], flagged[:30], 0.05, ids=ids[:30])
    assert np.isnan(few.sensitivity).all() and "fewer than" in few.method
    # PPV at a 100% sensitivity carries the 97.5% exact limits, as without --group
    half = _exact(case_patients, case_patients, 0.975)
    assert iv.ppv[0] == pytest.approx(
        intervals.ppv_npv_limits(half, (iv.specificity[0], 1.0), 0.05)[0][0]
    )
    assert "97.5% limits carried through Bayes' rule" in iv.method
    # the sentence counts visits and says how many patients the interval counts
    assert iv.case_patients == case_patients and iv.cases == case_patients * visits
    said = _missed(iv, HOLDOUT_SAMPLE)
    assert said.startswith(f"0 of {iv.cases} hold-out visits with the condition missed, ")
    assert f"from {case_patients} patients" in said and "counting patients" in said


def test_ungrouped_rows_are_patients_in_the_missed_sentence():
    y, flagged = np.r_[np.ones(23), np.zeros(40)], np.r_[np.ones(23), np.zeros(40)] == 1
    iv = intervals.decision_intervals(y, flagged, prevalence=0.37)
    assert iv.case_patients is None
    assert _missed(iv, HOLDOUT_SAMPLE).startswith("0 of 23 hold-out cases missed")


def test_the_report_states_each_interval_beside_its_figure():
    """The operating-point and per-1,000 tables gain a 95% interval column, and the
    first screen's sentences and cards state them: '0 of 23 cases missed' has its miss
    rate's interval, 0% to 14.8%."""
    y = np.r_[np.ones(23), np.zeros(40)].astype(int)
    risk = np.r_[np.full(23, 0.9), np.linspace(0.5, 0.8, 20), np.linspace(0.05, 0.3, 20)]
    roles = Roles(target="death5y", positive="yes")
    outcome = Outcome(y, risk, pd.DataFrame(index=range(63)), roles, {}, y, risk, threshold=0.4)
    ev = metrics.evaluate(outcome)
    table = next(t for t in ev.tables if t.key == "operating_point").frame
    assert table[metrics.INTERVAL].tolist()[0] == "85.2% to 100%"
    assert "Clopper–Pearson" in next(t for t in ev.tables if t.key == "operating_point").note
    per_1000 = next(t for t in ev.tables if t.key == "per_1000").frame
    assert per_1000[metrics.INTERVAL].notna().all()
    summary = " ".join(ev.headline["summary"])
    assert "(sensitivity, 85.2% to 100%)" in summary and "NPV," in summary
    missed = ev.headline.cards[1].assumption
    assert "0 of 23 hold-out cases missed (95% interval for the miss rate 0% to 14.8%)" in missed
    assert ev.headline["intervals"]["sensitivity"] == pytest.approx(list(_exact(23, 23)))
