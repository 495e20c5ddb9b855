"""Recalibrated probabilities: the map from a model's raw probability to a calibrated one.

A run tuned with `--calibrate platt` or `--calibrate isotonic` fits this map on the
out-of-fold development predictions (never the hold-out) and saves it in model.json,
"calibration", as numbers (no pickle); `Model.predict_proba` and an exported project's
score.py and validate.py apply it with this same code, copied verbatim into `contract/`.

- platt: p' = 1 / (1 + exp(-(slope * logit(p) + intercept))), a logistic regression of
  the outcome on the model's logit (Platt, "Probabilistic outputs for support vector
  machines", 1999; scikit-learn's CalibratedClassifierCV, method="sigmoid").
- isotonic: a non-decreasing step function of p (Zadrozny & Elkan, KDD 2002;
  scikit-learn's IsotonicRegression(out_of_bounds="clip")), kept as its values on the
  fixed grid 0, 0.005, …, 1 and interpolated linearly between them (`np.interp`).

Standard library and numpy only (exported projects copy it).

Example:
    >>> c = Calibrator("platt", slope=0.8, intercept=-0.1)
    >>> c.apply(np.array([0.1, 0.5, 0.9])).round(3)
    array([0.148, 0.475, 0.8  ])
    >>> Calibrator.from_dict(c.to_dict()) == c
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

METHODS = ("none", "platt", "isotonic")
# The isotonic curve is fitted on the rows pooled to these fixed probabilities and
# stored there, not at scikit-learn's X_thresholds_: those are single development rows'
# predicted scores, and model files hold aggregates only. Its values are event shares of
# pooled rows.
GRID = np.linspace(0.0, 1.0, 201)  # steps of 0.005
EPS = 1e-12  # probabilities are clipped to [EPS, 1 - EPS] before the logit


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) of probabilities clipped to [EPS, 1 - EPS], shape as `p`."""
    q = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(q) - np.log1p(-q)


@dataclass(frozen=True)
class Calibrator:
    """A fitted calibration map; `apply` takes and returns probabilities of the event.

    `method` is "platt" (`slope`, `intercept` on the log-odds scale) or "isotonic"
    (`curve`: the calibrated probability at each `GRID` point, non-decreasing).
    """

    method: str
    slope: float = 1.0
    intercept: float = 0.0
    curve: tuple[float, ...] = ()

    def apply(self, p: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, shape (n,), from raw probabilities `p`, shape (n,)."""
        p = np.asarray(p, dtype=float)
        if self.method == "platt":
            return 1.0 / (1.0 + np.exp(-(self.slope * logit(p) + self.intercept)))
        return np.interp(p, GRID, np.asarray(self.curve, dtype=float))

    def to_dict(self) -> dict[str, Any]:
        """model.json's "calibration" object."""
        if self.method == "platt":
            return {"method": "platt", "slope": self.slope, "intercept": self.intercept}
        return {"method": "isotonic", "grid_step": 1 / (len(GRID) - 1), "curve": list(self.curve)}

    @classmethod
    def from_dict(cls, saved: dict[str, Any]) -> Calibrator:
        if saved["method"] == "platt":
            return cls("platt", float(saved["slope"]), float(saved["intercept"]))
        return cls("isotonic", curve=tuple(float(v) for v in saved["curve"]))

    def describe(self) -> str:
        """In words, for the report: which map, fitted on which rows."""
        if self.method == "platt":
            return (
                f"Platt scaling (logistic recalibration: slope {self.slope:.2f}, intercept "
                f"{self.intercept:+.2f} on the log-odds), fitted on the out-of-fold "
                "development predictions"
            )
        return "isotonic regression, fitted on the out-of-fold development predictions"


def calibrated_columns(scores: np.ndarray, calibrator: Calibrator | None) -> np.ndarray:
    """[P(not event), P(event)] per row, shape (n, 2), with the event's column calibrated."""
    if calibrator is None:
        return scores
    p = calibrator.apply(np.asarray(scores)[:, 1])
    return np.column_stack([1.0 - p, p])


__all__ = ["EPS", "GRID", "METHODS", "Calibrator", "calibrated_columns", "logit"]
