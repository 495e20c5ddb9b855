import math
from dataclasses import replace

import pytest

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.results import Baseline, Headline, Metric
from tuneplate.reports.skill import holdout_drop
from tuneplate.reports.verdict import verdict


@pytest.fixture
def clean(make_results):
    """Variants of a run with one point to check and no fairness flag: nothing to hold it back."""

    def build(**overrides):
        tables = [t for t in make_results().tables if t.key != "fairness"]
        return make_results(**{"tables": tables, **overrides})

    return build


def test_clean_run_is_ready_for_review(clean):
    v = verdict(clean())
    assert (v.level, v.title) == ("good", "Ready for review")
    assert any("held up" in r for r in v.reasons)
    assert v.summary == ["Approving 70% of applicants, 17.0% of approved loans went bad."]


def test_any_error_finding_stops(clean):
    error = Finding("post_outcome_leakage", "error", "recoveries predicts the target")
    v = verdict(clean(findings=[error]))
    assert v.level == "stop" and "1 problem to fix" in v.reasons[0]


@pytest.mark.parametrize(("holdout", "level"), [(0.78, "good"), (0.74, "caution"), (0.6, "stop")])
def test_holdout_gap_sets_the_level(holdout, level, clean):
    interval = (holdout - 0.03, holdout + 0.005)  # a hold-out large enough to tell
    assert verdict(clean(validation=0.79, holdout=holdout, holdout_interval=interval)).level == (
        level
    )


def test_the_holdout_interval_is_shown_and_a_gap_inside_it_may_be_chance(clean):
    wide = verdict(clean(validation=0.79, holdout=0.74, holdout_interval=(0.68, 0.80)))
    gap = next(r for r in wide.reasons if "did worse" in r)
    assert "0.740 (95% interval 0.680–0.800)" in gap
    assert "so on 200 rows the gap may be chance" in gap
    narrow = verdict(clean(validation=0.79, holdout=0.74, holdout_interval=(0.72, 0.76)))
    assert not any("may be chance" in r for r in narrow.reasons)  # the drop is real
    assert any("(95% interval 0.720–0.760)" in r for r in narrow.reasons)


def test_a_large_gap_the_holdout_interval_spans_is_a_caution_not_a_stop(clean):
    """71 hold-out rows, 2 events: log-loss 0.183 (0.044-0.394) against 0.133 tuned was
    "Not ready: did much worse" although the interval holds the tuning score."""
    wide = verdict(clean(validation=0.79, holdout=0.60, holdout_interval=(0.45, 0.80)))
    assert wide.level == "caution"
    gap = next(r for r in wide.reasons if "did worse" in r)
    assert "may be chance" in gap and "much worse" not in gap
    sure = verdict(clean(validation=0.79, holdout=0.60, holdout_interval=(0.55, 0.66)))
    assert sure.level == "stop" and any("did much worse" in r for r in sure.reasons)


def test_gap_is_the_share_of_skill_over_chance_lost(clean):
    log_loss = Metric("log_loss", "Log-loss", "minimize")
    p = clean().data["positive_share"]
    chance = -(p * math.log(p) + (1 - p) * math.log(1 - p))
    base = {**clean().baseline, "holdout": 0.52}  # the baseline in the run's own metric
    worse = clean(
        metric=log_loss, validation=0.5, holdout=0.5 + 0.15 * (chance - 0.5), baseline=base
    )
    assert holdout_drop(worse) == pytest.approx(0.15)
    assert verdict(worse).level == "caution"
    better = clean(metric=log_loss, validation=0.5, holdout=0.45, baseline=base)
    assert verdict(better).level == "good"


def test_a_small_log_loss_rise_on_a_near_perfect_model_is_no_alarm(clean):
    log_loss = Metric("log_loss", "Log-loss", "minimize")
    # 0.074 -> 0.092 is a 24% relative rise, but a tiny share of the skill over chance.
    base = {**clean().baseline, "holdout": 0.1}  # the baseline in the run's own metric
    v = verdict(clean(metric=log_loss, validation=0.074, holdout=0.092, baseline=base))
    assert v.level == "good"


