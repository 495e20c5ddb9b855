import math

import pytest

from tuneplate.engine.checks import Finding
from tuneplate.engine.results import Metric
from tuneplate.reports.verdict import holdout_drop, verdict


@pytest.fixture
def clean(make_results):
    """Variants of a run with one minor warning and no fairness flag: nothing to hold it back."""

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
    assert verdict(clean(validation=0.79, holdout=holdout)).level == level


def test_the_holdout_interval_is_shown_and_a_gap_inside_it_may_be_chance(clean):
    wide = verdict(clean(validation=0.79, holdout=0.74, holdout_interval=(0.68, 0.80)))
    gap = next(r for r in wide.reasons if "did worse" in r)
    assert "0.740 (95% interval 0.680–0.800)" in gap
    assert "so on 200 rows the gap may be chance" in gap
    narrow = verdict(clean(validation=0.79, holdout=0.74, holdout_interval=(0.72, 0.76)))
    assert not any("may be chance" in r for r in narrow.reasons)  # the drop is real
    assert any("(95% interval 0.720–0.760)" in r for r in narrow.reasons)


def test_gap_is_the_share_of_skill_over_chance_lost(clean):
    log_loss = Metric("log_loss", "Log-loss", "minimize")
    p = clean().data["positive_share"]
    chance = -(p * math.log(p) + (1 - p) * math.log(1 - p))
    worse = clean(metric=log_loss, validation=0.5, holdout=0.5 + 0.15 * (chance - 0.5))
    assert holdout_drop(worse) == pytest.approx(0.15)
    assert verdict(worse).level == "caution"
    assert verdict(clean(metric=log_loss, validation=0.5, holdout=0.45)).level == "good"


def test_a_small_log_loss_rise_on_a_near_perfect_model_is_no_alarm(clean):
    log_loss = Metric("log_loss", "Log-loss", "minimize")
    # 0.074 -> 0.092 is a 24% relative rise, but a tiny share of the skill over chance.
    assert verdict(clean(metric=log_loss, validation=0.074, holdout=0.092)).level == "good"


def test_missing_holdout_is_a_caution(clean):
    v = verdict(clean(holdout=math.nan))
    assert v.level == "caution" and "no hold-out score" in v.reasons[0]


def test_many_warnings_are_a_caution(clean):
    warnings = [Finding(f"w{i}", "warning", "odd") for i in range(3)]
    v = verdict(clean(findings=warnings))
    assert v.level == "caution" and v.reasons[0] == "The data checks raised 3 warnings."


def test_thin_search_and_thin_holdout_are_cautions(clean):
    v = verdict(clean(counts={"completed": 4, "pruned": 0, "failed": 0}))
    assert v.level == "caution" and "Only 4 settings were tried" in v.reasons[0]
    v = verdict(clean(data={**clean().data, "holdout_rows": 60}))
    assert v.level == "caution" and "only 60 rows" in v.reasons[0]


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
