"""The refitted best model, `Model`, and the names other modules import from here.

Each family's fit, space and native file live in its own module (`logistic`,
`lightgbm`, `xgboost`); `registry.FAMILIES` lists them. `Model` adds the schema
that reads its input and `model.json`, and asks the family to save and load the
model file, so nothing here names a family.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from tuneplate.engine.contract.calibration import Calibrator, calibrated_columns
from tuneplate.engine.contract.counts import said_outside
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.profile import Profile
from tuneplate.engine.contract.schema import Schema, SchemaWarning, Scores, problems, warn
from tuneplate.engine.families.base import MAX_ROUNDS, PATIENCE, Family, Fit, Fitted, FoldData
from tuneplate.engine.families.lightgbm import LGB_DATASET
from tuneplate.engine.families.registry import FAMILIES, MODEL_FILES, get_family
from tuneplate.engine.families.xgboost import XGB_MAX_BIN
from tuneplate.engine.runs.writable import plain_name

BASE_VALUE = "base_value"  # `Model.explain`'s last column: the log-odds before any input


class Model:
    """The refitted best model, with the schema that reads its input.

    Used like a scikit-learn classifier: `predict_proba` takes a DataFrame with the
    training columns (by the user's names; extra columns are ignored) and returns
    [P(not event), P(event)] per row. Each column is read as the kind recorded at fit
    time (`engine.schema`), however pandas typed it, so the same rows score the same.

    What did not fit is counted per column and attached to the result as
    `.schema_counts` ({column: ColumnCounts}, kept by slices such as `proba[:, 1]`);
    above `schema.WARN_SHARE` of the rows a column gives one `SchemaWarning`, and
    `strict=True` raises `TuneplateError` instead.

    Zero rows give an empty (0, 2) result rather than an error (scikit-learn estimators
    raise ValueError on 0 samples): a scoring batch may be empty on a quiet day, and the
    columns are still checked. A model column given twice raises `TuneplateError`.

    With a `calibrator` (a run with `--calibrate platt|isotonic`), `predict_proba` returns
    the calibrated probabilities; `explain` stays on the estimator's raw margin.

    Example:
        >>> proba = result.model.predict_proba(new_applicants)[:, 1]  # probability of default
        >>> proba.schema_counts["purpose"].unknown_levels
        0
    """

    def __init__(
        self,
        family: str,
        estimator,
        schema: Schema,
        positive: str,
        params: dict,
        fit: dict | None = None,
        profile: Profile | None = None,
        calibrator: Calibrator | None = None,
    ):
        self.family = family
        self.estimator = estimator
        self.schema = schema
        self.positive = positive
        self.params = params
        self.fit = fit or {}  # seed, threads and boosting rounds of the refit, to redo it
        # The hold-out's spread of inputs and scores, for `tuneplate validate` (None in
        # model.json written before it was recorded).
        self.profile = profile
        self.calibrator = calibrator  # None: the estimator's probabilities as they are
        self.classes_ = np.array([0, 1])

    def predict_proba(self, X: pd.DataFrame, strict: bool = False) -> Scores:
        encoded, counts = self._encode(X, strict)
        warn(counts, stacklevel=3)
        said = said_outside(counts)
        for line in self.profile.off_range(self.schema, encoded, said) if self.profile else ():
            warnings.warn(line, SchemaWarning, stacklevel=2)
        if not len(encoded):  # an empty batch: no row, no probability (not an error)
            return Scores(np.empty((0, 2)), counts)
        scores = calibrated_columns(self.estimator.predict_proba(encoded), self.calibrator)
        return Scores(scores, counts)

    def predict(self, X: pd.DataFrame, threshold: float = 0.5, strict: bool = False) -> Scores:
        return (self.predict_proba(X, strict)[:, 1] >= threshold).astype(int)

    def explain(self, X: pd.DataFrame, strict: bool = False) -> pd.DataFrame:
        """Each row's contribution of every input to its log-odds, plus the base value.

        Returns a DataFrame of shape (rows, k + 1): one column per model input by the
        user's names (k, in the schema's order), then `base_value`; index as `X`'s.
        Units: log-odds of the event (the model's raw margin). A row's values sum to
        logit(predict_proba(X)[:, 1]) for that row, or, for a model with a `calibrator`,
        to the logit of the uncalibrated probability (the estimator's margin; calibration
        maps it monotonically afterwards, so the inputs' ranking of reasons holds).
        Positive values push the event's probability up. The rows are read as in
        `predict_proba` (same schema, same warnings; `strict=True` raises `TuneplateError`
        on rows that do not fit).

        Source: LightGBM's and XGBoost's built-in exact TreeSHAP (Lundberg et al., Nature
        Machine Intelligence 2, 2020; `pred_contrib=True` / `pred_contribs=True` in the
        libraries' docs); for logistic regression the exact linear contributions
        coef * (x - training mean) on the encoded design, a column's one-hot levels and
        missing indicator summed into that column; for a WoE scorecard coef * (WoE of the
        row's bin - training mean WoE) per input. Columns the model does not use
        (protected, excluded, extra) are not in the result.

        Raises:
            TuneplateError: rows that are not a DataFrame or lack a model column; a
                family that cannot explain.

        Example:
            >>> c = result.model.explain(applicants)
            >>> c.sum(axis=1)  # log-odds of default, = logit of predict_proba
            >>> c.drop(columns="base_value").iloc[0].nlargest(4)  # what pushed row 0 up
        """
        family = get_family(self.family)
        if family.contributions is None:
            raise TuneplateError(
                f"the {self.family} family has no per-row contributions; "
                "tune a logistic, lightgbm or xgboost model to explain it"
            )
        encoded, counts = self._encode(X, strict)
        warn(counts, stacklevel=3)
        columns = [*self.schema.names, BASE_VALUE]
        if not len(encoded):  # an empty batch: no row to explain (not an error)
            return pd.DataFrame(np.empty((0, len(columns))), columns=columns, index=encoded.index)
        values = family.contributions(self.estimator, encoded)
        return pd.DataFrame(values, columns=columns, index=encoded.index)

    def _encode(self, X: pd.DataFrame, strict: bool):
        encoded, counts = self.schema.encode(X)
        lines = problems(counts, refused=True) if strict else []
        if strict and self.profile:  # a changed unit would make every score it touches wrong
            lines += self.profile.unit_refusals(self.schema, encoded, said_outside(counts))
        if lines:
            raise TuneplateError(
                f"the rows do not fit the model's schema, so no row was scored (strict): "
                f"{'; '.join(lines)}; fix the extract, or score without strict"
            )
        return encoded, counts

    def save(self, folder: str | Path) -> Path:
        """Write the model in its library's own format plus `model.json` describing it."""
        folder = Path(folder)
        family = get_family(self.family)
        family.save(self.estimator, folder / family.file)
        meta = {
            "family": self.family,
            "file": family.file,
            "positive": self.positive,
            "params": self.params,
            "fit": self.fit,
            "schema": self.schema.to_dict(),
            **({"profile": self.profile.to_dict()} if self.profile else {}),
            **({"calibration": self.calibrator.to_dict()} if self.calibrator else {}),
        }
        (folder / "model.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
        return folder / family.file

    @classmethod
    def load(cls, folder: str | Path) -> Model:
        """Load a model saved by `save`.

        Example:
            >>> Model.load("tuneplate-runs/credit-risk").predict_proba(rows)
        """
        folder = Path(folder)
        meta = json.loads((folder / "model.json").read_text())
        file = meta["file"]
        if not plain_name(file):
            raise TuneplateError(
                f"{folder / 'model.json'} names a model file outside its folder ({file!r}); "
                "it was not written by tuneplate"
            )
        estimator = get_family(meta["family"]).load(folder / file)
        schema = Schema.from_dict(meta.get("schema") or meta["encoder"])  # "encoder": older runs
        profile = Profile.from_dict(meta["profile"]) if meta.get("profile") else None
        saved = meta.get("calibration")
        return cls(
            meta["family"],
            estimator,
            schema,
            meta["positive"],
            meta["params"],
            meta.get("fit"),
            profile,
            Calibrator.from_dict(saved) if saved else None,
        )


__all__ = [
    "BASE_VALUE",
    "FAMILIES",
    "LGB_DATASET",
    "MAX_ROUNDS",
    "MODEL_FILES",
    "PATIENCE",
    "XGB_MAX_BIN",
    "Family",
    "Fit",
    "Fitted",
    "FoldData",
    "Model",
    "SchemaWarning",
    "get_family",
]