def test_missing_holdout_is_a_caution(clean):
    v = verdict(clean(holdout=math.nan))
    assert v.level == "caution" and "no hold-out score" in v.reasons[0]


def test_many_warnings_are_a_caution(clean):
    checks = ["missing_values", "high_cardinality", "duplicate_rows", "table_size"]
    warnings = [Finding(c, "warning", "odd") for c in checks]
    v = verdict(clean(findings=warnings))
    assert v.level == "caution"
    # the checks by name (at most three, then a count), never the findings' values
    assert v.reasons[0] == (
        "4 data checks need a look (missing values, high cardinality, duplicate rows "
        "and 1 other): see Data health."
    )
    one = verdict(clean(findings=warnings[:1]))
    assert "One data check needs a look (missing values): see Data health." in one.reasons


def test_thin_search_and_thin_holdout_are_cautions(clean):
    v = verdict(clean(counts={"completed": 4, "pruned": 0, "failed": 0}))
    assert v.level == "caution" and "Only 4 settings were tried" in v.reasons[0]
    v = verdict(clean(data={**clean().data, "holdout_rows": 60}))
    assert v.level == "caution" and "only 60 rows" in v.reasons[0]


@pytest.mark.parametrize(("events", "said"), [(2, "only 2 events"), (196, "only 4 non-events")])
def test_a_holdout_with_a_handful_of_events_is_a_caution(clean, events, said):
    """12 events in 2,000 rows left 2 in the hold-out: its figures rest on two cases,
    and the first screen said "Ready for review"."""
    assert verdict(clean()).level == "good"
    v = verdict(clean(data={**clean().data, "holdout_rows": 200, "holdout_events": events}))
    assert v.level == "caution" and any(said in r for r in v.reasons), v.reasons
    enough = verdict(clean(data={**clean().data, "holdout_rows": 200, "holdout_events": 10}))
    assert enough.level == "good"


def test_low_adverse_impact_ratio_is_a_caution(make_results):
    v = verdict(make_results())  # the fixture's female group has an AIR of 0.667
    assert v.level == "caution"
    assert v.reasons[0].startswith("1 group gets favourable decisions at under four-fifths")


def test_reasons_that_set_the_level_come_first(clean):
    error = Finding("e", "error", "broken")
    v = verdict(clean(findings=[error], holdout=0.74))
    assert v.level == "stop"
    assert "problem to fix" in v.reasons[0] and "did worse" in v.reasons[1]


def test_a_converged_gradient_search_is_not_called_thin(clean):
    converged = clean(
        counts={"completed": 6, "pruned": 0, "failed": 0},
        data={**clean().data, "search_converged": "step below 0.001 of the range"},
    )
    v = verdict(converged)
    assert v.level == "good" and any("converged after 6 settings" in r for r in v.reasons)


def test_fit_diagnosis_names_overfitting_and_underfitting(clean):
    from tuneplate.reports.sections import fit_diagnosis

    assert "overfitting" in fit_diagnosis(clean(train=0.99, validation=0.62))
    assert "close to chance" in fit_diagnosis(clean(train=0.53, validation=0.52))
    assert "no sign" in fit_diagnosis(clean(train=0.82, validation=0.79))


# --- hold-out scores too good to be true (issue 14) -------------------------------------


def _suspicious(v):
    return "suspiciously good" in v.reasons[0] and "suspiciously good" in v.why[0]


