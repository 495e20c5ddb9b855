"""L2-regularised logistic regression: space, fit, exact hypergradient, files.

Scaling, imputation and one-hot encoding live inside the scikit-learn pipeline, which
is saved with skops (https://skops.readthedocs.io/en/stable/persistence.html), a
format that loads only the types it is told to trust, unlike pickle.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.families.base import Family, Fit, Fitted, MonotoneViolation
from tuneplate.engine.search.space import Param, Space

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

# scikit-learn is imported inside the functions that fit: every family module is
# loaded by the CLI's parser (the families' names), which need not wait for it.

FILE = "model.skops"
SPACE = Space(
    (Param("C", 1e-4, 1e2, log=True, grid=(1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0), start=1.0),),
)


def fit(params, X, y, X_val, y_val, fit: Fit) -> Fitted:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    # Each fold learns its own scaling and encoding, so no fold sees another's.
    params = dict(params)
    groups = params.pop("penalty_groups", None) or {}
    penalties = {k: params.pop(k) for k in [k for k in params if k.startswith("C_")]}
    model = make_pipeline(
        prep(X, params.get("C", 1.0), penalties, groups),
        LogisticRegression(**{"max_iter": 2000, "random_state": fit.seed, **params}),
    )
    model.fit(X, y)
    check_monotone(model, X, fit)
    if X_val is None:  # the refit (a search's fold models are never explained)
        # The training design's column means, the reference of `contributions`; saved
        # with the pipeline (a NumPy array, which skops trusts).
        model[-1].design_mean_ = _dense(model[:-1].transform(X)).mean(axis=0)
    return Fitted(model, None)


def check_monotone(model: Pipeline, X: pd.DataFrame, fit) -> None:
    """Refuse a fitted pipeline whose coefficient goes against `fit.monotone`.

    Logistic regression has no native sign constraint, so the sign is checked after the
    fit: the coefficient of a constrained column's scaled value (the first design column
    it owns; its missing indicator follows) has the raw column's sign, since scaling and
    the block's penalty weight are positive. A coefficient of exactly 0 passes.

    Raises:
        MonotoneViolation: one line naming the column, the fitted sign and the fix.

    Example:
        >>> check_monotone(pipeline, X, Fit(0, monotone=(1, 0)))  # silent when it holds
    """
    signs = getattr(fit, "monotone", None)
    if not signs or not any(signs):
        return
    owners = _design_owners(model[:-1][-1])
    coef = model[-1].coef_[0]
    for column, sign in zip(X.columns, signs, strict=True):
        where = np.flatnonzero(owners == column)
        if sign and len(where) and coef[where[0]] * sign < 0:
            raise MonotoneViolation(
                f"the logistic model's coefficient of {column!r} is {coef[where[0]]:+.3g}, "
                f"against its monotone direction {sign:+d}; use model lightgbm or xgboost "
                f"(they enforce the constraint), or drop {column!r} from the constraints",
                column=str(column),
                direction=int(sign),
                fitted=float(coef[where[0]]),
            )


def prep(X: pd.DataFrame, C: float, penalties: dict, groups: dict) -> ColumnTransformer:
    """The column transformer; each feature group with its own penalty is one weighted block.

    A group's own penalty `C_<group>` is applied by multiplying its columns by
    sqrt(C_<group> / C) after scaling: the penalty ½‖w‖²/C on rescaled columns is
    ½‖v‖²/C_<group> on the original ones, so the stock estimator is used.
    Groups are listed in `penalty_groups` ({group: [columns]}); without a list,
    "numeric" and "categorical" mean every column of that kind. Columns in no group
    keep the overall `C`. Block names start with their penalty ("C_income:numeric").
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    kinds = {
        "numeric": list(X.select_dtypes("number").columns),
        "categorical": list(X.select_dtypes("category").columns),
    }
    numeric = set(kinds["numeric"])
    blocks, left = {}, kinds["numeric"] + kinds["categorical"]
    for name in penalties:
        group = name.removeprefix("C_")
        if group not in groups and group not in kinds:
            raise TuneplateError(
                f"penalty {name!r} names no columns; give penalty_groups={{{group!r}: [...]}}"
            )
        blocks[name] = [c for c in left if c in groups.get(group, kinds.get(group))]
        left = [c for c in left if c not in blocks[name]]
    blocks["C"] = left
    transformers, weights = [], {}
    for name, columns in blocks.items():
        num, cat = [c for c in columns if c in numeric], [c for c in columns if c not in numeric]
        if num:
            # The mean, not the median: the model file keeps the fill value, and a
            # median is one row's value (aggregates only); with the missing indicator
            # beside it, the fill value only shifts that indicator's coefficient.
            scale = make_pipeline(
                SimpleImputer(strategy="mean", add_indicator=True), StandardScaler()
            )
            transformers.append((f"{name}:numeric", scale, num))
        if cat:
            onehot = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5)
            transformers.append((f"{name}:categorical", onehot, cat))
        for block, *_ in transformers[len(weights) :]:
            weights[block] = float(np.sqrt(penalties[name] / C)) if name in penalties else 1.0
    return ColumnTransformer(transformers, transformer_weights=weights)


