"""Figures of a model on rows, with their 95% intervals: AUROC, calibration, event rate.

- the AUROC (the Mann-Whitney U statistic) and its standard error (Hanley & McNeil,
  Radiology 143:29-36, 1982), and the interval of its change from development;
- calibration-in-the-large and the calibration slope, each with a Wald interval, from
  a logistic regression of the outcome on the prediction's logit (Cox 1958; van Calster
  et al., "Calibration: the Achilles heel of predictive analytics", BMC Medicine 17:230,
  2019);
- the event rate's interval;
- when rows repeat an entity (a patient's visits, a customer's loans: `groups`), the
  standard errors count the entities, not the rows: Obuchowski's clustered AUROC
  variance (Biometrics 53:567-578, 1997), built from DeLong's placements, and the
  cluster-robust sandwich covariance (Liang & Zeger, Biometrika 73:13-22, 1986) with
  Cameron & Miller's small-sample factor; rows treated as independent would give
  intervals too narrow, and verdicts too sure.

`monitoring.py` turns these figures into a verdict. Self-contained (numpy, pandas and
this package by relative import): `tuneplate export` copies it into a project.

Example:
    >>> auroc_figure(y, p, development=0.78, profile=profile).difference_interval
    (-0.061, 0.032)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .group_ids import entity_codes
from .profile import Profile

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile
# Fewer entities (patients, customers) than this give no clustered interval: with a few
# clusters the sandwich and the clustered AUROC variance are far too narrow (Cameron &
# Miller 2015, section VI); the run's cluster bootstrap uses the same floor.
MIN_ENTITIES = 20
# Fewer events or non-events than this, on the new rows or the development hold-out,
# give no interval of the AUROC's change: with a handful of one outcome the normal
# (Wald-type) AUROC interval falls well short of its coverage (Qin & Hotilovac, Stat
# Methods Med Res 17:207-221, 2008), and a hold-out with 2 events (AUROC 0.377) let
# validate say "still performs as developed" of any new rows.
MIN_OUTCOMES = 10
NAN_PAIR = (math.nan, math.nan)


@dataclass(frozen=True)
class Figure:
    """A figure on the new rows beside the development hold-out's, with 95% intervals.

    `difference_interval` is of new - development (independent samples).
    """

    name: str
    label: str
    direction: str  # "maximize" or "minimize"
    new: float
    new_interval: tuple[float, float] | None
    development: float
    development_interval: tuple[float, float] | None
    difference_interval: tuple[float, float] | None
    method: str = ""  # how the intervals were found, in words (the page's note)


@dataclass(frozen=True)
class Calibration:
    """Calibration-in-the-large (`intercept`, 0 ideal) and `slope` (1 ideal), log-odds.

    The slope comes from a logistic regression of the outcome on the logit of the
    predicted probability; the intercept from the same regression with the slope fixed
    at 1 (the logit as an offset). NaN (and NaN intervals) when the fit does not settle,
    e.g. on one outcome only or perfectly separated rows.
    """

    intercept: float
    intercept_interval: tuple[float, float]
    slope: float
    slope_interval: tuple[float, float]


# -------------------------------------------------------------------- discrimination


def auroc(y: np.ndarray, p: np.ndarray) -> float:
    """AUROC as the Mann-Whitney U statistic with average ranks for ties; NaN on one class.

    Example:
        >>> auroc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
        0.75
    """
    y = np.asarray(y) == 1
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return math.nan
    ranks = pd.Series(np.asarray(p, dtype=float)).rank(method="average").to_numpy()
    u = ranks[y].sum() - positives * (positives + 1) / 2
    return float(u / (positives * negatives))


def auroc_se(auc: float, positives: int, negatives: int) -> float:
    """Standard error of an AUROC from its value and class counts (Hanley & McNeil 1982).

    Example:
        >>> round(auroc_se(0.8, 100, 400), 4)
        0.0279
    """
    if not positives or not negatives or not math.isfinite(auc):
        return math.nan
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    var = (auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)) / (
        positives * negatives
    )
    return math.sqrt(max(var, 0.0))


def difference_interval(new: float, se_new: float, old: float, se_old: float):
    """95% interval of `new - old` for two independent samples (normal approximation)."""
    se = math.hypot(se_new, se_old)
    diff = new - old
    return (diff - Z95 * se, diff + Z95 * se) if math.isfinite(se) else NAN_PAIR


def clustered_auroc_se(y: np.ndarray, p: np.ndarray, groups: np.ndarray) -> float:
    """Standard error of an AUROC when rows come in groups (Obuchowski, Biometrics 1997).

    `groups` (n,) holds each row's entity (a patient, a customer); rows of one entity
    are correlated, so the variance is built from each entity's summed placements
    (DeLong's, 1988) and their cross-products. With one row per entity it is DeLong's
    variance. NaN with fewer than MIN_ENTITIES entities, or fewer than two holding each
    outcome.

    Example:
        >>> clustered_auroc_se(y, p, patient_ids)
        0.041
    """
    codes = entity_codes(groups)
    if codes.max(initial=-1) + 1 < MIN_ENTITIES:
        return math.nan
    return _placement_se(np.asarray(y) == 1, np.asarray(p, dtype=float), codes)


def delong_auroc_se(y: np.ndarray, p: np.ndarray) -> float:
    """Standard error of an AUROC from its placements, rows independent (DeLong, DeLong &
    Clarke-Pearson, Biometrics 44:837-845, 1988): exact for tied scores (a scorecard's
    points, an isotonic map), where Hanley & McNeil's formula from the AUROC and the
    class counts alone can be twice as wide. NaN with fewer than two rows of an outcome.

    Example:
        >>> round(delong_auroc_se(np.array([0, 0, 1, 1, 0, 1]), np.arange(6.0)), 3)
        0.248
    """
    y = np.asarray(y) == 1
    return _placement_se(y, np.asarray(p, dtype=float), np.arange(len(y)))


def _placement_se(y: np.ndarray, p: np.ndarray, codes: np.ndarray) -> float:
    """The AUROC's standard error from each entity's summed placements (`codes`: one
    entity number per row, 0..k-1): Obuchowski's variance, DeLong's with one row each."""
    pos, neg = np.sort(p[y]), np.sort(p[~y])
    n_pos, n_neg = len(pos), len(neg)
    if not n_pos or not n_neg:
        return math.nan
    # Placements: the share of the other class each row outranks, ties counting half.
    below = np.searchsorted(neg, p[y], "left") + np.searchsorted(neg, p[y], "right")
    above = 2 * n_pos - np.searchsorted(pos, p[~y], "left") - np.searchsorted(pos, p[~y], "right")
    v10, v01 = below / (2 * n_neg), above / (2 * n_pos)
    auc = float(v10.mean())
    k = int(codes.max()) + 1
    m = np.bincount(codes[y], minlength=k)  # events per entity
    n = np.bincount(codes[~y], minlength=k)  # non-events per entity
    x = np.bincount(codes[y], weights=v10, minlength=k) - m * auc
    z = np.bincount(codes[~y], weights=v01, minlength=k) - n * auc
    i10, i01 = int((m > 0).sum()), int((n > 0).sum())
    if i10 < 2 or i01 < 2:
        return math.nan
    s10 = i10 / ((i10 - 1) * n_pos) * float(x @ x)
    s01 = i01 / ((i01 - 1) * n_neg) * float(z @ z)
    s11 = k / (k - 1) * float(x @ z)
    return math.sqrt(max(s10 / n_pos + s01 / n_neg + 2 * s11 / (n_pos * n_neg), 0.0))


def auroc_figure(
    y: np.ndarray, p: np.ndarray, development: float, profile: Profile | None, groups=None
) -> Figure:
    """The AUROC on new rows beside the development hold-out's (`profile`'s rows).

    The new rows' standard error is DeLong's (`delong_auroc_se`), or with `groups` (one
    entity id per new row) Obuchowski's, counting the entities (`clustered_auroc_se`);
    the development side's is `development_auroc_se`. No difference interval (None)
    with fewer than MIN_OUTCOMES events or non-events on either side.
    """
    value = auroc(y, p)
    se_new = delong_auroc_se(y, p) if groups is None else clustered_auroc_se(y, p, groups)
    se_dev = development_auroc_se(development, profile)
    saved = profile is not None and profile.auroc_se is not None
    method = (
        "a normal interval on the logit scale (mapped back, so it stays within 0-1) from the "
        "AUROC's standard error: "
        + ("Obuchowski's, counting entities" if groups is not None else "DeLong's")
        + " on the new rows; "
        + ("the one the run saved" if saved else "Hanley & McNeil's from the counts")
        + " on the development hold-out"
    )
    return Figure(
        "roc_auc",
        "AUROC",
        "maximize",
        value,
        _logit_around(value, se_new),
        development,
        _logit_around(development, se_dev),
        difference_interval(value, se_new, development, se_dev)
        if math.isfinite(se_dev) and not _few_outcomes(y, profile)
        else None,
        method,
    )


def event_rate_interval(y: np.ndarray, groups=None) -> tuple[float, float] | None:
    """95% interval of the event rate of outcomes `y` (n,, 0/1), in rates (0-1).

    Rows alone: the normal (Wald) interval, sqrt(r(1 - r)/n). With `groups` (one entity
    id per row): each entity's events less its rows times the rate are summed before
    squaring, the sandwich variance of a mean with Cameron & Miller's G/(G-1) factor
    (as `clustered_covariance`), so a customer's four loans count as one draw. None
    without rows, or with fewer than MIN_ENTITIES entities.

    Example:
        >>> event_rate_interval(np.array([0, 1] * 50))
        (0.402, 0.598)
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    if not n:
        return None
    rate = float(y.mean())
    if groups is None:
        se = math.sqrt(max(rate * (1 - rate), 1e-12) / n)
    else:
        codes = entity_codes(groups)
        g = int(codes.max()) + 1
        if g < MIN_ENTITIES:
            return None
        residual = np.bincount(codes, weights=y - rate, minlength=g)
        se = math.sqrt(max(g / (g - 1) * float(residual @ residual), 1e-12)) / n
    return rate - Z95 * se, rate + Z95 * se


