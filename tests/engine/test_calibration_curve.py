"""The hold-out calibration curve (binned rates with Jeffreys intervals and a smoother),
credit risk's per-band Jeffreys test, and `central_tendency` (a log-odds shift saved in
the model so the development rows' mean PD is the stated long-run default rate)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_checks import without_tuneplate
from scipy.stats import beta
from sklearn.metrics import roc_auc_score

import tuneplate
from tuneplate.cli import main
from tuneplate.engine import tune as tune_module
from tuneplate.engine.contract.calibration import Calibrator
from tuneplate.engine.families.models import Model
from tuneplate.engine.results import Results
from tuneplate.engine.tasks.binary.calibration import central_tendency_shift
from tuneplate.engine.tasks.binary.calibration_curve import (
    MIN_BIN_ROWS,
    CalibrationCurve,
    bin_count,
    calibration_curve,
    jeffreys_interval,
)
from tuneplate.reports.calibration_charts import curve_title
from tuneplate.reports.render import render
from tuneplate.verticals.credit_risk.metrics import (
    P_VALUE,
    TOO_FEW,
    VERDICT,
    calibration_table,
    jeffreys_p_value,
)

CHEAP = {"strategy": "random", "n_trials": 3, "seed": 0}
RATE = 0.04


# ------------------------------------------------------------------------ hand cases


def test_jeffreys_interval_is_the_beta_quantiles_with_open_ends_at_0_and_n():
    low, high = jeffreys_interval(5, 100)
    assert low == pytest.approx(beta.ppf(0.025, 5.5, 95.5), abs=1e-12)
    assert high == pytest.approx(beta.ppf(0.975, 5.5, 95.5), abs=1e-12)
    assert (round(low, 4), round(high, 4)) == (0.0193, 0.1061)
    assert jeffreys_interval(0, 30)[0] == 0.0 and jeffreys_interval(30, 30)[1] == 1.0
    with pytest.raises(ValueError):
        jeffreys_interval(3, 2)


def test_jeffreys_p_value_hand_case_and_its_direction():
    """N=100, D=5, PD=3%: p = BetaCDF(0.03; 5.5, 95.5) = 0.1236, not significant; the
    test is one-sided: small only when the observed rate is well ABOVE the PD."""
    assert jeffreys_p_value(0.03, 5, 100) == pytest.approx(0.12356, abs=1e-4)
    assert jeffreys_p_value(0.03, 5, 100) == pytest.approx(beta.cdf(0.03, 5.5, 95.5))
    assert jeffreys_p_value(0.01, 10, 100) < 0.001  # 10% observed against 1%: PD too low
    assert jeffreys_p_value(0.20, 10, 100) > 0.99  # over-estimation is not flagged


def test_calibration_table_tests_each_band_and_leaves_small_bands_untested():
    rng = np.random.default_rng(0)
    pd_ = rng.uniform(0.02, 0.3, 400)
    y = (rng.uniform(size=400) < 3 * pd_).astype(int)  # risk three times the PD
    table = calibration_table(y, pd_)
    assert (table[VERDICT] == "PD too low").sum() >= 8  # 10 bands of 40, mostly rejected
    assert (table[P_VALUE] < 0.05).sum() == (table[VERDICT] == "PD too low").sum()
    small = calibration_table(y[:27], pd_[:27])  # 3 bands of 9: under the 10-row rule
    assert (small[VERDICT] == TOO_FEW).all() and small[P_VALUE].isna().all()


# ----------------------------------------------------------------------------- curve


@pytest.mark.parametrize("n", [12, 45, 200, 301, 5000])
def test_curve_bins_respect_the_minimum_count(n):
    rng = np.random.default_rng(n)
    p = rng.beta(2, 5, n)
    y = (rng.uniform(size=n) < p).astype(int)
    curve = calibration_curve(y, p)
    rows = [b.rows for b in curve.bins]
    assert len(rows) == bin_count(n) == min(10, max(1, n // 30)) and sum(rows) == n
    assert min(rows) >= MIN_BIN_ROWS and max(rows) - min(rows) <= 1  # quantile bins
    for b in curve.bins:
        assert b.low <= b.observed <= b.high
        assert (b.low, b.high) == jeffreys_interval(b.events, b.rows)
    assert calibration_curve(y[: MIN_BIN_ROWS - 1], p[: MIN_BIN_ROWS - 1]) is None


def test_curve_saves_no_single_rows_score_and_its_smoother_tracks_the_truth():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.6, 3000)
    y = (rng.uniform(size=3000) < p).astype(int)  # perfectly calibrated
    curve = calibration_curve(y, p)
    saved = curve.to_dict()
    assert CalibrationCurve.from_dict(saved) == curve
    numbers = [v for b in saved["bins"] for v in b.values()] + saved["smooth"]["predicted"]
    assert not set(numbers) & set(p.tolist())  # no row's own score (e.g. the min or max)
    assert curve.smooth_x[0] == curve.bins[0].predicted  # spans the bins' means only
    gap = np.abs(np.array(curve.smooth_y) - np.array(curve.smooth_x))
    assert gap.max() < 0.05
    assert curve_title(curve).startswith("Predicted and observed rates agree")
    off = calibration_curve(y, np.clip(p * 2.5, 0, 0.99))  # risks 2.5 times too high
    assert "over-predicts" in curve_title(off)


def test_one_or_two_bins_are_not_called_an_agreeing_curve():
    """A small hold-out gave one bin: "agree: in all 1 bins …" under a calibration slope
    of -0.15 that the page called miscalibrated (a fresh user's run)."""
    from tuneplate.engine.tasks.binary.calibration_curve import CurveBin

    one = CalibrationCurve((CurveBin(40, 14, 0.33, 0.35, 0.21, 0.5),))
    title = curve_title(one)
    assert "agree" not in title and "1 bin," in title and "calibration slope" in title
    two = CalibrationCurve(one.bins * 2)
    assert "2 bins" in curve_title(two) and "agree" not in curve_title(two)


# ------------------------------------------------------------------ central tendency


def test_the_shift_solves_the_mean_and_composes_after_platt():
    p = np.random.default_rng(2).beta(2, 4, 500)
    shift = central_tendency_shift(p, RATE)
    c = Calibrator("shift", shift=shift)
    assert c.apply(p).mean() == pytest.approx(RATE, abs=1e-9)
    platt = Calibrator("platt", slope=0.9, intercept=0.1, shift=shift)
    assert Calibrator.from_dict(platt.to_dict()) == platt
    assert "shift" not in Calibrator("platt", 0.9, 0.1).to_dict()  # old files unchanged


@pytest.fixture(scope="module")
def runs():
    """German credit seed 0, without and with central_tendency=0.04."""
    plain = tuneplate.tune("credit-risk", **CHEAP)
    shifted = tuneplate.tune("credit-risk", assumptions={"central_tendency": RATE}, **CHEAP)
    return plain, shifted


def _development(result, german_credit):
    return german_credit.iloc[result.split_rows["development"]]


def test_central_tendency_sets_the_development_mean_pd_inside_the_saved_model(
    runs, german_credit, tmp_path
):
    plain, shifted = runs
    dev = _development(shifted, german_credit)
    for model in (shifted.model, shifted.baseline_model):  # tuned, and the kept baseline
        if model is None:
            continue
        assert model.calibrator.method == "shift"
        assert model.predict_proba(dev)[:, 1].mean() == pytest.approx(RATE, abs=1e-6)
    shifted.model.save(tmp_path)
    reloaded = Model.load(tmp_path)
    assert reloaded.calibrator == shifted.model.calibrator
    np.testing.assert_array_equal(reloaded.predict_proba(dev), shifted.model.predict_proba(dev))
    # only the levels move: the hold-out ranking (ROC AUC) is the same
    assert shifted.holdout == pytest.approx(plain.holdout, abs=1e-12)
    hold = german_credit.iloc[shifted.split_rows["holdout"]]
    y = (hold["creditability"].astype(str) == shifted.config["positive"]).astype(int)
    assert roc_auc_score(y, reloaded.predict_proba(hold)[:, 1]) == pytest.approx(plain.holdout)
    assert shifted.holdout_metrics["mean_pd"] < plain.holdout_metrics["mean_pd"]


def test_central_tendency_is_printed_beside_the_figures_it_moves(runs):
    _, shifted = runs
    words = "long-run default rate of 4.0%"
    assert words in shifted.headline.summary[0]
    assert words in shifted.headline.cards[2].assumption  # expected loss
    assert words in shifted.table("cutoffs").note
    assert words in shifted.table("calibration").note  # mean PD
    assert "central tendency" in shifted.data["calibration"]["applied"]


def test_platt_then_the_shift_is_saved_reloaded_and_exported_alike(german_credit, tmp_path):
    """--calibrate platt with --assume central_tendency: one map in model.json (Platt's
    coefficients, then the shift); the reloaded run and the exported project (without
    tuneplate) score the same, and the development mean PD is the stated rate."""
    data, run, project = tmp_path / "german.csv", tmp_path / "run", tmp_path / "project"
    german_credit.to_csv(data, index=False)
    argv = ["run", "credit-risk", "--data", str(data), "--target", "creditability"]
    argv += ["--strategy", "random", "--trials", "3", "--storage", "memory"]
    argv += ["--calibrate", "platt", "--assume", f"central_tendency={RATE}", "--out", str(run)]
    assert main(argv) == 0
    saved = json.loads((run / "model.json").read_text())["calibration"]
    assert saved["method"] == "platt" and saved["central_tendency"] == RATE
    assert saved["shift"] != 0 and {"slope", "intercept"} <= set(saved)
    results = Results.load(run)
    split = json.loads((run / "split.json").read_text())
    dev = german_credit.iloc[split["development"]]
    assert results.model.predict_proba(dev)[:, 1].mean() == pytest.approx(RATE, abs=1e-6)
    assert main(["export", str(run), "--to", str(project)]) == 0
    done = without_tuneplate(project, "score.py", "--data", str(data), "--out", "s.csv")
    assert done.returncode == 0, done.stderr
    exported = pd.read_csv(project / "s.csv")["probability"].to_numpy()
    expected = results.model.predict_proba(pd.read_csv(data))[:, 1]
    np.testing.assert_allclose(exported, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("value", ["2", "0", "1", "-0.1"])
def test_the_cli_refuses_an_impossible_central_tendency(value, tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        pytest.fail("the input was accepted and the run went on to read the data")

    monkeypatch.setattr(tune_module, "prepare", refuse)
    monkeypatch.setattr("tuneplate.cli.execute", refuse)
    out = tmp_path / "run"
    code = main(["run", "credit-risk", "--out", str(out), "--assume", f"central_tendency={value}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert "central_tendency" in err[0] and "above 0 and below 1" in err[0], err[0]
    assert "--assume central_tendency=VALUE" in err[0] and not out.exists()
    with pytest.raises(tuneplate.TuneplateError, match="central_tendency"):
        tuneplate.tune("credit-risk", n_trials=1, assumptions={"central_tendency": float(value)})


# ---------------------------------------------------------------------------- report


def test_the_report_shows_the_curve_and_the_jeffreys_table(runs):
    _, shifted = runs
    html = render(shifted)
    reliability = html.split('<section id="reliability">')[1].split("</section>")[0]
    assert "95% Jeffreys interval" in reliability  # the curve's caption
    assert "The model misses in" in reliability  # its title: PDs far below 30% defaults
    assert "Jeffreys p-value" in reliability and "PD too low" in reliability
    assert "significantly above the predicted PD" in reliability
    assert "rate of 4.0% (central tendency)" in reliability
