"""`tuneplate export`: the exported project runs without tuneplate and redoes the run."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tuneplate.engine
from tuneplate.cli import main
from tuneplate.engine.models import Model
from tuneplate.engine.schema import SchemaWarning

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
    assert scored.stderr == ""  # the training file fits its own schema
    # the exported score.py and the model's predict_proba give the same scores
    expected = Model.load(run).predict_proba(pd.read_csv(german_csv))[:, 1]
    exported = pd.read_csv(project / "scores.csv")["probability"].to_numpy()
    np.testing.assert_allclose(exported, expected, rtol=0, atol=1e-12)
    assert (project / "contract" / "schema.py").read_bytes() == (
        Path(tuneplate.engine.__file__).parent / "schema.py"
    ).read_bytes()

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


def _odd_table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Names the libraries refuse, numbers as text with 'n/a', a category, a target."""
    rng = np.random.default_rng(seed)
    amount = rng.integers(100, 5000, n).astype(str).astype(object)
    amount[:4] = "n/a"
    kind = rng.choice(["a", "b", "c"], n)
    logit = (kind == "a") * 1.0 + rng.normal(0, 1, n)
    return pd.DataFrame(
        {
            "amount[EUR]": amount,
            "kind,x": kind,
            "x<5": rng.normal(0, 1, n).round(3),
            "status": np.where(logit > 0.8, "bad", "good"),
        }
    )


@pytest.mark.slow
def test_exported_score_reports_rows_that_do_not_fit_and_strict_refuses(tmp_path):
    data, new = tmp_path / "train.csv", tmp_path / "new.csv"
    _odd_table().to_csv(data, index=False)
    run, project = tmp_path / "run", tmp_path / "project"
    args = ["run", "credit-risk", "--data", str(data), "--target", "status"]
    assert main([*args, "--model", "lightgbm", "--trials", "2", "--out", str(run)]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0

    trained = _run_script(project, "train.py", "--data", str(data), "--out", "refit")
    assert trained.returncode == 0, trained.stderr  # names the libraries refuse: refit too
    holdout = json.loads((run / "results.json").read_text())["best"]["holdout"]
    printed = float(trained.stdout.split("hold-out ROC AUC: ")[1].split()[0])
    assert printed == pytest.approx(holdout, abs=1e-6)

    rows = _odd_table(100, seed=1)
    rows.loc[:9, "kind,x"] = "zzz"  # a level the model never saw, in 10% of the rows
    rows.loc[:4, "amount[EUR]"] = "lots"  # text that is not a number
    rows.to_csv(new, index=False)
    scored = _run_script(project, "score.py", "--data", str(new), "--out", "s.csv")
    assert scored.returncode == 0, scored.stderr
    lines = scored.stderr.splitlines()
    assert len(lines) == 2
    assert any(line.startswith("kind,x: 10 of 100 rows") for line in lines)
    assert any(line.startswith("amount[EUR]: 5 of 100 rows") for line in lines)
    with pytest.warns(SchemaWarning):
        expected = Model.load(run).predict_proba(pd.read_csv(new))[:, 1]
    exported = pd.read_csv(project / "s.csv")["probability"].to_numpy()
    np.testing.assert_allclose(exported, expected, rtol=0, atol=1e-12)

    strict = _run_script(project, "score.py", "--data", str(new), "--out", "t.csv", "--strict")
    assert strict.returncode == 2
    assert len(strict.stderr.strip().splitlines()) == 1 and "kind,x" in strict.stderr
    assert not (project / "t.csv").exists()

    missing = tmp_path / "missing.csv"
    rows.drop(columns="x<5").to_csv(missing, index=False)
    refused = _run_script(project, "score.py", "--data", str(missing))
    assert refused.returncode == 2 and "'x<5'" in refused.stderr
    assert "Traceback" not in refused.stderr
