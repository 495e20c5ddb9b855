"""Fitting `--calibrate platt|isotonic` on the out-of-fold development predictions.

The map itself (and how it is applied and saved) is `engine.contract.calibration`. It is
fitted on the development rows each scored by a model fitted without them
(`evaluation.out_of_fold`), never on the hold-out, whose figures then measure the
calibrated model honestly; it is applied to the model refitted on every development row
(scikit-learn's CalibratedClassifierCV with ensemble=False does the same).

Credit risk's `--assume central_tendency=RATE` adds `central_tendency_shift` to that map
(`with_central_tendency`): any binary vertical that declares an assumption of that name
gets it; a vertical that does not, refuses the key before the data is read.

`holdout` measures the model's calibration on the hold-out, for the report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.optimize import brentq
from sklearn.isotonic import IsotonicRegression

from tuneplate.engine.contract.calibration import (
    GRID,
    METHODS,
    SHIFT_ONLY,
    Calibrator,
    calibrated_columns,
    logit,
)
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.intervals import calibration, logistic_fit
from tuneplate.engine.tasks.binary.calibration_curve import curve_dict


def check_method(method: str | None) -> str:
    """The method's name ("none" for None); refuses any other in one line."""
    method = method or "none"
    if method not in METHODS:
        raise TuneplateError(f"unknown calibration {method!r}; choose one of: {', '.join(METHODS)}")
    return method


def fit_calibrator(method: str | None, y: np.ndarray, p: np.ndarray) -> Calibrator | None:
    """The calibration map of raw probabilities `p` (n,) against outcomes `y` (n,, 0/1).

    None for "none" (or None), or when there are no rows of both outcomes to fit on.
    Isotonic is fitted on the rows pooled to `GRID` (see below), between 0.5 / n and
    1 - 0.5 / n (never a probability of exactly 0 or 1). Platt's targets are his
    smoothed ones, (events + 1) / (events + 2) for an event and
    1 / (non-events + 2) for a non-event (Platt 1999, as scikit-learn's sigmoid
    calibration), so the fit settles even when the scores separate the outcomes.

    Example:
        >>> fit_calibrator("platt", valid_y, valid_score).apply(p_hold)
    """
    method = check_method(method)
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    if method == "none" or not len(y) or y.min() == y.max():
        return None
    if method == "platt":
        events = y.sum()
        target = np.where(y > 0, (events + 1) / (events + 2), 1 / (len(y) - events + 2))
        design = np.column_stack([np.ones(len(y)), logit(p)])
        fit = logistic_fit(design, target, np.zeros(len(y)))
        if fit is None:
            raise TuneplateError(
                "Platt calibration did not settle on the out-of-fold predictions; "
                "use --calibrate isotonic or none"
            )
        intercept, slope = (float(v) for v in fit[0])
        return Calibrator("platt", slope=slope, intercept=intercept)
    # Pooled first: each row counts at its nearest GRID point (0.005 apart) and the fit
    # sees each point's event share, weighted by its rows. Fitted on the rows themselves,
    # the curve's corners would sit at single rows' scores (scikit-learn's X_thresholds_),
    # which the stored grid values would give away; model files hold aggregates only.
    cell = np.rint(np.clip(p, 0.0, 1.0) * (len(GRID) - 1)).astype(int)
    rows = np.bincount(cell, minlength=len(GRID))
    events = np.bincount(cell, weights=y, minlength=len(GRID))
    seen = rows > 0
    # A step with no event among its rows is not a probability of 0: the curve is kept
    # half an event away from 0 and 1 (the Haldane-Anscombe half), or one row's outcome
    # on a new sample moves a logit of -20 and with it the calibration slope.
    half = 0.5 / len(y)
    iso = IsotonicRegression(y_min=half, y_max=1.0 - half, out_of_bounds="clip")
    iso.fit(GRID[seen], events[seen] / rows[seen], sample_weight=rows[seen])
    return Calibrator("isotonic", curve=tuple(float(v) for v in iso.predict(GRID)))


