"""`tuneplate export`: the exported project runs without tuneplate and redoes the run."""

import json
import subprocess
import sys

import pytest

from tuneplate.cli import main

# Runs a script with every `tuneplate` import failing, as on a machine without it.
WITHOUT_TUNEPLATE = (
    "import runpy, sys; sys.modules['tuneplate'] = None; sys.argv = sys.argv[1:]; "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def _run_script(folder, *args):
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_TUNEPLATE, *args],
        cwd=folder,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def german_csv(tmp_path_factory, german_credit):
    path = tmp_path_factory.mktemp("data") / "german.csv"
    german_credit.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("family", ["lightgbm", "xgboost", "logistic"])
def test_exported_train_reproduces_the_holdout_without_tuneplate(family, german_csv, tmp_path):
    run, project = tmp_path / "run", tmp_path / "project"
    args = ["run", "credit-risk", "--data", str(german_csv), "--target", "creditability"]
    assert main([*args, "--model", family, "--trials", "2", "--out", str(run)]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0

    trained = _run_script(project, "train.py", "--data", str(german_csv), "--out", "refit")
    assert trained.returncode == 0, trained.stderr
    holdout = json.loads((run / "results.json").read_text())["best"]["holdout"]
    printed = float(trained.stdout.split("hold-out ROC AUC: ")[1].split()[0])
    assert printed == pytest.approx(holdout, abs=1e-6)

    scored = _run_script(project, "score.py", "--data", str(german_csv), "--out", "scores.csv")
    assert scored.returncode == 0, scored.stderr
    lines = (project / "scores.csv").read_text().splitlines()
    assert lines[0] == "probability" and len(lines) == 1001

    smoke = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert smoke.returncode == 0, smoke.stdout


def test_export_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--to", str(tmp_path / "x")]) == 2
    assert "results.json" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_export_never_writes_into_a_non_empty_folder(tmp_path, capsys):
    run, taken = tmp_path / "run", tmp_path / "taken"
    args = ["run", "credit-risk", "--model", "logistic", "--trials", "2", "--out", str(run)]
    assert main(args) == 0
    taken.mkdir()
    (taken / "mine.txt").write_text("keep")
    capsys.readouterr()
    assert main(["export", str(run), "--to", str(taken)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in taken.iterdir()] == ["mine.txt"]
