"""How the binary task sizes a search to its table: folds, pruning and threads.

Big tables change three defaults, each from its own row count: fewer folds (each
fold already validates on thousands of rows), the median pruner (multi-fidelity over
folds), and from LARGE_TABLE rows each fit using its share of the cores.

Example:
    >>> n_folds_for(credit, 12_000), pruner(config, 12_000, 3)[0]
    (3, 'median')
"""

from __future__ import annotations

import optuna

from tuneplate.engine.search import study as studies

LARGE_TABLE = 50_000  # rows from which a fit uses its share of the cores (else one thread)
# Rows from which the pruner defaults to "median": a trial whose running mean after
# two folds is worse than the median trial's stops there. On a 12,000-row table a
# 5-fold trial takes seconds, so a 30-second budget held about a dozen of them.
PRUNE_ROWS = 5_000
# Rows from which cross-validation uses BIG_TABLE_FOLDS folds: each then validates on
# 1,300 rows or more, and a trial costs about half as much (3 fits on two thirds of
# the rows against 5 on four fifths), so a short budget tries twice the settings. From
# 5,000 rather than 10,000 rows: on the unseen-tables suite's 5,000-7,900-row tables
# (benchmarks/unseen_tables.py, seeds 0-2) completed trials per 30 s rose 1.1-1.7x, and
# the 30 s hold-out held or improved (Caravan AUC 0.757 -> 0.766); at 120 s it moved
# within the seed spread (Caravan +0.006, mlc_churn -0.003, flchain -0.001 log-loss).
FEWER_FOLDS_ROWS = 5_000
BIG_TABLE_FOLDS = 3


def default_pruner(config, n_rows: int) -> str:
    """The chosen pruner, else "median" for tables of PRUNE_ROWS rows or more."""
    if config.search.pruner is not None:
        return config.search.pruner
    return "median" if n_rows >= PRUNE_ROWS else "none"


def pruner(config, n_rows: int, n_folds: int) -> tuple[str, optuna.pruners.BasePruner]:
    """The pruner's name and the pruner itself for a table of `n_rows` rows.

    The default median pruner judges a trial after its second fold from the sixth
    trial on (`studies.make_pruner`), and from the third at LARGE_TABLE rows, where
    each trial is expensive.
    """
    name = default_pruner(config, n_rows)
    if config.search.pruner is None and name == "median" and n_rows >= LARGE_TABLE:
        return name, optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    return name, studies.make_pruner(name, n_folds)


def n_folds_for(vertical, n_rows: int) -> int:
    """The vertical's folds, or BIG_TABLE_FOLDS for tables of FEWER_FOLDS_ROWS rows or more."""
    if n_rows >= FEWER_FOLDS_ROWS:
        return min(vertical.n_folds, BIG_TABLE_FOLDS)
    return vertical.n_folds
