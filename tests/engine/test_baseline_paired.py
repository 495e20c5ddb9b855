"""The tuned model against the vertical's simple baseline: a paired bootstrap of the
difference on the same hold-out rows, its direction, the decision, and the record's
round trip through results.json (older files still load)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import tuneplate
from tuneplate.engine.metrics import METRICS
from tuneplate.engine.results import Baseline, Results
from tuneplate.engine.tasks.binary.evaluation import decide, paired_difference

FEW = 200  # resamples: enough for these clear-cut cases, and quick


def _outcome(n: int = 400, seed: int = 0):
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.05, 0.95, n)
    y = (rng.random(n) < truth).astype(int)
    return y, truth


def test_identical_predictions_give_zero_and_a_zero_interval():
    y, p = _outcome()
    difference, interval = paired_difference(
        y, p, p.copy(), roc_auc_score, True, seed=0, resamples=FEW
    )
    assert difference == 0.0 and interval == (0.0, 0.0)
    assert decide(interval) == "same"


@pytest.mark.parametrize("name", ["log_loss", "brier", "roc_auc"])
def test_the_difference_is_positive_when_the_tuned_model_is_better(name):
    metric = METRICS[name]
    y, truth = _outcome(600)
    noisy = np.clip(truth + np.random.default_rng(1).normal(0, 0.35, len(y)), 0.01, 0.99)
    maximize = metric.direction == "maximize"
    better = paired_difference(y, truth, noisy, metric.score, maximize, seed=0, resamples=FEW)
    worse = paired_difference(y, noisy, truth, metric.score, maximize, seed=0, resamples=FEW)
    # For a loss, lower is better: the difference is baseline loss − tuned loss.
    expected = (1 if maximize else -1) * (metric.score(y, truth) - metric.score(y, noisy))
    assert better[0] == pytest.approx(expected) and better[0] > 0
    assert worse[0] == pytest.approx(-better[0])
    assert decide(better[1]) == "better" and decide(worse[1]) == "worse"
    low, high = better[1]
    assert low <= better[0] <= high


def test_no_interval_on_a_tiny_holdout_and_the_difference_unjudged():
    y, p = _outcome(12)
    difference, interval = paired_difference(
        y, p, p[::-1], roc_auc_score, True, seed=0, resamples=FEW
    )
    assert np.isfinite(difference) and interval is None and decide(None) == "unjudged"
    assert Baseline("logistic", "L2", {}, 0.7, difference, None, "unjudged").recommended


def test_an_older_four_key_baseline_loads_as_not_compared():
    old = {"family": "logistic", "label": "L2", "params": {"C": 1.0}, "holdout": 0.75}
    base = Baseline.from_dict(old)
    assert base.decision == "" and not base.recommended and base.headline is None
    assert dict(base) == old and base["holdout"] == 0.75 and base.get("difference") is None
    assert not Baseline.from_dict({}) and Baseline().to_dict() == {}


def _linear_table(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    """A logistic model is right here: a linear signal with noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    logit = 1.2 * X[:, 0] - 0.8 * X[:, 1] + 0.5 * X[:, 2]
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    frame["default"] = np.where(y, "bad", "good")
    return frame


@pytest.fixture(scope="module")
def losing(tmp_path_factory) -> tuple[Results, Results]:
    result = tuneplate.tune(
        "credit-risk",
        _linear_table(),
        "default",
        model="lightgbm",
        strategy="random",
        n_trials=3,
        seed=0,
    )
    folder = tmp_path_factory.mktemp("losing")
    result.save(folder)
    return result, Results.load(folder, model=False)


def test_a_real_run_pairs_the_same_rows_and_evaluates_the_recommended_baseline(losing):
    result, _ = losing
    base = result.baseline
    assert base.family == "scorecard" and base.decision in ("same", "worse")
    assert base.recommended and base.tuned_label.startswith("LightGBM")
    # Same rows, same metric: the point difference is the two recorded hold-out scores'.
    assert base.difference == pytest.approx(result.holdout - base.holdout, abs=1e-12)
    low, high = base.interval
    assert low <= base.difference <= high and high >= 0 or base.decision == "worse"
    # Evaluated like the tuned model: its own headline cards, tables and metrics.
    assert base.headline is not None and len(base.headline.cards) == 3
    assert base.metrics["roc_auc"] == pytest.approx(base.holdout)
    assert {t.key for t in base.tables} == {t.key for t in result.tables}
    assert base.headline.cards != result.headline.cards
    assert base["holdout"] == base.holdout  # still reads as the dict it was


def test_the_record_round_trips_through_results_json(losing):
    result, loaded = losing
    # results.json says whose figures the report shows: its top-level headline is the
    # tuned model's, and a reviewer's script read it as the recommended model's
    assert result.to_dict()["recommended"] == "baseline" == loaded.to_dict()["recommended"]
    # the recommended baseline's own hold-out score carries its interval, on the first screen
    low, high = result.baseline.holdout_interval
    assert low <= result.baseline.holdout <= high
    assert loaded.baseline.holdout_interval == result.baseline.holdout_interval
    from tuneplate.reports.verdict import verdict

    assert f"(95% interval {low:.3f}–{high:.3f})" in " ".join(
        verdict(loaded).reasons + [verdict(loaded).versus]
    )
    assert loaded.baseline.to_dict() == result.baseline.to_dict()
    assert loaded.baseline.headline == result.baseline.headline
    assert loaded.baseline.interval == result.baseline.interval


