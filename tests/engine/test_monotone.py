"""`monotone={"col": 1}` (`--monotone COL=+1,COL=-1`): LightGBM and XGBoost enforce it
natively in every fit (search folds, refit, model.json, the exported train.py); the
logistic family refuses a fitted coefficient of the wrong sign; what cannot be
constrained is refused in one line before the search.

German credit (the credit-risk vertical's embedded data): a longer loan
(`duration_in_month`) and a larger one (`credit_amount`) may never lower the predicted
risk of default.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from cli_checks import refused, refused_in_one_line, without_tuneplate

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.config import Config
from tuneplate.engine.families.base import MonotoneViolation
from tuneplate.engine.families.models import FAMILIES
from tuneplate.engine.monotone import parse
from tuneplate.engine.results import SPLIT_FILE, Results
from tuneplate.engine.runs import resume
from tuneplate.engine.search.study import NoTrialCompleted
from tuneplate.engine.tune import plan
from tuneplate.reports.sections import monotone as monotone_section
from tuneplate.verticals import load_vertical

CHEAP = {"strategy": "random", "n_trials": 3, "seed": 0}
RISING = {"duration_in_month": 1, "credit_amount": 1}
SWEEP_STEPS = 20


@pytest.fixture(scope="module")
def lightgbm_run(tmp_path_factory, german_credit):
    """A LightGBM run with both constraints, written to a run folder by the CLI."""
    folder = tmp_path_factory.mktemp("monotone")
    data, run = folder / "german.csv", folder / "run"
    german_credit.to_csv(data, index=False)
    argv = ["run", "credit-risk", "--data", str(data), "--target", "creditability"]
    argv += ["--model", "lightgbm", "--strategy", "random", "--trials", "3"]
    argv += ["--storage", "memory", "--monotone", "duration_in_month=+1,credit_amount=1"]
    assert main([*argv, "--out", str(run)]) == 0
    return data, run


@pytest.fixture(scope="module")
def xgboost_result():
    return tuneplate.tune("credit-risk", model="xgboost", monotone=RISING, **CHEAP)


def sweep_violations(model, rows: pd.DataFrame, column: str, values: np.ndarray, sign: int):
    """Rows (of `rows`) whose probability moves against `sign` somewhere along `values`."""
    grid = rows.loc[rows.index.repeat(len(values))].copy()
    grid[column] = np.tile(values, len(rows))
    p = model.predict_proba(grid)[:, 1].reshape(len(rows), len(values))
    steps = sign * np.diff(p, axis=1)
    return int((steps < -1e-12).any(axis=1).sum())


def holdout_rows(split: dict, table: pd.DataFrame) -> pd.DataFrame:
    rows = table.iloc[split["holdout"]]
    assert len(rows) == 200  # German credit's 20% hold-out
    return rows


@pytest.mark.parametrize("family", ["lightgbm", "xgboost"])
def test_the_sweep_moves_every_holdout_row_in_the_declared_direction(
    family, lightgbm_run, xgboost_result, german_credit
):
    """Each constrained column swept over 20 values from its minimum to its maximum, the
    other inputs held, for the 200 hold-out rows: the probability never falls (+1), in
    100% of rows (tolerance 1e-12). The unconstrained model may fail this; not asserted."""
    if family == "lightgbm":
        result = Results.load(lightgbm_run[1])
        split = json.loads((lightgbm_run[1] / SPLIT_FILE).read_text())
    else:
        result, split = xgboost_result, xgboost_result.split_rows
    assert result.model_family == family
    rows = holdout_rows(split, german_credit)
    for column, sign in RISING.items():
        values = np.linspace(german_credit[column].min(), german_credit[column].max(), SWEEP_STEPS)
        assert sweep_violations(result.model, rows, column, values, sign) == 0, column


def test_model_json_records_the_constraint_and_a_reload_predicts_the_same(
    lightgbm_run, german_credit
):
    data, run = lightgbm_run
    saved = json.loads((run / "model.json").read_text())
    loaded = Results.load(run).model
    names = loaded.schema.names
    expected = [RISING.get(name, 0) for name in names]
    assert saved["fit"]["monotone"] == expected
    assert json.loads((run / "config.json").read_text())["config"]["monotone"] == RISING
    # the model file itself carries LightGBM's constraint
    text = (run / saved["file"]).read_text()
    assert re.search(r"\[monotone_constraints: " + ",".join(map(str, expected)) + r"\]", text)
    results = Results.load(run)
    fresh = results.model.predict_proba(german_credit)[:, 1]
    np.testing.assert_allclose(loaded.predict_proba(german_credit)[:, 1], fresh, atol=1e-12)


def test_the_report_lists_the_constraints_and_their_cost(lightgbm_run):
    results = Results.load(lightgbm_run[1], model=False)
    cost = results.data["monotone"]
    assert cost["constraints"] == RISING
    low, high = cost["interval"]
    assert low <= cost["difference"] <= high
    section = monotone_section(results)
    assert section["lines"] == [
        "duration_in_month: the probability of the event rises with it (+1)",
        "credit_amount: the probability of the event rises with it (+1)",
    ]
    assert "without them" in section["cost"] and "95% paired bootstrap interval" in section["cost"]
    html = (lightgbm_run[1] / "report.html").read_text()
    assert "Monotone constraints" in html and "duration_in_month: the probability" in html


def test_the_exported_train_py_refits_with_the_constraint(lightgbm_run, tmp_path):
    """The exported train.py refits on the run's development rows with model.json's
    constraint: its hold-out score is the run's (unconstrained, it would differ)."""
    data, run = lightgbm_run
    project = tmp_path / "project"
    assert main(["export", str(run), "--to", str(project)]) == 0
    done = without_tuneplate(project, "train.py", "--data", str(data), "--out", "refit")
    assert done.returncode == 0, done.stderr
    printed = float(re.search(r"hold-out [^:]+: ([0-9.]+)", done.stdout).group(1))
    results = Results.load(run, model=False)
    assert printed == pytest.approx(results.holdout, abs=1e-6)
    assert printed != pytest.approx(results.data["monotone"]["free_holdout"], abs=1e-6)