CENTRAL_TENDENCY = "central_tendency"  # the assumption's key, e.g. {"central_tendency": 0.04}
SHIFT_BRACKET = 40.0  # |shift| on the log-odds searched; e^40 moves any rate to any other


def central_tendency_shift(p: np.ndarray, rate: float) -> float:
    """The log-odds shift s with mean(expit(logit(p) + s)) = `rate`, solved numerically.

    `p`: (n,) probabilities of the event on the development rows; `rate` in (0, 1), the
    long-run event rate (for PDs, the long-run average default rate the EBA's guidelines
    on PD estimation, EBA/GL/2017/16 section 5.3.5, ask PDs to be calibrated to). The
    mean is strictly increasing in s, so Brent's root finder (scipy.optimize.brentq) on
    [-40, 40] finds the one root to 1e-12; a constant on the log-odds keeps the ranking,
    so discrimination (AUC, Gini, KS) is unchanged.

    Example:
        >>> round(central_tendency_shift(np.array([0.1, 0.3]), 0.2), 4)
        0.0
    """
    z = logit(np.asarray(p, dtype=float))

    def gap(s: float) -> float:
        return float(np.mean(1.0 / (1.0 + np.exp(-np.clip(z + s, -700, 700))))) - rate

    return float(brentq(gap, -SHIFT_BRACKET, SHIFT_BRACKET, xtol=1e-12, rtol=1e-12))


def with_central_tendency(
    calibrator: Calibrator | None, estimator, X_dev, assumptions: Mapping[str, Any]
) -> Calibrator | None:
    """`calibrator` with the central-tendency shift added when `assumptions` state one.

    `estimator` is the final model refitted on every development row `X_dev` (the one
    that is saved); its probabilities there, after `calibrator`, are shifted so the saved
    model's mean prediction on those rows is the stated rate (only scored when a rate is
    stated). The shift composes after platt or isotonic, and is saved in model.json with
    them, so `predict_proba`, `export` and `validate` score as the run's figures did.

    Example:
        >>> with_central_tendency(None, model, X_dev, {"central_tendency": 0.04}).method
        'shift'
    """
    rate = assumptions.get(CENTRAL_TENDENCY)
    if rate is None:
        return calibrator
    p_dev = calibrated_columns(estimator.predict_proba(X_dev), calibrator)[:, 1]
    shift = central_tendency_shift(p_dev, float(rate))
    if calibrator is None:
        return Calibrator(SHIFT_ONLY, shift=shift, central_tendency=float(rate))
    return replace(calibrator, shift=shift, central_tendency=float(rate))


__all__ = [
    "CENTRAL_TENDENCY",
    "central_tendency_shift",
    "check_method",
    "fit_calibrator",
    "holdout",
    "with_central_tendency",
]


def holdout(calibrator, y_hold, p_hold, groups=None) -> dict[str, Any]:
    """Which calibration the model applies, the hold-out's calibration-in-the-large
    and slope with 95% Wald intervals (`intervals.calibration`; cluster-robust with
    `groups`, the `--group` clusters of the hold-out rows), and its calibration
    curve ("curve": binned rates with Jeffreys intervals and a smoother,
    `calibration_curve`), for the report.

    Example:
        >>> holdout(None, y_hold, p_hold)["method"], holdout(None, y_hold, p_hold)["slope"]
        ('none', 0.97)
    """
    fit = calibration(y_hold, p_hold, groups)

    def number(v):  # NaN (the fit did not settle) is saved as null
        return float(v) if math.isfinite(v) else None

    return {
        "method": calibrator.method if calibrator else "none",
        "applied": calibrator.describe() if calibrator else "",
        "intercept": number(fit.intercept),
        "intercept_interval": [number(v) for v in fit.intercept_interval],
        "slope": number(fit.slope),
        "slope_interval": [number(v) for v in fit.slope_interval],
        **({"shift": calibrator.shift} if calibrator and calibrator.shift else {}),
        "curve": curve_dict(y_hold, p_hold),
    }