@pytest.mark.parametrize("name", ["roc_auc", "log_loss", "brier"])
def test_the_many_resamples_form_equals_the_metric_on_each_resample(name):
    """Intervals use `Objective.rows` (one call for 1,000 resamples): it must be the same
    score as the metric itself, ties, one-class resamples and extreme probabilities too."""
    metric = METRICS[name]
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, (40, 60))
    y[0] = 1  # one class only: not scorable by ROC AUC
    scores = np.round(rng.random((40, 60)), 1)  # many ties
    scores[1, :5] = [0.0, 1.0, 0.0, 1.0, 0.0]  # probabilities the log-loss clips
    got = metric.rows(y, scores)
    for i in range(len(y)):
        try:
            want = metric.score(y[i], scores[i])
        except ValueError:
            want = np.nan
        np.testing.assert_allclose(got[i], want, rtol=0, atol=1e-12, equal_nan=True)


def test_the_interval_is_the_same_with_and_without_the_many_resamples_form():
    """The fast path changes the cost, not the figure: same resamples, same interval."""
    from tuneplate.engine.tasks.binary import evaluation

    y, truth = _outcome(n=150)
    noisy = np.clip(truth + np.random.default_rng(1).normal(0, 0.3, len(y)), 0, 1)
    fast = paired_difference(y, truth, noisy, roc_auc_score, True, seed=0, resamples=FEW)
    slow = paired_difference(
        y, truth, noisy, lambda a, b: roc_auc_score(a, b), True, seed=0, resamples=FEW
    )
    assert evaluation.rows_version(roc_auc_score) is not None
    assert fast[0] == pytest.approx(slow[0], abs=1e-12)
    np.testing.assert_allclose(fast[1], slow[1], atol=1e-12)


# -- --group: intervals resample whole groups (rows of one patient move together) -------


