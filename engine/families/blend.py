"""A blend of the tuned model and the simple baseline: the mean of their log-odds.

On small tables neither the tuned trees nor the vertical's simple model is reliably the
better on new rows, and the average of the two often beats both (Caruana et al., "Ensemble
selection from libraries of models", ICML 2004; AutoGluon's weighted ensembles). The
average is taken on the log-odds scale (a logarithmic opinion pool, Genest & Zidek,
Statistical Science 1, 1986), not of the probabilities, so that each member's TreeSHAP or
linear contributions, weighted, add up exactly to the blend's log-odds: `Model.explain`
and the drivers stay exact. `benchmarks/selection_rules.py --blend` measures both means
side by side.

A blend is never searched: `engine/tasks/binary/blending.py` proposes it after the search
and the selection rule keeps it only when it beats the baseline on fresh folds. Its
`params` name each member's family, settings and boosting rounds, so `fit` redoes it.

Example:
    >>> params = {"members": [{"family": "lightgbm", "params": {...}, "n_rounds": 120},
    ...                       {"family": "logistic", "params": {"C": 1.0}}]}
    >>> blend = FAMILY.fit(params, X, y, None, None, Fit(0)).estimator
    >>> blend.predict_proba(X)[:, 1]  # expit(mean of the two members' log-odds)
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.families.base import Family, Fit, Fitted
from tuneplate.engine.runs.writable import plain_name
from tuneplate.engine.search.space import Space

NAME = "blend"
FILE = "blend"  # a folder: each member's own file, and blend.json naming them
INDEX = "blend.json"
# Probabilities are clipped this far from 0 and 1 before the log-odds (±34.5): a member
# certain of a row cannot make the blend's log-odds infinite.
CLIP = 1e-15


def _family(name: str) -> Family:
    from tuneplate.engine.families.registry import get_family  # the registry imports this

    return get_family(name)


def log_odds(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)), with p clipped to [CLIP, 1 - CLIP]."""
    p = np.clip(np.asarray(p, dtype=float), CLIP, 1 - CLIP)
    return np.log(p) - np.log1p(-p)


class Blend:
    """Fitted members and their weights; `predict_proba` like a scikit-learn classifier.

    `members` is a list of (family name, fitted estimator); `weights` sum to 1.
    P(event) = expit(Σ wᵢ · logit(pᵢ)), where pᵢ is member i's probability.
    """

    def __init__(self, members: list[tuple[str, Any]], weights: list[float] | None = None):
        self.members = list(members)
        self.weights = list(weights or [1 / len(members)] * len(members))
        self.classes_ = np.array([0, 1])

    def margin(self, X: pd.DataFrame) -> np.ndarray:
        """The blend's log-odds per row, (n,)."""
        return sum(
            w * log_odds(estimator.predict_proba(X)[:, 1])
            for w, (_, estimator) in zip(self.weights, self.members, strict=True)
        )

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """[P(not event), P(event)] per row, (n, 2)."""
        event = 1 / (1 + np.exp(-self.margin(X)))
        return np.column_stack([1 - event, event])


def label(params: dict) -> str:
    """The report's name for a blend: "blend of LightGBM … and WoE scorecard …"; two
    members of one family (the tuned settings and the baseline's) name it once."""
    names = [_family(m["family"]).label for m in params["members"]]
    if len(set(names)) == 1:
        return f"blend of two {names[0]} settings (tuned and baseline)"
    return "blend of " + " and ".join(names)


def fit(params: dict, X, y, X_valid, y_valid, fit: Fit, data=None) -> Fitted:
    """Fit every member as its own family fits it: with a validation fold each boosted
    member early-stops on it; without one it boosts its recorded `n_rounds`.

    `data` maps a member's family name to that family's prepared data of one fold
    (`fold_data`): such a member fits on it, exactly as the search's trials did on that
    fold, without binning the rows again. The others fit on X, y, X_valid, y_valid.
    """
    fitted = []
    for member in params["members"]:
        family = _family(member["family"])
        prepared = (data or {}).get(member["family"])
        if prepared is not None:
            own = family.fit(member["params"], None, None, None, None, fit, data=prepared)
        else:
            rounds = member.get("n_rounds") if X_valid is None else None
            own_fit = replace(fit, n_rounds=rounds)
            own = family.fit(member["params"], X, y, X_valid, y_valid, own_fit)
        fitted.append((member["family"], own.estimator))
    return Fitted(Blend(fitted, params.get("weights")), None)


