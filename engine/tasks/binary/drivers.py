"""What drives the predictions: the hold-out's global view of the per-row contributions.

From each hold-out row's contributions to the model's raw margin (log-odds, the
family's exact TreeSHAP or linear contributions, as `Model.explain`), per model input:

- `mean_abs`: the mean absolute contribution, in log-odds (inputs sorted by it);
- its direction: for a numeric (boolean, datetime) input the Spearman correlation
  between its value and its contribution (positive: higher values raise the predicted
  risk; None when either side is constant); for a categorical input the levels with
  the highest and the lowest mean contribution;
- for the TOP inputs, `effects`: the mean contribution by band (numeric: the saved
  profile's bands, `contract.profile.Bands`, whose edges lie on a coarse grid
  (`contract.edges.coarse_edges`), adjacent bands merged until each holds MIN_LEVEL_ROWS
  rows) or by level (levels with fewer than MIN_LEVEL_ROWS hold-out rows pooled into
  one row, named for them).

Aggregates only: a band, level or missing group with fewer than MIN_LEVEL_ROWS rows
after pooling is left out, so no figure is one row's. Under `--group` the minimum counts
entities (patients, customers), not rows: 41 visits of 5 patients describe 5 people.
Protected and excluded columns are not model inputs and never appear. The record is
JSON-safe: `results.json` keeps it as `data["drivers"]`.

Example:
    >>> record = drivers(model, encoded_holdout)
    >>> record["inputs"][0]["name"], record["inputs"][0]["mean_abs"]
    ('checking_account_status', 0.41)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from tuneplate.engine.contract.bands import Bands
from tuneplate.engine.contract.kinds import MIN_LEVEL_ROWS
from tuneplate.engine.families.registry import get_family

TOP = 5  # inputs whose effect by band or level is kept
MISSING = "(missing)"


def drivers(
    model: Any, encoded: pd.DataFrame, top: int = TOP, groups: np.ndarray | None = None
) -> dict[str, Any] | None:
    """The drivers record of `model` on the encoded hold-out rows, or None.

    `model`: a `Model` (family, estimator, schema, profile); `encoded`: the hold-out as
    `model.schema.encode(rows)[0]` (internal names); `groups`: (n,) the rows' entity codes
    under `--group` (`evaluation.holdout_groups`), so every minimum counts entities. None
    when the family has no contributions or there are no rows.

    Returns {"units": "log-odds", "rows": n, "min_rows": MIN_LEVEL_ROWS, "min_counts":
    "rows" or "entities", "family": name,
    "inputs": [{"name", "kind", "mean_abs", "direction" (numeric: Spearman rho or None),
    "highest", "lowest" (categorical: level names or None), "effects" (top inputs only:
    [{"low", "high", "rows", "mean"}] numeric, [{"level", "rows", "mean"}] categorical,
    a missing group as {"missing": True, "rows", "mean"})}, ...]} sorted by mean_abs.
    """
    family = get_family(model.family)
    if family.contributions is None or not len(encoded):
        return None
    values = np.asarray(family.contributions(model.estimator, encoded), dtype=float)
    profile = getattr(model, "profile", None)
    inputs = []
    for i, f in enumerate(model.schema.features):
        contribution = values[:, i]
        x = encoded[f.key]
        entry: dict[str, Any] = {
            "name": f.name,
            "kind": f.kind,
            "mean_abs": float(np.mean(np.abs(contribution))),
        }
        if f.kind == "categorical":
            effects = level_effects(x, contribution, entities=groups)
            named = [g for g in effects if "level" in g]
            entry["highest"] = max(named, key=lambda g: g["mean"])["level"] if named else None
            entry["lowest"] = min(named, key=lambda g: g["mean"])["level"] if named else None
        else:
            numbers = np.asarray(x, dtype=float)
            bands = profile.columns.get(f.name) if profile else None
            edges = bands.edges if bands else Bands.learn(numbers, kind=f.kind).edges
            effects = band_effects(numbers, contribution, edges, entities=groups)
            entry["direction"] = spearman(numbers, contribution)
        entry["effects"] = effects
        inputs.append(entry)
    inputs.sort(key=lambda e: -e["mean_abs"])
    for entry in inputs[top:]:  # the effect tables are kept for the top inputs only
        del entry["effects"]
    return {
        "family": model.family,
        "units": "log-odds",
        "rows": len(encoded),
        "min_rows": MIN_LEVEL_ROWS,
        "min_counts": "rows" if groups is None else "entities",
        "inputs": inputs,
    }


def spearman(x: np.ndarray, contribution: np.ndarray) -> float | None:
    """Spearman's rank correlation of a value with its contribution (missing rows
    dropped); None when fewer than MIN_LEVEL_ROWS rows or either side is constant.

    Example:
        >>> spearman(np.array([1.0, 2, 3] * 4), np.array([-1.0, 0, 1] * 4))
        1.0
    """
    keep = np.isfinite(x) & np.isfinite(contribution)
    if keep.sum() < MIN_LEVEL_ROWS:
        return None
    a = pd.Series(x[keep]).rank().to_numpy()
    b = pd.Series(contribution[keep]).rank().to_numpy()
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    rho = float(np.corrcoef(a, b)[0, 1])
    return rho if math.isfinite(rho) else None


def band_effects(
    x: np.ndarray,
    contribution: np.ndarray,
    edges: tuple[float, ...],
    min_rows: int = MIN_LEVEL_ROWS,
    entities: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """Mean contribution per band of `edges` ((-inf, e1], (e1, e2], …), adjacent bands
    merged until each holds `min_rows` rows, then the missing rows when there are
    `min_rows` of them. `low`/`high` are edges (None: unbounded), never a row's value.
    With `entities` (n,: each row's entity code), `min_rows` counts distinct entities.

    Example:
        >>> band_effects(np.arange(40.0), np.arange(40.0), (9.5, 19.5, 29.5))[0]
        {'low': None, 'high': 9.5, 'rows': 10, 'mean': 4.5}
    """
    finite = np.isfinite(x)
    cuts = np.asarray(edges, dtype=float)
    band = np.searchsorted(cuts, x[finite], side="left")
    counts = np.bincount(band, minlength=len(cuts) + 1)
    sums = np.bincount(band, weights=contribution[finite], minlength=len(cuts) + 1)
    who = None if entities is None else np.asarray(entities)[finite]

    def size(g: list[int]) -> int:  # rows, or the distinct entities of the merged bands
        if who is None:
            return int(sum(counts[i] for i in g))
        return len(np.unique(who[np.isin(band, g)]))

    groups: list[list[int]] = []  # band indices merged into one group
    for b in range(len(cuts) + 1):
        if groups and size(groups[-1]) < min_rows:
            groups[-1].append(b)
        else:
            groups.append([b])
    if len(groups) > 1 and size(groups[-1]) < min_rows:
        groups[-2].extend(groups.pop())  # a short last group joins the one before
    out = []
    for g in groups:
        rows = int(sum(counts[i] for i in g))
        if size(g) < min_rows:  # the only group, and too small to show
            continue
        low = float(cuts[g[0] - 1]) if g[0] > 0 else None
        high = float(cuts[g[-1]]) if g[-1] < len(cuts) else None
        mean = float(sum(sums[i] for i in g) / rows)
        out.append({"low": low, "high": high, "rows": rows, "mean": mean})
    missing = int((~finite).sum())
    gone = missing if entities is None else len(np.unique(np.asarray(entities)[~finite]))
    if gone >= min_rows:
        out.append({"missing": True, "rows": missing, "mean": float(contribution[~finite].mean())})
    return out


def level_effects(
    x: Any,
    contribution: np.ndarray,
    min_rows: int = MIN_LEVEL_ROWS,
    entities: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """Mean contribution per level, highest first; levels with fewer than `min_rows` rows
    (with `entities`, (n,) entity codes: distinct entities) pooled into one row named for
    them (left out, like missing rows, when still under `min_rows`). Not named OTHER:
    that is the model's own level for values rare at training, which the scorecard's
    table shows with its points; one name for two different pools read as one level with
    two contradictory effects.

    Example:
        >>> level_effects(pd.Categorical(["a"] * 12 + ["b"] * 3), np.r_[np.ones(12), -np.ones(3)])
        [{'level': 'a', 'rows': 12, 'mean': 1.0}]
    """
    text = pd.Series(pd.Categorical(x)).astype("string")
    who = np.arange(len(text)) if entities is None else np.asarray(entities)
    frame = pd.DataFrame({"level": text.fillna(MISSING), "c": contribution, "who": who})
    counts = frame.groupby("level")["who"].nunique()
    unit = "hold-out rows" if entities is None else "hold-out entities"
    rare = counts.index[(counts < min_rows) & (counts.index != MISSING)]
    frame.loc[frame["level"].isin(rare), "level"] = f"(levels under {min_rows} {unit})"
    stats = frame.groupby("level", sort=True).agg(
        size=("c", "size"), mean=("c", "mean"), who=("who", "nunique")
    )
    out = []
    for level, row in stats.sort_values("mean", ascending=False, kind="stable").iterrows():
        if row["who"] < min_rows:
            continue
        rows, mean = int(row["size"]), float(row["mean"])
        if level == MISSING:
            out.append({"missing": True, "rows": rows, "mean": mean})
        else:
            out.append({"level": str(level), "rows": rows, "mean": mean})
    return out