def _repeated(n_groups: int = 60, visits: int = 8, seed: int = 0):
    """Each patient's one outcome and two models' risks, repeated over `visits` rows."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n_groups) < 0.4).astype(int)
    tuned = np.clip(0.3 * y + rng.uniform(0, 0.7, n_groups), 0.01, 0.99)
    base = np.clip(0.2 * y + rng.uniform(0, 0.8, n_groups), 0.01, 0.99)
    ids = np.repeat(np.arange(n_groups), visits).astype(str)
    return y, tuned, base, ids, lambda a: np.repeat(a, visits)


def test_repeated_rows_of_one_group_do_not_narrow_the_interval():
    """60 patients seen 8 times each hold the evidence of 60 patients, not 480: resampling
    rows would shrink the interval about sqrt(8) times; resampling patients does not."""
    from tuneplate.engine.tasks.binary.evaluation import holdout_interval

    y, tuned, _, ids, rep = _repeated()
    per_patient = holdout_interval(y, tuned, roc_auc_score, seed=0)
    by_row = holdout_interval(rep(y), rep(tuned), roc_auc_score, seed=0)
    by_group = holdout_interval(rep(y), rep(tuned), roc_auc_score, seed=0, groups=ids)

    def width(i):
        return i[1] - i[0]

    assert width(by_row) < 0.6 * width(per_patient)  # the fault: too narrow by rows
    assert width(by_group) == pytest.approx(width(per_patient), rel=0.25)


def test_the_paired_difference_resamples_groups_once_for_both_models():
    y, tuned, base, ids, rep = _repeated(seed=1)
    d_patient, per_patient = paired_difference(y, tuned, base, roc_auc_score, True, seed=0)
    d_group, by_group = paired_difference(
        rep(y), rep(tuned), rep(base), roc_auc_score, True, seed=0, groups=ids
    )
    _, by_row = paired_difference(rep(y), rep(tuned), rep(base), roc_auc_score, True, seed=0)
    assert d_group == pytest.approx(d_patient)  # the same figure; only its interval differs
    assert by_row[1] - by_row[0] < 0.6 * (per_patient[1] - per_patient[0])
    assert by_group[1] - by_group[0] == pytest.approx(per_patient[1] - per_patient[0], rel=0.25)


def _visits(patients: int, seed: int, visits: int = 6) -> pd.DataFrame:
    """Patients seen `visits` times each, whose death depends on their own x."""
    rng = np.random.default_rng(seed)
    x = np.repeat(rng.normal(size=patients), visits) + rng.normal(0, 0.3, patients * visits)
    event = np.repeat(rng.random(patients), visits) < 1 / (1 + np.exp(-2 * x))
    return pd.DataFrame({"x": x, "patient": np.repeat(np.arange(patients), visits),
                         "died": np.where(event, "yes", "no")})  # fmt: skip


def test_a_grouped_run_reports_the_group_resampled_interval():
    from tuneplate.engine.contract.intervals import calibration
    from tuneplate.engine.metrics import get_metric
    from tuneplate.engine.tasks.binary.evaluation import holdout_interval

    table = _visits(patients=150, seed=4)
    r = tuneplate.tune("diagnosis", table, target="died", group="patient", model="logistic",
                       strategy="random", n_trials=2)  # fmt: skip
    hold = np.asarray(r.split_rows["holdout"])
    y = (table["died"] == "yes").to_numpy().astype(int)[hold]
    scores = r.model.predict_proba(table.iloc[hold].drop(columns="died"))[:, 1]
    score = get_metric(r.metric.name).score
    ids = table["patient"].astype(str).to_numpy()[hold]
    grouped = holdout_interval(y, scores, score, seed=0, groups=ids)
    assert r.holdout_interval == pytest.approx(grouped)
    assert r.holdout_interval != pytest.approx(holdout_interval(y, scores, score, seed=0))
    # calibration-in-the-large and the slope: the cluster-robust intervals, not the rows'
    saved = r.data["calibration"]
    for name in ("intercept_interval", "slope_interval"):
        robust, by_rows = (getattr(calibration(y, scores, g), name) for g in (ids, None))
        assert saved[name] == pytest.approx(list(robust))
        assert saved[name][1] - saved[name][0] > by_rows[1] - by_rows[0]


def test_too_few_groups_give_no_interval_rather_than_a_false_one():
    """One patient's rows resampled whole give the same score every time: a zero-width
    interval that would decide 'better' or 'worse' on one patient."""
    from tuneplate.engine.tasks.binary.evaluation import MIN_GROUPS, holdout_interval

    y, tuned, base, ids, rep = _repeated(n_groups=MIN_GROUPS - 1)
    assert holdout_interval(rep(y), rep(tuned), roc_auc_score, seed=0, groups=ids) is None
    _, interval = paired_difference(
        rep(y), rep(tuned), rep(base), roc_auc_score, True, seed=0, groups=ids
    )
    assert interval is None
    y, tuned, _, ids, rep = _repeated(n_groups=MIN_GROUPS)
    assert holdout_interval(rep(y), rep(tuned), roc_auc_score, seed=0, groups=ids) is not None


def test_a_difference_that_cannot_be_judged_recommends_the_simple_model(tmp_path):
    """Twelve hold-out patients under --group: no interval, so nothing shows the tuned
    model better, yet it was recommended while the report said "the tuned model is
    recommended only when the whole interval is in its favour" (a clinical reviewer)."""
    from tuneplate.reports.sections import comparison_sentence
    from tuneplate.reports.verdict import verdict

    table = _visits(patients=60, seed=5)
    r = tuneplate.tune("diagnosis", table, target="died", group="patient", model="lightgbm",
                       strategy="random", n_trials=2)  # fmt: skip
    assert r.baseline.interval is None and r.baseline.decision == "unjudged"
    assert r.baseline.recommended and r.baseline.headline is not None  # its own figures
    decided = verdict(r)
    assert decided.recommended == "baseline" and decided.level != "good"
    assert "is not shown to beat" in decided.versus and "no interval" in decided.versus
    assert "so the simpler model is" in comparison_sentence(r)
    r.save(tmp_path / "run")
    assert verdict(Results.load(tmp_path / "run")).recommended == "baseline"  # re-rendered alike
    r.report(tmp_path / "report.html")  # the subtitle and the export say "not shown" too
    page = (tmp_path / "report.html").read_text()
    assert "was not shown to beat" in page and "did not beat" not in page
    from tuneplate.export import export_run

    readme = (export_run(tmp_path / "run", tmp_path / "project") / "README.md").read_text()
    assert "was not shown to beat" in readme and "did not beat" not in readme


def test_the_terminal_gives_the_recommended_baseline_its_interval(tmp_path, capsys):
    """The console's "recommended: the simple …, hold-out 0.392" had no interval while the
    tuned model's line had one."""
    from tuneplate.cli import main

    data = tmp_path / "linear.csv"
    _linear_table().to_csv(data, index=False)
    args = ["run", "credit-risk", "--data", str(data), "--target", "default",
            "--model", "lightgbm", "--strategy", "random", "--trials", "3",
            "--out", str(tmp_path / "r")]  # fmt: skip
    assert main(args) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("recommended:"))
    assert ", hold-out 0." in line and "(95% interval 0." in line.split(";")[0], line


def test_a_batch_with_two_events_gets_no_interval_and_no_library_warning():
    """`tuneplate validate` on 40 rows of Stack Overflow's survey (a few events): some
    resamples hold one class, the bound is NaN and the answer None, and scipy's
    DegenerateDataWarning printed a library line and its source on stderr."""
    import warnings

    from tuneplate.engine.tasks.binary.evaluation import holdout_interval

    y = np.zeros(40, dtype=int)
    y[:2] = 1
    scores = np.linspace(0, 1, 40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert holdout_interval(y, scores, roc_auc_score, seed=0) is None
        assert paired_difference(y, scores, scores[::-1], roc_auc_score, True, seed=0)[1] is None
