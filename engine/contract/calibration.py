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
- shift (credit risk's `--assume central_tendency=RATE`, composable with either above):
  p' = 1 / (1 + exp(-(logit(p) + shift))), one constant added on the log-odds so the mean
  predicted probability on the development rows equals a stated long-run event rate
  (EBA/GL/2017/16, PD estimation, calibration to the long-run average default rate). A
  map with only the shift has method "shift". Monotone, so it leaves rankings (AUC) as
  they are; it moves the levels, hence cut-offs and expected loss.

Standard library and numpy only (exported projects copy it).

Example:
    >>> c = Calibrator("platt", slope=0.8, intercept=-0.1)
    >>> c.apply(np.array([0.1, 0.5, 0.9])).round(3)
    array([0.135, 0.475, 0.84 ])
    >>> Calibrator.from_dict(c.to_dict()) == c
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

METHODS = ("none", "platt", "isotonic")  # what `--calibrate` accepts
SHIFT_ONLY = "shift"  # a map with the central-tendency shift and no platt/isotonic step
# The isotonic curve is fitted on the rows pooled to these fixed probabilities and
# stored there, not at scikit-learn's X_thresholds_: those are single development rows'
# predicted scores, and model files hold aggregates only. Its values are event shares of
# pooled rows.
GRID = np.linspace(0.0, 1.0, 201)  # steps of 0.005
# score.py and explain: the probability restated at a stated prevalence (`at_prevalence`)
AT_PREVALENCE = "probability_at_prevalence"
EPS = 1e-12  # probabilities are clipped to [EPS, 1 - EPS] before the logit


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) of probabilities clipped to [EPS, 1 - EPS], shape as `p`."""
    q = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(q) - np.log1p(-q)


@dataclass(frozen=True)
class Calibrator:
    """A fitted calibration map; `apply` takes and returns probabilities of the event.

    `method` is "platt" (`slope`, `intercept` on the log-odds scale), "isotonic"
    (`curve`: the calibrated probability at each `GRID` point, non-decreasing) or
    "shift" (none of those); `shift` (log-odds, 0: none) is added after the method, and
    `central_tendency` records the long-run rate it was solved for (None without a shift).
    """

    method: str
    slope: float = 1.0
    intercept: float = 0.0
    curve: tuple[float, ...] = ()
    shift: float = 0.0
    central_tendency: float | None = None

    def apply(self, p: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, shape (n,), from raw probabilities `p`, shape (n,)."""
        p = np.asarray(p, dtype=float)
        if self.method == "platt":
            p = 1.0 / (1.0 + np.exp(-(self.slope * logit(p) + self.intercept)))
        elif self.method == "isotonic":
            p = np.interp(p, GRID, np.asarray(self.curve, dtype=float))
        if self.shift:  # 0: the probabilities above as they are, bit for bit
            p = 1.0 / (1.0 + np.exp(-(logit(p) + self.shift)))
        return p

    def to_dict(self) -> dict[str, Any]:
        """model.json's "calibration" object ("shift" only when there is one)."""
        shift = (
            {"shift": self.shift, "central_tendency": self.central_tendency} if self.shift else {}
        )
        if self.method == "platt":
            return {"method": "platt", "slope": self.slope, "intercept": self.intercept, **shift}
        if self.method == "isotonic":
            step = 1 / (len(GRID) - 1)
            return {"method": "isotonic", "grid_step": step, "curve": list(self.curve), **shift}
        return {"method": SHIFT_ONLY, **shift}

    @classmethod
    def from_dict(cls, saved: dict[str, Any]) -> Calibrator:
        # absent in files written before the shift
        rate = saved.get("central_tendency")
        moved = {"shift": float(saved.get("shift", 0.0)), "central_tendency": rate}
        if saved["method"] == "platt":
            return cls("platt", float(saved["slope"]), float(saved["intercept"]), **moved)
        if saved["method"] == "isotonic":
            return cls("isotonic", curve=tuple(float(v) for v in saved["curve"]), **moved)
        return cls(SHIFT_ONLY, **moved)

    def describe(self) -> str:
        """In words, for the report: which map, fitted on which rows."""
        if self.method == "platt":
            words = (
                f"Platt scaling (logistic recalibration: slope {self.slope:.2f}, intercept "
                f"{self.intercept:+.2f} on the log-odds), fitted on the out-of-fold "
                "development predictions"
            )
        elif self.method == "isotonic":
            words = "isotonic regression, fitted on the out-of-fold development predictions"
        else:
            words = ""
        if not self.shift:
            return words
        rate = f" of {self.central_tendency:.1%}" if self.central_tendency is not None else ""
        moved = (
            f"a shift of {self.shift:+.2f} on the log-odds so that the mean predicted "
            f"probability on the development rows equals the stated long-run rate{rate} "
            "(central tendency)"
        )
        return f"{words}, then {moved}" if words else moved


def at_prevalence(p: np.ndarray, sample: float, stated: float) -> np.ndarray:
    """Probabilities `p` (n,), estimated on a sample with event rate `sample`, restated
    at the event rate `stated` where the model is used (both in (0, 1)), shape (n,).

    Bayes' rule under a change of the classes' rates only (the rows of each class look
    as they did in the sample, as in a case-control sample): the log-odds move by
    logit(stated) - logit(sample) (Saerens, Latinne & Decaestecker, "Adjusting the outputs
    of a classifier to new a priori probabilities", Neural Computation 14(1), 2002;
    King & Zeng's prior correction, Political Analysis 9(2), 2001). The ranking of the
    rows, hence AUROC, is unchanged.

    Example:
        >>> at_prevalence(np.array([0.34, 0.5]), sample=0.34, stated=0.05).round(4)
        array([0.05  , 0.0927])
    """
    shift = float(logit(np.array([stated]))[0] - logit(np.array([sample]))[0])
    return 1.0 / (1.0 + np.exp(-(logit(p) + shift)))


def calibrated_columns(scores: np.ndarray, calibrator: Calibrator | None) -> np.ndarray:
    """[P(not event), P(event)] per row, shape (n, 2), with the event's column calibrated."""
    if calibrator is None:
        return scores
    p = calibrator.apply(np.asarray(scores)[:, 1])
    return np.column_stack([1.0 - p, p])


__all__ = [
    "AT_PREVALENCE",
    "EPS",
    "GRID",
    "METHODS",
    "SHIFT_ONLY",
    "Calibrator",
    "at_prevalence",
    "calibrated_columns",
    "logit",
]
