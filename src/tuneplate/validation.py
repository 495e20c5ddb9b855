"""`tuneplate.validate` and `tuneplate validate`: a frozen run on new rows.

Loads the run folder (its results and model, read only: nothing in it is written), reads
the new rows under the training file's reading rules, hands them to the engine
(`engine.validate`) and writes validation.json and validation.html into `out`.

Example:
    >>> v = tuneplate.validate("tuneplate-runs/credit-risk", "applicants_2025q1.csv",
    ...                        out="validation-2025q1")
    >>> v.verdict
    'still performs as developed'
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.reader import ReadingRules, read_table_with_rules
from tuneplate.engine.data.roles import check_columns
from tuneplate.engine.results import Results
from tuneplate.engine.runs.run_folder import refuse_if_in_use
from tuneplate.engine.runs.writable import require_creatable
from tuneplate.engine.validate import VALIDATION_FILE, Validation, validate
from tuneplate.verticals import load_vertical

VALIDATION_REPORT = "validation.html"


def validate_run(
    run_dir: str | Path,
    data: pd.DataFrame | str | Path,
    target: str | None = None,
    time: str | None = None,
    out: str | Path | None = None,
    force: bool = False,
    seed: int = 0,
    positive: str | None = None,
    model: str = "recommended",
    group: str | None = None,
) -> Validation:
    """Validate the model of `run_dir` on `data`; write the report when `out` is given.

    Args:
        run_dir: a binary run folder written by `tuneplate run` (or `Results.save`).
        data: the new rows: a DataFrame, or a CSV/Parquet path (read with the training
            file's decimal mark and thousands grouping, as the model's schema records).
        target: the outcome column (default: the run's, when the rows have it).
        time: a date column for the figures per month or quarter.
        out: a folder for validation.json and validation.html; None writes nothing.
        force: replace an earlier validation in `out`.
        seed: seeds the bootstrap interval of the run's score.
        positive: the target value that is the run's event in these rows, when they
            write it otherwise (e.g. "1" for the run's "bad").
        model: "recommended" (the report's recommended model) or "tuned" (the model
            `tuneplate export` ships).
        group: the column of the entity rows repeat (default: the run's `--group`, when
            the rows have it): the AUROC, calibration and score intervals count entities.

    Raises:
        TuneplateError: one line naming the problem and the fix (no run folder, a ranking
            run, an `out` holding an earlier validation without `force`, bad rows).
    """
    run_dir = Path(run_dir)
    refuse_if_in_use(run_dir)  # a run still writing there: its model may be half-saved
    results = Results.load(run_dir)
    vertical = load_vertical(results.vertical)
    if vertical.task == "ranking":  # before --out or the rows are touched
        raise TuneplateError(
            f"validating a ranking run ({str(run_dir)!r}) on a newer log is not built yet; "
            "run 'tuneplate run' again on the newer log and compare the reports, or "
            "'tuneplate export' the run and score the newer log with its score.py"
        )
    if out is not None:
        _check_out(Path(out), run_dir, force)
    data = read_rows(data, results, "the table of new rows")
    validation = validate(
        results, vertical, data, target, time, str(run_dir), seed, positive, model, group
    )
    if out is not None:
        from tuneplate.reports.validation import render_validation

        page = render_validation(validation)  # first: a failure leaves `out` as it was
        out = Path(out)
        validation.save(out)
        (out / VALIDATION_REPORT).write_text(page, encoding="utf-8")
    return validation


def read_rows(data: pd.DataFrame | str | Path, results: Results, what: str) -> pd.DataFrame:
    """`data` as a DataFrame: a path read under the training file's rules (`_read`), a
    DataFrame as it is; either checked for rows, columns and repeated names (`what`
    names it in the error).

    Raises:
        TuneplateError: neither a DataFrame nor a path; an unreadable or empty table.
    """
    if isinstance(data, str | Path):
        data = _read(Path(data), results)
    elif not isinstance(data, pd.DataFrame):
        raise TuneplateError(
            f"data must be a pandas DataFrame or a CSV/Parquet path, got {type(data).__name__}"
        )
    check_columns(data, what)
    return data


def _read(path: Path, results: Results) -> pd.DataFrame:
    rules = results.model.schema.rules if results.model is not None else {}
    stored = ReadingRules.from_dict(rules) if rules else None
    if stored is not None and (stored.format == "parquet") != (".parquet" in path.suffixes):
        stored = None  # another kind of file than the training one: detect its rules
    return read_table_with_rules(path, stored)[0]


def _check_out(out: Path, run_dir: Path, force: bool) -> None:
    require_creatable(out, "--out")
    if out.exists() and not out.is_dir():
        raise TuneplateError(f"{str(out)!r} is a file; give a folder name with --out")
    if out.resolve().is_relative_to(run_dir.resolve()):
        raise TuneplateError(
            f"--out {str(out)!r} is inside the run folder; give a folder outside it, so the "
            "run folder stays as 'tuneplate run' wrote it"
        )
    if (out / VALIDATION_FILE).exists() and not force:
        raise TuneplateError(
            f"{str(out)!r} already holds a validation; choose another --out, or replace it "
            "with --force"
        )
