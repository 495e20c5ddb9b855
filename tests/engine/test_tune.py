"""End-to-end runs of the engine on tiny budgets."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.engine.families.models import Model
from tuneplate.engine.search.study import JOURNAL_FILE


def _completed(result):
    return result.trials[result.trials["state"] == "COMPLETE"]


def test_results_report_the_best_trial_and_an_honest_holdout():
    result = tuneplate.tune("credit-risk", strategy="random", n_trials=4, seed=1)
    done = _completed(result)
    best = done.loc[done["value"].idxmax()]
    assert result.validation == best["value"]
    for name, value in result.best_params.items():
        if f"params_{name}" in best:
            assert value == best[f"params_{name}"]
    assert 0.6 < result.holdout < 0.95
    assert result.data["holdout_rows"] == 200 and result.data["development_rows"] == 800
    assert done["train"].notna().all()
    assert result.counts == {"completed": 4, "pruned": 0, "failed": 0}
    low, high = result.holdout_interval  # bootstrap over the 200 hold-out rows
    assert low < result.holdout < high and 0.02 < high - low < 0.3


def test_model_scores_raw_rows_like_a_classifier(german_credit):
    result = tuneplate.tune("credit-risk", strategy="random", n_trials=2)
    proba = result.model.predict_proba(german_credit.drop(columns=["creditability"]).head(7))
    assert proba.shape == (7, 2)
    assert np.allclose(proba.sum(axis=1), 1)


@pytest.mark.parametrize("family", ["lightgbm", "xgboost", "logistic"])
def test_every_family_tunes_saves_and_reloads(family, tmp_path, german_credit):
    result = tuneplate.tune("credit-risk", model=family, strategy="random", n_trials=2)
    assert result.model_family == family
    result.save(tmp_path)
    assert not list(tmp_path.glob("*.pkl")) and not list(tmp_path.glob("*.pickle"))
    rows = german_credit.head(25)
    again = Model.load(tmp_path).predict_proba(rows)
    assert np.allclose(again, result.model.predict_proba(rows), atol=1e-6)
    # a loaded run saves again, to the same scores (boosters loaded from their files
    # had no `booster_`: the save crashed after writing results.json)
    copy = tmp_path / "copy"
    tuneplate.Results.load(tmp_path).save(copy)
    assert tuneplate.Results.load(copy).model_family == family
    np.testing.assert_array_equal(Model.load(copy).predict_proba(rows), again)


@pytest.mark.parametrize("strategy", ["bayes", "random", "cmaes", "grid"])
def test_same_seed_same_trials(strategy):
    def run():
        r = tuneplate.tune("credit-risk", model="logistic", strategy=strategy, n_trials=4, seed=5)
        return r.trials.drop(columns=["duration_s", "finished_s"])  # timings vary

    pd.testing.assert_frame_equal(run(), run())


def test_resume_adds_trials_to_the_same_study(tmp_path):
    first = tuneplate.tune(
        "credit-risk", strategy="random", n_trials=2, storage="journal", run_dir=tmp_path
    )
    assert (tmp_path / JOURNAL_FILE).exists()
    second = tuneplate.tune(
        "credit-risk", strategy="random", n_trials=4, storage="journal", run_dir=tmp_path
    )
    assert len(second.trials) == 4
    cols = [c for c in first.trials if c.startswith("params_")] + ["value"]
    pd.testing.assert_frame_equal(first.trials[cols], second.trials[cols].head(2))


def test_interrupted_trial_is_rerun_on_resume(tmp_path, monkeypatch):
    from tuneplate.engine import tune as engine_tune

    real = engine_tune.make_objective

    def interrupting(*args, **kwargs):
        objective = real(*args, **kwargs)

        def wrapped(trial):
            if trial.number == 2:
                raise KeyboardInterrupt
            return objective(trial)

        return wrapped

    monkeypatch.setattr(engine_tune, "make_objective", interrupting)
    with pytest.raises(KeyboardInterrupt):
        tuneplate.tune(
            "credit-risk", strategy="random", n_trials=4, storage="journal", run_dir=tmp_path
        )
    monkeypatch.setattr(engine_tune, "make_objective", real)
    result = tuneplate.tune(
        "credit-risk", strategy="random", n_trials=4, storage="journal", run_dir=tmp_path
    )
    assert result.counts["completed"] == 4
    assert result.counts["failed"] == 1  # the interrupted one, kept for the record


def test_a_fit_that_raises_fails_its_trial_with_the_reason_and_the_search_goes_on(monkeypatch):
    from dataclasses import replace

    from tuneplate.engine.families import models

    family = models.FAMILIES["lightgbm"]
    calls = []

    def fit(*args, **kwargs):
        calls.append(1)
        if len(calls) == 6:  # the first fold of the second trial
            raise MemoryError("out of memory in one fit")
        return family.fit(*args, **kwargs)

    monkeypatch.setitem(models.FAMILIES, "lightgbm", replace(family, fit=fit))
    result = tuneplate.tune("credit-risk", model="lightgbm", strategy="random", n_trials=4)
    assert result.counts == {"completed": 3, "pruned": 0, "failed": 1}  # a failure is a trial spent
    failed = result.trials[result.trials["state"] == "FAIL"]
    assert failed["number"].tolist() == [1]
    assert failed["fail_reason"].tolist() == ["MemoryError: out of memory in one fit"]


def test_out_of_time_split_holds_out_the_latest_applications(german_credit):
    rng = np.random.default_rng(0)
    dated = german_credit.assign(
        applied=pd.Timestamp("2020-01-01")
        + pd.to_timedelta(rng.integers(0, 1500, len(german_credit)), "D")
    )
    result = tuneplate.tune(
        "credit-risk", dated, target="creditability", time="applied", strategy="random", n_trials=2
    )
    assert "out-of-time" in result.data["split"]
    assert "applied" not in result.model.schema.names


def test_protected_attributes_stay_out_of_the_model():
    result = tuneplate.tune("credit-risk", strategy="random", n_trials=2)
    assert "personal_status_and_sex" not in result.model.schema.names
    fairness = result.table("fairness")
    assert set(fairness.frame["Attribute"]) >= {"personal_status_and_sex", "age_in_years"}


def test_pruner_prunes_over_folds():
    result = tuneplate.tune(
        "credit-risk", model="logistic", strategy="random", n_trials=12, pruner="median"
    )
    assert result.counts["completed"] + result.counts["pruned"] == 12
    assert result.counts["pruned"] > 0  # poor C values are stopped after a fold or two


def test_checks_failed_names_the_column(loans):
    leaky = loans.assign(chargeoff_amount=(loans["status"] == "bad") * 900.0)
    with pytest.raises(tuneplate.TuneplateError, match="chargeoff_amount"):
        tuneplate.tune("credit-risk", leaky, target="status", n_trials=2)


def test_metric_can_be_chosen_and_sets_the_direction():
    result = tuneplate.tune(
        "credit-risk", model="logistic", strategy="random", n_trials=3, metric="log_loss"
    )
    assert (result.metric.name, result.metric.direction) == ("log_loss", "minimize")
    done = result.trials[result.trials["state"] == "COMPLETE"]
    assert result.validation == done["value"].min()


def test_unknown_metric_is_refused():
    with pytest.raises(tuneplate.TuneplateError, match="unknown metric 'f1'.*roc_auc"):
        tuneplate.tune("credit-risk", n_trials=2, metric="f1")


def test_results_show_a_compact_summary_in_notebooks():
    result = tuneplate.tune("credit-risk", n_trials=2, model="logistic")
    summary = result._repr_html_()
    assert summary.startswith("<table>")
    assert f"{result.holdout:.4f}" in summary and "2 completed" in summary


def test_time_split_reports_score_stability_and_every_run_a_baseline(german_credit):
    rng = np.random.default_rng(1)
    dated = german_credit.assign(
        applied=pd.Timestamp("2021-01-01")
        + pd.to_timedelta(rng.integers(0, 900, len(german_credit)), "D")
    )
    result = tuneplate.tune(
        "credit-risk", dated, target="creditability", time="applied", n_trials=2
    )
    assert 0 <= result.stability["psi"] < 1 and result.stability["bands"] == 10
    assert result.baseline["family"] == "scorecard" and 0.5 < result.baseline["holdout"] < 1


def test_no_trial_starts_once_the_time_budget_has_ended():
    """The first trial to meet the deadline stops the study: before, the sampler's own
    timeout (measured from a later moment) let several more trials start, each pruned
    on its first fold, and the report counted them as trials."""
    import optuna

    from tuneplate.engine.search.objective import STOPPED, FoldScore, make_objective

    class TwoFolds:
        n_steps, reports_folds = 2, True

        def suggest(self, trial):
            return None, {"x": trial.suggest_float("x", 0, 1)}

        def score(self, family, params, step, guard):
            return FoldScore(valid=params["x"], train=params["x"])

    study = optuna.create_study()
    already_over = 0.0  # a time.monotonic() instant long past
    study.optimize(make_objective(TwoFolds(), deadline=already_over), n_trials=20)
    assert len(study.trials) == 1
    assert study.trials[0].state == optuna.trial.TrialState.PRUNED
    assert study.trials[0].user_attrs[STOPPED] is True


def test_a_model_that_cannot_be_saved_leaves_no_results_file(tmp_path, monkeypatch):
    """results.json was written before the model: a failed model save left a folder that
    reads as a run, beside another run's model file (a fresh user's report)."""
    result = tuneplate.tune("credit-risk", model="logistic", strategy="random", n_trials=2)

    def broken(folder):
        raise OSError("disk full")

    monkeypatch.setattr(result.model, "save", broken)
    with pytest.raises(OSError):
        result.save(tmp_path)
    assert not (tmp_path / "results.json").exists()


# The search's clock starts only once the model libraries are in: they are imported at
# first use (for a quick command line), and importing LightGBM loads scikit-learn, seconds
# that the first trial's budget would otherwise pay. A fresh process, so nothing is loaded.
LOADED_AT_THE_CLOCK = """
import sys
import tuneplate
from tuneplate.engine.search import study as studies

def at_the_clock(*args, **kwargs):
    names = ("lightgbm", "sklearn.linear_model", "sklearn.metrics")
    print("loaded", [name for name in names if name in sys.modules])
    raise SystemExit(0)

studies.run = at_the_clock
tuneplate.tune("diagnosis", model="lightgbm", n_trials=1)
"""


def test_the_search_clock_starts_after_its_libraries_are_imported(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", LOADED_AT_THE_CLOCK],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-1500:]
    # LightGBM (the tuned family), logistic regression (diagnosis's baseline) and the scores
    assert done.stdout.strip().splitlines()[-1] == (
        "loaded ['lightgbm', 'sklearn.linear_model', 'sklearn.metrics']"
    )