@pytest.mark.parametrize("holdout", [0.99, 0.995, 1.0])
def test_an_implausible_holdout_auc_is_never_said_to_have_held_up(holdout, clean):
    base = {**clean().baseline, "holdout": holdout - 0.002}
    v = verdict(
        clean(
            validation=holdout - 0.001,
            holdout=holdout,
            holdout_interval=(holdout - 0.01, min(1.0, holdout + 0.005)),
            holdout_metrics={**clean().holdout_metrics, "roc_auc": holdout},
            baseline=base,
        )
    )
    assert v.level == "caution" and _suspicious(v)
    assert not any("held up" in r for r in v.reasons)
    assert v.lead == "The hold-out score below needs explaining first."
    text = v.reasons[0]
    # the sentence matches the label: "Use with caution" goes to review once checked
    assert "Before the model goes to review, rule out the usual causes" in text
    assert "cannot go to review" not in text
    for cause in ("recorded after the outcome", "both sides of the split", "duplicated rows"):
        assert cause in text
    # Cross-validation and the baseline agree: an easy problem is described as possibly real.
    assert "can be real" in text and "in line with cross-validation" in text


def test_a_suspicious_score_names_the_column_data_health_flagged(clean):
    """AER CreditCard: a money card of €291,477 per 1,000 and "what a genuinely easy
    problem looks like" on the first screen, while Data health had found 'share' (derived
    from the dropped leaking column) predictive alone; the first screen did not name it."""
    holdout = 0.993
    flagged = Finding("suspiciously_predictive", "warning", "share (AUC 0.99)", columns=("share",))
    easy = {
        "validation": holdout - 0.001,
        "holdout": holdout,
        "holdout_interval": (holdout - 0.01, 0.998),
        "holdout_metrics": {**clean().holdout_metrics, "roc_auc": holdout},
    }
    v = verdict(clean(**easy, findings=[flagged]))
    assert _suspicious(v)
    assert "'share' alone predicts the outcome" in v.reasons[0]
    assert "Data health" not in verdict(clean(**easy)).reasons[0]
    # a strong marker only noted (diagnosis) is still named beside the causes
    noted = Finding("strongest_feature", "info", "share (AUC 0.99)", columns=("share",))
    assert (
        "Data health found 'share' predictive on its own"
        in (verdict(clean(**easy, findings=[noted])).reasons[0])
    )


def _near_copy(clean, **overrides):
    """German credit with the outcome copied into a column, 2% of it flipped: the column
    alone scores AUC 0.98, the scorecard hold-out 0.980 (0.943-0.999), cross-validated
    0.993; the report said "Ready for review … The model held up on rows it never saw"."""
    run = clean()
    figures = {
        "validation": 0.993,
        "holdout": 0.98,
        "holdout_interval": (0.943, 0.999),
        "holdout_metrics": {**run.holdout_metrics, "roc_auc": 0.98},
        "baseline": {**run.baseline, "holdout": 0.98},
    }
    return clean(**{**figures, **overrides})


def _alone(check="suspiciously_predictive", severity="warning", columns=("review_score",)):
    return Finding(check, severity, "review_score (AUC 0.98)", columns=columns)


def test_a_column_flagged_predictive_alone_is_never_ready_for_review(clean):
    """The flagged column is a signal of its own, the folds at the ceiling another: two
    signals stop the run, and the first screen names the column."""
    v = verdict(_near_copy(clean, findings=[_alone()]))
    assert v.level == "stop" and _suspicious(v)
    assert not any("held up" in r for r in v.reasons)
    assert "'review_score' alone predicts the outcome" in v.reasons[0]
    assert "cross-validated ROC AUC 0.993 (at or above 0.99)" in v.reasons[0]
    assert v.reasons[0].count("'review_score'") == 1  # named once, not again as a cause


@pytest.mark.parametrize(
    ("check", "severity"),
    [
        ("suspiciously_predictive", "warning"),  # credit: an application field above 0.9
        ("post_diagnosis_leakage", "error"),  # diagnosis: a post-diagnosis name that predicts
        ("single_feature_leakage", "error"),  # any vertical, through the Python API
    ],
)
def test_a_flagged_column_alone_makes_a_modest_score_suspicious(check, severity, clean):
    """Below every ceiling and in line with cross-validation, the flagged column alone
    still makes the score one to explain: the model is at least as good as that column."""
    run = clean(validation=0.93, holdout=0.92, holdout_interval=(0.88, 0.96))
    v = verdict(replace(run, findings=[*run.findings, _alone(check, severity)]))
    assert v.level in ("caution", "stop") and _suspicious(v)
    assert not any("held up" in r for r in v.reasons)
    two = verdict(replace(run, findings=[_alone(columns=("review_score", "closing_note"))]))
    assert "'review_score' and 'closing_note' alone predict the outcome" in two.reasons[0]


