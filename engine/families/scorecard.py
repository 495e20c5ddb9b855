"""The credit scorecard: optimal WoE bins per input, then L2 logistic regression.

The industry's champion model for credit risk (Siddiqi, *Credit Risk Scorecards*, Wiley
2006; Anderson, *The Credit Scoring Toolkit*, OUP 2007): each input is cut into a few
ranges (numbers) or groups of levels (categories) by optimal binning (Navas-Palencia
2020, arXiv:2001.08025, the `optbinning` library's `OptimalBinning`), each bin replaced by
its Weight of Evidence (WoE), and a logistic regression weighs the WoE columns. The
bins and weights are written as JSON (`engine/contract/binning.py` finds them,
`engine/contract/scorecard.py` applies them with NumPy and pandas only), never pickled.

Beside the model: `points_table` turns it into points per bin under the usual scaling
(points to double the odds, base points at base odds) and `information_value` gives each
input's Information Value; `summary` puts both in the run's results
(`results.data["scorecard"]`), aggregates only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tuneplate.engine.contract import binning
from tuneplate.engine.contract.calibration import Calibrator
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import OTHER
from tuneplate.engine.contract.scorecard import MISSING, TREND, UNSEEN, Scorecard
from tuneplate.engine.families.base import Family, Fit, Fitted, FoldData, MonotoneViolation
from tuneplate.engine.search.space import Param, Space

FILE = "model.scorecard.json"
# Only C is searched, as logistic regression's. The bins are optbinning's at its default
# pre-binning (at most 20 pre-bins of at least 5% of the rows each, so a bin is a range
# many applicants share): fixed, so a search bins each fold once (`prepare`) and every
# trial is a logistic regression on the same WoE columns. Searching the pre-binning made
# each trial rebin every input (about 0.4 s a fold on 800 rows), which halved the other
# families' trials in credit's `auto` on the unseen tables.
MAX_N_PREBINS, MIN_PREBIN_SIZE = 20, 0.05
SPACE = Space(
    (Param("C", 1e-3, 1e2, log=True, grid=(0.01, 0.1, 1.0, 10.0), start=1.0),),
    fixed={"monotonic_trend": TREND},
)
# Industry scaling of the points (Siddiqi 2006, ch. 6): a score of BASE_POINTS at good:bad
# odds of BASE_ODDS, and PDO more points for each doubling of the odds. Assumptions, not
# facts about the data: the report prints them beside the table.
PDO, BASE_POINTS, BASE_ODDS = 20.0, 600.0, 50.0
TRENDS = {1: "ascending", -1: "descending"}  # Fit.monotone's sign -> event-rate trend


def _binned(X, y, fit: Fit, monotonic_trend: str = TREND) -> Scorecard:
    """The bins of X, y (no weights), numeric inputs trending as `fit.monotone` asks."""
    signs = getattr(fit, "monotone", None) or ()
    trends = {str(c): TRENDS[int(s)] for c, s in zip(X.columns, signs, strict=False) if s}
    return binning.bin_inputs(X, y, MAX_N_PREBINS, MIN_PREBIN_SIZE, monotonic_trend, trends)


def prepare(X, y, X_val, y_val, fit: Fit) -> FoldData:
    """A fold's bins and WoE design, built once; every trial then only weighs them.

    Example:
        >>> data = prepare(X_train, y_train, X_valid, y_valid, Fit(0))
        >>> FAMILY.fit({"C": 0.1}, None, None, None, None, Fit(0), data=data)
    """
    binned = _binned(X, y, fit)
    return FoldData(train=(binned, binned.design(X), np.asarray(y)), valid=None)


def fit(params, X, y, X_val, y_val, fit: Fit, data: FoldData | None = None) -> Fitted:
    """Bins and weights on X, y (the validation fold is not needed: no early stopping);
    with `data` (`prepare`), the fold's bins as built, weighed at this trial's C.

    `fit.monotone` (+1 / -1 per model column) sets that numeric input's binning to an
    ascending / descending event rate; the fitted weight is then checked, since an L2 fit
    on correlated WoE columns may still turn an input's points the wrong way.

    Raises:
        MonotoneViolation: an input's points go against its direction (a search trial
            fails with it; a refit is refused).
    """
    if data is not None:
        binned, design, y = data.train
    else:
        binned = _binned(X, y, fit, str(params.get("monotonic_trend", TREND)))
        design = binned.design(X)
    model = binning.weigh(binned, design, y, C=float(params.get("C", 1.0)), seed=fit.seed)
    check_monotone(model, fit)
    return Fitted(model, None)


def check_monotone(model: Scorecard, fit) -> None:
    """Refuse a scorecard whose points for a constrained input go the wrong way
    (`Scorecard.against`): raises MonotoneViolation, one line naming the input.

    Example:
        >>> check_monotone(model, Fit(0, monotone=(1, 0)))  # silent when it holds
    """
    signs = getattr(fit, "monotone", None)
    if not signs or not any(signs):
        return
    turned = model.against(signs)
    if turned is not None:
        bins, sign = turned
        raise MonotoneViolation(
            f"the scorecard's points for {bins.name!r} go against its monotone direction "
            f"{sign:+d} (its weight {bins.coef:+.3g} turned the binned trend around); "
            f"use model lightgbm or xgboost, or drop {bins.name!r} from the constraints"
        )


def save(estimator: Scorecard, path: Path) -> None:
    Path(path).write_text(json.dumps(estimator.to_dict(), indent=1) + "\n")


def load(path: Path) -> Scorecard:
    """The scorecard in `path` (JSON written by `save`)."""
    try:
        return Scorecard.from_dict(json.loads(Path(path).read_text()))
    except (ValueError, KeyError, TypeError) as error:
        raise TuneplateError(f"{path} is not a readable scorecard file: {error}") from error


def contributions(estimator: Scorecard, X: pd.DataFrame) -> np.ndarray:
    """Exact per-input contributions to the log-odds: (n, k + 1), base value last.

    beta_j x (WoE_j(x) - mean training WoE_j) per input, base value intercept +
    sum beta_j x mean WoE_j: the exact SHAP values of a linear model on independent inputs
    (Lundberg & Lee 2017, NeurIPS), so each row sums to its log-odds.

    Example:
        >>> c = contributions(model, X)
        >>> np.allclose(c.sum(axis=1), model.decision_function(X))
        True
    """
    return estimator.contributions(X)


def information_value(model: Scorecard) -> dict[str, float]:
    """Information Value per input, from its training bins (missing bin included):
    sum over bins of (share of non-events - share of events) x WoE (Siddiqi 2006, ch. 6).

    Reading (Siddiqi 2006): < 0.02 not useful, 0.02-0.1 weak, 0.1-0.3 medium, > 0.3
    strong. A bin lacking events or non-events has WoE 0 and adds nothing.

    Example:
        >>> information_value(model)["duration_in_month"]
        0.246
    """
    out = {}
    for bins in model.inputs:
        count = np.array([*bins.count, bins.missing_count], float)
        events = np.array([*bins.events, bins.missing_events], float)
        weights = np.array([*bins.woe, bins.missing_woe])
        total_events, total_nonevents = events.sum(), (count - events).sum()
        if not total_events or not total_nonevents:
            out[bins.name] = 0.0
            continue
        shares = (count - events) / total_nonevents - events / total_events
        out[bins.name] = float((shares * weights).sum())
    return out


def scaling(pdo: float = PDO, base_points: float = BASE_POINTS, base_odds: float = BASE_ODDS):
    """(factor, offset) of score = offset + factor x ln(good:bad odds) (Siddiqi 2006, ch. 6).

    Example:
        >>> [round(v, 2) for v in scaling()]
        [28.85, 487.12]
    """
    factor = pdo / math.log(2)
    return factor, base_points - factor * math.log(base_odds)


def points_table(
    model: Scorecard,
    pdo: float = PDO,
    base_points: float = BASE_POINTS,
    base_odds: float = BASE_ODDS,
    names: dict[str, str] | None = None,
    calibrator: Calibrator | None = None,
) -> list[dict[str, Any]]:
    """Points per bin: a row per (input, bin), with the bin's training count and event rate.

    An applicant's score is the sum of their bins' points: offset + factor x ln(odds of
    no event), the model's log-odds of the event taken with a minus sign, with the
    intercept and offset spread evenly over the k inputs (Siddiqi 2006, ch. 6):
    points = -(beta_j x WoE + intercept / k) x factor + offset / k. Higher is safer.
    `names` maps the model's column keys to the user's names. Aggregates only: a bin is a
    range or a group of levels, and its count and event rate are over training rows.

    With the run's `calibrator` (a platt map and/or a central-tendency shift, both linear
    on the log-odds), the points are those of the saved model's PDs: the log-odds become
    slope x (sum + intercept) + intercept' + shift, so a score still reads at the scaling's
    odds. An isotonic map is not linear: the points are then the scorecard's before it.

    Example:
        >>> points_table(model)[0]
        {'input': 'duration_in_month', 'bin': '(-inf, 8.5)', 'points': 61.2, ...}
    """
    factor, offset = scaling(pdo, base_points, base_odds)
    k = max(len(model.inputs), 1)
    names = names or {}
    slope, moved = 1.0, 0.0  # the calibration's linear map of the log-odds, if any
    if calibrator is not None and calibrator.method != "isotonic":
        if calibrator.method == "platt":
            slope, moved = calibrator.slope, calibrator.intercept
        moved += calibrator.shift
    intercept = slope * model.intercept + moved

    def points(weight: float, coef: float) -> float:
        return round(-(slope * coef * weight + intercept / k) * factor + offset / k, 1)

    rows = []
    for bins in model.inputs:
        name = names.get(bins.name, bins.name)
        cells = list(zip(bins.labels(), bins.woe, bins.count, bins.events, strict=True))
        cells.append((MISSING, bins.missing_woe, bins.missing_count, bins.missing_events))
        if bins.kind == "categorical":
            # the schema reads a level it never learned as OTHER when rare levels were
            # pooled there: such rows then score as that level's bin, not as "no evidence"
            pooled = [w for group, w in zip(bins.groups, bins.woe, strict=True) if OTHER in group]
            label = f"{UNSEEN} (scored as {OTHER!r})" if pooled else UNSEEN
            cells.append((label, pooled[0] if pooled else bins.unseen_woe, 0, 0))
        for label, weight, count, events in cells:
            rows.append(
                {
                    "input": name,
                    "bin": label,
                    "woe": round(float(weight), 4),
                    "points": points(weight, bins.coef),
                    "count": int(count),
                    "event_rate": round(events / count, 4) if count else None,
                }
            )
    return rows


def summary(
    model: Scorecard, names: dict[str, str] | None = None, calibrator: Calibrator | None = None
) -> dict[str, Any]:
    """What a report shows of a fitted scorecard: the scaling assumptions, Information
    Value per input (highest first) and the points table (of the saved model's PDs, with
    the run's `calibrator`: `points_table`). Aggregates only.

    Example:
        >>> summary(model)["assumptions"]["pdo"]
        20.0
    """
    names = names or {}
    iv = information_value(model)
    factor, offset = scaling()
    return {
        "assumptions": {
            "pdo": PDO,
            "base_points": BASE_POINTS,
            "base_odds": BASE_ODDS,
            "odds": "good:bad (no event : event)",
            "factor": round(factor, 4),
            "offset": round(offset, 4),
            "intercept": "spread evenly over the inputs",
            "calibration": "" if calibrator is None else calibrator.method,
        },
        "iv": {names.get(k, k): round(v, 4) for k, v in sorted(iv.items(), key=lambda kv: -kv[1])},
        "points": points_table(model, names=names, calibrator=calibrator),
        "settings": dict(model.settings),
    }


FAMILY = Family(
    name="scorecard",
    label="WoE scorecard on optimal bins",
    space=SPACE,
    fit=fit,
    boosted=False,
    file=FILE,
    save=save,
    load=load,
    contributions=contributions,
    prepare=prepare,
    # Relative to logistic = 1 on the embedded credit data: one fit on 800 rows took about
    # 0.35-0.45 s against logistic's 0.06 s on a quiet machine (optbinning's binning of 20
    # inputs is most of it), nearer 1.4x on a loaded one; the scorecard is the costliest
    # family either way, so `auto` reaches it after one cheap model of every other. That
    # is its first trial, which bins the folds (`prepare`); later ones only weigh them.
    cost=4.0,
    defaults={"C": 1.0},  # scikit-learn's LogisticRegression penalty
    summary=summary,
)