def fold_data(params: dict, prepared) -> dict:
    """`fit`'s `data` for one fold: {member family name: `prepared(family)`} for each
    member whose family prepares fold data (the boosted ones' binned matrices, the
    scorecard's WoE bins), e.g. from the search's fold cache.

    Example:
        >>> fold_data(params, lambda family: cache.get(family, 0)[0]).keys()
        dict_keys(['lightgbm', 'scorecard'])
    """
    families = (_family(member["family"]) for member in params["members"])
    return {f.name: prepared(f) for f in families if f.prepare is not None}


def contributions(blend: Blend, X: pd.DataFrame) -> np.ndarray:
    """Each member's contributions (its log-odds split by input, base value last),
    weighted and summed: a row sums to the blend's log-odds, up to the clipping of
    probabilities within CLIP of 0 or 1. (n, k + 1)."""
    total = 0.0
    for w, (name, estimator) in zip(blend.weights, blend.members, strict=True):
        own = _family(name).contributions
        if own is None:
            raise TuneplateError(f"the blend's {name} member has no per-row contributions")
        total = total + w * own(estimator, X)
    return total


def save(blend: Blend, path: Path) -> None:
    """`path` is a folder: each member in its library's own format, and blend.json."""
    path.mkdir(exist_ok=True)
    index = []
    for i, (w, (name, estimator)) in enumerate(
        zip(blend.weights, blend.members, strict=True), start=1
    ):
        family = _family(name)
        file = f"{i}-{family.file}"  # two members of one family need two names
        family.save(estimator, path / file)
        index.append({"family": name, "file": file, "weight": w})
    (path / INDEX).write_text(json.dumps({"members": index}, indent=2) + "\n")


def load(path: Path) -> Blend:
    """The blend saved by `save` in folder `path`."""
    where = path / INDEX
    index = json.loads(where.read_text())["members"]
    if not all(plain_name(m["file"]) for m in index):
        raise TuneplateError(f"{where} names a file outside its folder")
    from tuneplate.engine.families.registry import FAMILIES  # searched families only

    unknown = sorted({str(m["family"]) for m in index} - set(FAMILIES))
    if unknown:
        raise TuneplateError(f"{where} names unknown member families {unknown}")
    weights = [float(m["weight"]) for m in index]
    if len(index) < 2 or not all(w > 0 for w in weights) or abs(sum(weights) - 1) > 1e-9:
        raise TuneplateError(
            f"{where} must name two or more members with positive weights summing to 1, "
            f"got {len(index)} with weights {weights}; it was not written by tuneplate"
        )
    members = [(m["family"], _family(m["family"]).load(path / m["file"])) for m in index]
    return Blend(members, weights)


def remove(path: Path) -> None:
    """Delete a blend saved by `save` in folder `path`: the member files its blend.json
    names and blend.json, then the folder if nothing else is in it. A folder without a
    readable blend.json was not written here and is left as it is."""
    try:
        index = json.loads((path / INDEX).read_text()).get("members", [])
    except (OSError, ValueError, AttributeError):
        return
    for member in index:
        name = member.get("file") if isinstance(member, dict) else None
        if plain_name(name):
            (path / name).unlink(missing_ok=True)
    (path / INDEX).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.rmdir()


FAMILY = Family(
    name=NAME,
    label="blend of the tuned model and the baseline",
    space=Space(()),
    fit=fit,
    boosted=False,
    file=FILE,
    save=save,
    load=load,
    contributions=contributions,
)
