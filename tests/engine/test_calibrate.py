"""`calibrate="platt"|"isotonic"` (`--calibrate`): fitted on out-of-fold development
predictions only, applied inside the saved model, its reload and the exported project."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from cli_checks import refused, without_tuneplate

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.config import Config
from tuneplate.engine.contract.calibration import GRID, Calibrator
from tuneplate.engine.contract.intervals import calibration
from tuneplate.engine.results import Results
from tuneplate.engine.tasks.binary import task as binary_task
from tuneplate.engine.tasks.binary.calibration import fit_calibrator
from tuneplate.engine.tune import execute, plan
from tuneplate.reports.sections import _applied_calibration
from tuneplate.verticals import load_vertical

CHEAP = {"strategy": "random", "n_trials": 3, "seed": 0}


@pytest.fixture(scope="module")
def credit_platt(tmp_path_factory, german_credit):
    """A German credit run with --calibrate platt, written to a run folder."""
    folder = tmp_path_factory.mktemp("calibrated")
    data, run = folder / "german.csv", folder / "run"
    german_credit.to_csv(data, index=False)
    args = ["run", "credit-risk", "--data", str(data), "--target", "creditability"]
    argv = [*args, "--strategy", "random", "--trials", "3", "--storage", "memory"]
    assert main([*argv, "--calibrate", "platt", "--out", str(run)]) == 0
    return data, run


@pytest.mark.parametrize("vertical", ["credit-risk", "diagnosis"])
def test_platt_brings_calibration_in_the_large_near_zero(vertical, monkeypatch):
    """German credit and breast cancer (the verticals' embedded data). The calibrator sees
    exactly the development rows, out of fold; on them Platt's calibration-in-the-large is
    within 0.1 of 0. On German credit's 200 hold-out rows it is too; breast cancer's 114
    hold-out rows, nearly separated (AUROC about 0.99), measure it only to about ±1
    log-odds (95% interval), so there the interval must hold 0."""
    seen = []

    def spy(method, y, p):
        seen.append((y, p, fit_calibrator(method, y, p)))
        return seen[-1][2]

    monkeypatch.setattr(binary_task, "fit_calibrator", spy)
    result = tuneplate.tune(vertical, calibrate="platt", **CHEAP)
    (y, p, calibrator), held = seen[0], result.data["calibration"]
    assert len(y) == result.data["development_rows"]  # every development row, out of fold
    assert result.model.calibrator == calibrator and result.config["calibrate"] == "platt"
    development = calibration(y, calibrator.apply(p))
    print(vertical, "development", development, "hold-out", held)
    assert abs(development.intercept) <= 0.1
    assert held["method"] == "platt"
    if vertical == "credit-risk":
        assert abs(held["intercept"]) <= 0.1, held
    low, high = held["intercept_interval"]
    assert low <= 0 <= high, held


def test_the_calibrator_never_sees_the_holdout_outcomes():
    """Flipping every hold-out outcome changes the hold-out figures, not the calibrator."""
    vertical = load_vertical("credit-risk")
    config = Config.flat(model="logistic", calibrate="platt", **CHEAP)
    first = execute(plan(vertical, None, config))
    p = plan(vertical, None, config)
    y = p.data.y.copy()
    y[p.split.holdout] = 1 - y[p.split.holdout]
    flipped = execute(replace(p, data=replace(p.data, y=y)))
    assert flipped.model.calibrator == first.model.calibrator
    assert flipped.holdout != first.holdout


def test_a_saved_and_loaded_run_scores_the_same_to_1e_12(credit_platt, german_credit):
    data, run = credit_platt
    saved = json.loads((run / "model.json").read_text())["calibration"]
    assert saved["method"] == "platt" and set(saved) == {"method", "slope", "intercept"}
    loaded = Results.load(run).model
    assert loaded.calibrator == Calibrator.from_dict(saved)
    raw = loaded.estimator.predict_proba(loaded.schema.encode(german_credit)[0])[:, 1]
    calibrated = loaded.predict_proba(german_credit)[:, 1]
    np.testing.assert_allclose(calibrated, loaded.calibrator.apply(raw), rtol=0, atol=1e-12)
    assert not np.allclose(calibrated, raw)  # the calibration is applied, not skipped


def test_the_exported_project_applies_the_same_calibration(credit_platt, tmp_path):
    data, run = credit_platt
    project = tmp_path / "project"
    assert main(["export", str(run), "--to", str(project)]) == 0
    done = without_tuneplate(project, "score.py", "--data", str(data), "--out", "s.csv")
    assert done.returncode == 0, done.stderr
    exported = pd.read_csv(project / "s.csv")["probability"].to_numpy()
    expected = Results.load(run).model.predict_proba(pd.read_csv(data))[:, 1]
    np.testing.assert_allclose(exported, expected, rtol=0, atol=1e-9)


def test_isotonic_keeps_probabilities_monotone_in_the_raw_score():
    result = tuneplate.tune("diagnosis", calibrate="isotonic", **CHEAP)
    model = result.model
    assert model.calibrator.method == "isotonic" and len(model.calibrator.curve) == len(GRID)
    rows = load_vertical("diagnosis").example().table
    raw = model.estimator.predict_proba(model.schema.encode(rows)[0])[:, 1]
    calibrated = model.predict_proba(rows)[:, 1]
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(calibrated[order]) >= -1e-15)
    assert np.all(np.diff(np.asarray(model.calibrator.curve)) >= 0)


def test_isotonic_model_file_holds_grid_values_not_row_scores():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=300)
    y = (rng.uniform(size=300) < p).astype(int)
    saved = fit_calibrator("isotonic", y, p).to_dict()
    assert len(saved["curve"]) == len(GRID)  # values at 0, 0.005, …, 1; no x from a row
    assert not set(np.round(p, 12)) & set(np.round(saved["curve"], 12))
    # a row's score moved within its 0.005 cell leaves the file as it was
    moved = p.copy()
    moved[7] = np.rint(p[7] * 200) / 200 + 0.002 * np.sign(p[7] - np.rint(p[7] * 200) / 200)
    assert fit_calibrator("isotonic", y, moved).to_dict() == saved


def test_none_is_the_default_and_saves_nothing(tmp_path):
    assert Config().setting("calibrate") == "none"
    assert fit_calibrator("none", np.array([0, 1]), np.array([0.2, 0.7])) is None


def test_the_cli_refuses_an_unknown_calibration(tmp_path, capsys):
    code = main(["run", "credit-risk", "--calibrate", "foo", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    refused((code, "", err), "foo", "none, platt, isotonic", "--calibrate")
    with pytest.raises(tuneplate.TuneplateError, match="none, platt, isotonic"):
        tuneplate.tune("credit-risk", calibrate="sigmoid", **CHEAP)


def test_a_ranking_vertical_refuses_calibrate():
    with pytest.raises(tuneplate.TuneplateError, match="--calibrate applies to binary"):
        tuneplate.tune("recommendation", calibrate="platt", n_trials=1)


def test_the_report_names_the_calibration_or_suggests_platt():
    figures = {
        "intercept": 0.4,
        "intercept_interval": [0.1, 0.7],
        "slope": 0.9,
        "slope_interval": [0.6, 1.2],
    }
    off = {"method": "none", "applied": "", **figures}
    fake = type("R", (), {"data": {"calibration": off}})()
    fake.baseline = type("B", (), {"recommended": False})()
    assert "--calibrate platt" in _applied_calibration(fake)
    fine = {**off, "intercept_interval": [-0.1, 0.7]}
    fake.data = {"calibration": fine}
    assert "no recalibration" in _applied_calibration(fake)
    assert "--calibrate" not in _applied_calibration(fake)
    fake.data = {"calibration": {**fine, "method": "platt", "applied": "Platt scaling (…)"}}
    assert _applied_calibration(fake).startswith("The probabilities are recalibrated: Platt")


def test_the_run_report_says_which_calibration_was_applied(credit_platt):
    _, run = credit_platt
    html = (run / "report.html").read_text()
    assert "The probabilities are recalibrated: Platt scaling" in html
    assert "out-of-fold development predictions" in html


def test_isotonic_never_gives_a_probability_of_exactly_zero_or_one():
    """German credit with --calibrate isotonic: 32 of 800 applicants got PD = 0.0, and on
    a later sample one of them defaulting turned "still performs" into "recalibrate" (a
    logit of -20 drives the calibration slope). The curve keeps half an event away."""
    rng = np.random.default_rng(0)
    p = rng.random(800)
    y = (rng.random(800) < p**3).astype(float)  # the lowest scores hold no event at all
    curve = fit_calibrator("isotonic", y, p)
    out = curve.apply(np.array([0.0, 0.001, 0.5, 1.0]))
    assert out.min() == pytest.approx(0.5 / 800) and out.max() <= 1 - 0.5 / 800
    assert (np.diff(out) >= 0).all()
