"""The statistics the data contract monitors with: PSI and its bands, calibration
intercept and slope, the AUROC and its standard errors, the interval of a difference.

Each is checked against a hand computation, a direct fit or a bootstrap. Split out of
test_validate.py, which tests `tuneplate validate` on a real run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from tuneplate.engine.contract.intervals import (
    Z95,
    auroc,
    auroc_se,
    calibration,
    difference_interval,
)
from tuneplate.engine.contract.profile import Bands, psi


def test_psi_by_hand():
    assert psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0
    # (0.6 - 0.5) ln(0.6 / 0.5) + (0.4 - 0.5) ln(0.4 / 0.5) = 0.1 (ln 1.2 + ln 1.25)
    assert psi([0.5, 0.5], [0.6, 0.4]) == pytest.approx(0.1 * math.log(1.5), abs=1e-12)
    assert round(psi([0.5, 0.5], [0.6, 0.4]), 4) == 0.0405
    assert math.isfinite(psi([0.5, 0.5], [1.0, 0.0]))  # an empty band is floored


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(0).normal(size=500),
        np.random.default_rng(1).integers(0, 40, 500).astype(float),  # many ties
        np.r_[np.zeros(400), np.random.default_rng(2).exponential(size=100)],  # a spike
        np.r_[np.random.default_rng(3).integers(1, 5, 300), [np.nan] * 20],  # few values
    ],
    ids=["continuous", "ties", "spike", "few-values-and-missing"],
)
def test_band_edges_pin_no_row(values):
    """No edge is a value few rows hold: a continuous column's edges are on a grid no row
    sits on; whole numbers keep whole edges (k for "up to k"), and a spike's edge is its
    value (0), each held by several rows (`contract.edges.coarse_edges`)."""
    bands = Bands.learn(values)
    finite = values[np.isfinite(values)]
    held = {e: int(np.sum(finite == e)) for e in bands.edges}
    assert bands.edges and all(n == 0 or n >= 5 for n in held.values()), held
    assert list(bands.edges) == sorted(set(bands.edges))
    assert len(bands.shares) == len(bands.edges) + 2
    assert sum(bands.shares) == pytest.approx(1)
    assert bands.shares[-1] == pytest.approx(np.isnan(values).mean())
    assert bands.shares_of(values) == bands.shares  # the same rows: PSI 0


def _simulated(n: int = 20_000, seed: int = 0):
    rng = np.random.default_rng(seed)
    p = expit(rng.normal(-1.0, 1.2, n))
    return (rng.random(n) < p).astype(int), p


def test_calibration_of_exact_probabilities_is_ideal():
    y, p = _simulated()
    c = calibration(y, p)
    assert c.intercept_interval[0] < 0 < c.intercept_interval[1]
    assert c.slope_interval[0] < 1 < c.slope_interval[1]


def test_calibration_sees_probabilities_one_log_odds_too_high():
    y, p = _simulated()
    c = calibration(y, expit(logit(p) + 1))
    assert c.intercept == pytest.approx(-1, abs=0.1)
    assert c.intercept_interval[1] < 0
    assert c.slope == pytest.approx(1, abs=0.1)


def test_calibration_matches_a_direct_fit():
    y, p = _simulated(n=3_000, seed=4)
    q = expit(0.3 + 0.7 * logit(p))  # off in both intercept and slope
    c = calibration(y, q)
    lp = logit(q)
    # C=inf is sklearn's unpenalized fit (penalty=None is deprecated from 1.8)
    fit = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(lp[:, None], y)
    assert c.slope == pytest.approx(fit.coef_[0, 0], abs=1e-5)
    # calibration-in-the-large: the a with sum(y - expit(lp + a)) = 0 (slope fixed at 1)
    a = brentq(lambda a: np.sum(y - expit(lp + a)), -5, 5, xtol=1e-12)
    assert c.intercept == pytest.approx(a, abs=1e-6)
    w = expit(lp + a)
    se = 1 / math.sqrt(np.sum(w * (1 - w)))  # the inverse information, one parameter
    assert c.intercept_interval == pytest.approx((a - Z95 * se, a + Z95 * se), abs=1e-6)


def test_calibration_on_one_outcome_is_nan_not_a_verdict():
    c = calibration(np.zeros(50), np.linspace(0.1, 0.9, 50))
    assert math.isnan(c.intercept) and math.isnan(c.intercept_interval[0])


def test_auroc_se_by_hand():
    # A = 0.8: Q1 = 0.8 / 1.2 = 2/3, Q2 = 2 * 0.64 / 1.8 = 0.7111;
    # var = (0.16 + 99 (2/3 - 0.64) + 399 (0.7111 - 0.64)) / (100 * 400) = 7.7933e-4
    assert auroc_se(0.8, 100, 400) == pytest.approx(0.027916, abs=1e-6)
    assert math.isnan(auroc_se(0.8, 0, 400))


def test_auroc_se_agrees_with_a_bootstrap():
    # Scores from Hanley & McNeil's own model (exponential in both classes, AUROC
    # 3 / (1 + 3) = 0.75), where their formula is meant to hold; on binormal scores it
    # is conservative (about 15% wider at AUROC 0.8).
    rng = np.random.default_rng(2)
    pos, neg = rng.exponential(3.0, 150), rng.exponential(1.0, 350)
    y = np.r_[np.ones(150), np.zeros(350)]
    auc = roc_auc_score(y, np.r_[pos, neg])
    boot = [  # resampled within each class: the class counts stay fixed, as in the SE
        roc_auc_score(y, np.r_[rng.choice(pos, 150), rng.choice(neg, 350)]) for _ in range(300)
    ]
    assert auroc_se(auc, 150, 350) == pytest.approx(np.std(boot, ddof=1), rel=0.15)


def test_auroc_counts_ties_as_half_like_sklearn():
    rng = np.random.default_rng(6)
    y, p = rng.integers(0, 2, 300), rng.integers(0, 8, 300) / 8  # many tied scores
    assert auroc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert math.isnan(auroc(np.ones(5), np.linspace(0, 1, 5)))


def test_difference_interval_of_independent_samples():
    low, high = difference_interval(0.70, 0.03, 0.80, 0.04)
    assert (low + high) / 2 == pytest.approx(-0.10)
    assert (high - low) / 2 == pytest.approx(Z95 * 0.05)


def test_the_auroc_interval_of_tied_scores_is_delongs_not_the_count_formula():
    """A scorecard's tied points: Hanley & McNeil's standard error from the AUROC and the
    counts was about twice the bootstrap's, so validate called a significant fall of
    0.068 "recalibrate" instead of "redevelop" (a validator's recomputation)."""
    from tuneplate.engine.contract.intervals import (
        auroc,
        auroc_se,
        clustered_auroc_se,
        delong_auroc_se,
    )

    rng = np.random.default_rng(0)
    y = (rng.random(1500) < 0.05).astype(int)
    points = np.round(rng.normal(2.5 * y, 1.0) * 2) / 2  # few distinct scores: many ties
    boot = []
    for _ in range(400):
        i = rng.integers(0, len(y), len(y))
        boot.append(auroc(y[i], points[i]))
    se = delong_auroc_se(y, points)
    assert se == pytest.approx(np.std(boot, ddof=1), rel=0.15)
    assert se == pytest.approx(clustered_auroc_se(y, points, np.arange(len(y))), rel=1e-12)
    hanley = auroc_se(auroc(y, points), int(y.sum()), int(len(y) - y.sum()))
    assert hanley > 1.3 * se


def test_an_auroc_near_one_has_an_interval_inside_zero_and_one():
    """validate printed 0.993 (0.976 to 1.011): a normal interval passes 1 near the end."""
    from tuneplate.engine.contract.intervals import auroc_figure

    rng = np.random.default_rng(1)
    y = np.r_[np.ones(60), np.zeros(140)]
    p = np.r_[rng.normal(3.0, 1, 60), rng.normal(0, 1, 140)]
    figure = auroc_figure(y, p, 0.99, None)
    low, high = figure.new_interval
    assert figure.new > 0.97 and 0 < low < figure.new < high < 1
