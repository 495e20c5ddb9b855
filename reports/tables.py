"""The report's tables: which results the figures come from, which table goes to which
section, and each table's columns and rows as the templates print them.

`shown` picks the recommended model's figures (the tuned model's, or the simple
baseline's when that is recommended); the `*_tables` functions place the vertical's
tables; `best_trials` and `families` build the analyst's tables from the trials.

Example:
    >>> [t.key for t in business_tables(results)]
    ['cutoffs']
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from tuneplate.engine.labels import column_label
from tuneplate.engine.records import is_group_table
from tuneplate.engine.results import Results, Role, Table, TableKey
from tuneplate.engine.search.selection import BASELINE
from tuneplate.reports.figures import column
from tuneplate.reports.formatters import tuning_score

BEST_TRIALS = 5


def shown(results: Results) -> Results:
    """The results whose business figures the report shows: `results` itself, or, when the
    tuned model did not clearly beat the simple baseline and the run evaluated it, `results`
    with the baseline's headline, tables and hold-out metrics (the recommended model's).

    Example:
        >>> shown(results).headline.cards[0].value  # the baseline's profit when recommended
        33833.3
    """
    base = results.baseline
    if not base.recommended or base.headline is None:
        return results
    validation, train = baseline_trial_scores(results)
    return replace(
        results,
        headline=base.headline,
        tables=list(base.tables),
        holdout_metrics=base.metrics,
        holdout=base.holdout,
        holdout_interval=base.holdout_interval,  # None in files saved before it was kept
        validation=validation,
        train=train,
    )


def baseline_trial_scores(results: Results) -> tuple[float, float]:
    """(mean validation-fold score, mean training-fold score) of the baseline's trial: the
    simple model at its default settings, which the search scores first on the same folds
    (`engine.search.selection.BASELINE`). NaN when the run has no such trial.

    Example:
        >>> baseline_trial_scores(results)  # the scorecard of the embedded credit run
        (0.7916, 0.8339)
    """
    trials = results.trials
    if trials is None or "source" not in trials or "value" not in trials:
        return math.nan, math.nan
    rows = trials[(trials["source"] == BASELINE) & (trials["state"] == "COMPLETE")]
    if rows.empty:
        return math.nan, math.nan
    row = rows.iloc[0]
    train = row.get("train", math.nan)
    return float(row["value"]), float(train) if pd.notna(train) else math.nan


def table_columns(table: Table) -> list[tuple[str, str]]:
    """(label, format) per column; a column without a format gets one from its dtype.

    Example:
        >>> table_columns(Table("t", "T", pd.DataFrame({"n": [1], "x": [0.5]})))
        [('n', 'count'), ('x', 'number')]
    """
    out = []
    for label, dtype in table.frame.dtypes.items():
        kind = table.formats.get(str(label))
        if kind is None:
            kind = {"i": "count", "u": "count", "f": "number"}.get(dtype.kind, "text")
        out.append((str(label), kind))
    return out


def table_rows(table: Table) -> list[tuple]:
    """The rows as tuples of cell values, in column order."""
    return list(table.frame.itertuples(index=False, name=None))


def business_tables(results: Results) -> list[Table]:
    """The tables for the business section: every table without a place of its own.

    Example:
        >>> [t.key for t in business_tables(results)]
        ['cutoffs']
    """
    elsewhere = (*RELIABILITY_TABLES, *APPENDIX_TABLES)
    results = shown(results)
    return [t for t in results.tables if t.key not in elsewhere and not is_group_table(t.key)]


def best_trials(results: Results, n: int = BEST_TRIALS) -> Table | None:
    """Train vs validation score of the best `n` completed trials: the overfitting check.

    A large train-minus-validation gap means the setting memorised its training folds.

    Example:
        >>> best_trials(results).frame.columns.tolist()
        ['Trial #', 'Validation', 'Train', 'Train − validation', 'Duration']
    """
    trials = results.trials
    if trials is None or not {"number", "state", "value"} <= set(trials.columns):
        return None
    done = trials[trials["state"].astype("string") == "COMPLETE"].copy()
    done["value"] = pd.to_numeric(done["value"], errors="coerce")
    done = done[done["value"].notna()]
    if done.empty:
        return None
    ascending = results.metric.direction != "maximize"
    top = done.sort_values(["value", "number"], ascending=[ascending, True]).head(n)
    train = pd.to_numeric(top.get("train", pd.Series(math.nan, index=top.index)), errors="coerce")
    duration = pd.to_numeric(
        top.get("duration_s", pd.Series(math.nan, index=top.index)), errors="coerce"
    )
    frame = pd.DataFrame(
        {
            "Trial #": top["number"].astype(int).to_numpy(),  # Optuna's, as everywhere
            "Validation": top["value"].to_numpy(dtype=float),
            "Train": train.to_numpy(dtype=float),
            "Train − validation": (train - top["value"]).to_numpy(dtype=float),
            "Duration": duration.to_numpy(dtype=float),
        }
    )
    formats = {"Trial #": "count", "Validation": "number", "Train": "number"}
    formats |= {"Train − validation": "number", "Duration": "duration"}
    return Table(
        "best_trials",
        f"The {len(frame)} best settings: training vs {tuning_score(results.data).adjective} score",
        frame,
        note=f"{results.metric.label}; a large train − validation gap is a sign of overfitting.",
        formats=formats,
    )


def families(results: Results) -> Table | None:
    """Trials and best cross-validated score per model family, for `auto` runs.

    Example:
        >>> families(results).frame.columns.tolist()
        ['Model family', 'Trials', 'Completed', 'Best score', 'Chosen']
    """
    trials = results.trials
    if trials is None or "family" not in trials or trials["family"].dropna().empty:
        return None
    maximize = results.metric.direction == "maximize"
    rows = []
    for name, group in trials.groupby("family", sort=False):
        done = group[group["state"].astype("string") == "COMPLETE"]
        values = pd.to_numeric(done["value"], errors="coerce").dropna()
        best = (values.max() if maximize else values.min()) if len(values) else math.nan
        chosen = "yes" if name == results.tuned_family else ""  # a blend: its tuned member
        rows.append((str(name), len(group), len(done), float(best), chosen))
    columns = ["Model family", "Trials", "Completed", "Best score", "Chosen"]
    frame = pd.DataFrame(rows, columns=columns)
    return Table(
        "families",
        "Model families tried",
        frame,
        note=f"Best {results.metric.label} ({tuning_score(results.data).adjective}) per "
        "family; the search gave more trials to the families scoring best, after a few "
        "cheap ones each.",
        formats={"Trials": "count", "Completed": "count", "Best score": "number"},
    )


# ---------------------------------------------------------------------- where tables go

# Subgroup tables (fairness, performance by group) have a section of their own; the
# calibration table goes to reliability; long curves behind a chart go to the appendix.
RELIABILITY_TABLES = (TableKey.CALIBRATION,)
APPENDIX_TABLES = (TableKey.DECISION_CURVE,)


def group_tables(results: Results) -> list[Table]:
    """Tables that break performance or decisions down by group, in that order, with each
    column named in words ("Personal status and sex", `column_label`)."""
    return [readable_attributes(t) for t in results.tables if is_group_table(t.key)]


def readable_attributes(table: Table) -> Table:
    """`table` with its attribute column's raw column names written as words."""
    name = column(table, Role.ATTRIBUTE)
    if name is None or name not in table.frame.columns:
        return table
    return replace(table, frame=table.frame.assign(**{name: table.frame[name].map(column_label)}))


def appendix_tables(results: Results) -> list[Table]:
    """Full tables shown in the main body as a chart only."""
    return [t for t in results.tables if t.key in APPENDIX_TABLES]  # behind the charts