def rarer_outcome(events: int, rows: int) -> tuple[int, str]:
    """(count, "event" or "non-event") of the rarer outcome among `rows` with `events`.

    Example:
        >>> rarer_outcome(2, 400)
        (2, 'event')
    """
    return min((events, "event"), (rows - events, "non-event"))


def _few_outcomes(y: np.ndarray, profile: Profile | None) -> bool:
    """Fewer than MIN_OUTCOMES events or non-events among the new outcomes `y` (0/1) or
    on the development hold-out (`profile`; unknown counts are not few)."""
    events = int(np.sum(np.asarray(y) == 1))
    counts = [events, len(y) - events]
    if profile is not None and profile.events is not None:
        counts += [profile.events, profile.rows - profile.events]
    return min(counts) < MIN_OUTCOMES


def development_auroc_se(auc: float, profile: Profile | None) -> float:
    """Standard error of the development hold-out's AUROC `auc`, from its `profile`.

    A grouped run saved the clustered one (`Profile.auroc_se`, Obuchowski 1997: a
    customer's many loans count once); otherwise Hanley & McNeil's from the hold-out's
    events and rows. NaN without a profile or its event count.

    Example:
        >>> round(development_auroc_se(0.8, Profile(500, scores, events=100)), 4)
        0.0279
    """
    if profile is None or profile.events is None:
        return math.nan
    if profile.auroc_se is not None:
        return profile.auroc_se
    return auroc_se(auc, profile.events, profile.rows - profile.events)


