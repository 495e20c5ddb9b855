"""L2-regularised logistic regression: space, fit, exact hypergradient, files.

Scaling, imputation and one-hot encoding live inside the scikit-learn pipeline, which
is saved with skops (https://skops.readthedocs.io/en/stable/persistence.html), a
format that loads only the types it is told to trust, unlike pickle.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.families.base import Family, Fit, Fitted
from tuneplate.engine.search import hypergradient as hypergradients
from tuneplate.engine.search.space import Param, Space

FILE = "model.skops"
SPACE = Space(
    (Param("C", 1e-4, 1e2, log=True, grid=(1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0), start=1.0),),
)


def fit(params, X, y, X_val, y_val, fit: Fit) -> Fitted:
    # Each fold learns its own scaling and encoding, so no fold sees another's.
    params = dict(params)
    groups = params.pop("penalty_groups", None) or {}
    penalties = {k: params.pop(k) for k in [k for k in params if k.startswith("C_")]}
    model = make_pipeline(
        prep(X, params.get("C", 1.0), penalties, groups),
        LogisticRegression(**{"max_iter": 2000, "random_state": fit.seed, **params}),
    )
    model.fit(X, y)
    return Fitted(model, None)


def prep(X: pd.DataFrame, C: float, penalties: dict, groups: dict) -> ColumnTransformer:
    """The column transformer; each feature group with its own penalty is one weighted block.

    A group's own penalty `C_<group>` is applied by multiplying its columns by
    sqrt(C_<group> / C) after scaling: the penalty ½‖w‖²/C on rescaled columns is
    ½‖v‖²/C_<group> on the original ones, so the stock estimator is used.
    Groups are listed in `penalty_groups` ({group: [columns]}); without a list,
    "numeric" and "categorical" mean every column of that kind. Columns in no group
    keep the overall `C`. Block names start with their penalty ("C_income:numeric").
    """
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
            scale = make_pipeline(
                SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
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
    exact_fit={"solver": "newton-cholesky", "tol": 1e-10},
    defaults={"C": 1.0},  # scikit-learn's LogisticRegression default penalty
)
