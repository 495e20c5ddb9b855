"""A scorecard's saved bins and linear model, applied without the library that found them.

A credit scorecard (Siddiqi, *Credit Risk Scorecards*, Wiley 2006, ch. 6) replaces each
input by the Weight of Evidence (WoE) of the bin its value falls in and fits a logistic
regression on those WoE columns. The bins come from optimal binning (Navas-Palencia 2020,
"Optimal binning: mathematical programming formulation", arXiv:2001.08025, the
`optbinning` library); once found they are plain ranges and groups of levels, saved here
as JSON, so scoring needs only NumPy and pandas: tuneplate's model and an exported
project (`tuneplate export` copies this package verbatim) apply the very same code.

What a saved scorecard holds (aggregates only, never one row's value):

* numeric input: the split points, so bin i is [split[i-1], split[i]) with -inf and +inf
  at the ends (`np.searchsorted`, side "right", the `np.digitize(..., right=False)`
  optbinning itself uses: a value equal to a split falls in the bin above). optbinning's
  splits are midpoints of two observed values, which in a dense column (an amount with
  cents) pin two applicants; `binning.bin_inputs` moves each onto a coarse grid
  (`edges.coarse_edges`, a month's first day for a date; a whole-number column's k + ½
  becomes k + 1, the same cut) and recounts the bins under the moved splits. Files saved
  before keep their midpoint splits and score as saved;
* categorical input: groups of levels (each level was seen in at least the schema's
  pooling minimum of training rows; rarer ones were already pooled into "(other)");
* per bin: its WoE, training row count and events; a missing bin; the input's training
  mean WoE (the reference of `contributions`) and its coefficient; the intercept.

Missing values take the missing bin's WoE (0 when training had no missing value with
both outcomes). A level the binning never saw takes WoE 0, optbinning's own default for
unknown categories (the WoE of the overall event rate: no evidence either way).

Finding the bins and weighing them is training's work, in `binning.py` (`binning.fit`);
this module imports only NumPy and pandas.

Example:
    >>> card = Scorecard.from_dict(json.loads(Path("model.scorecard.json").read_text()))
    >>> card.predict_proba(X)[:, 1]  # X: the schema's encoded rows
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

FORMAT = "tuneplate-scorecard/1"
MISSING = "Missing"
UNSEEN = "Unseen levels"
# optbinning's default monotonic trend: ascending or descending event rate, whichever
# fits better (optbinning docs, OptimalBinning `monotonic_trend`).
TREND = "auto_asc_desc"


def woe(events: np.ndarray, nonevents: np.ndarray, total_events: float, total_nonevents: float):
    """Weight of Evidence per bin: ln(share of non-events / share of events).

    Positive: the bin holds relatively more non-events (lower risk). 0 for a bin lacking
    events or non-events, as optbinning does (`transform_binary_target`).

    Example:
        >>> woe(np.array([10, 20]), np.array([90, 80]), 30, 170).round(3)
        array([ 0.568, -0.565])
    """
    events, nonevents = np.asarray(events, float), np.asarray(nonevents, float)
    out = np.zeros(len(events))
    ok = (events > 0) & (nonevents > 0)
    out[ok] = np.log((nonevents[ok] / total_nonevents) / (events[ok] / total_events))
    return out


@dataclass(frozen=True)
class Bins:
    """One input's bins: numeric `splits` or categorical `groups`, WoE and counts per bin.

    `woe`, `count`, `events` have one entry per bin (len(splits) + 1 or len(groups)); the
    missing bin's are apart. `mean_woe` is the training rows' mean WoE, `coef` the
    logistic regression's coefficient on this input's WoE.
    """

    name: str
    kind: str  # "numeric" or "categorical"
    woe: tuple[float, ...]
    count: tuple[int, ...]
    events: tuple[int, ...]
    missing_woe: float
    missing_count: int
    missing_events: int
    mean_woe: float = 0.0
    coef: float = 0.0
    splits: tuple[float, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()
    unseen_woe: float = 0.0

    def values(self, X: pd.DataFrame) -> np.ndarray:
        """This input's WoE for each row of X, shape (n,)."""
        column = X[self.name]
        if self.kind == "numeric":
            x = np.asarray(column, dtype=float)
            missing = np.isnan(x)
            where = np.searchsorted(np.asarray(self.splits, float), x, side="right")
            out = np.asarray(self.woe, float)[np.minimum(where, len(self.woe) - 1)]
            return np.where(missing, self.missing_woe, out)
        levels = pd.Series(np.asarray(column, dtype=object))
        missing = levels.isna().to_numpy()
        pairs = zip(self.groups, self.woe, strict=True)
        lookup = {level: w for group, w in pairs for level in group}
        out = levels.astype(str).map(lookup).to_numpy(dtype=float, na_value=np.nan)
        out = np.where(np.isnan(out), self.unseen_woe, out)
        return np.where(missing, self.missing_woe, out)

    def labels(self) -> list[str]:
        """Each bin's label: "[8.5, 11.5)" for a range, the levels joined for a group."""
        if self.kind == "categorical":
            return [", ".join(group) for group in self.groups]
        edges = [-math.inf, *self.splits, math.inf]
        return [
            f"{'(' if math.isinf(low) else '['}{_number(low)}, {_number(high)})"
            for low, high in zip(edges[:-1], edges[1:], strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.kind == "numeric":
            out["splits"] = [float(s) for s in self.splits]
        else:
            out["groups"] = [list(g) for g in self.groups]
            out["unseen_woe"] = float(self.unseen_woe)
        return out | {
            "woe": [float(w) for w in self.woe],
            "count": [int(c) for c in self.count],
            "events": [int(e) for e in self.events],
            "missing": {
                "woe": float(self.missing_woe),
                "count": int(self.missing_count),
                "events": int(self.missing_events),
            },
            "mean_woe": float(self.mean_woe),
            "coef": float(self.coef),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bins:
        missing = data["missing"]
        return cls(
            name=str(data["name"]),
            kind=str(data["kind"]),
            woe=tuple(float(w) for w in data["woe"]),
            count=tuple(int(c) for c in data["count"]),
            events=tuple(int(e) for e in data["events"]),
            missing_woe=float(missing["woe"]),
            missing_count=int(missing["count"]),
            missing_events=int(missing["events"]),
            mean_woe=float(data.get("mean_woe", 0.0)),
            coef=float(data.get("coef", 0.0)),
            splits=tuple(float(s) for s in data.get("splits", ())),
            groups=tuple(tuple(str(v) for v in g) for g in data.get("groups", ())),
            unseen_woe=float(data.get("unseen_woe", 0.0)),
        )


def _number(value: float) -> str:
    return "inf" if value == math.inf else "-inf" if value == -math.inf else f"{value:.6g}"


@dataclass(frozen=True)
class Scorecard:
    """A fitted scorecard: its inputs' bins (in the model's column order) and intercept.

    `predict_proba(X)` takes the schema's encoded rows (a DataFrame with the inputs'
    names) and returns (n, 2) [P(no event), P(event)], as scikit-learn classifiers do.
    """

    inputs: tuple[Bins, ...]
    intercept: float
    settings: dict[str, Any]  # the fit's parameters, for the record

    def design(self, X: pd.DataFrame) -> np.ndarray:
        """The WoE design: (n, k), one column per input in order."""
        if not self.inputs:
            return np.empty((len(X), 0))
        return np.column_stack([b.values(X) for b in self.inputs])

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Log-odds of the event per row, (n,): intercept + sum of coef x WoE."""
        coef = np.array([b.coef for b in self.inputs])
        return self.intercept + self.design(X) @ coef

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """coef_j x (WoE_j(x) - training mean WoE_j) per input, base value last: (n, k + 1).

        The exact SHAP values of a linear model on independent inputs (Lundberg & Lee
        2017, NeurIPS), here on the WoE design; a row sums to `decision_function`.
        """
        coef = np.array([b.coef for b in self.inputs])
        mean = np.array([b.mean_woe for b in self.inputs])
        parts = coef * (self.design(X) - mean)
        base = np.full((len(X), 1), self.intercept + float(coef @ mean))
        return np.hstack([parts, base])

    def against(self, signs: Sequence[int]) -> tuple[Bins, int] | None:
        """The first numeric input whose points go against its monotone sign, with that
        sign; None when every constrained input's points follow their sign.

        `signs`: +1 / -1 / 0 per input, in order (+1: the event's probability may only
        rise with the value). An input's part of the log-odds is coef x WoE of its bin, so
        with +1 it must not fall from one range to the next (the missing bin is not in the
        order); an L2 fit on correlated WoE columns can turn a binned trend around through
        the sign of its weight. A tolerance of 1e-12 absorbs rounding. The run's check and
        an exported project's `train.py` both call this.

        Example:
            >>> card.against((1, 0)) is None  # the first input's points never fall
            True
        """
        for bins, sign in zip(self.inputs, signs, strict=True):
            if sign and bins.kind == "numeric":
                steps = np.diff(bins.coef * np.asarray(bins.woe)) * sign
                if len(steps) and steps.min() < -1e-12:
                    return bins, sign
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "intercept": float(self.intercept),
            "settings": dict(self.settings),
            "inputs": [b.to_dict() for b in self.inputs],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scorecard:
        if data.get("format") != FORMAT:
            raise ValueError(
                f"not a tuneplate scorecard file (format {data.get('format')!r}, "
                f"expected {FORMAT!r}); give the model.scorecard.json a run wrote"
            )
        return cls(
            inputs=tuple(Bins.from_dict(b) for b in data["inputs"]),
            intercept=float(data["intercept"]),
            settings=dict(data.get("settings") or {}),
        )


__all__ = [
    "FORMAT",
    "MISSING",
    "TREND",
    "UNSEEN",
    "Bins",
    "Scorecard",
    "woe",
]