def _logit_around(value: float, se: float) -> tuple[float, float] | None:
    """A 95% interval of a share (an AUROC) built on its logit and mapped back, so it
    stays inside (0, 1) near the ends, where the normal one passed 1 (0.976 to 1.011 for
    an AUROC of 0.993); the delta method gives the logit's standard error (Pepe, *The
    Statistical Evaluation of Medical Tests*, 2003, sec. 5.2)."""
    if not (math.isfinite(se) and 0 < value < 1):
        return _around(value, se)
    centre, spread = math.log(value / (1 - value)), Z95 * se / (value * (1 - value))
    return 1 / (1 + math.exp(-(centre - spread))), 1 / (1 + math.exp(-(centre + spread)))


def _around(value: float, se: float) -> tuple[float, float] | None:
    return (value - Z95 * se, value + Z95 * se) if math.isfinite(se) else None


# ----------------------------------------------------------------------- calibration


def calibration(y: np.ndarray, p: np.ndarray, groups=None) -> Calibration:
    """Logistic recalibration of predictions `p` (n,) against outcomes `y` (n,, 0/1).

    With `groups` (one entity id per row), the intervals use the cluster-robust
    covariance (`clustered_covariance`): rows of one patient or customer count once.

    Example:
        >>> calibration(np.array([0, 1, 1, 0]), np.array([0.2, 0.7, 0.6, 0.4])).slope
        2.07
    """
    y = np.asarray(y, dtype=float)
    q = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    lp = np.log(q / (1 - q))
    design, none = np.column_stack([np.ones_like(lp), lp]), np.zeros(len(y))
    slope_fit = logistic_fit(design, y, none)
    intercept_fit = logistic_fit(design[:, :1], y, lp)
    if groups is not None:
        slope_fit = clustered_covariance(slope_fit, design, y, none, groups)
        intercept_fit = clustered_covariance(intercept_fit, design[:, :1], y, lp, groups)
    slope, slope_interval = _wald(slope_fit, 1)
    intercept, intercept_interval = _wald(intercept_fit, 0)
    return Calibration(intercept, intercept_interval, slope, slope_interval)