@pytest.mark.slow  # end to end: run, export, two refits of the exported project
def test_the_exported_train_py_refuses_a_scorecard_weight_turned_around(
    german_credit, tmp_path, monkeypatch, capsys
):
    """The exported train.py checks a scorecard refit as the run does (`Scorecard.against`):
    with the refit's weight for `duration_in_month` turned around (an L2 fit on
    correlated WoE columns can do it) it refuses in one line and writes nothing; left as
    fitted, the constraint holds and the model is written."""
    data, run, project = tmp_path / "german.csv", tmp_path / "run", tmp_path / "project"
    german_credit.to_csv(data, index=False)
    argv = ["run", "credit-risk", "--data", str(data), "--target", "creditability"]
    argv += ["--model", "scorecard", "--strategy", "random", "--trials", "2"]
    argv += ["--storage", "memory", "--monotone", "duration_in_month=+1"]
    assert main([*argv, "--out", str(run)]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    # the exported project's modules, imported here as its own train.py imports them
    before = set(sys.modules)
    monkeypatch.syspath_prepend(str(project))
    monkeypatch.setitem(sys.modules, "tuneplate", None)  # it must not need tuneplate
    try:
        train = importlib.import_module("train")
        binning_module = importlib.import_module("contract.binning")
        fitted = binning_module.fit

        def turned(*args, **kwargs):
            card = fitted(*args, **kwargs)
            inputs = tuple(
                dataclasses.replace(b, coef=-b.coef) if b.name == "duration_in_month" else b
                for b in card.inputs
            )
            return dataclasses.replace(card, inputs=inputs)

        capsys.readouterr()
        assert train.main(["--data", str(data), "--out", str(tmp_path / "kept")]) == 0
        assert (tmp_path / "kept").is_dir()
        monkeypatch.setattr(binning_module, "fit", turned)
        code = train.main(["--data", str(data), "--out", str(tmp_path / "refit")])
        done = subprocess.CompletedProcess([], code, "", capsys.readouterr().err)
        refused_in_one_line(done, "'duration_in_month'", "direction +1", "scorecard's weight")
        assert not (tmp_path / "refit").exists()
    finally:
        # Forget the project's own modules (train, contract.*), not the libraries they
        # imported first: a second copy of scikit-learn in this process would break the
        # tests that run after this one (isinstance against the other copy's classes).
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            places = [getattr(module, "__file__", None), *getattr(module, "__path__", [])]
            if any(str(place).startswith(str(project)) for place in places if place):
                del sys.modules[name]


# -- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, words",
    [
        ("no_such_column=+1", ("'no_such_column'", "not in the table", "--monotone")),
        ("purpose=+1", ("'purpose'", "categorical", "encode an order as numbers first")),
        ("age_in_years=-1", ("'age_in_years'", "not a model input", "protected")),
        ("creditability=+1", ("'creditability'", "the target")),
        ("duration_in_month=2", ("duration_in_month=2", "COL=+1 or COL=-1")),
        ("duration_in_month", ("COL=+1 or COL=-1",)),
    ],
)
def test_the_cli_refuses_what_cannot_be_constrained(given, words, tmp_path, capsys):
    try:
        code = main(["run", "credit-risk", "--monotone", given, "--out", str(tmp_path / "r")])
    except SystemExit as stop:  # argparse's refusal of a malformed value
        code = stop.code
    refused((code, "", capsys.readouterr().err), *words)