def test_a_strong_marker_noted_but_not_flagged_still_holds_up(clean):
    """Diagnosis notes a single marker of AUC 0.9-0.99 (`strongest_feature`, info): real
    markers are that strong, so the note alone raises no doubt."""
    run = clean(validation=0.93, holdout=0.92, holdout_interval=(0.88, 0.96))
    v = verdict(replace(run, findings=[_alone("strongest_feature", "info")]))
    assert not _suspicious(v) and any("held up" in r for r in v.reasons)


def test_folds_at_the_ceiling_are_suspicious_when_the_holdout_lands_under_it(clean):
    """A 200-row hold-out can land under 0.99 by chance while the folds, on every
    development row, sit above it: one signal (a caution), worded as the folds' score."""
    v = verdict(_near_copy(clean))
    assert v.level == "caution" and _suspicious(v)
    assert "cross-validated ROC AUC 0.993 (at or above 0.99)" in v.reasons[0]
    assert not any("held up" in r for r in v.reasons)
    under = verdict(_near_copy(clean, validation=0.985))
    assert not _suspicious(under)


def test_a_near_perfect_loss_far_from_cross_validation_is_not_called_in_line(clean):
    """Hold-out log-loss 0.0009 against a cross-validated 0.027: both near perfect, 30
    times apart; "in line with cross-validation" misdescribed it (a fresh user's run)."""
    from tuneplate.engine.results import Metric
    from tuneplate.reports.suspicion import suspicion

    loss = Metric("log_loss", "log-loss", "minimize")
    results = clean(
        metric=loss,
        validation=0.027,
        holdout=0.0009,
        holdout_interval=(0.0004, 0.0015),
        holdout_metrics={**clean().holdout_metrics, "roc_auc": 1.0, "log_loss": 0.0009},
        baseline={**clean().baseline, "holdout": 0.0011},
    )
    doubt = suspicion(results)
    assert doubt is not None and "in line with" not in doubt.agrees
    assert "near perfect, as was" in doubt.agrees
    agreeing = clean(
        validation=0.995,
        holdout=0.996,
        holdout_interval=(0.99, 1.0),
        holdout_metrics={**clean().holdout_metrics, "roc_auc": 0.996},
        baseline={**clean().baseline, "holdout": 0.994},
    )
    assert "is in line with" in suspicion(agreeing).agrees


def test_a_grouped_run_is_not_told_to_pass_the_group_it_passed(clean):
    # A run split by --group 'customer' that still scores at the ceiling: the usual cause
    # "pass --group" would be wrong advice; another id repeating is the cause to check.
    def suspicious_text(**config):
        run = clean()
        return verdict(
            clean(
                validation=0.992,
                holdout=0.995,
                holdout_interval=(0.99, 0.999),
                holdout_metrics={**run.holdout_metrics, "roc_auc": 0.995},
                baseline={**run.baseline, "holdout": 0.993},
                config={**run.config, **config},
            )
        ).reasons[0]

    grouped, plain = suspicious_text(group="customer"), suspicious_text()
    assert "pass --group" not in grouped and "pass --group" in plain
    assert "under another id than 'customer'" in grouped
    assert "the run kept each 'customer' on one side" in grouped
    assert "duplicated rows" in grouped and "recorded after the outcome" in grouped


def test_just_below_the_ceiling_still_holds_up(clean):
    base = {**clean().baseline, "holdout": 0.98}
    v = verdict(
        clean(validation=0.985, holdout=0.985, holdout_interval=(0.97, 0.995), baseline=base)
    )
    assert not _suspicious(v) and any("held up" in r for r in v.reasons)