def hypergradient(model: Pipeline, X, y, X_val, y_val, params) -> dict[str, float]:
    """d(validation log-loss)/d(C, C_<group>) of a fitted pipeline (see search.hypergradient).

    Works in the pipeline's transformed design matrix with each block's weight taken
    back out, so every penalty is a plain per-column L2 penalty.
    """
    from tuneplate.engine.search import hypergradient as hypergradients  # SciPy's linalg

    prep, estimator = model[:-1], model[-1]
    transformer = prep[-1]
    width = sum(s.stop - s.start for s in transformer.output_indices_.values())
    weight, owner = np.ones(width), np.full(width, "C", dtype=object)
    for block, columns in transformer.output_indices_.items():
        if block != "remainder":
            weight[columns] = transformer.transformer_weights[block]
            owner[columns] = block.split(":")[0]
    C = {"C": params.get("C", 1.0), **{k: v for k, v in params.items() if k.startswith("C_")}}
    grads = hypergradients.logistic(
        _dense(prep.transform(X)) / weight,
        y,
        estimator.coef_[0] * weight,
        estimator.intercept_[0],
        _dense(prep.transform(X_val)) / weight,
        y_val,
        C,
        {name: owner == name for name in C},
    )
    return {k: v for k, v in grads.items() if k in params}


def contributions(model: Pipeline, X: pd.DataFrame) -> np.ndarray:
    """Exact linear contributions to the log-odds, per input column: (n, k + 1), base last.

    On the pipeline's encoded design z (scaled numbers, missing indicators, one-hot
    levels, each block's penalty weight applied), design column j contributes
    coef_j * (z_j - mean_j) and the base value is intercept + coef . mean, where mean is
    the refit's training design mean: the exact SHAP values of a linear model with
    independent inputs (Lundberg & Lee 2017, "A unified approach to interpreting model
    predictions", NeurIPS; section on linear models). The design columns of one input
    column (its one-hot levels, its missing indicator) are summed into that column, so
    each row sums to `decision_function`. A pipeline without a stored mean (fitted before
    it was recorded) uses 0: the scaled numbers' training mean anyway, and "no level" for
    one-hot columns.

    Example:
        >>> c = contributions(pipeline, X)
        >>> np.allclose(c.sum(axis=1), pipeline.decision_function(X))
        True
    """
    prep, estimator = model[:-1], model[-1]
    design = _dense(prep.transform(X))
    coef = estimator.coef_[0]
    mean = getattr(estimator, "design_mean_", None)
    mean = np.zeros(len(coef)) if mean is None else np.asarray(mean, dtype=float)
    owners = _design_owners(prep[-1])
    parts = coef * (design - mean)
    out = np.zeros((len(X), X.shape[1] + 1))
    for i, column in enumerate(X.columns):
        out[:, i] = parts[:, owners == column].sum(axis=1)
    out[:, -1] = estimator.intercept_[0] + coef @ mean
    return out


def _design_owners(transformer: ColumnTransformer) -> np.ndarray:
    """The input column each design column of the fitted `prep` comes from (by name).

    Follows `prep`'s blocks: a numeric block is its kept columns (the imputer drops one
    with no value in training) and then one missing indicator per column that had
    missing values; a one-hot block is each column's levels, its infrequent levels
    pooled into one.
    """
    from sklearn.preprocessing import OneHotEncoder

    width = sum(s.stop - s.start for s in transformer.output_indices_.values())
    owners = np.full(width, None, dtype=object)
    for block, step, columns in transformer.transformers_:
        if block == "remainder" or isinstance(step, str):
            continue
        columns = list(columns)
        if isinstance(step, OneHotEncoder):
            infrequent = getattr(step, "infrequent_categories_", [None] * len(columns))
            names = [
                column
                for column, levels, rare in zip(columns, step.categories_, infrequent, strict=True)
                for _ in range(len(levels) - (0 if rare is None else len(rare) - 1))
            ]
        else:  # imputer (with missing indicators) then scaler
            imputer = step[0]
            kept = [c for c, v in zip(columns, imputer.statistics_, strict=True) if v == v]
            flagged = getattr(imputer, "indicator_", None)
            names = kept + ([columns[i] for i in flagged.features_] if flagged is not None else [])
        where = transformer.output_indices_[block]
        if len(names) != where.stop - where.start:  # a scikit-learn layout not foreseen
            raise TuneplateError(
                f"cannot map the logistic design's block {block!r} back to its columns; "
                "report this with the scikit-learn version"
            )
        owners[where] = names
    return owners


def _dense(X) -> np.ndarray:
    return np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float)


def save(estimator: Pipeline, path: Path) -> None:
    import skops.io  # lazily: only logistic runs need it

    skops.io.dump(estimator, path)


def load(path: Path) -> Pipeline:
    """The pipeline in `path`, refusing any type that is not scikit-learn's or NumPy's."""
    import skops.io

    trusted = skops.io.get_untrusted_types(file=path)
    unsafe = [t for t in trusted if not t.startswith(("sklearn.", "numpy."))]
    if unsafe:
        raise TuneplateError(
            f"{path} holds unexpected types {unsafe}; it was not written by tuneplate"
        )
    return skops.io.load(path, trusted=trusted)


FAMILY = Family(
    name="logistic",
    label="L2-regularised logistic regression",
    space=SPACE,
    fit=fit,
    boosted=False,
    file=FILE,
    save=save,
    load=load,
    hypergradient=hypergradient,
    contributions=contributions,
    exact_fit={"solver": "newton-cholesky", "tol": 1e-10},
    defaults={"C": 1.0},  # scikit-learn's LogisticRegression default penalty
    libraries=(
        "sklearn.compose",
        "sklearn.impute",
        "sklearn.linear_model",
        "sklearn.pipeline",
        "sklearn.preprocessing",
    ),
)