def test_python_callers_get_the_same_refusals():
    with pytest.raises(tuneplate.TuneplateError, match=r"categorical.*fix|monotone="):
        tuneplate.tune("credit-risk", monotone={"purpose": 1}, **CHEAP)
    with pytest.raises(tuneplate.TuneplateError, match=r"\+1 or -1.*fix monotone="):
        tuneplate.tune("credit-risk", monotone={"duration_in_month": 2}, **CHEAP)
    with pytest.raises(tuneplate.TuneplateError, match="binary verticals"):
        tuneplate.tune("recommendation", monotone={"price": 1}, n_trials=1)
    assert parse(" duration=+1, amount=-1 ") == {"duration": 1, "amount": -1}
    assert Config().setting("monotone") is None


def test_a_resume_compares_the_constraints():
    assert "monotone" in resume.compared_fields()
    saved = {"settings": {"monotone": {"credit_amount": 1}}}
    found = resume.changes(saved, {"monotone": None}, Config())
    assert [c.key for c in found] == ["monotone"]
    assert "--monotone credit_amount=+1" in resume.message(
        [resume.Change("monotone", None, {"credit_amount": 1})],
        {"monotone": {"credit_amount": 1}},
        {},
    )


# -- logistic: a check, not a constraint -------------------------------------------------


def test_logistic_refuses_a_coefficient_of_the_wrong_sign():
    """On German credit a longer loan raises the logistic model's risk: -1 is refused in
    the refit, every search trial fails (so none is chosen), and +1 passes."""
    config = Config.flat(model="logistic", monotone={"duration_in_month": -1}, **CHEAP)
    p = plan(load_vertical("credit-risk"), None, config)
    X = p.schema.encode(p.table)[0]
    logistic = FAMILIES["logistic"]
    with pytest.raises(MonotoneViolation) as refusal:
        logistic.fit({"C": 1.0}, X, p.y, None, None, p.fit)
    line = str(refusal.value)
    assert "'duration_in_month'" in line and "-1" in line and "lightgbm or xgboost" in line
    assert "\n" not in line
    rising = Config.flat(model="logistic", monotone=RISING, **CHEAP)
    logistic.fit({"C": 1.0}, X, p.y, None, None, plan(p.vertical, None, rising).fit)
    with pytest.raises(NoTrialCompleted, match="coefficient of 'duration_in_month'"):
        tuneplate.tune("credit-risk", config=config)