def test_a_log_loss_run_is_judged_by_its_holdout_auc(clean):
    log_loss = Metric("log_loss", "Log-loss", "minimize")
    metrics = {**clean().holdout_metrics, "roc_auc": 0.993, "log_loss": 0.09}
    v = verdict(
        clean(
            metric=log_loss,
            validation=0.075,
            holdout=0.09,
            holdout_interval=(0.05, 0.15),
            holdout_metrics=metrics,
            baseline={**clean().baseline, "holdout": 0.092},
        )
    )
    assert _suspicious(v) and "ROC AUC 0.993" in v.reasons[0]


def test_a_loss_without_any_auc_is_judged_by_its_skill_over_chance(clean):
    brier = Metric("brier", "Brier score", "minimize")  # chance 0.21 at a 30% base rate
    metrics = {"brier": 0.02}
    v = verdict(
        clean(
            metric=brier,
            validation=0.021,
            holdout=0.02,
            holdout_metrics=metrics,
            holdout_interval=None,
            baseline={},
        )
    )
    assert _suspicious(v) and "of a chance model's loss" in v.reasons[0]
    fair = clean(
        metric=brier,
        validation=0.15,
        holdout=0.15,
        holdout_metrics={"brier": 0.15},
        holdout_interval=None,
        baseline={},
    )
    assert not _suspicious(verdict(fair))


def test_a_high_pr_auc_with_a_common_outcome_is_no_signal_when_roc_auc_is_modest(clean):
    metrics = {**clean().holdout_metrics, "roc_auc": 0.9, "pr_auc": 0.995}
    assert not _suspicious(verdict(clean(holdout_metrics=metrics)))


def test_a_holdout_far_above_cross_validation_is_suspicious(clean):
    v = verdict(
        clean(
            validation=0.70,
            holdout=0.86,
            holdout_interval=(0.80, 0.91),
            holdout_metrics={**clean().holdout_metrics, "roc_auc": 0.86},
            baseline={**clean().baseline, "holdout": 0.80},
        )
    )
    assert v.level == "caution" and _suspicious(v)
    assert "beats the cross-validated 0.700 by more than its 95% interval" in v.reasons[0]
    assert "can be real" not in v.reasons[0]  # not the easy-problem case
    # Out of time, expanding folds train on less and older data: no signal there.
    data = {**clean().data, "split": "out-of-time on 'month': the latest 20% of rows …"}
    assert not _suspicious(
        verdict(
            clean(
                validation=0.70,
                holdout=0.86,
                data=data,
                holdout_interval=(0.80, 0.91),
                baseline={**clean().baseline, "holdout": 0.80},
            )
        )
    )


def test_a_holdout_far_above_the_baseline_is_suspicious(clean):
    v = verdict(
        clean(
            validation=0.95,
            holdout=0.96,
            holdout_interval=(0.93, 0.98),
            holdout_metrics={**clean().holdout_metrics, "roc_auc": 0.96},
            baseline={**clean().baseline, "holdout": 0.70},
        )
    )
    assert _suspicious(v) and "far better than the simple baseline's 0.700" in v.reasons[0]


def test_two_signals_together_stop_the_model(clean):
    v = verdict(
        clean(
            validation=0.90,
            holdout=0.995,
            holdout_interval=(0.985, 1.0),
            holdout_metrics={**clean().holdout_metrics, "roc_auc": 0.995},
            baseline={**clean().baseline, "holdout": 0.75},
        )
    )
    assert (v.level, v.title) == ("stop", "Not ready") and _suspicious(v)
    assert "cannot go to review until this is explained" in v.reasons[0]


