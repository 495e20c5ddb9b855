"""tuneplate: domain-focused hyperparameter tuning templates for business models.

Example:
    >>> import tuneplate
    >>> result = tuneplate.tune("credit-risk", n_trials=20)  # the embedded German credit data
    >>> result.best_params, result.holdout
    >>> result.report("credit.html")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import SchemaWarning
from tuneplate.engine.results import Results, set_renderer
from tuneplate.engine.tune import Config, run_vertical
from tuneplate.reports import render as _render
from tuneplate.verticals import load_vertical

# `Results.report(path)` renders with this: the face wires the report layer to the
# engine's plain data, so no engine module imports `tuneplate.reports`.
set_renderer(_render)

__all__ = ["Results", "SchemaWarning", "TuneplateError", "load_vertical", "tune"]
__version__ = "0.1.0"


def _names(columns):
    """Column names as a tuple; a lone string stays a string, for plan to refuse in one
    line (tuple("sex") would silently become the columns 's', 'e', 'x')."""
    return columns if isinstance(columns, str) else tuple(columns)


def tune(
    vertical: str,
    data: pd.DataFrame | str | Path | None = None,
    target: str | None = None,
    *,
    positive: Any = None,
    time: str | None = None,
    group: str | None = None,
    protected: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    subgroups: Sequence[str] = (),
    model: str | None = None,
    metric: str | None = None,
    strategy: str | None = None,
    n_trials: int | None = None,
    timeout: float | None = None,
    seed: int = 0,
    jobs: int = 1,
    pruner: str | None = None,
    storage: str = "memory",
    warm_start: str | Path | None = None,
    assumptions: Mapping[str, Any] | None = None,
    user: str | None = None,
    item: str | None = None,
    value: str | None = None,
    min_value: float | None = None,
    items: str | Path | None = None,
    split: str | None = None,
    run_dir: str | Path | None = None,
    progress: bool = False,
) -> Results:
    """Check, split, tune and evaluate a model for one vertical.

    Args:
        vertical: "credit-risk", … (see `tuneplate verticals`).
        data: a DataFrame or a CSV/Parquet path; None uses the embedded example.
        target: the outcome column (required with `data`).
        positive: the target value that is the event; inferred when unambiguous.
        time: a date column for an out-of-time split.
        group: an id column whose rows must stay on one side of every split.
        protected: attributes left out of the features and reported by group.
        exclude: columns the model must not see.
        subgroups: columns the model keeps, reported group by group.
        model: the model family ("lightgbm", "xgboost", "logistic").
        metric: the score to optimise ("roc_auc", "pr_auc", "log_loss", "brier");
            the vertical's default when None.
        strategy: "bayes" (default), "random", "grid", "cmaes", "gradient",
            "bayes+gradient" or "auto" (chooses the model family too; see
            `tuneplate run --help`).
        n_trials, timeout: the budget; the vertical's default when both are None.
        seed: fixes the sampler, the folds and the models.
        jobs: trials run at once (threads); on tables of 50,000 rows or more each fit
            gets the cores divided by `jobs`. Above 1 the trial order depends on
            timing, so the same seed no longer replays exactly.
        pruner: "none", "median", "halving" or "hyperband" (over folds); None (the
            default) prunes with "median" on tables of 100,000 rows or more, else "none".
        storage: "memory", "journal" (a file in `run_dir`) or an Optuna storage URL.
        warm_start: an earlier run folder; its best trials that fit this search
            space are tried first.
        assumptions: business assumptions, e.g. {"loss_given_default": 0.6}.
        user, item, value, min_value, items, split: ranking verticals only: the log's
            user and item columns (`time` is its time column), the positive rule
            (`value >= min_value`), an item attributes table's path, and "time" or
            "last-n" (see `tuneplate run --help`).

    Returns:
        `Results`, with `.model` the refitted best model.

    Example:
        >>> result = tune("credit-risk", "loans.csv", target="default", n_trials=50)
        >>> result.model.predict_proba(new_applicants)[:, 1]
    """
    from tuneplate.engine.data.roles import read_table

    if isinstance(data, str | Path):
        data = read_table(data)
    config = Config(
        target=target,
        positive=None if positive is None else str(positive),
        time=time,
        group=group,
        protected=None if protected is None else _names(protected),
        exclude=_names(exclude),
        subgroups=_names(subgroups),
        model=model,
        metric=metric,
        strategy=strategy,
        n_trials=n_trials,
        timeout=timeout,
        seed=seed,
        jobs=jobs,
        pruner=pruner,
        storage=storage,
        # anything but a mapping is refused by plan, in one line
        assumptions=dict(assumptions) if isinstance(assumptions, Mapping) else assumptions or {},
        user=user,
        item=item,
        value=value,
        min_value=min_value,
        items=None if items is None else str(items),
        split=split,
        warm_start=None if warm_start is None else str(warm_start),
    )
    return run_vertical(load_vertical(vertical), data, config, run_dir=run_dir, progress=progress)
