"""`tuneplate validate RUN --data NEW.csv`: exit codes, one-line errors, files left alone.

Bad input ends with exit code 2 and ONE line on stderr starting "tuneplate: error:",
never a traceback, and nothing the user had (the run folder, an earlier validation) is
changed. One small credit-risk run (five trials) and one tiny ranking run are shared.

The command always writes validation.json and validation.html, so the tests that end in
exit code 0 need the HTML report (`tuneplate.reports.validation`); the refusals do not.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from cli_checks import digest, refused

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.validate import DEVELOPMENT, REDEVELOP, STILL, VALIDATION_FILE, WATCH
from tuneplate.verticals.recommendation import data as shop

TARGET = "creditability"


@pytest.fixture(scope="module")
def credit(tmp_path_factory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("cli-validate")
    folder = root / "credit-run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuneplate.tune("credit-risk", n_trials=5).save(folder)
    table = tuneplate.load_vertical("credit-risk").example().table
    positions = json.loads((folder / "split.json").read_text())["holdout"]
    holdout = table.iloc[positions].reset_index(drop=True)
    rows = root / "holdout.csv"
    holdout.to_csv(rows, index=False)
    return SimpleNamespace(root=root, folder=folder, holdout=holdout, rows=rows)


@pytest.fixture(scope="module")
def ranking_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ranking-run")
    events = shop.generate(seed=3, customers=100, products=40)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuneplate.tune(
            "recommendation",
            data=events,
            user="customer_id",
            item="product_id",
            n_trials=1,
            strategy="random",
        ).save(folder)
    return folder


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default --out (tuneplate-runs/…) lands here


def run(capsys, *args) -> tuple[int, str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["validate", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def write(folder: Path, name: str, table: pd.DataFrame) -> Path:
    path = folder / name
    table.to_csv(path, index=False)
    return path


# --- refusals (no report needed) -----------------------------------------------------


def test_a_missing_model_column_is_named(credit, capsys, tmp_path):
    rows = write(tmp_path, "rows.csv", credit.holdout.drop(columns=["credit_amount"]))
    refused(run(capsys, credit.folder, "--data", rows), "'credit_amount'")
    assert not (tmp_path / "tuneplate-runs").exists()  # refused before writing anything


def test_a_target_with_other_values_is_refused(credit, capsys, tmp_path):
    rows = credit.holdout.assign(**{TARGET: np.resize(["yes", "no"], len(credit.holdout))})
    path = write(tmp_path, "rows.csv", rows)
    refused(run(capsys, credit.folder, "--data", path), repr(TARGET), "'bad'")


def test_a_target_not_in_the_rows_is_refused(credit, capsys):
    refused(
        run(capsys, credit.folder, "--data", credit.rows, "--target", "defaulted"),
        "'defaulted'",
        "--target",
    )


def test_a_time_column_not_in_the_rows_is_refused(credit, capsys):
    refused(run(capsys, credit.folder, "--data", credit.rows, "--time", "month"), "'month'")


def test_a_ranking_run_is_refused(credit, ranking_run, capsys, tmp_path):
    """A ranking run was said to "hold no saved classifier", as if it were broken:
    validating a ranker is not built yet, and the line says what to do instead."""
    before = digest(ranking_run)
    out = tmp_path / "validation"
    line = refused(
        run(capsys, ranking_run, "--data", credit.rows, "--out", out),
        "validating a ranking run",
        "not built yet",
        "'tuneplate run' again on the newer log",
        "score.py",
    )
    assert "classifier" not in line and not out.exists()
    assert digest(ranking_run) == before


def test_a_folder_without_results_is_refused(credit, capsys, tmp_path):
    empty = tmp_path / "not-a-run"
    empty.mkdir()
    refused(run(capsys, empty, "--data", credit.rows), "results.json")


def test_missing_data_file_is_refused(credit, capsys, tmp_path):
    refused(run(capsys, credit.folder, "--data", tmp_path / "nope.csv"), "nope.csv")


def test_an_earlier_validation_is_not_overwritten_without_force(credit, capsys, tmp_path):
    out = tmp_path / "q1-check"
    out.mkdir()
    (out / VALIDATION_FILE).write_text('{"verdict": "earlier"}\n')
    (out / "validation.html").write_text("<p>earlier</p>\n")
    before = digest(out)
    refused(run(capsys, credit.folder, "--data", credit.rows, "--out", out), "--force")
    assert digest(out) == before


def test_out_equal_to_or_inside_the_run_folder_is_refused(credit, capsys):
    before = digest(credit.folder)
    inside = credit.folder / "checks" / "march"
    for spelled in (credit.folder, f"{credit.folder}/../{credit.folder.name}", inside):
        refused(
            run(capsys, credit.folder, "--data", credit.rows, "--out", spelled),
            "inside the run folder",
        )
    assert not (credit.folder / "checks").exists()
    assert digest(credit.folder) == before


def test_out_that_is_a_file_is_refused(credit, capsys, tmp_path):
    taken = tmp_path / "report.txt"
    taken.write_text("mine\n")
    refused(run(capsys, credit.folder, "--data", credit.rows, "--out", taken))
    assert taken.read_text() == "mine\n"


# --- a validation written (needs the HTML report) ------------------------------------


def test_the_holdout_itself_still_performs(credit, capsys, tmp_path):
    before = digest(credit.folder)
    out = tmp_path / "check"
    code, stdout, err = run(capsys, credit.folder, "--data", credit.rows, "--out", out)
    assert code == 0, err
    assert stdout.splitlines()[0] == f"verdict: {STILL}"
    assert str(out / "validation.html") in stdout
    assert json.loads((out / VALIDATION_FILE).read_text())["verdict"] == STILL
    assert (out / "validation.html").read_text().lstrip().lower().startswith("<!doctype html")
    assert digest(credit.folder) == before  # the model and every run file: same bytes


def test_a_shifted_input_is_named_on_stdout(credit, capsys, tmp_path):
    rows = credit.holdout.drop(columns=[TARGET])
    rows["credit_amount"] = rows["credit_amount"] * 3
    path = write(tmp_path, "rows.csv", rows)
    code, stdout, err = run(capsys, credit.folder, "--data", path, "--out", tmp_path / "out")
    assert code == 0, err
    assert stdout.splitlines()[0] == f"verdict: {WATCH}"
    assert "'credit_amount'" in stdout


def test_force_replaces_an_earlier_validation(credit, capsys, tmp_path):
    out = tmp_path / "q1-check"
    out.mkdir()
    (out / VALIDATION_FILE).write_text('{"verdict": "earlier"}\n')
    rows = credit.holdout.copy()  # outcomes reversed: the model ranks backwards
    rows[TARGET] = np.where(credit.holdout[TARGET] == "bad", "good", "bad")
    path = write(tmp_path, "rows.csv", rows)
    code, stdout, err = run(capsys, credit.folder, "--data", path, "--out", out, "--force")
    assert code == 0, err
    assert json.loads((out / VALIDATION_FILE).read_text())["verdict"] == REDEVELOP
    assert stdout.splitlines()[0] == f"verdict: {REDEVELOP}"


def test_the_default_out_is_a_new_folder_under_tuneplate_runs(credit, capsys, tmp_path):
    code, stdout, err = run(capsys, credit.folder, "--data", credit.rows)
    assert code == 0, err
    (made,) = (tmp_path / "tuneplate-runs").iterdir()
    assert made.name.startswith(f"validate-{credit.folder.name}-")
    assert (made / VALIDATION_FILE).is_file() and (made / "validation.html").is_file()


def test_time_gives_periods_by_month(credit, capsys, tmp_path):
    rows = credit.holdout.copy()
    rows["applied"] = pd.date_range("2024-01-01", "2024-06-28", periods=len(rows)).strftime(
        "%Y-%m-%d"
    )
    path = write(tmp_path, "rows.csv", rows)
    out = tmp_path / "out"
    code, _, err = run(capsys, credit.folder, "--data", path, "--time", "applied", "--out", out)
    assert code == 0, err
    periods = json.loads((out / VALIDATION_FILE).read_text())["periods"]
    assert [p["label"] for p in periods] == [DEVELOPMENT] + [f"2024-0{m}" for m in range(1, 7)]
