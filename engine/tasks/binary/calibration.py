"""Fitting `--calibrate platt|isotonic` on the out-of-fold development predictions.

The map itself (and how it is applied and saved) is `engine.contract.calibration`. It is
fitted on the development rows each scored by a model fitted without them
(`evaluation.out_of_fold`), never on the hold-out, whose figures then measure the
calibrated model honestly; it is applied to the model refitted on every development row
(scikit-learn's CalibratedClassifierCV with ensemble=False does the same).
"""

from __future__ import annotations

import numpy as np
from sklearn.isotonic import IsotonicRegression

from tuneplate.engine.contract.calibration import GRID, METHODS, Calibrator, logit
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.monitoring import logistic_fit


def check_method(method: str | None) -> str:
    """The method's name ("none" for None); refuses any other in one line."""
    method = method or "none"
    if method not in METHODS:
        raise TuneplateError(f"unknown calibration {method!r}; choose one of: {', '.join(METHODS)}")
    return method


def fit_calibrator(method: str | None, y: np.ndarray, p: np.ndarray) -> Calibrator | None:
    """The calibration map of raw probabilities `p` (n,) against outcomes `y` (n,, 0/1).

    None for "none" (or None), or when there are no rows of both outcomes to fit on.
    Isotonic is fitted on the rows pooled to `GRID` (see below). Platt's targets are his
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
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(GRID[seen], events[seen] / rows[seen], sample_weight=rows[seen])
    return Calibrator("isotonic", curve=tuple(float(v) for v in iso.predict(GRID)))


__all__ = ["check_method", "fit_calibrator"]