def clustered_covariance(fit, X: np.ndarray, y: np.ndarray, offset: np.ndarray, groups):
    """`logistic_fit`'s result with the cluster-robust (sandwich) covariance.

    The bread is the inverse information; the meat sums each entity's score vector
    (its rows' x·(y − p)) before squaring, so correlated rows of one entity count as one
    draw (Liang & Zeger 1986), with the small-sample factor G/(G−1)·(n−1)/(n−k) of
    Cameron & Miller ("A practitioner's guide to cluster-robust inference", J. Human
    Resources 50(2), 2015). None stays None; fewer than MIN_ENTITIES entities give NaN.
    """
    if fit is None:
        return None
    beta, bread = fit
    codes = entity_codes(groups)
    g, (n, k) = int(codes.max()) + 1, X.shape
    if g < MIN_ENTITIES or n <= k:
        return beta, np.full_like(bread, np.nan)
    p = 1 / (1 + np.exp(-np.clip(X @ beta + offset, -35, 35)))
    scores = np.column_stack(
        [np.bincount(codes, weights=X[:, j] * (y - p), minlength=g) for j in range(k)]
    )
    factor = g / (g - 1) * (n - 1) / (n - k)
    return beta, factor * bread @ (scores.T @ scores) @ bread


MAX_STEP = 5.0  # largest change of a coefficient in one Newton step (log-odds)


def logistic_fit(X: np.ndarray, y: np.ndarray, offset: np.ndarray, steps: int = 50):
    """Maximum-likelihood logistic regression by Newton's method, with an offset.

    Returns (coefficients, covariance) — the covariance is the inverse information
    matrix — or None when it does not converge (separation, one outcome).
    """
    beta = np.zeros(X.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(X @ beta + offset, -35, 35)))
        gradient = X.T @ (y - p)
        information = (X * (p * (1 - p))[:, None]).T @ X + 1e-9 * np.eye(X.shape[1])
        step = np.linalg.solve(information, gradient)
        # Damped: far from the optimum (e.g. predictions shifted far off the observed rate)
        # the curvature is tiny and a full Newton step overshoots past any bound; the
        # log-likelihood is concave, so capped steps still reach the same maximum.
        step = step * min(1.0, MAX_STEP / max(float(np.abs(step).max()), 1e-300))
        beta = beta + step
        if not np.all(np.isfinite(beta)) or np.abs(beta).max() > 1e3:
            return None
        if np.abs(step).max() < 1e-8:
            return beta, np.linalg.inv(information)
    return None


def _wald(fit, i: int) -> tuple[float, tuple[float, float]]:
    if fit is None:
        return math.nan, NAN_PAIR
    beta, cov = fit
    if not math.isfinite(float(cov[i, i])):
        return float(beta[i]), NAN_PAIR
    se = math.sqrt(max(float(cov[i, i]), 0.0))
    return float(beta[i]), (float(beta[i] - Z95 * se), float(beta[i] + Z95 * se))