def test_a_ranking_ndcg_near_perfect_is_suspicious(clean):
    ndcg = Metric("ndcg", "NDCG@10", "maximize")
    v = verdict(
        clean(
            metric=ndcg,
            validation=0.96,
            holdout=0.97,
            holdout_interval=None,
            holdout_metrics={"ndcg_at_k": 0.97},
            baseline={},
        )
    )
    assert _suspicious(v) and "NDCG@10 0.970" in v.reasons[0]
    plain = clean(
        metric=ndcg,
        validation=0.31,
        holdout=0.30,
        holdout_interval=None,
        holdout_metrics={"ndcg_at_k": 0.30},
        baseline={},
    )
    assert not _suspicious(verdict(plain))


def test_the_suspicion_leads_even_before_data_errors(clean):
    error = Finding("e", "error", "broken")
    v = verdict(
        clean(
            findings=[error],
            validation=0.994,
            holdout=0.995,
            holdout_interval=(0.985, 1.0),
            holdout_metrics={**clean().holdout_metrics, "roc_auc": 0.995},
        )
    )
    assert v.level == "stop" and _suspicious(v) and "problem to fix" in v.reasons[1]


def test_the_report_says_suspicious_in_the_verdict_and_reliability_sections(clean):
    from tuneplate.reports import render

    page = render(
        clean(
            validation=0.994,
            holdout=0.995,
            holdout_interval=(0.985, 1.0),
            holdout_metrics={**clean().holdout_metrics, "roc_auc": 0.995},
            baseline={**clean().baseline, "holdout": 0.99},
        )
    )
    assert "held up on rows it never saw" not in page
    assert page.count("The hold-out score is suspiciously good") == 2  # verdict, reliability
    assert "The hold-out score below needs explaining first." in page
    assert "The model can go to review" not in page


@pytest.mark.slow
def test_a_leaky_table_that_passes_the_single_column_check_is_called_suspicious():
    """Three noisy copies of the outcome: each alone stays under the leakage check's
    AUC 0.99, together the model scores about 0.999 on the hold-out."""
    import numpy as np
    import pandas as pd

    import tuneplate
    from tuneplate.engine.data.checks import LEAKAGE_AUC, single_feature_auc

    rng = np.random.default_rng(1)
    n = 600
    bad = rng.random(n) < 0.3
    copies = {f"note_{k}": (bad + rng.normal(0, 0.4, n)).round(3) for k in "abc"}
    table = pd.DataFrame(
        {"income": rng.normal(50, 10, n).round(1), **copies, "status": np.where(bad, "bad", "good")}
    )
    assert all(
        single_feature_auc(table[c], pd.Series(bad.astype(int))) < LEAKAGE_AUC for c in copies
    )
    result = tuneplate.tune("credit-risk", table, target="status", n_trials=3, seed=0)
    v = verdict(result)
    assert v.level in ("caution", "stop") and _suspicious(v)
    assert not any("held up" in r for r in v.reasons)


@pytest.mark.slow
def test_repeated_customers_with_a_noise_outcome_are_caught_and_group_fixes_it():
    """Each customer three times with identical features and a coin-flip outcome: with a
    random split the model recognises customers and the hold-out looks excellent; the
    checks name the id and the verdict refuses the score. With --group it is near chance."""
    import numpy as np
    import pandas as pd

    import tuneplate

    rng = np.random.default_rng(0)
    n = 120
    one = pd.DataFrame(
        {
            "customer_id": np.arange(n) + 5000,
            "income": rng.normal(50, 10, n).round(1),
            "debt_ratio": rng.uniform(0, 1, n).round(3),
            "status": rng.choice(["bad", "good"], n, p=[0.3, 0.7]),
        }
    )
    table = pd.concat([one] * 3, ignore_index=True)
    table.insert(0, "application_id", np.arange(len(table)) + 100_000)
    # LightGBM, which can memorise customers (a WoE scorecard's bins hardly can)
    fooled = tuneplate.tune(
        "credit-risk", table, target="status", model="lightgbm", n_trials=2, seed=0
    )
    checks = {f.check: f for f in fooled.findings}
    assert "--group customer_id" in checks["repeated_entities"].fix
    assert "--group customer_id" in checks["duplicate_rows"].fix
    v = verdict(fooled)
    assert v.level != "good" and _suspicious(v)
    assert not any("held up" in r for r in v.reasons)
    grouped = tuneplate.tune(
        "credit-risk", table, target="status", group="customer_id", n_trials=2, seed=0
    )
    assert grouped.holdout < 0.8 and not verdict(grouped).suspicious


