"""The one-SE rule: the simple baseline's settings are kept unless the best trial clearly
beats them on the same validation folds."""

import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import create_trial

import tuneplate
from tuneplate.engine.config import Config
from tuneplate.engine.search.selection import BASELINE, paired_gain, select
from tuneplate.engine.search.space import FAMILY
from tuneplate.engine.tune import plan
from tuneplate.reports.verdict import verdict
from tuneplate.verticals import load_vertical

C = {"C": FloatDistribution(1e-3, 1e2, log=True)}


def _study(direction: str, *trials: tuple[float, list[float], str | None]) -> optuna.Study:
    study = optuna.create_study(direction=direction)
    for c, (value, folds, source) in enumerate(trials, start=1):
        attrs = {"fold_scores": folds, **({"source": source} if source else {})}
        study.add_trial(
            create_trial(params={"C": float(c)}, distributions=C, value=value, user_attrs=attrs)
        )
    return study


def _complete(study):
    return study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))


def test_a_best_trial_within_one_standard_error_keeps_the_baseline():
    # +0.004 on average, but the folds disagree (SE 0.0075): not clear evidence
    study = _study(
        "maximize",
        (0.780, [0.78, 0.76, 0.80, 0.77, 0.79], BASELINE),
        (0.784, [0.80, 0.75, 0.79, 0.79, 0.79], None),
    )
    trial, how = select(study, _complete(study))
    assert trial.number == 0 and how.kept and how.best == 1
    assert how.difference == pytest.approx(0.004)
    assert how.se > how.difference


def test_a_best_trial_beyond_one_standard_error_is_refitted():
    # +0.01 on every fold: clear
    study = _study(
        "maximize",
        (0.780, [0.78, 0.76, 0.80, 0.77, 0.79], BASELINE),
        (0.790, [0.79, 0.77, 0.81, 0.78, 0.80], None),
    )
    trial, how = select(study, _complete(study))
    assert trial.number == 1 and not how.kept and how.rule == "best"
    assert how.difference == pytest.approx(0.01)


def test_for_a_loss_lower_is_better_in_the_rule_too():
    # log-loss: the second trial is lower on every fold, so it is clearly better
    study = _study(
        "minimize",
        (0.30, [0.31, 0.29, 0.30], BASELINE),
        (0.28, [0.29, 0.27, 0.28], None),
    )
    trial, how = select(study, _complete(study))
    assert trial.number == 1 and how.difference == pytest.approx(0.02)


def test_a_baseline_trial_that_scores_best_itself_is_kept_not_compared_with_itself():
    """When no trial beat the defaults, the run compared the baseline with its own refit:
    "the tuned model does not beat it beyond noise (difference 0.000, 95% interval 0.000
    to 0.000)" (a fresh user's run); it is the simple model, kept."""
    study = _study(
        "maximize",
        (0.790, [0.78, 0.80, 0.79], BASELINE),
        (0.785, [0.78, 0.79, 0.785], None),
    )
    trial, how = select(study, _complete(study))
    assert trial.number == 0 and how.kept and how.rule == "baseline"
    assert how.best == 0 and how.difference is None


def test_a_run_whose_best_trial_is_the_baseline_says_it_kept_the_defaults(tmp_path, capsys):
    from tuneplate.cli import main

    out = tmp_path / "run"
    assert main(["run", "credit-risk", "--trials", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    saved = tuneplate.Results.load(out, model=False)
    assert saved.selection.chosen == saved.selection.best  # the baseline trial was best
    assert saved.baseline.decision == "kept" and not saved.baseline.recommended
    assert "kept the default settings of the simple WoE scorecard" in printed
    assert "does not beat" not in printed and "0.000 to 0.000" not in printed
    # read back from the folder, "kept" survives (it was dropped as an unknown decision,
    # so a report redrawn from the folder compared the scorecard with itself)
    from tuneplate.engine.records import Baseline

    for decision in ("better", "same", "worse", "kept"):
        again = Baseline.from_dict({**saved.baseline.to_dict(), "decision": decision})
        assert again.decision == decision


def test_without_a_baseline_trial_or_comparable_folds_the_best_is_refitted():
    no_base = _study("maximize", (0.70, [0.7, 0.7], None), (0.71, [0.71, 0.70], None))
    assert select(no_base, _complete(no_base))[0].number == 1
    # a baseline cut short after two folds cannot be paired with a five-fold trial
    short = _study("maximize", (0.70, [0.7, 0.7], BASELINE), (0.71, [0.71] * 5, None))
    trial, how = select(short, _complete(short))
    assert trial.number == 1 and how.difference is None
    assert paired_gain(_complete(short)[1], _complete(short)[0], True) is None


def test_the_baseline_is_the_first_trial_when_its_family_is_searched():
    diagnosis = plan(load_vertical("diagnosis"), config=Config.flat(model="logistic", n_trials=2))
    assert diagnosis.first_trials[0] == (BASELINE, {"C": 1.0})
    auto = plan(load_vertical("credit-risk"), config=Config.flat(strategy="auto", n_trials=2))
    # credit risk's baseline is its WoE scorecard, at its default settings
    assert auto.first_trials[0] == (
        BASELINE,
        {FAMILY: "scorecard", "scorecard.C": 1.0},
    )
    # each setting is tried once: a prior that equals the baseline is not repeated
    assert [p for _, p in auto.first_trials].count(auto.first_trials[0][1]) == 1
    trees = plan(load_vertical("credit-risk"), config=Config.flat(model="lightgbm", n_trials=2))
    assert all(source != BASELINE for source, _ in trees.first_trials)


@pytest.mark.parametrize("vertical", ["credit-risk", "diagnosis"])
def test_binary_verticals_default_to_auto_and_a_named_model_is_tuned_alone(vertical):
    assert plan(load_vertical(vertical), config=Config.flat(n_trials=2)).families
    p = plan(load_vertical(vertical), config=Config.flat(model="xgboost", n_trials=2))
    assert not p.families and p.family.name == "xgboost" and p.strategy == "bayes"


@pytest.fixture(scope="module")
def kept_run():
    """Breast cancer, seed 0: no C beats scikit-learn's default by one SE of log-loss on
    the search's folds (`blend=False`: that rule alone; on fresh folds the best leads)."""
    return tuneplate.tune("diagnosis", model="logistic", n_trials=12, seed=0, blend=False)


def test_a_kept_baseline_is_the_model_and_the_report_says_why(kept_run):
    r = kept_run
    assert r.selection.kept
    chosen = r.trials.set_index("number").loc[r.selection.chosen]
    assert chosen["source"] == BASELINE
    assert r.validation == pytest.approx(chosen["value"])  # one figure: the refitted trial's
    assert r.best_params == r.baseline.params
    assert r.holdout == pytest.approx(r.baseline.holdout)
    assert r.baseline.decision == "kept" and not r.baseline.recommended
    decided = verdict(r)
    assert decided.recommended == "tuned"  # one model: nothing to recommend over it
    assert "keeps them: the tuned model is the simple one" in decided.versus
    assert f"trial #{r.selection.best}" in decided.versus
    # saved and read back
    again = type(r).from_dict(r.to_dict())
    assert again.selection == r.selection
