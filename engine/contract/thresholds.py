"""Split thresholds that hold no training row's value: XGBoost's, moved to a midpoint.

Self-contained on purpose (json, numpy, pandas; the booster is passed in): `tuneplate
export` copies it into the exported project's `contract/`, whose train.py refits the
model the same way, so its hold-out matches the run's.

Example:
    >>> model = xgb.XGBClassifier(n_estimators=5).fit(X, y)
    >>> thresholds_between_rows(model.get_booster(), X) > 0  # predictions unchanged
    True
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd


def thresholds_between_rows(booster: Any, X: pd.DataFrame) -> int:
    """Move each numeric split threshold that is a training row's value to the midpoint
    between it and the column's next lower training value, in place; returns how many moved.

    XGBoost's hist method splits at a bin's cut, which is a training row's own value: every
    one of a depth-3 model's 119 thresholds on German credit was (a credit amount, a
    duration), and the model file would carry them. A split sends x < t left, so any t in
    (next lower value, value] sends every training row the same way: the trees and the
    training predictions are unchanged, and the file holds no single row's value, as
    LightGBM's midpoint thresholds hold none. XGBoost compares in float32, and so does this.
    Categorical splits (split_type 1) are left as they are. Only the refitted model is
    rewritten; the search's fold models are never saved.

    Args:
        booster: a fitted `xgboost.Booster` whose features are `X`'s columns, in order.
        X: (n, k) the rows it was trained on (numeric columns as floats, text as category).

    Example:
        >>> model = xgb.XGBClassifier(n_estimators=5).fit(X, y)
        >>> thresholds_between_rows(model.get_booster(), X) > 0  # predictions unchanged
        True
    """
    model = json.loads(booster.save_raw("json"))
    values = {}
    for position, name in enumerate(X.columns):
        column = X[name]
        if pd.api.types.is_numeric_dtype(column.dtype):
            numbers = column.to_numpy(dtype=np.float32, na_value=np.nan)
            values[position] = np.unique(numbers[~np.isnan(numbers)])
    moved = 0
    for tree in model["learner"]["gradient_booster"]["model"]["trees"]:
        nodes = zip(tree["left_children"], tree["split_indices"], tree["split_type"], strict=True)
        for node, (left, feature, kind) in enumerate(nodes):
            seen = values.get(feature)
            if left == -1 or kind != 0 or seen is None or len(seen) < 2:
                continue  # a leaf (its "condition" is its weight), a categorical split
            at = np.float32(tree["split_conditions"][node])
            k = int(np.searchsorted(seen, at))
            if k == len(seen) or seen[k] != at:
                continue  # between training values already
            below = seen[k - 1] if k else at - (seen[1] - at)  # the lowest: mirror the gap
            middle = np.float32((float(below) + float(at)) / 2)
            if below < middle < at:  # two adjacent float32 values have no midpoint
                tree["split_conditions"][node] = float(middle)
                moved += 1
    if moved:
        booster.load_model(bytearray(json.dumps(model).encode()))
    return moved


__all__ = ["thresholds_between_rows"]