@pytest.mark.slow
def test_the_cli_summary_warns_when_the_hold_out_is_too_good(tmp_path, capsys):
    """The terminal lines are what many users read first: a too-good hold-out gets a
    warning there too, not only in the report."""
    import numpy as np
    import pandas as pd

    from tuneplate.cli import main

    rng = np.random.default_rng(1)
    n = 600
    bad = rng.random(n) < 0.3
    copies = {f"note_{k}": (bad + rng.normal(0, 0.4, n)).round(3) for k in "abc"}
    table = pd.DataFrame({**copies, "status": np.where(bad, "bad", "good")})
    table.to_csv(tmp_path / "leaky.csv", index=False)
    argv = ["run", "credit-risk", "--data", str(tmp_path / "leaky.csv"), "--target", "status"]
    assert main([*argv, "--trials", "3", "--storage", "memory", "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "suspiciously good" in out, out


def test_a_tuned_model_that_does_not_beat_the_baseline_leads_with_it(clean):
    """Issue #16: LightGBM 0.754 against the logistic baseline's 0.775 on the same rows."""
    base = {
        **clean().baseline,
        "label": "logistic regression",
        "holdout": 0.775,
        "difference": -0.021,
        "interval": [-0.048, 0.006],
        "decision": "same",
        "tuned_label": "LightGBM",
    }
    v = verdict(clean(validation=0.76, holdout=0.754, baseline=base))
    assert v.lead.startswith(
        "The tuned LightGBM model does not beat the simple logistic regression on rows it "
        "never saw (ROC AUC 0.754 vs 0.775; difference \u22120.021, 95% interval \u22120.048 "
        "to +0.006): use the simple model; the figures below are for it."
    )
    assert v.level == "caution" and v.recommended == "baseline"


def test_a_tuned_model_that_beats_the_baseline_says_by_how_much(clean):
    base = {
        **clean().baseline,
        "label": "logistic regression",
        "holdout": 0.747,
        "difference": 0.031,
        "interval": [0.008, 0.055],
        "decision": "better",
        "tuned_label": "LightGBM",
    }
    v = verdict(clean(validation=0.78, holdout=0.778, baseline=base))
    assert v.level == "good" and v.recommended == "tuned" and v.lead == ""
    assert v.versus == (
        "The tuned LightGBM model beats the simple logistic regression by 0.031 ROC AUC on "
        "rows it never saw (95% interval 0.008 to 0.055; ROC AUC 0.778 vs 0.747)."
    )


def test_differences_are_written_to_three_decimals_like_the_scores():
    """ "+0.000357" beside an interval of −0.032 to +0.039 (a fresh user's run) showed a
    precision the interval does not have; "9.32e-06" was no reader's number either."""
    from tuneplate.reports.verdict import _signed

    assert _signed(0.000357) == "0.000" and _signed(-9.32e-06) == "0.000"
    assert _signed(0.0213) == "+0.021" and _signed(-0.0481) == "\u22120.048"
    assert _signed(0.0) == "0.000"


def _fairness(results, airs: list[float]):
    """`results`' fairness table with these adverse impact ratios, one group each."""
    import pandas as pd

    table = results.table("fairness")
    n = len(airs)
    frame = pd.DataFrame(
        {
            "Attribute": ["age"] * n,
            "Group": [f"band {i}" for i in range(n)],
            "Applicants": [40] * n,
            "Approval rate": [0.8 * a for a in airs],
            "Adverse impact ratio": airs,
        }
    )
    return replace(table, frame=frame)


def _compared(make_results, decision: str, tuned: list[float], base: list[float]):
    """A run whose tuned and baseline fairness tables differ, the paired comparison
    `decision` recording which model the report recommends."""
    results = make_results()
    tuned_fair, base_fair = _fairness(results, tuned), _fairness(results, base)
    tuned_tables = [tuned_fair if t.key == "fairness" else t for t in results.tables]
    base_tables = tuple(base_fair if t.key == "fairness" else t for t in results.tables)
    baseline = Baseline(
        "scorecard",
        "WoE scorecard",
        {},
        0.78,
        difference=0.0 if decision == "same" else 0.05,
        interval=(-0.03, 0.03) if decision == "same" else (0.02, 0.08),
        decision=decision,
        tuned_label="LightGBM",
        headline=Headline.coerce(
            {**results.headline.to_dict(), "concerns": [["caution", "The scorecard's own."]]}
        ),
        tables=base_tables,
        metrics=dict(results.holdout_metrics),
    )
    concerns = {**results.headline.to_dict(), "concerns": [["caution", "The tuned model's own."]]}
    return make_results(tables=tuned_tables, baseline=baseline, headline=concerns)


def _low_air_reason(v) -> str:
    return next(r for r in v.reasons if "under four-fifths" in r)


@pytest.mark.parametrize(
    ("decision", "recommended", "count", "own", "other"),
    [
        ("same", "baseline", "1 group gets", "The scorecard's own.", "The tuned model's own."),
        ("better", "tuned", "3 groups get", "The tuned model's own.", "The scorecard's own."),
    ],
)
def test_the_air_count_and_concerns_are_the_recommended_models(
    make_results, decision, recommended, count, own, other
):
    """German credit: "3 groups" on the first screen beside a chart of the recommended
    scorecard saying "2 of 8": the verdict counted the tuned model's table."""
    tuned, base = [0.5, 0.6, 0.7, 1.0], [0.6, 0.9, 1.0]
    v = verdict(_compared(make_results, decision, tuned=tuned, base=base))
    assert v.recommended == recommended
    assert _low_air_reason(v).startswith(f"{count} favourable decisions")
    assert own in v.reasons and other not in v.reasons


def test_the_first_screen_count_matches_the_fairness_chart(make_results):
    """One count on the page: the verdict's and the chart title's, for either model."""
    from tuneplate.reports.charts import fairness_title
    from tuneplate.reports.view import View

    for decision in ("same", "better"):
        view = View.of(_compared(make_results, decision, tuned=[0.5, 0.6, 1.0], base=[0.7, 1.0]))
        count = _low_air_reason(view.verdict).split(" ")[0]
        assert fairness_title(view.first).split(" ")[0] == count, decision


def test_the_air_benchmark_rule_is_printed_beside_every_count(make_results):
    """The first screen, the chart and the fairness section say what "four-fifths of"
    is measured against when the table marks its reference group."""
    from tuneplate.reports import render
    from tuneplate.reports.charts import fairness_title

    results = make_results()
    table = results.table("fairness")
    rule = "highest rate among groups of 30+ applicants"
    marked = replace(
        table,
        frame=table.frame.assign(Reference=["", rule]),
        roles={
            "adverse_impact": "Adverse impact ratio",
            "group": "Group",
            "attribute": "Attribute",
            "reference": "Reference",
        },
    )
    results = make_results(tables=[marked if t.key == "fairness" else t for t in results.tables])
    said = f"under four-fifths of the reference group's rate ({rule})"
    assert said in _low_air_reason(verdict(results))
    assert "under four-fifths of the reference group's rate (lowest:" in fairness_title(results)
    assert fairness_title(results).endswith(f"; reference: {rule})")
    page = render(results)
    assert f"the reference group marked in the table: the {rule}" in page
    # a table without the mark (results.json written before it) keeps its old words
    assert "of the top group's rate." in _low_air_reason(verdict(make_results()))
