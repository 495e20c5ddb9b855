"""Diagnosis search spaces: narrow, strongly regularised, for small clinical tables.

Clinical tables are small (hundreds to a few thousand patients, often fewer than
200 events), and calibrated risks matter more than the last point of AUROC, so
the trees are shallow (at most 32 leaves, depth at most 6), leaves hold at least
10 patients and the L2 penalty starts at 1 and may go to 100 (the overfitting controls of
LightGBM's Parameters-Tuning guide and XGBoost's "Notes on Parameter Tuning", narrowed for
small data). No family reweights or resamples the classes: that distorts the risks
(van den Goorbergh et al., JAMIA 2022) and the operating threshold does the
balancing instead.

When a table has fewer than 10 events per candidate parameter, `simpler` narrows a
space further (fewer leaves, bigger leaves, stronger penalties); trees count a
text column as one parameter, a linear model each of its levels. A table of 10,000
development rows or more, with 50 events or more per input column, is not small:
`roomier` gives the trees up to 128 leaves and depth 10, and LightGBM leaves of 5
patients.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from tuneplate.plugin import LIGHTGBM, LOGISTIC, XGBOOST, Param, Roles, Space, get_family
from tuneplate.verticals.diagnosis.checks import (
    MIN_EVENTS_PER_FEATURE,
    candidate_parameters,
    effective_events,
)

LIGHTGBM_SPACE = LIGHTGBM.with_params(
    Param("learning_rate", 0.01, 0.2, log=True, grid=(0.03, 0.1), start=0.05),
    Param("num_leaves", 4, 32, log=True, integer=True, grid=(7, 15), start=7),
    Param("max_depth", 2, 6, integer=True, grid=(3, 5), start=3),
    Param(
        "min_child_samples",
        10,
        100,
        log=True,
        integer=True,
        grid=(15, 40),
        start=20,
        max_share=0.1,
    ),
    Param("colsample_bytree", 0.5, 1.0, grid=(0.6, 0.9), start=0.8),
    Param("subsample", 0.5, 1.0, start=0.8),
    Param("reg_alpha", 1e-8, 1.0, log=True, start=1e-8),
    Param("reg_lambda", 0.1, 100.0, log=True, grid=(1.0, 10.0), start=1.0),
)

XGBOOST_SPACE = XGBOOST.with_params(
    Param("learning_rate", 0.01, 0.2, log=True, grid=(0.03, 0.1), start=0.05),
    Param("max_depth", 2, 6, integer=True, grid=(2, 4), start=3),
    Param("min_child_weight", 1.0, 32.0, log=True, grid=(2.0, 8.0), start=2.0),
    Param("subsample", 0.5, 1.0, start=0.8),
    Param("colsample_bytree", 0.5, 1.0, grid=(0.6, 0.9), start=0.8),
    Param("gamma", 0.0, 2.0, start=0.0),
    Param("reg_alpha", 1e-3, 1.0, log=True, start=1e-3),
    Param("reg_lambda", 0.1, 100.0, log=True, grid=(1.0, 10.0), start=1.0),
)

# L2 logistic regression; C is the inverse penalty, so the range leans to strong penalties.
LOGISTIC_SPACE = LOGISTIC.with_params(
    Param("C", 1e-3, 1e2, log=True, grid=(1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0), start=1.0),
)

SPACES = {"lightgbm": LIGHTGBM_SPACE, "xgboost": XGBOOST_SPACE, "logistic": LOGISTIC_SPACE}


# Known-good starting settings per family, cheapest first, tried before any strategy's
# own proposals (FLAML's low-cost init, flaml/automl/model.py; AutoGluon's defaults,
# autogluon tabular searchspaces.py); settings left out take the space's start,
# so the strong L2 penalty of the clinical spaces stays.
PRIORS = {
    "lightgbm": [
        {"num_leaves": 4},  # FLAML's low-cost init: 4 leaves (early stopping sets the trees)
        # AutoGluon's LightGBM binary defaults (autogluon@18dc1bc searchspaces.py)
        {"learning_rate": 0.05, "num_leaves": 31, "min_child_samples": 20},
    ],
    "xgboost": [
        # AutoGluon's XGBoost learning rate (autogluon@0c26880) at FLAML's limit-depth init 6
        {"learning_rate": 0.03, "max_depth": 6},
    ],
    "logistic": [{"C": 1.0}],  # scikit-learn's default penalty
}

# Measured on the embedded data with benchmarks/diagnosis_families.py (5 seeds, 30 bayes
# trials each): mean hold-out log-loss 0.085 for logistic regression, 0.116 for LightGBM
# and 0.110 for XGBoost (AUROC 0.994 / 0.992 / 0.993), in 2 s against 13 s and 21 s.
DEFAULT_FAMILY = "logistic"

# Upper bounds for tables with fewer than 10 events per candidate feature.
SIMPLER_CAPS = {"num_leaves": 8, "max_depth": 3, "C": 1.0}
SIMPLER_FLOORS = {"min_child_samples": 20, "min_child_weight": 4.0, "reg_lambda": 1.0}

# Trees' bounds for tables of ROOMY_ROWS development rows or more with at least
# ROOMY_EVENTS_PER_FEATURE events per input column, where the narrow spaces' premise
# (a small table, few events) no longer holds: the leaf floors (min_child_samples,
# min_child_weight) and depth cap of the engine's general LightGBM and XGBoost spaces,
# half its 256 leaves, and grid points inside the wider ranges for grid search.
ROOMIER_CAPS = {"num_leaves": 128, "max_depth": 10}
ROOMIER_GRIDS = {
    "num_leaves": (15, 63),
    "max_depth": (4, 8),
    "min_child_samples": (10, 40),
    "min_child_weight": (1.0, 4.0),
}
# XGBoost's min_child_weight floors a leaf's summed hessian p(1 - p), not its rows: at a
# 6% event rate a row adds about 0.05, so a floor of 0.5 asked ten rows or more of a leaf
# where the event is likeliest and more where it is rare. FLAML searches it from 0.001
# (flaml/automl/model.py, XGBoostEstimator.search_space), LightGBM's own hessian floor
# (min_sum_hessian_in_leaf) defaults to 0.001. Measured (benchmarks/unseen_tables.py,
# seeds 0-2, each run alone on a core): covid_testing (5.7% events) log-loss at 30 s
# 0.1472 / 0.1551 / 0.1471 -> 0.1458 / 0.1495 / 0.1461, at 120 s 0.1486 / 0.1438 / 0.1468
# -> 0.1502 / 0.1433 / 0.1441; level at 30 s on the two other roomy tables measured
# (COUNT rwm5yr +0.0006, survival nafld1 +0.0001 mean over three seeds).
ROOMIER_FLOORS = {"min_child_samples": 5, "min_child_weight": 1e-3}

# From both of these the trees get roomier ranges (`roomier`): development rows well
# beyond the few thousand patients the narrow ranges were made for, and five times
# MIN_EVENTS_PER_FEATURE per input column. Wider ranges gained 0.009 log-loss on a 15,000-row
# clinical table at 120 s (0.156 -> 0.147, medians of 3 seeds, benchmarks/unseen_tables.py)
# and were level elsewhere: -0.0003 on a 20,000-row health survey (COUNT rwm5yr), +0.0006
# on 17,549 liver patients (survival nafld1). On tables of 2,400-6,300 development rows
# they gained nothing (flchain) or lost 0.006 (rotterdam), hence the row floor.
ROOMY_ROWS = 10_000
ROOMY_EVENTS_PER_FEATURE = 50

# What `adapt` does, printed beside the ranges it changed (finding "space_adapted").
# Events are the rarer outcome's rows, as in the events-per-parameter rule.
ADAPT_RULE = (
    f"narrower ranges below {MIN_EVENTS_PER_FEATURE} events per candidate parameter (Riley "
    "et al., BMJ 2020); for the trees, wider ranges (more and smaller leaves, deeper trees) "
    f"from {ROOMY_ROWS:,} development rows with {ROOMY_EVENTS_PER_FEATURE} events of the "
    "rarer outcome per input column, since the narrow ranges were made for small tables"
)


def simpler(space: Space) -> Space:
    """The space with its complexity capped and its regularisation floor raised.

    Meant for tables with few events per candidate feature (Riley et al. 2020; van
    Calster et al. 2019: "low sample sizes require simpler modeling strategies").

    Example:
        >>> simpler(SPACES["lightgbm"]).params[1].high  # num_leaves
        8
    """
    return replace(space, params=tuple(_narrow(p) for p in space.params))


def roomier(space: Space) -> Space:
    """The trees' space with more leaves, deeper trees and smaller leaves allowed.

    Example:
        >>> roomier(SPACES["lightgbm"]).params[1].high  # num_leaves
        128
    """
    return replace(space, params=tuple(_widen(p) for p in space.params))


def _widen(param: Param) -> Param:
    high = max(param.high, ROOMIER_CAPS.get(param.name, param.high))
    low = min(param.low, ROOMIER_FLOORS.get(param.name, param.low))
    wider = _bounded(param, low, high)
    grid = tuple(g for g in ROOMIER_GRIDS.get(param.name, ()) if low <= g <= high)
    return replace(wider, grid=grid) if grid else wider


def _narrow(param: Param) -> Param:
    low, high = param.low, param.high
    if param.name in SIMPLER_CAPS:
        high = max(low, min(high, SIMPLER_CAPS[param.name]))
    if param.name in SIMPLER_FLOORS:
        low = min(high, max(low, SIMPLER_FLOORS[param.name]))
    return _bounded(param, low, high)


def _bounded(param: Param, low, high) -> Param:
    if (low, high) == (param.low, param.high):
        return param

    def inside(value):
        return min(max(value, low), high)

    grid = tuple(dict.fromkeys(inside(g) for g in param.grid))
    start = None if param.start is None else inside(param.start)
    return replace(param, low=low, high=high, grid=grid, start=start)


def adapt(family: str, space: Space, table: pd.DataFrame, roles: Roles) -> Space:
    """The space for this table: `simpler` when events per candidate parameter are under
    10, `roomier` for a tree family from 10,000 rows with 50 events per input column.

    A linear family counts one parameter per level of a text column; a tree family
    counts one per column, since it splits a text column as one input (counting
    levels narrowed the trees on a 12,000-row clinical table with a 90-level column
    and cost it 0.08 AUROC against untuned LightGBM). The engine calls it
    (`Vertical.adapt_space`) with the development rows before the sampler is built.

    Example:
        >>> adapt("lightgbm", SPACES["lightgbm"], small_table, roles).params[1].high
        8
    """
    events, _ = effective_events(table, roles)  # patients under --group
    boosted = get_family(family).boosted
    params = candidate_parameters(table, roles, per_level=not boosted)
    if params and events / params < MIN_EVENTS_PER_FEATURE:
        return simpler(space)
    if (
        boosted
        and params
        and len(table) >= ROOMY_ROWS
        and events / params >= ROOMY_EVENTS_PER_FEATURE
    ):
        return roomier(space)
    return space
