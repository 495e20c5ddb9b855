"""`tuneplate export`: the exported project runs without tuneplate and redoes the run."""

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_checks import (
    assert_smoke_tests_pass,
    digest,
    refit_gap,
    refused_in_one_line,
    without_tuneplate,
)

import tuneplate.engine
from tuneplate.cli import main
from tuneplate.engine.contract.schema import SchemaWarning
from tuneplate.engine.families.models import Model
from tuneplate.engine.results import Results


@pytest.fixture(scope="module")
def german_csv(tmp_path_factory, german_credit):
    path = tmp_path_factory.mktemp("data") / "german.csv"
    german_credit.to_csv(path, index=False)
    return path


@pytest.mark.slow  # end to end: run, export, retrain in a subprocess
@pytest.mark.parametrize("family", ["lightgbm", "xgboost", "logistic", "scorecard"])
def test_exported_train_reproduces_the_holdout_without_tuneplate(family, german_csv, tmp_path):
    run, project = tmp_path / "run", tmp_path / "project"
    args = ["run", "credit-risk", "--data", str(german_csv), "--target", "creditability"]
    assert main([*args, "--model", family, "--trials", "2", "--out", str(run)]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0

    trained = without_tuneplate(project, "train.py", "--data", str(german_csv), "--out", "refit")
    assert trained.returncode == 0, trained.stderr
    holdout = json.loads((run / "results.json").read_text())["best"]["holdout"]
    printed = float(trained.stdout.split("hold-out ROC AUC: ")[1].split()[0])
    assert printed == pytest.approx(holdout, abs=1e-6)

    scored = without_tuneplate(project, "score.py", "--data", german_csv, "--out", "scores.csv")
    assert scored.returncode == 0, scored.stderr
    lines = (project / "scores.csv").read_text().splitlines()
    assert lines[0] == "probability" and len(lines) == 1001
    assert scored.stderr == ""  # the training file fits its own schema
    # the exported score.py and the model's predict_proba give the same scores
    expected = Model.load(run).predict_proba(pd.read_csv(german_csv))[:, 1]
    exported = pd.read_csv(project / "scores.csv")["probability"].to_numpy()
    np.testing.assert_allclose(exported, expected, rtol=0, atol=1e-12)
    assert (project / "contract" / "schema.py").read_bytes() == (
        Path(tuneplate.engine.__file__).parent / "contract" / "schema.py"
    ).read_bytes()

    assert_smoke_tests_pass(project)


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

    trained = without_tuneplate(project, "train.py", "--data", str(data), "--out", "refit")
    assert trained.returncode == 0, trained.stderr  # names the libraries refuse: refit too
    holdout = json.loads((run / "results.json").read_text())["best"]["holdout"]
    printed = float(trained.stdout.split("hold-out ROC AUC: ")[1].split()[0])
    assert printed == pytest.approx(holdout, abs=1e-6)

    rows = _odd_table(100, seed=1)
    rows.loc[:9, "kind,x"] = "zzz"  # a level the model never saw, in 10% of the rows
    rows.loc[:4, "amount[EUR]"] = "lots"  # text that is not a number
    rows.to_csv(new, index=False)
    scored = without_tuneplate(project, "score.py", "--data", str(new), "--out", "s.csv")
    assert scored.returncode == 0, scored.stderr
    lines = scored.stderr.splitlines()
    assert len(lines) == 2
    assert any(line.startswith("kind,x: 10 of 100 rows") for line in lines)
    assert any(line.startswith("amount[EUR]: 5 of 100 rows") for line in lines)
    with pytest.warns(SchemaWarning):
        expected = Model.load(run).predict_proba(pd.read_csv(new))[:, 1]
    exported = pd.read_csv(project / "s.csv")["probability"].to_numpy()
    np.testing.assert_allclose(exported, expected, rtol=0, atol=1e-12)

    strict = without_tuneplate(project, "score.py", "--data", new, "--out", "t.csv", "--strict")
    assert strict.returncode == 2
    assert len(strict.stderr.strip().splitlines()) == 1 and "kind,x" in strict.stderr
    assert not (project / "t.csv").exists()

    missing = tmp_path / "missing.csv"
    rows.drop(columns="x<5").to_csv(missing, index=False)
    refused = without_tuneplate(project, "score.py", "--data", str(missing))
    assert refused.returncode == 2 and "'x<5'" in refused.stderr
    assert "Traceback" not in refused.stderr


# -- score.py: the input and earlier outputs are kept; ids travel with the scores ---------


def _loans(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income, debt = rng.lognormal(10, 0.4, n).round(0), rng.uniform(0, 1, n).round(3)
    bad = rng.random(n) < 1 / (1 + np.exp(-(2 * debt - 1.2)))
    return pd.DataFrame(
        {"income": income, "debt_ratio": debt, "status": np.where(bad, "bad", "good")}
    )


@pytest.fixture(scope="module")
def scoring_project(tmp_path_factory):
    """An exported logistic run on a small loan table, and rows to score with an id."""
    root = tmp_path_factory.mktemp("scoring")
    data = root / "train.csv"
    _loans(300, 0).to_csv(data, index=False)
    run, project = root / "run", root / "project"
    args = ["run", "credit-risk", "--data", str(data), "--target", "status", "--out", str(run)]
    assert main([*args, "--model", "logistic", "--trials", "2"]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    rows = _loans(40, 5).drop(columns="status")
    rows.insert(0, "customer_id", [f"C{i:05d}" for i in range(40)])
    rows.insert(1, "branch", ["north", "south"] * 20)
    return project, run, rows


def _score(project, *args):
    done = without_tuneplate(project, "score.py", *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_train_knows_the_runs_data_by_its_fingerprint_and_keeps_the_shipped_model(
    scoring_project, tmp_path
):
    """Another table of the run's length was refitted on the run's development positions
    and given a "hold-out" score, and the refit replaced model/ (whose threshold and
    profile describe the exported model) without a word."""
    project, run, _ = scoring_project
    shipped = digest(project / "model")
    other = tmp_path / "other.csv"
    _loans(300, 9).to_csv(other, index=False)  # the run's row count, other applicants
    trained = without_tuneplate(project, "train.py", "--data", str(other), "--out", "other")
    assert trained.returncode == 0, trained.stderr
    assert "hold-out ROC AUC" not in trained.stdout
    assert "fingerprint is not the run's" in trained.stdout
    own = run.parent / "train.csv"
    again = without_tuneplate(project, "train.py", "--data", str(own), "--out", "other")
    refused_in_one_line(again, "--overwrite")
    replaced = ("train.py", "--data", str(own), "--out", "other", "--overwrite")
    assert "hold-out ROC AUC" in without_tuneplate(project, *replaced).stdout
    refused_in_one_line(
        without_tuneplate(project, "train.py", "--data", str(own), "--out", "model")
    )
    assert digest(project / "model") == shipped


def test_score_never_overwrites_its_input_even_by_another_path(scoring_project, tmp_path):
    project, _, rows = scoring_project
    data = tmp_path / "new.csv"
    rows.to_csv(data, index=False)
    before = data.read_bytes()
    same = (str(data), str(tmp_path / "." / "new.csv"), str(tmp_path / "sub" / ".." / "new.csv"))
    for out in same:
        (tmp_path / "sub").mkdir(exist_ok=True)
        refused_in_one_line(_score(project, "--data", str(data), "--out", out), "input file")
        refused_in_one_line(
            _score(project, "--data", str(data), "--out", out, "--overwrite"), "input file"
        )
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    refused_in_one_line(_score(project, "--data", str(data), "--out", str(link), "--overwrite"))
    assert data.read_bytes() == before


def test_score_keeps_an_existing_output_unless_told_to_overwrite(scoring_project, tmp_path):
    project, _, rows = scoring_project
    data, out = tmp_path / "new.csv", tmp_path / "scores.csv"
    rows.to_csv(data, index=False)
    out.write_text("last month's scores\n")
    refused_in_one_line(_score(project, "--data", str(data), "--out", str(out)), "--overwrite")
    assert out.read_text() == "last month's scores\n"
    done = _score(project, "--data", str(data), "--out", str(out), "--overwrite")
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(out)) == 40
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".scores.csv")]  # no temp


def test_score_refuses_an_output_it_cannot_write_in_one_line(scoring_project, tmp_path):
    project, _, rows = scoring_project
    data = tmp_path / "new.csv"
    rows.to_csv(data, index=False)
    (tmp_path / "a_file").write_text("x")
    for out in ("nodir/x.csv", str(tmp_path / "a_file" / "x.csv"), str(tmp_path)):
        refused_in_one_line(_score(project, "--data", str(data), "--out", out), "--out")
    refused_in_one_line(_score(project, "--data", str(data), "--out", "/proc/x.csv"), "--out")


def test_score_copies_id_columns_beside_the_probability(scoring_project, tmp_path):
    project, run, rows = scoring_project
    data = tmp_path / "new.csv"
    rows.to_csv(data, index=False)
    done = _score(project, "--data", str(data), "--out", "ids.csv", "--id", "customer_id")
    assert done.returncode == 0, done.stderr
    scored = pd.read_csv(project / "ids.csv")
    assert list(scored.columns) == ["customer_id", "probability"]
    assert scored["customer_id"].tolist() == rows["customer_id"].tolist()
    expected = Model.load(run).predict_proba(rows)[:, 1]
    np.testing.assert_allclose(scored["probability"], expected, rtol=0, atol=1e-12)
    for given in (["--id", "customer_id,branch"], ["--id", "customer_id", "--id", "branch"]):
        both = tmp_path / f"both{len(given)}.csv"
        assert _score(project, "--data", str(data), "--out", str(both), *given).returncode == 0
        assert list(pd.read_csv(both).columns) == ["customer_id", "branch", "probability"]
    refused_in_one_line(
        _score(project, "--data", str(data), "--out", "x.csv", "--id", "client"), "'client'"
    )
    assert not (project / "x.csv").exists()
    model_files = (project / "model" / "model.json").read_text()
    assert "C00001" not in model_files and "customer_id" not in model_files


def test_score_help_and_readme_say_the_output_is_in_row_order(scoring_project):
    project, _, _ = scoring_project
    shown = " ".join(_score(project, "--help").stdout.split())  # argparse wraps lines
    assert "--id COL" in shown and "row order" in shown and "--overwrite" in shown
    readme = (project / "README.md").read_text()
    assert "--id" in readme and "--overwrite" in readme and "row order" in readme


def test_exported_scoring_of_an_empty_batch_is_empty(scoring_project):
    project, _, rows = scoring_project
    code = (
        "import sys, pandas as pd; sys.path.insert(0, '.'); sys.modules['tuneplate'] = None; "
        "from model_io import load_model; "
        f"rows = pd.DataFrame(columns={list(rows.columns)!r}, dtype=float); "
        "scores, counts = load_model()(rows); print(scores.shape)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "(0,)", done.stderr


def test_exported_validate_gives_tuneplates_verdict_and_figures(scoring_project, tmp_path):
    """validate.py, without tuneplate, agrees with `tuneplate.validate` on the same rows:
    the verdict, every PSI/CSI and the AUROC, on rows with one input shifted."""
    import tuneplate

    project, run, _ = scoring_project
    rows = _loans(200, 7)
    rows["debt_ratio"] = rows["debt_ratio"] * 3  # one input moved, nothing else
    data = tmp_path / "new.csv"
    rows.to_csv(data, index=False)
    done = without_tuneplate(project, "validate.py", "--data", str(data), "--out", "v.json")
    assert done.returncode == 0, done.stderr
    exported = json.loads((project / "v.json").read_text())
    engine = tuneplate.validate(run, data, model="tuned")  # the model the export ships
    assert exported["verdict"] == engine.verdict
    assert exported["reasons"] == list(engine.reasons)
    assert {d["column"]: d["psi"] for d in exported["drift"]} == pytest.approx(
        {d.column: d.psi for d in engine.drift}, abs=1e-12
    )
    assert exported["auroc"]["new"] == pytest.approx(engine.auroc.new, abs=1e-12)
    assert max(d["psi"] for d in exported["drift"] if d["column"] == "debt_ratio") > 0.25
    # A second run keeps the first file unless told to overwrite, in one line.
    again = without_tuneplate(project, "validate.py", "--data", str(data), "--out", "v.json")
    refused_in_one_line(again, "already exists")


def test_exported_strict_refusal_says_no_row_was_scored(scoring_project, tmp_path):
    """score.py --strict refused a rate of 45 (for 0.45) with the warning's words,
    "scored as given", though it scored and wrote nothing; without --strict they stay."""
    project, _, rows = scoring_project
    rows = rows.copy()
    rows.loc[:3, "debt_ratio"] = 45.0  # 4 of 40 rows: a percent for a fraction
    path = tmp_path / "new.csv"
    rows.to_csv(path, index=False)
    strict = _score(project, "--data", path, "--out", tmp_path / "t.csv", "--strict")
    refused_in_one_line(strict, "no row scored", "debt_ratio: 4 of 40 rows", "outside 0 to 1")
    assert "scored as" not in strict.stderr and not (tmp_path / "t.csv").exists()
    scored = _score(project, "--data", path, "--out", tmp_path / "s.csv")
    assert scored.returncode == 0
    (line,) = [x for x in scored.stderr.splitlines() if x.startswith("debt_ratio:")]
    assert "scored as given" in line


def test_exported_strict_refuses_one_impossible_value_in_400_rows(scoring_project, tmp_path):
    """One rate of 45 (for 0.45) among 400 rows was under the 1% warning share: score.py
    wrote its score with no line, under --strict too. Strict refuses any value outside
    the bounds, as the API does, and without strict the row is scored with the line."""
    project, _, _ = scoring_project
    rows = _loans(400, 7).drop(columns="status")
    rows.loc[0, "debt_ratio"] = 45.0
    path = tmp_path / "new.csv"
    rows.to_csv(path, index=False)
    strict = _score(project, "--data", path, "--out", tmp_path / "t.csv", "--strict")
    refused_in_one_line(strict, "no row scored", "debt_ratio: 1 of 400 rows (0.2%)")
    scored = _score(project, "--data", path, "--out", tmp_path / "s.csv")
    assert scored.returncode == 0, scored.stderr
    assert "debt_ratio: 1 of 400 rows (0.2%) lie outside 0 to 1" in scored.stderr


def test_exported_strict_refuses_incomes_in_thousands(scoring_project, tmp_path):
    """Incomes sent in thousands fit the schema: score.py --strict wrote every row's
    score, each wrong; it refuses as `predict_proba(strict=True)` does, and without
    --strict it scores them with the off-range line, as before."""
    project, _, rows = scoring_project
    rows = rows.assign(income=rows["income"] / 1000)
    path = tmp_path / "new.csv"
    rows.to_csv(path, index=False)
    strict = _score(project, "--data", path, "--out", tmp_path / "t.csv", "--strict")
    refused_in_one_line(strict, "no row scored", "income:", "change of unit")
    assert not (tmp_path / "t.csv").exists()
    scored = _score(project, "--data", path, "--out", tmp_path / "s.csv")
    assert scored.returncode == 0 and "income:" in scored.stderr


def test_exported_reasons_mark_impossible_inputs_as_tuneplate_explain(scoring_project, tmp_path):
    """score.py --reasons gave a rate of 45 (for 0.45) reasons like any other row's;
    it marks it, and an unreadable income, in the words `tuneplate explain` writes."""
    project, run, rows = scoring_project
    rows = rows.copy()
    rows.loc[2, "debt_ratio"] = 45.0
    rows["income"] = rows["income"].astype(object)
    rows.loc[5, "income"] = "lots"
    path = tmp_path / "new.csv"
    rows.to_csv(path, index=False)
    done = _score(project, "--data", path, "--out", tmp_path / "r.csv", "--reasons")
    assert done.returncode == 0, done.stderr
    got = pd.read_csv(tmp_path / "r.csv")
    want = tmp_path / "explained.csv"
    args = ["explain", str(run), "--data", str(path), "--out", str(want), "--model", "tuned"]
    assert main(args) == 0
    assert got["suspect_inputs"].fillna("").equals(pd.read_csv(want)["suspect_inputs"].fillna(""))
    assert got["suspect_inputs"][2] == "debt_ratio: outside 0 to 1 (no development row was)"
    assert got["suspect_inputs"][5] == "income: unreadable (scored as missing)"
    assert got["suspect_inputs"].drop(index=[2, 5]).isna().all()


def test_exported_score_and_validate_count_rows_holding_another_value_of_a_constant(
    tmp_path,
):
    """Every training row was branch "Berlin", so the model left the column out: the
    exported score.py and validate.py said nothing of a batch half "Munich"."""
    import tuneplate

    data, new, lacking = tmp_path / "train.csv", tmp_path / "new.csv", tmp_path / "lack.csv"
    _loans(300, 0).assign(branch="Berlin").to_csv(data, index=False)
    run, project = tmp_path / "run", tmp_path / "project"
    args = ["run", "credit-risk", "--data", str(data), "--target", "status", "--out", str(run)]
    assert main([*args, "--model", "logistic", "--trials", "2"]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    rows = _loans(200, 7).assign(branch=["Munich", "Berlin"] * 100)
    rows.to_csv(new, index=False)
    rows.drop(columns="branch").to_csv(lacking, index=False)

    scored = _score(project, "--data", new, "--out", tmp_path / "s.csv")
    assert scored.returncode == 0
    (line,) = [x for x in scored.stderr.splitlines() if x.startswith("branch:")]
    assert "100 of 200 rows (50.0%) hold another value than 'Berlin'" in line
    strict = _score(project, "--data", new, "--out", tmp_path / "t.csv", "--strict")
    refused_in_one_line(strict, "branch")

    done = without_tuneplate(project, "validate.py", "--data", str(new), "--out", "v.json")
    assert done.returncode == 0, done.stderr
    exported = json.loads((project / "v.json").read_text())
    engine = tuneplate.validate(run, new, model="tuned")
    assert exported["verdict"] == engine.verdict == "drifting: watch"
    assert exported["reasons"] == list(engine.reasons)
    assert any("hold another value than 'Berlin'" in r for r in exported["reasons"])

    done = without_tuneplate(project, "validate.py", "--data", str(lacking), "--out", "w.json")
    assert done.returncode == 0, done.stderr
    (note,) = [n for n in json.loads((project / "w.json").read_text())["notes"] if "branch" in n]
    assert "cannot be checked" in note


def test_export_repeats_the_reports_reservations(scoring_project, tmp_path, capsys):
    """A recommendation run whose report preferred its popularity list was exported
    without a word; the vertical's own reservations (`headline.concerns`) are printed."""

    _, run, _ = scoring_project
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    saved = json.loads((copy / "results.json").read_text())
    concern = "The tuned ranker does not clearly beat most popular (recent)."
    saved["headline"]["concerns"] = [["caution", concern]]
    # The tuned model recommended: its reservations are the report's.
    tuned = {"decision": "better", "difference": 0.05, "interval": [0.02, 0.08]}
    saved["baseline"] = {**saved["baseline"], **tuned}
    (copy / "results.json").write_text(json.dumps(saved))
    capsys.readouterr()
    assert main(["export", str(copy), "--to", str(tmp_path / "project")]) == 0
    assert f"note: the run's report says: {concern}" in capsys.readouterr().out
    # The simple baseline recommended: the report states the baseline's reservations, so
    # the tuned model's, which the project holds, are not called "the report's".
    same = {"decision": "same", "difference": 0.0, "interval": [-0.01, 0.01]}
    saved["baseline"] = {**saved["baseline"], **same}
    (copy / "results.json").write_text(json.dumps(saved))
    assert main(["export", str(copy), "--to", str(tmp_path / "project2")]) == 0
    out = capsys.readouterr().out
    assert f"note: the tuned model's evaluation says: {concern}" in out
    assert "the run's report says" not in out


def test_a_column_read_1000_times_larger_is_said_by_score_and_predict_proba(
    scoring_project, tmp_path
):
    """A ratio of 0.125 read as 125 (a decimal dot taken for a thousands separator, or a
    rate given in per mille) fits the schema's kinds. Incomes read 1,000 times larger
    stay within every bound the development rows kept, so only the development
    profile's outer bands catch them; the ratio also leaves 0 to 1, which every row is
    counted for, even in a batch too small to judge the bands. One line per column."""
    project, run, rows = scoring_project
    scaled = rows.assign(debt_ratio=rows["debt_ratio"] * 1000, income=rows["income"] * 1000)
    scaled.to_csv(tmp_path / "scaled.csv", index=False)
    rows.to_csv(tmp_path / "same.csv", index=False)
    done = _score(project, "--data", tmp_path / "scaled.csv", "--out", tmp_path / "s.csv")
    assert done.returncode == 0
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("debt_ratio:")]
    assert "40 of 40 rows (100.0%) lie outside 0 to 1" in line
    assert "a percent for a fraction" in line
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("income:")]
    assert "100% of 40 rows with a value lie above" in line and "unit or reading" in line
    same = _score(project, "--data", tmp_path / "same.csv", "--out", tmp_path / "t.csv")
    assert "lie above" not in same.stderr and "lie outside" not in same.stderr

    model = Results.load(run).model
    with pytest.warns(SchemaWarning) as said:
        model.predict_proba(scaled)
    lines = sorted(str(w.message) for w in said)
    assert len(lines) == 2
    assert lines[0].startswith("debt_ratio: 40 of 40 rows (100.0%) lie outside 0 to 1")
    assert lines[1].startswith("income: 100% of 40 rows with a value lie above")
    with pytest.warns(SchemaWarning, match="debt_ratio: 10 of 10 rows") as small:
        model.predict_proba(scaled.head(10))  # too few rows for the bands, not for bounds
    assert len(small) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", SchemaWarning)
        model.predict_proba(rows)  # the usual spread: no warning


def test_outcomes_written_as_numbers_another_way_read_as_the_run_read_them(tmp_path):
    """Trained on a target written 1.0/0.0, the exported validate.py refused rows with
    1/0 ("the model's event is '1.0'") and had no --positive; train.py compared text, so
    1/0 rows would all have counted as non-events (a fresh user's report)."""
    import tuneplate

    table = _loans(300, 3)
    table["status"] = np.where(table["status"] == "bad", "1.0", "0.0")
    data = tmp_path / "train.csv"
    table.to_csv(data, index=False)
    run, project = tmp_path / "run", tmp_path / "project"
    args = ["--target", "status", "--model", "logistic", "--trials", "2", "--out", str(run)]
    assert main(["run", "credit-risk", "--data", str(data), *args]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    new = _loans(200, 4)
    new["status"] = (new["status"] == "bad").astype(int)  # 1/0 this time
    rows = tmp_path / "new.csv"
    new.to_csv(rows, index=False)
    done = without_tuneplate(project, "validate.py", "--data", str(rows), "--out", "v.json")
    assert done.returncode == 0, done.stderr
    exported = json.loads((project / "v.json").read_text())
    engine = tuneplate.validate(run, rows, model="tuned")
    assert exported["verdict"] == engine.verdict
    assert exported["auroc"]["new"] == pytest.approx(engine.auroc.new, abs=1e-12)
    # the event named otherwise: --positive, as in tuneplate validate
    new["status"] = np.where(new["status"] == 1, "default", "repaid")
    new.to_csv(rows, index=False)
    args = ["--data", str(rows), "--out", "w.json", "--positive", "default"]
    assert without_tuneplate(project, "validate.py", *args).returncode == 0
    got = json.loads((project / "w.json").read_text())
    assert got["auroc"]["new"] == pytest.approx(exported["auroc"]["new"], abs=1e-12)
    # train.py on the run's rows with the outcome written 1/0: another file (another
    # fingerprint), refitted on all rows, its events read as the run read them (all
    # counted as non-events, the logistic fit would refuse a single class)
    table["status"] = table["status"].astype(float).astype(int)
    ints = tmp_path / "train_ints.csv"
    table.to_csv(ints, index=False)
    trained = without_tuneplate(project, "train.py", "--data", str(ints), "--out", "refit")
    assert trained.returncode == 0, trained.stderr
    assert "refitted on all rows" in trained.stdout


def test_the_projects_readme_says_when_the_report_recommends_another_model(
    scoring_project, tmp_path
):
    """The exported project shipped the tuned model while its own report.html said "use
    the simple model"; only a one-off CLI note said so (a fresh user's report)."""

    _, run, _ = scoring_project
    for decision in ("same", "worse", "better"):
        copy = tmp_path / f"run-{decision}"
        shutil.copytree(run, copy)
        saved = json.loads((copy / "results.json").read_text())
        saved["baseline"]["decision"] = decision
        (copy / "results.json").write_text(json.dumps(saved))
        project = tmp_path / f"project-{decision}"
        assert main(["export", str(copy), "--to", str(project)]) == 0
        readme = (project / "README.md").read_text()
        said = "Not the model the run's report recommends" in readme
        assert said == (decision != "better")
        if said:
            words = " ".join(readme.split())
            assert f"recommends the simple {saved['baseline']['label']}" in words
            loss = "did worse than it beyond noise on the hold-out"  # not "did not beat"
            assert (loss in words) == (decision == "worse")


def test_probabilities_are_restated_at_the_stated_prevalence_beside_the_samples(tmp_path):
    """A diagnosis run stating --prevalence 5% on a 37% sample exported a score.py whose
    probabilities were on the sample's scale with no word: a clinician read 0.78 as the
    patient's risk where the model is used (a fresh user's report). score.py and explain
    now add the same restated column (Bayes' rule) and say which scale is which."""
    import tuneplate
    from tuneplate.engine.contract.calibration import logit
    from tuneplate.explaining import explain_run

    table = tuneplate.load_vertical("diagnosis").example().table
    rows = tmp_path / "patients.csv"
    table.to_csv(rows, index=False)
    scored = {}
    for stated in (None, "0.05"):
        run, project = tmp_path / f"run-{stated}", tmp_path / f"project-{stated}"
        extra = ["--prevalence", stated] if stated else []
        args = ["--model", "logistic", "--trials", "2", "--out", str(run), *extra]
        assert main(["run", "diagnosis", *args]) == 0
        assert main(["export", str(run), "--to", str(project)]) == 0
        done = without_tuneplate(project, "score.py", "--data", str(rows), "--out", "s.csv")
        assert done.returncode == 0, done.stderr
        scored[stated] = (pd.read_csv(project / "s.csv"), done.stderr, run, project)

    plain, err, _, project = scored[None]
    assert list(plain.columns) == ["probability"] and "prevalence" not in err
    assert not (project / "model" / "prevalence.json").exists()

    frame, err, run, project = scored["0.05"]
    assert list(frame.columns) == ["probability", "probability_at_prevalence"]
    sample = Results.load(run, model=False).data["development_positive_share"]
    assert f"sample's scale ({sample:.1%}" in err and "stated prevalence (5%)" in err
    expected = Model.load(run).predict_proba(pd.read_csv(rows))[:, 1]
    np.testing.assert_allclose(frame["probability"], expected, rtol=0, atol=1e-12)
    # the odds move by one constant, the prevalence's odds over the sample's
    moved = logit(frame["probability_at_prevalence"]) - logit(frame["probability"])
    want = np.log(0.05 / 0.95) - np.log(sample / (1 - sample))
    np.testing.assert_allclose(moved, want, rtol=0, atol=1e-4)  # logit near 0 and 1: loose
    # one figure, one value: explain writes the same column for the same rows
    explained = explain_run(run, rows, model="tuned").table
    np.testing.assert_allclose(
        explained["probability_at_prevalence"], frame["probability_at_prevalence"], atol=1e-12
    )
    assert "5%" in " ".join((project / "README.md").read_text().split())
    # with --reasons too
    args = ["--data", str(rows), "--reasons", "--out", "r.csv"]
    assert without_tuneplate(project, "score.py", *args).returncode == 0
    reasons = pd.read_csv(project / "r.csv")
    assert list(reasons.columns[1:3]) == ["probability", "probability_at_prevalence"]


def _visits(n: int, seed: int) -> pd.DataFrame:
    """Loans with a birth date written dd/mm/yy and the time of day of the call."""
    rng = np.random.default_rng(seed)
    born = pd.Timestamp("1931-01-01") + pd.to_timedelta(rng.integers(0, 365 * 68, n), "D")
    hours, minutes = rng.integers(7, 21, n), rng.integers(0, 60, n)
    debt = rng.uniform(0, 1, n).round(3)
    bad = rng.random(n) < 1 / (1 + np.exp(-(2 * debt - 1.2)))
    return pd.DataFrame(
        {
            "born": born.strftime("%d/%m/%y"),
            "called": [f"{h:02d}:{m:02d}" for h, m in zip(hours, minutes, strict=True)],
            "debt_ratio": debt,
            "status": np.where(bad, "bad", "good"),
        }
    )


def test_exported_score_reads_two_digit_years_and_times_of_day_as_the_model_did(tmp_path):
    """score.py reads with the copied contract: 25/03/64 is 1964 by the window saved in
    model.json, and 12:30 is 750 minutes, the same scores as predict_proba."""
    data, new = tmp_path / "train.csv", tmp_path / "new.csv"
    _visits(300, 0).to_csv(data, index=False)
    run, project = tmp_path / "run", tmp_path / "project"
    args = ["run", "credit-risk", "--data", str(data), "--target", "status", "--out", str(run)]
    assert main([*args, "--model", "logistic", "--trials", "2"]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    saved = json.loads((run / "model.json").read_text())["schema"]["features"]
    features = {f["name"]: f for f in saved}
    assert features["born"]["two_digit_years"] == "1930-2029"
    assert features["called"]["kind"] == "numeric" and features["called"]["time_of_day"]
    rows = _visits(40, 3).drop(columns="status")
    rows.loc[0, ["born", "called"]] = ["25/03/64", "12:30"]
    rows.to_csv(new, index=False)
    scored = without_tuneplate(project, "score.py", "--data", str(new), "--out", "s.csv")
    assert scored.returncode == 0 and "Traceback" not in scored.stderr, scored.stderr
    model = Model.load(run)
    encoded, counts = model.schema.encode(pd.read_csv(new))
    assert not any(c.unreadable for c in counts.values())
    assert encoded[model.schema.keys["called"]].iloc[0] == 750.0
    born = (pd.Timestamp("1964-03-25") - pd.Timestamp(0)).days
    assert encoded[model.schema.keys["born"]].iloc[0] == born
    expected = model.predict_proba(pd.read_csv(new))[:, 1]
    exported = pd.read_csv(project / "s.csv")["probability"].to_numpy()
    np.testing.assert_allclose(exported, expected, rtol=0, atol=1e-12)


def test_exported_score_reads_lower_case_currency_codes_as_the_model_did(tmp_path):
    """Incomes written "usd 31,250" are amounts to the run and to the copied contract:
    score.py gives predict_proba's scores and counts the one "eur" amount unreadable."""
    data, new = tmp_path / "train.csv", tmp_path / "new.csv"
    table = _loans(300, 0)
    table["income"] = [f"usd {v:,.0f}" for v in table["income"]]
    table.to_csv(data, index=False)
    run, project = tmp_path / "run", tmp_path / "project"
    args = ["run", "credit-risk", "--data", str(data), "--target", "status", "--out", str(run)]
    assert main([*args, "--model", "logistic", "--trials", "2"]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    saved = json.loads((run / "model.json").read_text())["schema"]["features"]
    income = next(f for f in saved if f["name"] == "income")
    assert income["kind"] == "numeric" and income["currency"] == "USD"
    rows = _loans(40, 3).drop(columns="status")
    rows["income"] = [f"usd {v:,.0f}" for v in rows["income"]]
    rows.loc[0, "income"] = "31,250 eur"
    rows.to_csv(new, index=False)
    scored = without_tuneplate(project, "score.py", "--data", str(new), "--out", "s.csv")
    assert scored.returncode == 0 and "Traceback" not in scored.stderr, scored.stderr
    assert scored.stderr.startswith("income: 1 of 40 rows"), scored.stderr
    with pytest.warns(SchemaWarning):
        expected = Model.load(run).predict_proba(pd.read_csv(new))[:, 1]
    exported = pd.read_csv(project / "s.csv")["probability"].to_numpy()
    np.testing.assert_allclose(exported, expected, rtol=0, atol=1e-12)


@pytest.mark.slow
def test_exported_logistic_refit_is_the_runs_model_on_rows_with_missing_values(tmp_path):
    """The exported train.py filled missing numbers with the median where the run's
    pipeline uses the mean: on a table with blanks its refit scored other probabilities
    than the model it shipped (by 4e-4 on the odd table) and kept no design mean."""
    table = _loans(300, 0)
    table.loc[::7, "income"] = np.nan
    data, run, project = tmp_path / "train.csv", tmp_path / "run", tmp_path / "project"
    table.to_csv(data, index=False)
    args = ["run", "credit-risk", "--data", str(data), "--target", "status", "--out", str(run)]
    assert main([*args, "--model", "logistic", "--trials", "2"]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    trained = without_tuneplate(project, "train.py", "--data", str(data), "--out", "refit")
    assert trained.returncode == 0 and "hold-out ROC AUC" in trained.stdout, trained.stderr
    assert refit_gap(project, data) < 1e-12


def test_exported_logistic_fit_is_the_engines_with_penalty_groups(scoring_project, tmp_path):
    """A space with `C_<group>` penalties (README, "gradient") made the exported train.py
    pass C_numeric to LogisticRegression and fail; its fit is now the engine's pipeline:
    the same blocks and weights, the mean fill and the design mean `explain` uses."""
    project, _, rows = scoring_project
    rows = rows.assign(income=rows["income"].mask(rows.index % 5 == 0))
    rows.to_csv(tmp_path / "rows.csv", index=False)
    code = """
import sys, numpy as np
sys.path.insert(0, '.')
from model_io import encode, read_table
from train import FIT, fit_logistic
from tuneplate.engine.families import logistic
from tuneplate.engine.families.base import Fit
X = encode(read_table(sys.argv[1]))[0]
y = (np.arange(len(X)) % 3 == 0).astype(int)
income = X.columns[0]
for params in ({"C": 0.5}, {"C": 0.5, "C_numeric": 2.0},
               {"C": 1.0, "C_low": 0.05, "penalty_groups": {"low": [income]}}):
    ours = fit_logistic(X, y, params)
    theirs = logistic.fit(params, X, y, None, None, Fit(FIT["seed"])).estimator
    assert np.array_equal(ours.predict_proba(X), theirs.predict_proba(X)), params
    assert np.array_equal(ours[-1].design_mean_, theirs[-1].design_mean_), params
print("same")
"""
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "rows.csv")],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout.strip() == "same", done.stderr


@pytest.mark.slow
def test_exported_lightgbm_refit_keeps_no_training_range_as_the_run_did(tmp_path):
    """train.py saved LightGBM's `feature_infos=[min:max]`, each one applicant's value,
    where the run writes "none" (model files hold aggregates only)."""
    data, run, project = tmp_path / "train.csv", tmp_path / "run", tmp_path / "project"
    _loans(300, 0).to_csv(data, index=False)
    args = ["run", "credit-risk", "--data", str(data), "--target", "status", "--out", str(run)]
    assert main([*args, "--model", "lightgbm", "--trials", "2"]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    trained = without_tuneplate(project, "train.py", "--data", str(data), "--out", "refit")
    assert trained.returncode == 0 and "hold-out ROC AUC" in trained.stdout, trained.stderr
    refit = (project / "refit" / "model.lightgbm.txt").read_text()
    (infos,) = [line for line in refit.splitlines() if line.startswith("feature_infos=")]
    assert "[" not in infos and "none" in infos
    # the same rows, seed and rounds: the run's model file itself
    assert refit == (project / "model" / "model.lightgbm.txt").read_text()


def test_every_registered_family_has_its_code_in_the_exported_project():
    """Each family is read, fitted and saved by one function per template, used for a
    single model and a blend's member alike: a family without them cannot be exported."""
    from importlib.resources import files

    from tuneplate.engine.families.models import FAMILIES
    from tuneplate.export import EXPLAINED, LIBRARIES

    templates = files("tuneplate.templates").joinpath("export")
    model_io = templates.joinpath("model_io.py.jinja2").read_text()
    train = templates.joinpath("train.py.jinja2").read_text()
    assert set(FAMILIES) <= set(LIBRARIES) and set(EXPLAINED) <= set(LIBRARIES)
    for family in LIBRARIES:
        assert f"def read_{family}(path, owners=None):" in model_io
        assert f"def fit_{family}(X, y, params, rounds" in train
        assert f"def save_{family}(model, path):" in train
