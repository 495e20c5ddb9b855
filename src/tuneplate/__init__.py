"""tuneplate: domain-focused hyperparameter tuning templates for business models.

Example:
    >>> import tuneplate
    >>> result = tuneplate.tune("credit-risk", n_trials=20)  # the embedded German credit data
    >>> result.best_params, result.holdout
    >>> result.report("credit.html")
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import SchemaWarning
from tuneplate.engine.results import Results, set_renderer

if TYPE_CHECKING:
    import pandas as pd

    from tuneplate.engine.tune import Config


def _render(results: Results) -> str:
    # The report layer is imported at the first report, not here: matplotlib and the
    # templates cost seconds that `tuneplate --help` and every refusal would wait for.
    from tuneplate.reports import render

    return render(results)


# `Results.report(path)` renders with this: the face wires the report layer to the
# engine's plain data, so no engine module imports `tuneplate.reports`.
set_renderer(_render)

__all__ = [
    "Config",
    "Results",
    "SchemaWarning",
    "TuneplateError",
    "load_vertical",
    "tune",
    "validate",
]
__version__ = "0.1.0"

# Imported at first use (PEP 562): the search engine and the verticals pull in
# scikit-learn, SciPy and Optuna's storages, seconds the command line need not wait.
_LAZY = {
    "Config": "tuneplate.engine.tune",
    "run_vertical": "tuneplate.engine.tune",
    "load_vertical": "tuneplate.verticals",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'tuneplate' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def _attribute(name: str):
    # Through the module, as when these were imported at the top: a caller (or a test)
    # that sets `tuneplate.run_vertical` is the one `tune` calls.
    return globals()[name] if name in globals() else __getattr__(name)


def _names(columns):
    """Column names as a tuple; a lone string stays a string, for plan to refuse in one
    line (tuple("sex") would silently become the columns 's', 'e', 'x')."""
    return columns if columns is None or isinstance(columns, str) else tuple(columns)


def _text(value):
    # a Path, or a positive value given as a number (1)
    return None if value is None else str(value)


def _kept(value):
    return value


def _assumptions(value):
    # anything but a mapping is refused by plan, in one line
    return dict(value) if isinstance(value, Mapping) else value or {}


def _monotone(value):
    # {"duration": "+1"} reads as {"duration": 1}; what is no direction is refused by plan
    from tuneplate.engine.monotone import normalised

    return normalised(value)


# How a Python value becomes the Config's: the settings not listed are kept as given;
# a value none of these can convert is refused by plan, in one line, naming the setting.
_CONVERT = {
    "positive": _text,
    "protected": _names,
    "exclude": _names,
    "subgroups": _names,
    "items": _text,
    "warm_start": _text,
    "assumptions": _assumptions,
    "monotone": _monotone,
}


def tune(
    vertical: str,
    data: pd.DataFrame | str | Path | None = None,
    target: str | None = None,
    *,
    config: Config | None = None,
    run_dir: str | Path | None = None,
    progress: bool = False,
    **settings: Any,
) -> Results:
    """Check, split, tune and evaluate a model for one vertical.

    Args:
        vertical: "credit-risk", … (see `tuneplate verticals`).
        data: a DataFrame or a CSV/Parquet path; None uses the embedded example.
        target: the outcome column (required with `data`).
        config: a `Config` to start from (`tuneplate.Config.flat(seed=1, n_trials=50)`,
            or grouped: `Config(search=Search(seed=1))`); `settings` override its fields.
        run_dir: where a "journal" storage keeps its file.
        progress: show a progress bar.
        **settings: any of these, by name (an unknown name is refused, naming the
            closest); None or left out means the default.

            The data's columns (`Columns`):
                positive: the target value that is the event; inferred when unambiguous.
                time: a date column for an out-of-time split.
                group: an id column whose rows must stay on one side of every split.
                protected: attributes left out of the features and reported by group.
                exclude: columns the model must not see.
                subgroups: columns the model keeps, reported group by group.
                user, item, value, min_value, items, split: ranking verticals only: the
                    log's user and item columns (`time` is its time column), the positive
                    rule (`value >= min_value`), an item attributes table's path, and
                    "time" or "last-n" (see `tuneplate run --help`).
            The search (`Search`):
                model: the model family ("lightgbm", "xgboost", "logistic", "scorecard").
                metric: the score to optimise ("roc_auc", "pr_auc", "log_loss",
                    "brier"); the vertical's default when None.
                strategy: "bayes" (default), "random", "grid", "cmaes", "gradient",
                    "bayes+gradient" or "auto" (chooses the model family too; see
                    `tuneplate run --help`).
                seed: fixes the sampler, the folds and the models (default 0).
                pruner: "none", "median", "halving" or "hyperband" (over folds); None
                    (the default) prunes with "median" on tables of 5,000 rows or
                    more (`engine.tasks.binary.sizing.PRUNE_ROWS`), else "none".
                warm_start: an earlier run folder; its best trials that fit this search
                    space are tried first.
                jobs: trials run at once (threads, default 1); on tables of 50,000 rows
                    or more each fit gets the cores divided by `jobs`. Above 1 the trial
                    order depends on timing, so the same seed no longer replays exactly.
                calibrate: "none" (default), "platt" or "isotonic" (binary verticals):
                    recalibrate the chosen model's probabilities on its out-of-fold
                    development predictions; applied inside the saved model and export.
                monotone: {column: +1 or -1} (binary verticals, numeric inputs): the
                    event's probability may only rise (+1) or fall (-1) with that column.
                    Exact for "lightgbm" and "xgboost"; "logistic" refuses a fitted
                    coefficient of the wrong sign (such trials fail). Categorical
                    columns cannot be constrained. "auto" (verticals that opt in:
                    credit-risk; {"auto": True, "col": -1} to give some yourself)
                    proposes directions from the development rows (the sign of
                    Spearman's rank correlation with the outcome, where clear); they
                    are listed in results.data["monotone"] and the report to confirm.
                blend: True (default; binary verticals): after the search, keep the
                    baseline, the best trial or the blend of the two (the mean of their
                    log-odds), whichever beats the baseline by more than one standard
                    error on 2 × K fresh folds; False: the one-SE rule on the search's
                    own folds, never a blend.
            The budget (`Budget`):
                n_trials, timeout: trials and seconds; the vertical's default when both
                    are None.
            The study's storage (`Storage`):
                storage: "memory" (default), "journal" (a file in `run_dir`) or an
                    Optuna storage URL.
                study: the study's name in the storage (default VERTICAL-FAMILY).
            A replay (`Replay`):
                expect_fingerprint: refuse data whose fingerprint differs …
                allow_new_data: … unless True (the findings then say so).
            The business (`Business`):
                purpose: what the model is for, in your words (shown in the report).
                assumptions: business assumptions, e.g. {"loss_given_default": 0.6}.

    Returns:
        `Results`, with `.model` the refitted best model.

    Raises:
        TuneplateError: one line naming the problem and the fix: an unknown setting
            ("unknown setting 'n_trial'; did you mean n_trials=?"), a setting of the
            wrong type ("the seed must be …, got -1; fix seed="), bad data.

    Example:
        >>> result = tune("credit-risk", "loans.csv", target="default", n_trials=50)
        >>> result.model.predict_proba(new_applicants)[:, 1]
    """
    from tuneplate.engine.data.roles import read_table

    Config = _attribute("Config")
    if config is not None and not isinstance(config, Config):
        raise TuneplateError(
            f"config must be a tuneplate Config, got {type(config).__name__}; "
            "give Config.flat(...) or the settings as keywords"
        )
    if target is not None:
        settings["target"] = target
    config = (config or Config()).replace(
        **{name: _CONVERT.get(name, _kept)(value) for name, value in settings.items()}
    )
    if isinstance(data, str | Path):
        data = read_table(data)
    vertical = _attribute("load_vertical")(vertical)
    return _attribute("run_vertical")(vertical, data, config, run_dir=run_dir, progress=progress)


def validate(
    run_dir: str | Path,
    data: pd.DataFrame | str | Path,
    target: str | None = None,
    *,
    time: str | None = None,
    out: str | Path | None = None,
    force: bool = False,
    seed: int = 0,
    positive: str | None = None,
    model: str = "recommended",
    group: str | None = None,
):
    """Validate a run's frozen model on new rows: does it still perform as developed?

    Scores `data` with the model saved in `run_dir` (its schema enforced, nothing in
    the folder written) and compares with the run's development hold-out: with outcomes,
    the score and AUROC with intervals, calibration-in-the-large and slope, and the
    vertical's business tables at the run's operating point; always, the PSI of the
    scores and the CSI of each input, and the per-column counts of what did not fit.

    Args:
        run_dir: a binary run folder written by `tuneplate run` or `Results.save`.
        data: a DataFrame or a CSV/Parquet path with the model's input columns.
        target: the outcome column; default the run's, when `data` has it.
        time: a date column: the figures per month or quarter.
        out: a folder for validation.json and validation.html (None: write nothing).
        force: replace an earlier validation in `out`.
        seed: seeds the bootstrap interval.
        positive: the target value that is the run's event in these rows, when they
            write it otherwise ("1" for the run's "bad"); case differences need none.
        model: "recommended" (default: the model the run's report recommends, the simple
            baseline's when the tuned one did not beat it) or "tuned" (the one
            `tuneplate export` ships).
        group: the column naming the entity rows repeat (a patient, a customer); default
            the run's `--group`, when `data` has it. The AUROC, calibration and score
            intervals then count entities.

    Returns:
        `engine.validate.Validation`: `.verdict` ("still performs as developed",
        "drifting: watch", "recalibrate", "redevelop", "fix the extract first", or
        "stable; performance not judged" without outcomes, "not judged: too few rows"
        without outcomes on under 100 rows), `.reasons`, `.drift`, …

    Raises:
        TuneplateError: one line naming the problem and the fix.

    Example:
        >>> v = tuneplate.validate("tuneplate-runs/credit-risk", "q1.csv", out="q1-check")
        >>> v.verdict, v.reasons
    """
    from tuneplate.validation import validate_run

    return validate_run(
        run_dir, data, target, time, out, force, seed, _text(positive), model, group
    )
